"""Declarations' leaves no longer commit to the uploaded file's SHA-256.

The file holds the supplier's contact data; its hash was in every public bundle of a
declaration. The facts are now the public-content fingerprint, family, version and status.
Each declaration whose latest leaf opens with the old facts (those plus ``file_sha256``) gets
a new leaf with the new facts, so the tamper audit keeps finding every record matching its
latest leaf. One whose latest leaf does not open with the old facts either was changed behind
the services' back: it is left alone, for the audit to report.

This uses the current models and the ledger's services (a new leaf is a tree append, not a
row copy), so it must stay the declarations' and the ledger's latest migration touching these
tables until it has run everywhere; on a database without declaration leaves it does nothing.
"""

from django.db import migrations


def recommit(apps, schema_editor):
    Leaf = apps.get_model("ledger", "Leaf")
    if not Leaf.objects.filter(record_type="declarations.declaration", deleted=False).exists():
        return
    from oretrace.core.actors import SystemActor
    from oretrace.declarations.models import Declaration
    from oretrace.declarations.records import declaration_facts_v1
    from oretrace.ledger import services as ledger
    from oretrace.ledger.commitment import commit_record
    from oretrace.ledger.models import Leaf as LiveLeaf

    latest = LiveLeaf.objects.filter(record_type="declarations.declaration").latest_per_record()
    stale = []
    for leaf in latest.filter(deleted=False, salt__isnull=False).iterator(2000):
        declaration = Declaration.objects.filter(pk=leaf.record_id).first()
        if declaration is None or leaf.salt is None:  # (the query keeps salted leaves only)
            continue
        old_facts = declaration_facts_v1(declaration)
        old_entry = commit_record(
            bytes(leaf.salt or b""), leaf.record_type, leaf.record_id, leaf.version, old_facts
        )
        if old_entry == bytes(leaf.entry):
            stale.append(declaration)
    if stale:
        ledger.append_many(stale, actor=SystemActor("migration: facts without the file hash"))


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0002_campaigns"),
        ("core", "0005_changelog_chain"),
        ("ledger", "0004_erasure"),
    ]

    operations = [migrations.RunPython(recommit, migrations.RunPython.noop)]
