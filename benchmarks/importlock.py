"""How long an admin spreadsheet import holds SQLite's write lock, and whether
another editor's save meanwhile goes through.

    .venv/bin/python benchmarks/importlock.py --rows 2000
    .venv/bin/python benchmarks/importlock.py --rows 2000 --changed

Creates a temporary file-backed SQLite database (as the embedded default runs),
migrates it and loads the shipped content, adds a draft working group, then
imports `--rows` fictitious outputs into it through the admin's resource, as a
confirmed import does (every row checked, then written). With `--changed` the
rows are first imported, then exported and imported again with their texts
edited. With `--progress` it imports `--rows` commitments of the shipped
organisations to the shipped actions through the progress import instead. Meanwhile
a second thread, on its own connection, saves an organisation
every 0.2 s. Prints the time of the check and of the write transaction, and how
many of the other saves went through, failed, and how long the slowest waited.
Not part of the test suite.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THEME = "skills-and-workforce"
STAGES = ["worked_well", "changes_needed", "practical_steps", "collaboration"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000, help="rows in the file (2000)")
    parser.add_argument("--changed", action="store_true", help="import changed rows, not new ones")
    parser.add_argument(
        "--progress", action="store_true", help="import commitments (the progress import)"
    )
    return parser.parse_args()


def setup(path):
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)


def rows(group, count):
    import tablib

    headers = ["reference", "working_group", "stage", "order", "text", "themes", "tags"]
    return tablib.Dataset(
        *[
            ("", group.slug, STAGES[i % 4], str(i // 4 + 1),
             f"Fictitious imported action {i}, for measuring only.", THEME, "data, skills")
            for i in range(count)
        ],
        headers=headers,
    )  # fmt: skip


class OtherEditor(threading.Thread):
    """Saves an organisation every 0.2 s on its own connection."""

    def __init__(self):
        super().__init__()
        self.stop = threading.Event()
        self.waits, self.failures = [], []

    def run(self):
        from django.db import connections

        from insights.models import Organisation

        organisation = Organisation.objects.first()
        while not self.stop.is_set():
            start = time.perf_counter()
            try:
                organisation.save()
                self.waits.append(time.perf_counter() - start)
            except Exception as error:  # reported, not raised: that is the measurement
                self.failures.append(repr(error))
            time.sleep(0.2)
        connections.close_all()


def commitments_file(count):
    import csv
    import io

    from insights.models import Organisation
    from progress import services
    from progress.models import Role, Status
    from workinggroups.models import Output

    actions = Output.objects.values_list("reference", flat=True)
    organisations = Organisation.objects.values_list("slug", flat=True)
    pairs = [(action, slug) for slug in organisations for action in actions][:count]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(services.COMMITMENT_COLUMNS)
    for action, slug in pairs:
        writer.writerow(
            [action, slug, Role.values[0], Status.values[0], "10", "", "", "Fictitious."]
        )
    return buffer.getvalue().encode(), len(pairs)


def measure(target, *args):
    """Run target(*args) while another editor saves; (seconds, result, the editor)."""
    other = OtherEditor()
    other.start()
    start = time.perf_counter()
    result = target(*args)
    total = time.perf_counter() - start
    other.stop.set()
    other.join()
    return total, result, other


def report(other):
    slowest = max(other.waits, default=0)
    print(
        f"other editor: {len(other.waits)} saves went through, {len(other.failures)} failed,"
        f" slowest {slowest:.2f} s"
    )
    for failure in other.failures[:3]:
        print(f"  {failure}")


def progress_import(count):
    from progress import services

    content, count = commitments_file(count)
    locked = []
    write = services.write

    def timed_write(*args, **kwargs):
        start = time.perf_counter()
        written = write(*args, **kwargs)
        locked.append(time.perf_counter() - start)
        return written

    services.write = timed_write
    total, _result, other = measure(services.import_progress, "commitments.csv", content)
    print(f"{count:,} new commitments: import {total:.1f} s, write transaction {locked[0]:.2f} s")
    report(other)
    return 1 if other.failures else 0


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder) / "portal.sqlite3")
        if args.progress:
            return progress_import(args.rows)
        import tablib

        from insights.models import Status
        from tests.factories import make_consultation, make_group, make_part
        from workinggroups.models import Output
        from workinggroups.resources import OutputResource

        consultation = make_consultation(status=Status.DRAFT, slug="import-lock-check")
        group = make_group(make_part(consultation), slug="import-lock-check-group")
        dataset = rows(group, args.rows)
        if args.changed:
            OutputResource().import_data(dataset)
            exported = OutputResource().export(Output.objects.filter(working_group=group))
            dataset = tablib.Dataset(
                *[{**row, "text": row["text"] + " Edited."}.values() for row in exported.dict],
                headers=exported.headers,
            )

        locked = []
        write = getattr(OutputResource, "write", None)  # older code wrote row by row

        def timed_write(resource, *args, **kwargs):
            start = time.perf_counter()
            write(resource, *args, **kwargs)
            locked.append(time.perf_counter() - start)

        if write is not None:
            OutputResource.write = timed_write
        total, result, other = measure(OutputResource().import_data, dataset)

        kind = "changed" if args.changed else "new"
        print(f"{args.rows:,} {kind} rows: {dict(result.totals)}")
        print(f"import, checking and writing, search entries after: {total:.1f} s")
        if locked:
            print(f"write transaction (the lock): {locked[0]:.2f} s")
        report(other)
        return 1 if other.failures or result.has_errors() or result.has_validation_errors() else 0


if __name__ == "__main__":
    sys.exit(main())
