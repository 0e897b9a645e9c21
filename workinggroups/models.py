from datetime import date
from typing import Any, Self

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from editorial.history import ContentHistory
from editorial.versioning import Versioned
from insights.models import (
    ContentQuerySet,
    HeldBack,
    Organisation,
    Part,
    Theme,
    Topics,
    topics_prefetched,
)
from web.text import plain_words


class Stage(models.TextChoices):
    """The four questions every working group answers, in the paper's order and words.

    The order of the members is the stage order everywhere: `rank`, `stage_rank()`
    and every list of stages follow it."""

    WORKED_WELL = "worked_well", _("Initial steps that have worked well")
    CHANGES_NEEDED = "changes_needed", _("Changes needed to achieve better outcomes")
    PRACTICAL_STEPS = "practical_steps", _("Practical steps needed to enable change")
    COLLABORATION = "collaboration", _("Collaboratively help to support the change process")

    @property
    def rank(self) -> int:
        """0 to 3, in the paper's order."""
        return list(Stage).index(self)

    @property
    def code(self) -> str:
        """The stage's part of a citable reference, e.g. PS."""
        return _STAGE_CODES[self.value]

    @property
    def short_label(self) -> str:
        """The stage's name on every page, in filters and in tags: "Practical steps"."""
        return str(_STAGE_SHORT_LABELS[self.value])

    @classmethod
    def short_choices(cls) -> list[tuple[str, Any]]:
        """(value, short label) for each stage in order: the choices filters show."""
        return [(stage.value, _STAGE_SHORT_LABELS[stage.value]) for stage in cls]


_STAGE_CODES = {
    "worked_well": "WW",
    "changes_needed": "CN",
    "practical_steps": "PS",
    "collaboration": "CO",
}
_STAGE_SHORT_LABELS = {
    "worked_well": _("Worked well"),
    "changes_needed": _("Changes needed"),
    "practical_steps": _("Practical steps"),
    "collaboration": _("Collaboration"),
}


def paper_position(start_date, consultation_id, part_number, group_number, stage, order):
    """A string that sorts outputs as the papers print them: by consultation date
    (then consultation), part, working group, stage in the paper's order, and
    position within the stage. Stored and indexed on each output, so paper order
    is an index walk rather than a sort of every match."""
    if isinstance(start_date, str):  # as assigned, before the database has read it back
        start_date = date.fromisoformat(start_date)
    return (
        f"{start_date:%Y%m%d}{consultation_id:09d}{part_number:05d}{group_number:05d}"
        f"{Stage(stage).rank}{order:05d}"
    )


def stage_rank():
    """An expression that sorts stages in the paper's order, not alphabetically."""
    return models.Case(
        *(models.When(stage=stage, then=position) for position, stage in enumerate(Stage)),
        output_field=models.PositiveSmallIntegerField(),
    )


class WorkingGroupQuerySet(ContentQuerySet):
    def for_list(self) -> Self:
        return self.select_related("part__consultation").prefetch_related("themes", "tags")

    def for_detail(self, *, preview: bool = False) -> Self:
        """A group with everything its page shows: its outputs with their links.
        Outputs held back for a publisher are left out, unless for a `preview`."""
        outputs = Output.objects.all() if preview else Output.objects.filter(held=False)
        return self.for_list().prefetch_related(
            models.Prefetch(
                "outputs",
                # taggit has no type information: the stubs cannot see its manager.
                outputs.prefetch_related(*topics_prefetched("themes", "tags", "partners")),
            )
        )

    def stage_grid(self, consultation) -> Self:
        """The public groups of `consultation` that have public outputs, each with
        its stage counts."""
        return (
            self.published()
            .filter(part__consultation=consultation)
            .select_related("part")
            .with_stage_counts()
            .filter(output_count__gt=0)
        )

    def with_stage_counts(self) -> Self:
        """Annotate `<stage>_count` for each of the four stages, and `output_count`,
        counting public outputs, in the same query."""
        public = models.Q(outputs__is_public=True)
        return self.annotate(
            output_count=models.Count("outputs", filter=public),
            **{
                f"{stage.value}_count": models.Count(
                    "outputs", filter=public & models.Q(outputs__stage=stage)
                )
                for stage in Stage
            },
        )


class WorkingGroup(HeldBack, Versioned):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="working_groups")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=120, unique=True)
    question = models.CharField(
        max_length=500, blank=True, help_text=_("The question the group was asked to answer.")
    )
    summary = models.TextField(
        blank=True,
        help_text=_(
            "Markdown. For groups whose findings were reported as prose rather than "
            "in the four stages."
        ),
    )
    themes = models.ManyToManyField(Theme, related_name="working_groups")
    tags = TaggableManager(blank=True, help_text=_("Specific keywords, e.g. generative AI."))

    objects = WorkingGroupQuerySet.as_manager()
    history = ContentHistory(m2m_fields=["themes"], tags=True)

    class Meta:
        ordering = ["part", "number"]
        constraints = [
            models.UniqueConstraint(fields=["part", "number"], name="unique_working_group_number")
        ]

    def __str__(self) -> str:
        return f"WG {self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("workinggroups:detail", args=[self.slug])

    @property
    def reference(self) -> str:
        return f"{self.part.reference}-WG{self.number}"

    @property
    def is_public(self) -> bool:
        return not self.held and self.part.is_public

    @staticmethod
    def label_for(number: int, title: str, part_reference: str) -> str:
        """How a group is named in lists and filters, e.g. "WG 3. Skills (SGH24-P1)"."""
        return f"WG {number}. {title} ({part_reference})"

    @property
    def label(self) -> str:
        return self.label_for(self.number, self.title, self.part.reference)

    def outputs_by_stage(self) -> list[tuple["Stage", list["Output"]]]:
        """[(stage, [output, ...])] for the four stages in order, from the
        prefetched outputs (`for_detail()`)."""
        outputs = sorted(self.outputs.all(), key=lambda output: output.order)
        return [(stage, [o for o in outputs if o.stage == stage]) for stage in Stage]

    def stage_counts(self):
        """[(stage, count)] in paper order; needs `with_stage_counts()`."""
        return [(stage, getattr(self, f"{stage.value}_count")) for stage in Stage]

    # Its entry in the site search (search.services).
    search_kind = "working_group"

    @classmethod
    def search_queryset(cls):
        return cls.objects.select_related("part__consultation")

    def search_entry(self) -> dict:
        return {
            "consultation": self.part.consultation,
            "title": self.title,
            "reference": self.reference,
            "context": f"{self.part.consultation.title}, {self.part}",
            "summary": self.question,
            "body": plain_words(self.summary),
        }

    def search_dependents(self):
        """The group's title is shown with each of its outputs."""
        return self.outputs.select_related("working_group__part__consultation")


class OutputQuerySet(ContentQuerySet):
    status_path = "working_group__part__consultation__status"
    held_paths = ("held", "working_group__held", "working_group__part__held")

    def published(self) -> Self:
        # is_public mirrors the consultation's status and the holds on the output,
        # its group and its part (see refresh_derived_fields).
        return self.filter(is_public=True)

    def for_list(self) -> Self:
        """Everything an output row shows, in a fixed number of queries."""
        return self.select_related("working_group__part__consultation").prefetch_related(
            *topics_prefetched("themes", "tags", "partners")
        )

    def in_paper_order(self) -> Self:
        return self.order_by("paper_position", "pk")

    def refresh_derived_fields(self):
        """Recompute `paper_position` and `is_public` where they are out of date: after
        a consultation is re-dated, published or withdrawn, a part or group is
        renumbered, moved, held back or published. Returns how many outputs changed."""
        changed = []
        rows = self.select_related("working_group__part__consultation").only(
            "paper_position",
            "is_public",
            "stage",
            "order",
            "held",
            "working_group__number",
            "working_group__held",
            "working_group__part__number",
            "working_group__part__held",
            "working_group__part__consultation__start_date",
            "working_group__part__consultation__status",
        )
        for output in rows.iterator(chunk_size=2000):
            stored = (output.paper_position, output.is_public)
            output.set_derived_fields()
            if (output.paper_position, output.is_public) != stored:
                changed.append(output)
        self.model.objects.bulk_update(changed, ["paper_position", "is_public"], batch_size=1000)
        return len(changed)


class Output(Topics, HeldBack, Versioned):
    """One finding of a working group under one of the four stages; readers call these actions."""

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="outputs"
    )
    stage = models.CharField(max_length=20, choices=Stage)
    order = models.PositiveSmallIntegerField(
        default=1, help_text=_("Position within its stage, from 1.")
    )
    text = models.TextField(help_text=_("The output as written, verbatim."))
    reference = models.CharField(
        max_length=40,
        unique=True,
        blank=True,
        help_text=_(
            "Citable reference, e.g. SGH24-P1-WG3-PS-02. Filled in when first saved "
            "and never changed afterwards, so citations keep working."
        ),
    )
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="outputs",
        help_text=_("Organisations the output names, by name or alias."),
    )
    themes = models.ManyToManyField(Theme, related_name="outputs")
    tags = TaggableManager(blank=True, help_text=_("Specific keywords, e.g. Procurement Act."))
    # Derived from where the output sits and its consultation's status, set on every
    # save and kept in step by workinggroups.signals, so that listing published
    # outputs in paper order reads one table through one index.
    paper_position = models.CharField(max_length=40, editable=False, default="")
    is_public = models.BooleanField(default=False, editable=False)

    objects = OutputQuerySet.as_manager()
    history = ContentHistory(
        m2m_fields=["themes", "partners"],
        tags=True,
        excluded_fields=["paper_position", "is_public"],
    )

    class Meta:
        ordering = ["working_group", stage_rank(), "order"]
        indexes = [
            models.Index(fields=["working_group", "stage", "order"]),
            models.Index(fields=["paper_position", "id"], name="output_paper_order"),
            # Counting and faceting public outputs reads this index alone (an
            # index-only scan), not the wide rows with their texts.
            models.Index(
                fields=["working_group", "stage", "id"],
                condition=models.Q(is_public=True),
                name="output_public_by_group",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.text[:60]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = self.build_reference()
        self.set_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "paper_position", "is_public"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("workinggroups:output", args=[self.reference])

    def set_derived_fields(self):
        self.paper_position = self.build_paper_position()
        self.is_public = not self.held and self.working_group.is_public

    def build_paper_position(self):
        group = self.working_group
        return paper_position(
            group.part.consultation.start_date,
            group.part.consultation_id,
            group.part.number,
            group.number,
            self.stage,
            self.order,
        )

    def build_reference(self):
        return f"{self.working_group.reference}-{Stage(self.stage).code}-{self.order:02d}"

    @property
    def stage_short_label(self):
        return Stage(self.stage).short_label

    # Its entry in the site search (search.services).
    search_kind = "output"

    # Words also find an output by its themes, tags and the organisations it names.
    search_links = ("themes", "partners", "tags")

    @classmethod
    def search_queryset(cls):
        return cls.objects.select_related("working_group__part__consultation").prefetch_related(
            "themes", "tags", "partners"
        )

    def search_entry(self) -> dict:
        names = [
            *(theme.name for theme in self.themes.all()),
            *(tag.name for tag in self.tags.all()),
            *(name for partner in self.partners.all() for name in partner.names()),
        ]
        return {
            "consultation": self.working_group.part.consultation,
            "title": self.reference,
            "reference": self.reference,
            "context": f"{self.working_group} · {self.stage_short_label}",
            "summary": "; ".join(names),
            "body": plain_words(self.text),
        }
