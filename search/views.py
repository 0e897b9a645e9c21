from itertools import groupby
from operator import attrgetter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from search.forms import SearchForm
from search.models import Kind, SearchEntry
from search.terms import excerpt, highlight
from web.caching import cache_public_page
from web.pages import paginate

PAGE_SIZE = 20


@cache_public_page
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query, kind = form.query(), form.kind()
    context = {"query": query.text, "parsed": query, "kind": kind, "notices": form.notices()}
    if not query:
        return render(request, "search/search.html", context)

    counts = SearchEntry.objects.public().kind_counts(query)
    # Grouped by type under a heading each, the type with the best match first.
    results = SearchEntry.objects.public().search(query).ranked(list(counts))
    if kind:
        results = results.filter(kind=kind)
    # The per-type counts already give the total: no second count of the matches.
    total = sum(counts.values())
    page = paginate(request, results, PAGE_SIZE, count=counts.get(kind, 0) if kind else total)
    page.object_list = list(page.object_list)
    for entry in page.object_list:
        entry.title_html = highlight(entry.title, query)
        entry.excerpt_html = highlight(excerpt(entry.body or entry.summary, query), query)
    groups = [
        (group, Kind(group).label, counts.get(group, 0), list(entries))
        for group, entries in groupby(page.object_list, key=attrgetter("kind"))
    ]
    context |= {
        "searched": True,
        "page": page,
        "types": [(value, label, counts.get(value, 0)) for value, label in Kind.choices],
        "groups": groups,
        "total": total,
    }
    return render(request, "search/search.html", context)
