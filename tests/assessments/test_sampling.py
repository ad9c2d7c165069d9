"""Blind second-marking sample selection and agreement rates."""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from fractions import Fraction

import pytest

from portal.assessments.sampling import (
    Agreement,
    Recommendation,
    SampleReason,
    SamplingConfig,
    SecondMark,
    agreement_rates,
    new_seed,
    select_for_second_marking,
)
from portal.assessments.states import Outcome

T0 = datetime(2026, 3, 2, 9, 0)
R = SampleReason


def rec(rid, assessor, outcome="PASS", minutes=0):
    return Recommendation(rid, assessor, Outcome(outcome), T0 + timedelta(minutes=minutes))


def established_batch(n=100, assessors=("a1", "a2", "a3", "a4")):
    """n passes spread over established assessors (no FAILs, no new assessors)."""
    return [rec(i, assessors[i % len(assessors)], "PASS" if i % 3 else "PASS_DEV", minutes=i) for i in range(n)]


ESTABLISHED = SamplingConfig(established_assessor_ids=frozenset({"a1", "a2", "a3", "a4"}))


def test_defaults():
    config = SamplingConfig()
    assert (config.random_percentage, config.first_n) == (10, 3)


def test_every_fail_is_sampled():
    batch = established_batch(20) + [rec("f1", "a1", "FAIL", 5), rec("f2", "a2", "FAIL", 6)]
    selection = select_for_second_marking(batch, ESTABLISHED, seed="s")
    assert selection.reasons["f1"] == (R.FAIL,)
    assert selection.reasons["f2"] == (R.FAIL,)
    assert set(selection.with_reason(R.FAIL)) == {"f1", "f2"}


def test_a_new_assessors_first_three_in_decided_order():
    batch = [rec(i, "new", minutes=10 - i) for i in range(5)]  # decided in reverse id order
    selection = select_for_second_marking(batch, SamplingConfig(random_percentage=0), seed="s")
    assert list(selection.reasons) == [4, 3, 2]
    assert all(reasons == (R.NEW_ASSESSOR,) for reasons in selection.reasons.values())


def test_earlier_recommendations_count_towards_the_first_three():
    batch = [rec(i, "nearly_new", minutes=i) for i in range(4)] + [rec(9, "experienced", minutes=9)]
    selection = select_for_second_marking(batch, SamplingConfig(random_percentage=0), seed="s",
                                          prior_counts={"nearly_new": 2, "experienced": 40})
    assert list(selection.reasons) == [0]


def test_a_fail_among_the_first_three_keeps_both_reasons():
    batch = [rec(1, "new", "FAIL", 1), rec(2, "new", "PASS", 2)]
    selection = select_for_second_marking(batch, SamplingConfig(random_percentage=0), seed="s")
    assert selection.reasons == {1: (R.FAIL, R.NEW_ASSESSOR), 2: (R.NEW_ASSESSOR,)}
    assert selection.explain(1) == "Every fail is second-marked; One of a new assessor's first 3 recommendations"
    assert selection.explain(99) == ""


@pytest.mark.parametrize(("n", "percentage", "expected"), [
    (100, 10, 10), (95, 10, 10), (91, 10, 10), (90, 10, 9), (5, 10, 1), (0, 10, 0), (40, 0, 0), (40, 100, 40),
    (40, 12.5, 5), (33, "33.3", 11),
])
def test_random_percentage_of_the_rest_rounded_up(n, percentage, expected):
    config = SamplingConfig(random_percentage=percentage, established_assessor_ids=ESTABLISHED.established_assessor_ids)
    selection = select_for_second_marking(established_batch(n), config, seed="seed")
    assert len(selection) == selection.random_drawn == expected
    assert selection.random_pool == n
    assert all(reasons == (R.RANDOM,) for reasons in selection.reasons.values())


def test_random_is_drawn_from_what_the_rules_did_not_pick():
    batch = established_batch(18) + [rec("f1", "a1", "FAIL", 50), rec("f2", "a2", "FAIL", 51)]
    selection = select_for_second_marking(batch, ESTABLISHED, seed="seed")
    assert selection.random_pool == 18 and selection.random_drawn == 2
    assert len(selection) == 4


def test_the_same_seed_gives_the_same_sample_and_order_of_input_does_not_matter():
    batch = established_batch(200)
    first = select_for_second_marking(batch, ESTABLISHED, seed="2026-03 panel")
    again = select_for_second_marking(list(reversed(batch)), ESTABLISHED, seed="2026-03 panel")
    assert first.reasons == again.reasons
    assert first.seed == "2026-03 panel"
    others = {select_for_second_marking(batch, ESTABLISHED, seed=s).ids for s in ("a", "b", "c", "d")}
    assert len(others) > 1  # a different seed gives a different draw


def test_the_draw_is_pinned_for_a_known_seed():
    """A stored seed must reproduce the same sample on any machine: the draw is SHA-256, not ``random``."""
    selection = select_for_second_marking(established_batch(30), ESTABLISHED, seed=42)
    assert selection.ids == {1, 13, 29}
    ranked = sorted(range(30), key=lambda i: hashlib.sha256(f"42:{i}".encode()).hexdigest())
    assert selection.ids == frozenset(ranked[:3])


def test_the_random_share_is_roughly_fair_over_many_seeds():
    batch = established_batch(50)
    counts = dict.fromkeys(range(50), 0)
    for seed in range(400):
        for rid in select_for_second_marking(batch, ESTABLISHED, seed=seed).ids:
            counts[rid] += 1
    assert sum(counts.values()) == 400 * 5
    assert min(counts.values()) > 10 and max(counts.values()) < 75  # expected 40 each


def test_a_full_mixed_batch():
    batch = ([rec(i, "old", minutes=i) for i in range(30)] + [rec(100 + i, "new", minutes=40 + i) for i in range(5)]
             + [rec(200, "old", "FAIL", 90)])
    config = SamplingConfig(established_assessor_ids=frozenset({"old"}))
    selection = select_for_second_marking(batch, config, seed="x")
    assert set(selection.with_reason(R.FAIL)) == {200}
    assert selection.with_reason(R.NEW_ASSESSOR) == [100, 101, 102]
    assert len(selection.with_reason(R.RANDOM)) == math.ceil(32 / 10)
    assert not set(selection.with_reason(R.RANDOM)) & {200, 100, 101, 102}


def test_outcomes_that_skip_moderation_and_repeated_ids_are_refused():
    with pytest.raises(ValueError, match="does not go to moderation"):
        select_for_second_marking([rec(1, "a", "INCOMPLETE")], seed="s")
    with pytest.raises(ValueError, match="twice"):
        select_for_second_marking([rec(1, "a"), rec(1, "a", minutes=1)], seed="s")


def test_bad_config_is_refused():
    with pytest.raises(ValueError):
        SamplingConfig(random_percentage=101)
    with pytest.raises(ValueError):
        SamplingConfig(first_n=-1)


def test_new_seed_is_random_text():
    assert new_seed() != new_seed() and len(new_seed()) == 16


# ---------------------------------------------------------------------------------------------- agreement
def test_agreement_per_assessor_and_overall():
    report = agreement_rates([
        ("a1", "PASS", "PASS"), ("a1", "PASS", "PASS_DEV"), ("a1", "FAIL", "FAIL"), ("a1", "PASS_DEV", "PASS_DEV"),
        ("a2", "FAIL", "PASS"),
        SecondMark("a3", Outcome.PASS, Outcome.PASS),
    ])
    a1, a2, a3 = (report.per_assessor[k] for k in ("a1", "a2", "a3"))
    assert (a1.pairs, a1.agreed, a1.same_decision, a1.rate, a1.percent) == (4, 3, 4, Fraction(3, 4), 75)
    assert a1.describe() == "3 of 4 (75%)"
    assert (a2.agreed, a2.same_decision, a2.percent) == (0, 0, 0)
    assert a3.describe() == "1 of 1 (100%)"
    overall = report.overall
    assert (overall.pairs, overall.agreed, overall.same_decision) == (6, 4, 5)
    assert overall.percent == 67 and overall.decision_rate == Fraction(5, 6)
    assert list(report.per_assessor) == ["a1", "a2", "a3"]


def test_requirement_level_agreement():
    levels = {"KSS1": ("met", "met"), "KSS2": ("met", "exceeded"), "KSS3": ("partly_met", None),
              "KSS4": (None, None)}
    report = agreement_rates([("a1", "PASS", "PASS", levels), ("a1", "PASS", "PASS", {"KSS1": ("met", "met")})])
    a1 = report.per_assessor["a1"]
    assert (a1.requirements_compared, a1.requirements_agreed) == (4, 2)
    assert a1.requirement_rate == Fraction(1, 2)


def test_no_pairs_no_rate():
    report = agreement_rates([])
    assert report.per_assessor == {}
    assert report.overall.rate is None and report.overall.percent is None
    assert report.overall.requirement_rate is None
    assert report.overall.describe() == "No second marks yet"
    assert Agreement(pairs=8, agreed=1).percent == 13  # 12.5% rounds half up
