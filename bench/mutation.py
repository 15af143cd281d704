"""Mutation testing of the engine modules verdicts rest on (issue 13, item 4).

A benchmark-like job, not CI (docs/mutation.md gives the commands and the scores). The tool
is mutmut 3 (trampolines: every mutant of a file is compiled into one module once, and a
mutant runs only the claim checks that reach the mutated function, as recorded by one
statistics run of all the checks). The claim checks in ``proofs_checks/`` are the test suite.

Run from the repository root, with the interpreter of a venv in which mutmut is installed
and exactscreen is *not* (mutmut imports the mutated copy from ``mutants/``; an installed
exactscreen could shadow it; the claims plugin is loaded with ``-p``, see ``[tool.mutmut]`` in
pyproject.toml)::

    python -m bench.mutation --modules analysis --sample 200 --seed 1
    python -m bench.mutation --modules all --sample 200 --seed 1      # every module
    python -m bench.mutation --report-only                          # tables from the last runs

Per module: the mutants of the file are listed (mutmut's names, sorted), a seeded random
sample of ``--sample`` of them is drawn (``random.Random(f"{seed}:{module}")``; ``--sample 0``
means all of them), the sampled mutants without a result yet are run with
``mutmut run NAME...``, and the results are read back from mutmut's ``.meta`` files. The
table (module, mutants total, sampled, run, killed, timeout, survived, no checks, score) goes
to ``bench/results/mutation-<UTC>-seed<seed>.json`` and ``.md``, with every surviving mutant
(file:line, the mutated line before and after) and its classification from
``bench/mutation_equivalent.toml`` (``equivalent`` with a reason, else ``not yet killed``).

Score = (killed + timeout) / (run - equivalent): a mutant that makes a check exceed its CPU
limit (``timeout_multiplier`` in ``[tool.mutmut]``) counts as killed by timeout; a mutant no
check reaches ("no checks") counts as not killed.

Verdict-path score = (killed + timeout) / (run - equivalent - outside): "outside" counts the
"no checks" mutants of the functions listed in the TOML's ``[outside_verdict_path]`` table
(display and CLI-only code, each with the reason no verdict reads it). mutmut's statistics run
is the evidence that no claim check executes such a mutant, so it cannot change a verdict; a
mutant of a listed function that a check does reach and that survives still counts, and a "no
checks" mutant of an unlisted function counts as not killed (code the checks should reach).
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
EQUIVALENT_FILE = Path(__file__).resolve().parent / "mutation_equivalent.toml"

# Short name -> file, in the order the modules are run (cheapest, most important first).
MODULES: dict[str, str] = {
    "analysis": "exactscreen/two_types/analysis.py",
    "segmentation": "exactscreen/mechanisms/segmentation.py",
    "partitions": "exactscreen/persuasion/partitions.py",
    "selected_check": "exactscreen/mechanisms/selected_check.py",
    "lp_certificate": "exactscreen/lp/certificate.py",
    "mech_certificate": "exactscreen/mechanisms/certificate.py",
    "structured": "exactscreen/mechanisms/structured.py",
    "optimum": "exactscreen/mechanisms/optimum.py",
    "entropy": "exactscreen/persuasion/entropy.py",
    "bnb": "exactscreen/persuasion/singleitem/bnb.py",
    "lp_exact": "exactscreen/lp/exact.py",
}

# mutmut 3's exit code -> status (mutmut.stats.status_by_exit_code), grouped for the table.
KILLED_CODES = {1, 3}
TIMEOUT_CODES = {36, -24, 24, 152, 255}
SURVIVED_CODES = {0}
NO_TESTS_CODES = {5, 33}
INTERRUPTED_CODE = 2  # the run was interrupted while this mutant ran: no result


def status_of(exit_code: int | None) -> str:
    """The table's status of a mutmut exit code (None: not run yet)."""
    if exit_code is None or exit_code == INTERRUPTED_CODE:
        return "not run"
    if exit_code in KILLED_CODES:
        return "killed"
    if exit_code in TIMEOUT_CODES:
        return "timeout"
    if exit_code in SURVIVED_CODES:
        return "survived"
    if exit_code in NO_TESTS_CODES:
        return "no checks"
    return "other"  # skipped, suspicious, segfault: listed, not counted as killed


def module_key(path: str) -> str:
    """Dotted module name mutmut uses as the prefix of a mutant name."""
    return path.removesuffix(".py").replace("/", ".")


def meta_path(path: str, root: Path = ROOT) -> Path:
    return root / "mutants" / (path + ".meta")


def load_meta(path: str, root: Path = ROOT) -> dict[str, int | None]:
    """mutmut's results for one source file: mutant name -> exit code (None: not run)."""
    with open(meta_path(path, root), encoding="utf-8") as f:
        return dict(json.load(f)["exit_code_by_key"])


def sample_names(names: Iterable[str], n: int, seed: int, module: str) -> list[str]:
    """A seeded random sample of ``n`` mutant names (all of them if n <= 0 or n >= len).

    Deterministic: the names are sorted first and the RNG is ``random.Random(f"{seed}:{module}")``,
    so the same seed, module and mutant list give the same sample on every machine."""
    pool = sorted(set(names))
    if n <= 0 or n >= len(pool):
        return pool
    return sorted(random.Random(f"{seed}:{module}").sample(pool, n))


@dataclass
class Row:
    module: str
    path: str
    total: int
    sampled: int
    run: int = 0
    killed: int = 0
    timeout: int = 0
    survived: int = 0
    no_checks: int = 0
    other: int = 0
    equivalent: int = 0
    outside: int = 0  # "no checks" mutants of functions listed outside the verdict path
    score: float | None = None  # (killed + timeout) / (run - equivalent)
    score_verdict_path: float | None = None  # (killed + timeout) / (run - equivalent - outside)
    survivors: list[dict[str, Any]] = field(default_factory=list)


def _score(row: Row) -> Row:
    """Fill in both scores of ``row`` from its counts (None when nothing is left to score)."""
    denom = row.run - row.equivalent
    row.score = (row.killed + row.timeout) / denom if denom > 0 else None
    denom -= row.outside
    row.score_verdict_path = (row.killed + row.timeout) / denom if denom > 0 else None
    return row


def tally(module: str, path: str, results: dict[str, int | None], sample: Sequence[str],
          equivalent: dict[str, str], outside: dict[str, str] | None = None) -> Row:
    """Count the sampled mutants' statuses; equivalent survivors leave the denominator of both
    scores, "no checks" mutants of a function in ``outside`` (function name -> reason) leave the
    verdict-path score's."""
    outside = outside or {}
    row = Row(module=module, path=path, total=len(results), sampled=len(sample))
    for name in sample:
        st = status_of(results.get(name))
        if st == "not run":
            continue
        row.run += 1
        if st == "killed":
            row.killed += 1
        elif st == "timeout":
            row.timeout += 1
        elif st == "survived":
            row.survived += 1
        elif st == "no checks":
            row.no_checks += 1
        else:
            row.other += 1
        if st in ("survived", "no checks", "other"):
            eq = equivalent.get(name)
            why = outside.get(function_name(name)) if st == "no checks" else None
            if eq is not None:
                row.equivalent += 1
                cls = f"equivalent ({eq})"
            elif why is not None:
                row.outside += 1
                cls = f"outside the verdict path ({why})"
            else:
                cls = "not yet killed"
            row.survivors.append({"name": name, "status": st, "class": cls})
    return _score(row)


def retally(stored: dict[str, Any], equivalent: dict[str, str], outside: dict[str, str]) -> Row:
    """A module's row of a stored results JSON classified again with the current TOML tables
    (no ``mutants/`` needed: the counts are kept, the listed non-killed mutants are re-read)."""
    row = Row(**{k: stored[k] for k in ("module", "path", "total", "sampled", "run", "killed",
                                        "timeout", "survived", "no_checks", "other")})
    codes = {"survived": 0, "no checks": 33, "other": 35}
    results = {s["name"]: codes[s["status"]] for s in stored["survivors"]}
    again = tally(row.module, row.path, results, sorted(results), equivalent, outside)
    row.equivalent, row.outside = again.equivalent, again.outside
    keep = {s["name"]: s for s in stored["survivors"]}
    row.survivors = [{**keep[s["name"]], "class": s["class"]} for s in again.survivors]
    return _score(row)


def to_run(sample: Sequence[str], results: dict[str, int | None], *, rerun: bool = False,
           rerun_survivors: bool = False) -> list[str]:
    """The sampled mutants to run: those without a result; all of them with ``rerun``; with
    ``rerun_survivors`` also those that survived or reached no check (after checks were added:
    a killed or timed-out mutant stays killed, a survivor may not)."""
    again = {"survived", "no checks"} if rerun_survivors else set()
    return [n for n in sample if rerun or status_of(results.get(n)) in again | {"not run"}]


def _load_table(file: Path, table: str) -> dict[str, str]:
    if not file.exists():
        return {}
    with open(file, "rb") as f:
        return {str(k): str(v) for k, v in tomllib.load(f).get(table, {}).items()}


def load_equivalent(file: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """Mutant name -> why it is equivalent (``[equivalent]`` table of the TOML file)."""
    return _load_table(file, "equivalent")


def load_outside(file: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """Function (a mutant's name without ``__mutmut_N``) -> why no verdict reads it
    (``[outside_verdict_path]`` table of the TOML file)."""
    return _load_table(file, "outside_verdict_path")


def function_name(mutant: str) -> str:
    """The function part of a mutant name: ``pkg.mod.x_f__mutmut_3`` -> ``pkg.mod.x_f``."""
    return mutant.rsplit("__mutmut_", 1)[0]


# ----------------------------------------------------------------------------
# where a mutant is: file:line and the line before/after (from mutmut's diff)
# ----------------------------------------------------------------------------

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


def function_of(name: str) -> tuple[str | None, str]:
    """(class, function) of a mutant name such as ``pkg.mod.xǁClsǁmeth__mutmut_3``."""
    local = name.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]
    if local.startswith("xǁ"):
        _, cls, func = local.split("ǁ", 2)
        return cls, func
    return None, local.removeprefix("x_")


def function_start(source: str, cls: str | None, func: str) -> int | None:
    """First line (decorators included) of the function ``func`` (in class ``cls``)."""
    tree = ast.parse(source)
    scopes: list[ast.AST] = [tree]
    if cls is not None:
        scopes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls]
    for scope in scopes:
        for node in ast.iter_child_nodes(scope):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == func:
                return min([node.lineno] + [d.lineno for d in node.decorator_list])
    return None


def locate(diff: str, source: str, name: str) -> dict[str, Any]:
    """file line, original and mutated text of the first changed line of a mutmut diff."""
    cls, func = function_of(name)
    start = function_start(source, cls, func)
    offset, before, after = None, [], []
    line_in_func = 0
    for raw in diff.splitlines():
        m = _HUNK.match(raw)
        if m:
            line_in_func = int(m.group(1))
            continue
        if raw.startswith(("---", "+++")):
            continue
        if raw.startswith("-"):
            if offset is None:
                offset = line_in_func
            before.append(raw[1:].strip())
            line_in_func += 1
        elif raw.startswith("+"):
            after.append(raw[1:].strip())
        else:
            line_in_func += 1
    line = start + offset - 1 if (start is not None and offset is not None) else None
    return {"line": line, "before": " / ".join(before), "after": " / ".join(after)}


def describe_survivors(rows: list[Row], root: Path = ROOT) -> None:
    """Add file:line and the mutation to every survivor (needs mutmut and ``mutants/``)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # lazy: only the run needs mutmut

    cwd = os.getcwd()
    os.chdir(root)
    try:
        for row in rows:
            source = (root / row.path).read_text(encoding="utf-8")
            for s in row.survivors:
                try:
                    diff = get_diff_for_mutant(s["name"], path=row.path)
                except Exception as exc:  # a diff we cannot read is reported, not fatal
                    s.update(line=None, before="", after="", diff_error=repr(exc))
                    continue
                s.update(locate(diff, source, s["name"]))
    finally:
        os.chdir(cwd)


# ----------------------------------------------------------------------------
# running mutmut
# ----------------------------------------------------------------------------


def mutmut_cmd() -> list[str]:
    """The ``mutmut`` console script of the running interpreter's environment."""
    return [str(Path(sys.executable).with_name("mutmut"))]


def generate(nice: int) -> None:
    """Let mutmut write ``mutants/`` (copy of the source, mutants, .meta files), running nothing."""
    code = ("import os; from mutmut.__main__ import copy_src_dir, copy_also_copy_files, "
            "setup_source_paths, store_lines_covered_by_tests, create_mutants; "
            "os.makedirs('mutants', exist_ok=True); copy_src_dir(); copy_also_copy_files(); "
            "setup_source_paths(); store_lines_covered_by_tests(); print(create_mutants(1))")
    subprocess.run(["nice", "-n", str(nice), sys.executable, "-c", code], cwd=ROOT, check=True)


def run_mutants(names: list[str], max_children: int, nice: int, deadline: float | None,
                log: Path) -> int:
    """``mutmut run NAME...``; at ``deadline`` (epoch seconds) it is interrupted (SIGINT to the
    mutmut process, which stops its workers; every result it has is kept), and its whole process
    group is killed 60 s later if it is still running."""
    cmd = ["nice", "-n", str(nice)] + mutmut_cmd() + ["run", "--max-children", str(max_children)] + names
    with open(log, "a", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            timeout = None if deadline is None else max(1.0, deadline - time.time())
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGINT)
            try:
                return proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                return proc.wait()


def versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("mutmut", "pytest", "hypothesis", "python-flint"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    lines = [
        f"# Mutation scores ({meta['utc']}, seed {meta['seed']}, sample {meta['sample'] or 'all'} per module)",
        "",
        f"Tool: mutmut {meta['versions'].get('mutmut')}, Python {meta['versions'].get('python')}; "
        f"suite: the claim checks (proofs_checks/, hypothesis profile ci); command: `{meta['command']}`",
        "",
        "| module | file | mutants | sampled | run | killed | timeout | survived | no checks | other "
        "| equivalent | outside | score | verdict-path score |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    for r in rows:
        lines.append(f"| {r.module} | `{r.path}` | {r.total} | {r.sampled} | {r.run} | {r.killed} | "
                     f"{r.timeout} | {r.survived} | {r.no_checks} | {r.other} | {r.equivalent} | "
                     f"{r.outside} | {pct(r.score)} | {pct(r.score_verdict_path)} |")
    lines += ["", "Score = (killed + timeout) / (run - equivalent). Verdict-path score = (killed + timeout) / "
              "(run - equivalent - outside); outside = \"no checks\" mutants (no claim check runs them) of "
              "functions listed in `[outside_verdict_path]` of bench/mutation_equivalent.toml.", ""]
    for r in rows:
        if not r.survivors:
            continue
        lines += [f"## {r.module}: {len(r.survivors)} not killed", ""]
        for s in r.survivors:
            where = f"{r.path}:{s.get('line') or '?'}"
            lines.append(f"- `{s['name'].rsplit('.', 1)[-1]}` ({s['status']}) {where}: "
                         f"`{s.get('before', '')}` -> `{s.get('after', '')}`: {s['class']}")
        lines.append("")
    return "\n".join(lines)


def write_results(rows: list[Row], meta: dict[str, Any], stamp: str) -> tuple[Path, Path]:
    RESULTS_DIR.mkdir(exist_ok=True)
    base = RESULTS_DIR / f"mutation-{stamp}-seed{meta['seed']}"
    js, md = base.with_suffix(".json"), base.with_suffix(".md")
    js.write_text(json.dumps({"meta": meta, "modules": [asdict(r) for r in rows]}, indent=1) + "\n",
                  encoding="utf-8")
    md.write_text(markdown(rows, meta) + "\n", encoding="utf-8")
    return js, md


def parse_modules(spec: str) -> list[str]:
    names = list(MODULES) if spec == "all" else [m.strip() for m in spec.split(",") if m.strip()]
    unknown = [m for m in names if m not in MODULES]
    if unknown:
        raise SystemExit(f"--modules: unknown module(s) {', '.join(unknown)}; choose from {', '.join(MODULES)} or all")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.split("\n\n")[0])
    p.add_argument("--modules", default="all", help=f"comma-separated of {', '.join(MODULES)}, or all")
    p.add_argument("--sample", type=int, default=200, help="mutants per module (0: all); default 200")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-children", type=int, default=1, help="parallel mutant workers (default 1)")
    p.add_argument("--nice", type=int, default=19)
    p.add_argument("--minutes", type=float, default=None,
                   help="wall-clock budget per module; the run is interrupted after it (partial results kept)")
    p.add_argument("--rerun", action="store_true", help="run sampled mutants that already have a result again")
    p.add_argument("--rerun-survivors", action="store_true",
                   help="also run again the sampled mutants that survived or reached no check (after new checks)")
    p.add_argument("--report-only", action="store_true", help="no run: tables from mutmut's stored results")
    p.add_argument("--retally", metavar="JSON", type=Path, default=None,
                   help="no run, no mutants/ needed: a stored bench/results/mutation-*.json classified "
                        "again with the current bench/mutation_equivalent.toml (printed, not written)")
    args = p.parse_args(argv)
    if args.retally is not None:
        stored = json.loads(args.retally.read_text(encoding="utf-8"))
        rows = [retally(m, load_equivalent(), load_outside()) for m in stored["modules"]]
        meta = {**stored["meta"], "command": f"{stored['meta']['command']} (re-tallied with the current TOML)"}
        print(markdown(rows, meta))
        return 0
    modules = parse_modules(args.modules)

    os.chdir(ROOT)
    if not args.report_only:
        generate(args.nice)
    equivalent = load_equivalent()
    outside = load_outside()
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(exist_ok=True)
    log = RESULTS_DIR / f"mutation-{stamp}.log.tmp"
    rows: list[Row] = []
    for module in modules:
        path = MODULES[module]
        results = load_meta(path)
        sample = sample_names(results, args.sample, args.seed, module)
        if not args.report_only:
            todo = to_run(sample, results, rerun=args.rerun, rerun_survivors=args.rerun_survivors)
            if todo:
                deadline = None if args.minutes is None else time.time() + 60 * args.minutes
                t0 = time.time()
                print(f"{module}: running {len(todo)} of {len(sample)} sampled mutants", file=sys.stderr, flush=True)
                rc = run_mutants(todo, args.max_children, args.nice, deadline, log)
                print(f"{module}: mutmut exit {rc} after {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
            results = load_meta(path)
        rows.append(tally(module, path, results, sample, equivalent, outside))
    describe_survivors(rows)
    cmd = "python -m bench.mutation " + " ".join(argv if argv is not None else sys.argv[1:])
    meta = {"utc": stamp, "seed": args.seed, "sample": args.sample, "max_children": args.max_children,
            "command": cmd.strip(), "versions": versions(), "machine": platform.platform(),
            "cpus": os.cpu_count()}
    js, md = write_results(rows, meta, stamp)
    print(markdown(rows, meta))
    print(f"\nwrote {js.relative_to(ROOT)} and {md.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
