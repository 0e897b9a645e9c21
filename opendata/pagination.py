from rest_framework import pagination

from web.caching import CachedCountPaginator


def counted(total: int) -> type[CachedCountPaginator]:
    """A paginator that knows its total and counts nothing."""
    return type("CountedPaginator", (CachedCountPaginator,), {"count": total})


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, with the total counted once per content version, or
    taken from the view's `known_count()` when it gives one."""

    django_paginator_class = CachedCountPaginator

    def paginate_queryset(self, queryset, request, view=None):
        known = view.known_count() if view is not None and hasattr(view, "known_count") else None
        self.django_paginator_class = CachedCountPaginator if known is None else counted(known)
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        # `?page=` is not a page number: a 404 like `?page=abc`, as the schema says
        # (an integer), rather than the first page.
        number = request.query_params.get(self.page_query_param)
        return 1 if number is None else number
