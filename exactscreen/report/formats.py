"""The referee report: one row per claim, as a terminal table, Markdown, HTML, LaTeX or JSON.

A :class:`Report` bundles the :class:`~exactscreen.claims.runner.CheckRun`
(one :class:`~exactscreen.claims.results.ClaimResult` per claim), the
registry (for paper titles) and the figures drawn for it.  Renderers:

* :func:`render_text` — a rich table (ID, paper, section, status, evidence);
* :func:`to_markdown`, :func:`to_html`, :func:`to_latex` — documents a
  referee pastes from; every piece of text is escaped for its format;
* :func:`to_json` — one object ``{"claims": [...], "summary": {...}}``,
  deterministic apart from the ``seconds`` fields (durations are decimal
  strings such as ``"0.012"``: the report contains no binary float);
* :func:`write_report` — all of them into a directory, with the figures.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..claims.registry import Registry
from ..claims.results import ClaimResult, Status
from ..claims.runner import CheckRun
from .figures.base import DrawnFigure

__all__ = [
    "Report",
    "STATUS_STYLE",
    "json_object",
    "to_json",
    "to_markdown",
    "to_html",
    "to_latex",
    "render_text",
    "write_report",
    "FORMATS",
]

FORMATS = ("text", "markdown", "json", "html", "latex")

#: rich style of each status in the terminal table.
STATUS_STYLE = {
    Status.VERIFIED: "bold green",
    Status.VERIFIED_BOUNDS: "green",
    Status.QUALIFIED: "bold yellow",
    Status.NOT_CHECKABLE: "cyan",
    Status.REFUTED: "bold red",
    Status.ERROR: "bold magenta",
    Status.NOT_YET_CHECKED: "dim",
}

_HTML_COLOUR = {
    Status.VERIFIED: ("#1e7b34", "#e3f4e7"),
    Status.VERIFIED_BOUNDS: ("#2c7a5b", "#e2f3ec"),
    Status.QUALIFIED: ("#8a6100", "#fff3cd"),
    Status.NOT_CHECKABLE: ("#155e75", "#e0f2f7"),
    Status.REFUTED: ("#a61b1b", "#fde2e1"),
    Status.ERROR: ("#7a1f7a", "#f6e0f6"),
    Status.NOT_YET_CHECKED: ("#555555", "#eeeeee"),
}

_SHORT = 110  # characters of evidence in the terminal table


@dataclass(frozen=True)
class Report:
    """Everything a rendering needs: the run, the registry, the figures."""

    run: CheckRun
    registry: Registry
    figures: tuple[DrawnFigure, ...] = field(default=(), repr=False)

    @property
    def results(self) -> tuple[ClaimResult, ...]:
        return self.run.results

    @property
    def exit_status(self) -> int:
        """1 if a claim is refuted or errored or a check is broken, else 0."""
        return self.run.exit_status

    def by_paper(self) -> list[tuple[Any, list[ClaimResult]]]:
        """(paper, results) for each paper that has a result, in registry order."""
        out = []
        for paper in self.registry.papers:
            rows = [r for r in self.results if r.claim.paper == paper.prefix]
            if rows:
                out.append((paper, rows))
        return out

    def summary_line(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.run.counts().items() if n)
        n = len(self.results)
        return f"{n} claim{'' if n == 1 else 's'}: {counts or 'none'}"

    def verdict(self) -> str:
        """Why the exit status is what it is, in one sentence."""
        bad = [r.id for r in self.results if r.status.failing]
        if not bad and not self.run.problems:
            return "exit status 0: nothing refuted, no errors"
        parts = []
        if bad:
            parts.append("refuted or errored: " + ", ".join(bad))
        if self.run.problems:
            parts.append(f"{len(self.run.problems)} broken check(s)")
        return "exit status 1: " + "; ".join(parts)

    def __repr__(self) -> str:
        return f"Report({self.summary_line()}; {len(self.figures)} figures)"

    def _repr_html_(self) -> str:
        """Jupyter: the body of :func:`to_html` (its tables, badges and figures) without the page
        around it: no ``<html>``/``<head>`` and no page-wide ``<style>`` that would restyle the notebook."""
        import re

        page = to_html(self)
        found = re.search(r"<body[^>]*>(.*)</body>", page, re.S)
        body = found.group(1) if found else page
        body = re.sub(r"<style[^>]*>.*?</style>", "", body, flags=re.S)
        return f'<div class="exactscreen-report">{body}</div>'


def _short(text: str, limit: int = _SHORT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------- JSON
def json_object(report: Report, figure_dir: str | None = None) -> dict:
    """The JSON report as a dict (see :func:`to_json`)."""
    claims = []
    for r in report.results:
        claims.append(
            {
                "id": r.claim.id,
                "paper": r.claim.paper,
                "section": r.claim.section,
                "statement": r.claim.statement,
                "status": r.status.value,
                "strength": r.strength,
                "reach": r.reach,
                "counterexample": r.counterexample,
                "evidence": list(r.evidence),
                "instances": r.instances,
                "tests": [
                    {"test": t.nodeid, "status": t.status.value, "strength": t.strength,
                     "seconds": str(t.seconds), "trivial": t.trivial}
                    for t in r.tests
                ],
                "seconds": str(r.seconds),
            }
        )
    summary: dict[str, Any] = dict(report.run.counts())
    summary["total"] = len(report.results)
    summary["problems"] = list(report.run.problems)
    summary["profile"] = report.run.profile
    summary["exit_status"] = report.exit_status
    summary["seconds"] = str(report.run.seconds)
    out: dict[str, Any] = {"claims": claims, "summary": summary}
    if figure_dir is not None and report.figures:
        out["figures"] = [
            {
                "name": f.spec.name,
                "paper": f.spec.paper,
                "caption": f.spec.caption,
                "file": f"{figure_dir}/{f.path.name}" if f.ok else None,
                "error": f.error,
            }
            for f in report.figures
        ]
    return out


def to_json(report: Report, figure_dir: str | None = None) -> str:
    """One JSON object ``{"claims": [...], "summary": {...}}`` (keys in a fixed order).

    Each claim has ``id, paper, section, statement, status, strength, reach,
    counterexample, evidence, instances, tests, seconds``: ``strength`` is one of
    ``all-cases``, ``paper-instances``, ``sampled``, ``bounds``, ``none``;
    ``reach`` lists ``{"check", "hard_case", "hit", "tried"}`` per hard case of a
    sampled check; ``counterexample`` is ``{"as_written", "instance",
    "confirmed_by"}`` (plus ``corrected`` and ``check``) for a qualified or
    refuted claim, else ``null``.  The summary counts every status and lists ``problems``.
    Only the ``seconds`` fields vary between two runs of the same checks.
    """
    return json.dumps(json_object(report, figure_dir), indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------- Markdown
_MD_SPECIAL = set("\\`*_[]<>|#$~")


def md_escape(text: str) -> str:
    """Escape text for a Markdown table cell (also ``|``; newlines become spaces)."""
    out = []
    for ch in " ".join(str(text).split()):
        if ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def md_code(text: str) -> str:
    """Text as an inline code span no backtick, ``|``, ``<`` or newline can break out of
    (see :func:`exactscreen.display.md_code`)."""
    from ..display import md_code as _code

    return _code(text)


def to_markdown(report: Report, figure_dir: str | None = "figures") -> str:
    """The report as Markdown: a table per paper, details per checked claim, figures, problems.

    Figures are linked as ``figure_dir/NAME.png`` (relative to the report);
    with ``figure_dir=None`` they are omitted.
    """
    lines = ["# exactscreen referee report", ""]
    lines.append(
        f"Hypothesis profile {md_code(report.run.profile)}. {md_escape(report.summary_line())}. "
        f"{md_escape(report.verdict())}."
    )
    lines.append("")
    for paper, rows in report.by_paper():
        lines.append(f"## {md_escape(paper.title)} ({md_escape(paper.prefix)})")
        lines.append("")
        meta = [md_escape(paper.authors)] if paper.authors else []
        if paper.file:
            meta.append(md_code(paper.file))
        if meta:
            lines += [", ".join(meta), ""]
        lines.append("| ID | Where | Statement | Status | Strength | Evidence |")
        lines.append("|---|---|---|---|---|---|")
        for r in rows:
            status = f"**{r.status.value}**" if r.status.failing else r.status.value
            lines.append(
                f"| {md_escape(r.claim.id)} | {md_escape(r.claim.section)} | {md_escape(r.claim.statement)} "
                f"| {status} | {md_escape(r.strength)} | {md_escape(r.summary)} |"
            )
        lines.append("")
    checked = [r for r in report.results if r.tests]
    if checked:
        lines += ["## Evidence", ""]
        for r in checked:
            lines.append(f"### {md_escape(r.claim.id)}: {r.status.value}")
            lines.append("")
            lines.append(f"{md_escape(r.claim.statement)} ({md_escape(r.claim.section)})")
            lines.append("")
            for ev in r.evidence:
                lines.append(f"- {md_escape(ev)}")
            lines.append(f"- strength: {r.strength}; instances tried: {r.instances}")
            for reach in r.reach:
                lines.append(
                    f"- reach: {md_escape(reach['hard_case'])}: hit {reach['hit']} of {reach['tried']} "
                    f"({md_code(reach['check'])})"
                )
            for cx in r.counterexamples:
                lines.append(f"- counterexample confirmed by {md_escape(cx['confirmed_by'])}")
            for t in r.tests:
                lines.append(f"- check {md_code(t.nodeid)}: {t.status.value}, {t.seconds} s")
            lines.append("")
    if figure_dir is not None and report.figures:
        lines += ["## Figures", ""]
        for f in report.figures:
            if f.ok:
                lines.append(f"![{md_escape(f.spec.name)}]({figure_dir}/{f.path.name})")
                lines.append("")
                lines.append(f"*{md_escape(f.spec.caption)}*")
            else:
                lines.append(f"- {md_escape(f.spec.name)}: could not be drawn ({md_escape(f.error or '')})")
            lines.append("")
    if report.run.problems:
        lines += ["## Broken checks", ""]
        lines += [f"- {md_escape(p)}" for p in report.run.problems]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:92rem;color:#222;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
.meta{color:#555;margin:.2rem 0 1rem} table{border-collapse:collapse;width:100%;font-size:.88rem;table-layout:fixed}
col.c-id{width:11%} col.c-where{width:10%} col.c-statement{width:31%} col.c-status{width:10.5%} col.c-evidence{width:37.5%}
td{overflow-wrap:anywhere}
th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5} td.id{font-family:ui-monospace,monospace;white-space:nowrap}
.status{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-weight:600;white-space:nowrap;font-size:.8rem}
.summary span{margin-right:.8rem} details{margin:.3rem 0} details ul{margin:.2rem 0 .6rem}
figure{display:inline-table;margin:1rem 1.5rem 1rem 0;vertical-align:top}
figure img{display:block;max-width:100%;border:1px solid #ddd}
figcaption{display:table-caption;caption-side:bottom;font-size:.85rem;color:#444;padding-top:.3rem}
.problems li{color:#a61b1b} code{font-size:.85em}
"""


def _badge(status: Status) -> str:
    fg, bg = _HTML_COLOUR[status]
    return f'<span class="status" style="color:{fg};background:{bg}">{status.value}</span>'


def to_html(report: Report) -> str:
    """A self-contained HTML page (CSS inline, figures embedded as base64 PNG)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>exactscreen referee report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>exactscreen referee report</h1>",
        f'<p class="meta">Hypothesis profile <code>{e(report.run.profile)}</code>. {e(report.verdict())}.</p>',
        '<p class="summary">',
    ]
    parts += [f"<span>{_badge(Status(s))} {n}</span>" for s, n in report.run.counts().items() if n]
    parts.append("</p>")
    for paper, rows in report.by_paper():
        meta = ", ".join(x for x in (paper.authors, paper.file) if x)
        parts.append(f"<h2>{e(paper.title)} ({e(paper.prefix)})</h2>")
        if meta:
            parts.append(f'<p class="meta">{e(meta)}</p>')
        parts.append(
            '<table><colgroup><col class="c-id"><col class="c-where"><col class="c-statement">'
            '<col class="c-status"><col class="c-evidence"></colgroup>'
            "<thead><tr><th>ID</th><th>Where</th><th>Statement</th><th>Status</th><th>Evidence</th></tr></thead><tbody>"
        )
        for r in rows:
            detail = ""
            if r.tests:
                items = "".join(f"<li>{e(ev)}</li>" for ev in r.evidence)
                items += f"<li>strength: {e(r.strength)}; instances tried: {r.instances}</li>"
                items += "".join(
                    f"<li>reach: {e(x['hard_case'])}: hit {x['hit']} of {x['tried']} (<code>{e(x['check'])}</code>)</li>"
                    for x in r.reach
                )
                items += "".join(
                    f"<li>counterexample confirmed by {e(cx['confirmed_by'])}</li>" for cx in r.counterexamples
                )
                items += "".join(
                    f"<li>check <code>{e(t.nodeid)}</code>: {e(t.status.value)}, {t.seconds} s</li>" for t in r.tests
                )
                detail = f"<details><summary>{e(_short(r.summary))}</summary><ul>{items}</ul></details>"
            else:
                detail = e(r.summary)
            parts.append(
                f'<tr id="{e(r.claim.id)}"><td class="id">{e(r.claim.id)}</td><td>{e(r.claim.section)}</td>'
                f'<td>{e(r.claim.statement)}</td><td>{_badge(r.status)}<br><small class="strength">{e(r.strength)}</small></td>'
                f"<td>{detail}</td></tr>"
            )
        parts.append("</tbody></table>")
    if report.figures:
        parts.append('<h2 id="figures">Figures</h2>')
        for f in report.figures:
            if f.ok:
                data = base64.b64encode(f.path.read_bytes()).decode("ascii")
                parts.append(
                    f'<figure><img alt="{e(f.spec.name)}" src="data:image/png;base64,{data}">'
                    f"<figcaption><b>{e(f.spec.paper)}</b>: {e(f.spec.caption)}</figcaption></figure>"
                )
            else:
                parts.append(f"<p>{e(f.spec.name)}: could not be drawn ({e(f.error or '')})</p>")
    if report.run.problems:
        parts.append('<h2>Broken checks</h2><ul class="problems">')
        parts += [f"<li>{e(p)}</li>" for p in report.run.problems]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# -------------------------------------------------------------------- LaTeX
_LATEX_ASCII = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_\allowbreak{}",  # long test names may break after an underscore
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}

_LATEX_UNICODE = {
    "²": r"\textsuperscript{2}",
    "·": r"\ensuremath{\cdot}",
    "Σ": r"\ensuremath{\Sigma}",
    "α": r"\ensuremath{\alpha}",
    "β": r"\ensuremath{\beta}",
    "γ": r"\ensuremath{\gamma}",
    "δ": r"\ensuremath{\delta}",
    "ε": r"\ensuremath{\varepsilon}",
    "μ": r"\ensuremath{\mu}",
    "τ": r"\ensuremath{\tau}",
    "φ": r"\ensuremath{\varphi}",
    "—": "---",
    "–": "--",
    "…": r"\ldots{}",
    "→": r"\ensuremath{\to}",
    "⇒": r"\ensuremath{\Rightarrow}",
    "−": r"\ensuremath{-}",
    "√": r"\ensuremath{\surd}",
    "≈": r"\ensuremath{\approx}",
    "≤": r"\ensuremath{\leq}",
    "≥": r"\ensuremath{\geq}",
    "≽": r"\ensuremath{\succcurlyeq}",
    "∈": r"\ensuremath{\in}",
    "×": r"\ensuremath{\times}",
    "±": r"\ensuremath{\pm}",
    "“": "``",
    "”": "''",
    "’": "'",
}

#: Combining accents (as in p̃, z̄, z̲) and the text-mode accent commands for them.
_LATEX_COMBINING = {"\u0303": r"\~{%s}", "\u0304": r"\={%s}", "\u0332": r"\b{%s}"}


def latex_escape(text: str) -> str:
    """Escape text for LaTeX (pdflatex with T1 fonts and amssymb).

    Handles ``\\ & % $ # _ { } ~ ^ < > |``, the Greek letters and math
    symbols the papers' statements use, and combining accents; other
    non-ASCII characters pass through (compile with lualatex if any remain).
    """
    chars = list(" ".join(str(text).split()))
    out: list[str] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if nxt in _LATEX_COMBINING:
            base = _LATEX_ASCII.get(ch, _LATEX_UNICODE.get(ch, ch))
            out.append(_LATEX_COMBINING[nxt] % base)
            i += 2
            continue
        out.append(_LATEX_ASCII.get(ch, _LATEX_UNICODE.get(ch, ch)))
        i += 1
    return "".join(out)


_LATEX_STATUS_COLOUR = {
    Status.VERIFIED: "green!45!black",
    Status.VERIFIED_BOUNDS: "green!40!black",
    Status.QUALIFIED: "orange!80!black",
    Status.NOT_CHECKABLE: "cyan!50!black",
    Status.REFUTED: "red!75!black",
    Status.ERROR: "magenta!70!black",
    Status.NOT_YET_CHECKED: "black!55",
}


def to_latex(report: Report, figure_dir: str | None = "figures") -> str:
    """A complete LaTeX document: a ``longtable`` per paper, then the figures.

    Compiles with pdflatex (packages: fontenc, inputenc, amssymb, longtable,
    booktabs, array, xcolor, graphicx, geometry).  To paste a table into
    your own report, copy one ``longtable`` environment.
    """
    x = latex_escape
    lines = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{lmodern,amssymb,longtable,booktabs,array,graphicx}",
        r"\usepackage[dvipsnames]{xcolor}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\setlength{\tabcolsep}{3pt}",
        r"\begin{document}",
        r"\section*{exactscreen referee report}",
        x(f"Hypothesis profile {report.run.profile}. {report.summary_line()}. {report.verdict()}."),
        "",
    ]
    for paper, rows in report.by_paper():
        lines.append(rf"\subsection*{{{x(paper.title)} ({x(paper.prefix)})}}")
        meta = ", ".join(v for v in (paper.authors, paper.file) if v)
        if meta:
            lines.append(x(meta) + r"\par")
        lines += [
            r"{\small",
            r"\begin{longtable}{@{}>{\raggedright}p{2.7cm}>{\raggedright}p{2.0cm}>{\raggedright}p{5.0cm}>{\raggedright}p{1.7cm}>{\raggedright\arraybackslash}p{4.4cm}@{}}",
            r"\toprule ID & Where & Statement & Status & Evidence \\ \midrule \endhead",
            r"\bottomrule \endfoot",
        ]
        for r in rows:
            status = rf"\textcolor{{{_LATEX_STATUS_COLOUR[r.status]}}}{{{x(r.status.value)}}}"
            if r.status.failing:
                status = rf"\textbf{{{status}}}"
            lines.append(
                rf"\texttt{{{x(r.claim.id)}}} & {x(r.claim.section)} & {x(r.claim.statement)} & "
                rf"{status}\newline{{\footnotesize {x(r.strength)}}} & {x(_short(r.summary, 200))} \\"
            )
        lines += [r"\end{longtable}", "}", ""]
    if figure_dir is not None and any(f.ok for f in report.figures):
        for f in report.figures:
            if f.ok:
                lines += [
                    r"\begin{figure}[htbp]\centering",
                    rf"\includegraphics[width=0.6\linewidth]{{{figure_dir}/{f.path.name}}}",
                    rf"\caption{{{x(f.spec.paper)}: {x(f.spec.caption)}}}",
                    r"\end{figure}",
                ]
    if report.run.problems:
        lines.append(r"\subsection*{Broken checks}\begin{itemize}")
        lines += [rf"\item {x(p)}" for p in report.run.problems]
        lines.append(r"\end{itemize}")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------- text
def render_text(report: Report, console: Any) -> None:
    """Print the table (ID, paper, section, status, evidence) and the verdict on a rich console."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="exactscreen referee report", title_justify="left", show_lines=False, expand=False)
    table.add_column("ID", no_wrap=True, style="bold")
    table.add_column("paper", no_wrap=True)
    table.add_column("section", max_width=28)
    table.add_column("status", no_wrap=True)
    table.add_column("strength", no_wrap=True)
    table.add_column("evidence", overflow="fold")
    for r in report.results:
        table.add_row(  # Text, not str: "[t1, t2]" in evidence is not rich markup
            Text(r.claim.id),
            Text(r.claim.paper),
            Text(r.claim.section),
            Text(r.status.value, style=STATUS_STYLE[r.status]),
            Text(r.strength),
            Text(_short(r.summary)),
        )
    console.print(table)
    console.print(Text(report.summary_line()))
    for p in report.run.problems:
        console.print(Text(f"broken check: {p}", style="bold red"))
    for f in report.figures:
        if not f.ok:
            console.print(Text(f"figure {f.spec.name} could not be drawn: {f.error}", style="yellow"))
    console.print(Text(report.verdict(), style="bold red" if report.exit_status else "bold green"))


# -------------------------------------------------------------------- files
def write_report(report: Report, out_dir: str | Path, figure_dir: str = "figures") -> list[Path]:
    """Write report.md, report.html, report.tex and report.json into ``out_dir``.

    The figures are expected in ``out_dir/figure_dir`` already (see
    :func:`exactscreen.report.figures.base.draw_figures`).  Returns the paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("report.md", to_markdown(report, figure_dir)),
        ("report.html", to_html(report)),
        ("report.tex", to_latex(report, figure_dir)),
        ("report.json", to_json(report, figure_dir)),
    ):
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
