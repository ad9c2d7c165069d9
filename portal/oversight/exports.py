"""The columns of the oversight lists' CSV and XLSX exports (counts, dates and flags; never evidence text)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from portal.casework.models import CaseworkItem
from portal.formatting import LONDON
from portal.oversight.queries import CohortRow

PEOPLE_HEADERS = (
    "Practitioner", "Email address", "Social Work England number", "Employer", "Programme", "Programme version",
    "Enrolment status", "Start date", "FTE", "Practice supervisor", "Current stage", "Stage progress", "Standing",
    "Overdue and at-risk reasons", "CPD records this registration year", "CPD records with peer reflection",
)

VERIFICATION_HEADERS = (
    "Practitioner", "Employer", "Practice supervisor", "Evidence", "Case reference", "Date of the activity",
    "Verification asked for (UK time)", "Days waiting",
)


def people_rows(rows: Iterable[CohortRow]) -> Iterator[list[Any]]:
    for row in rows:
        enrolment = row.enrolment
        yield [
            enrolment.practitioner.name, enrolment.practitioner.email, enrolment.practitioner.swe_number,
            enrolment.organisation.name, enrolment.programme_version.name, enrolment.programme_version.version,
            enrolment.status.label, enrolment.start_date, float(enrolment.fte),
            enrolment.supervisor.name if enrolment.supervisor else "", row.stage_name if row.standing else "",
            row.progress if row.standing else "", row.standing.label if row.standing else "",
            "; ".join(row.reasons), row.cpd.records if row.cpd else None,
            row.cpd.with_peer_reflection if row.cpd else None,
        ]


def days_waiting(item: CaseworkItem, today: dt.date) -> int | None:
    """Whole days since verification was asked for (UK dates)."""
    return (today - item.requested_at.astimezone(LONDON).date()).days if item.requested_at else None


def verification_rows(items: Iterable[CaseworkItem], today: dt.date) -> Iterator[list[Any]]:
    for item in items:
        requested = item.requested_at.astimezone(LONDON) if item.requested_at else None
        supervisor = item.enrolment.supervisor
        yield [
            item.practitioner.name, item.enrolment.organisation.name, supervisor.name if supervisor else "",
            item.kind.label, item.case_reference, item.occurred_on,
            requested.replace(tzinfo=None, microsecond=0) if requested else None,
            days_waiting(item, today),
        ]
