"""The Content-Security-Policy breaks nothing a visitor or an editor sees.

A real Chromium loads each page and reports every resource or inline code the
policy blocked, through console errors and `securitypolicyviolation` events.
"""

import os
import shutil

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from insights.models import InsightBriefing
from workinggroups.models import Output, WorkingGroup

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a-long-admin-passphrase"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and not os.environ.get("CI"),
        reason=f"no Chromium at {CHROMIUM}",
    ),
]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, monkeypatch):
    # Playwright's event loop runs in this thread; the test's own queries are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    yield page
    context.close()


def violations_on(page, path):
    response = page.goto(path)
    assert response.status == 200, path
    page.wait_for_load_state("load")
    blocked = page.evaluate("window.__violations")
    blocked += [text for text in page.console_errors if "Content Security Policy" in text]
    page.console_errors.clear()
    return blocked


def test_public_pages_load_without_a_policy_violation(page, paper):
    briefing = InsightBriefing.objects.published().first()
    group = WorkingGroup.objects.published().first()
    output = Output.objects.published().first()
    paths = [
        "/",
        paper.get_absolute_url(),
        briefing.get_absolute_url(),
        group.get_absolute_url(),
        output.get_absolute_url(),
        f"{reverse('workinggroups:finder')}?stage=practical_steps",
        reverse("insights:themes"),
        reverse("insights:partners"),
        f"{reverse('search:search')}?q=data",
        reverse("opendata:open_data"),
        reverse("opendata:api_docs"),
    ]

    found = {path: violations_on(page, path) for path in paths}

    assert found == {path: [] for path in paths}


def test_the_admin_works_without_a_policy_violation(page, paper):
    User.objects.create_superuser("ada", "ada@example.org", PASSWORD)
    group = WorkingGroup.objects.published().first()
    page.goto(reverse("admin:login"))
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{reverse('admin:index')}")
    paths = [
        reverse("admin:index"),
        reverse("admin:workinggroups_output_changelist"),
        reverse("admin:workinggroups_workinggroup_change", args=[group.pk]),
        reverse("admin:insights_consultation_change", args=[paper.pk]),
        reverse("admin:insights_consultation_add"),
        reverse("admin:auth_user_changelist"),
    ]

    found = {path: violations_on(page, path) for path in paths}

    assert found == {path: [] for path in paths}
