"""Unit tests of singleitem.lemmas (Lemma 11, (60)) and singleitem.lemma12 (Lemma 12, (65)-(66))."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from exactscreen.exceptions import InputError
from exactscreen.numbers import Certainty
from exactscreen.persuasion.singleitem import PolyDensity, V, linear_decreasing, power_distribution
from exactscreen.persuasion.singleitem.lemma12 import lemma12_certificate, lemma12_construction
from exactscreen.persuasion.singleitem.lemmas import interpolation_coefficients, lemma11_witness, restricted_profit, restricted_top_quality

R = sp.Rational


def test_interpolation_needs_distinct_nodes():
    with pytest.raises(InputError, match="distinct"):
        interpolation_coefficients(R(1, 2), R(1, 2), 1, 0, 0, 1)


def test_restricted_top_quality_beats_every_grid_point_of_54():
    for u, qb, a, b in ((0, R(1, 10), R(1, 4), 1), (R(3, 4), 0, R(1, 10), 2), (R(1, 2), R(1, 5), -1, R(1, 2)),
                        (0, 1, 1, 1)):
        qs = restricted_top_quality(u, 1, qb, a, b)
        theta = a + b * qb
        w = max(u, (1 + 3 * theta) / 4) if theta < 1 else 1
        best = restricted_profit(u, 1, qb, a, b, w, qs - qb)
        for i in range(21):
            for j in range(41):
                assert restricted_profit(u, 1, qb, a, b, u + (1 - u) * R(i, 20), R(j, 10)) <= best


def test_restricted_top_quality_refuses_nonpositive_beta():
    with pytest.raises(InputError, match="beta"):
        restricted_top_quality(0, 1, 0, 0, 0)


def test_lemma11_case1_for_a_cubic_cost_inside_the_nodes():
    cost = lambda x: x**3 / 3  # noqa: E731
    w = lemma11_witness(cost, 0, 1, R(1, 10), R(1, 5), R(9, 10))
    assert w is not None and w.case in (1, 2, 3)
    assert w.conditions["c(q_K) - chat(q_K)"] >= 0


def test_lemma11_no_witness_for_quadratic_cost_counterexample():
    report: dict = {}
    w = lemma11_witness(lambda x: x / 4 + x**2 / 2, R(1, 2), 1, R(1, 10), R(1, 5), R(9, 10), report=report)
    assert w is None and report["exhaustive"]


def test_lemma12_fig2_instance_certified():
    cons = lemma12_construction(power_distribution(2), (sp.sqrt(3) - 1) / 2)
    cert = lemma12_certificate(cons)
    assert cert.certainty == Certainty.TRUE
    lo, hi = cert.vhat
    assert Fraction(3, 10) < lo <= hi < Fraction(31, 100)


def test_lemma12_linear_density_is_its_own_comparison():
    cert = lemma12_certificate(lemma12_construction(linear_decreasing(0, 1), R(1, 3)))
    assert cert.certainty == Certainty.TRUE and cert.atom_zero and cert.z_lo_zero


def test_lemma12_fails_without_modest_tails():
    d = PolyDensity.of((1 - V) ** 3, 0, 1)
    cert = lemma12_certificate(lemma12_construction(d, R(1, 5)))
    assert cert.fosd == Certainty.FALSE and cert.certainty == Certainty.FALSE


def test_lemma12_refuses_a_float_threshold():
    with pytest.raises(InputError, match="exact"):
        lemma12_construction(power_distribution(2), sp.Float("0.3"))
