"""bench.cli, the benchmark of the user's command (issue 12, item 3): its harness on tiny instances.

The benchmark itself never runs in the test suite (``python -m bench.cli``)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # bench/ is not installed: import it from the checkout
    sys.path.insert(0, str(_ROOT))

from bench import cli  # noqa: E402
from bench.highs_solve import build_lp, read_instance  # noqa: E402
from bench.instances import ints_instance, paper_instance  # noqa: E402
from exactscreen.environment import load_toml  # noqa: E402
from exactscreen.mechanisms.optimum import mechanism_lp  # noqa: E402

EXAMPLES = _ROOT / "exactscreen" / "examples"


@pytest.mark.parametrize("family", cli.FAMILIES)
def test_every_family_is_written_as_toml_that_reads_back_exactly(family, tmp_path):
    for n, k in cli.QUICK_SIZES[family] + cli.DEFAULT_SIZES[family][:1]:
        spec = cli.spec_for(family, n, k, seed=3)
        path, info = cli.write_instance(spec, tmp_path)
        env, market = load_toml(path)
        from bench.instances import build

        env0, market0 = build(spec)
        assert info["roundtrip_ok"] and (env.n, env.k) == (n, k) == (info["n"], info["k"])
        assert env == env0 and env.values == env0.values and market.weights == market0.weights
        assert all(isinstance(v, Fraction) for row in env.values for v in row)


def test_paper_family_is_the_shipped_sec_311_example_copied():
    env, market = load_toml(EXAMPLES / "pis_sec311.toml")
    env1, market1 = paper_instance("1/2", copies=1)
    assert (env.types, env.alternatives, env.values, env.costs) == (env1.types, env1.alternatives, env1.values, env1.costs)
    assert market.weights == market1.weights
    env75, market75 = paper_instance("1/2", copies=75)
    assert env75.n == 150 and set(env75.values) == set(env.values) and set(market75.weights) == {Fraction(1, 150)}


def test_ints_family_has_integer_values_and_a_uniform_market():
    env, market = ints_instance(60, 8, seed=1)
    assert {v for row in env.values for v in row} <= set(map(Fraction, range(-3, 10)))
    assert set(market.weights) == {Fraction(1, 60)}


def _dense(rows, ncols):
    out = np.zeros((len(rows), ncols))
    for i, row in enumerate(rows):
        for j, a in row:
            out[i, j] += float(a)
    return out


COSTS_TOML = """
[types.lo]
x = "3/4"
y = "-1/3"
[types.mid]
x = "1"
y = "5/2"
[types.hi]
x = "7/4"
y = "0"
[costs]
y = "1/2"
[market]
lo = "1/6"
mid = "1/2"
hi = "1/3"
"""


@pytest.mark.parametrize("example", ["pis_sec311.toml", "pis_a33.toml", "pis_fn25.toml", "costs"])
def test_highs_peer_builds_mechanism_lp_row_for_row(example, tmp_path):
    """The float peer's LP is exactscreen.mechanisms.optimum.mechanism_lp's (costs netted out, fn 5), same order."""
    path = EXAMPLES / example
    if example == "costs":
        path = tmp_path / "costs.toml"
        path.write_text(COSTS_TOML)
    env, market = load_toml(path)
    lp = mechanism_lp(env, market)
    ours = build_lp(*read_instance(str(path)))
    mat = np.zeros((ours["rows"], ours["cols"]))
    for i in range(ours["rows"]):
        for p in range(ours["start"][i], ours["start"][i + 1]):
            mat[i, ours["index"][p]] += ours["value"][p]
    assert np.array_equal(mat, _dense(list(lp.A_eq) + list(lp.A_ub), lp.num_vars))
    assert np.array_equal(ours["c"], np.array([float(c) for c in lp.c]))
    assert np.array_equal(ours["row_upper"], np.array([float(b) for b in lp.b_eq + lp.b_ub]))


def test_highs_peer_prints_only_its_json_line_and_the_optimum():
    out = subprocess.run([sys.executable, str(cli.HIGHS_SCRIPT), str(EXAMPLES / "pis_sec311.toml")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # nothing but the JSON line: no HiGHS banner
    assert data["status"] == "Optimal" and abs(data["objective"] - 1.25) < 1e-9


def test_highs_peer_imports_nothing_from_exactscreen():
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import highs_solve; "
            "print(sorted(m for m in sys.modules if m.startswith(('exactscreen', 'bench'))))")
    out = subprocess.run([sys.executable, "-c", code, str(cli.HIGHS_SCRIPT.parent)],
                         capture_output=True, text=True, timeout=60, cwd="/")
    assert out.stdout.strip() == "[]", out.stderr


def test_quick_mode_runs_both_commands_agrees_and_writes_json(tmp_path):
    """The --quick path as a user runs it: both processes run, HiGHS agrees, JSON and Markdown written."""
    t0 = time.perf_counter()
    out = tmp_path / "cli.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.cli", "--quick", "--families", "random,paper", "--sizes", "random=3x2",
         "--sizes", "paper=4x2", "--runs", "1", "--no-warmup", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=_ROOT,
    )
    assert time.perf_counter() - t0 < 30
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.lstrip().startswith(cli.BEGIN) and proc.stdout.rstrip().endswith(cli.END)
    result = json.loads(out.read_text())
    assert out.with_suffix(".md").read_text().strip() == proc.stdout.strip()
    assert result["errors"] == [] and result["command"].startswith("python -m bench.cli --quick")
    assert "--out" not in result["command"]
    assert [(r["family"], r["size"]) for r in result["instances"]] == [("random", [3, 2]), ("paper", [4, 2])]
    for rec in result["instances"]:
        assert rec["roundtrip_ok"] and rec["agree"] is True
        assert rec["exactscreen_status"] == "ok" and rec["ratio"] > 0
        (a,), (b,) = rec["runs"]["exactscreen"], rec["runs"]["highs"]
        assert a["status"] == b["status"] == "ok" and a["exit_code"] == 0 and a["peak_rss_mib"] > 10
        assert abs(b["objective"] - float(Fraction(rec["revenue"]))) < 1e-9
    assert result["versions"]["highspy"] and result["machine"]["cpu_count"]
    assert any(t["measured"] == "not in this run" for t in result["targets"])


def _fake(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_disagreeing_float_optimum_is_a_failure(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "highs_argv", lambda: _fake(
        "import json; print(json.dumps({'status': 'Optimal', 'objective': 99.0, 'nnz': 1}))"))
    cfg = cli.Config(families=("paper",), sizes={"paper": ((2, 2),)}, runs=1, timeout=60, warmup=False)
    result = cli.run_benchmark(cfg, log=lambda s: None)
    (rec,) = result["instances"]
    assert rec["agree"] is False and rec["revenue"] == "5/4"
    assert result["errors"] and "differs" in result["errors"][0]
    result["command"] = "python -m bench.cli"
    assert "✗ DIFFERS" in cli.markdown(result)


def test_a_timeout_kills_the_process_and_spares_larger_sizes(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "exactscreen_argv", lambda: _fake("import time, sys; time.sleep(60)"))
    monkeypatch.setattr(cli, "highs_argv", lambda: _fake(
        "import json; print(json.dumps({'status': 'Optimal', 'objective': 1.25, 'nnz': 1}))"))
    cfg = cli.Config(families=("paper",), sizes={"paper": ((2, 2), (4, 2))}, runs=2, timeout=1.0, warmup=False)
    t0 = time.perf_counter()
    result = cli.run_benchmark(cfg, log=lambda s: None)
    assert time.perf_counter() - t0 < 15
    small, large = result["instances"]
    assert small["exactscreen_status"] == "timeout" and len(small["runs"]["exactscreen"]) == 1
    assert 1.0 <= small["runs"]["exactscreen"][0]["wall_s"] < 3
    assert len(small["runs"]["highs"]) == 2 and small["ratio_is_lower_bound"]
    assert large["exactscreen_status"] == "not run" and large["runs"]["exactscreen"] == []
    assert large["exactscreen_skipped"] == "timed out at (2, 2)"
    assert result["errors"] == []  # a timeout is a missed target, not a failure
    result["command"] = "python -m bench.cli"
    md = cli.markdown(result)
    assert "> 1 s (timeout)" in md and "not run (timed out at (2, 2))" in md


def test_targets_are_checked_at_their_sizes():
    def rec(family, size, ratio, lower=False, status="ok", peak=100.0, runs=3):
        return {"family": family, "size": list(size), "ratio": ratio, "ratio_is_lower_bound": lower,
                "exactscreen_status": status, "exactscreen_peak_rss_mib": peak,
                "runs": {"exactscreen": [{"status": status}] * runs}}

    result = {"instances": [rec("random", (150, 64), 1.4), rec("random", (40, 16), 2.5),
                            rec("random", (20, 8), 30.0, lower=True, status="timeout"),
                            rec("ints", (60, 8), 1.9, peak=3000.0), rec("ties", (150, 64), 1.0, runs=2)]}
    got = {t["target"].split(":")[0]: t for t in cli.targets(result)}
    assert got["random (150, 64)"]["ok"] is True
    assert got["random (40, 16)"]["ok"] is False
    assert got["random (20, 8)"]["ok"] is False and got["random (20, 8)"]["measured"].startswith("> 30")
    assert got["tie-heavy ints at its largest size"]["ok"] is True
    assert got["tie-heavy ties at its largest size"]["ok"] is False  # 2 runs: a target needs 3
    assert got["tie-heavy Sec. 3.1.1 x 75 copies"]["ok"] is None  # not in this run
    assert got["exactscreen peak memory ≤ 2 GiB"]["ok"] is False


def test_update_readme_replaces_only_the_marked_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{cli.BEGIN}\nold table\n{cli.END}\noutro\n")
    cli.update_readme(readme, f"{cli.BEGIN}\nnew table\n{cli.END}")
    assert readme.read_text() == f"intro\n{cli.BEGIN}\nnew table\n{cli.END}\noutro\n"
    bare = tmp_path / "BARE.md"
    bare.write_text("no markers\n")
    with pytest.raises(ValueError, match="bench:cli"):
        cli.update_readme(bare, "x")
    assert bare.read_text() == "no markers\n"


def test_reproduce_command_drops_only_where_results_go():
    argv = ["--seed", "2", "--out", "x.json", "--markdown=x.md", "--update-readme", "--runs", "5"]
    assert cli.reproduce_command(argv) == "python -m bench.cli --seed 2 --runs 5"
    assert cli.reproduce_command(["--update-readme", "R.md", "--runs", "4"]) == "python -m bench.cli --runs 4"


def test_quick_run_cannot_update_the_readme(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.parse_args(["--quick", "--update-readme"])
    assert exc.value.code == 2 and "smoke test" in capsys.readouterr().err
