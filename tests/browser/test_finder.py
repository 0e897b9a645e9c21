"""The action finder in a real browser, at a phone's width and a desktop's: a change
updates the results in place (no page load, no history entry), focus stays on the
control, the new count is announced, and the page stays axe-clean."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from workinggroups.models import Output, WorkingGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
STAGE, THEME = "practical_steps", "data-sharing-and-standards"


def published(**filters):
    return Output.objects.published().filter(**filters).distinct().count()


def count_shown(page):
    return int(re.match(r"\d+", page.locator("#result-count").inner_text()).group())


def axe_violations(page):
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    found = Axe().run(page, options=options).response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found]


def mark_the_page(page):
    """Remember this document and its live region: a page load would lose both."""
    page.evaluate(
        """() => {
        window.__sameDocument = true;
        document.getElementById("result-count").__sameRegion = true;
        window.__historyLength = history.length;
    }"""
    )


def still_the_same_page(page):
    return page.evaluate(
        """() => window.__sameDocument === true
            && document.getElementById("result-count").__sameRegion === true
            && history.length === window.__historyLength"""
    )


def wait_for_count(page, count):
    page.wait_for_function(
        "n => parseInt(document.getElementById('result-count').textContent, 10) === n"
        " && !document.querySelector('.finder').hasAttribute('aria-busy')",
        arg=count,
    )


def focused_id(page):
    return page.evaluate("document.activeElement.id")


@pytest.fixture(params=[320, 1280], ids=["320px", "1280px"])
def tab(request, browser, site):
    context = browser.new_context(viewport={"width": request.param, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.width = request.param
    page.goto(site + "/actions/")
    yield page
    context.close()


def open_filters_if_narrow(page):
    toggle = page.get_by_role("button", name=re.compile(r"^Filter"))
    if page.width < 600:
        assert toggle.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("#filters").is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
    else:
        assert not toggle.is_visible()
    assert page.locator("#filters").is_visible()


def test_the_count_and_first_results_come_first_on_a_phone(tab):
    first = tab.locator("ol.output-list > li.output").first
    count = tab.locator("#result-count").bounding_box()
    if tab.width == 320:
        # Both on the first screen, the filters out of the way behind the button.
        assert count["y"] < 800
        assert first.bounding_box()["y"] < 800
        assert not tab.locator("#filters").is_visible()
    else:
        assert count["y"] < tab.locator(".output-list").bounding_box()["y"]
    assert tab.errors == []


def test_ticking_a_box_updates_the_results_in_place_keeps_focus_and_announces(tab, site):
    open_filters_if_narrow(tab)
    mark_the_page(tab)
    box = tab.locator(f"#stage-{STAGE}")
    box.focus()
    tab.keyboard.press("Space")
    wait_for_count(tab, published(stage=STAGE))

    assert still_the_same_page(tab)
    assert focused_id(tab) == f"stage-{STAGE}"
    assert tab.locator(f"#stage-{STAGE}").is_checked()
    assert tab.locator("#result-count").get_attribute("role") == "status"
    assert tab.url == f"{site}/actions/?stage={STAGE}"
    assert tab.locator("ol.output-list > li.output").count() == min(published(stage=STAGE), 25)
    assert tab.locator("#facet-stage .facet__count").inner_text() == "1 selected"
    assert "(1 applied)" in tab.locator(".finder__toggle").inner_text()

    tab.locator(f"#theme-{THEME}").check()
    wait_for_count(tab, published(stage=STAGE, themes__slug=THEME))
    assert still_the_same_page(tab)
    assert focused_id(tab) == f"theme-{THEME}"
    assert tab.url == f"{site}/actions/?stage={STAGE}&theme={THEME}"
    # The chosen options are listed first in their group.
    first = tab.locator("#facet-theme .facet__option input").first
    assert first.get_attribute("value") == THEME
    assert axe_violations(tab) == []
    assert tab.errors == []


def test_arrowing_through_a_dropdown_loads_no_page_and_adds_no_history(tab, site):
    open_filters_if_narrow(tab)
    group = tab.locator("#facet-working_group")
    group.locator("summary").click()
    mark_the_page(tab)
    tab.locator("#finder-working_group").focus()
    for _ in range(3):
        tab.keyboard.press("ArrowDown")
    chosen = tab.locator("#finder-working_group").input_value()
    assert chosen
    wait_for_count(tab, published(working_group__slug=chosen))

    assert still_the_same_page(tab)
    assert focused_id(tab) == "finder-working_group"
    assert tab.url == f"{site}/actions/?working_group={chosen}"
    assert group.get_attribute("open") is not None  # the group the visitor opened stays open
    assert (
        WorkingGroup.objects.get(slug=chosen).title in tab.locator(".active-filters").inner_text()
    )
    assert tab.errors == []


def test_sorting_updates_in_place_and_keeps_focus(tab, site):
    mark_the_page(tab)
    tab.locator("#finder-sort").focus()
    tab.locator("#finder-sort").select_option("-reference")
    tab.wait_for_url(f"{site}/actions/?sort=-reference")
    wait_for_count(tab, published())
    assert still_the_same_page(tab)
    assert focused_id(tab) == "finder-sort"
    last = Output.objects.published().order_by("-reference").first()
    assert tab.locator("li.output").first.get_attribute("id") == last.reference


def test_words_apply_with_enter_and_a_long_group_narrows_as_you_type(tab, site):
    open_filters_if_narrow(tab)
    tab.locator("#finder-q").fill("Gemini")
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{site}/actions/?q=Gemini")
    assert count_shown(tab) >= 1
    assert focused_id(tab) == "finder-q"

    tab.goto(site + "/actions/")
    open_filters_if_narrow(tab)
    tab.get_by_label("Find a theme").fill("ai ")
    shown = tab.locator("#facet-theme .facet__option:visible label")
    names = [re.sub(r"\s*\(\d+\)$", "", text) for text in shown.all_inner_texts()]
    assert names == ["AI governance and ethics", "AI in public services"]
    assert axe_violations(tab) == []


def test_without_javascript_the_filters_are_reachable_and_the_form_applies(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/actions/")
    assert not page.get_by_role("button", name=re.compile(r"^Filter")).is_visible()
    # The count first; then the filter groups, collapsed but for the short ones.
    assert page.locator("#result-count").bounding_box()["y"] < 800
    assert page.locator("#filters").is_visible()
    assert page.locator("#facet-tag").get_attribute("open") is None
    page.locator("#facet-tag summary").click()
    page.locator("#facet-tag input[type=checkbox]").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    # Without the script the browser sends every field; the page reads only the filled ones.
    sent = parse_qs(urlsplit(page.url).query)  # blank values dropped
    assert set(sent) == {"tag", "sort"}
    assert count_shown(page) == published(tags__slug=sent["tag"][0])
    assert page.locator("#facet-tag").get_attribute("open") is not None
    assert page.locator("#facet-tag .facet__count").inner_text() == "1 selected"
    context.close()


def test_the_home_grid_reflows_at_320px_without_cutting_its_caption(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(site + "/")
    box = page.locator(".table-scroll")
    fits = box.evaluate("el => el.scrollWidth <= el.clientWidth")
    caption = page.locator("#grid-caption").bounding_box()
    assert fits
    assert caption["x"] >= 0
    assert caption["x"] + caption["width"] <= 320
    # The stages' marks head the columns; the key above names them.
    assert page.locator(".grid-key").is_visible()
    key = [" ".join(text.split()) for text in page.locator(".grid-key li").all_inner_texts()]
    assert key == ["WW Worked well", "CN Changes needed", "PS Practical steps", "CO Collaboration"]
    context.close()
