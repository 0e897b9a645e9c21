"""Markdown typed by an editor never reaches a public page as live code."""

import re
import xml.etree.ElementTree as ET

import pytest

from tests.factories import make_briefing, make_consultation, make_output, make_part
from web.text import render_markdown

pytestmark = pytest.mark.django_db

ATTACKS = [
    "Before <script>alert('xss')</script> after.",
    'An image <img src="x.png" onerror="alert(1)"> here.',
    '<a href="#" onclick="alert(1)">click me</a>',
    "[a javascript link](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="https://evil.example"></iframe><svg onload=alert(1)></svg>',
]


def assert_inert(html):
    """No element the editor typed can run: only the site's own script files remain."""
    assert not re.search(r"<script\b(?![^>]*\bsrc=\"/static/)", html, re.I), "inline script"
    assert not re.search(r"<[^>]+\son\w+\s*=", html, re.I), "event-handler attribute"
    assert not re.search(r"<[^>]+(href|src)\s*=\s*[\"']?\s*javascript:", html, re.I)
    assert not re.search(r"<(iframe|svg|img)\b", html, re.I)
    assert not re.search(r"<p [^>]*style=", html, re.I)


def body_with(attack):
    return f"Safe words.\n\n{attack}\n\nMore safe words."


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_briefing_body_is_rendered_inert(client, attack):
    briefing = make_briefing(body=body_with(attack))
    response = client.get(briefing.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "More safe words." in html
    assert_inert(html)


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_consultation_introduction_is_rendered_inert(client, attack):
    consultation = make_consultation(introduction=body_with(attack))
    response = client.get(consultation.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "More safe words." in html
    assert_inert(html)


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_part_introduction_is_rendered_inert(client, attack):
    part = make_part(introduction=body_with(attack))
    response = client.get(part.consultation.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "More safe words." in html
    assert_inert(html)


def test_ordinary_markdown_links_still_work(client):
    briefing = make_briefing(body="See [the paper](https://example.org/paper).")
    html = client.get(briefing.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/paper" rel="noopener noreferrer">the paper</a>' in html


AMPERSAND_TEXT = "R&D spend in 2024 < 5%"


def test_an_ampersand_and_a_less_than_are_escaped_once_in_title_and_description(client):
    output = make_output(text=AMPERSAND_TEXT)
    html = client.get(output.get_absolute_url()).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert "R&amp;D spend in 2024 &lt; 5%" in title
    assert description == "R&amp;D spend in 2024 &lt; 5%"
    assert "&amp;amp;" not in html
    assert "&amp;lt;" not in html


def test_an_ampersand_reads_as_itself_in_an_atom_entry_title(client):
    output = make_output(text=AMPERSAND_TEXT)
    feed = ET.fromstring(client.get(f"/actions.atom?q={output.reference}").content)
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert f"{output.reference}: {AMPERSAND_TEXT}" in titles


def test_footnotes_keep_the_ids_and_class_they_need():
    html = render_markdown("A claim.[^1] Again.[^1]\n\n[^1]: The source.")

    [note] = re.findall(r'<li id="(fn-[0-9a-f]{8}:1)">', html)
    reference = note.replace("fn-", "fnref-")
    assert f'<sup id="{reference}">' in html
    assert f'<sup id="{reference.replace("fnref-", "fnref2-")}">' in html, "the second reference"
    assert '<div class="footnote">' in html
    assert html.count(f'href="#{note}"') == 2
    assert f'href="#{reference}"' in html


def test_two_texts_with_footnotes_on_one_page_have_ids_of_their_own():
    first = render_markdown("One.[^1]\n\n[^1]: The first source.")
    second = render_markdown("Two.[^1]\n\n[^1]: The second source.")

    ids = [re.findall(r' id="([^"]+)"', html) for html in (first, second)]
    assert len(ids[0]) == len(ids[1]) == 2
    assert not set(ids[0]) & set(ids[1])
    # Each text's links go to its own notes.
    for html, found in zip((first, second), ids, strict=True):
        assert set(re.findall(r'href="#([^"]+)"', html)) == set(found)


@pytest.mark.parametrize(
    "markdown",
    [
        '<a id="main" href="#x">skip</a>',
        '<div class="site-header">borrowed</div>',
        '<li id="search">item</li>',
        '<sup id="fnref:1x">1</sup>',
        '<div class="footnote site-header">both</div>',
    ],
)
def test_an_editor_cannot_repeat_the_sites_ids_or_borrow_its_classes(markdown):
    html = render_markdown(markdown)

    assert " id=" not in html
    assert " class=" not in html
