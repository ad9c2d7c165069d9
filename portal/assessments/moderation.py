"""Moderation: drawing the blind second-marking sample for a panel, allocating the second marker, opening,
confirming or returning each recommendation (with reasons), and the agreement figures.

Panels: the moderators of an organisation moderate its practitioners' years 1-4; the independent assessments go
to one national panel (any moderator). A recommendation waits in ``recommended`` until a sample is drawn over its
panel's waiting recommendations (``sampling.select_for_second_marking`` with a stored seed); a sampled one needs
its blind second mark before moderation opens. Nobody moderates their own marking (``conflicts``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import func, select

from portal import permissions
from portal.assessments import conflicts, sampling
from portal.assessments.allocation import candidates, conflicts_of, refuse_conflicts
from portal.assessments.marking import find_marking
from portal.assessments.models import Marking, MarkingRole, SampleDraw, Submission
from portal.assessments.states import Outcome
from portal.assessments.states import SubmissionState as S
from portal.assessments.submissions import apply_move, check_move, record_event, require_reason
from portal.db import session
from portal.enrolments.models import Enrolment
from portal.exceptions import DomainError
from portal.users.models import Organisation, Role, User, UserStatus

NATIONAL = "national"


@dataclass(frozen=True)
class Panel:
    """A moderation panel: an organisation's (years 1-4) or the national one (``organisation_id`` None)."""

    organisation_id: int | None
    name: str

    @property
    def key(self) -> str:
        return NATIONAL if self.organisation_id is None else str(self.organisation_id)


def panels_of(user: Any) -> list[Panel]:
    """The panels ``user`` sits on: each organisation they moderate in, and the national panel (1 query)."""
    if not permissions.is_moderator(user):
        return []
    ids = sorted(user.organisation_ids(Role.MODERATOR))
    names = dict(session().execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())
    return [Panel(i, names.get(i, "")) for i in ids] + [Panel(None, "Independent assessments (national panel)")]


def panel_filter(panel_organisation_id: int | None) -> Any:
    """The condition on Submission (joined to its Enrolment) for one panel."""
    if panel_organisation_id is None:
        return Submission.independent.is_(True)
    return (Submission.independent.is_(False)) & (Enrolment.organisation_id == panel_organisation_id)


def sits_on(user: Any, panel_organisation_id: int | None) -> bool:
    if not permissions.is_moderator(user):
        return False
    return panel_organisation_id is None or user.has_role(Role.MODERATOR, panel_organisation_id)


def sampling_config() -> sampling.SamplingConfig:
    """The sampling rules: SECOND_MARKING_PERCENT (default 10) at random and each new assessor's first
    SECOND_MARKING_FIRST_N (default 3), plus every fail."""
    config = current_app.config if has_app_context() else {}
    return sampling.SamplingConfig(random_percentage=int(config.get("SECOND_MARKING_PERCENT",
                                                                    sampling.DEFAULT_RANDOM_PERCENTAGE)),
                                   first_n=int(config.get("SECOND_MARKING_FIRST_N", sampling.DEFAULT_FIRST_N)))


def waiting_to_draw(panel_organisation_id: int | None) -> list[Submission]:
    """The panel's recommendations not yet in a draw (one query)."""
    return list(session().execute(
        select(Submission).join(Enrolment, Enrolment.id == Submission.enrolment_id)
        .where(Submission.state == S.RECOMMENDED, Submission.sample_draw_id.is_(None),
               panel_filter(panel_organisation_id)).order_by(Submission.id)).scalars())


def draw_sample(panel_organisation_id: int | None, *, by: Any, seed: str | None = None,
                config: sampling.SamplingConfig | None = None) -> SampleDraw:
    """Draw the blind second-marking sample over the panel's waiting recommendations: every fail, each new
    assessor's first few (counting their earlier drawn recommendations) and a random share, with a stored seed.
    A moderator of the panel or a programme admin draws it."""
    if not (sits_on(by, panel_organisation_id) or permissions.is_programme_admin(by)):
        raise DomainError("Only a moderator of this panel can draw its sample")
    batch = waiting_to_draw(panel_organisation_id)
    if not batch:
        raise DomainError("There are no recommendations waiting for a sample to be drawn")
    config = config or sampling_config()
    seed = seed or sampling.new_seed()
    sess = session()
    assessor_ids = sorted({s.assessor_id for s in batch if s.assessor_id is not None})
    prior = dict(sess.execute(select(Submission.assessor_id, func.count()).where(
        Submission.assessor_id.in_(assessor_ids), Submission.sample_draw_id.is_not(None))
        .group_by(Submission.assessor_id)).all())
    decided = {(m.submission_id, m.version): m.finished_at for m in sess.execute(select(Marking).where(
        Marking.submission_id.in_([s.id for s in batch]), Marking.role == MarkingRole.FIRST,
        Marking.finished_at.is_not(None))).scalars()}
    recommendations = [sampling.Recommendation(s.id, s.assessor_id, s.outcome,
                                               decided.get((s.id, s.version)) or s.updated_at) for s in batch]
    selection = sampling.select_for_second_marking(recommendations, config, seed=seed, prior_counts=prior)
    draw = SampleDraw(panel_organisation_id=panel_organisation_id, seed=selection.seed,
                      random_percentage=int(config.random_percentage), first_n=config.first_n,
                      recommendations=len(batch), sampled=len(selection), drawn_by_id=by.id)
    sess.add(draw)
    sess.flush()
    for submission in batch:
        submission.sample_draw_id = draw.id
        submission.sample_reasons = [r.value for r in selection.reasons.get(submission.id, ())]
    sess.flush()
    role = "moderator" if sits_on(by, panel_organisation_id) else "programme_admin"
    for submission in batch:
        record_event(submission, "sample_drawn", by=by, role=role, draw_id=draw.id,
                     sampled=bool(submission.sample_reasons), reasons=submission.sample_reasons or None)
    return draw


def describe_reasons(reasons: list[str] | None, config: sampling.SamplingConfig | None = None) -> str:
    """Why a recommendation was sampled, in words."""
    config = config or sampling_config()
    return "; ".join(config.describe(sampling.SampleReason(r)) for r in reasons or [])


def _second_marker_judge(submission: Submission) -> Any:
    return lambda person, practitioner: conflicts.second_marker_conflicts(
        person, practitioner, submission.independent, first_marker_id=submission.assessor_id)


def second_marker_candidates(submission: Submission) -> list[Any]:
    """Assessors who could second-mark this recommendation blind, with their conflicts and load."""
    return candidates(submission, _second_marker_judge(submission))


def allocate_second_marker(submission: Submission, marker: User, *, by: Any) -> None:
    """Choose the blind second marker of a sampled recommendation (not the first marker, and none of an assessor's
    conflicts): a moderator of its panel or a programme admin."""
    if not permissions.can_allocate_second_marker(by, submission):
        raise DomainError("Only a moderator of this panel can choose the second marker of a sampled recommendation")
    if find_marking(submission, MarkingRole.SECOND) is not None and find_marking(
            submission, MarkingRole.SECOND).finished_at is not None:
        raise DomainError("The second mark has already been made")
    if marker.status != UserStatus.ACTIVE or not marker.has_role(Role.ASSESSOR):
        raise DomainError(f"{marker.name} is not an assessor", "marker")
    refuse_conflicts(conflicts_of(marker, submission, _second_marker_judge(submission)), "marker")
    submission.second_marker_id = marker.id
    submission.second_marker = marker
    session().flush()
    record_event(submission, "allocate_second_marker", by=by, role="moderator", second_marker_id=marker.id)
    from portal.assessments import access

    access.forget()


def second_mark_finished(submission: Submission) -> bool:
    marking = find_marking(submission, MarkingRole.SECOND)
    return marking is not None and marking.finished_at is not None


def _refuse_own_marking(submission: Submission, by: Any) -> None:
    found = conflicts_of(by, submission, lambda person, practitioner: conflicts.moderator_conflicts(
        person, first_marker_id=submission.assessor_id, practitioner=practitioner))
    if submission.second_marker_id == by.id:
        found.append(conflicts.Conflict(conflicts.ConflictKind.OWN_MARKING,
                                        f"{by.name} second-marked this submission, so cannot moderate it", by.id))
    refuse_conflicts(found, "reasons")


def open_moderation(submission: Submission, *, by: Any) -> None:
    """A moderator of the panel opens a recommendation: once its sample is drawn and, if it was sampled, its blind
    second mark is in. Never their own marking."""
    allowed = check_move(submission, S.MODERATION, by=by)
    _refuse_own_marking(submission, by)
    if submission.sample_draw_id is None:
        raise DomainError("Draw the second-marking sample for this panel first")
    if submission.sampled and not second_mark_finished(submission):
        raise DomainError("This recommendation was picked for blind second marking: moderate it once the second "
                          "mark is in")
    apply_move(submission, allowed, by=by)


def confirm(submission: Submission, *, by: Any, reasons: str, today: dt.date) -> None:
    """Confirm the recommendation, with reasons. A confirmed fail is the decision (the appeal window starts
    today); a confirmed pass waits for the employer's (or for year 5 the programme's) sign-off."""
    allowed = check_move(submission, S.CONFIRMED, by=by)
    _refuse_own_marking(submission, by)
    reasons = require_reason(reasons, "your reasons", "reasons")
    submission.decided_on = today
    apply_move(submission, allowed, by=by, reason=reasons, outcome_confirmed=getattr(submission.outcome, "value",
                                                                                     None))


def return_to_assessor(submission: Submission, *, by: Any, reasons: str) -> None:
    """Return the recommendation to its assessor, with reasons; they reassess and recommend again."""
    allowed = check_move(submission, S.RETURNED, by=by)
    _refuse_own_marking(submission, by)
    apply_move(submission, allowed, by=by, reason=require_reason(reasons, "your reasons", "reasons"))


# ------------------------------------------------------------------------------------------------- agreement
@dataclass(frozen=True)
class AgreementRow:
    assessor: User
    agreement: sampling.Agreement


def agreement_figures() -> tuple[list[AgreementRow], sampling.Agreement]:
    """Agreement of every finished blind second mark with the first mark of the same version, per assessor and
    overall (2 queries)."""
    sess = session()
    first, second = Marking.__table__.alias("first_mark"), Marking.__table__.alias("second_mark")
    rows = sess.execute(
        select(first.c.marker_id, first.c.outcome, second.c.outcome, first.c.levels, second.c.levels)
        .select_from(second)
        .join(first, (first.c.submission_id == second.c.submission_id) & (first.c.version == second.c.version)
              & (first.c.role == MarkingRole.FIRST))
        .where(second.c.role == MarkingRole.SECOND, second.c.finished_at.is_not(None),
               first.c.finished_at.is_not(None))
        .order_by(second.c.id)).all()
    pairs = []
    for assessor_id, first_outcome, second_outcome, first_levels, second_levels in rows:
        codes = set(first_levels or {}) | set(second_levels or {})
        levels = {code: ((first_levels or {}).get(code, {}).get("level"),
                         (second_levels or {}).get(code, {}).get("level")) for code in sorted(codes)}
        pairs.append(sampling.SecondMark(assessor_id, Outcome(first_outcome), Outcome(second_outcome), levels))
    report = sampling.agreement_rates(pairs)
    people = {u.id: u for u in sess.execute(select(User).where(
        User.id.in_(list(report.per_assessor) or [-1]))).scalars()}
    per_assessor = sorted((AgreementRow(people[i], a) for i, a in report.per_assessor.items() if i in people),
                          key=lambda r: (r.assessor.name, r.assessor.id))
    return per_assessor, report.overall

