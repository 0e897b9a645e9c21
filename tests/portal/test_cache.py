import logging
import socket
import uuid

import pytest
from django.core.cache import cache

# Nothing listens on port 1: every connection is refused at once.
DEAD_REDIS = {
    "default": {
        "BACKEND": "portal.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def redis_is_running():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.parametrize(
    "path", ["/", "/actions/?stage=practical_steps", "/search/?q=data", "/healthz"]
)
def test_pages_are_served_while_the_cache_is_down(client, settings, paper, path):
    settings.CACHES = DEAD_REDIS

    assert client.get(path).status_code == 200


def test_a_dead_cache_behaves_as_an_empty_one_and_says_so_in_the_log(settings, caplog):
    settings.CACHES = DEAD_REDIS

    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        cache.set("answer", 42)
        assert cache.get("answer") is None
        assert cache.get("answer", "fallback") == "fallback"
        assert cache.get_or_set("answer", lambda: 42) == 42
        assert cache.get_many(["answer"]) == {}
        assert cache.add("answer", 1) is False
        assert cache.delete("answer") is False
        with pytest.raises(ValueError, match="not found"):
            cache.incr("answer")

    assert "Cache unavailable" in caplog.text
    assert "Connection refused" in caplog.text


@pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")
def test_a_running_redis_keeps_what_it_is_given(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
            "KEY_PREFIX": f"portal-test-{uuid.uuid4()}",
        }
    }

    cache.set("answer", {"value": 42}, timeout=30)
    cache.add("visits", 0, timeout=30)

    assert cache.get("answer") == {"value": 42}
    assert cache.incr("visits") == 1
    cache.delete_many(["answer", "visits"])
    assert cache.get("answer") is None
