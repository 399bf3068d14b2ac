"""Sampling grids: uniform, Chebyshev, and the seeds' exact ``numpy.arange``.

:func:`make_grid` validates its arguments and returns a :class:`Grid`, which
remembers how it was made so that a fit can say what it sampled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from approxfit.core.exceptions import InputError

__all__ = ["GRIDS", "MAX_SAMPLES", "Grid", "make_grid"]

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
    try:
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be two numbers LO HI, got {lo!r} {hi!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(f"{what} must be finite, got ({lo}, {hi})")
    if not lo < hi:
        raise InputError(f"{what} must satisfy LO < HI, got ({lo}, {hi})")
    if not math.isfinite(hi - lo):
        raise InputError(f"{what} is too wide: HI − LO must be a finite number, got "
                         f"({lo}, {hi})")
    return lo, hi


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
    lo, hi = check_range(lo, hi)
    if step is not None:
        if samples is not None:
            raise InputError("give either `samples` or `step`, not both")
        step = float(step)
        if not (math.isfinite(step) and step > 0):
            raise InputError(f"`step` must be a positive number, got {step}")
        count = (hi - lo) / step
        if not math.isfinite(count) or count > MAX_SAMPLES:
            raise InputError(f"`step` {step} makes more than {MAX_SAMPLES} points on "
                             f"({lo}, {hi}); use a larger step")
        n = math.ceil(count)
        if n > MAX_SAMPLES:
            raise InputError(f"`step` {step} makes {n} points on ({lo}, {hi}); at most "
                             f"{MAX_SAMPLES} are allowed — use a larger step")
        return Grid(np.arange(lo, hi, step), lo, hi, "arange", step)
    if grid not in ("uniform", "chebyshev"):
        from approxfit.core.names import suggest

        raise InputError(f"unknown `grid` {grid!r}{suggest(grid, ['uniform', 'chebyshev'])}; "
                         "choose uniform or chebyshev (or give `step`)")
    n = 2001 if samples is None else samples
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise InputError(f"`samples` must be a whole number, got {n!r}")
    if not 2 <= n <= MAX_SAMPLES:
        raise InputError(f"`samples` must be between 2 and {MAX_SAMPLES}, got {n}")
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
