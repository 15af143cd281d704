"""Paper 004, Lemma 2 ((37), the hazard map) and Theorem 2 (E* ~ 3.04): the exact helpers of
:mod:`exactscreen.persuasion.entropy` that the SWP-LEM2 / SWP-THM2 evidence is written with,
against their definitions (issue 13, item 4; docs/mutation.md, mut3).

* ``hazard_map_expr`` is (37), ``S(x) = (sqrt(x) - x)/(1 - x)``: at rational points it must equal
  the exact value from ``S^{-1}(y) = (y/(1-y))^2`` (``S(S^{-1}(y)) = y`` for rational ``y``), and
  its default symbol is a hazard, positive (so ``sqrt(x^2) = x``, the step from (37) to
  ``sqrt(x)/(1 + sqrt(x))``).
* The decimal strings of the certified bounds (``decimal_up`` for upper ends, ``fmt_lower`` for
  lower ends, ``certified_digits`` for "E* = 3.04...") are read back as exact fractions and
  compared with the definitions: ``decimal_up(x, d)`` is the least d-place decimal ``>= x``;
  ``fmt_lower(x, d)`` is a decimal ``<= x`` within ``10^-d``; ``certified_digits(lo, hi)`` is the
  longest truncation ``t`` (at most 15 places) with ``t <= lo <= hi < t + 10^-k`` (with no such
  place: the integer part of ``lo``).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.exceptions import InputError
from exactscreen.persuasion import entropy as ent


def _places(s: str) -> int:
    return len(s.split(".", 1)[1]) if "." in s else 0


@claim("SWP-LEM2")
def test_the_hazard_map_at_rational_points_and_its_default_symbol(evidence):
    """(37) at S^{-1}(y) for y = 1/3, 1/5, 2/5, 1/4, 3/7 (y < 1/2 so x < 1; rational squares x = (y/(1-y))^2): S(x) = y
    exactly, from a Fraction, an int-ratio string-free input and a sympy Rational; S(0) = 0; the
    default symbol is positive, so S(s^2) = s/(1 + s) simplifies without assumptions."""
    for y in (F(1, 3), F(1, 5), F(2, 5), F(1, 4), F(3, 7)):
        x = (y / (1 - y)) ** 2
        assert ent.hazard_map_inverse(y) == x
        for arg in (x, sp.Rational(x.numerator, x.denominator)):
            val = ent.hazard_map_expr(arg)
            assert sp.simplify(val - sp.Rational(y.numerator, y.denominator)) == 0, (y, val)
    assert ent.hazard_map_expr(0) == 0 and ent.hazard_map_expr(F(0)) == 0
    S = ent.hazard_map_expr()
    (sym,) = S.free_symbols
    assert sym.is_positive is True and str(sym) == "x"
    s = sp.Symbol("s", positive=True)
    assert sp.simplify(S.subs(sym, s**2) - s / (1 + s)) == 0
    evidence.note("S((y/(1-y))^2) = y exactly at 5 rational y; the default symbol is positive")


_RATIONALS = st.fractions(min_value=0, max_value=20, max_denominator=10**6)


@claim("SWP-THM2")
@given(_RATIONALS, st.integers(1, 12), _RATIONALS)
def test_decimal_strings_of_certified_bounds_meet_their_definitions(evidence, x, d, w):
    """decimal_up / fmt_lower / certified_digits, read back exactly. Hard cases: x with more than
    d decimal places (rounding matters); an interval [lo, hi] that certifies 3+ places."""
    up = ent.decimal_up(x, d)
    assert _places(up) == d and F(up) >= x and F(up) - x < F(1, 10**d), (x, d, up)
    low = ent.fmt_lower(x, d)
    assert not low.endswith("…") and F(low) <= x and x - F(low) < F(1, 10**d), (x, d, low)
    lo, hi = min(x, x + w / 10**d), max(x, x + w / 10**d)
    got = ent.certified_digits(lo, hi)
    assert got.endswith("…")
    t = got[:-1]
    k = _places(t)
    if k == 0:  # no certified place: the integer part of lo
        assert t == str(lo.numerator // lo.denominator), (lo, hi, got)
    else:
        assert F(t) <= lo <= hi < F(t) + F(1, 10**k), (lo, hi, got)
    if k < 15:  # the longest: one more place would separate lo and hi
        s = 10 ** (k + 1)
        assert (lo.numerator * s) // lo.denominator != (hi.numerator * s) // hi.denominator, (lo, hi, got)
    with pytest.raises(InputError):
        ent.certified_digits(hi + 1, hi)
    evidence.reach("x has more than d decimal places", (x * 10**d).denominator != 1)
    evidence.reach("[lo, hi] certifies 3+ places", k >= 3)
    evidence.instances(1)


@claim("SWP-THM2")
def test_the_digits_of_e_star_bounds_as_the_paper_writes_them(evidence):
    """Theorem 2's log2 8 < E* < log2 9 and E* ~ 3.04 as strings: an interval inside [3.04, 3.05)
    certifies "3.04"; [3, 3] certifies "3.000000000000000" (15 places, the cap); decimal_up of
    log2 9's rational upper bound 3.1699250014423126 to 2 places is 3.17."""
    assert ent.certified_digits(F(30412, 10**4), F(30418, 10**4)) == "3.041…"
    assert ent.certified_digits(F(3041), F(3041)) == "3041." + "0" * 15 + "…"
    assert ent.certified_digits(F(3049, 1000), F(3051, 1000)) == "3.0…"
    assert ent.decimal_up(F(31699250014423126, 10**16), 2) == "3.17"
    assert ent.decimal_up(F(3), 2) == "3.00" and ent.fmt_lower(F(304, 100), 2) == "3.04"
    evidence.note("certified_digits / decimal_up / fmt_lower on Theorem 2's numbers")
