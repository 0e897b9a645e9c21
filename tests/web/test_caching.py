"""Cached pages and counts: served again until the content changes, never after."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.models import Status, Theme
from tests.factories import make_group, make_output, make_theme
from web import caching
from workinggroups.models import Output

FINDER = reverse("workinggroups:finder")
WG3_PS_02 = "SGH24-P1-WG3-PS-02"


def fetch(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        FINDER,
        f"{FINDER}?theme=skills-and-workforce&q=data",
        "/search/?q=procurement",
        "/working-groups/2024-p1-wg1-place-based-devolution/",
        "/themes/skills-and-workforce/",
        "/api/actions/?stage=practical_steps",
    ],
)
def test_a_public_page_is_built_once_then_served_whole_with_one_query(client, paper, url):
    first, built = fetch(client, url)
    again, served = fetch(client, url)
    assert first.status_code == again.status_code == 200
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert "Cookie" in again["Vary"]
    assert built > 1
    assert served == 1  # the content version


def longest_word(text):
    return max(re.findall(r"[a-z]+", text.lower()), key=len)


def test_an_edited_output_shows_at_once_everywhere_it_was_cached(client, paper):
    output = Output.objects.get(reference=WG3_PS_02)
    # A word of the text alone: an action's words also include its themes' and
    # tags' names, which the edit leaves as they are.
    names = " ".join([*output.themes.values_list("name", flat=True), *output.tags.names()])
    names_words = set(re.findall(r"[a-z]+", names.lower()))
    text_only = " ".join(
        w for w in re.findall(r"[a-z]+", output.text.lower()) if w not in names_words
    )
    words = f"{FINDER}?q={longest_word(text_only)}"
    pages = [output.get_absolute_url(), f"/api/actions/{WG3_PS_02}/"]
    pages.append(output.working_group.get_absolute_url())
    for url in [words, *pages]:
        assert client.get(url).status_code == 200
    assert WG3_PS_02 in client.get(words).content.decode()
    output.text = "Zebra crossings for every council: a brand-new finding."
    output.save()
    for url in pages:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "Zebra crossings for every council" in response.content.decode(), url
    # The finder's words match the new text, and no longer the old one.
    assert WG3_PS_02 not in client.get(words).content.decode()
    assert WG3_PS_02 in client.get(FINDER + "?q=zebra").content.decode()


def test_facet_counts_follow_a_change_of_themes(client, paper):
    def theme_count(slug):
        response = client.get(FINDER)
        (facet,) = [f for f in response.context["facets"] if f.name == "theme"]
        return {o.value: o.count for o in facet.options}.get(slug, 0)

    theme = make_theme(slug="freshly-made")
    before = theme_count("freshly-made")
    assert before == 0
    Output.objects.get(reference=WG3_PS_02).themes.add(theme)
    assert theme_count("freshly-made") == 1
    theme.outputs.clear()
    assert theme_count("freshly-made") == 0


def test_unpublishing_hides_a_consultation_from_cached_pages(client, paper):
    words = f"{FINDER}?q={longest_word(Output.objects.get(reference=WG3_PS_02).text)}"
    assert WG3_PS_02 in client.get(words).content.decode()
    total = client.get("/api/actions/").json()["count"]
    paper.status = Status.DRAFT
    paper.save()
    assert WG3_PS_02 not in client.get(words).content.decode()
    assert client.get("/api/actions/").json()["count"] < total
    assert client.get("/working-groups/2024-p1-wg1-place-based-devolution/").status_code == 404


def test_editors_always_get_a_fresh_page(editor_client, paper):
    # The same page is cached for a reader without a session...
    Client().get(FINDER)
    assert Client().get(FINDER)["X-Page-Cache"] == "hit"
    # ...but an editor's request is built afresh, every time.
    editor_client.get(FINDER)
    response, queries = fetch(editor_client, FINDER)
    assert "X-Page-Cache" not in response
    assert response.status_code == 200
    assert queries > 5


def test_a_visitor_with_a_session_gets_a_fresh_page(client, paper):
    Client().get("/")
    assert Client().get("/")["X-Page-Cache"] == "hit"
    client.cookies["sessionid"] = "not-a-session"
    response, queries = fetch(client, "/")
    assert "X-Page-Cache" not in response
    assert queries > 1


def test_a_draft_preview_is_never_cached_for_anyone(editor_client, paper):
    paper.status = Status.DRAFT
    paper.save()
    url = "/working-groups/2024-p1-wg1-place-based-devolution/"
    preview = editor_client.get(url)
    assert preview.status_code == 200
    assert "private" in preview["Cache-Control"]
    visitor = Client()
    assert visitor.get(url).status_code == 404
    assert visitor.get(url).status_code == 404


def test_not_found_is_not_cached(client, paper):
    assert client.get("/themes/no-such-theme/").status_code == 404
    assert client.get("/themes/no-such-theme/").status_code == 404
    make_theme(slug="no-such-theme")
    assert client.get("/themes/no-such-theme/").status_code == 200


def test_bulk_changes_call_bump_and_then_show(client, paper):
    client.get("/themes/")
    Theme.objects.filter(slug="skills-and-workforce").update(name="Skills, renamed in bulk")
    caching.bump()
    assert "Skills, renamed in bulk" in client.get("/themes/").content.decode()


def test_further_pages_of_a_list_reuse_its_facets_and_count(
    client, paper, django_assert_num_queries
):
    group = make_group()
    for _ in range(30):
        make_output(group, text="Shared budgets for pooled data.")
    client.get(FINDER + "?q=pooled")
    # the content version, the ids of the actions matching the words (the page
    # filters by them), the page of outputs with their themes, tags and partners
    with django_assert_num_queries(6):
        response = client.get(FINDER + "?q=pooled&page=2")
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 5


def test_the_content_version_changes_with_every_edit_and_only_then(paper):
    first = caching.content_version()
    assert caching.content_version() == first
    theme = Theme.objects.first()
    theme.description += " More."
    theme.save()
    second = caching.content_version()
    assert second != first
    assert caching.content_version() == second


def test_a_cached_count_is_right_for_queries_that_match_nothing_or_differ_only_in_values(paper):
    assert caching.CachedCountPaginator(Output.objects.none(), 10).count == 0
    assert caching.CachedCountPaginator(Output.objects.filter(pk__in=[]), 10).count == 0
    refs = ["SGH24-P1-WG3-PS-02", "SGH24-P1-WG3-PS-01"]
    one = caching.CachedCountPaginator(Output.objects.filter(reference__in=refs[:1]), 10)
    two = caching.CachedCountPaginator(Output.objects.filter(reference__in=refs), 10)
    assert (one.count, two.count) == (1, 2)
    text = caching.CachedCountPaginator(Output.objects.filter(text__contains="a b"), 10)
    other = caching.CachedCountPaginator(Output.objects.filter(text__contains="a' b"), 10)
    assert text.count == Output.objects.filter(text__contains="a b").count()
    assert other.count == Output.objects.filter(text__contains="a' b").count()


def test_pages_with_absolute_links_are_kept_apart_per_host(client, paper, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    one = client.get("/api/actions/", HTTP_HOST="one.example").json()
    two = client.get("/api/actions/", HTTP_HOST="two.example").json()
    assert one["next"].startswith("http://one.example/")
    assert two["next"].startswith("http://two.example/")


def test_caching_can_be_turned_off(client, paper, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    settings.CONTENT_CACHE_SECONDS = 0
    first, built = fetch(client, "/search/?q=procurement")
    again, rebuilt = fetch(client, "/search/?q=procurement")
    assert "X-Page-Cache" not in again
    assert again.content == first.content
    assert rebuilt == built > 1
