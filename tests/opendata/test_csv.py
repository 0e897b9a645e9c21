import csv
import io
import math

import pytest
from django.db import OperationalError
from django.urls import reverse

from opendata.exports import CHUNK_SIZE, COLUMNS
from tests.factories import make_group, make_organisation, make_output
from workinggroups.models import Output, Stage


def download(client, query=""):
    response = client.get("/actions.csv" + query)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def rows(content):
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_starts_with_a_bom_and_a_header_row(client, paper):
    response, content = download(client)
    assert content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == [name for name, _meaning in COLUMNS]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="actions.csv"'


def test_the_csv_is_streamed_not_built_in_memory(client, paper):
    response = client.get("/actions.csv")
    assert response.streaming is True


def test_csv_has_one_row_per_action_with_its_context(client, paper):
    _response, content = download(client)
    table = rows(content)
    assert len(table) == Output.objects.published().count()
    output = Output.objects.get(reference="SGH24-P2-WG3-CO-01")
    row = next(r for r in table if r["reference"] == output.reference)
    group = output.working_group
    assert row["url"] == f"http://testserver/actions/{output.reference}/"
    assert row["text"] == output.text
    assert row["stage"] == "collaboration"
    assert row["stage_label"] == str(Stage.COLLABORATION.label)
    assert row["order"] == "1"
    assert (row["working_group_number"], row["working_group_slug"]) == (
        str(group.number),
        group.slug,
    )
    assert (row["part_number"], row["part_title"]) == ("2", group.part.title)
    assert row["consultation_slug"] == "towards-connected-places-2024"
    assert row["themes"] == "; ".join(t.slug for t in output.themes.all())
    assert row["partners"] == "; ".join(p.slug for p in output.partners.all())
    assert row["partner_names"] == "; ".join(p.name for p in output.partners.all())


def test_csv_lists_the_same_actions_as_the_finder(
    client, busiest_theme, busiest_partner, finder_references
):
    for query in [
        "",
        f"?theme={busiest_theme.slug}&stage=practical_steps",
        f"?partner={busiest_partner.slug}",
        "?q=data",
    ]:
        expected = finder_references(query)
        assert expected, query
        _response, content = download(client, query)
        assert [row["reference"] for row in rows(content)] == expected, query


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_are_neutralised(client, db, start):
    evil = make_organisation(name=f'{start}HYPERLINK("http://evil.example")', slug="evil")
    output = make_output(text=f"{start}1+2", partners=[evil], tags=["-cmd"])
    _response, content = download(client, f"?working_group={output.working_group.slug}")
    (row,) = rows(content)
    assert row["reference"] == output.reference
    assert row["text"] == f"'{start}1+2"
    assert row["partner_names"] == f'\'{start}HYPERLINK("http://evil.example")'
    assert row["tag_names"] == "'-cmd"


def test_a_cell_with_a_formula_sign_inside_is_left_alone(client, db):
    make_output(text="Costs fell by 10% - a good result = savings", tags=["x"])
    _response, content = download(client, "?q=savings")
    (row,) = rows(content)
    assert row["text"] == "Costs fell by 10% - a good result = savings"


def test_csv_queries_do_not_grow_with_rows_or_chunks(client, paper, django_assert_num_queries):
    # The content version, the outputs with group, part and consultation (fetched a
    # chunk at a time), the facet index (seven queries after an edit: `facetindex`),
    # and the themes, tags and organisations in the order the CSV lists them. The
    # links of every output come from the index: no query per chunk.
    with django_assert_num_queries(12):
        _response, content = download(client)
    assert len(rows(content)) == Output.objects.published().count() < CHUNK_SIZE
    group = make_group()
    Output.objects.bulk_create(
        Output(working_group=group, stage=Stage.WORKED_WELL, order=n, text="x", reference=f"X-{n}")
        for n in range(1, CHUNK_SIZE + 1)
    )
    # bulk_create skips save(), which sets what a listing reads.
    Output.objects.filter(working_group=group).refresh_derived_fields()
    total = Output.objects.published().count()
    assert math.ceil(total / CHUNK_SIZE) > 1
    with django_assert_num_queries(12):
        _response, content = download(client)
    assert len(rows(content)) == total


def test_drafts_are_not_in_the_csv(client, paper, draft):
    _response, content = download(client)
    references = [row["reference"] for row in rows(content)]
    assert draft["output"].reference not in references
    assert b"Unpublished secret action" not in content


def test_a_filter_naming_nothing_is_a_400_with_a_message(client, paper):
    response = client.get("/actions.csv?theme=no-such-theme")
    assert response.status_code == 400
    assert "theme" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "param"),
    [("actions_csv", "stage"), ("actions_atom", "stage"), ("commitments_csv", "status")],
)
def test_a_400_quotes_the_bad_value_rather_than_echo_it(client, paper, name, param):
    response = client.get(
        reverse(f"opendata:{name}"), {param: "<script>alert(1)</script>" + "x" * 60}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>" not in body
    assert "“\\u003cscript\\u003ealert\\u00281\\u0029\\u003c/script\\u003exxxxxxx" in body
    assert "xxxxxxxxxxx”…" in body


def test_a_finder_link_with_its_page_number_downloads_every_matching_action(
    client, paper, finder_references
):
    _response, content = download(client, "?stage=worked_well&page=2")
    assert [row["reference"] for row in rows(content)] == finder_references("?stage=worked_well")


def failing_rows(good_rows):
    def output_rows(outputs, absolute_url, chunk_size):
        yield from [["a row"]] * good_rows
        raise OperationalError("the database went away")

    return output_rows


@pytest.mark.django_db
def test_a_database_failure_before_the_first_rows_answers_with_the_error_page(client, monkeypatch):
    monkeypatch.setattr("opendata.exports.output_rows", failing_rows(0))
    client.raise_request_exception = False
    response = client.get("/actions.csv")
    assert response.status_code == 500
    assert not response.streaming


@pytest.mark.django_db
def test_a_database_failure_mid_stream_is_logged_with_the_request(client, monkeypatch, caplog):
    monkeypatch.setattr("opendata.exports.output_rows", failing_rows(CHUNK_SIZE))
    response = client.get("/actions.csv?q=data")
    assert response.status_code == 200
    with pytest.raises(OperationalError):
        b"".join(response.streaming_content)
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.request.get_full_path() == "/actions.csv?q=data"
    assert record.exc_info


def test_every_rows_themes_tags_and_partners_are_the_databases_in_order(client, paper):
    output = Output.objects.published().get(reference="SGH24-P2-WG3-CO-01")
    output.tags.add("Zebra crossings (fictitious)", "aardvarks (fictitious)")
    _response, content = download(client)
    table = {row["reference"]: row for row in rows(content)}
    published = Output.objects.published().prefetch_related("themes", "tags", "partners")
    for action in published:
        themes = sorted(action.themes.all(), key=lambda t: (t.order, t.name))
        tags = sorted(action.tags.all(), key=lambda t: (t.name.lower(), t.pk))
        partners = sorted(action.partners.all(), key=lambda p: (p.name, p.pk))
        row = table[action.reference]
        assert row["themes"] == "; ".join(t.slug for t in themes), action.reference
        assert row["theme_names"] == "; ".join(t.name for t in themes)
        assert row["tags"] == "; ".join(t.slug for t in tags), action.reference
        assert row["tag_names"] == "; ".join(t.name for t in tags)
        assert row["partners"] == "; ".join(p.slug for p in partners), action.reference
        assert row["partner_names"] == "; ".join(p.name for p in partners)
    assert table[output.reference]["tag_names"].startswith("aardvarks (fictitious)")
