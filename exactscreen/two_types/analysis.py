"""Screening two types, exactly (Haghpanah & Siegel, *Screening two types*).

Primer
------
Two types, ``1`` with probability ``1 − q`` and ``2`` with probability ``q``;
finitely many alternatives ``a`` with *net* valuation pairs ``(v1(a), v2(a))``
(costs subtracted, App. C), the outside option ``0`` at ``(0, 0)``.  Write
``d(a) = v2(a) − v1(a)``: ``a`` lies above the diagonal when ``d(a) > 0``.

* Efficient alternatives ``E_t = argmax_a v_t(a)`` (E1-E2), a *set*.
* Type ``t`` is *uncontested* (Definition 2) when some efficient alternative
  lies weakly on its side of the diagonal (``d ≥ 0`` for type 2, ``d ≤ 0``
  for type 1).  At least one type is (fn 13).  Assumption 1 labels an
  uncontested type as type 2; :func:`analyze` swaps the file's types when
  needed and says so (``swapped``), and every public answer is translated back
  to the file's labels and to the file's ``q`` (probability of the type listed
  second).
* ``A⁺ = {d ≥ 0}``, ``A⁻ = {d ≤ 0}``, ``A⁼ = {d = 0}`` (Sec. 3.3, 4.1).
* ``a^BD1 = argmax_{A⁻} v1`` (BD1), value ``b``; the virtual alternative
  ``a^VA = (b, b)`` (V).
* ``A'_1(q) = argmax_{A⁺ ∪ {a^VA}} v1 − q v2`` (5); ``A_1(q)`` replaces
  ``a^VA`` by ``a^BD1``; ``q^BD1 = min{q : a^BD1 ∈ A_1(q)}`` (q-BD1).
* ``B_1(q) = argmax_A v1 − q v2`` (Sec. 4.1); ``q^OD`` (OD), ``q^CD`` (CD).

What is computed (Theorem 1, Corollaries 1-3; proofs in App. A, E, F):
the optimal deterministic menus for every ``q ∈ (0, 1)`` as an exact
piecewise description (:attr:`TwoTypes.deterministic_pieces`) and the optimal
random menus (:attr:`TwoTypes.random_pieces`), each piece with its menus,
binding constraints, profit (a linear function of ``q``) and type 2's utility;
whether and from which ``q`` randomization helps (Corollary 3).

Ties are reported as sets (the paper assumes uniqueness "for expositional
simplicity", fn 9 and 17).  Two consequences the code makes explicit:

* type 2's allocation in an optimal deterministic menu is any element of
  ``E_2 ∩ A⁺`` -- an efficient alternative strictly below the diagonal is
  never optimal (with random menus: any lottery over ``E_2`` with
  ``d ≥ 0``);
* ``a^BD1`` may be several alternatives with the same ``v1`` and different
  ``v2``; all of them are optimal for ``q > q^BD1``.

Exactness: valuations are :class:`fractions.Fraction`; all thresholds,
payments and profits are exact rationals.  No float is used.

References
----------
N. Haghpanah and R. Siegel, *Screening two types*, May 2025: Sec. 3
(Definition 2, Assumption 1, Lemma 1, Theorem 1), Sec. 4 (Corollaries 1-3),
App. A (proof of Theorem 1, Lemma 2), App. C (normalization), App. E
(Lemma 3), App. F.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

from ..exceptions import InputError, NotCertified
from ..environment import OUTSIDE, Environment
from ..numbers import fmt, to_fraction

__all__ = [
    "VIRTUAL",
    "Linear",
    "Envelope",
    "upper_envelope",
    "Menu",
    "DeterministicPiece",
    "LotterySet",
    "RandomPiece",
    "Corollary3",
    "TwoTypes",
    "analyze",
    "normalize_app_c",
    "hull",
    "top_of_diagonal",
    "lottery_vertices",
]

ZERO = Fraction(0)
ONE = Fraction(1)


class _Virtual:
    """The virtual alternative a^VA of (V): not an element of A."""

    def __repr__(self) -> str:
        return "a^VA"


VIRTUAL = _Virtual()


# ----------------------------------------------------------------------------
# Linear functions of q
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Linear:
    """``const + slope · q`` (profits are linear in q on each piece)."""

    const: Fraction
    slope: Fraction

    def __call__(self, q) -> Fraction:
        return self.const + self.slope * q

    def reflect(self) -> "Linear":
        """The same function written in ``q' = 1 − q``."""
        return Linear(self.const + self.slope, -self.slope)

    def __str__(self) -> str:
        c, s = self.const, self.slope
        if s == 0:
            return fmt(c)
        sq = "q" if abs(s) == 1 else f"{fmt(abs(s))}*q"
        if c == 0:
            return ("-" if s < 0 else "") + sq
        return f"{fmt(c)} {'-' if s < 0 else '+'} {sq}"

    def sympy(self, symbol=None):
        import sympy

        q = symbol if symbol is not None else sympy.Symbol("q")
        return sympy.Rational(self.const.numerator, self.const.denominator) + sympy.Rational(
            self.slope.numerator, self.slope.denominator
        ) * q


# ----------------------------------------------------------------------------
# Upper envelope of the lines q -> x - q y (maximization in direction (1, -q))
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Envelope:
    """Maximizers of ``x − q·y`` over named points, for every ``q`` in ``[lo, hi]``.

    ``points`` are the ends and interior breakpoints, in increasing order, with
    the argmax set at each (``at_points``); ``between[i]`` is the (constant)
    argmax set on the open interval ``(points[i], points[i + 1])``.
    """

    points: tuple[Fraction, ...]
    at_points: tuple[frozenset, ...]
    between: tuple[frozenset, ...]
    values: Mapping = field(repr=False, compare=False)

    def argmax(self, q) -> frozenset:
        return argmax_direction(self.values, q)

    def value(self, q):
        return max(x - q * y for x, y in self.values.values())


def argmax_direction(points: Mapping, q) -> frozenset:
    """``argmax_{a} x_a − q y_a`` as a set of names."""
    best = None
    out: list = []
    for name, (x, y) in points.items():
        val = x - q * y
        if best is None or val > best:
            best, out = val, [name]
        elif val == best:
            out.append(name)
    return frozenset(out)


def upper_envelope(points: Mapping, lo=ZERO, hi=ONE) -> Envelope:
    """Exact upper envelope of the lines ``q ↦ x_a − q y_a`` on ``[lo, hi]``.

    Walk from ``lo``: just right of ``q`` the maximizers are those of the
    current argmax with the smallest ``y`` (the flattest lines); the next
    breakpoint is the first intersection with a flatter line (smaller ``y``).
    At most one step per distinct ``y`` value: at the next breakpoint the
    flatter line ties with the current maximizers, so the smallest ``y`` of the
    argmax strictly decreases; hence at most ``len(points)`` steps before ``hi``
    (and one more to record ``hi``).  A walk that takes more steps (a tie the
    comparisons missed) raises :class:`NotCertified` instead of looping.
    """
    if not points:
        raise InputError("upper_envelope: no points")
    q = lo
    pts, at, between = [], [], []
    bound = len(points) + 1  # one step per distinct slope y, plus the end point hi
    for _step in range(bound + 1):
        if _step == bound:
            raise NotCertified(
                f"upper_envelope: the walk from {lo} to {hi} did not reach {hi} in {bound} steps "
                f"(bound: one step per distinct slope among {len(points)} lines, plus the end point); "
                f"stuck at q = {q}"
            )
        here = argmax_direction(points, q)
        pts.append(q)
        at.append(here)
        if q == hi:
            break
        ymin = min(points[a][1] for a in _ordered(here))
        right = frozenset(a for a in _ordered(here) if points[a][1] == ymin)
        xr = points[_ordered(right)[0]][0]
        nxt = None
        for x, y in points.values():
            if y < ymin:
                c = (xr - x) / (ymin - y)
                if nxt is None or c < nxt:
                    nxt = c
        end = hi if nxt is None or nxt >= hi else nxt
        between.append(right)
        q = end
    return Envelope(tuple(pts), tuple(at), tuple(between), dict(points))


# ----------------------------------------------------------------------------
# Convex hull and lotteries
# ----------------------------------------------------------------------------
def hull(points: Iterable[tuple]) -> list[tuple]:
    """Vertices of the convex hull of ``points`` in counter-clockwise order (exact;
    Andrew's monotone chain, collinear points dropped)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def on_hull_boundary(point: tuple, points: Sequence[tuple]) -> bool:
    """Whether ``point`` (assumed in the hull) lies on the boundary of ``conv(points)``."""
    h = hull(points)
    if len(h) <= 2:
        return True  # a segment or a point has empty interior
    x, y = point
    for i in range(len(h)):
        (ax, ay), (bx, by) = h[i], h[(i + 1) % len(h)]
        if (bx - ax) * (y - ay) - (by - ay) * (x - ax) == 0 and min(ax, bx) <= x <= max(ax, bx) and min(ay, by) <= y <= max(ay, by):
            return True
    return False


def top_of_diagonal(points: Iterable[tuple]):
    """``h`` with ``(h, h)`` the highest point of the diagonal in ``conv(points)`` (Sec. 4.3).

    Each diagonal point of the hull is a mixture of at most two points on
    opposite (weak) sides of the diagonal, so the maximum is over pairs.
    """
    pts = list(points)
    best = None
    for x, y in pts:
        if x == y and (best is None or x > best):
            best = x
    for x, y in pts:
        if y - x > 0:
            for u, w in pts:
                if w - u < 0:
                    # weight on (x, y): s (y - x) + (1 - s)(w - u) = 0
                    s = (u - w) / ((y - x) - (w - u))
                    val = s * x + (1 - s) * u
                    if best is None or val > best:
                        best = val
    return best


def lottery_vertices(names: Iterable, d: Mapping, constraint: str = "") -> tuple[dict, ...]:
    """Vertices of ``{x ∈ Δ(names) : Σ x_a d_a ⋈ 0}`` as ``{name: probability}``.

    ``constraint`` is ``""`` (the whole simplex), ``">=0"``, ``"=0"`` or
    ``"<=0"``.  Vertices are the unit lotteries satisfying the constraint and,
    unless the constraint is absent, the mixtures on ``Σ x d = 0`` of two
    alternatives strictly on opposite sides.
    """
    names = sorted(names, key=_key)
    ok = {"": lambda v: True, ">=0": lambda v: v >= 0, "=0": lambda v: v == 0, "<=0": lambda v: v <= 0}
    if constraint not in ok:
        raise InputError(f"lottery_vertices: unknown constraint {constraint!r}")
    out: list[dict] = [{a: ONE} for a in names if ok[constraint](d[a])]
    if constraint:
        for a in names:
            if d[a] > 0:
                for b in names:
                    if d[b] < 0:
                        w = -d[b] / (d[a] - d[b])
                        out.append({a: w, b: 1 - w})
    return tuple(out)


def _max(values):
    """``max`` by explicit comparisons (works for any ordered exact number type)."""
    best = None
    for v in values:
        if best is None or v > best:
            best = v
    return best


def _key(name) -> tuple:
    """Sort key for alternative names (the outside option last, like the engine)."""
    return (name == OUTSIDE, str(name))


def _names(s: Iterable) -> list[str]:
    return sorted(s, key=_key)


def _ordered(s: Iterable) -> list:
    """Elements of a set of alternatives (possibly with ``VIRTUAL``) in a fixed order.

    Iterating a ``frozenset`` of strings follows ``PYTHONHASHSEED``; with
    parametric values (:mod:`exactscreen.two_types.parametric`) the order of the
    comparisons decides how the parameter line is cut, so every loop over a set
    goes through this order instead: the same input gives the same output
    under every hash seed."""
    return sorted(s, key=lambda a: (a is VIRTUAL, a == OUTSIDE, str(a)))


# ----------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Menu:
    """One optimal deterministic menu class, in the *paper's* labels.

    ``a1`` (``a2``) are the alternatives of type 1 (2) with one valuation pair;
    payments ``p1``, ``p2``; ``binding`` ⊆ {IR1, IR2, IC1, IC2}; ``u2`` type 2's utility.
    """

    a1: frozenset
    a2: frozenset
    p1: Fraction
    p2: Fraction
    binding: frozenset
    u2: Fraction


@dataclass(frozen=True)
class DeterministicPiece:
    """Optimal deterministic menus for ``q`` in a piece (paper labels, paper q).

    A piece is an open interval ``(lo, hi)`` or a point ``lo == hi``.
    ``a1`` is ``A_1(q)`` on the piece; ``regime`` says which case of Theorem 1
    applies ("A+" when ``A_1(q) ⊂ A⁺ \\ a^BD1``, "BD1" when ``A_1(q) = a^BD1``,
    "both" at ``q^BD1``, "first-best").
    """

    lo: Fraction
    hi: Fraction
    a1: frozenset
    menus: tuple[Menu, ...]
    profit: Linear
    regime: str

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi


@dataclass(frozen=True)
class LotterySet:
    """A polytope of lotteries ``{x ∈ Δ(support) : Σ x d ⋈ 0}``, by its vertices."""

    support: frozenset
    constraint: str
    vertices: tuple[dict, ...]

    def range_of(self, f) -> tuple:
        vals = [f(x) for x in self.vertices]
        return min(vals), max(vals)

    def probability_range(self, name) -> tuple[Fraction, Fraction]:
        return self.range_of(lambda x: x.get(name, ZERO))

    @property
    def used(self) -> frozenset:
        """Alternatives with positive probability in some lottery of the set."""
        return frozenset(a for x in self.vertices for a, p in x.items() if p > 0)


@dataclass(frozen=True)
class RandomPiece:
    """Optimal random menus for ``q`` in a piece (Corollary 2; paper labels, paper q).

    ``x1``/``x2`` are the sets of optimal random alternatives of the two types;
    ``particular`` is the paper's "one particular x1"; ranges are over all
    optimal menus; ``always``/``sometimes`` the binding constraints.
    """

    lo: Fraction
    hi: Fraction
    x1: LotterySet
    x2: LotterySet
    particular: dict
    profit: Linear
    p1: tuple
    p2: tuple
    u2: tuple
    always: frozenset
    sometimes: frozenset
    case: str

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi


@dataclass(frozen=True)
class Corollary3:
    """The three statements of Corollary 3 (type 1 contested), decided exactly.

    ``statement1`` is the literal reading (a^VA = a^BD1 and on the boundary of
    conv V); ``statement1_directional`` requires a^BD1 ∈ B_1(q^CD), i.e. on the
    part of the boundary maximal in a direction (1, −q), q ∈ [0, 1].
    ``helps`` is the set of paper-q where randomization strictly helps, as a
    list of ``(lo, hi, lo_closed, hi_closed)``.
    """

    statement1: bool
    statement1_directional: bool
    statement2: bool
    statement3: bool
    top: Fraction
    helps: tuple
    q_cd: Fraction


# ----------------------------------------------------------------------------
# The analysis
# ----------------------------------------------------------------------------
class TwoTypes:
    """All of Theorem 1 and Corollaries 1-3 for a two-type environment.

    Build with :func:`analyze`.  Attributes in the *paper's* labels (type 2
    uncontested) end in nothing special; methods taking or returning a ``q``
    say whether it is the paper's ``q`` (probability of the paper's type 2) or
    the file's (probability of the type listed second): ``to_paper_q`` /
    ``to_file_q`` convert.
    """

    def __init__(
        self,
        env: Environment | None,
        swap: bool | None = None,
        *,
        pairs: Mapping | None = None,
        types: tuple[str, str] | None = None,
    ) -> None:
        if env is not None:
            if env.n != 2:
                raise InputError(
                    f"two-types: the environment has {env.n} types; Screening two types needs exactly 2"
                )
            types = env.types
            names = (*env.alternatives, OUTSIDE)
            raw = {a: (env.value(env.types[0], a), env.value(env.types[1], a)) for a in names}
        else:
            # valuation pairs given directly (e.g. parametric values, two_types_param)
            if pairs is None or types is None:
                raise InputError("two-types: give an environment, or pairs and types")
            raw = {a: tuple(p) for a, p in pairs.items()}
            raw.setdefault(OUTSIDE, (0, 0))
            names = (*(a for a in raw if a != OUTSIDE), OUTSIDE)
            raw = {a: raw[a] for a in names}
        self.environment = env
        self.file_types = tuple(types)
        self.names: tuple[str, ...] = names
        env_types = self.file_types
        # Definition 2 in file labels, to decide Assumption 1
        unc_file = self._uncontested_flags(raw)
        if swap is None:
            swap = not unc_file[1]
        elif swap and not unc_file[0]:
            raise InputError("two-types: cannot label the first type as type 2: it is contested (Assumption 1)")
        elif not swap and not unc_file[1]:
            raise InputError("two-types: cannot label the second type as type 2: it is contested (Assumption 1)")
        self.swapped = bool(swap)
        if self.swapped:
            self.type1, self.type2 = env_types[1], env_types[0]
            self.v = {a: (y, x) for a, (x, y) in raw.items()}
        else:
            self.type1, self.type2 = env_types[0], env_types[1]
            self.v = dict(raw)
        v = self.v
        self.d = {a: v[a][1] - v[a][0] for a in names}
        self.v1max = _max(x for x, _ in v.values())
        self.v2max = _max(y for _, y in v.values())
        self.E1 = frozenset(a for a in names if v[a][0] == self.v1max)
        self.E2 = frozenset(a for a in names if v[a][1] == self.v2max)
        self.uncontested1 = any(self.d[a] <= 0 for a in _ordered(self.E1))
        self.uncontested2 = any(self.d[a] >= 0 for a in _ordered(self.E2))
        assert self.uncontested2  # fn 13 + the relabelling
        self.A_plus = frozenset(a for a in names if self.d[a] >= 0)
        self.A_minus = frozenset(a for a in names if self.d[a] <= 0)
        self.A_eq = self.A_plus & self.A_minus
        self.b = _max(v[a][0] for a in _ordered(self.A_minus))
        self.bd1 = frozenset(a for a in _ordered(self.A_minus) if v[a][0] == self.b)
        self.va = (self.b, self.b)
        self.E2_plus = self.E2 & self.A_plus
        # (5): maximize over A+ and the virtual alternative
        self._plus_points = {a: v[a] for a in _ordered(self.A_plus)}
        self._plus_points[VIRTUAL] = self.va
        self.q_bd1 = self._q_bd1()
        #: the independent checker's certificate, set by :func:`analyze` (None when built directly)
        self.certificate = None

    # ------------------------------------------------------------ basics
    @staticmethod
    def _uncontested_flags(raw: Mapping) -> tuple[bool, bool]:
        m1 = _max(x for x, _ in raw.values())
        m2 = _max(y for _, y in raw.values())
        u1 = any(x - y >= 0 for x, y in raw.values() if x == m1)
        u2 = any(y - x >= 0 for x, y in raw.values() if y == m2)
        return u1, u2

    @property
    def first_best(self) -> bool:
        """Theorem 1: the optimal menu implements the first-best iff both types are uncontested."""
        return self.uncontested1 and self.uncontested2

    @property
    def va_is_bd1(self) -> bool:
        """``a^VA = a^BD1`` (V): some alternative of a^BD1 lies on the diagonal."""
        return bool(self.bd1 & self.A_eq)

    def to_paper_q(self, q):
        return 1 - q if self.swapped else q

    def to_file_q(self, q):
        return 1 - q if self.swapped else q

    def file_label(self, paper_type: int) -> str:
        return self.type1 if paper_type == 1 else self.type2

    # -------------------------------------------------------- (5), (q-BD1)
    def A1_prime(self, q) -> frozenset:
        """``A'_1(q)``: maximizers of ``v1 − q v2`` over ``A⁺ ∪ {a^VA}`` (may contain VIRTUAL)."""
        return argmax_direction(self._plus_points, q)

    def A1(self, q) -> frozenset:
        """``A_1(q)``: ``A'_1(q)`` with ``a^VA`` replaced by (all of) ``a^BD1``."""
        s = self.A1_prime(q)
        if VIRTUAL in s:
            return (s - {VIRTUAL}) | self.bd1
        return s

    def B1(self, q) -> frozenset:
        """``B_1(q) = argmax_A v1 − q v2`` (Sec. 4.1)."""
        return argmax_direction(self.v, q)

    def _q_bd1(self) -> Fraction:
        """(q-BD1) in closed form: a^VA beats a ∈ A⁺ with v2(a) > b iff
        ``q ≥ (v1(a) − b)/(v2(a) − b)``; other a ∈ A⁺ never beat it on [0, 1]."""
        q = ZERO
        b = self.b
        for a in _ordered(self.A_plus):
            x, y = self.v[a]
            if y > b:
                q = max(q, (x - b) / (y - b))
        return q

    @property
    def deterministic_envelope(self) -> Envelope:
        return upper_envelope(self._plus_points)

    @property
    def full_envelope(self) -> Envelope:
        return upper_envelope(self.v)

    # ----------------------------------------------------------- (CD), (OD)
    @property
    def q_cd(self) -> Fraction | None:
        """(CD): the lowest q with B_1(q) meeting both A⁺ and A⁻ (None if type 1 is uncontested)."""
        if self.uncontested1:
            return None
        env = self.full_envelope
        for q, here in zip(env.points, env.at_points):
            if here & self.A_plus and here & self.A_minus:
                return q
        raise AssertionError("B_1(1) always meets A⁻; (CD) must be attained")  # pragma: no cover

    @property
    def q_od(self) -> Fraction | None:
        """(OD): the lowest q with B_1(q) ∩ A⁼ ≠ ∅, or None when no such q ∈ [0, 1]
        exists (possible when V is not convex, Fig. 6)."""
        env = self.full_envelope
        for q, here in zip(env.points, env.at_points):
            if here & self.A_eq:
                return q
        return None  # (the maximizers on an open interval are maximal at its left end too)

    # ------------------------------------------------------ deterministic
    def _menu(self, a1: Iterable, a2: Iterable) -> Menu:
        a1, a2 = frozenset(a1), frozenset(a2)
        x1, y1 = self.v[_ordered(a1)[0]]
        x2, y2 = self.v[_ordered(a2)[0]]
        d1, d2 = y1 - x1, y2 - x2
        p1 = x1 - max(ZERO, -d2)
        p2 = y2 - max(ZERO, d1)
        u1, u2 = x1 - p1, y2 - p2
        binding = set()
        if u1 == 0:
            binding.add("IR1")
        if u2 == 0:
            binding.add("IR2")
        if u1 == x2 - p2:
            binding.add("IC1")
        if u2 == y1 - p1:
            binding.add("IC2")
        return Menu(a1, a2, p1, p2, frozenset(binding), u2)

    def _classes(self, names: Iterable) -> list[frozenset]:
        groups: list[list] = []
        for a in _names(names):
            for g in groups:
                if self.v[g[0]] == self.v[a]:
                    g.append(a)
                    break
            else:
                groups.append([a])
        return [frozenset(g) for g in groups]

    def deterministic_menus(self, q_paper) -> tuple[Menu, ...]:
        """All optimal deterministic menus at the paper's ``q ∈ (0, 1)``:
        ``a1 ∈ A_1(q)``, ``a2 ∈ E_2 ∩ A⁺``, payments by properties 2, 4, 5."""
        if not 0 < q_paper < 1:
            raise InputError(f"q must lie strictly between 0 and 1, got {q_paper}")
        return tuple(
            self._menu(c1, c2) for c1 in self._classes(self.A1(q_paper)) for c2 in self._classes(self.E2_plus)
        )

    def deterministic_profit(self, q_paper) -> Fraction:
        """Property 6: ``max_{A⁺ ∪ {a^VA}} (v1 − q v2) + q v2(a_2^E)``."""
        best = max(p[0] - q_paper * p[1] for p in self._plus_points.values())
        return best + q_paper * self.v2max

    @property
    def deterministic_pieces(self) -> tuple[DeterministicPiece, ...]:
        """Theorem 1 for every paper-q in (0, 1): open intervals and breakpoints."""
        env = self.deterministic_envelope
        out: list[DeterministicPiece] = []
        pts = env.points
        for i in range(len(pts) - 1):
            lo, hi = pts[i], pts[i + 1]
            if i > 0:
                out.append(self._det_piece(lo, lo, env.at_points[i]))
            out.append(self._det_piece(lo, hi, env.between[i]))
        return tuple(out)

    def _det_piece(self, lo, hi, prime: frozenset) -> DeterministicPiece:
        a1 = (prime - {VIRTUAL}) | (self.bd1 if VIRTUAL in prime else frozenset())
        menus = tuple(self._menu(c1, c2) for c1 in self._classes(a1) for c2 in self._classes(self.E2_plus))
        # the profit line of any maximizer of (5)
        x, y = self._plus_points[_ordered(prime)[0]]
        profit = Linear(x, self.v2max - y)
        if self.first_best:
            regime = "first-best"
        elif VIRTUAL in prime and prime - {VIRTUAL} - self.bd1:
            regime = "both"
        elif VIRTUAL in prime:
            regime = "BD1"
        else:
            regime = "A+"
        return DeterministicPiece(lo, hi, a1, menus, profit, regime)

    # ------------------------------------------------------------- random
    def random_x2(self) -> LotterySet:
        """Optimal random alternatives of type 2: lotteries over E_2 weakly above the diagonal."""
        return LotterySet(self.E2, ">=0", lottery_vertices(self.E2, self.d, ">=0"))

    def _random_piece(self, lo, hi, x1: LotterySet, case: str) -> RandomPiece:
        x2 = self.random_x2()
        v, d = self.v, self.d

        def val1(x):
            return sum((p * v[a][0] for a, p in x.items()), ZERO)

        def dd(x):
            return sum((p * d[a] for a, p in x.items()), ZERO)

        dmin, dmax = x1.range_of(dd)
        p1 = x1.range_of(val1)
        u2 = (max(ZERO, dmin), max(ZERO, dmax))
        p2 = (self.v2max - u2[1], self.v2max - u2[0])
        d2min, d2max = x2.range_of(dd)
        always, sometimes = {"IR1"}, {"IR1"}
        if dmin >= 0:
            always.add("IC2")
        if dmax >= 0:
            sometimes.add("IC2")
        if dmax <= 0:
            always.add("IR2")
        if dmin <= 0:
            sometimes.add("IR2")
        # IC1 slack = d(x2) − max(0, d(x1))
        if d2max - u2[0] == 0:
            always.add("IC1")
        if d2min - u2[1] == 0:
            sometimes.add("IC1")
        # profit line: value of any optimal x1 in direction (1, −q) plus q v2max
        x = x1.vertices[0]
        px, py = val1(x), sum((p * v[a][1] for a, p in x.items()), ZERO)
        if case in ("first-best",):
            profit = Linear(self.v1max, self.v2max - self.v1max)
        else:
            profit = Linear(px, self.v2max - py)
        particular = self._particular(x1, case)
        return RandomPiece(lo, hi, x1, x2, particular, profit, p1, p2, u2, frozenset(always), frozenset(sometimes), case)

    def _particular(self, x1: LotterySet, case: str) -> dict:
        """The paper's "one particular x1" (Corollary 2, 3(b) and 3(c))."""
        d = self.d
        sup = _names(x1.support)
        if case == "q=qCD":
            best = max(d[a] for a in sup)
            return {next(a for a in sup if d[a] == best): ONE}
        if case == "q>qCD":
            hi_a = next(a for a in sup if d[a] == max(d[b] for b in sup))
            lo_a = next(a for a in sup if d[a] == min(d[b] for b in sup))
            if d[hi_a] == d[lo_a]:
                return {hi_a: ONE}
            w = -d[lo_a] / (d[hi_a] - d[lo_a])
            return {hi_a: w, lo_a: 1 - w} if w < 1 else {hi_a: ONE}
        return dict(x1.vertices[0])

    @property
    def random_pieces(self) -> tuple[RandomPiece, ...]:
        """Corollary 2 for every paper-q in (0, 1) (first-best when type 1 is uncontested)."""
        if self.uncontested1:
            x1 = LotterySet(self.E1, "<=0", lottery_vertices(self.E1, self.d, "<=0"))
            return (self._random_piece(ZERO, ONE, x1, "first-best"),)
        qcd = self.q_cd
        env = self.full_envelope
        out: list[RandomPiece] = []
        pts = env.points
        for i in range(len(pts) - 1):
            lo, hi = pts[i], pts[i + 1]
            if lo >= qcd:
                break
            if i > 0:
                s = env.at_points[i]
                out.append(self._random_piece(lo, lo, LotterySet(s, "", lottery_vertices(s, self.d)), "q<qCD"))
            s = env.between[i]
            out.append(self._random_piece(lo, min(hi, qcd), LotterySet(s, "", lottery_vertices(s, self.d)), "q<qCD"))
        if qcd < 1:
            b = env.argmax(qcd)
            if qcd > 0:
                out.append(self._random_piece(qcd, qcd, LotterySet(b, ">=0", lottery_vertices(b, self.d, ">=0")), "q=qCD"))
            out.append(self._random_piece(qcd, ONE, LotterySet(b, "=0", lottery_vertices(b, self.d, "=0")), "q>qCD"))
        return tuple(out)

    def random_piece_at(self, q_paper) -> RandomPiece:
        for p in self.random_pieces:
            if (p.is_point and p.lo == q_paper) or (not p.is_point and p.lo < q_paper < p.hi):
                return p
        raise InputError(f"q must lie strictly between 0 and 1, got {q_paper}")

    def deterministic_piece_at(self, q_paper) -> DeterministicPiece:
        for p in self.deterministic_pieces:
            if (p.is_point and p.lo == q_paper) or (not p.is_point and p.lo < q_paper < p.hi):
                return p
        raise InputError(f"q must lie strictly between 0 and 1, got {q_paper}")

    def random_profit(self, q_paper) -> Fraction:
        """Optimal profit with random menus (Corollary 2 with property 6 of Corollary 1)."""
        if self.uncontested1:
            return (1 - q_paper) * self.v1max + q_paper * self.v2max
        qcd = self.q_cd
        if q_paper <= qcd:
            return self.full_envelope.value(q_paper) + q_paper * self.v2max
        h = top_of_diagonal(self.v.values())
        return (1 - q_paper) * h + q_paper * self.v2max

    # ---------------------------------------------------------- Corollary 3
    @property
    def corollary3(self) -> Corollary3 | None:
        """Corollary 3 decided exactly (None when type 1 is uncontested: first-best)."""
        if self.uncontested1:
            return None
        pts = list(self.v.values())
        h = top_of_diagonal(pts)
        qcd = self.q_cd
        s1 = self.va_is_bd1 and on_hull_boundary(self.va, pts)
        s1d = bool(self.bd1 & self.A_eq & self.full_envelope.argmax(qcd))
        s2 = any(x == h and y == h for x, y in pts)
        helps = self._helps()
        return Corollary3(s1, s1d, s2, not helps, h, helps, qcd)

    def _helps(self) -> tuple:
        """Paper-q in (0, 1) where the random profit strictly exceeds the deterministic one.

        Both profits are convex piecewise linear; on each interval between the
        union of their breakpoints both are linear, so comparing at the ends
        and the midpoint decides the interval exactly.
        """
        raw = [ZERO, ONE, *self.deterministic_envelope.points, *self.full_envelope.points]
        if self.q_cd is not None:
            raw.append(self.q_cd)
        cuts: list = []
        for x in sorted(raw):  # dedupe by comparison (works for any exact ordered numbers)
            if not cuts or x != cuts[-1]:
                cuts.append(x)
        cells = []
        for lo, hi in zip(cuts, cuts[1:]):
            mid = (lo + hi) / 2
            if self.random_profit(mid) > self.deterministic_profit(mid):
                cells.append((lo, hi, lo > 0 and self.random_profit(lo) > self.deterministic_profit(lo), hi < 1 and self.random_profit(hi) > self.deterministic_profit(hi)))
        merged: list = []
        for c in cells:
            if merged and merged[-1][1] == c[0] and (merged[-1][3] or c[2]):
                m = merged[-1]
                merged[-1] = (m[0], c[1], m[2], c[3])
            else:
                merged.append(c)
        return tuple(merged)

    # ------------------------------------------------------------- output
    def threshold_report(self) -> dict:
        """Everything :func:`certify` has the independent checker re-derive, as plain data
        (paper labels, paper q; see :func:`exactscreen.two_types.threshold_check.certify_two_types`)."""
        return {
            "swapped": self.swapped,
            "a_bd1": frozenset(self.bd1),
            "b": self.b,
            "q_bd1": self.q_bd1,
            "q_cd": self.q_cd,
            "q_od": self.q_od,
            "deterministic": [
                (p.lo, p.hi, frozenset(p.a1), [(m.a1, m.a2, m.p1, m.p2) for m in p.menus], (p.profit.const, p.profit.slope))
                for p in self.deterministic_pieces
            ],
            "random": [
                (p.lo, p.hi, p.x1.used, [dict(x) for x in p.x1.vertices], (p.profit.const, p.profit.slope))
                for p in self.random_pieces
            ],
        }

    def __repr__(self) -> str:
        return (
            f"TwoTypes(type1={self.type1!r}, type2={self.type2!r}, swapped={self.swapped}, "
            f"a_BD1={_names(self.bd1)}, q_BD1={fmt(self.q_bd1)}, "
            f"q_CD={None if self.q_cd is None else fmt(self.q_cd)})"
        )

    def _repr_html_(self) -> str:
        """Jupyter: the valuation pairs by alternative name, the sets and thresholds of Theorem 1
        (``q^BD1``, ``q^CD``, ``q^OD``), the optimal deterministic menus piece by piece and where
        randomization helps (Corollary 3), exact with decimals; ``q`` is the paper's (type 2's)."""
        from .. import notebook as nb

        v, d = self.v, self.d
        t1, t2 = self.type1, self.type2
        header = ["alternative", f"v1 ({t1})", f"v2 ({t2})", "d = v2 − v1", "in"]
        rows = []
        for a in self.names:
            tags = [name for name, group in (("E1", self.E1), ("E2", self.E2), ("A⁺", self.A_plus),
                                             ("A⁻", self.A_minus), ("a^BD1", self.bd1)) if a in group]
            rows.append([a, v[a][0], v[a][1], d[a], ", ".join(tags)])
        relabel = (f"type 1 = {t1}, type 2 = {t2}"
                   + (" (the file's types swapped: Assumption 1 makes the uncontested type type 2)"
                      if self.swapped else ""))
        qcd, qod = self.q_cd, self.q_od
        facts = [
            ("first-best (both types uncontested, Theorem 1)", "yes" if self.first_best else "no"),
            ("type 1 uncontested", "yes" if self.uncontested1 else "no"),
            ("a^BD1 (BD1)", nb.names(_names(self.bd1))),
            ("a^VA = (b, b) (V)", nb.Html(f"({nb.num(self.b)}, {nb.num(self.b)})")),
            ("q^BD1 (q-BD1)", self.q_bd1),
            ("q^CD (CD)", qcd if qcd is not None else "— (type 1 uncontested)"),
            ("q^OD (OD)", qod if qod is not None else "— (no q in [0, 1])"),
        ]
        if self.swapped:
            facts.append(("the file's q (probability of the type listed second)", "1 − q"))
        pieces = []
        for p in self.deterministic_pieces:
            where = nb.num(p.lo) if p.is_point else nb.Html(f"({nb.num(p.lo)}, {nb.num(p.hi)})")
            pieces.append([where, p.regime, nb.names(_names(p.a1)), str(p.profit)])
        parts = [nb.Html(f"<p>{nb.esc(relabel)}</p>"), nb.table(header, rows), nb.kv_table(facts),
                 nb.Html("<p><em>Optimal deterministic menus (Theorem 1), by the paper's q</em></p>"),
                 nb.table(["q", "regime", "A_1(q)", "profit"], pieces)]
        c3 = self.corollary3
        if c3 is not None:
            helps = ", ".join(
                f"{'[' if lc else '('}{nb.num(lo)}, {nb.num(hi)}{']' if hc else ')'}" for lo, hi, lc, hc in c3.helps)
            parts.append(nb.kv_table([
                ("randomization strictly helps for q in (Corollary 3)", nb.Html(helps or "nowhere")),
                ("Corollary 3 statement 1 (literal / directional)",
                 f"{'true' if c3.statement1 else 'false'} / {'true' if c3.statement1_directional else 'false'}"),
                ("Corollary 3 statement 2", "true" if c3.statement2 else "false"),
                ("Corollary 3 statement 3 (randomization never helps)", "true" if c3.statement3 else "false"),
            ]))
        return nb.block("Screening two types (Theorem 1, Corollaries 1-3)", *parts)


def analyze(env: Environment, swap: bool | None = None) -> TwoTypes:
    """Theorem 1 and Corollaries 1-3 for a two-type environment (see :class:`TwoTypes`).

    ``swap=None`` applies Assumption 1 (swap the file's types iff the second
    listed is contested); ``swap=True/False`` forces a labelling (an error if
    it would make a contested type "type 2").

    The result is certified: :func:`certify` has the independent checker
    (:mod:`exactscreen.two_types.threshold_check`) re-derive the labels, a^BD1 (BD1),
    q^BD1 (q-BD1), q^CD (CD), q^OD (OD) and every deterministic and random piece with its
    profit from the environment's numbers by enumeration; ``t.certificate`` records what
    was checked, and a disagreement raises :class:`NotCertified`.
    """
    t = TwoTypes(env, swap)
    t.certificate = certify(env, t)
    return t


def certify(env: Environment, t: "TwoTypes"):
    """Check ``t`` with the independent checker :mod:`exactscreen.two_types.threshold_check`
    (which shares no code with this module) from ``env``'s numbers alone; returns its
    :class:`~exactscreen.two_types.threshold_check.ThresholdCertificate` or raises
    :class:`NotCertified` naming the reported object it contradicts."""
    from .threshold_check import certify_two_types

    names = (*env.alternatives, OUTSIDE)
    values = {a: (env.value(env.types[0], a), env.value(env.types[1], a)) for a in names}
    return certify_two_types(values, t.threshold_report())


# ----------------------------------------------------------------------------
# App. C: normalization
# ----------------------------------------------------------------------------
def normalize_app_c(
    values: Mapping[str, Mapping[str, object]],
    costs: Mapping[str, object] | None = None,
    outside_values: Mapping[str, object] | None = None,
    outside_cost: object = 0,
) -> tuple[Environment, Fraction]:
    """App. C: ``v̄_t(a) = v_t(a) − c(a) − (v_t(0) − c(0))`` as an :class:`Environment`.

    Returns the normalized environment (zero costs, outside option at 0) and
    the constant ``c(0)``: a normalized menu ``(a_t, r_t)`` corresponds to the
    original menu ``(a_t, p_t)`` with ``p_t = r_t + c(a_t) − c(0)``, and the
    normalized profit exceeds the original one by ``c(0)``.  (App. C writes
    ``p_t = r_t + c(a_t)``, which is right only when ``c(0) = 0``; see the
    STT-APPC check.)
    """
    costs = costs or {}
    outside_values = outside_values or {}
    c0 = to_fraction(outside_cost, "outside_cost")
    types = {}
    for t, row in values.items():
        v0 = to_fraction(outside_values.get(t, 0), f"outside_values.{t}")
        types[t] = {
            a: to_fraction(val, f"types.{t}.{a}") - to_fraction(costs.get(a, 0), f"costs.{a}") - (v0 - c0)
            for a, val in row.items()
        }
    return Environment.from_dict(types), c0
