"""Statuses, their combination, the evidence recorder and the hypothesis profiles."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
import sympy
from hypothesis import settings

from exactscreen import testing
from exactscreen.claims import Claim, Status, TestOutcome, combine
from exactscreen.claims.evidence import Evidence
from exactscreen.exceptions import ExactNumberError, InputError

C = Claim("TOY-A", "TOY", "Lemma 1", "toy")


def outcome(status: Status, name: str = "t", *lines: str) -> TestOutcome:
    return TestOutcome(f"m.py::{name}", ("TOY-A",), status, lines, 1, Decimal("0.001"))


def test_no_outcome_is_not_yet_checked_never_verified():
    r = combine(C, [])
    assert r.status is Status.NOT_YET_CHECKED and r.summary == "no check yet"


@pytest.mark.parametrize(
    "statuses, worst",
    [
        ([Status.VERIFIED, Status.VERIFIED_BOUNDS], Status.VERIFIED_BOUNDS),
        ([Status.VERIFIED_BOUNDS, Status.NOT_CHECKABLE], Status.NOT_CHECKABLE),
        ([Status.NOT_CHECKABLE, Status.QUALIFIED], Status.QUALIFIED),
        ([Status.QUALIFIED, Status.REFUTED, Status.VERIFIED], Status.REFUTED),
        ([Status.REFUTED, Status.ERROR], Status.ERROR),
    ],
)
def test_worst_status_wins(statuses, worst):
    r = combine(C, [outcome(s, f"t{i}") for i, s in enumerate(statuses)])
    assert r.status is worst
    assert r.seconds == Decimal("0.001") * len(statuses)


def test_only_refuted_and_error_fail():
    assert {s for s in Status if s.failing} == {Status.REFUTED, Status.ERROR}


def test_evidence_shows_exact_values_and_refuses_floats():
    ev = Evidence("m.py::t")
    assert ev.compared("q*", Fraction(1, 3), "1/3") is True
    assert ev.compared("h*", (3 - sympy.sqrt(5)) / 2, sympy.Rational(3, 2) - sympy.sqrt(5) / 2) is True
    assert ev.compared("pair", (Fraction(1, 2), 2), (Fraction(1, 2), 3)) is False
    assert ev.lines[0] == "q*: computed 1/3, paper 1/3 (equal)"
    assert ev.lines[2] == "pair: computed (1/2, 2), paper (1/2, 3) (DIFFERENT)"
    with pytest.raises(ExactNumberError, match="float 0.1"):
        ev.compared("x", 0.1, Fraction(1, 10))
    with pytest.raises(ExactNumberError, match="sympy Float"):
        ev.bounds("x", sympy.Float("0.5"), 1)


def test_evidence_status_only_gets_worse_and_lines_are_deduplicated():
    ev = Evidence()
    ev.qualified("a", 1, "b", confirmed_by="brute force", confirm=True)
    ev.bounds("x", 0, 1)
    assert ev.status is Status.QUALIFIED
    for _ in range(3):
        ev.note("same")
    assert ev.lines.count("same") == 1


def test_instance_count_prefers_explicit_calls():
    ev = Evidence()
    assert ev.instance_count == 1
    ev.auto_instances = 40
    assert ev.instance_count == 40
    ev.instances(3)
    ev.instances()
    assert ev.instance_count == 4
    with pytest.raises(TypeError):
        ev.instances(-1)


def test_trivial_instances_are_not_counted_and_reach_counts_hits():
    ev = Evidence()
    ev.auto_instances = 40
    for n in range(40):
        if n < 10:
            ev.trivial("n < 10")
        else:
            ev.reach("n even", n % 2 == 0)
    assert ev.instance_count == 30
    assert ev.reach_counts == (("n even", 15, 30),)
    assert ev.strength_level == "sampled"
    with pytest.raises(TypeError):
        ev.reach("n even", 1)
    with pytest.raises(ValueError, match="not one of all-cases"):
        ev.strength("strong")


def test_claim_strength_is_all_cases_if_a_check_decides_every_case_else_the_weakest():
    from exactscreen.claims.results import TestOutcome, claim_strength

    def t(strength, status=Status.VERIFIED):
        return TestOutcome("x", ("A",), status, strength=strength)

    assert claim_strength([]) == "none"
    assert claim_strength([t("paper-instances"), t("sampled")]) == "sampled"
    assert claim_strength([t("all-cases"), t("paper-instances")]) == "all-cases"
    assert claim_strength([t("all-cases", Status.ERROR), t("paper-instances")]) == "paper-instances"
    assert claim_strength([t("bounds"), t("paper-instances")]) == "bounds"


def test_a_qualified_claim_is_as_strong_as_the_checks_that_found_its_counterexample():
    from exactscreen.claims.results import TestOutcome, claim_strength

    def t(strength, status=Status.VERIFIED):
        return TestOutcome("x", ("A",), status, strength=strength)

    # PIS-A4's shape: a counterexample on the paper's instances beside a not-checkable part
    tests = [t("paper-instances"), t("paper-instances", Status.QUALIFIED), t("none", Status.NOT_CHECKABLE)]
    assert claim_strength(tests, Status.QUALIFIED) == "paper-instances"
    assert claim_strength(tests) == "none"  # without the status: the weakest, as before
    two = [t("sampled", Status.REFUTED), t("paper-instances", Status.REFUTED), t("bounds")]
    assert claim_strength(two, Status.REFUTED) == "paper-instances"


def test_profiles_ci_is_fast_and_deterministic_deep_is_thorough():
    ci, deep = settings.get_profile("ci"), settings.get_profile("deep")
    assert 25 <= ci.max_examples <= 50 and ci.derandomize and ci.deadline is None
    assert deep.max_examples >= 1000 and deep.deadline is None


def test_profile_names_are_validated(monkeypatch):
    with pytest.raises(InputError, match="choose one of ci, deep"):
        testing.load_profile("fast")
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "deep")
    assert testing.env_profile() == "deep"
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "nope")
    with pytest.raises(InputError, match="HYPOTHESIS_PROFILE"):
        testing.env_profile()


def test_this_suite_runs_under_the_ci_profile():
    # pyproject sets exactscreen_profile = "ci" unless HYPOTHESIS_PROFILE overrides it
    import os

    expected = os.environ.get("HYPOTHESIS_PROFILE") or "ci"
    assert settings.get_current_profile_name() == expected


def test_summary_picks_the_status_line_without_the_test_tag():
    r = combine(C, [outcome(Status.VERIFIED, "t1", "revenue 3/2"), outcome(Status.QUALIFIED, "t2", "qualified: x")])
    assert r.evidence == ("revenue 3/2 [t1]", "qualified: x [t2]")
    assert r.summary == "qualified: x"


def test_summary_prefers_a_line_about_the_paper_to_a_comparison_with_a_derived_value():
    r = combine(C, [outcome(Status.VERIFIED, "t1", "q outside (0, 1) refused: computed 16, expected 16 (equal)"),
                    outcome(Status.VERIFIED, "t2", "q^BD1: computed 1/2, paper 1/2 (equal)")])
    assert r.summary == "q^BD1: computed 1/2, paper 1/2 (equal) (2 instances)"
    only = combine(C, [outcome(Status.VERIFIED, "t1", "x: computed 1, expected 1 (equal)")])
    assert only.summary.startswith("x: computed 1, expected 1 (equal)")


def test_a_value_not_stated_by_the_paper_is_labelled_by_its_source_and_a_difference_is_an_error():
    ev = Evidence()
    ev.equal("left side at a hand-made point", 1, 1, source="expected")
    assert ev.lines[-1] == "left side at a hand-made point: computed 1, expected 1 (equal)"
    assert ev.compared("x", 2, 2) is True and ev.lines[-1].endswith("paper 2 (equal)")
    with pytest.raises(AssertionError, match="computed 1, expected 2"):
        ev.equal("y", 1, 2, source="expected", confirmed_by="anything")
    assert ev.counterexamples == ()
    with pytest.raises(TypeError, match="source"):
        ev.compared("z", 1, 1, source="")
