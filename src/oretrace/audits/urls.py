from django.urls import path

from oretrace.audits import views

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_new, name="new"),
    path("<int:audit_id>/", views.audit_detail, name="detail"),
    path("<int:audit_id>/move/", views.move, name="move"),
    path("<int:audit_id>/checklist/", views.checklist, name="checklist"),
    path("<int:audit_id>/criteria/<int:criterion_id>/", views.save_finding, name="save_finding"),
    path("<int:audit_id>/answer/", views.answer, name="answer"),
    path("actions/<int:corrective_id>/", views.action_update, name="action"),
    path("support/<int:audit_request_id>/", views.support_answer, name="support"),
    path("files/findings/<int:finding_file_id>/", views.finding_file, name="finding_file"),
    path("files/actions/<int:action_file_id>/", views.action_file, name="action_file"),
]

# The audit report and findings across audits (audits/report_views.py).
from oretrace.audits import report_views  # noqa: E402

urlpatterns += [
    path("<int:audit_id>/report/", report_views.audit_report, name="report"),
    path("findings/", report_views.findings_list, name="findings"),
]
