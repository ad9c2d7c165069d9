"""Invitation and password-reset links: single use, expiring, tamper-proof, replaced by newer ones."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from portal.db import session, utcnow
from portal.mail import OutboxMessage, send_pending
from portal.users.models import Role, UserStatus

from ..conftest import DEFAULT_PASSWORD, parse, reload
from .test_sign_in import sign_in

NEW_PASSWORD = "lantern orchard pebble"


def last_link(to: str) -> str:
    message = session().execute(select(OutboxMessage).where(OutboxMessage.to_address == to)
                                .order_by(OutboxMessage.id.desc())).scalars().first()
    assert message is not None, f"no e-mail to {to}"
    match = re.search(r"https://portal\.test(/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def invite(client, sign_in_as, make_user, make_org, email="new.person@example.org", role=Role.PRACTITIONER):
    org = make_org()
    admin = make_user(Role.EMPLOYER_ADMIN, org)
    sign_in_as(admin)
    response = client.post("/admin/people/invite", data={
        "name": "New Person", "email": email, "organisation": str(org.id), "role": role.value})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/sign-out")
    return org, admin


def test_invited_person_sets_a_password_and_is_signed_in(client, sign_in_as, make_user, make_org):
    invite(client, sign_in_as, make_user, make_org)
    link = last_link("new.person@example.org")
    soup = parse(client.get(link))
    assert "new.person@example.org" in soup.get_text()
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    from portal.auth.services import find_user_by_email

    assert find_user_by_email("new.person@example.org").status == UserStatus.ACTIVE


def test_invitation_link_works_once(client, app, sign_in_as, make_user, make_org):
    invite(client, sign_in_as, make_user, make_org)
    link = last_link("new.person@example.org")
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    other = app.test_client()
    response = other.get(link)
    assert response.status_code == 410
    assert "already been used" in response.get_data(as_text=True)
    response = other.post(link, data={"password": "another password here", "confirm": "another password here"})
    assert response.status_code == 410
    assert sign_in(other, "new.person@example.org", NEW_PASSWORD).status_code == 302


def test_expired_invitation_is_refused(client, sign_in_as, make_user, make_org):
    from portal.auth.models import AccountToken

    invite(client, sign_in_as, make_user, make_org)
    link = last_link("new.person@example.org")
    for token in session().execute(select(AccountToken)).scalars():
        token.expires_at = utcnow() - dt.timedelta(seconds=1)
    session().commit()
    response = client.get(link)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410


def test_tampered_link_is_refused(client, sign_in_as, make_user, make_org):
    invite(client, sign_in_as, make_user, make_org)
    link = last_link("new.person@example.org")
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    response = client.get(tampered)
    assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    assert client.get("/invitation/garbage").status_code == 404


def test_resending_an_invitation_replaces_the_old_link(client, sign_in_as, make_user, make_org):
    _org, admin = invite(client, sign_in_as, make_user, make_org)
    old = last_link("new.person@example.org")
    from portal.auth.services import find_user_by_email

    person = find_user_by_email("new.person@example.org")
    sign_in_as(admin)
    assert client.post(f"/admin/people/{person.id}/resend-invitation").status_code == 302
    new = last_link("new.person@example.org")
    assert new != old
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_weak_password_on_invitation_changes_nothing(client, sign_in_as, make_user, make_org):
    invite(client, sign_in_as, make_user, make_org)
    link = last_link("new.person@example.org")
    soup = parse(client.post(link, data={"password": "password1234", "confirm": "password1234"}))
    assert "too easy to guess" in soup.select_one(".govuk-error-summary").get_text()
    assert client.get(link).status_code == 200  # still usable


def test_password_reset_journey(client, make_user):
    user = make_user(Role.PRACTITIONER)
    response = client.post("/forgot-password", data={"email": user.email})
    assert "Check your email" in parse(response).h1.get_text()
    link = last_link(user.email)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"] == "/sign-in"
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 200
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert client.get(link).status_code == 410  # used


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client):
    before = session().execute(select(OutboxMessage)).scalars().all()
    response = client.post("/forgot-password", data={"email": "nobody@example.org"})
    assert "Check your email" in parse(response).h1.get_text()
    assert session().execute(select(OutboxMessage)).scalars().all() == before


def test_reset_link_expires(client, make_user):
    from portal.auth.models import AccountToken

    user = make_user(Role.PRACTITIONER)
    client.post("/forgot-password", data={"email": user.email})
    link = last_link(user.email)
    for token in session().execute(select(AccountToken)).scalars():
        token.expires_at = utcnow() - dt.timedelta(minutes=1)
    session().commit()
    assert client.get(link).status_code == 410


def test_reset_ends_other_sessions(app, make_user):
    user = make_user(Role.PRACTITIONER)
    laptop = app.test_client()
    sign_in(laptop, user.email)
    other = app.test_client()
    other.post("/forgot-password", data={"email": user.email})
    other.post(last_link(user.email), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert laptop.get("/account").status_code == 302


def test_outbox_delivers_invitations(client, sign_in_as, make_user, make_org):
    from portal.mail import memory_outbox

    invite(client, sign_in_as, make_user, make_org)
    counts = send_pending()
    assert counts["sent"] >= 1
    assert any(m["to"] == "new.person@example.org" and "/invitation/" in m["body"] for m in memory_outbox)


def test_existing_account_elsewhere_is_invited_to_accept_the_role(client, sign_in_as, make_user, make_org):
    """An account with a role in another organisation gets an invitation to accept, not the role (issue 13)."""
    existing = make_user(Role.SUPERVISOR, email="existing@example.org")
    org, _admin = invite(client, sign_in_as, make_user, make_org, email="Existing@Example.org", role=Role.ASSESSOR)
    person = reload(existing)
    assert not person.has_role(Role.ASSESSOR, org.id)
    body = session().execute(select(OutboxMessage.body_text).where(OutboxMessage.to_address == "existing@example.org")
                             ).scalars().all()
    assert body and "/invitation/role/" in body[-1]
