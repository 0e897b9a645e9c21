import json

HEALTH_CHECK = (
    "from django.test import Client\n"
    "response = Client().get('/healthz', secure=True)\n"
    "print('STATUS', response.status_code)\n"
    "print('BODY', response.content.decode().strip())\n"
)


def test_the_health_check_says_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_the_health_check_answers_503_without_details_when_postgresql_is_down(run_django):
    # Nothing listens on port 1: the connection is refused, as for a stopped server.
    result = run_django(HEALTH_CHECK, DATABASE_URL="postgres://postgres@127.0.0.1:1/portal")

    assert result.returncode == 0, result.stderr
    assert "STATUS 503" in result.stdout
    body = result.stdout.split("BODY ", 1)[1].splitlines()[0]
    assert body == "unavailable"
    logged = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    failure = next(entry for entry in logged if entry["logger"] == "portal.views")
    assert failure["level"] == "ERROR"
    assert "connection" in failure["exception"].lower()


def test_the_health_check_answers_503_when_the_sqlite_file_cannot_be_opened(run_django, tmp_path):
    missing = tmp_path / "no-such-folder" / "db.sqlite3"

    result = run_django(HEALTH_CHECK, DATABASE_URL=f"sqlite:///{missing}")

    assert "STATUS 503" in result.stdout
    assert "BODY unavailable" in result.stdout
