"""Framework parity: approxfit's GELUs against PyTorch's CPU kernels.

Models move between frameworks whose GELUs differ.  :func:`parity_report`
puts numbers on it, in float32 and bfloat16, on [−10, 10]:

=====================  ==================================================================
comparison             what is compared
=====================  ==================================================================
``paper-tanh``         approxfit's ``paper-tanh`` evaluated in the format
                       (:func:`approxfit.lowprec.emulate.evaluate_in_format`; bfloat16 with
                       ``opmath="float32"``, as PyTorch computes it) against
                       ``torch.nn.functional.gelu(x, approximate="tanh")``
``exact``              ``torch.nn.functional.gelu(x)`` against the exact GELU
``tanh-vs-exact``      PyTorch's tanh GELU against the exact GELU: the mismatch a
                       model ported between the two GELUs meets
``as-7.1.26``          (float32) approxfit's ``as-7.1.26`` in float32 against PyTorch's
                       ``gelu`` with oneDNN switched off — ATen's own vectorised kernel,
                       whose ``erf`` is Abramowitz & Stegun 7.1.26
``aten-vs-exact``      (float32) that ATen kernel against the exact GELU
=====================  ==================================================================

plus ``erf``: the A&S 7.1.26 formula for erf in float64 arithmetic, in float32
(every operation rounded, approxfit's :func:`~approxfit.approximants.published.erf_steps`), and
PyTorch's ``torch.erf``, each against the exact erf.

Differences are given as a max abs difference and in ULPs: against the exact
function, ULPs of the format at the exact value (as in
:func:`approxfit.lowprec.tables.precision_rows`); between two implementations, ULPs
at the larger of the two magnitudes.  Where a comparison exceeds 2 ulp the
report lists every unit interval of x where it does, with the largest
difference there, and ``le_2ulp_from`` — the smallest x from which on all points
agree to 2 ulp.

torch is imported inside the functions; without it :func:`parity_report` raises
:class:`~approxfit.core.exceptions.ComputationError` saying how to install it.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from approxfit.approximants.published import erf_steps
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.lowprec.emulate import evaluate_in_format, evaluate_steps
from approxfit.lowprec.formats import format_grid, get_format, round_to_format, ulp

__all__ = ["PARITY_DTYPES", "compare", "parity_report", "torch_gelu"]

Array = np.ndarray
PARITY_DTYPES: tuple[str, ...] = ("float32", "bfloat16")
ULP_LIMIT = 2.0
POINTS = 200_001

TANH_NOTE = ("below the point from which they agree to 2 ulp, tanh(p) → −1 and "
             "1 + tanh(p) cancels: a one-ulp difference between two float32 tanh "
             "implementations (PyTorch: SLEEF's vectorised tanhf; approxfit: correctly "
             "rounded) becomes a relative difference of about 2^-24/(1 + tanh p) in the "
             "result; the absolute difference stays within |x|·2^-23")


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ComputationError("PyTorch is not installed; `approxfit parity` needs it: "
                               "pip install 'approxfit[torch]'") from None
    return torch


def torch_gelu(x: Any, dtype: str, *, approximate: str = "none", onednn: bool = True
               ) -> Array:
    """``torch.nn.functional.gelu`` at ``x`` (rounded to the format), as float64.

    Parameters
    ----------
    x : array_like
    dtype : {"float32", "bfloat16", "float16", "float64"}
    approximate : {"none", "tanh"}
    onednn : bool
        False switches oneDNN (mkldnn) off for the call, so PyTorch runs its own
        ATen kernel.
    """
    torch = _torch()
    fmt = get_format(dtype)
    xr = round_to_format(x, fmt)
    t = torch.from_numpy(xr.astype(np.float64 if fmt.name == "float64" else np.float32))
    t = t.to(getattr(torch, fmt.name))
    fn = torch.nn.functional.gelu
    with warnings.catch_warnings():
        # torch.backends.mkldnn.flags warns about TF32 on Intel GPUs, irrelevant here
        warnings.filterwarnings("ignore", message=".*TF32.*", category=UserWarning)
        with torch.no_grad(), torch.backends.mkldnn.flags(enabled=onednn):
            y = fn(t, approximate=approximate)
    return y.to(torch.float64).numpy()


def _beyond(x: Array, ulps: Array, diff: Array) -> list[dict[str, float]]:
    """Per unit interval of x where some point exceeds the limit: where and how much."""
    over = ulps > ULP_LIMIT
    out = []
    if not over.any():
        return out
    cells = np.floor(x[over])
    for c in np.unique(cells):
        sel = np.flatnonzero(over)[cells == c]
        i = sel[np.argmax(ulps[sel])]
        out.append({"from": float(c), "to": float(c + 1), "points": int(sel.size),
                    "max_ulp": float(ulps[i]), "at": float(x[i]),
                    "max_abs": float(np.max(diff[sel]))})
    return out


def compare(x: Array, a: Array, b: Array, dtype: str, *, exact_b: bool = False,
            name: str = "", left: str = "", right: str = "", note: str = ""
            ) -> dict[str, Any]:
    """Max abs and ULP differences of ``a`` and ``b`` on ``x``, and where they exceed 2 ulp.

    Parameters
    ----------
    x, a, b : numpy.ndarray
        Points and the two results (float64 arrays).
    dtype : str
        The format whose ULPs count.
    exact_b : bool
        ``b`` is the exact function (float64): ULPs at ``b``; otherwise ULPs at
        ``max(|a|, |b|)``.
    name, left, right, note : str
        Labels: the comparison, what ``a`` and ``b`` are, a remark.

    Returns
    -------
    dict
        ``name``, ``left``, ``right``, ``dtype``, ``n``, ``max_abs``,
        ``argmax_abs``, ``max_ulp``, ``argmax_ulp``, ``within_2ulp`` (share of
        points), ``le_2ulp_from`` (smallest x from which on every point agrees
        to 2 ulp; None if the last point does not), ``agrees`` (all within 2
        ulp), ``beyond`` (list of ``{from, to, points, max_ulp, at, max_abs}``),
        ``note``; when ``exact_b``, also ``zero_where_nonzero`` (``points``,
        ``from``, ``to``: where ``a`` is 0 but the exact value is not).
    """
    with np.errstate(all="ignore"):
        diff = np.abs(a - b)
        scale = np.abs(b) if exact_b else np.maximum(np.abs(a), np.abs(b))
        ulps = diff / ulp(scale, dtype)
    ulps = np.where(np.isnan(ulps), np.inf, ulps)
    ia, iu = int(np.argmax(diff)), int(np.argmax(ulps))
    bad = np.flatnonzero(ulps > ULP_LIMIT)
    if bad.size == 0:
        start: float | None = float(x[0])
    elif bad[-1] == x.size - 1:
        start = None
    else:
        start = float(x[bad[-1] + 1])
    out = {"name": name, "left": left, "right": right, "dtype": dtype, "n": int(x.size),
           "max_abs": float(diff[ia]), "argmax_abs": float(x[ia]),
           "max_ulp": float(ulps[iu]), "argmax_ulp": float(x[iu]),
           "within_2ulp": float(np.mean(ulps <= ULP_LIMIT)),
           "le_2ulp_from": start, "agrees": bool(bad.size == 0),
           "beyond": _beyond(x, ulps, diff), "note": note}
    if exact_b:
        zero = np.flatnonzero((a == 0) & (b != 0))
        out["zero_where_nonzero"] = {
            "points": int(zero.size),
            "from": float(x[zero[0]]) if zero.size else None,
            "to": float(x[zero[-1]]) if zero.size else None}
    return out


def _grid(x: Any, dtype: str, lo: float, hi: float, points: int) -> Array:
    if x is None:
        return format_grid(dtype, lo, hi, max_points=points)
    xs = np.unique(round_to_format(np.asarray(x, dtype=np.float64).ravel(), dtype))
    return xs[np.isfinite(xs)]


def parity_report(x: Any = None, dtypes: tuple[str, ...] = PARITY_DTYPES, *,
                  lo: float = -10.0, hi: float = 10.0, points: int = POINTS
                  ) -> dict[str, Any]:
    """Compare approxfit's GELUs with PyTorch's, and A&S 7.1.26 erf with the exact erf.

    Parameters
    ----------
    x : array_like, optional
        The points (rounded to each format).  Default: every representable
        number in ``[lo, hi]`` for bfloat16 and float16, ``points`` evenly spaced
        points for float32.
    dtypes : tuple of str
        Formats among float32, bfloat16, float16.
    lo, hi : float
    points : int

    Returns
    -------
    dict
        ``torch`` (version, CPU capability, whether oneDNN is on), ``range``,
        ``comparisons`` (a list of :func:`compare` dicts, see the module
        docstring), ``erf`` (a list of dicts with ``name``, ``max_abs``,
        ``argmax_abs``, ``max_ulp``, ``argmax_ulp`` in float32) and
        ``paper_tanh_float32_agrees`` (paper-tanh within 2 ulp of PyTorch's tanh
        GELU in float32 on every point).

    Raises
    ------
    ComputationError
        If PyTorch is not installed.
    InputError
        For a format PyTorch's comparison does not cover (float64), or ``points``
        outside 1001 … 10 000 000.
    """
    if isinstance(points, bool) or not isinstance(points, int) or not (
            1001 <= points <= 10_000_000):
        raise InputError(f"`points` must be between 1001 and 10000000, got {points}")
    torch = _torch()
    from approxfit.approximants.published import get_published
    from approxfit.core.targets import get_target

    for d in dtypes:
        if get_format(d).name == "float64":
            raise InputError("`dtypes`: parity compares float32, bfloat16 and float16; "
                             "float64 is the reference")
    gelu = get_target("gelu")
    tanh_approx = get_published("paper-tanh")
    as_approx = get_published("as-7.1.26")
    comparisons = []
    for d in dtypes:
        fmt = get_format(d)
        xs = _grid(x, fmt.name, lo, hi, points)
        opmath = "float32" if fmt.bits == 16 else "format"
        how = ("every operation in float32" if fmt.name == "float32" else
               f"in float32, rounded once to {fmt.name}, as PyTorch does")
        ours = evaluate_in_format(tanh_approx, xs, fmt, opmath=opmath)
        theirs_tanh = torch_gelu(xs, fmt.name, approximate="tanh")
        theirs = torch_gelu(xs, fmt.name)
        with np.errstate(all="ignore"):
            exact = np.asarray(gelu.value(xs), dtype=np.float64)
        comparisons.append(compare(
            xs, ours, theirs_tanh, fmt.name, name="paper-tanh",
            left=f"approxfit paper-tanh ({how})",
            right="torch.nn.functional.gelu(x, approximate='tanh')", note=TANH_NOTE))
        comparisons.append(compare(
            xs, theirs, exact, fmt.name, exact_b=True, name="exact",
            left="torch.nn.functional.gelu(x)",
            right=f"exact GELU (approxfit's reference; rounded to {fmt.name} it is within "
                  "½ ulp)",
            note="PyTorch computes x·½·(1 + erf(x/√2)): for x < 0, 1 + erf cancels, so the "
                 "relative error grows in the negative tail" + (
                     "; with oneDNN on, float32 and bfloat16 GELU go through oneDNN"
                     if torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled
                     else "")))
        comparisons.append(compare(
            xs, theirs_tanh, exact, fmt.name, exact_b=True, name="tanh-vs-exact",
            left="torch.nn.functional.gelu(x, approximate='tanh')", right="exact GELU",
            note="the tanh GELU's own approximation error (paper-tanh's 4.7e-4)"))
        if fmt.name == "float32":
            aten = torch_gelu(xs, fmt.name, onednn=False)
            comparisons.append(compare(
                xs, evaluate_in_format(as_approx, xs, fmt), aten, fmt.name,
                name="as-7.1.26", left="approxfit as-7.1.26 (every operation in float32)",
                right="torch.nn.functional.gelu(x) with oneDNN off (ATen's kernel)",
                note="ATen's vectorised float32 erf is Abramowitz & Stegun 7.1.26 (with "
                     "fused multiply-adds and SLEEF's expf)"))
            comparisons.append(compare(
                xs, aten, exact, fmt.name, exact_b=True, name="aten-vs-exact",
                left="torch.nn.functional.gelu(x) with oneDNN off (ATen's kernel)",
                right="exact GELU"))
    erf_rows = _erf_rows(torch, as_approx.coefficients, lo, hi, x, points)
    paper32 = [c for c in comparisons if c["name"] == "paper-tanh" and c["dtype"] == "float32"]
    return {
        "torch": {"version": str(torch.__version__),
                  "cpu_capability": str(torch.backends.cpu.get_cpu_capability()),
                  "onednn": bool(torch.backends.mkldnn.is_available()
                                 and torch.backends.mkldnn.enabled)},
        "range": [float(lo), float(hi)],
        "comparisons": comparisons,
        "erf": erf_rows,
        "paper_tanh_float32_agrees": bool(paper32[0]["agrees"]) if paper32 else None,
    }


def _erf_rows(torch: Any, constants: dict[str, float], lo: float, hi: float, x: Any,
              points: int) -> list[dict[str, Any]]:
    """A&S 7.1.26 erf (float64, float32) and torch.erf against the exact erf, in float32."""
    from scipy.special import erf

    xs = _grid(x, "float32", lo, hi, points)
    u = np.unique(round_to_format(xs * math.sqrt(0.5), "float32"))
    exact = erf(u)
    steps = erf_steps(constants)
    results = {
        "as-7.1.26 erf in float64 arithmetic": evaluate_steps(steps, u, "float64"),
        "as-7.1.26 erf in float32 (every operation)": evaluate_steps(steps, u, "float32"),
        "torch.erf (float32)": torch.erf(torch.from_numpy(u.astype(np.float32))
                                         ).to(torch.float64).numpy(),
    }
    rows = []
    for name, y in results.items():
        c = compare(u, y, exact, "float32", exact_b=True, name=name, left=name,
                    right="exact erf")
        rows.append({k: c[k] for k in ("name", "n", "max_abs", "argmax_abs", "max_ulp",
                                        "argmax_ulp")})
    return rows


def parity_text(report: dict[str, Any]) -> str:
    """The report as lines of text (pure formatting)."""
    t = report["torch"]
    lines = [f"PyTorch {t['version']} (CPU {t['cpu_capability']}, oneDNN "
             f"{'on' if t['onednn'] else 'off'}), x in [{report['range'][0]:g}, "
             f"{report['range'][1]:g}]"]
    for c in report["comparisons"]:
        lines.append(f"{c['dtype']:8s} {c['name']:14s} max abs {c['max_abs']:.3e} at "
                     f"x = {c['argmax_abs']:.6g}; max {c['max_ulp']:.4g} ulp at "
                     f"x = {c['argmax_ulp']:.6g}; {100 * c['within_2ulp']:.2f}% within 2 ulp")
        lines.append(f"         {c['left']}  vs  {c['right']}")
        if not c["agrees"]:
            start = c["le_2ulp_from"]
            lines.append("         within 2 ulp for x ≥ "
                         f"{start:.6g}" if start is not None else
                         "         not within 2 ulp at the last point")
            for r in c["beyond"]:
                lines.append(f"           [{r['from']:g}, {r['to']:g}): {r['points']} points "
                             f"over 2 ulp, max {r['max_ulp']:.4g} ulp at x = {r['at']:.6g}, "
                             f"max abs {r['max_abs']:.3e}")
        z = c.get("zero_where_nonzero")
        if z and z["points"]:
            lines.append(f"         returns 0 at {z['points']} points in [{z['from']:.6g}, "
                         f"{z['to']:.6g}] where the exact value is not 0")
        if c["note"]:
            lines.append(f"         note: {c['note']}")
    for r in report["erf"]:
        lines.append(f"erf      {r['name']}: max abs {r['max_abs']:.3e} at "
                     f"x = {r['argmax_abs']:.6g}; max {r['max_ulp']:.4g} ulp (float32) at "
                     f"x = {r['argmax_ulp']:.6g}")
    return "\n".join(lines) + "\n"
