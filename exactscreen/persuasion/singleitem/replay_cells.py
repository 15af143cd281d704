"""Independent replay of the per-box bounds of the K-item certificates of SWP Sec. 6 (Fig. 2's
``certify_cells``: no partition into ``n`` cells beats the best single item, (52)-(53) with the
bound ``U = sum_k m_k c*(phi_k)`` of Sec. 4.5) and of the fixed-inventory optimum of Fig. 1
(``inventory_optimum``: revenue (10) of a partition with the inventory (33) pooled over the same
quantiles, at most 2 or 3 items).

This module shares no code with the searches: it imports nothing from the package (python-flint's
exact ``fmpq``, ``fmpq_poly``, ``fmpq_mpoly`` and :mod:`math` only), takes the certificate as plain
data (the density and the cost or the quantile function as exact rational coefficients, the
compared value, every settled box with its rule) and re-verifies **every** box with bounds written
here, in exact rational arithmetic (no balls, no rounding: every bound below is an exact rational
inequality).  A box a rule does not confirm is halved (widest side) at most :data:`MAX_SPLIT`
times, every piece confirmed by the same rule, before it is rejected.  Returns a
:class:`CellsReplay`: ok, or the first failing box with the reason.

**Tiling** (both certificates).  Boxes are merged bottom-up: two boxes that are the two dyadic
halves (relative to the domain) of one box along some axis are replaced by it, smallest boxes
first; the certificate tiles the domain when this ends with the domain itself and the volumes
add up.  Boxes recorded as ``outside`` must miss the ordered cutoffs ``x_1 <= x_2 <= ...``
(some ``lo_i > hi_{i+1}``), decided exactly.

**Cells** (:func:`replay_cells`; the primer of :mod:`exactscreen.persuasion.singleitem`, SWP
(8), (10), (52)).  On a box of cutoffs, first tightened to its ordered part (``t_i >= lo_j`` for
``j <= i``, ``t_i <= hi_j`` for ``j >= i``), each cell ``[t_k, t_{k+1}]`` gets exact *ranges* by
monotonicity in each cutoff, from the primitives ``F`` and ``int v f`` of the normalized density:
the mass ``m_k`` (``F`` increasing), the survival ``S_k = 1 - F(t_k)``, the mean ``vbar_k``
(increasing in both ends, ``d vbar/dy = f(y)(y - vbar)/m >= 0``).  The virtual value
``phi_k = vbar_k - (vbar_{k+1} - vbar_k) S_{k+1}/m_k`` is at most ``vbar_k`` and at most
``vbar_k^+ - (vbar_{k+1}^- - vbar_k^+)^+ S_{k+1}^-/m_k^+``, and ``N_k = m_k phi_k = vbar_k S_k -
vbar_{k+1} S_{k+1}`` gives a third bound.  ``c*(p) = max_{q>=0} pq - c(q)`` is increasing, 0 for
``p <= alpha``; its upper bound at a rational ``p`` uses a rational enclosure ``[q-, q+]`` of
``q* = c'^{-1}(p)`` (integer square roots, then *verified*: ``c'(q-) <= p <= c'(q+)``) and
concavity: ``c*(p) <= g(q-) + (p - c'(q-))(q+ - q-)``, ``g(q) = pq - c(q)``.

* ``bound``: ``sum_k m_k^+ c*(phi_k^+) < T``, excluded cells (``phi_k^+ <= alpha``) counted 0.
  ``T`` is a lower bound of ``sup_x Pi_1(x)`` computed here (``Pi_1(x) = (1 - F(x)) c*(mu(x))``
  at a rational ``x`` in the given enclosure of ``v*``, with ``c*`` from below by ``g(q-)``), or
  the given ``Pi_1*`` if lower.  The given ``Pi_1*`` interval must meet ``[T, upper bound of
  Pi_1 over the v* enclosure]``.
* ``single item``: every cell below the top has ``phi_k^+ <= alpha`` (``m_k`` may vanish): the
  menu is one item sold to ``v >= t_{n-1}``, earning ``Pi_1(t_{n-1}) <= sup Pi_1``.
* ``top split``: the cells below ``a = t_{n-2}`` are excluded and ``h(a, b) >= 0`` for every
  ``a`` in its range and every ``b`` from ``t_{n-1}``'s lower end up to ``hi``.  Here ``f(a, b)
  = m_2 C(phi_2) + m_3 C(vbar_3) - M C(mu(a))`` (two top cells ``[a, b)``, ``[b, hi]`` against
  one, ``C(p) = pq - c(q)`` at ``q = c'^{-1}(p)``, which is ``>= c*(p)``), ``f(a, hi) = 0``, and
  (derived here by the chain rule: ``dm_2/db = f(b)``, ``d(m_2 vbar_2)/db = b f(b)``,
  ``C' = c'^{-1}``) ``df/db = f(b) h`` with

      ``h = [q_2 K - c(q_2)] + [c(q_3) - b q_3]``,  ``K = b + M (b - vbar_2)/m_2``,
      ``q_2 = c'^{-1}(phi_2)``, ``q_3 = c'^{-1}(vbar_3)``, ``M = 1 - F(a)``.

  So ``h >= 0`` on ``[b, hi]`` gives ``f(a, b) <= 0``: two top items earn at most the single item
  sold to ``v >= a`` (``C(p) >= c*(p)`` where real, with equality for ``p >= alpha``; so ``mu(a) >=
  alpha`` is required, and ``c'^{-1}`` must be real at ``phi_2`` and ``vbar_3``).  Bounds: ``q K - c(q)`` increases in ``q`` up to ``q_2`` (``c'(q) <= phi_2
  <= K``), so it is at least its value at ``q_2^-``; ``c(q) - b q`` is convex in ``q`` with slope
  ``c'(q) - b``, so it is at least ``c(q_3^-) - b q_3^- + min(0, c'(q_3^-) - b)(q_3^+ - q_3^-)``.

**Inventory** (:func:`replay_inventory`; SWP (33), (10), Fig. 1).  The revenue of the cutoffs
``t_1 <= ... <= t_r`` (values below ``t_1`` excluded, cells ``[t_k, t_{k+1}]``, ``t_{r+1} = hi``)
is built here as an exact rational function ``R = P/Q`` in ``r`` variables: with ``J = I o F``
(``I`` the primitive of the quantile function ``G^{-1}``), each cell has ``m = (y - x) m~``,
``int v f = (y - x) M~``, ``int G^{-1} dt = (y - x) J~`` (exact divided differences of the
univariate polynomials), ``qbar = J~/m~``, ``vbar = M~/m~``, and ``R = sum_k (qbar_k -
qbar_{k-1}) vbar_k S_k`` (``qbar_0 = 0``), ``Q = prod m~_k^2``.  Ranges of polynomials on a box:
the exact Taylor expansion at the centre (``fmpq_mpoly.compose``) with every non-constant term
bounded by ``|c| r^alpha`` (``[0, c r^alpha]`` for even exponents, ``c > 0``).

* ``bound``: ``R < T`` on the box, either from exact monotone ranges of the cell pieces
  (``qbar`` is the average of the nondecreasing ``G^{-1} o F``, increasing in both ends, and
  ``qbar_k - qbar_{k-1} >= 0``), or from ``P - T Q < 0`` with ``Q > 0`` (Taylor ranges).
* ``concave``: ``Q > 0`` and the Hessian of ``R`` (numerators ``H_ij`` of ``d^2 R = H_ij/Q^3``,
  derived here) is negative semidefinite on the box (``H_11, H_22 <= 0``, ``H_11 H_22 >=
  H_12^2`` by ranges), so ``R`` is concave on the box and below its tangent plane at a point
  ``c`` of the box: ``R(c) + sum_i |d_i R(c)| max|x_i - c_i| <= T`` (exact at ``c``).
* ``merge top`` / ``merge middle`` / ``merge bottom`` (3 items): ``dR_4/dc >= 0`` up to ``c = hi``
  (where ``R_4(a, b, hi) = R_3(a, b)``, checked as a polynomial identity), ``dR_4/db >= 0`` up to
  ``b = c`` / ``dR_4/da >= 0`` up to ``a = b`` / ``dR_4/db <= 0`` down to ``b = a`` (an emptied
  cell ``[x, x]`` has ``qbar = G^{-1}(F(x))``, so ``R_3 - R_4 = (G^{-1}(F(c)) - qbar(a, c))
  (vbar(c, hi) - c) S(c) >= 0``, resp. ``G^{-1}(F(b)) (vbar(b, c) - b) S(b) >= 0``: a 3-cell
  revenue is at least the degenerate 4-cell one).  These rules conclude ``R_4 <= max R_3``, the
  2-item certificate's bound.

A box is first tried through the aligned dyadic cube of twice its
width that contains it (each rule's claim on a larger box implies it on the box; the result is
cached for the box's neighbours), then on itself.

The data: :func:`replay_cells` keys ``density`` (coefficients of ``f`` in ``v``, any positive
multiple), ``lo``, ``hi``, ``alpha``, ``beta``, ``delta`` (``c(q) = alpha q + beta q^2/2 + delta
q^3/3``), ``n_cells``, ``pi1`` (rational interval of ``Pi_1*``), ``vstar`` (rational interval of
``v*``), ``final``; :func:`replay_inventory` keys ``density``, ``lo``, ``hi``, ``quantile``
(coefficients of ``G^{-1}(t)`` in ``t``), ``items`` (2 or 3), ``x0`` and ``revenue`` (the 2-item
optimum's rational point and its exact revenue, recomputed here), ``target`` (the compared value:
``revenue + tol`` for 2 items, ``revenue`` for 3), ``final``.  Every loop is bounded (box count,
:data:`MAX_SPLIT`, polynomial degrees).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt

from flint import fmpq, fmpq_mpoly_ctx, fmpq_poly

__all__ = ["CellsReplay", "replay_cells", "replay_inventory", "MAX_SPLIT"]

MAX_SPLIT = 6            # a box a rule does not confirm may be halved this many times (each piece confirmed)
ROOT_BITS = 96           # dyadic precision of the enclosures of c'^{-1}(p) (verified exactly)
NAME = "singleitem.replay_cells"


@dataclass(frozen=True)
class CellsReplay:
    """Outcome of a replay: ``ok``, what was replayed, the number of boxes, the pieces checked
    (boxes plus halves), and on failure the first failing box and the reason."""

    ok: bool
    kind: str
    boxes: int
    pieces: int
    problem: str = ""
    box: tuple | None = None

    def summary(self) -> str:
        if self.ok:
            return (f"replayed ({self.kind}): {self.boxes} boxes tile the domain, every box's bound re-verified "
                    f"in exact rational arithmetic ({self.pieces} checks on boxes, halves or covering cubes), by {NAME} "
                    "(independent code)")
        where = "" if self.box is None else f" at box {_txt(self.box)}"
        return f"replay FAILED ({self.kind}){where}: {self.problem}"


class _Fail(Exception):
    """A check that could not be made (bad data); becomes a failed replay with this reason."""


# ----------------------------------------------------------------------------- exact helpers
def _q(x) -> fmpq:
    if isinstance(x, fmpq):
        return x
    if isinstance(x, bool):
        raise _Fail(f"not an exact rational: {x!r}")
    if isinstance(x, int):
        return fmpq(x)
    if isinstance(x, Fraction):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, str):
        f = Fraction(x)
        return fmpq(f.numerator, f.denominator)
    raise _Fail(f"not an exact rational: {x!r}")


def _txt(box) -> str:
    return "x".join(f"[{a}, {b}]" for a, b in box)


def _show(x: fmpq, digits: int = 15) -> str:
    """``x`` as a decimal rounded towards zero (exact integer arithmetic; text only)."""
    sign = "-" if x < 0 else ""
    x = abs(x)
    whole, rem = divmod(int(x.p) * 10**digits // int(x.q), 10**digits)
    return f"{sign}{whole}.{str(rem).rjust(digits, '0')}"


def _floor(x: fmpq) -> int:
    return int(x.p) // int(x.q)


def _down(x: fmpq, bits: int = ROOT_BITS) -> fmpq:
    return fmpq(_floor(x * (1 << bits)), 1 << bits)


def _up(x: fmpq, bits: int = ROOT_BITS) -> fmpq:
    return fmpq(-_floor(-x * (1 << bits)), 1 << bits)


def _integral(p: fmpq_poly) -> fmpq_poly:
    return fmpq_poly([fmpq(0)] + [c / (k + 1) for k, c in enumerate(p.coeffs())])


def _halves(box):
    k = max(range(len(box)), key=lambda j: box[j][1] - box[j][0])
    lo, hi = box[k]
    mid = (lo + hi) / 2
    return box[:k] + ((lo, mid),) + box[k + 1:], box[:k] + ((mid, hi),) + box[k + 1:]


def _confirm(test, box) -> tuple[bool, int, str]:
    """``test(box) -> ''`` (confirmed) or the reason; halve at most MAX_SPLIT times."""
    todo = [(box, 0)]
    pieces = 0
    while todo:
        b, level = todo.pop()
        pieces += 1
        why = test(b)
        if not why:
            continue
        if level >= MAX_SPLIT:
            return False, pieces, f"{why} (after {MAX_SPLIT} halvings)"
        left, right = _halves(b)
        todo += [(left, level + 1), (right, level + 1)]
    return True, pieces, ""


def _misses_order(box) -> bool:
    return any(box[i][0] > box[i + 1][1] for i in range(len(box) - 1))


# ----------------------------------------------------------------------------- tiling
def _tiling(domain, boxes) -> str:
    """'' when ``boxes`` tile ``domain``: every corner is a dyadic point of the domain (mapped to an
    integer grid of ``2^D`` steps per side), the volumes add up, and bottom-up merging of sibling
    halves (smallest boxes first) rebuilds the domain."""
    dom = tuple(domain)
    dim = len(dom)
    grid = []
    depth = 0
    for bx in boxes:
        if len(bx) != dim:
            return f"box {_txt(bx)} has the wrong dimension"
        if any(not (d0 <= a < b <= d1) for (a, b), (d0, d1) in zip(bx, dom)):
            return f"box {_txt(bx)} is empty or not inside the domain {_txt(dom)}"
        rel = []
        for (a, b), (d0, d1) in zip(bx, dom):
            for x in ((a - d0) / (d1 - d0), (b - d0) / (d1 - d0)):
                den = int(x.q)
                if den & (den - 1):
                    return f"box {_txt(bx)} is not a bisection box of the domain (corner {x} of it is not dyadic)"
                depth = max(depth, den.bit_length() - 1)
                rel.append(x)
        grid.append(rel)
    if depth > 4096:
        return "boxes deeper than 4096 bisections"
    scale = 1 << depth
    present: set = set()
    total = 0
    for rel in grid:
        ints = tuple(int(x.p) * (scale // int(x.q)) for x in rel)
        key = tuple(zip(ints[0::2], ints[1::2]))
        if key in present:
            return f"overlap: a box is listed twice ({key})"
        present.add(key)
        v = 1
        for a, b in key:
            v *= b - a
        total += v
    if total != scale ** dim:
        return "the boxes' volumes do not add up to the domain's (gap or overlap)"
    full = ((0, scale),) * dim

    def size(bx):
        v = 1
        for a, b in bx:
            v *= b - a
        return v

    heap = [(size(bx), bx) for bx in present]
    heapq.heapify(heap)
    steps = 0
    limit = 4 * len(present) + 4
    while heap:
        steps += 1
        if steps > limit:
            return "tiling merge exceeded its step budget"
        _, bx = heapq.heappop(heap)
        if bx not in present:
            continue
        if bx == full:
            present.discard(bx)
            return "" if not present else "boxes left over after the domain was rebuilt (overlap)"
        merged = None
        for k, (a, b) in enumerate(bx):
            w = b - a
            if a % w:
                continue
            if (a // w) % 2 == 0:
                partner, parent = (b, b + w), (a, b + w)
            else:
                partner, parent = (a - w, a), (a - w, b)
            if parent[0] < 0 or parent[1] > scale:
                continue
            other = bx[:k] + (partner,) + bx[k + 1:]
            if other in present:
                merged = (other, bx[:k] + (parent,) + bx[k + 1:])
                break
        if merged is None:
            back = tuple((d0 + (d1 - d0) * fmpq(a, scale), d0 + (d1 - d0) * fmpq(b, scale))
                         for (a, b), (d0, d1) in zip(bx, dom))
            return f"gap or misaligned box: {_txt(back)} has no sibling to merge with"
        other, parent = merged
        present.discard(bx)
        present.discard(other)
        if parent in present:
            return "overlap: a box overlaps its own halves"
        present.add(parent)
        heapq.heappush(heap, (size(parent), parent))
    return "the boxes do not rebuild the domain"


def _check_structure(domain, final, rules, kind) -> CellsReplay | None:
    boxes = []
    for bx, rule, _ in final:
        box = tuple((_q(a), _q(b)) for a, b in bx)
        boxes.append(box)
        if rule == "outside":
            if not _misses_order(box):
                return CellsReplay(False, kind, len(final), 0, "a box recorded as outside meets the ordered "
                                   "cutoffs x_1 <= x_2 <= ...", box)
        elif rule not in rules:
            return CellsReplay(False, kind, len(final), 0, f"unknown rule {rule!r}", box)
    problem = _tiling(domain, boxes)
    if problem:
        return CellsReplay(False, kind, len(final), 0, problem)
    return None


# ----------------------------------------------------------------------------- the density
class _Density:
    """``f`` normalized on ``[lo, hi]``: ``F`` (CDF), ``W`` (``int_lo^x v f``), exact."""

    def __init__(self, coeffs, lo, hi):
        self.lo, self.hi = _q(lo), _q(hi)
        if not self.lo < self.hi:
            raise _Fail("need lo < hi")
        f = fmpq_poly([_q(c) for c in coeffs])
        F = _integral(f)
        F = F - fmpq_poly([F(self.lo)])
        total = F(self.hi)
        if not total > 0:
            raise _Fail("the density has no positive mass")
        self.f = f / total
        self.F = F / total
        W = _integral(self.f * fmpq_poly([0, 1]))
        self.W = W - fmpq_poly([W(self.lo)])
        if not _nonnegative_on(self.f, self.lo, self.hi):
            raise _Fail("the density is not certified non-negative on [lo, hi]")

    def mean(self, x: fmpq, y: fmpq) -> fmpq:
        if x == y:
            return x
        return (self.W(y) - self.W(x)) / (self.F(y) - self.F(x))


def _nonnegative_on(p: fmpq_poly, lo: fmpq, hi: fmpq, depth: int = 12) -> bool:
    """``p >= 0`` on ``[lo, hi]``: exact Bernstein coefficients, bisection at most ``depth`` levels."""
    todo = [(lo, hi, 0)]
    while todo:
        a, b, lev = todo.pop()
        shifted = p(fmpq_poly([a, b - a]))  # p(a + (b - a) t)
        d = max(p.degree(), 0)
        t = [shifted[j] for j in range(d + 1)]
        coeffs = []
        for i in range(d + 1):
            v = fmpq(0)
            for j in range(i + 1):
                v += fmpq(_binom(i, j), _binom(d, j)) * t[j]
            coeffs.append(v)
        if all(c >= 0 for c in coeffs):
            continue
        if coeffs[0] < 0 or coeffs[-1] < 0 or lev >= depth:
            return False
        m = (a + b) / 2
        todo += [(a, m, lev + 1), (m, b, lev + 1)]
    return True


def _binom(n: int, k: int) -> int:
    out = 1
    for i in range(k):
        out = out * (n - i) // (i + 1)
    return out


# ----------------------------------------------------------------------------- the cost
class _Cost:
    """``c(q) = alpha q + beta q^2/2 + delta q^3/3`` (``alpha, beta, delta >= 0``, ``beta + delta > 0``)."""

    def __init__(self, alpha, beta, delta):
        self.a, self.b, self.d = _q(alpha), _q(beta), _q(delta)
        if self.a < 0 or self.b < 0 or self.d < 0 or self.b + self.d == 0:
            raise _Fail("cost: need alpha, beta, delta >= 0 and beta + delta > 0")
        self.vertex = None if self.d == 0 else -self.b / (2 * self.d)   # c' increasing right of it

    def c(self, q: fmpq) -> fmpq:
        return q * (self.a + q * (self.b / 2 + q * self.d / 3))

    def dc(self, q: fmpq) -> fmpq:
        return self.a + q * (self.b + q * self.d)

    def qinv(self, p: fmpq) -> tuple[fmpq, fmpq] | None:
        """Rational ``[q-, q+]`` containing the root of ``c'(q) = p`` on the increasing branch
        (verified: ``c'(q-) <= p <= c'(q+)``, ``q-`` right of the vertex); None if it is not real."""
        if self.d == 0:
            r = (p - self.a) / self.b
            return r, r
        disc = self.b * self.b + 4 * self.d * (p - self.a)
        if disc < 0:
            return None
        scale = 1 << (2 * ROOT_BITS)
        lo_int = _floor(disc * scale)
        hi_int = -_floor(-disc * scale)
        s_lo = fmpq(isqrt(lo_int), 1 << ROOT_BITS)
        s_hi = fmpq(isqrt(hi_int) + 1, 1 << ROOT_BITS)
        q_lo = max(_down((s_lo - self.b) / (2 * self.d)), self.vertex)
        q_hi = _up((s_hi - self.b) / (2 * self.d))
        if not (self.dc(q_lo) <= p <= self.dc(q_hi)):
            raise _Fail(f"root enclosure of c'(q) = {p} not verified")
        return q_lo, q_hi

    def _cstar_closed(self, p: fmpq):
        """``c*(p)`` where it has a closed form (0 for ``p <= alpha``; a linear marginal cost
        ``alpha + beta q``), else None (a cubic term: bracketed through ``qinv``)."""
        if p <= self.a:
            return fmpq(0)
        if self.d == 0:
            return (p - self.a) ** 2 / (2 * self.b)
        return None

    def cstar_up(self, p: fmpq) -> fmpq:
        """Upper bound of ``c*(p) = max_{q>=0} pq - c(q)`` (exact where closed)."""
        closed = self._cstar_closed(p)
        if closed is not None:
            return closed
        q_lo, q_hi = self.qinv(p)
        q_lo = max(q_lo, fmpq(0))
        return p * q_lo - self.c(q_lo) + (p - self.dc(q_lo)) * (q_hi - q_lo)

    def cstar_lo(self, p: fmpq) -> fmpq:
        """Lower bound of ``c*(p)`` (the value of some ``q >= 0``; exact where closed)."""
        closed = self._cstar_closed(p)
        if closed is not None:
            return closed
        q_lo, _ = self.qinv(p)
        q_lo = max(q_lo, fmpq(0))
        return max(fmpq(0), p * q_lo - self.c(q_lo))

    def c_range(self, q_lo: fmpq, q_hi: fmpq) -> tuple[fmpq, fmpq]:
        """Range of ``c`` on ``[q_lo, q_hi]`` (interval arithmetic term by term)."""
        sq_lo = fmpq(0) if q_lo <= 0 <= q_hi else min(q_lo * q_lo, q_hi * q_hi)
        sq_hi = max(q_lo * q_lo, q_hi * q_hi)
        lo = self.a * q_lo + self.b / 2 * sq_lo + self.d / 3 * q_lo ** 3
        hi = self.a * q_hi + self.b / 2 * sq_hi + self.d / 3 * q_hi ** 3
        return lo, hi


# ----------------------------------------------------------------------------- cells: bounds on a box
def _ordered(box, lo: fmpq, hi: fmpq):
    """Cutoff ranges ``[L_i, H_i]`` of the ordered part of the box, with ``t_0 = lo`` and
    ``t_n = hi`` added; None if the ordered part is empty."""
    n = len(box)
    L = [max(lo, box[0][0])]
    for i in range(1, n):
        L.append(max(L[-1], box[i][0]))
    H = [min(hi, box[-1][1])]
    for i in range(n - 2, -1, -1):
        H.insert(0, min(H[0], box[i][1]))
    if any(a > b for a, b in zip(L, H)):
        return None
    return [lo] + L + [hi], [lo] + H + [hi]


class _Cells:
    """Exact ranges of the cell pieces on a box (module docstring, "Cells")."""

    def __init__(self, dens: _Density, cost: _Cost):
        self.dens, self.cost = dens, cost

    def pieces(self, L, H):
        d = self.dens
        FL = [d.F(x) for x in L]
        FH = [d.F(x) for x in H]
        n = len(L) - 1
        m, vb, S = [], [], []
        for k in range(n):
            m.append((max(fmpq(0), FL[k + 1] - FH[k]), FH[k + 1] - FL[k]))
            vb.append((d.mean(L[k], L[k + 1]), d.mean(H[k], H[k + 1])))
            S.append((1 - FH[k], 1 - FL[k]))
        return m, vb, S

    def phi_up(self, m, vb, S, k) -> fmpq | None:
        """Upper bound of ``phi_k`` (k below the top); None for a cell that is empty on the whole box."""
        if m[k][1] == 0:
            return None
        best = vb[k][1]
        gap = vb[k + 1][0] - vb[k][1]
        if gap > 0:
            best = min(best, vb[k][1] - gap * S[k + 1][0] / m[k][1])
        # N_k = vbar_k S_k - vbar_{k+1} S_{k+1}, phi_k = N_k / m_k
        n_up = max(vb[k][0] * S[k][0], vb[k][0] * S[k][1], vb[k][1] * S[k][0], vb[k][1] * S[k][1]) \
            - min(vb[k + 1][0] * S[k + 1][0], vb[k + 1][0] * S[k + 1][1], vb[k + 1][1] * S[k + 1][0],
                  vb[k + 1][1] * S[k + 1][1])
        if n_up <= 0:
            best = min(best, n_up / m[k][1])
        elif m[k][0] > 0:
            best = min(best, n_up / m[k][0])
        return best

    def excluded(self, m, vb, S, k) -> bool:
        p = self.phi_up(m, vb, S, k)
        return p is None or p <= self.cost.a

    def upper(self, m, vb, S) -> fmpq:
        n = len(m)
        total = fmpq(0)
        for k in range(n):
            if k < n - 1:
                p = self.phi_up(m, vb, S, k)
                if p is None or p <= self.cost.a:
                    continue
            else:
                p = vb[k][1]
            total += m[k][1] * self.cost.cstar_up(p)
        return total

    def h_lower(self, A, B) -> fmpq | None:
        """Lower bound of ``h(a, b)`` (module docstring) on ``a in A``, ``b in B``, ``a <= b``;
        None when a piece has no finite bound (the middle cell may be empty, or ``c'^{-1}`` is not real)
        or when ``mu(a) < c'(0)`` is possible (then ``f(a, b) <= 0`` would not bound the profit by ``Pi_1(a)``)."""
        d, c = self.dens, self.cost
        a_lo, a_hi = A
        b_lo, b_hi = max(B[0], a_lo), B[1]
        a_hi = min(a_hi, b_hi)
        if a_lo > a_hi or b_lo > b_hi:
            return fmpq(0)      # empty ordered part: nothing to show
        M = (1 - d.F(a_hi), 1 - d.F(a_lo))
        m2 = (d.F(b_lo) - d.F(a_hi), d.F(b_hi) - d.F(a_lo))
        m3 = (1 - d.F(b_hi), 1 - d.F(b_lo))
        if not m2[0] > 0:
            return None
        if d.mean(a_lo, d.hi) < c.a:
            return None         # mu(a) < c'(0): C(mu(a)) > 0 = c*(mu(a)), the comparison with Pi_1(a) fails
        v2 = (d.mean(a_lo, b_lo), d.mean(a_hi, b_hi))
        v3 = (d.mean(b_lo, d.hi), d.mean(b_hi, d.hi))
        phi2_lo = v2[0] - (v3[1] - v2[0]) * m3[1] / m2[0]
        bv_lo, bv_hi = max(fmpq(0), b_lo - v2[1]), b_hi - v2[0]
        K = (b_lo + M[0] * bv_lo / m2[1], b_hi + M[1] * bv_hi / m2[0])
        q2 = c.qinv(phi2_lo)
        q3 = c.qinv(v3[0])
        q3_top = c.qinv(v3[1])
        if q2 is None or q3 is None or q3_top is None:
            return None
        q2_lo = q2[0]
        t2 = min(q2_lo * K[0], q2_lo * K[1]) - c.c(q2_lo)
        q3_lo, q3_hi = q3[0], q3_top[1]
        t3 = c.c(q3_lo) - max(b_lo * q3_lo, b_hi * q3_lo) + min(fmpq(0), c.dc(q3_lo) - b_hi) * (q3_hi - q3_lo)
        return t2 + t3


def _single_item_range(dens: _Density, cost: _Cost, x_lo: fmpq, x_hi: fmpq) -> tuple[fmpq, fmpq]:
    """``[T, U]``: ``T = Pi_1(x)`` from below at the midpoint ``x`` (a lower bound of ``sup Pi_1``),
    ``U`` an upper bound of ``Pi_1`` over ``[x_lo, x_hi]``."""
    x = (x_lo + x_hi) / 2
    Mx = 1 - dens.F(x)
    T = Mx * cost.cstar_lo(dens.mean(x, dens.hi)) if Mx > 0 else fmpq(0)
    U = (1 - dens.F(x_lo)) * cost.cstar_up(dens.mean(x_hi, dens.hi))
    return T, U


def replay_cells(cert: dict) -> CellsReplay:
    """Replay a ``certify_cells`` certificate (keys in the module docstring): tiling, outside
    boxes, and every ``bound`` / ``single item`` / ``top split`` box with the bounds written here."""
    return _guarded(_replay_cells, cert, f"{cert.get('n_cells', '?')} cells")


def _guarded(replay, cert: dict, kind: str) -> CellsReplay:
    """``replay(cert, kind)``, with a malformed certificate (:class:`_Fail`) a failed replay."""
    try:
        return replay(cert, kind)
    except _Fail as exc:
        return CellsReplay(False, kind, len(cert.get("final", ())), 0, str(exc))


def _replay_cells(cert: dict, kind: str) -> CellsReplay:
    dens = _Density(cert["density"], cert["lo"], cert["hi"])
    cost = _Cost(cert["alpha"], cert["beta"], cert["delta"])
    n = int(cert["n_cells"])
    if n < 2:
        raise _Fail("n_cells must be at least 2")
    final = cert["final"]
    domain = ((dens.lo, dens.hi),) * (n - 1)
    bad = _check_structure(domain, final, {"bound", "single item", "top split"}, kind)
    if bad is not None:
        return bad
    p_lo, p_hi = (_q(x) for x in cert["pi1"])
    v_lo, v_hi = (_q(x) for x in cert["vstar"])
    if not (dens.lo <= v_lo <= v_hi <= dens.hi) or p_lo > p_hi:
        raise _Fail("pi1 / vstar must be rational intervals, vstar inside [lo, hi]")
    T, U1 = _single_item_range(dens, cost, v_lo, v_hi)
    target = min(T, p_lo)
    cells = _Cells(dens, cost)

    def bound(box):
        od = _ordered(box, dens.lo, dens.hi)
        if od is None:
            return ""
        m, vb, S = cells.pieces(*od)
        u = cells.upper(m, vb, S)
        return "" if u < target else f"U <= {_show(u)} is not below Pi_1* >= {_show(target)}"

    def single(box):
        od = _ordered(box, dens.lo, dens.hi)
        if od is None:
            return ""
        m, vb, S = cells.pieces(*od)
        for k in range(n - 1):
            if not cells.excluded(m, vb, S, k):
                return f"cell {k} below the top is not certainly excluded (phi_k <= c'(0))"
        return ""

    def top(box):
        od = _ordered(box, dens.lo, dens.hi)
        if od is None:
            return ""
        m, vb, S = cells.pieces(*od)
        for k in range(n - 2):
            if not cells.excluded(m, vb, S, k):
                return f"cell {k} below the top two is not certainly excluded"
        L, H = od
        A = (L[n - 2], H[n - 2])            # t_{n-2} (= lo when n == 2)
        B = (L[n - 1], dens.hi)             # t_{n-1} up to hi
        h = cells.h_lower(A, B)
        if h is None:
            return "h(a, b) has no finite lower bound (an empty middle cell, or c'^{-1} not real)"
        return "" if h >= 0 else f"h(a, b) >= 0 not confirmed (lower bound {_show(h)})"

    tests = {"bound": bound, "single item": single, "top split": top}
    ok, pieces, why, box = _check_boxes(final, tests, dens.lo, dens.hi)
    if not ok:
        return CellsReplay(False, kind, len(final), pieces, why, box)
    if p_hi < T or p_lo > U1:
        return CellsReplay(False, kind, len(final), pieces,
                           f"the given Pi_1* in [{p_lo}, {p_hi}] misses the single-item profit near v*, which lies "
                           f"in [{_show(T)}, {_show(U1)}]")
    return CellsReplay(True, kind, len(final), pieces)


# ----------------------------------------------------------------------------- inventory: R = P/Q
def _horner(p: fmpq_poly, x):
    """``p(x)`` for an ``fmpq_mpoly`` (or rational) ``x``."""
    acc = None
    for c in reversed(p.coeffs()):
        acc = c if acc is None else acc * x + c
    return fmpq(0) if acc is None else acc


def _divided(p: fmpq_poly, x, y):
    """``(p(y) - p(x))/(y - x)`` as a polynomial in ``x, y`` (exact divided difference)."""
    out = None
    coeffs = p.coeffs()
    for k in range(1, len(coeffs)):
        if coeffs[k] == 0:
            continue
        s = None
        for i in range(k):
            term = x ** i * y ** (k - 1 - i)
            s = term if s is None else s + term
        out = coeffs[k] * s if out is None else out + coeffs[k] * s
    return out if out is not None else x * 0


class _Inventory:
    """The fixed-inventory revenue (module docstring, "Inventory") in ``r`` cutoffs."""

    def __init__(self, dens: _Density, quantile, r: int):
        self.dens, self.r = dens, r
        if not dens.lo >= 0:
            raise _Fail("the inventory replay needs values >= 0 (lo >= 0)")
        self.Ginv = fmpq_poly([_q(c) for c in quantile])
        if self.Ginv.degree() >= 1 and not _nonnegative_on(self.Ginv.derivative(), fmpq(0), fmpq(1)):
            raise _Fail("G^-1 is not certified nondecreasing on [0, 1]")
        if not self.Ginv(fmpq(0)) >= 0:
            raise _Fail("G^-1(0) < 0")
        self.J = _integral(self.Ginv)(dens.F)           # J = I o F
        self.GF = self.Ginv(dens.F)                      # G^-1 o F
        self.ctx = fmpq_mpoly_ctx.get(tuple(f"t{i}" for i in range(r)), "lex")
        self.gens = self.ctx.gens()
        self.P, self.Q = self.rational(list(self.gens))
        self.dP = [self.P.derivative(i) for i in range(r)]
        self.dQ = [self.Q.derivative(i) for i in range(r)]
        self.grad = [self.dP[i] * self.Q - self.P * self.dQ[i] for i in range(r)]   # d_i R = grad_i / Q^2
        self._kinds: dict = {}   # monomial -> 0 constant, 1 all exponents even, 2 otherwise

    def rational(self, cuts):
        """``(P, Q)`` with ``R = P/Q`` for the cutoffs ``cuts`` (mpolys of this context)."""
        d = self.dens
        one = self.gens[0] * 0 + 1
        ends = list(cuts) + [one * d.hi]
        D, Jt, Mt, S = [], [], [], []
        for x, y in zip(ends[:-1], ends[1:]):
            D.append(_divided(d.F, x, y))
            Jt.append(_divided(self.J, x, y))
            Mt.append(_divided(d.W, x, y))
            S.append(1 - _horner(d.F, x))
        n = len(D)
        Q = one
        for Dk in D:
            Q = Q * Dk * Dk
        P = one * 0
        for k in range(n):
            if k == 0:
                num = Jt[0] * Mt[0] * S[0]
                rest = one
                for j in range(1, n):
                    rest = rest * D[j] * D[j]
            else:
                num = (Jt[k] * D[k - 1] - Jt[k - 1] * D[k]) * Mt[k] * S[k]
                rest = D[k - 1]
                for j in range(n):
                    if j not in (k, k - 1):
                        rest = rest * D[j] * D[j]
            P = P + num * rest
        return P, Q

    def value(self, pt) -> fmpq:
        q = self.Q(*pt)
        if q == 0:
            raise _Fail(f"the revenue's denominator vanishes at {pt}")
        return self.P(*pt) / q

    def range(self, p, box) -> tuple[fmpq, fmpq]:
        """Exact enclosure of the polynomial ``p`` on ``box`` (Taylor form at the centre)."""
        # p(m + r u) for u in [-1, 1]^n: the coefficients already carry r^alpha
        shifted = p.compose(*[(a + b) / 2 + (b - a) / 2 * g for g, (a, b) in zip(self.gens, box)])
        lo = hi = fmpq(0)
        kinds = self._kinds
        for exps, c in zip(shifted.monoms(), shifted.coeffs()):
            kind = kinds.get(exps)
            if kind is None:
                kind = kinds[exps] = 0 if not any(exps) else 1 if not any(e & 1 for e in exps) else 2
            if kind == 0:
                lo += c
                hi += c
            elif kind == 1:
                if c > 0:
                    hi += c
                else:
                    lo += c
            else:
                c = abs(c)
                lo -= c
                hi += c
        return lo, hi

    def qbar(self, x: fmpq, y: fmpq) -> fmpq:
        if x == y:
            return self.GF(x)
        d = self.dens
        return (self.J(y) - self.J(x)) / (d.F(y) - d.F(x))

    def monotone_upper(self, L, H) -> fmpq:
        """Upper bound of the revenue from exact monotone ranges of the cell pieces (``L, H``
        from :func:`_ordered`, index 0 = ``lo`` unused: cells ``[t_k, t_{k+1}]``, k = 1..r)."""
        d = self.dens
        total = fmpq(0)
        prev = (fmpq(0), fmpq(0))
        for k in range(1, self.r + 1):
            qb = (self.qbar(L[k], L[k + 1]), self.qbar(H[k], H[k + 1]))
            inc_hi = qb[1] - prev[0]
            vb_hi = d.mean(H[k], H[k + 1])
            S_hi = 1 - d.F(L[k])
            total += max(inc_hi, fmpq(0)) * vb_hi * S_hi
            prev = qb
        return total


def replay_inventory(cert: dict) -> CellsReplay:
    """Replay an ``inventory_optimum`` certificate (keys in the module docstring): tiling, outside
    boxes, the revenue at ``x0``, and every box of the 2-item (``bound``, ``concave``) or 3-item
    (``bound``, ``merge top``, ``merge middle``, ``merge bottom``) search."""
    return _guarded(_replay_inventory, cert, f"inventory, at most {cert.get('items', '?')} items")


def _replay_inventory(cert: dict, kind: str) -> CellsReplay:
    r = int(cert["items"])
    if r not in (2, 3):
        raise _Fail("items must be 2 or 3")
    final = cert["final"]
    rules = {"bound", "concave"} if r == 2 else {"bound", "merge top", "merge middle", "merge bottom"}
    lo, hi = _q(cert["lo"]), _q(cert["hi"])
    bad = _check_structure(((lo, hi),) * r, final, rules, kind)
    if bad is not None:
        return bad
    dens = _Density(cert["density"], lo, hi)
    x0 = tuple(_q(x) for x in cert["x0"])
    rev, target = _q(cert["revenue"]), _q(cert["target"])
    got = _Inventory(dens, cert["quantile"], 2).value(x0)
    if got != rev:
        raise _Fail(f"the revenue at x0 is {_show(got)}, not the given {_show(rev)}")
    if not rev <= target:
        raise _Fail("the target is below the revenue at x0")
    tests = _inventory_rule_tests(cert)
    ok, pieces, why, box = _check_boxes(final, tests, lo, hi)
    if not ok:
        return CellsReplay(False, kind, len(final), pieces, why, box)
    return CellsReplay(True, kind, len(final), pieces)


def _check_boxes(final, tests, lo: fmpq, hi: fmpq):
    """Every settled box confirmed by its rule's test: ``(ok, checks, reason, failing box)``."""
    pieces = 0
    covers: dict = {}
    for bx, rule, _ in final:
        if rule == "outside":
            continue
        box = tuple((_q(a), _q(b)) for a, b in bx)
        # first the aligned dyadic cube of twice the box's width that contains it (every rule's claim
        # on a larger box implies it on the box; one check then serves the box's neighbours too)
        cover = _cover(box, lo, hi)
        if cover is not None:
            key = (rule, cover)
            if key not in covers:
                pieces += 1
                covers[key] = not tests[rule](cover)
            if covers[key]:
                continue
        ok, k, why = _confirm(tests[rule], box)
        pieces += k
        if not ok:
            return False, pieces, f"rule {rule!r}: {why}", box
    return True, pieces, "", None


def _cover(box, lo: fmpq, hi: fmpq):
    """The cube of side ``2 w`` (``w`` the box's widest side), aligned on the dyadic grid of
    ``[lo, hi]``, that contains the box; None if there is none (or it would leave the domain)."""
    side = 2 * max(b - a for a, b in box)
    if side > hi - lo:
        return None
    out = []
    for a, b in box:
        k = _floor((a - lo) / side)
        c0 = lo + k * side
        if b > c0 + side or c0 + side > hi:
            return None
        out.append((c0, c0 + side))
    return tuple(out)


def _inventory_rule_tests(cert: dict) -> dict:
    """The per-box tests of an inventory certificate: rule name -> ``test(box) -> '' or the reason``."""
    dens = _Density(cert["density"], cert["lo"], cert["hi"])
    r = int(cert["items"])
    inv = _Inventory(dens, cert["quantile"], r)
    target = _q(cert["target"])
    x0 = tuple(_q(x) for x in cert["x0"])

    # the compared value rounded down to 2^-64 (a smaller target only makes each check harder):
    # exact revenues at 2^-100 points have huge denominators that would slow every range
    t_cmp = _down(target, 64)
    diff = inv.P - t_cmp * inv.Q

    def positive_q(box) -> bool:
        return inv.range(inv.Q, box)[0] > 0

    def bound(box):
        od = _ordered(box, dens.lo, dens.hi)
        if od is None:
            return ""
        if inv.monotone_upper(*od) < t_cmp:
            return ""
        if positive_q(box) and inv.range(diff, box)[1] < 0:
            return ""
        return "R < target not confirmed (monotone ranges and Taylor form of P - target Q)"

    def concave(box):
        if not positive_q(box):
            return "Q > 0 not confirmed on the box"
        h11 = inv.range(inv.hess[0][0], box)
        h22 = inv.range(inv.hess[1][1], box)
        h12 = inv.range(inv.hess[0][1], box)
        if not (h11[1] <= 0 and h22[1] <= 0 and h11[1] * h22[1] >= max(h12[0] ** 2, h12[1] ** 2)):
            return "the Hessian is not certified negative semidefinite on the box"
        inside = all(a <= v <= b for v, (a, b) in zip(x0, box))
        c = x0 if inside else tuple((a + b) / 2 for a, b in box)
        qc = inv.Q(*c)
        up = inv.P(*c) / qc
        for i, (a, b) in enumerate(box):
            up += abs(inv.grad[i](*c) / (qc * qc)) * max(c[i] - a, b - c[i])
        return "" if up <= target else f"tangent-plane bound {_show(up)} above the target"

    if r == 2:
        P, Q = inv.P, inv.Q
        dPQ = inv.grad
        hess = [[None, None], [None, None]]
        for i in range(2):
            for j in range(i, 2):
                Pij = inv.dP[i].derivative(j)
                Qij = inv.dQ[i].derivative(j)
                hess[i][j] = (Pij * Q + inv.dP[i] * inv.dQ[j] - inv.dP[j] * inv.dQ[i] - P * Qij) * Q \
                    - 2 * inv.dQ[j] * dPQ[i]
        hess[1][0] = hess[0][1]
        inv.hess = hess
        return {"bound": bound, "concave": concave}
    return _three_item_tests(inv, bound)


def _three_item_tests(inv: _Inventory, bound):
    """The rules of the 3-item search (module docstring), after the identities that let an emptied
    cell be merged are checked as exact polynomial identities."""
    a, b, c = inv.gens
    d = inv.dens
    hi = d.hi
    P4, Q4 = inv.P, inv.Q

    def r3(x, y):
        return inv.rational([x, y])

    def at(p, x, y, z):
        return p.compose(x, y, z)

    def same(lhs, rhs, what):
        if lhs != rhs:
            raise _Fail(f"the identity {what} does not hold (revenue of an emptied cell)")

    one = a * 0 + 1
    # (i) c = hi empties the top cell: R_4(a, b, hi) = R_3(a, b)
    P3, Q3 = r3(a, b)
    top = one * hi
    same(at(P4, a, b, top) * Q3, P3 * at(Q4, a, b, top), "R_4(a, b, hi) = R_3(a, b)")

    def gap_check(x, y, z, pair, cell, weight, what):
        """R_3(pair) - R_4(x, y, z) = weight * (M~ - e D)/D (a nonnegative quantity, module docstring)."""
        P3_, Q3_ = r3(*pair)
        P4_, Q4_ = at(P4, x, y, z), at(Q4, x, y, z)
        u, v, e = cell
        D = _divided(d.F, u, v)
        Mt = _divided(d.W, u, v)
        lhs = (P3_ * Q4_ - P4_ * Q3_) * D
        rhs = weight * (Mt - e * D) * Q3_ * Q4_
        same(lhs, rhs, what)

    S = lambda x: 1 - _horner(d.F, x)           # noqa: E731
    GF = lambda x: _horner(inv.GF, x)            # noqa: E731
    # (ii) b = c empties the middle cell: R_3(a, c) - R_4(a, c, c) = (G^-1(F(c)) - qbar(a, c)) (vbar(c, hi) - c) S(c)
    Dac, Jac = _divided(d.F, a, c), _divided(inv.J, a, c)
    P3ac, Q3ac = r3(a, c)
    P4acc, Q4acc = at(P4, a, c, c), at(Q4, a, c, c)
    Dc, Mc = _divided(d.F, c, top), _divided(d.W, c, top)
    same((P3ac * Q4acc - P4acc * Q3ac) * Dac * Dc, (GF(c) * Dac - Jac) * (Mc - c * Dc) * S(c) * Q3ac * Q4acc,
         "R_3(a, c) - R_4(a, c, c) = (G^-1(F(c)) - qbar(a, c))(vbar(c, hi) - c) S(c)")
    # (iii) a = b empties the bottom cell: R_3(b, c) - R_4(b, b, c) = G^-1(F(b)) (vbar(b, c) - b) S(b)
    gap_check(b, b, c, (b, c), (b, c, b), GF(b) * S(b), "R_3(b, c) - R_4(b, b, c) = G^-1(F(b))(vbar(b, c) - b) S(b)")
    # (iv) b = a: R_3(a, c) - R_4(a, a, c) = G^-1(F(a)) (vbar(a, c) - a) S(a)
    gap_check(a, a, c, (a, c), (a, c, a), GF(a) * S(a), "R_3(a, c) - R_4(a, a, c) = G^-1(F(a))(vbar(a, c) - a) S(a)")

    def monotone(box, i, sign) -> bool:
        """d R_4 / d x_i has the sign ``sign`` (+1: >= 0, -1: <= 0) on the box (Q > 0 there)."""
        if not inv.range(inv.Q, box)[0] > 0:
            return False
        lo_, hi_ = inv.range(inv.grad[i], box)
        return lo_ >= 0 if sign > 0 else hi_ <= 0

    def merge_top(box):
        A, B, C = box
        ext = (A, B, (C[0], hi))
        return "" if monotone(ext, 2, +1) else "dR_4/dc >= 0 up to c = hi not confirmed"

    def merge_middle(box):
        A, B, C = box
        ext = (A, (B[0], max(B[1], C[1])), C)
        return "" if monotone(ext, 1, +1) else "dR_4/db >= 0 up to b = c not confirmed"

    def merge_bottom(box):
        A, B, C = box
        if monotone(((A[0], max(A[1], B[1])), B, C), 0, +1):
            return ""
        if monotone((A, (min(A[0], B[0]), B[1]), C), 1, -1):
            return ""
        return "neither dR_4/da >= 0 up to a = b nor dR_4/db <= 0 down to b = a is confirmed"

    return {"bound": bound, "merge top": merge_top, "merge middle": merge_middle, "merge bottom": merge_bottom}
