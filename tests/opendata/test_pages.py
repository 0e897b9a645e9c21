import re

from django.urls import reverse

from opendata.exports import COLUMNS
from workinggroups.filters import OutputFilter
from workinggroups.models import Output


def test_open_data_page_says_what_to_download_and_under_which_licence(client, paper):
    response = client.get(reverse("opendata:open_data"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Open Government Licence v3.0" in html
    assert 'rel="license"' in html
    for url in ("/actions.csv", "/actions.atom", "/insights.atom", "/api/docs/", "/api/schema/"):
        assert f'href="{url}"' in html
    assert f'href="/api/consultations/{paper.slug}/export/"' in html
    assert "curl 'http://testserver/api/actions/?stage=practical_steps'" in html
    assert "<script" not in html
    assert "style=" not in html


def test_open_data_page_documents_every_csv_column_and_api_field(client, paper):
    html = client.get(reverse("opendata:open_data")).content.decode()
    for name, _meaning in COLUMNS:
        assert f"<code>{name}</code>" in html
    for name in OutputFilter.base_filters:
        assert f"<code>{name}</code>" in html
    for field in ("reference", "stage_label", "working_group", "aliases", "output_count"):
        assert f"<code>{field}</code>" in html
    assert 'id="Output"' in html
    assert 'id="Partner"' in html


def test_the_partner_csv_example_is_a_real_partner_with_actions(client, paper):
    html = client.get(reverse("opendata:open_data")).content.decode()
    slug = re.search(r'href="/actions\.csv\?partner=([\w-]+)"', html).group(1)
    response = client.get(f"/actions.csv?partner={slug}")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = content.strip().splitlines()[1:]
    assert len(rows) == Output.objects.published().filter(partners__slug=slug).count() > 0


def test_every_page_links_the_open_data_page_in_its_footer(client, paper):
    html = client.get(reverse("browse:home")).content.decode()
    footer = html[html.index('<footer class="site-footer"') :]
    assert f'href="{reverse("opendata:open_data")}"' in footer
