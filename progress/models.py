"""Who is acting on each action, how far they have got, and the evidence.

Readers call a working group's output an "action" and an organisation a
"partner"; here a `Commitment` is one organisation's pledge to take one action
forward, and an `Update` a dated report on it. A commitment, its updates and
their evidence are public exactly when the action is (`Output.is_public`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from editorial.history import ContentHistory
from editorial.versioning import Versioned
from insights.models import Organisation
from workinggroups.models import Output


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    PAUSED = "paused", _("Paused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Role(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORTING = "supporting", _("Supporting")


# A commitment in one of these can no longer be late.
CLOSED_STATUSES = (Status.DONE, Status.WITHDRAWN)
DEFAULT_PROGRESS = {Status.PLANNED: 0, Status.DONE: 100}


def today():
    """Today in the portal's time zone (Europe/London), which decides what is overdue."""
    return timezone.localdate()


def shown_progress(status, progress, latest):
    """The progress a commitment shows: as given; else 0 while planned and 100 when
    done; else the progress of its latest update that gives one; else 0."""
    if progress is not None:
        return progress
    if status in DEFAULT_PROGRESS:
        return DEFAULT_PROGRESS[status]
    return latest or 0


def is_overdue(status, due, on=None):
    """Due before `on` (today in London) and neither done nor withdrawn."""
    return bool(due and due < (on or today()) and status not in CLOSED_STATUSES)


def status_rank():
    """An expression that sorts commitments by status in the order of `Status`."""
    return models.Case(
        *(models.When(status=status, then=position) for position, status in enumerate(Status)),
        output_field=models.PositiveSmallIntegerField(),
    )


def percent_field(**kwargs):
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], **kwargs
    )


@dataclass
class Rollup:
    """How many actions have a commitment, and how many commitments are in each status."""

    action_count: int
    committed_count: int
    counts: dict

    @property
    def total(self):
        return sum(self.counts.values())

    def rows(self):
        """[(status, count, share of the largest count in per cent)] for the chart's bars."""
        top = max(self.counts.values(), default=0) or 1
        return [(status, n, round(100 * n / top)) for status, n in self.counts.items()]

    @property
    def committed_percent(self):
        return round(100 * self.committed_count / self.action_count) if self.action_count else 0


class CommitmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(action__is_public=True)

    def for_organisations(self, organisations):
        return self.filter(organisation__in=organisations)

    def overdue(self, on=None):
        """Due before `on` (today in London by default) and neither done nor withdrawn."""
        return self.filter(due__lt=on or today()).exclude(status__in=CLOSED_STATUSES)

    def not_overdue(self, on=None):
        return self.exclude(pk__in=self.overdue(on).values("pk"))

    def with_latest_update(self):
        """Annotate `latest_update_on` (the date of the latest update on the site)
        and `latest_progress` (the progress the latest update giving one reports):
        two subqueries in the same query, so a list needs no query per row."""
        updates = Update.objects.current().filter(commitment=OuterRef("pk")).newest_first()
        return self.annotate(
            latest_update_on=Subquery(updates.values("date")[:1]),
            latest_progress=Subquery(updates.filter(progress__isnull=False).values("progress")[:1]),
        )

    def for_list(self):
        """Everything a commitment row shows (its action, organisation, latest update's
        date and progress), in one query."""
        return self.with_latest_update().select_related(
            "action__working_group__part__consultation", "organisation"
        )

    def with_updates(self):
        """Prefetch the updates not withdrawn, newest first, as `published_updates`,
        with their organisations and evidence: two more queries for any number."""
        updates = (
            Update.objects.current()
            .select_related("organisation")
            .prefetch_related("evidence")
            .newest_first()
        )
        return self.prefetch_related(
            models.Prefetch("updates", updates, to_attr="published_updates")
        )

    def rollup(self, action_count):
        """The figures of a roll-up chart over these commitments, on actions of which
        there are `action_count`: two queries."""
        counts = self.status_counts()
        committed = self.order_by().values("action").distinct().count()
        return Rollup(action_count, committed, counts)

    def status_counts(self):
        """{status: commitments}, every status present (0 when none), in one query."""
        rows = self.order_by().values_list("status").annotate(n=models.Count("pk"))
        found = dict(rows)
        return {status: found.get(status, 0) for status in Status}


class Commitment(Versioned):
    action = models.ForeignKey(
        Output,
        on_delete=models.CASCADE,
        related_name="commitments",
        help_text=_("The action (working-group output) the organisation commits to."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="commitments",
        help_text=_("Who committed. One commitment per organisation per action."),
    )
    role = models.CharField(
        max_length=20,
        choices=Role,
        default=Role.LEAD,
        help_text=_("Lead: takes the action forward. Supporting: helps the lead."),
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.PLANNED)
    progress = percent_field(
        help_text=_(
            "Per cent, 0 to 100. Leave empty to show 0 while planned, 100 when done, "
            "and otherwise the progress of the latest update."
        )
    )
    started = models.DateField(null=True, blank=True)
    due = models.DateField(
        null=True,
        blank=True,
        help_text=_("Shown as overdue after this date unless done or withdrawn."),
    )
    summary = models.TextField(
        blank=True, help_text=_("Markdown: what the organisation will do, in a sentence or two.")
    )

    objects = CommitmentQuerySet.as_manager()
    history = ContentHistory()

    class Meta:
        ordering = ["action__paper_position", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "organisation"], name="one_commitment_per_organisation"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due"]),
            # The tracker's default order (due date first) walks this index and stops
            # at its page, instead of sorting every public commitment.
            models.Index(fields=["due", "id"], name="commitment_due"),
        ]

    def __str__(self):
        return f"{self.organisation} on {self.action}"

    def get_absolute_url(self):
        return self.action.get_absolute_url() + f"#commitment-{self.pk}"

    @property
    def is_public(self):
        return self.action.is_public

    @property
    def overdue(self):
        return is_overdue(self.status, self.due)

    @property
    def current_progress(self):
        """The progress to show (see `shown_progress`); `with_latest_update()` saves
        the query for the latest update's."""
        latest = None
        if self.progress is None and self.status not in DEFAULT_PROGRESS:
            latest = getattr(self, "latest_progress", None)
            if not hasattr(self, "latest_progress"):
                updates = self.updates.current().filter(progress__isnull=False)
                latest = updates.newest_first().values_list("progress", flat=True).first()
        return shown_progress(self.status, self.progress, latest)

    def take(self, update):
        """Take the status and progress `update` reports if it is the latest one on
        the site. Returns whether anything changed (the caller saves)."""
        latest = self.updates.current().newest_first().first()
        if latest is None or latest.pk != update.pk:
            return False
        changed = False
        if update.status and update.status != self.status:
            self.status, changed = update.status, True
        if update.progress is not None and update.progress != self.progress:
            self.progress, changed = update.progress, True
        return changed


class UpdateQuerySet(models.QuerySet):
    def current(self):
        """Updates not withdrawn by the editors."""
        return self.filter(is_withdrawn=False)

    def published(self):
        """Updates on the site: not withdrawn, on a public action."""
        return self.current().filter(commitment__action__is_public=True)

    def for_feed(self):
        return self.select_related(
            "commitment__action", "commitment__organisation", "organisation"
        ).prefetch_related("evidence")

    def newest_first(self):
        return self.order_by("-date", "-pk")


class Update(Versioned):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(default=today, help_text=_("The day the progress was reported."))
    text = models.TextField(help_text=_("Markdown: what has happened since the last update."))
    status = models.CharField(
        max_length=20,
        choices=Status,
        blank=True,
        help_text=_("Optional. The commitment takes the status of its latest update."),
    )
    progress = percent_field(
        help_text=_("Optional, per cent. The commitment takes the progress of its latest update.")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
        help_text=_("The organisation the update reports for; usually the committed one."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="progress_updates",
    )
    # A partner contributor's own report, published at once and labelled so.
    self_reported = models.BooleanField(default=False, editable=False)
    is_withdrawn = models.BooleanField(
        default=False,
        verbose_name=_("withdrawn from the site"),
        help_text=_("Hide this update from the site, the API and the feeds; history keeps it."),
    )

    objects = UpdateQuerySet.as_manager()
    history = ContentHistory()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["commitment", "date"]),
            # The newest updates on the site (home, feeds) walk this index and
            # stop after a few, instead of sorting every update.
            models.Index(fields=["-date", "-id"], name="update_newest_first"),
        ]

    def __str__(self):
        return f"{self.date:%-d %B %Y}: {self.commitment}"

    def save(self, *args, **kwargs):
        """Saving the latest update on the site also moves its commitment to the
        status and progress it reports (saved, so recorded in its history)."""
        super().save(*args, **kwargs)
        commitment = self.commitment
        if commitment.take(self):
            commitment.save()

    def get_absolute_url(self):
        return self.commitment.action.get_absolute_url() + f"#update-{self.pk}"

    @property
    def reporter(self):
        """Who the site says reported it: the organisation itself, or the editors."""
        return self.organisation if self.self_reported else None


class Evidence(models.Model):
    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=250, help_text=_("What the link shows, in a few words."))
    url = models.URLField(max_length=500, verbose_name=_("URL"))
    order = models.PositiveSmallIntegerField(default=0)

    history = ContentHistory()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.title


CONTRIBUTORS_GROUP = "Partner contributors"


class ContributorQuerySet(models.QuerySet):
    def organisation_ids(self, user):
        """The ids of the organisations `user` may report for (none for most users)."""
        rows = self.filter(user=user, organisations__isnull=False)
        return set(rows.values_list("organisations", flat=True))

    def grant(self, user, organisations):
        """Let `user` report for `organisations` (added to any they had), with staff
        status to sign in to the admin and the contributors' permissions."""
        from django.contrib.auth.models import Group

        contributor, _created = self.get_or_create(user=user)
        contributor.organisations.add(*organisations)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=CONTRIBUTORS_GROUP))
        return contributor


class Contributor(models.Model):
    """A user who may report progress for some organisations and do nothing else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor"
    )
    organisations = models.ManyToManyField(
        Organisation,
        related_name="contributors",
        help_text=_("The organisations this user may report progress for."),
    )

    objects = ContributorQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner contributor")

    def __str__(self):
        return self.user.get_username()
