"""Paper 003, Theorem 1 (property 6), Corollary 2 and Corollary 3: the two profit functions of
:class:`~exactscreen.two_types.analysis.TwoTypes` and the set where randomization helps, against
routes that share no code with :mod:`exactscreen.two_types.analysis` (issue 13, item 4;
docs/mutation.md, mut3).

``deterministic_profit(q)`` (property 6: ``max_{A+ u {a^VA}} (v1 - q v2) + q v2(a_2^E)``) and
``random_profit(q)`` (Corollary 2 with property 6 of Corollary 1) are what Corollary 3's
``helps`` (the paper-q where randomization strictly helps) is computed from.  The claim checks
certify the piecewise descriptions (``deterministic_pieces``, ``random_pieces``) but never
evaluate the two functions themselves, so a sign or a factor in them (``- q v2max``,
``q / v2max``) changed only ``helps``, which is compared with the paper at a few instances.
Here, at every breakpoint of both envelopes, at q^CD, at every midpoint and on a grid:

* ``deterministic_profit(q)`` equals the optimum of the engine's enumeration of deterministic
  menus (:func:`~exactscreen.mechanisms.optimum.optimal_deterministic`, every assignment with
  its largest IC-IR payments), at the market ``(1 - q, q)`` in the paper's labels;
* ``random_profit(q)`` equals the optimal revenue of the LP of paper 000, Sec. 3 (random
  menus = lotteries), certified by the independent checker
  :func:`~exactscreen.mechanisms.certificate.check_mechanism_certificate`;
* q lies in ``corollary3.helps`` (with the open or closed ends it states) exactly when the LP's
  revenue is strictly above the enumeration's.
"""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.two_types.analysis import analyze

from .stt_common import FILTERING, brute_deterministic, contested_environments, q_market, restaurant, \
    two_type_environments

GRID = [F(i, 8) for i in range(1, 8)]


def _points(t) -> list[F]:
    """Paper q in [0, 1]: the breakpoints of both envelopes, q^CD, the ends of the helps cells,
    every midpoint between consecutive ones, and a grid of eighths."""
    raw = {F(0), F(1), *GRID, *t.deterministic_envelope.points, *t.full_envelope.points}
    if t.q_cd is not None:
        raw.add(t.q_cd)
    c3 = t.corollary3
    if c3 is not None:
        for lo, hi, _, _ in c3.helps:
            raw |= {lo, hi}
    cuts = sorted(q for q in raw if 0 <= q <= 1)
    return sorted(set(cuts) | {(a + b) / 2 for a, b in zip(cuts, cuts[1:])})


def _in_helps(helps, q) -> bool:
    for lo, hi, lo_closed, hi_closed in helps:
        if lo < q < hi or (q == lo and lo_closed) or (q == hi and hi_closed):
            return True
    return False


def _profits_against_the_engine_routes(t) -> tuple[int, int]:
    """Asserts the three bullets of the module docstring at every point; returns (points where
    randomization strictly helps, points compared)."""
    env = t.environment
    c3 = t.corollary3
    helps = () if c3 is None else c3.helps
    strict = 0
    pts = _points(t)
    for q in pts:
        market = q_market(env, t.to_file_q(q))
        det, _ = brute_deterministic(env, t.to_file_q(q))
        res = optimal_mechanism(env, market, face=False)
        assert res.certificate_check.ok, res.certificate_check
        rand = res.revenue
        assert t.deterministic_profit(q) == det, ("deterministic_profit", q, t.deterministic_profit(q), det)
        assert t.random_profit(q) == rand, ("random_profit", q, t.random_profit(q), rand)
        assert rand >= det, (q, rand, det)
        if 0 < q < 1:
            assert _in_helps(helps, q) == (rand > det), ("helps", q, helps, rand, det)
            strict += rand > det
        else:  # the helps cells lie in (0, 1): the degenerate markets never count
            assert not _in_helps(helps, q), ("helps", q, helps)
    if c3 is not None:  # statement 3 (randomization never helps), against the LP and the enumeration
        assert c3.statement3 == (strict == 0), (c3.statement3, strict)
    return strict, len(pts)


@claim("STT-COR3")
def test_the_restaurants_profits_and_where_randomization_helps_match_the_lp_and_the_enumeration(evidence):
    """App. B's restaurant (steak T 30, A 60; fish T v, A 20) at v = 5, 15, 25, 35, one per
    regime of App. B: both profit functions equal the certified LP optimum and the enumeration of
    deterministic menus at every breakpoint, midpoint and eighth, and Corollary 3's helps set is
    exactly where the LP is strictly above the enumeration (App. B: for 20 < v < 30
    randomization helps above q^CD; for v <= 20 and v >= 30 it never does)."""
    helped = {}
    for v in (5, 15, 25, 35):
        t = analyze(restaurant(F(v)))
        strict, n = _profits_against_the_engine_routes(t)
        helped[v] = strict > 0
        evidence.note(f"v = {v}: {n} values of q compared, randomization strictly helps at {strict}")
    evidence.equal("App. B: values of v (of 5, 15, 25, 35) where randomization strictly helps at some q",
                   sorted(v for v, h in helped.items() if h), [25])


@claim("STT-COR3")
@FILTERING
@given(st.one_of(two_type_environments(), contested_environments()))
def test_profit_functions_and_helps_equal_the_lp_and_the_enumeration(evidence, env):
    """Generated two-type environments (ties, diagonal points, costs, either file order; and a
    constructed contested type 1): the same comparisons. Hard cases: type 1 contested (the
    profits are not first-best); randomization strictly helps at some q."""
    t = analyze(env)
    strict, _ = _profits_against_the_engine_routes(t)
    evidence.reach("type 1 contested", not t.uncontested1)
    evidence.reach("randomization strictly helps at some q (Corollary 3)", strict > 0)
    evidence.instances(1)
