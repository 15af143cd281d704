"""Independent replay of Lemma 12's certificate (SWP appendix, (65)-(66), Lemma 12).

:func:`~.lemma12.lemma12_certificate` certifies, for one density ``f`` on ``[lo, hi]`` and one
threshold ``v*``, that ``F-hat`` of (66) is first-order dominated by ``L(v; z_lo, z_hi)`` (65) and
is a mean-preserving spread of ``F``: ``D(x) = int_0^x (F-hat - F) >= 0`` on ``[0, T]`` with
``D = 0`` beyond both supports, by bisection for ``v-hat`` and a branch and bound over ``x``.
This module re-verifies that certificate from **plain data** (rationals, lists, strings: see
:func:`replay_lemma12`) and shares no code with it: it imports nothing from the package, only
:mod:`fractions` and python-flint (``fmpq_poly`` exact polynomials, ``arb`` balls).

Its own formulas (not the engine's (65)-(66) transcriptions):

* ``z_lo, z_hi`` from the raw inputs: ``S = 1 - F(v*) = int_{max(v*, lo)}^hi f``, ``mu = int v f / S``
  over the same range, ``z_hi = 3 mu - 2 v*`` and the width ``w = z_hi - z_lo = 3 (mu - v*)/sqrt(S)``.
  Exact rationals when ``v*`` is rational and ``S`` a rational square (e.g. ``v* <= lo``: ``S = 1``,
  ``z_lo = v*``, ``z_hi = 3 E_F - 2 v*``), arb balls otherwise.  The engine's enclosures of
  ``z_lo, z_hi`` must contain these.
* ``1 - L(x) = ((z_hi - x)/w)^2`` on ``[z_lo, z_hi]``.  Survival integrals instead of cdf integrals:
  ``int_x^inf (1 - F-hat) = (z_hi - x)^3 / (3 w^2)`` for ``x >= v-hat`` and the mean of ``F-hat`` is
  ``m(v-hat) = (v-hat u^2 + u^3/3)/w^2``, ``u = z_hi - v-hat``; ``m`` is non-increasing on ``[0, z_hi]``
  (``dm/dv-hat = -2 u v-hat / w^2``), so a rational bracket with ``m(a) > E_F > m(b)`` contains the one
  ``v-hat`` of (66).  Since ``m(v-hat) = E_F`` exactly, ``H(x) = int_0^x F-hat = x - E_F + (z_hi - x)^3/(3w^2)``
  on ``[v-hat, z_hi]``, ``x - E_F`` above ``z_hi`` and ``A x`` below ``v-hat`` (``A = L(v-hat)``); likewise
  ``G(x) = int_0^x F = x - E_F + int_x^hi (1 - F)`` on ``[lo, hi]``, ``x - E_F`` above, ``0`` below.
  ``D = H - G`` piece by piece; a piece whose end is only enclosed (``v-hat``, ``z_hi``) is evaluated
  on the whole enclosure of its range, and the union is taken.  Polynomials are enclosed on an
  interval by their Taylor expansion at its midpoint (``|sum_{k>=1} c_k t^k| <= sum |c_k| r^k``).
* Facts used as identities (proved here, not sampled): ``D(T) = E_F - m(v-hat) = 0`` for
  ``T >= max(hi, z_hi)``; ``D(v*) = D'(v*) = 0`` when ``v-hat <= v*`` (``F-hat(v*) = L(v*) = F(v*)`` by
  (65), and ``int_0^{v*} v dF-hat = E_F - S mu = int_0^{v*} v dF``); for ``v* <= lo``, ``v-hat = z_lo = v*``
  (no atom: the mean of ``L`` is ``(2 z_lo + z_hi)/3 = E_F``) and ``D = 0`` on ``[0, v*]``; for ``f``
  proportional to ``hi - v`` and ``lo <= v* < hi``, ``(z_lo, z_hi) = (lo, hi)`` and ``F-hat = F``.
  Dominance ``F-hat >= L`` everywhere holds iff ``z_lo >= 0`` (equal above ``v-hat``, ``L(v-hat) >= L``
  below it, ``F-hat = 0`` below 0).

Checks: the settled boxes tile ``[0, T]`` exactly (sorted, adjacent, no gap, no overlap); each box is
re-verified by its rule -- ``bound`` (``D > 0`` on the box), ``rises`` (inside ``[0, x_r]`` where
``D' >= 0`` on recorded pieces tiling ``[0, x_r]``, ``D(0) = 0``), ``falls`` (inside ``[x_f, T]``,
``D' <= 0``, ``D(T) = 0``), ``valley at v*`` (inside ``[x_l, x_u]`` with ``v-hat <= x_l <= v* <= x_u <=
min(hi, z_hi)``, ``lo <= x_l`` unless ``v* <= lo``, and ``D'' = l - f > 0`` on recorded pieces) -- where
each test may halve a box at most ``max_halvings`` times before the replay rejects it.  Every loop
is bounded; every comparison three-valued (undecided rejects, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb, isqrt

from flint import arb, ctx, fmpq, fmpq_poly

__all__ = ["Lemma12Replay", "replay_lemma12", "RULES"]

RULES = ("bound", "rises", "falls", "valley at v*")
METHOD = ("independent replay: exact rational polynomials (python-flint fmpq_poly), arb balls, "
          "Taylor-form enclosures on exact rational boxes")


@dataclass(frozen=True)
class Lemma12Replay:
    """Outcome of :func:`replay_lemma12`: ``ok``, the boxes re-verified, the halvings the replay
    needed beyond the certificate's boxes, and on failure the reason."""

    ok: bool
    boxes: int = 0
    halvings: int = 0
    problem: str = ""

    def summary(self) -> str:
        if self.ok:
            return (f"replayed independently ({self.boxes} boxes re-verified, {self.halvings} extra halvings; "
                    "replay_lemma12)")
        return f"replay FAILED: {self.problem}"


class _Reject(Exception):
    pass


def _fail(msg: str):
    raise _Reject(msg)


# ------------------------------------------------------------------ exact <-> balls
def _q(x) -> fmpq:
    if isinstance(x, bool) or not isinstance(x, (int, Fraction)):
        _fail(f"expected an exact rational, got {type(x).__name__}")
    x = Fraction(x)
    return fmpq(x.numerator, x.denominator)


def _fr(x, name: str = "value") -> Fraction:
    """An exact rational from the certificate (int or Fraction; a float is refused: not exact)."""
    if isinstance(x, bool) or not isinstance(x, (int, Fraction)):
        _fail(f"{name}: expected an exact rational, got {type(x).__name__}")
    return Fraction(x)


def _b(x) -> arb:
    """A ball of an exact rational (or a ball)."""
    return x if isinstance(x, arb) else arb(_q(x))


def _dy(x: arb) -> Fraction:
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return Fraction(m) * Fraction(2) ** e


def _ends(x: arb) -> tuple[Fraction, Fraction]:
    """Exact rational ends of a finite ball (mid -/+ rad, both dyadic)."""
    if not x.is_finite():
        _fail("a ball is not finite (precision too low?)")
    m, r = _dy(x.mid()), _dy(x.rad())
    return m - r, m + r


def _span(lo_: Fraction, hi_: Fraction) -> arb:
    return _b(lo_) if lo_ == hi_ else _b(lo_).union(_b(hi_))


def _pos(x: arb) -> bool:
    return x.is_finite() and bool(x > 0)


def _neg(x: arb) -> bool:
    return x.is_finite() and bool(x < 0)


# ------------------------------------------------------------------ polynomials with ball coefficients
def _padd(p, q):
    n = max(len(p), len(q))
    return [(p[k] if k < len(p) else arb(0)) + (q[k] if k < len(q) else arb(0)) for k in range(n)]


def _pscale(p, s):
    return [c * s for c in p]


def _from_fmpq(p: fmpq_poly) -> list:
    return [arb(c) for c in p.coeffs()] or [arb(0)]


def _cube_of_linear(a: arb, b: arb) -> list:
    """Coefficients of ``(a + b x)^3``."""
    return [a**3, 3 * a * a * b, 3 * a * b * b, b**3]


def _square_of_linear(a: arb, b: arb) -> list:
    return [a * a, 2 * a * b, b * b]


def _enclose(p: list, x: Fraction, y: Fraction) -> arb:
    """Taylor-form enclosure of ``sum p[k] t^k`` on ``[x, y]``: shift to the midpoint ``m`` exactly
    (binomial sums of ball coefficients), then ``c_0 +/- sum_{k>=1} |c_k| r^k``."""
    m, r = (x + y) / 2, (y - x) / 2
    mb, rb = _b(m), _b(r)
    n = len(p)
    mp = [arb(1)]
    for _ in range(n):
        mp.append(mp[-1] * mb)
    c = [sum((p[j] * comb(j, k) * mp[j - k] for j in range(k, n)), arb(0)) for k in range(n)]
    tail, rk = arb(0), arb(1)
    for k in range(1, n):
        rk = rk * rb
        tail += c[k].abs_upper() * rk
    t = tail.abs_upper()
    return c[0] + arb(0).union(t).union(-t)


# ------------------------------------------------------------------ the model, from plain data
@dataclass
class _Model:
    lo: Fraction
    hi: Fraction
    mean: Fraction                  # E_F, exact
    Fp: fmpq_poly                   # F on [lo, hi]
    f: fmpq_poly                    # density
    Sbar: fmpq_poly                 # int_x^hi (1 - F)
    zh: arb
    w: arb
    zh_iv: tuple[Fraction, Fraction]
    vh_iv: tuple[Fraction, Fraction]
    A: arb                          # F-hat on [0, v-hat)


def _vstar(data) -> tuple[arb, Fraction | None]:
    vs = data.get("vstar")
    if not isinstance(vs, dict):
        _fail("vstar: a dict with 'value' or 'minpoly' and 'between'")
    if "value" in vs:
        v = _fr(vs["value"], "vstar.value")
        return _b(v), v
    coeffs, between = vs.get("minpoly"), vs.get("between")
    if not coeffs or not between or len(between) != 2:
        _fail("vstar: 'minpoly' (ascending rational coefficients) and 'between' (two rationals) needed")
    a, b = _fr(between[0], "vstar.between"), _fr(between[1], "vstar.between")
    p = fmpq_poly([_q(c) for c in coeffs])
    if p.degree() < 1:
        _fail("vstar: the minimal polynomial is constant")
    inside = []
    for root, _mult in p.complex_roots():
        if not root.imag.is_zero():
            continue
        x = root.real
        if bool(x < _b(a)) or bool(x > _b(b)):
            continue
        inside.append(x)
    if len(inside) != 1:
        _fail(f"vstar: {len(inside)} real roots of the minimal polynomial meet [{a}, {b}] (need exactly one)")
    x = inside[0]
    if not (bool(x >= _b(a)) and bool(x <= _b(b))):
        _fail("vstar: the isolating interval does not certainly contain its root")
    if p.degree() == 1:
        c = p.coeffs()
        v = Fraction(int((-c[0]).p), int((-c[0]).q)) / Fraction(int(c[1].p), int(c[1].q))
        return _b(v), v
    return x, None


def _rat_sqrt(x: Fraction) -> Fraction | None:
    if x < 0:
        return None
    n, d = x.numerator, x.denominator
    rn, rd = isqrt(n), isqrt(d)
    return Fraction(rn, rd) if rn * rn == n and rd * rd == d else None


def _cmp(x: arb, ex: Fraction | None, y: Fraction) -> int | None:
    """Sign of ``x - y`` (exact when ``ex`` is the exact value of ``x``)."""
    if ex is not None:
        return (ex > y) - (ex < y)
    d = x - _b(y)
    return 1 if _pos(d) else -1 if _neg(d) else None


def replay_lemma12(data: dict, *, max_halvings: int = 6) -> Lemma12Replay:
    """Re-verify a Lemma 12 certificate given as plain data:

    ``density`` (ascending rational coefficients of ``f`` on ``[lo, hi]``, total mass 1), ``lo``,
    ``hi``, ``vstar`` (``{"value": q}`` or ``{"minpoly": [...], "between": (a, b)}``), ``precision_bits``,
    ``claim`` (``"holds"`` or ``"fosd fails"``), the engine's ``z_lo``, ``z_hi`` enclosures (pairs),
    ``identical``, ``atom_zero``, ``z_lo_zero`` (bools), ``vhat`` (a bracket or ``None``), ``T``,
    ``boxes`` (``(a, b, rule)``), ``rises`` ``(x_r, pieces)``, ``falls`` ``(x_f, pieces)`` and
    ``valley`` ``(x_l, x_u, pieces)`` or ``None``.  See the module docstring for the argument.
    """
    if isinstance(max_halvings, bool) or not isinstance(max_halvings, int) or not 0 <= max_halvings <= 20:
        raise ValueError("max_halvings: an int in [0, 20]")
    prec = data.get("precision_bits", 192)
    if isinstance(prec, bool) or not isinstance(prec, int) or not 53 <= prec <= 4096:
        return Lemma12Replay(False, problem="precision_bits: an int in [53, 4096]")
    old = ctx.prec
    ctx.prec = prec
    try:
        return _replay(data, max_halvings)
    except _Reject as exc:
        return Lemma12Replay(False, problem=str(exc))
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        return Lemma12Replay(False, problem=f"malformed certificate data: {type(exc).__name__}: {exc}")
    finally:
        ctx.prec = old


def _replay(data: dict, max_halvings: int) -> Lemma12Replay:
    lo, hi = _fr(data["lo"], "lo"), _fr(data["hi"], "hi")
    if not 0 <= lo < hi:
        _fail(f"support: need 0 <= lo < hi, got [{lo}, {hi}]")
    f = fmpq_poly([_q(c) for c in data["density"]])
    If = f.integral()
    if If(_q(hi)) - If(_q(lo)) != 1:
        _fail("density: total mass on [lo, hi] is not exactly 1")
    Fp = If - fmpq_poly([If(_q(lo))])                         # F on [lo, hi]
    vf = f * fmpq_poly([0, 1])
    Iv = vf.integral()
    mean_q = Iv(_q(hi)) - Iv(_q(lo))
    mean = Fraction(int(mean_q.p), int(mean_q.q))
    one_minus_F = fmpq_poly([1]) - Fp
    J = one_minus_F.integral()
    Sbar = fmpq_poly([J(_q(hi))]) - J                         # int_x^hi (1 - F)
    vs_b, vs_x = _vstar(data)

    # ---- (65), written as survival mass, upper mean and width
    below = _cmp(vs_b, vs_x, lo)
    if below is None:
        _fail("undecided: v* against lo")
    no_excl = below <= 0
    if no_excl:
        S_x, M1 = Fraction(1), mean
        S_b, M1_b = arb(1), _b(mean)
    else:
        if _cmp(vs_b, vs_x, hi) != -1:
            _fail("v* is not certainly below hi")
        if vs_x is not None:
            S_q = If(_q(hi)) - If(_q(vs_x))
            M_q = Iv(_q(hi)) - Iv(_q(vs_x))
            S_x = Fraction(int(S_q.p), int(S_q.q))
            M1 = Fraction(int(M_q.p), int(M_q.q))
            S_b, M1_b = _b(S_x), _b(M1)
        else:
            S_x = M1 = None
            S_b = _b(Fraction(1)) - _horner_b(Fp, vs_b)
            M1_b = _b(Fraction(int(Iv(_q(hi)).p), int(Iv(_q(hi)).q))) - _horner_b(Iv, vs_b)
    exact_z = None
    if vs_x is not None and S_x is not None and S_x > 0:
        r = _rat_sqrt(S_x)
        if r is not None:
            mu = M1 / S_x
            zh_x = 3 * mu - 2 * vs_x
            w_x = 3 * (mu - vs_x) / r
            exact_z = (zh_x - w_x, zh_x, w_x)
    if exact_z is not None:
        zl_x, zh_x, w_x = exact_z
        zl, zh, w = _b(zl_x), _b(zh_x), _b(w_x)
    else:
        if not _pos(S_b):
            _fail("undecided: the mass above v* is not certainly positive")
        mu_b = M1_b / S_b
        zh = 3 * mu_b - 2 * vs_b
        w = 3 * (mu_b - vs_b) / S_b.sqrt()
        zl = zh - w
        if no_excl:                                            # S = 1: z_lo = v* identically
            zl = vs_b
            w = zh - zl
        zl_x = None
    if not _pos(w):
        _fail("the width z_hi - z_lo is not certainly positive")
    for name, ball, ex in (("z_lo", zl, zl_x), ("z_hi", zh, exact_z[1] if exact_z else None)):
        claimed = data[name]
        a, b = _fr(claimed[0], name), _fr(claimed[1], name)
        if ex is not None:
            if not a <= ex <= b:
                _fail(f"{name}: the engine's enclosure [{a}, {b}] misses the exact value {ex}")
        elif not (bool(ball >= _b(a)) and bool(ball <= _b(b))):
            _fail(f"{name}: the engine's enclosure [{a}, {b}] does not contain the replay's ball {ball}")

    # ---- first-order dominance: iff z_lo >= 0
    zl_sign = _cmp(zl, zl_x, Fraction(0))
    if data.get("z_lo_zero"):
        if zl_sign != 0:
            _fail("z_lo = 0 claimed but not exactly provable by the replay")
    if data["claim"] == "fosd fails":
        if zl_sign != -1:
            _fail("claimed z_lo < 0 (dominance fails) but z_lo < 0 is not certified")
        return Lemma12Replay(True, 0, 0)
    if data["claim"] != "holds":
        _fail(f"claim: 'holds' or 'fosd fails', got {data['claim']!r}")
    if zl_sign is None or zl_sign < 0:
        _fail("dominance needs z_lo >= 0: not certified")

    # ---- identical: f proportional to hi - v and lo <= v* < hi  =>  (z_lo, z_hi) = (lo, hi), F-hat = F
    if data.get("identical"):
        lin = fmpq_poly([_q(hi), -1]) * fmpq_poly([_q(2 / (hi - lo) ** 2)])
        if f != lin:
            _fail("identical claimed but the density is not 2 (hi - v)/(hi - lo)^2")
        if below is None or below < 0:
            _fail("identical claimed but v* < lo")
        if not (zl.contains(_b(lo)) and zh.contains(_b(hi))):
            _fail("identical: the replay's z's do not enclose (lo, hi)")
        if data.get("boxes"):
            _fail("identical: no boxes expected")
        return Lemma12Replay(True, 0, 0)

    # ---- v-hat: exact tie (no atom) or a certified bracket
    zh_iv = (exact_z[1], exact_z[1]) if exact_z else _ends(zh)
    if data.get("atom_zero"):
        if no_excl:
            pass                                               # identity: mean of L(v*, z_hi) = E_F
        elif exact_z is not None:
            u = zh_x - zl_x
            if (zl_x * u * u + u**3 / 3) / (w_x * w_x) != mean:
                _fail("no atom claimed but m(z_lo) != E_F exactly")
        else:
            _fail("no atom claimed but the tie m(z_lo) = E_F is not provable by the replay")
        vh_iv = (zl_x, zl_x) if zl_x is not None else _ends(zl)
        A = arb(0)
    else:
        br = data.get("vhat")
        if not br or len(br) != 2:
            _fail("vhat: a bracket is needed when there is an atom")
        a, b = _fr(br[0], "vhat"), _fr(br[1], "vhat")
        if not (a <= b and a >= 0):
            _fail("vhat: need 0 <= a <= b")
        if _cmp(zl, zl_x, a) == 1 or _cmp(zl, zl_x, a) is None:
            _fail("vhat: the bracket does not certainly start at or above z_lo")
        if _cmp(zh, exact_z[1] if exact_z else None, b) != 1:
            _fail("vhat: the bracket does not certainly end below z_hi")
        for pt, want in ((a, 1), (b, -1)):
            u = zh - _b(pt)
            m = (_b(pt) * u * u + u**3 / 3) / (w * w) - _b(mean)
            if not (_pos(m) if want > 0 else _neg(m)):
                _fail(f"vhat: the sign of m - E_F at {pt} is not certified {'> 0' if want > 0 else '< 0'}")
        vh_iv = (a, b)
        u = zh - _span(a, b)
        A = _span(*_clip01(arb(1) - u * u / (w * w)))

    mdl = _Model(lo, hi, mean, Fp, f, Sbar, zh, w, zh_iv, vh_iv, A)
    return _check_boxes(data, mdl, vs_b, vs_x, no_excl and bool(data.get("atom_zero")), max_halvings)


def _horner_b(p: fmpq_poly, x: arb) -> arb:
    acc = arb(0)
    for c in reversed(p.coeffs()):
        acc = acc * x + arb(c)
    return acc


def _clip01(x: arb) -> tuple[Fraction, Fraction]:
    """Exact rational ends of a cdf's enclosure, clipped to [0, 1] (a cdf's values lie there)."""
    a, b = _ends(x)
    a, b = max(a, Fraction(0)), min(b, Fraction(1))
    if a > b:
        _fail("a cdf value is certainly outside [0, 1]")
    return a, b


# ------------------------------------------------------------------ pieces of H, G, their derivatives
def _ranges(mdl: _Model, a: Fraction, b: Fraction):
    """(H regime, G regime, sub-interval) triples covering [a, b]: H regimes 0 (x <= v-hat), 1 (v-hat
    <= x <= z_hi), 2 (x >= z_hi) on their enclosed ranges; G regimes 0 (x <= lo), 1, 2 (x >= hi)."""
    va, vb = mdl.vh_iv
    za, zb = mdl.zh_iv
    hs = [(0, a, min(b, vb)), (1, max(a, va), min(b, zb)), (2, max(a, za), b)]
    gs = [(0, a, min(b, mdl.lo)), (1, max(a, mdl.lo), min(b, mdl.hi)), (2, max(a, mdl.hi), b)]
    for i, x0, x1 in hs:
        if x0 > x1:
            continue
        for j, y0, y1 in gs:
            s, t = max(x0, y0), min(x1, y1)
            if s <= t:
                yield i, j, s, t


def _H(mdl: _Model, i: int) -> list:
    E = _b(mdl.mean)
    if i == 0:
        return [arb(0), mdl.A]
    if i == 1:   # x - E + (zh - x)^3 / (3 w^2)
        return _padd([-E, arb(1)], _pscale(_cube_of_linear(mdl.zh, arb(-1)), 1 / (3 * mdl.w * mdl.w)))
    return [-E, arb(1)]


def _G(mdl: _Model, j: int) -> list:
    E = _b(mdl.mean)
    if j == 0:
        return [arb(0)]
    if j == 1:
        return _padd([-E, arb(1)], _from_fmpq(mdl.Sbar))
    return [-E, arb(1)]


def _Fhat(mdl: _Model, i: int) -> list:
    if i == 0:
        return [mdl.A]
    if i == 1:   # 1 - (zh - x)^2 / w^2
        return _padd([arb(1)], _pscale(_square_of_linear(mdl.zh, arb(-1)), -1 / (mdl.w * mdl.w)))
    return [arb(1)]


def _Fcdf(mdl: _Model, j: int) -> list:
    if j == 0:
        return [arb(0)]
    if j == 1:
        return _from_fmpq(mdl.Fp)
    return [arb(1)]


def _D_lower_positive(mdl: _Model, a: Fraction, b: Fraction) -> bool:
    for i, j, s, t in _ranges(mdl, a, b):
        if not _pos(_enclose(_padd(_H(mdl, i), _pscale(_G(mdl, j), arb(-1))), s, t)):
            return False
    return True


def _dD_sign(mdl: _Model, a: Fraction, b: Fraction, sign: int) -> bool:
    """``sign * (F-hat - F) >= 0`` on [a, b]: per piece, the difference polynomial's enclosure or the
    clipped enclosures of the two cdfs (both valid; either suffices)."""
    for i, j, s, t in _ranges(mdl, a, b):
        diff = _padd(_Fhat(mdl, i), _pscale(_Fcdf(mdl, j), arb(-1)))
        if all(c.is_exact() and c.is_zero() for c in diff):
            continue                                               # 1 - 1 beyond both supports, exactly
        d = _enclose(diff, s, t)
        if (sign > 0 and d.is_finite() and bool(d >= 0)) or (sign < 0 and d.is_finite() and bool(d <= 0)):
            continue
        (fh_a, fh_b), (fc_a, fc_b) = _clip01(_enclose(_Fhat(mdl, i), s, t)), _ends(_enclose(_Fcdf(mdl, j), s, t))
        if (sign > 0 and fh_a >= fc_b) or (sign < 0 and fh_b <= fc_a):
            continue
        return False
    return True


def _convex(mdl: _Model, a: Fraction, b: Fraction) -> bool:
    """``D'' = l - f > 0`` on [a, b] (inside [v-hat, z_hi], so ``l = 2 (z_hi - x)/w^2``; ``f = 0`` below lo)."""
    ldens = _pscale([mdl.zh, arb(-1)], 2 / (mdl.w * mdl.w))
    parts = []
    if a < mdl.lo:
        parts.append((a, min(b, mdl.lo), [arb(0)]))
    if b > mdl.lo:
        parts.append((max(a, mdl.lo), b, _from_fmpq(mdl.f)))
    return all(_pos(_enclose(_padd(ldens, _pscale(fp, arb(-1))), s, t)) for s, t, fp in parts)


# ------------------------------------------------------------------ tiling and rules
def _tiles(pieces, start: Fraction, end: Fraction, what: str) -> list[tuple[Fraction, Fraction]]:
    out = sorted((_fr(p[0], what), _fr(p[1], what)) for p in pieces)
    if not out:
        _fail(f"{what}: no pieces")
    at = start
    for a, b in out:
        if a != at:
            _fail(f"{what}: gap or overlap at {at} (next piece starts at {a})")
        if not a < b:
            _fail(f"{what}: empty piece [{a}, {b}]")
        at = b
    if at != end:
        _fail(f"{what}: the pieces end at {at}, not {end}")
    return out


class _Halver:
    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def holds(self, test, a: Fraction, b: Fraction, depth: int = 0) -> bool:
        if test(a, b):
            return True
        if depth >= self.limit:
            return False
        self.used += 1
        m = (a + b) / 2
        return self.holds(test, a, m, depth + 1) and self.holds(test, m, b, depth + 1)


def _check_boxes(data, mdl: _Model, vs_b: arb, vs_x, at_start: bool, max_halvings: int) -> Lemma12Replay:
    T = _fr(data["T"], "T")
    if T < mdl.hi or T < mdl.zh_iv[1]:
        _fail(f"T = {T} is not certainly >= max(hi, z_hi)")
    boxes = [(_fr(a, "boxes"), _fr(b, "boxes"), str(r)) for a, b, r in data["boxes"]]
    for *_, r in boxes:
        if r not in RULES:
            _fail(f"unknown rule {r!r}")
    _tiles([(a, b) for a, b, _ in boxes], Fraction(0), T, "boxes")
    used = {r for *_, r in boxes}
    halver = _Halver(max_halvings)

    x_r = x_f = None
    if "rises" in used:
        x_r, pieces = data["rises"]
        x_r = _fr(x_r, "rises")
        for a, b in _tiles(pieces, Fraction(0), x_r, "rises pieces"):
            if not halver.holds(lambda s, t: _dD_sign(mdl, s, t, 1), a, b):
                _fail(f"rises: D' >= 0 not confirmed on [{a}, {b}]")
    if "falls" in used:
        x_f, pieces = data["falls"]
        x_f = _fr(x_f, "falls")
        for a, b in _tiles(pieces, x_f, T, "falls pieces"):
            if not halver.holds(lambda s, t: _dD_sign(mdl, s, t, -1), a, b):
                _fail(f"falls: D' <= 0 not confirmed on [{a}, {b}]")
    valley = None
    if "valley at v*" in used:
        if not data.get("valley"):
            _fail("valley boxes without a valley")
        x_l, x_u, pieces = data["valley"]
        x_l, x_u = _fr(x_l, "valley"), _fr(x_u, "valley")
        if _cmp(vs_b, vs_x, x_u) == 1 or _cmp(vs_b, vs_x, x_u) is None:
            _fail("valley: v* <= x_u not certified")
        if x_u > mdl.hi or x_u > mdl.zh_iv[0]:
            _fail("valley: x_u must be <= hi and certainly <= z_hi")
        if at_start:                     # v* <= lo and no atom: D = 0 on [0, v*], F-hat = L from v* on
            if x_l != 0:
                _fail("valley at the start must begin at 0")
        else:
            if x_l < mdl.vh_iv[1]:
                _fail("valley: x_l is not certainly >= v-hat (F-hat = L is needed on the valley)")
            if x_l < mdl.lo:
                _fail("valley: x_l < lo")
            if _cmp(vs_b, vs_x, x_l) == -1 or _cmp(vs_b, vs_x, x_l) is None:
                _fail("valley: x_l <= v* not certified")
        for a, b in _tiles(pieces, x_l, x_u, "valley pieces"):
            if not halver.holds(lambda s, t: _convex(mdl, s, t), a, b):
                _fail(f"valley: D'' = l - f > 0 not confirmed on [{a}, {b}]")
        valley = (x_l, x_u)

    for a, b, r in boxes:
        if r == "bound":
            if not halver.holds(lambda s, t: _D_lower_positive(mdl, s, t), a, b):
                _fail(f"bound: D > 0 not confirmed on [{a}, {b}] within {max_halvings} halvings")
        elif r == "rises":
            if b > x_r:
                _fail(f"rises: box [{a}, {b}] extends beyond x_r = {x_r}")
        elif r == "falls":
            if a < x_f:
                _fail(f"falls: box [{a}, {b}] starts before x_f = {x_f}")
        else:
            if not (valley[0] <= a and b <= valley[1]):
                _fail(f"valley: box [{a}, {b}] is not inside [{valley[0]}, {valley[1]}]")
    return Lemma12Replay(True, len(boxes), halver.used)
