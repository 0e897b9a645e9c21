import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_briefing, make_organisation, make_output


@pytest.fixture
def orgs(db):
    return {
        "loti": make_organisation(
            "London Office of Technology and Innovationx", slug="x-loti", short_name="LOTIX"
        ),
        "public": make_organisation("PUBLICX", slug="x-public", aliases="PUBLICX.io; Public Co"),
        "lga": make_organisation("Local Government Associationx", slug="x-lga"),
    }


@pytest.fixture
def output(orgs):
    return make_output(
        text="Work with LOTIX and PUBLICX.io on public data; LOTIXS is another thing.",
        partners=[orgs["lga"]],
    )


def test_it_suggests_organisations_named_in_the_text_but_not_linked(output, orgs, capsys):
    call_command("suggest_partners")
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    mine = sorted(line[1:] for line in lines if line[0] == output.reference)
    assert mine == [["x-loti", "“LOTIX”"], ["x-public", "“PUBLICX.io”"]]
    assert list(output.partners.all()) == [orgs["lga"]], "listing changes nothing"


def test_names_match_as_whole_words_and_in_their_own_case(orgs):
    lowercase = make_output(text="publicx data and lotix are not the organisations.")
    glued = make_output(text="LOTIXS and PUBLICXES are other words.")
    briefing = make_briefing(body="The Local Government Associationx said so.")
    call_command("suggest_partners")
    for item in (lowercase, glued):
        assert not item.partners.exists()
    call_command("suggest_partners", apply=True)
    assert not lowercase.partners.exists()
    assert not glued.partners.exists()
    assert list(briefing.partners.all()) == [orgs["lga"]]


def test_apply_links_them_and_records_the_change(output, orgs):
    call_command("suggest_partners", apply=True)
    assert set(output.partners.all()) == set(orgs.values())
    latest = output.history.first()
    assert sorted(latest.partners.values_list("organisation__slug", flat=True)) == sorted(
        o.slug for o in orgs.values()
    )


def test_an_editor_accepts_some_suggestions_in_the_admin(editor_client, output, orgs):
    changelist = reverse("admin:workinggroups_output_changelist")
    page = editor_client.post(
        changelist, {"action": "suggest_partners", "_selected_action": [output.pk]}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "London Office of Technology and Innovationx" in html
    assert "PUBLICX" in html
    keys = {s.organisation.slug: s.key for s in page.context["suggestions"]}
    assert set(keys) == {"x-loti", "x-public"}

    response = editor_client.post(
        changelist,
        {
            "action": "suggest_partners",
            "_selected_action": [output.pk],
            "apply": "1",
            "link": [keys["x-loti"]],
        },
        follow=True,
    )
    assert "Added 1 partner links to 1 items." in response.content.decode()
    assert set(output.partners.all()) == {orgs["lga"], orgs["loti"]}
    assert output.history.first().history_user.username == "edna"
