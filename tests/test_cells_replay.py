"""The independent replay of the K-item certificates (:mod:`exactscreen.persuasion.singleitem.replay_cells`):
it accepts the real certificates of Fig. 2 (``certify_cells``, SWP Sec. 6, (52)-(53)) and Fig. 1
(``inventory_optimum``, (33), (10)), rejects corrupted ones, and catches engine mutations that
loosen the per-box bounds (issue 13, item 1; docs/mutation.md, rows e1..)."""

from __future__ import annotations

import time
from fractions import Fraction
from functools import lru_cache

import pytest
import sympy

from exactscreen.exceptions import NotCertified
from exactscreen.persuasion.singleitem import (InventoryPartition, PolyCost, certify_cells, inventory_optimum,
                                               linear_decreasing, power_distribution, single_item_optimum)
from exactscreen.persuasion.singleitem import optimum as optimum_module
from exactscreen.persuasion.singleitem import replay_cells as rc
from exactscreen.persuasion.singleitem.arb import PREC, arb_interval, working_precision
from exactscreen.persuasion.singleitem.inventory import _TQ
from exactscreen.persuasion.singleitem.symbols import V

FIG2 = (power_distribution(2), PolyCost(0, 1, 0))


def _frac(c) -> Fraction:
    c = sympy.Rational(c)
    return Fraction(int(c.p), int(c.q))


def _cells_data(single, res, n=3) -> dict:
    dist, cost = single.dist, single.cost
    with working_precision(PREC):
        pi1, vstar = arb_interval(single.profit_ball()), arb_interval(single.cutoff_ball())
    return {"density": [_frac(c) for c in reversed(sympy.Poly(dist.density, V).all_coeffs())], "lo": dist.lo,
            "hi": dist.hi, "alpha": cost.alpha, "beta": cost.beta, "delta": cost.delta, "n_cells": n, "pi1": pi1,
            "vstar": vstar, "final": list(res.final)}


@lru_cache(maxsize=None)
def _fig2():
    single = single_item_optimum(*FIG2)
    res = certify_cells(single, 3)
    return single, res, _cells_data(single, res)


@lru_cache(maxsize=None)
def _fig1():
    inv = InventoryPartition(power_distribution(2), _TQ**4, "G(q)=q^(1/4)")
    opt = inventory_optimum(inv, items_max=2)
    data = {"density": [Fraction(0), Fraction(2)], "lo": Fraction(0), "hi": Fraction(1),
            "quantile": [Fraction(0)] * 4 + [Fraction(1)], "items": 2, "x0": opt.cutoffs,
            "revenue": opt.revenue_lo, "target": opt.revenue_hi, "final": list(opt.certificates[2].final)}
    return opt, data


def _with(data: dict, **changes) -> dict:
    out = dict(data)
    out["final"] = list(data["final"])
    out.update(changes)
    return out


def _relabel(data: dict, index: int, rule: str) -> dict:
    out = _with(data)
    box, _, extra = out["final"][index]
    out["final"][index] = (box, rule, extra)
    return out


# ------------------------------------------------------------------ the real certificates are accepted
def test_certify_cells_sets_the_replay_of_every_box_on_fig2():
    single, res, data = _fig2()
    assert res.replay is not None and res.replay.startswith("replayed (3 cells)")
    start = time.perf_counter()
    rep = rc.replay_cells(data)
    seconds = time.perf_counter() - start
    assert rep.ok, rep.summary()
    assert rep.boxes == len(res.final) and rep.pieces >= 1
    assert seconds < 20, f"the replay of Fig. 2's certificate took {seconds:.1f} s"


def test_inventory_optimum_sets_the_replay_of_every_box_on_fig1():
    opt, data = _fig1()
    assert opt.certificates[2].replay is not None and "inventory, at most 2 items" in opt.certificates[2].replay
    rep = rc.replay_inventory(data)
    assert rep.ok, rep.summary()
    assert rep.boxes == len(data["final"])


@pytest.mark.parametrize("dist,cost", [
    (linear_decreasing(0, 1), PolyCost(Fraction(1, 4), 0, 1)),      # c'(0) > 0 and a cubic cost: square roots
    (linear_decreasing(0, 2), PolyCost(Fraction(1, 10), Fraction(1, 2), 2)),
])
def test_the_replay_accepts_cubic_cost_certificates_with_exclusion(dist, cost):
    single = single_item_optimum(dist, cost)
    res = certify_cells(single, 3)
    rep = rc.replay_cells(_cells_data(single, res))
    assert rep.ok, rep.summary()
    assert {r for _, r, _ in res.final} >= {"bound", "single item", "top split"}


# ------------------------------------------------------------------ corrupted certificates are rejected
def test_a_top_split_box_at_the_corner_relabelled_bound_is_rejected():
    """The top-split box containing the corner (v*, hi): there U tends to Pi_1*, so no bound on U can
    be below Pi_1* however often the box is halved."""
    _, _, data = _fig2()
    v = data["vstar"][0]
    idx = [i for i, (b, r, _) in enumerate(data["final"]) if r == "top split" and b[0][0] <= v <= b[0][1]
           and b[1][1] == 1]
    assert idx
    rep = rc.replay_cells(_relabel(data, idx[0], "bound"))
    assert not rep.ok and "rule 'bound'" in rep.problem and "not below Pi_1*" in rep.problem, rep.summary()


def _box_at(data, point, rule="bound"):
    idx = [i for i, (b, r, _) in enumerate(data["final"])
           if r == rule and all(lo <= x <= hi for x, (lo, hi) in zip(point, b))]
    assert idx, f"no {rule} box at {point}"
    return idx[0]


def test_a_bound_box_relabelled_single_item_is_rejected_when_a_lower_cell_sells():
    """At cutoffs (1/5, 7/10) the middle cell has phi_1 > 0 (it is sold)."""
    _, _, data = _fig2()
    idx = [_box_at(data, (Fraction(1, 5), Fraction(7, 10)))]
    rep = rc.replay_cells(_relabel(data, idx[0], "single item"))
    assert not rep.ok and "not certainly excluded" in rep.problem, rep.summary()


def test_a_bound_box_far_from_the_corner_relabelled_top_split_is_rejected():
    _, _, data = _fig2()
    idx = [_box_at(data, (Fraction(1, 5), Fraction(7, 10)))]
    rep = rc.replay_cells(_relabel(data, idx[0], "top split"))
    assert not rep.ok and "rule 'top split'" in rep.problem, rep.summary()


def test_pi1_lowered_by_one_millionth_is_rejected():
    _, _, data = _fig2()
    lo, hi = data["pi1"]
    eps = Fraction(1, 10**6)
    rep = rc.replay_cells(_with(data, pi1=(lo - eps, hi - eps)))
    assert not rep.ok and "misses the single-item profit" in rep.problem, rep.summary()


def test_pi1_raised_is_rejected():
    _, _, data = _fig2()
    lo, hi = data["pi1"]
    eps = Fraction(1, 10**9)
    rep = rc.replay_cells(_with(data, pi1=(lo + eps, hi + eps)))
    assert not rep.ok and "misses the single-item profit" in rep.problem, rep.summary()


def test_a_moved_box_is_rejected():
    _, _, data = _fig2()
    out = _with(data)
    (a, b), y = out["final"][5][0]
    w = b - a
    out["final"][5] = (((a + w / 2, b + w / 2), y), out["final"][5][1], None)
    rep = rc.replay_cells(out)
    assert not rep.ok and ("gap" in rep.problem or "not a bisection box" in rep.problem), rep.summary()


def test_a_dropped_box_is_rejected():
    _, _, data = _fig2()
    out = _with(data)
    del out["final"][17]
    rep = rc.replay_cells(out)
    assert not rep.ok and "volumes" in rep.problem, rep.summary()


def test_a_box_recorded_outside_that_meets_the_ordered_cutoffs_is_rejected():
    _, _, data = _fig2()
    idx = [i for i, (b, r, _) in enumerate(data["final"]) if r == "bound"]
    rep = rc.replay_cells(_relabel(data, idx[3], "outside"))
    assert not rep.ok and "outside meets the ordered" in rep.problem, rep.summary()


def test_a_wrong_density_coefficient_is_rejected():
    _, _, data = _fig2()
    rep = rc.replay_cells(_with(data, density=[Fraction(1, 100)] + list(data["density"][1:])))
    assert not rep.ok, rep.summary()


def test_inventory_corruptions_are_rejected():
    _, data = _fig1()
    assert not rc.replay_inventory(_with(data, revenue=data["revenue"] - Fraction(1, 10**12))).ok
    bad_q = rc.replay_inventory(_with(data, quantile=[Fraction(0)] * 3 + [Fraction(1, 100), Fraction(1)]))
    assert not bad_q.ok and "revenue at x0" in bad_q.problem, bad_q.summary()
    out = _with(data)
    del out["final"][3]
    assert "volumes" in rc.replay_inventory(out).problem


def test_inventory_target_below_the_maximum_is_rejected_at_a_box():
    """A consistent but false claim: x0 moved by 1/100 (its revenue recomputed exactly, about 1e-5
    below the maximum), target = that revenue + 2^-60: a box around the true maximizer must fail."""
    _, data = _fig1()
    x0 = (data["x0"][0] + Fraction(1, 100), data["x0"][1])
    rev = _fig1_revenue(*x0)
    assert data["revenue"] - rev > Fraction(1, 10**6)
    rep = rc.replay_inventory(_with(data, x0=x0, revenue=rev, target=rev + Fraction(1, 2**60)))
    assert not rep.ok and rep.box is not None and "rule" in rep.problem, rep.summary()


# ------------------------------------------------------------------ the bounds are bounds (spot checks)
def _u_exact(cuts) -> Fraction:
    """U = sum_k m_k c*(phi_k) for F(v) = v^2, c = q^2/2 (c*(p) = max(p, 0)^2/2), written out directly."""
    ends = [Fraction(0), *cuts, Fraction(1)]
    m = [b * b - a * a for a, b in zip(ends[:-1], ends[1:])]
    vb = [Fraction(2, 3) * (b**3 - a**3) / (b * b - a * a) for a, b in zip(ends[:-1], ends[1:])]
    S = [1 - a * a for a in ends[:-1]]
    total = Fraction(0)
    for k in range(len(m)):
        phi = vb[k] if k == len(m) - 1 else vb[k] - (vb[k + 1] - vb[k]) * S[k + 1] / m[k]
        total += m[k] * max(phi, Fraction(0)) ** 2 / 2
    return total


def test_the_box_bound_of_u_is_above_u_at_points_of_the_box():
    _, _, data = _fig2()
    dens = rc._Density(data["density"], 0, 1)
    cells = rc._Cells(dens, rc._Cost(0, 1, 0))
    checked = 0
    for box, rule, _ in data["final"][::23]:
        if rule != "bound":
            continue
        box = tuple((rc._q(a), rc._q(b)) for a, b in box)
        od = rc._ordered(box, rc.fmpq(0), rc.fmpq(1))
        if od is None:
            continue
        up = cells.upper(*cells.pieces(*od))
        (a0, a1), (b0, b1) = ((Fraction(int(x.p), int(x.q)) for x in iv) for iv in box)
        for s, t in ((Fraction(1, 3), Fraction(2, 3)), (Fraction(1, 2), Fraction(1, 2)), (Fraction(1, 7), Fraction(6, 7))):
            a, b = a0 + s * (a1 - a0), b0 + t * (b1 - b0)
            if 0 < a < b < 1:
                assert _u_exact((a, b)) <= Fraction(int(up.p), int(up.q))
                checked += 1
    assert checked >= 50


def _fig1_revenue(x1: Fraction, x2: Fraction) -> Fraction:
    """Revenue (10) of [x1, x2), [x2, 1] for F = v^2, G^-1(t) = t^4 (closed-form integrals)."""
    total, prev = Fraction(0), Fraction(0)
    for a, b in ((x1, x2), (x2, Fraction(1))):
        s, t = a * a, b * b
        qbar = (t**5 - s**5) / (5 * (t - s))
        total += (qbar - prev) * Fraction(2, 3) * (b**3 - a**3) / (b * b - a * a) * (1 - s)
        prev = qbar
    return total


def test_the_replays_rational_revenue_equals_the_papers_formula():
    inv = rc._Inventory(rc._Density([0, 2], 0, 1), [0, 0, 0, 0, 1], 2)
    for a, b in ((Fraction(1, 5), Fraction(3, 4)), (Fraction(3, 5), Fraction(17, 20)), (Fraction(1, 9), Fraction(1, 8))):
        got = inv.value((rc._q(a), rc._q(b)))
        assert Fraction(int(got.p), int(got.q)) == _fig1_revenue(a, b)


# ------------------------------------------------------------------ engine mutations the replay catches
def test_a_loosened_cell_bound_in_the_engine_is_caught(monkeypatch):
    """Mutation e1: ``_CellModel.profit_upper`` with every mass scaled by 1/2 (U underestimated): the
    search still answers TRUE, the replay rejects a 'bound' box, certify_cells raises NotCertified."""
    original = optimum_module._CellModel.cells

    def halved(self, cut_balls):
        m, vb, S, N = original(self, cut_balls)
        return [x / 2 for x in m], vb, S, N

    monkeypatch.setattr(optimum_module._CellModel, "cells", halved)
    single = single_item_optimum(*FIG2)
    with pytest.raises(NotCertified, match="rule 'bound'"):
        certify_cells(single, 3)


def test_a_loosened_top_split_in_the_engine_is_caught(monkeypatch):
    """Mutation e2: the top-split test accepts h >= -1 instead of h >= 0."""
    original = optimum_module._CellModel.top_split_h
    monkeypatch.setattr(optimum_module._CellModel, "top_split_h", lambda self, a, b: original(self, a, b) + 1)
    single = single_item_optimum(*FIG2)
    with pytest.raises(NotCertified, match="top split"):
        certify_cells(single, 3)


def _wrap_search(monkeypatch, module, change):
    original = module.branch_and_bound

    def wrapped(*args, **kwargs):
        res = original(*args, **kwargs)
        res.final = change(list(res.final))
        return res

    monkeypatch.setattr(module, "branch_and_bound", wrapped)


def test_a_search_that_drops_a_settled_box_is_caught(monkeypatch):
    """Mutation e3 (d7-like, inside the engine now): the search forgets one settled box."""
    single = single_item_optimum(*FIG2)
    _wrap_search(monkeypatch, optimum_module, lambda final: final[:40] + final[41:])
    with pytest.raises(NotCertified, match="volumes"):
        certify_cells(single, 3)


def test_a_search_that_discards_a_box_of_the_ordered_domain_as_outside_is_caught(monkeypatch):
    """Mutation e4 (d6-like): a settled box of the ordered domain is recorded as outside (not checked)."""
    def relabel(final):
        i = next(k for k, (_, r, _) in enumerate(final) if r == "bound")
        return final[:i] + [(final[i][0], "outside", None)] + final[i + 1:]

    single = single_item_optimum(*FIG2)
    _wrap_search(monkeypatch, optimum_module, relabel)
    with pytest.raises(NotCertified, match="outside meets the ordered"):
        certify_cells(single, 3)


def test_a_loosened_inventory_revenue_bound_in_the_engine_is_caught(monkeypatch):
    """Mutation e5: the engine's piecewise revenue enclosure halved (``_InventoryModel.revenue``):
    the search settles large boxes around the maximizer by 'bound'; the replay cannot confirm them."""
    from exactscreen.persuasion.singleitem import inventory as inventory_module

    original = inventory_module._InventoryModel.revenue
    monkeypatch.setattr(inventory_module._InventoryModel, "revenue", lambda self, balls: original(self, balls) / 2)
    inv = InventoryPartition(power_distribution(2), _TQ**4, "G(q)=q^(1/4)")
    with pytest.raises(NotCertified, match="rule 'bound'"):
        inventory_optimum(inv, items_max=2)


# ------------------------------------------------------------------ the 3-item inventory rules
_FIG1_THREE = {"density": [0, 2], "lo": 0, "hi": 1, "quantile": [0, 0, 0, 0, 1], "items": 3,
               "x0": (Fraction(596, 1000), Fraction(85, 100)), "revenue": 0, "target": Fraction(171158242, 10**9)}


def test_the_emptied_cell_identities_hold_and_a_wrong_revenue_breaks_them():
    """R_4(a, b, hi) = R_3(a, b) and the three R_3 - R_4 formulas of an emptied cell are exact
    polynomial identities of the replay's own revenue; a revenue scaled by 2 fails them."""
    tests = rc._inventory_rule_tests(_FIG1_THREE)
    assert set(tests) == {"bound", "merge top", "merge middle", "merge bottom"}
    inv = rc._Inventory(rc._Density([0, 2], 0, 1), [0, 0, 0, 0, 1], 3)
    inv.P = inv.P * 2
    with pytest.raises(rc._Fail, match="identity"):
        rc._three_item_tests(inv, lambda box: "")


def test_the_three_item_rules_on_boxes_of_the_engines_search():
    """Fig. 1's 3-item search (deep profile) ends undecided within its budget, so no 3-item certificate
    reaches the replay; its 'bound' boxes are confirmed by the replay's own bound one by one, and a
    merge rule is refused where the derivative has no sign (a coarse box in the middle of the domain)."""
    from exactscreen.persuasion.singleitem.arb import arb_ball
    from exactscreen.persuasion.singleitem.inventory import _inventory_three_items

    inv = InventoryPartition(power_distribution(2), _TQ**4, "G")
    with working_precision(PREC):
        ref = arb_ball(Fraction(171158242, 10**9))
    res = _inventory_three_items(inv, ref, max_boxes=1500, max_depth=40)
    tests = rc._inventory_rule_tests(_FIG1_THREE)
    bounds = [bx for bx, r, _ in res.final if r == "bound"][::15]
    assert len(bounds) >= 20
    for bx in bounds:
        ok, _, why = rc._confirm(tests["bound"], tuple((rc._q(a), rc._q(b)) for a, b in bx))
        assert ok, why
    box = tuple((rc.fmpq(k, 8), rc.fmpq(k + 1, 8)) for k in (2, 4, 6))
    for rule in ("merge top", "merge middle", "merge bottom"):
        assert tests[rule](box), rule
