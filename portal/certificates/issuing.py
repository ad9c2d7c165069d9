"""Issuing certificates when a stage is signed off.

The assessment feature calls the listeners registered here with its ``StageSignOff`` row; ``issue_for_sign_off``
reads only plain attributes of it (duck typing), so anything shaped like this works::

    id, enrolment_id, stage_code, submission_id, outcome ("PASS" | "PASS_DEV", or an enum with that value),
    decided_on (date), signed_off_at, signed_off_by_id, manifest_digest (SHA-256 hex),
    signatory_roles (role titles), is_award (bool: the sign-off of the award stage, or of the stage that
    confers the award), reversed_at (optional: a reversed sign-off confers nothing)

Issuing is idempotent per sign-off and kind: a sign-off that already has a stage certificate (in any status: a
revoked one is never silently replaced) gets no second one. Each certificate stores the snapshot it was made from
and the credential signed at that moment; the PDF is rendered from the snapshot whenever it is downloaded.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, select

from portal.audit import record
from portal.db import session, utcnow
from portal.enrolments.models import Enrolment
from portal.enrolments.queries import schedule_of
from portal.enrolments.services import london_today, timing_inputs
from portal.exceptions import DomainError
from portal.framework.clock import ScheduleError
from portal.framework.definitions import ProgrammeTemplate, Stage
from portal.framework.services import template_for
from portal.framework.vocabulary import DECISION_KINDS
from portal.notifications.services import notify, path_for
from portal.urls import external_url
from portal.users.models import User

from .codes import generate_code
from .credentials import issue_credential
from .models import Certificate, CertificateEvent, CertificateEventAction, CertificateKind, CertificateStatus
from .signing import SigningKeysMissing, issuer_profile, keyring, status_list_url
from .snapshot import DECISION_LABELS, CertificateSnapshot, SnapshotError
from .status_list import allocate_index

log = logging.getLogger(__name__)

AWARD_TITLE = "Expert child protection practitioner"


@dataclasses.dataclass(frozen=True)
class AwardWording:
    """How a certificate names what it certifies (from the programme template)."""

    stage_code: str
    stage_position: int
    stage_key: str
    title: str
    description: str
    criteria: str
    achievement_type: str


def award_stage(template: ProgrammeTemplate) -> Stage | None:
    """The template's award stage (decision "award"), if it has one."""
    return next((stage for stage in template.stages if stage.decision == "award"), None)


def describe_award(template: ProgrammeTemplate, stage_code: str, kind: CertificateKind) -> AwardWording:
    """The wording of a stage certificate for ``stage_code``, or of the expert award (``kind`` AWARD)."""
    if kind == CertificateKind.AWARD:
        stage = award_stage(template)
        return AwardWording(
            stage_code=stage.code if stage else stage_code,
            stage_position=stage.position if stage else len(template.stages) + 1,
            stage_key=(stage.code if stage else "award").lower(),
            title=stage.name if stage else AWARD_TITLE,
            description=(stage.focus if stage and stage.focus else "")
            or f"Completed the {template.name} and its independent expert assessment.",
            criteria=f"Completed every stage of the {template.name}; the independent expert assessment was "
                     "moderated and signed off.",
            achievement_type="Award",
        )
    try:
        stage = template.stage(stage_code)
    except KeyError:
        raise DomainError(f"The programme {template.code} version {template.version} has no stage {stage_code}") \
            from None
    return AwardWording(stage_code=stage.code, stage_position=stage.position, stage_key=stage.code.lower(),
                        title=stage.name, description=stage.focus,
                        criteria=f"{DECISION_KINDS.get(stage.decision, 'Assessment')}: every requirement of the "
                                 "stage met, assessed and signed off.",
                        achievement_type="Certificate")


# ---------------------------------------------------------------------------------------------- unique values
def new_code() -> str:
    """A certificate code no certificate has (asks again on the rare clash)."""
    for _ in range(20):
        code = generate_code()
        if not session().execute(select(exists().where(Certificate.code == code))).scalar():
            return code
    raise RuntimeError("could not find a free certificate code")  # 29**9 codes: never in practice


class _UsedIndexes:
    """The indexes already used in one status list, asked of the database one at a time (``allocate_index``
    only needs ``len`` and ``in`` on its fast path, which almost always succeeds)."""

    def __init__(self, column: Any) -> None:
        self.column = column

    def __len__(self) -> int:
        return session().execute(select(func.count()).select_from(Certificate)).scalar_one()

    def __contains__(self, index: object) -> bool:
        return bool(session().execute(select(exists().where(self.column == index))).scalar())

    def __iter__(self) -> Iterator[int]:
        return iter(session().execute(select(self.column)).scalars())


def allocate_indexes() -> tuple[int, int]:
    """A random free (revocation index, suspension index) pair (the columns are unique per list)."""
    length = int(current_app.config["STATUS_LIST_LENGTH"])
    return (allocate_index(_UsedIndexes(Certificate.revocation_index), length),  # type: ignore[arg-type]
            allocate_index(_UsedIndexes(Certificate.suspension_index), length))  # type: ignore[arg-type]


def subject_id_for(practitioner_id: int) -> str:
    """The holder's stable URI in credentials: the one on their earlier certificates, or a new random UUID."""
    existing = session().execute(select(Certificate.subject_id).where(Certificate.practitioner_id == practitioner_id)
                                 .order_by(Certificate.id).limit(1)).scalar()
    return existing or f"urn:uuid:{uuid.uuid4()}"


# ------------------------------------------------------------------------------------------------- snapshots
def _stage_dates(enrolment: Enrolment, stage_code: str, kind: CertificateKind, decided_on: dt.date) -> tuple[
        dt.date, dt.date]:
    if kind == CertificateKind.AWARD:
        return enrolment.start_date, max(enrolment.start_date, decided_on)
    try:
        schedule = schedule_of(enrolment, *timing_inputs(enrolment), london_today())
        planned = schedule.stage(stage_code)
        start, end = planned.start, planned.end
    except (ScheduleError, KeyError):
        start, end = enrolment.start_date, decided_on
    end = min(end, decided_on) if decided_on >= start else end  # signed off early: the stage ended then
    return start, max(start, end)


def fresh_snapshot(base: CertificateSnapshot, *, practitioner: User, wording: AwardWording,
                   template: ProgrammeTemplate) -> CertificateSnapshot:
    """``base`` with a new code, status-list indexes, salt and issue time, and the holder's current name and
    number and the template's current wording (what a reissue prints)."""
    code = new_code()
    revocation_index, suspension_index = allocate_indexes()
    return dataclasses.replace(
        base, certificate_code=code, verify_url=external_url("certificates.verify_code", code=code),
        holder_name=practitioner.name, swe_number=practitioner.swe_number or base.swe_number,
        award_title=wording.title, award_description=wording.description, criteria_narrative=wording.criteria,
        achievement_type=wording.achievement_type, template_name=template.name,
        issued_at=utcnow().replace(microsecond=0), identity_salt=secrets.token_hex(16),
        revocation_index=revocation_index, suspension_index=suspension_index)


def _build_snapshot(sign_off: Any, enrolment: Enrolment, template: ProgrammeTemplate, wording: AwardWording,
                    kind: CertificateKind, decision: str) -> CertificateSnapshot:
    practitioner = enrolment.practitioner
    if not practitioner.swe_number:
        raise DomainError(f"{practitioner.name} has no Social Work England registration number, which a "
                          "certificate must show: add it to their account, then run `portal certificates "
                          "issue-pending`", "swe_number")
    code = new_code()
    revocation_index, suspension_index = allocate_indexes()
    start, end = _stage_dates(enrolment, sign_off.stage_code, kind, sign_off.decided_on)
    return CertificateSnapshot(
        certificate_code=code, holder_name=practitioner.name, swe_number=practitioner.swe_number,
        award_title=wording.title, award_description=wording.description, criteria_narrative=wording.criteria,
        achievement_type=wording.achievement_type,
        template_code=template.code, template_name=template.name, template_version=str(template.version),
        employer_name=enrolment.organisation.name, stage_start=start, stage_end=end,
        decision_date=sign_off.decided_on, decision=decision,
        signatory_roles=tuple(str(role) for role in (sign_off.signatory_roles or ())),
        verify_url=external_url("certificates.verify_code", code=code),
        submission_sha256=str(sign_off.manifest_digest or "").lower(),
        issued_at=utcnow().replace(microsecond=0), subject_id=subject_id_for(practitioner.id),
        identity_salt=secrets.token_hex(16),
        revocation_list_url=status_list_url("revocation"), revocation_index=revocation_index,
        suspension_list_url=status_list_url("suspension"), suspension_index=suspension_index,
        stage_key=wording.stage_key)


def store_certificate(snapshot: CertificateSnapshot, *, kind: CertificateKind, enrolment_id: int,
                      practitioner_id: int, sign_off_id: int, wording: AwardWording, template_code: str,
                      by: Any, action_reason: str = "") -> Certificate:
    """Sign ``snapshot`` and add the certificate with its "issued" event and audit record (flushes)."""
    certificate = Certificate(
        code=snapshot.certificate_code, kind=kind, enrolment_id=enrolment_id, practitioner_id=practitioner_id,
        sign_off_id=sign_off_id, stage_code=wording.stage_code, stage_position=wording.stage_position,
        template_code=template_code, holder_name=snapshot.holder_name, swe_number=snapshot.swe_number,
        award_title=snapshot.award_title, decision_date=snapshot.decision_date, subject_id=snapshot.subject_id,
        snapshot_json=snapshot.to_json(), credential_jws=issue_credential(snapshot, issuer_profile(), keyring()),
        status=CertificateStatus.VALID, revocation_index=snapshot.revocation_index,
        suspension_index=snapshot.suspension_index, issued_at=snapshot.issued_at,
        issued_by_id=getattr(by, "id", None))
    session().add(certificate)
    session().flush()
    session().add(CertificateEvent(certificate_id=certificate.id, action=CertificateEventAction.ISSUED,
                                   from_status=None, to_status=CertificateStatus.VALID.value, reason=action_reason,
                                   actor_id=getattr(by, "id", None)))
    record(by, "certificate.issued", certificate, code=certificate.code, kind=kind.value, sign_off_id=sign_off_id,
           stage_code=certificate.stage_code)
    session().flush()
    practitioner = session().get(User, practitioner_id)
    notify(practitioner, "certificate_issued",
           f"Your certificate for {certificate.award_title} has been issued: you can download it and its credential",
           path_for("certificates.index"))
    return certificate


def _outcome(sign_off: Any) -> str:
    outcome = getattr(sign_off, "outcome", None)
    return str(getattr(outcome, "value", outcome) or "").upper()


def confers_certificate(sign_off: Any) -> bool:
    """A standing pass (PASS or PASS_DEV, not reversed) confers certificates; nothing else does."""
    return _outcome(sign_off) in DECISION_LABELS and getattr(sign_off, "reversed_at", None) is None


def kinds_for(sign_off: Any, template: ProgrammeTemplate) -> list[CertificateKind]:
    """The certificates a standing pass confers: a stage certificate; the expert award for a sign-off of the
    award stage; both when ``is_award`` is set on the sign-off of an ordinary stage (the one that confers it)."""
    if not confers_certificate(sign_off):
        return []
    if not getattr(sign_off, "is_award", False):
        return [CertificateKind.STAGE]
    stage = award_stage(template)
    if stage is not None and stage.code == sign_off.stage_code:
        return [CertificateKind.AWARD]
    return [CertificateKind.STAGE, CertificateKind.AWARD]


def issue_for_sign_off(sign_off: Any, *, by: Any) -> list[Certificate]:
    """Issue the certificates a signed-off stage confers (see ``kinds_for``) and return the ones issued now.

    Idempotent: a kind this sign-off already has a certificate of (whatever its status) is skipped, so calling it
    again, or from ``portal certificates issue-pending``, issues nothing twice. Outcomes other than PASS and
    PASS_DEV confer nothing. Raises DomainError when a certificate cannot be made (unknown enrolment or stage, the
    holder has no SWE number, a malformed digest). Flushes; the caller commits.
    """
    if not confers_certificate(sign_off):
        return []
    sess = session()
    have = set(sess.execute(select(Certificate.kind).where(Certificate.sign_off_id == sign_off.id)).scalars())
    if CertificateKind.STAGE in have and (CertificateKind.AWARD in have or not getattr(sign_off, "is_award", False)):
        return []
    enrolment = sess.get(Enrolment, sign_off.enrolment_id)
    if enrolment is None:
        raise DomainError(f"Sign-off {sign_off.id} refers to an enrolment that does not exist")
    template = template_for(enrolment.programme_version)
    missing = [kind for kind in kinds_for(sign_off, template) if kind not in have]
    issued = []
    for kind in missing:
        wording = describe_award(template, sign_off.stage_code, kind)
        try:
            snapshot = _build_snapshot(sign_off, enrolment, template, wording, kind, _outcome(sign_off))
        except SnapshotError as error:
            raise DomainError(f"Sign-off {sign_off.id} cannot be certified: {error}") from error
        issued.append(store_certificate(snapshot, kind=kind, enrolment_id=enrolment.id,
                                        practitioner_id=enrolment.practitioner_id, sign_off_id=sign_off.id,
                                        wording=wording, template_code=template.code, by=by))
    return issued


# ------------------------------------------------------------------------------------------------- listeners
def _actor(sign_off: Any, by: Any) -> Any:
    if by is not None:
        return by
    signer_id = getattr(sign_off, "signed_off_by_id", None)
    return session().get(User, signer_id) if signer_id else None


def on_sign_off(sign_off: Any, *_args: Any, by: Any = None, **_kwargs: Any) -> list[Certificate]:
    """Sign-off listener: issue inside a savepoint. A certificate that cannot be made yet (the holder has no SWE
    number; in production, no signing key yet) never blocks the sign-off: it is logged and audited, and
    ``portal certificates issue-pending`` issues it once fixed."""
    actor = _actor(sign_off, by)
    try:
        with session().begin_nested():
            return issue_for_sign_off(sign_off, by=actor)
    except (DomainError, SigningKeysMissing) as error:
        reason = getattr(error, "message", None) or str(error)
        log.log(logging.ERROR if isinstance(error, SigningKeysMissing) else logging.WARNING,
                "certificate for sign-off %s deferred: %s", getattr(sign_off, "id", "?"), reason)
        record(actor, "certificate.issue_deferred", subject_type="StageSignOff",
               subject_id=getattr(sign_off, "id", None), reason=reason)
        return []


def on_decision_reversed(sign_off: Any, *_args: Any, by: Any = None, reason: str | None = None,
                         **_kwargs: Any) -> list[Certificate]:
    """Reversal listener (an upheld appeal turned the pass into a fail): revoke the sign-off's certificates."""
    from .services import revoke_for_sign_off

    return revoke_for_sign_off(sign_off.id, by=_actor(sign_off, by),
                               reason=reason or "The decision was reversed on appeal")


_registered = False


def register_listeners() -> bool:
    """Register the listeners with the assessment feature once it provides the hooks (True when registered)."""
    global _registered
    if _registered:
        return True
    try:
        from portal.assessments import services as assessment_services
    except ImportError:
        return False
    sign_off_hook = getattr(assessment_services, "register_sign_off_listener", None)
    reversed_hook = getattr(assessment_services, "register_decision_reversed_listener", None)
    if sign_off_hook is None:
        return False
    sign_off_hook(on_sign_off)
    if reversed_hook is not None:
        reversed_hook(on_decision_reversed)
    _registered = True
    return True
