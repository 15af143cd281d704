"""Paper 000, Sec. 3 (the LP (1)-(3)) and Lemma 1: the certificate checker of the optimal mechanism
must reject every broken certificate, and say exactly which condition fails (issue 13, item 4;
docs/mutation.md, run of 2026-12-03 (mut2)).

Every revenue, mechanism and consumer surplus of the PIS checks rests on
:func:`~exactscreen.mechanisms.certificate.check_mechanism_certificate`: the engine's optimum is
returned only when that checker accepts its primal-dual certificate.  The claim checks feed it
only *valid* certificates, so a checker that accepts too much (a dropped IC condition, a dual
constraint tested with the wrong sign, an objective not compared) passes all of them.  Here the
three conditions of LP duality for the LP of Sec. 3 are written out again, row by row in plain
Fraction arithmetic from the raw values and costs (own loops, no engine code):

1. primal: ``x >= 0`` (also ``p >= 0``), every lottery sums to 1, ``IR(t)``:
   ``v(t, x(t)) - p(t) >= 0`` and ``IC(t->s)``: ``v(t, x(t)) - p(t) >= v(t, x(s)) - p(s)``;
2. dual: ``y_ub >= 0``; column ``x(t, 0)`` (the outside option, worth 0): ``y_eq[t] >= 0``;
   column ``p(t)``: ``y_IR(t) + sum_s y_IC(t->s) - sum_s y_IC(s->t) >= f(t)``; column
   ``x(t, a)``: ``y_eq[t] - v(t, a) (y_IR(t) + sum_s y_IC(t->s)) + sum_s y_IC(s->t) v(s, a) >= 0``;
3. ``sum_t f(t) p(t) = sum_t y_eq[t] =`` the claimed objective.

Each violated condition is one failure line, with the exact amount.  The engine's certificate of
a generated (or the paper's) market is broken on purpose (an entry of ``x``, ``p``, ``y_eq``,
``y_ub`` or the objective moved by a random rational, or probability mass moved inside one
lottery), and the checker's verdict and failure lines must equal this module's, as a multiset;
with ``max_failures`` the checker keeps that many of them.  Malformed input (wrong lengths, a
float or a bool entry) is refused with a message naming the field.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactscreen.claims import claim
from exactscreen.environment import Market
from exactscreen.mechanisms.certificate import check_mechanism_certificate
from exactscreen.mechanisms.structured import solve_mechanism
from exactscreen.strategies import environments, markets

from .pis_common import FILTERING, sec311

ZERO = F(0)


def _expected_failures(env, market, x, y_eq, y_ub, objective) -> list[str]:
    """Every violated condition of LP duality (module docstring), one line each, from scratch."""
    n, k = len(env.types), len(env.alternatives)
    names, alts = env.types, env.alternatives
    net = [[F(v) - F(c) for v, c in zip(row, env.costs)] for row in env.values]
    f = [F(w) for w in market.weights]
    w = k + 2
    xs, ye, yu, obj = [F(v) for v in x], [F(v) for v in y_eq], [F(v) for v in y_ub], F(objective)
    lot = [xs[t * w: t * w + k] for t in range(n)]
    out = [xs[t * w + k] for t in range(n)]
    pay = [xs[t * w + k + 1] for t in range(n)]

    def value(t, s):  # v(t, x(s)): type t's value of type s's lottery
        return sum((net[t][a] * lot[s][a] for a in range(k)), ZERO)

    def ir_dual(t):
        return yu[t * n]

    def ic_dual(t, s):  # IC(t -> s): after IR(t), the IC rows of t in the order of s, skipping t
        return yu[t * n + 1 + s] if s < t else yu[t * n + s]

    lines = []
    lines += [f"x[{j}] = {v} < 0" for j, v in enumerate(xs) if v < 0]
    for t in range(n):
        total = sum(lot[t], ZERO) + out[t]
        if total != 1:
            lines.append(f"prob({names[t]}): lottery sums to {total}, not 1")
    for t in range(n):
        own = value(t, t) - pay[t]
        if own < 0:
            lines.append(f"IR({names[t]}) violated by {-own}")
        for s in range(n):
            if s != t and value(t, s) - pay[s] > own:
                lines.append(f"IC({names[t]}->{names[s]}) violated by {value(t, s) - pay[s] - own}")
    lines += [f"y_ub[{r}] = {v} < 0" for r, v in enumerate(yu) if v < 0]
    lines += [f"dual constraint of x({names[t]},0): y_eq = {ye[t]} < 0" for t in range(n) if ye[t] < 0]
    for t in range(n):
        col = ir_dual(t) + sum((ic_dual(t, s) for s in range(n) if s != t), ZERO) \
            - sum((ic_dual(s, t) for s in range(n) if s != t), ZERO)
        if col < f[t]:
            lines.append(f"dual constraint of p({names[t]}): {col} < f = {f[t]}")
    for t in range(n):
        leaving = ir_dual(t) + sum((ic_dual(t, s) for s in range(n) if s != t), ZERO)
        for a in range(k):
            col = ye[t] - net[t][a] * leaving + sum((ic_dual(s, t) * net[s][a] for s in range(n) if s != t), ZERO)
            if col < 0:
                lines.append(f"dual constraint of x({names[t]},{alts[a]}): {col} < 0")
    revenue = sum((fi * p for fi, p in zip(f, pay)), ZERO)
    if revenue != obj:
        lines.append(f"revenue {revenue} differs from the claimed objective {obj}")
    if sum(ye, ZERO) != obj:
        lines.append(f"dual objective {sum(ye, ZERO)} differs from the claimed objective {obj}")
    return lines


def _certificate(env, market):
    res = solve_mechanism(env, market).result
    return [F(v) for v in res.x], [F(v) for v in res.y_eq], [F(v) for v in res.y_ub], F(res.objective)


def _same_verdict(env, market, cert, max_failures=None) -> list[str]:
    """The checker's verdict and failure lines equal this module's (as multisets); returns them."""
    expected = _expected_failures(env, market, *cert)
    kw = {} if max_failures is None else {"max_failures": max_failures}
    chk = check_mechanism_certificate(env, market, *cert, **kw)
    cap = 20 if max_failures is None else max_failures
    assert chk.ok == (not expected), f"checker ok={chk.ok}, LP conditions violated: {expected}"
    got = list(chk.failures)
    if len(expected) <= cap:
        assert Counter(got) == Counter(expected), f"checker {got}\nconditions {expected}"
    else:
        assert len(got) == cap and not Counter(got) - Counter(expected), \
            f"checker kept {len(got)} of {len(expected)} failures (cap {cap}): {got}"
    return expected


def _rational(draw, label):
    return draw(st.fractions(-2, 2, max_denominator=4).filter(lambda d: d != 0), label=label)


def _break(draw, env, cert):
    """One random breakage of a certificate: an entry moved by a nonzero rational, or mass moved
    inside one type's lottery (the lottery still sums to 1: only IC, IR or the duals can tell)."""
    x, ye, yu, obj = list(cert[0]), list(cert[1]), list(cert[2]), cert[3]
    n, k = env.n, env.k
    w = k + 2
    kind = draw(st.sampled_from(["x", "p", "y_eq", "y_ub", "objective", "move"]), label="breakage")
    d = _rational(draw, "by")
    if kind == "x":
        j = draw(st.integers(0, n * w - 1), label="x entry")
        x[j] += d
    elif kind == "p":
        t = draw(st.integers(0, n - 1), label="type")
        x[t * w + k + 1] += d
    elif kind == "y_eq":
        ye[draw(st.integers(0, n - 1), label="y_eq entry")] += d
    elif kind == "y_ub":
        yu[draw(st.integers(0, n * n - 1), label="y_ub entry")] += d
    elif kind == "objective":
        obj += d
    else:
        t = draw(st.integers(0, n - 1), label="type")
        a, b = draw(st.integers(0, k), label="from"), draw(st.integers(0, k), label="to")
        x[t * w + a] -= abs(d)
        x[t * w + b] += abs(d)
    return kind, (x, ye, yu, obj)


def _malformed_input_is_refused(env, market, cert) -> None:
    x, ye, yu, obj = cert
    n, w = env.n, env.k + 2
    chk = check_mechanism_certificate(env, market, x[:-1], ye, yu, obj)
    assert chk.ok is False and chk.failures == (f"x has {n * w - 1} entries, the LP {n * w} columns",)
    chk = check_mechanism_certificate(env, market, x, ye + [ZERO], yu, obj)
    assert chk.ok is False and chk.failures == (f"duals: need {n} + {n * n} entries, got {n + 1} + {n * n}",)
    chk = check_mechanism_certificate(env, market, x, ye, yu[:-1], obj)
    assert chk.ok is False and chk.failures == (f"duals: need {n} + {n * n} entries, got {n} + {n * n - 1}",)
    for field, bad in (("x[0]", (x[:0] + [0.5] + x[1:], ye, yu, obj)), ("y_eq[0]", (x, [True] + ye[1:], yu, obj)),
                       ("y_ub[0]", (x, ye, ["0"] + yu[1:], obj)), ("objective", (x, ye, yu, float(obj)))):
        with pytest.raises(TypeError) as info:
            check_mechanism_certificate(env, market, *bad)
        assert str(info.value).startswith(f"{field}: certificate entries must be int or Fraction, got "), \
            str(info.value)
    # ints are exact entries (the engine passes its zeros as the int 0)
    ints = [int(v) if v.denominator == 1 else v for v in x]
    assert check_mechanism_certificate(env, market, ints, ye, yu, obj).ok == (not _expected_failures(env, market, *cert))


def _wholesale_breakage(env, market, cert) -> int:
    """Everything broken at once (every entry lowered by 3, the objective raised by 1): the
    checker reports the violated conditions up to its cap (default 20) and honours a given cap."""
    x, ye, yu, obj = cert
    bad = ([v - 3 for v in x], [v - 3 for v in ye], [v - 3 for v in yu], obj + 1)
    expected = _same_verdict(env, market, bad)
    for cap in (1, 3, len(expected), len(expected) + 1):
        _same_verdict(env, market, bad, max_failures=cap)
    return len(expected)


@claim("PIS-LEM1")
def test_the_mechanism_certificate_of_sec311_is_rejected_when_broken(evidence):
    """Sec. 3.1.1 (Fig. 1, Fig. 4a; tL = (3/4, 1), tH = (1, 2)) at q = 1/10, 1/2, 9/10, one market
    in each of the paper's three intervals: the engine's certificate satisfies the three LP
    duality conditions of Sec. 3 as rewritten here, its payment rule is the paper's (p1 = (1, 1),
    p2 = (0.75, 1.75), p3 = (0, 2), Sec. 3.1.1 and Sec. 4.2.1), and every single-entry breakage of
    it is rejected by the checker with exactly the violated conditions, including a move of
    probability inside a lottery (IC/IR only) and an IC multiplier raised (dual x-columns)."""
    env = sec311()
    # Sec. 3.1.1: aH to both at price 1 on [0, 0.25]; aL to tL at 0.75 and aH to tH at 1.75 on
    # (0.25, 0.75]; the outside option to tL and aH to tH at 2 on (0.75, 1]
    stated = {F(1, 10): (F(1), F(1)), F(1, 2): (F(3, 4), F(7, 4)), F(9, 10): (F(0), F(2))}
    for q, payments in stated.items():
        market = Market(env, (1 - q, q))
        cert = _certificate(env, market)
        assert _same_verdict(env, market, cert) == []
        w = env.k + 2
        evidence.equal(f"payment rule (p(tL), p(tH)) at q = {q} (Sec. 3.1.1)",
                       tuple(cert[0][t * w + w - 1] for t in range(env.n)), payments)
        evidence.equal(f"certified optimal revenue at q = {q}", cert[3], (1 - q) * payments[0] + q * payments[1])
        x, ye, yu, obj = cert
        n, w = env.n, env.k + 2
        broken = 0
        for j in range(len(x)):
            for d in (F(-1, 2), F(1, 3)):
                b = list(x)
                b[j] += d
                broken += bool(_same_verdict(env, market, (b, ye, yu, obj)))
        for j in range(len(ye)):
            for d in (F(-1, 2), F(1, 3)):
                b = list(ye)
                b[j] += d
                broken += bool(_same_verdict(env, market, (x, b, yu, obj)))
        for j in range(len(yu)):
            for d in (F(-1, 2), F(1, 3)):
                b = list(yu)
                b[j] += d
                broken += bool(_same_verdict(env, market, (x, ye, b, obj)))
        for t in range(n):  # mass moved from the chosen alternative to the outside option
            b = list(x)
            a = max(range(env.k), key=lambda a: b[t * w + a])
            b[t * w + a] -= F(1, 4)
            b[t * w + env.k] += F(1, 4)
            broken += bool(_same_verdict(env, market, (b, ye, yu, obj)))
        assert _same_verdict(env, market, (x, ye, yu, obj + F(1, 7)))
        assert broken >= 2 * (len(x) + len(ye)), broken
        _malformed_input_is_refused(env, market, cert)
        assert _wholesale_breakage(env, market, cert) > 20  # over the default cap of 20 failures
    evidence.note("Sec. 3.1.1: the engine's certificate meets the LP conditions of Sec. 3 (rewritten here); "
                  "every single-entry breakage is rejected with exactly the violated conditions")


@claim("PIS-LEM1")
@FILTERING
@given(environments(min_types=1, max_types=3, max_alternatives=3), st.data())
def test_broken_mechanism_certificates_are_rejected_with_the_violated_conditions(evidence, env, data):
    """Generated environments (ties, copied types, costs, negative net values) and markets (zero
    weights allowed): the engine's certificate meets the LP conditions of Sec. 3 as rewritten
    here, and four random breakages of it get exactly the checker's verdict and failure lines.
    Hard cases: a breakage that the conditions reject; one that violates a dual constraint of an
    allocation column x(t, a) (where the IC multipliers' cross terms v(s, a) enter)."""
    market = data.draw(markets(env), label="market")
    cert = _certificate(env, market)
    assert _same_verdict(env, market, cert) == []
    rejected, cross = False, False
    for _ in range(4):
        _, bad = _break(data.draw, env, cert)
        expected = _same_verdict(env, market, bad)
        rejected |= bool(expected)
        cross |= any(line.startswith("dual constraint of x(") and "y_eq =" not in line for line in expected)
    if data.draw(st.booleans(), label="everything broken at once"):
        _wholesale_breakage(env, market, cert)
    evidence.reach("a breakage the LP conditions reject", rejected)
    evidence.reach("a dual constraint of an allocation column x(t, a) violated", cross)
    evidence.instances(1)


# ------------------------------------------------------------------ the selected mechanism
def _expected_selected(env, market, allocation, payments, revenue, max_failures=10) -> list[str]:
    """The violated conditions of the LP of Sec. 3 at a mechanism, in the documented checking
    order of ``check_selected_mechanism`` (x >= 0 and the sum per lottery, type by type; p >= 0;
    IR(t) then IC(t->s) per type; the revenue), the first ``max_failures`` of them."""
    n, k = env.n, env.k
    names, opts = env.types, (*env.alternatives, "0")
    net = [[F(v) - F(c) for v, c in zip(row, env.costs)] + [ZERO] for row in env.values]
    x = [[F(q) for q in row] for row in allocation]
    p = [F(v) for v in payments]
    lines = []
    for t in range(n):
        lines += [f"x({names[t]},{opts[a]}) = {x[t][a]} < 0" for a in range(k + 1) if x[t][a] < 0]
        if sum(x[t], ZERO) != 1:
            lines.append(f"prob({names[t]}): lottery sums to {sum(x[t], ZERO)}, not 1")
    lines += [f"p({names[t]}) = {p[t]} < 0" for t in range(n) if p[t] < 0]
    for t in range(n):
        def u(s):  # type t's surplus from reporting s
            return sum((net[t][a] * x[s][a] for a in range(k + 1)), ZERO) - p[s]
        if u(t) < 0:
            lines.append(f"IR({names[t]}): surplus {u(t)} < 0")
        lines += [f"IC({names[t]}->{names[s]}): misreport gains {u(s) - u(t)}" for s in range(n)
                  if s != t and u(s) > u(t)]
    got = sum((F(f) * q for f, q in zip(market.weights, p)), ZERO)
    if got != F(revenue):
        lines.append(f"revenue: sum_t f(t) p(t) = {got}, certified optimum {F(revenue)}")
    return lines[:max_failures]


def _selected_same_verdict(env, market, mech, max_failures=None) -> list[str]:
    """``check_selected_mechanism``'s verdict, failure lines (in order) and text equal this module's."""
    from exactscreen.mechanisms.selected_check import check_selected_mechanism

    kw = {} if max_failures is None else {"max_failures": max_failures}
    expected = _expected_selected(env, market, *mech, **kw)
    chk = check_selected_mechanism(env, market, *mech, **kw)
    assert chk.ok == bool(chk) == (not expected), f"selected_check ok={chk.ok}, conditions violated: {expected}"
    assert list(chk.failures) == expected, f"selected_check {list(chk.failures)}\nconditions {expected}"
    assert str(chk) == ("; ".join(expected) if expected else "selected mechanism checked")
    return expected


def _as_mechanism(env, cert):
    """(allocation with the outside option last, payments, revenue) of a certificate's ``x``."""
    x, _, _, obj = cert
    w = env.k + 2
    return [list(x[t * w: t * w + env.k + 1]) for t in range(env.n)], [x[t * w + w - 1] for t in range(env.n)], obj


def _selected_malformed_input_is_refused(env, market, mech) -> None:
    from exactscreen.mechanisms.selected_check import check_selected_mechanism

    alloc, pay, rev = mech
    n, k = env.n, env.k
    shape = (f"shape: need {n} lotteries of {k + 1} entries and {n} payments",)
    for bad in ((alloc[:-1], pay), (alloc, pay[:-1]), ([row[:-1] for row in alloc], pay)):
        chk = check_selected_mechanism(env, market, *bad, rev)
        assert chk.ok is False and chk.failures == shape, chk.failures
    cases = [("allocation[0][0]", ([[0.5] + alloc[0][1:]] + alloc[1:], pay, rev)),
             ("payments[0]", (alloc, [True] + pay[1:], rev)), ("revenue", (alloc, pay, "1"))]
    for field, bad in cases:
        with pytest.raises(TypeError) as info:
            check_selected_mechanism(env, market, *bad)
        assert str(info.value).startswith(f"{field}: entries must be int or Fraction, got "), str(info.value)
    # ints are exact entries, as Fractions are
    ints = [[int(q) if q.denominator == 1 else q for q in row] for row in alloc]
    assert check_selected_mechanism(env, market, ints, pay, rev).ok


@claim("PIS-LEM1")
def test_the_selected_mechanism_check_of_sec311_rejects_broken_mechanisms(evidence):
    """Sec. 3.1.1 (q = 1/10, 1/2, 9/10): the optimal mechanism (the paper's p1, p2, p3) passes the
    independent selected-mechanism check, and each single-entry breakage (a probability, a
    payment, the revenue; probability moved to the outside option) is rejected with exactly
    the violated conditions of Sec. 3, in the documented order, the first ``max_failures``."""
    env = sec311()
    rejected = 0
    for q in (F(1, 10), F(1, 2), F(9, 10)):
        market = Market(env, (1 - q, q))
        mech = _as_mechanism(env, _certificate(env, market))
        assert _selected_same_verdict(env, market, mech) == []
        alloc, pay, rev = mech
        for t in range(env.n):
            for a in range(env.k + 1):
                for d in (F(-1, 2), F(1, 3)):
                    b = [list(r) for r in alloc]
                    b[t][a] += d
                    rejected += bool(_selected_same_verdict(env, market, (b, pay, rev)))
            for d in (F(-1, 2), F(1, 3), F(-3)):
                b = list(pay)
                b[t] += d
                rejected += bool(_selected_same_verdict(env, market, (alloc, b, rev)))
            b = [list(r) for r in alloc]
            a = max(range(env.k), key=lambda a: b[t][a])
            b[t][a] -= F(1, 4)
            b[t][env.k] += F(1, 4)
            rejected += bool(_selected_same_verdict(env, market, (b, pay, rev)))
        assert _selected_same_verdict(env, market, (alloc, pay, rev + F(1, 7)))
        bad = ([[q - 3 for q in row] for row in alloc], [v - 5 for v in pay], rev + 1)
        assert len(_expected_selected(env, market, *bad, max_failures=100)) > 10
        for cap in (None, 1, 2, 100):
            _selected_same_verdict(env, market, bad, max_failures=cap)
        _selected_malformed_input_is_refused(env, market, mech)
    assert rejected >= 3 * 2 * 6, rejected
    evidence.note(f"Sec. 3.1.1: the optimal mechanisms pass selected_check; {rejected} broken copies are rejected "
                  "with exactly the violated conditions (rewritten here)")


@claim("PIS-LEM1")
@FILTERING
@given(environments(min_types=1, max_types=3, max_alternatives=3), st.data())
def test_broken_selected_mechanisms_are_rejected_with_the_violated_conditions(evidence, env, data):
    """Generated environments and markets: the optimal mechanism of the engine's certificate
    passes the selected-mechanism check, and four random breakages of it (a probability or a
    payment moved, probability moved inside a lottery, the revenue changed) and one constructed
    breakage (a payment p(s) lowered by more than some type's IC slack towards s, the revenue
    recomputed: only IC rows can fail) get exactly the checker's verdict and failure lines.  Hard cases: a breakage
    rejected by IC alone (the lotteries and payments still valid, IR holding); one rejected by
    IR."""
    market = data.draw(markets(env), label="market")
    mech = _as_mechanism(env, _certificate(env, market))
    assert _selected_same_verdict(env, market, mech) == []
    only_ic, ir = False, False
    for _ in range(4):
        kind, bad = _break(data.draw, env, _certificate_of(env, mech))
        if kind in ("y_eq", "y_ub"):
            continue
        got = _selected_same_verdict(env, market, _as_mechanism(env, bad),
                                     max_failures=data.draw(st.sampled_from([None, 1, 2]), label="cap"))
        only_ic |= bool(got) and all(line.startswith("IC(") for line in got)
        ir |= any(line.startswith("IR(") for line in got)
    # constructed: type s's payment lowered by more than type t's IC slack towards s (p(s) stays
    # >= 0, IR only gets slacker) and the revenue recomputed, so that only IC rows can fail
    alloc, pay, _ = mech
    net = [[F(v) - F(c) for v, c in zip(row, env.costs)] + [ZERO] for row in env.values]

    def u(t, s):
        return sum((net[t][a] * alloc[s][a] for a in range(env.k + 1)), ZERO) - pay[s]

    pairs = [(t, s) for t in range(env.n) for s in range(env.n) if s != t and pay[s] > u(t, t) - u(t, s)]
    if pairs:
        t, s = data.draw(st.sampled_from(pairs), label="IC row t -> s")
        slack = u(t, t) - u(t, s)
        lowered = list(pay)
        lowered[s] -= slack + min(pay[s] - slack, data.draw(st.sampled_from([F(1, 4), F(1, 2), F(1)]), label="by"))
        rev = sum((F(f) * q for f, q in zip(market.weights, lowered)), ZERO)
        got = _selected_same_verdict(env, market, (alloc, lowered, rev))
        assert got and all(line.startswith("IC(") for line in got), got
        only_ic = True
    evidence.reach("a broken mechanism rejected by IC alone", only_ic)
    evidence.reach("a broken mechanism rejected by IR", ir)
    evidence.instances(1)


def _certificate_of(env, mech):
    """The inverse of :func:`_as_mechanism` (no duals: the breakage of ``x`` and the objective only)."""
    alloc, pay, rev = mech
    x = []
    for t in range(env.n):
        x += list(alloc[t]) + [pay[t]]
    return x, [ZERO] * env.n, [ZERO] * (env.n * env.n), rev


# ------------------------------------------------------------------ the LP itself, as built
def _sparse(row) -> dict[int, F]:
    out: dict[int, F] = {}
    for j, a in row:
        out[j] = out.get(j, ZERO) + F(a)
    return {j: a for j, a in out.items() if a}


def _expected_lp(env, market):
    """The LP of Sec. 3 in the layout of the module docstring, rows as {column: coefficient}."""
    n, k = env.n, env.k
    w = k + 2
    net = [[F(v) - F(c) for v, c in zip(row, env.costs)] for row in env.values]
    names = [name for t in env.types for name in [f"x({t},{a})" for a in env.alternatives] + [f"x({t},0)", f"p({t})"]]
    c = [ZERO] * (n * w)
    for t, f in enumerate(market.weights):
        c[t * w + k + 1] = F(f)
    eq = [({t * w + a: F(1) for a in range(k + 1)}, f"prob({env.types[t]})") for t in range(n)]
    ub = []
    for t in range(n):
        own = {t * w + a: -net[t][a] for a in range(k) if net[t][a]}
        ub.append(({**own, t * w + k + 1: F(1)}, f"IR({env.types[t]})"))
        for s in range(n):
            if s != t:
                row = dict(own)
                row[t * w + k + 1] = F(1)
                for a in range(k):
                    if net[t][a]:
                        row[s * w + a] = row.get(s * w + a, ZERO) + net[t][a]
                row[s * w + k + 1] = row.get(s * w + k + 1, ZERO) - 1
                ub.append(({j: v for j, v in row.items() if v}, f"IC({env.types[t]}->{env.types[s]})"))
    return c, eq, ub, names


@claim("PIS-LEM1")
@FILTERING
@given(environments(min_types=1, max_types=3, max_alternatives=3), st.data())
def test_the_mechanism_lp_is_the_lp_of_sec3_with_its_names(evidence, env, data):
    """``mechanism_lp`` (the LP every optimum, face and payment polytope is computed from) is the
    LP of Sec. 3 written out here: n(k+2) columns named x(t,a), x(t,0), p(t); objective f(t) on
    p(t) and 0 elsewhere; rows prob(t) = 1, IR(t), IC(t->s) with the net values, right-hand
    sides 1 and 0, and the row names a certificate's failure lines and the face report use.
    Hard case: three types (IC rows between two other types than the first)."""
    from exactscreen.mechanisms.optimum import mechanism_lp

    market = data.draw(markets(env), label="market")
    lp = mechanism_lp(env, market)
    c, eq, ub, names = _expected_lp(env, market)
    assert list(lp.c) == c, "objective vector"
    assert list(lp.var_names) == names
    assert [_sparse(r) for r in lp.A_eq] == [r for r, _ in eq] and list(lp.b_eq) == [F(1)] * env.n
    assert list(lp.eq_names) == [name for _, name in eq]
    assert [_sparse(r) for r in lp.A_ub] == [r for r, _ in ub] and list(lp.b_ub) == [ZERO] * len(ub)
    assert list(lp.ub_names) == [name for _, name in ub]
    evidence.reach("three types", env.n == 3)
    evidence.instances(1)
