"""Every error exactscreen raises on purpose, in one hierarchy.

::

    ExactscreenError
    ├── InputError          bad input, reported where it enters (field and fix; exit 2 on the CLI)
    │   └── StatedObjectFails   well-formed, but not what it is stated to be (a stated segmentation
    │                           that does not average to the market): in a claim check, the claim
    │                           is refuted; on the CLI, bad input (exit 2)
    ├── ExactNumberError    a value that is not an exact rational number (exit 2 on the CLI)
    ├── LPError             an exact LP without an optimum, or a method that could not finish
    │   ├── Infeasible      no feasible point; ``certificate`` is a Farkas ray when one is known
    │   └── Unbounded       the objective is unbounded; ``certificate`` is a primal ray when known
    ├── NotCertified        a certificate that should hold failed its independent re-check
    └── Undecided           a certified comparison stayed undecided at the working precision

Each class also derives from the built-in exception code wrote ``except``
clauses for before this module existed (``ValueError``, ``RuntimeError``,
``ArithmeticError``), so they keep working.  Messages are one line: control
characters that came from the input (a name with ``\\x1b`` or a newline) are
shown escaped (:func:`exactscreen.display.safe_text`).
"""

from __future__ import annotations

from typing import Any

from .display import safe_text

__all__ = [
    "ExactscreenError",
    "InputError",
    "StatedObjectFails",
    "ExactNumberError",
    "LPError",
    "Infeasible",
    "Unbounded",
    "NotCertified",
    "Undecided",
]


class ExactscreenError(Exception):
    """Base class of the errors exactscreen raises on purpose."""

    def __str__(self) -> str:
        return safe_text(super().__str__())


class InputError(ExactscreenError, ValueError):
    """Bad input, reported where it enters, naming the field and the fix."""


class StatedObjectFails(InputError):
    """A well-formed object that fails what its statement asserts of it, e.g. a segmentation
    (positive weights summing to 1, markets of the right environment) whose segments do not
    average to the market it is said to segment.

    Where a claim check states the object, this is the paper's error: the claims plugin
    reports the claim ``refuted`` (as an ``AssertionError``), not ``error``.  Everywhere else
    it is an :class:`InputError` (exit 2 on the CLI).  A malformed object (a negative weight,
    an unknown type name) stays a plain :class:`InputError`: an error of the check.
    """


class ExactNumberError(ExactscreenError, ValueError):
    """A value could not be read as an exact rational number.

    The message names the offending field (when the caller gave one), the
    value, and how to write it exactly.
    """


class LPError(ExactscreenError, RuntimeError):
    """An exact LP has no optimum (see the subclasses), or the exact method could not finish."""


class _WithCertificate(LPError):
    def __init__(self, message: str, certificate: Any = None) -> None:
        super().__init__(message)
        #: the evidence (a ray), or None when the method that found out keeps none
        self.certificate = certificate


class Infeasible(_WithCertificate):
    """The LP has no feasible point.

    ``certificate``, when not None, is a Farkas ray ``(y_eq, y_ub)`` with
    ``y_ub >= 0``, ``y_eq A_eq + y_ub A_ub >= 0`` and ``y_eq b_eq + y_ub b_ub < 0``.
    """


class Unbounded(_WithCertificate):
    """The LP's objective is unbounded above.

    ``certificate``, when not None, is a ray ``d >= 0`` with ``A_eq d = 0``,
    ``A_ub d <= 0`` and ``c d > 0``; ``point``, when not None, is a feasible
    ``x`` (with it, the ray proves unboundedness: ``x + t d`` is feasible for
    every ``t >= 0``; a ray alone proves only that there is no optimum).
    """

    def __init__(self, message: str, certificate: Any = None, point: Any = None) -> None:
        super().__init__(message, certificate)
        #: a feasible point the ray starts from, or None
        self.point = point


class NotCertified(ExactscreenError, ArithmeticError):
    """A result could not be certified: its independent re-check failed."""


class Undecided(ExactscreenError, ArithmeticError):
    """A certified comparison is undecided at the working precision (neither true nor false)."""
