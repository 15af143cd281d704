"""Behaviour of the exact engine on generated instances (issue 3, "Done when")."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscreen.lp.certificate import check_certificate
from exactscreen.lp.exact import solve_lp
from exactscreen.mechanisms.optimum import mechanism_lp, optimal_deterministic, optimal_mechanism, payment_polytope
from exactscreen.strategies import environment_and_market, environments, small_rationals

from .peers import sympy_revenue

SMALL = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SMALL
@given(environment_and_market(max_types=3, max_alternatives=2))
def test_certified_revenue_equals_independent_sympy_peer(case):
    env, market = case
    res = optimal_mechanism(env, market, face=False)
    assert res.revenue == sympy_revenue(env, market)


@SMALL
@given(environment_and_market())
def test_every_returned_certificate_verifies_independently(case):
    env, market = case
    lp = mechanism_lp(env, market)
    r = solve_lp(lp)
    assert check_certificate(lp, r.x, r.y_eq, r.y_ub, r.objective).ok


@SMALL
@given(environment_and_market(), st.data())
def test_certificate_with_one_entry_perturbed_fails(case, data):
    """Perturb an entry whose change must break the certificate: an allocation
    probability (its row sum_a x(t,a) = 1 breaks) or an equality dual (the
    dual objective moves by delta * 1).  Duals of rows with right-hand side 0
    can move without breaking anything, so they are tested separately."""
    env, market = case
    lp = mechanism_lp(env, market)
    r = solve_lp(lp)
    x, y_eq, y_ub = list(r.x), list(r.y_eq), list(r.y_ub)
    delta = data.draw(st.sampled_from([Fraction(1, 7), Fraction(-1, 7), Fraction(3)]))
    if data.draw(st.booleans()):
        alloc_cols = [j for j, name in enumerate(lp.var_names) if name.startswith("x(")]
        x[data.draw(st.sampled_from(alloc_cols))] += delta
    else:
        y_eq[data.draw(st.integers(0, len(y_eq) - 1))] += delta
    assert not check_certificate(lp, x, y_eq, y_ub, r.objective).ok


@SMALL
@given(environment_and_market(), st.data())
def test_certificate_with_a_negative_inequality_dual_fails(case, data):
    env, market = case
    lp = mechanism_lp(env, market)
    r = solve_lp(lp)
    y_ub = list(r.y_ub)
    i = data.draw(st.integers(0, len(y_ub) - 1))
    y_ub[i] = -y_ub[i] - Fraction(1, 3)
    assert not check_certificate(lp, r.x, r.y_eq, y_ub, r.objective).ok


@SMALL
@given(environment_and_market())
def test_claimed_objective_off_by_a_little_fails(case):
    env, market = case
    lp = mechanism_lp(env, market)
    r = solve_lp(lp)
    assert not check_certificate(lp, r.x, r.y_eq, r.y_ub, r.objective + Fraction(1, 10**9)).ok


@SMALL
@given(environment_and_market())
def test_exact_simplex_cold_start_agrees_with_highs_path(case):
    env, market = case
    lp = mechanism_lp(env, market)
    hinted, cold = solve_lp(lp), solve_lp(lp, use_hint=False)
    assert cold.method == "exact-simplex"
    assert hinted.objective == cold.objective
    assert check_certificate(lp, cold.x, cold.y_eq, cold.y_ub, cold.objective).ok


@SMALL
@given(environment_and_market())
def test_selected_mechanism_is_ic_ir_and_attains_the_optimum(case):
    env, market = case
    res = optimal_mechanism(env, market, binding=False)
    m = res.mechanism
    assert m.is_ic and m.is_ir
    assert m.revenue(market) == res.revenue


@SMALL
@given(environment_and_market())
def test_ranges_contain_the_selected_mechanism_and_are_attained(case):
    env, market = case
    res = optimal_mechanism(env, market, binding=False)
    face, m = res.face, res.mechanism
    for i in range(env.n):
        assert m.payments[i] in face.payment[i]
        assert m.surplus(i) in face.surplus[i]
        for j in range(env.k + 1):
            assert m.allocation[i][j] in face.allocation[i][j]
        for r, get in ((face.payment[i], lambda mm: mm.payments[i]), (face.surplus[i], lambda mm: mm.surplus(i))):
            for bound, mech in ((r.lo, r.at_lo), (r.hi, r.at_hi)):
                assert mech.is_ic and mech.is_ir
                assert mech.revenue(market) == res.revenue
                assert get(mech) == bound


@SMALL
@given(environment_and_market())
def test_payment_rule_unique_iff_every_payment_range_in_the_market_is_a_point(case):
    """fn 14 of paper 000: uniqueness concerns the types in the market only."""
    env, market = case
    res = optimal_mechanism(env, market, binding=False)
    in_market = [r for r, f in zip(res.face.payment, market.weights) if f > 0]
    assert res.payment_rule_unique == all(r.lo == r.hi for r in in_market)
    assert res.face.payment_rule_unique_all_types == all(r.lo == r.hi for r in res.face.payment)


@SMALL
@given(environment_and_market())
def test_selected_binding_edges_lie_between_always_and_sometimes_binding(case):
    env, market = case
    res = optimal_mechanism(env, market)
    sel = set(res.mechanism.binding())
    assert set(res.face.always_binding) <= sel <= set(res.face.sometimes_binding)


@SMALL
@given(environment_and_market())
def test_selection_is_the_same_with_and_without_the_face(case):
    """The selected mechanism is a function of the optimal set: computing the
    ranges first (which solves many LPs on the face) must not change it."""
    env, market = case
    a = optimal_mechanism(env, market, face=False)
    b = optimal_mechanism(env, market, face=True, binding=False)
    assert a.mechanism == b.mechanism


@SMALL
@given(environment_and_market())
def test_efficient_optimum_is_selected_when_one_exists(case):
    env, market = case
    res = optimal_mechanism(env, market, binding=False)
    support = [i for i, f in enumerate(market.weights) if f > 0]
    # some optimal mechanism is efficient on the support iff the max of the
    # support's total value over the face reaches the efficient total
    best_possible = sum(env.efficient_value(env.types[i]) for i in support)
    selected = sum(res.mechanism.value(i, i) for i in support)
    assert selected <= best_possible
    if res.efficient:
        assert selected == best_possible


@settings(max_examples=25, deadline=None)
@given(environment_and_market(max_types=3, max_alternatives=2))
def test_best_deterministic_menu_is_implementable_and_no_better_than_random(case):
    env, market = case
    det = optimal_deterministic(env, market)
    assert det.mechanism.is_ic and det.mechanism.is_ir
    assert det.mechanism.revenue(market) == det.revenue
    assert det.revenue <= optimal_mechanism(env, market, face=False).revenue
    assert all(q in (0, 1) for row in det.mechanism.allocation for q in row)


@settings(max_examples=15, deadline=None)
@given(environments(min_types=2, max_types=2, max_alternatives=2), st.lists(small_rationals(-3, 3), min_size=2, max_size=2))
def test_payment_polytope_support_function_matches_the_lp(env, d):
    poly = payment_polytope(env)
    lp = mechanism_lp(env, env.market({t: Fraction(1, env.n) for t in env.types}))
    c = [Fraction(0)] * lp.num_vars
    for i in range(env.n):
        c[i * (env.k + 2) + env.k + 1] = d[i]
    lp_max = solve_lp(lp.with_objective(c)).objective
    hull_max = max(sum(a * b for a, b in zip(d, v)) for v in poly.vertices)
    assert lp_max == hull_max


def test_infeasible_and_unbounded_lps_raise():
    from exactscreen.exceptions import LPError
    from exactscreen.lp.exact import LinearProgram

    one = Fraction(1)
    infeasible = LinearProgram((one,), (), (), (((0, one),), ((0, -one),)), (Fraction(-1), Fraction(-1)))
    unbounded = LinearProgram((one,), (), (), (((0, -one),),), (Fraction(0),))
    for lp in (infeasible, unbounded):
        for hint in (True, False):
            with pytest.raises(LPError):
                solve_lp(lp, use_hint=hint)


def _slack_basis(env, lp):
    """Feasible starting basis of the mechanism LP: every type takes the outside
    option (x(t,0) basic in its probability row) and every IC/IR slack is basic."""
    n_struct = lp.num_vars
    basis = [i * (env.k + 2) + env.k for i in range(env.n)]  # x(t, 0), one per equality row
    basis += [n_struct + r for r in range(len(lp.A_ub))]  # slacks of the inequality rows
    return basis


@SMALL
@given(environment_and_market())
def test_exact_simplex_from_a_feasible_non_optimal_basis_reaches_the_optimum(case):
    env, market = case
    lp = mechanism_lp(env, market)
    warm = solve_lp(lp, warm_basis=_slack_basis(env, lp))
    assert warm.method == "exact-simplex-warm"
    assert warm.objective == solve_lp(lp).objective
    assert check_certificate(lp, warm.x, warm.y_eq, warm.y_ub, warm.objective).ok


def test_warm_basis_that_is_not_feasible_is_refused():
    from exactscreen.environment import Environment
    from exactscreen.exceptions import LPError

    env = Environment.from_dict({"t": {"a": 1}})
    lp = mechanism_lp(env, env.market(t=1))
    with pytest.raises(LPError, match="warm_basis"):
        solve_lp(lp, warm_basis=[0, 0])
