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


def test_the_generic_exact_route_gives_the_same_face_and_selection(tie_market, monkeypatch):
    env = tie_market.environment
    hinted = optimal_mechanism(env, tie_market, binding=False)
    # the hint refused everywhere: every face LP goes to lp.exact.solve_lp (an independent route)
    monkeypatch.setattr(structured._FaceLP, "maximize", lambda self, g: None)
    generic = optimal_mechanism(env, tie_market, binding=False)
    assert dict(generic.stats.paths)  # the route really changed
    assert hinted.revenue == generic.revenue
    assert hinted.mechanism == generic.mechanism
    assert hinted.face.payment == generic.face.payment
    assert hinted.face.surplus == generic.face.surplus
    assert hinted.face.allocation == generic.face.allocation
