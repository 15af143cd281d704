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


# ---------------------------------------------------------------- hard cases
def _chain_environment(thetas) -> Environment:
    """Types ``θ_0 < ... < θ_{n-1}``, one alternative per type with quality ``q_j = θ_j``
    and cost ``q²/2`` (Sec. 5's linear valuations ``v(t, a) = t·a`` with costs, fn 24):
    ``θ q − q²/2`` peaks at ``q = θ``, so each type's efficient alternative is its own,
    uniquely (the standing assumption of Sec. 3)."""
    n = len(thetas)
    types = [f"t{i + 1}" for i in range(n)]
    alts = [f"q{i + 1}" for i in range(n)]
    env = Environment.from_dict(
        {t: {a: th * q for a, q in zip(alts, thetas)} for t, th in zip(types, thetas)},
        costs={a: Fraction(q * q, 2) for a, q in zip(alts, thetas)},
    )
    assert env.satisfies_standing_assumption()
    return env


@st.composite
def long_path_cases(draw, min_types: int = 3, max_types: int | None = None, distort: bool = True, linear: bool = False):
    """An inefficient full-support market whose optimal mechanism has a binding IC
    path of ``d + 1 >= 3`` types from its inefficient type (Sec. 4.1.2's S̄; issue 13:
    "efficient mechanisms M* with binding IC chains of 3-6 types and the markets of
    Lemma 4 around them").

    Built backwards from Lemma 4's Expression (1) (App. A.1) in the chain order
    ``t_n → ... → t_1`` (highest type first): with ``Δ_i = θ_{i+1} − θ_i`` and
    ``h_i`` = mass above ``i`` / mass of ``i``, the term of type ``i`` is maximized by
    the quality nearest ``θ_i − Δ_i h_i``.  The masses are chosen from the top down so
    that every type but one is assigned its efficient quality strictly, and type ``d``
    (``2 <= d <= n − 2``) strictly prefers the quality ``θ_{d−1}``: ``d`` pools with
    ``d − 1`` and the binding path is ``t_{d+1} → t_d → ... → t_1`` (``t_1``'s IR binds).
    Generic by construction (every maximizer strict), so the optimum is unique.

    ``distort=False``: no type is distorted: an efficient full-support market whose
    unique optimum is an efficient mechanism with the binding chain ``t_n → ... → t_1``
    (exactly Lemma 4's situation).  ``linear=True`` also returns Sec. 5's data
    ``(env, types, alternatives, costs, market)``.
    """
    cap = max_types or (6 if settings.default.max_examples >= 1000 else 5)
    n = draw(st.integers(max(min_types, 4), cap))
    gaps = [draw(st.integers(1, 3)) for _ in range(n - 1)]
    th = [draw(st.integers(1, 3))]
    for g in gaps:
        th.append(th[-1] + g)
    d = draw(st.integers(2, n - 2))
    fr = st.sampled_from([Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)])
    mass = [Fraction(0)] * n
    mass[n - 1] = Fraction(1)
    above = Fraction(1)
    for i in range(n - 2, -1, -1):
        delta = Fraction(th[i + 1] - th[i])
        if i == d and distort:  # distorted to θ_{d−1}: Δ_d h_d in (Δ_{d−1}/2, Δ_{d−1}/2 + Δ_{d−2}/2)
            target = Fraction(th[d] - th[d - 1], 2) + draw(fr) * Fraction(th[d - 1] - th[d - 2], 2)
        elif i == 0:  # served at its efficient quality: φ_0 > θ_0 / 2
            target = draw(fr) * Fraction(th[0], 2)
        else:  # efficient: Δ_i h_i < (θ_i − θ_{i−1}) / 2
            target = draw(fr) * Fraction(th[i] - th[i - 1], 2)
        mass[i] = above * delta / target
        above += mass[i]
    env = _chain_environment(th)
    f = Market(env, tuple(m / above for m in mass))
    if linear:
        return env, [Fraction(x) for x in th], [Fraction(x) for x in th], [Fraction(x * x, 2) for x in th], f
    return env, f


def efficient_chain_cases(**kw):
    """Efficient full-support markets of 4+ types built from Lemma 4 (see :func:`long_path_cases`)."""
    return long_path_cases(distort=False, **kw)


def on_hyperplane(market: Market, coefficients) -> Market | None:
    """The market where the segment from ``market`` to a degenerate market δ_t meets the
    Lemma 3 hyperplane ``Σ c_t f(t) = 0`` (Sec. 4.2), for the first type ``t`` whose
    coefficient has the sign opposite to ``Σ c_t market(t)``; None if there is none."""
    h = sum((c * w for c, w in zip(coefficients, market.weights)), Fraction(0))
    if h == 0:
        return market
    for t, c in enumerate(coefficients):
        if (c > 0) != (h > 0) and c != 0:
            s = h / (h - c)
            w = tuple((1 - s) * x + (s if i == t else 0) for i, x in enumerate(market.weights))
            return Market(market.environment, w)
    return None
