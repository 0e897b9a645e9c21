"""Admin actions that change many items at once, each change kept in the history.

Every item is locked, changed and saved inside `single_record()`, so the history shows
who changed it and how, and its version moves on: an editor who has the item open
in a form is told about the bulk change instead of overwriting it.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from insights.history import record
from insights.models import Organisation, Status, Theme
from insights.suggestions import partner_suggestions


@transaction.atomic
def change_each(queryset, user, change):
    """Apply `change(obj)` to each selected item; it returns False to leave one alone.

    Returns how many items were changed.
    """
    pks = list(queryset.values_list("pk", flat=True))
    changed = 0
    for obj in queryset.model._base_manager.select_for_update().filter(pk__in=pks).order_by("pk"):
        obj.skip_history_when_saving = True
        try:
            if change(obj) is False:
                continue
            obj.save()
        finally:
            del obj.skip_history_when_saving
        record(obj, user)
        changed += 1
    return changed


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
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "items": queryset,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/content/bulk_action.html", context)


class ThemeForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.all(), label=_("Theme"))


class TagForm(forms.Form):
    tag = forms.CharField(max_length=100, label=_("Tag"), strip=True)

    def clean_tag(self):
        tag = self.cleaned_data["tag"].strip(" ,")
        if not tag or "," in tag:
            raise forms.ValidationError(_("Give one tag, without commas."))
        return tag


class PartnerForm(forms.Form):
    partner = forms.ModelChoiceField(Organisation.objects.all(), label=_("Partner"))


@admin.action(description=_("Add a theme"), permissions=["change"])
def add_theme(modeladmin, request, queryset):
    def change(obj, data):
        if data["theme"] in obj.themes.all():
            return False
        obj.themes.add(data["theme"])

    return intermediate(
        modeladmin, request, queryset, ThemeForm, title=_("Add a theme"), change=change,
        done=_("Added the theme “%(theme)s” to %(count)d items."),
    )  # fmt: skip


@admin.action(description=_("Remove a theme"), permissions=["change"])
def remove_theme(modeladmin, request, queryset):
    def change(obj, data):
        themes = list(obj.themes.all())
        # Every item needs at least one theme to be found by theme.
        if data["theme"] not in themes or len(themes) == 1:
            return False
        obj.themes.remove(data["theme"])

    return intermediate(
        modeladmin, request, queryset, ThemeForm, title=_("Remove a theme"), change=change,
        done=_("Removed the theme “%(theme)s” from %(count)d items "
               "(an item whose only theme it is keeps it)."),
    )  # fmt: skip


@admin.action(description=_("Add a tag"), permissions=["change"])
def add_tag(modeladmin, request, queryset):
    def change(obj, data):
        if data["tag"].lower() in {name.lower() for name in obj.tags.names()}:
            return False
        obj.tags.add(data["tag"])

    return intermediate(
        modeladmin, request, queryset, TagForm, title=_("Add a tag"), change=change,
        done=_("Tagged %(count)d items “%(tag)s”."),
    )  # fmt: skip


@admin.action(description=_("Remove a tag"), permissions=["change"])
def remove_tag(modeladmin, request, queryset):
    def change(obj, data):
        matching = [tag for tag in obj.tags.all() if tag.name.lower() == data["tag"].lower()]
        if not matching:
            return False
        obj.tags.remove(*matching)

    return intermediate(
        modeladmin, request, queryset, TagForm, title=_("Remove a tag"), change=change,
        done=_("Removed the tag “%(tag)s” from %(count)d items."),
    )  # fmt: skip


@admin.action(description=_("Link a partner"), permissions=["change"])
def link_partner(modeladmin, request, queryset):
    def change(obj, data):
        if data["partner"] in obj.partners.all():
            return False
        obj.partners.add(data["partner"])

    return intermediate(
        modeladmin, request, queryset, PartnerForm, title=_("Link a partner"), change=change,
        done=_("Linked %(partner)s to %(count)d items."),
    )  # fmt: skip


@admin.action(description=_("Unlink a partner"), permissions=["change"])
def unlink_partner(modeladmin, request, queryset):
    def change(obj, data):
        if data["partner"] not in obj.partners.all():
            return False
        obj.partners.remove(data["partner"])

    return intermediate(
        modeladmin, request, queryset, PartnerForm, title=_("Unlink a partner"), change=change,
        done=_("Unlinked %(partner)s from %(count)d items."),
    )  # fmt: skip


# Publishing: editors take drafts to review; only publishers go further.


def _set_status(modeladmin, request, queryset, status, *, only_from=None):
    def change(obj):
        if obj.status == status or (only_from and obj.status not in only_from):
            return False
        obj.status = status

    count = change_each(queryset, request.user, change)
    label = Status(status).label
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d consultation is now “%(status)s”.",
            "%(count)d consultations are now “%(status)s”.",
            count,
        )
        % {"count": count, "status": label},
        messages.SUCCESS if count else messages.WARNING,
    )


@admin.action(description=_("Submit for review"), permissions=["change"])
def submit_for_review(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, Status.REVIEW, only_from=[Status.DRAFT])


@admin.action(description=_("Publish"), permissions=["publish"])
def publish(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, Status.PUBLISHED)


@admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
def unpublish(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, Status.DRAFT)


@admin.action(description=_("Archive"), permissions=["publish"])
def archive(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, Status.ARCHIVED)


# Partner suggestions: the text names an organisation the item is not linked to.


@admin.action(description=_("Suggest partner links from the text"), permissions=["change"])
def suggest_partners(modeladmin, request, queryset):
    suggestions = partner_suggestions(queryset)
    if "apply" in request.POST:
        chosen = set(request.POST.getlist("link"))
        accepted = {}
        for suggestion in suggestions:
            if suggestion.key in chosen:
                accepted.setdefault(suggestion.item.pk, []).append(suggestion.organisation)

        def change(obj):
            if obj.pk not in accepted:
                return False
            obj.partners.add(*accepted[obj.pk])

        count = change_each(queryset, request.user, change)
        links = sum(len(orgs) for pk, orgs in accepted.items())
        modeladmin.message_user(
            request,
            _("Added %(links)d partner links to %(count)d items.")
            % {"links": links, "count": count},
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Suggested partner links"),
        "opts": modeladmin.model._meta,
        "suggestions": suggestions,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/content/suggest_partners.html", context)
