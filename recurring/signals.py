"""Similar actions follow the content: an output saved, deleted, or given other
themes or tags refreshes the lists it is in once the transaction commits
(`similarity.refresh`), all the changes of one transaction together.

`SIMILAR_ACTIONS_ON_SAVE = False` turns this off for bulk loads; run
`rebuild_similar_actions` afterwards."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete
from taggit.models import TaggedItem

from workinggroups.models import Output
from workinggroups.signals import written

_pending: set[int] = set()


def _schedule(ids) -> None:
    if not getattr(settings, "SIMILAR_ACTIONS_ON_SAVE", True):
        return
    # Each save asks; the first callback to run does all that is pending, the
    # others find nothing left. Ids of a rolled-back save are refreshed harmlessly later.
    _pending.update(ids)
    transaction.on_commit(_run)


def _run() -> None:
    from recurring import similarity

    ids = list(_pending)
    _pending.clear()
    if ids:
        similarity.refresh(ids)


def output_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _schedule([instance.pk])


def output_links_changed(sender, instance, action, **kwargs) -> None:
    if (
        action.startswith("post_")
        and isinstance(instance, Output)
        and sender in (Output.themes.through, TaggedItem)
    ):
        _schedule([instance.pk])


def outputs_written(sender, pks, **kwargs) -> None:
    _schedule(pks)


def output_deleted(sender, instance, **kwargs) -> None:
    from recurring.models import SimilarAction

    # The actions whose lists held it lose a place: give them a new tenth.
    pointing = SimilarAction.objects.filter(similar=instance).values_list("action_id", flat=True)
    _schedule([pk for pk in pointing if pk != instance.pk])


def connect() -> None:
    post_save.connect(output_saved, sender=Output, dispatch_uid="similar-actions-save")
    pre_delete.connect(output_deleted, sender=Output, dispatch_uid="similar-actions-delete")
    m2m_changed.connect(output_links_changed, dispatch_uid="similar-actions-links")
    written.connect(outputs_written, sender=Output, dispatch_uid="similar-actions-written")
