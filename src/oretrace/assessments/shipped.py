"""The standards shipped with oretrace as package data, installed for everyone."""

from __future__ import annotations

from importlib import resources

from oretrace.assessments import services
from oretrace.assessments.models import Standard
from oretrace.assessments.stdfile import read
from oretrace.core.actors import SystemActor

SHIPPED = (
    "mica-processing-workplace.yaml",
    "oecd-due-diligence-management.yaml",
    "smelter-refiner-esg.yaml",
)


def shipped_text(name: str) -> str:
    return (resources.files("oretrace.assessments") / "standards" / name).read_text("utf-8")


def install_shipped(actor: SystemActor) -> list[Standard]:
    """Install the shipped standards not installed yet; return the ones installed now."""
    installed = []
    for name in SHIPPED:
        text = shipped_text(name)
        spec = read(text)
        if Standard.objects.filter(
            organisation__isnull=True, code=spec.code, version=spec.version
        ).exists():
            continue
        installed.append(services.import_standard(text, organisation=None, actor=actor))
    return installed
