"""Infeasible and unbounded LPs raise exact certificates (issue 16, item 3).

An infeasible LP raises :class:`Infeasible` with a Farkas ray ``(y_eq, y_ub)``,
an unbounded one :class:`Unbounded` with a primal ray ``d`` and a feasible
point; both pass the independent checks of :mod:`exactscreen.lp.certificate`,
and corrupted ones fail them.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import exactscreen.lp.exact as exact
from exactscreen.exceptions import ExactscreenError, Infeasible, LPError, NotCertified, Unbounded
from exactscreen.lp.certificate import check_certificate, check_farkas, check_unbounded_ray
from exactscreen.lp.exact import LinearProgram, solve_lp
from exactscreen.strategies import small_rationals

F = Fraction
SMALL = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lp(c, A_eq=(), b_eq=(), A_ub=(), b_ub=()):
    """An LP from dense rows of ints/Fractions (zeros dropped)."""

    def sparse(rows):
        return tuple(tuple((j, F(a)) for j, a in enumerate(row) if a) for row in rows)

    return LinearProgram(
        tuple(F(v) for v in c), sparse(A_eq), tuple(F(v) for v in b_eq), sparse(A_ub), tuple(F(v) for v in b_ub)
    )


INFEASIBLE = {
    # x <= -1
    "negative right-hand side": lp([1], A_ub=[[1]], b_ub=[-1]),
    # x >= 5 and x <= 2
    "two inequalities, one flipped": lp([0], A_ub=[[-1], [1]], b_ub=[-5, 2]),
    # x1 + x2 = -2, x >= 0
    "equality with a negative right-hand side": lp([1, 1], A_eq=[[1, 1]], b_eq=[-2]),
    # x1 + x2 = 3, x1 <= 1, x2 <= 1
    "equality against inequalities": lp([1, 1], A_eq=[[1, 1]], b_eq=[3], A_ub=[[1, 0], [0, 1]], b_ub=[1, 1]),
    # x1 - x2 = 1, x2 - x1 = 1 (negative coefficients on both sides)
    "two equalities": lp([0, 0], A_eq=[[1, -1], [-1, 1]], b_eq=[1, 1]),
    # 1/2 x1 - 1/3 x2 <= -1/6 forces x2 >= 1/2 (as x1 >= 0), against x2 <= 1/4
    "fractions": lp([1, 0], A_ub=[[F(1, 2), F(-1, 3)], [0, 1]], b_ub=[F(-1, 6), F(1, 4)]),
}

UNBOUNDED = {
    # max x, -x <= 0
    "one free direction": lp([1], A_ub=[[-1]], b_ub=[0]),
    # max x1 + 2 x2, x1 - x2 = 1
    "along an equality": lp([1, 2], A_eq=[[1, -1]], b_eq=[1]),
    # max x2, x1 >= 3 (negative right-hand side: phase 1 runs first), x2 - x1 <= 1
    "after phase 1": lp([0, 1], A_ub=[[-1, 0], [-1, 1]], b_ub=[-3, 1]),
    # max x1 - x2 with no rows
    "no rows": lp([1, -1]),
    # max x3, x1 + x2 = 1, x1 <= 1/2
    "equality and inequality": lp([0, 0, 1], A_eq=[[1, 1, 0]], b_eq=[1], A_ub=[[1, 0, 0]], b_ub=[F(1, 2)]),
}


def _raised(problem, **kw):
    try:
        return solve_lp(problem, **kw)
    except (Infeasible, Unbounded) as e:
        return e


def _assert_infeasible_certified(problem, e):
    assert isinstance(e, Infeasible), e
    y_eq, y_ub = e.certificate
    assert all(type(v) is Fraction for v in (*y_eq, *y_ub))
    check = check_farkas(problem, y_eq, y_ub)
    assert check.ok, check
    # corrupted rays fail the check: the negated ray has y.b > 0, the zero ray y.b = 0
    neg = check_farkas(problem, tuple(-v for v in y_eq), tuple(-v for v in y_ub))
    assert not neg.ok and any("y . b" in f for f in neg.failures)
    zero = check_farkas(problem, (F(0),) * len(y_eq), (F(0),) * len(y_ub))
    assert not zero.ok and any("y . b" in f for f in zero.failures)


def _assert_unbounded_certified(problem, e):
    assert isinstance(e, Unbounded), e
    d, x = e.certificate, e.point
    assert all(type(v) is Fraction for v in (*d, *x))
    check = check_unbounded_ray(problem, d, x)
    assert check.ok, check
    assert check_unbounded_ray(problem, d).ok  # the ray on its own
    neg = check_unbounded_ray(problem, tuple(-v for v in d), x)
    assert not neg.ok and any("c . d" in f for f in neg.failures)
    assert not check_unbounded_ray(problem, (F(0),) * len(d), x).ok


@pytest.mark.parametrize("name", sorted(INFEASIBLE))
@pytest.mark.parametrize("hint", [True, False])
def test_a_hand_made_infeasible_lp_raises_a_farkas_ray_that_passes_the_check(name, hint):
    problem = INFEASIBLE[name]
    _assert_infeasible_certified(problem, _raised(problem, use_hint=hint))


@pytest.mark.parametrize("name", sorted(UNBOUNDED))
@pytest.mark.parametrize("hint", [True, False])
def test_a_hand_made_unbounded_lp_raises_a_ray_and_point_that_pass_the_check(name, hint):
    problem = UNBOUNDED[name]
    _assert_unbounded_certified(problem, _raised(problem, use_hint=hint))


def test_the_farkas_ray_of_an_equality_against_inequalities_is_the_textbook_one():
    e = _raised(INFEASIBLE["equality against inequalities"], use_hint=False)
    # -(x1 + x2) + x1 + x2 >= 0 on the columns, -3 + 1 + 1 < 0
    assert e.certificate == ((F(-1),), (F(1), F(1)))


def test_an_unbounded_lp_from_a_warm_basis_raises_a_checked_ray_on_both_simplex_kinds(monkeypatch):
    # max x1 + x2, x1 - x2 <= 1, -x1 <= 0: the slack basis is feasible
    problem = lp([1, 1], A_ub=[[1, -1], [-1, 0]], b_ub=[1, 0])
    slack = [2, 3]
    _assert_unbounded_certified(problem, _raised(problem, warm_basis=slack))
    monkeypatch.setattr(exact, "REVISED_MIN_SIZE", 0)  # the revised simplex, no tableau
    _assert_unbounded_certified(problem, _raised(problem, warm_basis=slack))


def test_a_large_unbounded_lp_takes_the_revised_simplex_and_raises_a_checked_ray():
    # 120 variables, 120 rows x_i - x_{i+1} <= 1 (m * N = 28,800 > REVISED_MIN_SIZE)
    n = 120
    rows = [[0] * n for _ in range(n)]
    for i in range(n - 1):
        rows[i][i], rows[i][i + 1] = 1, -1
    rows[n - 1][n - 1] = -1
    problem = lp([1] * n, A_ub=rows, b_ub=[1] * n)
    assert len(problem.A_ub) * (n + n) > exact.REVISED_MIN_SIZE
    _assert_unbounded_certified(problem, _raised(problem, warm_basis=list(range(n, 2 * n))))


def test_a_ray_that_fails_the_check_raises_not_certified_never_a_wrong_certificate(monkeypatch):
    from exactscreen.lp.certificate import CertificateCheck

    monkeypatch.setattr(exact, "check_farkas", lambda *a: CertificateCheck(False, ("forced",)))
    monkeypatch.setattr(exact, "check_unbounded_ray", lambda *a: CertificateCheck(False, ("forced",)))
    for problem in (INFEASIBLE["negative right-hand side"], UNBOUNDED["one free direction"]):
        with pytest.raises(NotCertified, match="forced"):
            solve_lp(problem)


@pytest.mark.parametrize("kind", [Infeasible, Unbounded])
def test_infeasible_and_unbounded_are_still_caught_as_lp_error_and_runtime_error(kind):
    problem = INFEASIBLE["negative right-hand side"] if kind is Infeasible else UNBOUNDED["no rows"]
    for base in (LPError, RuntimeError, ExactscreenError):
        with pytest.raises(base) as info:
            solve_lp(problem)
        assert type(info.value) is kind


def test_the_checks_name_the_condition_that_failed():
    problem = lp([1, -1], A_eq=[[1, 1]], b_eq=[2], A_ub=[[1, -1]], b_ub=[-1])
    bad = check_farkas(problem, (F(-1),), (F(-3),))  # y A = (-4, 2), y . b = 1
    assert not bad.ok
    assert any("y_ub[0]" in f for f in bad.failures)
    assert any(f.startswith("column 0") for f in bad.failures)
    assert any("y . b" in f for f in bad.failures)
    assert "lengths" in check_farkas(problem, (), (F(1),)).failures[0]
    ray = check_unbounded_ray(problem, (F(-1), F(2)), (F(0), F(0)))
    assert any("d[0]" in f for f in ray.failures)
    assert any("equality row 0: A_eq d" in f for f in ray.failures)
    assert any("c . d" in f for f in ray.failures)
    assert any(f.startswith("x: equality row 0") for f in ray.failures)
    assert any("inequality row 0: A_ub d" in f for f in check_unbounded_ray(problem, (F(1), F(0))).failures)


# --------------------------------------------------------------------------
# Random small LPs
# --------------------------------------------------------------------------
@st.composite
def small_lps(draw):
    """A small LP with equality and inequality rows, right-hand sides of both signs."""
    n = draw(st.integers(1, 4))
    m_eq = draw(st.integers(0, 2))
    m_ub = draw(st.integers(0, 3))
    vals = small_rationals(-3, 3, max_denominator=3)

    def row():
        cols = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        return tuple((j, draw(vals)) for j in sorted(cols))

    return LinearProgram(
        tuple(draw(vals) for _ in range(n)),
        tuple(row() for _ in range(m_eq)), tuple(draw(vals) for _ in range(m_eq)),
        tuple(row() for _ in range(m_ub)), tuple(draw(vals) for _ in range(m_ub)),
    )


@SMALL
@given(small_lps())
def test_every_random_lp_without_an_optimum_raises_a_certificate_that_passes_and_a_corrupted_one_fails(problem):
    outcomes = [_raised(problem, use_hint=hint) for hint in (True, False)]
    assert type(outcomes[0]) is type(outcomes[1])  # HiGHS-hinted and cold exact paths agree
    event(type(outcomes[0]).__name__)
    for out in outcomes:
        if isinstance(out, Infeasible):
            _assert_infeasible_certified(problem, out)
        elif isinstance(out, Unbounded):
            _assert_unbounded_certified(problem, out)
        else:
            assert check_certificate(problem, out.x, out.y_eq, out.y_ub, out.objective).ok


@SMALL
@given(small_lps(), st.data())
def test_no_candidate_passes_the_check_of_an_outcome_the_lp_does_not_have(problem, data):
    """The checks are sound: on a feasible LP no drawn ``y`` passes as a Farkas ray (weak
    duality: a feasible ``x`` gives ``y . b >= 0``), and on a bounded one no drawn ``d``
    passes as a ray from the optimum."""
    out = _raised(problem, use_hint=False)
    if isinstance(out, Infeasible):
        return
    vals = small_rationals(-3, 3, max_denominator=3)
    y_eq = tuple(data.draw(vals) for _ in problem.A_eq)
    y_ub = tuple(data.draw(vals) for _ in problem.A_ub)
    assert not check_farkas(problem, y_eq, y_ub).ok
    if not isinstance(out, Unbounded):
        d = tuple(data.draw(vals) for _ in problem.c)
        assert not check_unbounded_ray(problem, d, out.x).ok
