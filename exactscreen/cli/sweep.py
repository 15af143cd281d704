"""``exactscreen sweep FILE --from T=P,... --to T=P,... [--json] [--figure OUT.png]``.

Every market on the line from one market to another, exactly: the pieces of l in [0, 1] on
which the optimal mechanism for (1 - l) FROM + l TO is constant, the revenue kinks and
breakpoints as exact fractions, and per piece the selected mechanism, the revenue at both
ends (affine in between), each type's surplus, efficiency and uniqueness.  Every piece is
certified on its whole interval (the mechanism is optimal at both ends, with exact duals) and
re-checked independently.
"""

from __future__ import annotations

import sys
from fractions import Fraction

from ..display import safe_name, safe_text
from ..environment import Environment, Market, load_toml
from ..exceptions import InputError, Undecided
from ..numbers import fmt, parse_assignments
from ._common import positive_int


def add_parser(sub) -> None:
    p = sub.add_parser(
        "sweep",
        help="every market on a line between two markets: exact pieces, certified",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("file", help="environment TOML file (see README: [types.NAME], [costs]); its [market] is not used")
    p.add_argument("--from", dest="from_", metavar="T=P,...", required=True,
                   help="the market at l = 0, every type with its probability, e.g. tL=1,tH=0")
    p.add_argument("--to", metavar="T=P,...", required=True,
                   help="the market at l = 1, e.g. tL=0,tH=1")
    p.add_argument("--selection", default="support-value", choices=("support-value", "total-value"),
                   help="selection rule among optimal mechanisms (default: support-value; the consumer-surplus "
                        "rules weigh types by the market and are not offered)")
    p.add_argument("--max-solves", type=positive_int, default=None, metavar="N",
                   help="bound on the solves, LP-only and full (default 1000); past it the sweep stops: undecided, exit 3")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the piece table")
    p.add_argument("--figure", metavar="OUT.png",
                   help="also draw revenue and each type's surplus along l, breakpoints marked (PNG)")
    p.set_defaults(func=run)


def parse_line_end(env: Environment, text: str, flag: str) -> Market:
    """The market given by ``--from``/``--to`` (``flag``): every type of ``env`` once, exact
    probabilities summing to 1; errors name the flag (and the type)."""
    weights = parse_assignments(text, flag)  # ExactNumberError naming the flag and type
    for t in weights:
        if t not in env.types:
            raise InputError(f"{flag}: unknown type {t!r}; the file's types are {', '.join(map(safe_name, env.types))}")
    missing = [t for t in env.types if t not in weights]
    if missing:
        raise InputError(f"{flag}: no probability for {', '.join(map(safe_name, missing))}; list every type "
                         "(write 0 for a type absent from the market)")
    for t, w in weights.items():
        if w < 0:
            raise InputError(f"{flag} {safe_name(t)}: probability {fmt(w)} is negative")
    total = sum(weights.values(), Fraction(0))
    if total != 1:
        raise InputError(f"{flag}: probabilities sum to {fmt(total)}, not 1")
    return Market(env, tuple(weights[t] for t in env.types))


def run(args) -> int:
    from ..mechanisms.sweep import DEFAULT_MAX_SOLVES, sweep
    from .solve import dumps_indented, progress

    env, _ = load_toml(args.file)
    f0 = parse_line_end(env, args.from_, "--from")
    f1 = parse_line_end(env, args.to, "--to")
    if args.figure and not str(args.figure).lower().endswith(".png"):
        raise InputError(f"--figure: {args.figure!r} must name a .png file")
    try:
        with progress("sweeping exactly") as stage:
            result = sweep(env, f0, f1, selection=args.selection,
                           max_solves=args.max_solves or DEFAULT_MAX_SOLVES, progress=stage)
    except Undecided as exc:  # the solve budget, a limit the user chose: not an engine failure
        print(f"exactscreen sweep: undecided: {exc}", file=sys.stderr)
        return 3
    if args.figure:
        from ..report.figures.sweep import draw_sweep

        draw_sweep(result, args.figure)
    if args.json:
        out = result.to_json()
        if args.figure:
            out["figure"] = str(args.figure)
        sys.stdout.write(dumps_indented(out) + "\n")
    else:
        text = str(result) + (f"\n  figure: {args.figure}" if args.figure else "")
        sys.stdout.write(safe_text(text, keep_newlines=True) + "\n")  # names literally, control characters escaped
    return 0
