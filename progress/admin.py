"""Commitments and updates in the admin, for editors and for partner contributors.

A partner contributor (a `Contributor`, in the "Partner contributors" group) sees
only the commitments of the organisations they report for: they may add updates to
them and change their status and progress, and nothing else. Anything outside that
is answered 403, never a redirect or a 404, so that a forged request learns nothing.
"""

import base64

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from editorial import bulk
from editorial.admin import ContentAdmin, ContentStackedInline, ContentTabularInline
from progress import services
from progress.models import Commitment, Contributor, Evidence, Status, Update
from web.uploads import upload_problem
from workinggroups.admin import OutputAdmin
from workinggroups.models import Output

# What a contributor may change on a commitment of their own organisation.
CONTRIBUTOR_FIELDS = {"status", "progress"}
COMMITMENT_FIELDS = [
    "action",
    "organisation",
    "role",
    "status",
    "progress",
    "started",
    "due",
    "summary",
]
IMPORT_PERMISSIONS = [
    "progress.add_commitment",
    "progress.change_commitment",
    "progress.add_update",
]


def reporting_for(user):
    """None when `user` sees every commitment (an editor); otherwise the ids of the
    organisations they report for (a partner contributor, or nobody's: empty)."""
    if user.is_superuser or user.has_perm("progress.add_commitment"):
        return None
    if not hasattr(user, "_reporting_for"):
        user._reporting_for = Contributor.objects.organisation_ids(user)
    return user._reporting_for


class ReportingScopeMixin:
    """Narrows an admin to the organisations a contributor reports for, and answers
    403 for any object outside them."""

    organisation_path = "organisation"

    def organisation_id(self, obj):
        return obj.organisation_id

    def in_scope(self, request, obj):
        scope = reporting_for(request.user)
        return scope is None or obj is None or self.organisation_id(obj) in scope

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = reporting_for(request.user)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.organisation_path}__in": scope})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and reporting_for(request.user) is not None:
            # It may exist outside the contributor's organisations: refuse, don't hide.
            try:
                exists = self.model._base_manager.filter(pk=object_id).exists()
            except (ValueError, ValidationError):
                exists = False
            if exists:
                raise PermissionDenied
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def response_action(self, request, queryset):
        # A selection naming another organisation's item is forged: refuse it whole.
        selected = set(request.POST.getlist(ACTION_CHECKBOX_NAME))
        if selected and reporting_for(request.user) is not None:
            try:
                found = queryset.filter(pk__in=selected).count()
            except (ValueError, ValidationError):
                raise PermissionDenied from None
            if found != len(selected):
                raise PermissionDenied
        return super().response_action(request, queryset)


def mark_reported(update, request):
    """Who reported `update`: a contributor reports for the committed organisation."""
    update.reported_by = request.user
    if reporting_for(request.user) is not None:
        update.self_reported = True
        update.organisation = update.commitment.organisation
    elif update.organisation is None:
        update.organisation = update.commitment.organisation


class UpdateInline(ContentStackedInline):
    model = Update
    fields = [("date", "status", "progress"), "text", "organisation", "is_withdrawn", "reporter"]
    readonly_fields = ["reporter"]
    autocomplete_fields = ["organisation"]
    extra = 0
    show_change_link = True
    verbose_name = _("update")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if reporting_for(request.user) is None:
            return fields
        return [field for field in fields if field not in ("organisation", "is_withdrawn")]

    @admin.display(description=_("Reported"))
    def reporter(self, update):
        if update.pk is None:
            return "—"
        who = update.reported_by.get_username() if update.reported_by else "—"
        if update.self_reported:
            return _("by %(organisation)s (%(user)s)") % {
                "organisation": update.organisation,
                "user": who,
            }
        return _("by the editors (%(user)s)") % {"user": who}


class CommitmentInline(ContentTabularInline):
    model = Commitment
    fields = ["organisation", "role", "status", "progress", "started", "due"]
    autocomplete_fields = ["organisation"]
    extra = 0
    show_change_link = True


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices, label=_("Status"))


@admin.action(description=_("Change the status"), permissions=["change"])
def change_status(modeladmin, request, queryset):
    def change(commitment, data):
        if commitment.status == data["status"]:
            return False
        commitment.status = data["status"]

    return bulk.intermediate(
        modeladmin, request, queryset, StatusForm, title=_("Change the status"), change=change,
        done=_("%(count)d commitments are now “%(status)s”."),
    )  # fmt: skip


class ImportForm(forms.Form):
    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = upload_problem(upload, text=not upload.name.lower().endswith(".xlsx"))
        if problem:
            raise forms.ValidationError(problem)
        return upload

    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Commitments (action, organisation, role, status, progress, started, due, "
            "summary) or updates (action, organisation, date, status, progress, text, "
            "evidence_url, evidence_title): the header row tells which."
        ),
    )


@admin.register(Commitment)
class CommitmentAdmin(ReportingScopeMixin, ContentAdmin):
    list_display = [
        "action",
        "organisation",
        "role",
        "status",
        "progress_shown",
        "due",
        "is_overdue",
    ]
    list_filter = ["status", "role", "due", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["action", "organisation"]
    search_fields = ["action__reference", "organisation__name", "summary"]
    autocomplete_fields = ["action", "organisation"]
    fields = [
        "action",
        "organisation",
        "role",
        ("status", "progress"),
        ("started", "due"),
        "summary",
    ]
    inlines = [UpdateInline]
    actions = [change_status]
    change_list_template = "admin/progress/commitment/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).with_latest_update()

    def get_readonly_fields(self, request, obj=None):
        if reporting_for(request.user) is None:
            return super().get_readonly_fields(request, obj)
        return [name for name in COMMITMENT_FIELDS if name not in CONTRIBUTOR_FIELDS]

    def get_autocomplete_fields(self, request):
        if reporting_for(request.user) is not None:
            return []
        return super().get_autocomplete_fields(request)

    def save_formset(self, request, form, formset, change):
        if formset.model is Update:
            for inline_form in formset.forms:
                if inline_form.instance.pk is None and inline_form.has_changed():
                    inline_form.instance.commitment = form.instance
                    mark_reported(inline_form.instance, request)
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("Progress"))
    def progress_shown(self, commitment):
        return f"{commitment.current_progress}%"

    @admin.display(description=_("Overdue"), boolean=True)
    def is_overdue(self, commitment):
        return commitment.overdue

    # Import: CSV or XLSX, previewed, all or nothing.

    def has_import_permission(self, request):
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="progress_commitment_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"has_import_permission": self.has_import_permission(request)} | (
            extra_context or {}
        )
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload, preview what would change, then confirm: the file travels in the
        confirmation form, and is read and checked again before anything is written."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import commitments or updates"),
        }
        if request.method == "POST" and "confirm" in request.POST:
            name = request.POST.get("name", "")
            try:
                content = base64.b64decode(request.POST.get("content", ""), validate=True)
            except ValueError:
                raise PermissionDenied from None
            # The file comes back in the form: check its limits again.
            problem = upload_problem(
                SimpleUploadedFile(name, content), text=not name.lower().endswith(".xlsx")
            )
            if problem:
                context.update(form=ImportForm(), errors=[problem])
                return TemplateResponse(request, "admin/progress/import.html", context)
            try:
                result = services.import_progress(name, content, user=request.user)
            except services.ImportRefused as refused:
                context.update(form=ImportForm(), errors=refused.errors)
                return TemplateResponse(request, "admin/progress/import.html", context)
            self.message_user(request, result.summary(), messages.SUCCESS)
            return redirect("admin:progress_commitment_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                result = services.import_progress(
                    upload.name, content, user=request.user, dry_run=True
                )
            except services.ImportRefused as refused:
                context.update(form=form, errors=refused.errors)
            else:
                context.update(
                    result=result,
                    name=upload.name,
                    content=base64.b64encode(content).decode(),
                )
        else:
            context["form"] = form
        context.setdefault("form", form)
        return TemplateResponse(request, "admin/progress/import.html", context)


class EvidenceInline(ContentTabularInline):
    model = Evidence
    fields = ["title", "url", "order"]
    extra = 1


@admin.action(description=_("Withdraw from the site"), permissions=["change"])
def withdraw(modeladmin, request, queryset):
    count = bulk.change_each(
        queryset.filter(is_withdrawn=False),
        request.user,
        lambda update: setattr(update, "is_withdrawn", True),
    )
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d update is withdrawn from the site.",
            "%(count)d updates are withdrawn from the site.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(Update)
class UpdateAdmin(ReportingScopeMixin, ContentAdmin):
    organisation_path = "commitment__organisation"
    list_display = ["date", "commitment", "status", "progress", "organisation", "is_withdrawn"]
    list_filter = ["is_withdrawn", "self_reported", "status", "date"]
    list_select_related = ["commitment__action", "commitment__organisation", "organisation"]
    search_fields = ["text", "commitment__action__reference", "commitment__organisation__name"]
    fields = ["commitment", ("date", "status", "progress"), "text", "organisation", "is_withdrawn"]
    autocomplete_fields = ["commitment", "organisation"]
    inlines = [EvidenceInline]
    actions = [withdraw]

    def organisation_id(self, update):
        return update.commitment.organisation_id

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if reporting_for(request.user) is None:
            return fields
        return [field for field in fields if field not in ("organisation", "is_withdrawn")]

    def get_autocomplete_fields(self, request):
        if reporting_for(request.user) is not None:
            return []
        return super().get_autocomplete_fields(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = reporting_for(request.user)
        if db_field.name == "commitment" and scope is not None:
            kwargs["queryset"] = Commitment.objects.filter(organisation__in=scope).select_related(
                "action", "organisation"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        scope = reporting_for(request.user)
        chosen = request.POST.get("commitment") if request.method == "POST" else None
        if scope is not None and chosen:
            # A forged choice of another organisation's commitment.
            try:
                allowed = Commitment.objects.filter(pk=chosen, organisation__in=scope).exists()
            except (ValueError, ValidationError):
                allowed = False
            if not allowed:
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            mark_reported(obj, request)
        super().save_model(request, obj, form, change)


class ContributorForm(forms.ModelForm):
    class Meta:
        model = Contributor
        fields = ["user", "organisations"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = get_user_model().objects.filter(
                is_active=True, is_superuser=False
            )


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    form = ContributorForm
    list_display = ["user", "organisation_list"]
    search_fields = ["user__username", "organisations__name"]
    autocomplete_fields = ["organisations"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("user").prefetch_related("organisations")
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        contributor = form.instance
        Contributor.objects.grant(contributor.user, contributor.organisations.all())

    @admin.display(description=_("Reports for"))
    def organisation_list(self, contributor):
        return ", ".join(org.name for org in contributor.organisations.all())


# Actions show their commitments inline; progress extends the action's admin, so
# that working groups need not know about progress.
class OutputWithCommitmentsAdmin(OutputAdmin):
    inlines = [*OutputAdmin.inlines, CommitmentInline]


admin.site.unregister(Output)
admin.site.register(Output, OutputWithCommitmentsAdmin)
