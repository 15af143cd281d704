"""Lazy re-exports for the subpackages' ``__init__`` (PEP 562).

A subpackage lists, per module, the public names it re-exports; a name is
imported from its module on first use, so ``import exactscreen`` and
``import exactscreen.<subpackage>`` stay fast and import no dependency that
the caller does not use (sympy, matplotlib, dask, rich), and no subpackage
imports another one just to re-export it.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable


def lazy_exports(
    package: str, table: dict[str, tuple[str, ...]]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``(__all__, __getattr__, __dir__)`` for ``package`` re-exporting ``table``.

    ``table`` maps a module name relative to ``package`` (``".analysis"``) or
    absolute (``"exactscreen.environment"``) to the names it provides; ``"analyze
    as analyze_two_types"`` re-exports a name under another one, as ``import``
    does.
    """
    where: dict[str, tuple[str, str]] = {}
    for module, names in table.items():
        for entry in names:
            name, _, public = entry.partition(" as ")
            where[public or name] = (module, name)

    def __getattr__(name: str) -> Any:
        try:
            module, source = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module, package), source)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return sorted(where), __getattr__, __dir__
