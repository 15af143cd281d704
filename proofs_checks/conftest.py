"""Shared set-up of the claim checks.

The ``evidence`` fixture, the ``claim`` marker and the hypothesis profiles come
from the exactscreen pytest plugin (``exactscreen.claims.plugin``, loaded through
its ``pytest11`` entry point), so a check module needs only::

    from exactscreen.claims import claim

    @claim("SWP-LEM2")
    def test_fixed_point_of_the_hazard_map(evidence): ...

Conventions (see DESIGN.md): one module per paper section,
``test_<paper>_<section>.py``; the paper's own instance is always one of the
cases; a property over many instances uses hypothesis (profile ``ci`` in the
test command, ``deep`` for ``exactscreen check --profile deep``) and calls
``evidence.instances()`` per example if it wants to count only some of them,
and reports its reach (``evidence.reach(hard_case, hit)`` per example,
``evidence.trivial(reason)`` for one that passes trivially): every check here
carries the ``reach_required`` marker (docs/verdicts.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHECKS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every built-in check that samples must report its reach (docs/verdicts.md)."""
    for item in items:
        if CHECKS_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.reach_required)


@pytest.fixture(scope="session")
def checks_dir() -> Path:
    """Directory of the check modules (for data files shipped next to them)."""
    return CHECKS_DIR
