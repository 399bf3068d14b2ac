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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from approxfit.approximants.base import ApproximantBase
from approxfit.approximants.families import Family, coefficient_names, get_family
from approxfit.approximants.program import (
    ProgramBuilder,
    Step,
    convert_base,
    inner_polynomial,
)
from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target

__all__ = ["Approximant", "check_powers", "scaled_form"]

Array = np.ndarray


@dataclass(frozen=True, eq=False, repr=False)
class Approximant(ApproximantBase):
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
                raise InputError(f"`clamp` must be a positive number, got {self.clamp!r}")
            if not fam.gated:
                raise InputError("`clamp` (a tail guard) applies to the tanh and sigmoid "
                                 "families only; a polynomial cannot follow the target beyond "
                                 "its range")

    # -- parts ---------------------------------------------------------------
    @property
    def family_obj(self) -> Family:
        """The :class:`~approxfit.approximants.families.Family`."""
        return get_family(self.family)

    @property
    def supports_clamp(self) -> bool:  # type: ignore[override]
        """True for the tanh and sigmoid families, which take a tail guard."""
        return self.family_obj.gated

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

    # -- the program -----------------------------------------------------------
    def _emit(self, b: ProgramBuilder, on: str, relation: str | None, gate_form: str
              ) -> str:
        """The family's operations (see :meth:`program`)."""
        guard = self.clamp
        xi = "x" if guard is None else b.op("clip", "x", value=guard)
        p = inner_polynomial(b, xi, self.powers, self.coef)
        family = self.family
        if family == "poly":
            return convert_base(b, p, self.base, on, relation)
        if guard is not None:
            # the tail guard: the gate's limits beyond ±C (p at clip(x) keeps it finite)
            if family == "tanh" and gate_form == "tanh":
                g = b.op("mul", b.const(0.5, "half"),
                         b.op("add", b.const(1.0, "one"), b.op("tanh", p)))
            else:
                g = b.op("sigmoid",
                         b.op("mul", b.const(2.0, "two"), p) if family == "tanh" else p)
            g = b.op("guard", "x", g, value=guard)
            return convert_base(b, g, "gate", on, relation)
        if family == "tanh" and gate_form == "tanh":
            t = b.op("tanh", p)
            if on == "value" and relation == "odd":
                return t
            one_t = b.op("add", b.const(1.0, "one"), t)
            half = b.const(0.5, "half")
            if on == "value" and relation == "product":
                return b.op("mul", b.op("mul", half, "x"), one_t)
            return b.op("mul", half, one_t)
        arg = b.op("mul", b.const(2.0, "two"), p) if family == "tanh" else p
        return convert_base(b, b.op("sigmoid", arg), "gate", on, relation)

    def program(self, *, on: str = "value", gate_form: str = "tanh") -> tuple[Step, ...]:
        """The approximant as a straight-line program: the order of every operation.

        This one program is what :func:`approxfit.lowprec.emulate.evaluate_in_format`
        runs, what :func:`approxfit.lowprec.export.export_code` prints and what
        :meth:`cost` counts.

        * ``tanh`` family: ``t = tanh(p)``, gate ``½·(1 + t)``, GELU-like value
          ``(½·x)·(1 + t)`` (PyTorch's order), odd value ``t``.  With
          ``gate_form="sigmoid"`` the gate is ``σ(2p)``, the same number in exact
          arithmetic, without the cancellation of ``1 + t`` where ``t → −1``.
        * ``sigmoid`` family: gate ``σ(p)``, value ``x·σ(p)`` (or ``2σ − 1``).
        * ``poly``: ``p`` itself; its gate through the relation.
        * p by Horner's rule in ``x²`` (times ``x``) for an odd p, in ``x²`` for an
          even p, in ``x`` otherwise.
        * A tail guard ``C`` (:attr:`clamp`): p at ``clip(x, −C, C)`` (finite for
          any x), the gate ``½·(1 + t)`` or σ, then 1 where ``x > C`` and 0 where
          ``x < −C``, then the relation (``x·g``).

        Parameters
        ----------
        on : {"value", "gate"}
        gate_form : {"tanh", "sigmoid"}
            How the tanh family's gate is formed (ignored by the other families).

        Returns
        -------
        tuple of Step
            The last step is the result.
        """
        return super().program(on=on, gate_form=gate_form)

    def with_coefficients(self, values: Mapping[str, float], *, name: str | None = None,
                          clamp: float | None = None) -> Approximant:
        """A copy with the coefficients named in ``values`` (``c1``, ``c3`` …) replaced,
        and the tail guard ``clamp`` and the ``name`` if given."""
        names = coefficient_names(self.powers)
        unknown = [k for k in values if k not in names]
        if unknown:
            raise InputError(f"`values` names {', '.join(unknown)}, which are not "
                             f"coefficients; the coefficients are {', '.join(names)}")
        coef = tuple(float(values.get(n, c)) for n, c in zip(names, self.coef, strict=True))
        return replace(self, coef=coef, clamp=self.clamp if clamp is None else float(clamp),
                       name=self.name if name is None else name)

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
