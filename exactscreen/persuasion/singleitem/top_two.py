"""The top two items (proof of Theorem 3, (54)-(60)) and Proposition 6's normalized
linear-density family: certificates that two top items never beat one.

See the package docstring (:mod:`exactscreen.persuasion.singleitem`) for the
gain ``G`` of two top items over one.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy

from ...exceptions import InputError, NotCertified
from ...numbers import Certainty
from .arb import _certainly_ge, _certainly_lt, arb_ball, arb_function, interval_arb
from .bnb import BnBResult, Rule, SignOracle, branch_and_bound
from .densities import PolyCost, PolyDensity
from .symbols import V

_E, _Z, _S = sympy.symbols("e z sigma", real=True)
_U, _W, _T = sympy.symbols("u w theta", real=True)


def _strip(poly, known=(_E, _Z, 1 - _Z, 1 - _S)):
    """Drop the factors of ``poly`` that are positive wherever the statement is about (by default
    ``e`` (``u < hi``), ``z, 1 - z`` (a genuine split) and ``1 - sigma`` (finite ``theta``); not
    ``sigma``, which is 0 at ``theta = u``) and positive constants, keeping track of the sign.
    Returns ``(core, dropped)``: there, ``sign(poly) == sign(core)``."""
    num, den = sympy.fraction(sympy.cancel(sympy.together(poly)))
    const, facs = sympy.factor_list(sympy.expand(num))
    dconst, dfacs = sympy.factor_list(sympy.expand(den))
    facs = list(facs) + [(f, k) for f, k in dfacs]   # 1/f has the sign of f
    const = const * dconst
    sign = 1 if const > 0 else -1
    keep, dropped = [], []
    known = list(known)
    for f, k in facs:
        if f in known:
            dropped.append((f, k))
        elif sympy.expand(-f) in [sympy.expand(x) for x in known]:
            dropped.append((-f, k))
            sign *= (-1) ** k
        elif (f, k) in dfacs:
            raise InputError(f"_strip: denominator factor {f} of unknown sign")
        else:
            keep.append(f**k)
    return sign * sympy.Mul(*keep), tuple(dropped)


@dataclass
class TopTwoCertificate:
    """Result of :func:`top_two_certificate`: the B&B and the polynomials it certified."""

    result: BnBResult
    gain: sympy.Expr          # G-tilde(e, z, sigma): sign of (two top items) - (one top item)
    increment: sympy.Expr     # D-tilde(e, z, sigma): sign of the lower top item's increment
    lam: tuple
    dropped_gain: tuple
    dropped_increment: tuple
    data: dict | None = None  # the certificate as plain data for :mod:`.replay`
    replay: object = None     # the ReplayResult of :func:`.replay.replay_top_two` (when TRUE)

    @property
    def replayed(self) -> bool:
        return self.replay is not None and bool(self.replay.ok)

    @property
    def certainty(self) -> Certainty:
        return self.result.certainty


def top_two_polynomials(dist: PolyDensity, cost: PolyCost):
    """The restricted top-two problem (54)-(60) for a linear-quadratic cost, as polynomials.

    In the cutoff ``u`` (fixed lower end), the split ``w`` and ``theta =
    c'(q_b)`` of the item below, with cell masses ``m_1 = F(w) - F(u)``,
    ``m_2 = 1 - F(w)``, ``M = m_1 + m_2`` and first moments ``A_1, A_2``:

    * ``D = A_1 M - A_2 m_1 - theta m_1^2 = m_1^2 (phi_1 - theta)``: the sign of the
      optimal increment ``Delta q_{K-1} = (phi_1 - theta)/beta`` (56);
    * ``P = 2 beta m_1^3 m_2 M G``: the sign of the gain ``G`` of two top items over
      one (module docstring), a polynomial.

    Returned in blown-up coordinates ``u = hi - e L``, ``w = hi - z e L``,
    ``theta = u - e L sigma/(1 - sigma)`` (``L = hi - lo``; ``e, z, sigma`` in
    ``[0, 1]``, ``sigma = 0`` is ``theta = u``), multiplied by ``1 - sigma`` and
    with the factors ``e, z, 1 - z, sigma, 1 - sigma`` divided out (they are
    positive inside the box, and their powers are exactly what vanishes at the
    degenerate faces).  Also returns the feasibility polynomial
    ``(u - alpha)(1 - sigma) - e L sigma`` (``theta >= alpha``, i.e. ``q_b >= 0``).
    """
    if cost.delta != 0:
        raise InputError("top_two_polynomials needs a linear-quadratic cost (delta = 0)")
    hi, lo = dist.H, dist.L
    L = hi - lo
    m1, m2 = dist.mass(_U, _W), dist.mass(_W, hi)
    M = m1 + m2
    A1, A2 = dist.moment(_U, _W), dist.moment(_W, hi)
    N1 = A1 * M - A2 * m1
    D = N1 - _T * m1**2
    P = (N1**2 * m2 * M + A2**2 * m1**3 * M - (A1 + A2) ** 2 * m1**3 * m2
         - 2 * _T * (A1 * M - (A1 + A2) * m1) * m1**2 * m2 * M)
    sub = {_U: hi - _E * L, _W: hi - _Z * _E * L, _T: hi - _E * L - _E * L * _S / (1 - _S)}
    gain, gd = _strip(sympy.cancel(P.subs(sub) * (1 - _S)))
    inc, dd = _strip(sympy.cancel(D.subs(sub) * (1 - _S)))
    feas = sympy.expand((hi - _E * L - cost.c0) * (1 - _S) - _E * L * _S)
    return gain, inc, feas, gd, dd


def top_two_certificate(dist: PolyDensity, cost: PolyCost, *, lam=None, max_boxes: int = 200_000,
                        max_depth: int = 40) -> TopTwoCertificate:
    """Certify that, for every lower end ``u``, every admissible ``theta`` in ``[alpha, u]`` and every
    split ``w``, two top items with a positive lower increment earn strictly less than one.

    With this, no optimal menu has two or more items (any K): its top two items
    would solve the restricted problem (54) with ``Delta q_{K-1} > 0``, but one
    top item over the same lower menu does strictly better.

    Rules on boxes of ``(e, z, sigma)``, with ``G~``, ``D~`` of
    :func:`top_two_polynomials`:

    ``infeasible``  ``theta < alpha`` on the whole box.
    ``no second item``  ``D~ <= 0``: the lower top item gets no increment.
    ``two items lose``  ``G~ < 0``.
    ``combination``  ``G~ + lam D~ <= 0`` for one of the multipliers
        ``lam >= 0``: where ``D~ > 0`` this forces ``G~ < 0``.  By default
        ``lam_0`` cancels the leading terms on the degenerate line ``e = 0,
        sigma = 0`` (the limit ``u -> hi`` with ``theta = u``), where ``G~``
        and ``D~`` vanish together at the root of a common factor, and
        ``4 lam_0/3`` handles the corner ``e = 0, z = 1, sigma = 1``.
    The last three are also tried in *monotone* form: variables along which
    the derivative has a certified sign are fixed at the maximizing end of
    their interval (this handles faces on which the polynomial is exactly 0).

    The property certified is *sufficient* and compares two top items with the
    one item serving the whole region ``[u, hi]``.  ``FALSE`` (a point where two
    top items certainly beat that item) refutes only this criterion, not the
    optimality of a single item: the best single top item may exclude part of
    the region (as for ``6 v (1 - v)`` near its top, where the criterion fails
    although no 2-item menu beats the single item).
    """
    gain, inc, feas, gd, dd = top_two_polynomials(dist, cost)
    if lam is None:
        g0, d0 = gain.subs({_E: 0, _S: 0}), inc.subs({_E: 0, _S: 0})
        ratio = sympy.cancel(-g0 / d0) if d0 != 0 else sympy.Integer(0)
        lam = ratio if ratio.is_Rational and ratio >= 0 else sympy.Integer(1)
    pair = lam if isinstance(lam, (tuple, list)) else (lam, 4 * sympy.Rational(lam) / 3)
    lams = tuple(sympy.Rational(x) for x in pair)
    if any(x < 0 for x in lams):
        raise InputError("top_two_certificate: the multipliers lam must be >= 0")
    syms = (_E, _Z, _S)
    combos = [(f"C{i}", sympy.expand(gain + x * inc)) for i, x in enumerate(lams)]
    oracle = SignOracle({"G": gain, "D": inc, "feas": feas, **dict(combos)}, syms)

    def infeasible(balls, box):
        if _certainly_lt(oracle.value("feas", balls), 0):
            return {"poly": "feas", "rel": "<", "fix": (None,) * 3}
        return False

    def no_item(balls, box):
        return oracle.below("D", balls, box, strict=False)

    def lose(balls, box):
        return oracle.below("G", balls, box, strict=True)

    def combination(balls, box):
        for name, _ in combos:
            claim = oracle.below(name, balls, box, strict=False)
            if claim:
                return claim
        return False

    def refute(point):
        # interior point where theta >= alpha, the lower top item gets a positive increment
        # and two top items certainly earn more than one: a counterexample
        if not all(0 < x < 1 for x in point):
            return False
        pb = [arb_ball(x) for x in point]
        return bool(oracle.value("feas", pb) >= 0 and oracle.value("D", pb) > 0 and oracle.value("G", pb) > 0)

    res = branch_and_bound([(0, 1)] * 3, [Rule("infeasible", infeasible), Rule("no second item", no_item),
                                          Rule("two items lose", lose), Rule("combination", combination)],
                           refute=refute, max_boxes=max_boxes, max_depth=max_depth)
    data = _top_two_data(dist, cost, oracle, lams, res)
    cert = TopTwoCertificate(res, gain, inc, lams, gd, dd, data)
    if res.certainty == Certainty.TRUE:
        from .replay import replay_top_two
        cert.replay = replay_top_two(data)
        if not cert.replay.ok:
            raise NotCertified(f"top-two certificate for {dist.name}: {cert.replay.summary()}")
        res.replay = cert.replay.summary()
    return cert


def _top_two_data(dist: PolyDensity, cost: PolyCost, oracle: SignOracle, lams, res: BnBResult) -> dict:
    """The certificate as plain data (Fractions, ints, strings, tuples) for :mod:`.replay`."""
    def frac(x):
        x = sympy.Rational(x)
        return Fraction(int(x.p), int(x.q))

    return {"domain": ((Fraction(0), Fraction(1)),) * 3, "density": dist.coefficients, "lo": dist.lo, "hi": dist.hi,
            "alpha": frac(cost.alpha), "beta": frac(cost.beta), "lams": tuple(frac(x) for x in lams),
            "polys": {"G": oracle.coefficients("G"), "D": oracle.coefficients("D")}, "final": list(res.final)}


# ------------------------------------ Proposition 6: the normalized family
_ZN, _KA, _TT = sympy.symbols("z kappa t", real=True)


def linear_density_top_two():
    """The restricted top-two problem for ``L(v; v_l, v_h)`` and ``c = alpha q + beta q^2/2``,
    normalized, derived from (10) (not from the paper's (56)-(59)).

    Conditional on ``v >= w_{K-2}`` the density is again linearly decreasing to 0
    at ``v_h``; rescaling values to ``[0, 1]`` (density ``2(1 - v)``), profits by
    ``(fbar_{K-1} + fbar_K)(v_h - w_{K-2})^2/beta`` and writing the marginal cost
    of the item below as ``w_{K-2} - kappa (v_h - w_{K-2})/3`` turns every
    instance into one with values shifted by ``s = kappa/3`` and cost
    ``Delta^2/2`` of the increment: the top cell ``[1 - z, 1]`` has mass ``z^2``
    and mean ``1 - 2z/3``.  Returns a dict of sympy expressions in ``z, kappa``:
    ``d1`` (optimal increment of item K-1), ``d2``, ``two`` (profit of the two
    top items at the optimal increments, valid when ``d1 >= 0``), ``one(z)``
    (one top item sold above ``1 - z``), ``best_one`` (its maximum over ``z``,
    piecewise in ``kappa``), and ``gain = two - one(1)``.
    """
    z, k = _ZN, _KA
    s = k / 3
    w = 1 - z
    dens = 2 * (1 - V)
    mt, ml = sympy.integrate(dens, (V, w, 1)), sympy.integrate(dens, (V, 0, w))
    vt = sympy.cancel(sympy.integrate(V * dens, (V, w, 1)) / mt)
    vl = sympy.cancel(sympy.integrate(V * dens, (V, 0, w)) / ml)
    x1, x2 = sympy.symbols("x1 x2")
    # (54) plus the base cost, in increments over the item below (values shifted by s)
    prof = (ml + mt) * x1 * (vl + s) - ml * x1**2 / 2 + mt * (x2 * (vt + s) - (x1 + x2) ** 2 / 2)
    sol = sympy.solve([sympy.diff(prof, x1), sympy.diff(prof, x2)], [x1, x2], dict=True)[0]
    two = sympy.factor(prof.subs(sol))
    one = sympy.factor(mt * (vt + s) ** 2 / 2)
    best = sympy.Piecewise((9 * (1 + s) ** 4 / 128, k <= 1), ((sympy.Rational(1, 3) + s) ** 2 / 2, True))
    return {"d1": sympy.factor(sol[x1]), "d2": sympy.factor(sol[x2]), "two": two, "one": one,
            "best_one": best, "gain": sympy.factor(two - one.subs(z, 1)), "profit": prof}


def linear_density_top_two_certificate(*, max_boxes: int = 100_000, max_depth: int = 40, lams=(1, 2, 4),
                                       two_scale=1):
    """Certify Proposition 6 for the whole family: for every ``kappa >= 0`` and every split
    ``z`` in ``(0, 1)`` with a positive increment ``d1 > 0``, the two top items earn strictly
    less than the best single top item.

    Coordinates ``(z, t)`` in ``[0, 1]^2`` with ``kappa = t/(1 - t)`` (so ``t = 1`` is
    ``kappa = infinity``); ``gain`` and ``d1`` are multiplied by ``1 - t`` (they are
    linear in ``kappa``) and stripped of the factors ``z, 1 - z, 1 + z, t, 1 - t``.
    Rules: ``no second item`` (``d1 <= 0``), ``two items lose`` (``gain < 0``, i.e.
    worse than serving the whole region with one item), ``combination``
    (``gain~ + lam d1~ <= 0``), ``bound`` (``two < best_one(kappa_lo)``, for
    ``t < 1``; ``best_one`` increases with ``kappa``).  ``two_scale`` (default 1)
    multiplies the two-item profit: a value above 1 states something false, and
    the certificate then fails (used by the tests).
    Returns ``(BnBResult, expressions)``.
    """
    ex = linear_density_top_two()
    scale = sympy.Rational(two_scale)
    if scale != 1:
        ex = {**ex, "two": ex["two"] * scale, "gain": sympy.factor(ex["two"] * scale - ex["one"].subs(_ZN, 1))}
    z, t = _ZN, _TT
    kap = t / (1 - t)
    known = (z, 1 - z, 1 + z, 1 - t)     # t = 0 is kappa = 0: not dropped
    gain, _ = _strip(sympy.cancel(ex["gain"].subs(_KA, kap) * (1 - t)), known)
    inc, _ = _strip(sympy.cancel(ex["d1"].subs(_KA, kap) * (1 - t)), known)
    lams = tuple(sympy.Rational(x) for x in lams)
    combos = {f"C{i}": sympy.expand(gain + x * inc) for i, x in enumerate(lams)}
    oracle = SignOracle({"G": gain, "D": inc, **combos}, (z, t))
    two = arb_function(sympy.cancel(ex["two"]), (_ZN, _KA), centered=True)
    best_lo = arb_function(9 * (1 + _KA / 3) ** 4 / 128, (_KA,))
    best_hi = arb_function((sympy.Rational(1, 3) + _KA / 3) ** 2 / 2, (_KA,))

    def no_item(balls, box):
        return oracle.below("D", balls, box, strict=False)

    def lose(balls, box):
        return oracle.below("G", balls, box, strict=True)

    def combination(balls, box):
        for n in combos:
            claim = oracle.below(n, balls, box, strict=False)
            if claim:
                return claim
        return False

    def bound(balls, box):
        zb, ((_, _), (tlo, thi)) = balls[0], box
        if thi >= 1:
            return False
        klo = arb_ball(tlo / (1 - tlo))
        kb = interval_arb(tlo / (1 - tlo), thi / (1 - thi))
        b1 = best_lo(klo) if tlo / (1 - tlo) <= 1 else best_hi(klo)
        return _certainly_lt(two(zb, kb), b1)

    def refute(point):
        zp, tp = point
        if not (0 < zp < 1 and 0 <= tp < 1):
            return False
        kp = arb_ball(tp / (1 - tp))
        d1 = arb_function(ex["d1"], (_ZN, _KA))(arb_ball(zp), kp)
        b1 = best_lo(kp) if tp / (1 - tp) <= 1 else best_hi(kp)
        return bool(d1 > 0 and two(arb_ball(zp), kp) > b1)

    res = branch_and_bound([(0, 1), (0, 1)], [Rule("no second item", no_item), Rule("two items lose", lose),
                                              Rule("combination", combination), Rule("bound", bound)],
                           refute=refute, max_boxes=max_boxes, max_depth=max_depth)
    if res.certainty == Certainty.TRUE:
        data = {"part": "kappa>=0", "polys": {"G": oracle.coefficients("G"), "D": oracle.coefficients("D")},
                "lams": tuple(_frac(x) for x in lams), "final": list(res.final),
                **_two_data(sympy.cancel(ex["two"]))}
        _replay_family(res, data)
    return res, ex


def _frac(x) -> Fraction:
    x = sympy.Rational(x)
    return Fraction(int(x.p), int(x.q))


def _coeffs(expr, syms) -> dict:
    poly = sympy.Poly(sympy.expand(expr), *syms)
    return {tuple(int(e) for e in exps): _frac(c) for exps, c in poly.terms()}


def _two_data(two) -> dict:
    num, den = sympy.fraction(sympy.cancel(two))
    return {"two_num": _coeffs(num, (_ZN, _KA)), "two_den": _coeffs(den, (_ZN, _KA))}


def _replay_family(res: BnBResult, data: dict) -> None:
    """Replay a Proposition 6 certificate by :mod:`.replay` (independent code); NotCertified when it fails."""
    from .replay import replay_linear_family

    rep = replay_linear_family(data)
    if not rep.ok:
        raise NotCertified(f"Proposition 6 certificate ({data['part']}): {rep.summary()}")
    res.replay = rep.summary()


KAPPA_NEGATIVE_MIN = Fraction(-3, 2)
"""Below this ``kappa`` the lower top item never gets an increment (see
:func:`linear_density_top_two_negative`)."""


def linear_density_top_two_negative(*, max_boxes: int = 50_000, max_depth: int = 40, two_scale=1):
    """The same statement for ``kappa < 0`` (marginal cost of the item below above ``w_{K-2}``).

    The paper's proof only needs ``kappa >= 0`` ("otherwise q_{K-2} would cost more than
    it is worth to its buyers"), but for ``K - 2 = 0`` without an excluded cell
    (``q_0 = 0``, ``w_0 = v_l``) ``kappa = 3 (v_l - c'(0))/(v_h - v_l)`` is negative when
    ``c'(0) > v_l``.  For ``kappa <= -3/2`` (``s <= -1/2``) there is nothing to certify:
    the lower cell ``[0, 1 - z)`` has mean at most its midpoint (decreasing density),
    so ``phi_1 + s <= 1/2 + s <= 0``.  On ``[0, 1] x [-3/2, 0]`` in ``(z, kappa)``:
    rules ``no second item`` (``d1 <= 0``, from its numerator: the denominator
    ``3 (z - 1)(z + 1)^2`` is negative) and ``bound`` (``two < best_one(kappa_lo)``).
    """
    ex = linear_density_top_two()
    z, k = _ZN, _KA
    two_expr = sympy.cancel(ex["two"]) * sympy.Rational(two_scale)
    num, den = sympy.fraction(sympy.factor(ex["d1"]))
    if sympy.expand(den - 3 * (z - 1) * (z + 1) ** 2) != 0:
        raise NotCertified(f"unexpected denominator {den} of d1")
    numf = arb_function(num, (z, k), centered=True)
    two = arb_function(two_expr, (z, k), centered=True)
    best = arb_function(9 * (1 + k / 3) ** 4 / 128, (k,))

    def no_item(balls, box):
        return _certainly_ge(numf(*balls), 0)

    def bound(balls, box):
        return _certainly_lt(two(*balls), best(arb_ball(box[1][0])))

    def refute(point):
        zp, kp = (arb_ball(x) for x in point)
        return bool(0 < point[0] < 1 and numf(zp, kp) < 0 and two(zp, kp) > best(kp))

    res = branch_and_bound([(0, 1), (KAPPA_NEGATIVE_MIN, 0)], [Rule("no second item", no_item), Rule("bound", bound)],
                           refute=refute, max_boxes=max_boxes, max_depth=max_depth)
    if res.certainty == Certainty.TRUE:
        data = {"part": "kappa<0", "polys": {"d1num": _coeffs(num, (z, k))}, "lams": (), "final": list(res.final),
                **_two_data(two_expr)}
        _replay_family(res, data)
    return res
