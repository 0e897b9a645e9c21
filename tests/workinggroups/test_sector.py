"""Filtering actions by the kind of organisation they name (`sector`)."""

from django.urls import reverse

from insights.models import Sector
from tests.factories import finder_matches, make_group, make_organisation, make_output


def make_actions():
    """One action naming a charity and a university, one naming two charities, one
    naming a company, one naming nobody."""
    group = make_group()
    charity, other, university, company = (
        make_organisation(sector=Sector.THIRD),
        make_organisation(sector=Sector.THIRD),
        make_organisation(sector=Sector.ACADEMIC),
        make_organisation(sector=Sector.PRIVATE),
    )
    return group.slug, {
        "mixed": make_output(group, partners=[charity, university], text="Mixed."),
        "charities": make_output(group, partners=[charity, other], text="Charities."),
        "company": make_output(group, partners=[company], text="Company."),
        "nobody": make_output(group, text="Nobody."),
    }


def test_the_finder_lists_actions_naming_an_organisation_of_that_sector(client, db):
    group, actions = make_actions()
    params = {"sector": "third_sector", "working_group": group}
    response = client.get(reverse("workinggroups:finder"), params)
    listed = {output.pk for output in finder_matches(response)}
    assert listed == {actions["mixed"].pk, actions["charities"].pk}
    html = response.content.decode()
    assert 'name="sector" value="third_sector"' in html
    assert "Third sector" in html


def test_the_sector_facet_counts_each_action_once(client, db):
    group, _actions = make_actions()
    response = client.get(reverse("workinggroups:finder"), {"working_group": group})
    (facet,) = [f for f in response.context["facets"] if f.name == "sector"]
    counts = {option.value: option.count for option in facet.options}
    assert counts == {"private": 1, "third_sector": 2, "academic": 1}
    assert [option.value for option in facet.options] == ["private", "third_sector", "academic"]


def test_the_api_csv_and_feed_filter_by_sector(client, db):
    group, actions = make_actions()
    api = client.get("/api/actions/", {"sector": "academic", "working_group": group}).json()
    assert [row["reference"] for row in api["results"]] == [actions["mixed"].reference]
    csv = client.get("/actions.csv", {"sector": "private", "working_group": group})
    rows = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert actions["company"].reference in rows[1]
    params = {"sector": "private", "working_group": group}
    feed = client.get("/actions.atom", params).content.decode()
    assert actions["company"].reference in feed
    assert actions["mixed"].reference not in feed


def test_an_unknown_sector_is_a_bad_request_in_the_api_and_the_csv(client, db):
    assert client.get("/api/actions/", {"sector": "royal"}).status_code == 400
    assert client.get("/actions.csv", {"sector": "royal"}).status_code == 400
