"""The one engine path of ``optimal_mechanism`` (issue 12, item 2) gives exactly the
results of the slow reference (the generic-LP path it replaced, kept in
``tests/reference_screening.py``): revenue, selected mechanism, every range of the
face, uniqueness flags, binding sets and the JSON output, on random, tie-heavy
(ties, copied types, zero-probability types, duplicate alternatives) and the
papers' instances."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscreen.exceptions import InputError
from exactscreen.environment import OUTSIDE, Environment, Market, load_toml
from exactscreen.mechanisms.optimum import optimal_mechanism
from exactscreen.strategies import environment_and_market, environments, markets

from .reference_screening import reference_optimal_mechanism

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # bench/ is not installed: import it from the checkout
    sys.path.insert(0, str(_ROOT))

from bench.instances import (  # noqa: E402
    breakpoint_instance,
    copies_instance,
    equal_instance,
    paper_instance,
    random_instance,
    ties_instance,
    zeroprob_instance,
)

EXAMPLES = _ROOT / "exactscreen" / "examples"
SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HALVES = st.sampled_from([Fraction(v, 2) for v in range(5)])  # values in {0, 1/2, 1, 3/2, 2}
SMALL_INTS = st.sampled_from([Fraction(v) for v in range(-3, 10)])


def _without_engine_wording(j: dict) -> dict:
    j = dict(j)
    cert = dict(j["certificate"])
    for key in ("method", "note", "lp_solves", "checked_by"):
        assert key in cert
        cert.pop(key)
    cert.pop("face_checked")  # the reference has no face certificate; the engine's is asserted below
    j["certificate"] = cert
    return j


def _binding_by_definition(m):
    """Binding IC/IR edges straight from the definition, in Fractions (v(t, x(t')) - p(t') = u(t))."""
    env = m.environment
    edges = []
    for i in range(env.n):
        own = m.surplus(i)
        edges += [(env.types[i], env.types[j]) for j in range(env.n) if j != i and m.surplus(i, j) == own]
        if own == 0:
            edges.append((env.types[i], OUTSIDE))
    return tuple(edges)


def _value(env: Environment, mech, what: str, i: int, j: int | None = None) -> Fraction:
    if what == "payment":
        return mech.payments[i]
    if what == "surplus":
        return mech.surplus(i)
    return mech.allocation[i][j]


def assert_same(env: Environment, market: Market, selection: str = "support-value") -> None:
    fast = optimal_mechanism(env, market, selection=selection)
    ref = reference_optimal_mechanism(env, market, selection=selection)
    assert fast.verified and ref.verified
    assert fast.revenue == ref.revenue
    assert fast.mechanism == ref.mechanism
    a, b = fast.face, ref.face
    assert a is not None and b is not None
    assert a.payment == b.payment  # Range compares lo and hi
    assert a.surplus == b.surplus
    assert a.allocation == b.allocation
    assert a.always_binding == b.always_binding
    assert a.sometimes_binding == b.sometimes_binding
    assert a.support == b.support
    assert (a.payment_rule_unique, a.payment_rule_unique_all_types, a.unique) == (
        b.payment_rule_unique, b.payment_rule_unique_all_types, b.unique)
    assert _without_engine_wording(fast.to_json()) == _without_engine_wording(ref.to_json())
    assert fast.to_json()["certificate"]["face_checked"] is True  # small: the face check ran and passed
    assert tuple(tuple(e) for e in fast.to_json()["binding"]) == _binding_by_definition(fast.mechanism)
    # every range endpoint is attained by the optimal mechanism reported with it
    for i in range(env.n):
        for what, r, j in [("payment", a.payment[i], None), ("surplus", a.surplus[i], None)] + [
            ("allocation", a.allocation[i][j], j) for j in range(env.k + 1)
        ]:
            assert _value(env, r.at_lo, what, i, j) == r.lo
            assert _value(env, r.at_hi, what, i, j) == r.hi
    # and binding-only path agrees with the full one
    plain = optimal_mechanism(env, market, face=False, selection=selection)
    assert plain.mechanism == fast.mechanism and plain.face is None


@SETTINGS
@given(environment_and_market(max_types=4, max_alternatives=3), st.sampled_from(["support-value", "total-value"]))
def test_engine_equals_reference_on_small_instances_with_ties_copies_and_zero_probabilities(case, rule):
    env, market = case
    assert_same(env, market, rule)


@SETTINGS
@given(st.data())
def test_engine_equals_reference_on_tie_heavy_values(data):
    values = data.draw(st.sampled_from([HALVES, SMALL_INTS]))
    env = data.draw(environments(min_types=2, max_types=6, min_alternatives=1, max_alternatives=4,
                                 values=values, costs=False))
    market = data.draw(st.sampled_from([None, "zeros"])) and data.draw(markets(env))
    if not market:
        market = Market(env, tuple(Fraction(1, env.n) for _ in env.types))  # uniform
    assert_same(env, market)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_engine_equals_reference_on_the_papers_examples(path):
    try:
        env, market = load_toml(path)
    except InputError:  # a parametric example (its values are formulas): not an instance
        pytest.skip("not a concrete environment")
    if market is None:
        market = Market(env, tuple(Fraction(1, env.n) for _ in env.types))
    assert_same(env, market)


@pytest.mark.parametrize(
    "q,copies,zero_copies,dup_alts",
    [("1/4", 3, 0, False), ("3/4", 2, 1, True), ("1/2", 4, 0, False), ("0", 2, 1, False), ("1", 2, 0, True)],
)
def test_engine_equals_reference_on_the_paper_example_copied(q, copies, zero_copies, dup_alts):
    env, market = paper_instance(q, copies, zero_copies, dup_alts)
    assert_same(env, market)


@pytest.mark.parametrize(
    "build,n,k",
    [(random_instance, 8, 4), (random_instance, 12, 5), (ties_instance, 10, 4),
     (copies_instance, 10, 3), (zeroprob_instance, 10, 4), (breakpoint_instance, 8, 4),
     (equal_instance, 8, 3)],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_engine_equals_reference_on_benchmark_families(build, n, k):
    env, market = build(n, k, 0)
    assert_same(env, market)


def test_progress_hook_receives_short_stage_strings():
    env, market = paper_instance("1/4", 3, 1, True)
    seen: list[str] = []
    res = optimal_mechanism(env, market, progress=seen.append)
    assert seen[:2] == ["optimum", "face"] and "ranges" in seen
    assert all(isinstance(s, str) and len(s) < 40 for s in seen)
    assert res.to_json() == optimal_mechanism(env, market).to_json()
