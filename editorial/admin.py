"""The admin base classes every content model's admin builds on.

- One history record per save, by the editor, with links and tags (history.py).
- Optimistic concurrency: a save over a newer version is refused (versioning.py).
- Restore an earlier version including its links and tags, and recover deleted items.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from taggit.managers import TaggableManager

from editorial.history import changes_between, hold, release, restore_initial, word_diff
from editorial.tagging import TagAutocompleteField
from editorial.versioning import VERSION_FIELD, VersionedForm, short


def _number(value):
    """A primary key from the address; anything else is a page that does not exist."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


class VersionedFieldsMixin:
    """Puts the hidden version field on the page even when `fields` are listed."""

    formfield_overrides: Mapping[type[models.Field], Mapping[str, Any]] = {
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

    # One history record per save (editorial.history): held from the save until the
    # change is logged, which both the change form and the restore form do after the
    # links and tags are written.
    def save_model(self, request, obj, form, change):
        hold(obj)
        obj._history_user = request.user
        obj.save()

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._history_user = request.user
            obj.delete()
        for obj in instances:
            hold(obj)
            obj.save()
        formset.save_m2m()
        new = {id(obj) for obj in formset.new_objects}
        for obj in instances:
            release(obj, request.user, created=id(obj) in new)

    def log_addition(self, request, obj, message):
        release(obj, request.user, created=True)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        release(obj, request.user, created=False)
        return super().log_change(request, obj, message)

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        previous = None
        for current in historical_records:
            if previous is not None:
                previous.history_delta_changes = [
                    {"field": label, "diff": word_diff(before, after)}
                    if "—" not in (before, after)
                    else {"field": label, "old": short(before), "new": short(after)}
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
