"""Typed readers for the ``ORETRACE_*`` environment variables.

Every variable the settings read goes through one of these helpers, so that a wrong value is
reported with the variable's name and what was expected, before Django starts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PREFIX = "ORETRACE_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    return os.environ.get(PREFIX + name)


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable as text, or ``default`` when it is unset."""
    value = _raw(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    """Return the variable as a boolean; accept 1/0, true/false, yes/no, on/off."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{PREFIX}{name}={value!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the variable as an integer, checking an optional lower bound."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{PREFIX}{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    """Return the variable as an absolute path (relative paths resolve against the cwd)."""
    value = _raw(name)
    return (Path(value.strip()) if value else default).expanduser().resolve()


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Return the variable, which must be one of ``choices``."""
    value = (_raw(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_time_zone(name: str, default: str) -> str:
    """Return an IANA time zone name that this system knows, e.g. ``Asia/Kolkata``."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = env_str(name, default) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{PREFIX}{name}={value!r} is not a known time zone (e.g. UTC, Asia/Kolkata)."
        ) from None
    return value


SUPPORTED_DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "postgresql": "PostgreSQL"}


def database_from_url(url: str) -> dict[str, Any]:
    """Parse ``ORETRACE_DATABASE_URL`` into a ``DATABASES`` entry, or explain what is wrong."""
    scheme, sep, _rest = url.partition("://")
    example = "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////absolute/path/oretrace.sqlite3"
    if not sep:
        raise ImproperlyConfigured(
            f"{PREFIX}DATABASE_URL={_redact(url)!r} is not a URL; expected {example}."
        )
    if scheme.lower() not in SUPPORTED_DATABASES:
        raise ImproperlyConfigured(
            f"{PREFIX}DATABASE_URL uses the scheme {scheme!r}; oretrace supports sqlite and "
            f"postgres (expected {example})."
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{PREFIX}DATABASE_URL={_redact(url)!r} could not be read: {exc}; expected {example}."
        ) from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(
            f"{PREFIX}DATABASE_URL={_redact(url)!r} names no database; expected {example}."
        )
    if config["ENGINE"].endswith("sqlite3") and not Path(config["NAME"]).is_absolute():
        raise ImproperlyConfigured(
            f"{PREFIX}DATABASE_URL={url!r} needs an absolute database file path (four slashes: "
            "sqlite:////var/lib/oretrace/oretrace.sqlite3); an in-memory or relative database "
            "would not be shared by the web server and the worker."
        )
    return config


def _redact(url: str) -> str:
    """Hide the password of a database URL before it appears in an error message."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _at, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
