"""The core-reduced exact basis solve (issue 8, task 1) against the full dense basis solve."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscreen.lp.certificate import check_certificate
from exactscreen.lp.exact import LinearProgram, _basis_solution, _basis_solution_dense, _highs_basis, _Standard, _verify_basis, solve_lp
from exactscreen.mechanisms.optimum import mechanism_lp
from exactscreen.strategies import environment_and_market, small_rationals

SMALL = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def lps_and_bases(draw):
    """A small LP with equality and inequality rows and any m distinct columns as a basis
    (singular, infeasible and non-optimal ones included)."""
    n = draw(st.integers(1, 5))
    m_eq = draw(st.integers(0, 2))
    m_ub = draw(st.integers(0, 4))
    vals = small_rationals(-3, 3)

    def row():
        cols = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        return tuple((j, draw(vals)) for j in cols)

    lp = LinearProgram(
        tuple(draw(vals) for _ in range(n)),
        tuple(row() for _ in range(m_eq)), tuple(draw(vals) for _ in range(m_eq)),
        tuple(row() for _ in range(m_ub)), tuple(draw(vals) for _ in range(m_ub)),
    )
    N = n + m_ub + m_eq
    m = m_eq + m_ub
    basis = draw(st.permutations(range(N)))[:m]
    return lp, list(basis)


@SMALL
@given(lps_and_bases())
def test_core_solve_equals_the_dense_basis_solve_on_any_basis(case):
    lp, basis = case
    sf = _Standard(lp)
    assert _basis_solution(sf, basis) == _basis_solution_dense(sf, basis)


@SMALL
@given(environment_and_market(max_types=4, max_alternatives=3))
def test_core_solve_equals_the_dense_basis_solve_on_the_highs_basis(case):
    env, market = case
    sf = _Standard(mechanism_lp(env, market))
    basis, _ = _highs_basis(sf)
    assert basis is not None
    assert _basis_solution(sf, basis) == _basis_solution_dense(sf, basis)


@SMALL
@given(environment_and_market(max_types=3, max_alternatives=2))
def test_hinted_solve_and_cold_exact_simplex_agree_on_the_optimum(case):
    env, market = case
    lp = mechanism_lp(env, market)
    hinted, cold = solve_lp(lp), solve_lp(lp, use_hint=False)
    assert hinted.objective == cold.objective
    assert check_certificate(lp, hinted.x, hinted.y_eq, hinted.y_ub, hinted.objective).ok


def test_a_singular_core_is_reported_singular():
    one = Fraction(1)
    # two inequality rows, the same structural column twice would be needed: x0 alone
    # cannot meet both rows when neither slack is basic
    lp = LinearProgram((one, one), (), (), (((0, one), (1, one)), ((0, 2 * one), (1, 2 * one))), (one, 2 * one))
    sf = _Standard(lp)
    assert _basis_solution(sf, [0, 1]) is None
    assert _verify_basis(sf, [0, 1])[1] == "basis matrix singular"


def test_a_basic_slack_takes_the_row_activity_and_its_row_dual_is_zero():
    one = Fraction(1)
    # max x0 s.t. x0 <= 3, x0 + x1 <= 5 ; basis {x0, slack of row 2}
    lp = LinearProgram((one, Fraction(0)), (), (), (((0, one),), ((0, one), (1, one))), (Fraction(3), Fraction(5)))
    sf = _Standard(lp)
    xB, y = _basis_solution(sf, [0, 3])
    assert xB == [Fraction(3), Fraction(2)]
    assert y == [one, Fraction(0)]


@SMALL
@given(environment_and_market(max_types=4, max_alternatives=3))
def test_revised_simplex_reaches_the_tableau_simplex_optimum_from_the_slack_basis(case):
    from exactscreen.lp.exact import _exact_simplex, _revised_simplex, _verify_basis

    env, market = case
    lp = mechanism_lp(env, market)
    sf = _Standard(lp)
    start = [i * (env.k + 2) + env.k for i in range(env.n)] + [lp.num_vars + r for r in range(len(lp.A_ub))]
    revised = _revised_simplex(sf, list(start))
    checked, reason = _verify_basis(sf, revised)
    assert reason is None
    tableau = _exact_simplex(sf, list(start), 0.0)
    assert revised == list(tableau.basis)  # same pivots: Bland's rule in both
    xB, _ = checked
    x = [Fraction(0)] * lp.num_vars
    for j, v in zip(revised, xB):
        if j < lp.num_vars:
            x[j] = v
    assert sum(c * v for c, v in zip(lp.c, x)) == tableau.objective


def _record_set_basis(monkeypatch):
    import highspy

    calls = []
    orig = highspy.Highs.setBasis

    def spy(self, *args):
        calls.append([s == highspy.HighsBasisStatus.kBasic for s in args[0].col_status])
        return orig(self, *args)

    monkeypatch.setattr(highspy.Highs, "setBasis", spy)
    return calls


def test_highs_starts_from_a_basis_only_when_one_is_hinted(monkeypatch):
    from exactscreen.environment import Environment

    env = Environment.from_dict({"lo": {"a": 1}, "hi": {"a": 2}})
    lp = mechanism_lp(env, env.market(lo=Fraction(1, 2), hi=Fraction(1, 2)))
    calls = _record_set_basis(monkeypatch)
    res = solve_lp(lp)
    assert calls == []
    solve_lp(lp, hint_basis=res.basis)
    assert calls == [[j in res.basis for j in range(lp.num_vars)]]


@SMALL
@given(lps_and_bases())
def test_sparse_core_solve_equals_the_dense_basis_solve_on_any_basis(case):
    # the same comparison with every core, however small, solved by singleton peeling
    import exactscreen.lp.exact as lpmod

    lp, basis = case
    sf = _Standard(lp)
    old = lpmod.SPARSE_CORE_MIN
    lpmod.SPARSE_CORE_MIN = 0
    try:
        assert _basis_solution(sf, basis) == _basis_solution_dense(sf, basis)
    finally:
        lpmod.SPARSE_CORE_MIN = old
