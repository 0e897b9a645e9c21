from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Consultations and insights"

    def ready(self):
        from insights import caching

        caching.connect()
