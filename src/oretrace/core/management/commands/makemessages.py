"""``makemessages`` that also finds the singular/plural pairs marked with ``plural_noop``.

A notification is stored as its msgid pair and translated when read (``ngettext``), so the
pair is marked where it is written, untranslated. Django's own keywords know no plural marker
that leaves its text alone; this one extracts ``plural_noop(singular, plural)`` as one plural
entry of the catalogue, exactly as ``ngettext`` would be.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=plural_noop:1,2"]
