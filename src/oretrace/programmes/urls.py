from django.urls import path

from oretrace.programmes import views

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
    path("field/sw.js", views.field_worker, name="field_worker"),
    path("field/sync/", views.field_sync, name="field_sync"),
    path("field/villages/<int:village_id>/visit/", views.field_visit, name="field_visit"),
    path(
        "field/cases/<int:child_case_id>/follow-up/",
        views.field_follow_up,
        name="field_follow_up",
    ),
]
