from django.apps import AppConfig


class WorkingGroupsConfig(AppConfig):
    name = "workinggroups"
    verbose_name = "Working groups and outputs"

    def ready(self):
        from workinggroups import signals  # noqa: F401  connects the receivers
