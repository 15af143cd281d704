"""Evidence for the optimal face, for the independent checker (issue 13, item 1).

Engine side: reads a :class:`~exactscreen.mechanisms.structured.StructuredFace`
(the face as ``x* + D w``, ``w`` in ``{G w <= h}``) and writes a
:class:`~exactscreen.mechanisms.face_check.FaceCertificate`, which
:func:`exactscreen.mechanisms.face_check.check_face` verifies without any of
this code:

* the certified dual ``y`` of the optimum (complementary slackness gives the
  face's equalities) and, when the face has implicit equalities, one step
  ``pi >= 1`` on them with ``sum pi_r a_r`` constant on the earlier equalities
  (the dual of the Freund-Roundy-Todd LP, solved exactly);
* per range endpoint, a witness (the face point the engine's maximization
  returned) and multipliers ``eta >= 0`` on the rows tight there: in the
  coordinates ``w`` of each block, ``g = sum eta_r G_r`` (a square exact solve
  on independent tight rows, or a small exact LP when the vertex is
  degenerate), mapped back to the model's rows through the row each ``G_r``
  came from (``StructuredFace.origin``);
* per IC/IR edge, the witnesses and bounds of its binding status.
"""

from __future__ import annotations

from fractions import Fraction

from flint import fmpq_mat

from ..exceptions import NotCertified
from ..lp.exact import LinearProgram, solve_lp
from .face_check import FaceCertificate
from .structured import _primitive, _row_terms, _sparse_primitive

ZERO = Fraction(0)


class _Evidence:
    def __init__(self, face) -> None:
        self.face = face
        d = face.d
        self.d, self.n, self.k, self.w = d, d.n, d.k, d.w
        x = face.x
        self.base = (
            tuple(tuple(x[d.xcol(i, j)] for j in range(d.k + 1)) for i in range(d.n)),
            tuple(x[d.pcol(i)] for i in range(d.n)),
        )
        self.witnesses: list[dict] = []
        self.index: dict[tuple, int] = {}
        # columns moved by each coordinate of w
        self.cols_of: dict[int, list[int]] = {}
        for a, r in face.D.items():
            for b in r:
                self.cols_of.setdefault(b, []).append(a)

    # -- keys -------------------------------------------------------------
    def key(self, origin) -> tuple:
        if origin[0] == "x>=0":
            i, j = divmod(self.face.Z[origin[1]], self.w)
            return ("nn", i, j)
        return origin

    # -- witnesses ---------------------------------------------------------
    def witness(self, wpt: dict | None) -> int:
        if not wpt:
            return -1
        wk = tuple(sorted((b, v) for b, v in wpt.items() if v))
        if not wk:
            return -1
        got = self.index.get(wk)
        if got is not None:
            return got
        face, x = self.face, self.face.x
        cols = {a for b, _ in wk for a in self.cols_of.get(b, ())}
        alloc, pay = self.base
        ch: dict[int, tuple[list, Fraction]] = {}
        wd = dict(wk)
        for a in cols:
            col = face.Z[a]
            v = x[col] + sum((u * wd[b] for b, u in face.D[a].items() if b in wd), ZERO)
            i, j = divmod(col, self.w)
            r, p = ch.get(i) or (list(alloc[i]), pay[i])
            if j == self.k + 1:
                p = v
            else:
                r[j] = v
            ch[i] = (r, p)
        self.witnesses.append({i: (tuple(r), p) for i, (r, p) in ch.items()})
        self.index[wk] = len(self.witnesses) - 1
        return self.index[wk]

    # -- dual multipliers --------------------------------------------------
    def eta(self, g: dict, wpt: dict) -> dict:
        """Model-row multipliers ``eta >= 0`` with ``g = sum eta_r (a_r D)`` over the rows tight
        at ``wpt`` (``g`` maximized there)."""
        face = self.face
        out: dict = {}
        for k_, part in face._split(g).items():
            blk = face.blocks[k_]
            wl = [wpt.get(b, ZERO) for b in blk.coords]
            tight = [a for a, (G, h) in enumerate(zip(blk.G, blk.h))
                     if sum((u * v for u, v in zip(G, wl) if u), ZERO) == h]
            lam = self._nonneg(blk, tight, part)
            for a, e in lam.items():
                if not e:
                    continue
                origin, olam = face.origin[blk.rows[a]]
                scale = (self.d.s if origin[0] != "x>=0" else 1) / olam
                key = self.key(origin)
                out[key] = out.get(key, ZERO) + e * scale
        return out

    def _nonneg(self, blk, tight: list[int], g) -> dict[int, Fraction]:
        dim = len(blk.coords)
        # greedy independent subset of the tight rows
        chosen, echelon = [], []
        for a in tight:
            v = [Fraction(u) for u in blk.G[a]]
            for piv, e in echelon:
                if v[piv]:
                    m = v[piv] / e[piv]
                    v = [p - m * q for p, q in zip(v, e)]
            nzp = next((c for c, u in enumerate(v) if u), None)
            if nzp is not None:
                echelon.append((nzp, v))
                chosen.append(a)
                if len(chosen) == dim:
                    break
        if len(chosen) == dim:
            A = fmpq_mat([[blk.G[a][b] for a in chosen] for b in range(dim)])  # columns: chosen rows
            gp, lam = _primitive(list(g))
            rhs = fmpq_mat(dim, 1, list(gp))
            sol = A.solve(rhs)
            vals = [Fraction(int(sol[a, 0].p), int(sol[a, 0].q)) * lam for a in range(dim)]
            if all(v >= 0 for v in vals):
                return dict(zip(chosen, vals))
        # degenerate vertex: a small exact LP over the tight rows
        A_eq = tuple(tuple((c, Fraction(blk.G[a][b])) for c, a in enumerate(tight) if blk.G[a][b])
                     for b in range(dim))
        res = solve_lp(LinearProgram((ZERO,) * len(tight), A_eq, tuple(Fraction(v) for v in g), (), ()))
        return {a: res.x[c] for c, a in enumerate(tight) if res.x[c]}

    def bound(self, q: dict) -> tuple[int, dict]:
        """(witness, eta) for ``max q.x`` over the face."""
        g = self.face.direction(q)
        if not g:
            return -1, {}
        _, wpt = self.face.maximize(g)
        return self.witness(wpt), self.eta(g, wpt)

    # -- implicit equalities -------------------------------------------------
    def implicit(self) -> tuple:
        info = self.face.implicit_info
        if info is None:
            return ()
        implicit, cone, N0rows, by0 = info
        face = self.face
        coords = sorted({b for g in implicit for b, _ in g})
        loc = {b: a for a, b in enumerate(coords)}
        m = len(implicit)
        # pi = 1 + pi', pi' >= 0, sum pi_r g_r = 0
        A_eq, b_eq = [], []
        for b in coords:
            A_eq.append([])
            b_eq.append(ZERO)
        for r, g in enumerate(implicit):
            for b, v in g:
                A_eq[loc[b]].append((r, Fraction(v)))
                b_eq[loc[b]] -= v
        res = solve_lp(LinearProgram((ZERO,) * m, tuple(tuple(r) for r in A_eq), tuple(b_eq), (), ()))
        out = {}
        for r, g in enumerate(implicit):
            pi = 1 + res.x[r]
            c = cone[g]
            if c[0] == "x>=0":
                _, lam = _sparse_primitive({b: -v for b, v in N0rows[c[1]].items()})
                scale = 1 / lam
            else:
                got = face._row_image(c, face.pos, by0, N0rows, {})
                scale = Fraction(self.d.s) / got[2]
            key = self.key(c)
            out[key] = out.get(key, ZERO) + pi * scale
        return (out,)


def face_certificate(face, revenue: Fraction, binding: bool, always, sometimes) -> FaceCertificate:
    """The certificate of every range (and, with ``binding``, every edge, given as index pairs
    ``(i, t)``, ``t`` None for IR) of ``face``."""
    ev = _Evidence(face)
    d, n, k, w = ev.d, ev.n, ev.k, ev.w
    res = face.res
    y_ub = {}
    for r, v in enumerate(res.y_ub):
        if v is not ZERO and v:
            i, rem = divmod(r, n)
            y_ub[("ir", i) if rem == 0 else ("ic", i, rem - 1 if rem - 1 < i else rem)] = v
    try:
        implicit = ev.implicit()
    except Exception as e:  # pragma: no cover - the LP is feasible when the engine found them
        raise NotCertified(f"optimal face: no certificate for its implicit equalities ({e})") from e
    bounds = {}
    for i in range(n):
        qs = [(("p", i), {d.pcol(i): Fraction(1)})]
        surplus = {d.xcol(i, j): d.netf_exact(i, j) for j in range(k) if d.N[i][j]}
        surplus[d.pcol(i)] = Fraction(-1)
        qs.append((("u", i), surplus))
        qs += [(("x", i, j), {d.xcol(i, j): Fraction(1)}) for j in range(k + 1)]
        for key, q in qs:
            hi = ev.bound(q)
            lo = ev.bound({c: -v for c, v in q.items()})
            bounds[key] = (lo, hi)
    not_always, some, never = {}, {}, {}
    if binding:
        always, sometimes = set(always), set(sometimes)
        S, den, s = face.S, face.den, d.s
        bary = None
        for i in range(n):
            for t in [*[t for t in range(n) if t != i], None]:
                e = (i, t)
                row = ("ir", i) if t is None else ("ic", i, t)
                sl = S[i][i] if t is None else S[i][t]
                g = face.row_dir.get(row) if face.dim else None
                if e not in always:
                    if sl > 0:
                        not_always[e] = -1
                    else:
                        if bary is None:
                            bary = _barycenter(ev)
                        val = -sum((v * bary.get(b, ZERO) for b, v in g.items()), ZERO) if g else ZERO
                        if val > 0:
                            not_always[e] = ev.witness(bary)
                        elif g:
                            _, wpt = face.maximize({b: -v for b, v in g.items()})
                            not_always[e] = ev.witness(wpt)
                if e in sometimes and e not in always:
                    if sl == 0:
                        some[e] = -1
                    else:
                        _, wpt = face.maximize(dict(g))
                        some[e] = ev.witness(wpt)
                elif e not in sometimes:
                    a = {c: Fraction(v, s) for c, v in _row(d, row)}
                    never[e] = ev.bound(a)[1]
    cert = FaceCertificate(revenue, ev.base, tuple(res.y_eq), y_ub, implicit, tuple(ev.witnesses),
                           bounds, not_always, some, never)
    return cert


def _row(d, row):
    return _row_terms(d, row)


def _barycenter(ev: _Evidence) -> dict:
    """The average of the witnesses found so far and ``x*`` (in ``w``)."""
    face = ev.face
    pts = [dict(k_) for k_ in ev.index]
    tot: dict[int, Fraction] = {}
    for p in pts:
        for b, v in p.items():
            tot[b] = tot.get(b, ZERO) + v
    m = len(pts) + 1
    return {b: v / m for b, v in tot.items() if v}
