"""The format emulator: a program run with every operation rounded to a format.

:func:`evaluate_steps` runs a program (a tuple of
:class:`~approxfit.approximants.program.Step`, from an approximant's ``program``);
:func:`evaluate_in_format` runs an approximant's.

How a format is emulated
------------------------
Every operation of the program (the approximant's ``program``) — each multiplication and
addition of the Horner scheme, the clamp, the outer function, the gate relation —
is computed and then rounded to the format, round to nearest, ties to even:

* float64 and float32 run natively in numpy's float64 and float32 arithmetic.
* float16 and bfloat16 (and the 8-bit floats) run each ``+ − × ÷`` in float32 and
  round the result to the format (float32 → float16 by numpy, float32 → bfloat16 and
  the float8s by ``ml_dtypes``).
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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from approxfit.approximants.base import AnyApproximant
from approxfit.approximants.program import Step
from approxfit.core.exceptions import InputError
from approxfit.lowprec.formats import FORMATS, Format, get_format, round_to_format

__all__ = ["OPMATHS", "evaluate_in_format", "evaluate_steps"]

Array = np.ndarray
OPMATHS: tuple[str, ...] = ("format", "float32")


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
        An approximant's ``program`` or
        :func:`~approxfit.approximants.published.erf_steps`.
    x : array_like
        Inputs; rounded to the format first.
    dtype : {"float64", "float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2"}
    opmath : {"format", "float32"}
        ``format``: every operation rounded to the format (module docstring);
        ``float32``: for the formats of 16 bits or fewer, the program runs in float32
        and only the result is rounded to the format (PyTorch's fused half kernels).

    Returns
    -------
    numpy.ndarray
        float64 array of values representable in the format.
    """
    fmt = get_format(dtype, float8=True)
    if opmath not in OPMATHS:
        raise InputError(f"`opmath` must be one of {', '.join(OPMATHS)}, got {opmath!r}")
    if opmath == "float32" and fmt.name == "float64":
        raise InputError("`opmath` 'float32' is for float16 and bfloat16 (and float32); "
                         "float64 runs in float64")
    xr = round_to_format(x, fmt)
    run_fmt = FORMATS["float32"] if opmath == "float32" and fmt.bits <= 16 else fmt
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


def evaluate_in_format(approximant: AnyApproximant, x: Any, dtype: str | Format, *,
                       on: str = "value", opmath: str = "format",
                       gate_form: str = "tanh") -> Array:
    """The approximant at ``x``, every operation rounded to the format.

    See the module docstring for the model of the arithmetic and the approximant's
    ``program`` for the order of the operations.

    Parameters
    ----------
    approximant : AnyApproximant
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
    return evaluate_steps(approximant.program(on=on, gate_form=gate_form), x, dtype,
                          opmath=opmath)
