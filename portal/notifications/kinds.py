"""The kinds of notification: what each is about, who gets it, and whether it is e-mailed unless the person turns
that off in their settings. ``notify`` refuses a kind that is not registered here, so this list is the whole
contract: a feature that needs a new kind registers it (``register_kind``) at import time.

| kind | sent by | to | when |
|---|---|---|---|
| verification_requested | casework services | the verifier (supervisor; the practitioner for a supervision record) | evidence is sent for verification |
| verification_decided | casework services | the requester | evidence is verified, co-signed or declined |
| feedback_received | casework services | the practitioner | feedback arrives through a link they sent |
| observation_recorded | casework services | the practitioner | a direct observation of their practice is recorded |
| review_due | `portal reminders run` | practitioner and supervisor | a review is due within 14 days, or overdue |
| stage_due | `portal reminders run` | practitioner and supervisor | a stage is due within 30 days and not met, or overdue |
| cpd_due | `portal reminders run` | practitioner | the CPD minimum is not met with 30 November near, or was missed |
| verification_waiting | `portal reminders run` | supervisor | evidence has waited more than 7 days for them |
| submission_allocated | assessment services | the assessor | a submission is allocated to them for marking |
| marking_overdue | `portal reminders run` | the assessor | marking is past its due date |
| decision_made | assessment services | the practitioner | a decision on their submission is signed off (or returned) |
| appeal_lodged | assessment services | programme admins | an appeal is lodged |
| agreement_requested | assessment services | the employer's admins | a practitioner asks them to agree to a submission with requirements not met |
| certificate_issued | certificate services | the practitioner | a certificate is issued to them |
| role_invitation | user services | an existing account | they are invited to a role in an organisation (accept or decline) |
| role_granted | user services | the person | they are given a role |
| organisation_role_granted | user services | the organisation's other admins | someone is given a role there |
"""
from __future__ import annotations

from dataclasses import dataclass

from portal.users.models import Role


@dataclass(frozen=True)
class NotificationKind:
    code: str
    #: the settings page's label: "E-mail me when ..."
    label: str
    #: roles whose holders may receive it (the settings page shows only these)
    audience: frozenset[Role]
    email_by_default: bool = True


KINDS: dict[str, NotificationKind] = {}


def register_kind(code: str, label: str, audience: set[Role] | frozenset[Role], *,
                  email_by_default: bool = True) -> NotificationKind:
    """Add (or replace) a kind of notification. Codes are at most 40 characters: letters and underscores."""
    if not code or len(code) > 40 or not code.replace("_", "").isalpha() or code != code.lower():
        raise ValueError(f"a notification kind is 1 to 40 lower-case letters and underscores, not {code!r}")
    kind = NotificationKind(code, label, frozenset(audience), email_by_default)
    KINDS[code] = kind
    return kind


P, S, A, PA, EA = Role.PRACTITIONER, Role.SUPERVISOR, Role.ASSESSOR, Role.PROGRAMME_ADMIN, Role.EMPLOYER_ADMIN
register_kind("verification_requested", "someone asks you to verify or co-sign casework evidence", {S, P})
register_kind("verification_decided", "your casework evidence is verified, co-signed or declined", {P, S})
register_kind("feedback_received", "feedback arrives through a link you sent", {P})
register_kind("observation_recorded", "a direct observation of your practice is recorded", {P})
register_kind("review_due", "a review meeting is coming up or overdue", {P, S})
register_kind("stage_due", "a stage of the programme is nearly due, or overdue, and not complete", {P, S})
register_kind("cpd_due", "your CPD for the registration year to 30 November is not complete", {P})
register_kind("verification_waiting", "evidence has waited more than 7 days for your verification", {S})
register_kind("submission_allocated", "a submission is allocated to you for marking", {A})
register_kind("marking_overdue", "marking allocated to you is past its due date", {A})
register_kind("decision_made", "a decision is made on your stage submission", {P})
register_kind("appeal_lodged", "an appeal is lodged", {PA})
register_kind("certificate_issued", "a certificate is issued to you", {P})
register_kind("agreement_requested", "a practitioner asks you to agree to a submission with requirements not met",
              {EA})
ALL = set(Role)
register_kind("role_invitation", "you are invited to take a role in an organisation", ALL)
register_kind("role_granted", "you are given a new role", ALL)
register_kind("organisation_role_granted", "someone is given a role in an organisation you manage", {EA, PA})
del P, S, A, PA, EA, ALL


def kinds_for(roles: set[Role]) -> list[NotificationKind]:
    """The kinds someone with these roles may receive, in the order registered."""
    return [kind for kind in KINDS.values() if kind.audience & roles]
