"""The independent brute force of optimal monotone partitions agrees with the solver and shares no code with it."""

from __future__ import annotations

import ast
from fractions import Fraction as F
from pathlib import Path

import pytest

from exactscreen.exceptions import InputError
from exactscreen.persuasion import partition_check as pc
from exactscreen.persuasion.partitions import FiniteValues, Inventory, QuadraticCost, optimal_partition


def test_partition_check_imports_nothing_from_the_partition_solver():
    tree = ast.parse(Path(pc.__file__).read_text(encoding="utf-8"))
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not any("partitions" in n or "singleitem" in n for n in names)


@pytest.mark.parametrize("model", ["inventory", "cost"])
def test_brute_force_optimum_equals_the_solver_on_small_instances(model):
    d = FiniteValues.of([1, 2, 4, 9], ["3/10", "3/10", "3/10", "1/10"])
    if model == "inventory":
        inv = Inventory.aligned(d, [1, 3, 9, 27])
        mech, data = optimal_partition(d, inventory=inv), {"inventory": (inv.qualities, inv.masses)}
    else:
        mech, data = optimal_partition(d, cost=QuadraticCost(1, 2)), {"cost": (1, 2, 0)}
    best = pc.brute_force_optimum(d.values, d.masses, **data)
    assert best.profit == mech.profit and best.partitions == 8
    assert pc.menu_profit(d.values, d.masses, mech.cuts, mech.qualities, **data) == mech.profit


def test_menu_profit_refuses_a_decreasing_menu_and_an_inventory_it_exceeds():
    assert pc.menu_profit([1, 2], ["1/2", "1/2"], (0, 1, 2), [2, 1], cost=(0, 1, 0)) is None
    assert pc.menu_profit([1, 2], ["1/2", "1/2"], (0, 1, 2), [1, 3], inventory=([1, 2], ["1/2", "1/2"])) is None
    assert pc.menu_profit([1, 2], ["1/2", "1/2"], (0, 1, 2), [1, 2], inventory=([1, 2], ["1/2", "1/2"])) == F(2)


def test_brute_force_refuses_too_many_atoms_and_floats():
    with pytest.raises(InputError):
        pc.brute_force_optimum(list(range(pc.MAX_N + 1)), [F(1, pc.MAX_N + 1)] * (pc.MAX_N + 1), cost=(0, 1, 0))
    with pytest.raises(InputError):
        pc.best_menu([1.0, 2], ["1/2", "1/2"], (0, 2), cost=(0, 1, 0))
