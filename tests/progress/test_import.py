import base64
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from progress.models import Commitment, Role, Status, Update
from progress.services import ImportRefused, import_progress
from tests.progress.conftest import make_commitment

COMMITMENTS = "action,organisation,role,status,progress,started,due,summary"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
UPDATES = "action,organisation,date,status,progress,text,evidence_url,evidence_title"


def csv_file(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def snapshot():
    return (
        list(Commitment.objects.order_by("pk").values_list()),
        list(Update.objects.order_by("pk").values_list()),
    )


def refused(content, name="progress.csv"):
    before = snapshot()
    with pytest.raises(ImportRefused) as caught:
        import_progress(name, content)
    assert snapshot() == before, "nothing is written"
    return caught.value.errors


def test_a_commitments_file_creates_commitments_with_history(action, ours, theirs, editor):
    content = csv_file(
        COMMITMENTS,
        f"{action.reference},{ours.slug},lead,in_progress,30,2025-01-06,2025-12-31,Lead it.",
        f"{action.reference},{theirs.slug},,,,,,",
    )
    result = import_progress("c.csv", content, user=editor)
    assert result.summary() == "Imported 2 new commitments, 0 changed."
    lead, support = Commitment.objects.order_by("organisation__name")
    assert (lead.role, lead.status, lead.progress, str(lead.due)) == (
        Role.LEAD,
        Status.IN_PROGRESS,
        30,
        "2025-12-31",
    )
    assert (support.role, support.status, support.progress) == (Role.LEAD, Status.PLANNED, None)
    assert lead.history.get().history_user == editor


def test_a_row_for_an_existing_commitment_updates_it_and_empty_cells_keep_values(action, ours):
    commitment = make_commitment(action, ours, summary="Kept.", progress=10)
    content = csv_file(COMMITMENTS, f"{action.reference},{ours.slug},supporting,done,,,,")
    assert import_progress("c.csv", content).summary() == "Imported 0 new commitments, 1 changed."
    commitment.refresh_from_db()
    assert (commitment.role, commitment.status, commitment.summary, commitment.progress) == (
        Role.SUPPORTING,
        Status.DONE,
        "Kept.",
        10,
    )
    assert commitment.history.count() == 2


def test_an_updates_file_adds_one_update_per_row_with_its_evidence(action, ours):
    commitment = make_commitment(action, ours)
    content = csv_file(
        UPDATES,
        f"{action.reference},{ours.slug},2025-02-01,in_progress,20,Started.,https://example.org/a,Plan",
        f"{action.reference},{ours.slug},2025-03-01,,45,Halfway.,,",
    )
    assert import_progress("u.csv", content).summary() == "Imported 2 updates."
    first, second = commitment.updates.order_by("date")
    assert [(e.title, e.url) for e in first.evidence.all()] == [("Plan", "https://example.org/a")]
    assert not second.evidence.exists()
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress) == (Status.IN_PROGRESS, 45)


def test_an_xlsx_file_imports_like_a_csv_with_real_date_cells(action, ours):
    import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(COMMITMENTS.split(","))
    sheet.append([action.reference, ours.slug, "lead", "planned", 0, None,
                  datetime.datetime(2026, 3, 31), "From a spreadsheet."])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    import_progress("c.xlsx", buffer.getvalue())
    assert str(Commitment.objects.get().due) == "2026-03-31"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("NOPE-1,{org},lead,,,,,", "Row 3, column action: no action has the reference “NOPE-1”."),
        ("{ref},nobody,lead,,,,,", "Row 3, column organisation: no organisation has the slug"),
        ("{ref},{org},boss,,,,,", "Row 3, column role: “boss” is not one of lead, supporting."),
        ("{ref},{org},,finished,,,,", "Row 3, column status: “finished” is not one of planned"),
        ("{ref},{org},,,150,,,", "Row 3, column progress: “150” is not a whole number"),
        ("{ref},{org},,,,,31/12/2025,", "Row 3, column due: “31/12/2025” is not a date"),
        ("{ref},{org},,,,2026-01-01,2025-01-01,", "Row 3, column due: the due date is before"),
        ("{ref},{first},,,,,,", "Row 3, column organisation: this organisation's commitment"),
    ],
)
def test_one_bad_row_writes_nothing_and_names_its_row_and_column(
    action, ours, theirs, row, message
):
    good = f"{action.reference},{ours.slug},lead,planned,,,,"
    bad = row.format(ref=action.reference, org=theirs.slug, first=ours.slug)
    errors = refused(csv_file(COMMITMENTS, good, bad))
    assert len(errors) == 1
    assert errors[0].startswith(message), errors


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{ref},{org},,,,Text.,,", "Row 2, column date: a date is needed"),
        ("{ref},{org},2025-01-01,,,,,", "Row 2, column text: an update needs its text."),
        ("{ref},{org},2025-01-01,,,Text.,ftp://x,", "Row 2, column evidence_url: “ftp://x”"),
        ("{ref},{org},2025-01-01,,,Text.,,Minutes", "Row 2, column evidence_url: evidence needs"),
        ("{ref},{other},2025-01-01,,,Text.,,", "Row 2, column organisation: southam-trust has no"),
    ],
)
def test_a_bad_update_row_writes_nothing(action, ours, theirs, row, message):
    make_commitment(action, ours)
    bad = row.format(ref=action.reference, org=ours.slug, other=theirs.slug)
    errors = refused(csv_file(UPDATES, bad))
    assert errors[0].startswith(message), errors


def test_an_unknown_header_is_refused_naming_both_kinds_of_file(db):
    (error,) = refused(csv_file("reference,text", "A,B"))
    assert error.startswith("Row 1: the header must name the columns of commitments")


def test_the_columns_may_come_in_any_order_and_case(action, ours):
    content = csv_file(
        "Organisation,Action,Summary,Role,Status,Progress,Started,Due",
        f"{ours.slug},{action.reference},Hi,,,,,",
    )
    import_progress("c.csv", content)
    assert Commitment.objects.get().summary == "Hi"


def test_the_command_imports_and_a_dry_run_writes_nothing(tmp_path, action, ours):
    path = tmp_path / "commitments.csv"
    path.write_bytes(csv_file(COMMITMENTS, f"{action.reference},{ours.slug},lead,,,,,"))
    out = StringIO()
    call_command("import_progress", str(path), "--dry-run", stdout=out)
    assert "would write: 1 new commitments" in out.getvalue()
    assert not Commitment.objects.exists()
    call_command("import_progress", str(path), stdout=StringIO())
    assert Commitment.objects.count() == 1


def test_the_command_lists_every_problem_and_writes_nothing(tmp_path, action, ours):
    path = tmp_path / "commitments.csv"
    path.write_bytes(
        csv_file(COMMITMENTS, f"{action.reference},{ours.slug},x,,,,,", f"NOPE,{ours.slug},,,,,,")
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_progress", str(path))
    assert "Row 2, column role" in str(caught.value)
    assert "Row 3, column action" in str(caught.value)
    assert not Commitment.objects.exists()


def test_the_admin_import_previews_then_writes_on_confirmation(editor_client, action, ours):
    content = csv_file(COMMITMENTS, f"{action.reference},{ours.slug},lead,,,,,")
    url = reverse("admin:progress_commitment_import")
    upload = SimpleUploadedFile("c.csv", content, "text/csv")
    response = editor_client.post(url, {"file": upload})
    assert response.status_code == 200
    assert "Importing it would write: 1 new commitments" in response.content.decode()
    assert not Commitment.objects.exists(), "the preview writes nothing"
    response = editor_client.post(
        url,
        {"confirm": "1", "name": "c.csv", "content": base64.b64encode(content).decode()},
        follow=True,
    )
    assert "Imported 1 new commitments" in response.content.decode()
    assert Commitment.objects.count() == 1


def test_the_admin_import_shows_row_and_column_of_a_bad_file(editor_client, action, ours):
    content = csv_file(COMMITMENTS, f"{action.reference},{ours.slug},lead,,200,,,")
    upload = SimpleUploadedFile("c.csv", content, "text/csv")
    response = editor_client.post(reverse("admin:progress_commitment_import"), {"file": upload})
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Row 2, column progress" in html
    assert not Commitment.objects.exists()


def test_the_fictitious_example_files_import_onto_the_shipped_paper(paper):
    from insights.models import Organisation

    for slug in ("example-fictitious-borough-council", "example-fictitious-data-trust"):
        Organisation.objects.create(name=slug.replace("-", " ").title(), slug=slug)
    for name in ("progress-commitments.csv", "progress-updates.csv"):
        content = (EXAMPLES / name).read_bytes()
        assert "FICTITIOUS" in content.decode()
        import_progress(name, content)
    assert Commitment.objects.count() == 3
    assert Update.objects.count() == 3
    assert (
        Commitment.objects.get(
            organisation__slug="example-fictitious-borough-council"
        ).current_progress
        == 45
    )


def test_the_admin_import_refuses_a_file_over_the_row_limit_before_reading_it(
    editor_client, action, ours, settings
):
    settings.IMPORT_MAX_ROWS = 1
    row = f"{action.reference},{ours.slug},lead,,,,,"
    content = csv_file(COMMITMENTS, row, row)
    url = reverse("admin:progress_commitment_import")

    response = editor_client.post(url, {"file": SimpleUploadedFile("c.csv", content, "text/csv")})
    assert "The file has 2 rows; an import takes at most 1." in response.content.decode()

    confirmed = editor_client.post(
        url, {"confirm": "1", "name": "c.csv", "content": base64.b64encode(content).decode()}
    )
    assert "The file has 2 rows; an import takes at most 1." in confirmed.content.decode()
    assert not Commitment.objects.exists()


def test_the_admin_import_refuses_a_file_over_the_size_limit(editor_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("c.xlsx", b"x" * 200)

    response = editor_client.post(reverse("admin:progress_commitment_import"), {"file": upload})

    assert "an import takes at most 0.0001 MB" in response.content.decode()
