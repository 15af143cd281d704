"""solve_sparse (singleton peeling + flint kernel) against flint's dense solver."""

from __future__ import annotations

from fractions import Fraction

import pytest
from flint import fmpq, fmpq_mat
from hypothesis import given, settings, strategies as st

from exactscreen.lp.sparse import SingularMatrix, solve_sparse

small = st.builds(Fraction, st.integers(-3, 3), st.integers(1, 3))


@st.composite
def systems(draw):
    n = draw(st.integers(1, 8))
    percent = draw(st.sampled_from([15, 30, 60, 100]))  # share of nonzero entries
    entries = []
    for r in range(n):
        for c in range(n):
            if draw(st.integers(0, 99)) < percent:
                entries.append((r, c, draw(small)))
    if draw(st.booleans()):  # unit diagonal pieces make singletons
        entries += [(i, i, Fraction(1)) for i in range(n) if draw(st.booleans())]
    b = [draw(small) for _ in range(n)]
    return n, entries, b


def _dense(n, entries, b, transpose):
    M = fmpq_mat(n, n)
    for r, c, v in entries:
        M[r, c] = M[r, c] + fmpq(v.numerator, v.denominator)
    if transpose:
        M = M.transpose()
    try:
        X = M.solve(fmpq_mat(n, 1, [fmpq(v.numerator, v.denominator) for v in b]))
    except ZeroDivisionError:
        return None
    return [Fraction(int(X[i, 0].p), int(X[i, 0].q)) for i in range(n)]


@settings(deadline=None, max_examples=300)
@given(systems(), st.booleans())
def test_solution_and_singularity_match_the_dense_solver(system, transpose):
    n, entries, b = system
    expected = _dense(n, entries, b, transpose)
    if expected is None:
        with pytest.raises(SingularMatrix):
            solve_sparse(n, entries, b, transpose=transpose)
    else:
        assert solve_sparse(n, entries, b, transpose=transpose) == expected


def test_triangular_system_is_solved_by_peeling_alone():
    # x0 = 1; x0 + 2 x1 = 5; x1 - x2 = 0  ->  (1, 2, 2)
    entries = [(0, 0, 1), (1, 0, 1), (1, 1, 2), (2, 1, 1), (2, 2, -1)]
    assert solve_sparse(3, entries, [1, 5, 0]) == [1, 2, 2]


def test_repeated_entries_add_up():
    assert solve_sparse(1, [(0, 0, 1), (0, 0, 1)], [4]) == [2]
