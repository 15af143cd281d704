"""Selection among optimal mechanisms by a linear objective, and the range of any linear
functional over the optimal face (issue 15, item 4)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings

from exactscreen import Environment, optimal_mechanism
from exactscreen.exceptions import InputError
from exactscreen.mechanisms import functional_range
from exactscreen.strategies import environment_and_market

# Sec. 3.1.1-like instance with many optimal mechanisms: one type, price 1 or 2 both optimal?
TIES = Environment.from_dict({"t1": {"a": 1}, "t2": {"a": 2}})


def _cs(res):
    return res.welfare.consumer_surplus


@settings(max_examples=25, deadline=None)
@given(environment_and_market(max_types=3, max_alternatives=2))
def test_consumer_best_and_worst_bracket_every_other_rule_and_match_the_cs_range(case):
    env, market = case
    best = optimal_mechanism(env, market, selection="consumer-best")
    worst = optimal_mechanism(env, market, selection="consumer-worst")
    usual = optimal_mechanism(env, market)
    assert best.revenue == worst.revenue == usual.revenue
    assert _cs(worst) <= _cs(usual) <= _cs(best)
    r = functional_range(env, market, {"CS": 1})
    assert (r.lo, r.hi) == (_cs(worst), _cs(best))
    assert r.at_lo.welfare(market).consumer_surplus == r.lo and r.at_hi.welfare(market).consumer_surplus == r.hi


def test_a_users_objective_selects_and_is_named():
    market = TIES.market({"t1": F(1, 2), "t2": F(1, 2)})
    res = optimal_mechanism(TIES, market, selection={"u(t2)": 1})
    low = functional_range(TIES, market, {"u(t2)": 1})
    assert res.mechanism.surplus(1) == low.hi
    assert res.selection == "maximize 1*u(t2)"
    payment = functional_range(TIES, market, {"p(t1)": 1, "x(t1,a)": F(-1, 2)})
    assert payment.lo <= payment.hi


@pytest.mark.parametrize("terms, message", [
    ({"u(t9)": 1}, "unknown type 't9'"),
    ({"x(t1,b)": 1}, "unknown alternative 'b'"),
    ({"__import__('os')": 1}, "use p(t), u(t), x(t,a), CS or revenue"),
    ({"u(t1)": 0.5}, "selection"),
    ({}, "give a mapping"),
])
def test_bad_terms_are_input_errors_naming_the_term(terms, message):
    market = TIES.market({"t1": F(1, 2), "t2": F(1, 2)})
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        optimal_mechanism(TIES, market, selection=terms)
