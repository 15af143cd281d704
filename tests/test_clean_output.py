"""Only the project writes to stdout and stderr: every machine format a user can ask for
parses, in a fresh process, whatever the installed dependencies print on their own.

Each test runs the installed command as a subprocess (the user's path: a new
interpreter, fresh imports, HiGHS constructed for the first time in that process)
and parses *all* of what it prints.  highspy 1.16 printed a two-line banner on
stdout when the first ``Highs`` object of a process was constructed; nothing else
in the suite noticed, because in-process tests had constructed one long before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import exactscreen

EX = Path(exactscreen.__file__).parent / "examples"

#: one claim per paper, each of which solves LPs (so HiGHS is constructed) and draws figures
CLAIMS = ("--claim", "PIS-FN25", "--claim", "STT-LEM2", "--claim", "SWP-LEM2")

#: what a dependency prints when it speaks for itself (banners, warnings, log lines)
FOREIGN = ("HiGHS", "Copyright", "Warning", "warn(", "Traceback", "INFO", "DEBUG")


def run(*args: str, timeout: float = 300, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "HYPOTHESIS"))}
    return subprocess.run(
        [sys.executable, "-m", "exactscreen", *args],
        capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
    )


def clean(proc: subprocess.CompletedProcess, status: int = 0) -> str:
    """The process exited with ``status`` and said nothing on stderr; its stdout."""
    assert proc.returncode == status, proc.stderr[-2000:]
    assert proc.stderr == "", f"stderr is not empty:\n{proc.stderr[:2000]}"
    return proc.stdout


def no_foreign_text(text: str) -> None:
    for needle in FOREIGN:
        assert needle not in text, f"{needle!r} printed:\n{text[:500]}"


class _Strict(HTMLParser):
    """Checks that every opened non-void element is closed in order."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def parse_html(text: str) -> None:
    assert text.lstrip().lower().startswith("<!doctype html>"), text[:200]
    p = _Strict()
    p.feed(text)
    p.close()
    assert p.stack == [], f"unclosed elements {p.stack}"


# --------------------------------------------------------------------------- solve, segment
@pytest.mark.parametrize(
    "args",
    [
        ("solve", "pis_sec311.toml", "--json"),
        ("solve", "pis_fn25.toml", "--json"),
        ("solve", "pis_sec311.toml", "--deterministic", "--json"),
        ("solve", "pis_sec311.toml", "--no-face", "--json"),
        ("segment", "pis_sec311.toml", "--json"),
        ("segment", "pis_fn25.toml", "--json"),
        ("sweep", "pis_fn25.toml", "--from", "t1=1,t2=0,t3=0", "--to", "t1=0,t2=0,t3=1", "--json"),
    ],
    ids=lambda a: "-".join(a),
)
def test_solve_and_segment_json_is_the_whole_of_stdout(args):
    cmd, name, *rest = args
    out = json.loads(clean(run(cmd, str(EX / name), *rest)))
    assert isinstance(out, dict) and out


def test_solve_json_revenue_is_exact_in_a_fresh_process():
    out = json.loads(clean(run("solve", str(EX / "pis_sec311.toml"), "--market", "tL=1/4,tH=3/4", "--json")))
    assert out["revenue"] == "3/2" and out["certificate"]["verified"] is True


def test_solve_table_has_no_banner():
    no_foreign_text(clean(run("solve", str(EX / "pis_sec311.toml"))))


def test_sweep_table_has_no_banner():
    no_foreign_text(clean(run("sweep", str(EX / "pis_sec311.toml"), "--from", "tL=1,tH=0", "--to", "tL=0,tH=1")))


# --------------------------------------------------------------------------- two-types, persuade
@pytest.mark.parametrize(
    "args",
    [
        ("two-types", "stt_restaurant_v15.toml", "--json"),
        ("two-types", "stt_restaurant_v25.toml", "--random", "--json"),
        ("two-types", "stt_restaurant_param.toml", "--param", "v", "--domain", "0:", "--json"),
        ("persuade", "swp_uniform5.toml", "--json"),
        ("persuade", "swp_exclusion.toml", "--json"),
    ],
    ids=lambda a: "-".join(a),
)
def test_two_types_and_persuade_json_is_the_whole_of_stdout(args):
    cmd, name, *rest = args
    out = json.loads(clean(run(cmd, str(EX / name), *rest)))
    assert isinstance(out, dict) and out


def test_entropy_bound_json_is_the_whole_of_stdout():
    out = json.loads(clean(run("persuade", "--entropy-bound", "--json")))
    assert {"lower", "upper"} <= set(out["E_star"])


# --------------------------------------------------------------------------- check, every format
def test_check_json_on_stdout_parses():
    out = json.loads(clean(run("check", *CLAIMS, "--format", "json", "--quiet")))
    assert [c["id"] for c in out["claims"]] == ["PIS-FN25", "STT-LEM2", "SWP-LEM2"]
    assert all(c["status"] not in ("error", "not-yet-checked") for c in out["claims"])


def test_check_html_on_stdout_is_well_formed():
    text = clean(run("check", *CLAIMS, "--format", "html", "--quiet"))
    parse_html(text)
    no_foreign_text(text.replace("HiGHS float", ""))


def test_check_markdown_on_stdout_is_only_the_report():
    text = clean(run("check", *CLAIMS, "--format", "markdown", "--quiet"))
    assert text.startswith("#"), text[:200]
    no_foreign_text(text)


def test_check_latex_on_stdout_is_one_document():
    text = clean(run("check", *CLAIMS, "--format", "latex", "--quiet"))
    assert text.lstrip().startswith("\\documentclass"), text[:200]
    assert text.rstrip().endswith("\\end{document}")
    no_foreign_text(text)


def test_check_out_dir_files_parse(tmp_path):
    proc = run("check", *CLAIMS, "--out", str(tmp_path / "report"), "--quiet")
    assert proc.returncode == 0, proc.stderr[-2000:]
    d = tmp_path / "report"
    assert proc.stderr.startswith("wrote report.md") and proc.stderr.count("\n") == 1, proc.stderr
    no_foreign_text(proc.stdout)
    data = json.loads((d / "report.json").read_text())
    assert len(data["claims"]) == 3
    parse_html((d / "report.html").read_text())
    assert (d / "report.tex").read_text().rstrip().endswith("\\end{document}")
    assert (d / "report.md").read_text().startswith("#")


# --------------------------------------------------------------------------- hunts
@pytest.mark.parametrize("workers", ["1", "2"])
def test_hunt_output_file_and_stdout_are_clean(tmp_path, workers):
    proc = run(
        "hunt", "PIS-LEM2", "--seed", "0", "--budget", "60", "--batch-size", "20",
        "--workers", workers, "--out", str(tmp_path), "--quiet", cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]  # 1: found (PIS-LEM2 is qualified)
    no_foreign_text(proc.stdout)
    assert "HiGHS" not in proc.stderr
    files = list(tmp_path.glob("*.toml"))
    assert len(files) == 1
    data = tomllib.loads(files[0].read_text())
    assert data["types"] and data["market"]
