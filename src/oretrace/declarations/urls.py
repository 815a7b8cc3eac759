from django.urls import path

from oretrace.declarations import campaign_views, views

app_name = "declarations"

urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("<int:declaration_id>/", views.declaration_detail, name="detail"),
    path("imports/<int:batch_id>/", views.batch_detail, name="batch"),
    path("suppliers/", views.supplier_list, name="suppliers"),
    path("suppliers/import/", campaign_views.supplier_import, name="supplier_import"),
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/<int:campaign_id>/", campaign_views.campaign_detail, name="campaign"),
]
