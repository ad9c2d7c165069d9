"""Open Badges 3.0 ``OpenBadgeCredential`` (VC Data Model 2.0), secured as a compact JWS, and its verification.

Contract
--------
* ``build_credential(snapshot, issuer)`` is the credential as a JSON-ready dict, made from the stored snapshot only:
  ``@context`` (VC 2.0, OB 3.0), ``type``, ``id`` (the certificate's verification URL), ``issuer`` (a ``Profile``
  whose ``id`` is the service's URL), ``name``, ``validFrom`` (issue time) and ``validUntil`` (when the snapshot has
  one), ``credentialSubject`` (``AchievementSubject`` with the holder's ``id``, the holder's name as a plain
  ``IdentityObject`` and the SWE registration number only as a salted SHA-256 ``IdentityObject``, the
  ``Achievement``, the stage dates, and a narrative with decision, employer and signatories' roles), ``evidence``
  (the sealed submission's SHA-256 digest) and two ``BitstringStatusListEntry`` entries, ``revocation`` and
  ``suspension``.
* ``sign_credential(credential, keyring)`` gives the compact JWS: header ``{"alg": "EdDSA", "kid": …}``, payload
  ``{"iss", "jti", "sub", "nbf", "exp" (if validUntil), "vc": credential}``. Ed25519 signatures are deterministic,
  so the same credential and key always give the same token. ``issue_credential`` does both.
* ``verify_credential(token, jwks, status_lists, now)`` returns a :class:`VerificationResult`: ``valid`` and the
  ``reasons`` it is not (stable codes in :data:`REASONS`, each with a sentence in ``messages``). ``status_lists``
  maps each ``statusListCredential`` URL to its signed JWS (verified with the same ``jwks``) or to an already
  trusted :class:`BitstringStatusList`; a list that is not supplied is a *warning* (status unknown), not a failure,
  so a credential can still be checked offline with whatever copy of the lists the verifier has.
* ``identity_hash(value, salt)`` is OB 3.0's ``sha256$`` + hex(SHA-256(value + salt)); an employer who knows a
  number recomputes it with the salt printed in the credential (``normalise_swe_number`` first).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from ._time import DEFAULT_LEEWAY, from_numeric_date, iso_utc, numeric_date, parse_iso_utc, utc, window_problem
from .keys import JWSError, KeyRing, verify_compact
from .pdf import format_date
from .snapshot import CertificateSnapshot
from .status_list import PURPOSES, VC_V2_CONTEXT, BitstringStatusList, StatusListError, read_status_list

__all__ = [
    "OB_CONTEXT",
    "REASONS",
    "SWE_IDENTITY_TYPE",
    "IssuerProfile",
    "VerificationResult",
    "build_credential",
    "identity_hash",
    "issue_credential",
    "normalise_swe_number",
    "sign_credential",
    "verify_credential",
]

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
SWE_IDENTITY_TYPE = "ext:SocialWorkEnglandRegistrationNumber"

#: Why a credential is not valid (stable codes for the API and the verify page), with a sentence for people.
REASONS = {
    "malformed": "This is not a credential issued by this service (it could not be read).",
    "unsupported_alg": "The credential uses a signature algorithm that is not accepted.",
    "unknown_kid": "The credential was not signed with any of the service's published keys.",
    "bad_signature": "The signature does not match: the credential has been changed or was not signed by us.",
    "inconsistent_claims": "The credential's signed claims contradict its content.",
    "untrusted_issuer": "The credential was issued by someone else.",
    "not_yet_valid": "The credential is not valid yet.",
    "expired": "The credential has expired.",
    "revoked": "The certificate has been revoked.",
    "suspended": "The certificate is suspended while a concern is looked into.",
    "status_list_invalid": "The status list could not be trusted, so the certificate's status cannot be confirmed.",
}


@dataclasses.dataclass(frozen=True)
class IssuerProfile:
    """The issuing service as an OB 3.0 ``Profile``; ``id`` is the service's public URL (e.g. ``https://…/``)."""

    id: str
    name: str
    url: str | None = None
    email: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            out["url"] = self.url
        if self.email:
            out["email"] = self.email
        return out


def normalise_swe_number(value: str) -> str:
    """Upper case without spaces ("sw 123456" -> "SW123456"): the form that is hashed."""
    return "".join(str(value).split()).upper()


def identity_hash(value: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``"sha256$" + hex(SHA-256(value + salt))``."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def _day_start(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _status_entry(purpose: str, list_url: str, index: int) -> dict[str, str]:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def build_credential(snapshot: CertificateSnapshot, issuer: IssuerProfile) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` for ``snapshot`` (unsigned), as a JSON-ready dict."""
    s = snapshot
    base = issuer.id.rstrip("/")
    narrative = (
        f"Decision: {s.decision_label} on {format_date(s.decision_date)}. "
        f"Programme: {s.template_name} (template {s.template_code}, version {s.template_version}). "
        f"Employer: {s.employer_name}. Signed off by: {'; '.join(s.signatory_roles)}. "
        f"Certificate code: {s.certificate_code}."
    )
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": s.verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.to_dict(),
        "name": s.award_title,
        "validFrom": iso_utc(s.issued_at),
        "credentialSubject": {
            "id": s.subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False,
                 "identityHash": s.holder_name},
                {"type": "IdentityObject", "identityType": SWE_IDENTITY_TYPE, "hashed": True,
                 "identityHash": identity_hash(normalise_swe_number(s.swe_number), s.identity_salt),
                 "salt": s.identity_salt},
            ],
            "achievement": {
                "id": f"{base}/achievements/{s.template_code}/{s.template_version}/{s.stage_key}",
                "type": ["Achievement"],
                "name": s.award_title,
                "description": s.award_description or s.award_title,
                "criteria": {"narrative": s.criteria_narrative or f"Signed off: {s.award_title}, {s.template_name}."},
                "achievementType": s.achievement_type,
                "version": s.template_version,
            },
            "activityStartDate": _day_start(s.stage_start),
            "activityEndDate": _day_start(s.stage_end),
            "narrative": narrative,
        },
        "evidence": [{
            "type": ["Evidence"],
            "name": "Sealed portfolio submission",
            "description": f"SHA-256 digest of the sealed submission: {s.submission_sha256}",
        }],
        "credentialStatus": [
            _status_entry("revocation", s.revocation_list_url, s.revocation_index),
            _status_entry("suspension", s.suspension_list_url, s.suspension_index),
        ],
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if s.valid_until is not None:
        credential["validUntil"] = iso_utc(s.valid_until)
    return credential


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def sign_credential(credential: Mapping[str, Any], keyring: KeyRing) -> str:
    """Compact JWS (VC-JWT layout with the ``vc`` claim) of an unsigned credential."""
    claims: dict[str, Any] = {
        "iss": _issuer_id(credential),
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": numeric_date(parse_iso_utc(credential["validFrom"])),
        "vc": dict(credential),
    }
    if credential.get("validUntil"):
        claims["exp"] = numeric_date(parse_iso_utc(credential["validUntil"]))
    return keyring.sign(claims)


def issue_credential(snapshot: CertificateSnapshot, issuer: IssuerProfile, keyring: KeyRing) -> str:
    """``sign_credential(build_credential(snapshot, issuer), keyring)``."""
    return sign_credential(build_credential(snapshot, issuer), keyring)


@dataclasses.dataclass(frozen=True)
class VerificationResult:
    """The outcome of :func:`verify_credential`.

    ``valid`` is True only when ``reasons`` is empty. ``credential`` is the ``vc`` payload once the signature has
    checked out (None before). ``status`` maps "revocation"/"suspension" to True (bit set), False (clear) or None
    (unknown: no list supplied, see ``warnings``).
    """

    valid: bool
    reasons: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    credential: dict[str, Any] | None = None
    kid: str | None = None
    status: dict[str, bool | None] = dataclasses.field(default_factory=dict)

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    @property
    def summary(self) -> dict[str, Any]:
        """What a verify page may show: holder's name, award, issuer, validity dates, certificate URL."""
        vc = self.credential or {}
        subject = vc.get("credentialSubject") or {}
        names = [i.get("identityHash") for i in subject.get("identifier") or []
                 if isinstance(i, Mapping) and i.get("identityType") == "name" and not i.get("hashed")]
        issuer = vc.get("issuer")
        return {
            "holder_name": names[0] if names else None,
            "award": (subject.get("achievement") or {}).get("name"),
            "issuer_name": issuer.get("name") if isinstance(issuer, Mapping) else None,
            "valid_from": vc.get("validFrom"),
            "valid_until": vc.get("validUntil"),
            "certificate_url": vc.get("id"),
        }


def _fail(reason: str, detail: str | None = None, **kw: Any) -> VerificationResult:
    return VerificationResult(False, (reason,), (detail or REASONS[reason],), **kw)


def _claims_problem(claims: Mapping[str, Any], vc: Mapping[str, Any]) -> str | None:
    subject = vc.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return "credentialSubject is missing"
    expected = {"iss": _issuer_id(vc), "jti": vc.get("id"), "sub": subject.get("id")}
    for claim, value in expected.items():
        if claims.get(claim) != value:
            return f"claim {claim} does not match the credential"
    try:
        if from_numeric_date(claims.get("nbf")) != parse_iso_utc(vc.get("validFrom")):
            return "claim nbf does not match validFrom"
        has_end = vc.get("validUntil") is not None or "exp" in claims
        if has_end and from_numeric_date(claims.get("exp")) != parse_iso_utc(vc.get("validUntil")):
            return "claim exp does not match validUntil"
    except (TypeError, ValueError):
        return "nbf/exp or validFrom/validUntil are not valid timestamps"
    return None


def verify_credential(token: str | bytes, keyring_public_jwks: Any,
                      status_lists: Mapping[str, str | BitstringStatusList] | None, now: dt.datetime, *,
                      trusted_issuer: str | None = None, leeway: dt.timedelta = DEFAULT_LEEWAY) -> VerificationResult:
    """Check a compact-JWS credential: signature, algorithm, key, claims, validity dates and status.

    ``keyring_public_jwks`` is the published JWKS (``{"keys": [...]}``), a list of JWKs or a :class:`KeyRing`.
    ``trusted_issuer``, if given, must equal the credential's issuer id. Every applicable reason is reported.
    """
    now = utc(now)
    try:
        header, claims = verify_compact(token, keyring_public_jwks)
    except JWSError as exc:
        detail = REASONS[exc.reason] if exc.reason == "bad_signature" else f"{REASONS[exc.reason]} ({exc})"
        return _fail(exc.reason, detail)
    kid = header.get("kid")
    vc = claims.get("vc")
    types = vc.get("type") if isinstance(vc, dict) else None
    contexts = vc.get("@context") if isinstance(vc, dict) else None
    if (not isinstance(types, list) or "VerifiableCredential" not in types
            or not ({"OpenBadgeCredential", "AchievementCredential"} & set(types))
            or not isinstance(contexts, list) or contexts[:1] != [VC_V2_CONTEXT]):
        return _fail("malformed", "The signed payload is not an Open Badges 3.0 credential.", kid=kid)
    reasons: list[str] = []
    messages: list[str] = []
    warnings: list[str] = []

    def add(reason: str, detail: str | None = None) -> None:
        reasons.append(reason)
        messages.append(detail or REASONS[reason])

    problem = _claims_problem(claims, vc)
    if problem:
        add("inconsistent_claims", f"{REASONS['inconsistent_claims']} ({problem})")
    if trusted_issuer is not None and _issuer_id(vc) != trusted_issuer:
        add("untrusted_issuer")
    try:
        not_before = from_numeric_date(claims["nbf"]) if "nbf" in claims else parse_iso_utc(vc["validFrom"])
        expires = from_numeric_date(claims["exp"]) if "exp" in claims else (
            parse_iso_utc(vc["validUntil"]) if vc.get("validUntil") else None)
    except (KeyError, TypeError, ValueError):
        not_before = expires = None
        if not problem:
            add("inconsistent_claims", f"{REASONS['inconsistent_claims']} (no usable validity dates)")
    window = window_problem(now, not_before, expires, leeway) if not_before or expires else None
    if window:
        add(window)

    status: dict[str, bool | None] = {purpose: None for purpose in PURPOSES}
    seen: set[str] = set()
    entries = vc.get("credentialStatus") or []
    if isinstance(entries, Mapping):
        entries = [entries]
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
            continue
        purpose, list_url = entry.get("statusPurpose"), entry.get("statusListCredential")
        if purpose not in PURPOSES:
            continue
        seen.add(purpose)
        try:
            index = int(entry.get("statusListIndex"))
            if not isinstance(list_url, str) or index < 0:
                raise ValueError(list_url)
        except (TypeError, ValueError):
            add("malformed", "The credential's status entry has no valid list or index.")
            continue
        source = (status_lists or {}).get(list_url)
        if source is None:
            warnings.append(f"The {purpose} status list ({list_url}) was not available, so {purpose} is unknown.")
            continue
        try:
            bits = source if isinstance(source, BitstringStatusList) else read_status_list(
                source, keyring_public_jwks, now=now, expected_url=list_url, expected_purpose=purpose)
            flag = bits.get(index)
        except (StatusListError, IndexError) as exc:
            add("status_list_invalid", f"{REASONS['status_list_invalid']} ({purpose}: {exc})")
            continue
        status[purpose] = flag
        if flag:
            add("revoked" if purpose == "revocation" else "suspended")
    for purpose in PURPOSES:
        if purpose not in seen:
            warnings.append(f"The credential has no {purpose} status entry.")
    return VerificationResult(not reasons, tuple(reasons), tuple(messages), tuple(warnings), vc, kid, status)
