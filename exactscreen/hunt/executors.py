"""Where batches run: in this process (:class:`InProcess`), in local worker processes
(:class:`LocalProcesses`) or on a Dask cluster (:class:`DaskCluster`).
"""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path
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
        # let the executor's manager thread notice and close its wake-up pipe now: on Python
        # < 3.12 the interpreter's exit hook (concurrent.futures.process._python_exit) checks
        # that pipe is open and then writes to it, and a close in between printed "Exception
        # ignored ... OSError: Bad file descriptor" after an interrupted hunt (seen once under load)
        manager = getattr(self.pool, "_executor_manager_thread", None)
        if manager is not None:
            manager.join(timeout=5)

    def __repr__(self) -> str:
        return f"LocalProcesses({self.parallelism})"


class DaskCluster:
    """A ``dask.distributed`` cluster: ``Client(address)`` (or an existing client).

    The workers may not be able to import a user's own modules (the hunt's
    check file and the helper modules beside it), so every loaded module from
    the directory a hunt function comes from is shipped to the workers
    (:func:`ship_user_modules`: one zip, ``Client.upload_file``) and the
    workers are asked to import them before the hunt starts; a worker that
    cannot is an :class:`~exactscreen.exceptions.InputError` naming the module.
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
            ship_user_modules(self.client, hunt)

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


#: At most this many files (and bytes) are shipped to the workers.
_MAX_SHIPPED_FILES, _MAX_SHIPPED_BYTES = 2000, 50 * 2**20


def _hunt_modules(h: Hunt) -> list[str]:
    """Names of the modules the hunt's functions come from, outside the exactscreen package."""
    names = []
    for fn in (h.prop, h.shrink, h.refutes, h.to_toml, h.describe):
        name = getattr(fn, "__module__", None) or ""
        if name and name not in ("exactscreen", "__main__") and not name.startswith(("exactscreen.", "builtins")):
            if name not in names:
                names.append(name)
    return names


def user_module_files(h: Hunt) -> dict[str, Path]:
    """Archive path -> file of the hunt's own modules and of every module they use (directly or
    not) that lives under the same import root: the check file and the helpers beside it."""
    import sys
    import types

    def root_of(name: str) -> tuple[Path, Path] | None:
        file = getattr(sys.modules.get(name), "__file__", None)
        if not file or not file.endswith(".py"):
            return None
        path = Path(file).resolve()
        return path, path.parents[name.count(".")]

    todo = _hunt_modules(h)
    roots = {r[1] for r in map(root_of, todo) if r is not None}
    files: dict[str, Path] = {}
    seen: set[str] = set()
    while todo and len(seen) <= len(sys.modules):  # each module is visited once
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found = root_of(name)
        if found is None or found[1] not in roots:
            continue
        files[found[0].relative_to(found[1]).as_posix()] = found[0]
        for value in list(vars(sys.modules[name]).values()):
            used = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
            if isinstance(used, str) and used not in seen and used in sys.modules:
                todo.append(used)
    return files


def ship_user_modules(client: Any, h: Hunt) -> None:
    """Upload the user's modules (:func:`user_module_files`) to every worker as one zip on
    ``sys.path`` and check that each worker imports them."""
    import tempfile
    import zipfile

    files = user_module_files(h)
    if not files:
        return
    if len(files) > _MAX_SHIPPED_FILES or sum(p.stat().st_size for p in files.values()) > _MAX_SHIPPED_BYTES:
        raise InputError(
            f"hunt {h.claim}: {len(files)} modules to ship to the Dask workers is too many; "
            "keep the hunt's check file and its helpers in a directory of their own (--checks DIR)"
        )
    names = _hunt_modules(h)
    with tempfile.TemporaryDirectory(prefix="exactscreen-hunt-") as tmp:
        archive = Path(tmp) / f"exactscreen_user_modules_{abs(hash(tuple(names))):x}.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for rel, path in sorted(files.items()):
                zf.write(path, rel)
        try:
            client.upload_file(str(archive))  # on sys.path of every worker, present and future
        except Exception as exc:  # noqa: BLE001 - the workers import the zip's modules: say which failed
            raise InputError(
                f"hunt {h.claim}: a Dask worker cannot import the hunt's modules ({type(exc).__name__}: "
                f"{str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}); install on the workers what "
                "the check file imports, or keep it in the --checks directory"
            ) from None
    failures = client.run(_import_all, names)
    for worker, problem in sorted(failures.items()):
        if problem:
            raise InputError(
                f"hunt {h.claim}: Dask worker {worker} cannot import the hunt's modules ({problem}); "
                "install on the workers what the check file imports, or keep it in the --checks directory"
            )


def _import_all(names: list[str]) -> str:
    """Run on each worker: import the shipped modules; '' or the first failure."""
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - reported to the user, per worker
            return f"{name}: {type(exc).__name__}: {exc}"
    return ""


def make_executor(workers: int = 1, scheduler: str | None = None, hunt: Hunt | None = None) -> Executor:
    """The executor for ``--workers N`` / ``--scheduler ADDR`` (``ADDR`` wins)."""
    if scheduler:
        return DaskCluster(scheduler, hunt=hunt)
    if workers > 1:
        return LocalProcesses(workers)
    if workers < 1:
        raise InputError(f"--workers {workers}: need at least 1")
    return InProcess()
