import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from progress.models import Role, Status
from tests.factories import make_organisation, make_output
from tests.progress.conftest import make_commitment, make_update

ATOM = "{http://www.w3.org/2005/Atom}"
ITEM_KEYS = {
    "action",
    "organisation",
    "role",
    "status",
    "progress",
    "started",
    "due",
    "overdue",
    "summary",
    "url",
    "updates",
}


@pytest.fixture
def tracked(action, ours, theirs):
    lead = make_commitment(
        action,
        ours,
        status=Status.IN_PROGRESS,
        due=datetime.date(2025, 6, 30),
        summary='=HYPERLINK("http://evil")',
    )
    make_update(
        lead,
        date=datetime.date(2025, 2, 1),
        progress=40,
        text="Board approved.",
        evidence=[("Minutes", "https://example.org/minutes")],
    )
    make_update(lead, date=datetime.date(2025, 1, 1), text="Kick-off.")
    support = make_commitment(action, theirs, role=Role.SUPPORTING)
    return lead, support


@pytest.fixture(autouse=True)
def july_2025(monkeypatch):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2025, 7, 1, 9, tzinfo=datetime.UTC)
    )


def test_the_commitments_api_gives_each_contract_field(client, tracked, action):
    body = client.get("/api/commitments/").json()
    assert body["count"] == 2
    item = next(i for i in body["results"] if i["organisation"]["slug"] == "northfield-council")
    assert set(item) == ITEM_KEYS
    assert item["action"] == {
        "reference": action.reference,
        "url": f"http://testserver/actions/{action.reference}/",
    }
    assert item["organisation"] == {"slug": "northfield-council", "name": "Northfield Council"}
    assert (item["role"], item["status"], item["progress"]) == ("lead", "in_progress", 40)
    assert (item["started"], item["due"], item["overdue"]) == (None, "2025-06-30", True)
    assert (
        item["url"] == f"http://testserver/actions/{action.reference}/#commitment-{tracked[0].pk}"
    )
    assert item["updates"] == [
        {
            "date": "2025-02-01",
            "text": "Board approved.",
            "status": "",
            "progress": 40,
            "evidence": [{"title": "Minutes", "url": "https://example.org/minutes"}],
        },
        {"date": "2025-01-01", "text": "Kick-off.", "status": "", "progress": None, "evidence": []},
    ]


@pytest.mark.parametrize(
    ("query", "organisations"),
    [
        ("organisation=southam-trust", ["southam-trust"]),
        ("status=in_progress", ["northfield-council"]),
        ("role=supporting", ["southam-trust"]),
        ("overdue=true", ["northfield-council"]),
        ("overdue=false", ["southam-trust"]),
        ("stage=collaboration", []),
    ],
)
def test_the_commitments_api_filters_like_the_tracker(client, tracked, query, organisations):
    body = client.get(f"/api/commitments/?{query}").json()
    assert sorted(i["organisation"]["slug"] for i in body["results"]) == organisations


def test_the_commitments_api_filters_by_theme_and_consultation(client, tracked, action):
    theme = action.themes.get()
    consultation = action.working_group.part.consultation
    for query in (f"theme={theme.slug}", f"consultation={consultation.slug}"):
        assert client.get(f"/api/commitments/?{query}").json()["count"] == 2


def test_an_unknown_filter_value_is_a_400_naming_it(client, tracked):
    response = client.get("/api/commitments/?organisation=nobody&overdue=maybe")
    assert response.status_code == 400
    assert set(response.json()) == {"organisation", "overdue"}
    assert client.get("/commitments.csv?status=lost").status_code == 400


def test_the_api_never_shows_a_draft_actions_commitments(client, draft_action, ours):
    make_commitment(draft_action, ours)
    assert client.get("/api/commitments/").json()["count"] == 0
    assert client.get(f"/api/actions/{draft_action.reference}/").status_code == 404


def test_an_action_in_the_api_gains_its_commitments(client, tracked, action):
    body = client.get(f"/api/actions/{action.reference}/").json()
    assert [c["organisation"]["slug"] for c in body["commitments"]] == [
        "northfield-council",
        "southam-trust",
    ]
    assert set(body["commitments"][0]) == ITEM_KEYS
    assert "commitments" not in client.get("/api/actions/").json()["results"][0]


def test_the_finder_and_api_filter_actions_by_status_and_committer(client, tracked, action):
    bare = make_output(action.working_group)
    other = make_output(action.working_group)
    make_commitment(other, make_organisation(slug="third"), status=Status.DONE)

    group = action.working_group.slug

    def references(query):  # within the group: the shipped paper has no commitments
        body = client.get(f"/api/actions/?working_group={group}&{query}").json()
        return sorted(item["reference"] for item in body["results"])

    assert references("status=in_progress") == [action.reference]
    assert references("status=none") == [bare.reference]
    assert references("status=none&status=done") == sorted([bare.reference, other.reference])
    assert references("committed_by=southam-trust") == [action.reference]
    assert references("committed_by=third&status=in_progress") == []
    assert references("status=planned") == [action.reference]
    assert client.get("/api/actions/?committed_by=nobody").status_code == 400
    html = client.get(f"/actions/?working_group={group}&status=none&committed_by=nobody")
    html = html.content.decode()
    assert "1 action" in html
    assert "We don&#x27;t know the organisation &#x27;nobody&#x27;" in html


def test_the_finder_keeps_the_progress_filters_in_its_download_links(client, tracked, ours):
    html = client.get(f"/actions/?status=in_progress&committed_by={ours.slug}").content.decode()
    assert f"/actions.csv?status=in_progress&amp;committed_by={ours.slug}" in html
    assert '<option value="in_progress" selected>' in html
    assert f'<input type="hidden" name="committed_by" value="{ours.slug}">' in html


def csv_rows(client, query=""):
    response = client.get(f"/commitments.csv{query}")
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_csv_has_one_row_per_commitment_with_its_latest_update(client, tracked, action):
    rows = csv_rows(client)
    assert len(rows) == 2
    lead = next(r for r in rows if r["organisation"] == "northfield-council")
    assert lead["action"] == action.reference
    assert (lead["status"], lead["progress"], lead["overdue"]) == ("in_progress", "40", "true")
    assert lead["latest_update"] == "2025-02-01"
    assert lead["summary"].startswith("'=HYPERLINK"), "formulas are neutralised"
    support = next(r for r in rows if r["organisation"] == "southam-trust")
    assert (support["progress"], support["latest_update"]) == ("0", "")


def test_the_csv_takes_the_trackers_filters(client, tracked):
    assert [r["organisation"] for r in csv_rows(client, "?role=supporting")] == ["southam-trust"]


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]


def test_the_updates_feeds_list_updates_newest_first(client, tracked, action, ours, theirs):
    make_update(tracked[1], date=datetime.date(2025, 3, 1), status=Status.IN_PROGRESS)
    make_update(tracked[1], date=datetime.date(2025, 4, 1), text="Oops.", is_withdrawn=True)
    everything = entries(client, "/updates.atom")
    assert everything == [
        f"{action.reference}: Southam Trust (In progress)",
        f"{action.reference}: Northfield Council",
        f"{action.reference}: Northfield Council",
    ]
    assert entries(client, f"/actions/{action.reference}/updates.atom") == everything
    assert len(entries(client, f"/partners/{ours.slug}/updates.atom")) == 2
    assert entries(client, "/updates.atom?organisation=southam-trust") == everything[:1]
    assert client.get("/updates.atom?status=nonsense").status_code == 400


def test_a_draft_action_has_no_public_feed(client, draft_action, ours):
    make_update(make_commitment(draft_action, ours))
    assert client.get(f"/actions/{draft_action.reference}/updates.atom").status_code == 404
    assert entries(client, f"/partners/{ours.slug}/updates.atom") == []


def test_the_open_data_page_documents_commitments_their_csv_and_feeds(client, db):
    html = client.get("/open-data/").content.decode()
    for text in ("/api/commitments/", "commitments.csv", "updates.atom", "latest_update",
                 "committed_by", "overdue"):  # fmt: skip
        assert text in html, text


def test_the_schema_describes_the_commitments_list_and_its_filters(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/commitments/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names >= {"organisation", "status", "role", "theme", "consultation", "stage", "overdue"}
    fields = schema["components"]["schemas"]["Commitment"]["properties"]
    assert set(fields) == ITEM_KEYS
    assert "commitments" in schema["components"]["schemas"]["OutputDetail"]["properties"]
