"""Float copies of exact data for the HiGHS *hint* (never for a result).

``float(Fraction(10**400))`` raises ``OverflowError`` and ``float(10**-400)``
is ``0.0``: exact inputs such as ``"1e400"`` are valid but do not fit a
double.  The float models handed to HiGHS are therefore built from a block of
exact numbers scaled by one power of two, ``v · 2^-e``, chosen so that the
largest magnitude is about 1 whenever the block does not already lie within
``[2^-40, 2^40]`` (ordinary inputs are copied unchanged, bit for bit).

Scaling a whole block by a positive constant does not change which bases are
optimal: for ``max c·x s.t. A x ⋈ b, x ≥ 0``, replacing ``A, b, c`` by
``2^-a A, 2^-b b, 2^-c c`` maps every solution ``x`` to ``2^(a-b) x`` with
the same basic columns and the objective multiplied by ``2^(a-b-c) > 0``.
Entries far smaller than the block's largest one may still round to 0; the
hint is then less good, and the exact engine, which always decides
(verification, and its own simplex when the hint fails), is unaffected.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable

__all__ = ["hint_exponent", "hint_float", "hint_floats"]

SAFE_BITS = 40
"""Blocks whose largest nonzero magnitude lies within ``[2^-40, 2^40]`` are not scaled."""


def _log2(v: Fraction) -> int:
    """``floor(log2 |v|)`` up to one (v nonzero), from bit lengths only."""
    return abs(v.numerator).bit_length() - v.denominator.bit_length()


def hint_exponent(values: Iterable) -> int:
    """The power of two ``e`` to divide a block of exact numbers by (0 for ordinary blocks)."""
    top = None
    for v in values:
        if v:
            f = v if isinstance(v, Fraction) else Fraction(v)
            e = _log2(f)
            if top is None or e > top:
                top = e
    if top is None or -SAFE_BITS <= top <= SAFE_BITS:
        return 0
    return top


def hint_float(v, exponent: int = 0) -> float:
    """``v · 2^-exponent`` as the nearest double (0.0 on underflow, never an exception
    when ``exponent`` comes from :func:`hint_exponent` of a block containing ``v``)."""
    f = v if isinstance(v, Fraction) else Fraction(v)
    if exponent > 0:
        f = Fraction(f.numerator, f.denominator << exponent)
    elif exponent < 0:
        f = Fraction(f.numerator << -exponent, f.denominator)
    return float(f)  # int/int true division: correctly rounded


def hint_floats(values: Iterable, exponent: int | None = None) -> list[float]:
    """A block of exact numbers as floats, scaled by ``2^-exponent``
    (``exponent=None``: :func:`hint_exponent` of the block)."""
    vals = list(values)
    if exponent is None:
        exponent = hint_exponent(vals)
    return [hint_float(v, exponent) for v in vals]
