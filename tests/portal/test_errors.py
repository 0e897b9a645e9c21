import pytest
from django.db import connection


@pytest.fixture
def database_down(django_db_blocker):
    """The site's database connection pointed at a database that is not there.

    The open connection is set aside, not closed, and given back afterwards:
    closing SQLite's in-memory test database would destroy it for every test
    that follows."""
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        kept = connection.connection
        connection.connection = None
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent/directory/portal.sqlite3"
        else:
            connection.settings_dict["PORT"] = "1"  # nothing listens there
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            connection.connection = kept


@pytest.mark.parametrize("accept", ["text/html", "application/json", "*/*", ""])
@pytest.mark.parametrize("path", ["/api/actions/", "/api/actions/?q=data", "/api/consultations/"])
def test_with_the_database_down_the_api_answers_in_json(client, database_down, path, accept):
    client.raise_request_exception = False
    response = client.get(path, headers={"accept": accept} if accept else {})

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Server error. Try again later."}


def test_with_the_database_down_pages_still_answer_with_the_error_page(client, database_down):
    client.raise_request_exception = False
    response = client.get("/actions/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
