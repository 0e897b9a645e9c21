"""The actions as CSV: one row per action, columns documented on the open-data page."""

import csv
import io
from itertools import islice

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItem

from progress.models import is_overdue, shown_progress, today
from web.filtering import AmongIds
from web.spreadsheets import neutralise_row
from workinggroups.models import Output, Stage

CHUNK_SIZE = 2000


def _joined(values):
    return "; ".join(values)


# (column, what it holds), in the order output_rows() fills them.
COLUMNS = [
    ("reference", _("Citable reference, e.g. SGH24-P1-WG3-PS-02; it never changes.")),
    ("url", _("The action's page on the site.")),
    ("text", _("The action as written, verbatim (Markdown).")),
    ("stage", _("worked_well, changes_needed, practical_steps or collaboration.")),
    ("stage_label", _("The stage in words, as the paper asks it.")),
    ("order", _("Position within its stage, from 1.")),
    ("working_group_number", _("The group's number within its part.")),
    ("working_group_title", _("The group's title.")),
    ("working_group_slug", _("The group's identifier.")),
    ("part_number", _("The part's number within its consultation.")),
    ("part_title", _("The part's title.")),
    ("consultation_slug", _("The consultation's identifier.")),
    ("consultation_title", _("The consultation's title.")),
    ("themes", _("Theme slugs, separated by “; ”.")),
    ("theme_names", _("Theme names, separated by “; ”.")),
    ("tags", _("Tag slugs, separated by “; ”.")),
    ("tag_names", _("Tags as written, separated by “; ”.")),
    ("partners", _("Slugs of the organisations it names, separated by “; ”.")),
    ("partner_names", _("Names of the organisations it names, separated by “; ”.")),
]


# The output's own columns, read as plain values: model instances (and
# django-taggit's per-instance managers) cost more than the rest of a row.
FIELDS = [
    "pk",
    "reference",
    "text",
    "stage",
    "order",
    "working_group__number",
    "working_group__title",
    "working_group__slug",
    "working_group__part__number",
    "working_group__part__title",
    "working_group__part__consultation__slug",
    "working_group__part__consultation__title",
]


def _related(ids):
    """{output id: [theme slugs, theme names, tag slugs, tag names, partner slugs,
    partner names]}, each joined with "; ", in three queries for all of `ids`
    (sent as one parameter each). Outputs with none of them are left out."""
    themes = (
        Output.themes.through.objects.filter(AmongIds("output_id", ids))
        .order_by("theme__order", "theme__name")
        .values_list("output_id", "theme__slug", "theme__name")
    )
    tags = (
        TaggedItem.objects.filter(
            content_type__app_label=Output._meta.app_label,
            content_type__model=Output._meta.model_name,
        )
        .filter(AmongIds("object_id", ids))
        .order_by(Lower("tag__name"))
        .values_list("object_id", "tag__slug", "tag__name")
    )
    partners = (
        Output.partners.through.objects.filter(AmongIds("output_id", ids))
        .order_by("organisation__name")
        .values_list("output_id", "organisation__slug", "organisation__name")
    )
    found: dict = {}
    for position, rows in enumerate((themes, tags, partners)):
        for pk, slug, name in rows:
            lists = found.get(pk)
            if lists is None:
                lists = found[pk] = [[], [], [], [], [], []]
            lists[2 * position].append(slug)
            lists[2 * position + 1].append(name)
    return {pk: [_joined(values) for values in lists] for pk, lists in found.items()}


NO_LINKS = [""] * 6


def output_rows(outputs, absolute_url, chunk_size):
    """Each output of `outputs` as a row of COLUMNS, fetching `chunk_size` at a time."""
    labels = {stage: str(label) for stage, label in Stage.choices}  # translated once
    url = absolute_url(reverse("workinggroups:output", args=["__reference__"]))
    values = outputs.prefetch_related(None).values_list(*FIELDS).iterator(chunk_size=chunk_size)
    while chunk := list(islice(values, chunk_size)):
        related = _related([row[0] for row in chunk])
        for pk, reference, text, stage, order, *context in chunk:
            yield [
                reference,
                url.replace("__reference__", reference),
                text,
                stage,
                labels[stage],
                order,
                *context,
                *related.get(pk, NO_LINKS),
            ]


def _csv(header, rows, chunk_size):
    """Yield the CSV of `rows`: the BOM and header first, then `chunk_size` rows
    at a time, each chunk one string (a string per row would cost the response
    as much again)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    while chunk := list(islice(rows, chunk_size)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(neutralise_row(row) for row in chunk)
        yield buffer.getvalue()


def csv_lines(outputs, absolute_url, chunk_size=CHUNK_SIZE):
    """Yield the CSV, BOM and header first, fetching `chunk_size` outputs (and
    their themes, tags and partners) at a time so memory stays flat."""
    header = [name for name, _help in COLUMNS]
    return _csv(header, output_rows(outputs, absolute_url, chunk_size), chunk_size)


# Commitments: (column, what it holds), in the order commitment_rows() fills them.
COMMITMENT_COLUMNS = [
    ("action", _("The action's citable reference.")),
    ("action_url", _("The action's page on the site.")),
    ("organisation", _("The organisation's slug.")),
    ("organisation_name", _("The organisation's name.")),
    ("role", _("lead or supporting.")),
    ("status", _("planned, in_progress, done, paused or withdrawn.")),
    ("progress", _("Per cent, 0 to 100, as the site shows it.")),
    ("started", _("Start date (ISO 8601), may be empty.")),
    ("due", _("Due date (ISO 8601), may be empty.")),
    ("overdue", _("true when due before today (Europe/London) and neither done nor withdrawn.")),
    ("summary", _("What the organisation will do (Markdown).")),
    ("latest_update", _("The date of its latest update (ISO 8601), may be empty.")),
    ("url", _("The commitment on its action's page.")),
]

COMMITMENT_FIELDS = [
    "pk",
    "action__reference",
    "organisation__slug",
    "organisation__name",
    "role",
    "status",
    "progress",
    "latest_progress",
    "started",
    "due",
    "summary",
    "latest_update_on",
]


def _iso(value):
    return value.isoformat() if value else ""


def commitment_rows(commitments, absolute_url, chunk_size=CHUNK_SIZE):
    """Each commitment as a row of COMMITMENT_COLUMNS, read as plain values."""
    url = absolute_url(reverse("workinggroups:output", args=["__reference__"]))
    on = today()
    rows = commitments.prefetch_related(None).values_list(*COMMITMENT_FIELDS)
    for row in rows.iterator(chunk_size=chunk_size):
        pk, reference, slug, name, role, status, progress, latest, started, due, summary, on_ = row
        action_url = url.replace("__reference__", reference)
        yield [
            reference,
            action_url,
            slug,
            name,
            role,
            status,
            shown_progress(status, progress, latest),
            _iso(started),
            _iso(due),
            "true" if is_overdue(status, due, on) else "false",
            summary,
            _iso(on_),
            f"{action_url}#commitment-{pk}",
        ]


def commitment_csv_lines(commitments, absolute_url):
    """Yield the commitments' CSV, BOM and header first, streamed."""
    header = [name for name, _help in COMMITMENT_COLUMNS]
    yield from _csv(header, commitment_rows(commitments, absolute_url), CHUNK_SIZE)


# (column, what it holds), in the order recurring_csv_lines() fills them.
RECURRING_COLUMNS = [
    ("slug", _("The finding's identifier, used in the recurring filter.")),
    ("url", _("The finding's page on the site.")),
    ("title", _("The shared point, in the paper's words.")),
    ("summary", _("One paragraph in the paper's own terms (Markdown).")),
    ("actions", _("References of its member actions, separated by “; ”.")),
    ("working_groups", _("Slugs of the groups that raised it, first raised first, by “; ”.")),
    ("consultations", _("Slugs of those groups' consultations, separated by “; ”.")),
    ("first_raised", _("When it was first raised: its earliest consultation's date.")),
    ("group_count", _("How many working groups raised it.")),
]


def recurring_rows(findings, absolute):
    """One row per finding (with `for_list()`), in RECURRING_COLUMNS order."""
    for finding in findings:
        timeline = finding.timeline()
        first = finding.first_raised
        yield [
            finding.slug,
            absolute(finding.get_absolute_url()),
            finding.title,
            finding.summary,
            _joined(a.reference for raised in timeline for a in raised.actions),
            _joined(raised.group.slug for raised in timeline),
            _joined(c.slug for c in finding.consultations()),
            first.isoformat() if first else "",
            finding.group_count,
        ]


def recurring_csv_lines(findings, absolute):
    """The CSV lines of `findings` (with `for_list()`), a header first."""
    header = [name for name, _help in RECURRING_COLUMNS]
    yield from _csv(header, recurring_rows(findings, absolute), CHUNK_SIZE)
