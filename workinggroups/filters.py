"""The action finder's filters: one FilterSet shared by the finder page, the API,
the CSV and the Atom feed. Its facets' counts are in `workinggroups.facets`, the
field classes that remember unknown values in `web.filtering`."""

import django_filters
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from insights.models import Consultation, Organisation, Part, Sector, Theme
from progress.filters import STATUS_CHOICES, CommitmentStatusFilter, CommittedByFilter
from recurring.models import RecurringFinding, recurrence_of_actions
from search.models import Kind, matched, ranked
from search.terms import MAX_QUERY, parse
from web import notices
from web.filtering import AmongIds, ChoicesFilter, SlugsFilter
from workinggroups.models import Output, Stage, WorkingGroup

# How a notice names a filter that has no label of its own to lower-case.
NOUNS = {"sort": _("sort order"), "committed_by": _("organisation")}


class OutputFilter(django_filters.FilterSet):
    """The action finder's filters, shared by the HTML page, the API and the CSV.

    Within a repeatable facet any value matches; across facets all must match.
    `.qs` is sorted (`sort`; paper order by default). A value that names
    nothing is a form error (`is_valid()` is false, the API answers 400), but
    `.qs` still applies the facet's known values: the finder page lists the
    ignored values with `notices()`.
    """

    consultation = django_filters.ModelChoiceFilter(
        field_name="working_group__part__consultation",
        queryset=Consultation.objects.published(),
        to_field_name="slug",
        label=_("Consultation"),
    )
    part = django_filters.ModelChoiceFilter(
        field_name="working_group__part",
        queryset=Part.objects.published().select_related("consultation"),
        to_field_name="slug",
        label=_("Part"),
    )
    working_group = django_filters.ModelChoiceFilter(
        queryset=WorkingGroup.objects.published().select_related("part__consultation"),
        to_field_name="slug",
        label=_("Working group"),
    )
    stage = ChoicesFilter(choices=Stage.short_choices(), distinct=False, label=_("Stage"))
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
    status = CommitmentStatusFilter(choices=STATUS_CHOICES, label=_("Progress"))
    committed_by = CommittedByFilter(
        field_name="commitments__organisation",
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        label=_("Committed by"),
    )
    sector = ChoicesFilter(
        choices=Sector.choices, method="filter_sector", label=_("Kind of partner")
    )
    recurring = django_filters.ModelChoiceFilter(
        field_name="recurring_findings",
        queryset=RecurringFinding.objects.published(),
        to_field_name="slug",
        label=_("Recurring finding"),
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Words"))
    sort = django_filters.ChoiceFilter(
        choices=[
            ("paper", _("Paper order")),
            ("reference", _("Reference, A to Z")),
            ("-reference", _("Reference, Z to A")),
            ("relevance", _("Best match to the words")),
            ("recurrence", _("Raised by the most groups")),
        ],
        method="sort_results",
        empty_label=None,
        label=_("Sort by"),
    )

    class Meta:
        model = Output
        fields = [
            "consultation", "part", "working_group", "stage", "theme", "tag", "partner",
            "sector", "status", "committed_by", "recurring",
        ]  # fmt: skip

    def __init__(self, data=None, *args, **kwargs):
        self.q_shortened = data is not None and len(data.get("q", "")) > MAX_QUERY
        if self.q_shortened:
            data = data.copy()
            data["q"] = data["q"][:MAX_QUERY]
        super().__init__(data, *args, **kwargs)

    # Filtering

    def filter_text(self, queryset, name, value):
        """Words as the site search reads them (search.terms): each must start a word."""
        query = parse(value)
        if not query:
            return queryset
        return queryset.filter(AmongIds("pk", self.matching_ids(query)))

    def matching_ids(self, query) -> list[int]:
        """The ids of the actions matching the words, read once per request: the
        count, the page and every facet filter by them (a subquery would run the
        full-text match again in each)."""
        if getattr(self, "_matching", (None,))[0] != query.terms:
            ranks = None
            if self.values().get("sort") == "relevance":  # ranked in the same query
                ranks = dict(
                    ranked(query, kind=Kind.OUTPUT).order_by().values_list("object_id", "rank")
                )
                ids = list(ranks)
            else:
                matching = matched(query, kind=Kind.OUTPUT)
                ids = list(matching.order_by().values_list("object_id", flat=True))
            self._matching = (query.terms, ids, ranks)
        return self._matching[1]

    def ranks(self, query) -> dict[int, float]:
        """{action id: how well it matches the words} for every action matching
        them: what sorting by relevance orders by. Read with the matches' ids when
        the sort is by relevance, else in a query of its own."""
        self.matching_ids(query)
        terms, ids, ranks = self._matching
        if ranks is None:
            matches = ranked(query, kind=Kind.OUTPUT).order_by()
            ranks = dict(matches.values_list("object_id", "rank"))
            self._matching = (terms, ids, ranks)
        return ranks

    def filter_sector(self, queryset, name, value):
        """Actions naming an organisation of any of the sectors: a subquery on the
        link table, like the other repeatable filters, so no row repeats."""
        links = Output.partners.through.objects.filter(organisation__sector__in=value)
        return queryset.filter(pk__in=links.values("output_id"))

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

    def filtered(self, queryset, exclude=None):
        """`queryset` with every filter in force but `exclude`'s (and the sort's)."""
        for name, value in self.values().items():
            if name not in (exclude, "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        queryset = self.filtered(queryset)
        query = parse(self.values().get("q"))
        sort = self.values().get("sort")
        if sort == "relevance" and query:
            matches = ranked(query, kind=Kind.OUTPUT)
            rank = matches.filter(object_id=OuterRef("pk")).values("rank")[:1]
            return queryset.annotate(relevance=Subquery(rank)).order_by(
                F("relevance").desc(nulls_last=True), *queryset.in_paper_order().query.order_by
            )
        if sort in ("reference", "-reference"):
            return queryset.order_by(sort)
        if sort == "recurrence":
            return queryset.annotate(recurrence=recurrence_rank()).order_by(
                F("recurrence").desc(), *queryset.in_paper_order().query.order_by
            )
        return queryset.in_paper_order()

    def selected_status(self) -> list[str]:
        return list(self.values().get("status") or [])

    def selected_recurring(self) -> str:
        finding = self.values().get("recurring")
        return finding.slug if finding else ""

    def selected_committed_by(self) -> list[str]:
        return [organisation.slug for organisation in self.values().get("committed_by") or []]

    def notices(self) -> list[str]:
        """What the finder ignored or changed in the request, in words."""
        found = [notices.shortened(MAX_QUERY)] if self.q_shortened else []
        self.values()
        for name in self.form.errors:
            unknown = getattr(self.form.fields[name], "unknown", None)
            if unknown is None:
                unknown = [self.data.get(name)]
            noun = NOUNS.get(name) or str(self.filters[name].label).lower()
            found.extend(notices.ignored(noun, value) for value in unknown)
        return found


def recurrence_rank():
    """An expression: how many groups raised the most widely raised published
    finding each action is in (0 for none). One When per distinct count."""
    by_count: dict[int, list[int]] = {}
    for action, count in recurrence_of_actions().items():
        by_count.setdefault(count, []).append(action)
    return Case(
        *(When(pk__in=ids, then=Value(count)) for count, ids in sorted(by_count.items())),
        default=Value(0),
        output_field=IntegerField(),
    )
