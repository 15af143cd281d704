"""Paper 003 (Haghpanah & Siegel, Screening two types), Sec. 4 and App. E, F:
Corollary 1 and Lemma 3 (convex V), Corollary 2 (random menus), Corollary 3
(when randomization helps, Fig. 7).

Random menus are the deterministic menus over the convex set V^R of
valuation pairs of lotteries (Sec. 4.2).  Oracles: the engine's certified LP
(every optimal random mechanism) and its enumeration of deterministic menus.
"""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import assume, given

from exactscreen.claims import claim
from exactscreen.environment import OUTSIDE, Environment
from exactscreen.mechanisms.mechanism import Mechanism
from exactscreen.mechanisms.optimum import optimal_deterministic, optimal_mechanism
from exactscreen.two_types.analysis import analyze, hull, on_hull_boundary

from hypothesis import strategies as st

from .stt_common import (
    FILTERING,
    boundary_chain_environments,
    certify_random_pieces,
    contested_environments,
    convexified_environment,
    independent,
    lp_face,
    q_market,
    raw_brute_force,
    restaurant,
    two_type_environments,
)

#: the general generator and one that builds a contested type 1 (issue 13)
ENVS = st.one_of(two_type_environments(), contested_environments(), contested_environments())


def _contested(env):
    t = analyze(env)
    assume(not t.uncontested1)
    return t


# ----------------------------------------------------------------- STT-COR2
@claim("STT-COR2")
@given(ENVS)
def test_corollary2_piecewise_random_menus_equal_the_lp_face_for_every_q(evidence, env):
    """Corollary 2 (and the first-best when type 1 is uncontested): on every piece the
    predicted sets of optimal random alternatives of both types (probability ranges of
    every alternative), payment and utility ranges and the always/sometimes binding
    constraints equal the exact LP face; profits are certified for all q by convexity."""
    t = analyze(env)
    calls = certify_random_pieces(t)
    evidence.reach("type 1 contested, 0 < q^CD < 1 (random pieces on both sides of q^CD)", not t.uncontested1 and 0 < t.q_cd < 1)
    evidence.instances(1)
    if len(t.random_pieces) >= 4:
        evidence.note(f"e.g. {len(t.random_pieces)} pieces certified with {calls} exact LP solves")


@claim("STT-COR2")
@FILTERING
@given(ENVS)
def test_q_cd_equals_q_bd1_of_the_random_alternatives(evidence, env):
    """q^CD (CD) from B_1 over the deterministic alternatives equals q^BD1 (q-BD1)
    computed by Theorem 1 over the random alternatives (a finite W ⊂ conv V with the same
    clipped hulls); and the paper's 'particular' x1 of 3(b), 3(c) is optimal (IC, IR and
    the LP's revenue, checked by the engine's Mechanism)."""
    t = _contested(env)
    w_env, _ = convexified_environment(env)
    tw = analyze(w_env, swap=t.swapped)
    assert tw.q_bd1 == t.q_cd == independent(env).q_cd
    evidence.reach("0 < q^CD < q^BD1 (randomization moves the threshold)", 0 < t.q_cd < t.q_bd1)
    for piece in t.random_pieces:
        if piece.case not in ("q=qCD", "q>qCD"):
            continue
        qp = piece.lo if piece.is_point else (piece.lo + piece.hi) / 2
        qf = t.to_file_q(qp)
        names = (*env.alternatives, OUTSIDE)
        x1 = tuple(piece.particular.get(a, F(0)) for a in names)
        x2v = piece.x2.vertices[0]
        x2 = tuple(x2v.get(a, F(0)) for a in names)
        d1 = sum((p * t.d[a] for a, p in piece.particular.items()), F(0))
        p1 = sum((p * t.v[a][0] for a, p in piece.particular.items()), F(0))
        p2 = t.v2max - max(F(0), d1)
        alloc = {t.type1: x1, t.type2: x2}
        pay = {t.type1: p1, t.type2: p2}
        m = Mechanism(env, tuple(alloc[ty] for ty in env.types), tuple(pay[ty] for ty in env.types))
        assert m.is_ic and m.is_ir
        assert m.revenue(q_market(env, qf)) == optimal_mechanism(env, q_market(env, qf), face=False).revenue
    evidence.instances(1)


@claim("STT-COR2")
def test_corollary2_restaurant_surf_and_turf(evidence):
    """App. B, 20 < v < 30 with v = 25: q^CD = (30 − v)/40 = 1/8; above it the optimal
    random dish is 30/(v + 10) = 6/7 fish and (v − 20)/(v + 10) = 1/7 steak, priced
    60(v − 10)/(v + 10) = 180/7; steak at 60 (LP face)."""
    env = restaurant(25)
    t = analyze(env)
    evidence.compared("q^CD (v = 25)", t.q_cd, F(1, 8))
    assert t.q_cd == F(1, 8)
    face = lp_face(env, F(1, 2), t)
    evidence.compared("fish share of the mixed dish", face["alloc"]["T"]["fish"], (F(6, 7), F(6, 7)))
    evidence.compared("price of the mixed dish", face["payment"]["T"], (F(180, 7), F(180, 7)))
    assert face["alloc"]["T"]["fish"] == (F(6, 7), F(6, 7)) and face["alloc"]["T"]["steak"] == (F(1, 7), F(1, 7))
    assert face["payment"] == {"T": (F(180, 7), F(180, 7)), "A": (F(60), F(60))}
    assert face["always"] >= {"IR1", "IR2", "IC2"}


# ----------------------------------------------------------------- STT-COR1
@claim("STT-COR1")
@FILTERING
@given(ENVS)
def test_lemma3_and_corollary1_on_the_convex_set_of_random_alternatives(evidence, env):
    """Lemma 3 (App. E) on convex V = V^R (type 1 contested): q^OD exists, B_1(q) ⊆ A⁺
    below it, a^BD1 on the diagonal, B_1(q^OD) ∩ A⁼ = {a^BD1} in value space, q^OD =
    q^BD1.  Corollary 1: properties 3(a)-(c) and 6 against the LP (binding sets, revenue)."""
    t = _contested(env)
    w_env, _ = convexified_environment(env)
    tw = analyze(w_env, swap=t.swapped)
    assert not tw.uncontested1
    q_od = tw.q_od
    assert q_od is not None  # (1)
    assert all(tw.v[a][0] == tw.v[a][1] for a in tw.bd1)  # (3) a^BD1 on the diagonal
    env_w = tw.full_envelope
    for (lo, hi), s in zip(zip(env_w.points, env_w.points[1:]), env_w.between):
        if hi <= q_od:
            assert s <= tw.A_plus  # (2)
    for q, s in zip(env_w.points, env_w.at_points):
        if q < q_od:
            assert s <= tw.A_plus
    if q_od < 1:
        assert {tw.v[a] for a in tw.B1(q_od) & tw.A_eq} == {tw.va}  # (4)
    assert q_od == tw.q_bd1 == t.q_cd  # (5), and Corollary 2's q^CD
    # Corollary 1 against the LP at q below, at and above q^OD
    v2max = t.v2max
    for qp in sorted({q_od / 2, q_od, (1 + q_od) / 2} - {F(0), F(1)}):
        face = lp_face(env, t.to_file_q(qp), t)
        x, y = tw.v[next(iter(tw.B1(qp)))] if qp <= q_od else tw.va  # a1 ∈ B_1(q), then a^BD1
        assert face["revenue"] == x - qp * y + qp * v2max  # 6 (strengthened)
        assert "IC2" in face["always"] and "IR1" in face["always"]  # 2 and 3(a)-(c): IC2 binds for every q
        if qp > q_od:
            assert "IR2" in face["always"]  # 3(c)
            assert face["payment"][t.type1] == (tw.b, tw.b)  # a1 = a^BD1 (unique value pair)
        if qp == q_od:
            # 3(b): the alternative of B_1(q^OD) maximizing v2 − v1 is one optimal a1
            top = max(tw.d[a] for a in tw.B1(q_od))
            assert face["surplus"][t.type2][1] == top
    evidence.reach(
        "0 < q^OD < 1 with a^BD1 of V strictly below the diagonal (a mixture is V^R's a^BD1)",
        0 < q_od < 1 and not t.va_is_bd1,
    )
    evidence.instances(1)


@claim("STT-COR1")
@FILTERING
@given(st.one_of(boundary_chain_environments(), ENVS))
def test_corollary1_property10_traces_the_boundary_clockwise(evidence, env):
    """Property 10 (read with (v1(a1), v2(a1)); the paper prints v2(a2), as in Theorem 1's
    property 9): along the breakpoints of B_1 the LP's optimal value pairs of type 1 move
    weakly down in both coordinates, lie on the boundary of conv V, start at a_1^E and end
    at a^BD1 = (h, h)."""
    t = _contested(env)
    pts = list(t.v.values())
    env_b = t.full_envelope
    prev = None
    path = [q for q in env_b.points if 0 < q < 1 and q <= t.q_cd] + [(1 + t.q_cd) / 2]
    evidence.reach("a boundary path of 3+ points (2+ breakpoints of B_1 up to q^CD)", len(path) >= 3)
    for qp in path:
        face = lp_face(env, t.to_file_q(qp), t)
        v1_lo, v1_hi = face["payment"][t.type1]  # p1 = v1(x1) (IR1 binds)
        d_lo, d_hi = face["surplus"][t.type2]  # u2 = v2(x1) − v1(x1) (IC2 binds)
        hi_pair = (v1_hi, v1_hi + d_hi)
        lo_pair = (v1_lo, v1_lo + d_lo)
        for pair in (hi_pair, lo_pair):
            assert on_hull_boundary(pair, pts)
        if prev is not None:
            assert hi_pair[0] <= prev[0] and hi_pair[1] <= prev[1]
        prev = lo_pair
    from exactscreen.two_types.analysis import top_of_diagonal

    assert prev == (top_of_diagonal(pts),) * 2
    near0 = lp_face(env, t.to_file_q(F(1, 10**6)), t)
    assert near0["payment"][t.type1][1] == t.v1max  # starts at a_1^E
    evidence.instances(1)


# ----------------------------------------------------------------- STT-COR3
@claim("STT-COR3")
@FILTERING
@given(ENVS)
def test_corollary3_with_statement1_read_directionally(evidence, env):
    """Statements 2 and 3 are equivalent, and equivalent to statement 1 when 'on the
    boundary of the convex hull' is read as 'in B_1(q^CD)' (maximal in a direction
    (1, −q)); when violated, q^CD < 1 and randomization helps exactly for q > q^CD.
    Statement 3 and 'helps' are decided by the engines (LP vs enumeration) at q^CD and on
    both sides; the profit functions are piecewise linear and certified elsewhere."""
    t = _contested(env)
    c = t.corollary3
    assert c.statement1_directional == c.statement2 == c.statement3
    qcd = t.q_cd

    def helps(qp):
        qf = t.to_file_q(qp)
        r = optimal_mechanism(env, q_market(env, qf), face=False).revenue
        d = optimal_deterministic(env, q_market(env, qf)).revenue
        assert r >= d
        return r > d

    assert not helps(qcd / 2)
    if qcd < 1:
        assert not helps(qcd)
        assert helps((1 + qcd) / 2) == (not c.statement2)
        assert helps((1 + 3 * qcd) / 4) == (not c.statement2)
    if not c.statement2:
        assert qcd < 1 and c.helps == ((qcd, F(1), False, False),)
    if c.statement1 != c.statement2:
        evidence.note(f"literal statement 1 differs from statement 2 on {env.to_dict()['types']}")
    evidence.reach("statement 2 violated (randomization helps above q^CD)", not c.statement2)
    evidence.instances(1)


@claim("STT-COR3")
def test_corollary3_statement1_as_written_is_not_equivalent(evidence):
    """V = {0, p = (1, 2), r = (−1, −3)}: a^BD1 = a^VA = 0, a vertex of conv V, so
    statement 1 holds as written; but the highest diagonal point of conv V is (1/3, 1/3)
    (2/3 p + 1/3 r), not in V, and randomization helps for q > q^CD = 2/5 (at q = 1/2:
    random 7/6 > deterministic 1).  Only with a^BD1 = 0 can this happen: for b > 0 a
    boundary point (b, b) is the top of the diagonal chord.  No tie and no labelling issue:
    a_1^E = a_2^E = p and a^BD1 = 0 are unique, type 2 (file order) is uncontested, type 1
    contested, so the example is inside the paper's assumptions."""
    env = Environment.from_dict({"t1": {"p": 1, "r": -1}, "t2": {"p": 2, "r": -3}})
    t = analyze(env)
    c = t.corollary3
    assert not t.swapped and t.E1 == t.E2 == {"p"} and t.uncontested2 and not t.uncontested1
    assert t.bd1 == {OUTSIDE} and t.va_is_bd1
    assert (F(0), F(0)) in hull(list(t.v.values()))  # a vertex of the hull
    assert c.statement1 and not c.statement1_directional and not c.statement2 and not c.statement3
    q = F(1, 2)
    r = optimal_mechanism(env, q_market(env, q), face=False).revenue
    d = optimal_deterministic(env, q_market(env, q)).revenue
    evidence.compared("random vs deterministic profit at q = 1/2", (r, d), (F(7, 6), F(1)))
    assert (r, d) == (F(7, 6), F(1))
    assert t.q_cd == F(2, 5) and c.top == F(1, 3)

    def by_hand() -> bool:
        """Statement 1 holds and randomization helps, by arithmetic on the three points and the
        Sec. 2 enumeration: a^BD1 = 0 (independent threshold checker) is on the diagonal and a
        vertex of conv V (three non-collinear points); the random menu x1 = 2/3 p + 1/3 r at
        price 1/3, p to type 2 at 2, is IC and IR and earns 7/6 at q = 1/2, more than the best
        deterministic menu (raw_brute_force: 1)."""
        p, r = (F(1), F(2)), (F(-1), F(-3))
        non_collinear = p[0] * r[1] - p[1] * r[0] != 0
        x1 = (F(2, 3) * p[0] + F(1, 3) * r[0], F(2, 3) * p[1] + F(1, 3) * r[1])
        p1, p2 = x1[0], p[1]
        ic_ir = x1[0] - p1 >= 0 and p[1] - p2 >= 0 and x1[0] - p1 >= p[0] - p2 and p[1] - p2 >= x1[1] - p1
        random_profit = F(1, 2) * p1 + F(1, 2) * p2
        det, _ = raw_brute_force({"t1": {"p": p[0], "r": r[0]}, "t2": {"p": p[1], "r": r[1]}}, {},
                                 {"t1": F(0), "t2": F(0)}, F(0), F(1, 2), ("t1", "t2"))
        return independent(env).a_bd1 == {OUTSIDE} and non_collinear and ic_ir and random_profit == F(7, 6) > det == 1

    evidence.qualified(
        "Corollary 3: (1) a^VA = a^BD1 on the boundary of conv V ⇔ (2) ⇔ (3)",
        "V = {0, (1, 2), (−1, −3)}: (1) holds, randomization helps for q > 2/5",
        "(1') a^VA = a^BD1 ∈ B_1(q^CD) (the part of the boundary maximal in a direction (1, −q), q ∈ [0, 1]; "
        "the reading of Fig. 7(b)'s caption 'as long as a^BD1 ∉ B_1(q^CD)') ⇔ (2) ⇔ (3); "
        "if violated, q^CD < 1 and randomization helps iff q > q^CD",
        instance=env.to_dict(),
        confirmed_by="arithmetic on the three points (hull vertex, an explicit IC-IR random menu) and the "
        "enumeration of Sec. 2 (stt_common.raw_brute_force)",
        confirm=by_hand,
    )


@claim("STT-COR3")
def test_figure7_cases(evidence):
    """Fig. 7: (a) a^BD1 strictly below the diagonal → helps (restaurant, v = 25);
    (b) a^BD1 on the diagonal inside conv V → helps; (c) nothing strictly below the
    diagonal → never helps (restaurant, v = 15)."""
    a = analyze(restaurant(25)).corollary3
    b_env = Environment.from_dict({"t1": {"e": 3, "on": 1, "r": F(1, 2)}, "t2": {"e": 4, "on": 1, "r": -3}})
    tb = analyze(b_env)
    b = tb.corollary3
    c = analyze(restaurant(15)).corollary3
    assert not a.statement2 and a.helps == ((F(1, 8), F(1), False, False),)
    assert tb.bd1 == {"on"} and tb.va_is_bd1 and not b.statement1 and not b.statement2 and b.helps
    assert c.statement1 and c.statement2 and c.statement3 and c.helps == ()
    evidence.note(f"(a) helps for q in (1/8, 1); (b) helps for q in ({b.helps[0][0]}, 1); (c) never")


@claim("STT-COR1")
def test_corollary1_property10_as_printed(evidence):
    """Property 10 prints '(v1(a1), v2(a2)) traces the boundary of V ... to (v1(a^BD1),
    v2(a^BD1))'.  On the convex V^R of the restaurant with v = 25, for q > q^OD = 1/8 the
    optimal a1 is the mixed dish (180/7, 180/7) = a^BD1 of V^R while v2(a2) = 60 (steak), so
    the printed pair (180/7, 60) is not on the path's end; (v1(a1), v2(a1)) is."""
    env = restaurant(25)
    t = analyze(env)
    face = lp_face(env, F(1, 2), t)
    v1_a1 = face["payment"]["T"][0]
    printed = (v1_a1, t.v2max)
    corrected = (v1_a1, v1_a1 + face["surplus"]["A"][0])
    assert printed == (F(180, 7), F(60)) and corrected == (F(180, 7), F(180, 7))

    def closed_form() -> bool:
        """App. B's closed form at v = 25: the surf-and-turf is priced 60(v − 10)/(v + 10) =
        180/7 = v1(a1), steak is worth 60 = v2(a2) to A, and the highest diagonal point of
        conv V mixes steak (30, 60) and fish (25, 20) with weight w on steak solving
        30w + 25(1 − w) = 60w + 20(1 − w): (h, h) with h = 180/7; the printed pair is not it."""
        v = F(25)
        v1_a1 = 60 * (v - 10) / (v + 10)
        w = F(25 - 20) / ((60 - 20) - (30 - 25))
        h = 30 * w + 25 * (1 - w)
        return (v1_a1, F(60)) != (h, h) and h == v1_a1 == F(180, 7)

    evidence.qualified(
        "Corollary 1, property 10: (v1(a1), v2(a2)) traces the boundary of V to a^BD1",
        "restaurant v = 25 with random dishes, q = 1/2: (v1(a1), v2(a2)) = (180/7, 60)",
        "(v1(a1), v2(a1)) (the same typo as Theorem 1, property 9 and Theorem 2, property 6)",
        instance={"types": env.to_dict()["types"], "q": "1/2", "random": "true"},
        confirmed_by="App. B's closed form for the surf-and-turf and the diagonal chord, computed directly",
        confirm=closed_form,
    )
