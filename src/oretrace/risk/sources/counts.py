"""What an edition holds, counted from its rows (shown beside the edition, kept with it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oretrace.risk.sources.base import SourceRow


def count_rows(kind: str, rows: Sequence[SourceRow]) -> dict[str, int]:
    """``rows`` and the counts that say what the rows of ``kind`` hold."""
    counts = {"rows": len(rows)}
    values: list[Any] = list(rows)
    if kind == "dol-goods":
        counts["goods"] = len({r.good for r in values})
        counts["countries"] = len({r.country_name for r in values})
        counts["child_labour"] = sum(r.child_labour for r in values)
        counts["forced_labour"] = sum(r.forced_labour for r in values)
    elif kind == "dol-countries":
        counts["countries"] = len(values)
        counts["with_figure"] = sum(r.working_children is not None for r in values)
    elif kind == "cahra":
        regions = [r for r in values if r.region_code]
        counts["countries"] = len({r.country_code for r in values})
        counts["regions"] = len(regions)
        counts["conflict_affected"] = sum(r.conflict_affected for r in regions)
        counts["high_risk"] = sum(r.high_risk for r in regions)
        counts["whole_country"] = sum(r.whole_country for r in values)
    elif kind == "iso3166":
        counts["countries"] = len(values)
    return counts
