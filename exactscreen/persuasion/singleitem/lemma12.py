"""Lemma 12 (distribution comparison) with (65)-(66), certified.

Bergemann, Heumann & Morris, *Screening with persuasion*, appendix, before and in Lemma 12: for a
distribution ``F`` and the single-item threshold ``v*`` of (52), ``L(v; z_lo, z_hi)`` is the
linearly decreasing distribution with ``L(v*) = F(v*)`` and ``E_L[v | v >= v*] = E_F[v | v >= v*]``
(65), which forces

    z_hi = 3 mu - 2 v*,   z_lo = z_hi - 3 (mu - v*) / sqrt(1 - F(v*)),   mu = E_F[v | v >= v*];

``F-hat`` (66) equals ``L`` above ``v-hat`` and has an atom ``L(v-hat)`` at 0, with ``v-hat`` chosen so
that ``F-hat`` and ``F`` have the same mean.  Lemma 12: ``F-hat`` is a mean-preserving spread of
``F`` and is first-order stochastically dominated by ``L``.

Certified as follows (:func:`lemma12_certificate`):

* ``v-hat``: the mean of ``F-hat`` is ``m(v-hat) = int_{v-hat}^{z_hi} v dL``, decreasing in ``v-hat``
  on ``[max(z_lo, 0), z_hi]`` (derivative ``-v-hat l(v-hat) <= 0``); it exists iff
  ``m(max(z_lo, 0)) >= E_F[v]`` (for ``z_lo >= 0`` that is (67) at ``v' = 0``), decided exactly when equal
  (then ``v-hat = z_lo`` and the atom is 0) and otherwise by arb; ``v-hat`` is then enclosed by
  certified bisection on the sign of ``m - E_F[v]``.
* first-order dominance ``F-hat(v) >= L(v)`` for all ``v``: equality above ``v-hat``, ``L(v-hat) >= L(v)``
  on ``[z_lo, v-hat]``; below 0 ``F-hat = 0``, so it holds iff ``z_lo >= 0`` (decided exactly when
  ``z_lo = 0``, otherwise by arb).
* mean-preserving spread: ``D(x) = int_0^x (F-hat - F) >= 0`` for all ``x`` with ``D = 0`` beyond the
  supports (equal means, exact by the choice of ``v-hat``), by branch and bound on ``x`` with rules
  ``bound`` (``D > 0`` on the box), ``rises`` (``D' = F-hat - F >= 0`` on ``[start, b]``, ``D(start) =
  0``) and ``falls`` (``D' <= 0`` on ``[a, T]``, ``D(T) = 0``).  Values are ``>= 0`` (supports in
  ``[0, inf)``, as in the paper's (66)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy
from flint import arb

from ...exceptions import InputError, NotCertified
from ...numbers import Certainty
from .arb import PREC, _ball_of, arb_ball, arb_function, arb_interval, interval_arb, working_precision
from .bnb import BnBResult, Rule, branch_and_bound
from .densities import PolyDensity, poly_fractions
from .symbols import V

_x = sympy.Symbol("x", real=True)
_ZL, _ZH = sympy.symbols("z_lo z_hi", real=True)


def _with_z(cons: "Lemma12Construction", expr):
    """Compile ``expr(x, z_lo, z_hi)`` to arb with the z's as balls (they may hold ``CRootOf`` atoms,
    enclosed by exact root isolation in :func:`_ball_of`)."""
    fn = arb_function(expr, (_x, _ZL, _ZH))
    zl, zh = _ball_of(cons.z_lo), _ball_of(cons.z_hi)
    return lambda X: fn(X, zl, zh)


@dataclass
class Lemma12Construction:
    """(65)-(66) for one ``F`` and threshold ``v*``, exactly (sympy radicals)."""

    dist: PolyDensity
    vstar: sympy.Expr
    mu: sympy.Expr
    survival: sympy.Expr
    z_lo: sympy.Expr
    z_hi: sympy.Expr
    mean_F: sympy.Expr

    def L(self, v):
        zl, zh = self.z_lo, self.z_hi
        return (v - zl) * (2 * zh - zl - v) / (zh - zl) ** 2

    def hat_mean(self, vhat):
        """``int_{vhat}^{z_hi} v dL`` (the mean of ``F-hat``; the atom sits at 0)."""
        zl, zh = self.z_lo, self.z_hi
        return 2 * (zh**3 / 6 - zh * vhat**2 / 2 + vhat**3 / 3) / (zh - zl) ** 2


def lemma12_construction(dist: PolyDensity, vstar) -> Lemma12Construction:
    """(65): ``z_lo``, ``z_hi`` for threshold ``vstar`` (an exact sympy number; ``vstar <= lo`` means no
    exclusion, ``F(v*) = 0``)."""
    vstar = sympy.sympify(vstar)
    if vstar.has(sympy.Float):
        raise InputError("lemma12_construction: v* must be exact")
    lo = dist.L
    at = vstar if bool(vstar >= lo) else lo
    mass = dist.mass(at, dist.H)
    simp = (lambda e: sympy.radsimp(sympy.simplify(e))) if not vstar.has(sympy.CRootOf) else sympy.expand
    mu = simp(sympy.cancel(dist.moment(_x, dist.H) / dist.mass(_x, dist.H)).subs(_x, at))
    surv = simp(mass)
    zh = simp(3 * mu - 2 * vstar)
    zl = simp(zh - 3 * (mu - vstar) / sympy.sqrt(surv))
    return Lemma12Construction(dist, vstar, mu, surv, zl, zh, dist.overall_mean())


def _exact_zero(e) -> bool:
    """Exact test ``e == 0`` for a real algebraic sympy number (minimal polynomial at 0)."""
    e = sympy.sympify(e)
    if e == 0:
        return True
    with working_precision(PREC * 2):
        ball = _ball_of(e)
    if ball.is_finite() and not ball.contains(0):
        return False                      # certainly nonzero (the common case: no algebra needed)
    e = sympy.radsimp(sympy.simplify(e))
    if e == 0:
        return True
    if e.is_Rational:
        return False
    mp = sympy.Poly(sympy.minimal_polynomial(e, _x), _x)
    if mp.eval(0) != 0:
        return False
    return mp.degree() == 1


@dataclass
class Lemma12Certificate:
    """Outcome of :func:`lemma12_certificate` (three-valued parts)."""

    construction: Lemma12Construction
    vhat_exists: Certainty
    vhat: tuple[Fraction, Fraction] | None
    atom_zero: bool
    fosd: Certainty
    z_lo_zero: bool
    mps: BnBResult | None
    equal_means: bool
    notes: list = field(default_factory=list)
    #: the certificate as plain data (:func:`certificate_data`), re-verified by :mod:`.replay_lemma12`
    replay_data: dict | None = field(default=None, repr=False)
    #: the independent replay's outcome (``Lemma12Replay``), ``None`` when the answer was UNDECIDED
    replay: object | None = None

    @property
    def certainty(self) -> Certainty:
        parts = [self.vhat_exists, self.fosd, self.mps.certainty if self.mps else Certainty.UNDECIDED]
        if all(p == Certainty.TRUE for p in parts):
            return Certainty.TRUE
        if any(p == Certainty.FALSE for p in parts):
            return Certainty.FALSE
        return Certainty.UNDECIDED


def _identical(cons: Lemma12Construction) -> bool:
    """``F = L(v; z_lo, z_hi)`` exactly (same support, same density): then ``F-hat = F``."""
    d = cons.dist
    if not (_exact_zero(cons.z_lo - d.L) and _exact_zero(cons.z_hi - d.H)):
        return False
    ldens = 2 * (d.H - V) / (d.H - d.L) ** 2
    return sympy.expand(d.density - ldens) == 0


def _sign3(ball: arb) -> Certainty:
    if ball.is_finite() and ball > 0:
        return Certainty.TRUE
    if ball.is_finite() and ball < 0:
        return Certainty.FALSE
    return Certainty.UNDECIDED


def lemma12_certificate(cons: Lemma12Construction, *, bisect: int = 120, max_boxes: int = 60_000,
                        max_depth: int = 40) -> Lemma12Certificate:
    """Certify Lemma 12's two comparisons for one construction (see the module docstring)."""
    with working_precision(PREC * 2):
        zl_b, zh_b = _ball_of(cons.z_lo), _ball_of(cons.z_hi)
        meanF = _ball_of(cons.mean_F)
        z_lo_zero = _exact_zero(cons.z_lo)
        fosd = Certainty.TRUE if z_lo_zero else _sign3(zl_b)
        start = sympy.Integer(0) if z_lo_zero or not bool(zl_b > 0) else cons.z_lo
        # existence and enclosure of v-hat on [max(z_lo, 0), z_hi]
        gap0 = cons.hat_mean(start) - cons.mean_F
        if _exact_zero(gap0):
            exists, atom_zero = Certainty.TRUE, True
            vh_lo = vh_hi = None
        else:
            exists, atom_zero = _sign3(_ball_of(gap0)), False
            vh_lo = vh_hi = None
        hm = _with_z(cons, 2 * (_ZH**3 / 6 - _ZH * _x**2 / 2 + _x**3 / 3) / (_ZH - _ZL) ** 2)
        # rational enclosure of [start, z_hi]
        _, zh_hi = arb_interval(zh_b)
        if exists == Certainty.TRUE and not atom_zero:
            a, b = arb_interval(_ball_of(start))[1], arb_interval(zh_b)[0]
            if not (_sign3(hm(arb_ball(a)) - meanF) == Certainty.TRUE and _sign3(hm(arb_ball(b)) - meanF) == Certainty.FALSE):
                exists = Certainty.UNDECIDED          # the bracket's signs are not certified: no enclosure
            for _ in range(bisect if exists == Certainty.TRUE else 0):   # m(a) > mean_F > m(b) kept invariant
                mid = (a + b) / 2
                s = _sign3(hm(arb_ball(mid)) - meanF)
                if s == Certainty.TRUE:
                    a = mid
                elif s == Certainty.FALSE:
                    b = mid
                else:
                    break
            vh_lo, vh_hi = a, b
        vhat = (vh_lo, vh_hi) if vh_lo is not None else None
        mps, extras, identical = None, None, False
        if atom_zero and _identical(cons):
            identical = True
            mps = BnBResult(Certainty.TRUE, 0, 0, {"identical: F-hat = L = F, D = 0": 1})
        elif exists == Certainty.TRUE and fosd != Certainty.FALSE:
            mps, extras = _mps_bnb(cons, vhat, atom_zero, zh_hi, max_boxes=max_boxes, max_depth=max_depth)
    cert = Lemma12Certificate(cons, exists, vhat, atom_zero, fosd, z_lo_zero, mps, True)
    if cert.certainty == Certainty.UNDECIDED:
        return cert
    cert.replay_data = certificate_data(cert, extras, identical)
    _replay(cert)
    return cert


def certificate_data(cert: Lemma12Certificate, extras: dict | None, identical: bool) -> dict:
    """The certificate as plain data (rationals, ints, bools, strings, lists) for the independent
    replay :func:`.replay_lemma12.replay_lemma12`: the construction's exact inputs (density
    coefficients, support, ``v*`` as a rational or its minimal polynomial with an isolating interval),
    the claimed enclosures of ``z_lo``, ``z_hi`` (65) and ``v-hat`` (66), and every settled box of the
    branch and bound with its rule, with the pieces behind ``rises``, ``falls`` and ``valley at v*``."""
    cons = cert.construction
    d = cons.dist
    dens = d.coefficients
    margin = Fraction(1, 2**120)       # enclosures widened a little: the replay's own balls must fit inside
    with working_precision(PREC * 2):
        if cons.vstar.is_Rational:
            vstar = {"value": Fraction(int(cons.vstar.p), int(cons.vstar.q))}
        else:
            t = sympy.Dummy("t")
            a, b = arb_interval(_ball_of(cons.vstar))
            vstar = {"minpoly": poly_fractions(sympy.minimal_polynomial(cons.vstar, t), t),
                     "between": (a - margin, b + margin)}
        zl = arb_interval(_ball_of(cons.z_lo))
        zh = arb_interval(_ball_of(cons.z_hi))
    claim = "holds" if cert.certainty == Certainty.TRUE else "fosd fails"
    data = {"density": dens, "lo": d.lo, "hi": d.hi, "vstar": vstar, "precision_bits": PREC * 2, "claim": claim,
            "z_lo": (zl[0] - margin, zl[1] + margin), "z_hi": (zh[0] - margin, zh[1] + margin),
            "identical": identical, "atom_zero": cert.atom_zero, "z_lo_zero": cert.z_lo_zero,
            "vhat": cert.vhat, "boxes": [], "T": None, "rises": None, "falls": None, "valley": None}
    if extras is not None and cert.mps is not None:
        data["boxes"] = [(box[0][0], box[0][1], rule) for box, rule, _ in cert.mps.final]
        data["T"] = extras["T"]
        data["rises"], data["falls"], data["valley"] = extras["rises"], extras["falls"], extras["valley"]
    return data


def _replay(cert: Lemma12Certificate) -> None:
    """Have the certificate re-verified by :mod:`.replay_lemma12` (independent code); NotCertified
    when it fails (as :func:`.optimum.single_item_optimum` wires :mod:`.replay_psi`)."""
    from .replay_lemma12 import replay_lemma12

    rep = replay_lemma12(cert.replay_data)
    cert.replay = rep
    if cert.mps is not None:
        cert.mps.replay = rep.summary()
    if not rep.ok:
        raise NotCertified(f"Lemma 12 certificate for {cert.construction.dist.name}, v* = {cert.construction.vstar}: "
                           f"{rep.summary()}")


def _mps_bnb(cons: Lemma12Construction, vhat, atom_zero: bool, zh_hi: Fraction, *, max_boxes, max_depth) -> BnBResult:
    """``D(x) = int_0^x (F-hat - F) >= 0`` on ``[0, T]`` (``T`` rational >= both supports' tops).

    Each branch of the piecewise formulas is evaluated only on the part of the box where it can be
    the true branch (clipped to rational enclosures of ``v-hat`` and ``z_hi``), and the union is
    taken; the branches agree at the switch points, so the union encloses ``D`` on the box.
    ``F-hat`` and ``F`` are cdfs, so their enclosures are intersected with ``[0, 1]``."""
    d = cons.dist
    lo, hi = d.lo, d.hi
    T = max(hi, zh_hi + Fraction(1, 2**100))   # certainly >= z_hi also for a replay working with its own balls
    Lx = (_x - _ZL) * (2 * _ZH - _ZL - _x) / (_ZH - _ZL) ** 2
    Lint = sympy.integrate(sympy.expand(Lx), _x)          # antiderivative of L on [z_lo, z_hi]
    Fcdf = d.cdf(V).subs(V, _x)
    Fint = sympy.integrate(Fcdf, (_x, d.L, _x))           # int_{lo}^x F for x in [lo, hi]
    Lf, Lif = _with_z(cons, Lx), _with_z(cons, Lint)
    Ff, Fif = arb_function(Fcdf, (_x,)), arb_function(Fint, (_x,))
    zh_b = _ball_of(cons.z_hi)
    z_lo_r, z_hi_r = arb_interval(zh_b)
    if atom_zero:
        vh_b = _ball_of(cons.z_lo)
        A = arb(0)
    else:
        vh_b = interval_arb(*vhat)
        A = Lf(vh_b).nonnegative_part()
    v_lo_r, v_hi_r = arb_interval(vh_b)
    unit = interval_arb(0, 1)
    Fi_hi = Fif(arb_ball(hi))
    base = A * vh_b - Lif(vh_b)

    def cdf01(ball: arb) -> arb:
        return ball.intersection(unit) if ball.overlaps(unit) else ball

    def F_of(a: Fraction, b: Fraction) -> arb:
        parts = []
        if a <= lo:
            parts.append(arb(0))
        if b >= lo and a <= hi:
            parts.append(cdf01(Ff(interval_arb(max(a, lo), min(b, hi)))))
        if b >= hi:
            parts.append(arb(1))
        return _union(parts)

    def Fint_of(a: Fraction, b: Fraction) -> arb:
        parts = []
        if a <= lo:
            parts.append(arb(0))
        if b >= lo and a <= hi:
            parts.append(Fif(interval_arb(max(a, lo), min(b, hi))))
        if b >= hi:
            parts.append(Fi_hi + (interval_arb(max(a, hi), b) - arb_ball(hi)))
        return _union(parts)

    def Fhat_of(a: Fraction, b: Fraction) -> arb:
        parts = []
        if a <= v_hi_r:
            parts.append(A)
        if b >= v_lo_r and a <= z_hi_r:
            parts.append(cdf01(Lf(interval_arb(max(a, v_lo_r), min(b, z_hi_r)))))
        if b >= z_lo_r:
            parts.append(arb(1))
        return _union(parts)

    def Fhat_int(a: Fraction, b: Fraction) -> arb:
        parts = []
        if a <= v_hi_r:
            parts.append(A * interval_arb(a, min(b, v_hi_r)))
        if b >= v_lo_r and a <= z_hi_r:
            parts.append(base + Lif(interval_arb(max(a, v_lo_r), min(b, z_hi_r))))
        if b >= z_lo_r:
            parts.append(base + Lif(zh_b) + (interval_arb(max(a, z_lo_r), b) - zh_b))
        return _union(parts)

    def bound(balls, box):
        (a, b), = box
        naive = Fhat_int(a, b) - Fint_of(a, b)
        if naive.is_finite() and naive > 0:
            return True
        m = (a + b) / 2                   # mean-value form: D(X) in D(m) + D'(X) (X - m)
        v = Fhat_int(m, m) - Fint_of(m, m) + (Fhat_of(a, b) - F_of(a, b)) * interval_arb(a - m, b - m)
        return bool(v.is_finite() and v > 0)

    def _ends(ball: arb) -> tuple[Fraction, Fraction]:
        lo_, hi_ = arb_interval(ball)
        return max(lo_, Fraction(0)), min(hi_, Fraction(1))      # a cdf lies in [0, 1]

    def dD_sign_on(a: Fraction, b: Fraction, sign: int, budget: int = 4000, leaves: list | None = None) -> bool:
        """``sign * D' >= 0`` on all of ``[a, b]``: by bisection, on each piece ``inf F-hat >= sup F``
        (``sign = 1``) or ``sup F-hat <= inf F`` (``sign = -1``), ends exact rationals clipped to
        ``[0, 1]`` (so that ``1 - 1`` is exactly 0 beyond both supports)."""
        stack, used = [(a, b)], 0
        while stack:
            x, y = stack.pop()
            used += 1
            if used > budget:
                return False
            fh, f = Fhat_of(x, y), F_of(x, y)
            if fh.is_finite() and f.is_finite():
                (fh_lo, fh_hi), (f_lo, f_hi) = _ends(fh), _ends(f)
                if (sign > 0 and fh_lo >= f_hi) or (sign < 0 and fh_hi <= f_lo):
                    if leaves is not None:
                        leaves.append((x, y))
                    continue
            if y - x < Fraction(1, 2**40):
                return False
            m = (x + y) / 2
            stack += [(x, m), (m, y)]
        return True

    # the longest [0, x_r] with D' >= 0 and [x_f, T] with D' <= 0: binary search on dyadic points
    # (certified on [0, x] implies certified on [0, x'] for x' < x: the search only narrows)
    def _longest(ok, steps: int = 30) -> Fraction:
        good, bad = Fraction(0), T
        if ok(T):
            return T
        for _ in range(steps):
            mid = (good + bad) / 2
            if ok(mid):
                good = mid
            else:
                bad = mid
        return good

    x_r = _longest(lambda x: dD_sign_on(Fraction(0), x, 1))
    x_f = T - _longest(lambda x: dD_sign_on(T - x, T, -1))
    rises_pieces: list = []
    falls_pieces: list = []
    if x_r > 0:                          # the pieces of the final (successful) runs, for the replay
        dD_sign_on(Fraction(0), x_r, 1, leaves=rises_pieces)
    if x_f < T:
        dD_sign_on(x_f, T, -1, leaves=falls_pieces)

    # around v*: D(v*) = 0 and D'(v*) = 0 exactly when v-hat < v* (F-hat = L there and L(v*) = F(v*),
    # and int_[0, v*] v dF-hat = E_F[v] - (1 - F(v*)) mu = int_0^v* v dF by (65)-(66)), so D >= 0 on a
    # neighbourhood where D'' = l - f > 0 (convex, minimum 0 at v*); found by shrinking dyadic radii
    ldens = _with_z(cons, sympy.diff(Lx, _x))
    fdens = arb_function(d.density.subs(V, _x), (_x,))
    vs_lo, vs_hi = arb_interval(_ball_of(cons.vstar))
    valley = None
    smooth_hi = min(hi, z_lo_r)
    at_start = atom_zero and _exact_zero(cons.vstar - cons.z_lo)     # v-hat = z_lo = v*: F-hat = L from v* on
    if (v_hi_r < vs_lo or at_start) and vs_hi < smooth_hi and (vs_lo >= lo):
        for k in range(3, 41):
            h = T / 2**k
            # at_start with v* <= v_l: F-hat = F = 0 below v*, so D = 0 on [0, v*] and the valley starts at 0
            x_l = (Fraction(0) if bool(cons.vstar <= d.L) else vs_lo) if at_start else max(v_hi_r, vs_lo - h, Fraction(0), lo)
            x_u = min(smooth_hi, vs_hi + h)
            pieces: list = []
            if _positive_on(lambda x, y: ldens(interval_arb(x, y)) - fdens(interval_arb(x, y)), x_l, x_u,
                            leaves=pieces):
                valley = (x_l, x_u, pieces)
                break

    def rises(balls, box):                  # D(0) = 0 and D' >= 0 on [0, x_r]
        (a, b), = box
        return b <= x_r

    def falls(balls, box):                  # D(T) = 0 (equal means) and D' <= 0 on [x_f, T]
        (a, b), = box
        return a >= x_f

    def convex_valley(balls, box):          # D(v*) = D'(v*) = 0 and D'' > 0 around v*
        (a, b), = box
        return valley is not None and valley[0] <= a and b <= valley[1]

    res = branch_and_bound([(Fraction(0), T)], [Rule("bound", bound), Rule("rises", rises), Rule("falls", falls),
                                                     Rule("valley at v*", convex_valley)],
                           max_boxes=max_boxes, max_depth=max_depth, prec=PREC * 2)
    extras = {"T": T, "rises": (x_r, rises_pieces), "falls": (x_f, falls_pieces), "valley": valley}
    return res, extras


def _positive_on(fn, a: Fraction, b: Fraction, budget: int = 2000, leaves: list | None = None) -> bool:
    """``fn(x, y) > 0`` certified on every piece of a bisection of ``[a, b]`` (at most ``budget`` pieces)."""
    stack, used = [(a, b)], 0
    with working_precision(PREC * 2):
        while stack:
            x, y = stack.pop()
            used += 1
            if used > budget:
                return False
            v = fn(x, y)
            if v.is_finite() and v > 0:
                if leaves is not None:
                    leaves.append((x, y))
                continue
            m = (x + y) / 2
            stack += [(x, m), (m, y)]
    return True


def _union(parts) -> arb:
    out = parts[0]
    for p in parts[1:]:
        out = out.union(p)
    return out
