import logging
import socket
import threading
import time
import uuid

import pytest
from django.core.cache import cache

from portal import cache as resilient_cache

# Nothing listens on port 1: every connection is refused at once.
DEAD_REDIS = {
    "default": {
        "BACKEND": "portal.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture(autouse=True)
def closed_circuits():
    """Each test starts with no Redis address being skipped by this process."""
    resilient_cache._skipped_until.clear()
    yield
    resilient_cache._skipped_until.clear()


def hanging_redis(port):
    return {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def silent_listener():
    """A server that accepts connections and never answers; counts the connections."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    accepted, stop, held = [], threading.Event(), []

    def serve():
        while not stop.is_set():
            try:
                connection, _address = server.accept()
            except TimeoutError:
                continue
            accepted.append(time.monotonic())
            held.append(connection)  # kept open, never read

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_a_hanging_redis_costs_one_timeout_per_interval(client, settings, paper, silent_listener):
    port, accepted = silent_listener
    settings.CACHES = hanging_redis(port)
    settings.CACHE_RETRY_SECONDS = 60

    started = time.monotonic()
    for path in ["/actions/?stage=practical_steps", "/api/actions/", "/"]:
        assert client.get(path).status_code == 200
    elapsed = time.monotonic() - started

    # Each cache call would otherwise open a connection and wait 0.5 s on it.
    assert len(accepted) == 1
    assert elapsed < 3, elapsed


def test_after_the_interval_the_cache_is_tried_again(settings, silent_listener, caplog):
    port, accepted = silent_listener
    settings.CACHES = hanging_redis(port)
    settings.CACHE_RETRY_SECONDS = 1

    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert cache.get("answer") is None
        assert cache.get("answer") is None
        time.sleep(1.1)
        assert cache.get("answer") is None

    assert len(accepted) == 2
    assert caplog.text.count("Cache unavailable") == 2


def test_a_closed_port_is_logged_once_per_interval_not_per_call(client, settings, paper, caplog):
    settings.CACHES = DEAD_REDIS
    settings.CACHE_RETRY_SECONDS = 60

    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for path in ["/", "/actions/?stage=practical_steps", "/api/actions/"]:
            assert client.get(path).status_code == 200

    warnings = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(warnings) == 1
    assert "for 60 s" in warnings[0].getMessage()


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
