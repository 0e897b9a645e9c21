"""The Content-Security-Policy breaks nothing a visitor or an editor sees.

Chromium reports each resource or piece of inline code the policy blocks as a
`securitypolicyviolation` event and a console error; both are collected here.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from insights.models import InsightBriefing
from workinggroups.models import Output, WorkingGroup

pytestmark = pytest.mark.browser

PASSWORD = "a-long-admin-passphrase"

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def watched(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    return page


def violations_on(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("load")
    blocked = page.evaluate("window.__violations")
    blocked += [error for error in page.errors if "Content Security Policy" in error]
    page.errors.clear()
    return blocked


def test_public_pages_load_without_a_policy_violation(watched, site, paper):
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
        reverse("browse:themes"),
        reverse("browse:partners"),
        f"{reverse('search:search')}?q=data",
        reverse("opendata:open_data"),
        reverse("opendata:api_docs"),
        "/api/actions/",
    ]

    found = {path: violations_on(watched, site + path) for path in paths}

    assert found == {path: [] for path in paths}


def test_the_admin_works_without_a_policy_violation(watched, site, paper):
    User.objects.create_superuser("ada", "ada@example.org", PASSWORD)
    group = WorkingGroup.objects.published().first()
    watched.goto(site + reverse("admin:login"))
    watched.fill("#id_username", "ada")
    watched.fill("#id_password", PASSWORD)
    watched.click("input[type=submit]")
    watched.wait_for_url(f"**{reverse('admin:index')}")
    paths = [
        reverse("admin:index"),
        reverse("admin:workinggroups_output_changelist"),
        reverse("admin:workinggroups_workinggroup_change", args=[group.pk]),
        reverse("admin:insights_consultation_change", args=[paper.pk]),
        reverse("admin:insights_consultation_add"),
        reverse("admin:auth_user_changelist"),
    ]

    found = {path: violations_on(watched, site + path) for path in paths}

    assert found == {path: [] for path in paths}
