from django.urls import path

from oretrace.declarations import views

app_name = "declarations"

urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("<int:declaration_id>/", views.declaration_detail, name="detail"),
    path("imports/<int:batch_id>/", views.batch_detail, name="batch"),
    path("suppliers/", views.supplier_list, name="suppliers"),
]
