"""Benchmark the portal's pages at two scales on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/run.py            # full run: ~10-15 minutes
    .venv/bin/python benchmarks/run.py --quick    # SQLite, 1,000 outputs, few requests

For each database and scale it creates a fresh database (SQLite in /tmp,
PostgreSQL databases perf_1k / perf_100k), migrates, runs `generate_content`,
starts gunicorn (one sync worker, DEBUG off, the page and count caches in
Redis as in production) on 127.0.0.1 and measures each page over real HTTP
with a fixed number of sequential requests, the scales' servers served side by
side and asked in turn so that load from elsewhere on the machine weighs on
both alike. Each cached page is measured twice: warm (what readers get between
edits, mostly cache hits) and cold (before each timed request the content
version token is replaced in the server's database, as an edit does, so every
cache misses). The CSV export's memory is the worker's peak resident size
(VmHWM), read from /proc before and after one export on a freshly started
server. Results go to benchmarks/results.md (and results.json beside it) and
standard output. Not part of the test suite.
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
ANALYSIS_MARKER = "<!-- analysis: kept when run.py rewrites this file -->"
PAGE_TIMEOUT, CSV_TIMEOUT = 15, 120  # seconds per request
PAGE_BUDGET, MIN_ROUNDS = 25, 5  # seconds of timed requests per page and scale
TRIVIAL_CANDIDATES = ["/healthz", "/robots.txt"]
# Neither is cached: measured once, warm only.
UNCACHED = ("trivial", "CSV export")
# Redis database for the benchmark's caches; each engine and scale has its own key prefix.
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14")
SERIES = {
    "warm": "warm (between edits)",
    "cold": "cold (first request after an edit)",
}
# What a reader types; generate_content's word list uses it in subjects and objects.
WORD = "procurement"

# Targets (issue 7).
RATIO_TARGET = 1.5
SEARCH_RATIO_TARGET = 2.0
FINDER_SHARE_TARGET = 0.25
FAST_MS = 50
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


def fetch(url, timeout=120):
    """GET `url` as a reader without a session; return (status, body size, the
    X-Page-Cache header or None), status TIMED_OUT after `timeout` seconds. A new
    connection each time: gunicorn's sync workers close them."""
    request = urllib.request.Request(url, headers={"User-Agent": "portal-benchmark"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
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
        result.status, _size, cache = fetch(server.url(result.path), timeout)
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


def fresh_database(engine, outputs):
    name = f"perf_{scale_name(outputs)}"
    if engine == "sqlite":
        path = Path(f"/tmp/{name}.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_BASE}/{name}"


PROBE = """
import json
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
print(json.dumps({
    "total": outputs.count(),
    "theme": themes[0].slug,
    "partner": partners[0].slug,
    "theme_and_partner": count(themes=themes[0], partners=partners[0]),
    "word": count(text__icontains=%(word)r),
    "csv": candidates,
}))
"""


def probe(env):
    """Slugs to put in URLs, and filters whose exports give about 1k and 10k rows."""
    return json.loads(manage(env, "shell", "-c", PROBE % {"word": WORD}).strip().splitlines()[-1])


def closest(candidates, rows):
    query = min(candidates, key=lambda q: (abs(candidates[q] - rows), q))
    return query, candidates[query]


def pages(facts):
    return [
        ("home", "/"),
        ("consultation", "/consultations/generated-0001/"),
        ("working group", "/working-groups/generated-gen0001-p1-wg1/"),
        ("finder", "/actions/"),
        (
            "finder: theme + partner",
            f"/actions/?theme={facts['theme']}&partner={facts['partner']}",
            f"{facts['theme_and_partner']} matches",
        ),
        ("finder: words", f"/actions/?q={WORD}", f"{facts['word']} matches"),
        ("search", f"/search/?q={WORD}"),
        ("API list", "/api/actions/"),
    ]


def environment(database_url, cache_url, cache_prefix):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        # No worker recycling mid-measurement: it would reset the memory readings.
        "GUNICORN_MAX_REQUESTS": "0",
        "DATABASE_URL": database_url,
    }
    env.pop("CACHE_URL", None)
    if cache_url:
        env.update(CACHE_URL=cache_url, CACHE_KEY_PREFIX=cache_prefix)
    return env


def prepare(engine, outputs, cache_url):
    """A fresh database of `outputs` generated actions; what the pages will ask for."""
    cache_prefix = f"bench-{engine}-{outputs}"
    env = environment(fresh_database(engine, outputs), cache_url, cache_prefix)
    print(f"\n== {engine}, {outputs:,} outputs", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    started = time.perf_counter()
    generated = manage(env, "generate_content", "--outputs", str(outputs), "--seed", str(SEED))
    generation = time.perf_counter() - started
    generated = next(line for line in generated.splitlines() if line.startswith("Generated"))
    print(generated, f"({generation:.0f}s with the search index and start-up)", flush=True)
    facts = probe(env)
    csv_query, csv_rows = closest(facts["csv"], 10_000)
    if csv_rows < 0.5 * facts["total"] and facts["total"] < 10_000:
        csv_query, csv_rows = "", facts["total"]
    return {
        "engine": engine,
        "outputs": outputs,
        "env": env,
        "cache": {"url": cache_url, "key_prefix": cache_prefix} if cache_url else None,
        "facts": facts,
        "generated": generated,
        "generation_seconds": round(generation, 1),
        "csv": (csv_query, csv_rows),
        "csv_small": closest(facts["csv"], 1_000),
    }


def run_engine(engine, scales, requests, cold_requests, port, log, cache_url):
    """Serve every scale at once and alternate between them request by request, so
    that other load on the machine slows both scales alike and the ratio holds.
    Each cached page is measured warm, then cold, on the same servers."""
    configs = [prepare(engine, outputs, cache_url) for outputs in scales]
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(Server(c["env"], port + i, log)) for i, c in enumerate(configs)
        ]
        versions = [
            stack.enter_context(contextlib.closing(ContentVersion(c["env"]["DATABASE_URL"])))
            for c in configs
        ]
        trivial = next(
            (p for p in TRIVIAL_CANDIDATES if fetch(servers[0].url(p))[0] == 200),
            TRIVIAL_CANDIDATES[0],
        )
        for c in configs:
            query, rows = c["csv"]
            c["pages"] = [
                ("trivial", trivial),
                *pages(c["facts"]),
                ("CSV export", "/actions.csv" + (f"?{query}" if query else ""), f"{rows:,} rows"),
            ]
            c["results"] = []
        for index, (label, *_rest) in enumerate(configs[0]["pages"]):
            is_csv = label == "CSV export"
            targets = [
                (server, c["pages"][index], version)
                for server, c, version in zip(servers, configs, versions, strict=True)
            ]
            warm = measure(
                targets,
                max(3, requests // 10) if is_csv else requests,
                CSV_TIMEOUT if is_csv else PAGE_TIMEOUT,
            )
            print(f"  {label:24} warm " + "  |  ".join(map(describe, warm)), flush=True)
            cold = [None] * len(warm)
            if label not in UNCACHED and any(m.available for m in warm):
                # Not again where the warm series found no page or timed out.
                failed = [i for i, m in enumerate(warm) if not m.available]
                cold = measure(targets, cold_requests, PAGE_TIMEOUT, cold=True, skip=failed)
                for i in failed:
                    cold[i].status = warm[i].status
                    cold[i].warning = "not measured cold, as warm failed"
                print(f"  {'':24} cold " + "  |  ".join(map(describe, cold)), flush=True)
            for c, w, k in zip(configs, warm, cold, strict=True):
                c["results"].append(
                    {
                        "label": w.label,
                        "path": w.path,
                        "note": w.note,
                        "warm": w.as_dict(),
                        "cold": None if k is None else {**k.as_dict(), "note": k.warning},
                    }
                )
    runs = []
    for c in configs:
        memory = {}
        if c["outputs"] >= 10_000 and c["results"][-1]["warm"]["status"] == 200:
            for query, rows in (c["csv_small"], c["csv"]):
                memory[rows] = csv_memory(c["env"], port, log, query)
                print(f"  CSV {rows:,} rows: worker peak +{memory[rows] / 1024:.1f} MB", flush=True)
        runs.append(
            {
                "engine": engine,
                "outputs": c["outputs"],
                "generated": c["generated"],
                "generation_seconds": c["generation_seconds"],
                "cache": c["cache"],
                "requests": {"warm": requests, "cold": cold_requests},
                "results": c["results"],
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
        fetch(server.url(f"/actions.csv?{query}"))
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
    return f"median {m.median_ms:7.1f} ms  p95 {m.p95_ms:7.1f} ms  {m.per_second:6.1f}/s{hits}"


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
            f"Cache: **no Redis ({meta['cache_note']}): servers ran without CACHE_URL, so each "
            "gunicorn worker had its own in-process memory cache.**"
        )
    prefixes = ", ".join(f"`{cache['key_prefix']}`" for cache in caches)
    return f"Cache: Redis at `{caches[0]['url']}` as in production, key prefixes {prefixes}."


def report(runs, meta):
    overrides = [
        f"{name}={os.environ[name]}"
        for name in ("PAGE_CACHE_SECONDS", "CONTENT_CACHE_SECONDS")
        if name in os.environ
    ]
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{meta['command']}`, at commit `{meta['commit']}`, {meta['date']}.",
        f"Machine: {meta['machine']}. One gunicorn sync worker, DEBUG off; sequential requests "
        "from a reader without a session, alternating between the scales' servers. Throughput "
        "is one client's: requests ÷ the sum of their response times.",
        "",
        describe_cache(runs, meta)
        + (f" Cache settings from the environment: {', '.join(overrides)}." if overrides else ""),
        "",
        f"- **Warm (between edits)**: {meta['requests']} timed requests per page after "
        f"{WARMUP} warm-up requests (CSV: fewer). *Hits* is the share of the timed responses "
        "that said `X-Page-Cache: hit` (— where the page sends no such header).",
        f"- **Cold (the first request after an edit)**: {meta['cold_requests']} timed requests "
        "per page, before each of which the content version token "
        "(`insights_contentversion.token`) was replaced in the server's database, untimed, as "
        "an edit does, so the page and every count it uses miss the cache. Every cold response "
        "that carries `X-Page-Cache` said `miss` unless a note says otherwise. The database's "
        "own buffers stay warm, as they do after an edit.",
        "- The trivial view and the CSV export are not cached: measured once, in the warm pass.",
        "",
    ]
    for run in runs:
        lines += [
            f"## {run['engine']}, {run['outputs']:,} outputs",
            "",
            f"{run['generated']}",
            "",
            "| page | URL | warm median ms | warm p95 ms | warm req/s | warm hits "
            "| cold median ms | cold p95 ms | note |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in run["results"]:
            warm, cold = r["warm"], r["cold"]
            notes = [n for n in (r.get("note"), cold and cold.get("note")) if n]
            if warm["status"] != 200:
                cells = [unavailable(warm["status"]), "", "", ""]
            else:
                hits = warm["hit_fraction"]
                cells = [
                    fmt(warm["median_ms"]),
                    fmt(warm["p95_ms"]),
                    fmt(warm["per_second"]),
                    "—" if hits is None else f"{hits:.0%}",
                ]
            if cold is None:
                cells += ["—", "—"]
                if r["label"] in UNCACHED:
                    notes.append("not cached: measured once")
            elif cold["status"] != 200:
                cells += [unavailable(cold["status"]), ""]
            else:
                cells += [fmt(cold["median_ms"]), fmt(cold["p95_ms"])]
            lines.append(
                f"| {r['label']} | `{r['path']}` | "
                + " | ".join(cells)
                + f" | {'; '.join(notes)} |"
            )
        lines.append("")
    lines += targets(runs)
    return "\n".join(lines) + "\n"


def series_of(runs, engine, outputs, label, series):
    """The `series` ("warm" or "cold") figures of a page; the uncached pages' warm
    figures stand for both."""
    for run in runs:
        if run["engine"] == engine and run["outputs"] == outputs:
            for r in run["results"]:
                if r["label"] == label:
                    return r[series] or (r["warm"] if label in UNCACHED else None)
    return None


def lookup(runs, engine, outputs, label, series):
    figures = series_of(runs, engine, outputs, label, series)
    return figures if figures and figures["status"] == 200 else None


def timed_out(runs, engine, outputs, label, series):
    figures = series_of(runs, engine, outputs, label, series)
    return bool(figures) and figures["status"] == TIMED_OUT


def targets(runs):
    engines = sorted({run["engine"] for run in runs}, key=["sqlite", "postgres"].index)
    scales = sorted({run["outputs"] for run in runs})
    labels = [r["label"] for r in runs[0]["results"]]
    lines = [
        "## Targets",
        "",
        "Each target is judged twice: on the warm series (between edits) and on the cold "
        "series (the first request after an edit). The trivial view is not cached, so the "
        "finder's throughput is compared with the same trivial figure in both.",
        "",
    ]
    summary = ["| series | PASS | MISS |", "| --- | ---: | ---: |"]
    sections = []
    for series, title in SERIES.items():
        body = series_targets(runs, engines, scales, labels, series)
        cells = [cell.strip() for line in body for cell in line.split("|")]
        passes, misses = cells.count("PASS"), cells.count("**MISS**")
        summary.append(f"| {title} | {passes} | {misses} |")
        sections += [f"### {title[0].upper()}{title[1:]}", "", *body]
    lines += [*summary, "", *sections]
    lines += [
        "### CSV export streams (worker peak memory growth over one export, "
        f"target: 10k rows within {CSV_GROWTH_MB} MB of 1k rows)",
        "",
        "| database | outputs | rows → growth of peak RSS | verdict |",
        "| --- | ---: | --- | --- |",
    ]
    for run in runs:
        memory = {int(rows): kb for rows, kb in run["csv_memory_kb"].items()}
        if len(memory) < 2:
            continue
        (_, small_kb), (_, large_kb) = sorted(memory.items())
        growth = (large_kb - small_kb) / 1024
        cells = ", ".join(f"{rows:,}: {kb / 1024:.1f} MB" for rows, kb in sorted(memory.items()))
        lines.append(
            f"| {run['engine']} | {run['outputs']:,} | {cells} "
            f"| {verdict(growth <= CSV_GROWTH_MB)} |"
        )
    lines.append("")
    return lines


def series_targets(runs, engines, scales, labels, series):
    """The ratio, throughput and 50 ms targets, judged on one series."""
    name = series  # "warm" or "cold", repeated in each heading
    lines = []
    if len(scales) >= 2:
        small, large = scales[0], scales[-1]
        lines += [
            f"#### {name}: median at {scale_name(large)} ÷ median at {scale_name(small)} "
            f"(target ≤ {RATIO_TARGET}x, search ≤ {SEARCH_RATIO_TARGET}x)",
            "",
            "| page | " + " | ".join(f"{e} ms ({scale_name(small)} → {scale_name(large)})"
                                     f" | ratio | {e}" for e in engines) + " |",
            "| --- |" + " ---: | ---: | --- |" * len(engines),
        ]  # fmt: skip
        for label in labels:
            if label in UNCACHED:
                continue
            cells = []
            for engine in engines:
                a = lookup(runs, engine, small, label, series)
                b = lookup(runs, engine, large, label, series)
                if a and timed_out(runs, engine, large, label, series):
                    cells += [f"{a['median_ms']:,.1f} → over {PAGE_TIMEOUT} s", "", verdict(False)]
                    continue
                if not (a and b):
                    cells += ["not available", "", "n/a"]
                    continue
                ratio = b["median_ms"] / a["median_ms"]
                limit = SEARCH_RATIO_TARGET if label == "search" else RATIO_TARGET
                cells += [
                    f"{a['median_ms']:,.1f} → {b['median_ms']:,.1f}",
                    f"{ratio:.2f}x",
                    verdict(ratio <= limit),
                ]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        f"#### {name}: finder throughput ÷ trivial view's (target ≥ {FINDER_SHARE_TARGET:.2f})",
        "",
        f"| database | outputs | trivial req/s | finder req/s ({name}) | share | verdict |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in runs:
        trivial = lookup(runs, run["engine"], run["outputs"], "trivial", series)
        for label in ("finder", "finder: theme + partner", "finder: words"):
            finder = lookup(runs, run["engine"], run["outputs"], label, series)
            if not (trivial and finder):
                continue
            share = finder["per_second"] / trivial["per_second"]
            lines.append(
                f"| {run['engine']} | {run['outputs']:,} ({label}) | {trivial['per_second']:,.1f} "
                f"| {finder['per_second']:,.1f} | {share:.2f} "
                f"| {verdict(share >= FINDER_SHARE_TARGET)} |"
            )
    lines.append("")
    large = scales[-1]
    if "postgres" in engines:
        lines += [
            f"#### {name}: median under {FAST_MS} ms on PostgreSQL at {scale_name(large)}",
            "",
            f"| page | median ms ({name}) | verdict |",
            "| --- | ---: | --- |",
        ]
        for label in labels:
            if not (label.startswith("finder") or label in ("search", "API list")):
                continue
            r = lookup(runs, "postgres", large, label, series)
            if timed_out(runs, "postgres", large, label, series):
                lines.append(f"| {label} | over {PAGE_TIMEOUT} s | {verdict(False)} |")
                continue
            if r is None:
                lines.append(f"| {label} | not available | n/a |")
                continue
            ok = r["median_ms"] < FAST_MS
            lines.append(f"| {label} | {r['median_ms']:,.1f} | {verdict(ok)} |")
        lines.append("")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="SQLite, 1,000 outputs, 10 requests")
    parser.add_argument("--engines", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--scales", default="1000,100000", help="outputs, comma-separated")
    parser.add_argument("--requests", type=int, default=30, help="per page")
    parser.add_argument(
        "--cold-requests", type=int, help=f"per page, cold (default: half, at least {MIN_ROUNDS})"
    )
    parser.add_argument(
        "--cache-url",
        default=CACHE_URL,
        help="Redis for the servers' caches; '' for each worker's in-process cache",
    )
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "benchmarks" / "results.md",
        help="report; the raw figures go beside it with the suffix .json",
    )
    args = parser.parse_args()
    engines, scales, requests = args.engines.split(","), args.scales.split(","), args.requests
    if args.quick:
        engines, scales, requests = ["sqlite"], ["1000"], 10
    cold_requests = args.cold_requests or max(MIN_ROUNDS, requests // 2)
    cache_url, cache_note = args.cache_url, ""
    if not cache_url:
        cache_note = "--cache-url ''"
    elif not redis_reachable(cache_url):
        cache_url, cache_note = "", f"{args.cache_url} was not reachable"
        print(f"Redis at {args.cache_url} is not reachable: running without CACHE_URL.")
    log_path = Path("/tmp/perf-benchmark-gunicorn.log")
    started = time.monotonic()
    load_before = f"{os.getloadavg()[0]:.1f}"
    runs = []
    with log_path.open("w") as log:
        for engine in engines:
            runs += run_engine(
                engine,
                [int(n) for n in scales],
                requests,
                cold_requests,
                args.port,
                log,
                cache_url,
            )
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
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
        f"{load_before} at the start and {os.getloadavg()[0]:.1f} at the end",
        "requests": requests,
        "cold_requests": cold_requests,
        "cache_note": cache_note,
    }
    text = report(runs, meta)
    print("\n" + text)
    # Keep the hand-written analysis below the marker when measuring again.
    previous = args.output.read_text() if args.output.exists() else ""
    if ANALYSIS_MARKER in previous:
        text += "\n" + previous[previous.index(ANALYSIS_MARKER) :]
    args.output.write_text(text)
    args.output.with_suffix(".json").write_text(json.dumps(runs, indent=1))
    print(f"Written to {args.output} in {(time.monotonic() - started) / 60:.1f} minutes.")


if __name__ == "__main__":
    main()
