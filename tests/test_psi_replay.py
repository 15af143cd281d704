"""The single-item optimality certificate (SWP Sec. 6, (52)-(53)) is re-decided by independent
code (exactscreen/persuasion/singleitem/replay_psi.py: exact polynomials and certified root
isolation, no interval branch and bound), and the replay fails when the engine's numbers are off."""

from fractions import Fraction

import pytest
import sympy

from exactscreen.exceptions import NotCertified
from exactscreen.persuasion.singleitem import PolyCost, PolyDensity, V, linear_decreasing, power_distribution, single_item_optimum
from exactscreen.persuasion.singleitem.replay_psi import replay_psi_sign


def _coeffs(dist):
    return [Fraction(int(c.p), int(c.q)) for c in reversed(sympy.Poly(dist.density, V).all_coeffs())]


def _replay(dist, cost, cutoff, quality):
    return replay_psi_sign(_coeffs(dist), dist.lo, dist.hi, cost.alpha, cost.beta, cost.delta, cutoff, quality)


CASES = [
    (power_distribution(2), PolyCost(0, 1, 0)),                            # the paper's Fig. 2 instance
    (linear_decreasing(0, 2), PolyCost(Fraction(1, 10), Fraction(1, 2), 2)),  # cubic cost: q* a radical
    (PolyDensity.of(1 + V, 1, 2, "prop. to 1+v on [1,2]"), PolyCost(1, 1, 1)),
    (PolyDensity.of(1, 1, 2, "uniform[1,2]"), PolyCost(0, 1, 0)),          # nobody excluded: v* = lo
]


@pytest.mark.parametrize("dist,cost", CASES, ids=lambda x: getattr(x, "name", None) or str(x))
def test_every_single_item_optimum_carries_an_independent_replay(dist, cost):
    single = single_item_optimum(dist, cost)
    assert single.certificate.replay is not None
    assert single.certificate.replay.startswith("replayed independently")
    assert single.certificate.replay in single.certificate.summary()


def test_the_replay_rejects_a_cutoff_off_by_a_tiny_amount():
    dist, cost = CASES[0]
    single = single_item_optimum(dist, cost)
    rep = _replay(dist, cost, single.cutoff + sympy.Rational(1, 10**30), single.quality)
    assert not rep.ok and "v* is not g(q*)" in rep.problem


def test_the_replay_rejects_a_quality_that_is_not_the_root():
    dist, cost = CASES[1]
    single = single_item_optimum(dist, cost)
    rep = _replay(dist, cost, single.cutoff, single.quality + sympy.Rational(1, 10**30))
    assert not rep.ok and "not a root" in rep.problem


def test_the_replay_rejects_an_interior_cutoff_where_nobody_should_be_excluded():
    dist, cost = CASES[3]
    rep = _replay(dist, cost, sympy.Rational(3, 2), sympy.Rational(7, 4))
    assert not rep.ok and "sign change" in rep.problem


def test_the_replay_rejects_a_corner_cutoff_where_psi_changes_sign():
    dist, cost = CASES[0]
    rep = _replay(dist, cost, sympy.Integer(0), None)
    assert not rep.ok and "changes sign" in rep.problem


def test_the_replay_rejects_another_density():
    dist, cost = CASES[0]
    single = single_item_optimum(dist, cost)
    rep = replay_psi_sign([0, 0, 3, Fraction(1, 1000)], 0, 1, 0, 1, 0, single.cutoff, single.quality)
    assert not rep.ok


def test_a_failing_replay_makes_the_optimum_not_certified(monkeypatch):
    from exactscreen.persuasion.singleitem import replay_psi

    monkeypatch.setattr(replay_psi, "replay_psi_sign", lambda *a, **k: replay_psi.PsiReplay(False, 2, 0, "mutated"))
    with pytest.raises(NotCertified, match="mutated"):
        single_item_optimum(*CASES[0])
