"""Only publishers put content live or take it down, on every path of the admin.

Content is live when its consultation is published and nothing holds it back. An
Editors-only user may change live content and add to it, but what they add to a
published consultation (by a form, inline, bulk move, import or restore) is held
back until a publisher publishes it; they may not move content out of a published
consultation or delete live content. A publisher may do all of these.
"""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from insights.models import InsightBriefing, KeyTheme, Organisation, Part, Status, Theme
from tests.conftest import client_for
from tests.editorial.helpers import admin_form_data
from tests.factories import make_consultation, make_group, make_output, make_part
from workinggroups.models import Output, WorkingGroup

HELD = "Saved, but not on the site yet"
TAKEN_DOWN = "Only publishers can take content off the site"
WORD = "Zyxwvutsrq"  # a word no shipped text uses, to look for the new item


@pytest.fixture
def persona(request, second_editor, publisher):
    return {"editor": second_editor, "publisher": publisher}[request.param]


def part_one(paper):
    return paper.parts.get(number=1)


def group_one(paper):
    return WorkingGroup.objects.filter(part__consultation=paper).order_by("part", "number")[0]


def add_form_fields(paper):
    """{model: (its add-form address, the fields of a new item under the paper)}."""
    part, group = part_one(paper), group_one(paper)
    theme, organisation = Theme.objects.first(), Organisation.objects.first()
    return {
        Part: (
            "admin:insights_part_add",
            {"consultation": paper.pk, "number": 99, "title": f"{WORD} part", "slug": "new-p"},
        ),
        WorkingGroup: (
            "admin:workinggroups_workinggroup_add",
            {
                "part": part.pk,
                "number": 99,
                "title": f"{WORD} group",
                "slug": "new-group",
                "themes": [theme.pk],
            },
        ),
        Output: (
            "admin:workinggroups_output_add",
            {
                "working_group": group.pk,
                "stage": "worked_well",
                "order": 99,
                "text": f"{WORD} action.",
                "themes": [theme.pk],
                "partners": [],
            },
        ),
        InsightBriefing: (
            "admin:insights_insightbriefing_add",
            {
                "part": part.pk,
                "order": 99,
                "title": f"{WORD} briefing",
                "slug": "new-briefing",
                "presenters": [organisation.pk],
                "body": f"{WORD} briefing.",
                "themes": [theme.pk],
                "partners": [],
            },
        ),
    }


def new_items(model):
    field = {Output: "text", InsightBriefing: "title", KeyTheme: "title"}.get(model, "title")
    return model.objects.filter(**{f"{field}__contains": WORD})


def on_the_site(model, item):
    """Whether a reader without a session finds `item`: on its page, in the API and
    in the site search."""
    reader = Client()
    search = reader.get("/search/", {"q": WORD}).content.decode()
    if model is Part:
        shown = WORD in reader.get(item.consultation.get_absolute_url()).content.decode()
        return shown
    page = reader.get(item.get_absolute_url())
    api = WORD in reader.get("/api/actions/", {"q": WORD}).content.decode()
    if model is Output:
        assert api == (page.status_code == 200), "the API agrees with the page"
    assert (f'href="{item.get_absolute_url()}"' in search) == (page.status_code == 200), "search"
    return page.status_code == 200


@pytest.mark.parametrize("model", [Part, WorkingGroup, Output, InsightBriefing])
def test_what_an_editor_adds_to_a_published_consultation_waits_for_a_publisher(
    paper, second_editor, publisher, model
):
    url_name, fields = add_form_fields(paper)[model]
    client = client_for(second_editor)
    data = admin_form_data(client.get(reverse(url_name)), **fields, held="")

    response = client.post(reverse(url_name), data, follow=True)

    assert response.status_code == 200
    assert HELD in response.content.decode()
    item = new_items(model).get()
    assert item.held, "an editor cannot leave the hold off"
    assert not on_the_site(model, item)

    # A publisher publishes it from the list.
    opts = model._meta
    client_for(publisher).post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": "publish_held", ACTION_CHECKBOX_NAME: [item.pk]},
    )
    item.refresh_from_db()
    assert not item.held
    assert on_the_site(model, item)


@pytest.mark.parametrize("model", [Part, WorkingGroup, Output, InsightBriefing])
def test_a_publisher_adds_to_a_published_consultation_through_the_add_form(paper, publisher, model):
    url_name, fields = add_form_fields(paper)[model]
    client = client_for(publisher)
    data = admin_form_data(client.get(reverse(url_name)), **fields)

    response = client.post(reverse(url_name), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert new_items(model).count() == 1


@pytest.mark.parametrize("model", [Part, WorkingGroup, Output, InsightBriefing])
def test_an_editor_adds_under_a_draft_consultation_as_before(second_editor, model):
    draft = make_consultation(status=Status.DRAFT)
    part = make_part(draft)
    group = make_group(part)
    url_name, fields = add_form_fields(draft)[model]
    fields = {**fields, "slug": f"{fields.get('slug', 'x')}-draft"}
    client = client_for(second_editor)
    data = admin_form_data(client.get(reverse(url_name)), **fields)

    response = client.post(reverse(url_name), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert new_items(model).count() == 1
    assert group.pk


def inline_rows(paper):
    """[(parent admin page, inline model, the fields of one new row)]."""
    theme = Theme.objects.first()
    part, group = part_one(paper), group_one(paper)
    return [
        ("insights_consultation", paper, Part, {"number": 99, "title": f"{WORD} part"}),
        ("insights_consultation", paper, KeyTheme, {"order": 99, "title": WORD, "text": WORD}),
        ("insights_part", part, InsightBriefing, {
            "order": 99, "title": f"{WORD} briefing"}),
        ("insights_part", part, WorkingGroup, {"number": 99, "title": f"{WORD} group"}),
        ("workinggroups_workinggroup", group, Output, {
            "stage": "worked_well", "order": 99, "text": f"{WORD} action.",
            "themes": [theme.pk]}),
    ]  # fmt: skip


def post_with_new_row(client, admin_name, parent, model, fields):
    url = reverse(f"admin:{admin_name}_change", args=[parent.pk])
    response = client.get(url)
    data = admin_form_data(response)
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is model
    )
    prefix, index = formset.prefix, formset.total_form_count()
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    data.update({f"{prefix}-{index}-{name}": value for name, value in fields.items()})
    return response, client.post(url, data)


@pytest.mark.parametrize("index", [0, 1, 4], ids=["part", "key-theme", "output"])
@pytest.mark.parametrize("persona", ["editor", "publisher"], indirect=True)
def test_rows_an_editor_adds_inline_under_a_published_consultation_are_held_back(
    paper, persona, index
):
    admin_name, parent, model, fields = inline_rows(paper)[index]
    client = client_for(persona)
    page, response = post_with_new_row(client, admin_name, parent, model, fields)

    assert response.status_code == 302
    inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is model)
    assert inline.has_add_permission
    item = new_items(model).get()
    editor = persona.username == "eddie"
    assert item.held == editor
    assert (HELD in client.get(response.url).content.decode()) == editor
    public = Client().get(paper.get_absolute_url()).content.decode()
    if model is Output:
        public = Client().get(parent.get_absolute_url()).content.decode()
    assert (WORD in public) != editor


@pytest.mark.parametrize("index", [2, 3], ids=["briefing", "group"])
def test_briefings_and_groups_are_added_on_their_own_form_not_inline(paper, publisher, index):
    # The inline's columns cannot make a valid briefing or group (slug, themes, presenters).
    admin_name, parent, model, fields = inline_rows(paper)[index]
    page, response = post_with_new_row(client_for(publisher), admin_name, parent, model, fields)

    assert response.status_code == 302
    inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is model)
    assert not inline.has_add_permission
    assert not new_items(model).exists()


def live_items(paper):
    part = part_one(paper)
    output = Output.objects.filter(working_group__part=part).first()
    return {
        "part": part,
        "group": group_one(paper),
        "output": output,
        "briefing": part.briefings.first(),
        "organisation": Organisation.objects.filter(outputs__is_public=True).first(),
        "theme": output.themes.first(),
    }


@pytest.mark.parametrize("name", ["part", "group", "output", "briefing", "organisation", "theme"])
def test_an_editor_is_neither_offered_nor_allowed_the_delete_of_live_content(
    paper, second_editor, name
):
    item = live_items(paper)[name]
    opts = item._meta
    client = client_for(second_editor)

    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk]))
    assert change.status_code == 200
    assert 'class="deletelink"' not in change.content.decode()
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[item.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [item.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert type(item).objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("name", ["part", "group", "output", "briefing"])
def test_a_publisher_may_delete_live_content(paper, publisher, name):
    item = live_items(paper)[name]
    opts = item._meta
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[item.pk])
    client = client_for(publisher)

    assert client.get(delete).status_code == 200
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not type(item).objects.filter(pk=item.pk).exists()


def test_an_editor_deletes_draft_content_as_before(second_editor):
    output = make_output(make_group(make_part(make_consultation(status=Status.DRAFT))))
    delete = reverse("admin:workinggroups_output_delete", args=[output.pk])

    assert client_for(second_editor).post(delete, {"post": "yes"}).status_code == 302
    assert not Output.objects.filter(pk=output.pk).exists()


@pytest.mark.parametrize("index", [0, 2, 3, 4], ids=["part", "briefing", "group", "output"])
def test_an_editor_cannot_delete_rows_inline_under_a_published_consultation(
    paper, second_editor, index
):
    admin_name, parent, model, _fields = inline_rows(paper)[index]
    client = client_for(second_editor)
    url = reverse(f"admin:{admin_name}_change", args=[parent.pk])
    response = client.get(url)
    inline = next(i for i in response.context["inline_admin_formsets"] if i.formset.model is model)
    data = admin_form_data(response)
    first = inline.formset.forms[0]
    data[f"{first.prefix}-DELETE"] = "on"

    assert client.post(url, data).status_code == 302
    assert model.objects.filter(pk=first.instance.pk).exists()


def draft_group():
    return make_group(make_part(make_consultation(status=Status.DRAFT)))


@pytest.mark.parametrize("direction", ["into", "out of"])
@pytest.mark.parametrize("persona", ["editor", "publisher"], indirect=True)
def test_only_a_publisher_moves_an_output_across_a_published_consultation_in_its_form(
    paper, persona, direction
):
    live_group, draft = group_one(paper), draft_group()
    output = make_output(draft) if direction == "into" else live_group.outputs.first()
    target = live_group if direction == "into" else draft
    url = reverse("admin:workinggroups_output_change", args=[output.pk])
    client = client_for(persona)

    response = client.post(url, admin_form_data(client.get(url), working_group=target.pk))

    output.refresh_from_db()
    if persona.username == "eddie" and direction == "out of":
        assert response.status_code == 200
        assert TAKEN_DOWN in response.content.decode()
        assert output.working_group != target
    elif persona.username == "eddie":
        assert response.status_code == 302
        assert output.working_group == target
        assert output.held, "moved in, it waits for a publisher"
        assert not output.is_public
    else:
        assert response.status_code == 302
        assert output.working_group == target
        assert output.is_public == (direction == "into")


@pytest.mark.parametrize("persona", ["editor", "publisher"], indirect=True)
def test_a_part_an_editor_moves_into_a_published_consultation_waits_for_a_publisher(paper, persona):
    part = make_part(make_consultation(status=Status.DRAFT), number=7, title=f"{WORD} part")
    output = make_output(make_group(part), text=f"{WORD} action.")
    url = reverse("admin:insights_part_change", args=[part.pk])
    client = client_for(persona)

    response = client.post(url, admin_form_data(client.get(url), consultation=paper.pk))

    assert response.status_code == 302
    part.refresh_from_db()
    output.refresh_from_db()
    assert part.consultation == paper
    assert part.held == (persona.username == "eddie")
    assert output.is_public == (persona.username == "petra"), "its outputs go with it"
    found = WORD in Client().get("/api/actions/", {"q": WORD}).content.decode()
    assert found == (persona.username == "petra")


@pytest.mark.parametrize("persona", ["editor", "publisher"], indirect=True)
def test_outputs_an_editor_moves_into_a_published_group_in_bulk_are_held_back(paper, persona):
    output = make_output(draft_group(), text=f"{WORD} action.")
    target = group_one(paper)
    client = client_for(persona)

    response = client.post(
        reverse("admin:workinggroups_output_changelist"),
        {
            "action": "move_to_group",
            ACTION_CHECKBOX_NAME: [output.pk],
            "apply": "1",
            "working_group": target.pk,
        },
        follow=True,
    )

    output.refresh_from_db()
    assert output.working_group == target
    if persona.username == "eddie":
        assert HELD in response.content.decode()
        assert output.held
        assert WORD not in client.get("/api/actions/", {"q": WORD}).content.decode()
    else:
        assert output.working_group == target
        assert WORD in client.get("/api/actions/", {"q": WORD}).content.decode()


def import_file(group, reference=""):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["reference", "working_group", "stage", "order", "text", "themes"])
    theme = Theme.objects.first()
    writer.writerow([reference, group.slug, "worked_well", "98", f"{WORD} action.", theme.slug])
    return SimpleUploadedFile("outputs.csv", buffer.getvalue().encode(), "text/csv")


@pytest.mark.parametrize("persona", ["editor", "publisher"], indirect=True)
def test_outputs_an_editor_imports_into_a_published_consultation_are_held_back(
    paper, persona, django_capture_on_commit_callbacks
):
    client = client_for(persona)
    response = client.post(
        reverse("admin:workinggroups_output_import"),
        {"import_file": import_file(group_one(paper)), "format": "0", "resource": "0"},
    )

    assert response.status_code == 200
    assert not new_items(Output).exists(), "a preview writes nothing"
    confirm = response.context["confirm_form"]
    # The search entries are written once the import's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            reverse("admin:workinggroups_output_process_import"),
            {**confirm.initial, "resource": "0"},
            follow=True,
        )

    output = new_items(Output).get()
    editor = persona.username == "eddie"
    assert output.held == editor
    assert (HELD in confirmed.content.decode()) == editor
    assert (WORD in Client().get("/api/actions/", {"q": WORD}).content.decode()) != editor


def test_an_editor_cannot_import_an_output_out_of_a_published_consultation(paper, second_editor):
    output = group_one(paper).outputs.first()
    client = client_for(second_editor)
    response = client.post(
        reverse("admin:workinggroups_output_import"),
        {"import_file": import_file(draft_group(), output.reference), "format": "0",
         "resource": "0"},
    )  # fmt: skip

    assert "confirm_form" not in response.context
    assert TAKEN_DOWN in response.content.decode()


def test_content_an_editor_restores_into_a_published_consultation_is_held_back(
    paper, publisher, second_editor
):
    output = group_one(paper).outputs.first()
    client_for(publisher).post(
        reverse("admin:workinggroups_output_delete", args=[output.pk]), {"post": "yes"}
    )
    record = Output.history.filter(id=output.pk, history_type="-").get()
    url = reverse("admin:workinggroups_output_simple_history", args=[output.pk, record.history_id])
    client = client_for(second_editor)

    response = client.post(url, admin_form_data(client.get(url)), follow=True)

    assert HELD in response.content.decode()
    restored = Output.objects.get(pk=output.pk)
    assert restored.held
    assert not restored.is_public
    assert Client().get(restored.get_absolute_url()).status_code == 404
