"""Paper 004, Sec. 6 (Fig. 2, Prop. 6): the certificate records of the branch and bound behind the
single-item certificates keep exactly the data each rule returned (issue 13, item 4;
docs/mutation.md, mut6).

:attr:`~exactscreen.persuasion.singleitem.bnb.BnBResult.final` lists every settled box as
``(box, rule name, data)``; ``data`` is what the rule returned when that was more than a plain
``True`` (e.g. the sign claim of :meth:`SignOracle.below`, which the independent replayers read),
and ``None`` when the rule returned ``True`` (nothing to replay but the rule itself).  Here two
toy rules on ``[0, 1]``, one returning ``True`` and one returning a dict, settle the halves of
one bisection; the records are compared with what the rules returned.
"""

from __future__ import annotations

from fractions import Fraction as F

from exactscreen.claims import claim
from exactscreen.numbers import Certainty
from exactscreen.persuasion.singleitem.bnb import Rule, branch_and_bound


@claim("SWP-FIG2")
def test_certificate_records_keep_the_data_each_rule_returned(evidence):
    """[0, 1] bisected once: the left half [0, 1/2] is settled by a rule returning True (record
    data None), the right half [1/2, 1] by a rule returning {"side": "right"} (kept as is); the
    whole domain by neither."""
    def plain(balls, box):
        return box[0][1] <= F(1, 2)

    def with_data(balls, box):
        return {"side": "right"} if box[0][0] >= F(1, 2) else False

    res = branch_and_bound(((F(0), F(1)),), [Rule("plain", plain), Rule("data", with_data)])
    assert res.certainty is Certainty.TRUE
    assert isinstance(res.seconds, float) and 0 <= res.seconds < 60, res.seconds     # its own run time
    assert res.final == [(((F(0), F(1, 2)),), "plain", None), (((F(1, 2), F(1)),), "data", {"side": "right"})], \
        res.final
    evidence.note("toy search on [0, 1]: the records keep None for a plain True and the rule's dict otherwise")


@claim("SWP-FIG2")
def test_a_refuted_search_reports_its_outside_boxes_and_records(evidence):
    """[0, 1], no rule settles anything, depth limit 2, boxes with x <= 1/4 are outside, and the
    property certainly fails at every point with x > 1/4.  Depth first (left halves first):
    [0, 1/4] is discarded as outside, then [1/4, 1/2] reaches the depth limit and its midpoint
    3/8 refutes: FALSE at (3/8,), with 1 outside box and the record of that box kept."""
    res = branch_and_bound(((F(0), F(1)),), [Rule("never", lambda balls, box: False)], max_depth=2,
                           outside=lambda box: box[0][1] <= F(1, 4), refute=lambda pt: pt[0] > F(1, 4))
    assert res.certainty is Certainty.FALSE and res.counterexample == (F(3, 8),)
    assert res.outside == 1 and res.boxes == 3 and res.depth == 2, (res.outside, res.boxes, res.depth)
    assert res.final == [(((F(0), F(1, 4)),), "outside", None)], res.final
    assert res.undecided == [((F(1, 4), F(1, 2)),)]
    evidence.note("refuted toy search: counterexample 3/8, 1 outside box recorded")


@claim("SWP-FIG2")
def test_an_undecided_box_and_a_spent_budget_give_undecided(evidence):
    """[0, 1], no rule, depth limit 1, budget 2 boxes: [0, 1] is bisected, [0, 1/2] is left
    undecided at the depth limit, and [1/2, 1] finds the budget spent: two boxes undecided, the
    answer UNDECIDED (never TRUE)."""
    res = branch_and_bound(((F(0), F(1)),), [Rule("never", lambda balls, box: False)], max_depth=1, max_boxes=2)
    assert res.certainty is Certainty.UNDECIDED and res.exhausted and res.boxes == 2
    assert res.undecided == [((F(0), F(1, 2)),), ((F(1, 2), F(1)),)], res.undecided
    evidence.note("a depth-limit box and a spent budget: UNDECIDED with both boxes listed")
