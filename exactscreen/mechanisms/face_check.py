"""Independent check of the *optimal face* (paper 000, Sec. 3 and 4.2; issue 13, item 1).

:func:`exactscreen.mechanisms.optimum.optimal_mechanism` reports, over the set
``F`` of all optimal mechanisms of the LP of paper 000, Sec. 3::

    maximize   sum_t f(t) p(t)
    subject to sum_{a in A} x(t, a) = 1                        (lottery_t, a = 0 included)
               v(t, x(t)) - p(t) >= 0                          (IR_t)
               v(t, x(t)) - p(t) >= v(t, x(t')) - p(t')       (IC_{t -> t'})
               x >= 0, p >= 0

the range of every payment, surplus and allocation probability, and which
IR/IC edges bind in every / in some optimum.  This module re-checks all of
it from a :class:`FaceCertificate`, exactly and from scratch (it rebuilds the
rows from the environment's gross values and costs, fn 5):

1. **Base point.** ``x*`` is a mechanism of the LP with revenue ``R*`` (the
   certified optimum), so ``x* in F``.
2. **Equalities of F.** An optimal dual ``(y_eq, y_ub >= 0)`` with reduced
   costs ``f_j - (A^T y)_j <= 0`` and ``sum y_eq = R*``: every ``x in F`` has
   ``x_j = 0`` where the reduced cost is negative and row ``r`` tight where
   ``y_r > 0`` (complementary slackness).  Further *implicit* equalities: a
   step ``pi > 0`` on rows tight at ``x*`` whose combination ``sum pi_r a_r``
   is constant on the affine set of the equalities so far (checked by exact
   elimination) forces every one of them to be tight on ``F``.  ``H`` is the
   resulting set of equalities.
3. **Witnesses.** Mechanisms given as changes of ``x*``: each is checked to be
   in ``F`` (lotteries, ``x, p >= 0``, IR, IC, revenue ``R*``) on the types it
   changes and on every row touching them.
4. **Endpoints.** For ``hi = max q.x`` over ``F``: a witness with ``q.x = hi``
   (attained) and multipliers ``eta >= 0`` on inequality rows ``a_r x <= 0``
   (IR, IC, ``-x_j <= 0``) such that ``v = q - sum eta_r a_r`` is constant on
   the affine set of ``H`` (``v`` restricted to the free columns lies in the
   row space of ``H``); then ``q.x <= v.x = v.x*`` on ``F``, and ``v.x*`` must
   equal ``hi`` (LP duality).  ``lo`` likewise with ``-q``.  A point range
   (``lo = hi``) is the case ``eta = 0`` for both sides: ``q`` constant on ``H``'s
   affine set (the rank argument), with value ``q.x*``.
5. **Binding sets.** ``IC/IR`` binds in every optimum: its row is constant on
   ``H``'s affine set and tight at ``x*``; not in every optimum: a witness where
   its slack is positive; in some optimum: a witness where it is tight; in none:
   a dual bound (item 4) showing its slack's minimum over ``F`` is positive.

``payment_rule_unique`` (fn 14) and ``unique`` follow from the checked point
ranges and are recomputed here.

Independence: imports nothing from the engine (``structured``, ``optimum``,
``lp``) nor :class:`~exactscreen.mechanisms.mechanism.Mechanism`; exact
Fraction / integer arithmetic only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["FaceCertificate", "FaceCheck", "check_face", "CHECKED_BY"]

CHECKED_BY = "exactscreen.mechanisms.face_check.check_face"
_ZERO = Fraction(0)

# Row keys: ("ir", i); ("ic", i, t); ("nn", i, j) for -x(i, j) <= 0 (j = k: outside option,
# j = k + 1: the payment p(i)).  Quantity keys: ("p", i), ("u", i) (surplus), ("x", i, j).


@dataclass(frozen=True)
class FaceCertificate:
    """What :func:`check_face` checks (filled by the engine; plain data).

    ``base``: ``(allocation, payments)`` of ``x*`` (allocation rows have ``k + 1``
    entries, the outside option last).  ``y_eq`` (one per type), ``y_ub`` (row key
    -> multiplier): an optimal dual.  ``implicit``: steps ``{row key: pi > 0}``.
    ``witnesses``: ``{type index: (lottery, payment)}`` changes of ``x*``.
    ``bounds``: quantity key -> ``(lo_evidence, hi_evidence)``, each ``(witness,
    eta)`` with ``witness`` an index into ``witnesses`` or ``-1`` for ``x*`` and
    ``eta`` a dict row key -> multiplier.  ``not_always``: edge -> witness with
    positive slack; ``sometimes``: edge -> witness where it is tight (``-1``: ``x*``);
    ``never``: edge -> ``eta`` bounding ``max a_r x`` below 0.  Edges ``(i, t)``,
    ``t`` None for IR.
    """

    revenue: Fraction
    base: tuple
    y_eq: tuple
    y_ub: dict
    implicit: tuple = ()
    witnesses: tuple = ()
    bounds: dict = field(default_factory=dict)
    not_always: dict = field(default_factory=dict)
    sometimes: dict = field(default_factory=dict)
    never: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FaceCheck:
    """Result of :func:`check_face`: ``ok``, endpoints and edges checked, the first failure."""

    ok: bool
    endpoints: int = 0
    edges: int = 0
    failure: str = ""
    unique: bool | None = None
    payment_rule_unique: bool | None = None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"optimal face checked ({self.endpoints} endpoints, {self.edges} edges)"
        return self.failure


class _Fail(Exception):
    pass


def _q(v, where: str) -> Fraction:
    if type(v) is Fraction:
        return v
    if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
        raise _Fail(f"{where}: not an exact number ({v!r})")
    return Fraction(v)


class _Rowspace:
    """Row space of sparse rows (dict col -> Fraction) in reduced row echelon form."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[int, Fraction]] = {}  # pivot col -> row with 1 at pivot, 0 at other pivots
        self.by_col: dict[int, set[int]] = {}  # col -> pivots whose row has it

    def reduce(self, v: dict[int, Fraction]) -> dict[int, Fraction]:
        out = dict(v)
        for p in [c for c in v if c in self.rows]:
            a = v[p]
            if not a:
                continue
            for c, b in self.rows[p].items():
                out[c] = out.get(c, _ZERO) - a * b
        return {c: a for c, a in out.items() if a}

    def add(self, v: dict[int, Fraction]) -> None:
        r = self.reduce(v)
        if not r:
            return
        p = min(r)
        a = r[p]
        r = {c: b / a for c, b in r.items()}
        for q in list(self.by_col.get(p, ())):  # eliminate p from earlier rows
            row = self.rows[q]
            m = row[p]
            for c, b in r.items():
                nv = row.get(c, _ZERO) - m * b
                if nv:
                    if c not in row:
                        self.by_col.setdefault(c, set()).add(q)
                    row[c] = nv
                else:
                    row.pop(c, None)
                    self.by_col.get(c, set()).discard(q)
        self.rows[p] = r
        for c in r:
            self.by_col.setdefault(c, set()).add(p)

    def contains(self, v: dict[int, Fraction]) -> bool:
        return not self.reduce(v)


def check_face(env, market, certificate: FaceCertificate, claims: dict, always, sometimes) -> FaceCheck:
    """Check ``claims`` (quantity key -> ``(lo, hi)``) and the binding sets ``always`` /
    ``sometimes`` (edges ``(i, t)``, ``t`` None for IR; both None: binding sets not
    claimed) against ``certificate`` (module docstring).  Returns a :class:`FaceCheck` naming the first failure."""
    try:
        return _check(env, market, certificate, claims,
                      None if always is None else set(always), None if sometimes is None else set(sometimes))
    except _Fail as e:
        return FaceCheck(False, failure=str(e))


def _check(env, market, cert: FaceCertificate, claims: dict, always: set, sometimes: set) -> FaceCheck:
    types = tuple(env.types)
    n, k = len(types), len(tuple(env.alternatives))
    w = k + 2
    values = [[_q(v, f"values[{i}]") for v in row] for i, row in enumerate(env.values)]
    costs = [_q(c, "costs") for c in env.costs]
    V = [[a - c for a, c in zip(row, costs)] for row in values]  # net values (fn 5)
    f = [_q(x, "market weight") for x in market.weights]
    R = _q(cert.revenue, "revenue")

    def name(key) -> str:
        if key[0] == "ir":
            return f"IR({types[key[1]]})"
        if key[0] == "ic":
            return f"IC({types[key[1]]}->{types[key[2]]})"
        return f"x({types[key[1]]},{key[2]})>=0"

    def row(key) -> dict[int, Fraction]:
        """Coefficients of the inequality row ``a.x <= 0``."""
        try:
            kind, i = key[0], key[1]
            if not 0 <= i < n:
                raise IndexError
            if kind == "nn":
                j = key[2]
                if not 0 <= j <= k + 1:
                    raise IndexError
                return {i * w + j: Fraction(-1)}
            a = {i * w + j: -V[i][j] for j in range(k) if V[i][j]}
            a[i * w + k + 1] = Fraction(1)
            if kind == "ic":
                t = key[2]
                if not 0 <= t < n or t == i:
                    raise IndexError
                for j in range(k):
                    if V[i][j]:
                        a[t * w + j] = V[i][j]
                a[t * w + k + 1] = Fraction(-1)
            elif kind != "ir":
                raise IndexError
            return a
        except (IndexError, TypeError, KeyError):
            raise _Fail(f"certificate: unknown row {key!r}") from None

    def quantity(key) -> dict[int, Fraction]:
        kind, i = key[0], key[1]
        if kind == "p":
            return {i * w + k + 1: Fraction(1)}
        if kind == "x":
            return {i * w + key[2]: Fraction(1)}
        a = {i * w + j: V[i][j] for j in range(k) if V[i][j]}  # surplus v(t, x(t)) - p(t)
        a[i * w + k + 1] = Fraction(-1)
        return a

    def qname(key) -> str:
        if key[0] == "x":
            alt = (*env.alternatives, "0")[key[2]]
            return f"x({types[key[1]]},{alt})"
        return f"{'p' if key[0] == 'p' else 'surplus'}({types[key[1]]})"

    # 1. the base point x*: a mechanism with revenue R*
    alloc, pay = cert.base
    if len(alloc) != n or len(pay) != n or any(len(r) != k + 1 for r in alloc):
        raise _Fail("base: wrong shape")
    base = [(tuple(_q(q, "base allocation") for q in r), _q(p, "base payment")) for r, p in zip(alloc, pay)]
    X0 = [0] * (n * w)
    for i, (r, p) in enumerate(base):
        for j, q in enumerate(r):
            X0[i * w + j] = q
        X0[i * w + k + 1] = p

    def U(i: int, t: int, pt) -> Fraction:
        """v(t_i, x(t_t)) - p(t_t) at the point ``pt`` (type -> (lottery, payment))."""
        r, p = pt(t)
        Vi = V[i]
        return sum((Vi[j] * r[j] for j in range(k) if r[j] and Vi[j]), _ZERO) - p

    def check_types(pt, changed, what: str) -> None:
        for i in changed:
            r, p = pt(i)
            if any(q < 0 for q in r) or sum(r) != 1:
                raise _Fail(f"{what}: lottery of {types[i]} is not a probability vector")
            if p < 0:
                raise _Fail(f"{what}: p({types[i]}) = {p} < 0")
        own = {}
        ch = set(changed)
        for i in range(n):
            rows_t = range(n) if i in ch else ch
            for t in rows_t:
                if i not in own:
                    own[i] = U(i, i, pt)
                    if own[i] < 0:
                        raise _Fail(f"{what}: IR({types[i]}) violated")
                if t != i and U(i, t, pt) > own[i]:
                    raise _Fail(f"{what}: IC({types[i]}->{types[t]}) violated")

    base_pt = base.__getitem__
    check_types(base_pt, range(n), "base point")
    if sum((fi * base[i][1] for i, fi in enumerate(f) if fi), _ZERO) != R:
        raise _Fail("base point: revenue differs from the certified optimum")

    def slack(key, pt) -> Fraction:
        """``-a.x`` at ``pt``."""
        if key[0] == "nn":
            r, p = pt(key[1])
            return p if key[2] == k + 1 else r[key[2]]
        own = U(key[1], key[1], pt)
        return own if key[0] == "ir" else own - U(key[1], key[2], pt)

    # 2. the equalities of F: an optimal dual, then implicit steps
    y_eq = [_q(v, "y_eq") for v in cert.y_eq]
    if len(y_eq) != n:
        raise _Fail("dual: need one y_eq per type")
    if sum(y_eq, _ZERO) != R:
        raise _Fail("dual: sum of y_eq differs from the certified optimum")
    At_y = [_ZERO] * (n * w)
    H: list[dict[int, Fraction]] = []
    for key, y in cert.y_ub.items():
        y = _q(y, "y_ub")
        if y < 0:
            raise _Fail(f"dual: negative multiplier on {name(key)}")
        if key[0] == "nn":
            raise _Fail("dual: multipliers only on IR/IC rows")
        a = row(key)
        if y:
            for c, v in a.items():
                At_y[c] += y * v
            H.append(a)
    zero_cols = set()
    for i in range(n):
        for j in range(k + 2):
            c = i * w + j
            obj = f[i] if j == k + 1 else _ZERO
            rc = obj - At_y[c] - (y_eq[i] if j <= k else _ZERO)
            if rc > 0:
                raise _Fail(f"dual: reduced cost of column {c} is positive (not dual feasible)")
            if rc < 0:
                zero_cols.add(c)
    space = _Rowspace()

    def on_free(v: dict[int, Fraction]) -> dict[int, Fraction]:
        return {c: a for c, a in v.items() if c not in zero_cols}

    for i in range(n):
        space.add(on_free({i * w + j: Fraction(1) for j in range(k + 1)}))
    for a in H:
        space.add(on_free(a))
    for step, pis in enumerate(cert.implicit):
        comb: dict[int, Fraction] = {}
        for key, pi in pis.items():
            pi = _q(pi, "implicit")
            if pi <= 0:
                raise _Fail(f"implicit step {step}: multiplier of {name(key)} not positive")
            if slack(key, base_pt) != 0:
                raise _Fail(f"implicit step {step}: {name(key)} is not tight at x*")
            for c, v in row(key).items():
                comb[c] = comb.get(c, _ZERO) + pi * v
        if not space.contains(on_free(comb)):
            raise _Fail(f"implicit step {step}: the combination is not constant on the optimal face")
        for key in pis:
            if key[0] == "nn":
                zero_cols.add(key[1] * w + key[2])
            else:
                space.add(on_free(row(key)))
        if any(key[0] == "nn" for key in pis):  # rebuild on the smaller set of free columns
            rows = [dict(r) for r in space.rows.values()]
            space = _Rowspace()
            for r in rows:
                space.add(on_free(r))

    # 3. witnesses
    pts = []
    for m, delta in enumerate(cert.witnesses):
        ch = {}
        for i, (r, p) in delta.items():
            if not 0 <= i < n or len(r) != k + 1:
                raise _Fail(f"witness {m}: wrong shape")
            ch[i] = (tuple(_q(q, "witness") for q in r), _q(p, "witness"))

        def pt(i, ch=ch):
            return ch.get(i) or base[i]
        check_types(pt, sorted(ch), f"witness {m}")
        rev = R + sum((f[i] * (ch[i][1] - base[i][1]) for i in ch if f[i]), _ZERO)
        if rev != R:
            raise _Fail(f"witness {m}: revenue {rev} is not the certified optimum {R} (not optimal)")
        pts.append(pt)

    def point(idx: int, what: str):
        if idx == -1:
            return base_pt
        if not 0 <= idx < len(pts):
            raise _Fail(f"{what}: no witness {idx}")
        return pts[idx]

    def value(q: dict[int, Fraction], pt) -> Fraction:
        tot = _ZERO
        for c, a in q.items():
            i, j = divmod(c, w)
            r, p = pt(i)
            tot += a * (p if j == k + 1 else r[j])
        return tot

    def bound(q: dict[int, Fraction], eta: dict, what: str) -> Fraction:
        """Certified upper bound of ``q.x`` over F from ``eta`` (item 4)."""
        v = dict(q)
        for key, e in eta.items():
            e = _q(e, what)
            if e < 0:
                raise _Fail(f"{what}: negative multiplier on {name(key)}")
            for c, a in row(key).items():
                v[c] = v.get(c, _ZERO) - e * a
        if not space.contains(on_free({c: a for c, a in v.items() if a})):
            raise _Fail(f"{what}: the multipliers leave a direction that moves on the optimal face")
        return value({c: a for c, a in v.items() if a}, base_pt)

    # 4. every claimed range
    endpoints = 0
    for key, (lo, hi) in claims.items():
        what = qname(key)
        ev = cert.bounds.get(key)
        if ev is None:
            raise _Fail(f"{what}: no certificate for its range")
        q = quantity(key)
        for side, claimed, (widx, eta) in (("lo", lo, ev[0]), ("hi", hi, ev[1])):
            claimed = _q(claimed, what)
            got = value(q, point(widx, what))
            if got != claimed:
                raise _Fail(f"{what}: {side} endpoint {claimed} not attained (witness gives {got})")
            if side == "hi":
                b = bound(q, eta, f"{what} hi")
                if b != claimed:
                    raise _Fail(f"{what}: hi endpoint {claimed} but the dual bound is {b}")
            else:
                b = -bound({c: -a for c, a in q.items()}, eta, f"{what} lo")
                if b != claimed:
                    raise _Fail(f"{what}: lo endpoint {claimed} but the dual bound is {b}")
            endpoints += 1

    # 5. binding sets
    edges = 0
    for i in range(n if always is not None else 0):
        for t in [*range(n), None]:
            if t == i:
                continue
            key = ("ir", i) if t is None else ("ic", i, t)
            e = (i, t)
            if e in always:
                if slack(key, base_pt) != 0 or not space.contains(on_free(row(key))):
                    raise _Fail(f"{name(key)}: claimed binding in every optimum, not certified")
            else:
                m = cert.not_always.get(e)
                if m is None or slack(key, point(m, name(key))) <= 0:
                    raise _Fail(f"{name(key)}: claimed not binding in some optimum, no witness with slack")
            if e in sometimes:
                if e not in always:
                    m = cert.sometimes.get(e)
                    if m is None or slack(key, point(m, name(key))) != 0:
                        raise _Fail(f"{name(key)}: claimed binding in some optimum, no witness where it binds")
            else:
                if e in always:
                    raise _Fail(f"{name(key)}: in every optimum but not in some")
                eta = cert.never.get(e)
                if eta is None or bound(row(key), eta, name(key)) >= 0:
                    raise _Fail(f"{name(key)}: claimed never binding, no dual bound on its slack")
            edges += 1
    uniq = None
    pru = None
    if claims:
        pts_ = {key: lo == hi for key, (lo, hi) in claims.items()}
        support = [i for i in range(n) if f[i] > 0]
        pru = all(pts_.get(("p", i), False) for i in support)
        unique = pru and all(
            pts_.get(("x", i, j), False) for i in range(n) for j in range(k + 1))
        uniq = unique
    return FaceCheck(True, endpoints, edges, "", uniq, pru)
