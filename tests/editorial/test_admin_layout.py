"""What editors see in the admin: library names kept out, a compact working-group form."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.urls import reverse

from workinggroups.models import WorkingGroup

AXES_LIST = "admin:axes_accessattempt_changelist"


def test_the_index_says_tags_not_the_library_name(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "Models in the Tags application" in html
    assert "Taggit" not in html
    assert "TAGGIT" not in html


def test_lockouts_are_hidden_from_editors_and_publishers_even_with_the_permission(
    editor, editor_client, publisher_client
):
    editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="axes"))
    for client in (editor_client, publisher_client):
        assert "Axes" not in client.get(reverse("admin:index")).content.decode()
        assert client.get(reverse(AXES_LIST)).status_code == 403


def test_superusers_still_see_the_lockouts(superuser_client):
    AccessAttempt.objects.create(username="someone", ip_address="127.0.0.1", failures_since_start=3)
    assert "Axes" in superuser_client.get(reverse("admin:index")).content.decode()
    assert superuser_client.get(reverse(AXES_LIST)).status_code == 200


@pytest.fixture
def group(paper):
    return WorkingGroup.objects.get(slug="2024-p1-wg3-power-of-data")


def test_the_group_form_lists_outputs_as_rows_under_their_stages(editor_client, group):
    html = editor_client.get(
        reverse("admin:workinggroups_workinggroup_change", args=[group.pk])
    ).content.decode()
    assert "selectfilter" not in html.lower(), "no two-pane pickers"
    assert html.count('class="stage-heading"') == group.outputs.values("stage").distinct().count()
    assert html.count('class="form-row has_original') == group.outputs.count()
    assert '<textarea name="question"' in html
    links = (
        r'<ul class="row-links">\s*<li><a [^>]*>Change</a></li>'
        r"\s*<li><a [^>]*>View on site</a></li>"
    )
    assert re.search(links, html), "Change and View on site as separate links"
    assert 'data-ajax--url="/admin/autocomplete/"' in html
    assert 'name="outputs-0-themes"' in html
