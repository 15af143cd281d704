"""A wall-clock limit per check: a hung check becomes an ``error`` row, never a hang.

hypothesis' ``deadline`` is checked only after an example returns, so it cannot
stop an example that never returns; pytest-timeout's signal method reports a
timeout as ``pytest.fail`` (which the plugin would read as ``refuted``) and its
thread method ends the whole process (the in-process ``exactscreen check``
with it).  So the plugin (:mod:`exactscreen.claims.plugin`) arms its own
``SIGALRM`` timer around each phase (setup, call, teardown) of every
claim-tagged check; when it fires, :class:`CheckTimeout` is raised in the
check.  It derives from :class:`BaseException`, not :class:`Exception`, so
that neither ``except Exception`` in a check nor hypothesis (which catches
``Exception`` to shrink a failure, and would re-run the hanging example to do
so) swallows it; the plugin turns it into an ``error`` row whose evidence says
``timed out after N s`` and where the check was.  If something swallows it
anyway, the timer fires again every :data:`GRACE` seconds until the phase ends.

The limit
---------
``--exactscreen-timeout SECONDS`` (pytest; ``exactscreen check --timeout``),
else the ``exactscreen_timeout`` ini option, else :data:`DEFAULT_TIMEOUT` for
the ``ci`` profile, scaled by ``max_examples / CI_EXAMPLES`` when the active
hypothesis profile runs more examples (``deep``: x125).  ``0`` switches the
limit off.

Where it does not apply: platforms without ``SIGALRM`` (Windows), a pytest run
outside the main thread (signals reach the main thread only), and code stuck
inside one call of a C extension that never returns to Python (the handler
runs between Python bytecodes).  Each pytest-xdist worker runs its checks in
its own main thread, so the limit works under ``exactscreen check --workers N``.
"""

from __future__ import annotations

import signal
import threading
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

__all__ = ["DEFAULT_TIMEOUT", "GRACE", "CheckTimeout", "wall_clock_limit", "default_limit", "available"]

#: Seconds per phase of a check in the ``ci`` profile: about 10x the slowest built-in
#: check (about 60 s on a loaded 2-core machine; 15-25 s on an idle one).
DEFAULT_TIMEOUT = 600.0
#: Seconds between repeated alarms once the limit has passed (if the first was swallowed).
GRACE = 1.0


class CheckTimeout(BaseException):
    """A check ran past its wall-clock limit (raised by the ``SIGALRM`` handler)."""

    def __init__(self, seconds: float, phase: str) -> None:
        super().__init__(f"timed out after {seconds:g} s ({phase})")
        self.seconds = seconds
        self.phase = phase
        #: ``"function (file:line)"`` of the innermost frame when the alarm fired
        self.where = ""

    def describe(self) -> str:
        """One evidence line (without the ``error:`` label)."""
        text = f"timed out after {self.seconds:g} s (the per-check limit: exactscreen check --timeout, pytest --exactscreen-timeout)"
        return f"{text}; it was in {self.where}" if self.where else text


def available() -> bool:
    """Whether a limit can be armed here (``SIGALRM`` exists and this is the main thread)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def default_limit(max_examples: int | None) -> float:
    """:data:`DEFAULT_TIMEOUT`, scaled up for profiles with more examples than ``ci``."""
    from ..testing import CI_EXAMPLES

    scale = max(1.0, (max_examples or CI_EXAMPLES) / CI_EXAMPLES)
    return DEFAULT_TIMEOUT * scale


_PACKAGE = Path(__file__).resolve().parents[1]


def _ours(filename: str) -> bool:
    path = Path(filename)
    return path.name.startswith("test_") or _PACKAGE in path.resolve().parents


def _where(frame) -> str:
    """The innermost frame in exactscreen or in a check module (else the innermost one)."""
    stack = traceback.extract_stack(frame, limit=200) if frame is not None else []
    if not stack:
        return ""
    pick = next((f for f in reversed(stack) if _ours(f.filename)), stack[-1])
    return f"{pick.name} ({Path(pick.filename).name}:{pick.lineno})"


@contextmanager
def wall_clock_limit(seconds: float | None, phase: str = "call") -> Iterator[None]:
    """Raise :class:`CheckTimeout` in this (main) thread once ``seconds`` have passed.

    Does nothing when ``seconds`` is falsy or :func:`available` is false.  The
    previous ``SIGALRM`` handler and timer are restored afterwards.
    """
    if not seconds or seconds <= 0 or not available():
        yield
        return

    def expired(signum, frame) -> None:
        signal.setitimer(signal.ITIMER_REAL, GRACE)  # again, in case this one is swallowed
        exc = CheckTimeout(seconds, phase)
        exc.where = _where(frame)
        raise exc

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expired)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:  # someone else's timer was running: give it its remaining time
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-3))
