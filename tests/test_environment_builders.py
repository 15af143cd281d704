"""``Environment.from_functions``: environments given by functions of exact parameters."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from exactscreen import Environment, optimal_mechanism
from exactscreen.exceptions import InputError


def test_types_by_qualities_with_value_theta_times_a_and_a_cost_keep_names_and_numbers():
    env = Environment.from_functions([1, 2], [F(1, 4), F(1, 2), F(3, 4), 1], lambda th, a: th * a,
                                     cost=lambda a: a * a / 2)
    assert env.types == ("1", "2") and env.alternatives == ("1/4", "1/2", "3/4", "1")
    assert env.costs == (F(1, 32), F(1, 8), F(9, 32), F(1, 2))
    for i, t in enumerate(env.types):
        for j, a in enumerate(env.alternatives):
            assert env.values[i][j] == F(t) * F(a)  # names map back to the numbers exactly
            assert env.value(t, a) == F(t) * F(a) - F(a) ** 2 / 2  # the net value
    res = optimal_mechanism(env, env.market({"1": F(1, 2), "2": F(1, 2)}))
    assert res.verified


def test_named_parameters_and_the_same_environment_as_from_dict():
    env = Environment.from_functions({"low": 1, "high": "3/2"}, {"q": F(1, 2)}, lambda th, a: th * a)
    assert env == Environment.from_dict({"low": {"q": F(1, 2)}, "high": {"q": F(3, 4)}})


@pytest.mark.parametrize("kwargs, message", [
    (dict(types=[1, 2], alternatives=[0, 1], value=lambda t, a: t * a), "alternatives[0] is 0"),
    (dict(types=[1, 1], alternatives=[1], value=lambda t, a: t * a), "the parameter 1 is listed twice"),
    (dict(types=[1], alternatives=[1], value=lambda t, a: 0.5), "value(1, 1) for type 1, alternative 1"),
    (dict(types=[0.5], alternatives=[1], value=lambda t, a: t), "types[0]"),
    (dict(types="12", alternatives=[1], value=lambda t, a: t), "give a mapping"),
    (dict(types=[1], alternatives=[1], value=lambda t, a: t, cost=lambda a: 0.1), "cost(1) for alternative 1"),
])
def test_bad_parameters_and_float_results_are_input_errors_naming_where(kwargs, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        Environment.from_functions(**kwargs)


def test_welfare_of_the_optimal_mechanism_adds_up_and_shows_in_the_json():
    from exactscreen import load_toml
    from importlib import resources

    env, market = load_toml(resources.files("exactscreen.examples").joinpath("pis_sec311.toml"))
    res = optimal_mechanism(env, market)
    w = res.welfare
    assert w.revenue == res.revenue
    assert w.consumer_surplus == sum(f * u for f, u in zip(market.weights, res.mechanism.surpluses))
    assert w.total_surplus == w.consumer_surplus + w.revenue
    assert w.efficiency_loss == w.efficient_surplus - w.total_surplus >= 0
    assert (w.efficiency_loss == 0) == res.efficient
    data = res.to_json()["welfare"]
    assert data["revenue"] == str(res.revenue) and set(data["surplus"]) == set(env.types)
    assert "consumer surplus" in str(w) and "<table>" in w._repr_html_()


def test_segmentation_welfare_totals_are_the_weighted_segment_totals():
    from exactscreen import check_segmentation
    from importlib import resources
    from exactscreen import load_toml

    env, market = load_toml(resources.files("exactscreen.examples").joinpath("pis_sec311.toml"))
    lo = env.market({env.types[0]: 1, env.types[1]: 0})
    w = market.weights[0]
    segs = [(w, lo), (1 - w, env.market({env.types[0]: 0, env.types[1]: 1}))]
    chk = check_segmentation(env, market, segs)
    after, before = chk.welfare_after, chk.welfare_before
    assert after.revenue == chk.revenue_after and before.revenue == chk.revenue_before
    assert after.total_surplus == after.consumer_surplus + after.revenue
    assert after.consumer_surplus == sum(f * u for f, u in zip(market.weights, after.surplus))
    assert after.efficient_surplus == before.efficient_surplus
