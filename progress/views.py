from django.shortcuts import render

from insights.models import Consultation, Theme
from progress.blocks import committed_organisations, keep_tracker_values, published_status_counts
from progress.filters import tracker_filter
from progress.models import Commitment
from web.caching import cache_public_page
from web.pages import paginate

PAGE_SIZE = 25


@cache_public_page
def tracker(request):
    filterset = tracker_filter(request)
    keep_tracker_values()
    # With no filter but the status in force, the counts of every public commitment, kept.
    counts = filterset.status_counts(unfiltered=published_status_counts)
    # The counts per status under the other filters already give the total.
    # The page's ids sorted over a narrow join, then their rows with all they show.
    page = paginate(
        request,
        filterset.qs,
        PAGE_SIZE,
        count=filterset.count_from(counts),
        rows=Commitment.objects.for_list(),
    )
    context = {
        "filter": filterset,
        "page": page,
        "counts": counts,
        "notices": filterset.notices(),
        "download_query": filterset.query_string(),
        "selected": {name: request.GET.getlist(name) for name in request.GET},
        "organisations": committed_organisations(),
        "themes": Theme.objects.values_list("slug", "name"),
        "consultations": Consultation.objects.published().values_list("slug", "title"),
    }
    return render(request, "progress/tracker.html", context)
