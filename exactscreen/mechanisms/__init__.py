"""Paper 000 (Haghpanah & Siegel, *Pareto improving segmentation*): mechanisms of a multi-product
monopolist, the optimum and its optimal face (:mod:`.optimum`, on the structured engine of
:mod:`.structured`), its independent certificate (:mod:`.certificate`) and segmentations
(:mod:`.segmentation`).
"""

from .._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".mechanism": ("Mechanism", "Range", "Welfare"),
        ".optimum": ("OptimalFace", "OptimalMechanism", "DeterministicOptimum",
            "PaymentPolytope", "mechanism_lp", "optimal_mechanism", "optimal_face",
            "optimal_deterministic", "payment_polytope", "SELECTION_RULES", "linear_functional",
            "functional_range", "payment_functional_range"),
        # the function is re-exported as sweep_markets: "sweep" is the module's own name
        ".sweep": ("Sweep", "SweepPiece", "sweep as sweep_markets", "line_market"),
        ".sweep_check": ("SweepCheck", "check_sweep"),
        ".structured": ("MechanismSolution", "MechanismFace", "solve_mechanism", "mechanism_face"),
        ".certificate": ("check_mechanism_certificate",),
        ".selected_check": ("SelectedCheck", "check_selected_mechanism"),
        ".segmentation": ("ParetoComparison", "SegmentationCheck", "DominationProof",
            "Improvement", "solve_selected", "pareto_compare", "check_segmentation",
            "dominating_market", "lemma4_market", "two_segment_improvement",
            "TwoTypeAnalysis", "two_type_analysis"),
    },
)
