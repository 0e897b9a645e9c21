import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.html import escape

from tests.editorial.helpers import admin_form_data
from workinggroups.models import Output, Stage


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    "model",
    [
        "insights/consultation",
        "insights/part",
        "insights/insightbriefing",
        "insights/organisation",
        "insights/theme",
        "workinggroups/workinggroup",
        "workinggroups/output",
    ],
)
def test_an_editor_can_list_every_kind_of_content(editor_client, paper, model):
    app, name = model.split("/")
    model_class = apps.get_model(app, name)
    response = editor_client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == model_class.objects.count() > 0
    first = changelist.result_list[0]
    assert reverse(f"admin:{app}_{name}_change", args=[first.pk]) in response.content.decode()


def test_an_editor_cannot_manage_users(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_outputs_are_edited_inline_under_their_group_in_stage_order(editor_client, paper):
    group = paper.parts.get(number=1).working_groups.get(number=1)
    response = editor_client.get(
        reverse("admin:workinggroups_workinggroup_change", args=[group.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    first_of_each = [group.outputs.get(stage=stage, order=1).text.split()[0:4] for stage in Stage]
    positions = [html.index(escape(" ".join(words))) for words in first_of_each]
    assert positions == sorted(positions)
    assert 'name="outputs-TOTAL_FORMS" value="16"' in html


def test_the_output_list_filters_by_stage_and_theme(editor_client, paper):
    url = reverse("admin:workinggroups_output_changelist")
    response = editor_client.get(url, {"stage__exact": "collaboration"})
    assert response.status_code == 200
    assert (
        response.context["cl"].result_count
        == Output.objects.filter(stage=Stage.COLLABORATION).count()
    )


def test_an_editor_can_change_an_output_and_it_keeps_its_reference(editor_client, paper):
    output = Output.objects.get(reference="SGH24-P2-WG1-PS-01")
    url = reverse("admin:workinggroups_output_change", args=[output.pk])
    # The form as the editor sees it (with its inlines), the order and text changed.
    data = admin_form_data(
        editor_client.get(url), order=3, text="Guidance needed on the Procurement Act 2023."
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    output.refresh_from_db()
    assert output.text == "Guidance needed on the Procurement Act 2023."
    assert output.reference == "SGH24-P2-WG1-PS-01"


def test_organisation_autocomplete_finds_an_alias(editor_client, paper):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "LOTI",
            "app_label": "workinggroups",
            "model_name": "output",
            "field_name": "partners",
        },
    )
    assert response.status_code == 200
    names = [item["text"] for item in response.json()["results"]]
    assert names == ["London Office of Technology and Innovation"]


def test_the_editors_group_exists_without_user_permissions(db):
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"change_output", "add_insightbriefing", "delete_workinggroup"} <= codenames
    assert not {c for c in codenames if c.endswith("_user") or c.endswith("_group")}
    assert User.objects.count() == 0


def test_only_the_publishers_group_may_publish(db):
    from django.contrib.auth.models import Group

    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    editors, publishers = codenames("Editors"), codenames("Publishers")
    publishing = {"publish_consultation", "publish_recurringfinding"}
    assert not publishing & editors
    assert publishers == editors | publishing
    assert not {c for c in publishers if c.endswith("_user") or c.endswith("_group")}
