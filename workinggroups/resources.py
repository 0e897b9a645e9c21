"""Outputs as rows of a spreadsheet (CSV or XLSX), for import and export in the admin.

Groups, themes and partners are named by slug, tags by name. An import is all or
nothing: any invalid row (an unknown slug, a stage that does not exist, no theme)
is reported with its row number and nothing at all is written.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from taggit.models import Tag

from editorial.history import hold, release
from insights.models import Organisation, Theme
from insights.publishing import can_publish, hold_if_going_live
from web.spreadsheets import neutralise, restore
from workinggroups.models import Output, WorkingGroup


class SlugsWidget(widgets.ManyToManyWidget):
    """Comma-separated slugs; unlike the library's widget, an unknown slug is an error."""

    def clean(self, value, row=None, **kwargs):
        slugs = [slug.strip() for slug in str(value or "").split(self.separator) if slug.strip()]
        found = list(self.model.objects.filter(**{f"{self.field}__in": slugs}))
        missing = sorted(set(slugs) - {getattr(obj, self.field) for obj in found})
        if missing:
            raise ValueError(
                _("Unknown %(kind)s: %(slugs)s")
                % {"kind": self.model._meta.verbose_name, "slugs": ", ".join(missing)}
            )
        return found


class SlugWidget(widgets.ForeignKeyWidget):
    """One slug; an unknown one is reported as a validation error on its row."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("Unknown %(kind)s: %(slug)s")
                % {"kind": self.model._meta.verbose_name, "slug": value}
            ) from None


class TagsWidget(widgets.ManyToManyWidget):
    """Comma-separated tag names; new names become new tags."""

    def __init__(self):
        super().__init__(Tag, separator=",", field="name")

    def clean(self, value, row=None, **kwargs):
        return [name.strip()[:100] for name in str(value or "").split(",") if name.strip()]

    def render(self, value, obj=None, **kwargs):
        if value is None:  # an output not saved yet has no tag manager
            return ""
        return ", ".join(sorted((tag.name for tag in value.all()), key=str.lower))


class WholeNumberWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except Exception:  # the library lets decimal's own errors through
            raise ValueError(
                _("Give a whole number, not “%(value)s”.") % {"value": value}
            ) from None


class StylelessDiff(resources.Diff):
    """The import preview's differences without inline styles, which the
    Content-Security-Policy blocks; <ins> and <del> still mark them."""

    def as_html(self):
        return [mark_safe(re.sub(r' style="[^"]*"', "", html)) for html in super().as_html()]


class OutputResource(resources.ModelResource):
    order = fields.Field(attribute="order", column_name="order", widget=WholeNumberWidget())
    working_group = fields.Field(
        attribute="working_group",
        column_name="working_group",
        widget=SlugWidget(WorkingGroup, field="slug"),
    )
    themes = fields.Field(
        attribute="themes", column_name="themes", widget=SlugsWidget(Theme, field="slug")
    )
    partners = fields.Field(
        attribute="partners",
        column_name="partners",
        widget=SlugsWidget(Organisation, field="slug"),
    )
    tags = fields.Field(attribute="tags", column_name="tags", widget=TagsWidget())

    class Meta:
        model = Output
        fields = [
            "reference", "working_group", "stage", "order", "text", "themes", "tags", "partners"
        ]  # fmt: skip
        export_order = fields
        import_id_fields = ["reference"]
        clean_model_instances = True
        use_transactions = True

    def get_queryset(self):
        return Output.objects.for_list()

    def export_field(self, field, instance, **kwargs):
        # Every export, CSV or XLSX, writes formulas as inert text, as /actions.csv does.
        return neutralise(super().export_field(field, instance, **kwargs))

    @classmethod
    def get_diff_class(cls):
        return StylelessDiff

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Check every row first, outside any transaction and writing nothing, so
        that neither a preview nor the checking of a large file holds the
        database's write lock (on SQLite that would keep every other editor from
        saving). Only a file whose every row passed is written: all or nothing,
        in one transaction, whoever calls."""
        for option in ("use_transactions", "rollback_on_validation_errors", "dry_run"):
            kwargs.pop(option, None)
        collect = kwargs.pop("collect_failed_rows", False)
        checked = self.import_data_inner(dataset, True, raise_errors, False, collect, **kwargs)
        if dry_run or checked.has_errors() or checked.has_validation_errors():
            return checked
        return super().import_data(
            dataset,
            dry_run=False,
            raise_errors=raise_errors,
            use_transactions=True,
            rollback_on_validation_errors=True,
            collect_failed_rows=collect,
            **kwargs,
        )

    def import_instance(self, instance, row, **kwargs):
        """Check the linked slugs too, so a bad one is reported with the row's other errors."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in ("themes", "partners"):
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                linked = field.clean(row)
            except ValueError as error:
                errors[name] = [str(error)]
                continue
            if name == "themes" and not linked:
                errors[name] = [_("Give at least one theme slug.")]
        if not errors and not instance.pk and not instance.reference:
            reference = instance.build_reference()
            # Checked before anything is written: an earlier row of the file counts too.
            taken = Output.objects.filter(reference=reference).exists()
            if taken or reference in self._new_references:
                errors["order"] = [
                    _("%(reference)s is taken: give the new output another order.")
                    % {"reference": reference}
                ]
            self._new_references.add(reference)
        user = kwargs.get("user")
        if not errors and user is not None and not can_publish(user):
            # A row an editor adds to a published consultation waits for a publisher.
            reason = hold_if_going_live(instance)
            if reason:
                errors["working_group"] = [reason]
        if errors:
            raise ValidationError(errors)

    def before_import(self, dataset, **kwargs):
        # The references of the new rows so far, in each pass over the file.
        self._new_references: set[str] = set()
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        # What the export neutralised ('-1 in 4…) is read back as written (-1 in 4…).
        for column in row:
            row[column] = restore(row[column])

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._imported_new = new

    # One history record per row, written after its links and tags, by the importer.
    def before_save_instance(self, instance, row, **kwargs):
        hold(instance)

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        # While rows are only checked (see import_data), nothing is saved or recorded.
        written = not kwargs.get("dry_run") or kwargs.get("using_transactions")
        release(instance, kwargs.get("user"), created=instance._imported_new, write=written)
