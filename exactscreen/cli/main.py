"""The ``exactscreen`` command.

Each subcommand lives in ``exactscreen/cli/<name>.py`` and exposes
``add_parser(subparsers)`` (which registers its arguments and sets
``func``); this module only dispatches.  Errors in user input
(:class:`~exactscreen.exceptions.InputError`,
:class:`~exactscreen.exceptions.ExactNumberError`) go to stderr as one line,
without a traceback, with exit status 2.  An engine that cannot certify its
answer (:class:`~exactscreen.exceptions.NotCertified`, ``Undecided``,
``LPError``) prints one line "not certified: ..." and exits 3: never a
guess, never a traceback.  Ctrl-C (SIGINT) and SIGTERM end
every command with one line on stderr (what was interrupted, and what the
command noted about its output) and exit status 130 or 143
(:mod:`exactscreen.interrupts`).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..exceptions import ExactNumberError, InputError, LPError, NotCertified, Undecided
from ..interrupts import exit_status, signal_name, sigterm_raises

#: Subcommand modules under exactscreen.cli, in the order --help lists them
#: (module names; each module's add_parser chooses the command's name).
COMMANDS = ("check", "hunt", "solve", "verify", "segment", "sweep", "two_types", "persuade")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (``only``: a command's name) the parser with just that command.

    Registering a command imports its module, and some import a lot (``check``
    pulls in the report and hypothesis): ``exactscreen solve`` should not pay
    for them at start-up, so :func:`main` registers only the command it runs.
    """
    parser = argparse.ArgumentParser(
        prog="exactscreen",
        description="Exact checks of screening theory: optimal menus, certificates, "
        "and a referee report with one row per claim of the papers.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"exactscreen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        try:
            module = importlib.import_module(f"exactscreen.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"exactscreen.cli.{name}":
                continue  # command not built yet
            raise
        module.add_parser(sub)
    return parser


def _command_module(argv: list[str] | None) -> str | None:
    """The module of the command ``argv`` names, if it is the first argument; else None."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        name = args[0].replace("-", "_")
        if name in COMMANDS:
            return name
    return None


def main(argv: list[str] | None = None) -> int:
    # Input numbers are bounded where they enter (numbers.MAX_DIGITS); results computed from
    # them can be longer and must still print, also in messages that use str(Fraction).
    sys.set_int_max_str_digits(0)
    command = "exactscreen"
    try:
        with sigterm_raises():
            parser = build_parser(_command_module(argv))
            args = parser.parse_args(argv)
            if not getattr(args, "func", None):
                parser.print_help()
                return 2
            command = f"exactscreen {args.command}"
            return int(args.func(args) or 0)
    except (InputError, ExactNumberError) as exc:
        print(f"{command}: error: {exc}", file=sys.stderr)
        return 2
    except (NotCertified, Undecided, LPError) as exc:  # the engine could not certify: never a guess
        print(f"{command}: not certified: {exc} (an engine failure, not a finding about your input; "
              "please report it)", file=sys.stderr)
        return 3
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (interrupts.Terminated)
        notes = "; ".join(getattr(exc, "__notes__", ()) or ())
        print(f"{command}: interrupted by {signal_name(exc)}" + (f"; {notes}" if notes else ""), file=sys.stderr)
        return exit_status(exc)
    except BrokenPipeError:  # pragma: no cover - e.g. piping into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
