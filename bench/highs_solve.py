"""The float peer of ``bench.cli``: a whole-process HiGHS solve of a TOML file.

    python bench/highs_solve.py FILE.toml

Reads the same TOML that ``exactscreen solve FILE`` reads (paper 000, Sec. 3:
``[types.T]`` tables of values, optional ``[costs]``, ``[market]``; exact
numbers written as strings such as ``"3/4"``), builds the revenue LP of
paper 000, Sec. 3 in floating point with numpy, solves it with HiGHS
(highspy) and prints one JSON line::

    {"status": "Optimal", "objective": 1.25, "rows": ..., "cols": ..., "nnz": ...}

The LP is :func:`exactscreen.mechanisms.optimum.mechanism_lp`'s, column for column
(per type ``t``, in input order: ``x(t, a)`` for every alternative, then the
outside option ``x(t, 0)``, then ``p(t)``; every variable ``>= 0``)::

    maximize   sum_t f(t) p(t)                      (net values v - c, fn 5)
    subject to sum_{a incl. 0} x(t, a) = 1          (prob(t))
               -v(t, x(t)) + p(t) <= 0              (IR(t))
               -v(t, x(t)) + p(t) + v(t, x(t')) - p(t') <= 0   (IC(t -> t'))

It deliberately imports nothing from ``exactscreen`` (only the standard
library, numpy and highspy), so that its start-up is what a user of the
float solver pays.  HiGHS's banner (highspy >= 1.16 prints it on stdout when
the first ``Highs`` is constructed) is kept off stdout the way
``exactscreen.lp.highs.new_highs`` does it: fd 1 on ``/dev/null`` while
the object is constructed, C stdio flushed before it is restored.

Exit status: 0 with the JSON line; 2 (one line on stderr) on bad input or a
non-optimal HiGHS status.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import tomllib
from fractions import Fraction

import numpy as np


def _exact(value: object, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{where}: expected an exact number such as \"3/4\", got {value!r}")
    return Fraction(value)


def read_instance(path: str) -> tuple[np.ndarray, np.ndarray]:
    """``(net values v - c, n x k; market weights, n)`` in floats, from the TOML at ``path``.

    Each net value is rounded to a float once (``v - c`` taken on the parsed
    numbers), so the float LP is the float image of the exact one."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    types = data.get("types")
    if not isinstance(types, dict) or not types:
        raise ValueError("types: no [types.NAME] table")
    alts: list[str] = []
    for row in types.values():
        for a in row:
            if a not in alts:
                alts.append(a)
    costs = data.get("costs") or {}
    cost = [_exact(costs.get(a, "0"), f"costs.{a}") for a in alts]
    net = np.array([[float(_exact(row[a], f"types.{t}.{a}") - c) for a, c in zip(alts, cost)]
                    for t, row in types.items()])
    market = data.get("market")
    if not isinstance(market, dict):
        raise ValueError("market: the file has no [market] table")
    weights = np.array([float(_exact(market[t], f"market.{t}")) for t in types])
    return net, weights


def build_lp(net: np.ndarray, f: np.ndarray) -> dict:
    """The LP of the module docstring as row-wise (CSR) arrays; zero coefficients dropped."""
    n, k = net.shape
    width = k + 2
    cols = n * width
    xcol = np.arange(n)[:, None] * width + np.arange(k)[None, :]  # x(t, a), a real alternative
    pcol = np.arange(n) * width + k + 1
    c = np.zeros(cols)
    c[pcol] = f
    # equality rows: x(t, a) for a = 1..k and the outside option
    eq_index = (np.arange(n)[:, None] * width + np.arange(k + 1)[None, :]).ravel()
    eq_value = np.ones(n * (k + 1))
    eq_len = np.full(n, k + 1)
    # IR(t): -v_t . x_t + p_t
    ir_index = np.concatenate([xcol, pcol[:, None]], axis=1)
    ir_value = np.concatenate([-net, np.ones((n, 1))], axis=1)
    # IC(t -> s), s != t: -v_t . x_t + p_t + v_t . x_s - p_s
    t_idx, s_idx = np.nonzero(~np.eye(n, dtype=bool))
    ic_index = np.concatenate([xcol[t_idx], pcol[t_idx, None], xcol[s_idx], pcol[s_idx, None]], axis=1)
    ic_value = np.concatenate(
        [-net[t_idx], np.ones((len(t_idx), 1)), net[t_idx], -np.ones((len(t_idx), 1))], axis=1
    )
    # rows per type t: IR(t), then IC(t -> s) for s != t in order (mechanism_lp's order)
    ub_index = np.empty((n, n, 2 * k + 2), dtype=np.int64)
    ub_value = np.zeros((n, n, 2 * k + 2))
    ub_index[np.arange(n), 0, : k + 1] = ir_index
    ub_value[np.arange(n), 0, : k + 1] = ir_value
    slot = s_idx - (s_idx > t_idx) + 1  # position of IC(t -> s) among t's rows
    ub_index[t_idx, slot] = ic_index
    ub_value[t_idx, slot] = ic_value
    ub_index, ub_value = ub_index.reshape(n * n, -1), ub_value.reshape(n * n, -1)
    keep = ub_value != 0
    index = np.concatenate([eq_index, ub_index[keep]])
    value = np.concatenate([eq_value, ub_value[keep]])
    lengths = np.concatenate([eq_len, keep.sum(axis=1)])
    starts = np.concatenate([[0], np.cumsum(lengths)])
    rows = n + n * n
    return {
        "cols": cols, "rows": rows, "c": c,
        "row_lower": np.concatenate([np.ones(n), np.full(n * n, -np.inf)]),
        "row_upper": np.concatenate([np.ones(n), np.zeros(n * n)]),
        "start": starts.astype(np.int32), "index": index.astype(np.int32), "value": value,
    }


def _silent_highs():
    """A ``highspy.Highs`` whose construction banner never reaches stdout (see the docstring)."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        try:
            h = highspy.Highs()
        finally:
            try:
                ctypes.CDLL(None).fflush(None)
            except (OSError, AttributeError):  # pragma: no cover
                pass
            os.dup2(saved, 1)
    finally:
        os.close(devnull)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def solve(lp: dict) -> tuple[str, float]:
    """HiGHS's (status, optimal objective) of the LP of :func:`build_lp`."""
    import highspy

    inf = highspy.kHighsInf
    model = highspy.HighsLp()
    model.num_col_ = lp["cols"]
    model.num_row_ = lp["rows"]
    model.sense_ = highspy.ObjSense.kMaximize
    model.col_cost_ = lp["c"]
    model.col_lower_ = np.zeros(lp["cols"])
    model.col_upper_ = np.full(lp["cols"], inf)
    model.row_lower_ = np.where(np.isinf(lp["row_lower"]), -inf, lp["row_lower"])
    model.row_upper_ = lp["row_upper"]
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_ = lp["start"]
    model.a_matrix_.index_ = lp["index"]
    model.a_matrix_.value_ = lp["value"]
    model.a_matrix_.num_col_ = lp["cols"]
    model.a_matrix_.num_row_ = lp["rows"]
    h = _silent_highs()
    h.passModel(model)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    return status, float(h.getInfo().objective_function_value)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python bench/highs_solve.py FILE.toml", file=sys.stderr)
        return 2
    try:
        net, f = read_instance(argv[0])
    except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as exc:
        print(f"{argv[0]}: {exc}", file=sys.stderr)
        return 2
    lp = build_lp(net, f)
    status, objective = solve(lp)
    print(json.dumps({"status": status, "objective": objective, "rows": lp["rows"],
                      "cols": lp["cols"], "nnz": int(lp["start"][-1])}))
    return 0 if status == "Optimal" else 2


if __name__ == "__main__":
    sys.exit(main())
