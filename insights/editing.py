"""The admin's editing rules shared by every content model.

- One history record per save, by the editor, with links and tags (see history.py).
- Optimistic concurrency: a form carries the version it was loaded at, and a save
  over a newer version is refused with what the other editor changed, keeping what
  this editor typed.
- Restore an earlier version including its links and tags, and recover deleted items.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from taggit.managers import TaggableManager

from insights.history import changes_between, record, restore_initial
from insights.tagging import TagAutocompleteField

VERSION_FIELD = "loaded_version"


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
        if loaded is None or self.instance._state.adding or not hasattr(model, "version"):
            return cleaned
        # Locked until the admin's transaction ends: no save can slip in between.
        stored = (
            model._base_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
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
        ((label, _short(before), _short(after)) for label, before, after in changes),
    )
    return format_html("{}{}<ul>{}</ul>", intro, _("Their changes:"), items)


def _number(value):
    """A primary key from the address; anything else is a page that does not exist."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _short(value, limit=300):
    value = str(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


class VersionedFieldsMixin:
    """Puts the hidden version field on the page even when `fields` are listed."""

    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        TaggableManager: {"form_class": TagAutocompleteField},
    }

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if hasattr(self.model, "version") and VERSION_FIELD not in fields:
            fields.append(VERSION_FIELD)
        return fields


class ContentInline(VersionedFieldsMixin, admin.options.InlineModelAdmin):
    form = VersionedForm


class ContentStackedInline(ContentInline, admin.StackedInline):
    pass


class ContentTabularInline(ContentInline, admin.TabularInline):
    pass


class ContentAdmin(VersionedFieldsMixin, SimpleHistoryAdmin):
    """History with readable differences, restore with links and tags, edit conflicts."""

    form = VersionedForm
    change_list_template = "admin/content/change_list.html"
    base_change_list_template = "admin/change_list.html"

    # One history record per save: hold the library back until links and tags are in.
    def save_model(self, request, obj, form, change):
        obj.skip_history_when_saving = True
        obj._history_user = request.user
        obj.save()

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._history_user = request.user
            obj.delete()
        for obj in instances:
            obj.skip_history_when_saving = True
            obj.save()
        formset.save_m2m()
        new = {id(obj) for obj in formset.new_objects}
        for obj in instances:
            del obj.skip_history_when_saving
            record(obj, request.user, created=id(obj) in new)

    # Both the change form and the restore form end by logging the change, after the
    # M2M links and tags are saved: the moment to write the one history record.
    def log_addition(self, request, obj, message):
        self._record(request, obj, created=True)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, obj, created=False)
        return super().log_change(request, obj, message)

    def _record(self, request, obj, *, created):
        if hasattr(obj, "skip_history_when_saving"):
            del obj.skip_history_when_saving
            record(obj, request.user, created=created)

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        previous = None
        for current in historical_records:
            if previous is not None:
                previous.history_delta_changes = [
                    {"field": label, "old": _short(before), "new": _short(after)}
                    for label, before, after in changes_between(current, previous)
                ]
            previous = current

    def history_view(self, request, object_id, extra_context=None):
        return super().history_view(request, str(_number(object_id)), extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        object_id, version_id = _number(object_id), _number(version_id)
        request.restoring = get_object_or_404(
            self.model.history.model,
            history_id=version_id,
            **{self.model._meta.pk.attname: object_id},
        )
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        record = getattr(request, "restoring", None)
        if record is None:
            return form
        initial = restore_initial(record, form.base_fields)
        if hasattr(self.model, "version"):
            stored = (
                self.model._base_manager.filter(pk=record.id)
                .values_list("version", flat=True)
                .first()
            )
            initial[VERSION_FIELD] = stored
        return type(form.__name__, (form,), {"restore_initial": initial})

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{opts.app_label}_{opts.model_name}_deleted",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"base_change_list_template": self.base_change_list_template} | (
            extra_context or {}
        )
        return super().changelist_view(request, extra_context)

    def deleted_view(self, request):
        """Deleted items, each with a link to recover its last version."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        opts = self.model._meta
        history = self.model.history
        existing = self.model._base_manager.values("pk")
        deletions = (
            history.filter(history_type="-")
            .exclude(id__in=existing)
            .order_by("-history_date")
            .select_related("history_user")
        )
        seen, items = set(), []
        for deletion in deletions[:500]:
            if deletion.id in seen:
                continue
            seen.add(deletion.id)
            items.append(
                {
                    "record": deletion,
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_simple_history",
                        args=[deletion.id, deletion.history_id],
                    ),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Recover deleted %(name)s") % {"name": opts.verbose_name_plural},
            "items": items,
        }
        return TemplateResponse(request, "admin/content/deleted_list.html", context)
