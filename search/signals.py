"""Refresh an item's search entry whenever it, or what its entry shows, changes.

Connected for every indexed model (`search.services.indexed_models`): its own
saves and deletes, the saves of models whose change shows in other entries
(`search_dependents()`), and the many-to-many links its entry shows
(`search_links`, e.g. a briefing's presenters).
"""

from django.apps import apps
from django.db.models import ManyToManyField
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.managers import TaggableManager

from insights.models import Consultation
from insights.publishing import consultation_of
from search import services


def saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata: the rows may not all be there yet; rebuild afterwards
        return
    if hasattr(instance, "search_entry"):
        services.index(instance)
    if hasattr(instance, "search_dependents") and not kwargs.get("created"):
        services.index_dependents(instance)
    if isinstance(instance, Consultation):
        services.publish(instance)
    elif hasattr(instance, "held") and hasattr(instance, "search_dependents"):
        # A part or group held back or published shows or hides all it holds.
        consultation = consultation_of(instance)
        if consultation is not None and not kwargs.get("created"):
            services.publish(consultation)


def deleted(sender, instance, **kwargs) -> None:
    services.unindex(instance)


def links_changed(sender, instance, action, reverse, model, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        if hasattr(instance, "search_entry"):
            services.index(instance)
        return
    # An organisation's (say) briefings changed: refresh each briefing it links.
    for field in model._meta.many_to_many:
        if field.remote_field.through is sender:
            for item in getattr(instance, field.remote_field.get_accessor_name()).all():
                services.index(item)


def connect() -> None:
    indexed = services.indexed_models()
    for model in indexed:
        label = model._meta.label
        post_delete.connect(deleted, sender=model, dispatch_uid=f"search-unindex-{label}")
        for name in getattr(model, "search_links", ()):
            field = model._meta.get_field(name)
            assert isinstance(field, ManyToManyField | TaggableManager)
            through = field.remote_field.through
            assert through is not None
            # taggit's one table holds every model's tags: connect it once.
            uid = (
                f"search-links-{through._meta.label}"
                if isinstance(field, TaggableManager)
                else f"search-{label}-{name}"
            )
            m2m_changed.connect(links_changed, sender=through, dispatch_uid=uid)
    for model in apps.get_models():
        if model in indexed or hasattr(model, "search_dependents"):
            post_save.connect(saved, sender=model, dispatch_uid=f"search-index-{model._meta.label}")
