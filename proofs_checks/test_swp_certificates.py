"""Paper 004, Sec. 6 (Fig. 1, Fig. 2): the single-item branch-and-bound certificates are re-checked
as plain data, and every box of the K-item certificates is re-verified by independent code
(issue 13, item 1; docs/mutation.md, "Named survivor kinds").

The top-two and linear-family certificates are re-verified by
:mod:`exactscreen.persuasion.singleitem.replay` (tiling and every sign claim), the single-item
optimality of (52) (the sign of psi) by :mod:`~exactscreen.persuasion.singleitem.replay_psi`.
Fig. 2's "no menu with two items beats the single item"
(:func:`~exactscreen.persuasion.singleitem.certify_cells`, 3 cells on the ordered cutoffs
``a <= b``) and Fig. 1's "at most 2 items" under a fixed inventory
(:func:`~exactscreen.persuasion.singleitem.inventory_optimum`) are re-verified box by box by
:mod:`~exactscreen.persuasion.singleitem.replay_cells` (imports nothing from the package; exact
rational bounds written there: monotone ranges of the cell masses, means and virtual values, its
own ``c*`` and top-split ``h``; the inventory revenue rebuilt as an exact rational function with
Taylor-form ranges and its own Hessian), which the engine runs before it answers TRUE
(``NotCertified`` otherwise).  Here, in addition, each certificate's record
(:attr:`BnBResult.final`) is re-checked as plain data:

* the boxes tile the search domain exactly (:func:`~exactscreen.persuasion.singleitem.replay.check_tiling`,
  a second tiling check written apart from replay_cells' merging of dyadic siblings);
* every box discarded as "outside" really misses the ordered domain ``x_1 <= x_2 <= ...``: some
  ``i`` with ``lo_i > hi_{i+1}`` (then every point of the box has ``x_i > x_{i+1}``), decided here
  in exact rationals;
* every other box was settled by one of the rules the search declares, and the rule counts agree
  with the summary;
* the replay of every box's bound ran and accepted (``BnBResult.replay``), and it is re-run here
  on the record, so a certificate the engine did not replay fails the check.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from exactscreen.claims import claim
from exactscreen.numbers import Certainty
from exactscreen.persuasion.singleitem import (
    PolyCost,
    certify_cells,
    fig1_optimum,
    power_distribution,
    single_item_optimum,
)
from exactscreen.persuasion.singleitem.arb import PREC, arb_interval, working_precision
from exactscreen.persuasion.singleitem.replay import check_tiling
from exactscreen.persuasion.singleitem.replay_cells import replay_cells

FIG2 = (power_distribution(2), PolyCost(0, 1, 0))


def _misses_ordered_domain(box) -> bool:
    """Exact: the box contains no point with ``x_1 <= x_2 <= ... <= x_d``."""
    return any(Fraction(box[i][0]) > Fraction(box[i + 1][1]) for i in range(len(box) - 1))


def _replay_structure(res, domain, rules, *, ordered: bool) -> dict:
    """Re-check the record of one certificate (module docstring); returns the rule counts."""
    assert res.certainty == Certainty.TRUE, res.summary()
    assert not res.undecided and res.counterexample is None
    boxes = [box for box, _, _ in res.final]
    problem = check_tiling(domain, boxes)
    assert problem == "", f"certificate boxes do not tile the domain: {problem}"
    counts = Counter(rule for _, rule, _ in res.final)
    assert set(counts) <= set(rules) | {"outside"}, f"unknown rules {set(counts) - set(rules)}"
    for box, rule, _ in res.final:
        if rule == "outside":
            assert ordered, "a box discarded as outside in a search without an outside test"
            assert _misses_ordered_domain(box), \
                f"box {tuple((str(a), str(b)) for a, b in box)} was discarded as outside but meets a <= b"
    assert counts["outside"] == res.outside
    assert {k: counts[k] for k in rules} == {k: res.by_rule.get(k, 0) for k in rules}
    return dict(counts)


@claim("SWP-FIG2")
def test_fig2_single_item_and_two_item_certificates_tile_their_domains(evidence):
    """Fig. 2 (F(v) = v^2, quadratic cost): the certificate that v* is the global optimum of (52)
    (sign of psi on [0, 1]) and the 3-cell certificate that no menu with two items beats the
    single item (cutoffs 0 <= a <= b <= 1) tile their domains exactly, every box the 3-cell
    search discarded as outside misses a <= b, and every box's bound is re-verified by replay_cells."""
    single = single_item_optimum(*FIG2)
    dist = FIG2[0]
    one = _replay_structure(single.certificate, [(dist.lo, dist.hi)], set(single.certificate.by_rule), ordered=False)
    res = certify_cells(single, 3)
    cells = _replay_structure(res, [(dist.lo, dist.hi)] * 2, {"bound", "single item", "top split"}, ordered=True)
    assert res.replay is not None and res.replay.startswith("replayed (3 cells)"), res.summary()
    # re-run the independent replay on the record (pi1, v* as rational enclosures of the engine's exact values)
    with working_precision(PREC):
        pi1, vstar = arb_interval(single.profit_ball()), arb_interval(single.cutoff_ball())
    rep = replay_cells({"density": [Fraction(0), Fraction(2)], "lo": dist.lo, "hi": dist.hi, "alpha": Fraction(0),
                        "beta": Fraction(1), "delta": Fraction(0), "n_cells": 3, "pi1": pi1, "vstar": vstar,
                        "final": res.final})
    assert rep.ok, rep.summary()
    evidence.note(f"single-item certificate: {sum(one.values())} boxes tile [0, 1] ({one}); 3-cell certificate: "
                  f"{sum(cells.values())} boxes tile [0, 1]^2 ({cells}), every 'outside' box misses a <= b "
                  f"(exact; tiling by singleitem.replay.check_tiling); per-box bounds: {rep.summary()}")
    evidence.instances(1)


@claim("SWP-FIG1")
def test_fig1_two_item_inventory_certificate_tiles_its_domain(evidence):
    """Fig. 1 (F(v) = v^2, inventory G(q) = q^(1/4)): the certificate that no partition with at
    most 2 items beats the optimum found tiles [0, 1]^2 exactly, every box discarded as outside
    misses the ordered cutoffs, and every box's bound was re-verified by replay_cells."""
    opt = fig1_optimum(2)
    inv = opt.inventory
    dist = inv.dist
    res = opt.certificates[2]
    counts = _replay_structure(res, [(dist.lo, dist.hi)] * 2, {"bound", "concave"}, ordered=True)
    assert res.replay is not None and res.replay.startswith("replayed (inventory, at most 2 items)"), res.summary()
    evidence.note(f"at most 2 items: {sum(counts.values())} boxes tile [0, 1]^2 ({counts}), every 'outside' box "
                  f"misses a <= b (exact); per-box bounds: {res.replay}")
    evidence.instances(1)
