"""A fixed inventory (33) partitioned among the values (Fig. 1): the revenue of a partition and
its certified optimum among menus with at most ``items_max`` items.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from fractions import Fraction
from typing import Sequence

import sympy
from flint import arb

from ...exceptions import InputError, NotCertified
from ...numbers import Certainty, to_fraction
from .arb import PREC, _certainly_ge, _certainly_le, _certainly_lt, arb_ball, arb_function, arb_interval, interval_arb, working_precision
from .bnb import BnBResult, Rule, branch_and_bound
from .densities import PolyDensity, _rat, poly_fractions, power_distribution
from .symbols import _A, _B, _C

_TQ = sympy.Symbol("t", real=True)


@dataclass(frozen=True)
class InventoryPartition:
    """A fixed inventory (33) with polynomial quantile function ``G^{-1}(t)`` against a
    polynomial value density.

    A monotone partition of the values with the bottom cell excluded (its
    inventory discarded) sells to cell ``k`` the inventory pooled over the
    *same quantiles*, ``qbar_k = avg of G^{-1}`` over ``[F(t_{k-1}), F(t_k)]``,
    at the IC prices (9); revenue (10) ``sum_k (qbar_k - qbar_{k-1}) vbar_k S_k``
    (``qbar_1 = 0``).  For a partition whose served virtual values are
    increasing and positive this is the best use of the inventory; otherwise a
    coarser partition does at least as well (ironed blocks pooled), so the
    supremum over partitions of this revenue is the optimum over all
    mechanisms with finitely many items (see :mod:`exactscreen.persuasion.partitions`).
    """

    dist: PolyDensity
    quantile: sympy.Expr   # G^{-1}(t), polynomial in t
    name: str = ""

    def qbar(self, x, y):
        """Average quality over the value cell ``[x, y]`` (same quantiles), ``y - x`` cancelled."""
        Fx, Fy = self.dist.cdf(x), self.dist.cdf(y)
        num = sympy.integrate(self.quantile, (_TQ, Fx, Fy))
        return sympy.cancel(sympy.expand(num) / self.dist.mass(x, y))

    def revenue(self, cuts: Sequence):
        """Revenue of the partition ``lo <= cuts[0] <= ... <= hi``; the cell below ``cuts[0]`` is excluded."""
        d = self.dist
        ends = [*cuts, d.H]
        total, prev = sympy.Integer(0), sympy.Integer(0)
        for x, y in zip(ends[:-1], ends[1:]):
            q = self.qbar(x, y)
            total += (q - prev) * d.mean(x, y) * d.mass(x, d.H)
            prev = q
        return total

    def compiled(self) -> "_InventoryModel":
        return _InventoryModel(self)


class _InventoryModel:
    """Box evaluation of the inventory revenue from cell pieces (means and pooled qualities
    intersected with their hulls, so empty cells cause no division by zero)."""

    def __init__(self, inv: InventoryPartition):
        d = inv.dist
        self.F = arb_function(d.cdf(_A), (_A,), centered=True)
        self.mean = arb_function(d.mean(_A, _B), (_A, _B), centered=True)
        self.qbar = arb_function(inv.qbar(_A, _B), (_A, _B), centered=True)
        self.Ginv = arb_function(inv.quantile.subs(_TQ, d.cdf(_A)), (_A,), centered=True)
        self.lo, self.hi = arb_ball(d.lo), arb_ball(d.hi)

    @staticmethod
    def _within(val: arb, hull: arb) -> arb:
        if val.is_finite() and val.overlaps(hull):
            return val.intersection(hull)
        return hull

    def revenue(self, cut_balls: Sequence[arb]) -> arb:
        ends = [*cut_balls, self.hi]
        total, prev = arb(0), arb(0)
        for x, y in zip(ends[:-1], ends[1:]):
            vb = self._within(self.mean(x, y), x.lower().union(y.upper()))
            qh = self.Ginv(x).lower().union(self.Ginv(y).upper())
            q = self._within(self.qbar(x, y), qh)
            S = (1 - self.F(x)).nonnegative_part()
            total = total + (q - prev) * vb * S
            prev = q
        return total


@dataclass
class InventoryOptimum:
    """Certified optimal partition of a fixed inventory among menus with at most ``items_max`` items.

    ``cutoffs``: rational point ``x0`` (value space) where the revenue is
    ``revenue_lo`` (exact); every partition with at most ``items_max`` items
    earns at most ``revenue_hi`` (certified); the optimal cutoffs lie in
    ``boxes`` (rational intervals).  ``certificates``: one branch and bound per
    number of cells.
    """

    inventory: InventoryPartition
    cutoffs: tuple[Fraction, ...]
    revenue_lo: Fraction
    revenue_hi: Fraction
    boxes: tuple[tuple[Fraction, Fraction], ...]
    certificates: dict
    items_max: int

    @property
    def certainty(self) -> Certainty:
        states = [c.certainty for c in self.certificates.values()]
        if all(s == Certainty.TRUE for s in states):
            return Certainty.TRUE
        if any(s == Certainty.FALSE for s in states):
            return Certainty.FALSE
        return Certainty.UNDECIDED


def _newton(grad_fns, hess_fns, x0: list[Fraction], steps: int = 60) -> list[Fraction]:
    """Newton's method on the gradient at high precision, with rational iterates (no floats)."""
    x = list(x0)
    n = len(x)
    with working_precision(400):
        for _ in range(steps):
            xb = [arb_ball(v) for v in x]
            g = [f(*xb).mid() for f in grad_fns]
            H = [[hess_fns[i][j](*xb).mid() for j in range(n)] for i in range(n)]
            if n == 1:
                step = [g[0] / H[0][0]]
            elif n == 2:
                det = H[0][0] * H[1][1] - H[0][1] * H[1][0]
                step = [(H[1][1] * g[0] - H[0][1] * g[1]) / det, (-H[1][0] * g[0] + H[0][0] * g[1]) / det]
            else:  # pragma: no cover - only 1-2 cutoffs are optimized
                raise InputError("_newton: at most two variables")
            new = []
            for v, s_ in zip(x, step):
                m, e = (arb_ball(v) - s_).mid().man_exp()
                m, e = int(m), int(e)
                new.append(Fraction(m * 2**e) if e >= 0 else Fraction(m, 2 ** (-e)))
            if all(abs(a - b) < Fraction(1, 2**300) for a, b in zip(new, x)):
                x = new
                break
            x = new
    # round to 2^-100: still far inside the region of certified concavity
    return [Fraction(round(v * 2**100), 2**100) for v in x]


def inventory_optimum(inv: InventoryPartition, *, items_max: int = 3, start=None, tol=Fraction(1, 2**60),
                      max_boxes: int = 200_000, max_depth: int = 40) -> InventoryOptimum:
    """The revenue-maximizing partition with 2 items (3 cells, bottom excluded), certified
    optimal among all partitions with at most ``items_max`` items (``items_max + 1`` cells).

    1. A rational critical point ``x0`` of the 3-cell revenue ``R_3(a, b)`` by
       Newton's method at 400 bits from ``start`` (default: the best point of a
       coarse exact grid); ``R_3(x0)`` is exact.
    2. Two items: branch and bound on ``lo <= a <= b <= hi`` that ``R_3 <= R_3(x0) +
       tol``: rule ``bound``, and rule ``concave`` -- the Hessian is certified
       negative definite on the box (``h11 < 0``, ``det > 0``), so ``R_3`` lies
       below its tangent plane at a point ``c`` of the box (``x0`` when inside):
       ``R_3 <= R_3(c) + sum |d_i R_3(c)| max|x_i - c_i|``.
    3. Three items (if ``items_max >= 3``): ``R_4(a, b, c) <= max R_3`` on
       ``lo <= a <= b <= c <= hi``, by ``bound`` (``R_4 < R_3(x0)``) and, at the
       degenerate configurations where a cell empties, by certified
       monotonicity towards the face where ``R_4`` *is* a 3-cell revenue:
       ``merge top`` (``dR_4/dc >= 0`` up to ``c = hi``), ``merge middle``
       (``dR_4/db >= 0`` up to ``b = c``), ``merge bottom`` (``dR_4/da >= 0`` up
       to ``a = b``, or ``dR_4/db <= 0`` down to ``b = a``).
    """
    d = inv.dist
    lo, hi = d.lo, d.hi
    R3 = inv.revenue([_A, _B])
    g3 = [sympy.diff(R3, s) for s in (_A, _B)]
    h3 = [[sympy.diff(g, s) for s in (_A, _B)] for g in g3]
    R3f = arb_function(R3, (_A, _B), centered=True)
    model = inv.compiled()
    g3f = [arb_function(g, (_A, _B)) for g in g3]
    h3f = [[arb_function(h, (_A, _B)) for h in row] for row in h3]
    if start is None:
        n = 16
        grid = [(lo + (hi - lo) * i / n, lo + (hi - lo) * j / n) for i in range(1, n) for j in range(i + 1, n)]
        with working_precision(PREC):
            start = max(grid, key=lambda p: R3f(arb_ball(p[0]), arb_ball(p[1])).mid())
    x0 = _newton(g3f, h3f, [to_fraction(v) for v in start])
    r_at = sympy.simplify(R3.subs({_A: _rat(x0[0]), _B: _rat(x0[1])}))
    if not r_at.is_Rational:
        raise ValueError(f"revenue at a rational point should be rational, got {r_at}")
    r_lo = Fraction(int(r_at.p), int(r_at.q))
    r_hi = r_lo + to_fraction(tol)
    certs = {}
    with working_precision(PREC):
        ref_lo, ref_hi = arb_ball(r_lo), arb_ball(r_hi)

    def outside(box):
        return any(box[i][0] > box[i + 1][1] for i in range(len(box) - 1))

    def bound3(balls, box):
        return _certainly_lt(R3f(*balls), ref_hi) or _certainly_lt(model.revenue(balls), ref_hi)

    def concave3(balls, box):
        h11 = h3f[0][0](*balls)
        if not _certainly_lt(h11, 0):
            return False
        det = h11 * h3f[1][1](*balls) - h3f[0][1](*balls) * h3f[1][0](*balls)
        if not (det.is_finite() and det > 0):
            return False
        inside = all(a <= v <= b for v, (a, b) in zip(x0, box))
        c = list(x0) if inside else [(a + b) / 2 for a, b in box]
        cb = [arb_ball(v) for v in c]
        up = R3f(*cb)
        for i, (a, b) in enumerate(box):
            reach = max(abs(c[i] - a), abs(b - c[i]))
            up = up + abs(g3f[i](*cb)) * arb_ball(reach)
        return _certainly_le(up, ref_hi)

    def refute3(point):
        with working_precision(PREC):
            return bool(R3f(*(arb_ball(v) for v in point)) > ref_hi)

    certs[2] = branch_and_bound([(lo, hi)] * 2, [Rule("bound", bound3), Rule("concave", concave3)],
                                outside=outside, refute=refute3, max_boxes=max_boxes, max_depth=max_depth)
    if certs[2].certainty == Certainty.TRUE:
        _replay(inv, 2, x0, r_lo, r_hi, certs[2])
    boxes = _maximizer_boxes(h3f, g3f, x0)
    if items_max >= 3:
        certs[3] = _inventory_three_items(inv, ref_lo, max_boxes=max_boxes, max_depth=max_depth)
        if certs[3].certainty == Certainty.TRUE:
            _replay(inv, 3, x0, r_lo, r_lo, certs[3])
    return InventoryOptimum(inv, tuple(x0), r_lo, r_hi, boxes, certs, items_max)


def _replay(inv: InventoryPartition, items: int, x0, r_lo: Fraction, target: Fraction, res: BnBResult) -> None:
    """Have every box re-verified by :mod:`.replay_cells` (independent code: the revenue rebuilt as
    an exact rational function, exact ranges); NotCertified when the replay fails, else
    ``res.replay`` is its summary."""
    from .replay_cells import replay_inventory

    d = inv.dist
    data = {"density": d.coefficients, "lo": d.lo, "hi": d.hi,
            "quantile": poly_fractions(inv.quantile, _TQ), "items": items,
            "x0": tuple(x0), "revenue": r_lo, "target": target, "final": res.final}
    rep = replay_inventory(data)
    if not rep.ok:
        raise NotCertified(f"inventory certificate ({inv.name or d.name}, at most {items} items): {rep.summary()}")
    res.replay = rep.summary()


def _maximizer_boxes(h3f, g3f, x0, radius=Fraction(1, 2**20)):
    """Enclosure of the maximizer near ``x0``: on the box ``x0 +- radius`` the Hessian is
    certified negative definite with ``-H >= lam I`` (2x2 eigenvalue formula), so the unique critical
    point ``p`` satisfies ``|p - x0| <= |grad R(x0)| / lam`` (strong concavity)."""
    with working_precision(PREC):
        balls = [interval_arb(v - radius, v + radius) for v in x0]
        H = [[h3f[i][j](*balls) for j in range(2)] for i in range(2)]
        A, C, B = -H[0][0], -H[1][1], -(H[0][1].union(H[1][0]))
        # smallest eigenvalue of -H = [[A, B], [B, C]], enclosed over the box
        lam = ((A + C - ((A - C) * (A - C) + 4 * B * B).sqrt()) / 2).lower()
        if not lam > 0:
            return tuple((v - radius, v + radius) for v in x0)
        g = [arb(f(*(arb_ball(v) for v in x0)).abs_upper()) for f in g3f]
        r = ((g[0] * g[0] + g[1] * g[1]).sqrt() / lam).upper()
        if not r < arb_ball(radius):
            return tuple((v - radius, v + radius) for v in x0)
        _, rr = arb_interval(r)
        return tuple((v - rr, v + rr) for v in x0)


def _inventory_three_items(inv: InventoryPartition, ref_lo: arb, *, max_boxes, max_depth) -> BnBResult:
    d = inv.dist
    lo, hi = d.lo, d.hi
    R4 = inv.revenue([_A, _B, _C])
    syms = (_A, _B, _C)
    model = inv.compiled()
    R4f = arb_function(R4, syms, centered=True)
    dR = [arb_function(sympy.diff(R4, s), syms, centered=True) for s in syms]

    def outside(box):
        return any(box[i][0] > box[i + 1][1] for i in range(2))

    def bound(balls, box):
        return _certainly_lt(R4f(*balls), ref_lo) or _certainly_lt(model.revenue(balls), ref_lo)

    def merge_top(balls, box):      # c -> hi: R_4(a, b, hi) = R_3(a, b)
        a, b, _ = balls
        return _certainly_ge(dR[2](a, b, interval_arb(box[2][0], hi)), 0)

    def merge_middle(balls, box):   # b -> c: R_4(a, c, c) = R_3(a, c)
        a, _, c = balls
        return _certainly_ge(dR[1](a, interval_arb(box[1][0], max(box[1][1], box[2][1])), c), 0)

    def merge_bottom(balls, box):   # a -> b: R_4(b, b, c) = R_3(b, c); or b -> a: R_4(a, a, c) = R_3(a, c)
        _, b, c = balls
        if _certainly_ge(dR[0](interval_arb(box[0][0], max(box[0][1], box[1][1])), b, c), 0):
            return True
        a = balls[0]
        return _certainly_le(dR[1](a, interval_arb(min(box[0][0], box[1][0]), box[1][1]), c), 0)

    return branch_and_bound([(lo, hi)] * 3, [Rule("bound", bound), Rule("merge top", merge_top),
                                             Rule("merge middle", merge_middle), Rule("merge bottom", merge_bottom)],
                            outside=outside, max_boxes=max_boxes, max_depth=max_depth)


def fig1_inventory() -> InventoryPartition:
    """The instance of SWP Fig. 1 (Sec. 6, fixed inventory): values ``F(v) = v^2`` on
    ``[0, 1]``, inventory ``G(q) = q^(1/4)`` (quantile function ``t^4``)."""
    return InventoryPartition(power_distribution(2), _TQ**4, "G(q)=q^(1/4)")


@lru_cache(maxsize=4)
def fig1_optimum(items_max: int = 2) -> InventoryOptimum:
    """``inventory_optimum(fig1_inventory(), items_max=items_max)``, computed once per process
    (the report's Fig. 1 and the SWP-FIG1 checks read the same certified object; about 5 s
    each time). The result is shared: treat it as read-only."""
    return inventory_optimum(fig1_inventory(), items_max=items_max)
