import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.models import Consultation, InsightBriefing, Organisation, Status, Theme
from search.models import EntryWords, Kind, SearchEntry, matched
from search.services import rebuild
from search.terms import parse
from tests.factories import (
    make_briefing,
    make_consultation,
    make_group,
    make_organisation,
    make_output,
    make_part,
)
from workinggroups.models import Output, WorkingGroup


def search_page(client, q, **params):
    response = client.get(reverse("search:search"), {"q": q, **params})
    assert response.status_code == 200
    return response


def found(client, q, **params):
    """(kind, url) of every result the search page lists, over all its pages."""
    results, page = set(), 1
    while True:
        response = search_page(client, q, page=page, **params)
        current = response.context.get("page")
        if current is None:
            return results
        results |= {(entry.kind, entry.url) for entry in current}
        if not current.has_next():
            return results
        page += 1


def regex_oracle(terms):
    """What the search should find, worked out with regular expressions over
    the plain text of every public item, independently of either database:
    each term (a word, or words that must follow each other) must start a word
    somewhere in one of the item's fields."""

    def pattern(term):
        *lead, last = term
        return re.compile(
            r"(?<![^\W_])" + "".join(rf"{re.escape(w)}[\W_]+" for w in lead) + re.escape(last),
            re.IGNORECASE,
        )

    patterns = [pattern(term) for term in terms]
    expected = set()
    for entry in SearchEntry.objects.public():
        fields = [f"{entry.title} {entry.reference}", entry.summary, entry.body]
        if all(any(p.search(field) for field in fields) for p in patterns):
            expected.add((entry.kind, entry.url))
    return expected


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("procurement", [["procurement"]]),
        ("digital twins", [["digital"], ["twins"]]),
        ('"digital twins"', [["digital", "twins"]]),
        ("Freedom of Information", [["freedom"], ["of"], ["information"]]),
        ("local AI", [["local"], ["ai"]]),
        ("procure", [["procure"]]),
        ("SGH24-P2-WG3-CO-01", [["sgh24", "p2", "wg3", "co", "01"]]),
    ],
)
def test_it_finds_exactly_the_items_containing_every_word(client, paper, q, terms):
    expected = regex_oracle(terms)
    assert expected, q
    assert found(client, q) == expected


def test_freedom_of_information_finds_the_three_actions_that_mention_it(client, paper):
    outputs = Output.objects.published().filter(text__icontains="freedom of information")
    assert len(outputs) == 3
    assert found(client, "Freedom of Information") == {
        (Kind.OUTPUT, output.get_absolute_url()) for output in outputs
    }


def test_procurement_finds_the_procurement_briefing_first_among_briefings(client, paper):
    briefing = InsightBriefing.objects.get(slug="procurement-of-ai-by-the-public-sector")
    page = search_page(client, "procurement").context["page"]
    briefings = [entry for entry in page if entry.kind == Kind.BRIEFING]
    assert briefings[0].url == briefing.get_absolute_url()


def test_a_word_in_a_title_ranks_above_the_same_word_in_a_body(client, db):
    in_body = make_briefing(title="Budgets", body="Notes on zeppelins and other airships.")
    in_title = make_briefing(title="Zeppelins", body="Notes on airships.")
    urls = [entry.url for entry in search_page(client, "zeppelins").context["page"]]
    assert urls == [in_title.get_absolute_url(), in_body.get_absolute_url()]


@pytest.mark.parametrize(
    "q",
    [
        "'; DROP TABLE search_searchentry; --",
        '" OR 1=1 --',
        'digital" twins',
        "NEAR(digital twins)",
        "digital AND OR NOT",
        "col:umn * ^ + - ( ) { } [ ]",
        "\\",
        "::: && || !",
        "café naïve Zürich",
        "😀 emoji",
        "\u200b\u0000\ufeff",
        "İstanbul ß ﬁ",
        "a" * 5000,
    ],
)
def test_odd_queries_never_fail_the_search(client, paper, q):
    response = client.get(reverse("search:search"), {"q": q})
    assert response.status_code == 200


def test_odd_unicode_matches_on_both_databases(client, db):
    briefing = make_briefing(title="Café culture in Zürich", body="Naïve ﬁndings.")
    url = briefing.get_absolute_url()
    assert (Kind.BRIEFING, url) in found(client, "CAFÉ zür")
    assert (Kind.BRIEFING, url) in found(client, "findings")  # the ligature, read as "fi"
    assert (Kind.BRIEFING, url) not in found(client, "cafe")  # accents are kept


def test_matching_words_are_highlighted_and_everything_is_escaped(client, db):
    make_briefing(
        title="Procurement <script>alert(1)</script>",
        body="When 1 < 2 & procurers <script>buy</script>.",
    )
    html = search_page(client, "procur").content.decode()
    assert "<mark>Procurement</mark> &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "When 1 &lt; 2 &amp; <mark>procurers</mark>" in html
    assert "<script>alert" not in html


def test_the_query_is_shown_escaped(client, db):
    html = search_page(client, "<img src=x onerror=alert(1)>").content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_long_query_is_shortened_and_says_so(client, paper):
    response = search_page(client, "data " * 2000)
    html = response.content.decode()
    assert "shortened to their first 200 characters" in html
    assert response.context["query"] == ("data " * 2000)[:200].strip()


def test_results_can_be_narrowed_to_one_type_with_counts_for_each(client, paper):
    make_organisation(name="Data Guild (fictitious)")  # no shipped partner's name says data
    everything = found(client, "data")
    by_kind = {kind: {r for r in everything if r[0] == kind} for kind in Kind.values}
    assert all(by_kind.values())
    response = search_page(client, "data")
    types = {value: count for value, _label, count in response.context["types"]}
    assert types == {kind: len(results) for kind, results in by_kind.items()}
    for kind in Kind.values:
        assert found(client, "data", type=kind) == by_kind[kind]


def test_an_unknown_type_is_ignored_with_a_message(client, paper):
    response = search_page(client, "digital", type="nonsense")
    assert "We don&#x27;t know the type &#x27;nonsense&#x27;; it was ignored." in (
        response.content.decode()
    )
    assert found(client, "digital", type="nonsense") == found(client, "digital")


@pytest.mark.parametrize(
    ("page", "shown"), [("0", 1), ("-1", 1), ("abc", 1), ("", 1), ("1.5", 1), (str(10**9), "last")]
)
def test_a_bad_page_number_shows_the_first_page_and_one_too_high_the_last(
    client, paper, page, shown
):
    response = search_page(client, "data", page=page)
    number = response.context["page"].number
    assert response.status_code == 200
    assert number == (response.context["page"].paginator.num_pages if shown == "last" else 1)
    assert len(response.context["page"]) > 0


def test_results_are_paginated_twenty_to_a_page(client, paper):
    response = search_page(client, "data")
    page = response.context["page"]
    assert page.paginator.per_page == 20
    assert page.paginator.count > 20
    assert len(page) == 20
    assert 'rel="next"' in response.content.decode()


def test_a_search_without_words_searches_nothing(client, db, django_assert_num_queries):
    # only the content version, for the page cache's key
    with django_assert_num_queries(1):
        response = search_page(client, "!!! ---")
    assert "Type at least one word" in response.content.decode()
    assert response.context.get("page") is None


def test_nothing_found_says_what_to_try(client, paper):
    response = search_page(client, "zzyzx")
    html = response.content.decode()
    assert 'id="result-count" role="status"' in html
    assert "0 results for" in html
    assert "Try fewer words" in html


def test_search_query_count_does_not_grow_with_results(client, paper, django_assert_num_queries):
    group = make_group()
    for _ in range(30):
        make_output(group, text="Budgets for everything.")
    # content version, every match's type and rank (which give the counts per type,
    # the total and the order), the page of results by id
    with django_assert_num_queries(3):
        search_page(client, "budgets")
    with django_assert_num_queries(3):
        response = search_page(client, "budgets", type="output", page="2")
    page = response.context["page"]
    assert page.paginator.count >= 30
    assert len(page) == page.paginator.count - 20
    assert {entry.kind for entry in page} == {"output"}


def test_drafts_are_not_found_until_published(client, db):
    consultation = make_consultation(status=Status.DRAFT, title="Hush-hush consultation")
    part = make_part(consultation)
    briefing = make_briefing(part, title="Hush-hush briefing")
    output = make_output(make_group(part), text="Hush-hush action")
    assert found(client, "hush") == set()
    consultation.status = Status.PUBLISHED
    consultation.save()
    assert found(client, "hush") == {
        (Kind.CONSULTATION, consultation.get_absolute_url()),
        (Kind.BRIEFING, briefing.get_absolute_url()),
        (Kind.OUTPUT, output.get_absolute_url()),
    }
    consultation.status = Status.REVIEW
    consultation.save()
    assert found(client, "hush") == set()


def test_edits_and_deletions_reach_the_search_at_once(client, db):
    output = make_output(text="Plant more hedgerows.")
    url = output.get_absolute_url()
    assert found(client, "hedgerows") == {(Kind.OUTPUT, url)}
    output.text = "Plant more orchards."
    output.save()
    assert found(client, "hedgerows") == set()
    assert found(client, "orchards") == {(Kind.OUTPUT, url)}
    output.delete()
    assert found(client, "orchards") == set()


def test_a_briefing_is_found_by_its_presenters(client, db):
    briefing = make_briefing(title="Kites")
    presenter = make_organisation(name="Kitefliers Guild")
    assert found(client, "kitefliers", type=Kind.BRIEFING) == set()
    briefing.presenters.add(presenter)
    assert found(client, "kitefliers", type=Kind.BRIEFING) == {
        (Kind.BRIEFING, briefing.get_absolute_url())
    }
    briefing.presenters.remove(presenter)
    assert found(client, "kitefliers", type=Kind.BRIEFING) == set()
    # the partner itself is found by its name throughout
    assert found(client, "kitefliers") == {(Kind.ORGANISATION, presenter.get_absolute_url())}


def test_a_working_group_is_found_by_its_question(client, db):
    group = make_group(question="How might we grow more trees?")
    assert found(client, "trees") == {(Kind.WORKING_GROUP, group.get_absolute_url())}


def test_the_shipped_content_is_fully_indexed(paper):
    items = (
        Consultation.objects.count()
        + InsightBriefing.objects.count()
        + WorkingGroup.objects.count()
        + Output.objects.count()
        + Organisation.objects.count()
        + Theme.objects.count()
    )
    assert SearchEntry.objects.count() == items
    before = set(SearchEntry.objects.values_list("kind", "object_id", "title_words", "body_words"))
    call_command("rebuild_search_index", stdout=StringIO())
    after = set(SearchEntry.objects.values_list("kind", "object_id", "title_words", "body_words"))
    assert after == before


def test_the_rebuild_command_indexes_content_loaded_in_bulk(client, db):
    group = make_group()
    Output.objects.bulk_create(
        [
            Output(
                working_group=group,
                stage="worked_well",
                order=1,
                text="Bulk lemurs",
                reference="X-1",
            )
        ]
    )
    assert found(client, "lemurs") == set()
    call_command("rebuild_search_index", stdout=StringIO())
    assert found(client, "lemurs") == {(Kind.OUTPUT, "/actions/X-1/")}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_searches_through_the_gin_index(paper):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = matched(parse("procurement")).explain()
    assert "search_words_vector" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_searches_through_the_fts5_table(paper):
    plan = matched(parse("procurement")).explain()
    assert "SCAN search_fts VIRTUAL TABLE INDEX 0:M" in plan


def test_load_content_reindexes_content_already_in_the_database(client, paper):
    expected = found(client, "procurement")
    SearchEntry.objects.all().delete()  # as in a database filled before search existed
    assert found(client, "procurement") == set()
    call_command("load_content", stdout=StringIO())
    assert found(client, "procurement") == expected


def test_a_partner_is_found_by_its_name(client, paper):
    results = found(client, "University of Derby")
    assert (Kind.ORGANISATION, "/partners/university-of-derby/") in results


def test_a_consultation_is_found_by_where_it_met(client, paper):
    assert (Kind.CONSULTATION, paper.get_absolute_url()) in found(client, "Windsor")


def test_a_theme_is_found_by_its_name(client, paper):
    assert (Kind.THEME, "/themes/data-sharing-and-standards/") in found(client, "data sharing")


def test_results_are_grouped_by_type_under_a_heading_each(client, paper):
    html = search_page(client, "University of Derby").content.decode()
    headings = re.findall(r'<h2 id="results-(\w+)" class="search-group__heading">([^<]+)', html)
    assert [kind for kind, _ in headings] == ["organisation", "output"]
    assert [label.strip() for _, label in headings] == ["Partners", "Actions"]
    # each result sits under the heading of its type
    groups = html.split('class="search-group__heading"')[1:]
    assert "/partners/university-of-derby/" in groups[0]
    assert "/actions/" in groups[1]
    assert "/actions/" not in groups[0]


def test_a_group_with_more_results_than_shown_links_to_all_of_its_type(client, paper):
    html = search_page(client, "data").content.decode()
    assert 'href="?q=data&amp;type=output">All ' in html


def test_the_search_page_has_one_search_box(client, paper):
    for params in ({}, {"q": "data"}):
        html = client.get(reverse("search:search"), params).content.decode()
        assert html.count('type="search"') == 1
        assert html.count('role="search"') == 1
    # other pages keep the one in the header
    assert client.get("/themes/").content.decode().count('type="search"') == 1


def test_an_action_is_found_by_its_themes_tags_and_partners(client, db):
    output = make_output(text="Plant more.", tags=["orchards"])
    found_by = lambda q: found(client, q, type=Kind.OUTPUT)  # noqa: E731
    assert found_by("orchards") == {(Kind.OUTPUT, output.get_absolute_url())}
    theme, partner = output.themes.get(), make_organisation(name="Appleby Trust", short_name="ABT")
    theme.name = "Greener streets"
    theme.save()
    output.partners.add(partner)
    assert found_by("greener streets") == {(Kind.OUTPUT, output.get_absolute_url())}
    assert found_by("ABT") == {(Kind.OUTPUT, output.get_absolute_url())}
    partner.name = "Orchard Trust"
    partner.save()
    assert found_by("Appleby") == set()
    output.tags.remove("orchards")
    output.partners.remove(partner)
    assert found_by("orchards") == set()
    assert found_by("orchard trust") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_words_table_follows_its_entries_on_postgresql(client, db):
    """PostgreSQL matches through EntryWords, which copies what a match is filtered
    and ordered by from its entry: the copies must follow every way entries change."""

    def copies_match():
        columns = ("kind", "object_id", "is_public", "reference")
        entries = set(SearchEntry.objects.values_list("id", *columns))
        words = set(EntryWords.objects.values_list("entry_id", *columns))
        return entries == words

    consultation = make_consultation(status=Status.DRAFT)
    part = make_part(consultation)
    shown = make_output(make_group(part), text="Hedgerows for all.")
    held = make_output(make_group(part), text="Hedgerows held back.", held=True)
    assert copies_match()
    consultation.status = Status.PUBLISHED
    consultation.save()  # publishes every entry but the held one, in bulk
    assert copies_match()
    assert found(client, "hedgerows") == {(Kind.OUTPUT, shown.get_absolute_url())}
    held.held = False
    held.save()
    assert copies_match()
    assert len(found(client, "hedgerows")) == 2
    shown.delete()
    assert copies_match()
    call_command("rebuild_search_index", stdout=StringIO())
    assert copies_match()
    assert found(client, "hedgerows") == {(Kind.OUTPUT, held.get_absolute_url())}
    consultation.delete()  # its entries, and their words with them
    assert copies_match()
    assert not EntryWords.objects.filter(object_id=held.pk).exists()


def test_a_rebuild_empties_the_index_in_one_statement_and_one_new_version(paper):
    # Deleting through the ORM read every entry and wrote a new content version for
    # each (post_delete): 1,000,000 of each for a rebuild of a large site.
    entries = SearchEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert rebuild() == entries
    statements = [q["sql"] for q in queries.captured_queries]
    deletes = [sql for sql in statements if sql.startswith("DELETE")]
    versions = [sql for sql in statements if sql.startswith('UPDATE "insights_contentversion"')]
    assert deletes == ['DELETE FROM "search_searchentry"']
    assert len(versions) == 1
    if connection.vendor == "postgresql":  # the words went with their entries, and came back
        assert EntryWords.objects.count() == entries
