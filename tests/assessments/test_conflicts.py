"""Allocation conflicts: supervisors, teams, organisations in year 5, and moderation independence."""
from __future__ import annotations

from datetime import date

import pytest

from portal.assessments.conflicts import (
    Affiliation,
    AssessorFacts,
    ConflictKind,
    PractitionerFacts,
    SupervisionPeriod,
    assessor_conflicts,
    moderator_conflicts,
    reviewer_conflicts,
    second_marker_conflicts,
)

LEEDS = Affiliation(1, "Leeds City Council")
BRADFORD = Affiliation(2, "Bradford Children's Trust")
CP_EAST = Affiliation(10, "Child Protection East")
CP_WEST = Affiliation(11, "Child Protection West")

PRACTITIONER = PractitionerFacts(
    user_id=100, teams={CP_EAST}, organisations={LEEDS},
    supervision=(SupervisionPeriod(7, date(2026, 4, 1)),
                 SupervisionPeriod(5, date(2025, 9, 1), date(2026, 3, 31))))


def person(user_id=5, name="Maria Kowalska", teams=(), organisations=()):
    return AssessorFacts(user_id=user_id, name=name, teams=teams, organisations=organisations)


def kinds(conflicts):
    return [c.kind for c in conflicts]


def test_an_unconnected_assessor_from_the_same_employer_is_fine_for_years_1_to_4():
    assert assessor_conflicts(person(20, "Sam Patel", {CP_WEST}, {LEEDS}), PRACTITIONER, False) == []


def test_a_past_supervisor_is_refused_with_the_dates():
    conflicts = assessor_conflicts(person(5, organisations={BRADFORD}), PRACTITIONER, False)
    assert kinds(conflicts) == [ConflictKind.SUPERVISOR]
    assert conflicts[0].reason == "Maria Kowalska supervised this practitioner from 1 September 2025 to 31 March 2026"
    assert conflicts[0].person_id == 5


def test_the_current_supervisor_is_refused():
    conflicts = assessor_conflicts(person(7, "Ade Okafor"), PRACTITIONER, False)
    assert [c.reason for c in conflicts] == ["Ade Okafor supervises this practitioner (since 1 April 2026)"]


def test_every_supervision_period_is_named():
    practitioner = PractitionerFacts(100, supervision=(
        SupervisionPeriod(5, date(2027, 1, 1)), SupervisionPeriod(5, date(2025, 9, 1), date(2026, 3, 31))))
    reasons = [c.reason for c in assessor_conflicts(person(5), practitioner, False)]
    assert reasons == ["Maria Kowalska supervised this practitioner from 1 September 2025 to 31 March 2026",
                       "Maria Kowalska supervises this practitioner (since 1 January 2027)"]


def test_the_same_team_is_refused_in_every_year():
    for year5 in (False, True):
        conflicts = assessor_conflicts(person(20, "Sam Patel", {CP_EAST, CP_WEST}), PRACTITIONER, year5)
        assert kinds(conflicts) == [ConflictKind.SAME_TEAM]
        assert conflicts[0].reason == "Sam Patel works in the same team as this practitioner (Child Protection East)"


def test_the_same_organisation_is_refused_only_for_year_5():
    assessor = person(20, "Sam Patel", {CP_WEST}, {LEEDS, BRADFORD})
    assert assessor_conflicts(assessor, PRACTITIONER, False) == []
    conflicts = assessor_conflicts(assessor, PRACTITIONER, True)
    assert kinds(conflicts) == [ConflictKind.SAME_ORGANISATION]
    assert conflicts[0].reason == (
        "Sam Patel works for the same organisation as this practitioner (Leeds City Council); the year 5 "
        "assessment must be done by someone from another organisation")
    assert assessor_conflicts(person(20, "Sam Patel", organisations={BRADFORD}), PRACTITIONER, True) == []


def test_ids_work_as_well_as_affiliations_and_names_are_optional():
    conflicts = assessor_conflicts(AssessorFacts(20, "Sam Patel", teams={10}, organisations=[1]),
                                   PractitionerFacts(100, teams=[10], organisations={1}), True)
    assert [c.reason for c in conflicts] == [
        "Sam Patel works in the same team as this practitioner",
        ("Sam Patel works for the same organisation as this practitioner; the year 5 assessment must be done by "
         "someone from another organisation")]


def test_every_reason_at_once():
    conflicts = assessor_conflicts(person(5, teams={CP_EAST}, organisations={LEEDS}), PRACTITIONER, True)
    assert kinds(conflicts) == [ConflictKind.SUPERVISOR, ConflictKind.SAME_TEAM, ConflictKind.SAME_ORGANISATION]


def test_nobody_assesses_their_own_portfolio():
    conflicts = assessor_conflicts(person(100, "Jo Reed", {CP_EAST}, {LEEDS}), PRACTITIONER, True)
    assert [(c.kind, c.reason) for c in conflicts] == [(ConflictKind.SELF, "Jo Reed cannot assess their own portfolio")]


def test_the_second_marker_is_not_the_first_and_is_as_independent_as_an_assessor():
    conflicts = second_marker_conflicts(person(20, "Sam Patel"), PRACTITIONER, False, first_marker_id=20)
    assert [(c.kind, c.reason) for c in conflicts] == [
        (ConflictKind.FIRST_MARKER, "Sam Patel made the first mark, so cannot be the blind second marker")]
    assert kinds(second_marker_conflicts(person(5), PRACTITIONER, False, first_marker_id=20)) == [
        ConflictKind.SUPERVISOR]
    assert second_marker_conflicts(person(21, "Lee Chan"), PRACTITIONER, False, first_marker_id=20) == []


def test_a_moderator_cannot_moderate_their_own_marking():
    conflicts = moderator_conflicts(person(20, "Sam Patel"), first_marker_id=20)
    assert [(c.kind, c.reason) for c in conflicts] == [
        (ConflictKind.OWN_MARKING, "Sam Patel marked this submission, so cannot moderate it")]
    assert moderator_conflicts(person(21, "Lee Chan"), first_marker_id=20) == []


def test_a_moderator_from_the_employers_panel_is_fine_but_not_a_supervisor():
    panel_member = person(21, "Lee Chan", {CP_EAST}, {LEEDS})
    assert moderator_conflicts(panel_member, first_marker_id=20, practitioner=PRACTITIONER) == []
    assert kinds(moderator_conflicts(person(7, "Ade Okafor"), first_marker_id=20, practitioner=PRACTITIONER)) == [
        ConflictKind.SUPERVISOR]
    assert kinds(moderator_conflicts(person(100, "Jo Reed"), first_marker_id=20, practitioner=PRACTITIONER)) == [
        ConflictKind.SELF]


@pytest.mark.parametrize(("reviewer_id", "expected"), [
    (20, [ConflictKind.INVOLVED_BEFORE]),
    (30, [ConflictKind.INVOLVED_BEFORE]),
    (5, [ConflictKind.SUPERVISOR]),
    (40, []),
])
def test_an_appeal_reviewer_was_not_involved_before(reviewer_id, expected):
    involved = {20: "first marker", 30: "moderator"}
    conflicts = reviewer_conflicts(person(reviewer_id, "Kim Ng", organisations={BRADFORD}), PRACTITIONER, True,
                                   involved=involved)
    assert kinds(conflicts) == expected
    if reviewer_id == 30:
        assert conflicts[0].reason == "Kim Ng was involved in the decision (moderator), so cannot review the appeal"
