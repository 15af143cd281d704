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

An LP without an optimum has its own certificates, checked here the same way:

* **Infeasible** (:func:`check_farkas`): a *Farkas ray* ``(y_eq, y_ub)`` with

  a. ``y_ub >= 0``,
  b. ``y_eq A_eq + y_ub A_ub >= 0`` componentwise (one condition per column),
  c. ``y_eq . b_eq + y_ub . b_ub < 0``.

  If some ``x >= 0`` satisfied the rows, then ``0 <= (y_eq A_eq + y_ub A_ub) x
  <= y_eq . b_eq + y_ub . b_ub < 0`` (using a, b and ``x >= 0``): a
  contradiction, so no feasible ``x`` exists.  Farkas' lemma says that such a
  ray exists whenever the LP is infeasible (Farkas, "Theorie der einfachen
  Ungleichungen", *J. reine angew. Math.* 124 (1902) 1-27; Schrijver, *Theory
  of Linear and Integer Programming* (1986), Cor. 7.1e).

* **Unbounded** (:func:`check_unbounded_ray`): a primal ray ``d`` with

  a. ``d >= 0``,
  b. ``A_eq d = 0`` and ``A_ub d <= 0``,
  c. ``c . d > 0``.

  From any feasible ``x``, every ``x + t d`` (``t >= 0``) is feasible and its
  objective grows without bound.  A ray alone proves unboundedness only
  together with a feasible point: the check therefore also takes one
  (``x``, optional), and without it says only that the LP is infeasible or
  unbounded (the dual is infeasible, as ``d`` is a Farkas ray of the dual).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

__all__ = ["CertificateCheck", "check_certificate", "check_farkas", "check_unbounded_ray"]


@dataclass(frozen=True)
class CertificateCheck:
    """Outcome of a check: ``ok``, the list of failures, and what was checked.

    ``proves`` says what an ``ok`` check establishes (empty for the
    optimality check of :func:`check_certificate`, whose repr is unchanged).
    """

    ok: bool
    failures: tuple[str, ...]
    proves: str = field(default="", compare=False)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            if self.proves:
                return f"CertificateCheck(ok: {self.proves})"
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


def _row_sums(rows: Sequence, weights: Sequence[Fraction], n: int, where: str) -> list[Fraction] | str:
    """``sum_i weights[i] * rows[i]`` as a dense vector of ``n`` entries, or a failure message."""
    out = [Fraction(0)] * n
    for i, row in enumerate(rows):
        w = weights[i]
        for j, a in row:
            if not 0 <= j < n:
                return f"{where} row {i} names column {j}, outside 0..{n - 1}"
            if w:
                out[j] += Fraction(a) * w
    return out


def check_farkas(problem: object, y_eq: Sequence[Fraction], y_ub: Sequence[Fraction]) -> CertificateCheck:
    """Check a Farkas ray ``(y_eq, y_ub)`` proving ``problem`` infeasible; see the module docstring.

    Fails (``ok`` False, each failed condition named) unless ``y_ub >= 0``,
    ``y_eq A_eq + y_ub A_ub >= 0`` on every column and
    ``y_eq . b_eq + y_ub . b_ub < 0``, all in exact arithmetic.
    """
    n = len(problem.c)
    A_eq, b_eq = problem.A_eq, problem.b_eq
    A_ub, b_ub = problem.A_ub, problem.b_ub
    if len(y_eq) != len(A_eq) or len(y_ub) != len(A_ub):
        return CertificateCheck(False, (
            f"ray lengths {len(y_eq)} + {len(y_ub)} do not match the {len(A_eq)} + {len(A_ub)} rows",
        ))
    ye = [_exact(v, f"y_eq[{i}]") for i, v in enumerate(y_eq)]
    yu = [_exact(v, f"y_ub[{i}]") for i, v in enumerate(y_ub)]
    fails: list[str] = []
    for i, v in enumerate(yu):
        if v < 0:
            fails.append(f"y_ub[{i}] = {v} < 0")
    col_eq = _row_sums(A_eq, ye, n, "equality")
    col_ub = _row_sums(A_ub, yu, n, "inequality")
    for bad in (col_eq, col_ub):
        if isinstance(bad, str):
            return CertificateCheck(False, (bad,))
    for j in range(n):
        v = col_eq[j] + col_ub[j]
        if v < 0:
            fails.append(f"column {j}: (y A)_{j} = {v} < 0")
    yb = sum((Fraction(b) * v for b, v in zip(b_eq, ye)), Fraction(0)) + sum(
        (Fraction(b) * v for b, v in zip(b_ub, yu)), Fraction(0)
    )
    if yb >= 0:
        fails.append(f"y . b = {yb} is not < 0")
    return CertificateCheck(not fails, tuple(fails), "Farkas ray: the LP is infeasible")


def check_unbounded_ray(
    problem: object, d: Sequence[Fraction], x: Sequence[Fraction] | None = None
) -> CertificateCheck:
    """Check a primal ray ``d`` (and optionally a feasible point ``x``); see the module docstring.

    Fails (each failed condition named) unless ``d >= 0``, ``A_eq d = 0``,
    ``A_ub d <= 0`` and ``c . d > 0``; when ``x`` is given it must also be
    feasible (``x >= 0``, ``A_eq x = b_eq``, ``A_ub x <= b_ub``), and then
    ``ok`` proves the LP unbounded.  Without ``x``, ``ok`` proves that the LP
    has no optimum (infeasible or unbounded).
    """
    c = [_exact(v, "c") for v in problem.c]
    n = len(c)
    if len(d) != n:
        return CertificateCheck(False, (f"d has {len(d)} entries, the problem {n} variables",))
    if x is not None and len(x) != n:
        return CertificateCheck(False, (f"x has {len(x)} entries, the problem {n} variables",))
    ds = [_exact(v, f"d[{j}]") for j, v in enumerate(d)]
    fails: list[str] = []
    for j, v in enumerate(ds):
        if v < 0:
            fails.append(f"d[{j}] = {v} < 0")
    for name, rows in (("equality", problem.A_eq), ("inequality", problem.A_ub)):
        for i, row in enumerate(rows):
            if any(not 0 <= j < n for j, _ in row):
                return CertificateCheck(False, (f"{name} row {i} names a column outside 0..{n - 1}",))
            lhs = sum((Fraction(a) * ds[j] for j, a in row), Fraction(0))
            if name == "equality" and lhs != 0:
                fails.append(f"equality row {i}: A_eq d = {lhs} != 0")
            elif name == "inequality" and lhs > 0:
                fails.append(f"inequality row {i}: A_ub d = {lhs} > 0")
    cd = sum((cj * dj for cj, dj in zip(c, ds)), Fraction(0))
    if cd <= 0:
        fails.append(f"c . d = {cd} is not > 0")
    proves = "primal ray: the LP has no optimum (infeasible or unbounded)"
    if x is not None:
        xs = [_exact(v, f"x[{j}]") for j, v in enumerate(x)]
        proves = "feasible point and primal ray: the LP is unbounded"
        for j, v in enumerate(xs):
            if v < 0:
                fails.append(f"x[{j}] = {v} < 0")
        for i, row in enumerate(problem.A_eq):
            lhs = sum((Fraction(a) * xs[j] for j, a in row), Fraction(0))
            if lhs != problem.b_eq[i]:
                fails.append(f"x: equality row {i}: {lhs} != {problem.b_eq[i]}")
        for i, row in enumerate(problem.A_ub):
            lhs = sum((Fraction(a) * xs[j] for j, a in row), Fraction(0))
            if lhs > problem.b_ub[i]:
                fails.append(f"x: inequality row {i}: {lhs} > {problem.b_ub[i]}")
    return CertificateCheck(not fails, tuple(fails), proves)
