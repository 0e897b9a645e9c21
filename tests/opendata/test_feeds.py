import xml.etree.ElementTree as ET

from insights.models import InsightBriefing

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}updated") is not None
    return feed, feed.findall(f"{ATOM}entry")


def reference_of(entry):
    link = entry.find(f"{ATOM}link").get("href")
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_actions_feed_has_the_finders_actions(
    client, busiest_theme, busiest_partner, finder_references
):
    for query in [
        "",
        f"?theme={busiest_theme.slug}&stage=worked_well",
        f"?partner={busiest_partner.slug}",
        "?q=data",
    ]:
        expected = finder_references(query)
        assert expected, query
        _feed, found = entries(client, "/actions.atom" + query)
        assert [reference_of(entry) for entry in found] == expected, query


def test_action_entries_link_to_their_page_with_a_stable_id(client, paper):
    _feed, found = entries(client, "/actions.atom?q=SGH24-P2-WG3-CO-01")
    (entry,) = found
    url = "http://testserver/actions/SGH24-P2-WG3-CO-01/"
    assert entry.find(f"{ATOM}link").get("href") == url
    assert entry.find(f"{ATOM}id").text == url
    assert entry.find(f"{ATOM}title").text.startswith("SGH24-P2-WG3-CO-01: ")
    assert "Gemini Principles" in entry.find(f"{ATOM}summary").text
    _again, again = entries(client, "/actions.atom?q=SGH24-P2-WG3-CO-01")
    assert again[0].find(f"{ATOM}id").text == url


def test_actions_feed_links_back_to_the_filtered_finder(client, paper):
    feed, _found = entries(client, "/actions.atom?stage=collaboration")
    alternate = feed.find(f"{ATOM}link[@rel='alternate']")
    assert alternate.get("href") == "http://testserver/actions/?stage=collaboration"


def test_insights_feed_lists_published_briefings(client, paper, draft):
    _feed, found = entries(client, "/insights.atom")
    links = [entry.find(f"{ATOM}link").get("href") for entry in found]
    expected = [
        f"http://testserver{b.get_absolute_url()}" for b in InsightBriefing.objects.published()
    ]
    assert sorted(links) == sorted(expected)
    assert f"http://testserver/insights/{draft['briefing'].slug}/" not in links


def test_drafts_are_not_in_the_actions_feed(client, paper, draft):
    _feed, found = entries(client, "/actions.atom")
    assert draft["output"].reference not in [reference_of(entry) for entry in found]


def test_a_bad_filter_in_the_feed_is_a_400(client, paper):
    assert client.get("/actions.atom?stage=someday").status_code == 400


def test_a_long_feed_stops_at_its_limit_in_the_finders_order(
    client, paper, finder_references, monkeypatch
):
    monkeypatch.setattr("opendata.feeds.FEED_LIMIT", 3)
    _feed, found = entries(client, "/actions.atom?stage=worked_well")
    assert [reference_of(entry) for entry in found] == finder_references("?stage=worked_well")[:3]
