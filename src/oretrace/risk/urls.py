from django.urls import path

from oretrace.risk import views
from oretrace.risk.redflags import views as flag_views
from oretrace.risk.register import views as register_views
from oretrace.risk.scores import views as score_views

app_name = "risk"

urlpatterns = [
    path("", views.edition_list, name="editions"),
    path("import/", views.edition_import, name="import"),
    path("<int:edition_id>/", views.edition_detail, name="edition"),
    # Risk scores (issue 18 §3): the list, a facility's and a supplier's score, one's "why".
    path("scores/", score_views.score_list, name="scores"),
    path("scores/<int:score_id>/", score_views.score_detail, name="score"),
    path("scores/facilities/<int:facility_id>/", score_views.facility_score, name="facility_score"),
    path("scores/suppliers/<int:supplier_id>/", score_views.supplier_score, name="supplier_score"),
    # Red flags (issue 18 §2).
    path("flags/", flag_views.flag_list, name="flags"),
    path("flags/<int:flag_id>/", flag_views.flag_detail, name="flag"),
    # The risk register and Step-3 plans.
    path("register/", register_views.register, name="register"),
    path("register/new/", register_views.register_new, name="register_new"),
    path("register/<int:entry_id>/", register_views.entry_detail, name="entry"),
    path("register/<int:entry_id>/plan/", register_views.plan_new, name="plan_new"),
    path("plans/", register_views.plan_list, name="plans"),
    path("plans/<int:plan_id>/", register_views.plan_detail, name="plan"),
    path("map/", register_views.risk_map, name="map"),
]
