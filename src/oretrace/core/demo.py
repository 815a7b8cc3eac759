"""The demo: organisations along a mica chain and a 3TG/cobalt chain, with a user for each role.

Built only through services, and idempotent: running it again changes nothing. Later apps add
their own demo data by registering a builder with ``@demo_step``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import transaction

from oretrace.core import services
from oretrace.core.actors import SystemActor
from oretrace.core.choices import OrganisationKind as K
from oretrace.core.choices import Role as R
from oretrace.core.models import Membership, Organisation, User
from oretrace.core.reference import load_reference_data, reference_is_loaded

DEMO_PASSWORD = "oretrace-demo-2026"  # noqa: S105  (published on purpose: demo data only)
ACTOR = SystemActor("demo")


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    legal_name: str
    short_name: str
    kind: str
    country: str
    chain: str
    national_registration: str = ""


ORGANISATIONS: tuple[DemoOrg, ...] = (
    DemoOrg(
        "koderma-collectors",
        "Koderma Mica Collectors Cooperative Society",
        "Koderma Collectors",
        K.MINING,
        "IN",
        "mica",
        "JH/COOP/2019/0412",
    ),
    DemoOrg(
        "giridih-mica",
        "Giridih Mica Processing Private Limited",
        "Giridih Mica Processing",
        K.PROCESSOR,
        "IN",
        "mica",
        "U14200JH2011PTC000118",
    ),
    DemoOrg(
        "hooghly-exports",
        "Hooghly Mineral Exports Private Limited",
        "Hooghly Exports",
        K.TRADER,
        "IN",
        "mica",
        "U51900WB2004PTC099871",
    ),
    DemoOrg(
        "rhein-pigmente",
        "Rhein Effektpigmente GmbH",
        "Rhein Pigmente",
        K.MANUFACTURER,
        "DE",
        "mica",
        "HRB 40817",
    ),
    DemoOrg(
        "lackwerk",
        "Lackwerk Automotive Coatings AG",
        "Lackwerk Coatings",
        K.COMPONENT_MAKER,
        "DE",
        "mica",
        "HRB 77120",
    ),
    DemoOrg(
        "aurelia-motors",
        "Aurelia Automobiles SA",
        "Aurelia Motors",
        K.BRAND,
        "FR",
        "mica",
        "RCS Lyon 512 000 417",
    ),
    DemoOrg(
        "lualaba-artisans",
        "Coopérative des Creuseurs Artisanaux du Lualaba",
        "Lualaba Artisans",
        K.MINING,
        "CD",
        "3tg-cobalt",
    ),
    DemoOrg(
        "bangka-smelting",
        "PT Bangka Timah Peleburan",
        "Bangka Smelting",
        K.SMELTER,
        "ID",
        "3tg-cobalt",
    ),
    DemoOrg(
        "pearl-river-components",
        "Pearl River Precision Components Co., Ltd.",
        "Pearl River Components",
        K.COMPONENT_MAKER,
        "CN",
        "3tg-cobalt",
    ),
    DemoOrg(
        "brightline", "Brightline Devices Inc.", "Brightline Devices", K.BRAND, "US", "3tg-cobalt"
    ),
    DemoOrg(
        "mica-initiative",
        "Mica Workplace Initiative",
        "Mica Workplace Initiative",
        K.INITIATIVE,
        "FR",
        "both",
    ),
    DemoOrg(
        "thirdline-audit",
        "Thirdline Assurance Ltd",
        "Thirdline Assurance",
        K.AUDIT_BODY,
        "GB",
        "both",
    ),
)

# (e-mail, full name, [(organisation slug, roles)])
USERS: tuple[tuple[str, str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    ("admin@aurelia.example", "Camille Laurent", (("aurelia-motors", (R.ADMIN,)),)),
    (
        "compliance@aurelia.example",
        "Julien Moreau",
        (("aurelia-motors", (R.COMPLIANCE_OFFICER,)), ("lackwerk", (R.COMPLIANCE_OFFICER,))),
    ),
    ("viewer@aurelia.example", "Inès Petit", (("aurelia-motors", (R.VIEWER,)),)),
    (
        "compliance@rhein.example",
        "Katrin Vogel",
        (("rhein-pigmente", (R.ADMIN, R.COMPLIANCE_OFFICER)),),
    ),
    ("admin@lackwerk.example", "Stefan Braun", (("lackwerk", (R.ADMIN,)),)),
    (
        "supplier@giridih.example",
        "Anjali Kumari",
        (("giridih-mica", (R.ADMIN, R.SUPPLIER_CONTRIBUTOR)),),
    ),
    (
        "supplier@hooghly.example",
        "Rahul Sen",
        (("hooghly-exports", (R.ADMIN, R.SUPPLIER_CONTRIBUTOR)),),
    ),
    (
        "field@koderma.example",
        "Sunita Devi",
        (("koderma-collectors", (R.ADMIN, R.SUPPLIER_CONTRIBUTOR)),),
    ),
    (
        "grievance@initiative.example",
        "Priya Nair",
        (("mica-initiative", (R.ADMIN, R.GRIEVANCE_OFFICER)),),
    ),
    ("auditor@thirdline.example", "Thomas Okafor", (("thirdline-audit", (R.ADMIN, R.AUDITOR)),)),
    (
        "compliance@brightline.example",
        "Dana Whitfield",
        (("brightline", (R.ADMIN, R.COMPLIANCE_OFFICER)),),
    ),
    (
        "supplier@pearlriver.example",
        "Li Wei",
        (("pearl-river-components", (R.ADMIN, R.SUPPLIER_CONTRIBUTOR)),),
    ),
    (
        "supplier@bangka.example",
        "Dewi Lestari",
        (("bangka-smelting", (R.ADMIN, R.SUPPLIER_CONTRIBUTOR)),),
    ),
    (
        "field@lualaba.example",
        "Jean-Paul Mbuyi",
        (("lualaba-artisans", (R.ADMIN, R.SUPPLIER_CONTRIBUTOR)),),
    ),
    # the Initiative's case worker for its community programme (children's cases)
    (
        "cases@initiative.example",
        "Ritu Mahato",
        (("mica-initiative", (R.COMPLIANCE_OFFICER, R.CASE_WORKER)),),
    ),
)

# The platform's operator (a staff user, no organisation): approves sign-ups, invites
# organisations. The demo leaves one sign-up waiting for it, and one invitation pending.
OPERATOR = ("operator@oretrace.example", "Noor Haddad")
WAITING_SIGN_UP = {
    "legal_name": "Antsirabe Mica Traders SARL",
    "country": "MG",
    "full_name": "Hery Rakoto",
    "email": "hery@antsirabe-mica.example",
    "kind": K.TRADER,
    "language": "fr",
}
PENDING_INVITATION = ("aurelia-motors", "new.buyer@aurelia.example", "Lucas Moreau", R.VIEWER)

DemoStep = Callable[[Callable[[str], None]], None]
_STEPS: list[tuple[str, DemoStep]] = []
_LAST_STEPS: list[tuple[str, DemoStep]] = []


def demo_step(name: str, *, last: bool = False) -> Callable[[DemoStep], DemoStep]:
    """Register a builder that later apps use to add their demo data (runs after the core).

    ``last`` steps run after every other app's (the ledger's witness, which cosigns a
    checkpoint of everything the demo logged).
    """

    def register(func: DemoStep) -> DemoStep:
        (_LAST_STEPS if last else _STEPS).append((name, func))
        return func

    return register


def _organisation(spec: DemoOrg) -> Organisation:
    existing = Organisation.objects.filter(slug=spec.slug).first()
    if existing is not None:
        return existing
    fields = asdict(spec)
    del fields["chain"]  # which demo chain it belongs to, not a field of the organisation
    return services.create_organisation(**fields, actor=ACTOR)


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    return user or services.create_user(
        email=email, password=DEMO_PASSWORD, full_name=full_name, actor=ACTOR
    )


@transaction.atomic
def build_core(say: Callable[[str], None]) -> dict[str, int]:
    orgs = {spec.slug: _organisation(spec) for spec in ORGANISATIONS}
    created = 0
    for email, name, places in USERS:
        user = _user(email, name)
        for slug, roles in places:
            if not Membership.objects.filter(user=user, organisation=orgs[slug]).exists():
                services.add_member(orgs[slug], user=user, roles=list(roles), actor=ACTOR)
                created += 1
    say(f"{len(orgs)} organisations, {len(USERS)} users, {created} new memberships")
    return {"organisations": len(orgs), "users": len(USERS), "new_memberships": created}


def build_onboarding(say: Callable[[str], None]) -> None:
    """The operator, a sign-up waiting for its approval, and an invitation not yet accepted
    (its link is mailed, as every invitation's: the worker prints the mail in the demo)."""
    from oretrace.core.exceptions import PermissionDenied
    from oretrace.core.models import Invitation
    from oretrace.core.services import onboarding

    email, name = OPERATOR
    services.make_operator(_user(email, name), actor=ACTOR)
    waiting = WAITING_SIGN_UP
    if not User.objects.filter(email=waiting["email"]).exists():
        try:
            onboarding.sign_up(**waiting, password=DEMO_PASSWORD)
        except PermissionDenied:  # sign-up closed on this platform (ORETRACE_SIGNUP_OPEN)
            say("sign-up is closed: no sign-up waits for the operator")
    slug, invitee, invitee_name, role = PENDING_INVITATION
    org = Organisation.objects.get(slug=slug)
    if not Invitation.objects.filter(organisation=org, email=invitee).exists():
        onboarding.invite(org, email=invitee, roles=[role], actor=ACTOR, full_name=invitee_name)
    say(
        f"the operator {email}; {waiting['legal_name']} waits for approval; "
        f"{invitee} is invited to {org.short_name}"
    )


def build_demo(say: Callable[[str], None] = lambda _msg: None) -> None:
    """Load reference data if needed, then the core demo, then every app's demo step."""
    if not reference_is_loaded():
        load_reference_data(lambda _p, msg: say(str(msg)))
    build_core(say)
    build_onboarding(say)
    for name, step in [*_STEPS, *_LAST_STEPS]:
        say(f"demo: {name}")
        step(say)


def logins() -> list[tuple[str, str, str]]:
    """(e-mail, organisation(s), roles) for every demo user, for printing."""
    rows = []
    labels = dict(R.choices)
    for email, _name, places in USERS:
        orgs = " + ".join(
            next(o.short_name for o in ORGANISATIONS if o.slug == s) for s, _ in places
        )
        roles = " + ".join(", ".join(str(labels[r]) for r in roles) for _, roles in places)
        rows.append((email, orgs, roles))
    rows.append((OPERATOR[0], "the platform", "operator (staff user)"))
    return rows
