"""The optimal single item (Lemma 10, first-order conditions (53)) and the certificate that no
partition into ``n`` cells beats it (:func:`certify_cells`).

See the package docstring (:mod:`exactscreen.persuasion.singleitem`) for the
primer on monotone partitions and the single item.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import sympy
from flint import arb

from ...exceptions import InputError, NotCertified
from ...numbers import Certainty
from .arb import (PREC, _ball_of, _certainly_ge, _certainly_le, _certainly_lt, arb_ball, arb_function, interval_arb,
                  working_precision)
from .bnb import BnBResult, Rule, branch_and_bound
from .densities import PolyCost, PolyDensity, _rat
from .symbols import _A, _B, _P, Q

@dataclass(frozen=True)
class SingleItem:
    """The optimal single-item menu (52) of a distribution and a cost, exactly.

    ``cutoff`` v* (sold to ``v >= v*``; ``== lo`` when nobody is excluded),
    ``quality`` q*, ``mean`` mu* = E[v | v >= v*], ``price`` mu* q*, ``profit``
    Pi_1* -- exact sympy numbers (radicals).  ``certificate`` is the branch and
    bound proving that ``psi(x) = c(q(x)) - x q(x)`` is positive below v* and
    negative above it, i.e. that ``Pi_1`` increases up to v* and decreases
    after: v* is the global optimum among all single-item menus, not just a
    critical point.
    """

    dist: PolyDensity
    cost: PolyCost
    cutoff: sympy.Expr
    quality: sympy.Expr
    mean: sympy.Expr
    profit: sympy.Expr
    certificate: BnBResult

    @property
    def price(self):
        return sympy.radsimp(sympy.expand(self.mean * self.quality))

    @property
    def excludes(self) -> bool:
        return self.cutoff != self.dist.L

    def profit_ball(self) -> arb:
        return _ball_of(self.profit)

    def cutoff_ball(self) -> arb:
        return _ball_of(self.cutoff)

    def __repr__(self) -> str:
        return (f"SingleItem(v*={self.cutoff}, q*={self.quality}, mu*={self.mean}, profit={self.profit}; "
                f"{self.certificate.certainty.value})")


def _simplify_number(e):
    if e.has(sympy.CRootOf):
        return sympy.expand(e)
    return sympy.radsimp(sympy.simplify(e))


def single_item_profit(dist: PolyDensity, cost: PolyCost, x=_A):
    """``Pi_1(x) = M(x) c*(mu(x))``: the best single item sold to ``v >= x`` (52)."""
    return dist.mass(x, dist.H) * cost.conjugate(dist.upper_mean(x))


def single_item_optimum(dist: PolyDensity, cost: PolyCost, *, max_boxes: int = 20_000) -> SingleItem:
    """Solve the first-order conditions (53) exactly and certify global optimality.

    ``c(q)/q = alpha + beta q/2 + delta q^2/3 = x`` gives the cutoff as a
    polynomial in ``q``; substituting into ``c'(q) = mu(x)`` leaves one
    polynomial equation in ``q``, solved exactly (radicals).  Its root with
    ``q > 0`` and ``lo < x < hi`` is the candidate; if there is none, nobody
    is excluded (``v* = lo``).  The sign of ``psi`` is then certified on
    ``[lo, hi]`` by branch and bound (below the root, above it, and around it
    by certified monotonicity ``psi' < 0``, since ``psi(v*) = 0`` exactly).
    """
    if not cost.c0 < dist.overall_mean():
        raise InputError(f"need c'(0) = {cost.c0} below the mean value {dist.overall_mean()}")
    x = _A
    mu = dist.upper_mean(x)
    a, b, d = (_rat(cost.alpha), _rat(cost.beta), _rat(cost.delta))
    x_of_q = a + b * Q / 2 + d * Q**2 / 3
    eq = sympy.together(mu.subs(x, x_of_q) - cost.marginal(Q))
    num = sympy.Poly(sympy.numer(eq), Q)
    lo, hi = dist.L, dist.H
    candidates = []
    with working_precision(PREC):
        for fac, _ in num.factor_list()[1]:
            # radicals up to degree 2; exact CRootOf beyond (Cardano/Ferrari expressions are unwieldy)
            roots = sympy.roots(fac, Q) if fac.degree() <= 2 else {}
            if fac.degree() > 2 or sum(roots.values()) < fac.degree():
                roots = {r: 1 for r in fac.real_roots()}
            for r in roots:
                if not r.is_real:
                    continue
                rb = _ball_of(r)
                xb = _ball_of(x_of_q.subs(Q, r)) if not r.has(sympy.CRootOf) else arb_function(x_of_q, (Q,))(rb)
                lo_b, hi_b = arb_ball(lo), arb_ball(hi)
                if rb > 0 and xb > lo_b and xb < hi_b:
                    candidates.append(r)
                elif rb <= 0 or xb <= lo_b or xb >= hi_b:
                    continue
                else:
                    raise NotCertified(f"cannot decide whether the root q = {r} of (53) is admissible")
    if len(candidates) > 1:
        raise NotCertified(f"(53) has several admissible solutions {candidates}; not handled")
    if candidates:
        qs = _simplify_number(candidates[0])
        xs = _simplify_number(x_of_q.subs(Q, qs))
    else:
        xs = lo
        qs = _simplify_number(cost.marginal_inverse(dist.overall_mean()))
    mus = _simplify_number(mu.subs(x, xs))
    profit = _simplify_number(dist.mass(xs, hi) * (mus * qs - cost.c(qs)))
    psi = _psi(dist, cost)
    cert = _certify_psi_sign(dist, cost, psi, xs, max_boxes=max_boxes)
    if cert.certainty == Certainty.TRUE:
        _replay_psi(dist, cost, xs, qs, cert)
    return SingleItem(dist, cost, xs, qs, mus, profit, cert)


def _replay_psi(dist: PolyDensity, cost: PolyCost, xs, qs, cert: BnBResult) -> None:
    """Have the sign of psi re-decided by :mod:`.replay_psi` (independent code: exact polynomials
    and certified root isolation instead of interval branch and bound); NotCertified when it fails."""
    from .replay_psi import replay_psi_sign

    rep = replay_psi_sign(dist.coefficients, dist.lo, dist.hi, cost.alpha, cost.beta, cost.delta, xs, qs)
    if not rep.ok:
        raise NotCertified(f"single-item optimum for {dist.name}: the psi-sign certificate's {rep.summary()}")
    cert.replay = rep.summary()


def _psi(dist: PolyDensity, cost: PolyCost):
    """``psi(x) = c(q(x)) - x q(x)``, ``q(x) = c'^{-1}(mu(x))``; ``Pi_1'(x) = f(x) psi(x)``."""
    qx = cost.marginal_inverse(dist.upper_mean(_A))
    return cost.c(qx) - _A * qx


def _certify_psi_sign(dist, cost, psi, xs, *, max_boxes):
    f = arb_function(psi, (_A,))
    df = arb_function(sympy.diff(psi, _A), (_A,))
    with working_precision(PREC):
        xb = _ball_of(xs)
    interior = xs != dist.L

    def below(balls, box):
        (x,), ((_, hi_),) = balls, box
        return interior and arb_ball(hi_) < xb and _certainly_lt(-f(x), 0)

    def above(balls, box):
        (x,), ((lo_, _),) = balls, box
        return (arb_ball(lo_) > xb or not interior) and _certainly_lt(f(x), 0)

    def around(balls, box):
        # interior: psi(v*) = 0 exactly (the FOC, by construction) and psi decreasing on a box
        # containing v* => psi > 0 left of v*, < 0 right of it.  Corner v* = lo: psi(lo) <= 0
        # and psi decreasing => psi < 0 on the box except possibly at lo.
        (x,), ((lo_, hi_),) = balls, box
        if not (arb_ball(lo_) <= xb.lower() and xb.upper() <= arb_ball(hi_) and _certainly_lt(df(x), 0)):
            return False
        return interior or _certainly_le(f(arb_ball(dist.lo)), 0)

    return branch_and_bound([(dist.lo, dist.hi)], [Rule("psi>0 below v*", below), Rule("psi<0 above v*", above),
                                                    Rule("psi decreasing through v*", around)],
                            max_boxes=max_boxes, max_depth=40)


# ------------------------------------------- K-item menus over all cutoffs
class _CellModel:
    """Compiled pieces of a distribution and a cost for box evaluations."""

    def __init__(self, dist: PolyDensity, cost: PolyCost):
        self.dist, self.cost = dist, cost
        self.F = arb_function(dist.cdf(_A), (_A,), centered=True)
        self.mean = arb_function(dist.mean(_A, _B), (_A, _B), centered=True)
        self.conj = arb_function(cost.conjugate(_P), (_P,))
        self.qinv = arb_function(cost.marginal_inverse(_P), (_P,))
        self.cfun = arb_function(cost.expr, (Q,))
        self.c0 = arb_ball(cost.c0)
        self.lo, self.hi = arb_ball(dist.lo), arb_ball(dist.hi)

    def cells(self, cut_balls: Sequence[arb]):
        """Masses, means, survivals and ``N_k = m_k phi_k`` of the cells (enclosures)."""
        ends = [self.lo, *cut_balls, self.hi]
        Fv = [arb(0)] + [self.F(t) for t in cut_balls] + [arb(1)]
        n = len(ends) - 1
        m = [(Fv[k + 1] - Fv[k]).nonnegative_part() for k in range(n)]
        vb = [self._mean_in(ends[k], ends[k + 1]) for k in range(n)]
        S = [1 - Fv[k] for k in range(n)]
        N = [vb[k] * S[k] - vb[k + 1] * S[k + 1] for k in range(n - 1)] + [vb[n - 1] * S[n - 1]]
        return m, vb, S, N

    def top_split_h(self, a: arb, b: arb) -> arb:
        """Enclosure of ``h(a, b)`` of :func:`_top_split`, evaluated piece by piece (tight)."""
        hi = self.hi
        M = (1 - self.F(a)).nonnegative_part()
        m2 = (self.F(b) - self.F(a)).nonnegative_part()
        v2 = self._mean_in(a, b)
        v3 = self._mean_in(b, hi)
        A3 = (1 - self.F(b)).nonnegative_part() * v3
        phi2 = (v2 * M - A3) / m2
        q2, q3 = self.qinv(phi2), self.qinv(v3)
        return q2 * b - self.cfun(q2) + q2 * M * (b - v2) / m2 + self.cfun(q3) - b * q3

    def _mean_in(self, x: arb, y: arb) -> arb:
        hull = x.lower().union(y.upper())
        val = self.mean(x, y)
        if val.is_finite() and val.overlaps(hull):
            return val.intersection(hull)
        return hull

    def conj_upper(self, p: arb) -> arb:
        """Upper bound of ``max_{q>=0} p q - c(q)`` over the ball ``p`` (0 when ``p <= c'(0)``)."""
        if _certainly_le(p, self.c0):
            return arb(0)
        top = p.upper().max(self.c0)
        return self.conj(top).upper()

    def profit_upper(self, cut_balls) -> tuple[arb, list[bool]]:
        """Upper bound of the profit of every menu on these cells, and which cells are excluded."""
        m, vb, S, N = self.cells(cut_balls)
        n = len(m)
        total = arb(0)
        excluded = []
        for k in range(n):
            excl = k < n - 1 and _certainly_le(N[k] - self.c0 * m[k], 0)
            excluded.append(excl)
            if excl:
                continue
            phi_hi = vb[k].upper()
            if m[k] > 0 and k < n - 1:
                direct = (N[k] / m[k]).upper()
                if direct.is_finite() and direct < phi_hi:
                    phi_hi = direct
            total += m[k].upper() * self.conj_upper(phi_hi)
        return total, excluded


def _top_split(dist: PolyDensity, cost: PolyCost):
    """Top-split difference ``f(a, b)`` and its reduced derivative ``h(a, b)``.

    ``f(a, b) = m_2 c*(phi_2) + m_3 c*(vbar_3) - M c*(mu(a))``: the (formula)
    profit of the two top cells ``[a, b)``, ``[b, hi]`` minus that of the single
    cell ``[a, hi]``; ``f(a, hi) = 0`` identically.  A cutoff moves mass only
    at the density, so ``df/db = f(b) h(a, b)`` with (chain rule through
    ``m_2, vbar_2, m_3, vbar_3``; ``q_2 = c'^{-1}(phi_2)``, ``q_3 = c'^{-1}(vbar_3)``)

        h = q_2 b - c(q_2) + q_2 M (b - vbar_2)/m_2 + c(q_3) - b q_3,

    finite up to ``b = hi`` even where the density vanishes there.  At
    ``b = hi``, ``h = U - Delta S`` of Sec. 6 (the rent ``q_mu (v_h - mu)`` of
    the separated sliver minus its surplus gain): ``h >= 0`` means that
    separating the top sliver does not pay.  Returns ``(f, h)`` (sympy, in
    ``a, b``).
    """
    hi = dist.H
    a, b = _A, _B
    m2, m3, M = dist.mass(a, b), dist.mass(b, hi), dist.mass(a, hi)
    v2, v3 = dist.mean(a, b), dist.mean(b, hi)
    phi2 = sympy.cancel((v2 * M - dist.moment(b, hi)) / m2)
    f = m2 * cost.conjugate(phi2) + m3 * cost.conjugate(v3) - M * cost.conjugate(dist.upper_mean(a))
    q2, q3 = cost.marginal_inverse(phi2), cost.marginal_inverse(v3)
    h = q2 * b - cost.c(q2) + q2 * sympy.cancel(M * (b - v2) / m2) + cost.c(q3) - b * q3
    return f, h


def certify_cells(single: SingleItem, n_cells: int = 3, *, max_boxes: int = 100_000, max_depth: int = 40) -> BnBResult:
    """Certify that no partition into ``n_cells`` cells beats the best single item.

    Over all cutoffs ``lo <= t_1 <= ... <= t_{n-1} <= hi`` (boxes of the cube,
    those disjoint from the simplex skipped), the upper bound
    ``U = sum_k m_k c*(phi_k)`` of every menu on the cells is compared with
    ``Pi_1*`` (exact, as a ball).  Rules:

    ``bound``
        ``U < Pi_1*`` on the box.
    ``single item``
        every cell below the top is certainly excluded (``phi_k <= c'(0)``),
        so the menu sells one item to ``v >= t_{n-1}``: its profit is
        ``Pi_1(t_{n-1}) <= Pi_1*`` by the single-item certificate.  This covers
        the degenerate set where the lower cutoffs are free (``t_{n-1} = v*``).
    ``top split``
        the box touches ``t_{n-1} = hi`` (the top cell shrinks to a point), the
        cells below ``t_{n-2}`` are excluded and ``df/db >= 0`` on the box for
        the top-split difference ``f`` of :func:`_top_split`; since
        ``f(a, hi) = 0``, the two top items earn at most the single item sold
        to ``v >= t_{n-2}``, hence at most ``Pi_1*``.  This covers the
        degenerate corner ``(v*, hi)``.

    ``refute`` (at the depth limit): a box midpoint whose pointwise optimal
    qualities are monotone and whose profit is certainly above ``Pi_1*``
    would be returned as a counterexample (FALSE).
    """
    dist, cost = single.dist, single.cost
    model = _CellModel(dist, cost)
    n = n_cells
    if n < 2:
        raise InputError("n_cells must be at least 2")
    with working_precision(PREC):
        pi1 = single.profit_ball()
    hi = dist.hi

    def outside(box):
        return any(box[i][0] > box[i + 1][1] for i in range(len(box) - 1))

    def bound(balls, box):
        u, _ = model.profit_upper(balls)
        return _certainly_lt(u, pi1)

    def single_rule(balls, box):
        _, excluded = model.profit_upper(balls)
        return all(excluded[: n - 1])

    def top_split(balls, box):
        _, excluded = model.profit_upper(balls)
        if not all(excluded[: n - 2]):
            return False
        a = balls[-2] if n > 2 else model.lo
        # h >= 0 on a x [b_lo, hi] (extended to the face b = hi): f(a, b) <= f(a, hi) = 0
        return _certainly_ge(model.top_split_h(a, interval_arb(box[-1][0], hi)), 0)

    def refute(point):
        return _beats_single(model, point, pi1)

    res = branch_and_bound([(dist.lo, dist.hi)] * (n - 1),
                           [Rule("bound", bound), Rule("single item", single_rule), Rule("top split", top_split)],
                           outside=outside, refute=refute, max_boxes=max_boxes, max_depth=max_depth)
    if res.certainty == Certainty.TRUE:
        _replay_cells(single, n, res)
    return res


def _replay_cells(single: SingleItem, n: int, res: BnBResult) -> None:
    """Have every box of the certificate re-verified by :mod:`.replay_cells` (independent code: exact
    monotone ranges of the cell pieces, its own ``c*`` bounds and top-split ``h``); NotCertified when
    the replay fails, else ``res.replay`` is its summary."""
    from .arb import arb_interval
    from .replay_cells import replay_cells

    dist, cost = single.dist, single.cost
    with working_precision(PREC):
        pi1, vstar = arb_interval(single.profit_ball()), arb_interval(single.cutoff_ball())
    rep = replay_cells({"density": dist.coefficients, "lo": dist.lo, "hi": dist.hi, "alpha": cost.alpha, "beta": cost.beta,
                        "delta": cost.delta, "n_cells": n, "pi1": pi1, "vstar": vstar, "final": res.final})
    if not rep.ok:
        raise NotCertified(f"{n}-cell certificate for {dist.name}: {rep.summary()}")
    res.replay = rep.summary()


def _beats_single(model: _CellModel, point: Sequence[Fraction], pi1: arb) -> bool:
    """Does the partition at ``point`` with pointwise optimal (monotone) qualities certainly beat ``pi1``?"""
    balls = [arb_ball(t) for t in point]
    m, vb, S, N = model.cells(balls)
    if any(not (x > 0) for x in m):
        return False
    qinv = arb_function(model.cost.marginal_inverse(_P), (_P,))
    cfun = arb_function(model.cost.expr, (Q,))
    qs, prof = [], arb(0)
    for k in range(len(m)):
        phi = N[k] / m[k]
        q = arb(0) if phi <= model.c0 else qinv(phi.max(model.c0))
        qs.append(q)
        prof += m[k] * (phi * q - cfun(q))
    monotone = all(qs[k] <= qs[k + 1] for k in range(len(qs) - 1))
    return bool(monotone and prof > pi1)
