import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from content.documents import ContentError, import_document, refresh_statistics
from editorial.history import command_reason

DEFAULT_FIXTURES = sorted((Path(settings.BASE_DIR) / "fixtures").glob("*.json"))


class Command(BaseCommand):
    help = (
        "Load content documents (default: every JSON file in fixtures/). Consultations "
        "already in the database are left untouched, so running it again is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete and reload consultations that already exist (loses their edits).",
        )

    def handle(self, *args, paths, replace, **options):
        for path in paths or DEFAULT_FIXTURES:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {path}: {error}") from error
            try:
                result = import_document(
                    data, replace=replace, reason=command_reason("load_content")
                )
            except ContentError as error:
                raise CommandError(f"{path}: {error}") from error
            for slug in result["created"]:
                self.stdout.write(f"Loaded {slug} from {path.name}")
            for slug in result["skipped"]:
                self.stdout.write(f"Kept {slug}: already in the database")
            for slug in result["findings"]["created"]:
                self.stdout.write(f"Loaded recurring finding {slug} from {path.name}")
            for slug in result["findings"]["skipped"]:
                self.stdout.write(f"Kept recurring finding {slug}: already in the database")
        # Saving indexes each item; this also covers content loaded before search existed.
        call_command("rebuild_search_index", stdout=self.stdout)
        refresh_statistics()
