"""Counterexample files of the referee report: one file per confirmed counterexample.

A qualified or refuted claim carries its counterexample as data (see
``docs/verdicts.md``): ``instance`` is a dict of exact strings, or TOML text a
command of the package loads.  ``exactscreen check --out DIR`` writes each one
to ``DIR/counterexamples/``:

* ``ID-counterexample.toml`` when ``instance`` is TOML text that the matching
  command reads (``exactscreen solve`` for an environment with a ``[market]``,
  ``exactscreen two-types`` for a two-type environment of paper STT or without
  a market, ``exactscreen persuade`` for ``values`` / ``probabilities``); its
  header comment names the claim, the statement as written and the command
  that reproduces it;
  An instance recorded as a dict with ``types`` (each a dict of exact values) and
  optionally ``market`` is written as such a TOML file too; its ``q`` (and
  ``random``) become the ``--q`` (``--random``) of ``exactscreen two-types``, and
  its other keys are listed in the header comment;
* ``ID-counterexample.json`` otherwise: the claim, the statement as written,
  the corrected statement, the second route, the check and the instance data
  (``exactscreen check --claim ID`` reproduces it).

A claim with several counterexamples gets ``ID-counterexample-2.toml``, ... for
the second and later ones.  Nothing here computes: the files only carry what
the checks recorded.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..claims.results import ClaimResult

__all__ = ["CounterexampleFile", "counterexample_files", "write_counterexamples", "COUNTEREXAMPLE_DIR"]

#: Sub-directory of ``--out DIR`` holding the counterexample files.
COUNTEREXAMPLE_DIR = "counterexamples"


@dataclass(frozen=True)
class CounterexampleFile:
    """One counterexample as a file: its name, its text and the command that loads it."""

    claim: str
    index: int  # position among the claim's counterexamples, from 0
    name: str
    text: str
    command: str  # shell command reproducing it, run in the directory of the file

    def __repr__(self) -> str:
        return f"CounterexampleFile({self.name}: {self.command})"


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def toml_command(text: str, paper: str) -> str | None:
    """The command that loads TOML ``text`` (``"solve"``, ``"two-types"``, ``"persuade"``), or
    ``None`` if none of them would accept it (not TOML, or neither an environment nor a
    persuasion file)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if "values" in data and "probabilities" in data and "types" not in data:
        return "persuade"
    if "types" not in data:
        return None
    from ..environment import loads_toml
    from ..exceptions import ExactscreenError

    try:
        env, market = loads_toml(text, source="counterexample")
    except ExactscreenError:
        return None
    if env.n == 2 and (paper == "STT" or market is None):
        return "two-types"
    return "solve" if market is not None else None


def _key(name: Any) -> str:
    """A TOML key: bare where TOML allows it, else a quoted string."""
    text = str(name)
    if text and all(c.isascii() and (c.isalnum() or c in "_-") for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _environment_toml(instance: Any) -> tuple[str, list[str], list[str]] | None:
    """An environment instance recorded as data (``{"types": {t: {a: value}}, "market": ...,
    "q": ...}``) as TOML text, the extra command-line arguments its ``q`` / ``random`` keys
    stand for, and comment lines for its other keys; ``None`` if it is not of that shape."""
    if not isinstance(instance, dict) or not isinstance(instance.get("types"), dict):
        return None
    types = instance["types"]
    if not types or not all(isinstance(row, dict) and row for row in types.values()):
        return None
    lines: list[str] = []
    for t, row in types.items():
        lines.append(f"[types.{_key(t)}]")
        lines += [f"{_key(a)} = {json.dumps(str(v))}" for a, v in row.items()]
        lines.append("")
    market = instance.get("market")
    if market is not None:
        if not isinstance(market, dict):
            return None
        lines.append("[market]")
        lines += [f"{_key(t)} = {json.dumps(str(w))}" for t, w in market.items()]
        lines.append("")
    args: list[str] = []
    if instance.get("q") is not None:
        args += ["--q", str(instance["q"])]
    if instance.get("random") in (True, "true", "True"):
        args.append("--random")
    notes = [
        f"{k}: {_one_line(v if not isinstance(v, dict) else ', '.join(f'{a} = {b}' for a, b in v.items()))}"
        for k, v in instance.items()
        if k not in ("types", "market", "q", "random")
    ]
    return "\n".join(lines), args, notes


def _comment(text: str) -> str:
    return "# " + _one_line(text)


def counterexample_files(result: ClaimResult) -> list[CounterexampleFile]:
    """The files of every counterexample of ``result`` (empty if it has none)."""
    out = []
    for i, cx in enumerate(result.counterexamples):
        stem = f"{result.id}-counterexample" + (f"-{i + 1}" if i else "")
        instance = cx.get("instance")
        args: list[str] = []
        notes: list[str] = []
        toml_text = instance if isinstance(instance, str) else None
        as_env = _environment_toml(instance)
        if as_env is not None:
            toml_text, args, notes = as_env
        command = toml_command(toml_text, result.claim.paper) if toml_text is not None else None
        if command == "solve" and args:
            command = None  # --q / --random belong to two-types
        if command is not None:
            name = f"{stem}.toml"
            shell = " ".join(["exactscreen", command, name, *args])
            header = [
                _comment(f"Counterexample to {result.id} ({result.claim.section}): {result.claim.statement}"),
                _comment(f"As written: {cx.get('as_written', '')}"),
            ]
            if cx.get("found"):
                header.append(_comment(f"Found: {cx['found']}"))
            header += [_comment(f"Instance, {note}") for note in notes]
            if cx.get("corrected"):
                header.append(_comment(f"Corrected: {cx['corrected']}"))
            header += [
                _comment(f"Confirmed by: {cx.get('confirmed_by', '')}"),
                _comment(f"Found by the check {cx.get('check', '')}"),
                f"# Reproduce: {shell}",
                "",
            ]
            text = "\n".join(header) + toml_text.rstrip("\n") + "\n"
        else:
            name = f"{stem}.json"
            shell = f"exactscreen check --claim {result.id}"
            data = {
                "claim": result.id,
                "section": result.claim.section,
                "statement": result.claim.statement,
                "status": result.status.value,
                "reproduce": shell,
                **cx,
            }
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        out.append(CounterexampleFile(result.id, i, name, text, shell))
    return out


def write_counterexamples(results, out_dir: str | Path) -> list[Path]:
    """Write the counterexample files of ``results`` into ``out_dir`` and return their paths.

    ``out_dir`` is created even when there is none, so that a report written over an
    older one (``--out DIR`` replaces ``DIR/counterexamples/`` as a whole) keeps no stale file.
    """
    files = [f for r in results for f in counterexample_files(r)]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in files:
        path = out / f.name
        path.write_text(f.text, encoding="utf-8")
        paths.append(path)
    return paths
