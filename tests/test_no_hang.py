"""No check can hang (issue 13, item 5).

Engine loops: each test breaks the engine on purpose (a tie comparison that
misses ties, a ball comparison that never decides, a (37) test that never
holds, a null space that never empties, back pointers that cycle), so that
the loop as it was would never end, and asserts that the loop's bound stops
it with NotCertified / Undecided / InputError, within a few seconds (an
in-process ``SIGALRM`` watchdog fails the test instead of hanging the suite).

Checks: a toy check that never returns (and a property whose third example
never returns) run through ``exactscreen check --timeout`` on one process and
on two (pytest-xdist) and come back as ``error`` rows "timed out after N s",
the other checks unaffected.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from fractions import Fraction as F
from pathlib import Path

import flint
import pytest

from exactscreen.claims import deadline
from exactscreen.exceptions import InputError, NotCertified, Undecided

SECONDS = 20  # generous on a loaded machine: each broken loop ends in well under a second


class Hung(BaseException):
    pass


@contextmanager
def must_end_within(seconds: float):
    """Fail (not hang) if the block runs longer than ``seconds``."""
    def fire(signum, frame):
        raise Hung(f"still running after {seconds} s: the loop has no working bound")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- two types
def test_upper_envelope_with_missed_ties_stops_at_its_step_bound(monkeypatch):
    from exactscreen.two_types import analysis

    def first_maximizer_only(points, q):  # the tie mutation: `elif val == best` dropped
        best, out = None, []
        for name, (x, y) in points.items():
            val = x - q * y
            if best is None or val > best:
                best, out = val, [name]
        return frozenset(out)

    points = {"s": (F(30), F(60)), "f": (F(15), F(20)), "0": (F(0), F(0))}
    assert analysis.upper_envelope(points).points == (0, F(3, 8), F(3, 4), 1)  # unbroken
    monkeypatch.setattr(analysis, "argmax_direction", first_maximizer_only)
    with must_end_within(SECONDS), pytest.raises(NotCertified, match=r"upper_envelope: .* in 4 steps .*3 lines"):
        analysis.upper_envelope(points)


# ----------------------------------------------------------------- entropy
def test_entropy_witness_with_a_broken_successor_test_stops_at_its_nudge_bound(monkeypatch):
    from exactscreen.persuasion import entropy as ent

    monkeypatch.setattr(ent, "successor_ok", lambda x, y: y >= 1)  # (37) never holds below 1
    with must_end_within(SECONDS), pytest.raises(NotCertified, match=r"feasible_witness: atom 2 .* 64 nudges"):
        ent.feasible_witness(atoms=30)


def test_geometric_series_whose_stopping_test_never_decides_is_undecided(monkeypatch):
    from exactscreen.persuasion import entropy as ent

    class NeverSmall:  # 2^-tol_bits becomes a ball no term is certainly below
        const_log2 = staticmethod(flint.arb.const_log2)

        def __new__(cls, *args):
            return flint.arb(0, 1) if args == (2,) else flint.arb(*args)

    monkeypatch.setattr(ent, "arb", NeverSmall)
    with must_end_within(SECONDS), pytest.raises(Undecided, match=r"geometric_entropy_series: .* after 162 terms"):
        ent.geometric_entropy_series(F(1, 2), tol_bits=80)  # bound floor(80/(1/2)) + 2 = 162


def test_geometric_series_refuses_a_sum_longer_than_its_budget():
    from exactscreen.persuasion import entropy as ent

    with must_end_within(SECONDS), pytest.raises(InputError, match=r"needs up to 80000000002 terms"):
        ent.geometric_entropy_series(F(1, 10**9))


@pytest.mark.parametrize("delta,ratio", [(F(1, 2**30), F(1)), (F(1, 2**30), F(9, 10)), (F(0), F(2))])
def test_entropy_grid_that_would_not_end_is_refused(delta, ratio):
    from exactscreen.persuasion import entropy as ent

    with must_end_within(SECONDS), pytest.raises(InputError, match=r"need delta > 0 and ratio > 1"):
        ent._grid(delta, ratio, F(1, 20), 10)


def test_entropy_grid_past_its_budget_is_refused(monkeypatch):
    from exactscreen.persuasion import entropy as ent

    monkeypatch.setattr(ent, "MAX_GRID", 50)
    with must_end_within(SECONDS), pytest.raises(InputError, match=r"more than 50 geometric grid points"):
        ent._grid(F(1, 2**30), F(21, 20), F(1, 20), 10)
    assert len(ent._grid(F(1, 2**30), F(2), F(1, 20), 10)) == 26 + 1 + 10  # 2^-30..2^-5, 1/20, 10 steps


# -------------------------------------------------------------- partitions
def test_partition_dp_back_pointers_that_cycle_stop_at_n_cells():
    from exactscreen.persuasion import partitions

    back = {(2, 4): (0, 2), (0, 2): None}
    assert partitions._walk_back((2, 4), back.get, 4, "dp") == [(2, 4), (0, 2)]
    cycle = {(2, 4): (0, 2), (0, 2): (2, 4)}  # a broken DP: c < a no longer holds
    with must_end_within(SECONDS), pytest.raises(NotCertified, match=r"dp: .* within 4 cells"):
        partitions._walk_back((2, 4), cycle.get, 4, "dp")


# -------------------------------------------------------- payment polytope
def test_payment_polytope_affine_hull_with_a_null_space_that_never_empties_stops(monkeypatch):
    from exactscreen.environment import Environment
    from exactscreen.mechanisms import optimum

    env = Environment.from_dict({"L": {"a": 1}, "H": {"a": 2}})
    assert optimum.payment_polytope(env).dimension == 2  # unbroken
    monkeypatch.setattr(optimum, "_nullspace", lambda rows, n: [[F(1)] + [F(0)] * (n - 1)])
    with must_end_within(SECONDS), pytest.raises(NotCertified, match=r"affine hull search did not end in 3 rounds"):
        optimum.payment_polytope(env)


# ------------------------------------------------- per-check wall-clock limit
def test_wall_clock_limit_stops_a_loop_that_swallows_exceptions():
    start = time.monotonic()
    with must_end_within(SECONDS), pytest.raises(deadline.CheckTimeout) as info:
        with deadline.wall_clock_limit(0.5):
            while True:
                try:
                    time.sleep(0.01)
                except Exception:  # noqa: BLE001 - what a careless check might do
                    pass
    assert time.monotonic() - start < SECONDS
    assert "timed out after 0.5 s" in info.value.describe()
    assert "test_wall_clock_limit_stops_a_loop_that_swallows_exceptions" in info.value.where
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# the first alarm may land in hypothesis' gc callback, which swallows it; the repeat (GRACE) stops the test
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_wall_clock_limit_is_not_shrunk_by_hypothesis():
    from hypothesis import given, settings, strategies as st

    calls = []

    @settings(max_examples=20, database=None, deadline=None)
    @given(st.integers(0, 10))
    def prop(n):
        calls.append(n)
        while True:
            time.sleep(0.01)

    with must_end_within(SECONDS), pytest.raises(deadline.CheckTimeout):
        with deadline.wall_clock_limit(0.5):
            prop()
    assert len(calls) == 1  # no replay of the hanging example to shrink it


def test_wall_clock_limit_zero_means_none_and_restores_an_outer_timer():
    with deadline.wall_clock_limit(0):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with must_end_within(SECONDS):
        with deadline.wall_clock_limit(5):
            assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 5
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert SECONDS - 5 < remaining <= SECONDS  # the watchdog's own timer, re-armed


def test_default_limit_scales_with_the_profiles_examples():
    from exactscreen.testing import CI_EXAMPLES, DEEP_EXAMPLES

    assert deadline.default_limit(CI_EXAMPLES) == deadline.DEFAULT_TIMEOUT
    assert deadline.default_limit(DEEP_EXAMPLES) == deadline.DEFAULT_TIMEOUT * DEEP_EXAMPLES / CI_EXAMPLES
    assert deadline.default_limit(10) == deadline.DEFAULT_TIMEOUT


TOY_CLAIMS = """\
[papers.TOY]
title = "A toy paper"
authors = "A. Theorist"

[[claims]]
id = "TOY-HANG"
paper = "TOY"
section = "Lemma 1"
statement = "a check that never returns"

[[claims]]
id = "TOY-PROP"
paper = "TOY"
section = "Lemma 2"
statement = "a property whose third example never returns"

[[claims]]
id = "TOY-FAST"
paper = "TOY"
section = "Lemma 3"
statement = "a quick check"
"""

TOY_CHECKS = """\
import time

from hypothesis import given, strategies as st

from exactscreen.claims import claim


def _forever():
    for _ in range(36000):  # an hour: "forever" for these tests, yet no orphan if they fail
        try:
            time.sleep(0.1)
        except Exception:
            pass


@claim("TOY-FAST")
def test_fast():
    pass


@claim("TOY-HANG")
def test_hang():
    _forever()


@claim("TOY-PROP")
@given(st.integers(0, 10))
def test_prop(n):
    if n >= 3:
        _forever()
"""

RUN_TIMEOUT = 300  # seconds for a whole `exactscreen check` subprocess on a loaded machine


@pytest.fixture
def toy(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "claims.toml").write_text(TOY_CLAIMS, encoding="utf-8")
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "test_toy.py").write_text(textwrap.dedent(TOY_CHECKS), encoding="utf-8")
    return tmp_path / "claims.toml", checks


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_hung_check_is_an_error_row_timed_out(toy, workers):
    claims, checks = toy
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "check", "--claims", str(claims), "--checks", str(checks),
         "--timeout", "2", "--workers", workers, "--format", "json", "-q"],
        capture_output=True, text=True, timeout=RUN_TIMEOUT, env={**os.environ, "COLUMNS": "120"},
    )
    assert time.monotonic() - start < RUN_TIMEOUT
    assert proc.returncode == 1, proc.stderr
    rows = {row["id"]: row for row in json.loads(proc.stdout)["claims"]}
    assert rows["TOY-FAST"]["status"] == "verified"
    for cid, where in (("TOY-HANG", "_forever"), ("TOY-PROP", "_forever")):
        assert rows[cid]["status"] == "error"  # never refuted
        (line,) = rows[cid]["evidence"]
        assert line.startswith("error: timed out after 2 s (the per-check limit"), line
        assert f"it was in {where} (test_toy.py:" in line


@pytest.mark.parametrize("bad", ["-1", "soon", "inf"])
def test_check_refuses_a_timeout_that_is_not_a_number_of_seconds(bad):
    from exactscreen.cli import main as cli

    with pytest.raises(SystemExit) as info:
        cli.main(["check", "--timeout", bad])
    assert info.value.code == 2
