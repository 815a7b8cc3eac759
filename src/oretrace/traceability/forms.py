"""Forms of the traceability pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.core.tenancy import owned, visible
from oretrace.registry.models import Facility
from oretrace.traceability.choices import STEP_LABELS, EventType, MovementKind
from oretrace.traceability.codes import lot_number, valid_lot_number
from oretrace.traceability.models import Lot, LotMovement

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class CaptureForm(forms.Form):
    document = forms.FileField(
        label=_("EPCIS document (2.0 JSON or JSON-LD, 1.2 or 2.0 XML)"),
        help_text=_("An EPCISDocument; every event is checked before anything is stored."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.jsonld,.xml,application/json,application/ld+json,text/xml"}
        ),
    )

    def clean_document(self) -> bytes:
        upload: UploadedFile[bytes] = self.cleaned_data["document"]
        if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The document is larger than 20 MB."))
        content: bytes = upload.read()  # File.read is typed through a proxy, as Any
        return content


class EventFilterForm(forms.Form):
    """The custody event list's filters, as choices and dates; ``query`` turns them into the
    EPCIS query parameters the API takes (``queries.filter_events``)."""

    eventType = forms.ChoiceField(  # the names are the EPCIS query parameters, kept in the URL
        label=_("Event type"),
        required=False,
        choices=[("", _("all")), *EventType.choices],
    )
    EQ_bizStep = forms.ChoiceField(
        label=_("Business step"),
        required=False,
        choices=[("", _("all")), *STEP_LABELS.items()],
    )
    MATCH_anyEPC = forms.CharField(
        label=_("Lot or item identifier"), required=False, max_length=300
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def query(self) -> dict[str, str]:
        """The EPCIS query parameters of the valid filters (dates as whole days in UTC)."""
        data = self.cleaned_data
        params = {k: data[k] for k in ("eventType", "EQ_bizStep", "MATCH_anyEPC") if data.get(k)}
        if data.get("since"):
            params["GE_eventTime"] = f"{data['since'].isoformat()}T00:00:00Z"
        if data.get("until"):
            params["LT_eventTime"] = f"{(data['until'] + timedelta(days=1)).isoformat()}T00:00:00Z"
        return params


# --- custody recorded without writing JSON (see recording.py) --------------------------------

PROCESSES = (
    ("sorting", _("Sorting and grading")),
    ("cleaning", _("Cleaning")),
    ("splitting", _("Splitting (sheets and books)")),
    ("milling", _("Milling and grinding")),
    ("calcining", _("Calcining")),
    ("coating", _("Pigment coating")),
    ("smelting", _("Smelting")),
    ("refining", _("Refining")),
    ("formulation", _("Formulation (paint, ink, cosmetics)")),
    ("manufacturing", _("Manufacturing and assembly")),
    ("other", _("Other processing")),
)
UNIT_CHOICES = (("kg", _("kg")), ("t", _("tonnes")), ("g", _("grams")))
INPUT_ROWS = 4


class _MomentInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _now() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class _RecordForm(forms.Form):
    """Shared by the four forms: where and when, with choices limited to what the member sees."""

    when = forms.DateTimeField(
        label=_("When"), widget=_MomentInput(), initial=_now, input_formats=["%Y-%m-%dT%H:%M"]
    )
    # Fields left empty that take a value of the chosen object: (field, the field choosing the
    # object, its attribute, the error when that is empty too).
    defaults: tuple[tuple[str, str, str, StrOrPromise], ...] = ()

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        for field in self.fields.values():
            if isinstance(field, _FacilityField):
                field.queryset = visible(Facility.objects.live(), member).order_by("name")
            elif isinstance(field, _LotField):
                field.queryset = _open_lots(member)
            elif isinstance(field, _ShipmentField):
                field.queryset = (
                    owned(LotMovement.objects.all(), member)
                    .filter(
                        kind=MovementKind.SHIPPING,
                        receipts__isnull=True,
                    )
                    .select_related("lot", "facility", "event")
                    .order_by("-id")
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, source, attribute, missing in self.defaults:
            chosen = data.get(source)
            if chosen is None or data.get(name) is not None:
                continue
            if (value := getattr(chosen, attribute)) is None:
                self.add_error(name, missing)
            else:
                data[name] = value
        return data

    def clean_when(self) -> datetime:
        when: datetime = self.cleaned_data["when"]
        if when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("This is in the future."))
        return when


def _quantity(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> forms.DecimalField:
    """A quantity as the record forms take it: above zero, to the gram (3 decimals)."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.001"),
        max_digits=14,
        decimal_places=3,
        help_text=help_text,
    )


class _ChoiceOf[M: models.Model](forms.ModelChoiceField[M]):
    """A choice of ``model`` rows; the form sets the queryset the member may choose from."""

    model: type[M]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(self.model._default_manager.none(), **kwargs)


class _FacilityField(_ChoiceOf[Facility]):
    model = Facility

    def label_from_instance(self, obj: Any) -> str:
        latin = f" ({obj.name_latin})" if obj.name_latin else ""
        return f"{obj.name}{latin} · {obj.country_id}"


class _LotField(_ChoiceOf[Lot]):
    model = Lot

    def label_from_instance(self, obj: Any) -> str:
        where = f" · {obj.facility.name}" if obj.facility else ""
        return f"{lot_number(obj.code)} · {obj.remaining_kg.normalize():f} kg{where}"


class _ShipmentField(_ChoiceOf[LotMovement]):
    model = LotMovement

    def label_from_instance(self, obj: Any) -> str:
        origin = obj.facility.name if obj.facility else obj.location
        kg = f"{obj.quantity_kg.normalize():f} kg" if obj.quantity_kg is not None else "?"
        return f"{lot_number(obj.lot.code)} · {kg} · {origin} · {obj.event.event_time:%Y-%m-%d}"


def _open_lots(member: Membership) -> QuerySet[Lot]:
    """The organisation's own lots that still hold material (a form records custody in the
    organisation's own records, so a lot another organisation shared is not offered)."""
    return (
        owned(Lot.objects.all(), member)
        .filter(remaining_kg__gt=0)
        .select_related("facility")
        .order_by("-id")
    )


def _lot_number(form: forms.Form, field: str) -> str:
    number = (form.cleaned_data.get(field) or "").strip()
    if number and not valid_lot_number(number):
        form.add_error(
            field,
            _("Letters, digits and - . _ / only (80 at most), starting with a letter or digit."),
        )
    return number


class CollectionForm(_RecordForm):
    facility = _FacilityField(
        label=_("Collected at"),
        help_text=_("The mine, picking area or collection point."),
    )
    quantity = _quantity(_("Quantity"))
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, initial="kg")
    lot = forms.CharField(
        label=_("Lot number"),
        required=False,
        help_text=_("As written on the bag or receipt. Leave empty for a new oretrace lot code."),
    )
    recycled = forms.BooleanField(
        label=_("Recycled material (scrap taken back), not newly mined"), required=False
    )
    field_order = ["facility", "when", "quantity", "unit", "lot", "recycled"]

    def clean_lot(self) -> str:
        return _lot_number(self, "lot")


class ProcessingForm(_RecordForm):
    facility = _FacilityField(label=_("Processed at"))
    process = forms.ChoiceField(label=_("Process"), choices=PROCESSES)
    output_quantity = _quantity(_("Output quantity"))
    output_unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, initial="kg")
    output_lot = forms.CharField(
        label=_("Output lot number"),
        required=False,
        help_text=_("Leave empty for a new oretrace lot code."),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, member=member, **kwargs)
        lots = _open_lots(member)
        for row in range(1, INPUT_ROWS + 1):  # this form's own rows (self.fields is a copy)
            lot = _LotField(label=_("Input lot %(row)d") % {"row": row}, required=row == 1)
            lot.queryset = lots
            self.fields[f"input_{row}"] = lot
            self.fields[f"input_{row}_kg"] = _quantity(
                _("kg used"),
                required=False,
                help_text=_("Empty: all that remains of the lot.") if row == 1 else "",
            )
        self.order_fields(
            ["facility", "when", "process"]
            + [f"input_{r}{s}" for r in range(1, INPUT_ROWS + 1) for s in ("", "_kg")]
            + ["output_quantity", "output_unit", "output_lot"]
        )

    def input_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"input_{r}"], self[f"input_{r}_kg"]) for r in range(1, INPUT_ROWS + 1)]

    def clean_output_lot(self) -> str:
        return _lot_number(self, "output_lot")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        inputs: list[tuple[Lot, Decimal]] = []
        for row in range(1, INPUT_ROWS + 1):
            lot, kg = data.get(f"input_{row}"), data.get(f"input_{row}_kg")
            if lot is None:
                if kg is not None:
                    self.add_error(f"input_{row}", _("Choose the lot these kilograms came from."))
                continue
            if any(lot == seen for seen, _kg in inputs):
                self.add_error(f"input_{row}", _("This lot is already an input above."))
                continue
            inputs.append((lot, kg if kg is not None else lot.remaining_kg))
        data["inputs"] = inputs
        return data


class ShipmentForm(_RecordForm):
    lot = _LotField(label=_("Lot shipped"))
    quantity = _quantity(
        _("kg shipped"), required=False, help_text=_("Empty: all that remains of the lot.")
    )
    origin = _FacilityField(
        label=_("Shipped from"),
        required=False,
        help_text=_("Empty: where the lot was made or collected."),
    )
    destination = _FacilityField(label=_("Shipped to"))
    field_order = ["lot", "quantity", "origin", "destination", "when"]

    defaults = (
        ("origin", "lot", "facility", _("The lot has no registry facility: say where from.")),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("origin") is not None and data.get("origin") == data.get("destination"):
            self.add_error("destination", _("The destination is the place it leaves from."))
        return data


class ReceiptForm(_RecordForm):
    shipment = _ShipmentField(label=_("Shipment received"))
    quantity = _quantity(
        _("kg received"),
        required=False,
        help_text=_("Weigh on arrival. Empty: the quantity shipped."),
    )
    facility = _FacilityField(label=_("Received at"))
    field_order = ["shipment", "quantity", "facility", "when"]
    defaults = (
        ("quantity", "shipment", "quantity_kg", _("The shipment has no mass: weigh what arrived.")),
    )
