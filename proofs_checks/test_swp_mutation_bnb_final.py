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
    assert res.final == [(((F(0), F(1, 2)),), "plain", None), (((F(1, 2), F(1)),), "data", {"side": "right"})], \
        res.final
    evidence.note("toy search on [0, 1]: the records keep None for a plain True and the rule's dict otherwise")
