import logging
from itertools import islice

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator

from insights.models import Consultation, Organisation
from opendata.exports import (
    COLUMNS,
    COMMITMENT_COLUMNS,
    RECURRING_COLUMNS,
    commitment_csv_lines,
    csv_lines,
    recurring_csv_lines,
)
from opendata.feeds import FEED_LIMIT, ActionFeed, BriefingFeed, RecurringFeed, UpdateFeed
from opendata.schema import describe
from progress.filters import tracker_filter
from progress.models import Update
from recurring.models import RecurringFinding
from workinggroups.facets import download_name
from workinggroups.filters import OutputFilter
from workinggroups.models import Output

logger = logging.getLogger("django.request")

# The content's licence unless settings.OPEN_DATA_LICENCE names another.
LICENCE = getattr(
    settings,
    "OPEN_DATA_LICENCE",
    {
        "name": _("Open Government Licence v3.0"),
        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    },
)


def finder_filter(request):
    """The action finder's filters over public actions, read from the query string."""
    return OutputFilter(request.GET, queryset=Output.objects.published().for_list())


SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,:/")


def quoted(value) -> str:
    """A value a client sent, fit to show back: its first 40 characters in quotes,
    any but letters, digits and plain punctuation written as \\uXXXX."""
    text = str(value)
    shown = "".join(ch if ch in SAFE else f"\\u{ord(ch):04x}" for ch in text[:40])
    return f"“{shown}”" + ("…" if len(text) > 40 else "")


def error_text(error) -> str:
    params = {name: quoted(value) for name, value in (error.params or {}).items()}
    return error.message % params if params else str(error.message)


def bad_filter(filterset):
    # The bad value is quoted, never echoed as sent.
    lines = [
        f"{name}: {' '.join(error_text(error) for error in errors)}"
        for name, errors in filterset.errors.as_data().items()
    ]
    return HttpResponse(
        "\n".join([str(_("Bad filter:")), *lines]),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def actions_csv(request):
    filterset = finder_filter(request)
    if not filterset.is_valid():
        return bad_filter(filterset)
    lines = csv_lines(filterset.qs, request.build_absolute_uri)
    # The header and the first chunk of rows are fetched before the response starts,
    # so a failing database answers with the error page and its status, not a 200.
    first = list(islice(lines, 2))

    def stream():
        yield from first
        try:
            yield from lines
        except Exception:
            logger.exception(
                "Streaming %s failed", request.path, extra={"request": request, "status_code": 500}
            )
            raise

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(filterset, "csv")}"'
    return response


def actions_atom(request):
    filterset = finder_filter(request)
    if not filterset.is_valid():
        return bad_filter(filterset)
    return ActionFeed(filterset)(request)


insights_atom = BriefingFeed()


def commitments_csv(request):
    filterset = tracker_filter(request)
    if not filterset.is_valid():
        return bad_filter(filterset)
    response = StreamingHttpResponse(
        commitment_csv_lines(filterset.qs, request.build_absolute_uri),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="commitments.csv"'
    return response


def recurring_csv(request):
    findings = RecurringFinding.objects.published().most_raised(None)
    response = HttpResponse(
        "".join(recurring_csv_lines(findings, request.build_absolute_uri)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="recurring-findings.csv"'
    return response


recurring_atom = RecurringFeed()


def updates_atom(request):
    """Every update on the site, or those on the commitments a tracker query selects."""
    filterset = tracker_filter(request)
    if not filterset.is_valid():
        return bad_filter(filterset)
    updates = Update.objects.published()
    query = filterset.query_string()
    if query:
        updates = updates.filter(commitment__in=filterset.qs.values("pk"))
    feed = UpdateFeed(
        updates,
        title=_("Progress updates: Connected Places Portal"),
        link=reverse("progress:tracker") + (f"?{query}" if query else ""),
    )
    return feed(request)


def action_updates_atom(request, reference):
    output = get_object_or_404(Output.objects.published(), reference=reference)
    feed = UpdateFeed(
        Update.objects.published().filter(commitment__action=output),
        title=_("Progress on %(reference)s: Connected Places Portal")
        % {"reference": output.reference},
        link=output.get_absolute_url(),
    )
    return feed(request)


def partner_updates_atom(request, slug):
    partner = get_object_or_404(Organisation, slug=slug)
    feed = UpdateFeed(
        Update.objects.published().filter(commitment__organisation=partner),
        title=_("Progress reported on %(name)s's commitments: Connected Places Portal")
        % {"name": partner.name},
        link=partner.get_absolute_url(),
    )
    return feed(request)


def open_data(request):
    example_partner = (
        Organisation.objects.with_output_counts()
        .filter(output_count__gt=0)
        # The partner named most often makes the richest example.
        .order_by("-output_count", "name")
        .first()
    )
    operations, components = describe(SchemaGenerator().get_schema(request=None, public=True))
    actions = next(op for op in operations if op["path"] == reverse("opendata:action-list"))
    commitments = next(op for op in operations if op["path"] == reverse("opendata:commitment-list"))
    context = {
        "licence": LICENCE,
        "columns": COLUMNS,
        "commitment_columns": COMMITMENT_COLUMNS,
        "recurring_columns": RECURRING_COLUMNS,
        "commitment_filters": [p for p in commitments["parameters"] if p["name"] != "page"],
        "consultations": Consultation.objects.published(),
        "example_partner": example_partner,
        "filters": [p for p in actions["parameters"] if p["name"] != "page"],
        "feed_limit": FEED_LIMIT,
        "components": components,
    }
    return render(request, "opendata/open_data.html", context)


def api_docs(request):
    operations, components = describe(SchemaGenerator().get_schema(request=None, public=True))
    context = {"operations": operations, "components": components, "licence": LICENCE}
    return render(request, "opendata/api_docs.html", context)
