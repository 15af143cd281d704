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


@claim("SWP-HORIZ")
@given(distributions(1, 5), st.integers(0, 20))
def test_full_disclosure_price_u_extracts_all_surplus(evidence, d, u):
    u = F(u)
    # the paper's mechanism: full disclosure, variety q = v for every value, price u
    menu = [(v, u) for v in d.values]
    revenue = _revenue_of_menu(d.values, d.masses, menu, u)
    # upper bound for any information structure and menu: revenue <= expected surplus, and a buyer
    # with value v gets at most max_q u - (v - q)^2 = u (zero production cost, as in the text)
    surplus_bound = sum((m * max(u - (v - q) ** 2 for q in d.values) for v, m in zip(d.values, d.masses)), F(0))
    assert surplus_bound == u and revenue == surplus_bound
    # pooling loses: a cell learns only its mean; the best variety for it is the cell mean and the
    # most it pays is u - Var(cell), strictly below u when the cell has two or more values
    for cuts in all_partitions(d.n):
        pooled = F(0)
        for a, b in cells_of(cuts):
            mass = sum(d.masses[a:b], F(0))
            mean = sum((v * m for v, m in zip(d.values[a:b], d.masses[a:b])), F(0)) / mass
            var = sum((m * (v - mean) ** 2 for v, m in zip(d.values[a:b], d.masses[a:b])), F(0)) / mass
            pooled += mass * max(u - var, F(0))
        assert pooled <= revenue and (pooled < revenue or u == 0 or len(cuts) == d.n + 1)
    evidence.instances()
    evidence.note("full disclosure with q = v at price u: buyers' own choices give revenue u = the surplus "
                  "bound; every monotone pooling earns u - E[Var] < u (zero production cost, as in the text)")
