"""The measurements of :mod:`bench.scale`, run inside the fresh process (:data:`TASKS`): HiGHS alone, the
exactscreen solve, the face, the hunt workload; imports and instance generation are never timed.
"""

from __future__ import annotations

import gc
import math
import multiprocessing as mp
import os
import resource
import time
from typing import Any, Callable

from .instances import InstanceSpec, build, hunt_instance
from .peers import highs_model
from .scale_api import FACE_SHIM, load_api
from exactscreen.lp.highs import new_highs


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
