"""Paper 004, Sec. 6 (Fig. 2, Prop. 6): the sign oracle and the branch and bound behind the
single-item certificates do what their contracts say, on boxes analysed by hand (issue 13,
item 4; docs/mutation.md, run of 2026-12-03 (mut2)).

The certificates of SWP-FIG2 and SWP-PROP6 are found by
:func:`~exactscreen.persuasion.singleitem.bnb.branch_and_bound` with the rules of
:class:`~exactscreen.persuasion.singleitem.bnb.SignOracle`, and every sign claim is replayed by
independent code (:mod:`~exactscreen.persuasion.singleitem.replay`).  The replay catches a claim
that is *false*; it cannot notice an oracle that proves *less* than its contract (a tier of the
oracle switched off: the search bisects further and still answers TRUE).  A mutation sample of
``bnb.py`` (docs/mutation.md) left exactly those alive.  Here each tier of ``SignOracle.below``
is needed for one small polynomial on one box, with the bound worked out by hand in the case's
comment (so the expected answer does not come from the code under test):

* the centered (mean-value) enclosure certifies ``x(1 - x) < 13/50`` near ``x = 1/2``, where the
  natural enclosure cannot;
* the monotone form fixes a variable whose partial derivative has a certified sign at the
  maximizing end (``"hi"`` or ``"lo"``), then restricts the polynomial to that face of the unit
  box *symbolically* (a polynomial that vanishes identically on the face gives exactly 0 there,
  which ball arithmetic on the unrestricted form cannot), and evaluates the restriction in
  centered form;
* a strict claim is refused where the polynomial reaches 0, the non-strict one is granted.

And :func:`branch_and_bound` bisects the widest side *relative to the domain* (the order of the
settled boxes of a search is recomputed here), and its one-line summary, which the claim checks
put in their evidence, reports the search's own counts.
"""

from __future__ import annotations

from fractions import Fraction as F

import sympy as sp

from exactscreen.claims import claim
from exactscreen.numbers import Certainty
from exactscreen.persuasion.singleitem.arb import interval_arb, working_precision
from exactscreen.persuasion.singleitem.bnb import BnBResult, Rule, SignOracle, branch_and_bound

x, y = sp.symbols("x y")
HALF = sp.Rational(1, 2)


def _below(exprs, syms, box, name, strict):
    oracle = SignOracle(exprs, syms)
    with working_precision(128):
        balls = tuple(interval_arb(a, b) for a, b in box)
        return oracle.below(name, balls, box, strict)


def _g(v):
    """x(1 - x) - 13/50: at most 1/4 - 13/50 = -1/100 < 0 everywhere."""
    return v * (1 - v) - sp.Rational(13, 50)


NEAR_HALF = (F(9, 20), F(11, 20))

CASES = [
    # (what, exprs, syms, box, name, strict, expected answer)
    # Centered form needed: natural enclosure of x(1-x) on [9/20, 11/20] is
    # [81/400, 121/400] -> g in [-23/400, 17/400], not < 0; mean-value form at m = 1/2:
    # g(1/2) + g'(X)(X - 1/2) with |g'| <= 1/10, |X - 1/2| <= 1/20 -> g <= -1/100 + 1/200 < 0.
    ("centered enclosure", {"g": _g(x)}, (x,), (NEAR_HALF,), "g", True,
     {"poly": "g", "rel": "<", "fix": (None,)}),
    # p = y g(x) + (y - 1)/10 on [9/20, 11/20] x [0, 1]: the whole-box enclosures contain
    # positive numbers (the y-term alone spans +-(1/2)(dp/dy) with dp/dy >= 17/400 naturally);
    # dp/dy = g(x) + 1/10 >= -23/400 + 40/400 > 0 -> y fixed at 1 ("hi"), face y = 1 gives
    # g(x), certified < 0 only in centered form (as above); dp/dx = y(1 - 2x) has both signs.
    ("face y = 1, restriction in centered form", {"p": y * _g(x) + (y - 1) / 10}, (x, y),
     (NEAR_HALF, (F(0), F(1))), "p", True, {"poly": "p", "rel": "<", "fix": (None, "hi")}),
    # mirror: p = (1 - y) g(x) - y/10; dp/dy = -g(x) - 1/10 < 0 -> y fixed at 0 ("lo").
    ("face y = 0, restriction in centered form", {"p": (1 - y) * _g(x) - y / 10}, (x, y),
     (NEAR_HALF, (F(0), F(1))), "p", True, {"poly": "p", "rel": "<", "fix": (None, "lo")}),
    # q = y (x - 1/2)^2 - (x - 1/2)^2 = (y - 1)(x - 1/2)^2 <= 0 on [0, 1] x [1/2, 1], = 0 on
    # y = 1: dq/dy = (x - 1/2)^2 >= 0 -> y fixed at 1; the symbolic restriction to y = 1 is 0
    # (ball arithmetic on the given form gives A - A, a ball around 0 with positive radius);
    # dq/dx = 2(y - 1)(x - 1/2) has both signs.  Non-strict: granted; strict: refused (q = 0).
    ("identically zero on the face y = 1", {"q": y * (x - HALF) ** 2 - (x - HALF) ** 2}, (x, y),
     ((F(0), F(1)), (F(1, 2), F(1))), "q", False, {"poly": "q", "rel": "<=", "fix": (None, "hi")}),
    ("a strict claim where the polynomial reaches 0", {"q": y * (x - HALF) ** 2 - (x - HALF) ** 2},
     (x, y), ((F(0), F(1)), (F(1, 2), F(1))), "q", True, False),
    # r = (x + 1)(y - 2) + 1 on [0, 1]^2: the enclosures reach above 0 (mean-value form at
    # (1/2, 1/2): -5/4 + [-2, -1][-1/2, 1/2] + [1, 2][-1/2, 1/2] <= 3/4); dr/dx = y - 2 <= -1 ->
    # x fixed at 0 ("lo"), dr/dy = x + 1 >= 1 -> y fixed at 1 ("hi"): every variable fixed, the
    # restriction is the number r(0, 1) = 0 -> r <= 0 granted, r < 0 refused.  (A partial
    # derivative that vanishes on the box's boundary is not given a sign: the balls of a box
    # are rounded outwards.)
    ("every variable fixed (a corner)", {"r": (x + 1) * (y - 2) + 1}, (x, y), ((F(0), F(1)), (F(0), F(1))),
     "r", False, {"poly": "r", "rel": "<=", "fix": ("lo", "hi")}),
    ("a strict claim at a corner where the polynomial is 0", {"r": (x + 1) * (y - 2) + 1}, (x, y),
     ((F(0), F(1)), (F(0), F(1))), "r", True, False),
    # the same corner with thirds: r3 = (x + 1/3)(y - 2) + 1/3 = 0 at (0, 1) symbolically, but a
    # ball of 1/3 is not exact, so only the symbolic restriction to the corner grants r3 <= 0.
    ("every variable fixed, inexact constants", {"r": (x + sp.Rational(1, 3)) * (y - 2) + sp.Rational(1, 3)},
     (x, y), ((F(0), F(1)), (F(0), F(1))), "r", False, {"poly": "r", "rel": "<=", "fix": ("lo", "hi")}),
    # p = y g(x) + (y - 1/2)/10 on [9/20, 11/20] x [0, 1/2]: the enclosures reach above 0 (the
    # y-term spans +-(1/4)(dp/dy)); dp/dy = g(x) + 1/10 > 0 -> y fixed at 1/2 ("hi"), not a face
    # of the unit box, so p is evaluated at y = 1/2 in centered form: g(x)/2 <= -1/200 + 1/400 < 0.
    ("fixed at an end that is not a face of the unit box", {"p": y * _g(x) + (y - HALF) / 10}, (x, y),
     (NEAR_HALF, (F(0), F(1, 2))), "p", True, {"poly": "p", "rel": "<", "fix": (None, "hi")}),
    # s = x - 2 on [0, 1]: s <= -1 < 0, certified by the enclosure itself, nothing fixed.
    ("plain enclosure", {"s": x - 2}, (x,), ((F(0), F(1)),), "s", True, {"poly": "s", "rel": "<", "fix": (None,)}),
    # u = 1/2 - x on [0, 1]: no sign; du/dx = -1 -> x fixed at 0 where u = 1/2 > 0: refused.
    ("no sign on the box", {"u": HALF - x}, (x,), ((F(0), F(1)),), "u", False, False),
]


@claim("SWP-FIG2")
def test_sign_oracle_tiers_on_boxes_analysed_by_hand(evidence):
    """Each tier of SignOracle.below (centered enclosure, monotone form at the "hi" and "lo"
    ends, symbolic restriction to a face of the unit box, strict vs non-strict) is needed and
    gives the answer derived by hand for one box (module docstring; the bound of each case is
    in its comment).  The certificates of Fig. 2 (Sec. 6) are found with these rules; the replay
    re-checks every claim they make, this check that they make the claims their contract says."""
    for what, exprs, syms, box, name, strict, expected in CASES:
        got = _below(exprs, syms, box, name, strict)
        assert got == expected, f"{what}: SignOracle.below answered {got!r}, expected {expected!r}"
    # the polynomials as plain data for the replayer: exact rational coefficients by exponent
    oracle = SignOracle({"g": _g(x), "p": y * _g(x) + (y - 1) / 10}, (x, y))
    assert oracle.coefficients("g") == {(2, 0): F(-1), (1, 0): F(1), (0, 0): F(-13, 50)}
    assert oracle.coefficients("p") == {(2, 1): F(-1), (1, 1): F(1), (0, 1): F(-13, 50) + F(1, 10),
                                        (0, 0): F(-1, 10)}
    evidence.note(f"{len(CASES)} boxes: SignOracle.below gave the hand-derived answer on each; "
                  "coefficients exact (x(1-x) - 13/50 and y g(x) + (y - 1)/10 expanded by hand)")


def _expected_order(domain, depth_of):
    """Depth-first bisection along the widest side relative to the domain (first such side on
    a tie), left half first, down to the depth ``depth_of(box)`` at which the toy rule settles a
    box: the list of settled boxes, written here."""
    scale = [b - a for a, b in domain]
    out = []

    def go(box, depth):
        if depth >= depth_of(box):
            out.append(box)
            return
        rel = [(b - a) / s for (a, b), s in zip(box, scale)]
        i = rel.index(max(rel))
        lo, hi = box[i]
        mid = (lo + hi) / 2
        go(box[:i] + ((lo, mid),) + box[i + 1:], depth + 1)
        go(box[:i] + ((mid, hi),) + box[i + 1:], depth + 1)

    go(tuple(domain), 0)
    return out


@claim("SWP-FIG2")
def test_branch_and_bound_bisects_the_widest_relative_side_and_summarizes_its_own_counts(evidence):
    """A toy property on the domain [1, 3/2] x [0, 10] (sides of very different lengths, one
    not starting at 0): a rule settles a box once both sides are at most a quarter of the
    domain's (relative width <= 1/4), another rule settles boxes with x >= 11/8 at once.  The settled boxes, in order, equal the
    depth-first bisection along the widest side relative to the domain written here; the
    counts per rule, the depth and the summary line (what the claim checks put in their
    evidence) are the search's own."""
    domain = ((F(1), F(3, 2)), (F(0), F(10)))

    def small(balls, box):
        return all((b - a) / (d1 - d0) <= F(1, 4) for (a, b), (d0, d1) in zip(box, domain))

    def right(balls, box):
        return box[0][0] >= F(11, 8)

    res = branch_and_bound(domain, [Rule("right", right), Rule("small", small)])
    settled = [b for b, _, _ in res.final]

    def depth_of(box):
        return 0 if box[0][0] >= F(11, 8) else (0 if small(None, box) else 99)

    expected = _expected_order(domain, depth_of)
    assert settled == expected, f"settled boxes {settled} != bisection order {expected}"
    by_rule = {"right": sum(1 for b in expected if b[0][0] >= F(11, 8)),
               "small": sum(1 for b in expected if b[0][0] < F(11, 8))}
    assert res.by_rule == by_rule and res.certainty == Certainty.TRUE
    assert res.boxes == 2 * len(expected) - 1 and res.depth == 4, (res.boxes, res.depth)
    assert res.summary() == f"true: {res.boxes} boxes, depth 4 (right {by_rule['right']}, small {by_rule['small']})", \
        res.summary()
    # an undecided search and a refuted one: the summary states the undecided boxes and the point
    und = branch_and_bound(domain, [Rule("never", lambda balls, box: False)], max_depth=1)
    assert und.certainty == Certainty.UNDECIDED and len(und.undecided) == 2
    assert und.summary() == f"undecided: {und.boxes} boxes, depth 1 (), 2 undecided", und.summary()
    ref = branch_and_bound(domain, [Rule("never", lambda balls, box: False)], max_depth=1,
                           refute=lambda pt: pt[0] < F(5, 4))
    assert ref.certainty == Certainty.FALSE and ref.counterexample == (F(9, 8), F(5))
    assert ref.summary() == f"false: {ref.boxes} boxes, depth 1 (), 1 undecided, counterexample ('9/8', '5')", \
        ref.summary()
    # the box budget: after 3 boxes (depth first, left halves first) the search stops undecided
    # with the box in hand and the 3 right halves still on the stack
    ex = branch_and_bound(domain, [Rule("never", lambda balls, box: False)], max_boxes=3)
    assert ex.certainty == Certainty.UNDECIDED and ex.exhausted and ex.boxes == 3 and ex.depth == 2
    left3 = _expected_order(domain, lambda box: 3)[0]
    assert ex.undecided[0] == left3 and len(ex.undecided) == 4, ex.undecided
    shown = BnBResult(Certainty.TRUE, 3, 1, {"a": 2, "b": 0, "c": 1}, replay="replayed")
    assert shown.summary() == "true: 3 boxes, depth 1 (a 2, c 1); replayed", shown.summary()
    assert repr(shown) == "BnBResult(true: 3 boxes, depth 1 (a 2, c 1); replayed)"
    evidence.note(f"toy search: {len(expected)} settled boxes in the bisection order recomputed here")
