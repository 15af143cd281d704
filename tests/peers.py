"""An independent exact peer for the tests: the mechanism LP written directly
from the model of paper 000, Sec. 3, in sympy, solved by sympy's own simplex.

Shares no code with exactscreen.lp.exact or exactscreen.mechanisms.optimum.mechanism_lp.
"""

from __future__ import annotations

from fractions import Fraction

import sympy
from sympy.solvers.simplex import lpmax


def sympy_revenue(env, market) -> Fraction:
    n, k = env.n, env.k
    x = [[sympy.Symbol(f"x_{i}_{j}") for j in range(k)] for i in range(n)]
    p = [sympy.Symbol(f"p_{i}") for i in range(n)]
    net = [[sympy.Rational(v.numerator, v.denominator) for v in row] for row in env.net_values]

    def val(t, s):
        return sum((net[t][j] * x[s][j] for j in range(k)), sympy.Integer(0))

    cons = []
    for i in range(n):
        cons += [xi >= 0 for xi in x[i]] + [p[i] >= 0, sum(x[i]) <= 1]
        cons.append(val(i, i) - p[i] >= 0)
        for s in range(n):
            if s != i:
                cons.append(val(i, i) - p[i] >= val(i, s) - p[s])
    obj = sum((sympy.Rational(f.numerator, f.denominator) * p[i] for i, f in enumerate(market.weights)), sympy.Integer(0))
    best, _ = lpmax(obj, cons)
    return Fraction(int(best.p), int(best.q))
