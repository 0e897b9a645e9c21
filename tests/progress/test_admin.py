"""The admin for editors and for partner contributors: each permission boundary.

Cora (the `contributor` fixture) reports for Northfield Council (`ours`); Southam
Trust (`theirs`) is another organisation. Edna is an editor.
"""

from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from progress.models import Commitment, Contributor, Status, Update
from tests.editorial.helpers import admin_form_data
from tests.progress.conftest import make_commitment, make_update


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def our_commitment(action, ours):
    return make_commitment(action, ours, summary="Publish the register.")


@pytest.fixture
def their_commitment(action, theirs):
    return make_commitment(action, theirs)


# Editors


def test_an_action_lists_its_commitments_inline_for_editors(editor_client, our_commitment):
    response = editor_client.get(change_url(our_commitment.action))
    assert response.status_code == 200
    assert "Northfield Council" in response.content.decode()
    assert "commitments-TOTAL_FORMS" in response.content.decode()


def test_an_editor_records_an_update_inline_with_one_history_record(
    editor_client, editor, our_commitment
):
    url = change_url(our_commitment)
    data = admin_form_data(editor_client.get(url))
    data.update(
        {
            "updates-TOTAL_FORMS": "1",
            "updates-0-date": "2025-02-01",
            "updates-0-text": "Register drafted.",
            "updates-0-status": Status.IN_PROGRESS,
            "updates-0-progress": "25",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    update = Update.objects.get()
    assert update.reported_by == editor
    assert not update.self_reported
    assert update.organisation == our_commitment.organisation
    our_commitment.refresh_from_db()
    assert (our_commitment.status, our_commitment.progress) == (Status.IN_PROGRESS, 25)
    records = our_commitment.history.order_by("history_date")
    assert [(r.status, r.history_user) for r in records] == [
        (Status.PLANNED, None),
        (Status.IN_PROGRESS, editor),
    ]


def test_editors_change_the_status_of_many_commitments_at_once(
    editor_client, our_commitment, their_commitment
):
    selected = [our_commitment.pk, their_commitment.pk]
    response = editor_client.post(
        reverse("admin:progress_commitment_changelist"),
        {
            "action": "change_status",
            ACTION_CHECKBOX_NAME: selected,
            "status": Status.PAUSED,
            "apply": "1",
        },
        follow=True,
    )
    assert "2 commitments are now “paused”" in response.content.decode()
    assert set(Commitment.objects.values_list("status", flat=True)) == {Status.PAUSED}
    assert our_commitment.history.count() == 2


def test_editors_withdraw_an_update_and_the_history_keeps_it(editor_client, our_commitment):
    update = make_update(our_commitment, text="Wrong figures.")
    editor_client.post(
        reverse("admin:progress_update_changelist"),
        {"action": "withdraw", ACTION_CHECKBOX_NAME: [update.pk]},
    )
    update.refresh_from_db()
    assert update.is_withdrawn
    assert update.history.count() == 2


# Partner contributors


def test_grant_contributor_makes_an_existing_user_a_contributor_with_staff_status(ours):
    user = User.objects.create_user("dev")
    out = StringIO()
    call_command("grant_contributor", "dev", "northfield-council", stdout=out)
    user.refresh_from_db()
    assert user.is_staff
    assert set(user.contributor.organisations.all()) == {ours}
    assert user.groups.filter(name="Partner contributors").exists()
    assert "Northfield Council" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [(["nobody", "northfield-council"], "No user"), (["dev", "no-such-org"], "No organisation")],
)
def test_grant_contributor_names_what_it_cannot_find(ours, args, message):
    User.objects.create_user("dev")
    with pytest.raises(CommandError, match=message):
        call_command("grant_contributor", *args)


def test_a_contributor_lists_only_their_organisations_commitments(
    contributor_client, our_commitment, their_commitment
):
    response = contributor_client.get(reverse("admin:progress_commitment_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [our_commitment]


def test_a_contributor_changes_status_and_progress_but_nothing_else(
    contributor_client, our_commitment
):
    url = change_url(our_commitment)
    response = contributor_client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) == {"status", "progress", "loaded_version"}
    data = admin_form_data(response, status=Status.IN_PROGRESS, progress="40")
    data["summary"] = "Forged summary."
    response = contributor_client.post(url, data)
    assert response.status_code == 302
    our_commitment.refresh_from_db()
    assert (our_commitment.status, our_commitment.progress) == (Status.IN_PROGRESS, 40)
    assert our_commitment.summary == "Publish the register."


def test_a_contributors_update_is_published_at_once_as_reported_by_the_organisation(
    client, contributor_client, contributor, our_commitment
):
    url = change_url(our_commitment)
    data = admin_form_data(contributor_client.get(url))
    data.update(
        {
            "updates-TOTAL_FORMS": "1",
            "updates-0-date": "2025-02-01",
            "updates-0-text": "Register **published**.",
            "updates-0-status": Status.DONE,
            "updates-0-is_withdrawn": "on",  # not theirs to set: ignored
        }
    )
    assert contributor_client.post(url, data).status_code == 302
    update = Update.objects.get()
    assert (update.self_reported, update.reported_by, update.is_withdrawn) == (
        True,
        contributor,
        False,
    )
    html = client.get(our_commitment.action.get_absolute_url()).content.decode()
    assert "Register <strong>published</strong>." in html
    assert "Reported by Northfield Council" in html


def test_a_contributor_adds_an_update_with_evidence_on_its_own_page(
    contributor_client, our_commitment
):
    response = contributor_client.post(
        reverse("admin:progress_update_add"),
        {
            "commitment": our_commitment.pk,
            "date": "2025-02-01",
            "text": "Board approved.",
            "status": "",
            "progress": "",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-title": "Board minutes",
            "evidence-0-url": "https://example.org/minutes",
            "evidence-0-order": "0",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    update = Update.objects.get()
    assert update.self_reported
    assert [e.title for e in update.evidence.all()] == ["Board minutes"]


def test_a_forged_update_for_another_organisations_commitment_is_refused(
    contributor_client, their_commitment
):
    response = contributor_client.post(
        reverse("admin:progress_update_add"),
        {"commitment": their_commitment.pk, "date": "2025-02-01", "text": "Forged."},
    )
    assert response.status_code == 403
    assert not Update.objects.exists()


def test_a_forged_change_of_another_organisations_commitment_is_refused(
    contributor_client, their_commitment
):
    url = change_url(their_commitment)
    assert contributor_client.get(url).status_code == 403
    response = contributor_client.post(url, {"status": Status.DONE, "progress": "100"})
    assert response.status_code == 403
    their_commitment.refresh_from_db()
    assert their_commitment.status == Status.PLANNED


def test_a_forged_bulk_action_naming_another_organisations_commitment_is_refused(
    contributor_client, our_commitment, their_commitment
):
    response = contributor_client.post(
        reverse("admin:progress_commitment_changelist"),
        {
            "action": "change_status",
            ACTION_CHECKBOX_NAME: [our_commitment.pk, their_commitment.pk],
            "status": Status.DONE,
            "apply": "1",
        },
    )
    assert response.status_code == 403
    assert set(Commitment.objects.values_list("status", flat=True)) == {Status.PLANNED}


def test_a_contributor_may_not_change_updates_already_recorded(contributor_client, our_commitment):
    update = make_update(our_commitment, text="Recorded by an editor.")
    url = change_url(update)
    assert contributor_client.get(url).status_code == 200  # they may read it
    response = contributor_client.post(
        url, {"commitment": our_commitment.pk, "date": "2025-03-01", "text": "Changed."}
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.text == "Recorded by an editor."


def test_everything_else_in_the_admin_answers_a_contributor_403(
    contributor_client, contributor, editor, our_commitment, their_commitment, theirs
):
    their_update = make_update(their_commitment)
    history = reverse("admin:progress_commitment_history", args=[their_commitment.pk])
    paths = [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[editor.pk]),
        reverse("admin:auth_user_change", args=[contributor.pk]),
        reverse("admin:auth_group_changelist"),
        reverse("admin:workinggroups_output_changelist"),
        change_url(our_commitment.action),
        reverse("admin:workinggroups_workinggroup_changelist"),
        reverse("admin:insights_organisation_changelist"),
        change_url(theirs),
        reverse("admin:progress_contributor_changelist"),
        reverse("admin:progress_commitment_add"),
        reverse("admin:progress_commitment_import"),
        reverse("admin:progress_commitment_deleted"),
        reverse("admin:progress_commitment_delete", args=[our_commitment.pk]),
        reverse("admin:progress_commitment_delete", args=[their_commitment.pk]),
        history,
        change_url(their_update),
        reverse("admin:progress_update_history", args=[their_update.pk]),
    ]
    answers = {path: contributor_client.get(path).status_code for path in paths}
    assert answers == dict.fromkeys(paths, 403)
    assert contributor_client.post(change_url(theirs), {"name": "Hacked"}).status_code == 403


def test_a_contributor_with_no_organisation_sees_no_commitment(client, our_commitment, contributor):
    contributor.contributor.organisations.clear()
    client.force_login(contributor)
    response = client.get(reverse("admin:progress_commitment_changelist"))
    assert list(response.context["cl"].result_list) == []
    assert client.get(change_url(our_commitment)).status_code == 403


def test_editors_make_a_contributor_in_the_admin(editor_client, ours):
    user = User.objects.create_user("dev")
    response = editor_client.post(
        reverse("admin:progress_contributor_add"), {"user": user.pk, "organisations": [ours.pk]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff
    assert Contributor.objects.organisation_ids(user) == {ours.pk}
