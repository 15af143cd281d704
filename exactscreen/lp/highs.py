"""The HiGHS backend: the only module that imports highspy.

:func:`new_highs` is the one place a HiGHS instance is made: silent from birth.
:func:`new_model`, :func:`is_optimal`, :func:`basic_status` and
:func:`set_basis` are the small adapter the exact engines use (a model from
column- or row-wise arrays, the model status, the basis), so that highspy,
and numpy for its arrays, are imported here only and on first use.

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


# --------------------------------------------------------------------------
# Adapter: everything the package needs from highspy, so that this module is
# the only one that imports it (highspy and numpy are imported on first use).
# --------------------------------------------------------------------------
INF = float("inf")
"""HiGHS's infinite bound (``highspy.kHighsInf`` is IEEE infinity)."""


def new_model(
    *,
    cost,
    col_lower,
    col_upper,
    row_lower,
    row_upper,
    start,
    index,
    value,
    rowwise: bool = False,
    maximize: bool = True,
):
    """A silent ``Highs`` (:func:`new_highs`) holding the LP given by arrays.

    ``cost``, the bounds and ``value`` are float sequences (``INF`` /
    ``-INF`` for no bound), ``start`` and ``index`` integer sequences: the
    matrix column-wise (``start`` has one entry per column plus one) or, with
    ``rowwise``, row-wise.  Only a float hint is ever read back.
    """
    import highspy
    import numpy as np

    col_lower = np.asarray(col_lower, dtype=np.float64)
    row_lower = np.asarray(row_lower, dtype=np.float64)
    ncol, nrow = len(col_lower), len(row_lower)
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = nrow
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = col_lower
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = row_lower
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise if rowwise else highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = ncol
    lp.a_matrix_.num_row_ = nrow
    lp.a_matrix_.start_ = np.asarray(start, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=np.float64)
    h = new_highs()
    h.passModel(lp)
    return h


def is_optimal(status) -> bool:
    """Whether a model status (``h.getModelStatus()``) is HiGHS's "optimal"."""
    import highspy

    return status == highspy.HighsModelStatus.kOptimal


def basic_status():
    """HiGHS's basis status "basic" (compare with ``h.getBasis()``'s col/row statuses)."""
    import highspy

    return highspy.HighsBasisStatus.kBasic


def set_basis(h, col_basic, row_status) -> None:
    """Start ``h``'s simplex from a basis.

    ``col_basic``: per column, True if basic (else at its lower bound);
    ``row_status``: per row, ``"basic"``, ``"lower"`` or ``"upper"`` (the
    bound the nonbasic row sits at).
    """
    import highspy

    St = highspy.HighsBasisStatus
    by_name = {"basic": St.kBasic, "lower": St.kLower, "upper": St.kUpper}
    hb = highspy.HighsBasis()
    hb.col_status = [St.kBasic if b else St.kLower for b in col_basic]
    hb.row_status = [by_name[s] for s in row_status]
    hb.valid = True
    h.setBasis(hb)
