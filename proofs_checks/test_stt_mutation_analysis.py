"""Paper 003 (Haghpanah & Siegel, *Screening two types*): the parts of
:mod:`exactscreen.two_types.analysis` that the session-10 mutation run of that module
(docs/mutation.md, mut7) found unchecked, each against a route written here from the paper's
definitions (issue 13, item 4).

* **Assumption 1 and Definition 2 (Sec. 3).**  A type is *uncontested* when one of its
  efficient alternatives lies weakly on its side of the diagonal (``v2 - v1 >= 0`` for the
  type labelled 2, ``<= 0`` for type 1).  Assumption 1 labels an uncontested type as type 2.
  ``TwoTypes(env, swap=True/False)`` forces a labelling (``analyze`` then has it certified, and the certificate accepts only Assumption 1's own choice); it must refuse (InputError naming
  Assumption 1) exactly when the type it would call type 2 is contested, decided here from the
  raw values.  No claim check forced a labelling, so ``swap=True``'s test of the first listed
  type could be replaced by a test of the wrong alternatives, and the refusal's message by
  ``None``, unnoticed.
* **Theorem 1 is stated for q in (0, 1).**  ``deterministic_menus(q)`` must refuse q = 0, 1 and
  q outside [0, 1]: at q = 1 type 1 has mass 0, so every IC-IR assignment for type 1 is optimal
  and Theorem 1's ``A_1(q)`` does not describe the optimal menus (the brute force here finds
  more).
* **App. C's normalization** ``v̄_t(a) = v_t(a) - c(a) - (v_t(0) - c(0))``: omitted outside
  values and costs are 0 (the paper's normalization with ``v_t(0) = c(a) = 0``), recomputed
  here from the formula; a non-exact number in any field is refused with an error that names
  the field (project standard: bad input gives a one-line error naming the field).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import OUTSIDE, Environment
from exactscreen.exceptions import ExactNumberError, InputError
from exactscreen.two_types.analysis import TwoTypes, analyze, normalize_app_c

from .stt_common import FILTERING, brute_deterministic, contested_environments, restaurant, two_type_environments


def _pairs(env: Environment) -> dict:
    """(value of the first listed type, value of the second) per alternative, outside option (0, 0)."""
    t1, t2 = env.types
    return {a: (env.value(t1, a), env.value(t2, a)) for a in (*env.alternatives, OUTSIDE)}


def _uncontested_as_type_2(pairs: dict, which: int) -> bool:
    """Definition 2 for the type in position ``which`` (0 = first listed) if it is labelled type 2:
    some efficient alternative of it lies weakly on its side (its own value >= the other's)."""
    own = {a: p[which] for a, p in pairs.items()}
    other = {a: p[1 - which] for a, p in pairs.items()}
    top = max(own.values())
    return any(own[a] >= other[a] for a in own if own[a] == top)


def _forced_labellings(env: Environment) -> tuple[int, int]:
    """Both forced labellings against Definition 2; returns (refusals, labellings tried)."""
    pairs = _pairs(env)
    refused = 0
    for swap, type2 in ((False, 1), (True, 0)):
        if _uncontested_as_type_2(pairs, type2):
            t = TwoTypes(env, swap=swap)
            assert t.swapped == swap
            assert t.type2 == env.types[type2] and t.type1 == env.types[1 - type2]
        else:
            refused += 1
            with pytest.raises(InputError) as err:
                TwoTypes(env, swap=swap)
            which = "first" if type2 == 0 else "second"
            assert str(err.value) == (
                f"two-types: cannot label the {which} type as type 2: it is contested (Assumption 1)"
            ), str(err.value)
    return refused, 2


@claim("STT-UNC")
def test_a_forced_labelling_is_refused_exactly_when_type_2_would_be_contested(evidence):
    """App. B's restaurant (Theorists T: steak 30, fish v; Applied A: steak 60, fish 20) at
    v = 5, 25, 35, in both file orders.  For v < 30 T's only efficient alternative (steak) lies
    above the diagonal, so T is contested and may not be labelled type 2; at v = 35 fish is T's
    efficient alternative, below the diagonal, and both labellings are allowed (first-best)."""
    refusals = {}
    for v in (5, 25, 35):
        env = restaurant(F(v))
        swapped_env = Environment.from_dict(
            {"A": {"steak": 60, "fish": 20}, "T": {"steak": 30, "fish": v}}, title=f"restaurant, A first, v = {v}")
        refusals[v] = (_forced_labellings(env)[0], _forced_labellings(swapped_env)[0])
    evidence.equal("refused forced labellings (T first, A first) at v = 5, 25, 35",
                   refusals, {5: (1, 1), 25: (1, 1), 35: (0, 0)}, source="expected")


@claim("STT-UNC")
@FILTERING
@given(st.one_of(two_type_environments(), contested_environments()))
def test_forced_labellings_follow_definition_2(evidence, env):
    """Generated two-type environments (ties, diagonal points, copies, costs, either type
    contested): ``analyze(env, swap=...)`` accepts a labelling iff the type it calls type 2 is
    uncontested by Definition 2 (decided here from the raw values), and its refusal names
    Assumption 1.  Hard case: one of the two forced labellings is refused (a contested type)."""
    refused, _ = _forced_labellings(env)
    evidence.reach("a contested type: one forced labelling is refused", refused > 0)
    evidence.instances(1)


@claim("STT-THM1")
def test_theorem1_menus_are_given_only_for_q_strictly_between_0_and_1(evidence):
    """Theorem 1 is stated for q in (0, 1) (a market with both types).  At App. B's restaurant
    (v = 5, 15, 25, 35): ``deterministic_menus`` refuses q = 0, 1, -1/2, 3/2 with an InputError
    (at q = 0 or 1 one type has mass 0 and its menu item is not pinned down by optimality), and
    at q = 1/4, 1/2, 3/4 its menus are exactly the optimal ones of the brute force over all
    assignments with their largest IC-IR payments (the engine's enumeration)."""
    refused = 0
    for v in (5, 15, 25, 35):
        env = restaurant(F(v))
        t = analyze(env)
        for q in (F(0), F(1), F(-1, 2), F(3, 2)):
            with pytest.raises(InputError, match="strictly between 0 and 1"):
                t.deterministic_menus(q)
            refused += 1
        for q in (F(1, 4), F(1, 2), F(3, 4)):
            _, want = brute_deterministic(env, t.to_file_q(q))
            got = {(a1, a2, m.p1, m.p2) for m in t.deterministic_menus(q) for a1 in m.a1 for a2 in m.a2}
            if t.swapped:
                got = {(a2, a1, p2, p1) for a1, a2, p1, p2 in got}
            assert got == set(want), (v, q, got, want)
    evidence.equal("q outside (0, 1) refused (4 restaurants x 4 values of q)", refused, 16, source="expected")


def _normalized(values, costs, outside, c0) -> dict:
    """App. C's v̄_t(a) = v_t(a) - c(a) - (v_t(0) - c(0)), written out here."""
    return {t: {a: F(v) - F(costs.get(a, 0)) - (F(outside.get(t, 0)) - F(c0)) for a, v in row.items()}
            for t, row in values.items()}


def _as_dict(env: Environment) -> dict:
    return {t: {a: env.value(t, a) for a in env.alternatives} for t in env.types}


@claim("STT-APPC")
def test_app_c_defaults_are_zero_and_bad_fields_are_named(evidence):
    """App. C with parts of the data omitted: outside values, costs and c(0) default to 0 (the
    normalization is then the identity minus the given costs), an outside value given for one
    type only leaves the other at 0, each recomputed from App. C's formula; a float in any field
    (value, cost, outside value, c(0)) is refused naming that field."""
    values = {"t1": {"a": F(3), "b": F(1, 2)}, "t2": {"a": F(5), "b": F(2)}}
    cases = [
        ({}, {}, 0),
        ({"a": F(1)}, {}, 0),
        ({"a": F(1)}, {"t1": F(1, 3)}, 0),
        ({"b": F(1, 4)}, {"t2": F(-1)}, F(1, 2)),
    ]
    for costs, outside, c0 in cases:
        env, shift = normalize_app_c(values, costs or None, outside or None, c0)
        assert shift == F(c0)
        assert _as_dict(env) == _normalized(values, costs, outside, c0), (costs, outside, c0)
    env, _ = normalize_app_c(values)
    assert _as_dict(env) == values
    bad = [
        ("types.t1.a", ({"t1": {"a": 0.5}, "t2": {"a": 1}}, None, None, 0)),
        ("costs.a", ({"t1": {"a": 1}, "t2": {"a": 1}}, {"a": 0.25}, None, 0)),
        ("outside_values.t2", ({"t1": {"a": 1}, "t2": {"a": 1}}, None, {"t2": 0.5}, 0)),
        ("outside_cost", ({"t1": {"a": 1}, "t2": {"a": 1}}, None, None, 0.5)),
    ]
    for field, args in bad:
        with pytest.raises(ExactNumberError) as err:
            normalize_app_c(*args)
        assert str(err.value).startswith(field + ": "), (field, str(err.value))
    evidence.equal("App. C's normalization recomputed (cases with omitted fields)", len(cases) + 1, 5, source="expected")


def _paper_values(env: Environment, swapped: bool) -> dict:
    """(v1, v2) per alternative in the paper's labels, from the environment's raw numbers."""
    return {a: ((y, x) if swapped else (x, y)) for a, (x, y) in _pairs(env).items()}


def _regimes_and_binding(t) -> tuple[int, set]:
    """Every deterministic piece of Theorem 1 at one q (its point, or its midpoint): the regime
    from the optimal type-1 alternatives of the brute force and a^BD1 (BD1) computed here, and
    each menu's binding constraints and type 2's utility from the IR/IC constraints of Sec. 2
    evaluated at the menu's payments.  Returns (pieces, regimes seen)."""
    env = t.environment
    v = _paper_values(env, t.swapped)
    d = {a: y - x for a, (x, y) in v.items()}
    below = [a for a in v if d[a] <= 0]
    b = max(v[a][0] for a in below)
    bd1 = {a for a in below if v[a][0] == b}
    both_uncontested = _uncontested_as_type_2(_pairs(env), 0) and _uncontested_as_type_2(_pairs(env), 1)
    seen = set()
    for piece in t.deterministic_pieces:
        q = piece.lo if piece.is_point else (piece.lo + piece.hi) / 2
        _, menus = brute_deterministic(env, t.to_file_q(q))
        s1 = {(a2 if t.swapped else a1) for a1, a2, _, _ in menus}
        if both_uncontested:
            want = "first-best"
        elif not s1 & bd1:
            want = "A+"
        elif s1 <= bd1:
            want = "BD1"
        else:
            want = "both"
        assert piece.regime == want, (q, piece.regime, want, s1, bd1)
        seen.add(want)
        for m in piece.menus:
            for a1 in m.a1:
                for a2 in m.a2:
                    u1, u2 = v[a1][0] - m.p1, v[a2][1] - m.p2
                    binding = {name for name, tight in (("IR1", u1 == 0), ("IR2", u2 == 0),
                                                        ("IC1", u1 == v[a2][0] - m.p2),
                                                        ("IC2", u2 == v[a1][1] - m.p1)) if tight}
                    assert set(m.binding) == binding, (q, a1, a2, m.binding, binding)
                    assert m.u2 == u2, (q, a1, a2, m.u2, u2)
    return len(t.deterministic_pieces), seen


@claim("STT-THM1")
def test_theorem1_regimes_and_binding_constraints_of_the_restaurant(evidence):
    """App. B's restaurant at v = 5, 15, 25, 35 (every regime of App. B): each deterministic
    piece's regime (A_1(q) inside A+ without a^BD1, equal to a^BD1, both at q^BD1, or
    first-best) agrees with the optimal type-1 alternatives of the brute force, and each menu's
    binding constraints (IR1, IR2, IC1, IC2) and type 2's utility are those of its payments.
    App. B: for 10 <= v <= 20 (v = 15) type 1 gets fish (= a^BD1) for q above q^BD1; at
    v = 35 the menu is first-best."""
    seen = {}
    for v in (5, 15, 25, 35):
        t = analyze(restaurant(F(v)))
        _, regimes = _regimes_and_binding(t)
        seen[v] = sorted(regimes)
    evidence.equal("regimes of Theorem 1 by v", seen,
                   {5: ["A+", "BD1", "both"], 15: ["A+", "BD1", "both"], 25: ["A+", "BD1", "both"],
                    35: ["first-best"]}, source="expected")


@claim("STT-THM1")
@FILTERING
@given(st.one_of(two_type_environments(), contested_environments()))
def test_theorem1_regimes_and_binding_constraints(evidence, env):
    """Generated two-type environments: the same comparisons at every piece.  Hard case: a
    piece at q^BD1 where a^BD1 and an alternative of A+ are both optimal for type 1 ("both")."""
    t = analyze(env)
    _, regimes = _regimes_and_binding(t)
    evidence.reach("a piece where a^BD1 and A+ are both optimal (q^BD1)", "both" in regimes)
    evidence.instances(1)


def _particulars(t) -> int:
    """Corollary 2's "one particular x1" (paper 003, Sec. 4.2, 3(b) and 3(c)) at every random
    piece with q >= q^CD, against B_1(q^CD) = argmax v1 - q^CD v2 computed here from the raw
    values: at q = q^CD probability 1 on an alternative of B_1(q^CD) maximizing v2 - v1; above
    q^CD a lottery over the alternatives of B_1(q^CD) maximizing and minimizing v2 - v1 with
    v2 - v1 = 0 in expectation (one atom when they coincide).  Returns the pieces compared."""
    v = _paper_values(t.environment, t.swapped)
    qcd = t.q_cd
    top = max(x - qcd * y for x, y in v.values())
    b1 = [a for a, (x, y) in v.items() if x - qcd * y == top]
    d = {a: v[a][1] - v[a][0] for a in b1}
    dmax, dmin = max(d.values()), min(d.values())
    n = 0
    for piece in t.random_pieces:
        x = {a: p for a, p in piece.particular.items() if p != 0}
        assert sum(x.values()) == 1 and all(p > 0 for p in x.values()), (piece.case, x)
        if piece.case == "q=qCD":
            assert len(x) == 1 and d.get(next(iter(x))) == dmax, (x, d)
        elif piece.case == "q>qCD":
            assert all(a in d and d[a] in (dmax, dmin) for a in x), (x, d)
            assert len({d[a] for a in x}) == len(x) <= 2, (x, d)
            assert sum(p * d[a] for a, p in x.items()) == 0, (x, d)
        else:
            continue
        n += 1
    return n


@claim("STT-COR2")
def test_corollary2_particular_x1_is_the_papers(evidence):
    """Corollary 2's particular x1 above q^CD randomizes only over the two alternatives of
    B_1(q^CD) that maximize and minimize v2 - v1 (paper 003, Sec. 4.2, 3(c)).  Instances: App. B's
    restaurant at v = 25 (B_1(1/8) = {steak, fish}: 6/7 fish, 1/7 steak) and a hand-built one
    where B_1(1/2) also holds an alternative on the diagonal: hi (3, 4), mid (2, 2), lo (1, 0),
    all on v1 - v2/2 = 1, so q^CD = 1/2; another optimal lottery (mid alone) has the same values,
    but the paper's particular x1 is 1/2 hi + 1/2 lo."""
    t = analyze(restaurant(F(25)))
    assert _particulars(t) == 2
    above = next(p for p in t.random_pieces if p.case == "q>qCD")
    evidence.equal("restaurant v = 25: particular x1 above q^CD", above.particular, {"fish": F(6, 7), "steak": F(1, 7)},
                   source="expected")
    env = Environment.from_dict({"t1": {"hi": 3, "mid": 2, "lo": 1}, "t2": {"hi": 4, "mid": 2, "lo": 0}},
                                title="three alternatives of B_1(1/2) on both sides of the diagonal")
    t = analyze(env)
    assert t.q_cd == F(1, 2) and _particulars(t) == 2
    above = next(p for p in t.random_pieces if p.case == "q>qCD")
    evidence.equal("hand-built: particular x1 above q^CD = 1/2", above.particular, {"hi": F(1, 2), "lo": F(1, 2)},
                   source="expected")


@claim("STT-COR2")
@FILTERING
@given(contested_environments())
def test_corollary2_particular_x1_on_generated_environments(evidence, env):
    """Constructed contested type 1 (either file order, ties allowed): the same statements at
    every random piece with q >= q^CD.  Hard case: a piece above q^CD exists (q^CD < 1)."""
    t = analyze(env)
    _particulars(t)
    evidence.reach("a random piece above q^CD (Corollary 2, 3(c))", any(p.case == "q>qCD" for p in t.random_pieces))
    evidence.instances(1)
