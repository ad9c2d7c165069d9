"""The first programme admin of an installation, and the demo data set (idempotent)."""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from portal import audit
from portal.auth.passwords import hash_password, password_problems
from portal.db import session, utcnow
from portal.exceptions import DomainError
from portal.users.models import (
    Organisation,
    OrganisationKind,
    Role,
    RoleGrant,
    User,
    UserStatus,
    normalise_email,
)

DEMO_PASSWORD = "demo-pathway-2026"


def create_programme_admin(*, email: str, name: str, password: str) -> User:
    """An active programme admin with a password (two-factor set-up is forced at their first sign-in)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        email = normalise_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise DomainError("Enter an email address in the correct format, like name@example.com", "email") from None
    if not name.strip():
        raise DomainError("Enter a name", "name")
    problems = password_problems(password, email=email)
    if problems:
        raise DomainError(problems[0], "password")
    sess = session()
    if sess.execute(select(User.id).where(User.email == email)).scalar() is not None:
        raise DomainError("An account with this email address already exists", "email")
    user = User(email=email, name=name.strip(), status=UserStatus.ACTIVE, password_hash=hash_password(password))
    user.grants.append(RoleGrant(role=Role.PROGRAMME_ADMIN, organisation_id=None))
    sess.add(user)
    sess.flush()
    audit.record(None, "user.programme_admin_created", user, via="cli")
    return user


@dataclass(frozen=True)
class DemoAccount:
    role_label: str
    email: str
    totp_secret: str | None


DEMO_ORGANISATIONS = [
    ("NSH-CC", "Northshire County Council", OrganisationKind.LOCAL_AUTHORITY),
    ("RIV-TR", "Riverside Children's Services Trust", OrganisationKind.CHILDRENS_TRUST),
    ("IAP", "Independent Assessment Partnership", OrganisationKind.INDEPENDENT),
]

# (email, name, SWE number, [(role, organisation code or None)])
DEMO_PEOPLE = [
    ("programme.admin@pathway.example", "Priya Shah", None, [(Role.PROGRAMME_ADMIN, None)]),
    ("employer.admin@northshire.example", "Gareth Evans", None, [(Role.EMPLOYER_ADMIN, "NSH-CC")]),
    ("practitioner@northshire.example", "Siân Llŷr", "SW100001", [(Role.PRACTITIONER, "NSH-CC")]),
    ("supervisor@northshire.example", "Olusegun Adeyemi", "SW100002", [(Role.SUPERVISOR, "NSH-CC")]),
    ("assessor@riverside.example", "Maria Kowalska", "SW100003", [(Role.ASSESSOR, "RIV-TR")]),
    ("moderator@northshire.example", "Helen Murray", "SW100004", [(Role.MODERATOR, "NSH-CC")]),
    ("employer.admin@riverside.example", "Tom Barker", None, [(Role.EMPLOYER_ADMIN, "RIV-TR")]),
    # practitioners further on: a signed-off Year 1 (with its certificate), a Year 1 waiting for marking
    ("signed.off@northshire.example", "Rhys Morgan", "SW100005", [(Role.PRACTITIONER, "NSH-CC")]),
    ("submitted@northshire.example", "Amara Okafor", "SW100006", [(Role.PRACTITIONER, "NSH-CC")]),
]


def demo_totp_secret(email: str) -> str:
    """A fixed two-factor key per demo account, so the printed key keeps working across re-seeding."""
    digest = hashlib.sha256(f"portal-demo:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode().rstrip("=")


def seed_demo_data() -> list[DemoAccount]:
    """Create the demo organisations and accounts where missing; leave existing rows alone."""
    sess = session()
    orgs: dict[str, Organisation] = {}
    for code, name, kind in DEMO_ORGANISATIONS:
        org = sess.execute(select(Organisation).where(Organisation.code == code)).scalar_one_or_none()
        if org is None:
            org = Organisation(code=code, name=name, kind=kind)
            sess.add(org)
            sess.flush()
            audit.record(None, "organisation.created", org, via="seed-demo")
        orgs[code] = org
    accounts: list[DemoAccount] = []
    password_hash: str | None = None
    for email, name, swe, roles in DEMO_PEOPLE:
        user = sess.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(email=email, name=name, swe_number=swe, status=UserStatus.ACTIVE,
                        password_hash=password_hash)
            sess.add(user)
            sess.flush()
            audit.record(None, "user.created", user, via="seed-demo")
        for role, code in roles:
            org_id = orgs[code].id if code else None
            if not any(g.role == role and g.organisation_id == org_id for g in user.grants):
                user.grants.append(RoleGrant(role=role, organisation_id=org_id))
        sess.flush()
        secret = None
        if user.needs_two_factor:
            secret = demo_totp_secret(email)
            if user.totp_secret is None:
                user.totp_secret = secret
                user.totp_enabled_at = utcnow()
        accounts.append(DemoAccount(", ".join(g.role.label for g in user.grants), email, secret))
    sess.flush()
    from portal.enrolments.services import seed_demo_enrolment

    seed_demo_enrolment()  # the shipped programme templates, and the demo practitioner's enrolment
    from portal.demo_activity import seed_demo_activity

    seed_demo_activity()  # evidence, a signed-off Year 1 with its certificate, a Year 1 waiting for marking
    return accounts
