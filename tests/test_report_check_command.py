"""``exactscreen check``: options, exit status, JSON determinism, --out, user claims.

The checks run are synthetic (a toy paper in tmp_path) or an empty checks
directory with the built-in registry, so this stays fast whatever
proofs_checks/ holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from exactscreen.cli import main as cli
from exactscreen.claims import builtin_registry

TOY_CLAIMS = """\
[papers.TOY]
title = "A toy paper"
authors = "A. Theorist"

[[claims]]
id = "TOY-SQ"
paper = "TOY"
section = "Lemma 1"
statement = "x*x >= x for every rational x in [-3, 3]"

[[claims]]
id = "TOY-DOUBLE"
paper = "TOY"
section = "Lemma 2"
statement = "x + x = 2x"

[[claims]]
id = "TOY-OPEN"
paper = "TOY"
section = "Conjecture 1"
statement = "nobody has checked this yet"
"""

TOY_CHECKS = """\
from hypothesis import given, strategies as st
from exactscreen.claims import claim

small = st.fractions(min_value=-3, max_value=3, max_denominator=6)


@claim("TOY-SQ")
@given(small)
def test_square_is_at_least_x(evidence, x):
    if not x * x >= x:
        evidence.fails("x*x >= x", {"x": x}, confirmed_by="the sign of x(x - 1)", confirm=x * (x - 1) < 0)


@claim("TOY-DOUBLE")
@given(small)
def test_double(evidence, x):
    evidence.compared("x + x", x + x, 2 * x)
    assert x + x == 2 * x
"""


@pytest.fixture
def toy(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "claims.toml").write_text(TOY_CLAIMS, encoding="utf-8")
    checks = tmp_path / "toy_checks"
    checks.mkdir()
    (checks / "test_toy.py").write_text(TOY_CHECKS, encoding="utf-8")
    return tmp_path / "claims.toml", checks


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def strip_seconds(obj):
    if isinstance(obj, dict):
        return {k: strip_seconds(v) for k, v in obj.items() if k != "seconds"}
    if isinstance(obj, list):
        return [strip_seconds(v) for v in obj]
    return obj


def test_text_table_has_one_row_per_claim_and_exit_1_when_refuted(capsys, toy, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one line per row: at 80 columns rich wraps the evidence cell
    claims, checks = toy
    code, out, _ = check(capsys, "--claims", str(claims), "--checks", str(checks))
    assert code == 1
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.startswith("│ TOY-")}
    assert set(rows) == {"TOY-SQ", "TOY-DOUBLE", "TOY-OPEN"}
    assert "refuted" in rows["TOY-SQ"] and "x=1/2" in rows["TOY-SQ"]
    assert "verified" in rows["TOY-DOUBLE"] and "not-yet-checked" in rows["TOY-OPEN"]
    assert "exit status 1: refuted or errored: TOY-SQ" in out


def test_exit_0_when_nothing_is_refuted(capsys, toy):
    claims, checks = toy
    code, out, _ = check(capsys, "--claims", str(claims), "--checks", str(checks), "--claim", "TOY-DOUBLE")
    assert code == 0
    assert "TOY-SQ" not in out and "exit status 0" in out


def test_json_is_one_object_and_deterministic_apart_from_timings(capsys, toy):
    claims, checks = toy
    args = ("--claims", str(claims), "--checks", str(checks), "--format", "json")
    _, first, _ = check(capsys, *args)
    _, second, _ = check(capsys, *args)
    a, b = json.loads(first), json.loads(second)
    assert list(a) == ["claims", "summary"]
    assert strip_seconds(a) == strip_seconds(b)
    sq = a["claims"][0]
    assert list(sq) == ["id", "paper", "section", "statement", "quote", "status", "strength", "reach", "counterexample",
                        "evidence", "instances", "tests", "seconds"]
    assert sq["strength"] == "sampled" and sq["counterexample"]["instance"] == {"x": "1/2"}
    assert sq["status"] == "refuted" and sq["instances"] > 1
    assert a["summary"]["refuted"] == 1 and a["summary"]["verified"] == 1
    assert a["summary"]["not-yet-checked"] == 1 and a["summary"]["total"] == 3
    assert isinstance(sq["seconds"], str)  # decimal text, never a binary float


def test_builtin_report_lists_every_claim_and_never_verifies_unchecked_ones(capsys, tmp_path):
    empty = tmp_path / "no_checks"
    empty.mkdir()
    code, out, _ = check(capsys, "--checks", str(empty), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [c["id"] for c in data["claims"]] == list(builtin_registry().ids)
    assert {c["status"] for c in data["claims"]} == {"not-yet-checked"}


def test_paper_and_claim_filters_combine(capsys, tmp_path):
    empty = tmp_path / "no_checks"
    empty.mkdir()
    _, out, _ = check(capsys, "--checks", str(empty), "--format", "json", "--paper", "STT", "--claim", "SWP-LEM2")
    ids = [c["id"] for c in json.loads(out)["claims"]]
    assert ids[-1] == "SWP-LEM2" and all(i.startswith("STT-") for i in ids[:-1])
    assert len(ids) == 1 + sum(c.paper == "STT" for c in builtin_registry())


@pytest.mark.parametrize(
    "args, message",
    [
        (["--paper", "XYZ"], "--paper XYZ: unknown paper 'XYZ'"),
        (["--claim", "STT-THM9"], "--claim STT-THM9: unknown claim ID 'STT-THM9' (did you mean"),
        (["--claims", "missing.toml"], "missing.toml: cannot read claims file"),
        (["--checks", "no/such/dir"], "--checks no/such/dir: no such directory"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_option(capsys, args, message):
    code, out, err = check(capsys, *args)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_help_explains_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    assert "exit status" in out and "1  some claim is refuted or errored" in out


def test_out_dir_gets_all_formats_and_the_figures(capsys, tmp_path):
    empty = tmp_path / "no_checks"
    empty.mkdir()
    out_dir = tmp_path / "report"
    code, _, err = check(capsys, "--checks", str(empty), "--paper", "SWP", "--out", str(out_dir), "--format", "markdown")
    assert code == 0
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["counterexamples", "figures", "report.html", "report.json", "report.md", "report.tex"]
    assert list((out_dir / "counterexamples").iterdir()) == []  # no claim checked, none found
    png = out_dir / "figures" / "swp-fig3-hazard.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "](figures/swp-fig3-hazard.png)" in (out_dir / "report.md").read_text(encoding="utf-8")
    assert "data:image/png;base64," in (out_dir / "report.html").read_text(encoding="utf-8")
    files = [f["file"] for f in json.loads((out_dir / "report.json").read_text())["figures"]]
    assert "figures/swp-fig3-hazard.png" in files
    assert "wrote report.md" in err


def test_out_dir_gets_each_counterexample_as_a_file_the_report_links_to(capsys, toy, tmp_path):
    claims, checks = toy
    out_dir = tmp_path / "report"
    code, out, err = check(capsys, "--claims", str(claims), "--checks", str(checks), "--out", str(out_dir),
                           "--format", "json", "--workers", "1")
    assert code == 1
    (cx_file,) = (out_dir / "counterexamples").iterdir()
    assert cx_file.name == "TOY-SQ-counterexample.json"
    data = json.loads(cx_file.read_text(encoding="utf-8"))
    assert data["claim"] == "TOY-SQ" and data["as_written"] == "x*x >= x" and data["reproduce"] == "exactscreen check --claim TOY-SQ"
    assert out == (out_dir / "report.json").read_text(encoding="utf-8")  # printed = written
    sq = next(c for c in json.loads(out)["claims"] if c["id"] == "TOY-SQ")
    assert sq["counterexample_files"] == ["counterexamples/TOY-SQ-counterexample.json"]
    page = (out_dir / "report.html").read_text(encoding="utf-8")
    assert page.index('id="findings"') < page.index('id="paper-TOY"')  # findings first
    assert 'href="counterexamples/TOY-SQ-counterexample.json"' in page
    assert "1 counterexample file(s) in counterexamples/" in err


def test_user_claims_example_of_the_readme(tmp_path):
    """The 'Adding your own claims' example, run as a user would, through the installed command."""
    (tmp_path / "my_claims.toml").write_text(textwrap.dedent("""\
        [papers.MINE]
        title = "Prices of two goods"

        [[claims]]
        id = "MINE-EX1"
        paper = "MINE"
        section = "Example 1"
        statement = "Type t1's efficient surplus is 3/4; t2 values both goods below 0 and gets 0"
        """), encoding="utf-8")
    (tmp_path / "my_checks").mkdir()
    (tmp_path / "my_checks" / "test_mine.py").write_text(textwrap.dedent("""\
        from fractions import Fraction
        from exactscreen import Environment
        from exactscreen.claims import claim

        @claim("MINE-EX1")
        def test_efficient_surplus_of_example_1(evidence):
            env = Environment.from_dict({"t1": {"a": "-1/2", "b": "3/4"}, "t2": {"a": "-1", "b": "-2"}})
            for t, stated in {"t1": Fraction(3, 4), "t2": Fraction(0)}.items():
                evidence.compared(f"efficient surplus of {t}", env.efficient_value(t), stated)
                assert env.efficient_value(t) == stated
        """), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "check", "--claims", "my_claims.toml", "--checks", "my_checks"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "160"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "MINE-EX1" in proc.stdout and "verified" in proc.stdout
    assert "efficient surplus of t1: computed 3/4, paper 3/4 (equal)" in proc.stdout


def test_html_on_stdout_embeds_the_figures(capsys, tmp_path):
    empty = tmp_path / "no_checks"
    empty.mkdir()
    code, out, _ = check(capsys, "--checks", str(empty), "--paper", "SWP", "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    from exactscreen.report.figures.base import registered_figures

    assert out.count("data:image/png;base64,") == len(registered_figures(["SWP"])) and "swp-fig3-hazard" in out
