"""Abstract base models every domain model builds on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, overload

from django.conf import settings
from django.db import models
from django.utils import timezone

from oretrace.core.sealing import Sealed

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    from oretrace.core.models.organisations import Membership, Organisation, User


class TimeStampedModel(models.Model):
    """Adds creation and last-modification times."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OrgOwnedQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    """Queries over rows that belong to one organisation."""

    def for_member(self, member: Membership) -> Self:
        """Rows the member's organisation owns or has been granted; see ``core.tenancy``."""
        from oretrace.core.tenancy import scope_to_member

        return scope_to_member(self, member)


def owning_organisation(
    *, db_index: bool = True, db_constraint: bool = True
) -> models.ForeignKey[Organisation | Combinable, Organisation]:
    """The ``organisation`` field of an org-owned row.

    A model whose composite index or unique constraint starts with ``organisation`` redeclares
    it with ``db_index=False``: the index of its own would cost a write per row and serve no
    query the composite does not. ``db_constraint=False`` is for rows written by the thousand
    whose organisation is a copy of a row's the database checks in the same transaction (see
    ``traceability.models``); deleting an organisation is still refused (PROTECT) by Django.
    """
    return models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=db_index,
        db_constraint=db_constraint,
        help_text="The organisation that owns this row.",
    )


def optional_organisation(
    help_text: str,
    *,
    related_name: str = "+",
    on_delete: Callable[..., None] = models.PROTECT,
) -> models.ForeignKey[Organisation | Combinable | None, Organisation | None]:
    """An ``organisation`` field that may be empty: a row shared with everyone (reference data,
    content shipped with oretrace) or one organisation's own; ``help_text`` says which."""
    return models.ForeignKey(
        "core.Organisation",
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        help_text=help_text,
    )


# A link that may be empty, typed by the model it names (``optional_link``).
type OptionalLink[M: models.Model] = models.ForeignKey[M | Combinable | None, M | None]


@overload
def optional_link[M: models.Model](
    to: type[M],
    help_text: str = "",
    *,
    related_name: str = "+",
    on_delete: Callable[..., None] = models.PROTECT,
    db_index: bool = True,
) -> OptionalLink[M]: ...


@overload
def optional_link(
    to: Literal["self"],
    help_text: str = "",
    *,
    related_name: str = "+",
    on_delete: Callable[..., None] = models.PROTECT,
    db_index: bool = True,
) -> OptionalLink[Any]: ...


def optional_link(
    to: type[models.Model] | Literal["self"],
    help_text: str = "",
    *,
    related_name: str = "+",
    on_delete: Callable[..., None] = models.PROTECT,
    db_index: bool = True,
) -> OptionalLink[Any]:
    """A link to another row that may be empty (what a flag, a risk or a lot is about, a place,
    a country); the row it names cannot be deleted while linked unless ``on_delete`` says
    otherwise. ``db_index=False`` where a composite index starting with the link serves it.

    A link to a row of the same model (``"self"``, the class not being defined yet) says its
    type where it is declared: ``previous: OptionalLink[Edition] = optional_link("self")``.
    """
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        db_index=db_index,
        help_text=help_text,
    )


def optional_user(
    help_text: str = "", *, db_constraint: bool = True
) -> models.ForeignKey[User | Combinable | None, User | None]:
    """A user who did something to the row (created it, invited, accepted); emptied when the
    user is deleted (done by Django also without ``db_constraint``)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=db_constraint,
        help_text=help_text,
    )


def creating_user(
    *, db_constraint: bool = True
) -> models.ForeignKey[User | Combinable | None, User | None]:
    """The ``created_by`` field of an org-owned row (``db_constraint`` as for the organisation)."""
    return optional_user(
        "The user who created this row, if a user did.", db_constraint=db_constraint
    )


class OrgOwnedModel(TimeStampedModel):
    """A row owned by one organisation and created by one user.

    Every query that serves a user goes through ``Model.objects.for_member(member)``; another
    organisation's rows stay invisible unless a ``Grant`` shares them.
    """

    organisation = owning_organisation()
    created_by = creating_user()

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class FileVersionQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    """Queries over ``FileVersion`` rows."""

    def for_member(self, member: Membership) -> Self:
        """Versions shipped with oretrace (no owner), the organisation's own, and shared ones."""
        from oretrace.core.tenancy import scope_to_member

        return scope_to_member(self, member, public=models.Q(organisation__isnull=True))


class FileVersion(TimeStampedModel):
    """One version of a document read from a file (a standard, an audit programme): shipped
    with oretrace or one organisation's own, never changed once installed, since what was done
    against it (assessments, audits) means something only against that exact version.

    A subclass declares its ``organisation`` (``optional_organisation``, with its related name),
    its manager (``FileVersionQuerySet``) and ``Meta(FileVersion.Meta)`` with
    ``constraints = file_version_constraints("its prefix")``.
    """

    code = models.SlugField(max_length=80, help_text="Stable code shared by all versions.")
    version = models.CharField(max_length=30)
    title = models.JSONField(default=dict, help_text="Title by language code.")

    class Meta:
        abstract = True
        ordering = ["code", "-created_at"]

    def __str__(self) -> str:
        return f"{self.title.get('en', self.code)} ({self.version})"


def file_version_constraints(prefix: str) -> list[models.BaseConstraint]:
    """A code's version exists once among the shipped ones and once per organisation."""
    return [
        models.UniqueConstraint(
            fields=["code", "version"],
            condition=models.Q(organisation__isnull=True),
            name=f"{prefix}_shipped_version_unique",
        ),
        models.UniqueConstraint(
            fields=["organisation", "code", "version"], name=f"{prefix}_version_unique"
        ),
    ]


class SealedRow(models.Model):
    """A row whose text is sealed at rest with a ``core.sealing.KeyRing``: the id of the key
    that sealed it and the ciphertext. The change log never copies the ciphertext."""

    changelog_exclude: ClassVar[tuple[str, ...]] = ("sealed",)

    key_id = models.CharField(max_length=40)
    sealed = models.BinaryField()

    class Meta:
        abstract = True

    def sealed_text(self) -> Sealed:
        return Sealed(self.key_id, bytes(self.sealed))


class SealedRead(models.Model):
    """Who opened sealed texts, when, and from which page: one row per opening. A subclass
    links it to what was opened."""

    member = models.ForeignKey("core.Membership", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)
    purpose = models.CharField(max_length=40, default="case page")

    class Meta:
        abstract = True
        ordering = ("-read_at",)


def locked_singleton[M: models.Model](model: type[M]) -> M:
    """The model's one row (primary key 1), created if missing and locked until the surrounding
    transaction ends: whatever takes turns on it (the log state, the change log's head) is
    serialised."""
    row = model._default_manager.select_for_update().filter(pk=1).first()
    if row is None:
        model._default_manager.get_or_create(pk=1)
        row = model._default_manager.select_for_update().get(pk=1)
    return row
