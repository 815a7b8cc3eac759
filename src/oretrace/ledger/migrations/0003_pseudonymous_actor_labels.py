"""Leaves name their actor by pseudonym, not by e-mail address.

A leaf's ``actor_label`` was ``"<e-mail> (<organisation>)"`` for a member. It becomes the
pseudonym of the user with that address (``core.Pseudonym``, created if needed), or a fresh
pseudonym that maps to nobody when no user has the address any more. The label is not part of
the leaf's commitment, so entries, the tree and every checkpoint are unchanged. One UPDATE per
distinct label.
"""

import secrets

from django.db import migrations


def pseudonymise_leaves(apps, schema_editor):
    User = apps.get_model("core", "User")
    Pseudonym = apps.get_model("core", "Pseudonym")
    Leaf = apps.get_model("ledger", "Leaf")
    labels = set(
        Leaf.objects.filter(actor_label__contains="@").values_list("actor_label", flat=True)
    )
    for label in labels:
        email = label.split(" ", 1)[0].strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            value = "user-" + secrets.token_hex(8)
        else:
            row = Pseudonym.objects.filter(user=user).first()
            if row is None:
                row = Pseudonym.objects.create(user=user, value="user-" + secrets.token_hex(8))
            value = row.value
        Leaf.objects.filter(actor_label=label).update(actor_label=value)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_pseudonyms"),
        ("ledger", "0002_leaf_rowid_no_org_index"),
    ]

    operations = [migrations.RunPython(pseudonymise_leaves, migrations.RunPython.noop)]
