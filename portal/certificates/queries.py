"""Read queries of the certificate register: a holder's certificates, the public status of a code, accreditation
by SWE registration number (one query for any number of numbers), admin search, and sign-offs still waiting for a
certificate."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.db import session
from portal.pagination import Page, keyset_page

from .codes import InvalidCodeError, normalise_code
from .models import Certificate, CertificateEvent, CertificateKind, CertificateStatus


def certificates_of(practitioner_id: int) -> list[Certificate]:
    """A holder's certificates, newest first (one query)."""
    return list(session().execute(select(Certificate).where(Certificate.practitioner_id == practitioner_id)
                                  .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).scalars())


def find_by_code(text: str) -> Certificate | None:
    """The certificate with that code (any form ``normalise_code`` accepts); InvalidCodeError if it is not one."""
    code = normalise_code(text)
    return session().execute(select(Certificate).where(Certificate.code == code)).scalar_one_or_none()


def history(certificate: Certificate) -> list[CertificateEvent]:
    """The certificate's status changes, oldest first."""
    return list(session().execute(select(CertificateEvent).options(joinedload(CertificateEvent.actor))
                                  .where(CertificateEvent.certificate_id == certificate.id)
                                  .order_by(CertificateEvent.id)).scalars())


# ---------------------------------------------------------------------------------------------- public status
@dataclasses.dataclass(frozen=True)
class PublicStatus:
    """What anyone may see about a certificate: its status (with the date of a revocation or suspension and the
    successor of a superseded one), the award, the holder's name, the issue date. Nothing else."""

    code: str
    status: str
    status_label: str
    status_date: dt.date | None
    award: str
    kind: str
    holder_name: str
    issued_on: dt.date
    superseded_by: str | None

    def to_json(self, verify_url: str) -> dict[str, Any]:
        return {"code": self.code, "status": self.status, "status_date": _iso(self.status_date),
                "award": self.award, "kind": self.kind, "holder_name": self.holder_name,
                "issued_on": self.issued_on.isoformat(), "superseded_by": self.superseded_by,
                "verify_url": verify_url}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def public_status(certificate: Certificate) -> PublicStatus:
    changed = certificate.status_changed_at
    dated = certificate.status in {CertificateStatus.REVOKED, CertificateStatus.SUSPENDED,
                                   CertificateStatus.SUPERSEDED}
    return PublicStatus(
        code=certificate.code, status=certificate.status.value, status_label=certificate.status.label,
        status_date=changed.date() if changed and dated else None, award=certificate.award_title,
        kind=certificate.kind.value, holder_name=certificate.holder_name, issued_on=certificate.issued_at.date(),
        superseded_by=certificate.superseded_by.code if certificate.superseded_by is not None else None)


def status_by_code(text: str) -> PublicStatus | None:
    """The public status for a typed code; None when no certificate has it; InvalidCodeError when malformed."""
    code = normalise_code(text)
    successor = aliased(Certificate)
    row = session().execute(select(Certificate).options(joinedload(Certificate.superseded_by.of_type(successor)))
                            .where(Certificate.code == code)).scalar_one_or_none()
    return public_status(row) if row is not None else None


def is_code_like(text: str) -> bool:
    try:
        normalise_code(text)
    except InvalidCodeError:
        return False
    return True


def surname_matches(holder_name: str, surname: str) -> bool:
    """Whether ``surname`` is the holder's last name (or last names), ignoring case and accents."""
    import unicodedata

    def fold(value: str) -> list[str]:
        plain = unicodedata.normalize("NFKD", value.casefold())
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        return [w for w in plain.replace("-", " ").replace("'", " ").split() if w]

    wanted, words = fold(surname), fold(holder_name)
    return bool(wanted) and len(wanted) <= len(words) and words[-len(wanted):] == wanted


# ------------------------------------------------------------------------------------------------ accreditation
@dataclasses.dataclass(frozen=True)
class Accreditation:
    """Where a registered social worker stands, from their certificates: the highest stage with a valid
    certificate, whether they hold a valid expert award, and the status of every certificate."""

    swe_number: str
    holder_name: str
    stage: str | None
    stage_code: str | None
    expert: bool
    certificates: tuple[PublicStatus, ...]

    def to_json(self, verify_url: Any) -> dict[str, Any]:
        return {"swe_number": self.swe_number, "holder_name": self.holder_name,
                "accreditation": {"stage": self.stage, "stage_code": self.stage_code, "expert": self.expert},
                "certificates": [c.to_json(verify_url(c.code)) for c in self.certificates]}


def accreditation_for(numbers: Iterable[str]) -> dict[str, Accreditation]:
    """Accreditation of every number that has certificates (numbers already normalised; one query)."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    by_number: dict[str, list[Certificate]] = defaultdict(list)
    successor = aliased(Certificate)
    rows = session().execute(select(Certificate).options(joinedload(Certificate.superseded_by.of_type(successor)))
                             .where(Certificate.swe_number.in_(wanted))
                             .order_by(Certificate.swe_number, Certificate.issued_at.desc(), Certificate.id.desc()))
    for certificate in rows.scalars():
        by_number[certificate.swe_number].append(certificate)
    out = {}
    for number, certificates in by_number.items():
        valid = [c for c in certificates if c.status == CertificateStatus.VALID]
        top = max(valid, key=lambda c: (c.kind == CertificateKind.AWARD, c.stage_position, c.issued_at),
                  default=None)
        out[number] = Accreditation(
            swe_number=number, holder_name=certificates[0].holder_name,
            stage=top.award_title if top else None, stage_code=top.stage_code if top else None,
            expert=any(c.kind == CertificateKind.AWARD for c in valid),
            certificates=tuple(public_status(c) for c in certificates))
    return out


# ----------------------------------------------------------------------------------------------------- admin
def search(q: str = "", status: CertificateStatus | None = None, *, after: str | None = None,
           before: str | None = None, size: int = 25) -> Page[Certificate]:
    """Programme admins' register, newest first: by code, SWE number or holder's name, and status."""
    query = select(Certificate)
    q = q.strip()
    if q:
        conditions = [func.lower(Certificate.holder_name).like(f"%{q.lower()}%"),
                      Certificate.swe_number == "".join(q.split()).upper()]
        if is_code_like(q):
            conditions.append(Certificate.code == normalise_code(q))
        query = query.where(or_(*conditions))
    if status is not None:
        query = query.where(Certificate.status == status)
    return keyset_page(query, [Certificate.id], after=after, before=before, size=size, descending=True)


# ------------------------------------------------------------------------------------------ pending sign-offs
def sign_off_model() -> Any:
    """The assessment feature's StageSignOff model, or None while it does not exist."""
    try:
        from portal.assessments.models import StageSignOff  # type: ignore[attr-defined]
    except ImportError:
        return None
    return StageSignOff


def sign_offs_after(last_id: int, limit: int) -> Sequence[Any]:
    """The next ``limit`` sign-offs with an id above ``last_id`` (id order: resumable from any point)."""
    model = sign_off_model()
    if model is None:
        return []
    return list(session().execute(select(model).where(model.id > last_id).order_by(model.id).limit(limit)).scalars())


def count_sign_offs() -> int:
    model = sign_off_model()
    if model is None:
        return 0
    return session().execute(select(func.count()).select_from(model)).scalar_one()


def kinds_issued(sign_off_ids: Sequence[int]) -> dict[int, set[CertificateKind]]:
    """The kinds of certificate each sign-off already has (any status), in one query."""
    out: dict[int, set[CertificateKind]] = defaultdict(set)
    if sign_off_ids:
        for sign_off_id, kind in session().execute(select(Certificate.sign_off_id, Certificate.kind)
                                                   .where(Certificate.sign_off_id.in_(list(sign_off_ids)))):
            out[sign_off_id].add(kind)
    return out


def latest_certificate_id() -> int:
    return session().execute(select(func.max(Certificate.id))).scalar() or 0


def valid_of_template(template_code: str, up_to_id: int, after_id: int, limit: int) -> list[Certificate]:
    """Valid certificates of a programme template with ids in (after_id, up_to_id], in id order (reissuing)."""
    return list(session().execute(select(Certificate).where(
        Certificate.template_code == template_code, Certificate.status == CertificateStatus.VALID,
        Certificate.id <= up_to_id, Certificate.id > after_id).order_by(Certificate.id).limit(limit)).scalars())


def count_valid_of_template(template_code: str, up_to_id: int) -> int:
    return session().execute(select(func.count()).select_from(Certificate).where(
        Certificate.template_code == template_code, Certificate.status == CertificateStatus.VALID,
        Certificate.id <= up_to_id)).scalar_one()
