"""A user's own hunt from ``--checks DIR`` (with a helper module beside it) runs on local
processes and on a Dask cluster whose workers cannot import the user's files, with the same
counterexample; a worker that cannot import a module is reported as such, not as "the property"."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from exactscreen.cli import main as cli

HELPERS = '''
from fractions import Fraction

from exactscreen import Environment


def two_type_environment(rng):
    k = rng.randint(1, 3)
    alts = [f"a{j}" for j in range(1, k + 1)]
    return Environment.from_dict(
        {t: {a: Fraction(rng.randint(-6, 6), rng.randint(1, 4)) for a in alts} for t in ("t1", "t2")}
    )


def efficient_sets_differ(env):
    return env.n == 2 and env.efficient_alternatives(env.types[0]) != env.efficient_alternatives(env.types[1])
'''

HUNT = '''
from mine_helpers import efficient_sets_differ, two_type_environment

from exactscreen.hunt import environment_to_toml, register_hunt, shrink_environment


def same_efficient_alternatives(rng):
    env = two_type_environment(rng)
    return env if efficient_sets_differ(env) else None


register_hunt("MINE-EFF", same_efficient_alternatives, shrink=shrink_environment,
              refutes=efficient_sets_differ, to_toml=environment_to_toml, replace=True)
'''


@pytest.fixture
def user_checks(tmp_path: Path):
    d = tmp_path / "my_hunts"
    d.mkdir()
    (d / "mine_helpers.py").write_text(textwrap.dedent(HELPERS), encoding="utf-8")
    (d / "hunt_mine.py").write_text(textwrap.dedent(HUNT), encoding="utf-8")
    yield d
    for name in ("mine_helpers", "hunt_mine"):  # the next test imports them afresh
        sys.modules.pop(name, None)
    if str(d) in sys.path:
        sys.path.remove(str(d))


def _hunt(capsys, checks: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    code = cli.main(["hunt", "MINE-EFF", "--budget", "60", "--batch-size", "1", "--checks", str(checks),
                     "--out", str(out), "-q", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_users_hunt_with_a_helper_module_gives_the_same_counterexample_on_dask(capsys, tmp_path, user_checks):
    distributed = pytest.importorskip("dask.distributed")
    # the cluster's worker processes start before the checks directory is on any sys.path
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        code, out, err = _hunt(capsys, user_checks, tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    assert (code, err) == (1, ""), (out, err)
    assert "counterexample found" in out and "dask" in out
    # the LocalCluster's scheduler ran in this process and put the shipped zip on its sys.path
    sys.path[:] = [p for p in sys.path if "exactscreen_user_modules_" not in p]
    sys.modules.pop("mine_helpers", None), sys.modules.pop("hunt_mine", None)
    code, out, err = _hunt(capsys, user_checks, tmp_path / "local", "--workers", "2")
    assert code == 1, err
    name = "MINE-EFF-counterexample.toml"
    assert (tmp_path / "dask" / name).read_text() == (tmp_path / "local" / name).read_text()


def test_a_module_the_workers_cannot_import_is_named_with_exit_2(capsys, tmp_path, user_checks):
    distributed = pytest.importorskip("dask.distributed")
    elsewhere = tmp_path / "elsewhere"  # importable here, never shipped: not under --checks
    elsewhere.mkdir()
    (elsewhere / "only_on_this_machine.py").write_text("LIMIT = 6\n", encoding="utf-8")
    hunt = user_checks / "hunt_mine.py"
    hunt.write_text("import only_on_this_machine\n" + hunt.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        with distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster:
            sys.path.insert(0, str(elsewhere))  # after the workers started
            code, out, err = _hunt(capsys, user_checks, tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    finally:
        sys.path.remove(str(elsewhere))
        sys.path[:] = [p for p in sys.path if "exactscreen_user_modules_" not in p]
        sys.modules.pop("only_on_this_machine", None)
    assert code == 2, (out, err)
    text = " ".join(err.split())
    assert "cannot import the hunt's modules (ModuleNotFoundError: No module named 'only_on_this_machine')" in text
    assert "Traceback" not in err
