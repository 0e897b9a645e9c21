import re

from django.urls import reverse

from insights.models import Status
from tests.factories import (
    make_briefing,
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


def test_partner_page_lists_its_actions_twenty_five_to_a_page(client, db):
    partner = make_organisation(name="Busy Council")
    group = make_group()
    theme = make_theme()
    for n in range(1, 27):
        make_output(group, partners=[partner], themes=[theme], text=f"Action number {n}.")
    first = text_of(client.get(partner.get_absolute_url()))
    assert 'Actions that name it <span class="count">(26)</span>' in first
    assert "Action number 25." in first
    assert "Action number 26." not in first
    assert 'rel="next"' in first
    second = text_of(client.get(partner.get_absolute_url(), {"page": 2}))
    assert "Action number 26." in second
    assert "Action number 25." not in second
    assert 'Actions that name it <span class="count">(26)</span>' in second


def test_partners_index_groups_organisations_by_sector_with_counts(client, paper):
    html = text_of(client.get(reverse("browse:partners")))
    assert '<h2 id="public">Public sector' in html
    assert '<h2 id="private">Private sector' in html
    socitm = r'href="/partners/socitm/">[^<]+</a> \(Socitm\)</span> <span class="count">9 actions'
    assert re.search(socitm, html)


def names_listed(html):
    return re.findall(r'<li><span><a href="/partners/[^/]+/">([^<]+)</a>', html)


def test_partners_index_orders_by_the_name_shown(client, db):
    for slug, name in [("barking", "London Borough of Barking"), ("zed", "Aardvark Trust")]:
        make_organisation(slug=slug, name=name)
    make_organisation(slug="a-first-slug", name="Merton Council")
    names = names_listed(text_of(client.get(reverse("browse:partners"))))
    ours = [
        n for n in names if n in {"London Borough of Barking", "Aardvark Trust", "Merton Council"}
    ]
    assert ours == ["Aardvark Trust", "London Borough of Barking", "Merton Council"]


def test_partners_index_counts_what_the_partner_page_lists(client, db):
    partner = make_organisation(slug="rivertown", name="Rivertown Council (fictitious)")
    briefing = make_briefing(presenters=[make_organisation()])
    briefing.partners.add(partner)
    make_briefing(presenters=[partner], part=briefing.part).partners.add(partner)
    row = re.search(
        r'Rivertown Council \(fictitious\)</a></span> <span class="count">([^<]+)</span>',
        text_of(client.get(reverse("browse:partners"))),
    )
    assert row.group(1) == "0 actions, 2 briefings"
    page = text_of(client.get(partner.get_absolute_url()))
    assert page.count('href="/insights/') >= 2


def test_partners_index_does_not_repeat_a_short_name_that_is_the_name(client, db):
    make_organisation(slug="acme", name="ACME", short_name="Acme")
    html = text_of(client.get(reverse("browse:partners")))
    assert ">ACME</a></span>" in html
    assert "(Acme)" not in html


def test_partners_index_sorts_by_number_of_actions(client, db):
    busy, quiet = make_organisation(name="Zeta Council"), make_organisation(name="Alpha Council")
    make_output(partners=[busy], text="One.")
    make_output(partners=[busy, quiet], text="Two.")
    by_name = names_listed(text_of(client.get(reverse("browse:partners"))))
    assert by_name.index("Alpha Council") < by_name.index("Zeta Council")
    html = text_of(client.get(reverse("browse:partners") + "?sort=actions"))
    by_actions = names_listed(html)
    assert by_actions.index("Zeta Council") < by_actions.index("Alpha Council")
    counts = re.findall(r'<span class="count">(\d+) actions?,', html)
    assert [int(n) for n in counts] == sorted((int(n) for n in counts), reverse=True)
    assert '<a href="/partners/?sort=actions" aria-current="page">Most actions first</a>' in html


def test_partners_index_ignores_an_unknown_sort_with_a_notice(client, db):
    make_organisation(name="Alpha Council")
    response = client.get(reverse("browse:partners") + "?sort=loudest")
    assert response.status_code == 200
    assert "We don&#x27;t know the sort order &#x27;loudest&#x27;; it was ignored." in text_of(
        response
    )


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
    html = text_of(client.get(reverse("browse:tag", args=["responsible-ai"])))
    assert "Responsible and Secure AI / Emerging Technologies" in html
    assert "Socitm look to partner with RAIUK" in html
    assert 'href="/actions/?tag=responsible-ai"' in html


def test_a_tag_used_only_in_drafts_does_not_reveal_itself(client, db):
    draft = make_consultation(status=Status.DRAFT)
    make_output(make_group(make_part(draft)), tags=["hush-hush"])
    assert client.get(reverse("browse:tag", args=["hush-hush"])).status_code == 404


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


def test_tags_index_lists_published_tags_a_to_z_with_counts(client, db):
    make_output(tags=["zebra crossings", "Apps"], text="One.")
    make_output(tags=["zebra crossings"], text="Two.")
    draft = make_group(make_part(make_consultation(status=Status.DRAFT)))
    make_output(draft, tags=["hush-hush"], text="Secret.")
    html = text_of(client.get(reverse("browse:tags")))
    assert html.index(">Apps</a>") < html.index(">zebra crossings</a>")
    assert re.search(
        r'href="/tags/zebra-crossings/">zebra crossings</a> <span class="count">2 actions', html
    )
    assert "hush-hush" not in html


def test_tag_page_breadcrumb_leads_to_the_tags_index(client, db):
    make_output(tags=["bridges"])
    html = text_of(client.get(reverse("browse:tag", args=["bridges"])))
    breadcrumbs = html[
        html.index('class="breadcrumbs"') : html.index("</nav>", html.index('class="breadcrumbs"'))
    ]
    assert 'href="/tags/">Tags</a>' in breadcrumbs
    assert "Themes" not in breadcrumbs


def test_briefings_index_lists_published_briefings_by_consultation(client, paper):
    html = text_of(client.get(reverse("insights:briefings")))
    assert "<h1>Insight briefings</h1>" in html
    assert 'href="/insights/secure-connected-places/"' in html
    assert f'href="{paper.get_absolute_url()}">{paper.title}</a></h2>' in html


def test_working_groups_index_lists_groups_with_their_action_counts(client, paper):
    draft_group = make_group(
        make_part(make_consultation(status=Status.DRAFT)), title="Secret group"
    )
    html = text_of(client.get(reverse("workinggroups:groups")))
    assert f'href="/working-groups/{WG1}/">Place-based Devolution' in html
    assert "SGH24-P1-WG1 · 16 actions" in html
    assert draft_group.title not in html


def test_the_index_pages_are_in_the_sitemap(client, db):
    xml = text_of(client.get(reverse("sitemap")))
    for path in ("/tags/", "/insights/", "/working-groups/"):
        assert f"<loc>http://testserver{path}</loc>" in xml
