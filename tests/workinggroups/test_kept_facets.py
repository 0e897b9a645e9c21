"""The finder with no filter in force takes its facets' counts and its total from
kept counts (`web.kept`): counted once per content version, never stale."""

import pytest
from django.db.models import Count
from taggit.models import Tag

from insights.models import Status, Theme
from tests.factories import make_group, make_output, make_theme
from web import caching
from web.models import KeptCount
from workinggroups.facets import FACETS
from workinggroups.models import Output, Stage

from .test_finder import SKILLS, get, options


@pytest.fixture
def uncached(settings):
    """As the benchmark's uncached series: no page cache and no count cache."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.CONTENT_CACHE_SECONDS = 0


def counts(response):
    """The total and every facet's options, as the page shows them."""
    facets = {
        facet.name: ({o.value: o.count for o in facet.options}, facet.hidden)
        for facet in response.context["facets"]
    }
    return response.context["page"].paginator.count, facets


def fresh_counts(client):
    """The same, counted afresh: the kept rows are dropped first."""
    KeptCount.objects.all().delete()
    return counts(get(client))


@pytest.mark.parametrize("count_cache", [0, 3600])
def test_unfiltered_counts_follow_every_edit(client, paper, settings, count_cache):
    # Pages built afresh, with the count cache (which keeps the kept rows too) on or off.
    settings.PAGE_CACHE_SECONDS = 0
    settings.CONTENT_CACHE_SECONDS = count_cache
    total, facets = counts(get(client))
    assert total == Output.objects.published().count()
    skills = Theme.objects.get(slug=SKILLS)
    assert facets["theme"][0][SKILLS] == Output.objects.published().filter(themes=skills).count()
    assert counts(get(client)) == (total, facets)

    # Held back for a publisher: off the counts at once.
    output = Output.objects.published().filter(themes=skills).first()
    output.held = True
    output.save()
    total_held, facets_held = counts(get(client))
    assert total_held == total - 1
    assert facets_held["theme"][0][SKILLS] == facets["theme"][0][SKILLS] - 1
    stage = output.stage
    assert facets_held["stage"][0][stage] == facets["stage"][0][stage] - 1
    assert (total_held, facets_held) == fresh_counts(client)

    # Published again.
    output.held = False
    output.save()
    assert counts(get(client)) == (total, facets)

    # The whole consultation taken down, then put back.
    paper.status = Status.DRAFT
    paper.save()
    total_down, facets_down = counts(get(client))
    assert total_down == Output.objects.published().count() < total
    assert paper.slug not in facets_down["consultation"][0]
    paper.status = Status.PUBLISHED
    paper.save()
    assert counts(get(client)) == (total, facets)

    # A new action with a theme of its own, then a bulk change and `bump()`.
    new_theme = make_theme(slug="newly-themed")
    make_output(make_group(), themes=[new_theme], tags=["fresh", "fresh-too"])
    total_new, facets_new = counts(get(client))
    assert total_new == total + 1
    assert facets_new["theme"][0]["newly-themed"] == 1
    Output.objects.filter(themes=new_theme).update(held=True, is_public=False)
    caching.bump()
    assert "newly-themed" not in counts(get(client))[1]["theme"][0]


def test_kept_counts_equal_counts_under_a_filter_that_matches_everything(client, paper, uncached):
    # `stage=` naming every stage filters nothing, but is counted afresh.
    total, facets = counts(get(client))
    every_stage = "&".join(f"stage={stage}" for stage in Stage)
    response = get(client, every_stage)
    assert response.context["page"].paginator.count == total
    for name in ("consultation", "theme", "tag", "partner", "sector"):
        assert {o.value: o.count for o in options_of(response, name)} == facets[name][0]


def options_of(response, name):
    (facet,) = [f for f in response.context["facets"] if f.name == name]
    return facet.options


def test_a_facet_whose_own_value_alone_is_chosen_is_kept_too(client, paper, uncached):
    _total, facets = counts(get(client))
    response = get(client, f"theme={SKILLS}")
    assert {value: count for value, (count, _) in options(response, "theme").items()} == (
        facets["theme"][0]
    )
    assert options(response, "theme")[SKILLS][1] is True
    assert response.context["page"].paginator.count == (
        Output.objects.published().filter(themes__slug=SKILLS).count()
    )


def test_held_tags_are_not_counted_among_tags_on_two_actions(client, paper, uncached):
    group = make_group()
    first = make_output(group, tags=["pair-only"])
    make_output(group, tags=["pair-only"])
    pair = Tag.objects.get(slug="pair-only")
    _total, facets = counts(get(client))
    assert pair.pk in FACETS["tag"].often_used()
    first.held = True
    first.save()
    # On one published action now: never listed, nor counted among those left out.
    _total, facets_held = counts(get(client))
    assert pair.pk not in FACETS["tag"].often_used()
    assert facets_held["tag"][1] == facets["tag"][1] - 1


def test_the_unfiltered_finder_reads_its_kept_counts_in_one_query(
    client, paper, uncached, django_assert_num_queries
):
    # After an edit: the content version, the kept rows (none for this version), the
    # facet index (`facetindex`: the published outputs, their themes, tags and
    # partners, the organisations, themes and tags), which counts the total and the
    # facets; the labels of the consultations, parts and groups (three), the tags on
    # two actions or more (read, counted, stored), the page of outputs with their
    # themes, tags and partners, and one upsert of the kept counts. In a test's
    # transaction each upsert is inside a savepoint: two more queries each.
    recount = 24
    with django_assert_num_queries(recount):
        get(client)
    # Then: the content version, the kept rows, the page of outputs with their
    # themes, tags and partners.
    with django_assert_num_queries(6):
        get(client)
    with django_assert_num_queries(6):
        get(client, "page=2")
    group = make_group(themes=[make_theme()])
    for n in range(40):
        make_output(group, Stage.PRACTICAL_STEPS, themes=[make_theme()], tags=[f"t{n}", "common"])
    with django_assert_num_queries(recount):
        get(client)
    with django_assert_num_queries(6):
        get(client)
    assert KeptCount.objects.values("key").aggregate(n=Count("key"))["n"] == 10
