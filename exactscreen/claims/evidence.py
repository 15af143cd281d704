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

How strong a verdict is (the report's ``strength``, see :data:`STRENGTHS`)
is declared with :meth:`Evidence.strength` or inferred: ``none`` after
``not_checkable``, ``bounds`` after ``bounds``, ``sampled`` for a hypothesis
test (or one that records :meth:`~Evidence.reach`), ``paper-instances``
otherwise.  A sampled check says how often it reached the case the claim is
about with :meth:`Evidence.reach` (one call per generated instance) and marks
instances that pass trivially with :meth:`Evidence.trivial` (they are not
counted).  A sampled check whose hard case is hit fewer than
:data:`MIN_HITS` times does not count towards ``verified``: its row is an
``error`` (fix the generator).

A counterexample is reported only when a second computation that shares no
code with the first confirms it (``confirmed_by`` names that route,
``confirm`` is its answer): :meth:`Evidence.qualified`,
:meth:`Evidence.refuted` and :meth:`Evidence.fails` all require both.  If the
second route disagrees the check ends as ``error`` ("engine disagreement",
:class:`EngineDisagreement`), never as a refutation; a plain failed
``assert`` is an ``error`` of the check too, not a refutation.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from ..exceptions import ExactNumberError, ExactscreenError
from ..numbers import fmt, to_fraction
from .results import STRENGTHS, Status

__all__ = [
    "Evidence",
    "show",
    "as_data",
    "Counterexample",
    "EngineDisagreement",
    "UnconfirmedCounterexample",
    "MIN_HITS",
    "STRENGTHS",
]

#: At most this many distinct evidence lines are kept per check (hypothesis
#: tests may call ``note`` once per example).
MAX_LINES = 40

#: A sampled check must reach its hard case at least this many times to count
#: towards ``verified`` (issue 13: "fewer than 5 times in the ci profile").
MIN_HITS = 5


class Counterexample(AssertionError):
    """A counterexample to a statement, confirmed by a second independent route.

    Raised by :meth:`Evidence.fails` (and :meth:`Evidence.equal`); the only
    failed assertion the report turns into ``refuted``.  ``data`` is the
    report's ``counterexample`` object: ``as_written``, ``instance``,
    ``confirmed_by``.
    """

    def __init__(self, as_written: str, instance: Any, confirmed_by: str, detail: str = "") -> None:
        self.data = {"as_written": as_written, "instance": as_data(instance), "confirmed_by": confirmed_by}
        text = f"{as_written} fails on {show(instance, 'instance')} (confirmed by {confirmed_by})"
        super().__init__(f"{text}; {detail}" if detail else text)


class EngineDisagreement(ExactscreenError):
    """Two independent routes disagree on a counterexample: our bug, reported as ``error``."""


class UnconfirmedCounterexample(ExactscreenError):
    """A counterexample was recorded without a confirming second route (reported as ``error``)."""


def as_data(value: Any) -> Any:
    """A counterexample's instance as JSON data: dicts and lists kept, numbers as exact strings.

    Strings (e.g. TOML text a command loads) are kept as they are; objects with
    ``to_dict()`` or ``as_dict()`` (environments, markets) become that dict.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return str(value)
    for name in ("to_dict", "as_dict"):
        method = getattr(value, name, None)
        if callable(method):
            return as_data(method())
    if isinstance(value, dict):
        return {show(k, "instance key"): as_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_data(v) for v in value]
    return show(value, "instance")


def _found(data: dict, counterexample: Any, instance: Any) -> None:
    """Add ``found`` (what the check computed there, as text) to a counterexample's data when
    the check gave the instance separately: the report shows it beside the statement as written."""
    if instance is not None:
        found = show(counterexample, "counterexample")
        if as_data(counterexample) != data["instance"]:
            data["found"] = found


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
        self.hypothesis = False  # set by the plugin for a hypothesis test
        self._status = Status.VERIFIED
        self._strength: str | None = None
        self._reach: dict[str, list[int]] = {}
        self._trivial = 0
        self._different: list[str] = []
        self._counterexamples: list[dict] = []
        self._certified: list[dict] = []

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

    def compared(self, what: str, computed: Any, stated: Any, *, source: str = "paper") -> bool | None:
        """Record an exact comparison of a computed value with the paper's.

        Does not assert: the check asserts.  Returns whether the two are
        exactly equal (``None`` when that cannot be decided symbolically).
        ``source`` names where ``stated`` comes from in the evidence line:
        ``"paper"`` (the default) only when the paper states the value
        (docs/verdicts.md); e.g. ``"expected"`` for a value the check derived
        itself or built into a hand-made instance.
        """
        if not source or not isinstance(source, str):
            raise TypeError(f"compared({what!r}): source must be a non-empty string, got {source!r}")
        c, s = show(computed, f"compared({what!r}) computed"), show(stated, f"compared({what!r}) stated")
        same = _equal(computed, stated)
        verdict = {True: "equal", False: "DIFFERENT", None: "equality undecided"}[same]
        self._add(f"{what}: computed {c}, {source} {s} ({verdict})")
        if same is False:
            self._different.append(what)
        return same

    def equal(
        self,
        what: str,
        computed: Any,
        stated: Any,
        *,
        confirmed_by: str | None = None,
        confirm: bool | Callable[[], bool] | None = None,
        source: str = "paper",
    ) -> None:
        """Record an exact comparison (as :meth:`compared`, ``source`` as there) and assert it.

        Unequal values are a refutation only with a confirming second route
        (``confirmed_by`` / ``confirm``, as in :meth:`fails`: the other route
        also finds the value differs from the stated one); without one the
        check fails as an ``error``.  An undecidable equality is an ``error``.
        """
        same = self.compared(what, computed, stated, source=source)
        if same is True:
            return
        shown = f"{what}: computed {show(computed)}, {source} {show(stated)}"
        if same is None:
            raise AssertionError(f"equality undecided: {shown}")
        self._different.remove(what)  # it fails the check; not a silent difference
        if source != "paper":  # not the paper's value: a difference is the check's failure, never a refutation
            raise AssertionError(f"{shown}")
        if confirmed_by is None:
            raise AssertionError(f"{shown} (not confirmed by a second route)")
        self.fails(f"{what} = {show(stated)}", {"what": what, "computed": computed, "stated": stated},
                   confirmed_by=confirmed_by, confirm=confirm)

    def instances(self, n: int = 1) -> None:
        """Add ``n`` to the number of instances tried (call it per hypothesis example)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise TypeError(f"evidence.instances(n): n must be a non-negative int, got {n!r}")
        self._instances = (self._instances or 0) + n

    def bounds(self, what: str, lo: Any, hi: Any) -> None:
        """Status ``verified-bounds``: ``what`` is certified to lie in ``[lo, hi]``."""
        self._raise_status(Status.VERIFIED_BOUNDS)
        self._add(f"bounds: {what} in [{show(lo, 'lo')}, {show(hi, 'hi')}]")

    def certified(
        self,
        what: str,
        lo: Any,
        hi: Any,
        *,
        method: str,
        precision_bits: int,
        boxes: int,
        replayed_by: str,
        replay_ok: bool,
        **details: Any,
    ) -> dict:
        """Record *how* a number was certified, as structured data (issue 14, item 4).

        Adds the line ``certified: {...}`` whose JSON object has the keys ``what``, ``lower``,
        ``upper`` (exact strings), ``method``, ``working_precision_bits``, ``boxes`` (boxes /
        intervals / cells / pieces of the certificate), ``replay`` (``{"by", "ok"}``) and any
        ``details`` (exact numbers as strings, ints, bools, str).  The JSON report carries it in
        the claim's ``evidence`` (a combined row appends `` [check]`` after the object).
        Does not change the status (call :meth:`bounds` for that).  A certificate the
        independent replay did not re-check is not certified: ``replay_ok`` must be ``True``.
        Returns the record.
        """
        import json

        if replay_ok is not True:
            raise AssertionError(f"certified({what!r}): the independent replay ({replayed_by}) did not re-check it")
        for name, v in (("precision_bits", precision_bits), ("boxes", boxes)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise TypeError(f"evidence.certified({name}): a non-negative int, got {v!r}")
        rec: dict[str, Any] = {"what": what, "lower": show(lo, "lo"), "upper": show(hi, "hi"), "method": method,
                               "working_precision_bits": precision_bits, "boxes": boxes,
                               "replay": {"by": replayed_by, "ok": True}}
        for k, v in details.items():
            rec[k] = v if isinstance(v, (bool, int, str)) or v is None else show(v, k)
        self._certified.append(rec)
        self._add("certified: " + json.dumps(rec, ensure_ascii=False))
        return rec

    @property
    def certified_records(self) -> tuple[dict, ...]:
        """The records of :meth:`certified`, in order."""
        return tuple(self._certified)

    def qualified(
        self,
        original: str,
        counterexample: Any,
        corrected: str,
        *,
        instance: Any = None,
        confirmed_by: str | None = None,
        confirm: bool | Callable[[], bool] | None = None,
    ) -> None:
        """Status ``qualified``: the statement as written fails, the corrected one holds.

        The check must demonstrate both (assert that ``original`` fails on
        ``counterexample`` and that ``corrected`` holds).  ``instance`` is the
        counterexample as data (a dict, or TOML text the matching command
        loads; default: ``counterexample``); ``confirmed_by`` names a second
        computation sharing no code with the first and ``confirm`` is its
        answer (``True``: it also finds that ``original`` fails there), see
        :meth:`fails`.
        """
        data = self._confirmed(original, counterexample if instance is None else instance, confirmed_by, confirm)
        data["corrected"] = corrected
        _found(data, counterexample, instance)
        self._counterexamples.append(data)
        self._raise_status(Status.QUALIFIED)
        self._add(
            f"qualified: as written ({original}) it fails on {show(counterexample, 'counterexample')}; "
            f"corrected: {corrected} holds"
        )

    def refuted(
        self,
        statement: str,
        counterexample: Any,
        *,
        instance: Any = None,
        confirmed_by: str | None = None,
        confirm: bool | Callable[[], bool] | None = None,
    ) -> None:
        """Status ``refuted``: the check demonstrated ``counterexample`` to ``statement`` exactly,
        and a second route (``confirmed_by`` / ``confirm``, see :meth:`fails`) confirms it."""
        data = self._confirmed(statement, counterexample if instance is None else instance, confirmed_by, confirm)
        _found(data, counterexample, instance)
        self._counterexamples.append(data)
        self._raise_status(Status.REFUTED)
        self._add(f"refuted: {statement}")
        self._add(f"counterexample: {show(counterexample, 'counterexample')}")

    def fails(
        self,
        statement: str,
        instance: Any,
        *,
        confirmed_by: str | None = None,
        confirm: bool | Callable[[], bool] | None = None,
        detail: str = "",
    ) -> None:
        """Report that ``statement`` fails on ``instance``: raises :class:`Counterexample`.

        Call it where a property check finds its statement false (instead of a
        bare ``assert``): ``confirm`` is the answer of a second, independent
        computation (a bool, or a function returning one) to "does the
        statement fail on this instance?".  Only ``True`` makes the check
        ``refuted``; ``False`` raises :class:`EngineDisagreement` (an
        ``error``: our bug, not the paper's); a missing route raises
        :class:`UnconfirmedCounterexample`.  Under hypothesis the exception of
        the shrunk example is the one reported.
        """
        data = self._confirmed(statement, instance, confirmed_by, confirm)
        raise Counterexample(data["as_written"], instance, data["confirmed_by"], detail)

    def _confirmed(
        self, statement: str, instance: Any, confirmed_by: str | None, confirm: bool | Callable[[], bool] | None
    ) -> dict:
        where = f"{show(instance, 'instance')}"
        if not confirmed_by or confirm is None:
            raise UnconfirmedCounterexample(
                f"counterexample to '{statement}' on {where} has no second route: pass confirmed_by='...' "
                "(an independent computation) and confirm=its answer; a counterexample is reported only "
                "when a second route confirms it"
            )
        answer = confirm() if callable(confirm) else confirm
        if answer is not True:
            said = "cannot decide" if answer is None else "says it holds"
            raise EngineDisagreement(
                f"engine disagreement: the check found '{statement}' false on {where}; "
                f"{confirmed_by} {said} there"
            )
        return {"as_written": statement, "instance": as_data(instance), "confirmed_by": confirmed_by}

    def not_checkable(self, reason: str, checked_instead: str) -> None:
        """Status ``not-checkable``: why no finite computation settles it, and what was checked."""
        self._raise_status(Status.NOT_CHECKABLE)
        self._add(f"not checkable: {reason}; checked instead: {checked_instead}")

    def strength(self, level: str) -> None:
        """Declare how strong the check's verdict is: one of :data:`STRENGTHS`.

        ``"all-cases"``: decided for every instance the claim covers by a
        finite certified argument; ``"paper-instances"``: the paper's own
        instances recomputed exactly; ``"sampled"``: a general property on
        generated instances; ``"bounds"``: a certified interval; ``"none"``.
        """
        if level not in STRENGTHS:
            raise ValueError(f"evidence.strength(level): {level!r} is not one of {', '.join(STRENGTHS)}")
        self._strength = level

    def reach(self, hard_case: str, hit: bool) -> None:
        """Count one generated instance, and whether it hit ``hard_case``
        (what makes an instance interesting for this claim, e.g. "binding IC
        path of 3+ types").  Call it once per non-trivial instance."""
        if not isinstance(hard_case, str) or not hard_case:
            raise TypeError("evidence.reach(hard_case, hit): hard_case must be a non-empty str")
        if not isinstance(hit, bool):
            raise TypeError(f"evidence.reach(hard_case, hit): hit must be a bool, got {hit!r}")
        counts = self._reach.setdefault(hard_case, [0, 0])
        counts[0] += hit
        counts[1] += 1

    def trivial(self, reason: str = "") -> None:
        """This generated instance passes trivially (e.g. a menu with fewer than 2 items):
        it is not counted as an instance (nor as tried for :meth:`reach`)."""
        self._trivial += 1

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
        """Explicit count if :meth:`instances` was called, else hypothesis examples run less the
        trivial ones (:meth:`trivial`), else 1."""
        if self._instances is not None:
            return self._instances
        if self.auto_instances:
            return max(self.auto_instances - self._trivial, 0)
        return 1

    @property
    def strength_level(self) -> str:
        """Declared strength, else the inferred one (see the module docstring)."""
        if self._strength is not None:
            return self._strength
        if self._status is Status.NOT_CHECKABLE:
            return "none"
        if self._status is Status.VERIFIED_BOUNDS:
            return "bounds"
        if self.hypothesis or self.auto_instances or self._reach:
            return "sampled"
        return "paper-instances"

    @property
    def reach_counts(self) -> tuple[tuple[str, int, int], ...]:
        """``(hard_case, hit, tried)`` per hard case, in the order first recorded."""
        return tuple((k, v[0], v[1]) for k, v in self._reach.items())

    @property
    def trivial_count(self) -> int:
        return self._trivial

    @property
    def different(self) -> tuple[str, ...]:
        """What :meth:`compared` found different from the paper (and no assertion failed on)."""
        return tuple(self._different)

    @property
    def counterexamples(self) -> tuple[dict, ...]:
        """Confirmed counterexamples recorded by :meth:`qualified` / :meth:`refuted`."""
        return tuple(self._counterexamples)

    def __repr__(self) -> str:
        return f"Evidence({self.nodeid or '?'}: {self._status.value}, {len(self._lines)} lines)"
