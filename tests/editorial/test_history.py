import re

import pytest
from django.urls import reverse

from editorial.history import changes_between
from insights.models import Consultation, InsightBriefing, Organisation, Theme
from tests.editorial.helpers import admin_form_data
from tests.factories import make_organisation, make_theme
from workinggroups.models import Output, Stage, WorkingGroup

REFERENCE = "SGH24-P1-WG3-PS-02"


@pytest.fixture
def output(paper):
    return Output.objects.get(reference=REFERENCE)


def edit_in_admin(client, output, **changes):
    url = reverse("admin:workinggroups_output_change", args=[output.pk])
    response = client.post(url, admin_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    output.refresh_from_db()


def state(output):
    output.refresh_from_db()
    return {
        "text": output.text,
        "stage": output.stage,
        "group": output.working_group_id,
        "themes": sorted(output.themes.values_list("slug", flat=True)),
        "partners": sorted(output.partners.values_list("slug", flat=True)),
        "tags": sorted(output.tags.names()),
    }


def restore(client, output, record):
    """Open an earlier version in the admin and save it, as an editor would."""
    url = reverse("admin:workinggroups_output_simple_history", args=[output.pk, record.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, admin_form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_an_admin_edit_is_one_history_entry_with_who_and_what(editor_client, output):
    before = output.history.count()
    theme, partner = make_theme("Data ethics"), make_organisation("Open Data Institute")
    edit_in_admin(
        editor_client,
        output,
        text="Rewritten.",
        themes=[*output.themes.values_list("pk", flat=True), theme.pk],
        partners=[partner.pk],
        tags="ethics, open data",
    )
    assert output.history.count() == before + 1
    latest, previous = output.history.all()[:2]
    assert latest.history_user.username == "edna"
    assert latest.tag_names == "ethics, open data"
    labels = {label: after for label, before_, after in changes_between(previous, latest)}
    assert labels["Text"] == "Rewritten."
    assert "Data ethics" in labels["Themes"]
    assert labels["Partners"] == "Open Data Institute"
    assert labels["Tags"] == "ethics, open data"


def test_editors_see_the_differences_on_the_history_page(editor_client, output):
    edit_in_admin(editor_client, output, text="Rewritten for the history page.", tags="ethics")
    response = editor_client.get(reverse("admin:workinggroups_output_history", args=[output.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    added = " ".join(re.findall(r"<ins>([^<]*)</ins>", html))
    assert "Rewritten" in added
    assert "page." in added
    assert "<strong>Tags:</strong>" in html
    assert "edna" in html


def test_restoring_an_earlier_version_puts_back_text_themes_partners_and_tags(
    editor_client, output
):
    original = state(output)
    earlier = output.history.first()
    edit_in_admin(
        editor_client,
        output,
        text="A mistake.",
        themes=[make_theme("Wrong theme").pk],
        partners=[make_organisation("Wrong partner").pk],
        tags="wrong",
    )
    assert state(output) != original

    restore(editor_client, output, earlier)

    assert state(output) == original
    assert output.history.first().history_user.username == "edna"


BULK_ACTIONS = {
    "add_theme": lambda: {"theme": make_theme("Added theme").pk},
    "remove_theme": lambda: {"theme": Theme.objects.get(slug="governance").pk},
    "add_tag": lambda: {"tag": "bulk tag"},
    "remove_tag": lambda: {"tag": Output.objects.get(reference=REFERENCE).tags.names()[0]},
    "link_partner": lambda: {"partner": make_organisation("Added partner").pk},
    "unlink_partner": lambda: {
        "partner": Output.objects.get(reference=REFERENCE).partners.first().pk
    },
    "move_to_stage": lambda: {"stage": Stage.COLLABORATION},
    "move_to_group": lambda: {
        "working_group": WorkingGroup.objects.get(slug="sgh24-p1-wg1").pk
        if WorkingGroup.objects.filter(slug="sgh24-p1-wg1").exists()
        else WorkingGroup.objects.exclude(outputs__reference=REFERENCE).first().pk
    },
}


@pytest.mark.parametrize("action", BULK_ACTIONS)
def test_every_bulk_action_is_recorded_and_can_be_undone(editor_client, output, action):
    _prepare_for(action, output)
    original = state(output)
    earlier = output.history.first()
    changelist = reverse("admin:workinggroups_output_changelist")
    chosen = BULK_ACTIONS[action]()

    page = editor_client.post(changelist, {"action": action, "_selected_action": [output.pk]})
    assert page.status_code == 200, "the action first asks what to apply"
    assert output.reference in page.content.decode()

    response = editor_client.post(
        changelist,
        {"action": action, "_selected_action": [output.pk], "apply": "1", **chosen},
        follow=True,
    )
    assert "1 items" in response.content.decode() or "1 outputs" in response.content.decode()
    assert state(output) != original
    latest = output.history.first()
    assert latest.history_user.username == "edna"
    assert changes_between(earlier, latest)
    assert output.reference == REFERENCE

    restore(editor_client, output, earlier)
    assert state(output) == original


def _prepare_for(action, output):
    """Give the output what the action takes away, so there is something to undo."""
    if action == "remove_theme":
        output.themes.add(
            Theme.objects.get_or_create(
                slug="governance", defaults={"name": "Governance test", "description": "A theme."}
            )[0]
        )
    if action == "remove_tag" and not output.tags.exists():
        output.tags.add("to remove")
    if action == "unlink_partner" and not output.partners.exists():
        output.partners.add(make_organisation("To unlink"))


def test_a_deleted_output_can_be_recovered_with_its_links(editor_client, publisher_client, output):
    # The output is live: deleting and recovering it are the publishers' call.
    output.tags.add("kept tag")
    output.partners.add(Organisation.objects.get(slug="loti"))
    edit_in_admin(editor_client, output, text="Last words before deletion.")
    before = state(output)
    pk = output.pk

    response = publisher_client.post(
        reverse("admin:workinggroups_output_delete", args=[pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Output.objects.filter(reference=REFERENCE).exists()
    deletion = Output.history.filter(id=pk).first()
    assert deletion.history_type == "-"
    assert deletion.history_user.username == "petra"
    assert "kept tag" in deletion.tag_names

    deleted = publisher_client.get(reverse("admin:workinggroups_output_deleted"))
    assert REFERENCE in deleted.content.decode()
    link = deleted.context["items"][0]["url"]
    page = publisher_client.get(link)
    assert page.status_code == 200
    response = publisher_client.post(link, admin_form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors

    recovered = Output.objects.get(reference=REFERENCE)
    assert recovered.pk == pk
    assert state(recovered) == before
    assert (
        publisher_client.get(reverse("admin:workinggroups_output_deleted")).context["items"] == []
    )


def test_consultation_links_are_in_its_history(editor_client, paper):
    url = reverse("admin:insights_consultation_change", args=[paper.pk])
    theme = make_theme("Consultation theme")
    page = editor_client.get(url)
    response = editor_client.post(
        url,
        admin_form_data(page, themes=[*paper.themes.values_list("pk", flat=True), theme.pk]),
    )
    assert response.status_code == 302
    latest, previous = paper.history.all()[:2]
    assert latest.history_user.username == "edna"
    changed = {label: after for label, _, after in changes_between(previous, latest)}
    assert "Consultation theme" in changed["Themes"]


def test_outputs_edited_inline_under_their_group_are_recorded(editor_client, paper):
    group = paper.parts.get(number=1).working_groups.get(number=1)
    first = group.outputs.get(stage=Stage.WORKED_WELL, order=1)
    url = reverse("admin:workinggroups_workinggroup_change", args=[group.pk])
    page = editor_client.get(url)
    index = next(
        i
        for i, form in enumerate(page.context["inline_admin_formsets"][0].formset.forms)
        if form.instance.pk == first.pk
    )
    response = editor_client.post(
        url, admin_form_data(page, **{f"outputs-{index}-text": "Edited inline."})
    )
    assert response.status_code == 302
    latest = first.history.first()
    assert latest.text == "Edited inline."
    assert latest.history_user.username == "edna"


def briefing_state(briefing):
    briefing.refresh_from_db()
    return {
        "body": briefing.body,
        "presenters": sorted(briefing.presenters.values_list("slug", flat=True)),
        "partners": sorted(briefing.partners.values_list("slug", flat=True)),
        "themes": sorted(briefing.themes.values_list("slug", flat=True)),
        "tags": sorted(briefing.tags.names()),
    }


def test_a_briefing_is_restored_with_its_presenters_partners_themes_and_tags(editor_client, paper):
    briefing = InsightBriefing.objects.filter(part__consultation=paper).first()
    original, earlier = briefing_state(briefing), briefing.history.first()
    url = reverse("admin:insights_insightbriefing_change", args=[briefing.pk])
    response = editor_client.post(
        url,
        admin_form_data(
            editor_client.get(url),
            body="Replaced.",
            presenters=[make_organisation().pk],
            partners=[],
            themes=[make_theme().pk],
            tags="replaced",
        ),
    )
    assert response.status_code == 302
    assert briefing_state(briefing) != original

    history_url = reverse(
        "admin:insights_insightbriefing_simple_history", args=[briefing.pk, earlier.pk]
    )
    page = editor_client.get(history_url)
    assert editor_client.post(history_url, admin_form_data(page)).status_code == 302
    assert briefing_state(briefing) == original


def test_a_consultation_is_restored_with_its_organisers_and_related_consultations(
    editor_client, paper
):
    def links():
        return {
            name: sorted(getattr(paper, name).values_list("pk", flat=True))
            for name in ("organisers", "builds_on", "summarises", "themes")
        }

    original, earlier = links(), paper.history.first()
    other = Consultation.objects.exclude(pk=paper.pk).exclude(pk__in=original["builds_on"])[0]
    url = reverse("admin:insights_consultation_change", args=[paper.pk])
    response = editor_client.post(
        url,
        admin_form_data(
            editor_client.get(url),
            organisers=[make_organisation().pk],
            builds_on=[*original["builds_on"], other.pk],
            summarises=[],
        ),
    )
    assert response.status_code == 302
    assert links() != original

    history_url = reverse("admin:insights_consultation_simple_history", args=[paper.pk, earlier.pk])
    page = editor_client.get(history_url)
    assert editor_client.post(history_url, admin_form_data(page)).status_code == 302
    assert links() == original


def test_a_bulk_action_on_all_matching_outputs_changes_them_all(editor_client, paper):
    changelist = reverse("admin:workinggroups_output_changelist") + "?stage__exact=collaboration"
    first = Output.objects.filter(stage=Stage.COLLABORATION).first()
    chosen = {"action": "add_tag", "_selected_action": [first.pk], "select_across": "1"}
    page = editor_client.post(changelist, chosen)
    assert 'name="select_across" value="1"' in page.content.decode()
    editor_client.post(changelist, {**chosen, "apply": "1", "tag": "everyone"})
    tagged = Output.objects.filter(tags__name="everyone")
    assert set(tagged) == set(Output.objects.filter(stage=Stage.COLLABORATION))
    assert tagged.count() > 1


def test_loading_content_records_each_item_once_with_who_ran_it(paper, tmp_path):
    import getpass
    import io
    import json

    from django.core.management import call_command

    from content.documents import export_document

    document = tmp_path / "paper.json"
    document.write_text(
        json.dumps(export_document(Consultation.objects.filter(pk=paper.pk))), encoding="utf-8"
    )
    paper.delete()
    call_command("load_content", document, stdout=io.StringIO())

    output = Output.objects.get(reference=REFERENCE)
    records = list(output.history.all())
    assert len(records) == 1
    assert records[0].history_type == "+"
    assert records[0].history_change_reason == f"manage.py load_content, run by {getpass.getuser()}"
    assert records[0].tag_names == ", ".join(sorted(output.tags.names(), key=str.lower))
    assert records[0].partners.count() == output.partners.count()
    consultation = Consultation.objects.get(slug=paper.slug)
    assert consultation.history.count() == 1


def test_a_text_change_shows_the_words_taken_out_and_put_in(editor_client, output):
    first, rest = output.text.split(" ", 1)
    edit_in_admin(editor_client, output, text=f"<b>Changed</b> {rest}")
    html = editor_client.get(
        reverse("admin:workinggroups_output_history", args=[output.pk])
    ).content.decode()
    assert '<span class="history-diff">' in html
    assert f"<del>{first}</del><ins>&lt;b&gt;Changed&lt;/b&gt;</ins>" in html
    assert "&rarr;" not in html.split('<span class="history-diff">')[1].split("</span>")[0]


def test_a_command_without_an_editor_shows_who_ran_it_on_the_history_page(editor_client, output):
    from editorial.history import recording

    with recording(reason="manage.py suggest_partners --apply, run by ops"):
        output.partners.add(make_organisation("Recorded partner"))
        output.tags.add("recorded")
    assert output.history.first().history_change_reason.endswith("run by ops")
    html = editor_client.get(
        reverse("admin:workinggroups_output_history", args=[output.pk])
    ).content.decode()
    assert "run by ops" in html
