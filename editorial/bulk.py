"""Admin bulk actions: changes to many items at once, each change kept in the history.

Every item is locked, changed and saved between `hold()` and `release()`
(`editorial.history`), so the history shows who changed it and how, and its
version moves on: an editor who has the item open in a form is told about the
bulk change instead of overwriting it.

`link_actions()` makes the add/remove pair for one many-to-many field (themes,
partners, tags); apps build their domain actions (publishing, moving) on
`change_each()` and `intermediate()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models, transaction
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from editorial.history import hold, release

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Change = Callable[[Any], bool | None]


@transaction.atomic
def change_each(queryset: models.QuerySet, user: Any, change: Change) -> int:
    """Apply `change(obj)` to each selected item; it returns False to leave one alone.

    Returns how many items were changed; each changed item gets one history record.
    """
    pks = list(queryset.values_list("pk", flat=True))
    changed = 0
    for obj in queryset.model._base_manager.select_for_update().filter(pk__in=pks).order_by("pk"):
        hold(obj)
        if change(obj) is False:
            release(obj, user, write=False)
            continue
        obj.save()
        release(obj, user)
        changed += 1
    return changed


def intermediate_context(modeladmin, request: HttpRequest, queryset, **extra) -> dict:
    """The context every action's confirmation page needs to re-post the selection."""
    return {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "items": queryset,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "checkbox_name": ACTION_CHECKBOX_NAME,
        **extra,
    }


def intermediate(modeladmin, request, queryset, form_class, *, title, change, done):
    """An action's second step: a page with `form_class` for the selected items.

    On confirmation `change(obj, cleaned_data)` runs for each item, and `done`, a
    message with %(count)d and the form's fields, is shown on the list.
    """
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            count = change_each(queryset, request.user, lambda obj: change(obj, form.cleaned_data))
            modeladmin.message_user(
                request, done % {"count": count, **form.cleaned_data}, messages.SUCCESS
            )
            return None
    else:
        form = form_class()
    context = intermediate_context(modeladmin, request, queryset, title=title, form=form)
    return TemplateResponse(request, "admin/content/bulk_action.html", context)


class TagField(forms.CharField):
    """One tag name, without commas."""

    def __init__(self, **kwargs):
        super().__init__(max_length=100, strip=True, **kwargs)

    def clean(self, value):
        tag = super().clean(value).strip(" ,")
        if not tag or "," in tag:
            raise forms.ValidationError(_("Give one tag, without commas."))
        return tag


def _keys(obj, field: str) -> set:
    """What `obj` is linked to through `field`: primary keys, or tag names in lower case."""
    if field == "tags":
        return {name.lower() for name in obj.tags.names()}
    return {linked.pk for linked in getattr(obj, field).all()}


def _key(field: str, value) -> Any:
    return value.lower() if field == "tags" else value.pk


def link_actions(
    field: str,
    form_field: forms.Field,
    *,
    param: str,
    names: tuple[str, str],
    add: tuple[StrOrPromise, StrOrPromise],
    remove: tuple[StrOrPromise, StrOrPromise],
    keep_one: bool = False,
) -> tuple[Callable, Callable]:
    """The admin actions that add a value to, and remove it from, `field` of each item.

    The confirmation form asks for `param`; `names` are the two actions' names,
    and `add` and `remove` their (description, done message) pairs, the message
    taking %(count)d and %(<param>)s. With `keep_one`, an item whose only link
    it is keeps it.
    """
    form_class = type(f"{param.title()}Form", (forms.Form,), {param: form_field})

    def add_change(obj, data):
        if _key(field, data[param]) in _keys(obj, field):
            return False
        getattr(obj, field).add(data[param])
        return None

    def remove_change(obj, data):
        linked = _keys(obj, field)
        key = _key(field, data[param])
        if key not in linked or (keep_one and len(linked) == 1):
            return False
        if field == "tags":
            obj.tags.remove(*[tag for tag in obj.tags.all() if tag.name.lower() == key])
        else:
            getattr(obj, field).remove(data[param])
        return None

    def make(name: str, words: tuple[StrOrPromise, StrOrPromise], change: Callable) -> Callable:
        description, done = words

        def action(modeladmin, request, queryset):
            return intermediate(
                modeladmin, request, queryset, form_class, title=description,
                change=change, done=done,
            )  # fmt: skip

        action.__name__ = name
        return admin.action(description=description, permissions=["change"])(action)

    return make(names[0], add, add_change), make(names[1], remove, remove_change)
