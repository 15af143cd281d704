"""E_K* of (41) and Lemma 8 (SWP Sec. 5, proof of Theorem 2), and ``evidence.certified``
(issue 14 items 2 and 4): engine, independent replay, mutations the replay must catch, bad
parameters, and the structured certification record in ``exactscreen check``'s JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from exactscreen.exceptions import InputError
from exactscreen.persuasion.entropy_finite import finite_K_bound, finite_K_bounds, lemma8_monotone
from exactscreen.persuasion.entropy_finite_replay import replay_finite_all, replay_finite_K, replay_lemma8

FAST = {"base_bits": 6, "levels": 20, "fine": F(1, 2**10)}   # a coarse, quick certificate
E_STAR_UPPER = F(106995099584159, 35184372088832)             # the certified upper end of E* (item 1)


@pytest.fixture(scope="module")
def small():
    return finite_K_bounds(6, **FAST)


def test_small_grids_are_uniform_with_entropy_log2_K(small):
    for b in small[:3]:
        assert b.masses == tuple([F(1, b.K)] * b.K) and b.lower <= b.upper
    assert small[0].lower <= 1 <= small[0].upper and small[2].lower <= 2 <= small[2].upper


def test_E5_and_E6_enclosed_replayed_and_increasing(small):
    reps = replay_finite_all([b.plain() for b in small])
    assert all(r.ok for r in reps), [r.summary() for r in reps]
    e5, e6 = small[3], small[4]
    # float prototypes (hints, not claims) put E_5* ~ 2.3124105 and E_6* ~ 2.5418942
    assert e5.lower < F(23124106, 10**7) and e5.upper > F(23124104, 10**7)
    assert e6.lower < F(25418943, 10**7) and e6.upper > F(25418941, 10**7)
    assert all(b1.upper < b2.lower for b1, b2 in zip(small, small[1:]))
    assert e5.block == 2                                         # Corollary 4: iota = K - 3


def test_replay_rejects_a_lowered_table_value(small):
    c = small[-1].plain()
    stage = c["tables"][2]
    i = max(range(len(stage)), key=lambda j: stage[j])
    stage[i] -= F(1, 10**4)
    r = replay_finite_K(c)
    assert not r.ok and "stage 4" in r.problem


def test_replay_rejects_a_witness_that_violates_36(small):
    c = small[-1].plain()
    m = list(c["masses"])
    m[0], m[1] = m[0] + m[1] - F(1, 10**6), F(1, 10**6)          # atom 2 far too small: (35) holds
    c["masses"] = m
    r = replay_finite_K(c)
    assert not r.ok and "(36)" in r.problem


def test_replay_rejects_an_upper_end_below_the_tables(small):
    c = small[-1].plain()
    c["upper"] = max(c["tables"][-1]) - F(1, 10**9)
    assert not replay_finite_K(c).ok


def test_lemma8_monotonicity_certified_and_replayed():
    m = lemma8_monotone(E_STAR_UPPER, boxes=8, terms=20)
    assert m.E_hat_lower > m.log_ratio_upper
    ok, why = replay_lemma8(m.E_star_upper, m.s0, m.log_ratio_upper, m.window)
    assert ok, why
    # a claimed log-ratio that is too small (the step would be unjustified) is rejected
    bad, why = replay_lemma8(m.E_star_upper, m.s0, m.log_ratio_upper - F(1, 10), m.window)
    assert not bad and "log2" in why


@pytest.mark.parametrize("kw, field", [({"K": 1}, "K"), ({"K": 100}, "K"), ({"K": 5, "prec": 10}, "prec"),
                                       ({"K": 5, "base_bits": 99}, "base_bits"), ({"K": 5, "fine": 0}, "fine"),
                                       ({"K": 5, "fine": "x"}, "fine")])
def test_bad_parameters_name_the_field(kw, field):
    with pytest.raises(InputError, match=field):
        finite_K_bound(**kw)


def test_lemma8_needs_a_certified_E_star_upper_end():
    with pytest.raises(InputError, match="E_star_upper"):
        lemma8_monotone(F(1))


CLAIMS = """\
[papers.TOYC]
title = "A toy paper with a certified number"
authors = "A. Theorist"

[[claims]]
id = "TOYC-LOG2"
paper = "TOYC"
section = "Eq. 1"
statement = "log2 3 lies in [1.58, 1.59]"
"""

CHECKS = """\
from fractions import Fraction as F
from exactscreen.claims import claim


@claim("TOYC-LOG2")
def test_log2_3(evidence):
    evidence.bounds("log2 3", F(158, 100), F(159, 100))
    evidence.certified("log2 3", F(158, 100), F(159, 100), method="arb ball", precision_bits=128, boxes=1,
                       replayed_by="a second formula", replay_ok=True, pieces=3, note=F(1, 3))
"""


def test_certified_record_reaches_the_json_report(tmp_path: Path):
    (tmp_path / "claims.toml").write_text(CLAIMS, encoding="utf-8")
    checks = tmp_path / "toyc_checks"
    checks.mkdir()
    (checks / "test_toyc.py").write_text(CHECKS, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "exactscreen", "check", "--claims", str(tmp_path / "claims.toml"),
                           "--checks", str(checks), "--format", "json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)["claims"][0]
    assert row["status"] == "verified-bounds"
    lines = [ln for ln in row["evidence"] if ln.startswith("certified: ")]
    assert len(lines) == 1
    body = lines[0][len("certified: "):]
    rec = json.loads(body[: body.rindex("}") + 1])
    assert rec == {"what": "log2 3", "lower": "79/50", "upper": "159/100", "method": "arb ball",
                   "working_precision_bits": 128, "boxes": 1, "replay": {"by": "a second formula", "ok": True},
                   "pieces": 3, "note": "1/3"}


def test_certified_refuses_an_unreplayed_number():
    from exactscreen.claims.evidence import Evidence

    ev = Evidence("x")
    with pytest.raises(AssertionError, match="replay"):
        ev.certified("x", 1, 2, method="m", precision_bits=1, boxes=1, replayed_by="r", replay_ok=False)
    with pytest.raises(TypeError, match="boxes"):
        ev.certified("x", 1, 2, method="m", precision_bits=1, boxes=-1, replayed_by="r", replay_ok=True)


def test_the_finite_replay_imports_nothing_from_the_package():
    import ast

    import exactscreen.persuasion.entropy_finite_replay as rep

    tree = ast.parse(Path(rep.__file__).read_text(encoding="utf-8"))
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mods.add("." * node.level + (node.module or ""))
    assert mods <= {"__future__", "dataclasses", "fractions", "flint"}, mods


def test_entropy_bound_json_reports_lemma8_replayed():
    proc = subprocess.run([sys.executable, "-m", "exactscreen", "persuade", "--entropy-bound", "--json"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["lemma8"]["sup_feasible_equals_E_star"] is True and d["lemma8"]["replay"]["ok"] is True
    assert F(d["lemma8"]["E_hat_on_window_at_least"]) > F(d["lemma8"]["log2_ratio_at_most"])
    assert {"E_star", "liminf", "sup_feasible", "certificate", "method"} <= set(d)   # existing keys kept
