"""Unit behaviour of exactscreen.mechanisms.segmentation (the claims are in proofs_checks/)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from exactscreen.exceptions import InputError
from exactscreen.environment import Environment
from exactscreen.mechanisms.segmentation import check_segmentation, dominating_market, two_segment_improvement, two_type_analysis


@pytest.fixture
def env():
    return Environment.from_dict({"tL": {"aL": "3/4", "aH": 1}, "tH": {"aL": 1, "aH": 2}})


def test_segments_must_average_to_the_market(env):
    f = env.market(tL="1/2", tH="1/2")
    with pytest.raises(InputError, match="average to"):
        check_segmentation(env, f, [(F(1, 2), env.market(tL=1, tH=0)), (F(1, 2), env.market(tL="1/2", tH="1/2"))])


def test_segment_weights_must_be_positive_and_sum_to_one(env):
    f = env.market(tL="1/2", tH="1/2")
    with pytest.raises(InputError, match="positive"):
        check_segmentation(env, f, [(0, f), (1, f)])
    with pytest.raises(InputError, match="sum to 1"):
        check_segmentation(env, f, [(F(1, 2), f)])
    with pytest.raises(Exception, match="float"):
        check_segmentation(env, f, [(0.5, f), (0.5, f)])


def test_trivial_segmentation_is_not_pareto_improving(env):
    f = env.market(tL="1/2", tH="1/2")
    chk = check_segmentation(env, f, [(F(1, 3), f), (F(2, 3), f)])
    assert chk.every_segment_weakly_dominates and not chk.some_segment_dominates
    assert chk.revenue_after == chk.revenue_before and not chk.pareto_improving


def test_dominating_market_refuses_an_efficient_market_and_a_wrong_start(env):
    with pytest.raises(InputError, match="efficient"):
        dominating_market(env, env.market(tL="7/8", tH="1/8"))
    with pytest.raises(InputError, match="start"):
        dominating_market(env, env.market(tL="1/2", tH="1/2"), start="tH")


def test_improvement_reports_why_it_does_not_apply(env):
    tie = two_segment_improvement(env, env.market(tL="1/4", tH="3/4"))
    assert tie.improvable is None and "payment rules" in tie.reason
    eff = two_segment_improvement(env, env.market(tL="7/8", tH="1/8"))
    assert eff.improvable is False and eff.efficient


def test_two_type_analysis_needs_two_types():
    env = Environment.from_dict({"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 3}})
    with pytest.raises(InputError, match="not 2"):
        two_type_analysis(env)


def test_two_type_pieces_cover_the_unit_interval(env):
    pieces = two_type_analysis(env).pieces
    assert pieces[0].lo == 0 and pieces[0].lo_closed and pieces[-1].hi == 1 and pieces[-1].hi_closed
    for a, b in zip(pieces, pieces[1:]):
        assert a.hi == b.lo and a.hi_closed != b.lo_closed


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscreen.mechanisms.segmentation import decide_two_type
from exactscreen.strategies import environments


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    environments(min_types=2, max_types=2, max_alternatives=2, costs=False).filter(lambda e: e.satisfies_standing_assumption()),
    st.integers(1, 11),
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=4, max_size=4),
)
def test_two_type_decision_agrees_with_random_exact_splits(env, k, splits):
    """'improvable' comes with a verified segmentation; 'not improvable' means no
    random two-segment split is Pareto improving."""
    a = two_type_analysis(env)
    q = F(k, 12)
    f = a.market(q)
    d = decide_two_type(a, f)
    if d is None:
        return
    if d.improvable:
        assert d.check.pareto_improving
        return
    for i, j in splits:
        q1, q2 = F(i, 12), F(j, 12)
        if not q1 < q < q2:
            continue
        w = (q2 - q) / (q2 - q1)
        assert not check_segmentation(env, f, [(w, a.market(q1)), (1 - w, a.market(q2))]).pareto_improving
