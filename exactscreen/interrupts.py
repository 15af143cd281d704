"""Ctrl-C and SIGTERM for the ``exactscreen`` command.

Both end a command the same way: Python raises :class:`KeyboardInterrupt`
for SIGINT, and :func:`sigterm_raises` makes SIGTERM raise
:class:`Terminated` (a subclass), so ``finally`` blocks run (worker
processes are stopped, temporary directories removed) and code that already
handles Ctrl-C (pytest, hypothesis, the hunts) handles SIGTERM too.  The
command line (:mod:`exactscreen.cli.main`) turns either into one line on stderr
and the shell's exit status for the signal: 130 (SIGINT) or 143 (SIGTERM).
Commands add what the user needs to know to that line with
``exc.add_note(...)`` (e.g. "the previous report in DIR is untouched").

:func:`deferred_signals` holds both signals back while a few file renames
complete, so a report directory is never left half old, half new.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["Terminated", "exit_status", "signal_name", "sigterm_raises", "deferred_signals"]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread while :func:`sigterm_raises` is active."""


def exit_status(exc: BaseException) -> int:
    """128 + the signal number: 143 for :class:`Terminated`, 130 for any other interrupt."""
    return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)


def signal_name(exc: BaseException) -> str:
    return "SIGTERM" if isinstance(exc, Terminated) else "SIGINT"


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """While active, SIGTERM raises :class:`Terminated` in the main thread."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block is done, then deliver the first one.

    For short critical sections (renaming files into place).  The handlers are
    swapped rather than the signal mask changed: a process-directed signal
    may be delivered to any thread, and Python runs its handler in the main
    thread whichever one received it.
    """
    if not _main_thread():
        yield
        return
    pending: list[int] = []

    def remember(signum: int, frame: object) -> None:
        pending.append(signum)

    previous = {s: signal.signal(s, remember) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            signal.raise_signal(pending[0])  # now handled by the restored handler
