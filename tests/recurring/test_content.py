import json
from io import StringIO

import pytest
from django.core.management import call_command

from content.documents import ContentError, export_document, import_document
from insights.models import Consultation
from recurring.models import RecurringFinding
from tests.conftest import RECURRING_FIXTURE

SHIPPED = json.loads(RECURRING_FIXTURE.read_text(encoding="utf-8"))["recurring_findings"]


def test_at_least_twelve_recurring_findings_ship_published(paper):
    assert len(SHIPPED) >= 12
    assert RecurringFinding.objects.published().count() == len(SHIPPED)


def test_every_shipped_finding_spans_two_groups_and_quotes_real_actions(paper):
    for finding in RecurringFinding.objects.published().with_members():
        assert finding.group_count >= 2, finding.slug
        for raised in finding.timeline():
            for action in raised.actions:
                # The summary uses the paper's words: some of each member's text is in it.
                words = [w.strip(".,()'") for w in action.text.lower().split()]
                long_words = [w for w in words if len(w) > 4]
                assert any(w in finding.summary.lower() for w in long_words), (
                    finding.slug,
                    action.reference,
                )


def test_the_saihub_lineage_runs_from_the_2023_proposal_to_the_2024_action(paper):
    finding = RecurringFinding.objects.filter(
        slug="an-online-wiki-or-database-of-ai-regulation"
    ).with_members()[0]
    timeline = finding.timeline()
    assert timeline[0].group.slug == "2023-ai-law-making-and-regulatory-functions"
    assert timeline[0].consultation.slug == "threats-and-opportunities-of-ai-2023"
    assert [a.reference for a in timeline[1].actions] == ["SGH24-P2-WG2-CO-06"]
    assert "Saihub.info" in timeline[1].actions[0].text


def test_loading_the_findings_twice_changes_nothing(paper):
    before = list(RecurringFinding.objects.values_list("slug", "version"))
    result = import_document(json.loads(RECURRING_FIXTURE.read_text(encoding="utf-8")))
    assert result["findings"]["created"] == []
    assert len(result["findings"]["skipped"]) == len(SHIPPED)
    assert list(RecurringFinding.objects.values_list("slug", "version")) == before


def test_load_content_says_which_findings_it_kept(paper):
    out = StringIO()
    call_command("load_content", str(RECURRING_FIXTURE), stdout=out)
    assert "Kept recurring finding data-standards: already in the database" in out.getvalue()


def test_an_export_carries_the_findings_and_reloads_identically(paper):
    document = export_document(Consultation.objects.order_by("start_date"))
    exported = {item["slug"]: item for item in document["recurring_findings"]}
    assert set(exported) == {item["slug"] for item in SHIPPED}
    for item in SHIPPED:
        assert sorted(exported[item["slug"]]["actions"]) == sorted(item["actions"])
        assert sorted(exported[item["slug"]]["working_groups"]) == sorted(item["working_groups"])
    RecurringFinding.objects.all().delete()
    import_document(document)
    assert RecurringFinding.objects.count() == len(SHIPPED)


def test_a_finding_from_one_group_is_refused_and_nothing_is_written(paper):
    document = {
        "format": "connected-places-portal/1",
        "recurring_findings": [
            {
                "slug": "one-group",
                "title": "One group",
                "summary": "Only one.",
                "actions": ["SGH24-P1-WG2-CN-08", "SGH24-P1-WG2-PS-01"],
            }
        ],
    }
    with pytest.raises(ContentError, match="at least two different working groups"):
        import_document(document)
    assert not RecurringFinding.objects.filter(slug="one-group").exists()


def test_an_unknown_reference_is_named(paper):
    document = {
        "format": "connected-places-portal/1",
        "recurring_findings": [
            {"slug": "x", "title": "X", "summary": "", "actions": ["SGH24-NOPE"]}
        ],
    }
    with pytest.raises(ContentError, match="SGH24-NOPE"):
        import_document(document)


def test_a_backup_holds_the_findings(paper, tmp_path):
    path = tmp_path / "backup.xml"
    call_command("backup_content", str(path), stdout=StringIO())
    assert "recurring.recurringfinding" in path.read_text(encoding="utf-8")
