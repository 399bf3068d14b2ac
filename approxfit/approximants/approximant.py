"""The evaluable approximant: a family, its powers and coefficients, for a target.

An :class:`Approximant` is what every command passes around — a fit's result, a
published formula, an inline spec.  It knows what its kernel ``h`` stands for
(``base``: the target's gate or its value) and turns it into both through the
target's affine gate relation ``f = scale(x)·g + offset``.

An optional tail guard ``clamp = C`` keeps a gated approximant right on the whole
real line when p turns over outside the fitted range: beyond ±C the gate takes
its limits, 1 for ``x > C`` and 0 for ``x < −C`` (so GELU's approximant is x and 0
there, as GELU itself is to within Φ(−C)).  A kernel needs two compares for it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from approxfit.approximants.families import Family, coefficient_names, get_family
from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target, get_target

__all__ = ["Approximant", "TargetMixin"]

Array = np.ndarray


class TargetMixin:
    """``target_obj``, ``target_name`` and ``evaluate`` for an approximant whose
    ``target`` field holds a built-in target's name or a
    :class:`~approxfit.core.targets.Target`, whose ``kernel(x)`` approximates its
    ``base`` (the gate or the value)."""

    target: str | Target
    base: str

    def evaluate(self, x: Array, *, on: str = "value") -> Array:
        """The approximant of the target's value or gate at ``x``, through the
        target's gate relation when ``on`` is not what the kernel approximates."""
        x = np.asarray(x, dtype=float)
        h = self.kernel(x)
        if on == self.base:
            return h
        rel = self.target_obj.relation
        if rel is None:
            raise InputError(f"target {self.target_name!r} has no gate; use --on value")
        return rel.value_from_gate(x, h) if on == "value" else rel.gate_from_value(x, h)

    @property
    def target_obj(self) -> Target:
        """The :class:`~approxfit.core.targets.Target`."""
        return self.target if isinstance(self.target, Target) else get_target(self.target)

    @property
    def target_name(self) -> str:
        """The target's name."""
        return self.target_obj.name


@dataclass(frozen=True, eq=False)
class Approximant(TargetMixin):
    """An approximant of a target, ready to evaluate.

    Attributes
    ----------
    family : str
        Name of the family (``tanh``, ``sigmoid``, ``poly``).
    powers : tuple of int
        Ascending powers of the inner polynomial.
    coef : tuple of float
        Coefficients, one per power.
    target : str or Target
        The target approximated: a built-in's name, or a :class:`Target` object
        (for a custom target).
    base : {"gate", "value"}
        What the family's kernel h approximates.
    clamp : float or None
        Tail guard C (gated families only): beyond ±C the gate is 1 or 0.
    name : str
        A label for tables and plots.
    """

    family: str
    powers: tuple[int, ...]
    coef: tuple[float, ...]
    target: str | Target
    base: str = "gate"
    clamp: float | None = None
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fam = get_family(self.family)
        tgt = self.target_obj
        check_powers(self.powers)
        if len(self.powers) != len(self.coef):
            raise InputError(f"{len(self.coef)} coefficients for {len(self.powers)} powers")
        if not all(np.isfinite(c) for c in self.coef):
            raise InputError(f"coefficients must be finite numbers, got {list(self.coef)}")
        if self.base not in ("gate", "value"):
            raise InputError(f"base must be 'gate' or 'value', got {self.base!r}")
        if fam.gated and self.base != "gate":
            raise InputError(f"the {fam.name} family approximates a gate, not a value")
        if self.base == "gate" and not tgt.has_gate:
            raise InputError(f"target {tgt.name!r} has no gate; the {fam.name} family "
                             "does not apply (use poly)")
        if self.clamp is not None:
            if not (np.isfinite(self.clamp) and self.clamp > 0):
                raise InputError(f"clamp must be a positive number, got {self.clamp!r}")
            if not fam.gated:
                raise InputError("a clamp (tail guard) applies to the tanh and sigmoid "
                                 "families only; a polynomial cannot follow the target beyond "
                                 "its range")

    # -- parts ---------------------------------------------------------------
    @property
    def family_obj(self) -> Family:
        """The :class:`~approxfit.approximants.families.Family`."""
        return get_family(self.family)

    @property
    def coefficients(self) -> dict[str, float]:
        """``{"c1": …, "c3": …}``."""
        return dict(zip(coefficient_names(self.powers), self.coef, strict=True))

    @property
    def scaled(self) -> dict[str, float]:
        """The paper's scaled form ``a_k = c_k / c1`` (tanh and sigmoid with a c1)."""
        return scaled_form(self.family_obj, self.powers, self.coef)

    # -- evaluation ------------------------------------------------------------
    def _inner_x(self, x: Array) -> Array:
        x = np.asarray(x, dtype=float)
        return x if self.clamp is None else np.clip(x, -self.clamp, self.clamp)

    def kernel(self, x: Array) -> Array:
        """h(x), what the family computes (the gate's limits beyond a tail guard)."""
        x = np.asarray(x, dtype=float)
        h = self.family_obj.value(self._inner_x(x), np.asarray(self.coef), self.powers)
        if self.clamp is not None:
            h = np.where(x > self.clamp, 1.0, np.where(x < -self.clamp, 0.0, h))
        return h

    def kernel_derivative(self, x: Array) -> Array:
        """dh/dx (zero beyond a tail guard)."""
        x = np.asarray(x, dtype=float)
        d = self.family_obj.derivative(self._inner_x(x), np.asarray(self.coef), self.powers)
        if self.clamp is not None:
            d = np.where(np.abs(x) > self.clamp, 0.0, d)
        return d

    def derivative(self, x: Array) -> Array:
        """d/dx of the approximant of the value."""
        x = np.asarray(x, dtype=float)
        dh = self.kernel_derivative(x)
        if self.base == "value":
            return dh
        rel = self.target_obj.relation
        return rel.dscale(x) * self.kernel(x) + rel.scale(x) * dh

    def describe(self) -> str:
        """A one-line formula with the coefficients, e.g. ``gate ≈ ½(1 + tanh(…))``."""
        terms = " + ".join(f"{c:.9g}·x^{k}" if k else f"{c:.9g}"
                           for k, c in zip(self.powers, self.coef, strict=True))
        xs = "" if self.clamp is None else f" (gate 0/1 beyond ±{self.clamp:g})"
        return f"{self.family_obj.formula.split('≈')[1].strip()} with p(x) = {terms}{xs}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description that :meth:`from_dict` reads back."""
        d = {"family": self.family, "target": self.target_name, "base": self.base,
                "powers": list(self.powers), "coefficients": self.coefficients,
                "clamp": self.clamp, "name": self.name}
        if self.target_obj.expression is not None:
            d["target_expr"] = self.target_obj.expression
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Approximant:
        """Build from :meth:`to_dict`'s output (or a fit result's ``approximant``)."""
        try:
            coefs = data["coefficients"]
            raw = data["powers"]
            if not isinstance(raw, list) or not all(
                    isinstance(k, int) and not isinstance(k, bool) for k in raw):
                raise InputError(f"not an approximant description: powers must be a list of "
                                 f"whole numbers, got {raw!r}")
            powers = tuple(raw)
            coef = tuple(float(coefs[f"c{k}"]) for k in powers)
            target: str | Target = str(data["target"])
            if data.get("target_expr") is not None:
                from approxfit.core.targets import custom_target

                target = custom_target(str(data["target"]), str(data["target_expr"]))
            return cls(family=str(data["family"]), powers=powers, coef=coef,
                       target=target, base=str(data.get("base", "gate")),
                       clamp=None if data.get("clamp") is None else float(data["clamp"]),
                       name=str(data.get("name", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not an approximant description: missing or bad {exc}"
                             ) from None


def check_powers(powers: Sequence[int], *, lowest: int = 0, what: str = "powers") -> None:
    """Raise :class:`InputError` unless ``powers`` are distinct ascending whole numbers
    between ``lowest`` and :data:`~approxfit.approximants.families.MAX_DEGREE`."""
    from approxfit.approximants.families import MAX_DEGREE

    ok = (len(powers) > 0
          and all(isinstance(k, int | np.integer) and not isinstance(k, bool) for k in powers)
          and all(lowest <= k <= MAX_DEGREE for k in powers)
          and all(a < b for a, b in itertools.pairwise(powers)))
    if not ok:
        raise InputError(f"{what} must be distinct ascending whole numbers from {lowest} to "
                         f"{MAX_DEGREE}, got {list(powers)}")


def scaled_form(family: Family, powers: Sequence[int], coef: Sequence[float]
                ) -> dict[str, float]:
    """``{"a3": c3/c1, …}`` for a scaled family with a nonzero c1, else ``{}``."""
    if not family.scaled or 1 not in powers:
        return {}
    c1 = coef[list(powers).index(1)]
    if c1 == 0:
        return {}
    return {f"a{k}": c / c1 for k, c in zip(powers, coef, strict=True) if k != 1}
