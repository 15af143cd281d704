"""bench.mutation, the mutation-testing driver (issue 13, item 4): its sampling, tally and tables.

No mutation run here (that is a benchmark-like job: ``python -m bench.mutation``, docs/mutation.md);
mutmut need not be installed for these tests."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # bench/ is not installed: import it from the checkout
    sys.path.insert(0, str(_ROOT))

from bench import mutation  # noqa: E402

NAMES = [f"exactscreen.two_types.analysis.x_f__mutmut_{i}" for i in range(1, 501)]


def test_sample_is_seeded_sorted_and_without_repeats():
    a = mutation.sample_names(NAMES, 200, 1, "analysis")
    assert a == mutation.sample_names(list(reversed(NAMES)), 200, 1, "analysis")  # input order irrelevant
    assert len(a) == len(set(a)) == 200 and a == sorted(a) and set(a) <= set(NAMES)
    assert a != mutation.sample_names(NAMES, 200, 2, "analysis")
    assert a != mutation.sample_names(NAMES, 200, 1, "entropy")  # each module has its own stream


def test_sample_of_zero_or_more_than_all_is_all():
    assert mutation.sample_names(NAMES, 0, 1, "m") == sorted(NAMES)
    assert mutation.sample_names(NAMES[:10], 200, 1, "m") == sorted(NAMES[:10])


def test_status_of_mutmut_exit_codes():
    assert mutation.status_of(None) == "not run"
    assert mutation.status_of(1) == mutation.status_of(3) == "killed"
    assert mutation.status_of(-24) == mutation.status_of(36) == "timeout"  # SIGXCPU: over the CPU limit
    assert mutation.status_of(0) == "survived"
    assert mutation.status_of(33) == "no checks"
    assert mutation.status_of(2) == "not run"  # interrupted while it ran: no result
    assert mutation.status_of(35) == "other"


def test_tally_counts_only_sampled_run_mutants_and_drops_equivalents_from_the_denominator():
    results = {"m.a": 1, "m.b": 36, "m.c": 0, "m.d": 0, "m.e": 33, "m.f": None, "m.g": 1}
    row = mutation.tally("m", "m.py", results, ["m.a", "m.b", "m.c", "m.d", "m.e", "m.f"],
                         {"m.d": "x > 0 and x >= 1 agree on integers"})
    assert (row.total, row.sampled, row.run) == (7, 6, 5)
    assert (row.killed, row.timeout, row.survived, row.no_checks, row.equivalent) == (1, 1, 2, 1, 1)
    assert row.score == pytest.approx(2 / 4)
    classes = {s["name"]: s["class"] for s in row.survivors}
    assert classes == {"m.c": "not yet killed", "m.d": "equivalent (x > 0 and x >= 1 agree on integers)",
                       "m.e": "not yet killed"}


def test_rerun_survivors_runs_the_unrun_the_survivors_and_the_unreached_but_keeps_kills():
    results = {"m.a": 1, "m.b": 36, "m.c": 0, "m.e": 33, "m.f": None, "m.g": 2, "m.h": 35}
    sample = sorted(results)
    assert mutation.to_run(sample, results) == ["m.f", "m.g"]  # no result yet (2: interrupted)
    assert mutation.to_run(sample, results, rerun_survivors=True) == ["m.c", "m.e", "m.f", "m.g"]
    assert mutation.to_run(sample, results, rerun=True) == sample


def test_tally_with_nothing_run_has_no_score():
    assert mutation.tally("m", "m.py", {"m.a": None}, ["m.a"], {}).score is None


def test_function_of_mutant_names():
    assert mutation.function_of("pkg.mod.x_upper_envelope__mutmut_12") == (None, "upper_envelope")
    assert mutation.function_of("pkg.mod.xǁFaceǁ__init____mutmut_3") == ("Face", "__init__")


SOURCE = '''\
import x


class Face:
    @property
    def width(self):
        a = 1
        return a + 2


def f(v):
    if v > 0:
        return 1
    return 0
'''


def test_locate_gives_the_file_line_and_the_mutation():
    diff = ("--- m.py\n+++ m.py\n@@ -1,4 +1,4 @@\n def f(v):\n-    if v > 0:\n+    if v >= 0:\n"
            "         return 1\n     return 0")
    got = mutation.locate(diff, SOURCE, "pkg.m.x_f__mutmut_1")
    assert got == {"line": 12, "before": "if v > 0:", "after": "if v >= 0:"}
    diff = ("--- m.py\n+++ m.py\n@@ -2,3 +2,3 @@\n def width(self):\n     a = 1\n-    return a + 2\n"
            "+    return a - 2")
    got = mutation.locate(diff, SOURCE, "pkg.m.xǁFaceǁwidth__mutmut_4")
    assert got["line"] == 8 and got["after"] == "return a - 2"  # decorator line 5 is the function's first


def test_results_table_files(tmp_path, monkeypatch):
    monkeypatch.setattr(mutation, "RESULTS_DIR", tmp_path)
    row = mutation.tally("m", "m.py", {"m.a": 1, "m.c": 0}, ["m.a", "m.c"], {})
    row.survivors[0].update(line=12, before="if v > 0:", after="if v >= 0:")
    meta = {"utc": "T", "seed": 1, "sample": 200, "command": "python -m bench.mutation",
            "versions": {"mutmut": "3.8.1", "python": "3.x"}}
    js, md = mutation.write_results([row], meta, "T")
    data = json.loads(js.read_text())
    assert data["modules"][0]["killed"] == 1 and data["modules"][0]["score"] == 0.5
    text = md.read_text()
    assert "| m | `m.py` | 2 | 2 | 2 | 1 | 0 | 1 | 0 | 0 | 0 | 0 | 50.0% | 50.0% |" in text
    assert "m.py:12: `if v > 0:` -> `if v >= 0:`: not yet killed" in text


def test_unknown_module_is_refused_naming_the_choices():
    with pytest.raises(SystemExit, match="unknown module.*analysis"):
        mutation.parse_modules("analysis,nonsense")
    assert mutation.parse_modules("all") == list(mutation.MODULES)


def test_the_run_plugin_empties_module_level_caches_of_the_engine_and_the_checks(monkeypatch):
    """mutmut's fork runner forks each mutant from the process that ran the clean checks; a cache
    filled there would answer without calling the mutated function (bench/mutation_pytest.py)."""
    import functools
    import types

    from bench import mutation_pytest

    calls = []

    @functools.lru_cache(maxsize=1)
    def upper_bound():
        calls.append(1)
        return len(calls)

    class Holder:
        @staticmethod
        @functools.cache
        def table():
            calls.append(2)
            return len(calls)

    Holder.__module__ = "cache_probe_pkg.checks"
    check_mod = types.ModuleType("cache_probe_pkg.checks")
    check_mod.upper_bound, check_mod.Holder = upper_bound, Holder
    other = types.ModuleType("elsewhere_cache_probe")
    other_cached = functools.lru_cache(maxsize=1)(lambda: calls.append(3) or len(calls))
    other.f = other_cached
    monkeypatch.setitem(sys.modules, "cache_probe_pkg.checks", check_mod)
    monkeypatch.setitem(sys.modules, "elsewhere_cache_probe", other)
    assert upper_bound() == upper_bound() == 1 and Holder.table() == Holder.table() == 2
    other_cached()
    # a package of its own: in the full suite other loaded proofs_checks modules hold caches too
    assert mutation_pytest.clear_caches(("cache_probe_pkg",)) == 2
    assert {"exactscreen", "proofs_checks"} <= set(mutation_pytest.CACHED_PACKAGES)
    assert upper_bound.cache_info().currsize == 0 and Holder.table.cache_info().currsize == 0
    assert other_cached.cache_info().currsize == 1  # outside the packages: untouched
    assert upper_bound() == 4  # recomputed


def test_mutation_plugin_turns_shrinking_off_and_keeps_the_profile():
    """The mutation runs' pytest plugin drops hypothesis' shrink (and explain) phases only:
    examples, derandomization and the other settings of the active profile stay."""
    from hypothesis import Phase, settings

    from bench import mutation_pytest

    before = settings.get_current_profile_name()
    try:
        settings.load_profile("ci")
        mutation_pytest.pytest_configure(None)
        now = settings.default
        assert Phase.shrink not in now.phases and Phase.explain not in now.phases
        assert Phase.generate in now.phases and Phase.explicit in now.phases
        assert now.max_examples == settings.get_profile("ci").max_examples
        assert now.derandomize == settings.get_profile("ci").derandomize
    finally:
        settings.load_profile(before)


def test_unreached_mutants_of_functions_listed_outside_the_verdict_path_leave_only_that_score():
    results = {"p.x_show__mutmut_1": 33, "p.x_show__mutmut_2": 0, "p.x_core__mutmut_1": 33,
               "p.x_core__mutmut_2": 1, "p.x_core__mutmut_3": 0}
    row = mutation.tally("m", "m.py", results, sorted(results), {"p.x_core__mutmut_3": "same number"},
                         {"p.x_show": "notebook display"})
    # a reached survivor of a listed function still counts; an unreached mutant of an unlisted one too
    assert (row.run, row.killed, row.equivalent, row.outside) == (5, 1, 1, 1)
    assert row.score == pytest.approx(1 / 4)
    assert row.score_verdict_path == pytest.approx(1 / 3)
    classes = {s["name"]: s["class"] for s in row.survivors}
    assert classes["p.x_show__mutmut_1"] == "outside the verdict path (notebook display)"
    assert classes["p.x_show__mutmut_2"] == "not yet killed"
    assert classes["p.x_core__mutmut_1"] == "not yet killed"


def test_every_function_listed_outside_the_verdict_path_exists_in_a_mutated_module():
    by_module = {mutation.module_key(path): path for path in mutation.MODULES.values()}
    for key, why in mutation.load_outside().items():
        assert why.strip(), key
        module, _, local = key.rpartition(".")
        assert module in by_module, f"{key}: not a function of a mutated module"
        cls, func = mutation.function_of(key + "__mutmut_1")
        source = (mutation.ROOT / by_module[module]).read_text(encoding="utf-8")
        assert mutation.function_start(source, cls, func) is not None, f"{key}: no such function"


def test_a_stored_result_is_retallied_with_the_current_tables():
    results = {"p.x_show__mutmut_1": 33, "p.x_core__mutmut_2": 1, "p.x_core__mutmut_3": 0}
    stored = asdict(mutation.tally("m", "m.py", results, sorted(results), {}))
    assert stored["score"] == pytest.approx(1 / 3)
    row = mutation.retally(json.loads(json.dumps(stored)), {"p.x_core__mutmut_3": "same number"},
                           {"p.x_show": "display"})
    assert (row.run, row.killed, row.equivalent, row.outside) == (3, 1, 1, 1)
    assert row.score == pytest.approx(1 / 2) and row.score_verdict_path == pytest.approx(1.0)


def test_the_driver_mutates_exactly_the_files_mutmut_is_configured_to_mutate():
    import tomllib

    with open(mutation.ROOT / "pyproject.toml", "rb") as f:
        only = tomllib.load(f)["tool"]["mutmut"]["only_mutate"]
    assert sorted(only) == sorted(mutation.MODULES.values())
    assert all((mutation.ROOT / path).is_file() for path in only)
