"""``exactscreen two-types FILE [--q Q] [--random] [--json]``.

Screening two types (Haghpanah & Siegel): efficient alternatives, contested and
uncontested types, A⁺/A⁻, a^BD1, a^VA and the thresholds q^BD1, q^CD, q^OD, then
the optimal menus for every q in (0, 1) as exact pieces (Theorem 1; with
--random, lotteries: Corollary 2) with binding constraints, profit as a function
of q and the uncontested type's utility, and whether randomization helps
(Corollary 3).  q is the probability of the type listed second in FILE.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction

from ..exceptions import InputError
from ..environment import load_toml
from ..numbers import fmt, to_fraction


def add_parser(sub) -> None:
    p = sub.add_parser(
        "two-types",
        help="optimal menus of a two-type environment for every q, exactly (paper 003)",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("file", help="environment TOML file with exactly two types ([market] optional, ignored)")
    p.add_argument("--q", metavar="Q", help="also give the optimal menus at this q (probability of the second type), e.g. 1/3")
    p.add_argument("--random", action="store_true", help="random menus (lotteries, Corollary 2) instead of deterministic ones")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--param", metavar="NAME", help="valuations may be affine in this symbol (e.g. fish = \"v\"); "
                   "prints the thresholds and menus as functions of it, region by region")
    p.add_argument("--domain", metavar="LO:HI", default=":", help="open range of the parameter, e.g. 0: (default: all reals)")
    p.set_defaults(func=run)


# ----------------------------------------------------------------- helpers
def _names(s) -> list[str]:
    return sorted(s, key=lambda a: (a == "0", a))


def _q(t, qp) -> Fraction:
    return t.to_file_q(qp)


def _interval(t, piece) -> tuple[Fraction, Fraction, bool, bool]:
    a, b = sorted((_q(t, piece.lo), _q(t, piece.hi)))
    closed = piece.is_point
    return a, b, closed, closed


def _profit(t, piece):
    """Profit as a function of the file's q (on a point piece: its value there)."""
    if piece.is_point:
        return fmt(piece.profit(piece.lo))
    return piece.profit.reflect() if t.swapped else piece.profit


def _edge(t, name: str) -> str:
    me = t.type1 if name.endswith("1") else t.type2
    other = t.type2 if me == t.type1 else t.type1
    return f"IR({me})" if name.startswith("IR") else f"IC({me}->{other})"


def _binding(t, names) -> list[str]:
    order = {"IR1": 0, "IR2": 1, "IC1": 2, "IC2": 3}
    return [_edge(t, n) for n in sorted(names, key=order.get)]


def _lottery(x: dict) -> str:
    parts = [(p, a) for a, p in sorted(x.items(), key=lambda kv: (kv[0] == "0", kv[0])) if p]
    if len(parts) == 1 and parts[0][0] == 1:
        return parts[0][1]
    return " + ".join(f"{fmt(p)} {a}" for p, a in parts)


def _rng(r) -> str:
    lo, hi = r
    return fmt(lo) if lo == hi else f"[{fmt(lo)}, {fmt(hi)}]"


def _lottery_set(t, ls, who: int) -> str:
    sup = ", ".join(_names(ls.support))
    if len(ls.vertices) == 1:
        return _lottery(ls.vertices[0])
    me, other = (t.type1, t.type2) if who == 1 else (t.type2, t.type1)
    cond = {"": "", ">=0": f" with v_{t.type2} ≥ v_{t.type1}", "=0": f" with v_{t.type1} = v_{t.type2}", "<=0": f" with v_{t.type1} ≥ v_{t.type2}"}[ls.constraint]
    del me, other
    return f"any lottery over {{{sup}}}{cond}"


# ----------------------------------------------------------------- JSON
def _det_piece_json(t, piece) -> dict:
    a, b, c0, c1 = _interval(t, piece)
    menus = []
    for m in piece.menus:
        menus.append(
            {
                t.type1: {"gets": _names(m.a1), "pays": fmt(m.p1)},
                t.type2: {"gets": _names(m.a2), "pays": fmt(m.p2)},
                "binding": _binding(t, m.binding),
                "utility": {t.type1: "0", t.type2: fmt(m.u2)},
            }
        )
    return {
        "q_from": fmt(a), "q_to": fmt(b), "closed": [c0, c1],
        "menu": menus, "profit": str(_profit(t, piece)), "case": piece.regime,
    }


def _rand_piece_json(t, piece) -> dict:
    a, b, c0, c1 = _interval(t, piece)
    return {
        "q_from": fmt(a), "q_to": fmt(b), "closed": [c0, c1],
        "menu": {
            t.type1: {
                "gets": _lottery_set(t, piece.x1, 1),
                "support": _names(piece.x1.support),
                "constraint": piece.x1.constraint,
                "vertices": [{k: fmt(v) for k, v in x.items()} for x in piece.x1.vertices],
                "particular": {k: fmt(v) for k, v in piece.particular.items()},
                "pays": [fmt(piece.p1[0]), fmt(piece.p1[1])],
            },
            t.type2: {
                "gets": _lottery_set(t, piece.x2, 2),
                "vertices": [{k: fmt(v) for k, v in x.items()} for x in piece.x2.vertices],
                "pays": [fmt(piece.p2[0]), fmt(piece.p2[1])],
            },
        },
        "binding_always": _binding(t, piece.always),
        "binding_sometimes": _binding(t, piece.sometimes),
        "utility": {t.type1: ["0", "0"], t.type2: [fmt(piece.u2[0]), fmt(piece.u2[1])]},
        "profit": str(_profit(t, piece)),
        "case": piece.case,
    }


def _fq(t, q):
    return None if q is None else fmt(t.to_file_q(q))


def to_json(t, random: bool = False, q: Fraction | None = None) -> dict:
    env = t.environment
    c = t.corollary3
    out = {
        "title": env.title,
        "types": list(env.types),
        "q_is": f"probability of {env.types[1]} (the type listed second); every threshold below is a value of this q",
        "paper_labels": {
            "type1": t.type1, "type2": t.type2, "swapped": t.swapped,
            "q_BD1": fmt(t.q_bd1), "q_CD": None if t.q_cd is None else fmt(t.q_cd),
            "note": "the paper's q is the probability of type2" + ("; file q = 1 − paper q" if t.swapped else ""),
        },
        "valuations": {a: {t.type1: fmt(t.v[a][0]), t.type2: fmt(t.v[a][1])} for a in t.names},
        "efficient": {t.type1: _names(t.E1), t.type2: _names(t.E2)},
        "uncontested": {t.type1: t.uncontested1, t.type2: t.uncontested2},
        "first_best": t.first_best,
        "A_plus": _names(t.A_plus), "A_minus": _names(t.A_minus), "A_eq": _names(t.A_eq),
        "a_BD1": _names(t.bd1),
        "a_VA": [fmt(t.b), fmt(t.b)],
        "a_VA_is_a_BD1": t.va_is_bd1,
        "q_BD1": _fq(t, t.q_bd1),
        "q_CD": _fq(t, t.q_cd),
        "q_OD": _fq(t, t.q_od),
        "mode": "random" if random else "deterministic",
        "pieces": [(_rand_piece_json if random else _det_piece_json)(t, p) for p in _file_order(t, random)],
    }
    if c is not None:
        helps = []
        for lo, hi, c0, c1 in c.helps:
            a, b = sorted((t.to_file_q(lo), t.to_file_q(hi)))
            closed = (c1, c0) if t.swapped else (c0, c1)
            helps.append({"q_from": fmt(a), "q_to": fmt(b), "closed": list(closed)})
        out["randomization_helps"] = helps
        out["corollary3"] = {
            "statement1_as_written": c.statement1,
            "statement1_directional": c.statement1_directional,
            "statement2": c.statement2,
            "statement3": c.statement3,
            "top_of_diagonal": fmt(c.top),
        }
    else:
        out["randomization_helps"] = []
        out["corollary3"] = None
    if q is not None:
        qp = t.to_paper_q(q)
        piece = t.random_piece_at(qp) if random else t.deterministic_piece_at(qp)
        entry = (_rand_piece_json if random else _det_piece_json)(t, piece)
        entry["q"] = fmt(q)
        entry["profit_at_q"] = fmt(piece.profit(qp))
        out["at_q"] = entry
    return out


def _file_order(t, random: bool):
    pieces = t.random_pieces if random else t.deterministic_pieces
    return tuple(reversed(pieces)) if t.swapped else pieces


# ----------------------------------------------------------------- text
def run(args) -> int:
    from ..two_types.analysis import analyze

    if args.param:
        return _run_param(args)
    env, _ = load_toml(args.file)
    if env.n != 2:
        raise InputError(f"{args.file}: two-types needs exactly two types, the file has {env.n} ({', '.join(env.types)})")
    q = None
    if args.q is not None:
        q = to_fraction(args.q, "--q")
        if not 0 < q < 1:
            raise InputError(f"--q: {args.q} is not strictly between 0 and 1")
    t = analyze(env)
    if args.json:
        json.dump(to_json(t, args.random, q), sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    _print(t, args.random, q)
    return 0


def _print(t, random: bool, q) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..display import plain_console

    con = plain_console(width=max(120, Console().width))  # names print literally
    env = t.environment
    con.print(str(env))
    con.print(
        f"\nq = probability of {env.types[1]}.  Paper labels: type 1 = {t.type1}, type 2 = {t.type2}"
        + (" (swapped: Assumption 1 needs the uncontested type as type 2; paper q = 1 − q)" if t.swapped else "")
    )
    tab = Table(title="Valuation pairs (net of cost; Sec. 2)", title_justify="left")
    for col in ("alternative", f"v({t.type1})", f"v({t.type2})", "position", "notes"):
        tab.add_column(col)
    for a in t.names:
        x, y = t.v[a]
        pos = "on the diagonal" if x == y else ("above" if y > x else "below")
        notes = []
        if a in t.E1:
            notes.append(f"efficient for {t.type1}")
        if a in t.E2:
            notes.append(f"efficient for {t.type2}")
        if a in t.bd1:
            notes.append("a^BD1")
        tab.add_row(a, fmt(x), fmt(y), pos, ", ".join(notes))
    con.print(tab)
    unc = lambda b: "uncontested" if b else "contested"
    con.print(f"{t.type1}: {unc(t.uncontested1)}; {t.type2}: {unc(t.uncontested2)}; first-best "
              + ("implementable" if t.first_best else "not implementable"))
    con.print(f"a^BD1 = {{{', '.join(_names(t.bd1))}}}, a^VA = ({fmt(t.b)}, {fmt(t.b)})"
              + (" = a^BD1" if t.va_is_bd1 else " (virtual)"))
    fq = lambda v: "—" if v is None else fmt(t.to_file_q(v))
    con.print(f"q^BD1 = {fq(t.q_bd1)}, q^CD = {fq(t.q_cd)}, q^OD = {fq(t.q_od)}  (values of q)")
    c = t.corollary3
    if c is None:
        con.print("Randomization never helps (first-best).")
    elif not c.helps:
        con.print("Randomization never helps (Corollary 3).")
    else:
        parts = []
        for lo, hi, c0, c1 in c.helps:
            a, b = sorted((t.to_file_q(lo), t.to_file_q(hi)))
            parts.append(f"({fmt(a)}, {fmt(b)})")
        con.print(f"Randomization helps exactly for q in {', '.join(parts)} (Corollary 3)")
    title = "Optimal random menus (Corollary 2)" if random else "Optimal deterministic menus (Theorem 1)"
    tab = Table(title=title + ", every q in (0, 1)", title_justify="left")
    for col in ("q", f"{t.type1} gets", "pays", f"{t.type2} gets", "pays", "binding", f"u({t.type2})", "profit"):
        tab.add_column(col)
    for piece in _file_order(t, random):
        a, b, closed, _ = _interval(t, piece)
        qs = fmt(a) if closed else f"({fmt(a)}, {fmt(b)})"
        prof = str(_profit(t, piece))
        if random:
            tab.add_row(
                qs, _lottery_set(t, piece.x1, 1), _rng(piece.p1), _lottery_set(t, piece.x2, 2), _rng(piece.p2),
                ", ".join(_binding(t, piece.always)) + ("" if piece.always == piece.sometimes else
                                                       "; some: " + ", ".join(_binding(t, piece.sometimes - piece.always))),
                _rng(piece.u2), prof,
            )
        else:
            for k, m in enumerate(piece.menus):
                tab.add_row(
                    qs if k == 0 else "", " / ".join(_names(m.a1)), fmt(m.p1), " / ".join(_names(m.a2)), fmt(m.p2),
                    ", ".join(_binding(t, m.binding)), fmt(m.u2), prof if k == 0 else "",
                )
    con.print(tab)
    if q is not None:
        qp = t.to_paper_q(q)
        piece = t.random_piece_at(qp) if random else t.deterministic_piece_at(qp)
        con.print(f"At q = {fmt(q)}: profit {fmt(piece.profit(qp))}; "
                  + ("type " + t.type1 + " gets " + _lottery_set(t, piece.x1, 1) if random else
                     "type " + t.type1 + " gets one of {" + ", ".join(_names(piece.a1)) + "}"))


# ----------------------------------------------------------------- parametric
def _run_param(args) -> int:
    import sympy

    from ..environment import _TOP_KEYS, check_type_tables, read_toml_file
    from ..two_types.parametric import parametric_analysis

    # the same checks as load_toml: top-level keys, names, tables, every value given
    data = read_toml_file(args.file, _TOP_KEYS)
    if "types" not in data:
        raise InputError(f"{args.file}: no [types.NAME] table; each type needs one")
    types = data["types"]
    tnames, _alts = check_type_tables(types)
    if len(tnames) != 2:
        raise InputError(f"{args.file}: --param needs exactly two [types.NAME] tables, the file has {len(tnames)}")
    if data.get("costs"):
        raise InputError(f"{args.file}: --param does not take [costs]; write net values (App. C)")
    lo_s, sep, hi_s = args.domain.partition(":")
    if not sep:
        raise InputError("--domain: write LO:HI, e.g. 0: or 0:30 (either side may be empty)")
    lo = to_fraction(lo_s, "--domain") if lo_s.strip() else None
    hi = to_fraction(hi_s, "--domain") if hi_s.strip() else None
    res = parametric_analysis(types, args.param, (lo, hi))
    q = sympy.Symbol("q")
    regions = []
    for (a, b, ca, cb), snap in res.merged():
        sw = snap["swapped"]

        def fq(x, sw=sw):
            return None if x is None else str(sympy.simplify(1 - x if sw else x))

        pieces = []
        for p in snap["random" if args.random else "deterministic"]:
            p = dict(p)
            const, slope = p["profit"]
            if p["lo"] == p["hi"]:
                prof = const + slope * p["lo"]  # a point piece: the profit's value there
            else:
                prof = const + slope * (1 - q if sw else q)
            entry = {"q_from": fq(p["lo"]), "q_to": fq(p["hi"]), "point": p["lo"] == p["hi"], "profit": str(sympy.factor(sympy.together(prof)))}
            if args.random:
                entry["type1_gets"] = [{k: str(w) for k, w in x} for x in p["x1"]]
                entry["type1_pays"] = [str(p["p1"][0]), str(p["p1"][1])]
                entry["case"] = p["case"]
            else:
                entry["menus"] = [
                    {snap["types"][0]: {"gets": _names(m[0]), "pays": str(m[2])},
                     snap["types"][1]: {"gets": _names(m[1]), "pays": str(m[3])},
                     "binding": sorted(m[4])}
                    for m in p["menus"]
                ]
            pieces.append(entry)
        if sw:
            pieces.reverse()
        regions.append({
            "from": None if a is None else fmt(a), "to": None if b is None else fmt(b), "closed": [ca, cb],
            "paper_labels": {"type1": snap["types"][0], "type2": snap["types"][1], "swapped": sw},
            "a_BD1": _names(snap["a_BD1"]),
            "q_BD1": fq(snap["q_bd1"]), "q_CD": fq(snap["q_cd"]),
            "pieces": pieces,
        })
    out = {"parameter": args.param, "q_is": f"probability of {list(types)[1]}", "mode": "random" if args.random else "deterministic",
           "regions": regions, "q_BD1": str(res.threshold("q_bd1")), "q_CD": str(res.threshold("q_cd"))}
    if args.json:
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    from rich.console import Console
    from rich.table import Table

    from ..display import plain_console

    con = plain_console(width=max(120, Console().width))  # names print literally
    con.print(f"Parameter {args.param}; q = probability of {list(types)[1]}; thresholds are values of q (file labels)")
    for r in regions:
        lo_b = "(" if not r["closed"][0] else "["
        hi_b = ")" if not r["closed"][1] else "]"
        rng = f"{args.param} = {r['from']}" if r["from"] is not None and r["from"] == r["to"] else \
            f"{args.param} in {lo_b}{r['from'] or '-oo'}, {r['to'] or 'oo'}{hi_b}"
        tab = Table(title=f"{rng}:  a^BD1 = {{{', '.join(r['a_BD1'])}}}, q^BD1 = {r['q_BD1']}, q^CD = {r['q_CD'] or '—'}",
                    title_justify="left")
        for col in ("q from", "q to", "menus" if not args.random else "type 1 gets", "profit"):
            tab.add_column(col)
        for p in r["pieces"]:
            if args.random:
                what = "; ".join(" + ".join(f"{w} {k}" for k, w in x.items()) for x in p["type1_gets"])
            else:
                what = "; ".join(" | ".join(f"{t}: {'/'.join(m[t]['gets'])} at {m[t]['pays']}" for t in m if t != "binding") for m in p["menus"])
            tab.add_row(p["q_from"], p["q_to"], what, p["profit"])
        con.print(tab)
    return 0
