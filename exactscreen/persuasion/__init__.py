"""Paper 004 (Bergemann, Heumann & Morris, *Screening with persuasion*): optimal finite partitions
(:mod:`.partitions`), the entropy bound E* (:mod:`.entropy`) and the single-item model
(:mod:`.singleitem`).
"""

from .._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".partitions": ("FiniteValues", "Inventory", "QuadraticCost", "PartitionMechanism",
            "virtual_values", "lemma1_condition", "complete_disclosure_prices",
            "complete_disclosure_profit", "direct_revenue", "cells_of", "pool",
            "assortative_revenue", "same_quantile_qualities", "lower_pooling_difference",
            "lower_pooling_difference_at_zero", "eq16_terms", "pooling_gain",
            "pooling_gain_top_pair", "condition14", "condition15", "condition35", "condition39",
            "condition40", "iron", "partition_mechanism", "optimal_partition",
            "complete_disclosure_optimum", "all_partitions", "information_lp", "screening_lp",
            "uniform_values"),
        ".entropy": ("hazard_map_expr", "fixed_point_expr", "hazard_map", "hazard_map_inverse",
            "successor_ok", "binary_entropy", "entropy_bits", "hazards", "constraints36",
            "critical_hazards", "critical_entropy", "geometric_entropy_expr",
            "geometric_entropy_series", "backward_phase_bounds", "limit_witnesses",
            "entropy_upper_bound", "feasible_witness", "EntropyBound", "entropy_bound",
            "arb_to_interval", "to_arb", "decimal_up", "fmt_lower", "compare"),
        ".singleitem": ("V", "Q", "PREC", "working_precision", "arb_function", "interval_arb",
            "arb_ball", "arb_interval", "Rule", "BnBResult", "branch_and_bound", "PolyDensity",
            "power_distribution", "linear_decreasing", "PolyCost", "SingleItem",
            "single_item_optimum", "certify_cells", "top_two_polynomials", "top_two_certificate",
            "TopTwoCertificate", "SignOracle", "single_item_profit", "linear_density_top_two",
            "linear_density_top_two_certificate", "linear_density_top_two_negative",
            "KAPPA_NEGATIVE_MIN", "InventoryPartition", "InventoryOptimum", "inventory_optimum",
            "ball_text"),
    },
)
