"""The hooks the assessment feature plugs into casework and CPD (registered when this module is imported):

* **locks**: a live item sealed in the current version of a submission that is with the assessor or the
  moderators (``models.LOCKING_STATES``) cannot be changed or deleted;
* **full view**: the allocated assessor and the blind second marker of a submission being assessed, and the
  reviewer of an open appeal, may open the items it holds (and so download their files);
* **anonymised view**: the moderators of the submission's panel, while it is in moderation.

Each hook answers from one query per request and person (kept in ``flask.g``), so lists that ask per row stay at
a constant number of queries. Services that move a submission call :func:`forget` so the same request sees the
change.
"""
from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import or_, select

from portal import permissions
from portal.assessments.models import (
    ASSESSING_STATES,
    LOCKING_STATES,
    MODERATION_STATES,
    Appeal,
    Submission,
    SubmissionItem,
    SubmissionVersion,
)
from portal.assessments.sealing import CASEWORK_KINDS, CPD_KIND
from portal.db import session
from portal.enrolments.models import Enrolment
from portal.users.models import Role

_CACHE = "_assessment_access"
_SOURCES = (*CASEWORK_KINDS, CPD_KIND)


def _cache() -> dict[Any, Any]:
    if not has_app_context():
        return {}
    if _CACHE not in g:
        setattr(g, _CACHE, {})
    return getattr(g, _CACHE)


def forget() -> None:
    """Drop what this request has learnt (after a move, a seal or an allocation)."""
    if has_app_context():
        g.pop(_CACHE, None)


def _key(kind: str, key: str) -> tuple[str, int]:
    return ("cpd_record" if kind == CPD_KIND else "casework", int(key))


def _keys(query: Any) -> frozenset[tuple[str, int]]:
    return frozenset(_key(kind, key) for kind, key in session().execute(query))


def _items() -> Any:
    return (select(SubmissionItem.kind, SubmissionItem.item_key)
            .join(SubmissionVersion, SubmissionVersion.id == SubmissionItem.version_id)
            .join(Submission, Submission.id == SubmissionVersion.submission_id)
            .where(SubmissionItem.kind.in_(_SOURCES)).distinct())


def locked_keys(practitioner_id: int) -> frozenset[tuple[str, int]]:
    """("casework" | "cpd_record", id) of the practitioner's live items that are locked now (one query)."""
    cache = _cache()
    key = ("locked", practitioner_id)
    if key not in cache:
        cache[key] = _keys(_items().where(Submission.practitioner_id == practitioner_id,
                                          Submission.state.in_(list(LOCKING_STATES)),
                                          SubmissionVersion.number == Submission.version))
    return cache[key]


def viewable_keys(user_id: int) -> frozenset[tuple[str, int]]:
    """Items ``user`` may open as assessor, second marker or appeal reviewer (one query)."""
    cache = _cache()
    key = ("view", user_id)
    if key not in cache:
        reviewing = select(Appeal.submission_id).where(Appeal.reviewer_id == user_id, Appeal.state == "lodged")
        cache[key] = _keys(_items().where(or_(
            (Submission.state.in_(list(ASSESSING_STATES))
             & or_(Submission.assessor_id == user_id, Submission.second_marker_id == user_id)),
            Submission.id.in_(reviewing))))
    return cache[key]


def moderated_keys(user: Any) -> frozenset[tuple[str, int]]:
    """Items of the submissions in moderation on the panels ``user`` sits on (one query)."""
    cache = _cache()
    key = ("moderate", user.id)
    if key not in cache:
        organisations = sorted(user.organisation_ids(Role.MODERATOR))
        if not organisations:
            cache[key] = frozenset()
        else:
            cache[key] = _keys(_items().join(Enrolment, Enrolment.id == Submission.enrolment_id).where(
                Submission.state.in_(list(MODERATION_STATES)),
                or_(Submission.independent.is_(True), Enrolment.organisation_id.in_(organisations)),
                Submission.version == SubmissionVersion.number))
    return cache[key]


def is_casework_sealed_open(item: Any) -> bool:
    """The casework lock hook."""
    return ("casework", item.id) in locked_keys(item.practitioner_id)


def is_cpd_record_sealed_open(record: Any) -> bool:
    """The CPD lock hook."""
    return ("cpd_record", record.id) in locked_keys(record.practitioner_id)


def may_open_casework(user: Any, item: Any) -> bool:
    """The casework viewer hook: the assessor, second marker or appeal reviewer of a submission holding it."""
    return ("casework", item.id) in viewable_keys(user.id)


def may_open_cpd_record(user: Any, record: Any) -> bool:
    """The CPD viewer hook (the same people)."""
    return ("cpd_record", record.id) in viewable_keys(user.id)


def may_moderate_casework(user: Any, item: Any) -> bool:
    """The casework anonymised-view hook: the moderators of a submission in moderation that holds it."""
    return permissions.is_moderator(user) and ("casework", item.id) in moderated_keys(user)


permissions.register_casework_lock(is_casework_sealed_open)
permissions.register_cpd_record_lock(is_cpd_record_sealed_open)
permissions.register_casework_viewer(may_open_casework)
permissions.register_casework_viewer(may_moderate_casework, anonymised=True)
permissions.register_cpd_record_viewer(may_open_cpd_record)
