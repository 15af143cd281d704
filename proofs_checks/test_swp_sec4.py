"""Screening with persuasion, Section 4 and its appendix: two distributions, discreteness,
convex menus, monotone partitions (Props. 2-4, Cors. 2-3, Lemmas 3-4), on finite values."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.persuasion.partitions import FiniteValues, Inventory, QuadraticCost, condition39, condition40, direct_revenue, information_lp, optimal_partition, pooling_gain, pooling_gain_top_pair

from .swp_common import discrete_mechanisms, distributions, increasing


def _envelope_revenue(v, m, q) -> F:
    """Revenue from the envelope formula (21): p_k = v_k q_k - sum_{j=2..k} q_{j-1} (v_j - v_{j-1})."""
    total, integral = F(0), F(0)
    for k in range(len(v)):
        if k:
            integral += q[k - 1] * (v[k] - v[k - 1])
        total += m[k] * (v[k] * q[k] - integral)
    return total


def _bilinear_revenue(v, m, q) -> F:
    """(22) for step quantile functions: G^{-1}(0) F^{-1}(0) + sum over jumps t_k of F^{-1}(t_k)(1-t_k) dG^{-1}."""
    total, t = v[0] * q[0], F(0)
    for k in range(1, len(v)):
        t += m[k - 1]
        total += v[k] * (1 - t) * (q[k] - q[k - 1])
    return total


def _pooled(v, m, q, k):
    a, b = m[k - 1], m[k]
    vp, qp = (a * v[k - 1] + b * v[k]) / (a + b), (a * q[k - 1] + b * q[k]) / (a + b)
    return (v[:k - 1] + (vp,) + v[k + 1:], m[:k - 1] + (a + b,) + m[k + 1:], q[:k - 1] + (qp,) + q[k + 1:])


@claim("SWP-PROP2")
@given(distributions(1, 6), st.data())
def test_bilinear_revenue_equals_direct_revenue(evidence, d, data):
    q = data.draw(increasing(d.n, 0, 20, strict=False))
    direct, _ = direct_revenue(d.values, d.masses, q)
    assert _bilinear_revenue(d.values, d.masses, q) == direct == _envelope_revenue(d.values, d.masses, q)
    evidence.instances()


@claim("SWP-LEM3")
@given(discrete_mechanisms(3, 6))
def test_lemma3_delta_pi_and_condition39(evidence, mech):
    v, m, q = mech
    K = len(v)
    some = False
    for k in range(1, K):
        after, _ = direct_revenue(*_pooled(v, m, q, k))
        before, _ = direct_revenue(v, m, q)
        gain = pooling_gain(v, m, q, k)
        assert gain == after - before                                 # Delta Pi formula
        c = condition39(v, m, q, k)
        if k + 2 <= K:
            assert c is not None and c == (gain > 0)                  # (39) <=> Delta Pi > 0
            some = some or c
        else:
            assert c is None and pooling_gain_top_pair(v, m, q) == gain
    evidence.instances()
    if some:
        evidence.note("(39) for some consecutive pair k <= K-2 ==> that pooling raises revenue (exact)")


@claim("SWP-LEM3")
def test_lemma3_wording(evidence):
    v, m, q = (F(1), F(2), F(3)), (F(1, 3), F(1, 3), F(1, 3)), (F(1), F(3), F(6))
    assert condition39(v, m, q, 1) is True and pooling_gain(v, m, q, 1) > 0
    assert condition39(v, m, q, 2) is None
    evidence.note("'for any two consecutive atoms' must be read 'for some pair k, k+1 with k+2 <= K': "
                  "(39) needs vbar_{k+2} and qbar_{k+1} > qbar_k; then (39) <=> Delta Pi > 0 "
                  "(Delta Pi = (RHS-LHS) f_k (1-F_{k+1}) (q_{k+1}-q_k)(v_{k+1}-v_k)/(f_k+f_{k+1})). "
                  "Top pair: Delta Pi = f_K (v_K - v_{K-1})(Dq_{K-1} - f_{K-1} Dq_K/(f_{K-1}+f_K))")


@claim("SWP-LEM4")
@given(discrete_mechanisms(3, 6))
def test_condition40_implies_improvable(evidence, mech):
    v, m, q = mech
    for k in range(1, len(v) - 1):
        c40 = condition40(v, m, k)
        if c40:
            assert pooling_gain(v, m, q, k) > 0
            assert condition39(v, m, q, k)
            evidence.instances()


@claim("SWP-LEM4")
def test_condition40_is_39_without_parenthesis(evidence):
    import sympy as sp

    a, b, R, v0, v1, v2 = sp.symbols("a b R v0 v1 v2", positive=True)
    T = a + b + R
    x = b * T / ((a + b) * R)
    rhs = (v2 - v1) / (v1 - v0)
    pk = v0 - (v1 - v0) * (T - a) / a
    pk1 = v1 - (v2 - v1) * R / b
    B = a * (pk1 - pk) * (a + b) / (b * (v1 - v0) * T)
    ratio = sp.factor(sp.simplify((1 - B) / (rhs - x)))
    evidence.compared("(1 - B_k) / (RHS39 - LHS39 without parenthesis)", ratio, R * a * (a + b) / (b**2 * (R + a + b)))
    assert sp.simplify(ratio - R * a * (a + b) / (b**2 * (R + a + b))) == 0
    evidence.note("erratum: the intermediate display in the proof of Lemma 4 shifts the indices of the "
                  "right side to (v_{k+1}-v_k)/(v_k-v_{k-1}); (40) itself matches (39)'s indices")


def _inventory_instance(data, n):
    q = data.draw(increasing(n, 1, 24, strict=True))
    return q


@claim("SWP-PROP4")
@given(distributions(2, 7), st.data())
def test_optimal_menus_are_convex(evidence, d, data):
    if data.draw(st.booleans()):
        mech = optimal_partition(d, inventory=Inventory.aligned(d, _inventory_instance(data, d.n)))
    else:
        mech = optimal_partition(d, cost=QuadraticCost(data.draw(st.integers(0, 2)), data.draw(st.integers(1, 3))))
    inc = mech.increments()
    assert all(inc[i] < inc[i + 1] for i in range(len(inc) - 1)), (mech.cuts, mech.qualities)
    evidence.instances()


@claim("SWP-PROP4")
@given(discrete_mechanisms(2, 5))
def test_non_convex_menus_are_improvable(evidence, mech):
    v, m, q = mech
    for k in range(1, len(v)):
        d1 = q[k - 1] - (q[k - 2] if k >= 2 else 0)
        d2 = q[k] - q[k - 1]
        if d1 >= d2:
            assert pooling_gain(v, m, q, k) > 0
            evidence.instances()


@claim("SWP-COR2")
@given(distributions(2, 7), st.data())
def test_number_of_items_below_qh_over_ql(evidence, d, data):
    q = data.draw(increasing(d.n, 1, 30, strict=True))
    g = data.draw(st.lists(st.integers(1, 5), min_size=d.n, max_size=d.n))
    inv = Inventory(q, tuple(F(x, sum(g)) for x in g))
    mech = optimal_partition(d, inventory=inv)
    K = mech.items
    assert K == 0 or K < q[-1] / q[0]
    served = [x for x in mech.qualities if x > 0]
    assert not served or served[0] >= q[0]
    evidence.instances()
    evidence.note("K < q_h/q_l needs q_l < q_h: a one-point inventory gives K = 1 = q_h/q_l")


@claim("SWP-COR3")
@given(distributions(2, 5), st.data())
def test_monotone_partition_optimal_among_information_structures(evidence, d, data):
    q = data.draw(increasing(d.n, 1, 15, strict=True))
    mech = optimal_partition(d, inventory=Inventory.aligned(d, q))
    items = sorted(set(mech.qualities))
    masses = [sum((m for m, x in zip(mech.masses, mech.qualities) if x == it), F(0)) for it in items]
    obj, pi, best = information_lp(d, items, masses)
    assert obj == mech.revenue == best[0]
    evidence.instances()


@claim("SWP-COR3")
@given(distributions(2, 5), st.data())
def test_fixed_quality_distribution_best_information_is_a_partition(evidence, d, data):
    K = data.draw(st.integers(1, 4))
    q = data.draw(increasing(K, 0, 15, strict=True))
    g = data.draw(st.lists(st.integers(1, 5), min_size=K, max_size=K))
    obj, pi, best = information_lp(d, q, [F(x, sum(g)) for x in g])
    assert obj == best[0]
    evidence.instances()


def _v2_grid(n):
    """F(v) = v^2 on [0,1] discretized: values i/n, masses F(i/n) - F((i-1)/n)."""
    return FiniteValues(tuple(F(i, n) for i in range(1, n + 1)), tuple(F(2 * i - 1, n * n) for i in range(1, n + 1)))


@claim("SWP-THM1")
def test_items_stay_few_on_finer_grids(evidence):
    counts = {}
    for n in (4, 8, 16, 24):
        d = _v2_grid(n)
        inv = Inventory(tuple(F(j, n) ** 4 for j in range(1, n + 1)), tuple(F(1, n) for _ in range(n)))
        a = optimal_partition(d, inventory=inv)
        b = optimal_partition(d, cost=QuadraticCost(0, 1))
        counts[n] = (a.items, b.items)
        assert not a.is_complete_disclosure and not b.is_complete_disclosure
    evidence.note(f"F(v)=v^2 on grids i/n, items (inventory q^(1/4), cost q^2/2): {counts}")
    assert all(x <= 3 and y <= 1 for x, y in counts.values())
    evidence.not_checkable(
        "Theorem 1 is about every (continuous) distribution; no finite computation covers it",
        "discrete analogue: exact optimal partitions of F(v)=v^2 on n = 4..24 grids pool and keep <= 3 items",
    )
