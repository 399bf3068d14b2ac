"""Tables of approximants' errors: the rows ``approxfit report`` prints.

:func:`report` is the library form of ``approxfit report``: it resolves the target,
builds the approximants and the grid, and measures them in float64 or in a
low-precision format, returning a :class:`Report` (its ``rows`` are exactly the
``rows`` of ``approxfit report --json``).  :func:`report_rows` measures each
approximant once — the metrics of
:func:`approxfit.measure.metrics.approximant_metrics`, plus the relative error in the
negative tail and the error of the derivative — and returns plain dicts.

Rendering the rows as Markdown, CSV or a terminal table is presentation:
:mod:`approxfit.present.tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.measure.metrics import TINY, approximant_metrics

__all__ = ["DEFAULT_STEP", "TAIL_BELOW", "Report", "report", "report_rows"]

Array = np.ndarray
TAIL_BELOW = -2.0

DEFAULT_STEP = 0.01
"""The seed's grid spacing: ``numpy.arange(LO, HI, 0.01)`` when neither ``samples``
nor ``step`` is given."""
REPORT_ARRAYS = 20
"""float64 arrays of the samples' length alive at once in a float64 report (an upper
bound: peak RSS measured 15.5 per sample for every published gelu approximant at 10⁶
samples); see :func:`report_memory`."""
REPORT_ARRAYS_LOWPREC = 20
"""The same for a low-precision ``dtype`` (measured 14.5 for float16 at 3·10⁵ samples)."""
PRECISION_METRIC_KEYS = ("max_abs_error", "argmax_abs_error", "max_ulp_error",
                         "argmax_ulp_error", "floor_abs_error", "floor_ulp_error")


def _tail_rel_error(approximant: Any, x: Array, on: str) -> float:
    """Max ``|approx − exact| / |exact|`` on the samples ``x ≤ TAIL_BELOW``.

    Points where the exact value is 0 or subnormal are skipped, as in
    :func:`~approxfit.measure.metrics.error_metrics`; NaN if no point is left.
    """
    xt = x[x <= TAIL_BELOW]
    exact = approximant.target_obj.evaluate(xt, on=on)
    keep = np.abs(exact) >= TINY
    if not keep.any():
        return float("nan")
    with np.errstate(all="ignore"):
        approx = approximant.evaluate(xt[keep], on=on)
        rel = np.abs(approx - exact[keep]) / np.abs(exact[keep])
    return float(np.max(rel)) if np.all(np.isfinite(rel)) else float("inf")


def report_rows(approximants: Iterable[Any], x: Array, *, lo: float | None,
                hi: float | None) -> list[dict[str, Any]]:
    """Measure each approximant on the sample points ``x``.

    Parameters
    ----------
    approximants : iterable
        :class:`~approxfit.approximants.approximant.Approximant` or
        :class:`~approxfit.approximants.published.ClosedFormApproximant` objects (anything
        with ``evaluate``, ``derivative``, ``target_obj``, ``base``, ``name``,
        ``coefficients``).
    x : numpy.ndarray
        Sample points, ascending (e.g. ``numpy.arange(-10, 10, 0.01)``).
    lo, hi : float or None
        The range in which the largest error is refined between samples
        (default: the first and last sample).

    Returns
    -------
    list of dict
        One row per approximant: ``name``, ``target``, ``source`` (the citation
        of a published approximant, else None), ``formula``, ``coefficients``,
        ``scaled`` and ``metrics``.  ``metrics`` is exactly
        :func:`~approxfit.measure.metrics.approximant_metrics`'s ``{"value": …, "gate":
        …}`` with two more keys per quantity: ``max_rel_error_tail`` (the largest
        relative error on the samples with ``x ≤ −2``, where GELU and its gate
        are tiny; NaN if there are none) and, on the value only,
        ``max_derivative_error`` with ``argmax_derivative_error`` (the largest
        ``|approx′ − target′|`` on the samples, target′ = ``target_obj.dvalue``).
    """
    x = np.asarray(x, dtype=float)
    rows = []
    for a in approximants:
        target = a.target_obj
        metrics = approximant_metrics(a, x, lo=lo, hi=hi)
        for on, m in metrics.items():
            m["max_rel_error_tail"] = _tail_rel_error(a, x, on)
        with np.errstate(all="ignore"):
            de = a.derivative(x) - target.dvalue(x)
        if np.all(np.isfinite(de)):
            i = int(np.argmax(np.abs(de)))
            dmax, dwhere = float(abs(de[i])), float(x[i])
        else:
            i = int(np.flatnonzero(~np.isfinite(de))[0])
            dmax, dwhere = float("inf"), float(x[i])
        metrics["value"]["max_derivative_error"] = dmax
        metrics["value"]["argmax_derivative_error"] = dwhere
        formula = a.meta.get("formula") or a.describe()
        rows.append({"name": a.name, "target": target.name, "source": a.meta.get("source"),
                     "formula": formula, "coefficients": dict(a.coefficients),
                     "scaled": dict(a.scaled), "metrics": metrics})
    return rows


@dataclass(frozen=True)
class Report:
    """What ``approxfit report`` measures: the rows, and what they were measured on.

    A report reads like its rows: ``len(rep)``, ``rep[0]`` and ``for row in rep``
    go to :attr:`rows`.

    Attributes
    ----------
    rows : list of dict
        In float64, :func:`report_rows`' rows; in a low-precision ``dtype``,
        :func:`approxfit.lowprec.tables.precision_rows`' rows, each with a
        ``metrics`` block ``{on: {max_abs_error, argmax_abs_error, max_ulp_error,
        argmax_ulp_error, floor_abs_error, floor_ulp_error}}``.
    grid : Grid or InputSet
        The sample points (float64, or a format's samples), or
        :class:`~approxfit.lowprec.tables.InputSet` of every value of the format.
    target : str
        The target's name as given.
    range : (float, float)
        The range as given.
    dtype, opmath : str
        The format the approximants were evaluated in, and its arithmetic.
    target_obj : Target
        The resolved target.
    approximants : tuple
        The approximants measured, in row order.
    input_set : str
        The inputs in one sentence (JSON key ``input_set``), e.g. "every finite
        bfloat16 value in [-10, 10] (33,345 inputs)" or "2,000 samples
        numpy.arange(-10, 10, 0.01) rounded to float32 (2,000 distinct inputs)".
    """

    rows: list[dict[str, Any]]
    grid: Any
    target: str
    range: tuple[float, float]
    dtype: str
    opmath: str
    target_obj: Any
    approximants: tuple[Any, ...]
    input_set: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.rows[i]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document ``approxfit report --json`` prints."""
        if self.dtype != "float64":
            return {"kind": "report", "dtype": self.dtype, "opmath": self.opmath,
                    "grid": self.grid.describe(), "input_set": self.input_set,
                    "rows": self.rows}
        return {"kind": "report", "target": self.target, "range": list(self.range),
                "grid": self.grid.describe(), "input_set": self.input_set, "rows": self.rows}


def report_memory(n: int, dtype: str = "float64") -> int:
    """Bytes :func:`report` needs at most for ``n`` samples (one approximant is measured at
    a time): ``K·8·n`` with K float64 arrays alive at once, calibrated by peak RSS."""
    return (REPORT_ARRAYS if dtype == "float64" else REPORT_ARRAYS_LOWPREC) * 8 * int(n)


def _check_specs(specs: Any) -> list[Any] | None:
    """``specs`` as a list of spec strings and approximant objects (None: the published)."""
    from approxfit.approximants.base import AnyApproximant
    from approxfit.core.checks import InputTypeError, shown
    from approxfit.core.exceptions import InputError

    if specs is None:
        return None
    if isinstance(specs, str):
        return [specs]
    if isinstance(specs, AnyApproximant):
        return [specs]
    if isinstance(specs, Mapping) or not isinstance(specs, Iterable):
        raise InputTypeError(f"`specs` must be a spec string, an approximant or a list of "
                             f"them, got {type(specs).__name__} {shown(specs)}")
    out = list(specs)
    if not out:
        raise InputError("`specs` is empty; give at least one approximant (or None for the "
                         "published ones)")
    for s in out:
        if not isinstance(s, str) and not isinstance(s, AnyApproximant):
            raise InputTypeError(f"`specs` must hold spec strings or approximants, got "
                                 f"{type(s).__name__} {shown(s)}")
    return out


def _cost_model(cost: Any, cost_weights: Any
                ) -> tuple[str, dict[str, Any], dict[str, int]] | None:
    """``(model, weights, parameters)`` for ``cost`` (None: no cost columns)."""
    from approxfit.approximants.costmodels import check_weights, read_weights
    from approxfit.core.exceptions import InputError

    if cost is None:
        if cost_weights is not None:
            raise InputError("`cost_weights` goes with `cost` (kernel, he or mpc)")
        return None
    if not isinstance(cost, str):
        raise InputError(f"`cost` must be kernel, he or mpc, got {type(cost).__name__}")
    if cost_weights is None or isinstance(cost_weights, Mapping):
        return (cost, *check_weights(cost, cost_weights))
    import os

    if isinstance(cost_weights, str | os.PathLike):
        return (cost, *read_weights(cost_weights, cost))
    raise InputError(f"`cost_weights` must be a dict or a path to a .json/.toml file, got "
                     f"{type(cost_weights).__name__}")


def report(specs: Sequence[str | Any] | None = None, *, target: Any = "gelu",
           range: tuple[float, float] = (-10.0, 10.0),
           samples: int | None = None, step: float | None = None, expr: str | None = None,
           dtype: str = "float64", opmath: str = "format", exhaustive: bool = False,
           progress: Callable[[int, int], None] | None = None, cost: str | None = None,
           cost_weights: Any = None) -> Report:
    """Measure approximants: the rows ``approxfit report`` prints.

    Parameters
    ----------
    specs : str or sequence of str or approximants, optional
        Published names (``"paper-tanh"``), saved fits (``FILE.json``), inline specs
        (``"tanh:c1=sqrt(2/pi),a3=0.044715"``; see
        :func:`approxfit.approximants.spec.parse_spec`) or approximant objects.
        Default: every published approximant of the target.
    target : str or Target
        The target measured against (:func:`approxfit.core.targets.resolve_target`).
    range : (float, float)
        The range ``(lo, hi)``.
    samples : int, optional
        Number of uniform samples.
    step : float, optional
        Sample exactly ``numpy.arange(lo, hi, step)``; when neither ``samples`` nor
        ``step`` is given, ``step`` is :data:`DEFAULT_STEP` (the seed's grid).
        Both are ignored for a ``dtype`` of 16 bits or fewer (every value is
        measured; :attr:`Report.input_set` says so).
    expr : str, optional
        A formula for a custom target called ``target`` (e.g. ``"x*erf(x)"``).
    dtype : {"float64", "float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2"}
        Evaluate every operation in this format (errors in ulps too, and the
        format's own floor).  For the formats of 16 bits or fewer the inputs are every
        finite value of the format in the range (−0 and +0 as one), not a grid
        (:func:`approxfit.lowprec.tables.input_set`).
    opmath : {"format", "float32"}
        With a ``dtype`` of 16 bits or fewer: round every operation to the format, or
        compute in float32 and round once (as PyTorch's CPU kernels do).
    exhaustive : bool
        float32 only: every finite float32 in the range (no ``samples``/``step``),
        measured in chunks of :data:`approxfit.lowprec.tables.CHUNK` values with bounded
        memory — about 0.15–0.2 µs per input and approximant on one core (measured
        on ranges of 1–3 million inputs), so [−10, 10] (2 185 232 385 inputs) takes
        roughly 6–7 minutes per approximant.
    progress : callable, optional
        With ``exhaustive``: called as ``progress(done, total)`` (inputs, summed over the
        approximants) after each chunk.
    cost : {"kernel", "he", "mpc"}, optional
        Add each approximant's cost under this model to its row as ``cost_<model>``
        (:func:`approxfit.approximants.costmodels.model_cost`, on the range; a model
        that does not apply gives ``{"total": None, "reason": …}``).
    cost_weights : mapping or path, optional
        The model's weights (and constants): a mapping or a ``.json``/``.toml`` file.

    Returns
    -------
    Report
        Its ``rows`` are the ``rows`` of ``approxfit report --json``.

    Raises
    ------
    InputError
        For an unknown target, dtype or opmath, a bad spec or range, a target
        without published approximants when no ``specs`` are given, or ``exhaustive``
        with a float64 ``dtype`` or with ``samples``/``step``.

    Examples
    --------
    >>> rep = report(["paper-tanh"])
    >>> f"{rep[0]['metrics']['value']['mse']:.4e}"
    '2.4329e-08'
    """
    from approxfit.approximants.published import published_for
    from approxfit.approximants.spec import parse_spec
    from approxfit.core.checks import (
        InputTypeError,
        check_bool,
        check_choice,
        check_float,
        shown,
    )
    from approxfit.core.exceptions import InputError
    from approxfit.core.resources import require_memory
    from approxfit.core.targets import check_regular, resolve_target
    from approxfit.lowprec.emulate import OPMATHS
    from approxfit.lowprec.formats import ALL_DTYPES
    from approxfit.lowprec.tables import (
        CHUNK,
        input_set,
        precision_rows,
        precision_rows_chunked,
    )

    specs = _check_specs(specs)
    model = _cost_model(cost, cost_weights)
    check_choice(dtype, ALL_DTYPES, "dtype")
    check_choice(opmath, OPMATHS, "opmath")
    exhaustive = check_bool(exhaustive, "exhaustive")
    if progress is not None and not callable(progress):
        raise InputTypeError(f"`progress` must be callable or None, got "
                             f"{type(progress).__name__}")
    tgt = resolve_target(target, expr=expr)
    name = target if isinstance(target, str) else tgt.name
    if isinstance(range, str | bytes) or not isinstance(range, Sequence | np.ndarray):
        raise InputTypeError(f"`range` must be a pair of numbers (lo, hi), got "
                             f"{type(range).__name__} {shown(range)}")
    if len(range) != 2:
        raise InputError(f"`range` must be a pair of numbers (lo, hi), got {len(range)} "
                         "values")
    lo, hi = (check_float(v, "range", finite=False) for v in range)
    count = len(specs) if specs else len(published_for(name))
    inputs = input_set(dtype, (lo, hi), samples=samples, step=step, exhaustive=exhaustive,
                       default_step=DEFAULT_STEP)
    grid = inputs if inputs.grid is None else inputs.grid
    check_regular(tgt, grid.lo, grid.hi)     # a custom target's pole or jump between samples
    held = CHUNK if inputs.x is None else grid.size
    require_memory(report_memory(held, dtype),
                   f"`samples` = {grid.size} ({count} approximants in {dtype})")
    if specs:
        approximants = [parse_spec(s, tgt) if isinstance(s, str) else s for s in specs]
    else:
        approximants = [p.build() for p in published_for(name)]
        if not approximants:
            raise InputError(f"no published approximants of {name!r}; name some `specs`")
    if dtype == "float64":
        rows = report_rows(approximants, grid.x, lo=grid.lo, hi=grid.hi)
    else:
        if inputs.x is None:
            total = inputs.size * len(approximants)
            done = 0

            def step_done(n: int) -> None:
                nonlocal done
                done += n
                if progress is not None:
                    progress(done, total)

            rows = []
            for a in approximants:         # one at a time: memory of one chunk
                rows += precision_rows_chunked([a], inputs.chunks(), dtype, opmath=opmath,
                                               progress=step_done)
        else:
            rows = precision_rows(approximants, grid.x, dtype, opmath=opmath)
        for row in rows:                   # the report contract: metrics per quantity
            row["metrics"] = {row["on"]: {k: row[k] for k in PRECISION_METRIC_KEYS}}
    if model is not None:
        from approxfit.approximants.costmodels import model_cost

        name_, weights, params = model
        for row, a in zip(rows, approximants, strict=True):
            row[f"cost_{name_}"] = model_cost(a, name_, domain=(lo, hi), weights=weights,
                                              parameters=params).to_dict()
    return Report(rows=rows, grid=grid, target=name, range=(lo, hi), dtype=dtype,
                  opmath=opmath, target_obj=tgt, approximants=tuple(approximants),
                  input_set=inputs.text())
