"""Models of the ledger: the log's state, its leaves, stored subtree hashes, checkpoints.

Nothing here is edited after it is written, except a leaf's salt, which is erased together with
a record's personal data (the leaf itself stays, so the tree and every checkpoint stay valid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models.expressions import Combinable
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from oretrace.core.models import Membership


class LogState(models.Model):
    """The single row that serialises appends: the tree size and its right edge.

    ``frontier`` holds the hashes of the complete subtrees that make up the tree, largest first
    (``merkle.range_nodes(0, size)``), so the root and the next append need no other read.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")
    last_audit_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="logstate_single")]

    def __str__(self) -> str:
        return f"log of {self.size} leaves"


class HashTile(models.Model):
    """Up to 256 consecutive complete-subtree hashes at one Merkle level.

    Row ``(level, index)`` holds the nodes ``(level, index*256 …)``. Levels 0, 8, 16 … are
    exactly the tiles of c2sp.org/tlog-tiles (``tile/<level/8>/<index>``); the levels in between
    make every proof a read of O(log n) stored hashes, with no recomputation.
    """

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hashes = models.BinaryField(help_text="Concatenated 32-byte SHA-256 hashes.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="hashtile_level_index_unique")
        ]

    def __str__(self) -> str:
        return f"level {self.level} tile {self.index} ({len(self.hashes) // 32} hashes)"


class LogIndexField(models.PositiveBigIntegerField[int | Combinable, int]):
    """A leaf's position, declared ``integer`` on SQLite so that, as the primary key, it is the
    table's rowid: the leaf rows are stored in log order with no separate primary-key index to
    maintain on every append. ``bigint`` (with its ``>= 0`` check) everywhere else."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class LeafQuerySet(models.QuerySet["Leaf"]):
    def for_member(self, member: Membership) -> Self:
        """Leaves of the records the member's organisation owns."""
        return self.filter(organisation_id=member.organisation_id)

    def latest_per_record(self) -> Self:
        newer = Leaf.objects.filter(
            record_type=models.OuterRef("record_type"),
            record_id=models.OuterRef("record_id"),
            index__gt=models.OuterRef("index"),
        )
        return self.filter(~models.Exists(newer))


class Leaf(models.Model):
    """One entry of the log: the salted commitment to one version of one record."""

    index = LogIndexField(primary_key=True, help_text="Position in the log.")
    record_type = models.CharField(max_length=60, help_text="e.g. 'core.organisation'.")
    record_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField(help_text="1 for the record's first leaf, then 2 …")
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        # No index of its own: leaf_org_index_idx (organisation, index) serves every lookup by
        # organisation, and one index fewer to maintain per leaf speeds up bulk appends.
        db_index=False,
        help_text="The organisation that owns the record.",
    )
    entry = models.BinaryField(help_text="The 32-byte commitment, the log entry itself.")
    salt = models.BinaryField(
        null=True, blank=True, help_text="Empty once erased with the record's personal data."
    )
    deleted = models.BooleanField(default=False, help_text="A tombstone: the record was deleted.")
    actor_label = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = LeafQuerySet.as_manager()

    class Meta:
        ordering = ["-index"]
        indexes = [
            models.Index(fields=["organisation", "index"], name="leaf_org_index_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_id", "version"], name="leaf_record_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.record_type} {self.record_id} v{self.version}"


class Erasure(models.Model):
    """The logged erasure of one record's salts: itself a record of the log (``ledger.erasure``).

    ``leaves`` lists the indexes whose salts were removed. The tamper audit reports a leaf
    without a salt that no logged erasure names ("fake-erasure"): removing a salt is how one
    would hide a record changed afterwards.
    """

    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=64)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organisation that owns the erased record.",
    )
    leaves = models.JSONField(default=list, help_text="Indexes of the leaves erased.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"erasure of {self.record_type} {self.record_id} ({len(self.leaves)} leaves)"


class Checkpoint(models.Model):
    """A signed tree head (c2sp.org/tlog-checkpoint) the log issued."""

    size = models.PositiveBigIntegerField(unique=True)
    root = models.BinaryField()
    note = models.TextField(help_text="The signed note as the log signed it.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-size"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint at size {self.size}"

    def with_cosignatures(self) -> str:
        """The note with the witnesses' cosignature lines appended."""
        lines = [c.line for c in self.cosignatures.all()]
        return self.note + "".join(lines)


class Cosignature(models.Model):
    """A configured witness's verified cosignature (c2sp.org/tlog-cosignature) of a checkpoint."""

    checkpoint = models.ForeignKey(
        "ledger.Checkpoint", on_delete=models.CASCADE, related_name="cosignatures"
    )
    witness = models.CharField(max_length=200)
    key_id = models.CharField(max_length=8)
    timestamp = models.PositiveBigIntegerField(help_text="When the witness cosigned (POSIX).")
    line = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["witness"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "witness", "key_id"], name="cosignature_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness} on size {self.checkpoint.size}"


class AuditRun(models.Model):
    """One run of the tamper audit: what was checked and every problem found."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    problems = models.JSONField(
        default=list, blank=True, help_text="[{kind, record_type, record_id, organisation, detail}]"
    )
    trigger = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"audit of {self.size} leaves: {len(self.problems)} problem(s)"

    @property
    def ok(self) -> bool:
        return not self.problems
