"""exactscreen.mechanisms.structured (lazy IC rows, exact core solve) and the structured certificate checker.

Every optimum is compared with the generic engine (``solve_lp`` on the full
``mechanism_lp``), every certificate with the generic independent checker,
and every face with ``optimal_mechanism(face=True)``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from exactscreen.lp.certificate import check_certificate
from exactscreen.exceptions import InputError
from exactscreen.environment import Environment, Market, load_toml
from exactscreen.lp.exact import solve_lp
from exactscreen.mechanisms.certificate import check_mechanism_certificate
from exactscreen.mechanisms.structured import mechanism_face, solve_mechanism
from exactscreen.mechanisms.optimum import mechanism_lp, optimal_mechanism
from exactscreen.strategies import environment_and_market

EXAMPLES = Path(__file__).resolve().parents[1] / "exactscreen" / "examples"


def _sec311(q: Fraction) -> tuple[Environment, Market]:
    env, _ = load_toml(EXAMPLES / "pis_sec311.toml")
    return env, env.market({"tL": 1 - q, "tH": q})


def _random_env(n: int, k: int, seed: int, values=range(-5, 21)) -> tuple[Environment, Market]:
    import random

    rng = random.Random(seed)
    table = {f"t{i}": {f"a{j}": Fraction(rng.choice(values), 4) for j in range(k)} for i in range(n)}
    env = Environment.from_dict(table)
    w = [rng.randint(0, 5) for _ in range(n)]
    if not any(w):
        w[0] = 1
    return env, Market(env, tuple(Fraction(v, sum(w)) for v in w))


def _agrees_with_generic(env: Environment, market: Market, **kw) -> None:
    sol = solve_mechanism(env, market, **kw)
    lp = mechanism_lp(env, market)
    assert sol.objective == solve_lp(lp).objective
    r = sol.result
    assert check_certificate(lp, r.x, r.y_eq, r.y_ub, r.objective).ok
    assert sol.check.ok
    # the reported basis is an optimal basis of the full LP: the exact simplex started
    # from it stops at once with the same optimum
    warm = solve_lp(lp, warm_basis=r.basis)
    assert warm.objective == sol.objective and warm.x == r.x


@pytest.mark.parametrize("q", ["0", "1/4", "1/2", "3/4", "1", "1/4+1/10**9", "3/4-1/10**9"])
def test_paper_sec311_instance_matches_the_generic_engine(q):
    base, _, shift = q.partition("+")
    if "-" in base:
        base, shift = base.split("-")
        qq = Fraction(base) - Fraction(1, 10**9)
    else:
        qq = Fraction(base) + (Fraction(1, 10**9) if shift else 0)
    env, market = _sec311(qq)
    for lazy in (False, True):
        _agrees_with_generic(env, market, lazy=lazy)


def test_paper_sec311_revenue_at_the_breakpoint_is_the_papers():
    # Sec. 3.1.1: at q = 1/4 both menus are optimal; revenue 1 (sell aH at 1 to all,
    # or separate: aL at 3/4 to tL and aH at 2 - 1/4 to tH: 3/4*3/4 + 1/4*7/4 = 1)
    env, market = _sec311(Fraction(1, 4))
    assert solve_mechanism(env, market).objective == 1


@settings(deadline=None)
@given(environment_and_market(max_types=5, max_alternatives=4), st.booleans())
def test_optimum_equals_the_generic_engine_on_small_environments(em, lazy):
    env, market = em
    _agrees_with_generic(env, market, lazy=lazy)


@pytest.mark.parametrize("n,k,seed", [(12, 4, 1), (20, 6, 2), (30, 8, 3), (25, 3, 4)])
def test_lazy_rows_reach_the_full_optimum_on_larger_random_markets(n, k, seed):
    env, market = _random_env(n, k, seed)
    sol = solve_mechanism(env, market, lazy=True)
    assert sol.ic_rows < n * (n - 1)  # the point of adding rows lazily
    _agrees_with_generic(env, market, lazy=True)


@pytest.mark.parametrize("seed", range(4))
def test_tie_heavy_markets_with_copied_types(seed):
    env, market = _random_env(10, 3, seed, values=(0, 2, 4))  # values in {0, 1/2, 1}
    _agrees_with_generic(env, market, lazy=True)


def test_copies_of_a_type_get_their_ic_rows_in_the_same_round():
    # Sec. 3.1.1 with each type copied 20 times: a violated IC row is added for every
    # pair of copies at once, so the float model needs a few rounds, not one per copy
    env0, _ = _sec311(Fraction(1, 2))
    table = {f"{t}{c}": dict(zip(env0.alternatives, env0.values[i])) for i, t in enumerate(env0.types)
             for c in range(20)}
    env = Environment.from_dict(table)
    market = Market(env, tuple(Fraction(1, env.n) for _ in range(env.n)))
    sol = solve_mechanism(env, market, lazy=True)
    assert sol.rounds <= 4
    assert sol.objective == solve_mechanism(env, market, lazy=False).objective == Fraction(5, 4)
    _agrees_with_generic(env, market, lazy=True)


@pytest.mark.parametrize("seed", range(3))
def test_copied_types_of_random_markets_reach_the_full_optimum(seed):
    base, _ = _random_env(6, 3, seed, values=(0, 2, 4, 6))
    table = {f"{t}_{c}": dict(zip(base.alternatives, base.values[i]))
             for i, t in enumerate(base.types) for c in range(1 + i % 3)}
    env = Environment.from_dict(table)
    import random

    rng = random.Random(seed)
    w = [rng.randint(0, 4) for _ in range(env.n)]
    w[0] += 1
    market = Market(env, tuple(Fraction(v, sum(w)) for v in w))
    _agrees_with_generic(env, market, lazy=True)


def test_market_of_another_environment_is_refused():
    env, market = _sec311(Fraction(1, 2))
    other, m2 = _random_env(2, 2, 0)
    with pytest.raises(InputError, match="market"):
        solve_mechanism(env, m2)


# ---------------------------------------------------------------- the checker
@settings(deadline=None)
@given(environment_and_market(max_types=4, max_alternatives=3), st.data())
def test_structured_checker_agrees_with_the_generic_checker_on_perturbed_certificates(em, data):
    env, market = em
    lp = mechanism_lp(env, market)
    r = solve_lp(lp)
    x, ye, yu, obj = list(r.x), list(r.y_eq), list(r.y_ub), r.objective
    assert check_mechanism_certificate(env, market, x, ye, yu, obj).ok
    which = data.draw(st.sampled_from(["x", "y_eq", "y_ub", "objective"]))
    delta = data.draw(st.sampled_from([Fraction(1, 7), Fraction(-1, 3), Fraction(2)]))
    if which == "x":
        x[data.draw(st.integers(0, len(x) - 1))] += delta
    elif which == "y_eq":
        ye[data.draw(st.integers(0, len(ye) - 1))] += delta
    elif which == "y_ub":
        yu[data.draw(st.integers(0, len(yu) - 1))] += delta
    else:
        obj += delta
    generic = check_certificate(lp, x, ye, yu, obj)
    structured = check_mechanism_certificate(env, market, x, ye, yu, obj, max_failures=10**6)
    assert generic.ok == structured.ok
    # the same dual constraints fail (named by column in one, by variable in the other)
    failing_generic = {lp.var_names[int(f.split("column ")[1].split(":")[0])]
                       for f in generic.failures if f.startswith("dual constraint of column")}
    failing_structured = {f.split("dual constraint of ")[1].split(":")[0]
                          for f in structured.failures if f.startswith("dual constraint of")}
    assert failing_generic == failing_structured


def test_structured_checker_names_the_violated_constraint():
    env, market = _sec311(Fraction(1, 2))
    r = solve_lp(mechanism_lp(env, market))
    x = list(r.x)
    x[3] += 1  # p(tL) up by 1: IR(tL) fails
    chk = check_mechanism_certificate(env, market, x, r.y_eq, r.y_ub, r.objective)
    assert not chk.ok
    assert any("IR(tL)" in f for f in chk.failures)


def test_structured_checker_refuses_floats():
    env, market = _sec311(Fraction(1, 2))
    r = solve_lp(mechanism_lp(env, market))
    x = list(r.x)
    x[0] = 0.5
    with pytest.raises(TypeError, match="int or Fraction"):
        check_mechanism_certificate(env, market, x, r.y_eq, r.y_ub, r.objective)


# ---------------------------------------------------------------- the face
def _same_face(env: Environment, market: Market) -> None:
    face = mechanism_face(env, market)
    om = optimal_mechanism(env, market, face=True, binding=False)
    assert [(r.lo, r.hi) for r in face.payments] == [(r.lo, r.hi) for r in om.face.payment]
    assert [(r.lo, r.hi) for r in face.surpluses] == [(r.lo, r.hi) for r in om.face.surplus]
    unique = all(r.is_point for row in om.face.allocation for r in row) and all(
        r.is_point for r in om.face.payment)
    assert face.unique == unique


@pytest.mark.parametrize("q", [Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1)])
def test_face_of_the_paper_instance_matches_optimal_mechanism(q):
    _same_face(*_sec311(q))


def test_face_at_the_breakpoint_is_not_unique_and_inside_it_is():
    # Sec. 3.1.1: at q = 1/4 the seller is indifferent between two menus
    assert not mechanism_face(*_sec311(Fraction(1, 4))).unique
    face = mechanism_face(*_sec311(Fraction(1, 2)))
    assert face.unique and face.lps <= 1


@settings(deadline=None, max_examples=40)
@given(environment_and_market(max_types=4, max_alternatives=3))
def test_face_ranges_and_uniqueness_match_optimal_mechanism(em):
    _same_face(*em)


@pytest.mark.parametrize("seed", range(3))
def test_face_on_random_markets_matches_optimal_mechanism(seed):
    _same_face(*_random_env(8, 3, seed))


def test_structured_checker_catches_a_small_ic_violation():
    # q = 1/2 in Sec. 3.1.1: lowering tL's price by 1/8 leaves IR and the lotteries
    # intact but tH now envies tL's option (when tL is served)
    env, market = _sec311(Fraction(1, 2))
    r = solve_lp(mechanism_lp(env, market))
    x = list(r.x)
    w = env.k + 2
    assert x[0 * w + 0] + x[0 * w + 1] > 0  # tL is served something
    x[0 * w + env.k + 1] -= Fraction(1, 8)
    chk = check_mechanism_certificate(env, market, x, r.y_eq, r.y_ub, r.objective)
    assert any(f.startswith("IC(tH->tL)") for f in chk.failures), chk.failures


def test_values_beyond_the_float_solvers_range_go_to_the_exact_engine():
    # HiGHS refuses matrix entries >= 1e15 (status "Not Set"); its float copy is scaled by a
    # power of 2 (float_hint), and whatever it suggests the exact engine decides: sell a at
    # 10^15 to both types
    env = Environment.from_dict({"t0": {"a": Fraction(10**15)}, "t1": {"a": Fraction(2 * 10**15)}})
    market = Market(env, (Fraction(1, 2), Fraction(1, 2)))
    sol = solve_mechanism(env, market)
    assert sol.objective == 10**15
    _agrees_with_generic(env, market)
    assert optimal_mechanism(env, market, face=False).revenue == 10**15


def _basic_artificial_case():
    # found by review: the generic engine's basis keeps t2's lottery artificial basic at 0
    env = Environment.from_dict({"t1": {"a1": 0, "a2": 1}, "t2": {"a1": 1, "a2": 0}, "t3": {"a1": 1, "a2": 3}})
    return env, Market(env, (Fraction(1), Fraction(0), Fraction(0)))


@settings(deadline=None, max_examples=60)
@given(environment_and_market(max_types=4, max_alternatives=3))
@example(_basic_artificial_case())
def test_the_fallback_path_reports_an_optimal_basis_of_the_full_lp(em):
    # force every HiGHS basis to be refused, so the generic engine decides
    import exactscreen.mechanisms.structured as sc

    env, market = em
    real = sc._core_solve
    sc._core_solve = lambda *a: None
    try:
        sol = solve_mechanism(env, market, lazy=False)
    finally:
        sc._core_solve = real
    assert sol.method.startswith("fallback:")
    lp = mechanism_lp(env, market)
    assert len(sol.result.basis) == len(lp.A_eq) + len(lp.A_ub)
    warm = solve_lp(lp, warm_basis=sol.result.basis)
    assert warm.objective == sol.objective


def test_vertex_enumeration_reports_the_rows_tight_at_each_vertex_of_a_polytope():
    from fractions import Fraction as F

    from exactscreen.mechanisms.structured import _vertex_zero_sets

    # square 0 <= w <= 1 with a redundant row w0 + w1 <= 3 (never tight) and a cut
    # w0 + w1 <= 3/2 (tight on an edge)
    G = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (1, 1)]
    h = [F(1), F(1), F(0), F(0), F(3), F(3, 2)]
    zs = _vertex_zero_sets(G, h)
    assert zs is not None
    tight = [{a for a in range(len(G)) if z >> a & 1} for z in zs]
    assert sorted(map(sorted, tight)) == sorted([[2, 3], [0, 3], [1, 2], [0, 5], [1, 5]])
    union = set().union(*tight)
    assert 4 not in union  # the redundant row is tight nowhere


def test_binding_in_some_optimum_from_vertices_equals_one_lp_per_row():
    from bench.instances import random_instance

    from exactscreen.mechanisms.structured import StructuredFace, _Data, _primitive, solve_mechanism

    env, market = random_instance(40, 16, 3)
    face = StructuredFace(_Data(env, market), solve_mechanism(env, market).result)
    checked = 0
    for blk in face.blocks:
        if len(blk.coords) < 2:
            continue
        tight = blk.tight_somewhere()
        if tight is None:
            continue
        for a, (g, h) in enumerate(zip(blk.G, blk.h)):
            prim, lam = _primitive(g)
            assert (blk.maximize(prim, face)[0] * lam == h) == (blk.rows[a] in tight)
            checked += 1
    assert checked > 0


def test_ranges_and_selection_from_block_vertices_equal_those_from_block_lps():
    from bench.instances import ties_instance

    from exactscreen.mechanisms.structured import StructuredFace, _Data, solve_mechanism
    from exactscreen.mechanisms.optimum import _stages

    env, market = ties_instance(30, 8, 2)
    res = solve_mechanism(env, market).result
    by_vertices = StructuredFace(_Data(env, market), res)
    by_lps = StructuredFace(_Data(env, market), res)
    for blk in by_lps.blocks:
        blk.verts = None  # as if the enumeration had given up: one exact LP per question
    assert any(blk.vertices() is not None for blk in by_vertices.blocks)
    stages = [by_vertices.direction(obj) for obj in _stages(env, market, "support-value")]
    assert by_vertices.lexicographic(stages) == by_lps.lexicographic(stages)
    for b in range(by_vertices.dim):
        for sign in (1, -1):
            assert by_vertices.maximize({b: sign})[0] == by_lps.maximize({b: sign})[0]


def test_implicit_equalities_of_a_cone_found_group_by_group_equal_one_lp():
    import random as _random
    from types import SimpleNamespace

    from exactscreen.mechanisms.structured import StructuredFace

    rng = _random.Random(5)
    for _ in range(30):
        cone = set()
        for _ in range(rng.randint(1, 8)):
            support = rng.sample(range(6), rng.randint(1, 2))
            g = tuple(sorted((b, rng.choice([-2, -1, 1, 2])) for b in support))
            cone.add(g)
            if rng.random() < 0.4:  # its opposite: both rows become implicit equalities
                cone.add(tuple((b, -v) for b, v in g))
        cone = sorted(cone)
        fake = SimpleNamespace(lps=0, lp_stats=[])
        fake._implicit_lp = lambda c, d, f=fake: StructuredFace._implicit_lp(f, c, d)
        grouped = StructuredFace._implicit(fake, cone, 6)
        assert grouped == StructuredFace._implicit_lp(fake, cone, 6)


def test_implicit_equalities_of_cones_with_huge_row_entries_match_one_lp_per_row():
    """The implicit-equality LP scales each cone row by a power of 2 (its entries reach ~2^42 on a
    (40, 16) sweep's tie faces, where HiGHS then misjudged the unscaled LP as unbounded): on cones
    whose rows mix entries up to 2^45 with small ones, with opposite pairs (implicit equalities),
    the rows it finds are exactly those with ``min g u = 0`` over the cone cut by the box
    ``[-1, 1]^d``, decided per row by the exact simplex without HiGHS."""
    import random as _random
    from fractions import Fraction as F
    from types import SimpleNamespace

    from exactscreen.lp.exact import LinearProgram, solve_lp
    from exactscreen.mechanisms.structured import StructuredFace

    rng = _random.Random(42)
    found = strict = 0
    for _ in range(25):
        d = rng.randint(2, 5)
        cone = set()
        for _ in range(rng.randint(2, 7)):
            support = rng.sample(range(d), rng.randint(1, min(3, d)))
            g = tuple(sorted((b, rng.choice([-1, 1]) * rng.choice([1, 3, 2 ** rng.randint(20, 45) + 1]))
                             for b in support))
            cone.add(g)
            if rng.random() < 0.4:
                cone.add(tuple((b, -v) for b, v in g))
        cone = sorted(cone)
        got = StructuredFace._implicit_lp(SimpleNamespace(lps=0, lp_stats=[]), cone, d)
        want = []
        for g in cone:  # min g u over {u : every cone row <= 0, -1 <= u <= 1}, u = u+ - u-
            split = lambda h: tuple((b, F(v)) for b, v in h) + tuple((d + b, F(-v)) for b, v in h)  # noqa: E731
            rows = [split(h) for h in cone] + [split(((b, 1),)) for b in range(d)] + [split(((b, -1),)) for b in range(d)]
            gd = dict(g)
            lp = LinearProgram(tuple(-F(gd.get(b, 0)) for b in range(d)) + tuple(F(gd.get(b, 0)) for b in range(d)),
                               (), (), tuple(rows), (F(0),) * len(cone) + (F(1),) * (2 * d))
            if solve_lp(lp, use_hint=False).objective == 0:  # max -g u = 0: g u = 0 on the cone
                want.append(g)
        assert got == want
        found += len(got)
        strict += len(cone) - len(got)
    assert found >= 10 and strict >= 10  # reach: implicit and strict rows both occur


def test_null_space_of_rows_in_independent_blocks_equals_the_whole_matrix_one():
    import random as _random

    from exactscreen.mechanisms.structured import _rref_nullspace

    rng = _random.Random(3)
    for _ in range(200):
        nc, nr = rng.randint(1, 12), rng.randint(3, 8)
        rows = [[rng.choice([0, 0, 0, 0, 1, -2, 3]) for _ in range(nc)] for _ in range(nr)]
        vecs, free = _rref_nullspace(rows, nc, sparse=True)  # block by block when it splits
        dense, free_d = _rref_nullspace(rows, nc)  # one reduction of the whole matrix
        assert free == free_d
        assert vecs == [{c: v for c, v in enumerate(d) if v} for d in dense]
        for vec, f in zip(vecs, free):
            assert list(vec)[-1] == f  # pivots first, then the free column


def test_cone_rows_shown_implicit_by_propagation_are_implicit_by_the_lp():
    import random as _random
    from types import SimpleNamespace

    from exactscreen.mechanisms.structured import StructuredFace, _all_implicit_by_propagation

    rng = _random.Random(11)
    shown = 0
    for _ in range(200):
        cone = set()
        for _ in range(rng.randint(1, 7)):
            support = rng.sample(range(4), rng.randint(1, 2))
            g = tuple(sorted((b, rng.choice([-1, 1, 2])) for b in support))
            cone.add(g)
            if rng.random() < 0.6:
                cone.add(tuple((b, -v) for b, v in g))
        cone = sorted(cone)
        fake = SimpleNamespace(lps=0, lp_stats=[])
        if _all_implicit_by_propagation(cone):
            shown += 1
            assert StructuredFace._implicit_lp(fake, cone, 4) == cone
    assert shown > 10
    # u0 <= 0, -u0 <= 0 pin u0; then u0 + u1 <= 0 and -u1 <= 0 are opposite: all implicit
    assert _all_implicit_by_propagation([((0, 1),), ((0, -1),), ((0, 1), (1, 1)), ((1, -1),)])
    assert not _all_implicit_by_propagation([((0, 1),), ((1, 1),)])


def test_union_find_gives_the_roots_of_linking_one_pair_at_a_time():
    # _linked links each support's elements without re-finding the first one's root;
    # the roots are those of the plain pairwise definition
    import random

    from exactscreen.mechanisms.structured import _linked

    def pairwise(size, supports):
        parent = list(range(size))

        def find(a):
            while parent[a] != a:
                a = parent[a]
            return a

        for sup in supports:
            for b in sup[1:]:
                ra, rb = find(sup[0]), find(b)
                if ra != rb:
                    parent[ra] = rb
        return find

    rng = random.Random(0)
    for _ in range(500):
        size = rng.randint(1, 30)
        sups = [[rng.randrange(size) for _ in range(rng.randint(0, 5))] for _ in range(rng.randint(0, 25))]
        fast, slow = _linked(size, sups), pairwise(size, sups)
        assert [fast(a) for a in range(size)] == [slow(a) for a in range(size)]
