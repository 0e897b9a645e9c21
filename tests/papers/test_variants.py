"""Variant papers, written here as text, Word files and PDFs, give the structure
they were written with. Run with `-s` to see each variant's figures."""

import pytest
from taggit.models import Tag

from papers.services import prepare
from tests.papers import variants

INTRODUCTION = (
    "This third consultation brought together 32 participants from councils, universities "
    "and suppliers to look at resilient places.\n\nIts findings will inform the Socitm "
    "Institute’s work on place-based leadership (<https://socitm.net/leadership>)."
)
BRIEFINGS = [
    (
        1,
        "Reimagining Resilient Places",
        ["socitm-institute"],
        "The Socitm Institute team described resilient places[^1] and how Leeds City Council "
        "shares data with its partners.\n\n[^1]: As defined by the National Cyber Security "
        "Centre (NCSC).",
    ),
    (
        1,
        "Secure Resilient Places",
        ["dsit"],
        "The department published a playbook. About 40 of the councils asked have used it so far.",
    ),
    (
        2,
        "Buying AI Well",
        ["harbourside-analytics", "public"],
        "Councils are buying AI more narrowly than central government:\n\n- chatbots for "
        "customer service;\n- back-office automation.\n\nSuppliers will be chosen by what they "
        "show at a pitch day.",
    ),
]
FORMATS = {
    "text": (variants.as_text, "paper.md"),
    "docx": (variants.as_docx, "paper.docx"),
    "pdf": (variants.as_pdf, "paper.pdf"),
}


def build(kind, style):
    write, name = FORMATS[kind]
    return prepare(write(style), name).document


def structure(document):
    consultation = document["consultations"][0]
    parts = consultation["parts"]
    return {
        "briefings": [
            (part["number"], b["title"], b["presenters"], b["body"])
            for part in parts
            for b in part["briefings"]
        ],
        "groups": [
            (part["number"], g["number"], g["title"], g["question"])
            for part in parts
            for g in part["working_groups"]
        ],
        "outputs": variants.got_outputs(document),
    }


def expected_groups():
    return [
        (part["number"], g["number"], g["title"], g["question"])
        for part in variants.PAPER["parts"]
        for g in part["groups"]
    ]


@pytest.fixture(params=FORMATS)
def kind(request):
    if request.param == "pdf":
        request.getfixturevalue("pdf_font")
    return request.param


@pytest.mark.parametrize("style", variants.STYLES)
def test_a_variant_paper_gives_the_structure_it_was_written_with(db, kind, style):
    got = structure(build(kind, style))
    expected = {
        "briefings": BRIEFINGS,
        "groups": expected_groups(),
        "outputs": variants.expected_outputs(),
    }
    same = {
        key: sum(a == b for a, b in zip(got[key], value, strict=False))
        for key, value in expected.items()
    }
    print(
        f"\n{kind} {style}: outputs {same['outputs']}/{len(expected['outputs'])}, "
        f"briefings {same['briefings']}/{len(BRIEFINGS)}, "
        f"groups {same['groups']}/{len(expected['groups'])}"
    )
    assert got == expected


def test_a_variant_paper_keeps_its_front_matter_and_introduction(db, kind):
    consultation = build(kind, "roman-hyphen-dash")["consultations"][0]
    assert consultation["title"] == "Towards Resilient Places: Findings into Practice"
    assert consultation["subtitle"] == "Socitm / St George’s House Consultation"
    assert consultation["source_title"] == "Background paper"
    assert (consultation["start_date"], consultation["end_date"]) == ("2025-03-04", "2025-03-05")
    assert consultation["venue"] == "St George’s House, Windsor Castle"
    assert consultation["participants"] == 32
    assert consultation["organisers"] == ["socitm", "st-georges-house"]
    assert consultation["introduction"] == INTRODUCTION
    assert consultation["status"] == "draft"
    assert (consultation["slug"], consultation["reference_prefix"]) == (
        "towards-resilient-places-2025",
        "SGH25",
    )


def test_an_organisation_the_portal_does_not_know_is_proposed_as_new(db, kind):
    document = build(kind, "arabic-colon-endash")
    new = {o["slug"]: o for o in document["organisations"]}
    assert new["harbourside-analytics"]["name"] == "Harbourside Analytics"
    assert new["fernhill-district-council"]["sector"] == "public"
    part_1 = document["consultations"][0]["parts"][0]
    [output] = part_1["working_groups"][1]["outputs"]["collaboration"]
    assert output["partners"] == ["fernhill-district-council"]


def test_outputs_name_the_organisations_they_mention(db, kind):
    part_1 = build(kind, "roman-emdash-star")["consultations"][0]["parts"][0]
    collaboration = part_1["working_groups"][0]["outputs"]["collaboration"]
    assert [o["partners"] for o in collaboration] == [["loti", "inetwork"], ["socitm"]]


def test_themes_and_tags_are_suggested_from_the_existing_vocabulary(db, kind):
    document = build(kind, "roman-hyphen-dash")
    known = {t["slug"] for t in document["themes"]}
    outputs = [
        output
        for part in document["consultations"][0]["parts"]
        for group in part["working_groups"]
        for stage in group["outputs"].values()
        for output in stage
    ]
    assert all(output["themes"] for output in outputs)
    assert {slug for output in outputs for slug in output["themes"]} <= known
    first = document["consultations"][0]["parts"][0]["working_groups"][0]["outputs"]
    # "Data sharing between councils…": the theme, since the shipped tags no longer
    # restate themes (docs/content-format.md)
    assert "data-sharing-and-standards" in first["worked_well"][0]["themes"]
    suggested = {tag for output in outputs for tag in output["tags"]}
    assert suggested
    assert suggested <= set(Tag.objects.values_list("name", flat=True))
