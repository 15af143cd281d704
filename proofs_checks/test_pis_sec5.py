"""Paper 000, Sec. 5: linear valuations (fn 25)."""

from __future__ import annotations

from exactscreen.claims import claim
from exactscreen.environment import load_toml
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.mechanisms.segmentation import dominating_market

from .pis_common import EXAMPLES


@claim("PIS-FN25")
def test_footnote_25_allocation_distortion_and_binding_path(evidence):
    env, f = load_toml(EXAMPLES / "pis_fn25.toml")
    res = optimal_mechanism(env, f)
    m = res.mechanism
    alloc = tuple(m.option(i) for i in range(env.n))
    evidence.compared("optimal allocation", alloc, ("a1", "a1", "a2"))
    assert alloc == ("a1", "a1", "a2") and res.face.unique
    eff = tuple(env.efficient_alternatives(t)[0] for t in env.types)
    evidence.compared("efficient alternatives", eff, ("a1", "a2", "a2"))
    assert eff == ("a1", "a2", "a2")
    assert [env.types[i] for i in range(3) if not m.is_efficient_for(i)] == ["t2"]
    ir = [a for a, b in res.face.always_binding if b == "0"]
    evidence.compared("types whose IR binds", ir, ["t1"])
    assert ir == ["t1"] and [a for a, b in res.face.sometimes_binding if b == "0"] == ["t1"]
    proof = dominating_market(env, f)
    evidence.compared("binding IC path", proof.path, ("t2", "t1"))
    assert proof.path == ("t2", "t1") and proof.verified


# ------------------------------------------------------ Sec. 5: linear valuations
from fractions import Fraction as F

from hypothesis import assume, given
from hypothesis import strategies as st

from exactscreen.environment import Environment, Market

from .pis_common import FILTERING, long_path_cases


@st.composite
def linear_markets(draw):
    """A linear environment with a random full-support market."""
    env, types, alts, cost = draw(linear_environments())
    w = [draw(st.integers(1, 6)) for _ in env.types]
    return env, types, alts, cost, Market(env, tuple(F(x, sum(w)) for x in w))


@st.composite
def linear_environments(draw):
    """Types 0 < t1 < ... < tn, alternatives 0 < a1 < ... < ak, v(t, a) = t a, cost
    convex and increasing with c(0) = 0 (slopes non-decreasing from the origin)."""
    n = draw(st.integers(2, 4))
    k = draw(st.integers(1, 3))
    ts = sorted(draw(st.sets(st.integers(1, 12), min_size=n, max_size=n)))
    types = [F(t, 4) for t in ts]
    alts = [F(a, 2) for a in sorted(draw(st.sets(st.integers(1, 6), min_size=k, max_size=k)))]
    slopes = sorted(F(draw(st.integers(0, 12)), 4) for _ in alts)
    cost, prev_a, prev_c = [], F(0), F(0)
    for a, s in zip(alts, slopes):
        prev_c = prev_c + s * (a - prev_a)
        prev_a = a
        cost.append(prev_c)
    env = Environment.from_dict(
        {f"t{i + 1}": {f"a{j + 1}": t * a for j, a in enumerate(alts)} for i, t in enumerate(types)},
        {f"a{j + 1}": c for j, c in enumerate(cost)},
    )
    assume(env.satisfies_standing_assumption())
    return env, types, alts, cost


@claim("PIS-LIN")
@FILTERING
@given(st.one_of(linear_markets(), long_path_cases(linear=True)))
def test_linear_valuations_dominating_market_is_an_interval_ending_at_the_next_type(evidence, lin):
    """Sec. 5: starting from an inefficient t_j (with t' = t_{j+1}), the dominating
    market is an interval of types t_j', ..., t_{j+1}; from the lowest inefficient
    type it is a prefix t_1, ..., t_{j+1}.  Hard case: a binding IC path of 2+ types
    (the interval is then more than {t_j, t_{j+1}}); ``long_path_cases`` builds linear
    environments (v = θ q, cost q²/2) with paths of 3+ types."""
    env, types, alts, cost, f = lin
    res = optimal_mechanism(env, f, face=False)
    assume(not res.efficient)
    m = res.mechanism
    bad = [i for i in range(env.n) if not m.is_efficient_for(i)]
    assert env.n - 1 not in bad  # no distortion at the top (fn 26)
    for j0 in bad:
        # the proof first moves the start to the last inefficient type of its path (WLOG step)
        j = env.type_index(dominating_market(env, f, start=env.types[j0]).start)
        proof = dominating_market(env, f, start=env.types[j], t_prime=env.types[j + 1])
        idx = sorted(env.type_index(t) for t in proof.restricted.types)
        assert idx == list(range(idx[0], j + 2))  # an interval ending at t_{j+1}
        assert proof.verified
        if j0 == bad[0]:
            assert idx[0] == 0  # from the lowest inefficient type: a prefix t_1, ..., t_{j+1}
            evidence.reach("binding IC path longer than one type", len(proof.path) >= 2)


@claim("PIS-LIN")
@FILTERING
@given(st.one_of(linear_markets(), long_path_cases(linear=True)))
def test_optimal_allocation_maximizes_virtual_surplus_when_virtual_values_increase(evidence, lin):
    """φ_i = t_i − (t_{i+1} − t_i) Σ_{i'>i} f(t_i') / f(t_i) (Sec. 5).  When the φ_i
    increase (no ironing, fn 27) and each φ_i a − c(a) has a unique maximizer over
    the alternatives and the outside option, that maximizer is the optimal allocation."""
    env, types, alts, cost, market = lin
    f = list(market.weights)
    n = env.n
    phi = [types[i] - ((types[i + 1] - types[i]) * sum(f[i + 1:]) / f[i] if i + 1 < n else 0) for i in range(n)]
    assume(all(a < b for a, b in zip(phi, phi[1:])))
    choice = []
    for p in phi:
        vals = [F(0)] + [p * a - c for a, c in zip(alts, cost)]
        best = max(vals)
        assume(vals.count(best) == 1)
        choice.append(vals.index(best))
    res = optimal_mechanism(env, Market(env, tuple(f)), binding=False)
    names = ["0", *env.alternatives]
    assert [res.mechanism.option(i) for i in range(n)] == [names[c] for c in choice]
    assert res.face.unique
    evidence.reach("a distorted (inefficient) virtual-surplus allocation",
                   not res.mechanism.is_efficient(market))
