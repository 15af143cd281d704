"""The paper-000 hunts: registered, deterministic, and the one against Lemma 2 as
written finds its (known) counterexample, written as TOML that reloads."""

from __future__ import annotations

import importlib

from exactscreen.environment import loads_toml
from exactscreen.hunt import InProcess, get_hunt, run_hunt
from exactscreen.mechanisms.optimum import optimal_mechanism


def _hunts():
    importlib.import_module("proofs_checks.hunts_pis")


def test_lemma2_hunt_finds_a_market_whose_perturbation_changes_the_optimal_set():
    _hunts()
    result = run_hunt(get_hunt("PIS-LEM2"), seed=0, budget=60, batch_size=20, executor=InProcess())
    assert result.found
    env, market = loads_toml(result.toml)
    assert market is not None and len(market.support) < env.n
    assert optimal_mechanism(env, market, binding=False).face.payment_rule_unique
    again = run_hunt(get_hunt("PIS-LEM2"), seed=0, budget=60, batch_size=20, executor=InProcess())
    assert again.toml == result.toml


def test_proposition_2_hunt_finds_nothing_in_a_short_run():
    _hunts()
    result = run_hunt(get_hunt("PIS-PROP2"), seed=1, budget=60, batch_size=5, max_batches=2, executor=InProcess())
    assert not result.found and result.tried == 10
