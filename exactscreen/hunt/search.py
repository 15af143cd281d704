"""Counterexample hunts: run a claim's property on many random instances, in parallel.

A *hunt* for a claim is registered with :func:`register_hunt` (or the
:func:`hunt` decorator):

``prop``
    The property.  Either ``prop(rng)`` taking a seeded :class:`random.Random`,
    drawing an instance itself, or — with ``strategy=`` a hypothesis strategy —
    ``prop(instance)``.  Returns ``None`` when the property holds and a
    *counterexample* object otherwise (typically the instance, e.g. an
    :class:`~exactscreen.environment.Environment`).
``shrink`` and ``refutes``
    ``shrink(cx)`` yields simpler candidates, simplest first;
    ``refutes(cx)`` says whether a candidate is still a counterexample.  The
    greedy minimizer (:func:`minimize`) keeps the first candidate that still
    refutes until none does.  :func:`shrink_environment` is a ready shrinker
    for environments.  (With a strategy, hypothesis shrinks too.)
``to_toml``
    Writes the counterexample as TOML; :func:`environment_to_toml` writes an
    environment (and optional market) in the format of
    :mod:`exactscreen.environment`, loadable by
    :func:`~exactscreen.environment.load_toml` and ``exactscreen solve``.

:func:`run_hunt` cuts the search into *batches*: batch ``i`` draws its
instances from a seed derived from ``(seed, claim, i)`` alone
(:func:`batch_seed`), so the instances do not depend on who runs the batch.
Batches go to an :class:`Executor` — :class:`InProcess`,
:class:`LocalProcesses` (``concurrent.futures.ProcessPoolExecutor``) or
:class:`DaskCluster` (``dask.distributed.Client``) — and the answer is the
counterexample of the *lowest-numbered* batch that has one (not the first to
arrive), minimized deterministically: the same seed gives the same result
with 1, 2 or 20 workers, as long as it is found within the budget.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from ..exceptions import InputError
from ..environment import Environment, Market
from ..numbers import fmt

__all__ = [
    "Hunt",
    "HuntError",
    "BatchResult",
    "HuntResult",
    "register_hunt",
    "hunt",
    "get_hunt",
    "registered_hunts",
    "batch_seed",
    "run_batch",
    "run_hunt",
    "minimize",
    "shrink_environment",
    "environment_to_toml",
    "Executor",
    "InProcess",
    "LocalProcesses",
    "DaskCluster",
    "make_executor",
    "write_counterexample",
    "counterexample_path",
    "counterexample_text",
]


# ------------------------------------------------------------------ the hunt
class HuntError(RuntimeError):
    """The property itself failed (raised) while hunting: a bug to fix, not a counterexample."""


@dataclass(frozen=True)
class Hunt:
    """A claim's property with what it takes to search, minimize and write counterexamples."""

    claim: str
    prop: Callable[[Any], Any]
    strategy: Any = None
    shrink: Callable[[Any], Iterable[Any]] | None = None
    refutes: Callable[[Any], bool] | None = None
    to_toml: Callable[[Any], str] | None = None
    describe: Callable[[Any], str] = repr
    doc: str = ""

    def __post_init__(self) -> None:
        if not callable(self.prop):
            raise InputError(f"hunt {self.claim}: prop must be a function")
        if self.shrink is not None and self.refutes is None and self.strategy is None:
            raise InputError(
                f"hunt {self.claim}: a shrinker needs refutes=, a function saying whether a "
                "candidate is still a counterexample (prop takes a random.Random, so it cannot)"
            )

    def still_refutes(self, candidate: Any) -> bool:
        """Whether a shrink candidate is still a counterexample."""
        if self.refutes is not None:
            return bool(self.refutes(candidate))
        return self.prop(candidate) is not None  # strategy form: prop takes an instance

    def __repr__(self) -> str:
        how = "hypothesis strategy" if self.strategy is not None else "random.Random"
        return f"Hunt({self.claim}: {getattr(self.prop, '__name__', 'prop')}({how}))"


_HUNTS: dict[str, Hunt] = {}


def register_hunt(
    claim: str,
    prop: Callable[[Any], Any],
    *,
    strategy: Any = None,
    shrink: Callable[[Any], Iterable[Any]] | None = None,
    refutes: Callable[[Any], bool] | None = None,
    to_toml: Callable[[Any], str] | None = None,
    describe: Callable[[Any], str] = repr,
    replace: bool = False,
) -> Hunt:
    """Register the hunt of ``claim`` (see the module docstring); returns it.

    A claim has one hunt; registering another raises unless ``replace=True``
    (re-importing the same module re-registers the same function: allowed).
    """
    from ..claims.registry import ID_PATTERN

    if not isinstance(claim, str) or not ID_PATTERN.fullmatch(claim):
        raise InputError(f"register_hunt: {claim!r} is not a claim ID (PREFIX-NAME, e.g. STT-LEM1)")
    h = Hunt(claim, prop, strategy, shrink, refutes, to_toml, describe, (prop.__doc__ or "").strip())
    old = _HUNTS.get(claim)
    same = old is not None and getattr(old.prop, "__qualname__", None) == getattr(prop, "__qualname__", None) \
        and getattr(old.prop, "__module__", None) == getattr(prop, "__module__", None)
    if old is not None and not replace and not same:
        raise InputError(f"register_hunt: claim {claim} already has a hunt ({old!r}); pass replace=True")
    _HUNTS[claim] = h
    return h


def hunt(claim: str, **options: Any) -> Callable[[Callable], Callable]:
    """Decorator form of :func:`register_hunt`: ``@hunt("TOY-1", shrink=..., refutes=...)``."""

    def decorate(prop: Callable) -> Callable:
        register_hunt(claim, prop, **options)
        return prop

    return decorate


def get_hunt(claim: str) -> Hunt:
    """The registered hunt of ``claim`` (raises :class:`InputError` listing the known ones)."""
    try:
        return _HUNTS[claim]
    except KeyError:
        known = ", ".join(sorted(_HUNTS)) or "none"
        raise InputError(
            f"no hunt is registered for {claim!r}; registered: {known}. A check module "
            "registers one with exactscreen.hunt.search.register_hunt"
        ) from None


def registered_hunts() -> tuple[str, ...]:
    """Claim IDs that have a hunt, sorted."""
    return tuple(sorted(_HUNTS))


# ------------------------------------------------------------------ batches
def batch_seed(seed: int, claim: str, index: int) -> int:
    """64-bit seed of batch ``index``: a hash of ``(seed, claim, index)``, independent of workers."""
    digest = hashlib.sha256(f"exactscreen-hunt:{seed}:{claim}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class BatchResult:
    """Outcome of one batch: instances tried and the first counterexample, if any."""

    index: int
    seed: int
    tried: int
    counterexample: Any = None
    found: bool = False

    def __repr__(self) -> str:
        what = "counterexample" if self.found else "none"
        return f"BatchResult(#{self.index}: {self.tried} tried, {what})"


class _Found(Exception):
    """Raised inside a hypothesis search to stop at a counterexample."""


def run_batch(h: Hunt, index: int, seed: int, size: int) -> BatchResult:
    """Try ``size`` instances of batch ``index`` (module-level so it pickles to workers)."""
    bseed = batch_seed(seed, h.claim, index)
    if h.strategy is None:
        rng = random.Random(bseed)
        for n in range(1, size + 1):
            instance_rng = random.Random(rng.getrandbits(64))
            cx = h.prop(instance_rng)
            if cx is not None:
                return BatchResult(index, bseed, n, cx, True)
        return BatchResult(index, bseed, size, None, False)
    return _hypothesis_batch(h, index, bseed, size)


def _hypothesis_batch(h: Hunt, index: int, bseed: int, size: int) -> BatchResult:
    from hypothesis import HealthCheck, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    from .. import testing

    found: list[Any] = []
    tried = [0]

    @settings(
        settings.get_profile(testing.DEEP),
        max_examples=size,
        database=None,
        derandomize=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(bseed)
    @given(h.strategy)
    def search(instance: Any) -> None:
        tried[0] += 1
        cx = h.prop(instance)
        if cx is not None:
            found.append(cx)
            raise _Found()

    try:
        search()
    except _Found:
        return BatchResult(index, bseed, tried[0], found[-1], True)  # last = hypothesis' shrunk one
    return BatchResult(index, bseed, tried[0], None, False)


# ---------------------------------------------------------------- executors
class Executor(Protocol):
    """Where batches run: ``submit`` returns a future; ``wait`` returns the finished ones."""

    name: str
    parallelism: int

    def submit(self, fn: Callable, *args: Any) -> Any: ...

    def wait(self, futures: list, timeout: float) -> set: ...

    def cancel(self, futures: list) -> None: ...

    def close(self) -> None: ...


class InProcess:
    """Runs each batch immediately in this process (no parallelism)."""

    name = "in-process"
    parallelism = 1

    def submit(self, fn: Callable, *args: Any) -> cf.Future:
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - delivered through the future
            fut.set_exception(exc)
        return fut

    def wait(self, futures: list, timeout: float) -> set:
        return {f for f in futures if f.done()}

    def cancel(self, futures: list) -> None:
        pass

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return "InProcess()"


def _worker_signals() -> None:
    """In a worker process: ignore Ctrl-C, die quietly on SIGTERM.

    Ctrl-C in a terminal reaches every process of the group; the parent stops
    the workers itself (:meth:`LocalProcesses.close`), so a worker must not
    print a KeyboardInterrupt traceback of its own.  A forked worker inherits
    the parent's SIGTERM handler (:mod:`exactscreen.interrupts`): reset it.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class LocalProcesses:
    """``concurrent.futures.ProcessPoolExecutor`` with ``workers`` processes.

    The hunt is pickled to the workers by reference (module and function
    name), so its functions must be importable module-level functions; with
    the default ``fork`` start method on Linux, functions of any module
    already imported here (a test module, a checks file) work too.
    """

    name = "local processes"

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise InputError(f"--workers {workers}: need at least 1")
        self.parallelism = workers
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, initializer=_worker_signals)

    def submit(self, fn: Callable, *args: Any) -> cf.Future:
        return self.pool.submit(fn, *args)

    def wait(self, futures: list, timeout: float) -> set:
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return set(done)

    def cancel(self, futures: list) -> None:
        for f in futures:
            f.cancel()

    def close(self) -> None:
        """Stop now: queued batches are cancelled and running ones are terminated.

        Waiting for a running batch could overrun the budget by a whole batch
        (minutes for an exact construction); its result would be discarded
        anyway, since only finished batches count.
        """
        processes = list(getattr(self.pool, "_processes", {}).values())  # no public API before 3.14
        self.pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        for proc in processes:
            proc.join(timeout=5)

    def __repr__(self) -> str:
        return f"LocalProcesses({self.parallelism})"


class DaskCluster:
    """A ``dask.distributed`` cluster: ``Client(address)`` (or an existing client).

    Functions of modules outside the exactscreen package (a test module, a
    user's checks file) are sent by value with cloudpickle, because the
    workers may not be able to import them.
    """

    name = "dask"

    def __init__(self, address: str | None = None, client: Any = None, hunt: Hunt | None = None) -> None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise InputError(
                "--scheduler needs dask.distributed: pip install 'exactscreen[dask]'"
            ) from None
        self._own = client is None
        try:
            self.client = client if client is not None else Client(address, timeout="10s")
        except OSError as exc:
            raise InputError(f"--scheduler {address}: cannot connect ({exc})") from None
        self.parallelism = max(1, sum(self.client.nthreads().values()))
        if hunt is not None:
            _pickle_by_value(hunt)

    def submit(self, fn: Callable, *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def wait(self, futures: list, timeout: float) -> set:
        from dask.distributed import wait as dask_wait

        try:
            done, _ = dask_wait(futures, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        return set(done)

    def cancel(self, futures: list) -> None:
        if futures:
            self.client.cancel(futures)

    def close(self) -> None:
        if self._own:
            self.client.close()

    def __repr__(self) -> str:
        return f"DaskCluster({self.client.scheduler.address}, {self.parallelism} threads)"


def _pickle_by_value(h: Hunt) -> None:
    import sys

    import cloudpickle

    for fn in (h.prop, h.shrink, h.refutes, h.to_toml, h.describe):
        module = getattr(fn, "__module__", None)
        if not module or module.startswith(("exactscreen.", "builtins")) or module == "exactscreen":
            continue
        if module in sys.modules and module != "__main__":
            cloudpickle.register_pickle_by_value(sys.modules[module])


def make_executor(workers: int = 1, scheduler: str | None = None, hunt: Hunt | None = None) -> Executor:
    """The executor for ``--workers N`` / ``--scheduler ADDR`` (``ADDR`` wins)."""
    if scheduler:
        return DaskCluster(scheduler, hunt=hunt)
    if workers > 1:
        return LocalProcesses(workers)
    if workers < 1:
        raise InputError(f"--workers {workers}: need at least 1")
    return InProcess()


# ----------------------------------------------------------------- minimize
def minimize(h: Hunt, cx: Any, max_steps: int = 2000) -> tuple[Any, int]:
    """Greedy deterministic shrinking: (minimized counterexample, accepted steps).

    Repeatedly replaces ``cx`` by the first candidate of ``h.shrink(cx)`` that
    still refutes the claim, until no candidate does or ``max_steps``
    candidates were tried.
    """
    if h.shrink is None:
        return cx, 0
    tried = accepted = 0
    progress = True
    while progress and tried < max_steps:
        progress = False
        for candidate in h.shrink(cx):
            tried += 1
            if h.still_refutes(candidate):
                cx, accepted, progress = candidate, accepted + 1, True
                break
            if tried >= max_steps:
                break
    return cx, accepted


def _complexity(x: Fraction) -> tuple[int, int, int]:
    return (abs(x.numerator) + x.denominator, x.denominator, 1 if x < 0 else 0)


def _simpler(x: Fraction) -> list[Fraction]:
    """Values strictly simpler than ``x`` (by size of numerator + denominator), simplest first."""
    q, r = divmod(x.numerator, x.denominator)
    cands = {Fraction(0), Fraction(1), Fraction(-1), Fraction(q), Fraction(q + (1 if r else 0)), -x}
    if x.denominator > 1:
        cands.add(Fraction(x.numerator // 2 or (1 if x > 0 else -1), x.denominator))
        cands.add(Fraction(round(x * 2), 2))
    cands.add(x / 2 if x.numerator % 2 == 0 else Fraction(x.numerator // 2, x.denominator))
    return sorted((c for c in cands if _complexity(c) < _complexity(x)), key=_complexity)


def shrink_environment(env: Environment) -> Iterator[Environment]:
    """Simpler environments, simplest first: fewer types, fewer alternatives, no costs,
    then each value replaced by a simpler rational (0, ±1, its integer part, ...).

    Every candidate is strictly smaller in a well-founded order, so greedy
    shrinking terminates.
    """
    if env.n > 1:
        for i in range(env.n):
            keep = [t for j, t in enumerate(env.types) if j != i]
            yield env.restrict(keep)
    if env.k > 1:
        for j in range(env.k):
            yield Environment(
                env.types,
                tuple(a for b, a in enumerate(env.alternatives) if b != j),
                tuple(tuple(v for b, v in enumerate(row) if b != j) for row in env.values),
                tuple(c for b, c in enumerate(env.costs) if b != j),
                env.title,
            )
    if any(env.costs):
        yield Environment(env.types, env.alternatives, env.values, tuple(Fraction(0) for _ in env.costs), env.title)
        for j, c in enumerate(env.costs):
            for s in _simpler(c):
                costs = list(env.costs)
                costs[j] = s
                yield Environment(env.types, env.alternatives, env.values, tuple(costs), env.title)
    for i, row in enumerate(env.values):
        for j, v in enumerate(row):
            for s in _simpler(v):
                values = [list(r) for r in env.values]
                values[i][j] = s
                yield Environment(env.types, env.alternatives, tuple(map(tuple, values)), env.costs, env.title)


# ------------------------------------------------------------------- TOML
def _toml_key(name: str) -> str:
    import re

    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml_string(name)


def _toml_string(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def environment_to_toml(cx: Environment | tuple[Environment, Market | None]) -> str:
    """An environment (or ``(environment, market)``) in the TOML format of
    :mod:`exactscreen.environment`, exact strings such as ``"3/4"``."""
    env, market = cx if isinstance(cx, tuple) else (cx, None)
    lines = []
    if env.title:
        lines.append(f"title = {_toml_string(env.title)}")
    for t, row in zip(env.types, env.values):
        lines.append("")
        lines.append(f"[types.{_toml_key(t)}]")
        for a, v in zip(env.alternatives, row):
            lines.append(f"{_toml_key(a)} = {_toml_string(fmt(v))}")
    if any(env.costs):
        lines += ["", "[costs]"]
        lines += [f"{_toml_key(a)} = {_toml_string(fmt(c))}" for a, c in zip(env.alternatives, env.costs)]
    if market is not None:
        lines += ["", "[market]"]
        lines += [f"{_toml_key(t)} = {_toml_string(fmt(w))}" for t, w in zip(env.types, market.weights)]
    else:
        uniform = ",".join(f"{t}={fmt(Fraction(1, env.n))}" for t in env.types)
        lines += ["", f"# no [market]: give one to `exactscreen solve`, e.g. --market {uniform}"]
    return "\n".join(lines).lstrip("\n") + "\n"


# -------------------------------------------------------------------- run
@dataclass(frozen=True)
class HuntResult:
    """Outcome of :func:`run_hunt`.

    ``batch`` is the index of the batch whose counterexample was kept (the
    lowest one with a counterexample), ``tried`` the instances of batches
    ``0..batch`` (or of all finished batches when nothing was found).
    """

    claim: str
    seed: int
    found: bool
    counterexample: Any = None
    minimized: Any = None
    shrink_steps: int = 0
    batch: int | None = None
    batches: int = 0
    tried: int = 0
    seconds: Decimal = Decimal("0.000")
    executor: str = "in-process"
    budget_exhausted: bool = False
    toml: str | None = field(default=None, repr=False)
    batch_size: int = 0

    def __repr__(self) -> str:
        what = f"counterexample in batch {self.batch}" if self.found else "no counterexample"
        return f"HuntResult({self.claim}, seed {self.seed}: {what}; {self.tried} instances)"


def run_hunt(
    h: Hunt,
    *,
    seed: int = 0,
    budget: Fraction | Decimal | int = 30,
    batch_size: int = 200,
    max_batches: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int, Decimal], None] | None = None,
    max_shrink_steps: int = 2000,
) -> HuntResult:
    """Search for a counterexample to ``h`` for at most ``budget`` seconds.

    Batches ``0, 1, 2, ...`` of ``batch_size`` instances are submitted to
    ``executor`` (default in-process), a few more than it runs at once.  Once
    batch ``k`` reports a counterexample, no batch after ``k`` is submitted,
    later ones are cancelled, and the earlier ones are awaited (even past the
    budget): the kept counterexample is that of the lowest batch, so the result
    does not depend on the number of workers or their speed.  It is then
    minimized (:func:`minimize`) and written with ``h.to_toml``.

    ``progress(batches_done, instances, elapsed_seconds)`` is called as
    batches finish.

    On Ctrl-C (or SIGTERM, see :mod:`exactscreen.interrupts`) the executor is
    closed (worker processes terminated) and the :class:`KeyboardInterrupt`
    propagates with attribute ``partial``: a :class:`HuntResult` of what was
    done so far, whose counterexample (if any) is that of the lowest finished
    batch with one, not minimized (lower batches may be unfinished).
    """
    if batch_size < 1:
        raise InputError(f"--batch-size {batch_size}: need at least 1")
    limit = Fraction(budget)
    ex = executor or InProcess()
    started = time.monotonic()

    def elapsed() -> Fraction:  # exact value of the clock reading
        return Fraction(time.monotonic() - started)

    pending: dict[int, Any] = {}
    done: dict[int, BatchResult] = {}
    best: int | None = None
    next_index = 0
    stop = False
    width = max(2, 2 * ex.parallelism) if ex.parallelism > 1 else 1
    try:
        while True:
            if elapsed() >= limit:
                stop = True
            while (
                not stop
                and len(pending) < width
                and (best is None or next_index < best)
                and (max_batches is None or next_index < max_batches)
            ):
                pending[next_index] = ex.submit(run_batch, h, next_index, seed, batch_size)
                next_index += 1
            if best is not None and all(i in done for i in range(best)):
                break
            if not pending:
                break
            if stop and best is None:
                ex.cancel(list(pending.values()))
                break
            index_of = {id(f): i for i, f in pending.items()}
            for fut in ex.wait(list(pending.values()), timeout=0.2):
                i = index_of[id(fut)]
                if i not in pending:  # cancelled in this loop: a lower batch already refuted
                    continue
                del pending[i]
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - a bug in the property, not in the claim
                    raise HuntError(
                        f"hunt {h.claim}: the property raised {type(exc).__name__}: {exc} in batch {i} "
                        f"(seed {seed}, batch seed {batch_seed(seed, h.claim, i)})"
                    ) from exc
                done[i] = result
                if result.found and (best is None or i < best):
                    best = i
                    later = [f for j, f in pending.items() if j > best]
                    ex.cancel(later)
                    for j in [j for j in pending if j > best]:
                        del pending[j]
                if progress is not None:
                    progress(len(done), sum(r.tried for r in done.values()), _decimal(elapsed()))
    except KeyboardInterrupt as exc:
        exc.partial = _partial_result(h, seed, done, best, _decimal(elapsed()), ex.name, batch_size)
        raise
    finally:
        ex.close()
    took = _decimal(elapsed())
    if best is None:
        return HuntResult(
            h.claim, seed, False, batches=len(done), tried=sum(r.tried for r in done.values()),
            seconds=took, executor=ex.name, budget_exhausted=stop, batch_size=batch_size,
        )
    cx = done[best].counterexample
    small, steps = minimize(h, cx, max_shrink_steps)
    toml = h.to_toml(small) if h.to_toml is not None else None
    return HuntResult(
        h.claim, seed, True, cx, small, steps, best, best + 1,
        sum(done[i].tried for i in range(best + 1)), took, ex.name, stop, toml, batch_size,
    )


def _partial_result(
    h: Hunt, seed: int, done: dict, best: int | None, took: Decimal, executor: str, batch_size: int
) -> HuntResult:
    """What an interrupted hunt had: the lowest finished batch's counterexample, not minimized."""
    tried = sum(r.tried for r in done.values())
    if best is None:
        return HuntResult(h.claim, seed, False, batches=len(done), tried=tried, seconds=took,
                          executor=executor, batch_size=batch_size)
    cx = done[best].counterexample
    try:
        toml = h.to_toml(cx) if h.to_toml is not None else None
    except Exception:  # noqa: BLE001 - the description below still shows it
        toml = None
    return HuntResult(h.claim, seed, True, cx, cx, 0, best, len(done), tried, took, executor,
                      False, toml, batch_size)


def _decimal(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.001"))


def write_counterexample(result: HuntResult, out_dir: str | Path, statement: str = "") -> Path:
    """Write ``result``'s minimized counterexample to ``out_dir/CLAIM-counterexample.toml``
    (or to ``out_dir`` itself if it names a ``.toml`` file, see :func:`counterexample_path`),
    through a temporary file and a rename.

    The header comments say which claim it refutes and how it was found; the
    body is ``to_toml`` of the hunt (for environments, loadable by
    :func:`exactscreen.environment.load_toml`).  Nothing in the file depends
    on timing or on the number of workers.
    """
    if not result.found:
        raise ValueError("no counterexample to write")
    path = counterexample_path(out_dir, result.claim)
    head = [f"# Counterexample to {result.claim}" + (f": {statement}" if statement else "")]
    head.append(
        f"# found by `exactscreen hunt {result.claim} --seed {result.seed} --batch-size "
        f"{result.batch_size}` in batch {result.batch} "
        f"after {result.tried} instances; minimized in {result.shrink_steps} steps"
    )
    from ..outdir import write_file_atomically

    return write_file_atomically(path, counterexample_text(result, head))


def counterexample_text(result: HuntResult, head: list[str] | None = None) -> str:
    """The TOML of ``result``'s (minimized) counterexample, after the comment lines ``head``."""
    body = result.toml
    if body is None:
        body = f"counterexample = {_toml_string(repr(result.minimized))}\n"
    return ("\n".join(head) + "\n\n" if head else "") + body


def counterexample_path(out: str | Path, claim: str) -> Path:
    """Where ``--out`` puts the counterexample of ``claim``.

    An existing directory, or a path not ending in ``.toml``: the file
    ``CLAIM-counterexample.toml`` in that directory (created if needed).  A
    path ending in ``.toml`` that is not a directory: that file (replaced if
    it exists).
    """
    out = Path(out)
    if out.is_dir() or out.suffix.lower() != ".toml":
        return out / f"{claim}-counterexample.toml"
    return out
