"""Coefficient rounding: an approximant's coefficients rounded to a format, and a
small search over their representable neighbours (:func:`coefficient_rounding`,
:func:`reoptimise_rounded`), with :func:`rounding_text` for the terminal.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from approxfit.approximants.base import AnyApproximant
from approxfit.core.exceptions import InputError
from approxfit.lowprec.emulate import evaluate_in_format
from approxfit.lowprec.formats import (
    Format,
    get_format,
    round_to_format,
    step_ulps,
    to_ordered,
)

__all__ = ["GRID_LIMIT", "ROUNDABLE_FAMILIES", "RoundingResult", "coefficient_rounding",
           "reoptimise_rounded", "round_coefficients", "rounding_text"]

Array = np.ndarray
ROUNDABLE_FAMILIES: tuple[str, ...] = ("tanh", "sigmoid", "poly")


def _check_roundable(approximant: AnyApproximant) -> None:
    if approximant.family not in ROUNDABLE_FAMILIES:
        raise InputError("`dtype` rounding applies to the tanh, sigmoid and poly families, "
                         f"not to {approximant.family} "
                         f"({approximant.name or approximant.describe()!r})")


def round_coefficients(approximant: AnyApproximant, dtype: str | Format) -> AnyApproximant:
    """A copy of the approximant with every coefficient rounded to the format.

    The clamp is rounded too.  The name gets a ``@dtype`` suffix.
    """
    fmt = get_format(dtype)
    _check_roundable(approximant)
    coefs = approximant.coefficients
    rounded = round_to_format(np.asarray(list(coefs.values()), dtype=np.float64), fmt)
    clamp = None if approximant.clamp is None else float(round_to_format(approximant.clamp,
                                                                          fmt))
    return approximant.with_coefficients(
        dict(zip(coefs, (float(v) for v in rounded), strict=True)), clamp=clamp,
        name=f"{approximant.name or approximant.family}@{fmt.name}")


@dataclass(frozen=True)
class RoundingResult:
    """Coefficients rounded to a format, and what a search among their neighbours gains.

    Errors are max abs errors of ``on`` on the sample points, in the arithmetic
    named by ``arithmetic`` (``float64``: the coefficients' effect alone;
    ``format``: every operation in the format too); ``*_in_format`` are always in
    the format's arithmetic (:func:`evaluate_in_format`).

    Attributes
    ----------
    dtype, on, arithmetic : str
    names : tuple of str
        ``c1, c3, …``.
    float64, rounded, reoptimised : tuple of float
        The coefficients: as fitted, rounded to nearest, after the search.
    steps : tuple of int
        How many representable numbers each reoptimised coefficient moved from
        the rounded one.
    error_float64, error_rounded, error_reoptimised : float
    error_rounded_in_format, error_reoptimised_in_format : float
    loss : float
        ``error_rounded − error_float64``: what rounding costs.
    gain : float
        ``error_rounded − error_reoptimised``: what the search wins back (≥ 0).
    searched : bool
        Whether the search ran (False: ``reoptimised`` is ``rounded``).
    radius : int
        Neighbours searched: ±radius representable numbers per coefficient.
    evaluations : int
    fixed : tuple of str
        Coefficients held at their rounded value.
    """

    dtype: str
    on: str
    arithmetic: str
    names: tuple[str, ...]
    float64: tuple[float, ...]
    rounded: tuple[float, ...]
    reoptimised: tuple[float, ...]
    steps: tuple[int, ...]
    error_float64: float
    error_rounded: float
    error_reoptimised: float
    error_rounded_in_format: float
    error_reoptimised_in_format: float
    searched: bool
    radius: int
    evaluations: int
    fixed: tuple[str, ...] = field(default=())

    @property
    def loss(self) -> float:
        """``error_rounded − error_float64``."""
        return self.error_rounded - self.error_float64

    @property
    def gain(self) -> float:
        """``error_rounded − error_reoptimised``."""
        return self.error_rounded - self.error_reoptimised

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: coefficient dicts by name, errors, loss and gain."""
        def named(v: Sequence[float]) -> dict[str, float]:
            return dict(zip(self.names, (float(c) for c in v), strict=True))

        return {"dtype": self.dtype, "on": self.on, "arithmetic": self.arithmetic,
                "coefficients_float64": named(self.float64),
                "coefficients_rounded": named(self.rounded),
                "coefficients_reoptimised": named(self.reoptimised),
                "steps_ulp": dict(zip(self.names, self.steps, strict=True)),
                "error_float64": self.error_float64, "error_rounded": self.error_rounded,
                "error_reoptimised": self.error_reoptimised,
                "error_rounded_in_format": self.error_rounded_in_format,
                "error_reoptimised_in_format": self.error_reoptimised_in_format,
                "loss": self.loss, "gain": self.gain, "searched": self.searched,
                "radius": self.radius, "evaluations": self.evaluations,
                "fixed": list(self.fixed)}


GRID_LIMIT = 729  # full grid of (2·radius + 1)^n candidates up to this many


def coefficient_rounding(approximant: AnyApproximant, x: Any, dtype: str | Format, *,
                         on: str = "gate", reoptimise: bool = False, radius: int = 2,
                         arithmetic: str = "float64", fixed: Sequence[str] = (),
                         max_sweeps: int = 50) -> RoundingResult:
    """Round the coefficients to a format; optionally search their neighbours.

    The search minimises the max abs error of ``on`` on ``x`` over coefficients
    within ``±radius`` representable numbers of the rounded ones: the whole grid
    of ``(2·radius + 1)^n`` candidates when that is at most 729, then coordinate
    descent (each coefficient in turn, steps of 1 … radius representable numbers,
    until no step improves, at most ``max_sweeps`` sweeps), which may walk
    further than ``radius``.  It is deterministic, and it never returns a worse
    set than the rounded one.

    ``arithmetic="float64"`` (the default) measures the coefficients' effect
    alone: the formula in float64 with the rounded coefficients.  In float16 or
    bfloat16 *arithmetic* the max error is mostly the format's own rounding of the
    result (see :func:`precision_rows`' floor), and a search would chase that
    noise; ``arithmetic="format"`` does it anyway when that is what is wanted.
    Both errors are reported.

    Parameters
    ----------
    approximant : AnyApproximant
        Of a family (tanh, sigmoid, poly).
    x : array_like
        The sample points (the fit's grid).
    dtype : {"float64", "float32", "float16", "bfloat16"}
    on : {"gate", "value"}
    reoptimise : bool
        Run the search.
    radius : int
        1 … 8.
    arithmetic : {"float64", "format"}
    fixed : sequence of str
        Coefficient names held at their rounded values.
    max_sweeps : int

    Returns
    -------
    RoundingResult
    """
    fmt = get_format(dtype)
    _check_roundable(approximant)
    if arithmetic not in ("float64", "format"):
        raise InputError(f"`arithmetic` must be 'float64' or 'format', got {arithmetic!r}")
    if isinstance(radius, bool) or not isinstance(radius, int) or not 1 <= radius <= 8:
        raise InputError(f"`radius` must be a whole number from 1 to 8, got {radius!r}")
    if on not in ("gate", "value"):
        raise InputError(f"`on` must be 'gate' or 'value', got {on!r}")
    names = tuple(approximant.coefficients)
    unknown = [n for n in fixed if n not in names]
    if unknown:
        raise InputError(f"`fixed` names {', '.join(unknown)}, which are not coefficients; "
                         f"the coefficients are {', '.join(names)}")
    xs = np.asarray(x, dtype=np.float64).ravel()
    target = approximant.target_obj
    with np.errstate(all="ignore"):
        exact64 = np.asarray(target.evaluate(xs, on=on), dtype=np.float64)
        xf = np.unique(round_to_format(xs, fmt))
        xf = xf[np.isfinite(xf)]
        exactf = np.asarray(target.evaluate(xf, on=on), dtype=np.float64)
    if on == "gate" and not approximant.gate_direct and target.relation is not None \
            and target.relation.name == "product":
        keep64, keepf = xs != 0, xf != 0
        xs, exact64, xf, exactf = xs[keep64], exact64[keep64], xf[keepf], exactf[keepf]
    rounded_approx = round_coefficients(approximant, fmt)
    count = [0]

    def with_coef(c: Sequence[float]) -> AnyApproximant:
        return rounded_approx.with_coefficients(
            dict(zip(names, (float(v) for v in c), strict=True)))

    def err64(c: Sequence[float]) -> float:
        count[0] += 1
        with np.errstate(all="ignore"):
            e = np.max(np.abs(with_coef(c).evaluate(xs, on=on) - exact64))
        return float(e) if np.isfinite(e) else math.inf

    def errfmt(c: Sequence[float]) -> float:
        count[0] += 1
        with np.errstate(all="ignore"):
            e = np.max(np.abs(evaluate_in_format(with_coef(c), xf, fmt, on=on) - exactf))
        return float(e) if np.isfinite(e) else math.inf

    objective = err64 if arithmetic == "float64" else errfmt
    c64 = np.asarray(list(approximant.coefficients.values()), dtype=np.float64)
    with np.errstate(all="ignore"):
        e_float64 = float(np.max(np.abs(approximant.evaluate(xs, on=on) - exact64))) \
            if arithmetic == "float64" else float(np.max(np.abs(
                evaluate_in_format(approximant, xf, "float64", on=on) - exactf)))
    cr = np.asarray(list(rounded_approx.coefficients.values()), dtype=np.float64)
    e_rounded = objective(cr)
    best, best_e = cr.copy(), e_rounded
    free = [j for j, n in enumerate(names) if n not in fixed]
    if reoptimise and free:
        if (2 * radius + 1) ** len(free) <= GRID_LIMIT:
            ks = range(-radius, radius + 1)
            for combo in itertools.product(ks, repeat=len(free)):
                if not any(combo):
                    continue
                cand = cr.copy()
                for j, k in zip(free, combo, strict=True):
                    cand[j] = step_ulps(cr[j], k, fmt)
                e = objective(cand)
                if e < best_e:
                    best, best_e = cand, e
        for _ in range(max_sweeps):
            improved = False
            for j in free:
                for k in [s * d for d in range(1, radius + 1) for s in (1, -1)]:
                    cand = best.copy()
                    cand[j] = step_ulps(best[j], k, fmt)
                    e = objective(cand)
                    if e < best_e:
                        best, best_e, improved = cand, e, True
                        break
            if not improved:
                break
    steps = tuple(int(v) for v in (to_ordered(best, fmt) - to_ordered(cr, fmt)))
    evaluations = count[0]
    return RoundingResult(
        dtype=fmt.name, on=on, arithmetic=arithmetic, names=names,
        float64=tuple(float(v) for v in c64), rounded=tuple(float(v) for v in cr),
        reoptimised=tuple(float(v) for v in best), steps=steps,
        error_float64=e_float64, error_rounded=e_rounded, error_reoptimised=best_e,
        error_rounded_in_format=errfmt(cr), error_reoptimised_in_format=errfmt(best),
        searched=bool(reoptimise and free), radius=radius, evaluations=evaluations,
        fixed=tuple(fixed))


def reoptimise_rounded(approximant: AnyApproximant, x: Any, dtype: str | Format, *,
                       on: str = "gate", radius: int = 2, arithmetic: str = "float64",
                       fixed: Sequence[str] = ()) -> RoundingResult:
    """:func:`coefficient_rounding` with the search (``reoptimise=True``)."""
    return coefficient_rounding(approximant, x, dtype, on=on, reoptimise=True, radius=radius,
                                arithmetic=arithmetic, fixed=fixed)


def rounding_text(result: RoundingResult) -> str:
    """Terminal lines for a :class:`RoundingResult`."""
    d = result.to_dict()
    lines = [f"coefficients rounded to {result.dtype} (error of the {result.on} in "
             f"{result.arithmetic} arithmetic):"]
    for n in result.names:
        line = (f"  {n:4s} = {d['coefficients_float64'][n]:.10g} -> "
                f"{d['coefficients_rounded'][n]!r}")
        if result.searched:
            line += (f" -> {d['coefficients_reoptimised'][n]!r} "
                     f"({d['steps_ulp'][n]:+d} ulp)")
        lines.append(line)
    lines.append(f"  max abs error: float64 coefficients {result.error_float64:.4e}, rounded "
                 f"{result.error_rounded:.4e} (loss {result.loss:.3e})")
    if result.searched:
        lines.append(f"  reoptimised (grid of ±{result.radius} representable neighbours, "
                     f"then coordinate descent; {result.evaluations} evaluations): "
                     f"{result.error_reoptimised:.4e} (gain {result.gain:.3e})")
    lines.append(f"  evaluated in {result.dtype} arithmetic: rounded "
                 f"{result.error_rounded_in_format:.4e}"
                 + (f", reoptimised {result.error_reoptimised_in_format:.4e}"
                    if result.searched else ""))
    return "\n".join(lines) + "\n"
