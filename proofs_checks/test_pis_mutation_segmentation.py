"""Paper 000, Sec. 3.1.1, Observation 1, Proposition 2 (Sec. 4.1.2), Theorem 1: fast checks of
``exactscreen.mechanisms.segmentation``'s outputs against the definitions, recomputed here
(issue 13, item 4; docs/mutation.md, "Scores (branch mut4)").

Each check takes a few seconds on the ci profile, so a mutant of the module that changes an
answer dies in seconds instead of surviving a pass of every PIS check that reaches it
(mutmut runs the checks that reach a mutated function fastest first and stops at the first
failure).  Nothing here re-uses the engine's pieces, ranges or search order: the selected
optimal mechanism at a single market (``optimal_mechanism``, itself certified by its own
checkers) is the only engine call the expected values are built from, and consumer surplus
is ``v(t, x(t)) - c(x(t)) - p(t)`` from the raw values and costs.

* Sec. 3.1.1 (PIS-EX311): the line of two-type markets ``(1 - q) t_a + q t_b`` is split by
  ``two_type_analysis`` into pieces on which the selected mechanism is constant; every piece's
  mechanism, CS, efficiency and payment-rule uniqueness must equal the optimum solved at its
  closed ends and at interior points, adjacent pieces must differ, the pieces must tile [0, 1],
  and the breakpoints and ties must be the ones read off the solved markets.
* fn 12's decision helpers (PIS-FN12): ``average_cs`` is g(q) from the definition;
  ``representatives`` covers every piece on each side of q; ``side_without_weak_dominance``
  equals a side-by-side search over those points written here.
* Observation 1 / Proposition 2 / Theorem 1 (PIS-OBS1, PIS-PROP2, PIS-THM1): the ``Improvement``
  record's fields (efficient, improvable, reason, proof, epsilon) on an efficient market, a tie
  market and a generic inefficient one; the text a referee reads (``DominationProof.explain``,
  the reprs put into evidence notes) against the objects' own fields.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F
from math import gcd

from exactscreen.claims import claim
from exactscreen.environment import Environment, Market, load_toml
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.mechanisms.segmentation import (
    MarketPiece,
    TwoTypeAnalysis,
    decide_two_type,
    dominating_market,
    genericity_hyperplanes,
    pareto_compare,
    two_segment_improvement,
    two_type_analysis,
)
from exactscreen.numbers import fmt

from .pis_common import EXAMPLES, q_market, sec311

ZERO = F(0)


def _three_type_env() -> Environment:
    """Three types, two alternatives (a line of markets between t1 and t3 inside a larger
    environment: the third type has probability 0 on it)."""
    return Environment(("t1", "t2", "t3"), ("a0", "a1"),
                       ((F(1), F(0)), (F(1), F(3)), (F(0), F(5, 2))), (F(0), F(1)))


def _two_type_env() -> Environment:
    """Two types, three alternatives, several breakpoints on the line."""
    return Environment(("tL", "tH"), ("x0", "x1", "x2"),
                       ((F(1, 2), F(1), F(1)), (F(1), F(2), F(7, 2))), (F(0), F(1, 2), F(3, 2)))


def _cs(env: Environment, m, t: int) -> F:
    """Consumer surplus of type t in mechanism m, from the raw values and costs."""
    return sum(((F(v) - F(c)) * x for v, c, x in zip(env.values[t], env.costs, m.allocation[t])), ZERO) - m.payments[t]


class _Line:
    """The selected optimum at each market (1 - q) t_a + q t_b, solved here one market at a time."""

    def __init__(self, env: Environment, pair: tuple[str, str]) -> None:
        self.env, self.ia, self.ib = env, env.type_index(pair[0]), env.type_index(pair[1])
        self.cache: dict[F, object] = {}

    def market(self, q: F) -> Market:
        w = [ZERO] * self.env.n
        w[self.ia], w[self.ib] = 1 - q, q
        return Market(self.env, tuple(w))

    def at(self, q: F):
        if q not in self.cache:
            self.cache[q] = optimal_mechanism(self.env, self.market(q), selection="support-value")
        return self.cache[q]

    def cs(self, q: F) -> tuple[F, F]:
        m = self.at(q).mechanism
        return (_cs(self.env, m, self.ia), _cs(self.env, m, self.ib))

    def g(self, q: F) -> F:
        a, b = self.cs(q)
        return (1 - q) * a + q * b


def _cases():
    yield sec311(), None
    yield _two_type_env(), None
    yield _three_type_env(), ("t1", "t3")


@claim("PIS-EX311")
def test_two_type_pieces_are_the_selected_optimum_at_each_of_their_markets(evidence):
    """Sec. 3.1.1: each piece of ``two_type_analysis`` carries the selected optimal mechanism
    of every market in it (checked at its closed ends, its midpoint and points 1/1024 of its width inside each
    end), its CS pair, efficiency and uniqueness; the pieces tile [0, 1] in order, adjacent
    pieces differ, breakpoints = the pieces' left ends after the first; every piece end in
    (0, 1) where the optimal payment rule is not unique is a tie, and every tie is such a market."""
    n_pieces = 0
    for env, pair in _cases():
        an = two_type_analysis(env, pair)
        pair = pair or env.types[:2]
        assert an.pair == tuple(pair)
        line = _Line(env, pair)
        pieces = an.pieces
        assert pieces[0].lo == 0 and pieces[0].lo_closed and pieces[-1].hi == 1 and pieces[-1].hi_closed
        for p, nxt in zip(pieces, pieces[1:]):
            assert p.hi == nxt.lo and p.hi_closed != nxt.lo_closed, (p, nxt)  # a tiling, no gap or overlap
            assert (p.mechanism, p.efficient) != (nxt.mechanism, nxt.efficient), "adjacent pieces not merged"
        assert an.breakpoints == tuple(p.lo for p in pieces[1:])
        for p in pieces:
            assert p.lo <= p.hi and (p.lo < p.hi or (p.lo_closed and p.hi_closed))
            text = (f"{{{fmt(p.lo)}}}" if p.lo == p.hi else
                    ("[" if p.lo_closed else "(") + f"{fmt(p.lo)}, {fmt(p.hi)}" + ("]" if p.hi_closed else ")"))
            assert p.interval() == text  # the interval a referee reads in PIS-EX311's evidence
            pts = [x for x, c in ((p.lo, p.lo_closed), (p.hi, p.hi_closed)) if c]
            if p.lo < p.hi:
                h = (p.hi - p.lo) / 1024
                pts += [(p.lo + p.hi) / 2, p.lo + h, p.hi - h]
            for x in pts:
                r = line.at(x)
                assert p.contains(x) and an.piece(x) is p
                assert an.market(x) == line.market(x)
                assert p.mechanism == r.mechanism, f"piece {p.interval()}: mechanism at {x} differs"
                assert p.cs == line.cs(x), f"piece {p.interval()}: CS at {x}"
                assert p.efficient == r.efficient
                if p.lo == p.hi:
                    assert p.payment_rule_unique == r.face.payment_rule_unique
                elif not r.face.payment_rule_unique:
                    assert not p.payment_rule_unique
                assert an.average_cs(x) == line.g(x)  # g(q) = (1 - q) CS(t_a, q) + q CS(t_b, q), fn 12
            n_pieces += 1
        ends = {x for p in pieces for x in (p.lo, p.hi) if 0 < x < 1}
        assert {x for x in ends if not line.at(x).face.payment_rule_unique} <= set(an.ties)
        assert all(0 < x < 1 and not line.at(x).face.payment_rule_unique for x in an.ties), an.ties
        assert list(an.ties) == sorted(set(an.ties))
    env = sec311()
    an = two_type_analysis(env)
    evidence.compared("ties of Sec. 3.1.1 (Fig. 4: f2, f3)", an.ties, (F(1, 4), F(3, 4)))
    assert an.ties == (F(1, 4), F(3, 4))
    evidence.note(f"{n_pieces} pieces of 3 lines checked market by market")


@claim("PIS-FN12")
def test_fn12_helpers_match_a_search_over_the_solved_line(evidence):
    """fn 12's helpers at every breakpoint and piece midpoint of the lines: ``representatives(q)``
    has every closed piece end and, in every piece part on either side of q, a point of it;
    ``side_without_weak_dominance(q)`` equals the side (left first) on which no solved
    representative market weakly Pareto dominates q (CS from the raw data, types present only)."""
    checked = 0
    for env, pair in _cases():
        an = two_type_analysis(env, pair)
        line = _Line(env, pair or env.types[:2])
        qs = sorted({p.lo for p in an.pieces} | {(p.lo + p.hi) / 2 for p in an.pieces} | {F(1)})
        for q in qs:
            reps = an.representatives(q)
            assert q not in reps and reps == sorted(set(reps)) and all(0 <= x <= 1 for x in reps)
            for p in an.pieces:
                for x, c in ((p.lo, p.lo_closed), (p.hi, p.hi_closed)):
                    if c and x != q:
                        assert x in reps, f"closed end {x} of {p.interval()} missing at q = {q}"
                if p.lo < p.hi:
                    for lo, hi in ((p.lo, min(p.hi, q)), (max(p.lo, q), p.hi)):
                        if lo < hi:  # the open part of p on one side of q
                            assert any(lo < x < hi for x in reps), f"no point of ({lo}, {hi}) at q = {q}"
            cs_q = line.cs(q)
            dom = {"left": False, "right": False}
            for x in reps:
                cs_x = line.cs(x)
                present = [i for i, w in enumerate((1 - x, x)) if w > 0]
                if all(cs_x[i] >= cs_q[i] for i in present):
                    dom["left" if x < q else "right"] = True
            expected = "left" if not dom["left"] else "right" if not dom["right"] else None
            assert an.side_without_weak_dominance(q) == expected, (q, expected)
            checked += 1
    evidence.note(f"{checked} markets on 3 lines")


@claim("PIS-OBS1", "PIS-THM1", "PIS-EX311")
def test_improvement_records_say_what_was_decided(evidence):
    """The ``Improvement`` record on Sec. 3.1.1's line: q = 1/8 is efficient (Observation 1: not
    improvable, no proof, no segmentation); q = 3/4 (a tie, Fig. 4's f3) is outside Theorem 1's
    perturbation step (``improvable`` None, reason naming Lemma 3) unless ties are allowed;
    q = 1/2 is split by Theorem 1's construction (verified, ε in (0, 1), the two segments'
    weights ε and 1 - ε, the first segment the Proposition 2 market); ``decide_two_type`` at
    q = 3/4 is "not improvable" (PIS-EX311, fn 12), at q = 1/2 improvable by two segments
    (verified) and at q = 1/8 "efficient"."""
    env = sec311()
    eff = two_segment_improvement(env, q_market(env, F(1, 8)))
    assert (eff.efficient, eff.improvable, eff.proof, eff.check, eff.epsilon) == (True, False, None, None, None)
    assert eff.market == q_market(env, F(1, 8))
    assert "Observation 1" in eff.reason and not eff.verified
    tie = two_segment_improvement(env, q_market(env, F(3, 4)))
    assert (tie.efficient, tie.improvable, tie.proof, tie.check) == (False, None, None, None)
    assert "Lemma 3" in tie.reason and "Theorem 1" in tie.reason and not tie.verified
    # forced through the tie (ties=True): 3/4 is not improvable (Sec. 3.1.1), so no ε works
    forced = two_segment_improvement(env, q_market(env, F(3, 4)), ties=True)
    assert (forced.efficient, forced.improvable, forced.check, forced.epsilon) == (False, None, None, None)
    assert forced.proof is not None and forced.reason == "no ε tried gave a Pareto improving segmentation"
    gen = two_segment_improvement(env, q_market(env, F(1, 2)))
    assert (gen.efficient, gen.improvable, gen.verified) == (False, True, True)
    assert gen.reason == "Theorem 1 construction" and gen.market == q_market(env, F(1, 2))
    # two types: P has few vertices, so ε comes from Lemma 2's explicit bound (not from halving)
    assert gen.epsilon_method == "Lemma 2 bound from the vertices of P"
    assert 0 < gen.epsilon < 1 and gen.proof is not None and gen.proof.verified
    (w1, m1), (w2, m2) = gen.check.segments
    assert (w1, w2, m1) == (gen.epsilon, 1 - gen.epsilon, gen.proof.market)
    assert all(w1 * a + w2 * b == c for a, b, c in zip(m1.weights, m2.weights, q_market(env, F(1, 2)).weights))
    # the segmentation's welfare: a type's surplus is its average over the segments, weighted by
    # w_k f_k(t) / f(t), with CS from each segment's selected optimum (raw values and costs)
    segs = [(w, m, optimal_mechanism(env, m).mechanism) for w, m in gen.check.segments]
    assert gen.check.welfare_after.types == env.types
    for i, f_t in enumerate(q_market(env, F(1, 2)).weights):
        avg = sum((w * m.weights[i] * _cs(env, mech, i) for w, m, mech in segs), ZERO) / f_t
        assert gen.check.welfare_after.surplus[i] == avg, (i, avg)
    an = two_type_analysis(env)
    d34 = decide_two_type(an, q_market(env, F(3, 4)))
    assert (d34.efficient, d34.improvable, d34.check) == (False, False, None) and d34.reason
    d18 = decide_two_type(an, q_market(env, F(1, 8)))
    assert (d18.efficient, d18.improvable) == (True, False) and "Observation 1" in d18.reason
    d14 = decide_two_type(an, q_market(env, F(1, 2)))
    assert d14.efficient is False and d14.improvable is True and d14.verified
    evidence.compared("q = 3/4 Pareto improvable (Sec. 3.1.1: no)", d34.improvable, False)
    evidence.compared("q = 1/2 Pareto improvable (Sec. 3.1.1: yes, by two segments)", d14.improvable, True)
    ci = repr(gen)
    assert ci.startswith(f"Improvement(market={gen.market!r}, efficient=False, improvable=True, "
                         f"reason='Theorem 1 construction', epsilon={fmt(gen.epsilon)}")


@claim("PIS-PROP2")
def test_the_proof_text_names_the_objects_of_the_construction(evidence):
    """The explanation of Proposition 2's run (put into the PIS-PROP2 evidence) and the reprs of
    its comparison state the proof's own objects: start t, S, S̄, t', M*'s types, Lemma 4's δ_j
    (∞ for no constraint), the dominating market and the Pareto verdict, recomputed here from
    the CS of both markets (raw values and costs)."""
    env = sec311()
    f = q_market(env, F(1, 2))
    proof = dominating_market(env, f)
    lines = proof.explain().split("\n")
    assert len(lines) == 8
    assert lines[0].startswith(f"start type t = {proof.start} (inefficient: gets ")
    assert lines[1] == f"S (binding IC reach) = {{{', '.join(proof.S)}}}"
    assert lines[2] == f"binding path S̄ = {' → '.join(proof.path)} (last type has zero surplus)"
    assert f"(t' = {proof.t_prime})" in lines[3]
    assert lines[4] == f"M*: on types {', '.join(proof.restricted.types)}, efficient"
    deltas = ", ".join("∞" if d is None else fmt(d) for d in proof.deltas)
    assert lines[5] == "Lemma 4 thresholds δ_j: " + deltas
    assert "∞" in deltas or all(d is not None for d in proof.deltas)
    assert lines[6] == f"dominating market: {proof.market!r}"
    assert lines[7] == f"M* unique optimum there: {proof.unique_in_restricted}; {proof.comparison!r}"
    # the comparison's verdict word from CS computed here
    old, new = optimal_mechanism(env, f).mechanism, optimal_mechanism(env, proof.market).mechanism
    sup = [env.type_index(t) for t in proof.market.support]
    before, after = [_cs(env, old, i) for i in sup], [_cs(env, new, i) for i in sup]
    weak = all(a >= b for a, b in zip(after, before))
    word = "dominates" if weak and after != before else "weakly dominates" if weak else "does not dominate"
    assert f" {word} " in repr(proof.comparison) and word == "dominates"
    # a comparison that only weakly dominates (a market against itself) and one that does not
    same = pareto_compare(env, f, f)
    assert same.weakly_dominates and not same.dominates and " weakly dominates " in repr(same)
    worse = pareto_compare(env, f, proof.market)
    assert " does not dominate " in repr(worse) and not worse.weakly_dominates
    evidence.note(proof.explain().replace("\n", "; "))


@claim("PIS-PROP2", "PIS-FN25")
def test_the_proof_text_of_a_two_type_path(evidence):
    """fn 25's instance (path t2 -> t1, two Lemma 4 thresholds): the explanation joins the path
    with arrows and the thresholds with commas, and writes ∞ for a threshold without constraint
    (the same proof with its first δ replaced by None)."""
    env, f = load_toml(EXAMPLES / "pis_fn25.toml")
    proof = dominating_market(env, f)
    assert proof.path == ("t2", "t1") and len(proof.deltas) == 2
    lines = proof.explain().split("\n")
    assert lines[2] == "binding path S̄ = t2 → t1 (last type has zero surplus)"
    assert lines[5] == f"Lemma 4 thresholds δ_j: {fmt(proof.deltas[0])}, {fmt(proof.deltas[1])}"
    free = dataclasses.replace(proof, deltas=(None, proof.deltas[1]))
    assert free.explain().split("\n")[5] == f"Lemma 4 thresholds δ_j: ∞, {fmt(proof.deltas[1])}"
    evidence.note(lines[2] + "; " + lines[5])


@claim("PIS-LEM3")
def test_lemma3_hyperplanes_do_not_depend_on_the_scale_of_values(evidence):
    """Lemma 3's hyperplanes sum_t f(t)(p(t) - p'(t)) = 0 are sets of markets: with every value
    multiplied by 8 (P scales by 8, the same markets tie) they are the same, written with coprime
    integer coefficients, first non-zero positive: Fig. 4b's f(tL) - 3 f(tH) = 0 and
    3 f(tL) - f(tH) = 0."""
    env = sec311()
    big = Environment(env.types, env.alternatives, tuple(tuple(8 * F(v) for v in row) for row in env.values),
                      tuple(8 * F(c) for c in env.costs))
    for e in (env, big):
        planes = genericity_hyperplanes(e)
        coefs = sorted(tuple(h.coefficients) for h in planes)
        for c in coefs:
            ints = [int(x) for x in c]
            assert all(F(i) == x for i, x in zip(ints, c))
            g = 0
            for i in ints:
                g = gcd(g, abs(i))
            assert g == 1 and next(i for i in ints if i) > 0, c
        if e is env:
            evidence.compared("Fig. 4b coefficients", coefs, [(1, -3), (3, -1)])
        assert coefs == [(1, -3), (3, -1)]


@claim("PIS-EX311", "PIS-OBS1")
def test_two_type_decisions_are_well_formed_records_on_every_piece(evidence):
    """``decide_two_type`` at every piece end and midpoint of the lines: the record's
    ``efficient`` is the solved optimum's efficiency; efficient markets are not improvable
    (Observation 1); an improvable answer carries a verified split whose weights average back
    to the market; a "not improvable" answer for an inefficient market rests on a side without
    a weakly dominating market or on fn 12's average-surplus argument."""
    decided = 0
    for env, pair in _cases():
        an = two_type_analysis(env, pair)
        line = _Line(env, pair or env.types[:2])
        for q in sorted({p.lo for p in an.pieces} | {(p.lo + p.hi) / 2 for p in an.pieces} | {F(1)}):
            d = decide_two_type(an, line.market(q))
            if d is None:
                continue
            assert isinstance(d.reason, str) and d.reason and d.improvable in (True, False, None)
            assert d.efficient == line.at(q).efficient
            if d.efficient:
                assert d.improvable is False and d.check is None
            elif d.improvable is True:
                assert d.verified and len(d.check.segments) == 2
                assert sum((w * m.weights[line.ib] for w, m in d.check.segments), ZERO) == q
            elif d.improvable is False:
                assert an.side_without_weak_dominance(q) is not None or an.every_segmentation_lowers_average_cs(q)
            decided += 1
    evidence.note(f"{decided} decisions on 3 lines")


@claim("PIS-FN12")
def test_fn12_left_infimum_at_an_open_end_is_not_attained(evidence):
    """fn 12's decision on hand-built pieces, the left-side mirror of the open-end case of
    ``test_pis_mutation_fn12``: q = 1/2, g = 4x on [0, 1/4) (CS pair (0, 4)), g = 0 on [1/4, 1/2)
    (CS (0, 0)), g = 1 on [1/2, 1] (CS (1, 1)).  By hand: g(q) = 1; a split x1 < q < x2 with
    x2 in the last piece has R(x2) = 0; L(x1) = (1 - g(x1))/(1/2 - x1) is 1/(1/2 - x1) >= 2 on
    [1/4, 1/2) and (1 - 4 x1)/(1/2 - x1) > 0 on [0, 1/4), tending to 0 only as x1 -> 1/4 from
    the left, where the piece is open: sup R = 0 = inf L, the infimum not attained, so every split
    lowers g strictly (True).  With 1/4 in the first piece (g(1/4) = 1) the infimum is attained
    there and the split (1/4, x2) keeps g: False."""
    half, quarter = F(1, 2), F(1, 4)
    for first_closed, expected in ((False, True), (True, False)):
        pieces = (MarketPiece(ZERO, quarter, True, first_closed, None, (ZERO, F(4)), False, True),
                  MarketPiece(quarter, half, not first_closed, False, None, (ZERO, ZERO), False, True),
                  MarketPiece(half, F(1), True, True, None, (F(1), F(1)), False, True))
        an = TwoTypeAnalysis(None, pieces, (quarter, half))
        assert an.every_segmentation_lowers_average_cs(half) is expected, (first_closed, expected)
        if not expected:  # the split (1/4, 3/4) keeps g: weights 1/2, 1/2, average g = (1 + 1)/2 = g(q)
            assert (an.average_cs(quarter) + an.average_cs(F(3, 4))) / 2 == an.average_cs(half)
    evidence.instances(2)
