"""The server's access log keeps no address, user agent or time of day for a reporter."""

import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from oretrace.web.accesslog import PrivateAccessLogger


def _line(path: str, caplog) -> str:
    config = Config()
    config.set("accesslog", "-")
    logger = PrivateAccessLogger(config)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path + "?lang=hi",
        "PATH_INFO": path,
        "QUERY_STRING": "lang=hi",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.23",
        "HTTP_USER_AGENT": "KaiOS-Agent/9",
        "HTTP_REFERER": "https://example.org/from",
    }
    request = SimpleNamespace(
        headers=[("USER-AGENT", "KaiOS-Agent/9"), ("X-FORWARDED-FOR", "198.51.100.23")]
    )
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(seconds=0, microseconds=5))
    return str(logger.cfg.access_log_format % logger.atoms_wrapper_class(atoms))


def test_a_reporter_s_request_leaves_no_trace_of_who_or_when(caplog):
    line = _line("/voice/mica-workplace/", caplog)
    assert "POST /voice/mica-workplace/" in line
    assert " 200 " in line
    for trace in ("198.51.100.23", "KaiOS", "example.org", "lang=hi"):
        assert trace not in line
    stamp = line.split("[", 1)[1].split("]", 1)[0]
    assert ":" not in stamp  # the day, no time of day


def test_other_requests_keep_the_usual_line(caplog):
    line = _line("/risk/", caplog)
    assert "198.51.100.23" in line
    assert "KaiOS-Agent/9" in line
