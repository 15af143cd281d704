"""Where batches run: in this process (:class:`InProcess`), in local worker processes
(:class:`LocalProcesses`) or on a Dask cluster (:class:`DaskCluster`).
"""

from __future__ import annotations

import concurrent.futures as cf
from typing import Any, Callable, Protocol

from ..exceptions import InputError
from .registry import Hunt

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
