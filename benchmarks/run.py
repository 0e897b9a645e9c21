"""Benchmark the portal's pages at two scales on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/run.py --reuse    # full run (see benchmarks/README.md)
    .venv/bin/python benchmarks/run.py --quick    # SQLite, 1,000 outputs, few requests

For each database and scale it makes a database (SQLite in /tmp, PostgreSQL
<prefix>_1k / <prefix>_100k; `--reuse` keeps one that already holds the
generated content), migrates, runs `generate_content`, and measures each page
over real HTTP on gunicorn (one sync worker, DEBUG off) with a fixed number
of sequential requests, the scales' servers served side by side and asked in
turn so that load from elsewhere on the machine weighs on both alike.

First the uncached series: servers with every cache off
(`PAGE_CACHE_SECONDS=0 CONTENT_CACHE_SECONDS=0`), so each page is built from
the database, the trivial view and the Django admin's outputs list (with an
editor's session) measured alongside; every target of issue 17 is judged as
a ratio within it. Then the warm series on servers with the caches on, as
readers get pages between edits (and with `--cold`, the first request after
an edit). The CSV export's memory is the worker's peak resident size (VmHWM),
read from /proc before and after one export on a freshly started server.
Results go to benchmarks/results.md (and results.json beside it) and standard
output. Not part of the test suite.
"""

import argparse
import contextlib
import json
import os
import platform
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BASE = PG_ADMIN.rsplit("/", 1)[0]
SEED = 42
WARMUP = 3
TIMED_OUT = -1
REDIRECTED = 302
ANALYSIS_MARKER = "<!-- analysis: kept when run.py rewrites this file -->"
PAGE_TIMEOUT, CSV_TIMEOUT = 15, 120  # seconds per request
PAGE_BUDGET, MIN_ROUNDS = 25, 5  # seconds of timed requests per page and scale
TRIVIAL = "/healthz"  # one SELECT 1 through the whole middleware stack
# Redis database for the benchmark's caches; each engine and scale has its own key prefix.
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14")
SERIES = {
    "uncached": "uncached (every cache off)",
    "warm": "warm (between edits)",
    "cold": "cold (first request after an edit)",
}
# What a reader types; generate_content's word list uses it in subjects and objects.
WORD = "procurement"
ADMIN = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"
# Pages asked with an editor's session.
SIGNED_IN = ("admin: outputs list", "admin: outputs list searched")
# Never page-cached: no cold series for them.
NOT_CACHED = ("trivial", "CSV export", *SIGNED_IN)
# Rows of the report that are not pages with targets of their own.
NOT_PAGES = ("trivial", "CSV export")
CSV_ROUNDS = 3

# Targets (issue 17), judged on the uncached series.
TIMES_TRIVIAL = {
    "finder": 30,
    "finder: theme + partner": 30,
    "search": 30,
    "finder: words": 50,
    "home": 20,
    "consultation": 20,
    "partner": 20,
    "progress tracker": 20,
    "working group": 15,
    "action": 15,
    "API list": 15,
    "admin: outputs list": 40,
}
GROWTH_TARGET = 1.5
GROWTH = {"search": 2.0, "finder: words": 2.0}
SQLITE_TARGET = 1.5
ADMIN_SHARE, ADMIN_TIMES = 0.5, 40
CSV_RATE = 30_000
CSV_GROWTH_MB = 8


def scale_name(n):
    return f"{n // 1000}k" if n >= 1000 else str(n)


@dataclass
class Measurement:
    label: str
    path: str
    status: int = 0
    times: list = field(default_factory=list)
    note: str = ""
    # Timed responses that carried X-Page-Cache, and how many of them said "hit".
    cache_seen: int = 0
    cache_hits: int = 0
    cold: bool = False
    warning: str = ""  # what went wrong with a cold series

    @property
    def available(self):
        return self.status == 200

    @property
    def median_ms(self):
        return statistics.median(self.times) * 1000

    @property
    def p95_ms(self):
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000

    @property
    def per_second(self):
        # Requests one client gets through back to back: the rounds interleave
        # servers, so wall time would count the other server's requests too.
        return len(self.times) / sum(self.times)

    @property
    def hit_fraction(self):
        """Share of timed responses served from the page cache; None if not page-cached."""
        return self.cache_hits / self.cache_seen if self.cache_seen else None

    def as_dict(self):
        if not self.available:
            return {"status": self.status}
        return {
            "status": self.status,
            "requests": len(self.times),
            "median_ms": round(self.median_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "per_second": round(self.per_second, 1),
            "page_cached": bool(self.cache_seen),
            "hit_fraction": None if self.hit_fraction is None else round(self.hit_fraction, 3),
        }


class Server:
    """gunicorn with one sync worker, so one process serves every request and
    its peak memory is that of the requests measured."""

    def __init__(self, env, port, log):
        self.env, self.port, self.log = env, port, log
        self.process = None
        self.cookie = None  # an editor's session, for the admin pages

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see its log")
            try:
                fetch(self.url("/healthz"), timeout=30)
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within a minute")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_pid(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split()
        if len(pids) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {pids}")
        return int(pids[0])

    def replace_worker(self):
        """Kill the worker stuck on a timed-out request; the master starts another."""
        os.kill(self.worker_pid(), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.5)
            with contextlib.suppress(RuntimeError, OSError):
                if fetch(self.url("/healthz"), timeout=10)[0] != TIMED_OUT:
                    return
        raise RuntimeError("gunicorn did not replace its worker within a minute")

    def worker_memory_kb(self, key):
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"no {key} in /proc status")


def fetch(url, timeout=120, cookie=None):
    """GET `url` (as a reader without a session, unless `cookie` is given); return
    (status, body size, the X-Page-Cache header or None), status TIMED_OUT after
    `timeout` seconds. A new connection each time: gunicorn's sync workers close them."""
    headers = {"User-Agent": "portal-benchmark"}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.url != url:  # redirected (to the login page): not the page asked for
                return REDIRECTED, 0, None
            size = 0
            while chunk := response.read(65536):
                size += len(chunk)
            return response.status, size, response.headers.get("X-Page-Cache")
    except urllib.error.HTTPError as error:
        return error.code, 0, None
    except TimeoutError:
        return TIMED_OUT, 0, None


class ContentVersion:
    """Replaces the content version token in a server's database, as any edit does,
    so that every cached page and count of that server misses afterwards."""

    def __init__(self, database_url):
        if database_url.startswith("sqlite:///"):
            path = database_url.removeprefix("sqlite:///")
            self.connection = sqlite3.connect(path, timeout=20)
            self.sql = "UPDATE insights_contentversion SET token = ? WHERE id = 1"
        else:
            import psycopg

            self.connection = psycopg.connect(database_url)
            self.sql = "UPDATE insights_contentversion SET token = %s WHERE id = 1"

    def bump(self):
        updated = self.connection.execute(self.sql, (secrets.token_hex(16),)).rowcount
        self.connection.commit()
        if updated != 1:
            raise RuntimeError("no content version row (id = 1) to replace")

    def close(self):
        self.connection.close()


def redis_reachable(url):
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except Exception:
        return False


def measure(targets, rounds, timeout, cold=False, skip=()):
    """Time `rounds` requests to each (server, (label, path[, note]), content version)
    target, taking the targets in turn within each round.

    Warm (the default): after WARMUP untimed requests, as readers get the page
    between edits; the share of responses that were page-cache hits is kept.
    Cold: no warm-up; before each timed request the server's content version is
    replaced (untimed), so the page and every count it uses miss the cache. A
    cold response that still says `X-Page-Cache: hit` is not counted and is
    reported. Targets whose index is in `skip` are not asked at all.

    A page that does not answer 200 is left out from then on; one that takes
    longer than `timeout` seconds is reported as timed out, and its worker
    replaced so that it does not hold up the next page. A page also stops
    once it has used PAGE_BUDGET seconds, with at least MIN_ROUNDS timings,
    which bounds the run however slow a page is."""
    results = [
        Measurement(label, path, note=note[0] if note else "", cold=cold)
        for _, (label, path, *note), _version in targets
    ]
    skipped = set(skip)

    def get(server, result, version):
        if cold:
            version.bump()
        started = time.perf_counter()
        cookie = server.cookie if result.label in SIGNED_IN else None
        result.status, _size, cache = fetch(server.url(result.path), timeout, cookie)
        elapsed = time.perf_counter() - started
        if result.status == TIMED_OUT:
            server.replace_worker()
        return elapsed, cache

    if not cold:
        for (server, _page, version), result in zip(targets, results, strict=True):
            for _ in range(WARMUP):
                elapsed, _cache = get(server, result, version)
                if elapsed > PAGE_BUDGET / MIN_ROUNDS or result.status != 200:
                    break
    unexpected_hits = [0] * len(results)
    for _ in range(rounds):
        for index, ((server, _page, version), result) in enumerate(
            zip(targets, results, strict=True)
        ):
            spent = sum(result.times)
            if (
                index in skipped
                or result.status not in (0, 200)
                or (spent > PAGE_BUDGET and len(result.times) >= MIN_ROUNDS)
            ):
                continue
            elapsed, cache = get(server, result, version)
            if result.status != 200:
                continue
            if cold and cache == "hit":
                unexpected_hits[index] += 1
                continue
            result.times.append(elapsed)
            if cache is not None:
                result.cache_seen += 1
                result.cache_hits += cache == "hit"
    for result, hits in zip(results, unexpected_hits, strict=True):
        if hits:
            result.warning = f"**{hits} cold responses were cache hits, left out**"
        if result.status == 200 and not result.times:
            result.status = 0  # every answer was left out: nothing measured
    return results


def manage(env, *args):
    completed = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


def database_url(engine, outputs, prefix):
    name = f"{prefix}_{scale_name(outputs)}"
    if engine == "sqlite":
        return f"sqlite:////tmp/{name}.sqlite3"
    return f"{PG_BASE}/{name}"


def fresh_database(url):
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def generated_outputs(url):
    """How many outputs the database at `url` holds, or None if it has none or no tables."""
    try:
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if not Path(path).exists():
                return None
            with contextlib.closing(sqlite3.connect(path)) as connection:
                return connection.execute("SELECT COUNT(*) FROM workinggroups_output").fetchone()[0]
        import psycopg

        with psycopg.connect(url) as connection:
            return connection.execute("SELECT COUNT(*) FROM workinggroups_output").fetchone()[0]
    except Exception:
        return None


PROBE = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from insights.models import Organisation, Theme
from taggit.models import Tag
from workinggroups.models import Output, Stage
outputs = Output.objects.published()
def count(**filters):
    return outputs.filter(**filters).distinct().count()
themes = list(Theme.objects.with_output_counts().order_by("-output_count", "slug"))
partners = list(Organisation.objects.with_output_counts().order_by("-output_count", "slug")[:20])
tags = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n", "slug")[:20]
candidates = {f"theme={t.slug}": t.output_count for t in themes}
candidates.update({f"partner={p.slug}": p.output_count for p in partners})
candidates.update({f"tag={t.slug}": count(tags=t) for t in tags})
for t in themes[:3]:
    for s in Stage:
        candidates[f"theme={t.slug}&stage={s.value}"] = count(themes=t, stage=s)
# A superuser's session for the admin pages (the benchmark's own account).
# Its password is set once: a new one would end the sessions of a run already going.
user, created = User.objects.get_or_create(username="benchmark-editor")
user.is_staff = user.is_superuser = True
if created:
    user.set_unusable_password()
user.save()
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.set_expiry(24 * 3600)
session.create()
print(json.dumps({
    "total": outputs.count(),
    "theme": themes[0].slug,
    "partner": partners[0].slug,
    "partner_outputs": partners[0].output_count,
    "theme_and_partner": count(themes=themes[0], partners=partners[0]),
    "word": count(text__icontains=%(word)r),
    "action": outputs.in_paper_order().values_list("reference", flat=True).first(),
    "csv": candidates,
    "session": session.session_key,
}))
"""


def probe(env):
    """Slugs to put in URLs, filters whose exports give about 1k and 10k rows, and
    an editor's session for the admin."""
    return json.loads(manage(env, "shell", "-c", PROBE % {"word": WORD}).strip().splitlines()[-1])


def closest(candidates, rows):
    query = min(candidates, key=lambda q: (abs(candidates[q] - rows), q))
    return query, candidates[query]


def pages(facts):
    return [
        ("home", "/"),
        ("consultation", "/consultations/generated-0001/"),
        ("working group", "/working-groups/generated-gen0001-p1-wg1/"),
        ("action", f"/actions/{facts['action']}/"),
        ("finder", "/actions/"),
        (
            "finder: theme + partner",
            f"/actions/?theme={facts['theme']}&partner={facts['partner']}",
            f"{facts['theme_and_partner']} matches",
        ),
        ("finder: words", f"/actions/?q={WORD}", f"{facts['word']} matches"),
        ("search", f"/search/?q={WORD}"),
        (
            "partner",
            f"/partners/{facts['partner']}/",
            f"named by {facts['partner_outputs']} actions",
        ),
        ("progress tracker", "/progress/"),
        ("API list", "/api/actions/"),
        ("admin: outputs list", f"/{ADMIN}workinggroups/output/", "signed in"),
        ("admin: outputs list searched", f"/{ADMIN}workinggroups/output/?q={WORD}", "signed in"),
    ]


def environment(database_url, cache_url, cache_prefix, series):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        # The session cookie is sent over plain HTTP here.
        "SESSION_COOKIE_SECURE": "0",
        # No worker recycling mid-measurement: it would reset the memory readings.
        "GUNICORN_MAX_REQUESTS": "0",
        "DATABASE_URL": database_url,
    }
    for name in ("CACHE_URL", "PAGE_CACHE_SECONDS", "CONTENT_CACHE_SECONDS"):
        env.pop(name, None)
    if cache_url:
        env.update(CACHE_URL=cache_url, CACHE_KEY_PREFIX=cache_prefix)
    if series == "uncached":
        env.update(PAGE_CACHE_SECONDS="0", CONTENT_CACHE_SECONDS="0")
    return env


def prepare(engine, outputs, cache_url, prefix, reuse):
    """A database of `outputs` generated actions (reused if asked and already
    there); what the pages will ask for."""
    cache_prefix = f"bench-{engine}-{outputs}"
    url = database_url(engine, outputs, prefix)
    env = environment(url, cache_url, cache_prefix, "warm")
    print(f"\n== {engine}, {outputs:,} outputs ({url})", flush=True)
    generation = None
    if reuse and generated_outputs(url) == outputs:
        manage(env, "migrate", "--noinput", "-v0")
        generated = f"Reused the database of {outputs:,} generated outputs (seed {SEED})."
    else:
        fresh_database(url)
        manage(env, "migrate", "--noinput", "-v0")
        started = time.perf_counter()
        generated = manage(env, "generate_content", "--outputs", str(outputs), "--seed", str(SEED))
        generation = time.perf_counter() - started
        generated = next(line for line in generated.splitlines() if line.startswith("Generated"))
    manage(env, "collectstatic", "--noinput", "-v0")
    print(generated, flush=True)
    facts = probe(env)
    return {
        "engine": engine,
        "outputs": outputs,
        "url": url,
        "cache_prefix": cache_prefix,
        "cache": {"url": cache_url, "key_prefix": cache_prefix} if cache_url else None,
        "facts": facts,
        "generated": generated,
        "generation_seconds": None if generation is None else round(generation, 1),
        "csv_small": closest(facts["csv"], 10_000),
    }


def run_engine(engine, scales, options, log, cache_url):
    """Serve every scale at once and alternate between them request by request, so
    that other load on the machine slows both scales alike and the ratio holds.
    The uncached series runs first, on servers with every cache off; then the warm
    series (and the cold one, if asked) on servers with the caches on."""
    configs = [
        prepare(engine, outputs, cache_url, options.db_prefix, options.reuse) for outputs in scales
    ]
    for c in configs:
        c["pages"] = [("trivial", TRIVIAL), *pages(c["facts"])]
        c["pages"].append(("CSV export", "/actions.csv", f"{c['facts']['total']:,} rows"))
        c["results"] = {label: {"label": label, "path": path, "note": note[0] if note else ""}
                        for label, path, *note in c["pages"]}  # fmt: skip
    series = ["uncached", "warm", *(["cold"] if options.cold else [])]
    for name in series:
        print(f"  -- {SERIES[name]}", flush=True)
        with contextlib.ExitStack() as stack:
            servers = []
            for i, c in enumerate(configs):
                env = environment(c["url"], cache_url, c["cache_prefix"], name)
                server = stack.enter_context(Server(env, options.port + i, log))
                server.cookie = f"sessionid={c['facts']['session']}"
                servers.append(server)
            versions = [
                stack.enter_context(contextlib.closing(ContentVersion(c["url"]))) for c in configs
            ]
            for index, (label, *_rest) in enumerate(configs[0]["pages"]):
                is_csv = label == "CSV export"
                if (is_csv and name != "uncached") or (name == "cold" and label in NOT_CACHED):
                    continue
                targets = [
                    (server, c["pages"][index], version)
                    for server, c, version in zip(servers, configs, versions, strict=True)
                ]
                rounds = options.cold_requests if name == "cold" else options.requests
                found = measure(
                    targets,
                    CSV_ROUNDS if is_csv else rounds,
                    CSV_TIMEOUT if is_csv else PAGE_TIMEOUT,
                    cold=name == "cold",
                )
                print(f"  {label:28} {name:8} " + "  |  ".join(map(describe, found)), flush=True)
                for c, m in zip(configs, found, strict=True):
                    c["results"][label][name] = {**m.as_dict(), "note": m.warning}
    runs = []
    for c in configs:
        memory = {}
        if c["outputs"] >= 10_000:
            env = environment(c["url"], cache_url, c["cache_prefix"], "uncached")
            exports = (c["csv_small"], ("", c["facts"]["total"]))
            for query, rows in exports:
                memory[rows] = csv_memory(env, options.port, log, query)
                print(f"  CSV {rows:,} rows: worker peak +{memory[rows] / 1024:.1f} MB", flush=True)
        runs.append(
            {
                "engine": engine,
                "outputs": c["outputs"],
                "total": c["facts"]["total"],
                "generated": c["generated"],
                "generation_seconds": c["generation_seconds"],
                "cache": c["cache"],
                "series": series,
                "results": list(c["results"].values()),
                "csv_memory_kb": {str(rows): kb for rows, kb in memory.items()},
            }
        )
    return runs


def csv_memory(env, port, log, query):
    """Growth of the worker's peak memory over one export, on a fresh worker
    already warmed by a small export so imports and caches are not counted."""
    with Server(env, port, log) as server:
        fetch(server.url("/actions.csv?consultation=generated-0001"))
        before = server.worker_memory_kb("VmHWM")
        fetch(server.url("/actions.csv" + (f"?{query}" if query else "")), timeout=CSV_TIMEOUT)
        return server.worker_memory_kb("VmHWM") - before


def describe(m):
    if not m.available:
        return unavailable(m.status)
    if m.hit_fraction is None:
        hits = ""
    elif m.cold:
        hits = f"  misses {1 - m.hit_fraction:4.0%}" + (f"  {m.warning}" if m.warning else "")
    else:
        hits = f"  hits {m.hit_fraction:4.0%}"
    return f"median {m.median_ms:7.1f} ms  p95 {m.p95_ms:7.1f} ms{hits}"


# ---- report -------------------------------------------------------------------------------


def unavailable(status):
    if status == TIMED_OUT:
        return f"**timed out** (over {PAGE_TIMEOUT} s)"
    if status == 0:
        return "nothing measured"
    return f"not available (HTTP {status})"


def fmt(value, unit=""):
    return "—" if value is None else f"{value:,.1f}{unit}"


def verdict(ok):
    return "n/a" if ok is None else ("PASS" if ok else "**MISS**")


def describe_cache(runs, meta):
    caches = [run["cache"] for run in runs if run["cache"]]
    if not caches:
        return (
            f"Cache: **no Redis ({meta['cache_note']}): the warm servers ran without CACHE_URL, "
            "so each gunicorn worker had its own in-process memory cache.**"
        )
    prefixes = ", ".join(f"`{cache['key_prefix']}`" for cache in caches)
    return (
        f"Cache (warm series): Redis at `{caches[0]['url']}` as in production, key prefixes "
        f"{prefixes}."
    )


def figures(run, label, series="uncached"):
    for r in run["results"]:
        if r["label"] == label:
            found = r.get(series)
            return found if found and found["status"] == 200 else None
    return None


def find_run(runs, engine, outputs):
    return next((r for r in runs if r["engine"] == engine and r["outputs"] == outputs), None)


def times_trivial(run, label, series="uncached"):
    page, trivial = figures(run, label, series), figures(run, "trivial", series)
    if not (page and trivial):
        return None
    return page["median_ms"] / trivial["median_ms"]


def cell(r, series):
    m = r.get(series)
    if m is None:
        return ["—", "—"]
    if m["status"] != 200:
        return [unavailable(m["status"]), ""]
    return [fmt(m["median_ms"]), fmt(m["p95_ms"])]


def report(runs, meta):
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{meta['command']}`, at commit `{meta['commit']}`, {meta['date']}, "
        f"{meta['minutes']:.0f} minutes.",
        f"Machine: {meta['machine']}. One gunicorn sync worker, DEBUG off; sequential requests, "
        "alternating between the scales' servers.",
        "",
        describe_cache(runs, meta),
        "",
        f"- **Uncached** (first): servers started with `PAGE_CACHE_SECONDS=0 "
        f"CONTENT_CACHE_SECONDS=0`, so every page is built from the database: "
        f"{meta['requests']} timed requests per page after {WARMUP} warm-up requests. "
        "*x trivial* is the page's median over the trivial view's, in the same series.",
        f"- **Warm** (between edits): the same pages on servers with the caches on, "
        f"{meta['requests']} timed requests after {WARMUP} warm-up requests; *hits* is the "
        "share of responses that said `X-Page-Cache: hit`.",
        "- Admin pages are asked with an editor's session, so they are never page-cached.",
        f"- The CSV export is not cached: {CSV_ROUNDS} exports of every action, uncached only.",
        "",
    ]
    for run in runs:
        lines += [
            f"## {run['engine']}, {run['outputs']:,} outputs",
            "",
            run["generated"],
            "",
            "| page | URL | uncached median ms | uncached p95 ms | x trivial "
            "| warm median ms | warm p95 ms | warm hits | note |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in run["results"]:
            ratio = times_trivial(run, r["label"])
            warm = r.get("warm")
            hits = warm.get("hit_fraction") if warm and warm["status"] == 200 else None
            notes = [n for n in (r["note"], *(r.get(s, {}).get("note") for s in SERIES)) if n]
            if r["label"] == "CSV export" and figures(run, "CSV export"):
                rate = run["total"] / (figures(run, "CSV export")["median_ms"] / 1000)
                notes.append(f"{rate:,.0f} rows/s")
            lines.append(
                f"| {r['label']} | `{r['path']}` | "
                + " | ".join(
                    [
                        *cell(r, "uncached"),
                        "—" if ratio is None else f"{ratio:,.1f}",
                        *cell(r, "warm"),
                        "—" if hits is None else f"{hits:.0%}",
                    ]
                )
                + f" | {'; '.join(notes)} |"
            )
        if "cold" in run["series"]:
            lines += ["", "Cold (first request after an edit), median ms: " + ", ".join(
                f"{r['label']} {r['cold']['median_ms']:,.1f}"
                for r in run["results"] if r.get("cold") and r["cold"]["status"] == 200
            )]  # fmt: skip
        lines.append("")
    lines += targets(runs)
    return "\n".join(lines) + "\n"


def targets(runs):
    """Issue 17's targets, judged on the uncached series."""
    engines = sorted({run["engine"] for run in runs}, key=["sqlite", "postgres"].index)
    scales = sorted({run["outputs"] for run in runs})
    small, large = scales[0], scales[-1]
    labels = [r["label"] for r in runs[0]["results"] if r["label"] not in NOT_PAGES]
    lines = ["## Targets (uncached series)", ""]

    lines += [
        f"### Median as a multiple of the trivial view's, at {scale_name(large)}",
        "",
        "| page | target | " + " | ".join(f"{e} | {e}" for e in engines) + " |",
        "| --- | ---: |" + " ---: | --- |" * len(engines),
    ]
    for label in labels:
        limit = TIMES_TRIVIAL.get(label)
        cells = []
        for engine in engines:
            run = find_run(runs, engine, large)
            ratio = times_trivial(run, label) if run else None
            if ratio is None:
                cells += ["not available", "n/a"]
            else:
                cells += [f"{ratio:,.1f}x", verdict(None if limit is None else ratio <= limit)]
        target = "—" if limit is None else f"≤ {limit}x"
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    lines.append("")

    if len(scales) >= 2:
        lines += [
            f"### Growth: median at {scale_name(large)} ÷ median at {scale_name(small)}",
            "",
            "| page | target | "
            + " | ".join(f"{e} ms ({scale_name(small)} → {scale_name(large)}) | ratio | {e}"
                         for e in engines) + " |",
            "| --- | ---: |" + " ---: | ---: | --- |" * len(engines),
        ]  # fmt: skip
        for label in labels:
            limit = GROWTH.get(label, GROWTH_TARGET)
            cells = []
            for engine in engines:
                a = figures(find_run(runs, engine, small) or {"results": []}, label)
                b = figures(find_run(runs, engine, large) or {"results": []}, label)
                if not (a and b):
                    cells += ["not available", "", "n/a"]
                    continue
                ratio = b["median_ms"] / a["median_ms"]
                cells += [
                    f"{a['median_ms']:,.1f} → {b['median_ms']:,.1f}",
                    f"{ratio:.2f}x",
                    verdict(ratio <= limit),
                ]
            lines.append(f"| {label} | ≤ {limit}x | " + " | ".join(cells) + " |")
        lines.append("")

    if set(engines) == {"sqlite", "postgres"}:
        lite, pg = find_run(runs, "sqlite", large), find_run(runs, "postgres", large)
        lines += [
            f"### SQLite ÷ PostgreSQL at {scale_name(large)} (x trivial of each, "
            f"target ≤ {SQLITE_TARGET}x)",
            "",
            "| page | sqlite x trivial | postgres x trivial | ratio | verdict |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for label in [*labels, "CSV export"]:
            a, b = times_trivial(lite, label), times_trivial(pg, label)
            if a is None or b is None:
                lines.append(f"| {label} | not available | | | n/a |")
                continue
            ok = verdict(a / b <= SQLITE_TARGET)
            lines.append(f"| {label} | {a:,.1f} | {b:,.1f} | {a / b:.2f}x | {ok} |")
        lines.append("")

    lines += [
        f"### The finder against the Django admin's outputs list, at {scale_name(large)}",
        "",
        f"| database | finder ms | admin list ms | finder ÷ admin (≤ {ADMIN_SHARE}) | verdict "
        f"| admin x trivial (≤ {ADMIN_TIMES}x) | verdict |",
        "| --- | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for engine in engines:
        run = find_run(runs, engine, large)
        finder, admin = figures(run, "finder"), figures(run, "admin: outputs list")
        if not (finder and admin):
            lines.append(f"| {engine} | not available | | | n/a | | n/a |")
            continue
        share = finder["median_ms"] / admin["median_ms"]
        times = times_trivial(run, "admin: outputs list")
        lines.append(
            f"| {engine} | {finder['median_ms']:,.1f} | {admin['median_ms']:,.1f} | {share:.2f} "
            f"| {verdict(share <= ADMIN_SHARE)} | {times:,.1f}x | {verdict(times <= ADMIN_TIMES)} |"
        )
    lines.append("")

    lines += [
        f"### CSV export at {scale_name(large)}: every action, rows per second "
        f"(≥ {CSV_RATE:,}) and the worker's peak memory growth over one export "
        f"(flat: the largest within {CSV_GROWTH_MB} MB of about 10,000 rows)",
        "",
        "| database | rows | median s | rows/s | verdict | rows → growth of peak RSS | verdict |",
        "| --- | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for engine in engines:
        run = find_run(runs, engine, large)
        csv = figures(run, "CSV export")
        if not csv:
            lines.append(f"| {engine} | not available | | | n/a | | n/a |")
            continue
        rate = run["total"] / (csv["median_ms"] / 1000)
        memory = sorted((int(rows), kb) for rows, kb in run["csv_memory_kb"].items())
        growth = "—"
        flat = None
        if len(memory) >= 2:
            growth = ", ".join(f"{rows:,}: {kb / 1024:.1f} MB" for rows, kb in memory)
            flat = (memory[-1][1] - memory[0][1]) / 1024 <= CSV_GROWTH_MB
        lines.append(
            f"| {engine} | {run['total']:,} | {csv['median_ms'] / 1000:,.2f} | {rate:,.0f} "
            f"| {verdict(rate >= CSV_RATE)} | {growth} | {verdict(flat)} |"
        )
    lines.append("")

    summary = [line for line in lines if line.startswith("|")]
    cells = [c.strip() for line in summary for c in line.split("|")]
    lines[2:2] = [
        f"PASS {cells.count('PASS')}, MISS {cells.count('**MISS**')}.",
        "",
    ]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="SQLite, 1,000 outputs, 10 requests")
    parser.add_argument("--engines", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--scales", default="1000,100000", help="outputs, comma-separated")
    parser.add_argument("--requests", type=int, default=15, help="per page and series")
    parser.add_argument("--cold", action="store_true", help="also the cold series")
    parser.add_argument(
        "--cold-requests", type=int, default=MIN_ROUNDS, help="per page, cold series"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a database that already holds that many generated outputs",
    )
    parser.add_argument(
        "--db-prefix",
        default="perf",
        help="databases are <prefix>_1k, ... (SQLite: /tmp/<prefix>_1k.sqlite3)",
    )
    parser.add_argument(
        "--cache-url",
        default=CACHE_URL,
        help="Redis for the warm servers' caches; '' for each worker's in-process cache",
    )
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "benchmarks" / "results.md",
        help="report; the raw figures go beside it with the suffix .json",
    )
    options = parser.parse_args()
    engines, scales = options.engines.split(","), options.scales.split(",")
    if options.quick:
        engines, scales, options.requests = ["sqlite"], ["1000"], 10
    cache_url, cache_note = options.cache_url, ""
    if not cache_url:
        cache_note = "--cache-url ''"
    elif not redis_reachable(cache_url):
        cache_url, cache_note = "", f"{options.cache_url} was not reachable"
        print(f"Redis at {options.cache_url} is not reachable: running without CACHE_URL.")
    log_path = Path("/tmp/perf-benchmark-gunicorn.log")
    started = time.monotonic()
    load_before = f"{os.getloadavg()[0]:.1f}"
    runs = []
    with log_path.open("w") as log:
        for engine in engines:
            runs += run_engine(engine, [int(n) for n in scales], options, log, cache_url)
    # BENCH_COMMIT names the commit when measuring an exported copy of the tree.
    commit = (
        os.environ.get("BENCH_COMMIT")
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )
    meta = {
        "command": "python benchmarks/run.py " + " ".join(sys.argv[1:]),
        "commit": commit or "unknown",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "minutes": (time.monotonic() - started) / 60,
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
        f"{load_before} at the start and {os.getloadavg()[0]:.1f} at the end",
        "requests": options.requests,
        "cache_note": cache_note,
    }
    text = report(runs, meta)
    print("\n" + text)
    # Keep the hand-written analysis below the marker when measuring again.
    previous = options.output.read_text() if options.output.exists() else ""
    if ANALYSIS_MARKER in previous:
        text += "\n" + previous[previous.index(ANALYSIS_MARKER) :]
    options.output.write_text(text)
    options.output.with_suffix(".json").write_text(json.dumps(runs, indent=1))
    print(f"Written to {options.output} in {meta['minutes']:.1f} minutes.")


if __name__ == "__main__":
    main()
