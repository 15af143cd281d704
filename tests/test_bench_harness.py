"""The benchmark harness (bench/): seeded instances, and one tiny end-to-end run.

The benchmark itself never runs in the test suite (``python -m bench.run``).
"""

from __future__ import annotations

import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # bench/ is not installed: import it from the checkout
    sys.path.insert(0, str(_ROOT))

from bench.instances import (  # noqa: E402
    InstanceSpec,
    build,
    degenerate_specs,
    paper_instance,
    random_instance,
)


def test_random_instance_is_a_function_of_its_seed():
    assert random_instance(10, 4, seed=3, rep=1) == random_instance(10, 4, seed=3, rep=1)
    env_a, m_a = random_instance(10, 4, seed=3, rep=1)
    env_b, m_b = random_instance(10, 4, seed=3, rep=1)
    assert (env_a.values, m_a.weights) == (env_b.values, m_b.weights)


def test_other_seeds_and_reps_give_other_instances():
    base = random_instance(10, 4, seed=3, rep=0)[0].values
    assert random_instance(10, 4, seed=4, rep=0)[0].values != base
    assert random_instance(10, 4, seed=3, rep=1)[0].values != base


def test_random_family_is_issue_8s():
    env, market = random_instance(20, 8, seed=1)
    allowed = {Fraction(m, 4) for m in range(-5, 21)}
    assert (env.n, env.k) == (20, 8)
    assert all(v in allowed for row in env.values for v in row)
    assert all(w > 0 for w in market.weights) and sum(market.weights) == 1
    lcm_den = max(w.denominator for w in market.weights)
    assert all(1 <= w * lcm_den <= 10 for w in market.weights)  # weights 1..10, normalized


def test_degenerate_family_has_breakpoints_copies_and_zero_probability_types():
    env, market = paper_instance("1/4", copies=2, zero_copies=1, dup_alts=True)
    assert env.n == 6 and env.k == 4
    assert sorted(market.weights) == [0, 0, Fraction(1, 8), Fraction(1, 8), Fraction(3, 8), Fraction(3, 8)]
    specs = degenerate_specs(seed=1)
    assert {s.q for s in specs if s.family == "paper"} >= {"1/4", "3/4", "0", "1"}
    assert build(specs[0]) == build(specs[0])


def test_harness_runs_end_to_end_and_agrees_exactly_with_sympy():
    pytest.importorskip("highspy")
    pytest.importorskip("sympy")
    from bench.run import markdown, run_bench

    t0 = time.perf_counter()
    result = run_bench(
        [InstanceSpec("random", 2, 2, seed=7)], peers=["highs", "sympy"], timeout=60,
        face_max_n=0, log=lambda *a, **k: None,
    )
    # A guard against a hang, not a benchmark: each peer runs in a fresh process (start-up and
    # imports included), so on a loaded 2-core machine this takes 15-35 s instead of ~5 s.
    assert time.perf_counter() - t0 < 90
    solves = result["instances"][0]["solves"]
    assert solves["exactscreen"]["status"] == "ok" and solves["sympy"]["status"] == "ok"
    ours = solves["exactscreen"]["objective"]
    assert isinstance(ours, Fraction) and ours == solves["sympy"]["objective"]
    assert solves["exactscreen"]["certificate_ok"]
    assert abs(solves["highs"]["objective"] - float(ours)) < 1e-9
    assert result["mismatches"] == []
    assert "exact / HiGHS run" in markdown(result)


def test_scale_fit_exponent_and_shim():
    from bench.instances import random_instance
    from bench.scale import fit_exponent, load_api

    assert abs(fit_exponent([(10, 3.0), (20, 12.0), (40, 48.0)]) - 2) < 1e-12
    assert fit_exponent([(10, 1.0)]) is None
    api = load_api("shim")
    assert api.is_shim and "SHIM" in api.solve_name
    env, market = random_instance(3, 2, seed=5)
    sol = api.solve(env, market)
    assert bool(sol.check) and isinstance(sol.result.objective, Fraction)


def test_scale_bench_smoke_end_to_end():
    """bench.scale on tiny sizes: every part that is cheap, in fresh processes, certified and reported."""
    pytest.importorskip("highspy")
    import json

    from bench.run import _jsonable
    from bench.scale import ScaleConfig, markdown, run_scale

    t0 = time.perf_counter()
    cfg = ScaleConfig(
        parts=("main", "face", "peers", "scaling", "hunt"), main_size=(3, 3), peer_sizes=((3, 3),),
        peers=("z3",), peer_timeout=30, scaling_n=(3,), scaling_n_k=3, scaling_k=(3,), scaling_k_n=3,
        hunt_count=30, hunt_chunk=10, hunt_workers=1, timeout=60, repeat_budget=0.0,
    )
    result = run_scale(cfg, log=lambda *a, **k: None)
    assert time.perf_counter() - t0 < 30
    assert result["problems"] == []
    main = result["main"]
    why = {k: (main[k]["status"], main[k].get("error")) for k in ("highs", "solve", "face")}
    assert main["solve"]["status"] == "ok" and main["solve"]["certified"] and main["solve"]["xcheck"], why
    assert main["highs"]["status"] == "ok" and main["face"]["status"] == "ok", why
    assert abs(main["highs"]["objective"] - float(Fraction(main["solve"]["objective"]))) < 1e-9
    assert "e2e/highs_run" in main["ratios"] and "solve+face/highs_run" in main["ratios"]
    assert result["hunt"]["workers1"]["certified"] == 30
    cert = result["certification"]
    assert cert["certified"] == cert["results"] > 30
    md = markdown(result)
    assert "Targets (issue 8)" in md and ("SHIM" in md) == result["api"]["shim"]
    json.dumps(_jsonable(result))


def test_scale_isolation_timeout_keeps_progress():
    from bench.scale_isolation import isolated

    done = isolated("sleep", {"seconds": 0.1}, timeout=20)
    assert done["status"] == "ok" and done["slept"] == 0.1
    late = isolated("sleep", {"seconds": 30}, timeout=1.0)
    assert late["status"] == "timeout" and late["progress"]["slept"] == 0
    assert 0 < late["since_progress_s"] <= late["wall_s"] < 5


def test_scale_ratios():
    from bench.scale import _ratios

    hi = {"status": "ok", "run_s": 2.0, "run_cpu_s": 2.0, "build_exact_s": 1.0, "convert_s": 0.5, "pass_s": 0.5}
    es = {"status": "ok", "wall_s": 1.0, "cpu_s": 1.0}
    r = _ratios(hi, es, {"status": "ok", "wall_s": 8.0, "face_s": 7.0})
    assert (r["e2e/highs_run"], r["e2e/highs_from_exact"], r["solve+face/highs_run"], r["face/highs_run"]) == (
        0.5, 0.25, 4.0, 3.5)
    assert _ratios(hi, es, {"status": "timeout", "timeout_s": 50.0})["solve+face/highs_run>"] == 25.0
    late = {"status": "timeout", "since_progress_s": 100.0}
    assert _ratios(late, {"status": "ok", "wall_s": 30.0, "cpu_s": 30.0}, None) == {"e2e/highs_run<": 0.3}
