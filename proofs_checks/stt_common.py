"""Shared strategies, instances and independent oracles for the checks of paper 003
(Haghpanah & Siegel, *Screening two types*, prefix STT).

The oracles never use :mod:`exactscreen.two_types.analysis`:

* :func:`brute_deterministic` -- the engine's exact enumeration of deterministic
  menus (:func:`exactscreen.mechanisms.optimum.optimal_deterministic`): every optimal
  assignment with its payments;
* :func:`lp_face` -- the engine's certified LP over random menus with the
  exact ranges over *all* optimal mechanisms
  (:func:`exactscreen.mechanisms.optimum.optimal_mechanism`, ``face=True``);
* :func:`raw_brute_force` -- the un-normalized problem of Sec. 2 (costs,
  outside-option values and c(0)) solved by enumerating (a1, a2) and the
  largest payments of the four constraints, written here from the paper's
  constraints and sharing no code with the engine.

``q`` is always the probability of the type listed *second* in the
environment (the file's ``q``); translations to the paper's labels go
through the analysis' ``to_paper_q``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Mapping

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import exactscreen
from exactscreen.environment import OUTSIDE, Environment, Market
from exactscreen.mechanisms.optimum import optimal_deterministic, optimal_mechanism

EXAMPLES = Path(exactscreen.__file__).parent / "examples"
F = Fraction

#: for properties over filtered environments
FILTERING = settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


def q_market(env: Environment, q) -> Market:
    """Two-type market with ``q`` = probability of the second listed type (the paper's notation)."""
    q = Fraction(q)
    return Market(env, (1 - q, q))


# ----------------------------------------------------------------------------
# Instances
# ----------------------------------------------------------------------------
def restaurant(v) -> Environment:
    """Sec. 1.1 / App. B: Theorists (T, probability 1 − q) and Applied theorists (A, q)."""
    return Environment.from_dict(
        {"T": {"steak": 30, "fish": v}, "A": {"steak": 60, "fish": 20}},
        title=f"restaurant, v = {v}",
    )


def bundles(v1: tuple, v2: tuple, random_names: bool = False) -> Environment:
    """Additive bundling (Sec. 5.2): every non-empty subset of products is an alternative,
    named like ``{1,2}``; the empty bundle is the outside option."""
    from itertools import combinations

    n = len(v1)
    alts = {}
    for k in range(1, n + 1):
        for c in combinations(range(1, n + 1), k):
            alts["{" + ";".join(map(str, c)) + "}"] = c
    return Environment.from_dict(
        {
            "t1": {a: sum((F(v1[i - 1]) for i in c), F(0)) for a, c in alts.items()},
            "t2": {a: sum((F(v2[i - 1]) for i in c), F(0)) for a, c in alts.items()},
        }
    )


def bundle_name(products) -> str:
    return "{" + ";".join(map(str, sorted(products))) + "}" if products else OUTSIDE


# ----------------------------------------------------------------------------
# Strategies
# ----------------------------------------------------------------------------
def _vals(max_den: int = 2, lo: int = -3, hi: int = 4):
    return st.builds(lambda p, q: F(p, q), st.integers(lo * 2, hi * 2), st.integers(1, max_den)).filter(
        lambda x: lo <= x <= hi
    )


@st.composite
def two_type_environments(draw, min_k: int = 1, max_k: int = 4, costs: bool = True) -> Environment:
    """Two types, 1-4 alternatives, small rationals, and deliberately the
    degenerate cases the paper's arguments turn on: alternatives on the
    diagonal, copies of an alternative, ties in one type's value, negative
    values, a^BD1 at the outside option (every alternative below the diagonal
    worth ≤ 0 to type 1), optional costs; and either type may be the contested one."""
    k = draw(st.integers(min_k, max_k))
    val = _vals()
    flavour = draw(st.sampled_from(["free", "free", "bd1-at-0", "ties"]))
    pairs: list[list[Fraction]] = []
    for j in range(k):
        kind = draw(st.sampled_from(["free", "free", "diag", "copy", "tie1", "tie2"])) if j else "free"
        if kind == "diag":
            x = draw(val)
            pairs.append([x, x])
        elif kind == "copy":
            pairs.append(list(pairs[draw(st.integers(0, j - 1))]))
        elif kind == "tie1":
            x = pairs[draw(st.integers(0, j - 1))][0]
            pairs.append([x, draw(val)])
        elif kind == "tie2":
            y = pairs[draw(st.integers(0, j - 1))][1]
            pairs.append([draw(val), y])
        else:
            pairs.append([draw(val), draw(val)])
    if flavour == "bd1-at-0":
        for p in pairs:
            if p[1] < p[0] and p[0] > 0:  # below the diagonal and positive: move it to v1 ≤ 0
                p[0], p[1] = -p[0], -p[0] - (p[0] - p[1])
    if flavour == "ties" and k >= 2:
        pairs[1][1] = pairs[0][1]  # two alternatives of equal value to the second type
    cost = {}
    if costs and draw(st.booleans()):
        for j in range(k):
            c = draw(st.sampled_from([F(0), F(0), F(1, 2), F(1)]))
            cost[f"a{j + 1}"] = c
            pairs[j] = [pairs[j][0] + c, pairs[j][1] + c]  # gross = net + cost
    names = ("t1", "t2") if draw(st.booleans()) else ("t2", "t1")
    types = {
        names[0]: {f"a{j + 1}": p[0] for j, p in enumerate(pairs)},
        names[1]: {f"a{j + 1}": p[1] for j, p in enumerate(pairs)},
    }
    return Environment.from_dict(types, cost or None)


@st.composite
def q_values(draw):
    """Probabilities in (0, 1) with small denominators (they hit the thresholds)."""
    den = draw(st.integers(2, 12))
    return F(draw(st.integers(1, den - 1)), den)


# ----------------------------------------------------------------------------
# Oracles
# ----------------------------------------------------------------------------
def brute_deterministic(env: Environment, q) -> tuple[Fraction, frozenset]:
    """Optimal profit and the set of optimal deterministic menus
    ``(a_first, a_second, p_first, p_second)`` by the engine's enumeration."""
    res = optimal_deterministic(env, q_market(env, q))
    return res.revenue, frozenset((a[0], a[1], p[0], p[1]) for a, p in res.optimal)


def predicted_deterministic(t, q) -> frozenset:
    """The same set from Theorem 1 (``a1 ∈ A_1(q)``, ``a2 ∈ E_2 ∩ A⁺``), in file order."""
    out = set()
    for m in t.deterministic_menus(t.to_paper_q(Fraction(q))):
        for a1 in m.a1:
            for a2 in m.a2:
                out.add((a2, a1, m.p2, m.p1) if t.swapped else (a1, a2, m.p1, m.p2))
    return frozenset(out)


def _paper_edge(t, edge: tuple[str, str]) -> str:
    who, to = edge
    k = "1" if who == t.type1 else "2"
    return f"IR{k}" if to == OUTSIDE else f"IC{k}"


def lp_face(env: Environment, q, t=None) -> dict:
    """Revenue and the exact ranges over all optimal random menus (engine LP).

    Keys: ``revenue``; ``alloc[type][name] = (lo, hi)``; ``payment[type]``,
    ``surplus[type]``; with an analysis ``t``, ``always``/``sometimes`` binding
    sets in the paper's names (IR1, IR2, IC1, IC2).
    """
    res = optimal_mechanism(env, q_market(env, q), face=True)
    fc = res.face
    names = (*env.alternatives, OUTSIDE)
    out = {
        "revenue": res.revenue,
        "alloc": {ty: {a: (r.lo, r.hi) for a, r in zip(names, fc.allocation[i])} for i, ty in enumerate(env.types)},
        "payment": {ty: (fc.payment[i].lo, fc.payment[i].hi) for i, ty in enumerate(env.types)},
        "surplus": {ty: (fc.surplus[i].lo, fc.surplus[i].hi) for i, ty in enumerate(env.types)},
        "verified": res.verified,
    }
    if t is not None:
        out["always"] = frozenset(_paper_edge(t, e) for e in fc.always_binding)
        out["sometimes"] = frozenset(_paper_edge(t, e) for e in fc.sometimes_binding)
    return out


def predicted_face(t, q) -> dict:
    """The same ranges from Corollary 2 (the random piece containing q)."""
    env = t.environment
    names = (*env.alternatives, OUTSIDE)
    piece = t.random_piece_at(t.to_paper_q(Fraction(q)))
    qp = t.to_paper_q(Fraction(q))
    zero = (F(0), F(0))
    alloc = {
        t.type1: {a: piece.x1.probability_range(a) if a in piece.x1.support else zero for a in names},
        t.type2: {a: piece.x2.probability_range(a) if a in piece.x2.support else zero for a in names},
    }
    return {
        "revenue": piece.profit(qp),
        "alloc": alloc,
        "payment": {t.type1: piece.p1, t.type2: piece.p2},
        "surplus": {t.type1: zero, t.type2: piece.u2},
        "always": piece.always,
        "sometimes": piece.sometimes,
    }


def raw_brute_force(
    values: Mapping[str, Mapping[str, Fraction]],
    costs: Mapping[str, Fraction],
    outside: Mapping[str, Fraction],
    c0: Fraction,
    q: Fraction,
    types: tuple[str, str],
) -> tuple[Fraction, frozenset]:
    """The principal's problem of Sec. 2 *before* App. C's normalization.

    Alternatives: the keys of ``values[t]`` plus ``"0"`` (valued ``outside[t]``,
    cost ``c0``).  For each (a1, a2) the feasible payments form
    ``{p : p1 ≤ v1(a1) − v1(0), p2 ≤ v2(a2) − v2(0), p1 − p2 ≤ v1(a1) − v1(a2),
    p2 − p1 ≤ v2(a2) − v2(a1)}``; it is non-empty iff the IC cycle is
    non-negative, and then the componentwise largest point (which maximizes
    any positive combination) is the minimum over paths into the IR bounds.
    Returns the optimal profit and the set of optimal ``(a1, a2, p1, p2)``.
    """
    t1, t2 = types
    alts = list(values[t1]) + [OUTSIDE]

    def v(t, a):
        return outside[t] if a == OUTSIDE else values[t][a]

    def c(a):
        return c0 if a == OUTSIDE else costs.get(a, F(0))

    best, arg = None, set()
    for a1 in alts:
        for a2 in alts:
            ic1 = v(t1, a1) - v(t1, a2)  # p1 - p2 <= ic1
            ic2 = v(t2, a2) - v(t2, a1)  # p2 - p1 <= ic2
            if ic1 + ic2 < 0:
                continue
            ir1, ir2 = v(t1, a1) - outside[t1], v(t2, a2) - outside[t2]
            p1 = min(ir1, ir2 + ic1)
            p2 = min(ir2, ir1 + ic2)
            prof = (1 - q) * (p1 - c(a1)) + q * (p2 - c(a2))
            if best is None or prof > best:
                best, arg = prof, {(a1, a2, p1, p2)}
            elif prof == best:
                arg.add((a1, a2, p1, p2))
    return best, frozenset(arg)


def certify_deterministic_pieces(t) -> int:
    """Certify the whole piecewise description of Theorem 1 against brute force.

    For every assignment the largest payments do not depend on q, so its profit
    is linear in q and the optimum is their upper envelope.  If the optimal set
    at an interior point of an open piece equals the predicted one and the
    predicted menus are also optimal at both ends, the envelope coincides with
    that line on the closed piece (a convex function touching a line at both
    ends and inside), so the prediction holds on the whole open piece; each
    breakpoint is checked directly.  Ends 0 and 1 are checked with the
    degenerate markets.  Returns the number of brute-force solves; asserts.
    """
    env = t.environment
    solves = 0
    for piece in t.deterministic_pieces:
        lo_f, hi_f = sorted((t.to_file_q(piece.lo), t.to_file_q(piece.hi)))
        mid = (lo_f + hi_f) / 2
        _, got = brute_deterministic(env, mid)
        want = predicted_deterministic(t, mid)
        assert got == want, (piece, mid, got, want)
        solves += 1
        if not piece.is_point:
            for end in (lo_f, hi_f):
                res = optimal_deterministic(env, q_market(env, end))
                solves += 1
                assignments = {(a[0], a[1]) for a, _ in res.optimal}
                rev_end = res.revenue
                for a1, a2, p1, p2 in want:
                    assert (a1, a2) in assignments, (piece, end, a1, a2)
                    assert (1 - end) * p1 + end * p2 == rev_end
    return solves


def certify_random_pieces(t, face_points: bool = True) -> int:
    """Certify Corollary 2's piecewise description against the exact LP.

    The optimal random profit is convex in q; equal to the predicted linear
    profit at both ends and the midpoint of a piece, it equals it on the whole
    piece, and the optimal face is then constant inside the piece, so the face
    at the midpoint (allocation, payment and surplus ranges, binding sets)
    certifies the piece.  Returns the number of LP calls; asserts.
    """
    env = t.environment
    calls = 0
    for piece in t.random_pieces:
        lo_f, hi_f = sorted((t.to_file_q(piece.lo), t.to_file_q(piece.hi)))
        mid = (lo_f + hi_f) / 2
        if face_points or not piece.is_point:
            got = lp_face(env, mid, t)
            want = predicted_face(t, mid)
            calls += 1
            for key in ("revenue", "alloc", "payment", "surplus", "always", "sometimes"):
                assert got[key] == want[key], (key, piece.lo, piece.hi, mid, got[key], want[key])
        if not piece.is_point:
            for end in (lo_f, hi_f):
                res = optimal_mechanism(env, q_market(env, end), face=False)
                calls += 1
                assert res.revenue == piece.profit(t.to_paper_q(end)), (piece.lo, piece.hi, end)
    return calls


def convexified_environment(env: Environment) -> tuple[Environment, dict]:
    """A finite environment W whose alternatives are the alternatives of ``env`` plus, for
    every pair on opposite sides of the diagonal (in the *file's* type order, the diagonal
    does not depend on labels), their mixture on the diagonal (a random alternative).

    Clipping conv(V) by either side of the diagonal gives a polygon whose vertices lie in
    W, so Theorem 1's (5), (BD1) and (q-BD1) over W equal those over the random
    alternatives, and so do (OD) and B_1(q)'s meeting the diagonal (App. F).  Returns the
    environment and ``{mixture name: {alternative: probability}}``.
    """
    names = (*env.alternatives, OUTSIDE)
    t_a, t_b = env.types
    val = {a: (env.value(t_a, a), env.value(t_b, a)) for a in names}
    rows = {t_a: {}, t_b: {}}
    lotteries: dict = {}
    for a in env.alternatives:
        rows[t_a][a], rows[t_b][a] = val[a]
        lotteries[a] = {a: F(1)}
    for a in names:
        da = val[a][1] - val[a][0]
        for b in names:
            db = val[b][1] - val[b][0]
            if da > 0 > db:
                w = -db / (da - db)
                name = f"mix[{a}|{b}]"
                rows[t_a][name] = w * val[a][0] + (1 - w) * val[b][0]
                rows[t_b][name] = w * val[a][1] + (1 - w) * val[b][1]
                lotteries[name] = {a: w, b: 1 - w}
    return Environment.from_dict(rows), lotteries


# ----------------------------------------------------------------------------
# Second routes and constructive strategies (issue 13)
# ----------------------------------------------------------------------------
def values_of(env: Environment) -> dict:
    """``{alternative: (first listed type's value, second's)}`` with the outside option."""
    return {a: (env.value(env.types[0], a), env.value(env.types[1], a)) for a in (*env.alternatives, OUTSIDE)}


def independent(env: Environment):
    """The labels and thresholds recomputed by :mod:`exactscreen.two_types.threshold_check`
    (shares no code with :mod:`exactscreen.two_types.analysis`): a second route."""
    from exactscreen.two_types.threshold_check import recompute

    return recompute(values_of(env))


@st.composite
def contested_environments(draw, max_extra: int = 3) -> Environment:
    """Two types with a *contested* type 1 by construction, in either file order.

    Type 2's efficient alternative ``e`` lies above the diagonal; type 1's efficient
    alternative ``f`` lies strictly above it too (so type 1 is contested), with
    ``v2(f) < v2(e)`` and ``v1(f) > v1(e)``; optionally an alternative below the diagonal
    (a^BD1 ≠ 0, either on the diagonal or strictly below) and extra random alternatives
    kept below ``v1(f)`` for type 1 and below ``v2(e)`` for type 2, with ties allowed.
    Both q^BD1 ∈ (0, 1) and q^CD ∈ (0, 1) are then typical, so q on both sides of them is
    reached by choosing q relative to the thresholds (:func:`q_around`)."""
    e2 = draw(st.integers(3, 8))  # v2(e)
    e1 = draw(st.integers(-2, e2 - 1))  # v1(e) < v2(e)
    f1 = draw(st.integers(max(e1 + 1, 1), e1 + 5))  # v1(f) > v1(e)
    f2 = draw(st.integers(f1 + 1, max(f1 + 1, e2 - 1))) if f1 + 1 <= e2 - 1 else None
    if f2 is None:  # room above the diagonal below v2(e): make it by raising e2
        e2 = f1 + 2
        f2 = f1 + 1
    pairs = {"e": (F(e1), F(e2)), "f": (F(f1), F(f2))}
    kind = draw(st.sampled_from(["below", "diag", "none"]))
    if kind != "none":
        x = draw(st.integers(1, f1 - 1)) if f1 > 1 else 0
        y = x if kind == "diag" else draw(st.integers(x - 4, x - 1))
        pairs["g"] = (F(x), F(y))
    for j in range(draw(st.integers(0, max_extra))):
        x = F(draw(st.integers(-4, 2 * (f1 - 1)))) / 2
        y = F(draw(st.integers(-4, 2 * (e2 - 1)))) / 2
        if draw(st.booleans()) and j == 0:
            y = pairs["f"][1]  # a tie in type 2's value
        pairs[f"x{j}"] = (min(x, F(f1)), min(y, F(e2)))
    if draw(st.booleans()):  # the paper's type 1 listed second: Assumption 1 relabels
        types = {"t2": {a: p[1] for a, p in pairs.items()}, "t1": {a: p[0] for a, p in pairs.items()}}
    else:
        types = {"t1": {a: p[0] for a, p in pairs.items()}, "t2": {a: p[1] for a, p in pairs.items()}}
    return Environment.from_dict(types)


def q_around(draw, threshold: Fraction, side: str) -> Fraction:
    """A probability (paper q) strictly below, at or strictly above ``threshold`` in (0, 1)
    (``side`` in {"below", "at", "above"}); falls back to 1/2 when impossible."""
    den = draw(st.integers(2, 9))
    if side == "at" and 0 < threshold < 1:
        return threshold
    if side == "below" and threshold > 0:
        return threshold * draw(st.integers(1, den - 1)) / den
    if side == "above" and threshold < 1:
        return threshold + (1 - threshold) * draw(st.integers(1, den - 1)) / den
    return F(1, 2)


@st.composite
def boundary_chain_environments(draw) -> Environment:
    """Type 1 contested with a chain of alternatives above the diagonal that B_1(q) walks
    down before crossing it (Corollary 1, property 10's path of 3+ boundary points).

    From type 1's efficient ``f = (x0, y0)`` (``y0 > x0``), ``P_{k+1} = P_k − (c_k h_k, h_k)``
    with increasing ``c_k ∈ (0, 1)``: ``P_{k+1}`` beats ``P_k`` in direction (1, −q) exactly
    for ``q > c_k`` and moves toward the diagonal; type 2's efficient ``e = (x0 − 1, y0 + 3)``
    is never in B_1; optionally one alternative below the diagonal."""
    cs = sorted(draw(st.lists(st.sampled_from([F(k, 10) for k in range(1, 9)]), min_size=2, max_size=3, unique=True)))
    hs = [F(draw(st.integers(1, 2))) for _ in cs]
    x0 = F(draw(st.integers(8, 12)))
    drop = sum((h * (1 - c) for c, h in zip(cs, hs)), F(0))
    y0 = x0 + drop + F(draw(st.integers(1, 3)))
    pairs = {"f": (x0, y0), "e": (x0 - 1, y0 + 3)}
    x, y = x0, y0
    for k, (c, h) in enumerate(zip(cs, hs)):
        x, y = x - c * h, y - h
        pairs[f"p{k + 1}"] = (x, y)
    if draw(st.booleans()):
        gx = F(draw(st.integers(1, 4)))
        pairs["g"] = (gx, gx - F(draw(st.integers(0, 2))))
    if draw(st.booleans()):
        types = {"t2": {a: p[1] for a, p in pairs.items()}, "t1": {a: p[0] for a, p in pairs.items()}}
    else:
        types = {"t1": {a: p[0] for a, p in pairs.items()}, "t2": {a: p[1] for a, p in pairs.items()}}
    return Environment.from_dict(types)
