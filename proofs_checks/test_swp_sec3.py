"""Screening with persuasion, Section 3: finitely many values, fixed inventory ((8)-(16))."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.persuasion.partitions import FiniteValues, Inventory, complete_disclosure_prices, complete_disclosure_profit, condition14, condition15, direct_revenue, eq16_terms, lemma1_condition, lower_pooling_difference, lower_pooling_difference_at_zero, screening_lp, uniform_values

from .swp_common import distributions, increasing, regular_distributions


def _lower_pooled_direct(d: FiniteValues, q) -> F:
    """Direct (shortest-path IC) revenue of lower pooling minus complete disclosure."""
    f, v = d.masses, d.values
    s = f[0] + f[1]
    vals = ((f[0] * v[0] + f[1] * v[1]) / s,) + d.values[2:]
    masses = (s,) + d.masses[2:]
    quals = ((f[0] * q[0] + f[1] * q[1]) / s,) + tuple(q[2:])
    pooled, _ = direct_revenue(vals, masses, quals)
    full, _ = direct_revenue(d.values, d.masses, q)
    return pooled - full


@claim("SWP-EQ9-10")
@given(distributions(1, 6), st.data())
def test_prices_and_profit_of_complete_disclosure(evidence, d, data):
    q = data.draw(increasing(d.n, 0, 20, strict=False))
    rev, pay = direct_revenue(d.values, d.masses, q)
    assert complete_disclosure_prices(d.values, q) == pay           # (9) = seller-best IC-IR payments
    assert complete_disclosure_profit(d, q) == rev                   # (10) = sum f_i P(q_i)
    if d.n < 2 or q[-1] == q[0]:
        evidence.trivial("one value or one quality: (9) is a single price v_1 q_1")
        return
    evidence.reach("3+ values with 2+ distinct qualities (sums in (9) of 2+ terms)", d.n >= 3 and len(set(q)) >= 2)
    evidence.instances()


@claim("SWP-EQ9-10")
def test_prices_and_profit_uniform_five(evidence):
    d = uniform_values(5)
    q = [F(1), F(2), F(3), F(4), F(5)]
    rev, pay = direct_revenue(d.values, d.masses, q)
    evidence.note(f"v = q = 1..5, f = 1/5: prices (9) {complete_disclosure_prices(d.values, q)} = seller-best "
                  f"IC-IR payments (shortest paths) {pay}; profit (10) {complete_disclosure_profit(d, q)} = {rev}")
    assert complete_disclosure_prices(d.values, q) == pay == (1, 3, 6, 10, 15)
    assert rev == F(7)


@claim("SWP-LEM1")
@given(st.one_of(distributions(2, 3), regular_distributions(2, 3)), st.data())
def test_lemma1_efficiency_iff_virtual_values(evidence, d, data):
    """Lemma 1 on generated instances: the exact LP over allocations x(i,j), payments, IC (19),
    IR (20) and capacity (:func:`screening_lp`); its optimum is re-derived by a second
    formulation sharing no code with it, the reduced form over expected qualities Q (IC prices
    (9), Q non-decreasing, the inventory constraint (18) at the atoms; :mod:`partition_check`)."""
    from exactscreen.persuasion import partition_check as pc

    q = data.draw(increasing(d.n, 1, 9, strict=True))
    inv = Inventory.aligned(d, q)
    best, Q, profile_min = screening_lp(d, inv, minimize_quality_profile=True)
    reduced, _ = pc.best_menu(d.values, d.masses, tuple(range(d.n + 1)), inventory=(inv.qualities, inv.masses))
    assert best == reduced, f"engine disagreement: screening LP {best}, reduced form {reduced}"
    efficient = complete_disclosure_profit(d, q)
    eff_profile = sum((k + 1) * f * x for k, (f, x) in enumerate(zip(d.masses, q)))
    weak, strict = lemma1_condition(d)
    # strict reading ("increasing", "> 0"): every optimal allocation is efficient
    assert strict == (best == efficient and profile_min == eff_profile)
    # weak reading: the efficient allocation is an optimum
    assert weak == (best == efficient)
    evidence.reach("(8) increasing and positive: efficient allocation optimal", strict)
    evidence.reach("(8) not increasing or not positive: efficiency fails", not weak)
    evidence.instances()


@claim("SWP-LEM1")
def test_lemma1_tie_instance(evidence):
    d = FiniteValues.of([1, 2], ["1/2", "1/2"])       # phi = (0, 2): not > 0
    inv = Inventory.aligned(d, [1, 2])
    best, Q, _ = screening_lp(d, inv, minimize_quality_profile=True)
    evidence.note(f"optimal revenue (exact LP) {best} = efficient profit (10) {complete_disclosure_profit(d, [1, 2])}")
    assert best == complete_disclosure_profit(d, [1, 2]) == 2
    assert Q == (0, 2)                                 # a non-efficient optimum (discard q1)
    assert lemma1_condition(d) == (True, False)        # weak reading holds, strict fails
    d3 = FiniteValues.of([2, 3, 4], ["1/3", "1/3", "1/3"])   # phi = (0, 2, 4)
    best3, _, prof3 = screening_lp(d3, Inventory.aligned(d3, [1, 2, 3]), minimize_quality_profile=True)
    assert lemma1_condition(d3) == (True, False)
    assert best3 == complete_disclosure_profit(d3, [1, 2, 3]) and prof3 < F(1 + 4 + 9, 3)
    evidence.note("exact LP over allocations x(i,j), payments, IC (19), IR (20), capacity; "
                  "'iff' holds when 'the optimal allocation' means every optimum: with ties "
                  "(phi_1 = 0 at v=(1,2), f=(1/2,1/2)) the efficient allocation is optimal but not unique")


@claim("SWP-EQ12")
@given(distributions(2, 6), st.data())
def test_eq12_lower_pooling_difference(evidence, d, data):
    q = data.draw(increasing(d.n, 0, 20, strict=False))
    assert lower_pooling_difference(d, q) == _lower_pooled_direct(d, q)
    if q[0] == q[1]:
        evidence.trivial("q1 = q2: pooling the two lowest values changes no quality")
        return
    evidence.reach("3+ values and q1 < q2 (both terms of (12))", d.n >= 3)
    evidence.instances()


@claim("SWP-PROP1")
@given(distributions(3, 6), st.data())
def test_condition14_implies_lower_pooling_gain(evidence, d, data):
    q = data.draw(increasing(d.n, 1, 20, strict=True))
    at0 = lower_pooling_difference_at_zero(d)
    assert condition14(d) == (at0 > 0)                               # (14) is (13)'s left side, rearranged
    diff = _lower_pooled_direct(d, q)
    q_at_q2 = (q[1],) + tuple(q[1:])
    assert _lower_pooled_direct(d, q_at_q2) > 0                      # positive at q1 = q2
    if not condition14(d):
        evidence.trivial("(14) fails: the implication is vacuous")
        return
    assert diff > 0
    evidence.reach("(14) holds", True)
    evidence.instances()


@claim("SWP-PROP1")
def test_condition14_instance(evidence):
    d = uniform_values(5)
    q = [F(1), F(2), F(3), F(4), F(5)]
    diff = _lower_pooled_direct(d, q)
    evidence.compared("(14) on uniform N=5", condition14(d), True)
    evidence.note(f"lower pooling gain on v=q=1..5, f=1/5: {diff} > 0 (direct IC revenues)")
    assert condition14(d) and diff > 0


@claim("SWP-COR1")
@given(distributions(3, 6, equidistant=True), st.data())
def test_condition15_equals_14_on_uniform_grids(evidence, d, data):
    assert condition15(d) == condition14(d)
    q = data.draw(increasing(d.n, 1, 20, strict=True))
    if condition15(d):
        assert _lower_pooled_direct(d, q) > 0
    evidence.reach("(15) holds (lower pooling gains)", condition15(d))
    evidence.reach("(15) fails", not condition15(d))
    evidence.instances()


@claim("SWP-COR1")
def test_uniform_probabilities_need_n_at_least_5(evidence):
    for n in range(3, 16):
        d = uniform_values(n)
        assert condition15(d) == (n >= 5)
        q = [F(i + 1) for i in range(n)]
        if n >= 5:
            assert _lower_pooled_direct(d, q) > 0
    at4 = lower_pooling_difference_at_zero(uniform_values(4))
    evidence.note(f"(Pibar-Pi)|q1=0 at N=4 (boundary): {at4}")
    assert at4 == 0
    evidence.note("(15) holds iff N >= 5 for N = 3..15; at N = 4 the gain at q1 = 0 is exactly 0")


@claim("SWP-EQ16")
@given(distributions(3, 6), st.data())
def test_eq16_decomposition(evidence, d, data):
    q2 = data.draw(st.integers(1, 9))
    a, b = eq16_terms(d, q2)
    q = (F(0),) + (F(q2),) * (d.n - 1)                               # q1 = 0, q2 = ... = qN
    assert _lower_pooled_direct(d, q) == a + b                       # (16) vs direct IC revenues
    assert lower_pooling_difference_at_zero(d, q2) == a + b
    phi_decreasing = a > 0
    from exactscreen.persuasion.partitions import virtual_values

    phi = virtual_values(d.values, d.masses)
    assert phi_decreasing == (phi[0] > phi[1])
    evidence.reach("phi_1 > phi_2 (first term of (16) positive)", phi_decreasing)
    evidence.reach("phi_1 <= phi_2", not phi_decreasing)
    evidence.instances()
