"""Figures 1 and 2 of paper 004 (Bergemann, Heumann & Morris, Screening with
persuasion), recomputed by the engine of :mod:`exactscreen.persuasion.singleitem`.

Fig. 1: ``F(v) = v^2`` with the fixed inventory ``G(q) = q^(1/4)``: the
optimal monotone partition (certified optimal among menus with at most two
items), its distributions ``Fbar``, ``Gbar`` and their quantile functions,
which jump at the same quantiles.  Fig. 2: the same values with the cost
``c(q) = q^2/2``: the optimal mechanism is one item ``q* = sqrt(3) - 1`` sold to
``v >= (sqrt(3) - 1)/2`` (exact; certified optimal for any number of items).

Registered in :mod:`exactscreen.report.figures.base` (listed in ``FIGURE_MODULES``).
Numbers are converted to floats only to place pixels; the labels show the
exact values or certified decimal enclosures.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .base import new_figure, register_figure, save


def _f(x) -> float:
    """Pixel coordinate of an exact number or an arb ball (its midpoint)."""
    from flint import arb

    if isinstance(x, arb):
        return float(x.mid())
    return float(x)


@lru_cache(maxsize=1)
def _fig1():
    from ...persuasion.singleitem import fig1_optimum

    return fig1_optimum(2)


@lru_cache(maxsize=1)
def _fig2():
    from ...persuasion.singleitem import PolyCost, power_distribution, single_item_optimum

    return single_item_optimum(power_distribution(2), PolyCost(0, 1, 0))


def _cells_fig1(opt):
    """Cells of the optimal partition: (t_lo, t_hi, vbar, qbar) in quantiles, as arb balls."""
    from ...persuasion.singleitem import PREC, arb_ball, arb_function, working_precision
    from ...persuasion.singleitem.symbols import _A, _B

    inv = opt.inventory
    d = inv.dist
    mean = arb_function(d.mean(_A, _B), (_A, _B))
    qbar = arb_function(inv.qbar(_A, _B), (_A, _B))
    ends = [d.lo, *opt.cutoffs, d.hi]
    out = []
    with working_precision(PREC):
        for k, (x, y) in enumerate(zip(ends[:-1], ends[1:])):
            xb, yb = arb_ball(x), arb_ball(y)
            q = arb_ball(0) if k == 0 else qbar(xb, yb)
            out.append((x * x, y * y, mean(xb, yb), q))
    return out


def _step_cdf(ax, atoms, label, **kw):
    """Draw the CDF of atoms [(position, mass)] on [0, 1]."""
    xs, ys, acc = [0.0], [0.0], 0.0
    for pos, mass in sorted(atoms):
        xs += [pos, pos]
        ys += [acc, acc + mass]
        acc += mass
    xs.append(1.0)
    ys.append(acc)
    ax.plot(xs, ys, label=label, **kw)


@register_figure(
    "swp-fig1-inventory",
    "SWP",
    "Fig. 1 recomputed: F(v) = v^2 with the fixed inventory G(q) = q^(1/4). Top: the given F, G and the "
    "optimal monotone partitional Fbar, Gbar (bottom cell excluded, its inventory discarded); bottom: "
    "quantile functions, Fbar^{-1} and Gbar^{-1} jump at the same quantiles. Optimal among menus with at "
    "most two items (certified branch and bound).",
    claim="SWP-FIG1",
)
def draw_swp_fig1(path: Path) -> None:
    from ...persuasion.singleitem import ball_text

    opt = _fig1()
    cells = _cells_fig1(opt)
    fig = new_figure(9.0, 7.0)
    (a1, a2), (a3, a4) = fig.subplots(2, 2)
    grid = [i / 400 for i in range(401)]
    a1.plot(grid, [v * v for v in grid], label="F(v) = v²", color="tab:blue")
    a1.plot(grid, [q**0.25 for q in grid], label="G(q) = q^(1/4)", color="tab:orange")
    a1.set_title("given distributions")
    a1.legend(fontsize=8, loc="lower right")
    _step_cdf(a2, [(_f(v), _f(t1) - _f(t0)) for t0, t1, v, _ in cells], "Fbar (values)", color="tab:blue")
    _step_cdf(a2, [(_f(q), _f(t1) - _f(t0)) for t0, t1, _, q in cells], "Gbar (qualities)", color="tab:orange")
    a2.set_title("optimal Fbar, Gbar")
    a2.legend(fontsize=8, loc="lower right")
    a3.plot(grid, [t**0.5 for t in grid], label="F⁻¹(t) = t^(1/2)", color="tab:blue")
    a3.plot(grid, [t**4 for t in grid], label="G⁻¹(t) = t⁴", color="tab:orange")
    a3.set_title("quantile functions")
    a3.set_xlabel("quantile t")
    a3.legend(fontsize=8, loc="upper left")
    for t0, t1, v, q in cells:
        a4.plot([_f(t0), _f(t1)], [_f(v), _f(v)], color="tab:blue", lw=2)
        a4.plot([_f(t0), _f(t1)], [_f(q), _f(q)], color="tab:orange", lw=2)
    for t0, *_ in cells[1:]:
        a4.axvline(_f(t0), color="0.7", ls=":", lw=1)
    a4.plot([], [], color="tab:blue", label="Fbar⁻¹")
    a4.plot([], [], color="tab:orange", label="Gbar⁻¹")
    a4.set_title("optimal quantile functions")
    a4.set_xlabel("quantile t")
    a4.legend(fontsize=8, loc="upper left")
    (lo1, hi1), (lo2, hi2) = opt.boxes
    text = (f"cutoffs v: {ball_text(_ball(lo1, hi1), 6)}, {ball_text(_ball(lo2, hi2), 6)}\n"
            f"quantiles t: {ball_text(_ball(lo1 * lo1, hi1 * hi1), 6)}, {ball_text(_ball(lo2 * lo2, hi2 * hi2), 6)}\n"
            f"qualities: {ball_text(cells[1][3], 4)}, {ball_text(cells[2][3], 4)}\n"
            f"revenue: {ball_text(_ball(opt.revenue_lo, opt.revenue_hi), 8)}")
    a4.text(0.02, 0.45, text, transform=a4.transAxes, fontsize=7)
    for ax in (a1, a2, a3, a4):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
    fig.suptitle("Screening with persuasion, Fig. 1: fixed inventory (optimal partition)")
    save(fig, path)


def _ball(lo, hi):
    from ...persuasion.singleitem import PREC, interval_arb, working_precision

    with working_precision(PREC):
        return interval_arb(lo, hi)


@register_figure(
    "swp-fig2-single-item",
    "SWP",
    "Fig. 2 recomputed: F(v) = v^2 with the cost c(q) = q^2/2. The optimal mechanism is a single item "
    "q* = sqrt(3) - 1 sold to v >= v* = (sqrt(3) - 1)/2 at price (sqrt(3) - 1)^2 (first-order conditions "
    "(53), exact; certified optimal against any number of items). Top: F and the optimal Fbar, Gbar; "
    "bottom: quantile functions.",
    claim="SWP-FIG2",
)
def draw_swp_fig2(path: Path) -> None:
    import sympy

    from ...persuasion.singleitem.arb import _ball_of

    single = _fig2()
    vs, qs, mu = single.cutoff, single.quality, single.mean
    cut, q, m = _f(_ball_of(vs)), _f(_ball_of(qs)), _f(_ball_of(mu))
    low_mean = _f(_ball_of(sympy.Rational(2, 3) * vs))   # E[v | v < v*] for F = v^2
    fig = new_figure(9.0, 7.0)
    (a1, a2), (a3, a4) = fig.subplots(2, 2)
    grid = [i / 400 for i in range(401)]
    a1.plot(grid, [v * v for v in grid], label="F(v) = v²", color="tab:blue")
    _step_cdf(a1, [(low_mean, cut * cut), (m, 1 - cut * cut)], "Fbar", color="tab:green")
    a1.set_title("values: F and Fbar")
    a1.legend(fontsize=8, loc="lower right")
    _step_cdf(a2, [(0.0, cut * cut), (q, 1 - cut * cut)], "Gbar", color="tab:orange")
    a2.set_title("qualities: Gbar (one item)")
    a2.legend(fontsize=8, loc="lower right")
    a3.plot(grid, [t**0.5 for t in grid], label="F⁻¹(t) = t^(1/2)", color="tab:blue")
    a3.plot([0, cut * cut], [low_mean, low_mean], color="tab:green", lw=2, label="Fbar⁻¹")
    a3.plot([cut * cut, 1], [m, m], color="tab:green", lw=2)
    a3.set_title("value quantiles")
    a3.set_xlabel("quantile t")
    a3.legend(fontsize=8, loc="upper left")
    a4.plot([0, cut * cut], [0, 0], color="tab:orange", lw=2, label="Gbar⁻¹")
    a4.plot([cut * cut, 1], [q, q], color="tab:orange", lw=2)
    a4.axvline(cut * cut, color="0.7", ls=":", lw=1)
    a4.set_title("quality quantiles")
    a4.set_xlabel("quantile t")
    a4.legend(fontsize=8, loc="upper left")
    lab = (f"$v^*={sympy.latex(vs)}$, $q^*={sympy.latex(qs)}$\n"
           f"$\\mu^*={sympy.latex(mu)}$, profit ${sympy.latex(single.profit)}$")
    a4.text(0.03, 0.55, lab, transform=a4.transAxes, fontsize=8)
    for ax in (a1, a2, a3, a4):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
    fig.suptitle("Screening with persuasion, Fig. 2: cost q²/2, a single item")
    save(fig, path)
