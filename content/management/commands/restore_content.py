from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from content.documents import refresh_statistics
from content.management.commands.backup_content import EXCLUDED
from web import caching, terminal
from workinggroups.models import Output


def backed_up_models():
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label not in EXCLUDED and label not in EXCLUDED:
            yield model


class Command(BaseCommand):
    help = (
        "Load a file written by backup_content into a freshly migrated, empty database. "
        "Refuses a database that already has content unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file (.json, .json.gz, ...).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though the database has content: rows with the same id are "
            "overwritten, other rows are kept.",
        )

    def handle(self, *args, path, force, **options):
        # Migrations create the Editors and Publishers groups; the backup has its own.
        occupied = [
            model._meta.label
            for model in backed_up_models()
            if model is not Group and model._default_manager.exists()
        ]
        if occupied and not force:
            raise CommandError(
                "The database is not empty (rows in "
                + ", ".join(occupied)
                + "). Restore into a freshly migrated database, or pass --force."
            )
        with transaction.atomic():
            if not occupied:
                # Take the groups' ids and permissions from the backup, not from migrations.
                Group.objects.all().delete()
            # The backup holds the edit history as it was; loaddata's M2M writes
            # must not add records of their own.
            if terminal.on_terminal():
                self.stderr.write(f"Loading {path}…")
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", path, verbosity=0)
            # Derived columns: a backup from before they existed holds none.
            Output.objects.refresh_derived_fields()
            caching.bump()
            if apps.is_installed("search"):
                call_command("rebuild_search_index", verbosity=0)
        refresh_statistics()
        self.stdout.write(f"Restored {path}")
