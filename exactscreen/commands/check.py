"""``exactscreen check``: run the claim checks and print the referee report.

Runs the checks of ``proofs_checks/`` (installed as ``exactscreen.proofs_checks``)
with pytest, in-process, and prints one row per claim: verified,
verified-bounds, qualified, not-checkable, refuted, error or not-yet-checked.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ..environment import InputError

_EPILOG = """\
exit status:
  0  no claim is refuted and no check errored
  1  some claim is refuted or errored, or a check is broken
     (it names an unknown claim ID, or its module cannot be imported)
  2  bad input (unknown paper or claim ID, unreadable claims file, ...)

examples:
  exactscreen check                           the three papers, table on the terminal
  exactscreen check --paper STT --format markdown
  exactscreen check --claim SWP-LEM2 --claim SWP-THM2 --format json
  exactscreen check --out report/             report.{md,html,tex,json} + figures/
  exactscreen check --claims my_claims.toml --checks my_checks/
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``check`` and its options."""
    from ..report import FORMATS
    from ..testing import PROFILES

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
                   help="also write report.md, report.html, report.tex, report.json and figures/ into DIR")
    p.add_argument("--profile", choices=PROFILES, default=None,
                   help="hypothesis profile: ci (fast, deterministic; default, or $HYPOTHESIS_PROFILE) "
                   "or deep (thousands of examples)")
    p.add_argument("--claims", action="append", default=[], metavar="FILE", type=Path,
                   help="your own claims file (TOML, see 'Adding your own claims'); replaces the "
                   "built-in papers; repeatable")
    p.add_argument("--checks", action="append", default=[], metavar="DIR", type=Path,
                   help="directory of your check modules (test_*.py); replaces the built-in "
                   "checks; repeatable")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


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
    from rich.console import Console

    from ..claims.runner import run_checks
    from ..figures import draw_figures
    from ..report import (
        Report,
        render_text,
        to_html,
        to_json,
        to_latex,
        to_markdown,
        write_report,
    )
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
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out {args.out}: exists and is not a directory; choose a directory")

    err = Console(file=sys.stderr)
    show_bar = not args.quiet and sys.stderr.isatty()
    if show_bar:
        with _Bar(err) as bar:
            result = run_checks(registry, args.checks, select=selected.ids, profile=profile, progress=bar)
    else:
        result = run_checks(registry, args.checks, select=selected.ids, profile=profile)

    papers = sorted({c.paper for c in selected})
    figures = ()
    scratch = None
    if args.out is not None:
        figures = draw_figures(args.out / "figures", papers)
    elif args.format == "html":
        scratch = tempfile.TemporaryDirectory(prefix="exactscreen-figures-")
        figures = draw_figures(scratch.name, papers)
    report = Report(result, registry, figures)

    try:
        if args.format == "text":
            render_text(report, _stdout_console())
        elif args.format == "json":
            sys.stdout.write(to_json(report, "figures" if args.out else None))
        elif args.format == "markdown":
            sys.stdout.write(to_markdown(report, "figures" if args.out else None))
        elif args.format == "html":
            sys.stdout.write(to_html(report))
        elif args.format == "latex":
            sys.stdout.write(to_latex(report, "figures" if args.out else None))
        sys.stdout.flush()
        if args.out is not None:
            written = write_report(report, args.out)
            names = ", ".join(p.name for p in written)
            drawn = sum(f.ok for f in figures)
            print(f"wrote {names} and {drawn} figure(s) to {args.out}", file=sys.stderr)
    finally:
        if scratch is not None:
            scratch.cleanup()
    return report.exit_status
