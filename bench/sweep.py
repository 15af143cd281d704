"""Benchmark of the sweep along a line of markets (issue 17, item 5): time against the number of
pieces on random lines, compared with single solves of the same size.

    python -m bench.sweep                                # (20, 8) and (40, 16), 2 lines per family
    python -m bench.sweep --sizes 20x8 --lines 1 --families sparse
    python -m bench.sweep --quick                        # smoke test: (5, 4), one line per family
    python -m bench.sweep --sizes 40x16 --families sparse --first-line 1 --lines 1   # sparse#1 alone

Instances: the environment of issue 8's random family (``bench.instances.random_instance``:
values ``m/4``, ``m ~ U{-5..20}``, seeded by ``"{seed}:random:{n}:{k}:{rep}"``) and two markets
drawn from a stream seeded by ``"{seed}:sweep-{family}:{n}:{k}:{rep}"``:

``random``
    both ends full support, weights ``U{1..10}`` normalized (issue 8's markets);
``sparse``
    each weight drawn from ``{0, 0, 1, 5, 10}`` (about 40% of the types absent at each end; at
    least one present): more pieces, and ends whose faces are large.

Measured, in one warm process (imports excluded), wall time (``time.perf_counter``):

* the sweep (:func:`exactscreen.mechanisms.sweep.sweep`, including its independent check);
* a *single solve*: :func:`exactscreen.mechanisms.optimum.optimal_mechanism` with its defaults
  (face, selection, checks: what ``exactscreen solve`` computes) on the same line at
  ``l = 1/3, 1/2, 2/3``; the median is the unit.

With ``--repeats R`` both are measured ``R`` times, interleaved (three single solves, then the
sweep, ``R`` times), and the medians are reported (the machine may be shared; the 1-minute load
average before each repetition is recorded).

Reported per line: pieces (all, and open ones), kinks, the sweep's full-engine and LP-only solves,
the sweep's time in single solves, and the issue's target ``3 x (pieces + 1)`` single solves,
counted both with all pieces (point pieces at kinks and ends included, as the JSON lists them)
and with the open pieces only (the stricter reading).  Results: JSON and Markdown in
``bench/results/sweep-<UTC time>-seed<seed>.{json,md}``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

from exactscreen.environment import Market
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.mechanisms.sweep import line_market, sweep

from .instances import random_instance
from .run import _fmt_s, write_results

FAMILIES = ("random", "sparse")
DEFAULT_SIZES = ((20, 8), (40, 16))


def line_ends(n: int, k: int, family: str, seed: int, rep: int):
    """``(env, f0, f1)``: issue 8's random environment and two markets of ``family``."""
    env, _ = random_instance(n, k, seed, rep)
    rng = random.Random(f"{seed}:sweep-{family}:{n}:{k}:{rep}")

    def market() -> Market:
        if family == "random":
            w = [rng.randint(1, 10) for _ in range(n)]
        else:
            w = [rng.choice((0, 0, 1, 5, 10)) for _ in range(n)]
            if not any(w):
                w[rng.randrange(n)] = 1
        total = sum(w)
        return Market(env, tuple(Fraction(x, total) for x in w))

    return env, market(), market()


def measure(n: int, k: int, family: str, seed: int, rep: int, log=print, repeats: int = 1) -> dict:
    env, f0, f1 = line_ends(n, k, family, seed, rep)
    singles: list[float] = []
    sweeps: list[float] = []
    loads: list[float] = []
    for _ in range(repeats):  # interleaved: the single solves, then the sweep, repeats times
        loads.append(os.getloadavg()[0])
        for l in (Fraction(1, 3), Fraction(1, 2), Fraction(2, 3)):
            t0 = time.perf_counter()
            optimal_mechanism(env, line_market(f0, f1, l))
            singles.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        s = sweep(env, f0, f1)
        sweeps.append(time.perf_counter() - t0)
    unit = statistics.median(singles)
    seconds = statistics.median(sweeps)
    pieces = len(s.pieces)
    opened = sum(1 for p in s.pieces if not p.is_point)
    rec = {
        "n": n, "k": k, "family": family, "seed": seed, "rep": rep,
        "from": f0.as_dict(), "to": f1.as_dict(),
        "pieces": pieces, "open_pieces": opened, "kinks": len(s.revenue_kinks),
        "breakpoints": [str(b) for b in s.breakpoints],
        "face_solves": s.solves, "lp_solves": s.lp_solves, "verified": s.verified,
        "sweep_s": seconds, "sweep_runs_s": sweeps, "repeats": repeats, "load_1min": loads,
        "single_s": singles, "single_median_s": unit,
        "sweep_in_single_solves": seconds / unit,
        "target_all_pieces": 3 * (pieces + 1), "target_open_pieces": 3 * (opened + 1),
    }
    rec["met_all_pieces"] = rec["sweep_in_single_solves"] <= rec["target_all_pieces"]
    rec["met_open_pieces"] = rec["sweep_in_single_solves"] <= rec["target_open_pieces"]
    log(f"({n}, {k}) {family}#{rep}: {pieces} pieces ({opened} open, {len(s.revenue_kinks)} kinks), "
        f"{s.solves} face + {s.lp_solves} LP solves; sweep {_fmt_s(seconds)} = "
        f"{seconds / unit:.1f} single solves of {_fmt_s(unit)}; target 3 (pieces + 1) = "
        f"{rec['target_all_pieces']} (all) / {rec['target_open_pieces']} (open)")
    return rec


def markdown(records: list[dict], command: str) -> str:
    lines = [f"Sweep benchmark: `{command}`", "",
             "| (n, k) | line | pieces (open) | kinks | face + LP solves | single solve | sweep | sweep / single | "
             "target 3 (pieces+1): all | open | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        lines.append(
            f"| ({r['n']}, {r['k']}) | {r['family']}#{r['rep']} | {r['pieces']} ({r['open_pieces']}) | {r['kinks']} | "
            f"{r['face_solves']} + {r['lp_solves']} | {_fmt_s(r['single_median_s'])} | {_fmt_s(r['sweep_s'])} | "
            f"{r['sweep_in_single_solves']:.1f} | {r['target_all_pieces']} {'✓' if r['met_all_pieces'] else '✗'} | "
            f"{r['target_open_pieces']} {'✓' if r['met_open_pieces'] else '✗'} | "
            f"{statistics.median(r.get('load_1min') or [float('nan')]):.1f} |")
    return "\n".join(lines)


def _size(text: str) -> tuple[int, int]:
    n, _, k = text.partition("x")
    try:
        return int(n), int(k)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r}: write NxK, e.g. 20x8") from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=lambda t: tuple(_size(s) for s in t.split(",")), default=None,
                    help="comma list of NxK (default 20x8,40x16)")
    ap.add_argument("--families", default=",".join(FAMILIES), help="comma list of random, sparse")
    ap.add_argument("--lines", type=int, default=2, help="lines per family and size (default 2)")
    ap.add_argument("--first-line", type=int, default=0,
                    help="index of the first line (default 0): --first-line 1 --lines 1 measures line #1 alone")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=1,
                    help="measure each line this many times, single solves and sweep interleaved; medians (default 1)")
    ap.add_argument("--quick", action="store_true", help="smoke test: (5, 4), one line per family")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default bench/results/sweep-<time>-seed<seed>.json)")
    args = ap.parse_args(argv)
    sizes = ((5, 4),) if args.quick else (args.sizes or DEFAULT_SIZES)
    lines = 1 if args.quick else args.lines
    families = [f for f in args.families.split(",") if f]
    bad = [f for f in families if f not in FAMILIES]
    if bad:
        print(f"bench.sweep: error: --families: unknown {', '.join(bad)}; choose from {', '.join(FAMILIES)}", file=sys.stderr)
        return 2
    command = "python -m bench.sweep " + " ".join(sys.argv[1:] if argv is None else argv)
    records: list[dict] = []
    out = args.out
    for n, k in sizes:
        for family in families:
            for rep in range(max(0, args.first_line), max(0, args.first_line) + lines):
                records.append(measure(n, k, family, args.seed, rep, repeats=max(1, args.repeats)))
                # written after every line, so an interrupted run keeps what it measured
                md = markdown(records, command.strip())
                out = write_results({"command": command.strip(), "records": records}, out, "sweep", args.seed, md, None)
                md_path = out.with_suffix(".md")
                md_path.write_text(md + "\n", encoding="utf-8")
    print(md)
    print(f"results: {out} and {md_path.name}")
    return 0 if all(r["verified"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
