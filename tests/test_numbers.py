"""Exact number parsing: what is accepted, what is refused and how it says so."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from flint import fmpq, fmpz
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.exceptions import ExactNumberError
from exactscreen.numbers import fmt, fmt_decimal, parse_assignments, to_fraction


@pytest.mark.parametrize(
    "value,expected",
    [
        (3, Fraction(3)),
        (Fraction(3, 4), Fraction(3, 4)),
        ("3/4", Fraction(3, 4)),
        ("0.75", Fraction(3, 4)),
        ("-2", Fraction(-2)),
        (" 1 / 3 ", Fraction(1, 3)),
        ("0.1", Fraction(1, 10)),
        ("1.5e-3", Fraction(3, 2000)),
        (".5", Fraction(1, 2)),
        (sympy.Rational(3, 4), Fraction(3, 4)),
        (sympy.Integer(-5), Fraction(-5)),
        (fmpq(3, 4), Fraction(3, 4)),
        (fmpz(7), Fraction(7)),
    ],
)
def test_accepts_exact_inputs(value, expected):
    assert to_fraction(value) == expected


def test_float_is_refused_with_its_exact_spelling():
    with pytest.raises(ExactNumberError) as e:
        to_fraction(0.1, "types.tL.aL")
    msg = str(e.value)
    assert "types.tL.aL" in msg and "float" in msg and '"0.1"' in msg
    assert "0.1000000000000000055511151231257827" in msg


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_refused_with_a_clear_error(value):
    with pytest.raises(ExactNumberError, match="not a finite number"):
        to_fraction(value, "types.t.a")


def test_integral_float_suggests_the_integer():
    with pytest.raises(ExactNumberError, match='"2"'):
        to_fraction(2.0)


@pytest.mark.parametrize("bad", [True, None, [1], "abc", "1/0", "", "3/4/5", "1e99999", "nan", "inf", sympy.sqrt(2), sympy.Float(0.5)])
def test_refuses_non_numbers(bad):
    with pytest.raises(ExactNumberError):
        to_fraction(bad)


@pytest.mark.parametrize(
    "code",
    ["__import__('os').system('touch /tmp/exactscreen_pwned')", "exec('1')", "1+1", "2**10", "lambda: 0", "sympy.Rational(1,2)"],
)
def test_a_string_containing_code_is_refused_without_running_it(code, tmp_path):
    marker = "/tmp/exactscreen_pwned"
    import os

    if os.path.exists(marker):
        os.remove(marker)
    with pytest.raises(ExactNumberError, match="cannot read"):
        to_fraction(code)
    assert not os.path.exists(marker)


@given(st.fractions(max_denominator=10**6))
def test_fmt_round_trips(x):
    assert to_fraction(fmt(x)) == x


@pytest.mark.parametrize(
    "value,text", [(Fraction(3, 4), "0.75"), (Fraction(1, 3), "0.333333…"), (Fraction(-5, 2), "-2.5"), (Fraction(7), "7"), (Fraction(1, 10**9), "0.000000…")]
)
def test_decimal_rendering_marks_truncation(value, text):
    assert fmt_decimal(value) == text


def test_parse_assignments():
    assert parse_assignments("t1=1/2, t2=0.5") == {"t1": Fraction(1, 2), "t2": Fraction(1, 2)}
    for bad in ("t1", "t1=1/2,t1=1/2", "=1", "", "t1=x"):
        with pytest.raises(ExactNumberError):
            parse_assignments(bad)
