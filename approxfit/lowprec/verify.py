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

The histogram
-------------
Distances below :data:`HIST_EXACT` (2^16: every distance a format of 16 bits or fewer
can have) are counted one by one.  Larger ones — only float32 and float64 have them,
and an approximant that diverges has billions of different ones — are counted by
binary octave ``[2^k, 2^(k+1))``, under the octave's largest distance ``2^(k+1) − 1``:
so "within k ulp" stays exact at every key of the histogram, and its size stays below
2^16 + 64 keys.  ``max_ulp``, ``argmax_ulp``, ``worst`` and the blocks' ``max_ulp``
are always exact.

Blocks and processes
--------------------
The inputs are checked in blocks of :func:`chunk_size` consecutive finite values (or of
sample positions): each block is an index range, its values are built where it is
checked (:func:`~approxfit.lowprec.formats.finite_values`), and :func:`tally_block`
returns a :class:`Tally`.  Blocks run in this process or on an executor
(:mod:`approxfit.core.executors`: every local core, a Dask cluster) with at most two
blocks per worker in flight, and the tallies are combined **in block order**
(:meth:`Tally.combine`), so the result does not depend on which block finished first:
it is the serial run's, to the bit.  The ``worst`` list and the ``argmax`` stay those
of the smallest x among ties.  Each block's own record (its first and last input, count,
incorrectly rounded count and largest distance) is kept in :attr:`VerifyResult.blocks`.

Forms
-----
``form="as-published"`` runs the approximant's program as its formula is written;
``form="stable"`` runs the tanh family's gate ½·(1 + tanh p) as σ(2p) (the same number
in exact arithmetic; ``x·σ(2p)`` for GELU), which does not cancel where tanh p → −1.
The other families' programs have no such cancellation and are the same in both forms.
A :class:`Kernel` (a framework's function) has its own fixed arithmetic: form
``"kernel"``.
"""

from __future__ import annotations

import builtins
import functools
import math
import pickle
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

__all__ = ["FORMS", "HIST_EXACT", "LIMITS", "MAX_SAMPLE", "NAN_ULP", "WORST", "Kernel", "Tally",
           "VerifyResult", "check_input_range", "check_specials", "chunk_size", "histogram_key",
           "input_set_text", "sample_indices", "tally_block", "ulp_distance", "values_at",
           "verify"]

Array = np.ndarray
#: How many of the worst inputs a result lists.
WORST = 20
#: The distance recorded for a NaN where a number is due (ranks above every distance).
NAN_ULP = 2**64 - 1
#: Bincount below this distance, np.unique above (histogram speed).
_SMALL = 4096
#: Distances below this are histogram keys of their own; above, binary octaves (module
#: docstring).
HIST_EXACT = 2**16
#: The largest ``sample`` (sample indices are computed exactly in 64 bits below it).
MAX_SAMPLE = 2**32
#: The forms of :func:`verify` (``form``) and what each computes.
FORMS: dict[str, str] = {
    "as-published": "the program as the formula is written (the tanh family's gate "
                    "½·(1 + tanh p))",
    "stable": "the tanh family's gate ½·(1 + tanh p) computed as σ(2p), without the "
              "cancellation of 1 + tanh p where tanh p → −1",
}
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
    rebuild : (callable, tuple), optional
        ``(factory, args)``: a module-level function that makes this kernel again from
        ``args`` — how the kernel is sent to worker processes when ``fn`` is a closure
        (pickled as the factory call, rebuilt in the worker).
    """

    name: str
    fn: Callable[[Array], Any]
    description: str = ""
    rebuild: tuple[Callable[..., Kernel], tuple[Any, ...]] | None = None

    def __reduce__(self) -> Any:
        if self.rebuild is not None:
            return self.rebuild
        return (Kernel, (self.name, self.fn, self.description))


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
    if f.bits < 64:              # codes below 2^31 in magnitude: the difference is exact
        d = np.abs(ra - ca).astype(np.uint64)
        if rn.any() or cn.any():
            d = np.where(rn & cn, np.uint64(0), d)
            d = np.where(rn != cn, np.uint64(NAN_ULP), d)
        return d
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
    blocks : tuple of dict
        One record per block, in input order: ``{"first", "last", "inputs",
        "incorrectly_rounded", "max_ulp"}``.
    """

    inputs: int = 0
    histogram: dict[int, int] = field(default_factory=dict)
    worst: tuple[tuple[int, float, float, float], ...] = ()
    reference_mpmath_cases: int = 0
    model_mpmath_cases: int = 0
    blocks: tuple[dict[str, Any], ...] = ()

    def combine(self, other: Tally) -> Tally:
        """The tally of both blocks (``other`` follows ``self`` in input order)."""
        hist = dict(self.histogram)
        for k, v in other.histogram.items():
            hist[k] = hist.get(k, 0) + v
        worst = tuple(sorted(self.worst + other.worst, key=lambda w: (-w[0], w[1]))[:WORST])
        return Tally(self.inputs + other.inputs, hist, worst,
                     self.reference_mpmath_cases + other.reference_mpmath_cases,
                     self.model_mpmath_cases + other.model_mpmath_cases,
                     self.blocks + other.blocks)


def histogram_key(d: Array) -> Array:
    """The histogram keys of distances (uint64): the distance itself below
    :data:`HIST_EXACT`, else the largest distance of its binary octave,
    ``2^(k+1) − 1`` for ``2^k <= d < 2^(k+1)`` (at most ``2^64 − 2``: :data:`NAN_ULP`
    stays NaN's own key)."""
    d = np.asarray(d, dtype=np.uint64)
    big = (d >= np.uint64(HIST_EXACT)) & (d != np.uint64(NAN_ULP))
    if not big.any():
        return d
    top = d[big]                                     # smear the top bit down: 2^(k+1) − 1
    for shift in (1, 2, 4, 8, 16, 32):
        top |= top >> np.uint64(shift)
    top[top == np.uint64(NAN_ULP)] = np.uint64(NAN_ULP - 1)
    out = d.copy()
    out[big] = top
    return out


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
        ks, cs = np.unique(histogram_key(d[~small]), return_counts=True)
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
    block: tuple[dict[str, Any], ...] = ()
    if x.size:
        ends = np.asarray(x[[0, -1]], dtype=np.float64)
        block = ({"first": float(ends[0]), "last": float(ends[1]), "inputs": int(x.size),
                  "incorrectly_rounded": int(x.size) - int(counts[0]),
                  "max_ulp": _ulp_json(int(worst[0][0]) if worst else 0)},)
    return Tally(int(x.size), hist, worst, rcases, mcases, block)


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
    form : str
        ``"as-published"``, ``"stable"`` (:data:`FORMS`) or ``"kernel"`` (a
        :class:`Kernel`'s own arithmetic).
    input_set : str
        Which inputs were checked, in words (:func:`input_set_text`).
    blocks : tuple of dict
        Per-block records in input order (:attr:`Tally.blocks`).
    notes : tuple of str
        Remarks on how the run went (e.g. why it ran in this process); not in the
        document.
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
    form: str = "as-published"
    input_set: str = ""
    blocks: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def from_tally(cls, tally: Tally, *, name: str, target: Target, model: EvaluationModel,
                   specials: dict[str, dict[str, Any]], seconds: float,
                   model_text: str | None = None, form: str = "as-published",
                   input_set: str = "", notes: tuple[str, ...] = ()) -> VerifyResult:
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
                   model_mpmath_cases=tally.model_mpmath_cases, seconds=seconds, form=form,
                   input_set=input_set, blocks=tally.blocks, notes=tuple(notes))

    def to_dict(self, *, blocks: bool = False) -> dict[str, Any]:
        """The JSON document (issue 14's keys, plus ``name``, ``target``, ``model``,
        ``form`` and ``input_set``; with ``blocks=True`` also ``blocks``, the per-block
        records — left out by default to keep the document small)."""
        from approxfit.core.checks import check_bool

        blocks = check_bool(blocks, "blocks")
        doc = {"name": self.name, "target": self.target, "format": self.model.format,
                "compute": self.model.compute, "fma": self.model.fma,
                "model": self.model_text, "form": self.form, "input_set": self.input_set,
                "inputs": self.inputs,
                "max_ulp": self.max_ulp, "argmax_ulp": self.argmax_ulp,
                "incorrectly_rounded": self.incorrectly_rounded,
                "histogram": {str(k): v for k, v in self.histogram.items()},
                "worst": [dict(w) for w in self.worst], "specials": self.specials,
                "reference_mpmath_cases": self.reference_mpmath_cases,
                "seconds": round(self.seconds, 3)}
        if blocks:
            doc["blocks"] = [dict(b) for b in self.blocks]
        return doc


def check_input_range(range_: Any) -> tuple[float, float] | None:
    """``(lo, hi)`` of a ``range`` argument (finite, LO <= HI), or None for None."""
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


# -- the input set ------------------------------------------------------------------------

def sample_indices(start: int, total: int, n: int, a: int = 0, b: int | None = None
                   ) -> Array:
    """The finite-value indices of the sample positions ``a … b − 1`` of an evenly spread
    sample of ``n`` inputs among the ``total`` indices from ``start``:
    ``start + (i·total) // n`` (exact in 64 bits, as uint64; ``1 <= n <= min(total,``
    :data:`MAX_SAMPLE` ``)``).

    >>> sample_indices(0, 10, 4).tolist()
    [0, 2, 5, 7]
    """
    b = n if b is None else b
    if not (1 <= n <= min(total, MAX_SAMPLE) and 0 <= a <= b <= n):
        raise InputError(f"`n` must be 1 … min(total, 2^32) and 0 <= a <= b <= n, got "
                         f"n={n}, total={total}, a={a}, b={b}")
    q, r = divmod(total, n)
    i = np.arange(a, b, dtype=np.uint64)
    # (i·total) // n = i·q + (i·r) // n, with i·r < n² <= 2^64 and i·q <= total < 2^64
    return np.uint64(start) + i * np.uint64(q) + (i * np.uint64(r)) // np.uint64(n)


def values_at(fmt: str | Format, idx: Any) -> Array:
    """The finite values with indices ``idx`` (the numbering of
    :func:`~approxfit.lowprec.formats.finite_values`: index ``i <= m`` is
    ``-(pattern m − i)``, index ``i > m`` is pattern ``i − m − 1``, where ``m`` is the
    largest finite pattern), as an array of the format's dtype."""
    from approxfit.lowprec.formats import get_format

    f = get_format(fmt, float8=True)
    m = np.uint64(np.array([f.max]).astype(f.dtype).view(f.uint)[0])
    i = np.asarray(idx, dtype=np.uint64)
    neg = i <= m
    with np.errstate(over="ignore"):
        mag = np.where(neg, m - i, i - m - np.uint64(1))     # the other branch wraps: unused
    bits = np.where(neg, mag | np.uint64(1 << (f.bits - 1)), mag).astype(f.uint)
    return bits.view(f.dtype)


def _ordinal(n: int) -> str:
    if n == 1:
        return ""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix} "


def input_set_text(fmt: str, rng: tuple[float, float] | None, total: int,
                   sample: int | None) -> str:
    """The input set in words: ``every finite bfloat16 value``, ``every finite float32
    value in [-8, 8]``, ``1,048,576 evenly spaced float32 values (every 4,080th finite
    value)``.

    >>> input_set_text("float32", None, 4278190080, 2**20)
    '1,048,576 evenly spaced float32 values (every 4,080th finite value)'
    """
    where = "" if rng is None else f" in [{rng[0]:g}, {rng[1]:g}]"
    if sample is None or sample >= total:
        return f"every finite {fmt} value{where}"
    step = total / sample
    about = "" if total % sample == 0 else "about "
    return (f"{sample:,} evenly spaced {fmt} values{where} ({about}every "
            f"{_ordinal(round(step))}finite value{' there' if where else ''})")


# -- blocks in this process or in workers -----------------------------------------------------

@dataclass(frozen=True)
class _Job:
    """One block, as sent to a worker: index range (or sample positions), kernel, target."""

    kernel: Any                   # a program (tuple of Steps) or a picklable Kernel
    target: tuple[str, ...]       # ("name", NAME) or ("expr", NAME, EXPRESSION)
    model: EvaluationModel
    a: int
    b: int
    sample: tuple[int, int, int] | None = None     # (start, total, n): a, b are positions


@functools.lru_cache(maxsize=8)
def _target_from_spec(spec: tuple[str, ...]) -> Target:
    from approxfit.core.targets import custom_target, get_target

    return custom_target(spec[1], spec[2]) if spec[0] == "expr" else get_target(spec[1])


def _target_spec(tgt: Target) -> tuple[str, ...] | None:
    """How a worker rebuilds the target (None: it cannot be rebuilt by name)."""
    from approxfit.core.targets import TARGETS

    if tgt.expression is not None:
        return ("expr", tgt.name, tgt.expression)
    if TARGETS.get(tgt.name) is tgt or (":" in tgt.name and tgt.name.startswith("gelu:")):
        return ("name", tgt.name)
    return None


def _job_values(job: _Job) -> Array:
    f = job.model.fmt
    if job.sample is None:
        return finite_values(f, job.a, job.b)
    start, total, n = job.sample
    return values_at(f, sample_indices(start, total, n, job.a, job.b))


def _block_task(job: _Job) -> Tally:
    """Check one block (module level, so that worker processes can run it)."""
    return tally_block(job.kernel, _target_from_spec(job.target), job.model, _job_values(job))


def _run_parallel(executor: Any, jobs: list[_Job], on_block: Callable[[Tally], None]) -> None:
    """Run the jobs on an executor, at most two per worker in flight, handing each tally
    to ``on_block`` in job order."""
    from concurrent.futures.process import BrokenProcessPool

    from approxfit.core import interrupts
    from approxfit.core.exceptions import ComputationError
    from approxfit.core.executors import executor_workers, resolve_executor

    ex, close = resolve_executor(executor)
    assert ex is not None
    try:
        limit = 2 * executor_workers(ex)
        pending: dict[int, Any] = {}
        nxt = 0
        for k in builtins.range(len(jobs)):
            while nxt < len(jobs) and nxt < k + limit:
                with interrupts.critical():      # a pool forks here: no signal mid-fork
                    pending[nxt] = ex.submit(_block_task, jobs[nxt])
                nxt += 1
            try:
                tally = pending.pop(k).result()
            except BrokenProcessPool:
                raise ComputationError("a worker process of the verification died (out of "
                                       "memory?); run with `executor` serial or a smaller "
                                       "`range`") from None
            on_block(tally)
        if close is not None:
            close()
    except BaseException:
        if close is not None:
            close(cancel=True)             # an interrupt: drop the queued blocks, kill workers
        raise


def verify(approximant: Any, target: Any, format: Any, *, compute: Any = None,
           fma: Any = False, range: Any = None,
           progress: Callable[[int, int], Any] | None = None, executor: Any = None,
           sample: Any = None, form: Any = "as-published", block_size: Any = None
           ) -> VerifyResult:
    """Check a kernel on every finite input of a format (or an evenly spread sample of
    them) against the correctly rounded target.

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
        ``progress(done, total)`` (inputs) after every block, in block order.
    executor : str or concurrent.futures.Executor, optional
        Where the blocks run: ``"local"`` (a process pool over every core),
        ``"serial"`` (this process), ``"dask://HOST:PORT"`` (a Dask cluster), or an
        executor of your own (left open).  Default: serial when the inputs fit one
        block (every format of 16 bits or fewer), else local.  The result is the same
        whichever runs it.  A :class:`Kernel` runs in this process under ``"local"``
        (a framework's threads do not survive a fork: PyTorch's deadlock), and under
        any executor when its function cannot be sent to another process (no
        ``rebuild``); ``notes`` says so.
    sample : int, optional
        Check only N evenly spread inputs: the finite-value indices
        ``start + (i·total) // N`` for i = 0 … N − 1 (1 … 2^32; N at least the number
        of inputs means all of them).
    form : {"as-published", "stable"}
        The program's form (:data:`FORMS`); ``"stable"`` needs an approximant, not a
        :class:`Kernel`.
    block_size : int, optional
        Inputs per block (default :func:`chunk_size`, 2^22), 1 … 2^24.

    Returns
    -------
    VerifyResult

    Raises
    ------
    InputError
        Naming the parameter.
    ComputationError
        If a reference value cannot be decided, or a worker process dies.

    Examples
    --------
    >>> from approxfit.approximants.published import get_published
    >>> r = verify(get_published("paper-tanh"), "gelu", "float8_e4m3fn")
    >>> r.inputs, r.input_set
    (254, 'every finite float8_e4m3fn value')
    """
    from approxfit.core.checks import check_choice, check_int
    from approxfit.core.executors import check_executor

    start_t = time.perf_counter()
    model = make_model(format, compute, fma)
    tgt = resolve_target(target)
    check_choice(form, tuple(FORMS), "form")
    if isinstance(approximant, Kernel):
        if form == "stable":
            raise InputError(f"`form` stable rewrites an approximant's program; "
                             f"{approximant.name[:60]!r} is a kernel with its own fixed "
                             "arithmetic (use form as-published)")
        kernel: Kernel | tuple = approximant
        name, text, form_ran = (approximant.name, approximant.description or model.describe(),
                                "kernel")
    else:
        prog = getattr(approximant, "program", None)
        if not callable(prog):
            from approxfit.core.checks import InputTypeError

            raise InputTypeError(f"`approximant` must be an approximant or a Kernel, got "
                                 f"{type(approximant).__name__}")
        gate_form = "sigmoid" if form == "stable" else "tanh"
        kernel = tuple(prog(on="value", gate_form=gate_form))
        name, text, form_ran = (str(getattr(approximant, "name", "approximant")),
                                model.describe(), form)
    if progress is not None and not callable(progress):
        raise InputError("`progress` must be a callable progress(done, total) or None")
    check_executor(executor)
    rng = check_input_range(range)
    f = model.fmt
    step = chunk_size(f) if block_size is None else check_int(block_size, "block_size", 1,
                                                               2**24)
    start, stop = finite_index_range(f, *(rng or (None, None)))
    total = stop - start
    n = None if sample is None else check_int(sample, "sample", 1, MAX_SAMPLE)
    if total == 0:
        raise InputError(f"`range` holds no finite {f.name} value")
    input_set = input_set_text(f.name, rng, total, n)
    if n is not None and n >= total:
        n = None
    items = total if n is None else n
    notes: list[str] = []
    spec = _target_spec(tgt)
    if executor is None:
        executor = "serial" if items <= step else "local"
    if executor != "serial" and spec is None:
        notes.append(f"ran in this process: the target {tgt.name[:60]!r} cannot be rebuilt "
                     "in a worker process (give it by name or as an expression)")
        executor = "serial"
    if executor == "local" and isinstance(kernel, Kernel):
        notes.append(f"ran in this process: {name[:60]!r} is a kernel function, and a "
                     "framework's threads (PyTorch's) deadlock in a forked worker process; "
                     "a Dask executor can spread it")
        executor = "serial"
    if executor != "serial" and isinstance(kernel, Kernel):
        try:
            pickle.dumps(kernel)
        except Exception as exc:       # a closure, a lambda: not picklable
            notes.append(f"ran in this process: the kernel {name[:60]!r} cannot be sent to a "
                         f"worker process ({type(exc).__name__})")
            executor = "serial"
    jobs = [_Job(kernel, spec or ("name", tgt.name), model,
                 (start + a) if n is None else a,
                 (start + min(items, a + step)) if n is None else min(items, a + step),
                 None if n is None else (start, total, n))
            for a in builtins.range(0, items, step)]
    state = {"tally": Tally()}

    def on_block(t: Tally) -> None:
        state["tally"] = state["tally"].combine(t)
        if progress is not None:
            progress(state["tally"].inputs, items)

    if executor == "serial":
        for job in jobs:
            on_block(tally_block(kernel, tgt, model, _job_values(job)))
    else:
        _run_parallel(executor, jobs, on_block)
    specials = check_specials(kernel, tgt, model)
    return VerifyResult.from_tally(state["tally"], name=name, target=tgt, model=model,
                                   specials=specials, model_text=text, form=form_ran,
                                   input_set=input_set, notes=tuple(notes),
                                   seconds=time.perf_counter() - start_t)
