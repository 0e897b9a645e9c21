import json

from django.core.management import call_command
from taggit.models import Tag

from insights.models import Consultation, Organisation, Theme
from recurring.models import RecurringFinding
from workinggroups.models import Output

EXPORT = "/api/consultations/towards-connected-places-2024/export/"


def test_export_is_one_content_document_with_the_consultations_it_links(client, paper):
    response = client.get(EXPORT)
    assert response.status_code == 200
    document = response.json()
    assert document["format"] == "connected-places-portal/1"
    slugs = {c["slug"] for c in document["consultations"]}
    linked = {c.slug for c in [*paper.builds_on.all(), *paper.summarises.all()]}
    assert slugs == {paper.slug, *linked}
    (main,) = [c for c in document["consultations"] if c["slug"] == paper.slug]
    references = [
        o["reference"]
        for part in main["parts"]
        for group in part["working_groups"]
        for stage in group["outputs"].values()
        for o in stage
    ]
    assert sorted(references) == sorted(
        Output.objects.filter(working_group__part__consultation=paper).values_list(
            "reference", flat=True
        )
    )


def test_export_round_trips_through_load_content_into_an_empty_database(client, paper, tmp_path):
    first = client.get(EXPORT).content
    path = tmp_path / "export.json"
    path.write_bytes(first)

    RecurringFinding.objects.all().delete()
    Consultation.objects.all().delete()
    Theme.objects.all().delete()
    Organisation.objects.all().delete()
    Tag.objects.all().delete()
    assert not Output.objects.exists()

    call_command("load_content", str(path))

    second = client.get(EXPORT).content
    assert json.loads(second) == json.loads(first)
    assert second == first


def test_draft_consultations_cannot_be_exported(client, paper, draft):
    response = client.get("/api/consultations/secret-review/export/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_link_to_an_unpublished_consultation_is_left_out_of_the_export(client, paper, draft):
    paper.builds_on.add(draft["consultation"])
    document = client.get(EXPORT).json()
    (main,) = [c for c in document["consultations"] if c["slug"] == paper.slug]
    assert "secret-review" not in main["builds_on"]
    assert "secret-review" not in [c["slug"] for c in document["consultations"]]
