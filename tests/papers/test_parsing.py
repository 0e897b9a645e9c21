from datetime import date

import pytest

from papers.parsing import (
    Field,
    find_dates,
    group_heading,
    insight_heading,
    parse,
    part_heading,
    stage_heading,
)
from papers.readers import Block, read_text
from workinggroups.models import Stage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Part I: Connected Places", (1, "Connected Places")),
        ("Part 2: Impact of AI", (2, "Impact of AI")),
        ("Part II - Impact of AI", (2, "Impact of AI")),
        ("PART IV. Skills", (4, "Skills")),
        ("Participants also discussed", None),
    ],
)
def test_part_headings_are_read_in_roman_or_arabic_numbers(text, expected):
    assert part_heading(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Insight: Socitm Institute - Imaging Places",
        "Insight: Socitm Institute – Imaging Places",
        "Insight: Socitm Institute — Imaging Places",
        "Insight: Socitm Institute: Imaging Places",
    ],
)
def test_insight_headings_split_presenter_and_title_at_a_dash_or_colon(text):
    assert insight_heading(text) == (["Socitm Institute"], "Imaging Places")


def test_an_insight_with_two_presenters_names_both():
    assert insight_heading("Insight: Social Progress Imperative /Impera Analytics: Measuring") == (
        ["Social Progress Imperative", "Impera Analytics"],
        "Measuring",
    )


def test_a_group_heading_splits_at_the_dash_before_its_question():
    assert group_heading(
        "WG 1. Place-based Devolution – Big and Small - How does devolution help?"
    ) == (1, "Place-based Devolution – Big and Small", "How does devolution help?")
    assert group_heading("Working Group 3: Power of Data") == (3, "Power of Data", "")


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Initial steps that have worked well", Stage.WORKED_WELL),
        ("Changes needed to achieve better outcomes:", Stage.CHANGES_NEEDED),
        ("3. Practical steps needed to enable change", Stage.PRACTICAL_STEPS),
        ("COLLABORATIVELY HELP TO SUPPORT THE CHANGE PROCESS", Stage.COLLABORATION),
        ("What worked well", Stage.WORKED_WELL),
        ("Data sharing has been seen to break down barriers.", None),
    ],
)
def test_stage_headings_are_read_as_the_paper_words_them(text, stage):
    assert stage_heading(text) == stage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Monday 18th March – Tuesday 19th March 2024",
            (date(2024, 3, 18), date(2024, 3, 19), "day"),
        ),
        ("18–19 March 2024", (date(2024, 3, 18), date(2024, 3, 19), "day")),
        ("held in October 2023", (date(2023, 10, 1), None, "month")),
        ("on 4 June 2025", (date(2025, 6, 4), None, "day")),
    ],
)
def test_dates_and_ranges_are_read_with_their_precision(text, expected):
    assert find_dates(text)[:3] == expected


def clean(text, notes=None):
    field = Field(notes or {}, warnings := [])
    field.add(Block(text))
    return field.markdown(), warnings


def test_placeholder_links_become_their_words_and_real_links_keep_their_address():
    text, _ = clean(
        r"See [Socitm \(the society\)](#) and [Saihub](https://www.saihub.info) or <https://a.b/>."
    )
    assert (
        text == "See Socitm (the society) and Saihub (<https://www.saihub.info>) or <https://a.b/>."
    )


def test_footnote_marks_become_markdown_footnotes_numbered_within_the_text():
    text, _ = clean("A connected place¹ and [AI²](#).", notes={1: "As defined.", 2: "See Annex"})
    assert text == "A connected place[^1] and AI[^2].\n\n[^1]: As defined.\n\n[^2]: See Annex"


def test_editing_notes_and_lost_link_labels_are_left_out_with_a_warning():
    text, warnings = clean(
        "Places [insert infographic link when available]. Trends [[see chart](#)] grew. "
        "It works. [Impera site]"
    )
    assert text == "Places. Trends grew. It works."
    assert len(warnings) == 3


def test_an_aside_in_brackets_within_an_output_is_kept():
    assert clean("Share learning from the regions [such as WLGAs research]")[0] == (
        "Share learning from the regions [such as WLGAs research]"
    )


PAPER = """A Paper: On Things

Introduction

This consultation involved 12 people. About

² A note at the foot of the page.

the rest of the sentence goes on over the page.

Part 1: Things

WG 1. Group - What now?

A stray paragraph before any stage.

Initial steps that have worked well

- One thing.

Odd Heading Here

Changes needed to achieve better outcomes

- Another thing.

ST GEORGE'S HOUSE

St George's House, Windsor Castle, Windsor SL4 1NJ
"""


@pytest.fixture
def parsed():
    return parse(read_text(PAPER.encode()))


def test_a_sentence_split_by_a_page_break_and_a_footnote_is_joined(parsed):
    assert parsed.document["consultations"][0]["introduction"] == (
        "This consultation involved 12 people. About the rest of the sentence goes on over "
        "the page."
    )


def test_warnings_name_text_outside_a_stage_and_empty_stages(parsed):
    codes = [w.code for w in parsed.warnings]
    # The stray paragraph, and a line that is no list item under a stage.
    assert codes.count("outside-stage") == 2
    # Practical steps and collaboration have no outputs.
    assert codes.count("empty-stage") == 2
    group = parsed.document["consultations"][0]["parts"][0]["working_groups"][0]
    assert group["summary"] == "A stray paragraph before any stage."
    assert group["outputs"]["worked_well"] == [
        {"text": "One thing.", "themes": [], "tags": [], "partners": []},
        {"text": "Odd Heading Here", "themes": [], "tags": [], "partners": []},
    ]


def test_the_closing_address_block_is_left_out_and_gives_the_venue(parsed):
    consultation = parsed.document["consultations"][0]
    assert consultation["venue"] == "St George's House, Windsor Castle"
    outputs = consultation["parts"][0]["working_groups"][0]["outputs"]["changes_needed"]
    assert [o["text"] for o in outputs] == ["Another thing."]


def test_a_styled_heading_it_does_not_know_ends_the_stage_with_a_warning():
    blocks = read_text(PAPER.replace("Odd Heading Here", "## Odd Heading Here").encode())
    parsed = parse(blocks)
    assert [w.code for w in parsed.warnings].count("unrecognised-heading") == 1
    group = parsed.document["consultations"][0]["parts"][0]["working_groups"][0]
    assert [o["text"] for o in group["outputs"]["worked_well"]] == ["One thing."]
