"""Jupyter displays: every result object's ``_repr_html_`` is well-formed HTML that shows types and
alternatives by name, exact values as fractions with decimals beside them, and escapes hostile names;
every ``_repr_latex_`` is balanced."""

from __future__ import annotations

import re
from fractions import Fraction
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from exactscreen import Environment, analyze_two_types, check_segmentation, optimal_mechanism, two_segment_improvement
from exactscreen import two_type_analysis
from exactscreen.mechanisms.mechanism import Range
from exactscreen.numbers import Certainty
from exactscreen.persuasion.entropy import EntropyBound
from exactscreen.persuasion.partitions import Inventory, optimal_partition, uniform_values

LOW = "<b>t&1</b>"  # a hostile type name: markup and an ampersand
HIGH = "tH"
ALT_L = "<i>a&L</i>"
ALT_H = "aH"

VOID = {"br", "img", "col", "hr", "meta", "input", "wbr"}


class _Page(HTMLParser):
    """Collects the text and the tags; fails on a closing tag that does not match the open one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:] or 'nothing'}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def shown(obj) -> tuple[str, set[str]]:
    """The text a reader sees in ``obj._repr_html_()`` (entities decoded) and the tags used."""
    html = obj._repr_html_()
    assert isinstance(html, str) and html
    page = _Page()
    page.feed(html)
    page.close()
    assert not page.stack, f"unclosed tags {page.stack}"
    return " ".join("".join(page.text).split()), page.tags


def assert_escaped(obj, *names: str) -> str:
    """Hostile names appear as text, never as tags; returns the text."""
    text, tags = shown(obj)
    assert "b" not in tags and "i" not in tags, tags
    for name in names:
        assert name in text, (name, text[:300])
    assert "Fraction(" not in text
    return text


def assert_balanced_latex(latex: str) -> None:
    assert re.sub(r"\\.", "", latex).count("$") % 2 == 0  # unescaped dollars pair up
    depth = 0
    for m in re.finditer(r"\\.|[{}]", latex):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            assert depth >= 0, latex
    assert depth == 0, latex
    assert latex.count(r"\begin{") == latex.count(r"\end{")
    assert latex.count(r"\left") == latex.count(r"\right")


@pytest.fixture(scope="module")
def env():
    # PIS Sec. 3.1.1 with hostile names: tL -> LOW, aL -> ALT_L
    return Environment.from_dict({LOW: {ALT_L: "3/4", ALT_H: 1}, HIGH: {ALT_L: 1, ALT_H: 2}}, title="Sec. 3.1.1 <&>")


@pytest.fixture(scope="module")
def market(env):
    return env.market({LOW: "1/2", HIGH: "1/2"})


@pytest.fixture(scope="module")
def solved(env, market):
    return optimal_mechanism(env, market)


def test_environment_shows_its_valuation_table_by_name_with_exact_values_and_decimals(env):
    text = assert_escaped(env, LOW, HIGH, ALT_L, ALT_H, "Sec. 3.1.1 <&>")
    assert "3/4 (0.75)" in text
    latex = env._repr_latex_()
    assert_balanced_latex(latex)
    assert r"\frac{3}{4}" in latex and r"\&" in latex and "<" not in latex and ">" not in latex


def test_latex_names_with_braces_and_backslashes_stay_balanced():
    env = Environment.from_dict({"t{1": {"a}\\_": 1}, "t_2$": {"a}\\_": "1/3"}})
    assert_balanced_latex(env._repr_latex_())
    assert_balanced_latex(env.market({"t{1": "2/3", "t_2$": "1/3"})._repr_latex_())


def test_market_shows_each_types_probability_exactly(market):
    text = assert_escaped(market, LOW, HIGH)
    assert "1/2 (0.5)" in text
    assert_balanced_latex(market._repr_latex_())


def test_optimal_mechanism_shows_revenue_menu_and_face_by_type_name(solved):
    text = assert_escaped(solved, LOW, HIGH, ALT_L, ALT_H)
    assert "5/4 (1.25)" in text  # revenue
    assert "7/4 (1.75)" in text  # tH's payment
    assert "verified" in text
    assert f"x(t, {ALT_L})" in text  # the face's allocation columns by alternative name


def test_mechanism_and_welfare_show_payments_and_surplus_by_name(solved, market):
    text = assert_escaped(solved.mechanism, LOW, HIGH, ALT_H)
    assert "7/4 (1.75)" in text and "1/4 (0.25)" in text
    assert_balanced_latex(solved.mechanism._repr_latex_())
    text = assert_escaped(solved.mechanism.welfare(market), LOW, HIGH)
    assert "1/8 (0.125)" in text  # consumer surplus
    assert "Fraction(" not in repr(solved.mechanism.welfare(market))


def test_optimal_face_is_shown_and_indexed_by_type_name(solved):
    face = solved.face
    text = assert_escaped(face, LOW, HIGH, ALT_L)
    assert "7/4 (1.75)" in text and "binding in every optimum" in text
    assert face.payment_of(HIGH) == Range(Fraction(7, 4), Fraction(7, 4))
    assert face.allocation_of(LOW, ALT_L).lo == 1 and face.surplus_of(HIGH).hi == Fraction(1, 4)
    for s in (str(face), repr(face)):
        assert LOW in s and "Fraction(" not in s and "Range(lo" not in s


def test_a_face_without_names_falls_back_to_position_labels(solved):
    from dataclasses import replace

    face = replace(solved.face, types=(), alternatives=())
    assert "t1" in str(face) and "a1" in str(face)
    assert face.named(solved.environment).types == solved.environment.types


def test_range_shows_an_interval_with_decimals():
    r = Range(Fraction(1, 3), Fraction(3, 4))
    text, _ = shown(r)
    assert text == "[1/3 (0.333333…), 3/4 (0.75)]"
    assert repr(r) == "Range(lo=1/3, hi=3/4)"
    assert_balanced_latex(r._repr_latex_())
    assert shown(Range(Fraction(2), Fraction(2)))[0] == "2"


def test_segmentation_check_shows_segments_cs_and_welfare_by_name(env, market):
    segs = [(Fraction(1, 4), env.market({LOW: "7/8", HIGH: "1/8"})), (Fraction(3, 4), env.market({LOW: "3/8", HIGH: "5/8"}))]
    chk = check_segmentation(env, market, segs)
    text = assert_escaped(chk, LOW, HIGH)
    assert "Pareto improving" in text and "41/32 (1.28125)" in text and "Welfare after" in text


def test_improvement_and_domination_proof_show_the_construction(env, market):
    imp = two_segment_improvement(env, market)
    text = assert_escaped(imp, LOW, HIGH)
    assert "improvable" in text and "1/4 (0.25)" in text
    assert "Fraction(" not in repr(imp)
    text = assert_escaped(imp.proof, LOW, HIGH)
    assert "Lemma 4" in text
    assert "Fraction(" not in repr(imp.proof)


def test_pis_two_type_analysis_shows_pieces_of_markets(env):
    analysis = two_type_analysis(env)
    text = assert_escaped(analysis, LOW, HIGH, ALT_H)
    assert "1/4 (0.25)" in text and "3/4 (0.75)" in text  # the breakpoints of Sec. 3.1.1
    assert "Fraction(" not in repr(analysis)


def test_screening_two_types_shows_thresholds_by_alternative_name():
    steak, fish = "<b>steak</b>", "fish&chips"
    env = Environment.from_dict({"T": {steak: 30, fish: 15}, "A": {steak: 60, fish: 20}})
    text = assert_escaped(analyze_two_types(env), steak, fish)
    assert "q^BD1" in text and "q^CD" in text and "3/4 (0.75)" in text and "3/8 (0.375)" in text


def test_partition_and_values_show_cells_exactly():
    d = uniform_values(5)
    p = optimal_partition(d, inventory=Inventory.aligned(d, [1, 2, 3, 4, 5]))
    text = assert_escaped(p)
    assert "49/5 (9.8)" in text and "7/2 (3.5)" in text and "2–5" in text
    assert "Fraction(" not in repr(p)
    assert "1/5 (0.2)" in assert_escaped(d)


def test_entropy_bound_shows_certified_enclosures():
    ok = SimpleNamespace(ok=True)
    lo, hi = Fraction(304098, 100000), Fraction(304099, 100000)
    bound = EntropyBound(lo, hi, Fraction(30409, 10000), Fraction(30410, 10000), lo, Fraction(306, 100),
                         Certainty.FALSE, 12, None, None, None, ok, ok, seconds=1.5)
    text = assert_escaped(bound)
    assert "3.04098" in text and "exact: [152049/50000" in text and "replayed" in text
    assert "Fraction(" not in repr(bound)


def test_report_shows_the_html_report_body_without_the_page():
    from tests.test_report_formats import NASTY, make_report

    html = make_report()._repr_html_()
    assert "<html" not in html and "<head" not in html and "<style" not in html
    text, tags = shown(make_report())
    assert NASTY in text and "table" in tags and "b" not in tags
