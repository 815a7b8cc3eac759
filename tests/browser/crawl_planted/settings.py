"""The project's settings plus the planted pages: their URLs, templates and stylesheet."""

from pathlib import Path

from oretrace.settings import *  # noqa: F403
from oretrace.settings import TEMPLATES

HERE = Path(__file__).resolve().parent

ROOT_URLCONF = "browser.crawl_planted.urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], HERE / "templates"]}]
STATICFILES_DIRS = [HERE / "static"]
