from django.urls import path

from oretrace.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.facility_list, name="facilities"),
    path("new/", views.facility_new, name="facility_new"),
    path("<int:facility_id>/", views.facility_detail, name="facility"),
    path("reviews/", views.review_queue, name="reviews"),
    path("reviews/bulk/", views.review_bulk, name="review_bulk"),
    path("reviews/<int:review_id>/", views.review_decide, name="review_decide"),
    path("match/", views.match, name="match"),
    path("imports/", views.reference_imports, name="imports"),
    path("imports/all/", views.reference_overview, name="reference_overview"),
]
