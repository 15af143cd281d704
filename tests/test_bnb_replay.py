"""The single-item branch-and-bound certificates are replayed by independent code
(exactscreen/persuasion/singleitem/replay.py): the real ones replay, tampered ones fail with a
named reason (SWP Sec. 6, proof of Theorem 3, (54)-(56))."""

from __future__ import annotations

import copy
from fractions import Fraction
from functools import lru_cache

import pytest

from exactscreen.exceptions import NotCertified
from exactscreen.numbers import Certainty
from exactscreen.persuasion.singleitem import PolyCost, Rule, branch_and_bound, power_distribution, top_two_certificate
from exactscreen.persuasion.singleitem import top_two as top_two_module
from exactscreen.persuasion.singleitem.replay import check_tiling, replay_linear_family, replay_top_two, sign_on_box


@lru_cache(maxsize=None)
def _uniform():
    return top_two_certificate(power_distribution(1), PolyCost(Fraction(1, 4), 1, 0))


def _data():
    return copy.deepcopy(_uniform().data)


def test_branch_and_bound_records_every_settled_box_with_its_rule():
    res = branch_and_bound([(0, 1)], [Rule("bound", lambda balls, box: box[0][1] - box[0][0] <= Fraction(1, 4))])
    assert res.certainty == Certainty.TRUE
    assert sorted(b for b, _, _ in res.final) == [((Fraction(i, 4), Fraction(i + 1, 4)),) for i in range(4)]
    assert {rule for _, rule, _ in res.final} == {"bound"}
    assert check_tiling([(0, 1)], [b for b, _, _ in res.final]) == ""


def test_the_uniform_top_two_certificate_replays():
    cert = _uniform()
    assert cert.certainty == Certainty.TRUE and cert.replayed
    assert "replayed" in cert.result.summary()
    assert cert.replay.boxes == len(cert.result.final) == sum(cert.result.by_rule.values())


def test_the_fig2_top_two_certificate_replays():
    cert = top_two_certificate(power_distribution(2), PolyCost(0, 1, 0))
    assert cert.certainty == Certainty.TRUE and cert.replayed
    assert cert.replay.boxes == 2344


def test_a_removed_box_fails_the_tiling():
    data = _data()
    del data["final"][3]
    res = replay_top_two(data)
    assert not res.ok and res.problem.startswith("gap")


def test_a_box_enlarged_beyond_the_domain_fails():
    data = _data()
    box, rule, claim = data["final"][0]
    data["final"][0] = (((box[0][0], Fraction(3, 2)),) + tuple(box[1:]), rule, claim)
    res = replay_top_two(data)
    assert not res.ok and "not inside the domain" in res.problem


def test_a_shrunk_domain_fails():
    data = _data()
    data["domain"] = ((Fraction(0), Fraction(1, 2)),) + tuple(data["domain"][1:])
    res = replay_top_two(data)
    assert not res.ok and "domain must be [0, 1]^3" in res.problem


def test_overlapping_boxes_fail_the_tiling():
    assert "overlap" in check_tiling([(0, 1)], [((0, 1),), ((0, Fraction(1, 2)),)])
    assert "not a bisection tiling" in check_tiling([(0, 1)], [((0, Fraction(2, 3)),), ((Fraction(1, 3), 1),)])


def test_a_changed_rule_fails():
    data = _data()
    i = next(i for i, (_, rule, _) in enumerate(data["final"]) if rule == "no second item")
    box, _, claim = data["final"][i]
    data["final"][i] = (box, "two items lose", claim)
    res = replay_top_two(data)
    assert not res.ok and "does not follow from the recorded claim D <= 0" in res.problem and res.box == box


def test_a_flipped_sign_claim_fails_on_its_box():
    data = _data()
    i = next(i for i, (_, rule, _) in enumerate(data["final"]) if rule == "combination")
    box, rule, claim = data["final"][i]
    # claim D~ <= 0 (no increment) on a box the search settled only by G~ + lam D~ <= 0
    data["final"][i] = (box, "no second item", {**claim, "poly": "D", "rel": "<="})
    res = replay_top_two(data)
    assert not res.ok and res.box == box and "no second item" in res.problem and "not confirmed" in res.problem


def test_a_flipped_monotone_direction_fails():
    data = _data()
    i = next(i for i, (_, _, c) in enumerate(data["final"]) if any(f is not None for f in c["fix"]))
    box, rule, claim = data["final"][i]
    flip = tuple({"lo": "hi", "hi": "lo", None: None}[f] for f in claim["fix"])
    data["final"][i] = (box, rule, {**claim, "fix": flip})
    res = replay_top_two(data)
    assert not res.ok and res.box == box and "monotone" in res.problem


def test_a_polynomial_with_the_wrong_sign_fails_against_the_paper():
    data = _data()
    data["polys"]["G"] = {k: -v for k, v in data["polys"]["G"].items()}
    res = replay_top_two(data)
    assert not res.ok and "G~ has the wrong sign" in res.problem and "(54)" in res.problem


def test_a_zero_multiplier_is_rejected():
    data = _data()
    data["lams"] = (Fraction(0),) + tuple(data["lams"][1:])
    res = replay_top_two(data)
    assert not res.ok and "must be > 0" in res.problem


def test_exact_bernstein_bounds_settle_a_face_where_the_polynomial_vanishes():
    # p = -x y on [0, 1]^2 is <= 0 and vanishes on the faces x = 0 and y = 0
    p = {(1, 1): Fraction(-1)}
    assert sign_on_box(p, ((Fraction(0), Fraction(1)),) * 2, "<=")[0]
    assert not sign_on_box(p, ((Fraction(0), Fraction(1)),) * 2, "<")[0]
    # p = x - 1/3 changes sign on [0, 1]: never confirmed, whatever the splitting
    assert not sign_on_box({(1,): Fraction(1), (0,): Fraction(-1, 3)}, ((Fraction(0), Fraction(1)),), "<=")[0]


def test_a_failed_replay_raises_not_certified(monkeypatch):
    from exactscreen.persuasion.singleitem import replay as replay_module

    def broken(data):
        data = copy.deepcopy(data)
        del data["final"][0]
        return replay_top_two(data)

    monkeypatch.setattr(replay_module, "replay_top_two", broken)
    with pytest.raises(NotCertified, match="replay FAILED"):
        top_two_certificate(power_distribution(1), PolyCost(0, 1, 0))
    assert top_two_module  # the engine module imports the replayer lazily, inside top_two_certificate


# ------------------------------------------------ sup_feasible (SWP Sec. 5, (36)-(37))
@lru_cache(maxsize=None)
def _sup_data():
    from exactscreen.persuasion import entropy as ent

    ub = ent.entropy_upper_bound(steps=200, ratio=Fraction(3, 2))
    masses, ball = ent.feasible_witness()
    return ub, masses, ent._exact(ball.lower())


def test_the_sup_feasible_certificate_replays():
    from exactscreen.persuasion.entropy_sup_replay import replay_sup_feasible

    ub, masses, lower = _sup_data()
    res = replay_sup_feasible(ub.points, ub.values, ub.prefix, ub.bound, masses, lower)
    assert res.ok and res.intervals == ub.intervals and res.atoms == len(masses)


def test_a_tampered_sup_feasible_certificate_fails_with_a_reason():
    from exactscreen.persuasion.entropy_sup_replay import replay_sup_feasible

    ub, masses, lower = _sup_data()
    values = list(ub.values)
    values[len(values) // 2] -= Fraction(1, 2**20)                   # one U_I lowered
    assert "(*) fails on interval" in replay_sup_feasible(ub.points, values, ub.prefix, ub.bound).problem
    assert "below max U + prefix" in replay_sup_feasible(ub.points, ub.values, ub.prefix, ub.bound - Fraction(1, 2**30)).problem
    assert "2 H(delta)" in replay_sup_feasible(ub.points, ub.values, ub.prefix / 2, ub.bound).problem
    points = (ub.points[0],) + ub.points[2:]                          # a grid interval dropped
    assert not replay_sup_feasible(points, ub.values, ub.prefix, ub.bound).ok
    bad = list(masses)
    bad[1], bad[2] = bad[2], bad[1]                                   # hazards out of order: (37) fails
    res = replay_sup_feasible(ub.points, ub.values, ub.prefix, ub.bound, bad, None)
    assert not res.ok and "(37)" in res.problem
    res = replay_sup_feasible(ub.points, ub.values, ub.prefix, ub.bound, masses, lower + Fraction(1, 2**10))
    assert not res.ok and "witness entropy" in res.problem


# ------------------------------------------------ Proposition 6's family
def _family_data(part):
    """Capture the plain data each Proposition 6 certificate hands to the replayer."""
    from exactscreen.persuasion.singleitem import replay as replay_module

    seen = []
    original = replay_module.replay_linear_family

    def spy(data):
        seen.append(copy.deepcopy(data))
        return original(data)

    replay_module.replay_linear_family = spy
    try:
        if part == "kappa>=0":
            res, _ = top_two_module.linear_density_top_two_certificate()
        else:
            res = top_two_module.linear_density_top_two_negative()
    finally:
        replay_module.replay_linear_family = original
    assert res.certainty == Certainty.TRUE and res.replay.startswith("replayed")
    return seen[0]


@pytest.mark.parametrize("part", ["kappa>=0", "kappa<0"])
def test_the_prop6_certificates_replay_and_tampering_fails(part):
    data = _family_data(part)
    assert replay_linear_family(data).ok
    i = next(i for i, (_, rule, _) in enumerate(data["final"]) if rule == "bound")
    box, rule, claim = data["final"][i]
    removed = {**data, "final": data["final"][:i] + data["final"][i + 1:]}
    assert replay_linear_family(removed).problem.startswith("gap")
    # a bound box relabelled 'no second item': d1 > 0 somewhere there, the claim is not confirmed
    other = "no second item"
    relabelled = {**data, "final": data["final"][:i] + [(box, other, {"poly": "D", "rel": "<=", "fix": (None, None)})]
                  + data["final"][i + 1:]}
    res = replay_linear_family(relabelled)
    assert not res.ok and res.box == box
    scaled = {**data, "two_num": {k: v * Fraction(101, 100) for k, v in data["two_num"].items()}}
    assert "differs from (54)" in replay_linear_family(scaled).problem
