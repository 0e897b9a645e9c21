from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from insights.caching import CachedCountPaginator, cache_public_page
from insights.views import get_page, private_if_draft
from progress.blocks import rollup, with_commitments
from workinggroups.filters import OutputFilter
from workinggroups.models import Output, Stage, WorkingGroup

PAGE_SIZE = 25


@cache_public_page
def detail(request, slug):
    group = get_object_or_404(
        WorkingGroup.objects.visible_to(request.user)
        .for_list()
        .prefetch_related(
            Prefetch("outputs", Output.objects.prefetch_related("themes", "tags", "partners"))
        ),
        slug=slug,
    )
    outputs = list(group.outputs.all())
    stages = [
        (stage, sorted((o for o in outputs if o.stage == stage), key=lambda o: o.order))
        for stage in Stage
    ]
    context = {
        "group": group,
        "stages": stages,
        "has_outputs": bool(outputs),
        "rollup": rollup(Output.objects.filter(working_group=group)),
    }
    response = render(request, "workinggroups/detail.html", context)
    return private_if_draft(response, group.part.consultation)


@cache_public_page
def output_detail(request, reference):
    output = get_object_or_404(
        with_commitments(Output.objects.visible_to(request.user).for_list()), reference=reference
    )
    context = {"output": output, "commitments": output.public_commitments}
    response = render(request, "workinggroups/output_detail.html", context)
    return private_if_draft(response, output.working_group.part.consultation)


@cache_public_page
def finder(request):
    filterset = OutputFilter(request.GET, queryset=Output.objects.published().for_list())
    page = get_page(CachedCountPaginator(filterset.qs, PAGE_SIZE), request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "facets": filterset.facets(),
        "active_filters": filterset.active_filters(),
        "notices": filterset.notices(),
        "query_given": bool(request.GET.get("q", "").strip()),
        "download_query": filterset.query_string(),
    }
    return render(request, "workinggroups/finder.html", context)
