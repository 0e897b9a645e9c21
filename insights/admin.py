from django.contrib import admin
from django.db.models import Count

from editorial.admin import ContentAdmin, ContentStackedInline, ContentTabularInline
from editorial.versioning import VersionedForm
from insights import bulk
from insights.models import (
    Consultation,
    InsightBriefing,
    KeyTheme,
    Organisation,
    Part,
    Theme,
)
from insights.publishing import (
    PUBLISH_PERMISSION,
    ListOnlyInline,
    PublishersOnlyAdmin,
    PublishersOnlyInline,
    StatusAdmin,
    StatusForm,
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


class ConsultationForm(StatusForm, VersionedForm):
    """Editors move a consultation between draft and review; publishing, unpublishing
    and archiving need the publish permission (the Publishers group)."""


@admin.register(Consultation)
class ConsultationAdmin(StatusAdmin, ContentAdmin):
    publish_permission = PUBLISH_PERMISSION
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


class BriefingInline(ListOnlyInline, PublishersOnlyInline, ContentTabularInline):
    model = InsightBriefing
    fields = ["order", "title"]
    extra = 0
    show_change_link = True


@admin.register(Part)
class PartAdmin(PublishersOnlyAdmin, ContentAdmin):
    list_display = ["__str__", "consultation", "held"]
    actions = [bulk.publish_held]
    list_filter = ["consultation"]
    list_select_related = ["consultation"]
    search_fields = ["title", "introduction"]
    # workinggroups.admin adds the part's working groups.
    inlines: list[type[admin.options.InlineModelAdmin]] = [BriefingInline]


@admin.register(InsightBriefing)
class InsightBriefingAdmin(PublishersOnlyAdmin, ContentAdmin):
    list_display = ["title", "part", "presenter_list", "held"]
    list_filter = ["part__consultation", "part", "themes", "presenters"]
    list_select_related = ["part__consultation"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["presenters", "partners"]
    filter_horizontal = ["themes"]
    actions = [*bulk.LINKS, bulk.suggest_partners, bulk.publish_held]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("presenters")

    @admin.display(description="Presented by")
    def presenter_list(self, briefing):
        return briefing.presenter_names
