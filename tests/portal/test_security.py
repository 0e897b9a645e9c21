import importlib
import logging

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import clear_url_caches, reverse

from portal.security import client_ip

PASSWORD = "a-long-editor-passphrase"


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values for name, *values in (directive.split() for directive in policy.split(";"))
    }


def get_secure(client, path):
    response = client.get(path, secure=True)
    if response.status_code == 404:
        pytest.skip(f"{path} is not served yet")
    assert response.status_code == 200
    return response


@pytest.fixture
def admin_login_url():
    return reverse("admin:login")


@pytest.mark.parametrize("path", ["/", "/api/actions/", "/healthz", "admin-login"])
def test_every_response_carries_the_security_headers(client, production_settings, paper, path):
    if path == "admin-login":
        path = reverse("admin:login")
    response = get_secure(client, path)

    hsts = response.headers["Strict-Transport-Security"]
    assert int(hsts.split(";")[0].removeprefix("max-age=")) >= 365 * 24 * 60 * 60
    assert "includeSubDomains" in hsts
    assert "preload" in hsts
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


@pytest.mark.parametrize("path", ["/", "/api/actions/", "admin-login"])
def test_the_content_security_policy_allows_only_the_sites_own_files(
    client, production_settings, paper, path
):
    if path == "admin-login":
        path = reverse("admin:login")
    directives = csp_directives(get_secure(client, path))

    assert directives["default-src"] == ["'none'"]
    for name in ("script-src", "style-src", "font-src", "connect-src", "form-action"):
        assert directives[name] == ["'self'"], name
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    policy = " ".join(value for values in directives.values() for value in values)
    assert "unsafe" not in policy


def test_plain_http_is_redirected_to_https(client, production_settings, paper):
    response = client.get("/actions/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/actions/"


def test_the_health_check_answers_over_plain_http_for_the_load_balancer(
    client, production_settings, db
):
    assert client.get("/healthz").status_code == 200


def test_cookies_are_secure_httponly_and_same_site(client, production_settings, editor):
    login_page = client.get(reverse("admin:login"), secure=True)
    response = client.post(
        reverse("admin:login"),
        {"username": editor.username, "password": PASSWORD},
        secure=True,
    )

    assert response.status_code == 302
    for cookie in (login_page.cookies["csrftoken"], response.cookies["sessionid"]):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


def test_an_editors_session_lapses_after_two_idle_hours_and_is_renewed_by_each_visit(
    client, production_settings, editor
):
    client.post(
        reverse("admin:login"), {"username": editor.username, "password": PASSWORD}, secure=True
    )

    response = client.get(reverse("admin:index"), secure=True)

    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 2 * 60 * 60


def test_a_sixth_login_attempt_is_refused_even_with_the_right_password(
    client, production_settings, editor, caplog
):
    caplog.set_level(logging.WARNING, logger="axes")
    statuses = [
        client.post(
            reverse("admin:login"), {"username": editor.username, "password": "wrong"}, secure=True
        ).status_code
        for _ in range(5)
    ]

    refused = client.post(
        reverse("admin:login"), {"username": editor.username, "password": PASSWORD}, secure=True
    )

    # The fifth failure is the one that locks.
    assert statuses == [200, 200, 200, 200, 429]
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert any(message.startswith("AXES: Locking out") for message in caplog.messages)


def test_a_lockout_applies_to_one_address_only(client, production_settings, editor):
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": editor.username, "password": "wrong"},
            secure=True,
            REMOTE_ADDR="203.0.113.9",
        )

    response = client.post(
        reverse("admin:login"),
        {"username": editor.username, "password": PASSWORD},
        secure=True,
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 302


def test_an_anonymous_visit_sets_no_cookie(client, production_settings, paper):
    response = client.get("/", secure=True)

    assert not response.cookies


def test_the_client_address_ignores_forwarded_headers_unless_proxies_are_trusted(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"


@pytest.fixture
def admin_at_backstage(settings):
    original = settings.ADMIN_URL
    settings.ADMIN_URL = "backstage/"
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()
    yield
    settings.ADMIN_URL = original
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


def test_the_admin_moves_to_admin_url(client, admin_at_backstage, editor):
    client.force_login(editor)

    assert client.get("/backstage/").status_code == 200
    assert client.get("/admin/").status_code == 404
    assert reverse("admin:index") == "/backstage/"


def test_the_lockout_does_not_lock_other_users(client, production_settings, editor):
    other = User.objects.create_user("olu", password=PASSWORD, is_staff=True)
    for _ in range(6):
        client.post(
            reverse("admin:login"), {"username": editor.username, "password": "wrong"}, secure=True
        )

    response = client.post(
        reverse("admin:login"), {"username": other.username, "password": PASSWORD}, secure=True
    )

    assert response.status_code == 302
