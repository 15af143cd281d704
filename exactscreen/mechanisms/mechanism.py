"""Direct mechanisms ``M = (x, p)`` and their exact properties
(Haghpanah & Siegel, *Pareto improving segmentation*, Sec. 3).

A mechanism gives each type ``t`` a random alternative ``x(t)`` (a
distribution over the alternatives and the outside option ``"0"``) and a
payment ``p(t) >= 0``.  It is

* IC if ``v(t, x(t)) - p(t) >= v(t, x(t')) - p(t')`` for all ``t, t'``;
* IR if ``v(t, x(t)) - p(t) >= 0`` for all ``t``;

with net values ``v = v - c``.  The *binding graph* has an edge ``t -> t'``
when the IC constraint of ``t`` towards ``t'`` holds with equality, and an
edge ``t -> "0"`` when ``t``'s IR constraint binds (paper 000, Sec. 4.1.2
follows such paths).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from operator import sub
from typing import Mapping

from flint import fmpz_mat

from ..exceptions import InputError
from ..environment import OUTSIDE, Environment, Market
from ..numbers import fmt, fmt_decimal, to_fraction

__all__ = ["Mechanism", "Range", "Welfare"]


@dataclass(frozen=True)
class Welfare:
    """Welfare accounting of a mechanism on a market (paper 000, Sec. 3: consumer surplus
    ``v(t, x(t)) - p(t)`` per type, profit ``sum f(t) p(t)`` with net values, fn 5).

    Attributes
    ----------
    types
        Type names, in the environment's order.
    weights
        ``f(t)`` of the market.
    surplus
        Each type's consumer surplus.
    consumer_surplus
        ``sum_t f(t) * surplus(t)``.
    revenue
        The seller's expected profit ``sum_t f(t) p(t)`` (payments net of cost).
    total_surplus
        ``consumer_surplus + revenue``.
    efficient_surplus
        ``sum_t f(t) * max(0, max_a v(t, a) - c(a))``: the most any mechanism can create.
    efficiency_loss
        ``efficient_surplus - total_surplus`` (zero iff the mechanism is efficient on the market).
    """

    types: tuple[str, ...]
    weights: tuple[Fraction, ...]
    surplus: tuple[Fraction, ...]
    consumer_surplus: Fraction
    revenue: Fraction
    efficient_surplus: Fraction

    @property
    def total_surplus(self) -> Fraction:
        return self.consumer_surplus + self.revenue

    @property
    def efficiency_loss(self) -> Fraction:
        return self.efficient_surplus - self.total_surplus

    def surplus_of(self, t: str) -> Fraction:
        """Consumer surplus of type ``t`` (by name)."""
        if t not in self.types:
            raise InputError(f"welfare: unknown type {t!r}; types are {', '.join(self.types)}")
        return self.surplus[self.types.index(t)]

    def to_json(self) -> dict:
        """As data, exact values as strings."""
        return {
            "surplus": {t: fmt(v) for t, v in zip(self.types, self.surplus)},
            "consumer_surplus": fmt(self.consumer_surplus),
            "revenue": fmt(self.revenue),
            "total_surplus": fmt(self.total_surplus),
            "efficient_surplus": fmt(self.efficient_surplus),
            "efficiency_loss": fmt(self.efficiency_loss),
        }

    def __str__(self) -> str:
        rows = [f"  {'type':<10} {'f(t)':>8} {'surplus':>10}"]
        rows += [f"  {t:<10} {fmt(f):>8} {fmt(v):>10}" for t, f, v in zip(self.types, self.weights, self.surplus)]
        rows += [
            f"  consumer surplus {fmt(self.consumer_surplus)}, revenue {fmt(self.revenue)}, "
            f"total surplus {fmt(self.total_surplus)}",
            f"  efficient surplus {fmt(self.efficient_surplus)}, efficiency loss {fmt(self.efficiency_loss)}",
        ]
        return "Welfare\n" + "\n".join(rows)

    def __repr__(self) -> str:
        per = ", ".join(f"{t}: {fmt(v)}" for t, v in zip(self.types, self.surplus))
        return (f"Welfare(surplus={{{per}}}, consumer_surplus={fmt(self.consumer_surplus)}, "
                f"revenue={fmt(self.revenue)}, total_surplus={fmt(self.total_surplus)}, "
                f"efficiency_loss={fmt(self.efficiency_loss)})")

    def _repr_html_(self) -> str:
        """Jupyter: surplus per type and the totals, exact with decimals beside them."""
        from .. import notebook as nb

        rows = [[t, f, v] for t, f, v in zip(self.types, self.weights, self.surplus)]
        totals = [("consumer surplus", self.consumer_surplus), ("revenue", self.revenue),
                  ("total surplus", self.total_surplus), ("efficient surplus", self.efficient_surplus),
                  ("efficiency loss", self.efficiency_loss)]
        return nb.block("Welfare", nb.table(["type", "f(t)", "surplus"], rows), nb.kv_table(totals))


@dataclass(frozen=True)
class Mechanism:
    """Allocation ``x[i][j]`` (type i, alternative j; last column the outside option) and payments."""

    environment: Environment
    allocation: tuple[tuple[Fraction, ...], ...]
    payments: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        env = self.environment
        if len(self.allocation) != env.n or len(self.payments) != env.n:
            raise InputError("mechanism: need one allocation and one payment per type")
        for t, row in zip(env.types, self.allocation):
            if len(row) != env.k + 1:
                raise InputError(
                    f"mechanism.{t}: allocation needs one probability per alternative "
                    "plus the outside option"
                )
            if any(v < 0 for v in row) or sum(row, Fraction(0)) != 1:
                raise InputError(
                    f"mechanism.{t}: allocation must be a probability distribution "
                    "(non-negative, summing to 1 with the outside option)"
                )
        for t, p in zip(env.types, self.payments):
            if p < 0:
                raise InputError(f"mechanism.{t}: payment {p} is negative")

    @classmethod
    def from_dict(
        cls,
        env: Environment,
        allocation: Mapping[str, Mapping[str, object] | str],
        payments: Mapping[str, object],
    ) -> "Mechanism":
        """Build from ``{type: {alternative: prob}}`` (or ``{type: alternative}``) and ``{type: price}``.

        The outside option takes the remaining probability.
        """
        rows = []
        for t in env.types:
            if t not in allocation:
                raise InputError(f"mechanism: no allocation for type {t!r}")
            a = allocation[t]
            if isinstance(a, str):
                a = {a: 1} if a != OUTSIDE else {}
            row = [Fraction(0)] * (env.k + 1)
            for name, prob in a.items():
                j = env.k if name == OUTSIDE else env.alternative_index(name)
                row[j] = to_fraction(prob, f"allocation.{t}.{name}")
            if OUTSIDE not in a:
                row[env.k] = 1 - sum(row[: env.k], Fraction(0))
            rows.append(tuple(row))
        pay = tuple(to_fraction(payments[t], f"payments.{t}") for t in env.types)
        return cls(env, tuple(rows), pay)

    # ------------------------------------------------------------ valuation
    def value(self, t: int, s: int) -> Fraction:
        """``v(t, x(s))``: type index ``t``'s net value of type index ``s``'s allocation."""
        net = self.environment.net_values[t]
        return sum((v * q for v, q in zip(net, self.allocation[s]) if q), Fraction(0))  # zero q: no term

    def surplus(self, t: int, report: int | None = None) -> Fraction:
        """``v(t, x(r)) - p(r)`` for report ``r`` (truthful by default)."""
        r = t if report is None else report
        return self.value(t, r) - self.payments[r]

    @property
    def surpluses(self) -> tuple[Fraction, ...]:
        return tuple(self.surplus(i) for i in range(self.environment.n))

    def price(self, i: int) -> Fraction:
        """Price the consumer pays: the (net) payment plus the expected cost of the allocation.

        The engine works with net values ``v - c`` (paper 000, fn 5), so
        ``payments`` are the seller's profit per type; with zero costs the two agree.
        """
        costs = self.environment.costs
        return self.payments[i] + sum((q * c for q, c in zip(self.allocation[i], costs) if q and c), Fraction(0))

    @property
    def prices(self) -> tuple[Fraction, ...]:
        return tuple(self.price(i) for i in range(self.environment.n))

    def revenue(self, market: Market) -> Fraction:
        return sum((f * p for f, p in zip(market.weights, self.payments)), Fraction(0))

    def welfare(self, market: Market) -> Welfare:
        """Consumer surplus per type and in total, revenue, total surplus and efficiency loss on ``market``."""
        env = self.environment
        if market.environment is not env and market.environment != env:
            raise InputError("welfare: the market is over another environment than the mechanism's")
        w = market.weights
        surplus = self.surpluses
        consumer = sum((f * u for f, u in zip(w, surplus)), Fraction(0))
        revenue = self.revenue(market)
        efficient = sum((f * env.efficient_value(t) for f, t in zip(w, env.types)), Fraction(0))
        return Welfare(env.types, w, surplus, consumer, revenue, efficient)

    # ---------------------------------------------------------- constraints
    def ic_violations(self) -> list[tuple[str, str, Fraction]]:
        """``(t, t', gain)`` for every profitable misreport (empty iff IC)."""
        env = self.environment
        out = []
        for i in range(env.n):
            own = self.surplus(i)
            for j in range(env.n):
                if i != j and self.surplus(i, j) > own:
                    out.append((env.types[i], env.types[j], self.surplus(i, j) - own))
        return out

    def ir_violations(self) -> list[tuple[str, Fraction]]:
        env = self.environment
        return [(env.types[i], self.surplus(i)) for i in range(env.n) if self.surplus(i) < 0]

    @property
    def is_ic(self) -> bool:
        return not self.ic_violations()

    @property
    def is_ir(self) -> bool:
        return not self.ir_violations()

    def binding(self) -> tuple[tuple[str, str], ...]:
        """Edges ``(t, t')`` where t is indifferent to t''s option; ``(t, "0")`` when IR binds.

        Computed over common integer denominators: ``s * d * (v(t, x(t')) - p(t'))``
        for all pairs by one integer matrix product (python-flint), so that a
        mechanism with hundreds of types costs no ``n^2 k`` Fraction operations.
        """
        env = self.environment
        n, k = env.n, env.k
        s = lcm(*(v.denominator for row in env.net_values for v in row))
        d = lcm(*(v.denominator for row in self.allocation for v in row[:k]),
                *(p.denominator for p in self.payments))
        # v * s and q * d as integers without Fraction arithmetic (s, d: common denominators)
        net = fmpz_mat([[v.numerator * (s // v.denominator) for v in row] for row in env.net_values])
        alloc_t = fmpz_mat([[q.numerator * (d // q.denominator) for q in col]
                            for col in list(zip(*self.allocation))[:k]])
        values = list(map(int, (net * alloc_t).entries()))  # s * d * v(t_i, x(t_j)), row-major
        pay = [p.numerator * (d // p.denominator) * s for p in self.payments]
        types = env.types
        edges = []
        for i in range(n):
            surplus = list(map(sub, values[i * n:(i + 1) * n], pay))  # s * d * (v(t_i, x(t_j)) - p(t_j))
            own = surplus[i]
            edges += [(types[i], types[j]) for j, u in enumerate(surplus) if u == own and j != i]
            if own == 0:
                edges.append((types[i], OUTSIDE))
        return tuple(edges)

    def is_efficient_for(self, t: int) -> bool:
        """Type index ``t`` gets (a lottery over) its efficient alternatives."""
        return self.value(t, t) == self.environment.efficient_value(self.environment.types[t])

    def is_efficient(self, market: Market) -> bool:
        """Every type in the market's support is allocated efficiently (paper 000, Sec. 3)."""
        return all(
            self.is_efficient_for(i) for i, f in enumerate(market.weights) if f > 0
        )

    # ------------------------------------------------------------------ show
    def option(self, i: int) -> str:
        """Readable random alternative of type index ``i``, e.g. ``"aH"`` or ``"1/2 aL + 1/2 aH"``."""
        env = self.environment
        names = (*env.alternatives, OUTSIDE)
        parts = [(q, a) for q, a in zip(self.allocation[i], names) if q]
        if len(parts) == 1:
            return parts[0][1]
        return " + ".join(f"{fmt(q)} {a}" for q, a in parts)

    def allocation_dict(self, i: int) -> dict[str, str]:
        env = self.environment
        names = (*env.alternatives, OUTSIDE)
        return {a: fmt(q) for a, q in zip(names, self.allocation[i]) if q}

    def menu(self) -> tuple[tuple[str, Fraction, Fraction, tuple[str, ...]], ...]:
        """Distinct options: ``(random alternative, payment, price, types choosing it)``.

        ``payment`` is net of cost, ``price`` what the consumer pays (see :meth:`price`).
        """
        entries: dict[tuple, list[int]] = {}
        for i in range(self.environment.n):
            key = (self.allocation[i], self.payments[i])
            entries.setdefault(key, []).append(i)
        types = self.environment.types
        return tuple(
            (self.option(idx[0]), pay, self.price(idx[0]), tuple(types[i] for i in idx))
            for (alloc, pay), idx in entries.items()
        )

    def __str__(self) -> str:
        env = self.environment
        lines = ["Mechanism", f"  {'type':<8} {'gets':<24} {'pays':>14} {'surplus':>14}"]
        for i, t in enumerate(env.types):
            p, s = self.payments[i], self.surplus(i)
            lines.append(
                f"  {t:<8} {self.option(i):<24} {fmt(p) + ' (' + fmt_decimal(p, 4) + ')':>14} "
                f"{fmt(s):>14}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """Jupyter: per type (by name) the allocation, payment, price and surplus, exact with decimals."""
        from .. import notebook as nb

        env = self.environment
        costs = any(env.costs)
        header = ["type", "gets", "pays", *(["price"] if costs else []), "surplus"]
        rows = []
        for i, t in enumerate(env.types):
            rows.append([t, self.option(i), self.payments[i], *([self.price(i)] if costs else []), self.surplus(i)])
        edges = self.binding()
        notes = [nb.Html("<p>binding: " + (", ".join(f"{nb.esc(a)} → {nb.esc(b)}" for a, b in edges) or "none")
                         + "</p>")]
        if costs:
            notes.append("pays: payment net of cost (profit); price: what the consumer pays")
        return nb.block("Mechanism", nb.table(header, rows), *notes)

    def _repr_latex_(self) -> str:
        """Jupyter/nbconvert: the allocation matrix ``x(t, a)`` (outside option last) and payments ``p(t)``."""
        from .. import notebook as nb

        env = self.environment
        rows = [(t, (*self.allocation[i], self.payments[i])) for i, t in enumerate(env.types)]
        return nb.latex_matrix("x(t,a)", (*env.alternatives, OUTSIDE, "p(t)"), rows)


@dataclass(frozen=True)
class Range:
    """Exact ``[lo, hi]`` of a quantity over all optimal mechanisms, with attaining mechanisms."""

    lo: Fraction
    hi: Fraction
    lo_point: object = field(default=None, repr=False, compare=False)
    hi_point: object = field(default=None, repr=False, compare=False)
    """An optimal mechanism attaining ``lo`` / ``hi``, or a function returning one (built on
    first use of :attr:`at_lo` / :attr:`at_hi`: a large face has thousands of ranges)."""

    def _point(self, name: str) -> Mechanism | None:
        v = getattr(self, name)
        if v is not None and not isinstance(v, Mechanism):
            v = v()
            object.__setattr__(self, name, v)
        return v

    @property
    def at_lo(self) -> Mechanism | None:
        """An optimal mechanism at which the quantity equals ``lo``."""
        return self._point("lo_point")

    @property
    def at_hi(self) -> Mechanism | None:
        """An optimal mechanism at which the quantity equals ``hi``."""
        return self._point("hi_point")

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi

    def __contains__(self, v: Fraction) -> bool:
        return self.lo <= v <= self.hi

    def __str__(self) -> str:
        return fmt(self.lo) if self.is_point else f"[{fmt(self.lo)}, {fmt(self.hi)}]"

    def as_json(self) -> list[str]:
        return [fmt(self.lo), fmt(self.hi)]

    def __repr__(self) -> str:
        return f"Range(lo={fmt(self.lo)}, hi={fmt(self.hi)})"

    def _repr_html_(self) -> str:
        """Jupyter: ``[lo, hi]`` exact with decimals (a single number when the range is a point)."""
        from .. import notebook as nb

        return nb.interval(self.lo, self.hi)

    def _repr_latex_(self) -> str:
        from .. import notebook as nb

        return f"${nb.latex_interval(self.lo, self.hi)}$"
