from django.core.management.base import BaseCommand

from benchmarks.generate import ContentGenerator


class Command(BaseCommand):
    help = ContentGenerator.help

    def add_arguments(self, parser):
        ContentGenerator.add_arguments(parser)

    def handle(self, *args, **options):
        ContentGenerator(self.stdout).handle(*args, **options)
