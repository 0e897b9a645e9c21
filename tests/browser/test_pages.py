"""The public site in a real browser: the main journey, axe-core on every page type,
a keyboard-only pass through the action finder, and layouts from 320px wide."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from workinggroups.models import Output

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WG1 = "/working-groups/2024-p1-wg1-place-based-devolution/"
WG1_TITLE = "Place-based Devolution \u2013 Big and Small"
THEME, STAGE = "data-sharing-and-standards", "worked_well"

PAGE_TYPES = {
    "home": "/",
    "consultations": "/consultations/",
    "consultation": "/consultations/towards-connected-places-2024/",
    "briefing": "/insights/secure-connected-places/",
    "working group": WG1,
    "output": "/actions/SGH24-P1-WG1-CO-01/",
    "themes": "/themes/",
    "theme": f"/themes/{THEME}/",
    "tag": "/tags/responsible-ai/",
    "partners": "/partners/",
    "partner": "/partners/loti/",
    "finder": f"/actions/?theme={THEME}&stage={STAGE}",
    "search": "/search/?q=data",
    "accessibility": "/accessibility/",
    "contact": "/contact/",
    "privacy": "/privacy/",
    "cookies": "/cookies/",
    "tags": "/tags/",
    "briefings": "/insights/",
    "working groups": "/working-groups/",
    "partners by actions": "/partners/?sort=actions",
    "404": "/no-such-page/",
}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def count_shown(page):
    return int(re.match(r"\d+", page.locator("#result-count").inner_text()).group())


def published(**filters):
    return Output.objects.published().filter(**filters).distinct().count()


def apply_filter(page, selector):
    """Tick a box; the finder's script applies it at once, the Apply button otherwise."""
    before = page.url
    page.check(selector)
    try:
        page.wait_for_url(lambda url: url != before, timeout=3000)
    except Exception:  # no script: apply by hand, as a visitor without JavaScript would
        page.get_by_role("button", name="Apply").click()
        page.wait_for_load_state()


def test_the_main_journey_from_home_to_search(page, site):
    page.goto(site + "/")
    assert page.locator("h1").inner_text().startswith("Findings of public-sector")

    page.get_by_role("link", name=WG1_TITLE).first.click()
    assert page.url == site + WG1
    assert page.locator("h1").inner_text() == WG1_TITLE

    # Each action in the list is one link, reading as its text.
    page.locator('[id="SGH24-P1-WG1-CO-01"] a.output__link').click()
    assert page.url == site + "/actions/SGH24-P1-WG1-CO-01/"
    assert "SGH24-P1-WG1-CO-01" in page.locator(".caption--action").inner_text()
    page.get_by_role("link", name="London Office of Technology and Innovation").click()
    assert page.url == site + "/partners/loti/"
    assert "London Office of Technology and Innovation" in page.locator("h1").inner_text()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Action finder").click()
    apply_filter(page, f'#filters input[name="theme"][value="{THEME}"]')
    apply_filter(page, f'#filters input[name="stage"][value="{STAGE}"]')
    assert f"theme={THEME}" in page.url
    assert f"stage={STAGE}" in page.url
    both = published(themes__slug=THEME, stage=STAGE)
    assert count_shown(page) == both
    assert page.locator("ol.output-list > li.output").count() == both

    page.locator(".active-filters__remove", has_text="Stage").click()
    assert "stage=" not in page.url
    assert page.locator(f'#filters input[name="theme"][value="{THEME}"]').is_checked()
    assert count_shown(page) == published(themes__slug=THEME) > both

    page.get_by_role("search").first.get_by_role("searchbox").fill("Gemini")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=Gemini"))
    assert count_shown(page) >= 1
    assert page.locator('a[href="/actions/SGH24-P2-WG3-CO-01/"]').count() == 1
    assert page.errors == []


def focus_style(page):
    """The focused element's look, and its look once focus leaves it."""
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        const look = () => {
            const s = getComputedStyle(el);
            return [s.outlineStyle, s.outlineColor, s.boxShadow, s.backgroundColor].join("|");
        };
        const focused = look();
        el.blur();
        const unfocused = look();
        el.focus();
        return {focused, unfocused};
    }"""
    )


def active(page, expression):
    return page.evaluate(f"() => {{ const el = document.activeElement; return {expression}; }}")


def tab_until(page, expression, limit=120):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active(page, expression):
            return
    pytest.fail(f"Tab never reached an element where {expression}")


def test_the_finder_works_by_keyboard_alone_with_visible_focus(browser, site):
    # Without JavaScript, as the finder must work: the Apply button applies the filters.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(site + "/actions/")

    page.keyboard.press("Tab")
    assert active(page, "el.classList.contains('skip-link')")
    assert page.locator(".skip-link").bounding_box()["x"] >= 0  # on screen once focused
    look = focus_style(page)
    assert look["focused"] != look["unfocused"]

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active(page, "el.closest('#filters') !== null")

    tab_until(page, f"el.name === 'stage' && el.value === '{STAGE}'")
    look = focus_style(page)
    assert look["focused"] != look["unfocused"]
    page.keyboard.press("Space")
    assert page.locator(f'input[name="stage"][value="{STAGE}"]').is_checked()

    tab_until(page, "el.type === 'submit' && el.closest('#filters') !== null")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Apply"
    look = focus_style(page)
    assert look["focused"] != look["unfocused"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"stage={STAGE}" in page.url
    assert count_shown(page) == published(stage=STAGE)
    context.close()


def test_every_page_type_passes_axe_at_1280px_and_fits_at_320px(browser, site, tmp_path):
    """Zero axe-core WCAG 2.2 AA violations; no sideways scrolling at 320px (the wide
    grid scrolls inside its own box); screenshots of home and a working group at both
    widths, to judge by eye (saved under $SCREENSHOT_DIR when set)."""
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    violations, too_wide, errors = {}, {}, []
    for width in (320, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "response",
            lambda response: (
                errors.append(f"{response.status} {response.url}")
                if response.status >= 400 and response.request.resource_type != "document"
                else None
            ),
        )
        for name, path in PAGE_TYPES.items():
            response = page.goto(site + path)
            assert response.status == (404 if name == "404" else 200), name
            if width == 320:
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    too_wide[name] = overflow
            else:
                found = axe.run(page, options=options).response["violations"]
                if found:
                    violations[name] = [
                        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
                    ]
            if name in ("home", "working group"):
                shot = shots / f"{name.replace(' ', '-')}-{width}.png"
                page.screenshot(path=shot, full_page=True)
        context.close()
    assert violations == {}
    assert too_wide == {}
    assert errors == []
