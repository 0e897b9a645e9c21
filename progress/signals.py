"""Commitments, updates and evidence show on public pages cached under the
content version (insights.caching): any change to them makes those copies stale."""

from django.db.models.signals import post_delete, post_save

from insights.caching import bump
from progress.models import Commitment, Evidence, Update


def _changed(sender, **kwargs):
    bump()


for model in (Commitment, Update, Evidence):
    post_save.connect(_changed, sender=model, dispatch_uid=f"progress-saved-{model.__name__}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"progress-deleted-{model.__name__}")
