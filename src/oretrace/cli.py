"""The ``oretrace`` command.

Own sub-commands: ``serve``, ``worker``, ``setup``, ``demo``, ``check``, ``version``, and the
ledger's ``verify`` and ``witness`` (which run without Django). Anything
else is passed to Django's management commands (``oretrace migrate``, ``oretrace shell`` …).
"""

from __future__ import annotations

import argparse
import os
import sys

OWN_COMMANDS = ("serve", "worker", "setup", "demo", "check", "version", "verify", "witness")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oretrace.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"oretrace: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    _ensure_sqlite_directory()


def _ensure_sqlite_directory() -> None:
    """An embedded database lives in the data directory: create it on first use."""
    from pathlib import Path

    from django.db import connection

    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def _manage(*args: str, label: str | None = None) -> None:
    """Run a management command; its refusal is a one-line message, not a traceback."""
    from django.core.management import CommandError, call_command

    try:
        call_command(*args)
    except CommandError as exc:
        print(f"oretrace {label or args[0]}: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _niceness(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 19:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 19")
    return value


def cmd_serve(ns: argparse.Namespace) -> int:
    """Serve the web application with gunicorn's sync workers."""
    _django()
    from gunicorn.app.wsgiapp import WSGIApplication

    argv = [
        "gunicorn",
        "oretrace.wsgi:application",
        "--bind",
        ns.bind,
        "--workers",
        str(ns.workers),
        "--worker-class",
        "sync",
        "--access-logfile",
        "-",
        # no line for a grievance reporter's requests (nor the files pages load)
        "--logger-class",
        "oretrace.web.accesslog.PrivateAccessLogger",
        "--timeout",
        "120",
    ]
    sys.argv = argv
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    return 0


def cmd_worker(ns: argparse.Namespace) -> int:
    """Run the background task worker (django-tasks-db)."""
    if ns.nice:
        # Below the web workers' CPU priority: a burst of webhooks is answered first, and the
        # work it queued (the SMS inbox's filing) runs on what CPU is left, then catches up.
        os.nice(ns.nice)
    _django()
    # Reloading on code changes can stop a task halfway, so it is for development only.
    reload = "--reload" if ns.reload else "--no-reload"
    _manage("ledger", "schedule", label="worker")  # the ledger's checkpoint and audit ticks
    _manage("notifications", "schedule", label="worker")  # digests and the daily checks
    # Jobs whose worker died are queued again now and, while this worker runs, every half lease.
    _manage("jobs", "recover", label="worker")
    from oretrace.core.jobs import start_watchdog

    start_watchdog()
    args = ["db_worker", "--interval", str(ns.interval), reload]
    if ns.batch:
        args.append("--batch")
    _manage(*args, label="worker")
    return 0


def cmd_setup(ns: argparse.Namespace) -> int:
    """Create or upgrade the database, load reference data, collect static files."""
    _django()
    _manage("migrate", "--no-input", "-v", "0")
    _manage("load_reference")
    _manage("collectstatic", "--no-input", "-v", "0")
    print("oretrace: database migrated, reference data loaded, static files collected.")
    return 0


def cmd_demo(ns: argparse.Namespace) -> int:
    """Build the demo data (idempotent) and print the demo logins."""
    _django()
    from django.conf import settings

    if not settings.DEBUG and not ns.force:  # refuse before touching the database
        print(
            "oretrace demo: the demo creates users with a published password; in production "
            "mode (ORETRACE_DEBUG off) it needs --force.",
            file=sys.stderr,
        )
        return 1
    _manage("migrate", "--no-input", "-v", "0")
    _manage("demo", *(["--force"] if ns.force else []))
    return 0


def cmd_check(ns: argparse.Namespace) -> int:
    """Check configuration, database, migrations and reference data; exit non-zero on a problem."""
    _django()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from oretrace.core.reference import reference_is_loaded

    problems = []
    try:
        # For a deployment, warnings (HSTS, cookies, mail backend) are problems too.
        call_command("check", *(["--deploy", "--fail-level", "WARNING"] if ns.deploy else []))
    except SystemCheckError as exc:
        problems.append(str(exc).strip())
    if not settings.DEBUG:
        problems += _static_problems()
    try:
        connection.ensure_connection()
        vendor = connection.vendor
        print(f"database: {vendor} {connection.settings_dict['NAME']} — reachable")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            problems.append(f"{len(pending)} migration(s) not applied: run `oretrace setup`")
        elif not reference_is_loaded():
            problems.append("reference data not loaded: run `oretrace setup`")
    except Exception as exc:
        problems.append(f"database not reachable: {exc}")
    # Fonts for Hindi and Chinese PDF reports: a warning, a problem for a deployment.
    from oretrace.core.fonts import missing_fonts

    for missing in missing_fonts():
        if ns.deploy:
            problems.append(missing)
        else:
            print(f"warning: {missing}", file=sys.stderr)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if not problems:
        print("oretrace: all checks passed.")
    return 1 if problems else 0


def _static_problems() -> list[str]:
    """Production serves hashed static files: their manifest must exist."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        staticfiles_storage.stored_name("web/oretrace.css")  # type: ignore[attr-defined]
    except ValueError:
        return [
            "static files are not collected for production mode: run `oretrace setup` with the "
            "production settings, then restart `oretrace serve`"
        ]
    return []


def cmd_version(ns: argparse.Namespace) -> int:
    from oretrace import __version__

    print(f"oretrace {__version__}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oretrace",
        description="oretrace: responsible mineral supply chains. Commands not listed here are "
        "passed to Django's management commands (e.g. `oretrace migrate`).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web application (gunicorn, sync workers)")
    serve.add_argument("--bind", default=os.environ.get("ORETRACE_BIND", "127.0.0.1:8000"))
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=os.environ.get("ORETRACE_WEB_WORKERS", "3"),
        help="gunicorn sync worker processes (default: ORETRACE_WEB_WORKERS or 3)",
    )
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="run the background task worker")
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds between polls of the queue"
    )
    worker.add_argument("--batch", action="store_true", help="stop when the queue is empty")
    worker.add_argument(
        "--reload", action="store_true", help="restart on code changes (development only)"
    )
    worker.add_argument(
        "--nice",
        type=_niceness,
        default=os.environ.get("ORETRACE_WORKER_NICE", "0"),
        help="lower the worker's CPU priority by this much, 0-19, below the web server's "
        "(default: ORETRACE_WORKER_NICE or 0)",
    )
    worker.set_defaults(func=cmd_worker)
    sub.add_parser("setup", help="migrate, load reference data, collect static files").set_defaults(
        func=cmd_setup
    )
    demo = sub.add_parser("demo", help="build the demo data and print the logins")
    demo.add_argument("--force", action="store_true", help="allow in production mode")
    demo.set_defaults(func=cmd_demo)
    check = sub.add_parser("check", help="check configuration, database and migrations")
    check.add_argument("--deploy", action="store_true", help="also run Django's deployment checks")
    check.set_defaults(func=cmd_check)
    sub.add_parser("version", help="print the version").set_defaults(func=cmd_version)
    from oretrace.ledger.cli import add_parsers  # verify, witness: no Django, no database

    add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in OWN_COMMANDS and not args[0].startswith("-"):
        _django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["oretrace", *args])
        return 0
    ns = _parser().parse_args(args)
    status: int = ns.func(ns)  # each sub-command's handler returns its exit status
    return status


if __name__ == "__main__":
    raise SystemExit(main())
