"""Screening with persuasion, Section 7: pure horizontal differentiation."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.persuasion.partitions import all_partitions, cells_of

from .swp_common import distributions


def _revenue_of_menu(values, masses, menu, u):
    """Each buyer (knowing its value) takes its best item (q, p) or nothing; ties go to the seller."""
    total = F(0)
    for v, m in zip(values, masses):
        best_u, best_p = F(0), F(0)                                     # outside option
        for q, p in menu:
            util = u - (v - q) ** 2 - p
            if util > best_u or (util == best_u and p > best_p):
                best_u, best_p = util, p
        total += m * best_p
    return total


def _parabola_max(a2: F, a1: F, a0: F) -> F:
    """``max_q a2 q^2 + a1 q + a0`` over all real q, for ``a2 < 0``: the vertex value
    ``a0 - a1^2 / (4 a2)`` (no grid of varieties, no menu)."""
    assert a2 < 0
    return a0 - a1 * a1 / (4 * a2)


@claim("SWP-HORIZ")
@given(distributions(1, 5), st.integers(0, 20))
def test_full_disclosure_price_u_extracts_all_surplus(evidence, d, u):
    """Sec. 7: with utility u - (v - q)^2 (zero cost), full disclosure, variety q = v, price u
    (the paper states it in Sec. 7: "a constant price p* = u that would indeed extract the efficient
    social surplus": the revenue u is the paper's value).

    Route 1: the revenue of the paper's menu from the buyers' own choices (ties to the seller).
    Route 2 (independent upper bound): under any information structure and menu, a buyer who
    believes v ~ cell pays at most its best expected utility max_q E[u - (v - q)^2 | cell]
    (IR), a concave parabola in q whose vertex value is computed from its coefficients
    -q^2 + 2 E[v] q + u - E[v^2]; with one value per cell (full disclosure) this bound is
    sum_v f u, for a coarser monotone partition it is u - E[Var] (second moments, not the menu).
    """
    u = F(u)
    menu = [(v, u) for v in d.values]
    revenue = _revenue_of_menu(d.values, d.masses, menu, u)
    # full information: sum_v f_v max_q (u - (v - q)^2), each a parabola -q^2 + 2 v q + (u - v^2)
    bound = sum((m * _parabola_max(F(-1), 2 * v, u - v * v) for v, m in zip(d.values, d.masses)), F(0))
    assert revenue == bound, f"full disclosure earns {revenue}, the surplus bound is {bound}"
    evidence.equal("revenue of full disclosure at price u (Sec. 7: it extracts the surplus u)", revenue, u)
    strict = 0
    for cuts in all_partitions(d.n):
        pooled = F(0)
        for a, b in cells_of(cuts):
            mass = sum(d.masses[a:b], F(0))
            e1 = sum((v * m for v, m in zip(d.values[a:b], d.masses[a:b])), F(0)) / mass
            e2 = sum((v * v * m for v, m in zip(d.values[a:b], d.masses[a:b])), F(0)) / mass
            pooled += mass * max(_parabola_max(F(-1), 2 * e1, u - e2), F(0))
        assert pooled <= revenue
        if len(cuts) < d.n + 1:
            assert pooled < revenue or u == 0
            strict += pooled < revenue
    if d.n < 2 or u == 0:
        evidence.trivial("one value or u = 0: no pooling to compare / nothing to extract")
        return
    evidence.reach("2+ values, u > 0: every coarser partition strictly loses", strict == 2 ** (d.n - 1) - 1)
    evidence.instances()
    evidence.note("full disclosure with q = v at price u: buyers' own choices give revenue u = the surplus "
                  "bound sum_v f max_q (u - (v-q)^2) (parabola vertices); every monotone pooling is bounded by "
                  "u - E[Var] < u (zero production cost, as in the text)")
