"""Benchmark of issue 8, "Certified exact solving at scale": exactscreen vs HiGHS and exact peers.

Run from the repository root::

    python -m bench.scale              # everything (about 20-25 min on 2 cores)
    python -m bench.scale --quick      # a one-minute smoke variant (small sizes, 500 hunt environments)
    python -m bench.scale --parts main,face --main-size 150x64

Parts (``--parts``, default all):

``main``        target 1: at (n,k) = (150,64) of the ``random`` family, exactscreen end to end from
                exact input (``solve_mechanism``: model build + float solve + exact certificate)
                vs HiGHS's ``run()`` alone on the full model (float copy of the exact LP).
``face``        target 2: ``mechanism_face`` at the same size (timed with the solve before it,
                and alone), peak RSS of every measurement (< 4 GiB).
``peers``       target 3: the exact peers (z3, pycddlib GMP, sympy; ``bench/peers.py``) on sizes
                upward until each one's first timeout (120 s); exactscreen's end-to-end time at the
                largest size each peer finished; optima compared by ``Fraction`` equality.
``scaling``     target 4: time vs n (k = 16) and vs k (n = 40); least-squares exponents on
                log-log, exactscreen and HiGHS side by side.
``degenerate``  target 5: degenerate families at scale (equal valuations, copied types,
                zero-probability types, markets on a breakpoint, ties, Sec. 3.1.1 with copies):
                the same ratios and the share of LPs that left the direct float-basis path.
``hunt``        target 6: 10,000 seeded environments (2-4 types, 1-4 alternatives), each solved
                and certified, on one core and with 2 worker processes.

Discipline (as :mod:`bench.run`): every measurement runs in a fresh ``spawn``-ed process with a
timeout, one at a time; imports and instance generation are never timed; runs are repeated
(at most 5, while their total is under 3 s) and the fastest kept.  Peak memory is the
measuring process's ``VmHWM`` (read before any untimed cross-check; not ``ru_maxrss``, which
Linux carries over from the parent across ``exec``), and the parent also
samples the process tree's RSS (so a timed-out run still has a peak) and kills it above
``--mem-cap-gib``.

**API under test**: ``exactscreen.mechanisms.structured.solve_mechanism`` / ``mechanism_face``.  While that
module does not exist (or does not import), a SHIM stands in: ``mechanism_lp`` +
``exactscreen.lp.exact.solve_lp`` + ``check_certificate`` for the solve, and
``optimal_mechanism(face=True, binding=False)`` for the face.  Every table and the JSON say
which one ran; shim numbers are not numbers of the API under test.

Every exactscreen result is checked: ``bool(sol.check)`` (the solver's own, structured
independent checker) and, where building the full LP is affordable (n <= ``--xcheck-max-n``),
the generic :func:`exactscreen.lp.certificate.check_certificate` on ``mechanism_lp(env, market)``
(untimed).  Exit status 1 if any certificate fails, any exact peer's optimum differs, a face
disagrees with ``optimal_mechanism`` on a small instance, or the hunt's serial and parallel
optima differ.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import math
import multiprocessing as mp
import os
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from .instances import InstanceSpec, build, hunt_instance
from .peers import highs_model
from .run import _fmt_r, _fmt_s, write_results
from exactscreen.lp.highs import new_highs

__all__ = ["load_api", "run_scale", "markdown", "main", "ScaleConfig", "fit_exponent", "highs_model"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SNAPSHOT_MARKER = ".snapshot-commit"
PARTS = ("main", "face", "peers", "scaling", "degenerate", "hunt")
SHIM = "SHIM (mechanism_lp + lp.solve_lp + check_certificate)"
FACE_SHIM = "SHIM (optimal_mechanism(face=True, binding=False))"
DIRECT_METHODS = frozenset({"highs-basis", "highs-core"})
"""``LPResult.method`` values of the direct path (the float basis verified exactly as it is):
``highs-basis`` of :func:`exactscreen.lp.exact.solve_lp`, ``highs-core`` of ``exactscreen.mechanisms.structured``.
Anything else (``exact-simplex*``, ``fallback:*``) is the exact fallback."""
GIB = 2**30


# ============================================================================
# The API under test, or the shim
# ============================================================================
@dataclass
class ShimSolution:
    """Stand-in for ``exactscreen.mechanisms.structured``'s solution object (same attributes)."""

    result: Any
    check: Any
    timings: dict
    rounds: int | None = None
    ic_rows: int | None = None
    stats: Any = None  # SolveTally of the generic solve


@dataclass
class ShimFace:
    unique: bool
    payments: tuple
    surpluses: tuple
    method: str
    lps: int
    stats: Any = None  # SolveTally of optimal_mechanism's LPs


def shim_solve_mechanism(env, market) -> ShimSolution:
    """The old path: full ``mechanism_lp``, ``solve_lp`` (HiGHS hint + exact), generic checker."""
    from exactscreen.lp.certificate import check_certificate
    from exactscreen.lp.exact import SolveTally, solve_lp
    from exactscreen.mechanisms.optimum import mechanism_lp

    t0 = time.perf_counter()
    lp = mechanism_lp(env, market)
    t1 = time.perf_counter()
    res = solve_lp(lp)
    t2 = time.perf_counter()
    chk = check_certificate(lp, res.x, res.y_eq, res.y_ub, res.objective)
    t3 = time.perf_counter()
    timings = {"build": t1 - t0, "highs": None, "exact": t2 - t1, "check": t3 - t2, "total": t3 - t0}
    return ShimSolution(res, chk, timings, rounds=None, ic_rows=env.n * (env.n - 1),
                        stats=SolveTally.of([res.stats]))


def shim_mechanism_face(env, market, sol) -> ShimFace:
    from exactscreen.mechanisms.optimum import optimal_mechanism

    om = optimal_mechanism(env, market, face=True, binding=False)
    fc = om.face
    return ShimFace(fc.unique, fc.payment, fc.surplus, f"shim:{om.method}", om.lp_solves, om.stats)


@dataclass
class API:
    solve: Callable
    face: Callable
    solve_name: str
    face_name: str
    why: str = ""

    @property
    def is_shim(self) -> bool:
        return self.solve_name != "exactscreen.mechanisms.structured" or self.face_name != "exactscreen.mechanisms.structured"


_API_CACHE: dict[str, API] = {}


def load_api(mode: str = "auto") -> API:
    """``exactscreen.mechanisms.structured`` if importable (``mode`` ``auto`` or ``scaled``), else the shim.

    ``mode="scaled"`` raises if the module is missing; ``mode="shim"`` forces the shim.
    Each function falls back on its own, and the names say which one runs.
    """
    if mode in _API_CACHE:
        return _API_CACHE[mode]
    solve, face, why = shim_solve_mechanism, shim_mechanism_face, "forced by --api shim" if mode == "shim" else ""
    solve_name, face_name = SHIM, FACE_SHIM
    if mode != "shim":
        try:
            import exactscreen.mechanisms.structured as scaled
        except Exception as exc:  # noqa: BLE001 - a half-written module must not stop the bench
            if mode == "scaled":
                raise
            why = f"{type(exc).__name__}: {exc}"
        else:
            if hasattr(scaled, "solve_mechanism"):
                solve, solve_name = scaled.solve_mechanism, "exactscreen.mechanisms.structured"
            if hasattr(scaled, "mechanism_face"):
                face, face_name = scaled.mechanism_face, "exactscreen.mechanisms.structured"
            if mode == "scaled" and (solve_name != "exactscreen.mechanisms.structured" or face_name != "exactscreen.mechanisms.structured"):
                raise ImportError("exactscreen.mechanisms.structured lacks solve_mechanism or mechanism_face")
            if solve_name != "exactscreen.mechanisms.structured" or face_name != "exactscreen.mechanisms.structured":
                why = "exactscreen.mechanisms.structured lacks " + " and ".join(
                    f for f, nm in (("solve_mechanism", solve_name), ("mechanism_face", face_name))
                    if nm != "exactscreen.mechanisms.structured")
    api = API(solve, face, solve_name, face_name, why)
    _API_CACHE[mode] = api
    return api


# ============================================================================
# Process isolation with a timeout and a memory watch
# ============================================================================
def _tree_rss(pid: int) -> tuple[int, int]:
    """(largest single-process RSS, total RSS) of a process and its descendants, bytes."""
    try:
        import psutil
    except ImportError:  # pragma: no cover
        return 0, 0
    try:
        p = psutil.Process(pid)
        procs = [p] + p.children(recursive=True)
    except psutil.Error:
        return 0, 0
    rss = []
    for q in procs:
        try:
            rss.append(q.memory_info().rss)
        except psutil.Error:
            pass
    return (max(rss) if rss else 0), sum(rss)


def _kill_tree(proc) -> None:
    """Kill the measuring process and any workers it started (by pid; only processes this bench started)."""
    try:
        import psutil

        kids = psutil.Process(proc.pid).children(recursive=True)
    except Exception:  # noqa: BLE001
        kids = []
    for k in kids:
        try:
            k.kill()
        except Exception:  # noqa: BLE001
            pass
    if proc.is_alive():
        proc.kill()


def _child(conn, task: str, args: dict) -> None:
    def ready(progress: dict | None = None) -> None:
        """First call: setup done (the clock starts).  Later calls with a dict: progress so far,
        kept by the parent in case the measurement times out."""
        conn.send(("ready", None) if progress is None else ("progress", progress))

    try:
        out = TASKS[task](args, ready)
        import exactscreen

        out["exactscreen_file"] = exactscreen.__file__  # which source tree this process measured
        conn.send(("done", out))
    except BaseException as exc:  # noqa: BLE001 - report anything
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"))


def isolated(task: str, args: dict, timeout: float, mem_cap_gib: float = 8.0, start_limit: float = 600.0) -> dict:
    """Run ``TASKS[task](args, ready)`` in a fresh spawned process.

    The task does its untimed setup (imports, instance), calls ``ready()``, then measures.
    The timeout counts from ``ready``.  Returns the task's dict plus ``status`` (``ok``,
    ``timeout``, ``memory``, ``error``, ``crashed``), ``wall_s`` (parent's view) and
    ``tree_peak_rss_mib`` (sampled every 0.1 s).
    """
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, task, args), daemon=False)
    proc.start()
    child.close()
    peak = [0, 0]
    cap = mem_cap_gib * GIB

    def wait(limit: float) -> str:
        t_end = time.perf_counter() + limit
        while True:
            if parent.poll(0.1):
                return "msg"
            one, tot = _tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], one), max(peak[1], tot)
            if tot > cap:
                return "memory"
            if not proc.is_alive() and not parent.poll(0.2):
                return "dead"
            if time.perf_counter() > t_end:
                return "timeout"

    def extra(d: dict) -> dict:
        d["tree_peak_rss_mib"] = peak[0] / 2**20
        d["tree_peak_total_rss_mib"] = peak[1] / 2**20
        return d

    try:
        got = wait(start_limit)
        if got != "msg":
            return extra({"status": "error" if got == "timeout" else ("memory" if got == "memory" else "crashed"),
                          "error": f"setup did not finish ({got})"})
        try:
            kind, msg = parent.recv()
        except EOFError:
            return extra({"status": "crashed", "error": f"exit code {proc.exitcode} during setup"})
        if kind == "error":
            return extra({"status": "error", "error": msg})
        t0 = time.perf_counter()
        progress: dict = {}
        while True:
            got = wait(max(0.0, timeout - (time.perf_counter() - t0)))
            wall = time.perf_counter() - t0
            if got == "timeout":
                out = {"status": "timeout", "wall_s": wall, "timeout_s": timeout}
                if progress:  # e.g. HiGHS's model was built: its run() took at least the rest
                    out["progress"] = progress
                    out["since_progress_s"] = wall - progress["at_s"]
                return extra(out)
            if got == "memory":
                return extra({"status": "memory", "wall_s": wall, "error": f"RSS above --mem-cap-gib {mem_cap_gib}"})
            try:
                kind, msg = parent.recv()
            except EOFError:
                proc.join(5)
                return extra({"status": "crashed", "wall_s": wall,
                              "error": f"exit code {proc.exitcode} (out of memory?)"})
            if kind != "progress":
                break
            progress = {**msg, "at_s": time.perf_counter() - t0}
        if kind == "error":
            return extra({"status": "error", "wall_s": wall, "error": msg})
        return extra({"status": "ok", "wall_s": wall, **msg})
    finally:
        _kill_tree(proc)
        proc.join(10)
        parent.close()


# ============================================================================
# Measurements (run inside the fresh process)
# ============================================================================
MAX_RUNS = 5
REPEAT_BUDGET_S = 3.0  # repeat while the runs so far total less than this (and < MAX_RUNS)


def _maxrss_mib() -> float:
    """Peak RSS of this process's own address space (Linux ``VmHWM``), MiB.

    Not ``ru_maxrss``: Linux carries it across ``exec``, so a spawned child would report at
    least the RSS of the parent it was forked from."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _repeat(fn: Callable[[], Any], budget: float) -> tuple[Any, list[float], list[float]]:
    """Run ``fn`` until MAX_RUNS runs or ``budget`` seconds in total; return the fastest run's value."""
    walls, cpus, best, best_t = [], [], None, math.inf
    while True:
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        val = fn()
        t1, c1 = time.perf_counter(), time.process_time()
        walls.append(t1 - t0)
        cpus.append(c1 - c0)
        if t1 - t0 < best_t:
            best, best_t = val, t1 - t0
        if len(walls) >= MAX_RUNS or sum(walls) >= budget:
            return best, walls, cpus




def _task_highs(args: dict, ready) -> dict:
    import highspy
    import numpy  # noqa: F401

    from exactscreen.mechanisms.optimum import mechanism_lp

    env, market = build(InstanceSpec(**args["spec"]))
    ready()
    t0 = time.perf_counter()
    lp = mechanism_lp(env, market)
    t1 = time.perf_counter()
    model = highs_model(lp)
    t2 = time.perf_counter()
    nnz = sum(len(r) for r in lp.A_eq) + sum(len(r) for r in lp.A_ub)
    shape = {"vars": lp.num_vars, "rows": len(lp.A_eq) + len(lp.A_ub), "nnz": nnz}
    del lp
    gc.collect()
    ready({"build_exact_s": t1 - t0, "convert_s": t2 - t1, "lp": shape})  # run() starts now
    passes: list[float] = []
    info: dict = {}

    def one():
        h = new_highs()
        p0 = time.perf_counter()
        h.passModel(model)
        p1 = time.perf_counter()
        passes.append(p1 - p0)
        c0, r0 = time.process_time(), time.perf_counter()
        h.run()
        r1, c1 = time.perf_counter(), time.process_time()
        return h, r1 - r0, c1 - c0

    runs = []
    budget = args.get("repeat_budget", REPEAT_BUDGET_S)
    while True:
        gc.collect()
        h, w, c = one()
        runs.append((w, c))
        if not info or w < info["run_s"]:
            info = {"run_s": w, "run_cpu_s": c, "highs_status": h.modelStatusToString(h.getModelStatus()),
                    "objective": h.getInfo().objective_function_value,
                    "simplex_iterations": int(h.getInfo().simplex_iteration_count)}
        del h
        if len(runs) >= MAX_RUNS or sum(r[0] for r in runs) >= budget:
            break
    return {
        "lp": shape, "build_exact_s": t1 - t0, "convert_s": t2 - t1, "pass_s": min(passes),
        **info, "runs": len(runs), "all_run_s": [r[0] for r in runs], "peak_rss_mib": _maxrss_mib(),
    }


def _certificate_summary(sol) -> tuple[bool, list[str]]:
    chk = sol.check
    ok = bool(chk)
    fails = [] if ok else [str(f) for f in list(getattr(chk, "failures", ()) or [repr(chk)])[:5]]
    return ok, fails


def _xcheck(env, market, sol) -> tuple[bool, float, list[str]]:
    """The generic independent checker on the full LP (untimed)."""
    from exactscreen.lp.certificate import check_certificate
    from exactscreen.mechanisms.optimum import mechanism_lp

    t0 = time.perf_counter()
    lp = mechanism_lp(env, market)
    r = sol.result
    chk = check_certificate(lp, r.x, r.y_eq, r.y_ub, r.objective)
    return chk.ok, time.perf_counter() - t0, list(chk.failures[:5])


def _jsonable_timings(t: dict | None) -> dict:
    return {str(k): (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
            for k, v in (t or {}).items()}


def _lp_tally(result):
    """The solve statistics a result carries (``stats``: a SolveTally), or an empty tally
    for a result of an older API that carries none."""
    from exactscreen.lp.exact import SolveTally

    stats = getattr(result, "stats", None)
    return stats if isinstance(stats, SolveTally) else SolveTally()


def _task_solve(args: dict, ready) -> dict:
    api = load_api(args["api"])
    import exactscreen.lp.certificate  # noqa: F401
    import exactscreen.mechanisms.optimum  # noqa: F401
    import highspy  # noqa: F401

    env, market = build(InstanceSpec(**args["spec"]))
    ready()

    def one():
        sol = api.solve(env, market)
        stats = _lp_tally(sol)
        return sol, dict(stats.paths), dict(stats.reasons)

    (sol, paths, reasons), walls, cpus = _repeat(one, args.get("repeat_budget", REPEAT_BUDGET_S))
    peak = _maxrss_mib()
    ok, fails = _certificate_summary(sol)
    i_best = walls.index(min(walls))
    out = {
        "api": api.solve_name, "wall_s": walls[i_best], "cpu_s": cpus[i_best], "runs": len(walls),
        "all_wall_s": walls, "timings": _jsonable_timings(getattr(sol, "timings", None)),
        "rounds": getattr(sol, "rounds", None), "ic_rows": getattr(sol, "ic_rows", None),
        "objective": str(sol.result.objective), "method": sol.result.method,
        "certified": ok, "certificate_failures": fails, "peak_rss_mib": peak,
        "solve_lp_paths": paths, "solve_lp_reasons": reasons, "xcheck": None,
    }
    if env.n <= args.get("xcheck_max_n", 80):
        out["xcheck"], out["xcheck_s"], out["xcheck_failures"] = _xcheck(env, market, sol)
    return out


def _ranges_equal(a, b) -> bool:
    return len(a) == len(b) and all(x.lo == y.lo and x.hi == y.hi for x, y in zip(a, b))


def _task_face(args: dict, ready) -> dict:
    api = load_api(args["api"])
    import exactscreen.mechanisms.optimum  # noqa: F401
    import highspy  # noqa: F401

    env, market = build(InstanceSpec(**args["spec"]))
    ready()
    solve_s: list[float] = []

    def both():
        t0 = time.perf_counter()
        sol = api.solve(env, market)
        t1 = time.perf_counter()
        face = api.face(env, market, sol)
        t2 = time.perf_counter()
        solve_s.append(t1 - t0)
        stats = _lp_tally(face)  # the face's own LPs by path
        return sol, face, t2 - t1, dict(stats.paths), dict(stats.reasons)

    (sol, face, face_s, paths, reasons), walls, cpus = _repeat(both, args.get("repeat_budget", REPEAT_BUDGET_S))
    peak = _maxrss_mib()
    i_best = walls.index(min(walls))
    ok, fails = _certificate_summary(sol)
    pays, surs = tuple(face.payments), tuple(face.surpluses)
    out = {
        "api": api.face_name, "solve_api": api.solve_name, "wall_s": walls[i_best], "cpu_s": cpus[i_best],
        "solve_s": solve_s[i_best], "face_s": face_s, "runs": len(walls), "all_wall_s": walls,
        "unique": bool(face.unique), "method": str(face.method), "lps": getattr(face, "lps", None),
        "payments_not_point": sum(1 for r in pays if r.lo != r.hi),
        "surpluses_not_point": sum(1 for r in surs if r.lo != r.hi),
        "objective": str(sol.result.objective), "solve_method": sol.result.method,
        "certified": ok, "certificate_failures": fails, "peak_rss_mib": peak, "face_xcheck": None,
        "face_lp_paths": paths, "face_lp_reasons": reasons,
    }
    # small instances: the face must agree exactly with optimal_mechanism(face=True)
    if env.n <= args.get("face_xcheck_max_n", 10) and api.face_name != FACE_SHIM:
        from exactscreen.mechanisms.optimum import optimal_mechanism

        om = optimal_mechanism(env, market, face=True, binding=False)
        same = (_ranges_equal(pays, om.face.payment) and _ranges_equal(surs, om.face.surplus)
                and bool(face.unique) == om.face.unique and om.revenue == sol.result.objective)
        out["face_xcheck"] = same
        if not same:
            out["face_xcheck_detail"] = {
                "ours": {"payments": [[str(r.lo), str(r.hi)] for r in pays],
                         "surpluses": [[str(r.lo), str(r.hi)] for r in surs], "unique": bool(face.unique)},
                "optimal_mechanism": {"payments": [r.as_json() for r in om.face.payment],
                                      "surpluses": [r.as_json() for r in om.face.surplus],
                                      "unique": om.face.unique},
            }
    return out


# ---------------------------------------------------------------- the hunt
def _hunt_chunk(api_mode: str, seed: int, start: int, stop: int, keep: bool = False) -> dict:
    """Solve and certify hunt environments ``start .. stop-1``; generation included."""
    api = load_api(api_mode)
    objectives, methods, failed, kept = [], {}, [], []
    for i in range(start, stop):
        env, market = hunt_instance(seed, i)
        sol = api.solve(env, market)
        if not bool(sol.check):
            failed.append(i)
        m = sol.result.method
        methods[m] = methods.get(m, 0) + 1
        objectives.append(str(sol.result.objective))
        if keep:
            kept.append(sol)
    out = {"objectives": objectives, "methods": methods, "failed": failed, "pid": os.getpid()}
    if keep:
        out["_sols"] = kept
    return out


def _hunt_warm(api_mode: str) -> int:
    load_api(api_mode)
    import exactscreen.lp.certificate  # noqa: F401
    import highspy  # noqa: F401

    api = load_api(api_mode)
    env, market = hunt_instance(0, 0)
    api.solve(env, market)  # first-call costs (lazy imports) out of the clock
    time.sleep(0.3)  # keep this worker busy so the next warm-up task starts another one
    return os.getpid()


def _task_hunt(args: dict, ready) -> dict:
    import hashlib

    api_mode, seed, count = args["api"], args["seed"], args["count"]
    chunk, workers = args.get("chunk", 250), args.get("workers", 1)
    api = load_api(api_mode)
    bounds = [(s, min(s + chunk, count)) for s in range(0, count, chunk)]
    out: dict[str, Any] = {"api": api.solve_name, "count": count, "workers": workers, "chunk": chunk}
    if workers == 1:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        if cpus:
            os.sched_setaffinity(0, {cpus[-1]})  # literally one core
            out["pinned_cpu"] = cpus[-1]
        _hunt_warm(api_mode)
        ready()
        c0, t0 = time.process_time(), time.perf_counter()
        parts = [_hunt_chunk(api_mode, seed, a, b, keep=args.get("xcheck", True)) for a, b in bounds]
        t1, c1 = time.perf_counter(), time.process_time()
        out["peak_rss_mib"] = _maxrss_mib()
        out["cpu_s"] = c1 - c0
    else:
        import concurrent.futures as cf

        ctx = mp.get_context("spawn")
        w0 = time.perf_counter()
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        pids = {f.result() for f in [pool.submit(_hunt_warm, api_mode) for _ in range(workers)]}
        out["warmup_s"] = time.perf_counter() - w0
        out["worker_pids_warm"] = len(pids)
        ready()
        t0 = time.perf_counter()
        futs = [pool.submit(_hunt_chunk, api_mode, seed, a, b) for a, b in bounds]
        parts = [f.result() for f in futs]
        t1 = time.perf_counter()
        pool.shutdown(wait=True)
        out["workers_used"] = len({p["pid"] for p in parts})
    objectives = [o for p in parts for o in p["objectives"]]
    methods: dict[str, int] = {}
    for p in parts:
        for m, c in p["methods"].items():
            methods[m] = methods.get(m, 0) + c
    failed = [i for p in parts for i in p["failed"]]
    out.update({
        "wall_s": t1 - t0, "solved": len(objectives), "certified": len(objectives) - len(failed),
        "failed": failed[:20], "methods": methods,
        "objectives_sha256": hashlib.sha256("\n".join(objectives).encode()).hexdigest(),
        "sizes": _hunt_size_histogram(seed, count) if workers == 1 else None,
    })
    if workers == 1 and args.get("xcheck", True):
        x0 = time.perf_counter()
        sols = [s for p in parts for s in p["_sols"]]
        bad = []
        for i, sol in enumerate(sols):
            env, market = hunt_instance(seed, i)
            ok, _, _ = _xcheck(env, market, sol)
            if not ok:
                bad.append(i)
        out["xcheck"] = {"checked": len(sols), "passed": len(sols) - len(bad), "failed": bad[:20],
                         "seconds": time.perf_counter() - x0}
    return out


def _hunt_size_histogram(seed: int, count: int) -> dict:
    hist: dict[str, int] = {}
    for i in range(count):
        env, _ = hunt_instance(seed, i)
        key = f"{env.n}x{env.k}"
        hist[key] = hist.get(key, 0) + 1
    return dict(sorted(hist.items()))


def _task_sleep(args: dict, ready) -> dict:
    """For the harness test: report progress, then sleep past (or within) the timeout."""
    ready()
    ready({"slept": 0})
    time.sleep(args["seconds"])
    return {"slept": args["seconds"]}


TASKS: dict[str, Callable[..., dict]] = {
    "highs": _task_highs, "solve": _task_solve, "face": _task_face, "hunt": _task_hunt, "sleep": _task_sleep,
}


# ============================================================================
# Configuration and driver
# ============================================================================
def _size(text: str) -> tuple[int, int]:
    n, k = text.lower().split("x")
    return int(n), int(k)


def _sizes(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_size(p) for p in text.split(",") if p.strip())


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(",") if p.strip())


@dataclass
class ScaleConfig:
    parts: tuple[str, ...] = PARTS
    seed: int = 1
    api: str = "auto"
    main_size: tuple[int, int] = (150, 64)
    peer_sizes: tuple[tuple[int, int], ...] = ((5, 4), (10, 4), (20, 8), (30, 12), (40, 16), (60, 24))
    peers: tuple[str, ...] = ("z3", "cdd", "sympy")
    peer_timeout: float = 120.0
    scaling_n: tuple[int, ...] = (10, 20, 40, 80, 160, 320)
    scaling_n_k: int = 16
    scaling_k: tuple[int, ...] = (4, 8, 16, 32, 64)
    scaling_k_n: int = 40
    fit_min_n: int = 20
    fit_min_k: int = 8
    degenerate_size: tuple[int, int] = (150, 64)
    copies: int = 5
    hunt_count: int = 10_000
    hunt_workers: int = 2
    hunt_chunk: int = 250
    timeout: float = 120.0
    face_timeout_factor: float = 25.0
    face_timeout_min: float = 20.0
    mem_cap_gib: float = 8.0
    xcheck_max_n: int = 80
    face_xcheck_max_n: int = 10
    repeat_budget: float = REPEAT_BUDGET_S
    command: str = ""
    quick: bool = False

    @classmethod
    def quick_config(cls, **kw) -> "ScaleConfig":
        base = dict(
            main_size=(20, 8), peer_sizes=((5, 4), (10, 4)), peer_timeout=20.0, scaling_n=(5, 10, 20),
            scaling_n_k=4, scaling_k=(2, 4, 8), scaling_k_n=10, fit_min_n=5, fit_min_k=2,
            degenerate_size=(10, 4), hunt_count=500, hunt_chunk=50, timeout=60.0, repeat_budget=0.5,
            face_xcheck_max_n=10, quick=True,
        )
        base.update(kw)
        return cls(**base)


def degenerate_specs_at(n: int, k: int, seed: int, copies: int = 5) -> list[InstanceSpec]:
    """The degenerate families of target 5 at size ``(n, k)`` (Sec. 3.1.1 copies: ``n`` types, k = 2)."""
    half = max(1, n // 2)
    return [
        InstanceSpec("equal", n, k, seed, 0),
        InstanceSpec("copies", n, k, seed, 0, copies=copies),
        InstanceSpec("zeroprob", n, k, seed, 0),
        InstanceSpec("breakpoint", n, k, seed, 0),  # q = 1/4
        InstanceSpec("breakpoint", n, k, seed, 1),  # q = 3/4
        InstanceSpec("ties", n, k, seed, 0),
        InstanceSpec("paper", q="1/4", copies=half),
        InstanceSpec("paper", q="3/4", copies=half),
    ]


class Bench:
    """Runs the measurements one at a time and keeps every record."""

    def __init__(self, cfg: ScaleConfig, log=print):
        self.cfg = cfg
        self.log = log
        self.records: list[dict] = []
        self.problems: list[str] = []  # certificate failures, mismatches (exit status 1)
        self._cache: dict[tuple, dict] = {}

    # -------------------------------------------------------------- primitives
    def measure(self, kind: str, spec: InstanceSpec, part: str, timeout: float | None = None) -> dict:
        key = (kind, spec)
        if key in self._cache:
            rec = dict(self._cache[key])
            rec["reused"] = True
            rec["part"] = part
            self.records.append(rec)
            return rec
        cfg = self.cfg
        args = {"spec": spec.as_dict(), "api": cfg.api, "xcheck_max_n": cfg.xcheck_max_n,
                "face_xcheck_max_n": cfg.face_xcheck_max_n, "repeat_budget": cfg.repeat_budget}
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        res = isolated(kind, args, cfg.timeout if timeout is None else timeout, cfg.mem_cap_gib)
        rec = {"kind": kind, "part": part, "spec": spec.as_dict(), "label": spec.label,
               "n": spec.n if spec.family != "paper" else 2 * spec.copies,
               "k": spec.k if spec.family != "paper" else (4 if spec.dup_alts else 2),
               "loadavg_before": load0, "loadavg_after": os.getloadavg()[0], **res}
        self._note(rec)
        self.records.append(rec)
        self._cache[key] = rec
        self.log(f"  {kind:<6} {spec.label:<28} {self._brief(rec)}  ({time.perf_counter() - t0:.1f} s)", flush=True)
        return rec

    def _brief(self, rec: dict) -> str:
        if rec["status"] != "ok":
            return f"{rec['status'].upper()}" + (f" ({rec.get('error', '').splitlines()[0]})" if rec.get("error") else "")
        if rec["kind"] == "highs":
            return f"run {_fmt_s(rec['run_s'])}, mechanism_lp {_fmt_s(rec['build_exact_s'])}, {rec['highs_status']}"
        if rec["kind"] == "solve":
            return (f"{_fmt_s(rec['wall_s'])} [{rec['method']}] certified={rec['certified']} xcheck={rec['xcheck']} "
                    f"peak {rec['peak_rss_mib']:.0f} MiB")
        if rec["kind"] == "face":
            return (f"solve+face {_fmt_s(rec['wall_s'])} (face {_fmt_s(rec['face_s'])}, {rec['lps']} LPs) "
                    f"unique={rec['unique']} peak {rec['peak_rss_mib']:.0f} MiB")
        return ""

    def _note(self, rec: dict) -> None:
        if rec["status"] in ("error", "crashed"):
            self.log(f"  !! {rec['kind']} {rec['label']}: {rec['status']}: {rec.get('error', '')[:2000]}")
            if rec["kind"] in ("solve", "face"):  # no result where one was due (e.g. a failed certificate raised)
                first = (rec.get("error") or "").splitlines()[0] if rec.get("error") else ""
                self._problem(f"EXACTSCREEN {rec['kind'].upper()} {rec['status'].upper()} on {rec['label']}: {first}")
        if rec["status"] != "ok":
            return
        if rec["kind"] in ("solve", "face") and not rec["certified"]:
            self._problem(f"CERTIFICATE FAILED ({rec['kind']}) on {rec['label']}: {rec['certificate_failures']}")
        if rec["kind"] == "solve" and rec.get("xcheck") is False:
            self._problem(f"GENERIC CHECKER REJECTED the certificate on {rec['label']}: {rec.get('xcheck_failures')}")
        if rec["kind"] == "face" and rec.get("face_xcheck") is False:
            self._problem(f"FACE DIFFERS from optimal_mechanism(face=True) on {rec['label']}: "
                          f"{rec.get('face_xcheck_detail')}")

    def _problem(self, msg: str) -> None:
        self.problems.append(msg)
        bar = "!" * 78
        print(f"\n{bar}\n{msg}\n{bar}\n", file=sys.stderr, flush=True)

    def compare(self, spec: InstanceSpec, part: str) -> dict:
        """HiGHS, exactscreen's solve (and the face where asked) on one instance; the ratios."""
        hi = self.measure("highs", spec, part)
        es = self.measure("solve", spec, part)
        row = {"label": spec.label, "spec": spec.as_dict(), "highs": hi, "solve": es}
        row["ratios"] = _ratios(hi, es, None)
        self._objective_sanity(hi, es, spec)
        return row

    def face_timeout(self, hi: dict) -> float:
        """Faces of the degenerate families stop at ``face_timeout_factor`` × HiGHS run (5× the target)."""
        cfg = self.cfg
        if hi.get("status") != "ok":
            return cfg.timeout
        return min(cfg.timeout, max(cfg.face_timeout_min, cfg.face_timeout_factor * hi["run_s"]))

    def _objective_sanity(self, hi: dict, es: dict, spec: InstanceSpec) -> None:
        if hi["status"] == "ok" and es["status"] == "ok":
            exact = Fraction(es["objective"])
            es["highs_abs_error"] = abs(hi["objective"] - float(exact))  # report only

    # -------------------------------------------------------------- the parts
    def part_main(self, with_face: bool) -> dict:
        n, k = self.cfg.main_size
        spec = InstanceSpec("random", n, k, self.cfg.seed, 0)
        self.log(f"[main] random ({n},{k})", flush=True)
        row = self.compare(spec, "main")
        if with_face:
            if row["solve"]["status"] == "ok":
                row["face"] = self.measure("face", spec, "face")
            else:
                row["face"] = {"status": "skipped", "reason": "the solve did not finish"}
            row["ratios"] = _ratios(row["highs"], row["solve"], row["face"])
        return row

    def part_peers(self) -> dict:
        from exactscreen.mechanisms.optimum import mechanism_lp

        from .peers import available, run_isolated

        cfg = self.cfg
        out: dict[str, Any] = {"peers": {}, "exactscreen": {}, "unavailable": {}}
        self.log(f"[peers] sizes {cfg.peer_sizes}, timeout {cfg.peer_timeout:.0f} s", flush=True)
        live = []
        for p in cfg.peers:
            ok, why = available(p)
            if ok:
                live.append(p)
                out["peers"][p] = []
            else:
                out["unavailable"][p] = why
                self.log(f"  peer {p}: NOT AVAILABLE ({why})")
        for n, k in cfg.peer_sizes:
            if not live:
                break
            spec = InstanceSpec("random", n, k, cfg.seed, 0)
            lp = mechanism_lp(*build(spec))
            finished_any = False
            for p in list(live):
                t0 = time.perf_counter()
                r = run_isolated(p, {"lp": lp}, cfg.peer_timeout)
                entry = {"size": [n, k], "label": spec.label, "status": r["status"],
                         "solve_s": r.get("solve_s"), "build_s": r.get("build_s"),
                         "objective": str(r["objective"]) if r.get("status") == "ok" else None,
                         "peak_rss_mib": r.get("peak_rss_mib"), "error": (r.get("error") or "")[:500]}
                out["peers"][p].append(entry)
                self.log(f"  {p:<6} {spec.label:<28} {r['status']} "
                         f"{_fmt_s(r.get('solve_s')) if r['status'] == 'ok' else ''} ({time.perf_counter() - t0:.1f} s)",
                         flush=True)
                if r["status"] == "ok":
                    finished_any = True
                else:
                    live.remove(p)  # stop this peer at its first timeout (or error)
            if finished_any:
                es = self.measure("solve", spec, "peers")
                out["exactscreen"][f"{n}x{k}"] = es
                ours = Fraction(es["objective"]) if es["status"] == "ok" else None
                for p in cfg.peers:
                    for e in out["peers"].get(p, []):
                        if e["size"] == [n, k] and e["status"] == "ok":
                            e["agree"] = None if ours is None else (Fraction(e["objective"]) == ours)
                            if e["agree"] is False:
                                self._problem(f"EXACT MISMATCH on {spec.label}: exactscreen {ours}, {p} {e['objective']}")
                            if es["status"] == "ok":
                                e["ratio_solve"] = e["solve_s"] / es["wall_s"]
                                e["ratio_build+solve"] = (e["solve_s"] + e["build_s"]) / es["wall_s"]
        # the target: each peer at the largest size it finished
        out["largest"] = {}
        for p, entries in out["peers"].items():
            done = [e for e in entries if e["status"] == "ok"]
            first_fail = next((e for e in entries if e["status"] != "ok"), None)
            if done:
                e = done[-1]
                out["largest"][p] = {"size": e["size"], "peer_s": e["solve_s"], "ratio": e.get("ratio_solve"),
                                     "ratio_build+solve": e.get("ratio_build+solve"),
                                     "stopped_at": first_fail["size"] if first_fail else None,
                                     "stopped_because": first_fail["status"] if first_fail else "finished every size"}
            else:
                out["largest"][p] = {"size": None, "ratio": None,
                                     "stopped_at": first_fail["size"] if first_fail else None,
                                     "stopped_because": first_fail["status"] if first_fail else None}
        return out

    def part_scaling(self) -> dict:
        cfg = self.cfg
        out: dict[str, Any] = {}
        for axis, sizes in (("n", [(n, cfg.scaling_n_k) for n in cfg.scaling_n]),
                            ("k", [(cfg.scaling_k_n, k) for k in cfg.scaling_k])):
            self.log(f"[scaling] vs {axis}: {sizes}", flush=True)
            rows, stopped = [], set()
            for n, k in sizes:
                spec = InstanceSpec("random", n, k, cfg.seed, 0)
                if stopped:
                    rows.append({"label": spec.label, "size": [n, k], "skipped": f"{'/'.join(sorted(stopped))} "
                                 "did not finish a smaller size"})
                    continue
                row = self.compare(spec, "scaling")
                row["size"] = [n, k]
                rows.append(row)
                for kind in ("highs", "solve"):
                    if row[kind]["status"] != "ok":
                        stopped.add(kind)
            lo = cfg.fit_min_n if axis == "n" else cfg.fit_min_k
            pick = 0 if axis == "n" else 1
            fit = {}
            for kind, key in (("solve", "wall_s"), ("highs", "run_s"), ("highs_total", None)):
                pts = []
                for r in rows:
                    if "skipped" in r or r["size"][pick] < lo:
                        continue
                    if kind == "highs_total":
                        h = r["highs"]
                        if h["status"] == "ok":
                            pts.append((r["size"][pick], h["build_exact_s"] + h["convert_s"] + h["pass_s"] + h["run_s"]))
                    elif r[kind]["status"] == "ok":
                        pts.append((r["size"][pick], r[kind][key]))
                fit[kind] = {"exponent": fit_exponent(pts), "points": len(pts),
                             "sizes": [p[0] for p in pts]}
            out[axis] = {"rows": rows, "fit": fit, "fit_min": lo}
        return out

    def part_degenerate(self) -> dict:
        cfg = self.cfg
        n, k = cfg.degenerate_size
        specs = degenerate_specs_at(n, k, cfg.seed, cfg.copies)
        self.log(f"[degenerate] {len(specs)} instances at about ({n},{k})", flush=True)
        rows = []
        for spec in specs:
            row = self.compare(spec, "degenerate")
            if row["solve"]["status"] == "ok":
                row["face"] = self.measure("face", spec, "degenerate", timeout=self.face_timeout(row["highs"]))
            else:
                row["face"] = {"status": "skipped", "reason": "the solve did not finish"}
            row["ratios"] = _ratios(row["highs"], row["solve"], row["face"])
            rows.append(row)
        return {"rows": rows}

    def part_hunt(self) -> dict:
        cfg = self.cfg
        self.log(f"[hunt] {cfg.hunt_count} environments, 1 core then {cfg.hunt_workers} workers", flush=True)
        out = {}
        for workers in sorted({1, cfg.hunt_workers}):
            args = {"api": cfg.api, "seed": cfg.seed, "count": cfg.hunt_count, "chunk": cfg.hunt_chunk,
                    "workers": workers, "xcheck": True}
            t0 = time.perf_counter()
            res = isolated("hunt", args, max(cfg.timeout, 600.0), cfg.mem_cap_gib)
            res["loadavg_after"] = os.getloadavg()[0]
            out[f"workers{workers}"] = res
            self.log(f"  hunt workers={workers}: {res['status']} "
                     f"{_fmt_s(res.get('wall_s'))} certified {res.get('certified')}/{res.get('solved')} "
                     f"({time.perf_counter() - t0:.1f} s)", flush=True)
            if res["status"] in ("error", "crashed"):
                self.log(f"  !! {res.get('error', '')[:2000]}")
                self._problem(f"HUNT {res['status'].upper()} (workers={workers}): "
                              f"{(res.get('error') or '').splitlines()[0] if res.get('error') else ''}")
            if res["status"] == "ok" and res["certified"] != res["solved"]:
                self._problem(f"HUNT: {res['solved'] - res['certified']} certificates failed (workers={workers}): "
                              f"{res['failed']}")
            x = res.get("xcheck")
            if x and x["passed"] != x["checked"]:
                self._problem(f"HUNT: the generic checker rejected {x['checked'] - x['passed']} certificates: {x['failed']}")
        a, b = out.get("workers1", {}), out.get(f"workers{cfg.hunt_workers}", {})
        if a.get("status") == "ok" and b.get("status") == "ok":
            out["speedup"] = a["wall_s"] / b["wall_s"]
            out["same_optima"] = a["objectives_sha256"] == b["objectives_sha256"]
            if not out["same_optima"]:
                self._problem("HUNT: serial and parallel runs found different optima")
        return out


def _ratios(hi: dict, es: dict, face: dict | None) -> dict:
    out: dict[str, float] = {}
    if hi.get("status") == "ok":
        total = hi["build_exact_s"] + hi["convert_s"] + hi["pass_s"] + hi["run_s"]
        if es.get("status") == "ok":
            out["e2e/highs_run"] = es["wall_s"] / hi["run_s"]
            out["e2e_cpu/highs_run_cpu"] = es["cpu_s"] / hi["run_cpu_s"] if hi["run_cpu_s"] > 0 else math.nan
            out["e2e/highs_from_exact"] = es["wall_s"] / total
            out["e2e/highs_from_lp"] = es["wall_s"] / (hi["convert_s"] + hi["pass_s"] + hi["run_s"])
        elif es.get("status") == "timeout":
            out["e2e/highs_run>"] = es["timeout_s"] / hi["run_s"]
        if face and face.get("status") == "ok":
            out["solve+face/highs_run"] = face["wall_s"] / hi["run_s"]
            out["face/highs_run"] = face["face_s"] / hi["run_s"]
        elif face and face.get("status") == "timeout":
            out["solve+face/highs_run>"] = face["timeout_s"] / hi["run_s"]
    elif hi.get("status") == "timeout" and hi.get("since_progress_s"):
        # HiGHS's run() (plus one passModel) took longer than since_progress_s: upper bounds
        if es.get("status") == "ok":
            out["e2e/highs_run<"] = es["wall_s"] / hi["since_progress_s"]
        if face and face.get("status") == "ok":
            out["solve+face/highs_run<"] = face["wall_s"] / hi["since_progress_s"]
    return out


def fit_exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) on log(size) (None with fewer than two sizes)."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len({p[0] for p in pts}) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def run_scale(cfg: ScaleConfig, log=print) -> dict:
    """Run the selected parts; return the result (JSON-ready except nothing: all strings/floats)."""
    from .run import machine_info, versions

    t_start = time.perf_counter()
    api = load_api(cfg.api)
    bench = Bench(cfg, log=log)
    load_start = os.getloadavg()
    if load_start[0] > 0.5:
        log(f"note: 1-min load average {load_start[0]:.2f} at start; the machine is not idle", flush=True)
    if api.is_shim:
        log(f"API: solve = {api.solve_name}; face = {api.face_name}" + (f" [{api.why}]" if api.why else ""),
            flush=True)
    result: dict[str, Any] = {
        "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.__dict__.items()},
        "api": {"solve": api.solve_name, "face": api.face_name, "shim": api.is_shim, "why": api.why,
                **_api_source()},
        "machine": machine_info(),
        "versions": versions(),
        "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "loadavg_start": load_start,
    }
    parts = cfg.parts
    if "main" in parts or "face" in parts:
        result["main"] = bench.part_main(with_face="face" in parts)
    if "peers" in parts:
        result["peers"] = bench.part_peers()
    if "scaling" in parts:
        result["scaling"] = bench.part_scaling()
    if "degenerate" in parts:
        result["degenerate"] = bench.part_degenerate()
    if "hunt" in parts:
        result["hunt"] = bench.part_hunt()
    if result["api"].get("snapshot_of"):
        result["versions"]["git_commit"] = result["api"]["snapshot_of"]
    result["records"] = bench.records
    result["problems"] = bench.problems
    result["certification"] = _certification(bench.records, result.get("hunt"))
    result["targets"] = targets(result)
    result["wall_s"] = time.perf_counter() - t_start
    result["loadavg_end"] = os.getloadavg()
    return result


def _api_source() -> dict:
    """Which source of exactscreen.mechanisms.structured ran: its sha256 and whether git has it committed as is."""
    import hashlib
    import subprocess

    import exactscreen

    root = Path(exactscreen.__file__).resolve().parents[1]
    path = root / "exactscreen" / "scaled.py"
    out: dict[str, Any] = {"exactscreen_file": exactscreen.__file__, "scaled_sha256": None, "uncommitted": None,
                           "snapshot_of": None}
    if path.exists():
        out["scaled_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    marker = root / SNAPSHOT_MARKER
    if marker.exists():  # a --snapshot copy: no git here; the tree is exactly that commit
        out["snapshot_of"] = marker.read_text(encoding="utf-8").strip()
        out["uncommitted"] = []
        return out
    try:
        st = subprocess.run(["git", "status", "--porcelain", "--", "exactscreen"], capture_output=True, text=True,
                            timeout=10, cwd=root).stdout
        out["uncommitted"] = [line[3:] for line in st.splitlines()]
    except (OSError, subprocess.SubprocessError):  # pragma: no cover
        pass
    return out


def _certification(records: list[dict], hunt: dict | None) -> dict:
    sol = [r for r in records if r["kind"] in ("solve", "face") and r["status"] == "ok" and not r.get("reused")]
    xs = [r for r in sol if r.get("xcheck") is not None]
    out = {"results": len(sol), "certified": sum(1 for r in sol if r["certified"]),
           "xchecked": len(xs), "xcheck_passed": sum(1 for r in xs if r["xcheck"]),
           "not_finished": sum(1 for r in records if r["kind"] in ("solve", "face") and r["status"] != "ok"
                               and not r.get("reused"))}
    if hunt:
        for key, h in hunt.items():
            if isinstance(h, dict) and h.get("status") == "ok":
                out["results"] += h["solved"]
                out["certified"] += h["certified"]
                if h.get("xcheck"):
                    out["xchecked"] += h["xcheck"]["checked"]
                    out["xcheck_passed"] += h["xcheck"]["passed"]
    return out


# ============================================================================
# Targets and Markdown
# ============================================================================
def _mark(ok: bool | None) -> str:
    return {True: "✓", False: "✗", None: "✗ (not measured)"}[ok]


def _is_direct(method: str | None) -> bool:
    return method in DIRECT_METHODS


def targets(result: dict) -> list[dict]:
    """Target rows: id, target, measured (text), value, pass (True / False / None = not measured)."""
    rows: list[dict] = []
    main = result.get("main")
    recs = result.get("records", [])
    if main:
        r = main["ratios"]
        size = result["config"]["main_size"]
        v = r.get("e2e/highs_run")
        if v is not None:
            txt = f"{_fmt_r(v)} ({_fmt_s(main['solve']['wall_s'])} vs HiGHS run {_fmt_s(main['highs']['run_s'])})"
            ok = v <= 1.5
            txt += f"; moonshot < 1×: {_mark(v < 1)}"
        elif "e2e/highs_run>" in r:
            txt, ok = f"{_fmt_r(r['e2e/highs_run>'], lower=True)} (exactscreen {main['solve']['status']})", False
        else:
            txt, ok = f"not measured (exactscreen {main['solve'].get('status')}, HiGHS {main['highs'].get('status')})", None
        rows.append({"id": "1", "target": f"end to end at {tuple(size)} ≤ 1.5× HiGHS run (moonshot < 1×)",
                     "measured": txt, "value": v, "pass": ok})
        if "face" in main:
            v = r.get("solve+face/highs_run")
            if v is not None:
                f = main["face"]
                txt = (f"{_fmt_r(v)} (solve {_fmt_s(f['solve_s'])} + face {_fmt_s(f['face_s'])}, {f['lps']} LPs; "
                       f"face alone {_fmt_r(r.get('face/highs_run'))})")
                ok = v <= 5
            elif "solve+face/highs_run>" in r:
                txt, ok = f"{_fmt_r(r['solve+face/highs_run>'], lower=True)} (timeout)", False
            else:
                txt, ok = f"not measured ({main['face'].get('status')})", None
            rows.append({"id": "2", "target": f"optimal face at {tuple(size)} (with the solve) ≤ 5× HiGHS run",
                         "measured": txt, "value": v, "pass": ok})
    es = [x for x in recs if x["kind"] in ("solve", "face") and not x.get("reused")]
    if es:
        peaks = [(max(x.get("peak_rss_mib") or 0, x.get("tree_peak_rss_mib") or 0), x) for x in es]
        top, where = max(peaks, key=lambda p: p[0])
        unfinished = [x for x in es if x["status"] != "ok"]
        ok = top < 4096 and not any(x["status"] == "memory" for x in es)
        txt = f"max {top / 1024:.2f} GiB ({where['kind']} {where['label']})"
        if unfinished:
            txt += f"; {len(unfinished)} run(s) did not finish (peak sampled until killed)"
        rows.append({"id": "2", "target": "peak RSS < 4 GiB in every exactscreen measurement", "measured": txt,
                     "value": top, "pass": ok})
    peers = result.get("peers")
    if peers:
        parts, vals = [], []
        for p, L in peers["largest"].items():
            if L["size"] is None:
                parts.append(f"{p}: finished no size")
                continue
            v = L["ratio"]
            vals.append(v)
            parts.append(f"{p} at ({L['size'][0]},{L['size'][1]}): {_fmt_r(v)}")
        for p, why in peers["unavailable"].items():
            parts.append(f"{p}: not available")
        ok = None if not vals else (None not in vals and min(vals) >= 100)
        rows.append({"id": "3", "target": "≥ 100× faster than every exact peer at the largest size it finishes in "
                     f"{result['config']['peer_timeout']:.0f} s (peer's solver call vs exactscreen end to end)",
                     "measured": "; ".join(parts), "value": min((v for v in vals if v is not None), default=None),
                     "pass": ok})
    sc = result.get("scaling")
    if sc:
        for axis in ("n", "k"):
            f = sc[axis]["fit"]
            txt = (f"exactscreen {_exp(f['solve'])}, HiGHS run {_exp(f['highs'])}, HiGHS incl. build "
                   f"{_exp(f['highs_total'])} (sizes {axis} ≥ {sc[axis]['fit_min']})")
            rows.append({"id": "4", "target": f"scaling exponent in {axis} (report; no threshold)", "measured": txt,
                         "value": f["solve"]["exponent"], "pass": "report"})
    dg = result.get("degenerate")
    if dg:
        ok_e2e, ok_face, n_e2e, n_face, worst_e, worst_f = 0, 0, 0, 0, None, None
        for row in dg["rows"]:
            r = row["ratios"]
            n_e2e += 1
            v = r.get("e2e/highs_run")
            ub = r.get("e2e/highs_run<")  # HiGHS did not finish: the ratio is below this
            if (v is not None and v <= 1.5) or (v is None and ub is not None and ub <= 1.5):
                ok_e2e += 1
            if v is not None and (worst_e is None or v > worst_e[0]):
                worst_e = (v, row["label"])
            n_face += 1
            v = r.get("solve+face/highs_run")
            ub = r.get("solve+face/highs_run<")
            if (v is not None and v <= 5) or (v is None and ub is not None and ub <= 5):
                ok_face += 1
            if v is not None and (worst_f is None or v > worst_f[0]):
                worst_f = (v, row["label"])
        unf_e = [row["label"] for row in dg["rows"] if row["solve"].get("status") != "ok"]
        unf_e += [f"HiGHS on {row['label']} (ratio {_ratio_txt(row['ratios'], 'e2e/highs_run')})"
                  for row in dg["rows"] if row["highs"].get("status") != "ok"]
        unf_f = [(row["label"], row["ratios"].get("solve+face/highs_run>")) for row in dg["rows"]
                 if (row.get("face") or {}).get("status") != "ok"]
        rows.append({"id": "5", "target": "degenerate families at scale: end to end ≤ 1.5× HiGHS run",
                     "measured": f"{ok_e2e}/{n_e2e} meet it; worst finished {_fmt_r(worst_e[0]) if worst_e else '—'}"
                     + (f" ({worst_e[1]})" if worst_e else "")
                     + (f"; not finished: {', '.join(unf_e)}" if unf_e else ""),
                     "value": worst_e[0] if worst_e else None, "pass": ok_e2e == n_e2e})
        rows.append({"id": "5", "target": "degenerate families at scale: optimal face (with the solve) ≤ 5× HiGHS run",
                     "measured": f"{ok_face}/{n_face} meet it; worst finished {_fmt_r(worst_f[0]) if worst_f else '—'}"
                     + (f" ({worst_f[1]})" if worst_f else "")
                     + (f"; not finished: " + ", ".join(f"{lab} ({_fmt_r(v, lower=True) if v else 'not run'})"
                                                        for lab, v in unf_f) if unf_f else ""),
                     "value": worst_f[0] if worst_f else None, "pass": ok_face == n_face})
        fb = fallback_share(dg["rows"])
        rows.append({"id": "5", "target": "share of LPs off the direct float-basis path (report)",
                     "measured": f"solves {fb['solve_fallback']}/{fb['solves']}; exact LPs inside the faces "
                     f"{fb['face_lp_fallback']}/{fb['face_lps']}",
                     "value": None, "pass": "report"})
    hunt = result.get("hunt")
    if hunt:
        h1 = hunt.get("workers1", {})
        cnt = result["config"]["hunt_count"]
        limit = 20.0 * cnt / 10_000
        if h1.get("status") == "ok":
            rows.append({"id": "6", "target": f"hunt: {cnt:,} environments solved and certified on one core "
                         f"< {limit:g} s", "measured": f"{_fmt_s(h1['wall_s'])} ({h1['certified']}/{h1['solved']} certified)",
                         "value": h1["wall_s"], "pass": h1["wall_s"] < limit and h1["certified"] == h1["solved"]})
        else:
            rows.append({"id": "6", "target": f"hunt on one core < {limit:g} s", "measured": h1.get("status", "—"),
                         "value": None, "pass": False})
        w = result["config"]["hunt_workers"]
        hw = hunt.get(f"workers{w}", {})
        if "speedup" in hunt:
            rows.append({"id": "6", "target": f"hunt with {w} worker processes: speed-up (report; ideal {w}×)",
                         "measured": f"{_fmt_s(hw['wall_s'])}, speed-up {hunt['speedup']:.2f}×"
                         + ("" if hunt["same_optima"] else " — OPTIMA DIFFER"), "value": hunt["speedup"],
                         "pass": "report"})
    cert = result.get("certification")
    if cert:
        ok = cert["certified"] == cert["results"] and cert["xcheck_passed"] == cert["xchecked"]
        rows.append({"id": "all", "target": "every result certified (solver's structured checker; generic "
                     "check_certificate on the full LP where n ≤ --xcheck-max-n)",
                     "measured": f"{cert['certified']}/{cert['results']} certified; generic checker "
                     f"{cert['xcheck_passed']}/{cert['xchecked']}"
                     + (f"; {cert['not_finished']} measurement(s) did not finish" if cert["not_finished"] else ""),
                     "value": None, "pass": ok})
    return rows


def _exp(f: dict) -> str:
    return "—" if f["exponent"] is None else f"{f['exponent']:.2f}"


def fallback_share(rows: list[dict]) -> dict:
    """Solves by ``method``, and the exact LPs inside the faces by ``solve_lp`` path; how many left the direct path."""
    out = {"solves": 0, "solve_fallback": 0, "face_lps": 0, "face_lp_fallback": 0, "methods": {},
           "face_lp_paths": {}, "face_methods": {}}
    for row in rows:
        s = row.get("solve", {})
        if s.get("status") == "ok":
            out["solves"] += 1
            out["solve_fallback"] += not _is_direct(s["method"])
            out["methods"][s["method"]] = out["methods"].get(s["method"], 0) + 1
        f = row.get("face", {})
        if f.get("status") == "ok":
            kind = f["method"].split(" (")[0].split(" on ")[0]
            out["face_methods"][kind] = out["face_methods"].get(kind, 0) + 1
            for m, c in (f.get("face_lp_paths") or {}).items():
                out["face_lps"] += c
                out["face_lp_fallback"] += 0 if _is_direct(m) else c
                out["face_lp_paths"][m] = out["face_lp_paths"].get(m, 0) + c
    return out


def _st(rec: dict | None, key: str = "wall_s") -> str:
    if not rec:
        return "—"
    st = rec.get("status")
    if st == "ok":
        return _fmt_s(rec[key])
    if st == "timeout":
        if key == "run_s" and rec.get("since_progress_s"):
            return f"> {rec['since_progress_s']:.0f} s (timeout after the model build)"
        return f"> {rec['timeout_s']:.0f} s (timeout)"
    if st == "skipped":
        return "not run"
    return st or "—"


def _rss(rec: dict | None) -> str:
    if not rec or rec.get("status") not in ("ok", "timeout", "memory"):
        return "—"
    v = max(rec.get("peak_rss_mib") or 0, rec.get("tree_peak_rss_mib") or 0)
    return f"{v / 1024:.2f} GiB" if v >= 1024 else f"{v:.0f} MiB"


def _ratio_txt(r: dict, key: str) -> str:
    if key in r:
        return _fmt_r(r[key])
    if key + ">" in r:
        return _fmt_r(r[key + ">"], lower=True)
    if key + "<" in r:
        return "< " + _fmt_r(r[key + "<"])
    return "—"


def markdown(result: dict) -> str:
    api = result["api"]
    L: list[str] = []
    if api["shim"]:
        L += [f"> **SHIM, not the API under test.** solve: {api['solve']}; face: {api['face']}"
              + (f" ({api['why']})" if api["why"] else "") + ". These numbers measure the old path.", ""]
    elif api.get("snapshot_of"):
        L += [f"API under test: `exactscreen.mechanisms.structured.solve_mechanism` / `mechanism_face`, from a clean snapshot of "
              f"commit {api['snapshot_of'][:10]} (`--snapshot`).", ""]
    else:
        L += ["API under test: `exactscreen.mechanisms.structured.solve_mechanism` / `mechanism_face`"
              + (f" (uncommitted changes in {', '.join(api['uncommitted'])}; exactscreen/mechanisms/structured.py sha256 "
                 f"{str(api.get('scaled_sha256'))[:12]})" if api.get("uncommitted") else "") + ".", ""]
    L += ["### Targets (issue 8), each ratio measured in this run", "",
          "| # | target | measured | met |", "|---|---|---|---|"]
    for t in result["targets"]:
        met = "report" if t["pass"] == "report" else _mark(t["pass"])
        L.append(f"| {t['id']} | {t['target']} | {t['measured']} | {met} |")
    main = result.get("main")
    if main:
        L += ["", "### Target 1-2: random family at the main size", "", _compare_header(face=True)]
        L.append(_compare_row(main, face=True))
    peers = result.get("peers")
    if peers:
        L += ["", "### Target 3: exact peers, sizes upward until each one's first timeout "
              f"({result['config']['peer_timeout']:.0f} s); ratio = peer's solver call / exactscreen end to end", "",
              "| (n,k) | exactscreen end to end | " + " | ".join(f"{p} | {p} / exactscreen | {p} optimum"
                                                             for p in peers["peers"]) + " |",
              "|---|---|" + "---|---|---|" * len(peers["peers"])]
        sizes = []
        for entries in peers["peers"].values():
            for e in entries:
                if tuple(e["size"]) not in sizes:
                    sizes.append(tuple(e["size"]))
        for n, k in sorted(sizes):
            es = peers["exactscreen"].get(f"{n}x{k}")
            cells = []
            for p, entries in peers["peers"].items():
                e = next((x for x in entries if tuple(x["size"]) == (n, k)), None)
                if e is None:
                    cells += ["not run", "—", "—"]
                    continue
                t = _fmt_s(e["solve_s"]) if e["status"] == "ok" else (
                    f"> {result['config']['peer_timeout']:.0f} s (timeout)" if e["status"] == "timeout" else e["status"])
                agree = {True: "equal", False: "**MISMATCH**", None: "—"}[e.get("agree")]
                cells += [t, _fmt_r(e.get("ratio_solve")), agree]
            L.append(f"| ({n},{k}) | {_st(es)} | " + " | ".join(cells) + " |")
        if peers["unavailable"]:
            L.append("")
            L.append("Peers not available: " + "; ".join(f"{p} ({w})" for p, w in peers["unavailable"].items()))
    sc = result.get("scaling")
    if sc:
        for axis in ("n", "k"):
            L += ["", f"### Target 4: scaling in {axis} (random family)", "", _compare_header(face=False)]
            for row in sc[axis]["rows"]:
                if "skipped" in row:
                    L.append(f"| {row['label']} | — | not run: {row['skipped']} |" + " — |" * 10)
                else:
                    L.append(_compare_row(row, face=False))
            f = sc[axis]["fit"]
            L += ["", f"Fitted exponent (least squares on log-log, sizes with {axis} ≥ {sc[axis]['fit_min']}): "
                  f"exactscreen end to end **{_exp(f['solve'])}** ({f['solve']['points']} sizes), HiGHS run "
                  f"**{_exp(f['highs'])}** ({f['highs']['points']} sizes), HiGHS incl. model build "
                  f"{_exp(f['highs_total'])}."]
    dg = result.get("degenerate")
    if dg:
        L += ["", "### Target 5: degenerate families at scale (`equal`: identical valuations; `copies`: each random "
              "type repeated, copies share its weight; `zeroprob`: ~half the types at probability 0; `breakpoint`: "
              "Sec. 3.1.1 pair blown up to n types and k alternatives at q = 1/4 (#0) / 3/4 (#1); `ties`: values in "
              "{0,1/2,1,3/2,2}; `paper(q,copies)`: Sec. 3.1.1 with copies, k = 2)", "", _compare_header(face=True)]
        for row in dg["rows"]:
            L.append(_compare_row(row, face=True))
        fb = fallback_share(dg["rows"])
        L += ["", f"Paths: solves {', '.join(f'{m} {c}' for m, c in fb['methods'].items()) or '—'}; faces "
              f"{', '.join(f'{m} {c}' for m, c in fb['face_methods'].items()) or '—'}; exact LPs inside the faces "
              f"(`solve_lp` paths) {', '.join(f'{m} {c}' for m, c in fb['face_lp_paths'].items()) or 'none'}. "
              f"Off the direct float-basis path ({', '.join(sorted(DIRECT_METHODS))}): solves "
              f"{fb['solve_fallback']}/{fb['solves']}, LPs inside the faces {fb['face_lp_fallback']}/{fb['face_lps']}."]
    hunt = result.get("hunt")
    if hunt:
        L += ["", "### Target 6: the hunt workload", "",
              "| run | wall | certified | generic checker | paths | peak RSS |", "|---|---|---|---|---|---|"]
        for key in ("workers1", f"workers{result['config']['hunt_workers']}"):
            h = hunt.get(key)
            if not h:
                continue
            if h.get("status") != "ok":
                L.append(f"| {key} | {h.get('status')} | — | — | — | — |")
                continue
            x = h.get("xcheck")
            who = ("1 process pinned to one core" if h["workers"] == 1 else
                   f"{h['workers']} worker processes (chunks of {h['chunk']}; pool start-up {_fmt_s(h.get('warmup_s'))} untimed)")
            L.append(f"| {who} | {_fmt_s(h['wall_s'])} | {h['certified']}/{h['solved']} | "
                     + (f"{x['passed']}/{x['checked']}" if x else "—") + " | "
                     + ", ".join(f"{m} {c}" for m, c in h["methods"].items()) + f" | {_rss(h)} |")
        if "speedup" in hunt:
            L += ["", f"Speed-up with {result['config']['hunt_workers']} workers: **{hunt['speedup']:.2f}×**; "
                  f"same optima in both runs: {hunt['same_optima']}. Environment sizes (types × alternatives): "
                  + ", ".join(f"{k} {v}" for k, v in (hunt['workers1'].get('sizes') or {}).items()) + "."]
    if result["problems"]:
        L += ["", f"**PROBLEMS ({len(result['problems'])}):**", ""] + [f"* {p}" for p in result["problems"]]
    cfg, m = result["config"], result["machine"]
    L += ["", f"Command: `{cfg['command']}`; seed {cfg['seed']}; timeout {cfg['timeout']:.0f} s per measurement "
          f"(peers {cfg['peer_timeout']:.0f} s); {m.get('cpu_model', '?')}, {m.get('cpus_usable', m.get('cpu_count'))} "
          f"cores, {m.get('memory_gib', '?')} GiB; Python {m['python']}; "
          + ", ".join(f"{k} {v}" for k, v in result["versions"].items() if v and k != "git_commit")
          + f"; commit {str(result['versions'].get('git_commit'))[:10]}; load average at start "
          f"{result['loadavg_start'][0]:.2f}, at end {result['loadavg_end'][0]:.2f}; total wall time "
          f"{result['wall_s'] / 60:.1f} min."]
    return "\n".join(L)


def _compare_header(face: bool) -> str:
    cols = ["instance", "LP vars × rows", "HiGHS run", "HiGHS from Fraction LP (convert+pass+run)",
            "HiGHS from exact input (+ mechanism_lp)", "exactscreen end to end", "e2e / HiGHS run",
            "e2e / HiGHS run, CPU", "e2e / HiGHS from exact input", "method", "IC rows (rounds)", "peak RSS",
            "load avg"]
    if face:
        cols += ["face (with solve)", "(solve+face) / HiGHS run", "face alone / HiGHS run", "face LPs", "unique",
                 "face method", "face peak RSS"]
    return "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)


def _compare_row(row: dict, face: bool) -> str:
    hi, es, r = row["highs"], row["solve"], row["ratios"]
    shape = f"{hi['lp']['vars']} × {hi['lp']['rows']}" if hi.get("status") == "ok" else "—"
    if hi.get("status") == "ok":
        from_lp = _fmt_s(hi["convert_s"] + hi["pass_s"] + hi["run_s"])
        from_exact = _fmt_s(hi["build_exact_s"] + hi["convert_s"] + hi["pass_s"] + hi["run_s"])
    else:
        from_lp = from_exact = "—"
    ic = "—"
    if es.get("status") == "ok":
        ic = f"{es.get('ic_rows')}" + (f" ({es['rounds']})" if es.get("rounds") is not None else "")
    cells = [row["label"], shape, _st(hi, "run_s"), from_lp, from_exact, _st(es),
             _ratio_txt(r, "e2e/highs_run"), _ratio_txt(r, "e2e_cpu/highs_run_cpu"),
             _ratio_txt(r, "e2e/highs_from_exact"), es.get("method", "—") if es.get("status") == "ok" else "—",
             ic, _rss(es), f"{es['loadavg_before']:.1f}" if "loadavg_before" in es else "—"]
    if face:
        f = row.get("face") or {}
        ok = f.get("status") == "ok"
        cells += [_st(f), _ratio_txt(r, "solve+face/highs_run"), _ratio_txt(r, "face/highs_run"),
                  str(f.get("lps")) if ok else "—", str(f.get("unique")) if ok else "—",
                  f.get("method", "—") if ok else "—", _rss(f)]
    return "| " + " | ".join(cells) + " |"


# ============================================================================
# JSON and CLI
# ============================================================================
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="about one minute: small sizes, 500 hunt environments")
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma list of {', '.join(PARTS)} (default all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--api", choices=("auto", "scaled", "shim"), default="auto",
                    help="auto: exactscreen.mechanisms.structured if it imports, else the labelled shim (default)")
    ap.add_argument("--main-size", type=_size, default=None, help="(n,k) of targets 1-2 (default 150x64)")
    ap.add_argument("--peer-sizes", type=_sizes, default=None,
                    help="sizes tried upward for the exact peers (default 5x4,10x4,20x8,30x12,40x16,60x24)")
    ap.add_argument("--peers", default=None, help="comma list of z3, cdd, sympy (default all three)")
    ap.add_argument("--peer-timeout", type=float, default=None, help="per peer solve (default 120 s)")
    ap.add_argument("--scaling-n", type=_ints, default=None, help="n values at k = --scaling-n-k (default 10,...,320)")
    ap.add_argument("--scaling-n-k", type=int, default=None)
    ap.add_argument("--scaling-k", type=_ints, default=None, help="k values at n = --scaling-k-n (default 4,...,64)")
    ap.add_argument("--scaling-k-n", type=int, default=None)
    ap.add_argument("--degenerate-size", type=_size, default=None, help="(n,k) of the degenerate families (default 150x64)")
    ap.add_argument("--hunt-count", type=int, default=None, help="hunt environments (default 10000)")
    ap.add_argument("--hunt-workers", type=int, default=None, help="worker processes of the parallel hunt (default 2)")
    ap.add_argument("--timeout", type=float, default=None, help="per exactscreen/HiGHS measurement (default 120 s)")
    ap.add_argument("--face-timeout-factor", type=float, default=None,
                    help="degenerate families: stop a face at this multiple of HiGHS's run (default 25, at least "
                         "20 s, at most --timeout)")
    ap.add_argument("--mem-cap-gib", type=float, default=None, help="kill a measurement above this RSS (default 8)")
    ap.add_argument("--xcheck-max-n", type=int, default=None,
                    help="run the generic check_certificate on the full LP up to this n (default 80)")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default bench/results/scale-<time>-seed<seed>.json)")
    ap.add_argument("--markdown", type=Path, default=None, help="also write the Markdown tables here")
    ap.add_argument("--snapshot", nargs="?", const="HEAD", default=None, metavar="COMMIT",
                    help="run from a clean copy of COMMIT (default HEAD; `git archive`) in a temporary directory, so "
                         "edits others make to the working tree meanwhile cannot leak into the measurements")
    args = ap.parse_args(argv)
    if args.snapshot:
        return _run_snapshot(args.snapshot, sys.argv[1:] if argv is None else list(argv), args)

    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    bad = [p for p in parts if p not in PARTS]
    if bad:
        ap.error(f"--parts: unknown {', '.join(bad)}; choose from {', '.join(PARTS)}")
    over: dict[str, Any] = {"parts": parts, "seed": args.seed, "api": args.api}
    for name in ("main_size", "peer_sizes", "peer_timeout", "scaling_n", "scaling_n_k", "scaling_k", "scaling_k_n",
                 "degenerate_size", "hunt_count", "hunt_workers", "timeout", "face_timeout_factor", "mem_cap_gib",
                 "xcheck_max_n"):
        v = getattr(args, name)
        if v is not None:
            over[name] = v
    if args.peers:
        over["peers"] = tuple(p.strip() for p in args.peers.split(",") if p.strip())
        unknown = [p for p in over["peers"] if p not in ("z3", "cdd", "sympy")]
        if unknown:
            ap.error(f"--peers: unknown {', '.join(unknown)}")
    over["command"] = "python -m bench.scale " + " ".join(sys.argv[1:] if argv is None else argv)
    cfg = ScaleConfig.quick_config(**over) if args.quick else ScaleConfig(**over)
    print(f"exactscreen scale bench: parts {', '.join(cfg.parts)}; seed {cfg.seed}; "
          f"{'quick' if cfg.quick else 'full'}", flush=True)
    result = run_scale(cfg)
    md = markdown(result)
    out = write_results(result, args.out, "scale", cfg.seed, md, args.markdown)
    print("\n" + md)
    print(f"\nJSON: {out}")
    if result["problems"]:
        print(f"\n{len(result['problems'])} PROBLEM(S): see above; exit status 1", file=sys.stderr)
        return 1
    return 0


def _run_snapshot(commit: str, argv: list[str], args) -> int:
    """``git archive COMMIT`` into a temporary directory and run this command there (JSON still lands here)."""
    import subprocess
    import tarfile
    import tempfile

    root = Path(__file__).resolve().parents[1]
    sha = subprocess.run(["git", "rev-parse", commit], capture_output=True, text=True, cwd=root, check=True).stdout.strip()
    dest = Path(tempfile.mkdtemp(prefix=f"exactscreen-{sha[:10]}-"))
    archive = subprocess.run(["git", "archive", "--format=tar", sha], capture_output=True, cwd=root, check=True).stdout
    tar_path = dest / ".snapshot.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tf:
        tf.extractall(dest, filter="data")
    tar_path.unlink()
    (dest / SNAPSHOT_MARKER).write_text(sha + "\n", encoding="utf-8")
    rest, i = [], 0
    while i < len(argv):  # drop --snapshot [COMMIT], --out FILE, --markdown FILE (re-added as absolute paths)
        a = argv[i]
        if a == "--snapshot":
            i += 2 if i + 1 < len(argv) and not argv[i + 1].startswith("-") else 1
        elif a in ("--out", "--markdown"):
            i += 2
        elif a.startswith(("--snapshot=", "--out=", "--markdown=")):
            i += 1
        else:
            rest.append(a)
            i += 1
    out = args.out
    if out is None:
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"scale-{stamp}-seed{args.seed}.json"
    rest += ["--out", str(Path(out).resolve())]
    if args.markdown:
        rest += ["--markdown", str(Path(args.markdown).resolve())]
    print(f"snapshot of {sha[:10]} in {dest}", flush=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(dest) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        return subprocess.run([sys.executable, "-m", "bench.scale", *rest], cwd=dest, env=env).returncode
    finally:
        import shutil

        shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
