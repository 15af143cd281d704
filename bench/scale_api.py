"""The API under test of :mod:`bench.scale` (``exactscreen.mechanisms.structured``), or the labelled shim that
stands in for it while it does not import.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable



SHIM = "SHIM (mechanism_lp + lp.solve_lp + check_certificate)"
FACE_SHIM = "SHIM (optimal_mechanism(face=True, binding=False))"


# ============================================================================
# The API under test, or the shim
# ============================================================================
@dataclass
class ShimSolution:
    """Stand-in for ``exactscreen.mechanisms.structured``'s solution object (same attributes)."""

    result: Any
    check: Any
    timings: dict
    rounds: int | None = None
    ic_rows: int | None = None
    stats: Any = None  # SolveTally of the generic solve


@dataclass
class ShimFace:
    unique: bool
    payments: tuple
    surpluses: tuple
    method: str
    lps: int
    stats: Any = None  # SolveTally of optimal_mechanism's LPs


def shim_solve_mechanism(env, market) -> ShimSolution:
    """The old path: full ``mechanism_lp``, ``solve_lp`` (HiGHS hint + exact), generic checker."""
    from exactscreen.lp.certificate import check_certificate
    from exactscreen.lp.exact import SolveTally, solve_lp
    from exactscreen.mechanisms.optimum import mechanism_lp

    t0 = time.perf_counter()
    lp = mechanism_lp(env, market)
    t1 = time.perf_counter()
    res = solve_lp(lp)
    t2 = time.perf_counter()
    chk = check_certificate(lp, res.x, res.y_eq, res.y_ub, res.objective)
    t3 = time.perf_counter()
    timings = {"build": t1 - t0, "highs": None, "exact": t2 - t1, "check": t3 - t2, "total": t3 - t0}
    return ShimSolution(res, chk, timings, rounds=None, ic_rows=env.n * (env.n - 1),
                        stats=SolveTally.of([res.stats]))


def shim_mechanism_face(env, market, sol) -> ShimFace:
    from exactscreen.mechanisms.optimum import optimal_mechanism

    om = optimal_mechanism(env, market, face=True, binding=False)
    fc = om.face
    return ShimFace(fc.unique, fc.payment, fc.surplus, f"shim:{om.method}", om.lp_solves, om.stats)


@dataclass
class API:
    solve: Callable
    face: Callable
    solve_name: str
    face_name: str
    why: str = ""

    @property
    def is_shim(self) -> bool:
        return self.solve_name != "exactscreen.mechanisms.structured" or self.face_name != "exactscreen.mechanisms.structured"


_API_CACHE: dict[str, API] = {}


def load_api(mode: str = "auto") -> API:
    """``exactscreen.mechanisms.structured`` if importable (``mode`` ``auto`` or ``scaled``), else the shim.

    ``mode="scaled"`` raises if the module is missing; ``mode="shim"`` forces the shim.
    Each function falls back on its own, and the names say which one runs.
    """
    if mode in _API_CACHE:
        return _API_CACHE[mode]
    solve, face, why = shim_solve_mechanism, shim_mechanism_face, "forced by --api shim" if mode == "shim" else ""
    solve_name, face_name = SHIM, FACE_SHIM
    if mode != "shim":
        try:
            import exactscreen.mechanisms.structured as scaled
        except Exception as exc:  # noqa: BLE001 - a half-written module must not stop the bench
            if mode == "scaled":
                raise
            why = f"{type(exc).__name__}: {exc}"
        else:
            if hasattr(scaled, "solve_mechanism"):
                solve, solve_name = scaled.solve_mechanism, "exactscreen.mechanisms.structured"
            if hasattr(scaled, "mechanism_face"):
                face, face_name = scaled.mechanism_face, "exactscreen.mechanisms.structured"
            if mode == "scaled" and (solve_name != "exactscreen.mechanisms.structured" or face_name != "exactscreen.mechanisms.structured"):
                raise ImportError("exactscreen.mechanisms.structured lacks solve_mechanism or mechanism_face")
            if solve_name != "exactscreen.mechanisms.structured" or face_name != "exactscreen.mechanisms.structured":
                why = "exactscreen.mechanisms.structured lacks " + " and ".join(
                    f for f, nm in (("solve_mechanism", solve_name), ("mechanism_face", face_name))
                    if nm != "exactscreen.mechanisms.structured")
    api = API(solve, face, solve_name, face_name, why)
    _API_CACHE[mode] = api
    return api
