"""Top-level URLs: the web shell, the API, the admin site."""

from django.contrib import admin
from django.urls import include, path

from oretrace.api import errors
from oretrace.api.api import api
from oretrace.declarations.campaign_views import respond
from oretrace.web.urls import auth_urlpatterns

urlpatterns = [
    path("api/v1/", errors.urls(api)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *auth_urlpatterns,
    path("facilities/", include("oretrace.registry.urls")),
    path("declarations/", include("oretrace.declarations.urls")),
    # A supplier's upload link: public, the token is the only key.
    path("respond/<str:token>/", respond, name="respond"),
    path("assessments/", include("oretrace.assessments.urls")),
    path("custody/", include("oretrace.traceability.urls")),
    path("", include("oretrace.ledger.urls")),  # /ledger/… (tlog-tiles, pages), /verify/…
    path("", include("oretrace.web.urls")),
]
