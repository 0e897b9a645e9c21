"""What every public page view shares: one way to paginate, and the headers that
keep a draft preview out of shared caches."""

from collections.abc import Sequence

import numpy as np
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from web.caching import CachedCountPaginator


def page_number(value: str | None) -> int | str:
    """The page asked for: below 1 is the first page (Django's own `get_page` would
    show the last); anything that is not a number is left for `get_page` to treat
    as the first page."""
    try:
        return max(int(value or 1), 1)
    except (TypeError, ValueError):
        return 1


def paginate(
    request: HttpRequest,
    items: QuerySet | Sequence | np.ndarray,
    per_page: int,
    *,
    count: int | None = None,
    rows: QuerySet | None = None,
) -> Page:
    """The page of `items` that `?page=` asks for, counted once per content version.

    A known `count` (for example summed from counts the page shows anyway) saves
    counting the matches a second time. A page past the last shows the last.
    With `rows`, the page is read in two steps: the ids of its items in order from
    `items` (which then joins only what it filters and sorts by, however much each
    row shows, or which are the ids themselves), then those items from `rows`
    (what a row shows).
    """
    paginator = CachedCountPaginator(items, per_page)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(page_number(request.GET.get("page")))
    if rows is not None:
        if isinstance(page.object_list, QuerySet):
            ids = list(page.object_list.values_list("pk", flat=True))
        else:  # `items` are the ids themselves
            ids = [int(pk) for pk in page.object_list]
        page.object_list = in_order(rows, ids)
    return page


def in_order(rows: QuerySet, ids: Sequence[int]) -> list:
    """The items of `rows` whose ids are `ids`, in that order (one query; an id
    `rows` does not hold is left out)."""
    found = {item.pk: item for item in rows.filter(pk__in=ids).order_by()} if ids else {}
    return [found[pk] for pk in ids if pk in found]


def private_if_draft(response: HttpResponse, item, *, preview: bool = False) -> HttpResponse:
    """A preview of what is not public (a draft, an item held back for a publisher,
    or a page showing held items to an editor: `preview`) must never be kept by a
    shared cache and shown to the public."""
    if preview or not item.is_public:
        add_never_cache_headers(response)
    return response
