"""``exactscreen hunt`` run as a user runs it (a subprocess, a user's hunt module in ``--checks DIR``):
what it prints for a counterexample, and how it reports a hunt whose own code raises."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

TOY_MODULE = '''
from fractions import Fraction
from exactscreen.environment import Environment, Market
from exactscreen.hunt import environment_to_toml, register_hunt, shrink_environment


def draw(rng):
    env = Environment.from_dict({"t1": {"a1": Fraction(rng.randint(0, 3), 2)}, "t2": {"a1": Fraction(7, 3)}})
    return (env, Market.from_mapping(env, {"t1": Fraction(1, 3), "t2": Fraction(2, 3)}))


register_hunt("TOY-PAIR", draw, to_toml=environment_to_toml)
'''


def run_hunt_cli(checks: Path, claim: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "exactscreen", "hunt", claim, "--checks", str(checks), "--seed", "0",
         "--batch-size", "1", "--max-batches", "1", "-q", "--out", str(out), *extra],
        capture_output=True, text=True, timeout=120,
    )


def write_checks(tmp_path: Path, source: str) -> Path:
    d = tmp_path / "checks"
    d.mkdir()
    (d / "hunt_toy.py").write_text(textwrap.dedent(source))
    return d


def test_a_found_environment_and_market_print_as_a_table_and_name_value_pairs_not_a_tuple(tmp_path):
    proc = run_hunt_cli(write_checks(tmp_path, TOY_MODULE), "TOY-PAIR", tmp_path / "out")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("TOY-PAIR: counterexample found in batch 0")
    assert lines[1].startswith("Environment (2 types, 1 alternatives")
    assert "market: t1 = 1/3, t2 = 2/3" in lines
    assert "7/3" in proc.stdout
    assert "Market(" not in proc.stdout and "(Environment" not in proc.stdout and "Fraction(" not in proc.stdout
    assert lines[-1].startswith("written to ")


RAISING_MODULE = '''
from fractions import Fraction
from exactscreen.environment import Environment
from exactscreen.hunt import environment_to_toml, register_hunt, shrink_environment


def draw(rng):
    return Environment.from_dict({"t1": {"a1": Fraction(1)}, "t2": {"a1": Fraction(rng.randint(2, 5))}})


def refutes(env):
    return 1 // 0 > 0


register_hunt("TOY-X", draw, shrink=shrink_environment, refutes=refutes, to_toml=environment_to_toml)
'''


def test_a_refutes_that_raises_is_one_stderr_line_naming_hunt_and_exception_with_exit_3_never_found(tmp_path):
    out = tmp_path / "out"
    proc = run_hunt_cli(write_checks(tmp_path, RAISING_MODULE), "TOY-X", out)
    assert proc.returncode == 3  # documented: the hunt's own code raised (1 would mean "found")
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("exactscreen hunt: error: hunt TOY-X: the refutes function raised ZeroDivisionError: ")
    assert " on instance t" in lines[0] and "a1 = " in lines[0]
    assert lines[0].endswith("fix the refutes function (--debug prints its traceback)")
    assert not out.exists()


def test_debug_prints_the_users_traceback_before_the_line(tmp_path):
    proc = run_hunt_cli(write_checks(tmp_path, RAISING_MODULE), "TOY-X", tmp_path / "out", "--debug")
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.startswith("Traceback (most recent call last):")
    assert "hunt_toy.py" in proc.stderr and "return 1 // 0 > 0" in proc.stderr
    last = proc.stderr.splitlines()[-1]
    assert last.startswith("exactscreen hunt: error: hunt TOY-X: the refutes function raised ZeroDivisionError")


def test_a_to_toml_that_raises_is_reported_as_the_hunts_bug_not_as_found(tmp_path):
    source = TOY_MODULE.replace("to_toml=environment_to_toml", "to_toml=lambda cx: str(1 / 0)")
    proc = run_hunt_cli(write_checks(tmp_path, source), "TOY-PAIR", tmp_path / "out")
    assert proc.returncode == 3
    assert proc.stderr.count("\n") == 1 and "the to_toml function raised ZeroDivisionError" in proc.stderr
    assert "found" not in proc.stdout
