from django.apps import AppConfig


class BrowseConfig(AppConfig):
    name = "browse"
    verbose_name = "Browsing the findings"

    def ready(self) -> None:
        from browse import checks  # noqa: F401  registers the deployment check
