"""`exactscreen solve`: tables, JSON contract, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import exactscreen
from exactscreen.cli.main import main

EX = Path(exactscreen.__file__).parent / "examples"


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "exactscreen", *args], capture_output=True, text=True, timeout=120
    )


def test_solve_json_has_the_contract_keys(capsys):
    assert main(["solve", str(EX / "pis_sec311.toml"), "--market", "tL=1/4,tH=3/4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["revenue"] == "3/2"
    assert out["efficient"] is False and out["payment_rule_unique"] is False
    tH = out["types"]["tH"]
    assert tH["payment"] == "7/4" and tH["payment_range"] == ["7/4", "2"]
    assert tH["surplus"] == "1/4" and tH["surplus_range"] == ["0", "1/4"]
    assert tH["allocation"] == {"aH": "1"}
    assert ["tH", "tL"] in out["binding"]
    assert out["certificate"]["verified"] is True and out["certificate"]["method"]


def test_solve_table_shows_menu_ranges_and_certificate(capsys):
    assert main(["solve", str(EX / "pis_sec311.toml")]) == 0
    out = capsys.readouterr().out
    for needle in ("5/4 (1.25)", "Menu", "7/4 (1.75)", "Certificate: verified", "inefficient"):
        assert needle in out


def test_solve_deterministic_json(capsys):
    assert main(["solve", str(EX / "pis_fn25.toml"), "--deterministic", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [out["types"][t]["allocation"] for t in ("t1", "t2", "t3")] == [{"a1": "1"}, {"a1": "1"}, {"a2": "1"}]


def test_bad_market_is_one_line_on_stderr_without_traceback(tmp_path):
    r = run_cli("solve", str(EX / "pis_sec311.toml"), "--market", "tL=0.3,tH=0.6")
    assert r.returncode == 2
    assert "weights sum to 9/10" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_float_in_file_is_refused_with_the_field(tmp_path):
    f = tmp_path / "env.toml"
    f.write_text('[types.t]\na = 0.1\n[market]\nt = "1"\n')
    r = run_cli("solve", str(f))
    assert r.returncode == 2 and "types.t.a: got the float 0.1" in r.stderr and "Traceback" not in r.stderr


def test_missing_file_and_missing_market(tmp_path):
    r = run_cli("solve", str(tmp_path / "nope.toml"))
    assert r.returncode == 2 and "cannot read file" in r.stderr
    f = tmp_path / "env.toml"
    f.write_text('[types.t]\na = "1"\n')
    r = run_cli("solve", str(f))
    assert r.returncode == 2 and "--market" in r.stderr


def test_solve_json_text_is_json_dumps_with_indent_2(capsys):
    from exactscreen.cli.solve import dumps_indented

    assert main(["solve", str(EX / "pis_sec311.toml"), "--market", "tL=1/4,tH=3/4", "--json"]) == 0
    out = capsys.readouterr().out
    assert out == json.dumps(json.loads(out), indent=2) + "\n"
    assert dumps_indented(json.loads(out)) + "\n" == out


def test_json_writer_matches_the_standard_library_on_odd_values():
    from hypothesis import given, settings, strategies as st

    from exactscreen.cli.solve import dumps_indented

    class Name(str):
        pass

    pieces = ['"', ",", "[", "]", "\\", "%s", "a", "\u00e9", "\n", "\u2028", " ", ":", '","', '"],["']
    text = st.lists(st.sampled_from(pieces), max_size=4).map("".join)
    leaf = st.one_of(text, st.builds(Name, text), st.integers(), st.booleans(), st.none(),
                     st.floats(allow_nan=True))
    tree = st.recursive(
        leaf,
        lambda kids: st.one_of(st.lists(kids, max_size=4), st.lists(kids, max_size=4).map(tuple),
                               st.lists(st.lists(text, min_size=2, max_size=2), max_size=3),
                               st.dictionaries(st.one_of(text, st.integers()), kids, max_size=3)),
        max_leaves=20,
    )

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(tree)
    def same(obj):
        assert dumps_indented(obj) == json.dumps(obj, indent=2)

    same()


def test_an_engine_that_cannot_certify_gives_one_line_and_exit_3():
    """NotCertified (e.g. the selected mechanism fails its independent check) is not a traceback
    and not exit 2 (bad input): one line on stderr, exit 3, nothing on stdout."""
    code = (
        "import sys\n"
        "import exactscreen.mechanisms.optimum as o\n"
        "from exactscreen.exceptions import NotCertified\n"
        "def broken(*a, **k):\n"
        "    raise NotCertified('selected mechanism: revenue: sum_t f(t) p(t) = 0, certified optimum 5/4')\n"
        "o.optimal_mechanism = broken\n"
        "import exactscreen.cli.solve as s\n"
        "s.optimal_mechanism = broken\n"
        "from exactscreen.cli.main import main\n"
        "sys.exit(main(['solve', sys.argv[1], '--json']))\n"
    )
    example = Path(__file__).resolve().parents[1] / "exactscreen" / "examples" / "pis_sec311.toml"
    r = subprocess.run([sys.executable, "-c", code, str(example)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "not certified: selected mechanism" in r.stderr
