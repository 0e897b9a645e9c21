import re

import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

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
from workinggroups.models import Output, Stage

WG1 = "2024-p1-wg1-place-based-devolution"


def text_of(response):
    return response.content.decode()


# Every public list and detail page, the queries it runs whatever the data size,
# and what those queries are.
PAGES = {
    # Each first reads the content version (web.caching), then:
    # the kept counts (web.kept: none after an edit), the newest consultations with
    # briefing/group/output counts (subqueries), their organisers, the featured
    # consultation's grid (one aggregate), theme counts (kept: counted and stored),
    # themes, partner counts (kept), the busiest partners, four totals (kept),
    # commitments per status (kept) and the latest updates (and their evidence, when
    # there are any), and the recurring findings raised most (findings, their
    # actions, their groups). In a test's transaction each of the four upserts of
    # kept counts is inside a savepoint: three queries each.
    "home": (lambda: reverse("browse:home"), 30),
    # the count, a page of consultations with counts, their organisers
    "consultations": (lambda: reverse("insights:consultations"), 4),
    # consultation, organisers, themes, key themes, four related-consultation links,
    # parts, briefings, their presenters, working groups with output counts, and the
    # progress roll-up: its actions, commitments per status, actions with one, and
    # its groups' recurring findings (findings, their actions, their groups)
    "consultation": (lambda: "/consultations/{consultation}/", 19),
    # briefing with part and consultation, presenters, themes, tags, partners, the
    # consultation's organisers (the citation's publisher)
    "briefing": (lambda: "/insights/{briefing}/", 7),
    # themes with output counts
    "themes": (lambda: reverse("browse:themes"), 2),
    # theme, its briefings, its working groups, the outputs count, a page of outputs,
    # their themes, tags and partners, and the progress roll-up (three)
    "theme": (lambda: "/themes/{theme}/", 12),
    # tag, then as for a theme
    "tag": (lambda: "/tags/{tag}/", 9),
    # published outputs per organisation (kept: after an edit read, counted and
    # stored, the upsert inside a savepoint), briefings presented, briefings naming
    # (each briefing counted once, as the partner's page lists them), organisations
    "partners": (lambda: reverse("browse:partners"), 9),
    "partners by actions": (lambda: reverse("browse:partners") + "?sort=actions", 9),
    # content version, organisation; after an edit, the facet index (seven: the
    # published outputs, their themes, tags and partners, the organisations, themes
    # and tags), which gives the outputs naming it, in order and counted; a page of
    # them with their themes, tags and partners; the first consultations it
    # organised, briefings it presented and briefings naming it, each with their
    # count; its commitments as plain values (counted and ordered against the
    # index), the first of them in full when it has any, and its latest updates
    # (their evidence, when any)
    "partner": (lambda: "/partners/{partner}/", 18),
    # group with part and consultation, its themes, its tags, its outputs,
    # their themes, tags and partners, and the progress roll-up (three)
    "working group": (lambda: "/working-groups/{group}/", 11),
    # output with group, part and consultation, its themes, tags and partners, its
    # commitments (their updates and evidence, when there are any), its recurring
    # findings (findings, their actions, their groups), its similar actions, and the
    # consultation's organisers (the citation's publisher)
    "output": (lambda: "/actions/{output}/", 11),
    # tags on published actions, briefings and groups, with counts (one aggregate)
    "tags": (lambda: reverse("browse:tags"), 2),
    # the count, a page of briefings with part and consultation, their presenters
    "briefings": (lambda: reverse("insights:briefings"), 4),
    # the count, a page of groups with part, consultation and output counts
    "working groups": (lambda: reverse("workinggroups:groups"), 3),
    # static pages
    "accessibility": (lambda: reverse("browse:accessibility"), 0),
    "contact": (lambda: reverse("browse:contact"), 0),
    "privacy": (lambda: reverse("browse:privacy"), 0),
    "cookies": (lambda: reverse("browse:cookies"), 0),
}

IN_THE_PAPER = {
    "consultation": "towards-connected-places-2024",
    "briefing": "secure-connected-places",
    "theme": "data-sharing-and-standards",
    "tag": "responsible-ai",
    "partner": "socitm",
    "group": WG1,
    "output": "SGH24-P1-WG1-CO-03",
}


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_a_fixed_number_of_queries(page, client, paper, django_assert_num_queries):
    url, queries = PAGES[page]
    with django_assert_num_queries(queries):
        response = client.get(url().format(**IN_THE_PAPER))
    assert response.status_code == 200


@pytest.fixture
def crowd(db):
    """Many of everything around one theme, tag and partner: three parts of three
    groups with 8 outputs each and three briefings each, all of them tagged, themed
    and naming several organisations."""
    theme, other_theme = make_theme(slug="crowded"), make_theme()
    partner, other_partner = make_organisation(slug="busy"), make_organisation()
    consultation = make_consultation(slug="crowded-consultation")
    consultation.organisers.add(partner, other_partner)
    consultation.themes.add(theme, other_theme)
    for _ in range(3):
        part = make_part(consultation)
        for _ in range(3):
            briefing = make_briefing(part, presenters=[partner, other_partner], themes=[theme])
            briefing.partners.add(partner, other_partner)
            briefing.tags.add("crowded", "another")
            group = make_group(part, themes=[theme, other_theme])
            group.tags.add("crowded", "another")
            for stage in Stage:
                for _ in range(2):
                    make_output(
                        group,
                        stage,
                        themes=[theme, other_theme],
                        partners=[partner, other_partner],
                        tags=["crowded", "another"],
                    )
    return {
        "consultation": consultation.slug,
        "briefing": briefing.slug,
        "theme": theme.slug,
        "tag": "crowded",
        "partner": partner.slug,
        "group": group.slug,
        "output": group.outputs.last().reference,
    }


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_many_objects(
    page, client, paper, crowd, django_assert_num_queries
):
    url, queries = PAGES[page]
    with django_assert_num_queries(queries):
        response = client.get(url().format(**crowd))
    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_its_own_title_and_a_description(page, client, paper):
    url, _ = PAGES[page]
    html = text_of(client.get(url().format(**IN_THE_PAPER)))
    title = re.search(r"<title>(.+?) \u2013 Connected Places Portal</title>", html, re.S)
    description = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert title
    assert title.group(1).strip()
    assert description
    assert len(description.group(1).split()) >= 5
    assert 'class="skip-link" href="#main"' in html
    assert 'action="/search/"' in html


def test_consultation_page_shows_parts_briefings_groups_and_related(client, paper):
    html = text_of(client.get(paper.get_absolute_url()))
    assert "Connected Places: Devolution, Digital, Data, and Sustainability" in html
    assert "Measuring social progress" in html
    assert "16 actions" in html
    assert "Builds on" in html
    assert "Resilient people, communities and places" in html
    assert "Summarises" in html
    assert "The threats and opportunities of AI" in html


def test_a_summarised_consultation_shows_its_key_themes_and_discussion(client, paper):
    html = text_of(client.get("/consultations/threats-and-opportunities-of-ai-2023/"))
    assert "Key themes" in html
    assert "Discussion" in html
    assert "Summarised in" in html
    assert "Towards Connected Places: Insights into Actions" in html


def test_briefing_page_keeps_paragraphs_lists_the_footnote_and_cite_text(client, paper):
    html = text_of(client.get(reverse("insights:briefing", args=["secure-connected-places"])))
    assert html.count("<li>") >= 4
    assert "Department for Science, Innovation and Technology" in html
    assert re.search(r'id="fn-[0-9a-f]{8}:1"', html)
    assert "Cite this" in html
    assert "<code>SGH24-P1-IB2</code>" in html
    assert "http://testserver/insights/secure-connected-places/" in html


def test_drafts_are_hidden_from_every_public_page(client, paper):
    theme, partner = make_theme(slug="secret-theme"), make_organisation(slug="secret-partner")
    draft = make_consultation(status=Status.DRAFT, title="Secret plans")
    part = make_part(draft)
    briefing = make_briefing(part, presenters=[partner], themes=[theme], title="Secret briefing")
    group = make_group(part, themes=[theme], title="Secret group")
    output = make_output(group, themes=[theme], partners=[partner], text="Secret action.")
    make_output(make_group(), text="A public action.", themes=[theme])
    for url in (draft, briefing, group, output):
        assert client.get(url.get_absolute_url()).status_code == 404
    pages = [
        reverse("browse:home"),
        reverse("insights:consultations"),
        theme.get_absolute_url(),
        partner.get_absolute_url(),
        reverse("sitemap"),
    ]
    for url in pages:
        html = text_of(client.get(url))
        for secret in ("Secret plans", "Secret briefing", "Secret group", "Secret action."):
            assert secret not in html, (url, secret)
        assert output.reference not in html


def test_archived_content_is_shown_with_a_notice(client, db):
    archived = make_consultation(status=Status.ARCHIVED, title="Old talks")
    output = make_output(make_group(make_part(archived)))
    for url in (archived.get_absolute_url(), output.get_absolute_url()):
        html = text_of(client.get(url))
        assert "This consultation is kept for reference and is no longer updated." in html
    assert "Archived" in text_of(client.get(reverse("insights:consultations")))


def test_the_sitemap_lists_published_pages_only(client, paper, django_assert_num_queries):
    # for each of seven sections (consultations, briefings, working groups, actions,
    # themes, partners, tags) a count and a page of items; tags first collect the ids
    # tagged on published briefings, working groups and actions
    with django_assert_num_queries(17):
        response = client.get(reverse("sitemap"))
    xml = text_of(response)
    assert response["Content-Type"].startswith("application/xml")
    for path in (
        "/consultations/towards-connected-places-2024/",
        "/insights/secure-connected-places/",
        f"/working-groups/{WG1}/",
        "/actions/SGH24-P1-WG1-CO-03/",
        "/themes/data-sharing-and-standards/",
        "/partners/socitm/",
        "/tags/responsible-ai/",
        "/accessibility/",
    ):
        assert f"<loc>http://testserver{path}</loc>" in xml
    assert xml.count("/actions/SGH24-") == Output.objects.published().count()


def test_unknown_addresses_get_a_helpful_404(client, db):
    for url in ("/consultations/no-such-thing/", "/partners/nobody/", "/themes/nothing/"):
        response = client.get(url)
        assert response.status_code == 404
        html = text_of(response)
        assert "Page not found" in html
        assert 'id="not-found-q"' in html
        assert 'href="/actions/">the action finder' in html


def test_the_500_page_renders_without_a_request_or_the_database():
    # No `db` fixture: any query here would fail the test.
    html = loader.get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Try again later." in response.content
