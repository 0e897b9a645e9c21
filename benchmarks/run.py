"""Benchmark the portal's pages at two scales on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/run.py            # full run: ~10 minutes
    .venv/bin/python benchmarks/run.py --quick    # SQLite, 1,000 outputs, few requests

For each database and scale it creates a fresh database (SQLite in /tmp,
PostgreSQL databases perf_1k / perf_100k), migrates, runs `generate_content`,
starts gunicorn (one sync worker, DEBUG off) on 127.0.0.1 and measures each
page over real HTTP with a fixed number of sequential requests, the scales'
servers served side by side and asked in turn so that load from elsewhere on
the machine weighs on both alike. The CSV
export's memory is the worker's peak resident size (VmHWM), read from
/proc before and after one export on a freshly started server. Results go to
benchmarks/results.md and standard output. Not part of the test suite.
"""

import argparse
import contextlib
import json
import os
import platform
import signal
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

    def as_dict(self):
        if not self.available:
            return {"label": self.label, "path": self.path, "status": self.status}
        return {
            "label": self.label,
            "path": self.path,
            "status": self.status,
            "median_ms": round(self.median_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "per_second": round(self.per_second, 1),
            "note": self.note,
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
    """GET `url`; return (status, body size), status TIMED_OUT after `timeout`
    seconds. A new connection each time: gunicorn's sync workers close them."""
    request = urllib.request.Request(url, headers={"User-Agent": "portal-benchmark"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            size = 0
            while chunk := response.read(65536):
                size += len(chunk)
            return response.status, size
    except urllib.error.HTTPError as error:
        return error.code, 0
    except TimeoutError:
        return TIMED_OUT, 0


def measure(targets, rounds, timeout):
    """Time `rounds` requests to each (server, (label, path[, note])) target, taking
    the targets in turn within each round.

    A page that does not answer 200 is left out from then on; one that takes
    longer than `timeout` seconds is reported as timed out, and its worker
    replaced so that it does not hold up the next page. A page also stops
    once it has used PAGE_BUDGET seconds, with at least MIN_ROUNDS timings,
    which bounds the run however slow a page is."""
    results = [
        Measurement(label, path, note=note[0] if note else "")
        for _, (label, path, *note) in targets
    ]

    def get(server, result):
        started = time.perf_counter()
        result.status, _size = fetch(server.url(result.path), timeout)
        if result.status == TIMED_OUT:
            server.replace_worker()
        return time.perf_counter() - started

    for (server, _page), result in zip(targets, results, strict=True):
        for _ in range(WARMUP):
            if get(server, result) > PAGE_BUDGET / MIN_ROUNDS or result.status != 200:
                break
    for _ in range(rounds):
        for (server, _page), result in zip(targets, results, strict=True):
            spent = sum(result.times)
            if result.status != 200 or (spent > PAGE_BUDGET and len(result.times) >= MIN_ROUNDS):
                continue
            elapsed = get(server, result)
            if result.status == 200:
                result.times.append(elapsed)
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


def environment(database_url):
    return {
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


def prepare(engine, outputs):
    """A fresh database of `outputs` generated actions; what the pages will ask for."""
    env = environment(fresh_database(engine, outputs))
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
        "facts": facts,
        "generated": generated,
        "generation_seconds": round(generation, 1),
        "csv": (csv_query, csv_rows),
        "csv_small": closest(facts["csv"], 1_000),
    }


def run_engine(engine, scales, requests, port, log):
    """Serve every scale at once and alternate between them request by request, so
    that other load on the machine slows both scales alike and the ratio holds."""
    configs = [prepare(engine, outputs) for outputs in scales]
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(Server(c["env"], port + i, log)) for i, c in enumerate(configs)
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
            measured = measure(
                [(server, c["pages"][index]) for server, c in zip(servers, configs, strict=True)],
                max(3, requests // 10) if is_csv else requests,
                CSV_TIMEOUT if is_csv else PAGE_TIMEOUT,
            )
            for c, result in zip(configs, measured, strict=True):
                c["results"].append(result)
            print(
                f"  {label:24} " + "  |  ".join(describe(result) for result in measured),
                flush=True,
            )
    runs = []
    for c in configs:
        memory = {}
        if c["outputs"] >= 10_000 and c["results"][-1].available:
            for query, rows in (c["csv_small"], c["csv"]):
                memory[rows] = csv_memory(c["env"], port, log, query)
                print(f"  CSV {rows:,} rows: worker peak +{memory[rows] / 1024:.1f} MB", flush=True)
        runs.append(
            {
                "engine": engine,
                "outputs": c["outputs"],
                "generated": c["generated"],
                "generation_seconds": c["generation_seconds"],
                "results": [r.as_dict() for r in c["results"]],
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
    return f"median {m.median_ms:7.1f} ms  p95 {m.p95_ms:7.1f} ms  {m.per_second:6.1f}/s"


# ---- report -------------------------------------------------------------------------------


def unavailable(status):
    if status == TIMED_OUT:
        return f"**timed out** (over {PAGE_TIMEOUT} s)"
    return f"not available (HTTP {status})"


def fmt(value, unit=""):
    return "—" if value is None else f"{value:,.1f}{unit}"


def verdict(ok):
    return "n/a" if ok is None else ("PASS" if ok else "**MISS**")


def report(runs, meta):
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{meta['command']}`, at commit `{meta['commit']}`, {meta['date']}.",
        f"Machine: {meta['machine']}. One gunicorn sync worker, DEBUG off; {meta['requests']} "
        f"sequential requests per page after {WARMUP} warm-up requests (CSV: fewer), "
        "alternating between the scales' servers. Throughput is one client's: requests ÷ the "
        "sum of their response times.",
        "",
    ]
    for run in runs:
        lines += [
            f"## {run['engine']}, {run['outputs']:,} outputs",
            "",
            f"{run['generated']}",
            "",
            "| page | URL | median ms | p95 ms | req/s | note |",
            "| --- | --- | ---: | ---: | ---: | --- |",
        ]
        for r in run["results"]:
            if r["status"] != 200:
                lines.append(f"| {r['label']} | `{r['path']}` | {unavailable(r['status'])} | | | |")
                continue
            lines.append(
                f"| {r['label']} | `{r['path']}` | {r['median_ms']:,.1f} | {r['p95_ms']:,.1f} "
                f"| {r['per_second']:,.1f} | {r.get('note', '')} |"
            )
        lines.append("")
    lines += targets(runs)
    text = "\n".join(lines) + "\n"
    return text


def lookup(runs, engine, outputs, label):
    for run in runs:
        if run["engine"] == engine and run["outputs"] == outputs:
            for r in run["results"]:
                if r["label"] == label and r["status"] == 200:
                    return r
    return None


def timed_out(runs, engine, outputs, label):
    return any(
        run["engine"] == engine
        and run["outputs"] == outputs
        and any(r["label"] == label and r["status"] == TIMED_OUT for r in run["results"])
        for run in runs
    )


def targets(runs):
    engines = sorted({run["engine"] for run in runs}, key=["sqlite", "postgres"].index)
    scales = sorted({run["outputs"] for run in runs})
    labels = [r["label"] for r in runs[0]["results"]]
    lines = ["## Targets", ""]
    if len(scales) >= 2:
        small, large = scales[0], scales[-1]
        lines += [
            f"### Median at {scale_name(large)} ÷ median at {scale_name(small)} "
            f"(target ≤ {RATIO_TARGET}x, search ≤ {SEARCH_RATIO_TARGET}x)",
            "",
            "| page | " + " | ".join(f"{e} ms ({scale_name(small)} → {scale_name(large)})"
                                     f" | ratio | {e}" for e in engines) + " |",
            "| --- |" + " ---: | ---: | --- |" * len(engines),
        ]  # fmt: skip
        for label in labels:
            if label in ("trivial", "CSV export"):
                continue
            cells = []
            for engine in engines:
                a, b = lookup(runs, engine, small, label), lookup(runs, engine, large, label)
                if a and timed_out(runs, engine, large, label):
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
        f"### Finder throughput ÷ trivial view's (target ≥ {FINDER_SHARE_TARGET:.2f})",
        "",
        "| database | outputs | trivial req/s | finder req/s | share | verdict |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in runs:
        trivial = lookup(runs, run["engine"], run["outputs"], "trivial")
        for label in ("finder", "finder: theme + partner", "finder: words"):
            finder = lookup(runs, run["engine"], run["outputs"], label)
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
            f"### Median under {FAST_MS} ms on PostgreSQL at {scale_name(large)}",
            "",
            "| page | median ms | verdict |",
            "| --- | ---: | --- |",
        ]
        for label in labels:
            if not (label.startswith("finder") or label in ("search", "API list")):
                continue
            r = lookup(runs, "postgres", large, label)
            if timed_out(runs, "postgres", large, label):
                lines.append(f"| {label} | over {PAGE_TIMEOUT} s | {verdict(False)} |")
                continue
            if r is None:
                lines.append(f"| {label} | not available | n/a |")
                continue
            ok = r["median_ms"] < FAST_MS
            lines.append(f"| {label} | {r['median_ms']:,.1f} | {verdict(ok)} |")
        lines.append("")
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="SQLite, 1,000 outputs, 10 requests")
    parser.add_argument("--engines", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--scales", default="1000,100000", help="outputs, comma-separated")
    parser.add_argument("--requests", type=int, default=30, help="per page")
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()
    engines, scales, requests = args.engines.split(","), args.scales.split(","), args.requests
    if args.quick:
        engines, scales, requests = ["sqlite"], ["1000"], 10
    log_path = Path("/tmp/perf-benchmark-gunicorn.log")
    started = time.monotonic()
    load_before = f"{os.getloadavg()[0]:.1f}"
    runs = []
    with log_path.open("w") as log:
        for engine in engines:
            runs += run_engine(engine, [int(n) for n in scales], requests, args.port, log)
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
    }
    text = report(runs, meta)
    print("\n" + text)
    # Keep the hand-written analysis below the marker when measuring again.
    previous = args.output.read_text() if args.output.exists() else ""
    if ANALYSIS_MARKER in previous:
        text += "\n" + previous[previous.index(ANALYSIS_MARKER) :]
    args.output.write_text(text)
    Path(args.output.with_suffix(".json")).write_text(json.dumps(runs, indent=1))
    print(f"Written to {args.output} in {(time.monotonic() - started) / 60:.1f} minutes.")


if __name__ == "__main__":
    main()
