"""pytest plugin for the mutation runs only (``-p bench.mutation_pytest``, see ``[tool.mutmut]``).

It deselects the checks listed in ``mutation_deselect.txt`` beside this file (one node id a
line, ``#`` comments): the checks that fail on the unmutated engine at the measured commit
(docs/mutation.md says which and why). mutmut needs a green suite for its statistics run, and a
check that fails without any mutant cannot kill one.

The file is empty on main (every claim check is green and reports its reach, and the
``reach_required`` marker applies during the runs as it does in CI); it is kept so that a
measurement of an older commit can deselect what fails there.
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
    drop = deselected_ids()
    if drop:
        keep = [i for i in items if i.nodeid.removeprefix("mutants/") not in drop]
        gone = [i for i in items if i.nodeid.removeprefix("mutants/") in drop]
        if gone:
            config.hook.pytest_deselected(items=gone)
            items[:] = keep
