"""``exactscreen hunt CLAIM-ID``: search for a counterexample to a claim, in parallel.

The claim's hunt (property, shrinker, TOML writer) is registered by a check
module with :func:`exactscreen.hunt.register_hunt`; this command imports the
check modules, runs the hunt in batches on this process, local processes
(``--workers N``) or a Dask cluster (``--scheduler ADDR``), and writes the
minimized counterexample as TOML.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from decimal import Decimal
from pathlib import Path

from ..exceptions import InputError
from ._common import positive_int

_EPILOG = """\
exit status:
  0  no counterexample found within the budget
  1  a counterexample was found (printed on stdout, and written to --out)
  2  bad input (no hunt for that claim, bad option, unreachable scheduler,
     an --out that cannot be written: refused before the hunt starts)
  3  the hunt's own code raised an exception: its property (the message names the
     batch), its refutes function, shrinker or to_toml (the message names the
     instance). A bug in the hunt to fix, never a counterexample
  130 interrupted (Ctrl-C), 143 terminated (SIGTERM): the worker processes are
     stopped; the counterexample of the lowest finished batch, if any, is
     printed on stdout (not minimized, not written to --out)

--out PATH:
  a directory (created if needed): the counterexample is written to
  PATH/CLAIM-counterexample.toml; or a file name ending in .toml: written
  there, replacing the file. An existing file not ending in .toml is refused.
  Files are written through a temporary file and a rename (never half written).

The same --seed gives the same counterexample whatever --workers or --scheduler,
provided it is found within the budget: batch i always draws the same instances,
and the lowest batch with a counterexample wins.
"""


def _seconds(text: str) -> Decimal:
    from ..exceptions import ExactNumberError
    from ..numbers import to_fraction

    try:
        f = to_fraction(text, "--budget")
    except ExactNumberError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if f <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a positive number of seconds")
    return Decimal(f.numerator) / Decimal(f.denominator)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``hunt`` and its options."""
    p = subparsers.add_parser(
        "hunt",
        help="hunt for a counterexample to one claim (local processes or a Dask cluster)",
        description="Run a claim's property on many random instances, in batches, and write "
        "the minimized counterexample as TOML (loadable by `exactscreen solve`).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("claim", nargs="?", metavar="CLAIM-ID", help="claim to hunt (see --list)")
    p.add_argument("--budget", type=_seconds, default=Decimal(60), metavar="SECONDS",
                   help="stop submitting batches after this many seconds (default 60)")
    p.add_argument("--seed", type=int, default=0, help="seed of the whole hunt (default 0)")
    p.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="local worker processes (default 1: this process)")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="dask.distributed scheduler address, e.g. tcp://127.0.0.1:8786 (overrides --workers)")
    p.add_argument("--out", type=Path, default=Path("counterexamples"), metavar="PATH",
                   help="directory for CLAIM-counterexample.toml (default ./counterexamples), or a "
                   "file name ending in .toml; see below")
    p.add_argument("--batch-size", type=positive_int, default=100, metavar="N",
                   help="instances per batch (default 100)")
    p.add_argument("--max-batches", type=positive_int, default=None, metavar="N",
                   help="stop after N batches even if budget remains")
    p.add_argument("--checks", action="append", default=[], type=Path, metavar="DIR",
                   help="import hunts from DIR's test_*.py and hunt*.py modules instead of the "
                   "built-in checks; repeatable")
    p.add_argument("--no-boundary", action="store_true",
                   help="for a counterexample that is an environment and a market, do not sweep the line "
                   "from a market where the claim holds to it (by default the piece where the claim starts "
                   "failing and its exact breakpoint are printed and written as a commented [boundary] "
                   "block of the TOML)")
    p.add_argument("--list", action="store_true", help="list the claims that have a hunt and exit")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true",
                   help="when the hunt's own code (property, refutes, shrinker, to_toml) raises, also "
                   "print its traceback")
    p.set_defaults(func=run)
    return p


def load_hunt_modules(dirs: list[Path]) -> list[str]:
    """Import the check modules that register hunts; return warnings for those that fail."""
    warnings = []
    if not dirs:
        try:
            package = importlib.import_module("exactscreen.proofs_checks")
        except ImportError:
            return ["built-in checks (exactscreen.proofs_checks) not installed"]
        names = [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)
                 if m.name != "conftest"]
    else:
        names = []
        for d in dirs:
            if not d.is_dir():
                raise InputError(f"--checks {d}: no such directory")
            root = str(d.resolve())
            if root not in sys.path:
                sys.path.insert(0, root)
            names += sorted(p.stem for p in d.glob("*.py") if p.stem.startswith(("test_", "hunt")))
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a broken module must not hide the others
            warnings.append(f"cannot import {name}: {type(exc).__name__}: {exc}")
    return warnings


def run(args: argparse.Namespace) -> int:
    """Run the hunt; exit 1 if a counterexample was found."""
    from rich.console import Console

    from ..hunt import HuntError, counterexample_text, get_hunt, make_executor, registered_hunts, run_hunt, write_counterexample

    err = Console(file=sys.stderr)
    for w in load_hunt_modules(args.checks):
        err.print(f"warning: {w}", style="yellow", highlight=False)
    if args.list:
        names = registered_hunts()
        print("\n".join(names) if names else "no hunts registered")
        return 0
    if not args.claim:
        raise InputError("name the claim to hunt, e.g. `exactscreen hunt STT-LEM1` (see --list)")
    h = get_hunt(args.claim)
    statement = _statement(args.claim)
    _check_out(args.out, args.claim)  # before any work: a found counterexample must have a home
    executor = make_executor(args.workers, args.scheduler, hunt=h)

    bar = None
    if not args.quiet and sys.stderr.isatty():
        from rich.progress import BarColumn, Progress, TextColumn

        bar = Progress(
            TextColumn(f"hunting {args.claim}"),
            BarColumn(),
            TextColumn("{task.fields[status]}"),
            console=err,
            transient=True,
        )
        task = bar.add_task("", total=float(args.budget), status="starting")  # a bar length, not a result
        bar.start()

        def progress(batches: int, instances: int, elapsed: Decimal) -> None:
            bar.update(task, completed=float(min(elapsed, args.budget)),
                       status=f"{batches} batches, {instances} instances, {elapsed} s")
    else:
        progress = None
    try:
        result = run_hunt(h, seed=args.seed, budget=args.budget, batch_size=args.batch_size,
                          max_batches=args.max_batches, executor=executor, progress=progress,
                          boundary=not args.no_boundary)
    except KeyboardInterrupt as exc:
        if bar is not None:
            bar.stop()
            bar = None
        _interrupted(exc, h, args)
        raise
    except HuntError as exc:
        cause = exc.__cause__
        if args.debug and cause is not None:
            import traceback

            traceback.print_exception(cause, file=sys.stderr)
        hint = "" if args.debug or cause is None else " (--debug prints its traceback)"
        print(f"exactscreen hunt: error: {exc}{hint}", file=sys.stderr)
        return 3
    finally:
        if bar is not None:
            bar.stop()

    where = f"{executor.name}, {result.seconds} s"
    if not result.found:
        why = "budget exhausted" if result.budget_exhausted else "all batches done"
        print(f"{args.claim}: no counterexample in {result.tried} instances "
              f"({result.batches} batches, seed {args.seed}, {where}; {why})")
        return 0
    print(f"{args.claim}: counterexample found in batch {result.batch} after {result.tried} instances "
          f"(seed {args.seed}, {where}); minimized in {result.shrink_steps} steps:")
    print(h.describe(result.minimized))
    if result.boundary:
        print(_boundary_line(result.boundary))
    sys.stdout.flush()
    try:
        path = write_counterexample(result, args.out, statement)
    except OSError as exc:
        # Checked before the hunt, but the disk may have filled up since: the TOML goes to stdout.
        print("# could not be written to --out; the file would have been:")
        print(counterexample_text(result), end="")
        print(f"exactscreen hunt: error: --out {args.out}: cannot write the counterexample "
              f"({exc.strerror or exc}); it is printed on stdout above", file=sys.stderr)
        return 1
    print(f"written to {path}")
    return 1


def _boundary_line(bd: dict) -> str:
    """One line for the boundary of :func:`exactscreen.hunt.market_boundary` (exact strings)."""
    from ..display import safe_name

    def market(m: dict) -> str:
        return ", ".join(f"{safe_name(t)} = {w}" for t, w in m.items())

    where = f"on the line (1 - l) from + l to, from ({market(bd['from'])}) where the claim holds"
    if bd.get("status") != "found":
        return f"boundary: {bd.get('status')} {where}: {bd.get('reason', '')}"
    b = bd["bisection"]
    if "fails_from" in bd:
        p = bd["fails_from"]
        piece = f"{'[' if p['lo_closed'] else '('}{p['lo']}, {p['hi']}{']' if p['hi_closed'] else ')'}"
        if p["lo"] == p["hi"]:
            piece = f"{{{p['lo']}}}"
        return (f"boundary: the claim fails from l = {bd['breakpoint']} (first failing piece {piece} of "
                f"{bd['pieces']} certified pieces; market {market(bd['breakpoint_market'])}) {where}; "
                f"bisection: holds at l = {b['holds_at']}, fails at l = {b['fails_at']}")
    return (f"boundary: {where}, the claim holds at every piece's sample; bisection: holds at "
            f"l = {b['holds_at']}, fails at l = {b['fails_at']}")


def _check_out(out: Path, claim: str) -> None:
    """Refuse an --out that cannot receive the counterexample (exit 2), creating nothing."""
    from ..hunt import counterexample_path
    from ..outdir import check_out_dir

    if out.exists() and not out.is_dir() and out.suffix.lower() != ".toml":
        raise InputError(f"--out {out}: exists and is not a directory; give a directory, or a file "
                         "name ending in .toml")
    check_out_dir(counterexample_path(out, claim).parent, "--out", shown=out)


def _interrupted(exc: KeyboardInterrupt, h, args: argparse.Namespace) -> None:
    """Print the best counterexample so far (stdout) and note what happened (stderr line)."""
    from ..hunt import counterexample_text

    partial = getattr(exc, "partial", None)
    if partial is None:
        return
    if not partial.found:
        exc.add_note(f"no counterexample in {partial.tried} instances ({partial.batches} batches) so far; "
                     "worker processes stopped")
        return
    print(f"{args.claim}: counterexample found in batch {partial.batch} (seed {args.seed}; "
          "interrupted: not minimized, lower batches unfinished):")
    print(h.describe(partial.minimized))
    print(counterexample_text(partial), end="")
    sys.stdout.flush()
    exc.add_note(f"counterexample of batch {partial.batch} printed on stdout, not minimized, "
                 f"not written to {args.out}; worker processes stopped")


def _statement(claim_id: str) -> str:
    from ..claims import builtin_registry

    registry = builtin_registry()
    return registry[claim_id].statement if claim_id in registry else ""
