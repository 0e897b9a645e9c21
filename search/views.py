import math
from itertools import groupby
from operator import attrgetter
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from search.forms import SearchForm
from search.models import Kind, SearchEntry, results
from search.terms import excerpt, highlight
from web.caching import cache_public_page
from web.pages import in_order, page_number

PAGE_SIZE = 20


@cache_public_page
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query, kind = form.query(), form.kind()
    context = {"query": query.text, "parsed": query, "kind": kind, "notices": form.notices()}
    if not query:
        return render(request, "search/search.html", context)

    # Grouped by type under a heading each, the type with the best match first: the
    # counts per type and the page's ids in one query, then the page's entries.
    number = int(page_number(request.GET.get("page")))
    counts, ids = results(query, kind, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    total = sum(counts.values())
    matched = counts.get(kind, 0) if kind else total
    last = max(1, math.ceil(matched / PAGE_SIZE))
    if number > last:  # a page past the last shows the last
        number = last
        counts, ids = results(query, kind, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    # A page of the matches: the paginator only counts them, the entries are at hand.
    entries: list[Any] = in_order(SearchEntry.objects.all(), ids)
    paginator: Paginator[Any] = Paginator(range(matched), PAGE_SIZE)
    page = Page(entries, number, paginator)
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
