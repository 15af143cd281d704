"""Independent replay of the E* phase certificates (SWP Sec. 5, (36), (37), (51); Theorem 2).

This module shares no code with the search that produced a certificate (it imports neither
``entropy.py`` nor ``entropy_phase.py``): it re-derives every bound from the paper's formulas in
a different coordinate and a different entropy formula, at the certificate's working precision
plus 16 bits.

Coordinates.  Write a hazard as ``h = 1/u^2``.  The binding recursion (37),
``h' = (sqrt h - h)/(1 - h)``, becomes ``u' = sqrt(1 + u)`` (fixed point: the golden ratio,
``h* = (3 - sqrt 5)/2``), and its inverse ``h = (h'/(1-h'))^2`` becomes ``u = u'^2 - 1``.

Entropy.  The paper's definition ``E = -sum_k f_k log2 f_k`` with masses ``f_k = M_k h_k``,
``M_{k+1} = M_k (1 - h_k)``.  For ``y`` in the fundamental domain ``[a, b]`` (``a = (b/(1-b))^2``)
the critical distribution started at ``x_n = S^{-n}(y)`` has the hazards ``x_n, ..., x_1, y,
S(y), ...``; after the first ``n + K`` atoms the rest has mass ``M`` and contributes
``M (E(h_next) - log2 M)`` (grouping), with ``E(h_next)`` between ``g(hmax)`` and ``g(hmin)``
where ``g(h) = H(h)/h`` and the later hazards lie between ``h_next`` and ``h*`` (``E = sum f_k
g(h_k)`` with ``sum f_k = 1``, ``g`` decreasing); ``g(h*)`` is differentiated, the difference
bounded.  The limit ``E~(y) = lim_n E(x_n)`` exceeds ``E(x_n)`` by at most
``sum_{m>n} H(x_m) <= 2 sum_{m>n} 1/u_m <= 4/u_{n+1}`` (``H(x) <= ((2/e) sqrt x + x)/ln 2 <=
2 sqrt x`` for ``x <= 1/4``, and ``1/u_{m+1} <= 2/u_m^2 <= (1/2)(1/u_m)`` for ``u_m >= 4``), and
is at least ``E(x_n)`` (the increments of (51) along a backward orbit are ``>= 0``, see
docs/persuasion.md).

Boxes.  Second-order Taylor coefficients ``(f, f', f''/2)`` in ``arb``: at the box centre (thin)
and over the box (for ``f''/2``); the quadratic bound is maximised exactly.  A box whose claim
is not confirmed is halved (at most :data:`MAX_SPLIT` levels) before it is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flint import arb, ctx, fmpq

__all__ = ["ReplayResult", "replay_phase_certificate", "MAX_SPLIT"]

MAX_SPLIT = 3           # a rejected box may be halved this many times (at most 8 pieces)
EXTRA_BITS = 16
BACK = 6                # u_1..u_6 backward, u_7 for the tail
FWD = 32                # forward hazards


@dataclass(frozen=True)
class ReplayResult:
    """Outcome of :func:`replay_phase_certificate`: ``ok`` and the reasons when not."""

    ok: bool
    kind: str
    boxes: int
    pieces: int
    prec: int
    problems: tuple[str, ...]

    def summary(self) -> str:
        if self.ok:
            return (f"replayed: {self.boxes} boxes ({self.pieces} pieces) re-verified at "
                    f"{self.prec} bits by entropy_replay (independent code)")
        return "replay FAILED: " + "; ".join(self.problems[:3])


class _T:
    """Taylor coefficients ``(c0, c1, c2)`` = ``(f, f', f''/2)``."""

    __slots__ = ("c0", "c1", "c2")

    def __init__(self, c0, c1, c2):
        self.c0, self.c1, self.c2 = c0, c1, c2

    def plus(self, o: "_T") -> "_T":
        return _T(self.c0 + o.c0, self.c1 + o.c1, self.c2 + o.c2)

    def shift(self, k) -> "_T":
        return _T(self.c0 + k, self.c1, self.c2)

    def scale(self, k) -> "_T":
        return _T(self.c0 * k, self.c1 * k, self.c2 * k)

    def times(self, o: "_T") -> "_T":
        return _T(self.c0 * o.c0, self.c0 * o.c1 + self.c1 * o.c0,
                  self.c0 * o.c2 + self.c1 * o.c1 + self.c2 * o.c0)

    def inv(self) -> "_T":
        q = 1 / self.c0
        return _T(q, -self.c1 * q * q, (self.c1 * self.c1 * q - self.c2) * q * q)

    def root(self) -> "_T":
        s = self.c0.sqrt()
        s1 = self.c1 / (2 * s)
        return _T(s, s1, (self.c2 - s1 * s1) / (2 * s))

    def ln(self) -> "_T":
        q = 1 / self.c0
        return _T(self.c0.log(), self.c1 * q, self.c2 * q - self.c1 * self.c1 * q * q / 2)

    def with_value(self, v) -> "_T":
        return _T(v, self.c1, self.c2)


def _q(x: Fraction) -> arb:
    return arb(fmpq(x.numerator, x.denominator))


def _to_fraction(a: arb) -> Fraction:
    m, e = a.man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2 ** (-e))


def _g_nats(h: arb) -> arb:
    """``H(h)/h`` in nats."""
    return -(h * h.log() + (1 - h) * (1 - h).log()) / h


class _Phase:
    def __init__(self):
        self.ln2 = arb(2).log()
        self.hstar = 1 / ((1 + arb(5).sqrt()) / 2) ** 2
        self.cstar = _g_nats(self.hstar)

    def evaluate(self, u0: _T, ends=None):
        """Taylor coefficients of the differentiable part (nats) and ``[tail_lo, tail_hi]`` (nats)."""
        us = [u0]
        ulo, uhi = ends if ends is not None else (None, None)
        for _ in range(BACK + 1):
            nxt = us[-1].times(us[-1]).shift(-1)                      # u = u'^2 - 1
            if ends is not None:
                ulo, uhi = ulo * ulo - 1, uhi * uhi - 1
                nxt = nxt.with_value(ulo.union(uhi))
            us.append(nxt)
        hazards = [us[j].times(us[j]).inv() for j in range(BACK, 0, -1)]
        v = u0
        for _ in range(FWD):
            hazards.append(v.times(v).inv())
            v = v.shift(1).root()                                     # u' = sqrt(1 + u)
        M = _T(arb(1), arb(0), arb(0))
        acc = _T(arb(0), arb(0), arb(0))
        for z in hazards:
            f = M.times(z)
            acc = acc.plus(f.times(f.ln()).scale(-1))
            M = M.times(z.scale(-1).shift(1))
        acc = acc.plus(M.times(M.ln().scale(-1).shift(self.cstar)))    # M (c* - ln M)
        # remainder M (E(h_next) - c*), E(h_next) between g(hmax) and g(hmin)
        hn = 1 / (v.c0 * v.c0)
        lo_end = hn.lower() if hn.lower() < self.hstar.lower() else self.hstar.lower()
        hi_end = hn.upper() if hn.upper() > self.hstar.upper() else self.hstar.upper()
        spread = _g_nats(arb(lo_end)) - _g_nats(arb(hi_end))
        m_up = arb(M.c0.upper())
        rem = arb((m_up * spread).upper())
        if not rem >= 0:
            rem = arb(0)
        # backward tail, in bits: [0, 4/u_(BACK+1)], needs u_(BACK+1) >= 4
        u_next = us[BACK + 1].c0
        if not u_next >= 4:
            return None
        tail_bits = arb((4 / arb(u_next.lower())).upper())
        return acc, -rem, rem + tail_bits * self.ln2


def _quad_upper(g: arb, k: arb, r: arb) -> arb:
    """Upper bound of ``max_{|t| <= r} (g t + k t^2)`` for all ``g`` in the ball, ``k`` <= its upper end."""
    G = arb(abs(g).upper())
    K = arb(k.upper())
    if K < 0:
        if G >= -2 * K * r:
            return G * r + K * r * r
        return G * G / (-4 * K)
    return G * r + (K if K > 0 else arb(0)) * r * r


def _box_bound(ph: _Phase, lo: Fraction, hi: Fraction, sign: int):
    """Upper bound (bits) of ``sign * E~`` over ``[lo, hi]``, or None when a side condition fails."""
    c = (lo + hi) / 2
    r = _q((hi - lo) / 2)
    yc = _q(c)
    uc = 1 / yc.sqrt()
    pt = ph.evaluate(_T(uc, -uc / (2 * yc), 3 * uc / (8 * yc * yc)))
    ylo, yhi = _q(lo), _q(hi)
    yb = ylo.union(yhi)
    ub = 1 / yb.sqrt()
    ulo, uhi = 1 / yhi.sqrt(), 1 / ylo.sqrt()                         # u = y^(-1/2) decreasing
    bx = ph.evaluate(_T(ulo.union(uhi), -ub / (2 * yb), 3 * ub / (8 * yb * yb)), (ulo, uhi))
    if pt is None or bx is None:
        return None
    acc_c, _, _ = pt
    acc_b, tlo, thi = bx
    val = sign * acc_c.c0 + _quad_upper(sign * acc_c.c1, sign * acc_b.c2, r) + (thi if sign > 0 else -tlo)
    return val / ph.ln2


def _point(ph: _Phase, y: Fraction):
    yc = _q(y)
    uc = 1 / yc.sqrt()
    out = ph.evaluate(_T(uc, arb(0), arb(0)))
    if out is None:
        return None
    acc, tlo, thi = out
    return (acc.c0 + tlo) / ph.ln2, (acc.c0 + thi) / ph.ln2


def _below_fixed_point(b: Fraction) -> bool:
    """``b < (3 - sqrt 5)/2`` exactly: ``3 - 2b > 0`` and ``(3 - 2b)^2 > 5``."""
    return 3 - 2 * b > 0 and (3 - 2 * b) ** 2 > 5


def replay_phase_certificate(cert: dict) -> ReplayResult:
    """Re-verify a phase certificate (plain data: kind, a, b, prec, boxes, witness, bounds).

    Checks: the domain is a fundamental domain of ``S`` below the fixed point; the boxes cover
    it without gaps; every box's claim holds (re-derived here); the witness point's claim holds;
    ``lower``/``upper`` are the ones the claims give; for ``sup`` also ``H(b)/b < lower`` (so that
    ``sup_{f1} E(f1)`` equals the limsup).
    """
    problems: list[str] = []
    kind = cert.get("kind")
    prec = cert.get("prec")
    boxes = list(cert.get("boxes", ()))
    if kind not in ("sup", "inf"):
        return ReplayResult(False, str(kind), len(boxes), 0, 0, (f"unknown kind {kind!r}",))
    if not isinstance(prec, int) or not 2 <= prec <= 4000:
        return ReplayResult(False, kind, len(boxes), 0, 0, (f"bad precision {prec!r}",))
    a, b = Fraction(cert["a"]), Fraction(cert["b"])
    if not (0 < b and _below_fixed_point(b) and a == (b / (1 - b)) ** 2):
        problems.append(f"[{a}, {b}] is not [S^-1(b), b] with 0 < b < x*")
    if not boxes:
        problems.append("no boxes")
    else:
        if boxes[0][0] != a or boxes[-1][1] != b:
            problems.append("the boxes do not start at a and end at b")
        for i, (lo, hi, _) in enumerate(boxes):
            if not lo < hi:
                problems.append(f"box {i} is empty")
            if i and boxes[i - 1][1] != lo:
                problems.append(f"gap or overlap before box {i} at {lo}")
    if problems:
        return ReplayResult(False, kind, len(boxes), 0, prec, tuple(problems))
    sign = 1 if kind == "sup" else -1
    work = prec + EXTRA_BITS
    old = ctx.prec
    ctx.prec = work
    pieces = 0
    try:
        ph = _Phase()
        for i, (lo, hi, claim) in enumerate(boxes):
            stack, ok = [(Fraction(lo), Fraction(hi), 0)], True
            for _ in range(2 ** (MAX_SPLIT + 1)):                       # at most 2^(d+1) - 1 pieces
                if not stack:
                    break
                plo, phi, depth = stack.pop()
                pieces += 1
                bound = _box_bound(ph, plo, phi, sign)
                if bound is not None and bound <= sign * _q(Fraction(claim)):
                    continue
                if depth >= MAX_SPLIT:
                    ok = False
                    break
                pm = (plo + phi) / 2
                stack += [(plo, pm, depth + 1), (pm, phi, depth + 1)]
            if not ok or stack:
                problems.append(f"box {i} [{lo}, {hi}]: claim {claim} not confirmed")
                if len(problems) > 5:
                    break
        w = Fraction(cert["witness"])
        wb = Fraction(cert["witness_bound"])
        lower, upper = Fraction(cert["lower"]), Fraction(cert["upper"])
        claims = [Fraction(t[2]) for t in boxes]
        pt = _point(ph, w) if a <= w <= b else None
        if pt is None:
            problems.append(f"witness {w} outside the domain or side condition failed")
        elif sign > 0:
            if not (pt[0] >= _q(wb)):
                problems.append(f"E~({w}) >= {wb} not confirmed")
            if lower != wb or upper != max(claims) or not lower <= upper:
                problems.append("lower/upper are not the witness bound / the largest claim")
            hb = -(_q(b) * _q(b).log() + (1 - _q(b)) * (1 - _q(b)).log()) / (_q(b) * ph.ln2)
            if not hb < _q(lower):
                problems.append("H(b)/b < lower not confirmed (sup_f1 E = limsup needs it)")
        else:
            if not (pt[1] <= _q(wb)):
                problems.append(f"E~({w}) <= {wb} not confirmed")
            if upper != wb or lower != min(claims) or not lower <= upper:
                problems.append("lower/upper are not the smallest claim / the witness bound")
    finally:
        ctx.prec = old
    return ReplayResult(not problems, kind, len(boxes), pieces, work, tuple(problems))
