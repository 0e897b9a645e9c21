from django.urls import reverse

from editorial.tagging import TagAutocompleteField
from tests.editorial.helpers import admin_form_data


def test_tag_autocomplete_finds_tags_by_part_of_their_name(editor_client, paper):
    response = editor_client.get(reverse("tag_autocomplete"), {"term": "twin"})
    assert response.status_code == 200
    assert {"id": "digital twins", "text": "digital twins"} in response.json()["results"]
    assert all("twin" in item["text"].lower() for item in response.json()["results"])


def test_tag_autocomplete_is_for_staff_only(client, paper):
    response = client.get(reverse("tag_autocomplete"), {"term": "twin"})
    assert response.status_code == 302


def test_tag_autocomplete_survives_bad_paging(editor_client, paper):
    response = editor_client.get(reverse("tag_autocomplete"), {"page": "abc", "term": "x" * 500})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_tag_field_accepts_new_tags_and_drops_duplicates():
    field = TagAutocompleteField(required=False)
    assert field.clean(["digital twins", "New Thing", "new thing", " "]) == [
        "digital twins",
        "New Thing",
    ]
    assert field.clean([]) == []


def test_the_output_form_offers_its_tags_in_the_autocomplete_and_saves_a_new_one(
    editor_client, paper
):
    from workinggroups.models import Output

    output = Output.objects.get(reference="SGH24-P2-WG1-PS-01")
    url = reverse("admin:workinggroups_output_change", args=[output.pk])
    response = editor_client.get(url)
    html = response.content.decode()
    assert 'data-ajax--url="/admin/tags/autocomplete/"' in html
    existing = sorted(tag.name for tag in output.tags.all())
    assert existing
    for name in existing:
        assert f'<option value="{name}" selected>' in html
    # Everything the form posts back (with its inlines), the new tag added.
    data = admin_form_data(response, tags=[*existing, "model clauses"])
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(tag.name for tag in output.tags.all()) == sorted([*existing, "model clauses"])
