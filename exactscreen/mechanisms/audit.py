"""Certificates a third party can audit: the mechanism LP's optimum, written down and re-checked.

``exactscreen solve FILE --certificate OUT.json`` writes a self-contained
document (:func:`certificate_document`, :func:`write_certificate`);
``exactscreen verify OUT.json`` reads it (:func:`read_certificate`) and
re-checks it (:func:`verify_certificate`) without the solver.

The LP (paper 000, Haghpanah & Siegel, Sec. 3, the LP (1)-(3); net values
``v(t, a) - c(a)``, fn 5; ``x(t)`` a lottery over the alternatives and the
outside option ``0``)::

    max  sum_t f(t) p(t)
    s.t. sum_a x(t, a) + x(t, 0) = 1                              prob(t)
         -v(t, x(t)) + p(t) <= 0                                  IR(t)
         -v(t, x(t)) + p(t) + v(t, x(t')) - p(t') <= 0            IC(t->t')
         x >= 0, p >= 0

Columns, for each type ``t`` in input order: ``x(t,a)`` for every
alternative ``a`` in input order, then ``x(t,0)``, then ``p(t)``.  Rows:
``prob(t)`` for every type (equalities), then for every type ``t`` its
``IR(t)`` followed by ``IC(t->t')`` for every other type ``t'`` in input
order (inequalities).  :func:`build_lp` builds it from the environment and
market alone; it is a transcription of the display above and shares no code
with :func:`exactscreen.mechanisms.optimum.mechanism_lp` (the tests check
that the two agree).

**Document** (JSON, UTF-8; every number an exact string ``"p/q"`` or ``"p"``;
the order of keys inside ``environment.types`` and of the alternatives
inside each type is the order of the types and alternatives, as in the TOML
format of :mod:`exactscreen.environment`)::

    {"format": "exactscreen-mechanism-certificate", "version": 1,
     "lp": "<description>",
     "environment": {"title": ..., "types": {t: {a: v}}, "costs": {a: c}},   # solve --json's form
     "market": {t: f(t)},
     "value": "<optimal revenue>",
     "primal": {t: {"x": {a: x(t,a), ..., "0": x(t,0)}, "p": p(t)}},
     "dual": [{"row": "prob(t)" | "IR(t)" | "IC(t->t')", "value": y}, ...],   # in row order
     "fingerprint": {"algorithm": "sha256", "serialization": "exactscreen-lp 1", "value": hex},
     "produced_by": {...}}                                                   # informational only

``dual`` has one multiplier per row, in the row order above, each labelled;
the multipliers of ``IR``/``IC`` rows must be ``>= 0`` (those of ``prob``
rows are free).  ``produced_by`` (exactscreen version, solver method) is
not read by :func:`verify_certificate`.

**Fingerprint**: the SHA-256 (lower-case hex) of the UTF-8 bytes of this
canonical serialization of the LP's data, one line per item, each ending
in ``"\\n"``::

    exactscreen-lp 1
    maximize
    column <label> <c_j>                 # one line per column, in column order
    eq <label> <b_i> <j>:<a_ij> ...      # one line per equality row, in row order
    ub <label> <b_i> <j>:<a_ij> ...      # one line per inequality row, in row order

``<label>`` is the column or row name as a JSON string (Python's
``json.dumps(label, ensure_ascii=True)``: quoted, non-ASCII and control
characters escaped); numbers are in lowest terms, ``"-3/4"``, ``"2"``,
``"0"``; ``<j>`` is the 0-based column index; a row lists its nonzero
coefficients only, each column once, by increasing ``j``, separated by
single spaces (a row without nonzero coefficients ends after ``<b_i>``).
Two LPs with the same fingerprint have the same objective, constraint
matrix, right-hand sides and names.

**What** :func:`verify_certificate` **trusts**: Python (``fractions``,
``json``, ``hashlib``); :mod:`exactscreen.environment` and
:mod:`exactscreen.numbers` to parse the environment and market (the same
parser as the TOML files); :func:`build_lp` and the reader in this module;
and :func:`exactscreen.lp.certificate.check_certificate`, which checks the
three conditions of LP duality row by row in
:class:`~fractions.Fraction` arithmetic (or, with ``checker="structured"``,
:func:`exactscreen.mechanisms.certificate.check_mechanism_certificate`, the
same conditions from the economics in python-flint integer matrices).  It does not import the solvers
(:mod:`exactscreen.lp.exact`, :mod:`exactscreen.mechanisms.structured`,
:mod:`exactscreen.mechanisms.optimum`, HiGHS): nothing the solver computed is
believed, only checked.  By weak duality, a primal-feasible ``x`` and a
dual-feasible ``y`` with equal objective values prove that ``x`` is optimal
and ``value`` is the optimal revenue of the LP whose fingerprint is printed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Mapping

from ..environment import OUTSIDE, Environment, Market, read_text_file
from ..exceptions import ExactNumberError, InputError
from ..lp.certificate import check_certificate
from ..numbers import fmt
from ..outdir import write_file_atomically

__all__ = [
    "FORMAT", "VERSION", "SERIALIZATION", "MechanismLP", "Certificate", "Verdict",
    "build_lp", "fingerprint", "serialize_lp", "certificate_document", "render_document",
    "write_certificate", "check_certificate_path",
    "read_certificate", "verify_certificate",
]

FORMAT = "exactscreen-mechanism-certificate"
VERSION = 1
SERIALIZATION = "exactscreen-lp 1"
LP_DESCRIPTION = (
    "paper 000 (Haghpanah & Siegel), Sec. 3: max sum_t f(t) p(t) s.t. prob(t): "
    "sum_a x(t,a) + x(t,0) = 1; IR(t): -v(t,x(t)) + p(t) <= 0; IC(t->t'): "
    "-v(t,x(t)) + p(t) + v(t,x(t')) - p(t') <= 0; x, p >= 0; v = value - cost"
)
_KEYS = ("format", "version", "lp", "environment", "market", "value", "primal", "dual", "fingerprint")
_OPTIONAL = ("produced_by",)
#: Longest exact string read for one number (digits of numerator plus denominator).
MAX_NUMBER_CHARS = 100_000
_NUMBER = re.compile(r"(-?[0-9]+)(?:/([0-9]+))?")


# ---------------------------------------------------------------------------- the LP
@dataclass(frozen=True)
class MechanismLP:
    """LP data in the attribute form :func:`~exactscreen.lp.certificate.check_certificate` reads.

    Rows are tuples of ``(column, coefficient)`` with nonzero coefficients,
    by increasing column.
    """

    c: tuple[Fraction, ...]
    A_eq: tuple[tuple[tuple[int, Fraction], ...], ...]
    b_eq: tuple[Fraction, ...]
    A_ub: tuple[tuple[tuple[int, Fraction], ...], ...]
    b_ub: tuple[Fraction, ...]
    var_names: tuple[str, ...]
    eq_names: tuple[str, ...]
    ub_names: tuple[str, ...]


def build_lp(env: Environment, market: Market) -> MechanismLP:
    """The LP of the module docstring for ``env`` and ``market`` (no solver involved)."""
    n, k = len(env.types), len(env.alternatives)
    w = k + 2
    net = [[v - c for v, c in zip(row, env.costs)] for row in env.values]
    names: list[str] = []
    for t in env.types:
        names += [f"x({t},{a})" for a in env.alternatives] + [f"x({t},{OUTSIDE})", f"p({t})"]
    c = [Fraction(0)] * (n * w)
    for i, f in enumerate(market.weights):
        c[i * w + k + 1] = f
    one = Fraction(1)
    A_eq = tuple(tuple((i * w + j, one) for j in range(k + 1)) for i in range(n))
    eq_names = tuple(f"prob({t})" for t in env.types)

    # IR(t_i): -v(t_i, x(t_i)) + p(t_i); IC(t_i->t_s) adds v(t_i, x(t_s)) - p(t_s).  The blocks of
    # columns of t_i and t_s are disjoint, so each row is sorted by putting the lower block first.
    own = [tuple((i * w + j, -net[i][j]) for j in range(k) if net[i][j]) + ((i * w + k + 1, one),)
           for i in range(n)]
    A_ub, ub_names = [], []
    for i, t in enumerate(env.types):
        A_ub.append(own[i])
        ub_names.append(f"IR({t})")
        gains = [(j, net[i][j]) for j in range(k) if net[i][j]]
        for s, t2 in enumerate(env.types):
            if s != i:
                other = tuple((s * w + j, a) for j, a in gains) + ((s * w + k + 1, -one),)
                A_ub.append(own[i] + other if i < s else other + own[i])
                ub_names.append(f"IC({t}->{t2})")
    return MechanismLP(
        tuple(c), A_eq, (one,) * n, tuple(A_ub), (Fraction(0),) * len(A_ub),
        tuple(names), eq_names, tuple(ub_names),
    )


def serialize_lp(lp: MechanismLP) -> Iterator[str]:
    """The lines of the canonical serialization (module docstring), each ending in ``"\\n"``."""
    label = lambda s: json.dumps(s, ensure_ascii=True)  # noqa: E731
    seen: dict[tuple[int, int], str] = {}  # the LP's coefficients repeat: format each value once

    def q(v: Fraction) -> str:
        key = (v.numerator, v.denominator)
        text = seen.get(key)
        if text is None:
            text = seen[key] = fmt(v)
        return text

    yield f"{SERIALIZATION}\n"
    yield "maximize\n"
    for name, cj in zip(lp.var_names, lp.c):
        yield f"column {label(name)} {q(cj)}\n"
    for kind, rows, rhs, names in (("eq", lp.A_eq, lp.b_eq, lp.eq_names), ("ub", lp.A_ub, lp.b_ub, lp.ub_names)):
        for r, b, name in zip(rows, rhs, names):
            terms = "".join([f" {j}:{q(a)}" for j, a in r])
            yield f"{kind} {label(name)} {q(b)}{terms}\n"


def fingerprint(lp: MechanismLP) -> str:
    """SHA-256 (hex) of :func:`serialize_lp`."""
    h = hashlib.sha256()
    for line in serialize_lp(lp):
        h.update(line.encode("utf-8"))
    return h.hexdigest()


# ---------------------------------------------------------------------------- writing
def certificate_document(result) -> dict:
    """The certificate document of an :class:`~exactscreen.mechanisms.optimum.OptimalMechanism`.

    The primal solution is the selected mechanism (the one ``solve``
    prints); the duals are those of the solver's certificate, which prove
    every optimal mechanism optimal.
    """
    from .. import __version__

    env, market, m = result.environment, result.market, result.mechanism
    lp = build_lp(env, market)
    cert = result.certificate
    duals = tuple(cert.y_eq) + tuple(cert.y_ub)
    names = lp.eq_names + lp.ub_names
    if len(duals) != len(names):  # pragma: no cover - the solver returns one multiplier per row
        raise RuntimeError(f"certificate: {len(duals)} multipliers for {len(names)} rows")
    primal = {}
    for i, t in enumerate(env.types):
        alloc = m.allocation[i]
        x = {a: fmt(alloc[j]) for j, a in enumerate(env.alternatives)}
        x[OUTSIDE] = fmt(alloc[len(env.alternatives)])
        primal[t] = {"x": x, "p": fmt(m.payments[i])}
    return {
        "format": FORMAT,
        "version": VERSION,
        "lp": LP_DESCRIPTION,
        "environment": env.to_dict(),
        "market": market.as_dict(),
        "value": fmt(result.revenue),
        "primal": primal,
        "dual": [{"row": name, "value": fmt(y)} for name, y in zip(names, duals)],
        "fingerprint": {"algorithm": "sha256", "serialization": SERIALIZATION, "value": fingerprint(lp)},
        "produced_by": {"program": f"exactscreen {__version__}", "method": result.method,
                        "selection": result.selection},
    }


def check_certificate_path(path: str | Path, *, deterministic: bool = False, option: str = "--certificate") -> None:
    """Refuse (:class:`InputError`, before any work) a certificate that cannot be written.

    ``deterministic``: the best deterministic menu is found by enumeration,
    not by the LP, and has no dual certificate.
    """
    from ..outdir import check_out_file

    if deterministic:
        raise InputError(
            f"{option}: the best deterministic menu is found by enumeration and has no LP "
            "certificate; drop --deterministic or --certificate"
        )
    check_out_file(path, option)


def write_certificate(path: str | Path, result) -> Path:
    """Write :func:`certificate_document` of ``result`` to ``path`` atomically."""
    return write_file_atomically(path, render_document(certificate_document(result)))


def render_document(doc: dict) -> str:
    """JSON text of a document: one line per top-level key, per primal type and per dual row."""
    one = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    parts = []
    for key, value in doc.items():
        if key == "primal":
            body = ",\n".join(f"  {one(t)}: {one(e)}" for t, e in value.items())
            parts.append(f" {one(key)}: {{\n{body}\n }}")
        elif key == "dual":
            body = ",\n".join(f"  {one(d)}" for d in value)
            parts.append(f" {one(key)}: [\n{body}\n ]")
        else:
            parts.append(f" {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


# ---------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class Certificate:
    """A certificate document, read and parsed (every number a Fraction)."""

    source: str
    environment: Environment
    market: Market
    value: Fraction
    x: tuple[Fraction, ...]                # in the LP's column order
    dual_rows: tuple[str, ...]             # labels as written
    duals: tuple[Fraction, ...]            # in the LP's row order: equalities, then inequalities
    fingerprint: str


def _refuse_duplicates(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"key {key!r} appears twice in one object; each key once")
        out[key] = value
    return out


def _refuse_constant(name: str) -> None:
    raise InputError(f"{name} is not a number; exact values are strings such as \"3/4\"")


def _exact(value: object, where: str) -> Fraction:
    """An exact string ``"p"`` or ``"p/q"`` (``q > 0``) as a Fraction; anything else is an InputError."""
    if isinstance(value, bool) or not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            got = f"the {type(value).__name__} {value!r}; write it as a string"
        else:
            got = "null" if value is None else type(value).__name__ if isinstance(value, (dict, list)) else repr(value)
        raise InputError(f"{where}: expected an exact number as a string such as \"3/4\", got {got}")
    if len(value) > MAX_NUMBER_CHARS:
        raise InputError(f"{where}: number longer than {MAX_NUMBER_CHARS} characters")
    m = _NUMBER.fullmatch(value)
    if not m:
        raise InputError(f"{where}: {value[:40]!r} is not of the form \"p\" or \"p/q\" (integers, as the certificate writes them)")
    den = int(m.group(2)) if m.group(2) is not None else 1
    if den == 0:
        raise InputError(f"{where}: {value[:40]!r} has denominator 0")
    return Fraction(int(m.group(1)), den)


def _obj(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _keys(d: dict, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    missing = [k for k in required if k not in d]
    if missing:
        raise InputError(f"{where}: missing key {missing[0]!r}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    extra = [k for k in d if k not in required and k not in optional]
    if extra:
        raise InputError(f"{where}: unknown key {str(extra[0])[:40]!r}; allowed: {', '.join(required + optional)}")


def read_certificate(path: str | Path) -> Certificate:
    """Read and parse a certificate document; malformed input raises one :class:`InputError`.

    Checked here: valid JSON, the format name and version, every key present
    and no unknown key, every number an exact string, the environment and
    market valid, one primal entry per type and alternative (and ``"0"``),
    one dual per LP row with the row's label.  Whether the numbers certify
    anything is :func:`verify_certificate`'s question.
    """
    src = str(path)
    text = read_text_file(path)
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{src}: not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{src}: JSON nested too deeply; no field of a certificate nests more than three levels") from None
    try:
        return _parse(data, src)
    except (InputError, ExactNumberError) as exc:
        raise InputError(f"{src}: {exc}") from None


def _parse(data: object, src: str) -> Certificate:
    doc = _obj(data, "document")
    if "format" in doc and doc["format"] != FORMAT:
        raise InputError(f"format: {str(doc['format'])[:60]!r} is not {FORMAT!r}; this is not an exactscreen certificate")
    if "version" in doc and (isinstance(doc["version"], bool) or doc["version"] != VERSION):
        raise InputError(f"version: {str(doc['version'])[:20]!r} is not supported; this exactscreen reads version {VERSION}")
    _keys(doc, "document", _KEYS, _OPTIONAL)
    if not isinstance(doc["lp"], str):
        raise InputError("lp: expected the LP's description as a string")
    envd = _obj(doc["environment"], "environment")
    _keys(envd, "environment", ("types",), ("title", "costs"))
    title = envd.get("title", "")
    if not isinstance(title, str):
        raise InputError("environment.title: expected a string")
    try:
        env = Environment.from_dict(_obj(envd["types"], "environment.types"), envd.get("costs"), title=title)
    except (InputError, ExactNumberError) as exc:
        raise InputError(f"environment: {exc}") from None
    market = Market.from_mapping(env, _obj(doc["market"], "market"))
    value = _exact(doc["value"], "value")

    primal = _obj(doc["primal"], "primal")
    missing = [t for t in env.types if t not in primal]
    if missing:
        raise InputError(f"primal: no entry for type {missing[0]!r}; give one per type of the environment")
    extra = [t for t in primal if t not in env.types]
    if extra:
        raise InputError(f"primal.{str(extra[0])[:40]}: not a type of the environment")
    alts = (*env.alternatives, OUTSIDE)
    x: list[Fraction] = []
    for t in env.types:
        entry = _obj(primal[t], f"primal.{t}")
        _keys(entry, f"primal.{t}", ("x", "p"))
        xt = _obj(entry["x"], f"primal.{t}.x")
        _keys(xt, f"primal.{t}.x", alts)
        x += [_exact(xt[a], f"primal.{t}.x.{a}") for a in alts]
        x.append(_exact(entry["p"], f"primal.{t}.p"))

    duals = doc["dual"]
    if not isinstance(duals, list):
        raise InputError(f"dual: expected a list of {{\"row\": ..., \"value\": ...}}, got {type(duals).__name__}")
    n = len(env.types)
    rows = n + n * n
    if len(duals) != rows:
        raise InputError(
            f"dual: {len(duals)} multipliers, but the LP of {n} types has {rows} rows "
            f"({n} prob, {n} IR, {n * (n - 1)} IC); one per row"
        )
    labels, ys = [], []
    for r, d in enumerate(duals):
        d = _obj(d, f"dual[{r}]")
        _keys(d, f"dual[{r}]", ("row", "value"))
        if not isinstance(d["row"], str):
            raise InputError(f"dual[{r}].row: expected the row's label as a string")
        labels.append(d["row"])
        ys.append(_exact(d["value"], f"dual[{r}].value"))

    fp = _obj(doc["fingerprint"], "fingerprint")
    _keys(fp, "fingerprint", ("algorithm", "serialization", "value"))
    if fp["algorithm"] != "sha256":
        raise InputError(f"fingerprint.algorithm: {str(fp['algorithm'])[:20]!r} unknown; only \"sha256\"")
    if fp["serialization"] != SERIALIZATION:
        raise InputError(f"fingerprint.serialization: {str(fp['serialization'])[:40]!r} unknown; only {SERIALIZATION!r}")
    if not isinstance(fp["value"], str) or not re.fullmatch(r"[0-9a-f]{64}", fp["value"]):
        raise InputError("fingerprint.value: expected 64 lower-case hex digits (SHA-256)")
    return Certificate(src, env, market, value, tuple(x), tuple(labels), tuple(ys), fp["value"])


# ---------------------------------------------------------------------------- verifying
@dataclass(frozen=True)
class Verdict:
    """Outcome of :func:`verify_certificate`.

    ``conditions`` maps ``"fingerprint"``, ``"rows"`` (dual labels match the
    LP's rows), ``"primal"``, ``"dual"`` and ``"objective"`` to whether they
    hold; ``failures`` lists what failed, the fingerprint first, then in the
    checker's order (primal, dual, objective).
    """

    certificate: Certificate
    lp: MechanismLP
    recomputed_fingerprint: str
    conditions: Mapping[str, bool]
    failures: tuple[str, ...]
    checker: str = "generic"

    @property
    def certified(self) -> bool:
        return all(self.conditions.values())


CHECKERS = ("generic", "structured")


def _structured_failures(cert: Certificate, n_eq: int) -> tuple[str, ...]:
    """:func:`~exactscreen.mechanisms.certificate.check_mechanism_certificate`'s failures, tagged
    ``primal: / dual: / objective:`` as the generic checker's are (same three conditions)."""
    from .certificate import check_mechanism_certificate

    check = check_mechanism_certificate(
        cert.environment, cert.market, cert.x, cert.duals[:n_eq], cert.duals[n_eq:], cert.value,
    )
    tagged = []
    for f in check.failures:
        if f.startswith(("revenue ", "dual objective ")):
            tagged.append(f"objective: {f}")
        elif f.startswith(("y_ub[", "dual constraint ")):
            tagged.append(f"dual: {f}")
        else:  # x[j] < 0, prob(t), IR(t), IC(t->t')
            tagged.append(f"primal: {f}")
    return tuple(tagged)


def verify_certificate(cert: Certificate, checker: str = "generic") -> Verdict:
    """Re-check ``cert`` from its environment alone (see the module docstring for what is trusted).

    ``checker``: ``"generic"`` (default) runs
    :func:`exactscreen.lp.certificate.check_certificate` row by row on the
    rebuilt LP; ``"structured"`` runs
    :func:`exactscreen.mechanisms.certificate.check_mechanism_certificate`,
    which checks the same three conditions from the economics in integer
    matrix arithmetic (python-flint), much faster on large instances, and also
    shares no code with the solvers.  The fingerprint is recomputed either way.
    """
    if checker not in CHECKERS:
        raise InputError(f"checker: unknown {checker!r}; choose one of {', '.join(CHECKERS)}")
    lp = build_lp(cert.environment, cert.market)
    fails: list[str] = []
    fp = fingerprint(lp)
    if fp != cert.fingerprint:
        fails.append(
            f"fingerprint: the file says {cert.fingerprint}, the LP rebuilt from its environment "
            f"and market has {fp}; the certificate is not about this LP"
        )
    names = lp.eq_names + lp.ub_names
    bad_rows = [r for r, (a, b) in enumerate(zip(cert.dual_rows, names)) if a != b]
    if bad_rows:
        r = bad_rows[0]
        fails.append(f"rows: dual[{r}] is labelled {cert.dual_rows[r]!r} but the LP's row {r} is {names[r]!r}")
    n_eq = len(lp.eq_names)
    if checker == "structured":
        found = _structured_failures(cert, n_eq)
    else:
        found = check_certificate(
            lp, cert.x, cert.duals[:n_eq], cert.duals[n_eq:], cert.value,
            names=(lp.var_names, lp.eq_names, lp.ub_names),
        ).failures
    fails += found
    conditions = {
        "fingerprint": fp == cert.fingerprint,
        "rows": not bad_rows,
        "primal": not any(f.startswith("primal: ") for f in found),
        "dual": not any(f.startswith("dual: ") for f in found),
        "objective": not any(f.startswith("objective: ") for f in found),
    }
    return Verdict(cert, lp, fp, conditions, tuple(fails), checker)
