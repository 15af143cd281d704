"""Paper 000 (Haghpanah & Siegel, Pareto improving segmentation), Sec. 3:
Observation 1 and the two-type example of Sec. 3.1.1 (Fig. 1, fn 11-12)."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import Market
from exactscreen.mechanisms.mechanism import Mechanism
from exactscreen.mechanisms.segmentation import check_segmentation, two_type_analysis

from .pis_common import FILTERING, efficient_cases, efficient_chain_cases, markets_within_support, q_market, sec311


@claim("PIS-OBS1")
@FILTERING
@given(st.one_of(efficient_cases(), efficient_chain_cases()), st.data())
def test_no_two_segment_split_of_an_efficient_market_is_pareto_improving(evidence, case, data):
    """Observation 1, contrapositive: an efficient market is not Pareto improvable.
    Random two-segment splits of efficient markets are solved exactly; none may be
    Pareto improving.  A market of one type has no non-trivial segmentation (trivial);
    hard case: a split into two segments different from f of a market of 2+ types
    (``efficient_chain_cases`` builds efficient markets of 4+ types from Lemma 4)."""
    env, f = case
    if len(f.support) < 2:
        evidence.trivial("a market of one type has no non-trivial segmentation")
        return
    f1 = data.draw(markets_within_support(env, f))
    if f1 == f:  # move all mass to one type of f: a segment different from f
        f1 = Market(env, tuple(F(1) if i == f.weights.index(min(x for x in f.weights if x > 0)) else F(0)
                               for i in range(env.n)))
    # largest weight w with f - w f1 >= 0, then a random fraction of it
    cap = min(f.weights[i] / f1.weights[i] for i in range(env.n) if f1.weights[i] > 0)
    w = min(cap, F(1)) * data.draw(st.sampled_from([F(1, 2), F(1, 3), F(9, 10), F(1, 100)]))
    evidence.reach("split of a 2+-type efficient market into two segments different from it", w < 1 and f1 != f)
    rest = tuple((a - w * b) / (1 - w) for a, b in zip(f.weights, f1.weights))
    chk = check_segmentation(env, f, [(w, f1), (1 - w, Market(env, rest))])
    evidence.instances(1)
    assert not chk.pareto_improving


# ---------------------------------------------------------------- Sec. 3.1.1
PAPER_PIECES = [
    # (interval as the paper states it, tL gets, tH gets, prices, CS(tH), efficient)
    ((F(0), F(1, 4), True, True), "aH", "aH", (F(1), F(1)), F(1), True),
    ((F(1, 4), F(3, 4), False, True), "aL", "aH", (F(3, 4), F(7, 4)), F(1, 4), False),
    ((F(3, 4), F(1), False, False), "0", "aH", (F(0), F(2)), F(0), False),
    ((F(1), F(1), True, True), "0", "aH", (F(0), F(2)), F(0), True),
]


@claim("PIS-EX311")
def test_sec311_intervals_mechanisms_and_surplus_are_the_papers(evidence):
    env = sec311()
    analysis = two_type_analysis(env)
    evidence.note(
        "markets q split as the paper says: "
        + ", ".join(f"{p.interval()} CS(tH)={p.cs[1]}{' efficient' if p.efficient else ''}" for p in analysis.pieces)
    )
    evidence.note("pieces: " + "; ".join(repr(p) for p in analysis.pieces))
    assert len(analysis.pieces) == len(PAPER_PIECES)
    for piece, (iv, a_l, a_h, prices, cs_h, eff) in zip(analysis.pieces, PAPER_PIECES):
        evidence.compared(f"interval {piece.interval()}", (piece.lo, piece.hi, piece.lo_closed, piece.hi_closed), iv)
        assert (piece.lo, piece.hi, piece.lo_closed, piece.hi_closed) == iv
        assert piece.mechanism == Mechanism.from_dict(env, {"tL": a_l, "tH": a_h}, {"tL": prices[0], "tH": prices[1]})
        evidence.compared(f"CS(tH) on {piece.interval()}", piece.cs[1], cs_h)
        assert piece.cs == (F(0), cs_h)  # "the surplus of the low type is zero in any market"
        assert piece.efficient == eff
    assert analysis.ties == (F(1, 4), F(3, 4))  # the markets f2 and f3 of Fig. 4


@claim("PIS-EX311")
def test_sec311_decided_for_every_q_by_certified_pieces(evidence):
    """Every market q in [0, 1] at once, from the certified sweep of the line tL -> tH
    (:mod:`exactscreen.mechanisms.sweep`; every piece's mechanism is proved optimal on the whole
    piece with exact duals at both ends and re-checked by ``sweep_check``; on an open piece the
    optimal face and the selected mechanism are constant).

    * The intervals, mechanisms, CS(tH) and efficiency are the paper's for every q.
    * Every inefficient q in an open piece P is Pareto improvable by two segments: take q' inside
      a piece L left of P whose CS is weakly higher for both types and strictly for one, and q''
      in (q, sup P) (same piece: same CS as q).  Both segments weakly Pareto dominate q, q'
      strictly; revenue rises strictly because the certified revenue is convex with a kink at
      inf P, strictly between q' and q (a convex function below its chord, strictly across a
      kink).  The conditions do not depend on q inside P, so this decides every q of P; a few
      q per piece are also re-solved segment by segment (``check_segmentation``).
    * The inefficient point q = 3/4 is not Pareto improvable: any non-trivial segmentation of
      3/4 has a segment q'' > 3/4, every q'' in (3/4, 1] has tH present and CS(tH, q'') = 0 <
      CS(tH, 3/4) = 1/4 (certified pieces), so that segment does not weakly Pareto dominate 3/4
      (Sec. 3.1.1, the paper's own argument)."""
    from exactscreen.mechanisms.sweep import sweep

    env = sec311()
    s = sweep(env, {"tL": 1, "tH": 0}, {"tL": 0, "tH": 1})
    assert s.verified
    evidence.note(f"certified sweep: {len(s.pieces)} pieces, kinks {', '.join(map(str, s.revenue_kinks))}; "
                  + "; ".join(f"{p.interval()} CS(tH)={p.surplus[1]}{' efficient' if p.efficient else ''}" for p in s.pieces))
    # runs of equal (selected mechanism, efficiency): the paper's intervals
    runs: list[list] = []
    for p in s.pieces:
        if runs and runs[-1][4] == (p.mechanism, p.efficient):
            runs[-1][1], runs[-1][3] = p.hi, p.hi_closed
        else:
            runs.append([p.lo, p.hi, p.lo_closed, p.hi_closed, (p.mechanism, p.efficient), p.surplus])
    assert len(runs) == len(PAPER_PIECES)
    for (lo, hi, lc, hc, (mech, eff), cs), (iv, a_l, a_h, prices, cs_h, eff_paper) in zip(runs, PAPER_PIECES):
        evidence.compared(f"interval {'[' if lc else '('}{lo}, {hi}{']' if hc else ')'} (all q)", (lo, hi, lc, hc), iv)
        assert (lo, hi, lc, hc) == iv
        assert mech == Mechanism.from_dict(env, {"tL": a_l, "tH": a_h}, {"tL": prices[0], "tH": prices[1]})
        assert cs == (F(0), cs_h) and eff == eff_paper
    opened = [p for p in s.pieces if not p.is_point]
    decided = []
    for P in opened:
        if P.efficient:
            continue
        assert P.lo in s.revenue_kinks  # a kink at inf P, strictly left of every q in P
        lefts = [L for L in opened if L.hi <= P.lo
                 and all(a >= b for a, b in zip(L.surplus, P.surplus)) and L.surplus != P.surplus]
        assert lefts, f"no certifying left piece for {P.interval()}"
        L = lefts[-1]
        decided.append(f"{P.interval()} via q' = {L.sample} in {L.interval()}")
        for q in (P.lo + (P.hi - P.lo) / 10**6, P.sample, P.hi - (P.hi - P.lo) / 10**6):  # re-solved, independently
            q1, q2 = L.sample, (q + P.hi) / 2
            w = (q2 - q) / (q2 - q1)
            chk = check_segmentation(env, q_market(env, q), [(w, q_market(env, q1)), (1 - w, q_market(env, q2))])
            assert chk.pareto_improving, q
            evidence.instances(1)
    evidence.note("every q of these open pieces is Pareto improvable by two segments: " + "; ".join(decided))
    # the inefficient point pieces: only 3/4, not improvable
    points = [p for p in s.pieces if p.is_point and not p.efficient]
    assert [p.lo for p in points] == [F(3, 4)]
    q = points[0]
    right = [p for p in s.pieces if p.lo >= q.lo and p is not q]
    assert right and all(p.surplus[1] < q.surplus[1] for p in right)  # tH is in every market q'' > 0
    evidence.compared("CS(tH) at 3/4 vs every q'' in (3/4, 1]", [p.surplus[1] for p in right], [F(0)] * len(right))
    evidence.strength("all-cases")


@claim("PIS-EX311")
def test_sec311_every_inefficient_market_but_three_quarters_is_improvable_by_two_segments(evidence):
    """Decided exactly for every market: on each piece CS and the optimal set are
    constant, so the finitely many representative pairs decide all q (see
    TwoTypeAnalysis.improvable_by_two_segments); here at the paper's markets, the
    piece boundaries and a grid of 1/40."""
    env = sec311()
    analysis = two_type_analysis(env)
    grid = sorted({F(i, 20) for i in range(1, 20)} | {F(1, 4), F(3, 4), F(1001, 4000), F(2999, 4000), F(3001, 4000)})
    for q in grid:
        piece = analysis.piece(q)
        chk = analysis.improvable_by_two_segments(q)
        if piece.efficient:
            assert chk is None
        elif q == F(3, 4):
            evidence.note("q = 3/4: no Pareto improving two-segment split (all pairs of pieces tried)")
            assert chk is None
        else:
            assert chk is not None and chk.pareto_improving
            assert len(chk.segments) == 2
    evidence.instances(len(grid))
    example = analysis.improvable_by_two_segments(F(1, 2))
    evidence.note(f"e.g. q = 1/2: {example!r}")


@claim("PIS-EX311", "PIS-FN12")
def test_three_quarters_every_nontrivial_segmentation_lowers_average_surplus(evidence):
    """fn 12: every non-trivial segmentation of q = 3/4 lowers average consumer
    surplus (hence 3/4 is not Pareto improvable, fn 11: the low type's surplus is 0)."""
    env = sec311()
    analysis = two_type_analysis(env)
    q = F(3, 4)
    g = analysis.average_cs(q)
    evidence.compared("average CS at 3/4", g, F(3, 4) * F(1, 4))
    assert g == F(3, 16)
    assert analysis.every_segmentation_lowers_average_cs(q)
    # independent sampled cross-check: exact splits q1 < 3/4 < q2 on a grid
    worst = None
    for i in range(0, 30):
        for j in range(31, 41):
            q1, q2 = F(i, 40), F(j, 40)
            w = (q2 - q) / (q2 - q1)
            avg = w * analysis.average_cs(q1) + (1 - w) * analysis.average_cs(q2)
            assert avg < g
            worst = avg if worst is None else max(worst, avg)
    evidence.note(f"best grid split of 3/4 gives average CS {worst} < 3/16")
    # the property can fail: at q = 1/8 a split inside the efficient interval keeps it
    assert not analysis.every_segmentation_lowers_average_cs(F(1, 8))


@claim("PIS-EX311")
def test_sec311_inefficient_markets_are_pareto_dominated_by_efficient_ones(evidence):
    """Sec. 4.1: 'every inefficient market is Pareto dominated by all the markets in (0, 0.25]'."""
    from exactscreen.mechanisms.segmentation import pareto_compare

    env = sec311()
    for q in (F(3, 10), F(1, 2), F(3, 4), F(7, 8), F(99, 100)):
        for q0 in (F(1, 100), F(1, 8), F(1, 4)):
            assert pareto_compare(env, q_market(env, q0), q_market(env, q)).dominates
    evidence.instances(15)


# ------------------------------------------------------------- Proposition 1
from exactscreen.environment import Environment as _Env
from exactscreen.mechanisms.optimum import optimal_mechanism as _opt
from exactscreen.mechanisms.segmentation import two_segment_improvement


@st.composite
def one_alternative_cases(draw):
    """One alternative, positive values (the standing assumption), markets drawn both
    generically and on Lemma 3's hyperplanes (ties between optimal prices)."""
    n = draw(st.integers(2, 4))
    vals = [F(draw(st.integers(1, 12)), 4) for _ in range(n)]
    env = _Env.from_dict({f"t{i + 1}": {"a": v} for i, v in enumerate(vals)})
    raw = [F(draw(st.integers(0, 6))) for _ in range(n)]
    if sum(raw) == 0:
        raw[0] = F(1)
    distinct = sorted(set(vals))
    if len(distinct) >= 3 and draw(st.booleans()):
        # a tie between two prices p < p2 above the lowest value: solve for the
        # weight w of one type valued p2 so that p (S_p + w) = p2 (S_p2 + w)
        i = draw(st.integers(1, len(distinct) - 2))
        p, p2 = distinct[i], distinct[draw(st.integers(i + 1, len(distinct) - 1))]
        top = vals.index(p2)
        raw[vals.index(distinct[0])] += 1  # someone below both prices
        rest = [x if j != top else F(0) for j, x in enumerate(raw)]
        s_p = sum(x for x, v in zip(rest, vals) if v >= p)
        s_p2 = sum(x for x, v in zip(rest, vals) if v >= p2)
        w = (p * s_p - p2 * s_p2) / (p2 - p)
        if w > 0:
            raw = rest
            raw[top] = w
    from exactscreen.environment import Market as _Market

    total = sum(raw)
    return env, _Market(env, tuple(x / total for x in raw))


@claim("PIS-PROP1")
@given(one_alternative_cases())
def test_one_alternative_every_inefficient_market_is_pareto_improvable(evidence, case):
    """Proposition 1 with the efficient selection (fn 10; our default selection rule
    picks an efficient optimal mechanism whenever one exists).  A verified Pareto
    improving two-segment split is searched over the Proposition 2 constructions
    (every inefficient start type t, every admissible t'), with ε from Lemma 2 or, at
    markets with tied optimal prices, by exact halving."""
    env, f = case
    res = _opt(env, f, binding=False)
    if res.efficient:
        evidence.trivial("efficient market: Proposition 1 is about inefficient ones")
        return
    found = None
    support = f.support
    m = res.mechanism
    starts = [t for t in support if not m.is_efficient_for(env.type_index(t))]
    for t in starts:
        for tp in support:
            if tp == t:
                continue
            try:
                imp = two_segment_improvement(env, f, start=t, t_prime=tp, ties=True)
            except Exception as exc:  # t' not admissible for this start
                if "t_prime" in str(exc):
                    continue
                raise
            if imp.verified:
                found = imp
                break
        if found:
            break
    tie = not res.face.payment_rule_unique
    evidence.reach("an inefficient market of a single-alternative environment", True)
    if tie:
        evidence.note("includes markets with several optimal prices (ties), split verified exactly")
    assert found is not None, f"no Pareto improving split found for {f!r}"
    assert found.check.pareto_improving
