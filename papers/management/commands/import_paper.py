import json
import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from editorial.history import command_reason
from papers.parsing import NoStructure
from papers.readers import ReadError
from papers.services import PaperError, load, prepare, stage_counts


class Command(BaseCommand):
    help = (
        "Import a consultation paper (Markdown or plain text, Word .docx or PDF) as a draft "
        "consultation. With --dry-run, print it as a content document instead and write nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Write nothing; print the content document on standard output.",
        )
        parser.add_argument("--slug", default="", help="The consultation's slug.")
        parser.add_argument("--prefix", default="", help="Its reference prefix, e.g. SGH25.")
        parser.add_argument(
            "--replace-draft",
            action="store_true",
            help="Replace a draft consultation that has the same slug.",
        )

    def handle(self, *args, file, dry_run, slug, prefix, replace_draft, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        if dry_run:
            log_to_stderr()
        try:
            draft = prepare(data, file.name, slug=slug, prefix=prefix, progress=sys.stderr.isatty())
        except (ReadError, NoStructure) as error:
            raise CommandError(f"{file.name}: {error}") from error
        # Warnings go to standard error, so that standard output is the document alone.
        for warning in draft.warnings:
            self.stderr.write(f"warning: {warning.message}")
        if dry_run:
            self.stdout.write(json.dumps(draft.document, ensure_ascii=False, indent=2))
            return
        try:
            record = load(draft, replace_draft=replace_draft, reason=command_reason("import_paper"))
        except PaperError as error:
            raise CommandError(str(error)) from error
        consultation = record.consultation
        parts = draft.consultation["parts"]
        groups = [g for part in parts for g in part["working_groups"]]
        outputs = sum(sum(stage_counts(g)) for g in groups)
        self.stdout.write(
            f"Created the draft “{consultation.title}” ({consultation.slug}): {len(parts)} parts, "
            f"{sum(len(p['briefings']) for p in parts)} briefings, {len(groups)} working groups, "
            f"{outputs} outputs, {len(draft.warnings)} warnings. Review it at "
            f"{reverse('admin:insights_consultation_change', args=[consultation.pk])}"
        )


def log_to_stderr():
    """Send log lines meant for standard output to standard error: a dry run's
    standard output is the document alone."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
            handler.setStream(sys.stderr)
