"""The package's shape: one importer of highspy, no import cycle, a light ``import exactscreen``.

The import graph is read from the source by AST (module-level and
function-level imports, relative and absolute), so an import hidden inside a
function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import exactscreen

PACKAGE = Path(exactscreen.__file__).resolve().parent
OPTIONAL = ("matplotlib", "dask", "rich", "sympy", "hypothesis", "highspy", "numpy")


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``) for every module of the package."""
    mods = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        parts = ["exactscreen", *p.relative_to(PACKAGE).with_suffix("").parts]
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        mods[".".join(parts)] = (p, is_pkg)
    return mods


def _imports(path: Path, module: str, is_pkg: bool, known=frozenset()) -> list[str]:
    """Absolute names of the modules ``path`` imports, at any depth (``known``: the package's modules)."""
    pkg = module.split(".") if is_pkg else module.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - (node.level - 1)]
                absmod = ".".join(base + ([node.module] if node.module else []))
            else:
                absmod = node.module or ""
            # ``from m import n`` imports the module m.n if there is one, else m
            out += [f"{absmod}.{a.name}" if f"{absmod}.{a.name}" in known else absmod for a in node.names]
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()

    def resolve(name: str) -> str:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name

    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, (p, is_pkg) in mods.items():
        for name in _imports(p, m, is_pkg, mods):
            if name.split(".")[0] == "exactscreen":
                t = resolve(name)
                if t and t != m:
                    edges[m].add(t)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_only_the_highs_backend_imports_highspy():
    importers = sorted(
        m for m, (p, is_pkg) in _modules().items()
        if any(name.split(".")[0] == "highspy" for name in _imports(p, m, is_pkg))
    )
    assert importers == ["exactscreen.lp.highs"]


#: The independent checkers ("certify what you report"): each re-checks an object the engine
#: produced and must share no code with it, so it imports nothing from the package (or only the
#: listed leaf modules) and nothing but the standard library and python-flint.
INDEPENDENT_CHECKERS = {
    "exactscreen.lp.certificate": (),
    "exactscreen.mechanisms.selected_check": (),
    "exactscreen.mechanisms.face_check": (),
    "exactscreen.mechanisms.segmentation_check": (),
    "exactscreen.persuasion.entropy_replay": (),
    "exactscreen.persuasion.singleitem.replay": (),
    "exactscreen.persuasion.singleitem.replay_cells": (),
    "exactscreen.persuasion.entropy_sup_replay": (),
    "exactscreen.persuasion.entropy_finite_replay": (),
    # sympy only for the engine's exact numbers (their minimal polynomials); no package code
    "exactscreen.persuasion.singleitem.replay_psi": ("sympy",),
    # Lemma 12's certificate as plain data: fractions and python-flint only
    "exactscreen.persuasion.singleitem.replay_lemma12": (),
}
_STDLIB_OK = {"__future__", "dataclasses", "fractions", "math", "typing", "flint", "itertools", "functools",
              "collections", "enum", "heapq"}


def test_independent_checkers_share_no_code_with_the_engine():
    modules = _modules()
    for name, allowed in INDEPENDENT_CHECKERS.items():
        if name not in modules:  # a checker another branch adds later
            continue
        path, is_pkg = modules[name]
        imported = _imports(path, name, is_pkg)
        own = sorted(i for i in imported if i.startswith("exactscreen") and i not in allowed)
        assert own == [], f"{name} imports {own} from the package"
        other = sorted({i.split(".")[0] for i in imported if not i.startswith("exactscreen")} - _STDLIB_OK - set(allowed))
        assert other == [], f"{name} imports {other}"


def test_the_package_has_no_import_cycle_function_level_imports_included():
    edges = _graph()
    assert edges["exactscreen.mechanisms.optimum"]  # the scan sees imports at all
    assert "exactscreen.lp.highs" in edges["exactscreen.lp.exact"]
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_import_exactscreen_loads_no_optional_dependency():
    code = (
        "import sys, exactscreen; exactscreen.Environment; "
        f"print(','.join(m for m in {OPTIONAL!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_command_line_entry_point_loads_no_optional_dependency_before_a_command_runs():
    code = (
        "import sys; from exactscreen.cli.main import main; "
        f"print(','.join(m for m in {OPTIONAL!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_highs_backend_infinity_is_highspys():
    import highspy

    from exactscreen.lp.highs import INF

    assert INF == highspy.kHighsInf


def test_every_public_name_of_every_package_resolves():
    """Each package's lazy table names a module and a name that exist (a typo, or a
    one-element tuple written without its comma, would fail only on first use)."""
    import importlib
    import pkgutil

    import exactscreen

    packages = ["exactscreen"] + [
        m.name for m in pkgutil.walk_packages(exactscreen.__path__, "exactscreen.") if m.ispkg
        and not m.name.startswith("exactscreen.proofs_checks")
    ]
    assert {"exactscreen.lp", "exactscreen.mechanisms", "exactscreen.two_types", "exactscreen.persuasion",
            "exactscreen.hunt"} <= set(packages)
    for name in packages:
        pkg = importlib.import_module(name)
        for public in getattr(pkg, "__all__", ()):
            assert getattr(pkg, public) is not None, f"{name}.{public}"
