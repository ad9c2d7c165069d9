"""The dates each stage of an enrolment is current (``EnrolmentStageDates``), so lists filter by current stage in
SQL with a constant number of statements.

The clock's stage dates depend only on the enrolment's start, FTE, pauses, extensions and programme version, never
on today: they are stored when any of those change (the enrolment services call ``refresh``) and ``stage_at(day)``
of the schedule is the one stored window holding ``day``: from the day after the previous stage's end (the start,
for the first) to the stage's end, the last stage open-ended.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, insert, select

from portal.db import session
from portal.enrolments.models import Enrolment, EnrolmentStageDates
from portal.framework import clock

#: the last stage stays current after its end (the clock's ``stage_at``)
OPEN_END = dt.date(9999, 12, 31)


def windows(schedule: clock.Schedule) -> list[tuple[str, dt.date, dt.date]]:
    """(stage code, first day current, last day current) for every stage of a schedule."""
    rows = []
    first = schedule.start
    for index, stage in enumerate(schedule.stages):
        last = OPEN_END if index == len(schedule.stages) - 1 else stage.end
        if first <= last:
            rows.append((stage.code, first, last))
        first = max(first, stage.end + dt.timedelta(days=1))
    return rows


def refresh(enrolments: Sequence[Enrolment]) -> None:
    """Store the stage dates of ``enrolments`` afresh (3 statements, however many). Flushes."""
    from portal.enrolments.queries import clock_inputs, schedule_of

    if not enrolments:
        return
    session().flush()
    ids = [e.id for e in enrolments]
    inputs = clock_inputs(ids)
    rows = [{"enrolment_id": e.id, "stage_code": code, "starts_on": first, "ends_on": last}
            for e in enrolments for code, first, last in windows(schedule_of(e, *inputs[e.id], e.start_date))]
    session().execute(delete(EnrolmentStageDates).where(EnrolmentStageDates.enrolment_id.in_(ids)))
    if rows:
        session().execute(insert(EnrolmentStageDates), rows)
    session().flush()


def refresh_missing(*, batch: int = 1000, progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda x: x) -> int:
    """Store the stage dates of every enrolment that has none (after an upgrade, or rows loaded in bulk); returns
    how many. The caller commits."""
    missing = select(Enrolment.id).where(~exists().where(EnrolmentStageDates.enrolment_id == Enrolment.id))
    ids = list(session().execute(missing.order_by(Enrolment.id)).scalars())
    chunks = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    for chunk in progress(chunks) if chunks else ():
        refresh(list(session().execute(select(Enrolment).where(Enrolment.id.in_(chunk))).scalars()))
    return len(ids)


def in_stage(stage_code: str, today: dt.date) -> ColumnElement[bool]:
    """A WHERE clause on ``Enrolment``: its current stage on ``today`` is ``stage_code``."""
    return exists().where(EnrolmentStageDates.enrolment_id == Enrolment.id,
                          EnrolmentStageDates.stage_code == stage_code,
                          EnrolmentStageDates.starts_on <= today, EnrolmentStageDates.ends_on >= today)
