from django.apps import AppConfig


class WorkingGroupsConfig(AppConfig):
    name = "workinggroups"
    verbose_name = "Working groups and outputs"

    def ready(self) -> None:
        from workinggroups import signals

        signals.connect()
