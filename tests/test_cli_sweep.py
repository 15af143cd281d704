"""`exactscreen sweep`, run as a subprocess: the piece table, the JSON contract of issue 17,
the paper's own line (PIS Sec. 3.1.1), the figure, and one-line errors for bad --from/--to."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

import exactscreen

EX = Path(exactscreen.__file__).parent / "examples"
SEC311 = str(EX / "pis_sec311.toml")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "exactscreen", "sweep", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def paper_json():
    r = run_cli(SEC311, "--from", "tL=1,tH=0", "--to", "tL=0,tH=1", "--json")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return json.loads(r.stdout)


def _runs(js):
    """Maximal runs of consecutive pieces with the same selected mechanism (the paper's intervals)."""
    out = []
    for p in js["pieces"]:
        mech = {t: (m["option"], m["payment"]) for t, m in p["mechanism"].items()}
        if out and out[-1]["mech"] == mech:
            out[-1].update(hi=p["hi"], hi_closed=p["hi_closed"])
        else:
            out.append({"lo": p["lo"], "hi": p["hi"], "lo_closed": p["lo_closed"], "hi_closed": p["hi_closed"], "mech": mech})
    return out


def test_paper_sec311_line_reproduces_the_three_intervals(paper_json):
    """PIS Sec. 3.1.1: "an efficient low interval [0, 0.25] ... aH to both types at price 1, an
    inefficient intermediate interval (0.25, 0.75] ... aL to the low type at price 0.75 and aH to
    the high type at price 1.75, and a high interval (0.75, 1] ... the outside option to the low
    type ... aH to the high type at price 2"."""
    assert _runs(paper_json) == [
        {"lo": "0", "hi": "1/4", "lo_closed": True, "hi_closed": True, "mech": {"tL": ("aH", "1"), "tH": ("aH", "1")}},
        {"lo": "1/4", "hi": "3/4", "lo_closed": False, "hi_closed": True,
         "mech": {"tL": ("aL", "3/4"), "tH": ("aH", "7/4")}},
        {"lo": "3/4", "hi": "1", "lo_closed": False, "hi_closed": True, "mech": {"tL": ("0", "0"), "tH": ("aH", "2")}},
    ]
    assert paper_json["revenue_kinks"] == ["1/4", "3/4"]
    # Fig. 1: CS(tH, q) is 1, 1/4, 0 on the three open pieces; "inefficient except for market q = 1"
    opened = [p for p in paper_json["pieces"] if p["lo"] != p["hi"]]
    assert [p["surplus"]["tH"] for p in opened] == ["1", "1/4", "0"]
    assert [p["efficient"] for p in opened] == [True, False, False]
    assert paper_json["pieces"][-1] == {**paper_json["pieces"][-1], "lo": "1", "hi": "1", "efficient": True}


def test_json_contract_keys_and_exact_strings(paper_json):
    js = paper_json
    assert {"pieces", "breakpoints", "revenue_kinks"} <= set(js)
    for p in js["pieces"]:
        assert {"lo", "hi", "lo_closed", "hi_closed", "revenue", "mechanism", "surplus", "efficient", "unique"} <= set(p)
        F(p["lo"]), F(p["hi"]), F(p["revenue"]["at_lo"]), F(p["revenue"]["at_hi"])  # exact strings
        assert isinstance(p["unique"], bool) and isinstance(p["efficient"], bool)
    assert js["breakpoints"] == ["1/4", "3/4", "1"]
    assert js["certificate"]["verified"] is True
    # revenue is continuous and the pieces tile [0, 1]
    pieces = js["pieces"]
    assert pieces[0]["lo"] == "0" and pieces[-1]["hi"] == "1"
    for a, b in zip(pieces, pieces[1:]):
        assert a["hi"] == b["lo"] and a["hi_closed"] != b["lo_closed"]
        assert a["revenue"]["at_hi"] == b["revenue"]["at_lo"]


def test_revenue_of_each_piece_matches_solve_inside_it(paper_json):
    for p in paper_json["pieces"]:
        lo, hi = F(p["lo"]), F(p["hi"])
        l = (lo + hi) / 2
        q = f"tL={1 - l},tH={l}"
        r = subprocess.run([sys.executable, "-m", "exactscreen", "solve", SEC311, "--market", q, "--json"],
                           capture_output=True, text=True, timeout=120)
        at_lo, at_hi = F(p["revenue"]["at_lo"]), F(p["revenue"]["at_hi"])
        expected = at_lo if lo == hi else at_lo + (l - lo) / (hi - lo) * (at_hi - at_lo)
        assert F(json.loads(r.stdout)["revenue"]) == expected


def test_text_output_is_the_piece_table():
    r = run_cli(SEC311, "--from", "tL=1,tH=0", "--to", "tL=0,tH=1")
    assert r.returncode == 0 and r.stderr == ""
    for needle in ("[0, 1/4)", "(1/4, 3/4)", "aL @ 3/4", "aH @ 7/4", "revenue kinks: 1/4 (0.25), 3/4 (0.75)",
                   "certificate: verified"):
        assert needle in r.stdout


def test_figure_is_written(tmp_path):
    out = tmp_path / "sweep.png"
    r = run_cli(SEC311, "--from", "tL=1,tH=0", "--to", "tL=0,tH=1", "--json", "--figure", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(r.stdout)["figure"] == str(out)


@pytest.mark.parametrize("flag, value, needle", [
    ("--from", "tL=1,tX=0", "--from: unknown type 'tX'"),
    ("--to", "tL=1/2,tH=1/3", "--to: probabilities sum to 5/6, not 1"),
    ("--from", "tL=1", "--from: no probability for tH"),
    ("--to", "tL=3/2,tH=-1/2", "--to tH: probability -1/2 is negative"),
    ("--from", "tL=abc,tH=1", "--from tL: cannot read 'abc'"),
    ("--from", "tL=1e999999,tH=0", "--from tL"),
    ("--to", "tL=1,tL=0", "--to: 'tL' is given twice"),
])
def test_bad_line_ends_are_one_line_errors_naming_the_flag(flag, value, needle):
    other = "--to" if flag == "--from" else "--from"
    r = run_cli(SEC311, flag, value, other, "tL=1,tH=0")
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_decimals_are_read_exactly_as_solve_reads_them():
    # "0.5" is the exact decimal 1/2 (as in `solve --market`); nothing is read as a float
    r = run_cli(SEC311, "--from", "tL=0.5,tH=0.5", "--to", "tL=0,tH=1", "--json")
    assert r.returncode == 0
    assert json.loads(r.stdout)["from"] == {"tL": "1/2", "tH": "1/2"}


def test_solve_budget_exceeded_is_undecided_exit_3():
    r = run_cli(SEC311, "--from", "tL=1,tH=0", "--to", "tL=0,tH=1", "--max-solves", "3")
    assert r.returncode == 3 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "max_solves=3" in r.stderr and "undecided" in r.stderr


def test_figure_path_must_be_png(tmp_path):
    r = run_cli(SEC311, "--from", "tL=1,tH=0", "--to", "tL=0,tH=1", "--figure", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and "--figure" in r.stderr and r.stderr.count("\n") == 1


def test_names_with_control_characters_print_escaped(tmp_path):
    path = tmp_path / "names.toml"
    path.write_text('[types."t\\u001b[2J"]\na = "1"\n[types."[b]u[/b]"]\na = "3"\n', encoding="utf-8")
    r = run_cli(str(path), "--from", "t\x1b[2J=1,[b]u[/b]=0", "--to", "t\x1b[2J=0,[b]u[/b]=1")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "t\\x1b[2J" in r.stdout and "[b]u[/b]" in r.stdout
    bad = run_cli(str(path), "--from", "t\x1b[2J=1", "--to", "t\x1b[2J=0,[b]u[/b]=1")
    assert bad.returncode == 2 and "\x1b" not in bad.stderr and bad.stderr.count("\n") == 1


def test_readme_shows_the_real_output_of_its_sweep_example():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Every market on a line: `exactscreen sweep`"):]
    start = section.index("```bash\n") + 8
    command = section[start:section.index("\n```", start)]
    shown = section[section.index("```text\n") + 8:]
    shown = shown[:shown.index("```")]
    args = command.split()
    assert args[:2] == ["exactscreen", "sweep"]
    r = subprocess.run([sys.executable, "-m", "exactscreen", *args[1:]], capture_output=True, text=True, timeout=120,
                       cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 0 and r.stdout == shown
