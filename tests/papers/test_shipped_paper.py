"""The shipped background paper, imported, gives the content of the fixture.

Run with `-s` to see the figures: pytest tests/papers/test_shipped_paper.py -s
"""

import json

import pytest
from django.core.management import call_command
from django.db import transaction

from content.documents import export_document
from insights.models import Consultation
from papers.parsing import parse
from papers.readers import read
from papers.services import load, prepare
from tests.conftest import PAPER_FIXTURE, SEED
from tests.papers.fidelity import compare


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    """The paper loaded as a draft, in place of the shipped consultations, and exported
    again in the fixture's order. Loaded once for the module (it takes seconds), in a
    transaction rolled back at the end."""
    fixture = json.loads(PAPER_FIXTURE.read_text(encoding="utf-8"))
    slugs = [c["slug"] for c in fixture["consultations"]]
    with django_db_blocker.unblock(), transaction.atomic():
        Consultation.objects.filter(slug__in=slugs).delete()
        load(prepare(SEED.read_bytes(), SEED.name))
        document = export_document(Consultation.objects.filter(slug__in=slugs))
        transaction.set_rollback(True)
    document["consultations"].sort(key=lambda c: slugs.index(c["slug"]))
    return document


@pytest.fixture(scope="module")
def figures(imported):
    fixture = json.loads(PAPER_FIXTURE.read_text(encoding="utf-8"))
    result = compare(imported, fixture)
    print("\nThe shipped paper, imported, against fixtures/connected-places-2024.json:")
    print(result.report())
    return result


def test_every_output_is_imported_verbatim_in_its_stage_and_order(figures):
    assert (figures.outputs.same, figures.outputs.total) == (202, 202)


def test_briefings_keep_their_titles_bodies_and_presenters(figures):
    assert str(figures.briefings) == "7/7"
    assert str(figures.presenters) == "7/7"
    assert str(figures.briefing_partners) == "7/7"


def test_working_groups_keep_their_numbers_titles_and_questions(figures):
    # Eight groups in the two parts, four in the annexed consultation.
    assert str(figures.groups) == "12/12"


def test_introductions_dates_and_key_themes_match_the_fixture(figures):
    assert figures.texts.same == figures.texts.total


def test_partner_links_match_the_fixture_but_one(figures):
    assert str(figures.output_partners) == "201/202"
    [(where, got, expected)] = figures.output_partners.differences
    # "WLGAs research": the name without its apostrophe is not the whole word "WLGA".
    assert (where, got, expected) == (
        "SGH24 part 2 WG 4 collaboration 1",
        [],
        ["welsh-local-government-association"],
    )
    assert (figures.partner_links.found, figures.partner_links.expected) == (64, 65)
    assert figures.partner_links.suggested == 64


def test_only_slugs_the_fixture_chose_by_hand_differ(figures):
    assert str(figures.slugs) == "17/22"
    assert {got for _, got, _ in figures.slugs.differences} == {
        "introducing-local-digitals-stewardship-approach",
        "2023-p1-wg1-misinformation",
        "2023-p1-wg2-social-disruption",
        "2023-p1-wg3-dangerous-activities",
        "2023-p1-wg4-law-making-and-regulatory-functions",
    }


def test_suggested_themes_and_tags_are_measured_against_the_fixture(figures):
    # Suggestions, not answers: the figures are reported; these bounds catch a regression.
    assert figures.themes.found / figures.themes.suggested > 0.5
    assert figures.tags.found / figures.tags.suggested > 0.9


def test_every_consultation_of_the_paper_is_a_draft(imported):
    assert {c["status"] for c in imported["consultations"]} == {"draft"}


def test_the_annex_becomes_its_own_consultation_that_the_paper_summarises(imported):
    main, annex, earlier = imported["consultations"]
    assert main["summarises"] == [annex["slug"]] == ["threats-and-opportunities-of-ai-2023"]
    assert main["builds_on"] == [earlier["slug"]]
    assert annex["key_themes"][0]["title"] == "We don't know what we don't know"
    assert len(annex["parts"][0]["working_groups"]) == 4


def test_page_breaks_footnotes_links_and_editing_notes_are_mended(shipped_paper):
    parsed = parse(read(shipped_paper, SEED.name).blocks)
    part_2 = parsed.document["consultations"][0]["parts"][1]
    bodies = {b["slug"]: b["body"] for b in part_2["briefings"]}
    assert "About 50 of these contracts" in bodies["procurement-of-ai-by-the-public-sector"]
    assert "now run by a co-operative." in bodies["introducing-local-digitals-stewardship-approach"]
    assert "opportunities of AI[^1] held in October 2023" in part_2["introduction"]
    assert part_2["introduction"].endswith("\n\n[^1]: See Annex")
    notes = [w.message for w in parsed.warnings if w.code == "left-out"]
    assert "Left out an editing note: [Impera site]" in notes
    assert "Left out the closing address block (5 lines)." in notes


def test_the_shipped_paper_imports_from_the_command_line(without_shipped_consultations, capsys):
    call_command("import_paper", str(SEED))
    assert "202 outputs" in capsys.readouterr().out
    assert Consultation.objects.get(slug="towards-connected-places-2024").status == "draft"
