"""The ``oretrace`` command on a fresh data directory, end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "oretrace"

# A guard against a command that hangs, not a timing check: the production `setup` (every
# migration from nothing, then Brotli on every static file) took over 300 s when the test ran
# on a machine shared by other test runs (load 11), and failed for that alone.
HANG = 900


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-var")


def _oretrace(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORETRACE_")}
    # The tests' password hasher (as in-process tests): the demo's 16 users would otherwise
    # cost 9 s of PBKDF2, which this test is not about.
    env.update(
        ORETRACE_DEBUG="true",
        ORETRACE_DATA_DIR=str(data_dir),
        ORETRACE_FAST_PASSWORD_HASHING="true",
    )
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, env=env, timeout=HANG, check=False
    )


def test_version(data_dir):
    from oretrace import __version__

    result = _oretrace("version", data_dir=data_dir)
    assert result.stdout.strip() == f"oretrace {__version__}"


def test_check_reports_an_unprepared_database(data_dir):
    result = _oretrace("check", data_dir=data_dir)
    assert result.returncode == 1
    assert "not applied: run `oretrace setup`" in result.stderr


def test_setup_demo_check_sequence_is_idempotent(data_dir, production_data):
    # the database `setup` migrated from nothing in production mode (below), set up again in
    # debug mode: an upgrade with nothing to migrate (migrating from nothing is tested once)
    shutil.copyfile(production_data / "oretrace.sqlite3", data_dir / "oretrace.sqlite3")
    setup = _oretrace("setup", data_dir=data_dir)
    assert setup.returncode == 0, setup.stderr
    assert "database migrated, reference data loaded" in setup.stdout
    first = _oretrace("demo", data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert "12 organisations, 15 users, 16 new memberships" in first.stdout
    assert "compliance@aurelia.example" in first.stdout
    second = _oretrace("demo", data_dir=data_dir)
    assert "0 new memberships" in second.stdout
    check = _oretrace("check", data_dir=data_dir)
    assert check.returncode == 0, check.stderr
    assert "all checks passed" in check.stdout


def test_pass_through_to_django(data_dir):
    result = _oretrace("showmigrations", "core", data_dir=data_dir)
    assert result.returncode == 0
    assert "0001_initial" in result.stdout


def test_unknown_command_fails_clearly(data_dir):
    result = _oretrace("frobnicate", data_dir=data_dir)
    assert result.returncode != 0
    assert "Unknown command: 'frobnicate'" in result.stderr


def _production(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORETRACE_")}
    env.update(
        ORETRACE_DATA_DIR=str(data_dir),
        ORETRACE_ALLOWED_HOSTS="x.example",
        ORETRACE_SECRET_KEY="k" * 20 + "Zq8-Lp3_Xr7-Mn2_Vb6-Tc1_Wy5-Hd9_Gf4",
    )
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, env=env, timeout=HANG, check=False
    )


def test_demo_refuses_production_mode_without_force(tmp_path):
    result = _production("demo", data_dir=tmp_path)
    assert result.returncode == 1
    assert "needs --force" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "oretrace.sqlite3").exists()  # refused before touching the database


@pytest.fixture(scope="module")
def production_data(tmp_path_factory) -> Path:
    """A data directory that does not exist yet, after `oretrace setup` in production mode
    (every migration from an empty database; the debug sequence above starts from a copy)."""
    data = tmp_path_factory.mktemp("production") / "not" / "yet" / "there"
    result = _production("setup", data_dir=data)
    assert result.returncode == 0, result.stderr
    return data


def test_production_setup_creates_its_data_directory(production_data):
    assert (production_data / "oretrace.sqlite3").exists()
    static = production_data / "static"
    css = json.loads((static / "staticfiles.json").read_text())["paths"]["web/oretrace.css"]
    assert css != "web/oretrace.css"
    assert (static / css).exists()
    assert (static / f"{css}.br").exists()  # compressed
    assert not (static / "web" / "oretrace.css").exists()  # pages name only the hashed copy


def test_check_deploy_reports_warnings_of_a_local_trial(data_dir):
    result = _oretrace("check", "--deploy", data_dir=data_dir)
    assert result.returncode == 1
    assert "security.W018" in result.stderr  # DEBUG on is not a deployment
