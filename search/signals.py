"""Refresh an item's search entry whenever it, or what its entry shows, changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from insights.models import Consultation, InsightBriefing, Part
from search import services
from workinggroups.models import Output, WorkingGroup

INDEXED = (Consultation, InsightBriefing, WorkingGroup, Output)


def _saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the rows may not all be there yet; rebuild afterwards
        return
    services.index(instance)
    if sender is Consultation:
        services.publish(instance)
    elif sender is WorkingGroup:
        # The group's title is shown with each of its outputs.
        for output in instance.outputs.all():
            services.index(output)


def _deleted(sender, instance, **kwargs):
    services.unindex(instance)


for model in INDEXED:
    post_save.connect(_saved, sender=model, dispatch_uid=f"search-index-{model.__name__}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-unindex-{model.__name__}")


@receiver(post_save, sender=Part, dispatch_uid="search-index-part")
def part_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        services.index_part(instance)


@receiver(m2m_changed, sender=InsightBriefing.presenters.through, dispatch_uid="search-presenters")
def presenters_changed(sender, instance, action, reverse, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # an organisation's briefings changed
        for briefing in instance.presented_briefings.all():
            services.index(briefing)
    else:
        services.index(instance)
