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
]

urlpatterns += [
    path("lots/<int:lot_id>/", views.lot_programmes, name="lot"),
    path("offers/<int:offer_id>/", views.offer_detail, name="offer"),
    path("<int:programme_id>/offers/", views.offer_list, name="offers"),
    path("<int:programme_id>/reports/", views.report_list, name="reports"),
    path("reports/<int:report_id>/", views.report_file, name="report"),
]
