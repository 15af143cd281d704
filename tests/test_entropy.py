"""Unit tests of exactscreen.persuasion.entropy (fast)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from flint import arb

from exactscreen.persuasion import entropy as ent
from exactscreen.exceptions import InputError
from exactscreen.numbers import Certainty


def test_successor_ok_is_exact():
    assert ent.successor_ok(F(1, 4), F(1, 3))        # binding: (1/2)^2 = 1/4
    assert not ent.successor_ok(F(1, 4), F(1, 3) - F(1, 10**30))
    assert ent.successor_ok(F(9, 10), 1)


def test_inverse_map():
    y = F(3, 10)
    x = ent.hazard_map_inverse(y)
    assert ent.hazard_map(x).contains(arb(3) / 10)
    with pytest.raises(InputError):
        ent.hazard_map_inverse(1)


def test_entropy_of_uniform():
    e = ent.entropy_bits([F(1, 8)] * 8)
    assert e.contains(arb(3))
    assert e.rad() < arb(10) ** -30


def test_critical_entropy_is_a_tight_ball():
    e = ent.critical_entropy(F(1, 100))
    assert e.rad() < arb(10) ** -20
    assert e > 2 and e < 4


def test_feasible_witness_satisfies_36():
    masses, e = ent.feasible_witness(atoms=30)
    assert sum(masses) == 1 and all(ent.constraints36(masses))
    assert e > 3


def test_upper_bound_coarse_is_certified_and_below_log2_9():
    ub = ent.entropy_upper_bound(steps=200, ratio=F(3, 2))
    assert ub.bound < F(317, 100)
    assert ub.bound > 3


def test_limit_witnesses():
    low, high, cert = ent.limit_witnesses()
    assert cert is Certainty.TRUE


def test_compare_three_valued():
    assert ent.compare(arb(1), arb(2)) is Certainty.TRUE
    assert ent.compare(arb(2), arb(1)) is Certainty.FALSE
    assert ent.compare(arb(1, 1), arb(1)) is Certainty.UNDECIDED


def test_decimal_rounding_directions():
    assert ent.decimal_up(F(1, 3), 3) == "0.334"
    assert ent.fmt_lower(F(1, 3), 3) == "0.333"


def test_tail_bounds_are_enclosures():
    # a coarse truncation must still contain the value: catches a missing or wrong tail bound
    for f in (F(1, 100), F(1, 3), F(9, 10)):
        fine = ent.critical_entropy(f, tol_bits=100)
        coarse = ent.critical_entropy(f, tol_bits=6)
        assert coarse.contains(fine) and coarse.rad() > fine.rad()
    for h in (F(1, 10), F(1, 2)):
        fine = ent.geometric_entropy_series(h, tol_bits=100)
        assert ent.geometric_entropy_series(h, tol_bits=6).contains(fine)


def test_backward_phase_bounds_enclose_the_orbit_limit():
    # n = 2 leaves a visible tail 2 H(x_3) (x_3 < 2^-8); its interval must contain the n = 5 one
    for y in (ent.PHASE_HIGH, ent.PHASE_LOW):
        _, lo2, up2 = ent.backward_phase_bounds(y, 2)
        _, lo5, up5 = ent.backward_phase_bounds(y, 5)
        assert lo2 < lo5 and up5 < up2 and up2 - lo2 > arb(10) ** -4
    with pytest.raises(InputError, match="above 2"):
        ent.backward_phase_bounds(ent.PHASE_HIGH, 1)


def test_upper_bound_for_first_hazard_above_fifth():
    ub = ent.entropy_upper_bound(steps=200, ratio=F(3, 2))
    assert ub.first_hazard_at_least_fifth is not None and ub.first_hazard_at_least_fifth < ub.bound
    assert ent.critical_entropy(F(1, 5)) < ent.to_arb(ub.first_hazard_at_least_fifth)
