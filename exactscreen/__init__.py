"""exactscreen: exact checks of screening, segmentation and persuasion theory.

The data flow is one way: numbers -> environment -> LP (:mod:`exactscreen.lp`)
-> mechanisms (:mod:`exactscreen.mechanisms`, paper 000) -> analyses
(:mod:`exactscreen.two_types`, paper 003; :mod:`exactscreen.persuasion`,
paper 004) -> referee (:mod:`exactscreen.claims`, :mod:`exactscreen.report`,
:mod:`exactscreen.hunt`) -> command line (:mod:`exactscreen.cli`).  See
docs/architecture.md.

The names below are the stable public API; each is imported on first use,
so ``import exactscreen`` is fast.
"""

from ._lazy import lazy_exports

__version__ = "0.1.0"

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".environment": ("OUTSIDE", "Environment", "Market", "load_toml", "loads_toml"),
        ".numbers": ("Certainty", "to_fraction"),
        ".exceptions": ("ExactscreenError", "InputError", "ExactNumberError", "LPError", "Infeasible",
                        "Unbounded", "NotCertified", "Undecided", "StatedObjectFails"),
        ".mechanisms.optimum": ("optimal_mechanism", "OptimalMechanism", "payment_polytope"),
        ".mechanisms.sweep": ("sweep as sweep_markets", "Sweep"),
        ".mechanisms.segmentation": ("two_type_analysis", "two_segment_improvement", "check_segmentation",
                                     "pareto_compare"),
        ".two_types.analysis": ("analyze as analyze_two_types", "TwoTypes"),
        ".persuasion.partitions": ("optimal_partition", "FiniteValues"),
        ".persuasion.entropy": ("entropy_bound",),
        ".claims": ("run_checks", "builtin_registry", "load_registry", "claim"),
    },
)
