"""The audit log's hash chain finds edited and deleted history."""
from __future__ import annotations

from sqlalchemy import delete, select, update

from portal import audit
from portal.audit import AuditEvent, verify_chain
from portal.db import session
from portal.users.models import Role


def _write_events(user, n=3):
    for i in range(n):
        audit.record(user, "test.event", user, number=i)
    session().commit()


def test_an_untouched_chain_verifies(app, make_user):
    _write_events(make_user(Role.PRACTITIONER))
    assert list(verify_chain()) == []


def test_editing_an_event_breaks_the_chain(app, make_user):
    user = make_user(Role.PRACTITIONER)
    _write_events(user)
    middle = session().execute(select(AuditEvent.id).where(AuditEvent.action == "test.event")
                               .order_by(AuditEvent.id).offset(1).limit(1)).scalar_one()
    session().execute(update(AuditEvent).where(AuditEvent.id == middle).values(action="test.innocent"))
    session().commit()
    problems = list(verify_chain())
    assert [p.event_id for p in problems] == [middle]
    assert "changed" in problems[0].message


def test_deleting_an_event_breaks_the_chain(app, make_user):
    user = make_user(Role.PRACTITIONER)
    _write_events(user, 4)
    ids = session().execute(select(AuditEvent.id).where(AuditEvent.action == "test.event")
                            .order_by(AuditEvent.id)).scalars().all()
    session().execute(delete(AuditEvent).where(AuditEvent.id == ids[1]))
    session().commit()
    problems = list(verify_chain())
    assert [p.event_id for p in problems] == [ids[2]]
    assert "missing" in problems[0].message


def test_cli_verify_reports_and_exits_non_zero_on_tampering(app, runner, make_user):
    user = make_user(Role.PRACTITIONER)
    _write_events(user)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output
    first = session().execute(select(AuditEvent).where(AuditEvent.action == "test.event")
                              .order_by(AuditEvent.id)).scalars().first()
    first.details = {"number": 99}
    session().commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {first.id}" in result.output
