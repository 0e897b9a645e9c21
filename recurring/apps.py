from django.apps import AppConfig


class RecurringConfig(AppConfig):
    name = "recurring"
    verbose_name = "Recurring findings"

    def ready(self) -> None:
        from recurring import signals

        signals.connect()
