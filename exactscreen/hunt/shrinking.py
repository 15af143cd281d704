"""Shrinking counterexamples: the greedy deterministic minimizer (:func:`minimize`) and a ready
shrinker for environments (:func:`shrink_environment`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterator

from ..environment import Environment
from .registry import Hunt, HuntError, instance_summary, one_line

_DONE = object()  # end of a shrinker's candidates


def minimize(h: Hunt, cx: Any, max_steps: int = 2000) -> tuple[Any, int]:
    """Greedy deterministic shrinking: (minimized counterexample, accepted steps).

    Repeatedly replaces ``cx`` by the first candidate of ``h.shrink(cx)`` that
    still refutes the claim, until no candidate does or ``max_steps``
    candidates were tried.
    """
    if h.shrink is None:
        return cx, 0
    tried = accepted = 0
    progress = True
    while progress and tried < max_steps:
        progress = False
        candidates = user_call(h, "shrink", cx, h.shrink, cx)
        while True:
            candidate = user_call(h, "shrink", cx, next, candidates, _DONE)
            if candidate is _DONE:
                break
            tried += 1
            if user_call(h, "refutes", candidate, h.still_refutes, candidate):
                cx, accepted, progress = candidate, accepted + 1, True
                break
            if tried >= max_steps:
                break
    return cx, accepted


def user_call(h: Hunt, what: str, instance: Any, f: Any, *args: Any) -> Any:
    """``f(*args)``, a call into the user's hunt code (``what``: ``"refutes"``, ``"shrink"`` or
    ``"to_toml"``); an exception becomes one :class:`HuntError` line naming the hunt, the
    function, the exception and the instance: a bug in the hunt to fix, never a counterexample."""
    try:
        return f(*args)
    except Exception as exc:  # noqa: BLE001 - any exception of the user's code is reported the same way
        name = {"refutes": "refutes function", "shrink": "shrinker", "to_toml": "to_toml function"}[what]
        if what == "refutes" and h.refutes is None:
            name = "property"  # strategy form: the property itself decides
        during = "writing the counterexample" if what == "to_toml" else "minimizing a counterexample"
        raise HuntError(
            f"hunt {h.claim}: the {name} raised {type(exc).__name__}: {one_line(str(exc))} "
            f"on instance {instance_summary(instance)} (while {during}); fix the {name}"
        ) from exc


def _complexity(x: Fraction) -> tuple[int, int, int]:
    return (abs(x.numerator) + x.denominator, x.denominator, 1 if x < 0 else 0)


def _simpler(x: Fraction) -> list[Fraction]:
    """Values strictly simpler than ``x`` (by size of numerator + denominator), simplest first."""
    q, r = divmod(x.numerator, x.denominator)
    cands = {Fraction(0), Fraction(1), Fraction(-1), Fraction(q), Fraction(q + (1 if r else 0)), -x}
    if x.denominator > 1:
        cands.add(Fraction(x.numerator // 2 or (1 if x > 0 else -1), x.denominator))
        cands.add(Fraction(round(x * 2), 2))
    cands.add(x / 2 if x.numerator % 2 == 0 else Fraction(x.numerator // 2, x.denominator))
    return sorted((c for c in cands if _complexity(c) < _complexity(x)), key=_complexity)


def shrink_environment(env: Environment) -> Iterator[Environment]:
    """Simpler environments, simplest first: fewer types, fewer alternatives, no costs,
    then each value replaced by a simpler rational (0, ±1, its integer part, ...).

    Every candidate is strictly smaller in a well-founded order, so greedy
    shrinking terminates.
    """
    if env.n > 1:
        for i in range(env.n):
            keep = [t for j, t in enumerate(env.types) if j != i]
            yield env.restrict(keep)
    if env.k > 1:
        for j in range(env.k):
            yield Environment(
                env.types,
                tuple(a for b, a in enumerate(env.alternatives) if b != j),
                tuple(tuple(v for b, v in enumerate(row) if b != j) for row in env.values),
                tuple(c for b, c in enumerate(env.costs) if b != j),
                env.title,
            )
    if any(env.costs):
        yield Environment(env.types, env.alternatives, env.values, tuple(Fraction(0) for _ in env.costs), env.title)
        for j, c in enumerate(env.costs):
            for s in _simpler(c):
                costs = list(env.costs)
                costs[j] = s
                yield Environment(env.types, env.alternatives, env.values, tuple(costs), env.title)
    for i, row in enumerate(env.values):
        for j, v in enumerate(row):
            for s in _simpler(v):
                values = [list(r) for r in env.values]
                values[i][j] = s
                yield Environment(env.types, env.alternatives, tuple(map(tuple, values)), env.costs, env.title)
