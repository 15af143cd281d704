"""Exact linear programming: the problem record, the exact simplex (:mod:`.exact`), sparse exact
solves (:mod:`.sparse`), the HiGHS backend (:mod:`.highs`, the only importer of highspy), the
float hint's scaling (:mod:`.float_hint`) and the independent certificate checker
(:mod:`.certificate`).
"""

from .._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".exact": ("LinearProgram", "LPResult", "LPError", "solve_lp", "SolveStats", "SolveTally",
            "Face", "face_lp", "single_point",),
        ".sparse": ("solve_sparse", "SingularMatrix",),
        ".float_hint": ("hint_exponent", "hint_float", "hint_floats",),
        ".certificate": ("CertificateCheck", "check_certificate", "check_farkas", "check_unbounded_ray",),
    },
)
