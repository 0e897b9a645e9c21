"""Edit history for content: who changed what, when, and how to put it back.

django-simple-history records each save on its own, and an M2M change as a further
record per field; taggit tags, a generic relation, it does not see at all. This
module is the one owner of "one history record per save": every editing path (the
admin's forms and inlines, bulk actions, the spreadsheet import) calls `hold(obj)`
before it saves and `release(obj, user)` once the links and tags are written.
Nothing else touches the library's `skip_history_when_saving` flag.

Imports and commands that save many items, each in several steps (create, then
links, then tags), run inside `recording(user, reason=...)`: each item they touch
gets one record when the block ends, by the editor who ran it or, from a
terminal, with a reason naming the command and the operating-system user.
"""

import difflib
import getpass
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history import utils
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name
from taggit.models import TaggedItem


class TagSnapshot(models.Model):
    """Extra field on the historical models of tagged content."""

    tag_names = models.TextField(blank=True, default="", verbose_name=_("tags"))

    class Meta:
        abstract = True


class ContentHistory(HistoricalRecords):
    """HistoricalRecords that remembers itself on the model and snapshots its tags."""

    def __init__(self, *, tags=False, **kwargs):
        if tags:
            kwargs["bases"] = [TagSnapshot]
        super().__init__(**kwargs)

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        cls.history_records = self

    def create_historical_record(self, instance, history_type, using=None):
        batch = _batch.get()
        if batch is not None and batch.defer(self, instance, history_type):
            return
        # The tags are gone by post_delete; the record of a deletion keeps the last snapshot.
        if hasattr(instance, "tags"):
            deleted = history_type == "-"
            instance._tag_snapshot = None if deleted else tag_string(instance.tags.names())
        super().create_historical_record(instance, history_type, using=using)


@dataclass
class _Batch:
    user: object
    reason: str
    pending: dict = dataclass_field(default_factory=dict)
    writing: bool = False

    def defer(self, history, instance, history_type):
        """Keep `instance`'s record for the end of the block; False: write it now."""
        if self.writing:
            return False
        key = (type(instance), instance.pk)
        if history_type == "-":
            self.pending.pop(key, None)
            self.sign(instance)
            return False
        earlier = self.pending.get(key)
        created = history_type == "+" or (earlier is not None and earlier[2] == "+")
        self.pending[key] = (history, instance, "+" if created else "~")
        return True

    def sign(self, instance):
        if self.user is not None or getattr(instance, "_history_user", None) is None:
            instance._history_user = self.user
        if self.reason:
            instance._change_reason = self.reason

    def write(self):
        self.writing = True
        for history, instance, history_type in self.pending.values():
            self.sign(instance)
            history.create_historical_record(instance, history_type)
        self.pending.clear()


_batch: ContextVar[_Batch | None] = ContextVar("history_batch", default=None)


@contextmanager
def recording(user=None, *, reason=""):
    """One history record for each item saved, linked or tagged within the block,
    written as the block ends (nothing if it raises), by `user`, with `reason`.

    Inside another `recording()` block, it is part of that one.
    """
    if _batch.get() is not None:
        yield
        return
    batch = _Batch(user, reason[:100])
    token = _batch.set(batch)
    try:
        yield
        batch.write()
    finally:
        _batch.reset(token)


def command_reason(name):
    """Who ran a management command, for the history: `manage.py NAME, run by USER`."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "an unknown user"
    return f"manage.py {name}, run by {who}"


def word_diff(before, after) -> SafeString:
    """`after` with the words taken out of `before` in <del> and those put in, in
    <ins>; the text escaped."""
    old, new = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    html: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            html.append(escape("".join(old[i1:i2])))
            continue
        if i2 > i1:
            html.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            html.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return mark_safe("".join(html))  # every piece is escaped above


def tag_string(names):
    return ", ".join(sorted(names, key=str.lower))


def fill_tag_snapshot(sender, instance, history_instance, **kwargs):
    if hasattr(history_instance, "tag_names"):
        snapshot = getattr(instance, "_tag_snapshot", None)
        if snapshot is None:
            previous = (
                sender.objects.filter(**{instance._meta.pk.attname: instance.pk})
                .order_by("-history_date", "-history_id")
                .first()
            )
            snapshot = previous.tag_names if previous else ""
        history_instance.tag_names = snapshot


def hold(obj):
    """Hold back the record of `obj`'s next saves until `release()`."""
    obj.skip_history_when_saving = True


def is_held(obj):
    return hasattr(obj, "skip_history_when_saving")


def release(obj, user, *, created=False, write=True):
    """End `hold()`: write the one record of `obj` as it now is, by `user`.

    Does nothing if `obj` was not held, so a path that saved nothing records nothing.
    With `write=False` the hold ends without a record (the change failed).
    """
    if not is_held(obj):
        return
    del obj.skip_history_when_saving
    if write and obj.pk is not None:
        record(obj, user, created=created)


def record(obj, user, *, created=False):
    """Write one history record of `obj` as it now is, links and tags included."""
    obj._history_user = user
    type(obj).history_records.create_historical_record(obj, "+" if created else "~")


def record_many(model, objs, user, *, created=()):
    """Write one history record of each of `objs` as it now is, by `user`, as
    `record()` does, in a few queries for all of them (for a bulk write, which
    sends no signals): `created` holds the primary keys of the new ones."""
    history = model.history_records
    historical = getattr(model, history.manager_name).model
    objs = [obj for obj in objs if obj.pk is not None]
    pks = [obj.pk for obj in objs]
    tags: dict = {}
    if hasattr(historical, "tag_names"):
        items = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=pks
        ).values_list("object_id", "tag__name")
        for pk, name in items:
            tags.setdefault(pk, []).append(name)
    when = timezone.now()
    created = set(created)
    records = []
    for obj in objs:
        fields = history.fields_included(obj)
        values = {field.attname: getattr(obj, field.attname) for field in fields}
        record = historical(
            history_date=when,
            history_type="+" if obj.pk in created else "~",
            history_user=user,
            history_change_reason=None,
            **values,
        )
        if hasattr(record, "tag_names"):
            record.tag_names = tag_string(tags.get(obj.pk, []))
        records.append(record)
    historical.objects.bulk_create(records, batch_size=500)
    by_pk = {getattr(record, model._meta.pk.attname): record for record in records}
    for field in historical._history_m2m_fields:
        through = getattr(model, field.name).through
        names = [f.attname for f in through._meta.fields]
        owner = f"{utils.get_m2m_field_name(field)}_id"
        rows = through.objects.filter(**{f"{owner}__in": pks}).values(*names)
        history.m2m_models[field].objects.bulk_create(
            [history.m2m_models[field](history=by_pk[row[owner]], **row) for row in rows],
            batch_size=500,
        )
    return records


def record_before(record):
    """The state to restore for `record`: a deletion's own record has lost its links."""
    if record.history_type == "-" and record.prev_record is not None:
        return record.prev_record
    return record


def restore_initial(record, form_fields):
    """Initial form data that puts back the M2M links and tags `record` had."""
    source = record_before(record)
    initial = {}
    for field in record._history_m2m_fields:
        if field.name in form_fields:
            column = get_m2m_reverse_field_name(field)
            rows = getattr(source, field.name).values_list(f"{column}_id", flat=True)
            initial[field.name] = list(rows)
    if "tags" in form_fields and hasattr(source, "tag_names"):
        initial["tags"] = source.tag_names
    return initial


def changes_between(old, new):
    """[(label, before, after)] for every field, link and tag that differs from old to new."""
    delta = new.diff_against(old, foreign_keys_are_objs=True)
    opts = new.instance_type._meta
    changes = []
    for change in delta.changes:
        if change.field == "version":
            continue
        field = opts.get_field(change.field)
        if field.many_to_many:
            column = get_m2m_reverse_field_name(field)
            before = ", ".join(str(row[column]) for row in change.old)
            after = ", ".join(str(row[column]) for row in change.new)
        else:
            before, after = _display(field, change.old), _display(field, change.new)
        changes.append((capfirst(field.verbose_name), before, after))
    if getattr(old, "tag_names", "") != getattr(new, "tag_names", ""):
        changes.append((capfirst(_("tags")), old.tag_names or "—", new.tag_names or "—"))
    return changes


def _display(field, value):
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def record_tag_change(sender, instance, action, **kwargs):
    """Tags changed outside the admin (a shell, an import) are recorded like links."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    history = getattr(type(instance), "history_records", None)
    if history is None or is_held(instance):
        return
    if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        history.create_historical_record(instance, "~")
