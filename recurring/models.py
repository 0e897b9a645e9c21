"""Recurring findings: the same point raised by several working groups, and the
computed similar actions that help editors find them.

A `RecurringFinding` is curated: editors choose its members, actions (outputs)
or working groups whose findings are prose only, from at least two groups, and
a publisher publishes it. `SimilarAction` rows are computed (`similarity.py`)
and only ever suggestions.
"""

from typing import Any, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from editorial.history import ContentHistory
from editorial.versioning import Versioned
from insights.models import PUBLIC_STATUSES, ContentQuerySet, Status
from workinggroups.models import Output, WorkingGroup, WorkingGroupQuerySet


def member_groups(actions, groups) -> set[int]:
    """The ids of the working groups that `actions` and prose `groups` come from."""
    return {action.working_group_id for action in actions} | {group.pk for group in groups}


def check_members(actions, groups) -> None:
    """Refuse members that do not come from at least two different working groups."""
    if len(member_groups(actions, groups)) < 2:
        raise ValidationError(
            _(
                "A recurring finding needs members from at least two different working "
                "groups: these all come from one group (or there are none)."
            ),
            code="one_group",
        )


def check_prose_groups(groups) -> None:
    """Only a group whose findings are prose (no actions) is a member itself."""
    with_actions = [group for group in groups if group.outputs.exists()]
    if with_actions:
        raise ValidationError(
            _(
                "%(groups)s reported actions: add those actions, not the group. Only a "
                "group whose findings are prose is a member itself."
            )
            % {"groups": ", ".join(str(group) for group in with_actions)},
            code="group_with_actions",
        )


class RecurringFindingQuerySet(ContentQuerySet):
    status_path = "status"
    held_paths = ()

    def for_list(self) -> Self:
        """Each finding with its public members (actions with their groups and
        consultations; prose groups with theirs): three queries for any number."""
        actions = Output.objects.published().select_related("working_group__part__consultation")
        groups = WorkingGroup.objects.published().select_related("part__consultation")
        return self.prefetch_related(
            Prefetch("actions", actions, to_attr="public_actions"),
            Prefetch("groups", groups, to_attr="public_groups"),
        )

    def with_members(self) -> list[Any]:
        """The findings as a list, with their public members as `for_list()` gives
        them, in exactly three queries even when there are none (a prefetch would
        skip its queries then, and a page's query count would depend on the data)."""
        findings: list[Any] = list(self)
        chosen = self.values("pk")
        actions = (
            RecurringFinding.actions.through.objects.filter(
                recurringfinding__in=chosen, output__is_public=True
            )
            .select_related("output__working_group__part__consultation")
            .order_by("pk")
        )
        groups = (
            RecurringFinding.groups.through.objects.filter(
                WorkingGroupQuerySet.public_filter("workinggroup__"),
                recurringfinding__in=chosen,
            )
            .select_related("workinggroup__part__consultation")
            .order_by("pk")
        )
        by_finding: dict[int, tuple[list, list]] = {f.pk: ([], []) for f in findings}
        for action in actions:
            by_finding.get(action.recurringfinding_id, ([], []))[0].append(action.output)
        for group in groups:
            by_finding.get(group.recurringfinding_id, ([], []))[1].append(group.workinggroup)
        for finding in findings:
            finding.public_actions, finding.public_groups = by_finding[finding.pk]
        return findings

    def most_raised(self, limit: int | None) -> list[Any]:
        """The findings (the first `limit`) raised by the most public groups, then by
        title, with their members (`with_members()`): three queries."""
        findings = self.with_members()
        findings.sort(key=lambda finding: (-finding.group_count, finding.title))
        return findings[:limit]


class RecurringFinding(Versioned):
    title = models.CharField(max_length=250, help_text=_("The shared point, in the paper's words."))
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(
        help_text=_(
            "One paragraph in the paper's own terms: what the groups said. Make no "
            "claim the paper does not make."
        )
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    actions = models.ManyToManyField(
        Output,
        blank=True,
        related_name="recurring_findings",
        help_text=_("Actions that make this point, from more than one working group."),
    )
    groups = models.ManyToManyField(
        WorkingGroup,
        blank=True,
        related_name="recurring_findings",
        verbose_name=_("prose groups"),
        help_text=_(
            "Working groups whose findings are prose only (no actions), such as the "
            "2023 consultation's proposal groups, that make this point."
        ),
    )

    objects = RecurringFindingQuerySet.as_manager()
    history = ContentHistory(m2m_fields=["actions", "groups"])
    # The public members, set by `for_list()` or `with_members()`.
    public_actions: list[Output]
    public_groups: list[WorkingGroup]

    class Meta:
        ordering = ["title"]
        permissions = [("publish_recurringfinding", _("Can publish, unpublish and archive"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("recurring:detail", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def clean_members(self) -> None:
        check_members(self.actions.select_related("working_group"), self.groups.all())

    # The members as readers see them; need `for_list()`.

    def timeline(self) -> list["Raised"]:
        """Each public member group once, in date (then paper) order, with the
        public actions by which it raised the point: first raised comes first."""
        by_group: dict[int, Raised] = {}
        for group in self.public_groups:
            by_group[group.pk] = Raised(group, [])
        for action in sorted(self.public_actions, key=lambda a: (a.paper_position, a.pk)):
            raised = by_group.setdefault(action.working_group_id, Raised(action.working_group, []))
            raised.actions.append(action)
        return sorted(by_group.values(), key=lambda raised: raised.sort_key)

    @property
    def group_count(self) -> int:
        return len(
            {a.working_group_id for a in self.public_actions} | {g.pk for g in self.public_groups}
        )

    def consultations(self) -> list:
        seen: dict[int, Any] = {}
        for raised in self.timeline():
            seen.setdefault(raised.consultation.pk, raised.consultation)
        return list(seen.values())

    @property
    def first_raised(self):
        timeline = self.timeline()
        return timeline[0].consultation.start_date if timeline else None


class Raised:
    """One working group in a finding's timeline, with its member actions."""

    def __init__(self, group: WorkingGroup, actions: list) -> None:
        self.group = group
        self.actions = actions

    @property
    def consultation(self):
        return self.group.part.consultation

    @property
    def sort_key(self):
        return (self.consultation.start_date, self.group.part.number, self.group.number)


class SimilarActionQuerySet(models.QuerySet):
    def for_action(self, action: Output) -> Self:
        """The public similar actions of `action`, best first, with their groups."""
        return (
            self.filter(action=action, similar__is_public=True)
            .select_related("similar__working_group")
            .order_by("rank")
        )


class SimilarAction(models.Model):
    """A computed suggestion: `similar` makes a point like `action`'s. Rebuilt by
    `rebuild_similar_actions` and refreshed when outputs change; never edited."""

    action = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="similar_links")
    similar = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(help_text=_("1 is the most similar."))
    score = models.FloatField(help_text=_("Cosine similarity of the two texts, 0 to 1."))

    objects = SimilarActionQuerySet.as_manager()

    class Meta:
        ordering = ["action_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["action", "similar"], name="unique_similar_action")
        ]

    def __str__(self) -> str:
        return f"{self.action} ~ {self.similar} ({self.score:.2f})"


class RejectedSuggestion(models.Model):
    """An editor said `action` does not make `finding`'s point: not offered again."""

    finding = models.ForeignKey(
        RecurringFinding, on_delete=models.CASCADE, related_name="rejected_suggestions"
    )
    action = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="+")
    rejected_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["finding", "action"], name="unique_rejected_suggestion")
        ]

    def __str__(self) -> str:
        return f"{self.action} is not “{self.finding}”"


def group_counts(findings=None) -> dict[int, int]:
    """{finding id: public member groups} for the published findings (or those of
    the `findings` queryset), in two queries for any number."""
    findings = RecurringFinding.objects.published() if findings is None else findings
    through = RecurringFinding.actions.through.objects.filter(
        recurringfinding__in=findings, output__is_public=True
    )
    prose = RecurringFinding.groups.through.objects.filter(
        WorkingGroupQuerySet.public_filter("workinggroup__"),
        recurringfinding__in=findings,
    )
    groups: dict[int, set] = {}
    for finding, group in through.values_list("recurringfinding_id", "output__working_group_id"):
        groups.setdefault(finding, set()).add(group)
    for finding, group in prose.values_list("recurringfinding_id", "workinggroup_id"):
        groups.setdefault(finding, set()).add(group)
    return {finding: len(members) for finding, members in groups.items()}


def recurrence_of_actions() -> dict[int, int]:
    """{action id: groups of the most widely raised published finding it is in}."""
    counts = group_counts()
    links = RecurringFinding.actions.through.objects.filter(
        recurringfinding_id__in=list(counts), output__is_public=True
    ).values_list("output_id", "recurringfinding_id")
    recurrence: dict[int, int] = {}
    for action, finding in links:
        recurrence[action] = max(recurrence.get(action, 0), counts[finding])
    return recurrence
