"""Screening with persuasion on finitely many values, exactly.

Bergemann, Heumann & Morris, *Screening with persuasion* (arXiv 2212.03360v2),
Sections 3-5.  A buyer with value ``v`` who buys quality ``q`` at price ``p``
gets ``v q - p`` (eq. (1)).  The latent values are ``0 <= v_1 < ... < v_N``
with atoms ``f_1, ..., f_N`` (exact :class:`~fractions.Fraction`, summing to
one).  The seller chooses an information structure (what the buyer learns
about ``v``) and a menu.

Primer
------
*Complete disclosure, fixed inventory (Sec. 3).*  Qualities
``q_1 <= ... <= q_N`` with the same atoms are sold assortatively; the prices
(9) are ``P(q_i) = v_1 q_1 + sum_{j=2..i} (q_j - q_{j-1}) v_j`` and the profit
(10) is ``v_1 q_1 + sum_{i>=2} (q_i - q_{i-1}) v_i (1 - F_{i-1})``.

*Discrete virtual values* (8): ``phi_i = v_i - (v_{i+1} - v_i) (sum_{j>i} f_j)/f_i``
(``phi_N = v_N``).  Lemma 1: without persuasion the profit-maximizing allocation is
efficient iff the ``phi_i`` increase and are positive.

*Pooling.*  A *monotone partition* cuts the atoms into consecutive cells; a
buyer learns only the cell, so its expected value is the cell mean (Sec. 4.5,
(32)).  With cell masses ``m_k``, means ``vbar_k``, qualities ``qbar_k`` and
survival ``S_k = sum_{j>=k} m_j`` the revenue of the assortative menu is again
(10): ``sum_k (qbar_k - qbar_{k-1}) vbar_k S_k`` (``qbar_0 = 0``), the identity
behind Lemma 3's ``Delta Pi`` and Proposition 2's bilinear form (22).

*Costs.*  A fixed inventory (33) is a distribution ``G`` of qualities the
seller may pool and discard at zero cost (any ``Gbar`` below ``G`` in the
increasing convex order); a separable cost (3) charges ``c(q)`` per unit,
here the linear-quadratic ``c(q) = alpha q + beta q^2/2 + gamma`` of (55).

Everything here is exact rational arithmetic; the conditions (14), (15), (35)
involve a square root but are decided exactly by squaring (both sides are
non-negative where it matters).

References
----------
D. Bergemann, T. Heumann, S. Morris, "Screening with persuasion", 2025,
Sections 3 (eqs. (8)-(16)), 4.2-4.6 (Propositions 2-4, Corollaries 2-3, (33)),
5 (Proposition 5, (35)-(37)) and Appendix (Lemmas 3-4, (39)-(40)).
A. Kleiner, B. Moldovanu, P. Strack, "Extreme points and majorization",
Econometrica 89 (2021) (monotone partitions are the extreme points).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Sequence

from ..exceptions import InputError, NotCertified
from ..numbers import to_fraction

__all__ = [
    "FiniteValues",
    "Inventory",
    "QuadraticCost",
    "PartitionMechanism",
    "virtual_values",
    "lemma1_condition",
    "complete_disclosure_prices",
    "complete_disclosure_profit",
    "direct_revenue",
    "cells_of",
    "pool",
    "assortative_revenue",
    "same_quantile_qualities",
    "lower_pooling_difference",
    "lower_pooling_difference_at_zero",
    "eq16_terms",
    "pooling_gain",
    "pooling_gain_top_pair",
    "condition14",
    "condition15",
    "condition35",
    "condition39",
    "condition40",
    "iron",
    "partition_mechanism",
    "optimal_partition",
    "complete_disclosure_optimum",
    "all_partitions",
    "information_lp",
    "screening_lp",
    "uniform_values",
]

EXHAUSTIVE_MAX_N = 10
"""``optimal_partition(method="auto")`` enumerates all partitions up to this N."""
DP_MAX_N = 60
"""Refuse the interval DP beyond this N (O(N^3) / O(N^4) exact Fraction work)."""


# ---------------------------------------------------------------- data types
def _fractions(items: Iterable, field_name: str) -> tuple[Fraction, ...]:
    try:
        seq = list(items)
    except TypeError as exc:
        raise InputError(f"{field_name}: expected a list of numbers") from exc
    return tuple(to_fraction(x, f"{field_name}[{i}]") for i, x in enumerate(seq))


@dataclass(frozen=True)
class FiniteValues:
    """Latent value distribution: ``values[i]`` with probability ``masses[i]``.

    Values strictly increasing and non-negative, masses positive and summing
    to one (Sec. 3: ``0 < v_1 < ... < v_N``; ``v_1 = 0`` is allowed here).
    """

    values: tuple[Fraction, ...]
    masses: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        v, f = self.values, self.masses
        if len(v) == 0:
            raise InputError("values: need at least one value")
        if len(v) != len(f):
            raise InputError(f"values and probabilities differ in length ({len(v)} vs {len(f)})")
        for i, x in enumerate(v):
            if not isinstance(x, Fraction):
                raise InputError(f"values[{i}]: internal error, not a Fraction (use FiniteValues.of)")
        if v[0] < 0:
            raise InputError(f"values: must be non-negative, got {v[0]}")
        for i in range(len(v) - 1):
            if not v[i] < v[i + 1]:
                raise InputError(
                    f"values: must be strictly increasing, but v{i + 1}={v[i]} >= v{i + 2}={v[i + 1]}"
                )
        for i, m in enumerate(f):
            if not isinstance(m, Fraction) or m <= 0:
                raise InputError(f"probabilities[{i}]: must be a positive number, got {m}")
        if sum(f) != 1:
            raise InputError(f"probabilities: must sum to 1, they sum to {sum(f)}")

    @classmethod
    def of(cls, values: Sequence, masses: Sequence) -> "FiniteValues":
        """Parse exact numbers (``"3/4"``, ``"0.75"``, ints, Fractions; floats refused)."""
        return cls(_fractions(values, "values"), _fractions(masses, "probabilities"))

    @property
    def n(self) -> int:
        return len(self.values)

    def survival(self, i: int) -> Fraction:
        """``sum_{j >= i} f_j`` (0-based ``i``)."""
        return sum(self.masses[i:], Fraction(0))

    def cumulative(self) -> tuple[Fraction, ...]:
        """Quantile breakpoints ``(0, F_1, ..., F_N = 1)``."""
        out = [Fraction(0)]
        for m in self.masses:
            out.append(out[-1] + m)
        return tuple(out)

    def mean(self) -> Fraction:
        return sum((v * m for v, m in zip(self.values, self.masses)), Fraction(0))

    def is_uniformly_distanced(self) -> bool:
        """``v_{i+1} - v_i`` constant (Sec. 3, before Corollary 1)."""
        d = [self.values[i + 1] - self.values[i] for i in range(self.n - 1)]
        return all(x == d[0] for x in d)

    def __repr__(self) -> str:
        rows = ", ".join(f"{v}:{m}" for v, m in zip(self.values, self.masses))
        return f"FiniteValues({rows})"

    def _repr_html_(self) -> str:
        """Jupyter: the atoms (value, probability), exact with decimals."""
        from .. import notebook as nb

        rows = [[f"{i + 1}", v, m] for i, (v, m) in enumerate(zip(self.values, self.masses))]
        return nb.block(f"Values: {self.n} atom(s), mean {nb.fmt(self.mean())}",
                        nb.table(["atom", "value", "probability"], rows))


def uniform_values(n: int, start: object = 1, step: object = 1) -> FiniteValues:
    """``n`` uniformly distanced values ``start, start+step, ...`` with equal atoms ``1/n``."""
    a, d = to_fraction(start, "start"), to_fraction(step, "step")
    return FiniteValues(tuple(a + d * i for i in range(n)), tuple(Fraction(1, n) for _ in range(n)))


@dataclass(frozen=True)
class Inventory:
    """Fixed inventory (33): mass ``masses[j]`` of quality ``qualities[j]``.

    Qualities strictly increasing and non-negative, masses positive summing to
    one (the buyers' mass).  The seller may pool and discard at zero cost.
    """

    qualities: tuple[Fraction, ...]
    masses: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        q, g = self.qualities, self.masses
        if not q or len(q) != len(g):
            raise InputError("inventory: need equally many qualities and masses (at least one)")
        if q[0] < 0:
            raise InputError(f"inventory: qualities must be non-negative, got {q[0]}")
        for i in range(len(q) - 1):
            if not q[i] < q[i + 1]:
                raise InputError(f"inventory: qualities must be strictly increasing ({q[i]} >= {q[i + 1]})")
        if any(m <= 0 for m in g):
            raise InputError("inventory: masses must be positive")
        if sum(g) != 1:
            raise InputError(f"inventory: masses must sum to 1, they sum to {sum(g)}")

    @classmethod
    def of(cls, qualities: Sequence, masses: Sequence) -> "Inventory":
        return cls(_fractions(qualities, "qualities"), _fractions(masses, "inventory masses"))

    @classmethod
    def aligned(cls, dist: FiniteValues, qualities: Sequence) -> "Inventory":
        """Sec. 3's inventory: quality ``q_i`` with the same atom ``f_i`` as ``v_i``."""
        qs = _fractions(qualities, "qualities")
        if len(qs) != dist.n:
            raise InputError(f"qualities: need one quality per value ({dist.n}), got {len(qs)}")
        return cls(qs, dist.masses)

    def tail_integral(self, t: Fraction) -> Fraction:
        """``Gamma(t) = int_t^1 G^{-1}(s) ds`` (exact, piecewise linear in t)."""
        total, lo = Fraction(0), Fraction(0)
        for q, m in zip(self.qualities, self.masses):
            hi = lo + m
            if hi > t:
                total += q * (hi - max(lo, t))
            lo = hi
        return total

    def mean_on(self, a: Fraction, b: Fraction) -> Fraction:
        """Average of ``G^{-1}`` over the quantile interval ``[a, b)``."""
        return (self.tail_integral(a) - self.tail_integral(b)) / (b - a)


@dataclass(frozen=True)
class QuadraticCost:
    """Separable cost (3) with ``c(q) = alpha q + beta q^2 / 2 + gamma`` ((55)), ``beta > 0``."""

    alpha: Fraction = Fraction(0)
    beta: Fraction = Fraction(1)
    gamma: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        for name in ("alpha", "beta", "gamma"):
            object.__setattr__(self, name, to_fraction(getattr(self, name), f"cost.{name}"))
        if self.beta <= 0:
            raise InputError(f"cost.beta must be positive (convex cost), got {self.beta}")
        if self.alpha < 0 or self.gamma < 0:
            raise InputError("cost.alpha and cost.gamma must be non-negative")

    def __call__(self, q: Fraction) -> Fraction:
        return self.alpha * q + self.beta * q * q / 2 + self.gamma

    def quality(self, phi: Fraction) -> Fraction:
        """``argmax_{q >= 0} phi q - c(q) = max((phi - alpha)/beta, 0)``."""
        return max((phi - self.alpha) / self.beta, Fraction(0))


# --------------------------------------------------------- (8), Lemma 1, (9)-(10)
def virtual_values(values: Sequence[Fraction], masses: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """Discrete virtual values (8): ``phi_i = v_i - (v_{i+1} - v_i) sum_{j>i} f_j / f_i``.

    The top atom has ``phi_N = v_N`` (empty sum).  Works for any atoms, e.g.
    the cells of a partition (then they are the ``phi`` of Lemma 4).
    """
    n = len(values)
    out = []
    for i in range(n):
        if i == n - 1:
            out.append(values[i])
        else:
            tail = sum(masses[i + 1:], Fraction(0))
            out.append(values[i] - (values[i + 1] - values[i]) * tail / masses[i])
    return tuple(out)


def lemma1_condition(dist: FiniteValues) -> tuple[bool, bool]:
    """Lemma 1's test: ``(weak, strict)``.

    ``weak``: ``phi`` non-decreasing and ``>= 0`` (the efficient allocation is *an*
    optimum); ``strict``: ``phi`` strictly increasing and ``> 0`` (every optimum is
    efficient).  The paper's "increasing ... greater than 0" is the strict one.
    """
    phi = virtual_values(dist.values, dist.masses)
    weak = phi[0] >= 0 and all(phi[i] <= phi[i + 1] for i in range(len(phi) - 1))
    strict = phi[0] > 0 and all(phi[i] < phi[i + 1] for i in range(len(phi) - 1))
    return weak, strict


def complete_disclosure_prices(values: Sequence[Fraction], qualities: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """Prices (9): ``P(q_i) = v_1 q_1 + sum_{j=2..i} (q_j - q_{j-1}) v_j``."""
    out, p = [], Fraction(0)
    for i, (v, q) in enumerate(zip(values, qualities)):
        p = v * q if i == 0 else p + (q - qualities[i - 1]) * v
        out.append(p)
    return tuple(out)


def complete_disclosure_profit(dist: FiniteValues, qualities: Sequence[Fraction]) -> Fraction:
    """Profit (10): ``v_1 q_1 + sum_{i>=2} (q_i - q_{i-1}) v_i (1 - sum_{j<i} f_j)``."""
    q = [to_fraction(x, "qualities") for x in qualities]
    return assortative_revenue(dist.values, dist.masses, q)


def assortative_revenue(values: Sequence[Fraction], masses: Sequence[Fraction], qualities: Sequence[Fraction]) -> Fraction:
    """``sum_k (q_k - q_{k-1}) v_k S_k`` with ``q_0 = 0``, ``S_k = sum_{j>=k} m_j`` ((10), (22))."""
    total, prev, surv = Fraction(0), Fraction(0), sum(masses, Fraction(0))
    for v, m, q in zip(values, masses, qualities):
        total += (q - prev) * v * surv
        prev, surv = q, surv - m
    return total


def direct_revenue(values: Sequence[Fraction], masses: Sequence[Fraction], qualities: Sequence[Fraction]) -> tuple[Fraction, tuple[Fraction, ...]]:
    """Revenue of the seller-best IC-IR payments for a given allocation, by shortest paths.

    Independent of (9)-(10): the payments are the greatest solution of the
    difference constraints ``p_i <= v_i q_i`` (IR, (20)) and
    ``p_i <= p_k + v_i (q_i - q_k)`` (IC, (19)), computed by Bellman-Ford from
    the outside option; the greatest solution maximizes ``sum m_i p_i``.
    Raises :class:`InputError` if the allocation admits no IC payments
    (a negative cycle, i.e. a non-monotone allocation).
    Returns ``(revenue, payments)``.
    """
    n = len(values)
    p = [values[i] * qualities[i] for i in range(n)]
    for _ in range(n + 1):
        changed = False
        for i in range(n):
            for k in range(n):
                if k != i:
                    cand = p[k] + values[i] * (qualities[i] - qualities[k])
                    if cand < p[i]:
                        p[i], changed = cand, True
        if not changed:
            break
    else:
        raise InputError("allocation is not implementable (IC constraints form a negative cycle)")
    return sum((m * x for m, x in zip(masses, p)), Fraction(0)), tuple(p)


# ------------------------------------------------------------------ partitions
def cells_of(cuts: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """``(0, b1, ..., N)`` -> ``((0, b1), (b1, b2), ...)`` (atom index ranges, end exclusive)."""
    return tuple(zip(cuts[:-1], cuts[1:]))


def pool(dist: FiniteValues, cuts: Sequence[int]) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """Cell means and masses of the monotone partition with atom boundaries ``cuts`` ((11), (32))."""
    vb, mb = [], []
    for a, b in cells_of(cuts):
        m = sum(dist.masses[a:b], Fraction(0))
        vb.append(sum((dist.values[i] * dist.masses[i] for i in range(a, b)), Fraction(0)) / m)
        mb.append(m)
    return tuple(vb), tuple(mb)


def same_quantile_qualities(dist: FiniteValues, inventory: Inventory, cuts: Sequence[int]) -> tuple[Fraction, ...]:
    """Inventory qualities pooled at the same quantiles as the values (Sec. 4.6, Fig. 1)."""
    cum = dist.cumulative()
    return tuple(inventory.mean_on(cum[a], cum[b]) for a, b in cells_of(cuts))


def _check_cuts(cuts: Sequence[int], n: int) -> tuple[int, ...]:
    c = tuple(int(x) for x in cuts)
    if len(c) < 2 or c[0] != 0 or c[-1] != n or any(c[i] >= c[i + 1] for i in range(len(c) - 1)):
        raise InputError(f"cuts must be 0 < ... < {n} starting at 0 and ending at N={n}, got {list(cuts)}")
    return c


def all_partitions(n: int) -> Iterable[tuple[int, ...]]:
    """All ``2^(n-1)`` monotone partitions of ``n`` atoms, as cut tuples."""
    inner = range(1, n)
    for r in range(n):
        for sub in itertools.combinations(inner, r):
            yield (0,) + sub + (n,)


# ------------------------------------------------------- Section 3 pooling: (12)-(16)
def lower_pooling_difference(dist: FiniteValues, qualities: Sequence[Fraction]) -> Fraction:
    """Right-hand side of (12): profit of lower pooling minus complete disclosure (fixed inventory)."""
    if dist.n < 2:
        raise InputError("lower pooling needs at least two values")
    v, f = dist.values, dist.masses
    q = [to_fraction(x, "qualities") for x in qualities]
    s = f[0] + f[1]
    qb = (f[0] * q[0] + f[1] * q[1]) / s
    vb = (f[0] * v[0] + f[1] * v[1]) / s
    first = vb * qb - (v[0] * q[0] + (q[1] - q[0]) * v[1] * (1 - f[0]))
    second = (q[1] - qb) * v[2] * (1 - s) if dist.n >= 3 else Fraction(0)
    return first + second


def lower_pooling_difference_at_zero(dist: FiniteValues, q2: object = 1) -> Fraction:
    """``(Pibar - Pi)|_{q_1 = 0}`` from (12), the left side of (13)."""
    q = [Fraction(0), to_fraction(q2, "q2")] + [to_fraction(q2, "q2")] * (dist.n - 2)
    return lower_pooling_difference(dist, q)


def eq16_terms(dist: FiniteValues, q2: object = 1) -> tuple[Fraction, Fraction]:
    """The two terms of (16): ``f1 f2 q2/(f1+f2) (phi1 - phi2)`` and ``f2 q2/(f1+f2) (vbar1 - v1)``."""
    q2 = to_fraction(q2, "q2")
    v, f = dist.values, dist.masses
    phi = virtual_values(v, f)
    s = f[0] + f[1]
    vb = (f[0] * v[0] + f[1] * v[1]) / s
    return f[0] * f[1] * q2 / s * (phi[0] - phi[1]), f[1] * q2 / s * (vb - v[0])


def condition14(dist: FiniteValues) -> bool:
    """(14): ``f2 / ((1 - (f1+f2)) (f1+f2)) < (v3 - v2)/(v2 - v1)`` (needs N >= 3), cross-multiplied."""
    if dist.n < 3:
        raise InputError("condition (14) needs at least three values")
    v, f = dist.values, dist.masses
    s = f[0] + f[1]
    return f[1] * (v[1] - v[0]) < (1 - s) * s * (v[2] - v[1])


def _lt_sqrt_minus(y: Fraction, h: Fraction) -> bool:
    """Decide ``y < sqrt(h) - h`` exactly for ``y >= 0``, ``0 <= h <= 1``: iff ``(y + h)^2 < h``."""
    return (y + h) ** 2 < h


def condition15(dist: FiniteValues) -> bool:
    """(15): ``f2 < sqrt(f1) - f1``, decided exactly as ``(f1 + f2)^2 < f1``."""
    f = dist.masses
    if dist.n < 2:
        raise InputError("condition (15) needs at least two values")
    return _lt_sqrt_minus(f[1], f[0])


def condition35(dist: FiniteValues, k: int) -> bool:
    """(35) for atoms ``k, k+1`` (1-based ``k``): ``f_{k+1}/T < sqrt(f_k/T) - f_k/T``, ``T = sum_{i>=k} f_i``.

    For ``k = N`` the missing ``f_{N+1}`` is 0 (and the condition is false).
    """
    n = dist.n
    if not 1 <= k <= n:
        raise InputError(f"k must be in 1..{n}, got {k}")
    f = dist.masses
    t = dist.survival(k - 1)
    nxt = f[k] if k < n else Fraction(0)
    return _lt_sqrt_minus(nxt / t, f[k - 1] / t)


# ---------------------------------------------------------- Lemma 3 / Lemma 4
def _pooled_pair(vb, fb, qb, k):
    a, b = fb[k - 1], fb[k]
    return (a * vb[k - 1] + b * vb[k]) / (a + b), (a * qb[k - 1] + b * qb[k]) / (a + b), a + b


def pooling_gain(vb: Sequence[Fraction], fb: Sequence[Fraction], qb: Sequence[Fraction], k: int) -> Fraction:
    """Lemma 3's ``Delta Pi``: revenue change from pooling atoms ``k, k+1`` (1-based) of a discrete mechanism.

    Values and qualities of the two atoms are replaced by their mass-weighted
    means; the formula is the paper's three-line expression (proof of Lemma 3).
    """
    K = len(vb)
    if not 1 <= k < K:
        raise InputError(f"k must be in 1..{K - 1}, got {k}")
    a, b = fb[k - 1], fb[k]
    T = sum(fb[k - 1:], Fraction(0))           # 1 - Fbar_{k-1}
    vp, qp, _ = _pooled_pair(vb, fb, qb, k)
    qm = qb[k - 2] if k >= 2 else Fraction(0)   # qbar_{k-1}, qbar_0 = 0
    gain = (qp - qm) * vp * T
    gain -= vb[k - 1] * (qb[k - 1] - qm) * T + vb[k] * (qb[k] - qb[k - 1]) * (T - a)
    if k + 1 < K:
        gain += (qb[k] - qp) * vb[k + 1] * (T - a - b)
    return gain


def pooling_gain_top_pair(vb: Sequence[Fraction], fb: Sequence[Fraction], qb: Sequence[Fraction]) -> Fraction:
    """Closed form for pooling the top two atoms (where (39) is undefined):
    ``f_K (v_K - v_{K-1}) (Dq_{K-1} - f_{K-1} Dq_K / (f_{K-1} + f_K))`` with
    ``Dq_k = q_k - q_{k-1}``.  Derived here from Lemma 3's ``Delta Pi`` with an
    empty tail; used for Proposition 4's last increment.
    """
    K = len(vb)
    a, b = fb[K - 2], fb[K - 1]
    qm = qb[K - 3] if K >= 3 else Fraction(0)
    d1, d2 = qb[K - 2] - qm, qb[K - 1] - qb[K - 2]
    return b * (vb[K - 1] - vb[K - 2]) * (d1 - a * d2 / (a + b))


def condition39(vb: Sequence[Fraction], fb: Sequence[Fraction], qb: Sequence[Fraction], k: int) -> bool | None:
    """(39) for atoms ``k, k+1`` (1-based).  ``None`` where it is undefined.

    Undefined when ``k + 2 > K`` (no ``vbar_{k+2}``) or ``qbar_{k+1} = qbar_k``.
    """
    K = len(vb)
    if not 1 <= k < K:
        raise InputError(f"k must be in 1..{K - 1}, got {k}")
    if k + 2 > K or qb[k] == qb[k - 1]:
        return None
    a, b = fb[k - 1], fb[k]
    T = sum(fb[k - 1:], Fraction(0))
    qm = qb[k - 2] if k >= 2 else Fraction(0)
    lhs = b / ((a + b) * (1 - (a + b) / T)) * (1 - (a + b) / a * (qb[k - 1] - qm) / (qb[k] - qb[k - 1]))
    rhs = (vb[k + 1] - vb[k]) / (vb[k] - vb[k - 1])
    return lhs < rhs


def condition40(vb: Sequence[Fraction], fb: Sequence[Fraction], k: int) -> bool | None:
    """(40) for atoms ``k, k+1`` (1-based); ``phi`` are the virtual values (8) of the atoms.

    ``None`` where undefined (``k + 2 > K``: then ``1 - (f_k+f_{k+1})/sum_{j>=k} f_j = 0``).
    """
    K = len(vb)
    if not 1 <= k < K:
        raise InputError(f"k must be in 1..{K - 1}, got {k}")
    if k + 2 > K:
        return None
    phi = virtual_values(vb, fb)
    a, b = fb[k - 1], fb[k]
    T = sum(fb[k - 1:], Fraction(0))
    B = a * (phi[k] - phi[k - 1]) * (a + b) / (b * (vb[k] - vb[k - 1]) * T)
    return B < 1


# ------------------------------------------------------------------- ironing
def iron(phi: Sequence[Fraction], weights: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """Weighted pool-adjacent-violators: the non-decreasing ironed virtual values (exact)."""
    blocks: list[list] = []  # [weighted sum, weight, count]
    for p, w in zip(phi, weights):
        blocks.append([p * w, w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, w2, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w2
            blocks[-1][2] += c
    out: list[Fraction] = []
    for s, w, c in blocks:
        out.extend([s / w] * c)
    return tuple(out)


def _iron_blocks(phi: Sequence[Fraction], weights: Sequence[Fraction]) -> list[tuple[int, int]]:
    ironed = iron(phi, weights)
    blocks, start = [], 0
    for i in range(1, len(ironed) + 1):
        if i == len(ironed) or ironed[i] != ironed[start]:
            blocks.append((start, i))
            start = i
    return blocks


# ----------------------------------------------------------- mechanisms
@dataclass(frozen=True)
class PartitionMechanism:
    """A monotone partition with its menu and profit (what was solved, how).

    Attributes
    ----------
    cuts : atom boundaries ``(0, ..., N)`` of the cells
    values, masses : cell means ``vbar_k`` and masses ``fbar_k``
    qualities : quality sold to each cell (0 = excluded)
    prices : IC prices (9) of the cells' items
    revenue, cost, profit : exact
    model : ``"inventory"`` or ``"quadratic"``
    method : how it was found (``"given"``, ``"exhaustive"``, ``"interval-dp"``)
    candidates : partitions examined
    """

    cuts: tuple[int, ...]
    values: tuple[Fraction, ...]
    masses: tuple[Fraction, ...]
    qualities: tuple[Fraction, ...]
    prices: tuple[Fraction, ...]
    revenue: Fraction
    cost: Fraction
    profit: Fraction
    model: str
    method: str = "given"
    candidates: int = 1
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def items(self) -> int:
        """Number of distinct positive qualities on the menu."""
        return len({q for q in self.qualities if q > 0})

    @property
    def is_complete_disclosure(self) -> bool:
        return all(b - a == 1 for a, b in cells_of(self.cuts))

    def increments(self) -> tuple[Fraction, ...]:
        """``qbar_k - qbar_{k-1}`` over the served cells (``qbar_0 = 0``), for (31)."""
        served = [q for q in self.qualities if q > 0]
        return tuple(q - (served[i - 1] if i else Fraction(0)) for i, q in enumerate(served))

    def _repr_html_(self) -> str:
        """Jupyter: the partition cell by cell (atoms, mean value, mass, quality, price) and the profit,
        exact with decimals (Sec. 3: monotone partitions, IC prices (9))."""
        from .. import notebook as nb

        rows = []
        for k, ((a, b), v, m, q, p) in enumerate(zip(cells_of(self.cuts), self.values, self.masses,
                                                    self.qualities, self.prices), start=1):
            atoms = f"{a + 1}" if b - a == 1 else f"{a + 1}–{b}"
            rows.append([f"{k}", atoms, v, m, q, p])
        facts = [("revenue", self.revenue), ("cost", self.cost), ("profit", self.profit),
                 ("items on the menu", self.items),
                 ("complete disclosure", "yes" if self.is_complete_disclosure else "no"),
                 ("model", self.model), ("found by", f"{self.method} ({self.candidates} partition(s) examined)")]
        parts = [nb.table(["cell", "atoms", "mean value", "mass", "quality", "price"], rows), nb.kv_table(facts)]
        parts += [str(n) for n in self.notes]
        return nb.block(f"Partition mechanism: {len(self.values)} cell(s), profit {nb.fmt(self.profit)}", *parts)

    def __repr__(self) -> str:
        from ..numbers import fmt

        def seq(xs) -> str:
            return "(" + ", ".join(fmt(x) for x in xs) + ")"

        return (f"PartitionMechanism(cuts={self.cuts}, values={seq(self.values)}, masses={seq(self.masses)}, "
                f"qualities={seq(self.qualities)}, prices={seq(self.prices)}, profit={fmt(self.profit)}, "
                f"model={self.model!r}, method={self.method!r})")


def _finish(dist, cuts, qualities, model, cost_value, method="given", candidates=1, notes=()):
    vb, mb = pool(dist, cuts)
    revenue = assortative_revenue(vb, mb, qualities)
    prices = complete_disclosure_prices(vb, qualities)
    return PartitionMechanism(
        cuts=tuple(cuts), values=vb, masses=mb, qualities=tuple(qualities), prices=prices,
        revenue=revenue, cost=cost_value, profit=revenue - cost_value, model=model,
        method=method, candidates=candidates, notes=tuple(notes),
    )


def _inventory_qualities(dist: FiniteValues, inventory: Inventory, cuts) -> tuple[Fraction, ...]:
    """Best qualities for a fixed partition under a fixed inventory.

    Maximize ``sum_k m_k phibar_k qbar_k`` (the revenue, by summation by parts)
    over non-decreasing ``qbar >= 0`` with ``sum_{j>=k} m_j qbar_j <= Gamma(t_k)``
    (``Gbar`` below ``G`` in the increasing convex order (18); checking the
    cell boundaries suffices because ``Gamma`` is concave and the left side is
    piecewise linear).  Solution: iron ``phibar``; each ironed block gets the
    inventory pooled over its own quantiles, blocks with ironed value ``<= 0``
    get nothing (discarded).  Cross-checked against an exact LP in the tests.
    """
    vb, mb = pool(dist, cuts)
    phi = virtual_values(vb, mb)
    cum = dist.cumulative()
    qs = [Fraction(0)] * len(mb)
    ironed = iron(phi, mb)
    for s, e in _iron_blocks(phi, mb):
        if ironed[s] > 0:
            q = inventory.mean_on(cum[cuts[s]], cum[cuts[e]])
            for i in range(s, e):
                qs[i] = q
    return tuple(qs)


def _quadratic_qualities(dist: FiniteValues, cost: QuadraticCost, cuts) -> tuple[Fraction, ...]:
    """Best qualities for a fixed partition with separable cost: ``c'^{-1}`` of the ironed ``phibar``."""
    vb, mb = pool(dist, cuts)
    return tuple(cost.quality(p) for p in iron(virtual_values(vb, mb), mb))


def partition_mechanism(
    dist: FiniteValues,
    cuts: Sequence[int],
    inventory: Inventory | None = None,
    cost: QuadraticCost | None = None,
    qualities: Sequence | None = None,
) -> PartitionMechanism:
    """The best menu for the monotone partition ``cuts`` (or the given ``qualities``).

    Exactly one of ``inventory`` / ``cost`` is given.  Without ``qualities``
    the qualities are optimal for this partition (ironing and discarding
    allowed); with them, they are used as given (their cost is charged).
    """
    cuts = _check_cuts(cuts, dist.n)
    if (inventory is None) == (cost is None):
        raise InputError("give exactly one of inventory= (fixed inventory) or cost= (separable cost)")
    model = "inventory" if inventory is not None else "quadratic"
    if qualities is None:
        qs = _inventory_qualities(dist, inventory, cuts) if inventory else _quadratic_qualities(dist, cost, cuts)
    else:
        qs = tuple(to_fraction(q, f"qualities[{i}]") for i, q in enumerate(qualities))
        if len(qs) != len(cuts) - 1:
            raise InputError(f"need one quality per cell ({len(cuts) - 1}), got {len(qs)}")
    _, mb = pool(dist, cuts)
    c = sum((m * cost(q) for m, q in zip(mb, qs)), Fraction(0)) if cost else Fraction(0)
    return _finish(dist, cuts, qs, model, c)


def complete_disclosure_optimum(dist: FiniteValues, inventory: Inventory | None = None,
                                cost: QuadraticCost | None = None) -> PartitionMechanism:
    """Optimal mechanism without persuasion (every buyer learns its value; ironing allowed)."""
    return partition_mechanism(dist, tuple(range(dist.n + 1)), inventory=inventory, cost=cost)


# --------------------------------------------------------- optimal partition
def _exhaustive(dist, inventory, cost):
    best, count = None, 0
    for cuts in all_partitions(dist.n):
        count += 1
        m = partition_mechanism(dist, cuts, inventory=inventory, cost=cost)
        if best is None or m.profit > best.profit:
            best = m
    return best, count


def _walk_back(state, back, n: int, what: str) -> list:
    """``state, back(state), back(back(state)), ...`` up to ``None``: the cells of a DP's optimum.

    Each state ends a cell that is disjoint from, and left of, the one before, so a
    chain has at most ``n`` states (``n`` atoms); a longer one raises :class:`NotCertified`.
    """
    out: list = []
    for _ in range(n + 1):
        if state is None:
            return out
        out.append(state)
        state = back(state)
    raise NotCertified(f"{what}: the back pointers do not end within {n} cells "
                       f"(bound: cells are disjoint and non-empty among {n} atoms)")


def _dp_inventory(dist: FiniteValues, inventory: Inventory):
    """Exact DP over intervals for the fixed inventory (see :func:`optimal_partition`)."""
    n, cum, v, f = dist.n, dist.cumulative(), dist.values, dist.masses
    pre_vm = [Fraction(0)]
    for x, m in zip(v, f):
        pre_vm.append(pre_vm[-1] + x * m)
    vbar = {}
    qbar = {}
    for a in range(n):
        for b in range(a + 1, n + 1):
            vbar[a, b] = (pre_vm[b] - pre_vm[a]) / (cum[b] - cum[a])
            qbar[a, b] = inventory.mean_on(cum[a], cum[b])
    best: dict[tuple[int, int], tuple[Fraction, tuple[int, int] | None]] = {}
    for b in range(1, n + 1):
        for a in range(b):
            surv = 1 - cum[a]
            cand = (vbar[a, b] * surv * qbar[a, b], None)   # first served cell; [0, a) excluded
            for c in range(a):
                prev = best[c, a][0] + (qbar[a, b] - qbar[c, a]) * vbar[a, b] * surv
                if prev > cand[0]:
                    cand = (prev, (c, a))
            best[a, b] = cand
    end = max((best[a, n][0], a) for a in range(n))
    # back pointers go from cell [a, b) to a cell [c, a) with c < a: at most n cells
    served = _walk_back((end[1], n), lambda cell: best[cell][1], n, "interval DP (inventory)")
    served.reverse()
    cuts = ([0] if served[0][0] > 0 else []) + [c[0] for c in served] + [n]
    qs = ([Fraction(0)] if served[0][0] > 0 else []) + [qbar[c] for c in served]
    return tuple(cuts), tuple(qs), end[0], n * (n + 1) // 2


def _dp_quadratic(dist: FiniteValues, cost: QuadraticCost):
    """Exact DP over consecutive cell pairs for the separable quadratic cost."""
    n, cum, v, f = dist.n, dist.cumulative(), dist.values, dist.masses
    pre_vm = [Fraction(0)]
    for x, m in zip(v, f):
        pre_vm.append(pre_vm[-1] + x * m)

    def vbar(a, b):
        return (pre_vm[b] - pre_vm[a]) / (cum[b] - cum[a])

    def term(a, b, c):  # (quality, profit) of cell [a,b) followed by [b,c) (c = None: last)
        m = cum[b] - cum[a]
        phi = vbar(a, b) if c is None else vbar(a, b) - (vbar(b, c) - vbar(a, b)) * (1 - cum[b]) / m
        q = cost.quality(phi)
        return q, m * (phi * q - cost(q) + cost.gamma)   # gamma charged once at the end

    # state (a, b, c): cells [a,b) then [b,c); value = best profit of cells ending with [a,b)
    best: dict = {}
    for b in range(1, n):
        for c in range(b + 1, n + 1):
            q, val = term(0, b, c)
            best[0, b, c] = (val, q, None)
    for a in range(1, n):
        for b in range(a + 1, n):
            for c in range(b + 1, n + 1):
                q, val = term(a, b, c)
                cand = None
                for x in range(a):
                    prev = best.get((x, a, b))
                    if prev is None or prev[1] > q:
                        continue
                    tot = prev[0] + val
                    if cand is None or tot > cand[0]:
                        cand = (tot, q, (x, a, b))
                if cand is not None:
                    best[a, b, c] = cand
    finals = []
    q, val = term(0, n, None)
    finals.append((val, (0, n), None, q))
    for a in range(1, n):
        q, val = term(a, n, None)
        for x in range(a):
            prev = best.get((x, a, n))
            if prev is not None and prev[1] <= q:
                finals.append((prev[0] + val, (a, n), (x, a, n), q))
    top = max(finals, key=lambda t: t[0])
    cells, qs = [top[1]], [top[3]]
    # back pointers go from (a, b, c) to (x, a, b) with x < a: at most n cells in all
    for state in _walk_back(top[2], lambda st: best[st][2], n, "interval DP (quadratic cost)"):
        cells.append((state[0], state[1]))
        qs.append(best[state][1])
    cells.reverse()
    qs.reverse()
    cuts = tuple([c[0] for c in cells] + [n])
    return cuts, tuple(qs), top[0] - cost.gamma, len(best)


def optimal_partition(dist: FiniteValues, inventory: Inventory | None = None, cost: QuadraticCost | None = None,
                      method: str = "auto") -> PartitionMechanism:
    """The profit-maximizing monotone partition of the atoms and its menu, exactly.

    Methods
    -------
    ``"exhaustive"``
        All ``2^(N-1)`` partitions, each with its optimal qualities (ironing and
        discarding allowed): the reference, for small N.
    ``"interval-dp"``
        Exact dynamic programming over cells.  Fixed inventory: for a partition
        with ``phibar`` non-decreasing on the served cells the revenue is
        ``sum_k (qbar_k - qbar_{k-1}) vbar_k S_k`` with same-quantile qualities
        and a bottom run of excluded cells; each term depends on two consecutive
        cells only, so a DP over the last cell is exact (O(N^3)).  A partition
        whose optimal qualities need ironing is never better than the coarser
        partition that also pools the *values* of each ironed block (the
        pooled block mean is at least its lowest cell's mean, so the revenue of
        the same qualities rises: the measurability argument of Prop. 2), so
        restricting to same-quantile menus loses nothing.  Separable quadratic
        cost: profit ``sum_k m_k (phibar_k q_k - c(q_k))`` with
        ``q_k = c'^{-1}(phibar_k)^+``, where ``phibar_k`` depends on cells ``k``
        and ``k+1``; the DP runs over pairs of consecutive cells and keeps only
        non-decreasing qualities (ironed partitions are again dominated by
        coarser ones), O(N^4).  Both DPs are cross-checked against the
        exhaustive method in ``tests/test_persuasion.py``.
    ``"auto"``
        exhaustive for ``N <= EXHAUSTIVE_MAX_N``, else the DP.

    Scope: cuts lie on atom boundaries.  Monotone partitions in the quantile
    sense of (32) may also split an atom between two cells; those are not
    searched (Corollary 3's LP, :func:`information_lp`, checks optimality
    against every information structure for the optimal quality distribution).
    """
    if (inventory is None) == (cost is None):
        raise InputError("give exactly one of inventory= (fixed inventory) or cost= (separable cost)")
    if method == "auto":
        method = "exhaustive" if dist.n <= EXHAUSTIVE_MAX_N else "interval-dp"
    if method == "exhaustive":
        best, count = _exhaustive(dist, inventory, cost)
        return PartitionMechanism(**{**best.__dict__, "method": "exhaustive", "candidates": count})
    if method != "interval-dp":
        raise InputError(f"method must be auto, exhaustive or interval-dp, got {method!r}")
    if dist.n > DP_MAX_N:
        raise InputError(f"N={dist.n} is beyond the exact DP limit {DP_MAX_N}")
    if inventory is not None:
        cuts, qs, value, count = _dp_inventory(dist, inventory)
        mech = _finish(dist, cuts, qs, "inventory", Fraction(0), "interval-dp", count)
    else:
        cuts, qs, value, count = _dp_quadratic(dist, cost)
        _, mb = pool(dist, cuts)
        c = sum((m * cost(q) for m, q in zip(mb, qs)), Fraction(0))
        mech = _finish(dist, cuts, qs, "quadratic", c, "interval-dp", count)
    if mech.profit != value:  # pragma: no cover - internal consistency
        raise AssertionError(f"DP value {value} differs from the recomputed profit {mech.profit}")
    return mech


# ----------------------------------------------------------- exact LPs
def information_lp(dist: FiniteValues, item_qualities: Sequence, item_masses: Sequence):
    """Best information structure for a fixed quality distribution, as an exact LP (Corollary 3).

    Signals are the items (recommendations, Sec. 2.4): ``pi[i][k] >= 0`` is the
    mass of value ``v_i`` told to buy item ``k`` (quality ``q_k``, mass ``g_k``;
    ``q_1 < ... < q_K``).  Marginals: ``sum_k pi[i][k] = f_i`` and
    ``sum_i pi[i][k] = g_k``.  With posterior means ``vbar_k`` non-decreasing
    (IC of the assortative assignment) the revenue is
    ``sum_k vbar_k (1 - G_{k-1}) (q_k - q_{k-1})``, linear in ``pi``.
    Every mean-preserving contraction that sells this quality distribution is
    (weakly improved to) a feasible point, so the LP optimum is the value of
    the information-design step of Corollary 3's proof.

    Returns ``(objective, pi, best_partition)`` where ``best_partition`` is
    ``(revenue, cut quantiles)`` of the best monotone partition whose cells
    are unions of consecutive items (cells may split atoms of ``F``).
    """
    from ..lp.exact import LinearProgram, solve_lp

    q = _fractions(item_qualities, "item qualities")
    g = _fractions(item_masses, "item masses")
    if len(q) != len(g) or not q:
        raise InputError("need as many item masses as item qualities")
    if sum(g) != 1 or any(x <= 0 for x in g):
        raise InputError("item masses must be positive and sum to 1")
    if any(q[k] >= q[k + 1] for k in range(len(q) - 1)) or q[0] < 0:
        raise InputError("item qualities must be non-negative and strictly increasing")
    n, K = dist.n, len(q)
    col = lambda i, k: i * K + k  # noqa: E731
    surv, weights = Fraction(1), []
    for k in range(K):
        weights.append(surv * (q[k] - (q[k - 1] if k else Fraction(0))) / g[k])
        surv -= g[k]
    c = [Fraction(0)] * (n * K)
    for i in range(n):
        for k in range(K):
            c[col(i, k)] = weights[k] * dist.values[i]
    A_eq, b_eq = [], []
    for i in range(n):
        A_eq.append(tuple((col(i, k), Fraction(1)) for k in range(K)))
        b_eq.append(dist.masses[i])
    for k in range(K - 1):  # the last item's marginal is implied
        A_eq.append(tuple((col(i, k), Fraction(1)) for i in range(n)))
        b_eq.append(g[k])
    A_ub, b_ub = [], []
    for k in range(K - 1):
        row = [(col(i, k), dist.values[i] / g[k]) for i in range(n)]
        row += [(col(i, k + 1), -dist.values[i] / g[k + 1]) for i in range(n)]
        A_ub.append(tuple(row))
        b_ub.append(Fraction(0))
    lp = LinearProgram(tuple(c), tuple(A_eq), tuple(b_eq), tuple(A_ub), tuple(b_ub))
    res = solve_lp(lp)
    pi = [[res.x[col(i, k)] for k in range(K)] for i in range(n)]
    # best monotone partition with cells = unions of consecutive items
    cum_g = [Fraction(0)]
    for x in g:
        cum_g.append(cum_g[-1] + x)
    cum_f = dist.cumulative()

    def fmean(a, b):
        tot = Fraction(0)
        for i in range(n):
            lo, hi = max(cum_f[i], a), min(cum_f[i + 1], b)
            if hi > lo:
                tot += dist.values[i] * (hi - lo)
        return tot / (b - a)

    best = None
    for cuts in all_partitions(K):
        rev = Fraction(0)
        for s, e in cells_of(cuts):
            vb = fmean(cum_g[s], cum_g[e])
            rev += sum((weights[k] * g[k] * vb for k in range(s, e)), Fraction(0))
        if best is None or rev > best[0]:
            best = (rev, tuple(cum_g[x] for x in cuts))
    return res.objective, pi, best


def screening_lp(dist: FiniteValues, inventory: Inventory, minimize_quality_profile: bool = False):
    """Optimal screening *without* persuasion under a fixed inventory, as an exact LP (Lemma 1).

    Variables: ``x[i][j]`` probability that type ``i`` gets inventory quality
    ``q_j`` (the rest discarded), payments ``p_i >= 0``.  Constraints: each type
    gets at most one unit, inventory capacity ``sum_i f_i x[i][j] <= g_j``,
    IC (19) and IR (20) on expected qualities ``Q_i = sum_j x[i][j] q_j``.
    Maximizes ``sum_i f_i p_i``.

    With ``minimize_quality_profile=True`` a second LP keeps the revenue at its
    optimum and minimizes ``sum_k sum_{i>=k} f_i Q_i``; the efficient
    allocation maximizes every such partial sum, so the result equals the
    efficient profile iff the efficient allocation is the *unique* optimum.

    Returns ``(revenue, Q)`` (and, with the flag, ``(revenue, Q, profile_min)``).
    """
    from ..lp.exact import LinearProgram, solve_lp

    n, J = dist.n, len(inventory.qualities)
    v, f, qj = dist.values, dist.masses, inventory.qualities
    nx = n * J
    xcol = lambda i, j: i * J + j  # noqa: E731
    pcol = lambda i: nx + i  # noqa: E731
    nv = nx + n

    def Q(i, sign=1, scale=Fraction(1)):
        return [(xcol(i, j), sign * scale * qj[j]) for j in range(J)]

    A_ub, b_ub = [], []
    for i in range(n):
        A_ub.append(tuple((xcol(i, j), Fraction(1)) for j in range(J)))
        b_ub.append(Fraction(1))
    for j in range(J):
        A_ub.append(tuple((xcol(i, j), f[i]) for i in range(n)))
        b_ub.append(inventory.masses[j])
    for i in range(n):
        # IR: p_i - v_i Q_i <= 0
        A_ub.append(tuple(Q(i, -1, v[i]) + [(pcol(i), Fraction(1))]))
        b_ub.append(Fraction(0))
        for k in range(n):
            if k != i:
                # IC: v_i Q_k - p_k - v_i Q_i + p_i <= 0
                row: dict[int, Fraction] = {}
                for c_, a_ in Q(k, 1, v[i]) + Q(i, -1, v[i]) + [(pcol(k), Fraction(-1)), (pcol(i), Fraction(1))]:
                    row[c_] = row.get(c_, Fraction(0)) + a_
                A_ub.append(tuple((c_, a_) for c_, a_ in row.items() if a_ != 0))
                b_ub.append(Fraction(0))
    c = [Fraction(0)] * nv
    for i in range(n):
        c[pcol(i)] = f[i]
    lp = LinearProgram(tuple(c), (), (), tuple(A_ub), tuple(b_ub))
    res = solve_lp(lp)
    Qv = tuple(sum((res.x[xcol(i, j)] * qj[j] for j in range(J)), Fraction(0)) for i in range(n))
    if not minimize_quality_profile:
        return res.objective, Qv
    # keep revenue optimal, minimize sum_k sum_{i>=k} f_i Q_i = sum_i (i+1) f_i Q_i
    c2 = [Fraction(0)] * nv
    for i in range(n):
        for j in range(J):
            c2[xcol(i, j)] = -(i + 1) * f[i] * qj[j]
    A2 = tuple(A_ub) + (tuple((pcol(i), -f[i]) for i in range(n)),)
    b2 = tuple(b_ub) + (-res.objective,)
    res2 = solve_lp(LinearProgram(tuple(c2), (), (), A2, b2))
    Q2 = tuple(sum((res2.x[xcol(i, j)] * qj[j] for j in range(J)), Fraction(0)) for i in range(n))
    return res.objective, Q2, -res2.objective
