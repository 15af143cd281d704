"""Odd input at the door (issue 12, item 5): one regression test per finding.

Each CLI case runs ``python -m exactscreen`` as a subprocess and parses what
it prints: an exact answer (exit 0) or one line on stderr naming the field
(exit 2); never a traceback, a hang or a raw control character.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from exactscreen.display import md_code, plain_console, safe_name
from exactscreen.exceptions import InputError
from exactscreen.environment import loads_toml
from exactscreen.lp.float_hint import hint_exponent, hint_floats
from exactscreen.lp.exact import LinearProgram, solve_lp
from exactscreen.exceptions import ExactNumberError
from exactscreen.numbers import MAX_DIGITS, fmt, fmt_decimal, to_fraction

TIMEOUT = 120


def run(*args: str, seed: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if seed is not None:
        env["PYTHONHASHSEED"] = seed
    return subprocess.run(
        [sys.executable, "-m", "exactscreen", *args], capture_output=True, text=True,
        timeout=TIMEOUT, env=env,
    )


def one_line_error(proc: subprocess.CompletedProcess, command: str, *needles: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    line = proc.stderr.rstrip("\n")
    assert "\n" not in line and line.startswith(f"exactscreen {command}: error: "), proc.stderr[:2000]
    for n in needles:
        assert n in line, (n, line)
    assert proc.stdout == ""
    return line


def two_types(tmp_path: Path, tL: dict, tH: dict, market: bool = True, name: str = "env.toml") -> Path:
    def table(d):
        return "".join(f"{json.dumps(k, ensure_ascii=False)} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in d.items())

    text = f"[types.tL]\n{table(tL)}[types.tH]\n{table(tH)}"
    if market:
        text += '[market]\ntL = "1/2"\ntH = "1/2"\n'
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------ 1e400: exact
def test_a_value_of_1e400_is_solved_exactly_with_the_float_hint_rescaled(tmp_path):
    path = two_types(tmp_path, {"aL": "1e400", "aH": "1"}, {"aL": "1", "aH": "2"})
    proc = run("solve", str(path), "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    # each type buys its efficient alternative at its full value: (10^400 + 2)/2
    assert Fraction(out["revenue"]) == Fraction(10**400 + 2, 2)
    assert out["certificate"]["verified"] is True
    text = run("solve", str(path))
    assert text.returncode == 0 and "Traceback" not in text.stderr


def test_tiny_values_like_1e_minus_400_are_solved_exactly(tmp_path):
    path = two_types(tmp_path, {"aL": "1e-400", "aH": "0"}, {"aL": "0", "aH": "3e-400"})
    proc = run("solve", str(path), "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert Fraction(json.loads(proc.stdout)["revenue"]) == Fraction(4, 2 * 10**400)


def test_float_hint_scales_huge_blocks_by_a_power_of_two_and_leaves_ordinary_ones_alone():
    ordinary = [Fraction(3, 4), Fraction(-7), Fraction(1, 10**6)]
    assert hint_exponent(ordinary) == 0
    assert hint_floats(ordinary) == [float(v) for v in ordinary]
    huge = [Fraction(10**400), Fraction(1), Fraction(-3 * 10**399)]
    e = hint_exponent(huge)
    vals = hint_floats(huge)
    assert e > 1000 and all(abs(v) <= 2.0 for v in vals) and vals[0] > 0 > vals[2]
    tiny = [Fraction(1, 10**400), Fraction(-2, 10**400)]
    small = hint_floats(tiny)
    assert hint_exponent(tiny) < -1000 and small[0] > 0 and small[1] == -2 * small[0]


def test_the_general_exact_lp_takes_coefficients_beyond_the_float_range():
    big = Fraction(10**400)
    lp = LinearProgram(
        c=(big, Fraction(1)),
        A_eq=(), b_eq=(),
        A_ub=(((0, Fraction(1)), (1, Fraction(1))), ((0, big),)),
        b_ub=(Fraction(1), big / 2),
    )
    res = solve_lp(lp)
    assert res.x == (Fraction(1, 2), Fraction(1, 2)) and res.objective == big / 2 + Fraction(1, 2)


# ------------------------------------------------- digits: parse and print agree
@pytest.fixture
def int_str_limit():
    """Python's default int-to-str limit (the CLI lifts it; library users keep it)."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)
    yield
    sys.set_int_max_str_digits(old)


def test_numbers_print_whatever_their_number_of_digits(int_str_limit):
    big = fmt(Fraction(10**6000 + 7))
    assert len(big) == 6001 and big.startswith("1000") and big.endswith("007")
    assert fmt(Fraction(10**5000 + 1, 7)).endswith("/7") and len(fmt(Fraction(10**5000 + 1, 7))) == 5003
    dec = fmt_decimal(Fraction(10**5000, 3), 2)
    assert dec.startswith("3333") and dec.endswith(".33…") and len(dec) == 5000 + 4


def test_the_parser_refuses_numbers_printing_could_not_honour_with_the_field_named(int_str_limit):
    assert len(fmt(to_fraction("1e4000"))) == 4001
    assert len(fmt(to_fraction("-1e-4000"))) == len("-1/1" + "0" * 4000)
    with pytest.raises(ExactNumberError, match=r"^types\.t\.a: '1e4001': exponent beyond"):
        to_fraction("1e4001", "types.t.a")
    largest = to_fraction("9" * 195 + "e4000", "types.t.a")  # 200 characters: the longest string
    assert len(fmt(largest)) == 4195 <= MAX_DIGITS < 4300  # every accepted number prints, even via str()
    assert len(str(largest.numerator)) == 4195


def test_a_4000_digit_input_solves_and_prints(tmp_path):
    path = two_types(tmp_path, {"aL": "1e4000", "aH": "1/3"}, {"aL": "1", "aH": "2"})
    proc = run("solve", str(path), "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert Fraction(json.loads(proc.stdout)["revenue"]) == (Fraction(10**4000) + 2) / 2
    proc = run("solve", str(path))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr


def test_results_longer_than_python_int_str_limit_print(tmp_path):
    # inputs of 4001 digits; the segment construction computes numbers of about 8000 digits
    # (and a certificate message with str(Fraction) of them); they print, exactly
    path = tmp_path / "mix.toml"
    path.write_text('[types.tL]\naL = "1e-4000"\naH = "3e-4000"\n[types.tH]\naL = "7e4000"\naH = "9e4000"\n'
                    '[market]\ntL = "1/3"\ntH = "2/3"\n')
    proc = run("segment", str(path), "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["two_type_markets"]
    assert max(len(w) for w in proc.stdout.split()) > 4300


def test_a_number_beyond_the_limit_is_one_line_naming_the_field(tmp_path):
    path = two_types(tmp_path, {"aL": "1e5000", "aH": "1"}, {"aL": "1", "aH": "2"})
    one_line_error(run("solve", str(path)), "solve", "types.tL.aL", "exponent beyond")


# ------------------------------------------------------------- deep nesting
@pytest.mark.parametrize("command", [["solve"], ["two-types"], ["persuade"], ["two-types", "--param", "v"]])
def test_arrays_nested_1000_deep_are_one_line_errors(tmp_path, command):
    path = tmp_path / "deep.toml"
    path.write_text('[types.t1]\na = "1"\n[types.t2]\na = "2"\nx = ' + "[" * 1000 + "]" * 1000 + "\n")
    proc = run(command[0], str(path), *command[1:])
    one_line_error(proc, command[0], "nested too deeply")


def test_deep_nesting_inside_a_value_is_one_line_naming_the_field():
    text = '[types.t1]\na = ' + "[" * 200 + "]" * 200 + '\n[types.t2]\na = "2"\n'
    with pytest.raises(InputError, match=r"^types\.t1\.a: expected a number") as exc:
        loads_toml(text)
    assert len(str(exc.value)) < 300


# ------------------------------------------------------------------- names
ODD = {"[/]": "1", "[b]t[/b]": "2", ":smile:": "3", "x\x1b[2Jy": "4", "\u202eab": "5"}


def _names_file(tmp_path: Path) -> Path:
    types = {"[/]": {a: str(k) for k, a in enumerate(ODD, 1)}, "t\x1b[31m[b]x": {a: str(2 * k) for k, a in enumerate(ODD, 1)}}
    lines = ['title = "[b]T[/b] \\u001b[2J"\n']
    for t, row in types.items():
        lines.append(f"[types.{json.dumps(t)}]\n")
        lines += [f"{json.dumps(a)} = {json.dumps(v)}\n" for a, v in row.items()]
    lines.append("[market]\n")
    lines += [f"{json.dumps(t)} = \"1/2\"\n" for t in types]
    path = tmp_path / "names.toml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["solve", "segment", "two-types"])
def test_names_print_literally_with_control_characters_escaped(tmp_path, command):
    proc = run(command, str(_names_file(tmp_path)))
    assert proc.returncode in (0, 2), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "MarkupError" not in proc.stderr
    out = proc.stdout + proc.stderr
    assert "\x1b" not in out and "\u202e" not in out
    if proc.returncode == 0:
        assert "[/]" in proc.stdout and "[b]t[/b]" in proc.stdout and ":smile:" in proc.stdout
        assert "\\x1b[2Jy" in proc.stdout and "\\u202eab" in proc.stdout
        assert "[b]T[/b]" in proc.stdout  # the title, too


def test_names_keep_their_exact_spelling_in_json(tmp_path):
    proc = run("solve", str(_names_file(tmp_path)), "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert set(out["market"]) == {"[/]", "t\x1b[31m[b]x"}


def test_a_name_in_an_error_message_cannot_split_the_line_or_reach_the_terminal_raw(tmp_path):
    path = two_types(tmp_path, {"a": "1"}, {"a": "2"}, market=False)
    proc = run("solve", str(path), "--market", "tL=1/2,x\x1b[2J=1/2")
    line = one_line_error(proc, "solve", "unknown type", "x\\x1b[2J")
    assert "\x1b" not in line


def test_plain_console_and_safe_name():
    import io

    buf = io.StringIO()
    con = plain_console(file=buf, width=200)
    con.print("[/] [b]x[/b] :smile: \x1b[2J\nnext")
    assert buf.getvalue() == "[/] [b]x[/b] :smile: \\x1b[2J\nnext\n"
    assert safe_name("a\nb\x07\u2028") == "a\\nb\\x07\\u2028"
    assert safe_name("é [b]") == "é [b]"


# ---------------------------------------------------- two-types --param
PARAM_EXAMPLE = Path(__file__).resolve().parent.parent / "exactscreen" / "examples" / "stt_restaurant_param.toml"


def test_parametric_two_types_gives_the_same_output_under_every_hash_seed():
    # the analysis loops over sets of alternative names; their order followed PYTHONHASHSEED
    path = PARAM_EXAMPLE
    outs = set()
    for seed in ("0", "1", "random"):
        proc = run("two-types", str(path), "--param", "v", "--domain", "0:", "--json", seed=seed)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.add(proc.stdout)
    assert len(outs) == 1
    assert json.loads(outs.pop())["regions"]


@pytest.mark.parametrize("digits", [60, 120, 200])
def test_parametric_numbers_with_many_digits_are_refused_naming_the_field(tmp_path, digits):
    path = tmp_path / "p.toml"
    path.write_text(f'[types.T]\nsteak = "30"\nfish = "v"\n[types.A]\nsteak = "1{"3" * (digits - 1)}"\nfish = "20"\n')
    for seed in ("0", "7"):
        one_line_error(run("two-types", str(path), "--param", "v", "--domain", "0:", seed=seed),
                       "two-types", "types.A.steak", "digits")


@pytest.mark.parametrize(
    "body, needle",
    [
        ('[types]\nT = "1"\nA = "2"\n', "types.T: expected a table"),
        ('[types.T]\n"0" = "1"\nfish = "v"\n[types.A]\n"0" = "2"\nfish = "20"\n', 'alternative name "0" is reserved'),
        ('[types.T]\nsteak = "30"\n[types.A]\nsteak = 1.5\n', "types.A.steak: got the float 1.5"),
        ('[types.T]\nsteak = "30"\n[types.A]\nfish = "20"\n', "missing valuation"),
        ('[types.T]\nsteak = "w"\n[types.A]\nsteak = "1"\n', "types.T.steak: unknown name 'w'"),
    ],
)
def test_parametric_input_goes_through_the_same_validation_as_load_toml(tmp_path, body, needle):
    path = tmp_path / "p.toml"
    path.write_text(body)
    one_line_error(run("two-types", str(path), "--param", "v"), "two-types", needle)


# ---------------------------------------------------------------- Markdown
def test_markdown_code_spans_cannot_be_broken_out_of():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    for nasty in ["a`<script>x()</script>`", "```<img src=x onerror=y>", "`", "a|b\n<i>"]:
        html_inline = md.render(f"file {md_code(nasty)} end")
        html_cell = md.render(f"| a | b |\n|---|---|\n| {md_code(nasty, in_table=True)} | x |\n")
        for html in (html_inline, html_cell):
            assert "<script" not in html and "<img" not in html and "<i>" not in html
        assert html_cell.count("<td>") == 2


def test_markdown_report_escapes_a_papers_reference_and_check_node_ids():
    from decimal import Decimal

    from markdown_it import MarkdownIt

    from exactscreen.claims import Claim, Paper, Registry, Status, TestOutcome, combine
    from exactscreen.claims.runner import CheckRun
    from exactscreen.report.formats import Report, to_markdown

    reg = Registry(
        (Paper("TOY", "Toy", "A. B.", reference="x`<script>alert(1)</script>`.txt"),),
        (Claim("TOY-A", "TOY", "Sec. 1", "s"),),
    )
    outcome = TestOutcome("t.py::test_a[`<img src=x onerror=y>`]", ("TOY-A",), Status.VERIFIED, ("ok",), 1, Decimal("0.001"))
    run_ = CheckRun(tuple(combine(c, [outcome]) for c in reg), (), "ci", ("t",), Decimal("0.1"))
    text = to_markdown(Report(run_, reg, ()))
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=y&gt;" in html


# ----------------------------------------------------- no sympify of strings
def test_polydensity_and_arb_function_refuse_strings_without_running_them(tmp_path):
    from exactscreen.persuasion.singleitem import V, PolyDensity, arb_function

    marker = tmp_path / "ran"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    with pytest.raises(InputError, match="strings are not parsed"):
        PolyDensity.of(code)
    with pytest.raises(InputError, match="strings are not parsed"):
        arb_function(code, ())
    with pytest.raises(InputError, match="float"):
        PolyDensity.of(0.5)
    assert not marker.exists()
    assert PolyDensity.of(2 * (1 - V)).density == 2 - 2 * V
    assert PolyDensity.of(Fraction(3)).density == 1
    ball = arb_function(sympy.Rational(1, 3) + V, (V,))(1)
    assert abs(float(ball.mid()) - 4 / 3) < 1e-12


# ------------------------------------------------------------- check table
def test_check_text_table_prints_claim_text_literally():
    """``check --claims FILE`` prints the user's claim text: no markup, no raw escape sequences."""
    import io
    from decimal import Decimal

    from exactscreen.claims import Claim, Paper, Registry, Status, TestOutcome, combine
    from exactscreen.claims.runner import CheckRun
    from exactscreen.report.formats import Report, render_text

    reg = Registry((Paper("TOY", "Toy", "A. B.", "toy.txt"),), (Claim("TOY-A", "TOY", "[b]S[/b]", "s\x1b[2J"),))
    outcome = TestOutcome("t.py::test_a", ("TOY-A",), Status.VERIFIED, ("ok [/] \x1b[31mred",), 1, Decimal("0.001"))
    run_ = CheckRun(tuple(combine(c, [outcome]) for c in reg), (), "ci", ("t",), Decimal("0.1"))
    buf = io.StringIO()
    render_text(Report(run_, reg, ()), plain_console(file=buf, width=200))
    out = buf.getvalue()
    assert "\x1b" not in out and "[b]S[/b]" in out and "[/]" in out and "\\x1b[31mred" in out
