"""WSGI entry point (gunicorn ``oretrace.wsgi``).

A worker loads everything it will use before its first request (every app's URLs and views,
the EPCIS schema when one is configured), then moves what it loaded out of reach of Python's
cycle collector (``gc.freeze``). Without that, each full collection walked the whole loaded
application again: on EPCIS capture, about a tenth of the time, in pauses of ~0.2 s.

The SMS gateways' webhooks (``/voice/<channel>/sms/<gateway>/``) go to a handler of their own
with a short middleware chain (``oretrace.webhooks``, ADR 0009) unless
``ORETRACE_SMS_WEBHOOK_HANDLER=full``; every other path to the site's handler.
"""

import contextlib
import gc
import os
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oretrace.settings")
site_application = get_wsgi_application()


def _application() -> Any:
    from django.conf import settings

    from oretrace.webhooks import WebhookHandler, dispatching

    if settings.ORETRACE_SMS_WEBHOOK_HANDLER == "full":
        return site_application
    return dispatching(site_application, WebhookHandler())


application = _application()


def _load_before_serving() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's URLs and views

    from oretrace.traceability.exceptions import TraceabilityError
    from oretrace.traceability.services import configured_schema

    # Compiled once here rather than during a first capture; an unusable schema is reported
    # by each capture, and the rest of the site works.
    with contextlib.suppress(TraceabilityError):
        configured_schema()
    gc.collect()
    gc.freeze()


_load_before_serving()
