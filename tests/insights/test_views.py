from django.urls import reverse

from insights.models import Status
from tests.factories import make_briefing, make_consultation, make_part


def test_home_shows_the_consultations_and_the_2024_grid(client, paper, django_assert_num_queries):
    # consultations + organisers, the featured consultation's grid (one aggregate),
    # themes with counts, partners with counts
    with django_assert_num_queries(5):
        response = client.get(reverse("insights:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Towards Connected Places: Insights into Actions" in html
    assert "?working_group=2024-p1-wg1-place-based-devolution&amp;stage=worked_well" in html
    grid = {group.slug: group.stage_counts() for group in response.context["grid"]}
    assert [n for _, n in grid["2024-p1-wg1-place-based-devolution"]] == [3, 5, 5, 3]


def test_consultation_page_shows_parts_briefings_groups_and_related(
    client, paper, django_assert_num_queries
):
    # consultation, organisers, themes, key themes, four related-consultation links,
    # parts, briefings, their presenters, working groups with output counts
    with django_assert_num_queries(12):
        response = client.get(paper.get_absolute_url())
    html = response.content.decode()
    assert "Part 1: Connected Places: Devolution, Digital, Data, and Sustainability" in html
    assert "Measuring social progress" in html
    assert "Resilient people, communities and places" in html
    assert "The threats and opportunities of AI" in html
    assert "16 outputs" in html


def test_briefing_page_keeps_paragraphs_lists_and_the_footnote(client, paper):
    response = client.get(reverse("insights:briefing", args=["secure-connected-places"]))
    html = response.content.decode()
    assert html.count("<li>") >= 4
    assert "Department for Science, Innovation and Technology" in html
    assert 'id="fn:1"' in html
    assert "SGH24-P1-IB2" in html


def test_draft_consultations_are_hidden_from_the_public(client, db):
    draft = make_consultation(status=Status.DRAFT, title="Secret plans")
    briefing = make_briefing(part=make_part(draft))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(briefing.get_absolute_url()).status_code == 404
    assert "Secret plans" not in client.get(reverse("insights:consultations")).content.decode()


def test_unknown_slugs_give_a_404(client, db):
    assert client.get("/consultations/no-such-thing/").status_code == 404
    assert client.get("/partners/nobody/").status_code == 404
    assert client.get("/themes/nothing/").status_code == 404
