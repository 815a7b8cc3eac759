from django.urls import path

from oretrace.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.edition_list, name="editions"),
    path("import/", views.edition_import, name="import"),
    path("<int:edition_id>/", views.edition_detail, name="edition"),
]
