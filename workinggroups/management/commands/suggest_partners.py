from django.core.management.base import BaseCommand
from django.db import transaction

from editorial.bulk import change_each
from editorial.history import command_reason, recording
from insights.models import InsightBriefing
from insights.suggestions import partner_suggestions
from workinggroups.models import Output


class Command(BaseCommand):
    help = (
        "List outputs and briefings whose text names an organisation (by name, short "
        "name or alias) they are not linked to; with --apply, link them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Link every suggested partner (recorded in history).",
        )

    def handle(self, *args, apply=False, **options):
        querysets = [Output.objects.in_paper_order(), InsightBriefing.objects.all()]
        total = 0
        with transaction.atomic():
            for queryset in querysets:
                suggestions = partner_suggestions(queryset)
                for suggestion in suggestions:
                    item = suggestion.item
                    label = getattr(item, "reference", None) or item.slug
                    self.stdout.write(
                        f"{label}\t{suggestion.organisation.slug}\t“{suggestion.matched}”"
                    )
                if apply and suggestions:
                    accepted = {}
                    for suggestion in suggestions:
                        accepted.setdefault(suggestion.item.pk, []).append(suggestion.organisation)
                    with recording(reason=command_reason("suggest_partners --apply")):
                        change_each(
                            queryset.filter(pk__in=accepted),
                            None,
                            lambda obj, accepted=accepted: obj.partners.add(*accepted[obj.pk]),
                        )
                total += len(suggestions)
        verb = "Linked" if apply else "Suggested"
        self.stderr.write(
            f"{verb} {total} partner links." + ("" if apply else " Run with --apply to link them.")
        )
