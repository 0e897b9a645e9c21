import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a production deployment sets, per the README.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver,portal.example.org",
    "CONTACT_EMAIL": "portal@example.org",
}

# The settings that decide the response headers and cookies a visitor gets.
SECURITY_SETTINGS = [
    "MIDDLEWARE",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
]
SECURITY_PREFIXES = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_")


def load_settings(**env):
    """Execute portal/settings.py afresh with `env` on top of the current environment."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        spec = importlib.util.spec_from_file_location(
            "settings_under_test", ROOT / "portal" / "settings.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def production_settings(settings):
    """Give the running site the security settings it would have in production."""
    production = load_settings(**PRODUCTION_ENV)
    for name in dir(production):
        if name in SECURITY_SETTINGS or name.startswith(SECURITY_PREFIXES):
            setattr(settings, name, getattr(production, name))
    return settings


@pytest.fixture
def run_django():
    """Run Python code with Django set up in a fresh process with production settings."""

    def run(code, **env):
        full_env = {**os.environ, **PRODUCTION_ENV, **env}
        # The browser tests allow it for their own process; production never does.
        full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        prelude = "import django; django.setup()\n"
        return subprocess.run(
            [sys.executable, "-c", prelude + code],
            cwd=ROOT,
            env={**full_env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run
