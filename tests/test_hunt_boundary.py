"""Hunts whose counterexample is an environment and a market report where, along the line from a
market where the claim holds, the claim starts failing (issue 17, item 3): the certified sweep's
first failing piece and its exact breakpoint, then an exact bisection bracket.

The planted claim: "in PIS Sec. 3.1.1's environment the low type tL is served" (the selected
optimal mechanism gives it an alternative).  The paper's intervals (Sec. 3.1.1, Fig. 1): tL gets
aH on [0, 1/4], aL on (1/4, 3/4] and the outside option on (3/4, 1], q the weight of tH; so along
the line from tL alone (q = 0) to a counterexample market q1 > 3/4 the claim fails exactly from
l = (3/4) / q1, open at that end."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from fractions import Fraction as F
from pathlib import Path

import pytest

from exactscreen.environment import Market, load_toml
from exactscreen.hunt import Hunt, market_boundary, read_boundary

EXAMPLE = Path(__file__).resolve().parents[1] / "exactscreen" / "examples" / "pis_sec311.toml"

PLANTED = f'''
import random
from fractions import Fraction

from exactscreen.environment import Market, load_toml
from exactscreen.hunt import environment_to_toml, register_hunt
from exactscreen.mechanisms.mechanism import OUTSIDE
from exactscreen.mechanisms.optimum import optimal_mechanism

ENV, _ = load_toml({str(EXAMPLE)!r})


def tl_not_served(case):
    env, f = case
    return optimal_mechanism(env, f, binding=False).mechanism.option(0) == OUTSIDE


def draw(rng):
    q = Fraction(rng.randint(0, 40), 40)
    case = (ENV, Market(ENV, (1 - q, q)))
    return case if tl_not_served(case) else None


register_hunt("TOY-SERVED", draw, refutes=tl_not_served, to_toml=environment_to_toml, replace=True)
'''


def _tl_not_served(case) -> bool:
    from exactscreen.mechanisms.mechanism import OUTSIDE
    from exactscreen.mechanisms.optimum import optimal_mechanism

    env, f = case
    return optimal_mechanism(env, f, binding=False).mechanism.option(0) == OUTSIDE


@pytest.fixture(scope="module")
def env():
    e, _ = load_toml(EXAMPLE)
    return e


def _hunt(prop=_tl_not_served) -> Hunt:
    return Hunt("TOY-SERVED", lambda rng: None, refutes=prop)


def test_the_first_failing_piece_starts_at_the_papers_threshold(env):
    q1 = F(7, 8)
    bd = market_boundary(_hunt(), (env, Market(env, (1 - q1, q1))))
    assert bd["status"] == "found"
    assert bd["from"] == {"tL": "1", "tH": "0"}  # tL alone: served (aH at price 1)
    assert F(bd["breakpoint"]) == F(3, 4) / q1  # the paper's 3/4 on this line
    assert bd["breakpoint_market"] == {"tL": "1/4", "tH": "3/4"}
    assert bd["fails_from"]["lo_closed"] is False  # at q = 3/4 itself tL still gets aL
    holds_at, fails_at = F(bd["bisection"]["holds_at"]), F(bd["bisection"]["fails_at"])
    assert holds_at <= F(bd["breakpoint"]) < fails_at  # the bracket closes in on the breakpoint
    assert fails_at - F(bd["breakpoint"]) < F(1, 2**10)
    assert bd["holds_on"][-1] == f"{{{bd['breakpoint']}}}"  # the point piece at the kink: holds


def test_a_claim_that_changes_inside_a_piece_is_located_by_the_bisection(env):
    """A planted claim that is not constant on the sweep's pieces ("tH's weight is at most 1/3",
    inside the piece (1/4, 3/4)): the piece-level answer is that piece, the bisection brackets 1/3."""
    def heavy(case):
        return case[1].weights[1] > F(1, 3)

    bd = market_boundary(_hunt(heavy), (env, Market(env, (F(0), F(1)))), bisect_steps=30)
    assert bd["status"] == "found"
    assert (F(bd["fails_from"]["lo"]), F(bd["fails_from"]["hi"])) == (F(1, 4), F(3, 4))
    assert F(bd["bisection"]["holds_at"]) <= F(1, 3) < F(bd["bisection"]["fails_at"])
    assert F(bd["bisection"]["fails_at"]) - F(bd["bisection"]["holds_at"]) <= F(1, 2**30)


def test_no_boundary_without_a_market_where_the_claim_holds_or_without_a_market(env):
    assert market_boundary(_hunt(lambda case: True), (env, Market(env, (F(1, 2), F(1, 2))))) is None
    assert market_boundary(_hunt(), env) is None  # an environment alone: no line of markets


def _run_cli(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    checks = tmp_path / "checks"
    checks.mkdir(exist_ok=True)
    (checks / "hunt_toy_served.py").write_text(textwrap.dedent(PLANTED), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "exactscreen", "hunt", "TOY-SERVED", "--checks", str(checks), "--seed", "3",
         "--batch-size", "5", "--budget", "60", "--out", str(tmp_path / "out"), "-q", *extra],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )


def test_the_cli_prints_and_writes_the_boundary_and_the_file_still_loads(tmp_path):
    proc = _run_cli(tmp_path)
    assert proc.returncode == 1, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("boundary: "))
    path = tmp_path / "out" / "TOY-SERVED-counterexample.toml"
    text = path.read_text(encoding="utf-8")
    env, market = load_toml(path)  # the [boundary] block is commented: `exactscreen solve` still reads it
    bd = read_boundary(text)
    assert bd is not None and bd["status"] == "found"
    assert bd["to"] == market.as_dict()
    q1 = market.weights[1]
    assert F(bd["breakpoint"]) == F(3, 4) / q1 and bd["fails_from"]["lo_closed"] is False
    assert f"fails from l = {bd['breakpoint']}" in line
    solved = subprocess.run([sys.executable, "-m", "exactscreen", "solve", str(path), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert solved.returncode == 0 and json.loads(solved.stdout)["market"] == market.as_dict()


def test_the_cli_skips_the_boundary_when_asked(tmp_path):
    proc = _run_cli(tmp_path, "--no-boundary")
    assert proc.returncode == 1, proc.stderr
    assert not any(x.startswith("boundary: ") for x in proc.stdout.splitlines())
    text = (tmp_path / "out" / "TOY-SERVED-counterexample.toml").read_text(encoding="utf-8")
    assert read_boundary(text) is None


def test_no_boundary_for_a_hunt_that_cannot_evaluate_a_given_market(env):
    """A hunt with neither refutes= nor a strategy: its property draws its own instances."""
    h = Hunt("TOY-SERVED", lambda rng: None)
    assert market_boundary(h, (env, Market(env, (F(0), F(1))))) is None


def test_a_sweep_past_its_solve_budget_is_reported_undecided_not_guessed(env):
    bd = market_boundary(_hunt(), (env, Market(env, (F(1, 8), F(7, 8)))), max_solves=3)
    assert bd["status"] == "undecided" and "max_solves=3" in bd["reason"]
    assert "breakpoint" not in bd and "bisection" not in bd
