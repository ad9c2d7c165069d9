"""Supervisor changes and transfers keep history; an enrolment moves to a newer version only when asked."""
from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.db import session
from portal.enrolments.models import EmploymentPeriod, Enrolment, ReviewMeetingRecord, SupervisorAllocation
from portal.enrolments.queries import has_supervised
from portal.enrolments.services import london_today, record_review
from portal.exceptions import DomainError
from portal.framework.loader import PACKAGE_DIR
from portal.framework.models import ProgrammeVersion
from portal.framework.services import publish_programme
from portal.users.models import Role, RoleGrant
from tests.conftest import parse, reload

START = dt.date(2025, 9, 1)


def test_changing_supervisor_keeps_the_history(client, world, sign_in_as, enrol_as, page):
    enrolment = enrol_as(world["prac"], start=START, supervisor=world["sup"])
    sign_in_as(world["north_admin"])
    url = f"/enrolments/{enrolment.id}/supervisor"
    assert "Sal South-Sup" not in page(url).get_text()  # only supervisors at the employer are offered
    same = parse(client.post(url, data={"supervisor": str(world["sup"].id)}))
    assert "Sue Supervisor is already the practice supervisor" in same.select_one(".govuk-error-summary").get_text()
    assert client.post(url, data={"supervisor": str(world["sup2"].id)}).status_code == 302
    allocations = session().execute(select(SupervisorAllocation).order_by(SupervisorAllocation.id)).scalars().all()
    assert [(a.supervisor_id, a.ended_on is None) for a in allocations] == [
        (world["sup"].id, False), (world["sup2"].id, True)]
    assert allocations[0].ended_on == london_today() == allocations[1].started_on
    history = page(f"/enrolments/{enrolment.id}").select_one(".app-supervisors").get_text(" ", strip=True)
    assert "Sue Supervisor: from 1 September 2025 to" in history and "Sid Second" in history
    # the former supervisor no longer sees the enrolment, but the record of having supervised stays
    sign_in_as(world["sup"])
    assert client.get(f"/enrolments/{enrolment.id}").status_code == 403
    assert has_supervised(world["sup"].id, world["prac"].id) and not has_supervised(world["south_sup"].id,
                                                                                    world["prac"].id)
    sign_in_as(world["sup2"])
    assert client.get(f"/enrolments/{enrolment.id}").status_code == 200


def test_a_transfer_keeps_the_whole_record(client, world, sign_in_as, enrol_as, page):
    enrolment = enrol_as(world["prac"], start=START, supervisor=world["sup"])
    record_review(reload(enrolment), review_code="Y1-R3", held_on=dt.date(2025, 12, 1), attendees="Pat, Sue",
                  notes="Fine", development_plan="", by=reload(world["sup"]))
    session().commit()
    sign_in_as(world["north_admin"])
    url = f"/enrolments/{enrolment.id}/transfer"
    refused = parse(client.post(url, data={"organisation": str(world["south"].id)}))
    assert "Pat Practitioner is not a practitioner at Southshire" in refused.select_one(
        ".govuk-error-summary").get_text()
    assert reload(enrolment).organisation_id == world["north"].id
    session().add(RoleGrant(user_id=world["prac"].id, role=Role.PRACTITIONER, organisation_id=world["south"].id))
    session().commit()
    response = client.post(url, data={"organisation": str(world["south"].id)})
    assert response.status_code == 302 and response.headers["Location"] == "/enrolments"
    moved = reload(enrolment)
    assert moved.organisation_id == world["south"].id and moved.supervisor_id is None  # Sue is not at Southshire
    periods = session().execute(select(EmploymentPeriod).order_by(EmploymentPeriod.id)).scalars().all()
    assert [(p.organisation_id, p.ended_on is None) for p in periods] == [
        (world["north"].id, False), (world["south"].id, True)]
    assert session().execute(select(SupervisorAllocation.ended_on)).scalar_one() is not None
    assert session().execute(select(ReviewMeetingRecord.review_code)).scalar_one() == "Y1-R3"  # nothing lost
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "enrolment.transferred")).scalar_one()
    assert event.details["organisation_id"] == [world["north"].id, world["south"].id]
    # the old employer no longer sees it; the new one does, with its history and the review already held
    assert client.get(f"/enrolments/{enrolment.id}").status_code == 403
    sign_in_as(world["south_admin"])
    soup = page(f"/enrolments/{enrolment.id}")
    employers = soup.select_one(".app-employers").get_text(" ", strip=True)
    assert "Northshire: from 1 September 2025 to" in employers and "Southshire" in employers
    held = soup.select_one(".app-requirements[data-stage='Y1'] tr[data-requirement='reviews']")
    assert "1 of 3" in held.get_text()
    assert "1 December 2025" in page(f"/enrolments/{enrolment.id}/reviews/Y1-R3").get_text()
    assert client.post(f"/enrolments/{enrolment.id}/supervisor",
                       data={"supervisor": str(world["south_sup"].id)}).status_code == 302


def test_a_supervisor_who_also_supervises_at_the_new_employer_stays(world, enrol_as):
    from portal.enrolments.services import transfer
    from portal.users.models import Organisation

    enrolment = enrol_as(world["prac"], start=START, supervisor=world["sup"])
    sess = session()
    for user in ("prac", "sup"):
        role = Role.PRACTITIONER if user == "prac" else Role.SUPERVISOR
        sess.add(RoleGrant(user_id=world[user].id, role=role, organisation_id=world["south"].id))
    sess.commit()
    sess.expire_all()
    transfer(reload(enrolment), sess.get(Organisation, world["south"].id), by=None)
    assert reload(enrolment).supervisor_id == world["sup"].id


# --------------------------------------------------------------------------------------------------- versions
ECF_TEXT = (PACKAGE_DIR / "programmes" / "ecf-5y.yaml").read_text()
ECF_V2 = ECF_TEXT.replace("version: 1\n", "version: 2\n", 1).replace(
    "        evidence: direct_observation\n        count: 3", "        evidence: direct_observation\n        count: 4", 1)

MIGRATING = textwrap.dedent(
    """\
    code: MIG-T
    name: Migration test programme
    version: {version}
    standards:
      - {{code: {set_code}, version: "{set_version}"}}
    stages:
      - code: S1
        name: The only stage
        months: 12
        decision: summative
        requirements:
          - {{code: cov, title: Every statement evidenced, kind: standards_coverage, set: {set_code}}}
    """
)


def test_an_enrolment_stays_on_its_version_until_moved(client, world, sign_in_as, enrol_as, page):
    enrolment = enrol_as(world["prac"], start=START)
    published = publish_programme(ECF_V2, filename="ecf-5y-v2.yaml", by=None)
    session().commit()
    assert reload(enrolment).programme_version_id == world["programmes"]["ECF-5Y"].id
    sign_in_as(world["north_admin"])
    soup = page(f"/enrolments/{enrolment.id}")
    assert "A newer version of this programme has been published" in soup.get_text()
    rows = {r["data-requirement"]: r.get_text(" ", strip=True) for r in soup.select(
        ".app-requirements[data-stage='Y1'] tbody tr")}
    assert "0 of 3" in rows["direct-observations"]
    # new enrolments get the newest version by default
    default = parse(client.get("/enrolments/new")).select_one("input[name=programme_version][checked]")
    assert default["value"] == str(published.row.id)
    assert client.post(f"/enrolments/{enrolment.id}/version",
                       data={"version": str(published.row.id)}).status_code == 302
    moved = reload(enrolment)
    assert moved.programme_version_id == published.row.id
    rows = {r["data-requirement"]: r.get_text(" ", strip=True) for r in page(f"/enrolments/{enrolment.id}").select(
        ".app-requirements[data-stage='Y1'] tbody tr")}
    assert "0 of 4" in rows["direct-observations"]  # progress follows the new version's requirements
    event = session().execute(select(AuditEvent).where(AuditEvent.action == "enrolment.migrated")).scalar_one()
    assert event.details["version"] == ["1", "2"]
    back = parse(client.get(f"/enrolments/{enrolment.id}/version"))
    assert "There is no newer published version" in back.get_text()


def test_moving_versions_carries_mappings_through_a_crosswalk(world, enrol_as):
    from portal.enrolments.services import migrate, register_migration_listener

    sess = session()
    old = publish_programme(MIGRATING.format(version=1, set_code="KSS-CF", set_version="2018"),
                            filename="mig-1.yaml", by=None).row
    new = publish_programme(MIGRATING.format(version=2, set_code="SWE-PS", set_version="2019"),
                            filename="mig-2.yaml", by=None).row
    sess.commit()
    seen = []

    @register_migration_listener
    def remember(enrolment, old_template, new_template, by):
        seen.append((enrolment.id, old_template.version, new_template.version))

    from portal.enrolments.services import enrol
    from portal.users.models import Organisation, User

    enrolment = enrol(practitioner=sess.get(User, world["prac"].id), organisation=sess.get(Organisation,
                                                                                           world["north"].id),
                      programme_version=sess.get(ProgrammeVersion, old.id), start_date=START, fte=1, supervisor=None,
                      by=None)
    with pytest.raises(DomainError, match="already on version 1"):
        migrate(enrolment, sess.get(ProgrammeVersion, old.id), by=None)
    with pytest.raises(DomainError, match="same programme"):
        migrate(enrolment, sess.get(ProgrammeVersion, world["programmes"]["ASYE-CF"].id), by=None)
    carried = migrate(enrolment, sess.get(ProgrammeVersion, new.id), by=None)
    assert carried == [{"from": "KSS-CF (2018)", "to": "SWE-PS (2019)"}]
    assert seen == [(enrolment.id, "1", "2")]
    with pytest.raises(DomainError, match="newer than version 2"):
        migrate(enrolment, sess.get(ProgrammeVersion, old.id), by=None)
    event = sess.execute(select(AuditEvent).where(AuditEvent.action == "enrolment.migrated")).scalar_one()
    assert event.details["crosswalks"] == carried
    assert sess.get(Enrolment, enrolment.id).programme_code == "MIG-T"
    from portal.enrolments import services

    services._MIGRATION_LISTENERS.pop(f"{remember.__module__}.{remember.__qualname__}")


def test_an_extension_for_a_stage_the_new_version_lacks_blocks_the_move(world, enrol_as):
    from portal.enrolments.services import grant_extension, migrate

    enrolment = reload(enrol_as(world["prac"], start=START))
    grant_extension(enrolment, stage_code="Y2", months=1, days=0, reason="Sickness", by=None)
    renamed = publish_programme(ECF_V2.replace("code: Y2\n", "code: YEAR2\n"), filename="v2.yaml", by=None).row
    with pytest.raises(DomainError, match="stage 'Y2', which programme ECF-5Y does not have"):
        migrate(enrolment, renamed, by=None)
