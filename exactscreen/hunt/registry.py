"""The registry of hunts: a claim's property with its shrinker and TOML writer (:class:`Hunt`),
registered with :func:`register_hunt` or the :func:`hunt` decorator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..exceptions import InputError

def describe_counterexample(cx: Any) -> str:
    """A counterexample as a reader wants it (the default ``describe`` of a hunt).

    An environment prints as its table, a market as ``market: t1 = 1/2, t2 = 1/2``
    (exact strings), a tuple or list one item per line (``None`` items left
    out), a mapping one ``name = value`` per line, numbers exactly; anything
    else by ``str``.  Never a raw Python tuple.
    """
    from fractions import Fraction

    from ..display import safe_name
    from ..environment import Environment, Market
    from ..numbers import fmt

    if isinstance(cx, Market):
        weights = ", ".join(f"{safe_name(t)} = {fmt(w)}" for t, w in zip(cx.environment.types, cx.weights))
        return f"market: {weights}"
    if isinstance(cx, Environment):
        return str(cx)
    if isinstance(cx, (tuple, list)):
        return "\n".join(describe_counterexample(x) for x in cx if x is not None)
    if isinstance(cx, dict):
        return "\n".join(f"{safe_name(k)} = {describe_counterexample(v)}" for k, v in cx.items())
    if isinstance(cx, (Fraction, int)) and not isinstance(cx, bool):
        return fmt(cx)
    return str(cx)


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line (whitespace runs, newlines included, become one space), cut to ``limit``."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def instance_summary(cx: Any, limit: int = 300) -> str:
    """An instance on one line for an error message: ``t1: a1 = 1; t2: a1 = 2``, exact strings."""
    from ..environment import Environment

    if isinstance(cx, Environment):
        d = cx.to_dict()
        parts = [f"{t}: " + ", ".join(f"{a} = {v}" for a, v in row.items()) for t, row in d["types"].items()]
        if "costs" in d:
            parts.append("costs: " + ", ".join(f"{a} = {c}" for a, c in d["costs"].items()))
        return one_line("; ".join(parts), limit)
    if isinstance(cx, (tuple, list)):
        return one_line("; ".join(instance_summary(x, limit) for x in cx if x is not None), limit)
    try:
        return one_line(describe_counterexample(cx), limit)
    except Exception:  # noqa: BLE001 - a message about a broken hunt must not break in turn
        return f"<{type(cx).__name__}>"


class HuntError(RuntimeError):
    """The property itself failed (raised) while hunting: a bug to fix, not a counterexample."""


@dataclass(frozen=True)
class Hunt:
    """A claim's property with what it takes to search, minimize and write counterexamples."""

    claim: str
    prop: Callable[[Any], Any]
    strategy: Any = None
    shrink: Callable[[Any], Iterable[Any]] | None = None
    refutes: Callable[[Any], bool] | None = None
    to_toml: Callable[[Any], str] | None = None
    describe: Callable[[Any], str] = describe_counterexample
    doc: str = ""

    def __post_init__(self) -> None:
        if not callable(self.prop):
            raise InputError(f"hunt {self.claim}: prop must be a function")
        if self.shrink is not None and self.refutes is None and self.strategy is None:
            raise InputError(
                f"hunt {self.claim}: a shrinker needs refutes=, a function saying whether a "
                "candidate is still a counterexample (prop takes a random.Random, so it cannot)"
            )

    def still_refutes(self, candidate: Any) -> bool:
        """Whether a shrink candidate is still a counterexample."""
        if self.refutes is not None:
            return bool(self.refutes(candidate))
        return self.prop(candidate) is not None  # strategy form: prop takes an instance

    def __repr__(self) -> str:
        how = "hypothesis strategy" if self.strategy is not None else "random.Random"
        return f"Hunt({self.claim}: {getattr(self.prop, '__name__', 'prop')}({how}))"


_HUNTS: dict[str, Hunt] = {}


def register_hunt(
    claim: str,
    prop: Callable[[Any], Any],
    *,
    strategy: Any = None,
    shrink: Callable[[Any], Iterable[Any]] | None = None,
    refutes: Callable[[Any], bool] | None = None,
    to_toml: Callable[[Any], str] | None = None,
    describe: Callable[[Any], str] = describe_counterexample,
    replace: bool = False,
) -> Hunt:
    """Register the hunt of ``claim`` (see the module docstring); returns it.

    A claim has one hunt; registering another raises unless ``replace=True``
    (re-importing the same module re-registers the same function: allowed).
    """
    from ..claims.registry import ID_PATTERN

    if not isinstance(claim, str) or not ID_PATTERN.fullmatch(claim):
        raise InputError(f"register_hunt: {claim!r} is not a claim ID (PREFIX-NAME, e.g. STT-LEM1)")
    h = Hunt(claim, prop, strategy, shrink, refutes, to_toml, describe, (prop.__doc__ or "").strip())
    old = _HUNTS.get(claim)
    same = old is not None and getattr(old.prop, "__qualname__", None) == getattr(prop, "__qualname__", None) \
        and getattr(old.prop, "__module__", None) == getattr(prop, "__module__", None)
    if old is not None and not replace and not same:
        raise InputError(f"register_hunt: claim {claim} already has a hunt ({old!r}); pass replace=True")
    _HUNTS[claim] = h
    return h


def hunt(claim: str, **options: Any) -> Callable[[Callable], Callable]:
    """Decorator form of :func:`register_hunt`: ``@hunt("TOY-1", shrink=..., refutes=...)``."""

    def decorate(prop: Callable) -> Callable:
        register_hunt(claim, prop, **options)
        return prop

    return decorate


def get_hunt(claim: str) -> Hunt:
    """The registered hunt of ``claim`` (raises :class:`InputError` listing the known ones)."""
    try:
        return _HUNTS[claim]
    except KeyError:
        known = ", ".join(sorted(_HUNTS)) or "none"
        raise InputError(
            f"no hunt is registered for {claim!r}; registered: {known}. A check module "
            "registers one with exactscreen.hunt.register_hunt"
        ) from None


def registered_hunts() -> tuple[str, ...]:
    """Claim IDs that have a hunt, sorted."""
    return tuple(sorted(_HUNTS))
