"""Paper 003 (Haghpanah & Siegel, Screening two types), Sec. 3 and App. A:
at least one type is uncontested (fn 13), the No Tradeoff Lemma (Lemma 1),
Theorem 1 (properties 1-9, first-best, (BD1), (V), (q-BD1)) and Lemma 2.

Independent oracles (see ``stt_common``): the engine's exact enumeration of
deterministic menus and its certified LP over random menus.  The paper's
constructions (A⁺, a^BD1, a^VA, A_1(q), q^BD1) come from
:mod:`exactscreen.two_types.analysis`; every property is asserted on the oracle's
*set* of optimal menus, so ties are checked, not assumed away.
"""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import OUTSIDE, Environment
from exactscreen.two_types.analysis import analyze, argmax_direction, upper_envelope

from .stt_common import (
    brute_deterministic,
    certify_deterministic_pieces,
    lp_face,
    q_values,
    restaurant,
    two_type_environments,
)


def _definition2(env: Environment) -> tuple[bool, bool]:
    """Definition 2 read with efficient *sets*: type t is uncontested if some efficient
    alternative is valued weakly more by t than by the other type (file order)."""
    names = (*env.alternatives, OUTSIDE)
    v = [{a: env.value(t, a) for a in names} for t in env.types]
    out = []
    for t in (0, 1):
        best = max(v[t].values())
        out.append(any(v[t][a] >= v[1 - t][a] for a in names if v[t][a] == best))
    return out[0], out[1]


def _paper(t, menus):
    """Brute-force menus in the paper's labels: (a1, a2, p1, p2)."""
    return {(m[1], m[0], m[3], m[2]) if t.swapped else m for m in menus}


# ------------------------------------------------------------------ STT-UNC
@claim("STT-UNC")
@given(two_type_environments())
def test_at_least_one_type_is_uncontested(evidence, env):
    """fn 13: d(a_2^E) ≥ d(a_1^E) for all efficient alternatives, hence one type is uncontested."""
    u1, u2 = _definition2(env)
    names = (*env.alternatives, OUTSIDE)
    v = [{a: env.value(t, a) for a in names} for t in env.types]
    e = [[a for a in names if v[t][a] == max(v[t].values())] for t in (0, 1)]
    for a1 in e[0]:
        for a2 in e[1]:
            assert v[1][a2] - v[0][a2] >= v[1][a1] - v[0][a1]
    assert u1 or u2
    t = analyze(env)
    assert (t.uncontested1, t.uncontested2) == ((u2, u1) if t.swapped else (u1, u2))
    evidence.instances(1)


@claim("STT-UNC")
def test_the_three_cases_of_fig3_occur(evidence):
    """Fig. 3: (a) both uncontested, (b) type 1 contested, (c) type 2 contested (relabelled)."""
    cases = {
        "(a) both": restaurant(35),
        "(b) type 1 contested": restaurant(15),
        "(c) second listed contested": Environment.from_dict({"A": {"steak": 60, "fish": 20}, "T": {"steak": 30, "fish": 15}}),
    }
    got = {k: _definition2(e) for k, e in cases.items()}
    evidence.note("; ".join(f"{k}: uncontested (first, second) = {v}" for k, v in got.items()))
    assert got == {"(a) both": (True, True), "(b) type 1 contested": (False, True), "(c) second listed contested": (True, False)}
    assert analyze(cases["(c) second listed contested"]).swapped


# ----------------------------------------------------------------- STT-LEM1
@claim("STT-LEM1")
@given(two_type_environments(), q_values())
def test_no_tradeoff_lemma_in_every_optimal_menu(evidence, env, q):
    """Lemma 1 on the *sets* of optimal menus: deterministic (enumeration) and random
    (LP face: every optimal mechanism)."""
    unc = _definition2(env)
    names = (*env.alternatives, OUTSIDE)
    _, menus = brute_deterministic(env, q)
    face = lp_face(env, q)
    for i, ty in enumerate(env.types):
        if not unc[i]:
            continue
        other = env.types[1 - i]
        eff = set(env.efficient_alternatives(ty))
        for m in menus:
            a_own, a_other, p_other = m[i], m[1 - i], m[3 - i]
            assert a_own in eff  # served efficiently
            assert env.value(other, a_other) - p_other == 0  # the other type's IR binds
        used = {a for a in names if face["alloc"][ty][a][1] > 0}
        assert used <= eff  # every optimal random menu serves it efficiently
        assert face["surplus"][other] == (F(0), F(0))
    evidence.instances(1)


@claim("STT-LEM1")
def test_lemma1_with_a_tie_in_e2_lotteries_may_use_an_efficient_alternative_below_the_diagonal(evidence):
    """With ties in E_2 (excluded by fn 9) Lemma 1 still holds, and "efficient" is all it
    says: E_2 = {up, down} with d(up) = 2 > 0 > d(down) = −1.  Deterministic optimal menus
    give type 2 only 'up'; optimal *random* menus may give a lottery putting up to 2/3 on
    'down' (any lottery over E_2 with v2 ≥ v1 is optimal)."""
    env = Environment.from_dict({"t1": {"up": 0, "down": 3}, "t2": {"up": 2, "down": 2}})
    q = F(1, 2)
    _, menus = brute_deterministic(env, q)
    face = lp_face(env, q)
    evidence.note(f"deterministic a2: {sorted({m[1] for m in menus})}; LP range of x2(down): [{', '.join(map(str, face['alloc']['t2']['down']))}]")
    assert {m[1] for m in menus} == {"up"}
    assert face["alloc"]["t2"]["down"] == (F(0), F(2, 3))


# ----------------------------------------------------------------- STT-THM1
@claim("STT-THM1")
@given(two_type_environments())
def test_theorem1_piecewise_menus_equal_brute_force_for_every_q(evidence, env):
    """The whole piecewise description (breakpoints, A_1(q) × (E_2 ∩ A⁺), payments) equals
    the set of optimal deterministic menus found by enumeration, for every q ∈ (0, 1):
    certified by convexity (see certify_deterministic_pieces)."""
    t = analyze(env)
    solves = certify_deterministic_pieces(t)
    evidence.instances(1)
    if len(t.deterministic_pieces) > 3:
        evidence.note(f"e.g. {len(t.deterministic_pieces)} pieces certified with {solves} exact enumerations")


@claim("STT-THM1")
@given(two_type_environments(), q_values(), q_values())
def test_theorem1_properties_on_the_brute_force_optimal_set(evidence, env, qa, qb):
    """Properties 1-8 (tie-robust forms) and the first-best statement, asserted on the
    engine's enumeration; A_1(q), a^BD1, a^VA and q^BD1 from their definitions."""
    t = analyze(env)
    rev, menus = brute_deterministic(env, qa)
    q = t.to_paper_q(qa)
    menus = _paper(t, menus)
    v = t.v
    first_best_value = (1 - q) * t.v1max + q * t.v2max
    assert (rev == first_best_value) == (t.uncontested1 and t.uncontested2)  # first-best iff both uncontested
    for a1, a2, p1, p2 in menus:
        assert a2 in t.E2 and a2 in t.A_plus  # 1 (with ties: E_2 ∩ A⁺)
        assert a1 in t.A_plus or a1 in t.bd1  # 3: A_1(q) ⊆ A⁺ ∪ a^BD1
        assert p1 == v[a1][0]  # 2
        if a1 in t.A_plus:
            assert v[a2][1] - p2 == v[a1][1] - p1  # 4: IC2 binds
            prof = v[a1][0] - q * v[a1][1] + q * v[a2][1]
        if a1 in t.bd1:
            assert p2 == v[a2][1]  # 5: IR2 binds
            prof = (1 - q) * t.b + q * t.v2max
        assert rev == prof  # 6
    a1s = {m[0] for m in menus}
    assert a1s == t.A1(q)  # 3
    if q < t.q_bd1:
        assert a1s <= t.A_plus - t.bd1  # 3(a)
    if q > t.q_bd1:
        assert a1s == t.bd1  # 3(b)
    # 7, 8 across two probabilities
    _, menus2 = brute_deterministic(env, qb)
    q2 = t.to_paper_q(qb)
    if q2 != q:
        lo, hi = (menus, _paper(t, menus2)) if q < q2 else (_paper(t, menus2), menus)
        for m in lo:
            for m2 in hi:
                if not (m[0] in t.bd1 and m2[0] in t.bd1):
                    assert v[m2[0]][0] <= v[m[0]][0] and v[m2[0]][1] <= v[m[0]][1]  # 7
                assert v[m2[1]][1] - m2[3] <= v[m[1]][1] - m[3]  # 8
    evidence.instances(1)


@claim("STT-THM1")
@given(two_type_environments())
def test_q_bd1_closed_form_equals_the_definition_and_property_9(evidence, env):
    """(q-BD1): the closed form used by the code equals min{q : a^BD1 ∈ A_1(q)} read off
    the exact envelope of (5); finite A gives q^BD1 < 1; property 9 (corrected, see the
    qualification test): near q = 1 type 1's value is 0 in every optimal menu iff
    v1(a^BD1) = 0, checked by enumeration at q = (1 + q^BD1)/2."""
    t = analyze(env)
    env5 = t.deterministic_envelope
    first = next(q for q, s in zip(env5.points, env5.at_points) if t.A1(q) & t.bd1)
    assert first == t.q_bd1 < 1
    qn = t.to_file_q((1 + t.q_bd1) / 2)
    _, menus = brute_deterministic(env, qn)
    menus = _paper(t, menus)
    assert all(t.v[m[0]][0] == 0 for m in menus) == (t.b == 0)
    if t.bd1 == {OUTSIDE} or all(t.v[a] == (0, 0) for a in t.bd1):
        assert all(t.v[m[0]] == (0, 0) for m in menus)
    evidence.instances(1)


@claim("STT-THM1")
def test_theorem1_restaurant_instance(evidence):
    """App. B, 10 ≤ v ≤ 20 with v = 15: a^BD1 = 0, a^VA = (0, 0), q^BD1 = v/20 = 3/4."""
    t = analyze(restaurant(15))
    evidence.compared("a^BD1 (v = 15)", sorted(t.bd1), ["0"])
    evidence.compared("q^BD1 (v = 15)", t.q_bd1, F(3, 4))
    assert t.bd1 == {OUTSIDE} and t.va == (0, 0) and t.q_bd1 == F(3, 4)
    assert t.A1(F(1, 2)) == {"fish"} and t.A1_prime(F(3, 4)) >= {"fish"}


@claim("STT-THM1")
def test_theorem1_property9_typo_and_the_tie_cases(evidence):
    """One failure under the paper's own assumptions (a typo), and two in the tie cases the
    paper assumes away; the corrections hold (by enumeration).

    (ii) The qualification.  Property 9 writes (v1(a1), v2(a2)) → (0, 0); v2(a2) =
        v2(a_2^E) does not depend on q (restaurant, v = 5, q = 9/10: (0, 60)).  Read
        (v1(a1), v2(a1)), the point of V that type 1 gets, as the proof of property 9 in
        App. A ('the maximizer of (5) must coincide or be close to (0, 0)') and Sec. 2.1
        ('type 1's allocation approaches the outside option') do.
    The other two hold as stated under the paper's uniqueness assumptions (fn 9: a_t^E
    unique; Sec. 3.3: a^BD1 unique, both 'for expositional simplicity'); they record what
    the tie-as-sets extension (issue 5) must say instead:
    (i) Property 1 with a tie in E_2: t1 values a at 1, t2 at 0, so E_2 = {0, a}.  The menu
        of properties 1-5 with a2 = a (efficient) is {(a, 1), (a, 0)}, which is not IC;
        the optimal menus have a2 ∈ E_2 ∩ A⁺ = {0}.
    (iii) Property 7 with a tie in a^BD1: p = (1, 2), r = (0, −1): a^BD1 = {0, r}, both
        optimal for q ≥ 1/2; a1 = r at q = 3/5 and a1 = 0 at q = 3/4 raises v2(a1) from
        −1 to 0.  Property 7 holds for every selection outside the a^BD1 tie (and property
        9 then reads 'v1(a^BD1) = 0' for 'a^BD1 is the outside option')."""
    # (i)
    env = Environment.from_dict({"t1": {"a": 1}, "t2": {"a": 0}})
    t = analyze(env)
    assert t.E2 == {"0", "a"} and t.E2_plus == {"0"}
    _, menus = brute_deterministic(env, F(1, 2))
    literal = ("a", "a", F(1), F(0))
    assert literal not in menus and menus == {("a", "0", F(1), F(0))}
    assert env.value("t1", "a") - 1 < env.value("t1", "a") - 0  # type 1 prefers type 2's option
    # (ii)
    r = restaurant(5)
    assert analyze(r).bd1 == {OUTSIDE}  # so property 9 promises (0, 0)
    _, menus = brute_deterministic(r, F(9, 10))
    (m,) = menus
    assert (r.value("T", m[0]), r.value("A", m[1])) == (0, 60)  # as written: not (0, 0)
    assert (r.value("T", m[0]), r.value("A", m[0])) == (0, 0)  # corrected
    # (iii)
    env3 = Environment.from_dict({"t1": {"p": 1, "r": 0}, "t2": {"p": 2, "r": -1}})
    t3 = analyze(env3)
    assert t3.bd1 == {"0", "r"} and t3.q_bd1 == F(1, 2)
    _, m35 = brute_deterministic(env3, F(3, 5))
    _, m34 = brute_deterministic(env3, F(3, 4))
    assert {m[0] for m in m35} == {m[0] for m in m34} == {"0", "r"}
    assert env3.value("t2", "r") < env3.value("t2", "0")  # v2(a1) rises from −1 to 0 along this selection
    evidence.qualified(
        "Theorem 1, property 9: (v1(a1), v2(a2)) → (0, 0) as q → 1 iff a^BD1 is the outside option",
        "restaurant v = 5, q = 9/10: a^BD1 = 0 and a1 = 0, but (v1(a1), v2(a2)) = (0, 60) for every q",
        "(v1(a1), v2(a1)) → (0, 0) iff a^BD1 = 0 (a typo: v2(a1) for v2(a2)); properties 1-8 and the first-best "
        "statement hold as written under the paper's uniqueness of a_t^E (fn 9) and a^BD1 (Sec. 3.3)",
    )
    evidence.note(
        "beyond the paper's uniqueness assumptions (ties as sets): property 1 needs a2 ∈ E_2 ∩ A⁺ "
        "(E_2 = {0, a} with a = (1, 0): a2 = a is not IC); property 7 fails only between tied elements of "
        "a^BD1 ({p: (1, 2), r: (0, −1)}: a1 = r at q = 3/5, a1 = 0 at q = 3/4 raises v2(a1) from −1 to 0); "
        "property 9 then reads v1(a^BD1) = 0"
    )


# ----------------------------------------------------------------- STT-LEM2
@st.composite
def _point_sets(draw):
    pts = draw(st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4)), min_size=1, max_size=6))
    return {f"s{i}": (F(x), F(y)) for i, (x, y) in enumerate(pts)}


@claim("STT-LEM2")
@given(_point_sets(), q_values(), q_values())
def test_lemma2_for_zero_le_q_lt_qprime_le_one(evidence, pts, qa, qb):
    """Lemma 2 with q, q' probabilities (the paper's q; '≥ 0' admits q = 0, used in App. A,
    step three): for 0 ≤ q < q' ≤ 1 every maximizer at q' has b − a ≤ every maximizer at q
    (maximizers by exact comparison; q = 0 and q' = 1 included through the ends)."""
    qs = sorted({F(0), qa, qb, F(1)})
    for i, q in enumerate(qs):
        for q2 in qs[i + 1:]:
            for s in argmax_direction(pts, q):
                for s2 in argmax_direction(pts, q2):
                    (a, b), (a2, b2) = pts[s], pts[s2]
                    assert b2 - a2 <= b - a
    evidence.note(
        "Lemma 2 for probabilities 0 ≤ q < q' ≤ 1 (the paper's q): b − a of every maximizer at q' ≤ that of every "
        "maximizer at q, on random integer point sets with ties"
    )
    evidence.instances(1)


@claim("STT-LEM2")
def test_lemma2_outside_the_probability_range(evidence):
    """Lemma 2 says 'for any q' ≥ q ≥ 0'.  In the paper q is type 2's probability, and
    '≥ 0' admits the end point q = 0 that App. A, step three uses; every application has
    0 ≤ q ≤ q' ≤ 1.  Read that way the lemma holds (previous test; with q' = q the notation
    (a^q, b^q) names one maximizer, and the proof starts 'Suppose that q' > q').  Recorded
    here as a remark, not a failure: read for arbitrary reals q' ≥ q ≥ 0 with the two
    maximizers chosen independently, it fails at q' = q (two maximizers with different
    b − a) and for q' > 1 (the order reverses; the proof's 'so b^q − b^{q'} < 0' uses
    q' < 1).  Smallest examples over integer points in [−1, 2]² (exhaustive search)."""
    from itertools import combinations, product

    def violation(pts, q, q2):
        for s in argmax_direction(pts, q):
            for s2 in argmax_direction(pts, q2):
                (a, b), (a2, b2) = pts[s], pts[s2]
                if b2 - a2 > b - a:
                    return (pts[s], pts[s2])
        return None

    grid = [(F(x), F(y)) for x, y in product(range(-1, 3), repeat=2)]
    cases = {"equal": (F(0), F(0)), "above one": (F(0), F(3))}
    found = {}
    for combo in combinations(grid, 2):
        pts = {"s0": combo[0], "s1": combo[1]}
        for label, (q, q2) in cases.items():
            bad = violation(pts, q, q2)
            if label not in found and bad:
                found[label] = (combo, bad)
    assert set(found) == set(cases)
    # the corrected range holds on every pair of grid points for several q < q' in [0, 1]
    for combo in combinations(grid, 2):
        pts = {"s0": combo[0], "s1": combo[1]}
        for q, q2 in [(F(0), F(1, 3)), (F(1, 3), F(1)), (F(0), F(1)), (F(1, 2), F(1))]:
            assert violation(pts, q, q2) is None
    eq, above = found["equal"][0], found["above one"][0]
    evidence.note(
        "remark (outside the paper's range of q, not a failure): read for any reals q' ≥ q ≥ 0 with independent "
        f"maximizers, Lemma 2 fails at q' = q = 0 with S = {[tuple(map(str, p)) for p in eq]} and at q = 0, q' = 3 "
        f"with S = {[tuple(map(str, p)) for p in above]}; it holds for the probabilities 0 ≤ q < q' ≤ 1 the paper uses"
    )


@claim("STT-LEM2")
def test_lemma2_envelope_matches_pairwise_maximization(evidence):
    """The exact envelope used everywhere agrees with direct maximization at all its
    breakpoints and midpoints on the restaurant's valuation pairs (v = 25)."""
    t = analyze(restaurant(25))
    env = upper_envelope(t.v)
    for q, s in zip(env.points, env.at_points):
        assert s == argmax_direction(t.v, q)
    for (lo, hi), s in zip(zip(env.points, env.points[1:]), env.between):
        assert s == argmax_direction(t.v, (lo + hi) / 2)
    evidence.compared("breakpoint of B_1(q) steak → fish, v = 25 (App. B: (30 − v)/40)", env.points[1], F(1, 8))
    assert env.points == (F(0), F(1, 8), F(1))
