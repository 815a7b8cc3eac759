"""No personal data in the logs: members are named by pseudonym, and erasure unmaps it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from oretrace.core import services
from oretrace.core.actors import SYSTEM, SystemActor, actor_label
from oretrace.core.changelog import ERASED_ENTRIES
from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ApiToken, ChangeLogEntry, Membership, Pseudonym, User
from oretrace.core.queries import actor_names
from oretrace.core.tests.factories import MembershipFactory
from oretrace.ledger import services as ledger
from oretrace.ledger.audit import run_audit
from oretrace.ledger.models import Leaf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_keys(settings, tmp_path):
    settings.ORETRACE_LEDGER_KEY_PATH = tmp_path / "ledger" / "log.key"
    settings.ORETRACE_LEDGER_WITNESSES = []


def _update_org(member: Membership) -> None:
    services.update_organisation(member.organisation, actor=member, website="https://a.example")


def test_a_members_leaves_and_change_log_entries_name_them_by_pseudonym(member_a):
    # when a member changes a logged record
    _update_org(member_a)
    # then neither the leaf nor the change-log entry holds their address or name
    leaf = Leaf.objects.filter(record_type="core.organisation").order_by("-index").first()
    entry = ChangeLogEntry.objects.filter(actor=member_a.user).first()
    pseudonym = Pseudonym.objects.get(user=member_a.user).value
    assert entry is not None
    assert leaf is not None
    assert leaf.actor_label == entry.actor_label == pseudonym
    assert pseudonym.startswith("user-")
    for label in (leaf.actor_label, entry.actor_label):
        assert member_a.user.email not in label
        assert member_a.user.full_name not in label
    # and a system actor keeps its plain label
    assert actor_label(SYSTEM) == "system"


def test_pseudonyms_are_random_per_user_not_derived_from_the_address(member_a, org_a):
    # given two users with the same e-mail domain, each gets a distinct pseudonym
    other = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    assert actor_label(member_a) != actor_label(other)
    # and the same user keeps theirs
    assert actor_label(member_a) == actor_label(Membership.objects.get(pk=member_a.pk))
    # a user erased and later re-created with the same address is not linkable to the old one
    email, old = member_a.user.email, actor_label(member_a)
    services.erase_user(member_a.user, actor=SYSTEM)
    again = MembershipFactory.create(organisation=org_a, user__email=email, roles=[Role.ADMIN])
    assert actor_label(again) != old


def test_erasure_unmaps_the_pseudonym_and_keeps_the_log_valid(member_a, org_a):
    # given a member who acted, logged by pseudonym, with an API token
    _update_org(member_a)
    services.issue_token(member_a, name="ci", actor=member_a)
    label = actor_label(member_a)
    MembershipFactory.create(
        organisation=org_a, roles=[Role.ADMIN]
    )  # the organisation keeps an admin
    assert actor_names(member_a, [label]) == {label: str(member_a.user)}
    leaves_before = list(Leaf.objects.values_list("index", "entry", "actor_label"))
    email = member_a.user.email
    # when the operator erases the user
    operator = SystemActor("erase_user command")
    services.erase_user(member_a.user, actor=operator)
    # then the pseudonym maps to nobody
    assert not Pseudonym.objects.filter(value=label).exists()
    viewer = Membership.objects.exclude(pk=member_a.pk).get(organisation=org_a)
    assert actor_names(viewer, [label]) == {}
    # the person's data is gone and their access with it
    user = User.objects.get(pk=member_a.user.pk)
    assert email not in (user.email, user.full_name)
    assert not user.is_active
    assert not user.has_usable_password()
    assert not Membership.objects.get(pk=member_a.pk).is_active
    assert not ApiToken.objects.filter(membership=member_a, revoked_at__isnull=True).exists()
    assert not User.objects.filter(email=email).exists()
    # the erasure is in the change log, without the erased values
    entry = ChangeLogEntry.objects.filter(
        content_type__model="user", object_id=str(user.pk), after__has_key=ERASED_ENTRIES
    )
    assert entry.get().actor_label == "erase_user command"
    logged = ChangeLogEntry.objects.values_list("object_repr", "before", "after", "personal")
    assert email not in str(list(logged))
    # and the log is untouched: same leaves, same labels, the audit finds nothing
    assert list(Leaf.objects.values_list("index", "entry", "actor_label")) == leaves_before
    assert run_audit().problems == []


def test_only_the_operator_may_erase_a_user(member_a, member_b):
    with pytest.raises(PermissionDenied, match="operator"):
        services.erase_user(member_b.user, actor=member_a)
    member_a.user.is_staff = True
    member_a.user.save()
    services.erase_user(member_b.user, actor=member_a)
    assert not User.objects.get(pk=member_b.user.pk).is_active


def test_names_behind_pseudonyms_are_shown_only_within_the_organisation(member_a, member_b):
    label = actor_label(member_a)
    assert actor_names(member_a, [label, "system"]) == {label: str(member_a.user)}
    assert actor_names(member_b, [label]) == {}


def test_pages_show_the_name_not_the_pseudonym_to_colleagues(web_a, member_a):
    _update_org(member_a)
    page = web_a.get("/ledger/").content.decode()
    assert str(member_a.user) in page
    assert actor_label(member_a) not in page


def test_erase_user_command(member_a, org_a):
    from django.core.management import call_command

    MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])
    label = actor_label(member_a)
    call_command("erase_user", member_a.user.email, "--yes")
    assert not Pseudonym.objects.filter(value=label).exists()


# --- the data migrations -----------------------------------------------------------------------


def test_the_migrations_replace_e_mail_labels_with_pseudonyms(member_a):
    # given leaves and change-log entries labelled the old way, one by a user since deleted
    _update_org(member_a)
    ledger.append(member_a.organisation, actor=member_a)
    services.issue_token(member_a, name="ci", actor=member_a)
    email = member_a.user.email
    old = f"{email} ({member_a.organisation})"
    gone = "former@example.org (Somewhere)"
    Pseudonym.objects.all().delete()
    Leaf.objects.update(actor_label=old)
    first = Leaf.objects.order_by("index").values_list("index", flat=True)[0]
    Leaf.objects.filter(index=first).update(actor_label=gone)
    ChangeLogEntry.objects.update(actor_label=old)
    ChangeLogEntry.objects.filter(pk=ChangeLogEntry.objects.values_list("pk", flat=True)[0]).update(
        actor=None, actor_label=gone
    )
    # when the data migrations run
    core = importlib.import_module("oretrace.core.migrations.0002_pseudonyms")
    ledger_migration = importlib.import_module(
        "oretrace.ledger.migrations.0003_pseudonymous_actor_labels"
    )
    core.pseudonymise_change_log(apps, None)
    ledger_migration.pseudonymise_leaves(apps, None)
    # (on an upgrade the change log's hash chain is computed after, by core 0005)
    importlib.import_module("oretrace.core.migrations.0005_changelog_chain").chain_existing(
        apps, None
    )
    # then no label holds an address; the user's map to their pseudonym, the deleted one's to nobody
    labels = set(Leaf.objects.values_list("actor_label", flat=True)) | set(
        ChangeLogEntry.objects.values_list("actor_label", flat=True)
    )
    assert not any("@" in label for label in labels)
    pseudonym = Pseudonym.objects.get(user=member_a.user).value
    assert pseudonym in labels
    orphan = Leaf.objects.get(index=first).actor_label
    assert orphan.startswith("user-")
    assert orphan != pseudonym
    assert not Pseudonym.objects.filter(value=orphan).exists()
    assert run_audit().problems == []  # labels are not part of the commitments


def test_an_organisation_without_another_admin_can_still_erase_its_last_admin(member_a):
    # erasure is a legal obligation: it may leave the organisation without an administrator
    services.erase_user(member_a.user, actor=SYSTEM)
    assert not Membership.objects.active().filter(organisation=member_a.organisation).exists()
    ledger.sign_checkpoint()
