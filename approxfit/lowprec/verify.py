"""Exhaustive verification: a kernel judged on every finite input of a format.

:func:`verify` runs an approximant's program under an
:class:`~approxfit.lowprec.model.EvaluationModel` on every finite value of a format F
(or those in a range), in chunks of bounded memory, and compares each result with the
correctly rounded target value (:func:`~approxfit.lowprec.reference.correctly_rounded`).

The measure
-----------
The error at an input is the distance, in representable values of F, between the
result and the correctly rounded value: both are mapped to ordered integers (the
sign-magnitude bit pattern, so ±0 are one value, 0; ±inf sit one step beyond ±max,
IEEE's nextUp), and the distance is the absolute difference.  A NaN result where the
correctly rounded value is a number (or a number where it is NaN, which only
float8_e4m3fn's overflow gives) has no distance: it is counted as incorrectly rounded,
under the histogram key ``"nan"``, and ranks above every distance; ``max_ulp`` is then
``"nan"``.  ``incorrectly_rounded`` counts the inputs with a nonzero distance (or NaN).

Specials
--------
The kernel is also run at +inf, −inf (not for float8_e4m3fn, which has none) and NaN,
and each result is compared with the target's limit there (:data:`LIMITS`, rounded to
F): a result is right when its distance to the limit is 0 (so −0 and +0 both answer a
limit of 0, as gelu(−inf) = 0⁻ is) and, at NaN, when it is NaN.

For several processes: :func:`tally_block` checks one block of inputs and returns a
:class:`Tally`; tallies combine with :meth:`Tally.combine` (the ``worst`` list and the
``argmax`` stay those of the smallest x among ties), and :meth:`VerifyResult.from_tally`
makes the result.
"""

from __future__ import annotations

import builtins
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target, resolve_target
from approxfit.lowprec.formats import (
    Format,
    finite_index_range,
    finite_values,
    round_to_format,
)
from approxfit.lowprec.model import EvaluationModel, make_model, run_program
from approxfit.lowprec.reference import correctly_rounded_array

__all__ = ["LIMITS", "NAN_ULP", "WORST", "Kernel", "Tally", "VerifyResult", "check_specials",
           "chunk_size", "tally_block", "ulp_distance", "verify"]

Array = np.ndarray
#: How many of the worst inputs a result lists.
WORST = 20
#: The distance recorded for a NaN where a number is due (ranks above every distance).
NAN_ULP = 2**64 - 1
#: Bincount below this distance, np.unique above (histogram speed).
_SMALL = 4096
#: The limits of the built-in targets at (+inf, −inf).
LIMITS: dict[str, tuple[float, float]] = {
    "gelu": (math.inf, 0.0), "phi": (1.0, 0.0), "erf": (1.0, -1.0),
    "silu": (math.inf, 0.0), "mish": (math.inf, 0.0), "softplus": (math.inf, 0.0),
    "tanh": (1.0, -1.0),
}


@dataclass(frozen=True)
class Kernel:
    """A kernel given as a function (a framework's, e.g. PyTorch's GELU), not a program.

    Attributes
    ----------
    name : str
        How the result names it.
    fn : callable
        ``fn(x)`` for an array of F's numpy dtype returns an array of F values (F's
        dtype, or any float dtype holding F values exactly).
    description : str
        Its arithmetic, printed with the result in place of the model's description.
    """

    name: str
    fn: Callable[[Array], Any]
    description: str = ""


def chunk_size(fmt: Format) -> int:
    """Inputs per block: 2^22 (16 MiB of float32 per array) — all of a 16-bit format."""
    return 2**22


def _ordered(values: Array, fmt: Format) -> tuple[Array, Array]:
    """(ordered integer codes as int64, NaN mask) of an array of F's dtype."""
    with np.errstate(invalid="ignore"):
        nan = np.isnan(values.astype(np.float32) if fmt.bits < 32 else values)
    if fmt.bits == 64:
        bits = values.view(np.int64)
        mag = bits & np.int64(2**63 - 1)
        return np.where(bits < 0, -mag, mag), nan
    signed = np.dtype(f"int{fmt.bits}")
    bits = values.view(signed).astype(np.int64)
    mag = bits & np.int64((1 << (fmt.bits - 1)) - 1)
    return np.where(bits < 0, -mag, mag), nan


def ulp_distance(result: Any, correct: Any, fmt: str | Format) -> Array:
    """Distances in representable values of F (module docstring), as uint64;
    :data:`NAN_ULP` where exactly one of the two is NaN.

    Parameters
    ----------
    result, correct : array_like
        Arrays of F's numpy dtype (or float64 holding F values).
    fmt : str or Format
    """
    from approxfit.lowprec.formats import get_format

    f = get_format(fmt, float8=True)

    def as_f(v: Any) -> Array:
        a = np.asarray(v)
        if a.dtype == f.dtype:
            return a
        with np.errstate(all="ignore"):
            return round_to_format(np.asarray(a, dtype=np.float64), f).astype(f.dtype)

    ra, rn = _ordered(np.ascontiguousarray(as_f(result)), f)
    ca, cn = _ordered(np.ascontiguousarray(as_f(correct)), f)
    opposite = (ra < 0) != (ca < 0)
    with np.errstate(over="ignore"):
        d = np.where(opposite,
                     np.abs(ra).astype(np.uint64) + np.abs(ca).astype(np.uint64),
                     np.abs(ra - ca).astype(np.uint64))
    d = np.where(rn & cn, np.uint64(0), d)
    return np.where(rn != cn, np.uint64(NAN_ULP), d)


def _json_float(v: float) -> float | str:
    """A float for JSON: finite as is, else ``"inf"``, ``"-inf"``, ``"nan"``."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def _ulp_json(d: int) -> int | str:
    return "nan" if d == NAN_ULP else int(d)


@dataclass(frozen=True)
class Tally:
    """The counts of a block of inputs (combinable: :meth:`combine`).

    Attributes
    ----------
    inputs : int
    histogram : dict
        distance → count (0 included; :data:`NAN_ULP` for NaN).
    worst : tuple
        Up to :data:`WORST` ``(ulp, x, result, correct)``, worst first, ties by x.
    reference_mpmath_cases, model_mpmath_cases : int
        Inputs whose reference, and transcendental calls whose model value, mpmath
        decided.
    """

    inputs: int = 0
    histogram: dict[int, int] = field(default_factory=dict)
    worst: tuple[tuple[int, float, float, float], ...] = ()
    reference_mpmath_cases: int = 0
    model_mpmath_cases: int = 0

    def combine(self, other: Tally) -> Tally:
        """The tally of both blocks."""
        hist = dict(self.histogram)
        for k, v in other.histogram.items():
            hist[k] = hist.get(k, 0) + v
        worst = tuple(sorted(self.worst + other.worst, key=lambda w: (-w[0], w[1]))[:WORST])
        return Tally(self.inputs + other.inputs, hist, worst,
                     self.reference_mpmath_cases + other.reference_mpmath_cases,
                     self.model_mpmath_cases + other.model_mpmath_cases)


def _evaluate(kernel: Kernel | tuple, x: Array, model: EvaluationModel) -> tuple[Array, int]:
    """Results (F's dtype) and model mpmath cases of a kernel or program at x."""
    f = model.fmt
    if isinstance(kernel, Kernel):
        out = np.asarray(kernel.fn(x))
        if out.shape != x.shape:
            from approxfit.core.exceptions import ComputationError

            raise ComputationError(f"kernel {kernel.name!r} returned shape {out.shape} "
                                   f"for {x.shape} inputs")
        if out.dtype != f.dtype:
            with np.errstate(all="ignore"):
                out = round_to_format(out.astype(np.float64), f).astype(f.dtype)
        return out, 0
    return run_program(kernel, x, model)


def tally_block(kernel: Kernel | tuple, target: Target, model: EvaluationModel,
                x: Array) -> Tally:
    """Check one block of inputs ``x`` (an array of F's dtype).

    ``kernel`` is a :class:`Kernel` or a program (a tuple of Steps, e.g. an
    approximant's ``program(on="value")``).
    """
    f = model.fmt
    result, mcases = _evaluate(kernel, x, model)
    correct, rcases = correctly_rounded_array(target, x.astype(np.float64), f)
    d = ulp_distance(result, correct, f)
    hist: dict[int, int] = {}
    small = d < _SMALL
    counts = np.bincount(d[small].astype(np.int64), minlength=1)
    for k in np.flatnonzero(counts):
        hist[int(k)] = int(counts[k])
    if not small.all():
        ks, cs = np.unique(d[~small], return_counts=True)
        hist.update({int(k): int(c) for k, c in zip(ks, cs, strict=True)})
    worst: tuple[tuple[int, float, float, float], ...] = ()
    bad = np.flatnonzero(d > 0)
    if bad.size:
        if bad.size > WORST:
            db = d[bad]
            kth = np.partition(db, db.size - WORST)[db.size - WORST]
            keep = bad[db > kth]
            ties = bad[db == kth][:WORST - keep.size]    # the smallest x (ascending)
            bad = np.concatenate([keep, ties])
        xs, rs, cs = (np.asarray(v[bad], dtype=np.float64) for v in (x, result, correct))
        rows = [(int(d[i]), float(xs[j]), float(rs[j]), float(cs[j]))
                for j, i in enumerate(bad)]
        worst = tuple(sorted(rows, key=lambda w: (-w[0], w[1]))[:WORST])
    return Tally(int(x.size), hist, worst, rcases, mcases)


def check_specials(kernel: Kernel | tuple, target: Target, model: EvaluationModel
                   ) -> dict[str, dict[str, Any]]:
    """The kernel at +inf, −inf and NaN against the target's limits (module docstring).

    Returns ``{"+inf": {"result", "expected", "ok"}, "-inf": …, "nan": …}``; the
    infinities are left out for a format without them, and ``ok`` is None where the
    target's limit is unknown (a custom target whose float64 form gives NaN there).
    """
    f = model.fmt
    names = ["+inf", "-inf", "nan"] if f.infinities else ["nan"]
    xs = {"+inf": math.inf, "-inf": -math.inf, "nan": math.nan}
    x = np.array([xs[n] for n in names]).astype(f.dtype)
    result, _ = _evaluate(kernel, x, model)
    out: dict[str, dict[str, Any]] = {}
    for i, n in enumerate(names):
        if n == "nan":
            expected = math.nan
        elif target.name in LIMITS or target.name.startswith("gelu:"):
            expected = LIMITS.get(target.name, LIMITS["gelu"])[0 if n == "+inf" else 1]
        else:
            with np.errstate(all="ignore"):
                expected = float(np.asarray(target.value(np.array([xs[n]])))[0])
        r = float(result[i:i + 1].astype(np.float64)[0]) if f.bits != 64 else float(result[i])
        if n != "nan" and math.isnan(expected):
            ok = None
        else:
            e = float(round_to_format(expected, f))
            ok = bool(ulp_distance(result[i:i + 1], np.array([e]), f)[0] == 0)
            expected = e
        out[n] = {"result": _json_float(r), "expected": _json_float(expected), "ok": ok}
    return out


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :func:`verify` (``to_dict`` gives the JSON document).

    Attributes
    ----------
    name : str
        The approximant's (or kernel's) name.
    target : str
    model : EvaluationModel
    model_text : str
        The model's description (or the kernel's).
    inputs : int
        Finite inputs checked.
    incorrectly_rounded : int
        Inputs whose result is not the correctly rounded value.
    max_ulp : int or str
        The largest distance; ``"nan"`` if a NaN came where a number was due.
    argmax_ulp : float or None
        The smallest x with that distance (None when every result is right).
    histogram : dict
        distance (or ``"nan"``) → count.
    worst : tuple of dict
        ``{"x", "result", "correct", "ulp"}``, worst first.
    specials : dict
        :func:`check_specials`.
    reference_mpmath_cases, model_mpmath_cases : int
    seconds : float
    """

    name: str
    target: str
    model: EvaluationModel
    model_text: str
    inputs: int
    incorrectly_rounded: int
    max_ulp: int | str
    argmax_ulp: float | None
    histogram: dict[int | str, int]
    worst: tuple[dict[str, Any], ...]
    specials: dict[str, dict[str, Any]]
    reference_mpmath_cases: int
    model_mpmath_cases: int
    seconds: float

    @classmethod
    def from_tally(cls, tally: Tally, *, name: str, target: Target, model: EvaluationModel,
                   specials: dict[str, dict[str, Any]], seconds: float,
                   model_text: str | None = None) -> VerifyResult:
        """Assemble the result from a (combined) :class:`Tally`."""
        hist = {_ulp_json(k): v for k, v in sorted(tally.histogram.items())}
        bad = sum(v for k, v in tally.histogram.items() if k != 0)
        top = tally.worst[0] if tally.worst else None
        worst = tuple({"x": w[1], "result": _json_float(w[2]), "correct": _json_float(w[3]),
                       "ulp": _ulp_json(w[0])} for w in tally.worst)
        return cls(name=name, target=target.name, model=model,
                   model_text=model.describe() if model_text is None else model_text,
                   inputs=tally.inputs, incorrectly_rounded=bad,
                   max_ulp=_ulp_json(top[0]) if top else 0,
                   argmax_ulp=top[1] if top else None, histogram=hist, worst=worst,
                   specials=specials, reference_mpmath_cases=tally.reference_mpmath_cases,
                   model_mpmath_cases=tally.model_mpmath_cases, seconds=seconds)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (issue 14's keys, plus ``name``, ``target`` and ``model``)."""
        return {"name": self.name, "target": self.target, "format": self.model.format,
                "compute": self.model.compute, "fma": self.model.fma,
                "model": self.model_text, "inputs": self.inputs,
                "max_ulp": self.max_ulp, "argmax_ulp": self.argmax_ulp,
                "incorrectly_rounded": self.incorrectly_rounded,
                "histogram": {str(k): v for k, v in self.histogram.items()},
                "worst": [dict(w) for w in self.worst], "specials": self.specials,
                "reference_mpmath_cases": self.reference_mpmath_cases,
                "seconds": round(self.seconds, 3)}


def _check_range(range_: Any) -> tuple[float, float] | None:
    if range_ is None:
        return None
    from approxfit.core.checks import InputTypeError, check_float, shown

    if isinstance(range_, str | bytes) or not isinstance(range_, Iterable):
        raise InputTypeError(f"`range` must be a pair (LO, HI) of numbers, got {shown(range_)}")
    items = list(range_)
    if len(items) != 2:
        raise InputError(f"`range` must be a pair (LO, HI) of numbers, got {shown(range_)}")
    lo = check_float(items[0], "range")
    hi = check_float(items[1], "range")
    if lo > hi:
        raise InputError(f"`range` must have LO <= HI, got ({lo:g}, {hi:g})")
    return lo, hi


def verify(approximant: Any, target: Any, format: Any, *, compute: Any = None,
           fma: Any = False, range: Any = None,
           progress: Callable[[int, int], Any] | None = None) -> VerifyResult:
    """Check a kernel on every finite input of a format against the correctly rounded
    target.

    Parameters
    ----------
    approximant : AnyApproximant or Kernel
        An approximant (its ``program(on="value")`` runs under the model) or a
        :class:`Kernel` function.
    target : str or Target
        What it approximates (a name as :func:`~approxfit.core.targets.resolve_target`
        takes).
    format : str
        F: float64, float32, float16, bfloat16, float8_e4m3fn or float8_e5m2.
    compute : str, optional
        C (:func:`~approxfit.lowprec.model.make_model`): float32 by default for 8- and
        16-bit F, else F.
    fma : bool
        Fuse multiply-adds (:func:`~approxfit.lowprec.model.fused_program`).
    range : (float, float), optional
        Only the inputs in ``[LO, HI]``.
    progress : callable, optional
        ``progress(done, total)`` after every block.

    Returns
    -------
    VerifyResult

    Raises
    ------
    InputError
        Naming the parameter.
    ComputationError
        If a reference value cannot be decided.

    Examples
    --------
    >>> from approxfit.approximants.published import get_published
    >>> r = verify(get_published("paper-tanh"), "gelu", "float8_e4m3fn")
    >>> r.inputs
    254
    """
    start_t = time.perf_counter()
    model = make_model(format, compute, fma)
    tgt = resolve_target(target)
    if isinstance(approximant, Kernel):
        kernel: Kernel | tuple = approximant
        name, text = approximant.name, approximant.description or model.describe()
    else:
        prog = getattr(approximant, "program", None)
        if not callable(prog):
            from approxfit.core.checks import InputTypeError

            raise InputTypeError(f"`approximant` must be an approximant or a Kernel, got "
                                 f"{type(approximant).__name__}")
        kernel = tuple(prog(on="value"))
        name, text = str(getattr(approximant, "name", "approximant")), model.describe()
    if progress is not None and not callable(progress):
        raise InputError("`progress` must be a callable progress(done, total) or None")
    rng = _check_range(range)
    f = model.fmt
    start, stop = finite_index_range(f, *(rng or (None, None)))
    total = stop - start
    step = chunk_size(f)
    tally = Tally()
    for a in builtins.range(start, stop, step):
        x = finite_values(f, a, min(stop, a + step))
        tally = tally.combine(tally_block(kernel, tgt, model, x))
        if progress is not None:
            progress(tally.inputs, total)
    specials = check_specials(kernel, tgt, model)
    return VerifyResult.from_tally(tally, name=name, target=tgt, model=model,
                                   specials=specials, model_text=text,
                                   seconds=time.perf_counter() - start_t)

