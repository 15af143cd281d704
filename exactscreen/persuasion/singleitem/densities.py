"""Value distributions with a polynomial density (:class:`PolyDensity`) and separable polynomial
costs (:class:`PolyCost`), as exact sympy expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import sympy

from ...exceptions import InputError
from ...numbers import to_fraction
from .arb import _exact_expr
from .symbols import Q, V

def _sign_pieces(poly_exprs: Sequence, lo: Fraction, hi: Fraction) -> list[Fraction]:
    """Rational test points, one inside each interval between consecutive real
    roots in ``(lo, hi)`` of the given univariate polynomials (exact isolation)."""
    cuts: list[tuple[Fraction, Fraction]] = []
    for pe in poly_exprs:
        p = sympy.Poly(sympy.expand(pe), V)
        if p.is_zero or p.degree() <= 0:
            continue
        for (a, b), _ in p.intervals(eps=Fraction(1, 10**6)):
            a, b = Fraction(int(sympy.Rational(a).p), int(sympy.Rational(a).q)), Fraction(
                int(sympy.Rational(b).p), int(sympy.Rational(b).q))
            if b >= lo and a <= hi:
                cuts.append((max(a, lo), min(b, hi)))
    pts = sorted({lo, hi} | {c for iv in cuts for c in iv})
    tests = []
    for x, y in zip(pts[:-1], pts[1:]):
        m = (x + y) / 2
        if not any(a <= m <= b for a, b in cuts):
            tests.append(m)
    return tests


@dataclass(frozen=True)
class PolyDensity:
    """Distribution of values on ``[lo, hi]`` with a polynomial density in ``V``.

    Build with :meth:`of` (normalizes, checks non-negativity exactly).  All
    derived quantities are exact sympy expressions.
    """

    density: sympy.Expr
    lo: Fraction
    hi: Fraction
    name: str = ""

    @classmethod
    def of(cls, density, lo=0, hi=1, name: str = "") -> "PolyDensity":
        lo, hi = to_fraction(lo, "lo"), to_fraction(hi, "hi")
        if not lo < hi:
            raise InputError(f"density support: need lo < hi, got [{lo}, {hi}]")
        f = _exact_expr(density, "density")
        if not f.free_symbols <= {V}:
            raise InputError(f"density must be a polynomial in v, got {f}")
        if not f.is_polynomial(V):
            raise InputError(f"density must be a polynomial in v, got {f}")
        L, H = sympy.Rational(lo.numerator, lo.denominator), sympy.Rational(hi.numerator, hi.denominator)
        total = sympy.integrate(f, (V, L, H))
        if not total.is_positive:
            raise InputError(f"density {f} has no positive mass on [{lo}, {hi}]")
        f = sympy.expand(f / total)
        for t in _sign_pieces([f], lo, hi) + [lo, hi]:
            if f.subs(V, sympy.Rational(t.numerator, t.denominator)) < 0:
                raise InputError(f"density {f} is negative at v = {t}")
        return cls(f, lo, hi, name or str(f))

    # exact pieces
    @property
    def L(self):
        return sympy.Rational(self.lo.numerator, self.lo.denominator)

    @property
    def H(self):
        return sympy.Rational(self.hi.numerator, self.hi.denominator)

    def cdf(self, x):
        return sympy.expand(sympy.integrate(self.density, (V, self.L, x)))

    def mass(self, x, y):
        """``F(y) - F(x)`` (polynomial)."""
        return sympy.expand(self.cdf(y) - self.cdf(x))

    def moment(self, x, y):
        """``int_x^y v f(v) dv`` (polynomial)."""
        return sympy.expand(sympy.integrate(V * self.density, (V, x, y)))

    def mean(self, x, y):
        """``E[v | x <= v <= y]`` with the factor ``y - x`` cancelled (rational function)."""
        return sympy.cancel(self.moment(x, y) / self.mass(x, y))

    def upper_mean(self, x):
        """``mu(x) = E[v | v >= x]``."""
        return self.mean(x, self.H)

    def overall_mean(self):
        return sympy.simplify(self.moment(self.L, self.H))

    def modest_tails(self) -> bool:
        """Condition (38), exactly: ``f'(v) < 0  =>  f''(v) <= 0`` on ``[lo, hi]``."""
        d1, d2 = sympy.diff(self.density, V), sympy.diff(self.density, V, 2)
        for t in _sign_pieces([d1, d2], self.lo, self.hi):
            tv = sympy.Rational(t.numerator, t.denominator)
            if d1.subs(V, tv) < 0 and d2.subs(V, tv) > 0:
                return False
        return True

    @property
    def coefficients(self) -> list[Fraction]:
        """The density's coefficients in ``V``, lowest degree first, exact (the plain data the
        independent replays take)."""
        return poly_fractions(self.density, V)

    def __repr__(self) -> str:
        return f"PolyDensity({self.name} on [{self.lo}, {self.hi}])"


def poly_fractions(expr, gen) -> list[Fraction]:
    """Coefficients of the polynomial ``expr`` in ``gen`` as Fractions, lowest degree first
    (every coefficient must be rational)."""
    out = []
    for c in reversed(sympy.Poly(sympy.expand(expr), gen).all_coeffs()):
        c = sympy.Rational(c)
        out.append(Fraction(int(c.p), int(c.q)))
    return out


def power_distribution(n: int) -> PolyDensity:
    """``F(v) = v^n`` on ``[0, 1]`` (density ``n v^(n-1)``); ``n = 2`` is Figs. 1-2's."""
    return PolyDensity.of(n * V ** (n - 1), 0, 1, f"F(v)=v^{n}")


def linear_decreasing(vl=0, vh=1) -> PolyDensity:
    """``L(v; v_l, v_h)`` of the proof of Proposition 6: density ``2 (v_h - v)/(v_h - v_l)^2``."""
    vl, vh = to_fraction(vl, "v_l"), to_fraction(vh, "v_h")
    return PolyDensity.of(2 * (sympy.Rational(vh.numerator, vh.denominator) - V), vl, vh, f"L(v;{vl},{vh})")


# ------------------------------------------------------------------- costs
@dataclass(frozen=True)
class PolyCost:
    """Separable cost ``c(q) = alpha q + beta q^2/2 + delta q^3/3`` (``c(0) = 0``).

    ``alpha, beta, delta >= 0`` and ``beta + delta > 0``: convex on ``q >= 0``
    with ``c''' = 2 delta >= 0``.  ``delta = 0`` is the linear-quadratic cost
    (55) (without the fixed cost ``gamma``).
    """

    alpha: Fraction = Fraction(0)
    beta: Fraction = Fraction(1)
    delta: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        for name in ("alpha", "beta", "delta"):
            object.__setattr__(self, name, to_fraction(getattr(self, name), f"cost.{name}"))
        if self.alpha < 0 or self.beta < 0 or self.delta < 0 or self.beta + self.delta == 0:
            raise InputError("cost: need alpha, beta, delta >= 0 and beta + delta > 0")

    def _r(self, x: Fraction):
        return sympy.Rational(x.numerator, x.denominator)

    @property
    def expr(self):
        a, b, d = self._r(self.alpha), self._r(self.beta), self._r(self.delta)
        return a * Q + b * Q**2 / 2 + d * Q**3 / 3

    def c(self, q):
        return self.expr.subs(Q, q)

    def marginal(self, q):
        return sympy.diff(self.expr, Q).subs(Q, q)

    def marginal_inverse(self, p):
        """``q`` with ``c'(q) = p`` on the increasing branch (``p >= c'(0)`` gives ``q >= 0``)."""
        a, b, d = self._r(self.alpha), self._r(self.beta), self._r(self.delta)
        if self.delta == 0:
            return (p - a) / b
        return (-b + sympy.sqrt(b**2 + 4 * d * (p - a))) / (2 * d)

    def conjugate(self, p):
        """``c*(p) = p q - c(q)`` at ``q = c'^{-1}(p)``.

        Equal to ``max_{q >= 0} p q - c(q)`` for ``p >= c'(0)``; for ``p < c'(0)``
        the true value is 0 and this expression is ``>= 0`` where it is real
        (quadratic: ``(p - alpha)^2/(2 beta)``), so it is always an upper bound.
        """
        q = self.marginal_inverse(p)
        if self.delta == 0:
            a, b = self._r(self.alpha), self._r(self.beta)
            return (p - a) ** 2 / (2 * b)
        return p * q - self.c(q)

    @property
    def c0(self):
        """``c'(0) = alpha``: cells with virtual value at most this are excluded."""
        return self._r(self.alpha)

    def third_derivative_nonnegative(self) -> bool:
        return sympy.diff(self.expr, Q, 3) >= 0

    def __repr__(self) -> str:
        return f"PolyCost(c(q)={self.expr})"


def _rat(x: Fraction):
    return sympy.Rational(x.numerator, x.denominator)
