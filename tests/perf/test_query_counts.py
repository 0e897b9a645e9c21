"""Pages make the same number of queries whatever the amount of content.

Each test measures a page over a small generated data set, then over one ten
times larger, and requires the same count: a query per row would show up as a
difference. The pinned counts themselves live with each app's own tests.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from insights.models import Consultation, Organisation, Theme
from web import caching
from workinggroups.models import Output, WorkingGroup

SMALL, LARGE = 50, 500


def generate(outputs):
    call_command("generate_content", outputs=outputs, seed=outputs, force=True, stdout=StringIO())


def generated_partners():
    return (
        Organisation.objects.with_output_counts()
        .filter(slug__startswith="generated-", output_count__gt=0)
        .order_by("-output_count", "slug")
    )


def busiest_theme(**filters):
    themes = Theme.objects.filter(**filters) if filters else Theme.objects
    return themes.with_output_counts().order_by("-output_count", "slug").first()


def theme_and_partner():
    """The busiest generated partner and its most frequent theme: some matches."""
    partner = generated_partners().first()
    theme = (
        Theme.objects.filter(outputs__partners=partner)
        .annotate(n=Count("outputs"))
        .order_by("-n", "slug")
        .first()
    )
    return f"/actions/?theme={theme.slug}&partner={partner.slug}"


def first_group():
    return WorkingGroup.objects.get(slug="generated-gen0001-p1-wg1")


# page: (address, text the page must show), read after each generation.
PAGES = {
    "home": lambda: ("/", "/consultations/generated-"),
    "consultation": lambda: (
        "/consultations/generated-0001/",
        Consultation.objects.get(slug="generated-0001").title,
    ),
    "working group": lambda: (first_group().get_absolute_url(), first_group().question),
    "finder": lambda: ("/actions/", str(Output.objects.published().count())),
    "finder page two": lambda: ("/actions/?page=2", str(Output.objects.published().count())),
    "finder by words": lambda: ("/actions/?q=procurement", "GEN0"),
    "finder by theme and partner": lambda: (theme_and_partner(), "GEN0"),
    "API list": lambda: ("/api/actions/", str(Output.objects.published().count())),
    "API list filtered": lambda: (
        f"/api/actions/?theme={busiest_theme().slug}&stage=practical_steps",
        "GEN0",
    ),
}


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_page_makes_as_many_queries_over_ten_times_the_content(client, paper, page):
    generate(SMALL)
    url, shown = PAGES[page]()
    html, small = get(client, url)
    assert shown in html
    generate(LARGE)
    url, shown = PAGES[page]()
    html, large = get(client, url)
    assert shown in html
    assert large == small, f"{url}: {small} queries at {SMALL} outputs, {large} at {LARGE}"


def test_finder_makes_as_many_queries_for_a_full_page_as_for_a_short_one(client, paper):
    generate(LARGE)
    rare = generated_partners().last()
    assert rare.output_count < 25
    theme = busiest_theme()
    assert theme.output_count > 25
    # Each the first request since an edit, so both count the kept counts afresh.
    caching.bump()
    html, short = get(client, f"/actions/?partner={rare.slug}")
    assert rare.outputs.first().reference in html
    caching.bump()
    html, full = get(client, f"/actions/?theme={theme.slug}")
    assert theme.outputs.published().in_paper_order().first().reference in html
    assert full == short
