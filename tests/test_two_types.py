"""Unit tests of exactscreen.two_types.analysis, exactscreen.two_types.applications and the two-types CLI."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest

import exactscreen
from exactscreen.cli.main import main
from exactscreen.exceptions import InputError
from exactscreen.environment import Environment
from exactscreen.two_types.analysis import VIRTUAL, Linear, analyze, hull, lottery_vertices, normalize_app_c, on_hull_boundary, top_of_diagonal, upper_envelope
from exactscreen.two_types.applications import bundle_name, bundling

EXAMPLES = Path(exactscreen.__file__).parent / "examples"


def restaurant(v):
    return Environment.from_dict({"T": {"steak": 30, "fish": v}, "A": {"steak": 60, "fish": 20}})


# ------------------------------------------------------------------ geometry
def test_envelope_breakpoints_and_tie_sets():
    env = upper_envelope({"s": (F(30), F(60)), "f": (F(15), F(20)), "0": (F(0), F(0))})
    assert env.points == (0, F(3, 8), F(3, 4), 1)
    assert env.between == ({"s"}, {"f"}, {"0"})
    assert env.at_points[1] == {"s", "f"} and env.at_points[2] == {"f", "0"}


def test_envelope_with_duplicate_points_keeps_both_names():
    env = upper_envelope({"a": (F(1), F(1)), "b": (F(1), F(1)), "0": (F(0), F(0))})
    assert env.between == ({"a", "b"},)


def test_hull_boundary_and_top_of_diagonal():
    pts = [(F(0), F(0)), (F(1), F(2)), (F(-1), F(-3))]
    assert sorted(hull(pts)) == sorted(pts)
    assert on_hull_boundary((F(0), F(0)), pts)
    assert not on_hull_boundary((F(1, 3), F(0)), pts)
    assert top_of_diagonal(pts) == F(1, 3)


def test_lottery_vertices_by_constraint():
    d = {"up": F(1), "down": F(-2), "on": F(0)}
    assert lottery_vertices(d, d) == ({"down": 1}, {"on": 1}, {"up": 1})
    eq = lottery_vertices(d, d, "=0")
    assert {"on": 1} in eq and {"up": F(2, 3), "down": F(1, 3)} in eq and len(eq) == 2
    assert len(lottery_vertices(d, d, ">=0")) == 3
    with pytest.raises(InputError):
        lottery_vertices(d, d, ">0")


def test_linear_prints_and_reflects():
    f = Linear(F(25), F(35))
    assert str(f) == "25 + 35*q" and str(Linear(F(0), F(-1))) == "-q" and str(Linear(F(3), F(0))) == "3"
    assert f.reflect()(F(1, 4)) == f(F(3, 4))


# ------------------------------------------------------------------ analysis
def test_restaurant_thresholds():
    t = analyze(restaurant(25))
    assert (t.type1, t.type2, t.swapped) == ("T", "A", False)
    assert t.bd1 == {"fish"} and t.va == (25, 25) and not t.va_is_bd1
    assert (t.q_bd1, t.q_cd, t.q_od) == (F(1, 7), F(1, 8), None)
    assert t.A1_prime(F(1, 7)) == {"steak", VIRTUAL} and t.A1(F(1, 7)) == {"steak", "fish"}
    assert t.random_profit(F(1, 2)) == F(300, 7) and t.deterministic_profit(F(1, 2)) == 25 + F(35, 2)


def test_swapped_labels_and_forced_swap():
    env = Environment.from_dict({"A": {"steak": 60, "fish": 20}, "T": {"steak": 30, "fish": 25}})
    t = analyze(env)
    assert t.swapped and (t.type1, t.type2) == ("T", "A")
    assert t.to_file_q(t.q_bd1) == F(6, 7)
    with pytest.raises(InputError, match="contested"):
        analyze(env, swap=False)


def test_menus_need_q_inside_the_unit_interval():
    t = analyze(restaurant(15))
    with pytest.raises(InputError):
        t.deterministic_menus(F(1))
    with pytest.raises(InputError):
        t.random_piece_at(F(0))


def test_needs_two_types():
    env = Environment.from_dict({"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 3}})
    with pytest.raises(InputError, match="exactly 2"):
        analyze(env)


def test_first_best_pieces():
    t = analyze(restaurant(35))
    assert t.first_best and t.corollary3 is None
    (piece,) = t.deterministic_pieces
    assert piece.regime == "first-best" and piece.a1 == {"fish"}


def test_normalize_app_c_shifts_by_c0():
    env, c0 = normalize_app_c({"t1": {"a": 1}, "t2": {"a": 2}}, {"a": "1/2"}, {"t1": 0, "t2": "1/2"}, 1)
    assert c0 == 1 and env.value("t1", "a") == F(3, 2) and env.value("t2", "a") == 2


# ------------------------------------------------------------------ bundling
def test_bundling_fn26():
    b = bundling((1, 3), (-1, 6))
    assert not b.swapped and b.contested and b.q_cd == F(1, 2) and b.mixing_weight() == F(2, 3)
    assert b.B1_bundles(F(1, 2)) == {"{1}", "{1;2}"} and b.a1Q(F(1, 2)) == {1, 2} and b.a3Q(F(1, 2)) == {1}
    assert b.classify(1) == ("always", None) and b.classify(2) == ("other", F(1, 2))
    assert bundle_name([]) == "0"
    assert analyze(b.environment()).q_cd == F(1, 2)


def test_bundling_swaps_when_the_second_type_is_contested():
    b = bundling((-1, 6), (1, 3))
    assert b.swapped and b.v1 == (1, 3)
    with pytest.raises(InputError):
        bundling((1,), (1, 2))


# ------------------------------------------------------------------ CLI
def test_cli_json_contract(capsys):
    assert main(["two-types", str(EXAMPLES / "stt_restaurant_v25.toml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["q_BD1"] == "1/7" and out["q_CD"] == "1/8" and out["a_BD1"] == ["fish"]
    assert [(p["q_from"], p["q_to"], p["profit"]) for p in out["pieces"]] == [
        ("0", "1/7", "30"), ("1/7", "1/7", "30"), ("1/7", "1", "25 + 35*q")
    ]
    assert out["randomization_helps"] == [{"q_from": "1/8", "q_to": "1", "closed": [False, False]}]


def test_cli_random_json_and_at_q(capsys):
    assert main(["two-types", str(EXAMPLES / "stt_restaurant_v25.toml"), "--random", "--q", "1/2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mode"] == "random"
    assert out["at_q"]["menu"]["T"]["vertices"] == [{"steak": "1/7", "fish": "6/7"}]
    assert out["at_q"]["profit_at_q"] == "300/7"


def test_cli_swapped_file_reports_file_q(capsys):
    assert main(["two-types", str(EXAMPLES / "stt_applied_first.toml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["paper_labels"]["swapped"] and out["q_BD1"] == "6/7" and out["paper_labels"]["q_BD1"] == "1/7"
    assert out["pieces"][0]["profit"] == "60 - 35*q"


def test_cli_q_bd1_null_where_undefined(capsys):
    assert main(["two-types", str(EXAMPLES / "stt_bundling_fn26.toml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["q_OD"] is None and out["q_CD"] == "1/2"


def test_cli_text_and_errors(capsys):
    assert main(["two-types", str(EXAMPLES / "stt_restaurant_v25.toml")]) == 0
    assert "Randomization helps exactly for q in (1/8, 1)" in capsys.readouterr().out
    assert main(["two-types", str(EXAMPLES / "pis_fn25.toml")]) == 2
    assert "exactly two types" in capsys.readouterr().err
    assert main(["two-types", str(EXAMPLES / "stt_restaurant_v25.toml"), "--q", "1"]) == 2
    assert main(["two-types", str(EXAMPLES / "stt_restaurant_v25.toml"), "--q", "0.5x"]) == 2


# ------------------------------------------------------------------ parametric
def test_parse_affine_accepts_the_tiny_grammar_only():
    from exactscreen.two_types.parametric import parse_affine

    assert parse_affine("2*v - 1/2", "v") == (F(-1, 2), F(2))
    assert parse_affine("-v + 3", "v") == (F(3), F(-1))
    assert parse_affine("0.5 v", "v") == (F(0), F(1, 2))
    assert parse_affine(7, "v") == (F(7), F(0))
    for bad in ("v*v", "w", "v**2", "__import__('os')", "2 v 3", ""):
        with pytest.raises(InputError):
            parse_affine(bad, "v")


def test_parametric_restaurant_special_points():
    import sympy

    from exactscreen.two_types.parametric import parametric_analysis

    res = parametric_analysis({"T": {"steak": 30, "fish": "v"}, "A": {"steak": 60, "fish": 20}}, "v", (0, None))
    v = res.symbol
    assert res.at(20)["q_bd1"] == sympy.Rational(1, 4)
    assert sympy.simplify(res.at(25)["q_bd1"] - (30 - v) / (60 - v)) == 0
    assert res.at(40)["q_cd"] is None


def test_parametric_point_cells_stay_exact_with_large_denominators():
    """Regression (review): point cells were passed through sympy.nsimplify, which turned
    q^BD1 = (30 − v)/(60 − v) at v = 20 + 10^-18 into 1/4."""
    import sympy

    from exactscreen.two_types.parametric import parametric_analysis

    fish = F(20 * 10**18 + 1, 10**18)
    res = parametric_analysis(
        {"T": {"steak": 30, "fish": "v"}, "A": {"steak": 60, "fish": f"{fish.numerator}/{fish.denominator}"}}, "v", (0, None)
    )
    want = (30 - fish) / (60 - fish)
    assert res.at(fish)["q_bd1"] == sympy.Rational(want.numerator, want.denominator)


def test_differentiation_q_od_in_region_3b_is_exact():
    """Regression (review): q^OD in region 3b went through a float-keyed root choice and
    sympy.nsimplify, which returned 1/4 for u(1) = (1/2, 10^-6), c = 1/3; |u(q^OD)| = c must
    hold exactly."""
    import sympy

    from exactscreen.two_types.applications import Differentiation, certified_sign

    h = Differentiation(F(1, 2), F(1, 10**6), F(1, 3))
    assert h.region == "3b"
    u = h.u_q(h.q_od)
    assert certified_sign(sympy.expand(u.dot(u) - sympy.Rational(1, 9))) == 0  # zero by minimal polynomial
    assert certified_sign(h.q_od - sympy.Rational(1, 4)) != 0
    b = Differentiation(F(1, 2), F(1, 10), F(1, 4))
    assert certified_sign(sympy.expand(b.q_od - (sympy.Rational(7, 15) - 2 * sympy.sqrt(10) / 75))) == 0


def test_cli_parametric_json(capsys):
    assert main(["two-types", str(EXAMPLES / "stt_restaurant_param.toml"), "--param", "v", "--domain", "0:", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ranges = [(r["from"], r["to"], r["q_BD1"]) for r in out["regions"]]
    assert ("20", "30", "(v - 30)/(v - 60)") in ranges and ("20", "20", "1/4") in ranges
    assert main(["two-types", str(EXAMPLES / "stt_restaurant_param.toml"), "--param", "v", "--domain", "0"]) == 2


# ------------------------------------------------------------------ figures
def test_stt_figures_draw(tmp_path):
    from exactscreen.report.figures.stt import draw_stt_fig1, draw_stt_fig_v

    draw_stt_fig_v(tmp_path / "v.png")
    draw_stt_fig1(tmp_path / "f1.png")
    assert (tmp_path / "v.png").stat().st_size > 1000 and (tmp_path / "f1.png").stat().st_size > 1000
