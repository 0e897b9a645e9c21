from dataclasses import dataclass, field

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag, TaggedItem

from insights.caching import cached
from insights.models import PUBLIC_STATUSES, Consultation, Organisation, Part, Theme
from progress.models import Commitment
from progress.models import Status as CommitmentStatus
from search.models import Kind, SearchEntry
from search.terms import MAX_QUERY, parse
from workinggroups.models import Output, Stage, WorkingGroup


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


class StagesFilter(django_filters.MultipleChoiceFilter):
    field_class = KnownChoicesField


NO_COMMITMENT = "none"


class CommitmentStatusFilter(django_filters.MultipleChoiceFilter):
    """Actions with a commitment in any of the statuses; `none`: with no commitment."""

    field_class = KnownChoicesField

    def filter(self, qs, value):
        if not value:
            return qs
        statuses = [item for item in value if item != NO_COMMITMENT]
        committed = Commitment.objects.values("action_id")
        match = Q(pk__in=committed.filter(status__in=statuses)) if statuses else Q()
        if NO_COMMITMENT in value:
            none = ~Q(pk__in=committed)
            match = (match | none) if statuses else none
        return qs.filter(match)


class CommittedByFilter(django_filters.ModelMultipleChoiceFilter):
    """Actions any of the chosen organisations has committed to (a subquery)."""

    field_class = KnownSlugsField

    def filter(self, qs, value):
        if not value:
            return qs
        committed = Commitment.objects.filter(organisation__in=value).values("action_id")
        return qs.filter(pk__in=committed)


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    multiple: bool
    options: list = field(default_factory=list)
    hidden: int = 0  # options with matches not listed (see FacetSpec.limit)


@dataclass
class ActiveFilter:
    name: str
    facet: str
    label: str
    remove_query: str


def _part_label(row):
    return f"{row['prefix']}-P{row['number']}: {row['title']}"


def _group_label(row):
    return f"WG {row['number']}. {row['title']} ({row['prefix']}-P{row['part']})"


MULTIPLE_FACETS = ("stage", "theme", "tag", "partner")
# Facets counted from one grouping of the outputs by group (and so part and
# consultation) and stage.
STRUCTURE = ("consultation", "part", "working_group", "stage")
NOUNS = {"sort": _("sort order"), "committed_by": _("organisation")}
# Filters in force beside the facets and words: part of every cache key and link.
PROGRESS_FILTERS = ("status", "committed_by")
CONSULTATION = "working_group__part__consultation"
PART = "working_group__part"


@dataclass(frozen=True)
class FacetSpec:
    """How one facet is counted and shown.

    The theme, tag and partner facets' query groups the filtered outputs by
    `group` (the linked id) and takes each option's `columns` with MAX() over
    the group, so the database hashes small keys instead of sorting every match
    by its labels; the STRUCTURE facets read `columns` from their `labels` model. `order`
    sorts the options shown; at most `limit` show: the first by `order`, or
    with `by_count`, the `limit` with most matches (then sorted by `order`).
    With `all_or_none`, a facet with more than `limit` options lists none but
    the chosen (it is narrowed by choosing in another facet first).
    """

    columns: dict
    label: object
    order: object
    group: str | None = None
    limit: int = 25
    by_count: bool = False
    all_or_none: bool = False
    # For the consultation, part and group facets: the model whose rows label
    # the options. Their counts are rolled up from one grouping of the outputs
    # (OutputFilter._structure), so the output table is read once for all four.
    labels: object = None


FACETS = {
    "consultation": FacetSpec(
        columns={"value": "slug", "title": "title", "date": "start_date"},
        label=lambda row: row["title"],
        order=lambda row: (-row["date"].toordinal(), row["title"]),
        labels=Consultation,
    ),
    "part": FacetSpec(
        columns={
            "value": "slug",
            "title": "title",
            "number": "number",
            "prefix": "consultation__reference_prefix",
            "date": "consultation__start_date",
        },
        label=_part_label,
        order=lambda row: (-row["date"].toordinal(), row["prefix"], row["number"]),
        limit=100,
        all_or_none=True,
        labels=Part,
    ),
    "working_group": FacetSpec(
        columns={
            "value": "slug",
            "title": "title",
            "number": "number",
            "part": "part__number",
            "prefix": "part__consultation__reference_prefix",
            "date": "part__consultation__start_date",
        },
        label=_group_label,
        order=lambda row: (-row["date"].toordinal(), row["prefix"], row["part"], row["number"]),
        limit=100,
        all_or_none=True,
        labels=WorkingGroup,
    ),
    "stage": FacetSpec(
        columns={},
        label=lambda row: str(Stage(row["value"]).label),
        order=lambda row: Stage.values.index(row["value"]),
    ),
    "theme": FacetSpec(
        group="themes",
        columns={"value": "themes__slug", "name": "themes__name", "position": "themes__order"},
        label=lambda row: row["name"],
        order=lambda row: (row["position"], row["name"]),
        by_count=True,
    ),
    "tag": FacetSpec(
        group="tags",
        columns={"value": "tags__slug", "name": "tags__name"},
        label=lambda row: row["name"],
        order=lambda row: (-row["count"], row["name"].lower()),
        by_count=True,
    ),
    "partner": FacetSpec(
        group="partners",
        columns={"value": "partners__slug", "name": "partners__name"},
        label=lambda row: row["name"],
        order=lambda row: row["name"].lower(),
        by_count=True,
    ),
}


def _object_label(name, obj):
    if name == "stage":
        return str(Stage(obj).label)
    if name == "status":
        return str(dict(OutputFilter.base_filters["status"].extra["choices"])[obj])
    if name == "part":
        return f"{obj.reference}: {obj.title}"
    if name == "working_group":
        return f"WG {obj.number}. {obj.title} ({obj.part.reference})"
    return getattr(obj, "name", None) or getattr(obj, "title", str(obj))


def _object_value(name, obj):
    return obj if name in ("stage", "status") else obj.slug


def _items(value):
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list | tuple | QuerySet) else [value]


class OutputFilter(django_filters.FilterSet):
    """The action finder's filters, shared by the HTML page, the API and the CSV.

    Within a repeatable facet any value matches; across facets all must match.
    `.qs` is sorted (`sort`; paper order by default). A value that names
    nothing is a form error (`is_valid()` is false, the API answers 400), but
    `.qs` still applies the facet's known values: the finder page lists the
    ignored values with `notices()`.
    """

    consultation = django_filters.ModelChoiceFilter(
        field_name=CONSULTATION,
        queryset=Consultation.objects.published(),
        to_field_name="slug",
        label=_("Consultation"),
    )
    part = django_filters.ModelChoiceFilter(
        field_name=PART,
        queryset=Part.objects.filter(consultation__status__in=PUBLIC_STATUSES).select_related(
            "consultation"
        ),
        to_field_name="slug",
        label=_("Part"),
    )
    working_group = django_filters.ModelChoiceFilter(
        queryset=WorkingGroup.objects.published().select_related("part__consultation"),
        to_field_name="slug",
        label=_("Working group"),
    )
    stage = StagesFilter(choices=Stage.choices, distinct=False, label=_("Stage"))
    theme = SlugsFilter(
        field_name="themes", queryset=Theme.objects.all(), to_field_name="slug", label=_("Theme")
    )
    tag = SlugsFilter(
        field_name="tags", queryset=Tag.objects.all(), to_field_name="slug", label=_("Tag")
    )
    partner = SlugsFilter(
        field_name="partners",
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        label=_("Partner"),
    )
    status = CommitmentStatusFilter(
        choices=[*CommitmentStatus.choices, (NO_COMMITMENT, _("No commitment yet"))],
        label=_("Progress"),
    )
    committed_by = CommittedByFilter(
        field_name="commitments__organisation",
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        label=_("Committed by"),
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Words"))
    sort = django_filters.ChoiceFilter(
        choices=[
            ("paper", _("Paper order")),
            ("reference", _("Reference, A to Z")),
            ("-reference", _("Reference, Z to A")),
            ("relevance", _("Best match to the words")),
        ],
        method="sort_results",
        empty_label=None,
        label=_("Sort by"),
    )

    class Meta:
        model = Output
        fields = [
            "consultation",
            "part",
            "working_group",
            "stage",
            "theme",
            "tag",
            "partner",
            *PROGRESS_FILTERS,
        ]

    def __init__(self, data=None, *args, **kwargs):
        self.q_shortened = data is not None and len(data.get("q", "")) > MAX_QUERY
        if self.q_shortened:
            data = data.copy()
            data["q"] = data["q"][:MAX_QUERY]
        super().__init__(data, *args, **kwargs)
        self._facets = {}
        self._structures = {}

    # Filtering

    def filter_text(self, queryset, name, value):
        """Words as the site search reads them (search.terms): each must start a word."""
        query = parse(value)
        if not query:
            return queryset
        matching = SearchEntry.objects.filter(kind=Kind.OUTPUT).search(query)
        return queryset.filter(pk__in=matching.values("object_id"))

    def sort_results(self, queryset, name, value):
        return queryset  # applied last, by filter_queryset

    def values(self):
        """The value of each filter to apply: the cleaned value, or for a facet
        that also named unknown values, its known ones."""
        if not self.is_bound:
            return {}
        if not hasattr(self, "_values"):
            self.errors  # noqa: B018  validates the form
            self._values = dict(self.form.cleaned_data)
            for name in self.form.errors:
                known = getattr(self.form.fields[name], "known", None)
                if known:
                    self._values[name] = known
        return self._values

    def _filtered(self, queryset, exclude=None):
        for name, value in self.values().items():
            if name not in (exclude, "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        queryset = self._filtered(queryset)
        query = parse(self.values().get("q"))
        sort = self.values().get("sort")
        if sort == "relevance" and query:
            rank = (
                SearchEntry.objects.filter(kind=Kind.OUTPUT, object_id=OuterRef("pk"))
                .search(query)
                .values("rank")[:1]
            )
            return queryset.annotate(relevance=Subquery(rank)).order_by(
                F("relevance").desc(nulls_last=True), *queryset.in_paper_order().query.order_by
            )
        if sort in ("reference", "-reference"):
            return queryset.order_by(sort)
        return queryset.in_paper_order()

    # What the finder page shows besides the results

    def selected(self, name):
        """The values of facet `name` in force, as they appear in the URL."""
        return [_object_value(name, item) for item in _items(self.values().get(name))]

    def facet(self, name):
        """Facet `name` with a count for each option: the results it would give
        together with the other filters in force. One query, cached until the
        content changes."""
        if name in self._facets:
            return self._facets[name]
        # The key: what is counted (the base query) and the other filters in force.
        others = [
            (other, self.selected(other)) for other in [*FACETS, *PROGRESS_FILTERS] if other != name
        ]
        key = repr((self._base_key, others, parse(self.values().get("q")).text))
        rows, counts = cached(f"facet-{name}", key, lambda: self._count(name))
        hidden = len(counts) - len(rows)
        selected = self.selected(name)
        spec = FACETS[name]
        options = [
            Option(row["value"], spec.label(row), row["count"], row["value"] in selected)
            for row in rows
        ]
        # A chosen value always shows, even when nothing else matches with it.
        shown = {option.value for option in options}
        for item in _items(self.values().get(name)):
            value = _object_value(name, item)
            if value not in shown:
                count = counts.get(item if name == "stage" else item.pk, 0)
                options.append(Option(value, _object_label(name, item), count, True))
        self._facets[name] = Facet(
            name, self.filters[name].label, name in MULTIPLE_FACETS, options, hidden
        )
        return self._facets[name]

    @cached_property
    def _base_key(self):
        return self.queryset.query.sql_with_params()

    def _count(self, name):
        """([row], {group: count}) for facet `name`: the rows to list, in order,
        each with the option's columns and `count`; and every option's count, by
        its id (the stage for stages)."""
        spec = FACETS[name]
        if name in STRUCTURE:
            counts = self._rolled_up(name)
            if spec.all_or_none and len(counts) > spec.limit:
                return [], counts
            if spec.labels is None:  # stages: the value is the group
                rows = [{"group": key, "value": key, "count": n} for key, n in counts.items()]
            else:
                labels = spec.labels._default_manager.filter(pk__in=list(counts)).values_list(
                    "pk", *spec.columns.values()
                )
                rows = [
                    {
                        "group": pk,
                        "count": counts[pk],
                        **dict(zip(spec.columns, values, strict=True)),
                    }
                    for pk, *values in labels
                ]
        else:
            # Every filter is a column test or a `pk__in` subquery, never a join
            # that repeats a row, so grouping the filtered rows counts each once.
            rows = (
                self._filtered(self.queryset, exclude=name)
                .prefetch_related(None)
                .select_related(None)
                .order_by()
                .values(group=F(spec.group))
                .annotate(
                    count=Count("pk"), **{key: Max(path) for key, path in spec.columns.items()}
                )
            )
            rows = [row for row in rows if row["group"] is not None]
            counts = {row["group"]: row["count"] for row in rows}
        if spec.by_count:
            rows = sorted(rows, key=lambda row: (-row["count"], row["group"]))[: spec.limit]
        return sorted(rows, key=spec.order)[: spec.limit], counts

    def _rolled_up(self, name):
        """{id: count} of facet `name` (one of STRUCTURE), summed from `_structure`."""
        position = STRUCTURE.index(name)
        counts = {}
        exclude = name if self.values().get(name) else None
        for row in self._structure(exclude):
            counts[row[position]] = counts.get(row[position], 0) + row[-1]
        return counts

    def _structure(self, exclude):
        """(consultation id, part id, group id, stage, count) over the filtered
        outputs, ignoring facet `exclude`'s own filter: one grouping query that
        the four structural facets roll up from, shared by those whose own
        filter is not in force."""
        if exclude not in self._structures:
            self._structures[exclude] = list(
                self._filtered(self.queryset, exclude=exclude)
                .prefetch_related(None)
                .select_related(None)
                .order_by()
                .values_list(CONSULTATION, PART, "working_group", "stage")
                .annotate(count=Count("pk"))
            )
        return self._structures[exclude]

    def selected_status(self):
        return self.selected("status")

    def selected_committed_by(self):
        return self.selected("committed_by")

    def facets(self):
        return [self.facet(name) for name in FACETS]

    def active_filters(self):
        """Each value in force, with the query string that removes just it."""
        active = []
        for name in [*FACETS, *PROGRESS_FILTERS, "q"]:
            value = self.values().get(name)
            for item in _items(value):
                if name == "q":
                    label, raw = item, item
                else:
                    label, raw = _object_label(name, item), _object_value(name, item)
                active.append(
                    ActiveFilter(
                        name, str(self.filters[name].label), label, self._without(name, raw)
                    )
                )
        return active

    def query_string(self):
        """The filters in force, without unknown values or the page number: the
        same view as the page, for its CSV, Atom and API links."""
        params = QueryDict(mutable=True)
        for name in [*FACETS, *PROGRESS_FILTERS, "q", "sort"]:
            for item in _items(self.values().get(name)):
                raw = item if name in ("q", "sort") else _object_value(name, item)
                params.appendlist(name, raw)
        return params.urlencode()

    def _without(self, name, raw):
        params = self.data.copy()
        params.pop("page", None)
        params.setlist(name, [value for value in params.getlist(name) if value != raw])
        return params.urlencode()

    def notices(self):
        """What the finder ignored or changed in the request, in words."""
        notices = []
        if self.q_shortened:
            notices.append(
                _("Your words were shortened to their first %(n)s characters.") % {"n": MAX_QUERY}
            )
        self.values()
        for name in self.form.errors:
            unknown = getattr(self.form.fields[name], "unknown", None)
            if unknown is None:
                unknown = [self.data.get(name)]
            noun = NOUNS.get(name) or str(self.filters[name].label).lower()
            for value in unknown:
                notices.append(
                    _("We don't know the %(facet)s '%(value)s'; it was ignored.")
                    % {"facet": noun, "value": value}
                )
        return notices
