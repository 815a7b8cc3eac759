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
    path("record/collection/", views.record_collection, name="record-collection"),
    path("record/processing/", views.record_processing, name="record-processing"),
    path("record/shipment/", views.record_shipment, name="record-shipment"),
    path("record/receipt/", views.record_receipt, name="record-receipt"),
]
