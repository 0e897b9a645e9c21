import math
from itertools import groupby

import numpy as np
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from insights.models import can_preview
from search.terms import parse
from web.caching import cache_public_page
from web.pages import paginate, private_if_draft
from workinggroups.facets import Faceting, active_filters, query_string
from workinggroups.filters import OutputFilter
from workinggroups.models import Output, WorkingGroup

PAGE_SIZE = 25
GROUPS_PAGE_SIZE = 50
# Filter groups open on arrival; the others open when one of their options is chosen.
OPEN_FACETS = ("stage", "theme")


@cache_public_page
def group_list(request: HttpRequest) -> HttpResponse:
    groups = (
        WorkingGroup.objects.published()
        .select_related("part__consultation")
        .annotate(output_count=Count("outputs", filter=Q(outputs__is_public=True)))
        .order_by("-part__consultation__start_date", "part__consultation", "part__number", "number")
    )
    page = paginate(request, groups, GROUPS_PAGE_SIZE)
    by_consultation = [
        (consultation, list(group))
        for consultation, group in groupby(page.object_list, key=lambda g: g.part.consultation)
    ]
    return render(
        request, "workinggroups/group_list.html", {"page": page, "by_consultation": by_consultation}
    )


@cache_public_page
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    preview = can_preview(request.user, WorkingGroup)
    group = get_object_or_404(
        WorkingGroup.objects.visible_to(request.user).for_detail(preview=preview), slug=slug
    )
    stages = group.outputs_by_stage()
    context = {
        "group": group,
        "stages": stages,
        "has_outputs": any(outputs for _stage, outputs in stages),
    }
    response = render(request, "workinggroups/detail.html", context)
    return private_if_draft(response, group, preview=preview)


@cache_public_page
def output_detail(request: HttpRequest, reference: str) -> HttpResponse:
    output = get_object_or_404(
        Output.objects.visible_to(request.user).for_list(), reference=reference
    )
    response = render(request, "workinggroups/output_detail.html", {"output": output})
    return private_if_draft(response, output)


def by_rank(ids: np.ndarray, ranks: dict[int, float]) -> np.ndarray:
    """`ids` (in paper order) by their rank, highest first; a stable sort, so that
    equal ranks keep paper order; ids without a rank last."""
    if not ranks:
        return ids
    ranked_ids = np.fromiter(ranks.keys(), np.int64, len(ranks))
    by_id = np.argsort(ranked_ids)
    ranked_ids, values = ranked_ids[by_id], np.fromiter(ranks.values(), float, len(ranks))[by_id]
    at = np.searchsorted(ranked_ids, ids).clip(max=len(ranked_ids) - 1)
    keys = np.where(ranked_ids[at] == ids, -values[at], math.inf)
    return ids[np.argsort(keys, kind="stable")]


@cache_public_page
def finder(request: HttpRequest) -> HttpResponse:
    filterset = OutputFilter(request.GET, queryset=Output.objects.published().for_list())
    faceting = Faceting(filterset, indexed=True)
    total = faceting.total()
    if total is not None:
        # With no filter in force, the count is kept with the facets' counts.
        page = paginate(request, filterset.qs, PAGE_SIZE, count=total)
    elif (sort := filterset.values().get("sort")) in (None, "", "paper") or (
        sort == "relevance" and (query := parse(filterset.values().get("q")))
    ):
        # Under filters, the matches in paper order are read off the facet index;
        # by relevance, sorted by every match's rank, read with the matches (ordering
        # in the database ranked each match in a subquery). The page is read by id.
        ids = faceting.ordered_ids()
        if sort == "relevance":
            ids = by_rank(ids, filterset.ranks(query))
        rows = Output.objects.published().for_list()
        page = paginate(request, ids, PAGE_SIZE, count=len(ids), rows=rows)
    else:
        page = paginate(request, filterset.qs, PAGE_SIZE, count=faceting.count())
    context = {
        "filter": filterset,
        "page": page,
        "facets": faceting.facets(),
        "active_filters": active_filters(filterset),
        "notices": filterset.notices(),
        "query_given": bool(request.GET.get("q", "").strip()),
        "download_query": query_string(filterset),
        "open_facets": OPEN_FACETS,
    }
    return render(request, "workinggroups/finder.html", context)
