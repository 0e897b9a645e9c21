from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from editorial.admin import ContentAdmin, ContentStackedInline, ContentTabularInline
from editorial.versioning import VersionedForm
from insights import bulk
from insights.models import (
    PUBLIC_STATUSES,
    Consultation,
    InsightBriefing,
    KeyTheme,
    Organisation,
    Part,
    Status,
    Theme,
)
from insights.publishing import (
    PUBLISH_PERMISSION,
    ListOnlyInline,
    PublishersOnlyAdmin,
    PublishersOnlyInline,
)


@admin.register(Organisation)
class OrganisationAdmin(PublishersOnlyAdmin, ContentAdmin):
    list_display = ["name", "short_name", "sector", "website"]
    list_filter = ["sector"]
    search_fields = ["name", "short_name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}

    def is_live(self, organisation):
        # Deleting a partner named by public content takes it off those pages.
        return (
            organisation.outputs.filter(is_public=True).exists()
            or organisation.presented_briefings.published().exists()
            or organisation.briefings_naming.published().exists()
            or organisation.organised_consultations.published().exists()
        )


@admin.register(Theme)
class ThemeAdmin(PublishersOnlyAdmin, ContentAdmin):
    list_display = ["name", "order", "output_count"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(output_count=Count("outputs"))

    @admin.display(description="Outputs", ordering="output_count")
    def output_count(self, theme):
        return theme.output_count

    def is_live(self, theme):
        return (
            theme.outputs.filter(is_public=True).exists()
            or theme.briefings.published().exists()
            or theme.working_groups.published().exists()
            or theme.consultations.published().exists()
        )


class KeyThemeInline(PublishersOnlyInline, ContentStackedInline):
    model = KeyTheme
    extra = 0


class PartInline(PublishersOnlyInline, ContentTabularInline):
    model = Part
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


class ConsultationForm(VersionedForm):
    """Editors move a consultation between draft and review; publishing, unpublishing
    and archiving need the publish permission (the Publishers group)."""

    can_publish = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.can_publish and "status" in self.fields:
            self.fields["status"].choices = [
                (value, label) for value, label in Status.choices if value not in PUBLIC_STATUSES
            ]

    def clean_status(self):
        status = self.cleaned_data["status"]
        # Compare with the stored status, not the form's: a restored old version may differ.
        stored = Consultation.objects.filter(pk=self.instance.pk).values_list("status", flat=True)
        before = stored.first() or Status.DRAFT
        crosses = status in PUBLIC_STATUSES or before in PUBLIC_STATUSES
        if status != before and crosses and not self.can_publish:
            raise forms.ValidationError(
                _("Only publishers can publish, unpublish or archive a consultation."),
                code="publish",
            )
        return status


@admin.register(Consultation)
class ConsultationAdmin(ContentAdmin):
    form = ConsultationForm
    list_display = ["title", "start_date", "status", "reference_prefix"]
    list_filter = ["status", "themes"]
    search_fields = ["title", "subtitle", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organisers", "builds_on", "summarises"]
    filter_horizontal = ["themes"]
    inlines = [PartInline, KeyThemeInline]
    date_hierarchy = "start_date"
    actions = bulk.PUBLISHING

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"can_publish": self.has_publish_permission(request)})

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # A public consultation's status is the publishers' to change.
        if obj is not None and obj.is_public and not self.has_publish_permission(request):
            readonly.append("status")
        return readonly

    def has_delete_permission(self, request, obj=None):
        # Deleting takes content off the site, which is the publishers' call.
        if not self.has_publish_permission(request) and (obj is None or obj.is_public):
            return False
        return super().has_delete_permission(request, obj)


class BriefingInline(ListOnlyInline, PublishersOnlyInline, ContentTabularInline):
    model = InsightBriefing
    fields = ["order", "title"]
    extra = 0
    show_change_link = True


@admin.register(Part)
class PartAdmin(PublishersOnlyAdmin, ContentAdmin):
    list_display = ["__str__", "consultation"]
    list_filter = ["consultation"]
    list_select_related = ["consultation"]
    search_fields = ["title", "introduction"]
    # workinggroups.admin adds the part's working groups.
    inlines: list[type[admin.options.InlineModelAdmin]] = [BriefingInline]


@admin.register(InsightBriefing)
class InsightBriefingAdmin(PublishersOnlyAdmin, ContentAdmin):
    list_display = ["title", "part", "presenter_list"]
    list_filter = ["part__consultation", "part", "themes", "presenters"]
    list_select_related = ["part__consultation"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["presenters", "partners"]
    filter_horizontal = ["themes"]
    actions = [*bulk.LINKS, bulk.suggest_partners]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("presenters")

    @admin.display(description="Presented by")
    def presenter_list(self, briefing):
        return briefing.presenter_names
