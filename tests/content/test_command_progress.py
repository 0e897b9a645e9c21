"""Long commands show progress on a terminal and stay quiet when not on one."""

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from tests.portal.conftest import ROOT

# What a tqdm bar (or Django's dumpdata bar) writes.
BAR_MARKS = ("\r", "it/s", "%|", "[....", "Indexing ", "Loading ")


def run(args, db_path, **kwargs):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{db_path}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
        **kwargs,
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    path = tmp_path_factory.mktemp("commands") / "db.sqlite3"
    result = run(["migrate", "--noinput"], path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return path


def test_without_a_terminal_the_long_commands_print_no_progress(database, tmp_path):
    backup = tmp_path / "backup.xml"
    commands = [
        ["load_content"],
        ["rebuild_search_index"],
        ["backup_content", str(backup)],
        ["restore_content", "--force", str(backup)],
    ]
    for args in commands:
        result = run(args, database, capture_output=True, text=True)
        assert result.returncode == 0, (args, result.stderr)
        for mark in BAR_MARKS:
            assert mark not in result.stderr, (args, mark, result.stderr)
            assert mark not in result.stdout, (args, mark, result.stdout)


def test_generate_content_without_a_terminal_prints_only_its_summary(tmp_path):
    path = tmp_path / "generated.sqlite3"
    assert run(["migrate", "--noinput"], path, capture_output=True).returncode == 0
    result = run(["generate_content", "--outputs", "60"], path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("Generated ")
    assert all(mark not in result.stdout for mark in BAR_MARKS)


def on_a_terminal(args, db_path):
    """Run with standard error on a pseudo-terminal; returns what it showed there."""
    leader, follower = pty.openpty()
    # A terminal 100 columns wide: a new pseudo-terminal has none, and no room for a bar.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{db_path}",
        },
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=300)
    os.close(leader)
    assert process.returncode == 0, shown
    return shown.decode(errors="replace")


def test_on_a_terminal_the_rebuild_shows_progress(database):
    shown = on_a_terminal(["rebuild_search_index"], database)
    assert "Indexing outputs" in shown
    assert "\r" in shown
