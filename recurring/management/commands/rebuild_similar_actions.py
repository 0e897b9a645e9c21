import sys
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from recurring import similarity
from workinggroups.models import Output


class Command(BaseCommand):
    help = (
        "Recompute every action's similar actions (up to 10 from other working groups, "
        "best first). Run after a bulk load made with SIMILAR_ACTIONS_ON_SAVE off."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = Output.objects.count()
        progress = None
        if sys.stderr.isatty() and options["verbosity"] > 0:

            def progress(rows):
                return tqdm(rows, total=total, unit="actions", file=sys.stderr)

        actions, rows = similarity.rebuild(progress)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Computed similar actions for {actions} actions ({rows} links) in {elapsed:.1f}s."
        )
