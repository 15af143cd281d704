"""Rendering :mod:`bench.scale`'s result: the issue's targets with their verdicts, and the Markdown tables.
"""

from __future__ import annotations

from .run import _fmt_r, _fmt_s


DIRECT_METHODS = frozenset({"highs-basis", "highs-core"})
"""``LPResult.method`` values of the direct path (the float basis verified exactly as it is):
``highs-basis`` of :func:`exactscreen.lp.exact.solve_lp`, ``highs-core`` of ``exactscreen.mechanisms.structured``.
Anything else (``exact-simplex*``, ``fallback:*``) is the exact fallback."""


# ============================================================================
# Targets and Markdown
# ============================================================================
def _mark(ok: bool | None) -> str:
    return {True: "✓", False: "✗", None: "✗ (not measured)"}[ok]


def _is_direct(method: str | None) -> bool:
    return method in DIRECT_METHODS


def targets(result: dict) -> list[dict]:
    """Target rows: id, target, measured (text), value, pass (True / False / None = not measured)."""
    rows: list[dict] = []
    main = result.get("main")
    recs = result.get("records", [])
    if main:
        r = main["ratios"]
        size = result["config"]["main_size"]
        v = r.get("e2e/highs_run")
        if v is not None:
            txt = f"{_fmt_r(v)} ({_fmt_s(main['solve']['wall_s'])} vs HiGHS run {_fmt_s(main['highs']['run_s'])})"
            ok = v <= 1.5
            txt += f"; moonshot < 1×: {_mark(v < 1)}"
        elif "e2e/highs_run>" in r:
            txt, ok = f"{_fmt_r(r['e2e/highs_run>'], lower=True)} (exactscreen {main['solve']['status']})", False
        else:
            txt, ok = f"not measured (exactscreen {main['solve'].get('status')}, HiGHS {main['highs'].get('status')})", None
        rows.append({"id": "1", "target": f"end to end at {tuple(size)} ≤ 1.5× HiGHS run (moonshot < 1×)",
                     "measured": txt, "value": v, "pass": ok})
        if "face" in main:
            v = r.get("solve+face/highs_run")
            if v is not None:
                f = main["face"]
                txt = (f"{_fmt_r(v)} (solve {_fmt_s(f['solve_s'])} + face {_fmt_s(f['face_s'])}, {f['lps']} LPs; "
                       f"face alone {_fmt_r(r.get('face/highs_run'))})")
                ok = v <= 5
            elif "solve+face/highs_run>" in r:
                txt, ok = f"{_fmt_r(r['solve+face/highs_run>'], lower=True)} (timeout)", False
            else:
                txt, ok = f"not measured ({main['face'].get('status')})", None
            rows.append({"id": "2", "target": f"optimal face at {tuple(size)} (with the solve) ≤ 5× HiGHS run",
                         "measured": txt, "value": v, "pass": ok})
    es = [x for x in recs if x["kind"] in ("solve", "face") and not x.get("reused")]
    if es:
        peaks = [(max(x.get("peak_rss_mib") or 0, x.get("tree_peak_rss_mib") or 0), x) for x in es]
        top, where = max(peaks, key=lambda p: p[0])
        unfinished = [x for x in es if x["status"] != "ok"]
        ok = top < 4096 and not any(x["status"] == "memory" for x in es)
        txt = f"max {top / 1024:.2f} GiB ({where['kind']} {where['label']})"
        if unfinished:
            txt += f"; {len(unfinished)} run(s) did not finish (peak sampled until killed)"
        rows.append({"id": "2", "target": "peak RSS < 4 GiB in every exactscreen measurement", "measured": txt,
                     "value": top, "pass": ok})
    peers = result.get("peers")
    if peers:
        parts, vals = [], []
        for p, L in peers["largest"].items():
            if L["size"] is None:
                parts.append(f"{p}: finished no size")
                continue
            v = L["ratio"]
            vals.append(v)
            parts.append(f"{p} at ({L['size'][0]},{L['size'][1]}): {_fmt_r(v)}")
        for p, why in peers["unavailable"].items():
            parts.append(f"{p}: not available")
        ok = None if not vals else (None not in vals and min(vals) >= 100)
        rows.append({"id": "3", "target": "≥ 100× faster than every exact peer at the largest size it finishes in "
                     f"{result['config']['peer_timeout']:.0f} s (peer's solver call vs exactscreen end to end)",
                     "measured": "; ".join(parts), "value": min((v for v in vals if v is not None), default=None),
                     "pass": ok})
    sc = result.get("scaling")
    if sc:
        for axis in ("n", "k"):
            f = sc[axis]["fit"]
            txt = (f"exactscreen {_exp(f['solve'])}, HiGHS run {_exp(f['highs'])}, HiGHS incl. build "
                   f"{_exp(f['highs_total'])} (sizes {axis} ≥ {sc[axis]['fit_min']})")
            rows.append({"id": "4", "target": f"scaling exponent in {axis} (report; no threshold)", "measured": txt,
                         "value": f["solve"]["exponent"], "pass": "report"})
    dg = result.get("degenerate")
    if dg:
        ok_e2e, ok_face, n_e2e, n_face, worst_e, worst_f = 0, 0, 0, 0, None, None
        for row in dg["rows"]:
            r = row["ratios"]
            n_e2e += 1
            v = r.get("e2e/highs_run")
            ub = r.get("e2e/highs_run<")  # HiGHS did not finish: the ratio is below this
            if (v is not None and v <= 1.5) or (v is None and ub is not None and ub <= 1.5):
                ok_e2e += 1
            if v is not None and (worst_e is None or v > worst_e[0]):
                worst_e = (v, row["label"])
            n_face += 1
            v = r.get("solve+face/highs_run")
            ub = r.get("solve+face/highs_run<")
            if (v is not None and v <= 5) or (v is None and ub is not None and ub <= 5):
                ok_face += 1
            if v is not None and (worst_f is None or v > worst_f[0]):
                worst_f = (v, row["label"])
        unf_e = [row["label"] for row in dg["rows"] if row["solve"].get("status") != "ok"]
        unf_e += [f"HiGHS on {row['label']} (ratio {_ratio_txt(row['ratios'], 'e2e/highs_run')})"
                  for row in dg["rows"] if row["highs"].get("status") != "ok"]
        unf_f = [(row["label"], row["ratios"].get("solve+face/highs_run>")) for row in dg["rows"]
                 if (row.get("face") or {}).get("status") != "ok"]
        rows.append({"id": "5", "target": "degenerate families at scale: end to end ≤ 1.5× HiGHS run",
                     "measured": f"{ok_e2e}/{n_e2e} meet it; worst finished {_fmt_r(worst_e[0]) if worst_e else '—'}"
                     + (f" ({worst_e[1]})" if worst_e else "")
                     + (f"; not finished: {', '.join(unf_e)}" if unf_e else ""),
                     "value": worst_e[0] if worst_e else None, "pass": ok_e2e == n_e2e})
        rows.append({"id": "5", "target": "degenerate families at scale: optimal face (with the solve) ≤ 5× HiGHS run",
                     "measured": f"{ok_face}/{n_face} meet it; worst finished {_fmt_r(worst_f[0]) if worst_f else '—'}"
                     + (f" ({worst_f[1]})" if worst_f else "")
                     + (f"; not finished: " + ", ".join(f"{lab} ({_fmt_r(v, lower=True) if v else 'not run'})"
                                                        for lab, v in unf_f) if unf_f else ""),
                     "value": worst_f[0] if worst_f else None, "pass": ok_face == n_face})
        fb = fallback_share(dg["rows"])
        rows.append({"id": "5", "target": "share of LPs off the direct float-basis path (report)",
                     "measured": f"solves {fb['solve_fallback']}/{fb['solves']}; exact LPs inside the faces "
                     f"{fb['face_lp_fallback']}/{fb['face_lps']}",
                     "value": None, "pass": "report"})
    hunt = result.get("hunt")
    if hunt:
        h1 = hunt.get("workers1", {})
        cnt = result["config"]["hunt_count"]
        limit = 20.0 * cnt / 10_000
        if h1.get("status") == "ok":
            rows.append({"id": "6", "target": f"hunt: {cnt:,} environments solved and certified on one core "
                         f"< {limit:g} s", "measured": f"{_fmt_s(h1['wall_s'])} ({h1['certified']}/{h1['solved']} certified)",
                         "value": h1["wall_s"], "pass": h1["wall_s"] < limit and h1["certified"] == h1["solved"]})
        else:
            rows.append({"id": "6", "target": f"hunt on one core < {limit:g} s", "measured": h1.get("status", "—"),
                         "value": None, "pass": False})
        w = result["config"]["hunt_workers"]
        hw = hunt.get(f"workers{w}", {})
        if "speedup" in hunt:
            rows.append({"id": "6", "target": f"hunt with {w} worker processes: speed-up (report; ideal {w}×)",
                         "measured": f"{_fmt_s(hw['wall_s'])}, speed-up {hunt['speedup']:.2f}×"
                         + ("" if hunt["same_optima"] else " — OPTIMA DIFFER"), "value": hunt["speedup"],
                         "pass": "report"})
    cert = result.get("certification")
    if cert:
        ok = cert["certified"] == cert["results"] and cert["xcheck_passed"] == cert["xchecked"]
        rows.append({"id": "all", "target": "every result certified (solver's structured checker; generic "
                     "check_certificate on the full LP where n ≤ --xcheck-max-n)",
                     "measured": f"{cert['certified']}/{cert['results']} certified; generic checker "
                     f"{cert['xcheck_passed']}/{cert['xchecked']}"
                     + (f"; {cert['not_finished']} measurement(s) did not finish" if cert["not_finished"] else ""),
                     "value": None, "pass": ok})
    return rows


def _exp(f: dict) -> str:
    return "—" if f["exponent"] is None else f"{f['exponent']:.2f}"


def fallback_share(rows: list[dict]) -> dict:
    """Solves by ``method``, and the exact LPs inside the faces by ``solve_lp`` path; how many left the direct path."""
    out = {"solves": 0, "solve_fallback": 0, "face_lps": 0, "face_lp_fallback": 0, "methods": {},
           "face_lp_paths": {}, "face_methods": {}}
    for row in rows:
        s = row.get("solve", {})
        if s.get("status") == "ok":
            out["solves"] += 1
            out["solve_fallback"] += not _is_direct(s["method"])
            out["methods"][s["method"]] = out["methods"].get(s["method"], 0) + 1
        f = row.get("face", {})
        if f.get("status") == "ok":
            kind = f["method"].split(" (")[0].split(" on ")[0]
            out["face_methods"][kind] = out["face_methods"].get(kind, 0) + 1
            for m, c in (f.get("face_lp_paths") or {}).items():
                out["face_lps"] += c
                out["face_lp_fallback"] += 0 if _is_direct(m) else c
                out["face_lp_paths"][m] = out["face_lp_paths"].get(m, 0) + c
    return out


def _st(rec: dict | None, key: str = "wall_s") -> str:
    if not rec:
        return "—"
    st = rec.get("status")
    if st == "ok":
        return _fmt_s(rec[key])
    if st == "timeout":
        if key == "run_s" and rec.get("since_progress_s"):
            return f"> {rec['since_progress_s']:.0f} s (timeout after the model build)"
        return f"> {rec['timeout_s']:.0f} s (timeout)"
    if st == "skipped":
        return "not run"
    return st or "—"


def _rss(rec: dict | None) -> str:
    if not rec or rec.get("status") not in ("ok", "timeout", "memory"):
        return "—"
    v = max(rec.get("peak_rss_mib") or 0, rec.get("tree_peak_rss_mib") or 0)
    return f"{v / 1024:.2f} GiB" if v >= 1024 else f"{v:.0f} MiB"


def _ratio_txt(r: dict, key: str) -> str:
    if key in r:
        return _fmt_r(r[key])
    if key + ">" in r:
        return _fmt_r(r[key + ">"], lower=True)
    if key + "<" in r:
        return "< " + _fmt_r(r[key + "<"])
    return "—"


def markdown(result: dict) -> str:
    api = result["api"]
    L: list[str] = []
    if api["shim"]:
        L += [f"> **SHIM, not the API under test.** solve: {api['solve']}; face: {api['face']}"
              + (f" ({api['why']})" if api["why"] else "") + ". These numbers measure the old path.", ""]
    elif api.get("snapshot_of"):
        L += [f"API under test: `exactscreen.mechanisms.structured.solve_mechanism` / `mechanism_face`, from a clean snapshot of "
              f"commit {api['snapshot_of'][:10]} (`--snapshot`).", ""]
    else:
        L += ["API under test: `exactscreen.mechanisms.structured.solve_mechanism` / `mechanism_face`"
              + (f" (uncommitted changes in {', '.join(api['uncommitted'])}; exactscreen/mechanisms/structured.py sha256 "
                 f"{str(api.get('scaled_sha256'))[:12]})" if api.get("uncommitted") else "") + ".", ""]
    L += ["### Targets (issue 8), each ratio measured in this run", "",
          "| # | target | measured | met |", "|---|---|---|---|"]
    for t in result["targets"]:
        met = "report" if t["pass"] == "report" else _mark(t["pass"])
        L.append(f"| {t['id']} | {t['target']} | {t['measured']} | {met} |")
    main = result.get("main")
    if main:
        L += ["", "### Target 1-2: random family at the main size", "", _compare_header(face=True)]
        L.append(_compare_row(main, face=True))
    peers = result.get("peers")
    if peers:
        L += ["", "### Target 3: exact peers, sizes upward until each one's first timeout "
              f"({result['config']['peer_timeout']:.0f} s); ratio = peer's solver call / exactscreen end to end", "",
              "| (n,k) | exactscreen end to end | " + " | ".join(f"{p} | {p} / exactscreen | {p} optimum"
                                                             for p in peers["peers"]) + " |",
              "|---|---|" + "---|---|---|" * len(peers["peers"])]
        sizes = []
        for entries in peers["peers"].values():
            for e in entries:
                if tuple(e["size"]) not in sizes:
                    sizes.append(tuple(e["size"]))
        for n, k in sorted(sizes):
            es = peers["exactscreen"].get(f"{n}x{k}")
            cells = []
            for p, entries in peers["peers"].items():
                e = next((x for x in entries if tuple(x["size"]) == (n, k)), None)
                if e is None:
                    cells += ["not run", "—", "—"]
                    continue
                t = _fmt_s(e["solve_s"]) if e["status"] == "ok" else (
                    f"> {result['config']['peer_timeout']:.0f} s (timeout)" if e["status"] == "timeout" else e["status"])
                agree = {True: "equal", False: "**MISMATCH**", None: "—"}[e.get("agree")]
                cells += [t, _fmt_r(e.get("ratio_solve")), agree]
            L.append(f"| ({n},{k}) | {_st(es)} | " + " | ".join(cells) + " |")
        if peers["unavailable"]:
            L.append("")
            L.append("Peers not available: " + "; ".join(f"{p} ({w})" for p, w in peers["unavailable"].items()))
    sc = result.get("scaling")
    if sc:
        for axis in ("n", "k"):
            L += ["", f"### Target 4: scaling in {axis} (random family)", "", _compare_header(face=False)]
            for row in sc[axis]["rows"]:
                if "skipped" in row:
                    L.append(f"| {row['label']} | — | not run: {row['skipped']} |" + " — |" * 10)
                else:
                    L.append(_compare_row(row, face=False))
            f = sc[axis]["fit"]
            L += ["", f"Fitted exponent (least squares on log-log, sizes with {axis} ≥ {sc[axis]['fit_min']}): "
                  f"exactscreen end to end **{_exp(f['solve'])}** ({f['solve']['points']} sizes), HiGHS run "
                  f"**{_exp(f['highs'])}** ({f['highs']['points']} sizes), HiGHS incl. model build "
                  f"{_exp(f['highs_total'])}."]
    dg = result.get("degenerate")
    if dg:
        L += ["", "### Target 5: degenerate families at scale (`equal`: identical valuations; `copies`: each random "
              "type repeated, copies share its weight; `zeroprob`: ~half the types at probability 0; `breakpoint`: "
              "Sec. 3.1.1 pair blown up to n types and k alternatives at q = 1/4 (#0) / 3/4 (#1); `ties`: values in "
              "{0,1/2,1,3/2,2}; `paper(q,copies)`: Sec. 3.1.1 with copies, k = 2)", "", _compare_header(face=True)]
        for row in dg["rows"]:
            L.append(_compare_row(row, face=True))
        fb = fallback_share(dg["rows"])
        L += ["", f"Paths: solves {', '.join(f'{m} {c}' for m, c in fb['methods'].items()) or '—'}; faces "
              f"{', '.join(f'{m} {c}' for m, c in fb['face_methods'].items()) or '—'}; exact LPs inside the faces "
              f"(`solve_lp` paths) {', '.join(f'{m} {c}' for m, c in fb['face_lp_paths'].items()) or 'none'}. "
              f"Off the direct float-basis path ({', '.join(sorted(DIRECT_METHODS))}): solves "
              f"{fb['solve_fallback']}/{fb['solves']}, LPs inside the faces {fb['face_lp_fallback']}/{fb['face_lps']}."]
    hunt = result.get("hunt")
    if hunt:
        L += ["", "### Target 6: the hunt workload", "",
              "| run | wall | certified | generic checker | paths | peak RSS |", "|---|---|---|---|---|---|"]
        for key in ("workers1", f"workers{result['config']['hunt_workers']}"):
            h = hunt.get(key)
            if not h:
                continue
            if h.get("status") != "ok":
                L.append(f"| {key} | {h.get('status')} | — | — | — | — |")
                continue
            x = h.get("xcheck")
            who = ("1 process pinned to one core" if h["workers"] == 1 else
                   f"{h['workers']} worker processes (chunks of {h['chunk']}; pool start-up {_fmt_s(h.get('warmup_s'))} untimed)")
            L.append(f"| {who} | {_fmt_s(h['wall_s'])} | {h['certified']}/{h['solved']} | "
                     + (f"{x['passed']}/{x['checked']}" if x else "—") + " | "
                     + ", ".join(f"{m} {c}" for m, c in h["methods"].items()) + f" | {_rss(h)} |")
        if "speedup" in hunt:
            L += ["", f"Speed-up with {result['config']['hunt_workers']} workers: **{hunt['speedup']:.2f}×**; "
                  f"same optima in both runs: {hunt['same_optima']}. Environment sizes (types × alternatives): "
                  + ", ".join(f"{k} {v}" for k, v in (hunt['workers1'].get('sizes') or {}).items()) + "."]
    if result["problems"]:
        L += ["", f"**PROBLEMS ({len(result['problems'])}):**", ""] + [f"* {p}" for p in result["problems"]]
    cfg, m = result["config"], result["machine"]
    L += ["", f"Command: `{cfg['command']}`; seed {cfg['seed']}; timeout {cfg['timeout']:.0f} s per measurement "
          f"(peers {cfg['peer_timeout']:.0f} s); {m.get('cpu_model', '?')}, {m.get('cpus_usable', m.get('cpu_count'))} "
          f"cores, {m.get('memory_gib', '?')} GiB; Python {m['python']}; "
          + ", ".join(f"{k} {v}" for k, v in result["versions"].items() if v and k != "git_commit")
          + f"; commit {str(result['versions'].get('git_commit'))[:10]}; load average at start "
          f"{result['loadavg_start'][0]:.2f}, at end {result['loadavg_end'][0]:.2f}; total wall time "
          f"{result['wall_s'] / 60:.1f} min."]
    return "\n".join(L)


def _compare_header(face: bool) -> str:
    cols = ["instance", "LP vars × rows", "HiGHS run", "HiGHS from Fraction LP (convert+pass+run)",
            "HiGHS from exact input (+ mechanism_lp)", "exactscreen end to end", "e2e / HiGHS run",
            "e2e / HiGHS run, CPU", "e2e / HiGHS from exact input", "method", "IC rows (rounds)", "peak RSS",
            "load avg"]
    if face:
        cols += ["face (with solve)", "(solve+face) / HiGHS run", "face alone / HiGHS run", "face LPs", "unique",
                 "face method", "face peak RSS"]
    return "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)


def _compare_row(row: dict, face: bool) -> str:
    hi, es, r = row["highs"], row["solve"], row["ratios"]
    shape = f"{hi['lp']['vars']} × {hi['lp']['rows']}" if hi.get("status") == "ok" else "—"
    if hi.get("status") == "ok":
        from_lp = _fmt_s(hi["convert_s"] + hi["pass_s"] + hi["run_s"])
        from_exact = _fmt_s(hi["build_exact_s"] + hi["convert_s"] + hi["pass_s"] + hi["run_s"])
    else:
        from_lp = from_exact = "—"
    ic = "—"
    if es.get("status") == "ok":
        ic = f"{es.get('ic_rows')}" + (f" ({es['rounds']})" if es.get("rounds") is not None else "")
    cells = [row["label"], shape, _st(hi, "run_s"), from_lp, from_exact, _st(es),
             _ratio_txt(r, "e2e/highs_run"), _ratio_txt(r, "e2e_cpu/highs_run_cpu"),
             _ratio_txt(r, "e2e/highs_from_exact"), es.get("method", "—") if es.get("status") == "ok" else "—",
             ic, _rss(es), f"{es['loadavg_before']:.1f}" if "loadavg_before" in es else "—"]
    if face:
        f = row.get("face") or {}
        ok = f.get("status") == "ok"
        cells += [_st(f), _ratio_txt(r, "solve+face/highs_run"), _ratio_txt(r, "face/highs_run"),
                  str(f.get("lps")) if ok else "—", str(f.get("unique")) if ok else "—",
                  f.get("method", "—") if ok else "—", _rss(f)]
    return "| " + " | ".join(cells) + " |"
