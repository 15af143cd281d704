"""Exact linear programming with a float hint and an exact decision.

Problem form (all data exact :class:`~fractions.Fraction`)::

    maximize    c . x
    subject to  A_eq x  = b_eq
                A_ub x <= b_ub
                x >= 0

Method (DESIGN.md, "The exact LP"):

1. **Hint.**  HiGHS solves the problem in floating point and reports an
   optimal basis (which columns and which row slacks are basic).
2. **Exact re-solve.**  Only the *core* of the basis is solved: a basic
   slack (or equality artificial) is a unit column of its own row, so
   ``B x_B = b`` and ``B^T y = c_B`` reduce to the square system of the
   basic structural columns on the rows whose slack is nonbasic, solved
   fraction-free by python-flint (``fmpz_mat`` after scaling each row to
   integers).  The basic slacks are the row activities ``b_r - A_r x`` and
   the duals of their rows are 0.  (At n = 40 types, k = 16 the core is
   about 130 x 130 instead of the 1640 x 1640 basis.)  If the check below
   fails, HiGHS is asked once more with its tightest tolerances.
3. **Exact decision.**  Primal feasibility (``x_B >= 0``), dual feasibility
   (every reduced cost ``c_j - A_j . y <= 0``, ``y_ub >= 0``) and equal
   objectives ``c . x = b . y`` are checked exactly.  Only then is the
   answer returned, with method ``"highs-basis"``.
4. **Fallback.**  If the hint is missing, singular, infeasible or not
   optimal when computed exactly (degenerate and ill-conditioned problems),
   an exact primal simplex with Bland's rule runs — warm-started from the
   HiGHS basis when that basis is exactly primal feasible
   (``"exact-simplex-warm"``; on large LPs a revised simplex refactoring
   only the core each pivot, no dense tableau), otherwise from a two-phase
   cold start (``"exact-simplex"``).  Bland's rule cannot cycle, so the
   fallback always terminates.

:func:`face_lp` writes the optimal face of a solved LP as an LP by
complementary slackness with the certified dual (columns of negative reduced
cost dropped, inequality rows with a positive dual made equalities), with the
optimal basis carried over as a primal feasible start; :func:`single_point`
certifies that a face is one point (equalities of full column rank).

Every returned solution carries a primal-dual certificate that
:mod:`exactscreen.lp.certificate` checks without sharing any code with this
module.

**No optimum.**  An LP without an optimum raises a subclass of
:class:`~exactscreen.exceptions.LPError` that carries its own exact
certificate, re-checked by :mod:`exactscreen.lp.certificate` before it is
raised (a ray that failed the check would raise
:class:`~exactscreen.exceptions.NotCertified` instead, never a wrong one):

* :class:`~exactscreen.exceptions.Infeasible` with ``certificate = (y_eq,
  y_ub)``, a *Farkas ray*: ``y_ub >= 0``, ``y_eq A_eq + y_ub A_ub >= 0``
  on every column and ``y_eq . b_eq + y_ub . b_ub < 0``, so no ``x >= 0``
  satisfies the rows (Farkas' lemma; Schrijver, *Theory of Linear and
  Integer Programming* (1986), Cor. 7.1e).  It is the optimal dual of
  phase 1 (:func:`_phase1_dual`), which is already in the LP's own data:
  the standard form adds a slack per inequality row and a signed phase-1
  artificial per row that needs one, and flips no row.
* :class:`~exactscreen.exceptions.Unbounded` with ``certificate = d``, a
  primal ray: ``d >= 0``, ``A_eq d = 0``, ``A_ub d <= 0`` and ``c . d > 0``,
  read from the entering column that has no leaving row
  (:func:`_tableau_ray`, or the revised simplex's ``B^-1 A_j``); ``point``
  is the basic feasible solution the ray starts from.

Both rays are scaled to primitive integer vectors (exact Fractions).  When
HiGHS reports an infeasible or unbounded model, its answer is only a hint:
the exact simplex decides, so every path raises a checked certificate.

References
----------
Dantzig, *Linear Programming and Extensions* (1963), ch. 7 (revised simplex);
Bland, "New finite pivoting rules for the simplex method", *Math. Oper. Res.*
2 (1977) 103-107; Applegate, Cook, Dash & Espinoza, "Exact solutions to linear
programming problems", *Oper. Res. Lett.* 35 (2007) 693-699 (float basis,
exact verification).
"""

from __future__ import annotations

import time
from math import gcd
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Sequence

from flint import fmpq, fmpq_mat, fmpz_mat, nmod_mat

from ..exceptions import Infeasible, LPError, NotCertified, Unbounded
from ..numbers import from_fmpq
from .certificate import check_farkas, check_unbounded_ray
from .sparse import solve_sparse
from . import highs
from .float_hint import hint_exponent, hint_float, hint_floats

__all__ = [
    "LinearProgram",
    "LPResult",
    "LPError",
    "solve_lp",
    "SolveStats",
    "SolveTally",
    "Face",
    "face_lp",
    "single_point",
]

Row = tuple[tuple[int, Fraction], ...]  # sparse row: ((column, coefficient), ...)


@dataclass(frozen=True)
class LinearProgram:
    """``max c.x  s.t.  A_eq x = b_eq,  A_ub x <= b_ub,  x >= 0`` with exact data.

    Rows are sparse: a tuple of ``(column, coefficient)`` pairs.
    """

    c: tuple[Fraction, ...]
    A_eq: tuple[Row, ...]
    b_eq: tuple[Fraction, ...]
    A_ub: tuple[Row, ...]
    b_ub: tuple[Fraction, ...]
    var_names: tuple[str, ...] = ()
    eq_names: tuple[str, ...] = ()
    ub_names: tuple[str, ...] = ()

    @property
    def num_vars(self) -> int:
        return len(self.c)

    def with_objective(self, c: Sequence[Fraction]) -> "LinearProgram":
        return LinearProgram(
            tuple(c), self.A_eq, self.b_eq, self.A_ub, self.b_ub,
            self.var_names, self.eq_names, self.ub_names,
        )

    def with_equality(self, row: Row, rhs: Fraction, name: str = "") -> "LinearProgram":
        return LinearProgram(
            self.c, self.A_eq + (row,), self.b_eq + (rhs,), self.A_ub, self.b_ub,
            self.var_names, self.eq_names + (name,), self.ub_names,
        )


@dataclass(frozen=True)
class LPResult:
    """An optimal solution with its exact primal-dual certificate.

    Attributes
    ----------
    x : optimal primal values (exact)
    y_eq, y_ub : dual multipliers of the equality / inequality rows
        (``y_ub >= 0``, ``A_eq^T y_eq + A_ub^T y_ub >= c``)
    objective : ``c.x``, equal to ``b_eq.y_eq + b_ub.y_ub``
    method : ``"highs-basis"``, ``"exact-simplex-warm"`` or ``"exact-simplex"``
    basis : indices of the basic columns in the standard form
        (structural columns, then one slack per ``A_ub`` row, then one
        artificial fixed at zero per ``A_eq`` row)
    stats : how :func:`solve_lp` decided (:class:`SolveStats`); None for a
        result built by another engine
    """

    x: tuple[Fraction, ...]
    y_eq: tuple[Fraction, ...]
    y_ub: tuple[Fraction, ...]
    objective: Fraction
    method: str
    basis: tuple[int, ...] = field(repr=False, default=())
    seconds: float = field(repr=False, default=0.0, compare=False)
    note: str = field(repr=False, default="", compare=False)
    stats: SolveStats | None = field(repr=False, default=None, compare=False)


@dataclass(frozen=True)
class SolveStats:
    """How one LP was decided (attached to its :class:`LPResult` as ``stats``).

    Attributes
    ----------
    method : the path that decided: ``"highs-basis"`` (HiGHS's basis accepted
        after the exact check), ``"exact-simplex-warm"`` (exact simplex from a
        feasible basis) or ``"exact-simplex"`` (cold two-phase start)
    reason : why HiGHS's basis was not accepted as is (``""`` when it was,
        at default tolerances; ``"warm basis given"``, ``"hint disabled"``, or
        what failed)
    highs_runs : HiGHS solves asked for a basis (0, 1, or 2 with the retry at
        tight tolerances)
    pivots : exact simplex pivots (0 when HiGHS's basis was accepted)
    revised : the revised simplex (core refactoring, no tableau) ran
    seconds : wall time of the solve
    """

    method: str
    reason: str = ""
    highs_runs: int = 0
    pivots: int = 0
    revised: bool = False
    seconds: float = field(default=0.0, compare=False)

    @property
    def hint_accepted(self) -> bool:
        """HiGHS's basis decided (no exact simplex pivot)."""
        return self.method == "highs-basis"


@dataclass(frozen=True)
class SolveTally:
    """The solve statistics of a result built from several exact LPs.

    Attributes
    ----------
    lps : exact LP decisions behind the result (as the result counts them;
        some are decided by a structured engine's own exact check rather
        than by :func:`solve_lp`)
    paths : ``(method, count)`` of the :func:`solve_lp` calls, in first-seen
        order (``dict(tally.paths)``)
    reasons : ``(reason, count)`` of those calls, for the non-empty reasons
    pivots : exact simplex pivots over those calls
    seconds : their total wall time
    """

    lps: int = 0
    paths: tuple[tuple[str, int], ...] = ()
    reasons: tuple[tuple[str, int], ...] = ()
    pivots: int = 0
    seconds: float = field(default=0.0, compare=False)

    @classmethod
    def of(cls, stats: "Sequence[SolveStats]", lps: int | None = None) -> "SolveTally":
        """Tally the records ``stats`` of :func:`solve_lp` calls; ``lps`` defaults to their number."""
        paths: dict[str, int] = {}
        reasons: dict[str, int] = {}
        for st in stats:
            paths[st.method] = paths.get(st.method, 0) + 1
            if st.reason:
                reasons[st.reason] = reasons.get(st.reason, 0) + 1
        return cls(
            len(stats) if lps is None else lps, tuple(paths.items()), tuple(reasons.items()),
            sum(st.pivots for st in stats), sum(st.seconds for st in stats),
        )

    @property
    def calls(self) -> int:
        """Number of :func:`solve_lp` calls tallied."""
        return sum(c for _, c in self.paths)


# --------------------------------------------------------------------------
# Standard form: columns = structural (n) + ub slacks (m_ub) + eq artificials
# (m_eq, fixed at 0).  Rows = eq rows then ub rows.
# --------------------------------------------------------------------------
class _Standard:
    def __init__(self, lp: LinearProgram):
        self.lp = lp
        self.n = lp.num_vars
        self.m_eq = len(lp.A_eq)
        self.m_ub = len(lp.A_ub)
        self.m = self.m_eq + self.m_ub
        self.N = self.n + self.m_ub + self.m_eq
        # column-wise sparse structure of the structural part
        cols: list[dict[int, Fraction]] = [dict() for _ in range(self.n)]
        for r, row in enumerate(lp.A_eq):
            for j, a in row:
                if a:
                    col = cols[j]
                    col[r] = col[r] + a if r in col else a
        for r, row in enumerate(lp.A_ub):
            rr = self.m_eq + r
            for j, a in row:
                if a:
                    col = cols[j]
                    col[rr] = col[rr] + a if rr in col else a
        self.cols = cols
        self._qcols: dict[int, list[tuple[int, fmpq]]] = {}
        self.b = list(lp.b_eq) + list(lp.b_ub)

    def qcol(self, j: int) -> list[tuple[int, fmpq]]:
        """Structural column ``j`` with flint rationals (cached; for fast exact sums)."""
        q = self._qcols.get(j)
        if q is None:
            q = self._qcols[j] = [(r, fmpq(a.numerator, a.denominator)) for r, a in self.cols[j].items()]
        return q

    def column(self, j: int) -> dict[int, Fraction]:
        if j < self.n:
            return self.cols[j]
        if j < self.n + self.m_ub:
            return {self.m_eq + (j - self.n): Fraction(1)}
        return {j - self.n - self.m_ub: Fraction(1)}

    def cost(self, j: int) -> Fraction:
        return self.lp.c[j] if j < self.n else Fraction(0)

    def is_artificial(self, j: int) -> bool:
        return j >= self.n + self.m_ub

    def unit_row(self, j: int) -> int:
        """The row of a slack or artificial column (a unit column)."""
        if j < self.n + self.m_ub:
            return self.m_eq + (j - self.n)
        return j - self.n - self.m_ub


def _mat(rows: int, cols: int, entries: dict[tuple[int, int], Fraction]) -> fmpq_mat:
    M = fmpq_mat(rows, cols)
    for (r, c), v in entries.items():
        M[r, c] = fmpq(v.numerator, v.denominator)
    return M


def _basis_solution_dense(sf: _Standard, basis: Sequence[int]):
    """Exact x_B and y from the full dense m x m basis matrix, or None if singular.

    The reference formulation: :func:`_basis_solution` computes the same
    numbers from the (much smaller) core system; tests compare the two.
    """
    m = sf.m
    entries: dict[tuple[int, int], Fraction] = {}
    for k, j in enumerate(basis):
        for r, a in sf.column(j).items():
            entries[(r, k)] = a
    B = _mat(m, m, entries)
    rhs = fmpq_mat(m, 1, [fmpq(v.numerator, v.denominator) for v in sf.b])
    cB = fmpq_mat(m, 1, [fmpq(sf.cost(j).numerator, sf.cost(j).denominator) for j in basis])
    try:
        xB = B.solve(rhs)
        y = B.transpose().solve(cB)
    except ZeroDivisionError:
        return None
    return [from_fmpq(xB[i, 0]) for i in range(m)], [from_fmpq(y[i, 0]) for i in range(m)]


def _core(sf: _Standard, basis: Sequence[int]):
    """Split a basis into its core: (core rows, basic structural columns, unit rows).

    A basic slack (or equality artificial) is a unit column of its own row, so
    after permuting, ``B = [[B_C, 0], [B_X, I]]`` with ``B_C`` the basic
    structural columns restricted to the rows whose unit column is *not*
    basic.  ``B`` is nonsingular iff ``B_C`` is.  Returns None when the core
    is not square (a repeated or out-of-range column).
    """
    unit_rows: list[int] = []
    struct: list[int] = []
    for j in basis:
        if not 0 <= j < sf.N:
            return None
        if j < sf.n:
            struct.append(j)
        else:
            unit_rows.append(sf.unit_row(j))
    covered = set(unit_rows)
    if len(covered) != len(unit_rows):
        return None
    rows = [r for r in range(sf.m) if r not in covered]
    if len(rows) != len(struct):
        return None
    return rows, struct, unit_rows


SPARSE_CORE_MIN = 40
"""Cores of at least this size are solved by :func:`exactscreen.lp.sparse.solve_sparse`
(singleton peeling, then flint on the kernel); smaller ones by flint's dense solve."""


def _lcm(a: int, b: int) -> int:
    return a // gcd(a, b) * b


class _Core:
    """The core ``B_C`` of a basis (see :func:`_core`), scaled row by row to integers.

    ``M = D B_C`` with ``D`` the diagonal of row denominators; small cores
    are solved fraction-free (flint ``fmpz_mat.solve``), cores of at least
    ``SPARSE_CORE_MIN`` rows by singleton peeling plus flint on the kernel
    (:mod:`exactscreen.lp.sparse`).  Raises ZeroDivisionError if ``B_C`` is
    singular (at the first solve).
    """

    def __init__(self, sf: _Standard, rows: list[int], struct: list[int]):
        self.sf, self.rows, self.struct = sf, rows, struct
        s = len(rows)
        self.idx = idx = {r: i for i, r in enumerate(rows)}
        den = [sf.b[r].denominator for r in rows]
        entries: list[tuple[int, int, Fraction]] = []
        for k, j in enumerate(struct):
            for r, a in sf.cols[j].items():
                i = idx.get(r)
                if i is not None and a:
                    entries.append((i, k, a))
                    if den[i] % a.denominator:
                        den[i] = _lcm(den[i], a.denominator)
        self.entries, self.size = entries, s
        self.sparse = s >= SPARSE_CORE_MIN
        M = None  # the dense integer matrix, only for the dense solves
        if not self.sparse:
            M = fmpz_mat(s, s)
            for i, k, a in entries:
                M[i, k] = a.numerator * (den[i] // a.denominator)
        self.M, self.den, self._MT = M, den, None

    @staticmethod
    def _ints(vals: Sequence[Fraction]) -> tuple[fmpz_mat, int]:
        L = 1
        for v in vals:
            if L % v.denominator:
                L = _lcm(L, v.denominator)
        return fmpz_mat(len(vals), 1, [v.numerator * (L // v.denominator) for v in vals]), L

    def solve(self, v: Sequence[Fraction]) -> list[Fraction]:
        """``z`` with ``B_C z = v`` (``v`` indexed like ``rows``)."""
        if self.sparse:  # raises SingularMatrix (a ZeroDivisionError) if singular
            return solve_sparse(self.size, self.entries, v)
        if not any(v):
            return [Fraction(0)] * len(v)
        rhs, L = self._ints([a * d for a, d in zip(v, self.den)])
        X = self.M.solve(rhs)
        return [from_fmpq(X[k, 0]) / L for k in range(len(v))]

    def solve_t(self, v: Sequence[Fraction]) -> list[Fraction]:
        """``w`` with ``B_C^T w = v`` (``v`` indexed like ``struct``, ``w`` like ``rows``)."""
        if self.sparse:
            return solve_sparse(self.size, self.entries, v, transpose=True)
        if not any(v):
            return [Fraction(0)] * len(v)
        if self._MT is None:
            self._MT = self.M.transpose()
        rhs, L = self._ints(v)
        Z = self._MT.solve(rhs)
        return [from_fmpq(Z[i, 0]) * d / L for i, d in enumerate(self.den)]


def _activity(sf: _Standard, xs: dict[int, Fraction]) -> list[Fraction]:
    """``A x`` over all rows for a sparse structural ``x`` (column -> value)."""
    acc: dict[int, fmpq] = {}
    for j, v in xs.items():
        if v:
            qv = fmpq(v.numerator, v.denominator)
            for r, a in sf.qcol(j):
                t = a * qv
                acc[r] = acc[r] + t if r in acc else t
    act = [Fraction(0)] * sf.m
    for r, v in acc.items():
        if v != 0:
            act[r] = from_fmpq(v)
    return act


def _basis_solution(sf: _Standard, basis: Sequence[int]):
    """Exact ``x_B`` (aligned with ``basis``) and ``y`` (one per row), or None if singular.

    Only the square core ``B_C x_C = b_R``, ``B_C^T y_R = c_C`` is solved
    (fraction-free: each core row is scaled to integers, then flint's
    ``fmpz_mat.solve``); the basic slacks follow from the row activities
    (``s_r = b_r - A_r x``) and the duals of rows whose slack is basic are 0.
    """
    core = _core(sf, basis)
    if core is None:
        return None
    rows, struct, _ = core
    y = [Fraction(0)] * sf.m
    xs: dict[int, Fraction] = {}
    if rows:
        C = _Core(sf, rows, struct)
        try:
            xC = C.solve([sf.b[r] for r in rows])
            yR = C.solve_t([sf.lp.c[j] for j in struct])
            if not C.sparse and not any(sf.b[r] for r in rows):
                C.M.solve(fmpz_mat(len(rows), 1))  # a zero right-hand side still checks singularity
        except ZeroDivisionError:
            return None
        xs = dict(zip(struct, xC))
        for r, v in zip(rows, yR):
            y[r] = v
    act = _activity(sf, xs)
    xB = []
    for j in basis:
        if j < sf.n:
            xB.append(xs[j])
        else:
            r = sf.unit_row(j)
            xB.append(sf.b[r] - act[r])
    return xB, y


def _reduced_cost(sf: _Standard, j: int, y: Sequence[Fraction]) -> Fraction:
    if j >= sf.n:
        return -y[sf.unit_row(j)]
    d = sf.lp.c[j]
    for r, a in sf.cols[j].items():
        if y[r]:
            d -= a * y[r]
    return d


def _verify_basis(sf: _Standard, basis: Sequence[int]):
    """Return (result-tuple, None) if the basis is exactly optimal, else (None, reason)."""
    if len(basis) != sf.m or len(set(basis)) != sf.m:
        return None, "basis has the wrong size"
    sol = _basis_solution(sf, basis)
    if sol is None:
        return None, "basis matrix singular"
    xB, y = sol
    for j, v in zip(basis, xB):
        if sf.is_artificial(j):
            if v != 0:
                return None, "primal infeasible (equality row violated)"
        elif v < 0:
            return None, "primal infeasible"
    inbasis = set(basis)
    for j in range(sf.N):
        if j in inbasis or sf.is_artificial(j):
            continue
        if _reduced_cost(sf, j, y) > 0:
            return None, "dual infeasible"
    return (xB, y), None


def _result(sf: _Standard, basis: Sequence[int], xB, y, method: str, t0: float, note: str = "") -> LPResult:
    x = [Fraction(0)] * sf.n
    for j, v in zip(basis, xB):
        if j < sf.n:
            x[j] = v
    obj = sum((ci * xi for ci, xi in zip(sf.lp.c, x)), Fraction(0))
    return LPResult(
        tuple(x), tuple(y[: sf.m_eq]), tuple(y[sf.m_eq:]), obj, method,
        tuple(basis), time.perf_counter() - t0, note,
    )


# --------------------------------------------------------------------------
# Float hint
# --------------------------------------------------------------------------
TIGHT_TOLERANCE = 1e-10  # HiGHS's smallest feasibility tolerances (a hint only)


def _highs_basis(
    sf: _Standard, start: Sequence[int] | None = None, tight: bool = False
) -> tuple[list[int] | None, str]:
    """Basic columns (standard-form indices) proposed by HiGHS, or (None, reason).

    ``start`` is a basis (standard-form indices) HiGHS's simplex starts from;
    ``tight`` sets its primal and dual feasibility tolerances to their
    smallest values.  Either way the answer is only a hint.
    """
    lp = sf.lp
    # float copies scaled block-wise by powers of 2 (same optimal bases; "1e400" fits)
    e_a = hint_exponent(v for col in sf.cols for v in col.values())
    e_b = hint_exponent([*lp.b_eq, *lp.b_ub])
    col_start, index, value = [0], [], []
    for j in range(sf.n):
        for r in sorted(sf.cols[j]):
            index.append(r)
            value.append(hint_float(sf.cols[j][r], e_a))
        col_start.append(len(index))
    h = highs.new_model(
        cost=hint_floats(lp.c),
        col_lower=[0.0] * sf.n,
        col_upper=[highs.INF] * sf.n,
        row_lower=hint_floats(lp.b_eq, e_b) + [-highs.INF] * sf.m_ub,
        row_upper=hint_floats(lp.b_eq, e_b) + hint_floats(lp.b_ub, e_b),
        start=col_start,
        index=index,
        value=value,
    )
    if tight:
        h.setOptionValue("primal_feasibility_tolerance", TIGHT_TOLERANCE)
        h.setOptionValue("dual_feasibility_tolerance", TIGHT_TOLERANCE)
    if start is not None:
        inb = set(start)
        rows = []
        for r in range(sf.m):
            unit = sf.n + sf.m_ub + r if r < sf.m_eq else sf.n + (r - sf.m_eq)
            rows.append("basic" if unit in inb else ("lower" if r < sf.m_eq else "upper"))
        highs.set_basis(h, [j in inb for j in range(sf.n)], rows)
    h.run()
    status = h.getModelStatus()
    if not highs.is_optimal(status):
        return None, f"HiGHS status {h.modelStatusToString(status)}"
    basis = h.getBasis()
    if not basis.valid:
        return None, "HiGHS returned no valid basis"
    basic = highs.basic_status()
    out = [j for j, s in enumerate(basis.col_status) if s == basic]
    for r, s in enumerate(basis.row_status):
        if s == basic:
            out.append(sf.n + (r - sf.m_eq) if r >= sf.m_eq else sf.n + sf.m_ub + r)
    return out, ""


# --------------------------------------------------------------------------
# Exact simplex (dense tableau over fmpq, Bland's rule)
# --------------------------------------------------------------------------
class _Tableau:
    """Dense tableau ``[B^-1 A | B^-1 b]`` over the rationals."""

    def __init__(self, sf: _Standard, columns: list[dict[int, Fraction]], basis: list[int]):
        self.sf = sf
        self.columns = columns
        self.N = len(columns)
        self.m = sf.m
        self.basis = list(basis)
        self.pivots = 0
        m, N = self.m, self.N
        entries: dict[tuple[int, int], Fraction] = {}
        for j, col in enumerate(columns):
            for r, a in col.items():
                entries[(r, j)] = a
        for r, v in enumerate(sf.b):
            entries[(r, N)] = v
        A = _mat(m, N + 1, entries)
        B = fmpq_mat(m, m)
        for k, j in enumerate(basis):
            for r, a in columns[j].items():
                B[r, k] = fmpq(a.numerator, a.denominator)
        T = B.solve(A)  # raises ZeroDivisionError if singular
        self.T = [[T[r, c] for c in range(N + 1)] for r in range(m)]
        self.entering = -1  # set by run() when it stops unbounded: the column with no leaving row

    def pivot(self, r: int, j: int) -> None:
        self.pivots += 1
        T = self.T
        prow = T[r]
        piv = prow[j]
        inv = 1 / piv
        prow = [v * inv for v in prow]
        T[r] = prow
        nz = [c for c, v in enumerate(prow) if v != 0]
        for i in range(self.m):
            if i == r:
                continue
            row = T[i]
            f = row[j]
            if f != 0:
                for c in nz:
                    row[c] -= f * prow[c]
        self.basis[r] = j

    def run(self, cost: list[fmpq], allowed: list[bool], max_iter: int = 10**7) -> str:
        """Maximize ``cost`` over the tableau with Bland's rule. Returns status."""
        m, N = self.m, self.N
        T = self.T
        for _ in range(max_iter):
            cb = [cost[j] for j in self.basis]
            inbasis = set(self.basis)
            entering = -1
            for j in range(N):
                if not allowed[j] or j in inbasis:
                    continue
                d = cost[j]
                for i in range(m):
                    if cb[i] != 0 and T[i][j] != 0:
                        d -= cb[i] * T[i][j]
                if d > 0:
                    entering = j
                    break
            if entering < 0:
                return "optimal"
            best_r, best_ratio = -1, None
            for i in range(m):
                a = T[i][entering]
                if a > 0:
                    ratio = T[i][N] / a
                    if (
                        best_ratio is None
                        or ratio < best_ratio
                        or (ratio == best_ratio and self.basis[i] < self.basis[best_r])
                    ):
                        best_r, best_ratio = i, ratio
            if best_r < 0:
                self.entering = entering
                return "unbounded"
            self.pivot(best_r, entering)
        raise LPError("exact simplex exceeded its iteration limit")  # pragma: no cover


def _drive_out(tab: _Tableau, bad, allowed: list[bool]) -> None:
    """Pivot every basic column with ``bad(j)`` out, at value zero, if the row allows.

    A row whose entries are zero in every allowed column is redundant: its
    basic variable stays (at zero) and, as the entering columns are allowed
    ones, the row never changes again.
    """
    N = tab.N
    for i in range(tab.m):
        if not bad(tab.basis[i]):
            continue
        basic = set(tab.basis)
        for jj in range(N):
            if allowed[jj] and jj not in basic and tab.T[i][jj] != 0:
                tab.pivot(i, jj)
                break


def _revised_simplex(sf: _Standard, basis: list[int], max_iter: int = 10**7, pivots: list[int] | None = None) -> list[int]:
    """Exact primal simplex with Bland's rule from an exactly primal feasible basis,
    without a tableau: each iteration refactors only the core (:class:`_Core`),
    prices every nonbasic column sparsely with ``y`` and computes the entering
    column ``B^-1 A_j`` from the core.  The pivots are those of the tableau
    simplex (same entering and leaving rules), so it terminates the same way.
    Requires no basic equality artificial.  Returns the optimal basis
    (``pivots[0]``, if given, counts the pivots).
    """
    basis = list(basis)
    sol = _basis_solution(sf, basis)
    if sol is None:
        raise LPError("revised simplex: singular starting basis")
    xB = list(sol[0])
    for _ in range(max_iter):
        rows, struct, _ = _core(sf, basis)  # type: ignore[misc]
        C = _Core(sf, rows, struct)
        y = [Fraction(0)] * sf.m
        if rows:
            for r, v in zip(rows, C.solve_t([sf.lp.c[j] for j in struct])):
                y[r] = v
        inbasis = set(basis)
        entering = -1
        for j in range(sf.n + sf.m_ub):
            if j not in inbasis and _reduced_cost(sf, j, y) > 0:
                entering = j
                break
        if entering < 0:
            return basis
        col = sf.column(entering)
        dC = C.solve([col.get(r, Fraction(0)) for r in rows]) if rows else []
        act = _activity(sf, dict(zip(struct, dC)))
        dpos = dict(zip(struct, dC))
        best_k, best_ratio = -1, None
        d = []
        for k, j in enumerate(basis):
            if j < sf.n:
                dk = dpos[j]
            else:
                r = sf.unit_row(j)
                dk = col.get(r, Fraction(0)) - act[r]
            d.append(dk)
            if dk > 0:
                ratio = xB[k] / dk
                if best_ratio is None or ratio < best_ratio or (ratio == best_ratio and j < basis[best_k]):
                    best_k, best_ratio = k, ratio
        if best_k < 0:
            # B^-1 A_j <= 0: x_j = t, x_B = x_B - t d stays feasible for every t >= 0
            ray = [Fraction(0)] * sf.n
            point = [Fraction(0)] * sf.n
            if entering < sf.n:
                ray[entering] = Fraction(1)
            for j, dk, v in zip(basis, d, xB):
                if j < sf.n:
                    ray[j] = -dk
                    point[j] = v
            _raise_unbounded(sf, ray, point)
        theta = best_ratio
        xB = [v - theta * dk for v, dk in zip(xB, d)]
        xB[best_k] = theta
        basis[best_k] = entering
        if pivots is not None:
            pivots[0] += 1
    raise LPError("exact simplex exceeded its iteration limit")  # pragma: no cover


# --------------------------------------------------------------------------
# Certificates of infeasibility and unboundedness
# --------------------------------------------------------------------------
def _primitive(v: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """``v`` times the positive rational that makes it a primitive integer vector
    (a ray's direction is all that counts; this keeps certificates short)."""
    den = 1
    for a in v:
        if den % a.denominator:
            den = _lcm(den, a.denominator)
    ints = [a.numerator * (den // a.denominator) for a in v]
    g = 0
    for a in ints:
        g = gcd(g, a)
    g = g or 1
    return tuple(Fraction(a // g) for a in ints)


def _phase1_dual(sf: _Standard, tab: _Tableau, cost1: Sequence[fmpq]) -> list[Fraction]:
    """The optimal dual ``y = c_B B^-1`` of phase 1, one entry per row of the standard form.

    Phase 1 maximizes ``-sum(a)`` over ``A x + s + S a = b`` (``S`` the
    signs of the artificials, no row of the data is flipped), so its optimal
    dual satisfies ``y A_j >= 0`` for every structural column (reduced cost
    ``0 - y A_j <= 0``), ``y_r >= 0`` for every inequality row (the slack's
    reduced cost ``-y_r <= 0``), and ``y . b`` equals the phase-1 optimum,
    which is negative when the LP is infeasible: a Farkas ray in the LP's own
    data.  Row ``r``'s entry is read from the tableau column of the unit
    column of that row (the slack of an inequality row, the fixed artificial
    of an equality row): ``B^-1 e_r``.
    """
    cb = [cost1[j] for j in tab.basis]
    y = []
    for r in range(sf.m):
        u = sf.n + (r - sf.m_eq) if r >= sf.m_eq else sf.n + sf.m_ub + r
        acc = fmpq(0)
        for i in range(sf.m):
            if cb[i] != 0:
                t = tab.T[i][u]
                if t != 0:
                    acc += cb[i] * t
        y.append(from_fmpq(acc))
    return y


def _tableau_ray(sf: _Standard, tab: _Tableau) -> tuple[list[Fraction], list[Fraction]]:
    """(ray, point) on the structural columns when ``tab.run`` stopped unbounded.

    The entering column ``j`` has ``B^-1 A_j <= 0``: raising ``x_j`` by
    ``t`` and moving the basic variables by ``-t B^-1 A_j`` keeps every
    standard-form row and sign, so its structural part ``d`` has ``d >= 0``,
    ``A_eq d = 0`` (the basic fixed artificials sit in rows that are zero on
    every allowed column) and ``A_ub d = -(slack part) <= 0``; ``c d`` is the
    entering column's positive reduced cost.  ``point`` is the current basic
    feasible solution.
    """
    j = tab.entering
    ray = [Fraction(0)] * sf.n
    point = [Fraction(0)] * sf.n
    if 0 <= j < sf.n:
        ray[j] = Fraction(1)
    for i, b in enumerate(tab.basis):
        if b < sf.n:
            ray[b] = from_fmpq(-tab.T[i][j])
            point[b] = from_fmpq(tab.T[i][-1])
    return ray, point


def _raise_infeasible(sf: _Standard, y: Sequence[Fraction]) -> None:
    """Raise :class:`Infeasible` with the Farkas ray ``y``, after the independent check."""
    y = _primitive(y)
    y_eq, y_ub = y[: sf.m_eq], y[sf.m_eq:]
    check = check_farkas(sf.lp, y_eq, y_ub)
    if not check.ok:  # pragma: no cover - would be a bug in phase 1
        raise NotCertified(f"the LP looks infeasible but its Farkas ray fails the check: {check!r}")
    raise Infeasible("the LP is infeasible", certificate=(y_eq, y_ub))


def _raise_unbounded(sf: _Standard, ray: Sequence[Fraction], point: Sequence[Fraction]) -> None:
    """Raise :class:`Unbounded` with the ray and a feasible point, after the independent check."""
    d = _primitive(ray)
    x = tuple(point)
    check = check_unbounded_ray(sf.lp, d, x)
    if not check.ok:  # pragma: no cover - would be a bug in the simplex
        raise NotCertified(f"the LP looks unbounded but its ray fails the check: {check!r}")
    raise Unbounded("the LP is unbounded", certificate=d, point=x)


REVISED_MIN_SIZE = 20_000
"""Warm starts on LPs with ``m * N`` above this use :func:`_revised_simplex`
(no dense ``m x N`` tableau); smaller ones the tableau simplex."""


def _exact_simplex(sf: _Standard, warm: list[int] | None, t0: float) -> LPResult:
    """Two-phase exact primal simplex with Bland's rule (always terminates)."""
    m, N = sf.m, sf.N
    cols = [sf.column(j) for j in range(N)]
    fixed = [sf.is_artificial(j) for j in range(N)]
    allowed = [not f for f in fixed]
    if warm is not None:
        method = "exact-simplex-warm"
        basis = list(warm)
        if m * N > REVISED_MIN_SIZE and not any(fixed[j] for j in basis):
            count = [0]
            basis = _revised_simplex(sf, basis, pivots=count)
            checked, reason = _verify_basis(sf, basis)
            if checked is None:  # pragma: no cover - would be a bug in the simplex
                raise LPError(f"revised simplex ended on a basis that fails verification: {reason}")
            res = _result(sf, basis, checked[0], checked[1], method, t0, "revised simplex")
            return replace(res, stats=SolveStats(method, pivots=count[0], revised=True, seconds=res.seconds))
    pivots = 0
    if warm is None:
        method = "exact-simplex"
        # Phase 1: one signed artificial per row that lacks a usable slack.
        basis = []
        p1: list[dict[int, Fraction]] = []
        for r in range(m):
            if r >= sf.m_eq and sf.b[r] >= 0:
                basis.append(sf.n + (r - sf.m_eq))  # the row's own slack
            else:
                basis.append(N + len(p1))
                p1.append({r: Fraction(-1) if sf.b[r] < 0 else Fraction(1)})
        if p1:
            tab = _Tableau(sf, cols + p1, basis)
            cost1 = [fmpq(0)] * N + [fmpq(-1)] * len(p1)
            allowed1 = allowed + [True] * len(p1)
            tab.run(cost1, allowed1)
            if any(tab.basis[i] >= N and tab.T[i][-1] != 0 for i in range(m)):
                _raise_infeasible(sf, _phase1_dual(sf, tab, cost1))
            # Drive phase-1 artificials out using any standard column; the
            # standard form has full row rank (it contains I), so this always
            # succeeds, using a fixed-zero artificial for redundant rows.
            _drive_out(tab, lambda j: j >= N, allowed + [False] * len(p1))
            _drive_out(tab, lambda j: j >= N, [True] * N + [False] * len(p1))
            basis = list(tab.basis)
            pivots = tab.pivots
            if any(j >= N for j in basis):  # pragma: no cover - impossible by rank
                raise LPError("phase 1 could not reach a standard-form basis")
    tab = _Tableau(sf, cols, basis)
    _drive_out(tab, lambda j: fixed[j], allowed)
    cost = [fmpq(sf.cost(j).numerator, sf.cost(j).denominator) for j in range(N)]
    if tab.run(cost, allowed) == "unbounded":
        _raise_unbounded(sf, *_tableau_ray(sf, tab))
    checked, reason = _verify_basis(sf, tab.basis)
    if checked is None:  # pragma: no cover - would be a bug in the simplex
        raise LPError(f"exact simplex ended on a basis that fails verification: {reason}")
    xB, y = checked
    res = _result(sf, tab.basis, xB, y, method, t0)
    return replace(res, stats=SolveStats(method, pivots=pivots + tab.pivots, seconds=res.seconds))


def _primal_feasible(sf: _Standard, basis: Sequence[int]) -> bool:
    if len(basis) != sf.m or len(set(basis)) != sf.m:
        return False
    sol = _basis_solution(sf, basis)
    if sol is None:
        return False
    return not any((v != 0) if sf.is_artificial(j) else (v < 0) for j, v in zip(basis, sol[0]))


def solve_lp(
    lp: LinearProgram,
    *,
    use_hint: bool = True,
    warm_basis: Sequence[int] | None = None,
    hint_basis: Sequence[int] | None = None,
) -> LPResult:
    """Solve ``lp`` exactly (see module docstring).

    Raises :class:`~exactscreen.exceptions.Infeasible` (with a checked Farkas
    ray ``(y_eq, y_ub)``) or :class:`~exactscreen.exceptions.Unbounded` (with
    a checked primal ray ``d`` and a feasible ``point``) when the LP has no
    optimum; both are :class:`LPError` subclasses.  A bare :class:`LPError`
    means a bad ``warm_basis`` or a method that could not finish.

    Parameters
    ----------
    use_hint
        If False, skip HiGHS and run the exact simplex from a cold start
        (used by tests to cross-check the two paths).
    warm_basis
        A basis (standard-form column indices, see :class:`LPResult`) that is
        exactly primal feasible: skip HiGHS and run the exact simplex from it.
        Raises :class:`LPError` if it is not a feasible basis.
    hint_basis
        A basis expected to be primal feasible (e.g. the optimal basis of a
        related LP with the same rows): HiGHS starts its simplex from it, and
        if HiGHS's answer fails the exact check, the exact simplex starts from
        ``hint_basis`` when it is exactly primal feasible (instead of a cold
        start).  Only a hint: an unusable one is ignored.
    """
    t0 = time.perf_counter()
    sf = _Standard(lp)
    if warm_basis is not None:
        basis = list(warm_basis)
        if len(basis) != sf.m or len(set(basis)) != sf.m or not all(0 <= j < sf.N for j in basis):
            raise LPError(f"warm_basis: need {sf.m} distinct column indices in [0, {sf.N})")
        sol = _basis_solution(sf, basis)
        if sol is None:
            raise LPError("warm_basis: the basis matrix is singular")
        if any((v != 0) if sf.is_artificial(j) else (v < 0) for j, v in zip(basis, sol[0])):
            raise LPError("warm_basis: the basis is not primal feasible")
        res = _exact_simplex(sf, basis, t0)
        return _with_stats(res, "warm basis given", 0)
    if hint_basis is not None:
        hint_basis = list(hint_basis)
        if len(hint_basis) != sf.m or not all(0 <= j < sf.N for j in hint_basis):
            hint_basis = None
    reason = "hint disabled"
    feasible: list[int] | None = None  # an exactly primal feasible basis seen on the way
    runs = 0
    if use_hint:
        reasons = []
        for tight in (False, True):
            runs += 1
            basis, why = _highs_basis(sf, hint_basis, tight)
            if basis is None:
                reasons.append(why)
                if tight:
                    break
                continue
            checked, why = _verify_basis(sf, basis)
            if checked is not None:
                xB, y = checked
                path = "highs-basis" if not tight else "highs-basis (tight tolerances)"
                note = "" if not tight else f"HiGHS basis at default tolerances: {reasons[0]}; {path}"
                res = _result(sf, basis, xB, y, "highs-basis", t0, note)
                why = "" if not tight else f"retry with tight tolerances after: {reasons[0]}"
                return _with_stats(res, why, runs)
            reasons.append(why)
            if why == "dual infeasible" and feasible is None:
                feasible = basis
        reason = "; ".join(dict.fromkeys(reasons))
    if feasible is None and hint_basis is not None and _primal_feasible(sf, hint_basis):
        feasible = hint_basis
    if feasible is not None:
        res = _exact_simplex(sf, feasible, t0)
        src = "hint basis" if feasible is hint_basis else "HiGHS basis"
        kind = "revised simplex" if res.note == "revised simplex" else "simplex"
        return _with_stats(replace(res, note=f"HiGHS basis: {reason}; exact {kind} from the {src}"), reason, runs)
    res = _exact_simplex(sf, None, t0)
    return _with_stats(replace(res, note=f"no usable HiGHS basis: {reason}"), reason, runs)


def _with_stats(res: LPResult, reason: str, highs_runs: int) -> LPResult:
    """``res`` with its :class:`SolveStats` completed (reason, HiGHS runs, the whole solve's time)."""
    pivots, revised = (res.stats.pivots, res.stats.revised) if res.stats is not None else (0, False)
    return replace(res, stats=SolveStats(res.method, reason, highs_runs, pivots, revised, res.seconds))


# --------------------------------------------------------------------------
# The optimal face by complementary slackness
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Face:
    """The set of optimal solutions of an LP, written as an LP of its own.

    Built by :func:`face_lp` from a certified optimum ``(x*, y*)``: a
    feasible ``x`` is optimal iff it is complementary to ``y*`` (exact LP
    duality), i.e. ``x_j = 0`` for every column of negative reduced cost
    ``c_j - A_j . y*`` and ``A_r x = b_r`` for every inequality row with
    ``y*_r > 0``.  ``lp`` keeps the other columns (``columns`` maps them to
    the columns of the root LP; the dropped ones are 0) and has those rows as
    equalities (after the original equality rows).  Its objective is the
    root LP's restricted to ``columns``; set another with :meth:`objective`.

    Attributes
    ----------
    lp : the face as an LP over the kept columns
    columns : root-LP column of each column of ``lp``
    num_vars : number of columns of the root LP
    ub_rows : root-LP inequality row of each inequality row of ``lp``
    tight : root-LP inequality rows that hold with equality on the whole face
    basis : the optimal basis of the parent LP, mapped into ``lp``'s
        standard form; exactly primal feasible for ``lp`` (``x*`` is its
        basic solution).  Empty if the parent result carried no basis.
    x : the optimum ``x*`` in root-LP coordinates (a point of the face)
    """

    lp: LinearProgram
    columns: tuple[int, ...]
    num_vars: int
    ub_rows: tuple[int, ...]
    tight: frozenset[int]
    basis: tuple[int, ...]
    x: tuple[Fraction, ...]

    def objective(self, c: Sequence[Fraction]) -> tuple[Fraction, ...]:
        """Restrict an objective over the root LP's columns to the face's columns."""
        return tuple(c[j] for j in self.columns)

    def expand(self, x: Sequence[Fraction]) -> tuple[Fraction, ...]:
        """A point of ``lp`` in root-LP coordinates (dropped columns are 0)."""
        out = [Fraction(0)] * self.num_vars
        for j, v in zip(self.columns, x):
            out[j] = v
        return tuple(out)

    @property
    def is_single_point(self) -> bool:
        """True if the face is certified to be the single point ``x``; see :func:`single_point`."""
        return single_point(self.lp)


def face_lp(lp: LinearProgram, result: LPResult, parent: Face | None = None) -> Face:
    """The optimal face of ``lp`` from its certified optimum ``result`` (see :class:`Face`).

    ``parent``: when ``lp`` is itself ``parent.lp`` (with some objective), the
    returned face is expressed in the coordinates of the parent's root LP,
    so faces of faces (lexicographic optimization) compose.
    """
    sf = _Standard(lp)
    y = list(result.y_eq) + list(result.y_ub)
    if len(y) != sf.m or len(result.x) != sf.n:
        raise LPError("face_lp: the result does not belong to this LP")
    keep = []
    for j in range(sf.n):
        d = _reduced_cost(sf, j, y)
        if d > 0:
            raise LPError("face_lp: the result's dual is not feasible (positive reduced cost)")
        if d == 0:
            keep.append(j)
    if any(v < 0 for v in result.y_ub):
        raise LPError("face_lp: the result's dual is not feasible (negative inequality dual)")
    pos = {j: i for i, j in enumerate(keep)}

    def restrict(row: Row) -> Row:
        return tuple((pos[j], a) for j, a in row if j in pos)

    tight_local = [r for r, v in enumerate(result.y_ub) if v > 0]
    loose_local = [r for r, v in enumerate(result.y_ub) if v == 0]
    A_eq = tuple(restrict(row) for row in lp.A_eq) + tuple(restrict(lp.A_ub[r]) for r in tight_local)
    b_eq = tuple(lp.b_eq) + tuple(lp.b_ub[r] for r in tight_local)
    A_ub = tuple(restrict(lp.A_ub[r]) for r in loose_local)
    b_ub = tuple(lp.b_ub[r] for r in loose_local)
    names = lp.var_names
    ub_names = lp.ub_names
    face = LinearProgram(
        tuple(lp.c[j] for j in keep), A_eq, b_eq, A_ub, b_ub,
        tuple(names[j] for j in keep) if names else (),
        (tuple(lp.eq_names) + tuple(ub_names[r] for r in tight_local)) if lp.eq_names and ub_names else (),
        tuple(ub_names[r] for r in loose_local) if ub_names else (),
    )
    # map the optimal basis: its structural columns have reduced cost 0 (kept),
    # its basic slacks belong to rows with dual 0 (still inequalities)
    n2, m_eq2, m_ub2 = len(keep), len(A_eq), len(A_ub)
    loose_pos = {r: i for i, r in enumerate(loose_local)}
    basis: list[int] = []
    for j in result.basis:
        if j < sf.n:
            if j not in pos:
                basis = []
                break
            basis.append(pos[j])
        elif j < sf.n + sf.m_ub:
            r = j - sf.n
            if r not in loose_pos:
                basis = []
                break
            basis.append(n2 + loose_pos[r])
        else:
            basis.append(n2 + m_ub2 + (j - sf.n - sf.m_ub))
    if len(basis) != m_eq2 + m_ub2:
        basis = []
    if parent is None:
        columns, num_vars, ub_rows, tight0 = tuple(keep), sf.n, tuple(range(sf.m_ub)), frozenset()
        x = tuple(result.x)
    else:
        columns = tuple(parent.columns[j] for j in keep)
        num_vars, ub_rows, tight0 = parent.num_vars, parent.ub_rows, parent.tight
        x = parent.expand(result.x)
    return Face(
        face, columns, num_vars,
        tuple(ub_rows[r] for r in loose_local),
        tight0 | frozenset(ub_rows[r] for r in tight_local),
        tuple(basis), x,
    )


_RANK_PRIME = 2**61 - 1


def single_point(lp: LinearProgram) -> bool:
    """True if ``lp``'s equality rows have full column rank, so its feasible set has at
    most one point.

    Exact: the rows are scaled to integers; a full rank modulo a prime
    proves a full rank over the rationals (a nonzero minor mod p is nonzero);
    otherwise flint's exact integer rank decides.  Sufficient, not necessary,
    for a single point (inequalities and ``x >= 0`` can also pin it).
    """
    n = lp.num_vars
    if n == 0:
        return True
    if len(lp.A_eq) < n:
        return False
    rows = []
    for row in lp.A_eq:
        den = 1
        for _, a in row:
            if den % a.denominator:
                den = _lcm(den, a.denominator)
        rows.append([(j, a.numerator * (den // a.denominator)) for j, a in row if a])
    M = nmod_mat(len(rows), n, _RANK_PRIME)
    for i, row in enumerate(rows):
        for j, v in row:
            M[i, j] = M[i, j] + v % _RANK_PRIME
    if M.rank() == n:
        return True
    Z = fmpz_mat(len(rows), n)
    for i, row in enumerate(rows):
        for j, v in row:
            Z[i, j] = Z[i, j] + v
    return Z.rank() == n
