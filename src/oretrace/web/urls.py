from django.contrib.auth import views as auth_views
from django.urls import path

from oretrace.web import account_views, notification_views, onboarding_views, views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/", views.switch_organisation, name="switch"),
    path("organisation/", views.organisation, name="organisation"),
    path(
        "organisation/invitations/<int:invitation_id>/revoke/",
        onboarding_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "operator/organisations/",
        onboarding_views.operator_organisations,
        name="operator_organisations",
    ),
    path(
        "operator/organisations/<int:organisation_id>/decide/",
        onboarding_views.operator_decide,
        name="operator_decide",
    ),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/start/", views.start_job_view, name="jobs_start"),
    path("jobs/<int:job_id>/", views.job_detail, name="jobs_detail"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel, name="jobs_cancel"),
    path("reference/", views.reference, name="reference"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path("account/", notification_views.account, name="account"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="tokens_revoke"),
    path(
        "changes/<str:app_label>/<str:model_name>/<str:object_id>/", views.changes, name="changes"
    ),
]

# Authentication pages keep Django's own URL names (login, logout, password_reset …).
auth_urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/verify/", account_views.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-up/", onboarding_views.sign_up, name="sign_up"),
    path("sign-up/sent/", onboarding_views.sign_up_done, name="sign_up_done"),
    path("invitation/<str:secret>/", onboarding_views.invitation, name="invitation"),
    path("account/two-factor/", account_views.two_factor, name="two_factor"),
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="web/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
