"""The independent replay of Lemma 12's certificate (singleitem.replay_lemma12, SWP appendix (65)-(66)):
it accepts the engine's certificates, rejects corrupted ones, and catches hand mutations of the search
(`_mps_bnb`) that the search itself would have certified (docs/mutation.md, rows f1-f5)."""

from __future__ import annotations

import copy
import sys
import types
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from exactscreen.exceptions import NotCertified
from exactscreen.numbers import Certainty
from exactscreen.persuasion.singleitem import PolyCost, PolyDensity, V, linear_decreasing, power_distribution, single_item_optimum
from exactscreen.persuasion.singleitem import lemma12
from exactscreen.persuasion.singleitem.lemma12 import lemma12_certificate, lemma12_construction
from exactscreen.persuasion.singleitem.replay_lemma12 import replay_lemma12

R = sp.Rational
FIG2 = (power_distribution(2), (sp.sqrt(3) - 1) / 2)          # the paper's Fig. 2: F = v^2, c = q^2/2


def _cert(dist, vs):
    return lemma12_certificate(lemma12_construction(dist, vs))


@pytest.fixture(scope="module")
def fig2():
    return _cert(*FIG2)


@pytest.fixture(scope="module")
def uniform():
    return _cert(PolyDensity.of(1, 0, 1), R(1, 3))


# ------------------------------------------------------------------ accepts the real certificates
@pytest.mark.parametrize("dist, vs, what", [
    (FIG2[0], FIG2[1], "Fig. 2, v* = (sqrt3 - 1)/2 (irrational: minimal polynomial + isolating interval)"),
    (PolyDensity.of(1, 0, 1), R(1, 3), "uniform, rational v*, irrational z_lo"),
    (PolyDensity.of(6 * V * (1 - V), 0, 1), R(1, 2), "6v(1-v)"),
    (PolyDensity.of(2 * V, 0, 1), sp.Integer(0), "v* = 0: z_lo = 0, no atom, valley from the start"),
    (PolyDensity.of(1 + V, 1, 2), R(1, 2), "v* below v_l: no exclusion"),
    (linear_decreasing(0, 1), R(1, 3), "F = L: F-hat = F"),
    (PolyDensity.of(1 - V**2, 0, 1), R(3, 10), "1 - v^2"),
])
def test_replay_accepts_the_engines_certificates(dist, vs, what):
    cert = _cert(dist, vs)
    assert cert.certainty == Certainty.TRUE, what
    assert cert.replay is not None and cert.replay.ok, (what, cert.replay)
    again = replay_lemma12(copy.deepcopy(cert.replay_data))
    assert again.ok and again.boxes == len(cert.replay_data["boxes"])
    assert "replayed independently" in cert.mps.summary()


def test_replay_accepts_a_cutoff_given_by_a_root_of_a_quartic():
    """F = v^2, c = q^3/3: v* from (52) is a root of 7 t^2 + 7 t - 2 written with CRootOf."""
    single = single_item_optimum(power_distribution(2), PolyCost(0, 0, 1))
    cert = _cert(power_distribution(2), single.cutoff)
    assert cert.certainty == Certainty.TRUE and cert.replay.ok
    assert "minpoly" in cert.replay_data["vstar"]


def test_replay_confirms_the_failure_without_modest_tails():
    cert = _cert(PolyDensity.of((1 - V) ** 2, 0, 1), R(1, 10))
    assert cert.certainty == Certainty.FALSE and cert.replay.ok
    assert cert.replay_data["claim"] == "fosd fails"
    lie = copy.deepcopy(cert.replay_data)
    lie["claim"] = "holds"
    assert not replay_lemma12(lie).ok


# ------------------------------------------------------------------ rejects corrupted certificates
def _rejects(data, fragment: str):
    rep = replay_lemma12(data)
    assert not rep.ok, "a corrupted certificate was accepted"
    assert fragment in rep.problem, rep.problem
    return rep


@pytest.mark.parametrize("which", [0, 3, -1])
def test_a_dropped_box_leaves_a_gap(fig2, which):
    data = copy.deepcopy(fig2.replay_data)
    boxes = sorted(data["boxes"])
    del boxes[which]
    data["boxes"] = boxes
    _rejects(data, "boxes:")


def test_overlapping_boxes_are_rejected(fig2):
    data = copy.deepcopy(fig2.replay_data)
    a, b, r = sorted(data["boxes"])[1]
    data["boxes"].append((a, b, r))
    _rejects(data, "gap or overlap")


def test_a_valley_box_relabelled_bound_is_rejected(fig2):
    """D(v*) = 0: no enclosure shows D > 0 on a box around v*, however often it is halved."""
    data = copy.deepcopy(fig2.replay_data)
    data["boxes"] = [(a, b, "bound" if r == "valley at v*" else r) for a, b, r in data["boxes"]]
    _rejects(data, "bound: D > 0 not confirmed")


def test_loosened_rises_and_falls_limits_are_rejected(uniform):
    data = copy.deepcopy(uniform.replay_data)
    x_r, pieces = data["rises"]
    far = x_r + (data["T"] - x_r) / 2
    data["rises"] = (far, pieces + [(x_r, far)])
    _rejects(data, "rises: D' >= 0 not confirmed")
    data = copy.deepcopy(uniform.replay_data)
    x_f, pieces = data["falls"]
    data["falls"] = (x_f / 2, pieces + [(x_f / 2, x_f)])
    _rejects(data, "falls: D' <= 0 not confirmed")
    data = copy.deepcopy(uniform.replay_data)
    data["rises"] = (data["rises"][0] * 2, data["rises"][1])       # limit moved, pieces not
    _rejects(data, "rises pieces")


def test_a_widened_valley_is_rejected(fig2):
    data = copy.deepcopy(fig2.replay_data)
    x_l, x_u, pieces = data["valley"]
    lo_ = Fraction(0)
    data["valley"] = (lo_, x_u, [(lo_, x_l)] + pieces)                 # down to 0, below v-hat
    _rejects(data, "x_l is not certainly >= v-hat")


def test_a_changed_density_coefficient_is_rejected(fig2):
    data = copy.deepcopy(fig2.replay_data)
    assert data["density"] == [0, 2]
    data["density"] = [Fraction(1, 4), Fraction(3, 2)]                # still a density of mass 1
    _rejects(data, "")
    data["density"] = [Fraction(0), Fraction(2), Fraction(1, 10**9)]  # not normalized
    _rejects(data, "total mass")


@pytest.mark.parametrize("name", ["z_lo", "z_hi"])
@pytest.mark.parametrize("shift", [Fraction(1, 10**9), -Fraction(1, 10**9)])
def test_a_z_bound_moved_by_1e_9_is_rejected(fig2, uniform, name, shift):
    for cert in (fig2, uniform):
        data = copy.deepcopy(cert.replay_data)
        a, b = data[name]
        data[name] = (a + shift, b + shift)
        _rejects(data, name)


def test_a_moved_vhat_bracket_or_threshold_is_rejected(fig2, uniform):
    for cert in (fig2, uniform):
        data = copy.deepcopy(cert.replay_data)
        a, b = data["vhat"]
        data["vhat"] = (a + Fraction(1, 10**9), b + Fraction(1, 10**9))
        _rejects(data, "vhat")
    data = copy.deepcopy(uniform.replay_data)
    data["vstar"] = {"value": Fraction(1, 3) + Fraction(1, 10**9)}
    _rejects(data, "")
    data = copy.deepcopy(fig2.replay_data)
    data["vstar"]["between"] = (Fraction(-2), Fraction(2))           # both roots of 2t^2 + 2t - 1
    _rejects(data, "real roots")


def test_false_structural_claims_are_rejected(uniform):
    data = copy.deepcopy(uniform.replay_data)
    data["identical"] = True
    _rejects(data, "identical")
    data = copy.deepcopy(uniform.replay_data)
    data["atom_zero"] = True
    _rejects(data, "no atom")
    data = copy.deepcopy(uniform.replay_data)
    data["z_lo_zero"] = True
    _rejects(data, "z_lo = 0")
    data = copy.deepcopy(uniform.replay_data)
    data["T"] = Fraction(1)                                            # below z_hi = 4/3
    _rejects(data, "T =")


def test_malformed_data_and_bad_parameters_are_clear_failures(uniform):
    data = copy.deepcopy(uniform.replay_data)
    data["lo"] = 0.0
    assert "lo: expected an exact rational" in replay_lemma12(data).problem
    data = copy.deepcopy(uniform.replay_data)
    data["density"] = [0.5, 1.0]
    rep = replay_lemma12(data)
    assert not rep.ok and "exact rational" in rep.problem
    data = copy.deepcopy(uniform.replay_data)
    data["precision_bits"] = 10
    assert "precision_bits" in replay_lemma12(data).problem
    del data["T"]
    data["precision_bits"] = 192
    assert "malformed" in replay_lemma12(data).problem
    with pytest.raises(ValueError, match="max_halvings"):
        replay_lemma12(uniform.replay_data, max_halvings=-1)


# ------------------------------------------------------------------ hand mutations of the search
SRC = Path(lemma12.__file__).read_text()

MUTATIONS = {
    "f1": ("rises accepted beyond the certified [0, x_r]",
           "        return b <= x_r\n", "        return b <= x_r + (T - x_r) / 2\n"),
    "f2": ("bound loosened: D > -1/100 accepted as D > 0",
           "        return bool(v.is_finite() and v > 0)\n", "        return bool(v.is_finite() and v > -arb(1) / 100)\n"),
    "f3": ("falls accepted from x_f / 2 on",
           "        return a >= x_f\n", "        return a >= x_f / 2\n"),
    "f4": ("valley rule without its upper end",
           "        return valley is not None and valley[0] <= a and b <= valley[1]\n",
           "        return valley is not None and valley[0] <= a\n"),
}


def _mutant(monkeypatch, old: str, new: str):
    assert SRC.count(old) == 1, old
    name = "exactscreen.persuasion.singleitem._lemma12_mutant"
    mod = types.ModuleType(name)
    mod.__package__ = "exactscreen.persuasion.singleitem"
    monkeypatch.setitem(sys.modules, name, mod)
    exec(compile(SRC.replace(old, new), "lemma12 (mutant)", "exec"), mod.__dict__)
    return mod


def _survives_without_replay(mod, monkeypatch, dist, vs) -> bool:
    """The mutant's own answer with the replay switched off (the state before the replay existed)."""
    with monkeypatch.context() as m:
        m.setattr(mod, "_replay", lambda cert: None)
        return mod.lemma12_certificate(mod.lemma12_construction(dist, vs)).certainty == Certainty.TRUE


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_hand_mutations_of_the_search_are_caught_by_the_replay(monkeypatch, kind):
    """Each mutant certifies TRUE on its own (a survivor of the search's logic) and the replay rejects its
    certificate on at least one of the instances (Fig. 2 first).  Where a mutant's certificate happens
    to be valid anyway (the loosened test never fired on a box where D <= 0 is possible), the replay
    accepts it: it judges the certificate, not the code."""
    what, old, new = MUTATIONS[kind]
    mod = _mutant(monkeypatch, old, new)
    instances = [FIG2, (PolyDensity.of(1, 0, 1), R(1, 3)), (PolyDensity.of(1 + V, 1, 2), R(1, 2)),
                 (PolyDensity.of(2 * V, 0, 1), sp.Integer(0))]
    survived = [i for i, (d, vs) in enumerate(instances) if _survives_without_replay(mod, monkeypatch, d, vs)]
    assert survived, f"{kind} ({what}) is not a survivor: the search itself rejects it"
    caught = []
    for i in survived:
        try:
            mod.lemma12_certificate(mod.lemma12_construction(*instances[i]))
        except NotCertified as exc:
            assert "replay FAILED" in str(exc)
            caught.append(i)
    assert caught, f"{kind} ({what}) survived the replay on instances {survived}"
    MUTANT_REPORT[kind] = (survived, caught)


MUTANT_REPORT: dict = {}


def test_the_right_half_dropped_at_depth_3_is_caught(monkeypatch):
    """f5: branch_and_bound's split replaces the right half by a copy of the left one at depth 3 of
    Lemma 12's search (boxes of width T/8): the mutant still answers TRUE; the replay finds the gap."""
    from exactscreen.persuasion.singleitem import bnb

    orig = bnb._split
    cons = lemma12_construction(*FIG2)
    widths = set()

    def dropping(box, scale):
        left, right = orig(box, scale)
        (lo_, hi_), = box
        if (hi_ - lo_) * 8 == scale[0]:
            widths.add(hi_ - lo_)
            return left, left
        return left, right

    monkeypatch.setattr(bnb, "_split", dropping)
    with monkeypatch.context() as m:
        m.setattr(lemma12, "_replay", lambda cert: None)
        assert lemma12_certificate(cons).certainty == Certainty.TRUE           # a survivor without the replay
    assert widths
    with pytest.raises(NotCertified, match="gap or overlap"):
        lemma12_certificate(cons)


# ------------------------------------------------------------------ the JSON report
def test_lemma11_and_lemma12_rows_carry_certified_records_in_the_json_report():
    """`exactscreen check --claim SWP-LEM11 --claim SWP-LEM12 --format json`: each row's evidence has a
    `certified:` record (method, precision, boxes, replay) and no free-text "certification:" note."""
    import json
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "exactscreen", "check", "--claim", "SWP-LEM11", "--claim", "SWP-LEM12",
                           "--format", "json", "--workers", "1", "-q"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {r["id"]: r for r in json.loads(proc.stdout)["claims"]}
    assert set(rows) == {"SWP-LEM11", "SWP-LEM12"}
    for cid, row in rows.items():
        assert not [ln for ln in row["evidence"] if ln.startswith("certification:")], cid
        recs = []
        for ln in row["evidence"]:
            if ln.startswith("certified: "):
                body = ln[len("certified: "):]
                recs.append(json.loads(body[: body.rindex("}") + 1]))
        assert recs, f"{cid}: no certified: record"
        for rec in recs:
            assert rec["replay"]["ok"] is True and rec["replay"]["by"]
            assert {"what", "lower", "upper", "method", "working_precision_bits", "boxes"} <= set(rec)
    lem12 = [r for ln in rows["SWP-LEM12"]["evidence"] if ln.startswith("certified: ")
             for r in [json.loads(ln[11:][: ln[11:].rindex("}") + 1])]]
    assert lem12[0]["working_precision_bits"] == 192 and lem12[0]["boxes"] > 0
    assert "replay_lemma12" in lem12[0]["replay"]["by"]
    lo, hi = Fraction(lem12[0]["lower"]), Fraction(lem12[0]["upper"])
    assert 0 < hi - lo <= Fraction(2, 10**30)
    lem11 = [json.loads(ln[11:][: ln[11:].rindex("}") + 1]) for ln in rows["SWP-LEM11"]["evidence"]
             if ln.startswith("certified: ")]
    assert all(r["working_precision_bits"] == 0 for r in lem11)
    assert any("brute-force" in r["replay"]["by"] for r in lem11)
