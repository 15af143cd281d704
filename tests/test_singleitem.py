"""Unit tests of exactscreen.persuasion.singleitem: arb compilation, three-valued branch and bound, the
single-item optimum, and that every certificate can fail."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from exactscreen.exceptions import ExactNumberError, InputError
from exactscreen.numbers import Certainty
from exactscreen.persuasion.singleitem import InventoryPartition, PolyCost, PolyDensity, Rule, SingleItem, V, arb_ball, arb_function, ball_text, branch_and_bound, certify_cells, interval_arb, linear_decreasing, linear_density_top_two_certificate, linear_density_top_two_negative, power_distribution, single_item_optimum, top_two_certificate, working_precision
from exactscreen.persuasion.singleitem.inventory import _TQ
from exactscreen.persuasion.singleitem.optimum import _top_split
from exactscreen.persuasion.singleitem.symbols import _B


def test_arb_function_encloses_and_refuses_floats():
    x = sp.Symbol("x")
    f = arb_function(x**2 - 2 * x + sp.Rational(1, 3), (x,))
    with working_precision(96):
        ball = f(interval_arb(0, 2))
        # true range on [0, 2]: [1/3 - 1, 1/3]
        lo, hi = Fraction(-2, 3), Fraction(1, 3)
        assert ball.lower() <= arb_ball(lo) and ball.upper() >= arb_ball(hi)
        assert (f(arb_ball(Fraction(1, 2))) - arb_ball(Fraction(-5, 12))).contains(0)
        assert f(interval_arb(-1, 1)).is_finite()
        sq = arb_function(x**2, (x,))(interval_arb(-1, 1))
        assert sq.lower() >= 0                      # even powers of balls around 0 stay >= 0
    with pytest.raises(ExactNumberError):
        arb_function(x * sp.Float("0.5"), (x,))


def test_branch_and_bound_is_three_valued():
    x = sp.Symbol("x")
    f = arb_function(x * (1 - x), (x,))

    def below(limit):
        return Rule("bound", lambda balls, box: bool(f(*balls) < arb_ball(limit)))

    assert branch_and_bound([(0, 1)], [below(Fraction(1, 3))]).certainty == Certainty.TRUE
    # max is exactly 1/4: "< 1/4" is false at x = 1/2, never certifiable, refuted only with a refute hook
    res = branch_and_bound([(0, 1)], [below(Fraction(1, 4))], max_depth=12)
    assert res.certainty == Certainty.UNDECIDED and res.undecided
    refute = lambda p: bool(f(*(arb_ball(v) for v in p)) > arb_ball(Fraction(1, 5)))  # noqa: E731
    res = branch_and_bound([(0, 1)], [below(Fraction(1, 5))], refute=refute, max_depth=8)
    assert res.certainty == Certainty.FALSE and res.counterexample is not None
    res = branch_and_bound([(0, 1)], [below(Fraction(1, 4))], max_boxes=10)
    assert res.certainty == Certainty.UNDECIDED and res.exhausted


def test_fig2_single_item_exact():
    s = single_item_optimum(power_distribution(2), PolyCost(0, 1, 0))
    assert sp.simplify(s.cutoff - (sp.sqrt(3) - 1) / 2) == 0
    assert sp.simplify(s.quality - (sp.sqrt(3) - 1)) == 0
    assert sp.simplify(s.profit - (sp.sqrt(3) - sp.Rational(3, 2))) == 0
    assert s.certificate.certainty == Certainty.TRUE and s.excludes
    # no exclusion: L(v; 1, 2) with q^2/2 serves everyone at q = mean = 4/3
    t = single_item_optimum(linear_decreasing(1, 2), PolyCost(0, 1, 0))
    assert t.cutoff == 1 and t.quality == sp.Rational(4, 3) and not t.excludes


def test_density_and_cost_validation():
    with pytest.raises(InputError):
        PolyDensity.of(V - sp.Rational(1, 2), 0, 1)       # negative on [0, 1/2)
    with pytest.raises(InputError):
        PolyCost(-1, 1, 0)
    assert PolyDensity.of(6 * V * (1 - V), 0, 1).modest_tails()
    assert not PolyDensity.of((1 - V) ** 3, 0, 1).modest_tails()
    assert linear_decreasing(0, 1).modest_tails() and power_distribution(2).modest_tails()


def test_top_split_derivative_identity():
    # df/db = f(b) h(a, b) (the cutoff moves mass only at the density), exactly for a quadratic cost
    d, c = power_distribution(2), PolyCost(0, 1, 0)
    f, h = _top_split(d, c)
    assert sp.simplify(sp.diff(f, _B) - d.density.subs(V, _B) * h) == 0
    assert sp.simplify(f.subs(_B, 1)) == 0


def test_certify_cells_fails_on_a_wrong_single_item_value():
    good = single_item_optimum(power_distribution(2), PolyCost(0, 1, 0))
    # pretend the best single item earned 1/10 less: 2-item menus (and the true single item) beat it
    bad = SingleItem(good.dist, good.cost, good.cutoff, good.quality, good.mean,
                     good.profit - sp.Rational(1, 10), good.certificate)
    res = certify_cells(bad, 3, max_depth=8, max_boxes=5000)
    assert res.certainty == Certainty.FALSE and res.counterexample is not None


def test_two_items_win_without_modest_tails():
    d = PolyDensity.of((1 - V) ** 6, 0, 1)
    s = single_item_optimum(d, PolyCost(0, 1, 0))
    res = certify_cells(s, 3, max_depth=10)
    assert res.certainty == Certainty.FALSE
    assert top_two_certificate(d, PolyCost(0, 1, 0), max_depth=10, max_boxes=2000).certainty == Certainty.FALSE


def test_prop6_certificate_and_its_failure():
    res, ex = linear_density_top_two_certificate()
    assert res.certainty == Certainty.TRUE
    bad, _ = linear_density_top_two_certificate(two_scale=Fraction(101, 100), max_depth=16, max_boxes=20000)
    assert bad.certainty == Certainty.FALSE
    assert linear_density_top_two_negative().certainty == Certainty.TRUE
    assert linear_density_top_two_negative(two_scale=2, max_depth=14).certainty == Certainty.FALSE


def test_inventory_revenue_matches_the_finite_engine():
    # on a rational partition, the continuous revenue equals (10) with pooled values and qualities
    inv = InventoryPartition(power_distribution(2), _TQ**4)
    a, b = sp.Rational(3, 5), sp.Rational(17, 20)
    R = inv.revenue([a, b])
    m = [a**2, b**2 - a**2, 1 - b**2]
    vb = [sp.Rational(2, 3) * (x**3 - y**3) / (x**2 - y**2) for y, x in ((0, a), (a, b), (b, 1))]
    qb = [0] + [(x**10 - y**10) / (5 * (x**2 - y**2)) for y, x in ((a, b), (b, 1))]
    direct = (qb[1] - qb[0]) * vb[1] * (m[1] + m[2]) + (qb[2] - qb[1]) * vb[2] * m[2]
    assert sp.simplify(R - direct) == 0


def test_ball_text_rounds_outward():
    with working_precision(96):
        assert ball_text(interval_arb(Fraction(1, 3), Fraction(1, 3)), 3) == "[0.333, 0.334]"


def test_exact_numbers_are_never_replaced_by_nearby_simple_ones():
    """Regression: sympy.nsimplify turns 41152263041/329218107329 into 1/8."""
    import sympy

    from exactscreen.persuasion.singleitem.arb import _exact_expr
    from exactscreen.persuasion.singleitem.optimum import _simplify_number

    odd = sympy.Rational(41152263041, 329218107329)
    assert _simplify_number(odd) == odd
    assert _exact_expr(odd, "test") == odd
    assert _exact_expr(Fraction(41152263041, 329218107329), "test") == odd
