"""The optimal face is certified independently (issue 13, item 1): every range endpoint by a
witness optimum and a dual bound, the binding sets, uniqueness; corrupted certificates fail
with a named reason; an engine that reports a too-narrow range is caught."""

from __future__ import annotations

import ast
import dataclasses
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from exactscreen.environment import Environment, Market
from exactscreen.exceptions import NotCertified
from exactscreen.mechanisms import face_check as FC
from exactscreen.mechanisms import optimum as O
from exactscreen.mechanisms.optimum import optimal_mechanism

PAPER = {"tL": {"aL": F(3, 4), "aH": F(1)}, "tH": {"aL": F(1), "aH": F(2)}}  # paper 000, Sec. 3.1.1


def _paper(q):
    env = Environment.from_dict(PAPER)
    return env, Market.from_mapping(env, {"tL": 1 - F(q), "tH": F(q)})


def _captured(env, market, monkeypatch):
    """optimal_mechanism's call of the checker: (env, market, cert, claims, always, sometimes)."""
    got = {}
    real = O.check_face

    def spy(*args):
        got["args"] = args
        return real(*args)

    monkeypatch.setattr(O, "check_face", spy)
    res = optimal_mechanism(env, market, check_face=True)
    return res, got["args"]


@pytest.mark.parametrize("q", ["0", "1/4", "1/3", "1/2", "3/4", "1"])
def test_paper_sec311_faces_pass_the_independent_check(q):
    env, market = _paper(q)
    res = optimal_mechanism(env, market)
    assert res.face_check is not None and res.face_check.ok, res.face_check
    assert res.face_check.endpoints == 2 * 2 * (2 + 3)  # payment, surplus, 3 allocation entries per type
    assert res.face_check.edges == 4
    assert res.verified
    cert = res.to_json()["certificate"]
    assert cert["face_checked"] is True and cert["face_checked_by"] == FC.CHECKED_BY


_val = st.sampled_from([F(0), F(1, 2), F(1), F(3, 2), F(2)])


@st.composite
def _tied(draw):
    n = draw(st.integers(2, 4))
    k = draw(st.integers(1, 3))
    table = {f"t{i}": {f"a{j}": draw(_val) for j in range(k)} for i in range(n)}
    env = Environment.from_dict(table)
    w = [draw(st.integers(0, 3)) for _ in range(n)]
    if not any(w):
        w[0] = 1
    return env, Market.from_mapping(env, {t: F(x, sum(w)) for t, x in zip(env.types, w)})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tied())
def test_faces_with_ties_pass_the_independent_check(case):
    env, market = case
    res = optimal_mechanism(env, market, check_face=True)
    assert res.face_check.ok and res.verified
    assert res.face_check.endpoints == 2 * env.n * (env.k + 3)
    assert res.face_check.edges == env.n * env.n


def _nonpoint(claims):
    return next(key for key, (lo, hi) in claims.items() if lo != hi)


def test_corrupted_certificates_fail_with_a_named_reason(monkeypatch):
    env, market = _paper("1/4")  # a tie: p(tL) in [3/4, 1], p(tH) in [1, 7/4]
    _, (e, m, cert, claims, always, sometimes) = _captured(env, market, monkeypatch)
    assert FC.check_face(e, m, cert, claims, always, sometimes).ok

    key = _nonpoint(claims)
    lo, hi = claims[key]
    moved = dict(claims, **{}) | {key: (lo, hi + F(1, 1000))}
    got = FC.check_face(e, m, cert, moved, always, sometimes)
    assert not got.ok and "hi endpoint" in got.failure and "not attained" in got.failure

    point = dict(claims) | {key: (hi, hi)}  # a range claimed to be a point
    got = FC.check_face(e, m, cert, point, always, sometimes)
    assert not got.ok and "lo endpoint" in got.failure

    # a wrong multiplier: double one of a dual bound's multipliers
    k2, side = next((k_, s) for k_, ev in cert.bounds.items() for s in (0, 1) if ev[s][1])
    ev = list(cert.bounds[k2])
    wit, eta = ev[side]
    r0 = next(iter(eta))
    ev[side] = (wit, dict(eta) | {r0: 2 * eta[r0]})
    bad = dataclasses.replace(cert, bounds=dict(cert.bounds) | {k2: tuple(ev)})
    got = FC.check_face(e, m, bad, claims, always, sometimes)
    assert not got.ok and ("dual bound" in got.failure or "moves on the optimal face" in got.failure)

    # a witness that is not optimal: a lower payment for a type in the market
    assert cert.witnesses
    w0 = dict(cert.witnesses[0])
    i = next(iter(w0))
    lot, p = w0[i]
    w0[i] = (lot, p - F(1, 8))
    bad = dataclasses.replace(cert, witnesses=(w0, *cert.witnesses[1:]))
    got = FC.check_face(e, m, bad, claims, always, sometimes)
    assert not got.ok and "witness 0" in got.failure

    # a wrong binding set: drop an edge from "every optimum", add one to "some optimum"
    if always:
        got = FC.check_face(e, m, cert, claims, set(always) - {next(iter(always))}, sometimes)
        assert not got.ok and "not binding in some optimum" in got.failure
    never = {(i_, t) for i_ in range(env.n) for t in [*range(env.n), None] if t != i_} - set(sometimes)
    if never:
        got = FC.check_face(e, m, cert, claims, always, set(sometimes) | {next(iter(never))})
        assert not got.ok and "binding in some optimum" in got.failure


def test_a_base_point_with_wrong_revenue_fails(monkeypatch):
    env, market = _paper("1/4")
    _, (e, m, cert, claims, always, sometimes) = _captured(env, market, monkeypatch)
    alloc, pay = cert.base
    bad = dataclasses.replace(cert, base=(alloc, (pay[0] - F(1, 100), *pay[1:])))
    got = FC.check_face(e, m, bad, claims, always, sometimes)
    assert not got.ok and "base point" in got.failure


def test_an_engine_reporting_a_too_narrow_range_is_not_certified(monkeypatch):
    env, market = _paper("1/4")
    real = O._ranges

    def narrow(*args, **kw):
        fc = real(*args, **kw)
        pay = list(fc.payment)
        r = pay[0]
        assert r.lo < r.hi
        pay[0] = dataclasses.replace(r, lo=r.lo + (r.hi - r.lo) / 2)
        return dataclasses.replace(fc, payment=tuple(pay))

    monkeypatch.setattr(O, "_ranges", narrow)
    with pytest.raises(NotCertified, match="optimal face"):
        optimal_mechanism(env, market)


def test_face_check_imports_nothing_from_the_engine():
    src = Path(FC.__file__).read_text()
    names = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.ImportFrom):
            names.add((node.module or "") + ":" + ",".join(a.name for a in node.names))
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    bad = [s for s in names if any(w in s for w in ("structured", "optimum", "lp", "mechanism:", "Mechanism",
                                                    "face_evidence", "flint", "numpy"))]
    assert not bad, bad
