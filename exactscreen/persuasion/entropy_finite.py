"""Certified ``E_K*`` (finite grids, (41)) and Lemma 8 decided (SWP Sec. 5, proof of Theorem 2).

Bergemann, Heumann & Morris, *Screening with persuasion*, proof of Theorem 2: (41)
``E_K* = max -sum_{k<=K} f_k log2 f_k`` subject to every (36) (``k = 1..K-1``), Lemmas 5-7,
Corollary 4, (49), Lemma 8 (``lim_K E_K* = sup_f E^(f)``), (51).

Dynamic programme (hazard form of (41))
---------------------------------------
With hazards ``h_k = f_k/T_k`` ((37): ``h_{k+1} >= S(h_k)``, ``h_K = 1``) the entropy is
``H(h_1) + (1 - h_1) * (entropy of the rest)`` (chain rule).  Let ``W_n(s)`` be the sup of the
entropy of an ``n``-atom tail whose first hazard is ``>= s``.  Then ``W_1 = 0`` and

    W_n(s) = sup_{h >= s} H(h) + (1 - h) W_{n-1}(S(h)),      E_K* = W_K(0).          (DP)

``W_n`` is non-increasing in ``s``.  **Upper bound** (certificate): a grid
``0 = p_0 < ... < p_N = 1`` and numbers ``U_n[i] >= sup_{h in [p_i, p_{i+1}]} H(h) + (1-h) c_{n,i}``
with ``c_{n,i} = max{U_{n-1}[j] : p_{j+1} >= S(p_i)}`` (``c_{2,i} = 0``).  By induction
``V_n(h) <= U_n[i]`` on cell ``i`` (a next hazard ``h' >= S(h) >= S(p_i)`` lies in a cell ``j``
with ``p_{j+1} >= S(p_i)``), so ``E_K* <= max_i U_K[i]``.  On one cell ``H(h) + (1-h) c`` is
concave with its peak at ``1/(1 + 2^c)`` (value ``log2(1 + 2^c)``): its sup over the cell is taken
at the clamped peak.  **Lower bound**: an explicit rational ``K``-atom distribution of
Corollary 4's form (binding hazards ``S^{i-1}(f_0)`` rounded up, then ``m`` equal atoms) that
satisfies every (36) exactly; its entropy in ``arb``.  For ``K <= 4`` the uniform distribution
is feasible and ``E_K* = log2 K`` exactly (footnote 4; Gibbs: no ``K``-atom entropy exceeds
``log2 K``).  The grid is refined geometrically around the witness's hazards (where the
piecewise-constant bound loses), so the enclosure is narrow; both bounds are re-verified by
:mod:`.entropy_finite_replay`, which shares no code with this module.

Lemma 8 decided (a certified argument for every ``K``)
-----------------------------------------------------
Let ``E^`` be the entropy of the critical distribution (51), ``E* = sup_f E^(f)`` (certified by
:mod:`.entropy_phase`) and ``G(s) = sup_{x >= s} E^(x)``.  *Claim*: for ``0 < h < 1`` and
``h' >= S(h)``, ``g(h) = H(h) + (1-h) E^(h') <= G(h)``.  ``g`` is concave with peak
``y_c = 1/(1 + 2^{E^(h')}) >= y_0 = 1/(1 + 2^{E*})``.  Let ``x = S^{-1}(h') >= h``.
(A) ``x <= y_c``: ``g`` increases on ``[h, x]``, so ``g(h) <= g(x) = E^(x)`` by (51).
(B) otherwise let ``z = max(h, y_c) <= x``: ``g(h) <= g(z)`` and ``S(z) <= h'``; if ``E^`` is
non-increasing on ``[S(y_0), 1)`` then ``E^(h') <= E^(S(z))`` and ``g(z) <= E^(z)`` by (51).
By induction on (DP) ``W_n <= G`` (``W_1 = 0 <= G``), hence ``E_K* <= G(0) = E*`` for every K.
Conversely the critical distribution truncated after ``K - 1`` atoms (the rest in one atom,
hazard 1) is feasible, so ``E_K* -> sup_f E^(f)`` from below; ``W_{n+1} >= W_n`` makes ``E_K*``
non-decreasing.  So ``lim_K E_K* = sup_K E_K* = E*`` (Lemma 8's first statement holds).

*Monotonicity on ``[S(y_0), 1)``*: ``E^'(f) = sum_k P_k a(h_k)`` along the orbit ``h_1 = f``,
``h_{k+1} = S(h_k)`` (which stays in ``[S(y_0), 1)`` since ``S(y_0) < x*``), with
``P_k = prod_{j<k} (1 - h_j) S'(h_j) >= 0`` and ``a(h) = log2((1-h)/h) - E^(S(h))``.  For
``h >= 1/2``, ``a(h) < 0`` (``E^ > 0``); for ``h in [S(y_0), 1/2]``,
``a(h) <= log2((1-s_0)/s_0) - min E^`` over ``[S(s_0), S(1/2)]`` (``s_0 <= S(y_0)``), certified
negative with a lower bound of ``E^`` from partial sums over boxes (:func:`lemma8_monotone`).

References: D. Bergemann, T. Heumann, S. Morris, "Screening with persuasion" (2025), Sec. 5 and
the proof of Theorem 2; F. Johansson, "Arb", IEEE Trans. Computers 66 (2017).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb

from ..exceptions import InputError, NotCertified
from .entropy import (Lemma8Monotone, _exact, _round_up, binary_entropy, constraints36, entropy_bits, hazard_map,
                      lemma8_monotone, to_arb)
from .entropy_phase import _prec

__all__ = ["FiniteKBound", "finite_K_bound", "finite_K_bounds", "Lemma8Monotone", "lemma8_monotone",
           "MAX_K", "DEFAULT_PREC", "DEFAULT_BASE_BITS", "DEFAULT_LEVELS"]

MAX_K = 40                 #: largest K accepted (cells x stages stay small)
DEFAULT_PREC = 128         #: working precision (bits) of the DP tables
DEFAULT_BASE_BITS = 12         #: base grid: 2^12 equal cells (and their S-preimages) per stage
DEFAULT_LEVELS = 36        #: geometric refinement levels around each witness hazard
MAX_CELLS = 200_000        #: refused above this many cells (bad parameters)
ROUND_BITS = 64            #: tables are rounded up to multiples of 2^-64
DEFAULT_FINE = Fraction(1, 2**18)  #: finest cell of the quadratic refinement around each stage's witness hazard


@dataclass(frozen=True)
class FiniteKBound:
    """Certified ``lower <= E_K* <= upper`` ((41)) with its certificate as plain data."""

    K: int
    lower: Fraction
    upper: Fraction
    masses: tuple[Fraction, ...]                 # feasible witness (lower bound)
    block: int                                    # m equal atoms at the end of the witness
    method: str
    prec: int
    grids: tuple[tuple[Fraction, ...], ...] = field(default=(), repr=False)   # stage grids (empty for K <= 4)
    tables: tuple[tuple[Fraction, ...], ...] = field(default=(), repr=False)  # U_2..U_K on them
    seconds: float = 0.0

    @property
    def cells(self) -> int:
        """Number of (stage, cell) pieces of the DP certificate."""
        return sum(len(g) - 1 for g in self.grids)

    def plain(self) -> dict:
        """The certificate as plain data (what :mod:`.entropy_finite_replay` reads)."""
        return {"K": self.K, "lower": self.lower, "upper": self.upper, "masses": list(self.masses),
                "grids": [list(g) for g in self.grids], "tables": [list(t) for t in self.tables]}


# ------------------------------------------------------------- lower: witness
def _cor4_value(K: int, f0: float, m: int) -> float:
    """Float *hint* only: entropy of Corollary 4's shape (binding, then m equal atoms); -inf if
    the first non-binding constraint fails."""
    h, M, E = f0, 1.0, 0.0
    last = h
    for _ in range(K - m):
        if not 0.0 < h < 1.0:
            return -math.inf
        E += M * (-(h * math.log2(h) + (1 - h) * math.log2(1 - h)))
        M *= 1 - h
        last = h
        t = math.sqrt(h)
        h = t / (1 + t)
    t = math.sqrt(last)
    if 1.0 / m < t / (1 + t):
        return -math.inf
    return E + M * math.log2(m) if M > 0 else -math.inf


def _best_f0(K: int, m: int) -> float | None:
    """Float hint: scan then golden section (bounded: 400 + 200 evaluations)."""
    best = max(((v, j) for j in range(1, 400) if (v := _cor4_value(K, j / 400, m)) > -math.inf), default=None)
    if best is None:
        return None
    lo, hi = max(best[1] - 1, 1e-9 * 400) / 400, min(best[1] + 1, 399.999) / 400
    g = (math.sqrt(5) - 1) / 2
    for _ in range(200):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if _cor4_value(K, a, m) >= _cor4_value(K, b, m):
            hi = b
        else:
            lo = a
        if hi - lo < 1e-15:
            break
    return (lo + hi) / 2


def _witness(K: int, f0: Fraction, m: int) -> tuple[Fraction, ...] | None:
    """Exact rational distribution: hazards f0, S(f0)^, ... rounded up (K - m of them), then m
    equal atoms; ``None`` if it violates some (36) (checked exactly)."""
    hs = [f0]
    with _prec(DEFAULT_PREC):
        while len(hs) < K - m:
            hs.append(_round_up(_exact(hazard_map(hs[-1]).upper()), ROUND_BITS))
    masses, M = [], Fraction(1)
    for h in hs:
        if not 0 < h < 1:
            return None
        masses.append(M * h)
        M -= M * h
    masses += [M / m] * m
    if sum(masses) != 1 or not all(constraints36(masses)):
        return None
    return tuple(masses)


def _lower(K: int) -> tuple[tuple[Fraction, ...], int, arb]:
    if K <= 4:
        masses = tuple([Fraction(1, K)] * K)
        return masses, K, entropy_bits(masses)
    best = None
    for m in range(1, 5):
        f = _best_f0(K, m)
        if f is None:
            continue
        f0 = Fraction(round(f * 2**60), 2**60)
        w = _witness(K, f0, m)
        if w is None:
            continue
        e = entropy_bits(w)
        if best is None or e.lower() > best[2].lower():
            best = (w, m, e)
    if best is None:
        raise NotCertified(f"E_K*: no feasible witness of Corollary 4's form for K={K}")
    return best


# ------------------------------------------------------------- upper: DP tables
def _grid(base_bits: int, centres, levels: int, fine: Fraction | None = None) -> list[Fraction]:
    """``j/2^base_bits`` and ``S^{-1}(j/2^base_bits)``, plus, around ``centre`` (rounded to a dyadic), the points
    ``centre +- 2^-(base_bits + l)`` for ``l = 0..levels`` (geometric: cell width ~ distance), and,
    if ``fine`` is given, ``centre +- t_i`` with ``t_{i+1} = t_i + max(fine, t_i^2)`` (quadratic:
    where the stage's value has an interior maximum the loss must be ~ distance^2)."""
    step = Fraction(1, 2**base_bits)
    pts = {step * j for j in range(2**base_bits + 1)}
    # and the S-preimages S^-1(j/2^b) = (j/(2^b - j))^2 of the s-grid: near 0, S stretches h-cells
    pts.update(Fraction(j, 2**base_bits - j) ** 2 for j in range(1, 2 ** (base_bits - 1)))
    for centre in centres:
        q = 2 ** (base_bits + levels + 2)
        c = Fraction(round(centre * q), q)
        pts.add(c)
        for lv in range(levels + 1):
            d = Fraction(1, 2 ** (base_bits + lv))
            pts.update(x for x in (c - d, c + d) if 0 <= x <= 1)
        if fine is not None:
            t = Fraction(0)
            while t * t < step:                  # until the base cells are as fine as t^2
                if len(pts) > MAX_CELLS:
                    break
                t = t + max(fine, _round_up(t * t, 2 * base_bits + 2 * levels))
                pts.update(x for x in (c - t, c + t) if 0 <= x <= 1)
    if len(pts) > MAX_CELLS + 1:
        raise InputError(f"E_K*: more than {MAX_CELLS} grid cells in one stage; lower base_bits, levels or raise fine")
    return sorted(pts)


def _successor_index(pts: list[Fraction], prev: list[Fraction]) -> list[int]:
    """For each cell ``[a, b]`` of ``pts`` the first cell j of ``prev`` with ``prev[j+1] >= S(a)``,
    decided exactly: ``y >= S(a)`` iff ``y = 1`` or ``S^{-1}(y) = (y/(1-y))^2 >= a``.  The left
    ends increase and S is increasing, so one merge-like pass suffices (j never moves left)."""
    inv = [None if y == 1 else (y / (1 - y)) ** 2 for y in prev]
    out, j, last = [], 0, len(prev) - 2
    for i in range(len(pts) - 1):
        a = pts[i]
        while j < last and not (inv[j + 1] is None or inv[j + 1] >= a):
            j += 1
        out.append(j)
    return out


def _cell_sup(a: Fraction, b: Fraction, c: Fraction, ln2: arb) -> arb:
    """Upper ball for ``sup_{h in [a, b]} H(h) + (1 - h) c`` (concave; peak at 1/(1 + 2^c))."""
    ca = to_arb(c)
    two_c = arb(2) ** ca
    peak = 1 / (1 + two_c)

    def F(x: Fraction) -> arb:
        return binary_entropy(x) + (1 - to_arb(x)) * ca

    if peak < to_arb(a):
        return F(a)
    if peak > to_arb(b):
        return F(b)
    return (1 + two_c).log() / ln2          # the global max of the concave function


def _tables(grids: list[list[Fraction]], prec: int) -> list[list[Fraction]]:
    """``U_n`` on ``grids[n-2]`` for ``n = 2..K`` (``U_1 = 0`` on the one cell [0, 1])."""
    tables: list[list[Fraction]] = []
    prev_pts = [Fraction(0), Fraction(1)]
    prev_suffix = [Fraction(0), Fraction(0)]       # W_1 = 0
    with _prec(prec):
        ln2 = arb.const_log2()
        for pts in grids:
            n = len(pts) - 1
            nxt = _successor_index(pts, prev_pts)
            U = []
            for i in range(n):
                v = _cell_sup(pts[i], pts[i + 1], prev_suffix[nxt[i]], ln2)
                U.append(_round_up(_exact(v.upper()), ROUND_BITS))
            tables.append(U)
            suf = [Fraction(0)] * (n + 1)
            for j in range(n - 1, -1, -1):
                suf[j] = max(suf[j + 1], U[j])
            prev_pts, prev_suffix = pts, suf
    return tables


def _check_params(K, prec, base_bits, levels, fine) -> Fraction:
    if isinstance(K, bool) or not isinstance(K, int) or not 2 <= K <= MAX_K:
        raise InputError(f"K must be an integer in 2..{MAX_K}, got {K!r}")
    for name, v, lo, hi in (("prec", prec, 64, 4096), ("base_bits", base_bits, 4, 16), ("levels", levels, 0, 60)):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise InputError(f"{name} must be an integer in {lo}..{hi}, got {v!r}")
    try:
        fine = Fraction(fine)
    except (TypeError, ValueError):
        raise InputError(f"fine must be a rational number, got {fine!r}") from None
    if not Fraction(1, 2**40) <= fine <= Fraction(1, 2**8):
        raise InputError(f"fine must be in [2^-40, 2^-8], got {fine}")
    return fine


def finite_K_bounds(K_max: int = 12, prec: int = DEFAULT_PREC, base_bits: int = DEFAULT_BASE_BITS,
                    levels: int = DEFAULT_LEVELS, fine=DEFAULT_FINE) -> tuple[FiniteKBound, ...]:
    """Certified enclosures of ``E_K*`` ((41)) for ``K = 2..K_max`` from one DP (module docstring).

    The stage functions ``W_n`` do not depend on K, so one set of tables serves every K: stage
    ``n`` is refined around the hazard ``h_{K-n+1}`` of every witness with ``K >= n`` (where the
    bound for that K evaluates it).  ``prec``: working precision (bits); ``base_bits``:
    ``2^base_bits`` equal cells (and their S-preimages) per stage; ``levels``: geometric
    refinement levels; ``fine``: finest cell of the quadratic refinement (the widths of the
    enclosures are roughly proportional to it)."""
    fine = _check_params(K_max, prec, base_bits, levels, fine)
    t0 = time.perf_counter()
    lows = {K: _lower(K) for K in range(2, K_max + 1)}
    hz: dict[int, list[Fraction]] = {}
    for K, (masses, _m, _e) in lows.items():
        tail, hs = Fraction(1), []
        for f in masses[:-1]:
            hs.append(f / tail)
            tail -= f
        hz[K] = hs
    # the left flank of the top stage is flat (H(h) is small there): follow the binding orbits from
    # a few smaller first hazards too (float hints for where to refine; the bound does not use them)
    extra: dict[int, list[float]] = {n: [] for n in range(2, K_max + 1)}
    if K_max >= 5:
        for c in (0.25, 0.5, 0.75):
            h = float(hz[K_max][0]) * c
            for n in range(K_max, 1, -1):
                extra[n].append(h)
                h = math.sqrt(h) / (1 + math.sqrt(h))
    grids = [_grid(base_bits, [hz[K][K - n] for K in range(max(n, 5), K_max + 1)]
                   + [Fraction(x) for x in extra[n]], levels, fine)
             for n in range(2, K_max + 1)]
    tables = _tables(grids, prec)
    secs = time.perf_counter() - t0
    out = []
    for K in range(2, K_max + 1):
        masses, m, e = lows[K]
        with _prec(prec):
            lower = _exact(e.lower())
        if K <= 4:
            with _prec(prec):
                up = arb(K).log() / arb.const_log2()
            out.append(FiniteKBound(K, lower, _exact(up.upper()), masses, m,
                                    "uniform distribution feasible (exact (36)); Gibbs: entropy <= log2 K", prec,
                                    seconds=secs))
            continue
        upper = max(tables[K - 2])
        if upper < lower:    # pragma: no cover - a bug, never the paper's
            raise NotCertified(f"E_K* for K={K}: DP upper bound {upper} below the witness's entropy {lower}")
        out.append(FiniteKBound(K, lower, upper, masses, m,
                                "lower: rational Corollary-4 witness, (36) exact; upper: DP (value iteration "
                                "on hazards) with piecewise-constant tables on refined per-stage grids",
                                prec, tuple(tuple(g) for g in grids[:K - 1]),
                                tuple(tuple(t) for t in tables[:K - 1]), secs))
    return tuple(out)


def finite_K_bound(K: int, **kw) -> FiniteKBound:
    """Certified enclosure of ``E_K*`` ((41)): :func:`finite_K_bounds` up to ``K``."""
    _check_params(K, kw.get("prec", DEFAULT_PREC), kw.get("base_bits", DEFAULT_BASE_BITS),
                  kw.get("levels", DEFAULT_LEVELS), kw.get("fine", DEFAULT_FINE))
    return finite_K_bounds(K, **kw)[-1]


