"""Benchmark of the user's command (issue 12, item 3).

    python -m bench.cli                 # the full run (see bench/README.md for its duration)
    python -m bench.cli --quick         # a smoke test: small sizes, 2 runs, 30 s timeout

For every instance (:mod:`bench.instances`: issue 8's ``random`` family and
the tie-heavy ``ints``, ``ties`` and ``paper`` families) the exact
environment and market are written as a TOML file in the format
``exactscreen solve`` reads (exact strings such as ``"3/4"``; the file is
read back with :func:`exactscreen.environment.load_toml` and must give the
same environment and market, exactly).  Then two commands are timed as
whole processes, wall time from spawn to exit (interpreter start-up,
imports, parsing, solving and printing included), interleaved
``A B A B ...`` on the same file:

* A: ``exactscreen solve FILE --json`` (default options: the optimum, the
  ranges over all optimal mechanisms, the selection rule, the certificate);
* B: ``python bench/highs_solve.py FILE``: the same LP of paper 000, Sec. 3
  (``exactscreen.mechanisms.optimum.mechanism_lp``'s, column for column) built in
  floats with numpy from the same TOML and solved by HiGHS.

HiGHS's optimum must be within ``1e-6`` (relative, at least absolute
``1e-6``) of exactscreen's exact revenue parsed from its JSON: a
disagreement is a failure (exit status 1), as is a TOML that does not round
trip, an exactscreen run that exits non-zero (other than by the timeout) or
a HiGHS run that does not report an optimum.  A missed target is not a
failure: it is shown as ✗.

Each process runs in its own session and is killed with its whole process
group at the per-solve timeout (recorded as ``timeout``; the ratio is then
shown as ``> x``).  A timed-out command is not run again on that instance,
nor on larger sizes of the same family.  Peak memory: the child's own
``VmHWM`` (``/proc/PID/status``, sampled every 50 ms while it runs) and,
when it exceeds this driver's own peak, the ``ru_maxrss`` that ``wait4``
reports at exit (Linux carries the parent's high-water mark into a
``vfork``-ed child, so below that it says nothing about the child).

Output: ``bench/results/cli-<UTC>-seed<seed>.{json,md}`` (machine, versions,
git commit, command line, every measurement) and the Markdown table on
stdout, between ``<!-- bench:cli begin -->`` and ``<!-- bench:cli end -->``
markers; ``--update-readme`` replaces that block in README.md.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from exactscreen.environment import load_toml
from exactscreen.hunt import environment_to_toml

from .instances import InstanceSpec, build
from .run import RESULTS_DIR, _fmt_r, _fmt_s, machine_info, versions, write_results

ROOT = Path(__file__).resolve().parents[1]
HIGHS_SCRIPT = Path(__file__).resolve().parent / "highs_solve.py"
BEGIN, END = "<!-- bench:cli begin -->", "<!-- bench:cli end -->"
GIB = 2**30
REL_TOL = 1e-6
POLL_S = 0.05

FAMILIES = ("random", "ints", "ties", "paper")
TIE_FAMILIES = ("ints", "ties", "paper")
FAMILY_TEXT = {
    "random": "issue 8's random family: values m/4, m ~ U{-5..20}; weights U{1..10}",
    "ints": "integer values uniform on -3..9, uniform market",
    "ties": "values in {0, 1/2, 1, 3/2, 2}, weights U{1..3}",
    "paper": "Sec. 3.1.1 (examples/pis_sec311.toml, q = 1/2), each type copied n/2 times",
}
DEFAULT_SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "random": ((20, 8), (40, 16), (80, 32), (150, 64)),
    "ints": ((60, 8),),
    "ties": ((150, 64),),
    "paper": ((150, 2),),
}
QUICK_SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "random": ((4, 3), (8, 4)),
    "ints": ((8, 4),),
    "ties": ((8, 4),),
    "paper": ((6, 2),),
}


@dataclass(frozen=True)
class Target:
    """A median-ratio target of issue 12 at one (family, size)."""

    family: str
    size: tuple[int, int]
    bound: float
    why: str


TARGETS = (
    Target("random", (150, 64), 1.5, "random (150, 64)"),
    Target("random", (40, 16), 2.0, "random (40, 16)"),
    Target("random", (20, 8), 3.0, "random (20, 8): start-up counts"),
    Target("ints", (60, 8), 2.0, "tie-heavy ints at its largest size"),
    Target("ties", (150, 64), 2.0, "tie-heavy ties at its largest size"),
    Target("paper", (150, 2), 2.0, "tie-heavy Sec. 3.1.1 x 75 copies"),
)
MEMORY_TARGET_GIB = 2.0
MIN_TARGET_RUNS = 3


# ----------------------------------------------------------------------------
# instances as TOML files
# ----------------------------------------------------------------------------
def spec_for(family: str, n: int, k: int, seed: int) -> InstanceSpec:
    """The :class:`InstanceSpec` of a family at size ``(n, k)`` (``paper``: ``n/2`` copies, ``k = 2``)."""
    if family == "paper":
        if n % 2 or n < 2 or k != 2:
            raise ValueError(f"paper family: size must be (2 * copies, 2), got ({n}, {k})")
        return InstanceSpec("paper", q="1/2", copies=n // 2)
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    if n < 1 or k < 1:
        raise ValueError(f"{family} family: size must have n >= 1 and k >= 1, got ({n}, {k})")
    return InstanceSpec(family, n, k, seed, 0)


def write_instance(spec: InstanceSpec, directory: Path) -> tuple[Path, dict]:
    """Write ``spec`` as TOML in ``directory``; read it back and check it is the same instance, exactly.

    Returns the path and a record (sha256, bytes, ``roundtrip_ok``).  A file
    that does not round trip raises ``AssertionError``."""
    env, market = build(spec)
    name = f"{spec.family}-{env.n}x{env.k}" + (f"-seed{spec.seed}" if spec.family != "paper" else "")
    path = directory / f"{name}.toml"
    text = f"# bench.cli instance {spec.label}: {json.dumps(spec.as_dict())}\n" + environment_to_toml((env, market))
    path.write_text(text, encoding="utf-8")
    env2, market2 = load_toml(path)
    ok = (env2 == env and market2 is not None and market2.weights == market.weights
          and env2.values == env.values and env2.costs == env.costs)
    if not ok:
        raise AssertionError(f"{path}: the TOML does not read back as the generated instance")
    return path, {
        "toml": path.name, "toml_bytes": len(text.encode()), "roundtrip_ok": True,
        "toml_sha256": hashlib.sha256(text.encode()).hexdigest(), "n": env.n, "k": env.k,
        "lp_rows": env.n + env.n * env.n, "lp_cols": env.n * (env.k + 2),
    }


# ----------------------------------------------------------------------------
# one whole process
# ----------------------------------------------------------------------------
def _hwm_kib(pid: int | str = "self") -> int:
    """``VmHWM`` (peak resident set of the process's own address space) in KiB; 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _killpg(pid: int) -> None:
    """Kill the process group this bench started for one measurement (its leader's pid)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


#: The children's environment: the driver's, without PYTHONDONTWRITEBYTECODE, so that both
#: commands run from compiled bytecode after the warm-up run, as from an installed package
#: (pip compiles it at install time); with the variable set, every run would recompile
#: every module it imports and time the compiler (about +0.3 s for exactscreen).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_process(argv: list[str], timeout: float, stdout_path: Path) -> dict:
    """Run ``argv`` once; wall time from spawn to exit; kill its process group at ``timeout``.

    stdout goes to ``stdout_path`` (a file, so a large JSON never blocks the
    child on a pipe), stderr to a temporary file (its tail is recorded)."""
    driver_hwm = _hwm_kib()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=ROOT, env=CHILD_ENV)
        stop = threading.Event()
        state = {"hwm": 0, "timeout": False}

        def watch() -> None:
            deadline = t0 + timeout
            while not stop.is_set():
                state["hwm"] = max(state["hwm"], _hwm_kib(proc.pid))
                if time.perf_counter() >= deadline:
                    if not stop.is_set():
                        state["timeout"] = True
                        _killpg(proc.pid)
                    return
                stop.wait(POLL_S)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        stop.set()
        watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        _killpg(proc.pid)  # anything the child left behind in its group
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    ru_kib = ru.ru_maxrss
    if ru_kib > driver_hwm:
        peak_kib, source = max(ru_kib, state["hwm"]), "wait4 ru_maxrss"
    else:
        peak_kib, source = state["hwm"], "VmHWM sampled every 50 ms"
    if state["timeout"]:
        status_txt = "timeout"
    elif proc.returncode != 0:
        status_txt = "error"
    else:
        status_txt = "ok"
    return {
        "status": status_txt, "wall_s": wall, "exit_code": proc.returncode,
        "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mib": peak_kib / 1024, "peak_rss_source": source,
        "loadavg_1min": load, "stderr_tail": stderr[-2000:] if (stderr and status_txt != "ok") else stderr[-300:],
    }


def exactscreen_argv() -> list[str]:
    """The user's command: the ``exactscreen`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "exactscreen"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "exactscreen"]  # pragma: no cover - not installed as a script


def highs_argv() -> list[str]:
    return [sys.executable, str(HIGHS_SCRIPT)]


# ----------------------------------------------------------------------------
# the benchmark
# ----------------------------------------------------------------------------
@dataclass
class Config:
    families: tuple[str, ...] = FAMILIES
    sizes: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    runs: int = 3
    timeout: float = 120.0
    seed: int = 1
    solve_args: tuple[str, ...] = ()
    quick: bool = False
    warmup: bool = True
    keep_toml: Path | None = None


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _parse_revenue(path: Path) -> Fraction:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return Fraction(data["revenue"])  # an exact string such as "5/4"


def _parse_highs(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8").strip().splitlines()[-1])


def measure_instance(path: Path, cfg: Config, record: dict, scratch: Path, log: Callable[[str], None],
                     run_exactscreen: bool) -> None:
    """Interleaved runs A B A B ... of exactscreen and HiGHS on one TOML file; fills ``record``."""
    a_argv = exactscreen_argv() + ["solve", str(path), "--json", *cfg.solve_args]
    b_argv = highs_argv() + [str(path)]
    runs: dict[str, list[dict]] = {"exactscreen": [], "highs": []}
    a_live = run_exactscreen
    revenue: Fraction | None = None
    objective: float | None = None
    problems: list[str] = []
    for r in range(cfg.runs):
        if a_live:
            rec = run_process(a_argv, cfg.timeout, scratch / "a.out")
            if rec["status"] == "ok":
                try:
                    rev = _parse_revenue(scratch / "a.out")
                except (OSError, ValueError, KeyError, ZeroDivisionError) as exc:
                    rec["status"] = "error"
                    rec["stderr_tail"] = f"unparseable JSON on stdout: {exc}"
                else:
                    rec["revenue"] = str(rev)
                    if revenue is not None and rev != revenue:
                        problems.append(f"exactscreen revenue differs between runs: {revenue} vs {rev}")
                    revenue = rev
            runs["exactscreen"].append(rec)
            log(f"    exactscreen run {r + 1}: {rec['status']} {rec['wall_s']:.2f} s, "
                f"{rec['peak_rss_mib']:.0f} MiB")
            if rec["status"] != "ok":
                a_live = False
                if rec["status"] == "error":
                    problems.append(f"exactscreen exited {rec['exit_code']}: {rec['stderr_tail'][-300:]}")
        rec = run_process(b_argv, cfg.timeout, scratch / "b.out")
        if rec["status"] == "ok":
            try:
                out = _parse_highs(scratch / "b.out")
                rec["objective"], rec["highs_status"] = out["objective"], out["status"]
                objective = out["objective"]
                record.setdefault("lp_nnz", out.get("nnz"))
            except (OSError, ValueError, KeyError, IndexError) as exc:
                rec["status"] = "error"
                rec["stderr_tail"] = f"unparseable output: {exc}"
        if rec["status"] == "error":
            problems.append(f"HiGHS peer exited {rec['exit_code']}: {rec['stderr_tail'][-300:]}")
        runs["highs"].append(rec)
        log(f"    highs       run {r + 1}: {rec['status']} {rec['wall_s']:.2f} s")
        if rec["status"] != "ok":
            break
    record["runs"] = runs
    a_ok = [x["wall_s"] for x in runs["exactscreen"] if x["status"] == "ok"]
    b_ok = [x["wall_s"] for x in runs["highs"] if x["status"] == "ok"]
    a_to = any(x["status"] == "timeout" for x in runs["exactscreen"])
    record["exactscreen_median_s"] = _median(a_ok) if not a_to else None
    record["exactscreen_status"] = (
        "not run" if not run_exactscreen else "timeout" if a_to
        else "error" if any(x["status"] == "error" for x in runs["exactscreen"]) else "ok")
    record["highs_median_s"] = _median(b_ok)
    record["exactscreen_peak_rss_mib"] = max((x["peak_rss_mib"] for x in runs["exactscreen"]), default=None)
    record["highs_peak_rss_mib"] = max((x["peak_rss_mib"] for x in runs["highs"]), default=None)
    hb = record["highs_median_s"]
    if record["exactscreen_status"] == "ok" and hb:
        record["ratio"], record["ratio_is_lower_bound"] = record["exactscreen_median_s"] / hb, False
    elif a_to and hb:
        record["ratio"], record["ratio_is_lower_bound"] = cfg.timeout / hb, True
    else:
        record["ratio"], record["ratio_is_lower_bound"] = None, False
    record["revenue"] = None if revenue is None else str(revenue)
    record["highs_objective"] = objective
    if revenue is not None and objective is not None:
        err = abs(objective - float(revenue))  # comparison of a float with the float of the exact value
        record["abs_diff"] = err
        record["agree"] = err <= REL_TOL * max(1.0, abs(float(revenue)))
        if not record["agree"]:
            problems.append(f"HiGHS optimum {objective!r} differs from exactscreen's exact revenue "
                            f"{revenue} ({float(revenue)!r}) by {err:.3g} > {REL_TOL:g} relative")
    else:
        record["agree"] = None
    record["problems"] = problems


def run_benchmark(cfg: Config, log: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True)) -> dict:
    started = _dt.datetime.now(_dt.timezone.utc)
    result: dict[str, Any] = {
        "benchmark": "cli", "started_utc": started.isoformat(timespec="seconds"),
        "machine": machine_info(), "versions": versions(),
        "exactscreen_argv": exactscreen_argv(), "highs_argv": highs_argv(),
        "config": {"families": list(cfg.families), "sizes": {f: [list(s) for s in cfg.sizes.get(f, ())]
                                                              for f in cfg.families},
                   "runs": cfg.runs, "timeout_s": cfg.timeout, "seed": cfg.seed,
                   "solve_args": list(cfg.solve_args), "quick": cfg.quick, "rel_tol": REL_TOL},
        "instances": [], "warmup": [], "errors": [],
    }
    import exactscreen

    result["exactscreen_file"] = exactscreen.__file__
    tmp = tempfile.TemporaryDirectory(prefix="bench-cli-")
    try:
        work = Path(tmp.name)
        tomls = cfg.keep_toml or work
        tomls.mkdir(parents=True, exist_ok=True)
        if cfg.warmup:  # untimed: page cache, .pyc files
            path, _ = write_instance(spec_for("paper", 2, 2, cfg.seed), tomls)
            for argv in (exactscreen_argv() + ["solve", str(path), "--json"], highs_argv() + [str(path)]):
                result["warmup"].append(run_process(argv, max(cfg.timeout, 60.0), work / "w.out"))
        for family in cfg.families:
            stopped_at: tuple[int, int] | None = None
            for n, k in sorted(cfg.sizes.get(family, ()), key=lambda s: (s[0] * s[0] * (s[1] + 2), s)):
                spec = spec_for(family, n, k, cfg.seed)
                rec: dict[str, Any] = {"family": family, "size": [n, k], "spec": spec.as_dict()}
                log(f"{family} ({n}, {k})")
                try:
                    path, info = write_instance(spec, tomls)
                except AssertionError as exc:
                    rec["problems"] = [str(exc)]
                    rec["roundtrip_ok"] = False
                    result["instances"].append(rec)
                    result["errors"].append(f"{family} ({n},{k}): {exc}")
                    continue
                rec.update(info)
                if stopped_at is not None:
                    rec["exactscreen_skipped"] = f"timed out at ({stopped_at[0]}, {stopped_at[1]})"
                measure_instance(path, cfg, rec, work, log, run_exactscreen=stopped_at is None)
                if rec["exactscreen_status"] == "timeout" and stopped_at is None:
                    stopped_at = (n, k)
                result["errors"] += [f"{family} ({n},{k}): {p}" for p in rec["problems"]]
                result["instances"].append(rec)
    finally:
        tmp.cleanup()
    result["finished_utc"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    result["targets"] = targets(result)
    return result


# ----------------------------------------------------------------------------
# targets and tables
# ----------------------------------------------------------------------------
def _find(result: dict, family: str, size: tuple[int, int]) -> dict | None:
    for rec in result["instances"]:
        if rec["family"] == family and tuple(rec["size"]) == tuple(size):
            return rec
    return None


def targets(result: dict) -> list[dict]:
    """Issue 12's targets, each ``{"target", "measured", "ok"}``; ``ok`` None: not part of this run."""
    out = []
    for t in TARGETS:
        rec = _find(result, t.family, t.size)
        name = f"{t.why}: median ratio ≤ {t.bound:g}×"
        if rec is None:
            out.append({"target": name, "measured": "not in this run", "ok": None})
            continue
        r = rec.get("ratio")
        if r is None:
            why = rec.get("exactscreen_skipped") or rec.get("exactscreen_status", "not measured")
            out.append({"target": name, "measured": f"not measured ({why})", "ok": False})
        elif rec.get("ratio_is_lower_bound"):
            out.append({"target": name, "measured": _fmt_r(r, lower=True) + " (timeout)", "ok": False})
        else:
            ok_runs = sum(1 for x in rec.get("runs", {}).get("exactscreen", ()) if x.get("status") == "ok")
            if ok_runs < MIN_TARGET_RUNS:  # issue 12: medians of at least 3 runs
                out.append({"target": name, "measured": f"{_fmt_r(r)} (only {ok_runs} run(s); "
                            f"a target needs {MIN_TARGET_RUNS})", "ok": False})
            else:
                out.append({"target": name, "measured": _fmt_r(r), "ok": r <= t.bound})
    measured = [rec for rec in result["instances"] if rec.get("exactscreen_peak_rss_mib") is not None]
    peak = max((rec["exactscreen_peak_rss_mib"] for rec in measured), default=None)
    incomplete = [rec for rec in result["instances"] if rec.get("exactscreen_status") != "ok"]
    name = f"exactscreen peak memory ≤ {MEMORY_TARGET_GIB:g} GiB"
    if peak is None:
        out.append({"target": name, "measured": "not measured", "ok": False})
    else:
        txt = f"{peak:.0f} MiB"
        ok = peak <= MEMORY_TARGET_GIB * 1024
        if incomplete:  # a solve that did not finish has no peak: the target is not shown as met
            txt += f" (at least; {len(incomplete)} instance(s) did not finish)"
            ok = False
        out.append({"target": name, "measured": txt, "ok": ok})
    return out


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("✓" if ok else "✗")


def _time_cell(rec: dict, who: str, timeout: float) -> str:
    if who == "exactscreen":
        st = rec.get("exactscreen_status")
        if st == "not run":
            return f"not run ({rec.get('exactscreen_skipped', '')})"
        if st == "timeout":
            return f"> {timeout:.0f} s (timeout)"
        if st == "error":
            return "error"
    med = rec.get(f"{who}_median_s")
    if med is None:
        return "error" if who == "highs" else "—"
    ok = sum(1 for x in rec["runs"][who] if x["status"] == "ok")
    return f"{_fmt_s(med)} ({ok})"


def reproduce_command(argv: list[str]) -> str:
    """The benchmark command as run, without the options that only say where results go."""
    out, skip = [], False
    for i, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a == "--update-readme":  # its optional README path goes too
            skip = i + 1 < len(argv) and not argv[i + 1].startswith("-")
            continue
        if a in ("--out", "--markdown", "--keep-toml"):
            skip = True
            continue
        if a.startswith(("--out=", "--markdown=", "--keep-toml=", "--update-readme=")):
            continue
        out.append(a)
    return shlex.join(["python", "-m", "bench.cli", *out])


def markdown(result: dict) -> str:
    cfg = result["config"]
    m, v = result["machine"], result["versions"]
    commit = (v.get("git_commit") or "?")[:10]
    lines = [
        BEGIN,
        "",
        "**`exactscreen solve FILE --json` vs a whole-process HiGHS solve of the same LP** (issue 12). "
        "Produced by:",
        "",
        "```sh",
        result["command"],
        "```",
        "",
        f"{result['started_utc']} · commit `{commit}` · {m.get('cpu_model', '?')}, "
        f"{m.get('cpus_usable', m.get('cpu_count'))} cores usable · Python {m.get('python')} · "
        f"exactscreen {v.get('exactscreen')} · highspy {v.get('highspy')} · python-flint {v.get('python-flint')} · "
        f"numpy {v.get('numpy')} · {cfg['runs']} runs each, interleaved · timeout {cfg['timeout_s']:g} s per solve"
        + (" · **quick mode (smoke test, not the benchmark)**" if cfg.get("quick") else ""),
        "",
        "Wall time of the whole process, spawn to exit (start-up and imports included), median over the runs "
        "(number of runs in brackets). exactscreen: `exactscreen solve FILE --json"
        + (" " + " ".join(cfg["solve_args"]) if cfg["solve_args"] else "")
        + "` (optimum, ranges over all optimal mechanisms, selection rule, certificate). "
        "HiGHS: `python bench/highs_solve.py FILE` (reads the same TOML, builds paper 000's Sec. 3 LP "
        "in floats with numpy, solves it with highspy). Ratio = exactscreen / HiGHS.",
        "",
        "| family | (n, k) | LP rows × cols | exactscreen | HiGHS | ratio | exactscreen peak RSS | optimum agrees |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rec in result["instances"]:
        n, k = rec["size"]
        if not rec.get("roundtrip_ok", False):
            lines.append(f"| {rec['family']} | ({n}, {k}) | — | TOML did not round trip | | | | ✗ |")
            continue
        r = rec.get("ratio")
        ratio = "—" if r is None else _fmt_r(r, lower=rec.get("ratio_is_lower_bound", False))
        peak = rec.get("exactscreen_peak_rss_mib")
        peak_txt = "—" if peak is None else (f"{peak:.0f} MiB" + ("" if rec["exactscreen_status"] == "ok" else " (at kill)"))
        agree = {True: "✓", False: "✗ DIFFERS", None: "—"}[rec.get("agree")]
        lines.append(
            f"| {rec['family']} | ({n}, {k}) | {rec['lp_rows']:,} × {rec['lp_cols']:,} | "
            f"{_time_cell(rec, 'exactscreen', cfg['timeout_s'])} | {_time_cell(rec, 'highs', cfg['timeout_s'])} | "
            f"{ratio} | {peak_txt} | {agree} |"
        )
    lines += ["", "| target (issue 12) | measured | |", "|---|---|---|"]
    for t in result["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {_mark(t['ok'])} |")
    fams = [f for f in cfg["families"]]
    lines += ["", "Families: " + "; ".join(f"`{f}`: {FAMILY_TEXT[f]}" for f in fams) + f" (seed {cfg['seed']})."]
    if result["errors"]:
        lines += ["", "**Failures:**", ""] + [f"- {e}" for e in result["errors"]]
    lines += ["", END]
    return "\n".join(lines)


def update_readme(readme: Path, block: str) -> None:
    """Replace the text between the bench:cli markers (markers included) by ``block``."""
    text = readme.read_text(encoding="utf-8")
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        raise ValueError(f"{readme}: no '{BEGIN}' ... '{END}' block; put both markers where the table goes")
    readme.write_text(text[:i] + block + text[j + len(END):], encoding="utf-8")


# ----------------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------------
def _size(text: str) -> tuple[int, int]:
    n, _, k = text.strip().lower().partition("x")
    return int(n), int(k)


def _sizes_arg(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    fam, eq, rest = text.partition("=")
    if not eq or fam not in FAMILIES:
        raise argparse.ArgumentTypeError(f"expected FAMILY=NxK[,NxK...] with FAMILY in {', '.join(FAMILIES)}")
    try:
        sizes = tuple(_size(s) for s in rest.split(",") if s.strip())
        for n, k in sizes:
            spec_for(fam, n, k, 0)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return fam, sizes


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.cli", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke test: sizes " + ", ".join(f"{f}={','.join(f'{n}x{k}' for n, k in s)}"
                                                         for f, s in QUICK_SIZES.items())
                   + "; 2 runs; 30 s timeout (flags given explicitly win)")
    p.add_argument("--families", default=",".join(FAMILIES), help=f"comma-separated subset of {','.join(FAMILIES)}")
    p.add_argument("--sizes", action="append", type=_sizes_arg, default=[], metavar="FAMILY=NxK,...",
                   help="sizes of one family (repeatable), e.g. random=20x8,40x16; paper: N = 2 x copies, K = 2. "
                   "Defaults: " + "; ".join(f"{f}={','.join(f'{n}x{k}' for n, k in s)}" for f, s in DEFAULT_SIZES.items()))
    p.add_argument("--runs", type=int, default=None, help="runs of each command per instance (default 3; quick 2)")
    p.add_argument("--timeout", type=float, default=None, help="per solve, seconds (default 120; quick 30)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--solve-args", default="", help="extra options for `exactscreen solve` (default: none)")
    p.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up run of each command")
    p.add_argument("--keep-toml", type=Path, default=None, help="write the instance TOML files here and keep them")
    p.add_argument("--out", type=Path, default=None, help="JSON path (default bench/results/cli-<UTC>-seed<seed>.json)")
    p.add_argument("--markdown", type=Path, default=None, help="Markdown path (default: next to the JSON)")
    p.add_argument("--update-readme", nargs="?", const=ROOT / "README.md", type=Path, default=None,
                   metavar="README", help=f"replace the {BEGIN} ... {END} block of README.md (or README) by the table")
    args = p.parse_args(argv)
    fams = tuple(f.strip() for f in args.families.split(",") if f.strip())
    bad = [f for f in fams if f not in FAMILIES]
    if bad or not fams:
        p.error(f"--families: unknown {', '.join(bad) or '(none given)'}; known: {', '.join(FAMILIES)}")
    args.families = fams
    if args.runs is None:
        args.runs = 2 if args.quick else 3
    if args.timeout is None:
        args.timeout = 30.0 if args.quick else 120.0
    if args.runs < 1 or args.timeout <= 0:
        p.error("--runs must be >= 1 and --timeout > 0")
    if args.update_readme is not None and args.quick:
        p.error("--update-readme: a --quick run is a smoke test, not the README's table")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    sizes = dict(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    for fam, s in args.sizes:
        sizes[fam] = s
    cfg = Config(families=args.families, sizes=sizes, runs=args.runs, timeout=args.timeout, seed=args.seed,
                 solve_args=tuple(shlex.split(args.solve_args)), quick=args.quick,
                 warmup=not args.no_warmup, keep_toml=args.keep_toml)
    t0 = time.perf_counter()
    result = run_benchmark(cfg)
    result["argv"] = argv
    result["command"] = reproduce_command(argv)
    result["duration_s"] = time.perf_counter() - t0
    md = markdown(result)
    out = args.out
    if out is None:
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS_DIR / f"cli-{stamp}-seed{cfg.seed}.json"
    md_path = args.markdown or out.with_suffix(".md")
    write_results(result, out, "cli", cfg.seed, md, md_path)
    print(md)
    print(f"wrote {out} and {md_path} ({result['duration_s']:.0f} s)", file=sys.stderr)
    status = 1 if result["errors"] else 0
    if args.update_readme is not None:
        try:
            update_readme(args.update_readme, md)
        except (OSError, ValueError) as exc:
            print(f"--update-readme: {exc}", file=sys.stderr)
            return 2
        print(f"updated {args.update_readme}", file=sys.stderr)
    if status:
        print(f"{len(result['errors'])} failure(s): " + "; ".join(result["errors"])[:2000], file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
