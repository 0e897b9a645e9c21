from django.urls import reverse
from django.utils.html import escape

from tests.editorial.helpers import admin_form_data
from workinggroups.models import Output

REFERENCE = "SGH24-P2-WG1-PS-01"


def change_url(output):
    return reverse("admin:workinggroups_output_change", args=[output.pk])


def test_a_save_over_another_editors_change_is_refused_and_nothing_typed_is_lost(
    editor_client, second_editor_client, paper
):
    output = Output.objects.get(reference=REFERENCE)
    url = change_url(output)
    first_page = editor_client.get(url)
    second_page = second_editor_client.get(url)

    first = editor_client.post(
        url, admin_form_data(first_page, text="First editor's wording.", tags="procurement")
    )
    assert first.status_code == 302

    theirs = "Second editor's wording, typed at length."
    second = second_editor_client.post(url, admin_form_data(second_page, text=theirs, order=7))
    assert second.status_code == 200
    html = second.content.decode()
    assert "edna saved this output" in html
    assert "Your changes are NOT saved yet" in html
    # What the other editor changed, field by field.
    assert "Their changes:" in html
    assert escape("First editor's wording.") in html
    assert "<strong>Tags</strong>:" in html
    # The second editor's typing is still in the form.
    form = second.context["adminform"].form
    assert form["text"].value() == theirs
    assert form["order"].value() == "7"
    assert escape(theirs) in html

    output.refresh_from_db()
    assert output.text == "First editor's wording."
    assert list(output.tags.names()) == ["procurement"]


def test_after_seeing_the_conflict_the_second_editor_can_save_on_purpose(
    editor_client, second_editor_client, paper
):
    output = Output.objects.get(reference=REFERENCE)
    url = change_url(output)
    first_page = editor_client.get(url)
    second_page = second_editor_client.get(url)
    editor_client.post(url, admin_form_data(first_page, text="First."))
    refused = second_editor_client.post(url, admin_form_data(second_page, text="Second."))
    assert refused.status_code == 200

    again = second_editor_client.post(url, admin_form_data(refused))
    assert again.status_code == 302
    output.refresh_from_db()
    assert output.text == "Second."
    assert output.history.first().history_user.username == "eddie"


def test_each_save_moves_the_version_on(editor_client, paper):
    output = Output.objects.get(reference=REFERENCE)
    url = change_url(output)
    before = output.version
    for text in ["One.", "Two."]:
        response = editor_client.post(url, admin_form_data(editor_client.get(url), text=text))
        assert response.status_code == 302
    output.refresh_from_db()
    assert output.version == before + 2


def test_a_bulk_action_also_conflicts_with_an_open_form(editor_client, paper):
    output = Output.objects.get(reference=REFERENCE)
    url = change_url(output)
    page = editor_client.get(url)
    editor_client.post(
        reverse("admin:workinggroups_output_changelist"),
        {"action": "add_tag", "_selected_action": [output.pk], "tag": "bulk", "apply": "1"},
    )
    response = editor_client.post(url, admin_form_data(page, text="Stale form."))
    assert response.status_code == 200
    assert "saved this output" in response.content.decode()
    output.refresh_from_db()
    assert "bulk" in output.tags.names()
    assert output.text != "Stale form."


def test_versions_count_from_the_stored_row_even_for_stale_objects(paper):
    first = Output.objects.get(reference=REFERENCE)
    stale = Output.objects.get(reference=REFERENCE)
    start = first.version
    first.save()
    stale.text = "Saved from an object loaded before the other save."
    stale.save(update_fields=["text"])
    first.refresh_from_db()
    assert first.version == start + 2
    assert first.text == "Saved from an object loaded before the other save."


def test_a_save_that_leaves_out_the_version_is_refused_like_a_stale_one(
    editor_client, second_editor_client, paper
):
    output = Output.objects.get(reference=REFERENCE)
    url = change_url(output)
    page = second_editor_client.get(url)
    editor_client.post(url, admin_form_data(editor_client.get(url), text="Newer save."))

    data = admin_form_data(page, text="Overwrite without a version.")
    del data["loaded_version"]
    response = second_editor_client.post(url, data)
    assert response.status_code == 200
    assert "saved this output" in response.content.decode()
    output.refresh_from_db()
    assert output.text == "Newer save."
