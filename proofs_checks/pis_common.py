"""Shared strategies and instances for the checks of paper 000 (PIS)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import exactscreen
from exactscreen.environment import Environment, Market, load_toml
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.strategies import environments, markets

EXAMPLES = Path(exactscreen.__file__).parent / "examples"


def sec311() -> Environment:
    return load_toml(EXAMPLES / "pis_sec311.toml")[0]


def q_market(env: Environment, q) -> Market:
    """Two-type market with ``q`` = probability of the second type (the paper's notation)."""
    q = Fraction(q)
    return Market(env, (1 - q, q))


def size_caps() -> tuple[int, int]:
    """(types, alternatives) drawn at most: 3 x 3 under the ``ci`` profile, 6 x 5 under
    ``deep`` (``exactscreen check --profile deep``), as the issue asks."""
    deep = settings.default.max_examples >= 1000
    return (6, 5) if deep else (3, 3)


@st.composite
def paper_environments(
    draw, min_types: int = 1, max_types: int | None = None, max_alternatives: int | None = None
) -> Environment:
    """Small environments satisfying the paper's standing assumption (Sec. 3) by
    construction: each type's efficient alternative is raised strictly above its
    other values and above 0.  Ties elsewhere, negative values and copied types
    still occur.  Default sizes: :func:`size_caps`."""
    cap_n, cap_k = size_caps()
    env = draw(environments(
        min_types=min_types, max_types=max_types or cap_n,
        max_alternatives=max_alternatives or cap_k, costs=False,
    ))
    rows = []
    for row in env.values:
        e = draw(st.integers(0, env.k - 1))
        bump = draw(st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1)]))
        top = max([Fraction(0), *(v for j, v in enumerate(row) if j != e)]) + bump
        rows.append(tuple(max(v, top) if j == e else v for j, v in enumerate(row)))
    out = Environment(env.types, env.alternatives, tuple(rows), env.costs)
    assert out.satisfies_standing_assumption()
    return out


@st.composite
def inefficient_cases(draw, full_support: bool = False, **kw):
    env = draw(paper_environments(**kw))
    mk = draw(markets(env, allow_zero=not full_support))
    res = optimal_mechanism(env, mk, face=False)
    from hypothesis import assume

    assume(not res.efficient)
    return env, mk


@st.composite
def efficient_cases(draw, **kw):
    env = draw(paper_environments(**kw))
    mk = draw(markets(env))
    res = optimal_mechanism(env, mk, face=False)
    from hypothesis import assume

    assume(res.efficient)
    return env, mk


@st.composite
def markets_within_support(draw, env: Environment, of: Market) -> Market:
    """A market whose types are among those of ``of``."""
    w = [draw(st.integers(0, 5)) if f > 0 else 0 for f in of.weights]
    if sum(w) == 0:
        w[of.weights.index(max(of.weights))] = 1
    return Market(env, tuple(Fraction(x, sum(w)) for x in w))


#: for properties over inefficient (or efficient) markets, which are found by filtering
FILTERING = settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
