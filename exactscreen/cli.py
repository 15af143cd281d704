"""The ``exactscreen`` command.

Each subcommand lives in ``exactscreen/commands/<name>.py`` and exposes
``add_parser(subparsers)`` (which registers its arguments and sets
``func``) ; this module only dispatches.  Errors in user input
(:class:`~exactscreen.environment.InputError`,
:class:`~exactscreen.numbers.ExactNumberError`) go to stderr as one line,
without a traceback, with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .environment import InputError
from .numbers import ExactNumberError

#: Subcommand modules under exactscreen.commands, in the order --help lists them
#: (module names; each module's add_parser chooses the command's name).
COMMANDS = ("check", "hunt", "solve", "segment", "two_types", "persuade")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exactscreen",
        description="Exact checks of screening theory: optimal menus, certificates, "
        "and a referee report with one row per claim of the papers.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"exactscreen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"exactscreen.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"exactscreen.commands.{name}":
                continue  # command not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Input numbers are bounded where they enter (numbers.MAX_DIGITS); results computed from
    # them can be longer and must still print, also in messages that use str(Fraction).
    sys.set_int_max_str_digits(0)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (InputError, ExactNumberError) as exc:
        print(f"exactscreen {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. piping into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
