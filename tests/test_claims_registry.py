"""Meta-test of the claim registry against the claims catalog and the checks in proofs_checks/.

* every ID of the catalog (CLAIMS.md, shipped in the package as
  exactscreen/claims/CLAIMS.md) has an entry in the embedded registry, and no
  entry is unknown to it; where ../shared/CLAIMS.md is beside the checkout, the
  shipped copy is the same file;
* no check in proofs_checks/ names an ID the registry lacks;
* the registry file format is validated with messages naming field and fix.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from exactscreen.claims import builtin_registry, claim, loads_registry
from exactscreen.claims.runner import collect_checks, default_checks_dir
from exactscreen.exceptions import InputError

SHARED_CLAIMS_MD = Path(__file__).parents[2] / "shared" / "CLAIMS.md"
CLAIMS_MD = resources.files("exactscreen.claims").joinpath("CLAIMS.md")


def claims_md_ids() -> list[str]:
    text = CLAIMS_MD.read_text(encoding="utf-8")
    return re.findall(r"^\| ([A-Z][A-Z0-9]*-[A-Z0-9-]+) \|", text, flags=re.M)


@pytest.mark.skipif(not SHARED_CLAIMS_MD.is_file(), reason="no ../shared/CLAIMS.md beside this checkout to compare with")
def test_the_shipped_catalog_is_the_shared_one():
    assert CLAIMS_MD.read_text(encoding="utf-8") == SHARED_CLAIMS_MD.read_text(encoding="utf-8"), (
        "copy ../shared/CLAIMS.md to exactscreen/claims/CLAIMS.md"
    )


def test_every_id_of_claims_md_is_registered_and_no_other():
    ids = claims_md_ids()
    assert len(ids) == len(set(ids)) > 0
    registered = builtin_registry().ids
    assert sorted(set(ids) - set(registered)) == [], "IDs of CLAIMS.md missing from papers.toml"
    assert sorted(set(registered) - set(ids)) == [], "papers.toml has IDs CLAIMS.md does not"


def test_registered_papers_are_the_files_claims_md_names():
    text = CLAIMS_MD.read_text(encoding="utf-8")
    for paper in builtin_registry().papers:
        assert f"`{paper.file}`" in text and f"(prefix {paper.prefix})" in text


def test_builtin_registry_has_three_papers_and_complete_entries():
    reg = builtin_registry()
    assert [p.prefix for p in reg.papers] == ["PIS", "STT", "SWP"]
    for c in reg:
        assert c.id.startswith(c.paper + "-")
        assert c.section and c.statement and "\n" not in c.statement


def test_no_check_in_proofs_checks_names_an_unknown_id():
    collected = collect_checks(builtin_registry(), [default_checks_dir()])
    assert collected.problems == ()
    assert collected.unknown == ()
    assert set(collected.by_claim) <= set(builtin_registry().ids)


def test_claim_decorator_applies_the_marker_and_rejects_misspelt_ids():
    @claim("STT-THM1", "STT-LEM1")
    def test_x():
        pass

    (mark,) = test_x.pytestmark
    assert mark.name == "claim" and mark.args == ("STT-THM1", "STT-LEM1")
    with pytest.raises(InputError, match="PREFIX-NAME"):
        claim("stt-thm1")
    with pytest.raises(InputError, match="at least one claim ID"):
        claim()


def test_lookup_and_selection_suggest_close_ids():
    reg = builtin_registry()
    assert reg["SWP-LEM2"].section == "Lemma 2, (37), Fig. 3"
    with pytest.raises(InputError, match="did you mean STT-THM1"):
        reg["STT-THM11"]
    with pytest.raises(InputError, match="unknown paper 'XYZ'; known: PIS, STT, SWP"):
        reg.select(papers=["XYZ"])
    sel = reg.select(papers=["STT"], claim_ids=["SWP-LEM2"])
    assert {c.paper for c in sel} == {"STT", "SWP"} and "SWP-LEM2" in sel and "SWP-THM2" not in sel


GOOD = """
[papers.TOY]
title = "Toy"

[[claims]]
id = "TOY-A"
paper = "TOY"
section = "Lemma 1"
statement = "x"
"""


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace('id = "TOY-A"', 'id = "toy-a"'), "PREFIX-NAME"),
        (GOOD.replace('paper = "TOY"', 'paper = "OTHER"'), "must start with its paper's prefix OTHER-"),
        (GOOD.replace('section = "Lemma 1"\n', ""), "missing section"),
        (GOOD.replace('title = "Toy"', 'titel = "Toy"'), "unknown key\\(s\\) titel"),
        (GOOD + GOOD.split("\n", 4)[4], "claim TOY-A is defined twice"),
        (GOOD.replace("[papers.TOY]", "[papers.toy]"), "paper prefix is capitals"),
        ("[[claims]]\nid = 1\n", "no \\[papers.PREFIX\\] table"),
        ("papers = [", "not valid TOML"),
        (GOOD.replace('statement = "x"', 'statement = """a\nb"""'), "must be one line"),
    ],
)
def test_bad_claims_files_name_the_field_and_the_fix(text, message):
    with pytest.raises(InputError, match=message):
        loads_registry(text, source="my_claims.toml")


def test_merging_rejects_an_id_defined_twice():
    toy = loads_registry(GOOD, source="a.toml")
    assert len(builtin_registry().merge(toy)) == len(builtin_registry()) + 1
    with pytest.raises(InputError, match="paper TOY is defined twice"):
        toy.merge(loads_registry(GOOD, source="b.toml"))


def test_a_paper_can_be_named_by_prefix_file_number_or_file_name():
    from exactscreen.claims import builtin_registry

    reg = builtin_registry()
    for name in ("PIS", "000", "000_4c9d8703be2bb5ad", "000_4c9d8703be2bb5ad.txt"):
        assert reg.paper(name).prefix == "PIS"
    assert {c.paper for c in reg.select(["004"]).claims} == {"SWP"}


SHARED_PAPERS = Path(__file__).parents[2] / "shared" / "papers"  # /work/shared/papers beside /work/main


@pytest.mark.skipif(not SHARED_PAPERS.is_dir(), reason="no ../shared/papers beside this checkout to compare quotes with")
def test_every_quote_is_the_papers_own_sentence():
    registry = builtin_registry()
    for c in registry:
        if not c.quote:
            continue
        paper = registry.paper(c.paper)
        text = " ".join((SHARED_PAPERS / paper.file).read_text(encoding="utf-8").split())
        assert c.quote in text, f"{c.id}: the quote is not in {paper.file} word for word"


def test_papers_have_a_reference_and_claims_may_quote_the_paper():
    reg = loads_registry(
        '[papers.TOY]\ntitle = "T"\nreference = "Working paper, 2025"\n\n'
        '[[claims]]\nid = "TOY-A"\npaper = "TOY"\nsection = "Lemma 1"\nstatement = "s"\nquote = "We show s."\n'
    )
    assert reg.paper("TOY").reference == "Working paper, 2025" and reg["TOY-A"].quote == "We show s."
    assert "Working paper, 2025" in reg.paper("TOY").citation
    assert all(p.reference for p in builtin_registry().papers)
