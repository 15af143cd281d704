"""The selected optimal mechanism is checked independently (issue 13, item 1).

:func:`exactscreen.mechanisms.selected_check.check_selected_mechanism` re-checks
the mechanism :func:`optimal_mechanism` selects (lotteries, ``p >= 0``, IR, IC,
revenue equal to the certified optimum) and ``optimal_mechanism`` raises
:class:`NotCertified` rather than return a selected mechanism that fails it.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exactscreen.mechanisms.optimum as optimum
from exactscreen.environment import load_toml
from exactscreen.exceptions import NotCertified
from exactscreen.mechanisms.mechanism import Mechanism
from exactscreen.mechanisms.optimum import optimal_deterministic, optimal_mechanism
from exactscreen.mechanisms.selected_check import CHECKED_BY, check_selected_mechanism
from exactscreen.strategies import environment_and_market

EXAMPLE = Path(__file__).resolve().parents[1] / "exactscreen" / "examples" / "pis_sec311.toml"
SMALL = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
F = Fraction


@pytest.fixture(scope="module")
def paper():
    env, market = load_toml(EXAMPLE)
    res = optimal_mechanism(env, market)
    return env, market, res


def _parts(res):
    m = res.mechanism
    return [list(r) for r in m.allocation], list(m.payments)


def _check(env, market, alloc, pay, revenue):
    return check_selected_mechanism(env, market, [tuple(r) for r in alloc], tuple(pay), revenue)


# ------------------------------------------------------------------ passes
def test_paper_sec311_selected_mechanism_passes_and_is_recorded(paper):
    env, market, res = paper
    assert res.selected_check is not None and res.selected_check.ok and res.verified
    assert res.selected_check.failures == ()
    cert = res.to_json()["certificate"]
    assert cert["selected_mechanism_checked"] is True
    assert cert["selected_checked_by"] == CHECKED_BY
    assert cert["checked_by"] == "exactscreen.mechanisms.certificate.check_mechanism_certificate"
    alloc, pay = _parts(res)
    assert _check(env, market, alloc, pay, F(5, 4)).ok  # Sec. 3.1.1: aL for 3/4, aH for 7/4


@SMALL
@given(environment_and_market())
def test_selected_mechanism_of_random_environments_passes(em):
    env, market = em
    res = optimal_mechanism(env, market, face=False)
    assert res.selected_check is not None and res.selected_check.ok and res.verified
    alloc, pay = _parts(res)
    assert _check(env, market, alloc, pay, res.revenue).ok


@SMALL
@given(environment_and_market(allow_zero=False), st.data())
def test_changing_a_payment_of_a_random_optimum_fails(em, data):
    env, market = em
    res = optimal_mechanism(env, market, face=False)
    alloc, pay = _parts(res)
    i = data.draw(st.integers(0, env.n - 1))
    delta = data.draw(st.sampled_from([F(-1), F(1, 7), F(1)]))
    pay[i] += delta
    # lower: revenue falls below the optimum (or p < 0 / IC breaks); higher: IR/IC break
    # or the revenue would exceed the certified optimum
    assert not _check(env, market, alloc, pay, res.revenue).ok


def test_deterministic_menu_is_checked_too(paper):
    env, market, _ = paper
    det = optimal_deterministic(env, market)
    assert det.selected_check is not None and det.selected_check.ok


# ------------------------------------------------------------------ fails, by name
def _first(env, market, alloc, pay, revenue) -> str:
    chk = _check(env, market, alloc, pay, revenue)
    assert not chk.ok and chk.failures and not chk
    return chk.failures[0]


def test_probability_moved_out_of_a_lottery_fails_prob(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    alloc[1][1] = F(1, 2)  # tH's aH: half the mass disappears
    assert _first(env, market, alloc, pay, res.revenue).startswith("prob(tH)")


def test_negative_probability_fails_by_entry(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    alloc[0] = [F(-1, 2), F(0), F(3, 2)]
    assert _first(env, market, alloc, pay, res.revenue).startswith("x(tL,aL)")


def test_probability_moved_to_the_outside_option_breaks_ir(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    alloc[1] = [F(0), F(1, 2), F(1, 2)]  # tH still pays 7/4 for half of aH
    assert _first(env, market, alloc, pay, res.revenue).startswith("IR(tH)")


def test_lowered_payment_breaks_ic(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    pay[0] -= F(1, 4)  # aL for 1/2: tH now prefers tL's option
    assert _first(env, market, alloc, pay, res.revenue).startswith("IC(tH->tL)")


def test_lowered_payment_without_ic_break_fails_revenue(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    pay[1] -= F(1, 4)
    assert _first(env, market, alloc, pay, res.revenue).startswith("revenue")


def test_raised_payment_breaks_ir(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    pay[0] += F(1, 4)
    assert _first(env, market, alloc, pay, res.revenue).startswith("IR(tL)")


def test_negative_payment_fails_sign(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    pay[0] = F(-1)
    assert _first(env, market, alloc, pay, res.revenue).startswith("p(tL)")


def test_swapped_menus_fail_ir_and_ic(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    alloc.reverse()
    pay.reverse()
    chk = _check(env, market, alloc, pay, res.revenue)
    assert not chk.ok
    assert chk.failures[0].startswith("IR(tL)")
    assert any(f.startswith("IC(tL->tH)") for f in chk.failures)


def test_scaled_revenue_fails_revenue(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    assert _first(env, market, alloc, pay, 2 * res.revenue).startswith("revenue")


def test_revenue_zero_mechanism_reported_as_optimal_fails_revenue(paper):
    """The face bug of issue 13: a revenue-0 mechanism reported with the optimal revenue."""
    env, market, res = paper
    alloc = [[F(0), F(0), F(1)] for _ in range(env.n)]
    msg = _first(env, market, alloc, [F(0)] * env.n, res.revenue)
    assert msg.startswith("revenue") and "certified optimum 5/4" in msg


def test_wrong_shape_and_inexact_entries_are_rejected(paper):
    env, market, res = paper
    alloc, pay = _parts(res)
    assert _first(env, market, alloc[:1], pay, res.revenue).startswith("shape")
    with pytest.raises(TypeError):
        _check(env, market, alloc, [0.75, F(7, 4)], res.revenue)


# ------------------------------------------------------------------ the engine cannot return one
def test_engine_selecting_a_wrong_mechanism_raises_not_certified(paper, monkeypatch):
    env, market, _ = paper

    class ZeroPayments(optimum._Points):
        def __call__(self, w):
            m = super().__call__(w)
            return Mechanism(self.env, m.allocation, tuple(F(0) for _ in m.payments))

    monkeypatch.setattr(optimum, "_Points", ZeroPayments)
    with pytest.raises(NotCertified, match="selected mechanism failed its independent check"):
        optimal_mechanism(env, market)
    with pytest.raises(NotCertified):
        optimal_mechanism(env, market, face=False, selection="total-value")


def test_verified_requires_the_selected_check(paper):
    import dataclasses

    _, _, res = paper
    assert not dataclasses.replace(res, selected_check=None).verified
    bad = dataclasses.replace(res, selected_check=type(res.selected_check)(False, ("revenue: x",)))
    assert not bad.verified
    assert bad.to_json()["certificate"]["selected_mechanism_checked"] is False
