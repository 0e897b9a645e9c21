"""django-filter pieces the site's lists share: repeatable filters whose fields
remember which values were known and which not, so a page can keep the known
ones and say which it ignored, while the API and the CSV answer 400."""

import json

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Expression, F
from taggit.models import TaggedItem


class AmongIds(Expression):
    """`column` is one of `ids`, the ids sent as one parameter: a PostgreSQL array
    (`= ANY(%s)`) or a JSON list that SQLite reads with `json_each`. For a set of
    ids computed once (the actions matching some words) and then used by every
    query of a request, instead of a subquery that each query would run again."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids):
        super().__init__()
        self.column, self.ids = F(column), list(ids)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            return f"{sql} = ANY(%s)", [*params, self.ids]
        return f"{sql} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.ids)]


class KnownValuesMixin:
    """A multiple-choice field that also remembers, when some values are
    unknown, which of them were known (`known`) and which not (`unknown`).

    The field still reports the unknown values as an error (the API and the CSV
    answer 400), while the finder page keeps the known ones and says which
    values it ignored."""

    def clean(self, value):
        self.known, self.unknown = [], []
        value = [item for item in (value or []) if item not in ("", None)]
        return super().clean(value)


class KnownSlugsField(KnownValuesMixin, django_filters.fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        key = self.to_field_name or "pk"
        values = list(dict.fromkeys(str(item) for item in value))
        # PostgreSQL refuses NUL in text: such a value names nothing, so don't ask.
        queryable = [item for item in values if "\x00" not in item]
        found = list(self.queryset.filter(**{f"{key}__in": queryable}))
        by_key = {str(getattr(obj, key)): obj for obj in found}
        self.known = [by_key[item] for item in values if item in by_key]
        self.unknown = [item for item in values if item not in by_key]
        if self.unknown:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": self.unknown[0]},
            )
        return self.known


class KnownChoicesField(KnownValuesMixin, django_filters.fields.MultipleChoiceField):
    def validate(self, value):
        values = list(dict.fromkeys(value))
        self.known = [item for item in values if self.valid_value(item)]
        self.unknown = [item for item in values if not self.valid_value(item)]
        super().validate(value)


class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """Any of the chosen values: `pk IN (the link table's rows for them)`, a
    subquery rather than a join, so that results need no DISTINCT and counting
    them stays cheap, and one that reads only the link table."""

    field_class = KnownSlugsField

    def filter(self, qs, value):
        if not value:
            return qs
        field = self.model._meta.get_field(self.field_name)
        through = field.remote_field.through
        chosen = [item.pk for item in value]
        if through is TaggedItem:
            links = TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model), tag_id__in=chosen
            ).values("object_id")
        else:
            links = through.objects.filter(
                **{f"{field.m2m_reverse_field_name()}_id__in": chosen}
            ).values(f"{field.m2m_field_name()}_id")
        return qs.filter(pk__in=links)


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Any of the chosen values of a field with fixed choices (the stages)."""

    field_class = KnownChoicesField
