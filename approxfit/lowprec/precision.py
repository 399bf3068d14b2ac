"""Low precision: an approximant evaluated in float64, float32, float16 or bfloat16.

Kernel writers run these formulas in narrow formats.  This module says what a
formula does there, against the exact function:

=========================  ==========================================================
name                       what it does
=========================  ==========================================================
:data:`FORMATS`            the four formats: precision, exponent range, numpy dtype
:func:`round_to_format`    correctly rounded (nearest-even) conversion from float64
:func:`ulp`                the unit in the last place of a format at a value
:func:`format_grid`        every representable value of a range (or a dense sample)
:func:`kernel_steps`       the approximant as a straight-line program of operations
:func:`evaluate_in_format` that program with every operation rounded to the format
:func:`precision_rows`     max abs and ULP errors, the format's floor, a histogram
:func:`coefficient_rounding`, :func:`reoptimise_rounded`
                           coefficients rounded to a format, and a small search over
                           their representable neighbours
=========================  ==========================================================

How a format is emulated
------------------------
Every operation of the program (:func:`kernel_steps`) — each multiplication and
addition of the Horner scheme, the clamp, the outer function, the gate relation —
is computed and then rounded to the format, round to nearest, ties to even:

* float64 and float32 run natively in numpy's float64 and float32 arithmetic.
* float16 and bfloat16 run each ``+ − × ÷`` in float32 and round the result to
  the format (float32 → float16 by numpy, float32 → bfloat16 by ``ml_dtypes``).
  Both operands are format values, and float32 has at least 2p + 2 significand
  bits for p = 11 (float16) and p = 8 (bfloat16), so this double rounding gives
  the correctly rounded result of the operation in the format (Figueroa, "When is
  double rounding innocuous?", SIGNUM 1995): it is what a native half-precision
  unit computes.
* The outer functions (``tanh``, ``exp``, ``σ``) are evaluated the way PyTorch's
  CPU kernels evaluate them for half types: in float32 (its "opmath" type), the
  result rounded to the format.  approxfit's float32 value of an outer function
  is the correctly rounded one (computed in float64 and rounded), not numpy's own
  float32 SIMD ``tanh``/``exp``, which differ from it by up to 1–2 ulp depending
  on the CPU: a table must give the same numbers on every machine.  For float64
  they are numpy's float64 functions.
* Constants (the coefficients, ½, 1/√2, …) are rounded to the format, as a kernel
  that stores them in the format does.
* ``opmath="float32"`` instead models PyTorch's *fused* half kernels (e.g.
  ``gelu`` for bfloat16 on the CPU): the input is widened to float32, the whole
  program runs in float32 with float32 constants, and the result is rounded to
  the format once.

Inputs are first rounded to the format, and the exact value is computed at the
rounded input, so the error measured is the kernel's and not the input's.

The exact reference
-------------------
For float32, float16 and bfloat16 the exact value is the target's float64 numpy
form (``scipy.special.ndtr`` and friends).  Its relative error is a few units of
2⁻⁵³ ≈ 1.1e-16, while one ULP of float32 is at least 2⁻²⁴ ≈ 6e-8 of the value:
the reference adds less than 1e-8 ulp to any ULP error reported.  For float64
that argument fails, so the float64 rows use the 50-digit mpmath reference on at
most ``mp_points`` of the points (evenly spread, stated in the row).

ULPs
----
``ulp(y)`` is the spacing of the format in the binade of ``round(y)``, the exact
value rounded to the format: ``2^(max(e, emin) − p + 1)`` with ``e`` the exponent
of ``round(y)``, ``emin`` the exponent of the smallest normal number and ``p`` the
precision.  Below the smallest normal (and at 0) it is the smallest subnormal,
the spacing of the subnormals; at an overflow to infinity it is the spacing of
the largest binade.  An error in ULPs is ``|approx − exact| / ulp(exact)``.  The
*floor* is the error of the exact function rounded to the format — at most
½ ulp by construction — the best any kernel in that format can do.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.families import coefficient_names
from approxfit.approximants.published import ClosedFormApproximant, _as_gate, _ibert_gate
from approxfit.core.exceptions import InputError

__all__ = ["DTYPES", "FORMATS", "GATE_FORMS", "OPMATHS", "ULP_BIN_EDGES", "Format",
           "RoundingResult", "Step", "coefficient_rounding", "erf_steps",
           "evaluate_in_format", "evaluate_steps", "format_grid", "get_format",
           "kernel_steps", "precision_markdown", "precision_rows", "precision_text",
           "reoptimise_rounded", "round_coefficients", "round_to_format", "rounding_text",
           "step_ulps", "ulp", "ulp_histogram"]

Array = np.ndarray
DTYPES: tuple[str, ...] = ("float64", "float32", "float16", "bfloat16")
OPMATHS: tuple[str, ...] = ("format", "float32")
GATE_FORMS: tuple[str, ...] = ("tanh", "sigmoid")
#: Right-closed bins of the ULP histogram: [0, ½], (½, 1], (1, 2], … (2¹⁶, ∞].
ULP_BIN_EDGES: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0, 16.0, 64.0, 256.0, 1024.0,
                                    65536.0, math.inf)
MP_POINTS = 2001
SQRT1_2 = math.sqrt(0.5)


# -- formats -------------------------------------------------------------------------

@dataclass(frozen=True)
class Format:
    """A binary floating-point format.

    Attributes
    ----------
    name : str
        ``float64``, ``float32``, ``float16`` or ``bfloat16``.
    precision : int
        Significand bits, the implicit leading bit included (53, 24, 11, 8).
    emin, emax : int
        Exponents of the smallest normal number (``2**emin``) and of the largest
        binade.
    bits : int
        Storage width.
    """

    name: str
    precision: int
    emin: int
    emax: int
    bits: int

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype (bfloat16 from ``ml_dtypes``, imported here)."""
        if self.name == "bfloat16":
            import ml_dtypes

            return np.dtype(ml_dtypes.bfloat16)
        return np.dtype(self.name)

    @property
    def eps(self) -> float:
        """``2^(1 − p)``: the spacing just above 1."""
        return math.ldexp(1.0, 1 - self.precision)

    @property
    def max(self) -> float:
        """The largest finite number."""
        return (2.0 - self.eps) * math.ldexp(1.0, self.emax)

    @property
    def smallest_normal(self) -> float:
        """``2^emin``."""
        return math.ldexp(1.0, self.emin)

    @property
    def smallest_subnormal(self) -> float:
        """``2^(emin − p + 1)``: the spacing of the subnormals."""
        return math.ldexp(1.0, self.emin - self.precision + 1)

    @property
    def uint(self) -> np.dtype:
        """The unsigned integer type of the same width (for bit patterns)."""
        return np.dtype(f"uint{self.bits}")


FORMATS: dict[str, Format] = {
    "float64": Format("float64", 53, -1022, 1023, 64),
    "float32": Format("float32", 24, -126, 127, 32),
    "float16": Format("float16", 11, -14, 15, 16),
    "bfloat16": Format("bfloat16", 8, -126, 127, 16),
}


def get_format(dtype: str | Format) -> Format:
    """The :class:`Format` called ``dtype``; :class:`InputError` listing the choices."""
    if isinstance(dtype, Format):
        return dtype
    try:
        return FORMATS[dtype]
    except (KeyError, TypeError):
        from approxfit.core.names import suggest

        raise InputError(f"unknown dtype {dtype!r}{suggest(str(dtype), list(DTYPES))}; "
                         f"choose one of {', '.join(DTYPES)}") from None


def round_to_format(x: Any, dtype: str | Format) -> Array:
    """``x`` rounded to the format (nearest, ties to even), returned as float64.

    float64 → float32 is numpy's IEEE conversion.  For float16 and bfloat16 the
    rounding is done here, in float64, by scaling to the format's last place and
    :func:`numpy.round` (which rounds half to even); numbers beyond the largest
    finite value by half an ulp or more become infinities, and the subnormal
    range is handled by the ``emin`` floor.  (``ml_dtypes`` converts float64 to
    bfloat16 through float32, a double rounding: ``1 + 2⁻⁸ + 2⁻³⁰`` becomes 1
    instead of ``1 + 2⁻⁷``.)
    """
    fmt = get_format(dtype)
    x = np.asarray(x, dtype=np.float64)
    if fmt.name == "float64":
        return x.copy()
    if fmt.name == "float32":
        with np.errstate(over="ignore"):
            return x.astype(np.float32).astype(np.float64)
    with np.errstate(all="ignore"):
        _, e = np.frexp(x)
        q = np.maximum(e - 1, fmt.emin) - (fmt.precision - 1)
        r = np.ldexp(np.round(np.ldexp(x, -q)), q)
        r = np.where(np.abs(r) > fmt.max, np.copysign(np.inf, x), r)
        return np.where(np.isfinite(x), r, x)


def to_format_array(x: Any, dtype: str | Format) -> Array:
    """``x`` rounded to the format, as an array of the format's numpy dtype."""
    fmt = get_format(dtype)
    return round_to_format(x, fmt).astype(fmt.dtype)


def ulp(y: Any, dtype: str | Format) -> Array:
    """The format's unit in the last place at ``y`` (see the module docstring).

    ``2^(max(e, emin) − p + 1)`` where ``e`` is the exponent of ``y`` rounded to
    the format; the smallest subnormal at 0 and below the normal range; the
    spacing of the largest binade where ``y`` overflows.  NaN stays NaN.

    Examples
    --------
    >>> float(ulp(1.0, "bfloat16")), float(ulp(0.0, "float16"))
    (0.0078125, 5.960464477539063e-08)
    """
    fmt = get_format(dtype)
    r = np.abs(round_to_format(y, fmt))
    with np.errstate(all="ignore"):
        _, e = np.frexp(np.where(np.isfinite(r), r, fmt.max))
        e = np.where(r == 0, fmt.emin, np.maximum(e - 1, fmt.emin))
        out = np.ldexp(1.0, e - fmt.precision + 1)
    return np.where(np.isnan(r), np.nan, out)


def _ordered(values: Array, fmt: Format) -> Array:
    """Format values → integers in the order of the numbers (−0 and +0 both 0)."""
    arr = np.asarray(values, dtype=np.float64).astype(fmt.dtype)
    bits = arr.view(fmt.uint).astype(np.uint64)
    sign = (bits >> np.uint64(fmt.bits - 1)).astype(bool)
    mag = (bits & np.uint64((1 << (fmt.bits - 1)) - 1)).astype(np.int64)
    return np.where(sign, -mag, mag)


def _from_ordered(o: Array, fmt: Format) -> Array:
    mag = np.abs(o).astype(np.uint64)
    bits = np.where(o < 0, mag | np.uint64(1 << (fmt.bits - 1)), mag)
    return bits.astype(fmt.uint).view(fmt.dtype).astype(np.float64)


def step_ulps(values: Any, k: Any, dtype: str | Format) -> Array:
    """The representable number ``k`` steps from each (format) value, as float64.

    ``k`` may be negative; steps cross zero and the subnormals one representable
    number at a time.
    """
    fmt = get_format(dtype)
    v = round_to_format(values, fmt)
    return _from_ordered(_ordered(v, fmt) + np.asarray(k, dtype=np.int64), fmt)


def format_grid(dtype: str | Format, lo: float = -10.0, hi: float = 10.0, *,
                max_points: int = 200_001) -> Array:
    """The format's representable numbers in ``[lo, hi]``, or a dense sample of them.

    float16 and bfloat16 have at most 65 536 numbers: all those in the range are
    returned (an exhaustive test).  For float32 and float64 (or a range holding
    more than ``max_points`` numbers) the result is ``linspace(lo, hi,
    max_points)`` rounded to the format, duplicates removed.  Ascending, float64.
    """
    fmt = get_format(dtype)
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"range must satisfy LO < HI and be finite, got ({lo}, {hi})")
    if fmt.bits == 16:
        allv = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(fmt.dtype)
        with np.errstate(invalid="ignore"):
            v = allv.astype(np.float64)
        v = np.unique(v[np.isfinite(v) & (v >= lo) & (v <= hi)] + 0.0)  # −0 → +0
        if v.size <= max_points:
            return v
    return np.unique(round_to_format(np.linspace(lo, hi, max_points), fmt) + 0.0)


# -- the program ---------------------------------------------------------------------

#: The operations of a kernel program: name → arity.
OPS: dict[str, int] = {
    "input": 0, "const": 0, "add": 2, "sub": 2, "mul": 2, "div": 2, "neg": 1, "abs": 1,
    "sign": 1, "min": 2, "clip": 1, "tanh": 1, "exp": 1, "sigmoid": 1, "where_neg": 3,
    "guard": 2,
}


@dataclass(frozen=True)
class Step:
    """One operation of a straight-line kernel program.

    Attributes
    ----------
    name : str
        The variable it defines (``x`` for the input).
    op : str
        One of :data:`OPS`: ``input``, ``const`` (``value``), ``add``, ``sub``,
        ``mul``, ``div``, ``neg``, ``abs``, ``sign`` (−1, 0 or 1), ``min``,
        ``clip`` (to ``[−value, value]``), ``tanh``, ``exp``, ``sigmoid`` (σ, one
        correctly rounded function), ``where_neg`` (``a if c < 0 else b`` for
        args ``(c, a, b)``), ``guard`` (the tail guard: for args ``(x, g)``, 1 where
        ``x > value``, 0 where ``x < −value``, else g).
    args : tuple of str
        Names of earlier steps.
    value : float or None
        The constant (``const``) or the clamp (``clip``), in float64.
    label : str
        What a constant is (``c3``, ``a1``, ``½``), for generated code.
    """

    name: str
    op: str
    args: tuple[str, ...] = ()
    value: float | None = None
    label: str = ""


class _Builder:
    """Accumulates :class:`Step` objects, numbering variables and sharing constants."""

    def __init__(self) -> None:
        self.steps: list[Step] = [Step("x", "input")]
        self._consts: dict[tuple[float, str], str] = {}
        self._n = 0

    def const(self, value: float, label: str = "") -> str:
        key = (float(value), label)
        if key not in self._consts:
            name = label if label.isidentifier() else f"k{len(self._consts)}"
            self._consts[key] = name
            self.steps.append(Step(name, "const", value=float(value), label=label))
        return self._consts[key]

    def op(self, op: str, *args: str, value: float | None = None) -> str:
        self._n += 1
        name = f"t{self._n}"
        self.steps.append(Step(name, op, tuple(args), value=value))
        return name


def _horner(b: _Builder, var: str, coefs: Sequence[tuple[str, float]]) -> str:
    """Σ coefs[j]·var^j (ascending) by Horner's rule; zero coefficients are skipped."""
    top = len(coefs) - 1
    while top > 0 and coefs[top][1] == 0.0:
        top -= 1
    acc = b.const(coefs[top][1], coefs[top][0])
    for label, c in reversed(coefs[:top]):
        acc = b.op("mul", acc, var)
        if c != 0.0:
            acc = b.op("add", acc, b.const(c, label))
    return acc


def _inner_polynomial(b: _Builder, xi: str, powers: Sequence[int], coef: Sequence[float]
                      ) -> str:
    """p(xi): Horner in xi², times xi for odd p; Horner in xi for mixed powers."""
    byk = {k: c for k, c in zip(powers, coef, strict=True) if c != 0.0}
    if not byk:
        return b.const(0.0, "zero")
    top = max(byk)

    def terms(ks: range) -> list[tuple[str, float]]:
        return [(f"c{k}" if k in byk else "", byk.get(k, 0.0)) for k in ks]

    if all(k % 2 == 1 for k in byk):
        if top == 1:
            return b.op("mul", xi, b.const(byk[1], "c1"))
        q = _horner(b, b.op("mul", xi, xi), terms(range(1, top + 1, 2)))
        return b.op("mul", xi, q)
    if all(k % 2 == 0 for k in byk) and top > 0:
        return _horner(b, b.op("mul", xi, xi), terms(range(0, top + 1, 2)))
    return _horner(b, xi, terms(range(top + 1)))


def _relation_value(b: _Builder, relation: str, g: str, x: str) -> str:
    if relation == "product":
        return b.op("mul", x, g)
    if relation == "odd":
        return b.op("sub", b.op("mul", b.const(2.0, "two"), g), b.const(1.0, "one"))
    return g


def kernel_steps(approximant: Any, *, on: str = "value", gate_form: str = "tanh"
                 ) -> tuple[Step, ...]:
    """The approximant as a straight-line program: the order of every operation.

    This one program is what :func:`evaluate_in_format` runs and what
    :func:`approxfit.lowprec.export.export_code` prints, so a reported error is the error
    of the exported code.

    * ``tanh`` family: ``t = tanh(p)``, gate ``½·(1 + t)``, GELU-like value
      ``(½·x)·(1 + t)`` (PyTorch's order), odd value ``t``.  With
      ``gate_form="sigmoid"`` the gate is ``σ(2p)``, the same number in exact
      arithmetic, without the cancellation of ``1 + t`` where ``t → −1``.
    * ``sigmoid`` family: gate ``σ(p)``, value ``x·σ(p)`` (or ``2σ − 1``).
    * ``poly``: ``p`` itself; its gate through the relation.
    * p by Horner's rule in ``x²`` (times ``x``) for an odd p, in ``x²`` for an
      even p, in ``x`` otherwise.
    * A tail guard ``C`` (the approximant's ``clamp``): p at ``clip(x, −C, C)``
      (finite for any x), the gate ``½·(1 + t)`` or σ, then 1 where ``x > C`` and
      0 where ``x < −C``, then the relation (``x·g``).
    * ``as-7.1.26``: ``z = |x|·(1/√2)``, ``t = 1/(1 + p·z)``,
      ``h = ½·(t·(a1 + t·(a2 + …)))·e^(−z²)``, gate ``h`` for ``x < 0`` and
      ``1 − h`` otherwise; ``ibert``: ``u = x·(1/√2)``,
      ``L = sign(u)·(a·(min(|u|, −b) + b)² + 1)``, gate ``½·(1 + L)``.

    Parameters
    ----------
    approximant : Approximant or ClosedFormApproximant
    on : {"value", "gate"}
    gate_form : {"tanh", "sigmoid"}
        How the tanh family's gate is formed (ignored by the other families).

    Returns
    -------
    tuple of Step
        The last step is the result.

    Raises
    ------
    InputError
        For a closed form without a known program, or bad ``on``/``gate_form``.
    """
    if on not in ("value", "gate"):
        raise InputError(f"on must be 'value' or 'gate', got {on!r}")
    if gate_form not in GATE_FORMS:
        raise InputError(f"gate_form must be one of {', '.join(GATE_FORMS)}, got "
                         f"{gate_form!r}")
    target = approximant.target_obj
    rel = target.relation
    if on == "gate" and rel is None:
        raise InputError(f"target {target.name!r} has no gate; use on='value'")
    relation = None if rel is None else rel.name
    b = _Builder()
    if isinstance(approximant, ClosedFormApproximant):
        g = _closed_form_gate(b, approximant)
        out = g if on == "gate" else _relation_value(b, relation, g, "x")
        return _finish(b, out)
    if not isinstance(approximant, Approximant):
        raise InputError(f"cannot evaluate {type(approximant).__name__} in a format; give "
                         "an Approximant or a published closed form")
    guard = approximant.clamp
    xi = "x" if guard is None else b.op("clip", "x", value=guard)
    p = _inner_polynomial(b, xi, approximant.powers, approximant.coef)
    family = approximant.family
    if guard is not None and family != "poly":
        # the tail guard: the gate's limits beyond ±C (p at clip(x) keeps it finite)
        if family == "tanh" and gate_form == "tanh":
            g = b.op("mul", b.const(0.5, "half"),
                     b.op("add", b.const(1.0, "one"), b.op("tanh", p)))
        else:
            g = b.op("sigmoid", b.op("mul", b.const(2.0, "two"), p) if family == "tanh" else p)
        g = b.op("guard", "x", g, value=guard)
        return _finish(b, g if on == "gate" else _relation_value(b, relation, g, "x"))
    if family == "poly":
        if on == approximant.base:
            return _finish(b, p)
        if on == "value":
            return _finish(b, _relation_value(b, relation, p, "x"))
        if relation == "product":
            return _finish(b, b.op("div", p, "x"))
        if relation == "odd":
            return _finish(b, b.op("mul", b.const(0.5, "half"),
                                   b.op("add", p, b.const(1.0, "one"))))
        return _finish(b, p)
    if family == "tanh" and gate_form == "tanh":
        t = b.op("tanh", p)
        if on == "value" and relation == "odd":
            return _finish(b, t)
        one_t = b.op("add", b.const(1.0, "one"), t)
        half = b.const(0.5, "half")
        if on == "value" and relation == "product":
            return _finish(b, b.op("mul", b.op("mul", half, "x"), one_t))
        return _finish(b, b.op("mul", half, one_t))
    arg = b.op("mul", b.const(2.0, "two"), p) if family == "tanh" else p
    g = b.op("sigmoid", arg)
    return _finish(b, g if on == "gate" else _relation_value(b, relation, g, "x"))


def _finish(b: _Builder, out: str) -> tuple[Step, ...]:
    if b.steps[-1].name != out:  # e.g. a constant polynomial: make the result the last step
        b.op("add", out, b.const(0.0, "zero"))
    return tuple(b.steps)


def _closed_form_gate(b: _Builder, approx: ClosedFormApproximant) -> str:
    c = approx.constants
    if approx.gate_fn is _as_gate:
        z = b.op("mul", b.op("abs", "x"), b.const(SQRT1_2, "sqrt1_2"))
        t = b.op("div", b.const(1.0, "one"),
                 b.op("add", b.const(1.0, "one"), b.op("mul", b.const(c["p"], "p"), z)))
        q = _horner(b, t, [(k, c[k]) for k in ("a1", "a2", "a3", "a4", "a5")])
        poly = b.op("mul", q, t)
        e = b.op("exp", b.op("neg", b.op("mul", z, z)))
        h = b.op("mul", b.const(0.5, "half"), b.op("mul", poly, e))
        return b.op("where_neg", "x", h, b.op("sub", b.const(1.0, "one"), h))
    if approx.gate_fn is _ibert_gate:
        u = b.op("mul", "x", b.const(SQRT1_2, "sqrt1_2"))
        m = b.op("min", b.op("abs", u), b.const(-c["b"], "minus_b"))
        d = b.op("add", m, b.const(c["b"], "b"))
        lv = b.op("add", b.op("mul", b.const(c["a"], "a"), b.op("mul", d, d)),
                  b.const(1.0, "one"))
        sl = b.op("mul", b.op("sign", u), lv)
        return b.op("mul", b.const(0.5, "half"), b.op("add", b.const(1.0, "one"), sl))
    raise InputError(f"closed form {approx.name!r} has no operation-level program; only "
                     "ibert and as-7.1.26 can be evaluated in a format or exported")


def erf_steps(constants: Mapping[str, float]) -> tuple[Step, ...]:
    """erf(x) by Abramowitz & Stegun 7.1.26 as a program (PyTorch's CPU ``erf`` form).

    ``t = 1/(1 + p·|x|)``, ``erf(|x|) = 1 − t·(a1 + t·(a2 + …))·e^(−x²)``, with the
    sign of x.  ``constants`` holds ``p, a1 … a5`` (the ``as-7.1.26`` published
    approximant's :attr:`coefficients`).
    """
    b = _Builder()
    ax = b.op("abs", "x")
    t = b.op("div", b.const(1.0, "one"),
             b.op("add", b.const(1.0, "one"), b.op("mul", b.const(constants["p"], "p"), ax)))
    q = _horner(b, t, [(k, constants[k]) for k in ("a1", "a2", "a3", "a4", "a5")])
    e = b.op("exp", b.op("neg", b.op("mul", ax, ax)))
    mag = b.op("sub", b.const(1.0, "one"), b.op("mul", b.op("mul", q, t), e))
    return _finish(b, b.op("mul", b.op("sign", "x"), mag))


# -- running a program in a format ---------------------------------------------------

class _Machine:
    """Runs operations in a format: the work type, the rounding, the functions."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.work = np.float64 if fmt.name == "float64" else np.float32

    def round(self, a: Array) -> Array:
        """Work-type values → format values (held in the work type)."""
        if self.fmt.name in ("float64", "float32"):
            return a
        return a.astype(self.fmt.dtype).astype(np.float32)

    def const(self, value: float) -> Array:
        return round_to_format(value, self.fmt).astype(self.work)

    def elementary(self, fn: Any, a: Array) -> Array:
        """fn in float64, rounded to float32 (the opmath type), then to the format."""
        if self.fmt.name == "float64":
            return fn(a)
        return self.round(fn(a.astype(np.float64)).astype(np.float32))


def _sigmoid64(z: Array) -> Array:
    from scipy.special import expit

    return expit(z)


def evaluate_steps(steps: Sequence[Step], x: Any, dtype: str | Format, *,
                   opmath: str = "format") -> Array:
    """Run a program at ``x`` with every operation rounded to the format.

    Parameters
    ----------
    steps : sequence of Step
        From :func:`kernel_steps` or :func:`erf_steps`.
    x : array_like
        Inputs; rounded to the format first.
    dtype : {"float64", "float32", "float16", "bfloat16"}
    opmath : {"format", "float32"}
        ``format``: every operation rounded to the format (module docstring);
        ``float32``: for float16/bfloat16, the program runs in float32 and only
        the result is rounded to the format (PyTorch's fused half kernels).

    Returns
    -------
    numpy.ndarray
        float64 array of values representable in the format.
    """
    fmt = get_format(dtype)
    if opmath not in OPMATHS:
        raise InputError(f"opmath must be one of {', '.join(OPMATHS)}, got {opmath!r}")
    if opmath == "float32" and fmt.name == "float64":
        raise InputError("opmath 'float32' is for float16 and bfloat16 (and float32); "
                         "float64 runs in float64")
    xr = round_to_format(x, fmt)
    run_fmt = FORMATS["float32"] if opmath == "float32" and fmt.bits == 16 else fmt
    m = _Machine(run_fmt)
    env: dict[str, Array] = {}
    with np.errstate(all="ignore"):
        for s in steps:
            a = [env[n] for n in s.args]
            if s.op == "input":
                r = xr.astype(m.work)
            elif s.op == "const":
                r = m.const(float(s.value))
            elif s.op in ("add", "sub", "mul", "div"):
                fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
                      "div": np.divide}[s.op]
                r = m.round(fn(a[0], a[1]))
            elif s.op == "neg":
                r = -a[0]
            elif s.op == "abs":
                r = np.abs(a[0])
            elif s.op == "sign":
                r = np.sign(a[0])
            elif s.op == "min":
                r = np.minimum(a[0], a[1])
            elif s.op == "clip":
                c = m.const(float(s.value))
                r = np.clip(a[0], -c, c)
            elif s.op == "tanh":
                r = m.elementary(np.tanh, a[0])
            elif s.op == "exp":
                r = m.elementary(np.exp, a[0])
            elif s.op == "sigmoid":
                r = m.elementary(_sigmoid64, a[0])
            elif s.op == "where_neg":
                r = np.where(a[0] < 0, a[1], a[2])
            elif s.op == "guard":
                c = m.const(float(s.value))
                r = np.where(a[0] > c, m.work(1), np.where(a[0] < -c, m.work(0), a[1]))
            else:  # pragma: no cover - OPS is closed
                raise InputError(f"unknown operation {s.op!r}")
            env[s.name] = np.asarray(r, dtype=m.work)
        out = np.broadcast_to(env[steps[-1].name], xr.shape).astype(np.float64)
    return round_to_format(out, fmt) if run_fmt is not fmt else out


def evaluate_in_format(approximant: Any, x: Any, dtype: str | Format, *,
                       on: str = "value", opmath: str = "format",
                       gate_form: str = "tanh") -> Array:
    """The approximant at ``x``, every operation rounded to the format.

    See the module docstring for the model of the arithmetic and
    :func:`kernel_steps` for the order of the operations.

    Parameters
    ----------
    approximant : Approximant or ClosedFormApproximant
    x : array_like
        Inputs; rounded to the format first.
    dtype : {"float64", "float32", "float16", "bfloat16"}
    on : {"value", "gate"}
    opmath : {"format", "float32"}
    gate_form : {"tanh", "sigmoid"}

    Returns
    -------
    numpy.ndarray
        float64 array of format values (``astype(Format.dtype)`` is exact).

    Examples
    --------
    >>> from approxfit.approximants.published import get_published
    >>> float(evaluate_in_format(get_published("paper-tanh"), [1.0], "bfloat16")[0])
    0.83984375
    """
    steps = kernel_steps(approximant, on=on, gate_form=gate_form)
    return evaluate_steps(steps, x, dtype, opmath=opmath)


# -- precision rows ------------------------------------------------------------------

def ulp_histogram(ulps: Any) -> dict[str, list]:
    """Counts of ULP errors in the right-closed bins of :data:`ULP_BIN_EDGES`.

    Returns
    -------
    dict
        ``edges`` (the bin edges, ``inf`` last), ``counts`` (one per bin) and
        ``nan`` (how many errors were not a number).
    """
    e = np.asarray(ulps, dtype=np.float64).ravel()
    ok = ~np.isnan(e)
    idx = np.searchsorted(np.asarray(ULP_BIN_EDGES[1:]), e[ok], side="left")
    counts = np.bincount(idx, minlength=len(ULP_BIN_EDGES) - 1)
    return {"edges": list(ULP_BIN_EDGES), "counts": [int(c) for c in counts],
            "nan": int((~ok).sum())}


def _argmax(err: Array, x: Array) -> tuple[float, float]:
    bad = ~np.isfinite(err)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return math.inf, float(x[i])
    if err.size == 0:
        return 0.0, math.nan
    i = int(np.argmax(err))
    return float(err[i]), float(x[i])


def _exact(target: Any, x: Array, on: str, fmt: Format, mp_points: int
           ) -> tuple[Array, Array, Array | None, str]:
    """The points kept, the exact values (float64), the mpmath values, a description."""
    if fmt.name != "float64":
        with np.errstate(all="ignore"):
            return x, np.asarray(target.evaluate(x, on=on), dtype=np.float64), None, (
                "float64 numpy form (relative error ~1e-16, < 1e-8 ulp of the format)")
    if x.size > mp_points:
        x = x[np.unique(np.linspace(0, x.size - 1, mp_points).round().astype(int))]

    ref = [target.reference(float(v), on=on) for v in x]
    exact = np.array([float(r) for r in ref])
    return x, exact, np.array(ref, dtype=object), (
        f"mpmath at 50 digits on {x.size} points")


def _mp_floor(ref_mp: Array) -> Array:
    """|float(r) − r| for mpmath values r: the float64 floor, at 50 digits."""
    import mpmath

    with mpmath.workdps(50):
        return np.array([abs(float(mpmath.mpf(float(r)) - r)) for r in ref_mp])


def _row_name(a: Any) -> str:
    return getattr(a, "name", "") or (a.describe() if hasattr(a, "describe") else str(a))


def precision_rows(approximants: Iterable[Any], x: Any, dtype: str | Format, *,
                   on: str = "value", opmath: str = "format", gate_form: str = "tanh",
                   mp_points: int = MP_POINTS) -> list[dict[str, Any]]:
    """Errors of each approximant evaluated in a format, against the exact function.

    The inputs ``x`` are rounded to the format and duplicates dropped; the exact
    value is taken at the rounded inputs (module docstring: reference, ULPs).

    Parameters
    ----------
    approximants : iterable of Approximant or ClosedFormApproximant
    x : array_like
        Sample points, e.g. ``numpy.arange(-10, 10, 0.01)`` or :func:`format_grid`.
    dtype : {"float64", "float32", "float16", "bfloat16"}
    on : {"value", "gate"}
    opmath : {"format", "float32"}
    gate_form : {"tanh", "sigmoid"}
    mp_points : int
        For float64, how many points get the mpmath reference.

    Returns
    -------
    list of dict
        One row per approximant with ``name``, ``target``, ``on``, ``dtype``,
        ``opmath``, ``n`` (distinct format inputs), ``reference``;
        ``max_abs_error`` and ``argmax_abs_error``; ``max_ulp_error`` and
        ``argmax_ulp_error``; ``floor_abs_error`` and ``floor_ulp_error`` (the
        exact function rounded to the format); ``approximation_abs_error`` (the
        formula in float64 arithmetic at the same inputs: what the format adds is
        the difference); ``evaluation_abs_error`` and ``evaluation_ulp_error`` (the
        format's result against the formula in float64; None for float64);
        ``dominant`` (``"format"`` when the floor's max abs error is at least the
        approximation's, else ``"approximation"``); ``coefficients`` (the
        constants as rounded to the format); ``histogram`` and
        ``floor_histogram`` (:func:`ulp_histogram`).
    """
    fmt = get_format(dtype)
    if on not in ("value", "gate"):
        raise InputError(f"on must be 'value' or 'gate', got {on!r}")
    approximants = list(approximants)
    xs = np.unique(round_to_format(np.asarray(x, dtype=np.float64).ravel(), fmt))
    xs = xs[np.isfinite(xs)]
    if xs.size == 0:
        raise InputError("no finite sample points in the format")
    rows = []
    cache: dict[tuple[int, bool], tuple[Array, Array, Array | None, str]] = {}
    for a in approximants:
        target = a.target_obj
        pts = xs
        skip0 = (on == "gate" and a.base == "value" and not isinstance(a, ClosedFormApproximant)
                 and target.relation is not None and target.relation.name == "product")
        if skip0:
            pts = xs[xs != 0]
        key = (id(target), skip0)
        if key not in cache:
            cache[key] = _exact(target, pts, on, fmt, mp_points)
        pts, exact, ref_mp, reference = cache[key]
        approx = evaluate_in_format(a, pts, fmt, on=on, opmath=opmath, gate_form=gate_form)
        if ref_mp is not None:
            import mpmath

            with mpmath.workdps(50):
                err = np.array([abs(float(mpmath.mpf(float(v)) - r))
                                for v, r in zip(approx, ref_mp, strict=True)])
        else:
            with np.errstate(all="ignore"):
                err = np.abs(approx - exact)
        u = ulp(exact, fmt)
        with np.errstate(all="ignore"):
            ulps = err / u
            if ref_mp is None:
                floor = np.abs(round_to_format(exact, fmt) - exact)
            else:
                floor = _mp_floor(ref_mp)
            floor_ulps = floor / u
            formula64 = evaluate_steps(kernel_steps(a, on=on, gate_form=gate_form), pts,
                                       "float64")
            approx_err = np.abs(formula64 - exact)
        max_abs, where_abs = _argmax(err, pts)
        max_ulp, where_ulp = _argmax(ulps, pts)
        floor_abs, _ = _argmax(floor, pts)
        floor_ulp, _ = _argmax(floor_ulps, pts)
        approx_abs, _ = _argmax(approx_err, pts)
        if fmt.name == "float64":
            eval_abs = eval_ulp = None
        else:
            with np.errstate(all="ignore"):
                d = np.abs(approx - formula64)
                eval_abs = _argmax(d, pts)[0]
                eval_ulp = _argmax(d / ulp(formula64, fmt), pts)[0]
        rows.append({
            "name": _row_name(a), "target": target.name, "on": on, "dtype": fmt.name,
            "opmath": opmath if fmt.bits == 16 else fmt.name,
            "gate_form": gate_form, "n": int(pts.size), "reference": reference,
            "max_abs_error": max_abs, "argmax_abs_error": where_abs,
            "max_ulp_error": max_ulp, "argmax_ulp_error": where_ulp,
            "floor_abs_error": floor_abs, "floor_ulp_error": floor_ulp,
            "approximation_abs_error": approx_abs,
            "evaluation_abs_error": eval_abs, "evaluation_ulp_error": eval_ulp,
            "dominant": "format" if floor_abs >= approx_abs else "approximation",
            "coefficients": {k: float(round_to_format(v, fmt))
                             for k, v in a.coefficients.items()},
            "histogram": ulp_histogram(ulps), "floor_histogram": ulp_histogram(floor_ulps),
        })
    return rows


def _fmt_num(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and not math.isfinite(v):
        return "inf" if v > 0 else ("nan" if math.isnan(v) else "-inf")
    return f"{v:.3g}" if abs(v) >= 1e4 and isinstance(v, float) and v > 0 else (
        f"{v:.4g}" if isinstance(v, float) else str(v))


def precision_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """A Markdown table of :func:`precision_rows` output (any mix of formats)."""
    head = ("| name | dtype | max abs error | at x | max ulp error | at x | floor abs | "
            "floor ulp | approximation abs (float64) | evaluation ulp | dominant |")
    lines = [head, "|:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|:---|"]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['dtype']} | {r['max_abs_error']:.3e} | "
            f"{r['argmax_abs_error']:.6g} | {_fmt_num(float(r['max_ulp_error']))} | "
            f"{r['argmax_ulp_error']:.6g} | {r['floor_abs_error']:.3e} | "
            f"{r['floor_ulp_error']:.3g} | {r['approximation_abs_error']:.3e} | "
            f"{_fmt_num(r['evaluation_ulp_error'])} | {r['dominant']} |")
    return "\n".join(lines) + "\n"


def precision_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """Terminal lines for :func:`precision_rows` output, one block per row."""
    lines = []
    for r in rows:
        ev = r["evaluation_ulp_error"]
        lines.append(
            f"{r['name']} in {r['dtype']} ({r['target']}'s {r['on']}, {r['n']} inputs, "
            f"arithmetic {r['opmath']}): max abs error {r['max_abs_error']:.4e} at "
            f"x = {r['argmax_abs_error']:.6g}, max {_fmt_num(float(r['max_ulp_error']))} ulp "
            f"at x = {r['argmax_ulp_error']:.6g}")
        lines.append(
            f"  floor (exact rounded to {r['dtype']}): {r['floor_abs_error']:.4e} = "
            f"{r['floor_ulp_error']:.3g} ulp; formula in exact arithmetic: "
            f"{r['approximation_abs_error']:.4e}; evaluation vs the formula: "
            f"{'–' if ev is None else _fmt_num(float(ev))} ulp; dominated by the "
            f"{r['dominant']}")
    return "\n".join(lines) + "\n"


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


# -- coefficient rounding --------------------------------------------------------------

def round_coefficients(approximant: Approximant, dtype: str | Format) -> Approximant:
    """A copy of the approximant with every coefficient rounded to the format.

    The clamp is rounded too.  The name gets a ``@dtype`` suffix.
    """
    fmt = get_format(dtype)
    if not isinstance(approximant, Approximant):
        raise InputError("coefficient rounding applies to an approximant of a family "
                         f"(tanh, sigmoid, poly); {_row_name(approximant)!r} is a closed form")
    coef = tuple(float(v) for v in round_to_format(np.asarray(approximant.coef), fmt))
    clamp = None if approximant.clamp is None else float(round_to_format(approximant.clamp,
                                                                          fmt))
    return replace(approximant, coef=coef, clamp=clamp,
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


def coefficient_rounding(approximant: Approximant, x: Any, dtype: str | Format, *,
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
    approximant : Approximant
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
    if not isinstance(approximant, Approximant):
        raise InputError("coefficient rounding applies to an approximant of a family "
                         f"(tanh, sigmoid, poly); {_row_name(approximant)!r} is a closed form")
    if arithmetic not in ("float64", "format"):
        raise InputError(f"arithmetic must be 'float64' or 'format', got {arithmetic!r}")
    if isinstance(radius, bool) or not isinstance(radius, int) or not 1 <= radius <= 8:
        raise InputError(f"radius must be a whole number from 1 to 8, got {radius!r}")
    if on not in ("gate", "value"):
        raise InputError(f"on must be 'gate' or 'value', got {on!r}")
    names = tuple(coefficient_names(approximant.powers))
    unknown = [n for n in fixed if n not in names]
    if unknown:
        raise InputError(f"fixed names {', '.join(unknown)} are not coefficients; "
                         f"the coefficients are {', '.join(names)}")
    xs = np.asarray(x, dtype=np.float64).ravel()
    target = approximant.target_obj
    with np.errstate(all="ignore"):
        exact64 = np.asarray(target.evaluate(xs, on=on), dtype=np.float64)
        xf = np.unique(round_to_format(xs, fmt))
        xf = xf[np.isfinite(xf)]
        exactf = np.asarray(target.evaluate(xf, on=on), dtype=np.float64)
    if approximant.base == "value" and on == "gate" and target.relation is not None \
            and target.relation.name == "product":
        keep64, keepf = xs != 0, xf != 0
        xs, exact64, xf, exactf = xs[keep64], exact64[keep64], xf[keepf], exactf[keepf]
    rounded_approx = round_coefficients(approximant, fmt)
    count = [0]

    def with_coef(c: Sequence[float]) -> Approximant:
        return replace(rounded_approx, coef=tuple(float(v) for v in c))

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
    c64 = np.asarray(approximant.coef, dtype=np.float64)
    with np.errstate(all="ignore"):
        e_float64 = float(np.max(np.abs(approximant.evaluate(xs, on=on) - exact64))) \
            if arithmetic == "float64" else float(np.max(np.abs(
                evaluate_in_format(approximant, xf, "float64", on=on) - exactf)))
    cr = np.asarray(rounded_approx.coef, dtype=np.float64)
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
    steps = tuple(int(v) for v in (_ordered(best, fmt) - _ordered(cr, fmt)))
    evaluations = count[0]
    return RoundingResult(
        dtype=fmt.name, on=on, arithmetic=arithmetic, names=names,
        float64=tuple(float(v) for v in c64), rounded=tuple(float(v) for v in cr),
        reoptimised=tuple(float(v) for v in best), steps=steps,
        error_float64=e_float64, error_rounded=e_rounded, error_reoptimised=best_e,
        error_rounded_in_format=errfmt(cr), error_reoptimised_in_format=errfmt(best),
        searched=bool(reoptimise and free), radius=radius, evaluations=evaluations,
        fixed=tuple(fixed))


def reoptimise_rounded(approximant: Approximant, x: Any, dtype: str | Format, *,
                       on: str = "gate", radius: int = 2, arithmetic: str = "float64",
                       fixed: Sequence[str] = ()) -> RoundingResult:
    """:func:`coefficient_rounding` with the search (``reoptimise=True``)."""
    return coefficient_rounding(approximant, x, dtype, on=on, reoptimise=True, radius=radius,
                                arithmetic=arithmetic, fixed=fixed)
