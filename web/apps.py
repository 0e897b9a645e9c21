from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Public pages"

    def ready(self) -> None:
        from web import signals

        signals.connect()
