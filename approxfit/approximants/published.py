"""Published approximants (of GELU, and shipped tanh, GELU and exp2 kernels' constants).

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

Constants shipped in kernels (:attr:`Published.shipped`; each source names the file,
the commit and the URL, and the registry keeps the literals as printed):

=================  ======  ====================================================  ==========
name               target  source                                                kind
=================  ======  ====================================================  ==========
eigen-tanh         tanh    Eigen 3.4.0 generic_fast_tanh_float, odd 13 / even 6  closed form
xnnpack-tanh       tanh    XNNPACK f32-vtanh scalar rational-9-8                 closed form
xnnpack-gelu       gelu    XNNPACK f32-vgelu scalar rational-12-10 (erf part)    closed form
fa4-exp2-1 … -5    exp2    FlashAttention-4 POLY_EX2, fpminimax on [0, 1]        poly
=================  ======  ====================================================  ==========

The rationals clamp x to [−C, C] first, as the kernels do (a rational approximant has
no input clamp, so they are closed forms whose program is the kernel's: the clamp,
Horner in x², one divide); their float32 evaluation is the kernel's bit for bit.

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
from collections.abc import Callable, Mapping, Sequence
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
           "odd_rational_terms", "published_for"]

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
    value, emit_value : callable or None
        The value's kernel and program computed directly, as the source computes it
        (``tanh = P/Q``, not ``2·½(1 + P/Q) − 1``); None: through the relation.
    """

    name: str
    gate: Callable[[Array, Mapping[str, float]], Array]
    dgate: Callable[[Array, Mapping[str, float]], Array]
    emit: Callable[[ProgramBuilder, Mapping[str, float]], str]
    constants: tuple[str, ...]
    formula: str
    value: Callable[[Array, Mapping[str, float]], Array] | None = None
    emit_value: Callable[[ProgramBuilder, Mapping[str, float]], str] | None = None


# -- clamped odd rationals: the shipped float32 tanh and GELU kernels -----------------
# r(x) = x·N(x²)/D(x²) at x clamped to [−C, C], N = Σ c_k x^(k−1) over odd k and
# D = Σ d_k x^k over even k, each by Horner's rule in x² (the kernels' order).

def odd_rational_terms(u: Array, c: Mapping[str, float], num: Sequence[str],
                       den: Sequence[str]) -> tuple[Array, Array]:
    """``(N(u), D(u))`` of an odd rational ``x·N(x²)/D(x²)`` at ``u = x²``: the
    coefficients named by ``num`` and ``den`` (lowest power first), each by Horner's
    rule in u, the shipped kernels' order."""
    n = np.zeros_like(u)
    for k in reversed(num):
        n = n * u + c[k]
    d = np.zeros_like(u)
    for k in reversed(den):
        d = d * u + c[k]
    return n, d


def _odd_rational_parts(x: Array, c: Mapping[str, float], num: tuple[str, ...],
                        den: tuple[str, ...]) -> tuple[Array, Array, Array, Array, Array]:
    """``(xc, u, N, D, inside)``: the clamped x, u = xc², N(u), D(u), |x| < C."""
    bound = c["clamp"]
    xc = np.clip(x, -bound, bound)
    u = xc * xc
    n, d = odd_rational_terms(u, c, num, den)
    return xc, u, n, d, np.abs(x) < bound


def _horner_value(u: Array, c: Mapping[str, float], names: tuple[str, ...]
                  ) -> tuple[Array, Array]:
    """Σ c[names[j]]·u^j and its derivative in u."""
    v, dv = np.zeros_like(u), np.zeros_like(u)
    for k in reversed(names):
        dv = dv * u + v
        v = v * u + c[k]
    return v, dv


def _odd_rational_form(name: str, num: tuple[str, ...], den: tuple[str, ...], kind: str,
                       formula: str, tiny: bool = False) -> ClosedForm:
    """A :class:`ClosedForm` for r = xc·N(xc²)/D(xc²), xc = clip(x, −C, C).

    ``kind`` ``"odd"`` (tanh: the value is r, the gate ½(1 + r)) or ``"product"``
    (GELU: r ≈ erf(x/√2), the value ``(x·½)·(1 + r)``, the gate ½(1 + r)).  With
    ``tiny``, the value is x itself where ``|x| < tiny`` (Eigen's small-x branch).
    Constants: ``clamp`` (C), ``tiny`` if used, then the c's and the d's.
    """

    def r_of(x: Array, c: Mapping[str, float]) -> Array:
        xc, _, n, d, _ = _odd_rational_parts(x, c, num, den)
        r = xc * n / d
        return np.where(np.abs(x) < c["tiny"], x, r) if tiny else r

    def dr_of(x: Array, c: Mapping[str, float]) -> Array:
        _, u, _, _, inside = _odd_rational_parts(x, c, num, den)
        n, dn = _horner_value(u, c, num)
        d, dd = _horner_value(u, c, den)
        # r = xc·N(u)/D(u), u = xc²: r′ = ((N + 2u·N′)·D − 2u·N·D′)/D²; 0 beyond ±C
        dr = np.where(inside, ((n + 2.0 * u * dn) * d - 2.0 * u * n * dd) / (d * d), 0.0)
        return np.where(np.abs(x) < c["tiny"], 1.0, dr) if tiny else dr

    def gate(x: Array, c: Mapping[str, float]) -> Array:
        return 0.5 * (1.0 + r_of(x, c))

    def dgate(x: Array, c: Mapping[str, float]) -> Array:
        return 0.5 * dr_of(x, c)

    def value(x: Array, c: Mapping[str, float]) -> Array:
        r = r_of(x, c)
        return r if kind == "odd" else (x * 0.5) * (1.0 + r)

    def emit_r(b: ProgramBuilder, c: Mapping[str, float]) -> str:
        xc = b.op("clip", "x", value=c["clamp"])
        u = b.op("mul", xc, xc)
        p = b.op("mul", horner(b, u, [(k, c[k]) for k in num]), xc)
        r = b.op("div", p, horner(b, u, [(k, c[k]) for k in den]))
        if tiny:
            small = b.op("sub", b.op("abs", "x"), b.const(c["tiny"], "tiny"))
            r = b.op("where_neg", small, "x", r)
        return r

    def emit_gate(b: ProgramBuilder, c: Mapping[str, float]) -> str:
        one_plus = b.op("add", emit_r(b, c), b.const(1.0, "one"))
        return b.op("mul", b.const(0.5, "half"), one_plus)

    def emit_value(b: ProgramBuilder, c: Mapping[str, float]) -> str:
        r = emit_r(b, c)
        if kind == "odd":
            return r
        return b.op("mul", b.op("mul", "x", b.const(0.5, "half")),
                    b.op("add", r, b.const(1.0, "one")))

    names = ("clamp", *(("tiny",) if tiny else ()), *num, *den)
    return ClosedForm(name, gate, dgate, emit_gate, names, formula, value=value,
                      emit_value=emit_value)


def _odd(prefix: str, top: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{k}" for k in range(1, top + 1, 2))


def _even(prefix: str, top: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{k}" for k in range(0, top + 1, 2))


_EIGEN_FORMULA = ("tanh(x) ≈ x·(c1 + c3 x² + … + c13 x¹²)/(d0 + d2 x² + … + d6 x⁶) at x "
                  "clamped to [−C, C]; x itself where |x| < tiny")
_XNN_TANH_FORMULA = ("tanh(x) ≈ x·(c1 + c3 x² + … + c9 x⁸)/(d0 + d2 x² + … + d8 x⁸) at x "
                     "clamped to [−C, C]")
_XNN_GELU_FORMULA = ("(x·½)·(1 + r), erf(x/√2) ≈ r = x·(c1 + c3 x² + … + c11 x¹⁰)/"
                     "(d0 + d2 x² + … + d10 x¹⁰) at x clamped to [−C, C]")
_IBERT_FORMULA = "x·½(1 + L(x/√2)), L(u) = sign(u)·[a·(min(|u|, −b) + b)² + 1]"
_AS_FORMULA = ("x·½(1 + erf(x/√2)), erf(z) ≈ 1 − (a1 t + … + a5 t⁵)·e^(−z²), "
               "t = 1/(1 + p z) for z ≥ 0, odd extension")

CLOSED_FORMS: dict[str, ClosedForm] = {
    "ibert": ClosedForm("ibert", _ibert_gate, _ibert_dgate, _ibert_program, ("a", "b"),
                        _IBERT_FORMULA),
    "as-7.1.26": ClosedForm("as-7.1.26", _as_gate, _as_dgate, _as_program, ("p", *_AS_A),
                            _AS_FORMULA),
    "eigen-tanh": _odd_rational_form("eigen-tanh", _odd("c", 13), _even("d", 6), "odd",
                                     _EIGEN_FORMULA, tiny=True),
    "xnnpack-tanh": _odd_rational_form("xnnpack-tanh", _odd("c", 9), _even("d", 8), "odd",
                                       _XNN_TANH_FORMULA),
    "xnnpack-gelu": _odd_rational_form("xnnpack-gelu", _odd("c", 11), _even("d", 10),
                                       "product", _XNN_GELU_FORMULA),
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
        """The approximant of the value (``base``): the form's own value kernel, or the
        gate through the relation."""
        x = np.asarray(x, dtype=float)
        if self.form_obj.value is not None:
            with np.errstate(over="ignore", under="ignore"):
                return self.form_obj.value(x, self.constants)
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
        form = self.form_obj
        if on == "value" and form.emit_value is not None:
            return form.emit_value(b, self.constants)
        g = form.emit(b, self.constants)
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
    range : (float, float) or None
        The range the source states for it (fit range or test domain), if any.
    shipped : bool
        True for constants shipped in a library's kernel (Eigen, XNNPACK,
        FlashAttention-4) rather than printed in a paper; :func:`published_for`
        leaves them out unless asked.
    """

    name: str
    target: str
    source: str
    formula: str
    builder: Callable[[], AnyApproximant]
    range: tuple[float, float] | None = None
    shipped: bool = False

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


def _closed(form: str, constants: Mapping[str, float], target: str = "gelu"
            ) -> Callable[[], ClosedFormApproximant]:
    def build() -> ClosedFormApproximant:
        return ClosedFormApproximant("", target, dict(constants), form,
                                     formula=CLOSED_FORMS[form].formula)

    return build


def _f32(text: str) -> float:
    """A float32 literal as a C compiler reads it (``4.89352455891786e-03f``): the
    nearest float32 to the decimal, as a float."""
    return float(np.float32(text))


def _f32s(names: tuple[str, ...], texts: str) -> dict[str, float]:
    """``{name: _f32(text)}`` for the whitespace-separated literals ``texts``."""
    values = texts.split()
    if len(values) != len(names):   # pragma: no cover - a typo in the registry
        raise ValueError(f"{len(names)} names, {len(values)} literals")
    return {k: _f32(v) for k, v in zip(names, values, strict=True)}


def _poly(target: str, coefs: tuple[float, ...]) -> Callable[[], Approximant]:
    def build() -> Approximant:
        return Approximant("poly", tuple(range(len(coefs))), coefs, target, base="value")

    return build


#: The shipped constants, as printed in their sources (float32 literals; the registry's
#: values are these read as float32).  tests/test_shipped_constants.py keeps its own copy.
EIGEN_TANH_LITERALS = {
    "clamp": "7.90531110763549805", "tiny": "0.0004",
    "c1": "4.89352455891786e-03", "c3": "6.37261928875436e-04",
    "c5": "1.48572235717979e-05", "c7": "5.12229709037114e-08",
    "c9": "-8.60467152213735e-11", "c11": "2.00018790482477e-13",
    "c13": "-2.76076847742355e-16",
    "d0": "4.89352518554385e-03", "d2": "2.26843463243900e-03",
    "d4": "1.18534705686654e-04", "d6": "1.19825839466702e-06",
}
XNNPACK_TANH_LITERALS = {
    "clamp": "7.8522667885e+00",
    "c1": "1.0000000000e+00", "c3": "1.3412411511e-01", "c5": "3.5330520477e-03",
    "c7": "2.1235626264e-05", "c9": "1.4248920266e-08",
    "d0": "1.0000000000e+00", "d2": "4.6745735407e-01", "d4": "2.6018999517e-02",
    "d6": "3.3472978976e-04", "d8": "8.1365948290e-07",
}
XNNPACK_GELU_LITERALS = {
    "clamp": "5.1158981323e+00",
    "c1": "7.9788452387e-01", "c3": "6.6972173750e-02", "c5": "9.3065137044e-03",
    "c7": "3.2973114867e-04", "c9": "1.2609783880e-05", "c11": "4.5835321316e-08",
    "d0": "1.0", "d2": "2.5060352683e-01", "d4": "2.8431978077e-02",
    "d6": "1.8622842617e-03", "d8": "7.2267655923e-05", "d10": "1.1988805682e-06",
}
FA4_EXP2_LITERALS: dict[int, tuple[str, ...]] = {
    1: ("1.0", "0.922497093677520751953125"),
    2: ("1.0", "0.6657850742340087890625", "0.330107033252716064453125"),
    3: ("1.0", "0.695146143436431884765625", "0.227564394474029541015625",
        "0.077119089663028717041015625"),
    4: ("1.0", "0.693042695522308349609375", "0.2412912547588348388671875",
        "5.2225358784198760986328125e-2", "1.3434938155114650726318359375e-2"),
    5: ("1.0", "0.693151414394378662109375", "0.24016360938549041748046875",
        "5.5802188813686370849609375e-2", "9.01452265679836273193359375e-3",
        "1.86810153536498546600341796875e-3"),
}

_EIGEN_COMMIT = "3147391d946bb4b6c68edd901f2add6ac1f31f8c"
_XNN_COMMIT = "75db3c093b6d74fe90b8df82670cd8a01102ba38"
_FA_COMMIT = "0251105a2fb19d2957484b7f023cd8c115286ced"
_EIGEN_SRC = (
    f"Eigen 3.4.0 (tag 3.4.0, commit {_EIGEN_COMMIT}), Eigen/src/Core/MathFunctionsImpl.h, "
    "generic_fast_tanh_float: '13/6-degree rational interpolant which is accurate up to a "
    "couple of ulps in the (approximate) range [-8, 8]'; the clamp without FMA "
    "(7.99881172180175781 with EIGEN_VECTORIZE_FMA); "
    "https://gitlab.com/libeigen/eigen/-/blob/3.4.0/Eigen/src/Core/MathFunctionsImpl.h")
_XNN_URL = f"https://github.com/google/XNNPACK/blob/{_XNN_COMMIT}/"
_XNN_TANH_SRC = (
    f"XNNPACK (commit {_XNN_COMMIT}), src/f32-vtanh/gen/f32-vtanh-scalar-rational-9-8-div.c "
    "(template src/f32-vtanh/rational-9-8.c.in), the clamp without native FMA "
    "(7.9807181358 with it); tested to 4 ulp (test/unary-ops.h, TanH) on [-10, 10]; "
    f"{_XNN_URL}src/f32-vtanh/gen/f32-vtanh-scalar-rational-9-8-div.c")
_XNN_GELU_SRC = (
    f"XNNPACK (commit {_XNN_COMMIT}), src/f32-vgelu/gen/f32-vgelu-scalar-rational-12-10-div.c "
    "(template src/f32-vgelu/rational-12-10.c.in), the clamp without native FMA "
    "(5.1638283730 with it); tested to max(10 eps, 5 eps·|y|) (test/unary-ops.h, GELU) on "
    f"[-10, 10]; {_XNN_URL}src/f32-vgelu/gen/f32-vgelu-scalar-rational-12-10-div.c")
_FA_SRC = (
    f"FlashAttention-4 (Dao-AILab/flash-attention commit {_FA_COMMIT}), "
    "flash_attn/cute/utils.py, POLY_EX2[{}], 'Obtained from sollya: fpminimax(exp(x * "
    "log(2.0)), 1, [|1,24...|],[0;1],relative)', 2^frac in ex2_emulation; "
    f"https://github.com/Dao-AILab/flash-attention/blob/{_FA_COMMIT}/flash_attn/cute/utils.py")


def _shipped_entries() -> list[Published]:
    """Eigen's and XNNPACK's clamped rationals and FlashAttention-4's exp2 polynomials."""
    entries = [
        Published("eigen-tanh", "tanh", _EIGEN_SRC, _EIGEN_FORMULA,
                  _closed("eigen-tanh", _f32s(tuple(EIGEN_TANH_LITERALS),
                                              " ".join(EIGEN_TANH_LITERALS.values())),
                          "tanh"), range=(-8.0, 8.0), shipped=True),
        Published("xnnpack-tanh", "tanh", _XNN_TANH_SRC, _XNN_TANH_FORMULA,
                  _closed("xnnpack-tanh", _f32s(tuple(XNNPACK_TANH_LITERALS),
                                                " ".join(XNNPACK_TANH_LITERALS.values())),
                          "tanh"), range=(-10.0, 10.0), shipped=True),
        Published("xnnpack-gelu", "gelu", _XNN_GELU_SRC, _XNN_GELU_FORMULA,
                  _closed("xnnpack-gelu", _f32s(tuple(XNNPACK_GELU_LITERALS),
                                                " ".join(XNNPACK_GELU_LITERALS.values())),
                          "gelu"), range=(-10.0, 10.0), shipped=True),
    ]
    for n, texts in FA4_EXP2_LITERALS.items():
        formula = " + ".join(["1", "c1·x", *(f"c{k}·x^{k}" for k in range(2, n + 1))])
        entries.append(Published(f"fa4-exp2-{n}", "exp2", _FA_SRC.format(n),
                                 f"2^x ≈ {formula} on [0, 1]",
                                 _poly("exp2", tuple(_f32(t) for t in texts)),
                                 range=(0.0, 1.0), shipped=True))
    return entries


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
    return {e.name: e for e in (*entries, *_shipped_entries())}


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


def published_for(target_name: str, *, shipped: bool = False) -> list[Published]:
    """The registry entries that approximate ``target_name``, in registry order: those
    printed in papers, and with ``shipped`` also the constants shipped in kernels."""
    return [e for e in PUBLISHED.values()
            if e.target == target_name and (shipped or not e.shipped)]
