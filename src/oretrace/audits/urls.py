from django.urls import path

from oretrace.audits import views

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("<int:audit_id>/", views.audit_detail, name="detail"),
]

# The audit report and findings across audits (audits/report_views.py).
from oretrace.audits import report_views  # noqa: E402

urlpatterns += [
    path("<int:audit_id>/report/", report_views.audit_report, name="report"),
    path("findings/", report_views.findings_list, name="findings"),
]
