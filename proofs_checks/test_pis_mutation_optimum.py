"""Paper 000, Sec. 3 and Lemmas 1, 3, fn 25: fast checks of ``exactscreen.mechanisms.optimum``'s
ranges and binding sets against the definitions, recomputed here (issue 13, item 4;
docs/mutation.md, "Scores (branch mut4)").

* The range of ``sum_t w(t) p(t)`` over all optimal mechanisms (``payment_functional_range``, which
  the certified sweep of PIS-EX311 uses at the ends of a line): on Sec. 3.1.1's market f3 =
  (1/4, 3/4), which lies on Lemma 3's hyperplane 3 f(tL) - f(tH) = 0 (several optimal payment
  rules), the range must be [min, max] of w.v over the vertices v of P with f.v maximal (the
  optimal face of P is the convex hull of those vertices; P's vertices are Fig. 4a's, certified
  by PIS-LEM1's independent check), and the mechanisms attaining the ends must be IC, IR, have
  revenue max f.v and the end's value, all recomputed here from the raw values.  Off the
  hyperplane (q = 1/2) the range is a point.
* Binding sets at a unique optimum (fn 25's instance): "binding in every optimum" and "in some
  optimum" both equal the IC/IR constraints that bind at the one optimal mechanism, found here
  from the raw values: IC(t -> s) binds iff u(t) = v(t, x(s)) - c(x(s)) - p(s), IR(t) iff u(t) = 0.
"""

from __future__ import annotations

from fractions import Fraction as F

from exactscreen.claims import claim
from exactscreen.environment import load_toml
from exactscreen.mechanisms.optimum import optimal_mechanism, payment_functional_range, payment_polytope

from .pis_common import EXAMPLES, q_market, sec311

ZERO = F(0)


def _u(env, m, t: int, s: int) -> F:
    """Surplus of type t taking type s's option in m, from the raw values and costs."""
    return sum(((F(v) - F(c)) * x for v, c, x in zip(env.values[t], env.costs, m.allocation[s])), ZERO) - m.payments[s]


def _ic_ir_revenue(env, market, m) -> F:
    for t in range(env.n):
        assert _u(env, m, t, t) >= 0, f"IR({env.types[t]})"
        for s in range(env.n):
            assert _u(env, m, t, t) >= _u(env, m, t, s), f"IC({env.types[t]} -> {env.types[s]})"
    return sum((f * p for f, p in zip(market.weights, m.payments)), ZERO)


@claim("PIS-LEM3", "PIS-LEM1")
def test_payment_ranges_over_the_optimal_face_are_the_optimal_vertices_extremes(evidence):
    env = sec311()
    verts = payment_polytope(env).vertices
    assert sorted(verts) == sorted([(F(0), F(0)), (F(0), F(2)), (F(1, 2), F(0)), (F(3, 4), F(1, 4)),
                                    (F(3, 4), F(7, 4)), (F(1), F(1))])  # Fig. 4a
    for q, on_plane in ((F(3, 4), True), (F(1, 2), False)):
        f = q_market(env, q)
        best = max(sum((a * b for a, b in zip(f.weights, v)), ZERO) for v in verts)
        face = [v for v in verts if sum((a * b for a, b in zip(f.weights, v)), ZERO) == best]
        assert (len(face) > 1) == on_plane
        for w in ((F(1), F(0)), (F(0), F(1)), (F(1), F(-1)), (F(2), F(3))):
            vals = [sum((a * b for a, b in zip(w, v)), ZERO) for v in face]
            r = payment_functional_range(env, f, w)
            assert (r.lo, r.hi) == (min(vals), max(vals)), (q, w, r.lo, r.hi, vals)
            assert r.is_point == (min(vals) == max(vals))
            for m, end in ((r.at_lo, r.lo), (r.at_hi, r.hi)):
                assert m is not None
                assert _ic_ir_revenue(env, f, m) == best  # an optimal mechanism (costs are 0 here)
                assert sum((a * p for a, p in zip(w, m.payments)), ZERO) == end
    evidence.note("f3 = (1/4, 3/4) on 3 f(tL) - f(tH) = 0: ranges of 4 payment functionals over the optimal face")


@claim("PIS-FN25")
def test_binding_sets_at_a_unique_optimum_are_its_binding_constraints(evidence):
    env, f = load_toml(EXAMPLES / "pis_fn25.toml")
    res = optimal_mechanism(env, f)
    assert res.face.unique
    m = res.mechanism
    binding = set()
    for t in range(env.n):
        if _u(env, m, t, t) == 0:
            binding.add((env.types[t], "0"))
        for s in range(env.n):
            if s != t and _u(env, m, t, t) == _u(env, m, t, s):
                binding.add((env.types[t], env.types[s]))
    assert set(res.face.always_binding) == binding, (res.face.always_binding, binding)
    assert set(res.face.sometimes_binding) == binding
    evidence.compared("IC path of fn 25 (t2 -> t1 binds)", ("t2", "t1") in binding, True)


@claim("PIS-LEM3")
def test_face_ranges_are_attained_by_optimal_mechanisms(evidence):
    """Each payment and surplus range of the optimal face (``optimal_mechanism``'s face) at
    Sec. 3.1.1's f3 (several optimal payment rules) and at q = 1/2 (one) is attained at both ends
    by an IC, IR mechanism with the optimal revenue, recomputed here from the raw values."""
    env = sec311()
    for q in (F(3, 4), F(1, 2)):
        f = q_market(env, q)
        res = optimal_mechanism(env, f)
        for i in range(env.n):
            for rng, value in ((res.face.payment[i], lambda m: m.payments[i]), (res.face.surplus[i], lambda m: _u(env, m, i, i))):
                for m, end in ((rng.at_lo, rng.lo), (rng.at_hi, rng.hi)):
                    assert m is not None, (q, i)
                    assert _ic_ir_revenue(env, f, m) == res.revenue
                    assert value(m) == end
    evidence.note("payment and surplus ranges of both types at q = 3/4 and 1/2")
