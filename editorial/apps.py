from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editing"

    def ready(self) -> None:
        from editorial import signals

        signals.connect()
