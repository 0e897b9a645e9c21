from django.contrib import admin
from django.db.models import Count

from insights.models import Consultation, InsightBriefing, KeyTheme, Organisation, Part, Theme
from workinggroups.models import WorkingGroup


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "sector", "website"]
    list_filter = ["sector"]
    search_fields = ["name", "short_name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "output_count"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(output_count=Count("outputs"))

    @admin.display(description="Outputs", ordering="output_count")
    def output_count(self, theme):
        return theme.output_count


class KeyThemeInline(admin.StackedInline):
    model = KeyTheme
    extra = 0


class PartInline(admin.TabularInline):
    model = Part
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "start_date", "status", "reference_prefix"]
    list_filter = ["status", "themes"]
    search_fields = ["title", "subtitle", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organisers", "builds_on", "summarises"]
    filter_horizontal = ["themes"]
    inlines = [PartInline, KeyThemeInline]
    date_hierarchy = "start_date"


class BriefingInline(admin.TabularInline):
    model = InsightBriefing
    fields = ["order", "title"]
    extra = 0
    show_change_link = True


class WorkingGroupInline(admin.TabularInline):
    model = WorkingGroup
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ["__str__", "consultation"]
    list_filter = ["consultation"]
    list_select_related = ["consultation"]
    search_fields = ["title", "introduction"]
    inlines = [BriefingInline, WorkingGroupInline]


@admin.register(InsightBriefing)
class InsightBriefingAdmin(admin.ModelAdmin):
    list_display = ["title", "part", "presenter_list"]
    list_filter = ["part__consultation", "part", "themes", "presenters"]
    list_select_related = ["part__consultation"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["presenters", "partners"]
    filter_horizontal = ["themes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("presenters")

    @admin.display(description="Presented by")
    def presenter_list(self, briefing):
        return briefing.presenter_names
