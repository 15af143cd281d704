"""Writing counterexamples: environments as TOML (:func:`environment_to_toml`) and the
counterexample file of a hunt (:func:`write_counterexample`).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from ..environment import Environment, Market
from ..numbers import fmt
from .run import HuntResult

def _toml_key(name: str) -> str:
    import re

    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml_string(name)


def _toml_string(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def environment_to_toml(cx: Environment | tuple[Environment, Market | None]) -> str:
    """An environment (or ``(environment, market)``) in the TOML format of
    :mod:`exactscreen.environment`, exact strings such as ``"3/4"``."""
    env, market = cx if isinstance(cx, tuple) else (cx, None)
    lines = []
    if env.title:
        lines.append(f"title = {_toml_string(env.title)}")
    for t, row in zip(env.types, env.values):
        lines.append("")
        lines.append(f"[types.{_toml_key(t)}]")
        for a, v in zip(env.alternatives, row):
            lines.append(f"{_toml_key(a)} = {_toml_string(fmt(v))}")
    if any(env.costs):
        lines += ["", "[costs]"]
        lines += [f"{_toml_key(a)} = {_toml_string(fmt(c))}" for a, c in zip(env.alternatives, env.costs)]
    if market is not None:
        lines += ["", "[market]"]
        lines += [f"{_toml_key(t)} = {_toml_string(fmt(w))}" for t, w in zip(env.types, market.weights)]
    else:
        uniform = ",".join(f"{t}={fmt(Fraction(1, env.n))}" for t in env.types)
        lines += ["", f"# no [market]: give one to `exactscreen solve`, e.g. --market {uniform}"]
    return "\n".join(lines).lstrip("\n") + "\n"


def write_counterexample(result: HuntResult, out_dir: str | Path, statement: str = "") -> Path:
    """Write ``result``'s minimized counterexample to ``out_dir/CLAIM-counterexample.toml``
    (or to ``out_dir`` itself if it names a ``.toml`` file, see :func:`counterexample_path`),
    through a temporary file and a rename.

    The header comments say which claim it refutes and how it was found; the
    body is ``to_toml`` of the hunt (for environments, loadable by
    :func:`exactscreen.environment.load_toml`).  Nothing in the file depends
    on timing or on the number of workers.
    """
    if not result.found:
        raise ValueError("no counterexample to write")
    path = counterexample_path(out_dir, result.claim)
    head = [f"# Counterexample to {result.claim}" + (f": {statement}" if statement else "")]
    head.append(
        f"# found by `exactscreen hunt {result.claim} --seed {result.seed} --batch-size "
        f"{result.batch_size}` in batch {result.batch} "
        f"after {result.tried} instances; minimized in {result.shrink_steps} steps"
    )
    from ..outdir import write_file_atomically

    return write_file_atomically(path, counterexample_text(result, head))


def counterexample_text(result: HuntResult, head: list[str] | None = None) -> str:
    """The TOML of ``result``'s (minimized) counterexample, after the comment lines ``head``;
    then ``result.boundary``, if any, as a commented ``[boundary]`` block (:func:`boundary_toml`)."""
    body = result.toml
    if body is None:
        body = f"counterexample = {_toml_string(repr(result.minimized))}\n"
    text = ("\n".join(head) + "\n\n" if head else "") + body
    if result.boundary:
        text += "\n" + boundary_toml(result.boundary)
    return text


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return _toml_string(str(v))


def boundary_toml(boundary: dict) -> str:
    """``boundary`` (:func:`.boundary.market_boundary`) as a ``[boundary]`` TOML table, every line
    commented with ``"# "``: the file stays loadable by ``exactscreen solve`` (whose format has no
    such key) and :func:`read_boundary` reads the block back."""
    lines = ["[boundary]"]
    tables = []
    for k, v in boundary.items():
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in tables:
        lines += ["", f"[boundary.{_toml_key(k)}]"]
        lines += [f"{_toml_key(a)} = {_toml_value(b)}" for a, b in v.items()]
    head = ["# where the claim starts failing along the line of markets (1 - l) from + l to, from a market",
            "# where it holds to the counterexample's (certified sweep pieces, then exact bisection);",
            "# read it with exactscreen.hunt.read_boundary"]
    return "\n".join(head + [f"# {x}" if x else "#" for x in lines]) + "\n"


def read_boundary(text: str) -> dict | None:
    """The ``[boundary]`` block of a counterexample file (:func:`boundary_toml`), or None."""
    import tomllib

    lines = text.splitlines()
    try:
        start = lines.index("# [boundary]")
    except ValueError:
        return None
    block = []
    for line in lines[start:]:  # the block runs to the end of the file, every line commented
        if not line.startswith("#"):
            break
        block.append(line[2:] if line.startswith("# ") else "")
    return tomllib.loads("\n".join(block)).get("boundary")


def counterexample_path(out: str | Path, claim: str) -> Path:
    """Where ``--out`` puts the counterexample of ``claim``.

    An existing directory, or a path not ending in ``.toml``: the file
    ``CLAIM-counterexample.toml`` in that directory (created if needed).  A
    path ending in ``.toml`` that is not a directory: that file (replaced if
    it exists).
    """
    out = Path(out)
    if out.is_dir() or out.suffix.lower() != ".toml":
        return out / f"{claim}-counterexample.toml"
    return out
