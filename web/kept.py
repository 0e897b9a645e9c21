"""Kept counts: aggregates over the published content stored in the database with
the content version they were computed for (`web.models.KeptCount`).

The count cache (`web.caching.cached`) can be off or empty; a kept count is not
lost with it. A reader that finds the row of the current content version uses
it, in one small query for all the counts a page needs; the first reader after
an edit (which replaces the version, `web.signals`) computes them and stores
them, replacing the older rows in place. Concurrent readers may both compute:
the store is one upsert, and they store the same value.

Only counts that depend on the published content alone belong here, never on a
request's filters, so that the table holds one row per kind of count. Values
are JSON: a dict with other than string keys is kept as a list of pairs
(`pairs()`, `from_pairs()`).
"""

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from web.caching import MISSING, content_version
from web.models import KeptCount

logger = logging.getLogger(__name__)


def kept(key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` as it was for the current content version, stored under `key`."""
    return kept_values({key: compute})[key]


def kept_values(computes: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """{key: value} for each of `computes`: from the count cache when it is on,
    else from the rows kept for the current content version (one query), else
    computed and stored (one upsert)."""
    version = content_version()
    values = prefetch(computes)
    computed = {key: computes[key]() for key in computes if key not in values}
    if computed:
        # A computed value is given as the database gives it back, JSON.
        computed = _store(computed, version)
        _cache(version, computed)
        _remember(version, computed)
        values.update(computed)
    return {key: values[key] for key in computes}


def prefetch(keys: Iterable[str]) -> dict[str, Any]:
    """{key: value} of those of `keys` kept for the current content version, read in
    one query (or from the count cache) and remembered for the rest of the request:
    a page whose counts are asked for in several places reads them all at once."""
    keys = list(keys)
    version = content_version()
    known, remembered = _READ.get()
    # What this request read already, or found missing (MISSING: to be computed).
    found = {key: remembered[key] for key in keys if known == version and key in remembered}
    wanted = [key for key in keys if key not in found]
    if wanted and settings.CONTENT_CACHE_SECONDS:
        for key in wanted:
            value = cache.get(_cache_key(key, version), MISSING)
            if value is not MISSING:
                found[key] = value
        wanted = [key for key in wanted if key not in found]
    if wanted:
        rows = dict(
            KeptCount.objects.filter(key__in=wanted, version=version).values_list("key", "value")
        )
        _cache(version, rows)
        found.update({key: rows.get(key, MISSING) for key in wanted})
    _remember(version, found)
    return {key: value for key, value in found.items() if value is not MISSING}


def forget() -> None:
    """Each request reads the kept counts afresh (`web.signals`)."""
    _READ.set((None, {}))


# (content version, {key: value}): what this request has read or computed.
_READ: ContextVar[tuple[str | None, dict[str, Any]]] = ContextVar("kept_counts", default=(None, {}))


def _remember(version: str, values: dict[str, Any]) -> None:
    known, remembered = _READ.get()
    _READ.set((version, {**(remembered if known == version else {}), **values}))


def _cache(version: str, values: dict[str, Any]) -> None:
    timeout = settings.CONTENT_CACHE_SECONDS
    if timeout:
        for key, value in values.items():
            cache.set(_cache_key(key, version), value, timeout)


def _cache_key(key: str, version: str) -> str:
    return f"kept:{version}:{key}"


def _store(computed: dict[str, Any], version: str) -> dict[str, Any]:
    """Store `computed` for `version`, and give it back as it reads from the table."""
    if not computed:
        return {}
    now = timezone.now()
    rows = [
        KeptCount(key=key, version=version, value=value, computed_at=now)
        for key, value in computed.items()
    ]
    as_read = {
        key: json.loads(json.dumps(value, cls=DjangoJSONEncoder)) for key, value in computed.items()
    }
    try:
        # In a transaction, a savepoint: a failed write (SQLite's write lock held by
        # an editor's long transaction) must not break the reader's page.
        with transaction.atomic(savepoint=connection.in_atomic_block):
            KeptCount.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["version", "value", "computed_at"],
            )
    except DatabaseError:
        logger.warning("Could not keep the counts %s", ", ".join(computed), exc_info=True)
    return as_read


def pairs(counts: Mapping[Any, Any]) -> list[list[Any]]:
    """A dict as JSON keeps it whatever its keys: a list of [key, value]."""
    return [[key, value] for key, value in counts.items()]


def from_pairs(rows: Iterable[Sequence[Any]]) -> dict[Any, Any]:
    """A dict from what `pairs()` gave."""
    return {row[0]: row[1] for row in rows}
