"""Environments and markets: loading, validation at the door, readable output."""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactscreen.exceptions import InputError
from exactscreen.environment import Environment, Market, loads_toml

GOOD = """
[types.tL]
aL = "3/4"
aH = "1"
[types.tH]
aL = "1"
aH = "2"
[costs]
aL = "0"
[market]
tL = "1/2"
tH = "1/2"
"""


def test_the_issue_toml_format_loads():
    env, market = loads_toml(GOOD)
    assert env.types == ("tL", "tH") and env.alternatives == ("aL", "aH")
    assert env.value("tL", "aL") == Fraction(3, 4) and env.value("tH", "0") == 0
    assert market.weights == (Fraction(1, 2), Fraction(1, 2))


def test_environment_prints_as_the_papers_table():
    env, market = loads_toml(GOOD)
    text = str(env)
    assert "v(t,a)" in text and "3/4" in text and "tH" in text
    assert repr(market) == "Market(tL=1/2, tH=1/2)"


def test_costs_give_net_values():
    env = Environment.from_dict({"t": {"a": 3}}, {"a": "1/4"})
    assert env.net_values == ((Fraction(11, 4),),)
    assert env.efficient_alternatives("t") == ("a",)


@pytest.mark.parametrize(
    "text,needle",
    [
        (GOOD.replace('aL = "3/4"', "aL = 0.75"), "types.tL.aL: got the float 0.75"),
        (GOOD.replace('aL = "3/4"', 'aL = "three quarters"'), "types.tL.aL: cannot read"),
        (GOOD.replace('aL = "3/4"\n', ""), "types.tL: missing valuation for aL"),
        (GOOD.replace('tL = "1/2"', 'tX = "1/2"'), "market.tX: unknown type"),
        (GOOD.replace('tL = "1/2"\n', ""), "market: no probability for tL"),
        (GOOD.replace('tL = "1/2"', 'tL = "-1/2"').replace('tH = "1/2"', 'tH = "3/2"'), "market.tL: weight -1/2 is negative"),
        (GOOD.replace('tL = "1/2"', 'tL = "1/3"'), "weights sum to 5/6, not 1"),
        (GOOD.replace("[costs]\naL", "[costs]\naX"), "costs.aX: unknown alternative"),
        (GOOD.replace("[types.tH]", "[types.0]"), 'type name "0" is reserved'),
        (GOOD + "\n[extra]\n", "unknown top-level key(s) extra"),
        ("[types.tL\n", "not valid TOML"),
        (GOOD.replace('tL = "1/2"', "tL = 0.5"), "market.tL: got the float 0.5"),
    ],
)
def test_bad_input_is_refused_naming_the_field(text, needle):
    with pytest.raises(InputError) as e:
        loads_toml(text)
    assert needle in str(e.value)


def test_duplicate_names_are_refused():
    with pytest.raises(InputError, match="listed twice"):
        Environment(("t", "t"), ("a",), ((Fraction(1),), (Fraction(1),)), (Fraction(0),))
    # TOML itself refuses a duplicate table; the loader reports it
    with pytest.raises(InputError, match="not valid TOML"):
        loads_toml('[types.t]\na="1"\n[types.t]\na="2"\n')


def test_market_must_list_every_type_and_be_exact():
    env, _ = loads_toml(GOOD)
    with pytest.raises(InputError, match="float"):
        Market.from_mapping(env, {"tL": 0.5, "tH": "1/2"})
    m = Market.from_mapping(env, {"tL": "0", "tH": 1})
    assert m.support == ("tH",)


def test_restrict_keeps_the_named_types():
    env, _ = loads_toml(GOOD)
    sub = env.restrict(["tH"])
    assert sub.types == ("tH",) and sub.values == (env.values[1],)
