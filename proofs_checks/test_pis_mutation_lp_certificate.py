"""Paper 000, Sec. 3 (the LP (1)-(3)) and Lemma 3: the generic LP certificate checker
(:mod:`exactscreen.lp.certificate`) as a second route to the optimal revenue and as the judge of
the Farkas rays that decide Lemma 3's hyperplanes (issue 13, item 4; docs/mutation.md, mut3).

Two of the checker's three functions are on the verdict path:

* :func:`~exactscreen.lp.certificate.check_farkas` runs inside every :class:`Infeasible` the exact
  LP solver raises; :func:`~exactscreen.mechanisms.segmentation.genericity_hyperplanes` (Lemma 3,
  PIS-LEM3) drops a pair of vertices ``p, p'`` of P exactly when the LP "is there a market f with
  ``f.p = f.p' >= f.v`` for every vertex v" raises it.  A Farkas checker that accepts too much
  would let a solver bug drop a hyperplane of Lemma 3 silently.
* :func:`~exactscreen.lp.certificate.check_unbounded_ray` runs inside every :class:`Unbounded`.

The third, :func:`~exactscreen.lp.certificate.check_certificate`, is the checker of
``exactscreen verify``; here it is made a **second route** to the optimal revenue of Sec. 3: the
engine's primal-dual certificate of the LP of Sec. 3 must pass it (on the engine's own LP object
and on the LP rewritten in this module from the raw values and costs), in addition to the
structured checker the engine runs.

A checker is only evidence if it can fail, so each is also fed broken certificates (one entry
moved by a random rational, everything moved at once, malformed input) and its verdict and
failure lines must equal the conditions of LP duality written out again here, in plain Fraction
arithmetic from dense copies of the rows (own loops, no engine code):

* optimality (``max c.x, A_eq x = b_eq, A_ub x <= b_ub, x >= 0``): ``x >= 0``, every row holds;
  ``y_ub >= 0``, ``A_eq^T y_eq + A_ub^T y_ub >= c`` per column; ``c.x`` and ``b.y`` both equal the
  claimed objective (weak duality: the claimed objective is the optimum);
* Farkas ray: ``y_ub >= 0``, ``y A >= 0`` per column, ``y.b < 0`` (Farkas' lemma; Schrijver 1986,
  Cor. 7.1e);
* unbounded: ``d >= 0``, ``A_eq d = 0``, ``A_ub d <= 0``, ``c.d > 0``, and a feasible ``x``.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction as F
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import Market
from exactscreen.exceptions import Infeasible, Unbounded
from exactscreen.lp.certificate import check_certificate, check_farkas, check_unbounded_ray
from exactscreen.lp.exact import LinearProgram, solve_lp
from exactscreen.mechanisms.optimum import mechanism_lp
from exactscreen.mechanisms.structured import solve_mechanism
from exactscreen.strategies import environments, markets

from .pis_common import FILTERING, sec311

ZERO = F(0)
OK_TEXT = "CertificateCheck(ok: primal feasible, dual feasible, objectives equal)"


# ------------------------------------------------------------------ the conditions, rewritten
def _dense(rows, n):
    """Sparse rows ((column, coefficient), ...) as dense lists (repeated columns add up)."""
    out = []
    for row in rows:
        d = [ZERO] * n
        for j, a in row:
            d[j] += F(a)
        out.append(d)
    return out


def _dot(u, v):
    total = ZERO
    for a, b in zip(u, v):
        total += F(a) * F(b)
    return total


def _expected_optimality(lp, x, y_eq, y_ub, obj, names=None) -> list[str]:
    """Every violated condition of LP duality, one line each, in the checker's wording."""
    n = len(lp.c)
    if len(x) != n:
        return [f"x has {len(x)} entries, the problem {n} variables"]
    if len(y_eq) != len(lp.A_eq) or len(y_ub) != len(lp.A_ub):
        return ["dual vector lengths do not match the rows"]
    E, U = _dense(lp.A_eq, n), _dense(lp.A_ub, n)
    cols, eqs, ubs = names if names is not None else (None, None, None)
    lines = []
    for j in range(n):
        if x[j] < 0:
            lines.append(f"x[{j}] = {x[j]} < 0" if names is None else f"primal: {cols[j]} = {x[j]} < 0")
    for i, row in enumerate(E):
        lhs = _dot(row, x)
        if lhs != lp.b_eq[i]:
            lines.append(f"equality row {i}: {lhs} != {lp.b_eq[i]}" if names is None
                         else f"primal: row {eqs[i]}: {lhs} != {lp.b_eq[i]}")
    for i, row in enumerate(U):
        lhs = _dot(row, x)
        if lhs > lp.b_ub[i]:
            lines.append(f"inequality row {i}: {lhs} > {lp.b_ub[i]}" if names is None
                         else f"primal: row {ubs[i]} violated: {lhs} > {lp.b_ub[i]}")
    for i, v in enumerate(y_ub):
        if v < 0:
            lines.append(f"y_ub[{i}] = {v} < 0" if names is None else f"dual: multiplier of {ubs[i]} = {v} < 0")
    for j in range(n):
        col = _dot([r[j] for r in E], y_eq) + _dot([r[j] for r in U], y_ub)
        if col < lp.c[j]:
            lines.append(f"dual constraint of column {j}: {col} < c = {lp.c[j]}" if names is None
                         else f"dual: constraint of column {cols[j]}: {col} < c = {lp.c[j]}")
    tag = "" if names is None else "objective: "
    primal, dual = _dot(lp.c, x), _dot(lp.b_eq, y_eq) + _dot(lp.b_ub, y_ub)
    if primal != obj:
        lines.append(f"{tag}c.x = {primal} differs from the claimed objective {obj}")
    if dual != obj:
        lines.append(f"{tag}dual objective {dual} differs from the claimed objective {obj}")
    return lines


def _expected_farkas(lp, y_eq, y_ub) -> list[str]:
    n = len(lp.c)
    if len(y_eq) != len(lp.A_eq) or len(y_ub) != len(lp.A_ub):
        return [f"ray lengths {len(y_eq)} + {len(y_ub)} do not match the {len(lp.A_eq)} + {len(lp.A_ub)} rows"]
    E, U = _dense(lp.A_eq, n), _dense(lp.A_ub, n)
    lines = [f"y_ub[{i}] = {v} < 0" for i, v in enumerate(y_ub) if v < 0]
    for j in range(n):
        v = _dot([r[j] for r in E], y_eq) + _dot([r[j] for r in U], y_ub)
        if v < 0:
            lines.append(f"column {j}: (y A)_{j} = {v} < 0")
    yb = _dot(lp.b_eq, y_eq) + _dot(lp.b_ub, y_ub)
    if yb >= 0:
        lines.append(f"y . b = {yb} is not < 0")
    return lines


def _expected_unbounded(lp, d, x=None) -> list[str]:
    n = len(lp.c)
    if len(d) != n:
        return [f"d has {len(d)} entries, the problem {n} variables"]
    if x is not None and len(x) != n:
        return [f"x has {len(x)} entries, the problem {n} variables"]
    E, U = _dense(lp.A_eq, n), _dense(lp.A_ub, n)
    lines = [f"d[{j}] = {v} < 0" for j, v in enumerate(d) if v < 0]
    for i, row in enumerate(E):
        if _dot(row, d) != 0:
            lines.append(f"equality row {i}: A_eq d = {_dot(row, d)} != 0")
    for i, row in enumerate(U):
        if _dot(row, d) > 0:
            lines.append(f"inequality row {i}: A_ub d = {_dot(row, d)} > 0")
    if _dot(lp.c, d) <= 0:
        lines.append(f"c . d = {_dot(lp.c, d)} is not > 0")
    if x is not None:
        lines += [f"x[{j}] = {v} < 0" for j, v in enumerate(x) if v < 0]
        for i, row in enumerate(E):
            if _dot(row, x) != lp.b_eq[i]:
                lines.append(f"x: equality row {i}: {_dot(row, x)} != {lp.b_eq[i]}")
        for i, row in enumerate(U):
            if _dot(row, x) > lp.b_ub[i]:
                lines.append(f"x: inequality row {i}: {_dot(row, x)} > {lp.b_ub[i]}")
    return lines


def _same(chk, expected, proves=None) -> list[str]:
    """The checker's verdict, failure lines (multiset), truth value and repr equal the expected."""
    assert chk.ok is (not expected), f"checker ok={chk.ok}, conditions violated: {expected}"
    assert bool(chk) is chk.ok
    assert Counter(chk.failures) == Counter(expected), f"checker {list(chk.failures)}\nconditions {expected}"
    if proves is not None:
        assert chk.proves == proves, chk.proves
    if chk.ok:
        want = f"CertificateCheck(ok: {chk.proves})" if chk.proves else OK_TEXT
    else:
        want = f"CertificateCheck(FAILED: {'; '.join(chk.failures[:5])})"
    assert repr(chk) == want, repr(chk)
    return expected


def _optimality_same(lp, cert, names=None):
    chk = check_certificate(lp, *cert, names=names) if names is not None else check_certificate(lp, *cert)
    return _same(chk, _expected_optimality(lp, *cert, names=names), proves="")


FARKAS = "Farkas ray: the LP is infeasible"
RAY = "primal ray: the LP has no optimum (infeasible or unbounded)"
RAY_X = "feasible point and primal ray: the LP is unbounded"


def _farkas_same(lp, y_eq, y_ub):
    expected = _expected_farkas(lp, y_eq, y_ub)
    early = expected[:1] == [e for e in expected[:1] if e.startswith("ray lengths")]  # refused before any check
    return _same(check_farkas(lp, y_eq, y_ub), expected, proves="" if expected and early else FARKAS)


def _unbounded_same(lp, d, x=None):
    chk = check_unbounded_ray(lp, d) if x is None else check_unbounded_ray(lp, d, x)
    expected = _expected_unbounded(lp, d, x)
    early = bool(expected) and expected[0].endswith(" variables")  # a length refused before any check
    return _same(chk, expected, proves="" if early else RAY if x is None else RAY_X)


def _moved(v, i, d):
    out = list(v)
    out[i] += d
    return out


def _every_single_move(vectors, check, deltas=(F(-1, 2), F(1, 3))) -> int:
    """Move each entry of each vector by each delta, one at a time; returns how many the
    conditions reject (``check`` compares the checker with them)."""
    rejected = 0
    for k, v in enumerate(vectors):
        for i in range(len(v)):
            for d in deltas:
                args = list(vectors)
                args[k] = _moved(v, i, d)
                rejected += bool(check(*args))
    return rejected


def _type_errors(call, fields) -> None:
    """Each (field, arguments) with a float, bool or str entry is refused naming the field."""
    for field, args in fields:
        with pytest.raises(TypeError) as info:
            call(*args)
        assert str(info.value).startswith(f"{field}: certificate entries must be int or Fraction, got "), \
            str(info.value)


# ------------------------------------------------------------------ the LP of Sec. 3, rewritten
def _sec3_lp(env, market):
    """The LP of Sec. 3 from the raw values and costs (layout of mechanism_lp: per type the
    columns x(t,a), x(t,0), p(t); rows prob(t); then IR(t), IC(t->s) for s != t)."""
    n, k = env.n, env.k
    w = k + 2
    net = [[F(v) - F(c) for v, c in zip(row, env.costs)] for row in env.values]
    c = [ZERO] * (n * w)
    for t, f in enumerate(market.weights):
        c[t * w + k + 1] = F(f)
    eq = [tuple((t * w + a, F(1)) for a in range(k + 1)) for t in range(n)]
    ub = []
    for t in range(n):
        own = [(t * w + a, -net[t][a]) for a in range(k)]
        ub.append(tuple(own + [(t * w + k + 1, F(1))]))
        for s in range(n):
            if s != t:
                ub.append(tuple(own + [(t * w + k + 1, F(1))] + [(s * w + a, net[t][a]) for a in range(k)]
                                + [(s * w + k + 1, F(-1))]))
    return SimpleNamespace(c=c, A_eq=eq, b_eq=[F(1)] * n, A_ub=ub, b_ub=[ZERO] * len(ub))


def _engine_certificate(env, market):
    res = solve_mechanism(env, market).result
    return [F(v) for v in res.x], [F(v) for v in res.y_eq], [F(v) for v in res.y_ub], F(res.objective)


def _second_route(env, market):
    """The engine's certificate passes the generic checker on the engine's LP (with its names and
    without) and on the LP rewritten here; returns (own LP, engine LP, names, certificate)."""
    lp = mechanism_lp(env, market)
    names = (lp.var_names, lp.eq_names, lp.ub_names)
    own = _sec3_lp(env, market)
    cert = _engine_certificate(env, market)
    assert _optimality_same(lp, cert, names) == []
    assert _optimality_same(lp, cert) == []
    assert _optimality_same(own, cert) == []
    return own, lp, names, cert


@claim("PIS-EX311")
def test_the_optimal_revenue_of_sec311_is_certified_again_by_the_generic_lp_checker(evidence):
    """Sec. 3.1.1 (tL = (3/4, 1), tH = (1, 2)) at q = 1/10, 1/2, 9/10, one market in each of the
    paper's intervals: the engine's primal-dual certificate passes the generic checker on the LP
    of Sec. 3 (engine's LP and this module's), so the optimal revenue 1, 3/4 + q and 2q (Sec.
    3.1.1: p = (1, 1), (3/4, 7/4), (0, 2)) is certified by a second checker; every single-entry
    breakage of it is rejected with exactly the violated conditions, named and by index; the
    wholesale breakage reports every violated condition; malformed input is refused."""
    env = sec311()
    stated = {F(1, 10): F(1), F(1, 2): F(3, 4) + F(1, 2), F(9, 10): 2 * F(9, 10)}
    for q, revenue in stated.items():
        market = Market(env, (1 - q, q))
        own, lp, names, cert = _second_route(env, market)
        evidence.equal(f"optimal revenue at q = {q}, certified by the generic LP checker (Sec. 3.1.1)",
                       cert[3], revenue)
        x, ye, yu, obj = cert
        rejected = _every_single_move(
            [x, ye, yu], lambda x_, ye_, yu_: _optimality_same(lp, (x_, ye_, yu_, obj), names))
        rejected += _every_single_move(
            [x, ye, yu], lambda x_, ye_, yu_: _optimality_same(own, (x_, ye_, yu_, obj)), deltas=(F(-1, 2),))
        assert rejected >= 3 * (len(x) + len(ye)), rejected
        assert _optimality_same(lp, (x, ye, yu, obj + F(1, 7)), names)
        assert _optimality_same(lp, (x, ye, yu, obj - 1))
        bad = ([v - 3 for v in x], [v - 3 for v in ye], [v - 3 for v in yu], obj + 1)
        assert len(_optimality_same(lp, bad, names)) > len(x) + len(yu)
        assert len(_optimality_same(own, bad)) > len(x) + len(yu)
        assert _optimality_same(lp, (x[:-1], ye, yu, obj)) == [f"x has {len(x) - 1} entries, the problem {len(x)} variables"]
        assert _optimality_same(lp, (x, ye + [ZERO], yu, obj)) == ["dual vector lengths do not match the rows"]
        assert _optimality_same(lp, (x, ye, yu[:-1], obj)) == ["dual vector lengths do not match the rows"]
        _type_errors(lambda *a: check_certificate(lp, *a), [
            ("x[0]", ([0.5] + x[1:], ye, yu, obj)), ("y_eq[1]", (x, ye[:1] + [True] + ye[2:], yu, obj)),
            ("y_ub[0]", (x, ye, ["0"] + yu[1:], obj)), ("objective", (x, ye, yu, float(obj)))])
        floaty = SimpleNamespace(c=[0.0] + list(own.c[1:]), A_eq=own.A_eq, b_eq=own.b_eq, A_ub=own.A_ub, b_ub=own.b_ub)
        _type_errors(lambda *a: check_certificate(floaty, *a), [("c", (x, ye, yu, obj))])
        # ints are exact entries
        assert check_certificate(lp, [int(v) if v.denominator == 1 else v for v in x], ye, yu, obj).ok
    evidence.note("Sec. 3.1.1: the optimal revenue is certified a second time by the generic LP checker "
                  "(lp/certificate.py), which rejects every single-entry breakage with exactly the violated conditions")


@claim("PIS-LEM1")
@FILTERING
@given(environments(min_types=1, max_types=3, max_alternatives=3), st.data())
def test_generated_optimal_revenues_pass_the_generic_lp_checker_and_broken_ones_fail(evidence, env, data):
    """Generated environments and markets: the engine's certificate passes the generic checker on
    the engine's LP and on the LP of Sec. 3 rewritten here (second route to the optimum of P's
    support function, Lemma 1), and three random single-entry breakages get exactly the
    conditions' verdict and lines. Hard case: a breakage rejected by a dual column constraint."""
    market = data.draw(markets(env), label="market")
    own, lp, names, cert = _second_route(env, market)
    x, ye, yu, obj = cert
    dual_hit = False
    for _ in range(3):
        vec = data.draw(st.sampled_from(["x", "y_eq", "y_ub", "objective"]), label="entry of")
        d = data.draw(st.fractions(-2, 2, max_denominator=4).filter(lambda v: v != 0), label="by")
        parts = [x, ye, yu]
        if vec == "objective":
            bad = (x, ye, yu, obj + d)
        else:
            k = ["x", "y_eq", "y_ub"].index(vec)
            i = data.draw(st.integers(0, len(parts[k]) - 1), label="index")
            parts[k] = _moved(parts[k], i, d)
            bad = (*parts, obj)
        lines = _optimality_same(lp, bad, names if data.draw(st.booleans(), label="named") else None)
        _optimality_same(own, bad)
        dual_hit |= any("constraint of column" in line for line in lines)
    evidence.reach("a breakage rejected by a dual column constraint", dual_hit)
    evidence.instances(1)


# ------------------------------------------------------------------ Farkas rays of Lemma 3
def _pair_lp(verts, a, b):
    """Lemma 3's LP for the vertices p = verts[a], p' = verts[b] of P, as genericity_hyperplanes
    poses it: f >= 0, sum f = 1, f.(p - p') = 0, f.(v - p) <= 0 for every other vertex v."""
    p, q = verts[a], verts[b]
    n = len(p)
    one = F(1)
    A_eq = (tuple((i, one) for i in range(n)), tuple((i, x - y) for i, (x, y) in enumerate(zip(p, q)) if x != y))
    A_ub = tuple(tuple((i, v[i] - p[i]) for i in range(n) if v[i] != p[i]) for v in verts if v not in (p, q))
    return LinearProgram(tuple([ZERO] * n), A_eq, (one, ZERO), A_ub, tuple([ZERO] * len(A_ub)))


def _farkas_breakages(lp, y_eq, y_ub) -> int:
    """A valid ray passes; every single-entry move, the ray negated, wrong lengths, a column
    outside the LP and non-exact entries are judged as the conditions judge them."""
    assert _farkas_same(lp, y_eq, y_ub) == []
    rejected = _every_single_move([list(y_eq), list(y_ub)], lambda e, u: _farkas_same(lp, e, u),
                                  deltas=(F(-1, 2), F(1, 3), F(5)))
    assert _farkas_same(lp, [-v for v in y_eq], [-v for v in y_ub])
    assert _farkas_same(lp, list(y_eq) + [ZERO], y_ub)
    assert _farkas_same(lp, y_eq, list(y_ub) + [ZERO])
    n = len(lp.c)
    wide = SimpleNamespace(c=lp.c, A_eq=lp.A_eq, b_eq=lp.b_eq, A_ub=tuple(lp.A_ub) + (((n, F(1)),),),
                           b_ub=tuple(lp.b_ub) + (ZERO,))
    chk = check_farkas(wide, y_eq, list(y_ub) + [F(1)])
    assert not chk.ok and chk.failures == (f"inequality row {len(lp.A_ub)} names column {n}, outside 0..{n - 1}",)
    if lp.A_eq:
        wide_eq = SimpleNamespace(c=lp.c, A_eq=tuple(lp.A_eq) + (((n, F(1)),),), b_eq=tuple(lp.b_eq) + (ZERO,),
                                  A_ub=lp.A_ub, b_ub=lp.b_ub)
        chk = check_farkas(wide_eq, list(y_eq) + [F(1)], y_ub)
        assert not chk.ok and chk.failures == (f"equality row {len(lp.A_eq)} names column {n}, outside 0..{n - 1}",)
    if y_eq:
        _type_errors(lambda e, u: check_farkas(lp, e, u), [("y_eq[0]", ([0.5] + list(y_eq[1:]), y_ub))])
    if y_ub:
        _type_errors(lambda e, u: check_farkas(lp, e, u), [("y_ub[0]", (y_eq, [True] + list(y_ub[1:])))])
    return rejected


@claim("PIS-LEM3")
def test_the_farkas_rays_that_drop_pairs_of_vertices_in_sec311_are_valid_and_checked(evidence):
    """Sec. 3.1.1, Fig. 4a/4b: P has the vertices p1 = (1, 1), p2 = (3/4, 7/4), p3 = (0, 2); the
    pairs (p1, p2) and (p2, p3) are optimal together (on the lines f(tL) - 3 f(tH) = 0 and
    3 f(tL) - f(tH) = 0), the pair (p1, p3) is not: its LP is infeasible, and the Farkas ray the
    solver returns meets the three conditions (rewritten here); every breakage of it is judged by
    check_farkas exactly as by the conditions."""
    verts = [(F(1), F(1)), (F(3, 4), F(7, 4)), (F(0), F(2))]
    found = {}
    for a in range(3):
        for b in range(a + 1, 3):
            lp = _pair_lp(verts, a, b)
            try:
                res = solve_lp(lp)
            except Infeasible as exc:
                y_eq, y_ub = exc.certificate
                assert _expected_farkas(lp, list(y_eq), list(y_ub)) == [], "the solver's Farkas ray"
                assert _farkas_breakages(lp, list(y_eq), list(y_ub)) >= 1
                found[(a, b)] = "infeasible"
            else:
                f = res.x
                assert sum(f) == 1 and _dot(f, [x - y for x, y in zip(verts[a], verts[b])]) == 0
                found[(a, b)] = "optimal together at f = (" + ", ".join(str(v) for v in f) + ")"
    _hand_built_unbounded_lp_is_judged()
    evidence.equal("pairs of Fig. 4a's vertices that are not optimal together (Lemma 3; Fig. 4b)",
                   sorted(k for k, v in found.items() if v == "infeasible"), [(0, 2)])
    evidence.note("; ".join(f"p{a + 1}, p{b + 1}: {v}" for (a, b), v in sorted(found.items())))


def _hand_built_unbounded_lp_is_judged() -> None:
    """max x0 s.t. x0 - x1 <= 1, x >= 0: unbounded along d = (1, 1) from x = (0, 0) (the solver
    says so with a valid ray); rays on and just past each boundary of the conditions are judged
    as the conditions judge them: A_ub d = 1/2 or c.d = 0 or d1 = -1/2 rejected, A_ub d = 0 accepted."""
    lp = LinearProgram((F(1), ZERO), (), (), (((0, F(1)), (1, F(-1))),), (F(1),))
    with pytest.raises(Unbounded) as info:
        solve_lp(lp)
    d, x = list(info.value.certificate), list(info.value.point)
    assert _expected_unbounded(lp, d, x) == [] and _unbounded_same(lp, d, x) == []
    assert _unbounded_same(lp, [F(3, 2), F(1)], [ZERO, ZERO]) == ["inequality row 0: A_ub d = 1/2 > 0"]
    assert _unbounded_same(lp, [F(3), F(1)]) == ["inequality row 0: A_ub d = 2 > 0"]
    assert _unbounded_same(lp, [ZERO, F(1)], [ZERO, ZERO]) == ["c . d = 0 is not > 0"]
    assert _unbounded_same(lp, [F(1), F(-1, 2)]) == ["d[1] = -1/2 < 0", "inequality row 0: A_ub d = 3/2 > 0"]
    assert _unbounded_same(lp, [F(1), F(1)], [F(2), ZERO]) == ["x: inequality row 0: 2 > 1"]
    assert _unbounded_same(lp, [F(1), F(2)], [F(1), ZERO]) == []


_COEF = st.sampled_from([F(-2), F(-1), F(-1, 2), ZERO, ZERO, F(1, 3), F(1), F(2)])


@st.composite
def small_lps(draw):
    """max c.x, A_eq x = b_eq, A_ub x <= b_ub, x >= 0 with 1-3 columns and 0-2 + 0-3 rows of small
    rationals; a quarter built unbounded (a column free to grow from the feasible 0) and a quarter
    built infeasible (an equality row with coefficients >= 0 and a negative right-hand side)."""
    n = draw(st.integers(1, 3), label="columns")
    m_eq, m_ub = draw(st.integers(0, 2), label="equality rows"), draw(st.integers(0, 3), label="inequality rows")

    def row():
        return tuple((j, a) for j in range(n) if (a := draw(_COEF)) != 0)

    c = [draw(_COEF) for _ in range(n)]
    A_eq = [row() for _ in range(m_eq)]
    A_ub = [row() for _ in range(m_ub)]
    b_eq = [draw(_COEF) for _ in range(m_eq)]
    b_ub = [draw(_COEF) for _ in range(m_ub)]
    kind = draw(st.sampled_from(["free", "free", "unbounded", "infeasible"]), label="built to be")
    if kind == "unbounded":
        # x = 0 feasible (b_eq = 0, b_ub >= 0) and column j0 free to grow: c_j0 > 0, no
        # equality row uses it, every inequality row has a coefficient <= 0 on it
        j0 = draw(st.integers(0, n - 1), label="growing column")
        c[j0] = abs(c[j0]) or F(1)
        A_eq = [tuple((j, a) for j, a in r if j != j0) for r in A_eq]
        A_ub = [tuple((j, -abs(a) if j == j0 else a) for j, a in r) for r in A_ub]
        b_eq, b_ub = [ZERO] * m_eq, [abs(b) for b in b_ub]
    elif kind == "infeasible":
        # an equality row with coefficients >= 0 and a right-hand side < 0
        A_eq.append(tuple((j, abs(a)) for j, a in row()))
        b_eq.append(-abs(draw(_COEF)) or F(-1))
    return LinearProgram(tuple(c), tuple(A_eq), tuple(b_eq), tuple(A_ub), tuple(b_ub))


@claim("PIS-LEM3")
@FILTERING
@given(small_lps(), st.data())
def test_the_exact_solvers_infeasibility_and_unboundedness_certificates_are_judged_correctly(evidence, lp, data):
    """The certificates behind every "no market makes p and p' optimal together" of Lemma 3 (an
    Infeasible of the exact solver) and behind every Unbounded: on small random LPs, whatever the
    solver answers carries a certificate that meets the conditions rewritten here (optimum:
    primal-dual; infeasible: Farkas ray; unbounded: ray and feasible point), and the checkers'
    verdicts and failure lines on random breakages of it equal the conditions'. Hard cases: an
    infeasible LP, an unbounded LP."""
    infeasible = unbounded = False
    try:
        res = solve_lp(lp)
    except Infeasible as exc:
        infeasible = True
        y_eq, y_ub = (list(v) for v in exc.certificate)
        assert _expected_farkas(lp, y_eq, y_ub) == [], "the solver's Farkas ray"
        assert _farkas_same(lp, y_eq, y_ub) == []
        if y_eq or y_ub:
            k = data.draw(st.integers(0, len(y_eq) + len(y_ub) - 1), label="ray entry")
            d = data.draw(st.sampled_from([F(-3), F(-1, 2), F(1, 3), F(4)]), label="by")
            e, u = (_moved(y_eq, k, d), y_ub) if k < len(y_eq) else (y_eq, _moved(y_ub, k - len(y_eq), d))
            _farkas_same(lp, e, u)
        _farkas_same(lp, [-v for v in y_eq], [-v for v in y_ub])
        _farkas_same(lp, [ZERO] * len(y_eq), [ZERO] * len(y_ub))
    except Unbounded as exc:
        unbounded = True
        d, x = list(exc.certificate), list(exc.point)
        assert _expected_unbounded(lp, d, x) == [], "the solver's ray and point"
        assert _unbounded_same(lp, d, x) == [] and _unbounded_same(lp, d) == []
        j = data.draw(st.integers(0, len(d) - 1), label="entry")
        by = data.draw(st.sampled_from([F(-3), F(-1, 2), F(1, 3), F(4)]), label="by")
        _unbounded_same(lp, _moved(d, j, by), x)
        _unbounded_same(lp, _moved(d, j, by))
        _unbounded_same(lp, d, _moved(x, j, by))
        _unbounded_same(lp, [-v for v in d], x)
        _unbounded_same(lp, [ZERO] * len(d))
        _unbounded_same(lp, d + [ZERO], x)
        _unbounded_same(lp, d, x + [ZERO])
        _type_errors(lambda *a: check_unbounded_ray(lp, *a),
                     [("d[0]", ([0.5] + d[1:], x)), ("x[0]", (d, [True] + x[1:]))])
        floaty = SimpleNamespace(c=[1.0] * len(d), A_eq=lp.A_eq, b_eq=lp.b_eq, A_ub=lp.A_ub, b_ub=lp.b_ub)
        _type_errors(lambda *a: check_unbounded_ray(floaty, *a), [("c", (d, x))])
        n = len(d)
        for name, wide in (("equality", SimpleNamespace(c=lp.c, A_eq=tuple(lp.A_eq) + (((n, F(1)),),),
                                                          b_eq=tuple(lp.b_eq) + (ZERO,), A_ub=lp.A_ub, b_ub=lp.b_ub)),
                           ("inequality", SimpleNamespace(c=lp.c, A_eq=lp.A_eq, b_eq=lp.b_eq,
                                                          A_ub=tuple(lp.A_ub) + (((n, F(1)),),),
                                                          b_ub=tuple(lp.b_ub) + (ZERO,)))):
            row = len(wide.A_eq) - 1 if name == "equality" else len(wide.A_ub) - 1
            chk = check_unbounded_ray(wide, d, x)
            assert chk.ok is False and chk.failures == (f"{name} row {row} names a column outside 0..{n - 1}",), chk
        # rays moved onto the boundaries of the conditions: a row of A d (or c.d) made exactly 0,
        # or exactly 1/2 on the wrong side, by moving one entry of d
        for rows in (lp.A_eq, lp.A_ub, (tuple((j, a) for j, a in enumerate(lp.c) if a),)):
            for row in rows:
                for j, a in row:
                    for target in (ZERO, F(1, 2), F(-1, 2)):
                        moved = _moved(d, j, (target - _dot(_dense([row], n)[0], d)) / F(a))
                        _unbounded_same(lp, moved, x)
    else:
        cert = ([F(v) for v in res.x], [F(v) for v in res.y_eq], [F(v) for v in res.y_ub], F(res.objective))
        assert _optimality_same(lp, cert) == []
        parts = list(cert[:3])
        k = data.draw(st.sampled_from([i for i in range(3) if parts[i]]), label="vector")
        i = data.draw(st.integers(0, len(parts[k]) - 1), label="index")
        parts[k] = _moved(parts[k], i, data.draw(st.sampled_from([F(-3), F(-1, 2), F(1, 3), F(4)]), label="by"))
        _optimality_same(lp, (*parts, cert[3]))
    evidence.reach("an infeasible LP (Farkas ray)", infeasible)
    evidence.reach("an unbounded LP (ray and feasible point)", unbounded)
    evidence.instances(1)
