"""Loading the reference catalogues: ISO 3166 countries and subdivisions, minerals and metals.

Loading is idempotent: rows are upserted by their codes, so it can run at every start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pycountry
from django.db import models, transaction
from django.utils.translation import gettext, gettext_noop

from oretrace.core.choices import TemplateFamily
from oretrace.core.models import Country, Mineral, Subdivision
from oretrace.core.progress import Progress, no_progress
from oretrace.core.stored_text import StoredText


@dataclass(frozen=True)
class MineralSpec:
    code: str
    name: str
    symbol: str
    family: str
    template_label: str
    legacy: tuple[str, ...] = ()


_C, _E, _A = TemplateFamily.CMRT, TemplateFamily.EMRT, TemplateFamily.AMRT

# The template each mineral is declared in today. EMRT 2.0 added copper, graphite, lithium and
# nickel; cobalt was covered by the CRT and mica by the MRT before the EMRT replaced both.
MINERALS: tuple[MineralSpec, ...] = (
    MineralSpec("tin", gettext_noop("Tin"), "Sn", _C, "Tin"),
    MineralSpec("tantalum", gettext_noop("Tantalum"), "Ta", _C, "Tantalum"),
    MineralSpec("tungsten", gettext_noop("Tungsten"), "W", _C, "Tungsten"),
    MineralSpec("gold", gettext_noop("Gold"), "Au", _C, "Gold"),
    MineralSpec("cobalt", gettext_noop("Cobalt"), "Co", _E, "Cobalt", ("CRT",)),
    MineralSpec("mica", gettext_noop("Natural mica"), "", _E, "Mica", ("MRT",)),
    MineralSpec("copper", gettext_noop("Copper"), "Cu", _E, "Copper"),
    MineralSpec("graphite", gettext_noop("Natural graphite"), "C", _E, "Graphite"),
    MineralSpec("lithium", gettext_noop("Lithium"), "Li", _E, "Lithium"),
    MineralSpec("nickel", gettext_noop("Nickel"), "Ni", _E, "Nickel"),
    MineralSpec("aluminium", gettext_noop("Aluminium"), "Al", _A, "Aluminum"),
    MineralSpec("iridium", gettext_noop("Iridium"), "Ir", _A, "Iridium"),
    MineralSpec("lime", gettext_noop("Lime"), "", _A, "Lime"),
    MineralSpec("manganese", gettext_noop("Manganese"), "Mn", _A, "Manganese"),
    MineralSpec("palladium", gettext_noop("Palladium"), "Pd", _A, "Palladium"),
    MineralSpec("platinum", gettext_noop("Platinum"), "Pt", _A, "Platinum"),
    MineralSpec(
        "rare-earth-elements", gettext_noop("Rare earth elements"), "REE", _A, "Rare Earth Elements"
    ),
    MineralSpec("rhodium", gettext_noop("Rhodium"), "Rh", _A, "Rhodium"),
    MineralSpec("ruthenium", gettext_noop("Ruthenium"), "Ru", _A, "Ruthenium"),
    MineralSpec("silver", gettext_noop("Silver"), "Ag", _A, "Silver"),
    MineralSpec("soda-ash", gettext_noop("Soda ash"), "", _A, "Soda Ash"),
    MineralSpec("zinc", gettext_noop("Zinc"), "Zn", _A, "Zinc"),
)
THREE_TG = frozenset({"tin", "tantalum", "tungsten", "gold"})
_MINERAL_NAMES = {m.code: m.name for m in MINERALS}


def mineral_name(code: str) -> str:
    """A mineral's name in the reader's language; text that is no mineral code as it is."""
    name = _MINERAL_NAMES.get(code)
    return gettext(name) if name else code


def _upsert(
    model: type[models.Model], rows: list[dict[str, Any]], batch_size: int | None = None
) -> int:
    """Insert ``rows`` (a model's field values by name), or update every field but the code of
    those whose code is already there; their count."""
    fields = [name for name in rows[0] if name != "code"] if rows else []
    model._default_manager.bulk_create(
        [model(**row) for row in rows],
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=fields,
    )
    return len(rows)


@transaction.atomic
def load_countries() -> int:
    rows = [
        {
            "code": c.alpha_2,
            "alpha3": c.alpha_3,
            "numeric": c.numeric,
            "name": c.name,
            "official_name": getattr(c, "official_name", ""),
        }
        for c in pycountry.countries
    ]
    return _upsert(Country, rows)


@transaction.atomic
def load_subdivisions() -> int:
    # Foreign keys are checked at commit, so children may precede their parents here.
    rows = [
        {
            "code": s.code,
            "country_id": s.country_code,
            "name": s.name,
            "type": s.type,
            "parent_id": s.parent_code or None,
        }
        for s in pycountry.subdivisions
    ]
    return _upsert(Subdivision, rows, batch_size=1000)


@transaction.atomic
def load_minerals() -> int:
    rows = [
        {
            "code": m.code,
            "name": m.name,
            "symbol": m.symbol,
            "template_family": m.family,
            "template_label": m.template_label,
            "legacy_templates": list(m.legacy),
            "is_3tg": m.code in THREE_TG,
        }
        for m in MINERALS
    ]
    return _upsert(Mineral, rows)


# Each catalogue in the order it loads, with the progress once it is loaded and the line that
# says so (and names the next one).
_CATALOGUES: tuple[tuple[str, Callable[[], int], float, Callable[[int], StoredText]], ...] = (
    (
        "countries",
        load_countries,
        30,
        lambda n: StoredText.of(
            "%(count)s country; loading ISO 3166-2 subdivisions",
            "%(count)s countries; loading ISO 3166-2 subdivisions",
            count=n,
        ),
    ),
    (
        "subdivisions",
        load_subdivisions,
        90,
        lambda n: StoredText.of(
            "%(count)s subdivision; loading minerals and metals",
            "%(count)s subdivisions; loading minerals and metals",
            count=n,
        ),
    ),
    (
        "minerals",
        load_minerals,
        100,
        lambda n: StoredText.of(
            "%(count)s mineral or metal", "%(count)s minerals and metals", count=n
        ),
    ),
)


def load_reference_data(progress: Progress = no_progress) -> dict[str, int]:
    """Load or refresh every reference catalogue; returns the row count of each."""
    counts: dict[str, int] = {}
    progress(0, StoredText.of("Loading ISO 3166-1 countries"))
    for name, load, percent, loaded in _CATALOGUES:
        counts[name] = load()
        progress(percent, loaded(counts[name]))
    return counts


def reference_is_loaded() -> bool:
    return Country.objects.exists() and Mineral.objects.exists()
