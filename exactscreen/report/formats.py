"""The referee report: one row per claim, as a terminal table, Markdown, HTML, LaTeX or JSON.

A :class:`Report` bundles the :class:`~exactscreen.claims.runner.CheckRun`
(one :class:`~exactscreen.claims.results.ClaimResult` per claim), the
registry (for paper titles, authors and references) and the figures drawn for it.

The documents read as a referee reads: **findings first** — one card per
qualified or refuted claim with what the paper says (quote or statement and
location), the counterexample (instance and what the statement predicts
against the exact values), the corrected statement, how it was checked
(strength, reach, second route, the check) and a link to the counterexample
file (:mod:`.counterexamples`) — then the full table per paper, each figure
beside the claim it illustrates.  Renderers:

* :func:`render_text` — the findings, then a rich table (ID, paper, section, status, evidence);
* :func:`to_markdown`, :func:`to_html`, :func:`to_latex` — documents a
  referee pastes from; every piece of text is escaped for its format, and
  no finding is shortened;
* :func:`to_json` — one object ``{"claims": [...], "summary": {...}}``,
  deterministic apart from the ``seconds`` fields (durations are decimal
  strings such as ``"0.012"``: the report contains no binary float);
* :func:`write_report` — all of them into a directory, with the figures and
  ``counterexamples/`` (one file per counterexample, loaded by the command that
  reproduces it).
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
from .counterexamples import COUNTEREXAMPLE_DIR, counterexample_files, write_counterexamples
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

_SHORT = 110  # characters of evidence in the terminal table (the findings above it are in full)

#: What each strength means, for the "How it was checked" part of a finding (docs/verdicts.md).
STRENGTH_MEANING = {
    "all-cases": "decided for every instance the claim covers by a finite certified argument",
    "paper-instances": "the paper's own instances recomputed exactly",
    "sampled": "a general property checked on generated instances",
    "bounds": "a certified interval",
    "none": "not checkable",
}


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

    def findings(self) -> list[ClaimResult]:
        """The qualified and refuted claims, in report order: what the report leads with."""
        return [r for r in self.results if r.status in (Status.QUALIFIED, Status.REFUTED)]

    def paper(self, prefix: str):
        """The registry's paper with this prefix, or ``None``."""
        return next((p for p in self.registry.papers if p.prefix == prefix), None)

    def figure_places(self) -> tuple[dict[str, list[DrawnFigure]], list[DrawnFigure]]:
        """Where each figure goes: ``({claim ID: figures shown beside it}, figures of no claim
        in the report)``; a figure goes beside the first claim it illustrates that is in the report."""
        present = {r.id for r in self.results}
        beside: dict[str, list[DrawnFigure]] = {}
        rest: list[DrawnFigure] = []
        for f in self.figures:
            target = next((c for c in f.spec.claims if c in present), None)
            if target is None:
                rest.append(f)
            else:
                beside.setdefault(target, []).append(f)
        return beside, rest

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
def json_object(report: Report, figure_dir: str | None = None, counterexample_dir: str | None = None) -> dict:
    """The JSON report as a dict (see :func:`to_json`)."""
    claims = []
    for r in report.results:
        entry = {
            "id": r.claim.id,
            "paper": r.claim.paper,
            "section": r.claim.section,
            "statement": r.claim.statement,
            "quote": r.claim.quote or None,
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
        if counterexample_dir is not None:
            entry["counterexample_files"] = [f"{counterexample_dir}/{f.name}" for f in counterexample_files(r)]
        claims.append(entry)
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
                "claims": list(f.spec.claims),
                "file": f"{figure_dir}/{f.path.name}" if f.ok else None,
                "error": f.error,
            }
            for f in report.figures
        ]
    return out


def to_json(report: Report, figure_dir: str | None = None, counterexample_dir: str | None = None) -> str:
    """One JSON object ``{"claims": [...], "summary": {...}}`` (keys in a fixed order).

    Each claim has ``id, paper, section, statement, quote, status, strength, reach,
    counterexample, evidence, instances, tests, seconds``: ``quote`` is the paper's own
    sentence where the registry has it (else ``null``); ``strength`` is one of
    ``all-cases``, ``paper-instances``, ``sampled``, ``bounds``, ``none``;
    ``reach`` lists ``{"check", "hard_case", "hit", "tried"}`` per hard case of a
    sampled check; ``counterexample`` is ``{"as_written", "instance",
    "confirmed_by"}`` (plus ``corrected``, ``check`` and ``found``) for a qualified or
    refuted claim, else ``null``.  With ``counterexample_dir`` (``--out``), each claim
    also lists its ``counterexample_files``.  The summary counts every status and
    lists ``problems``.  Only the ``seconds`` fields vary between two runs of the same checks.
    """
    return json.dumps(json_object(report, figure_dir, counterexample_dir), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------- parts of a finding
def _says(r: ClaimResult) -> str:
    """What the paper says: its own sentence if the registry quotes it, else the statement."""
    return r.claim.quote or r.claim.statement


def _how_checked(r: ClaimResult) -> list[tuple[str, str]]:
    """(label, text) pairs of "How it was checked" (plain text; each renderer escapes)."""
    rows = [("Strength", f"{r.strength}: {STRENGTH_MEANING.get(r.strength, r.strength)}")]
    if r.reach:
        rows += [("Reach", f"{x['hard_case']}: hit {x['hit']} of {x['tried']} generated instances")
                 for x in r.reach]
    else:
        n = r.instances
        rows.append(("Reach", f"{n} instance{'' if n == 1 else 's'} checked"))
    for cx in r.counterexamples:
        rows.append(("Method", f"found by the check {cx.get('check', '')}"))
        rows.append(("Certificate", f"confirmed by a second computation sharing no code with the first: "
                                    f"{cx.get('confirmed_by', '')}"))
    if not r.counterexamples:
        rows.append(("Method", "; ".join(t.nodeid for t in r.tests) or "no check"))
    return rows


def _corrected(r: ClaimResult, cx: dict | None) -> str:
    if cx and cx.get("corrected"):
        return str(cx["corrected"])
    if r.status is Status.REFUTED:
        return "None offered: the statement is refuted."
    return "See the evidence below."


def _table_of_rows(value: list) -> tuple[list[str], list[dict]] | None:
    """Columns and rows when ``value`` is a list of dicts (shown as one table), else ``None``."""
    if not value or not all(isinstance(v, dict) for v in value):
        return None
    cols: list[str] = []
    for v in value:
        cols += [k for k in v if k not in cols]
    return cols, value


# --------------------------------------------------------------- Markdown
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


def _md_value(value: Any) -> str:
    """A piece of instance data inside one Markdown table cell."""
    if isinstance(value, dict):
        return "; ".join(f"{md_escape(k)}: {_md_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_md_value(v) for v in value) + "]"
    return md_escape("" if value is None else value)


def _md_instance(instance: Any) -> list[str]:
    """The counterexample's instance as Markdown: a key/value table, a table of rows, or a code block."""
    if isinstance(instance, str) and "\n" in instance:
        fence = "~~~~" if "~~~" in instance else "~~~"
        return [fence + "toml", instance.rstrip("\n"), fence]
    if isinstance(instance, dict):
        lines = ["| | |", "|---|---|"]
        blocks: list[str] = []  # multi-line values (a mechanism's table, TOML) as code blocks below
        for k, v in instance.items():
            if isinstance(v, str) and "\n" in v:
                lines.append(f"| {md_escape(k)} | (below) |")
                fence = "~~~~" if "~~~" in v else "~~~"
                blocks += ["", f"{md_escape(k)}:", "", fence, v.rstrip("\n"), fence]
                continue
            rows = _table_of_rows(v) if isinstance(v, list) else None
            if rows:
                cols, items = rows
                cell = "<br>".join("; ".join(f"{md_escape(c)} = {_md_value(it.get(c))}" for c in cols) for it in items)
                lines.append(f"| {md_escape(k)} | {cell} |")
            else:
                lines.append(f"| {md_escape(k)} | {_md_value(v)} |")
        return lines + blocks
    rows = _table_of_rows(instance) if isinstance(instance, list) else None
    if rows:
        cols, items = rows
        lines = ["| " + " | ".join(md_escape(c) for c in cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(_md_value(it.get(c)) for c in cols) + " |" for it in items]
        return lines
    return [_md_value(instance) if instance is not None else "(no instance data recorded)"]


def _md_figure(f: DrawnFigure, figure_dir: str) -> list[str]:
    if not f.ok:
        return [f"- {md_escape(f.spec.name)}: could not be drawn ({md_escape(f.error or '')})", ""]
    return [f"![{md_escape(f.spec.name)}]({figure_dir}/{f.path.name})", "", f"*{md_escape(f.spec.caption)}*", ""]


def _md_finding(report: Report, r: ClaimResult, counterexample_dir: str | None) -> list[str]:
    paper = report.paper(r.claim.paper)
    lines = [f"### {md_escape(r.claim.id)}: {r.status.value}", ""]
    where = f"{md_escape(r.claim.section)}" + (f", *{md_escape(paper.title)}*" if paper else "")
    lines += [f"**The paper says** ({where}):", "", f"> {md_escape(_says(r))}", ""]
    if r.claim.quote:
        lines += [f"Claim checked: {md_escape(r.claim.statement)}", ""]
    files = counterexample_files(r)
    cxs = r.counterexamples or [None]
    for i, cx in enumerate(cxs):
        label = "**Counterexample**" + (f" {i + 1}" if len(cxs) > 1 else "")
        lines += [f"{label}:", ""]
        if cx is None:
            lines += [md_escape(r.summary), ""]
        else:
            lines += _md_instance(cx.get("instance")) + [""]
            lines += ["| | |", "|---|---|", f"| The statement predicts | {md_escape(cx.get('as_written', ''))} |"]
            if cx.get("found"):
                lines.append(f"| Exact values | {md_escape(cx['found'])} |")
            lines.append("")
        lines += [f"**Corrected statement**: {md_escape(_corrected(r, cx))}", ""]
        if counterexample_dir is not None and i < len(files):
            f = files[i]
            lines += [f"Counterexample file: [{md_escape(f.name)}]({counterexample_dir}/{f.name}) "
                      f"(reproduce: {md_code(f.command)})", ""]
    lines += ["**How it was checked**:", ""]
    lines += [f"- {label}: {md_escape(text)}" for label, text in _how_checked(r)]
    lines.append("")
    return lines


def to_markdown(report: Report, figure_dir: str | None = "figures", counterexample_dir: str | None = None) -> str:
    """The report as Markdown: the findings, a table per paper (figures beside their claims),
    the evidence per checked claim, problems.

    Figures are linked as ``figure_dir/NAME.png`` and counterexample files as
    ``counterexample_dir/FILE`` (relative to the report); with ``None`` they are omitted.
    """
    beside, rest = report.figure_places()
    findings = report.findings()
    finding_ids = {r.id for r in findings}
    lines = ["# exactscreen referee report", ""]
    lines.append(
        f"Hypothesis profile {md_code(report.run.profile)}. {md_escape(report.summary_line())}. "
        f"{md_escape(report.verdict())}."
    )
    lines.append("")
    if findings:
        lines += ["## Findings", ""]
        for r in findings:
            lines += _md_finding(report, r, counterexample_dir)
            if figure_dir is not None:
                for f in beside.get(r.id, ()):
                    lines += _md_figure(f, figure_dir)
    for paper, rows in report.by_paper():
        lines.append(f"## {md_escape(paper.title)} ({md_escape(paper.prefix)})")
        lines.append("")
        meta = [md_escape(x) for x in (paper.authors, paper.reference) if x]
        if meta:
            lines += [", ".join(meta), ""]
        lines.append("| ID | Where | Statement | Status | Strength | Evidence |")
        lines.append("|---|---|---|---|---|---|")
        shown_after: list[DrawnFigure] = []
        for r in rows:
            status = f"**{r.status.value}**" if r.status.failing else r.status.value
            lines.append(
                f"| {md_escape(r.claim.id)} | {md_escape(r.claim.section)} | {md_escape(r.claim.statement)} "
                f"| {status} | {md_escape(r.strength)} | {md_escape(r.summary)} |"
            )
            if r.id not in finding_ids:
                shown_after += beside.get(r.id, [])
        lines.append("")
        if figure_dir is not None:
            for f in shown_after:
                lines += [f"Figure for {md_escape(', '.join(f.spec.claims))}:", ""] + _md_figure(f, figure_dir)
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
    if figure_dir is not None and rest:
        lines += ["## Other figures", ""]
        for f in rest:
            lines += _md_figure(f, figure_dir)
    if report.run.problems:
        lines += ["## Broken checks", ""]
        lines += [f"- {md_escape(p)}" for p in report.run.problems]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:92rem;color:#222;padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1.05rem;margin:.1rem 0 .6rem} h4{font-size:.92rem;margin:.8rem 0 .25rem;color:#333}
.meta{color:#555;margin:.2rem 0 1rem} table{border-collapse:collapse;font-size:.88rem}
table.claims{width:100%;table-layout:fixed}
col.c-id{width:11%} col.c-where{width:10%} col.c-statement{width:31%} col.c-status{width:10.5%} col.c-evidence{width:37.5%}
td{overflow-wrap:break-word;word-break:normal;hyphens:none}
th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5} td.id{font-family:ui-monospace,monospace;white-space:nowrap}
.status{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-weight:600;white-space:nowrap;font-size:.8rem}
.summary span{margin-right:.8rem} details{margin:.3rem 0} details ul{margin:.2rem 0 .6rem}
.finding{border:1px solid #e0c77a;border-left:6px solid #d4a514;border-radius:.4rem;padding:.8rem 1.1rem;margin:1rem 0;background:#fffdf5}
.finding.refuted{border-color:#e6a5a5;border-left-color:#a61b1b;background:#fff8f8}
.finding blockquote{margin:.2rem 0 .2rem 0;padding:.3rem .8rem;border-left:3px solid #bbb;background:#fafafa;font-style:italic}
.finding .where{color:#555;font-size:.85rem;margin:.1rem 0}
.finding table{margin:.2rem 0;background:#fff} .finding th{width:13rem;font-weight:600}
.finding table table{font-size:.95em} .finding table table th{width:auto}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .9rem;margin:.2rem 0;font-size:.9rem}
.finding dt{font-weight:600} .finding dd{margin:0}
pre{background:#f6f6f6;padding:.5rem .7rem;overflow-x:auto;font-size:.82rem;white-space:pre-wrap}
figure{display:inline-table;margin:.8rem 1.5rem .8rem 0;vertical-align:top}
figure img{display:block;max-width:100%;border:1px solid #ddd}
figcaption{display:table-caption;caption-side:bottom;font-size:.85rem;color:#444;padding-top:.3rem}
tr.figure-row td{border-bottom:1px solid #e3e3e3;background:#fcfcfc}
.problems li{color:#a61b1b} code{font-size:.85em}
"""


def _badge(status: Status) -> str:
    fg, bg = _HTML_COLOUR[status]
    return f'<span class="status" style="color:{fg};background:{bg}">{status.value}</span>'


def _leaf(value: Any) -> bool:
    """A small dict of plain values (one type's valuations, a market): shown on one line when nested."""
    return (isinstance(value, dict) and 0 < len(value) <= 8
            and all(not isinstance(v, (dict, list)) and "\n" not in str(v) for v in value.values()))


def _html_value(value: Any, nested: bool = False) -> str:
    """Instance data as HTML: dicts as key/value tables (nested ones nested; a small nested
    dict of plain values on one line, ``a1 = 0, a2 = 1``), lists of dicts as tables with a
    column per key, multi-line text (TOML) as ``<pre>``."""
    e = html.escape
    if nested and _leaf(value):
        return ", ".join(f"{e(str(k))} = {e(str(v))}" for k, v in value.items())
    if isinstance(value, dict):
        rows = "".join(f"<tr><th>{e(str(k))}</th><td>{_html_value(v, True)}</td></tr>" for k, v in value.items())
        return f'<table class="data">{rows}</table>'
    if isinstance(value, list):
        rows = _table_of_rows(value)
        if rows:
            cols, items = rows
            head = "".join(f"<th>{e(str(c))}</th>" for c in cols)
            body = "".join(
                "<tr>" + "".join(f"<td>{_html_value(it.get(c, ''), True)}</td>" for c in cols) + "</tr>" for it in items
            )
            return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        return ", ".join(_html_value(v, True) for v in value) if value else "(none)"
    if value is None:
        return "(no instance data recorded)"
    text = str(value)
    if "\n" in text:
        return f"<pre>{e(text)}</pre>"
    return e(text)


def _html_figure(f: DrawnFigure) -> str:
    e = html.escape
    if not f.ok:
        return f"<p>{e(f.spec.name)}: could not be drawn ({e(f.error or '')})</p>"
    data = base64.b64encode(f.path.read_bytes()).decode("ascii")
    about = f" (illustrates {e(', '.join(f.spec.claims))})" if f.spec.claims else ""
    return (
        f'<figure id="figure-{e(f.spec.name)}"><img alt="{e(f.spec.name)}" src="data:image/png;base64,{data}">'
        f"<figcaption><b>{e(f.spec.paper)}</b>{about}: {e(f.spec.caption)}</figcaption></figure>"
    )


def _html_finding(report: Report, r: ClaimResult, counterexample_dir: str | None, figures) -> str:
    e = html.escape
    paper = report.paper(r.claim.paper)
    cls = "finding refuted" if r.status is Status.REFUTED else "finding"
    title = f" &middot; {e(paper.title)}" if paper else ""
    out = [
        f'<section class="{cls}" id="finding-{e(r.id)}">',
        f'<h3><a href="#{e(r.id)}">{e(r.id)}</a> {_badge(r.status)}{title}</h3>',
        "<h4>The paper says</h4>",
        f"<blockquote>{e(_says(r))}</blockquote>",
        f'<p class="where">{e(r.claim.section)}'
        + (f"; checked as: {e(r.claim.statement)}" if r.claim.quote else "")
        + "</p>",
    ]
    files = counterexample_files(r)
    cxs = r.counterexamples or [None]
    for i, cx in enumerate(cxs):
        label = "Counterexample" + (f" {i + 1}" if len(cxs) > 1 else "")
        out.append(f"<h4>{label}</h4>")
        if cx is None:
            out.append(f"<p>{e(r.summary)}</p>")
        else:
            rows = [f"<tr><th>Instance</th><td>{_html_value(cx.get('instance'))}</td></tr>",
                    f"<tr><th>The statement predicts</th><td>{e(str(cx.get('as_written', '')))}</td></tr>"]
            if cx.get("found"):
                rows.append(f"<tr><th>Exact values</th><td>{e(str(cx['found']))}</td></tr>")
            if counterexample_dir is not None and i < len(files):
                f = files[i]
                rows.append(
                    f'<tr><th>Counterexample file</th><td><a href="{e(counterexample_dir)}/{e(f.name)}">{e(f.name)}</a>'
                    f" &middot; reproduce: <code>{e(f.command)}</code></td></tr>"
                )
            out.append(f'<table class="cx">{"".join(rows)}</table>')
        out.append(f"<h4>Corrected statement</h4><p>{e(_corrected(r, cx))}</p>")
    out.append("<h4>How it was checked</h4><dl>")
    out += [f"<dt>{e(label)}</dt><dd>{e(text)}</dd>" for label, text in _how_checked(r)]
    out.append("</dl>")
    out += [_html_figure(f) for f in figures]
    out.append("</section>")
    return "\n".join(out)


def to_html(report: Report, counterexample_dir: str | None = None) -> str:
    """A self-contained HTML page (CSS inline, figures embedded as base64 PNG): the findings
    as cards (never collapsed, never shortened), then a table per paper with each figure
    beside its claim.  ``counterexample_dir``: link each card to its counterexample file there."""
    e = html.escape
    beside, rest = report.figure_places()
    findings = report.findings()
    finding_ids = {r.id for r in findings}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>exactscreen referee report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>exactscreen referee report</h1>",
        f'<p class="meta">Hypothesis profile <code>{e(report.run.profile)}</code>. {e(report.verdict())}.</p>',
        '<p class="summary">',
    ]
    parts += [f"<span>{_badge(Status(s))} {n}</span>" for s, n in report.run.counts().items() if n]
    parts.append("</p>")
    if findings:
        parts.append('<h2 id="findings">Findings</h2>')
        parts.append(f'<p class="meta">{len(findings)} claim{"" if len(findings) == 1 else "s"} qualified or refuted; '
                     "each counterexample was confirmed by a second, independent computation.</p>")
        for r in findings:
            parts.append(_html_finding(report, r, counterexample_dir, beside.get(r.id, ())))
    for paper, rows in report.by_paper():
        parts.append(f'<h2 id="paper-{e(paper.prefix)}">{e(paper.title)} ({e(paper.prefix)})</h2>')
        meta = ", ".join(x for x in (paper.authors, paper.reference) if x)
        if meta:
            parts.append(f'<p class="meta">{e(meta)}</p>')
        parts.append(
            '<table class="claims"><colgroup><col class="c-id"><col class="c-where"><col class="c-statement">'
            '<col class="c-status"><col class="c-evidence"></colgroup>'
            "<thead><tr><th>ID</th><th>Where</th><th>Statement</th><th>Status</th><th>Evidence</th></tr></thead><tbody>"
        )
        for r in rows:
            cell = e(r.summary)
            if r.id in finding_ids:
                cell += f' <a href="#finding-{e(r.id)}">(finding)</a>'
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
                n = len(r.evidence) + len(r.tests)
                cell += f"<details><summary>all evidence and checks ({n} lines)</summary><ul>{items}</ul></details>"
            parts.append(
                f'<tr id="{e(r.claim.id)}"><td class="id">{e(r.claim.id)}</td><td>{e(r.claim.section)}</td>'
                f'<td>{e(r.claim.statement)}</td><td>{_badge(r.status)}<br><small class="strength">{e(r.strength)}</small></td>'
                f"<td>{cell}</td></tr>"
            )
            if r.id not in finding_ids and beside.get(r.id):
                figs = "".join(_html_figure(f) for f in beside[r.id])
                parts.append(f'<tr class="figure-row"><td colspan="5">{figs}</td></tr>')
        parts.append("</tbody></table>")
    if rest:
        parts.append('<h2 id="figures">Other figures</h2>')
        parts += [_html_figure(f) for f in rest]
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


def to_latex(report: Report, figure_dir: str | None = "figures", counterexample_dir: str | None = None) -> str:
    """A complete LaTeX document: the findings, a ``longtable`` per paper, each figure after
    the table of its claim's paper (figures of no claim in the report at the end).

    Compiles with pdflatex (packages: fontenc, inputenc, amssymb, longtable,
    booktabs, array, xcolor, graphicx, geometry).  To paste a table into
    your own report, copy one ``longtable`` environment.
    """
    x = latex_escape
    beside, rest = report.figure_places()
    findings = report.findings()
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

    def figure(f: DrawnFigure) -> list[str]:
        if not f.ok or figure_dir is None:
            return []
        about = f" (illustrates {', '.join(f.spec.claims)})" if f.spec.claims else ""
        return [
            r"\begin{figure}[htbp]\centering",
            rf"\includegraphics[width=0.6\linewidth]{{{figure_dir}/{f.path.name}}}",
            rf"\caption{{{x(f.spec.paper + about)}: {x(f.spec.caption)}}}",
            r"\end{figure}",
        ]

    if findings:
        lines.append(r"\subsection*{Findings}")
        for r in findings:
            paper = report.paper(r.claim.paper)
            head = rf"\paragraph{{\texttt{{{x(r.id)}}} ({x(r.status.value)})}}"
            lines.append(head + (f" {x(paper.title)}, " if paper else " ") + x(r.claim.section) + r"\par")
            lines.append(r"\begin{itemize}")
            lines.append(rf"\item \textbf{{The paper says:}} \emph{{{x(_says(r))}}}")
            files = counterexample_files(r)
            for i, cx in enumerate(r.counterexamples):
                lines.append(rf"\item \textbf{{Counterexample:}} {x(_plain(cx.get('instance')))}")
                lines.append(rf"\item \textbf{{The statement predicts:}} {x(cx.get('as_written', ''))}")
                if cx.get("found"):
                    lines.append(rf"\item \textbf{{Exact values:}} {x(cx['found'])}")
                lines.append(rf"\item \textbf{{Corrected statement:}} {x(_corrected(r, cx))}")
                if counterexample_dir is not None and i < len(files):
                    lines.append(rf"\item \textbf{{Counterexample file:}} \texttt{{{x(counterexample_dir + '/' + files[i].name)}}}"
                                 rf" (reproduce: \texttt{{{x(files[i].command)}}})")
            if not r.counterexamples:
                lines.append(rf"\item \textbf{{Evidence:}} {x(r.summary)}")
            for label, text in _how_checked(r):
                lines.append(rf"\item \textbf{{{x(label)}:}} {x(text)}")
            lines.append(r"\end{itemize}")
            for f in beside.get(r.id, ()):
                lines += figure(f)
        lines.append("")
    finding_ids = {r.id for r in findings}
    for paper, rows in report.by_paper():
        lines.append(rf"\subsection*{{{x(paper.title)} ({x(paper.prefix)})}}")
        meta = ", ".join(v for v in (paper.authors, paper.reference) if v)
        if meta:
            lines.append(x(meta) + r"\par")
        lines += [
            r"{\small",
            r"\begin{longtable}{@{}>{\raggedright}p{2.7cm}>{\raggedright}p{2.0cm}>{\raggedright}p{5.0cm}>{\raggedright}p{1.7cm}>{\raggedright\arraybackslash}p{4.4cm}@{}}",
            r"\toprule ID & Where & Statement & Status & Evidence \\ \midrule \endhead",
            r"\bottomrule \endfoot",
        ]
        after: list[DrawnFigure] = []
        for r in rows:
            status = rf"\textcolor{{{_LATEX_STATUS_COLOUR[r.status]}}}{{{x(r.status.value)}}}"
            if r.status.failing:
                status = rf"\textbf{{{status}}}"
            lines.append(
                rf"\texttt{{{x(r.claim.id)}}} & {x(r.claim.section)} & {x(r.claim.statement)} & "
                rf"{status}\newline{{\footnotesize {x(r.strength)}}} & {x(_short(r.summary, 200))} \\"
            )
            if r.id not in finding_ids:
                after += beside.get(r.id, [])
        lines += [r"\end{longtable}", "}", ""]
        for f in after:
            lines += figure(f)
    for f in rest:
        lines += figure(f)
    if report.run.problems:
        lines.append(r"\subsection*{Broken checks}\begin{itemize}")
        lines += [rf"\item {x(p)}" for p in report.run.problems]
        lines.append(r"\end{itemize}")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def _plain(value: Any) -> str:
    """Instance data as one line of plain text (LaTeX and the terminal)."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if value is None:
        return "(no instance data recorded)"
    return " ".join(str(value).split())


def _scalar(value: Any) -> bool:
    """A value printed inline: a one-line number or text, or a list of such (nested lists too)."""
    if isinstance(value, list):
        return all(_scalar(v) for v in value)
    return not isinstance(value, dict) and "\n" not in str(value)


def _instance_lines(value: Any, indent: int = 4) -> list[str]:
    """Instance data as indented plain-text lines for the terminal: a dict as ``key: value``
    lines (nested values below their key), a list of records with the same keys as an aligned
    table, a multi-line string (a mechanism table) as its own lines."""
    pad = " " * indent
    if value is None:
        return [pad + "(no instance data recorded)"]
    if isinstance(value, dict):
        lines = []
        for k, v in value.items():
            if _scalar(v):
                lines.append(f"{pad}{k}: {_plain(v)}")
            else:
                lines.append(f"{pad}{k}:")
                lines += _instance_lines(v, indent + 2)
        return lines
    if isinstance(value, list):
        keys = list(value[0]) if value and isinstance(value[0], dict) else None
        if keys and all(isinstance(v, dict) and list(v) == keys and all(_scalar(x) for x in v.values())
                        for v in value):
            rows = [keys] + [[_plain(v[k]) for k in keys] for v in value]
            widths = [max(len(row[i]) for row in rows) for i in range(len(keys))]
            return [pad + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
        if _scalar(value):
            return [pad + _plain(value)]
        lines = []
        for v in value:
            sub = _instance_lines(v, indent + 2)
            lines.append(pad + "- " + sub[0].lstrip())
            lines += sub[1:]
        return lines
    return [pad + line.rstrip() for line in str(value).strip("\n").splitlines()]


# --------------------------------------------------------------------- text
def render_text(report: Report, console: Any) -> None:
    """Print the table (ID, paper, section, status, evidence) and the verdict on a rich console."""
    from rich.table import Table
    from rich.text import Text

    findings = report.findings()
    if findings:
        console.print(Text("Findings", style="bold"))
        for r in findings:
            console.print(Text(f"{r.id} ", style="bold") + Text(r.status.value, style=STATUS_STYLE[r.status])
                          + Text(f" ({r.claim.section}): {_says(r)}"))
            for cx in r.counterexamples:
                console.print(Text("  counterexample:"))
                for line in _instance_lines(cx.get("instance")):
                    console.print(Text(line), overflow="fold", no_wrap=True, soft_wrap=True)
                console.print(Text(f"  as written: {cx.get('as_written', '')}"))
                if cx.get("found"):
                    console.print(Text(f"  exact values: {cx['found']}"))
                console.print(Text(f"  corrected: {_corrected(r, cx)}"))
            if not r.counterexamples:
                console.print(Text(f"  {r.summary}"))
            for label, text in _how_checked(r):
                console.print(Text(f"  {label.lower()}: {text}"))
        console.print(Text(""))
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
    """Write report.md, report.html, report.tex and report.json into ``out_dir``, and each
    counterexample into ``out_dir/counterexamples/`` (see :mod:`.counterexamples`).

    The figures are expected in ``out_dir/figure_dir`` already (see
    :func:`exactscreen.report.figures.base.draw_figures`).  Returns the paths written:
    the four documents, then the counterexample files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cdir = COUNTEREXAMPLE_DIR
    written = []
    for name, text in (
        ("report.md", to_markdown(report, figure_dir, cdir)),
        ("report.html", to_html(report, cdir)),
        ("report.tex", to_latex(report, figure_dir, cdir)),
        ("report.json", to_json(report, figure_dir, cdir)),
    ):
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    written += write_counterexamples(report.results, out / cdir)
    return written
