from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from insights.history import ContentHistory


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# Published and archived content is public; archived is marked as such.
PUBLIC_STATUSES = (Status.PUBLISHED, Status.ARCHIVED)


def can_preview(user, model):
    """Staff who may view `model` in the admin also see its drafts on the site."""
    opts = model._meta
    return (
        user.is_active
        and user.is_staff
        and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    )


class Versioned(models.Model):
    """Content edited by several editors: each save raises `version` by one, so an
    editor whose form was loaded at an older version can be told instead of
    silently overwriting the other's change."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or not self.pk:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            # Count from the stored row, locked until the transaction ends, so two
            # saves never both claim the same version.
            stored = (
                type(self)
                ._base_manager.select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is not None:
                self.version = stored + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            return super().save(*args, **kwargs)


class ContentVersion(models.Model):
    """One row whose token changes whenever any published content may have changed.

    Cached pages and counts are keyed by the token (`insights.caching`), so an
    edit makes every cached copy unreachable at once, in every process. A random
    token rather than a counter: a rolled-back transaction or a restored
    database can never bring back a token whose cached pages are stale.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("content version")

    def __str__(self):
        return self.token


class Sector(models.TextChoices):
    PUBLIC = "public", _("Public sector")
    PRIVATE = "private", _("Private sector")
    THIRD = "third_sector", _("Third sector")
    ACADEMIC = "academic", _("Academic")
    PARTNERSHIP = "partnership", _("Partnership")


def published_output_counts(through, column):
    """{id: published outputs linked to it} from an outputs' many-to-many table,
    in one hash aggregate: each (output, other) pair is there once, so no DISTINCT."""
    rows = (
        through.objects.filter(output__is_public=True)
        .order_by()
        .values_list(column)
        .annotate(n=Count("*"))
    )
    return dict(rows)


class OrganisationQuerySet(models.QuerySet):
    def output_counts(self):
        """{organisation id: published outputs naming it}, for organisations with any."""
        return published_output_counts(self.model.outputs.through, "organisation_id")

    def with_output_counts(self):
        """Annotate `output_count`: published outputs naming each organisation."""
        return self.annotate(
            output_count=Count(
                "outputs",
                filter=Q(outputs__is_public=True),
                distinct=True,
            )
        )


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    short_name = models.CharField(
        max_length=60, blank=True, help_text=_("An acronym or short form, e.g. LOTI.")
    )
    aliases = models.CharField(
        max_length=500,
        blank=True,
        help_text=_(
            "Other names the organisation goes by in the text, separated by semicolons, "
            "e.g. “PUBLIC.io; PUBLIC (the consultancy)”. Used to suggest partner links."
        ),
    )
    sector = models.CharField(max_length=20, choices=Sector, default=Sector.PUBLIC)
    website = models.URLField(blank=True)
    description = models.TextField(
        blank=True, help_text=_("Optional. Markdown: a short note about the organisation.")
    )

    objects = OrganisationQuerySet.as_manager()
    history = ContentHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("insights:partner", args=[self.slug])

    def alias_list(self):
        return [alias.strip() for alias in self.aliases.split(";") if alias.strip()]

    def names(self):
        """Every name the text may use for this organisation, longest first."""
        names = {self.name, *self.alias_list()}
        if self.short_name:
            names.add(self.short_name)
        return sorted(names, key=len, reverse=True)


class ThemeQuerySet(models.QuerySet):
    def output_counts(self):
        """{theme id: published outputs under it}, for themes with any."""
        return published_output_counts(self.model.outputs.through, "theme_id")

    def with_output_counts(self):
        """Annotate `output_count`: published outputs under each theme, in one query."""
        return self.annotate(
            output_count=Count(
                "outputs",
                filter=Q(outputs__is_public=True),
                distinct=True,
            )
        )


class Theme(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(help_text=_("One or two sentences: what belongs here."))
    order = models.PositiveSmallIntegerField(default=0)

    objects = ThemeQuerySet.as_manager()
    history = ContentHistory()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("insights:theme", args=[self.slug])


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact days")
    MONTH = "month", _("Month only")


class ConsultationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status__in=PUBLIC_STATUSES)

    def visible_to(self, user):
        """Published consultations, and drafts too for staff who may preview them."""
        return self if can_preview(user, self.model) else self.published()

    def for_list(self):
        return self.prefetch_related("organisers")


class Consultation(Versioned):
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=120, unique=True)
    subtitle = models.CharField(max_length=250, blank=True)
    reference_prefix = models.CharField(
        max_length=20,
        unique=True,
        help_text=_(
            "Starts every citable reference in this consultation, e.g. SGH24. "
            "Do not change it once published: people cite these references."
        ),
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=10,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text=_("Choose “Month only” when only the month is known; the day is then hidden."),
    )
    venue = models.CharField(max_length=250, blank=True)
    organisers = models.ManyToManyField(
        Organisation, blank=True, related_name="organised_consultations"
    )
    participants = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("How many people took part, if known.")
    )
    introduction = models.TextField(blank=True, help_text=_("Markdown."))
    conclusion = models.TextField(
        blank=True, help_text=_("Markdown. Closing discussion after the findings, if any.")
    )
    source_title = models.CharField(
        max_length=250, blank=True, help_text=_("The published document, e.g. “Background paper”.")
    )
    source_url = models.URLField(blank=True, help_text=_("Where the source document is published."))
    builds_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="built_on_by",
        help_text=_("Earlier consultations whose findings this one builds on."),
    )
    summarises = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="summarised_in",
        help_text=_("Consultations this one summarises, e.g. in an annex."),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="consultations")

    objects = ConsultationQuerySet.as_manager()
    history = ContentHistory(m2m_fields=["organisers", "themes", "builds_on", "summarises"])

    class Meta:
        ordering = ["-start_date"]
        permissions = [("publish_consultation", _("Can publish, unpublish and archive"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("insights:consultation", args=[self.slug])

    @property
    def is_public(self):
        return self.status in PUBLIC_STATUSES

    @property
    def is_archived(self):
        return self.status == Status.ARCHIVED


class KeyTheme(models.Model):
    """A headline finding of a consultation reported as prose rather than outputs."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="key_themes"
    )
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=250, help_text=_("The theme's lead-in, in bold."))
    text = models.TextField(help_text=_("Markdown: what the discussion said about it."))

    history = ContentHistory()

    class Meta:
        ordering = ["consultation", "order"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "order"], name="unique_key_theme_order")
        ]

    def __str__(self):
        return self.title


class Part(Versioned):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)
    slug = models.SlugField(
        max_length=120, unique=True, help_text=_("Used in filter links, e.g. sgh24-p1.")
    )
    introduction = models.TextField(blank=True, help_text=_("Markdown."))

    history = ContentHistory()

    class Meta:
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="unique_part_number")
        ]

    def __str__(self):
        return f"Part {self.number}: {self.title}"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.reference.lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("insights:consultation", args=[self.consultation.slug]) + (
            f"#part-{self.number}"
        )

    @property
    def reference(self):
        return f"{self.consultation.reference_prefix}-P{self.number}"


class InsightBriefingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(part__consultation__status__in=PUBLIC_STATUSES)

    def visible_to(self, user):
        """Published briefings, and drafts too for staff who may preview them."""
        return self if can_preview(user, self.model) else self.published()

    def for_list(self):
        return self.select_related("part__consultation").prefetch_related(
            "presenters", "themes", "tags"
        )

    def tagged(self, slug):
        return self.filter(tags__slug=slug)


class InsightBriefing(Versioned):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="briefings")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=120, unique=True)
    presenters = models.ManyToManyField(
        Organisation,
        related_name="presented_briefings",
        help_text=_("The organisation or organisations that gave the briefing."),
    )
    body = models.TextField(
        help_text=_("Markdown: paragraphs, bullet lists and links as in the source document.")
    )
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="briefings_naming",
        help_text=_("Organisations the briefing names (besides its presenters)."),
    )
    themes = models.ManyToManyField(Theme, related_name="briefings")
    tags = TaggableManager(blank=True, help_text=_("Specific keywords, e.g. digital twins."))

    objects = InsightBriefingQuerySet.as_manager()
    history = ContentHistory(m2m_fields=["presenters", "partners", "themes"], tags=True)

    class Meta:
        ordering = ["part", "order"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("insights:briefing", args=[self.slug])

    @property
    def reference(self):
        return f"{self.part.reference}-IB{self.order}"

    @property
    def presenter_names(self):
        return " / ".join(org.name for org in self.presenters.all())
