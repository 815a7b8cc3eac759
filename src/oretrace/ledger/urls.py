from django.urls import path, re_path

from oretrace.ledger import views

app_name = "ledger"

RECORD = "<str:record_type>/<str:record_id>"

urlpatterns = [
    # c2sp.org/tlog-tiles, public: the checkpoint origin is "<host>/ledger".
    path("ledger/checkpoint", views.checkpoint, name="checkpoint"),
    re_path(r"^ledger/tile/(?P<path>.+)$", views.tile, name="tile"),
    path("ledger/vkey", views.vkey, name="vkey"),
    path("ledger/cosignatures", views.cosignatures, name="cosignatures"),
    # Members.
    path("ledger/", views.ledger_page, name="ledger"),
    path("ledger/sign/", views.sign_now, name="ledger_sign"),
    path("ledger/audit/", views.start_audit, name="ledger_audit"),
    path(f"ledger/records/{RECORD}/", views.record, name="ledger_record"),
    path(f"ledger/records/{RECORD}/bundle", views.record_bundle, name="ledger_record_bundle"),
    # Public verification.
    path("verify/", views.verify, name="verify"),
    path(f"verify/r/{RECORD}/<str:token>/", views.public_record, name="public_record"),
    path(f"verify/r/{RECORD}/<str:token>/bundle", views.public_bundle, name="public_bundle"),
    path(f"verify/r/{RECORD}/<str:token>/qr.svg", views.public_qr, name="public_qr"),
]
