"""The accessibility statement, the contact, privacy and cookies pages, the footer
and the phase banner."""

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import make_output

PAGES = ["accessibility", "contact", "privacy", "cookies"]


def text_of(response):
    return response.content.decode()


def test_accessibility_statement_gives_a_psbar_status_and_what_is_not_compliant(client, db):
    html = text_of(client.get(reverse("browse:accessibility")))
    statuses = re.findall(r"This website is (fully|partially|not) compliant with", html)
    assert statuses == ["partially"]
    assert "Web Content Accessibility Guidelines version 2.2</a> AA standard" in html
    assert "Non-compliance with the accessibility regulations" in html
    assert "The editors' admin has not yet been checked" in html


def test_accessibility_statement_names_the_contact_and_the_enforcement_procedure(
    client, db, settings
):
    settings.CONTACT_EMAIL = "access@council.example.org"
    settings.SITE_OWNER = "Example Council (fictitious)"
    html = text_of(client.get(reverse("browse:accessibility")))
    assert '<a href="mailto:access@council.example.org">access@council.example.org</a>' in html
    assert "This website is run by Example Council (fictitious)." in html
    assert "Equality and Human Rights Commission (EHRC)" in html
    assert "Equality Advisory and Support Service (EASS)" in html
    assert "Equality Commission for Northern Ireland (ECNI)" in html


@pytest.mark.parametrize("page", PAGES)
def test_every_page_links_the_site_pages_from_the_footer_but_not_the_sitemap(client, db, page):
    html = text_of(client.get(reverse(f"browse:{page}")))
    footer = html[html.index('<footer class="site-footer">') :]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer)
    assert links == [
        ("/accessibility/", "Accessibility statement"),
        ("/contact/", "Contact"),
        ("/privacy/", "Privacy"),
        ("/cookies/", "Cookies"),
        ("/open-data/", "Open data"),
    ]
    assert "sitemap" not in footer.lower()


def test_the_contact_page_gives_the_owner_and_address_from_the_settings(client, db, settings):
    settings.CONTACT_EMAIL = "portal@council.example.org"
    settings.SITE_OWNER = "Example Council (fictitious)"
    html = text_of(client.get(reverse("browse:contact")))
    assert "The Connected Places Portal is run by Example Council (fictitious)." in html
    assert 'href="mailto:portal@council.example.org"' in html
    assert "Run by Example Council (fictitious)." in html  # the footer


def test_without_a_contact_address_no_empty_mail_link_is_shown(client, db, settings):
    settings.CONTACT_EMAIL = ""
    for page in PAGES:
        assert 'href="mailto:' not in text_of(client.get(reverse(f"browse:{page}")))


def test_the_phase_banner_shows_only_when_set(client, db, settings):
    assert "phase-banner" not in text_of(client.get(reverse("browse:contact")))
    settings.PHASE_BANNER = "Beta"
    html = text_of(client.get(reverse("browse:contact")))
    assert '<strong class="phase-banner__tag">Beta</strong>' in html
    assert f'Your <a href="mailto:{django_settings.CONTACT_EMAIL}">feedback</a>' in html


def test_the_site_pages_are_in_the_sitemap(client, db):
    xml = text_of(client.get(reverse("sitemap")))
    for page in PAGES:
        assert f"<loc>http://testserver/{page}/</loc>" in xml


# The cookies page says the public pages set no cookies and names the admin's:
# these check that it is so.

PUBLIC_PAGES = [
    "/",
    "/actions/",
    "/actions/?theme=nothing-like-it",
    "/search/?q=data",
    "/themes/",
    "/partners/",
    "/consultations/",
    "/accessibility/",
    "/cookies/",
    "/api/actions/",
    "/actions.csv",
]


def test_reading_the_site_sets_no_cookie(client, db):
    make_output(text="An action to read.")
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, list(response.cookies))


def test_the_cookies_page_names_every_cookie_an_editor_gets(client, editor):
    html = text_of(client.get(reverse("browse:cookies")))
    named = set(re.findall(r"<td><code>([^<]+)</code></td>", html))

    login = client.get(reverse("admin:login"))
    got = set(login.cookies)
    client.post(
        reverse("admin:login"),
        {"username": "edna", "password": "a-long-editor-passphrase", "next": "/admin/"},
    )
    got |= set(client.cookies)
    assert {django_settings.CSRF_COOKIE_NAME, django_settings.SESSION_COOKIE_NAME} <= got
    assert got <= named
    assert "messages" in named
    assert "after 2 hours without a request" in html
