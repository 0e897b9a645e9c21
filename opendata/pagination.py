from rest_framework import pagination

from web.caching import CachedCountPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, with the total counted once per content version."""

    django_paginator_class = CachedCountPaginator

    def get_page_number(self, request, paginator):
        # `?page=` is not a page number: a 404 like `?page=abc`, as the schema says
        # (an integer), rather than the first page.
        number = request.query_params.get(self.page_query_param)
        return 1 if number is None else number
