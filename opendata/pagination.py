from rest_framework import pagination

from web.caching import CachedCountPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, with the total counted once per content version."""

    django_paginator_class = CachedCountPaginator
