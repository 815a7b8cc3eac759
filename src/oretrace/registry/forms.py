"""Forms of the registry pages."""

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Country, Mineral
from oretrace.registry.choices import FacilityKind, IdentifierScheme, NameKind, status_label


def _countries() -> list[tuple[str, str]]:
    countries = [(c.code, c.label) for c in Country.objects.only("code", "name")]
    return [("", "—"), *sorted(countries, key=lambda choice: choice[1].casefold())]


def _minerals() -> list[tuple[str, str]]:
    return [("", "—"), *((m.code, m.label) for m in Mineral.objects.only("code", "name"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or identifier"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    mineral = forms.ChoiceField(label=_("Mineral"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *FacilityKind.choices]
    )
    status = forms.ChoiceField(label=_("Current status"), required=False)

    def __init__(self, *args: object, statuses: Iterable[str] = (), **kwargs: object) -> None:
        """``statuses``: the assurance statuses the member's registry holds (an open vocabulary,
        so the choices are what is there; a known status in the reader's language)."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = _countries()  # type: ignore[attr-defined]
        self.fields["mineral"].choices = _minerals()  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", "—"), *((s, status_label(s)) for s in statuses)]  # type: ignore[attr-defined]


class FacilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    name = forms.CharField(label=_("Name (in its own script)"), max_length=300)
    name_latin = forms.CharField(
        label=_("Name in Latin script"),
        max_length=300,
        required=False,
        help_text=_("Filled in automatically if left empty."),
    )
    country = forms.ChoiceField(label=_("Country"))
    subdivision = forms.CharField(
        label=_("Subdivision (ISO 3166-2)"), required=False, help_text=_("e.g. IN-JH for Jharkhand")
    )
    city = forms.CharField(label=_("Town or village"), required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    coordinate_precision = forms.ChoiceField(
        label=_("Precision of the coordinates"),
        required=False,
        choices=[
            ("", "—"),
            ("exact", _("Exact (GPS)")),
            ("site", _("Site")),
            ("locality", _("Village or locality")),
            ("district", _("District")),
        ],
    )
    minerals = forms.MultipleChoiceField(
        label=_("Minerals handled"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = _countries()[1:]  # type: ignore[attr-defined]
        self.fields["minerals"].choices = _minerals()[1:]  # type: ignore[attr-defined]


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=NameKind.choices, initial=NameKind.ALIAS)
    language = forms.CharField(label=_("Language (e.g. zh, ja, hi)"), max_length=10, required=False)


class IdentifierForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"), choices=IdentifierScheme.choices)
    value = forms.CharField(label=_("Identifier"), max_length=100)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Template or facility list (.xlsx, .xls, .csv)"))


class MatchForm(forms.Form):
    names = forms.CharField(
        label=_("Names, one per line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Optionally: name; metal; country code — e.g. 'Thaisarco; tin; TH'."),
    )
