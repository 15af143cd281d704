"""Counterexample hunts: run a claim's property on many random instances, in parallel.

A *hunt* for a claim is registered with :func:`register_hunt` (or the
:func:`hunt` decorator):

``prop``
    The property.  Either ``prop(rng)`` taking a seeded :class:`random.Random`,
    drawing an instance itself, or — with ``strategy=`` a hypothesis strategy —
    ``prop(instance)``.  Returns ``None`` when the property holds and a
    *counterexample* object otherwise (typically the instance, e.g. an
    :class:`~exactscreen.environment.Environment`).
``shrink`` and ``refutes``
    ``shrink(cx)`` yields simpler candidates, simplest first;
    ``refutes(cx)`` says whether a candidate is still a counterexample.  The
    greedy minimizer (:func:`minimize`) keeps the first candidate that still
    refutes until none does.  :func:`shrink_environment` is a ready shrinker
    for environments.  (With a strategy, hypothesis shrinks too.)
``to_toml``
    Writes the counterexample as TOML; :func:`environment_to_toml` writes an
    environment (and optional market) in the format of
    :mod:`exactscreen.environment`, loadable by
    :func:`~exactscreen.environment.load_toml` and ``exactscreen solve``.

:func:`run_hunt` cuts the search into *batches*: batch ``i`` draws its
instances from a seed derived from ``(seed, claim, i)`` alone
(:func:`batch_seed`), so the instances do not depend on who runs the batch.
Batches go to an :class:`Executor` — :class:`InProcess`,
:class:`LocalProcesses` (``concurrent.futures.ProcessPoolExecutor``) or
:class:`DaskCluster` (``dask.distributed.Client``) — and the answer is the
counterexample of the *lowest-numbered* batch that has one (not the first to
arrive), minimized deterministically: the same seed gives the same result
with 1, 2 or 20 workers, as long as it is found within the budget.

Modules: :mod:`.registry` (hunts and their registration), :mod:`.run`
(batches and :func:`run_hunt`), :mod:`.executors` (in-process, local
processes, Dask), :mod:`.shrinking` (minimizing counterexamples),
:mod:`.output` (TOML and the counterexample file), :mod:`.boundary` (where along a line of
markets the claim starts failing, for counterexamples that are an environment and a market).
"""

from .._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".registry": ("Hunt", "HuntError", "describe_counterexample", "register_hunt", "hunt", "get_hunt", "registered_hunts",),
        ".run": ("BatchResult", "HuntResult", "batch_seed", "run_batch", "run_hunt",),
        ".executors": ("Executor", "InProcess", "LocalProcesses", "DaskCluster", "make_executor",),
        ".shrinking": ("minimize", "shrink_environment",),
        ".output": ("environment_to_toml", "write_counterexample", "counterexample_path", "counterexample_text",
                    "boundary_toml", "read_boundary",),
        ".boundary": ("market_boundary",),
    },
)
