from django.urls import path

from oretrace.declarations.views import campaigns as campaign_views
from oretrace.declarations.views import declarations as views
from oretrace.declarations.views import rollup as rollup_views

app_name = "declarations"

urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("decide/", views.decide_selected, name="decide_selected"),
    path("<int:declaration_id>/", views.declaration_detail, name="detail"),
    path("<int:declaration_id>/file/", views.declaration_file, name="file"),
    path("imports/<int:batch_id>/", views.batch_detail, name="batch"),
    path("suppliers/", views.supplier_list, name="suppliers"),
    path("smelters/<int:facility_id>/", views.facility_suppliers, name="facility_suppliers"),
    path("suppliers/import/", campaign_views.supplier_import, name="supplier_import"),
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/<int:campaign_id>/", campaign_views.campaign_detail, name="campaign"),
    path(
        "suppliers/report.csv", rollup_views.supplier_report, {"kind": "csv"}, name="supplier_csv"
    ),
    path(
        "suppliers/report.xlsx",
        rollup_views.supplier_report,
        {"kind": "xlsx"},
        name="supplier_xlsx",
    ),
    path("rollup/", rollup_views.rollup_page, name="rollup"),
    path("rollup/export/", rollup_views.rollup_export, name="rollup_export"),
    path(
        "rollup/export/<int:job_id>/download/",
        rollup_views.rollup_download,
        name="rollup_download",
    ),
    path("rollup/smelters.csv", rollup_views.smelter_report, {"kind": "csv"}, name="smelter_csv"),
    path(
        "rollup/smelters.xlsx", rollup_views.smelter_report, {"kind": "xlsx"}, name="smelter_xlsx"
    ),
]
