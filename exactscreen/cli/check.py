"""``exactscreen check``: run the claim checks and print the referee report.

Runs the checks of ``proofs_checks/`` (installed as ``exactscreen.proofs_checks``)
with pytest — in-process, or on ``--workers`` processes with pytest-xdist
(:func:`exactscreen.claims.runner.run_checks`) — and prints one row per claim:
verified, verified-bounds, qualified, not-checkable, refuted, error or
not-yet-checked.

``--out DIR`` is checked before any check runs and written all or nothing
(:class:`exactscreen.outdir.StagedDir`); Ctrl-C or SIGTERM prints no report
and leaves DIR as it was (exit 130 / 143, see :mod:`exactscreen.interrupts`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ..exceptions import InputError
from ._common import positive_int
from ..outdir import StagedDir

_EPILOG = """\
exit status:
  0  no claim is refuted and no check errored
  1  some claim is refuted or errored, or a check is broken
     (it names an unknown claim ID, or its module cannot be imported)
  2  bad input (unknown paper or claim ID, unreadable claims file,
     an --out that exists and is not a directory or cannot be written, ...)
  130 interrupted (Ctrl-C), 143 terminated (SIGTERM): no report is printed
     or written; the previous report in --out DIR is left as it was

several formats in one run:
  --format chooses what is printed on stdout; --out DIR writes every format
  (report.md, report.html, report.tex, report.json) into DIR, with figures/
  and counterexamples/ (one file per counterexample: TOML that `exactscreen
  solve`, `two-types` or `persuade` loads, else JSON), from the same run. E.g. `--format json --out report/` prints the JSON and
  writes report/report.json (the same text) and the others. DIR is written
  all or nothing: the new report is assembled in a temporary directory and
  moved into DIR at the end; other files in DIR are kept.

parallel checks:
  The checks run on --workers processes (pytest-xdist); the results are
  those of a run on one process, apart from the timings.

hung checks:
  Each check runs under a wall-clock limit (--timeout); one that passes it
  is stopped and reported as an error ("timed out after N s"), never as
  refuted, and the other checks go on.

examples:
  exactscreen check                           the three papers, table on the terminal
  exactscreen check --paper STT --format markdown
  exactscreen check --claim SWP-LEM2 --claim SWP-THM2 --format json
  exactscreen check --out report/             report.{md,html,tex,json} + figures/ + counterexamples/
  exactscreen check --format json --out report/   JSON on stdout, every format in report/
  exactscreen check --workers 1               the checks in this process (no pytest-xdist)
  exactscreen check --timeout 60              a check running over 60 s is an error row
  exactscreen check --claims my_claims.toml --checks my_checks/
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``check`` and its options."""
    from ..claims.deadline import DEFAULT_TIMEOUT
    from ..report.formats import FORMATS
    from ..testing import CI_EXAMPLES, DEEP_EXAMPLES, PROFILES

    p = subparsers.add_parser(
        "check",
        help="replay the papers' claims and print the referee report (exit 1 if any is refuted)",
        description="Replay every claim of the papers with exact arithmetic and print the "
        "referee report: one row per claim with its status and evidence. Exits with "
        "status 1 if any claim is refuted or errored.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--paper", action="append", default=[], metavar="PREFIX",
                   help="only the claims of this paper (PIS, STT, SWP, or a prefix of --claims); repeatable")
    p.add_argument("--claim", action="append", default=[], metavar="ID",
                   help="only this claim (e.g. STT-THM1); repeatable, adds to --paper")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="what to print on stdout (default: text, a table)")
    p.add_argument("--out", metavar="DIR", type=Path,
                   help="also write report.md, report.html, report.tex, report.json, figures/ and counterexamples/ into DIR "
                   "(created if needed; checked before the checks run; replaced only when the run completes)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="processes running the checks (default: one per CPU, at most "
                   f"{MAX_AUTO_WORKERS}, when more than {FEW_CLAIMS} claims are selected, else 1; "
                   "1 runs them in this process)")
    p.add_argument("--profile", choices=PROFILES, default=None,
                   help="hypothesis profile: ci (fast, deterministic; default, or $HYPOTHESIS_PROFILE) "
                   "or deep (thousands of examples)")
    p.add_argument("--claims", action="append", default=[], metavar="FILE", type=Path,
                   help="your own claims file (TOML, see 'Adding your own claims'); replaces the "
                   "built-in papers; repeatable")
    p.add_argument("--checks", action="append", default=[], metavar="DIR", type=Path,
                   help="directory of your check modules (test_*.py); replaces the built-in "
                   "checks; repeatable")
    p.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                   help="wall-clock limit per check (each of its setup, run and teardown); a check "
                   "past it is reported as an error 'timed out after N s' (default: "
                   f"{DEFAULT_TIMEOUT:g} s with --profile ci, {DEFAULT_TIMEOUT * DEEP_EXAMPLES / CI_EXAMPLES:g} s "
                   "with deep; 0: no limit)")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="run the checks on a Dask cluster, one task per claim (e.g. tcp://127.0.0.1:8786; "
                   "overrides --workers; the workers need exactscreen installed, --checks DIRs are shipped)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def _seconds(text: str) -> float:
    """argparse type of ``--timeout``: a number of seconds >= 0 (0: no limit)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a number of seconds >= 0 (0: no limit)")
    return value


#: --workers default: one process per CPU up to this many ...
MAX_AUTO_WORKERS = 8
#: ... unless at most this many claims are selected (starting workers costs ~2 s).
FEW_CLAIMS = 4


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def default_workers(claims: int) -> int:
    """The ``--workers`` default for a run of ``claims`` claims."""
    return 1 if claims <= FEW_CLAIMS else max(1, min(_cpus(), MAX_AUTO_WORKERS))


class _Bar:
    """rich progress bar on stderr, fed by the check runner."""

    def __init__(self, console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
        )
        self.task = None

    def __enter__(self) -> "_Bar":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("", total=total)

    def advance(self, nodeid: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=nodeid.rsplit("::", 1)[-1][:50])


def _registry(files: list[Path]):
    from ..claims import builtin_registry, load_registry

    if not files:
        return builtin_registry()
    registry = load_registry(files[0])
    for f in files[1:]:
        registry = registry.merge(load_registry(f))
    return registry


def _stdout_console():
    width = None
    if not sys.stdout.isatty():
        width = int(os.environ.get("COLUMNS", "0") or 0) or 140
    from ..display import plain_console  # claim text printed literally, control characters escaped

    return plain_console(file=sys.stdout, width=width)


def run(args: argparse.Namespace) -> int:
    """Run the checks, print the report in ``--format``; return the exit status."""
    from ..testing import env_profile

    registry = _registry(args.claims)
    for option, values, lookup in (("--paper", args.paper, registry.paper), ("--claim", args.claim, registry.__getitem__)):
        for value in values:
            try:
                lookup(value)
            except InputError as exc:
                raise InputError(f"{option} {value}: {exc}") from None
    selected = registry.select(args.paper, args.claim)
    profile = args.profile or env_profile()
    workers = args.workers or default_workers(len(selected))
    existed = args.out is not None and args.out.is_dir()
    # An --out that cannot be written is refused now, not after every check has run.
    staged = StagedDir(args.out, "--out") if args.out is not None else None
    try:
        return _run(args, registry, selected, profile, workers, staged)
    except KeyboardInterrupt as exc:
        if args.out is None:
            exc.add_note("no report")
        elif staged is not None and staged.committed:
            exc.add_note(f"the report in {args.out} is complete")
        elif existed:
            exc.add_note(f"no report written; {args.out} is untouched")
        else:
            exc.add_note(f"no report written; {args.out} not created")
        raise
    finally:
        if staged is not None:
            staged.discard()


def _run(args, registry, selected, profile: str, workers: int, staged) -> int:
    from rich.console import Console

    from ..claims.runner import run_checks
    from ..report.figures.base import draw_figures
    from ..report.counterexamples import COUNTEREXAMPLE_DIR
    from ..report.formats import Report, render_text, to_html, to_json, to_latex, to_markdown, write_report

    err = Console(file=sys.stderr)
    show_bar = not args.quiet and sys.stderr.isatty()
    kwargs = dict(select=selected.ids, profile=profile, workers=workers, timeout=args.timeout)
    if getattr(args, "scheduler", None):
        from ..claims.remote import run_checks_on_cluster

        del kwargs["workers"]
        if show_bar:
            with _Bar(err) as bar:
                bar.start(len(selected.ids))
                result = run_checks_on_cluster(registry, args.checks, args.scheduler, progress=bar.advance, **kwargs)
        else:
            result = run_checks_on_cluster(registry, args.checks, args.scheduler, **kwargs)
    elif show_bar:
        with _Bar(err) as bar:
            result = run_checks(registry, args.checks, progress=bar, **kwargs)
    else:
        result = run_checks(registry, args.checks, **kwargs)

    papers = sorted({c.paper for c in selected})
    figures = ()
    scratch = None
    if staged is not None:
        figures = draw_figures(staged.path / "figures", papers)
    elif args.format == "html":
        scratch = tempfile.TemporaryDirectory(prefix="exactscreen-figures-")
        figures = draw_figures(scratch.name, papers)
    report = Report(result, registry, figures)

    # with --out, what is printed is what is written (links to figures/ and counterexamples/ in DIR)
    fig_dir, cx_dir = ("figures", COUNTEREXAMPLE_DIR) if args.out else (None, None)
    try:
        if args.format == "text":
            render_text(report, _stdout_console())
        elif args.format == "json":
            sys.stdout.write(to_json(report, fig_dir, cx_dir))
        elif args.format == "markdown":
            sys.stdout.write(to_markdown(report, fig_dir, cx_dir))
        elif args.format == "html":
            sys.stdout.write(to_html(report, cx_dir))
        elif args.format == "latex":
            sys.stdout.write(to_latex(report, fig_dir, cx_dir))
        sys.stdout.flush()
        if staged is not None:
            written = write_report(report, staged.path)
            staged.commit()
            documents = [p for p in written if p.parent == staged.path]
            names = ", ".join(p.name for p in documents)
            drawn = sum(f.ok for f in figures)
            found = len(written) - len(documents)
            cx = f", {found} counterexample file(s) in {COUNTEREXAMPLE_DIR}/" if found else ""
            print(f"wrote {names}{cx} and {drawn} figure(s) to {args.out}", file=sys.stderr)
    finally:
        if scratch is not None:
            scratch.cleanup()
    return report.exit_status
