"""Published approximants of GELU, as specs, and the parser of approximant specs.

:data:`PUBLISHED` maps a name to a :class:`Published` entry (target, citation,
formula, and a builder of the evaluable approximant):

=================  =========================================================  ==========
name               approximant of GELU(x) = x·Φ(x)                            kind
=================  =========================================================  ==========
paper-tanh         ½x(1 + tanh(√(2/π)(x + 0.044715x³)))                       tanh
paper-sigmoid      x·σ(1.702x)                                                sigmoid
taylor-tanh        ½x(1 + tanh(√(2/π)(x + a3·x³))), a3 = (4 − π)/(6π)         tanh
seed-alt-tanh      ½x(1 + tanh(√(2/π)(x + 0.04498017x³)))                     tanh
seed-alt-sigmoid   x·σ(1.656577x)                                             sigmoid
seed-free-tanh     ½x(1 + tanh(0.797885x + 0.035677x³))                       tanh
bowling-2009       x·σ(1.5976x + 0.07056x³)                                   sigmoid
ibert              x·½(1 + L(x/√2)), L a clipped quadratic (I-BERT i-GELU)    closed form
as-7.1.26          x·½(1 + erf(x/√2)), erf by Abramowitz & Stegun 7.1.26      closed form
=================  =========================================================  ==========

The first seven are :class:`~approxfit.approximants.approximant.Approximant` objects of the
tanh and sigmoid families.  The last two do not have the shape "outer function of a
polynomial"; they are :class:`ClosedFormApproximant` objects of a :class:`ClosedForm`
of :data:`CLOSED_FORMS`.  All satisfy :class:`~approxfit.approximants.base.AnyApproximant`
(evaluation, derivative, program, cost, ``to_dict`` and ``from_dict``).

:func:`approxfit.approximants.spec.parse_spec` turns what a user types into an
approximant: a published name,
a saved fit (``FILE.json``), or an inline spec such as
``tanh:c1=sqrt(2/pi),a3=0.044715``.  Values are read only by
:func:`approxfit.core.expr.parse_number` (an ast whitelist; never ``eval`` or sympy).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.base import (
    AnyApproximant,
    ApproximantBase,
    check_common,
    check_on,
    check_values,
)
from approxfit.approximants.program import ProgramBuilder, Step, horner, relation_value
from approxfit.core.checks import InputTypeError, check_array, check_str, shown
from approxfit.core.exceptions import InputError
from approxfit.core.names import suggest
from approxfit.core.targets import Target

__all__ = ["CLOSED_FORMS", "PUBLISHED", "AnyApproximant", "ClosedForm",
           "ClosedFormApproximant", "Published", "erf_steps", "get_published",
           "published_for"]

Array = np.ndarray

_SQRT2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT1_2 = math.sqrt(0.5)


# -- closed-form gate kernels ------------------------------------------------------
# Each kernel takes x and the constants and returns the gate g(x) ≈ Φ(x) or dg/dx;
# GELU's value follows as x·g.

def _ibert_gate(x: Array, c: Mapping[str, float]) -> Array:
    """I-BERT's gate ½(1 + L(x/√2)), L(u) = sign(u)·[a·(min(|u|, −b) + b)² + 1]."""
    a, b = c["a"], c["b"]
    u = x / _SQRT2
    m = np.minimum(np.abs(u), -b)
    return 0.5 * (1.0 + np.sign(u) * (a * (m + b) ** 2 + 1.0))


def _ibert_dgate(x: Array, c: Mapping[str, float]) -> Array:
    """dg/dx = dL/du / (2√2), dL/du = 2a·(min(|u|, −b) + b) (0 beyond the clip)."""
    a, b = c["a"], c["b"]
    m = np.minimum(np.abs(x / _SQRT2), -b)
    return (2.0 * a * (m + b)) / (2.0 * _SQRT2)


_AS_A = ("a1", "a2", "a3", "a4", "a5")


def _as_parts(x: Array, c: Mapping[str, float]) -> tuple[Array, Array, Array, Array]:
    """z = |x|/√2, t = 1/(1 + p·z), P(t) = Σ a_k t^k and P′(t), by Horner's rule."""
    z = np.abs(x) / _SQRT2
    t = 1.0 / (1.0 + c["p"] * z)
    poly = np.zeros_like(t)
    dpoly = np.zeros_like(t)
    for name in reversed(_AS_A):
        dpoly = dpoly * t + poly
        poly = poly * t + c[name]
    # P(t) = t·(a1 + a2 t + … + a5 t⁴): one more factor of t.
    dpoly = poly + t * dpoly
    poly = t * poly
    return z, t, poly, dpoly


def _as_gate(x: Array, c: Mapping[str, float]) -> Array:
    """½(1 + erf(x/√2)) with erfc(z) ≈ P(t)·e^(−z²) for z ≥ 0 and the odd extension.

    Evaluated as ``½·P·e^(−z²)`` for x < 0 and ``1 − ½·P·e^(−z²)`` for x ≥ 0, the
    same formula written without the cancellation of ``½(1 + erf)`` in the tail.
    """
    z, _, poly, _ = _as_parts(x, c)
    half_erfc = 0.5 * poly * np.exp(-z * z)
    return np.where(x < 0, half_erfc, 1.0 - half_erfc)


def _as_dgate(x: Array, c: Mapping[str, float]) -> Array:
    """dg/dx = E′(z)/(2√2), E′(z) = e^(−z²)·(p·t²·P′(t) + 2z·P(t)), even in x."""
    z, t, poly, dpoly = _as_parts(x, c)
    de = np.exp(-z * z) * (c["p"] * t * t * dpoly + 2.0 * z * poly)
    return de / (2.0 * _SQRT2)


def _as_program(b: ProgramBuilder, c: Mapping[str, float]) -> str:
    """The gate: ``z = |x|·(1/√2)``, ``t = 1/(1 + p·z)``,
    ``h = ½·(t·(a1 + t·(a2 + …)))·e^(−z²)``, ``h`` for ``x < 0``, else ``1 − h``."""
    z = b.op("mul", b.op("abs", "x"), b.const(_SQRT1_2, "sqrt1_2"))
    t = b.op("div", b.const(1.0, "one"),
             b.op("add", b.const(1.0, "one"), b.op("mul", b.const(c["p"], "p"), z)))
    q = horner(b, t, [(k, c[k]) for k in _AS_A])
    poly = b.op("mul", q, t)
    e = b.op("exp", b.op("neg", b.op("mul", z, z)))
    h = b.op("mul", b.const(0.5, "half"), b.op("mul", poly, e))
    return b.op("where_neg", "x", h, b.op("sub", b.const(1.0, "one"), h))


def _ibert_program(b: ProgramBuilder, c: Mapping[str, float]) -> str:
    """The gate: ``u = x·(1/√2)``, ``L = sign(u)·(a·(min(|u|, −b) + b)² + 1)``,
    ``½·(1 + L)``."""
    u = b.op("mul", "x", b.const(_SQRT1_2, "sqrt1_2"))
    m = b.op("min", b.op("abs", u), b.const(-c["b"], "minus_b"))
    d = b.op("add", m, b.const(c["b"], "b"))
    lv = b.op("add", b.op("mul", b.const(c["a"], "a"), b.op("mul", d, d)),
              b.const(1.0, "one"))
    sl = b.op("mul", b.op("sign", u), lv)
    return b.op("mul", b.const(0.5, "half"), b.op("add", b.const(1.0, "one"), sl))


def erf_steps(constants: Mapping[str, float]) -> tuple[Step, ...]:
    """erf(x) by Abramowitz & Stegun 7.1.26 as a program (PyTorch's CPU ``erf`` form).

    ``t = 1/(1 + p·|x|)``, ``erf(|x|) = 1 − t·(a1 + t·(a2 + …))·e^(−x²)``, with the
    sign of x.  ``constants`` holds ``p, a1 … a5`` (the ``as-7.1.26`` published
    approximant's :attr:`~ClosedFormApproximant.coefficients`).
    """
    b = ProgramBuilder()
    ax = b.op("abs", "x")
    t = b.op("div", b.const(1.0, "one"),
             b.op("add", b.const(1.0, "one"), b.op("mul", b.const(constants["p"], "p"), ax)))
    q = horner(b, t, [(k, constants[k]) for k in _AS_A])
    e = b.op("exp", b.op("neg", b.op("mul", ax, ax)))
    mag = b.op("sub", b.const(1.0, "one"), b.op("mul", b.op("mul", q, t), e))
    return b.finish(b.op("mul", b.op("sign", "x"), mag))


@dataclass(frozen=True)
class ClosedForm:
    """A closed formula for a gate: its kernels, its program and its constants.

    Attributes
    ----------
    name : str
        The registry key (:data:`CLOSED_FORMS`), e.g. ``"ibert"``.
    gate, dgate : callable
        ``(x, constants) -> g(x)`` and ``-> dg/dx``, vectorised.
    emit : callable
        ``(builder, constants) -> variable``: the gate's operations.
    constants : tuple of str
        The names of the constants.
    formula : str
        The formula as a person reads it.
    """

    name: str
    gate: Callable[[Array, Mapping[str, float]], Array]
    dgate: Callable[[Array, Mapping[str, float]], Array]
    emit: Callable[[ProgramBuilder, Mapping[str, float]], str]
    constants: tuple[str, ...]
    formula: str


_IBERT_FORMULA = "x·½(1 + L(x/√2)), L(u) = sign(u)·[a·(min(|u|, −b) + b)² + 1]"
_AS_FORMULA = ("x·½(1 + erf(x/√2)), erf(z) ≈ 1 − (a1 t + … + a5 t⁵)·e^(−z²), "
               "t = 1/(1 + p z) for z ≥ 0, odd extension")

CLOSED_FORMS: dict[str, ClosedForm] = {
    "ibert": ClosedForm("ibert", _ibert_gate, _ibert_dgate, _ibert_program, ("a", "b"),
                        _IBERT_FORMULA),
    "as-7.1.26": ClosedForm("as-7.1.26", _as_gate, _as_dgate, _as_program, ("p", *_AS_A),
                            _AS_FORMULA),
}
"""The closed-form gates a :class:`ClosedFormApproximant` can have, by name."""


@dataclass(frozen=True, eq=False, repr=False)
class ClosedFormApproximant(ApproximantBase):
    """An approximant given by a closed formula for its gate, not by a family.

    It satisfies :class:`~approxfit.approximants.base.AnyApproximant`.  The formula
    (:data:`CLOSED_FORMS`) gives the gate ``g``; the value follows from the target's
    relation (``x·g`` for GELU).  :meth:`derivative` is analytic (the kernels'
    closed-form derivatives and the chain rule).

    Attributes
    ----------
    name : str
        A label for tables and plots.
    target : str or Target
        The target approximated.
    constants : dict
        The formula's constants, by name (reported as :attr:`coefficients`).
    form : str
        The closed form, a key of :data:`CLOSED_FORMS` (``ibert``, ``as-7.1.26``).
    formula : str
        The formula as a person reads it (default: the form's).
    meta : dict
        ``source`` and ``formula`` for a published approximant.
    base : str
        Always ``"value"``: the formula is used for GELU's value; its gate is
        computed directly (:attr:`gate_direct`), so it is defined at 0 too.
    """

    name: str
    target: str | Target
    constants: dict[str, float]
    form: str
    formula: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    base: str = "value"

    family = "closed form"
    clamp = None

    def __post_init__(self) -> None:
        check_str(self.form, "form")
        if self.form not in CLOSED_FORMS:
            raise InputError(f"unknown closed form {shown(self.form)}"
                             f"{suggest(self.form[:100], list(CLOSED_FORMS))}; `form` must be "
                             f"one of {', '.join(CLOSED_FORMS)}")
        want = CLOSED_FORMS[self.form].constants
        if not isinstance(self.constants, Mapping):
            raise InputTypeError(f"`constants` must be a mapping of names to numbers, got "
                                 f"{type(self.constants).__name__} {shown(self.constants)}")
        try:
            constants = check_values(self.constants)
        except InputError as exc:
            raise type(exc)(str(exc).replace("`values`", "`constants`", 1)) from None
        if sorted(constants) != sorted(want):
            raise InputError(f"`constants`: the closed form {self.form!r} needs the "
                             f"constants {', '.join(want)}, got {shown(sorted(constants))}")
        object.__setattr__(self, "constants", {k: constants[k] for k in want})
        if self.base != "value":
            raise InputError(f"`base` of a closed form must be 'value', got "
                             f"{shown(self.base)}")
        check_common(self.target, self.name, self.meta, self.base)
        if not isinstance(self.formula, str):
            raise InputTypeError(f"`formula` must be a str, got {type(self.formula).__name__}")
        if not self.target_obj.has_gate:
            raise InputError(f"target {self.target_obj.name!r} has no gate; the closed form "
                             f"{self.name!r} does not apply")

    @property
    def form_obj(self) -> ClosedForm:
        """The :class:`ClosedForm`."""
        return CLOSED_FORMS[self.form]

    @property
    def coefficients(self) -> dict[str, float]:
        """The formula's constants, ``{"a": …, "b": …}``."""
        return dict(self.constants)

    @property
    def scaled(self) -> dict[str, float]:
        """Always empty: there is no inner polynomial to scale."""
        return {}

    @property
    def gate_direct(self) -> bool:
        """True: the formula computes the gate."""
        return True

    def gate(self, x: Array) -> Array:
        """The approximant of the target's gate at ``x``."""
        x = check_array(x, "x")
        with np.errstate(over="ignore", under="ignore"):
            return self.form_obj.gate(x, self.constants)

    def kernel(self, x: Array) -> Array:
        """The approximant of the value (``base``): the gate through the relation."""
        x = np.asarray(x, dtype=float)
        return self.target_obj.relation.value_from_gate(x, self.gate(x))

    def evaluate(self, x: Array, *, on: str = "value") -> Array:
        """The approximant of the target's value or gate at ``x``."""
        check_on(on)
        x = check_array(x, "x")
        return self.gate(x) if on == "gate" else self.kernel(x)

    def derivative(self, x: Array) -> Array:
        """d/dx of the approximant of the value, analytic.

        ``f = scale(x)·g + offset`` gives ``f′ = scale′·g + scale·g′``.  Where the
        formula has a jump (I-BERT's L at 0) this is the one-sided derivative, the
        same on both sides; the jump itself is not a derivative.
        """
        x = check_array(x, "x")
        rel = self.target_obj.relation
        with np.errstate(over="ignore", under="ignore"):
            dg = self.form_obj.dgate(x, self.constants)
        return rel.dscale(x) * self.gate(x) + rel.scale(x) * dg

    def _emit(self, b: ProgramBuilder, on: str, relation: str | None, gate_form: str
              ) -> str:
        g = self.form_obj.emit(b, self.constants)
        return g if on == "gate" else relation_value(b, relation, g)

    def program(self, *, on: str = "value", gate_form: str = "tanh") -> tuple[Step, ...]:
        """The approximant as a straight-line program (``gate_form`` is ignored).

        * ``as-7.1.26``: ``z = |x|·(1/√2)``, ``t = 1/(1 + p·z)``,
          ``h = ½·(t·(a1 + t·(a2 + …)))·e^(−z²)``, gate ``h`` for ``x < 0`` and
          ``1 − h`` otherwise;
        * ``ibert``: ``u = x·(1/√2)``, ``L = sign(u)·(a·(min(|u|, −b) + b)² + 1)``,
          gate ``½·(1 + L)``;

        then the relation (``x·g``) for the value.
        """
        return super().program(on=on, gate_form=gate_form)

    def with_coefficients(self, values: Mapping[str, float], *, name: str | None = None,
                          clamp: float | None = None) -> ClosedFormApproximant:
        """A copy with the constants named in ``values`` replaced."""
        values = check_values(values)
        if name is not None:
            check_str(name, "name", empty=True)
        if clamp is not None:
            raise InputError("`clamp` (a tail guard) applies to the tanh and sigmoid "
                             "families only")
        unknown = [k for k in values if k not in self.constants]
        if unknown:
            raise InputError(f"`values` names {', '.join(unknown)}, which are not constants "
                             f"of {self.form!r}; they are {', '.join(self.constants)}")
        return replace(self, constants={k: float(values.get(k, v))
                                        for k, v in self.constants.items()},
                       name=self.name if name is None else name)

    def describe(self) -> str:
        """The formula with its constants, on one line."""
        consts = ", ".join(f"{k} = {v:.10g}" for k, v in self.constants.items())
        return f"{self.formula or self.form_obj.formula} with {consts}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description that :meth:`from_dict` reads back."""
        d = {"kind": "closed-form", "family": self.family, "form": self.form,
             "name": self.name, "target": self.target_name, "base": self.base,
             "formula": self.formula, "coefficients": self.coefficients,
             "source": self.meta.get("source")}
        if self.target_obj.expression is not None:
            d["target_expr"] = self.target_obj.expression
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClosedFormApproximant:
        """Inverse of :meth:`to_dict`: the form by name, its constants, the target."""
        try:
            form = str(data.get("form") or data["name"])
            coefs = data["coefficients"]
            if not isinstance(coefs, Mapping):
                raise InputError("not a closed-form description: coefficients must be an "
                                 "object of name: number")
            target: str | Target = str(data["target"])
            if data.get("target_expr") is not None:
                from approxfit.core.targets import custom_target

                target = custom_target(str(data["target"]), str(data["target_expr"]))
            meta = {k: str(data[k]) for k in ("source", "formula") if data.get(k)}
            return cls(str(data.get("name", "")), target,
                       {str(k): float(v) for k, v in coefs.items()}, form,
                       formula=str(data.get("formula") or ""), meta=meta,
                       base=str(data.get("base", "value")))
        except InputError:
            raise                              # already says what is wrong
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a closed-form description: missing or bad {exc}"
                             ) from None


@dataclass(frozen=True)
class Published:
    """A published approximant: where it comes from and how to build it.

    Attributes
    ----------
    name : str
        The registry key, e.g. ``"paper-tanh"``.
    target : str
        The target it approximates (``"gelu"``).
    source : str
        The citation.
    formula : str
        The approximant as printed.
    builder : callable
        ``() -> approximant`` (without the citation; :meth:`build` adds it).
    """

    name: str
    target: str
    source: str
    formula: str
    builder: Callable[[], AnyApproximant]

    def build(self) -> AnyApproximant:
        """A fresh approximant named :attr:`name`, with source and formula in ``meta``."""
        approx = self.builder()
        return replace(approx, name=self.name,
                       meta={"source": self.source, "formula": self.formula})


def _gated(family: str, coefs: Mapping[int, float]) -> Callable[[], Approximant]:
    powers = tuple(sorted(coefs))

    def build() -> Approximant:
        return Approximant(family, powers, tuple(float(coefs[k]) for k in powers), "gelu",
                           base="gate")

    return build


def _closed(form: str, constants: Mapping[str, float]
            ) -> Callable[[], ClosedFormApproximant]:
    def build() -> ClosedFormApproximant:
        return ClosedFormApproximant("", "gelu", dict(constants), form,
                                     formula=CLOSED_FORMS[form].formula)

    return build


_QA = ("Stack Exchange Data Science Q&A 49522 'What is GELU activation?' "
       "(answers by Esmailian and BookYourLuck, 2019)")
_HG = ("Hendrycks & Gimpel, 'Gaussian Error Linear Units (GELUs)', arXiv:1606.08415 "
       "(2016)")
_TAYLOR_A3 = (4.0 - math.pi) / (6.0 * math.pi)
_C1 = _SQRT_2_OVER_PI
def _build_registry() -> dict[str, Published]:
    tanh_form = "½x(1 + tanh(√(2/π)(x + {}x³)))"
    entries = [
        Published("paper-tanh", "gelu", _HG, tanh_form.format("0.044715·"),
                  _gated("tanh", {1: _C1, 3: _C1 * 0.044715})),
        Published("paper-sigmoid", "gelu", _HG, "x·σ(1.702x)",
                  _gated("sigmoid", {1: 1.702})),
        Published("taylor-tanh", "gelu",
                  f"{_QA}: matching the x³ Taylor term, a3 = (4 − π)/(6π)",
                  tanh_form.format("((4 − π)/(6π))·"),
                  _gated("tanh", {1: _C1, 3: _C1 * _TAYLOR_A3})),
        Published("seed-alt-tanh", "gelu", f"{_QA}: the answer's code",
                  tanh_form.format("0.04498017·"),
                  _gated("tanh", {1: _C1, 3: _C1 * 0.04498017})),
        Published("seed-alt-sigmoid", "gelu", f"{_QA}: the answer's code", "x·σ(1.656577x)",
                  _gated("sigmoid", {1: 1.656577})),
        Published("seed-free-tanh", "gelu",
                  f"{_QA}: fit without the slope constraint",
                  "½x(1 + tanh(0.797885x + 0.035677x³))",
                  _gated("tanh", {1: 0.797885, 3: 0.035677})),
        Published("bowling-2009", "gelu",
                  "Bowling, Khasawneh, Kaewkuekool & Cho, 'A logistic approximation to the "
                  "cumulative normal distribution', J. Ind. Eng. Manag. 2(1):114–127 (2009)",
                  "x·σ(1.5976x + 0.07056x³)",
                  _gated("sigmoid", {1: 1.5976, 3: 0.07056})),
        Published("ibert", "gelu",
                  "Kim, Gholami, Yao, Mahoney & Keutzer, 'I-BERT: Integer-only BERT "
                  "Quantization', ICML 2021 (arXiv:2101.01321), i-GELU",
                  _IBERT_FORMULA,
                  _closed("ibert", {"a": -0.2888, "b": -1.769})),
        Published("as-7.1.26", "gelu",
                  "Abramowitz & Stegun, Handbook of Mathematical Functions (1964), 7.1.26 "
                  "(Hastings 1955): |error of erf| ≤ 1.5e-7",
                  _AS_FORMULA,
                  _closed("as-7.1.26", {"p": 0.3275911, "a1": 0.254829592,
                                        "a2": -0.284496736, "a3": 1.421413741,
                                        "a4": -1.453152027, "a5": 1.061405429})),
    ]
    return {e.name: e for e in entries}


PUBLISHED: dict[str, Published] = _build_registry()


def get_published(name: str) -> AnyApproximant:
    """The published approximant called ``name``, freshly built.

    Raises
    ------
    InputError
        If there is none; the message suggests the nearest name and lists them all.
    """
    check_str(name, "name")
    try:
        entry = PUBLISHED[name]
    except KeyError:
        raise InputError(f"unknown published approximant `name` {shown(name)}"
                         f"{suggest(name[:100], list(PUBLISHED))}; choose one of "
                         f"{', '.join(PUBLISHED)}") from None
    return entry.build()


def published_for(target_name: str) -> list[Published]:
    """The registry entries that approximate ``target_name``, in registry order."""
    return [e for e in PUBLISHED.values() if e.target == target_name]
