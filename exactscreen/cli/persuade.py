"""``exactscreen persuade --entropy-bound [--json]`` and ``exactscreen persuade FILE [--cost quadratic|inventory] [--json]``.

Screening with persuasion (Bergemann, Heumann & Morris) on a finite value
distribution: complete disclosure against the optimal monotone partition,
which of the paper's conditions hold, and the entropy of the distribution
against the certified bound E*.  FILE format: the epilog of ``exactscreen persuade
--help`` and the "FILE format" section of ``docs/persuasion.md``.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from ..exceptions import InputError
from ..numbers import fmt, fmt_decimal, to_fraction


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "swp_uniform5.toml"

_DESCRIPTION = """\
Screening with persuasion (Bergemann, Heumann & Morris) on a finite value
distribution: complete disclosure against the optimal monotone partition,
which of the paper's conditions hold, and the entropy of the distribution
against the certified bound E*."""

_EPILOG = """\
FILE format (TOML; every number an exact string such as "1/5", or an integer;
floats are refused):
  title = "optional"
  values = ["1", "2", "3"]               strictly increasing, >= 0
  probabilities = ["1/4", "1/4", "1/2"]  positive, summing exactly to 1
  qualities = ["1", "2", "4"]            optional: a fixed inventory (Sec. 3)
  model = "inventory"                    optional default model: inventory | quadratic
  [inventory]                            optional: qualities = [...], masses = [...]
  [cost]                                 optional: alpha, beta, gamma of
                                         c(q) = alpha q + beta q^2/2 + gamma (beta = 1)
values / probabilities may also be tables v1 = "1", v2 = "2", ...; --cost overrides
model; without either, inventory is used when the file has qualities.

The full description is the "FILE format" section of docs/persuasion.md in the
source repository. An example installed with the package:
  {example}
"""


def add_parser(sub) -> None:
    import argparse

    p = sub.add_parser(
        "persuade",
        help="screening with persuasion: optimal pooling of finite values, entropy bound E*",
        description=_DESCRIPTION,
        epilog=_EPILOG.format(example=EXAMPLE),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", help="TOML file with values / probabilities (format below)")
    p.add_argument("--entropy-bound", action="store_true", help="print the certified enclosure of E* (Theorem 2)")
    p.add_argument("--cost", choices=("quadratic", "inventory"), help="cost model (default: the file's, else quadratic)")
    p.add_argument("--fast", action="store_true",
                   help="coarser (still certified) bound on the entropy of every distribution satisfying (36)")
    p.add_argument("--prec", metavar="BITS", help="--entropy-bound: working precision of the branch-and-bound "
                   "(integer bits, 24..2000; default 104)")
    p.add_argument("--max-boxes", metavar="N", help="--entropy-bound: box budget of each branch-and-bound "
                   "(integer >= 32; default 4000)")
    p.add_argument("--width", metavar="W", help="--entropy-bound: target width of the enclosures, "
                   "an exact decimal or fraction such as 1e-12 or 1/1000000000 (default 1e-12)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _both(v) -> str:
    s, d = fmt(v), fmt_decimal(v, 6)
    return s if s == d else f"{s} ({d})"


def _numbers(table, name: str, path: str) -> list[Fraction]:
    """A list of exact strings, or a table v1="..", v2=".." read in key order v1, v2, ..."""
    if isinstance(table, list):
        return [to_fraction(x, f"{name}[{i}]") for i, x in enumerate(table)]
    if isinstance(table, dict):
        keys = list(table)
        try:
            order = sorted(keys, key=lambda k: int(k.lstrip("abcdefghijklmnopqrstuvwxyz_")))
        except ValueError:
            order = keys
        return [to_fraction(table[k], f"{name}.{k}") for k in order]
    raise InputError(f"{path}: [{name}] must be a list of exact numbers or a table v1=\"...\", v2=\"...\"")


def load_persuasion_toml(path: str):
    """Read a FILE: returns ``(FiniteValues, Inventory | None, QuadraticCost | None, default model)``."""
    from ..persuasion.partitions import FiniteValues, Inventory, QuadraticCost

    from ..environment import read_toml_file

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{path}: no such file")
    data = read_toml_file(p)  # one-line errors, also for arrays nested too deeply
    for key in data:
        if key not in ("values", "probabilities", "qualities", "inventory", "cost", "model", "title"):
            raise InputError(f"{path}: unknown key {key!r} (allowed: values, probabilities, qualities, "
                             "inventory, cost, model, title)")
    if "values" not in data or "probabilities" not in data:
        raise InputError(f"{path}: needs [values] and [probabilities] (lists or tables of exact strings)")
    dist = FiniteValues(tuple(_numbers(data["values"], "values", path)),
                        tuple(_numbers(data["probabilities"], "probabilities", path)))
    inventory = None
    if "qualities" in data:
        inventory = Inventory.aligned(dist, _numbers(data["qualities"], "qualities", path))
    if "inventory" in data:
        inv = data["inventory"]
        if not isinstance(inv, dict) or "qualities" not in inv or "masses" not in inv:
            raise InputError(f"{path}: [inventory] needs qualities = [...] and masses = [...]")
        inventory = Inventory(tuple(_numbers(inv["qualities"], "inventory.qualities", path)),
                              tuple(_numbers(inv["masses"], "inventory.masses", path)))
    cost = None
    if "cost" in data:
        c = data["cost"]
        if not isinstance(c, dict) or set(c) - {"alpha", "beta", "gamma"}:
            raise InputError(f"{path}: [cost] takes alpha, beta, gamma (c(q) = alpha q + beta q^2/2 + gamma)")
        cost = QuadraticCost(**{k: to_fraction(v, f"cost.{k}") for k, v in c.items()})
    model = data.get("model")
    if model not in (None, "quadratic", "inventory"):
        raise InputError(f"{path}: model must be \"quadratic\" or \"inventory\", got {model!r}")
    return dist, inventory, cost, model


def _mech_dict(m) -> dict:
    return {
        "cuts": list(m.cuts),
        "cells": [{"values": f"{a + 1}..{b}", "mean_value": fmt(v), "mass": fmt(f), "quality": fmt(q), "price": fmt(p)}
                  for (a, b), v, f, q, p in zip(zip(m.cuts[:-1], m.cuts[1:]), m.values, m.masses, m.qualities, m.prices)],
        "revenue": fmt(m.revenue), "cost": fmt(m.cost), "profit": fmt(m.profit), "items": m.items,
        "method": m.method, "candidates": m.candidates,
    }


def _run_file(args) -> int:
    from ..persuasion import entropy as ent
    from ..persuasion.partitions import QuadraticCost, complete_disclosure_optimum, condition14, condition15, condition35, lemma1_condition, optimal_partition, virtual_values

    dist, inventory, cost, model = load_persuasion_toml(args.file)
    model = args.cost or model or ("inventory" if inventory is not None else "quadratic")
    if model == "inventory":
        if inventory is None:
            raise InputError(f"{args.file}: --cost inventory needs qualities = [...] or an [inventory] table")
        kw = {"inventory": inventory}
    else:
        kw = {"cost": cost or QuadraticCost()}
    cd = complete_disclosure_optimum(dist, **kw)
    opt = optimal_partition(dist, **kw)
    weak, strict = lemma1_condition(dist)
    phi = virtual_values(dist.values, dist.masses)
    conds = {
        "lemma1_phi_increasing_positive": strict,
        "lemma1_phi_nondecreasing_nonnegative": weak,
        "uniformly_distanced": dist.is_uniformly_distanced(),
        "cond14": condition14(dist) if dist.n >= 3 else None,
        "cond15": condition15(dist) if dist.n >= 2 else None,
        "cond35_at": [k for k in range(1, dist.n + 1) if condition35(dist, k)],
        "cond36_all": all(ent.constraints36(dist.masses)),
    }
    e = ent.entropy_bits(dist.masses)
    lo, hi = ent.arb_to_interval(e)
    gain = opt.profit - cd.profit
    if args.json:
        out = {
            "values": [fmt(v) for v in dist.values], "probabilities": [fmt(f) for f in dist.masses],
            "model": model, "virtual_values": [fmt(x) for x in phi],
            "complete_disclosure": _mech_dict(cd), "optimal_partition": _mech_dict(opt),
            "pooling_gain": fmt(gain), "conditions": conds,
            "entropy_bits": {"lower": ent.fmt_lower(lo), "upper": ent.decimal_up(hi, 12)},
            "entropy_vs_E_star": "above 3.0563, the certified bound on the entropy of every distribution "
            "satisfying all (36) (>= E* = 3.0409836308...): (35) holds at some k (Theorem 2); "
            "pooling strictly improves on an equidistant grid when atom k+1 is served (Prop. 5, qualified)"
            if lo > Fraction(30563, 10000) else "not above 3.0563, the certified bound on the entropy of every "
            "distribution satisfying all (36)",
        }
        print(json.dumps(out, indent=2))
        return 0
    print(f"values        {', '.join(_both(v) for v in dist.values)}")
    print(f"probabilities {', '.join(_both(f) for f in dist.masses)}")
    print(f"model         {model}" + (f" (c(q) = {kw['cost'].alpha} q + {kw['cost'].beta} q^2/2 + {kw['cost'].gamma})" if model == "quadratic" else ""))
    print(f"virtual values (8): {', '.join(_both(x) for x in phi)}")
    for title, m in (("complete disclosure", cd), ("optimal partition", opt)):
        print(f"\n{title}: profit {_both(m.profit)}  ({m.items} item(s), method {m.method}, {m.candidates} candidate(s))")
        for (a, b), v, f, q, p in zip(zip(m.cuts[:-1], m.cuts[1:]), m.values, m.masses, m.qualities, m.prices):
            cell = f"v{a + 1}" if b - a == 1 else f"v{a + 1}..v{b}"
            print(f"  {cell:<10} mean {_both(v):<22} mass {_both(f):<18} quality {_both(q):<18} price {_both(p)}")
    print(f"\npooling gain  {_both(gain)}")
    print("conditions    " + ", ".join(f"{k}={v}" for k, v in conds.items()))
    print(f"entropy       in [{ent.fmt_lower(lo)}, {ent.decimal_up(hi, 12)}] bits "
          "(certified: entropy above 3.0563 forces (35) at some k; on an equidistant grid pooling "
          "then strictly improves if atom k+1 is served, see cond35_at and the pooling gain)")
    return 0


def _run_bound(args) -> int:
    from ..persuasion import entropy as ent

    kw = {}
    if args.prec is not None:
        kw["prec"] = _int_option(args.prec, "--prec", "an integer number of bits, e.g. --prec 128")
    if args.max_boxes is not None:
        kw["max_boxes"] = _int_option(args.max_boxes, "--max-boxes", "an integer, e.g. --max-boxes 4000")
    if args.width is not None:
        w = to_fraction(args.width, "--width")
        if not w > 0:
            raise InputError(f"--width: need a positive number, got {args.width!r} (e.g. --width 1e-12)")
        kw["width"] = w
    b = ent.entropy_bound(fast=args.fast, **kw)
    if args.json:
        print(json.dumps(b.as_dict(), indent=2))
        return 0
    d = b.as_dict()
    c = d["certificate"]
    print(f"E* = {d['E_star']['digits']} in [{d['E_star']['lower']}, {d['E_star']['upper']}]  "
          f"(certified, width {d['E_star']['width']}; rounds to 3.04: {d['E_star_rounds_to_3_04']})")
    print(f"liminf_(f1->0) E(f1) in [{d['liminf']['lower']}, {d['liminf']['upper']}]: "
          "lim_(f1->0) E(f1) does not exist")
    print(f"  {d['what']}")
    print(f"  sup over every distribution satisfying (36) in [{d['sup_feasible']['lower']}, {d['sup_feasible']['upper']}]")
    print(f"  method: {d['method']['E_star']}; {c['working_precision_bits']} bits, "
          f"{c['boxes']['limsup']} + {c['boxes']['liminf']} boxes (budget {c['box_budget']} each)")
    print(f"  {c['replay']['limsup']}; {c['replay']['liminf']}; {d['seconds']} s")
    return 0


def _int_option(text: str, name: str, fix: str) -> int:
    t = text.strip()
    if not (t.isdigit() and len(t) <= 9):
        raise InputError(f"{name}: need {fix}, got {text!r}")
    return int(t)


def run(args) -> int:
    if args.entropy_bound:
        if args.file:
            raise InputError("give either FILE or --entropy-bound, not both")
        return _run_bound(args)
    if not args.file:
        raise InputError("give a FILE (TOML with [values] and [probabilities]) or --entropy-bound")
    for opt in ("prec", "max_boxes", "width"):
        if getattr(args, opt) is not None:
            raise InputError(f"--{opt.replace('_', '-')} applies only with --entropy-bound")
    return _run_file(args)
