"""Hypothesis profiles for the checks: ``ci`` (fast, deterministic) and ``deep``.

Importing this module registers both profiles with hypothesis (the pytest
plugin :mod:`exactscreen.claims.plugin` imports it, so they exist in every
pytest run).  Which one is active:

1. pytest's ``--hypothesis-profile NAME`` (hypothesis' own option), else
2. the ``HYPOTHESIS_PROFILE`` environment variable, else
3. the ``exactscreen_profile`` ini option (this repository sets ``ci``), else
4. hypothesis' own default (the plugin leaves other projects alone).

``exactscreen check --profile deep`` and ``exactscreen hunt`` pick them
explicitly.

``ci``
    ``CI_EXAMPLES`` examples per property, derandomized (the same examples on
    every run, so the report is deterministic), no deadline, no example
    database.
``deep``
    ``DEEP_EXAMPLES`` examples per property, random, no deadline: for hunting
    counterexamples, not for the test command.

Both suppress the ``function_scoped_fixture`` health check: the ``evidence``
fixture deliberately accumulates across the examples of one test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Verbosity, settings

from .exceptions import InputError

__all__ = ["CI", "DEEP", "PROFILES", "CI_EXAMPLES", "DEEP_EXAMPLES", "load_profile", "env_profile"]

CI = "ci"
DEEP = "deep"
PROFILES = (CI, DEEP)
CI_EXAMPLES = 40
DEEP_EXAMPLES = 5000

_SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.differing_executors]

settings.register_profile(
    CI,
    max_examples=CI_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=_SUPPRESS,
)
settings.register_profile(
    DEEP,
    max_examples=DEEP_EXAMPLES,
    derandomize=False,
    deadline=None,
    database=None,
    print_blob=False,
    verbosity=Verbosity.normal,
    suppress_health_check=_SUPPRESS,
)


def load_profile(name: str, field: str = "--profile") -> None:
    """Make ``name`` (``"ci"`` or ``"deep"``) the active hypothesis profile."""
    if name not in PROFILES:
        raise InputError(f"{field}: unknown hypothesis profile {name!r}; choose one of {', '.join(PROFILES)}")
    settings.load_profile(name)


def env_profile(default: str = CI) -> str:
    """The profile named by ``HYPOTHESIS_PROFILE``, or ``default``; validated."""
    name = os.environ.get("HYPOTHESIS_PROFILE", "").strip() or default
    if name not in PROFILES:
        raise InputError(
            f"HYPOTHESIS_PROFILE={name!r} is not an exactscreen profile; use one of "
            f"{', '.join(PROFILES)} or unset it"
        )
    return name
