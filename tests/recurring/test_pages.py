import pytest
from django.urls import reverse

from insights.models import Status
from recurring.models import RecurringFinding
from tests.factories import make_consultation, make_group, make_part
from tests.recurring.conftest import make_finding

SAIHUB = "an-online-wiki-or-database-of-ai-regulation"

# The recurring pages, the queries each runs whatever the data, and what they are.
PAGES = {
    # the content version, the findings, their public actions, their public groups
    "list": (lambda slug: reverse("recurring:list"), 4),
    # the same for one finding
    "detail": (lambda slug: reverse("recurring:detail", args=[slug]), 4),
}


def text_of(response):
    return response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_a_fixed_number_of_queries(page, client, paper, django_assert_num_queries):
    url, queries = PAGES[page]
    with django_assert_num_queries(queries):
        response = client.get(url(SAIHUB))
    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_many_members(page, client, paper, django_assert_num_queries):
    part = make_part(make_consultation())
    groups = [make_group(part) for _ in range(8)]
    from tests.factories import make_output

    make_finding([make_output(group) for group in groups for _ in range(3)], slug="crowded")
    url, queries = PAGES[page]
    with django_assert_num_queries(queries):
        response = client.get(url("crowded"))
    assert response.status_code == 200


def test_the_list_puts_the_findings_raised_by_most_groups_first(client, paper):
    html = text_of(client.get(reverse("recurring:list")))
    upskilling = html.index("Upskilling and reskilling")  # four groups
    silos = html.index("Working beyond silos")  # two groups
    assert upskilling < silos
    assert "Raised by 4 working groups" in html


def test_the_detail_page_is_a_timeline_first_raised_in_2023(client, paper):
    html = text_of(client.get(reverse("recurring:detail", args=[SAIHUB])))
    first = html.index("First raised")
    assert first < html.index("Law making and regulatory functions", first)
    assert html.index("Law making and regulatory functions", first) < html.index("Raised again")
    assert html.index("Raised again") < html.index("SGH24-P2-WG2-CO-06")
    assert "October 2023" in html
    assert "The threats and opportunities of AI" in html


def test_an_unknown_slug_is_a_404(client, paper):
    assert client.get(reverse("recurring:detail", args=["no-such-finding"])).status_code == 404


def test_a_draft_finding_is_hidden_from_the_public(client, two_groups):
    make_finding(two_groups, slug="draft-one", title="A draft finding", status=Status.DRAFT)
    assert client.get(reverse("recurring:detail", args=["draft-one"])).status_code == 404
    assert "A draft finding" not in text_of(client.get(reverse("recurring:list")))


def test_staff_preview_a_draft_finding_privately(editor_client, two_groups):
    make_finding(two_groups, slug="draft-one", title="A draft finding", status=Status.DRAFT)
    response = editor_client.get(reverse("recurring:detail", args=["draft-one"]))
    assert response.status_code == 200
    assert "not public" in text_of(response)
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_only_public_members_are_shown(client, two_groups):
    hidden = make_consultation(status=Status.DRAFT)
    from tests.factories import make_output

    secret = make_output(make_group(make_part(hidden)), text="A secret draft action.")
    make_finding([*two_groups, secret], slug="mixed")
    html = text_of(client.get(reverse("recurring:detail", args=["mixed"])))
    assert two_groups[0].reference in html
    assert secret.reference not in html
    assert "raised by 2 working groups" in html


def test_the_action_page_says_also_raised_by_and_links_the_finding(client, paper):
    html = text_of(client.get("/actions/SGH24-P2-WG2-CO-06/"))
    assert "Also raised by" in html
    assert reverse("recurring:detail", args=[SAIHUB]) in html
    assert "Law making and regulatory functions" in html


def test_the_action_page_shows_computed_similar_actions_from_other_groups(client, paper):
    html = text_of(client.get("/actions/SGH24-P1-WG3-WW-03/"))
    section = html[html.index("Similar actions elsewhere") :]
    assert "Computed, not checked by an editor" in section
    assert "SGH24-P2-WG3-WW-02" in section
    assert "SGH24-P1-WG3-PS-01" not in section  # its own group


def test_the_consultation_page_lists_its_groups_findings(client, paper):
    html = text_of(client.get("/consultations/threats-and-opportunities-of-ai-2023/"))
    assert "Recurring findings" in html
    assert "An online wiki or database of AI regulation" in html
    assert "Data standards" not in html  # a 2024-only finding


def test_the_home_page_features_the_findings_raised_by_most_groups(client, paper):
    html = text_of(client.get(reverse("browse:home")))
    section = html[html.index("Raised again and again") :]
    assert "Upskilling and reskilling" in section
    assert "Working beyond silos" not in section


def test_publishing_a_finding_shows_it_at_once(client, two_groups):
    finding = make_finding(two_groups, slug="soon", title="Soon public", status=Status.DRAFT)
    assert "Soon public" not in text_of(client.get(reverse("recurring:list")))
    finding.status = Status.PUBLISHED
    finding.save()
    assert "Soon public" in text_of(client.get(reverse("recurring:list")))


def test_the_finder_filters_by_a_finding_and_shows_it_as_a_removable_filter(client, paper):
    html = text_of(client.get("/actions/?recurring=guidance-on-the-new-procurement-act"))
    assert "Guidance on the new Procurement Act" in html
    for reference in ["SGH24-P2-WG1-PS-01", "SGH24-P2-WG1-CO-05", "SGH24-P2-WG2-CO-02"]:
        assert reference in html
    assert "SGH24-P1-WG1-WW-01" not in html


def test_the_finder_ignores_an_unknown_finding_with_a_notice(client, paper):
    response = client.get("/actions/?recurring=no-such-finding")
    assert response.status_code == 200
    assert "no-such-finding" in text_of(response)


def test_sort_by_recurrence_puts_actions_of_the_widest_findings_first(client, paper):
    html = text_of(client.get("/actions/?sort=recurrence"))
    # Knowledge and skills for leaders: four groups, before the quality of data:
    # three; the paper's first action, in no finding, is not on the first page.
    assert html.index("SGH24-P1-WG1-CO-03") < html.index("SGH24-P1-WG1-CN-02")
    assert "SGH24-P1-WG1-WW-01" not in html
    paper_order = text_of(client.get("/actions/"))
    assert paper_order.index("SGH24-P1-WG1-CN-02") < paper_order.index("SGH24-P1-WG1-CO-03")


def test_a_finding_is_still_published_after_its_members_are_removed(paper):
    # Members can be edited; the page then shows what is left.
    finding = RecurringFinding.objects.get(slug=SAIHUB)
    finding.actions.clear()
    assert RecurringFinding.objects.filter(slug=SAIHUB).with_members()[0].group_count == 1
