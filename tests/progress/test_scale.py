"""The progress pages, API, CSV and feeds make the same number of queries over
generated content ten times larger (as tests/perf does for the other pages)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from insights.models import Organisation
from progress.models import Commitment, Update

SMALL, LARGE = 50, 500


def generate(outputs):
    call_command("generate_content", outputs=outputs, seed=outputs, force=True, stdout=StringIO())


def busiest_action():
    """The generated action with most commitments, and updates on them."""
    return (
        Commitment.objects.published()
        .filter(organisation__slug__startswith="generated-")
        .values("action__reference")
        .annotate(n=Count("updates"))
        .order_by("-n", "action__reference")
        .first()["action__reference"]
    )


def busiest_committer():
    return (
        Organisation.objects.filter(slug__startswith="generated-")
        .annotate(n=Count("commitments"))
        .order_by("-n", "slug")
        .first()
        .slug
    )


PAGES = {
    "tracker": lambda: "/progress/",
    "tracker by latest update": lambda: "/progress/?sort=updated&status=in_progress",
    "tracker by organisation": lambda: f"/progress/?organisation={busiest_committer()}",
    "tracker overdue": lambda: "/progress/?overdue=true&page=2",
    "action with commitments": lambda: f"/actions/{busiest_action()}/",
    "partner": lambda: f"/partners/{busiest_committer()}/",
    "finder by status": lambda: "/actions/?status=in_progress",
    "finder without commitments": lambda: "/actions/?status=none",
    "API commitments": lambda: "/api/commitments/",
    "API action": lambda: f"/api/actions/{busiest_action()}/",
    "CSV": lambda: "/commitments.csv",
    "feed": lambda: "/updates.atom",
    "feed filtered": lambda: f"/updates.atom?organisation={busiest_committer()}",
}


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


def test_generated_content_has_commitments_and_updates(db):
    generate(SMALL)
    actions = Commitment.objects.values("action").distinct().count()
    assert 0 < actions < SMALL / 2
    per_action = Commitment.objects.values("action").annotate(n=Count("pk"))
    assert {row["n"] for row in per_action} <= {1, 2, 3}
    per_commitment = Commitment.objects.annotate(n=Count("updates")).values_list("n", flat=True)
    assert set(per_commitment) <= set(range(6))
    assert Update.objects.exists()


@pytest.mark.parametrize("page", PAGES)
def test_progress_pages_make_as_many_queries_over_ten_times_the_content(client, paper, page):
    generate(SMALL)
    small = get(client, PAGES[page]())
    generate(LARGE)
    large = get(client, PAGES[page]())
    assert large == small, f"{page}: {small} queries at {SMALL} outputs, {large} at {LARGE}"
