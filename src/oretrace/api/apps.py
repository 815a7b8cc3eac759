from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "oretrace.api"
    label = "api"
    verbose_name = "API"
