"""Printing user-supplied text literally: names, titles, error messages.

Type and alternative names come from the user's file.  They are printed
*literally* on every text output: never read as rich markup (``"[b]t[/b]"``
prints as ``[b]t[/b]``, ``"[/]"`` does not raise), never as emoji codes, and
with control characters (``\\x1b``, ``\\r``, ...) shown as escapes so that a
name cannot move the cursor, clear the screen or split an error message over
several lines.  JSON output keeps names unchanged (JSON escapes them itself).

* :func:`safe_text` — control characters escaped (newlines too, unless kept);
* :func:`safe_name` — the same for one name (newlines always escaped);
* :func:`plain_console` — a rich console that prints every string literally;
* :func:`md_code` — a Markdown code span that no text can break out of.
"""

from __future__ import annotations

import unicodedata

__all__ = ["safe_text", "safe_name", "plain_console", "md_code"]

# Cc: C0/C1 controls (ESC, CR, BS, DEL, ...); Cf: format characters (bidi
# overrides such as U+202E can reorder what a terminal shows); Zl/Zp: line and
# paragraph separators; Cs: lone surrogates (unprintable).
_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _escape_char(ch: str) -> str:
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe_text(text: object, keep_newlines: bool = False) -> str:
    """``str(text)`` with every control/format character shown as an escape.

    ``keep_newlines`` keeps ``"\\n"`` (for multi-line text the program built
    itself, e.g. a table); every other control character is escaped.
    """
    s = str(text)
    if s.isprintable():  # no C* or Z* character but the space: nothing to escape
        return s
    out = []
    for ch in s:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in _UNSAFE:
            out.append(_escape_char(ch))
        else:
            out.append(ch)
    return "".join(out)


def safe_name(name: object) -> str:
    """A type/alternative name for text output: literal, control characters escaped."""
    return safe_text(name)


def plain_console(**kwargs):
    """A rich ``Console`` that prints every string literally.

    No markup (``[b]`` is text), no emoji codes (``:smile:`` is text), no
    highlighting, and control characters escaped (newlines kept: the program's
    own tables span lines; user names with newlines are refused at entry).
    Keyword arguments go to ``rich.console.Console``.
    """
    from rich.console import Console

    from rich.segment import Segment

    class _PlainConsole(Console):
        def render_str(self, text, **kw):  # every str printed or put in a Table
            kw["markup"] = False
            kw["emoji"] = False
            return super().render_str(safe_text(text, keep_newlines=True), **kw)

        def render(self, renderable, options=None):  # also rich Text objects (no markup, but raw ESC)
            for seg in super().render(renderable, options):
                if seg.control or seg.text.isprintable():
                    yield seg
                else:
                    yield Segment(safe_text(seg.text, keep_newlines=True), seg.style, seg.control)

    kwargs.setdefault("highlight", False)
    kwargs.setdefault("markup", False)
    kwargs.setdefault("emoji", False)
    return _PlainConsole(**kwargs)


def md_code(text: object, in_table: bool = False) -> str:
    """``text`` as a CommonMark inline code span that no text can break out of.

    The fence is one backtick longer than the longest run of backticks in the
    text (CommonMark 6.1), padded with a space when the text starts or ends
    with a backtick; newlines and control characters are escaped.  Inside a
    code span ``<`` and ``&`` are literal, so no raw HTML can appear.  With
    ``in_table``, ``|`` is written ``\\|`` (a GFM table cell would end there).
    """
    s = safe_text(text)  # control characters (newlines too) escaped: one line
    if in_table:
        s = s.replace("|", "\\|")
    longest = run = 0
    for ch in s:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ") and s.strip()):
        s = f" {s} "
    if not s:
        s = " "
    return f"{fence}{s}{fence}"
