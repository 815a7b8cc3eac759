"""Numbers in SVG are written the same in every language (issue 15).

Django localises numbers in templates: in French ``{{ 0.5 }}`` is ``0,5``, which the browser
cannot read as a coordinate, so a chart is drawn empty. Every number a template writes into an
SVG attribute goes through the ``svgnum`` filter; a rule over the templates keeps it so, and the
charts of the demo are rendered in French and Hindi and read back as SVG.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from oretrace.web.templatetags.oretrace import svgnum

SRC = Path(__file__).resolve().parents[2]
# Attributes that hold one number (or a percentage).
SINGLE = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height"}
# Attributes that hold a list of numbers, built in Python (traceability.pictures.num).
LISTS = {"viewBox", "d", "points"}
NUMBER = re.compile(r"-?\d+(\.\d+)?%?")
SVG_BLOCK = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
ATTRIBUTE = re.compile(r"\b([a-zA-Z][\w:-]*)=\"([^\"]*)\"")
EXPRESSION = re.compile(r"\{\{(.*?)\}\}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (12, "12"),
        (1.5, "1.5"),
        (33.3333333, "33.333"),
        (Decimal("-23.5000"), "-23.5"),
        ("170.40", "170.4"),
        (1234567.25, "1234567.25"),
        ("not a number", "0"),
        (None, "0"),
        (float("nan"), "0"),
        (float("inf"), "0"),
    ],
)
def test_svgnum_writes_a_plain_number(value, expected):
    assert svgnum(value) == expected


@pytest.mark.parametrize("language", ["fr", "hi"])
def test_svgnum_ignores_the_active_language(language):
    with translation.override(language):
        assert svgnum(1234.5) == "1234.5"


def _templates() -> list[Path]:
    return sorted(SRC.glob("*/templates/**/*.html"))


def test_every_number_in_an_svg_template_goes_through_svgnum():
    """A template that writes ``x="{{ bar.x }}"`` inside an <svg> fails here, whatever its app."""
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for block in SVG_BLOCK.findall(text):
            for name, value in ATTRIBUTE.findall(block):
                if name not in SINGLE:
                    continue
                for expression in EXPRESSION.findall(value):
                    if not expression.strip().endswith("|svgnum"):
                        where = path.relative_to(SRC)
                        problems.append(f'{where}: {name}="{{{{{expression}}}}}" needs |svgnum')
    assert problems == [], "\n".join(problems)


def test_the_rule_catches_a_bare_number(tmp_path, monkeypatch):
    """The rule above is not vacuous: a planted template with a bare coordinate is found."""
    planted = tmp_path / "planted" / "templates" / "planted" / "chart.html"
    planted.parent.mkdir(parents=True)
    planted.write_text('<svg><rect x="{{ bar.x }}" y="{{ bar.y|svgnum }}"/></svg>')
    monkeypatch.setattr(
        "oretrace.web.tests.test_svg_numbers._templates", lambda: [planted], raising=True
    )
    monkeypatch.setattr("oretrace.web.tests.test_svg_numbers.SRC", tmp_path)
    with pytest.raises(AssertionError, match=r"x=\"\{\{ bar.x \}\}\" needs \|svgnum"):
        test_every_number_in_an_svg_template_goes_through_svgnum()


def svg_number_problems(html: str) -> tuple[int, list[str]]:
    """How many <svg> elements the page has, and every attribute among them that a browser
    could not read as a number."""
    problems = []
    blocks = SVG_BLOCK.findall(html)
    for block in blocks:
        try:
            root = ET.fromstring(block)  # noqa: S314  (our own page, rendered by the test)
        except ET.ParseError as exc:
            problems.append(f"not well-formed SVG ({exc}): {block[:120]}")
            continue
        for element in root.iter():
            for name, value in element.attrib.items():
                if name in SINGLE and not NUMBER.fullmatch(value):
                    problems.append(f"<{element.tag} {name}={value!r}>")
                elif name in LISTS and ("," in value or not value.strip()):
                    problems.append(f"<{element.tag} {name}={value[:60]!r}>")
                elif name == "viewBox" and not all(map(NUMBER.fullmatch, value.split())):
                    problems.append(f"<{element.tag} viewBox={value!r}>")
    return len(blocks), problems


def _client(email: str, language: str) -> Client:
    from oretrace.core.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(email=email))
    return client


def _chart_pages() -> list[tuple[str, str, str]]:
    """(persona, page, what it draws) for every chart of the demo."""
    from oretrace.assessments.models import Assessment
    from oretrace.core.models import Membership
    from oretrace.traceability.models import Lot

    latest = Assessment.objects.latest("submitted_at")
    pages = [
        ("compliance@brightline.example", reverse("declarations:rollup"), "roll-up chart"),
        (
            "grievance@initiative.example",
            reverse("assessments:detail", args=[latest.pk]),
            "assessment progress chart",
        ),
        (
            "grievance@initiative.example",
            reverse("registry:facility", args=[latest.facility_id]),
            "facility locator",
        ),
    ]
    for lot in Lot.objects.order_by("-pk")[:3]:
        holder = Membership.objects.filter(organisation_id=lot.organisation_id).first()
        assert holder is not None, f"nobody holds lot {lot.pk}"
        pages.append(
            (holder.user.email, reverse("traceability:lot", args=[lot.pk]), "chain and map")
        )
    return pages


@pytest.mark.django_db
def test_demo_charts_render_with_plain_numbers_in_french_and_hindi(demo):
    """The roll-up, the assessment's progress, a facility's locator and a lot's chain picture
    and map, in fr and hi: every coordinate a number a browser reads, and something drawn."""
    seen: dict[tuple[str, str], int] = {}
    for language in ("fr", "hi"):
        for email, url, what in _chart_pages():
            response = _client(email, language).get(url)
            assert response.status_code == 200, (language, url)
            html = response.content.decode()
            assert f'<html lang="{language}">' in html
            count, problems = svg_number_problems(html)
            assert problems == [], f"{what} in {language} at {url}:\n" + "\n".join(problems)
            seen[(language, what)] = seen.get((language, what), 0) + count
    for language in ("fr", "hi"):
        for what in ("roll-up chart", "assessment progress chart", "chain and map"):
            assert seen[(language, what)] > 0, f"no {what} drawn in {language}"
