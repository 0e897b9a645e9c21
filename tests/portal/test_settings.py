import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.portal.conftest import PRODUCTION_ENV, load_settings

DEPLOY_CHECK = (
    "from django.core.management import call_command\n"
    "call_command('check', deploy=True, fail_level='WARNING')\n"
)


def test_production_settings_pass_the_deployment_checks(run_django):
    result = run_django(DEPLOY_CHECK)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_checks_catch_a_weak_secret_key(run_django):
    result = run_django(DEPLOY_CHECK, SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings(**{**PRODUCTION_ENV, "SECRET_KEY": ""})


def test_a_malformed_boolean_fails_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="SECURE_SSL_REDIRECT"):
        load_settings(**PRODUCTION_ENV, SECURE_SSL_REDIRECT="perhaps")


def test_production_defaults_to_https_only():
    production = load_settings(**PRODUCTION_ENV)

    assert production.SECURE_SSL_REDIRECT is True
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 60 * 60
    assert not hasattr(production, "SECURE_PROXY_SSL_HEADER")


def test_behind_a_tls_proxy_the_forwarded_scheme_is_trusted():
    production = load_settings(**PRODUCTION_ENV, BEHIND_TLS_PROXY="1")

    assert production.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_cache_url_selects_redis_that_survives_an_outage():
    production = load_settings(**PRODUCTION_ENV, CACHE_URL="redis://cache.internal:6379/1")

    cache = production.CACHES["default"]
    assert cache["BACKEND"] == "portal.cache.ResilientRedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/1"


def test_without_cache_url_each_process_caches_in_memory():
    production = load_settings(**{**PRODUCTION_ENV, "CACHE_URL": ""})

    assert production.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def test_admins_and_mail_server_come_from_the_environment():
    production = load_settings(
        **PRODUCTION_ENV,
        ADMINS="Jo Bloggs <jo@example.org>, ops@example.org",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        SERVER_EMAIL="portal@example.org",
    )

    assert production.ADMINS == [("Jo Bloggs", "jo@example.org"), ("", "ops@example.org")]
    assert (production.EMAIL_HOST, production.EMAIL_PORT) == ("smtp.example.org", 587)
    assert production.EMAIL_USE_TLS is True
    assert production.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    assert production.SERVER_EMAIL == "portal@example.org"


def test_admin_url_is_read_without_its_slashes():
    production = load_settings(**PRODUCTION_ENV, ADMIN_URL="/backstage")

    assert production.ADMIN_URL == "backstage/"


def test_collectstatic_writes_hashed_compressed_files(run_django, tmp_path):
    result = run_django(
        "from django.core.management import call_command\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n",
        STATIC_ROOT=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/portal.css"]
    assert hashed != "css/portal.css"
    assert (tmp_path / hashed).exists()
    assert (tmp_path / f"{hashed}.gz").exists()


def test_the_deployment_checks_ask_for_a_contact_address(run_django):
    result = run_django(DEPLOY_CHECK, CONTACT_EMAIL="")

    assert result.returncode != 0
    assert "browse.W001" in result.stderr
    assert "CONTACT_EMAIL is not set" in result.stderr
