"""The finder counts its facets and lists its matches from the facet index
(`workinggroups.facetindex`) when filters are in force: the same counts, the
same matches in the same order as the database gives, and never stale."""

import pytest
from django.http import QueryDict
from taggit.models import Tag

from insights.models import Organisation, Sector, Status, Theme
from recurring.models import RecurringFinding
from tests.factories import (
    make_consultation,
    make_group,
    make_organisation,
    make_output,
    make_part,
)
from tests.progress.conftest import make_commitment
from web.models import KeptCount
from workinggroups.facets import Faceting
from workinggroups.filters import OutputFilter
from workinggroups.models import Output, Stage

from .test_finder import SKILLS, get, options


@pytest.fixture
def uncounted(settings):
    """No count cache, so that each way of counting counts for itself."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.CONTENT_CACHE_SECONDS = 0


@pytest.fixture
def content(paper):
    """The paper, with a draft, an action held back, an action naming two partners
    of one sector and one naming none, and commitments."""
    skills = Theme.objects.get(slug=SKILLS)
    council, other_council = (
        make_organisation("Fictitious Borough Council", sector=Sector.PUBLIC),
        make_organisation("Fictitious County Council", sector=Sector.PUBLIC),
    )
    draft = make_group(make_part(make_consultation(status=Status.DRAFT)), themes=[skills])
    make_output(draft, themes=[skills], partners=[council], tags=["common", "draft-only"])
    group = make_group(themes=[skills])
    make_output(group, themes=[skills], partners=[council, other_council], tags=["common"])
    make_output(group, Stage.CHANGES_NEEDED, themes=[skills], tags=["common"], text="Data, again.")
    make_output(group, Stage.CHANGES_NEEDED, themes=[skills], partners=[council], held=True)
    action = Output.objects.published().filter(themes=skills).first()
    make_commitment(action, council, status="in_progress")
    make_commitment(action, other_council, status="planned")
    return {"council": council, "skills": skills}


def requests(content):
    council, skills = content["council"], content["skills"]
    tag = Tag.objects.get(name="common")
    other_theme = Theme.objects.exclude(pk=skills.pk).first()
    partner = Organisation.objects.filter(outputs__is_public=True).first()
    found = [
        f"theme={SKILLS}",
        f"theme={SKILLS}&theme={other_theme.slug}",
        f"theme={SKILLS}&partner={partner.slug}",
        f"tag={tag.slug}&stage=changes_needed",
        "stage=worked_well&stage=collaboration",
        f"sector=public&theme={SKILLS}",
        "sector=academic&sector=third_sector",
        f"partner={council.slug}",
        "q=data",
        f"q=data&theme={SKILLS}&stage=changes_needed",
        "q=nothingmatchesthis",
        f"consultation={content['paper'].slug}&stage=practical_steps",
        f"part={content['paper'].parts.first().slug}",
        "status=in_progress",
        "status=none&stage=worked_well",
        f"committed_by={council.slug}",
        f"theme={SKILLS}&theme=no-such-theme",
        "q=data&sort=relevance",
        f"theme={SKILLS}&sort=-reference",
    ]
    recurring = RecurringFinding.objects.published().first()
    if recurring:
        found.append(f"recurring={recurring.slug}")
    return found


def counted(query, *, indexed):
    """Every facet's options, the total and the matches in order, counted one way."""
    KeptCount.objects.all().delete()
    filterset = OutputFilter(QueryDict(query), queryset=Output.objects.published().for_list())
    faceting = Faceting(filterset, indexed=indexed)
    facets = [
        (facet.name, [(o.value, o.label, o.count, o.selected) for o in facet.options], facet.hidden)
        for facet in faceting.facets()
    ]
    if indexed:
        total, matches = faceting.count(), faceting.ordered_ids().tolist()
    else:
        matches = list(
            filterset.filtered(filterset.queryset).in_paper_order().values_list("pk", flat=True)
        )
        total = len(matches)
    return facets, total, matches


def test_the_index_counts_and_lists_as_the_database_does(paper, content, uncounted):
    content["paper"] = paper
    for query in requests(content):
        from_index = counted(query, indexed=True)
        from_database = counted(query, indexed=False)
        assert from_index == from_database, query
        assert from_index[1] == len(from_index[2]), query
    # Not counting nothing: the filters in force narrow the matches.
    assert 0 < counted(f"theme={SKILLS}", indexed=True)[1] < Output.objects.published().count()


def test_the_filtered_finder_shows_what_the_index_counts(client, content, uncounted):
    response = get(client, {"theme": SKILLS, "stage": "changes_needed"})
    expected = Output.objects.published().filter(themes=content["skills"], stage="changes_needed")
    assert response.context["page"].paginator.count == expected.count()
    shown = [output.reference for output in response.context["page"]]
    assert shown == [o.reference for o in expected.in_paper_order()[:25]]
    html = response.content.decode()
    assert f"{expected.count()} action" in html
    # The draft's tag is on no published action, so it is no option.
    assert "draft-only" not in options(response, "tag")


def test_an_edit_is_counted_at_once(client, content, uncounted):
    skills = content["skills"]
    query = {"theme": SKILLS, "partner": content["council"].slug}
    before = get(client, query).context["page"].paginator.count
    held = Output.objects.get(held=True, partners=content["council"])
    held.held = False
    held.save()
    after = get(client, query)
    assert after.context["page"].paginator.count == before + 1
    assert held.reference in [output.reference for output in after.context["page"]]
    # Withdrawn with its group's consultation: off the filtered finder at once.
    consultation = held.working_group.part.consultation
    consultation.status = Status.DRAFT
    consultation.save()
    withdrawn = get(client, query)
    published = Output.objects.published().filter(themes=skills, partners=content["council"])
    assert withdrawn.context["page"].paginator.count == published.count() < before + 1
    assert held.reference not in [output.reference for output in withdrawn.context["page"]]
