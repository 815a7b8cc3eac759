"""The server's access log holds no line about a reporter's requests (nor the files that
their pages load): no address, user agent or time."""

import datetime
import io
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from oretrace.web.accesslog import PrivateAccessLogger

AGENT = "KaiOS-Agent/9"


def _log(path: str) -> str:
    config = Config()
    config.set("accesslog", "-")
    logger = PrivateAccessLogger(config)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.23",
        "HTTP_USER_AGENT": AGENT,
    }
    request = SimpleNamespace(headers=[("USER-AGENT", AGENT)])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(response, request, environ, datetime.timedelta(microseconds=5))
    return stream.getvalue()


@pytest.mark.parametrize(
    "path",
    ["/voice/mica-workplace/", "/voice/x/follow/", "/static/web/oretrace.css", "/favicon.ico"],
)
def test_a_reporter_s_requests_are_not_logged(path):
    assert _log(path) == ""


def test_other_requests_keep_the_usual_line():
    line = _log("/risk/")
    assert "198.51.100.23" in line
    assert AGENT in line
    assert "POST /risk/" in line
