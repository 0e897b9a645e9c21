"""Time the progress pages over generated content: queries and median milliseconds
per page, uncached (PAGE_CACHE_SECONDS=0, CONTENT_CACHE_SECONDS=0).

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3 DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_content --outputs 10000
    PAGE_CACHE_SECONDS=0 CONTENT_CACHE_SECONDS=0 .venv/bin/python benchmarks/progress.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from insights.models import Organisation  # noqa: E402
from progress.models import Commitment, Update  # noqa: E402
from workinggroups.models import Output  # noqa: E402

RUNS = 5


def main():
    action = (
        Commitment.objects.values("action__reference")
        .annotate(n=Count("updates"))
        .order_by("-n")
        .first()["action__reference"]
    )
    partner = Organisation.objects.annotate(n=Count("commitments")).order_by("-n").first().slug
    pages = [
        "/progress/",
        "/progress/?sort=updated&status=in_progress",
        f"/progress/?organisation={partner}",
        "/progress/?overdue=true&page=3",
        f"/actions/{action}/",
        f"/partners/{partner}/",
        "/",
        "/actions/",
        "/actions/?status=none",
        f"/actions/?committed_by={partner}",
        "/api/commitments/",
        "/updates.atom",
        "/commitments.csv",
    ]
    print(
        f"{Output.objects.count()} outputs, {Commitment.objects.count()} commitments, "
        f"{Update.objects.count()} updates, on {connection.vendor}"
    )
    client = Client(HTTP_HOST="localhost")
    for url in pages:
        times = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        print(f"{url:55} {len(queries):3} queries {statistics.median(times):8.1f} ms")


if __name__ == "__main__":
    main()
