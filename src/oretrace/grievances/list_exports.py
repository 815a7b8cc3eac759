"""The downloads (CSV/XLSX, web/exports.py) of worker voice: the pulse surveys list — what
each survey asks of which facility and where it stands; never an answer or a number."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from oretrace.web.exports import Column, ListExport

SURVEYS_EXPORT = ListExport(
    "pulse-surveys",
    (
        Column(gettext_lazy("Title"), lambda s: s.title),
        Column(gettext_lazy("Facility"), lambda s: str(s.facility)),
        Column(gettext_lazy("Keyword"), lambda s: s.keyword),
        Column(gettext_lazy("Questions"), lambda s: len(s.questions)),
        Column(gettext_lazy("Status"), lambda s: s.get_status_display()),
        Column(gettext_lazy("Created"), lambda s: s.created_on),
        Column(gettext_lazy("Sent"), lambda s: s.sent_on),
    ),
)
