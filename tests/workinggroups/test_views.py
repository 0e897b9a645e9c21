import re

from django.urls import reverse
from django.utils.html import escape

from insights.models import Status
from tests.factories import make_consultation, make_group, make_organisation, make_output, make_part
from web.templatetags.portal import summary
from workinggroups.models import Output, Stage

WG1 = "2024-p1-wg1-place-based-devolution"


def test_working_group_page_shows_the_question_and_four_stages_in_order(
    client, paper, django_assert_num_queries
):
    # content version, group with part and consultation, its themes, its tags,
    # its outputs, their themes, tags and partners, the progress roll-up (its
    # actions, commitments per status, actions with a commitment)
    with django_assert_num_queries(11):
        response = client.get(reverse("workinggroups:detail", args=[WG1]))
    html = response.content.decode()
    assert "How does devolution provide us with an opportunity" in html
    headings = re.findall(r'<h2 id="(\w+)">', html)
    assert headings == [stage.value for stage in Stage]
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    # Each stage under its short label and mark, with the paper's words beneath.
    assert (
        "WW Worked well (3) In the paper\u2019s words: Initial steps that have worked well" in text
    )
    assert "SGH24-P1-WG1-CO-01" in html


def test_each_output_on_a_group_page_links_its_text_and_names_the_rest_quietly(client, paper):
    html = client.get(reverse("workinggroups:detail", args=[WG1])).content.decode()
    start = html.index('id="SGH24-P1-WG1-CO-01"')
    item = html[start : html.index('id="SGH24-P1-WG1-CO-02"')]
    output = Output.objects.get(reference="SGH24-P1-WG1-CO-01")
    assert re.findall(r'href="([^"]+)"', item) == ["/actions/SGH24-P1-WG1-CO-01/"]
    assert f'href="/actions/SGH24-P1-WG1-CO-01/">{escape(summary(output.text, 80))}</a>' in item
    for name in ["SGH24-P1-WG1-CO-01", "Data sharing and standards", "regional bodies"]:
        assert name in item
    assert "London Office of Technology and Innovation" in item


def test_working_group_query_count_does_not_grow_with_outputs(
    db, client, django_assert_num_queries
):
    group = make_group()
    partners = [make_organisation(), make_organisation()]
    for stage in Stage:
        for _ in range(10):
            make_output(group, stage, tags=["one", "two"], partners=partners)
    # as above: version, group, themes, tags, outputs, their themes, tags and
    # partners, and the three of the roll-up
    with django_assert_num_queries(11):
        response = client.get(group.get_absolute_url())
    assert response.content.decode().count('class="output"') == 40


def test_an_output_has_its_own_citable_page(client, paper, django_assert_num_queries):
    output = Output.objects.get(reference="SGH24-P2-WG3-CO-01")
    # content version, output with group, part and consultation, its themes, tags
    # and partners, its commitments (none here, so no updates to fetch), its
    # recurring findings (findings, their actions, their groups), its similar
    # actions, the consultation's organisers (the citation's publisher)
    with django_assert_num_queries(11):
        response = client.get(output.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    # The heading is the action's text; the reference is a caption outside it.
    heading = re.search(r'<h1 class="action-heading">(.*?)</h1>', html, re.S).group(1)
    assert heading == escape(summary(output.text, 200))
    assert heading.startswith("Apply the Gemini Principles")
    caption = re.search(r'<p class="caption caption--action">(.*?)</p>\s*<h1', html, re.S)
    assert "Action SGH24-P2-WG3-CO-01" in " ".join(
        re.sub(r"<[^>]+>", " ", caption.group(1)).split()
    )
    assert "Cite this" in html
    # The citation names the publisher (the consultation's organisers) and the year.
    cite = re.search(r'<p class="cite__text">(.*?)</p>', html, re.S).group(1)
    organisers = output.working_group.part.consultation.organisers.all()
    year = output.working_group.part.consultation.start_date.year
    assert cite.startswith(f"{escape(' and '.join(o.name for o in organisers))} ({year}).")
    assert "<code>SGH24-P2-WG3-CO-01</code>" in html
    assert "<em>Towards Connected Places: Insights into Actions</em>" in html
    assert "http://testserver/actions/SGH24-P2-WG3-CO-01/" in html
    assert "/actions/?working_group=2024-p2-wg3" in html


def test_draft_groups_and_outputs_are_hidden_and_archived_ones_marked(client, db):
    draft_group = make_group(make_part(make_consultation(status=Status.DRAFT)))
    draft_output = make_output(draft_group)
    assert client.get(draft_group.get_absolute_url()).status_code == 404
    assert client.get(draft_output.get_absolute_url()).status_code == 404
    archived_group = make_group(make_part(make_consultation(status=Status.ARCHIVED)))
    html = client.get(archived_group.get_absolute_url()).content.decode()
    assert "no longer updated" in html


def test_an_unknown_reference_gives_a_404(client, db):
    assert client.get("/actions/SGH99-P9-WG9-CO-99/").status_code == 404
