import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.models import Consultation, Status
from tests.editorial.helpers import admin_form_data
from tests.factories import (
    make_briefing,
    make_consultation,
    make_group,
    make_organisation,
    make_output,
    make_part,
)


@pytest.fixture
def draft(db):
    """A draft consultation with one part, briefing, working group and output."""
    consultation = make_consultation(status=Status.DRAFT, title="Secret draft consultation")
    part = make_part(consultation)
    briefing = make_briefing(part, title="Draft briefing")
    group = make_group(part, title="Draft group")
    output = make_output(
        group, text="A draft action.", tags=["draft-only-tag"], partners=[make_organisation()]
    )
    return {
        "consultation": consultation,
        "briefing": briefing,
        "group": group,
        "output": output,
    }


def detail_urls(draft):
    return [draft[name].get_absolute_url() for name in ("consultation", "briefing", "group")] + [
        draft["output"].get_absolute_url()
    ]


def test_drafts_are_not_found_by_anonymous_visitors(client, draft):
    for url in detail_urls(draft):
        assert client.get(url).status_code == 404, url


def test_drafts_are_hidden_from_the_public_lists(client, draft):
    theme = draft["output"].themes.get()
    for url in [
        reverse("browse:home"),
        reverse("insights:consultations"),
        reverse("workinggroups:finder"),
        theme.get_absolute_url(),
        draft["output"].partners.get().get_absolute_url(),
        reverse("browse:tag", args=["draft-only-tag"]),
    ]:
        response = client.get(url)
        # A tag used only in drafts may have no public page at all.
        assert response.status_code in ((200, 404) if "/tags/" in url else (200,)), url
        html = response.content.decode()
        assert "Secret draft consultation" not in html
        assert "A draft action." not in html


def test_a_staff_member_without_view_permission_cannot_preview(client, draft, django_user_model):
    staff = django_user_model.objects.create_user("staffer", is_staff=True)
    client.force_login(staff)
    assert client.get(draft["output"].get_absolute_url()).status_code == 404


def test_an_editor_previews_drafts_under_a_draft_banner(editor_client, draft):
    for url in detail_urls(draft):
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert "Draft preview" in response.content.decode()
        # Never kept by a shared cache, where the public could be handed it.
        assert "no-cache" in response["Cache-Control"]
        assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_published_pages_show_no_draft_banner(editor_client, paper):
    response = editor_client.get(paper.get_absolute_url())
    assert response.status_code == 200
    assert "Draft preview" not in response.content.decode()


def act(client, action, consultation):
    return client.post(
        reverse("admin:insights_consultation_changelist"),
        {"action": action, "_selected_action": [consultation.pk]},
        follow=True,
    )


def status_of(consultation):
    consultation.refresh_from_db()
    return consultation.status


def test_anonymous_visitors_cannot_change_anything_in_the_admin(client, draft):
    consultation = draft["consultation"]
    response = act(client, "publish", consultation)
    assert reverse("admin:login") in response.redirect_chain[0][0]
    assert status_of(consultation) == Status.DRAFT


def test_an_editor_submits_a_draft_for_review(editor_client, draft):
    consultation = draft["consultation"]
    response = act(editor_client, "submit_for_review", consultation)
    assert "1 consultation is now “In review”." in response.content.decode()
    assert status_of(consultation) == Status.REVIEW


@pytest.mark.parametrize("action", ["publish", "archive"])
def test_an_editor_is_not_offered_and_cannot_run_the_publishing_actions(
    editor_client, draft, action
):
    consultation = draft["consultation"]
    changelist = editor_client.get(reverse("admin:insights_consultation_changelist"))
    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert "submit_for_review" in actions
    assert not {"publish", "unpublish", "archive"} & set(actions)
    act(editor_client, action, consultation)
    assert status_of(consultation) == Status.DRAFT


def test_an_editor_cannot_unpublish(editor_client, paper):
    act(editor_client, "unpublish", paper)
    assert status_of(paper) == Status.PUBLISHED


def test_an_editor_may_only_choose_draft_or_review_in_the_form(editor_client, draft):
    consultation = draft["consultation"]
    url = reverse("admin:insights_consultation_change", args=[consultation.pk])
    page = editor_client.get(url)
    choices = [value for value, _ in page.context["adminform"].form.fields["status"].choices]
    assert choices == ["draft", "review"]

    response = editor_client.post(url, admin_form_data(page, status="published"))
    assert response.status_code == 200
    assert status_of(consultation) == Status.DRAFT

    response = editor_client.post(url, admin_form_data(page, status="review"))
    assert response.status_code == 302
    assert status_of(consultation) == Status.REVIEW


def test_an_editor_edits_a_published_consultation_but_not_its_status(editor_client, paper):
    url = reverse("admin:insights_consultation_change", args=[paper.pk])
    page = editor_client.get(url)
    assert "status" not in page.context["adminform"].form.fields
    assert "Published" in page.content.decode()
    response = editor_client.post(
        url, admin_form_data(page, subtitle="Insights into actions", status="draft")
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.subtitle == "Insights into actions"
    assert paper.status == Status.PUBLISHED


def test_an_editor_cannot_delete_a_published_consultation(editor_client, paper):
    url = reverse("admin:insights_consultation_delete", args=[paper.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Consultation.objects.filter(pk=paper.pk).exists()


def test_a_publisher_publishes_unpublishes_and_archives(publisher_client, client, draft):
    consultation = draft["consultation"]
    output_url = draft["output"].get_absolute_url()

    response = act(publisher_client, "publish", consultation)
    assert "1 consultation is now “Published”." in response.content.decode()
    assert client.get(output_url).status_code == 200

    act(publisher_client, "archive", consultation)
    assert status_of(consultation) == Status.ARCHIVED
    assert client.get(output_url).status_code == 200

    act(publisher_client, "unpublish", consultation)
    assert status_of(consultation) == Status.DRAFT
    assert client.get(output_url).status_code == 404


def test_publishing_shows_and_unpublishing_hides_the_actions_in_every_list(
    publisher_client, client, draft
):
    consultation, output = draft["consultation"], draft["output"]
    finder = f"{reverse('workinggroups:finder')}?consultation={consultation.slug}"
    api = f"/api/actions/?q={output.reference}"

    def listed():
        html = client.get(reverse("workinggroups:finder") + "?q=draft").content.decode()
        return (
            output.reference in html,
            client.get(api).json()["count"],
            output.reference in b"".join(client.get("/actions.csv?q=draft")).decode(),
        )

    assert listed() == (False, 0, False)
    act(publisher_client, "publish", consultation)
    assert listed() == (True, 1, True)
    assert client.get(finder).status_code == 200
    act(publisher_client, "archive", consultation)
    assert listed() == (True, 1, True)
    act(publisher_client, "unpublish", consultation)
    assert listed() == (False, 0, False)


def test_a_publisher_may_publish_through_the_form(publisher_client, draft):
    consultation = draft["consultation"]
    url = reverse("admin:insights_consultation_change", args=[consultation.pk])
    page = publisher_client.get(url)
    response = publisher_client.post(url, admin_form_data(page, status="published"))
    assert response.status_code == 302
    assert status_of(consultation) == Status.PUBLISHED


@pytest.mark.parametrize("persona", ["editor_client", "publisher_client"])
def test_only_superusers_manage_users(request, persona, superuser_client):
    url = reverse("admin:auth_user_changelist")
    assert request.getfixturevalue(persona).get(url).status_code == 403
    assert superuser_client.get(url).status_code == 200


def test_a_draft_preview_adds_only_the_permission_check(editor_client, draft):
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(draft["output"].get_absolute_url())
    # Session reads and writes belong to the session middleware, not to this page.
    page = [
        q["sql"]
        for q in queries
        if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    # user, the user's own permissions, its groups' permissions; then as for the
    # public: output with group, part and consultation, its themes, tags, partners,
    # its commitments, the consultation's organisers (the citation's publisher);
    # its recurring findings, their actions and groups, its similar actions
    assert len(page) == 13, page
    assert response.status_code == 200
    assert "A draft action." in response.content.decode()
