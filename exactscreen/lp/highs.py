"""The one place a HiGHS instance is made: silent from birth.

HiGHS (highspy >= 1.16) prints a banner on standard output when its first
``Highs`` object of a process is constructed, before any option such as
``output_flag`` can be set.  The project's standard output is the project's
alone (``--json``, ``check --format json`` ... are parsed by programs), so
:func:`new_highs` constructs the object with file descriptor 1 pointed at
``/dev/null`` (C-level ``stdout`` flushed before it is restored, so nothing
buffered by HiGHS reaches the real stdout later) and switches logging off
before handing it out.  HiGHS only ever gives a float *hint*; nothing it
prints or returns decides a result.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading

_lock = threading.Lock()
_libc = None


def _flush_c_stdout() -> None:
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None)
        _libc.fflush(None)
    except (OSError, AttributeError):  # pragma: no cover - no C library to flush
        pass


def new_highs():
    """A ``highspy.Highs`` with ``output_flag`` off; its banner never reaches stdout."""
    import highspy

    with _lock:
        try:
            sys.stdout.flush()
        except (AttributeError, ValueError, OSError):  # closed or replaced stdout
            pass
        try:
            saved = os.dup(1)
        except OSError:  # no fd 1 at all: nothing to protect
            saved = None
        if saved is None:
            h = highspy.Highs()
        else:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                try:
                    h = highspy.Highs()
                finally:
                    _flush_c_stdout()
                    os.dup2(saved, 1)
            finally:
                os.close(devnull)
                os.close(saved)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h
