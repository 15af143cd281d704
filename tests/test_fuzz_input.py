"""Fuzz the door: TOML files made by mutating the shipped examples, through the CLI.

Every file is one of ``exactscreen/examples/*.toml`` with a few mutations:
dropped keys, duplicated keys and tables, retyped values (numbers, booleans,
floats, arrays, tables), odd names (rich markup, control characters, the
outside option ``"0"``, commas, very long names), huge and tiny numbers
(``"1e400"``, ``"1e-4000"``, beyond the 4,000 exponent limit) and arrays
nested up to 5,000 deep.  Each file is run through the commands a user would
run on it (``solve``; ``two-types`` for two types, ``two-types --param v``
for the parametric example; ``persuade`` for value distributions).

The contract (issue 12, item 5): exit status 0 or 2, never a traceback; on
exit 2, stderr is one line ``exactscreen CMD: error: ...``; output within a
time limit.  Most runs are in-process (``exactscreen.cli.main`` with captured
output: a subprocess costs about a second of start-up each); a fixed sample
runs as real subprocesses.  Hypothesis runs with a fixed seed
(``derandomize=True``), so CI sees the same files every time.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from exactscreen.cli.main import main

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "exactscreen" / "examples").glob("*.toml"))
SCREENING = [p for p in EXAMPLES if "types" in tomllib.loads(p.read_text()) and "param" not in p.name]
PARAM = [p for p in EXAMPLES if "param" in p.name]
PERSUASION = [p for p in EXAMPLES if "values" in tomllib.loads(p.read_text())]

#: what an error message starts with: the file, a field (types.T.a, market.t1, costs, values[2],
#: ...), a command-line option, or the kind of name that is wrong
FIELD = re.compile(
    r"(\S+\.toml: |types\b|market\b|costs\b|values\b|probabilities\b|qualities\b|inventory\b|cost\b"
    r"|model\b|title\b|--[a-z]|(type|alternative) names? |parametric two-types: |the decomposition of )"
)
IN_PROCESS_SECONDS = 30  # per command run (a hang fails the test instead of stalling CI)
SUBPROCESS_SECONDS = 90


class _Deep:
    """An array nested ``depth`` deep (rendered as ``[[[...]]]``)."""

    def __init__(self, depth: int) -> None:
        self.depth = depth


ODD_NAMES = [  # accepted: printed literally, control characters escaped
    "[/]", "[b]t[/b]", "[red]x", ":smile:", "x\x1b[31my", "b\x08c", "\u202egnp", "tab\tname",
    "a" * 300, "é", "`x`", "<b>x</b>", "\\", "1", "q", "x]", "[", "a\u2028b", "a\rb", "$x", "%s",
]
BAD_NAMES = ["0", "", " a", "a ", "a,b", "a=b", "x\ny", "t\r"]  # refused at entry
ODD_NUMBERS = [  # accepted: exact
    "1e400", "-1e400", "1e-400", "1e4000", "-1e-4000", "9" * 150 + "e3850", "1" * 199, "1/3",
    "12345678901234567890/7", "0", "-0", "1.5e-3", "+3", "3/-4", " 2 ", 10**18, -(2**63), 0, -1,
]
BAD_NUMBERS = [  # refused at entry
    "1e4001", "1e-9999", "1" * 250, "1/0", "1e", "nan", "inf", "-inf", "1_000", "0x10", "2**10",
    "1/3e5", "", "v", 1.5, float("inf"), True, False,
]
ODD_VALUES = BAD_NUMBERS + [[], {}, ["1", "2"], {"a": "1"}, [[1]], _Deep(2), _Deep(60), _Deep(1000), _Deep(5000)]


# ------------------------------------------------------------------ TOML writer
def _toml_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a TOML basic string (\uXXXX, \", \\)


def _toml_value(v) -> str:
    if isinstance(v, _Deep):
        return "[" * v.depth + "]" * v.depth
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "inf" if v == float("inf") else ("-inf" if v == float("-inf") else ("nan" if v != v else repr(v)))
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_string(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(data: dict) -> str:
    """Top-level keys as ``key = value`` lines (tables inline), so any tree can be written."""
    return "".join(f"{_toml_string(k)} = {_toml_value(v)}\n" for k, v in data.items())


# -------------------------------------------------------------------- mutations
def _slots(tree, path=()):
    """Every (parent dict, key) in the tree, depth first."""
    out = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.append((tree, k))
            out.extend(_slots(v, path + (k,)))
    return out


def _base(path: Path) -> dict:
    data = tomllib.loads(path.read_text())
    if "types" in data and "market" not in data:  # give solve a market to work on
        types = list(data["types"])
        data["market"] = {t: f"1/{len(types)}" for t in types}
    return data


def _rename_key(d: dict, old, new) -> None:
    if isinstance(d, dict) and old in d:
        items = [(new if k == old else k, v) for k, v in d.items()]
        d.clear()
        d.update(items)


def _leaves(tree, prefix=()):
    """Paths to the scalar values under ``tree`` (through tables and arrays)."""
    if isinstance(tree, dict):
        items = tree.items()
    elif isinstance(tree, list):
        items = enumerate(tree)
    else:
        return [prefix]
    out = []
    for k, v in items:
        out.extend(_leaves(v, prefix + (k,)))
    return out


def _set(data: dict, path: tuple, value) -> None:
    for k in path[:-1]:
        data = data[k]
    data[path[-1]] = value


@st.composite
def mutated(draw, files):
    """A shipped example with 1-3 mutations: mostly odd but valid (names, huge/tiny numbers,
    extreme markets), sometimes invalid (dropped/duplicated/retyped keys, bad names and
    numbers, deep nesting), sometimes not TOML at all (a duplicated line)."""
    path = draw(st.sampled_from(files))
    data = _base(path)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from([
            "rename_type", "rename_type", "rename_alt", "rename_alt", "number", "number", "number",
            "market", "drop", "duplicate", "retype", "rename", "bad_number", "deep",
        ]))
        types = data.get("types") if isinstance(data.get("types"), dict) else None
        if op == "rename_type" and types:
            old = draw(st.sampled_from(sorted(types)))
            new = draw(st.sampled_from(ODD_NAMES + BAD_NAMES[:2]))
            _rename_key(types, old, new)
            _rename_key(data.get("market"), old, new)
        elif op == "rename_alt" and types:
            alts = sorted({a for row in types.values() if isinstance(row, dict) for a in row})
            if alts:
                old = draw(st.sampled_from(alts))
                new = draw(st.sampled_from(ODD_NAMES + BAD_NAMES[:2]))
                for row in types.values():
                    _rename_key(row, old, new)
                _rename_key(data.get("costs"), old, new)
        elif op in ("number", "bad_number"):
            leaves = [p for p in _leaves(data) if p and p[0] not in ("title", "source", "description", "model", "market")]
            if leaves:
                where = draw(st.sampled_from(leaves))
                _set(data, where, draw(st.sampled_from(ODD_NUMBERS if op == "number" else BAD_NUMBERS)))
        elif op == "market" and types:
            names = list(types)
            k = draw(st.sampled_from([20, 150]))
            weights = ["0"] * len(names)
            weights[0] = f"1e-{k}"
            weights[-1] = "0." + "9" * k if len(names) > 1 else "1"
            data["market"] = dict(zip(names, weights))
        else:
            slots = _slots(data)
            if not slots:
                continue
            parent, key = slots[draw(st.integers(0, len(slots) - 1))]
            if op == "drop":
                del parent[key]
            elif op == "duplicate":
                new = draw(st.sampled_from(ODD_NAMES + [f"{key}2", str(key)]))
                value = parent[key]
                parent[new] = value if isinstance(value, _Deep) else json.loads(json.dumps(value, default=str))
            elif op == "retype":
                parent[key] = draw(st.sampled_from(ODD_VALUES))
            elif op == "deep":
                parent[key] = _Deep(draw(st.sampled_from([3, 400, 1000, 5000])))
            else:
                _rename_key(parent, key, draw(st.sampled_from(ODD_NAMES + BAD_NAMES)))
    text = to_toml(data)
    if draw(st.sampled_from([False] * 14 + [True])):  # a duplicated line: invalid TOML
        lines = text.splitlines(keepends=True)
        if lines:
            text += lines[draw(st.integers(0, len(lines) - 1))]
    return path.name, text


# ---------------------------------------------------------------------- running
class _Hang(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only on a hang
    raise _Hang()


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    digits = sys.get_int_max_str_digits()  # main() lifts it for the process; restore it after
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(IN_PROCESS_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(argv)
            except SystemExit as exc:  # argparse
                rc = exc.code if isinstance(exc.code, int) else 2
    except _Hang:
        pytest.fail(f"exactscreen {' '.join(argv)}: no answer within {IN_PROCESS_SECONDS} s")
    except BaseException as exc:  # a traceback in a real run
        import traceback

        pytest.fail(f"exactscreen {' '.join(argv)} raised {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        sys.set_int_max_str_digits(digits)
    return rc, out.getvalue(), err.getvalue()


def commands(name: str, text: str, path: str) -> list[list[str]]:
    if name in {p.name for p in PERSUASION}:
        return [["persuade", path]]
    if name in {p.name for p in PARAM}:
        return [["two-types", path, "--param", "v", "--domain", "0:"]]
    cmds = [["solve", path]]
    if name.startswith("stt_") or name == "pis_sec311.toml":
        cmds.append(["two-types", path])
    return cmds


def check_outcome(argv, rc: int, out: str, err: str, text: str) -> None:
    where = f"exactscreen {' '.join(argv)} on\n{text[:2000]}"
    assert rc in (0, 2), f"exit {rc}: {where}\nstderr: {err[-2000:]}"
    assert "Traceback" not in err, f"traceback: {where}\n{err[-3000:]}"
    if rc == 2:
        line = err.rstrip("\n")
        assert line and "\n" not in line, f"stderr is not one line: {where}\n{err[:3000]!r}"
        assert line.startswith(f"exactscreen {argv[0]}: error: "), f"{where}\n{line!r}"
        message = line.split(": error: ", 1)[1]
        assert FIELD.match(message), f"the error does not name a field: {message[:300]!r}\n{where}"
        assert not out.strip(), f"output on stdout despite the error: {where}"
    else:
        assert out.strip(), f"exit 0 but nothing printed: {where}"
    assert "\x1b" not in out and "\x1b" not in err, f"raw escape sequence reached the terminal: {where}"


_FUZZ = settings(
    derandomize=True, database=None, deadline=None, print_blob=False,
    phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck),
)


def _fuzz(case, tmp_path_factory) -> None:
    name, text = case
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_text(text, encoding="utf-8")
    for argv in commands(name, text, str(path)):
        rc, out, err = run_in_process(argv)
        check_outcome(argv, rc, out, err, text)


@given(case=mutated(SCREENING))
@settings(_FUZZ, max_examples=400)
def test_mutated_screening_files_exit_0_or_2_with_one_line_errors(case, tmp_path_factory):
    _fuzz(case, tmp_path_factory)


@given(case=mutated(PERSUASION))
@settings(_FUZZ, max_examples=80)
def test_mutated_persuasion_files_exit_0_or_2_with_one_line_errors(case, tmp_path_factory):
    _fuzz(case, tmp_path_factory)


@given(case=mutated(PARAM))
@settings(_FUZZ, max_examples=12)
def test_mutated_parametric_files_exit_0_or_2_with_one_line_errors(case, tmp_path_factory):
    _fuzz(case, tmp_path_factory)


def _sample(strategy, n: int) -> list:
    """``n`` fixed examples of a strategy (the same ones on every run)."""
    out: list = []

    @settings(derandomize=True, database=None, max_examples=n, phases=(Phase.generate,),
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(x):
        out.append(x)

    collect()
    return out[:n]


@pytest.mark.parametrize("kind", ["screening", "persuasion", "param"])
def test_a_sample_of_mutated_files_as_real_subprocesses(kind, tmp_path):
    """The same contract for real processes (start-up, stdout/stderr handling, exit code)."""
    files = {"screening": SCREENING, "persuasion": PERSUASION, "param": PARAM}[kind]
    n = {"screening": 6, "persuasion": 3, "param": 2}[kind]
    for k, (name, text) in enumerate(_sample(mutated(files), n)):
        path = tmp_path / f"{k}_{name}"
        path.write_text(text, encoding="utf-8")
        for argv in commands(name, text, str(path)):
            proc = subprocess.run(
                [sys.executable, "-m", "exactscreen", *argv], capture_output=True, text=True,
                timeout=SUBPROCESS_SECONDS,
            )
            check_outcome(argv, proc.returncode, proc.stdout, proc.stderr, text)
