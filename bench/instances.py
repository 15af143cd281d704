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

``equal``, ``copies``, ``zeroprob``, ``breakpoint`` (issue 8, at scale)
    Degenerate families for ``bench.scale`` at any size ``(n, k)``:
    ``equal``: every type has the same valuations (one row of the random
    family, repeated ``n`` times), random weights; ``copies``: ``n / copies``
    random types (issue 8's values), each repeated ``copies`` times, the
    copies sharing the type's random weight equally; ``zeroprob``: the random
    family with about half the types (at least one kept) at probability
    zero; ``breakpoint``: the Sec. 3.1.1 pair ``tL``, ``tH`` with ``n / 2``
    copies each and ``k / 2`` copies of each alternative, random weights
    within each half, scaled so the high types' total share is exactly the
    breakpoint ``q = 1/4`` (even ``rep``) or ``3/4`` (odd ``rep``).

``ints`` (issue 12)
    Tie-heavy: integer valuations uniform on ``-3 .. 9``, the uniform market.

``hunt_instance``
    The hunt workload of issue 8: environment ``i`` of a seeded stream of
    2-4 types and 1-4 alternatives, values and weights as in ``random``.

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
    "ints_instance",
    "paper_instance",
    "build",
    "random_specs",
    "degenerate_specs",
    "illcond_specs",
    "perturbed_instance",
    "equal_instance",
    "copies_instance",
    "zeroprob_instance",
    "breakpoint_instance",
    "hunt_instance",
    "SCALE_FAMILIES",
]

DEFAULT_SIZES: tuple[tuple[int, int], ...] = (
    (2, 2), (3, 3), (5, 4), (10, 4), (20, 8), (40, 16), (80, 32),
)
"""(n types, k alternatives) of the random family, smallest first (issue 8's sizes)."""


@dataclass(frozen=True)
class InstanceSpec:
    """Everything needed to rebuild one instance exactly.

    ``family`` is ``"random"``, ``"ties"``, ``"ints"``, ``"perturbed"``, ``"paper"`` or one of
    :data:`SCALE_FAMILIES` (``copies`` is then the copies per base type of ``"copies"``).  For ``"paper"``:
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
        if self.family == "copies":
            return f"copies({self.n},{self.k},x{self.copies})#{self.rep}"
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


def ints_instance(n: int, k: int, seed: int, rep: int = 0) -> tuple[Environment, Market]:
    """Tie-heavy family of issue 12: integer values uniform on ``-3 .. 9``, the uniform market."""
    rng = _stream("ints", n, k, seed, rep)
    types, alts = _names("t", n), _names("a", k)
    table = {t: {a: Fraction(rng.randint(-3, 9)) for a in alts} for t in types}
    env = Environment.from_dict(table, title=f"ints n={n} k={k} seed={seed} rep={rep}")
    return env, Market.uniform(env)


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


# ----------------------------------------------------------------------------
# Degenerate families at scale (bench.scale, issue 8).  New family names, so
# the streams of the families above are untouched.
# ----------------------------------------------------------------------------
SCALE_FAMILIES = ("equal", "copies", "zeroprob", "breakpoint")
"""Families of :func:`build` that take any ``(n, k)`` and are degenerate by construction."""


def _issue8_row(rng: random.Random, k: int) -> list[Fraction]:
    return [Fraction(rng.randint(-5, 20), 4) for _ in range(k)]


def equal_instance(n: int, k: int, seed: int, rep: int = 0) -> tuple[Environment, Market]:
    """All ``n`` types value the ``k`` alternatives identically (issue 8's values); weights ``U{1..10}``."""
    rng = _stream("equal", n, k, seed, rep)
    types, alts = _names("t", n), _names("a", k)
    row = dict(zip(alts, _issue8_row(rng, k)))
    env = Environment.from_dict({t: dict(row) for t in types}, title=f"equal n={n} k={k} seed={seed} rep={rep}")
    return env, Market(env, _normalized([rng.randint(1, 10) for _ in types]))


def copies_instance(n: int, k: int, seed: int, rep: int = 0, copies: int = 5) -> tuple[Environment, Market]:
    """``ceil(n / copies)`` random types, each repeated (``n`` types in all); copies split the type's weight."""
    if copies < 1:
        raise ValueError("copies must be >= 1")
    rng = _stream(f"copies{copies}", n, k, seed, rep)
    base = -(-n // copies)
    alts = _names("a", k)
    rows = [_issue8_row(rng, k) for _ in range(base)]
    weights = [rng.randint(1, 10) for _ in range(base)]
    types = _names("t", n)
    owner = [i // copies for i in range(n)]  # type i is a copy of base type owner[i]
    count = [owner.count(b) for b in range(base)]
    total = sum(weights)
    table = {t: dict(zip(alts, rows[owner[i]])) for i, t in enumerate(types)}
    env = Environment.from_dict(table, title=f"copies n={n} k={k} copies={copies} seed={seed} rep={rep}")
    return env, Market(env, tuple(Fraction(weights[owner[i]], total * count[owner[i]]) for i in range(n)))


def zeroprob_instance(n: int, k: int, seed: int, rep: int = 0) -> tuple[Environment, Market]:
    """Issue 8's random values; each type has probability zero with chance 1/2 (type 0 never)."""
    rng = _stream("zeroprob", n, k, seed, rep)
    types, alts = _names("t", n), _names("a", k)
    table = {t: dict(zip(alts, _issue8_row(rng, k))) for t in types}
    env = Environment.from_dict(table, title=f"zeroprob n={n} k={k} seed={seed} rep={rep}")
    weights = [rng.randint(1, 10) * (i == 0 or rng.random() < 0.5) for i in range(n)]
    return env, Market(env, _normalized(weights))


def breakpoint_instance(n: int, k: int, seed: int, rep: int = 0) -> tuple[Environment, Market]:
    """Sec. 3.1.1 blown up to ``n`` types and ``k`` alternatives at the breakpoint ``q = 1/4`` or ``3/4``.

    Types ``tL*`` (the first ``ceil(n/2)``) and ``tH*`` (the rest, at least one)
    copy ``tL`` and ``tH``; alternatives ``aL*`` (the first ``ceil(k/2)``) and
    ``aH*`` copy ``aL`` and ``aH`` (``k = 1`` keeps ``aH`` only).  Weights
    within each half are ``U{1..10}``, scaled so the ``tH`` copies carry
    exactly ``q`` (``1/4`` for even ``rep``, ``3/4`` for odd).
    """
    if n < 2 or k < 1:
        raise ValueError(f"breakpoint family needs n >= 2 and k >= 1, got n={n}, k={k}")
    rng = _stream("breakpoint", n, k, seed, rep)
    q = Fraction(1, 4) if rep % 2 == 0 else Fraction(3, 4)
    n_low = -(-n // 2) if n > 2 else 1
    kinds = ["aH"] if k == 1 else ["aL"] * (-(-k // 2)) + ["aH"] * (k // 2)
    alts = _names("a", k)
    base_of = dict(zip(alts, kinds))
    table: dict[str, dict[str, Fraction]] = {}
    names = _names("t", n)
    for i, t in enumerate(names):
        base = "tL" if i < n_low else "tH"
        table[t] = {a: PAPER_VALUES[base][base_of[a]] for a in alts}
    env = Environment.from_dict(table, title=f"breakpoint n={n} k={k} q={q} seed={seed} rep={rep}")
    raw = [rng.randint(1, 10) for _ in range(n)]
    low, high = sum(raw[:n_low]), sum(raw[n_low:])
    weights = [Fraction(w, low) * (1 - q) if i < n_low else Fraction(w, high) * q for i, w in enumerate(raw)]
    return env, Market(env, tuple(weights))


def hunt_instance(seed: int, index: int) -> tuple[Environment, Market]:
    """Environment ``index`` of the hunt workload: 2-4 types, 1-4 alternatives, issue 8's values and weights."""
    rng = random.Random(f"{seed}:hunt:{index}")
    n, k = rng.randint(2, 4), rng.randint(1, 4)
    types, alts = _names("t", n), _names("a", k)
    table = {t: dict(zip(alts, _issue8_row(rng, k))) for t in types}
    env = Environment.from_dict(table, title=f"hunt seed={seed} #{index}")
    return env, Market(env, _normalized([rng.randint(1, 10) for _ in types]))


def build(spec: InstanceSpec) -> tuple[Environment, Market]:
    """The (environment, market) of a spec."""
    if spec.family == "random":
        return random_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "ties":
        return ties_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "ints":
        return ints_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "perturbed":
        return perturbed_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "paper":
        q = Fraction(spec.q) + spec.shift_sign * Fraction(1, 10**spec.shift_exp)
        return paper_instance(q, spec.copies, spec.zero_copies, spec.dup_alts)
    if spec.family == "equal":
        return equal_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "copies":
        return copies_instance(spec.n, spec.k, spec.seed, spec.rep, spec.copies)
    if spec.family == "zeroprob":
        return zeroprob_instance(spec.n, spec.k, spec.seed, spec.rep)
    if spec.family == "breakpoint":
        return breakpoint_instance(spec.n, spec.k, spec.seed, spec.rep)
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
