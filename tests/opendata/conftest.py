import pytest
from django.urls import reverse

from insights.models import Organisation, Status, Theme
from tests.factories import (
    finder_matches,
    make_briefing,
    make_consultation,
    make_group,
    make_output,
    make_part,
)


@pytest.fixture
def busiest_theme(paper):
    return Theme.objects.with_output_counts().order_by("-output_count", "slug").first()


@pytest.fixture
def busiest_partner(paper):
    return Organisation.objects.with_output_counts().order_by("-output_count", "slug").first()


@pytest.fixture
def draft(db):
    """A consultation in review with a briefing, a group and an action naming a partner."""
    consultation = make_consultation(status=Status.REVIEW, slug="secret-review")
    part = make_part(consultation)
    partner = Organisation.objects.create(name="Hidden Partner Ltd", slug="hidden-partner")
    group = make_group(part, slug="secret-group")
    output = make_output(
        group, text="Unpublished secret action", partners=[partner], tags=["secretword"]
    )
    briefing = make_briefing(part, slug="secret-briefing", title="Secret briefing")
    return {"consultation": consultation, "group": group, "output": output, "briefing": briefing}


@pytest.fixture
def finder_references(client):
    """What the action finder page lists for a query string, in its order."""

    def references(query=""):
        response = client.get(reverse("workinggroups:finder") + query)
        assert response.status_code == 200
        return [output.reference for output in finder_matches(response)]

    return references
