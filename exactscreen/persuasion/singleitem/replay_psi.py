"""Independent replay of the single-item optimality certificate (SWP Sec. 6, (52)-(53), Lemma 10).

:func:`~.optimum.single_item_optimum` certifies, by interval branch and bound on ``x``, that
``psi(x) = c(q(x)) - x q(x)`` (``q(x) = c'^{-1}(mu(x))``, ``mu(x) = E[v | v >= x]``; the profit
``Pi_1`` of the best single item sold to ``v >= x`` has ``Pi_1'(x) = f(x) psi(x)``) is positive
below the cutoff ``v*`` and negative above it, so that ``v*`` is the global optimum of (52).
This module re-decides the same statement by a different route and shares no code with the
search (it imports nothing from the package: only :mod:`fractions`, python-flint's exact
``fmpq_poly`` and certified root isolation, and sympy for the engine's exact numbers):

* **The sign of psi as a polynomial sign.**  ``psi(x) = q (g(q) - x)`` with ``g(q) = c(q)/q =
  alpha + beta q/2 + delta q^2/3`` increasing, so ``psi(x) > 0`` iff ``q(x) > g^{-1}(x)`` iff
  (``c'`` increasing) ``mu(x) > c'(s)`` at ``s = g^{-1}(x)``.  Parametrising ``x = g(s)``
  (``s >= 0``), ``sign psi(g(s)) = sign D(s)`` with the polynomial

      ``D(s) = N(g(s)) - c'(s) M(g(s))``,   ``M(x) = int_x^hi f``,  ``N(x) = int_x^hi v f(v) dv``,

  where the common factor ``(hi - x)^k`` of ``M`` and ``N`` is divided out exactly first (so
  ``M`` stays positive up to ``hi`` and ``D`` has no spurious root at ``x = hi``).  Values
  ``x < alpha`` have ``psi > 0`` outright (``g(q) > alpha`` for ``q > 0``).
* **Certified roots.**  The real roots of ``D`` are isolated by python-flint (Arb's certified
  complex root isolation, real roots with exactly zero imaginary part) and placed against the
  ends ``s(lo), s(hi)`` of the parameter range.  Interior cutoff: exactly one root in the range,
  of odd multiplicity, ``D > 0`` at the lower end and ``< 0`` at the upper end.  Corner cutoff
  (``v* = lo``, nobody excluded): no root in ``(s(lo), s(hi)]`` and ``D <= 0`` at ``s(lo)``.
* **The engine's numbers.**  The engine's quality ``q*`` is a root of ``D`` exactly (its minimal
  polynomial, computed by sympy, divides ``D``) and lies in the isolating ball of that root; its
  cutoff is ``g(q*)`` exactly.  So the sign change is at the engine's ``v*``, not near it.

Every step is three-valued: a comparison Arb cannot decide makes the replay fail with the
reason ("undecided"), never a guess.  Every loop is bounded by a polynomial degree.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy
from flint import arb, fmpq, fmpq_poly

__all__ = ["PsiReplay", "replay_psi_sign"]

PREC_NOTE = "Arb root isolation (python-flint complex_roots) and exact rational polynomials"


@dataclass(frozen=True)
class PsiReplay:
    """Outcome of :func:`replay_psi_sign`: ``ok``, the degree of ``D``, its real roots in the
    parameter range, and on failure the reason."""

    ok: bool
    degree: int
    roots_in_range: int
    problem: str = ""

    def summary(self) -> str:
        if self.ok:
            return (f"replayed independently: sign of psi = sign of a degree-{self.degree} polynomial, "
                    f"{self.roots_in_range} certified root(s) in range ({PREC_NOTE})")
        return f"replay FAILED: {self.problem}"


def _q(x) -> fmpq:
    x = Fraction(x)
    return fmpq(x.numerator, x.denominator)


def _horner(p: fmpq_poly, x: arb) -> arb:
    acc = arb(0)
    for c in reversed(p.coeffs()):
        acc = acc * x + arb(c)
    return acc


def _sign_at(p: fmpq_poly, ball: arb, exact: fmpq | None) -> int | None:
    """Sign of ``p`` at a point: exact when the point is rational, else certified from its ball
    (``None``: the ball's value straddles 0)."""
    if exact is not None:
        v = p(exact)
        return (v > 0) - (v < 0)
    v = _horner(p, ball)
    return 1 if v > 0 else -1 if v < 0 else None


def _integral(p: fmpq_poly) -> fmpq_poly:
    return fmpq_poly([fmpq(0)] + [c / (k + 1) for k, c in enumerate(p.coeffs())])


def _inverse_g(g2: fmpq, g1: fmpq, g0: fmpq, x: fmpq) -> tuple[arb, fmpq | None]:
    """The ``s >= 0`` with ``g2 s^2 + g1 s + g0 = x`` (``g`` increasing on ``s >= 0``, ``g(0) = g0 <= x``):
    a ball, and the exact value when it is rational (``g2 == 0`` or ``x == g0``)."""
    if x == g0:
        return arb(0), fmpq(0)
    if g2 == 0:
        s = (x - g0) / g1
        return arb(s), s
    disc = arb(g1 * g1 + 4 * g2 * (x - g0))
    return (disc.sqrt() - arb(g1)) / arb(2 * g2), None


def _to_arb(e: sympy.Expr) -> arb:
    """A certified ball of an exact sympy number built from rationals, +, *, rational powers and
    real ``CRootOf`` (written here: the engine's evaluator is not used)."""
    if e.is_Rational:
        return arb(fmpq(int(e.p), int(e.q)))
    if isinstance(e, sympy.Add):
        out = arb(0)
        for a in e.args:
            out += _to_arb(a)
        return out
    if isinstance(e, sympy.Mul):
        out = arb(1)
        for a in e.args:
            out *= _to_arb(a)
        return out
    if isinstance(e, sympy.Pow) and e.exp.is_Rational:
        base = _to_arb(e.base)
        p, q = int(e.exp.p), int(e.exp.q)
        if q == 1:
            return base ** p if p >= 0 else 1 / base ** (-p)
        if not base > 0:
            raise ValueError(f"cannot certify the sign of the radicand of {e}")
        r = base.root(q)
        return r ** p if p >= 0 else 1 / r ** (-p)
    if isinstance(e, sympy.polys.rootoftools.ComplexRootOf) and e.is_real:
        coeffs = [fmpq(int(c.p), int(c.q)) for c in reversed(sympy.Poly(e.expr, e.poly.gen).all_coeffs())]
        real = sorted((r.real for r, _ in fmpq_poly(coeffs).complex_roots() if r.imag.is_zero()),
                      key=lambda b: b.mid())
        return real[e.index]
    raise ValueError(f"no independent evaluation for {type(e).__name__} in {e}")


def _minimal_poly(e: sympy.Expr) -> fmpq_poly:
    t = sympy.Dummy("t")
    mp = sympy.Poly(sympy.minimal_polynomial(e, t), t)
    return fmpq_poly([fmpq(int(c.p), int(c.q)) for c in reversed(mp.all_coeffs())])


def replay_psi_sign(density: list, lo, hi, alpha, beta, delta, cutoff: sympy.Expr,
                    quality: sympy.Expr | None) -> PsiReplay:
    """Re-decide "psi > 0 on [lo, v*) and psi < 0 on (v*, hi]" (interior ``v*``) or "psi <= 0 at lo
    and < 0 on (lo, hi]" (``v* == lo``), for the density ``sum density[k] v^k`` on ``[lo, hi]``
    (any positive multiple) and the cost ``c(q) = alpha q + beta q^2/2 + delta q^3/3``.

    ``cutoff`` and ``quality`` are the engine's exact ``v*`` and ``q*`` (``quality`` is only used
    for an interior cutoff).  See the module docstring for the argument.
    """
    lo_q, hi_q = _q(lo), _q(hi)
    a, b, d = _q(alpha), _q(beta), _q(delta)
    f = fmpq_poly([_q(c) for c in density])
    F, G = _integral(f), _integral(f * fmpq_poly([0, 1]))
    M = fmpq_poly([F(hi_q)]) - F
    N = fmpq_poly([G(hi_q)]) - G
    k = 0
    while M(hi_q) == 0 and N(hi_q) == 0 and k <= f.degree() + 2:  # bounded by the degree
        M, rm = divmod(M, fmpq_poly([hi_q, -1]))
        N, rn = divmod(N, fmpq_poly([hi_q, -1]))
        if rm != 0 or rn != 0:
            return PsiReplay(False, 0, 0, "exact division by (hi - v) left a remainder")
        k += 1
    if M == 0:
        return PsiReplay(False, 0, 0, "the density has no mass")
    # M > 0 on [lo, hi]: positive at lo and no real root in [lo, hi]
    if not M(lo_q) > 0:
        return PsiReplay(False, 0, 0, f"the mass above lo is not positive ({M(lo_q)})")
    for r, _ in M.complex_roots():
        if r.imag.is_zero() and not (r.real < arb(lo_q) or r.real > arb(hi_q)):
            return PsiReplay(False, 0, 0, "undecided: the upper mass may vanish inside [lo, hi]")
    g = fmpq_poly([a, b / 2, d / 3])
    cprime = fmpq_poly([a, b, d])
    D = N(g) - cprime * M(g)
    if D == 0:
        return PsiReplay(False, 0, 0, "D is identically zero")
    if not hi_q > a:
        return PsiReplay(False, D.degree(), 0, "c'(0) >= hi: no value buys a positive quality")
    below_alpha = lo_q < a  # psi > 0 on [lo, alpha) outright
    s_lo, s_lo_exact = _inverse_g(d / 3, b / 2, a, max(lo_q, a))
    s_hi, _ = _inverse_g(d / 3, b / 2, a, hi_q)
    lo_sign = _sign_at(D, s_lo, s_lo_exact)  # of psi at max(lo, c'(0))
    inside: list[tuple[arb, int]] = []  # roots strictly inside (s(lo), s(hi))
    at_lo = False                        # D(s(lo)) == 0 exactly (a rational s(lo))
    real_roots = [(r.real, mult) for r, mult in D.complex_roots() if r.imag.is_zero()]  # disjoint balls
    for x, mult in real_roots:
        if x < s_lo or x > s_hi:
            continue
        if x > s_lo and x < s_hi:
            inside.append((x, mult))
        elif s_lo_exact is not None and lo_sign == 0 and x.contains(arb(s_lo_exact)) and x < s_hi:
            at_lo = True
        else:
            return PsiReplay(False, D.degree(), len(inside), "undecided: a root of D touches an end of the range")
    D_hi = _horner(D, s_hi)
    if not D_hi < 0:
        return PsiReplay(False, D.degree(), len(inside), f"psi(hi) < 0 not certified (D(s(hi)) in {D_hi})")
    interior = cutoff != sympy.Rational(lo_q.p, lo_q.q)
    if not interior:
        if below_alpha:
            return PsiReplay(False, D.degree(), len(inside), "v* = lo but psi > 0 on [lo, c'(0))")
        if inside:
            return PsiReplay(False, D.degree(), len(inside), "v* = lo but psi changes sign inside (lo, hi)")
        if lo_sign is None or lo_sign > 0:
            return PsiReplay(False, D.degree(), 0, "v* = lo but psi(lo) > 0 (or undecided)")
        return PsiReplay(True, D.degree(), 0)
    if len(inside) != 1 or at_lo or inside[0][1] % 2 == 0:
        return PsiReplay(False, D.degree(), len(inside),
                         f"expected one simple sign change of psi in (lo, hi), found roots {inside}")
    if not below_alpha and lo_sign != 1:
        return PsiReplay(False, D.degree(), 1, "psi > 0 at lo not certified")
    # the engine's q* is that root, exactly
    if quality is None:
        return PsiReplay(False, D.degree(), 1, "an interior cutoff needs the engine's quality q*")
    try:
        mp = _minimal_poly(quality)
        qb = _to_arb(quality)
    except (ValueError, NotImplementedError) as exc:
        return PsiReplay(False, D.degree(), 1, f"cannot evaluate the engine's q* independently: {exc}")
    if D % mp != 0:
        return PsiReplay(False, D.degree(), 1, "the engine's q* is not a root of D")
    root = inside[0][0]
    # q* is a root of D (mp | D), and its enclosure meets the isolating ball of this root only
    if [x for x, _ in real_roots if x.overlaps(qb)] != [root]:
        return PsiReplay(False, D.degree(), 1, f"the engine's q* {qb} is not the root {root} in range")
    t = sympy.Dummy("t")
    gq = sympy.Rational(a.p, a.q) + sympy.Rational(b.p, b.q) * quality / 2 + sympy.Rational(d.p, d.q) * quality**2 / 3
    if sympy.minimal_polynomial(cutoff - gq, t) != t:
        return PsiReplay(False, D.degree(), 1, "the engine's v* is not g(q*) exactly")
    return PsiReplay(True, D.degree(), 1)
