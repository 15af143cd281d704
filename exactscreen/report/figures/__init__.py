"""The papers' figures, one module per paper (:mod:`.pis`, :mod:`.stt`, :mod:`.swp`), registered in
:mod:`.base`.
"""

from ..._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".base": ("FigureSpec", "DrawnFigure", "register_figure", "registered_figures",
            "draw_figures", "new_figure", "save", "FIGURE_MODULES"),
    },
)
