"""Figures of paper 000 (Haghpanah & Siegel, Pareto improving segmentation),
recomputed by the engine: Fig. 1 (the high type's surplus CS(tH, q) in every
market of Sec. 3.1.1) and Fig. 4 (the payment polytope P, the markets f1, f2,
f3 and the hyperplanes of Lemma 3).

Registered in :mod:`exactscreen.report.figures.base` (listed in ``FIGURE_MODULES``).
Coordinates are converted to floats only to place pixels; every plotted
point comes from an exact computation.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from ...environment import Environment, load_toml
from .base import new_figure, register_figure, save


def _sec311() -> Environment:
    """The shipped example ``examples/pis_sec311.toml``."""
    return load_toml(Path(__file__).resolve().parents[2] / "examples" / "pis_sec311.toml")[0]


@register_figure("pis-fig1", "PIS", "Fig. 1: the surplus CS(tH, q) of the high type in every market q (Sec. 3.1.1), computed piece by piece", claim="PIS-EX311")
def draw_pis_fig1(path: Path) -> None:
    from ...mechanisms.segmentation import two_type_analysis

    analysis = two_type_analysis(_sec311())
    fig = new_figure(5.5, 4.0)
    ax = fig.subplots()
    for p in analysis.pieces:
        y = float(p.cs[1])
        if p.lo < p.hi:
            ax.plot([float(p.lo), float(p.hi)], [y, y], color="black", lw=2)
        ends = ((p.lo, p.lo_closed),) if p.lo == p.hi else ((p.lo, p.lo_closed), (p.hi, p.hi_closed))
        for x, closed in ends:
            ax.plot([float(x)], [y], "o", ms=5, color="black", mfc="black" if closed else "white", zorder=3 if closed else 2)
    for q in analysis.breakpoints:
        if q < 1:
            ax.axvline(float(q), color="0.8", lw=0.8, ls=":")
    ax.set_xlabel("market q = f(tH)")
    ax.set_ylabel("CS(tH, q)")
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.08, 1.15)
    ticks = sorted({Fraction(0), Fraction(1), *analysis.breakpoints})
    ax.set_xticks([float(t) for t in ticks], [str(t) for t in ticks])
    ax.set_title("CS(tH, q): filled dots belong to the interval")
    save(fig, path)


@register_figure("pis-fig4", "PIS", "Fig. 4: (a) the payment polytope P of Sec. 3.1.1 with all its vertices; (b) markets and the hyperplanes of Lemma 3", claim="PIS-LEM1", also=("PIS-LEM3",))
def draw_pis_fig4(path: Path) -> None:
    from ...mechanisms.optimum import payment_polytope
    from ...mechanisms.segmentation import genericity_hyperplanes

    env = _sec311()
    poly = payment_polytope(env)
    planes = genericity_hyperplanes(env)
    verts = list(poly.vertices)
    # order the vertices around their centroid (exact angles are not needed to draw)
    cx = sum(float(v[0]) for v in verts) / len(verts)
    cy = sum(float(v[1]) for v in verts) / len(verts)
    import math

    verts.sort(key=lambda v: math.atan2(float(v[1]) - cy, float(v[0]) - cx))
    fig = new_figure(9.0, 4.2)
    ax1, ax2 = fig.subplots(1, 2)
    xs = [float(v[0]) for v in verts] + [float(verts[0][0])]
    ys = [float(v[1]) for v in verts] + [float(verts[0][1])]
    ax1.fill(xs, ys, color="0.85")
    ax1.plot(xs, ys, color="black", lw=1)
    paper = {(Fraction(0), Fraction(0)), (Fraction(1), Fraction(1)), (Fraction(3, 4), Fraction(7, 4)), (Fraction(0), Fraction(2))}
    for v in verts:
        extra = v not in paper
        ax1.plot([float(v[0])], [float(v[1])], "o", color="tab:red" if extra else "black")
        ax1.annotate(f"({v[0]}, {v[1]})" + ("  not in Fig. 4a" if extra else ""), (float(v[0]), float(v[1])),
                     textcoords="offset points", xytext=(5, 4), fontsize=7, color="tab:red" if extra else "black")
    for name, f in (("f1", (Fraction(9, 10), Fraction(1, 10))), ("f2", (Fraction(3, 4), Fraction(1, 4))), ("f3", (Fraction(1, 4), Fraction(3, 4)))):
        ax1.annotate("", xy=(float(f[0]) * 0.5, 0.3 + float(f[1]) * 0.5), xytext=(0, 0.3), arrowprops=dict(arrowstyle="->", color="tab:blue"))
        ax1.text(float(f[0]) * 0.52, 0.3 + float(f[1]) * 0.52, name + " (direction)", color="tab:blue", fontsize=7)
    ax1.set_xlabel("p(tL)")
    ax1.set_ylabel("p(tH)")
    ax1.set_title("(a) payment polytope P")
    ax1.set_aspect("equal")
    ax2.plot([0, 1], [1, 0], color="black", lw=2, label="markets f(tL) + f(tH) = 1")
    for h in planes:
        a, b = h.coefficients  # a f(tL) + b f(tH) = 0  ->  f(tH) = -a/b f(tL)
        slope = -float(a) / float(b)
        ax2.plot([0, 1.1], [0, 1.1 * slope], ls="--", color="tab:gray", label=h.equation(env.types))
    for name, f in (("f1", (0.9, 0.1)), ("f2", (0.75, 0.25)), ("f3", (0.25, 0.75))):
        ax2.plot([f[0]], [f[1]], "o", color="tab:blue")
        ax2.text(f[0] + 0.02, f[1] + 0.02, name, color="tab:blue", fontsize=8)
    ax2.set_xlim(0, 1.1)
    ax2.set_ylim(0, 1.1)
    ax2.set_xlabel("f(tL)")
    ax2.set_ylabel("f(tH)")
    ax2.set_title("(b) markets and Lemma 3's hyperplanes")
    ax2.legend(fontsize=7, loc="upper right")
    save(fig, path)
