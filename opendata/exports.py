"""The actions as CSV: one row per action, columns documented on the open-data page."""

import csv

from django.utils.translation import gettext_lazy as _


def _joined(values):
    return "; ".join(values)


# (column, what it holds), in the order output_row() fills them.
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


def output_row(output, absolute_url):
    group = output.working_group
    part = group.part
    themes, partners = output.themes.all(), output.partners.all()
    tags = sorted(output.tags.all(), key=lambda tag: tag.name.lower())
    return [
        output.reference,
        absolute_url(output.get_absolute_url()),
        output.text,
        output.stage,
        str(output.get_stage_display()),
        output.order,
        group.number,
        group.title,
        group.slug,
        part.number,
        part.title,
        part.consultation.slug,
        part.consultation.title,
        _joined(t.slug for t in themes),
        _joined(t.name for t in themes),
        _joined(t.slug for t in tags),
        _joined(t.name for t in tags),
        _joined(p.slug for p in partners),
        _joined(p.name for p in partners),
    ]


# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a quote to text a spreadsheet would otherwise evaluate (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(outputs, absolute_url, chunk_size=200):
    """Yield the CSV, BOM and header first, fetching `chunk_size` outputs (and
    their prefetched themes, tags and partners) at a time so memory stays flat."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([name for name, _help in COLUMNS])
    for output in outputs.iterator(chunk_size=chunk_size):
        yield writer.writerow([neutralise(value) for value in output_row(output, absolute_url)])
