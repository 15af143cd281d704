"""Exact solution of a sparse square linear system: singleton peeling, then flint.

Basis matrices of the mechanism LP (and of the face LPs derived from it)
are very sparse and nearly triangular: bound rows ``z_j <= 1``, lottery rows
of excluded types and unit slack columns each hold one unknown.  Peeling
those off first (row singletons are solved at once, column singletons are
solved last, from their own row) leaves a small *kernel* that python-flint
solves exactly (fraction-free, Dixon's p-adic method when large).  This is
the triangularization step of sparse LU (Duff, Erisman & Reid, *Direct
Methods for Sparse Matrices*, ch. 6), done in exact arithmetic.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from typing import Iterable, Sequence

from flint import fmpq_mat, fmpz_mat

from ..numbers import from_fmpq

__all__ = ["solve_sparse", "SingularMatrix"]


class SingularMatrix(ZeroDivisionError):
    """The system's matrix is singular."""


def solve_sparse(
    size: int, entries: Iterable[tuple[int, int, Fraction | int]], rhs: Sequence[Fraction | int],
    *, transpose: bool = False,
) -> list[Fraction]:
    """Exact ``x`` with ``A x = rhs`` (or ``A^T x = rhs``), ``A`` given by ``(row, col, value)`` entries.

    Repeated ``(row, col)`` entries are added.  Raises :class:`SingularMatrix`
    if ``A`` is singular.
    """
    rows: list[dict[int, Fraction]] = [dict() for _ in range(size)]
    for r, c, v in entries:
        if transpose:
            r, c = c, r
        if v:
            rows[r][c] = rows[r].get(c, 0) + Fraction(v)
    for row in rows:
        for c in [c for c, v in row.items() if v == 0]:
            del row[c]
    b = [Fraction(v) for v in rhs]
    b0 = list(b)  # deferred rows are back-substituted from their original equation
    cols: list[set[int]] = [set() for _ in range(size)]
    for r, row in enumerate(rows):
        for c in row:
            cols[c].add(r)
    x: list[Fraction | None] = [None] * size
    live = [len(row) for row in rows]  # unknowns of each row not yet solved or deferred
    row_alive = [True] * size
    col_alive = [True] * size
    deferred: list[tuple[int, int]] = []  # (row, col): col solved last from row

    stack_r = [r for r in range(size) if len(rows[r]) == 1]
    stack_c = [c for c in range(size) if len(cols[c]) == 1]

    def drop_row(r: int) -> None:
        row_alive[r] = False
        for c in rows[r]:
            cols[c].discard(r)
            if col_alive[c] and len(cols[c]) == 1:
                stack_c.append(c)

    while stack_r or stack_c:
        if stack_r:
            r = stack_r.pop()
            if not row_alive[r]:
                continue
            if live[r] != 1:
                if not live[r]:
                    raise SingularMatrix("a row lost all its unknowns")
                continue
            c = next(c for c in rows[r] if col_alive[c])
            v = b[r] / rows[r][c]
            x[c] = v
            col_alive[c] = False
            drop_row(r)
            for r2 in list(cols[c]):
                b[r2] -= rows[r2][c] * v
                cols[c].discard(r2)
                live[r2] -= 1
                if live[r2] == 1:
                    stack_r.append(r2)
                elif live[r2] == 0:
                    raise SingularMatrix("a row lost all its unknowns")
        else:
            c = stack_c.pop()
            if not col_alive[c] or len(cols[c]) != 1:
                continue
            (r,) = tuple(cols[c])
            col_alive[c] = False
            deferred.append((r, c))
            drop_row(r)
    kr = [r for r in range(size) if row_alive[r]]
    kc = [c for c in range(size) if col_alive[c]]
    if len(kr) != len(kc):  # pragma: no cover - peeling removes rows and columns in pairs
        raise SingularMatrix("kernel is not square")
    if kr:
        pos = {c: a for a, c in enumerate(kc)}
        m = len(kr)
        M = fmpz_mat(m, m)
        rhs_k = fmpz_mat(m, 1)
        for i, r in enumerate(kr):
            d = b[r].denominator
            for c, v in rows[r].items():
                if col_alive[c]:
                    d = lcm(d, v.denominator)
            for c, v in rows[r].items():
                if col_alive[c]:
                    M[i, pos[c]] = int(v * d)
            rhs_k[i, 0] = int(b[r] * d)
        try:
            X = M.solve(rhs_k) if m < 60 else fmpq_mat(M).solve(fmpq_mat(rhs_k), algorithm="dixon")
        except ZeroDivisionError as e:
            raise SingularMatrix(str(e)) from None
        for a, c in enumerate(kc):
            x[c] = from_fmpq(X[a, 0])
    for r, c in reversed(deferred):
        rest = sum((v * x[c2] for c2, v in rows[r].items() if c2 != c), Fraction(0))
        x[c] = (b0[r] - rest) / rows[r][c]
    return x  # type: ignore[return-value]
