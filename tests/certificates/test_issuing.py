"""Issuing at sign-off: the snapshot carries the right fields, issuing is idempotent, the award, refusals, and the
listeners the assessment feature calls."""
from __future__ import annotations

import datetime as dt
import sys
import types

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.certificates.codes import normalise_code
from portal.certificates.credentials import verify_credential
from portal.certificates.models import Certificate, CertificateEvent, CertificateKind, CertificateStatus
from portal.certificates.snapshot import CertificateSnapshot
from portal.db import session
from portal.exceptions import DomainError

from ..conftest import reload
from .world import DIGEST, SignOff


def _count() -> int:
    return session().execute(select(func.count(Certificate.id))).scalar_one()


def test_snapshot_fields_come_from_the_sign_off_the_enrolment_and_the_template(people, certificate):
    snap = CertificateSnapshot.from_json(reload(certificate).snapshot_json)
    assert snap.certificate_code == certificate.code == normalise_code(certificate.code)
    assert snap.holder_name == "Siân Llŷr" and snap.swe_number == "SW123456"
    assert snap.award_title == "Year 1 (ASYE-equivalent)"
    assert (snap.template_code, snap.template_version) == ("ECF-5Y", "1")
    assert snap.template_name.startswith("Five-year early career framework")
    assert snap.employer_name == "Cyngor Sir Ynys Môn"
    assert snap.stage_start.isoformat() == "2025-09-01"
    assert snap.stage_end.isoformat() == "2026-08-31"  # the scheduled end (signed off after it)
    assert snap.decision == "PASS" and snap.decision_date.isoformat() == "2026-09-14"
    assert snap.signatory_roles == ("Assessor", "Moderator", "Employer admin")
    assert snap.submission_sha256 == DIGEST
    assert snap.verify_url == f"https://portal.test/verify/{certificate.code}"
    assert snap.revocation_list_url == "https://portal.test/credentials/status/revocation"
    assert snap.suspension_list_url == "https://portal.test/credentials/status/suspension"
    assert snap.revocation_index == certificate.revocation_index
    assert snap.suspension_index == certificate.suspension_index
    assert snap.subject_id.startswith("urn:uuid:") and snap.achievement_type == "Certificate"
    row = reload(certificate)
    assert row.kind == CertificateKind.STAGE and row.status == CertificateStatus.VALID
    assert (row.holder_name, row.swe_number, row.stage_code, row.stage_position) == ("Siân Llŷr", "SW123456", "Y1", 1)


def test_the_stored_credential_is_signed_from_the_snapshot(app, certificate):
    from portal.certificates.signing import keyring
    from portal.db import utcnow

    result = verify_credential(reload(certificate).credential_jws, keyring().jwks(), None, utcnow())
    assert result.valid
    assert result.summary["holder_name"] == "Siân Llŷr"
    assert result.summary["certificate_url"] == f"https://portal.test/verify/{certificate.code}"


def test_issuing_is_idempotent_per_sign_off(people):
    from portal.certificates.issuing import issue_for_sign_off

    sign_off = SignOff(enrolment_id=people["holder_enrolment"].id)
    first = issue_for_sign_off(sign_off, by=None)
    assert len(first) == 1
    assert issue_for_sign_off(sign_off, by=None) == []
    assert _count() == 1
    events = session().execute(select(CertificateEvent.action)).scalars().all()
    assert [e.value for e in events] == ["issued"]
    assert session().execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "certificate.issued")).scalar_one() == 1


def test_the_holder_is_told_once_with_a_link_to_their_certificates(people):
    from portal.certificates.issuing import issue_for_sign_off
    from portal.notifications.models import Notification

    sign_off = SignOff(enrolment_id=people["holder_enrolment"].id)
    issue_for_sign_off(sign_off, by=None)
    issue_for_sign_off(sign_off, by=None)  # idempotent: no second certificate, no second notification
    notes = session().execute(select(Notification).where(Notification.kind == "certificate_issued")).scalars().all()
    assert [(n.user_id, n.link) for n in notes] == [(people["holder_enrolment"].practitioner_id, "/certificates")]
    assert "Year 1 (ASYE-equivalent)" in notes[0].message


def test_a_holders_certificates_share_their_subject_id_but_not_codes_or_indexes(issue):
    first, second = issue("Y1")[0], issue("Y2")[0]
    a, b = reload(first), reload(second)
    assert a.subject_id == b.subject_id
    assert a.code != b.code and a.revocation_index != b.revocation_index
    assert a.suspension_index != b.suspension_index


def test_the_award_sign_off_gives_the_expert_award(issue, people):
    (award,) = issue("AWARD", is_award=True, outcome="PASS_DEV", decided_on=dt.date(2030, 9, 1))
    row = reload(award)
    snap = CertificateSnapshot.from_json(row.snapshot_json)
    assert row.kind == CertificateKind.AWARD and snap.achievement_type == "Award"
    assert snap.award_title == "Expert child protection practitioner"
    assert snap.stage_start.isoformat() == "2025-09-01"  # the whole pathway
    assert snap.decision_label == "Pass with targeted development"


def test_an_is_award_sign_off_of_an_ordinary_stage_gives_both(issue):
    certificates = issue("Y5", is_award=True)
    assert sorted(reload(c).kind.value for c in certificates) == ["award", "stage"]


@pytest.mark.parametrize("fields", [{"outcome": "FAIL"}, {"outcome": "EXTEND"},
                                    {"reversed_at": dt.datetime(2026, 10, 1, tzinfo=dt.UTC)}])
def test_only_a_standing_pass_confers_a_certificate(issue, fields):
    assert issue("Y1", **fields) == []
    assert _count() == 0


def test_an_enum_outcome_is_read_by_its_value(issue):
    from portal.assessments.states import Outcome

    (certificate,) = issue("Y1", outcome=Outcome.PASS_DEV)
    assert CertificateSnapshot.from_json(reload(certificate).snapshot_json).decision == "PASS_DEV"


def test_refusals_are_domain_errors(people, make_user):
    from portal.certificates.issuing import issue_for_sign_off

    with pytest.raises(DomainError, match="no stage"):
        issue_for_sign_off(SignOff(enrolment_id=people["holder_enrolment"].id, stage_code="Y9"), by=None)
    with pytest.raises(DomainError, match="does not exist"):
        issue_for_sign_off(SignOff(enrolment_id=999_999), by=None)
    with pytest.raises(DomainError, match="submission_sha256"):
        issue_for_sign_off(SignOff(enrolment_id=people["holder_enrolment"].id, manifest_digest="not-a-digest"),
                           by=None)


def test_the_listener_defers_what_cannot_be_issued_without_blocking_the_sign_off(people):
    from portal.certificates.issuing import on_sign_off
    from portal.users.models import User

    holder = session().get(User, people["holder"].id)
    holder.swe_number = None
    session().flush()
    assert on_sign_off(SignOff(enrolment_id=people["holder_enrolment"].id)) == []
    assert _count() == 0
    deferred = session().execute(select(AuditEvent).where(AuditEvent.action == "certificate.issue_deferred")).scalar_one()
    assert "registration number" in deferred.details["reason"]
    holder.swe_number = "SW123456"
    assert len(on_sign_off(SignOff(enrolment_id=people["holder_enrolment"].id), by=holder)) == 1


def test_the_reversal_listener_revokes(issue, client):
    from portal.certificates.issuing import on_decision_reversed

    (certificate,) = issue("Y1")
    sign_off = SignOff(enrolment_id=certificate.enrolment_id, id=certificate.sign_off_id)
    revoked = on_decision_reversed(sign_off, reason="Appeal upheld")
    session().commit()
    assert [c.code for c in revoked] == [certificate.code]
    row = reload(certificate)
    assert row.status == CertificateStatus.REVOKED and row.status_reason == "Appeal upheld"
    from .world import status_bits

    assert status_bits(client, "revocation").get(row.revocation_index)


def test_listeners_are_registered_with_the_assessment_feature(monkeypatch):
    from portal.certificates import issuing

    registered = {}
    fake = types.ModuleType("portal.assessments.services")
    fake.register_sign_off_listener = lambda fn: registered.setdefault("sign_off", fn)
    fake.register_decision_reversed_listener = lambda fn: registered.setdefault("reversed", fn)
    monkeypatch.setitem(sys.modules, "portal.assessments.services", fake)
    monkeypatch.setattr("portal.assessments.services", fake, raising=False)
    monkeypatch.setattr(issuing, "_registered", False)
    assert issuing.register_listeners() is True
    assert registered == {"sign_off": issuing.on_sign_off, "reversed": issuing.on_decision_reversed}
    assert issuing.register_listeners() is True  # once only
    assert len(registered) == 2
