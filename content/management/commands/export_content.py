import json

from django.core.management.base import BaseCommand, CommandError

from content.documents import export_document
from insights.models import Consultation


class Command(BaseCommand):
    help = "Write consultations (default: all) as one content document to standard output."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Consultation slugs to export.")

    def handle(self, *args, slugs, **options):
        consultations = Consultation.objects.order_by("start_date")
        if slugs:
            consultations = consultations.filter(slug__in=slugs)
            missing = set(slugs) - set(consultations.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No consultation with slug: {', '.join(sorted(missing))}")
        document = export_document(consultations)
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
