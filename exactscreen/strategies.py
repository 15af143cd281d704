"""Hypothesis strategies for small exact instances (tests, proofs_checks, hunts).

Environments have small rational valuations (denominators up to 4, negative
values included), and deliberately produce the degenerate cases the papers'
arguments turn on: tied valuations, duplicate alternatives (two columns
equal), copied types (two rows equal) and zero-probability types.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from .environment import Environment, Market

__all__ = ["small_rationals", "environments", "markets", "environment_and_market"]


def small_rationals(lo: int = -2, hi: int = 4, max_denominator: int = 4) -> st.SearchStrategy[Fraction]:
    """Rationals ``p/q`` in ``[lo, hi]`` with ``1 <= q <= max_denominator``."""
    return st.builds(
        lambda q, p: Fraction(p, q),
        st.integers(1, max_denominator),
        st.integers(lo * max_denominator, hi * max_denominator),
    ).filter(lambda x: lo <= x <= hi)


@st.composite
def environments(
    draw,
    min_types: int = 1,
    max_types: int = 3,
    min_alternatives: int = 1,
    max_alternatives: int = 3,
    values: st.SearchStrategy[Fraction] | None = None,
    costs: bool = True,
) -> Environment:
    """Environments with ties, duplicates and negative net values."""
    vals = small_rationals() if values is None else values
    n = draw(st.integers(min_types, max_types))
    k = draw(st.integers(min_alternatives, max_alternatives))
    rows = [[draw(vals) for _ in range(k)] for _ in range(n)]
    if n >= 2 and draw(st.booleans()):  # a copied type
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        rows[i] = list(rows[j])
    if k >= 2 and draw(st.booleans()):  # a duplicate alternative
        a, b = draw(st.integers(0, k - 1)), draw(st.integers(0, k - 1))
        for r in rows:
            r[a] = r[b]
    cost = [Fraction(0)] * k
    if costs and draw(st.booleans()):
        cost = [draw(small_rationals(0, 2)) for _ in range(k)]
    types = {f"t{i + 1}": {f"a{j + 1}": rows[i][j] for j in range(k)} for i in range(n)}
    return Environment.from_dict(types, {f"a{j + 1}": c for j, c in enumerate(cost)})


@st.composite
def markets(draw, env: Environment, allow_zero: bool = True) -> Market:
    """Exact markets; with ``allow_zero`` some types may have probability 0."""
    lo = 0 if allow_zero else 1
    w = [draw(st.integers(lo, 6)) for _ in env.types]
    if sum(w) == 0:
        w[draw(st.integers(0, env.n - 1))] = 1
    total = sum(w)
    return Market(env, tuple(Fraction(x, total) for x in w))


@st.composite
def environment_and_market(draw, allow_zero: bool = True, **env_kw) -> tuple[Environment, Market]:
    env = draw(environments(**env_kw))
    return env, draw(markets(env, allow_zero=allow_zero))
