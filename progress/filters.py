import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from insights.models import Consultation, Organisation, Sector, Theme
from progress.models import Commitment, Role, Status, today
from web.filtering import KnownChoicesField, KnownSlugsField
from workinggroups.models import Output, Stage, WorkingGroup

SORTS = [
    ("due", _("Due date, soonest first")),
    ("updated", _("Latest update, newest first")),
]


# Slugs, for the schema (it cannot tell from the `organisation__slug` path).
@extend_schema_field(OpenApiTypes.STR)
class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = KnownSlugsField


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    field_class = KnownChoicesField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, distinct=False, **kwargs)


class CommitmentFilter(django_filters.FilterSet):
    """The progress tracker's filters, shared by the page, /api/commitments/,
    /commitments.csv and /updates.atom. A repeated parameter matches any of its
    values; different parameters must all match. `.qs` is sorted (`sort`)."""

    status = ChoicesFilter(choices=Status.choices, label=_("Status"))
    organisation = SlugsFilter(
        field_name="organisation__slug",
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        label=_("Organisation"),
    )
    role = ChoicesFilter(choices=Role.choices, label=_("Role"))
    sector = ChoicesFilter(
        field_name="organisation__sector", choices=Sector.choices, label=_("Sector")
    )
    theme = SlugsFilter(
        field_name="action__themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_theme",
        label=_("Theme"),
    )
    consultation = django_filters.ModelChoiceFilter(
        field_name="action__working_group__part__consultation",
        queryset=Consultation.objects.published(),
        to_field_name="slug",
        label=_("Consultation"),
    )
    working_group = django_filters.ModelChoiceFilter(
        field_name="action__working_group",
        queryset=WorkingGroup.objects.published(),
        to_field_name="slug",
        label=_("Working group"),
    )
    stage = ChoicesFilter(
        field_name="action__stage", choices=Stage.short_choices(), label=_("Stage")
    )
    overdue = django_filters.ChoiceFilter(
        field_name="due",
        choices=[("true", _("Overdue")), ("false", _("Not overdue"))],
        method="filter_overdue",
        label=_("Overdue"),
    )
    sort = django_filters.ChoiceFilter(
        choices=SORTS, method="sort_results", empty_label=None, label=_("Sort by")
    )

    class Meta:
        model = Commitment
        fields = [
            "status",
            "organisation",
            "role",
            "sector",
            "theme",
            "consultation",
            "working_group",
            "stage",
            "overdue",
        ]

    def filter_theme(self, queryset, name, value):
        if not value:
            return queryset
        # The link table alone, as a subquery: no join that repeats a commitment.
        actions = Output.themes.through.objects.filter(theme__in=value).values("output_id")
        return queryset.filter(action__in=actions)

    def filter_overdue(self, queryset, name, value):
        if value == "true":
            return queryset.overdue(today())
        if value == "false":
            return queryset.not_overdue(today())
        return queryset

    def sort_results(self, queryset, name, value):
        return queryset  # applied last, by filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("sort") == "updated":
            return queryset.order_by(F("latest_update_on").desc(nulls_last=True), "pk")
        return queryset.order_by(F("due").asc(nulls_last=True), "action__paper_position", "pk")

    def status_counts(self, unfiltered=None):
        """{status: commitments} under every filter in force but the status itself,
        so each count says what choosing that status would give. With no such
        filter in force, `unfiltered()` when given: the same counts, kept."""
        others = [name for name in self.filters if name not in ("status", "sort")]
        if self.is_bound:
            self.errors  # noqa: B018  validates the form
        if unfiltered is not None and not (
            self.is_bound and any(any(self.data.getlist(name)) for name in others)
        ):
            return unfiltered()
        queryset = self.queryset
        if self.is_bound:
            for name, value in self.form.cleaned_data.items():
                if name in others:
                    queryset = self.filters[name].filter(queryset, value)
        return queryset.status_counts()

    def count_from(self, counts):
        """How many commitments `.qs` holds, from `status_counts()`: those of the
        chosen statuses, or of every status when none is chosen (or none known)."""
        chosen = self.form.cleaned_data.get("status") if self.is_bound else None
        return sum(n for status, n in counts.items() if not chosen or status in chosen)

    def notices(self):
        """The values this request named that the tracker does not know, in words."""
        notices = []
        if not self.is_bound:
            return notices
        for name in self.errors:
            unknown = getattr(self.form.fields[name], "unknown", None) or [self.data.get(name)]
            for value in unknown:
                notices.append(
                    _("We don't know the %(filter)s '%(value)s'; it was ignored.")
                    % {"filter": str(self.filters[name].label).lower(), "value": value}
                )
        return notices

    def query_string(self):
        """The filters in force (known values only), for the CSV, feed and API links."""
        params = self.data.copy() if self.is_bound else {}
        if not params:
            return ""
        params = params.copy()
        params.pop("page", None)
        for name in self.errors:
            params.pop(name, None)
        return params.urlencode()


def tracker_filter(request):
    """The tracker's filters over public commitments, read from the query string."""
    return CommitmentFilter(request.GET, queryset=Commitment.objects.published().for_list())


# The action finder's progress filters (workinggroups.filters.OutputFilter uses them).

NO_COMMITMENT = "none"


class CommitmentStatusFilter(django_filters.MultipleChoiceFilter):
    """Actions with a commitment in any of the statuses; `none`: with no commitment."""

    field_class = KnownChoicesField

    def filter(self, qs, value):
        if not value:
            return qs
        statuses = [item for item in value if item != NO_COMMITMENT]
        # EXISTS, not IN: `NOT IN (every commitment's action)`, or IN joined by OR, makes
        # PostgreSQL test each action against the whole list once it outgrows its
        # memory for hashing (at 1,000,000 actions); EXISTS looks each action up.
        committed = Commitment.objects.filter(action=OuterRef("pk"))
        match = Q(Exists(committed.filter(status__in=statuses))) if statuses else Q()
        if NO_COMMITMENT in value:
            none = ~Q(Exists(committed))
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


STATUS_CHOICES = [*Status.choices, (NO_COMMITMENT, _("No commitment yet"))]
