"""The independent certificate of the two-type analysis (exactscreen.two_types.threshold_check):
it accepts the analysis' report and names the object when a threshold, a piece or a profit
of the report is corrupted."""

from __future__ import annotations

import ast
import copy
from fractions import Fraction as F
from pathlib import Path

import pytest

import exactscreen.two_types.threshold_check as tc
from exactscreen.environment import OUTSIDE, Environment
from exactscreen.exceptions import NotCertified
from exactscreen.two_types.analysis import analyze
from exactscreen.two_types.threshold_check import certified_envelope, certify_two_types


def restaurant(v):
    return Environment.from_dict({"T": {"steak": 30, "fish": v}, "A": {"steak": 60, "fish": 20}})


def _values(env):
    return {a: (env.value(env.types[0], a), env.value(env.types[1], a)) for a in (*env.alternatives, OUTSIDE)}


APPJ = Environment.from_dict(  # App. J, fn 35: q^BD1 = 1/3 > q^CD = 1/6
    {
        "t1": {"{1}": 2, "{2}": 1, "{3}": F(-1, 2), "{1;2}": 3, "{1;3}": F(3, 2), "{2;3}": F(1, 2), "{1;2;3}": F(5, 2)},
        "t2": {"{1}": -2, "{2}": 6, "{3}": -2, "{1;2}": 4, "{1;3}": -4, "{2;3}": 4, "{1;2;3}": 2},
    }
)


def test_the_checker_imports_nothing_from_the_analysis():
    tree = ast.parse(Path(tc.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any("analysis" in (m or "") or "parametric" in (m or "") for m in imported)


@pytest.mark.parametrize("env", [restaurant(5), restaurant(15), restaurant(20), restaurant(25), restaurant(35), APPJ],
                         ids=["v5", "v15", "v20", "v25", "v35", "appJ"])
def test_analyze_records_the_independent_certificate(env):
    t = analyze(env)
    assert t.certificate is not None
    assert {"labels", "a^BD1", "q^BD1", "q^CD", "q^OD"} <= set(t.certificate.checked)
    assert "deterministic pieces" in str(t.certificate)


def test_app_j_thresholds_recomputed_from_the_numbers():
    t = analyze(APPJ)
    assert (t.q_bd1, t.q_cd) == (F(1, 3), F(1, 6))
    certify_two_types(_values(APPJ), t.threshold_report())


def _corrupt(env, mutate):
    t = analyze(env)
    report = copy.deepcopy(t.threshold_report())
    mutate(report)
    with pytest.raises(NotCertified) as info:
        certify_two_types(_values(env), report)
    return str(info.value)


def test_a_corrupted_q_bd1_is_named():
    msg = _corrupt(restaurant(25), lambda r: r.__setitem__("q_bd1", r["q_bd1"] + F(1, 100)))
    assert "q^BD1 (q-BD1)" in msg and "1/7" in msg


def test_a_corrupted_q_cd_is_named():
    msg = _corrupt(APPJ, lambda r: r.__setitem__("q_cd", F(1, 3)))
    assert "q^CD (CD)" in msg


def test_a_missing_q_od_is_named():
    msg = _corrupt(restaurant(15), lambda r: r.__setitem__("q_od", None))
    assert "q^OD (OD)" in msg


def test_a_corrupted_a_bd1_is_named():
    msg = _corrupt(restaurant(25), lambda r: r.__setitem__("a_bd1", frozenset({OUTSIDE})))
    assert "a^BD1 (BD1)" in msg


def test_a_wrong_labelling_is_named():
    msg = _corrupt(restaurant(25), lambda r: r.__setitem__("swapped", True))
    assert "Assumption 1" in msg


def test_a_moved_deterministic_breakpoint_is_named():
    def move(r):
        lo, hi, a1, menus, prof = r["deterministic"][0]
        r["deterministic"][0] = (lo, hi + F(1, 1000), a1, menus, prof)

    assert "breakpoints of the deterministic pieces" in _corrupt(restaurant(15), move)


def test_a_wrong_deterministic_profit_is_named():
    def bump(r):
        lo, hi, a1, menus, (c, s) = r["deterministic"][-1]
        r["deterministic"][-1] = (lo, hi, a1, menus, (c, s + F(1, 2)))

    assert "deterministic profit" in _corrupt(restaurant(15), bump)


def test_a_wrong_menu_payment_is_named():
    def pay(r):
        lo, hi, a1, menus, prof = r["deterministic"][0]
        m1, m2, p1, p2 = menus[0]
        r["deterministic"][0] = (lo, hi, a1, [(m1, m2, p1, p2 + 1)], prof)

    assert "optimal menu" in _corrupt(restaurant(15), pay)


def test_a_wrong_random_profit_or_lottery_is_named():
    def prof(r):
        lo, hi, used, verts, (c, s) = r["random"][-1]
        r["random"][-1] = (lo, hi, used, verts, (c + 1, s))

    assert "random profit" in _corrupt(restaurant(25), prof)

    def lottery(r):
        lo, hi, used, verts, p = r["random"][-1]
        r["random"][-1] = (lo, hi, used, [{"fish": F(5, 7), "steak": F(2, 7)}], p)

    assert "x1 vertex" in _corrupt(restaurant(25), lottery)


def test_the_envelope_certificate_catches_a_missing_breakpoint(monkeypatch):
    lines = {"s": (F(30), F(-60)), "f": (F(15), F(-20)), "0": (F(0), F(0))}
    env = certified_envelope(lines)
    assert env.kinks == (F(3, 8), F(3, 4))
    monkeypatch.setattr(tc, "_candidates", lambda lines: [])  # a hull that forgets every corner
    with pytest.raises(NotCertified, match="breakpoint of the envelope is missing"):
        certified_envelope(lines)


def test_analyze_raises_not_certified_when_the_analysis_is_wrong(monkeypatch):
    from exactscreen.two_types import analysis

    monkeypatch.setattr(analysis.TwoTypes, "_q_bd1", lambda self: F(1, 2))
    with pytest.raises(NotCertified, match="q-BD1"):
        analyze(restaurant(25))


def test_analyze_raises_not_certified_when_the_envelope_drops_a_breakpoint(monkeypatch):
    from exactscreen.two_types import analysis

    real = analysis.upper_envelope

    def merged(points, lo=F(0), hi=F(1)):  # forget the interior breakpoints after the first
        env = real(points, lo, hi)
        if len(env.points) <= 3:
            return env
        return analysis.Envelope(env.points[:2] + env.points[-1:], env.at_points[:2] + env.at_points[-1:],
                                 env.between[:2], env.values)

    monkeypatch.setattr(analysis, "upper_envelope", merged)
    with pytest.raises(NotCertified, match="two-types certificate"):
        analyze(restaurant(15))
