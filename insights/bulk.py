"""The admin's bulk actions on consultations, briefings and outputs: linking themes,
tags and partners, publishing, and partner suggestions from the text."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from editorial.bulk import TagField, change_each, intermediate_context, link_actions
from insights.models import Organisation, Status, Theme
from insights.suggestions import partner_suggestions

add_theme, remove_theme = link_actions(
    "themes",
    forms.ModelChoiceField(Theme.objects.all(), label=_("Theme")),
    param="theme",
    names=("add_theme", "remove_theme"),
    add=(_("Add a theme"), _("Added the theme “%(theme)s” to %(count)d items.")),
    remove=(
        _("Remove a theme"),
        _(
            "Removed the theme “%(theme)s” from %(count)d items "
            "(an item whose only theme it is keeps it)."
        ),
    ),
    # Every item needs at least one theme to be found by theme.
    keep_one=True,
)

add_tag, remove_tag = link_actions(
    "tags",
    TagField(label=_("Tag")),
    param="tag",
    names=("add_tag", "remove_tag"),
    add=(_("Add a tag"), _("Tagged %(count)d items “%(tag)s”.")),
    remove=(_("Remove a tag"), _("Removed the tag “%(tag)s” from %(count)d items.")),
)

link_partner, unlink_partner = link_actions(
    "partners",
    forms.ModelChoiceField(Organisation.objects.all(), label=_("Partner")),
    param="partner",
    names=("link_partner", "unlink_partner"),
    add=(_("Link a partner"), _("Linked %(partner)s to %(count)d items.")),
    remove=(_("Unlink a partner"), _("Unlinked %(partner)s from %(count)d items.")),
)

LINKS = [add_theme, remove_theme, add_tag, remove_tag, link_partner, unlink_partner]


# Publishing, for any model with a `status` (the admin is a StatusAdmin): editors
# take drafts to review; only publishers go further.


def _set_status(modeladmin, request, queryset, status, *, only_from=None):
    def change(obj):
        if obj.status == status or (only_from and obj.status not in only_from):
            return False
        obj.status = status
        return None

    count = change_each(queryset, request.user, change)
    label = Status(status).label
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d %(name)s is now “%(status)s”.",
            "%(count)d %(name)s are now “%(status)s”.",
            count,
        )
        % {"count": count, "name": model_ngettext(queryset, count), "status": label},
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


PUBLISHING = [submit_for_review, publish, unpublish, archive]


# Content an editor added to a published consultation waits for a publisher.


@admin.action(description=_("Publish what is held back"), permissions=["publish"])
def publish_held(modeladmin, request, queryset):
    """Put held items on the site (those whose consultation is published go live)."""

    def change(obj):
        if not obj.held:
            return False
        obj.held = False
        return None

    count = change_each(queryset, request.user, change)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d %(name)s is no longer held back.",
            "%(count)d %(name)s are no longer held back.",
            count,
        )
        % {"count": count, "name": model_ngettext(queryset, count)},
        messages.SUCCESS if count else messages.WARNING,
    )


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
            return None

        count = change_each(queryset, request.user, change)
        links = sum(len(orgs) for orgs in accepted.values())
        modeladmin.message_user(
            request,
            _("Added %(links)d partner links to %(count)d items.")
            % {"links": links, "count": count},
            messages.SUCCESS,
        )
        return None
    context = intermediate_context(
        modeladmin, request, queryset, title=_("Suggested partner links"), suggestions=suggestions
    )
    return TemplateResponse(request, "admin/content/suggest_partners.html", context)
