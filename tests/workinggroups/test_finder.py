import re
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from insights.models import Status, Theme
from search.models import Kind
from tests.factories import (
    finder_matches,
    make_consultation,
    make_group,
    make_output,
    make_part,
    make_theme,
)
from web.templatetags.portal import summary
from workinggroups.models import Output, Stage
from workinggroups.views import PAGE_SIZE, by_rank

FINDER = reverse("workinggroups:finder")
SKILLS = "skills-and-workforce"


def get(client, params=""):
    query = params if isinstance(params, str) else urlencode(params, doseq=True)
    response = client.get(f"{FINDER}?{query}" if query else FINDER)
    assert response.status_code == 200
    return response


def references(response):
    """Every result the finder lists for the request, over all its pages, in order."""
    return [output.reference for output in finder_matches(response)]


def options(response, facet):
    """{value: (count, selected)} for the options the facet offers."""
    (found,) = [f for f in response.context["facets"] if f.name == facet]
    return {o.value: (o.count, o.selected) for o in found.options}


def published():
    return Output.objects.published()


def test_it_lists_every_published_action_in_paper_order(client, paper):
    response = get(client)
    assert references(response) == [o.reference for o in published().in_paper_order()]
    html = response.content.decode()
    assert re.search(r'<p id="result-count" role="status">\s*202 actions', html)
    assert len(response.context["page"]) == 25


def test_drafts_are_not_listed_to_the_public(client, paper):
    draft = make_output(
        make_group(make_part(make_consultation(status=Status.DRAFT))), text="Draft only"
    )
    assert draft.reference not in references(get(client))
    assert draft.reference not in references(get(client, "q=draft+only"))


def test_it_filters_any_of_within_a_facet_and_all_of_across_facets(client, paper):
    response = get(client, f"theme={SKILLS}&stage=practical_steps&stage=collaboration")
    expected = published().filter(
        themes__slug=SKILLS, stage__in=[Stage.PRACTICAL_STEPS, Stage.COLLABORATION]
    )
    assert expected.exists()
    assert sorted(references(response)) == sorted(o.reference for o in expected)


def test_two_themes_give_actions_with_either(client, paper):
    themes = [SKILLS, "procurement-and-markets"]
    response = get(client, {"theme": themes})
    expected = set(published().filter(themes__slug__in=themes).values_list("reference", flat=True))
    assert sorted(references(response)) == sorted(expected)  # each action once


def test_it_filters_by_partner_tag_and_working_group(client, paper):
    output = Output.objects.get(reference="SGH24-P1-WG3-PS-05")
    tag = output.tags.get(name="political leadership")
    response = get(client, {"tag": tag.slug, "working_group": output.working_group.slug})
    assert output.reference in references(response)
    assert all(r.startswith("SGH24-P1-WG3-") for r in references(response))
    partner = Output.objects.filter(partners__isnull=False).first().partners.first()
    expected = published().filter(partners=partner).values_list("reference", flat=True)
    assert sorted(references(get(client, {"partner": partner.slug}))) == sorted(expected)


def test_each_facet_counts_with_the_other_filters_applied(client, paper):
    stages = [Stage.PRACTICAL_STEPS, Stage.COLLABORATION]
    response = get(client, {"theme": SKILLS, "stage": stages})
    skills = published().filter(themes__slug=SKILLS)
    assert options(response, "stage") == {
        stage.value: (skills.filter(stage=stage).count(), stage in stages)
        for stage in Stage
        if skills.filter(stage=stage).exists()
    }
    in_stages = published().filter(stage__in=stages)
    expected_themes = {
        theme.slug: (in_stages.filter(themes=theme).count(), theme.slug == SKILLS)
        for theme in Theme.objects.all()
        if in_stages.filter(themes=theme).exists()
    }
    assert options(response, "theme") == expected_themes
    both = skills.filter(stage__in=stages)
    partner_counts = {slug: count for slug, (count, _) in options(response, "partner").items()}
    assert partner_counts == {
        slug: both.filter(partners__slug=slug).count()
        for slug in both.values_list("partners__slug", flat=True)
        if slug
    }


def test_facet_options_show_in_the_form_with_counts(client, paper):
    response = get(client, f"theme={SKILLS}")
    html = response.content.decode()
    count = published().filter(themes__slug=SKILLS, stage=Stage.WORKED_WELL).count()
    label = re.search(r'<label for="stage-worked_well">(.*?)</label>', html, re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", " ", label).split()) == f"WW Worked well ({count})"
    assert f'name="theme" value="{SKILLS}" id="theme-{SKILLS}" checked' in html


def test_each_filter_group_collapses_and_lists_its_chosen_options_first(client, paper):
    html = get(client, {"tag": "ai-literacy"}).content.decode()
    groups = dict(re.findall(r'<details class="facet" id="facet-(\w+)"( open)?>', html))
    # Stage and theme open on arrival; a group opens when one of its options is chosen.
    assert groups == {
        "consultation": "", "part": "", "working_group": "", "stage": " open", "theme": " open",
        "tag": " open", "partner": "", "sector": "", "status": "",
    }  # fmt: skip
    tag_group = html[html.index('id="facet-tag"') : html.index('id="facet-partner"')]
    values = re.findall(r'name="tag" value="([\w-]+)"', tag_group)
    assert values[0] == "ai-literacy"
    assert len(values) > 1
    assert '<span class="facet__count">1 selected</span>' in tag_group
    # Longer groups have a box to narrow their options (shown by the script).
    assert '<label for="narrow-tag">Find a tag</label>' in tag_group
    assert 'id="narrow-stage"' not in html


def test_a_chosen_option_shows_even_with_no_results(client, paper):
    group = make_group()
    lonely = make_theme(name="Lonely theme", slug="lonely")
    make_output(group, themes=[lonely])
    response = get(client, {"theme": "lonely", "stage": "collaboration"})
    assert references(response) == []
    assert options(response, "theme")["lonely"] == (0, True)
    assert 'value="lonely" id="theme-lonely" checked' in response.content.decode()


def test_the_form_works_without_javascript(client, paper):
    html = get(client).content.decode()
    form = re.search(r'<form id="filters"[^>]*method="get".*?</form>', html, re.S).group(0)
    for name, label in [
        ("consultation", "Consultation"), ("part", "Part"), ("working_group", "Working group"),
        ("stage", "Stage"), ("theme", "Theme"), ("tag", "Tag"), ("partner", "Partner"),
    ]:  # fmt: skip
        assert re.search(
            rf'<details class="facet" id="facet-{name}"( open)?>\s*'
            rf'<summary class="facet__summary"><span class="facet__label">{label}</span>',
            form,
        )
    for label in ["Stage", "Theme", "Tag", "Partner"]:
        assert f'<legend class="visually-hidden">{label}</legend>' in form
    for name in ["stage", "theme", "tag", "partner"]:
        assert f'type="checkbox" name="{name}"' in form
    for name in ["consultation", "part", "working_group"]:
        assert f'<select id="finder-{name}" name="{name}">' in form
    assert '<select id="finder-sort" name="sort" form="filters">' in html
    assert '<label for="finder-q">Words</label>' in form
    assert '<input id="finder-q" name="q" type="search"' in form
    assert re.search(r'<button type="submit" class="finder__apply">\s*Apply\s*</button>', form)
    # The Filter button for narrow screens is the script's: hidden without it.
    assert re.search(r'<button type="button" class="finder__toggle"[^>]* hidden>', html)
    assert "<script>" not in html  # scripts only from files, as enhancements
    assert " onchange=" not in html


def test_active_filters_can_each_be_removed(client, paper):
    params = {"theme": SKILLS, "stage": ["practical_steps", "collaboration"], "q": "skills"}
    response = get(client, {**params, "page": "2"})
    active = {
        (a.name, a.label): parse_qs(a.remove_query) for a in response.context["active_filters"]
    }
    assert active == {
        ("theme", "Skills and workforce"): {
            "stage": ["practical_steps", "collaboration"],
            "q": ["skills"],
        },
        ("stage", Stage.PRACTICAL_STEPS.short_label): {
            "theme": [SKILLS],
            "stage": ["collaboration"],
            "q": ["skills"],
        },
        ("stage", Stage.COLLABORATION.short_label): {
            "theme": [SKILLS],
            "stage": ["practical_steps"],
            "q": ["skills"],
        },
        ("q", "skills"): {"theme": [SKILLS], "stage": ["practical_steps", "collaboration"]},
    }
    html = response.content.decode()
    for item in response.context["active_filters"]:
        assert f'href="?{escape(item.remove_query)}"' in html
    assert f'<a href="{FINDER}">Clear all filters</a>' in html


def test_no_results_says_which_filters_to_loosen(client, paper):
    response = get(client, {"theme": SKILLS, "q": "zzyzx"})
    html = response.content.decode()
    assert re.search(r'<p id="result-count" role="status">\s*0 actions', html)
    assert "No actions match" in html
    assert "Remove one of the filters above" in html
    assert f'href="?theme={SKILLS}"' in html  # removes the words, keeps the theme


@pytest.mark.parametrize(
    ("page", "number"), [("0", 1), ("-1", 1), ("abc", 1), (str(10**9), 9), ("", 1), ("9" * 5000, 1)]
)
def test_bad_page_numbers_show_the_nearest_page(client, paper, page, number):
    response = get(client, {"page": page})
    assert response.context["page"].number == number  # 202 actions: nine pages


def test_pages_link_to_each_other_keeping_the_filters(client, paper):
    response = get(client, "stage=worked_well&stage=changes_needed&page=2")
    html = response.content.decode()
    assert 'href="?stage=worked_well&amp;stage=changes_needed&amp;page=1" rel="prev"' in html
    assert 'href="?stage=worked_well&amp;stage=changes_needed&amp;page=3" rel="next"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("theme=xyz", "We don't know the theme 'xyz'; it was ignored."),
        ("partner=nobody", "We don't know the partner 'nobody'; it was ignored."),
        ("tag=no-such-tag", "We don't know the tag 'no-such-tag'; it was ignored."),
        ("stage=someday", "We don't know the stage 'someday'; it was ignored."),
        ("consultation=nope", "We don't know the consultation 'nope'; it was ignored."),
        ("part=nope", "We don't know the part 'nope'; it was ignored."),
        ("working_group=nope", "We don't know the working group 'nope'; it was ignored."),
        ("sort=sideways", "We don't know the sort order 'sideways'; it was ignored."),
    ],
)
def test_unknown_values_are_ignored_with_a_message(client, paper, params, message):
    response = get(client, params)
    assert escape(message) in response.content.decode()
    assert len(references(response)) == published().count()


@pytest.mark.parametrize("params", ["theme=a%00b", "consultation=%00", "q=a%00b", "sort=%00"])
def test_null_characters_are_ignored_not_an_error(client, paper, params):
    response = get(client, params)
    assert "it was ignored" in response.content.decode()
    assert len(references(response)) == published().count()


def test_an_unknown_theme_beside_a_known_one_keeps_the_known_one(client, paper):
    response = get(client, {"theme": [SKILLS, "<b>xyz</b>"]})
    html = response.content.decode()
    assert "We don&#x27;t know the theme &#x27;&lt;b&gt;xyz&lt;/b&gt;&#x27;" in html
    expected = published().filter(themes__slug=SKILLS).values_list("reference", flat=True)
    assert sorted(references(response)) == sorted(expected)


def test_a_draft_consultation_is_unknown(client, paper):
    make_consultation(status=Status.REVIEW, slug="secret")
    html = get(client, "consultation=secret").content.decode()
    assert "We don&#x27;t know the consultation &#x27;secret&#x27;" in html


def test_repeated_and_empty_parameters_are_fine(client, paper):
    response = get(client, "stage=&theme=&q=&stage=worked_well&stage=worked_well&consultation=")
    expected = published().filter(stage=Stage.WORKED_WELL).values_list("reference", flat=True)
    assert sorted(references(response)) == sorted(expected)
    assert "it was ignored" not in response.content.decode()


def test_a_very_long_query_is_shortened_escaped_and_said_so(client, paper):
    q = "<script>alert(1)</script> digital " + "x" * 10_000
    response = get(client, {"q": q})
    html = response.content.decode()
    assert "Your words were shortened to their first 200 characters." in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; digital" in html
    assert "x" * 201 not in html


def searched_references(client, q):
    """The references of the actions the site search finds for `q`, over all its pages."""
    found, number = set(), 1
    while True:
        search = client.get(reverse("search:search"), {"q": q, "type": Kind.OUTPUT, "page": number})
        page = search.context["page"]
        found |= {entry.reference for entry in page}
        if not page.has_next():
            return found
        number += 1


def test_words_mean_the_same_as_in_the_site_search(client, paper):
    for q in ["procure", "local AI", "SGH24-P2-WG3-CO-01", '"digital twins"']:
        finder = set(references(get(client, {"q": q})))
        assert finder == searched_references(client, q), q
        assert finder, q


def test_a_reference_finds_that_action(client, paper):
    assert references(get(client, "q=SGH24-P2-WG3-CO-01")) == ["SGH24-P2-WG3-CO-01"]


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [("reference", lambda r: r, False), ("-reference", lambda r: r, True)],
)
def test_it_sorts_by_reference(client, paper, sort, key, reverse):
    found = references(get(client, {"sort": sort, "stage": "collaboration"}))
    assert found == sorted(found, key=key, reverse=reverse)
    assert len(found) == published().filter(stage=Stage.COLLABORATION).count()


def test_best_match_puts_the_likeliest_action_first(client, db):
    group = make_group()
    once = make_output(group, text="A hedgehog crossing.")
    thrice = make_output(group, text="Hedgehog, hedgehog, hedgehog habitats.")
    make_output(group, text="Nothing to see.")
    found = references(get(client, {"q": "hedgehog", "sort": "relevance"}))
    assert found == [thrice.reference, once.reference]
    html = get(client, {"q": "hedgehog"}).content.decode()
    assert 'value="relevance"' in html
    assert 'value="relevance"' not in get(client).content.decode()


def test_each_result_links_its_text_and_names_the_rest_quietly(client, paper):
    html = get(client, "q=SGH24-P1-WG3-PS-05").content.decode()
    output = Output.objects.get(reference="SGH24-P1-WG3-PS-05")
    item = html[html.index(f'<li class="output" id="{output.reference}">') :]
    item = item[: item.index("</li>")]
    # One link, reading as the action's text; reference, group, stage, themes and
    # tags as secondary text.
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', item, re.S)
    assert links == [(output.get_absolute_url(), escape(summary(output.text, 80)))]
    text = " ".join(re.sub(r"<[^>]+>", " ", item).split())
    assert output.reference in text
    assert str(output.working_group) in text
    assert Stage(output.stage).short_label in text
    for theme in output.themes.all():
        assert theme.name in text
    for tag in output.tags.all():
        assert tag.name in text


def test_a_page_makes_the_same_number_of_queries_whatever_the_data(
    client, paper, django_assert_num_queries
):
    # The content version; after an edit, the facet index (`facetindex`: the
    # published outputs, their themes, tags and partners, the organisations, themes
    # and tags); the ids of the actions matching the words (read once); the page of
    # outputs (with group, part, consultation), its themes, tags and partners; the
    # labels of the consultations, parts and groups listed; and the tags on two
    # actions or more (which the tag facet lists), which after an edit are read from
    # the kept counts, counted and stored (`web.kept`; in a test's transaction the
    # upsert is inside a savepoint: two queries more). The index counts the facets
    # and the matches, in no query.
    with django_assert_num_queries(21):
        get(client, "q=data")
    group, skills = make_group(), Theme.objects.get(slug=SKILLS)
    for n in range(40):
        make_output(group, themes=[skills], tags=[f"t{n}", "common"], text="More data.")
    # Sorted by relevance, the matches' ranks are read with their ids and sorted
    # against the index's order; the page is read by id, as in paper order.
    with django_assert_num_queries(21):
        get(client, "q=data&sort=relevance&page=2")
    # Then the index and the tags on two actions or more are at hand: the content
    # version, the chosen theme's and tag's slugs looked up, the page of outputs
    # with their themes, tags and partners, and the structural facets' labels.
    with django_assert_num_queries(10):
        get(client, f"theme={SKILLS}&tag=common&stage=worked_well&stage=collaboration")


def test_the_download_links_keep_the_known_filters_and_give_the_same_actions(client, paper):
    response = client.get(
        "/actions/",
        {"theme": ["skills-and-workforce", "no-such-theme"], "stage": "practical_steps", "page": 2},
    )
    html = response.content.decode()
    query = "stage=practical_steps&amp;theme=skills-and-workforce"
    assert f'href="/actions.csv?{query}"' in html
    assert f'href="/actions.atom?{query}"' in html
    shown = response.context["page"].paginator.count
    csv = client.get("/actions.csv?" + query.replace("&amp;", "&"))
    rows = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert csv.status_code == 200
    assert len(rows) - 1 == shown > 0


def test_a_facet_lists_the_25_partners_with_most_actions_and_says_how_many_more(client, paper):
    from tests.factories import make_organisation

    group = make_group()
    partners = [make_organisation(slug=f"many-{n:02d}") for n in range(40)]
    for n, partner in enumerate(partners):
        # many-00 names one action, many-39 forty.
        for _ in range(n + 1 if n >= 30 else 1):
            make_output(group, partners=[partner], text="Pooled procurement.")
    response = get(client, "q=pooled")
    listed = options(response, "partner")
    assert len(listed) == 25
    assert {f"many-{n}" for n in range(30, 40)} <= set(listed)
    assert listed["many-39"] == (40, False)
    (facet,) = [f for f in response.context["facets"] if f.name == "partner"]
    assert facet.hidden == 15
    assert "15 more are not listed" in response.content.decode()
    # A chosen partner always shows, with its true count, even beyond the 25.
    response = get(client, "q=pooled&partner=many-00")
    assert options(response, "partner")["many-00"] == (1, True)


def test_parts_and_groups_are_offered_once_there_are_few_enough(client, paper):
    consultation = make_consultation(slug="very-many-groups")
    part = make_part(consultation)
    theme = make_theme()
    for _ in range(101):
        make_output(make_group(part, themes=[theme]), themes=[theme])
    response = get(client)
    assert options(response, "working_group") == {}
    assert "Choose a consultation first (" in response.content.decode()
    response = get(client, "consultation=towards-connected-places-2024")
    groups = options(response, "working_group")
    assert 0 < len(groups) <= 100
    assert "2024-p1-wg1-place-based-devolution" in groups
    response = get(client, "working_group=2024-p1-wg1-place-based-devolution")
    assert options(response, "working_group")["2024-p1-wg1-place-based-devolution"][1] is True


@pytest.mark.parametrize(
    "params",
    [
        "",
        "theme=skills-and-workforce",
        "consultation=towards-connected-places-2024&stage=practical_steps",
        "part=sgh24-p1&q=data",
        "working_group=2024-p1-wg1-place-based-devolution&theme=skills-and-workforce",
    ],
)
def test_structural_facets_count_what_choosing_each_option_would_give(
    client, paper, params, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # each response with its context
    response = get(client, params)
    assert response.context["page"].paginator.count > 0
    for facet in ("consultation", "part", "working_group", "stage"):
        for value, (count, _selected) in options(response, facet).items():
            query = parse_qs(params)
            query[facet] = [value]
            chosen = get(client, urlencode(query, doseq=True))
            assert chosen.context["page"].paginator.count == count, (facet, value)


def test_the_csv_is_named_after_the_filters_in_force(client, paper):
    response = client.get("/actions.csv", {"stage": "collaboration", "theme": SKILLS})
    expected = 'attachment; filename="actions-collaboration-skills-and-workforce.csv"'
    assert response["Content-Disposition"] == expected


def test_sort_sits_above_the_results_and_downloads_above_the_pagination(client, paper):
    html = get(client).content.decode()
    assert html.index('id="finder-sort"') < html.index('class="output-list"')
    assert html.index('form="filters"') < html.index('class="output-list"')
    assert html.index('class="finder-downloads"') < html.index('class="pagination"')


def test_no_script_submits_the_form_on_change(client, paper):
    """A change updates the results in place (tests/browser/test_finder.py); the
    script never submits the form, which would load a page and add history."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    script = Path(finders.find("js/finder.js")).read_text()
    assert "requestSubmit" not in script
    assert ".submit()" not in script
    assert "history.replaceState" in script
    assert "history.pushState" not in script


def test_the_tag_facet_lists_only_tags_on_two_actions_or_more(client, db):
    make_output(tags=["ferries", "lighthouses"], text="Ferrytown one.")
    make_output(tags=["ferries"], text="Ferrytown two.")
    response = get(client, "q=ferrytown")
    assert options(response, "tag") == {"ferries": (2, False)}
    (facet,) = [f for f in response.context["facets"] if f.name == "tag"]
    assert facet.hidden == 0  # the rare tag is not "more to see by narrowing"
    # chosen, a rare tag still shows, and filters
    response = get(client, "tag=lighthouses")
    assert options(response, "tag")["lighthouses"] == (1, True)
    assert len(references(response)) == 1


def test_words_match_an_actions_themes_tags_and_partners(client, db):
    from tests.factories import make_organisation

    theme = make_theme(name="Harbour life")
    partner = make_organisation(name="Seaside Guild", short_name="SG")
    by_theme = make_output(themes=[theme], text="One.")
    by_tag = make_output(tags=["tidal power"], text="Two.")
    by_partner = make_output(partners=[partner], text="Three.")
    make_output(text="Four.")
    assert references(get(client, "q=harbour life")) == [by_theme.reference]
    assert references(get(client, "q=tidal")) == [by_tag.reference]
    assert references(get(client, "q=seaside guild")) == [by_partner.reference]


def test_data_sharing_finds_the_same_practical_steps_by_theme_and_by_words(client, paper):
    theme = set(references(get(client, "theme=data-sharing-and-standards&stage=practical_steps")))
    words = set(references(get(client, "q=data sharing&stage=practical_steps")))
    assert theme
    assert theme <= words
    # the tag that only restated the theme was dropped from the shipped content
    response = get(client, "tag=data-sharing&stage=practical_steps")
    assert "We don&#x27;t know the tag &#x27;data-sharing&#x27;; it was ignored." in (
        response.content.decode()
    )


def test_sorting_by_relevance_orders_every_page_as_the_database_does(client, db):
    """The finder sorts the matches by rank against the facet index; the API list
    sorts the same filter in the database (rank, then paper order): the two agree,
    ties included, and the second page shows the next of them."""
    group = make_group()
    for n in range(30):
        make_output(group, text=f"More data ({n}).")  # all ranked alike
        if n % 10 == 0:
            make_output(group, text="Data, data and more data.")
        make_output(group, text="Nothing to see.")
    query = {"q": "data", "sort": "relevance", "working_group": group.slug}
    finder = references(get(client, query))
    api, url = [], reverse("opendata:action-list") + "?" + urlencode(query)
    while url:
        body = client.get(url).json()
        api += [action["reference"] for action in body["results"]]
        url = body["next"]
    assert len(finder) == 33
    assert finder == api
    best = Output.objects.filter(text__startswith="Data,").in_paper_order()
    assert finder[:3] == [output.reference for output in best]
    page_two = get(client, {**query, "page": 2}).content.decode()
    shown = re.findall(r'<li class="output" id="([^"]+)"', page_two)
    assert shown == finder[PAGE_SIZE:]


@given(
    ids=st.lists(st.integers(1, 300), unique=True, max_size=40),
    ranks=st.dictionaries(st.integers(1, 300), st.sampled_from([0.1, 0.25, 0.5]), max_size=60),
)
def test_by_rank_is_a_stable_sort_by_rank_with_the_unranked_last(ids, ranks):
    expected = sorted(ids, key=lambda pk: (pk not in ranks, -ranks.get(pk, 0)))
    assert by_rank(np.array(ids, dtype=np.int64), ranks).tolist() == expected
