"""Counterexample hunts: registered searches run over many processes or a Dask cluster
(:mod:`.search`).
"""

from .._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".search": ("Hunt", "HuntError", "BatchResult", "HuntResult", "register_hunt", "hunt",
            "get_hunt", "registered_hunts", "batch_seed", "run_batch", "run_hunt", "minimize",
            "shrink_environment", "environment_to_toml", "Executor", "InProcess", "LocalProcesses",
            "DaskCluster", "make_executor", "write_counterexample", "counterexample_path",
            "counterexample_text",),
    },
)
