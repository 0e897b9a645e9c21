"""Recurring findings in the admin: editors curate, publishers publish, and the
output page's one-step panel adds or rejects similar actions."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from insights.models import Status
from recurring.models import RecurringFinding, RejectedSuggestion, SimilarAction
from tests.conftest import client_for
from tests.editorial.helpers import admin_form_data
from tests.factories import make_group
from tests.recurring.conftest import make_finding
from workinggroups.models import Output

CHANGELIST = "admin:recurring_recurringfinding_changelist"


def act(client, action, finding):
    return client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [finding.pk]}, follow=True
    )


def status_of(finding):
    finding.refresh_from_db()
    return finding.status


@pytest.fixture
def draft(two_groups):
    return make_finding(two_groups, slug="draft-finding", status=Status.DRAFT)


def test_anonymous_visitors_cannot_publish(client, draft):
    response = act(client, "publish", draft)
    assert reverse("admin:login") in response.redirect_chain[0][0]
    assert status_of(draft) == Status.DRAFT


def test_an_editor_submits_for_review_but_is_not_offered_publishing(editor_client, draft):
    response = act(editor_client, "submit_for_review", draft)
    assert "1 recurring finding is now “In review”." in response.content.decode()
    changelist = editor_client.get(reverse(CHANGELIST))
    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert not {"publish", "unpublish", "archive"} & set(actions)
    act(editor_client, "publish", draft)
    assert status_of(draft) == Status.REVIEW


def test_an_editor_cannot_publish_through_the_form(editor_client, draft):
    url = reverse("admin:recurring_recurringfinding_change", args=[draft.pk])
    page = editor_client.get(url)
    response = editor_client.post(url, admin_form_data(page, status="published"))
    assert response.status_code == 200
    assert status_of(draft) == Status.DRAFT


def test_a_publisher_publishes_and_the_page_appears(publisher_client, client, draft):
    act(publisher_client, "publish", draft)
    assert status_of(draft) == Status.PUBLISHED
    assert client.get(draft.get_absolute_url()).status_code == 200
    act(publisher_client, "unpublish", draft)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_superuser_publishes(superuser_client, draft):
    act(superuser_client, "publish", draft)
    assert status_of(draft) == Status.PUBLISHED


def test_an_editor_cannot_delete_a_published_finding(editor_client, two_groups):
    finding = make_finding(two_groups)
    url = reverse("admin:recurring_recurringfinding_delete", args=[finding.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert RecurringFinding.objects.filter(pk=finding.pk).exists()


def test_members_from_one_group_are_refused_with_a_message(editor_client, draft):
    url = reverse("admin:recurring_recurringfinding_change", args=[draft.pk])
    page = editor_client.get(url)
    only_first = [draft.actions.order_by("pk").first().pk]
    response = editor_client.post(url, admin_form_data(page, actions=only_first))
    assert response.status_code == 200
    assert "at least two different working groups" in response.content.decode()
    assert draft.actions.count() == 2


def test_a_group_that_reported_actions_is_not_a_member_itself(editor_client, draft):
    url = reverse("admin:recurring_recurringfinding_change", args=[draft.pk])
    page = editor_client.get(url)
    group = draft.actions.first().working_group
    response = editor_client.post(url, admin_form_data(page, groups=[group.pk]))
    assert "add those actions, not the group" in response.content.decode()
    assert not draft.groups.exists()


def test_an_edit_is_kept_in_the_history(editor_client, editor, draft):
    url = reverse("admin:recurring_recurringfinding_change", args=[draft.pk])
    page = editor_client.get(url)
    editor_client.post(url, admin_form_data(page, title="A better title"))
    record = RecurringFinding.history.filter(id=draft.pk).latest("history_date")
    assert record.title == "A better title"
    assert record.history_user == editor


# The one step on the output's change page.


def output_page(client, output):
    return client.get(reverse("admin:workinggroups_output_change", args=[output.pk]))


def from_action(client, output, **data):
    url = reverse("admin:recurring_recurringfinding_from_action", args=[output.pk])
    return client.post(url, data, follow=True)


@pytest.fixture
def foi(paper):
    return Output.objects.get(reference="SGH24-P1-WG3-WW-03")


def test_an_editor_sees_the_similar_actions_on_the_output_page(editor_client, foi):
    html = output_page(editor_client, foi).content.decode()
    assert "Similar actions in other working groups (computed)" in html
    members = Output.objects.filter(recurring_findings__in=foi.recurring_findings.all())
    links = SimilarAction.objects.filter(action=foi).order_by("rank")
    first = links.exclude(similar__in=members).first().similar
    assert first.reference in html
    # Those already in its finding are not offered again.
    member = links.filter(similar__in=members).first().similar
    assert f'name="similar" value="{member.pk}"' not in html


def test_an_editor_makes_a_new_finding_from_the_suggestions_in_one_step(editor_client, foi):
    other = Output.objects.get(reference="SGH24-P2-WG4-CN-04")
    response = from_action(
        editor_client, foi, similar=[other.pk], title="A new point", summary="Said twice.", add="1"
    )
    assert "Added 2 actions to “A new point”." in response.content.decode()
    finding = RecurringFinding.objects.get(title="A new point")
    assert finding.status == Status.DRAFT
    assert set(finding.actions.all()) == {foi, other}
    assert finding.history.count() == 1


def test_an_editor_adds_suggestions_to_an_existing_finding(editor_client, foi):
    finding = RecurringFinding.objects.get(slug="data-standards")
    response = from_action(editor_client, foi, finding=finding.pk, add="1")
    assert "Added 1 action to “Data standards”." in response.content.decode()
    assert foi in finding.actions.all()


def test_a_new_finding_from_one_group_is_refused(editor_client, foi):
    same_group = Output.objects.get(reference="SGH24-P1-WG3-PS-01")
    response = from_action(editor_client, foi, similar=[same_group.pk], title="One group", add="1")
    assert "at least two different working groups" in response.content.decode()
    assert not RecurringFinding.objects.filter(title="One group").exists()


def test_a_rejected_suggestion_is_not_offered_again(editor_client, foi):
    finding = RecurringFinding.objects.get(slug="generative-ai-on-foi-requests-and-case-records")
    offered = [
        link.similar
        for link in SimilarAction.objects.filter(action=foi)
        if not finding.actions.filter(pk=link.similar_id).exists()
    ]
    rejected = offered[0]
    html = output_page(editor_client, foi).content.decode()
    assert f'value="{rejected.pk}"' in html
    response = from_action(
        editor_client, foi, finding=finding.pk, similar=[rejected.pk], reject="1"
    )
    assert "1 suggestion will not be offered again" in response.content.decode()
    assert RejectedSuggestion.objects.filter(finding=finding, action=rejected).exists()
    html = output_page(editor_client, foi).content.decode()
    assert f'name="similar" value="{rejected.pk}"' not in html
    assert f'name="similar" value="{offered[1].pk}"' in html


def test_nothing_chosen_is_a_message_not_an_error(editor_client, foi):
    response = from_action(editor_client, foi, add="1")
    assert "Choose a recurring finding or give a new one a title." in response.content.decode()
    response = from_action(editor_client, foi, reject="1")
    assert "tick them and choose the finding" in response.content.decode()


def test_the_one_step_is_refused_to_anonymous_visitors_and_to_get(editor_client, foi):
    url = reverse("admin:recurring_recurringfinding_from_action", args=[foi.pk])
    assert reverse("admin:login") in Client().post(url, {"title": "X"}).url
    assert editor_client.get(url).status_code == 405
    assert not RecurringFinding.objects.filter(title="X").exists()


def test_staff_without_the_permission_see_no_panel_and_cannot_post(foi):
    user = User.objects.create_user("viewer", password="a-long-passphrase-xyz", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(codename="view_output"),
        Permission.objects.get(codename="change_output"),
    )
    client = client_for(user)
    assert "Similar actions in other" not in output_page(client, foi).content.decode()
    url = reverse("admin:recurring_recurringfinding_from_action", args=[foi.pk])
    assert client.post(url, {"title": "Y", "add": "1"}).status_code == 403
    assert not RecurringFinding.objects.filter(title="Y").exists()


def test_an_unknown_action_is_a_404(editor_client, db):
    url = reverse("admin:recurring_recurringfinding_from_action", args=[999999])
    assert editor_client.post(url, {"title": "Z"}).status_code == 404


def test_the_panel_needs_no_group_of_its_own(editor_client, two_groups):
    # A fresh action with no similar actions yet still gets the form.
    lonely = two_groups[0]
    make_group()
    html = output_page(editor_client, lonely).content.decode()
    assert "No suggestions left" in html
