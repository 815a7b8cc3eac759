"""``oretrace check`` says when the server has no font for Hindi or Chinese PDF reports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from oretrace.core.fonts import SCRIPTS, missing_fonts

BIN = Path(sys.executable).parent / "oretrace"


def test_a_script_without_a_font_is_named_with_its_package():
    asked = []

    def lister(args: list[str]) -> str:
        asked.append(args[0])
        return "" if args[0] == ":lang=hi" else "Noto Sans CJK SC\n"

    problems = missing_fonts(lister)
    assert asked == [":lang=hi", ":lang=zh-cn"]
    assert problems == [
        "no Devanagari font is installed: Hindi PDF reports would print empty boxes; install "
        "one (Debian/Ubuntu: apt-get install fonts-noto-core)"
    ]


def test_nothing_to_say_when_every_script_has_a_font():
    assert missing_fonts(lambda args: "Noto Sans\n") == []


def test_both_missing_name_both_packages():
    problems = missing_fonts(lambda args: "")
    assert len(problems) == len(SCRIPTS) == 2
    assert "fonts-noto-core" in problems[0]
    assert "Chinese" in problems[1]
    assert "fonts-noto-cjk" in problems[1]


def test_no_fontconfig_is_said_once():
    def lister(args: list[str]) -> str:
        raise FileNotFoundError("fc-list")

    assert missing_fonts(lister) == [
        "fontconfig's fc-list is not installed, so the fonts for PDF reports cannot be checked: "
        "install fontconfig (Debian/Ubuntu: apt-get install fontconfig)"
    ]


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig is not installed")
def test_oretrace_check_warns_on_a_server_with_no_fonts(tmp_path):
    """End to end: fontconfig pointed at an empty configuration finds no font at all."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORETRACE_")}
    env.update(
        ORETRACE_DEBUG="true", ORETRACE_DATA_DIR=str(tmp_path / "var"), FONTCONFIG_FILE=str(conf)
    )
    result = subprocess.run(
        [str(BIN), "check"], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert "warning: no Devanagari font is installed" in result.stderr
    assert "apt-get install fonts-noto-core" in result.stderr
    assert "apt-get install fonts-noto-cjk" in result.stderr
