from django.urls import reverse

from insights.tagging import TagAutocompleteField


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
