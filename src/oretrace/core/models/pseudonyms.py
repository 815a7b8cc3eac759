"""Pseudonyms: the random identifiers that stand for people in the logs."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

PREFIX = "user-"


def new_pseudonym() -> str:
    """A random identifier (64 bits): not derived from the e-mail, so it cannot be guessed."""
    return PREFIX + secrets.token_hex(8)


class Pseudonym(models.Model):
    """What maps a user's pseudonym, written in ledger leaves and the change log, to the user.

    The logs name who acted only by the pseudonym. This row is the one place that links it to
    the person; erasing the user deletes it, after which the pseudonym maps to nobody.
    """

    user = models.OneToOneField("core.User", on_delete=models.CASCADE, related_name="pseudonym")
    value = models.CharField(max_length=40, unique=True, default=new_pseudonym)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.value
