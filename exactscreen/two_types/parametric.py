"""Screening two types with valuations that depend on a parameter (Haghpanah &
Siegel, App. B: the restaurant's fish value v), derived by the code.

Method (a lazy cylindrical decomposition of the parameter line)
---------------------------------------------------------------
The analysis of :mod:`exactscreen.two_types.analysis` uses only field operations and
comparisons.  It is run on :class:`Param` numbers: exact sympy rational
functions of the parameter, compared by their sign at a rational *sample* of
the current cell (an open interval or a point of the parameter line).  Every
comparison is recorded; afterwards the real roots and poles of all recorded
differences that fall strictly inside the cell are computed exactly; if there
are none, every comparison has the same outcome on the whole cell, so the
symbolic results (thresholds, profits, payments as rational functions) hold on
all of it.  Otherwise the cell is split at those roots (points and open
intervals) and each part is analysed again.  Adjacent parts with the same
results are merged; thresholds come out as sympy ``Piecewise`` expressions.

Parsing: valuations are *affine* in one named symbol, written ``"30"``,
``"v"``, ``"2*v - 1/2"``, ``"-v + 3"`` or ``"3/4 v"``; the tiny grammar
below reads them (no ``eval``, no ``sympify`` of user text).  Roots of the
recorded polynomials are found with sympy's exact real-root isolation; a
rational sample strictly between two roots is taken from their isolating
intervals.  Point cells at irrational roots are refused (the answer would
need algebraic numbers at that single point); the open cells around them are
analysed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar, Mapping

import sympy

from ..exceptions import InputError
from ..environment import check_type_tables
from ..numbers import fmt_decimal, to_fraction

__all__ = ["Param", "Cell", "parse_affine", "ParametricResult", "parametric_analysis"]

PARAM_MAX_DIGITS = 40
"""Most decimal digits of a number's numerator or denominator in a parametric
analysis.  Exact real-root isolation on polynomials with long coefficients is
costly (its work grows quickly with their size), so longer numbers are refused
at entry, naming the field; non-parametric two-types has no such limit."""

_SYMBOL = re.compile(r"[A-Za-z_]\w*")
_NUMBER = r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_TERM = re.compile(rf"\s*([+-]?)\s*({_NUMBER}(?:/{_NUMBER})?)?\s*(\*)?\s*([A-Za-z_]\w*)?\s*")


def _bounded(x: Fraction, field: str | None) -> Fraction:
    for part in (x.numerator, x.denominator):
        if abs(part).bit_length() > 3 * PARAM_MAX_DIGITS and len(str(abs(part))) > PARAM_MAX_DIGITS:
            where = f"{field}: " if field else ""
            raise InputError(
                f"{where}a number with more than {PARAM_MAX_DIGITS} digits; the parametric analysis "
                f"(--param) takes numbers of at most {PARAM_MAX_DIGITS} digits (numerator and denominator)"
            )
    return x


def parse_affine(text: object, symbol: str, field: str | None = None) -> tuple[Fraction, Fraction]:
    """``(const, coef)`` of an affine expression ``const + coef·symbol`` written as text.

    Accepts numbers (int, Fraction, exact strings) and strings made of terms
    ``[sign] [rational] [*] [symbol]`` such as ``"2*v - 1/2"``.  Anything else
    (another name, products of symbols, powers, functions) is refused.
    ``field`` names the input in error messages (e.g. ``"types.T.fish"``).
    Numbers have at most :data:`PARAM_MAX_DIGITS` digits.
    """
    where = f"{field}: " if field else ""
    if not isinstance(text, str):
        try:
            return _bounded(to_fraction(text, field), field), Fraction(0)
        except ValueError as exc:  # ExactNumberError
            raise InputError(str(exc)) from None
    s = text.strip()
    if len(s) > 200:
        raise InputError(f"{where}the expression {text[:40]!r}... is too long (at most 200 characters)")
    if not s:
        raise InputError(f"{where}empty expression; write a number or an affine expression in {symbol}")
    const, coef = Fraction(0), Fraction(0)
    pos = 0
    while pos < len(s):
        m = _TERM.match(s, pos)
        if not m or m.end() == pos:
            raise InputError(f"{where}cannot read {text!r}: write terms like 3/4, {symbol}, 2*{symbol}, separated by + or -")
        sign, num, star, name = m.groups()
        if num is None and name is None:
            raise InputError(f"{where}cannot read {text!r} near position {pos}")
        if pos > 0 and not sign:
            raise InputError(f"{where}cannot read {text!r}: terms must be separated by + or -")
        if star and (num is None or name is None):
            raise InputError(f"{where}cannot read {text!r}: '*' needs a number on its left and {symbol} on its right")
        try:
            if num is None:
                val = Fraction(1)
            else:  # "3", "0.5", "1e3", "3/4" or "1.5/2e3": exact, at most PARAM_MAX_DIGITS digits
                top, _, bottom = num.partition("/")
                val = _bounded(to_fraction(top, field), field)
                if bottom:
                    den = _bounded(to_fraction(bottom, field), field)
                    if den == 0:
                        raise InputError(f"{where}{text!r} divides by zero")
                    val = _bounded(val / den, field)
        except ValueError as exc:  # ExactNumberError
            raise InputError(str(exc)) from None
        if sign == "-":
            val = -val
        if name is None:
            const += val
        elif name == symbol:
            coef += val
        else:
            raise InputError(f"{where}unknown name {name!r} in {text!r}; the only parameter is {symbol!r}")
        pos = m.end()
    return const, coef


@dataclass(frozen=True)
class Cell:
    """A cell of the parameter line: the point ``lo == hi`` or the open interval
    ``(lo, hi)`` (``None`` for ∓∞), with a rational sample inside."""

    lo: Fraction | None
    hi: Fraction | None
    sample: Fraction

    @property
    def is_point(self) -> bool:
        return self.lo is not None and self.lo == self.hi

    def contains_open(self, x) -> bool:
        return (self.lo is None or x > self.lo) and (self.hi is None or x < self.hi)

    def __str__(self) -> str:
        if self.is_point:
            return f"{{{self.lo}}}"
        return f"({'-oo' if self.lo is None else self.lo}, {'oo' if self.hi is None else self.hi})"


class _Context:
    symbol: sympy.Symbol | None = None
    sample: Fraction | None = None
    recorded: ClassVar[list] = []  # replaced per cell by parametric_analysis (not thread-safe)


def _rat(x: Fraction) -> sympy.Rational:
    return sympy.Rational(x.numerator, x.denominator)


class Param:
    """An exact rational function of the parameter, ordered on the current cell."""

    __slots__ = ("expr",)

    def __init__(self, expr) -> None:
        self.expr = expr

    @staticmethod
    def _lift(o):
        if isinstance(o, Param):
            return o.expr
        if isinstance(o, (int, Fraction)):
            return _rat(Fraction(o))
        return NotImplemented

    def _op(self, o, f):
        e = self._lift(o)
        if e is NotImplemented:
            return NotImplemented
        return Param(sympy.cancel(f(self.expr, e)))

    def __add__(self, o):
        return self._op(o, lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, o):
        return self._op(o, lambda a, b: a - b)

    def __rsub__(self, o):
        return self._op(o, lambda a, b: b - a)

    def __mul__(self, o):
        return self._op(o, lambda a, b: a * b)

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._op(o, lambda a, b: a / b)

    def __rtruediv__(self, o):
        return self._op(o, lambda a, b: b / a)

    def __neg__(self):
        return Param(-self.expr)

    def _sign_of(self, o) -> int:
        e = self._lift(o)
        if e is NotImplemented:
            raise TypeError(f"cannot compare a parameter value with {type(o).__name__}")
        diff = sympy.cancel(self.expr - e)
        if diff.free_symbols:
            _Context.recorded.append(diff)
            val = diff.subs(_Context.symbol, _rat(_Context.sample))
        else:
            val = diff
        if not val.is_Rational:  # pragma: no cover - rational functions at rational samples
            raise InputError(f"parametric comparison did not evaluate to a rational: {val}")
        return 1 if val.is_positive else (-1 if val.is_negative else 0)

    def __lt__(self, o):
        return self._sign_of(o) < 0

    def __le__(self, o):
        return self._sign_of(o) <= 0

    def __gt__(self, o):
        return self._sign_of(o) > 0

    def __ge__(self, o):
        return self._sign_of(o) >= 0

    def __eq__(self, o):
        if self._lift(o) is NotImplemented:
            return NotImplemented
        return self._sign_of(o) == 0

    def __ne__(self, o):
        r = self.__eq__(o)
        return r if r is NotImplemented else not r

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Param({self.expr})"


def _q(x) -> Fraction:
    """A sympy (or python) rational as a Fraction."""
    x = sympy.Rational(x)
    return Fraction(int(x.p), int(x.q))


def _roots_inside(exprs, sym, cell: Cell) -> list:
    """Exact real roots and poles of the recorded rational functions inside the open cell.

    Each numerator and denominator is factored over the rationals: a linear
    factor gives a rational root; the real roots of an irreducible factor of
    higher degree are irrational and are located by exact isolating intervals
    (rational endpoints), split at the cell's end points by the sign of the
    factor there (never by comparing algebraic numbers).  Returns
    ``[(Fraction, None)]`` for rational roots and ``[(("alg", k), (factor, lo, hi))]``
    for irrational ones, in increasing order.
    """
    found: dict = {}
    for e in exprs:
        num, den = sympy.fraction(sympy.together(e))
        for part in (num, den):
            if not part.free_symbols:
                continue
            _c, factors = sympy.Poly(part, sym).factor_list()
            for factor, _mult in factors:
                if factor.degree() < 1:
                    continue
                if factor.degree() == 1:
                    a, b = factor.all_coeffs()
                    x = -_q(b) / _q(a)
                    if cell.contains_open(x):
                        found[x] = None
                    continue
                for lo, hi in _isolating_intervals(factor):
                    for c in (cell.lo, cell.hi):  # an irrational root is never an end point
                        if c is not None and lo < c < hi:
                            if _sign_at(factor, sym, lo) == _sign_at(factor, sym, c):
                                lo = c
                            else:
                                hi = c
                    if cell.contains_open(lo) or cell.contains_open(hi) or (
                        (cell.lo is None or lo >= cell.lo) and (cell.hi is None or hi <= cell.hi)
                    ):
                        key = ("alg", str(factor.as_expr()), lo, hi)
                        found[key] = (factor.as_expr(), lo, hi)
    rational = sorted((k, v) for k, v in found.items() if isinstance(k, Fraction))
    algebraic = sorted(((k, v) for k, v in found.items() if not isinstance(k, Fraction)), key=lambda kv: (kv[1][1], kv[0][1]))
    return rational + algebraic


def _isolating_intervals(factor) -> list[tuple[Fraction, Fraction]]:
    """Disjoint rational intervals ``(lo, hi)``, one around each real root of an
    irreducible polynomial of degree >= 2 (so no root is rational).

    Quadratics directly: with integer coefficients ``a x² + b x + c`` and
    ``D = b² − 4ac > 0`` (not a square), the roots ``(−b ± √D)/(2a)`` lie
    strictly between the values at ``isqrt(D)`` and ``isqrt(D) + 1`` (exact, no
    refinement loop; sympy's generic isolation needs many steps when the
    coefficients are long).  Higher degrees: sympy's exact isolation."""
    from math import isqrt

    if factor.degree() == 2:
        coeffs = [_q(c) for c in factor.all_coeffs()]
        den = 1
        for c in coeffs:
            den = den * c.denominator // _gcd(den, c.denominator)
        a, b, c = (int(x * den) for x in coeffs)
        disc = b * b - 4 * a * c
        if disc <= 0:
            return []
        r = isqrt(disc)  # r < √disc < r + 1 (disc is not a square: the factor is irreducible)
        out = []
        for sign in (-1, 1):
            ends = sorted((Fraction(-b + sign * r, 2 * a), Fraction(-b + sign * (r + 1), 2 * a)))
            out.append((ends[0], ends[1]))
        return sorted(out)
    return [(_q(lo), _q(hi)) for (lo, hi), _m in factor.intervals()]


def _gcd(a: int, b: int) -> int:
    from math import gcd

    return gcd(a, b)


def _sign_at(poly, sym, x: Fraction) -> int:
    val = poly.eval(sympy.Rational(x.numerator, x.denominator))
    return 1 if val > 0 else (-1 if val < 0 else 0)


def _split(cell: Cell, roots) -> list[Cell]:
    pts: list = []
    algebraic = []
    for key, r in roots:
        if isinstance(key, Fraction):
            pts.append((key, key, True))
        else:
            algebraic.append(r)
            pts.append((r[1], r[2], False))
    if algebraic:
        where = ", ".join(
            f"a root of {_short_expr(a[0])} in ({fmt_decimal(a[1], 4)}, {fmt_decimal(a[2], 4)})" for a in algebraic[:3]
        )
        raise InputError(
            f"the decomposition of {cell} meets irrational critical values ({where}); "
            "parametric results at irrational points are not supported: restrict --domain to avoid them"
        )
    xs = sorted({p[0] for p in pts})
    out = []
    bounds = [cell.lo, *xs, cell.hi]
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        if a is None and b is None:
            s = Fraction(0)
        elif a is None:
            s = b - 1
        elif b is None:
            s = a + 1
        else:
            s = (a + b) / 2
        out.append(Cell(a, b, s))
        if i < len(xs):
            out.append(Cell(xs[i], xs[i], xs[i]))
    return out


def _short_expr(expr, limit: int = 60) -> str:
    text = str(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class ParametricResult:
    """The analysis on each cell of the parameter line (merged where identical)."""

    symbol: sympy.Symbol
    cells: tuple[tuple[Cell, dict], ...]  # (cell, snapshot of the analysis; see _snapshot)

    def threshold(self, name: str) -> sympy.Piecewise:
        """``"q_bd1"``, ``"q_cd"``, ``"q_od"`` (nan where undefined) as a Piecewise in the parameter."""
        pieces = []
        for (lo, hi, lc, hc), snap in self.merged():
            val = snap[name] if snap[name] is not None else sympy.nan
            pieces.append((val, _interval_condition(self.symbol, lo, hi, lc, hc)))
        return sympy.Piecewise(*pieces)

    def at(self, value) -> dict:
        """The snapshot of the cell containing the parameter value (a rational)."""
        x = to_fraction(value)
        for cell, snap in self.cells:
            if (cell.is_point and cell.lo == x) or (not cell.is_point and cell.contains_open(x)):
                return snap
        raise InputError(f"{value} is outside the domain")

    def merged(self) -> list[tuple[tuple, dict]]:
        """Maximal runs of adjacent cells on which the results are the same functions of the
        parameter: ``((lo, hi, lo_closed, hi_closed), snapshot)``.  A point joins a
        neighbouring interval when the interval's expressions, evaluated there, give the
        point's results."""
        out: list = []
        for cell, snap in self.cells:
            if out:
                (lo, hi, lc, hc), prev = out[-1]
                if cell.is_point and hi == cell.lo and _subs(prev, self.symbol, cell.lo) == snap:
                    out[-1] = ((lo, hi, lc, True), prev)
                    continue
                if not cell.is_point and prev == snap and hi == cell.lo and hc:
                    out[-1] = ((lo, cell.hi, lc, False), prev)
                    continue
                if not cell.is_point and lo == hi and _subs(snap, self.symbol, lo) == prev:
                    out[-1] = ((lo, cell.hi, True, False), snap)
                    continue
            out.append(((cell.lo, cell.hi, cell.is_point, cell.is_point), snap))
        return out


def _interval_condition(v, lo, hi, lc, hc):
    if lo is not None and lo == hi:
        return sympy.Eq(v, _rat(lo))
    conds = []
    if lo is not None:
        conds.append(v >= _rat(lo) if lc else v > _rat(lo))
    if hi is not None:
        conds.append(v <= _rat(hi) if hc else v < _rat(hi))
    return sympy.And(*conds) if conds else sympy.true


def _condition(v, cell: Cell):
    if cell.is_point:
        return sympy.Eq(v, _rat(cell.lo))
    conds = []
    if cell.lo is not None:
        conds.append(v > _rat(cell.lo))
    if cell.hi is not None:
        conds.append(v < _rat(cell.hi))
    return sympy.And(*conds) if conds else sympy.true


def parametric_analysis(
    values: Mapping[str, Mapping[str, object]],
    symbol: str = "v",
    domain: tuple[object | None, object | None] = (None, None),
    max_cells: int = 200,
) -> ParametricResult:
    """Theorem 1 / Corollaries 2-3 on every cell of the parameter line.

    ``values`` is ``{type: {alternative: affine expression}}`` with two types
    (q = probability of the second); ``domain`` bounds the parameter (open
    interval, ``None`` for infinite).
    """
    from .analysis import TwoTypes

    if not isinstance(symbol, str) or not _SYMBOL.fullmatch(symbol) or symbol == "q":
        raise InputError(
            f"--param: {symbol!r} is not a usable parameter name; write a name of letters, digits "
            "and _ starting with a letter (not q, which is the probability of the second type)"
        )
    tnames, alts = check_type_tables(values)  # the same checks as load_toml
    if len(tnames) != 2:
        raise InputError("parametric two-types: give exactly two types")
    sym = sympy.Symbol(symbol, real=True)
    types = tuple(tnames)
    for t in types:
        if set(values[t]) != set(alts):
            raise InputError("parametric two-types: both types must value the same alternatives")

    def param(t, a) -> Param:
        c, k = parse_affine(values[t][a], symbol, f"types.{t}.{a}")
        return Param(_rat(c) + _rat(k) * sym)

    pairs = {a: (param(types[0], a), param(types[1], a)) for a in alts}
    lo, hi = (None if x is None else _bounded(to_fraction(x, "--domain"), "--domain") for x in domain)
    if lo is not None and hi is not None and lo >= hi:
        raise InputError("parametric two-types: the domain must be a non-empty open interval (lo < hi)")
    first = Cell(lo, hi, (lo + hi) / 2 if lo is not None and hi is not None else (lo + 1 if lo is not None else (hi - 1 if hi is not None else Fraction(0))))
    work = [first]
    done: list[tuple[Cell, object]] = []
    while work:
        if len(done) + len(work) > max_cells:
            raise InputError(f"parametric two-types: more than {max_cells} cells")
        cell = work.pop(0)
        _Context.symbol, _Context.sample, _Context.recorded = sym, cell.sample, []
        t = TwoTypes(None, pairs=pairs, types=types)
        snap = _snapshot(t)
        if cell.is_point:
            snap = _subs(snap, sym, cell.lo)
        recorded = list(_Context.recorded)
        roots = [] if cell.is_point else _roots_inside(recorded, sym, cell)
        if roots:
            work = _split(cell, roots) + work
            continue
        done.append((cell, snap))
    done.sort(key=lambda ct: (ct[0].lo is not None, ct[0].lo if ct[0].lo is not None else 0, not ct[0].is_point))
    return ParametricResult(sym, tuple(done))


def _subs(obj, sym, value):
    """Substitute the parameter in every sympy value of a snapshot."""
    if isinstance(obj, sympy.Basic):
        # exact: a rational function at a rational point (sympy.nsimplify would replace e.g.
        # 3333333333333333333/13333333333333333333 by 1/4)
        return sympy.cancel(obj.subs(sym, _rat(Fraction(value)))) if obj.free_symbols else obj
    if isinstance(obj, dict):
        return {k: _subs(v, sym, value) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return tuple(_subs(v, sym, value) for v in obj)
    return obj


def _x(v):
    """A Param, Fraction or int as a sympy expression."""
    if v is None:
        return None
    if isinstance(v, Param):
        return v.expr
    return _rat(Fraction(v))


def _snapshot(t) -> dict:
    """Everything the analysis decides, as plain data with sympy values (computed while
    the cell's sample is active, so every comparison is recorded)."""
    det = []
    for p in t.deterministic_pieces:
        det.append(
            {
                "lo": _x(p.lo), "hi": _x(p.hi), "a1": frozenset(p.a1), "regime": p.regime,
                "profit": (_x(p.profit.const), _x(p.profit.slope)),
                "menus": tuple(
                    (frozenset(m.a1), frozenset(m.a2), _x(m.p1), _x(m.p2), frozenset(m.binding), _x(m.u2)) for m in p.menus
                ),
            }
        )
    rnd = []
    for p in t.random_pieces:
        rnd.append(
            {
                "lo": _x(p.lo), "hi": _x(p.hi), "case": p.case,
                "x1": tuple(tuple(sorted((a, _x(w)) for a, w in x.items())) for x in p.x1.vertices),
                "support": frozenset(p.x1.support),
                "p1": (_x(p.p1[0]), _x(p.p1[1])), "p2": (_x(p.p2[0]), _x(p.p2[1])),
                "profit": (_x(p.profit.const), _x(p.profit.slope)),
            }
        )
    helps = () if t.uncontested1 else tuple((_x(a), _x(b), c, d) for a, b, c, d in t._helps())
    return {
        "types": (t.type1, t.type2), "swapped": t.swapped,
        "E1": frozenset(t.E1), "E2": frozenset(t.E2),
        "uncontested1": t.uncontested1, "uncontested2": t.uncontested2,
        "A_plus": frozenset(t.A_plus), "A_minus": frozenset(t.A_minus),
        "a_BD1": frozenset(t.bd1), "b": _x(t.b), "va_is_bd1": t.va_is_bd1,
        "q_bd1": _x(t.q_bd1), "q_cd": _x(t.q_cd), "q_od": _x(t.q_od),
        "deterministic": tuple(det_freeze(d) for d in det),
        "random": tuple(det_freeze(r) for r in rnd),
        "helps": helps,
    }


def det_freeze(d: dict) -> tuple:
    return tuple(sorted(d.items()))
