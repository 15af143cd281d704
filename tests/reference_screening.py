"""The slow reference engine for :func:`exactscreen.mechanisms.optimum.optimal_mechanism` (tests only).

A verbatim copy of the path ``optimal_mechanism`` used before issue 12, item 2:
the face and the selection rule by exact LPs over the full generic mechanism
LP (:func:`exactscreen.lp.exact.face_lp`), two LPs per range and one per
selection stage.  ``tests/test_engine_matches_reference.py`` compares the
structured engine with it field by field.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Sequence

from exactscreen.lp.certificate import check_certificate
from exactscreen.exceptions import InputError
from exactscreen.environment import OUTSIDE, Environment, Market
from exactscreen.lp.exact import Face, LinearProgram, LPResult, SolveTally, face_lp, solve_lp
from exactscreen.mechanisms.optimum import SELECTION_RULES, OptimalFace, OptimalMechanism, Range, _mechanism, _p, _value_terms, _x, mechanism_lp

ZERO = Fraction(0)


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def solve(self, lp: LinearProgram, hint: Sequence[int] = ()) -> LPResult:
        self.n += 1
        return solve_lp(lp, hint_basis=hint or None)


def _surplus_objective(env: Environment, i: int, sign: Fraction) -> list[Fraction]:
    c = [ZERO] * (env.n * (env.k + 2))
    for col, v in _value_terms(env, i, i, sign):
        c[col] += v
    c[_p(env, i)] -= sign
    return c


def _fix(lp: LinearProgram, c: Sequence[Fraction], value: Fraction, name: str) -> LinearProgram:
    row = tuple((j, v) for j, v in enumerate(c) if v)
    return lp.with_equality(row, value, name)


def _dot(c: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((a * b for a, b in zip(c, x) if a), ZERO)


def _value_objective(env: Environment, types: Iterable[int]) -> list[Fraction]:
    c = [ZERO] * (env.n * (env.k + 2))
    for i in types:
        for col, v in _value_terms(env, i, i):
            c[col] += v
    return c


def _select(env: Environment, market: Market, face: Face, rule: str, counter: _Counter):
    """Apply the selection rule on the optimal face; return the selected x."""
    nv = env.n * (env.k + 2)
    if rule == "support-value":
        support = [i for i, f in enumerate(market.weights) if f > 0]
        rest = [i for i, f in enumerate(market.weights) if f == 0]
        stages = [("value(support)", _value_objective(env, support))]
        if rest:
            stages.append(("value(others)", _value_objective(env, rest)))
    else:  # "total-value" (optimal_mechanism validated the rule)
        stages = [("value(all)", _value_objective(env, range(env.n)))]
    minus_pay = [ZERO] * nv
    for i in range(env.n):
        minus_pay[_p(env, i)] = Fraction(-1)
    stages.append(("-sum(p)", minus_pay))
    for i in range(env.n):
        c = [ZERO] * nv
        c[_p(env, i)] = Fraction(-1)
        stages.append((f"-p({env.types[i]})", c))
    for i in range(env.n):
        for j in range(env.k + 1):
            c = [ZERO] * nv
            c[_x(env, i, j)] = Fraction(1)
            stages.append((f"x({i},{j})", c))
    # Each stage's optimal set is a face of the previous one, described by
    # complementary slackness (lp.face_lp): no "objective = optimum" rows.
    for name, c in stages:
        if face.is_single_point:  # the rest of the selection is decided
            break
        cf = face.objective(c)
        if not any(cf):
            continue  # constant (zero) on the face: the stage changes nothing
        stage_lp = face.lp.with_objective(cf)
        res = counter.solve(stage_lp, face.basis)
        face = face_lp(stage_lp, res, parent=face)
    return face.x


def _face(
    env: Environment, face: Face, counter: _Counter, binding: bool, support: tuple[int, ...]
) -> OptimalFace:
    """Ranges over the optimal face (complementary slackness, :func:`exactscreen.lp.exact.face_lp`).

    If the face is certified to be a single point (its equality rows have
    full column rank), every range is the optimum's value and no LP is
    solved; otherwise each range is two LPs over the face, warm-started from
    the optimal basis, except ranges of quantities that are constant (zero)
    on the face: columns fixed at 0 and slacks of rows with a positive dual.
    """
    nv = env.n * (env.k + 2)
    single = face.is_single_point
    x_star = _mechanism(env, face.x)

    def rng(c: list[Fraction]) -> Range:
        cf = face.objective(c)
        if single or not any(cf):
            v = _dot(c, face.x)
            return Range(v, v, x_star, x_star)
        hi = counter.solve(face.lp.with_objective(cf), face.basis)
        lo = counter.solve(face.lp.with_objective(tuple(-v for v in cf)), face.basis)
        return Range(
            -lo.objective, hi.objective,
            _mechanism(env, face.expand(lo.x)), _mechanism(env, face.expand(hi.x)),
        )

    payments, surpluses, allocation = [], [], []
    for i in range(env.n):
        c = [ZERO] * nv
        c[_p(env, i)] = Fraction(1)
        payments.append(rng(c))
        surpluses.append(rng(_surplus_objective(env, i, Fraction(1))))
        row = []
        for j in range(env.k + 1):
            c = [ZERO] * nv
            c[_x(env, i, j)] = Fraction(1)
            row.append(rng(c))
        allocation.append(tuple(row))
    always, sometimes = [], []
    if binding:
        for i in range(env.n):
            targets = [s for s in range(env.n) if s != i] + [None]
            for s in targets:
                edge = (env.types[i], env.types[s] if s is not None else OUTSIDE)
                if _ub_row(env, i, s) in face.tight:  # positive dual: tight on the whole face
                    always.append(edge)
                    sometimes.append(edge)
                    continue
                # slack of IC(i -> s) or IR(i): u_i - v(i, x(s)) + p(s)
                c = _surplus_objective(env, i, Fraction(1))
                if s is not None:
                    for col, v in _value_terms(env, i, s, Fraction(-1)):
                        c[col] += v
                    c[_p(env, s)] += Fraction(1)
                r = rng(c)
                if r.hi == 0:
                    always.append(edge)
                if r.lo == 0:
                    sometimes.append(edge)
    return OptimalFace(
        tuple(payments), tuple(surpluses), tuple(allocation),
        tuple(always), tuple(sometimes), counter.n, support,
    )


def _ub_row(env: Environment, i: int, s: int | None) -> int:
    """Inequality row of IR(t_i) (``s`` None) or IC(t_i -> t_s) in :func:`mechanism_lp`."""
    if s is None:
        return i * env.n
    return i * env.n + 1 + (s if s < i else s - 1)


def reference_optimal_mechanism(
    env: Environment,
    market: Market | None = None,
    *,
    face: bool = True,
    binding: bool = True,
    selection: str = "support-value",
) -> OptimalMechanism:
    """Optimal IC-IR mechanism of ``env`` for ``market``, exactly and with certificate.

    Parameters
    ----------
    face
        Also compute the ranges over all optimal mechanisms (2 LPs per
        payment, surplus and allocation probability).
    binding
        With ``face``: also which IC/IR constraints bind in every / some optimum.
    selection
        ``"support-value"`` (default) or ``"total-value"``; see the module docstring.

    Returns
    -------
    OptimalMechanism
        Whose ``certificate_check`` has been run by :mod:`exactscreen.lp.certificate`.
    """
    if market is None:
        raise InputError("market: give the market (probability of each type)")
    if selection not in SELECTION_RULES:
        raise InputError(f"selection: unknown rule {selection!r}; choose one of {', '.join(SELECTION_RULES)}")
    from exactscreen.mechanisms.structured import solve_mechanism  # imports screening.Range lazily; no cycle

    lp = mechanism_lp(env, market)
    counter = _Counter()
    # the main LP by its structure (lazy IC rows, exact core solve, structured certificate);
    # the generic independent checker below re-checks the answer on the full LP
    res = solve_mechanism(env, market).result
    counter.n += 1
    check = check_certificate(lp, res.x, res.y_eq, res.y_ub, res.objective)
    if not check.ok:  # pragma: no cover - would be a solver bug; never return it
        raise RuntimeError(f"exact LP certificate failed its independent check: {check}")
    optimal = face_lp(lp, res)  # the optimal face, by complementary slackness
    support = tuple(i for i, f in enumerate(market.weights) if f > 0)
    fc = _face(env, optimal, counter, binding, support) if face else None
    x = _select(env, market, optimal, selection, counter)
    mech = _mechanism(env, x)
    from exactscreen.mechanisms.selected_check import check_selected_mechanism

    selected = check_selected_mechanism(env, market, mech.allocation, mech.payments, res.objective)
    return OptimalMechanism(
        env, market, res.objective, mech, res, check, fc, selection, SolveTally(lps=counter.n), selected,
    )
