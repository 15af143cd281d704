"""Certified exact solving of the mechanism LP at scale (issue 8).

The LP of paper 000, Sec. 3 (:func:`exactscreen.mechanisms.optimum.mechanism_lp`) has
``n(k+2)`` columns and ``n + n^2`` rows; a calibrated market with hundreds
of types has millions of nonzeros.  :func:`exactscreen.lp.exact.solve_lp` handles
any LP but builds it from :class:`~fractions.Fraction` rows and re-solves the
whole basis exactly.  This module uses the structure of *this* LP:

1. **Integer-scaled, vectorized build.**  Net values are scaled by their
   common denominator ``s`` once; the float model for HiGHS is assembled
   with numpy, row block by row block (a float *copy* of exact data: it only
   suggests).
2. **IC constraints added lazily** (cutting planes; Dantzig, Fulkerson &
   Johnson 1954).  The float model starts with the lotteries and IR rows;
   after each HiGHS solve the IC rows it violates (per type, the most
   violated few) are added and HiGHS re-solves from its current basis.
3. **Exact core solve.**  At HiGHS's final basis, rows whose slack is basic
   drop out; the remaining square *core* (basic structural columns against
   rows at their bound: a few hundred at ``(150, 64)``) is solved exactly by
   python-flint (Dixon's p-adic solver on integer data).  Duals are zero on
   every other row, including every IC row never added.
4. **Exact decision against all rows.**  Primal feasibility of all ``n^2``
   IR/IC rows, dual feasibility of all columns and equal objectives are
   checked in integer matrix arithmetic.  An IC row that the exact solution
   violates (a float tolerance hid it) is added and the loop repeats; a
   basis that fails exactly on the model's own rows goes to
   :func:`exactscreen.lp.exact.solve_lp` on the restricted model (its exact
   fallback), and the result is again checked against all rows.
5. **Independent certificate.**  The final primal-dual pair is checked by
   :func:`exactscreen.mechanisms.certificate.check_mechanism_certificate`,
   which re-derives the LP from the paper and shares no code with this
   module.

The optimal face (:class:`StructuredFace`, used by :func:`mechanism_face` and
by :func:`exactscreen.mechanisms.optimum.optimal_mechanism`) is read off the dual by
complementary slackness: with the certified dual ``y``, a feasible ``x`` is
optimal iff ``x_j = 0`` for every column with negative reduced cost and every
row with ``y_r > 0`` is tight.  The null space of those equations and of the
implicit equalities of the face (one exact LP on the cone of directions at
``x*``) gives the face's directions ``D``: every optimal mechanism is
``x* + D w``.  A quantity that no direction moves is a point (no LP).  The
face in ``w`` is a small polytope that splits into independent blocks of
coordinates; the remaining ranges, the binding sets and the selection rule
(a lexicographic optimization, block by block) are read off each block's
vertices, enumerated exactly by the double description method
(:func:`_vertices`; a linear function's maximum over a bounded polytope is
attained at a vertex); a block whose enumeration exceeds its budget falls back
to exact LPs, each proposed by HiGHS and decided exactly (:class:`_FaceLP`).

References: paper 000, Sec. 3 (the LP); Applegate, Cook, Dash & Espinoza,
*Oper. Res. Lett.* 35 (2007) (float basis, exact verification); Dixon,
*Numer. Math.* 40 (1982) (p-adic linear solving).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property
from itertools import compress
from math import gcd, lcm
from operator import mul
from typing import Callable

import numpy as np
from flint import fmpq, fmpq_mat, fmpz_mat

from ..lp.certificate import CertificateCheck
from ..exceptions import InputError
from ..environment import Environment, Market
from ..lp.exact import TIGHT_TOLERANCE, LinearProgram, LPResult, SolveStats, SolveTally, solve_lp
from .certificate import check_mechanism_certificate
from .mechanism import Range
from ..lp.sparse import SingularMatrix, solve_sparse
from ..lp.highs import INF, basic_status, is_optimal, new_model
from ..lp.float_hint import SAFE_BITS, hint_exponent, hint_float, hint_floats

__all__ = ["MechanismSolution", "MechanismFace", "solve_mechanism", "mechanism_face"]

ZERO = Fraction(0)
_ONE = Fraction(1)


# ---------------------------------------------------------------------------
# Integer-scaled data
# ---------------------------------------------------------------------------
class _Data:
    """Net values as integers ``N / s``; index maps of ``mechanism_lp``'s order."""

    def __init__(self, env: Environment, market: Market):
        if market.environment is not env and market.environment != env:
            raise InputError("market: belongs to a different environment")
        self.env, self.market = env, market
        self.n, self.k = env.n, env.k
        self.w = self.k + 2
        net = env.net_values
        s = 1
        for row in net:
            for v in row:
                if v.denominator != 1:
                    s = lcm(s, v.denominator)
        self.s = s
        self.N = [[v.numerator * (s // v.denominator) for v in row] for row in net]  # exact integers v * s
        self.f = tuple(market.weights)
        # twins: types with the same net values (input order); None when every type is alone
        groups: dict[tuple[int, ...], list[int]] = {}
        for i, row in enumerate(self.N):
            groups.setdefault(tuple(row), []).append(i)
        self.twins = [groups[tuple(row)] for row in self.N] if len(groups) < self.n else None
        self.lp_stats: list[SolveStats] = []  # records of the generic exact LPs solved on this data

    # the float model's data, built on first use (the face never needs it)
    @cached_property
    def netf(self) -> np.ndarray:
        """Net values as floats scaled by ``2^-e`` (same optimal bases): a hint only."""
        net = self.env.net_values
        e = hint_exponent(v for row in net for v in row)
        return np.array([hint_floats(row, e) for row in net], dtype=np.float64).reshape(self.n, self.k)

    @cached_property
    def nz(self) -> list[np.ndarray]:
        """The exact nonzero pattern of each row of ``N`` (never the float copy's)."""
        return [np.array([j for j, v in enumerate(row) if v], dtype=np.int64) for row in self.N]

    def netf_exact(self, i: int, j: int) -> Fraction:
        """Exact net value ``v(t_i, a_j)``."""
        return Fraction(self.N[i][j], self.s)

    def xcol(self, i: int, j: int) -> int:
        return i * self.w + j

    def pcol(self, i: int) -> int:
        return i * self.w + self.k + 1

    def ub_index(self, i: int, t: int | None) -> int:
        """Row of IR(t_i) (``t is None``) or IC(t_i -> t_t) among ``mechanism_lp``'s A_ub rows."""
        if t is None:
            return i * self.n
        return i * self.n + 1 + t if t < i else i * self.n + t


# ---------------------------------------------------------------------------
# Float model (hint only)
# ---------------------------------------------------------------------------
def _ic_rows(d: _Data, i: int, targets: np.ndarray):
    """CSR pieces of the rows IC(t_i -> t_s), s in ``targets`` (float copies)."""
    J = d.nz[i]
    vals = d.netf[i, J]
    m = len(targets)
    L = 2 * len(J) + 2
    own = i * d.w + J
    idx = np.empty((m, L), dtype=np.int32)
    val = np.empty((m, L), dtype=np.float64)
    c = len(J)
    idx[:, :c] = own
    val[:, :c] = -vals
    idx[:, c] = d.pcol(i)
    val[:, c] = 1.0
    idx[:, c + 1: 2 * c + 1] = targets[:, None] * d.w + J[None, :]
    val[:, c + 1: 2 * c + 1] = vals
    idx[:, 2 * c + 1] = targets * d.w + d.k + 1
    val[:, 2 * c + 1] = -1.0
    return idx.ravel(), val.ravel(), np.full(m, L, dtype=np.int32)


def _base_model(d: _Data):
    """HiGHS model with the lottery rows and IR rows (rows 0..n-1, n..2n-1)."""
    n, k, w = d.n, d.k, d.w
    ncol = n * w
    cost = np.zeros(ncol)
    cost[np.arange(n) * w + k + 1] = [float(v) for v in d.f]
    starts, idx, val = [0], [], []
    for i in range(n):  # prob(t_i)
        idx.append(np.arange(i * w, i * w + k + 1, dtype=np.int32))
        val.append(np.ones(k + 1))
        starts.append(starts[-1] + k + 1)
    for i in range(n):  # IR(t_i): p - v(t_i, x(t_i)) <= 0
        J = d.nz[i]
        idx.append(np.concatenate([i * w + J, [d.pcol(i)]]).astype(np.int32))
        val.append(np.concatenate([-d.netf[i, J], [1.0]]))
        starts.append(starts[-1] + len(J) + 1)
    return new_model(cost=cost, col_lower=np.zeros(ncol), col_upper=np.full(ncol, INF),
                     row_lower=np.concatenate([np.ones(n), np.full(n, -INF)]),
                     row_upper=np.concatenate([np.ones(n), np.zeros(n)]),
                     start=np.array(starts, dtype=np.int32), index=np.concatenate(idx).astype(np.int32),
                     value=np.concatenate(val), rowwise=True)


def _add_ic(h, d: _Data, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Add the rows IC(i -> t) for ``pairs`` to the HiGHS model; return them in the order added."""
    if not pairs:
        return []
    by: dict[int, list[int]] = {}
    for i, t in pairs:
        by.setdefault(i, []).append(t)
    idx, val, lens = [], [], []
    for i, ts in by.items():
        a, b, c = _ic_rows(d, i, np.array(ts, dtype=np.int64))
        idx.append(a)
        val.append(b)
        lens.append(c)
    lens_a = np.concatenate(lens)
    starts = np.concatenate([[0], np.cumsum(lens_a)[:-1]]).astype(np.int32)
    m = len(lens_a)
    h.addRows(m, np.full(m, -np.inf), np.zeros(m), int(lens_a.sum()), starts,
              np.concatenate(idx).astype(np.int32), np.concatenate(val))
    return [(i, t) for i, ts in by.items() for t in ts]


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MechanismSolution:
    """A certified optimum of the mechanism LP (paper 000, Sec. 3).

    ``result`` is an :class:`~exactscreen.lp.exact.LPResult` in
    :func:`~exactscreen.mechanisms.optimum.mechanism_lp`'s column and row order, with
    the optimal basis in that LP's standard form.  ``check``
    is the independent structured certificate check.  ``rounds`` counts
    float solves, ``ic_rows`` the IC rows of the final float model (of
    ``n(n-1)``), ``core`` the size of the exactly solved core, ``lp_stats``
    the records of the generic exact LPs (:func:`~exactscreen.lp.exact.solve_lp`)
    solved on the way (the fallback; usually none).
    """

    result: LPResult
    check: CertificateCheck
    timings: dict = field(compare=False)
    rounds: int
    ic_rows: int
    core: int
    env: Environment = field(repr=False, compare=False)
    market: Market = field(repr=False, compare=False)
    basic_columns: frozenset = field(repr=False, compare=False, default=frozenset())
    nonbasic_rows: frozenset = field(repr=False, compare=False, default=frozenset())
    """The exact optimal basis: basic columns (``mechanism_lp`` order) and the
    A_ub rows (``mechanism_lp`` order) whose slack is nonbasic."""
    lp_stats: tuple[SolveStats, ...] = field(repr=False, compare=False, default=())

    @property
    def stats(self) -> SolveTally:
        """The solve statistics: one exact LP (the mechanism LP) and the generic solves behind it."""
        return SolveTally.of(self.lp_stats, lps=1)

    @property
    def objective(self) -> Fraction:
        return self.result.objective

    @property
    def method(self) -> str:
        return self.result.method

    def __repr__(self) -> str:
        n = self.env.n
        return (f"MechanismSolution(revenue={self.objective}, method={self.method!r}, "
                f"certified={self.check.ok}, rounds={self.rounds}, "
                f"ic_rows={self.ic_rows}/{n * (n - 1)}, core={self.core})")


# ---------------------------------------------------------------------------
# Exact core solve and exact checks
# ---------------------------------------------------------------------------
def _row_terms(d: _Data, row) -> list[tuple[int, int]]:
    """Integer coefficients (row scaled by s) of a model row: ('eq', i), ('ir', i), ('ic', i, t)."""
    kind, i = row[0], row[1]
    if kind == "eq":
        return [(d.xcol(i, j), d.s) for j in range(d.k + 1)]
    Ni = d.N[i]
    terms = [(d.xcol(i, j), -Ni[j]) for j in range(d.k) if Ni[j]] + [(d.pcol(i), d.s)]
    if kind == "ic":
        t = row[2]
        terms += [(d.xcol(t, j), Ni[j]) for j in range(d.k) if Ni[j]] + [(d.pcol(t), -d.s)]
    return terms


def _core_solve(d: _Data, rows: list, col_basic: list[int], row_nonbasic: list[int]):
    """Exact x (dict col -> Fraction) and y (dict model row -> Fraction) of the basis, or None.

    Solves the square core ``A[T, C] x_C = b_T`` and ``A[T, C]^T y_T = c_C``
    (rows scaled by ``s`` to integers) by :func:`exactscreen.lp.sparse.solve_sparse`."""
    C, T = col_basic, row_nonbasic
    if len(C) != len(T):
        return None
    m = len(C)
    if m == 0:
        return {}, {}
    pos = {c: a for a, c in enumerate(C)}
    entries = []
    rhs = []
    for r, ri in enumerate(T):
        row = rows[ri]
        for col, v in _row_terms(d, row):
            a = pos.get(col)
            if a is not None:
                entries.append((r, a, v))
        rhs.append(d.s if row[0] == "eq" else 0)
    # costs: f(t_i) on p(t_i), else 0
    cost = [d.f[col // d.w] if col % d.w == d.k + 1 else ZERO for col in C]
    try:
        xs = solve_sparse(m, entries, rhs)
        ys = solve_sparse(m, entries, cost, transpose=True)
    except SingularMatrix:
        return None
    x = {C[a]: xs[a] for a in range(m)}
    # rows were scaled by s (eq rows too): y_true = s * y'
    y = {T[r]: ys[r] * d.s for r in range(m)}
    return x, y


def _exact_values(d: _Data, x: dict[int, Fraction]):
    """Exact allocations and payments as integer arrays over a common denominator."""
    n, k, w = d.n, d.k, d.w
    den = 1
    for v in x.values():
        if v.denominator != 1:
            den = lcm(den, v.denominator)
    X = [[0] * k for _ in range(n)]
    P = [0] * n
    for col, v in x.items():
        i, j = divmod(col, w)
        if j < k:
            X[i][j] = int(v * den)
        elif j == k + 1:
            P[i] = int(v * den)
    return X, P, den


def _ic_slack(d: _Data, X, P):
    """``S[i][t] = s*den*(u_i - v(t_i, x(t_t)) + p(t_t))`` exactly (IR on the diagonal: u_i)."""
    n = d.n
    # G[i, t] = s * den * v(t_i, x(t_t)), row-major, as Python ints (one entries() call)
    if d.k:
        G = list(map(int, (fmpz_mat(d.N) * fmpz_mat([list(col) for col in zip(*X)])).entries()))
    else:
        G = [0] * (n * n)
    s = d.s
    sP = [s * p for p in P]
    S = []
    for i in range(n):
        Gi = G[i * n:(i + 1) * n]
        own = Gi[i] - sP[i]
        row = [own - (g - q) for g, q in zip(Gi, sP)]
        row[i] = own
        S.append(row)
    return S


# ---------------------------------------------------------------------------
# Solve
# ---------------------------------------------------------------------------
def _full_result(d: _Data, x: dict[int, Fraction], y_rows: dict, rows: list, method: str, t0: float,
                 note: str = "") -> LPResult:
    n, w = d.n, d.w
    xv = [ZERO] * (n * w)
    for col, v in x.items():
        xv[col] = v
    y_eq = [ZERO] * n
    y_ub = [ZERO] * (n * n)
    for ri, v in y_rows.items():
        row = rows[ri]
        if row[0] == "eq":
            y_eq[row[1]] = v
        else:
            y_ub[_ub_index(d, row)] = v
    obj = sum((d.f[i] * xv[d.pcol(i)] for i in range(n)), ZERO)
    return LPResult(tuple(xv), tuple(y_eq), tuple(y_ub), obj, method, (), time.perf_counter() - t0, note)


def _restricted_lp(d: _Data, rows: list) -> LinearProgram:
    """The model's rows as an exact LinearProgram (the generic engine's fallback)."""
    s = Fraction(d.s)
    c = [ZERO] * (d.n * d.w)
    for i in range(d.n):
        c[d.pcol(i)] = d.f[i]
    A_eq, b_eq, A_ub, b_ub = [], [], [], []
    for row in rows:
        terms = tuple((col, Fraction(v) / s) for col, v in _row_terms(d, row))
        if row[0] == "eq":
            A_eq.append(terms)
            b_eq.append(Fraction(1))
        else:
            A_ub.append(terms)
            b_ub.append(ZERO)
    return LinearProgram(tuple(c), tuple(A_eq), tuple(b_eq), tuple(A_ub), tuple(b_ub))


def _fallback(d: _Data, rows: list, reason: str):
    """Solve the model's rows with the generic exact engine; (method, note, (x, y))."""
    res = solve_lp(_restricted_lp(d, rows))
    d.lp_stats.append(res.stats)
    x = {j: v for j, v in enumerate(res.x) if v}
    y = {}
    ieq = iub = 0
    for ri, row in enumerate(rows):
        if row[0] == "eq":
            y[ri] = res.y_eq[ieq]
            ieq += 1
        else:
            y[ri] = res.y_ub[iub]
            iub += 1
    nvar = d.n * d.w
    basic = set(res.basis)
    C = [j for j in res.basis if j < nvar]
    ub_rows = [ri for ri, row in enumerate(rows) if row[0] != "eq"]
    eq_rows = [ri for ri, row in enumerate(rows) if row[0] == "eq"]
    # a lottery row whose artificial is basic (at zero) is outside the core
    T = [ri for e, ri in enumerate(eq_rows) if nvar + len(ub_rows) + e not in basic] + [
        ri for a, ri in enumerate(ub_rows) if nvar + a not in basic]
    return "fallback:" + res.method, f"HiGHS basis: {reason}", (x, y), (C, T)


def _violated_outside(d: _Data, x: dict[int, Fraction], in_model: set) -> list[tuple[int, int]]:
    """IC rows not in the float model that ``x`` violates (exact)."""
    X, P, _ = _exact_values(d, x)
    S = _ic_slack(d, X, P)
    n = d.n
    return [(i, t) for i in range(n) for t in range(n) if t != i and S[i][t] < 0 and (i, t) not in in_model]


def _with_twins(d: _Data, pairs: list[tuple[int, int]], in_model: set) -> list[tuple[int, int]]:
    """``pairs`` and, after each, the same IC row between twins (:attr:`_Data.twins`): for
    ``(i, t)`` every ``(i', t')`` with ``i'`` a twin of ``i``, ``t'`` one of ``t``, ``i' != t'``,
    not in the model yet.  Identical types violate identical rows: adding them in one round
    saves a round per copy (cutting planes: any valid rows may be added)."""
    out: list[tuple[int, int]] = []
    done: set[tuple[int, int]] = set()  # (twin class of i, twin class of t), by first member
    tw = d.twins
    for i, t in pairs:
        key = (tw[i][0], tw[t][0])
        if key in done:
            continue
        done.add(key)
        for a in tw[i]:
            for b in tw[t]:
                if a != b and (a, b) not in in_model:
                    out.append((a, b))
    return out


def solve_mechanism(
    env: Environment,
    market: Market,
    *,
    lazy: bool | None = None,
    per_round: int = 2,
    max_rounds: int = 200,
) -> MechanismSolution:
    """Certified optimal revenue and mechanism of ``env`` for ``market`` (see module docstring).

    Parameters
    ----------
    lazy
        Add IC rows lazily (default: when ``n > 8``); ``False`` puts all
        ``n(n-1)`` IC rows into the float model from the start.
    per_round
        Per type, how many of its most violated IC rows to add per round.

    Raises ``RuntimeError`` if the certificate fails its independent check
    (never returned silently).
    """
    t0 = time.perf_counter()
    timings = {"build": 0.0, "highs": 0.0, "exact": 0.0, "check": 0.0}
    d = _Data(env, market)
    n, k, w = d.n, d.k, d.w
    if lazy is None:
        lazy = n > 8
    h = _base_model(d)
    rows: list = [("eq", i) for i in range(n)] + [("ir", i) for i in range(n)]
    in_model: set[tuple[int, int]] = set()
    if not lazy:
        pairs = [(i, t) for i in range(n) for t in range(n) if t != i]
        rows += [("ic", i, t) for i, t in _add_ic(h, d, pairs)]
        in_model.update(pairs)
    timings["build"] += time.perf_counter() - t0
    rounds = 0
    while True:
        t1 = time.perf_counter()
        h.run()
        rounds += 1
        status = h.getModelStatus()
        timings["highs"] += time.perf_counter() - t1
        hint_failed = not is_optimal(status)
        if hint_failed:
            # HiGHS only suggests: without its answer the exact engine decides on all rows
            rest = [(i, t) for i in range(n) for t in range(n) if t != i and (i, t) not in in_model]
            rows += [("ic", i, t) for i, t in rest]
            in_model.update(rest)
        if lazy and not hint_failed:
            # float screening for violated IC rows (hint only)
            t1 = time.perf_counter()
            sol = np.asarray(h.getSolution().col_value).reshape(n, w)
            U = d.netf @ sol[:, :k].T  # U[i, t] = v(t_i, x(t_t))
            p = sol[:, k + 1]
            own = np.diag(U) - p
            viol = (U - p[None, :]) - own[:, None]
            np.fill_diagonal(viol, -np.inf)
            new = []
            if per_round >= n - 1:
                cand = np.argwhere(viol > 1e-9)
                new = [(int(i), int(t)) for i, t in cand if (int(i), int(t)) not in in_model]
            else:
                top = np.argpartition(-viol, per_round, axis=1)[:, :per_round]
                for i in range(n):
                    for t in top[i]:
                        if viol[i, t] > 1e-9 and (i, int(t)) not in in_model:
                            new.append((i, int(t)))
            if new and d.twins is not None:
                new = _with_twins(d, new, in_model)
            timings["build"] += time.perf_counter() - t1
            if new and rounds < max_rounds:
                t1 = time.perf_counter()
                rows += [("ic", i, t) for i, t in _add_ic(h, d, new)]
                in_model.update(new)
                timings["build"] += time.perf_counter() - t1
                continue
        # exact core solve on HiGHS's basis
        t1 = time.perf_counter()
        if hint_failed:
            solved, C, T = None, [], []
            reason = f"HiGHS status {h.modelStatusToString(status)}"
        else:
            basis = h.getBasis()
            basic = basic_status()
            cs, rs = basis.col_status, basis.row_status
            C = [j for j in range(n * w) if cs[j] == basic]
            T = [r for r in range(len(rows)) if rs[r] != basic]
            solved = _core_solve(d, rows, C, T)
            reason = "basis singular or not square"
        method, note = "highs-core", ""
        while True:
            if solved is None:  # the exact engine decides on the model's rows
                method, note, solved, (C, T) = _fallback(d, rows, reason)
            x, y = solved
            # exact primal check of every IC row, including those never added
            missing = _violated_outside(d, x, in_model)
            timings["exact"] += time.perf_counter() - t1
            if missing:
                break
            t1 = time.perf_counter()
            res = _full_result(d, x, y, rows, method, t0, note)
            # the same exact values; a zero as the int 0 (the checker's fast path for ints)
            check = check_mechanism_certificate(env, market, [0 if v is ZERO else v for v in res.x], res.y_eq,
                                                [0 if v is ZERO else v for v in res.y_ub], res.objective)
            timings["check"] += time.perf_counter() - t1
            if check.ok or method != "highs-core":
                break
            t1 = time.perf_counter()
            solved, reason = None, "basis not exactly optimal: " + check.failures[0]
        core = len(C)
        if missing:
            rows += [("ic", i, t) for i, t in _add_ic(h, d, missing)]
            in_model.update(missing)
            continue
        break
    if not check.ok:  # pragma: no cover - would be a bug; never return it
        raise RuntimeError(f"mechanism certificate failed its independent check: {check}")
    timings["total"] = time.perf_counter() - t0
    nonbasic_rows = frozenset(_ub_index(d, rows[ri]) for ri in T if rows[ri][0] != "eq")
    res = replace(res, basis=_standard_basis(d, C, T, rows, nonbasic_rows))
    return MechanismSolution(res, check, timings, rounds, len(in_model), core, env, market,
                             frozenset(C), nonbasic_rows, tuple(d.lp_stats))


def _standard_basis(d: _Data, C, T, rows, nonbasic_rows) -> tuple[int, ...]:
    """The optimal basis in :class:`~exactscreen.lp.exact.LPResult`'s convention for ``mechanism_lp``.

    Columns: the basic structural ones, the slack of every A_ub row at which
    the basis is not at its bound (including every IC row never added to the
    float model), and the artificial of every lottery row outside the core."""
    nvar, nub = d.n * d.w, d.n * d.n
    eq_in_core = {rows[ri][1] for ri in T if rows[ri][0] == "eq"}
    return (tuple(sorted(C))
            + tuple(nvar + u for u in range(nub) if u not in nonbasic_rows)
            + tuple(nvar + nub + i for i in range(d.n) if i not in eq_in_core))


def _ub_index(d: _Data, row) -> int:
    return d.ub_index(row[1], None) if row[0] == "ir" else d.ub_index(row[1], row[2])


# ---------------------------------------------------------------------------
# The optimal face by complementary slackness
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MechanismFace:
    """Payment and surplus ranges of every type over all optimal mechanisms.

    ``unique`` is True when the optimum is certified unique (then every
    range is a point and ``lps <= 1``); ``method`` says how the ranges were
    obtained; ``lps`` counts the exact LPs (:class:`StructuredFace`);
    ``stats`` tallies them with the generic solves among them by path.
    """

    payments: tuple
    surpluses: tuple
    unique: bool
    method: str
    lps: int
    seconds: float = field(compare=False, default=0.0)
    stats: SolveTally = field(repr=False, compare=False, default=SolveTally())

    def __repr__(self) -> str:
        return f"MechanismFace(unique={self.unique}, method={self.method!r}, lps={self.lps})"


def _reduced_costs(d: _Data, res: LPResult) -> list[Fraction]:
    """Exact ``c_j - A_j . y`` of every column (all ``<= 0`` at a certified optimum)."""
    n, k, w, s = d.n, d.k, d.w, d.s
    y_eq, y_ub = res.y_eq, res.y_ub
    out_w = [ZERO] * n  # y(IR_i) + sum_t y(IC i->t)
    in_w = [ZERO] * n  # sum_t y(IC t->i)
    # H[i][j] = sum_t y(IC t->i) N[t][j]; only rows with y != 0 contribute
    H = [[ZERO] * k for _ in range(n)]
    for r, v in enumerate(y_ub):
        if v is ZERO or not v:  # most duals are _full_result's shared zero: no Fraction test
            continue
        i, rem = divmod(r, n)  # inverse of _Data.ub_index
        out_w[i] += v
        if rem == 0:
            continue  # IR(t_i)
        t = rem - 1 if rem - 1 < i else rem
        in_w[t] += v
        Ni, Ht = d.N[i], H[t]
        for j in range(k):
            if Ni[j]:
                Ht[j] += v * Ni[j]
    rc = [ZERO] * (n * w)
    for i in range(n):
        neg_y = -y_eq[i]
        o, Ni, Hi = out_w[i], d.N[i], H[i]
        o_nz = bool(o)
        for j in range(k):
            h = Hi[j]
            if (h is ZERO or not h) and not (o_nz and Ni[j]):
                rc[d.xcol(i, j)] = neg_y  # no term but y_eq: -(y_eq[i] + 0)
            else:
                rc[d.xcol(i, j)] = -(y_eq[i] + (-Ni[j] * o + h) / s)
        rc[d.xcol(i, k)] = neg_y
        rc[d.pcol(i)] = d.f[i] - (out_w[i] - in_w[i])
    return rc


def _slack(S, row) -> int:
    """``S``-scaled slack (:func:`_ic_slack`) of the row ``('ir', i)`` or ``('ic', i, t)``."""
    return S[row[1]][row[1]] if row[0] == "ir" else S[row[1]][row[2]]


def mechanism_face(env: Environment, market: Market, sol: MechanismSolution | None = None) -> MechanismFace:
    """Ranges of every type's payment and surplus over all optimal mechanisms.

    The face is read off the certified dual of ``sol`` (solved here if not
    given) by :class:`StructuredFace`, the engine of
    :func:`exactscreen.mechanisms.optimum.optimal_mechanism`: a payment or surplus that
    no direction of the face moves is a point (no LP); the others are two
    exact LPs in the face's independent blocks.
    """
    t0 = time.perf_counter()
    if sol is None:
        sol = solve_mechanism(env, market)
    if not sol.check.ok:  # pragma: no cover - solve_mechanism never returns one
        raise RuntimeError("mechanism_face needs a certified solution")
    d = _Data(env, market)
    face = StructuredFace(d, sol.result)
    x = sol.result.x

    def rng(obj: dict[int, Fraction], value: Fraction):
        g = face.direction(obj)
        if not g:
            return Range(value, value)
        lo, hi, _, _ = face.range_of(g)
        return Range(value + lo, value + hi)

    pays, surs = [], []
    for i in range(d.n):
        pays.append(rng({d.pcol(i): Fraction(1)}, x[d.pcol(i)]))
        obj = {d.xcol(i, j): d.netf_exact(i, j) for j in range(d.k) if d.N[i][j]}
        obj[d.pcol(i)] = Fraction(-1)
        surs.append(rng(obj, Fraction(face.S[i][i], d.s * face.den)))
    if not face.dim:
        method = f"unique (complementary slackness and implicit equalities: {face.lps} LP)"
    else:
        method = (f"face of dimension {face.dim} in {len(face.blocks)} independent blocks "
                  f"({face.lps} exact LPs)")
    return MechanismFace(tuple(pays), tuple(surs), face.dim == 0, method, face.lps, time.perf_counter() - t0,
                         face.stats)


# ---------------------------------------------------------------------------
# The optimal face in its own coordinates: ranges and the selection rule
# ---------------------------------------------------------------------------
def _primitive(g) -> tuple[tuple[int, ...], Fraction]:
    """``g = lam * prim`` with ``prim`` a primitive integer vector and ``lam > 0`` (g != 0)."""
    try:
        G = gcd(*g)  # integers (a Fraction has no __index__: TypeError)
    except TypeError:
        G = None
    if G is not None:
        if G == 1:
            return tuple(g), _ONE
        return tuple([v // G for v in g]), Fraction(G)
    L = lcm(*[v.denominator for v in g if v])
    ints = [int(v * L) for v in g]
    G = gcd(*ints)
    return tuple([v // G for v in ints]), Fraction(G, L)


def _dotw(g, w) -> Fraction:
    return sum((a * b for a, b in zip(g, w) if a and b), ZERO)


def _row_exponent(g) -> int:
    """The power of 2 a face row of integers is divided by in its float copy: 0 for rows whose
    entries fit in ``2^40`` (copied bit for bit), else the bit length of its largest entry (the
    row then has entries below 1 in magnitude).  HiGHS refuses a matrix with an entry of magnitude
    ``>= 1e15`` (``large_matrix_value``) and reports the model empty; face rows made primitive can
    carry such integers (measured: a (40, 16) sweep's tie faces, every LP then fell back to the
    exact simplex).  Dividing a row and its bound by the same positive number changes no vertex."""
    top = max((abs(int(v)).bit_length() for v in g if v), default=0)
    return top if top > SAFE_BITS else 0


class _FaceLP:
    """``max g.w`` over ``{w : G w <= h, E w = e}`` with one float model and an exact decision.

    HiGHS (free columns, warm-started from its previous basis, presolve off, and
    retried once at its smallest tolerances; only a hint) proposes a vertex: the
    rows at their bound.  The vertex and its dual are
    then solved exactly (``dim x dim``, python-flint) and accepted only if
    every row holds exactly, every equality is met and the duals of the
    inequality rows are ``>= 0`` (LP duality: ``w`` is optimal).  Otherwise
    None: the caller decides with :func:`exactscreen.lp.exact.solve_lp`.
    """

    def __init__(self, G: list[tuple[int, ...]], h: list[Fraction]):
        self.G, self.h = G, h
        self.m, self.dim = len(G), len(G[0])
        H = 1
        for v in h:
            if v.denominator != 1:
                H = lcm(H, v.denominator)
        self.H, self.hn = H, [int(v * H) for v in h]
        self.Gm = fmpz_mat([list(g) for g in G])
        self.hnm = fmpz_mat(self.m, 1, self.hn)
        self.eq: list[tuple[tuple[int, ...], Fraction]] = []  # primitive rows
        self.h_ = None
        self.tight_tol = False  # set once a vertex at default tolerances failed the exact check
        self.point: tuple[Fraction, ...] | None = None  # the last exact optimum (a feasible start)
        starts, idx, val = [0], [], []
        try:
            upper = []
            for g, hv in zip(G, h):
                e = _row_exponent(g)
                upper.append(hint_float(hv, e))
                for b, v in enumerate(g):
                    if v:
                        idx.append(b)
                        val.append(hint_float(v, e))
                starts.append(len(idx))
            upper = np.array(upper, dtype=np.float64)
        except OverflowError:  # no float copy of such data: the exact fallback decides
            return
        self.h_ = new_model(cost=np.zeros(self.dim), col_lower=np.full(self.dim, -INF),
                            col_upper=np.full(self.dim, INF), row_lower=np.full(self.m, -INF), row_upper=upper,
                            start=starts, index=idx, value=val, rowwise=True)
        # presolve off: a face's rows can have bounds ~1e-14 beside coefficients ~1e13 (a tie face
        # at a sweep's kink, (40, 16)); HiGHS's presolve then drops or merges rows that are tight
        # only below its tolerances, and its vertex fails the exact check (measured: 23 of 25 LPs
        # of such a face; with presolve off, none).  The model is tiny and warm-started anyway.
        self.h_.setOptionValue("presolve", "off")

    def add_equality(self, row, rhs: Fraction) -> bool:
        """Add ``row . w = rhs`` to the model (False: no float copy; use the fallback)."""
        prim, lam = _primitive(row)
        row, rhs = prim, Fraction(rhs) / lam
        self.eq.append((prim, rhs))
        if self.h_ is None:
            return False
        try:
            e = _row_exponent(row)
            r = hint_float(rhs, e)
            vals = [hint_float(v, e) for v in row]
        except OverflowError:
            self.h_ = None
            return False
        idx = [b for b, v in enumerate(row) if v]
        self.h_.addRow(r, r, len(idx), np.array(idx, dtype=np.int32), np.array([vals[b] for b in idx]))
        return True

    def maximize(self, g) -> tuple[Fraction, tuple[Fraction, ...]] | None:
        hs = self.h_
        if hs is None:
            return None
        try:  # scaled by a power of 2 (the same optimal vertices): HiGHS reads |cost| >= 1e20 as infinite
            cost = np.array(hint_floats(g), dtype=np.float64)
        except OverflowError:
            return None
        hs.changeColsCost(self.dim, np.arange(self.dim, dtype=np.int32), cost)
        got = self._run(g)
        if got is None and not self.tight_tol:
            # HiGHS's tolerances can hide rows whose bounds are tiny: retry once at its smallest
            # feasibility tolerances (as lp.exact.solve_lp does) and keep them for this model
            self.tight_tol = True
            hs.setOptionValue("primal_feasibility_tolerance", TIGHT_TOLERANCE)
            hs.setOptionValue("dual_feasibility_tolerance", TIGHT_TOLERANCE)
            got = self._run(g)
        return got

    def _run(self, g) -> tuple[Fraction, tuple[Fraction, ...]] | None:
        """One HiGHS run from the current basis and, if it ends optimal at a vertex, its exact check."""
        hs = self.h_
        hs.run()
        if not is_optimal(hs.getModelStatus()):
            return None
        basis = hs.getBasis()
        basic = basic_status()
        if not basis.valid or any(s != basic for s in basis.col_status):
            return None
        active = [r for r, s in enumerate(basis.row_status) if s != basic]
        if len(active) != self.dim:
            return None
        return self._exact(g, active)

    def _exact(self, g, active: list[int]):
        dim, m = self.dim, self.m
        rows, rhs = [], []
        for r in active:
            if r < m:
                rows.append(self.G[r])
                rhs.append(self.h[r])
            else:
                row, e = self.eq[r - m]
                rows.append(row)
                rhs.append(e)
        L = 1
        for v in rhs:
            if v.denominator != 1:
                L = lcm(L, v.denominator)
        gi, _ = _primitive(g)  # g = lam * gi, lam > 0: same optimal vertex and dual signs
        A = fmpz_mat([list(r) for r in rows])
        try:
            Wq = A.solve(fmpz_mat(dim, 1, [int(v * L) for v in rhs]))  # w = Wq / L
            Yq = A.transpose().solve(fmpz_mat(dim, 1, list(gi)))
        except ZeroDivisionError:
            return None
        for a, r in enumerate(active):  # duals of inequality rows must be >= 0
            if r < m and Yq[a, 0] < 0:
                return None
        q = [Wq[b, 0] for b in range(dim)]
        den = 1
        for v in q:
            den = lcm(den, int(v.q))
        W = [int(v.p) * (den // int(v.q)) for v in q]  # w = W / (den * L)
        scale = den * L
        # G w <= h exactly: slack = hn * den * L - (G W) * H >= 0, in one integer matrix product
        slack = (self.hnm * scale - (self.Gm * fmpz_mat(dim, 1, W)) * self.H).entries()
        tight = []
        for r, v in enumerate(slack):
            if v < 0:
                return None
            if not v:
                tight.append(r)
        w = tuple(Fraction(v, scale) for v in W)
        for row, e in self.eq:
            if Fraction(sum(a * v for a, v in zip(row, W) if a), scale) != e:
                return None
        self.tight = tight
        return _dotw(g, w), w

    def exact_maximize(self, g, start, max_iter: int | None = None) -> tuple[Fraction, tuple[Fraction, ...]] | None:
        """Exact ``max g.w`` by a primal active-set method (the simplex method in the inequality
        form, in the face's own ``dim`` coordinates), from the feasible point ``start`` (the
        model's last optimum, or ``x*``, i.e. ``w = 0``): no float, no standard form.

        The working set ``W`` holds the equalities and linearly independent rows tight at ``w``.
        Step: ``d`` = the projection of ``g`` on ``{d : a_r . d = 0, r in W}``; if ``d != 0``,
        move along it to the first row that blocks (ratio test, exact; ``g . d = |d|^2 > 0``)
        and add that row (independent of ``W``, since ``a . d > 0``); if ``d = 0``, ``g`` is a
        combination of ``W``'s rows: with every inequality multiplier ``>= 0`` the point is
        optimal (LP duality), else the row with the most negative multiplier (lowest index on
        ties) leaves.  Used when the float hint fails its exact check (tie faces whose rows have
        huge coefficients beside tiny bounds); cheaper than the generic standard-form simplex
        because its linear algebra is ``dim x dim``.  Returns None (the caller falls back to the
        generic exact LP) if ``start`` is not feasible or after ``max_iter`` steps (default
        ``4 (m + dim)``): the bound of the loop."""
        dim, m = self.dim, self.m
        rows = list(self.G) + [r for r, _ in self.eq]
        nr = len(rows)
        # exact rational linear algebra in python-flint (C): the activities ``A w``, the ratio
        # test's ``A d`` and the moves are matrix products, not Python Fraction sums (measured:
        # a (40, 16) sparse kink's tie face spent 138 of 169 s in those sums); same values, same
        # decisions as row-by-row Fraction arithmetic
        A = fmpq_mat([list(r) for r in rows])
        rhs = [fmpq(v.numerator, v.denominator) for v in self.h] + [fmpq(e.numerator, e.denominator) for _, e in self.eq]
        gq = fmpq_mat(dim, 1, [fmpq(Fraction(v).numerator, Fraction(v).denominator) for v in g])
        wq = fmpq_mat(dim, 1, [fmpq(Fraction(v).numerator, Fraction(v).denominator) for v in start])
        Aw = A * wq
        act = [Aw[i, 0] for i in range(nr)]
        if any(act[i] > rhs[i] for i in range(m)) or any(act[i] != rhs[i] for i in range(m, nr)):
            return None
        # the working set: the equalities, then the rows tight at ``start`` in index order, each
        # kept if independent of those kept before (greedy: the pivot columns of the reduced row
        # echelon form of the candidates as columns), at most ``dim``
        cand = list(range(m, nr)) + [i for i in range(m) if act[i] == rhs[i]]
        W: list[int] = []
        if cand:
            R, rank = fmpq_mat([[rows[i][b] for i in cand] for b in range(dim)]).rref()
            for a in range(rank):
                W.append(cand[next(c for c in range(len(cand)) if R[a, c] != 0)])
        if len(W) < nr - m:  # pragma: no cover - the equalities are independent by construction
            return None
        steps = max_iter if max_iter is not None else 4 * (m + dim)
        for _ in range(steps):
            if W:
                M = fmpq_mat([list(rows[i]) for i in W])
                try:
                    lam = (M * M.transpose()).solve(M * gq)
                except ZeroDivisionError:  # pragma: no cover - W's rows are independent
                    return None
                dq = gq - M.transpose() * lam
                mult = [lam[a, 0] for a in range(len(W))]
            else:
                dq, mult = gq, []
            if all(dq[b, 0] == 0 for b in range(dim)):
                neg = [(Fraction(int(v.p), int(v.q)), W[a]) for a, v in enumerate(mult) if W[a] < m and v < 0]
                if not neg:
                    w = tuple(Fraction(int(wq[b, 0].p), int(wq[b, 0].q)) for b in range(dim))
                    self.tight = [i for i in range(m) if act[i] == rhs[i]]
                    return _dotw(g, w), w
                W.remove(min(neg)[1])  # most negative multiplier, lowest row index on ties
                continue
            Ad = A * dq
            best = None
            inW = set(W)
            for i in range(m):
                if i in inW:
                    continue
                ad = Ad[i, 0]
                if ad > 0:
                    t = (rhs[i] - act[i]) / ad
                    if best is None or t < best[0]:
                        best = (t, i)
            if best is None:  # pragma: no cover - the face is bounded
                return None
            t, i = best
            if t != 0:
                wq = wq + dq * t
                Aw = A * wq
                act = [Aw[r, 0] for r in range(nr)]
            W.append(i)
        return None


class StructuredFace:
    """The optimal face of the mechanism LP as ``x = x* + D w``, ``w`` in ``{w : G w <= h}``.

    Complementary slackness with the certified dual ``y`` of ``sol``: the
    optimal mechanisms are the feasible ``x`` with ``x_j = 0`` on every
    column of negative reduced cost and every row with ``y_r > 0`` tight
    (the *tight* rows).  On the remaining columns ``Z``:

    1. ``N0``: an exact integer basis of the null space of the tight rows
       (python-flint).  Empty: the face is the point ``x*``.
    2. The implicit equalities of the cone of feasible directions at ``x*``
       (rows tight at ``x*``, columns at 0), written in ``N0``'s coordinates
       and deduplicated, by one exact LP (Freund, Roundy & Todd 1985; see
       :func:`_face_directions`); ``D = N0 N1`` with ``N1`` the null space of
       those equalities.  ``D``'s columns span the directions of the face's
       affine hull, so every optimal mechanism is ``x* + D w`` for exactly
       one ``w``, and a linear quantity ``q`` is constant on the face iff
       ``q D = 0`` (no LP: its value at ``x*``).
    3. The face in ``w``: every IR/IC row and every ``x_j >= 0`` that ``D``
       moves becomes ``g w <= h`` (``h`` the exact slack at ``x*``);
       proportional rows are merged.  The polytope has ``dim(face)``
       coordinates, so the LPs for ranges and the selection rule are small;
       each is solved by :func:`exactscreen.lp.exact.solve_lp` (exact decision,
       certificate) and ranges of proportional quantities share their LPs.
    """

    def __init__(self, d: "_Data", res: LPResult, progress=None):
        self.d, self.res, self.progress = d, res, progress
        n = d.n
        self.lps = 0  # exact LPs decided (structured vertex checks and generic solves)
        self.active_set_lps = 0  # of which decided by _FaceLP.exact_maximize (the hint had failed)
        self.lp_stats: list[SolveStats] = []  # records of the generic solves (solve_lp) among them
        x = res.x
        self.x = x
        rc = _reduced_costs(d, res)
        if any(v > 0 for v in rc):  # pragma: no cover - excluded by the certificate
            raise RuntimeError("dual infeasible certificate")
        Z = [j for j, v in enumerate(rc) if v == 0]
        self.Z = Z
        pos = {c: a for a, c in enumerate(Z)}
        self.pos = pos
        X, P, den = _exact_values(d, {j: v for j, v in enumerate(x) if v})
        self.S, self.den = _ic_slack(d, X, P), den  # S[i][t] / (s*den): slack of IC(i->t); S[i][i]: IR(i)
        y_ub = res.y_ub
        # (most duals are the shared zero of _full_result: skipped without a comparison)
        self.tight_rows = {r for r, v in enumerate(y_ub) if v is not ZERO and v > 0}
        # 1. null space of the tight rows on Z (in mechanism_lp's row order: ub_index is
        # increasing in (i, then IR, then IC to t = 0, 1, ...))
        tight_terms = [self._terms(("eq", i), pos) for i in range(n)]
        for r in sorted(self.tight_rows):
            i, rem = divmod(r, n)  # inverse of _Data.ub_index
            if rem == 0:
                tight_terms.append(self._terms(("ir", i), pos))
            else:
                tight_terms.append(self._terms(("ic", i, rem - 1 if rem - 1 < i else rem), pos))
        nz = len(Z)
        self.dim, self.D = 0, {}
        self.implicit_info = None
        if nz == 0:
            return
        rows = list({tuple(_dense_int(t, nz)): None for t in tight_terms if t})
        N0, _ = _rref_nullspace(rows, nz, sparse=True)
        if not N0:
            return
        nullity = len(N0)
        N0rows: dict[int, dict[int, int]] = {}  # sparse rows of N0
        for b, vec in enumerate(N0):
            for a, v in vec.items():
                N0rows.setdefault(a, {})[b] = v
        # 2. implicit equalities of the cone of directions at x*, in N0's coordinates
        cols0 = {Z[a] for a in N0rows}
        by0 = self._by_type(cols0)
        # direction in N0 coordinates -> its constraint on Z: a row, or ("x>=0", a) for -d_a <= 0
        # (made a dense row on Z only if it is an implicit equality)
        cone: dict[tuple, tuple] = {}
        cache0: dict = {}
        for a, r in N0rows.items():
            if x[Z[a]] == 0:  # -d_j <= 0
                cone.setdefault(_sparse_primitive({b: -v for b, v in r.items()})[0], ("x>=0", a))
        for row in self._zero_slack_rows(cols0):
            got = self._row_image(row, pos, by0, N0rows, cache0)
            if got is not None:
                prim = got[1]
                if prim not in cone:
                    cone[prim] = row
        implicit = self._implicit(list(cone), nullity)
        # kept for the face certificate (exactscreen.mechanisms.face_evidence): the implicit
        # equalities, the cone rows they came from and N0's coordinates
        self.implicit_info = (implicit, cone, N0rows, by0) if implicit else None
        if implicit and not _rref_nullspace([_densify(g, nullity) for g in implicit], nullity)[0]:
            return  # the implicit equalities pin every coordinate of N0: the face is x*

        def on_z(c) -> list[int]:  # the dense row on Z of a cone constraint
            if c[0] == "x>=0":
                e = [0] * nz
                e[c[1]] = -1
                return e
            return _dense_int(self._terms(c, pos), nz)

        D_cols, free = (_rref_nullspace(rows + [on_z(cone[g]) for g in implicit], nz, sparse=True)
                        if implicit else (N0, _))
        if not D_cols:
            return
        dim = len(D_cols)
        D: dict[int, dict[int, int]] = {}  # sparse rows of D
        for b, vec in enumerate(D_cols):
            for a, v in vec.items():
                D.setdefault(a, {})[b] = v
        self.dim, self.D = dim, D
        # w_b moves only the free column free[b] among the free ones: x_f = x*_f + D[f][b] w_b
        self.free = [(Z[f], D[f][b]) for b, f in enumerate(free)]
        # 3. the face as a polytope in w
        self.cols = {Z[a] for a in D}
        by = self._by_type(self.cols)
        polytope: dict[tuple, Fraction] = {}  # sparse primitive row -> its smallest bound
        origin: dict[tuple, tuple] = {}  # ... -> (the model row giving that bound, its lam)

        def add(prim, lam, h: Fraction, key=None) -> None:
            h = h / lam
            if prim not in polytope or h < polytope[prim]:
                polytope[prim] = h
                origin[prim] = (key, lam)

        for a, r in D.items():  # x*_j + (D w)_j >= 0
            add(*_sparse_primitive({b: -v for b, v in r.items()}), x[Z[a]], ("x>=0", a))
        self.row_dir: dict[tuple, dict[int, int]] = {}
        cache1: dict = {}
        for i, t in self._rows_touching(self.cols):
            row = ("ir", i) if t is None else ("ic", i, t)
            got = self._row_image(row, pos, by, D, cache1)
            if got is not None:
                g, prim, lam = got
                self.row_dir[row] = g
                if d.ub_index(i, t) not in self.tight_rows:
                    add(prim, lam, Fraction(_slack(self.S, row), den), row)
        self.G = list(polytope)
        self.origin = [origin[g] for g in self.G]
        self.h = [polytope[g] for g in self.G]
        self.row_of = {g: r for r, g in enumerate(self.G)}
        self.reached = {r for r, v in enumerate(self.h) if v == 0}  # rows tight at x* (w = 0)
        # a face point (sparse w) at which each reached row is tight
        self.witness: dict[int, dict[int, Fraction]] = {r: {} for r in self.reached}
        self.box: tuple[list[Fraction], list[Fraction]] | None = None
        # 4. independent blocks: coordinates linked by a row.  The face is the product of
        # its blocks' polytopes, so each LP (and the lexicographic selection) splits by block.
        find = _linked(dim, ([b for b, _ in g] for g in self.G))
        groups: dict[int, list[int]] = {}
        for b in range(dim):
            groups.setdefault(find(b), []).append(b)
        self.blocks = [_Block(coords) for coords in groups.values()]
        self.block_of = [0] * dim
        for k_, blk in enumerate(self.blocks):
            for b in blk.coords:
                self.block_of[b] = k_
        for r, g in enumerate(self.G):
            blk = self.blocks[self.block_of[g[0][0]]]
            blk.add_row(r, dict(g), self.h[r])

    # -- rows and their images ------------------------------------------------
    def _terms(self, row, pos, cols=None) -> list[tuple[int, int]]:
        """s-scaled integer terms of a model row on the columns ``pos`` (restricted to ``cols``)."""
        return [(pos[c], v) for c, v in _row_terms(self.d, row) if c in pos and (cols is None or c in cols)]

    def _by_type(self, cols: set) -> list[tuple[list[tuple[int, int]], int | None]]:
        """Per type ``i``: its columns ``x(i, j)`` (j < k) in ``cols`` as ``(col, j)``, and
        ``p(i)`` if it is in ``cols``."""
        d = self.d
        out: list[tuple[list[tuple[int, int]], int | None]] = [([], None) for _ in range(d.n)]
        for c in sorted(cols):
            i, j = divmod(c, d.w)
            if j < d.k:
                out[i][0].append((c, j))
            elif j == d.k + 1:
                out[i] = (out[i][0], c)
        return out

    def _rows_touching(self, cols: set):
        """(i, t) of every IR (t None) and IC row with a term on ``cols``, in mechanism_lp order."""
        d = self.d
        n, w = d.n, d.w
        has = [False] * n
        for c in cols:
            has[c // w] = True
        hit = [i for i in range(n) if has[i]]
        for i in range(n):
            if has[i]:
                yield i, None
                for t in range(n):
                    if t != i:
                        yield i, t
            else:
                for t in hit:
                    if t != i:
                        yield i, t

    def _zero_slack_rows(self, cols: set):
        """The rows of :meth:`_rows_touching` with zero slack at ``x*`` and zero dual, in the
        same order: ``('ir', i)`` or ``('ic', i, t)``."""
        d, S, tight = self.d, self.S, self.tight_rows
        n, w = d.n, d.w
        has = [False] * n
        for c in cols:
            has[c // w] = True
        hit = [i for i in range(n) if has[i]]
        out: list[tuple] = []
        for i in range(n):
            Si, base = S[i], i * n  # base: IR(t_i)'s ub_index
            if has[i]:
                if Si[i] == 0 and base not in tight:
                    out.append(("ir", i))
                ts = range(n)
            else:
                ts = hit
            out += [("ic", i, t) for t in ts
                    if Si[t] == 0 and t != i and (base + 1 + t if t < i else base + t) not in tight]
        return out

    def _row_image(self, row, pos, by, M, cache: dict):
        """``(g, prim, lam)``: ``g = _image(terms, M)``, ``terms`` the row's terms on the
        columns listed in ``by`` (:meth:`_by_type`), as a sparse vector without zeros, and
        ``_sparse_primitive(g)``; None when ``g = 0``.

        Built from the images of the row's two halves: type i's own terms
        (``-v(t_i, .) x(t_i) + p(t_i)``, shared by IR(t_i) and every IC(t_i -> .)) and, for
        IC(t_i -> t_t), ``v(t_i, .) x(t_t) - p(t_t)``, which depends on ``t_i`` only through
        its net values: twins (:attr:`_Data.twins`) share it.  Exact integer sums; a half
        alone is returned (with its primitive) from ``cache``, which must be used with one
        ``(pos, by, M)`` only.  The returned ``g`` may be shared: do not modify it."""
        d = self.d
        i = row[1]
        if not cache:
            cache.update(own={}, oid={}, ids={}, other={}, sum={})
        owns = cache["own"]
        mine = owns.get(i, False)
        if mine is False:
            Ni = d.N[i]
            xs, pc = by[i]
            terms = [(pos[c], -Ni[j]) for c, j in xs if Ni[j]]
            if pc is not None:
                terms.append((pos[pc], d.s))
            own = self._image(terms, M)
            mine = owns[i] = (own, *_sparse_primitive(own)) if own else None
            # equal own halves get one id (the key of their sums with the other halves)
            cache["oid"][i] = cache["ids"].setdefault(mine[1:] if mine else None, len(cache["ids"]))
        if row[0] != "ic":
            return mine
        t = row[2]
        twins = d.twins
        key = (i if twins is None else twins[i][0], t)
        others = cache["other"]
        other = others.get(key, False)
        if other is False:
            Ni = d.N[i]
            xs, pc = by[t]
            terms = [(pos[c], Ni[j]) for c, j in xs if Ni[j]]
            if pc is not None:
                terms.append((pos[pc], -d.s))
            g = self._image(terms, M) if terms else {}
            other = (g, *_sparse_primitive(g)) if g else None
            if twins is not None:  # shared by the rows IC(t_i' -> t_t), t_i' a twin of t_i
                others[key] = other
        if other is None:
            return mine
        if mine is None:
            return other
        if twins is not None:  # twins' rows often add the same two halves: one sum for them all
            mkey = (cache["oid"][i], *key)
            got = cache["sum"].get(mkey, False)
            if got is not False:
                return got
        g = dict(other[0])
        get = g.get
        for b, v in mine[0].items():
            g[b] = get(b, 0) + v
        g = {b: v for b, v in g.items() if v}
        got = (g, *_sparse_primitive(g)) if g else None
        if twins is not None:
            cache["sum"][mkey] = got
        return got

    @staticmethod
    def _image(terms, M, keep_zeros: bool = False) -> dict[int, int]:
        """``sum v * M[a]`` over ``terms`` (sparse rows), as a sparse vector without zeros."""
        g: dict[int, int] = {}
        get = g.get
        for a, v in terms:
            r = M.get(a)
            if r is not None:
                for b, u in r.items():
                    g[b] = get(b, 0) + v * u
        if keep_zeros:
            return g
        return {b: v for b, v in g.items() if v}

    def _implicit(self, cone: list[tuple], dim0: int) -> list[tuple]:
        """The constraints ``g u <= 0`` of the cone ``{u : g u <= 0 for g in cone}`` that hold
        with equality on all of it (one exact LP; Freund, Roundy & Todd 1985)."""
        if not cone:
            return []
        # the LP separates over groups of rows linked by shared coordinates (its optimum is
        # unique: z_r = 1 on the rows some direction makes strict, 0 on the others).  A group
        # in which the direction u = -(sum of its rows) makes every row strict has no
        # implicit equality (exact check, no LP); one LP decides the remaining groups together
        find = _linked(dim0, ([b for b, _ in g] for g in cone))
        groups: dict[int, list] = {}
        for g in cone:
            groups.setdefault(find(g[0][0]), []).append(g)
        if _all_implicit_by_propagation(cone):
            return list(cone)
        rest = []
        for part in groups.values():
            u: dict[int, int] = {}
            for g in part:
                for b, v in g:
                    u[b] = u.get(b, 0) - v
            if any(sum(v * u[b] for b, v in g) >= 0 for g in part):
                rest.extend(part)
        if not rest:
            return []
        coords = sorted({b for g in rest for b, _ in g})
        loc = {b: a for a, b in enumerate(coords)}
        local = {g: tuple((loc[b], v) for b, v in g) for g in rest}
        equal = set(self._implicit_lp(list(local.values()), len(coords)))
        return [g for g in cone if g in local and local[g] in equal]

    def _implicit_lp(self, cone: list[tuple], dim0: int) -> list[tuple]:
        """:meth:`_implicit` as one exact LP."""
        m = len(cone)
        nd = 2 * dim0  # u = u+ - u-
        A_ub = []
        for r, g in enumerate(cone):  # 2^-e g u + z_r <= 0 (g sparse)
            # each row scaled by a power of 2 near its largest entry (exact): the cone and the
            # LP's unique optimum (z_r = 1 iff some u in the cone has g u < 0) are unchanged, and
            # HiGHS no longer sees entries ~2^42 beside 1 in one row (measured: a (40, 16) sparse
            # kink's tie face, HiGHS called the LP unbounded and the exact simplex took 910 pivots,
            # 7.4 s; scaled, its basis needs 4 exact pivots, 0.23 s)
            sc = Fraction(1, 1 << max(abs(v) for _, v in g).bit_length())
            A_ub.append(tuple((b, v * sc) for b, v in g)
                        + tuple((dim0 + b, -v * sc) for b, v in g)
                        + ((nd + r, Fraction(1)),))
        for r in range(m):  # z_r <= 1
            A_ub.append(((nd + r, Fraction(1)),))
        c = (ZERO,) * nd + (Fraction(1),) * m
        res = solve_lp(LinearProgram(c, (), (), tuple(A_ub), (ZERO,) * m + (Fraction(1),) * m))
        self.lps += 1
        self.lp_stats.append(res.stats)
        return [g for r, g in enumerate(cone) if res.x[nd + r] == 0]

    @property
    def stats(self) -> SolveTally:
        """The face's exact LPs so far (``lps``) with its generic solves by path."""
        return SolveTally.of(self.lp_stats, lps=self.lps)

    # -- quantities (sparse vectors in w: dicts b -> coefficient, no zeros) ---
    def direction(self, obj: dict[int, Fraction]) -> dict[int, Fraction]:
        """``q D`` of the quantity ``q = sum obj[col] x_col`` (empty: constant on the face)."""
        g: dict[int, Fraction] = {}
        for col, v in obj.items():
            a = self.pos.get(col)
            r = self.D.get(a) if a is not None else None
            if r is not None and v:
                for b, u in r.items():
                    g[b] = g.get(b, ZERO) + v * u
        return {b: v for b, v in g.items() if v}

    def point(self, w: dict[int, Fraction]) -> dict[int, Fraction]:
        """The columns that differ from ``x*`` at ``x* + D w``."""
        out = {}
        for a, r in self.D.items():
            out[self.Z[a]] = self.x[self.Z[a]] + sum((u * w[b] for b, u in r.items() if b in w), ZERO)
        return out

    def _split(self, g: dict) -> dict[int, list]:
        parts: dict[int, list] = {}
        for b, v in g.items():
            k_ = self.block_of[b]
            part = parts.get(k_)
            if part is None:
                part = parts[k_] = [ZERO] * len(self.blocks[k_].coords)
            part[self.blocks[k_].local[b]] = v
        return parts

    def maximize(self, g: dict) -> tuple[Fraction, dict[int, Fraction]]:
        """Exact ``max g.w`` over the face: the sum of the blocks' maxima, at the point made of
        the blocks' maximizers (``w = 0``, i.e. ``x*``, on the blocks ``g`` does not touch)."""
        key, lam0 = _sparse_primitive(g)
        r = self.row_of.get(key)
        if r is not None and r in self.witness:
            # g is a positive multiple of a row g.w <= h of the face, tight at a known point
            return lam0 * self.h[r], dict(self.witness[r])
        total = ZERO
        w: dict[int, Fraction] = {}
        for k_, part in self._split(g).items():
            blk = self.blocks[k_]
            prim, lam = _primitive(part)
            value, wl = blk.max_primitive(prim, self)
            total += lam * value
            for b, v in zip(blk.coords, wl):
                if v:
                    w[b] = v
        return total, w

    def range_of(self, g: dict) -> tuple[Fraction, Fraction, dict | None, dict | None]:
        """(min, max, argmin, argmax) of ``g.w`` over the face; argmin/argmax None when g = 0."""
        if not g:
            return ZERO, ZERO, None, None
        hi, whi = self.maximize(g)
        lo, wlo = self.maximize({b: -v for b, v in g.items()})
        return -lo, hi, wlo, whi

    def reaches(self, g, h: Fraction) -> bool:
        """Some point of the face has ``g.w = h``, where ``g.w <= h`` is one of the face's rows.

        A row whose bound is above its merged row's is never tight; a row
        tight at a face point already found (``x*``, an LP's vertex) is; a row
        that the box of the face's coordinates keeps below its bound is not;
        the others take one exact LP in their block."""
        prim, lam = _sparse_primitive(g)
        r = self.row_of[prim]
        if h / lam != self.h[r]:
            return False
        if r in self.reached:
            return True
        tight = self.blocks[self.block_of[prim[0][0]]].tight_somewhere()
        if tight is not None:  # the block's vertices are known exactly: a maximum is at one
            return r in tight
        if self.box is not None:  # an upper bound of prim.w over the box around the face
            lo, hi = self.box
            bound = sum((v * (hi[b] if v > 0 else lo[b]) for b, v in prim), ZERO)
            if bound < self.h[r]:
                return False
        return self.maximize(dict(prim))[0] == self.h[r]

    def set_box(self, ranges: dict[int, tuple[Fraction, Fraction]]) -> None:
        """Exact bounds of each ``w_b`` from the ranges of the free columns over the face
        (``ranges[col] = (lo, hi)``), for :meth:`reaches`."""
        lo, hi = [], []
        for col, c in self.free:
            a, b = ranges[col]
            lo.append((a - self.x[col]) / c)
            hi.append((b - self.x[col]) / c)
        self.box = (lo, hi)

    def lexicographic(self, stages) -> dict[int, Fraction]:
        """The point maximizing ``stages`` (directions ``g``) lexicographically, block by block
        (the face is the product of its blocks, so the lexicographic optimum is the product of
        the blocks' lexicographic optima); unique when the stages pin every coordinate."""
        w: dict[int, Fraction] = {}
        if not self.dim:
            return w
        per_block: list[list] = [[] for _ in self.blocks]
        for g in stages:
            for k_, part in self._split(g).items():
                per_block[k_].append(part)
        for k_, (blk, blk_stages) in enumerate(zip(self.blocks, per_block), 1):
            if self.progress is not None and len(self.blocks) > 1:
                self.progress(f"selection {k_}/{len(self.blocks)}")
            for b, v in zip(blk.coords, blk.lexicographic(blk_stages, self)):
                if v:
                    w[b] = v
        return w


class _Block:
    """Coordinates of the face linked by its rows, with those rows (see :class:`StructuredFace`)."""

    def __init__(self, coords: list[int]):
        self.coords = coords
        self.local = {b: a for a, b in enumerate(coords)}
        self.rows: list[int] = []  # global row indices
        self.G: list[tuple[int, ...]] = []
        self.h: list[Fraction] = []
        self.cache: dict[tuple[int, ...], tuple[Fraction, tuple[Fraction, ...]]] = {}
        self.models: dict[str, _FaceLP] = {}
        self.basis: tuple[int, ...] | None = None
        self.tight_cache: set[int] | None | bool = False  # False: not computed yet
        self.verts = False  # False: not enumerated yet; None: the enumeration gave up

    def add_row(self, r: int, g: dict[int, int], h: Fraction) -> None:
        self.rows.append(r)
        self.G.append(tuple(g.get(b, 0) for b in self.coords))
        self.h.append(h)

    def _model(self, which: str) -> _FaceLP:
        m = self.models.get(which)
        if m is None:
            m = self.models[which] = _FaceLP(self.G, self.h)
        return m

    def _mark(self, w, face: StructuredFace, tight=None) -> None:
        """Record the rows tight at the block point ``w`` (local indices ``tight`` if known),
        with the face point ``w`` (``x*`` on the other blocks) as their witness."""
        if tight is None:
            tight = [a for a, (g, h) in enumerate(zip(self.G, self.h)) if _dotw(g, w) == h]
        point = None
        for a in tight:
            r = self.rows[a]
            face.reached.add(r)
            if r not in face.witness:
                if point is None:
                    point = {b: v for b, v in zip(self.coords, w) if v}
                face.witness[r] = point

    def tight_somewhere(self) -> set[int] | None:
        """Global indices of the block's rows tight at some point of its polytope, from an
        exact vertex enumeration (:func:`_vertex_zero_sets`); None when the enumeration
        gives up (too many vertices): the caller then solves LPs.

        A linear function's maximum over a bounded polytope is attained at a vertex, so
        ``g_r.w <= h_r`` is tight somewhere iff it is tight at some vertex."""
        if self.tight_cache is False:
            vs = self.vertices()
            if vs is None:
                self.tight_cache = None
            else:
                union = 0
                for _, _, z in vs:
                    union |= z
                self.tight_cache = {self.rows[a] for a in range(len(self.rows)) if union >> a & 1}
        return self.tight_cache

    def vertices(self):
        """The block polytope's vertices (:func:`_vertices`), computed once; None if it gave up."""
        if self.verts is False:
            self.verts = _vertices(self.G, self.h) if len(self.coords) > 1 else None
        return self.verts

    def _best_vertices(self, g, cand):
        """The vertices in ``cand`` maximizing ``g.w`` exactly, and that maximum."""
        num, den, out = 0, 0, []  # best value num / den (den > 0), compared by cross-multiplying
        for v in cand:
            W, t, _ = v
            val = sum(map(mul, g, W))
            if not out or val * den > num * t:
                num, den, out = val, t, [v]
            elif val * den == num * t:
                out.append(v)
        return Fraction(num, den), out

    def _vertex_point(self, v, face: StructuredFace) -> tuple[Fraction, ...]:
        W, t, z = v
        w = tuple(Fraction(a, t) for a in W)
        self._mark(w, face, [a for a in range(len(self.rows)) if z >> a & 1])
        return w

    def max_primitive(self, prim: tuple[int, ...], face: StructuredFace):
        got = self.cache.get(prim)
        if got is None:
            vs = self.vertices()
            if vs is not None:  # a maximum over a bounded polytope is attained at a vertex
                best, at = self._best_vertices(prim, vs)
                got = self.cache[prim] = (best, self._vertex_point(at[0], face))
            else:
                got = self.cache[prim] = self.maximize(prim, face)
        return got

    def maximize(self, g, face: StructuredFace, eq=(), start=None) -> tuple[Fraction, tuple[Fraction, ...]]:
        """Exact ``max g.w`` over the block's polytope (and the equalities ``eq``).

        With ``eq`` the selection model is used, whose equalities must be ``eq``
        (:meth:`lexicographic` adds them as it goes).  ``start``: a point of the block known to
        satisfy ``eq`` (the previous stage's optimum), where the exact active-set method starts
        if the float hint fails."""
        dim = len(self.coords)
        if dim == 1 and not eq:  # an interval: exact ratio test
            lo, hi = None, None
            for (a,), h in zip(self.G, self.h):
                if a > 0:
                    hi = h / a if hi is None else min(hi, h / a)
                elif a < 0:
                    lo = h / a if lo is None else max(lo, h / a)
            if lo is None or hi is None:  # pragma: no cover - the face is bounded
                raise RuntimeError("unbounded optimal face")
            wv = (hi if g[0] > 0 else lo,)
            self._mark(wv, face)
            return g[0] * wv[0], wv
        face.lps += 1
        model = self._model("selection" if eq else "ranges")
        got = model.maximize(g)
        if got is not None:
            self._mark(got[1], face, model.tight)
            model.point = got[1]
            return got
        # the float hint failed its exact check: the exact active-set method from the model's last
        # optimum (it satisfies the selection's equalities so far) or from x* (w = 0, no equalities)
        if start is None:
            start = model.point if model.point is not None else (None if eq else (ZERO,) * dim)
        got = model.exact_maximize(g, start) if start is not None else None
        if got is not None:
            self._mark(got[1], face, model.tight)
            model.point = got[1]
            face.active_set_lps += 1
            return got
        # the float hint failed the exact check: the generic exact engine decides
        c = tuple(Fraction(v) for v in g) + tuple(-Fraction(v) for v in g)
        A_eq = tuple(tuple((b, Fraction(v)) for b, v in enumerate(r) if v) + tuple((dim + b, -Fraction(v)) for b, v in enumerate(r) if v)
                     for r, _ in eq)
        A_ub = tuple(
            tuple((b, Fraction(v)) for b, v in enumerate(r) if v) + tuple((dim + b, Fraction(-v)) for b, v in enumerate(r) if v)
            for r in self.G
        )
        res = solve_lp(LinearProgram(c, A_eq, tuple(e for _, e in eq), A_ub, tuple(self.h)),
                       hint_basis=self.basis if not eq else None)
        face.lp_stats.append(res.stats)
        if not eq:
            self.basis = res.basis
        wv = tuple(res.x[b] - res.x[dim + b] for b in range(dim))
        self._mark(wv, face)
        return res.objective, wv

    def lexicographic(self, stages, face: StructuredFace) -> tuple[Fraction, ...]:
        """Lexicographic maximum of ``stages`` over the block; stages constant on the current
        optimal set are skipped (at most one exact LP per coordinate)."""
        dim = len(self.coords)
        vs = self.vertices()
        if vs is not None:
            # each stage's optimal set is a face of the polytope, whose vertices are the
            # current vertices attaining the stage's maximum
            cand = vs
            for g in stages:
                if len(cand) == 1:
                    break
                cand = self._best_vertices(g, cand)[1]
            if len(cand) != 1:  # pragma: no cover - the selection stages pin every coordinate
                raise RuntimeError("selection rule left more than one mechanism")
            return self._vertex_point(cand[0], face)
        w = tuple([ZERO] * dim)
        eq: list[tuple[list, Fraction]] = []
        Bcols = [[int(a == b) for a in range(dim)] for b in range(dim)]  # span null(eq)
        prims: list[list[int]] = []  # the primitive rows of eq, one added per stage (not recomputed)
        for g in stages:
            if not Bcols:
                break
            nzg = [(a, v) for a, v in enumerate(g) if v]
            if all(sum(v * col[a] for a, v in nzg) == 0 for col in Bcols):
                continue  # constant on the current optimal set
            v, w = self.maximize(g, face, eq, start=w if eq else None)
            eq.append((list(g), v))
            self._model("selection").add_equality(g, v)
            prims.append(list(_primitive(g)[0]))
            Bcols = _rref_nullspace(prims, dim)[0]
        if Bcols:  # pragma: no cover - the selection stages pin every coordinate
            raise RuntimeError("selection rule left more than one mechanism")
        return w


def _all_implicit_by_propagation(cone: list[tuple]) -> bool:
    """True when every row ``g u <= 0`` of the cone holds with equality on all of it, shown
    by propagation alone (exact; False means "not shown", not "no").

    Rows reduced by the coordinates already known to be 0 on the cone: a reduced row that
    is 0, or whose opposite direction (a negative multiple) is also a reduced row, is an
    implicit equality; two opposite one-coordinate rows ``u_b <= 0``, ``-u_b <= 0`` pin
    ``u_b = 0``.  Repeated until nothing changes (at most one round per coordinate)."""
    zero: set[int] = set()
    for _ in range(len(cone) + 2):
        reduced = {}
        for g in cone:
            red = tuple((b, v) for b, v in g if b not in zero)
            if red:
                G_ = gcd(*[v for _, v in red])
                red = tuple((b, v // G_) for b, v in red)
            reduced[g] = red
        present = set(reduced.values())
        newzero = set()
        still = []
        for g, red in reduced.items():
            if not red:
                continue
            if tuple((b, -v) for b, v in red) in present:
                if len(red) == 1:
                    newzero.add(red[0][0])
                continue
            still.append(g)
        if not still:
            return True
        if not newzero - zero:
            return False
        zero |= newzero
    return False  # pragma: no cover - each round pins a new coordinate


def _vertices(G: list[tuple[int, ...]], h: list[Fraction], max_rays: int = 400,
              max_work: int = 3_000_000) -> list[tuple[tuple[int, ...], int, int]] | None:
    """Exact vertex enumeration of the bounded, full-dimensional polytope ``{w : G w <= h}``
    by the double description method (Motzkin et al. 1953; Fukuda & Prodon 1996) on the
    homogenized cone ``{(w, t) : G w - h t <= 0, t >= 0}``, in integer arithmetic.

    Returns each vertex as ``(W, t, z)``: the vertex is ``W / t`` (integers, ``t > 0``) and
    ``z`` is the bitmask of the rows of ``G`` tight there; or None when
    the enumeration exceeds ``max_rays`` rays or ``max_work`` adjacency tests (the caller
    then uses LPs).  Adjacency by the combinatorial test (two extreme rays are adjacent iff
    no third extreme ray is tight on every row both are tight on), so every ray kept is
    extreme and the final rays are exactly the vertices (the polytope is bounded: no ray
    has ``t = 0``)."""
    m = len(G)
    if not m:
        return None
    dim = len(G[0])
    D = dim + 1
    rows: list[list[int]] = []
    for g, hv in zip(G, h):
        q, p = hv.denominator, hv.numerator
        rows.append([v * q for v in g] + [-p])
    rows.append([0] * dim + [-1])  # t >= 0, index m
    # initial basis: D linearly independent rows, t >= 0 first
    basis: list[int] = []
    echelon: list[tuple[int, list[int]]] = []
    for idx in [m] + list(range(m)):
        v = rows[idx]
        for piv, e in echelon:  # fraction-free elimination: v <- e[piv] v - v[piv] e
            if v[piv]:
                ep, vp = e[piv], v[piv]
                v = [ep * a - vp * b for a, b in zip(v, e)]
                G_ = gcd(*v)
                if G_ > 1:
                    v = [a // G_ for a in v]
        nzp = next((c for c, a in enumerate(v) if a), None)
        if nzp is not None:
            echelon.append((nzp, v))
            basis.append(idx)
            if len(basis) == D:
                break
    if len(basis) < D:
        return None  # not full-dimensional / unbounded: leave it to the LPs
    inv = fmpq_mat([rows[i] for i in basis]).inv()
    rays: list[list[int]] = []
    zsets: list[int] = []
    full = 0
    for i in basis:
        full |= 1 << i
    for j in range(D):  # A0 r_j = -c e_j with c > 0: tight on every basis row but the j-th
        col = [-inv[a, j] for a in range(D)]
        L = lcm(*[int(v.q) for v in col])
        ints = [int(v.p) * (L // int(v.q)) for v in col]
        G_ = gcd(*ints)
        rays.append([v // G_ for v in ints])
        zsets.append(full & ~(1 << basis[j]))
    done = set(basis)
    work = 0
    need = D - 2  # rank of the rows tight on an edge; at least that many of them
    for idx in range(m):
        if idx in done:
            continue
        a = rows[idx]
        bit = 1 << idx
        vals = [sum(map(mul, a, r)) for r in rays]
        P = [k for k, v in enumerate(vals) if v > 0]
        if not P:
            for k, v in enumerate(vals):
                if v == 0:
                    zsets[k] |= bit
            continue
        N = [k for k, v in enumerate(vals) if v < 0]
        work += len(P) * len(N) * len(rays)
        if work > max_work:
            return None
        new_rays, new_z = [], []
        for p_ in P:
            zp, sp = zsets[p_], vals[p_]
            rp = rays[p_]
            for n_ in N:
                zc = zp & zsets[n_]
                if zc.bit_count() < need:
                    continue
                hits = 0
                for z in zsets:
                    if z & zc == zc:
                        hits += 1
                        if hits > 2:
                            break
                if hits > 2:
                    continue
                sn = vals[n_]
                r = [sp * x - sn * y for x, y in zip(rays[n_], rp)]
                G_ = gcd(*r)
                new_rays.append([v // G_ for v in r])
                new_z.append(zc | bit)
        keep = [k for k, v in enumerate(vals) if v <= 0]
        rays = [rays[k] for k in keep] + new_rays
        zsets = [zsets[k] | (bit if vals[k] == 0 else 0) for k in keep] + new_z
        if len(rays) > max_rays:
            return None
        done.add(idx)
    tmask = 1 << m
    out = []
    for r, z in zip(rays, zsets):
        if r[-1] <= 0:  # pragma: no cover - a bounded polytope has no ray with t = 0
            return None
        out.append((tuple(r[:dim]), r[-1], z & ~tmask))
    return out


def _vertex_zero_sets(G: list[tuple[int, ...]], h: list[Fraction], **kw) -> list[int] | None:
    """The bitmasks of :func:`_vertices` (rows tight at each vertex), or None."""
    vs = _vertices(G, h, **kw)
    return None if vs is None else [z for _, _, z in vs]


def _linked(size: int, supports) -> Callable[[int], int]:
    """Union-find over ``range(size)``: the elements of each support end up with one root.

    Returns ``find`` (root of an element, with path halving); the roots depend
    only on the supports and their order.
    """
    parent = list(range(size))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for sup in supports:  # each b of sup[1:]: the root of sup[0]'s set goes under b's root
        if len(sup) < 2:
            continue
        ra = sup[0]
        while parent[ra] != ra:  # find, inlined (path halving)
            parent[ra] = parent[parent[ra]]
            ra = parent[ra]
        for b in sup[1:]:
            while parent[b] != b:
                parent[b] = parent[parent[b]]
                b = parent[b]
            if b != ra:
                parent[ra] = b
                ra = b  # the root of sup[0]'s set now
    return find


def _rref_nullspace(rows: list, ncols: int, sparse: bool = False) -> tuple[list, list[int]]:
    """Basis of ``{z : r.z = 0}`` from the reduced row echelon form: one vector per free
    column (positive there, 0 on the other free columns), scaled to a primitive integer
    vector; and the free columns.  Well scaled (unlike a fraction-free basis), so float
    hints on it are meaningful.  Vectors are dense lists, or with ``sparse`` dicts
    ``index -> value`` without zeros."""
    if not rows:
        free = list(range(ncols))
        if sparse:
            return [{f: 1} for f in free], free
        return [[int(a == b) for a in range(ncols)] for b in range(ncols)], free
    if sparse and len(rows) > 2:
        # rows linked by shared columns form independent blocks; the reduced row echelon
        # form of a block-diagonal matrix is block-wise (same pivots, same entries), so each
        # block is reduced on its own columns
        supports = [list(compress(range(ncols), r)) for r in rows]  # the nonzero columns
        find = _linked(ncols, supports)
        comp: dict[int, list[int]] = {}
        for a, sup in enumerate(supports):
            if sup:
                comp.setdefault(find(sup[0]), []).append(a)
        if len(comp) > 1:
            vec_of: dict[int, dict[int, int]] = {}
            covered: set[int] = set()
            for members in comp.values():
                cols = sorted({c for a in members for c in supports[a]})
                covered.update(cols)
                vecs, fr = _rref_nullspace([[rows[a][c] for c in cols] for a in members], len(cols))
                for vec, f in zip(vecs, fr):
                    sv = {cols[c]: v for c, v in enumerate(vec) if v and c != f}
                    sv[cols[f]] = vec[f]  # pivots first, then the free column (as below)
                    vec_of[cols[f]] = sv
            for c in range(ncols):
                if c not in covered:
                    vec_of[c] = {c: 1}
            free = sorted(vec_of)
            return [vec_of[f] for f in free], free
    R, rank = fmpq_mat(len(rows), ncols, [v for r in rows for v in r]).rref()
    E = R.entries()
    pivots: list[int] = []
    by_free: dict[int, list[tuple[int, object]]] = {}  # free column -> (pivot column, entry)
    for r in range(rank):  # the nonzeros of each row of R (R is sparse here)
        nz = [(c, v) for c, v in enumerate(E[r * ncols:(r + 1) * ncols]) if v]
        pc = nz[0][0]  # the row's pivot (entry 1)
        pivots.append(pc)
        for c, v in nz[1:]:
            by_free.setdefault(c, []).append((pc, v))
    pivot_set = set(pivots)
    free = [f for f in range(ncols) if f not in pivot_set]
    out: list = []
    for f in free:
        nums: dict[int, int] = {}
        dens: dict[int, int] = {}
        for pc, v in by_free.get(f, ()):
            nums[pc], dens[pc] = -int(v.p), int(v.q)
        L = lcm(1, *dens.values())
        vec = {pc: num * (L // dens[pc]) for pc, num in nums.items()}
        vec[f] = L
        G = gcd(*vec.values())
        if G != 1:
            vec = {a: v // G for a, v in vec.items()}
        if sparse:
            out.append(vec)
        else:
            dense = [0] * ncols
            for a, v in vec.items():
                dense[a] = v
            out.append(dense)
    return out, free


def _sparse_primitive(g: dict) -> tuple[tuple[tuple[int, object], ...], Fraction]:
    """:func:`_primitive` of a sparse vector (dict, no zeros): the sorted ``(index, value)``
    pairs of the primitive integer vector, and ``lam > 0``."""
    keys = sorted(g)
    prim, lam = _primitive([g[b] for b in keys])
    return tuple(zip(keys, prim)), lam


def _densify(g, dim: int) -> list[int]:
    row = [0] * dim
    for b, v in g:
        row[b] = v
    return row


def _dense_int(terms, nz: int) -> list[int]:
    row = [0] * nz
    for a, v in terms:
        row[a] += v
    return row
