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

Modules: this one (configuration, the driver :class:`Bench`, the CLI), :mod:`bench.scale_api`
(the API under test or the shim), :mod:`bench.scale_isolation` (fresh processes, timeout,
memory watch), :mod:`bench.scale_tasks` (the measurements run in them) and
:mod:`bench.scale_report` (targets and Markdown).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import os
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .instances import InstanceSpec, build
from .peers import highs_model
from .run import _fmt_s, write_results
from .scale_api import load_api
from .scale_isolation import isolated
from .scale_report import markdown, targets
from .scale_tasks import REPEAT_BUDGET_S

__all__ = ["load_api", "run_scale", "markdown", "main", "ScaleConfig", "fit_exponent", "highs_model"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SNAPSHOT_MARKER = ".snapshot-commit"
PARTS = ("main", "face", "peers", "scaling", "degenerate", "hunt")


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
    path = root / "exactscreen" / "mechanisms" / "structured.py"
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
