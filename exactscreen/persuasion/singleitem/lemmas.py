"""Lemma 11 (quadratic interpolation of a cost with ``c''' >= 0``) and the restricted top-item
problem (60), in exact sympy algebra.

Bergemann, Heumann & Morris, *Screening with persuasion*, appendix, proof of Theorem 3:
(55) the linear-quadratic cost ``c-hat(q) = alpha q + beta q^2/2 + gamma``; (60) the restricted
problem ``max over w in [w_{K-2}, v_h], Delta q >= 0`` of ``Pi_{K-1,K}(w, 0, Delta q)`` and
``q*(alpha, beta) = q_{K-2} + Delta q_K*(alpha, beta)``; Lemma 11 and its proof ((61), (62), the
coefficients alpha, beta, gamma).

The values above ``w_{K-2}`` follow the linearly decreasing ``L(v; v_l, v_h)`` (the setting of
Proposition 7, where Lemma 11 is used), so conditional on ``v >= w`` the mass is proportional to
``(v_h - w)^2`` and the mean is ``(2 w + v_h)/3`` (Proposition 8's proof).  With ``Delta q_{K-1} =
0`` and ``theta = c-hat'(q_{K-2}) = alpha + beta q_{K-2}``, (54) is ``-M c-hat(q_{K-2}) + m(w)
(Delta mu(w) - theta Delta - beta Delta^2/2)`` (``M`` the mass above ``w_{K-2}``, ``m(w)`` the mass
above ``w``), so ``Delta* = (mu(w*) - theta)/beta`` and ``w*`` maximizes ``m(w) (mu(w) - theta)^2``,
i.e. ``(v_h - w)(mu(w) - theta)``: ``w* = max(w_{K-2}, (v_h + 3 theta)/4)`` when ``theta < v_h``
(:func:`restricted_top_quality`; its maximality is re-checked on exact grids by the check).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import sympy

from ...exceptions import InputError
from .arb import PREC, _crootof_interval, arb_function, interval_arb, working_precision

_q = sympy.Symbol("q", real=True)


def interpolation_coefficients(q0, q1, q2, c0, c1, c2):
    """Lemma 11's alpha, beta, gamma (the displayed formulas after (61)), verbatim:
    ``c-hat`` through ``(q_{K-2}, c0), (q_{K-1}, c1), (q_K, c2)``; needs distinct nodes."""
    den = (q2 - q1) * (q2 - q0) * (q1 - q0)
    if den == 0:
        raise InputError("interpolation_coefficients: the nodes q_{K-2}, q_{K-1}, q_K must be distinct")
    alpha = (c2 * (q0**2 - q1**2) + c1 * (q2**2 - q0**2) + c0 * (q1**2 - q2**2)) / den
    beta = 2 * (c2 * (q1 - q0) + c1 * (q0 - q2) + c0 * (q2 - q1)) / den
    gamma = (c2 * q1 * q0 * (q1 - q0) + c1 * q2 * q0 * (q0 - q2) + c0 * q2 * q1 * (q2 - q1)) / den
    return alpha, beta, gamma


def restricted_top_quality(u, vh, qb, alpha, beta, *, pieces: bool = False):
    """``q*(alpha, beta)`` of (60) for ``L(v; v_l, v_h)`` above ``u = w_{K-2}``, base ``qb = q_{K-2}``.

    Three pieces in ``theta = alpha + beta qb`` (``beta > 0``): ``theta >= v_h`` -> ``qb`` (no
    increment); ``(v_h + 3 theta)/4 >= u`` -> ``qb + (v_h - theta)/(2 beta)``; otherwise (cutoff
    clamped at ``u``) ``qb + ((2u + v_h)/3 - theta)/beta``.  With ``pieces=True`` returns the
    three expressions and the piece index instead (for fixed-point equations)."""
    if not pieces and not beta > 0:
        raise InputError(f"restricted_top_quality: beta must be positive, got {beta}")
    theta = alpha + beta * qb
    exprs = (qb, qb + (vh - theta) / (2 * beta), qb + ((2 * u + vh) / 3 - theta) / beta)
    if pieces:
        return exprs
    if theta >= vh:
        return exprs[0]
    if (vh + 3 * theta) / 4 >= u:
        return exprs[1]
    return exprs[2]


def restricted_profit(u, vh, qb, alpha, beta, w, dq):
    """(54) with ``Delta q_{K-1} = 0`` and cost ``c-hat``, up to the constant ``-M c-hat(qb)`` and the
    positive factor ``M/(v_h - u)^2`` (for the grid re-check of :func:`restricted_top_quality`)."""
    mu = (2 * w + vh) / 3
    theta = alpha + beta * qb
    return (vh - w) ** 2 * (dq * mu - theta * dq - beta * dq**2 / 2)


@dataclass
class Lemma11Witness:
    """The ``(alpha, beta, gamma)`` of one case of Lemma 11 for one instance, exactly.

    ``case``: 1, 2 or 3; ``qhat``: the node ``q-hat`` of the proof (``None`` in case 1; an exact
    real algebraic number, sympy ``CRootOf`` or rational); ``qstar``: ``q*(alpha, beta)``;
    ``conditions``: the case's three relations evaluated exactly (name -> sign of ``c - c-hat``).
    """

    case: int
    alpha: sympy.Expr
    beta: sympy.Expr
    gamma: sympy.Expr
    qstar: sympy.Expr
    qhat: sympy.Expr | None
    conditions: dict = field(default_factory=dict)
    route: str = ""


def _sign_at(e, r, *, max_refine: int = 6) -> int:
    """Exact sign of the rational function ``e(q)`` at the real algebraic number ``r`` (a rational
    or a sympy ``CRootOf``): zero iff the minimal polynomial of ``r`` divides the numerator
    (exact polynomial remainder); otherwise decided by an arb enclosure of ``e`` on an exact
    isolating interval of ``r`` refined at most ``max_refine`` times (three-valued: raises when
    undecided, never guesses)."""
    e = sympy.cancel(sympy.together(sympy.sympify(e)))
    if not r.is_Rational and not isinstance(r, sympy.CRootOf):
        (rho,) = r.atoms(sympy.CRootOf)     # e.g. 3*CRootOf(...): rewrite e as a function of the root itself
        return _sign_at(e.subs(_q, r.xreplace({rho: _q})), rho, max_refine=max_refine)
    if r.is_Rational:
        val = e.subs(_q, r)
        if not val.is_Rational:
            raise ArithmeticError(f"not an exact rational: {val}")
        return int(bool(val > 0)) - int(bool(val < 0))
    num, den = sympy.fraction(e)
    mp = sympy.Poly(sympy.minimal_polynomial(r, _q), _q)
    if sympy.Poly(den, _q).rem(mp).is_zero:
        raise ArithmeticError(f"{e} has a pole at {r}")
    if sympy.Poly(num, _q).rem(mp).is_zero:
        return 0
    f = arb_function(e, (_q,))
    eps = Fraction(1, 2**100)
    with working_precision(PREC * 2):
        for _ in range(max_refine):
            ball = f(interval_arb(*_crootof_interval(r, eps)))
            if ball.is_finite() and ball > 0:
                return 1
            if ball.is_finite() and ball < 0:
                return -1
            eps = eps * eps
    raise ArithmeticError(f"sign of {e} at {r} undecided")


def _on_piece(piece: int, theta, vh, u, r) -> bool:
    """Is the root ``r`` on the given piece of (60): 0 when theta >= v_h, else 1 / 2 as
    (v_h + 3 theta)/4 - u is >= 0 / < 0 there."""
    over = _sign_at(theta - vh, r)
    if piece == 0:
        return over >= 0
    side = _sign_at((vh + 3 * theta) / 4 - u, r)
    return over < 0 and (side >= 0 if piece == 1 else side < 0)


def lemma11_witness(cost: Callable, u, vh, q0, q1, q2, *, max_roots: int = 64,
                    report: dict | None = None) -> Lemma11Witness | None:
    """Follow the proof of Lemma 11 exactly for ``c = cost`` (a sympy polynomial in ``q`` with
    ``c''' >= 0``) and ``q_{K-2} = q0 < q1 < q2`` (distinct, rational): return the case and its
    ``(alpha, beta, gamma)``, or ``None`` when no node of the proof's families satisfies the case
    (the proof's intermediate-value step fails).

    Case 1: the interpolant (61) with ``q* in [q1, q2]`` and ``c(q*) < c-hat(q*)``.  Otherwise the
    family through ``q0, q1, q`` (``q* < q1``, proof after (62)) or ``q0, q, q2`` (``q* >= q1``
    but not case 1): ``q-hat`` is a real root of ``q*(alpha(q), beta(q)) = q`` in ``[q0, q2]``
    on one of the three pieces of (60) (exact root isolation, piece conditions decided exactly);
    failing those, every ``c-hat`` of cases 2 and 3 (:func:`_pencil_witness`).  Case 1's ``c-hat`` is
    unique (three distinct nodes), so for a polynomial ``c`` a ``None`` with
    ``report["exhaustive"]`` true proves that no ``(alpha, beta, gamma)`` satisfies any case.
    """
    c = lambda x: cost(x)  # noqa: E731
    a, b, g = interpolation_coefficients(q0, q1, q2, c(q0), c(q1), c(q2))
    qs = restricted_top_quality(u, vh, q0, a, b)
    chat = lambda x: a * x + b * x**2 / 2 + g  # noqa: E731
    if q1 <= qs <= q2 and c(qs) < chat(qs):
        return Lemma11Witness(1, a, b, g, qs, None, {"c(q_K) - chat(q_K)": 0, "c(q_{K-1}) - chat(q_{K-1})": 0,
                                                      "c(q*) - chat(q*)": -1}, "interpolant (61)")
    families = ((2, lambda x: (q0, q1, x)), (3, lambda x: (q0, x, q2)))
    if qs < q1:
        families = families[:1]
    elif qs > q2:
        families = families[1:]
    for case, nodes in families:
        n0, n1, n2 = nodes(_q)
        A, B, G = (sympy.cancel(sympy.together(e)) for e in interpolation_coefficients(n0, n1, n2, c(n0), c(n1), c(n2)))
        ex = restricted_top_quality(u, vh, q0, A, B, pieces=True)
        theta = sympy.cancel(A + B * q0)
        for piece, e in enumerate(ex):
            eq = sympy.numer(sympy.together(e - _q))
            poly = sympy.Poly(sympy.expand(eq), _q)
            if poly.is_zero:
                continue
            roots = sympy.real_roots(poly, radicals=False)[:max_roots]
            for r in roots:
                if not (q0 <= r <= q2):
                    continue
                try:
                    if _sign_at(B, r) <= 0:
                        continue
                    if not _on_piece(piece, theta, vh, u, r):
                        continue
                    chat_q = lambda x: A * x + B * x**2 / 2 + G  # noqa: E731  (c-hat of the node q)
                    conds = {"c(q_K) - chat(q_K)": _sign_at(c(q2) - chat_q(q2), r),
                             "c(q_{K-1}) - chat(q_{K-1})": _sign_at(c(q1) - chat_q(q1), r),
                             "c(q*) - chat(q*)": _sign_at(c(_q) - chat_q(_q), r)}
                except ArithmeticError:       # a pole of the family at this node (limit not defined)
                    continue
                want = (1, 0, 0) if case == 2 else (0, 1, 0)
                if tuple(conds.values()) == want:
                    return Lemma11Witness(case, A.subs(_q, r), B.subs(_q, r), G.subs(_q, r), r, r, conds,
                                          f"family through {'q_{K-2}, q_{K-1}, q' if case == 2 else 'q_{K-2}, q, q_K'}, "
                                          f"piece {piece} of (60)")
    return _pencil_witness(c, u, vh, q0, q1, q2, a, b, g, max_roots=max_roots, report=report)


def _linear_region(conds) -> tuple | None:
    """The set of ``t`` with ``l_i(t) > 0`` (strict) / ``>= 0`` for linear ``l_i`` (exact rationals), as
    ``(lo, lo_open, hi, hi_open)`` (``None`` ends unbounded), or ``None`` when empty."""
    lo, lo_open, hi, hi_open = None, False, None, False
    t = _q
    for expr, strict in conds:
        p = sympy.Poly(sympy.expand(expr), t)
        k, m = (p.all_coeffs() + [0])[:2] if p.degree() == 1 else (sympy.Integer(0), p.as_expr())
        if p.degree() < 1:
            m = sympy.sympify(p.as_expr())
            if m < 0 or (strict and m == 0):
                return None
            continue
        root = -m / k
        if k > 0:       # t > root (or >=)
            if lo is None or root > lo or (root == lo and strict):
                lo, lo_open = root, strict
        else:           # t < root (or <=)
            if hi is None or root < hi or (root == hi and strict):
                hi, hi_open = root, strict
    if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_open or hi_open))):
        return None
    return lo, lo_open, hi, hi_open


def _point_in(region) -> sympy.Expr:
    lo, lo_open, hi, hi_open = region
    if lo is None and hi is None:
        return sympy.Integer(0)
    if lo is None:
        return hi - 1
    if hi is None:
        return lo + 1
    return (lo + hi) / 2


def _pencil_witness(c, u, vh, q0, q1, q2, a, b, g, *, max_roots: int = 64, report: dict | None = None):
    """Every ``c-hat`` of case 2 (resp. 3) is ``c-hat_0 + t (q - q0)(q - q1)`` with ``t < 0`` (resp.
    ``c-hat_0 + t (q - q0)(q - q2)`` with ``t > 0``), ``c-hat_0`` the interpolant (61): the strict
    relation at ``q_K`` (resp. ``q_{K-1}``) is the sign of ``t``.  The remaining relation
    ``c(q*) = c-hat_t(q*)`` holds when ``q*(t)`` is a node (``q0``, ``q1``, resp. ``q0``, ``q2``) or a
    further crossing of ``c`` and ``c-hat_t``; per piece of (60) each is a polynomial equation in
    ``t`` (real roots, piece conditions decided exactly), and on piece 0 (``q* = q0``, a node) the
    region is an interval of ``t`` given by linear inequalities.  ``q*`` needs ``beta_t > 0`` (for
    ``beta_t <= 0`` and ``theta_t < v_h`` the profit (54) is unbounded in ``Delta q``; piece 0 allows
    ``beta_t >= 0``).  For a polynomial ``c`` the search is exhaustive: ``report["exhaustive"]``
    stays ``True`` unless an equation vanished identically or more than ``max_roots`` roots."""
    t = _q
    if report is not None:
        report.setdefault("exhaustive", True)
        report.setdefault("equations", 0)
    for case, other, sgn in ((2, q1, -1), (3, q2, 1)):
        A = sympy.expand(a + t * (-(q0 + other)))           # c-hat_t = c-hat_0 + t (q^2 - (q0+other) q + q0 other)
        B = sympy.expand(b + 2 * t)
        G = sympy.expand(g + t * q0 * other)
        theta = sympy.expand(A + B * q0)
        chat = lambda x: A * x + B * x**2 / 2 + G  # noqa: E731
        for piece, e in enumerate(restricted_top_quality(u, vh, q0, A, B, pieces=True)):
            e = sympy.cancel(sympy.together(e))
            cands: list = []
            if piece == 0:
                region = _linear_region([(sgn * t, True), (B, False), (theta - vh, False)])
                if report is not None:
                    report["equations"] += 1
                if region is not None:
                    cands.append(_point_in(region))
            else:
                for eq in (e - q0, e - other, c(e) - chat(e)):
                    num = sympy.numer(sympy.together(eq))
                    poly = sympy.Poly(sympy.expand(num), t)
                    if report is not None:
                        report["equations"] += 1
                    if poly.is_zero:
                        if report is not None:
                            report["exhaustive"] = False
                        continue
                    if poly.degree() < 1:
                        continue
                    roots = sympy.real_roots(poly, radicals=False)
                    if len(roots) > max_roots and report is not None:
                        report["exhaustive"] = False
                    cands += roots[:max_roots]
            for r in cands:
                try:
                    if (r > 0) != (sgn > 0) or r == 0:
                        continue
                    bs = _sign_at(B, r)
                    if bs < 0 or (bs == 0 and piece):
                        continue
                    if not _on_piece(piece, theta, vh, u, r):
                        continue
                    qst = e if piece else sympy.Integer(q0)
                    conds = {"c(q_K) - chat(q_K)": _sign_at(c(q2) - chat(q2), r),
                             "c(q_{K-1}) - chat(q_{K-1})": _sign_at(c(q1) - chat(q1), r),
                             "c(q*) - chat(q*)": _sign_at(c(qst) - chat(qst), r)}
                except ArithmeticError:
                    if report is not None:
                        report["exhaustive"] = False
                    continue
                want = (1, 0, 0) if case == 2 else (0, 1, 0)
                if tuple(conds.values()) == want:
                    qs_r = qst.subs(t, r) if piece else sympy.Integer(q0)
                    node = "a node" if piece == 0 or _sign_at(qst - q0, r) == 0 or _sign_at(qst - other, r) == 0 \
                        else "a further crossing"
                    return Lemma11Witness(case, A.subs(t, r), B.subs(t, r), G.subs(t, r), qs_r, None, conds,
                                          f"pencil c-hat_0 + t (q - q_(K-2))(q - {'q_(K-1)' if case == 2 else 'q_K'}), "
                                          f"t = {r}, q* at {node}, piece {piece} of (60) "
                                          "(the proof's fixed-point family has no root)")
    return None
