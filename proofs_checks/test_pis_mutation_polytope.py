"""Paper 000, Sec. 3 and Lemma 1 (Sec. 4.2.1, Fig. 4a): the payment polytope ``P`` is exactly the
polytope its facets describe, the mechanism LP is the IC-IR system of Sec. 3, and the
deterministic enumeration covers every assignment (issue 13, item 4; docs/mutation.md,
"Scores (branch mut5)").

``test_pis_independent.py`` certifies that every listed vertex of ``P`` lies in ``P`` and that
every listed facet is valid and tight; it does not certify that the list of vertices is
*complete* and that every listed point is a *vertex* (a non-extreme point of ``P`` in the list,
or a missing vertex that no tested direction singles out, passes there).  Here, with the facets
certified as there, the polytope ``Q = {p : a.p <= b for every facet, the equations, and
0 <= p(t) <= max(0, max_a v(t, a) - c(a))}`` (the box is valid for ``P``: ``p >= 0`` is a
constraint of Sec. 3's LP and ``p(t) <= v(t, x(t)) <= max_a`` by IR) contains ``P``; its
vertices are enumerated here by brute force over every ``n`` rows (exact elimination written
here).  If every vertex of ``Q`` is a listed vertex (each certified in ``P`` by a witness
mechanism) then ``Q = conv(vertices) <= P <= Q``, so ``P = Q`` and the vertices of ``P`` are
exactly those of ``Q``: the listed vertices must be exactly the vertices of ``Q``.

The LP of :func:`~exactscreen.mechanisms.optimum.mechanism_lp` is compared, row by row and
column by name, with the IC-IR system of Sec. 3 written from the raw values and costs; a market
built on an equal copy of the environment gets the same LP, one of another environment is
refused.  :func:`~exactscreen.mechanisms.optimum.optimal_deterministic` with
``max_assignments = (k+1)^n`` (exactly the assignments there are) answers as the brute force of
``test_pis_independent.py``; one fewer is refused.
"""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import Environment, Market, load_toml
from exactscreen.exceptions import InputError
from exactscreen.mechanisms.optimum import mechanism_lp, optimal_deterministic, payment_polytope

from .pis_common import EXAMPLES, FILTERING, paper_environments, q_market, sec311
from .test_pis_independent import _certify_polytope, _deterministic_brute_force, _net

ZERO = F(0)


# ------------------------------------------------------------------ exact elimination (own)
def _solve_square(rows: list[list[F]], rhs: list[F]) -> list[F] | None:
    """The unique solution of the square system ``rows . p = rhs``, or None when it is singular."""
    n = len(rows)
    m = [list(r) + [b] for r, b in zip(rows, rhs)]
    for c in range(n):
        piv = next((r for r in range(c, n) if m[r][c] != 0), None)
        if piv is None:
            return None
        m[c], m[piv] = m[piv], m[c]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [a - f * b for a, b in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def _rank(rows: list[list[F]]) -> int:
    m = [list(r) for r in rows]
    rank, cols = 0, len(m[0]) if m else 0
    for c in range(cols):
        piv = next((r for r in range(rank, len(m)) if m[r][c] != 0), None)
        if piv is None:
            continue
        m[rank], m[piv] = m[piv], m[rank]
        for r in range(len(m)):
            if r != rank and m[r][c] != 0:
                f = m[r][c] / m[rank][c]
                m[r] = [a - f * b for a, b in zip(m[r], m[rank])]
        rank += 1
    return rank


def _dot(a, p) -> F:
    return sum((F(x) * y for x, y in zip(a, p)), ZERO)


def _rows_of_q(env, poly) -> list[tuple[list[F], F]]:
    """The inequalities ``a.p <= b`` of Q (module docstring): facets, equations both ways, box."""
    n = env.n
    rows = [(list(a), F(b)) for a, b in poly.facets]
    for a, b in poly.equations:
        rows += [(list(a), F(b)), ([-F(x) for x in a], -F(b))]
    net = _net(env)
    for t in range(n):
        e = [F(int(i == t)) for i in range(n)]
        rows += [([-x for x in e], ZERO), (e, max([ZERO, *net[t]]))]
    return rows


def _vertices_of_q(rows, n: int) -> set[tuple[F, ...]]:
    """Every vertex of ``{p : a.p <= b for (a, b) in rows}``: the feasible unique solutions of
    ``n`` of its rows set to equality (brute force over all ``n``-subsets)."""
    out = set()
    for combo in itertools.combinations(range(len(rows)), n):
        p = _solve_square([rows[i][0] for i in combo], [rows[i][1] for i in combo])
        if p is not None and all(_dot(a, p) <= b for a, b in rows):
            out.add(tuple(p))
    return out


def _certify_complete(evidence, env, extra_directions=()) -> tuple:
    """``payment_polytope(env)`` certified as in ``test_pis_independent.py`` and, in addition,
    complete: its vertices are exactly those of Q, so P = Q (module docstring)."""
    poly, system = _certify_polytope(evidence, env, extra_directions)
    assert poly.environment == env, "the polytope names another environment than the one it was computed for"
    rows = _rows_of_q(env, poly)
    listed = set(poly.vertices)
    assert len(listed) == len(poly.vertices), "a vertex is listed twice"
    q_vertices = _vertices_of_q(rows, env.n)
    missing = q_vertices - listed
    assert not missing, f"vertices of the facets' polytope not listed as vertices of P: {sorted(missing)}"
    for v in poly.vertices:
        tight = [a for a, b in rows if _dot(a, v) == b]
        assert _rank(tight) == env.n, f"listed vertex {tuple(map(str, v))} is not a vertex of P (tight rows of rank < n)"
    assert listed == q_vertices
    # dimension: n minus the rank of the equations, and the affine rank of the vertices
    eq_rank = _rank([list(a) for a, _ in poly.equations]) if poly.equations else 0
    assert poly.dimension == env.n - eq_rank, f"dimension {poly.dimension}, equations of rank {eq_rank}"
    v0 = poly.vertices[0]
    diffs = [[a - b for a, b in zip(v, v0)] for v in poly.vertices[1:]]
    assert (_rank(diffs) if diffs else 0) == poly.dimension, "the vertices do not span the stated dimension"
    return poly, system


def _not_singled_out(poly, n: int) -> int:
    """Vertices that no coordinate direction +-e_t makes the unique maximizer among the vertices:
    the support-function comparisons in ``test_pis_independent.py`` cannot tell whether such a
    vertex is missing."""
    count = 0
    for v in poly.vertices:
        alone = False
        for t in range(n):
            for s in (1, -1):
                best = max(s * w[t] for w in poly.vertices)
                if s * v[t] == best and sum(1 for w in poly.vertices if s * w[t] == best) == 1:
                    alone = True
        count += not alone
    return count


# ------------------------------------------------------------------ Lemma 1: P complete
@claim("PIS-LEM1")
def test_payment_polytope_of_fig4a_is_exactly_its_facets_polytope(evidence):
    """Fig. 4a (Sec. 3.1.1) and fn 25's three-type environment: the listed vertices of P are
    exactly the vertices of the polytope cut out by the certified facets, the box and the
    equations (so none is missing and none is a non-extreme point): for Fig. 4a the origin and
    five others, among them the paper's (1,1), (3/4,7/4), (0,2)."""
    env = sec311()
    poly, _ = _certify_complete(evidence, env, extra_directions=[(1, 1), (1, 3), (3, 1)])
    # the paper states three vertices besides the origin; P has five (test_pis_sec4.py qualifies that)
    assert sorted(poly.vertices) == sorted([(F(0), F(0)), (F(0), F(2)), (F(1, 2), F(0)), (F(3, 4), F(1, 4)),
                                            (F(3, 4), F(7, 4)), (F(1), F(1))])
    env25, _ = load_toml(EXAMPLES / "pis_fn25.toml")
    poly25, _ = _certify_complete(evidence, env25, extra_directions=[(1, 1, 1)])
    assert poly25.dimension == 3
    evidence.note(f"fn 25: {len(poly25.vertices)} vertices of P, {_not_singled_out(poly25, 3)} of them not "
                  "the unique maximizer of a coordinate direction; all certified complete")


@claim("PIS-LEM1")
@FILTERING
@given(paper_environments(min_types=2, max_types=3), st.data())
def test_payment_polytope_lists_exactly_the_vertices_of_p(evidence, env, data):
    """Lemma 1: P = conv(P_V).  On generated environments the engine's vertex list is certified
    complete and extreme (module docstring); in about half the examples the last type values
    nothing, so P lies in the hyperplane p(t_n) = 0.  Hard case: a vertex of P that no
    coordinate direction singles out (a missing one would pass the support-function checks)."""
    if data.draw(st.booleans(), label="a type that values nothing"):
        env = Environment(env.types, env.alternatives, env.values[:-1] + (tuple(env.costs),), env.costs)
    poly, _ = _certify_complete(evidence, env)
    evidence.reach("a vertex of P that no coordinate direction singles out", _not_singled_out(poly, env.n) > 0)
    evidence.reach("P lies in a hyperplane (an equation of P)", bool(poly.equations))
    evidence.instances(1)


# ------------------------------------------------------------------ Sec. 3: the LP itself
def _expected_rows(env, weights) -> tuple[dict, dict, dict]:
    """Sec. 3's LP by column *name*, from the raw values and costs: objective, equality rows
    ``prob(t)``, inequality rows ``IR(t)`` and ``IC(t->s)`` (all with right-hand side 0)."""
    net = _net(env)
    alts = list(env.alternatives)
    obj = {f"p({t})": F(w) for t, w in zip(env.types, weights) if w}
    eq = {f"prob({t})": {**{f"x({t},{a})": F(1) for a in alts}, f"x({t},0)": F(1)} for t in env.types}
    ub = {}
    for i, t in enumerate(env.types):
        own = {f"x({t},{a})": -net[i][j] for j, a in enumerate(alts) if net[i][j]}
        ub[f"IR({t})"] = {**own, f"p({t})": F(1)}
        for s, t2 in enumerate(env.types):
            if s == i:
                continue
            row = dict(own)
            row[f"p({t})"] = F(1)
            row[f"p({t2})"] = F(-1)
            for j, a in enumerate(alts):
                if net[i][j]:
                    row[f"x({t2},{a})"] = row.get(f"x({t2},{a})", ZERO) + net[i][j]
            ub[f"IC({t}->{t2})"] = {c: v for c, v in row.items() if v}
    return obj, eq, ub


def _named(lp) -> tuple[dict, dict, dict]:
    names = lp.var_names
    obj = {names[j]: v for j, v in enumerate(lp.c) if v}
    eq, ub = {}, {}
    for rows, rhs, rnames, out in ((lp.A_eq, lp.b_eq, lp.eq_names, eq), (lp.A_ub, lp.b_ub, lp.ub_names, ub)):
        assert len(rows) == len(rhs) == len(rnames) == len(set(rnames))
        for row, b, name in zip(rows, rhs, rnames):
            d: dict[str, F] = {}
            for j, v in row:
                d[names[j]] = d.get(names[j], ZERO) + v
            out[name] = ({c: v for c, v in d.items() if v}, b)
    return obj, eq, ub


@claim("PIS-LEM1")
def test_mechanism_lp_is_the_ic_ir_system_of_sec3(evidence):
    """The engine's LP (mechanism_lp, on which P, the optimum and the face rest) equals Sec. 3's
    IC-IR LP written here from the raw values, for Sec. 3.1.1 at q = 3/4, fn 25 and fn 28's
    environment; a market built on an equal copy of the environment gets the same LP; a market
    of another environment is refused (InputError naming the market)."""
    cases = [(sec311(), q_market(sec311(), F(3, 4)))]
    for name in ("pis_fn25.toml", "pis_fn28.toml"):
        cases.append(load_toml(EXAMPLES / name))
    for env, market in cases:
        copy = dataclasses.replace(env)  # equal, not the same object
        assert copy == env and copy is not env
        for m in (market, Market(copy, tuple(market.weights))):
            lp = mechanism_lp(env, m)
            obj, eq, ub = _named(lp)
            e_obj, e_eq, e_ub = _expected_rows(env, market.weights)
            assert obj == e_obj, (obj, e_obj)
            assert eq == {k: (v, F(1)) for k, v in e_eq.items()}
            assert ub == {k: (v, ZERO) for k, v in e_ub.items()}, sorted(set(ub) ^ set(e_ub))
            assert len(lp.var_names) == env.n * (env.k + 2) == len(set(lp.var_names))
        values = [list(r) for r in env.values]
        values[0][0] = F(values[0][0]) + 1
        other = dataclasses.replace(env, values=tuple(tuple(r) for r in values))
        with pytest.raises(InputError, match="market"):
            mechanism_lp(env, Market(other, tuple(market.weights)))
    evidence.note(f"{len(cases)} environments: objective, {sum(e.n for e, _ in cases)} probability rows and every IR/IC row "
                  "equal to Sec. 3's, by column name")


@claim("PIS-LEM1")
def test_deterministic_enumeration_covers_exactly_every_assignment(evidence):
    """optimal_deterministic enumerates the (k+1)^n assignments: with max_assignments = (k+1)^n it
    answers, and equals the brute force of test_pis_independent.py (best revenue, every
    revenue-maximizing menu, implementable count); with (k+1)^n - 1 it refuses (InputError).
    Sec. 3.1.1 at q = 3/4 and 1/2, fn 25, fn 28."""
    cases = [(sec311(), q_market(sec311(), F(3, 4))), (sec311(), q_market(sec311(), F(1, 2)))]
    for name in ("pis_fn25.toml", "pis_fn28.toml"):
        cases.append(load_toml(EXAMPLES / name))
    for env, market in cases:
        total = (env.k + 1) ** env.n
        det = optimal_deterministic(env, market, max_assignments=total)
        best, winners, feasible = _deterministic_brute_force(env, market)
        names = (*env.alternatives, "0")
        engine = {(tuple(names.index(a) for a in assign), tuple(pay)) for assign, pay in det.optimal}
        assert (det.revenue, engine, det.assignments_tried, det.implementable) == (best, winners, total, feasible)
        with pytest.raises(InputError, match="max_assignments"):
            optimal_deterministic(env, market, max_assignments=total - 1)
    evidence.note(f"{len(cases)} instances: the enumeration's bound is exactly (k+1)^n")
