"""Sampling grids: uniform, Chebyshev, and the seeds' exact ``numpy.arange``.

:func:`make_grid` validates its arguments and returns a :class:`Grid`, which
remembers how it was made so that a fit can say what it sampled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from approxfit.core.checks import InputTypeError, check_choice, check_float, check_int, shown
from approxfit.core.exceptions import InputError
from approxfit.core.resources import require_memory

__all__ = ["GRIDS", "MAX_SAMPLES", "Grid", "grid_memory", "make_grid"]

GRIDS: tuple[str, ...] = ("uniform", "chebyshev", "arange")
MAX_SAMPLES = 10_000_000


@dataclass(frozen=True, eq=False)
class Grid:
    """Sample points and how they were made.

    Attributes
    ----------
    x : numpy.ndarray
        The points, ascending.
    lo, hi : float
        The range asked for; the points lie in ``[lo, hi]``.
    kind : {"uniform", "chebyshev", "arange"}
        How they were made.
    step : float or None
        The step, for ``arange``.
    """

    x: np.ndarray
    lo: float
    hi: float
    kind: str
    step: float | None = None

    @property
    def size(self) -> int:
        """Number of points."""
        return int(self.x.size)

    def describe(self) -> dict:
        """A JSON-ready description (``kind``, ``n``, ``step``)."""
        d = {"kind": self.kind, "n": self.size}
        if self.step is not None:
            d["step"] = self.step
        return d


def check_range(lo: float, hi: float, *, what: str = "`range`") -> tuple[float, float]:
    """Return ``(lo, hi)`` as floats, or raise :class:`InputError` unless finite, lo < hi."""
    import numbers

    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (lo, hi)):
        raise InputTypeError(f"{what} must be two numbers LO HI, got {shown(lo)} {shown(hi)}")
    try:
        lo, hi = float(lo), float(hi)
    except (OverflowError, ValueError):
        raise InputError(f"{what} must be finite, got {shown(lo)} {shown(hi)}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(f"{what} must be finite, got ({lo}, {hi})")
    if not lo < hi:
        raise InputError(f"{what} must satisfy LO < HI, got ({lo}, {hi})")
    if not math.isfinite(hi - lo):
        raise InputError(f"{what} is too wide: HI − LO must be a finite number, got "
                         f"({lo}, {hi})")
    return lo, hi


def grid_memory(n: int) -> int:
    """Bytes :func:`make_grid` needs at most for ``n`` points: the points and the float64
    temporaries of the spacing, ``3 × 8·n`` (peak RSS measured: 16.5 bytes per point
    for n = 2·10⁶)."""
    return 3 * 8 * int(n)


def make_grid(lo: float, hi: float, *, samples: int | None = None,
              grid: str = "uniform", step: float | None = None) -> Grid:
    """Sample ``[lo, hi]``.

    Parameters
    ----------
    lo, hi : float
        The range; finite, ``lo < hi``.
    samples : int, optional
        Number of points for ``uniform`` (endpoints included) and ``chebyshev``
        (Chebyshev points of the second kind, endpoints included). Default 2001
        (the command line's default is 20001).
    grid : {"uniform", "chebyshev"}
        The spacing, when ``step`` is not given.
    step : float, optional
        If given, the points are exactly ``numpy.arange(lo, hi, step)`` (as the
        seed's code samples: ``hi`` itself is excluded).

    Returns
    -------
    Grid

    Examples
    --------
    >>> make_grid(-10, 10, step=0.01).size
    2000
    >>> make_grid(-1, 1, samples=5, grid="chebyshev").x.round(4).tolist()
    [-1.0, -0.7071, 0.0, 0.7071, 1.0]
    """
    lo = check_float(lo, "lo", finite=False)
    hi = check_float(hi, "hi", finite=False)
    lo, hi = check_range(lo, hi)
    if grid is None or not isinstance(grid, str):
        raise InputTypeError(f"`grid` must be 'uniform' or 'chebyshev', got "
                             f"{type(grid).__name__} {shown(grid)}")
    check_choice(grid, ("uniform", "chebyshev"), "grid")
    if step is not None:
        if samples is not None:
            raise InputError("give either `samples` or `step`, not both")
        if grid != "uniform":
            raise InputError(f"`grid` {grid!r} does not go with `step`: a step samples "
                             "numpy.arange(lo, hi, step); give `samples` for Chebyshev points")
        step = check_float(step, "step", 0.0, lo_open=True)
        count = (hi - lo) / step
        if not math.isfinite(count) or count > MAX_SAMPLES:
            raise InputError(f"`step` {step:g} makes more than {MAX_SAMPLES} points on "
                             f"({lo:g}, {hi:g}); use a larger step")
        n = len(range(0, math.ceil(count)))       # numpy.arange's count (at least 0)
        if n > MAX_SAMPLES:
            raise InputError(f"`step` {step:g} makes {n} points on ({lo:g}, {hi:g}); at most "
                             f"{MAX_SAMPLES} are allowed — use a larger step")
        x = np.arange(lo, hi, step)
        if x.size < 2:
            raise InputError(f"`step` {step:g} makes {x.size} point on ({lo:g}, {hi:g}); a "
                             f"grid needs at least 2 — use a step of at most {(hi - lo) / 2:g}")
        return Grid(x, lo, hi, "arange", step)
    n = 2001 if samples is None else check_int(samples, "samples", 2, MAX_SAMPLES)
    require_memory(grid_memory(n), f"`samples` = {n}")
    if grid == "uniform":
        # Integers first: on a symmetric range the points are exactly symmetric.
        u = (2.0 * np.arange(n) - (n - 1)) / (n - 1)
        x = 0.5 * (lo + hi) + 0.5 * (hi - lo) * u
        x[0], x[-1] = lo, hi
    else:
        # sin form: exactly antisymmetric about the middle
        t = np.sin(np.pi * (2 * np.arange(n) - (n - 1)) / (2 * (n - 1)))
        x = np.clip(0.5 * (lo + hi) + 0.5 * (hi - lo) * t, lo, hi)
        x[0], x[-1] = lo, hi
    return Grid(x, lo, hi, grid)
