"""The claim registry: papers and their claims, read from TOML.

Every theorem, lemma, example and numeric footnote that ``exactscreen check``
reports on is a :class:`Claim` with a stable ID such as ``"STT-THM1"``.  The
three papers of the project ship as package data (``papers.toml``); a
theorist adds their own paper with a file of the same format::

    [papers.TOY]                       # one table per paper; TOY is the ID prefix
    file = "toy.pdf"                   # optional
    title = "A toy paper"
    authors = "A. Theorist"            # optional
    reference = "Working paper, 2025"  # optional: journal / working paper, year

    [[claims]]                         # one table per claim
    id = "TOY-SQ"                      # PREFIX-NAME: capitals, digits, hyphens
    paper = "TOY"
    section = "Lemma 1"                # where the paper states it
    statement = "x*x >= x for every rational x"
    quote = "For every rational x, x^2 >= x."   # optional: the paper's own sentence

Registries are immutable values; :meth:`Registry.merge` and
:meth:`Registry.select` return new ones.  Loading validates everything and
raises :class:`~exactscreen.environment.InputError` naming the file, the
field and the fix.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from ..exceptions import InputError

__all__ = [
    "ID_PATTERN",
    "Paper",
    "Claim",
    "Registry",
    "load_registry",
    "loads_registry",
    "builtin_registry",
]

ID_PATTERN = re.compile(r"[A-Z][A-Z0-9]*-[A-Z0-9][A-Z0-9-]*")
"""A claim ID: the paper prefix, a hyphen, then capitals, digits and hyphens."""

_PREFIX_PATTERN = re.compile(r"[A-Z][A-Z0-9]*")
_PAPER_KEYS = {"file", "title", "authors", "reference"}
_CLAIM_KEYS = {"id", "paper", "section", "statement", "quote"}


@dataclass(frozen=True)
class Paper:
    """A paper whose claims are checked.

    Attributes
    ----------
    prefix
        Short upper-case code that starts every claim ID of the paper (``"STT"``).
    title, authors
        As printed on the paper.
    file
        File name of the paper's text (e.g. ``"003_93be07cf11cf468b.txt"``), or ``""``.
    reference
        Where the paper appeared, as its text states it (journal or working paper,
        date), or ``""``.  The report shows title, authors and reference, never ``file``.
    """

    prefix: str
    title: str
    authors: str = ""
    file: str = ""
    reference: str = ""

    @property
    def citation(self) -> str:
        """Authors, *title*, reference as one line (what the report prints for the paper)."""
        return ", ".join(x for x in (self.authors, f"“{self.title}”", self.reference) if x)

    def __repr__(self) -> str:
        by = f" ({self.authors})" if self.authors else ""
        return f"Paper({self.prefix}: {self.title}{by})"


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a paper.

    Attributes
    ----------
    id
        Stable ID, e.g. ``"STT-THM1"``; its prefix is the paper's.
    paper
        The paper's prefix.
    section
        Where the paper states it ("Lemma 2, (37), Fig. 3").
    statement
        One line saying what is claimed.
    quote
        The paper's own sentence, copied exactly from its text, or ``""``
        (the report then shows ``statement``).
    """

    id: str
    paper: str
    section: str
    statement: str
    quote: str = ""

    def __repr__(self) -> str:
        return f"Claim({self.id} [{self.section}]: {self.statement})"


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


@dataclass(frozen=True)
class Registry:
    """An ordered, immutable collection of papers and their claims.

    Look claims up with ``registry["STT-THM1"]``, test membership with
    ``"STT-THM1" in registry``, iterate over claims in file order.
    ``source`` says where the data came from (shown in error messages).
    """

    papers: tuple[Paper, ...]
    claims: tuple[Claim, ...]
    source: str = "<registry>"

    def __post_init__(self) -> None:
        prefixes = [p.prefix for p in self.papers]
        dup = sorted({p for p in prefixes if prefixes.count(p) > 1})
        if dup:
            raise InputError(f"{self.source}: paper {dup[0]} is defined twice; keep one [papers.{dup[0]}]")
        seen: set[str] = set()
        for c in self.claims:
            if c.id in seen:
                raise InputError(
                    f"{self.source}: claim {c.id} is defined twice; claim IDs must be unique"
                )
            seen.add(c.id)
            if c.paper not in prefixes:
                raise InputError(
                    f"{self.source}: claim {c.id} names paper {c.paper!r}, which has no "
                    f"[papers.{c.paper}] table; add one"
                )

    # ------------------------------------------------------------- lookup
    def __iter__(self) -> Iterator[Claim]:
        return iter(self.claims)

    def __len__(self) -> int:
        return len(self.claims)

    def __contains__(self, claim_id: object) -> bool:
        return any(c.id == claim_id for c in self.claims)

    def __getitem__(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise InputError(
            f"unknown claim ID {claim_id!r}{_suggest(claim_id, self.ids)}; "
            f"known IDs are listed in {self.source}"
        )

    @property
    def ids(self) -> tuple[str, ...]:
        """All claim IDs, in registry order."""
        return tuple(c.id for c in self.claims)

    def paper(self, prefix: str) -> Paper:
        """The paper with the given prefix, or with that file name, file stem or file number
        (``"PIS"``, ``"000"``, ``"000_4c9d8703be2bb5ad"`` and ``"000_4c9d8703be2bb5ad.txt"``
        name the same paper); raises :class:`InputError` naming the known ones."""
        for p in self.papers:
            if p.prefix == prefix:
                return p
        for p in self.papers:
            name = getattr(p, "file", "") or ""
            stem = name.rsplit(".", 1)[0]
            if prefix and prefix in (name, stem, stem.split("_", 1)[0]):
                return p
        known = ", ".join(p.prefix for p in self.papers)
        raise InputError(f"unknown paper {prefix!r}{_suggest(prefix, [p.prefix for p in self.papers])}; known: {known}")

    def suggest(self, claim_id: str) -> str:
        """A ``" (did you mean ...?)"`` hint for a mistyped ID, or ``""``."""
        return _suggest(claim_id, self.ids)

    # ------------------------------------------------------------ combine
    def merge(self, other: "Registry") -> "Registry":
        """Both registries' papers and claims; an ID or paper defined in both is an error."""
        return Registry(
            self.papers + other.papers,
            self.claims + other.claims,
            source=f"{self.source} + {other.source}",
        )

    def select(
        self, papers: Iterable[str] = (), claim_ids: Iterable[str] = ()
    ) -> "Registry":
        """The claims of the given papers and/or with the given IDs (all if both empty).

        Unknown prefixes or IDs raise :class:`InputError` with a suggestion.
        """
        papers = tuple(self.paper(p).prefix for p in papers)
        claim_ids = tuple(claim_ids)
        for cid in claim_ids:
            self[cid]
        if not papers and not claim_ids:
            return self
        keep = tuple(c for c in self.claims if c.paper in papers or c.id in claim_ids)
        used = {c.paper for c in keep}
        return Registry(tuple(p for p in self.papers if p.prefix in used), keep, self.source)

    def __repr__(self) -> str:
        per = ", ".join(
            f"{p.prefix}: {sum(c.paper == p.prefix for c in self.claims)}" for p in self.papers
        )
        return f"Registry({len(self.claims)} claims; {per}; from {self.source})"


# ------------------------------------------------------------------ loading
def _text(value: object, where: str, field: str, required: bool = True) -> str:
    if value is None:
        if required:
            raise InputError(f"{where}: missing {field} = \"...\"; add it")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputError(f"{where}: {field} must be a non-empty string, got {value!r}")
    if "\n" in value:
        raise InputError(f"{where}: {field} must be one line; remove the line breaks")
    return value.strip()


def loads_registry(text: str, source: str = "<string>") -> Registry:
    """Parse a claims file (the TOML format of the module docstring)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(data) - {"papers", "claims"}
    if unknown:
        raise InputError(
            f"{source}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
            "a claims file has [papers.PREFIX] tables and [[claims]] entries only"
        )
    raw_papers = data.get("papers")
    if not isinstance(raw_papers, dict) or not raw_papers:
        raise InputError(f"{source}: no [papers.PREFIX] table; add one per paper (title = \"...\")")
    papers = []
    for prefix, entry in raw_papers.items():
        where = f"{source}: [papers.{prefix}]"
        if not _PREFIX_PATTERN.fullmatch(prefix):
            raise InputError(
                f"{where}: a paper prefix is capitals and digits starting with a capital (e.g. TOY)"
            )
        if not isinstance(entry, dict):
            raise InputError(f"{where}: must be a table with title = \"...\"")
        extra = set(entry) - _PAPER_KEYS
        if extra:
            raise InputError(
                f"{where}: unknown key(s) {', '.join(sorted(extra))}; allowed: "
                + ", ".join(sorted(_PAPER_KEYS))
            )
        papers.append(
            Paper(
                prefix,
                _text(entry.get("title"), where, "title"),
                _text(entry.get("authors"), where, "authors", required=False),
                _text(entry.get("file"), where, "file", required=False),
                _text(entry.get("reference"), where, "reference", required=False),
            )
        )
    raw_claims = data.get("claims")
    if not isinstance(raw_claims, list) or not raw_claims:
        raise InputError(f"{source}: no [[claims]] entries; add one per claim (id, paper, section, statement)")
    claims = []
    for n, entry in enumerate(raw_claims, 1):
        where = f"{source}: claim #{n}"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: must be a [[claims]] table")
        extra = set(entry) - _CLAIM_KEYS
        if extra:
            raise InputError(
                f"{where}: unknown key(s) {', '.join(sorted(extra))}; allowed: "
                + ", ".join(sorted(_CLAIM_KEYS))
            )
        cid = _text(entry.get("id"), where, "id")
        where = f"{source}: claim {cid}"
        if not ID_PATTERN.fullmatch(cid):
            raise InputError(
                f"{where}: an ID is PREFIX-NAME in capitals, digits and hyphens, e.g. TOY-LEM1"
            )
        paper = _text(entry.get("paper"), where, "paper")
        if cid.split("-", 1)[0] != paper:
            raise InputError(
                f"{where}: the ID must start with its paper's prefix {paper}- "
                f"(e.g. {paper}-{cid.split('-', 1)[1]})"
            )
        claims.append(
            Claim(
                cid,
                paper,
                _text(entry.get("section"), where, "section"),
                _text(entry.get("statement"), where, "statement"),
                _text(entry.get("quote"), where, "quote", required=False),
            )
        )
    return Registry(tuple(papers), tuple(claims), source=source)


def load_registry(path: str | Path) -> Registry:
    """Read a claims file from disk (see the module docstring for its format)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read claims file ({exc.strerror})") from None
    return loads_registry(text, source=str(path))


_BUILTIN: Registry | None = None


def builtin_registry() -> Registry:
    """The claims of the three papers, from the package data ``papers.toml``."""
    global _BUILTIN
    if _BUILTIN is None:
        text = resources.files(__package__).joinpath("papers.toml").read_text(encoding="utf-8")
        _BUILTIN = loads_registry(text, source="exactscreen/claims/papers.toml")
    return _BUILTIN
