"""The evaluation model of an exhaustive check: what arithmetic a kernel really does.

An :class:`EvaluationModel` names a storage format F, a compute format C and whether
multiply-adds are fused.  :func:`run_program` evaluates an approximant's program
(:mod:`approxfit.approximants.program`) under it, exactly:

1. the input, a value of F, is converted to C (exact: C holds every value of F);
2. every ``+ − × ÷`` is rounded once to C, round to nearest even (numpy's float32
   and float64 arithmetic is exactly that; for C = float16/bfloat16/float8 the
   operation is done in float32 and rounded to C, an innocuous double rounding since
   float32 has at least 2p + 2 bits); constants are rounded to C; ``neg``, ``abs``,
   ``sign``, ``min``, ``clip``, ``where_neg`` and ``guard`` are exact;
3. with ``fma=True`` the program is first rewritten by :func:`fused_program`: a
   multiply whose only use is an add or subtract becomes one fused multiply-add,
   ``a·b + c`` rounded once to C.  It is emulated exactly (:func:`fma_round`): the
   product is exact in float64 (2·24 ≤ 53 bits), the sum's rounding error comes from
   TwoSum, the float64 sum is rounded to odd (stepped one ulp toward the error when
   the error is not zero and the last bit is even), then rounded to C — correct by
   Boldo and Melquiond (2008), since 53 ≥ 24 + 2;
4. the transcendental operations (``tanh``, ``exp``, ``sigmoid``) return the correctly
   rounded C value of the function: float64 evaluation rounded to C, decided by mpmath
   where the float64 value lies within ``2^-44`` (relative) of a rounding boundary of C
   (:data:`TRANSCENDENTAL_ERROR`; numpy's float64 functions are within a few ulp,
   ``2^-50``).  For C = float64 they are numpy's float64 functions as they are;
5. the result is rounded from C to F, round to nearest even: float32 → float16 by
   numpy, float32 → bfloat16 and the float8s by ``ml_dtypes`` (RNE, checked in the
   tests against :func:`~approxfit.lowprec.formats.round_to_format`), overflow to ±inf,
   or NaN for float8_e4m3fn, which has no infinities.

C code bit-identical to the model (compiled with ``-ffp-contract=off``): ``float``
variables for C = float32, ``fmaf(a, b, c)`` for a fused step, and
``(float)tanh((double)t)``, ``(float)exp((double)t)`` and
``(float)(1.0/(1.0 + exp(-(double)t)))`` for the transcendentals — equal to the
correctly rounded value unless libm's double result straddles a float32 rounding
boundary, which happens for about one argument in 2^25 near a midpoint (none among
the arguments a bfloat16 sweep produces, as the export test checks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.approximants.program import OPS, Step
from approxfit.core.exceptions import InputError
from approxfit.lowprec.formats import ALL_DTYPES, Format, get_format, round_to_format
from approxfit.lowprec.reference import round_mpf, to_dtype

__all__ = ["COMPUTES", "TRANSCENDENTALS", "TRANSCENDENTAL_ERROR", "EvaluationModel",
           "correctly_rounded_call", "fma_round", "fused_program", "make_model",
           "round_from_work", "run_program"]

Array = np.ndarray
#: Compute formats a model may name (besides F itself).
COMPUTES: tuple[str, ...] = ("float32", "float64")
#: How transcendental operations are modelled.
TRANSCENDENTALS: tuple[str, ...] = ("correctly-rounded",)
#: Relative distance to a rounding boundary below which a float64 transcendental value
#: is re-decided by mpmath.
TRANSCENDENTAL_ERROR = 2.0**-44


@dataclass(frozen=True)
class EvaluationModel:
    """The arithmetic of a kernel: storage format, compute format, fused multiply-adds.

    Attributes
    ----------
    format : str
        F, the format of inputs and results (:data:`~approxfit.lowprec.formats.ALL_DTYPES`).
    compute : str
        C, the format every operation is rounded to.
    fma : bool
        Whether a multiply feeding only an add/subtract is fused (:func:`fused_program`).
    transcendentals : str
        ``correctly-rounded``: tanh, exp, σ return the correctly rounded C value.
    """

    format: str
    compute: str
    fma: bool = False
    transcendentals: str = "correctly-rounded"

    @property
    def fmt(self) -> Format:
        """F as a :class:`~approxfit.lowprec.formats.Format`."""
        return get_format(self.format, float8=True)

    @property
    def compute_fmt(self) -> Format:
        """C as a :class:`~approxfit.lowprec.formats.Format`."""
        return get_format(self.compute, float8=True)

    def describe(self) -> str:
        """One paragraph stating the model, printed with every result."""
        f, c = self.format, self.compute
        conv = "" if f == c else f"converted exactly to {c}; "
        if self.fma:
            arith = (f"each multiply whose only use is an add or subtract fused with it, "
                     f"a·b + c rounded once to {c} (emulated exactly: product exact in "
                     "float64, TwoSum, round to odd, then to "
                     f"{c}), every other + − × ÷ rounded once to {c}")
        else:
            arith = f"every + − × ÷ rounded once to {c} (no fused multiply-add)"
        if c == "float64":
            trans = "tanh, exp, σ are numpy's float64 functions"
        else:
            trans = (f"tanh, exp, σ return the correctly rounded {c} value (float64 "
                     f"evaluation rounded to {c}, decided by mpmath within 2^-44 of a "
                     "rounding boundary)")
        out = "" if f == c else (f"; the result rounded to {f}, round to nearest even"
                                 + ("" if self.fmt.infinities else
                                    " (overflow to NaN: no infinities)"))
        return (f"Model: inputs are {f} values, {conv}{arith}, constants rounded to {c}, "
                f"compares and selections exact; {trans}{out}.")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields and the description."""
        return {"format": self.format, "compute": self.compute, "fma": self.fma,
                "transcendentals": self.transcendentals, "model": self.describe()}


def make_model(format: Any, compute: Any = None, fma: Any = False) -> EvaluationModel:
    """A validated :class:`EvaluationModel`.

    Parameters
    ----------
    format : str
        F: float64, float32, float16, bfloat16, float8_e4m3fn or float8_e5m2.
    compute : str, optional
        C: float32 (the default for 8- and 16-bit F), float64, or F itself (the default
        for float32 and float64).  C must hold every value of F.
    fma : bool
        Fuse multiply-adds (C of at most 24 bits: float64 has no exact emulation here).

    Raises
    ------
    InputError
        Naming the parameter.
    """
    from approxfit.core.checks import check_bool, check_choice

    check_choice(format, ALL_DTYPES, "format")
    f = get_format(format, float8=True)
    if compute is None:
        compute = "float32" if f.bits <= 16 else f.name
    check_choice(compute, tuple(dict.fromkeys((*COMPUTES, f.name))), "compute")
    c = get_format(compute, float8=True)
    if c.precision < f.precision or c.emax < f.emax:
        raise InputError(f"`compute` {compute} cannot hold every {f.name} value; choose "
                         f"{f.name} or a wider format")
    fma = check_bool(fma, "fma")
    if fma and c.precision > 24:
        raise InputError("`fma` is emulated exactly for a compute format of at most 24 bits "
                         "(float32 and narrower); float64 has no exact emulation here")
    return EvaluationModel(f.name, c.name, fma)


# -- fused multiply-add -------------------------------------------------------------

def fused_program(steps: Sequence[Step]) -> tuple[Step, ...]:
    """The program with each multiply-add fused into one ``fma`` step.

    A ``mul`` step whose result is used exactly once (not the program's result), by an
    ``add`` or ``sub`` step, is removed and that step becomes ``fma`` with args
    ``(a, b, c)`` meaning ``a·b + c``: ``add(m, c)`` and ``add(c, m)`` →
    ``fma(a, b, c)``; ``sub(m, c)`` → ``fma(a, b, −c)``; ``sub(c, m)`` →
    ``fma(−a, b, c)``, the negation a new ``neg`` step (exact).  When both operands of
    an add qualify, the first is fused.  This is Horner's ``c + t·x`` as a C compiler
    with ``fmaf`` writes it; the code export emits exactly this fusion.
    """
    steps = tuple(steps)
    for s in steps:
        if not isinstance(s, Step) or s.op not in OPS:
            raise InputError(f"`steps` must be a program of Steps with operations from OPS, "
                             f"got {s!r:.60}")
    uses: dict[str, int] = {}
    for s in steps:
        for a in s.args:
            uses[a] = uses.get(a, 0) + 1
    if steps:
        uses[steps[-1].name] = uses.get(steps[-1].name, 0) + 1
    by_name = {s.name: s for s in steps}
    fused_mul: set[str] = set()
    out: list[Step] = []
    for s in steps:
        if s.op in ("add", "sub"):
            pick = None
            for pos, a in enumerate(s.args):
                m = by_name.get(a)
                if m is not None and m.op == "mul" and uses.get(a, 0) == 1:
                    pick = pos
                    break
            if pick is not None:
                m = by_name[s.args[pick]]
                other = s.args[1 - pick]
                a0, a1 = m.args
                if s.op == "sub" and pick == 0:       # m − c
                    neg = f"{s.name}_neg"
                    out.append(Step(neg, "neg", (other,)))
                    other = neg
                elif s.op == "sub":                   # c − m
                    neg = f"{s.name}_neg"
                    out.append(Step(neg, "neg", (a0,)))
                    a0 = neg
                fused_mul.add(m.name)
                out.append(Step(s.name, "fma", (a0, a1, other), label=s.label))
                continue
        out.append(s)
    return tuple(s for s in out if s.name not in fused_mul)


def fma_round(a: Any, b: Any, c: Any, compute: str | Format = "float32") -> Array:
    """``a·b + c`` rounded once to ``compute``, emulated exactly (module docstring, 3).

    Parameters
    ----------
    a, b, c : array_like
        Values of the compute format (float32 arrays for float32).
    compute : str or Format
        A format of at most 26 bits of precision (float32 and narrower).

    Returns
    -------
    numpy.ndarray
        float32 array (float64 for a compute format other than float32 would lose
        nothing either; float32 is what every compute format here fits in).
    """
    fc = get_format(compute, float8=True)
    if fc.precision > 26:
        raise InputError(f"`compute` must have at most 26 bits for an exact fma, got "
                         f"{fc.name}")
    with np.errstate(all="ignore"):
        p = np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)  # exact
        c64 = np.asarray(c, dtype=np.float64)
        s = p + c64
        bb = s - p
        e = (p - (s - bb)) + (c64 - bb)                                        # TwoSum
        bits = np.ascontiguousarray(s).view(np.int64)
        step = (e != 0) & ((bits & 1) == 0) & np.isfinite(s) & np.isfinite(e)
        toward_larger = (e > 0) == (s > 0)        # magnitude grows: pattern + 1
        odd = np.where(step, np.where(toward_larger, bits + 1, bits - 1), bits)
        s_odd = odd.view(np.float64)
        if fc.name == "float32":
            return s_odd.astype(np.float32)
        return round_to_format(s_odd, fc).astype(np.float32)


# -- transcendental functions ---------------------------------------------------------

def _sigmoid64(z: Array) -> Array:
    from scipy.special import expit

    return expit(z)


def _mp_fn(op: str) -> Callable[[Any], Any]:
    import mpmath

    return {"tanh": mpmath.tanh, "exp": mpmath.exp,
            "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t))}[op]


_F64 = {"tanh": np.tanh, "exp": np.exp, "sigmoid": _sigmoid64}


def correctly_rounded_call(op: str, t: Any, compute: str | Format) -> tuple[Array, int]:
    """``op`` (tanh, exp or sigmoid) at ``t``, correctly rounded to ``compute``.

    Returns the values (float32 array; float64 for compute float64, where they are
    numpy's float64 functions) and how many arguments mpmath decided.
    """
    if op not in _F64:
        raise InputError(f"`op` must be one of {', '.join(_F64)}, got {op!r}")
    fc = get_format(compute, float8=True)
    t64 = np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        y = _F64[op](t64)
        if fc.name == "float64":
            return y, 0
        r = to_dtype(y, fc)
        d = np.abs(y) * TRANSCENDENTAL_ERROR
        close = np.flatnonzero(to_dtype(y - d, fc) != to_dtype(y + d, fc))
    close = close[np.isfinite(y[close])] if close.size else close
    if close.size:
        import mpmath

        fn = _mp_fn(op)
        r = r.copy()
        with mpmath.workdps(40):
            for i in close:
                r.flat[i] = round_mpf(fn(mpmath.mpf(float(t64.flat[i]))), fc)
    return r.astype(np.float32), int(close.size)


# -- running a program ----------------------------------------------------------------

def round_from_work(v: Array, fmt: Format) -> Array:
    """Work values (float32 or float64) rounded to ``fmt`` (nearest even), as an array of
    ``fmt``'s dtype."""
    if v.dtype == np.float32 and fmt.name != "float64":
        if fmt.name == "float32":
            return v
        with np.errstate(all="ignore"):
            return v.astype(fmt.dtype)
    with np.errstate(all="ignore"):
        return round_to_format(v, fmt).astype(fmt.dtype)


def run_program(steps: Sequence[Step], x: Any, model: EvaluationModel
                ) -> tuple[Array, int]:
    """Run a program at inputs ``x`` (values of F) under the model.

    Parameters
    ----------
    steps : sequence of Step
        An approximant's ``program(on="value")``; fused here when ``model.fma``.
    x : array_like
        Values of F (an array of F's dtype, or float64 holding F values).
    model : EvaluationModel

    Returns
    -------
    result : numpy.ndarray
        The results, an array of F's numpy dtype.
    mpmath_cases : int
        Transcendental calls decided by mpmath.
    """
    if not isinstance(model, EvaluationModel):
        raise InputError(f"`model` must be an EvaluationModel, got {type(model).__name__}")
    f, c = model.fmt, model.compute_fmt
    prog = fused_program(steps) if model.fma else tuple(steps)
    work = np.float64 if c.name == "float64" else np.float32
    narrow = c.name not in ("float32", "float64")     # ops in float32, rounded to C

    def rnd(v: Array) -> Array:
        return v.astype(c.dtype).astype(np.float32) if narrow else v

    def const(value: float) -> Any:
        return work(round_to_format(value, c))

    xw = np.asarray(x).astype(work)                    # exact: C holds every F value
    env: dict[str, Any] = {}
    cases = 0
    with np.errstate(all="ignore"):
        for s in prog:
            a = [env[n] for n in s.args]
            if s.op == "input":
                r = xw
            elif s.op == "const":
                r = const(float(s.value))
            elif s.op == "add":
                r = rnd(a[0] + a[1])
            elif s.op == "sub":
                r = rnd(a[0] - a[1])
            elif s.op == "mul":
                r = rnd(a[0] * a[1])
            elif s.op == "div":
                r = rnd(a[0] / a[1])
            elif s.op == "fma":
                r = fma_round(*np.broadcast_arrays(*a), c)
            elif s.op == "neg":
                r = -a[0]
            elif s.op == "abs":
                r = np.abs(a[0])
            elif s.op == "sign":
                r = np.sign(a[0])
            elif s.op == "min":
                r = np.minimum(a[0], a[1])
            elif s.op == "clip":
                k = const(float(s.value))
                r = np.clip(a[0], -k, k)
            elif s.op in ("tanh", "exp", "sigmoid"):
                r, n = correctly_rounded_call(s.op, a[0], c)
                cases += n
            elif s.op == "where_neg":
                r = np.where(a[0] < 0, a[1], a[2])
            elif s.op == "guard":
                k = const(float(s.value))
                r = np.where(a[0] > k, work(1), np.where(a[0] < -k, work(0), a[1]))
            else:  # pragma: no cover - fused_program checks the operations
                raise InputError(f"unknown operation {s.op!r}")
            env[s.name] = np.asarray(r, dtype=work)
    out = np.broadcast_to(env[prog[-1].name], xw.shape)
    return round_from_work(np.ascontiguousarray(out), f), cases
