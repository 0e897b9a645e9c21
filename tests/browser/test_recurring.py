"""The recurring-finding pages in a real browser: axe-core WCAG 2.2 AA at 320px and
1280px, no sideways scrolling at 320px, and the finder's removable filter."""

import pytest

from tests.browser.sweep import sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "list": "/recurring-findings/",
    "detail": "/recurring-findings/an-online-wiki-or-database-of-ai-regulation/",
    "action": "/actions/SGH24-P2-WG2-CO-06/",
    "consultation 2023": "/consultations/threats-and-opportunities-of-ai-2023/",
    "home": "/",
    "finder": "/actions/?recurring=guidance-on-the-new-procurement-act&sort=recurrence",
}


def test_recurring_pages_pass_axe_and_fit_at_320px(browser, site):
    violations, too_wide, errors = sweep(browser, site, PAGES)
    assert violations == {}
    assert too_wide == {}
    assert errors == []


def test_a_reader_follows_a_finding_from_the_action_to_the_finder_and_back(page, site):
    page.goto(site + "/actions/SGH24-P2-WG1-PS-01/")
    page.get_by_role("link", name="Guidance on the new Procurement Act").first.click()
    assert page.locator("h1").inner_text() == "Guidance on the new Procurement Act"
    page.get_by_role("link", name="These actions in the action finder").click()
    assert "recurring=guidance-on-the-new-procurement-act" in page.url
    assert "Guidance on the new Procurement Act" in page.locator("main").inner_text()
    assert page.errors == []
