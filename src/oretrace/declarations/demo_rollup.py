"""Demo: Brightline's roll-up written into a blank CMRT, as its compliance officer asks for it.

The page asks for the user's own blank template, which oretrace does not ship; the demo writes
the cells of a CMRT 6.5 that say what it is, as it does for the suppliers' files
(``demo._blank``), and starts the same export job the page starts. The worker fills it; the
job's page then links to the filled workbook.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from oretrace.core.demo import demo_step
from oretrace.core.models import Job
from oretrace.core.tenancy import owned
from oretrace.declarations.demo import _admin, _blank
from oretrace.declarations.queries.rollup import years_with_declarations
from oretrace.declarations.services.export import COMPANY_ANSWER_DEFAULTS
from oretrace.declarations.services.rollup import KIND, start_rollup_export

FAMILY = "CMRT"
FILENAME = "brightline-blank-CMRT-6.5.xlsx"


@demo_step("declarations: the CMRT roll-up written into a blank template")
def build_rollup_export(say: Callable[[str], None]) -> None:
    actor = _admin("brightline")
    if owned(Job.objects.filter(kind=KIND), actor).exists():
        say("demo roll-up export already present")
        return
    years = [year for family, year in years_with_declarations(actor) if family == FAMILY]
    year = years[0] if years else timezone.now().year - 1
    job = start_rollup_export(
        actor=actor,
        family=FAMILY,
        year=year,
        blank=_blank(),
        filename=FILENAME,
        contact={
            "contact_name": actor.user.full_name,
            "contact_email": actor.user.email,
        },
        company_answers=dict(COMPANY_ANSWER_DEFAULTS.get(FAMILY, {})),
        effective=timezone.now().date(),
    )
    say(f"the {FAMILY} roll-up of {year} is being written into a blank template (job {job.pk})")
