"""The pytest plugin and the runner: every status, combination, selection, broken checks.

Each test writes a synthetic claims file and checks directory into tmp_path
and runs them with :func:`exactscreen.claims.runner.run_checks` (in-process
pytest), or with a plain ``python -m pytest`` subprocess where the plain
pytest behaviour itself is under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from pathlib import Path

from exactscreen.claims import Status, loads_registry
from exactscreen.claims.runner import collect_checks, run_checks

PAPER = """\
[papers.TOY]
title = "A toy paper"
authors = "A. Theorist"
"""


def claims_toml(*ids: str) -> str:
    body = [PAPER]
    for n, cid in enumerate(ids, 1):
        body.append(
            f'[[claims]]\nid = "{cid}"\npaper = "TOY"\nsection = "Lemma {n}"\n'
            f'statement = "toy statement {n}"\n'
        )
    return "\n".join(body)


def make(tmp_path: Path, ids: tuple[str, ...], checks: str, name: str = "test_toy_checks.py"):
    """(registry, checks dir) with the given claim IDs and one check module."""
    (tmp_path / "claims.toml").write_text(claims_toml(*ids), encoding="utf-8")
    d = tmp_path / "checks"
    d.mkdir(exist_ok=True)
    header = "from fractions import Fraction\nimport pytest\nfrom hypothesis import given, strategies as st\nfrom exactscreen.claims import claim\n\n"
    (d / name).write_text(header + textwrap.dedent(checks), encoding="utf-8")
    return loads_registry(claims_toml(*ids), source=str(tmp_path / "claims.toml")), d


def result(run, cid):
    return next(r for r in run.results if r.id == cid)


def test_plain_passing_check_is_verified(tmp_path):
    reg, d = make(tmp_path, ("TOY-A",), """
        @claim("TOY-A")
        def test_a(evidence):
            evidence.compared("revenue", Fraction(3, 2), Fraction(6, 4))
            assert Fraction(3, 2) == Fraction(6, 4)
    """)
    r = result(run_checks(reg, [d]), "TOY-A")
    assert r.status is Status.VERIFIED
    assert r.evidence == ("revenue: computed 3/2, paper 3/2 (equal)",)
    assert r.instances == 1
    assert [t.nodeid for t in r.tests] == ["test_toy_checks.py::test_a"]


def test_hypothesis_examples_are_counted_under_the_ci_profile(tmp_path):
    reg, d = make(tmp_path, ("TOY-A",), """
        @claim("TOY-A")
        @given(st.fractions(min_value=-3, max_value=3, max_denominator=5))
        def test_double(x):
            assert x + x == 2 * x
    """)
    r = result(run_checks(reg, [d], profile="ci"), "TOY-A")
    assert r.status is Status.VERIFIED
    assert r.instances == 40  # exactscreen.testing.CI_EXAMPLES


def test_false_toy_claim_is_refuted_with_the_minimized_confirmed_counterexample(tmp_path):
    reg, d = make(tmp_path, ("TOY-SQ",), """
        @claim("TOY-SQ")
        @given(st.fractions(min_value=-3, max_value=3, max_denominator=5))
        def test_square_at_least(evidence, x):
            evidence.instances()
            if not x * x >= x:
                evidence.fails("x*x >= x", {"x": x}, confirmed_by="the sign of x(x - 1)",
                               confirm=x * (x - 1) < 0)
    """)
    run = run_checks(reg, [d])
    r = result(run, "TOY-SQ")
    assert r.status is Status.REFUTED
    assert r.evidence[0].startswith("counterexample: test_square_at_least(x=1/2)")
    assert "x*x >= x fails on {x: 1/2} (confirmed by the sign of x(x - 1))" in r.evidence[0]
    assert r.counterexample == {
        "as_written": "x*x >= x", "instance": {"x": "1/2"}, "confirmed_by": "the sign of x(x - 1)",
        "check": "test_toy_checks.py::test_square_at_least",
    }
    assert run.exit_status == 1


def test_a_bare_failed_assertion_is_an_error_of_the_check_not_a_refutation(tmp_path):
    reg, d = make(tmp_path, ("TOY-SQ",), """
        @claim("TOY-SQ")
        @given(st.fractions(min_value=-3, max_value=3, max_denominator=5))
        def test_square_at_least(evidence, x):
            assert x * x >= x
    """)
    r = result(run_checks(reg, [d]), "TOY-SQ")
    assert r.status is Status.ERROR
    assert r.evidence[0].startswith("error: check failed: assert (1/2 * 1/2) >= 1/2")
    assert "not confirmed by a second route" in r.evidence[0]
    assert "while running test_square_at_least(x=1/2)" in r.evidence
    assert r.counterexample is None


def test_a_second_route_that_disagrees_makes_an_engine_disagreement_error(tmp_path):
    reg, d = make(tmp_path, ("TOY-D", "TOY-U"), """
        @claim("TOY-D")
        def test_d(evidence):
            evidence.fails("x*x >= x", {"x": Fraction(2)}, confirmed_by="brute force", confirm=lambda: False)

        @claim("TOY-U")
        def test_u(evidence):
            evidence.qualified("x*x >= x", {"x": Fraction(1, 2)}, "outside (0, 1)")
    """)
    run = run_checks(reg, [d])
    d_, u = run.results
    assert d_.status is Status.ERROR and u.status is Status.ERROR
    assert d_.evidence[0] == (
        "error: engine disagreement: the check found 'x*x >= x' false on {x: 2}; brute force says it holds there"
    )
    assert "has no second route" in u.evidence[0]


def test_strength_is_declared_or_inferred_and_reach_is_reported(tmp_path):
    reg, d = make(tmp_path, ("TOY-A", "TOY-P", "TOY-S", "TOY-ALL", "TOY-N"), """
        @claim("TOY-A")
        def test_a(evidence):
            evidence.equal("revenue", Fraction(3, 2), Fraction(6, 4))

        @claim("TOY-P", "TOY-S")
        def test_p():
            pass

        @claim("TOY-S")
        @given(st.integers(min_value=0, max_value=30))
        def test_s(evidence, n):
            if n == 0:
                evidence.trivial("n = 0")
                return
            evidence.reach("n even", n % 2 == 0)

        @claim("TOY-ALL")
        def test_all(evidence):
            evidence.strength("all-cases")

        @claim("TOY-ALL")
        def test_all_example():
            pass

        @claim("TOY-N")
        def test_n(evidence):
            evidence.not_checkable("a limit", "k <= 20")
    """)
    run = run_checks(reg, [d], profile="ci")
    a, p, s, every, n = run.results
    assert [a.strength, p.strength, s.strength, every.strength, n.strength] == [
        "paper-instances", "paper-instances", "sampled", "all-cases", "none",
    ]
    assert s.status is Status.VERIFIED
    (entry,) = s.reach
    assert entry["check"] == "test_toy_checks.py::test_s" and entry["hard_case"] == "n even"
    assert entry["hit"] >= 5 and entry["tried"] == s.instances - 1  # test_p counts 1
    (sampled,) = [t for t in s.tests if t.strength == "sampled"]
    assert sampled.trivial == 1 and sampled.instances == entry["tried"]  # n = 0 is not counted


def test_a_sampled_check_without_reach_is_an_error_where_reach_is_required(tmp_path):
    reg, d = make(tmp_path, ("TOY-S", "TOY-T"), """
        @claim("TOY-S")
        @pytest.mark.reach_required
        @given(st.integers(min_value=0, max_value=10))
        def test_s(n):
            pass

        @claim("TOY-T")
        @given(st.integers(min_value=0, max_value=10))
        def test_t(n):
            pass
    """)
    s, t = run_checks(reg, [d], profile="ci").results
    assert s.status is Status.ERROR and s.evidence[-1].startswith("error: a sampled check must report its reach")
    assert t.status is Status.VERIFIED  # a user's own check is not required to


def test_plain_pytest_fails_a_check_whose_reach_is_too_low(tmp_path):
    make(tmp_path, ("TOY-S",), """
        @claim("TOY-S")
        @given(st.integers(min_value=0, max_value=10**6))
        def test_s(evidence, n):
            evidence.reach("n = 7", n == 7)
    """)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--exactscreen-claims",
         str(tmp_path / "claims.toml"), str(tmp_path / "checks")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout
    assert "reach too low" in proc.stdout


def test_a_sampled_check_that_rarely_reaches_its_hard_case_is_an_error(tmp_path):
    reg, d = make(tmp_path, ("TOY-S",), """
        @claim("TOY-S")
        @given(st.integers(min_value=0, max_value=10**6))
        def test_s(evidence, n):
            evidence.reach("n = 7", n == 7)
    """)
    r = result(run_checks(reg, [d], profile="ci"), "TOY-S")
    assert r.status is Status.ERROR
    assert r.evidence[-1].startswith("error: reach too low: the hard case 'n = 7' was hit by ")
    assert "a sampled check needs at least 5" in r.evidence[-1]


def test_status_calls_set_qualified_bounds_not_checkable_and_refuted(tmp_path):
    reg, d = make(tmp_path, ("TOY-Q", "TOY-B", "TOY-N", "TOY-R"), """
        @claim("TOY-Q")
        def test_q(evidence):
            x = Fraction(1, 2)
            assert not x * x >= x
            evidence.qualified("x*x >= x", {"x": x}, "x*x >= x for x outside (0, 1)",
                               confirmed_by="the sign of x(x - 1)", confirm=x * (x - 1) < 0)

        @claim("TOY-B")
        def test_b(evidence):
            evidence.bounds("E*", Fraction(3), Fraction(317, 100))

        @claim("TOY-N")
        def test_n(evidence):
            evidence.not_checkable("a limit as k -> infinity", "k = 1..20 exactly")

        @claim("TOY-R")
        def test_r(evidence):
            evidence.refuted("1/2 is an integer", Fraction(1, 2), confirmed_by="the denominator",
                             confirm=Fraction(1, 2).denominator != 1)
    """)
    run = run_checks(reg, [d])
    assert [r.status for r in run.results] == [
        Status.QUALIFIED, Status.VERIFIED_BOUNDS, Status.NOT_CHECKABLE, Status.REFUTED,
    ]
    assert "fails on {x: 1/2}" in result(run, "TOY-Q").evidence[0]
    assert result(run, "TOY-B").evidence == ("bounds: E* in [3, 317/100]",)
    assert result(run, "TOY-R").summary == "refuted: 1/2 is an integer"
    assert "counterexample: 1/2" in result(run, "TOY-R").evidence
    assert result(run, "TOY-Q").counterexample == {
        "as_written": "x*x >= x", "instance": {"x": "1/2"}, "confirmed_by": "the sign of x(x - 1)",
        "corrected": "x*x >= x for x outside (0, 1)", "check": "test_toy_checks.py::test_q",
    }
    assert result(run, "TOY-R").counterexample["instance"] == "1/2"
    assert result(run, "TOY-B").counterexample is None


def test_other_exceptions_floats_and_fixture_errors_are_errors(tmp_path):
    reg, d = make(tmp_path, ("TOY-E1", "TOY-E2", "TOY-E3"), """
        @pytest.fixture
        def broken():
            raise RuntimeError("no solver")

        @claim("TOY-E1")
        def test_e1():
            Fraction(1, 0)

        @claim("TOY-E2")
        def test_e2(evidence):
            evidence.compared("value", 0.5, Fraction(1, 2))

        @claim("TOY-E3")
        def test_e3(broken):
            pass
    """)
    run = run_checks(reg, [d])
    assert all(r.status is Status.ERROR for r in run.results)
    assert "ZeroDivisionError" in result(run, "TOY-E1").summary
    assert "float 0.5" in result(run, "TOY-E2").summary
    assert "in setup: RuntimeError: no solver" in result(run, "TOY-E3").summary


def test_compared_does_not_assert_but_a_passing_check_cannot_hide_a_difference(tmp_path):
    reg, d = make(tmp_path, ("TOY-A", "TOY-E"), """
        @claim("TOY-A")
        def test_a(evidence):
            evidence.compared("threshold", Fraction(1, 3), Fraction(1, 4))

        @claim("TOY-E")
        def test_e(evidence):
            evidence.equal("threshold", Fraction(1, 3), Fraction(1, 4))
    """)
    run = run_checks(reg, [d])
    a, e = run.results
    assert a.status is Status.ERROR  # the check did not assert, the row is not verified
    assert a.evidence == (
        "threshold: computed 1/3, paper 1/4 (DIFFERENT)",
        "error: threshold: computed value differs from the paper's, yet the check passed (assert the "
        "comparison, e.g. with evidence.equal, or report the difference as qualified)",
    )
    assert e.status is Status.ERROR  # evidence.equal asserts; unconfirmed, so not a refutation
    assert "threshold: computed 1/3, paper 1/4 (not confirmed by a second route)" in e.evidence[1]


def test_worst_status_wins_and_evidence_is_concatenated(tmp_path):
    reg, d = make(tmp_path, ("TOY-A", "TOY-B"), """
        @claim("TOY-A")
        def test_one(evidence):
            evidence.note("first")

        @claim("TOY-A", "TOY-B")
        def test_two(evidence):
            evidence.bounds("x", 0, 1)

        @claim("TOY-B")
        def test_three():
            assert 1 == 2

        @claim("TOY-B")
        def test_four():
            raise KeyError("k")
    """)
    run = run_checks(reg, [d])
    a, b = run.results
    assert a.status is Status.VERIFIED_BOUNDS
    assert a.evidence == ("first [test_one]", "bounds: x in [0, 1] [test_two]")
    assert b.status is Status.ERROR  # error > refuted > verified-bounds
    assert len(b.tests) == 3


def test_claims_without_checks_are_not_yet_checked_and_skips_do_not_count(tmp_path):
    reg, d = make(tmp_path, ("TOY-A", "TOY-B"), """
        @claim("TOY-B")
        def test_b():
            pytest.skip("needs the LP engine")
    """)
    run = run_checks(reg, [d])
    assert [r.status for r in run.results] == [Status.NOT_YET_CHECKED, Status.NOT_YET_CHECKED]
    assert run.results[1].evidence == ("skipped: needs the LP engine [test_b]",)
    assert run.exit_status == 0


def test_xfail_with_a_confirmed_counterexample_is_refuted_with_its_reason(tmp_path):
    reg, d = make(tmp_path, ("TOY-A", "TOY-B"), """
        @claim("TOY-A")
        @pytest.mark.xfail(reason="sign error in fn 12")
        def test_a(evidence):
            evidence.fails("-1 > 0", {"x": -1}, confirmed_by="integer comparison", confirm=not -1 > 0)

        @claim("TOY-B")
        @pytest.mark.xfail(reason="sign error in fn 12")
        def test_b():
            assert -1 > 0
    """)
    run = run_checks(reg, [d])
    a, b = run.results
    assert a.status is Status.REFUTED
    assert "expected failure (xfail): sign error in fn 12" in a.evidence
    assert b.status is Status.ERROR  # an xfail reason is not a second route


def test_unknown_claim_id_is_a_broken_check_with_a_suggestion(tmp_path):
    reg, d = make(tmp_path, ("TOY-LEM1",), """
        @claim("TOY-LEM2")
        def test_typo():
            pass
    """)
    run = run_checks(reg, [d])
    assert run.exit_status == 1
    (problem,) = run.problems
    assert "unknown claim ID 'TOY-LEM2'" in problem and "did you mean TOY-LEM1" in problem
    assert run.results[0].status is Status.NOT_YET_CHECKED


def test_collect_checks_lists_ids_and_unknown_ones(tmp_path):
    reg, d = make(tmp_path, ("TOY-A",), """
        @claim("TOY-A")
        def test_a():
            pass

        @claim("TOY-ZZZ")
        def test_z():
            pass
    """)
    collected = collect_checks(reg, [d])
    assert collected.by_claim == {"TOY-A": ("test_toy_checks.py::test_a",), "TOY-ZZZ": ("test_toy_checks.py::test_z",)}
    assert len(collected.unknown) == 1 and "TOY-ZZZ" in collected.unknown[0]


def test_selection_runs_only_the_selected_claims(tmp_path):
    reg, d = make(tmp_path, ("TOY-A", "TOY-B"), """
        @claim("TOY-A")
        def test_a():
            pass

        @claim("TOY-B")
        def test_b():
            raise RuntimeError("must not run")

        def test_untagged():
            raise RuntimeError("must not run either")
    """)
    run = run_checks(reg, [d], select=["TOY-A"])
    assert [(r.id, r.status) for r in run.results] == [("TOY-A", Status.VERIFIED)]
    assert run.exit_status == 0


def test_a_module_that_cannot_be_imported_is_a_problem(tmp_path):
    reg, d = make(tmp_path, ("TOY-A",), """
        import no_such_module_exactscreen
    """)
    run = run_checks(reg, [d])
    assert run.exit_status == 1
    assert "cannot collect" in run.problems[0] and "no_such_module_exactscreen" in run.problems[0]


def test_two_runs_in_one_process_reimport_the_checks(tmp_path):
    reg, d = make(tmp_path, ("TOY-A",), """
        @claim("TOY-A")
        def test_a():
            pass
    """)
    assert result(run_checks(reg, [d]), "TOY-A").status is Status.VERIFIED
    (d / "test_toy_checks.py").write_text(
        "from exactscreen.claims import claim\n\n@claim('TOY-A')\ndef test_a():\n    assert 0\n",
        encoding="utf-8",
    )
    assert result(run_checks(reg, [d]), "TOY-A").status is Status.ERROR


def test_plain_pytest_fails_an_unknown_id_and_summarizes_claims(tmp_path):
    make(tmp_path, ("TOY-A",), """
        @claim("TOY-A")
        def test_a(evidence):
            evidence.note("fine")

        @claim("TOY-TYPO")
        def test_typo():
            pass
    """)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "checks", "-p", "no:cacheprovider",
         "--exactscreen-claims", "claims.toml", "-o", "exactscreen_profile=ci"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout
    assert "exactscreen claims" in proc.stdout
    assert "TOY-A" in proc.stdout and "verified" in proc.stdout
    assert "unknown claim ID 'TOY-TYPO'" in proc.stdout


def test_hypothesis_profile_env_var_selects_the_profile_in_plain_pytest(tmp_path):
    (tmp_path / "test_profile.py").write_text(
        "from hypothesis import settings\n\n"
        "def test_deep_is_loaded():\n"
        "    assert settings.get_current_profile_name() == 'deep'\n"
        "    assert settings.default.max_examples >= 1000\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_profile.py", "-p", "no:cacheprovider", "-q",
         "-o", "exactscreen_profile=ci"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "HYPOTHESIS_PROFILE": "deep"},
    )
    assert proc.returncode == 0, proc.stdout


def _comparable(run):
    """A run's results without timings."""
    return (
        [(r.id, r.status, r.strength, r.evidence, r.instances, r.counterexamples,
          [(t.nodeid, t.status, t.evidence, t.instances, t.strength, t.reach, t.trivial) for t in r.tests])
         for r in run.results],
        run.problems,
    )


def test_two_worker_processes_give_the_results_of_one_process(tmp_path):
    """pytest-xdist: outcomes made on the workers, gathered in run order on the controller."""
    reg, d = make(tmp_path, ("TOY-A", "TOY-B", "TOY-C", "TOY-D", "TOY-E", "TOY-LEM1"), """
        @claim("TOY-A")
        @given(st.fractions(min_value=-3, max_value=3, max_denominator=6))
        def test_square(evidence, x):
            evidence.compared("x + x", x + x, 2 * x)

        @claim("TOY-A", "TOY-B")
        def test_bounds(evidence):
            evidence.bounds("x", 0, 1)

        @claim("TOY-B")
        @given(st.integers(min_value=0, max_value=100))
        def test_refuted(evidence, x):
            evidence.reach("x >= 40", x >= 40)
            if not x < 50:
                evidence.fails("x < 50", {"x": x}, confirmed_by="x - 50 < 0", confirm=not x - 50 < 0)

        @claim("TOY-C")
        def test_skipped():
            pytest.skip("needs the LP engine")

        @claim("TOY-D")
        @pytest.mark.xfail(reason="sign error")
        def test_xfail():
            assert -1 > 0

        @claim("TOY-E")
        @pytest.mark.parametrize("k", range(6))
        def test_many(evidence, k):
            evidence.note(f"case {k}")

        @claim("TOY-LEM2")
        def test_typo():
            pass
    """)
    (d / "test_broken.py").write_text("import no_such_module_exactscreen\n", encoding="utf-8")
    one = run_checks(reg, [d])
    two = run_checks(reg, [d], workers=2)
    assert _comparable(two) == _comparable(one)
    assert result(two, "TOY-B").status is Status.REFUTED
    assert result(two, "TOY-C").evidence == ("skipped: needs the LP engine [test_skipped]",)
    assert [line for line in result(two, "TOY-E").evidence] == [f"case {k} [test_many[{k}]]" for k in range(6)]
    assert any("TOY-LEM2" in p for p in two.problems) and any("cannot collect" in p for p in two.problems)


def test_a_check_that_kills_its_worker_process_is_a_problem(tmp_path):
    reg, d = make(tmp_path, ("TOY-A", "TOY-B", "TOY-C"), """
        import os

        @claim("TOY-A")
        def test_dies():
            os._exit(3)

        @claim("TOY-B")
        def test_b():
            pass

        @claim("TOY-C")
        def test_c():
            pass
    """)
    run = run_checks(reg, [d], workers=2)
    assert run.exit_status == 1
    assert any("test_dies" in p and "crashed" in p for p in run.problems), run.problems
    assert result(run, "TOY-B").status is Status.VERIFIED


def test_a_check_that_stops_the_run_makes_it_fail_not_pass(tmp_path):
    """pytest.exit() in a check ends the session "interrupted": a partial run never exits 0."""
    reg, d = make(tmp_path, ("TOY-A", "TOY-B"), """
        @claim("TOY-A")
        def test_a():
            pytest.exit("enough")

        @claim("TOY-B")
        def test_b():
            pass
    """)
    run = run_checks(reg, [d])
    assert run.exit_status == 1
    assert any("the run stopped before every check ran" in p and "enough" in p for p in run.problems), run.problems


def test_a_helper_module_beside_the_check_files_is_importable(tmp_path):
    reg, d = make(tmp_path, ("TOY-A",), """
        from toy_helpers import stated_value

        @claim("TOY-A")
        def test_a(evidence):
            evidence.equal("value", Fraction(3, 2), stated_value())
    """)
    (d / "toy_helpers.py").write_text("from fractions import Fraction\n\n\ndef stated_value():\n"
                                      "    return Fraction(6, 4)\n", encoding="utf-8")
    for workers in (1, 2):
        r = result(run_checks(reg, [d], workers=workers), "TOY-A")
        assert r.status is Status.VERIFIED, r.evidence
    import sys
    assert "toy_helpers" not in sys.modules and str(d) not in sys.path


def test_checks_on_a_dask_cluster_give_the_results_of_a_local_run(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    from exactscreen.claims.remote import run_checks_on_cluster

    reg, d = make(tmp_path, ("TOY-A", "TOY-B", "TOY-C"), """
        from toy_helpers import double

        @claim("TOY-A")
        @given(st.fractions(min_value=-3, max_value=3, max_denominator=6))
        def test_square(evidence, x):
            evidence.reach("x > 0", x > 0)
            evidence.equal("x + x", x + x, double(x))

        @claim("TOY-B")
        @given(st.integers(min_value=0, max_value=100))
        def test_refuted(evidence, x):
            if not x < 50:
                evidence.fails("x < 50", {"x": x}, confirmed_by="x - 50 < 0", confirm=not x - 50 < 0)

        @claim("TOY-C")
        def test_skipped():
            pytest.skip("needs the LP engine")
    """)
    (d / "toy_helpers.py").write_text("def double(x):\n    return 2 * x\n", encoding="utf-8")
    local = run_checks(reg, [d])
    # the workers start before the checks directory exists anywhere they could import it from
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        remote = run_checks_on_cluster(reg, [d], cluster.scheduler_address, select=reg.ids)
    assert _comparable(remote) == _comparable(local)
    assert [r.status for r in remote.results] == [Status.VERIFIED, Status.REFUTED, Status.NOT_YET_CHECKED]


def test_check_with_an_unreachable_scheduler_is_one_line_exit_2(tmp_path):
    pytest.importorskip("dask.distributed")
    make(tmp_path, ("TOY-A",), """
        @claim("TOY-A")
        def test_a():
            pass
    """)
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "check", "--claims", str(tmp_path / "claims.toml"), "--checks",
         str(tmp_path / "checks"), "--scheduler", "tcp://127.0.0.1:9", "-q"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("exactscreen check: error: --scheduler tcp://127.0.0.1:9: cannot connect")
    assert "Traceback" not in proc.stderr
