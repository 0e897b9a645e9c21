from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "Progress on actions"

    def ready(self):
        from progress import signals  # noqa: F401  connects the receivers
