"""The figure of a sweep (:mod:`exactscreen.mechanisms.sweep`, issue 17): the optimal revenue and
each type's consumer surplus along the line of markets ``(1 - l) f0 + l f1``, breakpoints marked,
in the manner of paper 000's Fig. 1 (Sec. 3.1.1) for any number of types.

Not a registered report figure (it draws a given sweep); ``exactscreen sweep --figure OUT.png``
calls :func:`draw_sweep`.  Coordinates are floats only to place pixels; every plotted value
comes from the exact pieces (revenue affine on each piece, surplus constant on each piece).
"""

from __future__ import annotations

from pathlib import Path

from ...numbers import fmt
from .base import new_figure, save

__all__ = ["draw_sweep"]

#: at most this many types get their own surplus line (a legend beyond that is unreadable)
MAX_SURPLUS_LINES = 12


def draw_sweep(result, path: str | Path) -> Path:
    """Write the sweep's figure to ``path`` (PNG): top, revenue ``R(l)``; bottom, the consumer
    surplus of each type under the selected mechanism (the first :data:`MAX_SURPLUS_LINES` types);
    dotted verticals at the breakpoints; a filled dot is a point piece's own value."""
    env = result.environment
    fig = new_figure(6.5, 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    for p in result.pieces:
        if p.is_point:
            top.plot([float(p.lo)], [float(p.revenue_lo)], "o", ms=4, color="black", zorder=3)
        else:
            top.plot([float(p.lo), float(p.hi)], [float(p.revenue_lo), float(p.revenue_hi)], color="black", lw=2)
    shown = list(range(min(env.n, MAX_SURPLUS_LINES)))
    colors = [f"C{i % 10}" for i in shown]
    for i, c in zip(shown, colors):
        labelled = False
        for p in result.pieces:
            y = float(p.surplus[i])
            if p.is_point:
                bottom.plot([float(p.lo)], [y], "o", ms=4, color=c, mfc=c, zorder=3)
            else:
                bottom.plot([float(p.lo), float(p.hi)], [y, y], color=c, lw=2,
                            label=None if labelled else env.types[i])
                for x, closed in ((p.lo, p.lo_closed), (p.hi, p.hi_closed)):
                    if not closed:
                        bottom.plot([float(x)], [y], "o", ms=4, color=c, mfc="white", zorder=2)
                labelled = True
    for ax in (top, bottom):
        for b in result.breakpoints:
            ax.axvline(float(b), color="0.75", lw=0.8, ls=":")
        ax.set_xlim(-0.03, 1.03)
    ticks = sorted({0, 1, *result.breakpoints})
    if len(ticks) <= 8:
        bottom.set_xticks([float(t) for t in ticks], [fmt(t) for t in ticks])
    top.set_ylabel("optimal revenue R(l)")
    bottom.set_ylabel("consumer surplus u(t)")
    bottom.set_xlabel("l: market (1 - l) f0 + l f1")
    top.set_title(f"Sweep: {len(result.revenue_kinks)} revenue kink(s), {len(result.breakpoints)} breakpoint(s)")
    title = "types" if env.n <= MAX_SURPLUS_LINES else f"first {MAX_SURPLUS_LINES} of {env.n} types"
    bottom.legend(title=title, fontsize="small", loc="best")
    out = Path(path)
    save(fig, out)
    return out
