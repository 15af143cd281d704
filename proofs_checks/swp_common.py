"""Hypothesis strategies for the SWP checks: small exact finite value distributions."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from exactscreen.persuasion.partitions import FiniteValues


@st.composite
def distributions(draw, min_n=2, max_n=5, equidistant=False, max_value=12):
    n = draw(st.integers(min_n, max_n))
    if equidistant:
        start = draw(st.integers(0, 3))
        step = draw(st.integers(1, 3))
        values = [start + step * i for i in range(n)]
    else:
        values = sorted(draw(st.sets(st.integers(0, max_value), min_size=n, max_size=n)))
    w = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    return FiniteValues(tuple(Fraction(v) for v in values), tuple(Fraction(x, sum(w)) for x in w))


@st.composite
def increasing(draw, n, lo=0, hi=20, strict=True):
    if strict:
        return tuple(Fraction(x) for x in sorted(draw(st.sets(st.integers(lo, hi), min_size=n, max_size=n))))
    return tuple(Fraction(x) for x in sorted(draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))))


@st.composite
def discrete_mechanisms(draw, min_k=2, max_k=5):
    """(vbar, fbar, qbar): increasing values, positive masses summing to 1, strictly increasing qualities."""
    d = draw(distributions(min_k, max_k))
    q = draw(increasing(d.n, 0, 20, strict=True))
    return d.values, d.masses, q


# ------------------------------------------------- constructive strategies (issue 13: reach)
@st.composite
def geometric_qualities(draw, n):
    """``base * r^k + j_k`` (``r >= 3``, ``0 <= j_k <= k``): strictly increasing, spread out
    qualities; with them the optimal partition keeps 2+ items in most draws (Cor. 2: a wide
    ratio ``q_h / q_l`` leaves room for many items)."""
    r = draw(st.integers(3, 6))
    base = draw(st.integers(1, 3))
    return tuple(Fraction(base * r**k + draw(st.integers(0, k))) for k in range(n))


@st.composite
def top_jump_qualities(draw, n):
    """``n - 1`` small qualities and a top quality at least three times the one below."""
    low = sorted(draw(st.sets(st.integers(1, 8), min_size=n - 1, max_size=n - 1)))
    top = 3 * (low[-1] if low else 1) + draw(st.integers(1, 10))
    return tuple(Fraction(x) for x in low + [top])


@st.composite
def top_heavy_values(draw, min_n=2, max_n=6):
    """Values whose top atom is far above the rest (``v_N >= 2 v_{N-1} + 2``) with the smallest
    weight: under ``c(q) = alpha q + beta q^2/2`` the top atom is then served separately
    (a menu with 2+ items)."""
    n = draw(st.integers(min_n, max_n))
    low = sorted(draw(st.sets(st.integers(0, 7), min_size=n - 1, max_size=n - 1)))
    values = low + [2 * low[-1] + draw(st.integers(2, 8))]
    w = draw(st.lists(st.integers(2, 9), min_size=n - 1, max_size=n - 1)) + [1]
    return FiniteValues(tuple(Fraction(v) for v in values), tuple(Fraction(x, sum(w)) for x in w))


@st.composite
def persuasion_instances(draw, min_n=2, max_n=7,
                         kinds=("random-inventory", "random-cost", "geometric", "top-jump", "top-value")):
    """``(dist, model)`` for :func:`optimal_partition`: half random (the general case), half
    constructed so that the optimum keeps 2+ items (geometric or top-jump inventories, a far
    top value under a quadratic cost).  ``model`` is ``{"inventory": Inventory}`` or
    ``{"cost": QuadraticCost}``."""
    from exactscreen.persuasion.partitions import Inventory, QuadraticCost

    kind = draw(st.sampled_from(kinds))
    if kind == "top-value":
        d = draw(top_heavy_values(min_n, min(max_n, 6)))
    elif kind.startswith("random"):
        d = draw(distributions(min_n, max_n))
    else:
        d = draw(distributions(max(3, min_n), max_n))
    if kind == "random-inventory":
        return d, {"inventory": Inventory.aligned(d, draw(increasing(d.n, 1, 24, strict=True)))}
    if kind == "geometric":
        return d, {"inventory": Inventory.aligned(d, draw(geometric_qualities(d.n)))}
    if kind == "top-jump":
        return d, {"inventory": Inventory.aligned(d, draw(top_jump_qualities(d.n)))}
    return d, {"cost": QuadraticCost(draw(st.integers(0, 2)), draw(st.integers(1, 3)))}


def model_data(model) -> dict:
    """The cost model as plain data for :mod:`exactscreen.persuasion.partition_check`."""
    if "inventory" in model:
        inv = model["inventory"]
        return {"inventory": (inv.qualities, inv.masses)}
    c = model["cost"]
    return {"cost": (c.alpha, c.beta, c.gamma)}


def persuade_toml(d, model) -> str:
    """TOML text that ``exactscreen persuade FILE`` loads: the instance of a counterexample."""
    def arr(xs):
        return "[" + ", ".join(f'"{x}"' for x in xs) + "]"

    lines = [f"values = {arr(d.values)}", f"probabilities = {arr(d.masses)}"]
    if "inventory" in model:
        inv = model["inventory"]
        lines += ['model = "inventory"', "[inventory]", f"qualities = {arr(inv.qualities)}", f"masses = {arr(inv.masses)}"]
    else:
        c = model["cost"]
        lines += ['model = "quadratic"', "[cost]", f'alpha = "{c.alpha}"', f'beta = "{c.beta}"', f'gamma = "{c.gamma}"']
    return "\n".join(lines) + "\n"


def certify_partition(d, model, mech):
    """Re-check an optimal monotone partition of :func:`optimal_partition` by the independent
    brute force of :mod:`exactscreen.persuasion.partition_check` (no code shared with the
    solver): the menu is feasible and earns the profit the solver reports, and no monotone
    partition earns more.  Returns the brute-force optimum.  A failure is an engine
    disagreement (a bare assert: an ``error`` row, never a refutation)."""
    from exactscreen.persuasion import partition_check as pc

    data = model_data(model)
    own = pc.menu_profit(d.values, d.masses, mech.cuts, mech.qualities, **data)
    assert own == mech.profit, f"engine disagreement: the solver's menu earns {own}, not {mech.profit}"
    best = pc.brute_force_optimum(d.values, d.masses, **data)
    assert best.profit == mech.profit, (
        f"engine disagreement: brute force over {best.partitions} partitions finds {best.profit}, "
        f"the solver {mech.profit}")
    return best


@st.composite
def regular_distributions(draw, min_n=2, max_n=3):
    """Values ``v_1 + s i`` with ``v_1 >= 7``, ``s <= 2`` and weights in 4..6 (``N <= 3``):
    the discrete virtual values (8) are then positive and strictly increasing, the case where
    Lemma 1 says the efficient allocation is (the unique) optimum."""
    n = draw(st.integers(min_n, max_n))
    start, step = draw(st.integers(7, 12)), draw(st.integers(1, 2))
    w = draw(st.lists(st.integers(4, 6), min_size=n, max_size=n))
    return FiniteValues(tuple(Fraction(start + step * i) for i in range(n)), tuple(Fraction(x, sum(w)) for x in w))


@st.composite
def served_pooling_grids(draw):
    """Uniformly distanced values ``a, a+s, ...`` (``N`` = 5 or 6) with (nearly) equal weights and a
    start ``a`` high enough that atom 2 is served under complete disclosure: (35) holds at k = 1
    (Cor. 1: uniform weights, N >= 5) with its atom k+1 served, the case of Prop. 5 (corrected)."""
    n = draw(st.integers(5, 6))
    step = draw(st.integers(1, 2))
    start = step * (n - 2) + draw(st.integers(0, 6))
    w = draw(st.lists(st.integers(8, 9), min_size=n, max_size=n))
    return FiniteValues(tuple(Fraction(start + step * i) for i in range(n)), tuple(Fraction(x, sum(w)) for x in w))
