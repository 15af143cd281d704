"""The entropy bound of Screening with Persuasion, Section 5, certified.

Bergemann, Heumann & Morris, *Screening with persuasion*, Sec. 5 (Proposition 5,
(35)-(37), Lemma 2, Fig. 3, Theorem 2) and the proof of Theorem 2 (Lemmas 5-9,
Corollary 4, (41), (49), (51)).

Primer
------
On an equidistant grid, complete disclosure can be optimal only if every
constraint (36) holds: ``f_{k+1}/T_k >= sqrt(f_k/T_k) - f_k/T_k`` with
``T_k = sum_{i>=k} f_i``.  In hazard rates ``h_k = f_k/T_k`` this is (37):
``h_{k+1} >= S(h_k)`` with the hazard map

    S(x) = (sqrt(x) - x)/(1 - x) = sqrt(x)/(1 + sqrt(x)),

increasing, with fixed points 0 (repelling) and ``x* = (3 - sqrt 5)/2``
(attracting on (0, 1)).  Because ``y >= S(x)`` iff ``(y/(1-y))^2 >= x``
(for ``0 <= y < 1``), membership in (36) is decided in exact rational
arithmetic, and ``S^{-1}(y) = (y/(1-y))^2`` is rational.

The entropy of a distribution with hazards ``h_1, h_2, ...`` is, by the chain
rule, ``sum_k M_k H(h_k)`` with survival ``M_k = prod_{j<k}(1-h_j)`` and the
binary entropy ``H``; for the critical distribution of Lemma 2 (all (36)
binding, first atom ``f1``) this gives the recursion (51)
``E(f) = H(f) + (1-f) E(S(f))``.

What is certified here (python-flint ``arb`` balls, radius reported):

* ``E(f1)`` for rational ``f1`` with the infinite tail bounded
  (:func:`critical_entropy`);
* an upper bound ``U`` on the entropy of *every* distribution satisfying all
  constraints (36), by a piecewise-constant supersolution of the Bellman
  inequality ``V(x) >= H(x) + (1-x) sup_{y >= S(x)} V(y)`` on a grid of hazard
  intervals (:func:`entropy_upper_bound`);
* a lower bound ``L`` by an explicit finite rational distribution that
  satisfies every (36) exactly (:func:`feasible_witness`);
* that ``lim_{f1 -> 0} E(f1)`` does **not** exist: along two backward orbits
  ``S^{-n}(y)`` the limits differ (:func:`limit_witnesses`).  The paper's
  ``E* = lim_{f1->0} E(f1)`` must be read as ``limsup`` (= ``sup_{f1} E(f1)``);
* ``E*`` (the limsup) and the liminf to width ``<= 1e-12`` by branch-and-bound over the
  backward orbits on a fundamental domain of ``S`` (:mod:`.entropy_phase`), each certificate
  re-verified by :mod:`.entropy_replay`, which shares no code with the search
  (:func:`entropy_bound`).

References
----------
D. Bergemann, T. Heumann, S. Morris, "Screening with persuasion" (2025), Sec. 5
and the proof of Theorem 2.  F. Johansson, "Arb: efficient arbitrary-precision
midpoint-radius interval arithmetic", IEEE Trans. Computers 66 (2017).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

from flint import arb, fmpq

from ..exceptions import InputError, NotCertified, Undecided
from ..numbers import Certainty, to_fraction
from .entropy_phase import _prec  # the one ctx.prec context manager of the entropy code

__all__ = [
    "hazard_map_expr",
    "fixed_point_expr",
    "hazard_map",
    "hazard_map_inverse",
    "successor_ok",
    "binary_entropy",
    "entropy_bits",
    "hazards",
    "constraints36",
    "critical_hazards",
    "critical_entropy",
    "geometric_entropy_expr",
    "geometric_entropy_series",
    "backward_phase_bounds",
    "limit_witnesses",
    "entropy_upper_bound",
    "feasible_witness",
    "EntropyBound",
    "entropy_bound",
    "arb_to_interval",
    "to_arb",
    "decimal_up",
    "fmt_lower",
    "compare",
    "certified_digits",
    "Lemma8Monotone",
    "lemma8_monotone",
]

PREC = 128  # bits for certified evaluations


def to_arb(x) -> arb:
    """Exact rational (or arb) as an arb ball (exact when the precision allows)."""
    if isinstance(x, arb):
        return x
    f = to_fraction(x)
    return arb(fmpq(f.numerator, f.denominator))


_arb = to_arb


def _exact(a: arb) -> Fraction:
    """An exact arb (zero radius, e.g. ``x.upper()``) as a Fraction."""
    m, e = a.man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2 ** (-e))


def arb_to_interval(a: arb) -> tuple[Fraction, Fraction]:
    """Exact rational ``(lower, upper)`` enclosing the ball ``a``."""
    return _exact(a.lower()), _exact(a.upper())


def compare(a: arb, b: arb) -> Certainty:
    """Certified ``a < b``: TRUE, FALSE or UNDECIDED (never a guess)."""
    if a < b:
        return Certainty.TRUE
    if a >= b:
        return Certainty.FALSE
    return Certainty.UNDECIDED


# ----------------------------------------------------------- exact symbols
def hazard_map_expr(x=None):
    """Sympy expression ``S(x) = (sqrt(x) - x)/(1 - x)`` of (37) (symbol ``x`` if none given)."""
    import sympy

    if x is None:
        x = sympy.Symbol("x", positive=True)
    elif not isinstance(x, sympy.Basic):
        f = to_fraction(x)
        x = sympy.Rational(f.numerator, f.denominator)
    return (sympy.sqrt(x) - x) / (1 - x)


def fixed_point_expr():
    """``(3 - sqrt(5))/2``, the fixed point of ``S`` on (0, 1) (Lemma 2)."""
    import sympy

    return (3 - sympy.sqrt(5)) / 2


def hazard_map(x) -> arb:
    """``S(x) = sqrt(x)/(1 + sqrt(x))`` as an arb ball (the same map as (37), rewritten)."""
    s = _arb(x).sqrt()
    return s / (1 + s)


def hazard_map_inverse(y) -> Fraction:
    """``S^{-1}(y) = (y/(1-y))^2`` exactly, for rational ``0 <= y < 1``."""
    y = to_fraction(y)
    if not 0 <= y < 1:
        raise InputError(f"S^-1 needs 0 <= y < 1, got {y}")
    return (y / (1 - y)) ** 2


def successor_ok(x, y) -> bool:
    """Exact test of (37), ``y >= S(x)``, for rationals ``x, y`` in [0, 1]: ``y = 1`` or ``(y/(1-y))^2 >= x``."""
    x, y = to_fraction(x), to_fraction(y)
    if y >= 1:
        return True
    if y < 0:
        return False
    return (y / (1 - y)) ** 2 >= x


# ------------------------------------------------------------ entropy
def binary_entropy(x) -> arb:
    """``H(x) = -x log2 x - (1-x) log2 (1-x)`` in bits (``H(0) = H(1) = 0``)."""
    x = _arb(x)
    ln2 = arb.const_log2()
    out = arb(0)
    if not (x.is_exact() and x.is_zero()):
        out -= x * x.log()
    y = 1 - x
    if not (y.is_exact() and y.is_zero()):
        out -= y * y.log()
    return out / ln2


def entropy_bits(masses: Sequence) -> arb:
    """Entropy (34) ``-sum f_k log2 f_k`` of a finite distribution given exactly."""
    fs = [to_fraction(m, f"masses[{i}]") for i, m in enumerate(masses)]
    if any(f < 0 for f in fs) or sum(fs) != 1:
        raise InputError("entropy: masses must be non-negative and sum to 1")
    with _prec(PREC):
        ln2 = arb.const_log2()
        tot = arb(0)
        for f in fs:
            if f > 0:
                a = _arb(f)
                tot -= a * a.log()
        return tot / ln2


def hazards(masses: Sequence) -> tuple[Fraction, ...]:
    """``h_k = f_k / sum_{i>=k} f_i`` (the last one is 1)."""
    fs = [to_fraction(m) for m in masses]
    out, tail = [], sum(fs, Fraction(0))
    for f in fs:
        out.append(f / tail)
        tail -= f
    return tuple(out)


def constraints36(masses: Sequence) -> tuple[bool, ...]:
    """(36) for ``k = 1..N-1``, decided exactly (``True`` = satisfied; its negation is (35))."""
    h = hazards(masses)
    return tuple(successor_ok(h[k], h[k + 1]) for k in range(len(h) - 1))


# ------------------------------------------------ critical distribution, E(f1)
def critical_hazards(f1, n: int) -> list[arb]:
    """First ``n`` hazards ``h_1 = f1, h_{k+1} = S(h_k)`` of Lemma 2's critical distribution."""
    with _prec(PREC):
        h = [_arb(f1)]
        for _ in range(n - 1):
            h.append(hazard_map(h[-1]))
        return h


def critical_entropy(f1, tol_bits: int = 80, max_terms: int = 2000) -> arb:
    """``E(f1)``: entropy of the critical distribution with first atom ``f1`` (Lemma 2), certified.

    ``sum_k M_k H(h_k)`` summed until the survival ``M_n < 2^-tol_bits``; the
    tail ``sum_{k>=n} M_k H(h_k)`` lies in ``[0, M_n / h_min]`` because
    ``H <= 1`` and the hazards after ``n`` stay above
    ``h_min = min(h_n, x*)`` (monotone convergence to ``x*``), so
    ``sum_{k>=n} M_k <= M_n / h_min``.  The returned ball contains ``E(f1)``.
    """
    f1 = to_fraction(f1, "f1")
    if not 0 < f1 < 1:
        raise InputError(f"f1 must be in (0, 1), got {f1}")
    with _prec(PREC):
        xstar = (3 - arb(5).sqrt()) / 2
        h, M, total = _arb(f1), arb(1), arb(0)
        eps = arb(2) ** (-tol_bits)
        for _ in range(max_terms):
            if M < eps:
                break
            total += M * binary_entropy(h)
            M *= 1 - h
            h = hazard_map(h)
        else:
            raise InputError(f"critical_entropy: survival did not fall below 2^-{tol_bits} in {max_terms} terms")
        hmin = h.lower() if h.lower() < xstar.lower() else xstar.lower()
        tail_hi = M.upper() / hmin
        return _add_interval(total, arb(0), tail_hi)


def _add_interval(x: arb, lo: arb, hi: arb) -> arb:
    """Ball containing ``x + [lo, hi]``."""
    mid = (lo + hi) / 2
    rad = ((hi - lo) / 2).upper()
    return x + mid + arb(0, rad)


# ---------------------------------------------------------- geometric (Sec. 5)
def geometric_entropy_expr(h=None):
    """Sec. 5's formula ``E = -(h log2 h + (1-h) log2 (1-h))/h`` (sympy)."""
    import sympy

    if h is None:
        h = sympy.Symbol("h", positive=True)
    elif not isinstance(h, sympy.Basic):
        f = to_fraction(h)
        h = sympy.Rational(f.numerator, f.denominator)
    return -(h * sympy.log(h, 2) + (1 - h) * sympy.log(1 - h, 2)) / h


def geometric_entropy_series(h, tol_bits: int = 80, max_terms: int = 10**6) -> arb:
    """Entropy of ``f_k = (1-h)^{k-1} h`` by direct summation of ``-f_k log2 f_k``, tail bounded.

    For ``k > n`` and ``f_k <= 1/e``, ``-f_k log2 f_k`` is increasing in ``f_k``, and
    ``-log2 f_k = -log2 h + (k-1)(-log2(1-h))`` is affine in k, so the tail is at most
    ``sum_{k>n} (1-h)^{k-1} h (a + (k-1) b)``, summed in closed form.

    Bound on the number of terms: ``f_k <= h e^{-h(k-1)} <= e^{-h(k-1)}``, which is below
    ``2^-m`` (``m = max(tol_bits, 2)``, so also below 1/3) once ``h(k-1) > m``, i.e. for
    ``k = floor(m/h) + 2``.  More than ``max_terms`` such terms is refused up front
    (:class:`InputError`); a sum that runs past the bound (the ball comparisons stayed
    undecided) raises :class:`Undecided`.
    """
    h = to_fraction(h, "h")
    if not 0 < h < 1:
        raise InputError(f"h must be in (0, 1), got {h}")
    bound = int(Fraction(max(tol_bits, 2)) / h) + 2
    if bound > max_terms:
        raise InputError(
            f"geometric_entropy_series: h = {h} needs up to {bound} terms for tol_bits={tol_bits} "
            f"(more than max_terms={max_terms}); use a larger h or raise max_terms"
        )
    with _prec(PREC):
        H, r = _arb(h), 1 - _arb(h)
        ln2 = arb.const_log2()
        a, b = -H.log() / ln2, -r.log() / ln2
        total, fk, k = arb(0), H, 1
        eps = arb(2) ** (-tol_bits)
        while True:
            total += fk * (a + (k - 1) * b)
            if fk < eps and fk < arb(1) / 3:
                break
            if k >= bound:
                raise Undecided(
                    f"geometric_entropy_series: f_k < 2^-{tol_bits} not decided after {k} terms "
                    f"(bound: floor(max(tol_bits, 2)/h) + 2 = {bound} for h = {h}) at {PREC} bits"
                )
            fk *= r
            k += 1
        # tail k > n: sum_{k>n} r^{k-1} h (a + (k-1) b) = r^n (a + b (n + r/(1-r)))   (n = k)
        n = k
        rn = r**n
        tail = rn * (a + b * (n + r / (1 - r)))
        return _add_interval(total, arb(0), tail.upper() + arb(0))


# ------------------------------------------------------ the limit f1 -> 0
def backward_phase_bounds(y, n: int, upper_bound_all: arb | None = None) -> tuple[Fraction, arb, arb]:
    """Bounds on ``E~(y) = lim_m E(S^{-m}(y))`` (the limit of E along one backward orbit).

    With ``x_m = S^{-m}(y)`` (exact rationals) and (51),
    ``E(x_{m+1}) - E(x_m) = H(x_{m+1}) - x_{m+1} E(x_m)`` lies in
    ``[H(x_{m+1}) - x_{m+1} U, H(x_{m+1})]``.  Once ``x_{n+1} <= 2^-8``,
    ``H(x_{m+1}) <= H(x_m)/2`` along the orbit (``x_{m+1} <= 2 x_m^2``), so the
    remaining increase is at most ``2 H(x_{n+1})``; and ``H(x)/x >= log2(1/x) >= 8 > U``
    makes every increment positive.  Returns ``(x_n, lower, upper)``:
    ``E(x_n) <= E~(y) <= E(x_n) + 2 H(x_{n+1})``.

    The "``< 8``" needed for positivity is checked here, not assumed: every
    increment is at most ``H(x_{m+1})``, so by induction
    ``E(x_m) <= E(x_n) + 2 H(x_{n+1})`` for all ``m >= n``; the returned upper
    end is verified to be ``< 8`` (``upper_bound_all``, if given, too).
    """
    x = to_fraction(y, "y")
    for _ in range(n):
        x = hazard_map_inverse(x)
    nxt = hazard_map_inverse(x)
    if nxt > Fraction(1, 256):
        raise InputError(f"backward_phase_bounds: x_(n+1) = {nxt} is above 2^-8; take more steps")
    if upper_bound_all is not None and not upper_bound_all < 8:
        raise InputError("backward_phase_bounds needs U < 8")
    e = critical_entropy(x)
    with _prec(PREC):
        up = e + 2 * binary_entropy(nxt)
        if not up < 8:
            raise NotCertified("backward_phase_bounds: E(x_n) + 2 H(x_(n+1)) is not certified < 8")
    return x, e, up


# Phases (points of one fundamental domain [2/10, S(2/10)) of S) where E~ is near its
# maximum and minimum; located by an arb scan of the domain (see limit_witnesses).
PHASE_HIGH = Fraction(669, 2500)
PHASE_LOW = Fraction(411, 2000)


def limit_witnesses(n: int = 5, y_high=PHASE_HIGH, y_low=PHASE_LOW):
    """Two backward orbits ``S^{-m}(y) -> 0`` along which ``E`` has different limits.

    Returns ``(low_interval, high_interval, certainty)`` where the intervals
    enclose ``E~(y_low)`` and ``E~(y_high)`` and ``certainty`` is the certified
    answer to ``E~(y_low) < E~(y_high)``.  TRUE proves that ``lim_{f1->0} E(f1)``
    does not exist: ``liminf <= E~(y_low) < E~(y_high) <= limsup``.
    """
    _, lo_l, lo_u = backward_phase_bounds(y_low, n)
    _, hi_l, hi_u = backward_phase_bounds(y_high, n)
    with _prec(PREC):
        low = _add_interval(arb(0), lo_l.lower(), lo_u.upper())
        high = _add_interval(arb(0), hi_l.lower(), hi_u.upper())
        return low, high, compare(arb(lo_u.upper()), arb(hi_l.lower()))


# ---------------------------------------------- upper bound over all of (36)
#: At most this many geometric grid points below ``switch`` in :func:`entropy_upper_bound`
#: (the default grid has 365).
MAX_GRID = 10**6


def _grid(delta: Fraction, ratio: Fraction, switch: Fraction, steps: int) -> list[Fraction]:
    """``delta, delta*ratio, ... < switch`` (geometric), then ``steps`` equal steps to 1.

    The geometric part has ``ceil(log(switch/delta)/log(ratio))`` points, so it ends for
    ``0 < delta`` and ``ratio > 1``; more than :data:`MAX_GRID` of them is refused.
    """
    if delta * ratio < switch and not (delta > 0 and ratio > 1):  # the loop below would not end
        raise InputError(
            f"entropy grid: need delta > 0 and ratio > 1 (got delta={delta}, ratio={ratio})"
        )
    pts = [delta]
    while pts[-1] * ratio < switch:
        if len(pts) >= MAX_GRID:
            raise InputError(
                f"entropy grid: delta={delta}, ratio={ratio}, switch={switch} give more than "
                f"{MAX_GRID} geometric grid points; raise delta or ratio"
            )
        pts.append(pts[-1] * ratio)
    pts.append(switch)
    step = (1 - switch) / steps
    for i in range(1, steps + 1):
        pts.append(switch + step * i)
    return pts


def _hsup(a: Fraction, b: Fraction) -> arb:
    half = Fraction(1, 2)
    if b <= half:
        return binary_entropy(b)
    if a >= half:
        return binary_entropy(a)
    return arb(1)


@dataclass(frozen=True)
class UpperBound:
    """Certified ``U``: every distribution satisfying all (36) has entropy ``<= bound``."""

    bound: Fraction
    sup_supersolution: Fraction
    prefix: Fraction
    delta: Fraction
    intervals: int
    iterations: int
    seconds: float
    #: ``max U_I`` over the intervals meeting ``[1/5, 1]``: a certified upper bound on the
    #: entropy of every (36)-feasible distribution with ``f_1 = h_1 >= 1/5``, e.g. on
    #: ``E(f1)`` for ``f1 >= 1/5`` (used to show ``sup_{f1} E(f1) = limsup_{f1->0} E(f1)``).
    first_hazard_at_least_fifth: Fraction | None = None
    #: the certificate itself: grid points ``a_0 < ... < a_n = 1`` and the values ``U_I`` of (*),
    #: so that a check can re-verify (*) independently
    points: tuple[Fraction, ...] = field(default=(), repr=False)
    values: tuple[Fraction, ...] = field(default=(), repr=False)


def entropy_upper_bound(delta: Fraction = Fraction(1, 2**30), ratio: Fraction = Fraction(21, 20),
                        switch: Fraction = Fraction(1, 20), steps: int = 1900,
                        max_iter: int = 400) -> UpperBound:
    """Certified upper bound on the entropy of every distribution satisfying (36).

    Proof.  Let ``V(x)`` be the sup of the entropy of (finite) hazard sequences
    ``x = h_1, h_2, ..., h_K = 1`` with ``h_{k+1} >= S(h_k)``.  By the chain
    rule their entropy is ``H(h_1) + (1 - h_1) * (entropy of the rest)``.
    Cover ``[delta, 1]`` by intervals ``I = [a, b]`` and let ``U_I`` be numbers with

        U_I >= sup_{x in I} H(x) + (1 - a) * max{U_J : b_J >= S(a)}   (*)

    Then ``V(x) <= U_I`` for ``x in I`` by induction on the length (a next hazard
    ``y >= S(x) >= S(a)`` lies in some ``J`` with ``b_J >= S(a)``).  Hazards
    below ``delta`` can only come first (``S(x) >= S(delta) > delta``
    afterwards), and a run of them ``h_1 < ... < h_r < delta`` has
    ``h_{r-m} <= S^{-m}(delta)``, so their entropy terms add at most
    ``sum_m H(S^{-m}(delta)) <= 2 H(delta)`` (``delta <= 2^-8``).  Hence every
    feasible distribution has entropy ``<= 2 H(delta) + max_I U_I``.

    The ``U_I`` are found by value iteration in arb (a suggestion) and (*) is
    then verified for every interval with certified arithmetic on the exact
    dyadic upper endpoints.  Infinite distributions are covered too: their
    entropy is the limit of finite truncations that put the remaining mass
    in one last atom (hazard 1), which stay feasible.
    """
    t0 = time.perf_counter()
    pts = _grid(delta, ratio, switch, steps)
    n = len(pts) - 1
    with _prec(96):
        hs = [_hsup(pts[i], pts[i + 1]) for i in range(n)]
        disc = [1 - _arb(pts[i]) for i in range(n)]
        # index of the first interval J with b_J >= S(a_I) (lower bound of S(a))
        nxt = []
        for i in range(n):
            s_lo = _exact(hazard_map(pts[i]).lower())
            lo, hi = 0, n - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if pts[mid + 1] >= s_lo:
                    hi = mid
                else:
                    lo = mid + 1
            nxt.append(lo)
        U = [Fraction(0)] * n
        iters = 0
        for iters in range(1, max_iter + 1):
            suffix = [Fraction(0)] * (n + 1)
            for j in range(n - 1, -1, -1):
                suffix[j] = max(suffix[j + 1], U[j])
            new = []
            for i in range(n):
                val = hs[i] + disc[i] * _arb(suffix[nxt[i]])
                new.append(_round_up(_exact(val.upper())))
            if new == U:
                break
            U = new
        # slack so that rounding inside (*) cannot matter; then verify (*) exactly
        slack = Fraction(1, 2**40)
        U = [u + slack for u in U]
        suffix = [Fraction(0)] * (n + 1)
        for j in range(n - 1, -1, -1):
            suffix[j] = max(suffix[j + 1], U[j])
        for i in range(n):
            val = hs[i] + disc[i] * _arb(suffix[nxt[i]])
            if not val < _arb(U[i]):
                raise NotCertified(f"supersolution check failed on interval {i} [{pts[i]}, {pts[i + 1]}]")
        prefix = _exact((2 * binary_entropy(delta)).upper())
    top = max(U)
    fifth = max((U[i] for i in range(n) if pts[i + 1] > Fraction(1, 5)), default=None)  # every I meeting [1/5, 1]
    return UpperBound(top + prefix, top, prefix, delta, n, iters, time.perf_counter() - t0, fifth,
                      tuple(pts), tuple(U))


def _round_up(x: Fraction, bits: int = 64) -> Fraction:
    """Smallest multiple of ``2^-bits`` that is ``>= x`` (keeps the numbers short)."""
    scale = 2**bits
    num = -((-x.numerator * scale) // x.denominator)
    return Fraction(num, scale)


# ---------------------------------------------------- explicit feasible witness
#: Extra ``2^-bits`` steps :func:`feasible_witness` may take per atom to satisfy (37)
#: (none are needed: the rounded-up upper end of the ball for ``S(h)`` is ``>= S(h)``).
WITNESS_NUDGES = 64

def feasible_witness(f1: Fraction | None = None, atoms: int = 70, bits: int = 64) -> tuple[tuple[Fraction, ...], arb]:
    """A finite rational distribution satisfying every (36) exactly, with high entropy.

    Hazards follow the binding recursion, each rounded *up* to a multiple of
    ``2^-bits`` (so (37) holds, checked exactly with :func:`successor_ok`); the
    last atom takes the remaining mass (hazard 1).  Default first atom:
    ``S^{-5}(PHASE_HIGH)``.  Returns ``(masses, entropy ball)``.
    """
    if f1 is None:
        f1 = PHASE_HIGH
        for _ in range(5):
            f1 = hazard_map_inverse(f1)
    h = [to_fraction(f1)]
    with _prec(PREC):
        while len(h) < atoms - 1:
            y = _round_up(_exact(hazard_map(h[-1]).upper()), bits)
            # y >= the ball's upper end >= S(h[-1]) already; allow a few extra ulps, not more
            for _ in range(WITNESS_NUDGES):
                if successor_ok(h[-1], y):
                    break
                y += Fraction(1, 2**bits)
            else:
                raise NotCertified(
                    f"feasible_witness: atom {len(h) + 1} does not satisfy (37) after rounding "
                    f"S(h_{len(h)}) up and {WITNESS_NUDGES} nudges of 2^-{bits} (bound: rounding up "
                    "the certified upper end of S(h) suffices, with no nudge)"
                )
            h.append(y)
    h.append(Fraction(1))
    masses, M = [], Fraction(1)
    for x in h:
        masses.append(M * x)
        M -= M * x
    if sum(masses) != 1 or not all(constraints36(masses)):  # pragma: no cover - guarded by construction
        raise NotCertified("feasible_witness: the rounded distribution violates (36) or does not sum to 1")
    with _prec(PREC):  # a fixed working precision: the ball does not depend on the caller's ctx.prec
        return tuple(masses), entropy_bits(masses)


# -------------------------------------------------- Lemma 8: monotonicity of E^
@dataclass(frozen=True)
class Lemma8Monotone:
    """``a(h) < 0`` on ``[s0, 1)``, so ``E^`` is non-increasing there, with ``s0 <= S(y_0)``."""

    E_star_upper: Fraction     # the E* upper end used for y_0 = 1/(1 + 2^E*)
    s0: Fraction               # a rational lower bound of S(y_0)
    log_ratio_upper: Fraction  # >= log2((1 - s0)/s0)
    window: tuple[Fraction, Fraction]   # [xl, xr] contains S([s0, 1/2])
    E_hat_lower: Fraction      # <= min of E^ over the window
    boxes: int
    terms: int
    prec: int


def _E_hat_box_lower(u: Fraction, v: Fraction, terms: int) -> arb:
    """Lower ball for ``min_{x in [u, v]} E^(x)``: the first ``terms`` chain-rule terms with interval
    hazards (S increasing: endpoints mapped), survival from the upper hazards, H concave (min at
    an endpoint); the dropped tail is >= 0."""
    lo, hi = to_arb(u), to_arb(v)
    M, tot = arb(1), arb(0)
    for _ in range(terms):
        hmin = binary_entropy(lo)
        hmax_end = binary_entropy(hi)
        tot += M * (hmin if hmin < hmax_end else hmax_end if hmax_end < hmin else arb(hmin.lower()))
        M = M * (1 - hi)
        lo, hi = arb(hazard_map(lo).lower()), arb(hazard_map(hi).upper())
    return tot


def lemma8_monotone(E_star_upper: Fraction, boxes: int = 16, terms: int = 30, prec: int = 128) -> Lemma8Monotone:
    """Lemma 8's monotonicity step: ``E^`` is non-increasing on ``[S(y_0), 1)``, ``y_0 = 1/(1 + 2^E*)``.

    Certifies ``a(h) = log2((1-h)/h) - E^(S(h)) < 0`` on ``[s_0, 1/2]`` (``s_0 <= S(y_0)``; for
    ``h > 1/2`` it is automatic), which makes ``E^' = sum_k P_k a(h_k) < 0`` along every orbit in
    ``[s_0, 1)``.  With it, ``lim_K E_K* = sup_K E_K* = E*`` for every K (the argument is in
    :mod:`.entropy_finite`).  ``E_star_upper``: a certified upper end of ``E*``.
    """
    E_star_upper = Fraction(E_star_upper)
    if not 3 <= E_star_upper < 8:
        raise InputError(f"E_star_upper must be a certified upper end of E* in [3, 8), got {E_star_upper}")
    with _prec(prec):
        y0 = 1 / (1 + arb(2) ** to_arb(E_star_upper))            # <= 1/(1 + 2^E*)
        s0 = _exact(hazard_map(arb(y0.lower())).lower())
        xstar = (3 - arb(5).sqrt()) / 2
        if not to_arb(s0) < xstar:
            raise NotCertified("Lemma 8: s0 is not below the fixed point")
        ratio = ((1 - to_arb(s0)) / to_arb(s0)).log() / arb.const_log2()
        log_up = _exact(ratio.upper())
        xl = _exact(hazard_map(s0).lower())
        xr = _exact(hazard_map(Fraction(1, 2)).upper())
        step = (xr - xl) / boxes
        lows = [_E_hat_box_lower(xl + step * i, xl + step * (i + 1), terms) for i in range(boxes)]
        low = min(_exact(b.lower()) for b in lows)
    if not low > log_up:
        raise NotCertified(f"Lemma 8: E^ >= {fmt_lower(low, 4)} on the window does not exceed "
                           f"log2((1-s0)/s0) <= {decimal_up(log_up, 4)}")
    return Lemma8Monotone(E_star_upper, s0, log_up, (xl, xr), low, boxes, terms, prec)


# ------------------------------------------------------------- the bound E*
#: defaults of :func:`entropy_bound` (working precision in bits, box budget per search, target width)
DEFAULT_PREC = 104
DEFAULT_MAX_BOXES = 4000
DEFAULT_WIDTH = Fraction(1, 10**12)


@dataclass(frozen=True)
class EntropyBound:
    """Certified facts about ``E*`` (Theorem 2).

    ``lower``/``upper``: exact rationals with
    ``lower <= E* = limsup_{f1->0} E(f1) = sup_{f1} E(f1) <= upper`` (backward-orbit
    branch-and-bound, :mod:`.entropy_phase`, replayed by :mod:`.entropy_replay`);
    ``liminf_lower <= liminf_{f1->0} E(f1) <= liminf_upper`` likewise.
    ``feasible_lower``/``feasible_upper`` enclose the sup of the entropy over *all*
    distributions satisfying every (36) (``= sup_K E_K*``, which Theorem 2's chain uses):
    an explicit rational witness and the certified supersolution.  Whether that sup equals
    ``E*`` is Lemma 8, decided (yes) by :mod:`.entropy_finite`.  ``limit_exists`` is FALSE when
    ``liminf_upper < lower``.  ``target_met`` is False only for an honest, wider enclosure
    (``entropy_bound(strict=False)`` with a box budget that ran out).
    """

    lower: Fraction
    upper: Fraction
    liminf_lower: Fraction
    liminf_upper: Fraction
    feasible_lower: Fraction
    feasible_upper: Fraction
    limit_exists: Certainty
    witness_atoms: int
    upper_detail: UpperBound
    sup_certificate: object = field(repr=False)
    inf_certificate: object = field(repr=False)
    replay_sup: object = field(repr=False)
    replay_inf: object = field(repr=False)
    target_met: bool = True
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())
    #: :func:`.entropy_sup_replay.replay_sup_feasible` of ``sup_feasible`` (supersolution and witness)
    replay_feasible: object = field(default=None, repr=False)
    #: Lemma 8's monotonicity step (:func:`lemma8_monotone`) and its independent replay's summary:
    #: with them ``sup_K E_K* = E*``, so ``sup_feasible`` is ``E*`` (its own enclosure stays as computed)
    lemma8: object = field(default=None, repr=False)
    lemma8_replay: str = ""

    @property
    def limsup_lower(self) -> Fraction:
        return self.lower

    @property
    def replayed(self) -> bool:
        """Both certificates re-verified by the independent replayer (and ``sup_feasible`` by
        :mod:`.entropy_sup_replay` when it was replayed)."""
        feasible = self.replay_feasible is None or self.replay_feasible.ok
        return bool(self.replay_sup.ok and self.replay_inf.ok and feasible)

    @property
    def digits(self) -> str:
        """The decimal digits certified: ``E*`` lies in ``[d, d + 10^-k)`` for the returned ``d``."""
        return certified_digits(self.lower, self.upper)

    def as_dict(self) -> dict:
        from ..numbers import fmt_decimal

        def both(x):
            return {"exact": str(x), "decimal": fmt_decimal(x, 12)}

        def enclosure(lo, hi):
            return {"lower": fmt_lower(lo, 15), "upper": decimal_up(hi, 15),
                    "lower_exact": str(lo), "upper_exact": str(hi),
                    "width": decimal_up(hi - lo, 15), "digits": certified_digits(lo, hi)}

        sc, ic = self.sup_certificate, self.inf_certificate
        return {
            "E_star": enclosure(self.lower, self.upper),
            "liminf": enclosure(self.liminf_lower, self.liminf_upper),
            "what": "E* = limsup_{f1->0} E(f1) = sup_{f1} E(f1) (E(f1): entropy of the critical "
                    "distribution of Lemma 2); liminf_{f1->0} E(f1) is smaller, so lim_{f1->0} E(f1) "
                    "does not exist. sup_feasible: the sup of the entropy over every distribution "
                    "satisfying all (36) (= sup_K E_K*, what Theorem 2's chain needs); whether it "
                    "equals E* is Lemma 8: yes, for every K (key lemma8; E_K* for K = 2..12 in "
                    "exactscreen.persuasion.entropy_finite, check test_lemma8_finite_K_and_limit)",
            "lemma8": (None if self.lemma8 is None else {
                "sup_feasible_equals_E_star": True,
                "statement": "lim_K E_K* = sup_K E_K* = sup_f E^(f) = E* (Lemma 8; every K)",
                "method": "W_n <= G(s) = sup_(x>=s) E^(x) by induction on the hazard DP, using (51), concavity "
                          "in the first hazard and E^ non-increasing on [S(y0), 1), y0 = 1/(1+2^E*) "
                          "(docs/persuasion.md)",
                "s0": fmt_lower(self.lemma8.s0, 12),
                "log2_ratio_at_most": decimal_up(self.lemma8.log_ratio_upper, 12),
                "E_hat_on_window_at_least": fmt_lower(self.lemma8.E_hat_lower, 12),
                "boxes": self.lemma8.boxes, "terms": self.lemma8.terms,
                "working_precision_bits": self.lemma8.prec,
                "replay": {"ok": True, "by": "exactscreen.persuasion.entropy_finite_replay",
                           "summary": self.lemma8_replay}}),
            "E_star_rounds_to_3_04": Fraction(3035, 1000) <= self.lower and self.upper < Fraction(3045, 1000),
            "limit_f1_to_0_exists": self.limit_exists.value == "true",
            "limit_certificate": {"liminf_at_most": both(self.liminf_upper), "limsup_at_least": both(self.lower)},
            "sup_feasible": {"lower": fmt_lower(self.feasible_lower, 12),
                             "upper": decimal_up(self.feasible_upper, 12),
                             "lower_exact": str(self.feasible_lower), "upper_exact": str(self.feasible_upper)},
            "log2_8": "3", "log2_9": "3.169925001442…",
            "log2_8_lt_lower": self.lower > 3,
            "upper_lt_log2_9": True,
            "method": {
                "E_star": "backward-orbit representation of E on the fundamental domain [9/49, 3/10] of "
                          "the hazard map, certified tails, interval branch-and-bound with second-order "
                          "Taylor bounds in arb (docs/persuasion.md)",
                "sup_feasible_upper": f"supersolution on {self.upper_detail.intervals} hazard intervals, "
                                      f"{self.upper_detail.iterations} iterations, delta={self.upper_detail.delta}",
                "sup_feasible_lower": f"explicit rational distribution with {self.witness_atoms} atoms "
                                      "satisfying (36) exactly"},
            "certificate": {
                "working_precision_bits": sc.prec,
                "boxes": {"limsup": len(sc.boxes), "liminf": len(ic.boxes)},
                "evaluated_boxes": {"limsup": sc.evaluated, "liminf": ic.evaluated},
                "box_budget": sc.budget,
                "target_width": fmt_decimal(sc.target_width, 15),
                "target_met": self.target_met,
                "limsup_witness": str(sc.witness), "liminf_witness": str(ic.witness),
                "replay": {"ok": self.replayed, "by": "exactscreen.persuasion.entropy_replay",
                           "precision_bits": self.replay_sup.prec,
                           "limsup": self.replay_sup.summary(), "liminf": self.replay_inf.summary(),
                           "sup_feasible": (None if self.replay_feasible is None
                                            else self.replay_feasible.summary())},
            },
            "seconds": f"{self.seconds:.2f}",
        }

    def _repr_html_(self) -> str:
        """Jupyter: the certified enclosures of ``E*`` and of the liminf (Theorem 2), exact rational
        ends with their decimals rounded outward, the certified digits and the replay."""
        from .. import notebook as nb

        def ends(lo: Fraction, hi: Fraction) -> nb.Html:
            return nb.Html(f"[{nb.esc(fmt_lower(lo, 15))}, {nb.esc(decimal_up(hi, 15))}]"
                           f"<br><small>exact: [{nb.esc(str(lo))}, {nb.esc(str(hi))}]</small>")

        rows = [
            ["E* = limsup_{f1→0} E(f1) = sup E(f1)", ends(self.lower, self.upper), self.digits],
            ["liminf_{f1→0} E(f1)", ends(self.liminf_lower, self.liminf_upper),
             certified_digits(self.liminf_lower, self.liminf_upper)],
            ["sup of the entropy over all (36)-feasible distributions", ends(self.feasible_lower, self.feasible_upper),
             certified_digits(self.feasible_lower, self.feasible_upper)],
        ]
        facts = [("lim_{f1→0} E(f1) exists", self.limit_exists.value),
                 ("E* > log2 8 = 3 (certified)", "yes" if self.lower > 3 else "no"),
                 ("certificates replayed by independent code", "yes" if self.replayed else "no"),
                 ("target width met", "yes" if self.target_met else "no (a wider, still certified enclosure)"),
                 ("seconds", f"{self.seconds:.2f}")]
        parts = [nb.table(["quantity", "certified enclosure (decimals rounded outward)", "certified digits"], rows),
                 nb.kv_table(facts)]
        parts += [str(n) for n in self.notes]
        return nb.block("Entropy bound (Theorem 2)", *parts)

    def __repr__(self) -> str:
        return (f"EntropyBound(E* in [{fmt_lower(self.lower, 15)}, {decimal_up(self.upper, 15)}], liminf in "
                f"[{fmt_lower(self.liminf_lower, 15)}, {decimal_up(self.liminf_upper, 15)}], "
                f"limit_exists={self.limit_exists.value}, replayed={self.replayed})")


def certified_digits(lo: Fraction, hi: Fraction, max_digits: int = 15) -> str:
    """Longest truncation ``d`` (at most ``max_digits`` decimals) with ``d <= lo <= hi < d + 10^-k``, plus ``…``."""
    if lo < 0 or hi < lo:
        raise InputError("certified_digits needs 0 <= lo <= hi")
    best = str(lo.numerator // lo.denominator)
    for k in range(1, max_digits + 1):
        s = 10**k
        a, b = (lo.numerator * s) // lo.denominator, (hi.numerator * s) // hi.denominator
        if a != b:
            break
        whole, frac = divmod(a, s)
        best = f"{whole}.{str(frac).rjust(k, '0')}"
    return best + "…"


def fmt_lower(x: Fraction, digits: int = 12) -> str:
    """Decimal string ``<= x`` (truncation) for lower bounds, without the ``…`` marker."""
    from ..numbers import fmt_decimal

    return fmt_decimal(x, digits).rstrip("…")


def decimal_up(x: Fraction, digits: int) -> str:
    """Decimal string ``>= x`` with ``digits`` places (for upper bounds)."""
    scale = 10**digits
    num = -((-x.numerator * scale) // x.denominator)
    whole, frac = divmod(num, scale)
    return f"{whole}.{str(frac).rjust(digits, '0')}"


def entropy_bound(fast: bool = False, prec: int = DEFAULT_PREC, max_boxes: int = DEFAULT_MAX_BOXES,
                  width=DEFAULT_WIDTH, strict: bool = True) -> EntropyBound:
    """Certified, replayed enclosures of ``E* = limsup_{f1->0} E(f1)`` and of the liminf.

    ``prec``: working precision (bits) of the search; ``max_boxes``: box budget of each of the two
    searches; ``width``: target width of each enclosure.  When a budget runs out before the
    target is met, ``strict`` raises :class:`InputError` naming the parameter; otherwise the
    (certified, wider) enclosure is returned with ``target_met=False``.  Both certificates are
    re-verified by :mod:`.entropy_replay` (independent code), and ``sup_feasible`` (the
    supersolution grid and the witness) by :mod:`.entropy_sup_replay`; a failed replay raises
    :class:`NotCertified`.  ``fast`` only coarsens the supersolution bound on ``sup_feasible``.
    """
    from .entropy_phase import phase_search
    from .entropy_replay import replay_phase_certificate

    t0 = time.perf_counter()
    width = to_fraction(width, "width")
    sup_c = phase_search("sup", prec=prec, max_boxes=max_boxes, width=width)
    inf_c = phase_search("inf", prec=prec, max_boxes=max_boxes, width=width)
    met = sup_c.target_met and inf_c.target_met
    if strict and not met:
        worst = max(sup_c.upper - sup_c.lower, inf_c.upper - inf_c.lower)
        raise InputError(
            f"entropy bound: box budget {max_boxes} (--max-boxes) at {prec} bits (--prec) reached width "
            f"{decimal_up(worst, 15)}, above the target {width} (--width); raise --max-boxes or --prec, or widen --width")
    rs, ri = replay_phase_certificate(sup_c.plain()), replay_phase_certificate(inf_c.plain())
    if not (rs.ok and ri.ok):
        raise NotCertified("entropy bound: the independent replay rejected a certificate: "
                           + (rs.summary() if not rs.ok else ri.summary()))
    ub = entropy_upper_bound(steps=400, ratio=Fraction(6, 5)) if fast else entropy_upper_bound()
    with _prec(PREC):
        if not ub.bound < 8:
            raise NotCertified("upper bound unexpectedly >= 8")
        masses, ent = feasible_witness()
        log2_9 = arb(9).log() / arb.const_log2()
        if not to_arb(ub.bound) < log2_9 or not sup_c.upper <= ub.bound:
            raise NotCertified("upper bound not below log2 9, or below the limsup")
    from .entropy_sup_replay import replay_sup_feasible

    rf = replay_sup_feasible(ub.points, ub.values, ub.prefix, ub.bound, masses, _exact(ent.lower()))
    if not rf.ok:
        raise NotCertified("entropy bound: the independent replay rejected sup_feasible: " + rf.summary())
    from .entropy_finite_replay import replay_lemma8

    l8 = lemma8_monotone(sup_c.upper)
    l8_ok, l8_why = replay_lemma8(l8.E_star_upper, l8.s0, l8.log_ratio_upper, l8.window)
    if not l8_ok:
        raise NotCertified("entropy bound: the independent replay rejected Lemma 8's monotonicity step: " + l8_why)
    limit = Certainty.FALSE if inf_c.upper < sup_c.lower else Certainty.UNDECIDED
    return EntropyBound(
        lower=sup_c.lower, upper=sup_c.upper, liminf_lower=inf_c.lower, liminf_upper=inf_c.upper,
        feasible_lower=_exact(ent.lower()), feasible_upper=ub.bound, limit_exists=limit,
        witness_atoms=len(masses), upper_detail=ub, sup_certificate=sup_c, inf_certificate=inf_c,
        replay_sup=rs, replay_inf=ri, target_met=met, seconds=time.perf_counter() - t0,
        replay_feasible=rf, lemma8=l8, lemma8_replay=l8_why,
    )
