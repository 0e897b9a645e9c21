from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from editorial.admin import ContentAdmin, ContentTabularInline
from insights import admin as insights_admin
from insights import bulk
from insights.models import Part, topics_prefetched
from insights.publishing import (
    HELD,
    ListOnlyInline,
    PublishersOnlyAdmin,
    PublishersOnlyInline,
    can_publish,
)
from search.models import Kind, matched
from search.terms import parse
from web.uploads import read_problem, upload_problem
from workinggroups.bulk import move_to_group, move_to_stage
from workinggroups.models import Output, Stage, WorkingGroup, stage_rank
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


class OutputInline(PublishersOnlyInline, ContentTabularInline):
    """A group's outputs as compact rows under their stages: each line of `fields`
    is one cell (templates/admin/workinggroups/output_inline.html), the reference
    heads its row."""

    model = Output
    template = "admin/workinggroups/output_inline.html"
    fields = [("stage", "order"), "text", ("themes", "partners", "tags")]
    autocomplete_fields = ["themes", "partners"]
    extra = 0
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 7})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
    list_display = ["__str__", "part", "output_count", "held"]
    list_filter = ["part__consultation", "part", "themes"]
    list_select_related = ["part__consultation"]
    search_fields = ["title", "question", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["themes"]
    inlines = [OutputInline]
    actions = [bulk.publish_held]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "question":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(output_count=Count("outputs"))

    @admin.display(description="Outputs", ordering="output_count")
    def output_count(self, group):
        return group.output_count


class NarrowedFilter(admin.RelatedFieldListFilter):
    """A list too long to show whole (parts, groups, partners at scale): its choices
    appear once the list is narrowed by `within`, and are those under that choice."""

    within = "working_group__part__consultation__id__exact"
    path = ""  # from the filtered model to the `within` choice
    order: tuple[str, ...] = ("pk",)

    def field_choices(self, field, request, model_admin):
        chosen = request.GET.get(self.within, "")
        if not chosen.isdigit():
            return []
        related = field.related_model._default_manager.filter(**{self.path: chosen})
        return [(obj.pk, str(obj)) for obj in related.distinct().order_by(*self.order)]


class PartFilter(NarrowedFilter):
    path = "consultation"
    order = ("number",)


class GroupFilter(NarrowedFilter):
    within = "working_group__part__id__exact"
    path = "part"
    order = ("number",)


class PartnerFilter(NarrowedFilter):
    path = "outputs__working_group__part__consultation"
    order = ("name",)


@admin.register(Output)
class OutputAdmin(PublishersOnlyAdmin, ImportExportMixin, ContentAdmin):
    resource_classes = [OutputResource]
    formats = [CSV, XLSX]
    import_form_class = LimitedImportForm
    actions = [
        *bulk.LINKS,
        move_to_stage,
        move_to_group,
        bulk.suggest_partners,
        bulk.publish_held,
    ]
    # Narrow columns: the list fits 1280 px beside the filters (a foreign key
    # column would be kept on one line, hence the group as a method).
    list_display = ["reference", "short_text", "stage_label", "group", "theme_list"]
    list_filter = [
        "working_group__part__consultation",
        ("working_group__part", PartFilter),
        ("working_group", GroupFilter),
        "stage",
        "themes",
        ("partners", PartnerFilter),
    ]
    list_select_related = ["working_group"]
    # Paper order, read from its index; counting every output on each page is left
    # out (at 100,000 outputs that count alone is most of the page).
    ordering = ["paper_position", "id"]
    show_full_result_count = False
    # Fifty rows a page, not Django's hundred: rendering each row's columns was most
    # of the list's time at scale, and fifty fit a screen or two.
    list_per_page = 50
    search_fields = ["reference", "text"]
    autocomplete_fields = ["working_group", "themes", "partners"]
    readonly_fields = ["reference"]
    fields = [
        "working_group",
        ("stage", "order"),
        "text",
        "themes",
        "partners",
        "tags",
        "reference",
        "held",
    ]

    def get_queryset(self, request):
        # Into a plain list: a related manager per row costs more than the query.
        return super().get_queryset(request).prefetch_related(*topics_prefetched("themes"))

    def get_search_results(self, request, queryset, search_term):
        """Words through the search index, as the finder reads them (a scan of every
        text would not scale); a reference by its start."""
        query = parse(search_term)
        if not query:
            return queryset, False
        words = matched(query, kind=Kind.OUTPUT).order_by().values("object_id")
        references = Output.objects.filter(reference__istartswith=search_term.strip()).order_by()
        # One set of ids, joined once: `id IN (words) OR reference LIKE …` makes
        # PostgreSQL test each output against the whole list of matches when that
        # list outgrows its memory for hashing (minutes at 1,000,000 outputs).
        return queryset.filter(pk__in=words.union(references.values("pk"))), False

    def has_import_permission(self, request):
        return request.user.has_perms(["workinggroups.add_output", "workinggroups.change_output"])

    def process_result(self, result, request):
        # The rows were rolled back; the library would still report them as imported.
        if result.base_errors:  # the write found a row changed since its check
            for error in result.base_errors:
                self.message_user(request, str(error.error), messages.ERROR)
            return redirect("admin:workinggroups_output_changelist")
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
        imported = [row.object_id for row in result.valid_rows()]
        held = Output.objects.filter(pk__in=imported, held=True)
        if not can_publish(request.user) and held.exists():
            self.message_user(request, HELD, messages.WARNING)
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

    @admin.display(description="Stage", ordering="stage")
    def stage_label(self, output):
        return Stage(output.stage).short_label

    @admin.display(description="Working group", ordering="working_group")
    def group(self, output):
        return str(output.working_group)

    @admin.display(description="Themes")
    def theme_list(self, output):
        return ", ".join(theme.name for theme in output.theme_list)
