"""`exactscreen segment`: JSON contract and human output."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import exactscreen
from exactscreen.cli.main import main

EX = Path(exactscreen.__file__).parent / "examples"


def test_segment_json_contract_and_segments_average_to_the_market(capsys):
    assert main(["segment", str(EX / "pis_fn25.toml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["efficient"] is False and out["improvable"] is True and out["verified"] is True
    segs = out["segments"]
    assert len(segs) == 2
    avg = {t: sum(Fraction(s["weight"]) * Fraction(s["market"][t]) for s in segs) for t in ("t1", "t2", "t3")}
    assert avg == {t: Fraction(v) for t, v in out["market"].items()}
    assert out["construction"]["binding_path"] == ["t2", "t1"]


def test_segment_tie_market_is_decided_by_the_two_type_analysis(capsys):
    assert main(["segment", str(EX / "pis_sec311.toml"), "--market", "tL=1/4,tH=3/4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["improvable"] is False and out["segments"] == [] and out["reason"]
    assert [p["consumer_surplus"][1] for p in out["two_type_markets"]] == ["1", "1/4", "0", "0"]


def test_segment_text_output(capsys):
    assert main(["segment", str(EX / "pis_sec311.toml")]) == 0
    out = capsys.readouterr().out
    for needle in ("Pareto improvable: yes", "ε = 1/4", "All markets q = f(tH)", "(1/4, 3/4]"):
        assert needle in out


def test_segment_refuses_environments_outside_the_papers_assumption(tmp_path, capsys):
    f = tmp_path / "e.toml"
    f.write_text('[types.a]\nx = "1"\ny = "1"\n[market]\na = "1"\n')
    assert main(["segment", str(f)]) == 2
    assert "unique efficient alternative" in capsys.readouterr().err
