"""The progress pages in a real browser, holding the fictitious example commitments:
axe-core WCAG 2.2 AA, no sideways scrolling at 320px, and the tracker by keyboard."""

from pathlib import Path

import pytest

from insights.models import Organisation
from progress.services import import_progress
from tests.browser.sweep import sweep
from tests.browser.test_pages import count_shown

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COUNCIL = "example-fictitious-borough-council"
PAGES = {
    "tracker": "/progress/",
    "tracker filtered": "/progress/?status=in_progress&sort=updated",
    "action with commitments": "/actions/SGH24-P1-WG3-PS-02/",
    "action without": "/actions/SGH24-P1-WG1-CO-01/",
    "partner with commitments": f"/partners/{COUNCIL}/",
    "home": "/",
    "working group": "/working-groups/2024-p1-wg3-power-of-data/",
    "consultation": "/consultations/towards-connected-places-2024/",
}


@pytest.fixture
def examples(site, browser):
    for slug in (COUNCIL, "example-fictitious-data-trust"):
        Organisation.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ")})
    for name in ("progress-commitments.csv", "progress-updates.csv"):
        import_progress(name, (EXAMPLES / name).read_bytes())
    return site


def test_progress_pages_pass_axe_and_fit_at_320px(browser, examples):
    violations, too_wide, errors = sweep(
        browser, examples, PAGES, axe_widths=(1280,), console_errors=True
    )
    assert violations == {}
    assert too_wide == {}
    assert errors == []


def test_the_tracker_filters_by_keyboard_alone(browser, examples):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(examples + "/progress/")
    assert count_shown(page) == 3

    def tab_to(selector, limit=80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#status-paused")
    page.keyboard.press("Space")
    tab_to("#filters button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "status=paused" in page.url
    assert count_shown(page) == 1
    context.close()
