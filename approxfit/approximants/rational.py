"""Rational approximants ``P(x)/Q(x)`` (their fits: :mod:`approxfit.fitting.rational`).

``P(x) = Σ c_k x^k`` over the numerator's powers and ``Q(x) = 1 + Σ d_k x^k`` over
the denominator's (k ≥ 1; ``Q(0) = 1`` fixes the scale).  Like ``poly``, a rational
approximant stands for whatever it was fitted on, the value or the gate.

A rational approximant may instead be held in the Chebyshev basis on a domain (a, b)
(:meth:`RationalApproximant.from_chebyshev`): ``P = Σ b_k T_k(u)`` and
``Q = T_0 + Σ e_k T_k(u)`` (k ≥ 1), ``u = (2x − a − b)/(b − a)``, evaluated by
Clenshaw's recurrence; its :attr:`~RationalApproximant.coefficients` are still the
monomial c_k and d_k with Q(0) = 1, converted (when Q(0) ≠ 0).

A rational fit must not have a pole on its range.  Least squares starts from the
linearised problem ``min ‖P − y·Q‖`` (Loeb's linearisation) or from a given start
(the command line passes the Padé approximant from :mod:`approxfit.symbolic.taylor`
when it has no pole on the range), and minimax continues with the same SLP /
exchange loop as the other families (:mod:`approxfit.fitting.engine`), with ``Q ≥ 10⁻³`` added
as linear constraints on the working set and every step whose Q would vanish
on the grid rejected.  The result says how close Q comes to zero on the range;
a fit whose Q vanishes there is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from approxfit.approximants.approximant import chebyshev_variable, signed_text
from approxfit.approximants.base import (
    ApproximantBase,
    check_coefficients,
    check_common,
    check_values,
)
from approxfit.approximants.families import (
    cheb_derivative,
    cheb_to_monomial,
    cheb_value,
    check_domain,
    poly_derivative,
    poly_value,
)
from approxfit.approximants.program import (
    ProgramBuilder,
    chebyshev_argument,
    chebyshev_polynomial,
    convert_base,
    inner_polynomial,
)
from approxfit.core.checks import InputTypeError, check_array, check_str, shown
from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target

__all__ = ["Q_FLOOR", "RationalApproximant", "coefficient_label"]

Array = np.ndarray
Q_FLOOR = 1e-3


def coefficient_label(prefix: str, powers: tuple[int, ...]) -> list[str]:
    """``["c0", "c1", …]`` or ``["d2", …]``: a rational's coefficient names."""
    return [f"{prefix}{k}" for k in powers]


@dataclass(frozen=True, eq=False, repr=False)
class RationalApproximant(ApproximantBase):
    """``P(x)/Q(x)`` approximating a target's value or gate.

    Attributes
    ----------
    num_powers, num_coef : tuple
        Powers and coefficients ``c_k`` of P (Chebyshev: indices and b_k).
    den_powers, den_coef : tuple
        Powers (≥ 1) and coefficients ``d_k`` of Q; Q's constant term is 1
        (Chebyshev: indices ≥ 1 and e_k; Q's coefficient of T_0 is 1).
    target : str or Target
    base : {"value", "gate"}
        What P/Q approximates.
    name : str
    meta : dict
    basis : {"monomial", "chebyshev"}
    domain : (float, float) or None
        The Chebyshev domain (a, b), ``u = (2x − a − b)/(b − a)``.
    """

    num_powers: tuple[int, ...]
    num_coef: tuple[float, ...]
    den_powers: tuple[int, ...]
    den_coef: tuple[float, ...]
    target: str | Target
    base: str = "value"
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    basis: str = "monomial"
    domain: tuple[float, float] | None = None

    family = "rational"
    clamp = None

    def __post_init__(self) -> None:
        from approxfit.approximants.approximant import check_basis, check_powers

        check_common(self.target, self.name, self.meta, self.base)
        cheb = self.basis == "chebyshev"
        num_coef = check_coefficients(self.num_coef, "num_cheb" if cheb else "num_coef")
        den_coef = check_coefficients(self.den_coef, "den_cheb" if cheb else "den_coef")
        check_basis(self.basis, self.domain)
        if self.domain is not None:
            object.__setattr__(self, "domain", check_domain(self.domain))
        if self.basis == "chebyshev":
            check_powers(self.num_powers, what="`num_indices` (P's Chebyshev indices)")
            check_powers(self.den_powers, lowest=1,
                         what="`den_indices` (Q's Chebyshev indices; its T_0 coefficient "
                              "is 1)")
        else:
            check_powers(self.num_powers, what="`num_powers` (P's powers)")
            check_powers(self.den_powers, lowest=1,
                         what="`den_powers` (Q's powers; its constant is 1)")
        for powers, coef, what in ((self.num_powers, num_coef, "num"),
                                   (self.den_powers, den_coef, "den")):
            if len(powers) != len(coef):
                name = f"{what}_cheb" if cheb else f"{what}_coef"
                raise InputError(f"`{name}` has {len(coef)} coefficients for {len(powers)} "
                                 "powers; give one per power")
        object.__setattr__(self, "num_powers", tuple(int(k) for k in self.num_powers))
        object.__setattr__(self, "den_powers", tuple(int(k) for k in self.den_powers))
        object.__setattr__(self, "num_coef", num_coef)
        object.__setattr__(self, "den_coef", den_coef)
        _ = self.target_obj                 # an unknown target's name fails here

    @classmethod
    def from_chebyshev(cls, num_indices: Sequence[int], num_cheb: Sequence[float],
                       den_indices: Sequence[int], den_cheb: Sequence[float],
                       domain: Sequence[float], target: str | Target, *,
                       base: str = "value", name: str = "") -> RationalApproximant:
        """``P/Q`` with ``P = Σ b_k T_k(u)`` and ``Q = T_0 + Σ e_k T_k(u)``.

        Parameters
        ----------
        num_indices, num_cheb : sequence
            P's Chebyshev indices (ascending) and coefficients b_k.
        den_indices, den_cheb : sequence
            Q's indices (ascending, all ≥ 1; Q's coefficient of T_0 is 1) and e_k.
        domain : (float, float)
            (a, b), a < b: ``u = (2x − a − b)/(b − a)`` (x/s on (−s, s)).
        target : str or Target
        base : {"value", "gate"}
        name : str

        Returns
        -------
        RationalApproximant
            With ``basis="chebyshev"``; :attr:`coefficients` gives the monomial
            c_k and d_k normalised so that Q(0) = 1.

        Examples
        --------
        >>> r = RationalApproximant.from_chebyshev((1,), (1.0,), (2,), (0.5,), (-2.0, 2.0),
        ...                                        "tanh")
        >>> r.coefficients          # (x/2) / (1 + 0.5·(2(x/2)² − 1)) = x / (1 + x²/2)
        {'c1': 1.0, 'd2': 0.5}
        """
        from approxfit.approximants.approximant import check_domain_arg

        for v, what in ((num_indices, "num_indices"), (den_indices, "den_indices")):
            if isinstance(v, str | bytes | Mapping) or not isinstance(v, Sequence | np.ndarray):
                raise InputTypeError(f"`{what}` must be a sequence of whole numbers, got "
                                     f"{type(v).__name__} {shown(v)}")

        def ints(ks: Sequence[int]) -> tuple[int, ...]:
            return tuple(int(k) if isinstance(k, np.integer) else k for k in ks)

        return cls(ints(num_indices), check_coefficients(num_cheb, "num_cheb"),
                   ints(den_indices), check_coefficients(den_cheb, "den_cheb"), target,
                   base=base, name=name, basis="chebyshev", domain=check_domain_arg(domain))

    @property
    def is_chebyshev(self) -> bool:
        """True when P and Q are held in the Chebyshev basis."""
        return self.basis == "chebyshev"

    @property
    def powers(self) -> tuple[int, ...]:
        """The numerator's powers (for tables that show one power list; Chebyshev
        indices for a Chebyshev form)."""
        return self.num_powers

    @property
    def monomial(self) -> RationalApproximant:
        """This approximant in the monomial basis, Q(0) = 1 (itself if it is there).

        Raises
        ------
        InputError
            If Q(0) is 0 or the conversion is not finite: no monomial form exists.
        """
        if not self.is_chebyshev:
            return self
        assert self.domain is not None
        num_p, num_c = cheb_to_monomial(self.num_powers, self.num_coef, self.domain)
        den_p, den_c = cheb_to_monomial((0, *self.den_powers), (1.0, *self.den_coef),
                                        self.domain)
        q0 = den_c[0] if den_p[0] == 0 else 0.0
        if q0 == 0.0 or not all(np.isfinite(c) for c in (*num_c, *den_c)):
            raise InputError(f"the monomial form P/Q with Q(0) = 1 does not exist for this "
                             f"Chebyshev approximant (Q(0) = {q0!r} on the domain "
                             f"{list(self.domain)}); use `.chebyshev`")
        num = tuple(c / q0 for c in num_c)
        den = tuple((k, c / q0) for k, c in zip(den_p, den_c, strict=True) if k > 0)
        if not den:   # Q is constant: keep the one-power rule with a zero d
            den = ((min(self.den_powers), 0.0),)
        return replace(self, num_powers=num_p, num_coef=num,
                       den_powers=tuple(k for k, _ in den),
                       den_coef=tuple(c for _, c in den), basis="monomial", domain=None)

    @property
    def coefficients(self) -> dict[str, float]:
        """``{"c0": …, "c1": …, "d2": …}``: P's then Q's monomial coefficients, Q(0) = 1
        (converted from a Chebyshev form; :class:`InputError` if Q(0) = 0 there)."""
        m = self.monomial
        return {**dict(zip(coefficient_label("c", m.num_powers), m.num_coef, strict=True)),
                **dict(zip(coefficient_label("d", m.den_powers), m.den_coef, strict=True))}

    @property
    def chebyshev(self) -> dict[str, Any] | None:
        """``{"domain": [a, b], "numerator": {"T0": …}, "denominator": {"T1": …}}``
        for a Chebyshev form (Q's T_0 coefficient, 1, is implicit); None for a
        monomial one (see :meth:`chebyshev_form`)."""
        if not self.is_chebyshev:
            return None
        assert self.domain is not None
        return self._cheb_dict(self.domain, self.num_powers, self.num_coef,
                               self.den_powers, self.den_coef)

    @staticmethod
    def _cheb_dict(domain: tuple[float, float], ni: Sequence[int], nc: Sequence[float],
                   di: Sequence[int], dc: Sequence[float]) -> dict[str, Any]:
        return {"domain": [float(domain[0]), float(domain[1])],
                "numerator": {f"T{k}": float(c) for k, c in zip(ni, nc, strict=True)},
                "denominator": {f"T{k}": float(c) for k, c in zip(di, dc, strict=True)}}

    def chebyshev_form(self, domain: Sequence[float] | None = None) -> dict[str, Any]:
        """P's and Q's Chebyshev forms on ``domain``, Q's T_0 coefficient scaled to 1,
        as :attr:`chebyshev` gives them (``domain`` is required for a monomial form).

        Raises
        ------
        InputError
            Without a domain for a monomial form, or if Q's T_0 coefficient on
            ``domain`` is 0.
        """
        from approxfit.approximants.families import monomial_to_cheb

        if domain is None:
            return self.own_chebyshev_form()
        dom = check_domain(domain)
        if self.is_chebyshev and dom == self.domain:
            return self.chebyshev  # type: ignore[return-value]
        m = self.monomial
        ni, nc = monomial_to_cheb(m.num_powers, m.num_coef, dom)
        di, dc = monomial_to_cheb((0, *m.den_powers), (1.0, *m.den_coef), dom)
        e0 = dc[0] if di[0] == 0 else 0.0
        if e0 == 0.0 or not np.isfinite(e0):
            raise InputError(f"Q's coefficient of T_0 on {list(dom)} is {e0!r}; the "
                             "Chebyshev form with Q = T_0 + … does not exist there")
        return self._cheb_dict(dom, ni, [c / e0 for c in nc],
                               [k for k in di if k > 0],
                               [c / e0 for k, c in zip(di, dc, strict=True) if k > 0])

    @property
    def scaled(self) -> dict[str, float]:
        """Empty: rational approximants have no scaled form."""
        return {}

    def p(self, x: Array) -> Array:
        """The numerator (Clenshaw for a Chebyshev form)."""
        if self.is_chebyshev:
            assert self.domain is not None
            return cheb_value(x, np.asarray(self.num_coef), self.num_powers, self.domain)
        return poly_value(x, np.asarray(self.num_coef), self.num_powers)

    def q(self, x: Array) -> Array:
        """The denominator ``1 + Σ d_k x^k``, or ``T_0 + Σ e_k T_k(u)`` for a
        Chebyshev form (its own scale: 1 is the coefficient of T_0, not Q(0))."""
        x = np.asarray(x, dtype=float)
        if self.is_chebyshev:
            assert self.domain is not None
            return cheb_value(x, np.asarray((1.0, *self.den_coef)), (0, *self.den_powers),
                              self.domain)
        if not self.den_powers:
            return np.ones_like(x)
        return 1.0 + poly_value(x, np.asarray(self.den_coef), self.den_powers)

    def _dp(self, x: Array) -> Array:
        if self.is_chebyshev:
            assert self.domain is not None
            return cheb_derivative(x, np.asarray(self.num_coef), self.num_powers, self.domain)
        return poly_derivative(x, np.asarray(self.num_coef), self.num_powers)

    def _dq(self, x: Array) -> Array:
        if self.is_chebyshev:
            assert self.domain is not None
            return cheb_derivative(x, np.asarray(self.den_coef), self.den_powers, self.domain)
        return (poly_derivative(x, np.asarray(self.den_coef), self.den_powers)
                if self.den_powers else np.zeros_like(x))

    def kernel(self, x: Array) -> Array:
        """P/Q."""
        with np.errstate(all="ignore"):
            return self.p(x) / self.q(x)

    def derivative(self, x: Array) -> Array:
        """d/dx of the approximant of the value: ``(P′Q − PQ′)/Q²`` through the relation."""
        x = check_array(x, "x")
        with np.errstate(all="ignore"):
            p, q = self.p(x), self.q(x)
            dp, dq = self._dp(x), self._dq(x)
            dh = (dp * q - p * dq) / (q * q)
        if self.base == "value":
            return dh
        rel = self.target_obj.relation
        return rel.dscale(x) * self.kernel(x) + rel.scale(x) * dh

    def min_abs_q(self, lo: float, hi: float, n: int = 20001) -> tuple[float, float]:
        """The smallest ``|Q|`` on ``[lo, hi]`` (dense grid) and where; 0 at a sign change."""
        x = np.linspace(lo, hi, n)
        q = self.q(x)
        change = np.flatnonzero(np.sign(q[:-1]) * np.sign(q[1:]) <= 0)
        if change.size:
            return 0.0, float(x[change[0]])
        i = int(np.argmin(np.abs(q)))
        return float(abs(q[i])), float(x[i])

    def _emit(self, b: ProgramBuilder, on: str, relation: str | None, gate_form: str
              ) -> str:
        """``P`` and ``Q = 1 + Σ d_k x^k`` each by Horner's rule (:func:`~approxfit.
        approximants.program.inner_polynomial`), one divide, then the relation; a
        Chebyshev form computes u once and P and Q by Clenshaw (:func:`~approxfit.
        approximants.program.chebyshev_polynomial`, constants ``b<k>`` and ``e<k>``)."""
        if self.is_chebyshev:
            assert self.domain is not None
            u = chebyshev_argument(b, "x", self.domain)
            p = chebyshev_polynomial(b, u, self.num_powers, self.num_coef, "b")
            q = chebyshev_polynomial(b, u, (0, *self.den_powers), (1.0, *self.den_coef), "e",
                                     labels={0: "one"})
            return convert_base(b, b.op("div", p, q), self.base, on, relation)
        p = inner_polynomial(b, "x", self.num_powers, self.num_coef)
        q = inner_polynomial(b, "x", (0, *self.den_powers), (1.0, *self.den_coef), "d")
        return convert_base(b, b.op("div", p, q), self.base, on, relation)

    def with_coefficients(self, values: Mapping[str, float], *, name: str | None = None,
                          clamp: float | None = None) -> RationalApproximant:
        """A copy with the coefficients named in ``values`` (``c0``, ``d2`` …) replaced.

        For a Chebyshev form, ``values`` names either Chebyshev coefficients
        (``P_T1`` for P's b_1, ``Q_T2`` for Q's e_2; the copy stays Chebyshev) or
        monomial ones (the copy is the monomial form with those replaced).  No values
        keeps the basis.
        """
        values = check_values(values)
        if name is not None:
            check_str(name, "name", empty=True)
        if clamp is not None:
            raise InputError("`clamp` (a tail guard) applies to the tanh and sigmoid "
                             "families only")
        cheb = (self.is_chebyshev and bool(values)
                and all(k.startswith(("P_T", "Q_T")) for k in values))
        src = self if cheb or not values else self.monomial
        if src.is_chebyshev:
            num = [f"P_T{k}" for k in src.num_powers]
            den = [f"Q_T{k}" for k in src.den_powers]
        else:
            num = coefficient_label("c", src.num_powers)
            den = coefficient_label("d", src.den_powers)
        names = num + den
        unknown = [k for k in values if k not in names]
        if unknown:
            raise InputError(f"`values` names {', '.join(unknown)}, which are not "
                             f"coefficients; the coefficients are {', '.join(names)}")
        return replace(
            src, num_coef=tuple(float(values.get(n, c)) for n, c in
                                zip(num, src.num_coef, strict=True)),
            den_coef=tuple(float(values.get(n, c)) for n, c in
                           zip(den, src.den_coef, strict=True)),
            name=self.name if name is None else name)

    def describe(self) -> str:
        """A one-line formula, each sign written once (``1 - 0.2·x^2``, not ``1 + -0.2·x^2``)."""
        if self.is_chebyshev:
            assert self.domain is not None
            return signed_text(
                " + ".join(f"{c:.9g}·T{k}(u)" for k, c in
                           zip(self.num_powers, self.num_coef, strict=True))
                + " over T0(u) + " + " + ".join(f"{e:.9g}·T{k}(u)" for k, e in
                                                zip(self.den_powers, self.den_coef,
                                                    strict=True))
                + f", u = {chebyshev_variable(*self.domain)}")
        return signed_text(
            " + ".join(f"{c:.9g}·x^{k}" for k, c in zip(self.num_powers, self.num_coef,
                                                       strict=True))
            + " over 1 + " + " + ".join(f"{d:.9g}·x^{k}" for k, d in
                                        zip(self.den_powers, self.den_coef, strict=True)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description that :meth:`from_dict` reads back.

        ``powers``, ``den_powers`` and ``coefficients`` are the monomial form; a
        Chebyshev form adds ``basis: "chebyshev"`` and ``chebyshev`` (:attr:`chebyshev`),
        from which :meth:`from_dict` rebuilds it exactly (where Q(0) = 0 the monomial
        keys are null).  A monomial form's dict is what it always was.
        """
        if not self.is_chebyshev:
            d: dict[str, Any] = {
                "family": "rational", "target": self.target_name, "base": self.base,
                "powers": list(self.num_powers), "den_powers": list(self.den_powers),
                "coefficients": self.coefficients, "clamp": None, "name": self.name}
        else:
            try:
                m = self.monomial
                mono: tuple[Any, Any, Any] = (list(m.num_powers), list(m.den_powers),
                                              m.coefficients)
            except InputError:
                mono = (None, None, None)
            d = {"family": "rational", "target": self.target_name, "base": self.base,
                 "powers": mono[0], "den_powers": mono[1], "coefficients": mono[2],
                 "clamp": None, "name": self.name, "basis": "chebyshev",
                 "chebyshev": self.chebyshev}
        if self.target_obj.expression is not None:
            d["target_expr"] = self.target_obj.expression
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RationalApproximant:
        """Inverse of :meth:`to_dict` (a dict without ``basis`` is a monomial form)."""
        try:
            target: str | Target = str(data["target"])
            if data.get("target_expr") is not None:
                from approxfit.core.targets import custom_target

                target = custom_target(str(data["target"]), str(data["target_expr"]))
            basis = data.get("basis", "monomial")
            if basis == "chebyshev":
                from approxfit.approximants.approximant import read_chebyshev

                cheb = data.get("chebyshev")
                domain, ni, nc = read_chebyshev(cheb, key="numerator")
                _, di, dc = read_chebyshev(cheb, key="denominator")
                return cls.from_chebyshev(ni, nc, di, dc, domain, target,
                                          base=str(data.get("base", "value")),
                                          name=str(data.get("name", "")))
            if basis != "monomial":
                raise InputError(f"not a rational approximant description: basis must be "
                                 f"monomial or chebyshev, got {basis!r}")
            coefs = data["coefficients"]
            num, den = tuple(data["powers"]), tuple(data["den_powers"])
            if not all(isinstance(k, int) and not isinstance(k, bool) for k in (*num, *den)):
                raise InputError("not a rational approximant description: powers must be "
                                 "whole numbers")
            return cls(num, tuple(float(coefs[f"c{k}"]) for k in num), den,
                       tuple(float(coefs[f"d{k}"]) for k in den), target,
                       base=str(data.get("base", "value")), name=str(data.get("name", "")))
        except InputError:
            raise                              # already says what is wrong
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a rational approximant description: missing or bad {exc}"
                             ) from None
