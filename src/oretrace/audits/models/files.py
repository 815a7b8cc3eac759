"""An uploaded file kept as evidence (a finding's photo, an action's proof): checked by type
and size before it is stored (``assessments.evidence``), named by its SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from oretrace.core.models import TimeStampedModel


class StoredFile(TimeStampedModel):
    """The fields every evidence file has: what it was called, its type, size and digest."""

    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def __str__(self) -> str:
        return self.original_name
