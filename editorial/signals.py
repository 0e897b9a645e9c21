"""What editorial bookkeeping a content save triggers: the tag snapshot on each
history record, and a record when tags change outside the editing paths."""

from django.db.models.signals import m2m_changed
from simple_history.signals import pre_create_historical_record
from taggit.models import TaggedItem

from editorial.history import fill_tag_snapshot, record_tag_change


def connect() -> None:
    pre_create_historical_record.connect(fill_tag_snapshot, dispatch_uid="history-tag-snapshot")
    m2m_changed.connect(record_tag_change, sender=TaggedItem, dispatch_uid="history-tag-change")
