from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator

from insights.models import Consultation, Organisation
from opendata.exports import COLUMNS, csv_lines
from opendata.feeds import FEED_LIMIT, ActionFeed, BriefingFeed
from opendata.schema import describe
from workinggroups.facets import download_name
from workinggroups.filters import OutputFilter
from workinggroups.models import Output

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


def bad_filter(filterset):
    lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
    return HttpResponse(
        "\n".join([str(_("Bad filter:")), *lines]),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def actions_csv(request):
    filterset = finder_filter(request)
    if not filterset.is_valid():
        return bad_filter(filterset)
    response = StreamingHttpResponse(
        csv_lines(filterset.qs, request.build_absolute_uri),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{download_name(filterset, "csv")}"'
    return response


def actions_atom(request):
    filterset = finder_filter(request)
    if not filterset.is_valid():
        return bad_filter(filterset)
    return ActionFeed(filterset)(request)


insights_atom = BriefingFeed()


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
    context = {
        "licence": LICENCE,
        "columns": COLUMNS,
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
