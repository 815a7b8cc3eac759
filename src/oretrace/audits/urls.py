from django.urls import path

from oretrace.audits import views

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("<int:audit_id>/", views.audit_detail, name="detail"),
]
