"""A user's claim check that states a segmentation: one whose segments do not average to the
market refutes the claim (the paper's error), while a malformed one (a negative weight, an
unknown type name) is an error of the check. Runs ``exactscreen check`` as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from exactscreen.environment import Environment
from exactscreen.exceptions import InputError, StatedObjectFails
from exactscreen.mechanisms.segmentation import check_segmentation

CLAIMS = """\
[papers.OWN]
title = "A theorist's own paper"

[[claims]]
id = "OWN-SEG"
paper = "OWN"
section = "Example 1"
statement = "splitting the uniform market into these two segments is Pareto improving"

[[claims]]
id = "OWN-NEG"
paper = "OWN"
section = "Example 2"
statement = "a segmentation typed with a negative weight"

[[claims]]
id = "OWN-NAME"
paper = "OWN"
section = "Example 3"
statement = "a segment naming a type the environment does not have"
"""

CHECKS = """\
from fractions import Fraction as F
from exactscreen.claims import claim
from exactscreen.environment import Environment
from exactscreen.mechanisms.segmentation import check_segmentation

ENV = Environment.from_dict({"tL": {"aL": "3/4", "aH": 1}, "tH": {"aL": 1, "aH": 2}})
MARKET = ENV.market(tL="1/2", tH="1/2")


@claim("OWN-SEG")
def test_stated_segmentation_is_pareto_improving():
    # as stated in the paper: (1/2, 1/2) split as 1/2 * (1, 0) + 1/2 * (1/3, 2/3), which averages to (2/3, 1/3)
    stated = [(F(1, 2), ENV.market(tL=1, tH=0)), (F(1, 2), ENV.market(tL="1/3", tH="2/3"))]
    assert check_segmentation(ENV, MARKET, stated).pareto_improving


@claim("OWN-NEG")
def test_negative_weight():
    check_segmentation(ENV, MARKET, [(F(-1, 2), MARKET), (F(3, 2), MARKET)])


@claim("OWN-NAME")
def test_unknown_type_name():
    check_segmentation(ENV, MARKET, [(1, ENV.market(tX=1))])
"""


@pytest.fixture
def own_paper(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "claims.toml").write_text(CLAIMS, encoding="utf-8")
    checks = tmp_path / "own_checks"
    checks.mkdir()
    (checks / "test_own.py").write_text(CHECKS, encoding="utf-8")
    return tmp_path / "claims.toml", checks


def test_a_stated_segmentation_not_averaging_to_the_market_refutes_the_claim_and_a_malformed_one_is_an_error(own_paper):
    claims, checks = own_paper
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "check", "--claims", str(claims), "--checks", str(checks),
         "--workers", "1", "--format", "json", "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1, proc.stderr  # documented: some claim refuted or errored
    report = json.loads(proc.stdout)
    rows = {row["id"]: row for row in report["claims"]}
    seg = rows["OWN-SEG"]
    assert seg["status"] == "refuted", seg
    text = json.dumps(seg)
    assert "average to (2/3, 1/3)" in text and "tL=1/2, tH=1/2" in text
    assert rows["OWN-NEG"]["status"] == "error" and "must be positive" in json.dumps(rows["OWN-NEG"])
    assert rows["OWN-NAME"]["status"] == "error" and "tX" in json.dumps(rows["OWN-NAME"])


def test_not_averaging_raises_stated_object_fails_which_is_still_an_input_error():
    env = Environment.from_dict({"tL": {"aL": "3/4", "aH": 1}, "tH": {"aL": 1, "aH": 2}})
    f = env.market(tL="1/2", tH="1/2")
    with pytest.raises(StatedObjectFails, match="average to") as info:
        check_segmentation(env, f, [(F(1, 2), env.market(tL=1, tH=0)), (F(1, 2), f)])
    assert isinstance(info.value, InputError)  # the CLI keeps exit 2 for such a file
    with pytest.raises(InputError) as info:
        check_segmentation(env, f, [(0, f), (1, f)])
    assert not isinstance(info.value, StatedObjectFails)
