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
    timeout = settings.CONTENT_CACHE_SECONDS
    values: dict[str, Any] = {}
    if timeout:
        for key in computes:
            value = cache.get(_cache_key(key, version), MISSING)
            if value is not MISSING:
                values[key] = value
    wanted = [key for key in computes if key not in values]
    if wanted:
        values.update(
            KeptCount.objects.filter(key__in=wanted, version=version).values_list("key", "value")
        )
        computed = {key: computes[key]() for key in wanted if key not in values}
        # A computed value is stored as the database gives it back, JSON.
        values.update(_store(computed, version))
        if timeout:
            for key in wanted:
                cache.set(_cache_key(key, version), values[key], timeout)
    return {key: values[key] for key in computes}


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
