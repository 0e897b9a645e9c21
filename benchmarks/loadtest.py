"""A bounded load test: concurrent clients against gunicorn with production settings.

    .venv/bin/python benchmarks/loadtest.py --seconds 20 --clients 8

Creates a temporary SQLite database, migrates it, loads the shipped content,
collects the static files, starts gunicorn from gunicorn.conf.py on 127.0.0.1
with DEBUG off, then sends a fixed number of requests from a fixed number of
client threads to the finder, search, a working group page and the API, until
the requests are done or the time limit is reached (requests under way then get
30 seconds more). Prints latency percentiles and requests per second for each
URL, stops gunicorn, and exits non-zero if any request failed. Not part of the
test suite.
"""

import argparse
import itertools
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# No request starts after the time limit; those under way get this long to finish.
REQUEST_TIMEOUT = 30


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests in all (2000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (8)")
    parser.add_argument("--seconds", type=float, default=60, help="hard time limit (60)")
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py's rule)")
    parser.add_argument("--cache-url", default="", help="e.g. redis://127.0.0.1:6379/1")
    return parser.parse_args()


def fetch(url, timeout=30):
    # As the TLS-terminating proxy would forward it; gunicorn trusts 127.0.0.1.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()
        return response.status


def manage(env, *args):
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def percentile(ordered, fraction):
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Server:
    def __init__(self, env, args, log):
        command = [str(BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{args.port}"]
        if args.workers:
            command += ["--workers", str(args.workers)]
        self.base = f"http://127.0.0.1:{args.port}"
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)

    def wait_until_up(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                fetch(self.base + "/healthz", timeout=5)
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn did not answer /healthz within a minute")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def targets(server, database):
    with sqlite3.connect(database) as db:
        theme = db.execute("SELECT slug FROM insights_theme ORDER BY id LIMIT 1").fetchone()[0]
        group = db.execute(
            "SELECT slug FROM workinggroups_workinggroup ORDER BY id LIMIT 1"
        ).fetchone()[0]
    urls = {
        "finder": f"/actions/?theme={theme}",
        "search": "/search/?q=data",
        "working group": f"/working-groups/{group}/",
        "api": "/api/actions/",
    }
    for label, path in list(urls.items()):
        try:
            fetch(server.base + path)
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
            print(f"skipping {label}: {path} answers 404 (not built yet)")
            del urls[label]
    return urls


def run_load(server, urls, args):
    jobs = itertools.islice(itertools.cycle(urls.items()), args.requests)
    lock = threading.Lock()
    results = {label: [] for label in urls}
    errors = {label: [] for label in urls}
    deadline = time.monotonic() + args.seconds

    def client():
        while time.monotonic() < deadline:
            with lock:
                job = next(jobs, None)
            if job is None:
                return
            label, path = job
            started = time.perf_counter()
            try:
                status = fetch(server.base + path, timeout=REQUEST_TIMEOUT)
                outcome = None if status == 200 else f"HTTP {status}"
            except OSError as error:
                outcome = str(error)
            elapsed = time.perf_counter() - started
            with lock:
                if outcome is None:
                    results[label].append(elapsed)
                else:
                    errors[label].append(outcome)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 1)
    return results, errors, time.monotonic() - started


def report(urls, results, errors, wall, args):
    print(f"\n{args.clients} clients, {wall:.1f} s, limit {args.requests} requests")
    print(
        f"{'url':<40} {'ok':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'req/s':>7}"
    )
    for label, path in urls.items():
        times = sorted(results[label])
        if times:
            p50, p95, p99 = (percentile(times, f) * 1000 for f in (0.50, 0.95, 0.99))
        else:
            p50 = p95 = p99 = float("nan")
        print(
            f"{path[:40]:<40} {len(times):>6} {len(errors[label]):>6} "
            f"{p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {len(times) / wall:>7.1f}"
        )
    done = sum(len(times) for times in results.values())
    failed = sum(len(errs) for errs in errors.values())
    print(f"{'all':<40} {done:>6} {failed:>6} {'':>8} {'':>8} {'':>8} {done / wall:>7.1f}")
    for label, errs in errors.items():
        for error in sorted(set(map(str, errs)))[:3]:
            print(f"  {label}: {error}")
    return failed


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-loadtest-") as tmp:
        database = Path(tmp) / "db.sqlite3"
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{database}",
            "STATIC_ROOT": str(Path(tmp) / "static"),
            "CACHE_URL": args.cache_url,
            "LOG_LEVEL": "WARNING",
        }
        print("Preparing a database with the shipped content...")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_content")
        manage(env, "collectstatic", "--noinput", "-v0")
        log_path = Path(tmp) / "gunicorn.log"
        with log_path.open("w") as log:
            server = Server(env, args, log)
            try:
                server.wait_until_up()
                urls = targets(server, database)
                results, errors, wall = run_load(server, urls, args)
            finally:
                server.stop()
        failed = report(urls, results, errors, wall, args)
        if failed:
            print("\nLast lines of gunicorn's log:")
            print("\n".join(log_path.read_text().splitlines()[-20:]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
