import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from insights.models import InsightBriefing
from workinggroups.filters import OutputFilter

ENDPOINTS = [
    "/api/actions/",
    "/api/actions/{reference}/",
    "/api/consultations/",
    "/api/consultations/{slug}/",
    "/api/consultations/{slug}/export/",
    "/api/insights/",
    "/api/insights/{slug}/",
    "/api/working-groups/",
    "/api/working-groups/{slug}/",
    "/api/partners/",
    "/api/partners/{slug}/",
    "/api/themes/",
    "/api/themes/{slug}/",
    "/api/tags/",
    "/api/tags/{slug}/",
    "/api/commitments/",
    "/api/actions/{reference}/similar/",
    "/api/recurring-findings/",
    "/api/recurring-findings/{slug}/",
]


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_describing_every_endpoint_read_only(openapi):
    assert openapi["openapi"].startswith("3.")
    assert sorted(openapi["paths"]) == sorted(ENDPOINTS)
    for operations in openapi["paths"].values():
        assert set(operations) == {"get"}


def test_actions_take_exactly_the_finders_parameters(openapi):
    parameters = {p["name"] for p in openapi["paths"]["/api/actions/"]["get"]["parameters"]}
    assert parameters == {*OutputFilter.base_filters, "page"}


def test_docs_page_lists_endpoints_parameters_and_fields_without_scripts(client, db):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    for endpoint in ENDPOINTS:
        assert f"GET {endpoint}" in html
    for name in OutputFilter.base_filters:
        assert f"<code>{name}</code>" in html
    assert 'id="Output"' in html
    assert "<code>stage_label</code>" in html
    assert "<script" not in html
    assert "style=" not in html


# A well-formed slug that names nothing is answered 400 by design (the schema
# says so); every other check keeps schemathesis's defaults.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404"]}}}
)


@pytest.fixture
def connection_kept_open():
    """Django's own test client does the same: a plain WSGI call would otherwise
    close the database connection after each request, and the test's
    transaction (with the shipped paper in it) with it."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api(paper, connection_kept_open):
    """The API as schemathesis sees it, through the WSGI app; that app runs
    inside this test's transaction, so it serves the shipped paper."""
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
    )


def test_the_api_conforms_to_its_schema_and_never_fails(api):
    """Schemathesis calls every operation with 50 sets of generated parameters, valid
    and invalid (`?page=`, `?stage=`), and runs all its checks on each answer: no
    server error, invalid data refused, status, content type and body as the
    schema says."""
    calls = []
    for result in api.get_all_operations():
        operation = result.ok()
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=50,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            calls.append(case.call_and_validate().status_code)

        check()
    assert len(calls) >= len(ENDPOINTS)


def test_real_answers_of_every_operation_match_the_schema(api, busiest_theme):
    """Random values mostly name nothing (404, 400): check a real one of each too."""
    real = {
        "reference": "SGH24-P1-WG3-PS-02",
        "/api/consultations/": "towards-connected-places-2024",
        "/api/insights/": InsightBriefing.objects.published().first().slug,
        "/api/working-groups/": "2024-p1-wg1-place-based-devolution",
        "/api/partners/": "socitm",
        "/api/themes/": busiest_theme.slug,
        "/api/tags/": "health",
        "/api/recurring-findings/": "data-standards",
    }
    checked = []
    for result in api.get_all_operations():
        operation = result.ok()
        if "{reference}" in operation.path:
            parameters = {"reference": real["reference"]}
        elif "{slug}" in operation.path:
            parameters = {"slug": real[operation.path.split("{")[0]]}
        else:
            parameters = {}
        query = {}
        if operation.path == "/api/actions/":
            query = {"theme": [busiest_theme.slug], "stage": ["practical_steps", "collaboration"]}
        case = operation.Case(path_parameters=parameters, query=query)
        response = case.call_and_validate()
        assert response.status_code == 200, operation.path
        checked.append(operation.path)
    assert sorted(checked) == sorted(ENDPOINTS)
