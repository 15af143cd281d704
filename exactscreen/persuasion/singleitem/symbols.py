"""The sympy symbols the single-item expressions are written in.

``V`` is a buyer's value (the variable of a density), ``Q`` a quality (the
variable of a cost); ``_A, _B, _C`` are cutoffs and ``_P`` a price or virtual
value in the compiled expressions of :mod:`.optimum` and :mod:`.inventory`.
"""

from __future__ import annotations

import sympy

V, Q = sympy.symbols("v q", real=True)
_A, _B, _C, _D, _P = sympy.symbols("a b c d p", real=True)
