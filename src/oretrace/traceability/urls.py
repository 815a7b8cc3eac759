from django.urls import path

from oretrace.traceability import views

app_name = "traceability"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("capture/", views.capture, name="capture"),
    path("events/<int:event_id>/", views.event_detail, name="event"),
    path("lots/", views.lot_list, name="lots"),
    path("lots/<int:lot_id>/", views.lot_detail, name="lot"),
    path("lots/<int:lot_id>/report/", views.lot_report, name="lot-report"),
    path("record/", views.record, name="record"),
    *(
        path(f"record/{kind}/", views.record_event, {"kind": kind}, name=f"record-{kind}")
        for kind in views.RECORD_KINDS
    ),
]
