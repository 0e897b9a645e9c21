import re
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from web import terminal

# Rebuilt by `migrate` or by restore_content (the search index), or worthless
# once restored elsewhere (sessions, login attempts).
# The content version is a cache key, not content: a restore makes a new one.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "search",
    "web.contentversion",
    # Derived from the content and recounted after a restore (web.kept).
    "web.keptcount",
]
# XML, because Django's JSON drops the microseconds of every timestamp.
FILE_NAME = re.compile(r"\.xml(\.(gz|bz2|xz|lzma))?$")


class Command(BaseCommand):
    help = (
        "Write everything editors made to one file: every consultation (drafts included) "
        "and its parts, briefings, working groups and outputs, organisations, themes, tags, "
        "edit history, users and groups. Restore it with restore_content. The file holds "
        "password hashes: keep it as safe as the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="File to write: backup.xml, or backup.xml.gz (.bz2, .xz) to compress."
        )

    def handle(self, *args, path, **options):
        if not FILE_NAME.search(path):
            raise CommandError(
                f"{path}: the file name must end in .xml, .xml.gz, .xml.bz2 or .xml.xz."
            )
        # One snapshot for every table, so an edit saved mid-backup is either
        # wholly in the file or wholly out of it.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                exclude=EXCLUDED,
                format="xml",
                use_natural_foreign_keys=True,
                output=path,
                # Django's own progress bar, on a terminal only.
                verbosity=1 if terminal.on_terminal() else 0,
                stdout=sys.stderr,
            )
        self.stdout.write(f"Backed up to {path}")
