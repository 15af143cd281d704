"""Process isolation for :mod:`bench.scale`: each measurement runs in a fresh ``spawn``-ed process with a
timeout and a memory watch (the process tree's RSS, killed above the cap).
"""

from __future__ import annotations

import multiprocessing as mp
import time
import traceback

from .scale_tasks import TASKS


GIB = 2**30


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
