"""``exactscreen solve FILE [--market t1=1/2,t2=1/2] [--deterministic] [--json] [--certificate OUT]``.

Prints the optimal mechanism of the environment in FILE (TOML, see the
README) for its ``[market]`` or the one given with ``--market``: the menu,
who buys what, surpluses, ranges over all optimal mechanisms, binding
constraints, efficiency, uniqueness and how the certificate was obtained.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from ..environment import load_toml
from ._common import resolve_market
from ..numbers import fmt, fmt_decimal


def add_parser(sub) -> None:
    p = sub.add_parser(
        "solve",
        help="optimal mechanism of an environment, exactly, with certificate",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("file", help="environment TOML file (see README: [types.NAME], [costs], [market])")
    p.add_argument(
        "--market",
        metavar="T=P,...",
        help="market as type=probability pairs, e.g. tL=1/4,tH=3/4 (overrides the file's [market])",
    )
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="best menu without lotteries (exact enumeration; small instances)",
    )
    p.add_argument(
        "--selection",
        default="support-value",
        choices=("support-value", "total-value", "consumer-best", "consumer-worst"),
        help="selection rule among optimal mechanisms (default: support-value; consumer-best / "
        "consumer-worst first maximize / minimize the expected consumer surplus; see docs)",
    )
    p.add_argument("--no-face", action="store_true", help="skip the ranges over all optimal mechanisms")
    p.add_argument("--check-face", action="store_true",
                   help="certify every range endpoint and binding set independently even on large "
                        "instances (default: only when n^2 (k+2) <= 1200; slow at scale)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument(
        "--certificate",
        metavar="OUT.json",
        help="also write a certificate (environment, primal, duals, LP fingerprint) that "
        "`exactscreen verify OUT.json` re-checks without the solver",
    )
    p.set_defaults(func=run)


def dumps_indented(obj) -> str:
    """``json.dumps(obj, indent=2)``, byte for byte, in a fraction of its time on large results.

    The standard library encodes with ``indent`` in pure Python, one generator step per
    token (about 0.2 s for a 2 MB result); this builds the same text with one string
    join per container and the C string encoder.  Dicts with string keys, lists, tuples,
    strings, ints, bools and None take the fast path; any other value (a float, a
    non-string key, a subclass) is handed to :func:`json.dumps` with the same options,
    so the output never differs."""
    from json.encoder import encode_basestring_ascii as enc

    def fallback(o, ind: str) -> str:
        text = json.dumps(o, indent=2)
        return text.replace("\n", "\n" + ind) if ind else text

    def go(o, ind: str) -> str:
        t = type(o)
        if t is str:
            return enc(o)
        if t is list or t is tuple:
            if not o:
                return "[]"
            inner = ind + "  "
            sep = ",\n" + inner
            kinds = set(map(type, o))
            text = None
            if kinds == {str}:
                text = sep.join(map(enc, o))
            elif kinds <= {list, tuple}:  # e.g. the binding sets: lists of [type, type]
                inner2 = inner + "  "
                try:
                    if set(map(len, o)) == {2}:  # pairs: one format each
                        pair = "[\n" + inner2 + "%s,\n" + inner2 + "%s\n" + inner + "]"
                        text = sep.join([pair % (enc(a), enc(b)) for a, b in o])
                    else:
                        sep2, head, tail = ",\n" + inner2, "[\n" + inner2, "\n" + inner + "]"
                        text = sep.join([head + sep2.join(map(enc, v)) + tail if v else "[]" for v in o])
                except TypeError:  # an element that is not a string: the general path
                    text = None
            if text is None:
                text = sep.join([go(v, inner) for v in o])
            return "[\n" + inner + text + "\n" + ind + "]"
        if t is dict:
            if not o:
                return "{}"
            inner = ind + "  "
            parts = []
            for k, v in o.items():
                if type(k) is not str:
                    return fallback(o, ind)
                parts.append(enc(k) + ": " + go(v, inner))
            return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + ind + "}"
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if t is int:
            return int.__repr__(o)
        return fallback(o, ind)

    return go(obj, "")


def _both(v) -> str:
    s, d = fmt(v), fmt_decimal(v, 4)
    return s if s == d else f"{s} ({d})"


#: Seconds before a solve shows its spinner (terminal only); tests set the variable.
PROGRESS_AFTER = 2.0
_PROGRESS_AFTER_ENV = "EXACTSCREEN_PROGRESS_AFTER"


def _progress_after() -> float:
    try:
        return max(0.0, float(os.environ.get(_PROGRESS_AFTER_ENV, PROGRESS_AFTER)))
    except ValueError:
        return PROGRESS_AFTER


@contextmanager
def progress(label: str, stream=None) -> Iterator[Callable[[str], None]]:
    """A spinner with the elapsed time on stderr if the block runs over 2 s and stderr is a terminal.

    Yields ``stage(text)``: the engine's progress hook (``optimal_mechanism(...,
    progress=stage)``); the spinner shows the current stage after the label.

    Nothing is drawn when stderr is not a terminal (a pipe, a file, a CI
    log), and never anything on stdout.  The spinner is started by a timer
    thread and removed when the block ends (also on Ctrl-C).  The delay is
    ``PROGRESS_AFTER`` seconds, or ``$EXACTSCREEN_PROGRESS_AFTER``.
    """
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield lambda text: None
        return
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn
    from rich.text import Text

    started = time.monotonic()

    class _Since(ProgressColumn):  # elapsed since the solve began, not since the spinner appeared
        def render(self, task) -> Text:
            s = int(time.monotonic() - started)
            return Text(f"{s // 60}:{s % 60:02d}", style="progress.elapsed")

    lock = threading.Lock()
    shown: list = []
    finished = False
    current = {"stage": ""}

    def described() -> str:
        return f"{label}: {current['stage']}" if current["stage"] else label

    def stage(text: str) -> None:
        with lock:
            current["stage"] = text
            for bar in shown:
                bar.update(bar.task_ids[0], description=described())

    def show() -> None:
        with lock:
            if finished:
                return
            bar = Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), _Since(),
                           console=Console(file=stream), transient=True,
                           redirect_stdout=False, redirect_stderr=False)
            bar.add_task(described(), total=None)
            bar.start()
            shown.append(bar)

    timer = threading.Timer(_progress_after(), show)
    timer.daemon = True
    timer.start()
    try:
        yield stage
    finally:
        timer.cancel()
        with lock:
            finished = True
            for bar in shown:
                bar.stop()


def _solve(args, stage=None):
    """(environment, market, result): the deterministic optimum with --deterministic."""
    from ..mechanisms.optimum import optimal_deterministic, optimal_mechanism

    env, file_market = load_toml(args.file)
    market = resolve_market(env, file_market, args.market)
    if args.certificate:  # refused before any work
        from ..mechanisms.audit import check_certificate_path

        check_certificate_path(args.certificate, deterministic=args.deterministic)
    if args.deterministic:
        return env, market, optimal_deterministic(env, market)
    result = optimal_mechanism(env, market, face=not args.no_face, selection=args.selection, progress=stage,
                               check_face=True if getattr(args, "check_face", False) else None)
    if args.certificate:
        from ..mechanisms.audit import write_certificate

        write_certificate(args.certificate, result)
    return env, market, result


@contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees everything
    acyclic) and restore its state afterwards.

    A solve allocates hundreds of thousands of small objects (Fractions, sparse rows) that
    live until the answer is printed; each full collection walks all of them again, about
    10-15% of a large solve (paper x75, ties (150, 64)) for no memory freed (peak RSS
    unchanged in the benchmark)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run(args) -> int:
    with _without_cycle_collector():
        return _run(args)


def _run(args) -> int:
    what = "best deterministic menu" if args.deterministic else "optimal mechanism"
    with progress(f"solving exactly: {what}") as stage:  # computing only: nothing is printed meanwhile
        env, market, result = _solve(args, stage)
    if args.deterministic:
        det = result
        if args.json:
            out = {
                "environment": env.to_dict(),
                "market": market.as_dict(),
                "deterministic": True,
                "revenue": fmt(det.revenue),
                "efficient": det.mechanism.is_efficient(market),
                "types": {
                    t: {
                        "payment": fmt(det.mechanism.payments[i]),
                        "price": fmt(det.mechanism.price(i)),
                        "surplus": fmt(det.mechanism.surplus(i)),
                        "allocation": det.mechanism.allocation_dict(i),
                    }
                    for i, t in enumerate(env.types)
                },
                "optimal_assignments": [
                    {"assignment": dict(zip(env.types, a)), "payments": [fmt(p) for p in pay]}
                    for a, pay in det.optimal
                ],
                "binding": [list(e) for e in det.mechanism.binding()],
                "certificate": {
                    "verified": True,
                    "method": f"exact enumeration of {det.assignments_tried} assignments",
                    "selected_mechanism_checked": det.selected_check is not None and det.selected_check.ok,
                    "selected_checked_by": "exactscreen.mechanisms.selected_check.check_selected_mechanism",
                },
            }
            sys.stdout.write(dumps_indented(out) + "\n")
            return 0
        _print_det(env, market, det)
        return 0
    res = result
    if args.json:
        sys.stdout.write(dumps_indented(res.to_json()) + "\n")
        return 0
    _print(env, market, res)
    if args.certificate:
        # one line whatever the width: a wrapped path could not be copied
        _console().print(f"Certificate written to {args.certificate}; re-check it with: exactscreen verify {args.certificate}",
                         soft_wrap=True)
    return 0


def _console():
    from ..display import plain_console  # names print literally: no markup, control chars escaped

    return plain_console()


def _print(env, market, res) -> None:
    from rich.table import Table

    con = _console()
    con.print(str(env))
    con.print()
    m = res.mechanism
    rev = "profit" if any(env.costs) else "revenue"
    t = Table(title=f"Optimal mechanism, {rev} {_both(res.revenue)}", title_justify="left")
    costs = any(env.costs)
    pays = "pays net of cost" if costs else "pays"
    for col in ("type", "f(t)", "gets", pays, "surplus"):
        t.add_column(col, justify="left" if col in ("type", "gets") else "right")
    if res.face is not None:
        t.add_column("pays, over all optima", justify="right")
        t.add_column("surplus, over all optima", justify="right")
    for i, name in enumerate(env.types):
        row = [name, fmt(market.weights[i]), m.option(i), _both(m.payments[i]), _both(m.surplus(i))]
        if res.face is not None:
            row += [str(res.face.payment[i]), str(res.face.surplus[i])]
        t.add_row(*row)
    con.print(t)
    menu = Table(title="Menu", title_justify="left")
    menu.add_column("option")
    menu.add_column("price" + (" (payment + cost)" if any(env.costs) else ""), justify="right")
    menu.add_column("chosen by")
    for opt, _pay, price, ts in m.menu():
        menu.add_row(opt, _both(price), ", ".join(ts))
    con.print(menu)
    eff = "efficient" if res.efficient else "inefficient (some type in the market gets an inefficient allocation)"
    con.print(f"Market: {eff}")
    w = res.welfare
    con.print(f"Welfare: consumer surplus {_both(w.consumer_surplus)}, revenue {_both(w.revenue)}, "
              f"total surplus {_both(w.total_surplus)}, efficiency loss {_both(w.efficiency_loss)}")
    if res.face is not None:
        if res.face.payment_rule_unique:
            con.print("Optimal payment rule: unique" + ("; optimal mechanism unique" if res.face.unique else "; allocations vary across optima"))
        else:
            con.print("Optimal payment rule: NOT unique (the market lies on a face of P; see ranges)")
        con.print("Binding in every optimum: " + _edges(res.face.always_binding))
        con.print("Binding in some optimum:  " + _edges(res.face.sometimes_binding))
    con.print("Binding (selected):       " + _edges(m.binding()))
    status = "verified" if res.verified else "FAILED"
    con.print(
        f"Certificate: {status} by exactscreen.mechanisms.certificate ({res.method}"
        + (f"; {res.certificate.note}" if res.certificate.note else "")
        + f"); {res.lp_solves} exact LPs; selection rule {res.selection}"
    )


def _edges(edges) -> str:
    return ", ".join(f"{a}→{b}" for a, b in edges) or "none"


def _print_det(env, market, det) -> None:
    from rich.table import Table

    con = _console()
    con.print(str(env))
    con.print()
    m = det.mechanism
    t = Table(title=f"Best deterministic menu, revenue {_both(det.revenue)}", title_justify="left")
    for col in ("type", "f(t)", "gets", "pays", "surplus"):
        t.add_column(col, justify="left" if col in ("type", "gets") else "right")
    for i, name in enumerate(env.types):
        t.add_row(name, fmt(market.weights[i]), m.option(i), _both(m.payments[i]), _both(m.surplus(i)))
    con.print(t)
    con.print(
        f"{len(det.optimal)} optimal assignment(s) among {det.implementable} implementable "
        f"of {det.assignments_tried} (exact enumeration)"
    )
    con.print("Binding: " + _edges(m.binding()))
