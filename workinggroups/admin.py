from django.contrib import admin
from django.db.models import Count

from workinggroups.models import Output, WorkingGroup, stage_rank


class OutputInline(admin.StackedInline):
    model = Output
    fields = [("stage", "order"), "text", "themes", "partners", "tags", "reference"]
    readonly_fields = ["reference"]
    autocomplete_fields = ["partners"]
    filter_horizontal = ["themes"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .order_by(stage_rank(), "order")
            .prefetch_related("themes", "partners", "tags")
        )


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "part", "output_count"]
    list_filter = ["part__consultation", "part", "themes"]
    list_select_related = ["part__consultation"]
    search_fields = ["title", "question", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["themes"]
    inlines = [OutputInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(output_count=Count("outputs"))

    @admin.display(description="Outputs", ordering="output_count")
    def output_count(self, group):
        return group.output_count


@admin.register(Output)
class OutputAdmin(admin.ModelAdmin):
    list_display = ["reference", "short_text", "stage", "working_group", "theme_list"]
    list_filter = [
        "working_group__part__consultation",
        "working_group__part",
        "working_group",
        "stage",
        "themes",
        ("partners", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["working_group__part__consultation"]
    search_fields = ["reference", "text"]
    autocomplete_fields = ["working_group", "partners"]
    filter_horizontal = ["themes"]
    readonly_fields = ["reference"]
    fields = [
        "working_group",
        ("stage", "order"),
        "text",
        "themes",
        "partners",
        "tags",
        "reference",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("themes")

    @admin.display(description="Text")
    def short_text(self, output):
        return output.text if len(output.text) <= 90 else output.text[:87] + "…"

    @admin.display(description="Themes")
    def theme_list(self, output):
        return ", ".join(theme.name for theme in output.themes.all())
