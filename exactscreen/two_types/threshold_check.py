"""Independent certificate of the two-type analysis (Haghpanah & Siegel, *Screening two
types*): thresholds, pieces and profits recomputed from the valuation numbers alone.

This module imports nothing from :mod:`exactscreen.two_types.analysis` or
:mod:`exactscreen.two_types.parametric` (only :mod:`exactscreen.exceptions`); it is
written from the paper's definitions, not from the analysis' code.  It receives the
environment's numbers (valuation pairs in the file's type order, the outside option
included) and the analysis' *report* (plain data, see :func:`certify_two_types`) and
raises :class:`~exactscreen.exceptions.NotCertified` naming the first reported object
that its own computation contradicts.

What is recomputed, and how
---------------------------
* Labels (Assumption 1, Definition 2 of Sec. 3): type ``t`` is uncontested when some
  efficient alternative ``a ∈ argmax v_t`` has ``v_t(a) ≥ v_{t'}(a)``; the paper's
  type 2 is an uncontested type (the second listed one when it is).
* ``A⁻``, ``A⁺``, ``A⁼`` and ``a^BD1 = argmax_{A⁻} v1`` (BD1, Sec. 3.3) with value ``b``;
  the virtual alternative ``(b, b)`` of (V).
* Every threshold from its definition over a *certified envelope* of finitely many lines
  ``q ↦ c + s q`` on ``[0, 1]`` (:func:`certified_envelope`): candidate breakpoints from a
  stack-based upper hull of the lines sorted by slope; then, on every interval between
  consecutive candidates, a line that attains the enumerated maximum at *both* ends is
  found.  The maximum of lines is convex, so it lies below that chord, hence equals that
  line on the whole interval: the argmax on the open interval is the (enumerated) argmax
  at its midpoint and nothing changes inside.  A missing candidate is caught by this test,
  not trusted.

  - (q-BD1) ``q^BD1 = min{q : a^BD1 ∈ A_1(q)}``, ``A_1`` from ``A'_1(q) = argmax over A⁺ ∪
    {a^VA} of v1 − q v2`` (5): the first breakpoint at which ``a^VA`` (or an element of
    a^BD1 on the diagonal, the same point of V) is maximal;
  - (CD) ``q^CD = min{q : B_1(q) ∩ A⁺ ≠ ∅ and B_1(q) ∩ A⁻ ≠ ∅}`` (Sec. 4.3) and (OD)
    ``q^OD = min{q : B_1(q) ∩ A⁼ ≠ ∅}`` (Sec. 4.1), ``B_1(q) = argmax_A v1 − q v2``: the
    argmax on an open interval is contained in the argmax at its ends, so each minimum is
    attained at a certified breakpoint.

* Deterministic menus (Theorem 1): *every* pair ``(a1, a2) ∈ A × A`` with the largest
  payments its four constraints allow (IR1, IR2, IC1, IC2 of Sec. 2; feasible iff the IC
  cycle ``v1(a1) − v1(a2) + v2(a2) − v2(a1) ≥ 0``) gives a line ``(1 − q) p1 + q p2``; the
  optimal profit is their certified upper envelope and the optimal menus are the pairs
  maximal at ``q`` (for ``0 < q < 1`` the optimal payments of an assignment are its largest
  ones).  No use of Lemma 1 or Theorem 1.
* Random menus (Corollary 2, App. F): by Lemma 1 (IR1 binds, type 2 is served
  efficiently and gets ``max(0, v2(x1) − v1(x1))``) the profit of a random ``x1`` is
  ``(1 − q) v1(x1) − q max(0, v2(x1) − v1(x1)) + q max v2``, linear on each half
  ``{d ≥ 0}``, ``{d ≤ 0}`` of the simplex, whose vertices are the alternatives and the
  mixtures on the diagonal of one alternative strictly above and one strictly below.
  The optimal random profit is the certified envelope of those lines.

Checked against the report: the labels, a^BD1 and b, q^BD1, q^CD, q^OD; every
deterministic piece (its ends are exactly the points where the enumerated optimal set
changes; ``A_1(q)`` equals the set of ``a1`` in optimal pairs at the piece; every reported
menu's payments are those of an optimal pair and the reported menus cover all optimal
pairs; the profit line equals the envelope at both ends and inside); every random piece
(profit line equal to the envelope at both ends and inside, no kink of the envelope inside
an open piece, every reported lottery vertex optimal, the alternatives used by optimal
lotteries equal the reported ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping

from ..exceptions import NotCertified

__all__ = ["ThresholdCertificate", "CertifiedEnvelope", "Recomputed", "certified_envelope", "recompute", "certify_two_types"]

_ZERO = Fraction(0)
_ONE = Fraction(1)


@dataclass(frozen=True)
class ThresholdCertificate:
    """What :func:`certify_two_types` re-derived and found equal to the report."""

    checked: tuple[str, ...]
    deterministic_lines: int
    random_lines: int
    breakpoints: int

    def __str__(self) -> str:
        return (
            f"certified independently ({', '.join(self.checked)}; {self.deterministic_lines} pair lines, "
            f"{self.random_lines} lottery lines, {self.breakpoints} breakpoints)"
        )


@dataclass(frozen=True)
class CertifiedEnvelope:
    """The maximum of the lines ``q ↦ c + s q`` over ``[0, 1]``, certified piece by piece.

    ``points`` (increasing, from 0 to 1) are the candidate breakpoints; ``at[i]`` is the
    enumerated argmax at ``points[i]``; ``inside[i]`` the argmax on the open interval
    ``(points[i], points[i + 1])``.  ``kinks`` are the interior points where the argmax
    on the left differs from the one on the right.
    """

    lines: Mapping
    points: tuple
    at: tuple
    inside: tuple

    def value(self, q) -> Fraction:
        return _best(self.lines, q)[0]

    def argmax(self, q) -> frozenset:
        return _best(self.lines, q)[1]

    @property
    def kinks(self) -> tuple:
        return tuple(self.points[i] for i in range(1, len(self.points) - 1) if self.inside[i - 1] != self.inside[i])


def _best(lines: Mapping, q) -> tuple[Fraction, frozenset]:
    best, arg = None, []
    for name, (c, s) in lines.items():
        val = c + s * q
        if best is None or val > best:
            best, arg = val, [name]
        elif val == best:
            arg.append(name)
    return best, frozenset(arg)


def _candidates(lines: Mapping) -> list:
    """Candidate breakpoints in (0, 1): the corners of the upper hull of the lines,
    built with a stack over the lines sorted by slope (keeping the highest of equal slopes)."""
    by_slope: dict = {}
    for c, s in lines.values():
        if s not in by_slope or c > by_slope[s]:
            by_slope[s] = c
    stack: list[tuple] = []

    def cross(l1, l2):  # where c1 + s1 q = c2 + s2 q (s1 != s2)
        return (l2[0] - l1[0]) / (l1[1] - l2[1])

    for s in sorted(by_slope):
        line = (by_slope[s], s)
        while len(stack) >= 2 and cross(stack[-2], line) <= cross(stack[-2], stack[-1]):
            stack.pop()
        stack.append(line)
    return sorted({x for a, b in zip(stack, stack[1:]) if _ZERO < (x := cross(a, b)) < _ONE})


def certified_envelope(lines: Mapping, what: str = "envelope") -> CertifiedEnvelope:
    """Certified upper envelope of ``{name: (const, slope)}`` on ``[0, 1]`` (see the module
    docstring: a chord argument on every interval between candidate breakpoints)."""
    if not lines:
        raise NotCertified(f"{what}: no lines")
    points = [_ZERO, *_candidates(lines), _ONE]
    at = tuple(_best(lines, q) for q in points)
    inside = []
    for i in range(len(points) - 1):
        lo, hi = points[i], points[i + 1]
        _, mid_arg = _best(lines, (lo + hi) / 2)
        for name in mid_arg:
            if name not in at[i][1] or name not in at[i + 1][1]:
                raise NotCertified(
                    f"{what}: on ({lo}, {hi}) the line {name!r} maximal at the midpoint is not maximal at both "
                    "ends: a breakpoint of the envelope is missing (checker)"
                )
        inside.append(mid_arg)
    return CertifiedEnvelope(dict(lines), tuple(points), tuple(a for _, a in at), tuple(inside))


def _fail(what: str, reported, recomputed) -> None:
    raise NotCertified(f"two-types certificate: {what}: the analysis reports {reported}, the enumeration gives {recomputed}")


def _labels(values: Mapping) -> tuple[bool, bool]:
    """Definition 2 (Sec. 3) in file order: (first listed uncontested, second listed uncontested)."""
    m1 = max(x for x, _ in values.values())
    m2 = max(y for _, y in values.values())
    return any(x >= y for x, y in values.values() if x == m1), any(y >= x for x, y in values.values() if y == m2)


def _first(points: Iterable, sets: Iterable, pred):
    for q, s in zip(points, sets):
        if pred(s):
            return q
    return None


@dataclass(frozen=True)
class Recomputed:
    """The labels and thresholds of the paper's definitions, recomputed from the numbers
    (paper labels: ``v[a] = (v1(a), v2(a))``; paper q)."""

    swapped: bool
    uncontested1: bool
    v: Mapping
    plus: frozenset
    minus: frozenset
    a_bd1: frozenset
    b: Fraction
    q_bd1: Fraction
    q_cd: Fraction | None
    q_od: Fraction | None
    b1_envelope: CertifiedEnvelope

    def B1(self, q) -> frozenset:
        """``B_1(q) = argmax_A v1 − q v2`` (Sec. 4.1) by enumeration."""
        return self.b1_envelope.argmax(q)

    def to_paper_q(self, q):
        return 1 - q if self.swapped else q


def recompute(values: Mapping) -> Recomputed:
    """Definition 2 / Assumption 1, (BD1), (V), (5), (q-BD1), (CD), (OD) from ``values``
    (``{alternative: (first listed type's value, second's)}``, the outside option included)."""
    vals = {a: (Fraction(x), Fraction(y)) for a, (x, y) in values.items()}
    unc_first, unc_second = _labels(vals)
    if not (unc_first or unc_second):
        raise NotCertified("two-types certificate: neither type is uncontested (fn 13 says one is): bad input values")
    swapped = not unc_second
    v = {a: ((y, x) if swapped else (x, y)) for a, (x, y) in vals.items()}  # paper labels
    uncontested1 = unc_second if swapped else unc_first
    d = {a: y - x for a, (x, y) in v.items()}
    plus = frozenset(a for a in v if d[a] >= 0)
    minus = frozenset(a for a in v if d[a] <= 0)
    diag = plus & minus
    # (BD1), (V)
    b = max(v[a][0] for a in minus)
    bd1 = frozenset(a for a in minus if v[a][0] == b)
    # (5) and (q-BD1): lines x - q y over A+ and the virtual alternative (b, b)
    virtual = ("virtual",)
    lines5 = {a: (v[a][0], -v[a][1]) for a in plus}
    lines5[virtual] = (b, -b)
    env5 = certified_envelope(lines5, "(5) over A+ and a^VA")
    q_bd1 = _first(env5.points, env5.at, lambda s: virtual in s or bool(s & bd1))
    if q_bd1 is None:  # pragma: no cover - at q = 1 the virtual alternative (value 0) is maximal
        raise NotCertified("two-types certificate: a^VA is never maximal in (5) on [0, 1] (checker)")
    # (CD), (OD): B_1(q) = argmax over A of v1 - q v2
    env_b = certified_envelope({a: (v[a][0], -v[a][1]) for a in v}, "B_1 over A")
    q_cd = None if uncontested1 else _first(env_b.points, env_b.at, lambda s: bool(s & plus) and bool(s & minus))
    if not uncontested1 and q_cd is None:  # pragma: no cover - B_1(1) meets A- always
        raise NotCertified("two-types certificate: (CD) not attained on [0, 1] (checker)")
    q_od = _first(env_b.points, env_b.at, lambda s: bool(s & diag))
    return Recomputed(swapped, uncontested1, v, plus, minus, bd1, b, q_bd1, q_cd, q_od, env_b)


def certify_two_types(values: Mapping, report: Mapping) -> ThresholdCertificate:
    """Re-derive the two-type analysis from ``values`` and compare it with ``report``.

    ``values``: ``{alternative: (value of the first listed type, value of the second)}``,
    the outside option (valued ``(0, 0)``) included.  ``report`` (paper labels, paper q):

    * ``"swapped"``: bool (Assumption 1 made the first listed type the paper's type 2);
    * ``"a_bd1"``: set of names; ``"b"``: v1(a^BD1);
    * ``"q_bd1"``; ``"q_cd"`` and ``"q_od"`` (``None`` where undefined);
    * ``"deterministic"``: ``[(lo, hi, a1 set, [(a1 set, a2 set, p1, p2), ...], (const, slope))]``;
    * ``"random"``: ``[(lo, hi, used set, [lottery {name: probability}, ...], (const, slope))]``.

    Raises :class:`NotCertified` naming the first disagreement.
    """
    r = recompute(values)
    if bool(report["swapped"]) != r.swapped:
        _fail("Assumption 1 labelling (swapped)", report["swapped"], r.swapped)
    checked = ["labels"]
    if frozenset(report["a_bd1"]) != r.a_bd1:
        _fail("a^BD1 (BD1)", sorted(report["a_bd1"]), sorted(r.a_bd1))
    if report["b"] != r.b:
        _fail("v1(a^BD1)", report["b"], r.b)
    checked.append("a^BD1")
    if report["q_bd1"] != r.q_bd1:
        _fail("q^BD1 (q-BD1)", report["q_bd1"], r.q_bd1)
    checked.append("q^BD1")
    if report["q_cd"] != r.q_cd:
        _fail("q^CD (CD)", report["q_cd"], r.q_cd)
    if report["q_od"] != r.q_od:
        _fail("q^OD (OD)", report["q_od"], r.q_od)
    checked += ["q^CD", "q^OD"]
    v = r.v
    d = {a: y - x for a, (x, y) in v.items()}
    v2max = max(y for _, y in v.values())

    # deterministic menus: every pair (a1, a2) with its largest payments
    pair_lines: dict = {}
    payments: dict = {}
    for a1 in v:
        for a2 in v:
            ic1 = v[a1][0] - v[a2][0]  # p1 - p2 <= ic1
            ic2 = v[a2][1] - v[a1][1]  # p2 - p1 <= ic2
            if ic1 + ic2 < 0:
                continue
            p1 = min(v[a1][0], v[a2][1] + ic1)
            p2 = min(v[a2][1], v[a1][0] + ic2)
            pair_lines[(a1, a2)] = (p1, p2 - p1)
            payments[(a1, a2)] = (p1, p2)
    env_d = certified_envelope(pair_lines, "deterministic menus (pairs)")
    pieces = list(report["deterministic"])
    ends = sorted({p[0] for p in pieces} | {p[1] for p in pieces})
    want_ends = [_ZERO, *(q for q in _changes(env_d, lambda s: frozenset(a1 for a1, _ in s))), _ONE]
    if ends != want_ends:
        _fail("breakpoints of the deterministic pieces (where A_1(q) changes)", ends, want_ends)
    for lo, hi, a1set, menus, (c, s) in pieces:
        q = lo if lo == hi else (lo + hi) / 2
        best, arg = _best(pair_lines, q)
        if frozenset(a1set) != frozenset(a1 for a1, _ in arg):
            _fail(f"A_1(q) on the piece [{lo}, {hi}]", sorted(a1set), sorted({a1 for a1, _ in arg}))
        covered = set()
        for m1, m2, p1, p2 in menus:
            for a1 in m1:
                for a2 in m2:
                    if (a1, a2) not in arg or payments[(a1, a2)] != (p1, p2):
                        _fail(f"optimal menu at q = {q}", (a1, a2, p1, p2), sorted((k, payments[k]) for k in arg))
                    covered.add((a1, a2))
        if covered != set(arg):
            _fail(f"the set of optimal deterministic menus at q = {q}", sorted(covered), sorted(arg))
        for x in {lo, hi, q}:
            if c + s * x != env_d.value(x):
                _fail(f"deterministic profit on [{lo}, {hi}] at q = {x}", c + s * x, env_d.value(x))
    checked.append(f"{len(pieces)} deterministic pieces")

    # random menus: alternatives and diagonal mixtures (Lemma 1 reduction, Cor. 2)
    rand_lines: dict = {}
    support: dict = {}
    for a in v:
        x, y = v[a]
        rand_lines[a] = (x, v2max - x - max(_ZERO, y - x))
        support[a] = {a: _ONE}
    for a in v:
        for c_ in v:
            if d[a] > 0 > d[c_]:
                w = -d[c_] / (d[a] - d[c_])
                x = w * v[a][0] + (1 - w) * v[c_][0]
                rand_lines[(a, c_)] = (x, v2max - x)
                support[(a, c_)] = {a: w, c_: 1 - w}
    env_r = certified_envelope(rand_lines, "random menus (lotteries)")
    kinks = set(env_r.kinks)
    for lo, hi, used, vertices, (c, s) in report["random"]:
        q = lo if lo == hi else (lo + hi) / 2
        if lo != hi and any(lo < k < hi for k in kinks):
            _fail(f"random piece ({lo}, {hi}) is one linear piece", "no kink inside", sorted(k for k in kinks if lo < k < hi))
        for x in {lo, hi, q}:
            if c + s * x != env_r.value(x):
                _fail(f"random profit on [{lo}, {hi}] at q = {x}", c + s * x, env_r.value(x))
        best, arg = _best(rand_lines, q)
        want_used = frozenset(n for w in arg for n, p in support[w].items() if p > 0)
        if frozenset(used) != want_used:
            _fail(f"alternatives used by optimal random x1 at q = {q}", sorted(used), sorted(want_used))
        for lot in vertices:
            x = sum((p * v[n][0] for n, p in lot.items()), _ZERO)
            y = sum((p * v[n][1] for n, p in lot.items()), _ZERO)
            if sum(lot.values(), _ZERO) != 1 or any(p < 0 for p in lot.values()):
                _fail(f"a lottery of x1 at q = {q}", dict(lot), "a probability distribution")
            val = (1 - q) * x - q * max(_ZERO, y - x) + q * v2max
            if val != best:
                _fail(f"profit of the reported x1 vertex {dict(lot)} at q = {q}", val, best)
    checked.append(f"{len(report['random'])} random pieces")
    return ThresholdCertificate(tuple(checked), len(pair_lines), len(rand_lines), len(env_d.kinks) + len(env_r.kinks))


def _changes(env: CertifiedEnvelope, key) -> list:
    """Interior candidate points where ``key`` of the optimal set changes (left vs right, or at the point)."""
    out = []
    for i in range(1, len(env.points) - 1):
        left, here, right = key(env.inside[i - 1]), key(env.at[i]), key(env.inside[i])
        if not (left == here == right):
            out.append(env.points[i])
    return out
