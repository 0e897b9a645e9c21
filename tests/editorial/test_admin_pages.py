"""The editorial admin pages keep to the Content-Security-Policy: no inline styles or scripts."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from insights.models import Status
from tests.factories import (
    make_consultation,
    make_group,
    make_organisation,
    make_output,
    make_part,
    make_theme,
)
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


def test_the_history_page_and_an_earlier_version_show_without_inline_code(editor_client, output):
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


@pytest.mark.parametrize(
    ("action", "shows"),
    [
        ("add_theme", [REFERENCE, 'name="theme"', 'name="apply"']),
        ("move_to_stage", [REFERENCE, 'name="stage"', 'name="apply"']),
        # Its page lists the suggested links, or says there are none.
        ("suggest_partners", ["Suggested partner links"]),
    ],
)
def test_each_bulk_action_asks_for_confirmation_on_a_page_without_inline_code(
    editor_client, output, action, shows
):
    page = editor_client.post(
        reverse("admin:workinggroups_output_changelist"),
        {"action": action, "_selected_action": [output.pk]},
    )
    html = page.content.decode()
    assert page.status_code == 200
    for text in shows:
        assert text in html
    assert f'name="action" value="{action}"' in html
    assert_no_inline_code(html)


def test_the_import_preview_and_the_export_page_show_without_inline_code(editor_client, output):
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


# Every changelist: the session, the user, the user's and the groups' permissions
# (2), then the list's own queries, then saving the session's activity (3).
REQUEST = 4 + 3
CHANGELISTS = {
    # The filters' choices (consultations, themes: 2; parts, groups and partners
    # only once the list is narrowed), the filtered count (the full one is left
    # out), the page of outputs, their themes.
    "workinggroups_output": REQUEST + 2 + 1 + 2,
    # The filters' choices (consultations, parts, themes: 3), the counts (2), the page.
    "workinggroups_workinggroup": REQUEST + 3 + 2 + 1,
    # The themes filter, the counts (2), the page, the date hierarchy's range and years.
    "insights_consultation": REQUEST + 1 + 2 + 1 + 2,
}


def add_content(count):
    consultation = make_consultation()
    group = make_group(make_part(consultation), themes=[make_theme()])
    partner = make_organisation()
    for order in range(1, count + 1):
        make_output(group, order=order, themes=group.themes.all(), partners=[partner], tags=["x"])


@pytest.mark.parametrize(("changelist", "queries"), CHANGELISTS.items())
def test_a_changelist_makes_a_fixed_number_of_queries_as_content_grows(
    editor_client, paper, django_assert_num_queries, changelist, queries
):
    url = reverse(f"admin:{changelist}_changelist")
    editor_client.get(url)  # the first request also loads the content types
    with django_assert_num_queries(queries):
        response = editor_client.get(url)
    assert response.context["cl"].result_count > 0
    add_content(120)
    with django_assert_num_queries(queries):
        editor_client.get(url)


def test_the_outputs_list_offers_parts_groups_and_partners_once_narrowed(editor_client, paper):
    url = reverse("admin:workinggroups_output_changelist")
    html = editor_client.get(url).content.decode()
    assert "By working group" not in html
    assert "By partners" not in html
    narrowed = editor_client.get(url, {"working_group__part__consultation__id__exact": paper.pk})
    html = narrowed.content.decode()
    assert "By part" in html
    assert "By partners" in html
    part = paper.parts.get(number=1)
    html = editor_client.get(url, {"working_group__part__id__exact": part.pk}).content.decode()
    assert "WG 3. Power of Data" in html
    bad = editor_client.get(url, {"working_group__part__consultation__id__exact": "x"})
    assert bad.status_code in (200, 302)


def test_the_outputs_list_searches_words_and_references(editor_client, paper):
    url = reverse("admin:workinggroups_output_changelist")
    found = editor_client.get(url, {"q": "SGH24-P1-WG3"}).context["cl"].result_list
    assert found
    assert all(o.reference.startswith("SGH24-P1-WG3") for o in found)
    words = editor_client.get(url, {"q": "pandemic"}).context["cl"].result_list
    assert REFERENCE.replace("PS-02", "WW-01") in [o.reference for o in words]
    assert editor_client.get(url, {"q": "zzzunknownzzz"}).context["cl"].result_count == 0


def test_the_outputs_list_shows_fifty_a_page_in_paper_order(editor_client, paper):
    url = reverse("admin:workinggroups_output_changelist")
    first = editor_client.get(url).context["cl"]
    second = editor_client.get(url, {"p": 2}).context["cl"]
    in_order = list(Output.objects.order_by("paper_position", "id"))
    assert list(first.result_list) == in_order[:50]
    assert list(second.result_list) == in_order[50:100]
