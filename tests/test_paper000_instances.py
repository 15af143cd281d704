"""The engine on paper 000's own instances (Sec. 3.1.1, Fig. 4, fn 25).

These compare the engine's independent computation with what the paper
states; the referee-report versions live in proofs_checks/.
"""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest

import exactscreen
from exactscreen.environment import load_toml
from exactscreen.mechanisms.mechanism import Mechanism
from exactscreen.mechanisms.optimum import optimal_deterministic, optimal_mechanism, payment_polytope

EXAMPLES = Path(exactscreen.__file__).parent / "examples"


@pytest.fixture(scope="module")
def sec311():
    env, _ = load_toml(EXAMPLES / "pis_sec311.toml")
    return env


def market(env, q):
    return env.market(tL=1 - F(q), tH=F(q))


# Sec. 3.1.1: "an efficient low interval [0, 0.25] ... aH to both types at price 1,
# an inefficient intermediate interval (0.25, 0.75] ... aL to tL at 0.75 and aH to
# tH at 1.75, and a high interval (0.75, 1] ... outside option to tL, aH to tH at 2".
PAPER_INTERVALS = [
    ("0", {"tL": "aH", "tH": "aH"}, ("1", "1")),
    ("1/8", {"tL": "aH", "tH": "aH"}, ("1", "1")),
    ("1/4", {"tL": "aH", "tH": "aH"}, ("1", "1")),
    ("1/4001", {"tL": "aH", "tH": "aH"}, ("1", "1")),
    ("1001/4000", {"tL": "aL", "tH": "aH"}, ("3/4", "7/4")),
    ("1/2", {"tL": "aL", "tH": "aH"}, ("3/4", "7/4")),
    ("3/4", {"tL": "aL", "tH": "aH"}, ("3/4", "7/4")),
    ("3001/4000", {"tL": "0", "tH": "aH"}, ("0", "2")),
    ("7/8", {"tL": "0", "tH": "aH"}, ("0", "2")),
]


@pytest.mark.parametrize("q,alloc,prices", PAPER_INTERVALS)
def test_sec311_selected_mechanism_is_the_papers(sec311, q, alloc, prices):
    res = optimal_mechanism(sec311, market(sec311, q))
    expected = Mechanism.from_dict(sec311, alloc, dict(zip(("tL", "tH"), prices)))
    if F(q) == 0:  # tH is not in the market: only tL's part is pinned by the paper
        assert res.mechanism.option(0) == "aH" and res.mechanism.payments[0] == 1
    else:
        assert res.mechanism == expected


@pytest.mark.parametrize(
    "q,cs_high", [("1/8", "1"), ("1/4", "1"), ("1/2", "1/4"), ("3/4", "1/4"), ("7/8", "0"), ("1", "0")]
)
def test_sec311_high_type_surplus_is_figure_1(sec311, q, cs_high):
    res = optimal_mechanism(sec311, market(sec311, q))
    assert res.mechanism.surplus(1) == F(cs_high)
    assert res.mechanism.surplus(0) == 0  # "the surplus of the low type is zero in any market"


def test_sec311_breakpoints_are_ties_with_the_faces_of_figure_4(sec311):
    # f2 = (3/4, 1/4): optimal payment rules p1=(1,1), p2=(3/4,7/4) and the segment between
    at_f2 = optimal_mechanism(sec311, market(sec311, "1/4")).face
    assert (at_f2.payment[0].lo, at_f2.payment[0].hi) == (F(3, 4), F(1))
    assert (at_f2.payment[1].lo, at_f2.payment[1].hi) == (F(1), F(7, 4))
    # f3 = (1/4, 3/4): p2 and p3=(0,2)
    at_f3 = optimal_mechanism(sec311, market(sec311, "3/4")).face
    assert (at_f3.payment[0].lo, at_f3.payment[0].hi) == (F(0), F(3, 4))
    assert (at_f3.payment[1].lo, at_f3.payment[1].hi) == (F(7, 4), F(2))
    # f1 = (0.9, 0.1): unique optimal payment rule p1
    at_f1 = optimal_mechanism(sec311, market(sec311, "1/10"))
    assert at_f1.payment_rule_unique and at_f1.mechanism.payments == (1, 1)


def test_sec311_payment_polytope_has_the_papers_vertices_and_two_more(sec311):
    """Fig. 4a shows P with three vertices besides the origin: (1,1), (3/4,7/4), (0,2).
    The engine finds two more, (1/2,0) and (3/4,1/4); each is checked here by an
    explicit IC-IR mechanism that pays it."""
    poly = payment_polytope(sec311)
    paper = {(F(0), F(0)), (F(1), F(1)), (F(3, 4), F(7, 4)), (F(0), F(2))}
    assert paper <= set(poly.vertices)
    extra = set(poly.vertices) - paper
    assert extra == {(F(1, 2), F(0)), (F(3, 4), F(1, 4))}
    witnesses = {
        (F(1, 2), F(0)): ({"tL": "aL", "tH": {"aH": "1/4"}}, {"tL": "1/2", "tH": "0"}),
        (F(3, 4), F(1, 4)): ({"tL": "aL", "tH": {"aH": "1/4"}}, {"tL": "3/4", "tH": "1/4"}),
    }
    for v in extra:
        m = Mechanism.from_dict(sec311, *witnesses[v])
        assert m.is_ic and m.is_ir and m.payments == v


def test_sec311_deterministic_menu_equals_random_menu(sec311):
    for q in ("1/8", "1/2", "7/8"):
        mk = market(sec311, q)
        assert optimal_deterministic(sec311, mk).revenue == optimal_mechanism(sec311, mk, face=False).revenue


def test_footnote_25_allocation_and_binding_path():
    env, mk = load_toml(EXAMPLES / "pis_fn25.toml")
    res = optimal_mechanism(env, mk)
    m = res.mechanism
    assert [m.option(i) for i in range(3)] == ["a1", "a1", "a2"]  # (a1, a1, a2)
    assert [m.is_efficient_for(i) for i in range(3)] == [True, False, True]  # only t2 distorted
    ir_binding = [a for a, b in res.face.always_binding if b == "0"]
    assert ir_binding == ["t1"]  # "the only type whose IR binds is type t1"
    assert ("t2", "t1") in res.face.always_binding  # path t2 -> t1
    assert res.face.unique
