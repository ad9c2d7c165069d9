"""The portal command: first admin, demo data, mail."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.db import session
from portal.users.models import Organisation, Role, User


def test_create_admin(runner):
    result = runner.invoke(args=["create-admin", "--email", "First@Example.org", "--name", "First Admin",
                                 "--password-stdin"], input="river lantern biscuit\n")
    assert result.exit_code == 0, result.output
    user = session().execute(select(User).where(User.email == "first@example.org")).scalar_one()
    assert user.has_role(Role.PROGRAMME_ADMIN) and user.needs_two_factor and not user.has_two_factor
    again = runner.invoke(args=["create-admin", "--email", "first@example.org", "--name", "X", "--password-stdin"],
                          input="river lantern biscuit\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(args=["create-admin", "--email", "a@example.org", "--name", "A", "--password-stdin"],
                           input="short\n")
    assert result.exit_code != 0 and "12 characters" in result.output


def test_seed_demo_is_idempotent_and_prints_sign_ins(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (session().execute(select(func.count(User.id))).scalar(),
              session().execute(select(func.count(Organisation.id))).scalar())
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert counts == (session().execute(select(func.count(User.id))).scalar(),
                      session().execute(select(func.count(Organisation.id))).scalar())
    for email in ("programme.admin@pathway.example", "practitioner@northshire.example",
                  "supervisor@northshire.example", "assessor@riverside.example", "moderator@northshire.example",
                  "employer.admin@northshire.example"):
        assert email in first.output
    for email in ("employer.admin@northshire.example", "employer.admin@riverside.example"):
        [line] = [line for line in first.output.splitlines() if email in line]
        assert "2FA key" in line, line  # employer admins use two-factor too: the demo key is printed


def test_demo_accounts_sign_in(app, runner):
    from portal.users.seeding import DEMO_PASSWORD

    runner.invoke(args=["seed-demo"])
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "assessor@riverside.example", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/sign-in/security-code"
    code = runner.invoke(args=["demo-code", "assessor@riverside.example"]).output.strip()
    assert code.isdigit() and len(code) == 6
    assert client.post("/sign-in/security-code", data={"code": code}).status_code == 302
    assert client.get("/account").status_code == 200


def test_demo_employer_admin_signs_in_with_the_demo_code(app, runner):
    from portal.users.seeding import DEMO_PASSWORD

    runner.invoke(args=["seed-demo"])
    client = app.test_client()
    email = "employer.admin@northshire.example"
    response = client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/sign-in/security-code"
    code = runner.invoke(args=["demo-code", email]).output.strip()
    assert client.post("/sign-in/security-code", data={"code": code}).status_code == 302
    assert client.get("/admin/people").status_code == 200


def test_mail_send_command(runner, make_user):
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "sent 0" in result.output
