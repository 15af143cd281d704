"""Three-valued branch and bound on boxes with exact rational corners, and certified sign tests
of polynomials on boxes.

:func:`branch_and_bound` discards a box as soon as one *rule* certifies the
property on it, bisects otherwise, and answers three-valued
(:class:`~exactscreen.numbers.Certainty`): ``TRUE`` (every box certified),
``FALSE`` (a point where the property certainly fails, returned), or
``UNDECIDED`` (budget or depth exhausted; the leftover boxes are reported).
R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
SIAM 2009.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Sequence

import sympy
from flint import arb

from ...numbers import Certainty, to_fraction
from .arb import PREC, _certainly_ge, _certainly_le, _certainly_lt, arb_ball, arb_function, interval_arb, working_precision

Interval = tuple[Fraction, Fraction]
Box = tuple[Interval, ...]


@dataclass(frozen=True)
class Rule:
    """A way to certify the property on a box: ``test(balls, box) -> bool``.

    ``balls`` are arb balls containing the box's intervals; ``box`` its exact
    rational corners.  A true value means *certified on the whole box* and must
    only be returned when proven; a truthy value other than ``True`` (e.g. the
    dict of :meth:`SignOracle.below`) is the data the rule used, kept in the
    certificate (:attr:`BnBResult.final`) for an independent replayer.
    """

    name: str
    test: Callable[[tuple[arb, ...], Box], bool]


@dataclass
class BnBResult:
    """Outcome of :func:`branch_and_bound`.

    ``certainty`` is TRUE (property certified on the whole domain), FALSE
    (``counterexample`` is a point where it certainly fails) or UNDECIDED
    (``undecided`` boxes left at the depth limit or when the box budget ran
    out).  ``boxes`` counts the boxes examined, ``depth`` the deepest
    bisection level, ``by_rule`` how many boxes each rule discarded.

    ``final`` is the certificate: every box the search settled, as ``(box,
    rule name, data)`` with exact rational corners and the data the rule
    returned (``None`` when it returned plain ``True``); boxes discarded by
    ``outside`` are listed with the rule name ``"outside"``.  The settled,
    outside and undecided boxes tile the domain (bisection leaves).
    ``replay`` is set by the caller that had the certificate re-verified by
    independent code (e.g. :mod:`.replay`): its summary text.
    """

    certainty: Certainty
    boxes: int
    depth: int
    by_rule: dict[str, int]
    undecided: list[Box] = field(default_factory=list)
    counterexample: tuple[Fraction, ...] | None = None
    outside: int = 0
    seconds: float = 0.0
    exhausted: bool = False
    final: list = field(default_factory=list, repr=False)
    replay: str | None = None

    def summary(self) -> str:
        rules = ", ".join(f"{k} {v}" for k, v in self.by_rule.items() if v)
        text = f"{self.certainty.value}: {self.boxes} boxes, depth {self.depth} ({rules})"
        if self.undecided:
            text += f", {len(self.undecided)} undecided"
        if self.counterexample is not None:
            text += f", counterexample {tuple(str(x) for x in self.counterexample)}"
        if self.replay is not None:
            text += f"; {self.replay}"
        return text

    def __repr__(self) -> str:
        return f"BnBResult({self.summary()})"


def _split(box: Box, scale: Sequence[Fraction]) -> tuple[Box, Box]:
    i = max(range(len(box)), key=lambda j: (box[j][1] - box[j][0]) / scale[j])
    lo, hi = box[i]
    mid = (lo + hi) / 2
    left = box[:i] + ((lo, mid),) + box[i + 1:]
    right = box[:i] + ((mid, hi),) + box[i + 1:]
    return left, right


def branch_and_bound(
    domain: Sequence[Interval],
    rules: Sequence[Rule],
    *,
    outside: Callable[[Box], bool] | None = None,
    refute: Callable[[tuple[Fraction, ...]], bool] | None = None,
    max_boxes: int = 200_000,
    max_depth: int = 60,
    prec: int = PREC,
    keep_undecided: int = 20,
) -> BnBResult:
    """Certify a property on ``domain`` (a box of exact rational intervals).

    Depth-first: each box is tested by the ``rules`` in order; if none
    certifies it, it is bisected along its widest side (relative to the
    domain).  ``outside(box)`` may discard boxes disjoint from the actual
    (e.g. simplicial) domain.  A box at ``max_depth`` that no rule certifies
    is kept as undecided, after ``refute`` (if given) was asked whether the
    property *certainly fails* at its midpoint (then the answer is FALSE
    with that counterexample).  Exceeding ``max_boxes`` gives UNDECIDED:
    never a guess.
    """
    start = time.perf_counter()
    dom: Box = tuple((to_fraction(a), to_fraction(b)) for a, b in domain)
    scale = [max(b - a, Fraction(1, 10**12)) for a, b in dom]
    by_rule = {r.name: 0 for r in rules}
    stack: list[tuple[Box, int]] = [(dom, 0)]
    boxes = depth_max = n_out = 0
    undecided: list[Box] = []
    final: list = []
    n_undecided = 0
    exhausted = False
    with working_precision(prec):
        while stack:
            box, depth = stack.pop()
            if outside is not None and outside(box):
                n_out += 1
                final.append((box, "outside", None))
                continue
            if boxes >= max_boxes:
                exhausted = True
                n_undecided += 1 + len(stack)
                undecided.extend(b for b, _ in [(box, depth)] + stack[-keep_undecided:])
                break
            boxes += 1
            depth_max = max(depth_max, depth)
            balls = tuple(interval_arb(a, b) for a, b in box)
            for rule in rules:
                verdict = rule.test(balls, box)
                if verdict:
                    by_rule[rule.name] += 1
                    final.append((box, rule.name, None if verdict is True else verdict))
                    break
            else:
                if depth >= max_depth:
                    if refute is not None:
                        mid = tuple((a + b) / 2 for a, b in box)
                        if refute(mid):
                            return BnBResult(Certainty.FALSE, boxes, depth_max, by_rule, [box], mid,
                                             n_out, time.perf_counter() - start, final=final)
                    n_undecided += 1
                    if len(undecided) < keep_undecided:
                        undecided.append(box)
                    continue
                left, right = _split(box, scale)
                stack.append((right, depth + 1))
                stack.append((left, depth + 1))
    certainty = Certainty.TRUE if n_undecided == 0 else Certainty.UNDECIDED
    return BnBResult(certainty, boxes, depth_max, by_rule, undecided[:keep_undecided], None, n_out,
                     time.perf_counter() - start, exhausted, final)


class SignOracle:
    """Certified sign tests of named polynomials on boxes (shared by the certificates).

    ``below(name, balls, box, strict)`` answers whether the polynomial is
    certainly ``< 0`` (``strict``) or ``<= 0`` on the box: first by the
    centered enclosure, then in *monotone form* -- variables along which the
    partial derivative has a certified sign are fixed at the maximizing end of
    their interval (valid: moving along them within the box only increases the
    value).  When they are fixed at a face ``0`` or ``1`` of the unit box the
    polynomial is first restricted to that face symbolically, so a polynomial
    that vanishes identically on a face evaluates to exactly 0 there.
    """

    def __init__(self, exprs: dict, syms: Sequence):
        self.syms = tuple(syms)
        self.exprs = dict(exprs)   # keep the given (e.g. factored) form: tighter enclosures
        self.fns = {k: arb_function(e, self.syms, centered=True) for k, e in self.exprs.items()}
        self.grads = {k: [arb_function(sympy.diff(e, x), self.syms) for x in self.syms] for k, e in self.exprs.items()}
        self._faces: dict = {}

    def value(self, name: str, balls) -> arb:
        return self.fns[name](*balls)

    def _face(self, name, faces):
        key = (name, tuple(fc if fc in (0, 1) else None for fc in faces))
        if all(k is None for k in key[1]):
            return None
        if key not in self._faces:
            sub = {x: sympy.Integer(int(fc)) for x, fc in zip(self.syms, key[1]) if fc is not None}
            rest = [x for x, fc in zip(self.syms, key[1]) if fc is None]
            self._faces[key] = arb_function(sympy.factor(self.exprs[name].subs(sub)), rest, centered=True)
        return self._faces[key]

    def below(self, name: str, balls, box, strict: bool):
        """``False``, or (certified) the data of the sign claim for a replayer: ``{"poly": name,
        "rel": "<" or "<=", "fix": per variable None (kept) / "hi" (partial derivative certified
        >= 0 on the box, variable fixed at its upper end) / "lo" (<= 0, lower end)}``."""
        test = _certainly_lt if strict else _certainly_le
        rel = "<" if strict else "<="
        if test(self.fns[name](*balls), 0):
            return {"poly": name, "rel": rel, "fix": (None,) * len(box)}
        reduced, faces, fix = [], [], []
        for ball, (lo_, hi_), g in zip(balls, box, self.grads[name]):
            d = g(*balls)
            if _certainly_ge(d, 0):
                reduced.append(arb_ball(hi_))
                faces.append(hi_)
                fix.append("hi")
            elif _certainly_le(d, 0):
                reduced.append(arb_ball(lo_))
                faces.append(lo_)
                fix.append("lo")
            else:
                reduced.append(ball)
                faces.append(None)
                fix.append(None)
        if all(fc is None for fc in faces):
            return False
        restricted = self._face(name, faces)
        if restricted is not None:
            free = [r for r, fc in zip(reduced, faces) if fc is None or fc not in (0, 1)]
            ok = test(restricted(*free), 0)
        else:
            ok = test(self.fns[name](*reduced), 0)
        return {"poly": name, "rel": rel, "fix": tuple(fix)} if ok else False

    def coefficients(self, name: str) -> dict[tuple[int, ...], Fraction]:
        """The polynomial ``name`` as plain data: exponent tuple (in ``syms`` order) -> exact
        rational coefficient (for an independent replayer)."""
        poly = sympy.Poly(sympy.expand(self.exprs[name]), *self.syms)
        out = {}
        for exps, c in poly.terms():
            c = sympy.Rational(c)
            out[tuple(int(e) for e in exps)] = Fraction(int(c.p), int(c.q))
        return out
