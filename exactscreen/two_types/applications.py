"""Applications of *Screening two types* (Haghpanah & Siegel, Sec. 5): additive
bundling with random bundles (Sec. 5.2, App. I, Proposition 2).

Additive bundling: products ``1..n`` with net valuations ``v_t(i)`` (any sign);
a bundle is a subset, worth ``Σ_{i ∈ a} v_t(i)``; the empty bundle is the
outside option.  Everything here is computed from the *products* (the paper's
"product space"); :meth:`Bundling.environment` builds the ``2^n``
alternatives so that the general analysis (:mod:`exactscreen.two_types.analysis`) and
the engine can be compared with it.

* ``B_1(q)``: bundles containing every product with ``v1 − q v2 > 0`` and no
  product with ``v1 − q v2 < 0`` (App. I).
* ``a^1Q(q)`` (6), ``a^3Q(q)`` (7): the bundles of ``B_1(q)`` maximizing and
  minimizing ``v2 − v1`` (hyperplane products in the first / third quadrant).
* ``q^CD``: the lowest ``q`` with ``d(a^1Q(q)) ≥ 0 ≥ d(a^3Q(q))`` (Corollary 2).
* ``r_i = v1(i)/v2(i)`` and the classification of Sec. 5.2.2: products always,
  never or sometimes given to type 1.

Labels: the paper's type 2 is uncontested (Assumption 1); :func:`bundling`
swaps the two valuation vectors when needed and records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Sequence

from ..exceptions import InputError, Undecided
from ..environment import OUTSIDE, Environment
from ..numbers import to_fraction

__all__ = ["Bundling", "bundling", "bundle_name"]

ZERO = Fraction(0)


def bundle_name(products: Sequence[int]) -> str:
    """``{1;3}`` for products 1 and 3 (``"0"`` for the empty bundle, the outside option)."""
    return "{" + ";".join(str(i) for i in sorted(products)) + "}" if products else OUTSIDE


@dataclass(frozen=True)
class Bundling:
    """Additive bundling in the paper's labels (type 2 uncontested).

    ``v1[i]``, ``v2[i]`` are the valuations of product ``i + 1``; ``swapped``
    says whether the input's vectors were exchanged to satisfy Assumption 1.
    """

    v1: tuple[Fraction, ...]
    v2: tuple[Fraction, ...]
    swapped: bool = False

    @property
    def n(self) -> int:
        return len(self.v1)

    @property
    def products(self) -> range:
        return range(1, self.n + 1)

    def d(self, i: int) -> Fraction:
        return self.v2[i - 1] - self.v1[i - 1]

    def w(self, i: int, q) -> Fraction:
        """``v1(i) − q v2(i)``: product i's contribution in direction (1, −q)."""
        return self.v1[i - 1] - q * self.v2[i - 1]

    # ------------------------------------------------------------- App. I
    @property
    def contested(self) -> bool:
        """App. I's hypothesis Σ_{i: v1(i) > 0} (v2(i) − v1(i)) > 0 (type 1 contested when
        no product is worth exactly 0 to type 1)."""
        return sum((self.d(i) for i in self.products if self.v1[i - 1] > 0), ZERO) > 0

    def B1(self, q) -> tuple[frozenset, frozenset]:
        """``(must, may)``: B_1(q) is every ``must ∪ S`` with ``S ⊆ may``."""
        must = frozenset(i for i in self.products if self.w(i, q) > 0)
        may = frozenset(i for i in self.products if self.w(i, q) == 0)
        return must, may

    def B1_bundles(self, q) -> frozenset:
        must, may = self.B1(q)
        may = sorted(may)
        return frozenset(
            bundle_name(sorted(must | set(c))) for k in range(len(may) + 1) for c in combinations(may, k)
        )

    def a1Q(self, q) -> frozenset:
        """(6): the products right of the hyperplane, plus those on it with v1, v2 ≥ 0."""
        return frozenset(
            i for i in self.products
            if self.w(i, q) > 0 or (self.w(i, q) == 0 and self.v1[i - 1] >= 0 and self.v2[i - 1] >= 0)
        )

    def a3Q(self, q) -> frozenset:
        """(7): the products right of the hyperplane, plus those on it with v1, v2 ≤ 0."""
        return frozenset(
            i for i in self.products
            if self.w(i, q) > 0 or (self.w(i, q) == 0 and self.v1[i - 1] <= 0 and self.v2[i - 1] <= 0)
        )

    def dsum(self, bundle) -> Fraction:
        return sum((self.d(i) for i in bundle), ZERO)

    def r(self, i: int) -> Fraction | None:
        """``r_i = v1(i)/v2(i)``: where product i's hyperplane position flips (None if v2(i) = 0)."""
        return None if self.v2[i - 1] == 0 else self.v1[i - 1] / self.v2[i - 1]

    @property
    def q_cd(self) -> Fraction:
        """(CD) from the products: the lowest q in [0, 1] with d(a^1Q(q)) ≥ 0 ≥ d(a^3Q(q)).

        Both sums are step functions changing only at the r_i, so the minimum is at 0,
        at an r_i or at 1."""
        if not self.contested:
            raise InputError("bundling: type 1 is uncontested (first-best); q^CD is not defined")
        cands = sorted({ZERO, Fraction(1), *(r for i in self.products if (r := self.r(i)) is not None and 0 <= r <= 1)})
        for q in cands:
            if self.dsum(self.a1Q(q)) >= 0 >= self.dsum(self.a3Q(q)):
                return q
        raise AssertionError("q = 1 always satisfies (CD)")  # pragma: no cover

    def mixing_weight(self) -> Fraction:
        """Weight on a^1Q(q^CD) in the lottery with a^3Q(q^CD) that lies on the diagonal."""
        q = self.q_cd
        hi, lo = self.dsum(self.a1Q(q)), self.dsum(self.a3Q(q))
        return Fraction(1) if hi == lo else -lo / (hi - lo)

    # ------------------------------------------------------ Sec. 5.2.2
    def quadrant(self, i: int) -> str:
        x, y = self.v1[i - 1], self.v2[i - 1]
        if x > 0 and y > 0:
            return "Q1"
        if x < 0 and y > 0:
            return "Q2"
        if x < 0 and y < 0:
            return "Q3"
        if x > 0 and y < 0:
            return "Q4"
        return "axis"

    def inclusion(self, i: int, q) -> str:
        """Proposition 2 (with q^CD in 3(b)-(c), see STT-BUN): product i's probability in
        type 1's optimal random bundle at q: "1", "0" or "random" (any, subject to the
        diagonal constraint).  For q ≥ q^CD the position relative to the q^CD-hyperplane
        matters, not q (Sec. 5.2.2)."""
        w = self.w(i, min(q, self.q_cd))
        return "1" if w > 0 else "0" if w < 0 else "random"

    def classify(self, i: int) -> tuple[str, Fraction | None]:
        """Sec. 5.2.2: ("always" | "never" | "given below r" | "given above r" | "other", r_i)."""
        qc, quad = self.q_cd, self.quadrant(i)
        side = self.w(i, qc)
        if quad == "Q4" or (quad == "Q1" and side > 0):
            return "always", None
        if quad == "Q2" or (quad == "Q3" and side < 0):
            return "never", None
        if quad == "Q1" and side < 0:
            return "given below r", self.r(i)
        if quad == "Q3" and side > 0:
            return "given above r", self.r(i)
        return "other", self.r(i)

    def environment(self) -> Environment:
        """The 2^n − 1 non-empty bundles as alternatives, in the *input's* type order."""
        a, b = (self.v2, self.v1) if self.swapped else (self.v1, self.v2)
        alts = [c for k in range(1, self.n + 1) for c in combinations(self.products, k)]
        return Environment.from_dict(
            {
                "t1": {bundle_name(c): sum((a[i - 1] for i in c), ZERO) for c in alts},
                "t2": {bundle_name(c): sum((b[i - 1] for i in c), ZERO) for c in alts},
            }
        )


def bundling(v1: Sequence[object], v2: Sequence[object]) -> Bundling:
    """Additive bundling from the two types' product valuations (input order: t1, t2 with
    q the probability of t2); swapped to Assumption 1 if t2 is contested."""
    if len(v1) != len(v2) or not v1:
        raise InputError("bundling: give one valuation per product for each type (same length, at least 1)")
    a = tuple(to_fraction(x, f"v1[{i}]") for i, x in enumerate(v1))
    b = tuple(to_fraction(x, f"v2[{i}]") for i, x in enumerate(v2))
    # type t's efficient bundles: all products with positive value (plus any subset of the zero ones)
    e2 = [i for i in range(len(b)) if b[i] > 0]
    z2 = [i for i in range(len(b)) if b[i] == 0]
    # uncontested(2): some efficient bundle with Σ (b − a) ≥ 0; best choice adds the zero
    # products with b − a > 0, i.e. a < 0
    best = sum((b[i] - a[i] for i in e2), ZERO) + sum((b[i] - a[i] for i in z2 if b[i] - a[i] > 0), ZERO)
    if best >= 0:
        return Bundling(a, b, False)
    return Bundling(b, a, True)


# ----------------------------------------------------------------------------
# Sec. 5.1 / App. G: horizontal and vertical differentiation
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Differentiation:
    """Sec. 5.1 / App. G with type 2 normalized to ``u(2) = (1, 0)`` (size 1, location 0:
    the angle 2π·ℓ is measured from the horizontal axis) and type 1 at ``u(1) = (x, y)``
    (rational coordinates), linear cost ``c s(a)``, ``0 ≤ c < 1``.

    Alternatives fill the unit disc; ``v_t(a) = u(t)·a − c|a|``.  All results are exact
    sympy numbers (square roots of rationals).  Regions (Fig. 8b): ``"1"`` (|u1| < c,
    type 1 efficiently excluded), ``"2"`` (type 1 uncontested: outside the circle of
    radius 1/2 centred at (1/2, 0)), ``"3a"``, ``"3b"`` (the line through u(2), u(1)
    stays farther than c from the origin / comes closer), and the boundaries
    ``"1|2"``-style where two descriptions meet.
    """

    x: Fraction
    y: Fraction
    c: Fraction

    def _u1(self):
        import sympy

        return sympy.Matrix([_r(self.x), _r(self.y)])

    @property
    def size1_sq(self) -> Fraction:
        return self.x * self.x + self.y * self.y

    @property
    def contested(self) -> bool:
        """Type 1 contested: |u1| > c and |u1|² < u1·u2 (inside the circle of radius 1/2 at (1/2, 0))."""
        return self.size1_sq > self.c * self.c and self.size1_sq < self.x

    @property
    def foot(self) -> tuple[Fraction, Fraction]:
        """F: the point of the line through u(2) = (1, 0) and u(1) closest to the origin."""
        dx, dy = self.x - 1, self.y
        t = -(dx * 1 + dy * 0) / (dx * dx + dy * dy)  # F = u2 + t (u1 − u2)
        return (1 + t * dx, t * dy)

    @property
    def foot_sq(self) -> Fraction:
        fx, fy = self.foot
        return fx * fx + fy * fy

    @property
    def region(self) -> str:
        c2 = self.c * self.c
        s2 = self.size1_sq
        if s2 < c2:
            return "1"
        if s2 == c2:
            return "1|2" if s2 >= self.x else "1|3"
        if s2 >= self.x:
            return "2"
        if self.foot_sq > c2:
            return "3a"
        if self.foot_sq < c2:
            return "3b"
        return "3a|3b"

    def u_q(self, q):
        """u(q) = (u(1) − q u(2))/(1 − q) (Sec. 5.1)."""
        import sympy

        q = _r(q)
        return (self._u1() - q * sympy.Matrix([1, 0])) / (1 - q)

    @property
    def q_od(self):
        """(OD) as an exact sympy number: u(q^OD) = F in region 3a, |u(q^OD)| = c in 3b."""
        import sympy

        if not self.contested:
            raise InputError("differentiation: type 1 is uncontested (regions 1, 2): first-best, no q^OD")
        dx, dy = self.x - 1, self.y
        if self.region in ("3a", "3a|3b"):
            fx, _ = self.foot
            # u(q) = u2 + (u1 − u2)/(1 − q): s = 1/(1 − q) with 1 + s dx = fx
            s = (fx - 1) / dx if dx != 0 else None
            return _r(1 - 1 / s)
        # |u2 + s (u1 − u2)|² = c², i.e. |d|² s² + 2 dx s + (1 − c²) = 0 with d = u1 − u2: the
        # smaller root is the first entry into the disc (both roots are positive since dx < 0,
        # and it is ≥ 1 because u(1) itself lies outside the disc).  Closed form, exact: no
        # numeric root selection, no nsimplify (which would replace an exact radical by a
        # nearby "simple" number).
        d2 = dx * dx + dy * dy
        disc = dx * dx - d2 * (1 - self.c * self.c)  # ≥ 0: the line meets the disc (3b)
        first = (-_r(dx) - sympy.sqrt(_r(disc))) / _r(d2)
        if certified_sign(sympy.radsimp(first - 1)) < 0:  # pragma: no cover - excluded by the region
            raise InputError("differentiation: u(1) inside the disc of radius c (region 1)")
        return sympy.radsimp(1 - 1 / first)

    def a1(self, q):
        """Type 1's alternative in an optimal menu (Proposition 1), as a sympy 2-vector."""
        import sympy

        reg = self.region
        if reg.startswith("1") and reg != "1|2":
            return sympy.Matrix([0, 0])
        if not self.contested:
            u = self._u1()
            return u / sympy.sqrt(u.dot(u))
        qod = self.q_od
        qq = _r(q)
        above = certified_sign(qq - qod) > 0
        if reg in ("3b", "3a|3b") and above:
            return sympy.Matrix([0, 0])  # exclusion (on the boundary 3a|3b it has the same values)
        u = self.u_q(qod if above else qq)
        norm2 = sympy.radsimp(u.dot(u))
        if norm2 == 0:
            return sympy.Matrix([0, 0])
        return u / sympy.sqrt(norm2)

    def values(self, a):
        """``(v1(a), v2(a))`` exactly."""
        import sympy

        size = sympy.sqrt(a.dot(a))
        return (sympy.radsimp(self._u1().dot(a) - _r(self.c) * size), sympy.radsimp(a[0] - _r(self.c) * size))

    def menu(self, q):
        """((a1, p1), (a2, p2), profit) of Proposition 1 at q, exact."""
        import sympy

        a1 = self.a1(q)
        v1, v2 = self.values(a1)
        a2 = sympy.Matrix([1, 0]) if self.c < 1 else sympy.Matrix([0, 0])
        _, w2 = self.values(a2)
        d = sympy.radsimp(v2 - v1)
        p1 = v1
        p2 = sympy.radsimp(w2 - (d if certified_sign(d) > 0 else 0))
        qq = _r(q)
        return (a1, p1), (a2, p2), sympy.radsimp((1 - qq) * p1 + qq * p2)

    def dual_bound(self, q, lam):
        """Upper bound on the profit of *every* IC-IR menu (random ones included):
        max_a [(1 − q + qλ) v1(a) − qλ v2(a)] + q max v2 for any λ ∈ [0, 1] (drop IC1,
        bound max(0, v2 − v1) ≥ λ (v2 − v1)); over the disc the maximum is
        max(0, |α u1 − β u2| − c(1 − q))."""
        import sympy

        qq, ll = _r(q), _r(lam)
        alpha, beta = 1 - qq + qq * ll, qq * ll
        w = alpha * self._u1() - beta * sympy.Matrix([1, 0])
        inner = sympy.sqrt(w.dot(w)) - _r(self.c) * (1 - qq)
        top = inner if certified_sign(inner) > 0 else sympy.Integer(0)
        return sympy.radsimp(top + qq * (1 - _r(self.c)))


def _r(x):
    import sympy

    if isinstance(x, sympy.Basic):
        return x
    f = to_fraction(x)
    return sympy.Rational(f.numerator, f.denominator)


def certified_sign(expr, max_prec: int = 4096) -> int:
    """Sign of an exact real algebraic sympy number, certified.

    Zero is decided exactly (the minimal polynomial is ``x``); otherwise an arb ball
    of increasing precision is computed until it excludes 0.
    """
    import sympy
    from flint import arb, ctx

    expr = _r(expr) if not isinstance(expr, sympy.Basic) else expr  # exact (nsimplify is not)
    if expr.is_Rational:
        return 1 if expr.is_positive else (-1 if expr.is_negative else 0)
    x = sympy.Symbol("x")
    if sympy.minimal_polynomial(expr, x) == x:
        return 0

    def ev(e):
        if e.is_Rational:
            return arb(int(e.p)) / arb(int(e.q))
        if e.is_Add:
            out = arb(0)
            for a in e.args:
                out += ev(a)
            return out
        if e.is_Mul:
            out = arb(1)
            for a in e.args:
                out *= ev(a)
            return out
        if e.is_Pow and e.exp.is_Rational:
            base = ev(e.base)
            if e.exp == sympy.Rational(1, 2):
                return base.sqrt()
            if e.exp == sympy.Rational(-1, 2):
                return 1 / base.sqrt()
            if e.exp.is_Integer:
                return base ** int(e.exp)
        raise InputError(f"certified_sign: unsupported expression {e}")

    old = ctx.prec
    try:
        prec = 64
        while prec <= max_prec:
            ctx.prec = prec
            ball = ev(expr)
            if ball > 0:
                return 1
            if ball < 0:
                return -1
            prec *= 2
    finally:
        ctx.prec = old
    raise Undecided(f"certified_sign: undecided at {max_prec} bits for {expr}")  # pragma: no cover
