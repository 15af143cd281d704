"""pytest plugin for the mutation runs only (``-p bench.mutation_pytest``, see ``[tool.mutmut]``).

1. It takes the ``reach_required`` marker (added to every claim check by
   proofs_checks/conftest.py) off the checks again, so that a sampled check that does not yet
   report its reach (``evidence.reach``) passes on the unmutated engine. The marker is about
   the adequacy of a check's sampling, not about the engine. A reach that *is* reported and is
   too low still fails the check (the plugin's other adequacy rules are untouched).
2. It deselects the checks listed in ``mutation_deselect.txt`` beside this file (one node id a
   line, ``#`` comments): the checks that fail on the unmutated engine at the measured commit
   (docs/mutation.md says which and why). mutmut needs a green suite for its statistics run,
   and a check that fails without any mutant cannot kill one.

Both are for measuring the engine with the checks as they are; empty the file and drop the
``-p bench.mutation_pytest`` from ``[tool.mutmut]`` once every check is green with its reach.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
    for item in items:
        item.own_markers[:] = [m for m in item.own_markers if m.name != "reach_required"]
    drop = deselected_ids()
    if drop:
        keep = [i for i in items if i.nodeid.removeprefix("mutants/") not in drop]
        gone = [i for i in items if i.nodeid.removeprefix("mutants/") in drop]
        if gone:
            config.hook.pytest_deselected(items=gone)
            items[:] = keep
