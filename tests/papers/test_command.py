import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from content.documents import import_document
from insights.models import Consultation, Organisation, Status
from papers.models import PaperImport
from tests.papers import variants
from workinggroups.models import Output

SLUG = "towards-resilient-places-2025"


@pytest.fixture
def paper_file(tmp_path):
    path = tmp_path / "resilient-places.md"
    path.write_bytes(variants.as_text("roman-hyphen-dash"))
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_paper", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts():
    return (
        Consultation.objects.count(),
        Output.objects.count(),
        Organisation.objects.count(),
        PaperImport.objects.count(),
    )


def test_a_dry_run_prints_only_a_content_document_that_load_content_accepts(db, paper_file):
    before = counts()
    out, err = run(paper_file, "--dry-run")
    document = json.loads(out)  # nothing but the document on standard output
    assert document["format"] == "connected-places-portal/1"
    assert counts() == before
    assert "warning: A new organisation" in err
    assert import_document(document)["created"] == [SLUG]


def test_a_dry_run_warns_of_a_taken_slug_instead_of_refusing(db, paper_file):
    run(paper_file)
    out, err = run(paper_file, "--dry-run")
    assert json.loads(out)["consultations"][0]["slug"] == SLUG
    assert f"A consultation with the slug “{SLUG}” already exists." in err


def test_importing_creates_a_draft_with_everything_the_paper_holds(db, paper_file):
    out, _ = run(paper_file)
    consultation = Consultation.objects.get(slug=SLUG)
    assert consultation.status == Status.DRAFT
    assert f"Created the draft “{consultation.title}”" in out
    assert "17 outputs" in out
    assert consultation.parts.count() == 2
    briefing = consultation.parts.get(number=2).briefings.get()
    assert sorted(briefing.presenters.values_list("slug", flat=True)) == [
        "harbourside-analytics",
        "public",
    ]
    output = Output.objects.get(
        working_group__part__consultation=consultation, text__startswith="LOTI"
    )
    assert sorted(output.partners.values_list("slug", flat=True)) == ["inetwork", "loti"]
    assert not output.is_public
    record = PaperImport.objects.get(consultation=consultation)
    assert record.file_type == "text"
    assert not record.suggestions_reviewed
    assert any(s["kind"] == "output" and s["themes"] for s in record.suggestions)


def test_the_slug_and_prefix_can_be_given(db, paper_file):
    run(paper_file, "--slug", "resilient-2025", "--prefix", "RP25")
    consultation = Consultation.objects.get(slug="resilient-2025")
    assert (
        Output.objects.filter(
            working_group__part__consultation=consultation, reference__startswith="RP25-P1-WG1-WW-"
        ).count()
        == 2
    )


def test_a_paper_whose_slug_exists_is_refused_not_duplicated(db, paper_file):
    run(paper_file)
    before = counts()
    with pytest.raises(CommandError, match=f"“{SLUG}” already exists: the paper was not imported"):
        run(paper_file)
    assert counts() == before


def test_replace_draft_replaces_a_draft_but_never_a_published_consultation(db, paper_file):
    run(paper_file)
    first = Consultation.objects.get(slug=SLUG)
    run(paper_file, "--replace-draft")
    assert Consultation.objects.filter(slug=SLUG).count() == 1
    assert Consultation.objects.get(slug=SLUG).pk != first.pk
    Consultation.objects.filter(slug=SLUG).update(status=Status.PUBLISHED)
    with pytest.raises(CommandError, match="only a draft may be replaced"):
        run(paper_file, "--replace-draft")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", b"  \n\n", "The file is empty."),
        ("paper.docx", b"Part 1: not a Word file at all", "is not what its name claims"),
        ("paper.pdf", b"Part 1: not a PDF at all", "is not what its name claims"),
        ("paper.bin", b"\xff\xfe\x00\x81binary", "is not UTF-8 text, a Word (.docx) file or a PDF"),
        ("notes.md", b"A title\n\nSome words, and no parts or groups.", "Looked for"),
    ],
)
def test_bad_input_gets_a_clear_message_a_non_zero_exit_and_nothing_written(
    db, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    before = counts()
    for args in ([path], [path, "--dry-run"]):
        with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
            run(*args)
    assert counts() == before


def test_a_zip_that_is_not_a_word_file_is_refused(db, tmp_path):
    path = tmp_path / "paper.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "Part 1: Title")
    with pytest.raises(CommandError, match="a zip archive but not a Word"):
        run(path)


def test_no_structure_says_what_it_looked_for(db, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("A title\n\nSome words.")
    with pytest.raises(CommandError) as error:
        run(path)
    for looked_for in ("Part 1: Title", "Insight: Presenter - Title", "WG 1. Title - Question?",
                       "Initial steps that have worked well"):  # fmt: skip
        assert looked_for in str(error.value)


def test_a_word_file_and_a_pdf_are_told_apart_by_content_not_name(db, tmp_path, pdf_font):
    docx_as_other = tmp_path / "paper.upload"
    docx_as_other.write_bytes(variants.as_docx("roman-hyphen-dash"))
    pdf_as_other = tmp_path / "paper.txt"
    pdf_as_other.write_bytes(variants.as_pdf("roman-hyphen-dash"))
    for path in (docx_as_other, pdf_as_other):
        document = json.loads(run(path, "--dry-run")[0])
        assert document["consultations"][0]["slug"] == SLUG
