"""The project's URLs and three planted patterns."""

from django.urls import include, path

from browser.crawl_planted import views

urlpatterns = [
    path("planted/untranslated/", views.untranslated, name="planted_untranslated"),
    path("planted/overflowing/", views.overflowing, name="planted_overflowing"),
    path("planted/hidden/<int:thing_id>/", views.hidden, name="planted_hidden"),
    path("", include("oretrace.urls")),
]
