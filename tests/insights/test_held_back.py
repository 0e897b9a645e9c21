"""What is held back for a publisher stays off every public page, count, feed and
export, with everything it holds, until a publisher publishes it; editors see it in
their preview, marked as held."""

import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from content.documents import export_document
from insights.models import Consultation, InsightBriefing, KeyTheme, Part, Status
from tests.conftest import client_for
from tests.factories import (
    make_briefing,
    make_consultation,
    make_group,
    make_output,
    make_part,
    make_theme,
)
from workinggroups.models import Output, WorkingGroup

WORD = "Qwertyuiopz"  # in nothing shipped


@pytest.fixture
def held_part(db):
    """A published consultation with one released part and one held part; each part
    has a briefing and a group with one action."""
    theme = make_theme()
    consultation = make_consultation(title="Held-back test consultation")
    shown = make_part(consultation, title="Released part")
    make_briefing(shown, themes=[theme], title="Released briefing")
    make_output(make_group(shown, themes=[theme], title="Released group"), text="Released.")
    held = make_part(consultation, title=f"{WORD} part")
    make_briefing(held, themes=[theme], title=f"{WORD} briefing", body=WORD)
    group = make_group(held, themes=[theme], title=f"{WORD} group")
    make_output(group, themes=[theme], text=f"{WORD} action.")
    Part.objects.filter(pk=held.pk).update(held=True)
    held.refresh_from_db()
    held.save()  # as the admin saves it: what it holds follows
    return held


def public_views(part):
    consultation = part.consultation
    group = part.working_groups.get()
    output = group.outputs.get()
    briefing = part.briefings.get()
    return {
        "consultation page": consultation.get_absolute_url(),
        "consultation list": reverse("insights:consultations"),
        "group page": group.get_absolute_url(),
        "action page": output.get_absolute_url(),
        "briefing page": briefing.get_absolute_url(),
        "briefings": reverse("insights:briefings"),
        "groups": reverse("workinggroups:groups"),
        "finder": reverse("workinggroups:finder") + f"?q={WORD}",
        "search": f"/search/?q={WORD}",
        "API actions": f"/api/actions/?q={WORD}",
        "API briefings": "/api/insights/",
        "API groups": "/api/working-groups/",
        "API consultation": f"/api/consultations/{consultation.slug}/",
        "export": reverse("opendata:consultation-export", args=[consultation.slug]),
        "CSV": f"/actions.csv?q={WORD}",
        "sitemap": "/sitemap.xml",
        "briefings feed": "/insights.atom",
    }


def body_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def traces(part):
    """What a page showing any of `part`'s content would contain: its title, its
    items' addresses (every list links them) and their texts."""
    group = part.working_groups.get()
    output = group.outputs.get()
    briefing = part.briefings.get()
    return [
        part.title,
        group.get_absolute_url(),
        output.get_absolute_url(),
        briefing.get_absolute_url(),
        output.reference,
        group.slug,
        briefing.slug,
    ]


def test_a_held_part_keeps_itself_and_all_it_holds_off_the_site(held_part):
    reader = Client()
    for name, url in public_views(held_part).items():
        response = reader.get(url)
        body = body_of(response)
        if name in {"group page", "action page", "briefing page"}:
            assert response.status_code == 404, name
        else:
            assert response.status_code == 200, name
            assert not [trace for trace in traces(held_part) if trace in body], name
    counted = Consultation.objects.with_content_counts().get(pk=held_part.consultation_id)
    assert (counted.briefing_count, counted.group_count, counted.output_count) == (1, 1, 1)


def test_publishing_a_held_part_puts_all_it_holds_on_the_site(held_part, publisher):
    client_for(publisher).post(
        reverse("admin:insights_part_changelist"),
        {"action": "publish_held", ACTION_CHECKBOX_NAME: [held_part.pk]},
    )

    reader = Client()
    for name, url in public_views(held_part).items():
        response = reader.get(url)
        assert response.status_code == 200, name
        if name != "consultation list":  # counts only: below
            assert [trace for trace in traces(held_part) if trace in body_of(response)], name
    assert Output.objects.get(text=f"{WORD} action.").is_public
    counted = Consultation.objects.with_content_counts().get(pk=held_part.consultation_id)
    assert (counted.briefing_count, counted.group_count, counted.output_count) == (2, 2, 2)


def test_the_home_page_counts_only_what_is_public(held_part, publisher):
    before = Client().get("/").context["totals"]
    client_for(publisher).post(
        reverse("admin:insights_part_changelist"),
        {"action": "publish_held", ACTION_CHECKBOX_NAME: [held_part.pk]},
    )
    after = Client().get("/").context["totals"]

    assert after["briefings"] == before["briefings"] + 1
    assert after["groups"] == before["groups"] + 1
    assert after["outputs"] == before["outputs"] + 1


def test_a_held_action_is_left_out_of_its_public_group(db):
    theme = make_theme()
    group = make_group(make_part(make_consultation()), themes=[theme])
    make_output(group, themes=[theme], text="Shown action.")
    make_output(group, themes=[theme], text=f"{WORD} action.", order=2, held=True)

    page = Client().get(group.get_absolute_url())
    listing = Client().get(reverse("workinggroups:groups"))

    assert "Shown action." in page.content.decode()
    assert WORD not in page.content.decode()
    listed = [g for _c, groups in listing.context["by_consultation"] for g in groups]
    assert next(g for g in listed if g.pk == group.pk).output_count == 1


def test_an_editor_previews_held_content_marked_as_held(held_part, second_editor):
    client = client_for(second_editor)
    group = held_part.working_groups.get()

    consultation = client.get(held_part.consultation.get_absolute_url())
    page = client.get(group.get_absolute_url())

    assert WORD in consultation.content.decode()
    assert "Held back" in consultation.content.decode()
    assert "no-cache" in consultation["Cache-Control"]
    assert page.status_code == 200
    assert "Held back" in page.content.decode()
    assert "waits for a publisher" in page.content.decode()
    assert "no-cache" in page["Cache-Control"]


def test_an_editor_may_delete_what_is_held_back_but_not_publish_it(held_part, second_editor):
    client = client_for(second_editor)
    changelist = client.get(reverse("admin:insights_part_changelist"))
    assert "publish_held" not in changelist.content.decode()

    client.post(
        reverse("admin:insights_part_changelist"),
        {"action": "publish_held", ACTION_CHECKBOX_NAME: [held_part.pk]},
    )
    held_part.refresh_from_db()
    assert held_part.held, "the action is the publishers' alone"

    briefing = held_part.briefings.get()
    delete = reverse("admin:insights_insightbriefing_delete", args=[briefing.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not InsightBriefing.objects.filter(pk=briefing.pk).exists()


def test_a_publisher_sees_what_is_held_back_in_the_lists(held_part, publisher):
    client = client_for(publisher)

    held = client.get(reverse("admin:workinggroups_workinggroup_changelist"), {"held__exact": "1"})
    released = client.get(reverse("admin:insights_part_changelist"), {"held__exact": "0"})

    assert f"{WORD} group" not in held.content.decode(), "the group is not held: its part is"
    assert (
        f"{WORD} part"
        in client.get(
            reverse("admin:insights_part_changelist"), {"held__exact": "1"}
        ).content.decode()
    )
    assert f"{WORD} part" not in released.content.decode()


def test_the_backup_export_keeps_the_hold_and_the_public_one_leaves_it_out(held_part):
    consultation = Consultation.objects.filter(pk=held_part.consultation_id)
    KeyTheme.objects.create(consultation=held_part.consultation, title=WORD, text=WORD, held=True)

    public = json.dumps(export_document(consultation, public=True))
    document = export_document(consultation)

    assert WORD not in public
    parts = document["consultations"][0]["parts"]
    assert [part.get("held", False) for part in parts] == [False, True]
    assert document["consultations"][0]["key_themes"][0]["held"] is True


def test_held_content_comes_back_held_from_a_content_file(db, tmp_path):
    theme = make_theme()
    part = make_part(make_consultation(slug="round-trip"), held=True)
    make_output(make_group(part, themes=[theme]), themes=[theme], held=True)
    path = tmp_path / "content.json"
    with path.open("w") as out:
        call_command("export_content", "round-trip", stdout=out)
    Consultation.objects.all().delete()

    call_command("load_content", str(path))

    restored = Part.objects.get(consultation__slug="round-trip")
    assert restored.held
    output = Output.objects.get(working_group__part=restored)
    assert output.held
    assert not output.is_public
    assert not WorkingGroup.objects.get(part=restored).held
    assert Consultation.objects.get(slug="round-trip").status == Status.PUBLISHED
