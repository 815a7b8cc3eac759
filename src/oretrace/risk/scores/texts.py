"""The titles of the shipped methodologies' categories and indicators, marked for the
catalogues: a methodology file is data in English, and its pages show these titles in the
reader's language (``gettext(title)``). A test checks that every title of every shipped file
is listed here, so a new methodology cannot ship untranslated titles."""

from django.utils.translation import gettext_noop

METHODOLOGY_TITLES = (
    gettext_noop("Location of origin"),
    gettext_noop("Conflict-affected or high-risk area"),
    gettext_noop("Child and forced labour"),
    gettext_noop("The facility's mineral and country on the List of Goods"),
    gettext_noop("Share of children working in the country"),
    gettext_noop("Assurance"),
    gettext_noop("Audit programme status"),
    gettext_noop("Red flags"),
    gettext_noop("Open red flags about the facility"),
    gettext_noop("Declared smelters and refiners"),
    gettext_noop("Disclosure"),
    gettext_noop("The supplier's declarations"),
    gettext_noop("Open red flags about the supplier"),
    gettext_noop("Traced origins"),
    gettext_noop("no origin or smelter identified"),
)
