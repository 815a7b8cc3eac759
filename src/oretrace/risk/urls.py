from django.urls import path

from oretrace.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.edition_list, name="editions"),
    path("import/", views.edition_import, name="import"),
    path("<int:edition_id>/", views.edition_detail, name="edition"),
]

# --- red flags ---
from oretrace.risk.redflags import views as flag_views  # noqa: E402

urlpatterns += [
    path("flags/", flag_views.flag_list, name="flags"),
    path("flags/<int:flag_id>/", flag_views.flag_detail, name="flag"),
]
