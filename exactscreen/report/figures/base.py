"""Figures of the referee report, recomputed (never copied from the papers).

A figure is a function ``draw(path)`` that writes a PNG to ``path`` with
matplotlib, registered with :func:`register_figure`::

    @register_figure("stt-fig1", "STT", "Which dish targets Theorists over (v, q)", claim="STT-EXB")
    def draw_stt_fig1(path):
        fig = new_figure()
        ax = fig.subplots()
        ...                       # compute with the engine, then plot
        save(fig, path)

The ``check`` command draws the figures of the selected papers into
``--out DIR/figures/`` and the HTML/Markdown/LaTeX reports show them.  A
figure whose drawing fails does not stop the report: it is listed with the
error instead.

matplotlib is used through :class:`matplotlib.figure.Figure` and the Agg
canvas only (no pyplot state, no display needed).  Plot coordinates are
floats because pixels are; the quantities a figure *states* (labels,
captions, fixed points) are computed exactly.

Engine owners add their figures here (or in a module listed in
:data:`FIGURE_MODULES`, imported by :func:`registered_figures`).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ...exceptions import InputError, NotCertified

__all__ = [
    "FigureSpec",
    "DrawnFigure",
    "register_figure",
    "registered_figures",
    "draw_figures",
    "new_figure",
    "save",
    "FIGURE_MODULES",
]

#: Modules that register figures when imported (besides this one).  A module
#: that is missing or fails to import shows as a figure that could not be drawn.
FIGURE_MODULES: tuple[str, ...] = ("exactscreen.report.figures.pis", "exactscreen.report.figures.stt", "exactscreen.report.figures.swp")

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure: file name stem, paper prefix, caption, drawing function,
    and the claim IDs it illustrates (the report shows it beside the first of them
    that is in the report)."""

    name: str
    paper: str
    caption: str
    draw: Callable[[Path], None]
    claim: str | None = None
    also: tuple[str, ...] = ()

    @property
    def claims(self) -> tuple[str, ...]:
        """Every claim ID the figure illustrates: ``claim`` first, then ``also``."""
        first = (self.claim,) if self.claim else ()
        return first + tuple(c for c in self.also if c != self.claim)

    def __repr__(self) -> str:
        about = f", {self.claim}" if self.claim else ""
        return f"FigureSpec({self.name}: {self.paper}{about}: {self.caption})"


@dataclass(frozen=True)
class DrawnFigure:
    """Result of drawing one figure: the PNG written, or the error that prevented it."""

    spec: FigureSpec
    path: Path | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.path is not None and self.error is None

    def __repr__(self) -> str:
        where = self.path.name if self.path else f"failed: {self.error}"
        return f"DrawnFigure({self.spec.name}: {where})"


_FIGURES: dict[str, FigureSpec] = {}


def register_figure(
    name: str, paper: str, caption: str, *, claim: str | None = None, also: tuple[str, ...] = ()
) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    """Decorator registering ``func(path)`` as figure ``name`` of ``paper``.

    ``name`` becomes the file name (``name.png``): lower-case letters, digits
    and hyphens.  ``claim`` is the claim ID the figure illustrates (the report
    shows the figure beside it), ``also`` further claim IDs it illustrates.
    Registering a name twice is an error.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(
            f"register_figure: name {name!r} must be lower-case letters, digits and hyphens "
            "(it becomes the PNG file name), e.g. 'swp-fig3-hazard'"
        )
    if not isinstance(paper, str) or not paper:
        raise InputError("register_figure: paper must be the paper's prefix, e.g. 'SWP'")

    def decorate(func: Callable[[Path], None]) -> Callable[[Path], None]:
        if name in _FIGURES and _FIGURES[name].draw is not func:
            raise InputError(f"register_figure: a figure named {name!r} is already registered")
        _FIGURES[name] = FigureSpec(name, paper, caption, func, claim, tuple(also))
        return func

    return decorate


def _import_figure_modules() -> dict[str, str]:
    """Import :data:`FIGURE_MODULES`; return ``{module: error}`` for those that fail."""
    failed = {}
    for module in FIGURE_MODULES:
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - reported with the figures
            failed[module] = f"{type(exc).__name__}: {exc}"
    return failed


def registered_figures(papers: Iterable[str] = ()) -> tuple[FigureSpec, ...]:
    """Registered figures (of the given paper prefixes, or all), sorted by paper then name."""
    _import_figure_modules()
    wanted = set(papers)
    return tuple(
        sorted(
            (f for f in _FIGURES.values() if not wanted or f.paper in wanted),
            key=lambda f: (f.paper, f.name),
        )
    )


def draw_figures(out_dir: str | Path, papers: Iterable[str] = ()) -> tuple[DrawnFigure, ...]:
    """Draw the figures of ``papers`` (all if empty) into ``out_dir/NAME.png``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    drawn = []
    for module, error in _import_figure_modules().items():
        spec = FigureSpec(module.rsplit(".", 1)[-1].replace("_", "-"), "?", f"figures of {module}", _no_drawing)
        drawn.append(DrawnFigure(spec, None, f"cannot import {module}: {error}"))
    for spec in registered_figures(papers):
        path = out / f"{spec.name}.png"
        try:
            spec.draw(path)
            if not path.is_file():
                raise RuntimeError(f"the drawing function wrote no file at {path.name}")
            drawn.append(DrawnFigure(spec, path))
        except Exception as exc:  # noqa: BLE001 - one broken figure must not stop the report
            drawn.append(DrawnFigure(spec, None, f"{type(exc).__name__}: {exc}"))
    return tuple(drawn)


def _no_drawing(path: Path) -> None:  # placeholder of a figure module that failed to import
    raise RuntimeError("not drawable")


def new_figure(width: float = 5.5, height: float = 5.0):
    """A matplotlib Figure on the Agg canvas (size in inches)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def save(fig, path: str | Path) -> None:
    """Write ``fig`` as PNG without volatile metadata (same drawing → same bytes)."""
    fig.savefig(path, format="png", metadata={"Software": None})


# --------------------------------------------------------------------------
# Paper 004 (Screening with persuasion), Fig. 3: hazard-rate dynamics.
# --------------------------------------------------------------------------
def hazard_map_fixed_point():
    """Exact fixed point of S(x) = (√x − x)/(1 − x) in (0, 1): ``(3 − √5)/2`` as sympy.

    With y = √x, S(x) = y/(1 + y), so S(x) = x iff y² + y − 1 = 0 (y > 0),
    y = (√5 − 1)/2 and x = y² = (3 − √5)/2 (paper 004, Lemma 2, eq. (37)).
    """
    import sympy

    y = sympy.symbols("y", positive=True)
    (root,) = sympy.solve(sympy.Eq(y / (1 + y), y**2), y)
    return sympy.radsimp(sympy.expand(root**2))


@register_figure(
    "swp-fig3-hazard",
    "SWP",
    "Hazard-rate dynamics of the critical distribution (paper 004, Lemma 2, eq. (37), Fig. 3): "
    "the feasible set h_{i+1} ≥ S(h_i) with S(x) = (√x − x)/(1 − x), shaded; iterates of the "
    "binding map converge to the fixed point (3 − √5)/2 from below and from above.",
    claim="SWP-LEM2",
)
def draw_swp_fig3(path: Path) -> None:
    """Cobweb of h_{i+1} = S(h_i) from h_1 = 0.02 and h_1 = 0.9, with the feasible region."""
    import math

    import sympy

    fixed = hazard_map_fixed_point()
    check = sympy.simplify((sympy.sqrt(fixed) - fixed) / (1 - fixed) - fixed)
    if check != 0:  # the label below states it: make sure it is true
        raise NotCertified(f"S((3-√5)/2) - (3-√5)/2 simplifies to {check}, not 0")
    h_star = float(fixed)  # pixels only

    def s(x: float) -> float:
        r = math.sqrt(x)
        return r / (1 + r)  # = (√x − x)/(1 − x), continuous at x = 1

    xs = [i / 400 for i in range(401)]
    fig = new_figure()
    ax = fig.subplots()
    ax.fill_between(xs, [s(x) for x in xs], [1.0] * len(xs), color="#cfe3f7", label="feasible: $h_{i+1} \\geq S(h_i)$")
    ax.plot(xs, [s(x) for x in xs], color="#1f4e79", lw=2, label="$S(h)=(\\sqrt{h}-h)/(1-h)$")
    ax.plot([0, 1], [0, 1], color="0.4", lw=1, ls="--", label="$h_{i+1}=h_i$")
    for start, colour in ((0.02, "#c0392b"), (0.9, "#8e44ad")):
        h = start
        for _ in range(12):
            nxt = s(h)
            if abs(nxt - h) < 0.012:  # too short to draw an arrow
                break
            ax.annotate("", xy=(h, nxt), xytext=(h, h), arrowprops=dict(arrowstyle="->", color=colour, lw=1.2))
            ax.annotate("", xy=(nxt, nxt), xytext=(h, nxt), arrowprops=dict(arrowstyle="->", color=colour, lw=1.2))
            h = nxt
        ax.plot([start], [start], "o", color=colour, ms=4)
    ax.plot([h_star], [h_star], "o", color="black", ms=6, zorder=5)
    label = sympy.latex(sympy.together(fixed))
    ax.annotate(
        f"fixed point $h^*={label}$",
        xy=(h_star, h_star),
        xytext=(0.45, 0.12),
        arrowprops=dict(arrowstyle="->", color="black"),
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("$h_i$")
    ax.set_ylabel("$h_{i+1}$")
    ax.set_title("Screening with persuasion, Fig. 3: hazard rates")
    ax.legend(loc="upper left", fontsize=8)
    save(fig, path)
