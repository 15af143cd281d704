"""The certified enclosures of E* = limsup and of the liminf (entropy_phase) and their independent replay."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from exactscreen.exceptions import InputError
from exactscreen.persuasion import entropy_phase as ph
from exactscreen.persuasion.entropy_replay import replay_phase_certificate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def certs():
    return ph.phase_search("sup"), ph.phase_search("inf")


def test_limsup_and_liminf_are_enclosed_to_1e_12(certs):
    sup, inf = certs
    for c in (sup, inf):
        assert c.target_met and c.lower <= c.upper and c.upper - c.lower <= F(1, 10**12)
    # the high-precision (uncertified) values of the issue lie inside
    assert sup.lower <= F("3.0409836308579") <= sup.upper
    assert inf.lower <= F("3.0409545626123") <= inf.upper
    assert inf.upper < sup.lower                          # lim_{f1->0} E(f1) does not exist


def test_boxes_cover_the_fundamental_domain(certs):
    for c in certs:
        assert c.a == F(9, 49) and c.b == F(3, 10) == c.boxes[-1][1] and c.boxes[0][0] == c.a
        assert all(c.boxes[i][1] == c.boxes[i + 1][0] for i in range(len(c.boxes) - 1))


def test_replayer_accepts_the_real_certificates(certs):
    for c in certs:
        r = replay_phase_certificate(c.plain())
        assert r.ok, r.problems
        assert r.prec == c.prec + 16 and r.boxes == len(c.boxes)


def test_replayer_rejects_a_removed_box(certs):
    d = certs[0].plain()
    del d["boxes"][7]
    r = replay_phase_certificate(d)
    assert not r.ok and "gap" in r.problems[0]
    d = certs[1].plain()
    d["boxes"] = d["boxes"][:-1]
    assert not replay_phase_certificate(d).ok


def _box_of(cert, y):
    return next(i for i, (lo, hi, _) in enumerate(cert["boxes"]) if lo <= y <= hi)


def test_replayer_rejects_a_lowered_bound(certs):
    sup, inf = certs
    d = sup.plain()
    i = _box_of(d, d["witness"])                          # this box holds a value >= lower
    lo, hi, _ = d["boxes"][i]
    d["boxes"][i] = (lo, hi, d["lower"] - F(1, 10**10))
    r = replay_phase_certificate(d)
    assert not r.ok and f"box {i}" in r.problems[0]
    d = inf.plain()                                       # the inf claim raised above the true minimum
    i = _box_of(d, d["witness"])
    lo, hi, _ = d["boxes"][i]
    d["boxes"][i] = (lo, hi, d["upper"] + F(1, 10**10))
    assert not replay_phase_certificate(d).ok


def test_replayer_rejects_a_raised_witness_bound_and_inconsistent_ends(certs):
    d = certs[0].plain()
    d["witness_bound"] = d["lower"] = d["lower"] + F(1, 10**9)
    assert not replay_phase_certificate(d).ok
    d = certs[0].plain()
    d["upper"] -= F(1, 10**12)
    assert not replay_phase_certificate(d).ok


def test_replayer_rejects_a_changed_precision_or_domain(certs):
    d = certs[0].plain()
    d["prec"] = 20                                        # the claims do not hold at 20 + 16 bits
    assert not replay_phase_certificate(d).ok
    d = certs[0].plain()
    d["b"] = F(31, 100)                                   # no longer [S^-1(b), b]
    assert not replay_phase_certificate(d).ok


def test_replayer_imports_nothing_from_the_search():
    src = (ROOT / "exactscreen" / "persuasion" / "entropy_replay.py").read_text()
    mods = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.ImportFrom):
            mods.add((node.level, node.module))
        elif isinstance(node, ast.Import):
            mods.update((0, a.name) for a in node.names)
    assert mods <= {(0, "__future__"), (0, "dataclasses"), (0, "fractions"), (0, "flint")}, mods


def test_small_budget_gives_an_honest_wider_interval_or_an_error():
    c = ph.phase_search("sup", max_boxes=40)
    assert not c.target_met and c.upper - c.lower > F(1, 10**12)
    assert replay_phase_certificate(c.plain()).ok         # still certified, only wider
    with pytest.raises(InputError):
        ph.phase_search("sup", prec=10)
    with pytest.raises(InputError):
        ph.phase_search("sup", width=F(1, 10**20))


def test_phase_value_is_a_certified_ball():
    v = ph.phase_value(F(669, 2500))
    assert v.rad() < 1e-20 and 3.04 < v < 3.0411
    with pytest.raises(InputError):
        ph.phase_value(F(1, 2))


@pytest.mark.parametrize("args, field", [
    (["--prec", "10"], "--prec"),
    (["--prec", "x"], "--prec"),
    (["--max-boxes", "40"], "--max-boxes"),
    (["--width", "0"], "--width"),
    (["--width", "1e-20"], "--width"),
])
def test_cli_bad_entropy_parameters_exit_2_with_one_line(args, field):
    p = subprocess.run([sys.executable, "-m", "exactscreen", "persuade", "--entropy-bound", *args],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]


def test_cli_entropy_bound_json_keys_and_width():
    p = subprocess.run([sys.executable, "-m", "exactscreen", "persuade", "--entropy-bound", "--json"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    lo, hi = F(d["E_star"]["lower"]), F(d["E_star"]["upper"])
    assert hi - lo <= F(1, 10**12) and F(d["E_star"]["lower_exact"]) >= lo
    assert F(d["liminf"]["upper"]) < lo and d["limit_f1_to_0_exists"] is False
    assert d["E_star_rounds_to_3_04"] is True and d["E_star"]["digits"].startswith("3.0409836308")
    c = d["certificate"]
    assert c["replay"]["ok"] is True and c["working_precision_bits"] == 104 and c["target_met"] is True
    assert c["boxes"]["limsup"] > 0 and c["box_budget"] == 4000


def test_search_with_broken_bounds_stops_at_its_box_budget(monkeypatch):
    from flint import arb

    monkeypatch.setattr(ph, "_quad_max", lambda g, c, r: arb(1))   # bounds never tighten
    c = ph.phase_search("sup", max_boxes=100)
    assert not c.target_met and c.evaluated <= 100
    with pytest.raises(InputError, match="--max-boxes"):
        from exactscreen.persuasion import entropy as ent
        ent.entropy_bound(max_boxes=100)
