"""Forms of the grievance pages: the reporter's (no account) and the officers'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from oretrace.audits.models import ProgrammeVersion
from oretrace.core.models import Membership
from oretrace.grievances.choices import OPERATOR_INTAKES, Category, Intake, Severity, Urgency
from oretrace.grievances.models import Channel
from oretrace.programmes.forms import IdentifyForm


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "Where and when, and what you would like to change. You need not give your name."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt (16 digits)"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ReporterReplyForm(forms.Form):
    receipt = forms.CharField(widget=forms.HiddenInput, max_length=40)
    text = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))


class RecordForm(forms.Form):
    """A report an officer heard or read, written down for the reporter."""

    channel: forms.ModelChoiceField[Channel] = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none()
    )
    intake = forms.ChoiceField(
        label=_("Received"),
        choices=[(i.value, i.label) for i in Intake if i in OPERATOR_INTAKES],
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput(), required=False)
    language = forms.CharField(label=_("Reporter's language"), max_length=12, required=False)
    text = forms.CharField(
        label=_("The report"),
        help_text=_(
            "Write what the reporter said; leave out their name and anything that points to them."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, channels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels  # type: ignore[attr-defined]


class ChannelForm(forms.Form):
    slug = forms.SlugField(label=_("Address"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    welcome = forms.CharField(
        label=_("Welcome text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TriageForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)


class AssignForm(forms.Form):
    assigned_to = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args: Any, officers: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].choices = [  # type: ignore[attr-defined]
            (str(m.pk), m.user.full_name or m.user.email) for m in officers
        ]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the reporter"), widget=forms.Textarea(attrs={"rows": 4})
    )
    feedback = forms.BooleanField(
        label=_("This reply tells the reporter what was done (feedback)"), required=False
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(forms.Form):
    escalated_to = forms.CharField(label=_("Escalate to"), max_length=200)


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome, as the reporter will read it"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LinkForm(forms.Form):
    """Link the case to a facility, supplier, lot or audit (grouped choices, "facility:12")."""

    subject = forms.ChoiceField(
        label=_("Link to"),
        help_text=_(
            "A red flag is raised there and shared with the organisation concerned. It names "
            "only the case's category and severity; nothing of the report or the reporter."
        ),
    )

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = choices  # type: ignore[attr-defined]


class UnlinkForm(forms.Form):
    link = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SurveyForm(forms.Form):
    """A new pulse survey: where it is sent and answered, about which facility, what it asks."""

    title = forms.CharField(label=_("Title"), max_length=200)
    channel: forms.ModelChoiceField[Channel] = forms.ModelChoiceField(
        label=_("Channel (its SMS number takes the answers)"), queryset=Channel.objects.none()
    )
    facility = forms.ChoiceField(label=_("Facility whose workers take part"))
    keyword = forms.CharField(
        label=_("Keyword"),
        max_length=20,
        help_text=_("Workers text it to take part, e.g. PULSE, or PULSE HI for Hindi."),
    )
    language = forms.ChoiceField(
        label=_("Language when the worker names none"),
        # the site's languages, named in the reader's language
        choices=settings.LANGUAGES,
    )
    questions = forms.CharField(
        label=_("Questions"),
        help_text=_(
            "At most 5 questions, each followed by 2 to 9 options starting with “-”. English "
            "first, then other languages after “|”, e.g. “Are you paid on time? | hi: …”."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, channels: Any, facilities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels  # type: ignore[attr-defined]
        self.fields["facility"].choices = facilities  # type: ignore[attr-defined]


class RemediationForm(IdentifyForm):
    """A child's remediation case opened from a grievance: the programme's own form, its
    source fixed to "grievance"; nothing of the report goes with it."""

    def __init__(self, *args: Any, villages: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, villages=villages, **kwargs)
        del self.fields["source"]


_OWN_WORDS = _(
    "In your own words, as an auditor would write it: do not repeat the report, quote the "
    "reporter, or say when or how it was reported, and leave out anything (a shift, a shed, a "
    "team) that could point at who reported. The audited organisation reads this text."
)


class AuditFindingForm(forms.Form):
    """A finding, with the corrective action it calls for, on an audit the case is linked to."""

    place = forms.ChoiceField(label=_("Audit and criterion"))
    grade = forms.ChoiceField(label=_("Grade"))
    description = forms.CharField(
        label=_("What was found"),
        help_text=_OWN_WORDS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, places: list[Any], **kwargs: Any) -> None:
        from oretrace.audits.choices import NEEDS_ACTION, FindingGrade

        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]
        self.fields["grade"].choices = [  # type: ignore[attr-defined]
            (g.value, g.label) for g in FindingGrade if g in NEEDS_ACTION
        ]


class UnannouncedAuditForm(forms.Form):
    """An unannounced audit of a facility the case is linked to (or a linked supplier's)."""

    subject = forms.ChoiceField(label=_("Facility"))
    programme: forms.ModelChoiceField[ProgrammeVersion] = forms.ModelChoiceField(
        label=_("Programme"), queryset=ProgrammeVersion.objects.none()
    )
    scope = forms.CharField(
        label=_("What the audit covers"),
        help_text=_OWN_WORDS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    planned_start = forms.DateField(label=_("Planned start"), widget=DateInput)
    planned_end = forms.DateField(label=_("Planned end"), widget=DateInput)
    lead_auditor = forms.ChoiceField(
        label=_("Lead auditor"),
        help_text=_(
            "The audited organisation sees who leads the audit: where your grievance officers "
            "are known there by name, choose another of your auditors."
        ),
    )

    def __init__(
        self, *args: Any, subjects: list[Any], programmes: Any, auditors: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_auditor"].choices = auditors  # type: ignore[attr-defined]
        self.fields["subject"].choices = subjects  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
