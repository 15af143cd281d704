"""Auditable certificates: ``solve --certificate`` then ``verify``, as a user runs them (subprocesses).

``verify`` must certify what ``solve`` wrote, refuse every tampered number
(exit 1, naming what failed), and refuse malformed files (exit 2, one line
on stderr, no traceback), all without the solver.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from exactscreen.environment import Environment, Market, load_toml
from exactscreen.mechanisms.audit import build_lp, fingerprint, serialize_lp
from exactscreen.mechanisms.optimum import mechanism_lp

EX = Path(__file__).resolve().parents[1] / "exactscreen" / "examples"
PAPER = EX / "pis_sec311.toml"


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "exactscreen", *map(str, args)],
        capture_output=True, text=True, timeout=300, cwd=cwd,
    )


def verify(path, *extra):
    r = run_cli("verify", path, "--json", *extra)
    assert "Traceback" not in r.stderr, r.stderr
    return r, (json.loads(r.stdout) if r.returncode in (0, 1) else None)


def assert_bad_input(r, *words):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("exactscreen verify: error: ")
    for w in words:
        assert w in lines[0], lines[0]


@pytest.fixture(scope="module")
def paper_certificate(tmp_path_factory):
    """The certificate of the paper's own instance (Sec. 3.1.1, q = 1/2), written once."""
    out = tmp_path_factory.mktemp("cert") / "sec311.json"
    r = run_cli("solve", PAPER, "--certificate", out)
    assert r.returncode == 0, r.stderr
    assert f"exactscreen verify {out}" in r.stdout.replace("\n", " ")
    return json.loads(out.read_text(encoding="utf-8"))


def write(tmp_path, doc, name="c.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


# --------------------------------------------------------------------------- round trips
def test_the_papers_instance_round_trips_and_is_certified(paper_certificate, tmp_path):
    doc = paper_certificate
    assert doc["format"] == "exactscreen-mechanism-certificate" and doc["version"] == 1
    assert doc["value"] == "5/4"  # Sec. 3.1.1 at q = 1/2: tL pays 3/4 for aL, tH pays 7/4 for aH
    assert doc["primal"]["tL"] == {"x": {"aL": "1", "aH": "0", "0": "0"}, "p": "3/4"}
    assert doc["primal"]["tH"] == {"x": {"aL": "0", "aH": "1", "0": "0"}, "p": "7/4"}
    assert [d["row"] for d in doc["dual"]] == ["prob(tL)", "prob(tH)", "IR(tL)", "IC(tL->tH)", "IR(tH)", "IC(tH->tL)"]
    r, out = verify(write(tmp_path, doc))
    assert r.returncode == 0, r.stdout + r.stderr
    assert out["certified"] is True and out["value"] == "5/4" and out["failures"] == []
    assert all(out["conditions"].values())
    assert out["fingerprint"]["claimed"] == out["fingerprint"]["recomputed"] == doc["fingerprint"]["value"]


def test_the_text_verdict_says_certified_and_what_it_trusts(paper_certificate, tmp_path):
    r = run_cli("verify", write(tmp_path, paper_certificate))
    assert r.returncode == 0 and r.stderr == ""
    assert "Verdict: CERTIFIED: the optimal revenue of this LP is 5/4 (1.25)" in r.stdout
    assert "Not trusted: the solver" in r.stdout


def _random_toml(seed: int) -> str:
    rng = random.Random(seed)
    n, k = rng.randint(2, 5), rng.randint(1, 3)
    frac = lambda lo, hi: str(Fraction(rng.randint(lo, hi), rng.choice((1, 2, 3, 4, 7))))  # noqa: E731
    lines = [f'title = "random {seed}"']
    for i in range(n):
        lines.append(f"[types.t{i}]")
        lines += [f'a{j} = "{frac(-2, 12)}"' for j in range(k)]
    if seed % 2:
        lines.append("[costs]")
        lines += [f'a{j} = "{frac(0, 3)}"' for j in range(k)]
    w = [rng.randint(0 if seed % 3 == 0 else 1, 5) for _ in range(n)]
    w[0] += 1
    lines.append("[market]")
    lines += [f't{i} = "{Fraction(wi, sum(w))}"' for i, wi in enumerate(w)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_random_environments_round_trip(seed, tmp_path):
    toml = tmp_path / "env.toml"
    toml.write_text(_random_toml(seed), encoding="utf-8")
    cert = tmp_path / "c.json"
    r = run_cli("solve", toml, "--certificate", cert, "--json")
    assert r.returncode == 0, r.stderr
    solved = json.loads(r.stdout)
    r, out = verify(cert)
    assert r.returncode == 0, out
    assert out["value"] == solved["revenue"]


# --------------------------------------------------------------------------- tampering
def _tampered(doc, edit):
    doc = json.loads(json.dumps(doc))
    edit(doc)
    return doc


def _dual(doc, row, value):
    (d,) = [d for d in doc["dual"] if d["row"] == row]
    d["value"] = value


TAMPERING = {
    # an IC multiplier made negative: dual infeasible
    "negative dual": (lambda d: _dual(d, "IC(tH->tL)", "-1/2"), "dual",
                      "dual: multiplier of IC(tH->tL) = -1/2 < 0"),
    # an IC multiplier made larger: the dual constraint of x(tH,aL) fails
    "larger dual": (lambda d: _dual(d, "IC(tH->tL)", "2"), "dual", "dual: constraint of column"),
    # a prob multiplier changed: dual objective differs
    "prob dual": (lambda d: _dual(d, "prob(tL)", "1/2"), "objective", "objective: dual objective 3/2"),
    # tH pays 2 instead of 7/4: IC(tH->tL) is violated (and the revenue differs)
    "payment": (lambda d: d["primal"]["tH"].__setitem__("p", "2"), "primal",
                "primal: row IC(tH->tL) violated: 1/4 > 0"),
    # a lottery that does not sum to 1
    "allocation": (lambda d: d["primal"]["tL"]["x"].__setitem__("0", "1/2"), "primal", "primal: row prob(tL)"),
    "value": (lambda d: d.__setitem__("value", "4/3"), "objective",
              "objective: c.x = 5/4 differs from the claimed objective 4/3"),
    "environment": (lambda d: d["environment"]["types"]["tH"].__setitem__("aH", "3"), "fingerprint",
                    "fingerprint: the file says"),
    "market": (lambda d: d.__setitem__("market", {"tL": "1/4", "tH": "3/4"}), "fingerprint",
               "fingerprint: the file says"),
    "row label": (lambda d: d["dual"][3].__setitem__("row", "IC(tH->tL)"), "rows", "rows: dual[3] is labelled"),
}


@pytest.mark.parametrize("what", sorted(TAMPERING))
def test_a_tampered_certificate_is_refused_naming_what_failed(what, paper_certificate, tmp_path):
    edit, condition, message = TAMPERING[what]
    r, out = verify(write(tmp_path, _tampered(paper_certificate, edit)))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert out["certified"] is False
    assert out["conditions"][condition] is False
    assert any(f.startswith(message) for f in out["failures"]), out["failures"]


def test_the_text_verdict_names_the_first_failure(paper_certificate, tmp_path):
    doc = _tampered(paper_certificate, lambda d: _dual(d, "IC(tH->tL)", "-1/2"))
    r = run_cli("verify", write(tmp_path, doc))
    assert r.returncode == 1
    verdict = [ln for ln in r.stdout.splitlines() if ln.startswith("Verdict:")]
    assert verdict and "dual: multiplier of IC(tH->tL) = -1/2 < 0" in verdict[0]
    assert "dual feasible     NO" in r.stdout


# --------------------------------------------------------------------------- malformed input
MALFORMED = {
    "missing dual": (lambda d: d.pop("dual"), "missing key 'dual'"),
    "missing fingerprint": (lambda d: d.pop("fingerprint"), "missing key 'fingerprint'"),
    "unknown key": (lambda d: d.__setitem__("extra", 1), "unknown key 'extra'"),
    "wrong version": (lambda d: d.__setitem__("version", 2), "version: '2' is not supported"),
    "wrong format": (lambda d: d.__setitem__("format", "other"), "format: 'other' is not"),
    "float value": (lambda d: d.__setitem__("value", 1.25), "value: expected an exact number as a string"),
    "decimal string": (lambda d: d.__setitem__("value", "1.25"), "value: '1.25' is not of the form"),
    "zero denominator": (lambda d: _dual(d, "IR(tL)", "1/0"), "dual[2].value: '1/0' has denominator 0"),
    "null dual": (lambda d: _dual(d, "IR(tL)", None), "dual[2].value: expected an exact number"),
    "float payment": (lambda d: d["primal"]["tH"].__setitem__("p", 1.75), "primal.tH.p: expected an exact number"),
    "short dual": (lambda d: d["dual"].pop(), "dual: 5 multipliers, but the LP of 2 types has 6 rows"),
    "missing type": (lambda d: d["primal"].pop("tH"), "primal: no entry for type 'tH'"),
    "missing outside option": (lambda d: d["primal"]["tL"]["x"].pop("0"), "primal.tL.x: missing key '0'"),
    "float environment": (lambda d: d["environment"]["types"]["tL"].__setitem__("aL", 0.75),
                          "environment: types.tL.aL: got the float 0.75"),
    "bad market": (lambda d: d["market"].__setitem__("tL", "1/3"), "market: weights sum to 5/6"),
    "bad fingerprint": (lambda d: d["fingerprint"].__setitem__("value", "abc"), "fingerprint.value: expected 64"),
    "dual not a list": (lambda d: d.__setitem__("dual", {"IR(tL)": "1"}), "dual: expected a list"),
    "document not an object": (lambda d: None, ""),
}


@pytest.mark.parametrize("what", sorted(MALFORMED))
def test_a_malformed_certificate_exits_2_with_one_line(what, paper_certificate, tmp_path):
    edit, message = MALFORMED[what]
    doc = [1, 2] if what == "document not an object" else _tampered(paper_certificate, edit)
    r = run_cli("verify", write(tmp_path, doc))
    assert_bad_input(r, message)


@pytest.mark.parametrize(
    "text, message",
    [("", "not valid JSON"), ("{", "not valid JSON"), ('{"value": NaN}', "NaN is not a number"),
     ('{"a": 1, "a": 2}', "key 'a' appears twice"), ("[" * 100_000 + "]" * 100_000, "")],
    ids=["empty", "truncated", "nan", "duplicate key", "deep nesting"],
)
def test_files_that_are_not_certificates_exit_2(text, message, tmp_path):
    p = tmp_path / "c.json"
    p.write_text(text, encoding="utf-8")
    assert_bad_input(run_cli("verify", p), message)


def test_a_missing_file_exits_2(tmp_path):
    assert_bad_input(run_cli("verify", tmp_path / "nope.json"), "cannot read file")


# --------------------------------------------------------------------------- solve's side
def test_an_unwritable_certificate_path_is_refused_before_solving(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target, message in ((blocker / "c.json", "is not a directory"), (tmp_path, "is a directory")):
        r = run_cli("solve", PAPER, "--certificate", target)
        assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_certificate_with_deterministic_is_refused(tmp_path):
    r = run_cli("solve", PAPER, "--deterministic", "--certificate", tmp_path / "c.json")
    assert r.returncode == 2 and "--certificate" in r.stderr and not (tmp_path / "c.json").exists()


def test_solve_json_is_the_same_with_and_without_certificate(tmp_path):
    plain = run_cli("solve", PAPER, "--json")
    with_cert = run_cli("solve", PAPER, "--json", "--certificate", tmp_path / "c.json")
    assert plain.returncode == with_cert.returncode == 0
    assert plain.stdout == with_cert.stdout
    assert (tmp_path / "c.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name != "c.json"]  # no temporary file left


def test_verify_does_not_import_the_solver(paper_certificate, tmp_path):
    path = write(tmp_path, paper_certificate)
    code = (
        "import sys\n"
        "from exactscreen.cli.main import main\n"
        f"assert main(['verify', {str(path)!r}]) == 0\n"
        "bad = [m for m in ('exactscreen.lp.exact', 'exactscreen.mechanisms.structured',\n"
        "       'exactscreen.mechanisms.optimum', 'exactscreen.lp.sparse', 'highspy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


# --------------------------------------------------------------------------- the LP and its fingerprint
@pytest.mark.parametrize("seed", range(8))
def test_the_independent_builder_agrees_with_the_solvers_lp(seed, tmp_path):
    toml = tmp_path / "env.toml"
    toml.write_text(_random_toml(seed), encoding="utf-8")
    env, market = load_toml(toml)
    ours, theirs = build_lp(env, market), mechanism_lp(env, market)
    assert ours.c == theirs.c and ours.b_eq == theirs.b_eq and ours.b_ub == theirs.b_ub
    assert (ours.var_names, ours.eq_names, ours.ub_names) == (theirs.var_names, theirs.eq_names, theirs.ub_names)
    norm = lambda rows: [sorted((j, a) for j, a in r if a) for r in rows]  # noqa: E731
    assert norm(ours.A_eq) == norm(theirs.A_eq) and norm(ours.A_ub) == norm(theirs.A_ub)


def test_the_serialization_is_the_documented_one():
    env = Environment.from_dict({"t": {"a": "3/4"}, "u": {"a": "1"}}, {"a": "1/4"})
    lp = build_lp(env, Market.from_mapping(env, {"t": "1/3", "u": "2/3"}))
    assert "".join(serialize_lp(lp)) == (
        "exactscreen-lp 1\n"
        "maximize\n"
        'column "x(t,a)" 0\ncolumn "x(t,0)" 0\ncolumn "p(t)" 1/3\n'
        'column "x(u,a)" 0\ncolumn "x(u,0)" 0\ncolumn "p(u)" 2/3\n'
        'eq "prob(t)" 1 0:1 1:1\n'
        'eq "prob(u)" 1 3:1 4:1\n'
        'ub "IR(t)" 0 0:-1/2 2:1\n'
        'ub "IC(t->u)" 0 0:-1/2 2:1 3:1/2 5:-1\n'
        'ub "IR(u)" 0 3:-3/4 5:1\n'
        'ub "IC(u->t)" 0 0:3/4 2:-1 3:-3/4 5:1\n'
    )
    import hashlib

    assert fingerprint(lp) == hashlib.sha256("".join(serialize_lp(lp)).encode()).hexdigest()


@pytest.mark.parametrize("what", ["payment", "negative dual", "prob dual", "value"])
def test_the_structured_checker_agrees_on_tampering(what, paper_certificate, tmp_path):
    edit, condition, _ = TAMPERING[what]
    r, out = verify(write(tmp_path, _tampered(paper_certificate, edit)), "--checker", "structured")
    assert r.returncode == 1 and out["checker"] == "structured"
    assert out["conditions"][condition] is False
    r, out = verify(write(tmp_path, paper_certificate, "ok.json"), "--checker", "structured")
    assert r.returncode == 0 and out["certified"] is True
