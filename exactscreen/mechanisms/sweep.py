"""Every market on a line, exactly: the pieces of ``[0, 1]`` on which the optimal mechanism is
constant, with a certificate valid on each whole piece (issue 17).

The markets are ``f_l = (1 - l) f0 + l f1`` for ``l`` in ``[0, 1]`` (paper 000, Sec. 3.1.1 draws
this line for two types, ``q = l``; App. A.4 studies limits along such families).

**Why pieces exist.**  The mechanism LP (paper 000, Sec. 3; :func:`~exactscreen.mechanisms.optimum.mechanism_lp`)
has a feasible set (lotteries, IC, IR, ``p >= 0``) that does not depend on the market; only the
objective ``c(l) . x = sum_t f_l(t) p(t)`` moves, and it is affine in ``l``.  So the optimal revenue
``R(l) = max_x c(l) . x`` is a maximum of affine functions: convex and piecewise linear.  If ``R``
is affine on ``[a, b]`` and ``x`` is optimal at an interior point, then ``c(l) . x`` is affine,
``<= R`` and equal to ``R`` inside, hence equal on all of ``[a, b]``: the optimal face is constant
on each open linearity interval and can only grow at its ends.  Inside ``(0, 1)`` the market's
support is constant too, so the *selected* mechanism (the selection rule depends only on the
optimal set and the support, :mod:`exactscreen.mechanisms.optimum`) is constant on each open piece.
The pieces' ends inside ``(0, 1)`` are therefore exactly the kinks of ``R``; at a kink the optimal
face contains the faces of both neighbours (ties).  At ``l = 0`` and ``l = 1`` the face may be
larger than on the adjacent open piece (types outside one end's support leave the objective); the
sweep tests this exactly (:func:`~exactscreen.mechanisms.optimum.payment_functional_range`: the
face at ``0`` equals the face on ``(0, k_1)`` iff ``c(1) . x`` is constant on it) and reports such
an end as a point piece.

**Method** (Eisner & Severance's parametric search with the exact engine; no second solver).
The search needs only optimal values, so it runs the certified LP alone
(:func:`~exactscreen.mechanisms.structured.solve_mechanism`, no face): solve at ``0`` and ``1``;
for two solved points ``a < b`` with optimal vertices ``x_a, x_b``, the lines ``c(l) . x_a`` and
``c(l) . x_b`` either meet ``R`` at the other end too (then ``R`` is affine on ``[a, b]``) or cross
once at ``l*`` in ``(a, b)``; solve at ``l*``: if ``R(l*)`` equals the lines, ``l*`` is a kink (by
convexity ``R`` is the left line on ``[a, l*]`` and the right one on ``[l*, b]``); otherwise the new
optimum's line is new and both halves recurse.  The kinks are then read from the slopes of the
lines on the intervals that tile ``[0, 1]``: a point solved on the way can be a kink itself.  Each
solve either confirms a kink or adds a supporting line, and no point is solved twice, so the
search ends; ``max_solves`` bounds it
(:class:`~exactscreen.exceptions.Undecided` when exceeded).  Then the full engine
(:func:`~exactscreen.mechanisms.optimum.optimal_mechanism`: face, selection, checks) runs once per
open piece, at the piece's simplest rational (short numbers make the exact face cheaper), once
per kink (the tie face), and at an end only when the end can differ from its neighbour; at a
kink or an end it starts from the search's certified LP solution there (``solution=``, its
certificate re-checked) instead of solving the LP again.

**Certificate per piece.**  The piece's selected mechanism ``x`` with exact dual certificates
``y_lo`` (for ``c(lo)``) and ``y_hi`` (for ``c(hi)``) of equal value: a convex combination of the two
duals is dual feasible for ``c(l)`` and its value interpolates, so ``x`` is optimal on the whole
closed piece.  :func:`exactscreen.mechanisms.sweep_check.check_sweep` re-checks all of it (and
that the pieces tile ``[0, 1]``, that slopes change at every kink, revenue continuity) with code
that shares nothing with this module; :func:`sweep` raises :class:`NotCertified` if it fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Callable, Mapping, Sequence

from ..environment import Environment, Market
from ..exceptions import InputError, NotCertified, Undecided
from ..numbers import fmt, fmt_decimal
from .mechanism import Mechanism
from .optimum import OptimalFace, OptimalMechanism, optimal_mechanism, payment_functional_range
from .structured import MechanismSolution, solve_mechanism

__all__ = ["Sweep", "SweepPiece", "sweep", "line_market", "DEFAULT_MAX_SOLVES", "SWEEP_SELECTION_RULES"]

ZERO, ONE = Fraction(0), Fraction(1)
DEFAULT_MAX_SOLVES = 1000
"""Default bound on the solves of one sweep (LP-only and full engine solves together: the loop bound)."""
SWEEP_SELECTION_RULES = ("support-value", "total-value")
"""Selection rules a sweep accepts: those depending only on the optimal set and the support (the
consumer-surplus rules weigh types by ``f_l`` and could change inside a piece)."""


def line_market(f0: Market, f1: Market, l: Fraction) -> Market:
    """The market ``(1 - l) f0 + l f1`` (exact)."""
    l = Fraction(l)
    return Market(f0.environment, tuple((1 - l) * a + l * b for a, b in zip(f0.weights, f1.weights)))


@dataclass(frozen=True)
class SweepPiece:
    """Markets ``f_l`` for ``l`` in one piece (an open, half-open or closed interval, or a point
    ``lo == hi``) with one optimal face and one selected mechanism.

    ``revenue_lo``, ``revenue_hi``: the optimal revenue at ``lo`` and ``hi``; it is affine in between.
    ``mechanism``: the selected optimal mechanism on the piece (optimal on the closed piece).
    ``surplus``: each type's consumer surplus under it (constant on the piece, paper 000, Fig. 1).
    ``face``: the ranges over all optimal mechanisms on the piece (:class:`OptimalFace`).
    ``sample``: the ``l`` at which the face was computed (inside the piece).
    ``dual_lo``, ``dual_hi``: ``(y_eq, y_ub)``, exact dual certificates of the mechanism LP at ``lo``
    and ``hi`` in :func:`~exactscreen.mechanisms.optimum.mechanism_lp`'s row order; with
    ``mechanism`` they prove it optimal on ``[lo, hi]`` (module docstring).
    """

    lo: Fraction
    hi: Fraction
    lo_closed: bool
    hi_closed: bool
    revenue_lo: Fraction
    revenue_hi: Fraction
    mechanism: Mechanism = field(repr=False)
    surplus: tuple[Fraction, ...]
    efficient: bool
    unique: bool
    payment_rule_unique: bool
    face: OptimalFace = field(repr=False, compare=False)
    sample: Fraction = field(repr=False)
    dual_lo: tuple[tuple[Fraction, ...], tuple[Fraction, ...]] = field(repr=False, compare=False)
    dual_hi: tuple[tuple[Fraction, ...], tuple[Fraction, ...]] = field(repr=False, compare=False)

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi

    @property
    def slope(self) -> Fraction:
        """``dR/dl`` on the piece (0 for a point piece)."""
        return ZERO if self.is_point else (self.revenue_hi - self.revenue_lo) / (self.hi - self.lo)

    def revenue(self, l: Fraction) -> Fraction:
        """The optimal revenue at ``l`` in the piece (affine interpolation; exact)."""
        l = Fraction(l)
        if not self.contains(l):
            raise InputError(f"l: {fmt(l)} is not in the piece {self.interval()}")
        if self.is_point:
            return self.revenue_lo
        return self.revenue_lo + (l - self.lo) * self.slope

    def contains(self, l: Fraction) -> bool:
        return (self.lo < l < self.hi) or (l == self.lo and self.lo_closed) or (l == self.hi and self.hi_closed)

    def interval(self) -> str:
        if self.is_point:
            return f"{{{fmt(self.lo)}}}"
        return f"{'[' if self.lo_closed else '('}{fmt(self.lo)}, {fmt(self.hi)}{']' if self.hi_closed else ')'}"

    def to_json(self) -> dict:
        env, m = self.mechanism.environment, self.mechanism
        return {
            "lo": fmt(self.lo),
            "hi": fmt(self.hi),
            "lo_closed": self.lo_closed,
            "hi_closed": self.hi_closed,
            "revenue": {"at_lo": fmt(self.revenue_lo), "at_hi": fmt(self.revenue_hi)},
            "mechanism": {
                t: {"option": m.option(i), "allocation": m.allocation_dict(i), "payment": fmt(m.payments[i]),
                    "price": fmt(m.price(i))}
                for i, t in enumerate(env.types)
            },
            "surplus": {t: fmt(u) for t, u in zip(env.types, self.surplus)},
            "efficient": self.efficient,
            "unique": self.unique,
            "payment_rule_unique": self.payment_rule_unique,
            "surplus_range": {t: r.as_json() for t, r in zip(env.types, self.face.surplus)},
            "payment_range": {t: r.as_json() for t, r in zip(env.types, self.face.payment)},
            "sample": fmt(self.sample),
        }


@dataclass(frozen=True)
class Sweep:
    """The exact analysis of every market on the line ``(1 - l) f0 + l f1``, ``l`` in ``[0, 1]``.

    ``pieces`` tile ``[0, 1]`` in order (open pieces between point pieces); ``revenue_kinks`` are
    the ``l`` in ``(0, 1)`` where the optimal revenue changes slope; ``breakpoints`` are the
    ``l`` where the optimal face, the selected mechanism or its efficiency differs from that of the
    adjacent open pieces: the kinks, and ``0`` / ``1`` when one of them differs there (an end's
    market can have a smaller support: paper 000, Sec. 3.1.1, "inefficient except for market
    q = 1").  Each breakpoint is a point piece carrying the face there (ties).  ``solves``: full engine
    solves (:func:`~exactscreen.mechanisms.optimum.optimal_mechanism`: face and selection);
    ``lp_solves``: the search's LP-only solves and the end-face tests (each one LP plus a small LP on the face).
    ``check``: the independent check (:func:`exactscreen.mechanisms.sweep_check.check_sweep`).
    """

    environment: Environment = field(repr=False)
    f0: Market
    f1: Market
    pieces: tuple[SweepPiece, ...]
    breakpoints: tuple[Fraction, ...]
    revenue_kinks: tuple[Fraction, ...]
    selection: str = "support-value"
    solves: int = 0
    lp_solves: int = 0
    check: object = field(default=None, repr=False, compare=False)

    @property
    def verified(self) -> bool:
        return self.check is not None and bool(getattr(self.check, "ok", False))

    def market(self, l: Fraction) -> Market:
        return line_market(self.f0, self.f1, l)

    def piece(self, l: Fraction) -> SweepPiece:
        """The piece containing ``l``."""
        l = Fraction(l)
        for p in self.pieces:
            if p.contains(l):
                return p
        raise InputError(f"l: {fmt(l)} is not in [0, 1]")

    def revenue(self, l: Fraction) -> Fraction:
        """The optimal revenue at ``l`` (exact, from the certified pieces)."""
        return self.piece(l).revenue(l)

    def mechanism_intervals(self) -> tuple[tuple[Fraction, Fraction, bool, bool, Mechanism], ...]:
        """Maximal runs of consecutive pieces with the same selected mechanism, as
        ``(lo, hi, lo_closed, hi_closed, mechanism)``: the paper's "intervals" of Sec. 3.1.1
        (which name the mechanism, not the face)."""
        out: list[list] = []
        for p in self.pieces:
            if out and out[-1][4] == p.mechanism:
                out[-1][1], out[-1][3] = p.hi, p.hi_closed
            else:
                out.append([p.lo, p.hi, p.lo_closed, p.hi_closed, p.mechanism])
        return tuple(tuple(r) for r in out)  # type: ignore[misc]

    def to_json(self) -> dict:
        """The ``exactscreen sweep --json`` object (issue 17's contract; exact values as strings)."""
        env = self.environment
        return {
            "environment": env.to_dict(),
            "from": self.f0.as_dict(),
            "to": self.f1.as_dict(),
            "selection": self.selection,
            "pieces": [p.to_json() for p in self.pieces],
            "breakpoints": [fmt(b) for b in self.breakpoints],
            "revenue_kinks": [fmt(b) for b in self.revenue_kinks],
            "solves": self.solves,
            "lp_solves": self.lp_solves,
            "certificate": {
                "verified": self.verified,
                "checked_by": "exactscreen.mechanisms.sweep_check.check_sweep",
                "what": "per piece: the selected mechanism is feasible and optimal at both ends (exact duals), "
                        "hence on the whole piece; pieces tile [0, 1]; slopes differ at every kink",
            },
        }

    def rows(self) -> list[list[str]]:
        """The piece table as text cells: l, revenue (at lo .. at hi), each type's option and payment, surplus."""
        env = self.environment
        out = []
        for p in self.pieces:
            rev = fmt(p.revenue_lo) if p.is_point or p.revenue_lo == p.revenue_hi else f"{fmt(p.revenue_lo)} .. {fmt(p.revenue_hi)}"
            cells = [p.interval(), rev]
            cells += [f"{p.mechanism.option(i)} @ {fmt(p.mechanism.payments[i])}" for i in range(env.n)]
            cells += [", ".join(fmt(u) for u in p.surplus),
                      "yes" if p.efficient else "no", "yes" if p.unique else "no"]
            out.append(cells)
        return out

    def header(self) -> list[str]:
        env = self.environment
        return ["l", "revenue", *(f"{t} gets @ pays" for t in env.types),
                "surplus (" + ", ".join(env.types) + ")", "efficient", "unique"]

    def __str__(self) -> str:
        rows = [self.header()] + self.rows()
        widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
        lines = [f"Sweep of the markets (1 - l) f0 + l f1, l in [0, 1]",
                 f"  f0 = {self.f0!r}", f"  f1 = {self.f1!r}"]
        for r in rows:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        lines.append("  revenue kinks: " + (", ".join(f"{fmt(k)} ({fmt_decimal(k, 4)})" for k in self.revenue_kinks) or "none"))
        lines.append("  breakpoints (the face, the selected mechanism or its efficiency changes): "
                     + (", ".join(fmt(b) for b in self.breakpoints) or "none"))
        lines.append(f"  certificate: {'verified' if self.verified else 'NOT verified'} "
                     f"(each piece: optimal at both ends with exact duals); {self.solves} face solves + {self.lp_solves} LP solves; "
                     f"selection rule {self.selection}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Sweep(pieces={len(self.pieces)}, revenue_kinks=[{', '.join(fmt(k) for k in self.revenue_kinks)}], "
                f"verified={self.verified})")

    def _repr_html_(self) -> str:
        """Jupyter: the piece table (exact values with decimals), kinks and the certificate
        (paper 000, Sec. 3.1.1: pieces of the line of markets)."""
        from .. import notebook as nb

        env = self.environment
        header = ["l", "revenue at lo", "revenue at hi", *(f"{t} gets" for t in env.types),
                  *(f"p({t})" for t in env.types), *(f"u({t})" for t in env.types), "efficient", "unique"]
        rows = []
        for p in self.pieces:
            rows.append([p.interval(), p.revenue_lo, p.revenue_hi,
                         *(p.mechanism.option(i) for i in range(env.n)), *p.mechanism.payments, *p.surplus,
                         "yes" if p.efficient else "no", "yes" if p.unique else "no"])
        facts = [("f0", nb.esc(repr(self.f0))), ("f1", nb.esc(repr(self.f1))),
                 ("revenue kinks", nb.Html(", ".join(nb.num(k) for k in self.revenue_kinks) or "none")),
                 ("breakpoints", nb.Html(", ".join(nb.num(b) for b in self.breakpoints) or "none")),
                 ("certificate", f"{'verified' if self.verified else 'NOT verified'}; {self.solves} face solves + {self.lp_solves} LP solves"),
                 ("selection rule", self.selection)]
        return nb.block("Sweep of the markets (1 − l) f0 + l f1", nb.table(header, rows), nb.kv_table(facts))


# ----------------------------------------------------------------------------
# The search
# ----------------------------------------------------------------------------
def _as_market(env: Environment, f: Market | Mapping[str, object], what: str) -> Market:
    if isinstance(f, Market):
        if f.environment is not env and f.environment != env:
            raise InputError(f"{what}: the market belongs to a different environment")
        return f
    if not isinstance(f, Mapping):
        raise InputError(f"{what}: give a Market or a mapping type -> probability")
    return Market.from_mapping(env, f)


def sweep(
    env: Environment,
    f0: Market | Mapping[str, object],
    f1: Market | Mapping[str, object],
    *,
    selection: str = "support-value",
    max_solves: int = DEFAULT_MAX_SOLVES,
    check_face: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Sweep:
    """Every market ``(1 - l) f0 + l f1``, ``l`` in ``[0, 1]``: exact pieces with certificates.

    See the module docstring (paper 000, Sec. 3.1.1 for the two-type line; App. A.4 for
    families of markets).  ``selection`` is ``"support-value"`` or ``"total-value"``
    (:data:`SWEEP_SELECTION_RULES`).  ``max_solves`` bounds the solves (LP-only and full); past it the sweep
    raises :class:`~exactscreen.exceptions.Undecided`.  ``check_face`` is passed to
    :func:`~exactscreen.mechanisms.optimum.optimal_mechanism` for every solve.  The result is
    re-checked by :func:`exactscreen.mechanisms.sweep_check.check_sweep`; a failure raises
    :class:`NotCertified`.
    """
    from .sweep_check import check_sweep  # the checker shares no code with this module

    if selection not in SWEEP_SELECTION_RULES:
        raise InputError(f"selection: a sweep takes one of {', '.join(SWEEP_SELECTION_RULES)}, not {selection!r} "
                         "(rules weighing types by the market could change inside a piece)")
    if isinstance(max_solves, bool) or not isinstance(max_solves, int) or max_solves < 3:
        raise InputError(f"max_solves: need a whole number >= 3, got {max_solves!r}")
    m0, m1 = _as_market(env, f0, "from"), _as_market(env, f1, "to")
    lps: dict[Fraction, MechanismSolution] = {}  # the LP alone (optimum and duals): the search
    full: dict[Fraction, OptimalMechanism] = {}  # the engine with face and selection: what is reported
    tests = [0]  # end-face tests (one small LP on the face each)

    def budget(what: str) -> None:
        if len(lps) + len(full) + tests[0] >= max_solves:
            raise Undecided(f"sweep: the search needs more than max_solves={max_solves} engine solves "
                            f"({what}); raise max_solves (--max-solves)")

    def lp(l: Fraction) -> MechanismSolution:
        r = lps.get(l)
        if r is None:
            budget(f"optimum at l = {fmt(l)}")
            if progress is not None:
                progress(f"optimum {len(lps) + 1} at l = {fmt(l)}")
            r = lps[l] = solve_mechanism(env, line_market(m0, m1, l))
            if not r.check.ok:  # pragma: no cover - solve_mechanism never returns one
                raise NotCertified(f"sweep: the optimum at l = {fmt(l)} failed its certificate check")
        return r

    def face(l: Fraction) -> OptimalMechanism:
        r = full.get(l)
        if r is None:
            budget(f"face at l = {fmt(l)}")
            if progress is not None:
                progress(f"face {len(full) + 1} at l = {fmt(l)}")
            # binding=False: the sweep reports no binding sets, and at a kink's tie face they are a
            # third of the engine's time (one exact LP per IC edge that may bind, (40, 16)).
            # solution: at a kink or an end the search has already solved the LP (certified);
            # the engine re-checks that certificate instead of solving again
            r = full[l] = optimal_mechanism(env, line_market(m0, m1, l), selection=selection, binding=False,
                                            check_face=check_face, solution=lps.get(l))
        return r

    def revenue(l: Fraction) -> Fraction:
        return lp(l).result.objective

    def line(payments: Sequence[Fraction]) -> tuple[Fraction, Fraction]:
        """``(c0 . x, c1 . x)`` of a mechanism with these payments: its revenue is ``(1 - l) A + l B``."""
        return (sum((f * p for f, p in zip(m0.weights, payments)), ZERO),
                sum((f * p for f, p in zip(m1.weights, payments)), ZERO))

    w = env.k + 2  # mechanism_lp's columns: per type x(t, a_1..a_k), x(t, 0), p(t)

    def lp_line(l: Fraction) -> tuple[Fraction, Fraction]:
        x = lp(l).result.x
        return line([x[i * w + w - 1] for i in range(env.n)])

    def at(ln: tuple[Fraction, Fraction], l: Fraction) -> Fraction:
        return (1 - l) * ln[0] + l * ln[1]

    # Eisner-Severance on an explicit stack, with the LP alone; every pop either ends (affine, or
    # a kink) or adds a solve at a new point, and solves are bounded by max_solves
    # the search ends with intervals tiling [0, 1], each with a line equal to R on it; the kinks are
    # read from their slopes at the end: a point solved on the way can itself be a kink (the optimum
    # returned there is one of the tie's), and then neither half finds it as a crossing (E_3 of
    # PIS App. A.4: l = 1/3 is solved first and is the kink between 1/4..1/3 and 1/3..5/11)
    segments: list[tuple[Fraction, Fraction, tuple[Fraction, Fraction]]] = []
    stack = [(ZERO, lp_line(ZERO), ONE, lp_line(ONE))]
    pops = 0
    while stack:
        pops += 1  # each pop ends an interval or solves at a new point inside it: pops <= 2 solves + 1
        if pops > 2 * max_solves + 1:  # pragma: no cover - implied by the solve budget
            raise Undecided(f"sweep: the search did not end within {2 * max_solves + 1} steps")
        a, la, b, lb = stack.pop()
        Ra, Rb = at(la, a), at(lb, b)
        if at(la, b) == Rb or at(lb, a) == Ra:
            # one optimum is optimal at both ends: R is affine on [a, b], equal to its line
            segments.append((a, b, la if at(la, b) == Rb else lb))
            continue
        # la is above lb at a and below it at b: the lines cross once, inside (a, b)
        da, db = la[0] - lb[0], la[1] - lb[1]  # (1 - l) da + l db vanishes at l = da / (da - db)
        ls = da / (da - db)
        if not a < ls < b:  # pragma: no cover - excluded by the signs above
            raise NotCertified(f"sweep: the lines of two optima cross at {fmt(ls)}, outside ({fmt(a)}, {fmt(b)})")
        rs = revenue(ls)
        if rs == at(la, ls):
            # R = la on [a, ls] and lb on [ls, b] (convexity), and their slopes differ
            segments += [(a, ls, la), (ls, b, lb)]
            continue
        if rs < at(la, ls):  # pragma: no cover - the engine's optimum is certified
            raise NotCertified(f"sweep: the optimum at l = {fmt(ls)} is below a feasible mechanism's revenue")
        lm = lp_line(ls)
        stack += [(a, la, ls, lm), (ls, lm, b, lb)]

    segments.sort()
    kinks: set[Fraction] = set()
    for (a, b, la), (c, d, lc) in zip(segments, segments[1:]):
        if b != c:  # pragma: no cover - the search splits intervals into halves that meet
            raise NotCertified(f"sweep: the search left a gap or an overlap at l = {fmt(b)}, {fmt(c)}")
        if la[1] - la[0] != lc[1] - lc[0]:
            kinks.add(b)  # both lines equal R at b: R changes slope there
        elif la != lc:  # pragma: no cover - equal slopes and a common point: the same line
            raise NotCertified(f"sweep: two lines of R with equal slopes differ at l = {fmt(b)}")
    if not segments or segments[0][0] != ZERO or segments[-1][1] != ONE:  # pragma: no cover
        raise NotCertified("sweep: the search did not cover [0, 1]")
    ends = [ZERO, *sorted(kinks), ONE]
    # each open piece's face at its simplest rational (short numbers: a cheaper exact face)
    samples = [_simplest_between(a, b) for a, b in zip(ends, ends[1:])]
    inside = [face(l) for l in samples]

    def dual(l: Fraction) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
        res = lp(l).result
        return (tuple(res.y_eq), tuple(res.y_ub))

    def make(r: OptimalMechanism, lo: Fraction, hi: Fraction, lo_closed: bool, hi_closed: bool,
             sample: Fraction) -> SweepPiece:
        fc = r.face
        assert fc is not None
        m = r.mechanism
        ln = line(m.payments)
        for e in (lo, hi):  # the selected mechanism must be optimal at both ends (module docstring)
            if at(ln, e) != revenue(e):
                raise NotCertified(f"sweep: the mechanism selected at l = {fmt(sample)} earns {fmt(at(ln, e))} at "
                                   f"l = {fmt(e)}, not the optimum {fmt(revenue(e))}")
        return SweepPiece(lo, hi, lo_closed, hi_closed, revenue(lo), revenue(hi), m,
                          tuple(m.surplus(i) for i in range(env.n)), r.efficient, fc.unique,
                          fc.payment_rule_unique, fc, sample, dual(lo), dual(hi))

    def face_grows_at(e: Fraction) -> bool:
        """Is the optimal face at the end ``e`` (0 or 1) larger than on the adjacent open piece?
        It is not iff the revenue in the other end's market is constant on it."""
        if m0 == m1:
            return False  # one market: the objective does not move
        tests[0] += 1
        budget(f"end test at l = {fmt(e)}")
        other = m1 if e == ZERO else m0
        return not payment_functional_range(env, line_market(m0, m1, e), other.weights, solution=lp(e)).is_point

    def support(l: Fraction) -> tuple[bool, ...]:
        return tuple(f > 0 for f in line_market(m0, m1, l).weights)

    def end_joins(e: Fraction, r_in: OptimalMechanism, l_in: Fraction) -> bool:
        """Does the end ``e`` belong to the adjacent open piece (same face, selection and efficiency)?"""
        if face_grows_at(e):
            return False
        if support(e) == support(l_in):
            return True  # same face and same support: the same selected mechanism, the same efficiency
        r_e = face(e)
        return r_e.mechanism == r_in.mechanism and r_e.efficient == r_in.efficient

    first = end_joins(ZERO, inside[0], samples[0])
    last = end_joins(ONE, inside[-1], samples[-1])
    pieces: list[SweepPiece] = []
    breakpoints: list[Fraction] = []
    if not first:
        pieces.append(make(face(ZERO), ZERO, ZERO, True, True, ZERO))
        breakpoints.append(ZERO)
    for i, (a, b) in enumerate(zip(ends, ends[1:])):
        pieces.append(make(inside[i], a, b, i == 0 and first, i == len(ends) - 2 and last, samples[i]))
        if i < len(ends) - 2:
            pieces.append(make(face(b), b, b, True, True, b))
            breakpoints.append(b)
    if not last:
        pieces.append(make(face(ONE), ONE, ONE, True, True, ONE))
        breakpoints.append(ONE)
    out = Sweep(env, m0, m1, tuple(pieces), tuple(breakpoints), tuple(sorted(kinks)), selection,
                len(full), len(lps) + tests[0])
    chk = check_sweep(out)
    if not chk.ok:
        raise NotCertified(f"sweep: failed its independent check (exactscreen.mechanisms.sweep_check): {chk.failures[0]}")
    return replace(out, check=chk)


def _simplest_between(a: Fraction, b: Fraction) -> Fraction:
    """The rational with the smallest denominator strictly between ``a < b`` (continued fractions;
    the recursion depth is the length of their expansions, a few dozen at most)."""
    fa = a.numerator // a.denominator
    if fa + 1 < b:
        return Fraction(fa + 1)
    if a == fa:  # (fa, b) with b <= fa + 1: the simplest is fa + 1/m, m the least with 1/m < b - fa
        c = b - fa
        return fa + Fraction(1, c.denominator // c.numerator + 1)
    return fa + 1 / _simplest_between(1 / (b - fa), 1 / (a - fa))
