"""Import commitments or updates from a spreadsheet (CSV or XLSX).

The header row tells which kind of file it is. Every row is checked before
anything is written; one bad row and nothing is, and each message names the row
(the header is row 1, as a spreadsheet numbers them) and the column.

- Commitments: a row for an organisation that already has a commitment on that
  action updates it; an empty cell leaves that value as it was (for a new
  commitment: role lead, status planned, the rest empty).
- Updates: each row is one new update on that organisation's commitment on that
  action, with at most one evidence link.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from editorial.history import recording
from insights.models import Organisation
from progress.models import Commitment, Evidence, Role, Status, Update
from workinggroups.models import Output

COMMITMENT_COLUMNS = [
    "action",
    "organisation",
    "role",
    "status",
    "progress",
    "started",
    "due",
    "summary",
]
UPDATE_COLUMNS = [
    "action",
    "organisation",
    "date",
    "status",
    "progress",
    "text",
    "evidence_url",
    "evidence_title",
]
MAX_ERRORS = 50


class ImportRefused(Exception):
    """The file cannot be imported; `errors` says why, one message per problem."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class PlannedRow:
    number: int
    action: Output
    organisation: Organisation
    values: dict
    commitment: Commitment | None = None
    evidence: tuple | None = None

    @property
    def change(self):
        if "date" in self.values:
            return _("New update dated %(date)s") % {"date": self.values["date"].isoformat()}
        if self.commitment is None:
            return _("New commitment")
        return _("Changes the commitment: %(fields)s") % {
            "fields": ", ".join(self.values) or _("nothing")
        }


@dataclass
class Result:
    kind: str  # "commitments" or "updates"
    rows: list = field(default_factory=list)
    dry_run: bool = False

    @property
    def created(self):
        return sum(1 for row in self.rows if row.commitment is None or self.kind == "updates")

    def summary(self):
        n = len(self.rows)
        if self.kind == "updates":
            text = ngettext("%(n)d update", "%(n)d updates", n) % {"n": n}
        else:
            created = self.created
            text = _("%(created)d new commitments, %(changed)d changed") % {
                "created": created,
                "changed": n - created,
            }
        if self.dry_run:
            return _("The file is valid. Importing it would write: %(what)s.") % {"what": text}
        return _("Imported %(what)s.") % {"what": text}


def read_rows(name, content):
    """[[cell text, ...], ...] from a CSV (UTF-8, with or without BOM) or XLSX file."""
    if name.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([_("The file is not UTF-8 text; save it as CSV UTF-8.")]) from None
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(content):
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused([_("The file is not an XLSX workbook.")]) from None
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append([_cell_text(value) for value in values])
    return rows


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Row:
    """One data row: its cells by column, and the errors found in it."""

    def __init__(self, number, cells, errors):
        self.number, self.cells, self.errors = number, cells, errors

    def fail(self, column, message):
        self.errors.append(
            _("Row %(row)d, column %(column)s: %(message)s")
            % {"row": self.number, "column": column, "message": message}
        )

    def text(self, column):
        return self.cells.get(column, "").strip()

    def choice(self, column, choices):
        value = self.text(column)
        if value and value not in choices.values:
            self.fail(
                column,
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": value, "choices": ", ".join(choices.values)},
            )
            return None
        return value or None

    def percent(self, column):
        value = self.text(column)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            number = -1
        if not 0 <= number <= 100:
            self.fail(
                column, _("“%(value)s” is not a whole number from 0 to 100.") % {"value": value}
            )
            return None
        return number

    def date(self, column, *, required=False):
        value = self.text(column)
        if not value:
            if required:
                self.fail(column, _("a date is needed (YYYY-MM-DD)."))
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(column, _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value})
            return None


def _kind(header):
    columns = [cell.strip().lower() for cell in header]
    while columns and not columns[-1]:
        columns.pop()
    for kind, expected in (("commitments", COMMITMENT_COLUMNS), ("updates", UPDATE_COLUMNS)):
        if sorted(columns) == sorted(expected):
            return kind, columns
    raise ImportRefused(
        [
            _(
                "Row 1: the header must name the columns of commitments (%(commitments)s) "
                "or of updates (%(updates)s), not %(found)s."
            )
            % {
                "commitments": ", ".join(COMMITMENT_COLUMNS),
                "updates": ", ".join(UPDATE_COLUMNS),
                "found": ", ".join(columns) or _("nothing"),
            }
        ]
    )


def plan(name, content):
    """Read and check the whole file. Returns a Result whose rows say what would be
    written; raises ImportRefused listing every problem found (up to MAX_ERRORS)."""
    rows = read_rows(name, content)
    if not rows:
        raise ImportRefused([_("The file is empty.")])
    kind, columns = _kind(rows[0])
    data = [
        _Row(number, dict(zip(columns, cells, strict=False)), [])
        for number, cells in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    if not data:
        raise ImportRefused([_("The file has a header but no rows.")])
    actions = Output.objects.in_bulk({row.text("action") for row in data}, field_name="reference")
    organisations = Organisation.objects.in_bulk(
        {row.text("organisation") for row in data}, field_name="slug"
    )
    existing = {
        (c.action_id, c.organisation_id): c
        for c in Commitment.objects.filter(
            action__in=actions.values(), organisation__in=organisations.values()
        )
    }
    result, errors, seen = Result(kind), [], set()
    for row in data:
        row.errors = errors
        action = _lookup(row, "action", actions, _("no action has the reference “%(value)s”."))
        organisation = _lookup(
            row, "organisation", organisations, _("no organisation has the slug “%(value)s”.")
        )
        commitment = existing.get((action.pk, organisation.pk)) if action and organisation else None
        if kind == "commitments":
            planned = _commitment_row(row, action, organisation, commitment, seen)
        else:
            planned = _update_row(row, action, organisation, commitment)
        if planned is not None:
            result.rows.append(planned)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ImportRefused(errors)
    return result


def _lookup(row, column, found, message):
    value = row.text(column)
    if not value:
        row.fail(column, _("this column may not be empty."))
        return None
    if value not in found:
        row.fail(column, message % {"value": value})
        return None
    return found[value]


def _commitment_row(row, action, organisation, commitment, seen):
    values = {
        "role": row.choice("role", Role),
        "status": row.choice("status", Status),
        "progress": row.percent("progress"),
        "started": row.date("started"),
        "due": row.date("due"),
        "summary": row.text("summary") or None,
    }
    if action is None or organisation is None:
        return None
    key = (action.pk, organisation.pk)
    if key in seen:
        row.fail(
            "organisation",
            _("this organisation's commitment to this action is already in the file."),
        )
        return None
    seen.add(key)
    given = {name: value for name, value in values.items() if value is not None}
    started, due = (
        given.get("started", commitment and commitment.started),
        given.get("due", commitment and commitment.due),
    )
    if started and due and due < started:
        row.fail("due", _("the due date is before the start date."))
    if commitment is not None:
        given = {name: value for name, value in given.items() if getattr(commitment, name) != value}
    return PlannedRow(row.number, action, organisation, given, commitment)


def _update_row(row, action, organisation, commitment):
    values = {
        "date": row.date("date", required=True),
        "status": row.choice("status", Status) or "",
        "progress": row.percent("progress"),
        "text": row.text("text"),
    }
    if not values["text"]:
        row.fail("text", _("an update needs its text."))
    url, title = row.text("evidence_url"), row.text("evidence_title")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            row.fail("evidence_url", _("“%(value)s” is not a web address.") % {"value": url})
    elif title:
        row.fail("evidence_url", _("evidence needs its address, not only a title."))
    if action is None or organisation is None:
        return None
    if commitment is None:
        row.fail(
            "organisation",
            _("%(organisation)s has no commitment on %(action)s; import the commitment first.")
            % {"organisation": organisation.slug, "action": action.reference},
        )
        return None
    return PlannedRow(
        row.number,
        action,
        organisation,
        values,
        commitment,
        evidence=(title or url, url) if url else None,
    )


@transaction.atomic
def write(result, user=None, reason=""):
    """Write a checked Result, each change recorded once in the history by `user`."""
    with recording(user, reason=reason):
        _write(result, user)
    return result


def _write(result, user):
    for row in result.rows:
        if result.kind == "commitments":
            commitment = row.commitment or Commitment(
                action=row.action, organisation=row.organisation
            )
            if row.commitment is not None and not row.values:
                continue
            for name, value in row.values.items():
                setattr(commitment, name, value)
            commitment._history_user = user
            commitment.save()
        else:
            commitment = row.commitment
            commitment._history_user = user
            update = Update(commitment=commitment, organisation=row.organisation, reported_by=user)
            for name, value in row.values.items():
                setattr(update, name, value)
            update._history_user = user
            update.save()
            if row.evidence:
                title, url = row.evidence
                evidence = Evidence(update=update, title=title[:250], url=url)
                evidence._history_user = user
                evidence.save()
    return result


def import_progress(name, content, *, user=None, reason="", dry_run=False):
    """Check the file and, unless `dry_run`, write it all. Raises ImportRefused."""
    result = plan(name, content)
    result.dry_run = dry_run
    if not dry_run:
        write(result, user, reason)
    return result
