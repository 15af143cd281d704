"""Statuses of claims and how the outcomes of several checks combine.

A check (one pytest test item) ends in one :class:`Status`; a claim's status
is the *worst* status of its checks (:func:`combine`), in the order

    error > refuted > qualified > not-checkable > verified-bounds > verified

and a claim no check covers is ``not-yet-checked`` — never ``verified``.
Durations are kept as :class:`decimal.Decimal` seconds rounded to the
millisecond: no binary float appears in a result.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from .registry import Claim

__all__ = ["Status", "STRENGTHS", "TestOutcome", "ClaimResult", "combine", "claim_strength", "seconds"]

#: How strong a verdict is, strongest first (the report's ``strength``):
#: ``all-cases`` decided for every instance the claim covers by a finite
#: certified argument; ``paper-instances`` the paper's own instances
#: recomputed exactly; ``sampled`` a general property on generated instances;
#: ``bounds`` a certified interval; ``none`` not checkable.
STRENGTHS = ("all-cases", "paper-instances", "sampled", "bounds", "none")


class Status(enum.Enum):
    """Status of a claim (or of one check of it) in the referee report."""

    VERIFIED = "verified"
    VERIFIED_BOUNDS = "verified-bounds"
    NOT_CHECKABLE = "not-checkable"
    QUALIFIED = "qualified"
    REFUTED = "refuted"
    ERROR = "error"
    NOT_YET_CHECKED = "not-yet-checked"

    @property
    def severity(self) -> int:
        """Rank used by :func:`combine`: higher is worse (``not-yet-checked`` is -1)."""
        return _SEVERITY[self]

    @property
    def failing(self) -> bool:
        """True for the statuses that make ``exactscreen check`` exit with status 1."""
        return self in (Status.REFUTED, Status.ERROR)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Status.{self.name}"


_SEVERITY = {
    Status.NOT_YET_CHECKED: -1,
    Status.VERIFIED: 0,
    Status.VERIFIED_BOUNDS: 1,
    Status.NOT_CHECKABLE: 2,
    Status.QUALIFIED: 3,
    Status.REFUTED: 4,
    Status.ERROR: 5,
}

#: Statuses in the order the report's summary lists them.
STATUS_ORDER = (
    Status.VERIFIED,
    Status.VERIFIED_BOUNDS,
    Status.QUALIFIED,
    Status.NOT_CHECKABLE,
    Status.REFUTED,
    Status.ERROR,
    Status.NOT_YET_CHECKED,
)

_MS = Decimal("0.001")


def seconds(value: object) -> Decimal:
    """A duration as exact decimal seconds rounded to the millisecond.

    pytest measures durations as floats; they are converted here, through
    their shortest ``repr``, and never stored as floats.
    """
    if isinstance(value, Decimal):
        return value.quantize(_MS)
    return Decimal(repr(value)).quantize(_MS)


@dataclass(frozen=True)
class TestOutcome:
    """What one check (one pytest test item) established.

    Attributes
    ----------
    nodeid
        pytest node ID, relative to the checks directory.
    claims
        IDs named by the check's ``@claim`` marker(s).
    status
        The check's own status.
    evidence
        Lines of evidence in the order recorded (notes, exact comparisons,
        bounds, counterexamples, error messages).
    instances
        Number of instances tried.
    seconds
        Wall time of setup + call + teardown.
    strength
        One of :data:`STRENGTHS` (declared by the check or inferred).
    reach
        ``(hard_case, hit, tried)`` per hard case the check measured.
    counterexamples
        Confirmed counterexamples (dicts with ``as_written``, ``instance``,
        ``confirmed_by``; ``corrected`` for a qualified statement).
    trivial
        Generated instances that passed trivially (not counted in ``instances``).
    """

    __test__ = False  # not a pytest test class, despite its name

    nodeid: str
    claims: tuple[str, ...]
    status: Status
    evidence: tuple[str, ...] = ()
    instances: int = 0
    seconds: Decimal = Decimal("0.000")
    strength: str = "paper-instances"
    reach: tuple[tuple[str, int, int], ...] = ()
    counterexamples: tuple[dict, ...] = ()
    trivial: int = 0

    @property
    def name(self) -> str:
        """The test's name without its file (``test_x[case]``)."""
        return self.nodeid.rsplit("::", 1)[-1]

    def __repr__(self) -> str:
        return f"TestOutcome({self.nodeid}: {self.status.value}, {self.instances} instances)"


@dataclass(frozen=True)
class ClaimResult:
    """A claim with the combined outcome of every check that names it."""

    claim: Claim
    status: Status
    evidence: tuple[str, ...] = ()
    instances: int = 0
    tests: tuple[TestOutcome, ...] = ()
    seconds: Decimal = Decimal("0.000")
    strength: str = "none"

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def reach(self) -> list[dict]:
        """The report's ``reach``: one entry per hard case of each sampled check."""
        return [
            {"check": t.nodeid, "hard_case": case, "hit": hit, "tried": tried}
            for t in self.tests
            for case, hit, tried in t.reach
        ]

    @property
    def counterexamples(self) -> list[dict]:
        """Every confirmed counterexample of the claim's checks, each with its ``check``."""
        return [{**c, "check": t.nodeid} for t in self.tests for c in t.counterexamples]

    @property
    def counterexample(self) -> dict | None:
        """The report's ``counterexample``: the first confirmed one (``None`` if there is none)."""
        found = self.counterexamples
        return found[0] if found else None

    @property
    def summary(self) -> str:
        """The one evidence line that best explains the status (for the text table)."""
        if self.status is Status.NOT_YET_CHECKED:
            return "no check yet" + (f" ({self.evidence[0]})" if self.evidence else "")
        prefixes = {
            Status.ERROR: ("error:",),
            Status.REFUTED: ("counterexample:", "refuted:"),
            Status.QUALIFIED: ("qualified:",),
            Status.NOT_CHECKABLE: ("not checkable:",),
            Status.VERIFIED_BOUNDS: ("bounds:",),
        }.get(self.status, ())
        lines = [self._untagged(line) for line in self.evidence]
        for line in lines:
            if line.startswith(prefixes):
                return line
        usable = [line for line in lines if not line.startswith("skipped")]
        # a comparison with a value the check derived itself (evidence.compared(..., source=
        # "expected")) explains the status less than a value the paper states or a note
        head = next((line for line in usable if ", expected " not in line), usable[0] if usable else "")
        count = f"{self.instances} instance{'s' if self.instances != 1 else ''}"
        return f"{head} ({count})" if head else f"{len(self.tests)} check(s) passed ({count})"

    def _untagged(self, line: str) -> str:
        """An evidence line without the ``[test_name]`` tag added when several checks combine."""
        for t in self.tests:
            if line.endswith(f" [{t.name}]"):
                return line[: -len(t.name) - 3]
        return line

    def __repr__(self) -> str:
        return f"ClaimResult({self.claim.id}: {self.status.value}, {len(self.tests)} checks)"


def claim_strength(tests: Iterable[TestOutcome], status: Status | None = None) -> str:
    """A claim's strength from its checks: ``all-cases`` if a passing check decides every case;
    otherwise the weakest of its checks (a general theorem checked on the paper's instances and
    on generated ones is ``sampled``); ``none`` without checks.

    A ``qualified`` or ``refuted`` claim rests on the checks that found its counterexample, not
    on its other checks: its strength is the strongest among the checks with that ``status``
    (a counterexample on the paper's own instance is ``paper-instances`` even when another
    part of the claim is not checkable)."""
    tests = list(tests)
    if status in (Status.QUALIFIED, Status.REFUTED):
        deciding = [t for t in tests if t.status is status]
        if deciding:
            return min((t.strength for t in deciding), key=STRENGTHS.index)
    levels = [t.strength for t in tests]
    if not levels:
        return "none"
    if any(t.strength == "all-cases" and not t.status.failing for t in tests):
        return "all-cases"
    return max(levels, key=STRENGTHS.index)


def combine(claim: Claim, outcomes: Iterable[TestOutcome], skipped: Iterable[str] = ()) -> ClaimResult:
    """Combine the checks of one claim: the worst status wins, evidence is concatenated.

    ``skipped`` are reasons of skipped checks; they are not counted, but a claim
    whose only checks were skipped shows them as its evidence.
    """
    tests = tuple(o for o in outcomes if claim.id in o.claims)
    if not tests:
        return ClaimResult(claim, Status.NOT_YET_CHECKED, tuple(skipped), strength="none")
    status = max((t.status for t in tests), key=lambda s: s.severity)
    evidence: list[str] = []
    several = len(tests) > 1
    for t in tests:
        for line in t.evidence:
            evidence.append(f"{line} [{t.name}]" if several else line)
    return ClaimResult(
        claim,
        status,
        tuple(evidence),
        sum(t.instances for t in tests),
        tests,
        sum((t.seconds for t in tests), Decimal("0.000")),
        claim_strength(tests, status),
    )
