"""Top-level URLs: the web shell, the API, the admin site."""

from django.contrib import admin
from django.urls import include, path

from oretrace.api import errors
from oretrace.api.api import api
from oretrace.declarations.views.campaigns import respond
from oretrace.grievances.urls import voice_urlpatterns
from oretrace.web import error_pages
from oretrace.web.urls import auth_urlpatterns

urlpatterns = [
    path("api/v1/", errors.urls(api)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", error_pages.favicon, name="favicon"),
    *auth_urlpatterns,
    path("facilities/", include("oretrace.registry.urls")),
    path("declarations/", include("oretrace.declarations.urls")),
    # A supplier's upload link: public, the token is the only key.
    path("respond/<str:token>/", respond, name="respond"),
    path("assessments/", include("oretrace.assessments.urls")),
    path("custody/", include("oretrace.traceability.urls")),
    path("risk/", include("oretrace.risk.urls")),
    path("grievances/", include("oretrace.grievances.urls")),
    path("programmes/", include("oretrace.programmes.urls")),
    # A grievance channel's public pages: no account, no cookie (grievances/views.py).
    path("voice/", include((voice_urlpatterns, "voice"))),
    path("", include("oretrace.ledger.urls")),  # /ledger/… (tlog-tiles, pages), /verify/…
    path("", include("oretrace.web.urls")),
]

urlpatterns.insert(-2, path("audits/", include("oretrace.audits.urls")))

# The site's own error pages, in the reader's language (web/error_pages.py).
handler400 = error_pages.bad_request
handler403 = error_pages.forbidden
handler404 = error_pages.not_found
handler500 = error_pages.server_error
