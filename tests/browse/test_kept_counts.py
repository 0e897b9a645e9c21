"""The home page's and the tracker's counts over the published content are kept
(`web.kept`): read in one query between edits, never stale after one."""

import pytest

from insights.models import Organisation, Status, Theme
from progress.models import Status as CommitmentStatus
from tests.factories import make_organisation, make_output
from tests.progress.conftest import make_commitment
from web import caching
from workinggroups.models import Output


@pytest.fixture
def uncached(settings):
    """As the benchmark's uncached series: no page cache and no count cache."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.CONTENT_CACHE_SECONDS = 0


def home_counts(client):
    context = client.get("/").context
    return (
        dict(context["totals"]),
        {theme.slug: theme.output_count for theme in context["themes"]},
        {partner.slug: partner.output_count for partner in context["partners"]},
        dict(context["progress_counts"]),
    )


def fresh_home_counts():
    published = Output.objects.published()
    return (
        published.count(),
        {t.slug: n for t in Theme.objects.all() if (n := published.filter(themes=t).count())},
    )


@pytest.mark.parametrize("count_cache", [0, 3600])
def test_home_counts_follow_every_edit(client, paper, settings, count_cache):
    settings.PAGE_CACHE_SECONDS = 0
    settings.CONTENT_CACHE_SECONDS = count_cache
    # The busiest partner of all, named by every published action.
    partner = make_organisation(slug="kept-partner")
    partner.outputs.add(*Output.objects.published())
    output = Output.objects.published().filter(themes__isnull=False).first()
    make_commitment(output, partner, status=CommitmentStatus.DONE)
    totals, themes, partners, progress = home_counts(client)
    assert (totals["outputs"], themes) == fresh_home_counts()
    assert partners["kept-partner"] == totals["outputs"]
    assert progress[CommitmentStatus.DONE] == 1
    assert home_counts(client) == (totals, themes, partners, progress)

    # Held back for a publisher: off every count at once.
    output.held = True
    output.save()
    totals_held, themes_held, partners_held, progress_held = home_counts(client)
    assert totals_held["outputs"] == totals["outputs"] - 1
    assert (totals_held["outputs"], themes_held) == fresh_home_counts()
    assert partners_held["kept-partner"] == totals["outputs"] - 1
    assert progress_held[CommitmentStatus.DONE] == 0

    # Published again, then the consultation taken down.
    output.held = False
    output.save()
    assert home_counts(client) == (totals, themes, partners, progress)
    paper.status = Status.DRAFT
    paper.save()
    totals_down, themes_down, _partners, _progress = home_counts(client)
    assert totals_down["consultations"] == totals["consultations"] - 1
    assert (totals_down["outputs"], themes_down) == fresh_home_counts()

    # A bulk change and `bump()`.
    paper.status = Status.PUBLISHED
    paper.save()
    Output.objects.filter(pk=output.pk).update(held=True, is_public=False)
    caching.bump()
    assert home_counts(client)[0]["outputs"] == totals["outputs"] - 1


def test_the_home_page_reads_its_kept_counts_in_one_query(
    client, paper, uncached, django_assert_num_queries
):
    # After an edit, as pinned in tests/insights/test_views.py.
    with django_assert_num_queries(30):
        client.get("/")
    # Then one read of the kept counts instead of theme and partner counts, four
    # totals and the commitments per status.
    with django_assert_num_queries(11):
        client.get("/")
    for n in range(30):
        make_output(partners=[make_organisation()], tags=[f"t{n}"])
    with django_assert_num_queries(30):
        client.get("/")
    with django_assert_num_queries(11):
        client.get("/")


def test_the_partner_list_keeps_its_output_counts(
    client, paper, uncached, django_assert_num_queries
):
    client.get("/partners/")
    with django_assert_num_queries(5):
        response = client.get("/partners/")
    counts = {p.slug: p.output_count for p in response.context["partners"]}
    expected = Organisation.objects.with_output_counts()
    assert counts == {p.slug: p.output_count for p in expected}


def test_the_tracker_keeps_its_counts_without_filters_only(
    client, paper, uncached, django_assert_num_queries
):
    output = Output.objects.published().first()
    ours, theirs = make_organisation(slug="ours"), make_organisation(slug="theirs")
    make_commitment(output, ours, status=CommitmentStatus.DONE)
    make_commitment(output, theirs, status=CommitmentStatus.PLANNED)
    client.get("/progress/")
    # The content version, the kept counts and organisations (one query), the ids of
    # the page's commitments, those commitments, and the themes and consultations the
    # filters offer.
    with django_assert_num_queries(6):
        response = client.get("/progress/?status=done")
    assert response.context["counts"][CommitmentStatus.DONE] == 1
    assert response.context["page"].paginator.count == 1
    # Filtered: counted afresh.
    response = client.get("/progress/?organisation=theirs")
    assert response.context["counts"][CommitmentStatus.DONE] == 0
    assert response.context["counts"][CommitmentStatus.PLANNED] == 1

    output.held = True
    output.save()
    response = client.get("/progress/")
    assert sum(response.context["counts"].values()) == 0
