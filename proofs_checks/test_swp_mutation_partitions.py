"""Paper 004 (Bergemann, Heumann & Morris, *Screening with persuasion*): the parts of
:mod:`exactscreen.persuasion.partitions` that the session-10 mutation run of that module
(docs/mutation.md, mut7) found unchecked, each against a route that shares no code with it
(issue 13, item 4).

* **The interval DPs** (``optimal_partition(method="interval-dp")``, the method ``"auto"``
  takes beyond N = 10, i.e. on the finer grids of Theorem 1 / Propositions 3-4): the claim
  checks run it only where N <= 10 would not, so its exclusion of the lowest atoms, its first
  cell, its back-pointer walk and its partition count were free to change.  Here, on small
  instances, both DPs (fixed inventory (33) and the quadratic cost (55)) are compared with the
  independent brute force of :mod:`~exactscreen.persuasion.partition_check` (every monotone
  partition, its own menu profit): same optimal profit, and the DP's partition and qualities
  earn it when re-evaluated by the brute force's ``menu_profit``.
* **Condition (40)** (Lemma 4, Appendix): ``f_k (phi_{k+1} - phi_k)(f_k + f_{k+1}) /
  (f_{k+1} (v_{k+1} - v_k) sum_{j>=k} f_j) < 1`` with the virtual values (8) written out here,
  and, as a second route, "(39) without the term in the parenthesis" (the proof of Lemma 4),
  at generated mechanisms and at an instance where the left side is exactly 1 (strict "<").
* **Lemma 3's top pair** (K = 2, where ``qbar_0 = 0``): ``pooling_gain_top_pair`` equals the
  revenue change of the shortest-path IC payments (:func:`direct_revenue`) and of the brute
  force's menu profit.
* **Bad input names its field** (project standard): a float among the probabilities, the item
  masses of Corollary 3's LP, the start of a uniform grid or an aligned inventory's qualities;
  (14) with fewer than three values; non-increasing values, a negative cost coefficient, a
  quality list of the wrong length.
* **A fixed cost gamma > 0** in (55): the DP charges it once, the brute force per unit of mass.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.exceptions import ExactNumberError, InputError
from exactscreen.persuasion import partition_check as pc
from exactscreen.persuasion.partitions import FiniteValues, Inventory, QuadraticCost, condition14, condition40, \
    direct_revenue, information_lp, optimal_partition, partition_mechanism, pooling_gain_top_pair, uniform_values

from .swp_common import discrete_mechanisms, distributions, model_data, persuasion_instances


def _dp_against_brute_force(d, model) -> tuple[int, bool, bool]:
    """The interval DP's optimum against the independent brute force; returns (cells, lowest atoms
    excluded, complete disclosure)."""
    mech = optimal_partition(d, method="interval-dp", **model)
    data = model_data(model)
    best = pc.brute_force_optimum(d.values, d.masses, **data)
    assert mech.profit == best.profit, ("DP", mech.profit, "brute force", best.profit)
    assert mech.cuts[0] == 0 and mech.cuts[-1] == d.n and list(mech.cuts) == sorted(set(mech.cuts))
    assert len(mech.qualities) == len(mech.cuts) - 1
    assert pc.menu_profit(d.values, d.masses, mech.cuts, mech.qualities, **data) == mech.profit
    assert type(mech.candidates) is int and mech.candidates >= 1
    assert mech.method == "interval-dp" and mech.revenue - mech.cost == mech.profit
    if "cost" in model:  # (3): the cost of every unit sold, c(0) = gamma for the excluded
        c = model["cost"]
        assert mech.cost == sum((m * (c.alpha * q + c.beta * q * q / 2 + c.gamma)
                                 for m, q in zip(mech.masses, mech.qualities)), F(0)), mech.cost
    else:
        assert mech.cost == 0
    if "inventory" in model:  # one value per cell [a, b): N (N + 1) / 2 of them
        assert mech.candidates == d.n * (d.n + 1) // 2
    excluded = mech.qualities[0] == 0
    return len(mech.cuts) - 1, excluded, len(mech.cuts) - 1 == d.n


@claim("SWP-THM1")
def test_interval_dps_on_the_papers_grid_equal_the_brute_force(evidence):
    """Corollary 1's grid (uniform values 1..5, equal weights: pooling the lowest two beats
    complete disclosure) with the aligned inventory q_i = i and with c(q) = q^2/2; values 0..4
    (the value-0 atom is excluded); 6 atoms 10..15 with increasing virtual values; and values
    1, 5, 15 with weights 5, 9, 1 under c(q) = q^2/2, whose optimum (complete disclosure, profit
    325/27) the quadratic DP reaches only through the state "cell [1, 2) after the single-atom
    cell [0, 1)": both DPs equal the brute force over all monotone partitions."""
    d5 = uniform_values(5)
    cases = {
        "uniform 1..5, inventory 1..5": (d5, {"inventory": Inventory.aligned(d5, [1, 2, 3, 4, 5])}),
        "uniform 1..5, c = q^2/2": (d5, {"cost": QuadraticCost(0, 1)}),
        "uniform 0..4, inventory 1..5": (uniform_values(5, 0), {"inventory": Inventory.aligned(d5, [1, 2, 3, 4, 5])}),
        "uniform 0..4, c = q^2/2": (uniform_values(5, 0), {"cost": QuadraticCost(0, 1)}),
    }
    reg = FiniteValues.of([10, 11, 12, 13, 14, 15], ["1/6"] * 6)
    cases["regular 10..15, inventory 1..6"] = (reg, {"inventory": Inventory.aligned(reg, [1, 2, 3, 4, 5, 6])})
    cases["uniform 1..5, c = q/2 + q^2/2 + 1/3 (gamma > 0)"] = (d5, {"cost": QuadraticCost(F(1, 2), 1, F(1, 3))})
    three = FiniteValues.of([1, 5, 15], ["5/15", "9/15", "1/15"])
    cases["1, 5, 15 (weights 5, 9, 1), c = q^2/2"] = (three, {"cost": QuadraticCost(0, 1)})
    out = {}
    for name, (d, model) in cases.items():
        cells, excluded, complete = _dp_against_brute_force(d, model)
        out[name] = (cells, excluded, complete)
    evidence.note("; ".join(f"{k}: {c} cell(s){', lowest excluded' if e else ''}{', complete disclosure' if cd else ''}"
                            for k, (c, e, cd) in out.items()))
    evidence.equal("instances where both the DP and the brute force were solved", len(out), 7, source="expected")


@claim("SWP-THM1")
@given(persuasion_instances(2, 6))
def test_interval_dps_equal_the_brute_force(evidence, inst):
    """Generated instances (random, geometric and top-jump inventories; quadratic costs with a
    far top value): the DP's optimal profit is the brute force's and its partition earns it.
    Hard case: the DP's optimum pools (fewer cells than atoms) and keeps 2+ cells."""
    d, model = inst
    cells, _, complete = _dp_against_brute_force(d, model)
    evidence.reach("the DP's optimum pools and has 2+ cells", cells >= 2 and not complete)
    evidence.instances(1)


@claim("SWP-THM1")
@given(distributions(2, 6), st.data())
def test_interval_dp_excluding_the_lowest_atoms_equals_the_brute_force(evidence, d, data):
    """Distributions with v_1 = 0 under a random aligned inventory and under c(q) = q^2/2: the
    value-0 atom has a negative virtual value and is excluded (quality 0); the DP's first cell
    and its back-pointer walk must still give the brute force's optimum.  Hard case: the
    optimum excludes the lowest atom(s)."""
    d = FiniteValues((F(0),) + d.values[1:], d.masses)
    if data.draw(st.booleans()):
        qs = sorted(data.draw(st.sets(st.integers(1, 20), min_size=d.n, max_size=d.n)))
        model = {"inventory": Inventory.aligned(d, qs)}
    else:
        model = {"cost": QuadraticCost(0, 1)}
    _, excluded, _ = _dp_against_brute_force(d, model)
    evidence.reach("the optimum excludes the lowest atom(s)", excluded)
    evidence.instances(1)


def _phi(v, f) -> list:
    """Discrete virtual values (8), written out here: phi_i = v_i - (v_{i+1} - v_i) sum_{j>i} f_j / f_i."""
    out = []
    for i in range(len(v)):
        tail = sum(f[i + 1:], F(0))
        out.append(v[i] if i == len(v) - 1 else v[i] - (v[i + 1] - v[i]) * tail / f[i])
    return out


def _lhs40(v, f, k) -> F:
    """The left side of (40) for atoms k, k+1 (1-based)."""
    phi = _phi(v, f)
    a, b, T = f[k - 1], f[k], sum(f[k - 1:], F(0))
    return a * (phi[k] - phi[k - 1]) * (a + b) / (b * (v[k] - v[k - 1]) * T)


def _no_parenthesis39(v, f, k) -> bool:
    """(39) with the term in the parenthesis omitted (proof of Lemma 4)."""
    a, b, T = f[k - 1], f[k], sum(f[k - 1:], F(0))
    return b / ((a + b) * (1 - (a + b) / T)) < (v[k + 1] - v[k]) / (v[k] - v[k - 1])


@claim("SWP-LEM4")
def test_condition40_at_its_boundary(evidence):
    """Values (0, 2, 5), weights 1/3 each, k = 1: phi = (-4, -1, 5), so the left side of (40) is
    (1/3)(3)(2/3) / ((1/3)(2)(1)) = 1 exactly; (40) is strict, so it fails, as does (39) without
    the parenthesis (3/2 < 3/2 is false).  At values (0, 2, 6) it holds (1/2 < 1)."""
    w = (F(1, 3),) * 3
    at = (F(0), F(2), F(5))
    assert _lhs40(at, w, 1) == 1 and not _no_parenthesis39(at, w, 1)
    assert condition40(at, w, 1) is False
    inside = (F(0), F(2), F(6))
    assert _lhs40(inside, w, 1) < 1 and _no_parenthesis39(inside, w, 1)
    assert condition40(inside, w, 1) is True
    evidence.equal("left side of (40) at (0, 2, 5), k = 1", _lhs40(at, w, 1), F(1), source="expected")


@claim("SWP-LEM4")
@given(discrete_mechanisms(3, 6))
def test_condition40_equals_its_definition(evidence, mech):
    """Generated mechanisms: at every k <= K - 2, condition40 is the paper's (40) evaluated here,
    and (40) holds iff (39) without the parenthesis does (the proof of Lemma 4); at k = K - 1 it
    is undefined (None).  Hard case: (40) holds at some pair."""
    v, f, _ = mech
    K = len(v)
    hit = False
    for k in range(1, K - 1):
        want = _lhs40(v, f, k) < 1
        assert want == _no_parenthesis39(v, f, k), (k, _lhs40(v, f, k))
        assert condition40(v, f, k) is want, (k, condition40(v, f, k), want)
        hit = hit or want
    assert condition40(v, f, K - 1) is None
    evidence.reach("(40) holds at some pair", hit)
    evidence.instances(1)


def _pooled_top(v, f, q):
    """The top two atoms of a discrete mechanism pooled: mass-weighted mean value and quality."""
    a, b = f[-2], f[-1]
    return (v[:-2] + ((a * v[-2] + b * v[-1]) / (a + b),), f[:-2] + (a + b,),
            q[:-2] + ((a * q[-2] + b * q[-1]) / (a + b),))


@claim("SWP-LEM3")
@given(discrete_mechanisms(2, 2))
def test_top_pair_gain_with_two_atoms(evidence, mech):
    """K = 2 (qbar_0 = 0): pooling_gain_top_pair equals the revenue change of the shortest-path
    IC payments (direct_revenue) and of the brute force's menu profit (prices (9) written in
    partition_check).  Hard case: the gain is positive (pooling pays)."""
    v, f, q = mech
    gain = pooling_gain_top_pair(v, f, q)
    pv, pf, pq = _pooled_top(v, f, q)
    assert gain == direct_revenue(pv, pf, pq)[0] - direct_revenue(v, f, q)[0]
    before = pc.menu_profit(v, f, (0, 1, 2), q, cost=(0, 1, 0)) + sum((m * x * x / 2 for m, x in zip(f, q)), F(0))
    after = pc.menu_profit(pv, pf, (0, 1), pq, cost=(0, 1, 0)) + sum((m * x * x / 2 for m, x in zip(pf, pq)), F(0))
    assert gain == after - before, (gain, after - before)
    evidence.reach("pooling the two atoms raises revenue", gain > 0)
    evidence.instances(1)


@claim("SWP-EQ9-10")
def test_bad_numbers_are_refused_naming_their_field(evidence):
    """A float among the probabilities, in the item masses of Corollary 3's LP, as the start of
    a uniform grid or among an aligned inventory's qualities is refused with a message that
    starts with the field's name; (14) with two values is refused saying it needs three; values
    that do not increase, a negative cost coefficient, a quality list of the wrong length and
    cuts that do not run from 0 to N are refused with messages that name the atoms, the
    coefficients, the counts and the cuts."""
    refused = []
    for field, call in (
        ("probabilities[1]", lambda: FiniteValues.of([1, 2], ["1/2", 0.5])),
        ("item masses[0]", lambda: information_lp(uniform_values(2), [1, 2], [0.5, "1/2"])),
        ("start", lambda: uniform_values(3, start=0.5)),
        ("qualities[1]", lambda: Inventory.aligned(uniform_values(2), [1, 2.5])),
    ):
        with pytest.raises(ExactNumberError) as err:
            call()
        assert str(err.value).startswith(field + ": "), (field, str(err.value))
        refused.append(field)
    with pytest.raises(InputError, match=r"^condition \(14\) needs at least three values$"):
        condition14(uniform_values(2))
    with pytest.raises(InputError, match=r"^values: must be strictly increasing, but v2=2 >= v3=2$"):
        FiniteValues.of([1, 2, 2], ["1/3"] * 3)
    with pytest.raises(InputError, match=r"^cost.alpha and cost.gamma must be non-negative$"):
        QuadraticCost(-1, 1)
    d = uniform_values(3)
    with pytest.raises(InputError, match=r"^need one quality per cell \(2\), got 1$"):
        partition_mechanism(d, (0, 1, 3), cost=QuadraticCost(0, 1), qualities=[1])
    for cuts in ((1, 3), (0, 2), (0, 2, 2, 3), (3,)):  # must start at 0, end at N = 3, increase
        with pytest.raises(InputError, match=r"^cuts must be 0 < \.\.\. < 3"):
            partition_mechanism(d, cuts, cost=QuadraticCost(0, 1))
    evidence.equal("fields named", refused, ["probabilities[1]", "item masses[0]", "start", "qualities[1]"], source="expected")


@claim("SWP-EQ9-10")
def test_a_menu_with_given_qualities_is_labelled_given_and_charged_their_cost(evidence):
    """Uniform values 1, 2, 3 pooled as {1}, {2, 3} with the given qualities 1 and 2 under
    c(q) = q^2/2: the mechanism says how it was found (method "given", one candidate), charges
    the cost (3) of the units sold, 1/3 c(1) + 2/3 c(2) = 1/6 + 4/3 = 3/2, and its revenue is
    (10) with the cells' means (1 and 5/2): 1 * 1 + (2 - 1) * 5/2 * 2/3 = 8/3."""
    given = partition_mechanism(uniform_values(3), (0, 1, 3), cost=QuadraticCost(0, 1), qualities=[1, 2])
    assert given.method == "given" and given.candidates == 1
    assert given.cost == F(3, 2) and given.revenue == F(8, 3) and given.profit == F(7, 6)
    evidence.equal("profit of the given menu", given.profit, F(7, 6), source="expected")
