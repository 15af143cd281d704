"""Claims of the papers, the checks that replay them, and their statuses.

A *claim* is one statement of a paper with a stable ID (``"STT-THM1"``), kept
in a :class:`Registry` read from TOML (:func:`builtin_registry` for the
three papers of the project, :func:`load_registry` for a user's own).  A
*check* is a pytest test tagged with the claims it replays::

    from exactscreen.claims import claim

    @claim("STT-THM1")
    def test_first_best_iff_both_uncontested(evidence):
        ...

The pytest plugin (:mod:`exactscreen.claims.plugin`, registered as the
``pytest11`` entry point ``exactscreen``) provides the ``evidence`` fixture
and turns test outcomes into :class:`Status` values;
:func:`run_checks` runs the checks in-process and returns one
:class:`ClaimResult` per claim.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from ..exceptions import InputError
from .registry import (
    ID_PATTERN,
    Claim,
    Paper,
    Registry,
    builtin_registry,
    load_registry,
    loads_registry,
)
from .results import STRENGTHS, ClaimResult, Status, TestOutcome, combine

__all__ = [
    "claim",
    "Claim",
    "Paper",
    "Registry",
    "builtin_registry",
    "load_registry",
    "loads_registry",
    "Status",
    "TestOutcome",
    "ClaimResult",
    "combine",
    "STRENGTHS",
    "Counterexample",
    "EngineDisagreement",
    "run_checks",
    "CheckRun",
    "default_checks_dir",
]

F = TypeVar("F", bound=Callable)


def claim(*ids: str) -> Callable[[F], F]:
    """Tag a pytest test as a check of the given claim IDs.

    Applies ``pytest.mark.claim(*ids)``.  The IDs are checked against the
    registry when pytest collects the test (a user's claims file may define
    them), and an unknown ID makes the check fail with a clear message; here
    only their spelling is checked.

    >>> @claim("STT-LEM1", "STT-UNC")
    ... def test_no_tradeoff(): ...
    """
    import pytest

    if not ids:
        raise InputError('@claim needs at least one claim ID, e.g. @claim("STT-THM1")')
    for cid in ids:
        if not isinstance(cid, str) or not ID_PATTERN.fullmatch(cid):
            raise InputError(
                f"@claim({cid!r}): a claim ID is PREFIX-NAME in capitals, digits and "
                'hyphens, e.g. "STT-THM1"'
            )
    return pytest.mark.claim(*ids)


def __getattr__(name: str):  # lazy: the runner imports pytest machinery
    if name in ("Counterexample", "EngineDisagreement"):
        from . import evidence

        return getattr(evidence, name)
    if name in ("run_checks", "CheckRun", "default_checks_dir"):
        from . import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
