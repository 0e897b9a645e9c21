from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from taggit import apps as taggit_apps


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editing"
    default = True

    def ready(self) -> None:
        from editorial import signals

        signals.connect()


class TagsConfig(taggit_apps.TaggitAppConfig):
    """django-taggit under the editors' word: "Tags", not the library's name, in the
    admin's index and breadcrumbs (INSTALLED_APPS names this instead of "taggit")."""

    default = False
    verbose_name = _("Tags")
