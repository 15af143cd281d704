"""Single-item menus for continuous values, and certified K-item comparisons.

Bergemann, Heumann & Morris, *Screening with persuasion*, Sec. 4.6 (Figs. 1-2)
and Sec. 6 (Theorem 3, Lemma 10, Propositions 6-8).  Values ``v`` have an
absolutely continuous distribution with a *polynomial* density on
``[lo, hi]`` (exact rational ends), e.g. ``F(v) = v^2`` or the linearly
decreasing ``L(v; v_l, v_h)``; the seller has a separable cost ``c(q)``
(polynomial of degree 2 or 3, ``c(0) = 0``) or a fixed inventory ``G``.

Primer
------
*Monotone partitions (Sec. 4.5).*  Cutoffs ``lo = t_0 <= t_1 <= ... <= t_n =
hi`` cut the values into cells with masses ``m_k``, means ``vbar_k`` and
survivals ``S_k = 1 - F(t_{k-1})``.  The (pooled) discrete virtual value of
cell ``k`` is ``phi_k = vbar_k - (vbar_{k+1} - vbar_k) S_{k+1}/m_k`` (8);
write ``N_k = m_k phi_k = vbar_k S_k - vbar_{k+1} S_{k+1}``.  With a separable
cost the profit of monotone qualities ``q_k`` is ``sum_k m_k (phi_k q_k -
c(q_k))`` ((10) summed by parts), so

    profit(partition) <= U = sum_k m_k c*(phi_k),  c*(p) = max_{q >= 0} p q - c(q),

with equality when the pointwise optimal qualities are monotone (no ironing).
A cell with ``phi_k <= c'(0)`` gets ``q_k = 0`` (excluded).  A menu with at
most ``K`` positive qualities comes from a partition with at most ``K + 1``
cells (pooling cells that get the same quality weakly raises the pooled
mean, hence the revenue), so certifying ``U <= Pi_1*`` over all ``K + 1``-cell
cutoffs certifies that no menu with at most ``K`` items beats the best single
item.

*Single item (Lemma 10).*  Selling ``q`` to ``v >= x`` at price ``mu(x) q``
earns ``Pi_1(x) = M(x) c*(mu(x))`` with ``M(x) = 1 - F(x)``, ``mu(x) =
E[v | v >= x]``, and ``Pi_1'(x) = f(x) (c(q(x)) - x q(x))`` with ``q(x) =
c'^{-1}(mu(x))``: the first-order conditions (53) ``mu = c'(q)``, ``c(q) =
x q`` are the zero of ``psi(x) = c(q(x)) - x q(x)``.  Global optimality is
certified by the sign of ``psi`` (positive below the root, negative above),
not assumed.

*The top two items (proof of Theorem 3, (54)-(60)).*  Fix everything below
a cutoff ``u`` and the quality ``q_b`` sold just below it (``theta =
c'(q_b)``).  The profit of the top two cells ``[u, w)``, ``[w, hi]`` minus that
of one top cell ``[u, hi]`` (both with optimal increments over ``q_b``) is,
for ``c = alpha q + beta q^2/2`` and when the lower cell gets a positive
increment (``phi_1 > theta``),

    G = (m_1 phi_1^2 + m_2 vbar_2^2 - M vbar^2)/(2 beta) - theta M (vbar_1 - vbar)/beta

(linear in ``theta``, increasing).  If ``G < 0`` whenever ``phi_1 > theta`` --
over all ``u``, all admissible ``theta`` in ``[alpha, u]`` (``theta =
c'(q_b) = phi_b <= vbar_b <= u`` at an optimum) and all ``w`` -- then no
optimal menu has two items or more (replace the top two by the best single
top item; induct).  :func:`top_two_certificate` proves this for a given
density by branch and bound.

Certified arithmetic
--------------------
Boxes have exact rational corners (:class:`fractions.Fraction`); every
quantity is evaluated on a box with python-flint ``arb`` balls, so an upper
bound is an upper bound of the function on the whole box.
:func:`branch_and_bound` discards a box as soon as one *rule* certifies the
property on it, bisects otherwise, and answers three-valued
(:class:`~exactscreen.numbers.Certainty`): ``TRUE`` (every box certified),
``FALSE`` (a point where the property certainly fails, returned), or
``UNDECIDED`` (budget or depth exhausted; the leftover boxes are reported).
Degenerate boundaries, where the compared profits are *equal* (cells that
become empty, the top cell shrinking to a point), cannot be certified by
bounds alone; they are handled by exact factorization (the vanishing factor
is divided out symbolically) or by certified monotonicity towards a face on
which the difference is identically zero (see each certificate's docstring).

References
----------
D. Bergemann, T. Heumann, S. Morris, "Screening with persuasion" (2025),
Secs. 4.5-4.6 and 6 with the proof of Theorem 3.  F. Johansson, "Arb:
efficient arbitrary-precision midpoint-radius interval arithmetic", IEEE
Trans. Computers 66 (2017).  R. E. Moore, R. B. Kearfott, M. J. Cloud,
*Introduction to Interval Analysis*, SIAM 2009 (branch and bound).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Sequence

import sympy
from flint import arb, ctx, fmpq

from ..exceptions import ExactNumberError, InputError, NotCertified
from ..numbers import Certainty, short_repr, to_fraction

__all__ = [
    "V",
    "Q",
    "PREC",
    "working_precision",
    "arb_function",
    "interval_arb",
    "arb_ball",
    "arb_interval",
    "Rule",
    "BnBResult",
    "branch_and_bound",
    "PolyDensity",
    "power_distribution",
    "linear_decreasing",
    "PolyCost",
    "SingleItem",
    "single_item_optimum",
    "certify_cells",
    "top_two_polynomials",
    "top_two_certificate",
    "TopTwoCertificate",
    "SignOracle",
    "single_item_profit",
    "linear_density_top_two",
    "linear_density_top_two_certificate",
    "linear_density_top_two_negative",
    "KAPPA_NEGATIVE_MIN",
    "InventoryPartition",
    "InventoryOptimum",
    "inventory_optimum",
    "ball_text",
]

V, Q = sympy.symbols("v q", real=True)
_A, _B, _C, _D, _P = sympy.symbols("a b c d p", real=True)

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


# ------------------------------------------------------------ branch & bound
Interval = tuple[Fraction, Fraction]
Box = tuple[Interval, ...]


@dataclass(frozen=True)
class Rule:
    """A way to certify the property on a box: ``test(balls, box) -> bool``.

    ``balls`` are arb balls containing the box's intervals; ``box`` its exact
    rational corners.  ``True`` means *certified on the whole box* and must
    only be returned when proven.
    """

    name: str
    test: Callable[[tuple[arb, ...], Box], bool]


@dataclass
class BnBResult:
    """Outcome of :func:`branch_and_bound`.

    ``certainty`` is TRUE (property certified on the whole domain), FALSE
    (``counterexample`` is a point where it certainly fails) or UNDECIDED
    (``undecided`` boxes left at the depth limit or when the box budget ran
    out).  ``boxes`` counts the boxes examined, ``depth`` the deepest
    bisection level, ``by_rule`` how many boxes each rule discarded.
    """

    certainty: Certainty
    boxes: int
    depth: int
    by_rule: dict[str, int]
    undecided: list[Box] = field(default_factory=list)
    counterexample: tuple[Fraction, ...] | None = None
    outside: int = 0
    seconds: float = 0.0
    exhausted: bool = False

    def summary(self) -> str:
        rules = ", ".join(f"{k} {v}" for k, v in self.by_rule.items() if v)
        text = f"{self.certainty.value}: {self.boxes} boxes, depth {self.depth} ({rules})"
        if self.undecided:
            text += f", {len(self.undecided)} undecided"
        if self.counterexample is not None:
            text += f", counterexample {tuple(str(x) for x in self.counterexample)}"
        return text

    def __repr__(self) -> str:
        return f"BnBResult({self.summary()})"


def _split(box: Box, scale: Sequence[Fraction]) -> tuple[Box, Box]:
    i = max(range(len(box)), key=lambda j: (box[j][1] - box[j][0]) / scale[j])
    lo, hi = box[i]
    mid = (lo + hi) / 2
    left = box[:i] + ((lo, mid),) + box[i + 1:]
    right = box[:i] + ((mid, hi),) + box[i + 1:]
    return left, right


def branch_and_bound(
    domain: Sequence[Interval],
    rules: Sequence[Rule],
    *,
    outside: Callable[[Box], bool] | None = None,
    refute: Callable[[tuple[Fraction, ...]], bool] | None = None,
    max_boxes: int = 200_000,
    max_depth: int = 60,
    prec: int = PREC,
    keep_undecided: int = 20,
) -> BnBResult:
    """Certify a property on ``domain`` (a box of exact rational intervals).

    Depth-first: each box is tested by the ``rules`` in order; if none
    certifies it, it is bisected along its widest side (relative to the
    domain).  ``outside(box)`` may discard boxes disjoint from the actual
    (e.g. simplicial) domain.  A box at ``max_depth`` that no rule certifies
    is kept as undecided, after ``refute`` (if given) was asked whether the
    property *certainly fails* at its midpoint (then the answer is FALSE
    with that counterexample).  Exceeding ``max_boxes`` gives UNDECIDED:
    never a guess.
    """
    start = time.perf_counter()
    dom: Box = tuple((to_fraction(a), to_fraction(b)) for a, b in domain)
    scale = [max(b - a, Fraction(1, 10**12)) for a, b in dom]
    by_rule = {r.name: 0 for r in rules}
    stack: list[tuple[Box, int]] = [(dom, 0)]
    boxes = depth_max = n_out = 0
    undecided: list[Box] = []
    n_undecided = 0
    exhausted = False
    with working_precision(prec):
        while stack:
            box, depth = stack.pop()
            if outside is not None and outside(box):
                n_out += 1
                continue
            if boxes >= max_boxes:
                exhausted = True
                n_undecided += 1 + len(stack)
                undecided.extend(b for b, _ in [(box, depth)] + stack[-keep_undecided:])
                break
            boxes += 1
            depth_max = max(depth_max, depth)
            balls = tuple(interval_arb(a, b) for a, b in box)
            for rule in rules:
                if rule.test(balls, box):
                    by_rule[rule.name] += 1
                    break
            else:
                if depth >= max_depth:
                    if refute is not None:
                        mid = tuple((a + b) / 2 for a, b in box)
                        if refute(mid):
                            return BnBResult(Certainty.FALSE, boxes, depth_max, by_rule, [box], mid,
                                             n_out, time.perf_counter() - start)
                    n_undecided += 1
                    if len(undecided) < keep_undecided:
                        undecided.append(box)
                    continue
                left, right = _split(box, scale)
                stack.append((right, depth + 1))
                stack.append((left, depth + 1))
    certainty = Certainty.TRUE if n_undecided == 0 else Certainty.UNDECIDED
    return BnBResult(certainty, boxes, depth_max, by_rule, undecided[:keep_undecided], None, n_out,
                     time.perf_counter() - start, exhausted)


def _hi(x: arb) -> arb:
    return x.upper()


def _certainly_le(x: arb, y) -> bool:
    return bool(x.is_finite() and x <= y)


def _certainly_lt(x: arb, y) -> bool:
    return bool(x.is_finite() and x < y)


def _certainly_ge(x: arb, y) -> bool:
    return bool(x.is_finite() and x >= y)


# ----------------------------------------------------- value distributions
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


def _sign_pieces(poly_exprs: Sequence, lo: Fraction, hi: Fraction) -> list[Fraction]:
    """Rational test points, one inside each interval between consecutive real
    roots in ``(lo, hi)`` of the given univariate polynomials (exact isolation)."""
    cuts: list[tuple[Fraction, Fraction]] = []
    for pe in poly_exprs:
        p = sympy.Poly(sympy.expand(pe), V)
        if p.is_zero or p.degree() <= 0:
            continue
        for (a, b), _ in p.intervals(eps=Fraction(1, 10**6)):
            a, b = Fraction(int(sympy.Rational(a).p), int(sympy.Rational(a).q)), Fraction(
                int(sympy.Rational(b).p), int(sympy.Rational(b).q))
            if b >= lo and a <= hi:
                cuts.append((max(a, lo), min(b, hi)))
    pts = sorted({lo, hi} | {c for iv in cuts for c in iv})
    tests = []
    for x, y in zip(pts[:-1], pts[1:]):
        m = (x + y) / 2
        if not any(a <= m <= b for a, b in cuts):
            tests.append(m)
    return tests


@dataclass(frozen=True)
class PolyDensity:
    """Distribution of values on ``[lo, hi]`` with a polynomial density in ``V``.

    Build with :meth:`of` (normalizes, checks non-negativity exactly).  All
    derived quantities are exact sympy expressions.
    """

    density: sympy.Expr
    lo: Fraction
    hi: Fraction
    name: str = ""

    @classmethod
    def of(cls, density, lo=0, hi=1, name: str = "") -> "PolyDensity":
        lo, hi = to_fraction(lo, "lo"), to_fraction(hi, "hi")
        if not lo < hi:
            raise InputError(f"density support: need lo < hi, got [{lo}, {hi}]")
        f = _exact_expr(density, "density")
        if not f.free_symbols <= {V}:
            raise InputError(f"density must be a polynomial in v, got {f}")
        if not f.is_polynomial(V):
            raise InputError(f"density must be a polynomial in v, got {f}")
        L, H = sympy.Rational(lo.numerator, lo.denominator), sympy.Rational(hi.numerator, hi.denominator)
        total = sympy.integrate(f, (V, L, H))
        if not total.is_positive:
            raise InputError(f"density {f} has no positive mass on [{lo}, {hi}]")
        f = sympy.expand(f / total)
        for t in _sign_pieces([f], lo, hi) + [lo, hi]:
            if f.subs(V, sympy.Rational(t.numerator, t.denominator)) < 0:
                raise InputError(f"density {f} is negative at v = {t}")
        return cls(f, lo, hi, name or str(f))

    # exact pieces
    @property
    def L(self):
        return sympy.Rational(self.lo.numerator, self.lo.denominator)

    @property
    def H(self):
        return sympy.Rational(self.hi.numerator, self.hi.denominator)

    def cdf(self, x):
        return sympy.expand(sympy.integrate(self.density, (V, self.L, x)))

    def mass(self, x, y):
        """``F(y) - F(x)`` (polynomial)."""
        return sympy.expand(self.cdf(y) - self.cdf(x))

    def moment(self, x, y):
        """``int_x^y v f(v) dv`` (polynomial)."""
        return sympy.expand(sympy.integrate(V * self.density, (V, x, y)))

    def mean(self, x, y):
        """``E[v | x <= v <= y]`` with the factor ``y - x`` cancelled (rational function)."""
        return sympy.cancel(self.moment(x, y) / self.mass(x, y))

    def upper_mean(self, x):
        """``mu(x) = E[v | v >= x]``."""
        return self.mean(x, self.H)

    def overall_mean(self):
        return sympy.simplify(self.moment(self.L, self.H))

    def modest_tails(self) -> bool:
        """Condition (38), exactly: ``f'(v) < 0  =>  f''(v) <= 0`` on ``[lo, hi]``."""
        d1, d2 = sympy.diff(self.density, V), sympy.diff(self.density, V, 2)
        for t in _sign_pieces([d1, d2], self.lo, self.hi):
            tv = sympy.Rational(t.numerator, t.denominator)
            if d1.subs(V, tv) < 0 and d2.subs(V, tv) > 0:
                return False
        return True

    def __repr__(self) -> str:
        return f"PolyDensity({self.name} on [{self.lo}, {self.hi}])"


def power_distribution(n: int) -> PolyDensity:
    """``F(v) = v^n`` on ``[0, 1]`` (density ``n v^(n-1)``); ``n = 2`` is Figs. 1-2's."""
    return PolyDensity.of(n * V ** (n - 1), 0, 1, f"F(v)=v^{n}")


def linear_decreasing(vl=0, vh=1) -> PolyDensity:
    """``L(v; v_l, v_h)`` of the proof of Proposition 6: density ``2 (v_h - v)/(v_h - v_l)^2``."""
    vl, vh = to_fraction(vl, "v_l"), to_fraction(vh, "v_h")
    return PolyDensity.of(2 * (sympy.Rational(vh.numerator, vh.denominator) - V), vl, vh, f"L(v;{vl},{vh})")


# ------------------------------------------------------------------- costs
@dataclass(frozen=True)
class PolyCost:
    """Separable cost ``c(q) = alpha q + beta q^2/2 + delta q^3/3`` (``c(0) = 0``).

    ``alpha, beta, delta >= 0`` and ``beta + delta > 0``: convex on ``q >= 0``
    with ``c''' = 2 delta >= 0``.  ``delta = 0`` is the linear-quadratic cost
    (55) (without the fixed cost ``gamma``).
    """

    alpha: Fraction = Fraction(0)
    beta: Fraction = Fraction(1)
    delta: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        for name in ("alpha", "beta", "delta"):
            object.__setattr__(self, name, to_fraction(getattr(self, name), f"cost.{name}"))
        if self.alpha < 0 or self.beta < 0 or self.delta < 0 or self.beta + self.delta == 0:
            raise InputError("cost: need alpha, beta, delta >= 0 and beta + delta > 0")

    def _r(self, x: Fraction):
        return sympy.Rational(x.numerator, x.denominator)

    @property
    def expr(self):
        a, b, d = self._r(self.alpha), self._r(self.beta), self._r(self.delta)
        return a * Q + b * Q**2 / 2 + d * Q**3 / 3

    def c(self, q):
        return self.expr.subs(Q, q)

    def marginal(self, q):
        return sympy.diff(self.expr, Q).subs(Q, q)

    def marginal_inverse(self, p):
        """``q`` with ``c'(q) = p`` on the increasing branch (``p >= c'(0)`` gives ``q >= 0``)."""
        a, b, d = self._r(self.alpha), self._r(self.beta), self._r(self.delta)
        if self.delta == 0:
            return (p - a) / b
        return (-b + sympy.sqrt(b**2 + 4 * d * (p - a))) / (2 * d)

    def conjugate(self, p):
        """``c*(p) = p q - c(q)`` at ``q = c'^{-1}(p)``.

        Equal to ``max_{q >= 0} p q - c(q)`` for ``p >= c'(0)``; for ``p < c'(0)``
        the true value is 0 and this expression is ``>= 0`` where it is real
        (quadratic: ``(p - alpha)^2/(2 beta)``), so it is always an upper bound.
        """
        q = self.marginal_inverse(p)
        if self.delta == 0:
            a, b = self._r(self.alpha), self._r(self.beta)
            return (p - a) ** 2 / (2 * b)
        return p * q - self.c(q)

    @property
    def c0(self):
        """``c'(0) = alpha``: cells with virtual value at most this are excluded."""
        return self._r(self.alpha)

    def third_derivative_nonnegative(self) -> bool:
        return sympy.diff(self.expr, Q, 3) >= 0

    def __repr__(self) -> str:
        return f"PolyCost(c(q)={self.expr})"


# --------------------------------------------------------------- single item
def _rat(x: Fraction):
    return sympy.Rational(x.numerator, x.denominator)


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
    return SingleItem(dist, cost, xs, qs, mus, profit, cert)


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

    return branch_and_bound([(dist.lo, dist.hi)] * (n - 1),
                            [Rule("bound", bound), Rule("single item", single_rule), Rule("top split", top_split)],
                            outside=outside, refute=refute, max_boxes=max_boxes, max_depth=max_depth)


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


class SignOracle:
    """Certified sign tests of named polynomials on boxes (shared by the certificates).

    ``below(name, balls, box, strict)`` answers whether the polynomial is
    certainly ``< 0`` (``strict``) or ``<= 0`` on the box: first by the
    centered enclosure, then in *monotone form* -- variables along which the
    partial derivative has a certified sign are fixed at the maximizing end of
    their interval (valid: moving along them within the box only increases the
    value).  When they are fixed at a face ``0`` or ``1`` of the unit box the
    polynomial is first restricted to that face symbolically, so a polynomial
    that vanishes identically on a face evaluates to exactly 0 there.
    """

    def __init__(self, exprs: dict, syms: Sequence):
        self.syms = tuple(syms)
        self.exprs = dict(exprs)   # keep the given (e.g. factored) form: tighter enclosures
        self.fns = {k: arb_function(e, self.syms, centered=True) for k, e in self.exprs.items()}
        self.grads = {k: [arb_function(sympy.diff(e, x), self.syms) for x in self.syms] for k, e in self.exprs.items()}
        self._faces: dict = {}

    def value(self, name: str, balls) -> arb:
        return self.fns[name](*balls)

    def _face(self, name, faces):
        key = (name, tuple(fc if fc in (0, 1) else None for fc in faces))
        if all(k is None for k in key[1]):
            return None
        if key not in self._faces:
            sub = {x: sympy.Integer(int(fc)) for x, fc in zip(self.syms, key[1]) if fc is not None}
            rest = [x for x, fc in zip(self.syms, key[1]) if fc is None]
            self._faces[key] = arb_function(sympy.factor(self.exprs[name].subs(sub)), rest, centered=True)
        return self._faces[key]

    def below(self, name: str, balls, box, strict: bool) -> bool:
        test = _certainly_lt if strict else _certainly_le
        if test(self.fns[name](*balls), 0):
            return True
        reduced, faces = [], []
        for ball, (lo_, hi_), g in zip(balls, box, self.grads[name]):
            d = g(*balls)
            if _certainly_ge(d, 0):
                reduced.append(arb_ball(hi_))
                faces.append(hi_)
            elif _certainly_le(d, 0):
                reduced.append(arb_ball(lo_))
                faces.append(lo_)
            else:
                reduced.append(ball)
                faces.append(None)
        if all(fc is None for fc in faces):
            return False
        restricted = self._face(name, faces)
        if restricted is not None:
            free = [r for r, fc in zip(reduced, faces) if fc is None or fc not in (0, 1)]
            return test(restricted(*free), 0)
        return test(self.fns[name](*reduced), 0)


# ------------------------------------------------------ top two items (all K)
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
        return _certainly_lt(oracle.value("feas", balls), 0)

    def no_item(balls, box):
        return oracle.below("D", balls, box, strict=False)

    def lose(balls, box):
        return oracle.below("G", balls, box, strict=True)

    def combination(balls, box):
        return any(oracle.below(name, balls, box, strict=False) for name, _ in combos)

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
    return TopTwoCertificate(res, gain, inc, lams, gd, dd)


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
        return any(oracle.below(n, balls, box, strict=False) for n in combos)

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
    return res, ex


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

    return branch_and_bound([(0, 1), (KAPPA_NEGATIVE_MIN, 0)], [Rule("no second item", no_item), Rule("bound", bound)],
                            refute=refute, max_boxes=max_boxes, max_depth=max_depth)


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


# ------------------------------------------------ fixed inventory (Fig. 1)
_TQ = sympy.Symbol("t", real=True)


@dataclass(frozen=True)
class InventoryPartition:
    """A fixed inventory (33) with polynomial quantile function ``G^{-1}(t)`` against a
    polynomial value density.

    A monotone partition of the values with the bottom cell excluded (its
    inventory discarded) sells to cell ``k`` the inventory pooled over the
    *same quantiles*, ``qbar_k = avg of G^{-1}`` over ``[F(t_{k-1}), F(t_k)]``,
    at the IC prices (9); revenue (10) ``sum_k (qbar_k - qbar_{k-1}) vbar_k S_k``
    (``qbar_1 = 0``).  For a partition whose served virtual values are
    increasing and positive this is the best use of the inventory; otherwise a
    coarser partition does at least as well (ironed blocks pooled), so the
    supremum over partitions of this revenue is the optimum over all
    mechanisms with finitely many items (see :mod:`exactscreen.persuasion.partitions`).
    """

    dist: PolyDensity
    quantile: sympy.Expr   # G^{-1}(t), polynomial in t
    name: str = ""

    def qbar(self, x, y):
        """Average quality over the value cell ``[x, y]`` (same quantiles), ``y - x`` cancelled."""
        Fx, Fy = self.dist.cdf(x), self.dist.cdf(y)
        num = sympy.integrate(self.quantile, (_TQ, Fx, Fy))
        return sympy.cancel(sympy.expand(num) / self.dist.mass(x, y))

    def revenue(self, cuts: Sequence):
        """Revenue of the partition ``lo <= cuts[0] <= ... <= hi``; the cell below ``cuts[0]`` is excluded."""
        d = self.dist
        ends = [*cuts, d.H]
        total, prev = sympy.Integer(0), sympy.Integer(0)
        for x, y in zip(ends[:-1], ends[1:]):
            q = self.qbar(x, y)
            total += (q - prev) * d.mean(x, y) * d.mass(x, d.H)
            prev = q
        return total

    def compiled(self) -> "_InventoryModel":
        return _InventoryModel(self)


class _InventoryModel:
    """Box evaluation of the inventory revenue from cell pieces (means and pooled qualities
    intersected with their hulls, so empty cells cause no division by zero)."""

    def __init__(self, inv: InventoryPartition):
        d = inv.dist
        self.F = arb_function(d.cdf(_A), (_A,), centered=True)
        self.mean = arb_function(d.mean(_A, _B), (_A, _B), centered=True)
        self.qbar = arb_function(inv.qbar(_A, _B), (_A, _B), centered=True)
        self.Ginv = arb_function(inv.quantile.subs(_TQ, d.cdf(_A)), (_A,), centered=True)
        self.lo, self.hi = arb_ball(d.lo), arb_ball(d.hi)

    @staticmethod
    def _within(val: arb, hull: arb) -> arb:
        if val.is_finite() and val.overlaps(hull):
            return val.intersection(hull)
        return hull

    def revenue(self, cut_balls: Sequence[arb]) -> arb:
        ends = [*cut_balls, self.hi]
        total, prev = arb(0), arb(0)
        for x, y in zip(ends[:-1], ends[1:]):
            vb = self._within(self.mean(x, y), x.lower().union(y.upper()))
            qh = self.Ginv(x).lower().union(self.Ginv(y).upper())
            q = self._within(self.qbar(x, y), qh)
            S = (1 - self.F(x)).nonnegative_part()
            total = total + (q - prev) * vb * S
            prev = q
        return total


@dataclass
class InventoryOptimum:
    """Certified optimal partition of a fixed inventory among menus with at most ``items_max`` items.

    ``cutoffs``: rational point ``x0`` (value space) where the revenue is
    ``revenue_lo`` (exact); every partition with at most ``items_max`` items
    earns at most ``revenue_hi`` (certified); the optimal cutoffs lie in
    ``boxes`` (rational intervals).  ``certificates``: one branch and bound per
    number of cells.
    """

    inventory: InventoryPartition
    cutoffs: tuple[Fraction, ...]
    revenue_lo: Fraction
    revenue_hi: Fraction
    boxes: tuple[tuple[Fraction, Fraction], ...]
    certificates: dict
    items_max: int

    @property
    def certainty(self) -> Certainty:
        states = [c.certainty for c in self.certificates.values()]
        if all(s == Certainty.TRUE for s in states):
            return Certainty.TRUE
        if any(s == Certainty.FALSE for s in states):
            return Certainty.FALSE
        return Certainty.UNDECIDED


def _newton(grad_fns, hess_fns, x0: list[Fraction], steps: int = 60) -> list[Fraction]:
    """Newton's method on the gradient at high precision, with rational iterates (no floats)."""
    x = list(x0)
    n = len(x)
    with working_precision(400):
        for _ in range(steps):
            xb = [arb_ball(v) for v in x]
            g = [f(*xb).mid() for f in grad_fns]
            H = [[hess_fns[i][j](*xb).mid() for j in range(n)] for i in range(n)]
            if n == 1:
                step = [g[0] / H[0][0]]
            elif n == 2:
                det = H[0][0] * H[1][1] - H[0][1] * H[1][0]
                step = [(H[1][1] * g[0] - H[0][1] * g[1]) / det, (-H[1][0] * g[0] + H[0][0] * g[1]) / det]
            else:  # pragma: no cover - only 1-2 cutoffs are optimized
                raise InputError("_newton: at most two variables")
            new = []
            for v, s_ in zip(x, step):
                m, e = (arb_ball(v) - s_).mid().man_exp()
                m, e = int(m), int(e)
                new.append(Fraction(m * 2**e) if e >= 0 else Fraction(m, 2 ** (-e)))
            if all(abs(a - b) < Fraction(1, 2**300) for a, b in zip(new, x)):
                x = new
                break
            x = new
    # round to 2^-100: still far inside the region of certified concavity
    return [Fraction(round(v * 2**100), 2**100) for v in x]


def inventory_optimum(inv: InventoryPartition, *, items_max: int = 3, start=None, tol=Fraction(1, 2**60),
                      max_boxes: int = 200_000, max_depth: int = 40) -> InventoryOptimum:
    """The revenue-maximizing partition with 2 items (3 cells, bottom excluded), certified
    optimal among all partitions with at most ``items_max`` items (``items_max + 1`` cells).

    1. A rational critical point ``x0`` of the 3-cell revenue ``R_3(a, b)`` by
       Newton's method at 400 bits from ``start`` (default: the best point of a
       coarse exact grid); ``R_3(x0)`` is exact.
    2. Two items: branch and bound on ``lo <= a <= b <= hi`` that ``R_3 <= R_3(x0) +
       tol``: rule ``bound``, and rule ``concave`` -- the Hessian is certified
       negative definite on the box (``h11 < 0``, ``det > 0``), so ``R_3`` lies
       below its tangent plane at a point ``c`` of the box (``x0`` when inside):
       ``R_3 <= R_3(c) + sum |d_i R_3(c)| max|x_i - c_i|``.
    3. Three items (if ``items_max >= 3``): ``R_4(a, b, c) <= max R_3`` on
       ``lo <= a <= b <= c <= hi``, by ``bound`` (``R_4 < R_3(x0)``) and, at the
       degenerate configurations where a cell empties, by certified
       monotonicity towards the face where ``R_4`` *is* a 3-cell revenue:
       ``merge top`` (``dR_4/dc >= 0`` up to ``c = hi``), ``merge middle``
       (``dR_4/db >= 0`` up to ``b = c``), ``merge bottom`` (``dR_4/da >= 0`` up
       to ``a = b``, or ``dR_4/db <= 0`` down to ``b = a``).
    """
    d = inv.dist
    lo, hi = d.lo, d.hi
    R3 = inv.revenue([_A, _B])
    g3 = [sympy.diff(R3, s) for s in (_A, _B)]
    h3 = [[sympy.diff(g, s) for s in (_A, _B)] for g in g3]
    R3f = arb_function(R3, (_A, _B), centered=True)
    model = inv.compiled()
    g3f = [arb_function(g, (_A, _B)) for g in g3]
    h3f = [[arb_function(h, (_A, _B)) for h in row] for row in h3]
    if start is None:
        n = 16
        grid = [(lo + (hi - lo) * i / n, lo + (hi - lo) * j / n) for i in range(1, n) for j in range(i + 1, n)]
        with working_precision(PREC):
            start = max(grid, key=lambda p: R3f(arb_ball(p[0]), arb_ball(p[1])).mid())
    x0 = _newton(g3f, h3f, [to_fraction(v) for v in start])
    r_at = sympy.simplify(R3.subs({_A: _rat(x0[0]), _B: _rat(x0[1])}))
    if not r_at.is_Rational:
        raise ValueError(f"revenue at a rational point should be rational, got {r_at}")
    r_lo = Fraction(int(r_at.p), int(r_at.q))
    r_hi = r_lo + to_fraction(tol)
    certs = {}
    with working_precision(PREC):
        ref_lo, ref_hi = arb_ball(r_lo), arb_ball(r_hi)

    def outside(box):
        return any(box[i][0] > box[i + 1][1] for i in range(len(box) - 1))

    def bound3(balls, box):
        return _certainly_lt(R3f(*balls), ref_hi) or _certainly_lt(model.revenue(balls), ref_hi)

    def concave3(balls, box):
        h11 = h3f[0][0](*balls)
        if not _certainly_lt(h11, 0):
            return False
        det = h11 * h3f[1][1](*balls) - h3f[0][1](*balls) * h3f[1][0](*balls)
        if not (det.is_finite() and det > 0):
            return False
        inside = all(a <= v <= b for v, (a, b) in zip(x0, box))
        c = list(x0) if inside else [(a + b) / 2 for a, b in box]
        cb = [arb_ball(v) for v in c]
        up = R3f(*cb)
        for i, (a, b) in enumerate(box):
            reach = max(abs(c[i] - a), abs(b - c[i]))
            up = up + abs(g3f[i](*cb)) * arb_ball(reach)
        return _certainly_le(up, ref_hi)

    def refute3(point):
        with working_precision(PREC):
            return bool(R3f(*(arb_ball(v) for v in point)) > ref_hi)

    certs[2] = branch_and_bound([(lo, hi)] * 2, [Rule("bound", bound3), Rule("concave", concave3)],
                                outside=outside, refute=refute3, max_boxes=max_boxes, max_depth=max_depth)
    boxes = _maximizer_boxes(h3f, g3f, x0)
    if items_max >= 3:
        certs[3] = _inventory_three_items(inv, ref_lo, max_boxes=max_boxes, max_depth=max_depth)
    return InventoryOptimum(inv, tuple(x0), r_lo, r_hi, boxes, certs, items_max)


def _maximizer_boxes(h3f, g3f, x0, radius=Fraction(1, 2**20)):
    """Enclosure of the maximizer near ``x0``: on the box ``x0 +- radius`` the Hessian is
    certified negative definite with ``-H >= lam I`` (2x2 eigenvalue formula), so the unique critical
    point ``p`` satisfies ``|p - x0| <= |grad R(x0)| / lam`` (strong concavity)."""
    with working_precision(PREC):
        balls = [interval_arb(v - radius, v + radius) for v in x0]
        H = [[h3f[i][j](*balls) for j in range(2)] for i in range(2)]
        A, C, B = -H[0][0], -H[1][1], -(H[0][1].union(H[1][0]))
        # smallest eigenvalue of -H = [[A, B], [B, C]], enclosed over the box
        lam = ((A + C - ((A - C) * (A - C) + 4 * B * B).sqrt()) / 2).lower()
        if not lam > 0:
            return tuple((v - radius, v + radius) for v in x0)
        g = [arb(f(*(arb_ball(v) for v in x0)).abs_upper()) for f in g3f]
        r = ((g[0] * g[0] + g[1] * g[1]).sqrt() / lam).upper()
        if not r < arb_ball(radius):
            return tuple((v - radius, v + radius) for v in x0)
        _, rr = arb_interval(r)
        return tuple((v - rr, v + rr) for v in x0)


def _inventory_three_items(inv: InventoryPartition, ref_lo: arb, *, max_boxes, max_depth) -> BnBResult:
    d = inv.dist
    lo, hi = d.lo, d.hi
    R4 = inv.revenue([_A, _B, _C])
    syms = (_A, _B, _C)
    model = inv.compiled()
    R4f = arb_function(R4, syms, centered=True)
    dR = [arb_function(sympy.diff(R4, s), syms, centered=True) for s in syms]

    def outside(box):
        return any(box[i][0] > box[i + 1][1] for i in range(2))

    def bound(balls, box):
        return _certainly_lt(R4f(*balls), ref_lo) or _certainly_lt(model.revenue(balls), ref_lo)

    def merge_top(balls, box):      # c -> hi: R_4(a, b, hi) = R_3(a, b)
        a, b, _ = balls
        return _certainly_ge(dR[2](a, b, interval_arb(box[2][0], hi)), 0)

    def merge_middle(balls, box):   # b -> c: R_4(a, c, c) = R_3(a, c)
        a, _, c = balls
        return _certainly_ge(dR[1](a, interval_arb(box[1][0], max(box[1][1], box[2][1])), c), 0)

    def merge_bottom(balls, box):   # a -> b: R_4(b, b, c) = R_3(b, c); or b -> a: R_4(a, a, c) = R_3(a, c)
        _, b, c = balls
        if _certainly_ge(dR[0](interval_arb(box[0][0], max(box[0][1], box[1][1])), b, c), 0):
            return True
        a = balls[0]
        return _certainly_le(dR[1](a, interval_arb(min(box[0][0], box[1][0]), box[1][1]), c), 0)

    return branch_and_bound([(lo, hi)] * 3, [Rule("bound", bound), Rule("merge top", merge_top),
                                             Rule("merge middle", merge_middle), Rule("merge bottom", merge_bottom)],
                            outside=outside, max_boxes=max_boxes, max_depth=max_depth)
