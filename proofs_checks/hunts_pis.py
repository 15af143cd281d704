"""Counterexample hunts for paper 000 (``exactscreen hunt PIS-PROP2`` etc.).

Each hunt draws random small environments and markets from a seeded
``random.Random`` and runs the engine's construction; a failure is written as a TOML environment
with its market (``exactscreen solve FILE`` reproduces it).
"""

from __future__ import annotations

from fractions import Fraction

import random

from exactscreen.environment import Environment, Market
from exactscreen.hunt import environment_to_toml, register_hunt
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.mechanisms.segmentation import dominating_market, two_segment_improvement


def _draw_case(rng):
    """A random environment satisfying the standing assumption, and a market (may
    have zero weights).  Values k/4 with k in [-4, 16]; each type's efficient
    alternative is raised strictly above its other values and 0."""
    n, k = rng.randint(2, 4), rng.randint(1, 3)
    types = {}
    for i in range(n):
        row = [Fraction(rng.randint(-4, 16), 4) for _ in range(k)]
        e = rng.randrange(k)
        row[e] = max([Fraction(0), *(v for j, v in enumerate(row) if j != e)]) + Fraction(rng.randint(1, 4), 4)
        types[f"t{i + 1}"] = {f"a{j + 1}": v for j, v in enumerate(row)}
    env = Environment.from_dict(types)
    w = [rng.randint(0, 6) for _ in range(n)]
    if sum(w) == 0:
        w[0] = 1
    return env, Market(env, tuple(Fraction(x, sum(w)) for x in w))


def proposition_2_construction(rng_or_case):
    """Proposition 2: every inefficient market has an efficient Pareto dominating market
    with a unique optimal mechanism, built by the proof of Sec. 4.1.2."""
    case = _case(rng_or_case)
    env, f = case
    if optimal_mechanism(env, f, face=False).efficient:
        return None
    return None if dominating_market(env, f).verified else case


def theorem_1_construction(rng_or_case):
    """Theorem 1's construction: an inefficient market with a unique optimal payment
    rule has a Pareto improving two-segment segmentation."""
    case = _case(rng_or_case)
    env, f = case
    res = optimal_mechanism(env, f, binding=False)
    if res.efficient or not res.face.payment_rule_unique:
        return None
    return None if two_segment_improvement(env, f).verified else case


def lemma_2_as_written(rng_or_case):
    """Lemma 2 read literally with fn 14's uniqueness (types in the market only): a market
    with a unique optimal payment rule keeps its optimal mechanisms when an absent type
    gets a tiny weight.  The report qualifies it; this hunt finds counterexamples."""
    case = _case(rng_or_case)
    env, f = case
    if len(f.support) == env.n:
        return None
    res = optimal_mechanism(env, f, binding=False)
    if not res.face.payment_rule_unique:
        return None
    absent = [i for i, w in enumerate(f.weights) if w == 0]
    eps = Fraction(1, 10**6)
    for i in absent:
        w = tuple((1 - eps) * x if j != i else eps for j, x in enumerate(f.weights))
        near = optimal_mechanism(env, Market(env, w), binding=False)
        if near.face.payment != res.face.payment:
            return case
    return None


def _case(rng_or_case):
    return _draw_case(rng_or_case) if isinstance(rng_or_case, random.Random) else rng_or_case


def _shrink(case):
    from exactscreen.hunt import shrink_environment

    env, f = case
    for smaller in shrink_environment(env):
        if smaller.types == env.types:
            yield smaller, Market(smaller, f.weights)
        elif set(smaller.types) <= set(env.types):
            w = [f[t] for t in smaller.types]
            if sum(w) > 0:
                yield smaller, Market(smaller, tuple(x / sum(w) for x in w))


def _refutes_prop2(case):
    return case[0].satisfies_standing_assumption() and proposition_2_construction(case) is not None


def _refutes_thm1(case):
    return case[0].satisfies_standing_assumption() and theorem_1_construction(case) is not None


def _refutes_lem2(case):
    return case[0].satisfies_standing_assumption() and lemma_2_as_written(case) is not None


# module-level functions only: the hunt is pickled to worker processes by reference
register_hunt("PIS-PROP2", proposition_2_construction, shrink=_shrink, refutes=_refutes_prop2, to_toml=environment_to_toml)
register_hunt("PIS-THM1", theorem_1_construction, shrink=_shrink, refutes=_refutes_thm1, to_toml=environment_to_toml)
register_hunt("PIS-LEM2", lemma_2_as_written, shrink=_shrink, refutes=_refutes_lem2, to_toml=environment_to_toml)
