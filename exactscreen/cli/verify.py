"""``exactscreen verify CERTIFICATE.json [--json]``.

Re-checks a certificate written by ``exactscreen solve FILE --certificate
OUT.json`` without the solver: rebuilds paper 000's LP from the environment
and market in the file, recomputes its fingerprint, and checks primal
feasibility, dual feasibility and equal objective values in exact
arithmetic.  Exit status 0: certified; 1: the certificate is wrong (the
first failure is named); 2: the file cannot be read as a certificate.
"""

from __future__ import annotations

import json
import sys

from ..display import safe_text
from ..numbers import fmt_decimal

#: What the verdict depends on (printed with it; see exactscreen.mechanisms.audit).
TRUSTED = (
    "Python's fractions, json and hashlib",
    "exactscreen.environment (parses the environment and market, as for TOML files)",
    "exactscreen.mechanisms.audit (reads the file, rebuilds the LP of paper 000 Sec. 3, fingerprint)",
)
CHECKER = {
    "generic": "exactscreen.lp.certificate (checks primal, dual and objectives row by row in Fractions)",
    "structured": "exactscreen.mechanisms.certificate (checks primal, dual and objectives from the "
                  "economics in python-flint integer matrices)",
}
NOT_TRUSTED = "the solver (exactscreen.lp.exact, exactscreen.mechanisms.structured, HiGHS): not imported"

_CONDITIONS = (
    ("fingerprint", "fingerprint", "the LP rebuilt from the file's environment and market has the claimed fingerprint"),
    ("rows", "dual rows", "one multiplier per LP row, labelled as the LP's rows"),
    ("primal", "primal feasible", "x >= 0, lotteries sum to 1, p >= 0, every IR and IC row holds"),
    ("dual", "dual feasible", "IR/IC multipliers >= 0, every column's dual constraint holds"),
    ("objective", "objectives equal", "revenue = dual objective = the claimed value"),
)


def add_parser(sub) -> None:
    p = sub.add_parser(
        "verify",
        help="re-check a certificate written by solve --certificate, without the solver",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("file", help="certificate JSON written by `exactscreen solve FILE --certificate OUT.json`")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument(
        "--checker",
        choices=("generic", "structured"),
        default="generic",
        help="generic (default): exactscreen.lp.certificate, row by row on the rebuilt LP; structured: "
        "exactscreen.mechanisms.certificate, integer matrices, much faster for many types",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ..mechanisms.audit import read_certificate, verify_certificate

    cert = read_certificate(args.file)
    verdict = verify_certificate(cert, args.checker)
    if args.json:
        _print_json(verdict)
    else:
        _print_text(verdict)
    return 0 if verdict.certified else 1


def _print_json(v) -> None:
    from ..numbers import fmt

    cert, lp = v.certificate, v.lp
    out = {
        "file": cert.source,
        "certified": v.certified,
        "value": fmt(cert.value),
        "environment": cert.environment.to_dict(),
        "market": cert.market.as_dict(),
        "lp": {"columns": len(lp.c), "equality_rows": len(lp.A_eq), "inequality_rows": len(lp.A_ub)},
        "fingerprint": {"claimed": cert.fingerprint, "recomputed": v.recomputed_fingerprint},
        "conditions": dict(v.conditions),
        "failures": list(v.failures[:20]),
        "failures_total": len(v.failures),
        "checker": v.checker,
        "trusted": [*TRUSTED, CHECKER[v.checker]],
        "not_trusted": NOT_TRUSTED,
    }
    json.dump(out, sys.stdout, indent=2)
    print()


def _print_text(v) -> None:
    cert, lp = v.certificate, v.lp
    env = cert.environment
    title = f" {safe_text(repr(env.title))}" if env.title else ""
    market = ", ".join(f"{t}={w}" for t, w in cert.market.as_dict().items())
    lines = [
        f"Certificate {safe_text(cert.source)}",
        f"  environment{title}: {len(env.types)} types, {len(env.alternatives)} alternatives; "
        f"market {safe_text(market)}",
        f"  LP of paper 000, Sec. 3: {len(lp.c)} columns, {len(lp.A_eq)} equality rows, "
        f"{len(lp.A_ub)} inequality rows",
        f"  fingerprint sha256 {v.recomputed_fingerprint} (recomputed)",
    ]
    width = max(len(label) for _, label, _ in _CONDITIONS)
    for key, label, what in _CONDITIONS:
        mark = "yes" if v.conditions[key] else "NO "
        lines.append(f"  {label:<{width}}  {mark}  {what}")
    value = safe_text(_exact_and_decimal(cert.value))
    if v.certified:
        lines.append(f"Verdict: CERTIFIED: the optimal revenue of this LP is {value}, and the primal "
                     "solution in the file is an optimal mechanism")
    else:
        more = len(v.failures) - 1
        lines.append(f"Verdict: NOT CERTIFIED: {safe_text(v.failures[0])}"
                     + (f" (and {more} more failure{'s' if more > 1 else ''})" if more else ""))
    lines.append("Trusted: " + "; ".join([*TRUSTED, CHECKER[v.checker]]) + ".")
    lines.append("Not trusted: " + NOT_TRUSTED + ".")
    print("\n".join(lines))


def _exact_and_decimal(q) -> str:
    from ..numbers import fmt

    s, d = fmt(q), fmt_decimal(q, 4)
    if len(s) > 60:  # the exact value is in the file (and in --json)
        return f"{d} (exact: the file's value, {len(s)} characters)"
    return s if s == d else f"{s} ({d})"
