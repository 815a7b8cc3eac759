"""The admin site shows every registered model read-only, and never a secret field."""

import pytest
from django.contrib import admin
from django.http import HttpRequest

from oretrace.core.admin import ReadOnlyAdmin

SECRETS = {
    "core.user": {"password"},
    "core.apitoken": {"token_hash"},
    "declarations.campaignrequest": {"token_hash", "token_salt"},
    "ledger.leaf": {"salt"},
}


def _ours() -> dict[str, admin.ModelAdmin]:  # type: ignore[type-arg]
    return {
        model._meta.label_lower: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label
        in {"core", "assessments", "declarations", "ledger", "traceability"}
    }


def test_every_model_is_shown_read_only() -> None:
    request = HttpRequest()
    registered = _ours()
    assert {"core.organisation", "assessments.standard", "ledger.leaf", "traceability.lot"} <= set(
        registered
    )
    for label, model_admin in registered.items():
        assert isinstance(model_admin, ReadOnlyAdmin), label
        assert type(model_admin).__name__ == f"{model_admin.model.__name__}Admin"
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label


@pytest.mark.parametrize(("label", "secrets"), SECRETS.items())
def test_secret_fields_are_hidden(label: str, secrets: set[str]) -> None:
    model_admin = _ours()[label]
    assert set(model_admin.exclude or ()) == secrets
    assert not secrets & set(model_admin.list_display)


def test_columns_filters_and_search_are_as_declared() -> None:
    lot = _ours()["traceability.lot"]
    assert list(lot.list_display) == [
        "code",
        "organisation",
        "facility",
        "quantity_kg",
        "remaining_kg",
        "recycled",
    ]
    assert list(lot.list_filter) == ["kind", "recycled"]
    assert list(lot.search_fields) == ["code", "location"]
    mineral = _ours()["core.mineral"]
    assert mineral.exclude is None
    assert list(mineral.list_filter) == []
