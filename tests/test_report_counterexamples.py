"""Counterexample files of ``check --out DIR``: each one loads in the command that reproduces it."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from exactscreen.claims import Claim, Paper, Registry, Status, TestOutcome, combine
from exactscreen.report.counterexamples import counterexample_files, toml_command, write_counterexamples

EXAMPLES = Path(__file__).resolve().parents[1] / "exactscreen" / "examples"

SOLVE = '[types.t1]\na1 = "0"\na2 = "1"\n\n[types.t2]\na1 = "1"\na2 = "0"\n\n[market]\nt1 = "9/10"\nt2 = "1/10"\n'
TWO_TYPES = '[types.T]\nsteak = "30"\nfish = "25"\n\n[types.A]\nsteak = "60"\nfish = "20"\n'
PERSUADE = 'values = ["1", "2", "3"]\nprobabilities = ["1/3", "1/3", "1/3"]\nqualities = ["1", "2", "3"]\nmodel = "inventory"\n'

REGISTRY = Registry(
    (Paper("PIS", "Pareto improving segmentation"), Paper("STT", "Screening two types"),
     Paper("SWP", "Screening with persuasion")),
    (
        Claim("PIS-X", "PIS", "Lemma 2", "an optimum survives small perturbations"),
        Claim("STT-X", "STT", "App. B", "q^BD1 = v/20"),
        Claim("SWP-X", "SWP", "Prop. 5", "pooling improves"),
        Claim("SWP-Y", "SWP", "Thm 2", "a dict instance and a second counterexample"),
    ),
)


def _cx(instance, corrected="the corrected statement"):
    return {"as_written": "as written", "instance": instance, "confirmed_by": "a second route", "corrected": corrected}


def results():
    outcomes = [
        TestOutcome("t.py::test_pis", ("PIS-X",), Status.QUALIFIED, ("qualified: x",), 1, Decimal("0"),
                    counterexamples=(_cx(SOLVE),)),
        TestOutcome("t.py::test_stt", ("STT-X",), Status.QUALIFIED, ("qualified: x",), 1, Decimal("0"),
                    counterexamples=(_cx(TWO_TYPES),)),
        TestOutcome("t.py::test_swp", ("SWP-X",), Status.REFUTED, ("refuted: x",), 1, Decimal("0"),
                    counterexamples=(_cx(PERSUADE),)),
        TestOutcome("t.py::test_y", ("SWP-Y",), Status.QUALIFIED, ("qualified: x",), 1, Decimal("0"),
                    counterexamples=(_cx({"k": "1", "q": "1/3"}), _cx("not TOML: 1/2 < 2/3"))),
    ]
    return [combine(c, outcomes) for c in REGISTRY]


def test_each_counterexample_is_written_as_toml_for_its_command_or_as_json(tmp_path):
    paths = write_counterexamples(results(), tmp_path)
    assert [p.name for p in paths] == [
        "PIS-X-counterexample.toml", "STT-X-counterexample.toml", "SWP-X-counterexample.toml",
        "SWP-Y-counterexample.json", "SWP-Y-counterexample-2.json",
    ]
    pis = (tmp_path / "PIS-X-counterexample.toml").read_text(encoding="utf-8")
    assert pis.startswith("# Counterexample to PIS-X (Lemma 2): an optimum survives small perturbations\n")
    assert "# Reproduce: exactscreen solve PIS-X-counterexample.toml\n" in pis and pis.endswith(SOLVE)
    assert "# Corrected: the corrected statement" in pis
    data = json.loads((tmp_path / "SWP-Y-counterexample.json").read_text(encoding="utf-8"))
    assert data["instance"] == {"k": "1", "q": "1/3"} and data["reproduce"] == "exactscreen check --claim SWP-Y"
    assert data["claim"] == "SWP-Y" and data["check"] == "t.py::test_y"


@pytest.mark.parametrize("claim_index, command", [(0, "solve"), (1, "two-types"), (2, "persuade")])
def test_each_toml_counterexample_file_is_accepted_by_the_command_it_names(tmp_path, claim_index, command):
    r = results()[claim_index]
    (f,) = counterexample_files(r)
    assert f.command == f"exactscreen {command} {f.name}"
    write_counterexamples([r], tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", command, f.name], cwd=tmp_path,
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()


def test_the_shipped_examples_are_recognised_by_the_command_that_reads_them():
    assert toml_command((EXAMPLES / "pis_sec311.toml").read_text(encoding="utf-8"), "PIS") == "solve"
    assert toml_command((EXAMPLES / "stt_restaurant_v25.toml").read_text(encoding="utf-8"), "STT") == "two-types"
    assert toml_command((EXAMPLES / "swp_uniform5.toml").read_text(encoding="utf-8"), "SWP") == "persuade"
    assert toml_command("not = [toml", "PIS") is None
    assert toml_command('[types.t1]\na1 = "x"\n', "PIS") is None  # not an exact number: no command loads it


DICT_TWO_TYPES = {"types": {"T": {"steak": "30", "fish": "5"}, "A": {"steak": "60", "fish": "20"}},
                  "q": "9/10", "random": True}
DICT_SOLVE = {"types": {"t1": {"a1": "0", "a2": "1"}, "t2": {"a1": "1", "a2": "0"}},
              "market": {"t1": "1", "t2": "0"}, "perturbed": {"t1": "9/10", "t2": "1/10"}}


@pytest.mark.parametrize("paper, instance, command", [
    ("STT", DICT_TWO_TYPES, "exactscreen two-types STT-X-counterexample.toml --q 9/10 --random"),
    ("PIS", DICT_SOLVE, "exactscreen solve PIS-X-counterexample.toml"),
])
def test_an_environment_recorded_as_a_dict_is_written_as_toml_its_command_reproduces(tmp_path, paper, instance,
                                                                                   command):
    claim = REGISTRY[f"{paper}-X"]
    outcome = TestOutcome("t.py::test_d", (claim.id,), Status.QUALIFIED, ("qualified: x",), 1, Decimal("0"),
                          counterexamples=(_cx(instance),))
    r = combine(claim, [outcome])
    (f,) = counterexample_files(r)
    assert f.name == f"{claim.id}-counterexample.toml" and f.command == command
    if paper == "PIS":  # keys the command does not read are kept in the header, not lost
        assert "# Instance, perturbed: t1 = 9/10, t2 = 1/10\n" in f.text
    write_counterexamples([r], tmp_path)
    proc = subprocess.run([sys.executable, "-m", "exactscreen", *command.split()[1:]], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "steak" in proc.stdout if paper == "STT" else "t2" in proc.stdout
