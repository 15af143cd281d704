"""Figures of paper 003 (Haghpanah & Siegel, *Screening two types*), recomputed by
:mod:`exactscreen.two_types.analysis`: Fig. 1 (the dish targeted at Theorists over (v, q),
without and with mixed dishes) and a figure of V in the style of Figs. 2-7
(A⁺/A⁻, a^BD1, a^VA, the maximizing directions at q^BD1 and q^CD, conv V).

Every boundary comes from an exact computation at a rational v (a grid of
step 1/8); floats only place pixels.  The lead lists this module in
``exactscreen.report.figures.base.FIGURE_MODULES``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from ...environment import Environment
from .base import new_figure, register_figure, save

COLOURS = {"steak": "#c0392b", "fish": "#2471a3", "0": "#d5d8dc", "mix": "#8e44ad"}


def _restaurant(v: Fraction) -> Environment:
    return Environment.from_dict({"T": {"steak": 30, "fish": v}, "A": {"steak": 60, "fish": 20}})


def _dish(names) -> str:
    names = set(names)
    return next(iter(names)) if len(names) == 1 else "mix"


@register_figure(
    "stt-fig1",
    "STT",
    "Fig. 1: the dish optimally targeted at Theorists over (v, q), (a) without and (b) with "
    "mixed dishes; computed exactly at every v in a grid of step 1/8 (Theorem 1, Corollary 2)",
    claim="STT-EXB",
)
def draw_stt_fig1(path: Path) -> None:
    """Each region is one polygon through the exact boundaries at the grid points: consecutive
    columns with the same dishes in the same order are joined by straight segments (no
    staircase); where the dishes change, each column keeps half of the step.  The legend sits
    below the panels, not over them."""
    from matplotlib.patches import Patch

    from ...two_types.analysis import analyze

    fig = new_figure(10.0, 4.8)
    axes = fig.subplots(1, 2, sharey=True)
    step = Fraction(1, 8)
    vs = [step * k for k in range(1, 40 * 8 + 1)]
    for ax, random in zip(axes, (False, True)):
        columns = []
        for v in vs:
            t = analyze(_restaurant(v))
            pieces = t.random_pieces if random else t.deterministic_pieces
            col = []
            for p in pieces:
                if p.is_point:
                    continue
                used = p.x1.used if random else p.a1
                name = _dish(used) if not (random and len(p.x1.vertices[0]) > 1) else "mix"
                if random and len(used) == 1:
                    name = next(iter(used))
                col.append((float(p.lo), float(p.hi), name))
            columns.append((float(v), col))
        half = float(step) / 2
        runs: list[list] = []  # consecutive columns with the same dishes in the same order
        for v, col in columns:
            if runs and [n for _, _, n in runs[-1][-1][1]] == [n for _, _, n in col]:
                runs[-1].append((v, col))
            else:
                runs.append([(v, col)])
        for k, run in enumerate(runs):
            start = 0.0 if k == 0 else run[0][0] - half
            end = 40.0 if k == len(runs) - 1 else run[-1][0] + half
            xs = [start] + [v for v, _ in run] + [end]
            for i, (_, _, name) in enumerate(run[0][1]):
                los = [col[i][0] for _, col in run]
                his = [col[i][1] for _, col in run]
                los, his = [los[0]] + los + [los[-1]], [his[0]] + his + [his[-1]]
                ax.fill(xs + xs[::-1], los + his[::-1], color=COLOURS[name], lw=0)
        for x in (10, 20, 30):
            ax.axvline(x, color="black", lw=0.5, ls=":")
        ax.set_xlim(0, 40)
        ax.set_ylim(0, 1)
        ax.set_xlabel("v (Theorists' value of fish)")
        ax.set_title("(a) no mixed dishes" if not random else "(b) mixed dishes allowed")
    axes[0].set_ylabel("q (share of Applied theorists)")
    handles = [Patch(color=COLOURS[k], label=lab) for k, lab in (("steak", "S"), ("fish", "F"), ("0", "∅ (excluded)"), ("mix", "S&T"))]
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=9, frameon=False)
    save(fig, path)


@register_figure(
    "stt-fig-v",
    "STT",
    "V for the restaurant with v = 25 (in the style of Figs. 2-7): A⁺ shaded, a^BD1 (fish) "
    "below the diagonal, the virtual alternative a^VA = (25, 25), the level lines of v1 − q v2 "
    "through steak at q^BD1 = 1/7 (deterministic) and q^CD = 1/8 (random), conv V and its "
    "highest diagonal point (180/7, 180/7)",
    claim="STT-THM1",
    also=("STT-COR1", "STT-COR3"),
)
def draw_stt_fig_v(path: Path) -> None:
    from ...two_types.analysis import analyze, hull, top_of_diagonal

    t = analyze(_restaurant(Fraction(25)))
    pts = {a: (float(x), float(y)) for a, (x, y) in t.v.items()}
    fig = new_figure(5.8, 5.6)
    ax = fig.subplots()
    lim = (-8, 70)
    ax.fill_between(lim, lim, [lim[1]] * 2, color="#eaf2f8", label="A⁺ (v_A ≥ v_T)")
    ax.plot(lim, lim, color="0.3", lw=1, label="diagonal")
    h = hull(list(t.v.values()))
    hx = [float(p[0]) for p in h] + [float(h[0][0])]
    hy = [float(p[1]) for p in h] + [float(h[0][1])]
    ax.plot(hx, hy, color="0.5", ls="--", lw=1, label="conv V (random dishes)")
    for a, (x, y) in pts.items():
        ax.plot([x], [y], "o", color="black")
        ax.annotate({"0": "0 (outside)"}.get(a, a), (x, y), textcoords="offset points", xytext=(6, -10))
    b = float(t.b)
    ax.plot([b], [b], "s", mfc="white", color="#8e44ad", label="a^VA = (25, 25)")
    top = float(top_of_diagonal(t.v.values()))
    ax.plot([top], [top], "D", color="#8e44ad", label="top of diagonal in conv V")
    for q, colour, lab in ((t.q_bd1, "#c0392b", "q^BD1"), (t.q_cd, "#2471a3", "q^CD")):
        # level line v1 − q v2 = const through steak: v2 = (v1 − const)/q
        const = float(t.v["steak"][0] - q * t.v["steak"][1])
        xs = [0.0, 40.0]
        ax.plot(xs, [(x - const) / float(q) for x in xs], color=colour, lw=1, label=f"{lab} = {q}: v_T − q v_A level line")
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_aspect("equal")
    ax.set_xlabel("v_T (type 1, Theorists)")
    ax.set_ylabel("v_A (type 2, Applied theorists)")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Restaurant, v = 25: V, A⁺, a^BD1 = fish, a^VA")
    save(fig, path)
