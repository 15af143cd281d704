"""pytest plugin for the mutation runs only (``-p bench.mutation_pytest``, see ``[tool.mutmut]``).

It deselects the checks listed in ``mutation_deselect.txt`` beside this file (one node id a
line, ``#`` comments): the checks that fail on the unmutated engine at the measured commit
(docs/mutation.md says which and why). mutmut needs a green suite for its statistics run, and a
check that fails without any mutant cannot kill one.

The file is empty on main (every claim check is green and reports its reach, and the
``reach_required`` marker applies during the runs as it does in CI); it is kept so that a
measurement of an older commit can deselect what fails there.

It also empties every ``functools.lru_cache`` / ``functools.cache`` of the engine and the checks
when a session's collection ends (:func:`clear_caches`).  mutmut 3's default ``fork`` runner runs
the clean checks *in the parent process* and forks one child per mutant from it; a pytest
session in the child reuses the modules the parent imported, so a cache filled by the clean run
(e.g. ``_upper_bound()`` in ``test_swp_sec5.py``, which holds ``entropy_upper_bound()``'s
certificate) answers without calling the mutated function, and the mutant "survives" unexecuted
(found 2026-12-03, mut3: ``hs = None`` in ``entropy_upper_bound`` survived).  With the caches
emptied, each child recomputes with its mutant active.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

#: top-level packages whose module-level caches are emptied (the engine, the checks, mutmut's copy)
CACHED_PACKAGES = ("exactscreen", "proofs_checks", "mutants", "tests")

DESELECT_FILE = Path(__file__).resolve().with_name("mutation_deselect.txt")


def deselected_ids(file: Path = DESELECT_FILE) -> set[str]:
    if not file.exists():
        return set()
    ids = set()
    for line in file.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            ids.add(line)
    return ids


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    drop = deselected_ids()
    if drop:
        keep = [i for i in items if i.nodeid.removeprefix("mutants/") not in drop]
        gone = [i for i in items if i.nodeid.removeprefix("mutants/") in drop]
        if gone:
            config.hook.pytest_deselected(items=gone)
            items[:] = keep


def clear_caches(packages: tuple[str, ...] = CACHED_PACKAGES) -> int:
    """Empty every module-level ``lru_cache`` / ``cache`` function (also static and class
    methods of module-level classes) in the loaded modules of ``packages``; returns how many."""
    seen: set[int] = set()
    count = 0

    def clear(value: object) -> None:
        nonlocal count
        func = getattr(value, "__func__", value)  # staticmethod / classmethod objects
        if id(func) in seen:
            return
        if callable(getattr(func, "cache_clear", None)) and callable(getattr(func, "cache_info", None)):
            seen.add(id(func))
            func.cache_clear()
            count += 1

    for name, mod in list(sys.modules.items()):
        if mod is None or name.split(".", 1)[0] not in packages:
            continue
        for value in list(vars(mod).values()):
            clear(value)
            if isinstance(value, type) and getattr(value, "__module__", None) == name:
                for attr in list(vars(value).values()):
                    clear(attr)
    return count


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    clear_caches()


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """No shrinking during the mutation runs: a check that fails on a mutant fails at its first
    failing example, as it would after shrinking (shrinking, and the explain phase that needs it, only look for a smaller failing
    example, it cannot turn a failure into a pass), so the kill is the same and comes sooner.
    Measured (docs/mutation.md, branch mut4): a mutant of fn 12's decision whose checks shrank for
    minutes until mutmut's CPU limit ("timeout") is killed in seconds.  Loaded after the claims
    plugin has chosen the profile (trylast); everything else of that profile is kept."""
    from hypothesis import Phase, settings

    current = settings.get_current_profile_name()
    settings.register_profile(
        "mutation-no-shrink",
        settings(settings.get_profile(current), phases=[p for p in Phase if p not in (Phase.shrink, Phase.explain)]),
    )
    settings.load_profile("mutation-no-shrink")
