"""pytest plugin (entry point ``pytest11: exactscreen``): claims, evidence, outcomes.

What it does in every pytest run:

* registers the ``claim(*ids)`` marker (applied by :func:`exactscreen.claims.claim`)
  and the ``evidence`` fixture (:class:`~exactscreen.claims.evidence.Evidence`);
* registers the hypothesis profiles ``ci`` and ``deep``
  (:mod:`exactscreen.testing`) and loads one if asked by the
  ``HYPOTHESIS_PROFILE`` environment variable or the ``exactscreen_profile``
  ini option (pytest's ``--hypothesis-profile`` wins over both);
* validates every claim ID named by a check against the registry (the three
  papers, plus files given with ``--exactscreen-claims FILE`` or the
  ``exactscreen_claims`` ini option): a check naming an unknown ID fails at
  setup with a message saying which ID, where, and how to fix it;
* turns each claim-tagged test into a
  :class:`~exactscreen.claims.results.TestOutcome` (pass → the status the
  check recorded, default ``verified``; a confirmed
  :class:`~exactscreen.claims.evidence.Counterexample` (raised by
  ``evidence.fails``, confirmed by a second independent route) or
  :class:`~exactscreen.exceptions.StatedObjectFails` (a stated object, such as
  a segmentation, that is not what the claim says) → ``refuted`` with
  hypothesis' minimized falsifying example; a bare failed ``assert``, an
  engine disagreement or any other exception → ``error``; a passing sampled
  check that reached its hard case fewer than
  :data:`~exactscreen.claims.evidence.MIN_HITS` times, or that left a value
  different from the paper's unasserted, → ``error``; skipped → not counted),
  kept in ``config.stash[OUTCOMES]``
  for :mod:`exactscreen.claims.runner`, and summarized per claim at the end
  of the terminal output.

It only acts on tests that carry a ``claim`` marker, so it is inert in other
projects' test suites.

Under pytest-xdist (``exactscreen check`` runs the checks on several
processes) the outcomes are made on the workers and gathered on the
controller: each worker attaches its outcome to the teardown report of the
test as plain data (attribute ``exactscreen_outcome``, which xdist sends with
the report), and the controller puts them back in collection order, so the
outcomes, and hence the report, are those of a run on one process.  The
registry travels to the workers in ``workerinput``; the unknown-ID messages,
identical on every worker, come back in ``workeroutput``.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
from decimal import Decimal
from typing import Any

import pytest

from .. import testing  # noqa: F401 - registers the hypothesis profiles
from ..exceptions import InputError, StatedObjectFails
from . import deadline
from .evidence import MIN_HITS, Counterexample, EngineDisagreement, Evidence, UnconfirmedCounterexample
from .registry import Registry, builtin_registry, load_registry
from .results import Status, TestOutcome, combine, seconds

__all__ = ["REGISTRY", "OUTCOMES", "UNKNOWN", "SKIPPED", "EvidenceHandle", "claim_ids", "evidence"]

REGISTRY = pytest.StashKey[Registry]()
"""``config.stash[REGISTRY]``: the registry checks are validated against."""
OUTCOMES = pytest.StashKey[list]()
"""``config.stash[OUTCOMES]``: list of :class:`TestOutcome`, in run order."""
UNKNOWN = pytest.StashKey[list]()
"""``config.stash[UNKNOWN]``: messages about checks naming unknown claim IDs."""
SKIPPED = pytest.StashKey[dict]()
"""``config.stash[SKIPPED]``: claim ID -> reasons of its skipped checks."""

_PREVIOUS_PROFILE = pytest.StashKey[str]()
_EVIDENCE = pytest.StashKey[Evidence]()
_CURRENT = pytest.StashKey[Evidence]()
_PHASES = pytest.StashKey[dict]()
_UNKNOWN_IDS = pytest.StashKey[tuple]()
_RESTORE = pytest.StashKey[Any]()
_INDEX = pytest.StashKey[int]()
_GATHERED = pytest.StashKey[list]()
_TIMEOUT = pytest.StashKey[object]()
_INADEQUATE = pytest.StashKey[list]()

#: Attribute of a worker's teardown report carrying the outcome (see the module docstring).
WIRE = "exactscreen_outcome"
#: Keys of ``workerinput`` / ``workeroutput`` used under pytest-xdist.
_REGISTRY_INPUT = "exactscreen_registry"
_UNKNOWN_OUTPUT = "exactscreen_unknown"

_MAX_MESSAGE = 400


def claim_ids(item: pytest.Item) -> tuple[str, ...]:
    """Claim IDs named by the ``claim`` markers of a test item, in order, without repeats."""
    out: list[str] = []
    for mark in item.iter_markers("claim"):
        for cid in mark.args:
            if cid not in out:
                out.append(cid)
    return tuple(out)


# ------------------------------------------------------------------ options
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("exactscreen", "exactscreen claim checks")
    group.addoption(
        "--exactscreen-claims",
        action="append",
        default=[],
        metavar="FILE",
        help="claims file (TOML) whose IDs checks may name, besides the built-in papers; repeatable",
    )
    group.addoption(
        "--exactscreen-no-builtin",
        action="store_true",
        default=False,
        help="validate claim IDs against the --exactscreen-claims files only",
    )
    group.addoption(
        "--exactscreen-select",
        action="append",
        default=[],
        metavar="ID",
        help="run only the checks of these claim IDs (deselects untagged tests); repeatable",
    )
    group.addoption(
        "--exactscreen-timeout",
        default=None,
        metavar="SECONDS",
        help="wall-clock limit per phase of each claim check (0: none); a check past it is an "
             "error row 'timed out after N s' (default: exactscreen_timeout, else "
             f"{deadline.DEFAULT_TIMEOUT:g} s in the ci profile, scaled by its examples in others)",
    )
    parser.addini("exactscreen_claims", "claims files (TOML) checks may name", type="paths", default=[])
    parser.addini("exactscreen_timeout", "wall-clock limit in seconds per claim check (0: none)", default="")
    parser.addini(
        "exactscreen_profile",
        "hypothesis profile to load (ci or deep) unless --hypothesis-profile or "
        "HYPOTHESIS_PROFILE says otherwise",
        default="",
    )


def _registry(config: pytest.Config) -> Registry:
    files = [*config.getini("exactscreen_claims"), *config.getoption("exactscreen_claims")]
    registry: Registry | None = None if config.getoption("exactscreen_no_builtin") else builtin_registry()
    for f in files:
        extra = load_registry(f)
        registry = extra if registry is None else registry.merge(extra)
    if registry is None:
        raise InputError("--exactscreen-no-builtin needs at least one --exactscreen-claims FILE")
    return registry


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "claim(*ids): claim IDs (exactscreen registry) this check replays"
    )
    config.addinivalue_line(
        "markers", "reach_required: a sampled check must report its reach (evidence.reach); "
        "proofs_checks/conftest.py applies it to the built-in checks"
    )
    given = getattr(config, "workerinput", {}).get(_REGISTRY_INPUT)
    try:
        # A worker of exactscreen check validates against the controller's registry
        # (pickled by our own controller process, see pytest_configure_node).
        config.stash[REGISTRY] = pickle.loads(given) if given is not None else _registry(config)
    except InputError as exc:
        raise pytest.UsageError(f"exactscreen: {exc}") from None
    config.stash[_TIMEOUT] = _timeout_option(config)
    config.stash[OUTCOMES] = []
    config.stash[UNKNOWN] = []
    config.stash[SKIPPED] = {}
    config.stash[_GATHERED] = []
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(config), "exactscreen-xdist")
    config.pluginmanager.register(_DeadlineHooks(), "exactscreen-deadline")

    from hypothesis import settings

    config.stash[_PREVIOUS_PROFILE] = settings.get_current_profile_name()
    if config.getoption("hypothesis_profile", None):
        return  # hypothesis' own plugin loads it
    name = os.environ.get("HYPOTHESIS_PROFILE", "").strip() or config.getini("exactscreen_profile").strip()
    if name:
        try:
            settings.load_profile(name)
        except Exception as exc:  # noqa: BLE001 - hypothesis raises InvalidArgument
            raise pytest.UsageError(
                f"exactscreen: cannot load hypothesis profile {name!r} ({exc}); "
                f"use one of {', '.join(testing.PROFILES)}"
            ) from None


def _timeout_option(config: pytest.Config) -> float | None:
    """The explicit per-check limit in seconds (None: the profile's default)."""
    given, field = config.getoption("exactscreen_timeout", None), "--exactscreen-timeout"
    if given is None:
        given, field = config.getini("exactscreen_timeout").strip() or None, "exactscreen_timeout"
    if given is None:
        return None
    try:
        value = float(given)
    except ValueError:
        value = float("nan")
    if not value >= 0 or value == float("inf"):
        raise pytest.UsageError(f"exactscreen: {field}: {given!r} is not a number of seconds; "
                                "give e.g. 600, or 0 for no limit")
    return value


def check_timeout(config: pytest.Config) -> float:
    """Seconds a phase of a claim check may take (0: no limit); see :mod:`exactscreen.claims.deadline`."""
    explicit = config.stash.get(_TIMEOUT, None)
    if explicit is not None:
        return float(explicit)
    from hypothesis import settings

    return deadline.default_limit(settings.default.max_examples)


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_PREVIOUS_PROFILE, None)
    if previous is not None:
        from hypothesis import settings

        settings.load_profile(previous)


# --------------------------------------------------------------- collection
def _unknown_message(item: pytest.Item, cid: str, registry: Registry) -> str:
    return (
        f"{item.nodeid}: @claim names unknown claim ID {cid!r}{registry.suggest(cid)}; "
        f"fix the typo, or add it to a claims file ([[claims]] id = \"{cid}\" ...) "
        "given with --claims FILE"
    )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    registry = config.stash[REGISTRY]
    select = set(config.getoption("exactscreen_select"))
    keep, drop = [], []
    for item in items:
        ids = claim_ids(item)
        unknown = tuple(cid for cid in ids if cid not in registry)
        if unknown:
            item.stash[_UNKNOWN_IDS] = unknown
            config.stash[UNKNOWN].extend(_unknown_message(item, cid, registry) for cid in unknown)
        if select and not unknown and not select.intersection(ids):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    for index, item in enumerate(session.items):  # run order on one process
        item.stash[_INDEX] = index


# ------------------------------------------------------------------ fixture
class EvidenceHandle:
    """What the ``evidence`` fixture returns: forwards to the running check's
    :class:`~exactscreen.claims.evidence.Evidence`.

    The fixture is session-scoped and the handle finds the current test's
    recorder at each call, so hypothesis tests may use it without tripping
    hypothesis' health check on function-scoped fixtures, whatever profile
    is loaded.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def _current(self) -> Evidence:
        ev = self._config.stash.get(_CURRENT, None)
        if ev is None:
            raise RuntimeError("evidence can only be recorded while a test is running")
        return ev

    def note(self, text: str) -> None:
        """See :meth:`Evidence.note`."""
        self._current().note(text)

    def compared(self, what: str, computed: Any, stated: Any, *, source: str = "paper") -> bool | None:
        """See :meth:`Evidence.compared` (records; does not assert)."""
        return self._current().compared(what, computed, stated, source=source)

    def instances(self, n: int = 1) -> None:
        """See :meth:`Evidence.instances`."""
        self._current().instances(n)

    def bounds(self, what: str, lo: Any, hi: Any) -> None:
        """See :meth:`Evidence.bounds` (status ``verified-bounds``)."""
        self._current().bounds(what, lo, hi)

    def certified(self, what: str, lo: Any, hi: Any, **how: Any) -> dict:
        """See :meth:`Evidence.certified` (how a number was certified, as structured data)."""
        return self._current().certified(what, lo, hi, **how)

    def equal(self, what: str, computed: Any, stated: Any, **route: Any) -> None:
        """See :meth:`Evidence.equal` (records and asserts)."""
        self._current().equal(what, computed, stated, **route)

    def qualified(self, original: str, counterexample: Any, corrected: str, **route: Any) -> None:
        """See :meth:`Evidence.qualified` (status ``qualified``; needs ``confirmed_by``/``confirm``)."""
        self._current().qualified(original, counterexample, corrected, **route)

    def refuted(self, statement: str, counterexample: Any, **route: Any) -> None:
        """See :meth:`Evidence.refuted` (status ``refuted``; needs ``confirmed_by``/``confirm``)."""
        self._current().refuted(statement, counterexample, **route)

    def fails(self, statement: str, instance: Any, **route: Any) -> None:
        """See :meth:`Evidence.fails` (raises a confirmed counterexample)."""
        self._current().fails(statement, instance, **route)

    def strength(self, level: str) -> None:
        """See :meth:`Evidence.strength`."""
        self._current().strength(level)

    def reach(self, hard_case: str, hit: bool) -> None:
        """See :meth:`Evidence.reach` (one call per non-trivial generated instance)."""
        self._current().reach(hard_case, hit)

    def trivial(self, reason: str = "") -> None:
        """See :meth:`Evidence.trivial` (the instance passes trivially; not counted)."""
        self._current().trivial(reason)

    def not_checkable(self, reason: str, checked_instead: str) -> None:
        """See :meth:`Evidence.not_checkable` (status ``not-checkable``)."""
        self._current().not_checkable(reason, checked_instead)

    def __repr__(self) -> str:
        return "<evidence>"


@pytest.fixture(scope="session")
def evidence(request: pytest.FixtureRequest) -> EvidenceHandle:
    """Recorder of what the check computed (see :class:`~exactscreen.claims.evidence.Evidence`)."""
    return EvidenceHandle(request.config)


# ------------------------------------------------------------------- run
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    ids = claim_ids(item)
    if not ids and "evidence" not in getattr(item, "fixturenames", ()):
        return
    ev = item.stash[_EVIDENCE] = Evidence(item.nodeid)
    item.config.stash[_CURRENT] = ev
    if not ids:
        return
    handle = getattr(getattr(item, "obj", None), "hypothesis", None)
    inner = getattr(handle, "inner_test", None)
    ev.hypothesis = inner is not None
    if inner is not None:
        # Count hypothesis examples (documented hook: ``test.hypothesis.inner_test``).
        @functools.wraps(inner)
        def counted(*args: Any, **kwargs: Any) -> Any:
            ev.auto_instances += 1
            return inner(*args, **kwargs)

        handle.inner_test = counted
        item.stash[_RESTORE] = (handle, inner)
    unknown = item.stash.get(_UNKNOWN_IDS, ())
    if unknown:
        registry = item.config.stash[REGISTRY]
        pytest.fail("\n".join(_unknown_message(item, cid, registry) for cid in unknown), pytrace=False)


def _limited(item: pytest.Item, phase: str) -> Any:
    """The wall-clock limit for one phase of a claim-tagged check (a no-op context otherwise)."""
    seconds = check_timeout(item.config) if claim_ids(item) else 0
    return deadline.wall_clock_limit(seconds, phase)


class _DeadlineHooks:
    """Wrappers arming the wall-clock limit around each phase (registered by pytest_configure;
    a class because this module already implements ``pytest_runtest_setup``)."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Any:
        with _limited(item, "setup"):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        with _limited(item, "call"):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: Any) -> Any:
        with _limited(item, "teardown"):
            return (yield)


_FRACTION = re.compile(r"Fraction\((-?\d+), (\d+)\)")
_INTEGER_FRACTION = re.compile(r"Fraction\((-?\d+)\)")


def _readable(text: str) -> str:
    """One line, with ``Fraction(1, 2)`` shown as ``1/2``, capped in length."""
    text = _FRACTION.sub(lambda m: m[1] if m[2] == "1" else f"{m[1]}/{m[2]}", text)
    text = _INTEGER_FRACTION.sub(r"\1", text)
    text = " ".join(text.split())
    text = text.replace("evidence=<evidence>, ", "").replace(", evidence=<evidence>", "")
    text = text.replace("(evidence=<evidence>)", "()")
    text = text.replace("( ", "(").replace(", )", ")").replace(",)", ")")
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


#: How hypothesis introduces the minimized example in an exception note: "Falsifying
#: example:" up to 6.16x, "Failing test case:" in later releases.
_EXAMPLE_NOTE = re.compile(r"(?:Falsifying example|Failing test case)\s*:")


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


def _classify(excinfo: pytest.ExceptionInfo | None) -> tuple[Status, list[str]]:
    """``refuted`` for assertion failures (with the falsifying example), else ``error``."""
    if excinfo is None:
        return Status.ERROR, ["error: the check failed without an exception"]
    exc = excinfo.value
    leaves = _leaves(exc)
    late = [e for e in leaves if isinstance(e, deadline.CheckTimeout)]
    if late:  # a hung check: an error of the check, never a refutation
        return Status.ERROR, [f"error: {_readable(late[0].describe())}"]
    # A refutation needs a confirmed counterexample (evidence.fails: two independent routes) or a
    # stated object failing its own definition (StatedObjectFails, e.g. a stated segmentation that
    # does not average to the market: exact arithmetic on the paper's data). A bare failed assert
    # may be an engine bug: it is an error of the check, never a refutation.
    refutes = all(isinstance(e, (Counterexample, StatedObjectFails)) for e in leaves)
    examples: list[str] = []
    for e in [exc, *leaves]:
        for note in getattr(e, "__notes__", ()) or ():
            m = _EXAMPLE_NOTE.match(note)
            if m:
                example = _readable(note[m.end():].strip())
                if example not in examples:
                    examples.append(example)
    messages = []
    for e in leaves:
        text = str(e).strip()
        if isinstance(e, (AssertionError, StatedObjectFails, EngineDisagreement, UnconfirmedCounterexample)):
            first = text.splitlines()[0] if text else "assertion failed"
        else:
            first = f"{type(e).__name__}: {text.splitlines()[0]}" if text else type(e).__name__
        messages.append(_readable(first))
    if refutes:
        found = "; ".join(examples)
        lines = [f"counterexample: {found}; {' | '.join(messages)}" if found else f"counterexample: {' | '.join(messages)}"]
        return Status.REFUTED, lines
    bare = [m for e, m in zip(leaves, messages) if isinstance(e, AssertionError) and not isinstance(e, Counterexample)]
    if bare and len(bare) == len(leaves):
        lines = [f"error: check failed: {' | '.join(messages)} (a failed assertion not confirmed by a second "
                 "route is reported as an error of the check, not as a refutation)"]
    else:
        lines = [f"error: {' | '.join(messages)}"]
    lines += [f"while running {ex}" for ex in examples]
    return Status.ERROR, lines


def _counterexamples(excinfo: pytest.ExceptionInfo | None) -> list[dict]:
    """The report's counterexample objects carried by a refuting exception."""
    if excinfo is None:
        return []
    out = []
    for e in _leaves(excinfo.value):
        if isinstance(e, Counterexample):
            out.append(dict(e.data))
        elif isinstance(e, StatedObjectFails):
            out.append({
                "as_written": _readable(str(e).strip().splitlines()[0] if str(e).strip() else "stated object"),
                "instance": None,
                "confirmed_by": "the stated object checked against its definition by exact arithmetic",
            })
    return out


def _adequacy(ev: Evidence, reach_required: bool = False) -> list[str]:
    """Why a passing check does not count towards ``verified`` (empty: it counts)."""
    problems = []
    if reach_required and ev.strength_level == "sampled" and not ev.reach_counts:
        problems.append(
            "error: a sampled check must report its reach: call evidence.reach(hard_case, hit) per generated "
            "instance (and evidence.trivial(reason) for one that passes trivially)"
        )
    if ev.strength_level == "sampled":
        for case, hit, tried in ev.reach_counts:
            if hit < MIN_HITS:
                problems.append(
                    f"error: reach too low: the hard case '{case}' was hit by {hit} of {tried} generated "
                    f"instances; a sampled check needs at least {MIN_HITS} (build a generator that constructs it)"
                )
    if ev.status in (Status.VERIFIED, Status.VERIFIED_BOUNDS) and ev.different:
        problems.append(
            f"error: {', '.join(ev.different)}: computed value differs from the paper's, yet the check passed "
            "(assert the comparison, e.g. with evidence.equal, or report the difference as qualified)"
        )
    return problems


def _as_error(line: str, where: str) -> str:
    """A line of :func:`_classify` re-labelled as an error outside the test body."""
    label, _, rest = line.partition(": ")
    return f"error: {where}: {rest}" if label in ("error", "counterexample") else line


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "teardown":
        item.config.stash[_CURRENT] = None
    ids = claim_ids(item)
    if not ids:
        return report
    if report.when == "call" and report.passed and not hasattr(report, "wasxfail"):
        ev = item.stash.get(_EVIDENCE, None)
        problems = _adequacy(ev, item.get_closest_marker("reach_required") is not None) if ev else []
        if problems:  # the test fails under plain pytest too, so the test command catches it
            item.stash[_INADEQUATE] = problems
            report.outcome = "failed"
            report.longrepr = "\n".join(problems)
    phases = item.stash.setdefault(_PHASES, {})
    phases[report.when] = (report, call.excinfo)
    if report.when == "teardown":
        restore = item.stash.get(_RESTORE, None)
        if restore is not None:
            handle, inner = restore
            handle.inner_test = inner
        outcome, skipped = _finish(item, ids, phases)
        if hasattr(item.config, "workerinput"):  # an xdist worker: send it with the report
            setattr(report, WIRE, _to_wire(item.stash.get(_INDEX, -1), outcome, skipped))
    return report


def _finish(
    item: pytest.Item, ids: tuple[str, ...], phases: dict
) -> tuple[TestOutcome | None, list[tuple[str, str]]]:
    """Record the item's outcome (or its skip reasons); return them."""
    ev = item.stash.get(_EVIDENCE, None) or Evidence(item.nodeid)
    lines = list(ev.lines)
    status: Status | None = None
    duration = sum((seconds(rep.duration) for rep, _ in phases.values()), seconds(0))
    skipped_reason = None

    setup, setup_exc = phases.get("setup", (None, None))
    if setup is not None and setup.failed:
        status = Status.ERROR
        if item.stash.get(_UNKNOWN_IDS, ()):
            lines.append("error: " + _readable(str(setup.longrepr)))
        else:
            lines += [_as_error(ln, "in setup") for ln in _classify(setup_exc)[1]]
    elif setup is not None and setup.skipped and not hasattr(setup, "wasxfail"):
        skipped_reason = _skip_reason(setup)

    counterexamples = list(ev.counterexamples)
    if "call" in phases:
        rep, exc = phases["call"]
        inadequate = item.stash.get(_INADEQUATE, None)
        if inadequate:
            status = Status.ERROR
            lines += inadequate
        elif rep.passed:
            status = ev.status
            if hasattr(rep, "wasxfail"):
                lines.append("note: marked xfail but passed")
        elif rep.failed:
            status, more = _classify(exc)
            lines += more
            if status is Status.REFUTED:
                counterexamples += _counterexamples(exc)
        elif rep.skipped and hasattr(rep, "wasxfail"):
            status, more = _classify(exc)
            lines += more
            lines.append(f"expected failure (xfail): {rep.wasxfail or 'no reason given'}")
        elif rep.skipped:
            skipped_reason = _skip_reason(rep)

    teardown, teardown_exc = phases.get("teardown", (None, None))
    if teardown is not None and teardown.failed:
        status = Status.ERROR
        lines += [_as_error(ln, "in teardown") for ln in _classify(teardown_exc)[1]]

    config = item.config
    if status is None:
        reason = f"skipped: {skipped_reason or 'skipped'} [{item.nodeid.rsplit('::', 1)[-1]}]"
        for cid in ids:
            config.stash[SKIPPED].setdefault(cid, []).append(reason)
        return None, [(cid, reason) for cid in ids]
    if status is Status.ERROR and setup is not None and setup.failed:
        instances = 0
    else:
        instances = ev.instance_count
    outcome = TestOutcome(
        item.nodeid, ids, status, tuple(lines), instances, duration,
        strength=ev.strength_level, reach=ev.reach_counts, counterexamples=tuple(counterexamples),
        trivial=ev.trivial_count,
    )
    config.stash[OUTCOMES].append(outcome)
    return outcome, []


# ------------------------------------------------------------- pytest-xdist
def _to_wire(index: int, outcome: TestOutcome | None, skipped: list[tuple[str, str]]) -> dict:
    """An outcome as plain data (what execnet can send)."""
    data: dict[str, Any] = {"index": index, "skipped": [list(pair) for pair in skipped]}
    if outcome is not None:
        data["outcome"] = {
            "nodeid": outcome.nodeid,
            "claims": list(outcome.claims),
            "status": outcome.status.value,
            "evidence": list(outcome.evidence),
            "instances": outcome.instances,
            "seconds": str(outcome.seconds),
            "strength": outcome.strength,
            "reach": [list(r) for r in outcome.reach],
            "counterexamples": list(outcome.counterexamples),
            "trivial": outcome.trivial,
        }
    return data


def _from_wire(data: dict) -> tuple[int, TestOutcome | None, list[tuple[str, str]]]:
    o = data.get("outcome")
    outcome = None
    if o is not None:
        outcome = TestOutcome(
            o["nodeid"], tuple(o["claims"]), Status(o["status"]), tuple(o["evidence"]),
            int(o["instances"]), Decimal(o["seconds"]),
            strength=o["strength"], reach=tuple((str(c), int(h), int(t)) for c, h, t in o["reach"]),
            counterexamples=tuple(o["counterexamples"]), trivial=int(o["trivial"]),
        )
    return int(data["index"]), outcome, [(cid, reason) for cid, reason in data["skipped"]]


class _XdistHooks:
    """Hooks that exist only when pytest-xdist is installed (registered by pytest_configure)."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        # Controller: the workers validate claim IDs against this registry.
        node.workerinput[_REGISTRY_INPUT] = pickle.dumps(node.config.stash[REGISTRY])

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        # Controller: every worker collected the same items, hence the same messages.
        config = node.config
        for msg in getattr(node, "workeroutput", {}).get(_UNKNOWN_OUTPUT, ()):
            if msg not in config.stash[UNKNOWN]:
                config.stash[UNKNOWN].append(msg)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if hasattr(config, "workerinput"):
            config.workeroutput[_UNKNOWN_OUTPUT] = list(config.stash[UNKNOWN])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, WIRE, None)
        config = self._config
        if not isinstance(data, dict) or hasattr(config, "workerinput"):
            return  # not a worker's outcome, or this process made it itself
        gathered = config.stash[_GATHERED]
        gathered.append(_from_wire(data))
        gathered.sort(key=lambda entry: entry[0])  # back into run order on one process
        config.stash[OUTCOMES] = [o for _, o, _ in gathered if o is not None]
        skipped: dict[str, list[str]] = {}
        for _, _, pairs in gathered:
            for cid, reason in pairs:
                skipped.setdefault(cid, []).append(reason)
        config.stash[SKIPPED] = skipped


# ------------------------------------------------------------------ summary
def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    outcomes = config.stash.get(OUTCOMES, [])
    unknown = config.stash.get(UNKNOWN, [])
    if not outcomes and not unknown:
        return
    tr = terminalreporter
    tr.section("exactscreen claims")
    registry = config.stash[REGISTRY]
    touched = [c for c in registry if any(c.id in o.claims for o in outcomes)]
    for c in touched:
        result = combine(c, outcomes)
        tr.write_line(f"{c.id:<18} {result.status.value:<16} {result.summary}")
    for msg in unknown:
        tr.write_line(f"UNKNOWN CLAIM ID: {msg}", red=True)
