"""Independent structured checker of a certificate for the mechanism LP of paper 000.

The generic checker :func:`exactscreen.lp.certificate.check_certificate` reads
the LP row by row in :class:`~fractions.Fraction` arithmetic; on the LP of
paper 000, Sec. 3 (``n(k+2)`` columns, ``n + n^2`` rows, about ``2 n^2 k``
nonzeros) that is millions of Fraction products at ``(n, k) = (150, 64)``.
This module checks the *same three conditions* of LP duality directly from
the economics, in integer matrix arithmetic (python-flint ``fmpz_mat``), and
shares no code with the solvers (:mod:`exactscreen.lp.exact`,
:mod:`exactscreen.mechanisms.structured`) nor with the LP builder
(:func:`exactscreen.mechanisms.optimum.mechanism_lp`): the constraint system is
re-derived here from the paper.

The LP (paper 000, Sec. 3; ``v(t, a)`` is the net value ``v(t, a) - c(a)``,
``x(t)`` a lottery over the alternatives and the outside option ``0``)::

    max  sum_t f(t) p(t)
    s.t. sum_a x(t, a) + x(t, 0) = 1                       (prob(t), dual y_eq[t])
         p(t) - v(t, x(t)) <= 0                            (IR(t),  dual y_ub)
         p(t) - v(t, x(t)) - p(t') + v(t, x(t')) <= 0      (IC(t->t'), dual y_ub)
         x >= 0, p >= 0

Variable order (as in ``mechanism_lp``): for each type ``t_i`` the columns
``x(t_i, a_1..a_k), x(t_i, 0), p(t_i)``; rows: ``prob(t_i)`` for every type,
then for every type ``t_i`` its ``IR(t_i)`` followed by ``IC(t_i -> t_s)``
for ``s != i`` in order.

Checked, exactly:

1. primal: ``x >= 0``, lotteries sum to 1, ``p >= 0``, IR and IC hold;
2. dual: ``y_ub >= 0``; every column's dual constraint ``A_j . y >= c_j``;
3. ``sum_t f(t) p(t) = sum_t y_eq[t] =`` the claimed objective.

Reference: paper 000 (Haghpanah & Siegel), Sec. 3, the LP (1)-(3).
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from typing import Sequence

from flint import fmpz_mat

from ..lp.certificate import CertificateCheck

__all__ = ["check_mechanism_certificate"]


def _exact(v: object, where: str) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
        raise TypeError(f"{where}: certificate entries must be int or Fraction, got {v!r}")
    return Fraction(v)


def _integer_matrix(rows: list[list[Fraction]]) -> tuple[list[list[int]], int]:
    """``rows = M / d`` with integer ``M``; returns ``(M, d)``."""
    dens = {v.denominator for row in rows for v in row}
    d = lcm(*dens) if dens else 1
    return [[v.numerator * (d // v.denominator) for v in row] for row in rows], d


def _product(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
    """Exact integer product ``a @ b`` (python-flint)."""
    if not a or not b or not b[0]:
        return [[0] * (len(b[0]) if b else 0) for _ in a]
    m = fmpz_mat(a) * fmpz_mat(b)
    return [[int(m[i, j]) for j in range(m.ncols())] for i in range(m.nrows())]


def check_mechanism_certificate(
    env,
    market,
    x: Sequence[Fraction],
    y_eq: Sequence[Fraction],
    y_ub: Sequence[Fraction],
    objective: Fraction,
    *,
    max_failures: int = 20,
) -> CertificateCheck:
    """Check a primal-dual certificate of the mechanism LP of ``env`` and ``market``.

    ``x, y_eq, y_ub`` are in the order of the module docstring (the order
    of :func:`exactscreen.mechanisms.optimum.mechanism_lp`).  Returns a
    :class:`~exactscreen.lp.certificate.CertificateCheck`; ``ok`` proves that
    ``x`` is an optimal mechanism and ``objective`` the optimal revenue.
    """
    n, k = len(env.types), len(env.alternatives)
    w = k + 2
    fails: list[str] = []

    def fail(msg: str) -> None:
        if len(fails) < max_failures:
            fails.append(msg)

    if len(x) != n * w:
        return CertificateCheck(False, (f"x has {len(x)} entries, the LP {n * w} columns",))
    if len(y_eq) != n or len(y_ub) != n * n:
        return CertificateCheck(False, (f"duals: need {n} + {n * n} entries, got {len(y_eq)} + {len(y_ub)}",))
    xs = [_exact(v, f"x[{j}]") for j, v in enumerate(x)]
    ye = [_exact(v, f"y_eq[{i}]") for i, v in enumerate(y_eq)]
    yu = [_exact(v, f"y_ub[{i}]") for i, v in enumerate(y_ub)]
    obj = _exact(objective, "objective")
    # net values v(t, a) - c(a), from the environment's gross values and costs
    net = [[Fraction(v) - Fraction(c) for v, c in zip(row, env.costs)] for row in env.values]
    N, s = _integer_matrix(net)  # net = N / s
    types = env.types
    # everything over common denominators: x = X / dx, y = Y / dy, f = F / df
    (Xall,), dx = _integer_matrix([xs])
    (Ye, Yu), dy = _integer_matrix([ye, yu])
    (F,), df = _integer_matrix([[Fraction(v) for v in market.weights]])
    alloc = [Xall[i * w: i * w + k] for i in range(n)]
    outside = [Xall[i * w + k] for i in range(n)]
    P = [Xall[i * w + k + 1] for i in range(n)]

    # 1. primal feasibility
    for j, v in enumerate(Xall):
        if v < 0:
            fail(f"x[{j}] = {xs[j]} < 0")
    for i in range(n):
        total = sum(alloc[i]) + outside[i]
        if total != dx:
            fail(f"prob({types[i]}): lottery sums to {Fraction(total, dx)}, not 1")
    # G[i][t] = s * dx * v(t_i, x(t_t))
    G = _product(N, [list(col) for col in zip(*alloc)]) if k else [[0] * n for _ in range(n)]
    sd = s * dx
    own = [G[i][i] - s * P[i] for i in range(n)]  # sd * (v(t_i, x(t_i)) - p(t_i))
    for i in range(n):
        if own[i] < 0:
            fail(f"IR({types[i]}) violated by {Fraction(-own[i], sd)}")
        Gi, oi = G[i], own[i]
        for t in range(n):
            if t != i and Gi[t] - s * P[t] > oi:
                fail(f"IC({types[i]}->{types[t]}) violated by {Fraction(Gi[t] - s * P[t] - oi, sd)}")

    # 2. dual feasibility (all over dy)
    ir = [Yu[i * n] for i in range(n)]
    Y = [[0] * n for _ in range(n)]  # Y[i][t]: dual of IC(t_i -> t_t)
    for i in range(n):
        row = Y[i]
        for t in range(n):
            if t != i:
                row[t] = Yu[i * n + 1 + t] if t < i else Yu[i * n + t]
    for r, v in enumerate(Yu):
        if v < 0:
            fail(f"y_ub[{r}] = {yu[r]} < 0")
    for i in range(n):
        if Ye[i] < 0:
            fail(f"dual constraint of x({types[i]},0): y_eq = {ye[i]} < 0")
    out_w = [ir[i] + sum(Y[i]) for i in range(n)]  # weight of t_i's own-value terms
    in_w = [sum(Y[t][i] for t in range(n)) for i in range(n)]
    for i in range(n):
        # column p(t_i): +1 in IR(i) and IC(i->.), -1 in IC(.->i); must be >= f(t_i)
        if (out_w[i] - in_w[i]) * df < F[i] * dy:
            fail(f"dual constraint of p({types[i]}): {Fraction(out_w[i] - in_w[i], dy)} < f = {Fraction(F[i], df)}")
    if k:
        # H[i][j] = sum_t Y[t][i] * N[t][j]
        H = _product([list(col) for col in zip(*Y)], N)
        for i in range(n):
            base = Ye[i] * s
            ow = out_w[i]
            Ni, Hi = N[i], H[i]
            for j in range(k):
                # column x(t_i, a_j): y_eq[i] - net[i][j] * out_w[i] + sum_t Y[t][i] net[t][j] >= 0
                lhs = base - Ni[j] * ow + Hi[j]
                if lhs < 0:
                    fail(f"dual constraint of x({types[i]},{env.alternatives[j]}): {Fraction(lhs, s * dy)} < 0")

    # 3. objectives
    primal = Fraction(sum(fi * pi for fi, pi in zip(F, P)), df * dx)
    dual = Fraction(sum(Ye), dy)
    if primal != obj:
        fail(f"revenue {primal} differs from the claimed objective {obj}")
    if dual != obj:
        fail(f"dual objective {dual} differs from the claimed objective {obj}")
    return CertificateCheck(not fails, tuple(fails))
