import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from insights.models import Consultation, Status
from papers.models import PaperImport
from tests.papers import variants

UPLOAD = reverse("admin:papers_paperimport_upload")
SLUG = "towards-resilient-places-2025"


def upload(client, content=None, name="resilient.md", **fields):
    content = content if content is not None else variants.as_text("arabic-colon-endash")
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content), **fields})


def confirm(client, preview):
    return client.post(UPLOAD, {"confirm": "1", "signed": preview.context["signed"]})


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_staff_who_may_not_add_consultations_are_refused(client, viewer):
    client.force_login(viewer)
    assert client.get(UPLOAD).status_code == 403
    assert upload(client).status_code == 403


def test_an_editor_sees_the_upload_form_from_the_list_of_imports(editor_client):
    listing = editor_client.get(reverse("admin:papers_paperimport_changelist"))
    assert listing.status_code == 200
    assert UPLOAD in listing.content.decode()
    page = editor_client.get(UPLOAD)
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()


def test_the_preview_shows_the_tree_with_counts_per_stage_and_writes_nothing(editor_client):
    before = Consultation.objects.count()
    response = upload(editor_client)
    assert response.status_code == 200
    html = response.content.decode()
    tree = response.context["tree"][0]
    assert [p["number"] for p in tree["parts"]] == [1, 2]
    first = tree["parts"][0]["groups"][0]
    assert (first["title"], first["counts"], first["total"]) == (
        "Data for Places – Large and Small",
        [2, 2, 1, 2],
        7,
    )
    assert "WG 1. Data for Places – Large and Small" in html
    assert "Insight: Buying AI Well" in html
    assert Consultation.objects.count() == before


def test_the_preview_lists_new_organisations_and_a_slug_already_taken(editor_client):
    first = upload(editor_client)
    assert (
        "A new organisation, to be created with the draft: Harbourside Analytics "
        "(harbourside-analytics)" in first.content.decode()
    )
    confirm(editor_client, first)
    response = upload(editor_client)
    messages = [w.message for w in response.context["warnings"]]
    # The first import created the organisation, so the second finds it.
    assert not any("Harbourside Analytics" in m for m in messages)
    assert f"A consultation with the slug “{SLUG}” already exists." in messages
    assert f"A consultation with the slug “{SLUG}” already exists." in response.content.decode()


def test_the_preview_warns_of_text_outside_a_stage_and_an_empty_stage(editor_client):
    paper = b"A Paper\n\nPart 1: One\n\nWG 1. A group - Why?\n\nStray words here.\n\n" + (
        b"Initial steps that have worked well\n\n- A thing.\n"
    )
    response = upload(editor_client, paper)
    codes = {w.code for w in response.context["warnings"]}
    assert {"outside-stage", "empty-stage"} <= codes
    assert "Stray words here." in response.content.decode()


def test_confirming_creates_a_draft_and_links_to_its_review(editor_client, editor):
    preview = upload(editor_client)
    assert "harbourside-analytics" in {
        o["slug"] for o in preview.context["draft"].document["organisations"]
    }
    response = confirm(editor_client, preview)
    consultation = Consultation.objects.get(slug=SLUG)
    assert consultation.status == Status.DRAFT
    change = reverse("admin:insights_consultation_change", args=[consultation.pk])
    assert response.status_code == 302
    assert response["Location"] == change
    page = editor_client.get(change)
    assert "Review it" in page.content.decode()
    record = PaperImport.objects.get(consultation=consultation)
    assert record.imported_by == editor
    review = editor_client.get(reverse("admin:papers_paperimport_change", args=[record.pk]))
    assert "Suggested themes and tags" in review.content.decode()


def test_a_draft_is_not_shown_to_the_public(editor_client):
    confirm(editor_client, upload(editor_client))
    consultation = Consultation.objects.get(slug=SLUG)
    assert Client().get(consultation.get_absolute_url()).status_code == 404


def test_confirming_a_paper_whose_slug_was_taken_meanwhile_is_refused(editor_client):
    first, second = upload(editor_client), upload(editor_client)
    confirm(editor_client, first)
    response = confirm(editor_client, second)
    assert response.status_code == 302
    assert Consultation.objects.filter(slug=SLUG).count() == 1
    page = editor_client.get(response["Location"])
    assert "already exists: the paper was not imported" in page.content.decode()


def test_a_tampered_preview_is_refused(editor_client):
    response = editor_client.post(UPLOAD, {"confirm": "1", "signed": "forged"})
    assert response.status_code == 302
    assert not Consultation.objects.filter(slug=SLUG).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", b"", "The submitted file is empty."),
        ("paper.pdf", b"not a pdf", "is not what its name claims"),
        ("notes.md", b"A title\n\nJust words.", "Looked for part headings"),
    ],
)
def test_a_bad_file_is_shown_again_with_its_message(editor_client, name, content, message):
    response = upload(editor_client, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Consultation.objects.filter(slug=SLUG).exists()


def test_a_publisher_may_import_too(db):
    user = User.objects.create_user("pat", password="a-long-publisher-pass", is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    client = Client()
    client.force_login(user)
    assert client.get(UPLOAD).status_code == 200
