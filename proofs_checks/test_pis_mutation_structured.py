"""Paper 000, Sec. 3 (the optimal mechanism of a market, Lemma 1's LP) and Sec. 4.2 (the optimal
face at markets on Lemma 3's hyperplanes): the structured engine's alternative routes must give
the answers of its default route and of an LP written in the checks (issue 13, item 4; docs/mutation.md,
"structured").

Every PIS verdict rests on ``exactscreen.mechanisms.structured``: the certified optimum
(``solve_mechanism``) and the optimal face (``StructuredFace``: ranges, binding sets, the
selected mechanism).  Its answers are exact, but it reaches them by several routes that the
paper's small instances never take:

* **Without the float hint.**  HiGHS only suggests; when its answer is not optimal, or its
  vertex fails the exact check, the exact engine decides (the generic exact LP for the optimum,
  the exact active-set method ``_FaceLP.exact_maximize`` or the generic exact LP for a face LP).
  Here HiGHS's status is reported "not optimal" to the structured module (``is_optimal`` patched
  to False), so every one of those fallbacks runs.
* **Face LPs instead of vertex enumeration.**  A small block of the face is solved by
  enumerating its vertices; a large one by exact LPs (``_FaceLP``).  Here the enumeration is
  made to give up (``_vertices`` patched to None), so every block of dimension 2 or more is
  solved by LPs, with and without the hint, and once more with the exact active-set method
  giving up too (``_FaceLP.exact_maximize`` patched to None), so the generic exact LP decides.
* **Lazy IC rows with copied types.**  With more than 8 types the IC rows enter the float model
  lazily, each violated row together with the same row between copies of its types
  (``_with_twins``); the check builds markets of 9-12 types out of 3-4 distinct ones.

What is compared: the optimal revenue with ``max f.p`` over the IC-IR system of Sec. 3 written
from the raw values in the checks (``test_pis_independent._System``: columns ``x(t, a)``,
``p(t)``; solved by the exact LP engine, not by the structured module); and, between the routes, the payment and surplus ranges over all optimal mechanisms,
the binding sets, uniqueness and the selected mechanism (the selection stages pin one mechanism,
so it is route-independent).  Also the library function ``mechanism_face`` (the same ranges from
``StructuredFace``) against the ranges of ``optimal_mechanism``.  A patch is undone after each
call (``monkeypatch.context``).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import Environment, Market, load_toml
from exactscreen.lp.exact import solve_lp
from exactscreen.mechanisms import structured
from exactscreen.mechanisms.optimum import mechanism_lp, optimal_mechanism, payment_polytope
from exactscreen.strategies import markets

from .pis_common import EXAMPLES, FILTERING, on_hyperplane, paper_environments, q_market, sec311
from .test_pis_independent import _System

ZERO = F(0)


def _revenue_by_the_ic_ir_lp(env: Environment, market: Market) -> F:
    """``max sum_t f(t) p(t)`` over the IC-IR system of Sec. 3 written from the raw values
    (``test_pis_independent._System``: columns ``x(t, a)``, ``p(t)``; the probability equations,
    IR and IC rows), solved by the exact LP engine, not by the structured module."""
    system = _System(env)
    c = [ZERO] * system.nvar
    for t, f in enumerate(market.weights):
        c[system.p(t)] = F(f)
    return solve_lp(system.lp(c)).objective


def _answers(res) -> tuple:
    """What every route must agree on (exact values, names)."""
    face = res.face
    return (res.revenue, res.mechanism.allocation, res.mechanism.payments,
            tuple((r.lo, r.hi) for r in face.payment), tuple((r.lo, r.hi) for r in face.surplus),
            tuple(tuple((r.lo, r.hi) for r in row) for row in face.allocation),
            tuple(sorted(face.always_binding)), tuple(sorted(face.sometimes_binding)), face.unique)


def _routes(env: Environment, market: Market) -> dict[str, object]:
    """optimal_mechanism by the default route and the four patched ones, undone after each."""
    out = {"default": optimal_mechanism(env, market)}
    patches = {
        "no float hint": (("is_optimal", lambda status: False),),
        "face LPs": (("_vertices", lambda G, h: None),),
        "face LPs without the hint": (("is_optimal", lambda status: False), ("_vertices", lambda G, h: None)),
        "generic exact LPs": (("is_optimal", lambda status: False), ("_vertices", lambda G, h: None),
                              ("_FaceLP.exact_maximize", lambda self, g, start, max_iter=None: None)),
    }
    for name, items in patches.items():
        with pytest.MonkeyPatch.context() as mp:
            for attr, fn in items:
                owner, _, leaf = attr.rpartition(".")
                mp.setattr(getattr(structured, owner) if owner else structured, leaf, fn)
            out[name] = optimal_mechanism(env, market)
    return out


def _agree(env: Environment, market: Market) -> dict[str, object]:
    routes = _routes(env, market)
    rev = _revenue_by_the_ic_ir_lp(env, market)
    base = _answers(routes["default"])
    for name, res in routes.items():
        assert res.revenue == rev, f"{name}: revenue {res.revenue}, the IC-IR LP of Sec. 3 gives {rev}"
        assert _answers(res) == base, f"the route '{name}' differs from the default route"
        assert res.selected_check is not None and res.selected_check.ok, name
    return routes


def _degenerate_market(data, env: Environment) -> Market:
    """A market with several optimal mechanisms most of the time: one or more types left out
    (weight 0: their options are pinned only by the IC rows of the others, fn 14's reason why
    Lemma 2 speaks of types *in the market*), or a full-support market moved onto the line
    where two vertices of P tie (Lemma 3's hyperplane through them, Sec. 4.2)."""
    market = data.draw(markets(env, allow_zero=False), label="market")
    how = data.draw(st.sampled_from(["types left out", "two vertices of P tie", "as drawn"]), label="how")
    if how == "types left out" and env.n >= 2:
        out = data.draw(st.sets(st.integers(0, env.n - 1), min_size=1, max_size=env.n - 1), label="left out")
        w = [ZERO if t in out else x for t, x in enumerate(market.weights)]
        return Market(env, tuple(x / sum(w) for x in w))
    if how == "two vertices of P tie":
        verts = payment_polytope(env).vertices
        top = sorted(verts, key=lambda v: -sum((f * p for f, p in zip(market.weights, v)), ZERO))
        if len(top) >= 2:
            other = data.draw(st.integers(1, len(top) - 1), label="second vertex")
            moved = on_hyperplane(market, [a - b for a, b in zip(top[0], top[other])])
            if moved is not None:
                return moved
    return market


@claim("PIS-LEM1", "PIS-LEM3")
def test_the_optimum_and_its_face_do_not_depend_on_the_float_hint_at_sec311(evidence):
    """Sec. 3.1.1 at f3 = (1/4, 3/4), on Lemma 3's hyperplane 3 f(tL) - f(tH) = 0 (the optimal
    payment rules form a segment of P, Fig. 4a), and at q = 1/2 (a unique optimum)."""
    env = sec311()
    for q in (F(3, 4), F(1, 2)):
        routes = _agree(env, q_market(env, q))
        assert routes["default"].face.unique == (q != F(3, 4))
    evidence.note("Sec. 3.1.1 at q = 3/4 and 1/2: five routes (default, no float hint, face LPs, both, "
                  "generic exact LPs) "
                  "agree, revenue equal to the IC-IR LP of Sec. 3 written in the checks")


@claim("PIS-LEM1", "PIS-LEM3")
@FILTERING
@given(paper_environments(min_types=2), st.data())
def test_the_optimum_and_its_face_do_not_depend_on_the_float_hint(evidence, env, data):
    """Random environments of Sec. 3 and markets built to have several optimal mechanisms (see
    :func:`_degenerate_market`).  Hard case: the face LPs run, i.e. a block of the optimal face of
    dimension 2 or more, decided without the hint by the exact active-set method."""
    market = _degenerate_market(data, env)
    counted: dict[str, int] = {}
    real_run = structured._FaceLP.exact_maximize

    def counting(self, g, start, max_iter=None):
        counted["exact"] = counted.get("exact", 0) + 1
        return real_run(self, g, start, max_iter)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(structured._FaceLP, "exact_maximize", counting)
        routes = _agree(env, market)
    evidence.reach("a face LP decided without the float hint (exact active-set method)", counted.get("exact", 0) > 0)
    evidence.reach("several optimal mechanisms (the face is not a point)", not routes["default"].face.unique)
    evidence.instances(1)


@st.composite
def _copied_types(draw):
    """A market of 9-12 types made of 3-4 distinct types of Sec. 3 and their copies."""
    base = draw(paper_environments(min_types=3, max_types=4))
    n = draw(st.integers(9, 12))
    pick = [t % base.n for t in range(base.n)] + [draw(st.integers(0, base.n - 1)) for _ in range(n - base.n)]
    values = tuple(base.values[i] for i in pick)
    env = Environment(tuple(f"t{j + 1}" for j in range(n)), base.alternatives, values, base.costs)
    return env, draw(markets(env, allow_zero=False))


@claim("PIS-LEM1")
@FILTERING
@given(_copied_types())
def test_lazy_ic_rows_with_copied_types_give_the_optimum_of_the_ic_ir_lp(evidence, case):
    """More than 8 types: IC rows enter the float model lazily, a violated row with its copies
    between copied types.  The certified optimum must equal the IC-IR LP of Sec. 3 (``_System``), and the
    ranges must equal those of the route without the float hint (all IC rows, exact engine).
    Hard case: the lazy loop added a row between copies (more than one round)."""
    env, market = case
    added: list[int] = []
    real = structured._with_twins

    def spy(d, pairs, in_model):
        out = real(d, pairs, in_model)
        added.append(len(out) - len(pairs))
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(structured, "_with_twins", spy)
        res = optimal_mechanism(env, market)
    rev = _revenue_by_the_ic_ir_lp(env, market)
    assert res.revenue == rev, f"revenue {res.revenue}, the IC-IR LP of Sec. 3 gives {rev}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(structured, "is_optimal", lambda status: False)
        exact = optimal_mechanism(env, market)
    assert _answers(exact) == _answers(res), "lazy rows with copies differ from all rows without the hint"
    evidence.reach("the lazy loop added an IC row between copies of types", any(a > 0 for a in added))
    evidence.instances(1)


@claim("PIS-LEM1", "PIS-LEM3")
@FILTERING
@given(paper_environments(min_types=2), st.data())
def test_mechanism_face_gives_the_ranges_of_the_optimal_face(evidence, env, data):
    """``structured.mechanism_face`` (library API) against ``optimal_mechanism``'s face: every
    type's payment and surplus range, and uniqueness.  Hard case: a range that is not a point."""
    market = _degenerate_market(data, env)
    res = optimal_mechanism(env, market)
    mf = structured.mechanism_face(env, market)
    assert tuple((r.lo, r.hi) for r in mf.payments) == tuple((r.lo, r.hi) for r in res.face.payment)
    assert tuple((r.lo, r.hi) for r in mf.surpluses) == tuple((r.lo, r.hi) for r in res.face.surplus)
    assert mf.unique == res.face.unique
    evidence.reach("a payment or surplus range that is not a point",
                   any(r.lo != r.hi for r in (*mf.payments, *mf.surpluses)))
    evidence.instances(1)


@claim("PIS-LEM1")
def test_the_certified_solution_reports_its_route_and_an_optimal_basis(evidence):
    """What ``solve_mechanism`` reports besides the optimum must be true of it, at Sec. 3.1.1's
    markets q = 1/4, 1/2, 3/4, fn 25's environment and a three-type market whose optimal basis is
    degenerate: the method names the route that decided
    (``"highs-core"``: HiGHS's basis solved exactly; ``"fallback:..."`` with the note
    ``"HiGHS basis: HiGHS status ..."`` when the float hint is refused); the reported basis is an
    optimal basis of ``mechanism_lp`` (the exact simplex started from it accepts it and stops at
    the same optimum); and with the IC rows lazy and one float round only, the exact primal
    check must find the IC rows the float model lacks, add them and still reach the optimum of
    the IC-IR LP of Sec. 3 (``_System``).  Hard case: that last route took more than one round."""
    cases = [(sec311(), q_market(sec311(), q)) for q in (F(1, 4), F(1, 2), F(3, 4))]
    fn25 = load_toml(EXAMPLES / "pis_fn25.toml")[0]
    cases.append((fn25, Market(fn25, tuple(F(1, fn25.n) for _ in range(fn25.n)))))
    # a degenerate optimal basis (found by a search of the generated markets): a lottery row of a
    # type other than the first keeps its artificial basic, so the basis lists that artificial
    deg = Environment(("t1", "t2", "t3"), ("a", "b"),
                      ((F(5, 2), F(7, 2)), (F(1), F(-4, 3)), (F(1), F(0))), (F(0), F(0)), "degenerate basis")
    cases.append((deg, Market(deg, (F(4, 11), F(1, 11), F(6, 11)))))
    rounds = []
    for env, market in cases:
        sol = structured.solve_mechanism(env, market)
        assert sol.method == "highs-core", f"default route reported method {sol.method!r}"
        warm = solve_lp(mechanism_lp(env, market), warm_basis=sol.result.basis)
        assert warm.objective == sol.objective, "the reported basis is not optimal"
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(structured, "is_optimal", lambda status: False)
            fb = structured.solve_mechanism(env, market)
        assert isinstance(fb.method, str) and fb.method.startswith("fallback:"), fb.method
        assert fb.result.note.startswith("HiGHS basis: HiGHS status"), fb.result.note
        assert fb.objective == sol.objective
        one = structured.solve_mechanism(env, market, lazy=True, max_rounds=1)
        rev = _revenue_by_the_ic_ir_lp(env, market)
        evidence.equal(f"optimal revenue, lazy IC rows with one float round ({env.title or 'fn 25'}, "
                       f"f = {tuple(str(x) for x in market.weights)})", one.objective, rev, source="expected")
        rounds.append(one.rounds)
    assert all(r > 1 for r in rounds), f"rounds of the lazy route with one float round: {rounds}"
    evidence.note(f"lazy IC rows, one float round: the exact check added the missing IC rows at every "
                  f"instance (rounds {rounds})")
    evidence.instances(len(cases))
