"""Running a hunt: seeded batches (:func:`batch_seed`, :func:`run_batch`) and the budgeted,
worker-independent search over them (:func:`run_hunt`).
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable

from ..exceptions import InputError
from .executors import Executor, InProcess
from .registry import Hunt, HuntError, one_line
from .shrinking import minimize, user_call

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
    #: where along a line of markets the claim starts failing (:func:`.boundary.market_boundary`),
    #: for a counterexample ``(environment, market)``; None otherwise or when not asked for
    boundary: dict | None = field(default=None, repr=False)

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
    boundary: bool = True,
) -> HuntResult:
    """Search for a counterexample to ``h`` for at most ``budget`` seconds.

    Batches ``0, 1, 2, ...`` of ``batch_size`` instances are submitted to
    ``executor`` (default in-process), a few more than it runs at once.  Once
    batch ``k`` reports a counterexample, no batch after ``k`` is submitted,
    later ones are cancelled, and the earlier ones are awaited (even past the
    budget): the kept counterexample is that of the lowest batch, so the result
    does not depend on the number of workers or their speed.  It is then
    minimized (:func:`minimize`) and written with ``h.to_toml``.  With ``boundary`` (default) and
    a minimized counterexample ``(environment, market)``, the line from a market where the claim
    holds to it is swept and bisected (:func:`.boundary.market_boundary`): ``result.boundary``.

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
                except ImportError as exc:  # a worker without the user's module: not the property's fault
                    raise HuntError(
                        f"hunt {h.claim}: a worker cannot import {exc.name or 'a module'} ({one_line(str(exc))}) "
                        f"in batch {i}; install it where the workers run, or keep the hunt's modules in its "
                        "--checks directory (they are shipped to Dask workers)"
                    ) from exc
                except Exception as exc:  # noqa: BLE001 - a bug in the property, not in the claim
                    raise HuntError(
                        f"hunt {h.claim}: the property raised {type(exc).__name__}: {one_line(str(exc))} "
                        f"in batch {i} (seed {seed}, batch seed {batch_seed(seed, h.claim, i)}); fix the property"
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
    toml = user_call(h, "to_toml", small, h.to_toml, small) if h.to_toml is not None else None
    bd = None
    if boundary:
        from .boundary import market_boundary

        bd = market_boundary(h, small)
    return HuntResult(
        h.claim, seed, True, cx, small, steps, best, best + 1,
        sum(done[i].tried for i in range(best + 1)), took, ex.name, stop, toml, batch_size, bd,
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
