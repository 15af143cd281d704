"""Independent replay of the ``E_K*`` certificates and of Lemma 8's monotonicity step
(SWP Sec. 5, proof of Theorem 2: (41), (36)/(37), Corollary 4, Lemma 8, (51)).

Shares no code with :mod:`.entropy_finite` or :mod:`.entropy` (imports nothing from the package).
It reads the certificate as plain data and re-verifies:

* **lower end**: the witness masses are positive rationals summing to 1, satisfy every (37)
  ``h_{k+1} >= S(h_k)`` exactly (``h' = 1`` or ``h'^2 >= h (1 - h')^2``, the squared form of
  ``h' (1 + sqrt h) >= sqrt h``), and ``-sum f log2 f`` (arb, natural logs divided by ``log 2``)
  is at least the reported lower end;
* **upper end** (``K >= 5``): on every stage ``n = 2..K`` and every cell ``[a, b]`` of its grid,
  ``U_n >= sup_{h in [a, b]} H(h) + (1 - h) c`` with ``c = max{U_{n-1} on cells whose right end
  y satisfies y >= S(a)}`` (``c = 0`` for ``n = 2``), the successor set decided exactly as above.
  The sup of the concave function is bounded via the sign of its derivative
  ``log2((1-h)/h) - c`` at the two ends (decreasing: value at ``a``; increasing: at ``b``;
  otherwise its global max ``log2(1 + 2^c)``), a formula of its own; then
  ``upper >= max U_K``.  For ``K <= 4`` the upper end must be ``>= log2 K`` (Gibbs);
* **Lemma 8**: ``log2((1 - s0)/s0) <= log_ratio_upper``, ``s0 <= S(1/(1 + 2^E*_upper))``, the
  window contains ``S([s0, 1/2])``, and a lower bound of ``E^`` on the window recomputed with a
  different summation (masses ``f_k`` of the critical distribution and ``-f log2 f`` per atom
  with interval hazards) exceeds ``log_ratio_upper``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flint import arb, ctx

__all__ = ["FiniteReplay", "replay_finite_K", "replay_lemma8"]

PREC = 136


@dataclass(frozen=True)
class FiniteReplay:
    ok: bool
    K: int
    cells: int
    problem: str = ""

    def summary(self) -> str:
        if self.ok:
            return (f"replayed: E_{self.K}* witness (exact (37)) and {self.cells} DP cells re-verified at "
                    f"{PREC} bits by entropy_finite_replay (independent code)")
        return f"replay FAILED for E_{self.K}*: {self.problem}"


def _q(x: Fraction) -> arb:
    return arb(x.numerator) / x.denominator


def _ln2() -> arb:
    return arb(2).log()


def _H(x: arb) -> arb:
    """Binary entropy in bits; 0 at exactly 0 and 1."""
    out = arb(0)
    if not (x.is_exact() and x.is_zero()):
        out = out - x * x.log()
    y = 1 - x
    if not (y.is_exact() and y.is_zero()):
        out = out - y * y.log()
    return out / _ln2()


def _frac(x) -> Fraction:
    return x if type(x) is Fraction else Fraction(x)


def _next_ok(h: Fraction, y: Fraction) -> bool:
    """(37) ``y >= S(h)`` exactly: y = 1, or y >= 0 and y^2 >= h (1 - y)^2."""
    return y == 1 or (0 <= y < 1 and y * y >= h * (1 - y) ** 2)


class _Prec:
    def __enter__(self):
        self.old = ctx.prec
        ctx.prec = PREC

    def __exit__(self, *exc):
        ctx.prec = self.old


def _replay_lower(K: int, masses: list[Fraction], lower: Fraction) -> str:
    fs = [Fraction(m) for m in masses]
    if len(fs) != K:
        return f"witness has {len(fs)} atoms, not K = {K}"
    if any(f <= 0 for f in fs) or sum(fs) != 1:
        return "witness masses not positive or not summing to 1"
    rest, hs = Fraction(1), []
    for f in fs:
        hs.append(f / rest)
        rest -= f
    for k in range(K - 1):
        if not _next_ok(hs[k], hs[k + 1]):
            return f"witness violates (36) at k = {k + 1}"
    tot = arb(0)
    for f in fs:
        a = _q(f)
        tot -= a * a.log()
    tot = tot / _ln2()
    if not tot >= _q(Fraction(lower)):
        return f"witness entropy {tot} not >= reported lower end"
    return ""


def _cell_bound(a: Fraction, b: Fraction, c: Fraction) -> arb:
    ca = _q(c)
    ln2 = _ln2()

    def deriv(x: Fraction) -> arb:             # d/dh [H(h) + (1-h) c] = log2((1-h)/h) - c
        xa = _q(x)
        return ((1 - xa) / xa).log() / ln2 - ca

    def val(x: Fraction) -> arb:
        return _H(_q(x)) + (1 - _q(x)) * ca

    if a > 0 and deriv(a) <= 0:                # decreasing on the cell (derivative decreasing)
        return val(a)
    if b < 1 and deriv(b) >= 0:                # increasing on the cell
        return val(b)
    return (1 + arb(2) ** ca).log() / ln2


def replay_finite_K(cert: dict) -> FiniteReplay:
    """Re-verify one ``FiniteKBound.plain()`` certificate (see the module docstring)."""
    K = int(cert["K"])
    lower, upper = Fraction(cert["lower"]), Fraction(cert["upper"])
    grids = [[_frac(p) for p in g] for g in cert.get("grids", [])]
    tables = [[_frac(u) for u in t] for t in cert.get("tables", [])]
    cells = sum(len(g) - 1 for g in grids)
    with _Prec():
        problem = _replay_lower(K, list(cert["masses"]), lower)
        if problem:
            return FiniteReplay(False, K, cells, problem)
        if lower > upper:
            return FiniteReplay(False, K, cells, "lower end above upper end")
        if K <= 4:
            if not _q(upper) >= arb(K).log() / _ln2():
                return FiniteReplay(False, K, cells, "upper end below log2 K")
            return FiniteReplay(True, K, 0)
        if len(grids) != K - 1 or len(tables) != K - 1:
            return FiniteReplay(False, K, cells, f"need {K - 1} stage grids and tables")
        prev_grid, prev_vals = [Fraction(0), Fraction(1)], [Fraction(0)]
        for n, (g, U) in enumerate(zip(grids, tables), 2):
            if g[0] != 0 or g[-1] != 1 or any(g[i] >= g[i + 1] for i in range(len(g) - 1)) or len(U) != len(g) - 1:
                return FiniteReplay(False, K, cells, f"stage {n}: grid does not cover [0, 1] increasingly")
            # suffix maxima of the previous stage, from the right
            m = len(prev_vals)
            best = [Fraction(0)] * (m + 1)
            for j in range(m - 1, -1, -1):
                best[j] = max(best[j + 1], prev_vals[j])
            # y >= S(a) iff y = 1 or y^2 >= a (1 - y)^2: squares of the right ends computed once
            sq = [(y * y, (1 - y) * (1 - y)) for y in prev_grid]
            j = 0
            for i in range(len(g) - 1):
                a, b = g[i], g[i + 1]
                while not (prev_grid[j + 1] == 1 or sq[j + 1][0] >= a * sq[j + 1][1]):
                    j += 1                                    # first cell whose right end is >= S(a)
                                                              # (a increases: j only moves right)
                bound = _cell_bound(a, b, best[j])
                if not bound <= _q(U[i]):
                    return FiniteReplay(False, K, cells, f"stage {n}, cell {i} [{a}, {b}]: {bound} > U = {U[i]}")
            prev_grid, prev_vals = g, U
        if not max(tables[-1]) <= upper:
            return FiniteReplay(False, K, cells, "reported upper end below max U_K")
    return FiniteReplay(True, K, cells)


def replay_lemma8(E_star_upper: Fraction, s0: Fraction, log_ratio_upper: Fraction, window: tuple,
                  boxes: int = 24, terms: int = 40) -> tuple[bool, str]:
    """Re-verify the Lemma 8 monotonicity step (module docstring) with its own summation."""
    E_star_upper, s0, log_up = Fraction(E_star_upper), Fraction(s0), Fraction(log_ratio_upper)
    xl, xr = Fraction(window[0]), Fraction(window[1])
    with _Prec():
        ln2 = _ln2()

        def S(x: arb) -> arb:
            r = x.sqrt()
            return (r - x) / (1 - x)               # (37)'s own form

        y0 = 1 / (1 + (_q(E_star_upper) * ln2).exp())
        if not _q(s0) <= S(y0):
            return False, "s0 is not below S(1/(1 + 2^E*))"
        if not (((1 - _q(s0)) / _q(s0)).log() / ln2) <= _q(log_up):
            return False, "log2((1-s0)/s0) exceeds the reported bound"
        if not (_q(xl) <= S(_q(s0)) and S(arb(1) / 2) <= _q(xr)):
            return False, "window does not contain S([s0, 1/2])"
        step = (xr - xl) / boxes
        worst = None
        for i in range(boxes):
            lo, hi = _q(xl + step * i), _q(xl + step * (i + 1))
            surv_lo, surv_hi, tot = arb(1), arb(1), arb(0)   # survival range, before atom k
            for _ in range(terms):
                # mass f_k = surv * h in [surv_lo lo, surv_hi hi]; -f log2 f is concave: min at an end,
                # and every f_k here is <= 1, so -f log2 f >= 0
                f1, f2 = surv_lo * lo, surv_hi * hi
                e1, e2 = -f1 * f1.log() / ln2, -f2 * f2.log() / ln2
                tot += e1 if e1 < e2 else e2 if e2 < e1 else arb(e1.lower())
                surv_lo, surv_hi = surv_lo * (1 - hi), surv_hi * (1 - lo)
                lo, hi = arb(S(lo).lower()), arb(S(hi).upper())
            worst = tot if worst is None or tot < worst else worst
        if not worst > _q(log_up):
            return False, f"E^ lower bound {worst} on the window does not exceed {log_up}"
    return True, f"replayed: min E^ on the window >= {worst.lower()} > log2((1-s0)/s0) (entropy_finite_replay)"


def replay_finite_all(certs: list[dict]) -> list[FiniteReplay]:
    """Replay a family ``K = 2..K_max`` sharing one DP: the largest K's tables (every stage) are
    re-verified cell by cell once; each smaller K must carry a prefix of those stages, its own
    witness is re-verified, and its upper end must be ``>= max U_K``."""
    certs = sorted(certs, key=lambda c: int(c["K"]))
    top = replay_finite_K(certs[-1])
    out = []
    for c in certs[:-1]:
        K = int(c["K"])
        if K <= 4 or not top.ok:
            out.append(replay_finite_K(c) if top.ok else FiniteReplay(False, K, 0, "the shared DP failed its replay"))
            continue
        g, t = c.get("grids", []), c.get("tables", [])
        same = (len(g) == K - 1 and all(list(x) == list(y) for x, y in zip(g, certs[-1]["grids"]))
                and len(t) == K - 1 and all(list(x) == list(y) for x, y in zip(t, certs[-1]["tables"])))
        if not same:
            out.append(replay_finite_K(c))          # not shared: replay it in full
            continue
        with _Prec():
            problem = _replay_lower(K, list(c["masses"]), Fraction(c["lower"]))
        if not problem and not max(Fraction(u) for u in t[-1]) <= Fraction(c["upper"]):
            problem = "reported upper end below max U_K"
        if not problem and Fraction(c["lower"]) > Fraction(c["upper"]):
            problem = "lower end above upper end"
        out.append(FiniteReplay(not problem, K, sum(len(x) - 1 for x in g), problem))
    return out + [top]
