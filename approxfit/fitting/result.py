"""The frozen result of every fit, and its JSON form.

:class:`FitResult` has fixed, documented fields; the minimax certificate and the
convergence history are always there (``None`` / empty for least squares), never
extra return values behind a flag.  :meth:`FitResult.to_dict` produces the JSON
contract of ``approxfit fit --json`` (see SPEC.md); :meth:`FitResult.from_dict`
reads a saved fit back, and
:func:`approxfit.approximants.spec.load_approximant_file` takes such a file as an
approximant spec.
"""

from __future__ import annotations

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
    """

    points: tuple[float, ...]
    errors: tuple[float, ...]
    levelled_ratio: float | None
    required: int
    symmetry: str | None
    max_error_samples: float

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
                "max_error_samples": self.max_error_samples}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Certificate:
        """Inverse of :meth:`to_dict`."""
        ratio = d["levelled_ratio"]
        return cls(tuple(d["points"]), tuple(d["errors"]),
                   None if ratio is None else float(ratio),
                   int(d["required"]), d.get("symmetry"), float(d["max_error_samples"]))


@dataclass(frozen=True)
class FitResult:
    """What a fit found and how well it did.

    Attributes
    ----------
    approximant : Approximant or RationalApproximant
        The fitted approximant (with its tail guard, if any).
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
        ``{"value": {...}, "gate": {...}}`` from :mod:`approxfit.measure.metrics`.
    metrics_outside : dict
        Max error on ``[−1e3, 1e3]`` outside the range, on the fitted quantity.
    certificate : Certificate or None
        Minimax only.
    history : tuple of float
        The objective after each iteration (max error for minimax, RMS for l2).
    warnings : tuple of str
        What a user should know (for example, the approximant breaks down outside
        the range).
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
            "fixed": list(self.fixed), "objective": self.objective, "on": self.on,
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
            tail=d.get("tail"))
