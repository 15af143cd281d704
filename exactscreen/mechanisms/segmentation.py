"""Pareto improving segmentation (Haghpanah & Siegel, *Pareto improving
segmentation of multi-product markets*, Secs. 3.1, 4 and App. A.1).

Definitions (Sec. 3.1), with ``CS(t, f)`` the surplus of type ``t`` in the
selected optimal mechanism for market ``f`` (:mod:`exactscreen.mechanisms.optimum`):

* ``f'`` *weakly Pareto dominates* ``f`` if ``supp f' ⊆ supp f`` and
  ``CS(t, f') >= CS(t, f)`` for every ``t`` in ``supp f'``; it *Pareto
  dominates* if, in addition, some inequality is strict.
* A segmentation ``f = sum_i w_i f_i`` is *Pareto improving* if every segment
  weakly Pareto dominates ``f``, some segment Pareto dominates ``f``, and the
  seller's revenue strictly increases: ``sum_i w_i R(f_i) > R(f)``.

Algorithms:

* :func:`dominating_market` runs the constructive proof of Proposition 2
  (Sec. 4.1.2 and Lemma 4 of App. A.1) on an inefficient market: the type
  ``t`` with an inefficient allocation, the set ``S`` grown along binding IC
  constraints, the path ``S̄`` ending in a zero-surplus type, the mechanisms
  ``M1``, ``M2``, ``M*``, the type ``t'``, the thresholds ``δ_j`` of Lemma 4
  and a full-support market on ``S̄ ∪ {t'}`` for which ``M*`` is the unique
  optimum.  Every intermediate object is returned, and the result is
  verified with the exact engine.
* :func:`two_segment_improvement` is Step 2 / Theorem 1: if the optimal
  payment rule is unique, split ``f = ε f* + (1 − ε) f''`` with an explicit
  ``ε`` (Lemma 2, computed from the vertices of the payment polytope ``P``
  when it is small enough, otherwise by exact halving) and verify that the
  segmentation is Pareto improving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

from ..exceptions import Infeasible, InputError, NotCertified, StatedObjectFails
from ..environment import OUTSIDE, Environment, Market
from .mechanism import Mechanism, Welfare
from ..numbers import fmt
from .optimum import OptimalMechanism, optimal_mechanism, payment_polytope
from .segmentation_check import CHECKED_BY as _CONSTRUCTION_CHECKED_BY
from .segmentation_check import check_domination_construction, check_pareto_improving_segmentation

__all__ = [
    "ParetoComparison",
    "SegmentationCheck",
    "DominationProof",
    "Improvement",
    "solve_selected",
    "pareto_compare",
    "check_segmentation",
    "dominating_market",
    "lemma4_market",
    "certify_domination_proof",
    "two_segment_improvement",
    "TwoTypeAnalysis",
    "two_type_analysis",
]

ZERO = Fraction(0)


def solve_selected(env: Environment, market: Market, selection: str = "support-value") -> OptimalMechanism:
    """The selected optimal mechanism with its optimal face (payments only, no binding sets)."""
    return optimal_mechanism(env, market, face=True, binding=False, selection=selection)


# ----------------------------------------------------------------------------
# Pareto relations
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ParetoComparison:
    """``CS`` of each type of the new market, before (old market) and after."""

    new: Market
    old: Market
    cs_old: dict[str, Fraction]
    cs_new: dict[str, Fraction]
    subset: bool

    @property
    def weakly_dominates(self) -> bool:
        return self.subset and all(self.cs_new[t] >= self.cs_old[t] for t in self.cs_new)

    @property
    def dominates(self) -> bool:
        return self.weakly_dominates and any(self.cs_new[t] > self.cs_old[t] for t in self.cs_new)

    def __repr__(self) -> str:
        rows = ", ".join(f"{t}: {fmt(self.cs_old[t])} -> {fmt(self.cs_new[t])}" for t in self.cs_new)
        verdict = "dominates" if self.dominates else "weakly dominates" if self.weakly_dominates else "does not dominate"
        return f"ParetoComparison({self.new!r} {verdict} {self.old!r}; CS {rows})"


def pareto_compare(
    env: Environment,
    new: Market,
    old: Market,
    *,
    selection: str = "support-value",
    solved: dict | None = None,
) -> ParetoComparison:
    """Compare ``CS(t, new)`` with ``CS(t, old)`` for the types of ``new`` (Sec. 3.1)."""
    cache = solved if solved is not None else {}

    def cs(m: Market) -> tuple[Fraction, ...]:
        if m.weights not in cache:
            cache[m.weights] = optimal_mechanism(env, m, face=False, selection=selection)
        return cache[m.weights].mechanism.surpluses

    support = new.support
    subset = set(support) <= set(old.support)
    before, after = cs(old), cs(new)
    idx = [env.type_index(t) for t in support]
    return ParetoComparison(
        new, old, {env.types[i]: before[i] for i in idx}, {env.types[i]: after[i] for i in idx}, subset
    )


@dataclass(frozen=True)
class SegmentationCheck:
    """Exact verdict on a segmentation ``f = sum_i w_i f_i`` (Sec. 3.1)."""

    market: Market
    segments: tuple[tuple[Fraction, Market], ...]
    comparisons: tuple[ParetoComparison, ...]
    revenue_before: Fraction
    revenue_after: Fraction
    #: the independent checker that re-decided the verdict from the mechanisms
    #: (:mod:`exactscreen.mechanisms.segmentation_check`); it agreed, else NotCertified was raised
    certified_by: str = ""
    #: welfare of the selected optimal mechanism of the unsegmented market
    welfare_before: Welfare | None = None
    #: welfare after segmentation: each type's surplus averaged over the segments it is in
    #: (``sum_k w_k f_k(t) u_k(t) / f(t)``), totals ``sum_k w_k (.)_k``
    welfare_after: Welfare | None = None

    @property
    def every_segment_weakly_dominates(self) -> bool:
        return all(c.weakly_dominates for c in self.comparisons)

    @property
    def some_segment_dominates(self) -> bool:
        return any(c.dominates for c in self.comparisons)

    @property
    def revenue_increases(self) -> bool:
        return self.revenue_after > self.revenue_before

    @property
    def pareto_improving(self) -> bool:
        return self.every_segment_weakly_dominates and self.some_segment_dominates and self.revenue_increases

    def __repr__(self) -> str:
        segs = " + ".join(f"{fmt(w)}·{m!r}" for w, m in self.segments)
        return (
            f"SegmentationCheck({segs}: pareto_improving={self.pareto_improving}, revenue "
            f"{fmt(self.revenue_before)} -> {fmt(self.revenue_after)})"
        )

    def _repr_html_(self) -> str:
        """Jupyter: the segments (weights and markets by type name), each type's consumer surplus
        before and after in every segment, revenue, welfare and the verdict (Sec. 3.1)."""
        from .. import notebook as nb

        types = self.market.environment.types
        header = ["segment", "weight", *(f"f({t})" for t in types), *(f"CS({t}): before → after" for t in types),
                  "Pareto"]
        rows = []
        for k, ((w, m), c) in enumerate(zip(self.segments, self.comparisons), start=1):
            cs = [nb.Html(f"{nb.num(c.cs_old[t])} → {nb.num(c.cs_new[t])}") if t in c.cs_new else nb.Html("—")
                  for t in types]
            verdict = "dominates" if c.dominates else "weakly dominates" if c.weakly_dominates else "does not dominate"
            rows.append([f"{k}", w, *m.weights, *cs, verdict])
        facts = [("revenue before", self.revenue_before), ("revenue after", self.revenue_after),
                 ("every segment weakly dominates", "yes" if self.every_segment_weakly_dominates else "no"),
                 ("some segment dominates", "yes" if self.some_segment_dominates else "no"),
                 ("revenue increases", "yes" if self.revenue_increases else "no"),
                 ("Pareto improving", "yes" if self.pareto_improving else "no")]
        if self.certified_by:
            facts.append(("verdict re-decided by", self.certified_by))
        parts = [nb.table(header, rows), nb.kv_table(facts)]
        for label, wel in (("Welfare before", self.welfare_before), ("Welfare after (averaged over segments)",
                                                                      self.welfare_after)):
            if wel is not None:
                parts.append(nb.Html(f"<p><em>{label}</em></p>{wel._repr_html_()}"))
        verdict = "Pareto improving" if self.pareto_improving else "not Pareto improving"
        return nb.block(f"Segmentation of {self.market!r}: {verdict}", *parts)


def check_segmentation(
    env: Environment,
    market: Market,
    segments: Sequence[tuple[object, Market]],
    *,
    selection: str = "support-value",
) -> SegmentationCheck:
    """Solve every segment exactly and decide whether the segmentation is Pareto improving.

    Raises :class:`InputError` if the weights are not positive and summing to
    one or a segment is a market of another environment (a malformed
    segmentation), and :class:`StatedObjectFails` (an ``InputError``) if the
    segments do not average to ``market``: a stated segmentation that is not one
    of ``market``, which a claim check reports as ``refuted``.
    """
    from ..numbers import to_fraction

    segs = []
    for k, (w, m) in enumerate(segments):
        wf = to_fraction(w, f"segments[{k}].weight")
        if wf <= 0:
            raise InputError(f"segments[{k}].weight: {wf} must be positive")
        if m.environment != env:
            raise InputError(f"segments[{k}]: market of a different environment")
        segs.append((wf, m))
    if sum(w for w, _ in segs) != 1:
        raise InputError("segments: weights must sum to 1")
    avg = tuple(sum((w * m.weights[i] for w, m in segs), ZERO) for i in range(env.n))
    if avg != market.weights:
        raise StatedObjectFails(
            "segments: they average to ("
            + ", ".join(fmt(v) for v in avg)
            + f"), not to the market {market!r}"
        )
    cache: dict = {}
    comps = tuple(pareto_compare(env, m, market, selection=selection, solved=cache) for _, m in segs)
    before = cache[market.weights].revenue
    after = sum((w * cache[m.weights].revenue for w, m in segs), ZERO)
    out = SegmentationCheck(
        market, tuple(segs), comps, before, after, _CONSTRUCTION_CHECKED_BY,
        cache[market.weights].welfare,
        _segmented_welfare(market, cache[market.weights], [(w, cache[m.weights]) for w, m in segs]),
    )
    indep = check_pareto_improving_segmentation(
        env, _weights(market), _raw(cache[market.weights].mechanism),
        [(w, _weights(m), _raw(cache[m.weights].mechanism)) for w, m in segs],
    )
    if indep.ok != out.pareto_improving:
        raise NotCertified(
            f"segmentation of {market!r}: the engine says pareto_improving={out.pareto_improving}, the "
            f"independent check ({_CONSTRUCTION_CHECKED_BY}) says {indep.ok}: {indep}"
        )
    return out


def _segmented_welfare(
    market: Market, unsegmented: OptimalMechanism, solved: Sequence[tuple[Fraction, OptimalMechanism]]
) -> Welfare:
    """Welfare of a segmentation: totals are the segments' totals weighted by ``w_k``; a type's
    surplus is its average over the segments, weighted by ``w_k f_k(t) / f(t)``."""
    per = [(w, r.welfare) for w, r in solved]
    surplus = []
    for i, f in enumerate(market.weights):
        if f:
            surplus.append(sum((w * wel.weights[i] * wel.surplus[i] for w, wel in per), ZERO) / f)
        else:  # in no segment: the unsegmented market's value
            surplus.append(unsegmented.mechanism.surplus(i))

    def total(attr: str) -> Fraction:
        return sum((w * getattr(wel, attr) for w, wel in per), ZERO)

    return Welfare(market.environment.types, market.weights, tuple(surplus), total("consumer_surplus"),
                   total("revenue"), total("efficient_surplus"))


def _weights(m: Market) -> dict[str, Fraction]:
    return dict(zip(m.environment.types, m.weights))


def _raw(m: Mechanism, names: Sequence[str] | None = None) -> dict[str, tuple[tuple[Fraction, ...], Fraction]]:
    """A mechanism as raw data for :mod:`exactscreen.mechanisms.segmentation_check`."""
    env = m.environment
    return {t: (m.allocation[i], m.payments[i]) for i, t in enumerate(env.types) if names is None or t in names}


# ----------------------------------------------------------------------------
# Proposition 2: constructing an efficient Pareto dominating market
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DominationProof:
    """The run of the proof of Proposition 2 on one market (Sec. 4.1.2, App. A.1).

    Attributes
    ----------
    start : the type ``t`` assigned an inefficient alternative (after the
        paper's "without loss of generality" step: the last inefficient type
        on the path)
    S : types reached from the first chosen type along binding IC constraints
        (in order of discovery), up to the first zero-surplus type
    path : ``S̄``, the binding IC path from ``start`` to a zero-surplus type
    M : the selected optimal mechanism for the market
    M1, M2, Mstar : the paper's modified mechanisms (``M2`` and ``M*`` on the
        restricted environment)
    t_prime : the type ``t'`` that strictly prefers ``t``'s option in ``M1``
    restricted : the environment with types ``[t', *path]`` in Lemma 4's order
    deltas : Lemma 4's thresholds ``δ_j`` (``None`` = no constraint), one per
        type of ``restricted`` after the first
    market : the dominating market (on the full environment)
    unique_in_restricted : ``M*`` is the unique optimum of ``market`` there
    comparison : ``market`` against the original market
    """

    start: str
    S: tuple[str, ...]
    path: tuple[str, ...]
    M: Mechanism = field(repr=False)
    M1: Mechanism = field(repr=False)
    t_prime: str
    M2: Mechanism = field(repr=False)
    Mstar: Mechanism = field(repr=False)
    restricted: Environment = field(repr=False)
    deltas: tuple[Fraction | None, ...]
    market: Market
    unique_in_restricted: bool
    comparison: ParetoComparison = field(repr=False)
    #: the independent checker of the construction against Sec. 4.1.2 and Lemma 4
    #: (:func:`exactscreen.mechanisms.segmentation_check.check_domination_construction`);
    #: it passed, else :class:`NotCertified` was raised
    certified_by: str = ""

    @property
    def verified(self) -> bool:
        """M* is the unique optimum in the restricted environment, efficient, and the market dominates."""
        return self.unique_in_restricted and self.comparison.dominates and self.Mstar.is_efficient(
            Market.uniform(self.restricted)
        )

    def explain(self) -> str:
        lines = [
            f"start type t = {self.start} (inefficient: gets {self.M.option(self.M.environment.type_index(self.start))})",
            f"S (binding IC reach) = {{{', '.join(self.S)}}}",
            f"binding path S̄ = {' → '.join(self.path)} (last type has zero surplus)",
            f"M1: {self.start} gets its efficient alternative, surplus kept; "
            f"{self.t_prime} strictly prefers {self.start}'s option (t' = {self.t_prime})",
            f"M*: on types {', '.join(self.restricted.types)}, efficient",
            "Lemma 4 thresholds δ_j: " + ", ".join("∞" if d is None else fmt(d) for d in self.deltas),
            f"dominating market: {self.market!r}",
            f"M* unique optimum there: {self.unique_in_restricted}; {self.comparison!r}",
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter: the steps of the proof of Proposition 2 (Sec. 4.1.2, Lemma 4) by type name."""
        from .. import notebook as nb

        facts = [
            ("start type t (inefficient)", self.start),
            ("S (binding IC reach)", nb.names(self.S)),
            ("binding path S̄", nb.names(self.path, " → ")),
            ("t' (strictly prefers t's option in M1)", self.t_prime),
            ("restricted environment's types", nb.names(self.restricted.types)),
            ("Lemma 4 thresholds δ_j", nb.Html(", ".join("∞" if d is None else nb.num(d) for d in self.deltas))),
            ("M* unique optimum in the restricted environment", "yes" if self.unique_in_restricted else "no"),
            ("dominating market dominates", "yes" if self.comparison.dominates else "no"),
            ("verified", "yes" if self.verified else "no"),
        ]
        return nb.block("Proposition 2: an efficient Pareto dominating market", nb.kv_table(facts),
                        nb.Html(f"<p><em>dominating market</em></p>{self.market._repr_html_()}"),
                        nb.Html(f"<p><em>M*</em></p>{self.Mstar._repr_html_()}"))

    def __repr__(self) -> str:
        deltas = ", ".join("None" if d is None else fmt(d) for d in self.deltas)
        return (f"DominationProof(start={self.start!r}, S={self.S}, path={self.path}, t_prime={self.t_prime!r}, "
                f"deltas=({deltas}), market={self.market!r}, unique_in_restricted={self.unique_in_restricted})")


def _with_option(m: Mechanism, i: int, alloc: tuple[Fraction, ...], pay: Fraction) -> Mechanism:
    allocation = list(m.allocation)
    payments = list(m.payments)
    allocation[i], payments[i] = alloc, pay
    return Mechanism(m.environment, tuple(allocation), tuple(payments))


def _efficient_alloc(env: Environment, i: int) -> tuple[Fraction, ...]:
    best = env.efficient_alternatives(env.types[i])
    if len(best) != 1:
        raise InputError(
            f"type {env.types[i]} has several efficient alternatives ({', '.join(best)}); "
            "the construction assumes a unique efficient alternative (paper 000, Sec. 3 and fn 18)"
        )
    row = [ZERO] * (env.k + 1)
    row[env.k if best[0] == OUTSIDE else env.alternative_index(best[0])] = Fraction(1)
    return tuple(row)


def _restrict(m: Mechanism, env: Environment, names: Sequence[str]) -> Mechanism:
    idx = [m.environment.type_index(t) for t in names]
    return Mechanism(env, tuple(m.allocation[i] for i in idx), tuple(m.payments[i] for i in idx))


def lemma4_market(env: Environment, mech: Mechanism) -> tuple[tuple[Fraction | None, ...], Market]:
    """Lemma 4: thresholds ``δ_j`` and a full-support market making ``mech`` the unique optimum.

    ``env.types`` must be in the lemma's order ``t_1, ..., t_n`` (IC from each
    ``t_j`` to ``t_{j+1}`` binds, IR of ``t_n`` binds, ``mech`` efficient).
    ``δ_j`` is the supremum of the ratios ``F(t_{j-1})/F(t_j)`` for which the
    efficient alternative of ``t_j`` is the unique maximizer of
    ``v(t_j, a) F(t_j) − v(t_{j-1}, a) F(t_{j-1})`` (proof of Lemma 4):
    ``min`` over alternatives ``a`` (outside option included) with
    ``d_a = v(t_{j-1}, ā) − v(t_{j-1}, a) > 0`` of ``g_a / d_a``, where
    ``g_a = v(t_j, ā) − v(t_j, a) > 0``.  The market uses the ratio
    ``min(1/2, δ_j/2)``, strictly inside.
    """
    n = env.n
    net = env.net_values
    deltas: list[Fraction | None] = []
    for j in range(1, n):
        a_bar = _efficient_alloc(env, j).index(Fraction(1))

        def val(t: int, a: int) -> Fraction:
            return ZERO if a == env.k else net[t][a]

        bound: Fraction | None = None
        for a in range(env.k + 1):
            if a == a_bar:
                continue
            g = val(j, a_bar) - val(j, a)
            d = val(j - 1, a_bar) - val(j - 1, a)
            if d > 0:
                r = g / d
                bound = r if bound is None else min(bound, r)
        deltas.append(bound)
    F = [Fraction(1)]
    for d in deltas:
        ratio = Fraction(1, 2) if d is None else min(Fraction(1, 2), d / 2)
        F.append(F[-1] / ratio)
    f = [F[0]] + [F[j] - F[j - 1] for j in range(1, n)]
    total = sum(f, ZERO)
    return tuple(deltas), Market(env, tuple(x / total for x in f))


def dominating_market(
    env: Environment,
    market: Market,
    *,
    start: str | None = None,
    t_prime: str | None = None,
    selection: str = "support-value",
    optimum: OptimalMechanism | None = None,
) -> DominationProof:
    """Run the proof of Proposition 2 on an inefficient ``market``; see :class:`DominationProof`.

    ``start`` chooses the inefficient type to begin with and ``t_prime`` the
    type ``t'`` among those that strictly prefer ``t``'s option in ``M1``
    (default: the first of each in input order); the proof allows any choice.
    ``optimum``: the already solved optimal mechanism of ``market`` (saves re-solving).

    Raises :class:`InputError` if the market is efficient (then no market
    Pareto dominates it: the "only if" direction) or if ``start`` is not a
    type with an inefficient allocation.
    """
    if optimum is None or optimum.market != market or optimum.selection != selection:
        optimum = optimal_mechanism(env, market, face=False, selection=selection)
    M = optimum.mechanism
    support = list(market.support)
    sidx = [env.type_index(t) for t in support]
    inefficient = [env.types[i] for i in sidx if not M.is_efficient_for(i)]
    if not inefficient:
        raise InputError(
            f"market {market!r} is efficient: by Proposition 2 (only if) no market Pareto dominates it"
        )
    if start is None:
        start = inefficient[0]
    elif start not in inefficient:
        raise InputError(
            f"start: {start!r} is not a type of the market with an inefficient allocation; "
            f"choose one of {', '.join(inefficient)}"
        )
    # Grow S along binding IC constraints (types of the market only: the paper
    # takes a full-support market without loss of generality).
    s0 = env.type_index(start)
    parent: dict[int, int | None] = {s0: None}
    order = [s0]
    end = s0 if M.surplus(s0) == 0 else None
    frontier = [s0]
    # breadth-first: every round adds at least one new type of the market, so at most
    # len(support) rounds
    for _round in range(len(sidx) + 1):
        if end is not None or not frontier:
            break
        if _round == len(sidx):
            raise NotCertified(f"Proposition 2 path search: more than {len(sidx)} rounds "
                               f"(bound: one new type of the {len(sidx)}-type market per round)")
        nxt = []
        for i in frontier:
            own = M.surplus(i)
            for j in sidx:
                if j not in parent and M.surplus(i, j) == own:
                    parent[j] = i
                    order.append(j)
                    nxt.append(j)
                    if M.surplus(j) == 0:
                        end = j
                        break
            if end is not None:
                break
        frontier = nxt
    if end is None:  # pragma: no cover - contradicts optimality (Sec. 4.1.2)
        raise RuntimeError("no binding IC path to a zero-surplus type: the mechanism is not optimal")
    path = [end]
    for _ in range(len(parent)):  # a tree on len(parent) types: at most that many steps to s0
        if parent[path[-1]] is None:
            break
        path.append(parent[path[-1]])  # type: ignore[arg-type]
    else:
        raise NotCertified(f"Proposition 2 path search: the parent links do not reach {start!r} "
                           f"in {len(parent)} steps (bound: a tree on {len(parent)} types)")
    path.reverse()
    # WLOG: the last inefficient type of the path is the start.
    last_bad = max(k for k, i in enumerate(path) if not M.is_efficient_for(i))
    path = path[last_bad:]
    t = path[0]
    # M1: t gets its efficient alternative at a payment keeping its surplus.
    eff = _efficient_alloc(env, t)
    gain = sum((q * v for q, v in zip(eff, (*env.net_values[t], ZERO))), ZERO) - M.value(t, t)
    M1 = _with_option(M, t, eff, M.payments[t] + gain)
    candidates = [j for j in sidx if j != t and M1.surplus(j, t) > M1.surplus(j)]
    if not candidates:  # pragma: no cover - contradicts optimality (Sec. 4.1.2)
        raise RuntimeError("M1 is IC: the original mechanism was not optimal")
    if t_prime is None:
        tp = candidates[0]
    else:
        tp = env.type_index(t_prime)
        if tp not in candidates:
            raise InputError(
                f"t_prime: {t_prime!r} does not strictly prefer {env.types[t]}'s modified option; "
                f"choose one of {', '.join(env.types[j] for j in candidates)}"
            )
    if tp in path:  # pragma: no cover - the paper shows t' is not in S̄
        raise RuntimeError("t' lies on the path, contradicting Sec. 4.1.2")
    names = [env.types[tp]] + [env.types[i] for i in path]
    restricted = env.restrict(names)
    M2full = _with_option(M1, tp, M1.allocation[t], M1.payments[t])
    M2 = _restrict(M2full, restricted, names)
    Mstar = M2
    if not M2.is_efficient_for(0):
        e = _efficient_alloc(restricted, 0)
        g = sum((q * v for q, v in zip(e, (*restricted.net_values[0], ZERO))), ZERO) - M2.value(0, 0)
        Mstar = _with_option(M2, 0, e, M2.payments[0] + g)
    deltas, rmarket = lemma4_market(restricted, Mstar)
    check = optimal_mechanism(restricted, rmarket, face=True, binding=False, selection=selection)
    unique = bool(check.face.unique) and check.mechanism == Mstar
    weights = [ZERO] * env.n
    for name, w in zip(names, rmarket.weights):
        weights[env.type_index(name)] = w
    full = Market(env, tuple(weights))
    comparison = pareto_compare(env, full, market, selection=selection)
    proof = DominationProof(
        env.types[t],
        tuple(env.types[i] for i in order),
        tuple(env.types[i] for i in path),
        M, M1, env.types[tp], M2, Mstar, restricted, deltas, full, unique, comparison,
        _CONSTRUCTION_CHECKED_BY,
    )
    certify_domination_proof(env, market, proof)
    return proof


def certify_domination_proof(env: Environment, market: Market, proof: DominationProof) -> None:
    """Re-check ``proof`` with the independent checker
    (:func:`~exactscreen.mechanisms.segmentation_check.check_domination_construction`);
    raises :class:`NotCertified` naming every violated condition."""
    chk = check_domination_construction(
        env, _weights(market),
        S=proof.S, path=proof.path, t_prime=proof.t_prime,
        M=_raw(proof.M), M1=_raw(proof.M1), M2=_raw(proof.M2), Mstar=_raw(proof.Mstar),
        dominating=_weights(proof.market),
        reported_cs_old=proof.comparison.cs_old, reported_cs_new=proof.comparison.cs_new,
    )
    if not chk.ok:
        raise NotCertified(f"Proposition 2 construction on {market!r} fails its independent check: {chk}")
    if not (proof.unique_in_restricted and proof.comparison.dominates):
        raise NotCertified(
            f"Proposition 2 construction on {market!r}: the independent check certifies M* unique and the "
            f"market dominating, the engine says unique={proof.unique_in_restricted}, "
            f"dominates={proof.comparison.dominates} (engine disagreement)"
        )


# ----------------------------------------------------------------------------
# Step 2 and Theorem 1: a two-segment Pareto improving segmentation
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Improvement:
    """Outcome of :func:`two_segment_improvement`.

    ``improvable`` is True (with a verified segmentation), False (the market
    is efficient: Observation 1) or None (the construction does not apply,
    with ``reason``).
    """

    market: Market
    efficient: bool
    improvable: bool | None
    reason: str
    proof: DominationProof | None = field(default=None, repr=False)
    epsilon: Fraction | None = None
    epsilon_method: str = ""
    check: SegmentationCheck | None = field(default=None, repr=False)

    @property
    def verified(self) -> bool:
        return bool(self.check is not None and self.check.pareto_improving)

    def __repr__(self) -> str:
        eps = "" if self.epsilon is None else f", epsilon={fmt(self.epsilon)}"
        how = f", epsilon_method={self.epsilon_method!r}" if self.epsilon_method else ""
        return (f"Improvement(market={self.market!r}, efficient={self.efficient}, improvable={self.improvable}, "
                f"reason={self.reason!r}{eps}{how})")

    def _repr_html_(self) -> str:
        """Jupyter: the decision (Theorem 1's two-segment construction) with its segmentation."""
        from .. import notebook as nb

        answer = {True: "improvable", False: "not improvable", None: "construction does not apply"}[self.improvable]
        facts = [("answer", answer), ("efficient market", "yes" if self.efficient else "no"),
                 ("reason", self.reason), ("verified", "yes" if self.verified else "no")]
        if self.epsilon is not None:
            facts.append(("ε", self.epsilon))
            if self.epsilon_method:
                facts.append(("ε from", self.epsilon_method))
        parts = [nb.kv_table(facts)]
        if self.check is not None:
            parts.append(nb.Html(self.check._repr_html_()))
        return nb.block(f"Pareto improvement of {self.market!r}: {answer}", *parts)


def _lemma2_eta(env: Environment, market: Market, res: OptimalMechanism, max_types: int) -> Fraction | None:
    """Lemma 2 made explicit: markets within ``η`` of ``f`` (same support) keep the optimal set.

    With ``p`` the optimal payment rule and ``P_V`` the vertices of ``P``:
    for every vertex ``p'`` that differs from ``p`` on the market's types,
    ``E_f[p − p'] > 0``; a market ``f'`` with ``|f' − f| <= η`` keeps
    ``E_{f'}[p − p'] > 0`` whenever ``η · Σ_t |p(t) − p'(t)| < E_f[p − p']``.
    Returns the largest such (strict) ``η``, halved, or None if ``P`` is
    too large to enumerate.
    """
    if env.n > max_types:
        return None
    poly = payment_polytope(env)
    supp = [env.type_index(t) for t in market.support]
    p = res.mechanism.payments
    best: Fraction | None = None
    for v in poly.vertices:
        if all(v[i] == p[i] for i in supp):
            continue
        gap = sum((market.weights[i] * (p[i] - v[i]) for i in supp), ZERO)
        spread = sum((abs(p[i] - v[i]) for i in supp), ZERO)
        if gap <= 0:  # pragma: no cover - p would not be uniquely optimal
            raise RuntimeError("a vertex of P does as well as the unique optimal payment rule")
        r = gap / spread
        best = r if best is None else min(best, r)
    return None if best is None else best / 2


def two_segment_improvement(
    env: Environment,
    market: Market,
    *,
    start: str | None = None,
    t_prime: str | None = None,
    selection: str = "support-value",
    max_polytope_types: int = 3,
    ties: bool = False,
) -> Improvement:
    """Theorem 1's construction: ``f = ε f* + (1 − ε) f''`` with ``f*`` from Proposition 2.

    Requires a unique optimal payment rule (fn 14) unless ``ties=True``: then
    the same split is tried at a market with several optimal payment rules,
    with ``ε`` found by exact halving (Lemma 2 does not apply there; success
    depends on the side of the tie that ``f''`` falls on, so pick ``start``
    and ``t_prime``).  Whatever is returned as improvable is verified exactly
    (both segments re-solved, Pareto comparison checked).
    """
    res = solve_selected(env, market, selection)
    if res.efficient:
        return Improvement(market, True, False, "efficient market: not Pareto improvable (Observation 1)")
    unique = res.face.payment_rule_unique
    if not unique and not ties:
        return Improvement(
            market, False, None,
            "several optimal payment rules (the market lies on a hyperplane of Lemma 3); "
            "Theorem 1's perturbation step does not apply",
        )
    proof = dominating_market(env, market, start=start, t_prime=t_prime, selection=selection, optimum=res)
    fstar = proof.market
    # ε must keep f'' = (f − ε f*)/(1 − ε) a market: ε <= min f/f* on supp f*.
    cap = min(market.weights[i] / fstar.weights[i] for i in range(env.n) if fstar.weights[i] > 0)
    spread = max(abs(a - b) for a, b in zip(market.weights, fstar.weights))
    eta = _lemma2_eta(env, market, res, max_polytope_types) if unique else None
    tries: list[tuple[Fraction, str]] = []
    if eta is not None:
        # |f'' − f| = ε/(1 − ε)·|f − f*| <= η  <=>  ε <= η/(η + spread)
        eps = min(eta / (eta + spread), cap / 2)
        tries.append((eps, "Lemma 2 bound from the vertices of P"))
    else:
        eps = cap / 2
        for _ in range(40):
            tries.append((eps, "exact halving (P too large to enumerate)"))
            eps /= 2
    for eps, method in tries:
        rest = tuple((a - eps * b) / (1 - eps) for a, b in zip(market.weights, fstar.weights))
        fsec = Market(env, rest)
        check = check_segmentation(env, market, [(eps, fstar), (1 - eps, fsec)], selection=selection)
        if check.pareto_improving:
            return Improvement(market, False, True, "Theorem 1 construction", proof, eps, method, check)
    return Improvement(  # with a unique payment rule Lemma 2 guarantees success
        market, False, None, "no ε tried gave a Pareto improving segmentation", proof, None, "", None
    )


# ----------------------------------------------------------------------------
# Lemma 3: the hyperplanes of markets with several optimal payment rules
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Hyperplane:
    """``sum_t coef(t) f(t) = 0`` from two vertices ``p, p'`` of ``P`` optimal together."""

    coefficients: tuple[Fraction, ...]
    vertices: tuple[tuple[Fraction, ...], tuple[Fraction, ...]]
    witness: tuple[Fraction, ...]  # a market on the hyperplane where both are optimal

    def contains(self, market: Market) -> bool:
        return sum((c * f for c, f in zip(self.coefficients, market.weights)), ZERO) == 0

    def equation(self, names: Sequence[str]) -> str:
        terms = []
        for c, t in zip(self.coefficients, names):
            if c:
                terms.append(f"{'+' if c > 0 else '-'} {fmt(abs(c)) + ' ' if abs(c) != 1 else ''}f({t})")
        s = " ".join(terms).lstrip("+ ").strip()
        return (s if not s.startswith("- ") else "-" + s[2:]) + " = 0"


def genericity_hyperplanes(env: Environment, max_types: int = 4) -> tuple[Hyperplane, ...]:
    """Lemma 3: for each pair of vertices ``p ≠ p'`` of ``P`` that are optimal together for
    some market, the hyperplane ``sum_t f(t)(p(t) − p'(t)) = 0``.

    "Optimal together" is decided by an exact LP: is there a market ``f`` with
    ``f.p = f.p' >= f.v`` for every vertex ``v``?  Coefficients are scaled to
    coprime integers with a positive first non-zero entry.
    """
    from math import gcd

    from ..lp.exact import LinearProgram, solve_lp

    if env.n > max_types:
        raise InputError(f"genericity hyperplanes: more than {max_types} types; raise max_types")
    verts = payment_polytope(env).vertices
    out: dict[tuple, Hyperplane] = {}
    n = env.n
    one = Fraction(1)
    for a in range(len(verts)):
        for b in range(a + 1, len(verts)):
            p, q = verts[a], verts[b]
            diff = [x - y for x, y in zip(p, q)]
            A_eq = (tuple((i, one) for i in range(n)), tuple((i, d) for i, d in enumerate(diff) if d))
            A_ub = tuple(
                tuple((i, v[i] - p[i]) for i in range(n) if v[i] != p[i]) for v in verts if v not in (p, q)
            )
            lp = LinearProgram(
                tuple([ZERO] * n), A_eq, (one, ZERO), A_ub, tuple([ZERO] * len(A_ub))
            )
            try:
                w = solve_lp(lp).x
            except Infeasible:  # no hyperplane through p and q separates the rest (zero objective: never unbounded)
                continue
            den = 1
            for d in diff:
                den = den * d.denominator // gcd(den, d.denominator)
            ints = [int(d * den) for d in diff]
            g = 0
            for v in ints:
                g = gcd(g, abs(v))
            ints = [v // g for v in ints]
            if next(v for v in ints if v) < 0:
                ints = [-v for v in ints]
            key = tuple(ints)
            if key not in out:
                out[key] = Hyperplane(tuple(Fraction(v) for v in ints), (p, q), w)
    return tuple(out[k] for k in sorted(out))


# ----------------------------------------------------------------------------
# Two-type environments, decided completely (Sec. 3.1.1, App. A.4)
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class MarketPiece:
    """Markets ``q = f(second type)`` in an interval with one selected optimal mechanism."""

    lo: Fraction
    hi: Fraction
    lo_closed: bool
    hi_closed: bool
    mechanism: Mechanism = field(repr=False)
    cs: tuple[Fraction, Fraction]
    efficient: bool
    payment_rule_unique: bool

    def contains(self, q: Fraction) -> bool:
        return (self.lo < q < self.hi) or (q == self.lo and self.lo_closed) or (q == self.hi and self.hi_closed)

    def interval(self) -> str:
        if self.lo == self.hi:
            return f"{{{fmt(self.lo)}}}"
        return f"{'[' if self.lo_closed else '('}{fmt(self.lo)}, {fmt(self.hi)}{']' if self.hi_closed else ')'}"

    def __repr__(self) -> str:
        return (
            f"MarketPiece(q in {self.interval()}: "
            + ", ".join(f"{t} gets {self.mechanism.option(i)} for {fmt(p)}" for i, (t, p) in enumerate(zip(self.mechanism.environment.types, self.mechanism.payments)))
            + f"; CS of the pair {fmt(self.cs[0])}, {fmt(self.cs[1])}; {'efficient' if self.efficient else 'inefficient'})"
        )


@dataclass(frozen=True)
class TwoTypeAnalysis:
    """All markets of a two-type environment: pieces of constant selected mechanism,
    breakpoints, and which markets are Pareto improvable by two segments."""

    environment: Environment = field(repr=False)
    pieces: tuple[MarketPiece, ...]
    breakpoints: tuple[Fraction, ...]
    ties: tuple[Fraction, ...] = ()  # markets in (0, 1) with several optimal payment rules
    pair: tuple[str, str] = ()  # the two types spanning the line of markets

    def average_cs(self, q: Fraction) -> Fraction:
        """Average consumer surplus ``(1 − q) CS(t1, q) + q CS(t2, q)``."""
        cs = self.piece(Fraction(q)).cs
        return (1 - q) * cs[0] + q * cs[1]

    def representatives(self, q: Fraction) -> list[Fraction]:
        """Markets other than ``q`` that stand for every market of the line: each piece's
        closed endpoints and one interior point, and in ``q``'s own piece one interior
        point on each side of ``q`` (CS and the optimal set are constant on a piece)."""
        out: set[Fraction] = set()
        for p in self.pieces:
            out |= {x for x in (p.lo, p.hi) if p.contains(x)}
            if p.lo < p.hi:
                if p.lo < q < p.hi:
                    out |= {(p.lo + q) / 2, (q + p.hi) / 2}
                else:
                    out.add((p.lo + p.hi) / 2)
        out.discard(q)
        return sorted(out)

    def side_without_weak_dominance(self, q: Fraction) -> str | None:
        """``"left"``/``"right"`` if no market on that side of ``q`` weakly Pareto dominates ``q``.

        Every non-trivial segmentation of ``q`` has a segment on each side, so
        then no segmentation is Pareto improving.  CS is constant on a piece, so
        one point per piece (plus its closed endpoints) decides.
        """
        q = Fraction(q)
        cs_q = self.piece(q).cs
        sides = {"left": False, "right": False}
        for x in self.representatives(q):
            cs_x = self.piece(x).cs
            present = [i for i, w in enumerate((1 - x, x)) if w > 0]
            if all(cs_x[i] >= cs_q[i] for i in present):
                sides["left" if x < q else "right"] = True
        for side in ("left", "right"):
            if not sides[side]:
                return side
        return None

    def every_segmentation_lowers_average_cs(self, q: Fraction) -> bool:
        """Does *every* non-trivial segmentation of ``q`` strictly lower the average
        consumer surplus ``g(q) = (1 − q) CS(t1, q) + q CS(t2, q)``?  (fn 12)

        In one dimension any segmentation is a mixture of two-point ones
        ``q1 < q < q2`` (and mass at ``q``).  A split lowers ``g`` iff
        ``R(q2) < L(q1)`` with ``R(x) = (g(x) − g(q))/(x − q)`` and
        ``L(x) = (g(q) − g(x))/(q − x)``.  So every split lowers ``g`` iff
        ``sup R < inf L``, or they are equal and not both attained.  On a piece
        ``g(x) = A + B x`` is linear, hence ``R(x) = B + c/(x − q)`` and
        ``L(x) = B − c/(q − x)`` with ``c = A + B q − g(q)``: monotone, so the
        extremes sit at piece endpoints (limits at open ends, ±∞ next to ``q``).
        """
        q = Fraction(q)
        if not 0 < q < 1:
            return True  # a single-type market has no non-trivial segmentation
        gq = self.average_cs(q)
        INF = None  # marker for +infinity (sup side) / -infinity (inf side)

        def better(cur, cand, bigger: bool):
            if cur is None:
                return cand
            (cv, ca), (nv, na) = cur, cand
            if cv is INF:
                return cur
            if nv is INF:
                return cand
            if nv == cv:
                return (cv, ca or na)
            return cand if (nv > cv) == bigger else cur

        sup_r = inf_l = None
        for p in self.pieces:
            A, B = p.cs[0], p.cs[1] - p.cs[0]
            c = A + B * q - gq
            # right side: x in p, x > q
            lo, hi = max(p.lo, q), p.hi
            if hi > q:
                lo_in = p.contains(lo) and lo > q
                hi_in = p.contains(hi)
                if c == 0:
                    cand = (B, True)
                elif c > 0:  # R decreasing: sup at the left end
                    cand = (INF, False) if lo == q else (B + c / (lo - q), lo_in)
                else:  # R increasing: sup at the right end
                    cand = (B + c / (hi - q), hi_in)
                sup_r = better(sup_r, cand, True)
            # left side: x in p, x < q
            lo, hi = p.lo, min(p.hi, q)
            if lo < q:
                lo_in = p.contains(lo)
                hi_in = p.contains(hi) and hi < q
                if c == 0:
                    cand = (B, True)
                elif c > 0:  # L = B - c/(q-x) decreasing in x: inf at the right end
                    cand = (INF, False) if hi == q else (B - c / (q - hi), hi_in)
                else:  # L increasing in x: inf at the left end
                    cand = (B - c / (q - lo), lo_in)
                inf_l = better(inf_l, cand, False)
        (rv, ra), (lv, la) = sup_r, inf_l
        if rv is INF or lv is INF:
            return False
        return rv < lv or (rv == lv and not (ra and la))

    def piece(self, q: Fraction) -> MarketPiece:
        for p in self.pieces:
            if p.contains(q):
                return p
        raise InputError(f"q = {q} is not in [0, 1]")  # pragma: no cover

    def market(self, q: Fraction) -> Market:
        """The market ``(1 − q) δ_a + q δ_b`` on the pair ``(a, b)``."""
        env = self.environment
        w = [ZERO] * env.n
        w[env.type_index(self.pair[0])] += 1 - q
        w[env.type_index(self.pair[1])] += q
        return Market(env, tuple(w))

    def improvable_by_two_segments(self, q: Fraction, selection: str = "support-value") -> SegmentationCheck | None:
        """A verified Pareto improving segmentation ``{q1, q2}`` of ``q`` with ``q1 < q < q2``, or None.

        Exhaustive and exact: CS and the optimal set are constant on each piece
        (revenue is convex in q, fn 9), so one representative point per piece
        (its closed endpoints, and an interior point on the correct side of
        ``q``) decides every pair of pieces.
        """
        q = Fraction(q)
        if q <= 0 or q >= 1:
            return None
        reps = self.representatives(q)
        left = [x for x in reps if x < q]
        right = [x for x in reps if x > q]
        base = self.market(q)
        for q1 in sorted(left, reverse=True):
            for q2 in sorted(right):
                w = (q2 - q) / (q2 - q1)
                chk = check_segmentation(
                    self.environment, base, [(w, self.market(q1)), (1 - w, self.market(q2))], selection=selection
                )
                if chk.pareto_improving:
                    return chk
        return None

    def _repr_html_(self) -> str:
        """Jupyter: the line of markets ``(1 − q) δ_a + q δ_b`` as pieces (Sec. 3.1.1): per piece the
        selected optimal mechanism by type name, the pair's consumer surplus and efficiency."""
        from .. import notebook as nb

        a, b = self.pair
        header = ["q", "selected mechanism", f"CS({a})", f"CS({b})", "efficient", "payment rule unique"]
        rows = []
        for p in self.pieces:
            m = p.mechanism
            menu = nb.Html("<br>".join(f"{nb.esc(t)}: {nb.esc(m.option(i))} for {nb.num(m.payments[i])}"
                                       for i, t in enumerate(m.environment.types)))
            rows.append([p.interval(), menu, p.cs[0], p.cs[1], "yes" if p.efficient else "no",
                         "yes" if p.payment_rule_unique else "no"])
        facts = [("breakpoints", nb.Html(", ".join(nb.num(x) for x in self.breakpoints) or "none")),
                 ("ties (several optimal payment rules)", nb.Html(", ".join(nb.num(x) for x in self.ties) or "none"))]
        return nb.block(f"Two-type markets: q = probability of {b} (against {a})", nb.table(header, rows),
                        nb.kv_table(facts))

    def __repr__(self) -> str:
        pieces = ", ".join(repr(p) for p in self.pieces)
        return (f"TwoTypeAnalysis(pair={self.pair}, pieces=({pieces}), "
                f"breakpoints=({', '.join(fmt(x) for x in self.breakpoints)}), "
                f"ties=({', '.join(fmt(x) for x in self.ties)}))")


def two_type_analysis(
    env: Environment, pair: tuple[str, str] | None = None, selection: str = "support-value"
) -> TwoTypeAnalysis:
    """Split the markets ``(1 − q) δ_a + q δ_b``, ``q ∈ [0, 1]``, into pieces.

    Without ``pair`` the environment must have two types and ``q`` is the
    probability of the second one (the paper's notation in Sec. 3.1.1).  With
    ``pair = (a, b)`` the line of markets between two types of a larger
    environment is analysed *in that environment* (the other types have
    probability 0, and CS is that of the selected mechanism there).

    Breakpoints are where the upper envelope of the lines
    ``q ↦ (1 − q) p(a) + q p(b)`` over the vertices ``p`` of ``P`` changes
    (exact intersections); each open interval and each breakpoint is solved
    by the engine, and adjacent parts with the same selected mechanism are merged.
    """
    if pair is None:
        if env.n != 2:
            raise InputError(f"two_type_analysis: the environment has {env.n} types, not 2; give pair=(a, b)")
        pair = (env.types[0], env.types[1])
    ia, ib = env.type_index(pair[0]), env.type_index(pair[1])
    if ia == ib:
        raise InputError("two_type_analysis: the pair must name two different types")
    verts = payment_polytope(env).vertices
    cands = {ZERO, Fraction(1)}
    for a in range(len(verts)):
        for b in range(a + 1, len(verts)):
            # (1-q) pa(a) + q pa(b) = (1-q) pb(a) + q pb(b)
            d0 = verts[a][ia] - verts[b][ia]
            d1 = verts[a][ib] - verts[b][ib]
            if d0 != d1:
                q = d0 / (d0 - d1)
                if 0 < q < 1:
                    cands.add(q)
    points = sorted(cands)

    def solve(q: Fraction):
        w = [ZERO] * env.n
        w[ia], w[ib] = 1 - q, q
        return solve_selected(env, Market(env, tuple(w)), selection)

    def cs(r) -> tuple[Fraction, Fraction]:
        return (r.mechanism.surplus(ia), r.mechanism.surplus(ib))

    parts: list[MarketPiece] = []
    for i, q in enumerate(points):
        r = solve(q)
        parts.append(MarketPiece(q, q, True, True, r.mechanism, cs(r), r.efficient, r.face.payment_rule_unique))  # type: ignore[arg-type]
        if i + 1 < len(points):
            mid = (q + points[i + 1]) / 2
            r = solve(mid)
            parts.append(MarketPiece(q, points[i + 1], False, False, r.mechanism, cs(r), r.efficient, r.face.payment_rule_unique))  # type: ignore[arg-type]
    merged: list[MarketPiece] = []
    for p in parts:
        if merged and merged[-1].mechanism == p.mechanism and merged[-1].efficient == p.efficient:
            m = merged[-1]
            merged[-1] = MarketPiece(
                m.lo, p.hi, m.lo_closed, p.hi_closed, m.mechanism, m.cs, m.efficient,
                m.payment_rule_unique and p.payment_rule_unique,
            )
        else:
            merged.append(p)
    breaks = tuple(p.lo for p in merged[1:])
    ties = tuple(p.lo for p in parts if p.lo == p.hi and not p.payment_rule_unique and 0 < p.lo < 1)
    return TwoTypeAnalysis(env, tuple(merged), breaks, ties, (pair[0], pair[1]))


def decide_two_type(analysis: TwoTypeAnalysis, market: Market) -> Improvement | None:
    """Exact decision for a market on the line of ``analysis`` where Theorem 1's
    construction does not apply (ties), or None if undecided.

    * A verified two-segment Pareto improving split ⇒ improvable.
    * If every non-trivial segmentation strictly lowers average consumer
      surplus, no segmentation is Pareto improving (each type's surplus would
      weakly rise in every segment, so the average could not fall) ⇒ not improvable.
    """
    env = analysis.environment
    ia, ib = (env.type_index(t) for t in analysis.pair)
    if any(w for i, w in enumerate(market.weights) if i not in (ia, ib)):
        return None
    q = market.weights[ib]
    piece = analysis.piece(q)
    if piece.efficient:
        return Improvement(market, True, False, "efficient market: not Pareto improvable (Observation 1)")
    chk = analysis.improvable_by_two_segments(q)
    if chk is not None:
        return Improvement(market, False, True, "two-type analysis: exhaustive search over pairs of pieces", check=chk)
    side = analysis.side_without_weak_dominance(q)
    if side is not None:
        return Improvement(
            market, False, False,
            f"no market to the {side} of q = {fmt(q)} weakly Pareto dominates it, and every "
            "non-trivial segmentation has a segment on each side",
        )
    if analysis.every_segmentation_lowers_average_cs(q):
        return Improvement(
            market, False, False,
            "every non-trivial segmentation strictly lowers average consumer surplus (fn 12), "
            "so none is Pareto improving",
        )
    return None
