"""Certified enclosures of ``limsup`` and ``liminf`` of ``E(f1)`` as ``f1 -> 0`` (SWP Sec. 5, Theorem 2).

Bergemann, Heumann & Morris, *Screening with persuasion*, Sec. 5 ((36), (37), Lemma 2) and the
proof of Theorem 2 ((49), (51), Lemma 8).  ``E(f1)`` is the entropy of the critical distribution
(every (36) binding, first atom ``f1``), ``S`` the hazard map of (37).

Backward-orbit representation
-----------------------------
Take the fundamental domain ``D = [a, b]`` of ``S`` with ``b = 3/10`` and ``a = S^{-1}(b) =
(b/(1-b))^2 = 9/49``: every ``f1 in (0, b)`` is ``x_m(y) = S^{-m}(y)`` for exactly one ``y in [a, b)``
and ``m >= 0``.  By the chain rule ``E(x_m) = H(x_m) + (1 - x_m) E(x_{m-1})`` ((51)), so along one
backward orbit

    E(x_n) = sum_{j=1..n} H(x_j) prod_{i=j+1..n} (1 - x_i) + P_n(y) E(y),   P_n = prod_{i<=n} (1 - x_i),

and ``E~(y) = lim_m E(x_m(y))`` exists: the increments ``H(x_{m+1}) - x_{m+1} E(x_m)`` are
``>= 0`` (below) and ``<= H(x_{m+1})``, which is summable.  Hence

* ``E(x_n(y)) <= E~(y) <= E(x_n(y)) + sum_{m>n} H(x_m(y)) <= E(x_n(y)) + 2 H(x_{n+1}(y))`` once
  ``x_{n+1} <= 2^-8`` (then ``x_{m+1} <= 2 x_m^2`` and ``H(x_{m+1}) <= H(x_m)/2``);
* ``limsup_{f1->0} E(f1) = max_D E~`` and ``liminf = min_D E~`` (the tails are uniform in ``y``);
* ``sup_{f1} E(f1) = limsup``: for ``f1 >= b`` every hazard of the orbit is ``>= b`` (``b < x*``),
  so ``E(f1) = sum_k f_k H(h_k)/h_k <= H(b)/b`` (``H(x)/x`` decreases, ``sum f_k = 1``), certified
  ``< limsup``; for ``f1 < b`` the increments are ``>= 0``: ``E(y) <= H(a)/a`` (hazards ``>= a``)
  ``<= H(x_1)/x_1`` (``x_1 <= a``), and ``E(x_j) <= H(x_j)/x_j <= H(x_{j+1})/x_{j+1}`` carries over
  because ``E(x_{j+1})`` is a convex combination of ``E(x_j)`` and ``H(x_{j+1})/x_{j+1}``.  So
  ``E(f1) <= E~(y) <= max E~``.

Forward part: ``E(y) = sum_{k<=K} M_k H(h_k) + M_{K+1} E(h_{K+1})`` with ``h_1 = y``, ``h_{k+1} =
S(h_k)``, ``M_k = prod_{j<k} (1 - h_j)``.  The hazards after ``K`` lie between ``h_{K+1}`` and the
fixed point ``x* = (3 - sqrt 5)/2``, so ``E(h_{K+1})`` lies between ``H(hmax)/hmax`` and
``H(hmin)/hmin``, as does ``c* = E(x*) = H(x*)/x*``: we differentiate ``M_{K+1} c*`` and bound the
rest, ``|E(h_{K+1}) - c*| <= H(hmin)/hmin - H(hmax)/hmax`` (about ``0.31^K``).

Interval branch-and-bound
-------------------------
``F(y)``, the differentiable part, is evaluated with second-order jets (value, first and
second derivative) in python-flint ``arb``: at the midpoint ``m`` of a box (thin ball) and over
the whole box (for ``F''``).  On a box of radius ``r`` Taylor's theorem with the Lagrange
remainder gives ``F(y) <= F(m) + F'(m) t + c t^2 / 2`` with ``c >= sup_box F''``; the maximum of
that quadratic over ``|t| <= r`` is taken exactly (interior vertex ``g^2/(2|c|)`` when ``c < 0``
and ``|g| <= |c| r`` is not certified false, else the endpoint).  The search keeps the box with
the largest upper bound, splits it, and stops when that bound is within the target width of
the best certified point value.  Every comparison is an ``arb`` comparison; an undecided one
only makes a bound looser.

Claimed bounds are rounded outward to multiples of ``2^-46`` plus one unit, so an independent
replayer (:mod:`.entropy_replay`, which shares no code with this module) can re-verify each box.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb, ctx, fmpq

from ..exceptions import InputError

__all__ = ["DOMAIN_A", "DOMAIN_B", "N_BACK", "N_FWD", "PhaseCertificate", "phase_search",
           "phase_value", "MIN_PREC", "MAX_PREC"]

DOMAIN_B = Fraction(3, 10)
DOMAIN_A = (DOMAIN_B / (1 - DOMAIN_B)) ** 2          # S^{-1}(3/10) = 9/49
N_BACK = 6                                            # backward steps x_1..x_6; x_7 <= 2e-41
N_FWD = 30                                            # forward hazards h_1..h_30
CLAIM_BITS = 46                                       # claims are multiples of 2^-46
MIN_PREC, MAX_PREC = 24, 2000
INITIAL_BOXES = 32
MAX_BOXES = 10**6
MIN_WIDTH = Fraction(1, 10**13)


class _prec:
    def __init__(self, bits: int):
        self.bits = bits

    def __enter__(self):
        self.old = ctx.prec
        ctx.prec = self.bits

    def __exit__(self, *exc):
        ctx.prec = self.old


def _ball(q: Fraction) -> arb:
    return arb(fmpq(q.numerator, q.denominator))


def _hull(lo: Fraction, hi: Fraction) -> arb:
    return _ball(lo).union(_ball(hi))


def _exact(a: arb) -> Fraction:
    m, e = a.man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2 ** (-e))


class _Jet:
    """``(f, f', f'')`` of a function of ``y`` at a point or over a box (arb entries)."""

    __slots__ = ("v", "d", "dd")

    def __init__(self, v, d, dd):
        self.v, self.d, self.dd = v, d, dd

    def __add__(self, o):
        if isinstance(o, _Jet):
            return _Jet(self.v + o.v, self.d + o.d, self.dd + o.dd)
        return _Jet(self.v + o, self.d, self.dd)

    def __mul__(self, o):
        if isinstance(o, _Jet):
            return _Jet(self.v * o.v, self.d * o.v + self.v * o.d,
                        self.dd * o.v + 2 * self.d * o.d + self.v * o.dd)
        return _Jet(self.v * o, self.d * o, self.dd * o)

    def one_minus(self):
        return _Jet(1 - self.v, -self.d, -self.dd)

    def recip(self):
        iv = 1 / self.v
        return _Jet(iv, -self.d * iv * iv, (2 * self.d * self.d * iv - self.dd) * iv * iv)

    def sqrt(self):
        s = self.v.sqrt()
        return _Jet(s, self.d / (2 * s), self.dd / (2 * s) - self.d * self.d / (4 * s * s * s))

    def log(self):
        q = self.d / self.v
        return _Jet(self.v.log(), q, self.dd / self.v - q * q)


def _entropy(x: _Jet, ln2: arb) -> _Jet:
    """Binary entropy in bits, ``H(x) = -(x ln x + (1-x) ln(1-x))/ln 2``."""
    y = x.one_minus()
    return (x * x.log() + y * y.log()) * (-1 / ln2)


def _g(x: arb, ln2: arb) -> arb:
    """``H(x)/x`` for a thin ball ``x`` in (0, 1)."""
    return -(x * x.log() + (1 - x) * (1 - x).log()) / (ln2 * x)


def _backward_point(x: arb) -> arb:
    """``S^{-1}(x) = (1/(1/x - 1))^2`` on a thin ball."""
    t = 1 / (1 / x - 1)
    return t * t


def _phase_jet(y: _Jet, ln2: arb, cstar: arb, ends: tuple[arb, arb] | None = None):
    """``F(y)`` (differentiable part of ``E~``) and the balls the tail bounds need.

    Over a box (``ends`` = its end points as thin balls) the values ``x_j`` of the backward
    orbit are replaced by the hull of their values at the two ends (``S^{-1}`` is increasing):
    their relative spread doubles at each step, which a midpoint-radius ball cannot follow.
    """
    xs = [y]
    lo, hi = ends if ends is not None else (None, None)
    for _ in range(N_BACK + 1):                       # x_{j+1} = 1/(1/x_j - 1), squared
        t = (xs[-1].recip() + (-1)).recip()
        nxt = t * t
        if ends is not None:
            lo, hi = _backward_point(lo), _backward_point(hi)
            nxt = _Jet(lo.union(hi), nxt.d, nxt.dd)
        xs.append(nxt)
    back, P = _Jet(arb(0), arb(0), arb(0)), _Jet(arb(1), arb(0), arb(0))
    for j in range(N_BACK, 0, -1):
        back = back + P * _entropy(xs[j], ln2)
        P = P * xs[j].one_minus()
    fwd, M, h = _Jet(arb(0), arb(0), arb(0)), _Jet(arb(1), arb(0), arb(0)), y
    for _ in range(N_FWD):
        fwd = fwd + M * _entropy(h, ln2)
        M = M * h.one_minus()
        h = (h.sqrt() + 1).recip().one_minus()        # S(h) = 1 - 1/(1 + sqrt h)
    fwd = fwd + M * cstar
    return back + P * fwd, xs[N_BACK + 1].v, h.v, (P.v * M.v)


def _tail(x_next: arb, h_next: arb, pm: arb, xstar: arb, cstar: arb, ln2: arb) -> tuple[arb, arb]:
    """``[lo, hi]`` with ``E~(y) - F(y)`` in it (backward tail and forward remainder)."""
    xu = arb(x_next.upper())
    if not xu <= arb(1) / 256:
        raise InputError(f"entropy phase: x_(n+1) is not certified <= 2^-8 (n = {N_BACK})")
    back_hi = 2 * _g(xu, ln2) * xu                               # 2 H(x_(n+1)) at the upper end
    hmin = h_next.lower() if h_next.lower() < xstar.lower() else xstar.lower()
    hmax = h_next.upper() if h_next.upper() > xstar.upper() else xstar.upper()
    gmax, gmin = _g(arb(hmin), ln2), _g(arb(hmax), ln2)          # H(x)/x decreases
    pmu = arb(pm.upper())
    lo = pmu * (gmin - cstar).lower()
    hi = pmu * (gmax - cstar).upper()
    lo = lo if lo < 0 else arb(0)
    hi = hi if hi > 0 else arb(0)
    return arb(lo.lower()), arb((hi + back_hi).upper())


def _quad_max(g: arb, c: arb, r: arb) -> arb:
    """Upper bound of ``max_{|t|<=r} (g t + c t^2/2)`` for every ``g`` in the ball and ``c`` the ball's upper end."""
    cu = arb(c.upper())
    ga = arb(abs(g).upper())
    if cu < 0:
        if ga >= -cu * r:                                        # vertex outside: endpoint
            return ga * r + cu * r * r / 2
        return ga * ga / (-2 * cu)                               # the unconstrained max bounds both cases
    cpos = cu if cu > 0 else arb(0)
    return ga * r + cpos * r * r / 2


@dataclass
class _Box:
    lo: Fraction
    hi: Fraction
    upper: arb          # bound in the search's orientation (Ẽ for sup, -Ẽ for inf)
    point: arb          # certified value at the midpoint, same orientation, lower end


def _round_up(x: arb) -> Fraction:
    s = 2**CLAIM_BITS
    u = _exact(arb(x.upper()))
    return Fraction(-((-u.numerator * s) // u.denominator) + 1, s)


def _round_down(x: arb) -> Fraction:
    s = 2**CLAIM_BITS
    u = _exact(arb(x.lower()))
    return Fraction((u.numerator * s) // u.denominator - 1, s)


@dataclass(frozen=True)
class PhaseCertificate:
    """A certified enclosure of ``max_D E~`` (``kind="sup"``) or ``min_D E~`` (``kind="inf"``).

    ``boxes``: ``(lo, hi, bound)`` covering ``[a, b]``; the claim is ``E~ <= bound`` on the box
    (sup) or ``E~ >= bound`` (inf).  ``witness``/``witness_bound``: ``E~(witness) >= bound`` (sup)
    or ``<= bound`` (inf).  The enclosure is ``[lower, upper]``.  ``target_met`` is False when the
    box budget ran out first (the interval is still certified, only wider than asked).
    """

    kind: str
    a: Fraction
    b: Fraction
    prec: int
    boxes: tuple[tuple[Fraction, Fraction, Fraction], ...] = field(repr=False)
    witness: Fraction
    witness_bound: Fraction
    lower: Fraction
    upper: Fraction
    target_width: Fraction
    target_met: bool
    evaluated: int
    budget: int
    seconds: float

    def plain(self) -> dict:
        """The certificate as plain data (Fractions, ints, strings) for :mod:`.entropy_replay`."""
        return {"kind": self.kind, "a": self.a, "b": self.b, "prec": self.prec,
                "boxes": list(self.boxes), "witness": self.witness,
                "witness_bound": self.witness_bound, "lower": self.lower, "upper": self.upper}


class _Evaluator:
    def __init__(self, prec: int, sign: int):
        self.prec, self.sign = prec, sign
        with _prec(prec):
            self.ln2 = arb.const_log2()
            self.xstar = (3 - arb(5).sqrt()) / 2
            self.cstar = _g(self.xstar, self.ln2)

    def point(self, y: Fraction) -> tuple[arb, arb, arb]:
        """``(F(y), F'(y), tail-corrected value ball of E~(y))`` at a rational point."""
        j, xn, hn, pm = _phase_jet(_Jet(_ball(y), arb(1), arb(0)), self.ln2, self.cstar)
        tlo, thi = _tail(xn, hn, pm, self.xstar, self.cstar, self.ln2)
        return j.v, j.d, j.v + (tlo + thi) / 2 + arb(0, ((thi - tlo) / 2).upper())

    def box(self, lo: Fraction, hi: Fraction) -> _Box:
        m, r = (lo + hi) / 2, _ball((hi - lo) / 2)
        v, d, val_m = self.point(m)
        j, xn, hn, pm = _phase_jet(_Jet(_hull(lo, hi), arb(1), arb(0)), self.ln2, self.cstar,
                                   (_ball(lo), _ball(hi)))
        tlo, thi = _tail(xn, hn, pm, self.xstar, self.cstar, self.ln2)
        s = self.sign
        # orientation s*E~: s*F(y) <= s*F(m) + (s F'(m)) t + (s F'') t^2/2 + (tail bound)
        up = s * v + _quad_max(s * d, s * j.dd, r) + (thi if s > 0 else -tlo)
        return _Box(lo, hi, arb(up.upper()), arb((s * val_m).lower()))


def phase_search(kind: str = "sup", prec: int = 104, max_boxes: int = 4000,
                 width: Fraction = Fraction(1, 10**12)) -> PhaseCertificate:
    """Interval branch-and-bound for ``max_D E~`` (``kind="sup"``) or ``min_D E~`` (``"inf"``).

    ``prec``: working precision in bits; ``max_boxes``: at most this many boxes are evaluated
    (the loop's bound); ``width``: stop once the enclosure is at most this wide.  When the
    budget runs out first the certificate says ``target_met=False`` (its interval is still
    certified, only wider).
    """
    if kind not in ("sup", "inf"):
        raise InputError(f"phase_search: kind must be 'sup' or 'inf', got {kind!r}")
    if not (isinstance(prec, int) and MIN_PREC <= prec <= MAX_PREC):
        raise InputError(f"--prec (entropy working precision): need an integer number of bits in "
                         f"[{MIN_PREC}, {MAX_PREC}], got {prec}")
    if not (isinstance(max_boxes, int) and INITIAL_BOXES <= max_boxes <= MAX_BOXES):
        raise InputError(f"--max-boxes (entropy box budget): need an integer in [{INITIAL_BOXES}, {MAX_BOXES}], got {max_boxes}")
    width = Fraction(width)
    if not width >= MIN_WIDTH:
        raise InputError(f"--width (entropy target width): need at least 1e-13 (claims are rounded outward "
                         f"to multiples of 2^-{CLAIM_BITS}), got {width}")
    t0 = time.perf_counter()
    sign = 1 if kind == "sup" else -1
    a, b = DOMAIN_A, DOMAIN_B
    with _prec(prec):
        ev = _Evaluator(prec, sign)
        heap, count = [], 0
        best, best_pt = None, None            # best certified point value (orientation sign*E~), lower end

        def push(bx: _Box):
            nonlocal best, best_pt
            p = _round_down(bx.point)
            if best is None or p > best:
                best, best_pt = p, (bx.lo + bx.hi) / 2
            heapq.heappush(heap, (-_round_up(bx.upper), id(bx), bx))

        step = (b - a) / INITIAL_BOXES
        for i in range(INITIAL_BOXES):
            push(ev.box(a + step * i, a + step * (i + 1)))
            count += 1
        target_met = False
        while heap:
            neg_u, _, bx = heap[0]
            if -neg_u - best <= width:
                target_met = True
                break
            if count + 2 > max_boxes:
                break
            heapq.heappop(heap)
            mid = (bx.lo + bx.hi) / 2
            push(ev.box(bx.lo, mid))
            push(ev.box(mid, bx.hi))
            count += 2
        leaves = sorted(((bx.lo, bx.hi, -nu) for nu, _, bx in heap), key=lambda t: t[0])
        top = max(t[2] for t in leaves)
    # orientation back to E~: sup -> bounds as is; inf -> negate
    if sign > 0:
        boxes = tuple(leaves)
        lower, upper, wb = best, top, best
    else:
        boxes = tuple((lo, hi, -u) for lo, hi, u in leaves)
        lower, upper, wb = -top, -best, -best
    return PhaseCertificate(kind, a, b, prec, boxes, best_pt, wb, lower, upper, width, target_met,
                            count, max_boxes, time.perf_counter() - t0)


def phase_value(y: Fraction, prec: int = 104) -> arb:
    """Certified ball containing ``E~(y) = lim_m E(S^{-m}(y))`` for rational ``y`` in ``[a, b]``."""
    y = Fraction(y)
    if not DOMAIN_A <= y <= DOMAIN_B:
        raise InputError(f"phase_value: y must lie in [9/49, 3/10], got {y}")
    with _prec(prec):
        return _Evaluator(prec, 1).point(y)[2]
