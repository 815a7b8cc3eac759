from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "oretrace.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        from django.contrib import admin

        import oretrace.web.sessions  # noqa: F401  (records each login's time for the timeouts)
        from oretrace.web.account_views import admin_login

        # The admin site has no login of its own: it uses the throttled, two-factor web login.
        admin.site.login = admin_login  # type: ignore[method-assign]
