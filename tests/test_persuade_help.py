"""``exactscreen persuade --help`` as a user reads it: the FILE format it points to exists, the
example it names is installed and runs, and no RST markup or private notes leak into it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def persuade(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exactscreen", "persuade", *args],
                          capture_output=True, text=True, timeout=120)


def test_persuade_help_points_to_a_documented_file_format_and_an_installed_example_that_runs():
    proc = persuade("--help")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "``" not in text and ".notes" not in text
    assert "FILE format" in text and "values = [" in text and "probabilities = [" in text
    doc = re.search(r"(\S+\.md)", text.split("full description", 1)[1]).group(1)
    assert doc == "docs/persuasion.md"
    assert "## FILE format" in (ROOT / doc).read_text(encoding="utf-8")
    example = Path(text.rstrip().splitlines()[-1].strip())
    assert example.name == "swp_uniform5.toml" and example.is_file()
    run = persuade(str(example))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("values        1, 2, 3, 4, 5")


def test_every_key_of_the_help_file_format_is_described_in_the_docs():
    text = persuade("--help").stdout
    fmt = text.split("FILE format", 1)[1]
    keys = set(re.findall(r"^  (\w+) = ", fmt, flags=re.M)) | set(re.findall(r"^  \[(\w+)\]", fmt, flags=re.M))
    assert keys >= {"values", "probabilities", "qualities", "model", "title", "inventory", "cost"}
    doc = (ROOT / "docs" / "persuasion.md").read_text(encoding="utf-8")
    section = doc.split("## FILE format", 1)[1].split("\n## ", 1)[0]
    for key in keys:
        assert re.search(rf"^\s+(\[{key}\]|{key} = )", section, flags=re.M), key
