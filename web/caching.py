"""Caching that can never show stale content.

Every cache key carries the content version: a random token in one database
row (`web.models.ContentVersion`), replaced in the same transaction as any
change to the content (a save, a delete or a many-to-many change of a model of
the content apps, see `web.signals`, or a bulk load that calls `bump()`).
Reading it is one primary-key query per request; it lives in the database
rather than in the cache so that every process, whatever cache it has, agrees
on it.

- `cached(name, key, compute)`: a value computed from the content, such as a
  facet's counts or a result count.
- `cache_public_page(view)`: the whole response of a public page, for readers
  without a session; editors always get a page built afresh.
"""

import hashlib
import uuid
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import get_language

from web.models import ContentVersion

MISSING = object()
VERSION = ContextVar("content_version", default=None)


def content_version():
    """The current content version, read once per request."""
    version = VERSION.get()
    if version is None:
        version = ContentVersion.objects.filter(pk=1).values_list("token", flat=True).first()
        if version is None:
            version = bump()
        VERSION.set(version)
    return version


def bump():
    """Make every cached page and count stale: call after changing content in bulk
    (`bulk_create`, `QuerySet.update`), which sends no signals."""
    token = uuid.uuid4().hex
    if not ContentVersion.objects.filter(pk=1).update(token=token):
        ContentVersion.objects.update_or_create(pk=1, defaults={"token": token})
    VERSION.set(None)
    return token


def _key(name, key):
    digest = hashlib.blake2b(str(key).encode(), digest_size=16).hexdigest()
    return f"{name}:{content_version()}:{digest}"


def cached(name, key, compute, timeout=None):
    """`compute()`, or what it gave for the same `name` and `key` since the last edit."""
    timeout = settings.CONTENT_CACHE_SECONDS if timeout is None else timeout
    if not timeout:
        return compute()
    full_key = _key(name, key)
    value = cache.get(full_key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


class CachedCountPaginator(Paginator):
    """A Paginator whose COUNT over a query is computed once per content version:
    counting every match is the one part of a page of results that grows with
    the content."""

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        try:
            key = repr(query.sql_with_params())
        except EmptyResultSet:  # a filter that can match nothing, such as `pk__in=[]`
            return 0
        return cached("count", key, lambda: Paginator.count.func(self))


def _is_anonymous(request):
    """No session and no pending messages: the page is the same for everyone."""
    return request.method in ("GET", "HEAD") and not (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or CookieStorage.cookie_name in request.COOKIES
        or "Authorization" in request.headers
    )


def _storable(response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
    )


def cache_public_page(view):
    """Serve `view`'s response from the cache to readers without a session.

    The key is the scheme, host, path, query string and language, and the
    content version, so an edit shows at once. (Views that negotiate a format
    from the Accept header would need it in the key: ours don't.) Only complete,
    cookie-free 200 responses that allow shared caching are kept. The response
    says `X-Page-Cache: hit` or `miss`.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.PAGE_CACHE_SECONDS
        if not timeout or not _is_anonymous(request):
            return view(request, *args, **kwargs)
        # Pages show absolute links (API links, "cite this"): the origin is part of them.
        parts = [
            request.scheme,
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
            get_language(),
        ]
        key = _key("page", "\n".join(parts))
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content, headers=headers)
            response["X-Page-Cache"] = "hit"
            patch_vary_headers(response, ["Cookie"])
            return response

        response = view(request, *args, **kwargs)
        response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ["Cookie"])

        def store(response):
            if _storable(response):
                headers = {
                    name: value
                    for name, value in response.headers.items()
                    if name not in ("X-Page-Cache", "Vary")
                }
                cache.set(key, (response.content, headers), timeout)

        if hasattr(response, "add_post_render_callback") and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return wrapper
