from django.core.management.base import BaseCommand

from search.services import rebuild


class Command(BaseCommand):
    help = (
        "Index every consultation, briefing, working group, action, partner and theme "
        "afresh: after bulk loads that bypass save() or when the index is suspected to be stale."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Indexed {rebuild()} items for search.")
