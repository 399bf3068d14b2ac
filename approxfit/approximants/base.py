"""One approximant protocol for the three kinds, and the mixin they share.

=========================================  ==================================  ========
kind                                       what its kernel is                  ``family``
=========================================  ==================================  ========
:class:`~approxfit.approximants.approximant.Approximant`
                                           ``outer(p(x))`` or ``p(x)``          tanh,
                                                                               sigmoid,
                                                                               poly
:class:`~approxfit.approximants.rational.RationalApproximant`
                                           ``P(x)/Q(x)``                       rational
:class:`~approxfit.approximants.published.ClosedFormApproximant`
                                           a closed formula for the gate       closed
                                           (``ibert``, ``as-7.1.26``)          form
=========================================  ==================================  ========

All three satisfy :class:`AnyApproximant`; the layers above (low precision, code
export, metrics, the Pareto sweep, the report) use only that interface.  Each kind
builds its own evaluation program (:meth:`AnyApproximant.program`, from the pieces
of :mod:`approxfit.approximants.program`), and its :meth:`~AnyApproximant.cost` is
counted from that program.

Every kind has a gate (:meth:`AnyApproximant.gate`) when its target has one (a
gate relation: gelu, phi, erf, silu, mish, tanh, …); for a target without one
``gate`` and ``evaluate(x, on="gate")`` raise :class:`InputError`.  Closed forms
compute the gate directly; a kernel that approximates the value (``poly`` or
``rational`` fitted on the value) gives the gate through the relation — for
``x·g`` that is ``f/x``, undefined at 0 (:attr:`AnyApproximant.gate_direct` is
False).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from approxfit.approximants.program import (
    Cost,
    ProgramBuilder,
    Step,
    check_program_args,
    operation_count,
)
from approxfit.core.checks import InputTypeError, check_array, check_choice, check_float, shown
from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target, get_target

__all__ = ["AnyApproximant", "ApproximantBase", "check_clamp", "check_coefficients",
           "check_common", "check_on", "check_values"]

Array = np.ndarray


def check_on(on: str) -> str:
    """``on`` if it is ``"value"`` or ``"gate"``, else :class:`InputError` naming ``on``."""
    if not isinstance(on, str) or on not in ("value", "gate"):
        raise (InputError if isinstance(on, str) else InputTypeError)(
            f"`on` must be 'value' or 'gate', got {shown(on)}")
    return on


def check_coefficients(values: Any, name: str) -> tuple[float, ...]:
    """``values`` as a tuple of finite floats: a sequence of real numbers (not strings,
    not bools), else :class:`InputError` naming ``name``."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values,
                                                                   Sequence | np.ndarray):
        raise InputTypeError(f"`{name}` must be a sequence of numbers, got "
                             f"{type(values).__name__} {shown(values)}")
    out = []
    for v in values:
        if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
            raise InputTypeError(f"`{name}` must hold numbers, got {type(v).__name__} "
                                 f"{shown(v)}")
        try:
            f = float(v)
        except OverflowError:
            f = float("inf")
        if not np.isfinite(f):
            raise InputError(f"`{name}` must be finite numbers, got {shown(v)}")
        out.append(f)
    return tuple(out)


def check_values(values: Any) -> dict[str, float]:
    """``with_coefficients``' ``values``: a mapping of names to finite real numbers."""
    if not isinstance(values, Mapping):
        raise InputTypeError(f"`values` must be a mapping of coefficient names to numbers, "
                             f"got {type(values).__name__} {shown(values)}")
    out = {}
    for k, v in values.items():
        if not isinstance(k, str):
            raise InputTypeError(f"`values` names must be str, got {type(k).__name__} "
                                 f"{shown(k)}")
        if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
            raise InputTypeError(f"`values` {shown(k, 30)} must be a number, got "
                                 f"{type(v).__name__} {shown(v)}")
        f = float(v)
        if not np.isfinite(f):
            raise InputError(f"`values` {shown(k, 30)} must be finite, got {f}")
        out[k] = f
    return out


def check_clamp(clamp: Any) -> float | None:
    """A tail guard: None or a finite number > 0, as a float."""
    if clamp is None:
        return None
    return check_float(clamp, "clamp", 0.0, lo_open=True)


def check_common(target: Any, name: Any, meta: Any, base: Any) -> None:
    """The attributes every kind has: ``target`` (a str or a Target), ``name`` (a str),
    ``meta`` (a mapping) and ``base`` ("gate" or "value")."""
    if not isinstance(target, str | Target):
        raise InputTypeError(f"`target` must be a str or a Target, got "
                             f"{type(target).__name__} {shown(target)}")
    if not isinstance(name, str):
        raise InputTypeError(f"`name` must be a str, got {type(name).__name__} {shown(name)}")
    if not isinstance(meta, Mapping):
        raise InputTypeError(f"`meta` must be a mapping, got {type(meta).__name__} "
                             f"{shown(meta)}")
    check_choice(base, ("gate", "value"), "base")


@runtime_checkable
class AnyApproximant(Protocol):
    """What every approximant kind offers.

    Attributes
    ----------
    name : str
        A label for tables and plots.
    family : str
        ``tanh``, ``sigmoid``, ``poly``, ``rational`` or ``closed form``.
    base : {"gate", "value"}
        What the kernel approximates.
    clamp : float or None
        The tail guard (tanh and sigmoid families only; else None).
    meta : dict
        ``source`` and ``formula`` of a published approximant.
    """

    name: str
    family: str
    base: str
    clamp: float | None
    meta: dict[str, Any]

    @property
    def supports_clamp(self) -> bool:
        """True when a tail guard (``clamp``) applies: the tanh and sigmoid families."""

    @property
    def target_obj(self) -> Target:
        """The target approximated."""

    @property
    def target_name(self) -> str:
        """The target's name."""

    @property
    def coefficients(self) -> dict[str, float]:
        """The constants, by name (``c1``, ``d2``, ``a``, ``p`` …)."""

    @property
    def scaled(self) -> dict[str, float]:
        """The scaled form ``a_k = c_k/c1`` where there is one, else ``{}``."""

    @property
    def chebyshev(self) -> dict[str, Any] | None:
        """The Chebyshev form ``{"domain": [a, b], …}`` of a kind held in that basis,
        else None."""

    @property
    def gate_direct(self) -> bool:
        """True when the gate is computed directly, not as the value through the
        relation (which for ``x·g`` is undefined at 0)."""

    def evaluate(self, x: Array, *, on: str = "value") -> Array:
        """The approximant of the target's value or gate at ``x``."""

    def gate(self, x: Array) -> Array:
        """The approximant of the target's gate at ``x``."""

    def derivative(self, x: Array) -> Array:
        """d/dx of the approximant of the value."""

    def program(self, *, on: str = "value", gate_form: str = "tanh") -> tuple[Step, ...]:
        """The straight-line program the emulator runs and the exporter prints."""

    def cost(self) -> Cost:
        """The operation count of the value's program."""

    def describe(self) -> str:
        """A one-line formula."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description that ``from_dict`` (and
        :func:`approxfit.approximants.spec.approximant_from_dict`) reads back."""

    def with_coefficients(self, values: Mapping[str, float], *, name: str | None = None,
                          clamp: float | None = None) -> AnyApproximant:
        """A copy with the coefficients named in ``values`` replaced."""


class ApproximantBase:
    """The shared part of the kinds: the target, ``evaluate`` through the relation,
    ``gate``, ``program`` (around the kind's :meth:`_emit`) and ``cost``.

    A kind defines ``target`` (a built-in target's name or a
    :class:`~approxfit.core.targets.Target`), ``base``, ``kernel(x)`` (what it
    approximates, ``base``) and ``_emit(builder, on, relation, gate_form)`` (its
    program's operations, returning the result's variable).
    """

    target: str | Target
    base: str
    family: ClassVar[str]
    supports_clamp: ClassVar[bool] = False      # a tail guard: the tanh, sigmoid families

    # -- the target ------------------------------------------------------------
    @property
    def target_obj(self) -> Target:
        """The :class:`~approxfit.core.targets.Target`."""
        return self.target if isinstance(self.target, Target) else get_target(self.target)

    @property
    def target_name(self) -> str:
        """The target's name."""
        return self.target_obj.name

    @property
    def gate_direct(self) -> bool:
        """True when the kernel approximates the gate (``base == "gate"``)."""
        return self.base == "gate"

    @property
    def chebyshev(self) -> dict[str, Any] | None:
        """None: only a family or rational approximant held in the Chebyshev basis
        has a Chebyshev form."""
        return None

    def own_chebyshev_form(self) -> dict[str, Any]:
        """:attr:`chebyshev` of an approximant held in the Chebyshev basis; an InputError
        naming ``domain`` for one held in the monomial basis (its form needs a domain)."""
        form = self.chebyshev
        if form is None:
            raise InputError("`domain` is required: this approximant is held in the "
                             "monomial basis, and its Chebyshev form depends on the "
                             "domain (a, b)")
        return form

    # -- evaluation -------------------------------------------------------------
    def __call__(self, x: Any) -> Array:
        """The approximant of the target's value at ``x``: ``approx(x)`` is
        ``approx.evaluate(x, on="value")``."""
        return self.evaluate(x, on="value")

    def __repr__(self) -> str:
        """One line: kind, name, target and coefficients (to 6 digits)."""
        try:
            items = self.coefficients.items()
        except InputError:      # a Chebyshev P/Q whose Q(0) = 0 has no monomial form
            cheb = self.chebyshev or {}
            items = {f"{part[0].upper()}_{k}": v for part in ("numerator", "denominator")
                     for k, v in cheb.get(part, {}).items()}.items()
        coefs = ", ".join(f"{k}={v:.6g}" for k, v in items)
        label = f" {self.name!r}" if getattr(self, "name", "") else ""
        return (f"<{type(self).__name__}{label}: {self.family} for {self.target_name}'s "
                f"{self.base}, {coefs}>")

    def kernel(self, x: Array) -> Array:  # pragma: no cover - every kind defines it
        """What the kind computes: the approximant of :attr:`base`."""
        raise NotImplementedError

    def evaluate(self, x: Array, *, on: str = "value") -> Array:
        """The approximant of the target's value or gate at ``x``, through the
        target's gate relation when ``on`` is not what the kernel approximates."""
        check_on(on)
        x = check_array(x, "x")
        h = self.kernel(x)
        if on == self.base:
            return h
        rel = self.target_obj.relation
        if rel is None:
            raise InputError(f"target {self.target_name!r} has no gate; use `on` value")
        return rel.value_from_gate(x, h) if on == "value" else rel.gate_from_value(x, h)

    def gate(self, x: Array) -> Array:
        """The approximant of the target's gate at ``x`` (InputError without a gate)."""
        return self.evaluate(x, on="gate")

    # -- the program ------------------------------------------------------------
    def _emit(self, b: ProgramBuilder, on: str, relation: str | None, gate_form: str
              ) -> str:  # pragma: no cover - every kind defines it
        raise NotImplementedError

    def program(self, *, on: str = "value", gate_form: str = "tanh") -> tuple[Step, ...]:
        """The approximant as a straight-line program: the order of every operation.

        This one program is what :func:`approxfit.lowprec.emulate.evaluate_in_format`
        runs, what :func:`approxfit.lowprec.export.export_code` prints and what
        :meth:`cost` counts.

        Parameters
        ----------
        on : {"value", "gate"}
        gate_form : {"tanh", "sigmoid"}
            How the tanh family's gate is formed: ``½·(1 + tanh p)`` or ``σ(2p)``
            (ignored by the other kinds).

        Returns
        -------
        tuple of Step
            The last step is the result.
        """
        target = self.target_obj
        relation = check_program_args(target.relation, target.name, on, gate_form)
        b = ProgramBuilder()
        return b.finish(self._emit(b, on, relation, gate_form))

    def cost(self) -> Cost:
        """The operation count of the value's program (``gate_form="tanh"``)."""
        return operation_count(self.program())
