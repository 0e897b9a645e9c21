import re

from django.urls import reverse

from insights.models import Status
from tests.factories import (
    make_consultation,
    make_group,
    make_organisation,
    make_output,
    make_part,
    make_theme,
)
from workinggroups.models import Stage

WG1 = "2024-p1-wg1-place-based-devolution"


def text_of(response):
    return response.content.decode()


def test_home_shows_what_the_portal_holds_and_the_2024_grid(client, paper):
    response = client.get(reverse("browse:home"))
    html = text_of(response)
    assert "Towards Connected Places: Insights into Actions" in html
    assert '<span class="stats__number">202</span> actions' in html
    grid = {group.slug: group.stage_counts() for group in response.context["grid"]}
    assert [n for _, n in grid[WG1]] == [3, 5, 5, 3]
    assert f'href="/actions/?working_group={WG1}&amp;stage=worked_well">3' in html
    assert "Partners most often named" in html
    assert re.search(r'href="/partners/socitm/">[^<]+</a> <span class="count">9 actions', html)


def test_partner_page_groups_its_actions_by_consultation_then_stage(client, db):
    partner = make_organisation(name="Busy Council")
    older, newer = (
        make_consultation(title="Older talks", start_date="2023-01-01"),
        make_consultation(title="Newer talks", start_date="2025-01-01"),
    )
    older_group, newer_group = make_group(make_part(older)), make_group(make_part(newer))
    make_output(newer_group, Stage.COLLABORATION, partners=[partner], text="Newer, collaborate.")
    make_output(newer_group, Stage.WORKED_WELL, partners=[partner], text="Newer, worked.")
    make_output(older_group, Stage.PRACTICAL_STEPS, partners=[partner], text="Older, steps.")
    make_output(older_group, Stage.WORKED_WELL, text="Not naming the partner.")
    html = text_of(client.get(partner.get_absolute_url()))
    order = [
        "Older talks",
        '<h4 class="stage-heading"><span class="stage-tag stage-tag--practical_steps">',
        "Older, steps.",
        "Newer talks",
        '<h4 class="stage-heading"><span class="stage-tag stage-tag--worked_well">',
        "Newer, worked.",
        '<h4 class="stage-heading"><span class="stage-tag stage-tag--collaboration">',
        "Newer, collaborate.",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Not naming the partner." not in html
    assert 'Actions that name it <span class="count">(3)</span>' in html


def test_partners_index_groups_organisations_by_sector_with_counts(client, paper):
    html = text_of(client.get(reverse("browse:partners")))
    assert '<h2 id="public">Public sector' in html
    assert '<h2 id="private">Private sector' in html
    socitm = r'href="/partners/socitm/">[^<]+</a> \(Socitm\)</span> <span class="count">9 actions'
    assert re.search(socitm, html)


def test_theme_page_lists_briefings_groups_and_paginates_actions(client, db):
    theme = make_theme(name="Busy theme")
    group = make_group(themes=[theme], title="A group on the theme")
    for n in range(60):
        make_output(group, themes=[theme], text=f"Action number {n}.")
    first = text_of(client.get(theme.get_absolute_url()))
    assert "A group on the theme" in first
    assert "Showing 1 to 50 of 60" in first
    assert "Action number 49." in first
    assert "Action number 50." not in first
    assert 'href="?page=2" rel="next"' in first
    second = text_of(client.get(theme.get_absolute_url() + "?page=2"))
    assert "Action number 50." in second
    assert "Showing 51 to 60 of 60" in second
    # A page number out of range or not a number shows a page rather than an error.
    assert "Showing 51 to 60" in text_of(client.get(theme.get_absolute_url() + "?page=999"))
    assert "Showing 1 to 50" in text_of(client.get(theme.get_absolute_url() + "?page=x"))


def test_tag_page_lists_what_carries_the_tag(client, paper):
    html = text_of(client.get(reverse("browse:tag", args=["devolution"])))
    assert "Place-based Devolution \u2013 Big and Small" in html
    assert "SGH24-P1-WG1-WW-01" in html
    assert 'href="/actions/?tag=devolution"' in html


def test_a_tag_used_only_in_drafts_does_not_reveal_itself(client, db):
    draft = make_consultation(status=Status.DRAFT)
    make_output(make_group(make_part(draft)), tags=["hush-hush"])
    assert client.get(reverse("browse:tag", args=["hush-hush"])).status_code == 404


def test_accessibility_statement_says_the_standard_and_how_to_report(client, db):
    html = text_of(client.get(reverse("browse:accessibility")))
    assert "Web Content Accessibility Guidelines version 2.2" in html
    assert "AA standard" in html
    assert "Reporting accessibility problems" in html
    assert 'href="/accessibility/">Accessibility statement' in html


def test_home_lists_the_newest_consultations_and_links_to_all(client, paper):
    import datetime

    for year in range(2010, 2018):
        make_consultation(slug=f"old-{year}", start_date=datetime.date(year, 5, 1))
    response = client.get(reverse("browse:home"))
    listed = [c.slug for c in response.context["consultations"]]
    assert len(listed) == 6
    assert listed[0] == "towards-connected-places-2024"
    assert "old-2010" not in listed
    total = response.context["totals"]["consultations"]
    assert total > 6
    assert f'href="/consultations/">All {total} consultations</a>' in response.content.decode()
    # The newest consultation with actions is the one shown as a grid.
    assert response.context["featured"] == paper
