"""The Prop. 2 construction and Pareto improving segmentations are checked
independently (issue 13, item 1): :mod:`exactscreen.mechanisms.segmentation_check`
re-checks the path, ``M1``, ``M2``, ``M*`` and the dominating market against the
definitions of paper 000 (Sec. 4.1.2, App. A.1 Lemma 4 / Expression (1), Sec. 3.1),
and a corrupted construction fails with the name of the violated condition."""

from __future__ import annotations

import ast
import dataclasses
from fractions import Fraction as F
from pathlib import Path

import pytest

import exactscreen.mechanisms.segmentation_check as sc
from exactscreen.environment import Environment, Market, load_toml
from exactscreen.exceptions import NotCertified
from exactscreen.mechanisms.mechanism import Mechanism
from exactscreen.mechanisms.segmentation import (
    certify_domination_proof,
    check_segmentation,
    dominating_market,
    two_segment_improvement,
)
from exactscreen.mechanisms.segmentation_check import check_domination_construction, check_pareto_improving_segmentation

EXAMPLES = Path(sc.__file__).resolve().parents[1] / "examples"


def _chain_instance():
    """θ = 1, 2, 3, 4, qualities q = θ at cost q²/2; type t3 pools with t2:
    binding path t3 → t2 → t1 (3 types), t' = t4."""
    th = [1, 2, 3, 4]
    types, alts = [f"t{i}" for i in th], [f"q{i}" for i in th]
    env = Environment.from_dict(
        {t: {a: x * q for a, q in zip(alts, th)} for t, x in zip(types, th)},
        costs={a: F(q * q, 2) for a, q in zip(alts, th)},
    )
    return env, Market(env, (F(700, 1000), F(220, 1000), F(45, 1000), F(35, 1000)))


@pytest.fixture(scope="module")
def chain():
    env, f = _chain_instance()
    return env, f, dominating_market(env, f)


def _raw(m: Mechanism):
    return {t: (m.allocation[i], m.payments[i]) for i, t in enumerate(m.environment.types)}


def _weights(m: Market):
    return dict(zip(m.environment.types, m.weights))


def _check(env, f, proof, **over):
    kw = dict(
        S=proof.S, path=proof.path, t_prime=proof.t_prime,
        M=_raw(proof.M), M1=_raw(proof.M1), M2=_raw(proof.M2), Mstar=_raw(proof.Mstar),
        dominating=_weights(proof.market),
        reported_cs_old=proof.comparison.cs_old, reported_cs_new=proof.comparison.cs_new,
    )
    kw.update(over)
    return check_domination_construction(env, _weights(f), **kw)


def test_the_construction_on_a_three_type_path_passes_and_records_the_checker(chain):
    env, f, proof = chain
    assert proof.path == ("t3", "t2", "t1") and proof.t_prime == "t4"
    assert proof.certified_by == sc.CHECKED_BY
    chk = _check(env, f, proof)
    assert chk.ok and chk.failures == () and str(chk) == "construction checked"


def test_the_footnote_25_construction_passes():
    env, f = load_toml(EXAMPLES / "pis_fn25.toml")
    proof = dominating_market(env, f)
    assert _check(env, f, proof).ok


def test_a_path_stopping_at_a_positive_surplus_type_fails_path_end(chain):
    env, f, proof = chain
    chk = _check(env, f, proof, path=("t3", "t2"), S=("t3", "t2"))
    assert not chk.ok and "path.end" in chk.reasons and "S.stops" in chk.reasons
    bad = dataclasses.replace(proof, path=("t3", "t2"))
    with pytest.raises(NotCertified, match="path.end"):
        certify_domination_proof(env, f, bad)


def test_a_path_skipping_a_type_fails_path_chain(chain):
    env, f, proof = chain
    assert "path.chain" in _check(env, f, proof, path=("t3", "t1")).reasons


def test_a_path_starting_at_an_efficient_type_fails_path_start(chain):
    env, f, proof = chain
    assert "path.start" in _check(env, f, proof, path=("t2", "t1")).reasons


def test_m1_with_the_surplus_of_t_changed_fails_m1_def(chain):
    env, f, proof = chain
    M1 = _raw(proof.M1)
    x, p = M1["t3"]
    M1["t3"] = (x, p + F(1, 7))
    assert "M1.def" in _check(env, f, proof, M1=M1).reasons


def test_a_t_prime_that_does_not_prefer_t_fails(chain):
    env, f, proof = chain
    chk = _check(env, f, proof, t_prime="t2")
    assert not chk.ok and chk.reasons[0] == "t_prime"


def test_m2_not_giving_t_prime_the_option_of_t_fails_m2_def(chain):
    env, f, proof = chain
    M2 = _raw(proof.M2)
    M2["t4"] = _raw(proof.M)["t4"]
    assert "M2.def" in _check(env, f, proof, M2=M2).reasons


def test_mstar_with_a_lower_payment_for_t_prime_fails_its_definition_and_lemma4(chain):
    env, f, proof = chain
    Ms = _raw(proof.Mstar)
    x, p = Ms["t4"]
    Ms["t4"] = (x, p - F(1, 2))
    reasons = _check(env, f, proof, Mstar=Ms).reasons
    assert "Mstar.def" in reasons and "Mstar.chain" in reasons


def test_mstar_violating_ic_fails_mstar_ic(chain):
    env, f, proof = chain
    Ms = _raw(proof.Mstar)
    x, p = Ms["t2"]
    Ms["t2"] = (x, p + 1)  # t2 now prefers t1's option
    reasons = _check(env, f, proof, Mstar=Ms).reasons
    assert "Mstar.def" in reasons and "Mstar.IC" in reasons


def test_a_dominating_market_outside_the_path_fails_market_support(chain):
    env, f, proof = chain
    two = {"t1": F(1, 2), "t2": F(1, 2), "t3": F(0), "t4": F(0)}
    assert "market.support" in _check(env, f, proof, dominating=two).reasons


def test_a_dominating_market_with_too_much_mass_on_top_fails_lemma4(chain):
    """Lemma 4 needs F(t_{j-1}) small against F(t_j): put most mass on t' and the chain's top."""
    env, f, proof = chain
    heavy = {"t4": F(1, 2), "t3": F(1, 4), "t2": F(1, 8), "t1": F(1, 8)}
    assert "market.lemma4" in _check(env, f, proof, dominating=heavy).reasons


def test_a_reported_surplus_that_is_not_mstars_fails_comparison(chain):
    env, f, proof = chain
    wrong = dict(proof.comparison.cs_new)
    wrong["t4"] += 1
    assert "comparison" in _check(env, f, proof, reported_cs_new=wrong).reasons


def test_a_valid_theorem_1_split_passes_and_corrupted_splits_fail_with_their_reason(chain):
    env, f, _ = chain
    imp = two_segment_improvement(env, f)
    assert imp.verified and imp.check.certified_by == sc.CHECKED_BY
    (w1, f1), (w2, f2) = imp.check.segments
    from exactscreen.mechanisms.optimum import optimal_mechanism

    M = _raw(optimal_mechanism(env, f).mechanism)
    M1, M2 = (_raw(optimal_mechanism(env, g).mechanism) for g in (f1, f2))
    good = [(w1, _weights(f1), M1), (w2, _weights(f2), M2)]
    assert check_pareto_improving_segmentation(env, _weights(f), M, good).ok
    assert "weights" in check_pareto_improving_segmentation(env, _weights(f), M, [(w1, _weights(f1), M1)]).reasons
    shifted = [(w1, _weights(f2), M2), (w2, _weights(f1), M1)]
    assert "segments.average" in check_pareto_improving_segmentation(env, _weights(f), M, shifted).reasons
    neg = dict(_weights(f1))
    neg["t1"], neg["t2"] = neg["t1"] + 1, neg["t2"] - 1
    assert "segments.nonnegative" in check_pareto_improving_segmentation(
        env, _weights(f), M, [(w1, neg, M1), (w2, _weights(f2), M2)]).reasons
    # the old mechanism in every segment: nobody gains, the seller does not gain
    same = [(w1, _weights(f1), M), (w2, _weights(f2), M)]
    reasons = check_pareto_improving_segmentation(env, _weights(f), M, same).reasons
    assert "consumers.strict" in reasons and "seller.strict" in reasons
    # a segment whose mechanism charges t4 its value: t4 loses
    worse = dict(M1)
    x, p = worse["t4"]
    worse["t4"] = (x, p + F(1, 100))
    assert "consumers.weak" in check_pareto_improving_segmentation(
        env, _weights(f), M, [(w1, _weights(f1), worse), (w2, _weights(f2), M2)]).reasons or \
        "M0.IC" in check_pareto_improving_segmentation(
        env, _weights(f), M, [(w1, _weights(f1), worse), (w2, _weights(f2), M2)]).reasons


def test_check_segmentation_raises_not_certified_when_the_independent_check_disagrees(chain, monkeypatch):
    env, f, _ = chain
    imp = two_segment_improvement(env, f)
    segs = list(imp.check.segments)
    import exactscreen.mechanisms.segmentation as seg

    monkeypatch.setattr(seg, "check_pareto_improving_segmentation",
                        lambda *a, **k: sc.ConstructionCheck(False, ("seller.strict: forced",)))
    with pytest.raises(NotCertified, match="seller.strict"):
        check_segmentation(env, f, segs)


def test_the_checker_imports_nothing_from_the_construction():
    tree = ast.parse(Path(sc.__file__).read_text())
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert mods <= {"__future__", "dataclasses", "fractions", "typing"}, mods
