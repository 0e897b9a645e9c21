from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from insights import actions
from insights.editing import ContentAdmin, ContentStackedInline
from workinggroups.models import Output, Stage, WorkingGroup, stage_rank
from workinggroups.resources import OutputResource


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, label=_("Stage"))


class GroupForm(forms.Form):
    working_group = forms.ModelChoiceField(
        WorkingGroup.objects.select_related("part__consultation"), label=_("Working group")
    )


def _move(output, **target):
    """Move to the end of the target stage; the reference stays, so citations still work."""
    for name, value in target.items():
        if getattr(output, name) == value:
            return False
        setattr(output, name, value)
    last = Output.objects.filter(working_group=output.working_group, stage=output.stage).exclude(
        pk=output.pk
    )
    output.order = (last.aggregate(n=Max("order"))["n"] or 0) + 1


@admin.action(description=_("Move to another stage"), permissions=["change"])
def move_to_stage(modeladmin, request, queryset):
    return actions.intermediate(
        modeladmin, request, queryset, StageForm, title=_("Move to another stage"),
        change=lambda output, data: _move(output, stage=data["stage"]),
        done=_("Moved %(count)d outputs to the stage “%(stage)s”."),
    )  # fmt: skip


@admin.action(description=_("Move to another working group"), permissions=["change"])
def move_to_group(modeladmin, request, queryset):
    return actions.intermediate(
        modeladmin, request, queryset, GroupForm, title=_("Move to another working group"),
        change=lambda output, data: _move(output, working_group=data["working_group"]),
        done=_("Moved %(count)d outputs to %(working_group)s."),
    )  # fmt: skip


class OutputInline(ContentStackedInline):
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
class WorkingGroupAdmin(ContentAdmin):
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
class OutputAdmin(ImportExportMixin, ContentAdmin):
    resource_classes = [OutputResource]
    formats = [CSV, XLSX]
    actions = [
        actions.add_theme,
        actions.remove_theme,
        actions.add_tag,
        actions.remove_tag,
        actions.link_partner,
        actions.unlink_partner,
        move_to_stage,
        move_to_group,
        actions.suggest_partners,
    ]
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

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description="Text")
    def short_text(self, output):
        return output.text if len(output.text) <= 90 else output.text[:87] + "…"

    @admin.display(description="Themes")
    def theme_list(self, output):
        return ", ".join(theme.name for theme in output.themes.all())
