"""Kept counts (`web.kept`): stored with the content version, replaced in place."""

import pytest
from django.db import DatabaseError

from web import caching, kept
from web.models import KeptCount


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.CONTENT_CACHE_SECONDS = 0
    kept.forget()


def counter(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_kept_value_is_computed_once_per_content_version(db):
    compute, calls = counter({"a": 1})
    assert kept.kept("k", compute) == {"a": 1}
    kept.forget()
    assert kept.kept("k", compute) == {"a": 1}
    assert len(calls) == 1
    row = KeptCount.objects.get(key="k")
    assert row.version == caching.content_version()

    caching.bump()
    kept.forget()
    compute_again, calls_again = counter({"a": 2})
    assert kept.kept("k", compute_again) == {"a": 2}
    assert len(calls_again) == 1
    # Replaced in place: one row per kind of count.
    assert KeptCount.objects.filter(key="k").count() == 1
    assert KeptCount.objects.get(key="k").value == {"a": 2}


def test_a_row_of_another_version_is_never_read(db):
    KeptCount.objects.create(
        key="k", version="stale", value=[1], computed_at="2026-01-01T00:00:00Z"
    )
    compute, calls = counter([2])
    assert kept.kept("k", compute) == [2]
    assert calls


def test_values_read_the_same_computed_or_kept(db):
    value = {"pairs": kept.pairs({1: 2, "x": 3}), "tuple": (1, 2)}
    first = kept.kept("k", lambda: value)
    kept.forget()
    second = kept.kept("k", lambda: pytest.fail("computed again"))
    assert first == second == {"pairs": [[1, 2], ["x", 3]], "tuple": [1, 2]}
    assert kept.from_pairs(second["pairs"]) == {1: 2, "x": 3}


def test_several_values_are_read_in_one_query(db, django_assert_num_queries):
    caching.content_version()
    kept.kept_values({"a": lambda: 1, "b": lambda: 2})
    kept.forget()
    with django_assert_num_queries(1):
        assert kept.prefetch(["a", "b", "c"]) == {"a": 1, "b": 2}
        # Remembered for the request, and so is what is missing.
        assert kept.kept("a", lambda: pytest.fail("computed again")) == 1
        kept.prefetch(["c"])


def test_a_second_store_of_the_same_version_replaces_the_first(db):
    # Two readers after one edit both computed: the second upsert wins, no error.
    kept.kept_values({"k": lambda: 1})
    kept.forget()
    kept._store({"k": 1}, caching.content_version())
    assert KeptCount.objects.get(key="k").value == 1


def test_a_failed_store_still_gives_the_value(db, monkeypatch):
    def locked(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(KeptCount.objects, "bulk_create", locked)
    assert kept.kept("k", lambda: 5) == 5
    assert not KeptCount.objects.exists()


def test_the_count_cache_holds_kept_values_too(db, settings, django_assert_num_queries):
    settings.CONTENT_CACHE_SECONDS = 60
    kept.kept("k", lambda: 7)
    kept.forget()
    caching.content_version()
    with django_assert_num_queries(0):
        assert kept.kept("k", lambda: pytest.fail("computed again")) == 7
