"""Facility-name matching: normalisation and the engine (pure, no ORM).

``from oretrace.registry.matching import Matcher, Candidate, normalise`` is the public surface;
see `engine` for how names are matched and how the thresholds were calibrated, and `normalise`
for every normalisation rule.
"""

from oretrace.registry.matching.engine import (
    DEFAULT_THRESHOLDS,
    Candidate,
    Matcher,
    MatchResult,
    Scored,
    Thresholds,
)
from oretrace.registry.matching.normalise import (
    country_code,
    metal_code,
    normalise,
    normalise_identifier,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Candidate",
    "MatchResult",
    "Matcher",
    "Scored",
    "Thresholds",
    "country_code",
    "metal_code",
    "normalise",
    "normalise_identifier",
]
