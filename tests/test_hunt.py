"""``exactscreen hunt``: a deliberately false toy claim is refuted in-process, on 2 local
processes and on a Dask LocalCluster, with the same minimized counterexample each time."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import strategies as st

from exactscreen.cli import main as cli
from exactscreen.exceptions import InputError
from exactscreen.environment import Environment, Market, load_toml
from exactscreen.hunt import InProcess, batch_seed, environment_to_toml, get_hunt, minimize, register_hunt, run_hunt, shrink_environment

TOY = "TOY-EFF"  # false: "every 2-type environment has the same efficient alternatives for both types"


def random_two_type_environment(rng: random.Random) -> Environment:
    k = rng.randint(1, 3)
    alts = [f"a{j}" for j in range(1, k + 1)]
    types = {
        t: {a: Fraction(rng.randint(-6, 6), rng.randint(1, 4)) for a in alts} for t in ("t1", "t2")
    }
    return Environment.from_dict(types)


def refutes(env: Environment) -> bool:
    """The toy claim fails on ``env``."""
    return env.n == 2 and env.efficient_alternatives(env.types[0]) != env.efficient_alternatives(env.types[1])


def same_efficient_alternative(rng: random.Random) -> Environment | None:
    env = random_two_type_environment(rng)
    return env if refutes(env) else None


register_hunt(
    TOY,
    same_efficient_alternative,
    shrink=shrink_environment,
    refutes=refutes,
    to_toml=environment_to_toml,
    replace=True,
)


@pytest.fixture
def no_checks(tmp_path: Path) -> Path:
    """An empty checks directory, so the hunt command imports no check modules."""
    d = tmp_path / "no_checks"
    d.mkdir()
    return d


def hunt(capsys, out: Path, no_checks: Path, *extra: str) -> tuple[int, str]:
    code = cli.main(["hunt", TOY, "--budget", "30", "--batch-size", "1", "--checks", str(no_checks),
                     "--out", str(out), "-q", *extra])
    return code, capsys.readouterr().out


def test_in_process_hunt_writes_a_minimized_reloadable_counterexample(capsys, tmp_path, no_checks):
    code, out = hunt(capsys, tmp_path / "a", no_checks)
    assert code == 1 and "counterexample found in batch" in out
    path = tmp_path / "a" / f"{TOY}-counterexample.toml"
    env, market = load_toml(path)
    assert market is None and refutes(env)
    assert env.k == 1 and {v for row in env.values for v in row} <= {-1, 0, 1}  # minimized
    assert path.read_text().startswith(f"# Counterexample to {TOY}\n# found by `exactscreen hunt {TOY} --seed 0")


def test_two_local_workers_find_the_same_counterexample(capsys, tmp_path, no_checks):
    hunt(capsys, tmp_path / "a", no_checks)
    code, out = hunt(capsys, tmp_path / "b", no_checks, "--workers", "2")
    assert code == 1 and "local processes" in out
    name = f"{TOY}-counterexample.toml"
    assert (tmp_path / "b" / name).read_text() == (tmp_path / "a" / name).read_text()


def test_dask_local_cluster_finds_the_same_counterexample(capsys, tmp_path, no_checks):
    distributed = pytest.importorskip("dask.distributed")
    hunt(capsys, tmp_path / "a", no_checks)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        code, out = hunt(capsys, tmp_path / "c", no_checks, "--scheduler", cluster.scheduler_address)
    assert code == 1 and "dask" in out
    name = f"{TOY}-counterexample.toml"
    assert (tmp_path / "c" / name).read_text() == (tmp_path / "a" / name).read_text()


def test_lowest_batch_wins_whatever_arrives_first():
    h = get_hunt(TOY)
    first = run_hunt(h, seed=7, batch_size=1, max_batches=50)
    again = run_hunt(h, seed=7, batch_size=1, max_batches=50, executor=InProcess())
    assert first.found and (first.batch, first.tried, first.toml) == (again.batch, again.tried, again.toml)
    # every batch before the winner had no counterexample
    for i in range(first.batch):
        rng = random.Random(batch_seed(7, TOY, i))
        assert same_efficient_alternative(random.Random(rng.getrandbits(64))) is None


def test_a_true_property_exits_0_after_its_batches(capsys, tmp_path, no_checks):
    register_hunt("TOY-TRUE", lambda rng: None, replace=True)
    code = cli.main(["hunt", "TOY-TRUE", "--max-batches", "3", "--batch-size", "10", "--checks", str(no_checks),
                     "--out", str(tmp_path), "-q"])
    assert code == 0
    assert "no counterexample in 30 instances (3 batches" in capsys.readouterr().out
    assert list(tmp_path.glob("*.toml")) == []


def test_hypothesis_strategy_hunts_use_hypothesis_shrinking():
    h = register_hunt(
        "TOY-SQUARE",
        lambda x: x if x * x < x else None,
        strategy=st.fractions(min_value=-3, max_value=3, max_denominator=6),
        replace=True,
    )
    result = run_hunt(h, seed=1, batch_size=200, max_batches=5)
    assert result.found and 0 < result.minimized < 1
    assert result.minimized.denominator <= 3  # shrunk, not a random draw
    assert result.toml is None


def test_unknown_claim_and_bad_registrations_are_input_errors(capsys, no_checks):
    assert cli.main(["hunt", "TOY-NOPE", "--checks", str(no_checks)]) == 2
    err = capsys.readouterr().err
    assert "no hunt is registered for 'TOY-NOPE'" in err and TOY in err
    with pytest.raises(InputError, match="needs refutes="):
        register_hunt("TOY-BAD", same_efficient_alternative, shrink=shrink_environment)
    with pytest.raises(InputError, match="not a claim ID"):
        register_hunt("toy", same_efficient_alternative)


def test_list_shows_registered_hunts(capsys, no_checks):
    assert cli.main(["hunt", "--list", "--checks", str(no_checks)]) == 0
    assert TOY in capsys.readouterr().out.split()


def test_shrinking_terminates_at_a_local_minimum():
    env = Environment.from_dict({"t1": {"a": "7/3", "b": "-5/2"}, "t2": {"a": "-11/4", "b": "9/5"}},
                                costs={"a": "1/3"})
    small, steps = minimize(get_hunt(TOY), env)
    assert refutes(small) and steps > 0
    assert not any(refutes(c) for c in shrink_environment(small))


def test_environment_toml_round_trips_with_costs_market_and_odd_names():
    env = Environment.from_dict({"type A": {"a.b": "-3/4", "c": "2"}, "t2": {"a.b": "1", "c": "0.5"}},
                                costs={"c": "1/8"}, title='say "hi"')
    market = Market.from_mapping(env, {"type A": "1/3", "t2": "2/3"})
    from exactscreen.environment import loads_toml

    env2, market2 = loads_toml(environment_to_toml((env, market)))
    assert env2 == env and market2.weights == market.weights


def test_a_property_that_raises_is_reported_with_its_batch(capsys, no_checks):
    def broken(rng):
        return 1 // (rng.randint(0, 0))

    register_hunt("TOY-RAISES", broken, replace=True)
    assert cli.main(["hunt", "TOY-RAISES", "--checks", str(no_checks), "-q"]) == 3
    err = capsys.readouterr().err
    assert "the property raised ZeroDivisionError" in err and "in batch 0 (seed 0" in err
