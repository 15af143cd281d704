"""The ``evidence`` fixture: what a check records for the referee report.

A check is a pytest test that recomputes a claim and *asserts* it; the
``evidence`` object only records what was computed, so that the report can
show it.  None of its methods asserts anything::

    @claim("PIS-EX311")
    def test_revenue_of_the_paper_example(evidence):
        revenue = optimal_revenue(example_311)
        evidence.compared("optimal revenue", revenue, Fraction(3, 2))
        assert revenue == Fraction(3, 2)

Values are shown exactly: rationals as ``"3/2"`` (via
:func:`exactscreen.numbers.fmt`), sympy expressions and python-flint balls
with ``str``.  A Python ``float`` is refused with an error naming the
argument (it is not exact), which makes the check end as ``error``.

Status calls (``bounds``, ``qualified``, ``refuted``, ``not_checkable``) set
the status the check reports *when it passes*; a check that calls none of
them and passes is ``verified``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..exceptions import ExactNumberError
from ..numbers import fmt, to_fraction
from .results import Status

__all__ = ["Evidence", "show"]

#: At most this many distinct evidence lines are kept per check (hypothesis
#: tests may call ``note`` once per example).
MAX_LINES = 40


def _is_float(value: Any) -> bool:
    return isinstance(value, float)  # numpy.float64 is a float subclass too


def show(value: Any, what: str = "value") -> str:
    """Exact text of a value for the report.

    Rationals (int, Fraction, fmpq, sympy Rational) print as ``"3/4"``;
    tuples, lists and dicts recursively; anything else with ``str``.
    Floats are refused (:class:`~exactscreen.numbers.ExactNumberError`).
    """
    if _is_float(value):
        raise ExactNumberError(
            f"evidence: {what} is the float {value!r}, which is not exact; pass a Fraction, "
            "an int, a sympy expression, an arb ball or a string instead"
        )
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(show(v, what) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show(k, what)}: {show(v, what)}" for k, v in value.items()) + "}"
    try:
        return fmt(value)
    except ExactNumberError:
        pass
    if getattr(value, "is_Float", False) or any(
        getattr(a, "is_Float", False) for a in getattr(value, "atoms", lambda: ())()
    ):
        raise ExactNumberError(
            f"evidence: {what} {value} contains a sympy Float, which is not exact; "
            "build it from sympy.Rational / sympy.sqrt instead"
        )
    return str(value)


def _rational(value: Any) -> Fraction | None:
    if isinstance(value, (str, bool)) or _is_float(value):
        return None
    try:
        return to_fraction(value)
    except ExactNumberError:
        return None


def _equal(a: Any, b: Any) -> bool | None:
    """Exact equality when it can be decided: rationals, sympy expressions, equal text."""
    ra, rb = _rational(a), _rational(b)
    if ra is not None and rb is not None:
        return ra == rb
    mod_a, mod_b = type(a).__module__ or "", type(b).__module__ or ""
    if not isinstance(a, str) and not isinstance(b, str) and (
        mod_a.startswith("sympy") or mod_b.startswith("sympy")
    ):
        import sympy

        diff = sympy.simplify(sympy.sympify(a) - sympy.sympify(b))
        if diff == 0:
            return True
        if diff.is_number and diff.is_zero is False:
            return False
        return None
    if isinstance(a, str) or isinstance(b, str):
        return show(a) == show(b)
    try:
        result = a == b
    except Exception:  # noqa: BLE001 - e.g. a three-valued comparison refusing bool()
        return None
    return result if isinstance(result, bool) else None


class Evidence:
    """Recorder of one check (the ``evidence`` fixture forwards to it).

    One instance per test item; hypothesis tests share it across their
    examples (so :meth:`instances` accumulates).
    """

    def __init__(self, nodeid: str = "") -> None:
        self.nodeid = nodeid
        self._lines: list[str] = []
        self._dropped = 0
        self._instances: int | None = None
        self.auto_instances = 0  # hypothesis examples counted by the plugin
        self._status = Status.VERIFIED

    # --------------------------------------------------------------- record
    def _add(self, line: str) -> None:
        line = " ".join(line.split())
        if line in self._lines:
            return
        if len(self._lines) >= MAX_LINES:
            self._dropped += 1
            return
        self._lines.append(line)

    def _raise_status(self, status: Status) -> None:
        if status.severity > self._status.severity:
            self._status = status

    def note(self, text: str) -> None:
        """A free line of evidence, e.g. ``"revenue 3/2 == paper's 3/2"``."""
        if not isinstance(text, str):
            raise TypeError(f"evidence.note(text): text must be a str, got {type(text).__name__}")
        self._add(text)

    def compared(self, what: str, computed: Any, stated: Any) -> bool | None:
        """Record an exact comparison of a computed value with the paper's.

        Does not assert: the check asserts.  Returns whether the two are
        exactly equal (``None`` when that cannot be decided symbolically).
        """
        c, s = show(computed, f"compared({what!r}) computed"), show(stated, f"compared({what!r}) stated")
        same = _equal(computed, stated)
        verdict = {True: "equal", False: "DIFFERENT", None: "equality undecided"}[same]
        self._add(f"{what}: computed {c}, paper {s} ({verdict})")
        return same

    def instances(self, n: int = 1) -> None:
        """Add ``n`` to the number of instances tried (call it per hypothesis example)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise TypeError(f"evidence.instances(n): n must be a non-negative int, got {n!r}")
        self._instances = (self._instances or 0) + n

    def bounds(self, what: str, lo: Any, hi: Any) -> None:
        """Status ``verified-bounds``: ``what`` is certified to lie in ``[lo, hi]``."""
        self._raise_status(Status.VERIFIED_BOUNDS)
        self._add(f"bounds: {what} in [{show(lo, 'lo')}, {show(hi, 'hi')}]")

    def qualified(self, original: str, counterexample: Any, corrected: str) -> None:
        """Status ``qualified``: the statement as written fails, the corrected one holds.

        The check must demonstrate both (assert that ``original`` fails on
        ``counterexample`` and that ``corrected`` holds).
        """
        self._raise_status(Status.QUALIFIED)
        self._add(
            f"qualified: as written ({original}) it fails on {show(counterexample, 'counterexample')}; "
            f"corrected: {corrected} holds"
        )

    def refuted(self, statement: str, counterexample: Any) -> None:
        """Status ``refuted``: the check demonstrated ``counterexample`` to ``statement`` exactly."""
        self._raise_status(Status.REFUTED)
        self._add(f"refuted: {statement}")
        self._add(f"counterexample: {show(counterexample, 'counterexample')}")

    def not_checkable(self, reason: str, checked_instead: str) -> None:
        """Status ``not-checkable``: why no finite computation settles it, and what was checked."""
        self._raise_status(Status.NOT_CHECKABLE)
        self._add(f"not checkable: {reason}; checked instead: {checked_instead}")

    # ----------------------------------------------------------------- read
    @property
    def status(self) -> Status:
        """Status the check reports if it passes."""
        return self._status

    @property
    def lines(self) -> tuple[str, ...]:
        extra = (f"... {self._dropped} more evidence line(s) not shown",) if self._dropped else ()
        return tuple(self._lines) + extra

    @property
    def instance_count(self) -> int:
        """Explicit count if :meth:`instances` was called, else hypothesis examples run, else 1."""
        if self._instances is not None:
            return self._instances
        return self.auto_instances or 1

    def __repr__(self) -> str:
        return f"Evidence({self.nodeid or '?'}: {self._status.value}, {len(self._lines)} lines)"
