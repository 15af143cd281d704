"""Paper 003 (Haghpanah & Siegel, *Screening two types*): the two-type analysis on a line of
markets (:mod:`.analysis`), parametric valuations (:mod:`.parametric`) and the applications of
Sec. 5 (:mod:`.applications`).
"""

from .._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".analysis": ("VIRTUAL", "Linear", "Envelope", "upper_envelope", "Menu",
            "DeterministicPiece", "LotterySet", "RandomPiece", "Corollary3", "TwoTypes", "analyze",
            "normalize_app_c", "hull", "top_of_diagonal", "lottery_vertices"),
        ".parametric": ("Param", "Cell", "parse_affine", "ParametricResult", "parametric_analysis"),
        ".applications": ("Bundling", "bundling", "bundle_name"),
        ".threshold_check": ("certify_two_types", "certified_envelope", "recompute", "Recomputed", "ThresholdCertificate"),
    },
)
