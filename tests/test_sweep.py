"""The sweep along a line of markets (issue 17): exact pieces, certificates, and an
independent checker that catches corrupted sweeps."""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction as F
from pathlib import Path

import pytest

from exactscreen.environment import Environment, Market, load_toml
from exactscreen.exceptions import InputError, Undecided
from exactscreen.mechanisms import optimal_mechanism
from exactscreen.mechanisms.sweep import Sweep, line_market, sweep
from exactscreen.mechanisms.sweep_check import check_sweep

EXAMPLE = Path(__file__).resolve().parents[1] / "exactscreen" / "examples" / "pis_sec311.toml"


@pytest.fixture(scope="module")
def paper():
    env, _ = load_toml(EXAMPLE)
    return sweep(env, {"tL": 1, "tH": 0}, {"tL": 0, "tH": 1})


def _random_env(seed: int, n: int, k: int) -> tuple[Environment, Market, Market]:
    rng = random.Random(f"sweep:{seed}:{n}:{k}")
    types = {f"t{i + 1}": {f"a{j + 1}": F(rng.randint(-5, 20), 4) for j in range(k)} for i in range(n)}
    env = Environment.from_dict(types)

    def market() -> Market:
        w = [rng.choice((0, 0, 1, 5, 10)) for _ in range(n)]  # sparse: ends with smaller supports
        if not any(w):
            w[0] = 1
        return Market(env, tuple(F(x, sum(w)) for x in w))

    return env, market(), market()


def test_paper_sec311_intervals_low_intermediate_high(paper):
    """PIS Sec. 3.1.1: [0, 0.25] efficient (aH to both at 1), (0.25, 0.75] aL at 0.75 and aH at
    1.75, (0.75, 1] outside option for tL and aH at 2 for tH."""
    assert paper.verified
    assert paper.revenue_kinks == (F(1, 4), F(3, 4))
    runs = paper.mechanism_intervals()
    got = [(lo, hi, lc, hc, tuple(m.option(i) for i in range(2)), m.payments) for lo, hi, lc, hc, m in runs]
    assert got == [
        (0, F(1, 4), True, True, ("aH", "aH"), (1, 1)),
        (F(1, 4), F(3, 4), False, True, ("aL", "aH"), (F(3, 4), F(7, 4))),
        (F(3, 4), 1, False, True, ("0", "aH"), (0, 2)),
    ]
    # the high type's surplus (Fig. 1): 1, then 1/4, then 0; ties at the kinks
    assert [p.surplus[1] for p in paper.pieces if not p.is_point] == [1, F(1, 4), 0]
    assert not paper.piece(F(1, 4)).unique and not paper.piece(F(3, 4)).unique
    # "inefficient except for market q = 1"
    assert not paper.piece(F(9, 10)).efficient and paper.piece(1).efficient


def test_revenue_and_mechanism_match_direct_solves_inside_every_piece():
    env, f0, f1 = _random_env(3, 4, 3)
    s = sweep(env, f0, f1)
    assert s.verified
    rng = random.Random(7)
    probes = [F(rng.randint(0, 97), 97) for _ in range(6)] + list(s.revenue_kinks) + [F(0), F(1)]
    for l in probes:
        direct = optimal_mechanism(env, line_market(f0, f1, l))
        piece = s.piece(l)
        assert s.revenue(l) == direct.revenue, l
        assert piece.mechanism == direct.mechanism, l
        assert piece.efficient == direct.efficient
        assert piece.unique == direct.face.unique


@pytest.mark.parametrize("seed", range(4))
def test_random_lines_are_certified_and_tile_the_unit_interval(seed):
    env, f0, f1 = _random_env(seed, 3 + seed % 2, 2 + seed % 3)
    s = sweep(env, f0, f1)
    assert s.verified and s.check.duals == len(s.revenue_kinks) + 2  # one dual per distinct end, checked once
    assert s.pieces[0].lo == 0 and s.pieces[-1].hi == 1
    # revenue is convex: slopes of the open pieces increase strictly
    slopes = [p.slope for p in s.pieces if not p.is_point]
    assert all(a < b for a, b in zip(slopes, slopes[1:]))
    # full engine solves: one per open piece and per kink, and the ends only when they may differ
    opened = sum(1 for p in s.pieces if not p.is_point)
    assert s.solves <= 2 * opened + 3  # a face per open piece and kink, and the two ends at most


def test_same_market_at_both_ends_is_one_piece():
    env, f0, _ = _random_env(1, 3, 2)
    s = sweep(env, f0, f0)
    assert len(s.pieces) == 1 and s.revenue_kinks == () and s.breakpoints == ()
    assert s.pieces[0].revenue_lo == s.pieces[0].revenue_hi == optimal_mechanism(env, f0).revenue


def test_end_with_a_larger_face_is_a_point_piece():
    # two types wanting different goods: at l = 0 only tA is in the market and tB's payment
    # leaves the objective (anything in [0, 3] is optimal); inside, tB pays 3
    env = Environment.from_dict({"tA": {"a": 2, "b": 0}, "tB": {"a": 0, "b": 3}})
    s = sweep(env, {"tA": 1, "tB": 0}, {"tA": 0, "tB": 1})
    assert s.verified
    assert [p.interval() for p in s.pieces] == ["{0}", "(0, 1)", "{1}"]
    assert s.breakpoints == (0, 1) and s.revenue_kinks == ()
    ends, inside = (s.pieces[0], s.pieces[2]), s.pieces[1]
    assert inside.unique and not any(p.unique for p in ends)
    assert (s.pieces[0].face.payment[1].lo, s.pieces[0].face.payment[1].hi) == (0, 3)
    assert (inside.revenue_lo, inside.revenue_hi) == (2, 3)


def test_posted_price_line_has_its_kink_where_the_two_prices_earn_the_same():
    env = Environment.from_dict({"t1": {"a": 1}, "t2": {"a": 3}})
    s = sweep(env, {"t1": 1, "t2": 0}, {"t1": 0, "t2": 1})
    assert s.revenue_kinks == (F(1, 3),)  # price 1 to both earns 1, price 3 to t2 earns 3 l
    assert [p.interval() for p in s.pieces] == ["[0, 1/3)", "{1/3}", "(1/3, 1)", "{1}"]


def test_a_point_solved_on_the_way_that_is_a_kink_is_found():
    """PIS App. A.4's E_3 (alternatives 1/3, 2/3, 1 at cost a^2/2, values a and 2a): the search
    first solves the crossing l = 1/3 of the lines of l = 0 and l = 1, which is itself a kink (the
    optimum returned there is one of the tie's); neither half finds it as a crossing, so it is read
    from the slopes (before: the piece (1/7, 5/11) failed its certificate, NotCertified)."""
    alts = [F(j, 3) for j in (1, 2, 3)]
    env = Environment.from_dict({"t1": {str(a): a for a in alts}, "t2": {str(a): 2 * a for a in alts}},
                                {str(a): a * a / 2 for a in alts})
    s = sweep(env, {"t1": 1, "t2": 0}, {"t1": 0, "t2": 1})
    assert s.verified
    assert s.revenue_kinks == (F(1, 7), F(1, 3), F(5, 11))  # tau_i = (2i + 1)/(2k + 2i + 1)
    assert [p.surplus[1] for p in s.pieces if not p.is_point] == [1, F(2, 3), F(1, 3), 0]
    opened = [p for p in s.pieces if not p.is_point]
    assert all(a.slope < b.slope for a, b in zip(opened, opened[1:]))  # convex: the slope rises at each kink


# ----------------------------------------------------------------- the checker
def _corrupt(s: Sweep, **changes) -> Sweep:
    return replace(s, **changes)


def _piece(s: Sweep, i: int, **changes) -> Sweep:
    pieces = list(s.pieces)
    pieces[i] = replace(pieces[i], **changes)
    return replace(s, pieces=tuple(pieces))


def test_checker_passes_the_engine_result(paper):
    assert check_sweep(paper).ok


def test_checker_catches_a_suboptimal_mechanism_on_a_piece(paper):
    # the intermediate mechanism claimed on the low piece: feasible but not optimal at l = 0
    low = paper.piece(F(1, 8))
    mid = paper.piece(F(1, 2))
    i = paper.pieces.index(low)
    chk = check_sweep(_piece(paper, i, mechanism=mid.mechanism, surplus=mid.surplus))
    assert not chk.ok and any("earns" in f for f in chk.failures)


def test_checker_catches_a_wrong_revenue_a_broken_dual_and_an_infeasible_mechanism(paper):
    i = paper.pieces.index(paper.piece(F(1, 2)))
    p = paper.pieces[i]
    assert not check_sweep(_piece(paper, i, revenue_hi=p.revenue_hi + F(1, 100))).ok
    y_eq, y_ub = p.dual_lo
    bad = (tuple(v * 2 for v in y_eq), y_ub)  # still feasible? its value doubles: not equal
    assert not check_sweep(_piece(paper, i, dual_lo=bad)).ok
    neg = (y_eq, tuple(-v if v else F(-1) for v in y_ub))
    assert any("negative" in f for f in check_sweep(_piece(paper, i, dual_lo=neg)).failures)
    m = p.mechanism
    cheap = replace(m, payments=(m.payments[0], m.payments[1] - F(1, 2)))  # violates IC(tL->tH)? no: raises tH surplus
    chk = check_sweep(_piece(paper, i, mechanism=cheap))
    assert not chk.ok


def test_checker_catches_gaps_overlaps_fake_kinks_and_wrong_breakpoints(paper):
    pieces = list(paper.pieces)
    # a gap: drop the point piece at the kink 1/4
    k = next(i for i, p in enumerate(pieces) if p.is_point and p.lo == F(1, 4))
    gap = replace(paper, pieces=tuple(pieces[:k] + pieces[k + 1:]))
    assert any("gap" in f for f in check_sweep(gap).failures)
    # an overlap: the open piece after it also claims 1/4
    assert not check_sweep(_piece(paper, k + 1, lo_closed=True)).ok
    # a fake kink: split the intermediate piece at 1/2 with the same slope on both sides
    i = paper.pieces.index(paper.piece(F(1, 2)))
    p = paper.pieces[i]
    half = p.revenue(F(1, 2))
    a = replace(p, hi=F(1, 2), revenue_hi=half, dual_hi=p.dual_hi)
    b = replace(p, lo=F(1, 2), revenue_lo=half)
    mid = replace(p, lo=F(1, 2), hi=F(1, 2), lo_closed=True, hi_closed=True, revenue_lo=half, revenue_hi=half)
    split = replace(paper, pieces=tuple(pieces[:i] + [a, mid, b] + pieces[i + 1:]),
                    revenue_kinks=tuple(sorted((*paper.revenue_kinks, F(1, 2)))),
                    breakpoints=tuple(sorted((*paper.breakpoints, F(1, 2)))))
    failures = check_sweep(split).failures
    assert any("no kink" in f for f in failures)
    # a kink left out of revenue_kinks, and breakpoints that are not the point pieces
    assert not check_sweep(replace(paper, revenue_kinks=(F(1, 4),))).ok
    assert not check_sweep(replace(paper, breakpoints=())).ok
    # the last piece not reaching 1
    assert not check_sweep(replace(paper, pieces=paper.pieces[:-1])).ok


def test_checker_catches_a_wrong_surplus_or_efficiency(paper):
    i = paper.pieces.index(paper.piece(F(1, 2)))
    p = paper.pieces[i]
    assert not check_sweep(_piece(paper, i, surplus=(p.surplus[0], p.surplus[1] + 1))).ok
    assert not check_sweep(_piece(paper, i, efficient=not p.efficient)).ok


# ----------------------------------------------------------------- bad input and bounds
def test_bad_markets_and_rules_are_input_errors():
    env, _ = load_toml(EXAMPLE)
    with pytest.raises(InputError, match="tX"):
        sweep(env, {"tL": 1, "tX": 0}, {"tL": 0, "tH": 1})
    with pytest.raises(InputError, match="sum"):
        sweep(env, {"tL": 1, "tH": 1}, {"tL": 0, "tH": 1})
    with pytest.raises(Exception, match="float"):
        sweep(env, {"tL": 0.5, "tH": 0.5}, {"tL": 0, "tH": 1})
    with pytest.raises(InputError, match="selection"):
        sweep(env, {"tL": 1, "tH": 0}, {"tL": 0, "tH": 1}, selection="consumer-best")
    with pytest.raises(InputError, match="max_solves"):
        sweep(env, {"tL": 1, "tH": 0}, {"tL": 0, "tH": 1}, max_solves=1)


def test_search_past_its_solve_budget_is_undecided():
    env, _ = load_toml(EXAMPLE)
    with pytest.raises(Undecided, match="max_solves=3"):
        sweep(env, {"tL": 1, "tH": 0}, {"tL": 0, "tH": 1}, max_solves=3)


def test_json_follows_the_issue_contract(paper):
    js = paper.to_json()
    assert set(js) >= {"pieces", "breakpoints", "revenue_kinks"}
    assert js["revenue_kinks"] == ["1/4", "3/4"]
    for p in js["pieces"]:
        assert set(p) >= {"lo", "hi", "lo_closed", "hi_closed", "revenue", "mechanism", "surplus", "efficient", "unique"}
        assert set(p["revenue"]) == {"at_lo", "at_hi"}
        assert all(isinstance(v, str) for v in p["surplus"].values())
    assert js["certificate"]["verified"] is True


def test_text_and_html_show_the_piece_table(paper):
    text = str(paper)
    assert "(1/4, 3/4)" in text and "aL @ 3/4" in text and "verified" in text
    html = paper._repr_html_()
    assert "<table>" in html and "1/4" in html and "Sweep" in html


def _ties_env(seed: int, n: int, k: int) -> tuple[Environment, Market, Market]:
    """Values from {0, 1/2, 1, 3/2, 2} (equal valuations abound: degenerate LPs, ties at the kinks)
    and a duplicated type; ends with small integer weights, some types absent."""
    rng = random.Random(f"sweep-ties:{seed}:{n}:{k}")
    rows = [[F(rng.randint(0, 4), 2) for _ in range(k)] for _ in range(n - 1)]
    rows.append(list(rows[0]))  # a copy of the first type
    env = Environment.from_dict({f"t{i + 1}": {f"a{j + 1}": v for j, v in enumerate(r)} for i, r in enumerate(rows)})
    def market() -> Market:
        w = [rng.choice((0, 1, 1, 2)) for _ in range(n)]
        w[rng.randrange(n)] += 1
        return Market(env, tuple(F(x, sum(w)) for x in w))

    return env, market(), market()


@pytest.mark.parametrize("seed", range(5))
def test_degenerate_lines_with_ties_match_direct_solves_at_kinks_and_between(seed):
    """Where float parametric tools fail (degenerate boundaries): every kink and a point inside
    every open piece re-solved directly must give the piece's revenue, mechanism and uniqueness."""
    env, f0, f1 = _ties_env(seed, 5, 3)
    s = sweep(env, f0, f1)
    assert s.verified
    for p in s.pieces:
        l = p.lo if p.is_point else p.lo + (p.hi - p.lo) / 3  # not the sample the sweep used
        direct = optimal_mechanism(env, line_market(f0, f1, l))
        assert direct.revenue == p.revenue(l)
        assert direct.mechanism == p.mechanism and direct.face.unique == p.unique


def test_paper_line_blown_up_with_copies_keeps_the_papers_kinks():
    """PIS Sec. 3.1.1 with every type and alternative duplicated (the bench's degenerate family):
    the LPs are degenerate everywhere, the kinks stay 1/4 and 3/4 and the mechanisms the paper's."""
    v = {"tL": {"aL": F(3, 4), "aH": F(1)}, "tH": {"aL": F(1), "aH": F(2)}}
    env = Environment.from_dict({f"{t}{c}": {f"{a}{d}": x for a, x in row.items() for d in ("", "'")}
                                 for t, row in v.items() for c in ("", "'")})
    low = {"tL": F(1, 3), "tL'": F(2, 3), "tH": 0, "tH'": 0}
    high = {"tL": 0, "tL'": 0, "tH": F(1, 4), "tH'": F(3, 4)}
    s = sweep(env, low, high)
    assert s.verified and s.revenue_kinks == (F(1, 4), F(3, 4))
    for p in s.pieces:
        assert s.revenue(p.sample) == optimal_mechanism(env, s.market(p.sample)).revenue
    surplus_tH = [p.surplus[env.type_index("tH")] for p in s.pieces if not p.is_point]
    assert surplus_tH == [1, F(1, 4), 0]


# ----------------------------------------------------------------- generated lines
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from exactscreen.strategies import environments, markets  # noqa: E402

KINKED: list[bool] = []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_lines_agree_with_direct_solves_everywhere(data):
    """Generated environments (ties, copied types, duplicate alternatives, costs, negative net
    values) and lines between generated markets (types may be absent): the certified sweep's
    revenue and selected mechanism equal a direct solve at a generated l and at every kink."""
    env = data.draw(environments(min_types=2, max_types=3, max_alternatives=3))
    if data.draw(st.booleans()):
        f0, f1 = data.draw(markets(env)), data.draw(markets(env))
    else:  # from one type to another (the paper's line): kinks where the optimal menu changes
        i, j = data.draw(st.lists(st.integers(0, env.n - 1), min_size=2, max_size=2, unique=True))
        f0, f1 = (Market(env, tuple(F(int(t == x)) for t in range(env.n))) for x in (i, j))
    s = sweep(env, f0, f1)
    assert s.verified
    KINKED.append(bool(s.revenue_kinks))
    l = F(data.draw(st.integers(0, 60)), 60)
    for x in (l, *s.revenue_kinks):
        direct = optimal_mechanism(env, s.market(x))
        assert s.revenue(x) == direct.revenue and s.piece(x).mechanism == direct.mechanism


def test_generated_lines_reach_kinks():
    """The hard case of the test above (a line with a revenue kink) is reached: run after it."""
    if not KINKED:
        pytest.skip("run with the generated-lines test")
    assert sum(KINKED) >= 5, f"only {sum(KINKED)} of {len(KINKED)} generated lines had a kink"


def _same_face(a, b) -> None:
    assert a.revenue == b.revenue and a.mechanism == b.mechanism
    assert (a.face.payment, a.face.surplus, a.face.allocation) == (b.face.payment, b.face.surplus, b.face.allocation)
    assert (a.face.always_binding, a.face.sometimes_binding) == (b.face.always_binding, b.face.sometimes_binding)
    assert a.certificate_check == b.certificate_check


@pytest.mark.parametrize("seed", range(3))
def test_the_engine_given_the_searchs_solution_at_a_kink_gives_the_face_it_would_solve(seed):
    """``optimal_mechanism(..., solution=)`` (the sweep passes the search's certified LP solution
    at kinks and ends): the same selected mechanism, ranges, binding sets and certificate as a
    fresh solve, at every kink and end of degenerate lines (tie faces), and the same end test."""
    from exactscreen.mechanisms.optimum import payment_functional_range
    from exactscreen.mechanisms.structured import solve_mechanism

    env, f0, f1 = _ties_env(seed, 5, 3)
    s = sweep(env, f0, f1)
    ties = 0
    for l in (F(0), *s.revenue_kinks, F(1)):
        m = line_market(f0, f1, l)
        sol = solve_mechanism(env, m)
        given = optimal_mechanism(env, m, solution=sol)
        _same_face(given, optimal_mechanism(env, m))
        ties += not given.face.unique
        assert payment_functional_range(env, m, f1.weights, solution=sol) == payment_functional_range(env, m, f1.weights)
    assert ties >= 1  # reach: a tie face among them


def test_a_solution_for_another_market_or_not_a_solution_is_refused_by_name():
    """The given solution's certificate is re-checked for the market: a solution of another
    market on the same line (optimal there, not here), a forged one (its revenue changed), or a
    non-solution is an InputError naming ``solution``, never a silently wrong face."""
    from exactscreen.mechanisms.structured import solve_mechanism
    from exactscreen.mechanisms.optimum import payment_functional_range

    env, _ = load_toml(EXAMPLE)
    lo, hi = Market.from_mapping(env, {"tL": 1, "tH": 0}), Market.from_mapping(env, {"tL": 0, "tH": 1})
    at = lambda l: line_market(lo, hi, F(l))  # noqa: E731
    sol = solve_mechanism(env, at("1/2"))
    with pytest.raises(InputError, match="^solution: .*different"):
        optimal_mechanism(env, at("9/10"), solution=sol)
    forged = replace(sol, market=at("9/10"))  # claims the other market: its certificate fails there
    with pytest.raises(InputError, match="^solution: its certificate fails"):
        optimal_mechanism(env, at("9/10"), solution=forged)
    bad_value = replace(sol, result=replace(sol.result, objective=sol.result.objective + 1))
    with pytest.raises(InputError, match="^solution: its certificate fails"):
        optimal_mechanism(env, at("1/2"), solution=bad_value)
    with pytest.raises(InputError, match="^solution: need a MechanismSolution"):
        payment_functional_range(env, at("1/2"), hi.weights, solution=object())
    assert optimal_mechanism(env, at("1/2"), solution=sol).revenue == sol.objective  # the real one is taken
