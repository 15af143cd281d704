"""The README's examples run as written (so the documentation cannot drift)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_python_example_runs(monkeypatch):
    monkeypatch.chdir(README.parent)
    (code,) = [b for b in blocks("python") if "optimal_mechanism" in b]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's own code, not user input
    assert str(namespace["res"].revenue) == "3/2"


def test_the_own_claims_example_reports_verified(tmp_path):
    text = README.read_text(encoding="utf-8")
    toml = re.search(r"`my_claims.toml`:\s*```toml\n(.*?)```", text, flags=re.S)
    check = re.search(r"`my_checks/test_mine.py`:\s*```python\n(.*?)```", text, flags=re.S)
    if not (toml and check):
        pytest.fail("README lost its 'Adding your own claims' example")
    (tmp_path / "my_claims.toml").write_text(toml.group(1))
    (tmp_path / "my_checks").mkdir()
    (tmp_path / "my_checks" / "test_mine.py").write_text(check.group(1))
    r = subprocess.run(
        [sys.executable, "-m", "exactscreen", "check", "--claims", "my_claims.toml", "--checks", "my_checks",
         "--format", "json", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert '"status": "verified"' in r.stdout


def test_the_hunt_example_runs_from_any_directory_and_prints_what_the_readme_shows(tmp_path):
    text = README.read_text(encoding="utf-8")
    hunt = re.search(r"in `my_hunts/hunt_eff.py`:\s*```python\n(.*?)```", text, flags=re.S)
    shown = re.search(r"\$ cat counterexamples/TOY-EFF-counterexample.toml\n(.*?)```", text, flags=re.S)
    if not (hunt and shown):
        pytest.fail("README lost its hunt example")
    (tmp_path / "my_hunts").mkdir()
    (tmp_path / "my_hunts" / "hunt_eff.py").write_text(hunt.group(1), encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "exactscreen", "hunt", "TOY-EFF", "--checks", "my_hunts", "--batch-size", "1",
         "--workers", "2", "--budget", "30", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 1 and r.stderr == "", r.stderr
    assert "TOY-EFF: counterexample found in batch 1 after 2 instances" in r.stdout
    written = (tmp_path / "counterexamples" / "TOY-EFF-counterexample.toml").read_text(encoding="utf-8")
    assert written == shown.group(1)
