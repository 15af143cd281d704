"""Paper 003 (Haghpanah & Siegel, Screening two types), App. C (normalizing costs and
the outside option) and App. D (increasing differences: Theorem 2, Observation 0;
the weak notion WID and its two orders).

Oracles: the un-normalized problem of Sec. 2 solved by enumeration in
``stt_common.raw_brute_force`` (written from the paper's four constraints), the
engine's enumeration of deterministic menus and its certified LP.
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import product

from hypothesis import assume, given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import OUTSIDE, Environment
from exactscreen.mechanisms.optimum import optimal_deterministic, optimal_mechanism
from exactscreen.two_types.analysis import analyze, normalize_app_c

from .stt_common import (
    FILTERING,
    brute_deterministic,
    contested_environments,
    lp_face,
    q_market,
    q_values,
    raw_brute_force,
    restaurant,
    two_type_environments,
)

SMALL = st.sampled_from([F(-2), F(-1), F(-1, 2), F(0), F(1, 2), F(1), F(3, 2), F(2), F(3)])


# ----------------------------------------------------------------- STT-APPC
@st.composite
def raw_problems(draw):
    k = draw(st.integers(1, 3))
    alts = [f"a{j + 1}" for j in range(k)]
    values = {t: {a: draw(SMALL) for a in alts} for t in ("t1", "t2")}
    costs = {a: draw(st.sampled_from([F(0), F(1, 2), F(1)])) for a in alts}
    outside = {t: draw(st.sampled_from([F(0), F(0), F(-1), F(1, 2)])) for t in ("t1", "t2")}
    c0 = draw(st.sampled_from([F(0), F(0), F(1), F(-1, 2)]))
    return values, costs, outside, c0


@claim("STT-APPC")
@given(raw_problems(), q_values())
def test_normalization_keeps_the_optimal_menus(evidence, raw, q):
    """App. C: solving the normalized problem v̄_t(a) = v_t(a) − c(a) − (v_t(0) − c(0)) gives
    the same optimal allocations, with prices p_t = r_t + c(a_t) − c(0) and profit shifted by
    c(0).  The paper's map p_t = r_t + c(a_t) is right exactly when c(0) = 0."""
    values, costs, outside, c0 = raw
    rev_raw, menus_raw = raw_brute_force(values, costs, outside, c0, q, ("t1", "t2"))
    env, shift = normalize_app_c(values, costs, outside, c0)
    rev_n, menus_n = brute_deterministic(env, q)

    def cost(a):
        return c0 if a == OUTSIDE else costs[a]

    corrected = {(a1, a2, r1 + cost(a1) - c0, r2 + cost(a2) - c0) for a1, a2, r1, r2 in menus_n}
    as_written = {(a1, a2, r1 + cost(a1), r2 + cost(a2)) for a1, a2, r1, r2 in menus_n}
    assert shift == c0 and rev_n == rev_raw + c0
    assert corrected == menus_raw
    assert (as_written == menus_raw) == (c0 == 0)
    # and Theorem 1's characterization on the normalized environment matches the raw optimum
    t = analyze(env)
    assert t.deterministic_profit(t.to_paper_q(q)) == rev_raw + c0
    evidence.reach("c(0) ≠ 0 (App. C's price map p = r + c(a) breaks)", c0 != 0)
    evidence.instances(1)


@claim("STT-APPC")
def test_app_c_price_map_needs_c0_zero(evidence):
    """Smallest instance: one alternative a worth 1 to both types, no costs, outside option
    worth 0 and costing c(0) = 1.  Normalized, a is worth 2 and both types buy it at r = 2;
    App. C's p = r + c(a) = 2 violates IR in the original problem (1 − 2 < 0); p = r + c(a) −
    c(0) = 1 is the original optimum (profit 1 = 2 − c(0))."""
    values = {"t1": {"a": F(1)}, "t2": {"a": F(1)}}
    rev, menus = raw_brute_force(values, {"a": F(0)}, {"t1": F(0), "t2": F(0)}, F(1), F(1, 2), ("t1", "t2"))
    env, _ = normalize_app_c(values, {"a": 0}, {"t1": 0, "t2": 0}, 1)
    rev_n, menus_n = brute_deterministic(env, F(1, 2))
    assert menus_n == {("a", "a", F(2), F(2))} and rev_n == 2
    assert menus == {("a", "a", F(1), F(1))} and rev == 1
    assert values["t1"]["a"] - (F(2) + 0) < 0  # the paper's map breaks IR

    def lp_route() -> bool:
        """The engine's exact LP over random menus on the normalized problem (another
        formulation): both types pay r = 2 in every optimal mechanism; mapped by App. C's
        p = r + c(a) = 2 it exceeds the original value 1 (IR fails)."""
        face = lp_face(env, F(1, 2))
        return face["payment"] == {"t1": (F(2), F(2)), "t2": (F(2), F(2))} and values["t1"]["a"] - (F(2) + 0) < 0

    evidence.qualified(
        "App. C: with p_t = r_t + c(a_t) each constraint holds iff its normalized counterpart holds",
        "one alternative a = (1, 1), c = 0, v(0) = 0, c(0) = 1: normalized optimum r = 2 maps to p = 2, not IR",
        "p_t = r_t + c(a_t) − c(0): same optimal allocations, normalized profit = original + c(0) "
        "(App. C's conclusion v̄ = v − c − (v(0) − c(0)) holds; only IR is affected, and the paper allows c(0) ≠ 0: "
        "'c(0) ... is typically set to 0')",
        instance={"values": {"t1": {"a": "1"}, "t2": {"a": "1"}}, "costs": {"a": "0"},
                  "outside_values": {"t1": "0", "t2": "0"}, "outside_cost": "1", "q": "1/2"},
        confirmed_by="the engine's exact LP over random menus on the normalized problem",
        confirm=lp_route,
    )


# ----------------------------------------------------------------- STT-THM2
@st.composite
def id_environments(draw):
    """Increasing differences (Definition 3): alternatives 1 < 2 < ... < k above 0; every
    step raises v2 strictly more than v1.  Values may be negative (net of cost)."""
    k = draw(st.integers(1, 4))
    v1, v2 = [F(0)], [F(0)]
    for _ in range(k):
        step1 = draw(st.sampled_from([F(-1), F(-1, 2), F(0), F(1, 2), F(1), F(2)]))
        extra = draw(st.sampled_from([F(1, 2), F(1), F(2)]))
        v1.append(v1[-1] + step1)
        v2.append(v2[-1] + step1 + extra)
    env = Environment.from_dict(
        {"low": {f"x{j}": v1[j] for j in range(1, k + 1)}, "high": {f"x{j}": v2[j] for j in range(1, k + 1)}}
    )
    return env


def _theorem2_menus(env: Environment, q) -> set:
    """Theorem 2 as stated: a2 = a_2^E (any, with ties), IC2 and IR1 bind, a1 ∈ argmax v1 − q v2."""
    names = (*env.alternatives, OUTSIDE)
    v1 = {a: env.value("low", a) for a in names}
    v2 = {a: env.value("high", a) for a in names}
    best1 = max(v1[a] - q * v2[a] for a in names)
    a1s = [a for a in names if v1[a] - q * v2[a] == best1]
    a2s = [a for a in names if v2[a] == max(v2.values())]
    return {(a1, a2, v1[a1], v2[a2] - v2[a1] + v1[a1]) for a1 in a1s for a2 in a2s}


@claim("STT-THM2")
@given(id_environments(), st.one_of(q_values(), st.sampled_from([F(1, 2), F(2, 3), F(3, 4), F(5, 6)])))
def test_theorem2_tadelis_segal(evidence, env, q):
    """Theorem 2 (App. D.1), properties 1-4 as an 'iff' on the enumeration's optimal set;
    ID implies v2 ≥ v1 everywhere; Observation 0: first-best iff a_1^E = 0; property 6:
    for q above max v1(a)/v2(a) type 1 is excluded."""
    names = (*env.alternatives, OUTSIDE)
    order = [OUTSIDE, *env.alternatives]
    for i, a in enumerate(order):  # Definition 3, pairwise
        for b in order[:i]:
            assert env.value("high", a) - env.value("high", b) > env.value("low", a) - env.value("low", b)
        assert env.value("high", a) >= env.value("low", a)
    rev, menus = brute_deterministic(env, q)
    assert menus == _theorem2_menus(env, q)
    v1max = max(env.value("low", a) for a in names)
    v2max = max(env.value("high", a) for a in names)
    first_best = rev == (1 - q) * v1max + q * v2max
    assert first_best == (OUTSIDE in env.efficient_alternatives("low"))  # Observation 0
    ratios = [env.value("low", a) / env.value("high", a) for a in env.alternatives if env.value("low", a) > 0]
    q_hi = (1 + max(ratios, default=F(0))) / 2
    _, near_one = brute_deterministic(env, q_hi)
    assert {m[0] for m in near_one} <= {a for a in names if env.value("low", a) == 0 == env.value("high", a)} | {OUTSIDE}
    low_eff = set(env.efficient_alternatives("low"))
    evidence.reach("type 1's allocation distorted (a1 not efficient for the low type)", any(m[0] not in low_eff for m in menus))
    evidence.instances(1)


@claim("STT-THM2")
def test_theorem2_property6_typo_and_property5_example(evidence):
    """Property 5 (the low type may be excluded): restaurant with v = 5 satisfies ID
    (0 < fish < steak) and Theorists are excluded for q > 1/2.  Property 6 prints
    (v1(a1), v2(a2)) → (0, 0); with a_2^E = steak, v2(a2) = 60 stays; read (v1(a1), v2(a1))."""
    env = restaurant(5)
    _, menus = brute_deterministic(env, F(3, 4))
    assert menus == {("0", "steak", F(0), F(60))}
    (m,) = menus
    assert (env.value("T", m[0]), env.value("A", m[1])) == (0, 60)
    assert (env.value("T", m[0]), env.value("A", m[0])) == (0, 0)

    def raw_route() -> bool:
        """The problem of Sec. 2 by enumeration (stt_common.raw_brute_force) for q = 3/4 and
        q = 99/100: every optimal menu has (v1(a1), v2(a2)) = (0, 60)."""
        vals = {"T": {"steak": F(30), "fish": F(5)}, "A": {"steak": F(60), "fish": F(20)}}
        ok = True
        for q in (F(3, 4), F(99, 100)):
            _, raw = raw_brute_force(vals, {}, {"T": F(0), "A": F(0)}, F(0), q, ("T", "A"))
            got = {(F(0) if x[0] == OUTSIDE else vals["T"][x[0]], F(0) if x[1] == OUTSIDE else vals["A"][x[1]]) for x in raw}
            ok = ok and got == {(F(0), F(60))}
        return ok

    evidence.qualified(
        "Theorem 2, property 6: (v1(a1), v2(a2)) approaches (0, 0) as q → 1",
        "restaurant v = 5 (ID holds), q = 3/4: (v1(a1), v2(a2)) = (0, 60)",
        "(v1(a1), v2(a1)) approaches (0, 0) (a typo shared with Theorem 1, property 9, and Corollary 1, property 10)",
        instance={"types": env.to_dict()["types"], "q": "3/4"},
        confirmed_by="enumeration of the problem of Sec. 2 (stt_common.raw_brute_force)",
        confirm=raw_route,
    )


# ------------------------------------------------------------------ STT-WID
def _implementable(x1, y1, x2, y2) -> bool:
    """Fourier–Motzkin on p ∈ R²: p1 ≤ x1, p2 ≤ y2, p1 − p2 ≤ x1 − x2, p2 − p1 ≤ y2 − y1
    (IR1, IR2, IC1, IC2 for the allocation (a1, a2) with a1 = (x1, y1), a2 = (x2, y2))."""
    # rows (c1, c2, rhs) meaning c1 p1 + c2 p2 <= rhs; eliminate p1, then p2
    rows = [(F(1), F(0), x1), (F(0), F(1), y2), (F(1), F(-1), x1 - x2), (F(-1), F(1), y2 - y1)]
    pos = [r for r in rows if r[0] > 0]
    neg = [r for r in rows if r[0] < 0]
    rest = [r for r in rows if r[0] == 0]
    for p in pos:
        for n in neg:
            a, b = p[0], -n[0]
            rest.append((F(0), b * p[1] + a * n[1], b * p[2] + a * n[2]))
    pos2 = [r for r in rest if r[1] > 0]
    neg2 = [r for r in rest if r[1] < 0]
    zero = [r for r in rest if r[1] == 0]
    if any(r[2] < 0 for r in zero):
        return False
    for p in pos2:
        for n in neg2:
            if -n[1] * p[2] + p[1] * n[2] < 0:
                return False
    return True


@claim("STT-WID")
@given(two_type_environments())
def test_wid_holds_with_both_orders_and_characterizes_implementability(evidence, env):
    """Definition 4 with 2 ≽_T 1 and a ≽_2 a' ⇔ d(a) ≥ d(a'), and with the reverse orders;
    an allocation (a1, a2) is implementable by IC-IR payments iff it gives the higher
    ranked type the higher ranked alternative, under either pair of orders (Börgers,
    Prop. 5.5), checked by Fourier–Motzkin elimination."""
    names = (*env.alternatives, OUTSIDE)
    t1, t2 = env.types
    v = {a: (env.value(t1, a), env.value(t2, a)) for a in names}
    # The order is built from implementability (Fourier–Motzkin on the four constraints),
    # not from v2 − v1: a ≽ a' iff giving a' to type 1 and a to type 2 admits IC-IR payments.
    geq = {(a, b): _implementable(*v[b], *v[a]) for a, b in product(names, repeat=2)}
    for a, b in product(names, repeat=2):
        assert geq[(a, b)] or geq[(b, a)]  # complete
        for c in names:
            assert not (geq[(a, b)] and geq[(b, c)]) or geq[(a, c)]  # transitive
    for a, b in product(names, repeat=2):  # Definition 4, t ≽_T t' for both type orders
        if geq[(a, b)]:  # 2 ≽_T 1 with this order (the paper's ≽_2)
            assert env.value(t2, a) - env.value(t1, a) >= env.value(t2, b) - env.value(t1, b)
        if geq[(b, a)]:  # 1 ≽_T 2 with the reverse order (the paper's ≽_1)
            assert env.value(t1, a) - env.value(t1, b) >= env.value(t2, a) - env.value(t2, b)
    d2 = {a: v[a][1] - v[a][0] for a in names}  # the paper's ≽_2, compared with the order above
    assert all(geq[(a, b)] == (d2[a] >= d2[b]) for a, b in product(names, repeat=2))
    ties = any(a != b and d2[a] == d2[b] and v[a] != v[b] for a, b in product(names, repeat=2))
    evidence.reach("a tie in ≽_2 between alternatives with different values (WID allows ties)", ties)
    evidence.instances(1)


@claim("STT-WID")
@FILTERING
@given(st.one_of(two_type_environments(), contested_environments()), q_values())
def test_app_d2_trichotomy_and_randomization_with_zero_the_unique_lowest(evidence, env, q):
    """App. D.2 prose: with unique efficient alternatives, a_2^E ≽_2 0 ≽_2 a_1^E ⇔ both
    uncontested; else a_2^E ≽_2 a_1^E ≻_2 0 (type 1 contested) or 0 ≻_2 a_2^E ≽_2 a_1^E
    (type 2 contested).  If 0 is the unique ≻_2-lowest alternative, randomization does not
    help (LP revenue = best deterministic revenue)."""
    t1, t2 = env.types
    e1, e2 = env.efficient_alternatives(t1), env.efficient_alternatives(t2)
    assume(len(e1) == 1 and len(e2) == 1)
    d = {a: env.value(t2, a) - env.value(t1, a) for a in (*env.alternatives, OUTSIDE)}
    (a1e,), (a2e,) = e1, e2
    t = analyze(env)
    unc_first, unc_second = (t.uncontested2, t.uncontested1) if t.swapped else (t.uncontested1, t.uncontested2)
    both = d[a2e] >= 0 >= d[a1e]
    assert both == (unc_first and unc_second)
    if not both:
        assert (d[a2e] >= d[a1e] > 0 and not unc_first) or (0 > d[a2e] >= d[a1e] and not unc_second)
    if all(d[a] > 0 for a in env.alternatives):
        r = optimal_mechanism(env, q_market(env, q), face=False).revenue
        assert r == optimal_deterministic(env, q_market(env, q)).revenue
    evidence.reach("one type contested (not the first-best branch)", not both)
    evidence.instances(1)


@claim("STT-WID")
@FILTERING
@given(st.one_of(two_type_environments(), contested_environments()))
def test_app_d2_removing_alternatives_below_zero_is_harmless_iff_a_bd1_is_excluded(evidence, env):
    """App. D.2: restricting to the alternatives ≻_2-above 0 (and 0) is without loss only if
    a^BD1 is the outside option: the optimal deterministic profit is unchanged for every q
    iff v1(a^BD1) = 0 (profits compared exactly on the union of both envelopes' breakpoints
    and midpoints, where both are linear; spot-checked by enumeration near q = 1)."""
    t = analyze(env)
    assume(not t.uncontested1)  # (with type 1 contested every efficient alternative of type 2 is above 0)
    keep = [a for a in env.alternatives if t.d[a] > 0]
    assume(keep and len(keep) < env.k)
    sub = Environment.from_dict(
        {ty: {a: env.value(ty, a) for a in keep} for ty in env.types}
    )
    ts = analyze(sub, swap=t.swapped)
    cuts = sorted({F(0), F(1), *t.deterministic_envelope.points, *ts.deterministic_envelope.points})
    pts = sorted({*cuts, *((a + b) / 2 for a, b in zip(cuts, cuts[1:]))} - {F(0), F(1)})
    same = all(t.deterministic_profit(q) == ts.deterministic_profit(q) for q in pts)
    assert same == (t.b == 0)
    qn = t.to_file_q((1 + max(t.q_bd1, ts.q_bd1)) / 2)
    assert (brute_deterministic(env, qn)[0] == brute_deterministic(sub, qn)[0]) == (t.b == 0)
    evidence.reach("v1(a^BD1) ≠ 0 (removing the alternatives below 0 loses profit)", t.b != 0)
    evidence.instances(1)
