"""The actions as CSV: one row per action, columns documented on the open-data page."""

import csv
import io
from itertools import islice

import numpy as np
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from insights.models import Organisation, Theme
from progress.models import is_overdue, shown_progress, today
from web.spreadsheets import neutralise_row
from workinggroups import facetindex
from workinggroups.models import Stage

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


class _Links:
    """One kind of link (themes, tags or partners) of every published action, read
    off the facet index (`workinggroups.facetindex`) and ordered once per export as
    the database orders `ordered` (its (pk, slug, name) rows): the links of the
    index's row r are `ranks[start[r]:start[r + 1]]`, positions in `slugs` and
    `names`, held as arrays (a few MB at 100,000 actions). Reading them per chunk
    of rows took three joined, sorted queries a chunk: most of an export's time."""

    def __init__(self, index, facet, ordered):
        rank, self.slugs, self.names = {}, [], []
        for position, (pk, slug, name) in enumerate(ordered):
            rank[pk] = position
            self.slugs.append(slug)
            self.names.append(name)
        links = index.links[facet]
        ranks = np.fromiter((rank.get(pk, -1) for pk in links.targets.tolist()), np.int64)
        known = ranks >= 0
        rows, ranks = links.rows[known], ranks[known]
        order = np.lexsort((ranks, rows))
        self.ranks = ranks[order]
        self.start = np.searchsorted(rows[order], np.arange(index.size + 1))

    def columns(self, rows: np.ndarray) -> list[tuple[str, str]]:
        """(slugs, names), each joined with "; ", of each of the index's `rows`."""
        starts, ends = self.start[rows], self.start[rows + 1]
        lengths = ends - starts
        bounds = np.concatenate(([0], np.cumsum(lengths))).tolist()
        # Every link of the chunk's rows in one gather, row after row.
        at = np.repeat(starts - bounds[:-1], lengths) + np.arange(bounds[-1])
        found = self.ranks[at].tolist()
        slugs, names = self.slugs, self.names
        return [
            (_joined([slugs[i] for i in mine]), _joined([names[i] for i in mine]))
            for mine in (found[bounds[n] : bounds[n + 1]] for n in range(len(bounds) - 1))
        ]


def _link_tables():
    """The themes, tags and partners of every published action (`_Links`), in the
    orders the CSV lists them: themes in their own order, tags and partners by name."""
    index = facetindex.current()
    themes = Theme.objects.order_by("order", "name").values_list("pk", "slug", "name")
    tags = Tag.objects.order_by(Lower("name"), "pk").values_list("pk", "slug", "name")
    partners = Organisation.objects.order_by("name", "pk").values_list("pk", "slug", "name")
    links = [
        _Links(index, "theme", themes),
        _Links(index, "tag", tags),
        _Links(index, "partner", partners),
    ]
    return index, links


NO_LINKS = [""] * 6


def output_rows(outputs, absolute_url, chunk_size):
    """Each output of `outputs` as a row of COLUMNS, fetching `chunk_size` at a time."""
    labels = {stage: str(label) for stage, label in Stage.choices}  # translated once
    url = absolute_url(reverse("workinggroups:output", args=["__reference__"]))
    values = outputs.prefetch_related(None).values_list(*FIELDS).iterator(chunk_size=chunk_size)
    index = links = None
    while chunk := list(islice(values, chunk_size)):
        if index is None:
            index, links = _link_tables()
        pks = np.fromiter((row[0] for row in chunk), np.int64, len(chunk))
        rows, published = index.locate(pks)
        columns = [table.columns(rows) for table in links]
        related = iter(
            [column for pair in row for column in pair] for row in zip(*columns, strict=True)
        )
        for (_pk, reference, text, stage, order, *context), shown in zip(
            chunk, published.tolist(), strict=True
        ):
            yield [
                reference,
                url.replace("__reference__", reference),
                text,
                stage,
                labels[stage],
                order,
                *context,
                *(next(related) if shown else NO_LINKS),
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
