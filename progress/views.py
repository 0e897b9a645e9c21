from django.shortcuts import render

from insights.caching import CachedCountPaginator, cache_public_page
from insights.models import Consultation, Organisation, Theme
from insights.views import get_page
from progress.filters import tracker_filter
from progress.models import Commitment

PAGE_SIZE = 25


@cache_public_page
def tracker(request):
    filterset = tracker_filter(request)
    page = get_page(CachedCountPaginator(filterset.qs, PAGE_SIZE), request.GET.get("page"))
    committed = Commitment.objects.published().values("organisation")
    context = {
        "filter": filterset,
        "page": page,
        "counts": filterset.status_counts(),
        "notices": filterset.notices(),
        "download_query": filterset.query_string(),
        "selected": {name: request.GET.getlist(name) for name in request.GET},
        "organisations": Organisation.objects.filter(pk__in=committed).only("slug", "name"),
        "themes": Theme.objects.only("slug", "name"),
        "consultations": Consultation.objects.published().only("slug", "title"),
    }
    return render(request, "progress/tracker.html", context)
