"""The optimal face by complementary slackness (issue 8, tasks 2-3) against the old
formulation "original LP + (revenue = optimum)", solved from scratch LP by LP."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscreen.environment import Environment, load_toml
from exactscreen.lp.exact import face_lp, single_point, solve_lp
from exactscreen.mechanisms.optimum import _mechanism, _p, _value_terms, _x, mechanism_lp, optimal_mechanism

from .reference_screening import _fix, _surplus_objective, _value_objective
from exactscreen.strategies import environment_and_market, environments, markets

SMALL = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZERO, ONE = Fraction(0), Fraction(1)
EXAMPLES = Path(__file__).resolve().parents[1] / "exactscreen" / "examples"


def old_formulation(env, market, selection="support-value"):
    """Ranges, binding sets and selected x as computed before issue 8: every LP is
    the mechanism LP plus the equality "revenue = optimum" (and, for the selection,
    one more equality per stage), solved from scratch."""
    lp = mechanism_lp(env, market)
    res = solve_lp(lp)
    face = _fix(lp, lp.c, res.objective, "revenue = optimum")
    nv = env.n * (env.k + 2)

    def rng(c):
        return (-solve_lp(face.with_objective([-v for v in c])).objective, solve_lp(face.with_objective(c)).objective)

    pay, sur, alloc = [], [], []
    for i in range(env.n):
        c = [ZERO] * nv
        c[_p(env, i)] = ONE
        pay.append(rng(c))
        sur.append(rng(_surplus_objective(env, i, ONE)))
        row = []
        for j in range(env.k + 1):
            c = [ZERO] * nv
            c[_x(env, i, j)] = ONE
            row.append(rng(c))
        alloc.append(tuple(row))
    always, sometimes = [], []
    for i in range(env.n):
        for s in [s for s in range(env.n) if s != i] + [None]:
            c = _surplus_objective(env, i, ONE)
            if s is not None:
                for col, v in _value_terms(env, i, s, -ONE):
                    c[col] += v
                c[_p(env, s)] += ONE
            lo, hi = rng(c)
            edge = (env.types[i], env.types[s] if s is not None else "0")
            if hi == 0:
                always.append(edge)
            if lo == 0:
                sometimes.append(edge)
    # selection
    if selection == "support-value":
        sup = [i for i, f in enumerate(market.weights) if f > 0]
        rest = [i for i, f in enumerate(market.weights) if f == 0]
        stages = [_value_objective(env, sup)] + ([_value_objective(env, rest)] if rest else [])
    else:
        stages = [_value_objective(env, range(env.n))]
    stages.append([ZERO if j % (env.k + 2) != env.k + 1 else -ONE for j in range(nv)])
    for i in range(env.n):
        c = [ZERO] * nv
        c[_p(env, i)] = -ONE
        stages.append(c)
    for i in range(env.n):
        for j in range(env.k + 1):
            c = [ZERO] * nv
            c[_x(env, i, j)] = ONE
            stages.append(c)
    cur, x = face, None
    for c in stages:
        if not any(c):
            continue
        r = solve_lp(cur.with_objective(c))
        x = r.x
        cur = _fix(cur, c, r.objective, "stage")
    return {
        "revenue": res.objective,
        "payment": pay, "surplus": sur, "allocation": alloc,
        "always": always, "sometimes": sometimes,
        "mechanism": _mechanism(env, x),
    }


def new_formulation(env, market, selection="support-value"):
    om = optimal_mechanism(env, market, selection=selection)
    f = om.face
    return {
        "revenue": om.revenue,
        "payment": [(r.lo, r.hi) for r in f.payment],
        "surplus": [(r.lo, r.hi) for r in f.surplus],
        "allocation": [tuple((r.lo, r.hi) for r in row) for row in f.allocation],
        "always": list(f.always_binding), "sometimes": list(f.sometimes_binding),
        "mechanism": om.mechanism,
    }


def _assert_same(env, market, selection="support-value"):
    old, new = old_formulation(env, market, selection), new_formulation(env, market, selection)
    for key in old:
        assert new[key] == old[key], key


@SMALL
@given(environment_and_market(max_types=3, max_alternatives=3))
def test_face_and_selection_equal_the_old_formulation_on_random_environments(case):
    _assert_same(*case)


TIES = st.sampled_from([Fraction(v, 2) for v in range(0, 5)])


@SMALL
@given(st.data())
def test_face_and_selection_equal_the_old_formulation_on_tie_heavy_environments(data):
    env = data.draw(environments(min_types=2, max_types=4, max_alternatives=2, values=TIES))
    market = data.draw(markets(env, allow_zero=True))
    _assert_same(env, market, data.draw(st.sampled_from(["support-value", "total-value"])))


@SMALL
@given(st.data())
def test_face_and_selection_equal_the_old_formulation_with_copied_and_zero_weight_types(data):
    env = data.draw(environments(min_types=1, max_types=2, max_alternatives=2))
    copies = data.draw(st.integers(2, 3))
    rows = {f"{t}_{c}": dict(zip(env.alternatives, env.values[i]))
            for i, t in enumerate(env.types) for c in range(copies)}
    big = Environment.from_dict(rows)
    base = data.draw(markets(env, allow_zero=False))
    w = {}
    for i, t in enumerate(env.types):
        for c in range(copies):
            w[f"{t}_{c}"] = base.weights[i] / (copies - 1) if c else ZERO  # copy 0 has weight 0
    _assert_same(big, big.market(w))


@pytest.fixture(scope="module")
def paper_env():
    """Paper 000, Sec. 3.1.1 (the shipped example file)."""
    return load_toml(EXAMPLES / "pis_sec311.toml")[0]


OFF = Fraction(1, 10**9)


@pytest.mark.parametrize("q", [Fraction(1, 4), Fraction(3, 4), Fraction(1, 4) + OFF, Fraction(1, 4) - OFF,
                               Fraction(3, 4) + OFF, Fraction(3, 4) - OFF, ZERO, ONE])
def test_paper_instance_face_equals_the_old_formulation_at_and_near_the_breakpoints(q, paper_env):
    env = paper_env
    _assert_same(env, env.market(tL=1 - q, tH=q))  # q = f(tH)


def test_a_unique_optimum_needs_no_range_lp():
    env = Environment.from_dict({"lo": {"a": 1}, "hi": {"a": 2}})
    om = optimal_mechanism(env, env.market(lo=Fraction(1, 3), hi=Fraction(2, 3)))
    assert om.face.unique
    assert om.lp_solves == 1  # the optimum itself; the face is certified a single point


def test_single_point_needs_full_column_rank_of_the_equalities():
    lp = mechanism_lp(*_two_types())
    res = solve_lp(lp)
    face = face_lp(lp, res)
    dropped = set(range(lp.num_vars)) - set(face.columns)
    assert all(res.x[j] == 0 for j in dropped)
    assert single_point(face.lp) == (len(face.lp.A_eq) >= face.lp.num_vars and face.is_single_point)


def _two_types():
    env = Environment.from_dict({"lo": {"a": 1}, "hi": {"a": 2}})
    return env, env.market(lo=Fraction(1, 2), hi=Fraction(1, 2))


def test_face_basis_is_primal_feasible_and_reproduces_the_optimum():
    env, market = _two_types()
    lp = mechanism_lp(env, market)
    res = solve_lp(lp)
    face = face_lp(lp, res)
    warm = solve_lp(face.lp, warm_basis=face.basis)
    assert face.expand(warm.x) == res.x or warm.objective == res.objective


def _eq_lp(rows):
    from exactscreen.lp.exact import LinearProgram

    A = tuple(tuple((j, Fraction(a)) for j, a in enumerate(r) if a) for r in rows)
    return LinearProgram((ZERO,) * len(rows[0]), A, (ZERO,) * len(rows), (), ())


def test_single_point_refuses_equalities_of_deficient_rank():
    assert not single_point(_eq_lp([[1, 2], [2, 4]]))
    assert not single_point(_eq_lp([[1, 2, 3]]))


def test_single_point_accepts_full_column_rank():
    assert single_point(_eq_lp([[1, 2], [2, 5]]))


def test_single_point_decides_exactly_when_the_modular_rank_drops():
    p = 2**61 - 1  # the prime of the modular test: this matrix has rank 1 mod p, 2 over Q
    assert single_point(_eq_lp([[p, 0], [0, 1]]))
