import csv
import io
import xml.etree.ElementTree as ET

from django.urls import reverse

from insights.models import Status
from recurring.models import RecurringFinding
from tests.recurring.conftest import make_finding

SAIHUB = "an-online-wiki-or-database-of-ai-regulation"
FIELDS = {
    "slug", "title", "summary", "url", "actions", "working_groups", "consultations",
    "first_raised", "group_count",
}  # fmt: skip


def test_the_findings_list_is_paginated_with_the_contract_fields(client, paper):
    body = client.get("/api/recurring-findings/").json()
    assert body["count"] == RecurringFinding.objects.published().count()
    assert set(body["results"][0]) == FIELDS


def test_a_finding_traces_its_lineage_across_consultations(client, paper):
    body = client.get(f"/api/recurring-findings/{SAIHUB}/").json()
    assert body["actions"] == ["SGH24-P2-WG2-CO-06"]
    assert body["working_groups"] == [
        "2023-ai-law-making-and-regulatory-functions",
        "2024-p2-wg2-leadership-governance-and-ai",
    ]
    assert body["consultations"] == [
        "threats-and-opportunities-of-ai-2023",
        "towards-connected-places-2024",
    ]
    assert body["first_raised"] == "2023-10-01"
    assert body["group_count"] == 2
    assert body["url"].endswith(f"/recurring-findings/{SAIHUB}/")


def test_an_unknown_or_draft_finding_is_a_404(client, two_groups):
    make_finding(two_groups, slug="draft-one", status=Status.DRAFT)
    assert client.get("/api/recurring-findings/nope/").status_code == 404
    assert client.get("/api/recurring-findings/draft-one/").status_code == 404
    assert "draft-one" not in client.get("/api/recurring-findings/").content.decode()


def test_an_action_names_its_recurring_findings(client, paper):
    body = client.get("/api/actions/SGH24-P2-WG2-CO-06/").json()
    assert body["recurring_findings"] == [SAIHUB]
    assert client.get("/api/actions/SGH24-P1-WG4-WW-05/").json()["recurring_findings"] == []


def test_similar_actions_are_served_best_first_with_the_contract_fields(client, paper):
    body = client.get("/api/actions/SGH24-P1-WG3-WW-03/similar/").json()
    assert 0 < len(body) <= 10
    assert set(body[0]) == {"reference", "text", "url", "working_group", "score"}
    assert set(body[0]["working_group"]) == {"slug", "title"}
    assert [item["score"] for item in body] == sorted((i["score"] for i in body), reverse=True)
    assert all(item["working_group"]["slug"] != "2024-p1-wg3-power-of-data" for item in body)
    assert "SGH24-P2-WG3-WW-02" in [item["reference"] for item in body[:5]]


def test_similar_actions_of_an_unknown_action_are_a_404(client, paper):
    response = client.get("/api/actions/SGH24-NOPE/similar/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_api_filters_actions_by_finding_and_sorts_by_recurrence(client, paper):
    body = client.get("/api/actions/?recurring=guidance-on-the-new-procurement-act").json()
    assert sorted(item["reference"] for item in body["results"]) == [
        "SGH24-P2-WG1-CO-05",
        "SGH24-P2-WG1-PS-01",
        "SGH24-P2-WG2-CO-02",
    ]
    first = client.get("/api/actions/?sort=recurrence").json()["results"][0]["reference"]
    widest = max(
        RecurringFinding.objects.published().with_members(), key=lambda f: f.group_count
    ).group_count
    assert any(
        first in [a.reference for a in f.public_actions] and f.group_count == widest
        for f in RecurringFinding.objects.published().with_members()
    )


def test_an_unknown_finding_in_the_api_filter_is_a_400(client, paper):
    response = client.get("/api/actions/?recurring=no-such-finding")
    assert response.status_code == 400
    assert "recurring" in response.json()


def test_the_csv_has_a_row_per_published_finding(client, paper):
    response = client.get(reverse("opendata:recurring_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == RecurringFinding.objects.published().count()
    saihub = next(row for row in rows if row["slug"] == SAIHUB)
    assert saihub["actions"] == "SGH24-P2-WG2-CO-06"
    assert saihub["first_raised"] == "2023-10-01"
    assert saihub["group_count"] == "2"


def test_the_atom_feed_has_an_entry_per_published_finding(client, paper):
    response = client.get(reverse("opendata:recurring_atom"))
    feed = ET.fromstring(response.content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == RecurringFinding.objects.published().count()
    titles = [e.find("{http://www.w3.org/2005/Atom}title").text for e in entries]
    assert "An online wiki or database of AI regulation: Saihub.info" in titles


def test_the_schema_and_the_data_dictionary_cover_the_findings(client, paper):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert set(schema["components"]["schemas"]["RecurringFinding"]["properties"]) == FIELDS
    detail = schema["components"]["schemas"]["OutputDetail"]["properties"]
    assert "recurring_findings" in detail
    html = client.get(reverse("opendata:open_data")).content.decode()
    for column in FIELDS - {"title"}:
        assert f"<code>{column}</code>" in html
    assert "recurring-findings.csv" in html
    assert "<code>recurring</code>" in html
