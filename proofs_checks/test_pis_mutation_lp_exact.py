"""Paper 000, Sec. 3 (the LP (1)-(3) of the optimal mechanism): every route of the exact LP engine
(:mod:`exactscreen.lp.exact`) must reach the optimum of Sec. 3's LP, and each answer is certified
here (issue 13, item 4; docs/mutation.md, "lp_exact").

The exact simplex decides whenever the float hint fails (the structured engine's fallback, the
face LPs' last resort, Lemma 3's Farkas LPs, the checks' own second routes), but the paper's
small instances reach only some of its routes.  Here the IC-IR LP of Sec. 3 is written from the
raw values (``test_pis_independent._System``) for generated environments and markets and solved:

* by default (HiGHS's basis, checked exactly);
* from a cold start, HiGHS switched off (``use_hint=False``: phase 1 with artificials, Bland's
  rule);
* from a given primal-feasible basis (``warm_basis``): the optimal bases of the same rows for other
  objectives (minimum revenue, a drawn objective, zero), so the simplex has to pivot; with 9-12
  types the LP is large enough for the revised simplex;
* from a hint basis with HiGHS made to give up (``_highs_basis`` patched to return nothing), so
  the exact simplex starts from the hint when it is primal feasible.

Every answer must have the default route's optimal revenue and pass the conditions of LP duality
written out in ``test_pis_mutation_lp_certificate._expected_optimality`` (own loops over dense
copies of the rows: ``x >= 0``, every row holds, ``y_ub >= 0``, ``A^T y >= c``, ``c.x = b.y`` =
the claimed objective).  The optimal revenue is also the structured engine's.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.lp import exact
from exactscreen.lp.exact import solve_lp
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.strategies import markets

from .pis_common import FILTERING, paper_environments, q_market, sec311
from .test_pis_independent import _System
from .test_pis_mutation_lp_certificate import _expected_optimality
from .test_pis_mutation_structured import _copied_types

ZERO = F(0)


def _certified(lp, res, route: str) -> None:
    problems = _expected_optimality(lp, res.x, res.y_eq, res.y_ub, res.objective)
    assert not problems, f"{route}: not an optimum of Sec. 3's LP: {problems[:3]}"


def _routes(lp, others, cold: bool = True) -> dict[str, object]:
    """The answer of every route (module docstring); ``others``: objectives whose optimal bases
    start the warm and hinted routes; ``cold``: also the cold start."""
    out = {"default": solve_lp(lp)}
    if cold:
        out["cold start"] = solve_lp(lp, use_hint=False)
    for name, c in others.items():
        start = solve_lp(lp.with_objective(c)).basis
        out[f"warm start at the optimal basis of {name}"] = solve_lp(lp, warm_basis=start)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(exact, "_highs_basis", lambda sf, hint, tight: (None, "HiGHS switched off by the check"))
            out[f"hint basis of {name}, HiGHS off"] = solve_lp(lp, hint_basis=start)
    return out


def _check(env, market, drawn: list[F], large: bool = False) -> dict[str, object]:
    system = _System(env)
    c = [ZERO] * system.nvar
    for t, f in enumerate(market.weights):
        c[system.p(t)] = F(f)
    lp = system.lp(c)
    others = {"minimum revenue": [-v for v in c], "a drawn objective": drawn}
    if not large:
        others["zero"] = [ZERO] * system.nvar
    routes = _routes(lp, others, cold=not large)
    base = routes["default"].objective
    for route, res in routes.items():
        _certified(lp, res, route)
        assert res.objective == base, f"{route}: revenue {res.objective}, default route {base}"
    engine = optimal_mechanism(env, market, face=False).revenue
    assert engine == base, f"structured engine {engine}, exact LP {base}"
    return routes


@claim("PIS-LEM1")
def test_every_route_of_the_exact_simplex_gives_sec311s_revenues(evidence):
    """Sec. 3.1.1: the optimal revenue at q = 1/4, 1/2, 3/4 (Fig. 4's ties and the market between
    them) by every route."""
    env = sec311()
    for q in (F(1, 4), F(1, 2), F(3, 4)):
        market = q_market(env, q)
        routes = _check(env, market, [F(j % 3) for j in range(_System(env).nvar)])
        evidence.note(f"q = {q}: revenue {routes['default'].objective} by all {len(routes)} routes")
    evidence.instances(3)


@claim("PIS-LEM1")
@FILTERING
@given(paper_environments(min_types=2), st.data())
def test_every_route_of_the_exact_simplex_reaches_the_optimum_of_sec3s_lp(evidence, env, data):
    """Generated environments and markets (types may have weight 0).  Hard case: a warm or
    hinted start that is not optimal, so the exact simplex pivots."""
    market = data.draw(markets(env, allow_zero=True), label="market")
    n = _System(env).nvar
    drawn = data.draw(st.lists(st.integers(-3, 3).map(F), min_size=n, max_size=n), label="objective")
    routes = _check(env, market, drawn)
    pivoted = any(r.stats is not None and r.stats.pivots > 0
                  for name, r in routes.items() if name.startswith(("warm", "hint")))
    evidence.reach("the exact simplex pivoted from a given feasible basis", pivoted)
    evidence.instances(1)


@claim("PIS-LEM1")
@FILTERING
@given(_copied_types(), st.data())
def test_the_revised_simplex_reaches_the_optimum_of_sec3s_lp_with_many_types(evidence, case, data):
    """9-12 types (copies of 3-4): Sec. 3's LP has more than 20,000 (rows x columns) entries, so a
    warm start without artificial columns runs the revised simplex (the cold start and the zero
    objective are left to the smaller LPs above: time).  Hard case: it ran."""
    env, market = case
    n = _System(env).nvar
    drawn = data.draw(st.lists(st.integers(-2, 2).map(F), min_size=n, max_size=n), label="objective")
    routes = _check(env, market, drawn, large=True)
    revised = any(r.stats is not None and r.stats.revised for r in routes.values())
    evidence.reach("the revised simplex ran from a given feasible basis", revised)
    evidence.instances(1)
