"""A well-conditioned basis for the free part of a polynomial being fitted.

Monomials ``x^k`` on ``[−10, 10]`` span twenty orders of magnitude by degree 20, and the
Jacobian of a fit in them is hopelessly ill-conditioned: a minimax loop cannot resolve its
own stopping tolerance.  The fitting algorithms therefore see the free part of every
polynomial in a basis that is bounded by 1 on the range:

* all powers ``0 … D`` free: Chebyshev polynomials ``T_k(u)``, ``u = (2x − lo − hi)/(hi − lo)``;
* all powers of one parity up to ``D`` free: ``T_k(x/s)``, ``s = max(|lo|, |hi|)``, which
  keeps the parity;
* otherwise (a coefficient held fixed in between): scaled monomials ``(x/s)^k``.

:class:`Basis` evaluates the basis matrix at any points, converts coefficients to and from
monomial form (``numpy.polynomial``), and gives the Chebyshev series of the whole
polynomial, fixed terms included, for the Chebyshev representation of the result.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.polynomial import chebyshev as npcheb

from approxfit.approximants.families import vander

__all__ = ["Basis", "choose_basis"]

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class Basis:
    """The basis of the free powers of a polynomial.

    Attributes
    ----------
    kind : {"chebyshev", "monomial"}
        Chebyshev polynomials of ``u``, or scaled monomials ``u^k``.
    powers : tuple of int
        The free monomial powers (ascending); the basis has one function per power, of
        the same degree (``T_k`` or ``u^k``).
    domain : (float, float)
        ``(a, b)``: ``u = (2x − a − b)/(b − a)``.
    """

    kind: str
    powers: tuple[int, ...]
    domain: tuple[float, float]

    @property
    def plain(self) -> bool:
        """Plain monomials ``x^k`` (evaluated as :func:`~approxfit.approximants.families.
        vander` does)."""
        return self.kind == "monomial" and self.domain == (-1.0, 1.0)

    def u(self, x: Array) -> Array:
        """The basis variable ``u`` at ``x``."""
        a, b = self.domain
        return (2.0 * np.asarray(x, dtype=float) - a - b) / (b - a)

    def matrix(self, x: Array) -> Array:
        """``B[i, j] = φ_j(x_i)``, one column per free power."""
        if self.plain:
            return vander(x, self.powers)
        u = self.u(x)
        out = np.empty((u.size, len(self.powers)))
        if not self.powers:
            return out
        top = max(self.powers)
        prev, cur = np.ones_like(u), u
        cols = {0: prev}
        if top >= 1:
            cols[1] = cur
        if self.kind == "chebyshev":
            for k in range(2, top + 1):
                prev, cur = cur, 2.0 * u * cur - prev
                cols[k] = cur
        else:
            for k in range(2, top + 1):
                cur = cur * u
                cols[k] = cur
        for j, k in enumerate(self.powers):
            out[:, j] = cols[k]
        return out

    def _series(self, k: int) -> Array:
        """Monomial coefficients (in x, ascending, length max power + 1) of φ for power k."""
        unit = np.zeros(k + 1)
        unit[k] = 1.0
        out = np.zeros(max(self.powers) + 1)
        a, b = self.domain
        if a == -b:                     # u = x/s: scale the coefficients of u^j by s^-j
            coef = npcheb.cheb2poly(unit) if self.kind == "chebyshev" else unit
            out[:coef.size] = coef / b ** np.arange(coef.size, dtype=float)
            return out
        kind = npcheb.Chebyshev if self.kind == "chebyshev" else np.polynomial.Polynomial
        poly = kind(unit, domain=[a, b]).convert(kind=np.polynomial.Polynomial)
        out[:poly.coef.size] = poly.coef
        return out

    @property
    def to_monomial_matrix(self) -> Array:
        """``M`` with ``c_free = M θ`` (monomial coefficients of the free powers)."""
        return _monomial_matrix(self.kind, self.powers, self.domain)

    def to_monomial(self, theta: Array) -> Array:
        """Monomial coefficients of the free powers from basis coefficients ``theta``."""
        return self.to_monomial_matrix @ np.asarray(theta, dtype=float)

    def from_monomial(self, c: Array) -> Array:
        """Basis coefficients from monomial coefficients of the free powers."""
        return np.linalg.solve(self.to_monomial_matrix, np.asarray(c, dtype=float))

    def chebyshev_series(self, theta: Array, fixed: Mapping[int, float],
                         indices: Sequence[int]) -> Array:
        """Chebyshev coefficients in ``u`` (over ``domain``) of the whole polynomial.

        The free part is ``Σ θ_j φ_j``; ``fixed`` adds ``c_k·x^k`` terms.  Returns the
        coefficients at ``indices`` (the others are zero up to rounding).
        """
        top = max([*self.powers, *fixed, *indices, 0])
        series = np.zeros(top + 1)
        if self.kind == "chebyshev":
            for k, t in zip(self.powers, theta, strict=True):
                series[k] += t
        elif self.powers:
            mono = np.zeros(top + 1)
            for k, t in zip(self.powers, theta, strict=True):
                mono[k] += t
            cs = npcheb.poly2cheb(mono)
            series[:cs.size] += cs
        if fixed:
            mono = np.zeros(top + 1)
            for k, v in fixed.items():
                mono[k] = v
            poly = np.polynomial.Polynomial(mono).convert(kind=npcheb.Chebyshev,
                                                          domain=list(self.domain))
            series[:poly.coef.size] += poly.coef
        return series[list(indices)]


def choose_basis(free_powers: Sequence[int], lo: float, hi: float, *,
                 constant: bool = False) -> Basis:
    """The basis for the free powers of a polynomial fitted on ``[lo, hi]``.

    Parameters
    ----------
    free_powers : sequence of int
        Ascending free powers.
    lo, hi : float
        The fit range.
    constant : bool
        Count an implicit constant term as present (the denominator ``Q = 1 + …`` of a
        rational fit, whose free powers start at 1): then powers ``1 … D`` are "all
        powers" and even powers ``2, 4, …`` are "all even powers".
    """
    powers = tuple(int(k) for k in free_powers)
    s = max(abs(lo), abs(hi))
    if not powers:
        return Basis("chebyshev", powers, (-s, s))
    top = max(powers)
    present = set(powers) | ({0} if constant else set())
    if present == set(range(top + 1)):
        return Basis("chebyshev", powers, (float(lo), float(hi)))
    if present == set(range(top % 2, top + 1, 2)):
        return Basis("chebyshev", powers, (-s, s))
    return Basis("monomial", powers, (-s, s))


@functools.lru_cache(maxsize=256)
def _monomial_matrix(kind: str, powers: tuple[int, ...], domain: tuple[float, float]
                     ) -> Array:
    """:attr:`Basis.to_monomial_matrix`, computed once per basis (numpy.polynomial's
    conversions cost ~0.1 ms a power; every fit of the same layout shares the matrix).
    The array is read-only, so the cached value cannot be changed by a caller."""
    basis = Basis(kind, powers, domain)
    if not powers:
        out = np.zeros((0, 0))
    else:
        out = np.array([basis._series(k)[list(powers)] for k in powers]).T
    out.setflags(write=False)
    return out
