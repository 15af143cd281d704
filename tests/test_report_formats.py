"""Report renderings: text, JSON, Markdown, HTML and LaTeX, with hostile text in every field."""

from __future__ import annotations

import html.parser
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from exactscreen.claims import Claim, Paper, Registry, Status, TestOutcome, combine
from exactscreen.claims.runner import CheckRun
from exactscreen.report.figures.base import draw_figures
from exactscreen.report.formats import Report, latex_escape, md_escape, render_text, to_html, to_json, to_latex, to_markdown, write_report

NASTY = r"50% of <b>a_1</b> & #2 | {x} ~ ^ $5 \ q* ≥ ε √x p̃ z̄"

REGISTRY = Registry(
    (Paper("TOY", "A <toy> & paper_1", "A. Theorist", "toy_1.txt"),),
    (
        Claim("TOY-A", "TOY", "Lemma 1 (fn 2)", NASTY),
        Claim("TOY-B", "TOY", "Sec. 3", "plain"),
        Claim("TOY-C", "TOY", "Sec. 4", "unchecked"),
    ),
)


def make_report(figures=()) -> Report:
    outcomes = [
        TestOutcome("t.py::test_a", ("TOY-A",), Status.REFUTED, (f"counterexample: {NASTY}",), 7, Decimal("0.010"),
                    strength="sampled", reach=((NASTY, 6, 7),),
                    counterexamples=({"as_written": NASTY, "instance": {"x": "1/2"}, "confirmed_by": "brute force"},)),
        TestOutcome("t.py::test_b", ("TOY-B",), Status.VERIFIED_BOUNDS, ("bounds: E* in [3, 317/100] [bold]",), 1, Decimal("0.002")),
    ]
    results = tuple(combine(c, outcomes) for c in REGISTRY)
    run = CheckRun(results, ("t.py::test_z: unknown claim ID 'TOY-Z'",), "ci", ("t",), Decimal("0.5"))
    return Report(run, REGISTRY, tuple(figures))


def test_json_has_the_documented_shape_and_exact_strings():
    data = json.loads(to_json(make_report()))
    assert list(data) == ["claims", "summary"]
    a = data["claims"][0]
    assert a["statement"] == NASTY and a["status"] == "refuted" and a["instances"] == 7
    assert a["tests"] == [{"test": "t.py::test_a", "status": "refuted", "strength": "sampled", "seconds": "0.010",
                           "trivial": 0}]
    assert a["strength"] == "sampled"
    assert a["reach"] == [{"check": "t.py::test_a", "hard_case": NASTY, "hit": 6, "tried": 7}]
    assert a["counterexample"] == {"as_written": NASTY, "instance": {"x": "1/2"}, "confirmed_by": "brute force",
                                   "check": "t.py::test_a"}
    b, c = data["claims"][1:]
    assert (b["strength"], b["counterexample"], b["reach"]) == ("paper-instances", None, [])
    assert c["strength"] == "none"
    assert data["summary"]["verified-bounds"] == 1 and data["claims"][1]["evidence"][0].endswith("[bold]") and data["summary"]["not-yet-checked"] == 1
    assert data["summary"]["exit_status"] == 1 and data["summary"]["problems"]


def test_markdown_table_rows_keep_their_six_cells():
    text = to_markdown(make_report())
    row = next(line for line in text.splitlines() if line.startswith("| TOY-A"))
    cells = re.split(r"(?<!\\)\|", row)
    assert len(cells) == 8  # empty before the first and after the last bar
    assert "&lt;b&gt;a\\_1&lt;/b&gt;" in row and "\\#2" in row and "\\$5" in row
    assert "**refuted**" in row
    assert "## Broken checks" in text


class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_text_and_embeds_figures(tmp_path):
    figs = draw_figures(tmp_path, ["SWP"])
    page = to_html(make_report(figs))
    parser = _Collect()
    parser.feed(page)
    assert "b" not in parser.tags or parser.tags.count("b") == len([f for f in figs if f.ok])  # only figcaption <b>
    assert NASTY in "".join(parser.text)  # the text survives escaping unchanged
    assert page.count("data:image/png;base64,") == len([f for f in figs if f.ok]) >= 1
    assert 'id="TOY-A"' in page


def test_latex_escapes_every_special_character():
    assert latex_escape("a_1 & 50% #2 $5 {x} ~ ^ \\ | < >") == (
        r"a\_\allowbreak{}1 \& 50\% \#2 \$5 \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{} "
        r"\textbar{} \textless{} \textgreater{}"
    )
    assert latex_escape("q ≥ ε, p̃, z̄") == r"q \ensuremath{\geq} \ensuremath{\varepsilon}, \~{p}, \={z}"


def test_latex_document_has_no_unescaped_specials_in_text():
    doc = to_latex(make_report())
    row = next(line for line in doc.splitlines() if line.startswith(r"\texttt{TOY-A}"))
    cells = re.split(r"(?<!\\)&", row.removesuffix(r"\\"))
    assert len(cells) == 5  # ID, where, statement, status, evidence: no stray column separator
    for cell in cells:
        bare = re.sub(r"\\[A-Za-z]+|\\[_%&#${}~=^]", "", cell)
        assert not re.search(r"[_%&#$^~\\]", bare), cell
    assert doc.startswith(r"\documentclass") and doc.rstrip().endswith(r"\end{document}")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_document_compiles_with_pdflatex(tmp_path):
    figs = draw_figures(tmp_path / "figures", ["SWP"])
    (tmp_path / "report.tex").write_text(to_latex(make_report(figs)), encoding="utf-8")
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "report.pdf").stat().st_size > 1000


def test_text_table_shows_status_and_short_evidence():
    console = Console(record=True, width=200)
    render_text(make_report(), console)
    out = console.export_text()
    line = next(line for line in out.splitlines() if "TOY-B" in line)
    assert "verified-bounds" in line and "bounds: E* in [3, 317/100] [bold]" in line  # not rich markup
    assert "not-yet-checked" in out and "no check yet" in out
    assert "broken check: t.py::test_z" in out
    assert "exit status 1" in out


def test_write_report_writes_the_four_documents_and_each_counterexample(tmp_path):
    written = write_report(make_report(), tmp_path)
    assert [p.name for p in written] == ["report.md", "report.html", "report.tex", "report.json",
                                         "TOY-A-counterexample.json"]
    assert all(p.stat().st_size > 0 for p in written)
    cx = json.loads((tmp_path / "counterexamples" / "TOY-A-counterexample.json").read_text(encoding="utf-8"))
    assert cx["claim"] == "TOY-A" and cx["instance"] == {"x": "1/2"} and cx["reproduce"] == "exactscreen check --claim TOY-A"
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["claims"][0]["counterexample_files"] == ["counterexamples/TOY-A-counterexample.json"]
    assert 'href="counterexamples/TOY-A-counterexample.json"' in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "](counterexamples/TOY-A-counterexample.json)" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_md_escape_flattens_newlines():
    assert md_escape("a\nb|c") == "a b\\|c"


def test_report_repr_is_readable():
    assert repr(make_report()) == "Report(3 claims: 1 verified-bounds, 1 refuted, 1 not-yet-checked; 0 figures)"


def test_figure_files_are_referenced_relatively(tmp_path):
    figs = draw_figures(tmp_path / "figures", ["SWP"])
    report = make_report(figs)
    assert "](figures/swp-fig3-hazard.png)" in to_markdown(report)
    assert r"\includegraphics[width=0.6\linewidth]{figures/swp-fig3-hazard.png}" in to_latex(report)
    assert not Path("figures").exists() or Path("figures").resolve() != (tmp_path / "figures").resolve()


def test_every_format_leads_with_the_findings():
    report = make_report()
    md = to_markdown(report)
    assert md.index("## Findings") < md.index("### TOY-A: refuted") < md.index("| TOY-A")
    assert "**The paper says**" in md and "**Corrected statement**: None offered" in md and "hit 6 of 7" in md
    doc = to_latex(report)
    assert doc.index(r"\subsection*{Findings}") < doc.index(r"\texttt{TOY-A} &")
    start = doc.index(r"\subsection*{Findings}")
    findings = doc[start:doc.index(r"\subsection*{", start + 1)]
    assert r"\item \textbf{The paper says:}" in findings
    for line in findings.splitlines():
        bare = re.sub(r"\\[A-Za-z]+\*?|\\[_%&#${}~=^]|[{}]", "", line)
        assert not re.search(r"[_%&#$^~\\]", bare), line
    page = to_html(report)
    assert page.index('id="findings"') < page.index('id="TOY-A"') and "<details open" not in page
    finding = page[page.index('id="finding-TOY-A"'):page.index("</section>")]
    assert "<details" not in finding and NASTY.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in finding
    console = Console(record=True, width=200)
    render_text(report, console)
    out = console.export_text()
    assert out.index("Findings") < out.index("exactscreen referee report") and "x: 1/2" in out


def test_papers_are_shown_by_title_authors_and_reference_not_file_name():
    report = make_report()
    for text in (to_markdown(report), to_html(report), to_latex(report)):
        assert "toy_1.txt" not in text and "toy\\_\\allowbreak{}1.txt" not in text and "Theorist" in text


def test_the_terminal_shows_a_counterexample_instance_as_indented_lines_and_tables():
    mechanism = "Mechanism\n  type  gets  pays\n  tL    aL    1/2\n  tH    0     0"
    instance = {"environment": "toy", "witnesses": [{"payments": ["1/2", "0"], "mechanism": mechanism}],
                "splits": [{"k": "1", "gain": "77/268"}, {"k": "12", "gain": "1/8"}]}
    outcome = TestOutcome("t.py::test_a", ("TOY-A",), Status.QUALIFIED, ("qualified: x",), 1, Decimal("0"),
                          counterexamples=({"as_written": "s", "instance": instance, "confirmed_by": "b"},))
    run = CheckRun((combine(REGISTRY["TOY-A"], [outcome]),), (), "ci", ("t",), Decimal("0.5"))
    console = Console(record=True, width=80)
    render_text(Report(run, REGISTRY, ()), console)
    lines = console.export_text().splitlines()
    assert "    environment: toy" in lines and "      - payments: [1/2, 0]" in lines
    assert "            tL    aL    1/2" in lines  # the mechanism table keeps its rows
    assert "      k   gain" in lines and "      12  1/8" in lines  # records with the same keys: a table
