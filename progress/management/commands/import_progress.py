from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from editorial.history import command_reason
from progress.services import ImportRefused, import_progress


class Command(BaseCommand):
    help = (
        "Import commitments or updates from a CSV or XLSX file (the header row tells "
        "which). All or nothing: one invalid row and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and write nothing."
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            result = import_progress(
                file.name, content, dry_run=dry_run, reason=command_reason("import_progress")
            )
        except ImportRefused as refused:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {error}" for error in refused.errors)
            ) from None
        self.stdout.write(result.summary())
