"""Screening with persuasion, Section 6 and its appendix: single-item menus (Lemma 10,
Proposition 8, Lemma 11, Lemma 12, the tail bounds), in exact sympy algebra."""

from __future__ import annotations

import json
from fractions import Fraction as F

import sympy as sp
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from exactscreen.claims import claim

v, x, q, t = sp.symbols("v x q t", nonnegative=True)


@claim("SWP-LEM10")
def test_single_item_foc_general(evidence):
    # (52) for any F and c: P(x) (mu(x) q - c(q)) = A(x) q - P(x) c(q) with A(x) = int_x v dF,
    # P(x) = int_x dF, so A' = -x f(x) and P' = -f(x); the two partial derivatives give (53)
    A, P, c, f = (sp.Function(n) for n in ("A", "P", "c", "f"))
    mu = sp.Symbol("mu")
    obj = A(x) * q - P(x) * c(q)
    d_q = sp.diff(obj, q).subs(A(x), mu * P(x))
    d_x = sp.diff(obj, x).subs({sp.Derivative(A(x), x): -x * f(x), sp.Derivative(P(x), x): -f(x)})
    assert sp.simplify(d_q / P(x) - (mu - sp.diff(c(q), q))) == 0      # d/dq = 0 <=> mu* = c'(q*)
    assert sp.simplify(d_x / f(x) - (c(q) - x * q)) == 0               # d/dv = 0 <=> c(q*) = v* q*
    evidence.note("(53) is the pair of first-order conditions of (52) for any F (density f > 0 at v*) and c")


def _roots_in_unit(poly: sp.Poly) -> list[tuple[F, F]]:
    """Exact rational isolating intervals of the real roots of ``poly`` inside (0, 1)."""
    out = []
    for (a, b), _mult in poly.intervals(eps=F(1, 10**6)):
        a, b = F(str(a)), F(str(b))
        if a > 0 and b < 1:
            out.append((a, b))
        else:
            assert b <= 0 or a >= 1, f"a root interval ({a}, {b}) straddles 0 or 1: refine"
    return out


def _inside(ball, a: F, b: F) -> bool:
    """Certified a < ball < b (python-flint arb: True only when certain)."""
    return bool(ball > arb(a.numerator) / a.denominator) and bool(ball < arb(b.numerator) / b.denominator)


@claim("SWP-LEM10")
def test_single_item_foc_fig2_instance(evidence):
    """Fig. 2's instance, F(v) = v^2 on [0,1], c(q) = q^2/2, in exact algebra: (53) gives
    q* = 2 v* and 2 v*^2 + 2 v* - 1 = 0; the root in (0, 1) is isolated by exact rational
    intervals and identified with (sqrt3 - 1)/2 (an exact root, located by a certified arb
    comparison); independently, the profit (52) at q = mu(x) is maximized over x directly: its
    derivative's only root in (0, 1) is the same and the derivative changes sign + to - there."""
    dens = 2 * v
    mass = sp.integrate(dens, (v, x, 1))
    mu = sp.cancel(sp.integrate(v * dens, (v, x, 1)) / mass)
    # (53): mu* = c'(q*) = q*,  c(q*) = v* q*  ->  q*(q*/2 - v*) = 0, q* != 0  ->  q* = 2 v*
    foc = sp.Poly(sp.numer(sp.together(mu - 2 * x)), x)
    roots = _roots_in_unit(foc)
    assert len(roots) == 1
    xs = (sp.sqrt(3) - 1) / 2
    assert sp.expand(foc.as_expr().subs(x, xs)) == 0
    assert _inside((arb(3).sqrt() - 1) / 2, *roots[0])
    qs = 2 * xs
    assert sp.expand(qs - (sp.sqrt(3) - 1)) == 0
    # independent: q = mu(x) is optimal for each x; maximize P(x) = (1 - x^2) mu(x)^2 / 2 over x
    px = sp.cancel(mass * mu**2 / 2)
    dnum = sp.Poly(sp.numer(sp.together(sp.diff(px, x))), x)
    dden = sp.denom(sp.together(sp.diff(px, x)))
    droots = _roots_in_unit(dnum)
    assert len(droots) == 1
    assert sp.expand(dnum.as_expr().subs(x, xs)) == 0 and _inside((arb(3).sqrt() - 1) / 2, *droots[0])
    lo, hi = droots[0]
    for r, sign in ((lo / 2, 1), ((hi + 1) / 2, -1)):                   # exact rational points
        val = sp.Rational(dnum.eval(sp.Rational(r.numerator, r.denominator))) / dden.subs(x, sp.Rational(r.numerator, r.denominator))
        assert sp.sign(val) == sign
    evidence.note(f"cutoff v* = (sqrt3-1)/2: the only root in (0,1) of (53) ({foc.as_expr()} = 0, isolated in "
                  f"{roots[0]}) and of d/dx of (52) at q = mu(x) (isolated in {droots[0]}, sign + then -)")
    profit = sp.radsimp(sp.simplify(px.subs(x, xs)))
    assert sp.simplify(profit - (sp.sqrt(3) - sp.Rational(3, 2))) == 0
    evidence.note(f"single item: q* = sqrt(3)-1, sold to v >= (sqrt(3)-1)/2, profit {profit}")


@claim("SWP-PROP8")
def test_vh_map_increasing(evidence):
    c = sp.Function("c")
    expr = 3 * sp.diff(c(q), q) - 2 * c(q) / q
    paper = 2 / q * (sp.diff(c(q), q, 2) * q - sp.diff(c(q), q) + c(q) / q) + sp.diff(c(q), q, 2)
    assert sp.simplify(sp.diff(expr, q) - paper) == 0                 # the derivative identity
    # the proof's step "c''' >= 0 => c'' q >= c'" needs c'(0) <= 0:
    cq = q + q**2 / 2
    at1 = (sp.diff(cq, q, 2) * q - sp.diff(cq, q)).subs(q, 1)
    assert at1 < 0
    # ... yet the conclusion holds: for c = a q + b q^2/2 + g the bracket is b q/2 + g/q >= 0
    a, b, g = sp.symbols("a b g", nonnegative=True)
    cl = a * q + b * q**2 / 2 + g
    bracket = sp.simplify(sp.diff(cl, q, 2) * q - sp.diff(cl, q) + cl / q)
    assert sp.simplify(bracket - (b * q / 2 + g / q)) == 0
    # ... and for every c with c''' >= 0: q^2 * bracket = G(q) := c'' q^2 - c' q + c has
    # G' = c''' q^2 + c'' q >= 0 and G(0) = c(0) >= 0, so d/dq vh(q) = 2 G/q^2 + c'' > 0 when c'' > 0
    G = sp.diff(c(q), q, 2) * q**2 - sp.diff(c(q), q) * q + c(q)
    assert sp.simplify(sp.diff(G, q) - (sp.diff(c(q), q, 3) * q**2 + sp.diff(c(q), q, 2) * q)) == 0
    assert sp.simplify(sp.diff(expr, q) - (2 * G / q**2 + sp.diff(c(q), q, 2))) == 0
    evidence.note("proof step 'c''' >= 0 implies c''(q) q >= c'(q)' fails for c = q + q^2/2 at q = 1 "
                  "(1 < 2); the claim survives: with c''' >= 0 and c(0) >= 0, q c' - c <= c'' q^2/2 - c(0), "
                  "so the bracket is >= c'' q/2 + c(0)/q > 0")
    # unique FOC solution for L(v; 0, 1), c = q^2/2: vh = 3q - q = 2q = 1
    sol = sp.solve(sp.Eq(3 * q - 2 * (q**2 / 2) / q, 1), q)
    evidence.compared("q-hat for L(v;0,1), c=q^2/2", sol, [sp.Rational(1, 2)])
    assert sol == [sp.Rational(1, 2)]


# ------------------------------------------------------------------ Lemma 11
LEM11_QUOTE = ("For every convex cost function with c'''(q) >= 0 and for every (q_{K-2}, q_{K-1}, q_K) with "
               "q_{K-2} <= q_{K-1} <= q_K, there exists (alpha, beta, gamma) satisfying c(q_{K-2}) = c-hat(q_{K-2}) "
               "and one of the following three conditions: 1. c(q_K) = c-hat(q_K); c(q_{K-1}) = c-hat(q_{K-1}); "
               "c(q*(alpha,beta)) < c-hat(q*(alpha,beta)); 2. c(q_K) > c-hat(q_K); c(q_{K-1}) = c-hat(q_{K-1}); "
               "c(q*) = c-hat(q*); 3. c(q_K) = c-hat(q_K); c(q_{K-1}) > c-hat(q_{K-1}); c(q*) = c-hat(q*).")
_WANT = {1: (0, 0, -1), 2: (1, 0, 0), 3: (0, 1, 0)}


def _lem11_instances(n: int, seed: int = 11):
    """Deterministic generated instances: L(v; v_l, 1) above u = w_{K-2}, cubic or quartic costs with
    c''' > 0, distinct rational q_{K-2} < q_{K-1} < q_K (seeded; ``n`` from the hypothesis profile)."""
    import random

    rng = random.Random(seed)
    R = sp.Rational
    out = []
    for _ in range(20 * n):
        if len(out) >= n:
            break
        a, b, d = R(rng.randint(0, 4), 8), R(rng.randint(0, 8), 8), R(rng.randint(1, 8), 4)
        quartic = rng.randint(0, 3) == 0
        cost = (a * q + b * q**2 / 2 + d * q**4 / 4) if quartic else (a * q + b * q**2 / 2 + d * q**3 / 3)
        qs = sorted({R(rng.randint(0, 40), 40) for _ in range(3)})
        if len(qs) < 3:
            continue
        out.append((cost, R(rng.randint(0, 7), 8), sp.Integer(1), *qs))
    return out


def _check_witness(cost, u, vh, q0, q1, q2, w) -> None:
    """Re-check a witness of Lemma 11 from its coefficients alone: c-hat(q_{K-2}) = c(q_{K-2}) and the
    case's three relations, exactly (rational arithmetic, or exact arithmetic in the one algebraic
    number of the witness), with q* recomputed from (60) when the coefficients are rational."""
    from exactscreen.persuasion.singleitem.lemmas import _sign_at, restricted_top_quality

    c = sp.Lambda(q, cost)
    chat = lambda x: w.alpha * x + w.beta * x**2 / 2 + w.gamma  # noqa: E731
    rational = w.alpha.is_Rational and w.beta.is_Rational and w.gamma.is_Rational
    qstar = restricted_top_quality(u, vh, q0, w.alpha, w.beta) if rational else w.qstar
    t = sp.Symbol("q", real=True)
    roots = sorted((w.alpha + w.beta + w.gamma + qstar).atoms(sp.CRootOf), key=str)
    if roots:      # one algebraic number r: the relations are rational functions of it
        (r,) = roots
        at = lambda e: _sign_at(sp.cancel(sp.together(e.xreplace({r: t}))), r)  # noqa: E731
    else:
        at = lambda e: int(sp.sign(sp.cancel(e)))  # noqa: E731  (exact rational)
    assert at(c(q0) - chat(q0)) == 0
    got = (at(c(q2) - chat(q2)), at(c(q1) - chat(q1)), at(c(qstar) - chat(qstar)))
    assert got == _WANT[w.case], (w.case, got)
    assert at(w.beta) > 0


@claim("SWP-LEM11")
def test_quadratic_interpolation_coefficients(evidence):
    """Lemma 11's alpha, beta, gamma (the display after (61)) interpolate c at the three nodes, in
    general symbols; for a cubic cost c - c-hat = (c'''/6)(q - q_{K-2})(q - q_{K-1})(q - q_K), the sign
    pattern the proof uses ("c <= c-hat iff q in [q_{K-1}, q_K]" for q >= q_{K-2})."""
    from exactscreen.persuasion.singleitem.lemmas import interpolation_coefficients

    q0, q1, q2 = sp.symbols("q0 q1 q2")
    c0, c1, c2 = sp.symbols("c0 c1 c2")
    alpha, beta, gamma = interpolation_coefficients(q0, q1, q2, c0, c1, c2)
    chat = lambda z: alpha * z + beta * z**2 / 2 + gamma  # noqa: E731
    for qq, cc in ((q0, c0), (q1, c1), (q2, c2)):
        assert sp.simplify(chat(qq) - cc) == 0
    z, d3 = sp.Symbol("z"), sp.Symbol("d", positive=True)
    cub = d3 * z**3 / 3
    a3, b3, g3 = interpolation_coefficients(q0, q1, q2, *(cub.subs(z, x) for x in (q0, q1, q2)))
    diff = sp.factor(sp.simplify(cub - (a3 * z + b3 * z**2 / 2 + g3)))
    assert sp.simplify(diff - d3 / 3 * (z - q0) * (z - q1) * (z - q2)) == 0
    evidence.note(f"alpha, beta, gamma as printed interpolate c at q_(K-2), q_(K-1), q_K; for c = d q^3/3: "
                  f"c - c-hat = {diff}")


@claim("SWP-LEM11")
def test_lemma11_three_cases_hold_on_generated_instances(evidence):
    """Lemma 11 (appendix, proof of Theorem 3), as written (LEM11_QUOTE): for every convex c with
    c''' >= 0 and every q_{K-2} <= q_{K-1} <= q_K there is (alpha, beta, gamma) with
    c(q_{K-2}) = c-hat(q_{K-2}) and one of cases 1-3.

    q*(alpha, beta) is the restricted optimum (60) in the setting where the lemma is used
    (Proposition 7: L(v; v_l, v_h) above w_(K-2)), in closed form (``singleitem.lemmas.
    restricted_top_quality``), re-checked here against (54) on an exact grid.  Per instance the
    witness is searched exactly (the interpolant (61); the proof's families with the fixed point
    q-hat of q*(alpha(q), beta(q)) = q as exact real algebraic numbers; failing those, every c-hat of
    the case, a one-parameter pencil) and re-checked from its coefficients alone
    (``_check_witness``).  Reach: the case found, and whether the proof's own route found it."""
    from exactscreen.persuasion.singleitem.lemmas import interpolation_coefficients, lemma11_witness, restricted_profit, restricted_top_quality

    n = min(settings.default.max_examples, 120)
    counts = {1: 0, 2: 0, 3: 0}
    proof_route_missed = 0
    for cost, u, vh, q0, q1, q2 in _lem11_instances(n):
        c = sp.Lambda(q, cost)
        assert sp.Poly(sp.diff(cost, q, 3), q).all_coeffs()[-1] >= 0 and sp.Poly(cost, q).LC() > 0
        w = lemma11_witness(lambda x: c(x), u, vh, q0, q1, q2)
        assert w is not None, f"no witness found for c = {cost}, u = {u}, q = {(q0, q1, q2)} (search incomplete)"
        _check_witness(cost, u, vh, q0, q1, q2, w)
        # (60) re-checked: the closed form beats an exact grid of (w, Delta q) for the interpolant (61)
        a0, b0, _ = interpolation_coefficients(q0, q1, q2, c(q0), c(q1), c(q2))
        qs0 = restricted_top_quality(u, vh, q0, a0, b0)
        theta = a0 + b0 * q0
        wstar = max(u, (vh + 3 * theta) / 4) if theta < vh else vh
        best = restricted_profit(u, vh, q0, a0, b0, wstar, qs0 - q0)
        for i in range(9):
            for j in range(9):
                ww = u + (vh - u) * sp.Rational(i, 8)
                assert restricted_profit(u, vh, q0, a0, b0, ww, sp.Rational(j, 4)) <= best
        counts[w.case] += 1
        missed = w.route.startswith("pencil")
        proof_route_missed += missed
        for k in (1, 2, 3):
            evidence.reach(f"case {k} of Lemma 11", w.case == k)
        evidence.reach("the proof's fixed-point family has no root (witness from the pencil)", missed)
        evidence.instances(1)
    evidence.note(f"cases found: {counts} on {n} instances (c''' > 0, distinct nodes), each re-checked exactly; "
                  f"the proof's intermediate-value route found no fixed point on {proof_route_missed} of them (for "
                  "q* > q_K the family through q_(K-2), q, q_K has q*(alpha(q), beta(q)) > q on all of "
                  "[q_(K-2), q_K]: no sign change, so the 'analogous' step fails), yet case 3 holds there with "
                  "q* = q_K, a node of another c-hat")
    evidence.certified(
        "instances of Lemma 11 (c''' > 0, distinct nodes) with an exact witness of one of cases 1-3", n, n,
        method="exact sympy rationals and real algebraic numbers (CRootOf); case relations decided exactly "
               "(zero by exact remainder, a nonzero sign by an arb ball on an exact isolating interval)",
        precision_bits=0, boxes=n, instances=n, case_counts=json.dumps(counts, sort_keys=True),
        proof_route_missed=proof_route_missed,
        replayed_by="_check_witness in proofs_checks/test_swp_sec6.py: each witness re-checked from its coefficients "
                    "alone (not by the witness search; it shares the closed form (60) and the algebraic sign routine "
                    "of singleitem.lemmas), (60) re-checked against an exact grid of (54); the closed form against "
                    "the code-sharing-nothing brute force over (54) in test_lemma11_fails_as_written_for_a_quadratic_cost",
        replay_ok=True)


def _brute_qstar(u, vh, qb, alpha, beta, gamma):
    """q* of (60) by brute force, sharing nothing with ``restricted_top_quality``: (54) with
    Delta q_(K-1) = 0 for L(v; 0, v_h) above u, masses and means from their integrals, maximized over
    an exact grid of w (step (v_h - u)/32) and Delta q (step 1/100 on [0, 3]) in Fractions."""
    vh, u = F(vh), F(u)
    chat = lambda x: alpha * x + beta * x * x / 2 + gamma  # noqa: E731
    best, arg = None, None
    for i in range(33):
        w = u + (vh - u) * i / 32
        mass = (vh - w) ** 2                          # 1 - L(w; 0, v_h), times v_h^2
        mean = (2 * w + vh) / 3 if w < vh else vh     # E[v | v >= w]
        for j in range(301):
            dq = F(j, 100)
            val = mass * (dq * mean - (chat(qb + dq) - chat(qb)))
            if best is None or val > best:
                best, arg = val, qb + dq
    return arg


@claim("SWP-LEM11")
def test_lemma11_fails_as_written_for_a_quadratic_cost(evidence):
    """Lemma 11 allows c''' = 0.  For c(q) = q/4 + q^2/2 (convex, c''' = 0), L(v; 0, 1) above
    w_(K-2) = 1/2 and q_(K-2), q_(K-1), q_K = 1/10, 1/5, 9/10 no (alpha, beta, gamma) satisfies any case:
    case 1's c-hat is the interpolant (61) = c itself (so c(q*) < c-hat(q*) fails); a c-hat of case 2
    is c + t (q - q_(K-2))(q - q_(K-1)) with t < 0 and needs q*(t) in {q_(K-2), q_(K-1)} (the only points
    where it meets c); case 3 is c + t (q - q_(K-2))(q - q_K), t > 0, q*(t) in {q_(K-2), q_K}.  Route 1:
    the exhaustive exact search (every equation q*(t) = node per piece of (60), real roots, piece
    conditions exact; piece 0 an exact interval).  Route 2 (shares nothing): brute-force maximization
    of (54) on an exact grid for t in a grid of (-1/2, 0) and (0, 40]: q*(t) stays > 2/5 for t < 0
    and in (2/5, 3/5) for t > 0, far from the nodes.  Corrected: with c''' > 0 and distinct nodes the
    cases hold on every generated instance (the check above)."""
    from exactscreen.persuasion.singleitem.lemmas import lemma11_witness

    R = sp.Rational
    cost = q / 4 + q**2 / 2
    u, vh, q0, q1, q2 = R(1, 2), sp.Integer(1), R(1, 10), R(1, 5), R(9, 10)
    report: dict = {}
    w = lemma11_witness(lambda x: cost.subs(q, x), u, vh, q0, q1, q2, report=report)
    assert w is None and report["exhaustive"], (w, report)

    def second_route() -> bool:
        ok = True
        for k in range(1, 20):                                   # case 2: t in (-1/2, 0)
            t = -F(k, 40)
            a, b, g = F(1, 4) - t * (F(1, 10) + F(1, 5)), 1 + 2 * t, t * F(1, 10) * F(1, 5)
            ok &= _brute_qstar(F(1, 2), 1, F(1, 10), a, b, g) > F(2, 5)
        for t in [F(k, 8) for k in range(1, 9)] + [F(k) for k in (2, 5, 10, 20, 40)]:   # case 3: t > 0
            a, b, g = F(1, 4) - t * (F(1, 10) + F(9, 10)), 1 + 2 * t, t * F(1, 10) * F(9, 10)
            qs = _brute_qstar(F(1, 2), 1, F(1, 10), a, b, g)
            ok &= F(2, 5) < qs < F(3, 5)
        return ok

    confirmed = second_route()
    evidence.qualified(
        "Lemma 11: for every convex c with c''' >= 0 and every q_(K-2) <= q_(K-1) <= q_K some (alpha, beta, gamma) "
        "satisfies c(q_(K-2)) = c-hat(q_(K-2)) and one of cases 1-3",
        {"c(q)": "q/4 + q^2/2 (c''' = 0)", "values above w_(K-2)": "L(v; 0, 1), w_(K-2) = 1/2",
         "q_(K-2), q_(K-1), q_K": ["1/10", "1/5", "9/10"]},
        "with c''' > 0 and q_(K-2) < q_(K-1) < q_K a case holds on every generated instance (exact witnesses); "
        f"here the exhaustive exact search solved {report['equations']} equations and found none",
        confirmed_by="brute-force maximization of (54) on an exact grid (no closed form of (60)): q*(t) never "
                     "reaches a node for t on grids of (-1/2, 0) and (0, 40]",
        confirm=confirmed,
    )
    evidence.certified(
        "witnesses of Lemma 11's cases at c = q/4 + q^2/2, L(v; 0, 1) above 1/2, nodes 1/10, 1/5, 9/10 (none exist)",
        0, 0, method="exhaustive exact search: every equation q*(t) = node on every piece of (60), real roots "
                     "as exact algebraic numbers, piece conditions exact (piece 0 an exact interval)",
        precision_bits=0, boxes=report["equations"], equations=report["equations"],
        replayed_by="brute-force maximization of (54) on an exact rational grid (_brute_qstar: no closed form of "
                    "(60), shares no code): q*(t) stays > 2/5 for t in (-1/2, 0) and in (2/5, 3/5) for t in (0, 40]",
        replay_ok=confirmed)
    evidence.note("as written it also fails with tied nodes q_(K-2) = q_(K-1) = q_K = Q and c'(Q) >= v_h, for every c "
                  "(test_lemma11_boundary_q_star_at_a_node)")


@claim("SWP-LEM11")
def test_lemma11_boundary_q_star_at_a_node(evidence):
    """Boundary cases: the interpolant's q* equal to q_(K-1) or q_K exactly (v_h chosen so), where case 1
    fails (c(q*) = c-hat(q*)) and the proof's other cases must take over; and tied nodes with
    c'(Q) < v_h (case 1 with a steep c-hat)."""
    from exactscreen.persuasion.singleitem.lemmas import interpolation_coefficients, lemma11_witness, restricted_top_quality

    R = sp.Rational
    cost = q**2 / 2 + q**3 / 3
    q0, q1, q2 = R(1, 10), R(1, 2), R(4, 5)
    a, b, _ = interpolation_coefficients(q0, q1, q2, *(cost.subs(q, x) for x in (q0, q1, q2)))
    for node, expect in ((q1, 2), (q2, 3)):
        vh = 2 * b * (node - q0 / 2) + a                      # interior piece of (60): q* = q0/2 + (v_h - alpha)/(2 beta)
        assert restricted_top_quality(0, vh, q0, a, b) == node
        w = lemma11_witness(lambda x: cost.subs(q, x), 0, vh, q0, q1, q2)
        assert w is not None and w.case == expect, w
        _check_witness(cost, 0, vh, q0, q1, q2, w)
        evidence.note(f"q* of (61) = {node} exactly (v_h = {vh}): case {w.case} via {w.route}")
        evidence.instances(1)
    # tied nodes with c'(Q) >= v_h: on each piece of (60), c-hat(q*) - c-hat(Q) = Delta (theta + m)/2 with
    # m = E[v | v >= w*] > theta (the increment is positive only then), so it is < v_h Delta <= c'(Q) Delta
    # <= c(q*) - c(Q) (convexity): case 1 fails for every c-hat, cases 2-3 need a strict relation at a node
    th_, be_, Qs, uu, vv = sp.symbols("theta beta Q u v_h", real=True)
    al_ = th_ - be_ * Qs
    ch = lambda x: al_ * x + be_ * x**2 / 2  # noqa: E731
    for piece, m in ((1, (2 * ((vv + 3 * th_) / 4) + vv) / 3), (2, (2 * uu + vv) / 3)):
        qs_ = restricted_top_quality(uu, vv, Qs, al_, be_, pieces=True)[piece]
        dq = qs_ - Qs
        assert sp.simplify(ch(qs_) - ch(Qs) - dq * (th_ + m) / 2) == 0
        assert sp.simplify(dq - (m - th_) / be_) == 0
    evidence.note("tied nodes q_(K-2) = q_(K-1) = q_K = Q with c'(Q) >= v_h: no case holds for any c (c-hat(q*) - "
                  "c-hat(Q) = Delta (theta + E[v | v >= w*])/2 < v_h Delta <= c(q*) - c(Q), identity checked per piece "
                  "of (60)); with c'(Q) < v_h case 1 holds (below)")
    # tied nodes Q = 1/4, c'(Q) = 5/16 < v_h = 1: c-hat = c(Q) + theta (x - Q) + B (x - Q)^2/2 with
    # theta = 1/2, B = 8 gives q* = Q + 1/32 (interior piece) and c-hat(q*) > c(q*)
    Q, th, B = R(1, 4), R(1, 2), sp.Integer(8)
    al = th - B * Q
    ga = cost.subs(q, Q) - al * Q - B * Q**2 / 2
    qs = restricted_top_quality(0, 1, Q, al, B)
    assert qs == Q + R(1, 32) and cost.subs(q, qs) < al * qs + B * qs**2 / 2 + ga
    evidence.note(f"tied nodes Q = 1/4 with c'(Q) < v_h: case 1 with alpha = {al}, beta = {B}, q* = {qs}")


@claim("SWP-LEM12")
def test_z_bounds_match_65(evidence):
    vs, mu, Fv, zl, zh = sp.symbols("vstar mu Fv zl zh", positive=True)
    z_hi = 3 * mu - 2 * vs
    z_lo = 3 * mu - 2 * vs - 3 * (mu - vs) / sp.sqrt(1 - Fv)
    L = lambda w: (w - zl) * (2 * zh - zl - w) / (zh - zl) ** 2  # noqa: E731
    dens = sp.diff(L(v), v)
    cond_mean = sp.integrate(v * dens, (v, vs, zh)) / (1 - L(vs))
    sub = {zl: z_lo, zh: z_hi}
    assert sp.simplify(L(vs).subs(sub) - Fv) == 0                    # L(v*) = F(v*)
    assert sp.simplify(cond_mean.subs(sub) - mu) == 0                # E_L[v | v >= v*] = mu
    evidence.note("(65) holds with the z-underbar, z-bar of Lemma 12 (symbolic v*, mu, F(v*))")


@claim("SWP-TAILS")
@given(st.lists(st.integers(0, 9), min_size=1, max_size=6))
def test_non_decreasing_density_ratio_at_most_2(evidence, steps):
    # piecewise-constant non-decreasing density on [0, 1] with len(steps) equal pieces
    h = sorted(steps)
    if sum(h) == 0:
        evidence.trivial("zero density")
        return
    n = len(h)
    mass = sum(F(x, n) for x in h)
    mean = sum(F(x, n) * F(2 * i + 1, 2 * n) for i, x in enumerate(h)) / mass
    assert 1 / mean <= 2                                                # v_h = 1
    evidence.reach("non-constant non-decreasing density", h[0] != h[-1])
    evidence.instances()


@claim("SWP-TAILS")
def test_linearly_decreasing_density_ratio_at_most_3(evidence):
    a, b, vh = sp.symbols("a b vh", positive=True)
    # density a - b v on [0, vh] with a - b vh >= 0; mean minimized when a = b vh
    dens = b * (vh - v) + a
    mean = sp.simplify(sp.integrate(v * dens, (v, 0, vh)) / sp.integrate(dens, (v, 0, vh)))
    assert sp.simplify(mean.subs(a, 0) - vh / 3) == 0
    # for every a, b >= 0: mean - vh/3 = a vh / (3 (2a + b vh)) >= 0, i.e. vh / mean <= 3
    excess = sp.factor(sp.simplify(mean - vh / 3))
    assert sp.simplify(excess - a * vh / (3 * (2 * a + b * vh))) == 0
    evidence.compared("mean of L(v; 0, v_h)", mean.subs(a, 0), vh / 3)


LEM12_QUOTE = ("Distribution F-hat is a mean-preserving spread of F and F-hat is first-order stochastically "
               "dominated by L(v; z_lo, z_hi).")


def _lem12_generated(n: int, seed: int = 12):
    """Deterministic generated instances: quadratic densities on [0, 1] with modest tails (38), checked
    exactly, and rational thresholds v* in {0, 1/10, ..., 9/10} (seeded)."""
    import random

    from exactscreen.persuasion.singleitem import PolyDensity, V

    rng = random.Random(seed)
    R = sp.Rational
    out = []
    for _ in range(50 * n):
        if len(out) >= n:
            break
        a, b, c = R(rng.randint(0, 6)), R(rng.randint(-6, 6)), R(rng.randint(-6, 6))
        try:
            d = PolyDensity.of(a + b * V + c * V**2, 0, 1)
        except Exception:          # negative somewhere or no mass: not a density
            continue
        if d.modest_tails():
            out.append((d, R(rng.randint(0, 9), 10)))
    return out


@claim("SWP-LEM12")
def test_lemma12_comparison_certified(evidence):
    """Lemma 12 (appendix, proof of Theorem 3), as written: "F-hat is a mean-preserving spread of F and
    F-hat is first-order stochastically dominated by L(v; z_lo, z_hi)", with z_lo, z_hi from (65) and
    F-hat from (66) (L above v-hat, an atom L(v-hat) at 0, v-hat chosen so the means agree).

    Certified per instance by ``singleitem.lemma12.lemma12_certificate`` (module docstring): v-hat
    exists (m(max(z_lo, 0)) >= E_F[v], exact when equal) and is enclosed by certified bisection;
    dominance holds iff z_lo >= 0 (exact when z_lo = 0); the spread D(x) = int_0^x (F-hat - F) >= 0 on
    [0, T] by branch and bound (``bound`` with a mean-value form, ``rises`` from D(0) = 0, ``falls`` to
    D(T) = 0, and ``valley at v*``: D(v*) = D'(v*) = 0 exactly -- (67) is tight at v' = v* -- and
    D'' = l - f > 0 around it).  Instances: the paper's Fig. 2 (F = v^2, c = q^2/2, v* = (sqrt3-1)/2), the
    Theorem 3 members with v* from (52) solved exactly, boundary cases (F = L itself: F-hat = F; v* = 0:
    z_lo = 0 and v-hat = z_lo; v* < v_l: no exclusion), generated modest-tail densities with rational
    thresholds (the comparison uses only (65), not the optimality of v*), and densities without modest
    tails, where the certificate must answer FALSE (the check can fail).  Every certificate (TRUE and
    FALSE) is re-verified from plain data by ``singleitem.replay_lemma12``, which shares no code with the
    search (a failed replay is NotCertified); the ``certified:`` record says how (Fig. 2's v-hat)."""
    from fractions import Fraction

    from exactscreen.numbers import Certainty
    from exactscreen.persuasion.singleitem import PolyCost, PolyDensity, V, linear_decreasing, power_distribution, single_item_optimum
    from exactscreen.persuasion.singleitem.lemma12 import lemma12_certificate, lemma12_construction

    R = sp.Rational
    optimal = [
        ("Fig. 2: F = v^2, c = q^2/2", power_distribution(2), PolyCost(0, 1, 0)),
        ("uniform, c = q/4 + q^2/2", PolyDensity.of(1, 0, 1, "uniform[0,1]"), PolyCost(Fraction(1, 4), 1, 0)),
        ("F = v^2, c = q^3/3", power_distribution(2), PolyCost(0, 0, 1)),
        ("6v(1-v), c = q^2/2", PolyDensity.of(6 * V * (1 - V), 0, 1, "6v(1-v)"), PolyCost(0, 1, 0)),
        ("prop. to 1-v^2, c = q^2/2 + q^3/3", PolyDensity.of(1 - V**2, 0, 1, "1-v^2"), PolyCost(0, 1, 1)),
        ("prop. to 1+v on [1,2], c = q + q^2/2 + q^3/3", PolyDensity.of(1 + V, 1, 2, "1+v on [1,2]"), PolyCost(1, 1, 1)),
        ("L(v;0,1), c = q^2/2", linear_decreasing(0, 1), PolyCost(0, 1, 0)),
    ]
    cases = []
    for name, dist, cost in optimal:
        single = single_item_optimum(dist, cost)
        assert single.certificate.certainty == Certainty.TRUE
        cases.append((name + " (v* from (52))", dist, single.cutoff))
    # boundary cases, five or more of each: F = L itself (F-hat = F), v* = 0 (z_lo = 0, v-hat = z_lo),
    # v* at or below v_l (no exclusion: z_lo = v*, v-hat = z_lo)
    for k, (vl, vh) in enumerate(((0, 1), (0, 2), (R(1, 2), 1), (1, 3), (0, R(1, 3)))):
        cases.append((f"L(v;{vl},{vh}), v* = {vl + (vh - vl) * R(k + 1, 7)}", linear_decreasing(vl, vh),
                      vl + (vh - vl) * R(k + 1, 7)))
    for dens in (1, 2 * V, 3 * V**2, 6 * V * (1 - V), 1 - V**2):
        cases.append((f"{dens} on [0,1], v* = 0", PolyDensity.of(dens, 0, 1), sp.Integer(0)))
    for dens, vs in ((1 + V, R(1, 2)), (1 + V, 1), (sp.Integer(1), R(1, 3)), (V, R(4, 5)), (3 - V, 1)):
        cases.append((f"{dens} on [1,2], v* = {vs}", PolyDensity.of(dens, 1, 2), vs))
    n = max(4, min(settings.default.max_examples, 300) // 4)
    cases += [(f"{d.name} on [0,1], v* = {vs}", d, vs) for d, vs in _lem12_generated(n)]
    boxes = replayed = halvings = 0
    all_replayed, fig2 = True, None
    for name, dist, vs in cases:
        cons = lemma12_construction(dist, vs)
        cert = lemma12_certificate(cons)
        assert cert.certainty == Certainty.TRUE, (name, cert.vhat_exists, cert.fosd, cert.mps and cert.mps.summary())
        boxes += cert.mps.boxes
        all_replayed &= cert.replay is not None and cert.replay.ok
        replayed += cert.replay.boxes
        halvings += cert.replay.halvings
        identical = "identical: F-hat = L = F, D = 0" in cert.mps.by_rule
        evidence.reach("F-hat = L = F (identical; (67) tight everywhere)", identical)
        evidence.reach("v-hat = z_lo (no atom: (67) tight at v' = 0)", cert.atom_zero)
        evidence.reach("z_lo = 0 (dominance tight below 0)", cert.z_lo_zero)
        evidence.reach("v* at or below v_l (no exclusion)", bool(vs <= dist.L))
        evidence.reach("tangency D(v*) = 0 used (valley rule)", cert.mps.by_rule.get("valley at v*", 0) > 0)
        evidence.instances(1)
        if name.startswith("Fig. 2"):
            fig2 = cert
            vh = cert.vhat
            evidence.note(f"Fig. 2 instance: v* = {vs}, z_lo = {cons.z_lo}, z_hi = {cons.z_hi}, v-hat in "
                          f"[{float_free(vh[0])}, {float_free(vh[1])}], MPS: {cert.mps.summary()}")
    # the check can fail: decreasing convex densities (no modest tails) give z_lo < 0, so F-hat is not
    # dominated by L (L has mass below 0, F-hat none): the certificate answers FALSE
    for dens in ((1 - V) ** 2, (1 - V) ** 4):
        d = PolyDensity.of(dens, 0, 1)
        assert not d.modest_tails()
        cert = lemma12_certificate(lemma12_construction(d, R(1, 10)))
        assert cert.fosd == Certainty.FALSE and cert.certainty == Certainty.FALSE
        assert cert.replay.ok and cert.replay_data["claim"] == "fosd fails"      # z_lo < 0 re-derived independently
    evidence.note(f"Lemma 12 certified on {len(cases)} instances ({boxes} boxes in all); without modest tails "
                  "((1-v)^2, (1-v)^4 at v* = 1/10) z_lo < 0 and the comparison certainly fails")
    evidence.certified(
        "v-hat of (66) on Fig. 2's instance (F = v^2, v* = (sqrt3-1)/2), bracket rounded outward to 1e-30",
        _outward(fig2.vhat[0], 30, up=False), _outward(fig2.vhat[1], 30, up=True),
        method="arb balls (python-flint) on exact rational boxes: certified bisection for v-hat, branch and bound "
               "for D(x) = int_0^x (F-hat - F) >= 0 (rules bound / rises / falls / valley at v*); exact sympy zero "
               "tests for the tight cases",
        precision_bits=fig2.replay_data["precision_bits"], boxes=fig2.mps.boxes, z_lo=str(fig2.construction.z_lo),
        z_hi=str(fig2.construction.z_hi), instances=len(cases), boxes_all_instances=boxes,
        settled_boxes_replayed=replayed, replay_extra_halvings=halvings,
        replayed_by="exactscreen.persuasion.singleitem.replay_lemma12 (plain data; own survival-integral formulas, "
                    "Taylor-form arb enclosures, exact tiling; wired into lemma12_certificate: a failed replay is "
                    "NotCertified), on every instance",
        replay_ok=all_replayed)


def _outward(x, digits: int, *, up: bool):
    """``x`` rounded outward to ``digits`` decimals (floor / ceiling), exactly."""
    from fractions import Fraction

    scale = 10**digits
    n = (x.numerator * scale) // x.denominator
    if up and Fraction(n, scale) < x:
        n += 1
    return Fraction(n, scale)


def float_free(x) -> str:
    """A rational as a 12-digit decimal string, exactly (no float)."""
    from exactscreen.persuasion.singleitem.arb import _dec

    return _dec(x, 12)
