from django.urls import path

from oretrace.traceability import views

app_name = "traceability"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("capture/", views.capture, name="capture"),
    path("events/<int:event_id>/", views.event_detail, name="event"),
    path("lots/", views.lot_list, name="lots"),
    path("lots/<int:lot_id>/", views.lot_detail, name="lot"),
]
