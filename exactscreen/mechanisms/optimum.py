"""The seller's optimal mechanism for a finite environment and market, exactly,
and the whole set of optimal mechanisms (Haghpanah & Siegel, *Pareto
improving segmentation of multi-product markets*, Sec. 3 and 4.2).

The LP (paper 000, Sec. 4.2.1: the IC-IR mechanisms form a polytope in
``R^{(k+2)n}``)::

    maximize   sum_t f(t) p(t)
    subject to sum_{a in A} x(t, a) = 1                        (probabilities, a = 0 included)
               v(t, x(t)) - p(t) >= 0                          (IR_t)
               v(t, x(t)) - p(t) >= v(t, x(t')) - p(t')       (IC_{t -> t'})
               x >= 0, p >= 0

with net values ``v = v - c`` (fn 5).  :func:`optimal_mechanism` solves it
with :func:`exactscreen.mechanisms.structured.solve_mechanism` (float hint with lazy IC rows,
exact core solve, independent structured certificate), then describes the
*optimal face* by complementary slackness in its own coordinates
(:class:`exactscreen.mechanisms.structured.StructuredFace`): the exact range of every
payment, surplus and allocation probability over all optimal mechanisms,
whether the optimal payment rule is unique (the hypothesis of Lemma 2), and
which IC/IR constraints bind in every / in some optimal mechanism.  Ranges
that no direction of the face moves are points without any LP; the others,
and the selection rule below, are small exact LPs on the face's blocks.

**Selection rule** (Sec. 3 requires one that depends only on the set of
optimal mechanisms): among the optimal mechanisms, lexicographically

1. maximize the total net value ``sum_t v(t, x(t))`` of the types in the
   market's support (so an efficient optimal mechanism is selected whenever
   one exists, as Proposition 1 and fn 10 require);
2. maximize the same total over the types outside the support;
3. minimize the total payment ``sum_t p(t)``;
4. then, coordinate by coordinate in input order, minimize each payment
   and maximize each allocation probability (alternatives in input order,
   the outside option last), which pins a single mechanism.

Other rules: ``selection="consumer-best"`` (``"consumer-worst"``) first maximizes
(minimizes) the expected consumer surplus ``sum_t f(t) u(t)`` over the optimal face, and
a mapping such as ``{"u(t1)": 1, "p(t2)": -2}`` first maximizes that linear functional
(:func:`linear_functional` lists the terms); both then apply steps 1-4 to break ties.
:func:`functional_range` gives the exact range of any such functional over the face.

Every step is a linear objective independent of ``f``, so the rule is a
function of the set of optimal mechanisms and the market's support: two
markets with the same support and the same optimal set get the same
mechanism.  (Step 1 needs the support; markets with different supports and
identical optimal sets could in principle be treated differently.  Use
``selection="total-value"`` for a rule that ignores the support: step 1 then
sums over all types.)

Also here: the best *deterministic* menu by exact enumeration
(:func:`optimal_deterministic`) and the vertices of the payment polytope
``P`` of Lemma 1 (:func:`payment_polytope`).
"""

from __future__ import annotations

import itertools
import re
from functools import partial
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Sequence

from flint import fmpq, fmpq_mat

from ..lp.certificate import CertificateCheck
from ..exceptions import ExactNumberError, InputError, NotCertified
from ..environment import OUTSIDE, Environment, Market
from ..lp.exact import LinearProgram, LPResult, SolveStats, SolveTally, solve_lp
from .mechanism import Mechanism, Range, Welfare
from .selected_check import CHECKED_BY as _SELECTED_CHECKED_BY, SelectedCheck, check_selected_mechanism
from .face_check import CHECKED_BY as _FACE_CHECKED_BY, FaceCheck, check_face
from .certificate import check_mechanism_certificate
from .structured import MechanismSolution, StructuredFace, _Data, solve_mechanism
from ..numbers import fmt, fmt_decimal, from_fmpq, to_fraction

__all__ = [
    "Range",
    "OptimalFace",
    "OptimalMechanism",
    "DeterministicOptimum",
    "PaymentPolytope",
    "mechanism_lp",
    "optimal_mechanism",
    "optimal_face",
    "optimal_deterministic",
    "payment_polytope",
    "SELECTION_RULES",
    "linear_functional",
    "functional_range",
    "payment_functional_range",
]

SELECTION_RULES = ("support-value", "total-value", "consumer-best", "consumer-worst")
FACE_CHECK_AUTO_CELLS = 1200
"""``optimal_mechanism(check_face=None)`` checks the face when ``n^2 (k+2)`` is at most this."""
ZERO = Fraction(0)


# ----------------------------------------------------------------------------
# LP of paper 000, Sec. 3
# ----------------------------------------------------------------------------
def _x(env: Environment, i: int, j: int) -> int:
    """Column of x(t_i, a_j); j == k is the outside option."""
    return i * (env.k + 2) + j


def _p(env: Environment, i: int) -> int:
    """Column of p(t_i)."""
    return i * (env.k + 2) + env.k + 1


def _value_terms(env: Environment, t: int, s: int, sign: Fraction = Fraction(1)):
    """Sparse terms of ``sign * v(t, x(s))`` (outside option contributes 0)."""
    net = env.net_values[t]
    return [(_x(env, s, j), sign * net[j]) for j in range(env.k) if net[j]]


def mechanism_lp(env: Environment, market: Market) -> LinearProgram:
    """The revenue-maximization LP above, with named variables and rows."""
    if market.environment is not env and market.environment != env:
        raise InputError("market: belongs to a different environment")
    n, k = env.n, env.k
    names = []
    for i, t in enumerate(env.types):
        names += [f"x({t},{a})" for a in env.alternatives] + [f"x({t},{OUTSIDE})", f"p({t})"]
    c = [ZERO] * (n * (k + 2))
    for i, f in enumerate(market.weights):
        c[_p(env, i)] = f
    A_eq, b_eq, eq_names = [], [], []
    for i, t in enumerate(env.types):
        A_eq.append(tuple((_x(env, i, j), Fraction(1)) for j in range(k + 1)))
        b_eq.append(Fraction(1))
        eq_names.append(f"prob({t})")
    A_ub, b_ub, ub_names = [], [], []
    one = Fraction(1)
    for i, t in enumerate(env.types):
        # IR: -v(t, x(t)) + p(t) <= 0
        A_ub.append(tuple(_value_terms(env, i, i, -one) + [(_p(env, i), one)]))
        b_ub.append(ZERO)
        ub_names.append(f"IR({t})")
        for s, t2 in enumerate(env.types):
            if s == i:
                continue
            # IC: -v(t,x(t)) + p(t) + v(t,x(t')) - p(t') <= 0
            row = _value_terms(env, i, i, -one) + [(_p(env, i), one)]
            row += _value_terms(env, i, s, one) + [(_p(env, s), -one)]
            A_ub.append(tuple(row))
            b_ub.append(ZERO)
            ub_names.append(f"IC({t}->{t2})")
    return LinearProgram(
        tuple(c), tuple(A_eq), tuple(b_eq), tuple(A_ub), tuple(b_ub),
        tuple(names), tuple(eq_names), tuple(ub_names),
    )


def _mechanism(env: Environment, x: Sequence[Fraction]) -> Mechanism:
    alloc = tuple(tuple(x[_x(env, i, j)] for j in range(env.k + 1)) for i in range(env.n))
    pay = tuple(x[_p(env, i)] for i in range(env.n))
    return Mechanism(env, alloc, pay)


# ----------------------------------------------------------------------------
# Result types
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OptimalFace:
    """The set of all optimal mechanisms, described by exact ranges.

    ``always_binding`` are the constraints tight in every optimal mechanism,
    ``sometimes_binding`` those tight in at least one (edges as in
    :meth:`Mechanism.binding`).
    """

    payment: tuple[Range, ...]
    surplus: tuple[Range, ...]
    allocation: tuple[tuple[Range, ...], ...]
    always_binding: tuple[tuple[str, str], ...]
    sometimes_binding: tuple[tuple[str, str], ...]
    lp_solves: int
    support: tuple[int, ...] = ()
    #: type and alternative names (the environment's), for showing the face by name;
    #: empty when built without them (then types show as ``t1, t2, ...``, alternatives as ``a1, ...``)
    types: tuple[str, ...] = field(default=(), compare=False, repr=False)
    alternatives: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def payment_rule_unique(self) -> bool:
        """Unique optimal payment rule in the sense of fn 14: ``p(t) = p'(t)`` for every
        type ``t`` *in the market* and any two optimal mechanisms (the hypothesis of Lemma 2)."""
        return all(self.payment[i].is_point for i in self.support)

    @property
    def payment_rule_unique_all_types(self) -> bool:
        """Payments of *all* types, zero-probability ones included, are the same in every optimum."""
        return all(r.is_point for r in self.payment)

    @property
    def unique(self) -> bool:
        """The optimal mechanism itself is unique."""
        return self.payment_rule_unique and all(r.is_point for row in self.allocation for r in row)

    # ------------------------------------------------------------------ show
    def named(self, env: Environment) -> "OptimalFace":
        """The same face carrying ``env``'s type and alternative names (for showing it)."""
        from dataclasses import replace

        return replace(self, types=env.types, alternatives=env.alternatives)

    def _names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        n, k = len(self.payment), len(self.allocation[0]) - 1 if self.allocation else 0
        types = self.types if len(self.types) == n else tuple(f"t{i + 1}" for i in range(n))
        alts = self.alternatives if len(self.alternatives) == k else tuple(f"a{j + 1}" for j in range(k))
        return types, (*alts, OUTSIDE)

    def payment_of(self, t: str) -> Range:
        """Range of type ``t``'s payment over all optimal mechanisms (by name)."""
        return self.payment[self._index(t)]

    def surplus_of(self, t: str) -> Range:
        """Range of type ``t``'s surplus over all optimal mechanisms (by name)."""
        return self.surplus[self._index(t)]

    def allocation_of(self, t: str, a: str) -> Range:
        """Range of the probability that type ``t`` gets alternative ``a`` (``"0"``: the outside option)."""
        types, alts = self._names()
        if a not in alts:
            raise InputError(f"face: unknown alternative {a!r}; alternatives are {', '.join(alts)}")
        return self.allocation[self._index(t)][alts.index(a)]

    def _index(self, t: str) -> int:
        types, _ = self._names()
        if t not in types:
            raise InputError(f"face: unknown type {t!r}; types are {', '.join(types)}")
        return types.index(t)

    def __str__(self) -> str:
        types, alts = self._names()
        lines = ["Optimal face (ranges over all optimal mechanisms)",
                 f"  {'type':<8} {'payment':<16} {'surplus':<16} allocation"]
        for i, t in enumerate(types):
            alloc = ", ".join(f"{a}: {r}" for a, r in zip(alts, self.allocation[i]) if r.hi > 0)
            lines.append(f"  {t:<8} {str(self.payment[i]):<16} {str(self.surplus[i]):<16} {alloc}")
        uniq = "unique" if self.payment_rule_unique else "NOT unique"
        lines.append(f"  optimal payment rule {uniq}; optimal mechanism {'unique' if self.unique else 'NOT unique'}")
        lines.append("  binding in every optimum: " + (", ".join(f"{a}->{b}" for a, b in self.always_binding) or "none"))
        lines.append("  binding in some optimum: " + (", ".join(f"{a}->{b}" for a, b in self.sometimes_binding) or "none"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        types, _ = self._names()
        pay = ", ".join(f"{t}: {r}" for t, r in zip(types, self.payment))
        return (f"OptimalFace(payment={{{pay}}}, payment_rule_unique={self.payment_rule_unique}, "
                f"unique={self.unique})")

    def _repr_html_(self) -> str:
        """Jupyter: per type (by name) the exact payment, surplus and allocation ranges over all optimal
        mechanisms, with decimals; the binding sets (paper 000, Sec. 4.2: the optimal face)."""
        from .. import notebook as nb

        types, alts = self._names()
        header = ["type", "payment", "surplus", *(f"x(t, {a})" for a in alts)]
        rows = [[t, nb.interval(self.payment[i].lo, self.payment[i].hi),
                 nb.interval(self.surplus[i].lo, self.surplus[i].hi),
                 *(nb.interval(r.lo, r.hi) for r in self.allocation[i])] for i, t in enumerate(types)]

        def edges(es) -> nb.Html:
            return nb.Html(", ".join(f"{nb.esc(a)} → {nb.esc(b)}" for a, b in es) or "none")

        facts = [("optimal payment rule unique (types in the market)", "yes" if self.payment_rule_unique else "no"),
                 ("optimal mechanism unique", "yes" if self.unique else "no"),
                 ("binding in every optimum", edges(self.always_binding)),
                 ("binding in some optimum", edges(self.sometimes_binding))]
        return nb.block("Optimal face: ranges over all optimal mechanisms", nb.table(header, rows),
                        nb.kv_table(facts))


@dataclass(frozen=True)
class OptimalMechanism:
    """Exact optimal mechanism of an environment and market, with certificate.

    Attributes
    ----------
    revenue : optimal expected revenue (exact)
    mechanism : the selected optimal mechanism (see the module's selection rule)
    certificate : the LP solution with its primal-dual certificate
    certificate_check : independent verification by
        :func:`exactscreen.mechanisms.certificate.check_mechanism_certificate`
    face : ranges over all optimal mechanisms (None if not requested)
    selection : name of the selection rule used
    stats : the exact LPs behind the result (:class:`~exactscreen.lp.exact.SolveTally`):
        the optimum and the face's LPs, with the generic solves by path
    selected_check : independent check of the *selected* mechanism (IC, IR,
        lotteries, ``p >= 0`` and revenue equal to the certified optimum) by
        :func:`exactscreen.mechanisms.selected_check.check_selected_mechanism`;
        ``verified`` requires it
    face_check : independent check of ``face`` (every range endpoint: a witness optimum
        attaining it and a dual bound; the binding sets; uniqueness) by
        :func:`exactscreen.mechanisms.face_check.check_face`; None when not run
        (``check_face``); ``verified`` requires it when it ran
    """

    environment: Environment = field(repr=False)
    market: Market
    revenue: Fraction
    mechanism: Mechanism
    certificate: LPResult = field(repr=False)
    certificate_check: CertificateCheck = field(repr=False)
    face: OptimalFace | None = field(repr=False)
    selection: str = "support-value"
    stats: SolveTally = field(repr=False, default=SolveTally(lps=1))
    selected_check: SelectedCheck | None = field(repr=False, default=None)
    face_check: FaceCheck | None = field(repr=False, default=None)

    @property
    def lp_solves(self) -> int:
        """Exact LPs solved for the result: the optimum and those of its face."""
        return self.stats.lps

    @property
    def efficient(self) -> bool:
        """The selected optimal mechanism is efficient for every type in the market."""
        return self.mechanism.is_efficient(self.market)

    @property
    def payment_rule_unique(self) -> bool | None:
        return None if self.face is None else self.face.payment_rule_unique

    @property
    def welfare(self) -> Welfare:
        """Welfare of the selected mechanism on the market (consumer surplus per type and in
        total, revenue, total surplus, efficiency loss)."""
        return self.mechanism.welfare(self.market)

    @property
    def method(self) -> str:
        return self.certificate.method

    @property
    def verified(self) -> bool:
        """The LP certificate, the selected mechanism and (when it was checked: see
        ``face_check``) the optimal face all passed their independent checks."""
        face_ok = self.face_check is None or self.face_check.ok
        return (self.certificate_check.ok and self.selected_check is not None and self.selected_check.ok
                and face_ok)

    def to_json(self) -> dict:
        """The result as data (the ``exactscreen solve --json`` object); exact values as strings."""
        env, m = self.environment, self.mechanism
        types = {}
        for i, t in enumerate(env.types):
            entry = {
                "probability": fmt(self.market.weights[i]),
                "payment": fmt(m.payments[i]),
                "price": fmt(m.price(i)),
                "surplus": fmt(m.surplus(i)),
                "allocation": m.allocation_dict(i),
                "option": m.option(i),
                "efficient_allocation": m.is_efficient_for(i),
            }
            if self.face is not None:
                entry["payment_range"] = self.face.payment[i].as_json()
                entry["surplus_range"] = self.face.surplus[i].as_json()
                names = (*env.alternatives, OUTSIDE)
                entry["allocation_range"] = {
                    a: r.as_json() for a, r in zip(names, self.face.allocation[i])
                }
            types[t] = entry
        out = {
            "environment": env.to_dict(),
            "market": self.market.as_dict(),
            "revenue": fmt(self.revenue),
            "revenue_is": "expected payment net of cost (profit), paper 000 fn 5",
            "efficient": self.efficient,
            "payment_rule_unique": self.payment_rule_unique,
            "payment_rule_unique_all_types": None if self.face is None else self.face.payment_rule_unique_all_types,
            "mechanism_unique": None if self.face is None else self.face.unique,
            "types": types,
            "menu": [
                {"option": opt, "payment": fmt(pay), "price": fmt(price), "chosen_by": list(ts)}
                for opt, pay, price, ts in m.menu()
            ],
            "binding": [list(e) for e in m.binding()],
            "welfare": self.welfare.to_json(),
            "selection": self.selection,
            "certificate": {
                "verified": self.verified,
                "method": self.method,
                "note": self.certificate.note,
                "checked_by": "exactscreen.mechanisms.certificate.check_mechanism_certificate",
                "lp_solves": self.lp_solves,
                "selected_mechanism_checked": self.selected_check is not None and self.selected_check.ok,
                "selected_checked_by": _SELECTED_CHECKED_BY,
                "face_checked": self.face_check is not None and self.face_check.ok,
                "face_checked_by": _FACE_CHECKED_BY,
            },
        }
        if self.face is not None:
            out["binding_in_every_optimum"] = [list(e) for e in self.face.always_binding]
            out["binding_in_some_optimum"] = [list(e) for e in self.face.sometimes_binding]
        return out

    def __str__(self) -> str:
        env, m = self.environment, self.mechanism
        lines = [
            f"Optimal mechanism for {self.market!r}",
            f"  revenue {fmt(self.revenue)} ({fmt_decimal(self.revenue)})",
            f"  {'type':<8} {'f(t)':>6}  {'gets':<22} {'pays':>10} {'surplus':>10}"
            + ("   payment range   surplus range" if self.face else ""),
        ]
        for i, t in enumerate(env.types):
            row = (
                f"  {t:<8} {fmt(self.market.weights[i]):>6}  {m.option(i):<22} "
                f"{fmt(m.payments[i]):>10} {fmt(m.surplus(i)):>10}"
            )
            if self.face:
                row += f"   {str(self.face.payment[i]):<15} {self.face.surplus[i]}"
            lines.append(row)
        eff = "efficient" if self.efficient else "inefficient"
        uniq = {None: "", True: "; optimal payment rule unique", False: "; optimal payment rule NOT unique"}
        lines.append(f"  market is {eff}{uniq[self.payment_rule_unique]}")
        lines.append("  binding: " + (", ".join(f"{a}->{b}" for a, b in m.binding()) or "none"))
        lines.append(
            f"  certificate: {'verified' if self.verified else 'FAILED'} ({self.method}); "
            f"selection rule {self.selection}"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"OptimalMechanism(revenue={fmt(self.revenue)}, market={self.market!r}, "
            f"efficient={self.efficient}, payment_rule_unique={self.payment_rule_unique}, "
            f"method={self.method!r}, verified={self.verified})"
        )

    def _repr_html_(self) -> str:
        """Jupyter: revenue; per type (by name) probability, allocation, payment and surplus with the
        ranges over all optimal mechanisms; welfare; the certificate (paper 000, Sec. 3 and 4.2)."""
        from .. import notebook as nb

        env, m = self.environment, self.mechanism
        header = ["type", "f(t)", "gets", "pays", "surplus"]
        if self.face is not None:
            header += ["payment range", "surplus range"]
        rows = []
        for i, t in enumerate(env.types):
            row = [t, self.market.weights[i], m.option(i), m.payments[i], m.surplus(i)]
            if self.face is not None:
                row += [nb.interval(self.face.payment[i].lo, self.face.payment[i].hi),
                        nb.interval(self.face.surplus[i].lo, self.face.surplus[i].hi)]
            rows.append(row)
        w = self.welfare
        uniq = {None: "not computed (face=False)", True: "yes", False: "no"}[self.payment_rule_unique]
        facts = [
            ("revenue (expected payment net of cost)", self.revenue),
            ("consumer surplus", w.consumer_surplus),
            ("total surplus", w.total_surplus),
            ("efficiency loss", w.efficiency_loss),
            ("efficient on the market", "yes" if self.efficient else "no"),
            ("optimal payment rule unique", uniq),
            ("binding", nb.Html(", ".join(f"{nb.esc(a)} → {nb.esc(b)}" for a, b in m.binding()) or "none")),
            ("selection rule", self.selection),
            ("certificate", f"{'verified' if self.verified else 'FAILED'} ({self.method}); "
                            f"{self.lp_solves} exact LP solve(s)"),
        ]
        parts = [nb.table(header, rows), nb.kv_table(facts)]
        if self.face is not None:
            face = self.face if self.face.types else self.face.named(env)
            parts.append(nb.Html(face._repr_html_()))
        return nb.block(f"Optimal mechanism (revenue {fmt(self.revenue)})", *parts)


# ----------------------------------------------------------------------------
# Solving
# ----------------------------------------------------------------------------
class _Counter:
    def __init__(self) -> None:
        self.stats: list[SolveStats] = []

    @property
    def n(self) -> int:
        return len(self.stats)

    def solve(self, lp: LinearProgram, hint: Sequence[int] = ()) -> LPResult:
        res = solve_lp(lp, hint_basis=hint or None)
        self.stats.append(res.stats)
        return res


def _dot(c: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((a * b for a, b in zip(c, x) if a), ZERO)


def optimal_face(env: Environment, market: Market, *, binding: bool = True) -> OptimalFace:
    """Ranges over all optimal mechanisms (solves the LP first)."""
    return optimal_mechanism(env, market, face=True, binding=binding).face  # type: ignore[return-value]


_TERM = re.compile(r"\s*(?:(p|u)\(\s*([^(),]+?)\s*\)|x\(\s*([^(),]+?)\s*,\s*([^(),]+?)\s*\)|(CS|revenue))\s*")


def linear_functional(env: Environment, market: Market, terms) -> dict[int, Fraction]:
    """A linear functional of the mechanism as sparse LP columns -> coefficients.

    ``terms`` maps a term to its exact coefficient: ``"p(t)"`` the payment of type ``t``
    (net of cost, the seller's profit from ``t``), ``"u(t)"`` its consumer surplus
    ``v(t, x(t)) - p(t)``, ``"x(t,a)"`` the probability that ``t`` gets ``a`` (``"0"`` the
    outside option), ``"CS"`` the expected consumer surplus ``sum_t f(t) u(t)`` and
    ``"revenue"`` the expected profit.  Terms are parsed, never evaluated; an unknown
    term or type is an :class:`InputError` naming it.
    """
    if not isinstance(terms, dict) or not terms:
        raise InputError('selection: give a mapping of terms to coefficients, e.g. {"u(t1)": 1}')
    out: dict[int, Fraction] = {}

    def add(col: int, c: Fraction) -> None:
        out[col] = out.get(col, ZERO) + c

    def type_index(name: str, term: str) -> int:
        if name not in env.types:
            raise InputError(f"selection term {term!r}: unknown type {name!r}; types are {', '.join(env.types)}")
        return env.types.index(name)

    for term, coeff in terms.items():
        try:
            c = to_fraction(coeff, f"selection[{term!r}]")
        except ExactNumberError as exc:
            raise InputError(str(exc)) from None
        m = _TERM.fullmatch(term) if isinstance(term, str) else None
        if m is None:
            raise InputError(f"selection term {term!r}: use p(t), u(t), x(t,a), CS or revenue")
        kind, t, xt, xa, total = m.groups()
        if kind == "p":
            add(_p(env, type_index(t, term)), c)
        elif kind == "u":
            for col, v in _surplus_terms(env, type_index(t, term)).items():
                add(col, c * v)
        elif xt is not None:
            i = type_index(xt, term)
            if xa == OUTSIDE:
                j = env.k
            elif xa in env.alternatives:
                j = env.alternatives.index(xa)
            else:
                raise InputError(f"selection term {term!r}: unknown alternative {xa!r}")
            add(_x(env, i, j), c)
        else:
            for i, f in enumerate(market.weights):
                if not f:
                    continue
                terms_i = _surplus_terms(env, i) if total == "CS" else {_p(env, i): Fraction(1)}
                for col, v in terms_i.items():
                    add(col, c * f * v)
    return {col: v for col, v in out.items() if v}


def _describe(terms) -> str:
    return " + ".join(f"{fmt(to_fraction(c))}*{t}" for t, c in terms.items())


def functional_range(env: Environment, market: Market, terms) -> Range:
    """Exact range of the linear functional ``terms`` (:func:`linear_functional`) over all
    optimal mechanisms, with an optimal mechanism attaining each end (both checked
    independently for IC, IR and revenue by :mod:`exactscreen.mechanisms.selected_check`)."""
    return _columns_range(env, market, linear_functional(env, market, terms), _describe(terms))


def payment_functional_range(env: Environment, market: Market, weights: Sequence[Fraction], *,
                             solution: MechanismSolution | None = None) -> Range:
    """Exact range of ``sum_t w(t) p(t)`` over all optimal mechanisms for ``market`` (``weights``
    by type, in the environment's order), each end attained by a checked optimal mechanism.

    With ``w`` another market ``f1`` this is the revenue in ``f1`` over the optimal face of
    ``market``: it is a point exactly when the optimal face of ``market`` stays optimal when the
    market moves towards ``f1`` (used by :mod:`exactscreen.mechanisms.sweep` at the ends of a line).
    Type names enter no parser here (unlike :func:`functional_range`'s ``"p(t)"`` terms).
    ``solution``: as in :func:`optimal_mechanism` (a certified optimum for ``market`` already at
    hand, re-checked, not solved again)."""
    if len(weights) != env.n:
        raise InputError(f"weights: need one per type ({env.n}), got {len(weights)}")
    obj = {_p(env, i): to_fraction(w, f"weights[{i}]") for i, w in enumerate(weights)}
    obj = {col: v for col, v in obj.items() if v}
    what = " + ".join(f"{fmt(v)}*p({env.types[col // (env.k + 2)]})" for col, v in obj.items()) or "0"
    return _columns_range(env, market, obj, what, solution)


def _columns_range(env: Environment, market: Market, obj: dict[int, Fraction], what: str,
                   solution: MechanismSolution | None = None) -> Range:
    """Range of the sparse functional ``obj`` (LP column -> coefficient) over the optimal face."""
    sol = solve_mechanism(env, market) if solution is None else _given_solution(env, market, solution)
    geometry = StructuredFace(_Data(env, market), sol.result, None)
    points = _Points(env, geometry)
    value = sum((v * geometry.x[col] for col, v in obj.items()), ZERO)
    g = geometry.direction(obj)
    if not g:
        return Range(value, value, points.star, points.star)
    lo, hi, wlo, whi = geometry.range_of(g)
    at_lo, at_hi = points(wlo), points(whi)
    for m, end in ((at_lo, "lower"), (at_hi, "upper")):
        _check_selected(env, market, m, sol.result.objective, f"{end} end of the range of {what}")
    return Range(value + lo, value + hi, at_lo, at_hi)


def _stages(env: Environment, market: Market, rule) -> list[dict[int, Fraction]]:
    """The selection rule's objectives (module docstring), as sparse column -> coefficient maps."""
    def value(types) -> dict[int, Fraction]:
        return {col: v for i in types for col, v in _value_terms(env, i, i)}

    first: list[dict[int, Fraction]] = []
    if isinstance(rule, dict):
        first, rule = [linear_functional(env, market, rule)], "support-value"
    elif rule in ("consumer-best", "consumer-worst"):
        cs = linear_functional(env, market, {"CS": 1 if rule == "consumer-best" else -1})
        first, rule = [cs], "support-value"
    if rule == "support-value":
        support = [i for i, f in enumerate(market.weights) if f > 0]
        rest = [i for i, f in enumerate(market.weights) if f == 0]
        stages = [value(support)] + ([value(rest)] if rest else [])
    else:  # "total-value" (optimal_mechanism validated the rule)
        stages = [value(range(env.n))]
    stages = first + stages
    stages.append({_p(env, i): Fraction(-1) for i in range(env.n)})
    stages += [{_p(env, i): Fraction(-1)} for i in range(env.n)]
    stages += [{_x(env, i, j): Fraction(1)} for i in range(env.n) for j in range(env.k + 1)]
    return stages


def _surplus_terms(env: Environment, i: int) -> dict[int, Fraction]:
    obj = {col: v for col, v in _value_terms(env, i, i)}
    obj[_p(env, i)] = Fraction(-1)
    return obj


class _Points:
    """Mechanisms ``x* + D w`` of a :class:`~exactscreen.mechanisms.structured.StructuredFace`, built once per ``w``."""

    def __init__(self, env: Environment, face) -> None:
        self.env, self.face = env, face
        self.star = _mechanism(env, face.x)
        self.cache: dict[tuple, Mechanism] = {}

    def __call__(self, w) -> Mechanism:
        if not w:  # None or empty: x* itself
            return self.star
        key = tuple(sorted(w.items()))
        m = self.cache.get(key)
        if m is None:
            env, star = self.env, self.star
            alloc = [list(r) for r in star.allocation]
            pay = list(star.payments)
            w_ = env.k + 2
            for col, v in self.face.point(w).items():
                i, j = divmod(col, w_)
                if j == env.k + 1:
                    pay[i] = v
                else:
                    alloc[i][j] = v
            m = self.cache[key] = Mechanism(env, tuple(tuple(r) for r in alloc), tuple(pay))
        return m


def _ranges(env: Environment, face, points: _Points, binding: bool, support: tuple[int, ...]) -> OptimalFace:
    """Ranges over the optimal face read from its structure (:class:`~exactscreen.mechanisms.structured.StructuredFace`).

    A quantity that no direction of the face moves is a point (its value at
    ``x*``, no LP); the others take two exact LPs in the face's own
    coordinates, shared between proportional quantities.  An IC/IR row binds
    in every optimum iff its dual is positive or its slack is zero and
    constant on the face; in some optimum iff its slack is zero at ``x*``, at
    another face point already found, or at the exact minimum over the face."""
    x = face.x
    sd = face.d.s * face.den

    def rng(obj: dict[int, Fraction], value: Fraction) -> Range:
        g = face.direction(obj)
        if not g:
            return Range(value, value, points.star, points.star)
        lo, hi, wlo, whi = face.range_of(g)
        return Range(value + lo, value + hi, partial(points, wlo), partial(points, whi))

    payments, surpluses, allocation = [], [], []
    for i in range(env.n):
        pc = _p(env, i)
        payments.append(rng({pc: Fraction(1)}, x[pc]))
        surpluses.append(rng(_surplus_terms(env, i), Fraction(face.S[i][i], sd)))
        allocation.append(tuple(rng({_x(env, i, j): Fraction(1)}, x[_x(env, i, j)]) for j in range(env.k + 1)))
    always, sometimes = [], []
    if binding and face.dim:
        col_range = {_p(env, i): payments[i] for i in range(env.n)}
        col_range.update({_x(env, i, j): allocation[i][j] for i in range(env.n) for j in range(env.k + 1)})
        face.set_box({col: (col_range[col].lo, col_range[col].hi) for col, _ in face.free})
    if binding:
        if face.progress is not None:
            face.progress("binding sets")
        for i in range(env.n):
            for s in [s for s in range(env.n) if s != i] + [None]:
                edge = (env.types[i], env.types[s] if s is not None else OUTSIDE)
                if _ub_row(env, i, s) in face.tight_rows:  # positive dual: tight on the whole face
                    always.append(edge)
                    sometimes.append(edge)
                    continue
                row = ("ir", i) if s is None else ("ic", i, s)
                slack = face.S[i][i] if s is None else face.S[i][s]
                g = face.row_dir.get(row) if face.dim else None
                if g is None:  # constant on the face
                    if slack == 0:
                        always.append(edge)
                        sometimes.append(edge)
                elif slack == 0 or face.reaches(g, Fraction(slack, face.den)):
                    sometimes.append(edge)
    return OptimalFace(
        tuple(payments), tuple(surpluses), tuple(allocation),
        tuple(always), tuple(sometimes), 1 + face.lps, support, env.types, env.alternatives,
    )


def _ub_row(env: Environment, i: int, s: int | None) -> int:
    """Inequality row of IR(t_i) (``s`` None) or IC(t_i -> t_s) in :func:`mechanism_lp`."""
    if s is None:
        return i * env.n
    return i * env.n + 1 + (s if s < i else s - 1)


def optimal_mechanism(
    env: Environment,
    market: Market | None = None,
    *,
    face: bool = True,
    binding: bool = True,
    selection: str = "support-value",
    progress=None,
    check_face: bool | None = None,
    solution: MechanismSolution | None = None,
) -> OptimalMechanism:
    """Optimal IC-IR mechanism of ``env`` for ``market``, exactly and with certificate.

    Method: :func:`exactscreen.mechanisms.structured.solve_mechanism` (float hint, lazy IC
    rows, exact core solve, independent structured certificate); then the
    optimal face by complementary slackness in its own coordinates
    (:class:`exactscreen.mechanisms.structured.StructuredFace`): the selection rule is one
    lexicographic optimization over the face (stages constant on the current
    optimal set skipped, at most ``dim(face)`` small exact LPs), and every
    range is read from the face's directions (a point when no direction
    moves it) or, if it varies, from two small exact LPs.

    Parameters
    ----------
    face
        Also compute the ranges over all optimal mechanisms.
    binding
        With ``face``: also which IC/IR constraints bind in every / some optimum.
    selection
        ``"support-value"`` (default), ``"total-value"``, ``"consumer-best"``,
        ``"consumer-worst"``, or a mapping of terms to coefficients (a linear functional
        maximized first, :func:`linear_functional`); see the module docstring.
    progress
        Optional callable receiving short stage strings (``"face"``,
        ``"selection 3/12"``, ...) while the solve runs.
    check_face
        With ``face``: certify every range endpoint, the binding sets and uniqueness
        independently (:mod:`exactscreen.mechanisms.face_check`; a failure raises
        :class:`NotCertified`).  None (default): only when ``n^2 (k+2) <=``
        :data:`FACE_CHECK_AUTO_CELLS` (every instance of the paper checks; the check is
        exact Fraction arithmetic and costs several times the solve at ``(150, 64)``).
    solution
        A certified optimum of the mechanism LP for this ``env`` and ``market`` already at hand
        (:func:`~exactscreen.mechanisms.structured.solve_mechanism`'s result; e.g. the sweep's
        search solved this market, :mod:`exactscreen.mechanisms.sweep`): its exact certificate
        (primal, duals, value; PIS Sec. 3's LP) is re-checked by
        :func:`~exactscreen.mechanisms.certificate.check_mechanism_certificate` for ``market``
        and the LP is not solved again.  None (default): solve it.  Not a
        :class:`~exactscreen.mechanisms.structured.MechanismSolution` of this environment and
        market, or failing the check: :class:`InputError` naming ``solution``.

    Returns
    -------
    OptimalMechanism
        Whose ``certificate_check`` is the independent check
        :func:`exactscreen.mechanisms.certificate.check_mechanism_certificate`.
    """
    if market is None:
        raise InputError("market: give the market (probability of each type)")
    if isinstance(selection, dict):
        linear_functional(env, market, selection)  # validated before any work
    elif selection not in SELECTION_RULES:
        raise InputError(f"selection: unknown rule {selection!r}; choose one of {', '.join(SELECTION_RULES)}, "
                         'or give a linear functional such as {"u(t1)": 1}')

    if progress is not None:
        progress("optimum")
    sol = solve_mechanism(env, market) if solution is None else _given_solution(env, market, solution)
    res, check = sol.result, sol.check
    if not check.ok:  # pragma: no cover - solve_mechanism never returns one
        raise RuntimeError(f"exact LP certificate failed its independent check: {check}")
    if progress is not None:
        progress("face")
    geometry = StructuredFace(_Data(env, market), res, progress)
    points = _Points(env, geometry)
    stages = [geometry.direction(obj) for obj in _stages(env, market, selection)]
    mech = points(geometry.lexicographic(stages))
    selected = _check_selected(env, market, mech, res.objective, "optimal mechanism")
    support = tuple(i for i, f in enumerate(market.weights) if f > 0)
    if face and progress is not None:
        progress("ranges")
    fc = _ranges(env, geometry, points, binding, support) if face else None
    if check_face is None:
        check_face = env.n * env.n * (env.k + 2) <= FACE_CHECK_AUTO_CELLS
    fchk = _check_face(env, market, geometry, fc, res.objective, binding) if fc is not None and check_face else None
    name = selection if isinstance(selection, str) else f"maximize {_describe(selection)}"
    return OptimalMechanism(
        env, market, res.objective, mech, res, check, fc, name,
        SolveTally.of((*sol.lp_stats, *geometry.lp_stats), lps=1 + geometry.lps), selected, fchk,
    )


def _given_solution(env: Environment, market: Market, solution) -> MechanismSolution:
    """``solution`` (a caller's certified optimum for ``market``) with its certificate re-checked
    exactly for ``market`` (:func:`~exactscreen.mechanisms.certificate.check_mechanism_certificate`,
    PIS Sec. 3's LP and its dual); :class:`InputError` naming ``solution`` otherwise."""
    if not isinstance(solution, MechanismSolution):
        raise InputError(f"solution: need a MechanismSolution (solve_mechanism's result), got {type(solution).__name__}")
    if solution.env != env or tuple(solution.market.weights) != tuple(market.weights):
        raise InputError("solution: it solves a different environment or market")
    res = solution.result
    chk = check_mechanism_certificate(env, market, [0 if v is ZERO else v for v in res.x], res.y_eq,
                                      [0 if v is ZERO else v for v in res.y_ub], res.objective)
    if not chk.ok:
        raise InputError(f"solution: its certificate fails for this market: {chk.failures[0]}")
    return replace(solution, check=chk)


def _check_face(env: Environment, market: Market, geometry, fc: OptimalFace, revenue: Fraction,
                binding: bool) -> FaceCheck:
    """Independent check of the optimal face (:mod:`exactscreen.mechanisms.face_check`) from the
    engine's evidence (:mod:`exactscreen.mechanisms.face_evidence`); raises
    :class:`NotCertified` if it fails."""
    from .face_evidence import face_certificate

    index = {t: i for i, t in enumerate(env.types)}

    def edges(es):
        return {(index[a], None if b == OUTSIDE else index[b]) for a, b in es}

    always, sometimes = (edges(fc.always_binding), edges(fc.sometimes_binding)) if binding else (None, None)
    cert = face_certificate(geometry, revenue, binding, always or (), sometimes or ())
    claims = {}
    for i in range(env.n):
        claims[("p", i)] = (fc.payment[i].lo, fc.payment[i].hi)
        claims[("u", i)] = (fc.surplus[i].lo, fc.surplus[i].hi)
        for j, r in enumerate(fc.allocation[i]):
            claims[("x", i, j)] = (r.lo, r.hi)
    chk = check_face(env, market, cert, claims, always, sometimes)
    if chk.ok and (chk.payment_rule_unique != fc.payment_rule_unique or chk.unique != fc.unique):
        chk = FaceCheck(False, chk.endpoints, chk.edges, "uniqueness differs from the checked ranges")
    if not chk.ok:
        raise NotCertified(f"optimal face: failed its independent check ({_FACE_CHECKED_BY}): {chk.failure}")
    return chk


def _check_selected(env: Environment, market: Market, mech: Mechanism, revenue: Fraction, what: str) -> SelectedCheck:
    """Independent check of the selected mechanism; raises :class:`NotCertified` if it fails."""
    chk = check_selected_mechanism(env, market, mech.allocation, mech.payments, revenue)
    if not chk.ok:
        raise NotCertified(
            f"{what}: the selected mechanism failed its independent check "
            f"({_SELECTED_CHECKED_BY}): {chk.failures[0]}"
        )
    return chk


# ----------------------------------------------------------------------------
# Deterministic menus by enumeration
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DeterministicOptimum:
    """Best menu without lotteries, by exhaustive enumeration of assignments.

    ``optimal`` lists every revenue-maximizing assignment (type -> alternative,
    ``"0"`` for the outside option) with its payments, which are the largest
    IC-IR payments for that assignment (shortest paths in the IC graph).
    ``selected_check`` is the independent check of ``mechanism`` (IC, IR,
    lotteries, ``p >= 0``, revenue equal to ``revenue``) by
    :func:`exactscreen.mechanisms.selected_check.check_selected_mechanism`.
    """

    revenue: Fraction
    mechanism: Mechanism
    optimal: tuple[tuple[tuple[str, ...], tuple[Fraction, ...]], ...]
    assignments_tried: int
    implementable: int
    selected_check: SelectedCheck | None = None


def _max_payments(net: list[list[Fraction]], assign: Sequence[int], k: int) -> list[Fraction] | None:
    """Largest IC-IR payments for a deterministic assignment, or None if none exist.

    ``p(t) <= p(s) + v(t,a_t) - v(t,a_s)`` and ``p(t) <= v(t,a_t)``: the
    componentwise-largest solution is the shortest-path distance to the
    outside option (Bellman-Ford); it must also be ``>= 0``.
    """
    n = len(assign)

    def val(t: int, j: int) -> Fraction:
        return ZERO if j == k else net[t][j]

    d = [val(t, assign[t]) for t in range(n)]
    for _ in range(n + 1):
        changed = False
        for t in range(n):
            vt = val(t, assign[t])
            for s in range(n):
                if s != t:
                    cand = d[s] + vt - val(t, assign[s])
                    if cand < d[t]:
                        d[t] = cand
                        changed = True
        if not changed:
            break
    else:
        return None  # negative cycle: not implementable
    if any(v < 0 for v in d):
        return None
    return d


def optimal_deterministic(
    env: Environment, market: Market, *, max_assignments: int = 2_000_000
) -> DeterministicOptimum:
    """Best deterministic menu by exact enumeration of the ``(k+1)^n`` assignments."""
    total = (env.k + 1) ** env.n
    if total > max_assignments:
        raise InputError(
            f"deterministic enumeration: {total} assignments exceed max_assignments="
            f"{max_assignments}; use fewer types/alternatives or raise the limit"
        )
    net = [list(r) for r in env.net_values]
    best: Fraction | None = None
    winners: list[tuple[tuple[int, ...], list[Fraction]]] = []
    feasible = 0
    for assign in itertools.product(range(env.k + 1), repeat=env.n):
        pay = _max_payments(net, assign, env.k)
        if pay is None:
            continue
        feasible += 1
        rev = sum((f * p for f, p in zip(market.weights, pay)), ZERO)
        if best is None or rev > best:
            best, winners = rev, [(assign, pay)]
        elif rev == best:
            winners.append((assign, pay))
    assert best is not None  # the empty menu is always implementable
    names = (*env.alternatives, OUTSIDE)
    support = [i for i, f in enumerate(market.weights) if f > 0]

    def key(w):
        assign, pay = w
        value = sum((ZERO if assign[i] == env.k else net[i][assign[i]] for i in support), ZERO)
        return (-value, sum(pay, ZERO), assign)

    sel_assign, sel_pay = min(winners, key=key)
    alloc = []
    for i in range(env.n):
        row = [ZERO] * (env.k + 1)
        row[sel_assign[i]] = Fraction(1)
        alloc.append(tuple(row))
    mech = Mechanism(env, tuple(alloc), tuple(sel_pay))
    optimal = tuple(
        (tuple(names[j] for j in a), tuple(p)) for a, p in sorted(winners, key=lambda w: w[0])
    )
    selected = _check_selected(env, market, mech, best, "deterministic menu")
    return DeterministicOptimum(best, mech, optimal, total, feasible, selected)


# ----------------------------------------------------------------------------
# Payment polytope P (Lemma 1)
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentPolytope:
    """``P = {p : (x, p) is IC-IR for some x}`` as the convex hull of its vertices.

    ``vertices`` are exact; ``facets`` are ``(a, b)`` with ``a.p <= b`` valid
    for P and tight on a facet (within P's affine hull, which has dimension
    ``dimension``); ``equations`` are linear equations ``a.p = b`` holding on
    all of P (empty when P is full-dimensional).
    """

    environment: Environment = field(repr=False)
    vertices: tuple[tuple[Fraction, ...], ...]
    facets: tuple[tuple[tuple[Fraction, ...], Fraction], ...]
    equations: tuple[tuple[tuple[Fraction, ...], Fraction], ...]
    dimension: int
    stats: SolveTally = field(repr=False, default=SolveTally())

    @property
    def lp_solves(self) -> int:
        """Exact LPs solved (support-function queries)."""
        return self.stats.lps

    def __repr__(self) -> str:
        vs = ", ".join("(" + ", ".join(fmt(v) for v in p) + ")" for p in self.vertices)
        return f"PaymentPolytope(dim={self.dimension}, vertices=[{vs}])"


def _support_lp(
    env: Environment, lp: LinearProgram, direction: Sequence[Fraction], counter: _Counter
) -> tuple[Fraction, ...]:
    """A payment rule in P maximizing ``direction . p`` over the IC-IR mechanisms of ``lp``
    (a vertex of the mechanism polytope)."""
    c = [ZERO] * (env.n * (env.k + 2))
    for i, d in enumerate(direction):
        c[_p(env, i)] = d
    res = counter.solve(lp.with_objective(c))
    return tuple(res.x[_p(env, i)] for i in range(env.n))


def _nullspace(rows: list[list[Fraction]], dim: int) -> list[list[Fraction]]:
    """Basis of ``{z : r.z = 0 for r in rows}`` (exact)."""
    if not rows:
        return [[Fraction(int(i == j)) for j in range(dim)] for i in range(dim)]
    M = fmpq_mat(len(rows), dim, [fmpq(v.numerator, v.denominator) for r in rows for v in r])
    R, rank = M.rref()
    pivots = []
    for r in range(rank):
        for c in range(dim):
            if R[r, c] != 0:
                pivots.append(c)
                break
    free = [c for c in range(dim) if c not in pivots]
    basis = []
    for f in free:
        z = [ZERO] * dim
        z[f] = Fraction(1)
        for r, pc in enumerate(pivots):
            z[pc] = -from_fmpq(R[r, f])
        basis.append(z)
    return basis


def _rank(vectors: list[list[Fraction]], dim: int) -> int:
    if not vectors:
        return 0
    M = fmpq_mat(len(vectors), dim, [fmpq(v.numerator, v.denominator) for r in vectors for v in r])
    return M.rank()


def payment_polytope(env: Environment, *, max_vertices: int = 200) -> PaymentPolytope:
    """Vertices (and facets) of the payment polytope ``P`` of Lemma 1, exactly.

    Method: an exact support-function oracle (one LP ``max d.p`` over IC-IR
    mechanisms per query) inside the classical inner-approximation loop:
    start from affinely independent points of P spanning its affine hull;
    compute the facets of their convex hull; for each facet ``a.p <= b`` ask
    the oracle for ``max a.p`` over P; if it exceeds ``b``, add the maximizer
    and repeat.  When no facet can be pushed out, the hull is P.  The oracle
    returns vertices of the mechanism polytope, of which there are finitely
    many, so the loop ends.  Facets of the inner hull are found by brute force
    over point subsets: meant for small instances (n <= 4 types).
    """
    n = env.n
    counter = _Counter()
    mechanisms = mechanism_lp(env, Market.uniform(env))  # the constraints; objectives vary
    pts: list[tuple[Fraction, ...]] = [tuple([ZERO] * n)]  # the null mechanism: p = 0
    equations: list[tuple[tuple[Fraction, ...], Fraction]] = []
    # 1. affine hull: each round adds a point off the hyperplane d.p = base or an equation
    # d.p = base with d orthogonal to all previous rows, so the rank of (diffs, equations)
    # rises by one per round: at most n rounds, then the null space is empty
    for _round in range(n + 2):
        if _round == n + 1:
            raise NotCertified(
                f"payment polytope: the affine hull search did not end in {n + 1} rounds "
                f"(bound: the rank of the {n} payment coordinates rises every round)"
            )
        diffs = [[a - b for a, b in zip(p, pts[0])] for p in pts[1:]]
        eq_dirs = [list(e[0]) for e in equations]
        cands = _nullspace(diffs + eq_dirs, n)
        if not cands:
            break
        d = cands[0]
        base = _dot(d, pts[0])
        hi = _support_lp(env, mechanisms, d, counter)
        if _dot(d, hi) != base:
            pts.append(hi)
            continue
        lo = _support_lp(env, mechanisms, [-v for v in d], counter)
        if _dot(d, lo) != base:
            pts.append(lo)
            continue
        equations.append((tuple(d), base))
    dim = len(pts) - 1
    if dim == 0:
        return PaymentPolytope(env, tuple(pts), (), tuple(equations), 0, SolveTally.of(counter.stats))
    # coordinates in the affine hull: z = L (p - p0) with L a left inverse of D
    D = [[a - b for a, b in zip(p, pts[0])] for p in pts[1:]]  # dim x n, rows span directions
    Dm = fmpq_mat(dim, n, [fmpq(v.numerator, v.denominator) for r in D for v in r])
    G = (Dm * Dm.transpose()).inv()  # dim x dim
    Lm = G * Dm  # z = Lm (p - p0) satisfies z^T D = p - p0 for p in the hull

    def coords(p) -> list[Fraction]:
        v = fmpq_mat(n, 1, [fmpq(a.numerator, a.denominator) for a in (x - y for x, y in zip(p, pts[0]))])
        z = Lm * v
        return [from_fmpq(z[i, 0]) for i in range(dim)]

    def back(a: list[Fraction]) -> list[Fraction]:
        """Direction c in p-space with c.p = a.z + const on the hull."""
        av = fmpq_mat(1, dim, [fmpq(v.numerator, v.denominator) for v in a])
        c = av * Lm
        return [from_fmpq(c[0, j]) for j in range(n)]

    # Facets of the inner hull by brute force over point subsets, incrementally:
    # points are only ever added, so a subset whose hyperplane is degenerate or
    # has points on both sides never becomes a facet again (``dead``), a
    # candidate that held for the first m points needs only the points added
    # since (``live``: hyperplane and how many points it has seen), and a
    # facet the oracle has confirmed (max a.p over P equals b) needs no second
    # LP while it stays a facet (``confirmed``).
    dead: set[tuple[int, ...]] = set()
    live: dict[tuple[int, ...], tuple[list[Fraction], Fraction, int, int]] = {}
    confirmed: set[tuple] = set()

    def hull_facets(zs: list[list[Fraction]]) -> list[tuple[list[Fraction], Fraction]]:
        if dim == 1:
            vals = [z[0] for z in zs]
            return [([Fraction(1)], max(vals)), ([Fraction(-1)], -min(vals))]
        found: dict[tuple, tuple[list[Fraction], Fraction]] = {}
        for combo in itertools.combinations(range(len(zs)), dim):
            if combo in dead:
                continue
            if combo in live:
                a, b, sign, seen = live[combo]
            else:
                base = zs[combo[0]]
                diffs = [[x - y for x, y in zip(zs[c], base)] for c in combo[1:]]
                ns = _nullspace(diffs, dim)
                if len(ns) != 1:
                    dead.add(combo)
                    continue
                a = ns[0]
                b, sign, seen = _dot(a, base), 0, 0
            for z in zs[seen:]:
                s_ = _dot(a, z) - b
                if s_ == 0:
                    continue
                s_ = 1 if s_ > 0 else -1
                if sign == 0:
                    sign = s_
                elif s_ != sign:
                    sign = 2
                    break
            if sign == 2:
                dead.add(combo)
                live.pop(combo, None)
                continue
            live[combo] = (a, b, sign, len(zs))
            fa, fb = (a, b) if sign <= 0 else ([-v for v in a], -b)
            # normalize for deduplication
            lead = next(v for v in fa if v != 0)
            scale = abs(lead)
            key = tuple(v / scale for v in fa) + (fb / scale,)
            found[key] = ([v / scale for v in fa], fb / scale)
        return list(found.values())

    zs = [coords(p) for p in pts]
    while True:
        if len(pts) > max_vertices:
            raise InputError(f"payment polytope: more than {max_vertices} points; instance too large")
        grew = False
        for a, b in hull_facets(zs):
            key = (*a, b)
            if key in confirmed:
                continue
            c = back(a)
            p = _support_lp(env, mechanisms, c, counter)
            z = coords(p)
            if _dot(a, z) > b:
                pts.append(p)
                zs.append(z)
                grew = True
                break
            confirmed.add(key)
        if not grew:
            break
    facets = hull_facets(zs)
    # vertices: points whose active facet normals span the hull's dimension
    verts = []
    for p, z in zip(pts, zs):
        active = [a for a, b in facets if _dot(a, z) == b]
        if _rank(active, dim) == dim and p not in verts:
            verts.append(p)
    verts.sort()
    facets_p = []
    for a, b in facets:
        c = back(a)
        facets_p.append((tuple(c), _dot(c, pts[0]) + b))
    return PaymentPolytope(env, tuple(verts), tuple(facets_p), tuple(equations), dim, SolveTally.of(counter.stats))
