"""manage.py run as a person would, in a fresh process."""

import os
import subprocess
import sys

from tests.portal.conftest import ROOT


def manage(*args, **env):
    full_env = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}
    }
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**full_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_command_without_debug_or_secret_key_says_in_one_line_what_to_set():
    result = manage("check")

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY must be set" in lines[0]
    assert "DEBUG=1" in lines[0]


def test_a_malformed_setting_is_named_in_one_line():
    result = manage("check", DEBUG="perhaps")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "manage.py: DEBUG must be a boolean (1/0, true/false), not 'perhaps'."
    ]


def test_with_debug_on_the_command_runs():
    result = manage("check", DEBUG="1", DATABASE_URL="sqlite:///:memory:")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_make_run_serves_on_the_port_given():
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=8001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "runserver 127.0.0.1:8001" in dry_run.stdout
    assert "8000" not in dry_run.stdout
