"""The HTML report as a reader sees it, rendered by a real browser (headless Chromium).

The page of a small synthetic report (a qualified claim with a counterexample,
a refuted one with TOML data, a verified one with a figure, long evidence) is
opened by headless Chromium with a probe script appended to a copy of it; the
probe records what the rendered page shows, and the test asserts:

* every finding card is visible without clicking (not inside a closed <details>,
  rendered with a size), with its four parts and its counterexample-file link;
* no visible text is cut: no ellipsis after a word anywhere in the page, no
  element rendered with ``text-overflow: ellipsis``;
* every <img> loaded (``naturalWidth > 0``) and every figure sits beside its claim.

Skipped, with a message, where no Chromium is installed (``.ci/run`` installs one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from exactscreen.claims import Claim, Paper, Registry, Status, TestOutcome, combine
from exactscreen.claims.runner import CheckRun
from exactscreen.report.figures.base import DrawnFigure, FigureSpec, new_figure, save
from exactscreen.report.formats import Report, write_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


LONG = (
    "qualified: as written (the seller's optimal menu keeps every type's surplus when the market "
    "moves by epsilon) it fails on the perturbed market; corrected: perturbations inside the support"
)

REGISTRY = Registry(
    (Paper("TOY", "A toy paper on screening", "A. Theorist & B. Referee", file="toy_1.txt", reference="Working paper, 2025"),),
    (
        Claim("TOY-Q", "TOY", "Lemma 2, fn 14", "a unique optimal payment rule survives every small perturbation",
              "If the optimal payment rule is unique, it remains optimal in every nearby market."),
        Claim("TOY-R", "TOY", "Proposition 3", "pooling never helps"),
        Claim("TOY-V", "TOY", "Theorem 1", "the optimum is a single item"),
    ),
)

TOML = '[types.t1]\na1 = "0"\na2 = "1"\n\n[types.t2]\na1 = "1"\na2 = "0"\n\n[market]\nt1 = "9/10"\nt2 = "1/10"\n'


def _draw(path: Path) -> None:
    fig = new_figure(3.0, 2.0)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    save(fig, path)


def make_report(tmp_path: Path) -> Report:
    figdir = tmp_path / "figures"
    figdir.mkdir()
    figs = []
    for name, claim in (("toy-fig-q", "TOY-Q"), ("toy-fig-v", "TOY-V")):
        spec = FigureSpec(name, "TOY", f"Figure for {claim}: the optimum over q", _draw, claim)
        _draw(figdir / f"{name}.png")
        figs.append(DrawnFigure(spec, figdir / f"{name}.png"))
    outcomes = [
        TestOutcome(
            "t.py::test_q", ("TOY-Q",), Status.QUALIFIED, (LONG,), 12, Decimal("0.010"), strength="sampled",
            reach=(("binding IC path of 3+ types", 9, 12),),
            counterexamples=({
                "as_written": "the optimal mechanisms are the same in every market within epsilon",
                "instance": {"types": {"t1": {"a1": "0", "a2": "1"}, "t2": {"a1": "1", "a2": "0"}},
                             "market": {"t1": "1", "t2": "0"},
                             "splits": [{"k": "1", "q": "1/3"}, {"k": "2", "q": "2/5"}]},
                "found": "f' = (9/10, 1/10) forces p(t2) = 1: CS(t2) drops from 1 to 0",
                "confirmed_by": "closed-form revenue bound with an independent IC-IR check",
                "corrected": "true for perturbations inside the support of f",
            },),
        ),
        TestOutcome(
            "t.py::test_r", ("TOY-R",), Status.REFUTED, ("refuted: pooling never helps",), 1, Decimal("0.004"),
            counterexamples=({"as_written": "pooling never helps", "instance": TOML,
                              "confirmed_by": "enumeration of deterministic menus"},),
        ),
        TestOutcome("t.py::test_v", ("TOY-V",), Status.VERIFIED, ("single item q* = √3 − 1 " * 8,), 1, Decimal("0.002")),
    ]
    results = tuple(combine(c, outcomes) for c in REGISTRY)
    run = CheckRun(results, (), "ci", ("t",), Decimal("0.5"))
    return Report(run, REGISTRY, tuple(figs))


# Appended to a copy of the page: records, after every image has loaded, what the rendered page shows.
PROBE = r"""
<script>
window.addEventListener('load', function () {
  function shown(el) {
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === 'DETAILS' && !p.open && p !== el) {
        var inSummary = false;
        for (var q = el; q && q !== p; q = q.parentElement) { if (q.tagName === 'SUMMARY') inSummary = true; }
        if (!inSummary) return false;
      }
    }
    var r = el.getBoundingClientRect();
    var s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  }
  var findings = Array.prototype.map.call(document.querySelectorAll('.finding'), function (f) {
    return {id: f.id, shown: shown(f), text: f.innerText,
            links: Array.prototype.map.call(f.querySelectorAll('a[href]'), function (a) { return a.getAttribute('href'); }),
            figures: Array.prototype.map.call(f.querySelectorAll('img'), function (i) { return i.alt; })};
  });
  var images = Array.prototype.map.call(document.images, function (i) {
    var row = i.closest('tr.figure-row');
    var prev = row ? row.previousElementSibling : null;
    return {alt: i.alt, complete: i.complete, width: i.naturalWidth, shown: shown(i),
            card: (i.closest('.finding') || {}).id || null, afterRow: prev ? prev.id : null};
  });
  var ellipsis = [];
  Array.prototype.forEach.call(document.querySelectorAll('body *'), function (el) {
    if (getComputedStyle(el).textOverflow === 'ellipsis') ellipsis.push(el.tagName);
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({findings: findings, images: images, ellipsisStyled: ellipsis,
                                    visibleText: document.body.innerText});
  document.body.appendChild(out);
});
</script>
"""


def _render(browser: str, page: Path) -> dict:
    """Open ``page`` in headless Chromium and return what the probe recorded."""
    probe = page.with_name("probed.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    proc = subprocess.run(
        [browser, "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
         "--no-first-run", "--window-size=1280,2000", "--virtual-time-budget=10000",
         f"--user-data-dir={page.parent / 'chromium-profile'}", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(page.parent)},
    )
    match = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert match, f"the browser did not run the probe (exit {proc.returncode}): {proc.stderr[-1500:]}"
    import html

    return json.loads(html.unescape(match.group(1)))


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium found (looked for " + ", ".join(BROWSERS) + "); install it with "
                    "`apt-get install -y chromium` (.ci/run does) to test the HTML report in a browser")
    out = tmp_path_factory.mktemp("browser")
    write_report(make_report(out), out)
    return _render(browser, out / "report.html")


def test_findings_are_visible_without_clicking(seen):
    ids = [f["id"] for f in seen["findings"]]
    assert ids == ["finding-TOY-Q", "finding-TOY-R"]
    for f in seen["findings"]:
        assert f["shown"], f"{f['id']} is hidden (collapsed or not rendered)"
        for part in ("The paper says", "Counterexample", "Corrected statement", "How it was checked"):
            assert part.lower() in f["text"].lower(), (f["id"], part)
    q = seen["findings"][0]
    assert "If the optimal payment rule is unique, it remains optimal in every nearby market." in q["text"]
    assert "CS(t2) drops from 1 to 0" in q["text"] and "hit 9 of 12" in q["text"]
    assert "counterexamples/TOY-Q-counterexample.toml" in q["links"]
    assert "counterexamples/TOY-R-counterexample.toml" in seen["findings"][1]["links"]
    assert "exactscreen solve TOY-R-counterexample.toml" in seen["findings"][1]["text"]


def test_no_visible_text_is_cut_mid_word(seen):
    text = seen["visibleText"]
    assert not re.search(r"\w(…|\.\.\.)", text), re.search(r".{0,40}\w(…|\.\.\.)", text)
    assert seen["ellipsisStyled"] == []
    assert LONG.split("; ")[1] in text  # the long evidence line is there in full
    assert "toy_1.txt" not in text and "Working paper, 2025" in text  # papers by title, authors, reference


def test_every_figure_loads_beside_its_claim(seen):
    images = {i["alt"]: i for i in seen["images"]}
    assert set(images) == {"toy-fig-q", "toy-fig-v"}
    for i in images.values():
        assert i["complete"] and i["width"] > 0 and i["shown"], i
    assert images["toy-fig-q"]["card"] == "finding-TOY-Q"  # in its claim's finding card
    assert images["toy-fig-v"]["afterRow"] == "TOY-V"  # right after its claim's row
