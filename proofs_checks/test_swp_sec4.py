"""Screening with persuasion, Section 4 and its appendix: two distributions, discreteness,
convex menus, monotone partitions (Props. 2-4, Cors. 2-3, Lemmas 3-4), on finite values."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, target
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.persuasion.partitions import FiniteValues, Inventory, QuadraticCost, condition39, condition40, direct_revenue, information_lp, optimal_partition, pooling_gain, pooling_gain_top_pair

from .swp_common import certify_partition, discrete_mechanisms, distributions, geometric_qualities, increasing, persuasion_instances, top_jump_qualities


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
    if d.n < 2:
        evidence.trivial("one value: (22) is the single term G^-1(0) F^-1(0)")
        return
    jumps = sum(1 for k in range(1, d.n) if q[k] > q[k - 1])
    evidence.reach("3+ values with 2+ quality jumps (several terms of (22))", d.n >= 3 and jumps >= 2)
    evidence.instances()


def _menu_revenue(v, m, q) -> F:
    """Revenue of selling q to the atoms at the IC prices (9), by the independent checker."""
    from exactscreen.persuasion import partition_check as pc

    profit = pc.menu_profit(v, m, tuple(range(len(v) + 1)), q, cost=(0, 1, 0))
    return profit + sum((x * y * y / 2 for x, y in zip(m, q)), F(0))


@claim("SWP-LEM3")
@given(discrete_mechanisms(3, 6))
def test_lemma3_delta_pi_and_condition39(evidence, mech):
    """Lemma 3: Delta Pi (proof) equals the revenue change, recomputed twice (shortest-path IC
    payments, :func:`direct_revenue`, and the IC prices (9) of the independent checker
    :mod:`partition_check`); (39) <=> Delta Pi > 0 where (39) is defined."""
    v, m, q = mech
    K = len(v)
    some = False
    for k in range(1, K):
        after, _ = direct_revenue(*_pooled(v, m, q, k))
        before, _ = direct_revenue(v, m, q)
        gain = pooling_gain(v, m, q, k)
        assert gain == after - before                                 # Delta Pi formula
        assert after - before == _menu_revenue(*_pooled(v, m, q, k)) - _menu_revenue(v, m, q)
        c = condition39(v, m, q, k)
        if k + 2 <= K:
            assert c is not None and c == (gain > 0)                  # (39) <=> Delta Pi > 0
            some = some or c
        else:
            assert c is None and pooling_gain_top_pair(v, m, q) == gain
    evidence.reach("(39) holds for some pair k <= K-2 (pooling gains)", some)
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
    """Lemma 4: (40) ==> pooling k, k+1 raises revenue; the gain is recomputed by the
    independent checker (IC prices (9) of both menus)."""
    v, m, q = mech
    hit = False
    for k in range(1, len(v) - 1):
        c40 = condition40(v, m, k)
        if c40:
            hit = True
            assert pooling_gain(v, m, q, k) > 0
            assert _menu_revenue(*_pooled(v, m, q, k)) > _menu_revenue(v, m, q)
            assert condition39(v, m, q, k)
    if not hit:
        evidence.trivial("(40) holds at no pair: nothing to check")
        return
    evidence.reach("(40) holds at some pair", True)
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
    evidence.note(f"(1 - B_k) / (RHS39 - LHS39 without parenthesis) = {ratio} > 0")
    assert sp.simplify(ratio - R * a * (a + b) / (b**2 * (R + a + b))) == 0
    evidence.note("erratum: the intermediate display in the proof of Lemma 4 shifts the indices of the "
                  "right side to (v_{k+1}-v_k)/(v_k-v_{k-1}); (40) itself matches (39)'s indices")


def _served_increments(qualities):
    """``qbar_k - qbar_{k-1}`` over the served cells (``qbar_0 = 0``), computed from the menu."""
    served = [q for q in qualities if q > 0]
    return [q - (served[i - 1] if i else F(0)) for i, q in enumerate(served)]


@claim("SWP-PROP4")
@given(persuasion_instances(2, 7))
def test_optimal_menus_are_convex(evidence, inst):
    """Proposition 4: the increments of an optimal menu increase.  The solver's optimum is
    certified by brute force over all monotone partitions (:func:`certify_partition`), and
    every optimal menu the brute force finds is convex too."""
    d, model = inst
    mech = optimal_partition(d, **model)
    best = certify_partition(d, model, mech)
    target(mech.items, label="items")
    if mech.items < 2:
        evidence.trivial("fewer than 2 items: no pair of increments")
        return
    evidence.reach("optimal menu with 2+ items", True)
    inc = mech.increments()
    assert all(inc[i] < inc[i + 1] for i in range(len(inc) - 1)), (mech.cuts, mech.qualities)
    for cuts, qs in best.optimal:
        bf = _served_increments(qs)
        assert all(bf[i] < bf[i + 1] for i in range(len(bf) - 1)), (cuts, qs)
    evidence.instances()


@claim("SWP-PROP4")
@given(discrete_mechanisms(2, 5))
def test_non_convex_menus_are_improvable(evidence, mech):
    """Proof of Prop. 4: a non-convex pair of increments is improved by pooling (Lemma 3's
    Delta Pi > 0); Delta Pi is compared with the revenue change recomputed independently
    (:func:`partition_check.menu_profit`, IC prices (9) of the pooled menu)."""
    from exactscreen.persuasion import partition_check as pc

    v, m, q = mech
    found = False
    for k in range(1, len(v)):
        d1 = q[k - 1] - (q[k - 2] if k >= 2 else 0)
        d2 = q[k] - q[k - 1]
        if d1 >= d2:
            found = True
            gain = pooling_gain(v, m, q, k)
            pv, pm, pq = _pooled(v, m, q, k)
            direct = pc.menu_profit(pv, pm, tuple(range(len(pv) + 1)), pq, cost=(0, 1, 0)) - \
                pc.menu_profit(v, m, tuple(range(len(v) + 1)), q, cost=(0, 1, 0))
            cost_change = sum((x * y * y / 2 for x, y in zip(pm, pq)), F(0)) - sum((x * y * y / 2 for x, y in zip(m, q)), F(0))
            assert gain == direct + cost_change                            # revenue change only
            assert gain > 0
    if not found:
        evidence.trivial("convex menu: nothing to improve")
        return
    evidence.reach("menu with a non-convex increment pair", True)
    evidence.instances()


@st.composite
def _cor2_instances(draw):
    """A distribution and an inventory (masses of its own): half random, half geometric or
    top-jump qualities, where the optimum keeps K > 1 items."""
    d = draw(distributions(2, 7))
    kind = draw(st.sampled_from(("random", "geometric", "geometric", "top-jump")))
    if kind == "random":
        q = draw(increasing(d.n, 1, 30, strict=True))
    elif kind == "geometric":
        q = draw(geometric_qualities(d.n))
    else:
        q = draw(top_jump_qualities(d.n))
    g = draw(st.lists(st.integers(1, 5), min_size=d.n, max_size=d.n))
    return d, Inventory(tuple(q), tuple(F(x, sum(g)) for x in g))


@claim("SWP-COR2")
@given(_cor2_instances())
def test_number_of_items_below_qh_over_ql(evidence, inst):
    """Corollary 2: K < q_h/q_l.  The optimum is certified by brute force over all monotone
    partitions; the bound is checked for every optimal menu the brute force finds."""
    d, inv = inst
    q = inv.qualities
    model = {"inventory": inv}
    mech = optimal_partition(d, **model)
    best = certify_partition(d, model, mech)
    K = mech.items
    target(K, label="items")
    assert K == 0 or K < q[-1] / q[0]
    assert all(k == 0 or k < q[-1] / q[0] for k in best.items())
    served = [x for x in mech.qualities if x > 0]
    assert not served or served[0] >= q[0]
    if K <= 1:
        evidence.trivial("K <= 1 < q_h/q_l")
        return
    evidence.reach("optimal menu with K > 1 items", True)
    evidence.instances()
    evidence.note("K < q_h/q_l needs q_l < q_h: a one-point inventory gives K = 1 = q_h/q_l")


@claim("SWP-COR3")
@given(persuasion_instances(2, 5, kinds=("random-inventory", "geometric", "geometric", "top-jump")))
def test_monotone_partition_optimal_among_information_structures(evidence, inst):
    """Corollary 3: for the optimal quality distribution no information structure (exact LP
    over all signals) beats the monotone partition; the partition is certified optimal by
    brute force over all monotone partitions."""
    d, model = inst
    mech = optimal_partition(d, **model)
    certify_partition(d, model, mech)
    items = sorted(set(mech.qualities))
    masses = [sum((m for m, x in zip(mech.masses, mech.qualities) if x == it), F(0)) for it in items]
    obj, pi, best = information_lp(d, items, masses)
    assert obj == mech.revenue == best[0]
    target(mech.items, label="items")
    if mech.items < 2:
        evidence.trivial("one item: every information structure that sells it earns the same")
        return
    evidence.reach("optimal quality distribution with 2+ items", True)
    evidence.instances()


@claim("SWP-COR3")
@given(distributions(2, 5), st.data())
def test_fixed_quality_distribution_best_information_is_a_partition(evidence, d, data):
    K = data.draw(st.integers(1, 4))
    q = data.draw(increasing(K, 0, 15, strict=True))
    g = data.draw(st.lists(st.integers(1, 5), min_size=K, max_size=K))
    obj, pi, best = information_lp(d, q, [F(x, sum(g)) for x in g])
    assert obj == best[0]
    if K < 2 or sum(1 for x in q if x > 0) < 2:
        evidence.trivial("fewer than 2 positive qualities: the information structure does not matter")
        return
    evidence.reach("2+ positive qualities to assign", True)
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
