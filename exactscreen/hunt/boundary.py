"""Where along a line of markets a claim starts failing (issue 17, item 3): the boundary between
a market where a hunted claim holds and the counterexample's market.

For a counterexample ``(env, f1)`` (an environment and a market, as the hunts of paper 000 find
them), :func:`market_boundary` takes a market ``f0`` of the same environment where the claim holds
(the first of: each type alone, in the environment's order, then the uniform market) and the line
``f_l = (1 - l) f0 + l f1``, ``l`` in ``[0, 1]`` (PIS Sec. 3.1.1 draws this line for two types).

1. The certified sweep (:func:`exactscreen.mechanisms.sweep.sweep`, Eisner-Severance with exact
   duals per piece, re-checked by :mod:`exactscreen.mechanisms.sweep_check`) cuts ``[0, 1]`` into
   exact pieces on which the optimal face and the selected mechanism are constant.
2. The claim (the hunt's ``refutes``) is tested once per piece, at the piece's sample market (a
   point piece at its point), in order of ``l``: the first piece where it fails is reported, with
   its exact lower end as the breakpoint.  A claim about the optimal mechanism (its face, its
   selection, efficiency, surplus) is constant on each piece, so for such claims this is the
   exact boundary; a claim that depends on the market in other ways can change inside a piece,
   hence step 3.
3. Bisection with exact midpoints between the last market tested where the claim holds and the
   first where it fails (at most ``bisect_steps`` halvings) gives a bracket ``holds_at < fails_at``;
   when the claim is constant on pieces, ``fails_at`` approaches the breakpoint from the right
   (or equals it when the breakpoint is a closed end).

Every loop is bounded: the sweep by ``max_solves``, the tests by the number of pieces, the
bisection by ``bisect_steps``.  The result is a dict of exact strings (see :func:`market_boundary`),
written by :mod:`.output` into the counterexample TOML as a commented ``[boundary]`` block.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..environment import Environment, Market
from ..exceptions import NotCertified, Undecided
from ..numbers import fmt
from .registry import Hunt
from .shrinking import user_call

__all__ = ["market_boundary", "DEFAULT_BOUNDARY_SOLVES", "DEFAULT_BISECT_STEPS"]

DEFAULT_BOUNDARY_SOLVES = 200
"""Bound on the sweep's engine solves for one boundary (the sweep raises ``Undecided`` past it)."""
DEFAULT_BISECT_STEPS = 16
"""Bound on the exact bisection steps inside the boundary bracket."""


def _is_market_case(cx: Any) -> bool:
    return (isinstance(cx, tuple) and len(cx) == 2 and isinstance(cx[0], Environment)
            and isinstance(cx[1], Market) and cx[1].environment == cx[0])


def _candidates(env: Environment) -> list[Market]:
    """Markets tried, in order, as the end where the claim holds: each type alone, then uniform."""
    out = []
    for i in range(env.n):
        out.append(Market(env, tuple(Fraction(int(j == i)) for j in range(env.n))))
    out.append(Market(env, tuple(Fraction(1, env.n) for _ in range(env.n))))
    return out


def market_boundary(h: Hunt, cx: Any, *, max_solves: int = DEFAULT_BOUNDARY_SOLVES,
                    bisect_steps: int = DEFAULT_BISECT_STEPS) -> dict | None:
    """The boundary along the line from a market where ``h``'s claim holds to the counterexample
    ``cx = (env, market)`` (module docstring); None when ``cx`` is not such a pair, when the hunt
    cannot evaluate its claim on a given instance (no ``refutes`` and no strategy: its property
    draws its own instances), or when no candidate market of ``env`` satisfies the claim.

    Returns ``{"from": {type: weight}, "to": {type: weight}, "line": "(1 - l) from + l to",
    "status": "found" | "undecided" | "not certified", ...}``; with status ``"found"`` also
    ``"breakpoint"`` (the ``l`` where the first failing piece starts), ``"breakpoint_market"``,
    ``"fails_from"`` (that piece: ``lo``, ``hi``, ``lo_closed``, ``hi_closed``), ``"holds_on"``
    (the pieces before it, as intervals), ``"pieces"`` (of the sweep), ``"tested"`` (claim
    evaluations), and ``"bisection"`` (``holds_at``, ``fails_at``, ``steps``).  Exact values as
    strings.  The claim is evaluated by the hunt's ``refutes`` (an exception in it is a
    :class:`~exactscreen.hunt.HuntError`, as while minimizing).
    """
    if not _is_market_case(cx) or (h.refutes is None and h.strategy is None):
        return None  # no line of markets, or no way to evaluate the claim on a given market
    from ..mechanisms.sweep import line_market, sweep  # the sweep only when a boundary is asked for

    env, f1 = cx
    tested = [0]

    def fails(g: Market) -> bool:
        tested[0] += 1
        case = (env, g)
        return bool(user_call(h, "refutes", case, h.still_refutes, case))

    f0 = None
    for cand in _candidates(env):  # at most n + 1 evaluations
        if cand != f1 and not fails(cand):
            f0 = cand
            break
    if f0 is None:
        return None
    out: dict[str, Any] = {"from": f0.as_dict(), "to": f1.as_dict(), "line": "(1 - l) from + l to"}
    try:
        s = sweep(env, f0, f1, max_solves=max_solves)
    except Undecided as exc:
        return {**out, "status": "undecided", "reason": str(exc), "tested": tested[0]}
    except NotCertified as exc:  # pragma: no cover - the sweep's own check failed: reported, not hidden
        return {**out, "status": "not certified", "reason": str(exc), "tested": tested[0]}
    last_holds: Fraction = Fraction(0)  # the claim holds at l = 0 (f0 was chosen so)
    first_fail = None
    holds_on = []
    for p in s.pieces:  # in order of l; one evaluation per piece
        if fails(line_market(f0, f1, p.sample)):
            first_fail = p
            break
        holds_on.append(p.interval())
        last_holds = p.sample
    # None: the claim held at every piece's sample but fails at l = 1 (f1), the closed end of the
    # last piece: it is not constant on that piece, and only the bisection locates the change
    first_fail_l = Fraction(1) if first_fail is None else first_fail.sample
    # exact bisection between the last market where it held and the first where it failed
    lo, hi, steps = last_holds, first_fail_l, 0
    while steps < bisect_steps and hi - lo > 0:
        mid = (lo + hi) / 2
        steps += 1
        if fails(line_market(f0, f1, mid)):
            hi = mid
        else:
            lo = mid
    out.update({"status": "found", "pieces": len(s.pieces), "holds_on": holds_on})
    if first_fail is not None:
        out.update({
            "breakpoint": fmt(first_fail.lo),
            "breakpoint_market": line_market(f0, f1, first_fail.lo).as_dict(),
            # l = 0 is a closed end only of the first piece, and the claim holds there (f0)
            "fails_from": {"lo": fmt(first_fail.lo), "hi": fmt(first_fail.hi),
                           "lo_closed": first_fail.lo_closed and first_fail.lo != 0,
                           "hi_closed": first_fail.hi_closed},
        })
    else:
        out["note"] = "the claim holds at every piece's sample and fails at l = 1: see the bisection"
    out["bisection"] = {"holds_at": fmt(lo), "fails_at": fmt(hi), "steps": steps}
    out["tested"] = tested[0]
    return out
