"""The optimal face's small LPs (``structured._FaceLP``, PIS Sec. 3's LP restricted to the optimal
face ``x* + D w``) are decided by the float hint and its exact check even when the face has rows
with bounds near 1e-14 beside coefficients near 1e13 (issue 17's benchmark: the tie face at a
kink of a (40, 16) sweep line).  Before presolve was turned off for these models, 23 of their 25
LPs failed the exact check there and ran the generic exact simplex (2.6 s instead of 0.14 s)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

import exactscreen.mechanisms.structured as structured
from exactscreen.environment import Environment, Market
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.mechanisms.sweep import line_market

# the third revenue kink of bench.sweep's line random#0 at (40, 16), seed 1 (line_ends(40, 16, "random", 1, 0))
KINK = F(107413930594801, 7623519733580609)


@pytest.fixture(scope="module")
def tie_market() -> Market:
    bench_sweep = pytest.importorskip("bench.sweep")
    env, f0, f1 = bench_sweep.line_ends(40, 16, "random", 1, 0)
    assert isinstance(env, Environment)
    return line_market(f0, f1, KINK)


def test_the_tie_face_with_tiny_row_bounds_needs_no_generic_exact_solve(tie_market):
    om = optimal_mechanism(tie_market.environment, tie_market, binding=False)
    assert om.verified
    assert not om.face.unique  # a tie face: its ranges and selection take LPs on the face
    assert om.stats.lps > 10
    assert om.stats.paths == ()  # every face LP decided by the hint's exact vertex and dual check


def _same(a, b) -> None:
    assert a.revenue == b.revenue
    assert a.mechanism == b.mechanism
    assert a.face.payment == b.face.payment
    assert a.face.surplus == b.face.surplus
    assert a.face.allocation == b.face.allocation


def test_the_active_set_and_the_generic_exact_routes_give_the_same_face_and_selection(tie_market, monkeypatch):
    env = tie_market.environment
    hinted = optimal_mechanism(env, tie_market, binding=False)
    # the hint refused everywhere: every face LP goes to the exact active-set method
    monkeypatch.setattr(structured._FaceLP, "maximize", lambda self, g: None)
    active = optimal_mechanism(env, tie_market, binding=False)
    assert active.stats.paths == ()  # no generic solve: the active-set method decided every face LP
    _same(hinted, active)
    # and without it: every face LP goes to lp.exact.solve_lp (the standard-form exact simplex)
    monkeypatch.setattr(structured._FaceLP, "exact_maximize", lambda self, g, start, max_iter=None: None)
    generic = optimal_mechanism(env, tie_market, binding=False)
    assert dict(generic.stats.paths)  # the route really changed
    _same(hinted, generic)


def test_the_active_set_method_finds_the_optimum_from_an_interior_point_and_refuses_an_infeasible_start():
    """max w1 + w2 over the square [0, 1]^2 cut by w1 + w2 <= 3/2: optimum 3/2 on an edge, from
    the interior point (1/4, 1/4) and from a vertex; an infeasible start gives None (fallback)."""
    G = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 1)]
    h = [F(1), F(1), F(0), F(0), F(3, 2)]
    lp = structured._FaceLP(G, h)
    for start in ((F(1, 4), F(1, 4)), (F(0), F(0)), (F(1), F(0))):
        value, w = lp.exact_maximize((1, 1), start)
        assert value == F(3, 2) and w[0] + w[1] == F(3, 2) and all(0 <= x <= 1 for x in w)
    value, w = lp.exact_maximize((2, 1), (F(1, 4), F(1, 4)))
    assert (value, w) == (F(5, 2), (F(1), F(1, 2)))  # the unique vertex optimum
    assert lp.exact_maximize((1, 1), (F(2), F(0))) is None
    lp.add_equality((1, -1), F(0))  # w1 = w2: the start must satisfy it
    assert lp.exact_maximize((1, 0), (F(0), F(0))) == (F(3, 4), (F(3, 4), F(3, 4)))
    assert lp.exact_maximize((1, 0), (F(1, 2), F(0))) is None


def _reference_active_set(G, h, eq, g, start, max_iter):
    """The active-set method of ``_FaceLP.exact_maximize`` written row by row in Python Fractions
    (its form until session 9): the flint-matrix version must take the same steps and return
    the same point."""
    m, dim = len(G), len(G[0])
    rows = list(G) + [r for r, _ in eq]
    rhs = list(h) + [e for _, e in eq]
    dot = lambda r, x: sum((F(a) * b for a, b in zip(r, x)), F(0))  # noqa: E731
    g = [F(v) for v in g]
    w = [F(v) for v in start]
    act = [dot(r, w) for r in rows]
    if any(act[i] > rhs[i] for i in range(m)) or any(act[i] != rhs[i] for i in range(m, len(rows))):
        return None
    W: list[int] = []

    def rank(idx):
        from flint import fmpq_mat
        return fmpq_mat([list(rows[i]) for i in idx]).rank() if idx else 0

    for i in list(range(m, len(rows))) + [i for i in range(m) if act[i] == rhs[i]]:
        if len(W) == dim:
            break
        if rank(W + [i]) == len(W) + 1:
            W.append(i)
    from flint import fmpq, fmpq_mat
    for _ in range(max_iter):
        if W:
            M = fmpq_mat([list(rows[i]) for i in W])
            gq = fmpq_mat(dim, 1, [fmpq(v.numerator, v.denominator) for v in g])
            lam = (M * M.transpose()).solve(M * gq)
            dq = gq - M.transpose() * lam
            d = [F(int(dq[b, 0].p), int(dq[b, 0].q)) for b in range(dim)]
            mult = [F(int(lam[a, 0].p), int(lam[a, 0].q)) for a in range(len(W))]
        else:
            d, mult = list(g), []
        if not any(d):
            neg = [(v, W[a]) for a, v in enumerate(mult) if W[a] < m and v < 0]
            if not neg:
                return dot(g, w), tuple(w)
            W.remove(min(neg)[1])
            continue
        best = None
        for i in range(m):
            if i in W:
                continue
            ad = dot(rows[i], d)
            if ad > 0:
                t = (rhs[i] - act[i]) / ad
                if best is None or t < best[0]:
                    best = (t, i)
        t, i = best
        if t:
            w = [x + t * y for x, y in zip(w, d)]
            act = [dot(r, w) for r in rows]
        W.append(i)
    return None


def test_the_active_set_method_in_flint_matrices_takes_the_row_by_row_steps():
    """Random bounded polytopes in 2..5 coordinates (a box plus random integer cuts, some through
    the start, so degenerate vertices and ties in the ratio test occur), objectives parallel to
    a row or with zeros (many optima: the point returned depends on every step), equalities: ``exact_maximize`` (python-flint matrices) returns exactly the point and value of
    the Fraction reference, and the rows it reports tight are those tight there."""
    import random

    rng = random.Random(17)
    checked = degenerate = 0
    for case in range(400):
        dim = rng.randint(2, 5)
        G = [tuple(int(a == b) for a in range(dim)) for b in range(dim)]
        G += [tuple(-int(a == b) for a in range(dim)) for b in range(dim)]
        h = [F(rng.randint(1, 4)) for _ in range(dim)] + [F(rng.randint(0, 3)) for _ in range(dim)]
        for _ in range(rng.randint(1, 6)):
            G.append(tuple(rng.randint(-3, 3) for _ in range(dim)))
            h.append(F(rng.randint(0, 6), rng.randint(1, 3)))
        G = [r for r in G if any(r)]
        h = h[:len(G)]
        lp = structured._FaceLP(G, h[:len(G)])
        start = tuple(F(0) for _ in range(dim))
        if any(sum(F(a) * b for a, b in zip(r, start)) > hv for r, hv in zip(G, h)):
            continue
        eq = []
        if rng.random() < 0.3:  # an equality through the start
            r = tuple(rng.randint(-2, 2) for _ in range(dim))
            if any(r):
                lp.add_equality(r, F(0))
                eq = list(lp.eq)
        # objectives parallel to a row or with zeros: optimal sets that are faces, where the
        # point returned depends on the path taken (the ratio test's ties, the leaving row)
        g = G[rng.randrange(len(G))] if rng.random() < 0.4 else tuple(rng.randint(-1, 1) for _ in range(dim))
        want = _reference_active_set(G, h, eq, g, start, 4 * (len(G) + dim))
        got = lp.exact_maximize(g, start)
        assert got == want, case
        if got is not None:
            checked += 1
            tight = [a for a, (r, hv) in enumerate(zip(G, h)) if sum(F(x) * y for x, y in zip(r, got[1])) == hv]
            assert lp.tight == tight
            degenerate += len(tight) > dim
    assert checked >= 60 and degenerate >= 5  # reach: most cases solved, degenerate optima among them
