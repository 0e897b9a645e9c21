"""One name for each thing on every page, and the main navigation's current section."""

import re

import pytest
from django.urls import reverse

from insights.models import Theme
from workinggroups.models import Output

SECTIONS = {
    "/": None,
    "/consultations/": "Consultations",
    "/consultations/towards-connected-places-2024/": "Consultations",
    "/insights/secure-connected-places/": "Consultations",
    "/working-groups/2024-p1-wg1-place-based-devolution/": "Consultations",
    "/actions/": "Action finder",
    "/actions/SGH24-P1-WG1-CO-01/": "Action finder",
    "/themes/": "Themes",
    "/themes/data-sharing-and-standards/": "Themes",
    "/tags/regional-bodies/": "Themes",
    "/tags/": "Themes",
    "/recurring-findings/": "Recurring findings",
    "/recurring-findings/an-online-wiki-or-database-of-ai-regulation/": "Recurring findings",
    "/progress/": "Progress",
    "/partners/": "Partners",
    "/partners/loti/": "Partners",
    "/search/?q=data": None,
}


@pytest.mark.parametrize("path", SECTIONS)
def test_the_main_navigation_marks_the_current_section(client, paper, path):
    html = client.get(path).content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)
    assert current == ([SECTIONS[path]] if SECTIONS[path] else [])


def test_the_consultation_page_counts_actions_not_outputs(client, paper):
    html = client.get("/consultations/towards-connected-places-2024/").content.decode()
    assert re.search(r"\d+ actions</p>", html)
    assert not re.search(r"\d+ outputs?\b", html)


def test_themes_come_in_one_order_on_every_page(client, paper):
    order = list(Theme.objects.values_list("name", flat=True))

    def in_order(names):
        return [name for name in order if name in names] == names

    finder = client.get(reverse("workinggroups:finder")).content.decode()
    group = finder[finder.index('id="facet-theme"') : finder.index('id="facet-tag"')]
    assert in_order(re.findall(r'<label for="theme-[\w-]+">([^<]+?) <span', group))
    themes = client.get(reverse("browse:themes")).content.decode()
    assert in_order(
        re.findall(r'class="card__heading"><a href="/themes/[\w-]+/">([^<]+)</a>', themes)
    )
    home = client.get("/").content.decode()
    assert in_order(
        re.findall(r'<li><a href="/themes/[\w-]+/">([^<]+)</a> <span class="count">', home)
    )
    output = Output.objects.filter(themes__isnull=False).distinct().first()
    names = [theme.name for theme in output.themes.all()]
    page = client.get(output.get_absolute_url()).content.decode()
    row = page[page.index("<dt>Themes</dt>") :]
    assert re.findall(r'<a href="/themes/[\w-]+/">([^<]+)</a>', row)[: len(names)] == names
    assert in_order(names)


def test_the_home_grid_caption_does_not_repeat_its_heading(client, paper):
    html = client.get("/").content.decode()
    heading = re.search(r'<h2 id="grid-heading">(.*?)</h2>', html, re.S).group(1)
    caption = re.search(r'<caption id="grid-caption">(.*?)</caption>', html, re.S).group(1)
    assert "Towards Connected Places" in heading
    assert "Towards Connected Places" not in caption
