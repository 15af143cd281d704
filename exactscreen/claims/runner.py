"""Run the checks in-process with pytest and collect one result per claim.

:func:`run_checks` calls ``pytest.main`` on the checks directories with the
plugin of :mod:`exactscreen.claims.plugin` (which records the outcome of
each claim-tagged test) and a small collector object (progress, collection
errors, the outcomes at the end).  pytest's own terminal output goes to a
buffer (it would spoil ``--format json``); modules imported from the checks directories are removed from
``sys.modules`` afterwards so that a second run (or another directory with
the same file names) imports them afresh.
"""

from __future__ import annotations

import importlib.metadata
import io
import os
import shlex
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Iterable, Protocol, Sequence

from pluggy import HookimplMarker

from ..exceptions import InputError
from .registry import Registry
from .results import STATUS_ORDER, ClaimResult, combine, seconds

#: pytest's hookimpl marker without importing pytest (imported only when checks run).
pytest_hookimpl = HookimplMarker("pytest")

__all__ = ["CheckRun", "Collected", "Progress", "run_checks", "collect_checks", "default_checks_dir"]


class Progress(Protocol):
    """Receives progress of a run (the ``check`` command draws a rich bar with it)."""

    def start(self, total: int) -> None: ...

    def advance(self, nodeid: str) -> None: ...


@dataclass(frozen=True)
class CheckRun:
    """Results of running the checks: one :class:`ClaimResult` per claim of the registry.

    Attributes
    ----------
    results
        In registry order (only the selected claims).
    problems
        Things that are wrong with the checks themselves: a check naming an
        unknown claim ID, a check module that cannot be imported.
    profile
        The hypothesis profile used (``ci`` or ``deep``).
    checks
        The checks directories that were run.
    seconds
        Wall time of the whole run.
    """

    results: tuple[ClaimResult, ...]
    problems: tuple[str, ...] = ()
    profile: str = "ci"
    checks: tuple[str, ...] = ()
    seconds: Decimal = Decimal("0.000")

    def counts(self) -> dict[str, int]:
        """Number of claims per status, every status listed (zeros included)."""
        return {s.value: sum(r.status is s for r in self.results) for s in STATUS_ORDER}

    @property
    def failed(self) -> bool:
        """True if a claim is refuted or errored, or a check is broken (exit status 1)."""
        return bool(self.problems) or any(r.status.failing for r in self.results)

    @property
    def exit_status(self) -> int:
        return 1 if self.failed else 0

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items() if n)
        return f"CheckRun({len(self.results)} claims: {counts}; {len(self.problems)} problems)"


def default_checks_dir() -> Path:
    """Directory of the built-in checks (``proofs_checks/``, installed as ``exactscreen.proofs_checks``)."""
    try:
        import exactscreen.proofs_checks as package  # type: ignore[import-not-found]

        return Path(package.__file__).resolve().parent
    except ImportError:
        pass
    source_tree = Path(__file__).resolve().parents[2] / "proofs_checks"
    if source_tree.is_dir():
        return source_tree
    raise InputError(
        "the built-in checks (exactscreen.proofs_checks) are not installed; "
        "reinstall exactscreen, or pass --checks DIR"
    )


def _plugin_args() -> list[str]:
    """``-p exactscreen.claims.plugin`` unless the pytest11 entry point already loads it."""
    for ep in importlib.metadata.entry_points(group="pytest11"):
        if ep.value == "exactscreen.claims.plugin":
            return []
    return ["-p", "exactscreen.claims.plugin"]


def _last_error_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.startswith("E "):
            return ln[2:].strip()
    return lines[-1] if lines else "unknown error"


class _Collector:
    """pytest plugin object of one :func:`run_checks` call."""

    def __init__(self, registry: Registry, progress: Progress | None) -> None:
        self.registry = registry
        self.progress = progress
        self.problems: list[str] = []
        self.outcomes: list = []
        self.skipped: dict = {}
        self.unknown: list[str] = []
        self.started = False
        self.interrupt: BaseException | None = None

    @staticmethod
    def _keys():
        from . import plugin

        return plugin

    def pytest_configure(self, config) -> None:
        # Runs after the plugin's own (tryfirst) configure: validate against our registry.
        config.stash[self._keys().REGISTRY] = self.registry
        self.config = config

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            where = report.nodeid or str(report.fspath)
            self.problems.append(f"cannot collect {where}: {_last_error_line(report.longreprtext)}")

    def pytest_collection_finish(self, session) -> None:
        if self.progress is not None:
            self.progress.start(len(session.items))
            self.started = True

    @pytest_hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        # Under pytest-xdist the controller collects nothing: the first worker's count.
        if self.progress is not None and not self.started:
            self.progress.start(len(ids))
            self.started = True

    def pytest_runtest_logreport(self, report) -> None:
        # pytest-xdist's report of a worker that died while running a check (when == "???").
        if report.failed and report.when == "???":
            detail = _last_error_line(str(report.longrepr))
            self.problems.append(f"{report.nodeid}: {detail}; its claims' results are incomplete")

    def pytest_runtest_logfinish(self, nodeid: str, location) -> None:
        if self.progress is not None:
            self.progress.advance(nodeid)

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        # pytest catches KeyboardInterrupt (and pytest.exit) and ends the session
        # "interrupted"; run_checks re-raises it instead of reporting a partial run.
        self.interrupt = excinfo.value
        _stop_xdist_workers(getattr(self, "config", None))

    def pytest_sessionfinish(self, session) -> None:
        keys = self._keys()
        self.outcomes = list(session.config.stash.get(keys.OUTCOMES, []))
        self.skipped = dict(session.config.stash.get(keys.SKIPPED, {}))
        self.unknown = list(session.config.stash.get(keys.UNKNOWN, []))


def _stop_xdist_workers(config) -> None:
    """Terminate pytest-xdist's worker processes now.

    Otherwise xdist asks them to finish and waits up to 10 s, the rest of the
    check running on (a SIGTERM reaches the controller only).  Uses execnet's
    gateway attributes (no public API gives the processes); does nothing if
    they are not there.
    """
    dsession = config.pluginmanager.getplugin("dsession") if config is not None else None
    group = getattr(getattr(dsession, "nodemanager", None), "group", None)
    for gateway in list(group or ()):
        popen = getattr(getattr(gateway, "_io", None), "popen", None)
        try:
            if popen is not None and popen.poll() is None:
                popen.terminate()
        except OSError:  # pragma: no cover - already gone
            pass


def _forget_modules(dirs: Sequence[Path], before: set[str]) -> None:
    roots = [str(d) for d in dirs]
    for name in list(sys.modules):
        if name in before:
            continue
        path = getattr(sys.modules[name], "__file__", None) or ""
        if any(path.startswith(r) for r in roots):
            del sys.modules[name]


@dataclass(frozen=True)
class Collected:
    """What the checks directories contain, without running anything.

    ``by_claim`` maps each claim ID named by a check to the node IDs of its
    checks; ``unknown`` lists checks naming IDs the registry lacks;
    ``problems`` lists modules that cannot be imported.
    """

    by_claim: dict
    unknown: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Collected({len(self.by_claim)} claims with checks; {len(self.unknown)} unknown IDs)"


def collect_checks(registry: Registry, checks: Sequence[str | Path] | None = None) -> Collected:
    """Collect (``pytest --collect-only``) the checks and the claim IDs they name."""
    import pytest

    from .plugin import claim_ids

    dirs = [Path(d).resolve() for d in (checks or [])] or [default_checks_dir()]
    for d in dirs:
        if not d.is_dir():
            raise InputError(f"--checks {d}: no such directory; give the directory of your check modules")
    collector = _Collector(registry, None)
    found: dict[str, list[str]] = {}

    class _Names:
        def pytest_collection_finish(self, session) -> None:
            for item in session.items:
                for cid in claim_ids(item):
                    found.setdefault(cid, []).append(item.nodeid)

    before = set(sys.modules)
    sink = io.StringIO()
    try:
        with redirect_stdout(sink), redirect_stderr(sink):
            code = pytest.main(
                [*(str(d) for d in dirs), *_plugin_args(), *_common_args(dirs), "--collect-only"],
                plugins=[collector, _Names()],
            )
    finally:
        _forget_modules(dirs, before)
    if int(code) in (3, 4):
        raise InputError(f"pytest could not collect the checks in {', '.join(map(str, dirs))}: "
                         f"{_last_error_line(sink.getvalue())}")
    return Collected(
        {k: tuple(v) for k, v in found.items()}, tuple(collector.unknown), tuple(collector.problems)
    )


def _have_xdist() -> bool:
    try:
        import xdist  # noqa: F401
    except ImportError:
        return False
    return True


def _xdist_plugin_args() -> list[str]:
    """``-p xdist.plugin`` when pytest does not load plugins from entry points."""
    return ["-p", "xdist.plugin"] if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else []


def _common_args(dirs: Sequence[Path]) -> list[str]:
    root = dirs[0] if len(dirs) == 1 else Path(os.path.commonpath([str(d) for d in dirs]))
    ini = resources.files(__package__).joinpath("pytest-checks.ini")
    return [
        "-c", str(ini),
        "--rootdir", str(root),
        "-p", "no:cacheprovider",
        "-p", "no:benchmark",  # pytest-benchmark, if installed, would write .benchmarks/ here
        "--capture=sys",  # not fd: the progress bar writes to the real stderr
        "--import-mode=importlib",
        "--continue-on-collection-errors",
        "-q",  # pytest's own report goes to a buffer (see redirect_stdout below)
    ]


def run_checks(
    registry: Registry,
    checks: Sequence[str | Path] | None = None,
    *,
    select: Iterable[str] | None = None,
    profile: str = "ci",
    progress: Progress | None = None,
    workers: int = 1,
    timeout: float | None = None,
) -> CheckRun:
    """Run the checks and return one result per (selected) claim.

    Parameters
    ----------
    registry
        All claims the checks may name (unknown IDs are reported as problems).
    checks
        Directories of check modules; default :func:`default_checks_dir`.
    select
        Claim IDs to run and report (default: all of ``registry``).  Checks of
        other claims, and untagged tests, are not run.
    profile
        Hypothesis profile, ``"ci"`` or ``"deep"``.
    progress
        Optional :class:`Progress` receiver.
    workers
        Number of processes running the checks: 1 runs them in this process;
        more uses pytest-xdist (``-n workers``), the outcomes being gathered in
        run order (:mod:`exactscreen.claims.plugin`), so the results are those
        of a run on one process apart from timings.  Without pytest-xdist the
        checks run in this process.
    timeout
        Wall-clock limit in seconds per phase of each check (0: none; None: the
        profile's default, :mod:`exactscreen.claims.deadline`); a check past it
        is an ``error`` row "timed out after N s".

    Raises
    ------
    KeyboardInterrupt
        If the run was interrupted (Ctrl-C, or SIGTERM turned into
        :class:`exactscreen.interrupts.Terminated` by the command line):
        pytest catches it and ends the session early, and a partial run must
        not be reported as a whole one.
    """
    from .. import testing

    if profile not in testing.PROFILES:
        raise InputError(f"--profile: unknown profile {profile!r}; choose one of {', '.join(testing.PROFILES)}")
    given = list(checks or [])
    dirs = [Path(d).resolve() for d in given] or [default_checks_dir()]
    for name, d in zip(given, dirs):
        if not d.is_dir():
            raise InputError(f"--checks {name}: no such directory; give the directory of your check modules")
    selected = tuple(select) if select is not None else registry.ids
    for cid in selected:
        registry[cid]  # raises InputError with a suggestion
    rows = [c for c in registry if c.id in selected]

    import pytest
    from hypothesis import settings

    args = [*(str(d) for d in dirs), *_plugin_args(), *_common_args(dirs), "--hypothesis-profile", profile]
    if given:  # helper modules beside a user's check files are importable (`import my_helpers`)
        args += ["-o", "pythonpath=" + shlex.join(str(d) for d in dirs)]
    for cid in selected:
        args += ["--exactscreen-select", cid]
    if timeout is not None:
        if not 0 <= timeout < float("inf"):
            raise InputError(f"--timeout: {timeout} is not a number of seconds >= 0 (0: no limit)")
        args += ["--exactscreen-timeout", repr(float(timeout))]
    if workers > 1 and _have_xdist():
        # worksteal: the long checks (20 s and more) do not leave one process idle at the end.
        args += ["-n", str(workers), "--dist", "worksteal", *_xdist_plugin_args()]
    collector = _Collector(registry, progress)
    before = set(sys.modules)
    previous_profile = settings.get_current_profile_name()
    started = time.perf_counter()
    sink = io.StringIO()
    try:
        with redirect_stdout(sink), redirect_stderr(sink):
            code = pytest.main(args, plugins=[collector])
    finally:
        settings.load_profile(previous_profile)
        _forget_modules(dirs, before)
    elapsed = seconds(time.perf_counter() - started)
    if isinstance(collector.interrupt, KeyboardInterrupt):
        raise collector.interrupt
    if int(code) in (3, 4):  # internal error, usage error
        detail = _last_error_line(sink.getvalue())
        raise InputError(f"pytest could not run the checks in {', '.join(map(str, dirs))}: {detail}")
    problems = tuple(collector.unknown) + tuple(collector.problems)
    if int(code) == 2 or collector.interrupt is not None:  # pytest.exit() in a check, or a crash
        why = _last_error_line(str(collector.interrupt)) if collector.interrupt is not None else "interrupted"
        problems += (f"the run stopped before every check ran ({why}); the results are partial",)
    results = tuple(combine(c, collector.outcomes, collector.skipped.get(c.id, ())) for c in rows)
    return CheckRun(results, problems, profile, tuple(str(d) for d in dirs), elapsed)
