"""Bad input on every public page: odd query strings give a page or a 404, never a 500,
and nothing a visitor typed comes back as live HTML."""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCRIPT = "<script>alert(1)</script>"

URLS = [
    "/",
    "/consultations/",
    "/consultations/towards-connected-places-2024/",
    "/insights/secure-connected-places/",
    "/working-groups/2024-p1-wg1-place-based-devolution/",
    "/actions/SGH24-P1-WG1-CO-03/",
    "/themes/",
    "/themes/data-sharing-and-standards/",
    "/tags/responsible-ai/",
    "/partners/",
    "/partners/socitm/",
    "/actions/",
    "/search/",
    "/sitemap.xml",
    "/accessibility/",
]

KEYS = [
    "q",
    "page",
    "p",
    "theme",
    "stage",
    "partner",
    "tag",
    "working_group",
    "consultation",
    "part",
    "sort",
    "format",
]

FRAGMENTS = [
    "",
    "0",
    "-1",
    str(10**9),
    "1e3",
    "abc",
    "no-such-slug",
    "worked_well",
    "socitm",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "1; DROP TABLE insights_consultation;",
    "%",
    "_",
    "\\",
    "\x00",
    "SGH24-P1-WG1-CO-03",
    "ﷺ𝕏\u202e\u200b",
    "q" * 10_000,
]

# Any unicode but lone surrogates, which no browser can send.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
VALUES = st.one_of(st.sampled_from(FRAGMENTS), TEXT)
PARAMS = st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), TEXT), VALUES), max_size=6)


@pytest.mark.parametrize("url", URLS)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=PARAMS)
def test_odd_query_strings_never_break_a_page(url, params, client, paper):
    response = client.get(f"{url}?{urlencode(params)}")
    assert response.status_code in (200, 404), (url, params)
    assert SCRIPT not in response.content.decode(), (url, params)


@pytest.mark.parametrize("url", ["/consultations/", "/themes/", "/tags/", "/partners/"])
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(slug=TEXT.filter(lambda s: s.strip(" /?#%")))
def test_unknown_slugs_give_a_404(url, slug, client, paper):
    response = client.get(url + quote(slug.strip(" /?#%"), safe="") + "/")
    assert response.status_code == 404, slug
