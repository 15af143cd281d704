"""The sweep benchmark (issue 17, item 5; ``bench/sweep.py``) run as a subprocess: its JSON
records say which line was measured, and ``--first-line`` measures a later line alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "sweep.json"
    proc = subprocess.run([sys.executable, "-m", "bench.sweep", "--quick", "--families", "random",
                           "--out", str(out), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())["records"]


def test_quick_run_measures_line_zero_and_first_line_one_measures_line_one_alone(tmp_path):
    first = _run(tmp_path)
    assert [(r["n"], r["k"], r["family"], r["rep"]) for r in first] == [(5, 4, "random", 0)]
    later = _run(tmp_path, "--first-line", "1")
    assert [r["rep"] for r in later] == [1]
    assert later[0]["from"] != first[0]["from"]  # another line of the family
    for r in first + later:
        assert r["verified"] and r["pieces"] >= 1 and r["sweep_in_single_solves"] > 0
