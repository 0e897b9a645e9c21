"""Recurring findings in the admin: editors curate them (also in one step from an
action's similar actions, on the output's change page), publishers publish."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from editorial.admin import ContentAdmin
from editorial.history import hold, release
from editorial.versioning import VersionedForm
from insights import bulk
from insights.models import Status
from insights.publishing import StatusAdmin, StatusForm
from recurring.models import (
    RecurringFinding,
    RejectedSuggestion,
    check_members,
    check_prose_groups,
)
from workinggroups.models import Output

PUBLISH_PERMISSION = "recurring.publish_recurringfinding"


class RecurringFindingForm(StatusForm, VersionedForm):
    """Editors take a finding to review; only publishers publish, unpublish or
    archive it. The members must come from at least two working groups."""

    def clean(self):
        cleaned = super().clean()
        actions = cleaned.get("actions")
        groups = cleaned.get("groups")
        if actions is not None and groups is not None:
            try:
                check_prose_groups(groups)
                check_members(actions.select_related("working_group"), groups)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(RecurringFinding)
class RecurringFindingAdmin(StatusAdmin, ContentAdmin):
    publish_permission = PUBLISH_PERMISSION
    form = RecurringFindingForm
    list_display = ["title", "status", "action_count"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["actions", "groups"]
    fields = ["title", "slug", "status", "summary", "actions", "groups"]
    actions = bulk.PUBLISHING

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actions")

    @admin.display(description=_("Actions"))
    def action_count(self, finding):
        return len(finding.actions.all())

    def get_urls(self):
        return [
            path(
                "from-action/<int:pk>/",
                self.admin_site.admin_view(require_POST(self.from_action_view)),
                name="recurring_recurringfinding_from_action",
            ),
            *super().get_urls(),
        ]

    def from_action_view(self, request, pk):
        """The output page's one step: add the action and the ticked similar actions
        to an existing or a new finding, or reject the ticked ones for a finding."""
        action = get_object_or_404(Output, pk=pk)
        back = redirect(reverse("admin:workinggroups_output_change", args=[action.pk]))
        if not self.has_change_permission(request):
            raise PermissionDenied
        ticked = list(
            Output.objects.filter(pk__in=_numbers(request.POST.getlist("similar"))).exclude(
                pk=action.pk
            )
        )
        chosen = _numbers([request.POST.get("finding", "")])
        finding = RecurringFinding.objects.filter(pk__in=chosen).first()
        title = request.POST.get("title", "").strip()
        if "reject" in request.POST:
            if finding is None or not ticked:
                self.message_user(
                    request,
                    _("To reject suggestions, tick them and choose the finding they do not fit."),
                    messages.ERROR,
                )
                return back
            for other in ticked:
                RejectedSuggestion.objects.get_or_create(
                    finding=finding, action=other, defaults={"rejected_by": request.user}
                )
            self.message_user(
                request,
                ngettext(
                    "%(count)d suggestion will not be offered again for “%(finding)s”.",
                    "%(count)d suggestions will not be offered again for “%(finding)s”.",
                    len(ticked),
                )
                % {"count": len(ticked), "finding": finding},
                messages.SUCCESS,
            )
            return back
        if finding is None and not title:
            self.message_user(
                request, _("Choose a recurring finding or give a new one a title."), messages.ERROR
            )
            return back
        if finding is None and not self.has_add_permission(request):
            raise PermissionDenied
        members = [action, *ticked]
        existing = list(finding.actions.select_related("working_group")) if finding else []
        try:
            check_members([*existing, *members], list(finding.groups.all()) if finding else [])
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return back
        with transaction.atomic():
            created = finding is None
            if created:
                finding = RecurringFinding(
                    title=title[:250],
                    slug=_free_slug(title),
                    summary=request.POST.get("summary", "").strip(),
                    status=Status.DRAFT,
                )
            else:
                finding = RecurringFinding.objects.select_for_update().get(pk=finding.pk)
            hold(finding)
            finding._history_user = request.user
            finding.save()
            finding.actions.add(*members)
            release(finding, request.user, created=created)
        self.message_user(
            request,
            ngettext(
                "Added %(count)d action to “%(finding)s”.",
                "Added %(count)d actions to “%(finding)s”.",
                len(members),
            )
            % {"count": len(members), "finding": finding},
            messages.SUCCESS,
        )
        return back


def _numbers(values):
    return [int(value) for value in values if value.isdigit()]


def _free_slug(title):
    base = slugify(title)[:100] or "recurring-finding"
    slug, n = base, 2
    while RecurringFinding.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
