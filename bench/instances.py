"""Seeded benchmark instances: environments and markets of paper 000, Sec. 3.

Two families.

``random``
    The family of issue 8, so numbers are comparable across notes: ``n``
    types, ``k`` alternatives, every valuation ``v(t, a) = m / 4`` with ``m``
    uniform on the integers ``-5 .. 20``; market weights uniform positive
    integers ``1 .. 10`` normalized to sum 1 (exact Fractions).  No costs.

``degenerate``
    The two-type, two-alternative example of Sec. 3.1.1 (``tL = (3/4, 1)``,
    ``tH = (1, 2)``; ``q`` is the share of the high type) at the breakpoint
    markets ``q = 1/4`` and ``q = 3/4``, where the optimal mechanism is not
    unique, blown up in the ways that make LPs degenerate: copies of each
    type sharing its probability (duplicate types), copies with probability
    zero, duplicated alternatives, and the markets ``q = 0`` and ``q = 1``
    (a type with probability zero).  Also ``ties``: random instances whose
    valuations come from a five-value set, so equal valuations abound.

``illcond``
    Where a float solver's tolerances (about 1e-7) cannot see the exact
    answer, so the float basis can fail the exact check and exactscreen's
    fallback runs: the Sec. 3.1.1 example at markets ``1e-9`` away from the
    breakpoints (``q = 1/4 ± 10^-9``, ``3/4 ± 10^-9``, also blown up), and
    ``perturbed``: the random family with every valuation moved by
    ``j / 10^9``, ``j`` uniform in ``-5 .. 5``.

Every instance is a pure function of its :class:`InstanceSpec`; the random
stream of a random instance is seeded by the string
``"{seed}:{family}:{n}:{k}:{rep}"`` (Python seeds ``random.Random`` from a
string with SHA-512, so this is stable across runs, platforms and
``PYTHONHASHSEED``).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from fractions import Fraction

from exactscreen.environment import Environment, Market

__all__ = [
    "InstanceSpec",
    "DEFAULT_SIZES",
    "random_instance",
    "ties_instance",
    "paper_instance",
    "build",
    "random_specs",
    "degenerate_specs",
    "illcond_specs",
    "perturbed_instance",
]

DEFAULT_SIZES: tuple[tuple[int, int], ...] = (
    (2, 2), (3, 3), (5, 4), (10, 4), (20, 8), (40, 16), (80, 32),
)
"""(n types, k alternatives) of the random family, smallest first (issue 8's sizes)."""


@dataclass(frozen=True)
class InstanceSpec:
    """Everything needed to rebuild one instance exactly.

    ``family`` is ``"random"``, ``"ties"`` or ``"paper"``.  For ``"paper"``:
    ``q`` is the high type's share (a string such as ``"1/4"``), ``copies``
    the number of copies of each type sharing its probability, ``zero_copies``
    the number of extra probability-zero copies of each type, ``dup_alts``
    whether every alternative appears twice, and the market is moved to
    ``q + shift_sign * 10**-shift_exp``.
    """

    family: str
    n: int = 0
    k: int = 0
    seed: int = 0
    rep: int = 0
    q: str = ""
    copies: int = 1
    zero_copies: int = 0
    dup_alts: bool = False
    shift_exp: int = 0
    shift_sign: int = 0

    @property
    def group(self) -> str:
        """Family for the tallies: random, ties, perturbed, paper, or paper-near-breakpoint."""
        if self.family == "paper" and self.shift_sign:
            return "paper-near-breakpoint"
        return self.family

    @property
    def label(self) -> str:
        if self.family == "paper":
            parts = [f"q={self.q}" + (f"{'+' if self.shift_sign > 0 else '-'}1e-{self.shift_exp}" if self.shift_sign else "")]
            if self.copies > 1:
                parts.append(f"copies={self.copies}")
            if self.zero_copies:
                parts.append(f"zero-copies={self.zero_copies}")
            if self.dup_alts:
                parts.append("dup-alts")
            return "paper(" + ",".join(parts) + ")"
        return f"{self.family}({self.n},{self.k})#{self.rep}"

    def as_dict(self) -> dict:
        return asdict(self)


def _stream(family: str, n: int, k: int, seed: int, rep: int) -> random.Random:
    return random.Random(f"{seed}:{family}:{n}:{k}:{rep}")


def _names(prefix: str, count: int) -> list[str]:
    width = len(str(count - 1)) if count > 1 else 1
    return [f"{prefix}{i:0{width}d}" for i in range(count)]


def _normalized(weights: list[int]) -> tuple[Fraction, ...]:
    total = sum(weights)
    return tuple(Fraction(w, total) for w in weights)


def random_instance(n: int, k: int, seed: int, rep: int = 0) -> tuple[Environment, Market]:
    """Issue 8's random family: values ``m/4``, ``m ~ U{-5..20}``; weights ``U{1..10}`` normalized."""
    if n < 1 or k < 1:
        raise ValueError(f"need n >= 1 and k >= 1, got n={n}, k={k}")
    rng = _stream("random", n, k, seed, rep)
    types, alts = _names("t", n), _names("a", k)
    table = {t: {a: Fraction(rng.randint(-5, 20), 4) for a in alts} for t in types}
    env = Environment.from_dict(table, title=f"random n={n} k={k} seed={seed} rep={rep}")
    weights = [rng.randint(1, 10) for _ in types]
    return env, Market(env, _normalized(weights))


def perturbed_instance(n: int, k: int, seed: int, rep: int = 0) -> tuple[Environment, Market]:
    """The random family with every valuation moved by ``j / 10^9``, ``j ~ U{-5..5}``."""
    rng = _stream("perturbed", n, k, seed, rep)
    types, alts = _names("t", n), _names("a", k)
    table = {
        t: {a: Fraction(rng.randint(-5, 20), 4) + Fraction(rng.randint(-5, 5), 10**9) for a in alts}
        for t in types
    }
    env = Environment.from_dict(table, title=f"perturbed n={n} k={k} seed={seed} rep={rep}")
    return env, Market(env, _normalized([rng.randint(1, 10) for _ in types]))


def ties_instance(n: int, k: int, seed: int, rep: int = 0) -> tuple[Environment, Market]:
    """Random instance with many equal valuations: values in {0, 1/2, 1, 3/2, 2}, weights in 1..3."""
    rng = _stream("ties", n, k, seed, rep)
    types, alts = _names("t", n), _names("a", k)
    table = {t: {a: Fraction(rng.randint(0, 4), 2) for a in alts} for t in types}
    env = Environment.from_dict(table, title=f"ties n={n} k={k} seed={seed} rep={rep}")
    return env, Market(env, _normalized([rng.randint(1, 3) for _ in types]))


PAPER_VALUES = {"tL": {"aL": Fraction(3, 4), "aH": Fraction(1)}, "tH": {"aL": Fraction(1), "aH": Fraction(2)}}
"""Paper 000, Sec. 3.1.1: v(tL, aL) = 3/4, v(tL, aH) = v(tH, aL) = 1, v(tH, aH) = 2."""


def paper_instance(
    q: Fraction | str, copies: int = 1, zero_copies: int = 0, dup_alts: bool = False
) -> tuple[Environment, Market]:
    """Sec. 3.1.1's environment at market ``q`` (share of tH), blown up (see :class:`InstanceSpec`)."""
    q = Fraction(q)
    if not 0 <= q <= 1:
        raise ValueError(f"q must lie in [0, 1], got {q}")
    if copies < 1 or zero_copies < 0:
        raise ValueError("copies must be >= 1 and zero_copies >= 0")
    alts = ["aL", "aH"]
    if dup_alts:
        alts = ["aL", "aL2", "aH", "aH2"]
    table: dict[str, dict[str, Fraction]] = {}
    weights: dict[str, Fraction] = {}
    for base, share in (("tL", 1 - q), ("tH", q)):
        row = {a: PAPER_VALUES[base][a[:2]] for a in alts}
        for c in range(copies):
            name = base if copies == 1 else f"{base}{c}"
            table[name] = dict(row)
            weights[name] = share / copies
        for z in range(zero_copies):
            name = f"{base}z{z}"
            table[name] = dict(row)
            weights[name] = Fraction(0)
    env = Environment.from_dict(table, title="paper 000 Sec. 3.1.1 (blown up)")
    return env, Market.from_mapping(env, weights)


def build(spec: InstanceSpec) -> tuple[Environment, Market]:
    """The (environment, market) of a spec."""
    if spec.family == "random":
        return random_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "ties":
        return ties_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "perturbed":
        return perturbed_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "paper":
        q = Fraction(spec.q) + spec.shift_sign * Fraction(1, 10**spec.shift_exp)
        return paper_instance(q, spec.copies, spec.zero_copies, spec.dup_alts)
    raise ValueError(f"unknown instance family {spec.family!r}")


def random_specs(
    sizes: tuple[tuple[int, int], ...] = DEFAULT_SIZES, seed: int = 1, reps: int = 3
) -> list[InstanceSpec]:
    """``reps`` random instances per size, smallest size first."""
    return [InstanceSpec("random", n, k, seed, r) for n, k in sizes for r in range(reps)]


def degenerate_specs(seed: int = 1, max_copies: int = 10) -> list[InstanceSpec]:
    """The degenerate family: paper instance at breakpoints and q in {0, 1}, blown up; and ``ties``."""
    out: list[InstanceSpec] = []
    for q in ("1/4", "3/4"):
        for copies in (1, 2, 5, 10):
            if copies > max_copies:
                continue
            for zero in (0, copies):
                for dup in (False, True):
                    out.append(InstanceSpec("paper", q=q, copies=copies, zero_copies=zero, dup_alts=dup))
    for q in ("0", "1"):
        out.append(InstanceSpec("paper", q=q))
        out.append(InstanceSpec("paper", q=q, copies=2, zero_copies=2, dup_alts=True))
    for n, k in ((5, 4), (10, 4), (20, 8)):
        for rep in range(2):
            out.append(InstanceSpec("ties", n, k, seed, rep))
    # smallest LPs first, so that a solver's first timeout spares it the larger ones
    return sorted(out, key=lambda s: _size(s))


def illcond_specs(seed: int = 1) -> list[InstanceSpec]:
    """Markets 1e-9 off the Sec. 3.1.1 breakpoints (blown up), and the perturbed random family."""
    out: list[InstanceSpec] = []
    for q in ("1/4", "3/4"):
        for sign in (1, -1):
            for copies, zero, dup in ((1, 0, False), (2, 2, True), (5, 5, True), (10, 10, True)):
                out.append(InstanceSpec("paper", q=q, copies=copies, zero_copies=zero, dup_alts=dup,
                                        shift_exp=9, shift_sign=sign))
    for n, k in ((5, 4), (10, 4), (20, 8)):
        for rep in range(2):
            out.append(InstanceSpec("perturbed", n, k, seed, rep))
    return sorted(out, key=lambda s: _size(s))


def _size(spec: InstanceSpec) -> tuple[int, int]:
    """(types, alternatives) of a spec without building it."""
    if spec.family == "paper":
        return (2 * (spec.copies + spec.zero_copies), 4 if spec.dup_alts else 2)
    return (spec.n, spec.k)
