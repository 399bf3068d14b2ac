"""The frozen result of every fit, its JSON form and its text.

:class:`FitResult` has fixed, documented fields; the minimax certificate and the
convergence history are always there (``None`` / empty for least squares), never
extra return values behind a flag.  :meth:`FitResult.summary` is the text
``approxfit fit`` prints; in a notebook a result shows as a small table.
:meth:`FitResult.to_dict` produces the JSON contract of ``approxfit fit --json``
(see SPEC.md); :meth:`FitResult.from_dict` reads a saved fit back, and
:func:`approxfit.approximants.spec.load_approximant_file` takes such a file as an
approximant spec.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass, field
from typing import Any

from approxfit.approximants.spec import SCHEMA_VERSION, approximant_from_dict

__all__ = ["SCHEMA_VERSION", "Certificate", "FitResult"]



@dataclass(frozen=True)
class Certificate:
    """Evidence that a minimax fit is optimal: the error levels out and alternates.

    Attributes
    ----------
    points : tuple of float
        The alternation points (ascending).  For a symmetric problem they lie in
        ``x > 0`` and their mirror images carry the mirrored error.
    errors : tuple of float
        The signed error at each point; the signs alternate.
    levelled_ratio : float or None
        ``min |e| / max |e|`` over the points; 1 means perfectly level.  None for
        an exact fit (error at rounding level), which has nothing to level.
    required : int
        How many alternation points optimality needs: one more than the number of
        free coefficients, counted on the half range for a symmetric problem.
    symmetry : str or None
        ``"odd"`` or ``"even"`` when the error is odd or even about 0 (then only
        ``x > 0`` is examined), else None.
    max_error_samples : float
        The largest error on the sample set.
    lower_bound : float
        A proven lower bound on the optimal error of the problem (every approximant of
        the family, with these fixed coefficients, has at least this error on the
        range); see :mod:`approxfit.fitting.optimality`.
    optimality_gap : float
        ``(achieved − lower_bound)/achieved``, where achieved is the largest error over
        the continuous range.
    tolerance : float
        The gap at or below which the fit is called converged.
    method : str
        How the bound was obtained, e.g. "de la Vallée Poussin on 4 alternation points
        in x > 0" or "LP infeasibility (HiGHS) on 412 points".
    haar : bool
        Whether the problem is a Haar problem on the points where alternation is sought
        (then the points alternate and the bound is de la Vallée Poussin's).
    """

    points: tuple[float, ...]
    errors: tuple[float, ...]
    levelled_ratio: float | None
    required: int
    symmetry: str | None
    max_error_samples: float
    lower_bound: float = 0.0
    optimality_gap: float = 1.0
    tolerance: float = 1e-6
    method: str = ""
    haar: bool = False

    @property
    def optimal(self) -> bool:
        """Whether the gap is within the tolerance."""
        return self.optimality_gap <= self.tolerance

    @property
    def alternates(self) -> bool:
        """Whether there are enough points and the signs alternate."""
        signs = [e > 0 for e in self.errors]
        return len(self.points) >= self.required and all(
            a != b for a, b in itertools.pairwise(signs))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"points": list(self.points), "errors": list(self.errors),
                "levelled_ratio": self.levelled_ratio, "required": self.required,
                "alternates": self.alternates, "symmetry": self.symmetry,
                "max_error_samples": self.max_error_samples, "lower_bound": self.lower_bound,
                "optimality_gap": self.optimality_gap, "tolerance": self.tolerance,
                "method": self.method, "haar": self.haar}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Certificate:
        """Inverse of :meth:`to_dict`."""
        ratio = d["levelled_ratio"]
        return cls(tuple(d["points"]), tuple(d["errors"]),
                   None if ratio is None else float(ratio),
                   int(d["required"]), d.get("symmetry"), float(d["max_error_samples"]),
                   float(d.get("lower_bound", 0.0)), float(d.get("optimality_gap", 1.0)),
                   float(d.get("tolerance", 1e-6)), str(d.get("method", "")),
                   bool(d.get("haar", False)))


@dataclass(frozen=True, repr=False)
class FitResult:
    """What a fit found and how well it did.

    ``print(result.summary())`` gives the text of ``approxfit fit``;
    ``result.approximant`` evaluates the fit, ``result.coefficients`` and
    ``result.scaled`` are its numbers, ``result.metrics`` its errors and
    ``result.certificate`` (minimax) the evidence that it is optimal.

    Attributes
    ----------
    approximant : Approximant or RationalApproximant
        The fitted approximant (with its tail guard, if any); call
        ``approximant.value(x)`` or ``approximant.gate(x)`` to evaluate it.
    objective : {"l2", "minimax"}
    on : {"gate", "value"}
        What the fit measured.
    degree : int
    parity : str
    range : tuple of float
        ``(lo, hi)`` as asked.
    grid : dict
        How the samples were made (``kind``, ``n``, ``step``).
    fixed : tuple of str
        Names of the coefficients held fixed.
    converged : bool
    message : str
        Why the fit stopped (one line).
    iterations : int
    seconds : float
        Wall time of the fit.
    metrics : dict
        ``{"value": {...}, "gate": {...}}`` from :mod:`approxfit.measure.metrics`:
        ``max_abs_error`` and ``argmax_abs_error`` (on the samples),
        ``max_abs_error_range`` (on the whole range), ``mse``, ``rmse``, ….
    metrics_outside : dict
        Max error on the whole line ``[−WHOLE_LINE, WHOLE_LINE]`` (±1e4, see
        :data:`approxfit.measure.metrics.WHOLE_LINE`) outside the range, on the fitted
        quantity.
    certificate : Certificate or None
        Minimax only: the alternation points of the error and how level it is.
    history : tuple of float
        The objective after each iteration (max error for minimax, RMS for l2).
    warnings : tuple of str
        What a user should know (for example, the approximant breaks down outside
        the range).
    error : {"absolute", "relative"}
        What was minimised: the error, or the error divided by ``|y|``.
    weight : str or None
        The weight expression in x the error was multiplied by, if any.
    tail : str or None
        How the approximant is kept right beyond the range (``"clamp at ±C"``).
    """

    approximant: Any
    objective: str
    on: str
    degree: int
    parity: str
    range: tuple[float, float]
    grid: dict[str, Any]
    fixed: tuple[str, ...]
    converged: bool
    message: str
    iterations: int
    seconds: float
    metrics: dict[str, dict[str, float]]
    metrics_outside: dict[str, float]
    certificate: Certificate | None = None
    history: tuple[float, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    tail: str | None = None
    error: str = "absolute"
    weight: str | None = None

    @property
    def minimised(self) -> str:
        """What was minimised, in words: ``"absolute error"``, ``"relative error"``,
        ``"absolute error weighted by 1/x"``, …"""
        text = f"{self.error} error"
        return text if self.weight is None else f"{text} weighted by {self.weight}"

    @property
    def coefficients(self) -> dict[str, float]:
        """``{"c1": …}``, all coefficients, fixed ones included."""
        return self.approximant.coefficients

    @property
    def scaled(self) -> dict[str, float]:
        """``{"a3": c3/c1, …}`` for tanh and sigmoid."""
        return self.approximant.scaled

    @property
    def samples(self) -> int:
        """Number of sample points."""
        return int(self.grid["n"])

    @property
    def max_error(self) -> float:
        """The largest absolute error on the range, on what the fit measured (``on``)."""
        return float(self.metrics[self.on]["max_abs_error_range"])

    def summary(self) -> str:
        """The text ``approxfit fit`` prints for this fit (no trailing newline).

        Examples
        --------
        >>> from approxfit.fitting.fit import fit
        >>> r = fit("gelu", "tanh", degree=3, step=0.01)
        >>> print(r.summary().splitlines()[0])  # doctest: +ELLIPSIS
        l2 fit of tanh (degree 3, odd) to gelu's gate on [-10, 10], 2000 samples: ...
        """
        a = self.approximant
        lines = [f"{self.objective} fit of {a.family} (degree {self.degree}, {self.parity}) "
                 f"to {a.target_name}'s {self.on} on [{self.range[0]:g}, {self.range[1]:g}], "
                 f"{self.samples} samples"
                 + ("" if self.error == "absolute" and self.weight is None else
                    f", {self.minimised}") + f": {self.message}"]
        for name, value in self.coefficients.items():
            tag = " (fixed)" if name in self.fixed else ""
            lines.append(f"  {name:<4} = {value:.10g}{tag}")
        for name, value in self.scaled.items():
            lines.append(f"  {name:<4} = {value:.10g}   (scaled: p = c1·(x + …))")
        lines += [f"  {note}" for note in self.warnings if note.startswith("denominator")]
        lines += [f"  {note}" for note in self.warnings if note.startswith("relative error of")]
        for on, mm in self.metrics.items():
            if on == "gate" and a.family == "rational":    # a rational has no gate
                continue
            lines.append(f"  {on:<5}: max abs error {mm['max_abs_error_range']:.4e} at x = "
                         f"{mm['argmax_abs_error_range']:.4g} (on the range), MSE "
                         f"{mm['mse']:.4e}, RMSE {mm['rmse']:.4e}")
            if self.error == "relative" and on == self.on:
                lines.append(f"         max rel error {mm['max_rel_error_range']:.4e} at x = "
                             f"{mm['argmax_rel_error_range']:.4g} (on the range)")
        o = self.metrics_outside
        lines.append(f"  outside the range, |x| <= {o['limit']:g}: max abs error "
                     f"{o['max_abs_error']:.4e} at x = {o['argmax_abs_error']:.4g}")
        c = self.certificate
        if c is not None:
            sym = f", {c.symmetry} error: x > 0 shown" if c.symmetry else ""
            if c.levelled_ratio is None:
                lines.append("  certificate: an exact fit — the error is at rounding level")
            else:
                state = (f"optimal to {c.optimality_gap:.1e}" if c.optimal else
                         f"NOT proven optimal: gap {c.optimality_gap:.1e} > "
                         f"{c.tolerance:.0e}")
                of = "" if self.error == "absolute" and self.weight is None else \
                    f" of the {self.minimised}"
                lines.append(f"  certificate{of}: {state} (lower bound {c.lower_bound:.6e} "
                             f"by {c.method})")
                if c.haar:
                    lines.append(f"    {len(c.points)} alternation points (need "
                                 f"{c.required}{sym}), levelled ratio "
                                 f"{c.levelled_ratio:.6f}")
                else:
                    lines.append(f"    not a Haar problem: largest peaks of the error "
                                 f"(need no alternation){sym}")
                lines.append("    x: " + " ".join(f"{p:.4g}" for p in c.points))
        if self.tail:
            lines.append(f"  tail: {self.tail}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        a = self.approximant
        state = "converged" if self.converged else "not converged"
        return (f"<FitResult {a.family} degree {self.degree} to {a.target_name}'s {self.on}, "
                f"{self.objective}, max abs error {self.max_error:.4e}, {state}>")

    def _repr_html_(self) -> str:
        a = self.approximant
        e = html.escape
        head = (f"{self.objective} fit of {a.family} (degree {self.degree}, {self.parity}) "
                f"to {a.target_name}'s {self.on} on [{self.range[0]:g}, {self.range[1]:g}]")
        rows = [(name, f"{value:.10g}" + (" (fixed)" if name in self.fixed else ""))
                for name, value in {**self.coefficients, **self.scaled}.items()]
        rows.append((f"max abs error ({self.on})", f"{self.max_error:.4e}"))
        if self.certificate is not None and self.certificate.levelled_ratio is not None:
            rows.append(("levelled ratio", f"{self.certificate.levelled_ratio:.6f}"))
        rows.append(("converged", f"{self.converged}: {self.message}"))
        body = "".join(f"<tr><th style='text-align:left'>{e(k)}</th><td>{e(v)}</td></tr>"
                       for k, v in rows)
        return f"<table><caption>{e(head)}</caption>{body}</table>"

    def to_dict(self, *, timing: bool = True) -> dict[str, Any]:
        """The JSON contract of ``approxfit fit --json``.

        Parameters
        ----------
        timing : bool
            Include ``seconds`` (the only field that differs between two runs).
        """
        a = self.approximant
        d = {
            "schema_version": SCHEMA_VERSION,
            "kind": "fit",
            "target": a.target_name, "family": a.family, "degree": self.degree,
            "parity": self.parity, "powers": list(a.powers),
            "coefficients": self.coefficients, "scaled": self.scaled,
            "fixed": list(self.fixed), "objective": self.objective,
            "error": self.error, "weight": self.weight, "on": self.on,
            "range": list(self.range), "samples": self.samples, "grid": self.grid,
            "metrics": self.metrics, "metrics_outside": self.metrics_outside,
            "converged": self.converged, "message": self.message,
            "iterations": self.iterations,
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
            "history": list(self.history), "warnings": list(self.warnings),
            "tail": self.tail, "approximant": a.to_dict(),
        }
        if timing:
            d["seconds"] = self.seconds
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FitResult:
        """Read back what :meth:`to_dict` wrote."""
        cert = d.get("certificate")
        return cls(
            approximant=approximant_from_dict(d["approximant"]),
            objective=d["objective"], on=d["on"], degree=int(d["degree"]),
            parity=d["parity"], range=tuple(d["range"]), grid=dict(d["grid"]),
            fixed=tuple(d["fixed"]), converged=bool(d["converged"]),
            message=d.get("message", ""), iterations=int(d["iterations"]),
            seconds=float(d.get("seconds", 0.0)), metrics=d["metrics"],
            metrics_outside=d.get("metrics_outside", {}),
            certificate=None if cert is None else Certificate.from_dict(cert),
            history=tuple(d.get("history", ())), warnings=tuple(d.get("warnings", ())),
            tail=d.get("tail"), error=d.get("error", "absolute"), weight=d.get("weight"))
