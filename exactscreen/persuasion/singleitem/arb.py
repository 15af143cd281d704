"""Certified arithmetic: working precision, arb balls of exact numbers, and sympy expressions
compiled into functions of arb balls.

Every quantity is evaluated on a box with python-flint ``arb`` balls, so an
upper bound is an upper bound of the function on the whole box.  Inputs are
exact: sympy objects, ``int``, ``Fraction`` or python-flint rationals; strings
and floats are refused (:func:`_sympy_object`).  F. Johansson, "Arb: efficient
arbitrary-precision midpoint-radius interval arithmetic", IEEE Trans. Computers
66 (2017).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Sequence

import sympy
from flint import arb, ctx, fmpq

from ...exceptions import ExactNumberError, InputError, NotCertified
from ...numbers import short_repr, to_fraction

PREC = 96
"""Bits of working precision of the certified evaluations (arb balls)."""


class working_precision:
    """Context manager setting python-flint's ``ctx.prec`` (restored on exit)."""

    def __init__(self, bits: int = PREC):
        self.bits = bits

    def __enter__(self):
        self.old = ctx.prec
        ctx.prec = self.bits
        return self

    def __exit__(self, *exc):
        ctx.prec = self.old


# ------------------------------------------------------------------ arb glue
def _fmpq(x) -> fmpq:
    f = to_fraction(x)
    return fmpq(f.numerator, f.denominator)


def arb_ball(x) -> arb:
    """A rational (or sympy number) as an arb ball at the current precision."""
    if isinstance(x, arb):
        return x
    if isinstance(x, sympy.Basic) and not x.is_Rational:
        return arb_function(x, ())()
    return arb(_fmpq(x))


def interval_arb(lo, hi) -> arb:
    """An arb ball containing the whole rational interval ``[lo, hi]``."""
    a, b = arb_ball(lo), arb_ball(hi)
    return a if lo == hi else a.union(b)


def arb_interval(a: arb) -> tuple[Fraction, Fraction]:
    """Exact rational ``(lower, upper)`` enclosing the ball ``a``."""
    def exact(x: arb) -> Fraction:
        m, e = x.man_exp()
        m, e = int(m), int(e)
        return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2 ** (-e))

    if not a.is_finite():
        raise NotCertified(f"the ball {a} is not finite")
    return exact(a.lower()), exact(a.upper())


def _ipow(x: arb, n: int) -> arb:
    """``x**n`` for an integer ``n`` (arb's own ``**`` is nan on balls containing 0)."""
    if n < 0:
        return 1 / _ipow(x, -n)
    if n == 0:
        return arb(1)
    if n % 2 == 0:
        y = abs(x)
        out = y
        for _ in range(n - 1):
            out = out * y
        return out.nonnegative_part()
    out = x
    for _ in range(n - 1):
        out = out * x
    return out


def _sqrt(x: arb) -> arb:
    return x.sqrt()


class _Compiler:
    """sympy expression -> Python source over arb values (no floats anywhere)."""

    def __init__(self, symbols):
        self.names = {s: f"x{i}" for i, s in enumerate(symbols)}
        self.consts: dict[str, object] = {}
        self.powers: dict[str, int] = {}   # symbol name -> highest integer power used

    def prelude(self) -> str:
        """Powers of the arguments, computed once per call (even powers non-negative)."""
        lines = []
        for name, top in self.powers.items():
            lines.append(f"    {name}_a = abs({name})")
            lines.append(f"    {name}_e1 = {name}_a")
            for k in range(2, top + 1):
                lines.append(f"    {name}_e{k} = ({name}_e{k - 1} * {name}_a).nonnegative_part()")
                if k % 2:
                    lines.append(f"    {name}_p{k} = {name} * {name}_e{k - 1}")
                else:
                    lines.append(f"    {name}_p{k} = {name}_e{k}")
        return "\n".join(lines) + ("\n" if lines else "")

    def const(self, value) -> str:
        name = f"k{len(self.consts)}"
        self.consts[name] = value
        return name

    def emit(self, e) -> str:
        if e.is_Symbol:
            if e not in self.names:
                raise InputError(f"arb_function: free symbol {e} is not an argument")
            return self.names[e]
        if e.is_Float:
            raise ExactNumberError(f"arb_function: the expression contains the float {e}; use exact rationals")
        if e.is_Integer:
            return f"({int(e)})"
        if e.is_Rational:
            return self.const(fmpq(int(e.p), int(e.q)))
        if e is sympy.pi:
            return "_arb.pi()"
        if e.is_Add:
            return "(" + " + ".join(self.emit(a) for a in e.args) + ")"
        if e.is_Mul:
            return "(" + " * ".join(self.emit(a) for a in e.args) + ")"
        if e.is_Pow:
            base, ex = e.args
            b = self.emit(base)
            if ex.is_Integer and base.is_Symbol and int(ex) >= 2 and base in self.names:
                name = self.names[base]
                self.powers[name] = max(self.powers.get(name, 1), int(ex))
                return f"{name}_p{int(ex)}"
            if ex.is_Integer:
                n = int(ex)
                if n == 1:
                    return b
                if n == -1:
                    return f"(1 / {b})"
                return f"_ipow({b}, {n})"
            if ex == sympy.Rational(1, 2):
                return f"_sqrt(_A({b}))"
            if ex == sympy.Rational(-1, 2):
                return f"(1 / _sqrt(_A({b})))"
            if ex.is_Rational:
                p, q = int(ex.p), int(ex.q)
                return f"_ipow(_A({b}).root({q}), {p})"
            raise InputError(f"arb_function: unsupported power {e}")
        if isinstance(e, sympy.Abs):
            return f"abs(_A({self.emit(e.args[0])}))"
        raise InputError(f"arb_function: unsupported expression {e} ({type(e).__name__})")


def _as_arb(x) -> arb:
    return x if isinstance(x, arb) else arb(x)


def arb_function(expr, symbols: Sequence, centered: bool = False) -> Callable[..., arb]:
    """Compile a sympy expression into a function of arb balls (certified enclosure).

    Integers stay integers, rationals become exact ``fmpq`` constants; powers
    with integer exponents are computed so that even powers of balls around 0
    stay non-negative.  Floats are refused.  The result of a call is an arb
    ball containing the value of ``expr`` at every point of the argument
    balls (or a non-finite ball, e.g. after a division by a ball containing 0).
    """
    expr = _sympy_object(expr, "arb_function")
    comp = _Compiler(tuple(symbols))
    body = comp.emit(expr)
    args = ", ".join(comp.names[s] for s in symbols)
    conv = "".join(f"    {comp.names[s]} = _A({comp.names[s]})\n" for s in symbols)
    src = f"def _f({args}):\n{conv}{comp.prelude()}    return _A({body})\n"
    namespace = {"_ipow": _ipow, "_sqrt": _sqrt, "_A": _as_arb, "_arb": arb, **comp.consts}
    exec(compile(src, "<arb_function>", "exec"), namespace)  # noqa: S102 - generated from a sympy tree
    fn = namespace["_f"]
    if centered and symbols:
        fn = _centered(fn, [arb_function(sympy.diff(expr, s), symbols) for s in symbols])
    fn.expr = expr  # type: ignore[attr-defined]
    return fn


def _centered(fn, grads):
    """Naive enclosure intersected with the mean-value form ``f(m) + grad f(X) . (X - m)``.

    For a ball ``X`` with midpoint ``m`` every ``x`` in ``X`` has
    ``f(x) = f(m) + grad f(xi) . (x - m)`` with ``xi`` in ``X`` (mean value
    theorem), so both enclosures are valid and so is their intersection; the
    second one is much tighter on small boxes (no dependency blow-up).
    """

    def g(*xs):
        naive = fn(*xs)
        if all(x.rad() == 0 for x in xs):
            return naive
        mids = [arb(x.mid()) for x in xs]
        form = fn(*mids)
        for x, m, d in zip(xs, mids, grads):
            if x.rad() != 0:
                form = form + d(*xs) * (x - m)
        if not form.is_finite():
            return naive
        if not naive.is_finite():
            return form
        return naive.intersection(form) if naive.overlaps(form) else form

    return g


def _hi(x: arb) -> arb:
    return x.upper()


def _certainly_le(x: arb, y) -> bool:
    return bool(x.is_finite() and x <= y)


def _certainly_lt(x: arb, y) -> bool:
    return bool(x.is_finite() and x < y)


def _certainly_ge(x: arb, y) -> bool:
    return bool(x.is_finite() and x >= y)


# ------------------------------------------------------ exact sympy input
def _sympy_object(expr, what: str):
    """``expr`` as a sympy expression, from sympy objects and exact numbers only.

    A ``str`` is refused: ``sympy.sympify`` of a string evaluates it as Python
    code (it ran code through this public API).  Build the expression with
    sympy instead, e.g. ``2 * (1 - exactscreen.persuasion.singleitem.V)``.  ``int``,
    ``Fraction`` and python-flint rationals become exact sympy rationals; a
    ``float`` is refused with its exact spelling (:func:`to_fraction`).
    Never ``nsimplify``: it replaces numbers by *nearby* simple ones.
    """
    if isinstance(expr, str):
        raise InputError(
            f"{what}: got the string {short_repr(expr)}; strings are not parsed (sympify would run "
            "them as code). Pass a sympy expression, e.g. 2*(1 - exactscreen.persuasion.singleitem.V)"
        )
    if isinstance(expr, sympy.Basic):
        return expr
    if isinstance(expr, bool):
        raise InputError(f"{what}: got the bool {expr!r}, expected a sympy expression or a number")
    if isinstance(expr, float):
        raise InputError(
            f"{what}: got the float {expr!r}, which is not exact; pass sympy.Rational or "
            "fractions.Fraction (e.g. sympy.Rational(3, 2))"
        )
    try:
        f = to_fraction(expr, what)
    except ExactNumberError as exc:
        raise InputError(f"{exc}; or pass a sympy expression") from None
    return sympy.Rational(f.numerator, f.denominator)


def _exact_expr(expr, what: str):
    e = _sympy_object(expr, what)
    if e.has(sympy.Float):
        raise ExactNumberError(f"{what}: {e} contains a float; write it with exact rationals")
    return e


def _ball_of(expr) -> arb:
    """A certified ball of an exact sympy number (radicals; ``CRootOf`` atoms enclosed by
    exact root isolation refined to width ``2^-100``)."""
    expr = _sympy_object(expr, "ball")
    roots = sorted(expr.atoms(sympy.CRootOf), key=str)
    if not roots:
        return arb_function(expr, ())()
    syms = sympy.symbols(f"r0:{len(roots)}", real=True)
    f = arb_function(expr.xreplace(dict(zip(roots, syms))), syms)
    return f(*(interval_arb(*_crootof_interval(r)) for r in roots))


def _crootof_interval(r, eps=Fraction(1, 2**100)) -> tuple[Fraction, Fraction]:
    """Exact rational isolating interval of a real ``CRootOf`` of width at most ``eps``."""
    iv = r._get_interval().refine_size(sympy.Rational(eps.numerator, eps.denominator))  # sympy isolation
    a, b = sympy.Rational(iv.a), sympy.Rational(iv.b)
    return Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q))


def ball_text(a: arb, digits: int = 12) -> str:
    """``"[lo, hi]"`` with decimal ends rounded outward (exact, no float)."""
    lo, hi = arb_interval(a)
    scale = 10**digits

    def down(x: Fraction) -> str:
        n = (x.numerator * scale) // x.denominator
        return _dec(Fraction(n, scale), digits)

    def up(x: Fraction) -> str:
        n = -((-x.numerator * scale) // x.denominator)
        return _dec(Fraction(n, scale), digits)

    return f"[{down(lo)}, {up(hi)}]"


def _dec(x: Fraction, digits: int) -> str:
    sign = "-" if x < 0 else ""
    x = abs(x)
    whole, rem = divmod(x.numerator * 10**digits // x.denominator, 10**digits)
    return f"{sign}{whole}.{str(rem).rjust(digits, '0')}"
