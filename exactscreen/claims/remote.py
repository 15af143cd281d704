"""``exactscreen check --scheduler ADDR``: the claim checks on a Dask cluster.

Each selected claim is one task.  A task runs on a worker as its own Python process
(``python -m exactscreen.claims.remote SPEC``), so the checks run in a main thread,
as under ``exactscreen check`` (the per-check wall clock uses ``SIGALRM``), and a
check that crashes its process takes only its own claim with it.  The process calls
:func:`~exactscreen.claims.runner.run_checks` for that one claim and returns the
pickled :class:`~exactscreen.claims.runner.CheckRun`; the claim's result is the same as
in a local run because a claim's status combines only its own checks
(:func:`~exactscreen.claims.results.combine`).

What the workers need: exactscreen itself (the same version: a different one is refused)
and, for ``--checks DIR``, nothing else: the directories' files are shipped with each task
(at most :data:`MAX_FILES` files and :data:`MAX_BYTES` bytes) and written once per
worker machine to a directory named by their hash.  The built-in checks are the
workers' installed ones.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Sequence

from ..exceptions import InputError
from .registry import Registry

__all__ = ["run_checks_on_cluster", "MAX_FILES", "MAX_BYTES"]

MAX_FILES = 2000
MAX_BYTES = 50 * 2**20
_SKIP_DIRS = {"__pycache__", ".hypothesis", ".pytest_cache", ".git"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("exactscreen")
    except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
        return "unknown"


def _payload(d: Path) -> dict[str, bytes]:
    """The files of a checks directory, by path relative to it (bounded)."""
    files: dict[str, bytes] = {}
    size = 0
    for root, dirs, names in os.walk(d):
        dirs[:] = sorted(x for x in dirs if x not in _SKIP_DIRS)
        for name in sorted(names):
            path = Path(root) / name
            data = path.read_bytes()
            files[path.relative_to(d).as_posix()] = data
            size += len(data)
            if len(files) > MAX_FILES or size > MAX_BYTES:
                raise InputError(
                    f"--checks {d}: more than {MAX_FILES} files or {MAX_BYTES // 2**20} MiB to ship to the "
                    "Dask workers; keep the checks in a directory of their own"
                )
    return files


def _materialize(files: dict[str, bytes]) -> str:
    """Write shipped files once per machine, under a directory named by their hash."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        digest.update(rel.encode() + b"\0" + hashlib.sha256(files[rel]).digest())
    target = Path(tempfile.gettempdir()) / f"exactscreen-checks-{digest.hexdigest()[:20]}"
    if not (target / ".complete").exists():
        staging = Path(tempfile.mkdtemp(prefix="exactscreen-checks-", dir=tempfile.gettempdir()))
        for rel, data in files.items():
            out = staging / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        (staging / ".complete").write_bytes(b"")
        try:
            staging.rename(target)
        except OSError:  # another task on this machine won the race: its copy is identical
            pass
    return str(target)


def _run_claim_task(version: str, registry: bytes, dirs: list[dict[str, bytes]] | None, claim: str,
                    profile: str, timeout: float | None) -> bytes:
    """Run on a worker: one claim's checks in a fresh process; the pickled CheckRun."""
    if version != _version():
        raise RuntimeError(f"the worker has exactscreen {_version()}, the client {version}; install the same version")
    checks = [_materialize(files) for files in dirs] if dirs is not None else []
    with tempfile.TemporaryDirectory(prefix="exactscreen-task-") as tmp:
        spec = Path(tmp) / "spec.pickle"
        out = Path(tmp) / "run.pickle"
        spec.write_bytes(pickle.dumps({"registry": registry, "checks": checks, "claim": claim,
                                       "profile": profile, "timeout": timeout, "out": str(out)}))
        proc = subprocess.run([sys.executable, "-m", "exactscreen.claims.remote", str(spec)],
                              capture_output=True, text=True, cwd=tmp)
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"the checks of {claim} could not run on the worker (exit {proc.returncode}): {tail}")
        return out.read_bytes()


def run_checks_on_cluster(
    registry: Registry,
    checks: Sequence[str | Path] | None,
    scheduler: str,
    *,
    select: Sequence[str],
    profile: str = "ci",
    timeout: float | None = None,
    progress: Callable[[str], None] | None = None,
    client: Any = None,
):
    """The checks of the ``select``-ed claims, one task per claim on a Dask cluster; the same
    :class:`~exactscreen.claims.runner.CheckRun` as a local run apart from timings."""
    from .runner import CheckRun

    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise InputError("--scheduler needs dask.distributed: pip install 'exactscreen[dask]'") from None
    given = list(checks or [])
    dirs = [Path(d).resolve() for d in given]
    for name, d in zip(given, dirs):
        if not d.is_dir():
            raise InputError(f"--checks {name}: no such directory; give the directory of your check modules")
    payload = [_payload(d) for d in dirs] if dirs else None
    own = client is None
    if own:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    started = time.perf_counter()
    try:
        reg = pickle.dumps(registry)
        futures = {
            client.submit(_run_claim_task, _version(), reg, payload, cid, profile, timeout, pure=False,
                          key=f"exactscreen-check-{cid}-{os.getpid()}-{time.monotonic_ns()}"): cid
            for cid in select
        }
        runs: dict[str, Any] = {}
        for fut in as_completed(list(futures)):
            cid = futures[fut]
            try:
                runs[cid] = pickle.loads(fut.result())
            except Exception as exc:  # noqa: BLE001 - reported as the claim's problem, not a crash
                raise InputError(f"--scheduler {scheduler}: {exc}") from None
            if progress is not None:
                progress(cid)
    finally:
        if own:
            client.close()
    results, problems = [], []
    for cid in select:
        run = runs[cid]
        results += [r for r in run.results if r.id == cid]
        problems += [p for p in run.problems if p not in problems]
    elapsed = Decimal(repr(time.perf_counter() - started)).quantize(Decimal("0.001"))
    return CheckRun(tuple(results), tuple(problems), profile, tuple(str(d) for d in dirs), elapsed)


def _main(spec_path: str) -> int:
    """The worker-side process: run one claim's checks, write the pickled CheckRun."""
    from .runner import run_checks

    spec = pickle.loads(Path(spec_path).read_bytes())
    registry = pickle.loads(spec["registry"])
    run = run_checks(registry, spec["checks"] or None, select=[spec["claim"]], profile=spec["profile"],
                     timeout=spec["timeout"])
    Path(spec["out"]).write_bytes(pickle.dumps(run))
    return 0


if __name__ == "__main__":  # pragma: no cover - run by _run_claim_task on a worker
    sys.exit(_main(sys.argv[1]))
