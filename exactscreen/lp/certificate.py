"""Independent checker of an LP optimality certificate.

Shares no code with :mod:`exactscreen.lp.exact`: it reads the problem data by
attribute (``c, A_eq, b_eq, A_ub, b_ub`` with sparse rows of
``(column, coefficient)`` pairs) and checks, in plain
:class:`fractions.Fraction` arithmetic, the three conditions of LP duality
for ``max c.x s.t. A_eq x = b_eq, A_ub x <= b_ub, x >= 0``:

1. primal feasibility: ``x >= 0``, ``A_eq x = b_eq``, ``A_ub x <= b_ub``;
2. dual feasibility: ``y_ub >= 0`` and ``A_eq^T y_eq + A_ub^T y_ub >= c``;
3. equal objectives: ``c.x = b_eq.y_eq + b_ub.y_ub`` (= the claimed value).

By weak duality, 1-3 prove that ``x`` is optimal and the claimed value is
the optimum.  ``exactscreen verify FILE`` re-runs this check on a certificate
document written by ``exactscreen solve FILE --certificate FILE``
(:mod:`exactscreen.mechanisms.audit`); ``solve --json`` reports the outcome
of the solver's own check but carries no duals.

With ``names = (column names, equality row names, inequality row names)``
the failures name columns and rows and start with the condition that
failed (``"primal: "``, ``"dual: "`` or ``"objective: "``); without, they
use indices, as they always have.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

__all__ = ["CertificateCheck", "check_certificate"]


@dataclass(frozen=True)
class CertificateCheck:
    """Outcome of :func:`check_certificate`: ``ok`` and the list of failures."""

    ok: bool
    failures: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return "CertificateCheck(ok: primal feasible, dual feasible, objectives equal)"
        return f"CertificateCheck(FAILED: {'; '.join(self.failures[:5])})"


def _exact(v: object, where: str) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
        raise TypeError(f"{where}: certificate entries must be int or Fraction, got {v!r}")
    return Fraction(v)


def check_certificate(
    problem: object,
    x: Sequence[Fraction],
    y_eq: Sequence[Fraction],
    y_ub: Sequence[Fraction],
    objective: Fraction,
    names: tuple[Sequence[str], Sequence[str], Sequence[str]] | None = None,
) -> CertificateCheck:
    """Check a primal-dual certificate exactly; see the module docstring (and for ``names``)."""
    c = [_exact(v, "c") for v in problem.c]
    n = len(c)
    A_eq, b_eq = problem.A_eq, problem.b_eq
    A_ub, b_ub = problem.A_ub, problem.b_ub
    fails: list[str] = []
    if len(x) != n:
        return CertificateCheck(False, (f"x has {len(x)} entries, the problem {n} variables",))
    if len(y_eq) != len(A_eq) or len(y_ub) != len(A_ub):
        return CertificateCheck(False, ("dual vector lengths do not match the rows",))
    xs = [_exact(v, f"x[{j}]") for j, v in enumerate(x)]
    ye = [_exact(v, f"y_eq[{i}]") for i, v in enumerate(y_eq)]
    yu = [_exact(v, f"y_ub[{i}]") for i, v in enumerate(y_ub)]
    obj = _exact(objective, "objective")

    if names is None:
        col_name = eq_name = ub_name = None
    else:
        col_name, eq_name, ub_name = names

    for j, v in enumerate(xs):
        if v < 0:
            fails.append(f"x[{j}] = {v} < 0" if col_name is None else f"primal: {col_name[j]} = {v} < 0")
    for i, row in enumerate(A_eq):
        lhs = sum((Fraction(a) * xs[j] for j, a in row), Fraction(0))
        if lhs != b_eq[i]:
            fails.append(f"equality row {i}: {lhs} != {b_eq[i]}" if eq_name is None
                         else f"primal: row {eq_name[i]}: {lhs} != {b_eq[i]}")
    for i, row in enumerate(A_ub):
        lhs = sum((Fraction(a) * xs[j] for j, a in row), Fraction(0))
        if lhs > b_ub[i]:
            fails.append(f"inequality row {i}: {lhs} > {b_ub[i]}" if ub_name is None
                         else f"primal: row {ub_name[i]} violated: {lhs} > {b_ub[i]}")

    for i, v in enumerate(yu):
        if v < 0:
            fails.append(f"y_ub[{i}] = {v} < 0" if ub_name is None
                         else f"dual: multiplier of {ub_name[i]} = {v} < 0")
    col = [Fraction(0)] * n
    for i, row in enumerate(A_eq):
        for j, a in row:
            col[j] += Fraction(a) * ye[i]
    for i, row in enumerate(A_ub):
        for j, a in row:
            col[j] += Fraction(a) * yu[i]
    for j in range(n):
        if col[j] < c[j]:
            fails.append(f"dual constraint of column {j}: {col[j]} < c = {c[j]}" if col_name is None
                         else f"dual: constraint of column {col_name[j]}: {col[j]} < c = {c[j]}")

    primal = sum((cj * xj for cj, xj in zip(c, xs)), Fraction(0))
    dual = sum((Fraction(b) * v for b, v in zip(b_eq, ye)), Fraction(0)) + sum(
        (Fraction(b) * v for b, v in zip(b_ub, yu)), Fraction(0)
    )
    tag = "" if names is None else "objective: "
    if primal != obj:
        fails.append(f"{tag}c.x = {primal} differs from the claimed objective {obj}")
    if dual != obj:
        fails.append(f"{tag}dual objective {dual} differs from the claimed objective {obj}")
    return CertificateCheck(not fails, tuple(fails))
