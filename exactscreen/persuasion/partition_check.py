"""Independent re-check of optimal monotone partitions, by brute force (no code shared with
:mod:`exactscreen.persuasion.partitions`).

Bergemann, Heumann & Morris, *Screening with persuasion*, Sec. 4.5 (monotone partitions,
(32)), Sec. 4.6 / (33) (fixed inventory: ``Gbar`` below ``G`` in the increasing convex order,
(18)), (3) and (55) (separable cost ``c(q) = alpha q + beta q^2/2 + gamma``), and the IC
prices (9) of a menu sold to the cells of a partition.

What "independent" means here: this module imports nothing from
:mod:`~exactscreen.persuasion.partitions` (no virtual values, no ironing, no interval DP) and
takes plain sequences of exact numbers.  For every one of the ``2^(N-1)`` monotone partitions
of the atoms (cuts on atom boundaries) it finds the best menu by a *different* formulation:

* revenue of a non-decreasing quality vector ``q`` sold to cells with means ``vbar`` and
  masses ``m`` is linear in ``q``: with the IC prices ``p_k = vbar_1 q_1 + sum_{j=2..k}
  (q_j - q_{j-1}) vbar_j`` (9), ``sum_k m_k p_k = sum_j w_j q_j`` where
  ``w_j = vbar_j S_j - vbar_{j+1} S_{j+1}`` (``S_j`` the mass of cells ``j..K``), expanded
  here coefficient by coefficient from the prices;
* separable cost: maximize ``sum_j (w_j q_j - m_j c(q_j))`` over ``0 <= q_1 <= ... <= q_K``
  by enumerating every *tie pattern* (split of the cells into consecutive blocks of equal
  quality): in a block with total weight ``W`` and mass ``M`` the best common quality is
  ``max(0, (W - alpha M)/(beta M))``; candidates that are not non-decreasing are dropped.
  The optimum's own tie pattern produces the optimum (each maximal block is optimal for its
  one-dimensional problem, clipped at zero only when the block gets zero), and every kept
  candidate is feasible, so the best kept candidate is the optimum (``2^(K-1)`` patterns);
* fixed inventory: an exact linear program in the quality increments
  ``y_j = q_j - q_{j-1} >= 0`` with the increasing-convex-order constraints
  ``sum_{j>=k} m_j q_j <= Gamma(t_k)`` at every cell boundary ``t_k``, where
  ``Gamma(t) = int_t^1 G^{-1}(s) ds`` (the tail sums are piecewise linear, ``Gamma`` is
  concave, so the boundaries suffice), solved by :func:`exactscreen.lp.exact.solve_lp`
  (the partition engine does not use an LP).

Sizes: ``N <= MAX_N`` atoms (``3^(N-1)`` tie patterns over all partitions with a cost;
``2^(N-1)`` small LPs with an inventory).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..exceptions import InputError

__all__ = ["MAX_N", "BruteForceOptimum", "monotone_partitions", "menu_profit", "best_menu", "brute_force_optimum"]

MAX_N = 10
"""Largest number of atoms :func:`brute_force_optimum` accepts (every loop is bounded by it)."""

ZERO = Fraction(0)


@dataclass(frozen=True)
class BruteForceOptimum:
    """The best profit over all monotone partitions and every menu that attains it.

    ``optimal``: ``(cuts, qualities)`` for each optimal partition (its best qualities);
    ``partitions``: how many partitions were examined (``2^(N-1)``).
    """

    profit: Fraction
    optimal: tuple[tuple[tuple[int, ...], tuple[Fraction, ...]], ...]
    partitions: int

    def items(self) -> tuple[int, ...]:
        """Number of distinct positive qualities of each optimal menu."""
        return tuple(len({q for q in qs if q > 0}) for _, qs in self.optimal)


def _exact(xs: Sequence, what: str) -> tuple[Fraction, ...]:
    out = []
    for i, x in enumerate(xs):
        if isinstance(x, float):
            raise InputError(f"{what}[{i}]: a float is not exact; give a Fraction or an int")
        out.append(Fraction(x))
    return tuple(out)


def monotone_partitions(n: int):
    """Every monotone partition of ``n`` atoms as cuts ``(0, ..., n)``: one per subset of the
    ``n - 1`` inner boundaries (bit ``i`` of the mask set = a cut after atom ``i + 1``)."""
    if not 1 <= n <= MAX_N:
        raise InputError(f"brute force: need 1 <= N <= {MAX_N} atoms, got {n}")
    for mask in range(2 ** (n - 1)):
        yield (0,) + tuple(i + 1 for i in range(n - 1) if mask >> i & 1) + (n,)


def _cells(values, masses, cuts):
    vb, mb = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        m = ZERO
        s = ZERO
        for i in range(a, b):
            m += masses[i]
            s += values[i] * masses[i]
        vb.append(s / m)
        mb.append(m)
    return vb, mb


def _weights(vb, mb):
    """Coefficients ``w_j`` of ``q_j`` in ``sum_k m_k p_k`` with the IC prices (9)."""
    K = len(vb)
    w = [ZERO] * K
    for k in range(K):                      # p_k = sum_{j<=k} (q_j - q_{j-1}) vbar_j
        for j in range(k + 1):
            w[j] += mb[k] * vb[j]           # + q_j vbar_j
            if j >= 1:
                w[j - 1] -= mb[k] * vb[j]   # - q_{j-1} vbar_j
    return w


def _gamma(inv_q, inv_m, t: Fraction) -> Fraction:
    """``int_t^1 G^{-1}(s) ds`` for the step quantile function of the inventory."""
    total, lo = ZERO, ZERO
    for q, m in zip(inv_q, inv_m):
        hi = lo + m
        if hi > t:
            total += q * (hi - (t if t > lo else lo))
        lo = hi
    return total


def menu_profit(values, masses, cuts, qualities, *, inventory=None, cost=None) -> Fraction | None:
    """Profit of selling ``qualities`` (one per cell of ``cuts``) at the IC prices (9), or
    ``None`` if the menu is not feasible (qualities negative or decreasing; with an inventory,
    ``Gbar`` not below ``G`` in the increasing convex order).

    ``inventory = (qualities, masses)`` of ``G``; ``cost = (alpha, beta, gamma)``.
    """
    v, f = _exact(values, "values"), _exact(masses, "masses")
    q = _exact(qualities, "qualities")
    cuts = tuple(int(c) for c in cuts)
    vb, mb = _cells(v, f, cuts)
    if len(q) != len(vb) or any(x < 0 for x in q) or any(q[i] > q[i + 1] for i in range(len(q) - 1)):
        return None
    price, revenue = ZERO, ZERO
    for k in range(len(q)):
        price += (q[k] - (q[k - 1] if k else ZERO)) * vb[k]
        revenue += mb[k] * price
    if inventory is not None:
        gq, gm = _exact(inventory[0], "inventory qualities"), _exact(inventory[1], "inventory masses")
        t = ZERO
        for k in range(len(q)):
            tail = sum((mb[j] * q[j] for j in range(k, len(q))), ZERO)
            if tail > _gamma(gq, gm, t):
                return None
            t += mb[k]
        return revenue
    alpha, beta, gamma = _exact(cost, "cost")
    return revenue - sum((m * (alpha * x + beta * x * x / 2 + gamma) for m, x in zip(mb, q)), ZERO)


def _best_cost(w, mb, alpha, beta, gamma):
    K = len(w)
    best = None
    for mask in range(2 ** (K - 1)):        # tie patterns: bit i set = block boundary after cell i
        bounds = [0] + [i + 1 for i in range(K - 1) if mask >> i & 1] + [K]
        q, ok = [], True
        for a, b in zip(bounds[:-1], bounds[1:]):
            W = sum(w[a:b], ZERO)
            M = sum(mb[a:b], ZERO)
            x = (W - alpha * M) / (beta * M)
            x = x if x > 0 else ZERO
            if q and x < q[-1]:
                ok = False
                break
            q.extend([x] * (b - a))
        if not ok:
            continue
        val = sum((wj * x - m * (alpha * x + beta * x * x / 2 + gamma) for wj, m, x in zip(w, mb, q)), ZERO)
        if best is None or val > best[0]:
            best = (val, tuple(q))
    return best


def _best_inventory(w, mb, gq, gm):
    from ..lp.exact import LinearProgram, solve_lp

    K = len(w)
    # q_k = sum_{j<=k} y_j: objective sum_j y_j (sum_{k>=j} w_k)
    c = tuple(sum(w[j:], ZERO) for j in range(K))
    rows, rhs, t = [], [], ZERO
    for k in range(K):
        # sum_{i>=k} m_i q_i = sum_j y_j sum_{i >= max(j, k)} m_i
        rows.append(tuple((j, sum(mb[max(j, k):], ZERO)) for j in range(K)))
        rhs.append(_gamma(gq, gm, t))
        t += mb[k]
    res = solve_lp(LinearProgram(c, (), (), tuple(rows), tuple(rhs)))
    q, run = [], ZERO
    for j in range(K):
        run += res.x[j]
        q.append(run)
    return res.objective, tuple(q)


def best_menu(values, masses, cuts, *, inventory=None, cost=None) -> tuple[Fraction, tuple[Fraction, ...]]:
    """``(profit, qualities)`` of the best menu for the partition ``cuts`` (see the module docstring)."""
    if (inventory is None) == (cost is None):
        raise InputError("give exactly one of inventory=(qualities, masses) or cost=(alpha, beta, gamma)")
    v, f = _exact(values, "values"), _exact(masses, "masses")
    vb, mb = _cells(v, f, tuple(int(c) for c in cuts))
    w = _weights(vb, mb)
    if cost is not None:
        alpha, beta, gamma = _exact(cost, "cost")
        if beta <= 0:
            raise InputError("cost: beta must be positive")
        return _best_cost(w, mb, alpha, beta, gamma)
    gq, gm = _exact(inventory[0], "inventory qualities"), _exact(inventory[1], "inventory masses")
    return _best_inventory(w, mb, gq, gm)


def brute_force_optimum(values, masses, *, inventory=None, cost=None) -> BruteForceOptimum:
    """The best menu over all ``2^(N-1)`` monotone partitions (cuts on atom boundaries)."""
    v = _exact(values, "values")
    best, optimal, count = None, [], 0
    for cuts in monotone_partitions(len(v)):
        count += 1
        val, q = best_menu(v, masses, cuts, inventory=inventory, cost=cost)
        if best is None or val > best:
            best, optimal = val, [(cuts, q)]
        elif val == best:
            optimal.append((cuts, q))
    return BruteForceOptimum(best, tuple(optimal), count)
