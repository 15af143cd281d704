"""Independent check of the Proposition 2 construction and of Pareto improving
segmentations (Haghpanah & Siegel, *Pareto improving segmentation of
multi-product markets*, Secs. 3, 3.1, 4.1.2 and App. A.1, Lemma 4).

:func:`exactscreen.mechanisms.segmentation.dominating_market` runs the proof of
Proposition 2 and :func:`~exactscreen.mechanisms.segmentation.check_segmentation`
decides whether a segmentation is Pareto improving.  This module re-checks
their *output* against the paper's definitions, from raw data only:

* a mechanism is a pair ``(allocation, payments)`` keyed by type names: one
  lottery per type with one probability per alternative (input order) and,
  last, the outside option ``0``; payments net of cost (fn 5);
* net values ``v(t, a) = value(t, a) − cost(a)`` are recomputed from the
  environment's gross ``values`` and ``costs`` (``v(t, 0) = 0``).

Definitions checked (Sec. 3): IC ``v(t, x(t)) − p(t) >= v(t, x(t')) − p(t')``
for all ``t, t'``; IR ``v(t, x(t)) − p(t) >= 0``; ``p >= 0``; a type's
efficient alternative ``ā(t)`` is its unique maximizer of ``v(t, a)`` over
``A ∪ {0}`` (Sec. 3 and fn 18); a mechanism is efficient for ``t`` if ``x(t)``
puts probability one on ``ā(t)``.  Weak / strict Pareto dominance and Pareto
improving segmentations as in Sec. 3.1.  The construction's objects as in
Sec. 4.1.2 (see :func:`check_domination_construction`).  The uniqueness of
``M*`` in the Lemma 4 market is certified by the argument of Lemma 4's proof
(App. A.1, Expression (1)), which needs no LP: with ``F`` the cumulative
market along the chain, if for every ``j`` the efficient alternative
``ā(t_j)`` is the *strict* unique maximizer of
``v(t_j, a) F(t_j) − v(t_{j−1}, a) F(t_{j−1})`` over ``A ∪ {0}``, and the
revenue of ``M*`` equals the maximum of Expression (1), then ``M*`` is the
unique optimal mechanism of that full-support market.

Independence: this module imports nothing from
:mod:`exactscreen.mechanisms.segmentation`, ``structured``, ``optimum``,
``mechanism`` or :mod:`exactscreen.lp`; it reads only the attributes
``types``, ``alternatives``, ``values`` and ``costs`` of an environment and
uses exact :class:`~fractions.Fraction` arithmetic.  Every loop runs over
the finitely many types, alternatives or segments given.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

__all__ = [
    "CHECKED_BY",
    "ConstructionCheck",
    "check_domination_construction",
    "check_pareto_improving_segmentation",
]

CHECKED_BY = "exactscreen.mechanisms.segmentation_check (independent of the construction)"

ZERO = Fraction(0)
ONE = Fraction(1)

#: a mechanism as raw data: type name -> (lottery over alternatives + outside option, payment)
RawMechanism = Mapping[str, tuple[Sequence[Fraction], Fraction]]


@dataclass(frozen=True)
class ConstructionCheck:
    """``ok`` iff ``failures`` is empty; each failure starts with the name of the
    violated condition (e.g. ``"path.end: ..."``), in checking order."""

    ok: bool
    failures: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.ok

    @property
    def reasons(self) -> tuple[str, ...]:
        """The names of the violated conditions (the text before the first ``:``)."""
        return tuple(f.split(":", 1)[0] for f in self.failures)

    def __str__(self) -> str:
        return "construction checked" if self.ok else "; ".join(self.failures)


class _Env:
    """Net values from the raw table of an environment (fn 5: ``v − c``; outside option 0)."""

    def __init__(self, env: object) -> None:
        self.types = tuple(env.types)  # type: ignore[attr-defined]
        self.alts = tuple(env.alternatives)  # type: ignore[attr-defined]
        self.k = len(self.alts)
        costs = [Fraction(c) for c in env.costs]  # type: ignore[attr-defined]
        self.net = {
            t: tuple(Fraction(v) - c for v, c in zip(row, costs)) + (ZERO,)
            for t, row in zip(self.types, env.values)  # type: ignore[attr-defined]
        }

    def v(self, t: str, lottery: Sequence[Fraction]) -> Fraction:
        """``v(t, x)`` for a lottery ``x`` over ``A ∪ {0}``."""
        return sum((q * w for q, w in zip(lottery, self.net[t])), ZERO)

    def efficient(self, t: str) -> int | None:
        """Index of the unique efficient alternative of ``t`` (``k`` = outside option), or None on a tie."""
        row = self.net[t]
        best = max(row)
        tops = [a for a, w in enumerate(row) if w == best]
        return tops[0] if len(tops) == 1 else None


def _surplus(E: _Env, M: RawMechanism, t: str, report: str | None = None) -> Fraction:
    x, p = M[report if report is not None else t]
    return E.v(t, x) - Fraction(p)


def _mechanism_failures(E: _Env, M: RawMechanism, types: Sequence[str], name: str) -> list[str]:
    """Shape, probabilities, ``p >= 0``, IR and IC among ``types`` (Sec. 3)."""
    out: list[str] = []
    for t in types:
        if t not in M:
            return [f"{name}.shape: no option for type {t}"]
        x, p = M[t]
        if len(x) != E.k + 1:
            return [f"{name}.shape: the lottery of {t} has {len(x)} entries, not {E.k + 1}"]
        if any(Fraction(q) < 0 for q in x) or sum((Fraction(q) for q in x), ZERO) != 1:
            out.append(f"{name}.lottery: x({t}) is not a probability distribution")
        if Fraction(p) < 0:
            out.append(f"{name}.payment: p({t}) = {p} < 0")
    if out:
        return out
    for t in types:
        own = _surplus(E, M, t)
        if own < 0:
            out.append(f"{name}.IR: type {t} has surplus {own} < 0")
        for s in types:
            if s != t and _surplus(E, M, t, s) > own:
                out.append(f"{name}.IC: type {t} gains {_surplus(E, M, t, s) - own} by reporting {s}")
    return out


def _is_efficient_for(E: _Env, M: RawMechanism, t: str) -> bool:
    a = E.efficient(t)
    return a is not None and Fraction(M[t][0][a]) == 1


def _point(E: _Env, a: int) -> tuple[Fraction, ...]:
    return tuple(ONE if j == a else ZERO for j in range(E.k + 1))


def _same(o1: tuple[Sequence[Fraction], Fraction], o2: tuple[Sequence[Fraction], Fraction]) -> bool:
    return tuple(Fraction(q) for q in o1[0]) == tuple(Fraction(q) for q in o2[0]) and Fraction(o1[1]) == Fraction(o2[1])


def check_domination_construction(
    env: object,
    market: Mapping[str, Fraction],
    *,
    S: Sequence[str],
    path: Sequence[str],
    t_prime: str,
    M: RawMechanism,
    M1: RawMechanism,
    M2: RawMechanism,
    Mstar: RawMechanism,
    dominating: Mapping[str, Fraction],
    reported_cs_old: Mapping[str, Fraction] | None = None,
    reported_cs_new: Mapping[str, Fraction] | None = None,
) -> ConstructionCheck:
    """Check one run of the proof of Proposition 2 (Sec. 4.1.2, App. A.1) against the definitions.

    ``market`` is ``f`` (type -> weight, every type of ``env``), ``M`` its
    optimal mechanism (on all types), ``S`` the types in the order the
    construction added them (``S[0]`` the inefficient type chosen first),
    ``path`` the path ``S̄`` after the "without loss of generality" step,
    ``M1`` on all types, ``M2`` and ``Mstar`` on ``[t_prime, *path]``,
    ``dominating`` the market ``f'`` (type -> weight, every type of ``env``).
    ``reported_cs_old`` / ``reported_cs_new``: the engine's ``CS(t, f)`` and
    ``CS(t, f')`` for the types of ``f'``, compared with ``M`` and ``M*``.

    Conditions, by name (all exact):

    * ``M``: IC, IR, ``p >= 0`` on all types (Sec. 3).
    * ``S.start``: ``S[0]`` is in ``supp f`` and inefficient in ``M``.
    * ``S.binding``: each later type of ``S`` is in ``supp f`` and some earlier
      type's IC constraint to it binds in ``M`` ("a directed path of types in
      ``S`` ... such that the IC constraint ... binds").
    * ``S.stops``: the last type of ``S`` and no other has zero surplus ("the
      construction of ``S`` stops when a type that has zero surplus is added").
    * ``path.in_S``, ``path.chain`` (IC from each type of ``S̄`` to the next
      binds in ``M``), ``path.end`` (the last type has zero surplus),
      ``path.start`` (the first type ``t`` is inefficient),
      ``path.only_inefficient`` (no other type of ``S̄`` is),
      ``path.payments`` (payments weakly decrease along ``S̄``).
    * ``M1``: ``M`` with ``t`` given ``ā(t)`` at a payment keeping its surplus;
      ``M1.not_IC``: ``t'`` strictly prefers ``t``'s option in ``M1``;
      ``t_prime``: ``t' ≠ t``, ``t' ∈ supp f``, ``t' ∉ S̄``.
    * ``M2``: on ``S̄ ∪ {t'}``, ``t'`` gets ``t``'s ``M1`` option, others their
      ``M1`` option; IC-IR there; ``M2.t_prime_gains``.
    * ``Mstar``: ``M2`` with ``t'`` given ``ā(t')`` at a payment keeping its
      surplus (unchanged if already efficient); IC-IR; ``Mstar.efficient``;
      ``Mstar.chain`` (Lemma 4's hypotheses: IC from each type of
      ``[t', *S̄]`` to the next and IR of the last bind).
    * ``market.support`` (``f'`` has full support on ``S̄ ∪ {t'}`` and none
      elsewhere, sums to 1), ``market.lemma4`` (the Expression (1)
      certificate of the module docstring: ``M*`` is the unique optimum of
      ``f'``), ``market.dominates`` (Sec. 3.1: ``supp f' ⊆ supp f``,
      ``CS(t, f') >= CS(t, f)`` on ``supp f'``, strictly for ``t'``),
      ``comparison`` (the reported surpluses are those of ``M`` and ``M*``).
    """
    E = _Env(env)
    fails: list[str] = []
    f = {t: Fraction(market[t]) for t in E.types}
    supp = {t for t in E.types if f[t] > 0}

    def need(cond: bool, msg: str) -> bool:
        if not cond:
            fails.append(msg)
        return cond

    m_fail = _mechanism_failures(E, M, E.types, "M")
    if m_fail:
        return ConstructionCheck(False, tuple(m_fail))
    cs = {t: _surplus(E, M, t) for t in E.types}

    # ---- S (Sec. 4.1.2, first paragraph of the construction)
    if not need(len(S) >= 1 and len(set(S)) == len(S) and all(t in E.types for t in S),
                f"S.shape: S = {tuple(S)} must list distinct types"):
        return ConstructionCheck(False, tuple(fails))
    need(S[0] in supp and not _is_efficient_for(E, M, S[0]),
         f"S.start: the first type {S[0]} of S must be in the market and inefficient in M")
    for j in range(1, len(S)):
        s = S[j]
        need(s in supp and any(_surplus(E, M, S[i], s) == cs[S[i]] for i in range(j)),
             f"S.binding: no earlier type of S has a binding IC constraint to {s}")
    zero = [t for t in S if cs[t] == 0]
    need(zero == [S[-1]], f"S.stops: zero-surplus types of S are {zero}, not only its last type {S[-1]}")

    # ---- S̄ (the binding IC path; "without loss of generality" step)
    if not need(len(path) >= 1 and len(set(path)) == len(path) and set(path) <= set(S),
                f"path.in_S: path {tuple(path)} must be distinct types of S"):
        return ConstructionCheck(False, tuple(fails))
    for a, b in zip(path, path[1:]):
        need(_surplus(E, M, a, b) == cs[a], f"path.chain: IC from {a} to {b} does not bind in M")
    need(cs[path[-1]] == 0, f"path.end: the last type {path[-1]} has surplus {cs[path[-1]]}, not 0")
    t = path[0]
    need(not _is_efficient_for(E, M, t), f"path.start: t = {t} is efficient in M")
    for s in path[1:]:
        need(_is_efficient_for(E, M, s), f"path.only_inefficient: {s} (after t on the path) is inefficient in M")
    for a, b in zip(path, path[1:]):
        need(Fraction(M[a][1]) >= Fraction(M[b][1]), f"path.payments: p({a}) < p({b}) in M")

    # ---- M1: t gets ā(t), surplus unchanged
    abar = E.efficient(t)
    if not need(abar is not None, f"M1.efficient: {t} has no unique efficient alternative (fn 18)"):
        return ConstructionCheck(False, tuple(fails))
    for s in E.types:
        if s != t:
            need(s in M1 and _same(M1[s], M[s]), f"M1.def: the option of {s} differs from M")
    need(tuple(Fraction(q) for q in M1[t][0]) == _point(E, abar), f"M1.def: {t} does not get ā({t})")
    need(_surplus(E, M1, t) == cs[t], f"M1.def: the surplus of {t} changes from {cs[t]}")
    # ---- t'
    need(t_prime in E.types and t_prime != t and t_prime in supp and t_prime not in path,
         f"t_prime: {t_prime} must be a type of the market other than t and off the path")
    if fails:
        return ConstructionCheck(False, tuple(fails))
    need(_surplus(E, M1, t_prime, t) > _surplus(E, M1, t_prime),
         f"M1.not_IC: {t_prime} does not strictly prefer {t}'s option in M1")

    # ---- M2 on S̄ ∪ {t'}
    R = [t_prime, *path]
    need(t_prime in M2 and _same(M2[t_prime], M1[t]), f"M2.def: {t_prime} does not get {t}'s M1 option")
    for s in path:
        need(s in M2 and _same(M2[s], M1[s]), f"M2.def: the option of {s} differs from M1")
    if fails:
        return ConstructionCheck(False, tuple(fails))
    fails += _mechanism_failures(E, M2, R, "M2")
    need(_surplus(E, M2, t_prime) > cs[t_prime], f"M2.t_prime_gains: {t_prime}'s surplus does not rise above {cs[t_prime]}")

    # ---- M*
    ap = E.efficient(t_prime)
    if not need(ap is not None, f"Mstar.efficient: {t_prime} has no unique efficient alternative (fn 18)"):
        return ConstructionCheck(False, tuple(fails))
    for s in path:
        need(s in Mstar and _same(Mstar[s], M2[s]), f"Mstar.def: the option of {s} differs from M2")
    if t_prime not in Mstar:
        return ConstructionCheck(False, (*fails, f"Mstar.shape: no option for {t_prime}"))
    if _is_efficient_for(E, M2, t_prime):
        need(_same(Mstar[t_prime], M2[t_prime]), f"Mstar.def: {t_prime} is efficient in M2 but its option changed")
    else:
        need(tuple(Fraction(q) for q in Mstar[t_prime][0]) == _point(E, ap), f"Mstar.def: {t_prime} does not get ā({t_prime})")
        need(_surplus(E, Mstar, t_prime) == _surplus(E, M2, t_prime), f"Mstar.def: the surplus of {t_prime} changes")
    ms = _mechanism_failures(E, Mstar, R, "Mstar")
    fails += ms
    if ms:
        return ConstructionCheck(False, tuple(fails))
    for s in R:
        need(_is_efficient_for(E, Mstar, s), f"Mstar.efficient: {s} does not get its efficient alternative")
    for a, b in zip(R, R[1:]):
        need(_surplus(E, Mstar, a, b) == _surplus(E, Mstar, a), f"Mstar.chain: IC from {a} to {b} does not bind")
    need(_surplus(E, Mstar, R[-1]) == 0, f"Mstar.chain: IR of {R[-1]} does not bind")

    # ---- the dominating market f'
    g = {t2: Fraction(dominating[t2]) for t2 in E.types}
    need(all(g[s] > 0 for s in R) and all(g[s] == 0 for s in E.types if s not in R) and sum(g.values()) == 1,
         f"market.support: f' must have full support on {R} only and sum to 1")
    if fails:
        return ConstructionCheck(False, tuple(fails))
    # Lemma 4 certificate (App. A.1, Expression (1)): F cumulative along R
    F, acc = [], ZERO
    for s in R:
        acc += g[s]
        F.append(acc)
    bound = ZERO
    for j, s in enumerate(R):
        aj = E.efficient(s)

        def term(a: int, j: int = j, s: str = s) -> Fraction:
            prev = E.net[R[j - 1]][a] * F[j - 1] if j else ZERO
            return E.net[s][a] * F[j] - prev

        best = term(aj)  # type: ignore[arg-type]
        for a in range(E.k + 1):
            if a != aj and term(a) >= best:
                fails.append(f"market.lemma4: ā({s}) is not the strict maximizer of term {j + 1} of Expression (1)")
                break
        bound += best
    revenue = sum((g[s] * Fraction(Mstar[s][1]) for s in R), ZERO)
    need(revenue == bound, f"market.lemma4: revenue {revenue} of M* differs from the maximum {bound} of Expression (1)")
    # Pareto dominance (Sec. 3.1): CS(t, f') = surplus in M* (its unique optimum), CS(t, f) in M
    need(all(s in supp for s in R), "market.dominates: supp f' is not inside supp f")
    for s in R:
        need(_surplus(E, Mstar, s) >= cs[s], f"market.dominates: {s} loses ({cs[s]} -> {_surplus(E, Mstar, s)})")
    need(_surplus(E, Mstar, t_prime) > cs[t_prime], f"market.dominates: {t_prime} does not strictly gain")
    if reported_cs_old is not None:
        for s in R:
            need(Fraction(reported_cs_old[s]) == cs[s], f"comparison: reported CS({s}, f) = {reported_cs_old[s]}, M gives {cs[s]}")
    if reported_cs_new is not None:
        for s in R:
            need(Fraction(reported_cs_new[s]) == _surplus(E, Mstar, s),
                 f"comparison: reported CS({s}, f') = {reported_cs_new[s]}, M* gives {_surplus(E, Mstar, s)}")
    return ConstructionCheck(not fails, tuple(fails))


def check_pareto_improving_segmentation(
    env: object,
    market: Mapping[str, Fraction],
    M: RawMechanism,
    segments: Sequence[tuple[Fraction, Mapping[str, Fraction], RawMechanism]],
) -> ConstructionCheck:
    """Check that ``f = Σ_i w_i f_i`` with the given optimal mechanisms is a Pareto improving
    segmentation (Sec. 3 "a segmentation ... averages to f"; Sec. 3.1's definition).

    ``M`` is the mechanism of ``f``; each segment is ``(w_i, f_i, M_i)``.
    Conditions: ``weights`` (positive, sum 1), ``segments.nonnegative``
    (each ``f_i`` a distribution), ``segments.average`` (``Σ w_i f_i = f``),
    ``segments.support`` (``supp f_i ⊆ supp f``), each ``M_i`` IC-IR
    (``Mi.IC`` etc.), ``consumers.weak`` (every type of every segment weakly
    gains), ``consumers.strict`` (some type of some segment strictly gains),
    ``seller.strict`` (``Σ_i w_i Σ_t f_i(t) p_i(t) > Σ_t f(t) p(t)``).
    Optimality of the mechanisms is not re-checked here (it is certified by
    :mod:`exactscreen.mechanisms.selected_check` when the engine solves).
    """
    E = _Env(env)
    fails: list[str] = []
    f = {t: Fraction(market[t]) for t in E.types}
    ws = [Fraction(w) for w, _, _ in segments]
    if any(w <= 0 for w in ws) or sum(ws, ZERO) != 1:
        fails.append(f"weights: {[str(w) for w in ws]} must be positive and sum to 1")
    for i, (_, fi, _) in enumerate(segments):
        if any(Fraction(fi[t]) < 0 for t in E.types) or sum((Fraction(fi[t]) for t in E.types), ZERO) != 1:
            fails.append(f"segments.nonnegative: segment {i} is not a distribution over types")
    for t in E.types:
        avg = sum((w * Fraction(fi[t]) for w, (_, fi, _) in zip(ws, segments)), ZERO)
        if avg != f[t]:
            fails.append(f"segments.average: the segments give {t} weight {avg}, the market {f[t]}")
    if fails:
        return ConstructionCheck(False, tuple(fails))
    mf = _mechanism_failures(E, M, E.types, "M")
    if mf:
        return ConstructionCheck(False, tuple(mf))
    strict = False
    after = ZERO
    for i, (w, fi, Mi) in enumerate(segments):
        supp_i = [t for t in E.types if Fraction(fi[t]) > 0]
        if any(f[t] == 0 for t in supp_i):
            fails.append(f"segments.support: segment {i} has types outside the market")
        mi = _mechanism_failures(E, Mi, E.types, f"M{i}")
        if mi:
            fails += mi
            continue
        for t in supp_i:
            new, old = _surplus(E, Mi, t), _surplus(E, M, t)
            if new < old:
                fails.append(f"consumers.weak: type {t} loses in segment {i} ({old} -> {new})")
            strict = strict or new > old
        after += w * sum((Fraction(fi[t]) * Fraction(Mi[t][1]) for t in E.types), ZERO)
    if fails:
        return ConstructionCheck(False, tuple(fails))
    if not strict:
        fails.append("consumers.strict: no type of any segment strictly gains")
    before = sum((f[t] * Fraction(M[t][1]) for t in E.types), ZERO)
    if not after > before:
        fails.append(f"seller.strict: revenue {before} -> {after} does not strictly increase")
    return ConstructionCheck(not fails, tuple(fails))
