from django.urls import path

from oretrace.grievances import views

app_name = "grievances"

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("record/", views.record, name="record"),
    path("channels/", views.channels, name="channels"),
    path("<int:case_id>/", views.case_detail, name="case"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey"),
]

# The SMS gateways' webhooks, under /voice/ too; served by a handler of their own with a short
# middleware chain (oretrace/webhooks.py, docs/adr/0009-sms-webhook-handler.md).
sms_webhook_urlpatterns = [
    # the SMS Gateway for Android's webhook (signed; see docs/user-guide/grievances.md)
    path("<slug:channel>/sms/android/", views.sms_android, name="sms_android"),
    # a Twilio-compatible API's webhook (signed with the auth token)
    path("<slug:channel>/sms/twilio/", views.sms_twilio, name="sms_twilio"),
    # Africa's Talking's incoming-messages callback (a secret ?key= in its address)
    path(
        "<slug:channel>/sms/africastalking/",
        views.sms_africastalking,
        name="sms_africastalking",
    ),
]

# The reporter's pages, mounted at /voice/ (no account, no cookie).
voice_urlpatterns = [
    path("<slug:channel>/", views.intake, name="report"),
    path("<slug:channel>/follow/", views.follow, name="follow"),
    *sms_webhook_urlpatterns,
]
