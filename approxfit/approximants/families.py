"""Approximant families: pure kernels on ``(x, coef, powers)`` and their registry.

A family wraps an inner polynomial ``p(x) = Σ c_k x^k`` over an explicit ascending
tuple of powers (the parity decides which powers are there):

=========  ==========================  ===================================
family     approximant h(x)            what h stands for
=========  ==========================  ===================================
tanh       ½·(1 + tanh(p(x))) = σ(2p)  the target's gate
sigmoid    σ(p(x))                     the target's gate
poly       p(x)                        the value (or the gate, ``on="gate"``)
=========  ==========================  ===================================

For each family the kernels give h, dh/dx and the Jacobian ∂h/∂c_k; they are
plain vectorised functions, bound in a frozen :class:`Family` kept in
:data:`FAMILIES`.  The tanh family is evaluated as ``σ(2p)``, which equals
``½(1 + tanh p)`` exactly but keeps full relative precision in the tail where
the gate is tiny.  For tanh and sigmoid the paper's scaled form
``p(x) = c1·(x + a3·x³ + …)`` is reported too, ``a_k = c_k / c1``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from approxfit.core.exceptions import InputError

__all__ = ["BASES", "DEN_NAMES", "FAMILIES", "MAX_DEGREE", "PARITIES", "Family",
           "cheb_derivative", "cheb_to_monomial", "cheb_value", "chebyshev_u", "check_domain",
           "coefficient_names", "get_family", "monomial_powers", "monomial_to_cheb",
           "poly_derivative", "poly_value", "powers_for", "vander"]

Array = np.ndarray
Parity = Literal["odd", "even", "none"]
PARITIES: tuple[str, ...] = ("odd", "even", "none")
MAX_DEGREE = 40
BASES: tuple[str, ...] = ("monomial", "chebyshev")
"""How an inner polynomial is held: ``Σ c_k x^k`` or ``Σ b_k T_k(u)`` on a domain."""
DEN_NAMES: tuple[str, str] = ("den_degree", "den_parity")
"""The parameter names of a rational approximant's denominator, for :func:`powers_for`."""


def powers_for(degree: int, parity: str, *,
               names: tuple[str, str] = ("degree", "parity")) -> tuple[int, ...]:
    """The powers of the inner polynomial for a degree and a parity.

    Parameters
    ----------
    degree : int
        The highest power, 0 … :data:`MAX_DEGREE`.
    parity : {"odd", "even", "none"}
        Only odd powers, only even powers, or all powers from 0.
    names : (str, str)
        The caller's parameter names for the degree and the parity, for messages
        (:data:`DEN_NAMES` for a rational approximant's denominator).

    Returns
    -------
    tuple of int
        Ascending powers, e.g. ``(1, 3, 5)`` for degree 5, odd.

    Raises
    ------
    InputError
        If the degree is out of range or does not have the parity.
    """
    deg, par = (f"`{n}`" for n in names)
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer):
        raise InputError(f"{deg} must be a whole number, got {degree!r}")
    if not 0 <= degree <= MAX_DEGREE:
        raise InputError(f"{deg} must be between 0 and {MAX_DEGREE}, got {degree}")
    if parity not in PARITIES:
        raise InputError(f"{par} must be one of {', '.join(PARITIES)}, got {parity!r}")
    if parity == "odd":
        if degree % 2 == 0:
            raise InputError(f"{deg} {degree} is even; {par} 'odd' needs an odd degree "
                             f"(1, 3, 5, …) — or choose {par} none")
        return tuple(range(1, degree + 1, 2))
    if parity == "even":
        if degree % 2 == 1:
            raise InputError(f"{deg} {degree} is odd; {par} 'even' needs an even degree "
                             f"(0, 2, 4, …) — or choose {par} none")
        return tuple(range(0, degree + 1, 2))
    return tuple(range(degree + 1))


def coefficient_names(powers: Sequence[int]) -> list[str]:
    """``c<power>`` for each power."""
    return [f"c{k}" for k in powers]


def poly_value(x: Array, coef: Array, powers: Sequence[int]) -> Array:
    """p(x) = Σ coef[j]·x**powers[j], by Horner's rule in x (or x² for one parity)."""
    x = np.asarray(x, dtype=float)
    full = np.zeros(max(powers) + 1)
    full[list(powers)] = coef
    out = np.zeros_like(x)
    for c in full[::-1]:
        out = out * x + c
    return out


def poly_derivative(x: Array, coef: Array, powers: Sequence[int]) -> Array:
    """p′(x) = Σ powers[j]·coef[j]·x**(powers[j] − 1)."""
    x = np.asarray(x, dtype=float)
    pairs = [(k, c) for k, c in zip(powers, coef, strict=True) if k > 0]
    if not pairs:
        return np.zeros_like(x)
    full = np.zeros(max(k for k, _ in pairs))
    for k, c in pairs:
        full[k - 1] = k * c
    out = np.zeros_like(x)
    for c in full[::-1]:
        out = out * x + c
    return out


def vander(x: Array, powers: Sequence[int]) -> Array:
    """The matrix V[i, j] = x[i]**powers[j] (the Jacobian of p in its coefficients).

    Built by repeated multiplication (by x, or by x² between powers of one parity),
    which is exact for small powers and far faster than ``numpy.power``.
    """
    x = np.asarray(x, dtype=float)
    out = np.empty((x.size, len(powers)))
    if not len(powers):
        return out
    x2 = x * x
    prev_k, prev = 0, np.ones_like(x)
    for j, k in enumerate(powers):
        col = prev
        step = k - prev_k
        while step >= 2:
            col = col * x2
            step -= 2
        if step == 1:
            col = col * x
        out[:, j] = col
        prev_k, prev = k, col
    return out


# -- the Chebyshev basis ---------------------------------------------------------------
#
# p(x) = Σ b_k T_k(u) with u = (2x − a − b)/(b − a) on a domain (a, b).  For a
# symmetric domain (−s, s) that is u = x/s exactly (2x − 0 and b − a = 2s are exact),
# so odd and even index sets keep their parity bit for bit.

def check_domain(domain: Sequence[float], *, what: str = "domain") -> tuple[float, float]:
    """``(a, b)`` as floats if ``domain`` is two finite numbers with a < b, else
    :class:`InputError` naming ``what``."""
    try:
        a, b = (float(v) for v in domain)
    except (TypeError, ValueError):
        raise InputError(f"`{what}` must be two numbers (a, b) with a < b, got {domain!r}"
                         ) from None
    if not (np.isfinite(a) and np.isfinite(b) and a < b and np.isfinite(b - a)):
        raise InputError(f"`{what}` must be two finite numbers (a, b) with a < b, got "
                         f"{list(domain)!r}")
    return a, b


def chebyshev_u(x: Array, domain: tuple[float, float]) -> Array:
    """u = (2x − a − b)/(b − a): the domain (a, b) mapped to [−1, 1] (x/s for (−s, s))."""
    a, b = domain
    x = np.asarray(x, dtype=float)
    return (2.0 * x - (a + b)) / (b - a)


def _full(indices: Sequence[int], coef: Sequence[float]) -> Array:
    full = np.zeros(max(indices) + 1)
    full[list(indices)] = coef
    return full


def cheb_value(x: Array, coef: Array, indices: Sequence[int],
               domain: tuple[float, float]) -> Array:
    """p(x) = Σ coef[j]·T_{indices[j]}(u) by Clenshaw's recurrence
    (:func:`numpy.polynomial.chebyshev.chebval` on u)."""
    from numpy.polynomial import chebyshev as npcheb

    u = chebyshev_u(x, domain)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(npcheb.chebval(u, _full(indices, coef)), dtype=float)


def cheb_derivative(x: Array, coef: Array, indices: Sequence[int],
                    domain: tuple[float, float]) -> Array:
    """p′(x) = (2/(b − a))·Σ b_k T_k′(u) (``chebder``, then Clenshaw)."""
    from numpy.polynomial import chebyshev as npcheb

    a, b = domain
    u = chebyshev_u(x, domain)
    full = _full(indices, coef)
    if full.size == 1:
        return np.zeros_like(u)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(npcheb.chebval(u, npcheb.chebder(full)), dtype=float) * (
            2.0 / (b - a))


def monomial_powers(indices: Sequence[int], domain: tuple[float, float]) -> tuple[int, ...]:
    """The powers of x that Σ b_k T_k(u) over ``indices`` can have.

    On a symmetric domain T_k(x/s) has the powers k, k − 2, …, so an odd (even) index
    set gives odd (even) powers; otherwise u is a shifted x and every power up to the
    top index appears.
    """
    top = max(indices)
    a, b = domain
    if a + b == 0.0:
        return tuple(k for k in range(top + 1)
                     if any(i >= k and (i - k) % 2 == 0 for i in indices))
    return tuple(range(top + 1))


def cheb_to_monomial(indices: Sequence[int], coef: Sequence[float],
                     domain: tuple[float, float]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The monomial form ``(powers, c)`` of Σ b_k T_k(u) on ``domain``.

    ``numpy.polynomial.chebyshev.cheb2poly`` gives the coefficients g_j in u; for a
    symmetric domain (−s, s) c_j = g_j/s^j (so absent parities stay exactly zero),
    otherwise numpy's ``Chebyshev(…, domain).convert(kind=Polynomial)`` substitutes
    u = αx + β.  Exact up to the rounding of the conversion, which grows with the
    degree (the reason for the Chebyshev representation).
    """
    from numpy.polynomial import Chebyshev, Polynomial
    from numpy.polynomial import chebyshev as npcheb

    a, b = domain
    full = _full(indices, coef)
    with np.errstate(over="ignore", invalid="ignore"):
        if a + b == 0.0:
            g = npcheb.cheb2poly(full)
            c = g / (b ** np.arange(g.size, dtype=float))
        else:
            c = Chebyshev(full, domain=[a, b]).convert(kind=Polynomial).coef
    c = np.concatenate([c, np.zeros(max(0, full.size - c.size))])
    powers = monomial_powers(indices, domain)
    return powers, tuple(float(c[k]) for k in powers)


def monomial_to_cheb(powers: Sequence[int], coef: Sequence[float],
                     domain: tuple[float, float]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The Chebyshev form ``(indices, b)`` on ``domain`` of Σ c_k x^k (the inverse of
    :func:`cheb_to_monomial`: ``poly2cheb`` after x = s·u, or numpy's ``convert``)."""
    from numpy.polynomial import Chebyshev, Polynomial
    from numpy.polynomial import chebyshev as npcheb

    a, b = domain
    full = _full(powers, coef)
    with np.errstate(over="ignore", invalid="ignore"):
        if a + b == 0.0:
            t = npcheb.poly2cheb(full * (b ** np.arange(full.size, dtype=float)))
        else:
            t = Polynomial(full).convert(kind=Chebyshev, domain=[a, b]).coef
    t = np.concatenate([t, np.zeros(max(0, full.size - t.size))])
    # the same structure as monomial_powers, read backwards: on a symmetric domain x^k
    # has T_k, T_{k−2}, …; otherwise every index up to the degree
    indices = monomial_powers(powers, domain)
    return indices, tuple(float(t[k]) for k in indices)


def _sigmoid(z: Array) -> Array:
    from scipy.special import expit

    return expit(z)


# Outer functions and their derivative with respect to p, as kernels of p.
def _tanh_gate(p: Array) -> Array:
    return _sigmoid(2.0 * p)


def _tanh_gate_dp(p: Array) -> Array:
    return 2.0 * _sigmoid(2.0 * p) * _sigmoid(-2.0 * p)


def _tanh_gate_dp_from(p: Array, h: Array) -> Array:
    # _tanh_gate_dp(p) with h = _tanh_gate(p) = σ(2p) already known: the same operations
    # in the same order, so the same bits, at one sigmoid instead of two.
    return 2.0 * h * _sigmoid(-2.0 * p)


def _sigmoid_gate(p: Array) -> Array:
    return _sigmoid(p)


def _sigmoid_gate_dp(p: Array) -> Array:
    return _sigmoid(p) * _sigmoid(-p)


def _sigmoid_gate_dp_from(p: Array, h: Array) -> Array:
    return h * _sigmoid(-p)


def _identity(p: Array) -> Array:
    return p


def _one(p: Array) -> Array:
    return np.ones_like(p)


def _one_from(p: Array, h: Array) -> Array:
    return np.ones_like(p)


@dataclass(frozen=True)
class Family:
    """A shape of approximant around an inner polynomial.

    Attributes
    ----------
    name : str
        ``tanh``, ``sigmoid`` or ``poly``.
    formula : str
        The approximant as a person reads it.
    outer : callable
        h as a function of p.
    outer_dp : callable
        dh/dp as a function of p.
    gated : bool
        True when h approximates the target's gate (tanh, sigmoid); False when it
        approximates whatever the fit is on (poly).
    scaled : bool
        Whether the scaled form ``a_k = c_k / c1`` is reported.
    outer_dp_from : callable or None
        ``(p, h) ↦ dh/dp`` given ``h = outer(p)`` as well: bit for bit ``outer_dp(p)``,
        cheaper where the derivative reuses h (see :meth:`derivative_from`).
    """

    name: str
    formula: str
    outer: Callable[[Array], Array]
    outer_dp: Callable[[Array], Array]
    gated: bool
    scaled: bool
    outer_dp_from: Callable[[Array, Array], Array] | None = None

    def derivative_from(self, p: Array, h: Array) -> Array:
        """``outer_dp(p)``, exactly, when ``h = outer(p)`` is known already."""
        if self.outer_dp_from is None:
            return self.outer_dp(p)
        return self.outer_dp_from(p, h)

    def value(self, x: Array, coef: Array, powers: Sequence[int]) -> Array:
        """h(x) for coefficients ``coef`` over ``powers``."""
        with np.errstate(over="ignore", under="ignore"):
            return self.outer(poly_value(x, coef, powers))

    def derivative(self, x: Array, coef: Array, powers: Sequence[int]) -> Array:
        """dh/dx = h′(p)·p′(x)."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            p = poly_value(x, coef, powers)
            return self.outer_dp(p) * poly_derivative(x, coef, powers)

    def jacobian(self, x: Array, coef: Array, powers: Sequence[int]) -> Array:
        """∂h/∂c_j, shape ``(len(x), len(powers))``."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            p = poly_value(x, coef, powers)
            return self.outer_dp(p)[:, None] * vander(x, powers)

    def default_parity(self, target, on: str = "value") -> str:
        """The parity that follows the target's symmetry for this family.

        A gated family uses an odd p when ``g − ½`` is odd (gelu, phi, erf, silu,
        tanh); poly on the value follows the value's own parity (odd for erf and
        tanh); everything else takes all powers.
        """
        if self.gated:
            return "odd" if target.gate_symmetric else "none"
        if on == "value" and target.value_parity in ("odd", "even"):
            return target.value_parity
        return "none"


FAMILIES: dict[str, Family] = {
    "tanh": Family("tanh", "gate ≈ ½·(1 + tanh(p(x)))", _tanh_gate, _tanh_gate_dp,
                   gated=True, scaled=True, outer_dp_from=_tanh_gate_dp_from),
    "sigmoid": Family("sigmoid", "gate ≈ σ(p(x))", _sigmoid_gate, _sigmoid_gate_dp,
                      gated=True, scaled=True, outer_dp_from=_sigmoid_gate_dp_from),
    "poly": Family("poly", "value ≈ p(x)", _identity, _one, gated=False, scaled=False,
                   outer_dp_from=_one_from),
}


def get_family(name: str) -> Family:
    """The family called ``name``; :class:`InputError` listing the choices if none."""
    from approxfit.core.names import suggest

    try:
        return FAMILIES[name]
    except KeyError:
        raise InputError(f"unknown family {name!r}{suggest(name, list(FAMILIES))}; "
                         f"choose one of {', '.join(FAMILIES)}") from None
