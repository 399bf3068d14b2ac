"""Rational approximants ``P(x)/Q(x)`` (their fits: :mod:`approxfit.fitting.rational`).

``P(x) = Σ c_k x^k`` over the numerator's powers and ``Q(x) = 1 + Σ d_k x^k`` over
the denominator's (k ≥ 1; ``Q(0) = 1`` fixes the scale).  Like ``poly``, a rational
approximant stands for whatever it was fitted on, the value or the gate.

A rational fit must not have a pole on its range.  Least squares starts from the
linearised problem ``min ‖P − y·Q‖`` (Loeb's linearisation) or from a given start
(the command line passes the Padé approximant from :mod:`approxfit.symbolic.taylor`
when it has no pole on the range), and minimax continues with the same SLP /
exchange loop as the other families (:mod:`approxfit.fitting.engine`), with ``Q ≥ 10⁻³`` added
as linear constraints on the working set and every step whose Q would vanish
on the grid rejected.  The result says how close Q comes to zero on the range;
a fit whose Q vanishes there is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from approxfit.approximants.base import ApproximantBase
from approxfit.approximants.families import poly_derivative, poly_value
from approxfit.approximants.program import ProgramBuilder, convert_base, inner_polynomial
from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target

__all__ = ["Q_FLOOR", "RationalApproximant", "coefficient_label"]

Array = np.ndarray
Q_FLOOR = 1e-3


def coefficient_label(prefix: str, powers: tuple[int, ...]) -> list[str]:
    """``["c0", "c1", …]`` or ``["d2", …]``: a rational's coefficient names."""
    return [f"{prefix}{k}" for k in powers]


@dataclass(frozen=True, eq=False, repr=False)
class RationalApproximant(ApproximantBase):
    """``P(x)/Q(x)`` approximating a target's value or gate.

    Attributes
    ----------
    num_powers, num_coef : tuple
        Powers and coefficients ``c_k`` of P.
    den_powers, den_coef : tuple
        Powers (≥ 1) and coefficients ``d_k`` of Q; Q's constant term is 1.
    target : str or Target
    base : {"value", "gate"}
        What P/Q approximates.
    name : str
    """

    num_powers: tuple[int, ...]
    num_coef: tuple[float, ...]
    den_powers: tuple[int, ...]
    den_coef: tuple[float, ...]
    target: str | Target
    base: str = "value"
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    family = "rational"
    clamp = None

    def __post_init__(self) -> None:
        if len(self.num_powers) != len(self.num_coef) or len(self.den_powers) != len(
                self.den_coef):
            raise InputError("rational: one coefficient per power, in P and in Q")
        from approxfit.approximants.approximant import check_powers

        check_powers(self.num_powers, what="numerator powers")
        check_powers(self.den_powers, lowest=1, what="denominator powers (Q's constant is 1)")
        if not all(np.isfinite(c) for c in (*self.num_coef, *self.den_coef)):
            raise InputError("rational: coefficients must be finite numbers")
        if self.base not in ("value", "gate"):
            raise InputError(f"base must be 'gate' or 'value', got {self.base!r}")

    @property
    def powers(self) -> tuple[int, ...]:
        """The numerator's powers (for tables that show one power list)."""
        return self.num_powers

    @property
    def coefficients(self) -> dict[str, float]:
        """``{"c0": …, "c1": …, "d2": …}``: P's then Q's coefficients."""
        return {**dict(zip(coefficient_label("c", self.num_powers), self.num_coef, strict=True)),
                **dict(zip(coefficient_label("d", self.den_powers), self.den_coef, strict=True))}

    @property
    def scaled(self) -> dict[str, float]:
        """Empty: rational approximants have no scaled form."""
        return {}

    def p(self, x: Array) -> Array:
        """The numerator."""
        return poly_value(x, np.asarray(self.num_coef), self.num_powers)

    def q(self, x: Array) -> Array:
        """The denominator ``1 + Σ d_k x^k``."""
        x = np.asarray(x, dtype=float)
        if not self.den_powers:
            return np.ones_like(x)
        return 1.0 + poly_value(x, np.asarray(self.den_coef), self.den_powers)

    def kernel(self, x: Array) -> Array:
        """P/Q."""
        with np.errstate(all="ignore"):
            return self.p(x) / self.q(x)

    def derivative(self, x: Array) -> Array:
        """d/dx of the approximant of the value: ``(P′Q − PQ′)/Q²`` through the relation."""
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            p, q = self.p(x), self.q(x)
            dp = poly_derivative(x, np.asarray(self.num_coef), self.num_powers)
            dq = (poly_derivative(x, np.asarray(self.den_coef), self.den_powers)
                  if self.den_powers else np.zeros_like(x))
            dh = (dp * q - p * dq) / (q * q)
        if self.base == "value":
            return dh
        rel = self.target_obj.relation
        return rel.dscale(x) * self.kernel(x) + rel.scale(x) * dh

    def min_abs_q(self, lo: float, hi: float, n: int = 20001) -> tuple[float, float]:
        """The smallest ``|Q|`` on ``[lo, hi]`` (dense grid) and where; 0 at a sign change."""
        x = np.linspace(lo, hi, n)
        q = self.q(x)
        change = np.flatnonzero(np.sign(q[:-1]) * np.sign(q[1:]) <= 0)
        if change.size:
            return 0.0, float(x[change[0]])
        i = int(np.argmin(np.abs(q)))
        return float(abs(q[i])), float(x[i])

    def _emit(self, b: ProgramBuilder, on: str, relation: str | None, gate_form: str
              ) -> str:
        """``P`` and ``Q = 1 + Σ d_k x^k`` each by Horner's rule (:func:`~approxfit.
        approximants.program.inner_polynomial`), one divide, then the relation."""
        p = inner_polynomial(b, "x", self.num_powers, self.num_coef)
        q = inner_polynomial(b, "x", (0, *self.den_powers), (1.0, *self.den_coef), "d")
        return convert_base(b, b.op("div", p, q), self.base, on, relation)

    def with_coefficients(self, values: Mapping[str, float], *, name: str | None = None,
                          clamp: float | None = None) -> RationalApproximant:
        """A copy with the coefficients named in ``values`` (``c0``, ``d2`` …) replaced."""
        if clamp is not None:
            raise InputError("`clamp` (a tail guard) applies to the tanh and sigmoid "
                             "families only")
        names = list(self.coefficients)
        unknown = [k for k in values if k not in names]
        if unknown:
            raise InputError(f"`values` names {', '.join(unknown)}, which are not "
                             f"coefficients; the coefficients are {', '.join(names)}")
        num = coefficient_label("c", self.num_powers)
        den = coefficient_label("d", self.den_powers)
        return replace(
            self, num_coef=tuple(float(values.get(n, c)) for n, c in
                                 zip(num, self.num_coef, strict=True)),
            den_coef=tuple(float(values.get(n, c)) for n, c in
                           zip(den, self.den_coef, strict=True)),
            name=self.name if name is None else name)

    def describe(self) -> str:
        """A one-line formula."""
        return (" + ".join(f"{c:.9g}·x^{k}" for k, c in zip(self.num_powers, self.num_coef,
                                                           strict=True))
                + " over 1 + " + " + ".join(f"{d:.9g}·x^{k}" for k, d in
                                            zip(self.den_powers, self.den_coef, strict=True)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description that :meth:`from_dict` reads back."""
        d = {"family": "rational", "target": self.target_name, "base": self.base,
             "powers": list(self.num_powers), "den_powers": list(self.den_powers),
             "coefficients": self.coefficients, "clamp": None, "name": self.name}
        if self.target_obj.expression is not None:
            d["target_expr"] = self.target_obj.expression
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RationalApproximant:
        """Inverse of :meth:`to_dict`."""
        try:
            coefs = data["coefficients"]
            num, den = tuple(data["powers"]), tuple(data["den_powers"])
            if not all(isinstance(k, int) and not isinstance(k, bool) for k in (*num, *den)):
                raise InputError("not a rational approximant description: powers must be "
                                 "whole numbers")
            target: str | Target = str(data["target"])
            if data.get("target_expr") is not None:
                from approxfit.core.targets import custom_target

                target = custom_target(str(data["target"]), str(data["target_expr"]))
            return cls(num, tuple(float(coefs[f"c{k}"]) for k in num), den,
                       tuple(float(coefs[f"d{k}"]) for k in den), target,
                       base=str(data.get("base", "value")), name=str(data.get("name", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a rational approximant description: missing or bad {exc}"
                             ) from None
