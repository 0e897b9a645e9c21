"""Outputs as rows of a spreadsheet (CSV or XLSX), for import and export in the admin.

Groups, themes and partners are named by slug, tags by name. An import is all or
nothing: any invalid row (an unknown slug, a stage that does not exist, no theme)
is reported with its row number and nothing at all is written.
"""

import re
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import RowResult
from taggit.models import Tag, TaggedItem

from editorial.history import record_many
from insights.models import Organisation, Theme
from insights.publishing import can_publish, hold_if_going_live
from search import services as search
from web import caching
from web.spreadsheets import neutralise, restore
from workinggroups.models import Output, Stage, WorkingGroup
from workinggroups.signals import written


class ImportConflict(Exception):
    """A row changed between its check and the write."""


def update_rows(objs, names):
    """Write the fields `names` of the saved `objs` with one statement run for each
    (Django's `bulk_update` builds a CASE over every row for every field: seconds
    for a few thousand rows)."""
    if not objs:
        return
    model = type(objs[0])
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(model._meta.pk.column),
    )
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def replace_links(links, mine, theirs, wanted, existing, **fixed):
    """Make the link rows of `links` from each owner (`mine`, a key of `wanted`) the
    targets (`theirs`) in `wanted`, deleting and adding only what differs; only the
    owners in `existing` can have links already."""
    owners = [owner for owner in wanted if owner in existing]
    current = links.filter(**{f"{mine}__in": owners}).values_list("pk", mine, theirs)
    gone, kept = [], set()
    for pk, owner, target in current:
        if target in wanted[owner]:
            kept.add((owner, target))
        else:
            gone.append(pk)
    # Deleted with plain statements: a queryset's delete() sends post_delete for
    # every row, and so writes a new content version for every row.
    quote = connection.ops.quote_name
    table, pk = quote(links.model._meta.db_table), quote(links.model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(gone), 500):
            chunk = gone[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({marks})", chunk)
    links.bulk_create(
        [
            links.model(**{mine: owner, theirs: target}, **fixed)
            for owner, targets in wanted.items()
            for target in targets
            if (owner, target) not in kept
        ],
        batch_size=500,
    )


class SlugsWidget(widgets.ManyToManyWidget):
    """Comma-separated slugs; unlike the library's widget, an unknown slug is an error."""

    def clean(self, value, row=None, **kwargs):
        slugs = [slug.strip() for slug in str(value or "").split(self.separator) if slug.strip()]
        # Each slug is looked up once per import (widgets are copied per resource).
        known = self.__dict__.setdefault("_known", {})
        wanted = set(slugs) - known.keys()
        if wanted:
            known.update(dict.fromkeys(wanted))  # None: no such slug
            for obj in self.model.objects.filter(**{f"{self.field}__in": wanted}):
                known[getattr(obj, self.field)] = obj
        found = list(dict.fromkeys(known[slug] for slug in slugs if known[slug] is not None))
        missing = sorted({slug for slug in slugs if known[slug] is None})
        if missing:
            raise ValueError(
                _("Unknown %(kind)s: %(slugs)s")
                % {"kind": self.model._meta.verbose_name, "slugs": ", ".join(missing)}
            )
        return found


class SlugWidget(widgets.ForeignKeyWidget):
    """One slug; an unknown one is reported as a validation error on its row."""

    def clean(self, value, row=None, **kwargs):
        known = self.__dict__.setdefault("_known", {})
        if value in known:
            return known[value]
        try:
            known[value] = found = super().clean(value, row=row, **kwargs)
            return found
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
            number = super().clean(value, row=row, **kwargs)
            # The library reads "1.5" as 1: a part of a number is refused, not dropped.
            if number is not None and Decimal(str(value).strip()) != number:
                raise ValueError
            return number
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
        in one short transaction (`write`), whoever calls."""
        for option in ("use_transactions", "rollback_on_validation_errors", "dry_run"):
            kwargs.pop(option, None)
        kwargs["retain_instance_in_row_result"] = True
        collect = kwargs.pop("collect_failed_rows", False)
        checked = self.import_data_inner(dataset, True, raise_errors, False, collect, **kwargs)
        if dry_run or checked.has_errors() or checked.has_validation_errors():
            return checked
        try:
            with transaction.atomic():
                self.write(checked, dataset.headers, kwargs.get("user"))
        except (ImportConflict, IntegrityError) as error:
            if raise_errors:
                raise
            checked.append_base_error(self.get_error_result_class()(error))
        return checked

    def write(self, result, headers, user):
        """Write the checked rows of `result` in a few queries for all of them.

        The lock is held only for this: the rows, their links and tags and their
        history go in with bulk writes, which send no signals, so what the signals
        would do is done here once for all the rows; the search entries follow in
        a transaction of their own once this one commits. A row another editor
        changed since it was checked stops the whole import."""
        kinds = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
        rows = [row for row in result.rows if row.import_type in kinds]
        outputs = [row.instance for row in rows]
        new = [output for output in outputs if output._imported_new]
        old = [output for output in outputs if not output._imported_new]
        stored = dict(
            Output._base_manager.select_for_update()
            .filter(pk__in=[output.pk for output in old])
            .values_list("pk", "version")
        )
        for output in old:
            if stored.get(output.pk) != output.version:
                raise ImportConflict(
                    _(
                        "Nothing was imported: %(reference)s was changed or deleted by "
                        "someone else while the file was checked. Import the file again."
                    )
                    % {"reference": output.reference}
                )
            output.version += 1
        for output in outputs:
            if not output.reference:
                output.reference = output.build_reference()
            output.set_derived_fields()
        Output.objects.bulk_create(new, batch_size=500)
        imported = [name for name in ("working_group", "stage", "order", "text") if name in headers]
        derived = ["version", "held", "paper_position", "is_public"]
        update_rows(old, imported + derived)
        for row in rows:
            row.add_instance_info(row.instance)  # the new rows' ids, for the admin's log
        existing = {output.pk for output in old}  # only these can have links already
        for name in ("themes", "partners"):
            self.write_links(name, [o for o in outputs if name in o._imported_links], existing)
        tagged = [output for output in outputs if "tags" in output._imported_links]
        self.write_tags(tagged, existing)
        record_many(Output, outputs, user, created=[output.pk for output in new])
        pks = [output.pk for output in outputs]
        # The search entries are worked out after the commit, not under the lock.
        search.reindex_on_commit(Output, pks)
        caching.bump()
        written.send(sender=Output, pks=pks)

    @staticmethod
    def write_links(name, outputs, existing):
        field = Output._meta.get_field(name)
        mine, theirs = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        wanted = {
            output.pk: {linked.pk for linked in output._imported_links[name]} for output in outputs
        }
        replace_links(field.remote_field.through.objects.all(), mine, theirs, wanted, existing)

    @staticmethod
    def write_tags(outputs, existing):
        """Tags by name, as taggit would add them (matched whatever their case)."""
        names = {name.lower(): name for o in outputs for name in o._imported_links["tags"]}
        tags = {
            tag.name.lower(): tag
            for tag in Tag.objects.annotate(lower=Lower("name")).filter(lower__in=names)
        }
        for lower, name in names.items():
            if lower not in tags:
                tags[lower] = Tag.objects.create(name=name)
        kind = ContentType.objects.get_for_model(Output)
        wanted = {
            output.pk: {tags[name.lower()].pk for name in output._imported_links["tags"]}
            for output in outputs
        }
        items = TaggedItem.objects.filter(content_type=kind)
        replace_links(items, "object_id", "tag_id", wanted, existing, content_type=kind)

    def import_instance(self, instance, row, **kwargs):
        """Check the linked slugs too, so a bad one is reported with the row's other errors."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The links as checked, for `write`: only the columns the file has.
        instance._imported_links = links = {}
        for name in ("themes", "partners", "tags"):
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                links[name] = linked = field.clean(row)
            except ValueError as error:
                errors[name] = [str(error)]
                continue
            if name == "themes" and not linked:
                errors[name] = [_("Give at least one theme slug.")]
        # A row without a group, a stage or an order builds no reference: the model's
        # own check reports what is missing under its column.
        complete = (
            instance.working_group_id is not None
            and instance.stage in Stage.values
            and instance.order is not None
        )
        if not errors and complete and not instance.pk:
            built = instance.build_reference()
            if instance.reference and instance.reference != built:
                errors["reference"] = [
                    _(
                        "No output has the reference %(reference)s. Leave it empty to add "
                        "a new output (this row's would be %(built)s)."
                    )
                    % {"reference": instance.reference, "built": built}
                ]
            # Checked before anything is written: an earlier row of the file counts too.
            elif Output.objects.filter(reference=built).exists() or built in self._new_references:
                errors["order"] = [
                    _("%(reference)s is taken: give the new output another order.")
                    % {"reference": built}
                ]
            self._new_references.add(built)
        user = kwargs.get("user")
        if not errors and complete and user is not None and not can_publish(user):
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
