"""Unit tests of exactscreen.persuasion.partitions (fast)."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

from exactscreen.cli.persuade import load_persuasion_toml
from exactscreen.exceptions import InputError
from exactscreen.lp.exact import LinearProgram, solve_lp
from exactscreen.exceptions import ExactNumberError
from exactscreen.persuasion.partitions import FiniteValues, Inventory, QuadraticCost, all_partitions, complete_disclosure_optimum, complete_disclosure_prices, condition15, condition35, direct_revenue, iron, optimal_partition, partition_mechanism, pool, uniform_values, virtual_values


def _random_dist(rng, n):
    vals = sorted(rng.sample(range(0, 15), n))
    w = [rng.randint(1, 6) for _ in range(n)]
    return FiniteValues.of(vals, [F(x, sum(w)) for x in w])


def test_floats_are_refused():
    with pytest.raises(ExactNumberError):
        FiniteValues.of([1, 2], [0.5, 0.5])


def test_validation_messages():
    with pytest.raises(InputError, match="strictly increasing"):
        FiniteValues.of([2, 1], ["1/2", "1/2"])
    with pytest.raises(InputError, match="sum to 1"):
        FiniteValues.of([1, 2], ["1/2", "1/3"])
    with pytest.raises(InputError, match="beta"):
        QuadraticCost(0, 0)


def test_virtual_values_and_prices():
    d = uniform_values(3)
    assert virtual_values(d.values, d.masses) == (F(-1), F(1), F(3))
    assert complete_disclosure_prices(d.values, [1, 2, 3]) == (1, 3, 6)


def test_direct_revenue_rejects_non_monotone_allocation():
    with pytest.raises(InputError, match="negative cycle"):
        direct_revenue((F(1), F(2)), (F(1, 2), F(1, 2)), (F(2), F(1)))


def test_iron_pools_violators():
    assert iron([F(3), F(1)], [F(1), F(1)]) == (F(2), F(2))
    assert iron([F(1), F(3)], [F(1), F(1)]) == (F(1), F(3))


def test_partition_count():
    assert len(list(all_partitions(5))) == 16


@pytest.mark.parametrize("seed", range(3))
def test_dp_equals_exhaustive(seed):
    rng = random.Random(seed)
    for _ in range(15):
        d = _random_dist(rng, rng.randint(1, 6))
        inv = Inventory.aligned(d, sorted(rng.sample(range(0, 15), d.n)))
        cost = QuadraticCost(rng.randint(0, 2), rng.randint(1, 3))
        for kw in ({"inventory": inv}, {"cost": cost}):
            a = optimal_partition(d, method="exhaustive", **kw)
            b = optimal_partition(d, method="interval-dp", **kw)
            assert a.profit == b.profit


def _inventory_lp_for_partition(d, inv, cuts):
    """Exact LP: best qualities for a fixed partition under a fixed inventory (increasing convex order)."""
    vb, mb = pool(d, cuts)
    phi = virtual_values(vb, mb)
    K = len(mb)
    cum = d.cumulative()
    c = tuple(m * p for m, p in zip(mb, phi))
    A_ub, b_ub = [], []
    for k in range(K - 1):  # q_k - q_{k+1} <= 0
        A_ub.append(((k, F(1)), (k + 1, F(-1))))
        b_ub.append(F(0))
    for k in range(K):
        A_ub.append(tuple((j, mb[j]) for j in range(k, K)))
        b_ub.append(inv.tail_integral(cum[cuts[k]]))
    return solve_lp(LinearProgram(c, (), (), tuple(A_ub), tuple(b_ub))).objective


def test_inventory_qualities_match_exact_lp():
    rng = random.Random(11)
    for _ in range(25):
        d = _random_dist(rng, rng.randint(1, 5))
        inv = Inventory.aligned(d, sorted(rng.sample(range(0, 12), d.n)))
        for cuts in all_partitions(d.n):
            m = partition_mechanism(d, cuts, inventory=inv)
            assert m.revenue == _inventory_lp_for_partition(d, inv, cuts)


def test_quadratic_complete_disclosure_is_first_order():
    d = FiniteValues.of([2, 3, 4], ["1/3", "1/3", "1/3"])
    m = complete_disclosure_optimum(d, cost=QuadraticCost(0, 1))
    assert m.qualities == (0, 2, 4)          # q = phi^+ / beta
    assert m.profit == F(1, 3) * (F(4, 2) + F(16, 2))


def test_exact_sqrt_conditions():
    assert condition15(FiniteValues.of([1, 2, 3], ["1/4", "1/16", "11/16"]))   # (1/4+1/16)^2 < 1/4
    assert not condition15(FiniteValues.of([1, 2, 3], ["1/4", "1/4", "1/2"]))
    d = uniform_values(5)
    assert [condition35(d, k) for k in range(1, 6)] == [True, False, False, False, False]


def test_toml_loading(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text('values = ["1", "2"]\nprobabilities = ["1/2", "1/2"]\nqualities = ["1", "3"]\n')
    d, inv, cost, model = load_persuasion_toml(str(p))
    assert d.values == (1, 2) and inv.qualities == (1, 3) and cost is None
    p.write_text('values = [1.5, 2]\nprobabilities = ["1/2", "1/2"]\n')
    with pytest.raises(ExactNumberError):
        load_persuasion_toml(str(p))
    p.write_text('values = ["1"]\nprobabilities = ["1"]\nbogus = 1\n')
    with pytest.raises(InputError, match="unknown key"):
        load_persuasion_toml(str(p))


def test_cli_file_and_errors(capsys):
    from exactscreen.cli.main import main

    assert main(["persuade", "exactscreen/examples/swp_uniform5.toml", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"pooling_gain": "9/5"' in out
    assert main(["persuade"]) == 2
    assert main(["persuade", "no/such.toml"]) == 2
