"""Finite screening environments and markets (Haghpanah & Siegel, *Pareto
improving segmentation of multi-product markets*, Sec. 3).

An :class:`Environment` has named consumer types ``T`` and named alternatives
``A`` (the outside option ``"0"`` is implicit, with value 0 for every type),
a valuation table ``v(t, a)`` and optional production costs ``c(a)``.  As in
the paper's footnote 5, everything downstream works with *net* values
``v(t, a) - c(a)``, which may be negative.  A :class:`Market` is an exact
probability distribution over the types.

Both are immutable and validated at the door: a float, a non-number, a
missing valuation, an unknown or duplicate name, a negative weight or weights
not summing to one raise :class:`InputError` naming the field and the fix.

TOML format (see README)::

    title = "Sec. 3.1.1"        # optional
    [types.tL]                  # one table per type: its value of each alternative
    aL = "3/4"
    aH = "1"
    [types.tH]
    aL = "1"
    aH = "2"
    [costs]                     # optional, default 0
    aL = "0"
    [market]                    # optional: probability of each type
    tL = "1/2"
    tH = "1/2"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .display import safe_name, safe_text
from .exceptions import ExactNumberError, InputError
from .numbers import fmt, short_repr, to_fraction

__all__ = [
    "OUTSIDE", "InputError", "Environment", "Market", "load_toml", "loads_toml",
    "parse_toml", "read_toml_file", "check_type_tables",
]

OUTSIDE = "0"
"""Name of the outside option (value 0 for every type, never produced)."""

_TOP_KEYS = {"title", "source", "description", "types", "costs", "market"}


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{what} names must be non-empty strings, got {short_repr(name)}")
    if name != name.strip() or any(c in name for c in ",=\n"):
        raise InputError(
            f"{what} name {name!r} may not contain ',', '=', newlines or surrounding spaces"
        )
    if name == OUTSIDE:
        raise InputError(
            f'{what} name "0" is reserved for the outside option; choose another name'
        )
    return name


def _named_parameters(given: Mapping[str, object] | Iterable[object], what: str) -> dict[str, Fraction]:
    """``{name: exact parameter}`` from a mapping, or from a sequence named by exact text."""
    if isinstance(given, Mapping):
        return {_check_name(name, what[:-1]): _num(p, f"{what}.{name}") for name, p in given.items()}
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise InputError(f"{what}: give a mapping {{name: parameter}} or a list of exact parameters")
    out: dict[str, Fraction] = {}
    for i, p in enumerate(given):
        q = _num(p, f"{what}[{i}]")
        name = fmt(q)
        if name == OUTSIDE:
            raise InputError(
                f"{what}[{i}] is 0, whose name '0' is the outside option's; give names with a mapping "
                f"{{name: parameter}}"
            )
        if name in out:
            raise InputError(f"{what}: the parameter {name} is listed twice")
        out[name] = q
    return out


def _num(value: object, where: str) -> Fraction:
    try:
        return to_fraction(value, where)
    except ExactNumberError as exc:
        raise InputError(str(exc)) from None


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  " + "  ".join(c.rjust(w) if j else c.ljust(w) for j, (c, w) in enumerate(zip(r, widths)))
        for r in rows
    )


@dataclass(frozen=True)
class Environment:
    """Types, alternatives, valuations and costs (paper 000, Sec. 3).

    Attributes
    ----------
    types, alternatives
        Names, in input order.  The outside option ``"0"`` is not listed.
    values
        Gross valuations: ``values[i][j] = v(types[i], alternatives[j])``.
    costs
        ``costs[j] = c(alternatives[j])`` (zero when not given).
    """

    types: tuple[str, ...]
    alternatives: tuple[str, ...]
    values: tuple[tuple[Fraction, ...], ...]
    costs: tuple[Fraction, ...]
    title: str = ""

    def __post_init__(self) -> None:
        if not self.types:
            raise InputError("types: an environment needs at least one type")
        if not self.alternatives:
            raise InputError("an environment needs at least one alternative besides the outside option")
        for what, names in (("type", self.types), ("alternative", self.alternatives)):
            seen: set[str] = set()
            for n in names:
                _check_name(n, what)
                if n in seen:
                    raise InputError(f"{what} {n!r} is listed twice; names must be unique")
                seen.add(n)
        if len(self.values) != len(self.types) or any(
            len(row) != len(self.alternatives) for row in self.values
        ):
            raise InputError("values: need one row per type and one entry per alternative")
        if len(self.costs) != len(self.alternatives):
            raise InputError("costs: need one entry per alternative")
        for row in self.values:
            for v in row:
                if not isinstance(v, Fraction):
                    raise InputError("values must be Fractions; use Environment.from_dict to parse")
        for c in self.costs:
            if not isinstance(c, Fraction):
                raise InputError("costs must be Fractions; use Environment.from_dict to parse")

    # ----------------------------------------------------------------- build
    @classmethod
    def from_functions(
        cls,
        types: Mapping[str, object] | Iterable[object],
        alternatives: Mapping[str, object] | Iterable[object],
        value: Callable[[Fraction, Fraction], object],
        cost: Callable[[Fraction], object] | None = None,
        title: str = "",
    ) -> "Environment":
        """Build from functions of parameters: ``v(t, a) = value(theta_t, q_a)``, ``c(a) = cost(q_a)``.

        ``types`` and ``alternatives`` are ``{name: parameter}`` mappings, or sequences of
        parameters named by their exact text (``[1, Fraction(3, 2)]`` gives ``"1"``,
        ``"3/2"``; ``Fraction(name)`` maps a name back).  Parameters and the functions'
        results must be exact (int, Fraction, an exact string); a float is refused with the
        type and alternative it came from.  E.g. types ``theta`` in {1, 2}, qualities ``a`` in
        {1/2, 1}, value ``theta * a`` and cost ``a**2 / 2``::

            Environment.from_functions([1, 2], [Fraction(1, 2), 1], lambda th, a: th * a,
                                       cost=lambda a: a * a / 2)
        """
        tparams = _named_parameters(types, "types")
        aparams = _named_parameters(alternatives, "alternatives")
        table = {
            t: {a: _num(value(th, q), f"value({fmt(th)}, {fmt(q)}) for type {t}, alternative {a}")
                for a, q in aparams.items()}
            for t, th in tparams.items()
        }
        costs = None
        if cost is not None:
            costs = {a: _num(cost(q), f"cost({fmt(q)}) for alternative {a}") for a, q in aparams.items()}
        return cls.from_dict(table, costs, title)

    @classmethod
    def from_dict(
        cls,
        types: Mapping[str, Mapping[str, object]],
        costs: Mapping[str, object] | None = None,
        title: str = "",
    ) -> "Environment":
        """Build from ``{type: {alternative: value}}`` and optional ``{alternative: cost}``.

        Every type must value every alternative (an alternative a type does not
        want gets an explicit value, e.g. ``"0"`` or a negative number).
        """
        tnames, alts = check_type_tables(types)
        values = []
        for t, row in types.items():
            values.append(tuple(_num(row[a], f"types.{t}.{a}") for a in alts))
        cost_row = [Fraction(0)] * len(alts)
        if costs is not None:
            if not isinstance(costs, Mapping):
                raise InputError("costs: expected a table of alternative = cost")
            for a, c in costs.items():
                if not isinstance(a, str):
                    raise InputError(f"costs: keys must be alternative names, got {short_repr(a)}")
                if a == OUTSIDE:
                    raise InputError('costs.0: the outside option has no cost; remove this key')
                if a not in alts:
                    raise InputError(
                        f"costs.{a}: unknown alternative {a!r}; known: {', '.join(alts)}"
                    )
                cost_row[alts.index(a)] = _num(c, f"costs.{a}")
        return cls(tuple(tnames), tuple(alts), tuple(values), tuple(cost_row), title)

    # ------------------------------------------------------------- accessors
    @property
    def n(self) -> int:
        """Number of types."""
        return len(self.types)

    @property
    def k(self) -> int:
        """Number of alternatives, excluding the outside option."""
        return len(self.alternatives)

    def type_index(self, t: str) -> int:
        try:
            return self.types.index(t)
        except ValueError:
            raise InputError(f"unknown type {t!r}; known: {', '.join(self.types)}") from None

    def alternative_index(self, a: str) -> int:
        try:
            return self.alternatives.index(a)
        except ValueError:
            raise InputError(
                f"unknown alternative {a!r}; known: {', '.join(self.alternatives)}"
            ) from None

    def value(self, t: str, a: str) -> Fraction:
        """Net value ``v(t, a) - c(a)``; 0 for the outside option."""
        if a == OUTSIDE:
            return Fraction(0)
        j = self.alternative_index(a)
        return self.values[self.type_index(t)][j] - self.costs[j]

    @cached_property
    def net_values(self) -> tuple[tuple[Fraction, ...], ...]:
        """``net_values[i][j] = v(t_i, a_j) - c(a_j)`` (paper 000, fn 5).

        Computed once per environment (the LP builder reads it O(n²) times)."""
        return tuple(
            tuple(v - c for v, c in zip(row, self.costs)) for row in self.values
        )

    def efficient_value(self, t: str) -> Fraction:
        """Largest net value of type ``t`` over all alternatives and the outside option."""
        i = self.type_index(t)
        return max([Fraction(0), *self.net_values[i]])

    def efficient_alternatives(self, t: str) -> tuple[str, ...]:
        """Alternatives (``"0"`` included) attaining :meth:`efficient_value`."""
        best = self.efficient_value(t)
        i = self.type_index(t)
        out = [OUTSIDE] if best == 0 else []
        out += [a for a, v in zip(self.alternatives, self.net_values[i]) if v == best]
        return tuple(out)

    def satisfies_standing_assumption(self) -> bool:
        """Paper 000, Sec. 3: every type has a unique efficient alternative, and it is not ``"0"``."""
        return all(
            len(e) == 1 and e[0] != OUTSIDE for e in (self.efficient_alternatives(t) for t in self.types)
        )

    def restrict(self, types: Iterable[str]) -> "Environment":
        """The environment with only the given types (order kept as given)."""
        keep = [self.type_index(t) for t in types]
        return Environment(
            tuple(self.types[i] for i in keep),
            self.alternatives,
            tuple(self.values[i] for i in keep),
            self.costs,
            self.title,
        )

    def market(self, weights: Mapping[str, object] | None = None, **kw: object) -> "Market":
        """Shorthand for :meth:`Market.from_mapping`."""
        return Market.from_mapping(self, {**(weights or {}), **kw})

    def to_dict(self) -> dict:
        """Exact-string form, inverse of :meth:`from_dict` (and of the TOML loader)."""
        d: dict = {}
        if self.title:
            d["title"] = self.title
        d["types"] = {
            t: {a: fmt(v) for a, v in zip(self.alternatives, row)}
            for t, row in zip(self.types, self.values)
        }
        if any(self.costs):
            d["costs"] = {a: fmt(c) for a, c in zip(self.alternatives, self.costs)}
        return d

    # ------------------------------------------------------------------ show
    def __str__(self) -> str:
        head = f"Environment {safe_text(repr(self.title))}" if self.title else "Environment"
        rows = [["v(t,a)", *(safe_name(a) for a in self.alternatives)]]
        rows += [[safe_name(t), *(fmt(v) for v in row)] for t, row in zip(self.types, self.values)]
        if any(self.costs):
            rows.append(["cost", *(fmt(c) for c in self.costs)])
        note = "outside option 0 is worth 0 to every type"
        if any(self.costs):
            note += "; the engine uses net values v - c"
        return f"{head} ({self.n} types, {self.k} alternatives; {note})\n{_table(rows)}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """Jupyter: the valuation table ``v(t, a)`` by name, exact values with decimals beside them."""
        from . import notebook as nb

        header = ["v(t, a)", *self.alternatives]
        rows = [[t, *row] for t, row in zip(self.types, self.values)]
        if any(self.costs):
            rows.append([nb.Html("<em>cost c(a)</em>"), *self.costs])
        note = "outside option 0 is worth 0 to every type"
        if any(self.costs):
            note += "; the engine uses net values v − c (paper 000, fn 5)"
        title = f"Environment {self.title}" if self.title else "Environment"
        return nb.block(f"{title} ({self.n} types, {self.k} alternatives)", nb.table(header, rows), note)

    def _repr_latex_(self) -> str:
        """Jupyter/nbconvert: the valuation matrix ``v(t, a)`` (rows types, columns alternatives)."""
        from . import notebook as nb

        rows = [(t, row) for t, row in zip(self.types, self.values)]
        if any(self.costs):
            rows.append(("c(a)", self.costs))
        return nb.latex_matrix("v(t,a)", self.alternatives, rows)


@dataclass(frozen=True)
class Market:
    """An exact distribution ``f`` over the types of an environment."""

    environment: Environment = field(repr=False)
    weights: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        env = self.environment
        if len(self.weights) != env.n:
            raise InputError("market: need one weight per type")
        for t, w in zip(env.types, self.weights):
            if not isinstance(w, Fraction):
                raise InputError(f"market.{t}: weights must be Fractions; use Market.from_mapping")
            if w < 0:
                raise InputError(f"market.{t}: weight {w} is negative; probabilities are ≥ 0")
        total = sum(self.weights, Fraction(0))
        if total != 1:
            raise InputError(
                f"market: weights sum to {total}, not 1; adjust them (exactly) so they sum to 1"
            )

    @classmethod
    def from_mapping(cls, env: Environment, weights: Mapping[str, object]) -> "Market":
        """Build from ``{type: probability}``; every type must be listed (use ``"0"``)."""
        if not isinstance(weights, Mapping) or not weights:
            raise InputError("market: give each type's probability, e.g. t1 = \"1/2\"")
        for t in weights:
            if not isinstance(t, str) or t not in env.types:
                raise InputError(f"market.{t}: unknown type {t!r}; known: {', '.join(env.types)}")
        missing = [t for t in env.types if t not in weights]
        if missing:
            raise InputError(
                f"market: no probability for {', '.join(missing)}; list every type "
                "(write \"0\" for a type absent from the market)"
            )
        return cls(env, tuple(_num(weights[t], f"market.{t}") for t in env.types))

    @classmethod
    def uniform(cls, env: Environment) -> "Market":
        return cls(env, tuple(Fraction(1, env.n) for _ in env.types))

    def __getitem__(self, t: str) -> Fraction:
        return self.weights[self.environment.type_index(t)]

    @property
    def support(self) -> tuple[str, ...]:
        """Types with positive probability."""
        return tuple(t for t, w in zip(self.environment.types, self.weights) if w > 0)

    def as_dict(self) -> dict[str, str]:
        return {t: fmt(w) for t, w in zip(self.environment.types, self.weights)}

    def __repr__(self) -> str:
        inner = ", ".join(f"{safe_name(t)}={fmt(w)}" for t, w in zip(self.environment.types, self.weights))
        return f"Market({inner})"

    def _repr_html_(self) -> str:
        """Jupyter: each type's probability, exact with its decimal."""
        from . import notebook as nb

        rows = [[t, w] for t, w in zip(self.environment.types, self.weights)]
        return nb.block("Market", nb.table(["type", "f(t)"], rows))

    def _repr_latex_(self) -> str:
        """Jupyter/nbconvert: ``f = (f(t1), ...)`` by type name."""
        from . import notebook as nb

        inner = r",\ ".join(f"f({nb.latex_name(t)}) = {nb.latex_num(w)}"
                             for t, w in zip(self.environment.types, self.weights))
        return f"$${inner}$$"


def parse_toml(text: str, source: str = "<string>", allowed: Iterable[str] | None = None) -> dict:
    """``tomllib.loads`` with every failure as one :class:`InputError` naming ``source``.

    Arrays or tables nested too deeply for the parser (``RecursionError``) are
    refused as such.  With ``allowed``, unknown top-level keys are refused.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError(
            f"{source}: arrays or tables are nested too deeply to read; no field of this "
            "format nests more than one level"
        ) from None
    if allowed is not None:
        allowed = set(allowed)
        unknown = set(data) - allowed
        if unknown:
            raise InputError(
                f"{source}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
                f"allowed: {', '.join(sorted(allowed))}"
            )
    return data


def read_text_file(path: str | Path) -> str:
    """The UTF-8 text of a file; an unreadable or non-UTF-8 file is an InputError naming it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_toml_file(path: str | Path, allowed: Iterable[str] | None = None) -> dict:
    """Read and parse a TOML file (see :func:`parse_toml`); unreadable files are an InputError."""
    return parse_toml(read_text_file(path), str(path), allowed)


def check_type_tables(types: object) -> tuple[list[str], list[str]]:
    """Check the ``[types.NAME]`` tables: ``{type: {alternative: value}}``.

    Names are valid (:func:`_check_name`: non-empty, no ``,``/``=``/newline,
    not the outside option ``"0"``), every type is a table, and every type
    values every alternative.  Returns (type names, alternative names) in input
    order.  The values themselves are not read here (numbers for
    :meth:`Environment.from_dict`, affine expressions for ``two-types --param``).
    """
    if not isinstance(types, Mapping) or not types:
        raise InputError("types: give at least one type, e.g. [types.t1] a = \"1\"")
    tnames = [_check_name(t, "type") for t in types]
    alts: list[str] = []
    for t, row in types.items():
        if not isinstance(row, Mapping):
            raise InputError(
                f"types.{t}: expected a table of alternative = value, got {type(row).__name__}"
            )
        for a in row:
            if a not in alts:
                alts.append(_check_name(a, "alternative"))
    if not alts:
        raise InputError("types: no alternative is valued; add e.g. a = \"1\" under each type")
    for t, row in types.items():
        missing = [a for a in alts if a not in row]
        if missing:
            raise InputError(
                f"types.{t}: missing valuation for {', '.join(missing)}; every type "
                "must value every alternative (write \"0\" or a negative value if it "
                "does not want it)"
            )
    return tnames, alts


def loads_toml(text: str, source: str = "<string>") -> tuple[Environment, Market | None]:
    """Parse the TOML format of the module docstring into (environment, market or None)."""
    data = parse_toml(text, source, _TOP_KEYS)
    if "types" not in data:
        raise InputError(f"{source}: no [types.NAME] table; each type needs one")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise InputError(f"{source}: title must be a string")
    env = Environment.from_dict(data["types"], data.get("costs"), title=title)
    market = Market.from_mapping(env, data["market"]) if "market" in data else None
    return env, market


def load_toml(path: str | Path) -> tuple[Environment, Market | None]:
    """Read an environment (and its market, if given) from a TOML file."""
    return loads_toml(read_text_file(path), source=str(path))
