"""The benchmark's report: ``bench.md`` rendered from the ``bench.json`` document.

:mod:`bench` measures and writes ``bench.json``; this module only turns that document
into Markdown (headline, targets, one table per section, notes on missed targets).
Nothing here measures or writes a file.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

__all__ = ["fmt_ratio", "render_markdown", "render_notes"]


def _median(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def _speed(r: float | None) -> str:
    """``"12× faster"`` or ``"1.8× slower"`` for a speed-up ratio."""
    if r is None:
        return "—"
    return f"{fmt_ratio(r)} faster" if r >= 1 else f"{fmt_ratio(1 / r)} slower"


def _fmt_ms(s: float | None) -> str:
    return "—" if s is None else f"{1e3 * s:.1f}"


def _fmt_s(s: float | None) -> str:
    return "—" if s is None else f"{s:.3f}"


def fmt_ratio(r: float | None) -> str:
    if r is None:
        return "—"
    return f"{r:.3g}×" if r < 100 else f"{r:.0f}×"


def _fmt_err(e: float | None) -> str:
    return "—" if e is None else f"{e:.6e}"


def _fmt_er(r: float | None) -> str:
    return "—" if r is None else f"{r:.6f}"


def _fmt_load(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _fmt_slope(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _met(m: bool | None) -> str:
    return "skipped" if m is None else ("**met**" if m else "**not met**")


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None
           ) -> list[str]:
    al = align or ("l" + "r" * (len(header) - 1))
    sep = ["---:" if a == "r" else ":---" for a in al]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return out


def render_markdown(doc: dict[str, Any], *, equal_rtol: float) -> str:
    """The human report: headline, targets, one table per section, notes on misses.

    Parameters
    ----------
    doc : dict
        The whole ``bench.json`` document.

    Returns
    -------
    str
        Markdown text.
    """
    meta, head, targets = doc["meta"], doc["headline"], doc["targets"]
    nl = doc["minimax_nonlinear"]
    lines = ["# approxfit benchmark", ""]
    lines.append(f"`python scripts/bench.py{' --quick' if meta['quick'] else ''}` — "
                 f"{meta['date']}, Python {meta['python']}, numpy {meta['numpy']}, scipy "
                 f"{meta['scipy']}, {meta['cpus']} CPUs ({meta['machine']}), "
                 f"run took {meta['wall_s']:.0f} s (1-minute load average "
                 f"{_fmt_load(meta['loadavg_1min_before'])} before, "
                 f"{_fmt_load(meta['loadavg_1min_after'])} after). Times are medians of "
                 "repeated runs (`time.perf_counter`); the JSON has every run.")
    commit = (meta["git_commit"] or "unknown")[:10]
    dirty = f", modified: {', '.join(meta['git_modified'])}" if meta["git_modified"] else ""
    lines += ["", f"approxfit measured: `{meta['approxfit_path']}` (repository commit "
                  f"{commit}{dirty})."]
    if meta["quick"]:
        lines += ["", "**Quick mode (smoke test): few cases, small grids, few repeats — not "
                      "for comparison.**"]
    lines += ["", "## Headline", ""]
    hl = [c for c in nl["cases"] if c["family"] == "tanh" and c["degree"] == 5
          and c["on"] == "gate"] or nl["cases"][:1]
    for c in hl:
        nm = c["baselines"]["nelder_mead"]
        lines.append(
            f"* Minimax {c['family']} degree {c['degree']} on the {c['on']} "
            f"({nl['setup']['samples']} samples): approxfit "
            f"{_fmt_ms(c['approxfit']['time']['median_s'])} ms vs Nelder–Mead "
            f"{_fmt_ms(nm['time']['median_s'])} ms (approxfit "
            f"{_speed(c['speedup']['nelder_mead'])}); max error "
            f"{c['approxfit']['max_error']:.6e} vs "
            f"{nm['max_error']:.6e} (ratio {_fmt_er(c['error_ratio']['nelder_mead'])}).")
    h1 = head["minimax_nonlinear"]
    lines.append(
        f"* Nonlinear minimax, all {len(nl['cases'])} cases: speed-up vs Nelder–Mead "
        f"{fmt_ratio(h1['speedup_vs_nelder_mead']['min'])}–"
        f"{fmt_ratio(h1['speedup_vs_nelder_mead']['max'])} (median "
        f"{fmt_ratio(h1['speedup_vs_nelder_mead']['median'])}), vs Powell "
        f"{fmt_ratio(h1['speedup_vs_powell_median'])}, vs iterated l_p "
        f"{fmt_ratio(h1['speedup_vs_lp_iterated_median'])} (medians); baseline error / "
        f"approxfit error: Nelder–Mead {_fmt_er(h1['error_ratio_nelder_mead']['min'])}–"
        f"{_fmt_er(h1['error_ratio_nelder_mead']['max'])}, Powell "
        f"{_fmt_er(h1['error_ratio_powell']['min'])}–{_fmt_er(h1['error_ratio_powell']['max'])},"
        f" l_p {_fmt_er(h1['error_ratio_lp_iterated']['min'])}–"
        f"{_fmt_er(h1['error_ratio_lp_iterated']['max'])}.")
    h2 = head["minimax_poly"]
    lines.append(
        f"* Polynomial minimax, {h2['cases']} cases: Chebyshev interpolation's error is "
        f"{_fmt_er(h2['chebyshev_error_ratio']['median'])}× approxfit's (median; "
        f"{_fmt_er(h2['chebyshev_error_ratio']['min'])}–"
        f"{_fmt_er(h2['chebyshev_error_ratio']['max'])}); the full-grid linprog takes "
        f"{fmt_ratio(h2['linprog_time_ratio']['median'])} approxfit's time (median) with "
        f"error ratio {_fmt_er(h2['linprog_error_ratio']['min'])}–"
        f"{_fmt_er(h2['linprog_error_ratio']['max'])}; approxfit failed in "
        f"{h2['approxfit_failed']}.")
    h3 = head["least_squares"]
    lines.append(
        f"* Least squares: approxfit / curve_fit time {fmt_ratio(h3['time_ratio']['median'])} "
        f"(median; {fmt_ratio(h3['time_ratio']['min'])}–{fmt_ratio(h3['time_ratio']['max'])})"
        f", {fmt_ratio(h3['time_ratio_without_metrics_median'])} without the result's "
        f"metrics; coefficients agree to {h3['coef_rel_diff_max']:.1e} relative.")
    h4 = head["cli"]
    lines.append(
        f"* CLI (cold, median): `--help` {_fmt_s(h4['help'])} s, `fit` l2 "
        f"{_fmt_s(h4['fit_l2'])} s, `fit` minimax {_fmt_s(h4['fit_minimax'])} s, `reproduce` "
        f"{_fmt_s(h4['reproduce'])} s (interpreter + numpy/scipy imports alone: "
        f"{_fmt_s(h4['python_imports'])} s).")
    sl = head["scaling"]["loglog_slope"]
    lines.append(f"* Scaling in samples (10⁴ → 10⁶): log-log slope of time, l2 "
                 f"{_fmt_slope(sl['l2'])}, minimax {_fmt_slope(sl['minimax'])} (1 = linear).")
    h9 = head.get("coefficients")
    if h9:
        vs_sollya, vs_base = (None if r is None else 1 / r for r in (
            h9["time_ratio_sollya"]["median"], h9["time_ratio_baseline"]["median"]))
        lines.append(
            f"* Coefficients in a format ({h9['cases']} of the cases of tests/test_fpcoeff.py)"
            f": approxfit's exact search takes {_fmt_s(h9['approxfit_s']['min'])}–"
            f"{_fmt_s(h9['approxfit_s']['max'])} s (median {_fmt_s(h9['approxfit_s']['median'])})"
            + (f", {_speed(vs_sollya)} than Sollya's fpminimax process and "
               if vs_sollya is not None else " (Sollya not run: not installed), ")
            + f"{_speed(vs_base)} than rounding + ±2 ulp (medians); error / approxfit's: "
            + (f"Sollya {_fmt_er(h9['error_ratio_sollya']['min'])}–"
               f"{_fmt_er(h9['error_ratio_sollya']['max'])}, "
               if h9["error_ratio_sollya"]["min"] is not None else "")
            + "rounding + ±2 ulp "
            f"{_fmt_er(h9['error_ratio_baseline']['min'])}–"
            f"{_fmt_er(h9['error_ratio_baseline']['max'])}, round-to-nearest "
            f"{_fmt_er(h9['error_ratio_nearest']['min'])}–"
            f"{_fmt_er(h9['error_ratio_nearest']['max'])}.")

    lines += ["", "## Targets", ""]
    lines += ["Rows marked *check* are the bench's own consistency checks, not targets of "
              "the issue.", ""]
    lines += _table(["target", "value", "status", "detail"],
                    [[t["name"] + (" (*check*)" if t["kind"] == "check" else ""),
                      "—" if t["value"] is None else f"{t['value']:.4g}",
                      _met(t["met"]), t["detail"]] for t in targets], "lrll")
    lines += ["", *render_notes(doc, equal_rtol=equal_rtol)]

    # Section 1
    lines += ["", "## 1. Nonlinear minimax (gelu, [−10, 10])", ""]
    s = nl["setup"]
    lines += [f"{s['samples']} uniform samples. Start of every method: {s['start']}. "
              f"approxfit time: {s['approxfit_time']}; baseline time: {s['baseline_time']}. "
              f"Nelder–Mead: `{s['nelder_mead']}`; Powell: `{s['powell']}`; iterated l_p: "
              f"{s['lp_iterated']}. Error: {s['error']}. Speed-up = baseline time / approxfit "
              "time; error ratio = baseline error / approxfit error (> 1: approxfit lower).", ""]
    rows = []
    for c in nl["cases"]:
        a, b = c["approxfit"], c["baselines"]
        rows.append([f"{c['family']} {c['degree']}", c["on"], _fmt_ms(a["time"]["median_s"]),
                     f"{a['max_error']:.6e}", a["iterations"],
                     _fmt_ms(b["nelder_mead"]["time"]["median_s"]), b["nelder_mead"]["nfev"],
                     fmt_ratio(c["speedup"]["nelder_mead"]),
                     _fmt_er(c["error_ratio"]["nelder_mead"]),
                     _fmt_ms(b["powell"]["time"]["median_s"]), fmt_ratio(c["speedup"]["powell"]),
                     _fmt_er(c["error_ratio"]["powell"]),
                     _fmt_ms(b["lp_iterated"]["time"]["median_s"]),
                     fmt_ratio(c["speedup"]["lp_iterated"]),
                     _fmt_er(c["error_ratio"]["lp_iterated"])])
    lines += _table(["family deg", "on", "approxfit ms", "approxfit max err", "iter",
                     "NM ms", "NM nfev", "NM speed-up", "NM err ratio", "Powell ms",
                     "Powell speed-up", "Powell err ratio", "l_p ms", "l_p speed-up",
                     "l_p err ratio"], rows, "llrrrrrrrrrrrrr")
    lines += ["", "Where approxfit's time goes (same cases):", ""]
    rows = []
    for c in nl["cases"]:
        a = c["approxfit"]
        rows.append([f"{c['family']} {c['degree']}", c["on"], _fmt_ms(a["time"]["median_s"]),
                     _fmt_ms(a["l2_fit_time"]["median_s"]), _fmt_ms(a["metrics_time"]["median_s"]),
                     fmt_ratio(c["speedup_including_l2_start"]["nelder_mead"]),
                     f"{a['l2_max_error']:.3e}", f"{a['residual_check_rel']:.1e}"])
    lines += _table(["family deg", "on", "minimax fit ms", "l2 fit ms (its start)",
                     "result metrics ms", "NM speed-up incl. l2 start",
                     "l2 start max err", "residual check (rel)"], rows, "llrrrrrr")

    # Section 2
    pc = doc["minimax_poly"]
    s = pc["setup"]
    lines += ["", "## 2. Polynomial minimax (on the value)", "",
              f"{s['samples']} uniform samples per range. approxfit: {s['approxfit']}. "
              f"Chebyshev: {s['chebyshev']}. linprog: {s['linprog']}. Error ratio = baseline "
              "error / approxfit error; time ratio = baseline time / approxfit time.", ""]
    rows = []
    for c in pc["cases"]:
        a = c["approxfit"]
        rows.append([c["target"], f"[{c['range'][0]:g}, {c['range'][1]:g}]", c["degree"],
                     _fmt_ms(a["time"]["median_s"]),
                     _fmt_err(a["max_error"]) if not a["failed"] else "failed",
                     _fmt_ms(c["chebyshev"]["time"]["median_s"]),
                     _fmt_er(c["error_ratio"]["chebyshev"]),
                     _fmt_ms(c["linprog"]["time"]["median_s"])
                     + ("†" if len(c["linprog"]["attempts"]) > 1 else ""),
                     fmt_ratio(c["time_ratio"]["linprog"]),
                     "failed" if c["linprog"]["status"] else
                     _fmt_er(c["error_ratio"]["linprog"])])
    lines += _table(["target", "range", "deg", "approxfit ms", "approxfit max err",
                     "Chebyshev ms", "Chebyshev err ratio", "linprog ms", "linprog time ratio",
                     "linprog err ratio"], rows, "llrrrrrrrr")
    retried = sum(1 for c in pc["cases"] if len(c["linprog"]["attempts"]) > 1)
    if retried:
        lines += ["", f"† In {retried} cases HiGHS reported numerical difficulties (status 4) "
                      "at the 1e-10 tolerances and the baseline was re-solved (see "
                      "`attempts` in the JSON); the time includes every attempt."]
    fails = [c for c in pc["cases"] if c["approxfit"]["failed"]]
    if fails:
        lines += ["", "approxfit failures:", ""]
        lines += [f"* {c['target']} [{c['range'][0]:g}, {c['range'][1]:g}] degree "
                  f"{c['degree']}: {c['approxfit']['failed']}" for c in fails]

    # Section 3
    ls = doc["least_squares"]
    s = ls["setup"]
    lines += ["", "## 3. Least squares against curve_fit", "",
              f"gelu on [−10, 10], {s['samples']} samples; start: {s['start']}. approxfit: "
              f"{s['approxfit']}. curve_fit: {s['curve_fit']}. Time ratio = approxfit time / "
              "curve_fit time (target ≤ 1.5).", ""]
    rows = []
    for c in ls["cases"]:
        rows.append([f"{c['family']} {c['degree']}", c["on"],
                     _fmt_ms(c["approxfit"]["time"]["median_s"]),
                     _fmt_ms(c["approxfit"]["metrics_time"]["median_s"]),
                     c["approxfit"]["nfev"], _fmt_ms(c["curve_fit"]["time"]["median_s"]),
                     _fmt_ms(c["curve_fit_precomputed"]["time"]["median_s"]),
                     fmt_ratio(c["time_ratio"]), fmt_ratio(c["time_ratio_without_metrics"]),
                     fmt_ratio(c["time_ratio_vs_precomputed"]), f"{c['coef_rel_diff']:.1e}",
                     f"{c['rmse_rel_diff']:.1e}"])
    lines += _table(["family deg", "on", "approxfit ms", "of which metrics ms", "nfev",
                     "curve_fit ms", "curve_fit (x^k precomputed) ms", "time ratio",
                     "ratio without metrics", "ratio vs precomputed", "coef rel diff",
                     "RMSE rel diff"], rows, "llrrrrrrrrrr")

    # Section 4
    cli = doc["cli"]
    lines += ["", "## 4. Command line (cold subprocess wall time)", "",
              f"Executable: `{cli['setup']['executable']}`; {cli['setup']['cold']}.", ""]
    rows = []
    for name, c in cli["commands"].items():
        t = c["time"]
        rows.append([name, f"`{c['command']}`",
                     "skipped" if t is None else _fmt_s(t["median_s"]),
                     "—" if t is None else t["n"],
                     "—" if c["target_s"] is None else f"≤ {c['target_s']:g}",
                     "—" if c["target_s"] is None else _met(c["met"])])
    lines += _table(["name", "command", "median s", "runs", "target s", "status"], rows,
                    "llrrrl")

    # Section 5
    sc = doc["scaling"]
    lines += ["", "## 5. Scaling", "", f"Samples: {sc['setup']['samples']}.", ""]
    rows = []
    for r in sc["samples"]:
        rows.append([f"{r['samples']:,}", _fmt_ms(r["l2"]["time"]["median_s"]),
                     f"{r['l2']['per_sample_us']:.2f}", r["l2"]["iterations"],
                     f"{r['l2']['per_sample_per_iteration_us']:.3f}",
                     _fmt_ms(r["minimax"]["time"]["median_s"]),
                     f"{r['minimax']['per_sample_us']:.2f}", r["minimax"]["iterations"]])
    lines += _table(["samples", "l2 ms", "l2 µs/sample", "l2 nfev", "l2 µs/sample/nfev",
                     "minimax ms", "minimax µs/sample", "minimax iter"], rows)
    lines += ["", "Log-log slope of time on samples (≥ 10⁴): " + ", ".join(
        f"{k} {_fmt_slope(v)}" for k, v in sc["loglog_slope"].items())
        + f"; l2 time per evaluation {_fmt_slope(sc['loglog_slope_l2_per_evaluation'])} "
        "(1 = linear).", "", f"Degree: {sc['setup']['degree']}.", ""]
    rows = []
    for r in sc["degree"]:
        rows.append([r["family"], r["degree"], _fmt_ms(r["time"]["median_s"]), r["time"]["n"],
                     "—" if r["iterations"] is None else r["iterations"],
                     "failed" if r["failed"] else ("yes" if r["converged"] else "no"),
                     _fmt_err(r["max_error"])])
    lines += _table(["family", "degree", "minimax ms", "runs", "iterations", "converged",
                     "max err"], rows, "lrrrrlr")
    lines += _render_hard(doc.get("hard_cases"))
    lines += _render_release(doc.get("release"))
    lines += _render_verify(doc.get("verify"))
    lines += _render_coefficients(doc.get("coefficients"))
    return "\n".join(lines) + "\n"


def _render_coefficients(fc: dict[str, Any] | None) -> list[str]:
    """Section 9: coefficients in a format against Sollya's fpminimax and rounding."""
    if not fc or "cases" not in fc:
        return []
    s = fc["setup"]
    st = fc.get("sollya_startup")
    lines = ["", "## 9. Coefficients in a format, against Sollya's fpminimax", "",
             f"Cases: {s['cases']}. approxfit: {s['approxfit']}. Baseline: {s['baseline']}. "
             f"Sollya: {s['sollya']}."
             + (f" Sollya's start-up alone: {_fmt_ms(st['median_s'])} ms." if st else "")
             + f" Timing: {s['timing']}. Error: {s['error']}. Time ratio = "
             f"{s['time_ratio']}; error ratio = {s['error_ratio']}.", ""]
    rows = []
    for c in fc["cases"]:
        m = c["methods"]
        a, b, so = m["approxfit"], m["baseline"], c["sollya"]
        er = c["error_ratio"]
        rows.append([c["name"], _fmt_s(a["time"]["median_s"]), a["time"]["n"],
                     _fmt_s(b["time"]["median_s"]),
                     _fmt_s(so["time"]["median_s"]) if so.get("time") else
                     so.get("skipped", "—"),
                     fmt_ratio(c["time_ratio"]["sollya"]),
                     fmt_ratio(c["time_ratio"]["baseline"]), _fmt_err(a["max_error"]),
                     _fmt_er(er.get("sollya")) if "sollya" in er else so.get("failed", "—"),
                     _fmt_er(er["baseline"]), _fmt_er(er["nearest"]), _fmt_er(er["float64"]),
                     "yes" if a["proven"] else "no"])
    lines += _table(["case", "approxfit s", "runs", "rounding + ±2 ulp s", "Sollya s",
                     "time ratio Sollya", "time ratio rounding", "approxfit max err",
                     "Sollya err ratio", "rounding + ±2 ulp err ratio",
                     "round-to-nearest err ratio", "float64 minimax err ratio", "proven"],
                    rows, "lrrrrrrrrrrrl")
    dirty = [(c["name"], c["methods"]) for c in fc["cases"]
             if c["methods"]["approxfit"].get("max_error_sollya") is not None]
    if dirty:
        diff = max(abs(v["max_error"] / v["max_error_sollya"] - 1)
                   for _, ms in dirty for v in ms.values() if v["max_error_sollya"])
        lines += ["", f"Sollya's dirtyinfnorm of every method's polynomial agrees with "
                      f"approxfit's measure to {diff:.1e} relative (largest difference over "
                      f"{len(dirty)} cases); `error_ratio_sollya_measure` in the JSON has the "
                      "ratios by dirtyinfnorm."]
    return lines


def _render_hard(hc: dict[str, Any] | None) -> list[str]:
    """Section 6: the issue's cases against Sollya's remez."""
    if not hc or "cases" not in hc:
        return []
    s = hc["setup"]
    lines = ["", "## 6. The issue's cases, against Sollya's remez", "",
             f"In process: {s['in_process']}. Process: {s['process']}. Sollya: {s['sollya']}. "
             f"Error: {s['error']}. Time ratio = {s['time_ratio_sollya']}; error ratio = "
             f"{s['error_ratio_sollya']}.", ""]
    rows = []
    for c in hc["cases"]:
        a, so, pr = c["approxfit"], c["sollya"], c["approxfit_process"]
        status = a["failed"] if a["failed"] else ("converged" if a.get("converged")
                                                  else "not converged")
        skipped = bool(a["failed"]) and a["failed"].startswith("skipped")
        rows.append([c["name"], f"`{c['command']}`",
                     "—" if skipped else _fmt_ms(a["time"]["median_s"]),
                     "—" if c["target_s"] is None else f"≤ {1e3 * c['target_s']:g}",
                     _fmt_s(pr["median_s"]) if pr else "—",
                     _fmt_s(so["time"]["median_s"]) if so["time"] else
                     so.get("skipped", so.get("failed", "—")),
                     fmt_ratio(c["time_ratio_sollya"]), _fmt_err(a["max_error"]),
                     _fmt_err(so["max_error"]),
                     "—" if c["error_ratio_sollya"] is None
                     else f"{c['error_ratio_sollya']:.9f}", status])
    lines += _table(["case", "command", "in process ms", "target ms", "process s",
                     "Sollya s", "time ratio", "approxfit max err", "Sollya max err",
                     "error ratio", "status"], rows, "llrrrrrrrrl")
    return lines


def _render_verify(vf: dict[str, Any] | None) -> list[str]:
    """Section 8: exhaustive verification (bfloat16, float16, float32 projected)."""
    if not vf or "half" not in vf:
        return []
    s = vf["setup"]
    lines = ["", "## 8. Exhaustive verification (`approxfit verify`)", "",
             f"Kernel: {s['kernel']}. Alternative: {s['alternative']}. float32: "
             f"{s['float32']}; {s['cpus']} CPUs.", ""]
    rows = [[h["format"], f"{h['inputs']:,}", _fmt_s(h["time"]["median_s"]), h["time"]["n"],
             _fmt_s(h["mpmath_reference_s"]), fmt_ratio(h["speedup_vs_mpmath"]),
             f"{h['incorrectly_rounded']:,}", h["max_ulp"], _met(h["met"])]
            for h in vf["half"]]
    lines += _table(["format", "inputs", "verify s", "runs", "mpmath per input s",
                     "speed-up", "incorrectly rounded", "max ulp", "≤ 1 s"], rows,
                    "lrrrrrrrl")
    f = vf["float32"]
    full = f["full"]
    lines += [""]
    lines += _table(["float32 (every finite input)", "sample s", "projected min",
                     "sample CPU s", "projected min on idle cores", "load before"],
                    [[k, _fmt_s(f[k]["sample_s"]), f"{f[k]['projected_s'] / 60:.1f}",
                      _fmt_s(f[k]["cpu_s"]), f"{f[k]['projected_idle_s'] / 60:.1f}",
                      _fmt_load(f[k]["loadavg_before"])] for k in ("serial", "local")],
                    "lrrrrr")
    lines += ["", f"Local / serial speed-up {fmt_ratio(f['speedup_local'])}; "
                  + (f"the full sweep took {full['wall_s'] / 60:.1f} min "
                     f"({full['incorrectly_rounded']:,} incorrectly rounded, max "
                     f"{full['max_ulp']} ulp)" if full else
                     "the full sweep was not run (`--float32-full` runs it)")
                  + f"; target ≤ {f['target_s'] / 60:g} min: {_met(f['met'])}."]
    return lines


def _render_release(rel: dict[str, Any] | None) -> list[str]:
    """This run's approxfit times against the release's (committed results/bench.json)."""
    if not rel:
        return []
    lines = ["", "## 7. Against the release", ""]
    if rel.get("skipped"):
        return [*lines, f"Skipped: {rel['skipped']}."]
    lines += [f"Release: results/bench.json of commit {(rel['commit'] or 'unknown')[:10]} "
              f"({rel['date']}). Ratio = this run / release (< 1: faster now); median "
              f"{fmt_ratio(rel['ratio_median'])}, worst {fmt_ratio(rel['ratio_max'])}.", ""]
    rows = [[r["section"], r["case"], _fmt_ms(r["release_s"]), _fmt_ms(r["now_s"]),
             fmt_ratio(r["ratio"])] for r in rel["cases"]]
    lines += _table(["section", "case", "release ms", "now ms", "ratio"], rows, "llrrr")
    return lines


def render_notes(doc: dict[str, Any], *, equal_rtol: float) -> list[str]:
    """Why each missed target was missed, in the bench's own numbers."""
    notes: list[str] = []
    met = {t["name"]: t["met"] for t in doc["targets"]}
    nl = doc["minimax_nonlinear"]["cases"]
    if nl and not met.get("minimax: ≥ 50× faster than Nelder–Mead", True):
        nm_t = _median([c["baselines"]["nelder_mead"]["time"]["median_s"] for c in nl])
        nm_f = _median([c["baselines"]["nelder_mead"]["nfev"] for c in nl])
        af_t = _median([c["approxfit"]["time"]["median_s"] for c in nl])
        l2_t = _median([c["approxfit"]["l2_fit_time"]["median_s"] for c in nl])
        mt_t = _median([c["approxfit"]["metrics_time"]["median_s"] for c in nl])
        notes.append(
            f"* **≥ 50× vs Nelder–Mead is not met.** From approxfit's own least-squares fit "
            f"the max-error problem has only 1–4 free coefficients and starts close to the "
            f"optimum, so Nelder–Mead converges in a median {nm_f:.0f} evaluations "
            f"({_fmt_ms(nm_t)} ms median). 50× would need approxfit to finish in about "
            f"{_fmt_ms(nm_t / 50)} ms; approxfit's whole minimax fit takes {_fmt_ms(af_t)} ms "
            f"(median) — its linear start, three or so Remez steps, the certificate and the "
            f"result's metrics ({_fmt_ms(mt_t)} ms) — against {_fmt_ms(l2_t)} ms for a "
            "least-squares fit alone. Nelder–Mead is this quick only because it is given "
            "the least-squares optimum as its start; the error target against Nelder–Mead "
            "is a separate row.")
    if not met.get("minimax: lower max error than every baseline", True):
        notes.append(
            "* **Lower than every baseline**: approxfit is strictly lower than Powell and "
            "iterated l_p where the table's ratios exceed 1; where Nelder–Mead's ratio is "
            f"1 to within {equal_rtol:g} it reached the same optimum (a tie, not a loss).")
    ls = doc["least_squares"]["cases"]
    if ls and not met.get("least squares: time ≤ 1.5× curve_fit", True):
        tr = _median([c["time_ratio"] for c in ls])
        tm = _median([c["time_ratio_without_metrics"] for c in ls])
        mt = _median([c["approxfit"]["metrics_time"]["median_s"] for c in ls])
        notes.append(
            f"* **≤ 1.5× curve_fit is not met** (median {fmt_ratio(tr)}). approxfit's `fit` "
            f"also measures its result (metrics on both gate and value with a refined "
            f"maximum, and the error beyond the range): {_fmt_ms(mt)} ms median; without it "
            f"the ratio is {fmt_ratio(tm)}. Both call MINPACK's lmder with the same model "
            "and Jacobian kernels, so the rest is wrapper overhead (scipy's least_squares "
            "vs leastsq) and evaluation counts.")
    cli = doc["cli"]["commands"]
    for key in ("help", "fit_l2", "fit_minimax", "reproduce"):
        c = cli[key]
        if c["met"] is False:
            floor = cli["python_imports"]["time"]["median_s"]
            notes.append(
                f"* **CLI {key} ({_fmt_s(c['time']['median_s'])} s) misses ≤ "
                f"{c['target_s']:g} s.** Starting Python and importing numpy, scipy.optimize "
                f"and scipy.special alone takes {_fmt_s(floor)} s on this machine (median of "
                f"{cli['python_imports']['time']['n']}), which leaves "
                f"{_fmt_s(c['target_s'] - floor)} s for typer, approxfit's own imports, the "
                f"computation and the output; the command took "
                f"{_fmt_s(c['time']['median_s'] - floor)} s beyond that floor.")
    sc = doc["scaling"]
    for obj, slope in sc["loglog_slope"].items():
        if slope is not None and slope > 1.1:
            rows = [r for r in sc["samples"] if r["samples"] >= 10_000] or sc["samples"]
            its = [r[obj]["iterations"] for r in rows]
            extra = (f"; per l2 evaluation the slope is "
                     f"{_fmt_slope(sc['loglog_slope_l2_per_evaluation'])}"
                     if obj == "l2" else "")
            notes.append(
                f"* **Scaling ({obj}) slope {slope:.2f} > 1.1.** The "
                f"{'evaluation' if obj == 'l2' else 'iteration'} count goes "
                f"{' → '.join(str(i) for i in its)} from {rows[0]['samples']:,} to "
                f"{rows[-1]['samples']:,} samples{extra}; the µs per sample columns show "
                "the rest (large arrays fall out of the CPU caches).")
    pc = doc["minimax_poly"]["cases"]
    failed = [c for c in pc if c["approxfit"]["failed"]]
    above = [c for c in pc if c["error_ratio"]["linprog"] is not None
             and c["error_ratio"]["linprog"] < 1 - 1e-6]
    if failed:
        where = ", ".join(f"{c['target']} [{c['range'][0]:g}, {c['range'][1]:g}] deg "
                          f"{c['degree']}" for c in failed)
        notes.append(
            f"* **Polynomial minimax failed in {len(failed)} of {len(pc)} cases** ({where}): "
            "approxfit's LP step raised ComputationError (the message is in section 2). The "
            "full-grid baseline met the same HiGHS failure in the cases marked † and "
            "succeeded on a retry.")
    if above:
        notes.append(
            f"* **Polynomial minimax above the LP optimum in {len(above)} of {len(pc)} "
            "cases** (linprog error ratio < 1 in section 2).")
    return ["## Notes on missed targets", "", *notes] if notes else []
