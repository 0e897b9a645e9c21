"""A Redis cache that degrades to "always empty" instead of failing the request."""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis import RedisError

logger = logging.getLogger(__name__)

# {Redis address: monotonic time until which this process leaves it alone}.
_skipped_until: dict[str, float] = {}
_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, except that a Redis error reads as a cache miss.

    Every page can be built from the database alone, so an unreachable Redis
    should cost speed, not availability. After a failure the cache is skipped
    for `CACHE_RETRY_SECONDS` (a circuit breaker, per process): a Redis that
    hangs costs one socket timeout per worker per interval, not one per cache
    call, and the warning is logged once per interval.
    """

    def _skipping(self) -> bool:
        return time.monotonic() < _skipped_until.get(self._address, 0.0)

    def __init__(self, server, params):
        super().__init__(server, params)
        self._address = server if isinstance(server, str) else ",".join(server)

    def _failed(self, error):
        interval = settings.CACHE_RETRY_SECONDS
        with _lock:
            if self._skipping():  # another thread failed meanwhile and said so
                return
            _skipped_until[self._address] = time.monotonic() + interval
        logger.warning("Cache unavailable, carrying on without it for %s s: %s", interval, error)

    def _try(self, fallback, method, *args):
        if self._skipping():
            return fallback
        try:
            return method(*args)
        except RedisError as error:
            self._failed(error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._try(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._try(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._try({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._try(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # The same answer an empty cache gives, so callers need no new branch.
        missing = ValueError(f"Key {key!r} not found (cache unavailable).")
        if self._skipping():
            raise missing
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._failed(error)
            raise missing from None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._try(None, super().delete_many, keys, version)

    def clear(self):
        return self._try(False, super().clear)
