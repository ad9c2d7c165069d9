"""What the service publishes for verifiers: the signed revocation and suspension status lists.

Each list is rebuilt from the certificates' statuses and re-signed inside the transaction that changes a status
(so every worker serves the new list as soon as it commits), and stored in ``credential_status_lists``. A list is
also rebuilt when it is missing, was signed with a key that is no longer current (after a rotation) or has another
length than ``STATUS_LIST_LENGTH``.

Which bit means what: a revoked certificate *and a superseded one* have their revocation bit set (a superseded
credential carries an old snapshot, e.g. a former name, and must not keep verifying as current); a suspended one
has its suspension bit set, cleared again on reinstatement.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select, text

from portal.db import session, utcnow

from .models import Certificate, CertificateStatus, StatusListCredential
from .signing import issuer_profile, keyring, status_list_url
from .status_list import PURPOSES, BitstringStatusList, build_status_list_credential, sign_status_list

_LOCK_KEY = 781242  # PostgreSQL advisory lock: one rebuild at a time, each seeing the last one's statuses

#: the statuses whose bit is set in each list
STATUSES_IN_LIST = {
    "revocation": (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED),
    "suspension": (CertificateStatus.SUSPENDED,),
}


def list_length() -> int:
    return int(current_app.config["STATUS_LIST_LENGTH"])


def _lock() -> None:
    sess = session()
    if sess.get_bind().dialect.name == "postgresql":
        sess.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"))


def _set_indexes(purpose: str) -> list[int]:
    column = Certificate.revocation_index if purpose == "revocation" else Certificate.suspension_index
    return list(session().execute(select(column).where(Certificate.status.in_(STATUSES_IN_LIST[purpose]))).scalars())


def rebuild_status_lists(purposes: tuple[str, ...] = PURPOSES) -> dict[str, StatusListCredential]:
    """Rebuild, re-sign and store the lists for ``purposes`` from the current statuses (one query per list).
    Flushes; the caller commits with the status change that made it necessary."""
    _lock()
    sess = session()
    ring = keyring()
    issuer = issuer_profile()
    now = utcnow().replace(microsecond=0)
    out = {}
    for purpose in purposes:
        bits = BitstringStatusList(list_length())
        indexes = _set_indexes(purpose)
        for index in indexes:
            bits.set(index)
        credential = build_status_list_credential(list_url=status_list_url(purpose), purpose=purpose,
                                                  status_list=bits, issuer_id=issuer.id, valid_from=now)
        token = sign_status_list(credential, ring)
        row = sess.get(StatusListCredential, purpose, populate_existing=True)
        if row is None:
            row = StatusListCredential(purpose=purpose)
            sess.add(row)
        row.token, row.kid, row.length, row.set_count, row.signed_at = token, ring.kid, len(bits), len(indexes), now
        out[purpose] = row
    sess.flush()
    return out


def _is_current(row: StatusListCredential | None) -> bool:
    return row is not None and row.kid == keyring().kid and row.length == list_length()


def published_status_list(purpose: str) -> StatusListCredential:
    """The stored, signed list for ``purpose``, rebuilt first if it is missing or stale (key or length changed).
    A rebuild is flushed: the caller commits it."""
    if purpose not in PURPOSES:
        raise KeyError(purpose)
    row = session().get(StatusListCredential, purpose)
    if _is_current(row):
        return row  # type: ignore[return-value]
    return rebuild_status_lists((purpose,))[purpose]


def status_lists_for_verification() -> dict[str, str]:
    """``{statusListCredential URL: signed JWS}`` of this service's lists, as ``verify_credential`` takes them."""
    return {status_list_url(purpose): published_status_list(purpose).token for purpose in PURPOSES}
