"""Start-up configuration: clear messages for bad settings, a clean deployment check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from oretrace.conf import database_from_url

BIN = Path(sys.executable).parent
GOOD_SECRET = "s3cr3t-" + "x7Qp9LmZ2vK8wR4tY6uI0oP1aS3dF5gH7jK9lZ" + "-local-test-key-42"


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORETRACE_")}
    clean.update({"ORETRACE_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(args, capture_output=True, text=True, env=clean, timeout=120, check=False)


def _check(folder, **env):
    """``oretrace check`` in ``folder`` with the environment ``env``."""
    return _run([str(BIN / "oretrace"), "check"], folder, **env)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres//user@host/db", "is not a URL"),
        ("mysql://u:p@h/db", "supports sqlite and postgres"),
        ("postgres://u:secret@db.example:notaport/oretrace", "could not be read"),
        ("postgres://u:secret@db.example:5432/", "names no database"),
        ("sqlite://", "needs an absolute database file path"),
        ("sqlite:///relative.sqlite3", "needs an absolute database file path"),
    ],
)
def test_malformed_database_url_is_explained(url, message):
    with pytest.raises(ImproperlyConfigured, match=message) as info:
        database_from_url(url)
    assert "secret" not in str(info.value)


def test_good_database_urls():
    pg = database_from_url("postgres://ore:pw@127.0.0.1:5433/oretrace")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["PORT"], pg["NAME"]) == ("127.0.0.1", 5433, "oretrace")
    assert database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"


def test_malformed_database_url_stops_the_cli(tmp_path):
    result = _check(
        tmp_path,
        ORETRACE_DEBUG="true",
        ORETRACE_DATABASE_URL="mysql://u:p@h/db",
    )
    assert result.returncode == 2
    assert "ORETRACE_DATABASE_URL uses the scheme 'mysql'" in result.stderr


def test_production_mode_refuses_to_start_without_secret(tmp_path):
    result = _check(tmp_path, ORETRACE_ALLOWED_HOSTS="x.example")
    assert result.returncode == 2
    assert "ORETRACE_SECRET_KEY is not set" in result.stderr


def test_production_mode_refuses_weak_secret_and_missing_hosts(tmp_path):
    weak = _check(
        tmp_path,
        ORETRACE_SECRET_KEY="short",
        ORETRACE_ALLOWED_HOSTS="x.example",
    )
    assert "too weak" in weak.stderr
    no_hosts = _check(tmp_path, ORETRACE_SECRET_KEY=GOOD_SECRET)
    assert no_hosts.returncode == 2
    assert "ORETRACE_ALLOWED_HOSTS is not set" in no_hosts.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ORETRACE_TIME_ZONE", "Mars/Olympus", "is not a known time zone"),
        ("ORETRACE_LOG_LEVEL", "chatty", "is not one of: debug, info"),
        ("ORETRACE_API_PAGE_SIZE", "600", "exceeds ORETRACE_API_MAX_PAGE_SIZE=500"),
        ("ORETRACE_EMAIL_PORT", "smtp", "is not an integer"),
        (
            "ORETRACE_LEDGER_WITNESS_QUORUM",
            "2",
            "ORETRACE_LEDGER_WITNESS_QUORUM=2 exceeds the 0 witness(es)",
        ),
    ],
)
def test_bad_values_stop_with_one_line(tmp_path, variable, value, message):
    result = _check(
        tmp_path,
        ORETRACE_DEBUG="true",
        ORETRACE_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        **{variable: value},
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_log_level_is_case_insensitive(tmp_path):
    result = _run([str(BIN / "oretrace"), "version"], tmp_path, ORETRACE_LOG_LEVEL="DEBUG")
    assert result.returncode == 0


def test_bad_worker_count_is_an_argument_error(tmp_path):
    version = _run([str(BIN / "oretrace"), "version"], tmp_path, ORETRACE_WEB_WORKERS="many")
    assert version.returncode == 0  # only `serve` reads it
    result = _run([str(BIN / "oretrace"), "serve"], tmp_path, ORETRACE_WEB_WORKERS="many")
    assert result.returncode == 2
    assert "'many' is not a whole number" in result.stderr


def test_bad_boolean_is_named(tmp_path):
    result = _check(tmp_path, ORETRACE_DEBUG="maybe")
    assert "ORETRACE_DEBUG='maybe' is not a boolean" in result.stderr


def test_deployment_check_is_clean_in_production_mode(tmp_path):
    result = _run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_SETTINGS_MODULE="oretrace.settings",
        ORETRACE_SECRET_KEY=GOOD_SECRET,
        ORETRACE_ALLOWED_HOSTS="oretrace.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_local_trial_generates_and_keeps_a_secret_key(tmp_path):
    args = [
        sys.executable,
        "-c",
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='oretrace.settings';"
        "django.setup();from django.conf import settings;print(settings.SECRET_KEY)",
    ]
    first = _run(args, tmp_path, ORETRACE_DEBUG="true")
    second = _run(args, tmp_path, ORETRACE_DEBUG="true")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_an_accepted_deployment_warning_can_be_silenced(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "oretrace.settings",
        "ORETRACE_SECRET_KEY": GOOD_SECRET,
        "ORETRACE_ALLOWED_HOSTS": "oretrace.example.org",
        "ORETRACE_SECURE_HSTS_PRELOAD": "false",
    }
    args = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
    assert "security.W021" in _run(args, tmp_path, **env).stderr
    silenced = _run(args, tmp_path, **env, ORETRACE_SILENCED_CHECKS="security.W021")
    assert silenced.returncode == 0, silenced.stderr
