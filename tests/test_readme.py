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
