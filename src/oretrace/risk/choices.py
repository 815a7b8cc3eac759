"""Choices of the risk app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EditionKind(models.TextChoices):
    """Which reference list an edition is of (the values are the readers' kinds)."""

    DOL_GOODS = "dol-goods", _("DOL List of Goods (child and forced labour)")
    DOL_COUNTRIES = "dol-countries", _("DOL country profiles")
    CAHRA = "cahra", _("EU list of conflict-affected and high-risk areas")
    ISO3166 = "iso3166", _("ISO 3166 country codes")


# What each count of an edition means, for people (the keys stay stable for the API).
COUNT_LABELS = {
    "rows": _("rows"),
    "goods": _("goods"),
    "countries": _("countries"),
    "child_labour": _("with child labour"),
    "forced_labour": _("with forced labour"),
    "with_figure": _("with a figure of working children"),
    "regions": _("regions"),
    "conflict_affected": _("conflict-affected regions"),
    "high_risk": _("high-risk regions"),
    "whole_country": _("whole-country designations"),
}
# The compared fields of a diff, and their yes/no values, as a page shows them.
FIELD_LABELS = {
    "sector": _("Sector"),
    "child_labour": _("Child labour"),
    "forced_labour": _("Forced labour"),
    "forced_child_labour": _("Forced child labour"),
    "region": _("Region"),
    "advancement": _("Advancement"),
    "working_children": _("Children working"),
    "goods": _("Goods"),
    "name": _("Name"),
    "conflict_affected": _("Conflict-affected"),
    "high_risk": _("High-risk"),
    "whole_country": _("Whole country"),
    "alpha3": _("Alpha-3"),
    "numeric": _("Numeric"),
}
VALUE_LABELS = {"yes": _("yes"), "no": _("no")}


class ScoreSubject(models.TextChoices):
    """What a risk score is of."""

    FACILITY = "facility", _("Facility")
    SUPPLIER = "supplier", _("Supplier")
    LOT = "lot", _("Product lot")


# A score's level, as a page shows it (the codes are the methodology's).
LEVEL_LABELS = {
    "low": _("low"),
    "medium": _("medium"),
    "high": _("high"),
    "extreme": _("extreme"),
}
# The sources of a score's contributions, as a page names them.
SOURCE_LABELS = {
    "cahra": _("EU list of conflict-affected and high-risk areas"),
    "dol-goods": _("DOL List of Goods"),
    "dol-countries": _("DOL country profiles"),
    "assurance": _("Registry: assurance status"),
    "declaration": _("Supplier declarations"),
    "red-flags": _("Open red flags"),
    "score": _("Score of a facility"),
}
# What a recompute job's counts mean.
SCORE_LABELS = {
    "facilities": _("facilities scored"),
    "suppliers": _("suppliers scored"),
    "lots": _("product lots scored"),
}
# The states of a score's sources, as a page names them (the codes are the methodology's).
STATE_LABELS = {
    "unknown": _("unknown"),
    "conflict_affected": _("conflict-affected area"),
    "high_risk": _("high-risk area"),
    "region_unknown": _("listed regions in the country; the facility's region is not recorded"),
    "not_listed": _("not listed"),
    "forced_and_child": _("child and forced labour"),
    "forced": _("forced labour"),
    "child": _("child labour"),
    "very_high": _("very high"),
    "high": _("high"),
    "moderate": _("moderate"),
    "low": _("low"),
    "conformant": _("conformant"),
    "active": _("active (audit under way)"),
    "none": _("none"),
    "complete": _("complete"),
    "incomplete": _("incomplete or with errors"),
    "undisclosed": _("no declaration"),
    "open": _("open"),
    "scored": _("scored"),
    "medium": _("medium"),
}


# --- red flags (issue 18 §2) ------------------------------------------------------------------


class FlagSeverity(models.TextChoices):
    """How urgently a red flag calls for enhanced due diligence (the rule sets it)."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class EvidenceKind(models.TextChoices):
    """The kind of record a red flag cites as its evidence."""

    DECLARATION = "declaration", _("Supplier declaration")
    SMELTER_ENTRY = "smelter-entry", _("Smelter List row of a declaration")
    MINE_ENTRY = "mine-entry", _("Mine List row of a declaration")
    ASSURANCE_STATUS = "assurance-status", _("Assurance status")
    FACILITY = "facility", _("Facility")
    LOT = "lot", _("Lot (custody)")
    CUSTODY_FLAG = "custody-flag", _("Mass-balance flag (custody)")
    ASSESSMENT = "assessment", _("Assessment")
    AUDIT_FINDING = "audit-finding", _("Audit finding")
    GRIEVANCE = "grievance", _("Grievance")


class FlagState(models.TextChoices):
    """A red flag's filter on the list: still holding, or closed."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


# What made the red flags be recomputed (a recompute job's reasons; a closed flag's reason).
FLAG_TRIGGERS = {
    "declaration": _("a declaration was imported or decided"),
    "match": _("a smelter name was matched"),
    "status": _("an assurance status was recorded"),
    "custody": _("custody events were captured"),
    "assessment": _("an assessment was submitted or decided"),
    "edition": _("a risk-data edition was imported"),
    "manual": _("a recomputation was asked for"),
    "audit": _("an audit's corrective action changed or fell due"),
    "grievance": _("a grievance was linked, unlinked or closed"),
}
# What the codes of a recompute job's result are called.
FLAG_COUNT_LABELS = {
    "raised": _("raised"),
    "closed": _("closed"),
    "open": _("open"),
}


# --- the risk register and Step-3 plans ---------------------------------------------------------


class RiskCategory(models.TextChoices):
    """What kind of risk an entry of the register is: the ten risks of Annex II of the OECD
    Guidance (its model supply-chain policy), then the labour risks a workplace standard
    covers beyond them."""

    TORTURE = "torture", _("Torture, cruel, inhuman and degrading treatment")
    FORCED_LABOUR = "forced_labour", _("Forced or compulsory labour")
    CHILD_LABOUR = "child_labour", _("Worst forms of child labour")
    HUMAN_RIGHTS = "human_rights", _("Other gross human-rights violations")
    WAR_CRIMES = "war_crimes", _("War crimes, crimes against humanity, genocide")
    ARMED_GROUPS = "armed_groups", _("Support to non-state armed groups")
    SECURITY_FORCES = "security_forces", _("Support to public or private security forces")
    BRIBERY = "bribery", _("Bribery and fraudulent misrepresentation of origin")
    MONEY_LAUNDERING = "money_laundering", _("Money laundering")
    TAXES = "taxes", _("Non-payment of taxes, fees and royalties")
    HEALTH_SAFETY = "health_safety", _("Labour: occupational health and safety")
    WAGES_HOURS = "wages_hours", _("Labour: wages and working hours")
    OTHER_LABOUR = "other_labour", _("Labour: other workplace risk")


class RiskLevel(models.TextChoices):
    """How serious a risk is judged, as the RMI's risk map grades areas."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    EXTREME = "extreme", _("Extreme")


class RiskOrigin(models.TextChoices):
    """How a risk came onto the register."""

    RED_FLAG = "red_flag", _("From a red flag")
    SCORE = "score", _("From a risk score")
    MANUAL = "manual", _("Entered by hand")


class RiskStatus(models.TextChoices):
    """Where a risk stands: identified and not yet managed, managed under a plan, or closed."""

    OPEN = "open", _("Open")
    MANAGED = "managed", _("Managed")
    CLOSED = "closed", _("Closed")


class PlanStrategy(models.TextChoices):
    """The three responses of OECD Step 3."""

    MITIGATE = "mitigate", _("Continue trading while mitigating")
    SUSPEND = "suspend", _("Suspend trading temporarily")
    DISENGAGE = "disengage", _("Disengage")


class PlanStatus(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    CLOSED = "closed", _("Closed")


class DecisionKind(models.TextChoices):
    """What a decision on a plan was; each one is a record in the transparency log."""

    ADOPTED = "adopted", _("Adopted")
    STRATEGY = "strategy", _("Strategy changed")
    REVIEWED = "reviewed", _("Reviewed")
    CLOSED = "closed", _("Closed")


class MeasureStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")
