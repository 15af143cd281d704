"""Paper 004 (SWP), Sec. 5 and the proof of Theorem 2: the ingredients of the certified entropy
bound E* ~ 3.04 (:mod:`exactscreen.persuasion.entropy`), each against a computation written here
(issue 13, item 4; docs/mutation.md, mut6).

* Lemma 2's critical distribution (hazards ``h_{k+1} = S(h_k)``, (37)) and its entropy ``E(f1)``
  ((34), (51)): ``critical_entropy(f1, tol_bits)`` must contain ``E(f1)`` at *every* tolerance
  (a coarse tolerance makes the tail bound ``M_n / min(h_n, x*)`` carry the enclosure, and for
  ``f1 > x*`` the hazards come down to ``x* = (3 - sqrt 5)/2`` from above).  Here ``E(f1)`` is
  ``-sum f_k log2 f_k`` from the masses, 400 terms at 192 bits, tail bounded separately.
* Sec. 5's geometric distribution ``f_k = (1-h)^{k-1} h``, entropy ``H(h)/h``:
  ``geometric_entropy_series(h, tol_bits)`` must contain it at every tolerance.
* The two backward orbits of ``limit_witnesses`` (E* is a limsup, not a limit; Lemma 2 text,
  Lemma 8): the returned intervals must contain the orbit limits bounded here.
* Lemma 8's box bound ``_E_hat_box_lower(u, v, n)`` (first ``n`` chain-rule terms of
  ``E^(x) = sum_k M_k H(h_k)`` on ``x in [u, v]``) must be below the truncated sum at every
  point of the box, computed here on exact rational points.
* The supersolution of the proof of Theorem 2 on a coarse grid (one step from 1/4 to 1) is still a
  valid upper bound (replayed by :mod:`.entropy_sup_replay`, above an explicit witness).
* ``entropy_bound`` refuses what its independent replays reject, reports the liminf of its own
  ``inf`` search, Lemma 8's step, its run time and, when the box budget runs out, the width it
  reached; bad input raises :class:`InputError` naming the field.
"""

from __future__ import annotations

import re
from fractions import Fraction as F

import pytest
from flint import arb, ctx

from exactscreen.claims import claim
from exactscreen.exceptions import ExactNumberError, InputError, NotCertified
from exactscreen.numbers import Certainty
from exactscreen.persuasion import entropy as ent

PREC = 192


class _Prec:
    def __init__(self, bits: int = PREC):
        self.bits = bits

    def __enter__(self):
        self.old, ctx.prec = ctx.prec, self.bits

    def __exit__(self, *exc):
        ctx.prec = self.old


def _q(x: F) -> arb:
    return arb(x.numerator) / x.denominator


def _H(a: arb) -> arb:
    """Binary entropy in bits, written as -log2(1-x) + x log2((1-x)/x) (not the engine's form)."""
    return (-(1 - a).log() + a * ((1 - a) / a).log()) / arb(2).log()


def _S(a: arb) -> arb:
    """(37): S(x) = (sqrt x - x)/(1 - x)."""
    r = a.sqrt()
    return (r - a) / (1 - a)


def _S_down(a: arb) -> arb:
    """An exact point below S(a) (S increasing: the orbit of an interval is mapped by its ends,
    which keeps the balls from growing along the orbit)."""
    return arb(_S(a).lower())


def _S_up(a: arb) -> arb:
    return arb(_S(a).upper())


def _own_E(f1: F, terms: int = 400) -> arb:
    """E(f1) = -sum f_k log2 f_k of Lemma 2's critical distribution, from the masses f_k = M_k h_k.
    Tail: after ``terms`` atoms every hazard lies above m = min(h, x*) - 2^-100, so f_{n+j} <= R (1-m)^j
    with R = M_n; -f log2 f increases below 1/e, so the tail is at most sum_j -R r^j log2(R r^j)."""
    with _Prec():
        ln2 = arb(2).log()
        lo = hi = _q(f1)
        M, tot = arb(1), arb(0)
        for _ in range(terms):
            h = lo.union(hi)
            fk = M * h
            tot -= fk * fk.log() / ln2
            M = M * (1 - h)
            lo, hi = _S_down(lo), _S_up(hi)
        h = lo.union(hi)
        xs = (3 - arb(5).sqrt()) / 2
        m = min(h.lower(), xs.lower()) - arb(2) ** -100
        R, r = arb(M.upper()), 1 - arb(m)
        assert R < arb(2) ** -100
        tail = ((-R * R.log() / (1 - r) - R * r.log() * r / (1 - r) ** 2) / ln2).upper()
        return tot + arb(tail / 2, tail / 2)


def _contains(big: arb, small: arb) -> bool:
    return bool(big.lower() <= small.lower() and small.upper() <= big.upper())


# ------------------------------------------------------------ Lemma 2, (34), (51)
@claim("SWP-THM2")
def test_critical_entropy_contains_E_of_f1_at_every_tolerance(evidence):
    """E(f1) for f1 on both sides of x* = 0.381..., at tolerances 2^-2 .. 2^-80: the engine's ball
    contains E(f1) computed here from the masses; at 2^-80 it is narrower than 2^-60."""
    for f1 in (F(1, 1000), F(1, 10), F(1, 3), F(1, 2), F(9, 10), F(99, 100)):
        own = _own_E(f1)
        assert own.rad() < arb(2) ** -150
        for tol in (2, 4, 8, 80):
            got = ent.critical_entropy(f1, tol_bits=tol)
            assert _contains(got, own), (f1, tol, got, own)
            if tol == 80:
                assert got.rad() < arb(2) ** -60, (f1, got)
    # the enclosure helper: x + [lo, hi] for balls with wide radii is contained in the result
    def ball(mid: int, rad_den: int) -> arb:                  # mid +/- 1/rad_den, built exactly
        return arb(mid) + arb(0, 1) / rad_den

    for x, lo, hi in ((arb(0), arb(0), ball(1, 2)), (ball(3, 8), ball(-1, 4), ball(2, 1))):
        got = ent._add_interval(x, lo, hi)
        assert got.lower() <= x.lower() + lo.lower() and x.upper() + hi.upper() <= got.upper(), (x, lo, hi, got)
    evidence.note("critical_entropy(f1, tol) contains -sum f_k log2 f_k (192 bits, 400 terms) for 6 f1, 4 tolerances")


@claim("SWP-GEO")
def test_geometric_series_contains_H_over_h_at_every_tolerance(evidence):
    """Sec. 5's geometric distribution: the direct sum with its tail contains H(h)/h (192 bits) at
    tolerances 2^-2 .. 2^-80 (the tail term r^n (a + b (n + r/(1-r))) carries the coarse ones)."""
    for h in (F(1, 2), F(1, 10), F(3, 7), F(9, 10), F(99, 100)):
        with _Prec():
            formula = _H(_q(h)) / _q(h)
        for tol in (2, 3, 8, 80):
            got = ent.geometric_entropy_series(h, tol_bits=tol)
            assert _contains(got, formula), (h, tol, got, formula)
            if tol == 80:
                assert got.rad() < arb(2) ** -60, (h, got)
    evidence.note("geometric_entropy_series(h, tol) contains H(h)/h for 5 h and 4 tolerances")


# ---------------------------------------------------- the limit f1 -> 0 (Lemma 2, Lemma 8)
@claim("SWP-THM2")
def test_limit_witness_intervals_contain_the_orbit_limits(evidence):
    """lim_m E(S^-m(y)) for y = PHASE_LOW, PHASE_HIGH, bounded here to width ~1e-54: the backward
    orbit x_(m+1) = (x_m/(1-x_m))^2 in exact rationals, and with N = n + 2 = 7 steps,
    E(x_N) <= lim <= E(x_N) + 2 H(x_(N+1)) (the increments H(x') - x' E(x) of (51) are positive
    and at least halve), E(x_N) from the masses at 256 bits.  The engine's intervals (n = 5) must
    contain a point of these bounds, and be certified apart."""
    low, high, cert = ent.limit_witnesses()
    assert cert is Certainty.TRUE
    for y, got in ((ent.PHASE_LOW, low), (ent.PHASE_HIGH, high)):
        x = y
        for _ in range(7):
            x = (x / (1 - x)) ** 2
        nxt = (x / (1 - x)) ** 2
        assert nxt <= F(1, 256)
        with _Prec(256):
            e = _own_E(x, terms=600)
            lo, hi = e.lower(), (e + 2 * _H(_q(nxt))).upper()
            assert hi - lo < arb(10) ** -50
            assert got.lower() <= hi and lo <= got.upper(), (y, got, lo, hi)
    assert low.upper() < high.lower()
    evidence.note("limit_witnesses' intervals contain the orbit limits bounded independently to width 1e-50")


@claim("SWP-THM2")
def test_lemma8_start_point_is_below_S_of_y0_at_every_precision(evidence):
    """Lemma 8's step starts at s0 <= S(y0), y0 = 1/(1 + 2^E) for the E* upper end E given: s0,
    log2((1-s0)/s0) <= the reported bound and the window [xl, xr] containing S([s0, 1/2]) are
    re-derived here at 512 bits with (37)'s own form of S, for working precisions 32, 64, 128."""
    for E in (F(3041, 1000), F(30409837, 10**7), F(3045, 1000)):
        for prec in (32, 64, 128):
            m = ent.lemma8_monotone(E, prec=prec)
            with _Prec(512):
                y0 = 1 / (1 + (_q(E) * arb(2).log()).exp())
                assert _q(m.s0) < _S(y0), (E, prec, m.s0)
                assert ((1 - _q(m.s0)) / _q(m.s0)).log() / arb(2).log() <= _q(m.log_ratio_upper)
                xl, xr = m.window
                assert _q(xl) <= _S(_q(m.s0)) and _S(arb(1) / 2) <= _q(xr)
                assert _q(m.E_hat_lower) > _q(m.log_ratio_upper)
    evidence.note("Lemma 8: s0 < S(1/(1 + 2^E)) at 512 bits for 3 E and working precisions 32, 64, 128")


def _truncated(x: F, n: int) -> arb:
    """sum_{k<n} M_k H(h_k) for the orbit of the exact point x (Lemma 8's E^ truncated)."""
    with _Prec():
        lo = hi = _q(x)
        M, tot = arb(1), arb(0)
        for _ in range(n):
            h = lo.union(hi)
            tot += M * _H(h)
            M = M * (1 - h)
            lo, hi = _S_down(lo), _S_up(hi)
        return tot


@claim("SWP-THM2")
def test_lemma8_box_lower_bound_is_below_the_truncated_sums(evidence):
    """_E_hat_box_lower(u, v, n) <= sum_{k<n} M_k H(h_k) at 9 rational points of [u, v], for boxes
    where H increases (below 1/2), decreases (above 1/2) and Lemma 8's window; 1, 2, 3, 30 terms."""
    with _Prec(128):
        win = ent.lemma8_monotone(F(3041, 1000)).window
    boxes = [(F(1, 10), F(1, 5)), (F(1, 100), F(1, 20)), (F(3, 5), F(7, 10)), (F(2, 5), F(3, 5)),
             (win[0], win[0] + (win[1] - win[0]) / 16), (win[1] - (win[1] - win[0]) / 16, win[1])]
    for u, v in boxes:
        for n in (1, 2, 3, 30):
            with _Prec(128):
                got = ent._E_hat_box_lower(u, v, n)
            for i in range(9):
                x = u + (v - u) * i / 8
                assert got.lower() <= _truncated(x, n).upper(), (u, v, n, x, got)
    evidence.note("Lemma 8's box lower bound is below the truncated chain-rule sums at 9 points per box")


# --------------------------------------------------- the supersolution (proof of Theorem 2)
@claim("SWP-THM2")
def test_a_coarse_supersolution_grid_is_still_an_upper_bound(evidence):
    """One equal step from 1/4 to 1 (the last interval is then the successor of every a >= 1/9):
    the bound is certified, replayed by entropy_sup_replay, above the explicit feasible witness
    and above the default grid's bound."""
    from exactscreen.persuasion.entropy_sup_replay import replay_sup_feasible

    ub = ent.entropy_upper_bound(switch=F(1, 4), steps=1)
    masses, e = ent.feasible_witness()
    flo = ent.arb_to_interval(e)[0]
    rf = replay_sup_feasible(ub.points, ub.values, ub.prefix, ub.bound, masses, flo)
    assert rf.ok, rf.summary()
    assert ub.points[-2:] == (F(1, 4), F(1)) and flo <= ub.bound < 8
    # a supersolution that did not converge (one iteration) is refused, naming its first interval
    with pytest.raises(NotCertified) as info:
        ent.entropy_upper_bound(max_iter=1)
    m = re.search(r"interval (\d+) \[([0-9/]+), ([0-9/]+)\]", str(info.value))
    assert m, str(info.value)
    i, a, b = int(m.group(1)), F(m.group(2)), F(m.group(3))
    assert i == 0 and a == F(1, 2**30) and b == a * F(21, 20), (i, a, b)    # delta, delta * ratio
    evidence.note(f"coarse grid (1/4 to 1 in one step): bound {ent.decimal_up(ub.bound, 6)}, replayed, above the witness")


# ------------------------------------------------------------------- entropy_bound
def _small(**kw):
    return ent.entropy_bound(fast=True, max_boxes=32, strict=False, **kw)


@claim("SWP-THM2")
def test_entropy_bound_reports_its_own_certificates(evidence):
    """A small budget (32 boxes): the liminf comes from an ``inf`` search, is certified below the
    limsup (so the limit does not exist), Lemma 8's step is attached for E*'s upper end and
    replayed, the run time is recorded; with strict=True the error names the width reached
    (15 places, >= the wider of the two enclosures)."""
    from exactscreen.persuasion.entropy_finite_replay import replay_lemma8

    b = _small()
    assert not b.target_met and b.sup_certificate.kind == "sup" and b.inf_certificate.kind == "inf"
    assert (b.liminf_lower, b.liminf_upper) == (b.inf_certificate.lower, b.inf_certificate.upper)
    assert b.liminf_upper < b.lower and b.limit_exists is Certainty.FALSE
    assert b.lemma8 is not None and b.lemma8.E_star_upper == b.upper
    ok, why = replay_lemma8(b.lemma8.E_star_upper, b.lemma8.s0, b.lemma8.log_ratio_upper, b.lemma8.window)
    assert ok, why
    assert b.seconds > 0
    worst = max(b.upper - b.lower, b.liminf_upper - b.liminf_lower)
    with pytest.raises(InputError) as info:
        ent.entropy_bound(fast=True, max_boxes=32, strict=True)
    m = re.search(r"reached width (\d+\.(\d+))", str(info.value))
    assert m and "--max-boxes" in str(info.value), str(info.value)
    assert len(m.group(2)) == 15 and F(m.group(1)) >= worst and F(m.group(1)) - worst < F(1, 10**15)
    evidence.note("32-box entropy_bound: liminf certified below limsup, Lemma 8 replayed, width reported")


@claim("SWP-THM2")
def test_entropy_bound_refuses_what_its_replays_reject(evidence, monkeypatch):
    """Three broken inputs to entropy_bound's last steps, each must raise NotCertified: a phase
    certificate the replay rejects (the message carries the replay's summary), a feasible witness
    whose entropy is reported too high (entropy_sup_replay checks the lower end), and a
    supersolution bound below the limsup's upper end."""
    from exactscreen.persuasion import entropy_replay, entropy_sup_replay

    real_replay = entropy_replay.replay_phase_certificate

    class _Rejected:
        ok = False

        def summary(self):
            return "replay FAILED: injected by the check"

    monkeypatch.setattr(entropy_replay, "replay_phase_certificate", lambda c: _Rejected())
    with pytest.raises(NotCertified, match="injected by the check"):
        _small()
    monkeypatch.setattr(entropy_replay, "replay_phase_certificate", real_replay)

    real_witness = ent.feasible_witness

    def inflated():
        masses, e = real_witness()
        return masses, e + 1

    monkeypatch.setattr(ent, "feasible_witness", inflated)
    with pytest.raises(NotCertified, match="sup_feasible"):
        _small()
    monkeypatch.setattr(ent, "feasible_witness", real_witness)

    real_ub = ent.entropy_upper_bound

    def too_low(*a, **kw):
        import dataclasses

        ub = real_ub(*a, **kw)
        return dataclasses.replace(ub, bound=F(3))

    monkeypatch.setattr(ent, "entropy_upper_bound", too_low)
    with pytest.raises(NotCertified, match="below the limsup"):
        _small()
    assert entropy_sup_replay.replay_sup_feasible is not None
    evidence.note("entropy_bound raises NotCertified for a rejected phase replay, an inflated witness "
                  "entropy and a supersolution bound below the limsup")


# -------------------------------------------------------------------- bad input
@claim("SWP-LEM2")
def test_entropy_helpers_refuse_bad_input_naming_it(evidence):
    """S^-1 needs 0 <= y < 1 (y = 1 is refused, not divided by zero); entropy of masses that do
    not sum to 1 is refused; a grid with delta = 0 is refused naming delta; a non-number y names
    y; Lemma 8 with one term cannot certify (NotCertified naming Lemma 8); U < 8 is required of
    a given upper bound and a valid one changes nothing."""
    with pytest.raises(InputError):
        ent.hazard_map_inverse(1)
    assert ent.hazard_map_inverse(F(1, 2)) == 1
    with pytest.raises(InputError):
        ent.entropy_bits([F(1, 2), F(1, 4)])
    with pytest.raises(InputError):
        ent.entropy_bits([F(3, 2), F(-1, 2)])
    with pytest.raises(InputError, match="delta"):
        ent.entropy_upper_bound(delta=F(0))
    with pytest.raises((InputError, ExactNumberError), match=r"\by\b"):
        ent.backward_phase_bounds("one half", 5)
    with pytest.raises(NotCertified, match="Lemma 8: E\\^ >= [0-9.]+ on the window"):
        ent.lemma8_monotone(F(3041, 1000), terms=1)
    plain = ent.backward_phase_bounds(ent.PHASE_HIGH, 5)
    given = ent.backward_phase_bounds(ent.PHASE_HIGH, 5, upper_bound_all=arb(F(31, 10).numerator) / 10)
    assert plain[0] == given[0] and plain[1].overlaps(given[1])
    with pytest.raises(InputError, match="U < 8"):
        ent.backward_phase_bounds(ent.PHASE_HIGH, 5, upper_bound_all=arb(9))
    evidence.note("bad input to the entropy helpers is refused with the field named")
