"""Each result says how it was solved (issue 16, item 4): no process-wide tally."""

from __future__ import annotations

from fractions import Fraction as F

import exactscreen.lp.exact as exact
from exactscreen.environment import Environment, Market
from exactscreen.lp.exact import LinearProgram, SolveStats, SolveTally, solve_lp
from exactscreen.mechanisms.optimum import optimal_mechanism, payment_polytope


def _lp() -> LinearProgram:
    # max x + y  s.t.  x + 2y <= 4,  3x + y <= 6,  x, y >= 0
    return LinearProgram(
        (F(1), F(1)), (), (), (((0, F(1)), (1, F(2))), ((0, F(3)), (1, F(1)))), (F(4), F(6)),
    )


def test_the_lp_module_keeps_no_global_tally():
    assert not hasattr(exact, "STATS")


def test_a_hinted_solve_records_that_highs_basis_decided():
    res = solve_lp(_lp())
    assert res.stats == SolveStats("highs-basis", "", 1, 0, False)
    assert res.stats.hint_accepted
    assert res.stats.seconds == res.seconds


def test_a_solve_without_hint_records_the_cold_simplex_and_its_pivots():
    res = solve_lp(_lp(), use_hint=False)
    assert res.stats.method == res.method == "exact-simplex"
    assert res.stats.reason == "hint disabled"
    assert res.stats.highs_runs == 0
    assert res.stats.pivots == 2  # two columns enter the basis
    assert not res.stats.hint_accepted


def test_a_warm_started_solve_records_the_given_basis():
    first = solve_lp(_lp())
    res = solve_lp(_lp(), warm_basis=first.basis)
    assert res.stats.method == "exact-simplex-warm"
    assert res.stats.reason == "warm basis given"
    assert res.stats.pivots == 0  # already optimal


def test_two_solves_do_not_share_their_statistics():
    a = solve_lp(_lp(), use_hint=False)
    b = solve_lp(_lp())
    assert a.stats.method == "exact-simplex" and b.stats.method == "highs-basis"
    assert a.stats.pivots == 2 and b.stats.pivots == 0


def test_a_tally_counts_paths_and_reasons_in_first_seen_order():
    t = SolveTally.of([
        SolveStats("highs-basis"), SolveStats("exact-simplex", "hint disabled", pivots=3),
        SolveStats("highs-basis"), SolveStats("exact-simplex", "hint disabled", pivots=1),
    ])
    assert t.lps == 4 and t.calls == 4 and t.pivots == 4
    assert dict(t.paths) == {"highs-basis": 2, "exact-simplex": 2}
    assert t.paths[0][0] == "highs-basis"
    assert dict(t.reasons) == {"hint disabled": 2}
    assert SolveTally.of([], lps=3) == SolveTally(3)


def test_optimal_mechanism_counts_its_lps_in_its_own_statistics():
    env = Environment(("L", "M", "H"), ("a",), ((F(1),), (F(2),), (F(3),)), (F(0),))
    om = optimal_mechanism(env, Market(env, (F(1, 3), F(1, 3), F(1, 3))), face=True)
    assert om.lp_solves == om.stats.lps == om.face.lp_solves >= 1


def test_the_payment_polytope_counts_one_lp_per_support_query():
    env = Environment(("L", "H"), ("a",), ((F(1),), (F(2),)), (F(0),))
    pp = payment_polytope(env)
    assert pp.lp_solves == pp.stats.lps == pp.stats.calls > 0
