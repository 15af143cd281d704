"""docs/own-paper.md runs as written: its claims file, helper module and checks give the report it shows."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "own-paper.md"


def test_the_worked_example_gives_the_statuses_strengths_and_counterexample_the_page_shows(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    toml = re.search(r"```toml\n(.*?)```", text, flags=re.S).group(1)
    helper, checks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    shown = json.loads(re.search(r"```json\n(.*?)```", text, flags=re.S).group(1))
    (tmp_path / "own_claims.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "own_checks").mkdir()
    (tmp_path / "own_checks" / "quality.py").write_text(helper, encoding="utf-8")
    (tmp_path / "own_checks" / "test_quality.py").write_text(checks, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "check", "--claims", "own_claims.toml", "--checks", "own_checks",
         "--format", "json", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    rows = {c["id"]: c for c in json.loads(proc.stdout)["claims"]}
    assert [(r["status"], r["strength"]) for r in rows.values()] == [
        ("verified", "paper-instances"), ("verified", "sampled"), ("qualified", "paper-instances"),
    ]
    assert rows["OWN-PROP1"]["reach"][0]["hit"] >= 5
    assert rows["OWN-PROP2"]["counterexample"] == shown
    for line in ("OWN-EX1   │ OWN   │ Example 1     │ verified", "3 claims: 2 verified, 1 qualified"):
        assert line in text
