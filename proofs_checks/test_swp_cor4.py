"""Screening with persuasion, Section 5, proof of Theorem 2: Corollary 4 (the maximizers of (41)).

Corollary 4: "For every K, {f_1*, ..., f_K*} maximizes (41) if and only if there exists f_0 <=
(3 - sqrt5)/2 and iota in {K-5, ..., K-2} such that f_{i,2}* = S^{i-1}(f_0) for i in {1, ..., iota+1},
f_{iota+2}* = ... = f_K*, and {f_{iota+2}*, ..., f_K*} are determined by the constraint that the
probabilities add up to one."  Here f_{i,2} is the hazard f_i / (1 - sum_{j<i} f_j) and
S(x) = (sqrt x - x)/(1 - x) (37).  Exact arithmetic throughout (rationals; entropies compared by
exact integer powers or certified arb balls).
"""

from __future__ import annotations

from fractions import Fraction as F

from flint import arb, ctx

from exactscreen.claims import claim

COR4_QUOTE = ("For every K, {f_1*, ..., f_K*} maximizes (41) if and only if there exists f_0 <= (3 - sqrt5)/2 "
              "and iota in {K-5, ..., K-2} such that f_{i,2}* = S^{i-1}(f_0) for i in {1, ..., iota+1} and "
              "f_{iota+2}* = ... = f_K* (the tail atoms fill the remaining mass)")


def _hazards(masses):
    out, left = [], F(1)
    for m in masses:
        out.append(m / left if left else F(1))
        left -= m
    return out


def _below_golden(f0: F) -> bool:
    """Exact ``f0 <= (3 - sqrt5)/2``  <=>  ``sqrt5 <= 3 - 2 f0``  <=>  ``3 - 2 f0 >= 0`` and ``5 <= (3 - 2 f0)^2``."""
    t = 3 - 2 * f0
    return t >= 0 and 5 <= t * t


def _S_exact(x: F) -> F | None:
    """``S(x) = sqrt(x)/(1 + sqrt(x))`` when ``x`` is a rational square (else ``None``)."""
    from math import isqrt

    n, d = x.numerator, x.denominator
    rn, rd = isqrt(n), isqrt(d)
    if rn * rn != n or rd * rd != d:
        return None
    r = F(rn, rd)
    return r / (1 + r)


def _of_the_form(masses, iota: int, f0: F) -> bool:
    """Corollary 4's form, decided exactly: hazards 1..iota+1 equal to the S-orbit of f0 (rational
    here), atoms iota+2..K equal, f0 <= (3 - sqrt5)/2, iota in {K-5, ..., K-2}."""
    K = len(masses)
    if not (K - 5 <= iota <= K - 2 and _below_golden(f0)):
        return False
    h, x = _hazards(masses), f0
    for i in range(iota + 1):
        if x is None or h[i] != x:
            return False
        x = _S_exact(x)
    tail = masses[iota + 1:]
    return len(set(tail)) <= 1 and sum(masses) == 1


def _log2_ball(x) -> arb:
    return arb(x).log() / arb(2).log()


@claim("SWP-THM2")
def test_corollary4_if_direction_fails_as_written(evidence):
    """The "if" half read literally: every distribution of the stated form maximizes (41).  It fails:
    K = 3, iota = 0, f_0 = 1/9 gives (1/9, 4/9, 4/9), feasible ((36) exactly) and of the form
    (f_0 <= (3 - sqrt5)/2 exactly), with entropy log2 9 - 16/9 < log2 3 = E_3* (the uniform
    distribution is feasible, footnote 4).  Also K = 5, iota = 2, f_0 = 1/9: hazards 1/9, 1/4, 1/3
    (the S-orbit, rational) then two atoms 2/9: entropy log2 9 - 8/9 below the certified lower end
    of E_5* (a feasible witness).  Corrected: the maximizers are *among* the distributions of this
    form (the "only if" half), which the text after the corollary says ("up to two parameters")."""
    from exactscreen.persuasion.entropy import constraints36, entropy_bits
    from exactscreen.persuasion.entropy_finite import finite_K_bound

    m3 = (F(1, 9), F(4, 9), F(4, 9))
    assert all(constraints36(m3)) and _of_the_form(m3, 0, F(1, 9))
    uniform = (F(1, 3),) * 3
    assert all(constraints36(uniform))
    old, ctx.prec = ctx.prec, 128
    try:
        assert entropy_bits(m3) < _log2_ball(3)                 # certified (arb), route 1
        assert entropy_bits(uniform).overlaps(_log2_ball(3))
        m5 = (F(1, 9),) + (F(2, 9),) * 4
        assert all(constraints36(m5)) and _of_the_form(m5, 2, F(1, 9))
        b5 = finite_K_bound(5)
        assert all(constraints36(b5.masses)) and entropy_bits(m5) < entropy_bits(b5.masses)
    finally:
        ctx.prec = old

    def exact_route() -> bool:
        """Shares nothing with entropy_bits: with every 9 f_k an integer, 2^(9 H) = prod f_k^(-9 f_k)
        is rational, and H < log2 3 iff that product is < 3^9."""
        prod = F(1)
        for fk in m3:
            prod *= (1 / fk) ** int(9 * fk)
        return prod < 3**9

    confirmed = exact_route()
    evidence.qualified(
        "Corollary 4, 'if' half: every distribution with f_{i,2} = S^{i-1}(f_0) (i <= iota+1), equal atoms after, "
        "f_0 <= (3 - sqrt5)/2 and iota in {K-5, ..., K-2} maximizes (41)",
        {"K": 3, "iota": 0, "f_0": "1/9", "masses": ["1/9", "4/9", "4/9"], "entropy": "log2 9 - 16/9",
         "E_3*": "log2 3 (uniform, feasible)"},
        "'only if': every maximizer of (41) is of that form for some (f_0, iota) -- exact for K = 2..4 "
        "(test_corollary4_only_if_for_K_up_to_4), certified for K = 5, 6 with iota = K-3 "
        "(test_corollary4_only_if_for_K_5_and_6); K >= 7 not decided (docs/persuasion.md, Corollary 4)",
        confirmed_by="exact integer comparison 2^(9H) = 9 (9/4)^8 < 3^9 (no logarithms, no arb)",
        confirm=confirmed,
    )
    evidence.note(f"also K = 5, iota = 2, f_0 = 1/9 (hazards 1/9, 1/4, 1/3, then 2/9, 2/9): entropy log2 9 - 8/9 "
                  f"< {float_free(b5.lower)} <= E_5* (certified witness)")


@claim("SWP-THM2")
def test_corollary4_only_if_for_K_up_to_4(evidence):
    """The "only if" half for K = 2, 3, 4, exactly: the uniform distribution satisfies every (36)
    (footnote 4; decided in exact rationals) and is the unique maximizer of the entropy over all
    K-atom distributions (Gibbs: log2 K - H(f) is the divergence from uniform, 0 only at uniform), so
    it is the unique maximizer of (41); it is of the stated form with iota = -1 (empty hazard prefix,
    all K atoms equal; -1 is in {K-5, ..., K-2} for K <= 4).  For K = 3, 4 also iota = 0, f_0 = 1/K.
    For K = 2 iota = 0 would need f_{1,2} = 1/2 <= (3 - sqrt5)/2, which fails exactly: only the
    empty-prefix reading covers K = 2.  The check can fail: a feasible non-uniform distribution of the
    form (K = 3, f_0 = 1/9) is rejected as a maximizer (entropy below log2 3)."""
    from exactscreen.persuasion.entropy import constraints36, entropy_bits
    from exactscreen.persuasion.entropy_finite import finite_K_bound

    for K in (2, 3, 4):
        u = (F(1, K),) * K
        assert all(constraints36(u))
        assert _of_the_form(u, -1, F(0))
        iota0 = _of_the_form(u, 0, F(1, K))
        assert iota0 == (K != 2)
        assert not _below_golden(F(1, 2))                        # K = 2: f_{1,2} = 1/2 > (3 - sqrt5)/2
        b = finite_K_bound(K)
        assert b.masses == u                                     # the engine's maximizer is the uniform one
        old, ctx.prec = ctx.prec, 128
        try:
            assert entropy_bits(u).overlaps(_log2_ball(K))
        finally:
            ctx.prec = old
        evidence.reach("the maximizer needs the empty-prefix reading iota = -1 (K = 2)", not iota0)
        evidence.reach("the maximizer also has iota = 0, f_0 = 1/K", iota0)
        evidence.instances(1)
    # the check can fail: a feasible non-uniform distribution of the form is not a maximizer
    m3 = (F(1, 9), F(4, 9), F(4, 9))
    assert _of_the_form(m3, 0, F(1, 9)) and all(constraints36(m3)) and m3 != (F(1, 3),) * 3
    evidence.note("Corollary 4 'only if' for K = 2..4: the unique maximizer of (41) is uniform (feasible exactly, "
                  "Gibbs), of the stated form with iota = -1; K = 2 is covered only by iota = -1 (f_0 = 1/2 > "
                  "(3 - sqrt5)/2); K = 5, 6: test_corollary4_only_if_for_K_5_and_6; K >= 7 undecided (docs/persuasion.md)")
    evidence.strength("all-cases")


def float_free(x) -> str:
    """A rational rounded down to 7 decimals, as text (no float)."""
    n = (x.numerator * 10**7) // x.denominator
    return f"{n // 10**7}.{n % 10**7:07d}"


# ------------------------------------------------------------------ "only if" for K = 5, 6
# Hazard form of (41): h_k = f_k / (1 - sum_{j<k} f_j) in [0, 1], h_K = 1, (36) <=> h_{k+1} >= S(h_k) (37),
# entropy E(h) = H(h_1) + (1 - h_1) (H(h_2) + (1 - h_2) (... + (1 - h_{K-2}) H(h_{K-1}))) (chain rule).
#
# Claim (Corollary 4's "only if" with iota = K - 3): every maximizer has h_{K-1} = 1/2 (f_{K-1} = f_K),
# h_j = S(h_{j-1}) for j = 2..K-2 and h_1 = f_0 <= (3 - sqrt5)/2.  Argument on a box B of hazards:
#   * "infeasible": some (37) fails on all of B (exact: y < S(x) <=> y < 1 and (y/(1-y))^2 < x);
#   * "low": sup_B E < E_lower, the certified entropy of a feasible witness (<= E_K*): no maximizer in B;
#   * "structured": every h_j < 1 on B (j <= K-2), h_1 <= (3 - sqrt5)/2, and for j = 2..K-2
#     log2((1 - h_j)/h_j) < E_{j+1}(h_{j+1}, ..., h_{K-2}, 1/2) on B.  Then a maximizer h* in B has
#     h*_{K-1} = 1/2 (E is c H(h_{K-1}) + const with c > 0 and 1/2 >= S(h*_{K-2}) is feasible), and if some
#     h*_j > S(h*_{j-1}), lowering h_j keeps every (37) (S increasing) and raises E, since
#     dE/dh_j = prod_{i<j} (1 - h_i) [log2((1 - h_j)/h_j) - E_{j+1}] < 0: a contradiction.
# The boxes of a bisection of [0, 1]^(K-1) each settled by one rule prove the claim.  The search
# (_cor4_search) and the re-verification (_cor4_replay: the tiling re-derived from the tree, every
# rule re-decided with separately written interval bounds, up to 3 halvings) share no code.

def _ball(x: F) -> arb:
    return arb(x.numerator) / x.denominator


def _H_at(x: F, ln2: arb) -> arb:
    if x == 0 or x == 1:
        return arb(0)
    a = _ball(x)
    return -(a * a.log() + (1 - a) * (1 - a).log()) / ln2


def _sup_step(a: F, b: F, c: arb, ln2: arb) -> arb:
    """sup over h in [a, b] of H(h) + (1 - h) c (concave in h, peak at 1/(1 + 2^c), value log2(1 + 2^c))."""
    cu = arb(c.upper())
    two_c = (cu * ln2).exp()
    peak = 1 / (1 + two_c)
    if peak < _ball(a):
        return _H_at(a, ln2) + (1 - _ball(a)) * cu
    if peak > _ball(b):
        return _H_at(b, ln2) + (1 - _ball(b)) * cu
    return (1 + two_c).log() / ln2


def _inf_step(a: F, b: F, c: arb, ln2: arb) -> arb:
    """inf over h in [a, b] of H(h) + (1 - h) c (concave: at an end)."""
    cl = arb(c.lower())
    return arb(min((_H_at(a, ln2) + (1 - _ball(a)) * cl).lower(), (_H_at(b, ln2) + (1 - _ball(b)) * cl).lower()))


def _rule_of(box, E_lower: arb, ln2: arb) -> str | None:
    K = len(box) + 1
    for (a0, _), (_, b1) in zip(box, box[1:]):
        if b1 < 1 and (b1 / (1 - b1)) ** 2 < a0:
            return "infeasible"
    c = arb(0)
    for a, b in reversed(box):
        c = _sup_step(a, b, c, ln2)
    if c < E_lower:
        return "low"
    if not _below_golden(box[0][1]) or any(b >= 1 for _, b in box[:K - 2]):
        return None
    T = arb(1)                                     # E_{K-1} = H(1/2) = 1
    for j in range(K - 2, 1, -1):                  # need log2((1-h_j)/h_j) < E_{j+1} on the box
        a, b = box[j - 1]
        if a <= 0 or not ((_ball((1 - a) / a)).log() / ln2 < T):
            return None
        T = _inf_step(a, b, T, ln2)
    return "structured"


def _cor4_search(K: int, E_lower: arb, budget: int = 200_000):
    """Bisection of [0, 1]^(K-1) (widest side, lowest index on ties) until every box has a rule."""
    old, ctx.prec = ctx.prec, 128
    try:
        ln2 = arb(2).log()
        stack, leaves, n = [tuple((F(0), F(1)) for _ in range(K - 1))], [], 0
        while stack:
            box = stack.pop()
            n += 1
            assert n <= budget, f"Corollary 4 search for K={K}: box budget {budget} exhausted"
            rule = _rule_of(box, E_lower, ln2)
            if rule is not None:
                leaves.append((box, rule))
                continue
            i = max(range(K - 1), key=lambda k: (box[k][1] - box[k][0], -k))
            a, b = box[i]
            m = (a + b) / 2
            stack += [box[:i] + ((m, b),) + box[i + 1:], box[:i] + ((a, m),) + box[i + 1:]]
        return leaves, n
    finally:
        ctx.prec = old


def _cor4_replay(K: int, leaves, E_lower_exact: F, max_halvings: int = 10) -> tuple[bool, str]:
    """Re-verify the search's leaves with code of its own: (1) the leaves are exactly the leaves of a
    bisection tree of [0, 1]^(K-1) (re-derived top-down, each leaf reached once); (2) each rule
    re-decided: 'infeasible' by exact rationals (S(x) > y <=> x > (y/(1-y))^2), 'low' and 'structured'
    by interval bounds of their own ('low': tangent lines of the concave H at each box's midpoint;
    'structured': H by monotonicity on [0, 1/2] and [1/2, 1]), halving a box up to max_halvings times."""
    old, ctx.prec = ctx.prec, 160
    try:
        ln2 = arb(2).log()
        wanted = {box: rule for box, rule in leaves}
        if len(wanted) != len(leaves):
            return False, "a leaf is listed twice"

        def Hrange(a: F, b: F) -> tuple[arb, arb]:
            def at(x: F) -> arb:
                if x in (0, 1):
                    return arb(0)
                y = arb(x.numerator) / x.denominator
                return -(y * y.log() + (1 - y) * (1 - y).log()) / ln2
            ha, hb = at(a), at(b)
            if b <= F(1, 2):
                return ha, hb
            if a >= F(1, 2):
                return hb, ha
            return arb(min(ha.lower(), hb.lower())), arb(1)

        def tangent_E_upper(box) -> arb:
            """H is concave, so H(h) <= H(m) + H'(m)(h - m) at the midpoint m; the step
            H(h) + (1 - h) c is then below a line in h, maximal at an end (c: the tail's upper bound)."""
            c = arb(0)
            for a, b in reversed(box):
                cu = arb(c.upper())
                best = None
                for k in (1, 2, 3):                  # tangents at a + k (b - a)/4; each bounds the step
                    m = a + (b - a) * k / 4
                    mb = arb(m.numerator) / m.denominator
                    Hm = -(mb * mb.log() + (1 - mb) * (1 - mb).log()) / ln2
                    dH = ((1 - mb) / mb).log() / ln2
                    top = max((Hm + dH * (arb(x.numerator) / x.denominator - mb)
                               + cu * (1 - arb(x.numerator) / x.denominator)).upper() for x in (a, b))
                    best = top if best is None else min(best, top)
                mono = (Hrange(a, b)[1] + (1 - arb(a.numerator) / a.denominator) * cu).upper()
                c = arb(min(best, mono))
            return c

        El = arb(E_lower_exact.numerator) / E_lower_exact.denominator

        def halved(box, test, depth=0) -> bool:
            """``test`` on the box, or on both halves (widest side), at most max_halvings deep; a
            sub-box where some (37) certainly fails needs nothing."""
            if any(b1 < 1 and b1 * b1 < a0 * (1 - b1) * (1 - b1) for (a0, _), (_, b1) in zip(box, box[1:])):
                return True
            if test(box):
                return True
            if depth >= max_halvings:
                return False
            i = max(range(len(box)), key=lambda k: box[k][1] - box[k][0])
            a, b = box[i]
            m = (a + b) / 2
            return (halved(box[:i] + ((a, m),) + box[i + 1:], test, depth + 1)
                    and halved(box[:i] + ((m, b),) + box[i + 1:], test, depth + 1))

        def structured(box) -> bool:
            a1, b1 = box[0]
            if not (3 - 2 * b1 >= 0 and (3 - 2 * b1) ** 2 >= 5):
                return False
            if any(b >= 1 for _, b in box[:K - 2]):
                return False
            tail_lo = arb(1)                         # E_{K-1} = H(1/2) = 1, exactly
            for j in range(K - 2, 1, -1):
                a, b = box[j - 1]
                if a <= 0:
                    return False
                slope = ((1 - arb(a.numerator) / a.denominator) / (arb(a.numerator) / a.denominator)).log() / ln2
                if not slope < tail_lo:
                    return False
                hl, _ = Hrange(a, b)
                tail_lo = hl + (1 - arb(b.numerator) / b.denominator) * tail_lo
            return True

        seen = 0
        todo = [(tuple((F(0), F(1)) for _ in range(K - 1)), 0)]
        while todo:
            box, depth = todo.pop()
            if depth > 200:
                return False, "bisection tree deeper than 200"
            if box in wanted:
                seen += 1
                rule = wanted[box]
                ok = {"infeasible": lambda bx: any(b1 < 1 and b1 * b1 < a0 * (1 - b1) * (1 - b1)
                                                  for (a0, _), (_, b1) in zip(bx, bx[1:])),
                      "low": lambda bx: halved(bx, lambda b: tangent_E_upper(b) < El),
                      "structured": lambda bx: halved(bx, structured)}.get(rule, lambda bx: False)(box)
                if not ok:
                    return False, f"rule {rule!r} not confirmed on {box}"
                continue
            i = max(range(K - 1), key=lambda k: (box[k][1] - box[k][0], -k))
            a, b = box[i]
            m = (a + b) / 2
            todo += [(box[:i] + ((a, m),) + box[i + 1:], depth + 1), (box[:i] + ((m, b),) + box[i + 1:], depth + 1)]
            if len(todo) > 4 * len(leaves) + 10:
                return False, "the leaves do not close the bisection tree"
        if seen != len(leaves):
            return False, f"{len(leaves) - seen} leaves are not leaves of the bisection tree"
        return True, f"{seen} leaves re-verified"
    finally:
        ctx.prec = old


def _own_witness_lower(masses) -> F:
    """A rational lower bound of the entropy of ``masses``, after checking (36) exactly with code of
    this file (hazards, y >= S(x) <=> y = 1 or (y/(1-y))^2 >= x)."""
    assert sum(masses) == 1 and all(m >= 0 for m in masses)
    h = _hazards(masses)
    for x, y in zip(h, h[1:]):
        assert y == 1 or (y / (1 - y)) ** 2 >= x, "the witness violates (36)"
    old, ctx.prec = ctx.prec, 128
    try:
        e = arb(0)
        for m in masses:
            if m:
                a = _ball(m)
                e -= a * a.log()
        e = e / arb(2).log()
        lo = e.lower()
        mant, ex = lo.man_exp()
        return F(int(mant)) * F(2) ** int(ex)
    finally:
        ctx.prec = old


@claim("SWP-THM2")
def test_corollary4_only_if_for_K_5_and_6(evidence):
    """Corollary 4's "only if" half for K = 5 and 6, by a finite certified argument (see the comment
    above _ball): every maximizer of (41) has hazards f_0, S(f_0), ..., S^{K-3}(f_0), then two equal
    atoms (iota = K - 3), with f_0 <= (3 - sqrt5)/2.  E_lower is the entropy of the feasible witness of
    ``entropy_finite.finite_K_bound`` (feasibility re-checked exactly here, entropy re-enclosed here).
    Every rule settles boxes for each K (asserted; the counts are in the certified records); the
    search and the replay share no code.  K = 4 is degenerate for this
    argument (the uniform maximizer has h_2 = S(h_1) = 1/3 where dE/dh_2 = 0) and is decided exactly in
    test_corollary4_only_if_for_K_up_to_4.  K = 7 (6 271 boxes for the search, 3 s) is left out: the
    replay's own bounds do not confirm one large 'low' box within 10 halvings; K = 8 takes the search
    alone 42 s (about 92 000 boxes)."""
    from exactscreen.persuasion.entropy_finite import finite_K_bound

    total = 0
    for K in (5, 6):
        b = finite_K_bound(K)
        E_lower = _own_witness_lower(b.masses)
        assert E_lower <= b.upper
        leaves, examined = _cor4_search(K, _ball(E_lower))
        counts = {r: sum(1 for _, rr in leaves if rr == r) for r in ("infeasible", "low", "structured")}
        assert counts["structured"] > 0 and counts["low"] > 0 and counts["infeasible"] > 0
        ok, why = _cor4_replay(K, leaves, E_lower)
        assert ok, (K, why)
        # the witness itself (Corollary 4's shape) lies in a structured box: the argument reaches it
        h = _hazards(b.masses)[:K - 1]
        home = [r for box, r in leaves if all(a <= x <= bb for x, (a, bb) in zip(h, box))]
        assert "structured" in home, (K, home)
        if K == 5:       # the replay can fail: a dropped leaf; the witness's box relabelled 'low'
            assert not _cor4_replay(K, leaves[1:], E_lower)[0]
            i = next(j for j, (box, r) in enumerate(leaves)
                     if r == "structured" and all(a <= x <= bb for x, (a, bb) in zip(h, box)))
            assert not _cor4_replay(K, leaves[:i] + [(leaves[i][0], "low")] + leaves[i + 1:], E_lower)[0]
        total += len(leaves)
        evidence.certified(f"every maximizer of (41) for K = {K} has Corollary 4's form with iota = K-3 "
                           f"(E_{K}* >= witness entropy)", E_lower, b.upper,
                           method="bisection of the K-1 hazards; rules infeasible (exact), low (sup of the "
                                  "concave chain-rule steps < witness entropy), structured (signs of dE/dh_j)",
                           precision_bits=128, boxes=len(leaves), examined=examined, **counts,
                           replayed_by="_cor4_replay in proofs_checks/test_swp_cor4.py (tree re-derived, "
                                       "tangent-line / monotone interval bounds at 160 bits, up to 10 halvings)",
                           replay_ok=ok)
        evidence.instances(1)
    evidence.note(f"Corollary 4 'only if' decided for K = 5, 6 ({total} boxes): every maximizer of (41) has "
                  "binding hazards S^(i-1)(f_0) up to K-2, then two equal atoms, f_0 <= (3-sqrt5)/2 (iota = K-3)")
