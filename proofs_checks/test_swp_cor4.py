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
        "(test_corollary4_only_if_for_K_up_to_4); for K >= 5 not decided (docs/persuasion.md, Corollary 4)",
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
                  "(3 - sqrt5)/2); K >= 5: the form attains E_K* within the certified DP width "
                  "(test_lemma8_finite_K_and_limit), uniqueness undecided (docs/persuasion.md)")
    evidence.strength("all-cases")


def float_free(x) -> str:
    """A rational rounded down to 7 decimals, as text (no float)."""
    n = (x.numerator * 10**7) // x.denominator
    return f"{n // 10**7}.{n % 10**7:07d}"
