import pytest
from django.urls import reverse

from insights.models import Consultation, InsightBriefing, Organisation, Theme
from tests.factories import make_group, make_output
from workinggroups.models import Output, Stage, WorkingGroup


def all_results(client, url):
    """Follow `next` links and return every result of a paginated list."""
    results = []
    while url:
        body = client.get(url).json()
        results.extend(body["results"])
        url = body["next"]
    return results


def api_references(client, query=""):
    return [item["reference"] for item in all_results(client, "/api/actions/" + query)]


def queries(busiest_theme, busiest_partner):
    other_theme = Theme.objects.exclude(pk=busiest_theme.pk).order_by("order").first()
    return [
        "",
        f"?theme={busiest_theme.slug}&stage=practical_steps&stage=collaboration",
        f"?partner={busiest_partner.slug}",
        "?q=data+local",
        f"?theme={busiest_theme.slug}&theme={other_theme.slug}&consultation="
        "towards-connected-places-2024",
        "?sort=-reference&stage=worked_well",
    ]


def test_actions_list_has_the_same_items_as_the_finder(
    client, busiest_theme, busiest_partner, finder_references
):
    for query in queries(busiest_theme, busiest_partner):
        expected = finder_references(query)
        assert expected, query
        assert api_references(client, query) == expected, query


def test_an_action_has_every_documented_field(client, paper):
    output = Output.objects.get(reference="SGH24-P2-WG3-CO-01")
    body = client.get(f"/api/actions/{output.reference}/").json()
    assert body["reference"] == "SGH24-P2-WG3-CO-01"
    assert body["url"] == f"http://testserver/actions/{output.reference}/"
    assert body["text"] == output.text
    assert body["stage"] == Stage.COLLABORATION
    assert body["stage_label"] == str(Stage.COLLABORATION.label)
    assert body["order"] == 1
    group = output.working_group
    assert body["working_group"] == {
        "number": group.number,
        "title": group.title,
        "slug": group.slug,
        "url": f"http://testserver{group.get_absolute_url()}",
    }
    assert body["part"] == {"number": 2, "title": group.part.title}
    assert body["consultation"] == {
        "slug": "towards-connected-places-2024",
        "title": "Towards Connected Places: Insights into Actions",
    }
    assert body["themes"] == [{"slug": t.slug, "name": t.name} for t in output.themes.all()]
    tags = sorted(output.tags.all(), key=lambda tag: tag.name.lower())
    assert body["tags"] == [{"slug": t.slug, "name": t.name} for t in tags]
    assert body["partners"] == [
        {"slug": p.slug, "name": p.name, "sector": p.sector} for p in output.partners.all()
    ]


def test_actions_list_is_paginated(client, paper):
    body = client.get("/api/actions/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == Output.objects.published().count()
    assert len(body["results"]) == 50
    assert body["next"] == "http://testserver/api/actions/?page=2"
    assert body["previous"] is None


def test_the_actions_list_makes_the_same_number_of_queries_for_any_page_size(
    client, paper, django_assert_num_queries
):
    # content version, the total (kept, `web.kept`: after an edit read, counted and
    # stored, the upsert inside a savepoint in a test's transaction), page of outputs
    # with group, part and consultation, themes, tags, partners
    with django_assert_num_queries(10):
        assert client.get("/api/actions/").status_code == 200
    # Then the total is not counted again: here it is in the count cache (with that
    # off, one query reads the kept total).
    with django_assert_num_queries(5):
        body = client.get("/api/actions/?page=2").json()
    assert body["count"] == Output.objects.published().count()
    group = make_group(slug="many-outputs")
    for n in range(60):
        make_output(group, tags=[f"tag-{n}"])
    # the working group the filter names, the count of its outputs (a filter in
    # force: counted, not kept), then the page as above
    with django_assert_num_queries(7):
        body = client.get("/api/actions/?working_group=many-outputs").json()
    assert body["count"] == 60
    # An edit shows in the kept total at once.
    assert client.get("/api/actions/").json()["count"] == Output.objects.published().count()


def test_an_action_page_makes_a_fixed_number_of_queries(client, paper, django_assert_num_queries):
    # content version, the output with group, part and consultation, its themes,
    # tags, partners, its commitments (none here, so no updates to fetch), its
    # published recurring findings
    with django_assert_num_queries(7):
        assert client.get("/api/actions/SGH24-P1-WG3-PS-02/").status_code == 200


@pytest.mark.parametrize(
    ("url", "count", "detail", "detail_count"),
    [
        # Each first reads the content version (web.caching), then:
        # count, page, organisers, themes | consultation, organisers, themes, key themes, parts
        ("/api/consultations/", 5, "towards-connected-places-2024", 6),
        # count, page with part and consultation, presenters, themes, tags, partners | 5
        ("/api/insights/", 7, None, 6),
        # count, page with part, consultation and stage counts, themes, tags | 3
        ("/api/working-groups/", 5, "2024-p1-wg1-place-based-devolution", 4),
        # count, page with output counts | the partner
        ("/api/partners/", 3, "socitm", 2),
        # count, page with output counts | the theme
        ("/api/themes/", 3, None, 2),
        # count, page of public tags with output counts | the tag
        ("/api/tags/", 3, None, 2),
    ],
)
def test_list_and_detail_pages_make_the_same_number_of_queries_as_content_grows(
    client, paper, django_assert_num_queries, url, count, detail, detail_count
):
    with django_assert_num_queries(count):
        body = client.get(url).json()
    slug = detail or body["results"][0]["slug"]
    with django_assert_num_queries(detail_count):
        assert client.get(f"{url}{slug}/").status_code == 200


def test_consultations_list_only_public_ones_with_links(client, paper, draft):
    body = client.get("/api/consultations/").json()
    slugs = [item["slug"] for item in body["results"]]
    assert slugs == list(Consultation.objects.published().values_list("slug", flat=True))
    assert "secret-review" not in slugs
    first = next(item for item in body["results"] if item["slug"] == paper.slug)
    assert first["url"] == f"http://testserver/consultations/{paper.slug}/"
    assert first["export_url"] == f"http://testserver/api/consultations/{paper.slug}/export/"
    assert first["reference_prefix"] == "SGH24"
    assert first["start_date"] == paper.start_date.isoformat()


def test_consultation_detail_lists_its_parts_and_key_themes(client, paper):
    body = client.get(f"/api/consultations/{paper.slug}/").json()
    assert [p["number"] for p in body["parts"]] == [1, 2]
    assert body["parts"][0]["slug"] == "sgh24-p1"
    assert body["introduction"] == paper.introduction
    assert [k["title"] for k in body["key_themes"]] == [k.title for k in paper.key_themes.all()]


def test_briefings_list_names_presenters_and_consultation(client, paper):
    results = all_results(client, "/api/insights/")
    assert len(results) == InsightBriefing.objects.published().count()
    briefing = InsightBriefing.objects.published().first()
    item = next(r for r in results if r["slug"] == briefing.slug)
    assert item["reference"] == briefing.reference
    assert item["body"] == briefing.body
    assert item["consultation"]["slug"] == briefing.part.consultation.slug
    assert [p["slug"] for p in item["presenters"]] == [p.slug for p in briefing.presenters.all()]


def test_working_groups_count_their_actions_by_stage(client, paper):
    slug = "2024-p1-wg1-place-based-devolution"
    body = client.get(f"/api/working-groups/{slug}/").json()
    group = WorkingGroup.objects.get(slug=slug)
    assert body["output_count"] == group.outputs.count()
    assert body["stage_counts"] == {
        stage.value: group.outputs.filter(stage=stage).count() for stage in Stage
    }
    assert body["actions_url"] == f"http://testserver/api/actions/?working_group={slug}"
    listed = all_results(client, body["actions_url"])
    assert len(listed) == body["output_count"]


def test_partners_have_aliases_as_a_list_and_output_counts(client, paper):
    partner = Organisation.objects.exclude(aliases="").first()
    body = client.get(f"/api/partners/{partner.slug}/").json()
    assert body["aliases"] == partner.alias_list()
    assert len(body["aliases"]) >= 1
    assert body["output_count"] == Output.objects.published().filter(partners=partner).count()
    assert body["sector"] == partner.sector


def test_themes_and_tags_count_published_actions(client, paper, busiest_theme):
    body = client.get(f"/api/themes/{busiest_theme.slug}/").json()
    assert body["output_count"] == Output.objects.published().filter(themes=busiest_theme).count()
    tags = all_results(client, "/api/tags/")
    health = next(t for t in tags if t["slug"] == "health")
    assert health["output_count"] == Output.objects.published().tagged("health").count()
    assert health["url"] == "http://testserver/tags/health/"


@pytest.mark.parametrize(
    "url",
    [
        "/api/actions/",
        "/api/actions/SGH24-P1-WG3-PS-02/",
        "/api/consultations/",
        "/api/consultations/towards-connected-places-2024/",
        "/api/partners/socitm/",
        "/api/tags/",
    ],
)
def test_write_methods_are_not_allowed(client, paper, url):
    for method in (client.post, client.put, client.patch, client.delete):
        response = method(url, data={}, content_type="application/json")
        assert response.status_code == 405
        assert "detail" in response.json()
    assert Output.objects.filter(reference="SGH24-P1-WG3-PS-02").exists()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?theme=no-such-theme", 400),
        ("?partner=nobody", 400),
        ("?stage=someday", 400),
        # PostgreSQL cannot even compare text holding NUL
        ("?theme=a%00b", 400),
        ("?tag=%00&partner=%00", 400),
        ("?consultation=secret-review", 400),
        ("?page=0", 404),
        ("?page=abc", 404),
        ("?page=999", 404),
    ],
)
def test_bad_parameters_get_a_json_message(client, paper, draft, query, status):
    response = client.get("/api/actions/" + query)
    assert response.status_code == status
    assert response.json()


def test_unknown_slugs_are_404_with_a_json_message(client, paper):
    for url in ("/api/actions/NOPE-1/", "/api/themes/nope/", "/api/consultations/nope/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "detail" in response.json()


def test_drafts_are_hidden_from_every_endpoint(client, paper, draft):
    output, briefing, group = draft["output"], draft["briefing"], draft["group"]
    assert output.reference not in api_references(client)
    assert client.get(f"/api/actions/{output.reference}/").status_code == 404
    assert client.get("/api/consultations/secret-review/").status_code == 404
    assert client.get(f"/api/insights/{briefing.slug}/").status_code == 404
    assert client.get(f"/api/working-groups/{group.slug}/").status_code == 404
    assert briefing.slug not in [b["slug"] for b in all_results(client, "/api/insights/")]
    assert group.slug not in [g["slug"] for g in all_results(client, "/api/working-groups/")]
    assert "secretword" not in [t["slug"] for t in all_results(client, "/api/tags/")]
    assert client.get("/api/tags/secretword/").status_code == 404
    hidden = client.get("/api/partners/hidden-partner/").json()
    assert hidden["output_count"] == 0
    for theme in output.themes.all():
        assert client.get(f"/api/themes/{theme.slug}/").json()["output_count"] == 0


def test_api_root_lists_the_endpoints(client, db):
    body = client.get(reverse("opendata:api-root")).json()
    assert body["actions"] == "http://testserver/api/actions/"
    assert set(body) == {
        "actions",
        "consultations",
        "insights",
        "working-groups",
        "partners",
        "themes",
        "tags",
        "commitments",
        "recurring-findings",
    }


def test_theme_output_counts_match_the_site(client, paper):
    themes = all_results(client, "/api/themes/")
    assert {t["slug"]: t["output_count"] for t in themes} == {
        t.slug: t.output_count for t in Theme.objects.with_output_counts()
    }


def test_a_browser_gets_json_too(client, paper):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for url in ("/api/", "/api/actions/", "/api/actions/SGH24-P1-WG3-PS-02/"):
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response["Content-Type"] == "application/json", url
        assert response.json()


def test_the_actions_built_directly_say_what_the_serializer_fields_say(client, paper, rf):
    """The list's fast representation and DRF's field-by-field one agree, for
    actions with and without partners, tags and commitments."""
    from rest_framework import serializers

    from opendata.serializers import OutputDetailSerializer, OutputSerializer
    from progress.models import Commitment
    from recurring.models import RecurringFinding

    output = Output.objects.filter(
        partners__isnull=False, tags__isnull=False, recurring_findings__isnull=False
    ).first()
    make_output(make_group(), partners=[Organisation.objects.first()], tags=["Zebra", "apple"])
    request = rf.get("/api/actions/")
    outputs = Output.objects.published().for_list().order_by("pk")
    assert outputs.filter(pk=output.pk).exists()
    for item in outputs:
        serializer = OutputSerializer(item, context={"request": request})
        generic = serializers.ModelSerializer.to_representation(serializer, item)
        assert serializer.data == generic
    commitments = Commitment.objects.for_list().with_updates()
    item = outputs.get(pk=output.pk)
    item.public_commitments = list(commitments.filter(action=item))
    item.public_findings = list(RecurringFinding.objects.published().filter(actions=item))
    assert item.public_findings, "the shipped findings include this action"
    serializer = OutputDetailSerializer(item, context={"request": request})
    generic = serializers.ModelSerializer.to_representation(serializer, item)
    assert serializer.data == generic
    assert list(serializer.data) == [
        *OutputSerializer.Meta.fields,
        "commitments",
        "recurring_findings",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/actions/",
        "/api/consultations/",
        "/api/insights/",
        "/api/working-groups/",
        "/api/partners/",
        "/api/themes/",
        "/api/tags/",
        "/api/commitments/",
    ],
)
def test_an_empty_page_number_is_not_a_page_as_the_schema_says(client, paper, path):
    # The schema declares `page` an integer: an empty one is answered like `page=abc`.
    response = client.get(path + "?page=")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/actions/", "stage"),
        ("/api/actions/", "sort"),
        ("/api/commitments/", "status"),
        ("/api/commitments/", "role"),
    ],
)
def test_an_empty_choice_is_a_400_as_the_schema_enum_says(client, paper, path, param):
    response = client.get(path, {param: ""})

    assert response.status_code == 400
    assert param in response.json()


def test_the_api_docs_describe_single_item_endpoints_as_one_item(client, db):
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        if path.startswith("/api/commitments/") or path.endswith("/export/"):
            continue
        description = operations["get"]["description"]
        if path.endswith("/similar/"):  # one short list, not paginated
            assert description.startswith("Up to 10 actions"), (path, description)
            continue
        if path.endswith("}/"):
            assert description.startswith("One "), (path, description)
        else:
            assert not description.startswith("One "), (path, description)
            assert "a page at a time" in description, (path, description)
