"""The editorial admin pages keep to the Content-Security-Policy: no inline styles or scripts."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from insights.models import Status
from workinggroups.models import Output
from workinggroups.resources import OutputResource

REFERENCE = "SGH24-P1-WG3-PS-02"


def assert_no_inline_code(html):
    assert not re.search(r"\sstyle=", html), re.search(r".{80}\sstyle=.{80}", html).group(0)
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html), "inline script"
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "event-handler attribute"


@pytest.fixture
def output(paper):
    return Output.objects.get(reference=REFERENCE)


def test_the_history_page_and_an_earlier_version(editor_client, output):
    page = editor_client.get(reverse("admin:workinggroups_output_history", args=[output.pk]))
    assert page.status_code == 200
    assert_no_inline_code(page.content.decode())
    record = output.history.first()
    url = reverse("admin:workinggroups_output_simple_history", args=[output.pk, record.pk])
    assert_no_inline_code(editor_client.get(url).content.decode())


def test_the_list_links_to_recovering_deleted_items(editor_client, output):
    changelist = editor_client.get(reverse("admin:workinggroups_output_changelist"))
    html = changelist.content.decode()
    assert reverse("admin:workinggroups_output_deleted") in html
    assert "Import" in html
    assert "Export" in html
    deleted = editor_client.get(reverse("admin:workinggroups_output_deleted"))
    assert "No deleted outputs to recover." in deleted.content.decode()
    assert_no_inline_code(deleted.content.decode())


@pytest.mark.parametrize("action", ["add_theme", "move_to_stage", "suggest_partners"])
def test_the_bulk_action_pages(editor_client, output, action):
    page = editor_client.post(
        reverse("admin:workinggroups_output_changelist"),
        {"action": action, "_selected_action": [output.pk]},
    )
    assert page.status_code == 200
    assert REFERENCE in page.content.decode() or action == "suggest_partners"
    assert_no_inline_code(page.content.decode())


def test_the_import_preview_and_the_export_page(editor_client, output):
    dataset = OutputResource().export(Output.objects.filter(pk=output.pk))
    dataset[0] = tuple(
        "Previewed." if h == "text" else v for h, v in zip(dataset.headers, dataset[0], strict=True)
    )
    upload = SimpleUploadedFile("outputs.csv", dataset.export("csv").encode(), "text/csv")
    preview = editor_client.post(
        reverse("admin:workinggroups_output_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    html = preview.content.decode()
    assert re.search(r"<del>Showcase places[^<]*</del><ins>", html), "marked without a style"
    assert_no_inline_code(html)
    assert_no_inline_code(
        editor_client.get(reverse("admin:workinggroups_output_export")).content.decode()
    )


def test_a_draft_banner_on_the_site_is_styled_by_class(editor_client, paper):
    paper.status = Status.DRAFT
    paper.save()
    html = editor_client.get(paper.get_absolute_url()).content.decode()
    assert 'class="notice notice' in html
    assert "Draft preview" in html


@pytest.mark.parametrize(
    "path", ["abc/history/", "1/history/abc/", "999999/history/", "999999/history/1/"]
)
def test_bad_history_addresses_are_not_found(editor_client, paper, path):
    response = editor_client.get(reverse("admin:workinggroups_output_changelist") + path)
    assert response.status_code == 404
