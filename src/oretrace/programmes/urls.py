from django.urls import path

from oretrace.programmes.views import field as field_views
from oretrace.programmes.views import licences as licence_views
from oretrace.programmes.views import programmes as views
from oretrace.programmes.views import training as training_views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("new/", views.programme_new, name="new"),
    path("<int:programme_id>/", views.programme_detail, name="programme"),
    path("<int:programme_id>/indicators/", views.indicators, name="indicators"),
    path("<int:programme_id>/cases/", views.case_list, name="cases"),
    path("villages/<int:village_id>/", views.village_detail, name="village"),
    path("cases/<int:child_case_id>/", views.case_detail, name="case"),
    # Working offline: the pages a phone keeps, their service worker, the sync endpoint.
    path("field/sw.js", field_views.field_worker, name="field_worker"),
    path("field/sync/", field_views.field_sync, name="field_sync"),
    path("field/villages/<int:village_id>/visit/", field_views.field_visit, name="field_visit"),
    path(
        "field/cases/<int:child_case_id>/follow-up/",
        field_views.field_follow_up,
        name="field_follow_up",
    ),
]

# Formalisation: licences of mines and collection points (views/licences.py).
urlpatterns += [
    path("sites/<int:site_id>/licence/", licence_views.licence, name="licence"),
    path(
        "licences/files/<int:licence_document_id>/",
        licence_views.licence_document,
        name="licence_document",
    ),
    path("<int:programme_id>/formalisation/", licence_views.formalisation, name="formalisation"),
]

# Training and local staff (views/training.py).
urlpatterns += [
    path("trainings/", training_views.trainings, name="trainings"),
    path("trainings/<int:training_id>/", training_views.training_detail, name="training"),
    path("trainings/<int:training_id>/join/", training_views.training_join, name="training_join"),
    path(
        "trainings/files/<int:training_material_id>/",
        training_views.training_material,
        name="training_material",
    ),
    path(
        "<int:programme_id>/training/",
        training_views.training_indicators,
        name="training_indicators",
    ),
]

urlpatterns += [
    path("lots/<int:lot_id>/", views.lot_programmes, name="lot"),
    path("offers/<int:offer_id>/", views.offer_detail, name="offer"),
    path("<int:programme_id>/offers/", views.offer_list, name="offers"),
    path("<int:programme_id>/reports/", views.report_list, name="reports"),
    path("reports/<int:report_id>/", views.report_file, name="report"),
]
