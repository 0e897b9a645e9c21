from django.urls import reverse

from tests.factories import make_group, make_output
from workinggroups.models import Output, Stage


def test_working_group_page_shows_the_question_and_four_stages_in_order(
    client, paper, django_assert_num_queries
):
    slug = "2024-p1-wg1-place-based-devolution"
    # group with part and consultation, its themes, its tags, its outputs,
    # their themes, tags and partners
    with django_assert_num_queries(7):
        response = client.get(reverse("workinggroups:detail", args=[slug]))
    html = response.content.decode()
    assert "How does devolution provide us with an opportunity" in html
    positions = [html.index(str(stage.label)) for stage in Stage]
    assert positions == sorted(positions)
    assert "SGH24-P1-WG1-CO-01" in html
    assert 'href="/partners/' in html


def test_working_group_query_count_does_not_grow_with_outputs(
    db, client, django_assert_num_queries
):
    group = make_group()
    for _ in range(30):
        make_output(group, tags=["one", "two"])
    with django_assert_num_queries(7):
        client.get(group.get_absolute_url())


def test_an_output_has_its_own_citable_page(client, paper):
    output = Output.objects.get(reference="SGH24-P2-WG3-CO-01")
    response = client.get(output.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Apply the Gemini Principles" in html
    assert "Cite this" in html
    assert "SGH24-P2-WG3-CO-01" in html
