"""Which standards statements a practitioner's CPD can map to: those of the standards sets of the programmes they
are enrolled on (or, when not enrolled, the sets shipped with the portal), and the titles to show for codes."""
from __future__ import annotations

from portal.enrolments.queries import enrolments_of
from portal.framework.definitions import StandardsSet
from portal.framework.loader import builtin_standards
from portal.framework.services import standards_library, template_for


def _latest_builtin_sets() -> list[StandardsSet]:
    latest: dict[str, StandardsSet] = {}
    for (code, version), standards_set in sorted(builtin_standards().items()):
        latest[code] = standards_set
    return list(latest.values())


def standards_sets_for(practitioner_id: int) -> list[StandardsSet]:
    """The standards sets of the programme versions of the practitioner's active enrolments, newest enrolment
    first (one query); the shipped sets when the practitioner is not enrolled."""
    sets: dict[tuple[str, str], StandardsSet] = {}
    for enrolment in enrolments_of(practitioner_id, active_only=True):
        for standards_set in template_for(enrolment.programme_version).standards:
            sets.setdefault((standards_set.code, standards_set.version), standards_set)
    return list(sets.values()) or _latest_builtin_sets()


def statement_codes(sets: list[StandardsSet]) -> set[str]:
    return {code for standards_set in sets for code in standards_set.statement_codes}


def statement_titles(codes: set[str] | list[str] | None = None) -> dict[str, str]:
    """{statement code: 'KSS-CF.5 Abuse and neglect of children'} over every known set (shipped and loaded)."""
    titles: dict[str, str] = {}
    for (_code, _version), standards_set in sorted(standards_library().items()):
        for statement in standards_set.statements:
            if codes is None or statement.code in codes:
                titles[statement.code] = f"{statement.code} {statement.title}"
    return titles
