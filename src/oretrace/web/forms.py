from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from oretrace.core.choices import OrganisationKind, Role
from oretrace.core.jobs import job_kinds
from oretrace.core.models import Membership


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def confirm_login_allowed(self, user: Any) -> None:
        """A signed-up organisation's administrator is told the sign-up still waits."""
        super().confirm_login_allowed(user)
        from oretrace.core.choices import Approval
        from oretrace.core.services.onboarding import pending_sign_up_of

        org = pending_sign_up_of(user)
        if org is None:
            return
        if org.approval == Approval.PENDING:
            message = _(
                "The sign-up of %(org)s waits for the operator's approval; an e-mail tells you "
                "when you can log in."
            )
        else:
            message = _("The operator did not approve the sign-up of %(org)s.")
        raise forms.ValidationError(message % {"org": org}, code="not_approved")


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses this token, e.g. 'ERP export script'."),
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )


class StartJobForm(forms.Form):
    kind = forms.ChoiceField(label=_("Job"))

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (k.kind, k.title) for k in job_kinds().values() if k.startable_by(member)
        ]


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_("The 6 digits your authenticator app shows, or one of your backup codes."),
    )


def _country_choices() -> list[tuple[str, str]]:
    from oretrace.core.models import Country

    countries = [(c.code, c.label) for c in Country.objects.only("code", "name")]
    return [("", "—"), *sorted(countries, key=lambda pair: pair[1].casefold())]


class NewPasswordForm(forms.Form):
    """A new password typed twice (the fields a form built on it ends with)."""

    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=200,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=200,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class NewOrganisationForm(forms.Form):
    """The organisation's name, country and kind, as both a sign-up and an invitation ask."""

    legal_name = forms.CharField(label=_("Organisation name"), max_length=300)
    country = forms.ChoiceField(label=_("Country of registration"), choices=_country_choices)
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=OrganisationKind.choices,
        initial=OrganisationKind.MANUFACTURER,
    )


class SignUpForm(NewPasswordForm, NewOrganisationForm):
    """An organisation's sign-up: its name, country and kind, and its first administrator."""

    field_order = ["legal_name", "country", "kind", "full_name", "email"]

    full_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))


class OrganisationInviteForm(NewOrganisationForm):
    """The operator's invitation of an organisation's first administrator."""

    email = forms.EmailField(label=_("Administrator's e-mail address"))
    full_name = forms.CharField(label=_("Administrator's name"), max_length=200, required=False)


class AcceptInvitationForm(NewPasswordForm):
    field_order = ["full_name"]

    full_name = forms.CharField(label=_("Your name"), max_length=200)


class PreferencesForm(forms.Form):
    """A person's language and how their notifications reach them by e-mail."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Your e-mails are written in it; the pages show in it after you log in."),
    )
    digest = forms.ChoiceField(
        label=_("Notification e-mails"),
        help_text=_("Notifications always show under the bell at the top of the page."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        from oretrace.core.choices import Digest

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("The site's default")),
            *settings.LANGUAGES,
        ]
        self.fields["digest"].choices = Digest.choices  # type: ignore[attr-defined]
