"""Paper 000, Lemma 1 (Sec. 4.2.1, Fig. 4a): the payment polytope and the deterministic menus,
re-derived by code that shares nothing with the engine (issue 13, item 1; docs/mutation.md,
"Named survivor kinds").

The engine computes ``P = {p : (x, p) is IC-IR for some x}`` with
:func:`~exactscreen.mechanisms.optimum.payment_polytope` (support-function LPs over the rows of
:func:`~exactscreen.mechanisms.optimum.mechanism_lp`) and the best deterministic menu with
:func:`~exactscreen.mechanisms.optimum.optimal_deterministic` (Bellman-Ford on the IC graph).
The check in ``test_pis_sec4.py`` compares the hull with a support LP built from the *same*
``mechanism_lp``, so a relaxed or dropped IC row changes both sides alike and passes there.

Here the IC-IR system of Sec. 3 is written out again from the environment's gross ``values`` and
``costs`` (own column layout, own rows), and every object is certified:

* each vertex of ``P`` is implementable: a witness lottery found by an LP over *these* rows with
  the payments fixed, re-checked by
  :func:`~exactscreen.mechanisms.selected_check.check_selected_mechanism` (integer arithmetic,
  no engine import);
* each facet ``a.p <= b`` (and each equation) of ``P`` is valid on the true ``P`` and tight: the
  maximum of ``a.p`` over these rows equals ``b``, certified by the LP's dual multipliers checked
  here in exact arithmetic (weak duality) and the primal point checked by ``selected_check``;
  the same for the coordinate directions and a random direction;
* every deterministic assignment's largest IC-IR payments are recomputed by a brute force over
  all assignments written here (shortest paths by repeated relaxation); the engine's best
  deterministic revenue and its set of revenue-maximizing menus must equal the brute force's,
  each of those payment rules must lie in ``P`` (deterministic menus are points of ``P``), and
  the best deterministic revenue cannot exceed ``max_v f.v`` over the vertices of ``P``.
"""

from __future__ import annotations

import itertools
from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import Environment, Market
from exactscreen.lp.exact import LinearProgram, solve_lp
from exactscreen.mechanisms.optimum import optimal_deterministic, payment_polytope
from exactscreen.mechanisms.selected_check import check_selected_mechanism
from exactscreen.strategies import markets

from .pis_common import FILTERING, paper_environments, sec311

ZERO = F(0)


# ------------------------------------------------------------------ the IC-IR system, rewritten
def _net(env) -> list[list[F]]:
    """Net values ``v(t, a) - c(a)`` (fn 5) from the raw table; the outside option is worth 0."""
    return [[F(v) - F(c) for v, c in zip(row, env.costs)] for row in env.values]


class _System:
    """The IC-IR constraints of Sec. 3 in this module's own layout: columns ``x(t, a)`` for all
    types first (``a = k`` the outside option), then ``p(t)``; rows: one probability equation per
    type; ``IR(t)``: ``p(t) - v(t, x(t)) <= 0``; ``IC(t->s)``:
    ``p(t) - p(s) - v(t, x(t)) + v(t, x(s)) <= 0``."""

    def __init__(self, env) -> None:
        self.env = env
        self.n, self.k = env.n, env.k
        self.net = _net(env)
        n, k = self.n, self.k
        self.nvar = n * (k + 1) + n
        eq, ub = [], []
        for t in range(n):
            eq.append({self.x(t, a): F(1) for a in range(k + 1)})
        for t in range(n):
            row = {self.p(t): F(1)}
            for a in range(k):
                if self.net[t][a]:
                    row[self.x(t, a)] = -self.net[t][a]
            ub.append(row)
            for s in range(n):
                if s == t:
                    continue
                row = {self.p(t): F(1), self.p(s): F(-1)}
                for a in range(k):
                    if self.net[t][a]:
                        row[self.x(t, a)] = -self.net[t][a]
                        row[self.x(s, a)] = self.net[t][a]
                ub.append(row)
        self.eq, self.ub = eq, ub

    def x(self, t: int, a: int) -> int:
        return t * (self.k + 1) + a

    def p(self, t: int) -> int:
        return self.n * (self.k + 1) + t

    def lp(self, c: list[F], fix_payments=None) -> LinearProgram:
        eq, beq = list(self.eq), [F(1)] * self.n
        if fix_payments is not None:
            for t, v in enumerate(fix_payments):
                eq.append({self.p(t): F(1)})
                beq.append(F(v))
        return LinearProgram(
            tuple(c), tuple(tuple(sorted(r.items())) for r in eq), tuple(beq),
            tuple(tuple(sorted(r.items())) for r in self.ub), tuple([ZERO] * len(self.ub)),
        )

    def mechanism(self, xs) -> tuple[list[list[F]], list[F]]:
        alloc = [[xs[self.x(t, a)] for a in range(self.k + 1)] for t in range(self.n)]
        return alloc, [xs[self.p(t)] for t in range(self.n)]

    def witness(self, payments) -> tuple[bool, list[list[F]] | None]:
        """An IC-IR mechanism paying ``payments``, re-checked by ``selected_check``."""
        from exactscreen.exceptions import Infeasible

        try:
            res = solve_lp(self.lp([ZERO] * self.nvar, fix_payments=payments))
        except Infeasible:
            return False, None
        alloc, pay = self.mechanism(res.x)
        u = Market.uniform(self.env)
        rev = sum((w * q for w, q in zip(u.weights, pay)), ZERO)
        ok = check_selected_mechanism(self.env, u, alloc, pay, rev).ok and list(pay) == [F(v) for v in payments]
        return ok, alloc

    def support(self, d) -> F:
        """``max d.p`` over the IC-IR mechanisms, certified here: the primal point is IC-IR by
        ``selected_check`` and the dual multipliers satisfy weak duality in exact arithmetic."""
        c = [ZERO] * self.nvar
        for t, w in enumerate(d):
            c[self.p(t)] = F(w)
        res = solve_lp(self.lp(c))
        alloc, pay = self.mechanism(res.x)
        u = Market.uniform(self.env)
        rev = sum((w * q for w, q in zip(u.weights, pay)), ZERO)
        assert check_selected_mechanism(self.env, u, alloc, pay, rev).ok, "support LP: primal point not IC-IR"
        value = sum((F(w) * q for w, q in zip(d, pay)), ZERO)
        y_eq, y_ub = list(res.y_eq), list(res.y_ub)
        assert len(y_eq) == self.n and len(y_ub) == len(self.ub)
        assert all(y >= 0 for y in y_ub), "support LP: a negative multiplier of an inequality"
        col = [ZERO] * self.nvar
        for y, row in zip(y_eq, self.eq):
            for j, a in row.items():
                col[j] += y * a
        for y, row in zip(y_ub, self.ub):
            for j, a in row.items():
                col[j] += y * a
        assert all(cj >= oj for cj, oj in zip(col, c)), "support LP: dual multipliers infeasible"
        assert sum(y_eq, ZERO) == value, "support LP: dual bound differs from the primal value"
        return value


def _deterministic_brute_force(env, market) -> tuple[F, set, int]:
    """Best deterministic menu by enumeration of every assignment (written here): the largest
    IC-IR payments of an assignment are the shortest-path distances to the outside option in
    the IC graph (``n`` rounds of relaxation; a change in round ``n + 1`` is a negative cycle,
    i.e. not implementable); a negative largest payment means no ``p >= 0`` exists.  Returns the
    best revenue, the revenue-maximizing ``(assignment, payments)`` and the number of
    implementable assignments."""
    net = _net(env)
    n, k = env.n, env.k

    def v(t, a):
        return ZERO if a == k else net[t][a]

    best, winners, feasible = None, set(), 0
    for assign in itertools.product(range(k + 1), repeat=n):
        d = [v(t, assign[t]) for t in range(n)]
        stable = False
        for _ in range(n + 1):
            new = [min([d[t]] + [d[s] + v(t, assign[t]) - v(t, assign[s]) for s in range(n) if s != t])
                   for t in range(n)]
            if new == d:
                stable = True
                break
            d = new
        if not stable or min(d) < 0:
            continue
        feasible += 1
        rev = sum((f * q for f, q in zip(market.weights, d)), ZERO)
        if best is None or rev > best:
            best, winners = rev, {(assign, tuple(d))}
        elif rev == best:
            winners.add((assign, tuple(d)))
    return best, winners, feasible


def _certify_polytope(evidence, env, extra_directions=()) -> tuple:
    """Certify ``payment_polytope(env)`` against the rewritten system (module docstring)."""
    poly = payment_polytope(env)
    system = _System(env)
    for v in poly.vertices:
        ok, _ = system.witness(v)
        assert ok, f"vertex {tuple(map(str, v))} of P has no IC-IR mechanism (independent system)"
    for a, b in poly.facets:
        assert system.support(a) == b, f"facet {tuple(map(str, a))}.p <= {b} is not valid and tight on P"
    for a, b in poly.equations:
        assert system.support(a) == b and system.support([-w for w in a]) == -b, \
            f"equation {tuple(map(str, a))}.p = {b} does not hold on P"
    dirs = [tuple(F(int(i == t)) for i in range(env.n)) for t in range(env.n)] + [tuple(F(w) for w in d) for d in extra_directions]
    for d in dirs:
        top = max(sum((w * q for w, q in zip(d, v)), ZERO) for v in poly.vertices)
        assert system.support(d) == top, f"support of P in direction {tuple(map(str, d))}"
    return poly, system


def _in_polytope(poly, p) -> bool:
    return all(sum((a * q for a, q in zip(row, p)), ZERO) <= b for row, b in poly.facets) and all(
        sum((a * q for a, q in zip(row, p)), ZERO) == b for row, b in poly.equations)


def _the_checker_can_fail(env, system) -> None:
    """Negative controls for :func:`check_selected_mechanism`, on which every witness above rests:
    it accepts a witness of the vertex (1, 1) of Fig. 4a and rejects each of six broken copies,
    naming the broken condition (a lottery not summing to 1, a negative probability, a negative
    payment, IR, IC, the revenue)."""
    ok, alloc = system.witness((F(1), F(1)))
    assert ok
    pay = [F(1), F(1)]
    u = Market.uniform(env)

    def verdict(al, pa, rev=None):
        rev = sum((w * q for w, q in zip(u.weights, pa)), ZERO) if rev is None else rev
        return check_selected_mechanism(env, u, al, pa, rev)

    assert verdict(alloc, pay).ok
    k = env.k
    broken_sum = [list(r) for r in alloc]
    broken_sum[0][k] += F(1, 2)
    negative = [list(r) for r in alloc]
    negative[0] = [F(-1)] + [F(0)] * (k - 1) + [F(2)]
    net = _net(env)
    best = [max(range(k), key=lambda a: net[t][a]) for t in range(env.n)]
    full = [[F(int(a == best[t])) for a in range(k + 1)] for t in range(env.n)]  # efficient, full price
    cases = [
        ("prob(", broken_sum, pay, None),
        ("< 0", negative, pay, None),
        ("p(", alloc, [F(-1), F(1)], None),
        ("IR(", alloc, [F(1) + max(net[0]) + 1, F(1)], None),
        ("IC(", full, [net[t][best[t]] for t in range(env.n)], None),
        ("revenue", alloc, pay, F(1) + 1),
    ]
    for what, al, pa, rev in cases:
        chk = verdict(al, pa, rev)
        assert not chk.ok and any(what in f for f in chk.failures), (what, chk.failures)


# ------------------------------------------------------------------ Lemma 1
@claim("PIS-LEM1")
def test_payment_polytope_of_sec311_certified_by_an_independent_system(evidence):
    """Fig. 4a's environment (Sec. 3.1.1): every vertex of the computed P has an IC-IR witness and
    every facet is valid and tight, both certified from a separately written IC-IR system; the
    paper's three vertices (1,1), (3/4,7/4), (0,2) are among them; and the independent IC-IR
    checker rejects six broken mechanisms (it can fail)."""
    env = sec311()
    poly, system = _certify_polytope(evidence, env, extra_directions=[(1, 1), (1, 3), (3, 1), (-1, 1)])
    found = set(poly.vertices)
    assert {(F(1), F(1)), (F(3, 4), F(7, 4)), (F(0), F(2))} <= found
    _the_checker_can_fail(env, system)
    evidence.note(f"Sec. 3.1.1: {len(poly.vertices)} vertices, {len(poly.facets)} facets of P certified "
                  "(witness mechanisms by selected_check; facets by exact dual multipliers)")


@claim("PIS-LEM1")
@FILTERING
@given(paper_environments(min_types=2, max_types=3), st.data())
def test_payment_polytope_and_deterministic_menus_against_an_independent_system(evidence, env, data):
    """Lemma 1: P = conv(P_V) with finitely many vertices.  The engine's P (payment_polytope) is
    certified against the IC-IR system of Sec. 3 written here (module docstring): vertices
    implementable, facets and equations valid and tight, support function equal in the coordinate
    directions and a random one.  The engine's best deterministic menus (optimal_deterministic)
    must equal a brute force over all assignments written here, lie in P, and earn at most the
    best vertex of P.  In about half the examples the last type values nothing (net value 0), so
    P has the equation p(t_n) = 0, certified in both directions.  Hard case: three types and a vertex of P at which two or more types pay
    (the IC rows between paying types shape P there; the two-type check in test_pis_sec4.py and
    Fig. 4a cannot see an IC row that matters only with three types); second hard case: P lies
    in a hyperplane (the engine's equation branch of the affine-hull search)."""
    if env.n >= 2 and data.draw(st.booleans(), label="a type that values nothing"):
        # the last type's values equal the costs (net value 0 everywhere): IR forces p(t_n) = 0,
        # so P lies in the hyperplane p(t_n) = 0, an *equation* of P (certified below).  Outside
        # the standing assumption of Sec. 3, which Lemma 1 does not use.
        env = Environment(env.types, env.alternatives, env.values[:-1] + (tuple(env.costs),), env.costs)
    d = data.draw(st.lists(st.integers(-3, 3), min_size=env.n, max_size=env.n), label="direction")
    market = data.draw(markets(env), label="market")
    poly, _ = _certify_polytope(evidence, env, extra_directions=[d])
    best, winners, feasible = _deterministic_brute_force(env, market)
    det = optimal_deterministic(env, market)
    names = (*env.alternatives, "0")
    engine = {(tuple(names.index(a) for a in assign), tuple(pay)) for assign, pay in det.optimal}
    assert det.revenue == best, f"best deterministic revenue: engine {det.revenue}, brute force {best}"
    assert engine == winners, "the revenue-maximizing deterministic menus differ from the brute force"
    assert (det.assignments_tried, det.implementable) == ((env.k + 1) ** env.n, feasible)
    assert det.selected_check is not None and det.selected_check.ok
    for _, pay in winners:
        assert _in_polytope(poly, pay), f"deterministic payment rule {tuple(map(str, pay))} lies outside P"
    top = max(sum((f * q for f, q in zip(market.weights, v)), ZERO) for v in poly.vertices)
    assert best <= top
    evidence.reach("three types and a vertex of P where 2+ types pay",
                   env.n >= 3 and any(sum(1 for q in v if q > 0) >= 2 for v in poly.vertices))
    evidence.reach("P lies in a hyperplane (an equation of P certified)", bool(poly.equations))
    evidence.instances(1)
