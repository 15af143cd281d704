"""Hypothesis strategies for the SWP checks: small exact finite value distributions."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from exactscreen.persuasion.partitions import FiniteValues


@st.composite
def distributions(draw, min_n=2, max_n=5, equidistant=False, max_value=12):
    n = draw(st.integers(min_n, max_n))
    if equidistant:
        start = draw(st.integers(0, 3))
        step = draw(st.integers(1, 3))
        values = [start + step * i for i in range(n)]
    else:
        values = sorted(draw(st.sets(st.integers(0, max_value), min_size=n, max_size=n)))
    w = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    return FiniteValues(tuple(Fraction(v) for v in values), tuple(Fraction(x, sum(w)) for x in w))


@st.composite
def increasing(draw, n, lo=0, hi=20, strict=True):
    if strict:
        return tuple(Fraction(x) for x in sorted(draw(st.sets(st.integers(lo, hi), min_size=n, max_size=n))))
    return tuple(Fraction(x) for x in sorted(draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))))


@st.composite
def discrete_mechanisms(draw, min_k=2, max_k=5):
    """(vbar, fbar, qbar): increasing values, positive masses summing to 1, strictly increasing qualities."""
    d = draw(distributions(min_k, max_k))
    q = draw(increasing(d.n, 0, 20, strict=True))
    return d.values, d.masses, q
