"""Optimistic concurrency for content edited by several editors.

Each save of a `Versioned` model raises its `version` by one. A `VersionedForm`
carries the version it was loaded at, and a save over a newer version is refused
with what the other editor changed, keeping what this editor typed.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from editorial.history import changes_between

VERSION_FIELD = "loaded_version"


class Versioned(models.Model):
    """Content edited by several editors: each save raises `version` by one, so an
    editor whose form was loaded at an older version can be told instead of
    silently overwriting the other's change."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Save with the next version number.

        What a content save triggers, in order (each receiver is connected in its
        app's `AppConfig.ready()` from that app's `signals.py`):

        1. the model's own `save()`: derived fields (an output's reference,
           paper position and visibility; a part's slug) and, here, the version;
        2. `workinggroups.signals`: a consultation, part or group saved refreshes
           the stored paper position and visibility of the outputs under it;
        3. `search.signals`: the item's search entry, the entries that show it
           (`search_dependents()`), and for a consultation its entries' visibility;
        4. `web.signals`: a new content version, so every cached page and count
           is stale at once; `recurring.signals`: after the commit, an output's
           similar actions and the lists it is in;
        5. history (`editorial.history`): one record per save, written when the
           editing path releases its `hold()` after the links and tags are in,
           or by django-simple-history itself for a save outside those paths.
        """
        if self._state.adding or not self.pk:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            # Count from the stored row, locked until the transaction ends, so two
            # saves never both claim the same version.
            stored = (
                type(self)
                ._base_manager.select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is not None:
                self.version = stored + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            return super().save(*args, **kwargs)


class VersionedForm(forms.ModelForm):
    """A model form that refuses to save over a version it was not loaded from."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Set by ContentAdmin when restoring an earlier version.
    restore_initial = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if VERSION_FIELD in self.fields:
            self.fields[VERSION_FIELD].initial = getattr(self.instance, "version", None)
        if self.restore_initial and not self.is_bound:
            self.initial.update(self.restore_initial)

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get(VERSION_FIELD)
        model = type(self.instance)
        if self.instance._state.adding or not hasattr(model, "version"):
            return cleaned
        # Locked until the admin's transaction ends: no save can slip in between.
        stored = (
            model._base_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        # A post that leaves the version out is refused like a stale one: otherwise
        # dropping the field would overwrite a newer save silently.
        if stored is not None and stored != loaded:
            # The next submit means "I have seen their change; keep mine".
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION_FIELD)] = stored
            raise ValidationError(conflict_message(self.instance, loaded), code="conflict")
        return cleaned


def conflict_message(obj, loaded):
    """Who saved `obj` after version `loaded` was opened, and what they changed."""
    records = type(obj).history.filter(**{obj._meta.pk.attname: obj.pk})
    latest = records.order_by("-history_date", "-history_id").select_related("history_user").first()
    opened = records.filter(version=loaded).order_by("-history_date", "-history_id").first()
    who = (latest.history_user.get_username() if latest and latest.history_user else "") or _(
        "another editor"
    )
    when = date_format(localtime(latest.history_date), "DATETIME_FORMAT") if latest else ""
    intro = format_html(
        "{} ",
        _(
            "%(who)s saved this %(model)s at %(when)s, after you opened it. Your changes "
            "are NOT saved yet: they are still in the form below. Compare them with the "
            "other change, then save again to keep yours."
        )
        % {"who": who, "model": obj._meta.verbose_name, "when": when},
    )
    if not (latest and opened):
        return intro
    changes = changes_between(opened, latest)
    items = format_html_join(
        "",
        "<li><strong>{}</strong>: {} → {}</li>",
        ((label, short(before), short(after)) for label, before, after in changes),
    )
    return format_html("{}{}<ul>{}</ul>", intro, _("Their changes:"), items)


def short(value, limit=300):
    """`value` as text of at most `limit` characters."""
    value = str(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
