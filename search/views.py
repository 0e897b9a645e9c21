from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext as _

from insights.caching import cache_public_page, cached
from insights.views import get_page
from search.models import Kind, SearchEntry
from search.terms import MAX_QUERY, excerpt, highlight, parse

PAGE_SIZE = 20


@cache_public_page
def search(request):
    raw = request.GET.get("q", "")
    query = parse(raw)
    kind = request.GET.get("type", "")
    notices = []
    if query.shortened:
        notices.append(
            _("Your words were shortened to their first %(n)s characters.") % {"n": MAX_QUERY}
        )
    if kind and kind not in Kind.values:
        notices.append(_("We don't know the type '%(value)s'; it was ignored.") % {"value": kind})
        kind = ""
    context = {"query": query.text, "parsed": query, "kind": kind, "notices": notices}
    if not query:
        if raw.strip():
            notices.append(_("Type at least one word or number to search for."))
        return render(request, "search/search.html", context)

    matches = SearchEntry.objects.public()
    counts = cached(
        "search-counts",
        query.terms,
        lambda: dict(
            matches.matching(query).order_by().values_list("kind").annotate(n=Count("id"))
        ),
    )
    results = matches.search(query).ranked()
    if kind:
        results = results.filter(kind=kind)
    paginator = Paginator(results, PAGE_SIZE)
    # The per-type counts already give the total: no second count of the matches.
    paginator.count = counts.get(kind, 0) if kind else sum(counts.values())
    page = get_page(paginator, request.GET.get("page"))
    page.object_list = list(page.object_list)
    for entry in page.object_list:
        entry.title_html = highlight(entry.title, query)
        entry.excerpt_html = highlight(excerpt(entry.body or entry.summary, query), query)
    context |= {
        "searched": True,
        "page": page,
        "types": [(value, label, counts.get(value, 0)) for value, label in Kind.choices],
        "total": sum(counts.values()),
    }
    return render(request, "search/search.html", context)
