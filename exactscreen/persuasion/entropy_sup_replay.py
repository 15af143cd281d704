"""Independent replay of the ``sup_feasible`` enclosure (SWP Sec. 5, constraints (36), (37);
the chain of Theorem 2): the supersolution upper bound and the explicit feasible witness.

This module shares no code with :mod:`.entropy` (it imports nothing from the package): it takes
the certificate as plain data (the grid ``delta = a_0 < ... < a_n = 1`` and the values ``U_I``,
the prefix and the reported bound; the witness masses and the reported lower end) and re-verifies

* the supersolution inequality (*) of ``entropy_upper_bound`` on every interval ``I = [a, b]``:
  ``U_I >= sup_{x in I} H(x) + (1 - a) max{U_J : b_J >= S(a)}``.  The successor set is found
  *exactly*: ``b >= S(a) = sqrt(a)/(1 + sqrt(a))`` iff ``b = 1`` or ``(b/(1 - b))^2 >= a`` (rational
  comparison, no ball), and it is a tail ``{J >= j0}`` since the condition is monotone in ``b``.
  ``sup_I H`` uses the monotonicity of ``H`` (increasing up to 1/2) and a different formula,
  ``H(x) = -log2(1 - x) + x log2((1 - x)/x)``, in arb at 128 bits;
* the prefix: ``delta <= 2^-8`` and ``prefix >= 2 H(delta)``, and ``bound >= max U + prefix``;
* the lower end: the witness masses are positive, sum to 1, satisfy every (37) ``h_{k+1} >=
  S(h_k)`` exactly on their hazards ``h_k = f_k/(1 - f_1 - ... - f_{k-1})``, and their entropy
  ``-sum f_k log2 f_k`` (arb) is at least the reported lower end.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flint import arb, ctx

__all__ = ["SupReplay", "replay_sup_feasible"]

PREC = 128


@dataclass(frozen=True)
class SupReplay:
    ok: bool
    intervals: int
    atoms: int
    problem: str = ""

    def summary(self) -> str:
        if self.ok:
            return (f"replayed: supersolution (*) on {self.intervals} intervals (exact successor sets) and the "
                    f"{self.atoms}-atom feasible witness (exact (37)), by entropy_sup_replay (independent code)")
        return f"replay FAILED: {self.problem}"


def _ball(x: Fraction) -> arb:
    return arb(x.numerator) / arb(x.denominator)


def _h_upper(x: Fraction) -> arb:
    """A ball containing ``H(x)`` (bits), from ``-log2(1 - x) + x log2((1 - x)/x)``."""
    if x <= 0 or x >= 1:
        return arb(0)
    xb = _ball(x)
    ln2 = arb(2).log()
    return (-(1 - xb).log() + xb * ((1 - xb) / xb).log()) / ln2


def _successor(a: Fraction, b: Fraction) -> bool:
    """Exactly: ``b >= S(a)`` for ``0 <= a < 1``, ``b`` in ``[0, 1]``."""
    return b >= 1 or (b / (1 - b)) ** 2 >= a


def replay_sup_feasible(points, values, prefix, bound, masses=(), lower=None) -> SupReplay:
    """Re-verify the supersolution certificate and (when given) the witness; see the module docstring."""
    old = ctx.prec
    ctx.prec = PREC
    try:
        return _replay(tuple(Fraction(p) for p in points), tuple(Fraction(u) for u in values),
                       Fraction(prefix), Fraction(bound), tuple(Fraction(m) for m in masses),
                       None if lower is None else Fraction(lower))
    finally:
        ctx.prec = old


def _replay(pts, U, prefix, bound, masses, lower) -> SupReplay:
    n = len(pts) - 1
    if n < 1 or len(U) != n:
        return SupReplay(False, n, 0, f"{len(pts)} grid points need {max(n, 0)} values, got {len(U)}")
    if pts[-1] != 1 or not 0 < pts[0] <= Fraction(1, 2**8):
        return SupReplay(False, n, 0, f"the grid must run from 0 < delta <= 2^-8 to 1, got [{pts[0]}, {pts[-1]}]")
    if any(not pts[i] < pts[i + 1] for i in range(n)):
        return SupReplay(False, n, 0, "the grid is not strictly increasing")
    # suffix maxima of U
    suffix = [Fraction(0)] * (n + 1)
    for j in range(n - 1, -1, -1):
        suffix[j] = max(suffix[j + 1], U[j])
    half = Fraction(1, 2)
    j0 = 0
    for i in range(n):
        a, b = pts[i], pts[i + 1]
        # first J whose upper end b_J = pts[J + 1] is a successor of a (monotone in a: j0 never decreases)
        while j0 < n and not _successor(a, pts[j0 + 1]):
            j0 += 1
        if j0 >= n:
            return SupReplay(False, n, 0, f"no successor interval for a = {a}")
        hsup = _h_upper(b) if b <= half else (_h_upper(a) if a >= half else arb(1))
        rhs = hsup + _ball(1 - a) * _ball(suffix[j0])
        if not rhs <= _ball(U[i]):
            return SupReplay(False, n, 0, f"(*) fails on interval {i} [{a}, {b}]: U = {U[i]}")
    if not 2 * _h_upper(pts[0]) <= _ball(prefix):
        return SupReplay(False, n, 0, f"prefix {prefix} below 2 H(delta)")
    if not bound >= max(U) + prefix:
        return SupReplay(False, n, 0, f"reported bound {bound} below max U + prefix")
    if masses:
        if any(m <= 0 for m in masses) or sum(masses) != 1:
            return SupReplay(False, n, len(masses), "witness masses are not a distribution")
        rest, hz = Fraction(1), []
        for m in masses:
            hz.append(m / rest)
            rest -= m
        for k in range(len(hz) - 1):
            if not _successor(hz[k], hz[k + 1]):
                return SupReplay(False, n, len(masses), f"witness hazard {k + 2} violates (37)")
        ent = arb(0)
        for m in masses:
            ent -= _ball(m) * _ball(m).log()
        ent /= arb(2).log()
        if lower is not None and not ent >= _ball(lower):
            return SupReplay(False, n, len(masses), f"witness entropy not >= the reported lower end {lower}")
    return SupReplay(True, n, len(masses))
