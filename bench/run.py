"""Benchmark: exactscreen's certified exact solve side by side with HiGHS and exact peers.

Run from the repository root::

    python -m bench.run --max-n 40 --timeout 120 --seed 1

For every instance (see :mod:`bench.instances`) the mechanism LP of paper
000, Sec. 3 is built once by :func:`exactscreen.mechanisms.optimum.mechanism_lp` and
handed, unchanged, to each solver in turn, one solve at a time (never two
in parallel, so timings are fair), each in its own process with a timeout
(see :mod:`bench.peers`).  Every exact peer's optimum is compared with
exactscreen's by ``Fraction`` equality; a mismatch is printed loudly, listed
in the JSON and makes the exit status 1.  A solver that times out on an LP
of some family is not run again on LPs of that family at least as large
(instances run smallest first within a family).

Output: a JSON file under ``bench/results/`` (machine, versions, seed,
per-instance times and ratios) and Markdown tables on stdout.  Ratios are
medians over the instances of a size of per-instance ratios: ``exact/HiGHS``
is exactscreen's ``solve_lp`` time over HiGHS's (both starting from the
same LinearProgram of Fractions); ``peer/exactscreen`` is the peer's solver
call over exactscreen's ``solve_lp``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable

from exactscreen.mechanisms.optimum import mechanism_lp

from .instances import (
    DEFAULT_SIZES,
    InstanceSpec,
    _size,
    build,
    degenerate_specs,
    illcond_specs,
    random_specs,
)
from .peers import EXACT_PEERS, PEERS, available, run_isolated

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PEERS = ("highs", "sympy", "cdd", "z3")


# ----------------------------------------------------------------------------
# machine and versions
# ----------------------------------------------------------------------------
def machine_info() -> dict:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
    }
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        pass
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
                    break
    except OSError:  # pragma: no cover
        pass
    return info


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for dist in ("exactscreen", "highspy", "python-flint", "sympy", "z3-solver", "pycddlib",
                 "pycddlib-standalone", "numpy"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    try:
        out["git_commit"] = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):  # pragma: no cover
        out["git_commit"] = None
    return out


# ----------------------------------------------------------------------------
# one instance
# ----------------------------------------------------------------------------
def _lp_shape(lp) -> dict:
    nnz = sum(len(r) for r in lp.A_eq) + sum(len(r) for r in lp.A_ub)
    rows = len(lp.A_eq) + len(lp.A_ub)
    return {"vars": lp.num_vars, "eq_rows": len(lp.A_eq), "ub_rows": len(lp.A_ub), "rows": rows,
            "nnz": nnz, "cells": lp.num_vars * rows}


def _loud(msg: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n{msg}\n{bar}\n", file=sys.stderr, flush=True)


class Runner:
    """Runs the solvers on instances, one solve at a time, and keeps the tallies."""

    def __init__(self, peers: Iterable[str], timeout: float, peers_max_n: int, face_max_n: int,
                 log=print):
        self.peers = [p for p in peers if p in PEERS]
        self.timeout = timeout
        self.peers_max_n = peers_max_n
        self.face_max_n = face_max_n
        self.log = log
        # smallest LP size (vars * rows) at which each (solver, family) timed out
        self.timed_out_at: dict[tuple[str, str], tuple[int, str]] = {}
        self.unavailable: dict[str, str] = {}
        self.mismatches: list[dict] = []
        self.certificate_failures: list[dict] = []

    def check_peers(self) -> None:
        for name in ["exactscreen", *self.peers]:
            ok, why = available(name)
            if not ok:
                self.unavailable[name] = why
                self.log(f"  peer {name}: NOT AVAILABLE ({why.splitlines()[0] if why else '?'}); "
                         f"install: {PEERS[name].install}")

    def _solve(self, name: str, payload: dict, shape: dict, label: str, group: str) -> dict:
        if name in self.unavailable:
            return {"status": "unavailable", "error": self.unavailable[name]}
        key = (name, group)  # hardness depends on the family: prune within it only
        if key in self.timed_out_at and shape["cells"] >= self.timed_out_at[key][0]:
            return {"status": "skipped", "reason": f"timed out on an LP of this family at most this large ({self.timed_out_at[key][1]})"}
        res = run_isolated(name, payload, self.timeout)
        if res["status"] == "timeout":
            prev = self.timed_out_at.get(key)
            if prev is None or shape["cells"] < prev[0]:
                self.timed_out_at[key] = (shape["cells"], label)
        return res

    def run_instance(self, spec: InstanceSpec) -> dict:
        env, market = build(spec)
        t0 = time.perf_counter()
        lp = mechanism_lp(env, market)
        lp_build = time.perf_counter() - t0
        shape = _lp_shape(lp)
        rec: dict[str, Any] = {
            "spec": spec.as_dict(), "label": spec.label, "group": spec.group, "n": env.n, "k": env.k,
            "lp": shape, "lp_build_s": lp_build, "solves": {}, "loadavg_before": os.getloadavg(),
        }
        payload = {"lp": lp}
        label = spec.label
        es = self._solve("exactscreen", payload, shape, label, spec.group)
        rec["solves"]["exactscreen"] = es
        if es["status"] == "ok" and not es.get("certificate_ok", False):
            self.certificate_failures.append({"label": label, "spec": spec.as_dict(), "solver": "exactscreen",
                                              "failures": es.get("certificate_failures")})
            _loud(f"CERTIFICATE FAILED: exactscreen on {label}: {es.get('certificate_failures')}")
        ref = es.get("objective") if es["status"] == "ok" else None
        for name in self.peers:
            peer = PEERS[name]
            if peer.exact and env.n > self.peers_max_n:
                rec["solves"][name] = {"status": "skipped", "reason": f"n > --peers-max-n {self.peers_max_n}"}
                continue
            rec["solves"][name] = self._solve(name, payload, shape, label, spec.group)
        if env.n <= self.face_max_n:
            face = self._solve("exactscreen-face", {"env": env, "market": market}, shape, label, spec.group)
            rec["solves"]["exactscreen-face"] = face
        # exact comparisons
        exact_values = {
            name: r["objective"] for name, r in rec["solves"].items()
            if r.get("status") == "ok" and PEERS[name].exact and isinstance(r.get("objective"), Fraction)
        }
        rec["exact_values"] = {k: str(v) for k, v in exact_values.items()}
        reference_name = "exactscreen" if ref is not None else next(iter(exact_values), None)
        reference = exact_values.get(reference_name) if reference_name else None
        rec["reference"] = reference_name
        rec["agree"] = {}
        for name, v in exact_values.items():
            if name == reference_name:
                continue
            same = v == reference
            rec["agree"][name] = same
            if not same:
                m = {"label": label, "spec": spec.as_dict(), "reference": reference_name,
                     "reference_value": str(reference), "peer": name, "peer_value": str(v),
                     "environment": env.to_dict(), "market": market.as_dict()}
                self.mismatches.append(m)
                _loud(f"EXACT MISMATCH on {label}: {reference_name} = {reference} but {name} = {v}\n"
                      f"reproduce: bench.instances.build(InstanceSpec(**{spec.as_dict()!r}))")
        hi = rec["solves"].get("highs", {})
        if hi.get("status") == "ok" and reference is not None:
            rec["highs_abs_error"] = abs(hi["objective"] - float(reference))
        rec["ratios"] = _ratios(rec)
        rec["loadavg_after"] = os.getloadavg()
        return rec


def _ratios(rec: dict) -> dict:
    s = rec["solves"]
    out: dict[str, float] = {}
    es, hi = s.get("exactscreen", {}), s.get("highs", {})
    if es.get("status") == "ok" and hi.get("status") == "ok":
        out["exact/highs_run"] = es["solve_s"] / hi["solve_s"]
        if es.get("solve_cpu_s") and hi.get("solve_cpu_s"):
            out["exact/highs_run_cpu"] = es["solve_cpu_s"] / hi["solve_cpu_s"]
        out["exact/highs_build+run"] = es["solve_s"] / (hi["solve_s"] + hi["build_s"])
        out["exact+check/highs_build+run"] = (es["solve_s"] + es["check_s"]) / (hi["solve_s"] + hi["build_s"])
    face = s.get("exactscreen-face", {})
    if face.get("status") == "ok" and hi.get("status") == "ok":
        out["face/highs_run"] = face["solve_s"] / hi["solve_s"]
    if es.get("status") == "ok":
        for name in EXACT_PEERS:
            r = s.get(name, {})
            if r.get("status") == "ok":
                out[f"{name}/exact"] = r["solve_s"] / es["solve_s"]
                out[f"{name}(build+solve)/exact"] = (r["solve_s"] + r["build_s"]) / es["solve_s"]
            elif r.get("status") == "timeout":
                out[f"{name}/exact>"] = r["timeout_s"] / es["solve_s"]  # lower bound
    return out


# ----------------------------------------------------------------------------
# summary tables
# ----------------------------------------------------------------------------
def _fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:.0f} s"
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 0.1:
        return f"{x:.2f} s"
    if x >= 0.001:
        return f"{x * 1000:.1f} ms"
    return f"{x * 1e6:.0f} µs"


def _fmt_r(x: float | None, lower: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    pre = "> " if lower else ""
    if x >= 100:
        return f"{pre}{x:.0f}×"
    if x >= 10:
        return f"{pre}{x:.1f}×"
    return f"{pre}{x:.2f}×"


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _cell(recs: list[dict], solver: str, key: str = "solve_s", timeout: float | None = None) -> str:
    rs = [r["solves"].get(solver) for r in recs]
    rs = [x for x in rs if x is not None]
    if not rs:
        return "—"
    ok = [x[key] for x in rs if x.get("status") == "ok"]
    to = sum(1 for x in rs if x.get("status") == "timeout")
    bad = [x["status"] for x in rs if x.get("status") in ("error", "crashed")]
    if not ok:
        if to:
            return f"> {timeout:.0f} s (timeout)" if timeout else "timeout"
        if bad:
            return bad[0]
        st = rs[0].get("status", "?")
        return {"skipped": "not run", "unavailable": "n/a"}.get(st, st)
    txt = _fmt_s(_median(ok))
    if len(ok) < len(rs):
        txt += f" ({len(ok)}/{len(rs)}" + (f", {to} timeout" if to else "") + (f", {len(bad)} {bad[0]}" if bad else "") + ")"
    return txt


def _ratio_cell(recs: list[dict], key: str) -> str:
    vals = [r["ratios"][key] for r in recs if key in r["ratios"]]
    if vals:
        return _fmt_r(_median(vals))
    low = [r["ratios"][key.replace("/exact", "/exact>")] for r in recs if key.replace("/exact", "/exact>") in r["ratios"]]
    if low:
        return _fmt_r(min(low), lower=True)
    return "—"


def _agree_cell(recs: list[dict], peer: str) -> str:
    vals = [r["agree"][peer] for r in recs if peer in r.get("agree", {})]
    if not vals:
        return "—"
    bad = vals.count(False)
    return f"{len(vals) - bad}/{len(vals)} equal" + (f" **{bad} MISMATCH**" if bad else "")


def _paths(recs: list[dict], solver: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in recs:
        x = r["solves"].get(solver, {})
        if x.get("status") == "ok":
            for m, c in x.get("paths", {}).items():
                out[m] = out.get(m, 0) + c
    return out


def _paths_txt(p: dict[str, int]) -> str:
    if not p:
        return "—"
    order = ["highs-basis", "exact-simplex-warm", "exact-simplex"]
    keys = [k for k in order if k in p] + sorted(k for k in p if k not in order)
    return ", ".join(f"{k} {p[k]}" for k in keys)


def _group(records: list[dict], key) -> list[tuple[Any, list[dict]]]:
    groups: dict[Any, list[dict]] = {}
    for r in records:
        groups.setdefault(key(r), []).append(r)
    return list(groups.items())


def markdown(result: dict) -> str:
    timeout = result["config"]["timeout"]
    peers = [p for p in result["config"]["peers"] if p in EXACT_PEERS]
    recs = result["instances"]
    lines: list[str] = []
    rnd = [r for r in recs if r["spec"]["family"] == "random"]
    if rnd:
        lines += [
            "### Random family: exactscreen vs HiGHS (medians over instances of a size)",
            "",
            "| (n,k) | inst. | LP vars × rows | HiGHS run | HiGHS build+run | exactscreen solve_lp | "
            "exact / HiGHS run | exact / HiGHS run, CPU time | exact / HiGHS build+run | certificate check | path taken | "
            "optimal face (LPs) | face / HiGHS run | load avg |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for (n, k), g in _group(rnd, lambda r: (r["n"], r["k"])):
            shp = g[0]["lp"]
            face_lps = [r["solves"]["exactscreen-face"].get("lp_solves") for r in g
                        if r["solves"].get("exactscreen-face", {}).get("status") == "ok"]
            face = _cell(g, "exactscreen-face", timeout=timeout)
            if face_lps:
                face += f" ({int(statistics.median(face_lps))})"
            lines.append(
                f"| ({n},{k}) | {len(g)} | {shp['vars']} × {shp['rows']} | {_cell(g, 'highs', timeout=timeout)} | "
                f"{_cell_sum(g, 'highs')} | {_cell(g, 'exactscreen', timeout=timeout)} | "
                f"{_ratio_cell(g, 'exact/highs_run')} | {_ratio_cell(g, 'exact/highs_run_cpu')} | "
                f"{_ratio_cell(g, 'exact/highs_build+run')} | "
                f"{_cell(g, 'exactscreen', 'check_s')} | {_paths_txt(_paths(g, 'exactscreen'))} | "
                f"{face} | {_ratio_cell(g, 'face/highs_run')} | {_load(g)} |"
            )
        lines += [
            "",
            "### Random family: exact peers (solver call only; ratio = peer / exactscreen solve_lp; "
            "optimum compared by Fraction equality)",
            "",
            "| (n,k) | exactscreen | " + " | ".join(f"{p} | {p} / exactscreen | {p} optimum" for p in peers) + " |",
            "|---|---|" + "---|---|---|" * len(peers),
        ]
        for (n, k), g in _group(rnd, lambda r: (r["n"], r["k"])):
            cells = []
            for p in peers:
                cells += [_cell(g, p, timeout=timeout), _ratio_cell(g, f"{p}/exact"), _agree_cell(g, p)]
            lines.append(f"| ({n},{k}) | {_cell(g, 'exactscreen', timeout=timeout)} | " + " | ".join(cells) + " |")
    deg = [r for r in recs if r["spec"]["family"] != "random"]
    if deg:
        lines += [
            "",
            "### Degenerate and ill-conditioned families (paper 000 Sec. 3.1.1 blown up: copies share a type's "
            "probability, zero-copies have probability 0, dup-alts doubles every alternative; `ties`: values in "
            "{0,1/2,1,3/2,2}; `q=1/4+1e-9`: market 10^-9 off a breakpoint; `perturbed`: random values moved by "
            "j/10^9)",
            "",
            "| instance | n×k | HiGHS run | exactscreen | exact / HiGHS run | path | optimal face (LPs) | face paths | "
            + " | ".join(peers) + " |",
            "|---|---|---|---|---|---|---|---|" + "---|" * len(peers),
        ]
        for r in deg:
            f = r["solves"].get("exactscreen-face", {})
            face = _cell([r], "exactscreen-face", timeout=timeout)
            if f.get("status") == "ok":
                face += f" ({f['lp_solves']})"
            pcells = []
            for p in peers:
                c = _cell([r], p, timeout=timeout)
                if p in r.get("agree", {}):
                    c += " =" if r["agree"][p] else " **MISMATCH**"
                pcells.append(c)
            lines.append(
                f"| {r['label']} | {r['n']}×{r['k']} | {_cell([r], 'highs', timeout=timeout)} | "
                f"{_cell([r], 'exactscreen', timeout=timeout)} | {_ratio_cell([r], 'exact/highs_run')} | "
                f"{_paths_txt(_paths([r], 'exactscreen'))} | {face} | {_paths_txt(_paths([r], 'exactscreen-face'))} | "
                + " | ".join(pcells) + " |"
            )
    lines += ["", "### Which path certified the answer (float basis verified directly vs exact fallback)", "",
              "| family | solve_lp on the instance LP | LPs inside the optimal face | fallback reasons |",
              "|---|---|---|---|"]
    for fam, g in _group(recs, lambda r: r.get("group", r["spec"]["family"])):
        reasons: dict[str, int] = {}
        for r in g:
            for s in ("exactscreen", "exactscreen-face"):
                for k, v in r["solves"].get(s, {}).get("reasons", {}).items():
                    reasons[k] = reasons.get(k, 0) + v
        lines.append(f"| {fam} | {_paths_txt(_paths(g, 'exactscreen'))} | {_paths_txt(_paths(g, 'exactscreen-face'))} | "
                     f"{', '.join(f'{k}: {v}' for k, v in reasons.items()) or 'none'} |")
    mism = result["mismatches"]
    lines += ["", f"**Exact mismatches between exactscreen and the exact peers: {len(mism)}**"
              + ("" if not mism else " — see `mismatches` in the JSON")]
    if result["certificate_failures"]:
        lines.append(f"**Certificate failures: {len(result['certificate_failures'])}**")
    if result["unavailable"]:
        lines.append("Peers not available: " + "; ".join(f"{k} ({v.splitlines()[0]})" for k, v in result["unavailable"].items()))
    cfg = result["config"]
    m = result["machine"]
    lines += ["", f"Command: `{cfg['command']}`; seed {cfg['seed']}; per-solve timeout {timeout:.0f} s; "
              f"{m.get('cpu_model', '?')}, {m.get('cpus_usable', m.get('cpu_count'))} cores, "
              f"{m.get('memory_gib', '?')} GiB; Python {m['python']}; "
              + ", ".join(f"{k} {v}" for k, v in result["versions"].items() if v and k != "git_commit")
              + f"; total wall time {result['wall_s'] / 60:.1f} min."]
    return "\n".join(lines)


def _load(recs: list[dict]) -> str:
    vals = [r["loadavg_after"][0] for r in recs if "loadavg_after" in r]
    return f"{_median(vals):.1f}" if vals else "—"


def _cell_sum(recs: list[dict], solver: str) -> str:
    vals = [r["solves"][solver]["solve_s"] + r["solves"][solver]["build_s"] for r in recs
            if r["solves"].get(solver, {}).get("status") == "ok"]
    return _fmt_s(_median(vals)) if vals else "—"


# ----------------------------------------------------------------------------
# JSON
# ----------------------------------------------------------------------------
def _jsonable(x: Any) -> Any:
    if isinstance(x, Fraction):
        return str(x)
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return str(x)  # JSON has no NaN/Infinity
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


def write_results(result: dict, out: Path | None, prefix: str, seed: int, md: str, md_path: Path | None) -> Path:
    """Write the JSON (default ``bench/results/<prefix>-<UTC time>-seed<seed>.json``) and the Markdown."""
    if out is None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS_DIR / f"{prefix}-{stamp}-seed{seed}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_jsonable(result), indent=1) + "\n", encoding="utf-8")
    if md_path:
        md_path.write_text(md + "\n", encoding="utf-8")
    return out


# ----------------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------------
def run_bench(specs: list[InstanceSpec], *, peers: Iterable[str] = DEFAULT_PEERS, timeout: float = 120.0,
              peers_max_n: int = 40, face_max_n: int = 10, seed: int = 1, command: str = "",
              log=print) -> dict:
    """Run every spec through exactscreen, HiGHS and the peers; return the result (Fractions kept)."""
    t_start = time.perf_counter()
    runner = Runner(peers, timeout, peers_max_n, face_max_n, log=log)
    runner.check_peers()
    records = []
    for i, spec in enumerate(specs, 1):
        t0 = time.perf_counter()
        rec = runner.run_instance(spec)
        records.append(rec)
        s = rec["solves"]
        summary = "  ".join(
            f"{name}={_fmt_s(x['solve_s']) if x.get('status') == 'ok' else x.get('status')}"
            for name, x in s.items()
        )
        log(f"[{i}/{len(specs)}] {spec.label} n={rec['n']} k={rec['k']} "
            f"({time.perf_counter() - t0:.1f} s): {summary}", flush=True)
    return {
        "config": {"seed": seed, "timeout": timeout, "peers": list(runner.peers), "peers_max_n": peers_max_n,
                   "face_max_n": face_max_n, "command": command},
        "machine": machine_info(),
        "versions": versions(),
        "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "wall_s": time.perf_counter() - t_start,
        "unavailable": runner.unavailable,
        "timed_out_at": {f"{k[0]} [{k[1]}]": v[1] for k, v in runner.timed_out_at.items()},
        "mismatches": runner.mismatches,
        "certificate_failures": runner.certificate_failures,
        "instances": records,
    }


def _sizes(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for part in text.split(","):
        n, k = part.lower().split("x")
        out.append((int(n), int(k)))
    return tuple(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120.0, help="per-solve timeout in seconds (default 120)")
    ap.add_argument("--max-n", type=int, default=40, help="largest n of the random family (default 40; 80 adds (80,32))")
    ap.add_argument("--peers-max-n", type=int, default=40,
                    help="largest n on which the exact peers run (default 40; HiGHS always runs)")
    ap.add_argument("--face-max-n", type=int, default=10, help="largest n for the optimal-face timing (default 10)")
    ap.add_argument("--reps", type=int, default=3, help="random instances per size (default 3)")
    ap.add_argument("--reps-large", type=int, default=1,
                    help="random instances per size for sizes with n > --peers-max-n (default 1)")
    ap.add_argument("--sizes", type=_sizes, default=None, help="random sizes, e.g. 2x2,3x3,5x4 (default issue 8's)")
    ap.add_argument("--families", default="random,degenerate,illcond",
                    help="comma list of random, degenerate, illcond (default all three)")
    ap.add_argument("--peers", default=",".join(DEFAULT_PEERS),
                    help=f"comma list of {', '.join(p for p in PEERS if not p.startswith('exactscreen'))}, "
                         "exactscreen-cold (default highs,sympy,cdd,z3)")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default bench/results/bench-<time>-seed<seed>.json)")
    ap.add_argument("--markdown", type=Path, default=None, help="also write the Markdown tables here")
    args = ap.parse_args(argv)

    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        ap.error(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(PEERS)}")
    fams = {f.strip() for f in args.families.split(",") if f.strip()}
    if not fams <= {"random", "degenerate", "illcond"}:
        ap.error("--families: choose from random, degenerate, illcond")
    sizes = args.sizes or DEFAULT_SIZES
    sizes = tuple((n, k) for n, k in sizes if n <= args.max_n)
    specs: list[InstanceSpec] = []
    if "random" in fams:
        small = tuple(sz for sz in sizes if sz[0] <= args.peers_max_n)
        large = tuple(sz for sz in sizes if sz[0] > args.peers_max_n)
        specs += random_specs(small, args.seed, args.reps) + random_specs(large, args.seed, args.reps_large)
    if "degenerate" in fams:
        specs += [s for s in degenerate_specs(args.seed) if _size(s)[0] <= args.max_n]
    if "illcond" in fams:
        specs += [s for s in illcond_specs(args.seed) if _size(s)[0] <= args.max_n]
    command = "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv)
    print(f"exactscreen bench: {len(specs)} instances, peers {', '.join(peers)}, timeout {args.timeout:.0f} s, "
          f"seed {args.seed}", flush=True)
    result = run_bench(specs, peers=peers, timeout=args.timeout, peers_max_n=args.peers_max_n,
                       face_max_n=args.face_max_n, seed=args.seed, command=command)
    md = markdown(result)
    out = write_results(result, args.out, "bench", args.seed, md, args.markdown)
    print("\n" + md)
    print(f"\nJSON: {out}")
    bad = bool(result["mismatches"] or result["certificate_failures"])
    if bad:
        _loud(f"{len(result['mismatches'])} exact mismatch(es), {len(result['certificate_failures'])} certificate failure(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
