"""The optimal face's small LPs (``structured._FaceLP``, PIS Sec. 3's LP restricted to the optimal
face ``x* + D w``) are decided by the float hint and its exact check even when the face has rows
with bounds near 1e-14 beside coefficients near 1e13 (issue 17's benchmark: the tie face at a
kink of a (40, 16) sweep line).  Before presolve was turned off for these models, 23 of their 25
LPs failed the exact check there and ran the generic exact simplex (2.6 s instead of 0.14 s)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

import exactscreen.mechanisms.structured as structured
from exactscreen.environment import Environment, Market
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.mechanisms.sweep import line_market

# the third revenue kink of bench.sweep's line random#0 at (40, 16), seed 1 (line_ends(40, 16, "random", 1, 0))
KINK = F(107413930594801, 7623519733580609)


@pytest.fixture(scope="module")
def tie_market() -> Market:
    bench_sweep = pytest.importorskip("bench.sweep")
    env, f0, f1 = bench_sweep.line_ends(40, 16, "random", 1, 0)
    assert isinstance(env, Environment)
    return line_market(f0, f1, KINK)


def test_the_tie_face_with_tiny_row_bounds_needs_no_generic_exact_solve(tie_market):
    om = optimal_mechanism(tie_market.environment, tie_market, binding=False)
    assert om.verified
    assert not om.face.unique  # a tie face: its ranges and selection take LPs on the face
    assert om.stats.lps > 10
    assert om.stats.paths == ()  # every face LP decided by the hint's exact vertex and dual check


def _same(a, b) -> None:
    assert a.revenue == b.revenue
    assert a.mechanism == b.mechanism
    assert a.face.payment == b.face.payment
    assert a.face.surplus == b.face.surplus
    assert a.face.allocation == b.face.allocation


def test_the_active_set_and_the_generic_exact_routes_give_the_same_face_and_selection(tie_market, monkeypatch):
    env = tie_market.environment
    hinted = optimal_mechanism(env, tie_market, binding=False)
    # the hint refused everywhere: every face LP goes to the exact active-set method
    monkeypatch.setattr(structured._FaceLP, "maximize", lambda self, g: None)
    active = optimal_mechanism(env, tie_market, binding=False)
    assert active.stats.paths == ()  # no generic solve: the active-set method decided every face LP
    _same(hinted, active)
    # and without it: every face LP goes to lp.exact.solve_lp (the standard-form exact simplex)
    monkeypatch.setattr(structured._FaceLP, "exact_maximize", lambda self, g, start, max_iter=None: None)
    generic = optimal_mechanism(env, tie_market, binding=False)
    assert dict(generic.stats.paths)  # the route really changed
    _same(hinted, generic)


def test_the_active_set_method_finds_the_optimum_from_an_interior_point_and_refuses_an_infeasible_start():
    """max w1 + w2 over the square [0, 1]^2 cut by w1 + w2 <= 3/2: optimum 3/2 on an edge, from
    the interior point (1/4, 1/4) and from a vertex; an infeasible start gives None (fallback)."""
    G = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 1)]
    h = [F(1), F(1), F(0), F(0), F(3, 2)]
    lp = structured._FaceLP(G, h)
    for start in ((F(1, 4), F(1, 4)), (F(0), F(0)), (F(1), F(0))):
        value, w = lp.exact_maximize((1, 1), start)
        assert value == F(3, 2) and w[0] + w[1] == F(3, 2) and all(0 <= x <= 1 for x in w)
    value, w = lp.exact_maximize((2, 1), (F(1, 4), F(1, 4)))
    assert (value, w) == (F(5, 2), (F(1), F(1, 2)))  # the unique vertex optimum
    assert lp.exact_maximize((1, 1), (F(2), F(0))) is None
    lp.add_equality((1, -1), F(0))  # w1 = w2: the start must satisfy it
    assert lp.exact_maximize((1, 0), (F(0), F(0))) == (F(3, 4), (F(3, 4), F(3, 4)))
    assert lp.exact_maximize((1, 0), (F(1, 2), F(0))) is None
