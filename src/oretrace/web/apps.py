from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "oretrace.web"
    label = "web"
    verbose_name = "Web shell"
