"""Paper 000, Sec. 5 and App. A.3: lowest type (Lemma 5), best alternative
(Lemma 6), bundling (App. A.3.3, Fig. 5, fn 32), fn 28."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import assume, given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import Environment, Market, load_toml
from exactscreen.mechanisms.mechanism import Mechanism
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.mechanisms.segmentation import dominating_market, pareto_compare
from exactscreen.strategies import markets

from .pis_common import EXAMPLES, FILTERING, markets_within_support, paper_environments


# ---------------------------------------------------------------- fn 28
@claim("PIS-FN28")
def test_two_starting_types_give_two_different_dominating_markets(evidence):
    env, f = load_toml(EXAMPLES / "pis_fn28.toml")
    res = optimal_mechanism(env, f, binding=False)
    m = res.mechanism
    assert res.face.unique
    assert m.option(0) == "0" and not m.is_efficient_for(0)  # t1: outside option, inefficient
    assert m.option(1) not in ("0",) and not m.is_efficient_for(1)  # t2: inefficient alternative
    assert m.is_efficient_for(2)  # t3 efficient
    assert m.surplus(0) == 0 and m.surplus(1) == 0  # IR of t1 and t2 bind
    from_t1 = dominating_market(env, f, start="t1")
    from_t2 = dominating_market(env, f, start="t2")
    s1 = {t for t, w in zip(env.types, from_t1.market.weights) if w}
    s2 = {t for t, w in zip(env.types, from_t2.market.weights) if w}
    evidence.compared("dominating market from t1", sorted(s1), ["t1", "t2"])
    evidence.compared("dominating market from t2", sorted(s2), ["t2", "t3"])
    assert from_t1.path == ("t1",) and from_t2.path == ("t2",)
    assert s1 == {"t1", "t2"} and s2 == {"t2", "t3"}
    assert from_t1.verified and from_t2.verified


# ---------------------------------------------------------------- Lemma 5
@st.composite
def lowest_type_cases(draw):
    env = draw(paper_environments(min_types=2))
    low = draw(st.integers(0, env.n - 1))
    others = [r for i, r in enumerate(env.values) if i != low]
    drop = [draw(st.sampled_from([F(1, 4), F(1, 2), F(1)])) for _ in env.alternatives]
    row = tuple(min(r[j] for r in others) - drop[j] for j in range(env.k))
    values = tuple(row if i == low else r for i, r in enumerate(env.values))
    new = Environment(env.types, env.alternatives, values, env.costs)
    assume(new.satisfies_standing_assumption())
    f = draw(markets(new, allow_zero=False))
    if draw(st.booleans()):
        # the "always" half of Lemma 5 needs the lowest type served: give it most of the
        # mass (serving it then pays more than excluding it), keeping full support
        w = [x if i != low else x + 3 for i, x in enumerate(f.weights)]
        f = Market(new, tuple(x / sum(w) for x in w))
    res = optimal_mechanism(new, f, face=False)
    assume(not res.efficient)
    return new, f, new.types[low], res


@claim("PIS-LEM5")
@FILTERING
@given(lowest_type_cases(), st.data())
def test_lowest_type_belongs_to_a_dominating_market(evidence, case, data):
    env, f, low, res = case
    i = env.type_index(low)
    evidence.reach("the lowest type excluded (outside option) in the optimum", res.mechanism.option(i) == "0")
    evidence.reach("the lowest type served (every dominating market must contain it)", res.mechanism.option(i) != "0")
    if res.mechanism.option(i) != "0":
        # every dominating market includes the lowest type: markets without it never dominate
        proof = dominating_market(env, f)
        assert proof.verified and proof.market[low] > 0
        for _ in range(3):
            g = data.draw(markets_within_support(env, f))
            if g[low] == 0:
                assert not pareto_compare(env, g, f).dominates
        # and always one market on the other types only
        without = [0 if t == low else w for t, w in zip(env.types, f.weights)]
        g = Market(env, tuple(x / sum(without) for x in without))
        assert not pareto_compare(env, g, f).dominates
        evidence.note("lowest type served: constructed market contains it; markets without it never dominate")
    else:
        proof = dominating_market(env, f, start=low)
        assert proof.verified and proof.market[low] > 0
        assert sum(1 for w in proof.market.weights if w) == 2
        evidence.note("lowest type excluded: a two-type dominating market with it exists")
    evidence.instances(1)


# ---------------------------------------------------------------- Lemma 6
@st.composite
def best_alternative_cases(draw):
    env = draw(paper_environments(min_types=2))
    best = draw(st.integers(0, env.k - 1))
    rows = []
    for r in env.values:
        top = max([F(0), *(v for j, v in enumerate(r) if j != best)]) + draw(st.sampled_from([F(1, 4), F(1)]))
        rows.append(tuple(max(v, top) if j == best else v for j, v in enumerate(r)))
    new = Environment(env.types, env.alternatives, tuple(rows), env.costs)
    f = draw(markets(new, allow_zero=False))
    res = optimal_mechanism(new, f, face=False)
    assume(not res.efficient)
    return new, f, res


@claim("PIS-LEM6")
@FILTERING
@given(best_alternative_cases())
def test_best_alternative_gives_a_two_type_dominating_market(evidence, case):
    env, f, res = case
    m = res.mechanism
    # the observation in the proof: some inefficiently served type has a binding IR
    starts = [t for i, t in enumerate(env.types) if not m.is_efficient_for(i) and m.surplus(i) == 0]
    assert starts
    evidence.reach("3+ types in the market (two-type dominating market is a strict restriction)", env.n >= 3)
    proof = dominating_market(env, f, start=starts[0])
    assert proof.verified
    assert sum(1 for w in proof.market.weights if w) == 2
    evidence.instances(1)


# ------------------------------------------------------------ App. A.3.3
@claim("PIS-A33")
def test_bundling_fn32_mechanism_and_the_dominating_market_t2_t3(evidence):
    env, f = load_toml(EXAMPLES / "pis_a33.toml")
    for eps in (F(1, 100), F(1, 1000), F(1, 10**6)):
        mk = Market(env, (eps, (1 - eps) * F(2, 5), (1 - eps) * F(3, 5)))
        res = optimal_mechanism(env, mk, binding=False)
        m = res.mechanism
        # product 1 at v(t2,{1}) = 2, grand bundle at v(t2,{1}) + v(t3,{2}) = 6
        expected = Mechanism.from_dict(env, {"t1": "1", "t2": "1", "t3": "12"}, {"t1": 2, "t2": 2, "t3": 6})
        assert res.face.unique and m == expected
        proof = dominating_market(env, mk)
        support = {t for t, w in zip(env.types, proof.market.weights) if w}
        assert proof.path[-1] == "t2" and support == {"t2", "t3"} and proof.verified
        # Fig. 5(c) in the dominating market: both get the grand bundle at v(t2) = 4
        assert [proof.Mstar.option(i) for i in range(2)] == ["12", "12"] and proof.Mstar.payments == (4, 4)
        assert proof.comparison.cs_new["t3"] == 3 > proof.comparison.cs_old["t3"] == 1
    evidence.note("fn 32 mechanism is the unique optimum for eps = 1/100, 1/1000, 1/10^6; path ends in t2; {t2,t3} dominates")


@claim("PIS-A33")
def test_figure_5c_is_never_optimal_when_t1_is_in_the_market(evidence):
    """App. A.3.3: 'consider a market with all three types in which the fraction of type
    t2 is large enough that the mechanism depicted in Figure 5, (c) is optimal'.  With
    t1 in the market, Fig. 5(c) (grand bundle at 4, t1 excluded) is never optimal:
    also selling product 1 to t1 at 5/2 stays IC-IR and adds f(t1)·5/2 to revenue.
    What the paper uses holds for the actual optimum: t1 gets the lottery
    1/2 {1} + 1/2 {1,2} at 3 (IR binds), t1 is the only inefficient type, and
    {t1, t2} and {t1, t3} both dominate."""
    env, _ = load_toml(EXAMPLES / "pis_a33.toml")
    fig5c = Mechanism.from_dict(env, {"t1": "0", "t2": "12", "t3": "12"}, {"t1": 0, "t2": 4, "t3": 4})
    better = Mechanism.from_dict(env, {"t1": "1", "t2": "12", "t3": "12"}, {"t1": "5/2", "t2": 4, "t3": 4})
    assert fig5c.is_ic and fig5c.is_ir and better.is_ic and better.is_ir
    # revenue(better) - revenue(fig5c) = f(t1) * 5/2 > 0 for every market with f(t1) > 0
    assert [b - a for a, b in zip(fig5c.payments, better.payments)] == [F(5, 2), 0, 0]
    mk = env.market(t1="1/10", t2="7/10", t3="2/10")
    res = optimal_mechanism(env, mk, binding=False)
    assert res.revenue > fig5c.revenue(mk)
    m = res.mechanism
    assert res.face.unique
    assert m.allocation_dict(0) == {"1": "1/2", "12": "1/2"} and m.payments[0] == 3
    assert [m.option(1), m.option(2)] == ["12", "12"] and m.payments[1:] == (4, 4)
    assert [m.surplus(0), m.surplus(1)] == [0, 0]
    assert [m.is_efficient_for(i) for i in range(3)] == [False, True, True]
    supports = set()
    for tp in ("t2", "t3"):
        proof = dominating_market(env, mk, start="t1", t_prime=tp)
        assert proof.verified and proof.path == ("t1",)
        supports.add(frozenset(t for t, w in zip(env.types, proof.market.weights) if w))
    assert supports == {frozenset({"t1", "t2"}), frozenset({"t1", "t3"})}
    def second_route() -> bool:
        """selected_check (independent of Mechanism.is_ic) confirms both menus IC-IR with their
        revenues in three markets with f(t1) > 0, and the revenue gap is f(t1)·5/2 > 0."""
        from exactscreen.mechanisms.selected_check import check_selected_mechanism

        ok = True
        for w in (("1/10", "7/10", "2/10"), ("1/100", "98/100", "1/100"), ("1/3", "1/3", "1/3")):
            g = env.market(t1=w[0], t2=w[1], t3=w[2])
            r5 = sum((a * b for a, b in zip(g.weights, (F(0), F(4), F(4)))), F(0))
            rb = r5 + g.weights[0] * F(5, 2)
            ok = ok and check_selected_mechanism(env, g, fig5c.allocation, fig5c.payments, r5).ok
            ok = ok and check_selected_mechanism(env, g, better.allocation, better.payments, rb).ok and rb > r5
        return ok

    evidence.qualified(
        "for a large enough fraction of t2 (all three types present) Fig. 5(c) is optimal",
        "Fig. 5(c) earns f(t1)·5/2 less than the IC-IR mechanism that also sells product 1 to t1 at 5/2, "
        "for every f with f(t1) > 0",
        "the optimum there gives t1 the lottery 1/2 {1} + 1/2 {1,2} at 3 (IR binds; e.g. f = (1/10, 7/10, 1/5)); "
        "t1 is the only inefficient type and {t1,t2}, {t1,t3} both Pareto dominate, as the paper concludes",
        instance={"environment": "paper 000 App. A.3.3 (exactscreen/examples/pis_a33.toml)",
                  "fig5c": str(fig5c), "better": str(better), "market": mk.as_dict()},
        confirmed_by="selected_check: independent IC-IR and revenue check of both menus in markets with f(t1) > 0",
        confirm=second_route,
    )
