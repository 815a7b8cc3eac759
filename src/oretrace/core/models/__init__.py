"""Models of the core app: organisations, people, sharing, change log, jobs, reference data."""

from oretrace.core.models.accounts import PasswordResetRequest
from oretrace.core.models.base import (
    FileVersion,
    FileVersionQuerySet,
    OptionalLink,
    OrgOwnedModel,
    OrgOwnedQuerySet,
    SealedRead,
    SealedRow,
    TimeStampedModel,
    creating_user,
    file_version_constraints,
    optional_link,
    optional_organisation,
    optional_user,
    owning_organisation,
)
from oretrace.core.models.changelog import ChangeLogEntry, ChangeLogHead
from oretrace.core.models.jobs import Job
from oretrace.core.models.notifications import Notification, PeriodicRun
from oretrace.core.models.onboarding import Invitation, SignUpRequest
from oretrace.core.models.organisations import Grant, Membership, Organisation, User
from oretrace.core.models.pseudonyms import Pseudonym
from oretrace.core.models.reference import Country, Mineral, Subdivision
from oretrace.core.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "ChangeLogEntry",
    "ChangeLogHead",
    "Country",
    "FileVersion",
    "FileVersionQuerySet",
    "Grant",
    "Invitation",
    "Job",
    "Membership",
    "Mineral",
    "Notification",
    "OptionalLink",
    "OrgOwnedModel",
    "OrgOwnedQuerySet",
    "Organisation",
    "PasswordResetRequest",
    "PeriodicRun",
    "Pseudonym",
    "SealedRead",
    "SealedRow",
    "SignUpRequest",
    "Subdivision",
    "TimeStampedModel",
    "User",
    "creating_user",
    "file_version_constraints",
    "optional_link",
    "optional_organisation",
    "optional_user",
    "owning_organisation",
]
