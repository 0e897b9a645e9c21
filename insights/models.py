from typing import Any, Self

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from editorial.history import ContentHistory
from editorial.versioning import Versioned
from web.kept import from_pairs, kept, pairs
from web.text import plain_words


class Topics:
    """An item's themes, tags and partners as plain lists, for pages that show many items.

    A list's queryset fills them with `topics_prefetched()`: a prefetch into a list
    spares every item a related manager and a filtered queryset per link, which cost
    more than the list's queries. Read without that prefetch, each is queried once."""

    themes: Any
    tags: Any
    partners: Any

    @cached_property
    def theme_list(self) -> list:
        return list(self.themes.all())

    @cached_property
    def tag_list(self) -> list:
        return list(self.tags.all())

    @cached_property
    def partner_list(self) -> list:
        return list(self.partners.all())


TOPIC_LISTS = {"themes": "theme_list", "tags": "tag_list", "partners": "partner_list"}


def topics_prefetched(*names: str, prefix: str = "") -> list[Prefetch]:
    """Prefetches that fill `Topics` lists: `topics_prefetched("themes", "tags")`."""
    return [Prefetch(f"{prefix}{name}", to_attr=TOPIC_LISTS[name]) for name in names]


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# Published and archived content is public; archived is marked as such.
PUBLIC_STATUSES = (Status.PUBLISHED, Status.ARCHIVED)


def can_preview(user, model) -> bool:
    """Staff who may view `model` in the admin also see its drafts on the site."""
    opts = model._meta
    return (
        user.is_active
        and user.is_staff
        and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    )


class HeldBack(models.Model):
    """Content a publisher has yet to put on the site. An editor may add to a
    published consultation: what they add is held back until a publisher
    publishes it (`insights.publishing`). A held part or group keeps what it
    holds off the site too."""

    held = models.BooleanField(
        _("held back for a publisher"),
        default=False,
        help_text=_(
            "Kept off the site until a publisher publishes it. Set when an editor adds "
            "it to a published consultation."
        ),
    )

    class Meta:
        abstract = True


class Sector(models.TextChoices):
    PUBLIC = "public", _("Public sector")
    PRIVATE = "private", _("Private sector")
    THIRD = "third_sector", _("Third sector")
    ACADEMIC = "academic", _("Academic")
    PARTNERSHIP = "partnership", _("Partnership")


def published_output_counts(through, column):
    """{id: published outputs linked to it} from an outputs' many-to-many table,
    in one hash aggregate: each (output, other) pair is there once, so no DISTINCT.
    Kept until the content changes (`web.kept`): one small read between edits."""

    def count():
        rows = (
            through.objects.filter(output__is_public=True)
            .order_by()
            .values_list(column)
            .annotate(n=Count("*"))
        )
        return pairs(dict(rows))

    return from_pairs(kept(output_counts_key(through), count))


def output_counts_key(through) -> str:
    """The name `published_output_counts()` keeps its counts under (`web.kept`)."""
    return f"published-output-counts-{through._meta.db_table}"


class ContentQuerySet(models.QuerySet):
    """What every published content model's queryset shares: content is public
    when the consultation it belongs to is (`status_path` leads to its status)
    and neither it nor what it sits in is held back for a publisher (`held_paths`
    lead to those flags, see `HeldBack`)."""

    status_path = "part__consultation__status"
    held_paths: tuple[str, ...] = ("held", "part__held")

    @classmethod
    def public_filter(cls, prefix: str = "") -> Q:
        """The condition for public items, reached from another model through
        `prefix` (e.g. "presented_briefings__")."""
        return Q(
            **{f"{prefix}{cls.status_path}__in": PUBLIC_STATUSES},
            **{f"{prefix}{path}": False for path in cls.held_paths},
        )

    def published(self) -> Self:
        return self.filter(self.public_filter())

    def held_back(self) -> Self:
        """Items a publisher has yet to publish: held, or in a held container,
        whatever their consultation's status."""
        held = Q()
        for path in self.held_paths:
            held |= Q(**{path: True})
        return self.filter(held) if self.held_paths else self.none()

    def in_consultation(self, consultation) -> Self:
        return self.filter(**{self.status_path.removesuffix("__status"): consultation})

    def visible_to(self, user) -> Self:
        """Published content, and drafts too for staff who may preview them."""
        return self if can_preview(user, self.model) else self.published()

    def tagged(self, slug: str) -> Self:
        return self.filter(tags__slug=slug)


def count_of(queryset: models.QuerySet, path: str, counted: str = "pk") -> Coalesce:
    """A subquery counting, for the outer row, the `counted` (a relation, or the
    rows themselves) of the rows of `queryset` whose `path` is the outer row."""
    rows = (
        queryset.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(n=Count(counted))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


class OrganisationQuerySet(models.QuerySet):
    def output_counts(self):
        """{organisation id: published outputs naming it}, for organisations with any."""
        return published_output_counts(self.model.outputs.through, "organisation_id")

    def with_output_counts(self) -> Self:
        """Annotate `output_count`: published outputs naming each organisation."""
        return self.annotate(
            output_count=Count(
                "outputs",
                filter=Q(outputs__is_public=True),
                distinct=True,
            )
        )

    def with_briefing_counts(self) -> Self:
        """Annotate `briefing_count`: published briefings each organisation presented."""
        return self.annotate(
            briefing_count=Count(
                "presented_briefings",
                filter=InsightBriefingQuerySet.public_filter("presented_briefings__"),
                distinct=True,
            )
        )

    def briefing_counts(self) -> dict[int, int]:
        """{organisation id: published briefings that it presented or that name it},
        as its own page lists them, each briefing once: two reads of the link tables."""
        pairs: set[tuple[int, int]] = set()
        for through in (InsightBriefing.presenters.through, InsightBriefing.partners.through):
            pairs.update(
                through.objects.filter(
                    InsightBriefingQuerySet.public_filter("insightbriefing__")
                ).values_list("organisation_id", "insightbriefing_id")
            )
        counts: dict[int, int] = {}
        for organisation_id, _briefing in pairs:
            counts[organisation_id] = counts.get(organisation_id, 0) + 1
        return counts

    def busiest(self, limit: int) -> list[Any]:
        """The `limit` organisations named by the most published outputs, each with
        `output_count`, most first and ties by name. Counts come from the link
        table in one aggregate; organisations tied with the last place are
        fetched too, so that the tie is broken by name rather than by id."""
        counts = self.output_counts()
        cutoff = sorted(counts.values(), reverse=True)[limit - 1 : limit]
        tied = [pk for pk, n in counts.items() if n >= (cutoff or [0])[0]]
        partners: list[Any] = list(self.filter(pk__in=tied))
        for partner in partners:
            partner.output_count = counts[partner.pk]
        partners.sort(key=lambda partner: (-partner.output_count, partner.name))
        return partners[:limit]


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

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("browse:partner", args=[self.slug])

    # Its entry in the site search (search.services): partners belong to no consultation.
    search_kind = "organisation"

    @classmethod
    def search_queryset(cls):
        return cls.objects.all()

    def search_entry(self) -> dict:
        return {
            "consultation": None,
            "title": self.name,
            "reference": self.shown_short_name,
            "context": self.get_sector_display(),
            "summary": "; ".join(self.alias_list()),
            "body": plain_words(self.description),
        }

    def search_dependents(self):
        """Its names are in the entries of the outputs naming it and the briefings
        it presented."""
        yield from self.outputs.select_related(
            "working_group__part__consultation"
        ).prefetch_related("themes", "tags", "partners")
        yield from self.presented_briefings.select_related("part__consultation").prefetch_related(
            "presenters"
        )

    def alias_list(self):
        return [alias.strip() for alias in self.aliases.split(";") if alias.strip()]

    @property
    def shown_short_name(self) -> str:
        """The short name, where it says more than the name does ("PUBLIC (PUBLIC)")."""
        if self.short_name and self.short_name.casefold() != self.name.casefold():
            return self.short_name
        return ""

    def names(self):
        """Every name the text may use for this organisation, longest first."""
        names = {self.name, *self.alias_list()}
        if self.short_name:
            names.add(self.short_name)
        return sorted(names, key=len, reverse=True)


class ThemeQuerySet(models.QuerySet["Theme"]):
    def output_counts(self):
        """{theme id: published outputs under it}, for themes with any."""
        return published_output_counts(self.model.outputs.through, "theme_id")

    def in_use(self) -> list[Any]:
        """Themes with published outputs, in theme order, each with `output_count`."""
        counts = self.output_counts()
        themes: list[Any] = [theme for theme in self if counts.get(theme.pk)]
        for theme in themes:
            theme.output_count = counts[theme.pk]
        return themes

    def with_output_counts(self) -> Self:
        """Annotate `output_count`: published outputs under each theme, in one query,
        in the themes' own order (a grouped query drops `Meta.ordering`)."""
        return self.annotate(
            output_count=Count(
                "outputs",
                filter=Q(outputs__is_public=True),
                distinct=True,
            )
        ).order_by("order", "name")


class Theme(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(help_text=_("One or two sentences: what belongs here."))
    order = models.PositiveSmallIntegerField(default=0)

    objects = ThemeQuerySet.as_manager()
    history = ContentHistory()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("browse:theme", args=[self.slug])

    search_kind = "theme"

    @classmethod
    def search_queryset(cls):
        return cls.objects.all()

    def search_entry(self) -> dict:
        return {
            "consultation": None,
            "title": self.name,
            "reference": "",
            "context": "",
            "summary": self.description,
            "body": "",
        }

    def search_dependents(self):
        """Its name is in the entries of the outputs under it."""
        return self.outputs.select_related("working_group__part__consultation").prefetch_related(
            "themes", "tags", "partners"
        )


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact days")
    MONTH = "month", _("Month only")


class ConsultationQuerySet(ContentQuerySet):
    status_path = "status"
    held_paths = ()

    def for_list(self) -> Self:
        return self.prefetch_related("organisers")

    def newest_first(self) -> Self:
        return self.order_by("-start_date", "title")

    def with_content_counts(self) -> Self:
        """Annotate briefing_count, group_count and output_count, still in one query.

        Subqueries rather than joined Counts: joining briefings, groups and outputs
        at once would multiply the rows by each other. Working groups and their
        outputs are reached through the parts' reverse relations. Only what is
        public is counted: items held back for a publisher are not.
        """
        released = Part.objects.filter(held=False)
        return self.annotate(
            briefing_count=count_of(
                released.filter(briefings__held=False), "consultation", "briefings"
            ),
            group_count=count_of(
                released.filter(working_groups__held=False), "consultation", "working_groups"
            ),
            output_count=count_of(
                released.filter(working_groups__outputs__is_public=True),
                "consultation",
                "working_groups__outputs",
            ),
        )

    def for_detail(self, *, preview: bool = False) -> Self:
        """Everything the consultation page shows: related consultations that are
        public, parts with their briefings (and presenters) and groups (with
        their output counts), in one query per relation. Items held back for a
        publisher are left out, unless for a `preview`."""
        published: ConsultationQuerySet = ConsultationQuerySet(self.model).published()
        groups = Part._meta.get_field("working_groups").related_model
        shown = {} if preview else {"held": False}
        outputs = Q() if preview else Q(outputs__held=False)
        return self.prefetch_related(
            "organisers",
            "themes",
            Prefetch("key_themes", KeyTheme.objects.filter(**shown)),
            Prefetch("builds_on", published),
            Prefetch("summarises", published),
            Prefetch("built_on_by", published),
            Prefetch("summarised_in", published),
            Prefetch(
                "parts",
                Part.objects.filter(**shown).prefetch_related(
                    Prefetch(
                        "briefings",
                        InsightBriefing.objects.filter(**shown).prefetch_related("presenters"),
                    ),
                    Prefetch(
                        "working_groups",
                        groups._default_manager.filter(**shown).annotate(
                            output_count=Count("outputs", filter=outputs)
                        ),
                    ),
                ),
            ),
        )


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

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insights:consultation", args=[self.slug])

    @property
    def is_public(self):
        return self.status in PUBLIC_STATUSES

    # Its entry in the site search (search.services).
    search_kind = "consultation"

    @classmethod
    def search_queryset(cls):
        return cls.objects.all()

    def search_entry(self) -> dict:
        return {
            "consultation": self,
            "title": self.title,
            "reference": self.reference_prefix,
            "context": self.source_title,
            "summary": " ".join(filter(None, [self.subtitle, self.venue])),
            "body": "\n\n".join(
                filter(None, [plain_words(self.introduction), plain_words(self.conclusion)])
            ),
        }

    @property
    def is_archived(self):
        return self.status == Status.ARCHIVED


class KeyTheme(HeldBack):
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

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return not self.held and self.consultation.is_public


class PartQuerySet(ContentQuerySet):
    status_path = "consultation__status"
    held_paths = ("held",)


class Part(HeldBack, Versioned):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)
    slug = models.SlugField(
        max_length=120, unique=True, help_text=_("Used in filter links, e.g. sgh24-p1.")
    )
    introduction = models.TextField(blank=True, help_text=_("Markdown."))

    objects = PartQuerySet.as_manager()
    history = ContentHistory()

    class Meta:
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="unique_part_number")
        ]

    def __str__(self) -> str:
        return f"Part {self.number}: {self.title}"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.reference.lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("insights:consultation", args=[self.consultation.slug]) + (
            f"#part-{self.number}"
        )

    @staticmethod
    def label_for(prefix: str, number: int, title: str) -> str:
        """How a part is named in lists and filters, e.g. "SGH24-P1: Connected Places…"."""
        return f"{prefix}-P{number}: {title}"

    @property
    def label(self) -> str:
        return self.label_for(self.consultation.reference_prefix, self.number, self.title)

    @property
    def reference(self) -> str:
        return f"{self.consultation.reference_prefix}-P{self.number}"

    @property
    def is_public(self) -> bool:
        return not self.held and self.consultation.is_public

    def search_dependents(self):
        """A part's number is in its briefings' and groups' references."""
        yield from self.briefings.select_related("part__consultation").prefetch_related(
            "presenters"
        )
        yield from self.working_groups.select_related("part__consultation")


class InsightBriefingQuerySet(ContentQuerySet):
    def for_list(self) -> Self:
        return self.select_related("part__consultation").prefetch_related(
            "presenters", "themes", "tags"
        )


class InsightBriefing(Topics, HeldBack, Versioned):
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

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insights:briefing", args=[self.slug])

    @property
    def reference(self) -> str:
        return f"{self.part.reference}-IB{self.order}"

    @property
    def is_public(self) -> bool:
        return not self.held and self.part.is_public

    @property
    def presenter_names(self):
        return " / ".join(org.name for org in self.presenters.all())

    search_kind = "briefing"
    search_links = ("presenters",)

    @classmethod
    def search_queryset(cls):
        return cls.objects.select_related("part__consultation").prefetch_related("presenters")

    def search_entry(self) -> dict:
        return {
            "consultation": self.part.consultation,
            "title": self.title,
            "reference": self.reference,
            "context": self.presenter_names,
            "summary": self.presenter_names,
            "body": plain_words(self.body),
        }
