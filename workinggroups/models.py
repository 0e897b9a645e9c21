from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from insights.history import ContentHistory
from insights.models import PUBLIC_STATUSES, Organisation, Part, Theme, Versioned, can_preview


class Stage(models.TextChoices):
    """The four questions every working group answers, in the paper's order and words."""

    WORKED_WELL = "worked_well", _("Initial steps that have worked well")
    CHANGES_NEEDED = "changes_needed", _("Changes needed to achieve better outcomes")
    PRACTICAL_STEPS = "practical_steps", _("Practical steps needed to enable change")
    COLLABORATION = "collaboration", _("Collaboratively help to support the change process")


STAGE_CODES = {
    Stage.WORKED_WELL: "WW",
    Stage.CHANGES_NEEDED: "CN",
    Stage.PRACTICAL_STEPS: "PS",
    Stage.COLLABORATION: "CO",
}

STAGE_SHORT_LABELS = {
    Stage.WORKED_WELL: _("Worked well"),
    Stage.CHANGES_NEEDED: _("Changes needed"),
    Stage.PRACTICAL_STEPS: _("Practical steps"),
    Stage.COLLABORATION: _("Collaboration"),
}


def stage_rank():
    """An expression that sorts stages in the paper's order, not alphabetically."""
    return models.Case(
        *(models.When(stage=stage, then=position) for position, stage in enumerate(Stage)),
        output_field=models.PositiveSmallIntegerField(),
    )


class WorkingGroupQuerySet(models.QuerySet):
    def published(self):
        return self.filter(part__consultation__status__in=PUBLIC_STATUSES)

    def visible_to(self, user):
        """Published groups, and drafts too for staff who may preview them."""
        return self if can_preview(user, self.model) else self.published()

    def for_list(self):
        return self.select_related("part__consultation").prefetch_related("themes", "tags")

    def tagged(self, slug):
        return self.filter(tags__slug=slug)

    def with_stage_counts(self):
        """Annotate `<stage>_count` for each of the four stages, in the same query."""
        return self.annotate(
            output_count=models.Count("outputs"),
            **{
                f"{stage.value}_count": models.Count(
                    "outputs", filter=models.Q(outputs__stage=stage)
                )
                for stage in Stage
            },
        )


class WorkingGroup(Versioned):
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

    def __str__(self):
        return f"WG {self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("workinggroups:detail", args=[self.slug])

    @property
    def reference(self):
        return f"{self.part.reference}-WG{self.number}"

    def stage_counts(self):
        """[(stage, count)] in paper order; needs `with_stage_counts()`."""
        return [(stage, getattr(self, f"{stage.value}_count")) for stage in Stage]


class OutputQuerySet(models.QuerySet):
    def published(self):
        return self.filter(working_group__part__consultation__status__in=PUBLIC_STATUSES)

    def visible_to(self, user):
        """Published outputs, and drafts too for staff who may preview them."""
        return self if can_preview(user, self.model) else self.published()

    def for_list(self):
        """Everything an output row shows, in a fixed number of queries."""
        return self.select_related("working_group__part__consultation").prefetch_related(
            "themes", "tags", "partners"
        )

    def tagged(self, slug):
        return self.filter(tags__slug=slug)

    def in_paper_order(self):
        return self.order_by(
            "working_group__part__consultation__start_date",
            "working_group__part__number",
            "working_group__number",
            stage_rank(),
            "order",
        )


class Output(Versioned):
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

    objects = OutputQuerySet.as_manager()
    history = ContentHistory(m2m_fields=["themes", "partners"], tags=True)

    class Meta:
        ordering = ["working_group", stage_rank(), "order"]
        indexes = [models.Index(fields=["working_group", "stage", "order"])]

    def __str__(self):
        return self.reference or self.text[:60]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = self.build_reference()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("workinggroups:output", args=[self.reference])

    def build_reference(self):
        return f"{self.working_group.reference}-{STAGE_CODES[self.stage]}-{self.order:02d}"

    @property
    def stage_short_label(self):
        return STAGE_SHORT_LABELS[self.stage]
