"""HTML and LaTeX for Jupyter: the pieces behind every ``_repr_html_`` / ``_repr_latex_``.

A result object shown in a notebook is a table: types and alternatives by
name, every exact value as a fraction with its decimal expansion beside it
(``3/4 (0.75)``), so that a reader sees the exact number the check used and
its size at a glance.  Names come from the user's file and are escaped
everywhere (``"<b>t&1</b>"`` shows as typed, never as markup); control
characters are shown as escapes (:func:`exactscreen.display.safe_text`).

* :class:`Html` — a string already safe as HTML (anything else is escaped);
* :func:`num` — an exact number as HTML: ``3/4 <small>(0.75)</small>``;
* :func:`interval` — an exact range ``[lo, hi]`` (a point when ``lo == hi``);
* :func:`table` — a table from a header row and rows of cells;
* :func:`block` — a titled ``<div>`` of parts (the outer element of every repr);
* :func:`latex_num`, :func:`latex_name`, :func:`latex_matrix` — the same in LaTeX
  (math mode, for MathJax and for nbconvert's LaTeX export).

Only the standard library and :mod:`exactscreen.numbers` are used, so an
object's repr costs nothing until a notebook asks for it.
"""

from __future__ import annotations

import html as _html
from fractions import Fraction
from typing import Iterable, Sequence

from .display import safe_text
from .exceptions import ExactNumberError
from .numbers import fmt, fmt_decimal, to_fraction

__all__ = [
    "Html", "esc", "num", "interval", "table", "block", "kv_table", "names",
    "latex_num", "latex_name", "latex_matrix", "latex_interval",
]


class Html(str):
    """Text that is already HTML (built by this module from escaped parts)."""


def esc(text: object) -> Html:
    """``text`` as HTML: control characters shown as escapes, ``<``, ``>``, ``&`` and quotes escaped."""
    if isinstance(text, Html):
        return text
    return Html(_html.escape(safe_text(text), quote=True))


def _exact(value: object) -> Fraction | None:
    if isinstance(value, (bool, float)) or value is None:
        return None
    try:
        return to_fraction(value)
    except (ExactNumberError, TypeError, ValueError):
        return None


def num(value: object, digits: int = 6) -> Html:
    """An exact number: ``3/4 <small>(0.75)</small>``; an integer alone (``2``).

    ``None`` shows as an em dash; a value that is not a rational number (a
    symbolic expression, a string) is shown escaped, as text.
    """
    if value is None:
        return Html("—")
    f = _exact(value)
    if f is None:
        return esc(value)
    if f.denominator == 1:
        return Html(f'<span class="es-exact">{fmt(f)}</span>')
    return Html(f'<span class="es-exact">{fmt(f)}</span> <small class="es-decimal">({fmt_decimal(f, digits)})</small>')


def interval(lo: object, hi: object) -> Html:
    """``[lo, hi]`` with both ends as :func:`num`; a single number when ``lo == hi``."""
    a, b = _exact(lo), _exact(hi)
    if a is not None and a == b:
        return num(a)
    return Html(f"[{num(lo)}, {num(hi)}]")


def _cell(value: object, tag: str) -> str:
    body = value if isinstance(value, Html) else num(value) if _exact(value) is not None and not isinstance(value, str) else esc(value)
    return f"<{tag}>{body}</{tag}>"


def table(header: Sequence[object], rows: Iterable[Sequence[object]], *, caption: object = None,
          row_headers: bool = True) -> Html:
    """An HTML table.  A cell that is an :class:`Html` is kept; a number (not a string) is
    shown by :func:`num`; anything else is escaped text.  ``row_headers``: the first cell of
    each row is a ``<th>`` (the type's or alternative's name)."""
    parts = ["<table>"]
    if caption is not None:
        parts.append(f"<caption>{esc(caption)}</caption>")
    if header:
        parts.append("<thead><tr>" + "".join(_cell(h if isinstance(h, Html) else esc(h), "th") for h in header)
                     + "</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        cells = [_cell(c, "th" if (row_headers and j == 0) else "td") for j, c in enumerate(row)]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return Html("".join(parts))


def kv_table(pairs: Iterable[tuple[object, object]], caption: object = None) -> Html:
    """A two-column table ``name | value`` (values as in :func:`table`)."""
    return table((), [(Html(f"{esc(k)}"), v) for k, v in pairs], caption=caption)


def names(items: Iterable[object], sep: str = ", ") -> Html:
    """Names joined by ``sep``, each escaped (``"—"`` for none)."""
    out = sep.join(esc(x) for x in items)
    return Html(out or "—")


def block(title: object, *parts: object) -> Html:
    """``<div>`` with a bold title and the parts (HTML kept, text escaped, each in order)."""
    body = "".join(p if isinstance(p, Html) else f"<p>{esc(p)}</p>" for p in parts if p is not None)
    return Html(f'<div class="exactscreen"><p><strong>{esc(title)}</strong></p>{body}</div>')


# --------------------------------------------------------------------- LaTeX
_LATEX_MATH = {
    "\\": r"\backslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "&": r"\&", "%": r"\%",
    "#": r"\#", "$": r"\$", "^": r"\hat{}", "~": r"\sim{}", " ": r"\ ",
    # no raw < or >: a front end that inserts LaTeX output as HTML must not see a tag
    "<": r"\langle{}", ">": r"\rangle{}",
}


def latex_name(text: object) -> str:
    """A name in math mode, upright: ``\\mathrm{t\\_1}``; every special character escaped,
    so braces stay balanced whatever the name (MathJax and LaTeX both read it); ``<``/``>`` are
    written as angle brackets, so the LaTeX holds no HTML tag."""
    s = safe_text(text)
    return r"\mathrm{" + "".join(_LATEX_MATH.get(ch, ch) for ch in s) + "}"


def latex_num(value: object) -> str:
    """An exact rational in math mode: ``\\frac{3}{4}``, ``-\\frac{1}{2}``, ``2``."""
    f = to_fraction(value)
    if f.denominator == 1:
        return fmt(f)
    sign = "-" if f < 0 else ""
    return f"{sign}\\frac{{{fmt(abs(f.numerator))}}}{{{fmt(f.denominator)}}}"


def latex_interval(lo: object, hi: object) -> str:
    """``[lo, hi]`` in math mode (a single number when ``lo == hi``)."""
    a, b = to_fraction(lo), to_fraction(hi)
    if a == b:
        return latex_num(a)
    return rf"\left[{latex_num(a)},\ {latex_num(b)}\right]"


def latex_matrix(corner: str, columns: Sequence[object], rows: Sequence[tuple[object, Sequence[object]]]) -> str:
    """A labelled matrix as a LaTeX ``array`` (``corner``: math already; names escaped;
    entries :func:`latex_num`), wrapped in ``$$ ... $$`` for Jupyter."""
    spec = "r|" + "r" * len(columns)
    head = corner + " & " + " & ".join(latex_name(c) for c in columns) + r" \\ \hline"
    body = r" \\ ".join(latex_name(r) + " & " + " & ".join(latex_num(v) for v in vals) for r, vals in rows)
    return rf"$$\begin{{array}}{{{spec}}} {head} {body} \end{{array}}$$"
