import json
import logging
import sys

from portal.log import JsonFormatter


def make_record(message, *args, **extra):
    record = logging.LogRecord("portal.test", logging.ERROR, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_each_record_is_one_line_of_json():
    line = JsonFormatter().format(make_record("Saved %s\nand more", "SGH24"))

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Saved SGH24\nand more"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "portal.test"
    assert entry["time"].endswith("+00:00")


def test_a_failed_request_is_logged_with_its_status_and_path(rf):
    request = rf.get("/actions/?q=x")

    entry = json.loads(
        JsonFormatter().format(make_record("Not Found", status_code=404, request=request))
    )

    assert (entry["status"], entry["method"], entry["path"]) == (404, "GET", "/actions/")


def test_an_exception_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = make_record("Failed")
        record.exc_info = sys.exc_info()

    entry = json.loads(JsonFormatter().format(record))

    assert "RuntimeError: boom" in entry["exception"]


def test_gunicorn_access_lines_become_fields():
    atoms = {"h": "10.0.0.1", "m": "GET", "U": "/", "q": "", "s": "200", "B": 512, "D": 2500}
    record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(h)s %(s)s", (), None)
    record.args = atoms

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "10.0.0.1 200"
    assert (entry["remote_addr"], entry["status"], entry["duration_ms"]) == ("10.0.0.1", "200", 2.5)
