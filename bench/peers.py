"""Solvers run side by side with exactscreen, each solve in its own process.

Every solver ("peer") gets the *same* :class:`exactscreen.lp.exact.LinearProgram`
(``max c.x s.t. A_eq x = b_eq, A_ub x <= b_ub, x >= 0``, built once by
:func:`exactscreen.mechanisms.optimum.mechanism_lp`) and reports a result dict:

``status``
    ``"ok"``, ``"timeout"``, ``"error"`` or ``"crashed"``.
``objective``
    The optimum: a :class:`fractions.Fraction` for exact peers, a ``float``
    for HiGHS.
``build_s`` / ``solve_s`` / ``solve_cpu_s``
    Seconds to turn the LinearProgram into the peer's own model, and seconds
    of the solver call alone (wall clock, and this process's CPU time, which
    other load on the machine disturbs less).  Imports are never timed: each child imports
    its library first, then tells the parent it is ready, and only then does
    the parent start the timeout clock.

Peers
-----
``exactscreen``          :func:`exactscreen.lp.exact.solve_lp` (HiGHS basis, exact re-solve, exact
                         check, exact fallback), then the independent certificate check
``exactscreen-face``     :func:`exactscreen.mechanisms.optimum.optimal_mechanism` with ``face=True``
``exactscreen-cold``     :func:`exactscreen.lp.exact.solve_lp` with ``use_hint=False`` (exact simplex only)
``highs``                HiGHS in floating point on the same LP (``highspy``), not exact
``sympy``                ``sympy.solvers.simplex.lpmax`` (exact, rational simplex in Python)
``cdd``                  pycddlib's GMP build, ``cdd.gmp`` (exact, rational dual simplex in C)
``z3``                   ``z3.Optimize`` over ``Real`` variables (exact rationals)

A solve that takes under 0.2 s is repeated, with a fresh model each time, up
to five runs, and the fastest run is kept (as ``timeit`` does); ``runs`` says
how many were made.  Each solve runs in a fresh ``spawn``-ed process that is killed when it
exceeds the timeout, so a peer that never finishes costs at most the timeout
and cannot leak memory into the next solve.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import resource
import time
import traceback
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable
from exactscreen.lp.highs import new_highs

__all__ = ["Peer", "PEERS", "EXACT_PEERS", "available", "run_isolated", "run_inline"]


# ----------------------------------------------------------------------------
# exactscreen
# ----------------------------------------------------------------------------
def _prep_exactscreen() -> None:
    import exactscreen.lp.certificate  # noqa: F401
    import exactscreen.lp.exact  # noqa: F401
    import highspy  # noqa: F401  (solve_lp imports it lazily: keep that out of the clock)
    import numpy  # noqa: F401


def _run_exactscreen(payload: dict, *, use_hint: bool = True) -> dict:
    from exactscreen.lp.certificate import check_certificate
    from exactscreen.lp.exact import solve_lp

    lp = payload["lp"]
    c0 = time.process_time()
    t0 = time.perf_counter()
    res = solve_lp(lp, use_hint=use_hint)
    t1 = time.perf_counter()
    c1 = time.process_time()
    check = check_certificate(lp, res.x, res.y_eq, res.y_ub, res.objective)
    t2 = time.perf_counter()
    return {
        "objective": res.objective,
        "build_s": 0.0,
        "solve_s": t1 - t0,
        "solve_cpu_s": c1 - c0,
        "check_s": t2 - t1,
        "certificate_ok": check.ok,
        "certificate_failures": list(check.failures[:5]),
        "method": res.method,
        "note": res.note,
        "paths": {res.stats.method: 1},
        "reasons": {res.stats.reason: 1} if res.stats.reason else {},
    }


def _run_exactscreen_cold(payload: dict) -> dict:
    return _run_exactscreen(payload, use_hint=False)


def _prep_face() -> None:
    _prep_exactscreen()
    import exactscreen.mechanisms.optimum  # noqa: F401


def _run_face(payload: dict) -> dict:
    from exactscreen.mechanisms.optimum import optimal_mechanism

    c0 = time.process_time()
    t0 = time.perf_counter()
    om = optimal_mechanism(payload["env"], payload["market"], face=True)
    t1 = time.perf_counter()
    c1 = time.process_time()
    return {
        "objective": om.revenue,
        "build_s": 0.0,
        "solve_s": t1 - t0,
        "solve_cpu_s": c1 - c0,
        "certificate_ok": om.verified,
        "method": om.method,
        "lp_solves": om.lp_solves,
        "payment_rule_unique": om.payment_rule_unique,
        "mechanism_unique": om.face.unique if om.face is not None else None,
        "paths": dict(om.stats.paths),
        "reasons": dict(om.stats.reasons),
    }


# ----------------------------------------------------------------------------
# HiGHS in floating point
# ----------------------------------------------------------------------------
def highs_model(lp):
    """The LP as a ``highspy.HighsLp`` (row-wise; a float copy of the exact data, for HiGHS only)."""
    import highspy
    import numpy as np

    n, m_eq, m_ub = lp.num_vars, len(lp.A_eq), len(lp.A_ub)
    starts, index, value = [0], [], []
    for row in itertools.chain(lp.A_eq, lp.A_ub):
        for j, a in row:
            index.append(j)
            value.append(float(a))  # float solver input; never read back into an exact result
        starts.append(len(index))
    inf = highspy.kHighsInf
    model = highspy.HighsLp()
    model.num_col_ = n
    model.num_row_ = m_eq + m_ub
    model.sense_ = highspy.ObjSense.kMaximize
    model.col_cost_ = np.array([float(v) for v in lp.c], dtype=np.float64)
    model.col_lower_ = np.zeros(n)
    model.col_upper_ = np.full(n, inf)
    model.row_lower_ = np.array([float(v) for v in lp.b_eq] + [-inf] * m_ub, dtype=np.float64)
    model.row_upper_ = np.array([float(v) for v in lp.b_eq] + [float(v) for v in lp.b_ub], dtype=np.float64)
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    model.a_matrix_.index_ = np.array(index, dtype=np.int32)
    model.a_matrix_.value_ = np.array(value, dtype=np.float64)
    model.a_matrix_.num_col_ = n
    model.a_matrix_.num_row_ = m_eq + m_ub
    return model


def _prep_highs() -> None:
    import highspy  # noqa: F401
    import numpy  # noqa: F401


def _run_highs(payload: dict) -> dict:
    import highspy

    lp = payload["lp"]
    t0 = time.perf_counter()
    model = highs_model(lp)
    h = new_highs()
    h.passModel(model)
    c1 = time.process_time()
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    c2 = time.process_time()
    status = h.modelStatusToString(h.getModelStatus())
    obj = h.getInfo().objective_function_value
    return {
        "objective": float(obj),
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "solve_cpu_s": c2 - c1,
        "highs_status": status,
        "simplex_iterations": int(h.getInfo().simplex_iteration_count),
    }


# ----------------------------------------------------------------------------
# sympy lpmax
# ----------------------------------------------------------------------------
def _prep_sympy() -> None:
    import sympy  # noqa: F401
    from sympy.solvers.simplex import lpmax  # noqa: F401


def _run_sympy(payload: dict) -> dict:
    import sympy
    from sympy.solvers.simplex import lpmax

    lp = payload["lp"]
    t0 = time.perf_counter()
    xs = sympy.symbols(f"x0:{len(lp.c)}")

    def q(v: Fraction) -> sympy.Rational:
        return sympy.Rational(v.numerator, v.denominator)

    def expr(row) -> sympy.Expr:
        return sympy.Add(*[q(a) * xs[j] for j, a in row if a])

    cons: list = [x >= 0 for x in xs]
    for row, b in zip(lp.A_eq, lp.b_eq):
        cons.append(sympy.Eq(expr(row), q(b)))
    for row, b in zip(lp.A_ub, lp.b_ub):
        cons.append(expr(row) <= q(b))
    if any(c is sympy.false for c in cons):
        raise ValueError("a constant row is infeasible")
    cons = [c for c in cons if c is not sympy.true]
    obj = sympy.Add(*[q(cj) * xs[j] for j, cj in enumerate(lp.c) if cj])
    c1 = time.process_time()
    t1 = time.perf_counter()
    best, _ = lpmax(obj, cons)
    t2 = time.perf_counter()
    c2 = time.process_time()
    best = sympy.Rational(best)
    return {"objective": Fraction(int(best.p), int(best.q)), "build_s": t1 - t0, "solve_s": t2 - t1,
            "solve_cpu_s": c2 - c1}


# ----------------------------------------------------------------------------
# pycddlib, GMP rationals
# ----------------------------------------------------------------------------
def _prep_cdd() -> None:
    import cdd  # noqa: F401
    import cdd.gmp  # noqa: F401  (ImportError when pycddlib was built without GMP)


def _run_cdd(payload: dict) -> dict:
    import cdd
    import cdd.gmp

    lp = payload["lp"]
    n = len(lp.c)
    t0 = time.perf_counter()
    # H-representation: each row [b, -A] means b - A x >= 0; equalities via lin_set.
    rows: list[list[Fraction]] = []
    zero = Fraction(0)
    for A, b in ((lp.A_eq, lp.b_eq), (lp.A_ub, lp.b_ub)):
        for row, rhs in zip(A, b):
            r = [rhs] + [zero] * n
            for j, a in row:
                r[1 + j] -= a
            rows.append(r)
    lin_set = range(len(lp.A_eq))
    for j in range(n):  # x_j >= 0
        r = [zero] * (n + 1)
        r[1 + j] = Fraction(1)
        rows.append(r)
    mat = cdd.gmp.matrix_from_array(
        rows,
        lin_set=set(lin_set),
        rep_type=cdd.RepType.INEQUALITY,
        obj_type=cdd.LPObjType.MAX,
        obj_func=[zero, *lp.c],
    )
    prog = cdd.gmp.linprog_from_matrix(mat)
    c1 = time.process_time()
    t1 = time.perf_counter()
    cdd.gmp.linprog_solve(prog)
    t2 = time.perf_counter()
    c2 = time.process_time()
    if prog.status != cdd.LPStatusType.OPTIMAL:
        raise RuntimeError(f"cdd status {prog.status!r}")
    obj = prog.obj_value
    if not isinstance(obj, Fraction):  # guard: never pass a float off as exact
        raise TypeError(f"cdd.gmp returned {type(obj).__name__}, not Fraction")
    return {"objective": obj, "build_s": t1 - t0, "solve_s": t2 - t1, "solve_cpu_s": c2 - c1}


# ----------------------------------------------------------------------------
# z3 Optimize over the reals
# ----------------------------------------------------------------------------
def _prep_z3() -> None:
    import z3  # noqa: F401


def _run_z3(payload: dict) -> dict:
    import z3

    lp = payload["lp"]
    t0 = time.perf_counter()
    xs = [z3.Real(f"x{j}") for j in range(len(lp.c))]

    def q(v: Fraction):
        return z3.Q(v.numerator, v.denominator)

    def expr(row):
        terms = [xs[j] if a == 1 else q(a) * xs[j] for j, a in row if a]
        return z3.Sum(terms) if terms else z3.RealVal(0)

    opt = z3.Optimize()
    for x in xs:
        opt.add(x >= 0)
    for row, b in zip(lp.A_eq, lp.b_eq):
        opt.add(expr(row) == q(b))
    for row, b in zip(lp.A_ub, lp.b_ub):
        opt.add(expr(row) <= q(b))
    obj = expr([(j, cj) for j, cj in enumerate(lp.c)])
    handle = opt.maximize(obj)
    c1 = time.process_time()
    t1 = time.perf_counter()
    verdict = opt.check()
    t2 = time.perf_counter()
    c2 = time.process_time()
    if verdict != z3.sat:
        raise RuntimeError(f"z3 answered {verdict}")
    def exact(v) -> Fraction:
        if z3.is_int_value(v):  # z3 reports integral optima with sort Int
            return Fraction(v.as_long())
        if z3.is_rational_value(v):
            f = v.as_fraction()
            return Fraction(f.numerator, f.denominator)
        raise RuntimeError(f"z3 optimum is not a finite rational: {v}")

    upper = exact(handle.upper())
    f = exact(opt.model().eval(obj, model_completion=True))
    if f != upper:
        raise RuntimeError(f"z3 model value {f} differs from its bound {upper}")
    return {"objective": f, "build_s": t1 - t0, "solve_s": t2 - t1, "solve_cpu_s": c2 - c1}


# ----------------------------------------------------------------------------
# Registry and process isolation
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Peer:
    name: str
    exact: bool
    prepare: Callable[[], None]
    run: Callable[[dict], dict]
    needs: str  # payload keys: "lp" or "env"
    install: str  # how to get it


PEERS: dict[str, Peer] = {
    "exactscreen": Peer("exactscreen", True, _prep_exactscreen, _run_exactscreen, "lp", "pip install -e ."),
    "exactscreen-face": Peer("exactscreen-face", True, _prep_face, _run_face, "env", "pip install -e ."),
    "exactscreen-cold": Peer("exactscreen-cold", True, _prep_exactscreen, _run_exactscreen_cold, "lp", "pip install -e ."),
    "highs": Peer("highs", False, _prep_highs, _run_highs, "lp", "pip install highspy"),
    "sympy": Peer("sympy", True, _prep_sympy, _run_sympy, "lp", "pip install sympy"),
    "cdd": Peer(
        "cdd", True, _prep_cdd, _run_cdd, "lp",
        "apt-get install -y libcdd-dev libgmp-dev && pip install pycddlib  (GMP build; not pycddlib-standalone)",
    ),
    "z3": Peer("z3", True, _prep_z3, _run_z3, "lp", "pip install z3-solver"),
}
EXACT_PEERS = ("sympy", "cdd", "z3")
"""The exact third-party peers (compared to exactscreen by Fraction equality)."""


_MODULES = {
    "exactscreen": "exactscreen.lp.exact", "exactscreen-face": "exactscreen.mechanisms.optimum",
    "exactscreen-cold": "exactscreen.lp.exact", "highs": "highspy", "sympy": "sympy.solvers.simplex",
    "cdd": "cdd.gmp", "z3": "z3",
}


def available(name: str) -> tuple[bool, str]:
    """Whether a peer's library is installed here (``cdd`` needs the GMP build: ``cdd.gmp``)."""
    import importlib.util

    mod = _MODULES[name]
    try:
        found = importlib.util.find_spec(mod) is not None
    except ImportError as exc:  # parent package missing
        return False, f"{mod} not importable ({exc})"
    if not found:
        why = f"module {mod} not found"
        if name == "cdd":
            why += " (pycddlib without GMP, e.g. pycddlib-standalone, has no exact LP)"
        return False, why
    return True, ""


REPEAT_BELOW_S = 0.2
MAX_REPEATS = 5


def _child(conn, name: str, payload: Any, probe: bool) -> None:
    peer = PEERS[name]
    try:
        peer.prepare()
    except BaseException as exc:  # noqa: BLE001 - report anything, including ImportError
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    if probe:
        conn.send(("done", {}))
        return
    try:
        # Short solves are repeated (fresh model each time) and the fastest
        # kept, as timeit does, so that one-off noise does not decide a ratio.
        out = peer.run(payload)
        runs = 1
        while out["solve_s"] < REPEAT_BELOW_S and runs < MAX_REPEATS:
            again = peer.run(payload)
            runs += 1
            if again["solve_s"] < out["solve_s"]:
                out = again
        out["runs"] = runs
        out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        conn.send(("done", out))
    except BaseException as exc:  # noqa: BLE001
        tb = traceback.format_exc(limit=6)
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{tb}"))


def run_isolated(name: str, payload: Any, timeout: float, *, probe: bool = False) -> dict:
    """Run one peer solve in a fresh process; kill it after ``timeout`` seconds of solving.

    The clock starts when the child reports that its imports are done.
    Returns the peer's result dict plus ``status`` and ``wall_s`` (the
    parent's view of the solve, including the result's transfer).
    """
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, name, payload, probe), daemon=True)
    proc.start()
    child.close()
    try:
        # imports (and unpickling the payload) are not part of the timed solve
        if not parent.poll(300):
            return {"status": "error", "error": "child did not start within 300 s"}
        try:
            kind, msg = parent.recv()
        except EOFError:
            return {"status": "crashed", "error": f"child exited with code {proc.exitcode} while starting"}
        if kind == "error":
            return {"status": "error", "error": msg}
        t0 = time.perf_counter()
        if not parent.poll(timeout):
            return {"status": "timeout", "wall_s": time.perf_counter() - t0, "timeout_s": timeout}
        try:
            kind, msg = parent.recv()
        except EOFError:
            proc.join(5)
            return {
                "status": "crashed",
                "wall_s": time.perf_counter() - t0,
                "error": f"child died with exit code {proc.exitcode} (out of memory?)",
            }
        wall = time.perf_counter() - t0
        if kind == "error":
            return {"status": "error", "wall_s": wall, "error": msg}
        return {"status": "ok", "wall_s": wall, **msg}
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(10)
        parent.close()


def run_inline(name: str, payload: Any) -> dict:
    """Run a peer in this process (no timeout); for debugging."""
    peer = PEERS[name]
    peer.prepare()
    return {"status": "ok", **peer.run(payload)}
