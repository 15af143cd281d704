"""Exact scalars: parsing at the door, formatting on the way out.

Every number that feeds a claimed result is a :class:`fractions.Fraction`.
Accepted inputs are ``int``, ``Fraction``, python-flint ``fmpq``/``fmpz``,
sympy ``Rational``/``Integer`` and strings such as ``"3/4"``, ``"0.75"``,
``"-2"`` or ``"1.5e-3"`` (decimal strings are exact: ``"0.1"`` is 1/10).

Python ``float`` is refused, because ``0.1`` the float is
0.1000000000000000055511151231257827..., not 1/10; the error names the value
and shows how to write it exactly.  Strings are *parsed* by a regular
expression, never passed to ``eval`` or ``sympify``.

Certified comparisons of irrational quantities answer in three values
(:class:`Certainty`): true, false or undecided, like python-flint's ``arb``.
"""

from __future__ import annotations

import enum
import math
import re
from decimal import Decimal
from fractions import Fraction
from numbers import Integral

from .exceptions import ExactNumberError

__all__ = [
    "ExactNumberError",
    "Certainty",
    "to_fraction",
    "to_fmpq",
    "from_fmpq",
    "fmt",
    "fmt_decimal",
    "int_str",
    "short_repr",
    "MAX_DIGITS",
    "parse_assignments",
]

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_RATIO = re.compile(r"([+-]?\d+)\s*/\s*([+-]?\d+)")
MAX_DIGITS = 4200
"""Largest number of decimal digits of the numerator or denominator of a number
read from a string (exponents are at most ±4000: ``"1e4000"`` is accepted,
``"1e4001"`` is not).  Below
Python's 4,300-digit int-to-str limit, so an input number always prints; computed
results may be longer and are printed by :func:`int_str`, which has no limit."""
_MAX_EXPONENT = 4000  # "1e999999999" would build a huge integer: refuse it early
_SHORT = 60


def short_repr(value: object, limit: int = _SHORT) -> str:
    """``repr(value)`` cut to ``limit`` characters (for error messages).

    Deeply nested or huge values are not rendered in full (``repr`` of a list
    nested 900 deep would be long, and deeper ones raise ``RecursionError``).
    """
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # ValueError: int beyond the int-to-str limit
        return f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def int_str(n: int) -> str:
    """Decimal string of an int of any size (not subject to Python's 4,300-digit
    int-to-str limit: long ones go through python-flint, which is also faster)."""
    if -(10**18) < n < 10**18 or n.bit_length() < 12_000:
        return str(n)
    from flint import fmpz

    return str(fmpz(n))


def _digits(n: int) -> int:
    return len(int_str(abs(n)))


class Certainty(enum.Enum):
    """Answer of a certified comparison: never guess the third value."""

    TRUE = "true"
    FALSE = "false"
    UNDECIDED = "undecided"

    def __bool__(self) -> bool:  # pragma: no cover - guard against misuse
        raise TypeError(
            "a Certainty is three-valued; compare it with Certainty.TRUE / "
            "Certainty.FALSE explicitly instead of using it as a bool"
        )


def _where(field: str | None) -> str:
    return f"{field}: " if field else ""


def _float_advice(value: float) -> str:
    shown = repr(value)
    if not math.isfinite(value):
        return f"got the float {shown}, which is not a finite number; write an exact value such as \"3/4\""
    exact = Fraction(value)
    if exact.denominator == 1:
        suggestion = f'"{exact.numerator}" or the int {exact.numerator}'
    else:
        decimal = Fraction(Decimal(shown))  # what the user most likely meant
        suggestion = f'the string "{shown}" (read exactly as {decimal})'
        if decimal.denominator <= 1000 and "." in shown:
            suggestion += f' or "{decimal}"'
    return (
        f"got the float {shown}, which is not exact (its binary value is "
        f"{Decimal(value)}); write it as {suggestion}"
    )


def _parse_string(text: str, field: str | None) -> Fraction:
    s = text.strip()
    if len(s) > 200:
        raise ExactNumberError(
            f"{_where(field)}the string {text[:40]!r}... is too long for a number "
            f"(at most 200 characters; write large numbers with an exponent, e.g. \"12e300\")"
        )
    m = _RATIO.fullmatch(s)
    if m:
        num, den = int(m.group(1)), int(m.group(2))
        if den == 0:
            raise ExactNumberError(f"{_where(field)}{short_repr(text)} divides by zero")
        return Fraction(num, den)
    if _DECIMAL.fullmatch(s):
        mantissa, _, exponent = s.lower().partition("e")
        if exponent and abs(int(exponent)) > _MAX_EXPONENT:
            raise ExactNumberError(
                f"{_where(field)}{short_repr(text)}: exponent beyond ±{_MAX_EXPONENT} is refused "
                f"(numbers have at most {MAX_DIGITS} digits)"
            )
        value = Fraction(Decimal(s))
        for part in (value.numerator, value.denominator):
            if _digits(part) > MAX_DIGITS:
                raise ExactNumberError(
                    f"{_where(field)}{short_repr(text)} has more than {MAX_DIGITS} digits; "
                    f"numbers are limited to {MAX_DIGITS} digits (numerator and denominator each)"
                )
        return value
    raise ExactNumberError(
        f"{_where(field)}cannot read {short_repr(text)} as an exact number; write an integer "
        f'("-2"), a fraction ("3/4") or a decimal ("0.75")'
    )


def to_fraction(value: object, field: str | None = None) -> Fraction:
    """Return ``value`` as an exact :class:`Fraction`, or raise.

    Parameters
    ----------
    value
        int, Fraction, str, python-flint fmpq/fmpz, or sympy Rational.
    field
        Name of the input field, used in the error message
        (e.g. ``"types.tL.aL"``).

    Raises
    ------
    ExactNumberError
        For floats (with the exact spelling to use instead), bools,
        non-numbers, malformed strings and irrational sympy numbers.
    """
    if isinstance(value, bool):
        raise ExactNumberError(f"{_where(field)}got the bool {value!r}, expected a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Integral):
        return Fraction(int(value))
    if isinstance(value, float):
        raise ExactNumberError(_where(field) + _float_advice(value))
    if isinstance(value, str):
        return _parse_string(value, field)
    cls = type(value)
    module = cls.__module__ or ""
    if module.startswith("flint"):
        if cls.__name__ == "fmpq":
            return Fraction(int(value.p), int(value.q))
        if cls.__name__ == "fmpz":
            return Fraction(int(value))
    if module.startswith("sympy"):
        if getattr(value, "is_Rational", False):
            return Fraction(int(value.p), int(value.q))
        if getattr(value, "is_Float", False):
            raise ExactNumberError(
                f"{_where(field)}got the sympy Float {value}, which is not exact; "
                f"use sympy.Rational or a string such as \"{value}\""
            )
        raise ExactNumberError(
            f"{_where(field)}the sympy number {value} is not rational; exactscreen "
            "inputs must be rational (irrational results are computed, not entered)"
        )
    raise ExactNumberError(
        f"{_where(field)}expected a number (int, Fraction or a string like \"3/4\"), "
        f"got {cls.__name__} {short_repr(value)}"
    )


def to_fmpq(value: object, field: str | None = None):
    """Exact conversion to python-flint ``fmpq`` (via :func:`to_fraction`)."""
    from flint import fmpq

    f = to_fraction(value, field)
    return fmpq(f.numerator, f.denominator)


def from_fmpq(value) -> Fraction:
    """python-flint ``fmpq``/``fmpz`` to :class:`Fraction` without rounding."""
    if type(value).__name__ == "fmpz":
        return Fraction(int(value))
    return Fraction(int(value.p), int(value.q))


def fmt(value: object) -> str:
    """Exact string of a rational: ``"3/4"``, ``"-2"``, ``"0"``."""
    f = to_fraction(value)
    if f.denominator == 1:
        return int_str(f.numerator)
    return f"{int_str(f.numerator)}/{int_str(f.denominator)}"


def fmt_decimal(value: object, digits: int = 6) -> str:
    """Decimal rendering for humans (``"0.75"``, ``"0.333333…"``).

    The trailing ``…`` marks a truncated expansion; the value itself stays exact.
    Computed with integer arithmetic, never through a float.
    """
    f = to_fraction(value)
    sign = "-" if f < 0 else ""
    f = abs(f)
    whole, rem = divmod(f.numerator, f.denominator)
    scaled, rest = divmod(rem * 10**digits, f.denominator)
    frac = int_str(scaled).rjust(digits, "0").rstrip("0")
    whole = int_str(whole)
    body = f"{whole}.{frac}" if frac else whole
    if rest:
        if not frac:
            body = f"{whole}.{'0' * digits}"
        body += "…"
    return sign + body


def parse_assignments(text: str, field: str = "--market") -> dict[str, Fraction]:
    """Parse ``"t1=1/2,t2=1/2"`` into ``{"t1": Fraction(1, 2), ...}``.

    Names must be unique; every value goes through :func:`to_fraction`.
    """
    out: dict[str, Fraction] = {}
    if not text.strip():
        raise ExactNumberError(f"{field}: empty; write name=value pairs like t1=1/2,t2=1/2")
    for part in text.split(","):
        name, sep, val = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ExactNumberError(
                f"{field}: cannot read {part.strip()!r}; write name=value pairs like t1=1/2,t2=1/2"
            )
        if name in out:
            raise ExactNumberError(f"{field}: {name!r} is given twice")
        out[name] = to_fraction(val, f"{field} {name}")
    return out
