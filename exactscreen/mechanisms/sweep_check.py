"""Independent check of a sweep (:mod:`exactscreen.mechanisms.sweep`): shares no code with the
sweep, the engine or the LP builder; the LP and its dual are re-derived here from paper 000, Sec. 3.

For the market ``f = (1 - l) f0 + l f1`` the mechanism LP is (``v`` the net values ``v - c``, fn 5)::

    max  sum_t f(t) p(t)
    s.t. sum_a x(t, a) + x(t, 0) = 1                         (dual y(t), free)
         p(t) - v(t, x(t)) <= 0                              (IR(t), dual m(t) >= 0)
         p(t) - v(t, x(t)) - p(s) + v(t, x(s)) <= 0          (IC(t->s), dual g(t, s) >= 0)
         x >= 0, p >= 0

and its dual: minimize ``sum_t y(t)`` subject to, for every type ``t`` and alternative ``a``,

* column ``p(t)``:    ``m(t) + sum_s g(t, s) - sum_s g(s, t) >= f(t)``;
* column ``x(t, a)``: ``y(t) - v(t, a) (m(t) + sum_s g(t, s)) + sum_s g(s, t) v(s, a) >= 0``;
* column ``x(t, 0)``: ``y(t) >= 0``.

Dual vectors are read in the order of the mechanism LP's rows: ``y_eq = (y(t_1), ...)``, and
``y_ub`` per type ``t_i``: ``m(t_i)``, then ``g(t_i, t_s)`` for ``s != i`` in order.

**What a passing check proves.**  For each piece ``[lo, hi]`` (or point): the piece's mechanism is
IC-IR with lotteries and ``p >= 0``; its revenue at ``lo`` equals the value of a feasible dual for
``c(lo)``, and likewise at ``hi``; so it is optimal at both ends and, the dual constraints being
linear in ``f`` and the values affine, the convex combination of the two duals certifies it
optimal at every ``l`` in between, with revenue affine from ``revenue_lo`` to ``revenue_hi``.  Also:
the pieces tile ``[0, 1]`` without gap or overlap (every ``l`` in exactly one piece), revenue is
continuous across pieces, the listed revenue kinks are exactly the interior ends of the open pieces
and the slope really changes at each, the breakpoints are exactly the point pieces, and each piece's
reported surplus and efficiency are those of its mechanism.  Not re-proved here: the optimal *face*
(``unique``, ranges), which :func:`~exactscreen.mechanisms.optimum.optimal_mechanism` checks at the
piece's sample point by :mod:`exactscreen.mechanisms.face_check` (small instances).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["SweepCheck", "check_sweep", "CHECKED_BY"]

CHECKED_BY = "exactscreen.mechanisms.sweep_check.check_sweep"


@dataclass(frozen=True)
class SweepCheck:
    """Result of :func:`check_sweep`: ``ok`` and the first failures found (empty when ok)."""

    ok: bool
    failures: tuple[str, ...]
    pieces: int = 0
    duals: int = 0

    def __bool__(self) -> bool:
        return self.ok


def _frac(v: object, where: str) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
        raise TypeError(f"{where}: exact entries only (int or Fraction), got {v!r}")
    return Fraction(v)


def _show(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def check_sweep(result, *, max_failures: int = 20) -> SweepCheck:
    """Re-check ``result`` (a :class:`~exactscreen.mechanisms.sweep.Sweep`) from its data alone."""
    fails: list[str] = []

    def fail(msg: str) -> None:
        if len(fails) < max_failures:
            fails.append(msg)

    env = result.environment
    types, alts = list(env.types), list(env.alternatives)
    n, k = len(types), len(alts)
    net = [[_frac(v, "value") - _frac(c, "cost") for v, c in zip(row, env.costs)] for row in env.values]
    f0 = [_frac(w, "f0") for w in result.f0.weights]
    f1 = [_frac(w, "f1") for w in result.f1.weights]
    best = [max([Fraction(0), *row]) for row in net]  # efficient net value (the outside option is worth 0)

    def market(l: Fraction) -> list[Fraction]:
        return [(1 - l) * a + l * b for a, b in zip(f0, f1)]

    def primal(alloc, pay, where: str) -> bool:
        ok = True
        if len(alloc) != n or len(pay) != n or any(len(r) != k + 1 for r in alloc):
            fail(f"{where}: mechanism has the wrong shape")
            return False
        for t in range(n):
            row = [_frac(v, where) for v in alloc[t]]
            if any(v < 0 for v in row) or sum(row) != 1:
                fail(f"{where}: x({types[t]}) is not a lottery")
                ok = False
            if _frac(pay[t], where) < 0:
                fail(f"{where}: p({types[t]}) < 0")
                ok = False
        val = [[sum((net[t][a] * alloc[s][a] for a in range(k) if alloc[s][a]), Fraction(0)) for s in range(n)]
               for t in range(n)]
        for t in range(n):
            u = val[t][t] - pay[t]
            if u < 0:
                fail(f"{where}: IR({types[t]}) fails by {_show(-u)}")
                ok = False
            for s in range(n):
                if s != t and val[t][s] - pay[s] > u:
                    fail(f"{where}: IC({types[t]}->{types[s]}) fails by {_show(val[t][s] - pay[s] - u)}")
                    ok = False
        return ok

    def dual(d, f: list[Fraction], where: str) -> Fraction | None:
        """The dual's value if it is feasible for the market ``f``, else None."""
        try:
            y_eq, y_ub = d
            y = [_frac(v, where) for v in y_eq]
            ub = [_frac(v, where) for v in y_ub]
        except (TypeError, ValueError) as exc:
            fail(f"{where}: unreadable dual ({exc})")
            return None
        if len(y) != n or len(ub) != n * n:
            fail(f"{where}: dual needs {n} + {n * n} entries, has {len(y)} + {len(ub)}")
            return None
        ok = True
        if any(v < 0 for v in ub):
            fail(f"{where}: a multiplier of an IR/IC row is negative")
            ok = False
        m = [ub[t * n] for t in range(n)]
        g = [[Fraction(0)] * n for _ in range(n)]
        for t in range(n):
            rest = iter(ub[t * n + 1:(t + 1) * n])
            for s in range(n):
                if s != t:
                    g[t][s] = next(rest)
        out = [m[t] + sum(g[t]) for t in range(n)]
        into = [sum(g[s][t] for s in range(n)) for t in range(n)]
        incoming = [[(s, g[s][t]) for s in range(n) if g[s][t]] for t in range(n)]  # duals are sparse
        for t in range(n):
            if out[t] - into[t] < f[t]:
                fail(f"{where}: dual constraint of p({types[t]}) fails")
                ok = False
            if y[t] < 0:
                fail(f"{where}: dual constraint of x({types[t]},0) fails")
                ok = False
            for a in range(k):
                lhs = y[t] - net[t][a] * out[t] + sum((gs * net[s][a] for s, gs in incoming[t]), Fraction(0))
                if lhs < 0:
                    fail(f"{where}: dual constraint of x({types[t]},{alts[a]}) fails")
                    ok = False
        return sum(y, Fraction(0)) if ok else None

    pieces = list(result.pieces)
    duals = 0
    seen: dict = {}
    feasible: dict = {}
    if not pieces:
        return SweepCheck(False, ("no pieces",))
    # 1. the pieces tile [0, 1]
    if pieces[0].lo != 0 or not pieces[0].lo_closed:
        fail("the first piece does not start at l = 0 (closed)")
    if pieces[-1].hi != 1 or not pieces[-1].hi_closed:
        fail("the last piece does not end at l = 1 (closed)")
    for i, p in enumerate(pieces):
        if p.lo > p.hi or (p.lo == p.hi and not (p.lo_closed and p.hi_closed)):
            fail(f"piece {i}: empty ({_show(p.lo)}, {_show(p.hi)})")
        if i and (pieces[i - 1].hi != p.lo or pieces[i - 1].hi_closed == p.lo_closed):
            fail(f"pieces {i - 1} and {i}: a gap or an overlap at l = {_show(p.lo)}")
    # 2. each piece's certificate
    for i, p in enumerate(pieces):
        where = f"piece {i} [{_show(p.lo)}, {_show(p.hi)}]"
        mech = p.mechanism
        alloc = [[Fraction(v) for v in row] for row in mech.allocation]
        pay = [Fraction(v) for v in mech.payments]
        mkey = (tuple(map(tuple, alloc)), tuple(pay))  # a mechanism shared by neighbouring pieces: checked once
        if mkey not in feasible:
            feasible[mkey] = primal(alloc, pay, where)
        if not feasible[mkey]:
            continue
        for end, rev, d in ((p.lo, p.revenue_lo, p.dual_lo), (p.hi, p.revenue_hi, p.dual_hi)):
            f = market(end)
            earned = sum((a * b for a, b in zip(f, pay)), Fraction(0))
            key = (end, d)  # the same dual at the same l (a kink's, shared by three pieces) is checked once
            if key not in seen:
                seen[key] = dual(d, f, f"{where} at l = {_show(end)}")
                duals += 1
            bound = seen[key]
            if bound is None:
                continue
            if earned != rev:
                fail(f"{where}: the mechanism earns {_show(earned)} at l = {_show(end)}, the piece says {_show(rev)}")
            if bound != rev:
                fail(f"{where}: the dual at l = {_show(end)} bounds revenue by {_show(bound)}, not {_show(rev)}")
        # surplus and efficiency of the mechanism, recomputed
        u = [sum((net[t][a] * alloc[t][a] for a in range(k)), Fraction(0)) - pay[t] for t in range(n)]
        if list(p.surplus) != u:
            fail(f"{where}: reported surplus differs from the mechanism's")
        sample = (p.lo + p.hi) / 2
        support = [t for t, w in enumerate(market(sample)) if w > 0]
        eff = all(u[t] + pay[t] == best[t] for t in support)
        if p.efficient != eff:
            fail(f"{where}: reported efficient={p.efficient}, the mechanism's is {eff}")
    # 3. continuity, kinks, breakpoints
    for i in range(1, len(pieces)):
        if pieces[i - 1].revenue_hi != pieces[i].revenue_lo:
            fail(f"revenue jumps at l = {_show(pieces[i].lo)}")

    def slope(p) -> Fraction:
        return (p.revenue_hi - p.revenue_lo) / (p.hi - p.lo)

    opened = [p for p in pieces if p.lo < p.hi]
    interior = [q.lo for q in opened[1:]]
    kinks = [Fraction(v) for v in result.revenue_kinks]
    if kinks != sorted(set(kinks)) or any(not 0 < v < 1 for v in kinks):
        fail("revenue_kinks: not sorted, repeated, or outside (0, 1)")
    if kinks != interior:
        fail(f"revenue_kinks {[_show(v) for v in kinks]} are not the interior ends of the open pieces "
             f"{[_show(v) for v in interior]}")
    for left, right in zip(opened, opened[1:]):
        if left.hi != right.lo:
            continue  # reported above as a tiling failure
        if slope(left) == slope(right):
            fail(f"no kink at l = {_show(right.lo)}: the slope {_show(slope(left))} is the same on both sides")
    points = [p.lo for p in pieces if p.lo == p.hi]
    if [Fraction(v) for v in result.breakpoints] != points:
        fail("breakpoints are not the point pieces")
    return SweepCheck(not fails, tuple(fails), len(pieces), duals)
