"""Independent replay of the single-item branch-and-bound certificates (SWP Sec. 6, proof of
Theorem 3, (54)-(56); the top-two certificate of Fig. 2).

This module shares no code with the search that produced a certificate: it imports nothing from
the package (only :mod:`fractions` and python-flint's ``fmpq``), takes the certificate as plain data (exact rational box
corners, the rule that settled each box and the data it used, the signed polynomials as exact
rational coefficients) and re-verifies it with separately written bounds:

* **Tiling.**  The settled boxes must tile the domain exactly: recursively, a region is either
  one of the boxes, or some coordinate's midpoint separates the boxes inside it into two halves
  that are each re-checked (every box lies in one half; a box meeting no region, a gap, an overlap
  or a box beyond the domain is a failure).  Exact rationals throughout.
* **Sign claims.**  A claim ``p < 0`` (or ``<= 0``) on a box is re-verified by the *exact*
  rational Bernstein coefficients of ``p`` on the box (``p`` on the box is a convex combination
  of them: all negative => ``p < 0``), not by interval arithmetic.  A claim in *monotone form*
  (variables fixed at the end where ``p`` is largest) is replayed as: the partial derivative
  (differentiated here, exactly) has the stated sign on the whole box (Bernstein), and ``p`` with
  those variables substituted exactly is ``< 0`` / ``<= 0`` on the remaining face -- a polynomial
  that vanishes identically on that face substitutes to exactly zero, so faces where the compared
  profits are equal need no factorization.  A claim not confirmed on a box is halved at most
  :data:`MAX_SPLIT` times (each piece confirmed) before the box is rejected.
* **The polynomials.**  ``G~`` and ``D~`` (the certificate's data) are compared with the paper's
  (54)-(56) computed here from the density and the cost: at a grid of interior rational points,
  the two top items at the stationary increments of (54) minus the one top item, and the lower
  item's increment ``phi_1 - theta`` of (56), must have exactly the signs of ``G~`` and ``D~``.
  The feasibility polynomial and the combinations ``G~ + lam D~`` are rebuilt here, not read.

Returns a :class:`ReplayResult`: ok, or the first failing box with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import comb

from flint import fmpq, fmpq_poly

__all__ = ["ReplayResult", "replay_top_two", "replay_linear_family", "check_tiling", "sign_on_box", "MAX_SPLIT"]

MAX_SPLIT = 4           # a box whose claim is not confirmed may be halved this many times
MAX_REGIONS = 2_000_000  # bound on the tiling recursion

Poly = dict             # exponent tuple -> Fraction


@dataclass(frozen=True)
class ReplayResult:
    """Outcome of a replay: ``ok``, the number of boxes, the Bernstein pieces used, and on failure
    the first failing box and the reason."""

    ok: bool
    kind: str
    boxes: int
    pieces: int
    points: int
    problem: str = ""
    box: tuple | None = None

    def summary(self) -> str:
        if self.ok:
            return (f"replayed: {self.boxes} boxes tile the domain, every claim re-verified by exact Bernstein "
                    f"bounds ({self.pieces} pieces), polynomials matched against (54)-(56) at {self.points} "
                    "points, by singleitem.replay (independent code)")
        where = "" if self.box is None else f" at box {tuple((str(a), str(b)) for a, b in self.box)}"
        return f"replay FAILED{where}: {self.problem}"


# --------------------------------------------------------------------------- polynomials
def _fr(x) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, str):
        return Fraction(x)
    raise TypeError(f"not an exact rational: {x!r}")


def _poly(data) -> Poly:
    return {tuple(int(e) for e in k): _fr(v) for k, v in data.items() if v != 0}


def _eval(p: Poly, pt) -> Fraction:
    total = Fraction(0)
    for exps, c in p.items():
        term = c
        for x, e in zip(pt, exps):
            if e:
                term *= x ** e
        total += term
    return total


def _diff(p: Poly, k: int) -> Poly:
    out: Poly = {}
    for exps, c in p.items():
        e = exps[k]
        if e:
            key = exps[:k] + (e - 1,) + exps[k + 1:]
            out[key] = out.get(key, Fraction(0)) + c * e
    return {k_: v for k_, v in out.items() if v != 0}


def _substitute(p: Poly, k: int, x: Fraction) -> Poly:
    """``p`` with variable ``k`` replaced by the rational ``x`` (exponent 0 afterwards)."""
    out: Poly = {}
    for exps, c in p.items():
        key = exps[:k] + (0,) + exps[k + 1:]
        out[key] = out.get(key, Fraction(0)) + c * x ** exps[k]
    return {k_: v for k_, v in out.items() if v != 0}


def _add(p: Poly, q: Poly, lam: Fraction = Fraction(1)) -> Poly:
    out = dict(p)
    for k, v in q.items():
        out[k] = out.get(k, Fraction(0)) + lam * v
    return {k: v for k, v in out.items() if v != 0}


@lru_cache(maxsize=None)
def _to_bernstein(d: int) -> tuple:
    """Rows ``i``: the factors ``C(i, j)/C(d, j)`` (power basis on [0, 1] -> Bernstein, degree d)."""
    return tuple(tuple(fmpq(comb(i, j), comb(d, j)) for j in range(i + 1)) for i in range(d + 1))


def _bernstein(p: Poly, box) -> list:
    """Exact Bernstein coefficients of ``p`` on ``box`` (degrees: ``p``'s degree per variable), as
    ``fmpq``: per variable, each fibre ``a(x)`` becomes ``a(lo + w t)`` (exact composition) and is
    converted to the Bernstein basis of ``[0, 1]``."""
    n = len(box)
    if not p:
        return [fmpq(0)]
    deg = [max(exps[k] for exps in p) for k in range(n)]
    cur: dict = {k: fmpq(v.numerator, v.denominator) for k, v in p.items()}
    for k in range(n):
        lo, hi = box[k]
        lo_q = fmpq(lo.numerator, lo.denominator)
        w_q = fmpq((hi - lo).numerator, (hi - lo).denominator)
        d = deg[k]
        rows = _to_bernstein(d)
        sub = fmpq_poly([lo_q, w_q])
        fibres: dict = {}
        for exps, c in cur.items():
            rest = exps[:k] + exps[k + 1:]
            fibres.setdefault(rest, [fmpq(0)] * (d + 1))[exps[k]] += c
        nxt: dict = {}
        for rest, a in fibres.items():
            shifted = fmpq_poly(a)(sub)               # x = lo + w t
            t = [shifted[j] for j in range(d + 1)]
            for i, row in enumerate(rows):
                v = fmpq(0)
                for j, f in enumerate(row):
                    v += f * t[j]
                nxt[rest[:k] + (i,) + rest[k:]] = v
        cur = nxt
    return list(cur.values())


def _bernstein_ok(p: Poly, box, rel: str) -> bool:
    coeffs = _bernstein(p, box)
    if rel == "<":
        return all(c < 0 for c in coeffs)
    if rel == "<=":
        return all(c <= 0 for c in coeffs)
    if rel == ">=":
        return all(c >= 0 for c in coeffs)
    raise ValueError(f"unknown relation {rel!r}")


def _halves(box):
    k = max(range(len(box)), key=lambda j: box[j][1] - box[j][0])
    lo, hi = box[k]
    mid = (lo + hi) / 2
    return box[:k] + ((lo, mid),) + box[k + 1:], box[:k] + ((mid, hi),) + box[k + 1:]


def sign_on_box(p: Poly, box, rel: str, max_split: int = MAX_SPLIT) -> tuple[bool, int]:
    """Is ``p rel 0`` on the whole box (``rel`` in ``<``, ``<=``, ``>=``)?  Exact Bernstein bounds,
    the box halved at most ``max_split`` times.  Returns ``(confirmed, pieces used)``."""
    todo = [(tuple(box), 0)]
    pieces = 0
    while todo:
        b, level = todo.pop()
        pieces += 1
        if _bernstein_ok(p, b, rel):
            continue
        if level >= max_split or all(lo == hi for lo, hi in b):
            return False, pieces
        left, right = _halves(b)
        todo += [(left, level + 1), (right, level + 1)]
    return True, pieces


def _claim_on_box(p: Poly, box, rel: str, fix) -> tuple[bool, int, str]:
    """Replay one sign claim: plain (``fix`` all None) or in monotone form."""
    if all(f is None for f in fix):
        ok, n = sign_on_box(p, box, rel)
        return ok, n, "" if ok else f"Bernstein bounds do not confirm p {rel} 0 on the box"
    pieces = 0
    face = p
    reduced = list(box)
    for k, f in enumerate(fix):
        if f is None:
            continue
        if f not in ("lo", "hi"):
            return False, pieces, f"unknown monotone direction {f!r}"
        need = ">=" if f == "hi" else "<="
        ok, n = sign_on_box(_diff(p, k), box, need)
        pieces += n
        if not ok:
            return False, pieces, f"d p/d x{k} {need} 0 (monotone towards the {f} end) is not confirmed on the box"
        end = box[k][1] if f == "hi" else box[k][0]
        face = _substitute(face, k, end)
        reduced[k] = (end, end)
    ok, n = sign_on_box(face, tuple(reduced), rel)
    pieces += n
    return ok, pieces, "" if ok else f"p {rel} 0 not confirmed on the face {fix}"


# --------------------------------------------------------------------------- tiling
def check_tiling(domain, boxes) -> str:
    """Exact check that ``boxes`` (rational corners) tile ``domain``: '' when they do, else why."""
    dom = tuple((_fr(a), _fr(b)) for a, b in domain)
    items = [tuple((_fr(a), _fr(b)) for a, b in bx) for bx in boxes]
    for bx in items:
        if len(bx) != len(dom):
            return f"box {bx} has the wrong dimension"
        if any(not (d0 <= a < b <= d1) for (a, b), (d0, d1) in zip(bx, dom)):
            if any(a >= b for a, b in bx):
                return f"box {_txt(bx)} is empty or degenerate"
            return f"box {_txt(bx)} is not inside the domain {_txt(dom)}"
    stack = [(dom, items)]
    regions = 0
    while stack:
        regions += 1
        if regions > MAX_REGIONS:
            return "tiling check exceeded its region budget"
        region, inside = stack.pop()
        if not inside:
            return f"gap: no box covers the region {_txt(region)}"
        if len(inside) == 1 and inside[0] == region:
            continue
        if region in inside:
            return f"overlap: box {_txt(region)} overlaps another box"
        for k, (lo, hi) in enumerate(region):
            mid = (lo + hi) / 2
            left = [bx for bx in inside if bx[k][1] <= mid]
            right = [bx for bx in inside if bx[k][0] >= mid]
            if len(left) + len(right) == len(inside):
                stack.append((region[:k] + ((lo, mid),) + region[k + 1:], left))
                stack.append((region[:k] + ((mid, hi),) + region[k + 1:], right))
                break
        else:
            return f"the boxes in the region {_txt(region)} are not a bisection tiling (overlap or misaligned box)"
    return ""


def _txt(box) -> str:
    return "x".join(f"[{a}, {b}]" for a, b in box)


# --------------------------------------------------------------------------- top two (54)-(56)
class _Density:
    """``f(v) = sum_j c_j v^j`` on ``[lo, hi]``, exact: masses and first moments."""

    def __init__(self, coeffs, lo, hi):
        self.c = [_fr(x) for x in coeffs]
        self.lo, self.hi = _fr(lo), _fr(hi)

    def _prim(self, x: Fraction, shift: int) -> Fraction:
        return sum((c * x ** (j + 1 + shift) / (j + 1 + shift) for j, c in enumerate(self.c)), Fraction(0))

    def mass(self, x, y):
        return self._prim(y, 0) - self._prim(x, 0)

    def moment(self, x, y):
        return self._prim(y, 1) - self._prim(x, 1)


def _direct_top_two(dens: _Density, alpha: Fraction, beta: Fraction, e, z, s):
    """At ``(e, z, sigma)`` (interior): (gain of the two top items at the stationary increments of
    (54) over the one top item, the lower increment of (56) times beta), computed from the paper."""
    hi, L = dens.hi, dens.hi - dens.lo
    u = hi - e * L
    w = hi - z * e * L
    theta = u - e * L * s / (1 - s)
    m1, m2 = dens.mass(u, w), dens.mass(w, hi)
    M = m1 + m2
    v1, v2, v = dens.moment(u, w) / m1, dens.moment(w, hi) / m2, dens.moment(u, hi) / M
    # (54) with c(q_b + d) - c(q_b) = theta d + beta d^2/2 (the constant c(q_b) terms cancel against
    # the one-item menu): Pi(d1, d2) = M d1 v1 - m1 (theta d1 + beta d1^2/2) + m2 (d2 v2 - theta (d1 + d2)
    # - beta (d1 + d2)^2/2); stationary point of this concave quadratic:
    #   dPi/dd2 = m2 (v2 - theta - beta (d1 + d2)) = 0
    #   dPi/dd1 = M v1 - m1 (theta + beta d1) - m2 (theta + beta (d1 + d2)) = 0
    d12 = (v2 - theta) / beta                     # d1 + d2
    d1 = (M * v1 - m1 * theta - m2 * theta - m2 * beta * d12) / (m1 * beta)
    d2 = d12 - d1

    def pi_two(a, b):
        return M * a * v1 - m1 * (theta * a + beta * a * a / 2) + m2 * (b * v2 - theta * (a + b) - beta * (a + b) ** 2 / 2)

    d = (v - theta) / beta
    one = M * d * v - M * (theta * d + beta * d * d / 2)
    two = pi_two(d1, d2)
    return two - one, d1 * beta, two


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)


def _grid(n: int):
    return [Fraction(i, n + 1) for i in range(1, n + 1)]


def replay_top_two(cert: dict, *, grid: int = 5) -> ReplayResult:
    """Replay a top-two certificate (plain data, see :func:`top_two_certificate`'s ``data``).

    Keys: ``domain`` (``[0, 1]^3`` in ``(e, z, sigma)``), ``density`` (coefficients of ``f`` in
    ``v``), ``lo``, ``hi``, ``alpha``, ``beta``, ``lams``, ``polys`` (``G``, ``D``: exponent tuple
    -> rational), ``final`` (``(box, rule, data)`` for every settled box).  The statement: on the
    whole domain, ``feas < 0`` (theta below alpha) or ``D~ <= 0`` (no increment) or ``G~ < 0``
    (two items lose).
    """
    kind = "top-two"
    dens = _Density(cert["density"], cert["lo"], cert["hi"])
    alpha, beta = _fr(cert["alpha"]), _fr(cert["beta"])
    if beta <= 0:
        return ReplayResult(False, kind, 0, 0, 0, "beta must be positive")
    G, D = _poly(cert["polys"]["G"]), _poly(cert["polys"]["D"])
    lams = [_fr(x) for x in cert["lams"]]
    hi, L = dens.hi, dens.hi - dens.lo
    # feasibility theta >= alpha in blown-up coordinates, rebuilt here: (hi - e L - alpha)(1 - s) - e L s
    # = (hi - alpha) - e L - (hi - alpha) s  (the e L s terms cancel)
    feas = _poly({(0, 0, 0): hi - alpha, (1, 0, 0): -L, (0, 0, 1): alpha - hi})
    polys = {"feas": feas, "G": G, "D": D}
    allowed = {("feas", "<"): "infeasible", ("D", "<="): "no second item", ("G", "<"): "two items lose"}
    for i, lam in enumerate(lams):
        if lam <= 0:
            return ReplayResult(False, kind, 0, 0, 0, f"multiplier lam_{i} = {lam} must be > 0 for G~ + lam D~ <= 0 "
                                "to force G~ < 0 where D~ > 0")
        polys[f"C{i}"] = _add(G, D, lam)
        allowed[(f"C{i}", "<=")] = "combination"
    # the polynomials against (54)-(56), exactly at interior rational points
    points = 0
    for e in _grid(grid):
        for z in _grid(grid):
            for s in [Fraction(0)] + _grid(grid):
                gain, inc, _ = _direct_top_two(dens, alpha, beta, e, z, s)
                points += 1
                if _sign(_eval(G, (e, z, s))) != _sign(gain):
                    return ReplayResult(False, kind, 0, 0, points, f"G~ has the wrong sign at (e, z, sigma) = "
                                        f"({e}, {z}, {s}) against (54): {_sign(gain)}")
                if _sign(_eval(D, (e, z, s))) != _sign(inc):
                    return ReplayResult(False, kind, 0, 0, points, f"D~ has the wrong sign at (e, z, sigma) = "
                                        f"({e}, {z}, {s}) against (56): {_sign(inc)}")
    final = cert["final"]
    unit = ((Fraction(0), Fraction(1)),) * 3
    if tuple((_fr(a), _fr(b)) for a, b in cert["domain"]) != unit:
        return ReplayResult(False, kind, len(final), 0, points, "the domain must be [0, 1]^3 in (e, z, sigma) "
                            "(every lower end u, split w and theta in [alpha, u])")
    problem = check_tiling(unit, [bx for bx, _, _ in final])
    if problem:
        return ReplayResult(False, kind, len(final), 0, points, problem)
    pieces = 0
    for bx, rule, data in final:
        box = tuple((_fr(a), _fr(b)) for a, b in bx)
        if not isinstance(data, dict):
            return ReplayResult(False, kind, len(final), pieces, points, f"rule {rule!r} recorded no sign claim", box)
        key = (data.get("poly"), data.get("rel"))
        if allowed.get(key) != rule:
            return ReplayResult(False, kind, len(final), pieces, points,
                                f"rule {rule!r} does not follow from the recorded claim {key[0]} {key[1]} 0", box)
        fix = tuple(data.get("fix", (None,) * len(box)))
        if len(fix) != len(box):
            return ReplayResult(False, kind, len(final), pieces, points, "monotone data of the wrong length", box)
        ok, n, why = _claim_on_box(polys[key[0]], box, key[1], fix)
        pieces += n
        if not ok:
            return ReplayResult(False, kind, len(final), pieces, points, f"rule {rule!r}: {key[0]}: {why}", box)
    return ReplayResult(True, kind, len(final), pieces, points)


# --------------------------------------------------------------------------- Proposition 6's family
_LINEAR = _Density([Fraction(2), Fraction(-2)], 0, 1)     # L(v; 0, 1): density 2 (1 - v), normalized units


def _linear_direct(z: Fraction, kappa: Fraction):
    """(54) for the normalized family at ``(z, kappa)``: lower end 0, split ``1 - z``, marginal cost
    ``-kappa/3`` of the item below (values shifted by ``kappa/3``), ``beta = 1``.  Returns (gain over
    one item serving the whole region, lower increment d1, two-item profit)."""
    s = kappa / 3
    return _direct_top_two(_LINEAR, Fraction(0), Fraction(1), Fraction(1), z, s / (1 + s))


def _single_item_at_least(kappa: Fraction) -> Fraction:
    """The profit of one single top item sold above ``1 - z*`` (``z* = min(1, 3 (1 + s)/4)``,
    ``s = kappa/3``): ``z*^2 (1 - 2 z*/3 + s)^2/2`` -- attained, so a lower bound of the best single
    item at every ``kappa' >= kappa`` (each ``one(z)`` increases with ``kappa`` where ``1 - 2z/3 + s > 0``)."""
    s = kappa / 3
    z = min(Fraction(1), 3 * (1 + s) / 4)
    if not 1 - 2 * z / 3 + s > 0:
        raise ValueError("single item with a non-positive shifted mean")
    return z * z * (1 - 2 * z / 3 + s) ** 2 / 2


def _two_below(num: Poly, den: Poly, box, b: Fraction) -> tuple[bool, int, str]:
    """``num/den < b`` on the box (variables ``(z, kappa)``): ``den`` of one strict sign (Bernstein),
    then ``b den - num < 0`` (den < 0) or ``num - b den < 0`` (den > 0) by Bernstein."""
    bden = {k: b * v for k, v in den.items()}
    neg, n1 = sign_on_box(den, box, "<")
    if neg:
        ok, n2 = sign_on_box(_add(bden, num, Fraction(-1)), box, "<")
        return ok, n1 + n2, "" if ok else f"two < {b} not confirmed (den < 0)"
    pos, n2 = sign_on_box({k: -v for k, v in den.items()}, box, "<")
    if pos:
        ok, n3 = sign_on_box(_add(num, bden, Fraction(-1)), box, "<")
        return ok, n1 + n2 + n3, "" if ok else f"two < {b} not confirmed (den > 0)"
    return False, n1 + n2, "the denominator of the two-item profit has no certified sign on the box"


def replay_linear_family(cert: dict, *, grid: int = 6) -> ReplayResult:
    """Replay Proposition 6's certificates (``kappa >= 0`` in ``(z, t)``, ``kappa = t/(1 - t)``, and
    ``kappa`` in ``[-3/2, 0]`` in ``(z, kappa)``).  Statement: for every split ``z`` in ``(0, 1)`` with
    a positive increment ``d1 > 0``, two top items earn strictly less than a single top item.

    Keys: ``part`` (``"kappa>=0"`` or ``"kappa<0"``), ``polys`` (``G``, ``D`` in ``(z, t)`` for the
    first; ``d1num`` in ``(z, kappa)`` for the second), ``lams``, ``two_num``/``two_den`` (the
    two-item profit ``num/den`` in ``(z, kappa)``), ``final``.  Rules: ``no second item``
    (``D~ <= 0``, resp. ``d1num >= 0``), ``two items lose`` (``G~ < 0``), ``combination``
    (``G~ + lam D~ <= 0``, ``lam > 0``), ``bound`` (``two < `` a single item's profit at ``kappa_lo``).
    """
    part = cert["part"]
    kind = f"prop6 {part}"
    num, den = _poly(cert["two_num"]), _poly(cert["two_den"])
    polys = {k: _poly(v) for k, v in cert["polys"].items()}
    positive = part == "kappa>=0"
    if positive:
        domain = ((Fraction(0), Fraction(1)),) * 2
    elif part == "kappa<0":
        domain = ((Fraction(0), Fraction(1)), (Fraction(-3, 2), Fraction(0)))
    else:
        return ReplayResult(False, kind, 0, 0, 0, f"unknown part {part!r}")
    allowed = {}
    if positive:
        allowed = {("D", "<="): "no second item", ("G", "<"): "two items lose"}
        for i, lam in enumerate(_fr(x) for x in cert["lams"]):
            if lam <= 0:
                return ReplayResult(False, kind, 0, 0, 0, f"multiplier lam_{i} = {lam} must be > 0")
            polys[f"C{i}"] = _add(polys["G"], polys["D"], lam)
            allowed[(f"C{i}", "<=")] = "combination"
    # the data against (54) at rational points
    points = 0
    for z in _grid(grid):
        for c in _grid(grid):
            kappa = c / (1 - c) if positive else -Fraction(3, 2) * c
            gain, d1, two = _linear_direct(z, kappa)
            points += 1
            if _eval(den, (z, kappa)) == 0 or _eval(num, (z, kappa)) / _eval(den, (z, kappa)) != two:
                return ReplayResult(False, kind, 0, 0, points, f"the two-item profit differs from (54) at "
                                    f"(z, kappa) = ({z}, {kappa})")
            if positive:
                if _sign(_eval(polys["G"], (z, c))) != _sign(gain) or _sign(_eval(polys["D"], (z, c))) != _sign(d1):
                    return ReplayResult(False, kind, 0, 0, points, f"G~ or D~ has the wrong sign at (z, t) = "
                                        f"({z}, {c}) against (54)-(56)")
            elif _sign(_eval(polys["d1num"], (z, kappa))) != -_sign(d1):
                return ReplayResult(False, kind, 0, 0, points, f"d1num is not of the sign of -d1 at "
                                    f"(z, kappa) = ({z}, {kappa})")
    final = cert["final"]
    problem = check_tiling(domain, [bx for bx, _, _ in final])
    if problem:
        return ReplayResult(False, kind, len(final), 0, points, problem)
    pieces = 0
    for bx, rule, data in final:
        box = tuple((_fr(a), _fr(b)) for a, b in bx)
        if rule == "bound":
            (z0, z1), (c0, c1) = box
            if positive:
                if c1 >= 1:
                    return ReplayResult(False, kind, len(final), pieces, points, "bound used at kappa = infinity", box)
                kbox = (box[0], (c0 / (1 - c0), c1 / (1 - c1)))
            else:
                kbox = box
            ok, n, why = _two_below(num, den, kbox, _single_item_at_least(kbox[1][0]))
        elif not positive and rule == "no second item":
            ok, n = sign_on_box(polys["d1num"], box, ">=")
            why = "" if ok else "d1num >= 0 not confirmed"
        elif isinstance(data, dict):
            key = (data.get("poly"), data.get("rel"))
            if allowed.get(key) != rule:
                return ReplayResult(False, kind, len(final), pieces, points,
                                    f"rule {rule!r} does not follow from the recorded claim {key[0]} {key[1]} 0", box)
            ok, n, why = _claim_on_box(polys[key[0]], box, key[1], tuple(data.get("fix", (None, None))))
        else:
            return ReplayResult(False, kind, len(final), pieces, points, f"rule {rule!r} is not replayable here", box)
        pieces += n
        if not ok:
            return ReplayResult(False, kind, len(final), pieces, points, f"rule {rule!r}: {why}", box)
    return ReplayResult(True, kind, len(final), pieces, points)
