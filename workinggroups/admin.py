from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from editorial.admin import ContentAdmin, ContentStackedInline, ContentTabularInline
from insights import admin as insights_admin
from insights import bulk
from insights.models import Part
from insights.publishing import ListOnlyInline, PublishersOnlyAdmin, PublishersOnlyInline
from web.uploads import read_problem, upload_problem
from workinggroups.bulk import move_to_group, move_to_stage
from workinggroups.models import Output, WorkingGroup, stage_rank
from workinggroups.resources import OutputResource


class LimitedImportForm(ImportForm):
    """Refuses a file over the import limits before anything parses it."""

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is not None:
            problem = upload_problem(upload, text=not upload.name.lower().endswith(".xlsx"))
            if problem:
                self.add_error("import_file", problem)
        return cleaned


class OutputInline(PublishersOnlyInline, ContentStackedInline):
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


class WorkingGroupInline(ListOnlyInline, PublishersOnlyInline, ContentTabularInline):
    model = WorkingGroup
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


# A part's admin, with its working groups under its briefings.
admin.site.unregister(Part)


@admin.register(Part)
class PartAdmin(insights_admin.PartAdmin):
    inlines = [*insights_admin.PartAdmin.inlines, WorkingGroupInline]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(PublishersOnlyAdmin, ContentAdmin):
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
class OutputAdmin(PublishersOnlyAdmin, ImportExportMixin, ContentAdmin):
    resource_classes = [OutputResource]
    formats = [CSV, XLSX]
    import_form_class = LimitedImportForm
    actions = [*bulk.LINKS, move_to_stage, move_to_group, bulk.suggest_partners]
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

    def has_import_permission(self, request):
        return request.user.has_perms(["workinggroups.add_output", "workinggroups.change_output"])

    def process_result(self, result, request):
        # The rows were rolled back; the library would still report them as imported.
        if result.has_errors() or result.has_validation_errors():
            rows = sorted(
                {row.number for row in result.invalid_rows}
                | {number for number, _errors in result.row_errors()}
            )
            self.message_user(
                request,
                _(
                    "Nothing was imported: row %(rows)s is not valid. "
                    "Import the file again to see why."
                )
                % {"rows": ", ".join(map(str, rows))},
                messages.ERROR,
            )
            return redirect("admin:workinggroups_output_changelist")
        return super().process_result(result, request)

    def add_data_read_fail_error_to_form(self, form, e):
        chosen = form.cleaned_data.get("format")
        name = self.formats[int(chosen)]().get_title() if chosen not in (None, "") else "CSV"
        form.add_error("import_file", read_problem(e, file_format=name))

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description="Text")
    def short_text(self, output):
        return output.text if len(output.text) <= 90 else output.text[:87] + "…"

    @admin.display(description="Themes")
    def theme_list(self, output):
        return ", ".join(theme.name for theme in output.themes.all())
