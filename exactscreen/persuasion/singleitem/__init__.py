"""Single-item menus for continuous values, and certified K-item comparisons.

Bergemann, Heumann & Morris, *Screening with persuasion*, Sec. 4.6 (Figs. 1-2)
and Sec. 6 (Theorem 3, Lemma 10, Propositions 6-8).  Values ``v`` have an
absolutely continuous distribution with a *polynomial* density on
``[lo, hi]`` (exact rational ends), e.g. ``F(v) = v^2`` or the linearly
decreasing ``L(v; v_l, v_h)``; the seller has a separable cost ``c(q)``
(polynomial of degree 2 or 3, ``c(0) = 0``) or a fixed inventory ``G``.

Primer
------
*Monotone partitions (Sec. 4.5).*  Cutoffs ``lo = t_0 <= t_1 <= ... <= t_n =
hi`` cut the values into cells with masses ``m_k``, means ``vbar_k`` and
survivals ``S_k = 1 - F(t_{k-1})``.  The (pooled) discrete virtual value of
cell ``k`` is ``phi_k = vbar_k - (vbar_{k+1} - vbar_k) S_{k+1}/m_k`` (8);
write ``N_k = m_k phi_k = vbar_k S_k - vbar_{k+1} S_{k+1}``.  With a separable
cost the profit of monotone qualities ``q_k`` is ``sum_k m_k (phi_k q_k -
c(q_k))`` ((10) summed by parts), so

    profit(partition) <= U = sum_k m_k c*(phi_k),  c*(p) = max_{q >= 0} p q - c(q),

with equality when the pointwise optimal qualities are monotone (no ironing).
A cell with ``phi_k <= c'(0)`` gets ``q_k = 0`` (excluded).  A menu with at
most ``K`` positive qualities comes from a partition with at most ``K + 1``
cells (pooling cells that get the same quality weakly raises the pooled
mean, hence the revenue), so certifying ``U <= Pi_1*`` over all ``K + 1``-cell
cutoffs certifies that no menu with at most ``K`` items beats the best single
item.

*Single item (Lemma 10).*  Selling ``q`` to ``v >= x`` at price ``mu(x) q``
earns ``Pi_1(x) = M(x) c*(mu(x))`` with ``M(x) = 1 - F(x)``, ``mu(x) =
E[v | v >= x]``, and ``Pi_1'(x) = f(x) (c(q(x)) - x q(x))`` with ``q(x) =
c'^{-1}(mu(x))``: the first-order conditions (53) ``mu = c'(q)``, ``c(q) =
x q`` are the zero of ``psi(x) = c(q(x)) - x q(x)``.  Global optimality is
certified by the sign of ``psi`` (positive below the root, negative above),
not assumed.

*The top two items (proof of Theorem 3, (54)-(60)).*  Fix everything below
a cutoff ``u`` and the quality ``q_b`` sold just below it (``theta =
c'(q_b)``).  The profit of the top two cells ``[u, w)``, ``[w, hi]`` minus that
of one top cell ``[u, hi]`` (both with optimal increments over ``q_b``) is,
for ``c = alpha q + beta q^2/2`` and when the lower cell gets a positive
increment (``phi_1 > theta``),

    G = (m_1 phi_1^2 + m_2 vbar_2^2 - M vbar^2)/(2 beta) - theta M (vbar_1 - vbar)/beta

(linear in ``theta``, increasing).  If ``G < 0`` whenever ``phi_1 > theta`` --
over all ``u``, all admissible ``theta`` in ``[alpha, u]`` (``theta =
c'(q_b) = phi_b <= vbar_b <= u`` at an optimum) and all ``w`` -- then no
optimal menu has two items or more (replace the top two by the best single
top item; induct).  :func:`top_two_certificate` proves this for a given
density by branch and bound.

Certified arithmetic
--------------------
Boxes have exact rational corners (:class:`fractions.Fraction`); every
quantity is evaluated on a box with python-flint ``arb`` balls, so an upper
bound is an upper bound of the function on the whole box.
:func:`branch_and_bound` discards a box as soon as one *rule* certifies the
property on it, bisects otherwise, and answers three-valued
(:class:`~exactscreen.numbers.Certainty`): ``TRUE`` (every box certified),
``FALSE`` (a point where the property certainly fails, returned), or
``UNDECIDED`` (budget or depth exhausted; the leftover boxes are reported).
Degenerate boundaries, where the compared profits are *equal* (cells that
become empty, the top cell shrinking to a point), cannot be certified by
bounds alone; they are handled by exact factorization (the vanishing factor
is divided out symbolically) or by certified monotonicity towards a face on
which the difference is identically zero (see each certificate's docstring).

Modules
-------
:mod:`.symbols` (the sympy symbols), :mod:`.arb` (working precision, arb balls,
sympy compiled to arb), :mod:`.bnb` (branch and bound, sign oracle),
:mod:`.densities` (polynomial densities and costs), :mod:`.optimum` (the single
item and :func:`certify_cells`), :mod:`.top_two` (top-two certificates,
Proposition 6's family), :mod:`.inventory` (fixed inventory, Fig. 1),
:mod:`.lemmas` and :mod:`.lemma12` (Lemmas 11 and 12).  Independent replays,
sharing no code with the searches: :mod:`.replay` (top-two and Proposition 6
certificates), :mod:`.replay_psi` (single-item optimality),
:mod:`.replay_cells` (``certify_cells`` and the fixed-inventory searches) and
:mod:`.replay_lemma12` (Lemma 12's branch and bound).

References
----------
D. Bergemann, T. Heumann, S. Morris, "Screening with persuasion" (2025),
Secs. 4.5-4.6 and 6 with the proof of Theorem 3.  F. Johansson, "Arb:
efficient arbitrary-precision midpoint-radius interval arithmetic", IEEE
Trans. Computers 66 (2017).  R. E. Moore, R. B. Kearfott, M. J. Cloud,
*Introduction to Interval Analysis*, SIAM 2009 (branch and bound).
"""

from ..._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        ".symbols": ("V", "Q",),
        ".arb": ("PREC", "working_precision", "arb_function", "interval_arb", "arb_ball", "arb_interval", "ball_text",),
        ".bnb": ("Rule", "BnBResult", "branch_and_bound", "SignOracle",),
        ".densities": ("PolyDensity", "power_distribution", "linear_decreasing", "PolyCost",),
        ".optimum": ("SingleItem", "single_item_optimum", "certify_cells", "single_item_profit",),
        ".top_two": ("top_two_polynomials", "top_two_certificate", "TopTwoCertificate", "linear_density_top_two",
            "linear_density_top_two_certificate", "linear_density_top_two_negative", "KAPPA_NEGATIVE_MIN",),
        ".inventory": ("InventoryPartition", "InventoryOptimum", "inventory_optimum", "fig1_inventory", "fig1_optimum",),
    },
)
