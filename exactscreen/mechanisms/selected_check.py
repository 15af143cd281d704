"""Independent check of the *selected* optimal mechanism (paper 000, Sec. 3).

:func:`exactscreen.mechanisms.optimum.optimal_mechanism` certifies the LP
optimum ``x*`` (:mod:`exactscreen.mechanisms.certificate`) and then *selects*
one mechanism on the optimal face by a lexicographic rule.  Every consumer
surplus the PIS checks use comes from that selected mechanism, so this module
re-checks it from scratch: it is a point of the LP of paper 000, Sec. 3 (as
written in the docstring of :func:`exactscreen.mechanisms.optimum.mechanism_lp`)::

    maximize   sum_t f(t) p(t)
    subject to sum_{a in A} x(t, a) = 1                        (probabilities, a = 0 included)
               v(t, x(t)) - p(t) >= 0                          (IR_t)
               v(t, x(t)) - p(t) >= v(t, x(t')) - p(t')       (IC_{t -> t'})
               x >= 0, p >= 0

with net values ``v(t, a) = value(t, a) - cost(a)`` (fn 5), and its revenue
``sum_t f(t) p(t)`` equals the certified optimal revenue exactly (so it is an
optimal mechanism, not merely a feasible one).

Independence: this module imports nothing from the engine
(:mod:`exactscreen.mechanisms.structured`, :mod:`exactscreen.mechanisms.optimum`,
:mod:`exactscreen.lp`) nor from :class:`~exactscreen.mechanisms.mechanism.Mechanism`
(it takes the raw allocation and payments and recomputes net values from the
environment's gross ``values`` and ``costs``).  Arithmetic is exact: Python
integers over common denominators (net values ``N / s``, allocation and
payments ``X / d``; no Fraction arithmetic in the loops), summing each ``v(t, x(t'))`` only over the support of the
lottery ``x(t')``, so the ``n^2`` IC comparisons cost ``n^2 * |support|``
integer products.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Sequence

__all__ = ["SelectedCheck", "check_selected_mechanism", "CHECKED_BY"]

CHECKED_BY = "exactscreen.mechanisms.selected_check.check_selected_mechanism"


@dataclass(frozen=True)
class SelectedCheck:
    """Result of :func:`check_selected_mechanism`.

    ``failures`` lists violated conditions in checking order (the first is the
    first violated), each naming the condition and the types, e.g.
    ``"IC(tL->tH): gain 1/4"``; empty iff ``ok``.
    """

    ok: bool
    failures: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return "selected mechanism checked" if self.ok else "; ".join(self.failures)


def _exact(v: object, where: str) -> Fraction:
    if type(v) is Fraction:
        return v  # type: ignore[return-value]
    if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
        raise TypeError(f"{where}: entries must be int or Fraction, got {v!r}")
    return Fraction(v)


def _scaled(values: Sequence[Fraction], d: int) -> list[int]:
    """``[v * d for v in values]`` as integers (``d`` a common multiple of the denominators)."""
    return [v.numerator * (d // v.denominator) for v in values]


def check_selected_mechanism(
    env,
    market,
    allocation: Sequence[Sequence[Fraction]],
    payments: Sequence[Fraction],
    revenue: Fraction,
    *,
    max_failures: int = 10,
) -> SelectedCheck:
    """Check that ``(allocation, payments)`` is an IC-IR mechanism of ``env`` with
    revenue ``revenue`` under ``market`` (the LP of the module docstring).

    ``allocation[i]`` has one probability per alternative of ``env`` (input
    order) and, last, the outside option ``"0"``; ``payments[i]`` is type
    ``i``'s payment (net of cost).  Checked in this order: shape; ``x >= 0``;
    each lottery sums to 1; ``p >= 0``; ``IR(t)``; ``IC(t->t')`` for every
    ordered pair; ``sum_t f(t) p(t) == revenue``.  At most ``max_failures``
    failures are listed.
    """
    types, alts = tuple(env.types), tuple(env.alternatives)
    n, k = len(types), len(alts)
    fails: list[str] = []

    def fail(msg: str) -> bool:
        fails.append(msg)
        return len(fails) >= max_failures

    if len(allocation) != n or len(payments) != n or any(len(r) != k + 1 for r in allocation):
        return SelectedCheck(False, (f"shape: need {n} lotteries of {k + 1} entries and {n} payments",))
    x = [[_exact(q, f"allocation[{i}][{j}]") for j, q in enumerate(row)] for i, row in enumerate(allocation)]
    p = [_exact(v, f"payments[{i}]") for i, v in enumerate(payments)]
    rev = _exact(revenue, "revenue")
    names = (*alts, "0")

    # everything over common denominators: lotteries and payments X / d, net values N / s
    d = lcm(*(q.denominator for row in x for q in row), *(v.denominator for v in p))
    X = [_scaled(row, d) for row in x]
    # 1. probabilities: x >= 0 and sum_a x(t, a) = 1 (outside option included)
    for i in range(n):
        Xi = X[i]
        for j in range(k + 1):
            if Xi[j] < 0 and fail(f"x({types[i]},{names[j]}) = {x[i][j]} < 0"):
                return SelectedCheck(False, tuple(fails))
        if sum(Xi) != d and fail(f"prob({types[i]}): lottery sums to {Fraction(sum(Xi), d)}, not 1"):
            return SelectedCheck(False, tuple(fails))
    # 2. p >= 0 (the LP's sign constraint)
    for i in range(n):
        if p[i] < 0 and fail(f"p({types[i]}) = {p[i]} < 0"):
            return SelectedCheck(False, tuple(fails))

    # net values v(t, a) - c(a) from the raw table, as N / s with integer N
    values = [[_exact(v, f"values[{i}][{j}]") for j, v in enumerate(row)] for i, row in enumerate(env.values)]
    costs = [_exact(c, f"costs[{j}]") for j, c in enumerate(env.costs)]
    s = lcm(*(v.denominator for row in values for v in row), *(c.denominator for c in costs))
    C = _scaled(costs, s)
    N = [[v - c for v, c in zip(_scaled(row, s), C)] for row in values]
    # support of each lottery over the alternatives (the outside option is worth 0)
    supp = [[(j, q) for j, q in enumerate(row[:k]) if q] for row in X]
    P = [v * s for v in _scaled(p, d)]  # s * d * p(t)
    sd = s * d

    # 3. IR and IC, all scaled by s * d: U[t'] = s d (v(t, x(t')) - p(t'))
    for i in range(n):
        Ni = N[i]
        U = [sum(Ni[j] * q for j, q in supp[r]) - P[r] for r in range(n)]
        own = U[i]
        if own < 0 and fail(f"IR({types[i]}): surplus {Fraction(own, sd)} < 0"):
            return SelectedCheck(False, tuple(fails))
        if max(U) <= own:
            continue
        for r in range(n):
            if r != i and U[r] > own and fail(
                f"IC({types[i]}->{types[r]}): misreport gains {Fraction(U[r] - own, sd)}"
            ):
                return SelectedCheck(False, tuple(fails))

    # 4. revenue equals the certified optimum
    f = [_exact(w, f"market weight {types[i]}") for i, w in enumerate(market.weights)]
    got = sum((fi * pi for fi, pi in zip(f, p) if fi), Fraction(0))
    if got != rev:
        fail(f"revenue: sum_t f(t) p(t) = {got}, certified optimum {rev}")
    return SelectedCheck(not fails, tuple(fails))
