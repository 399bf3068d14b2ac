"""The evaluable approximant: a family, its powers and coefficients, for a target.

An :class:`Approximant` is what every command passes around — a fit's result, a
published formula, an inline spec.  It knows what its kernel ``h`` stands for
(``base``: the target's gate or its value) and turns it into both through the
target's affine gate relation ``f = scale(x)·g + offset``.

The inner polynomial is held in one of two bases (``basis``): monomial,
``p(x) = Σ c_k x^k`` (the default, what people write), or Chebyshev on a domain
(a, b), ``p(x) = Σ b_k T_k(u)`` with ``u = (2x − a − b)/(b − a)``
(:meth:`Approximant.from_chebyshev`).  At high degree on a wide range the monomial
coefficients cannot carry the polynomial in float64 — Σ c_k x^k loses about
eps·Σ|c_k|·|x|^k, ~1e-4 for a degree-30 fit on [−10, 10] — while Clenshaw's
recurrence on the Chebyshev coefficients loses a few eps·Σ|b_k|.  A Chebyshev
approximant evaluates (and runs its program) in that basis; its
:attr:`~Approximant.coefficients` are still the monomial ones, converted.

An optional tail guard ``clamp = C`` keeps a gated approximant right on the whole
real line when p turns over outside the fitted range: beyond ±C the gate takes
its limits, 1 for ``x > C`` and 0 for ``x < −C`` (so GELU's approximant is x and 0
there, as GELU itself is to within Φ(−C)).  A kernel needs two compares for it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from approxfit.approximants.base import (
    ApproximantBase,
    check_clamp,
    check_coefficients,
    check_common,
    check_values,
)
from approxfit.approximants.families import (
    BASES,
    FAMILIES,
    Family,
    cheb_derivative,
    cheb_to_monomial,
    cheb_value,
    check_domain,
    coefficient_names,
    get_family,
    monomial_to_cheb,
)
from approxfit.approximants.program import (
    ProgramBuilder,
    Step,
    chebyshev_argument,
    chebyshev_polynomial,
    convert_base,
    inner_polynomial,
)
from approxfit.core.checks import InputTypeError, check_array, check_choice, check_str, shown
from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target

__all__ = ["Approximant", "chebyshev_dict", "chebyshev_variable", "check_basis",
           "check_domain_arg", "check_powers", "read_chebyshev", "scaled_form", "signed_text"]

Array = np.ndarray


def signed_text(text: str) -> str:
    """A sum with its signs written once: ``+ -0.000351`` becomes ``- 0.000351``.

    >>> signed_text("0.7975·x^1 + 0.0370·x^3 + -0.000351·x^5")
    '0.7975·x^1 + 0.0370·x^3 - 0.000351·x^5'
    """
    return re.sub(r"\+ -(?=[0-9.]|inf|nan)", "- ", text)


def chebyshev_variable(lo: float, hi: float) -> str:
    """The text of u on the Chebyshev domain [lo, hi]: ``x/4``, ``(2x − 1)/3``,
    ``(2x + 1)/3`` (one sign, never ``− -1``)."""
    mid = lo + hi
    if mid == 0.0:
        return f"x/{hi:g}"
    return f"(2x {'−' if mid > 0 else '+'} {abs(mid):g})/{hi - lo:g}"


@dataclass(frozen=True, eq=False, repr=False)
class Approximant(ApproximantBase):
    """An approximant of a target, ready to evaluate.

    Attributes
    ----------
    family : str
        Name of the family (``tanh``, ``sigmoid``, ``poly``).
    powers : tuple of int
        Ascending powers of the inner polynomial (``basis="monomial"``), or its
        ascending Chebyshev indices k of T_k (``basis="chebyshev"``).
    coef : tuple of float
        Coefficients, one per power (c_k) or per index (b_k).
    target : str or Target
        The target approximated: a built-in's name, or a :class:`Target` object
        (for a custom target).
    base : {"gate", "value"}
        What the family's kernel h approximates.
    clamp : float or None
        Tail guard C (gated families only): beyond ±C the gate is 1 or 0.
    name : str
        A label for tables and plots.
    meta : dict
        Free-form notes (a published approximant's source).
    basis : {"monomial", "chebyshev"}
        p(x) = Σ c_k x^k, or Σ b_k T_k(u) with u = (2x − a − b)/(b − a).
    domain : (float, float) or None
        The Chebyshev domain (a, b) (None for the monomial basis).
    """

    family: str
    powers: tuple[int, ...]
    coef: tuple[float, ...]
    target: str | Target
    base: str = "gate"
    clamp: float | None = None
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    basis: str = "monomial"
    domain: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        fam = get_family(check_str(self.family, "family") and
                         check_choice(self.family, tuple(FAMILIES), "family"))
        check_common(self.target, self.name, self.meta, self.base)
        tgt = self.target_obj
        check_basis(self.basis, self.domain)
        if self.domain is not None:
            object.__setattr__(self, "domain", check_domain(self.domain))
        check_powers(self.powers, what="`powers`" if self.basis == "monomial"
                     else "`indices` (the Chebyshev indices)")
        object.__setattr__(self, "powers", tuple(int(k) for k in self.powers))
        coef = check_coefficients(self.coef, "coef")
        if len(self.powers) != len(coef):
            raise InputError(f"`coef` has {len(coef)} coefficients for {len(self.powers)} "
                             "powers; give one per power")
        object.__setattr__(self, "coef", coef)
        if fam.gated and self.base != "gate":
            raise InputError(f"`base` must be 'gate' for the {fam.name} family (it "
                             f"approximates a gate), got {self.base!r}")
        if self.base == "gate" and not tgt.has_gate:
            raise InputError(f"target {tgt.name!r} has no gate; the {fam.name} family "
                             "does not apply (use poly)")
        if self.clamp is not None:
            object.__setattr__(self, "clamp", check_clamp(self.clamp))
            if not fam.gated:
                raise InputError("`clamp` (a tail guard) applies to the tanh and sigmoid "
                                 "families only; a polynomial cannot follow the target beyond "
                                 "its range")

    # -- parts ---------------------------------------------------------------
    @property
    def family_obj(self) -> Family:
        """The :class:`~approxfit.approximants.families.Family`."""
        return get_family(self.family)

    @classmethod
    def from_chebyshev(cls, family: str, indices: Sequence[int], cheb_coef: Sequence[float],
                       domain: Sequence[float], target: str | Target, *,
                       base: str | None = None, clamp: float | None = None,
                       name: str = "") -> Approximant:
        """An approximant whose inner polynomial is ``p(x) = Σ b_k T_k(u)``.

        Parameters
        ----------
        family : {"tanh", "sigmoid", "poly"}
        indices : sequence of int
            The Chebyshev indices present, ascending (any subset of 0 …
            :data:`~approxfit.approximants.families.MAX_DEGREE`, e.g. the odd ones).
        cheb_coef : sequence of float
            b_k, one per index.
        domain : (float, float)
            (a, b), a < b: ``u = (2x − a − b)/(b − a)``; for (−s, s) that is x/s, which
            keeps an odd or even p odd or even.
        target : str or Target
        base : {"gate", "value"} or None
            What the kernel approximates; None: "gate" for the tanh and sigmoid
            families, "value" for poly.
        clamp : float or None
            Tail guard (tanh and sigmoid only), as for the monomial form.
        name : str

        Returns
        -------
        Approximant
            With ``basis="chebyshev"``: :attr:`powers` and :attr:`coef` hold the
            indices and the b_k; :attr:`coefficients` gives the monomial c_k.

        Examples
        --------
        >>> a = Approximant.from_chebyshev("poly", (1, 3), (1.0, 0.5), (-2.0, 2.0), "tanh")
        >>> a.coefficients            # 1·(x/2) + 0.5·(4(x/2)³ − 3(x/2))
        {'c1': -0.25, 'c3': 0.25}
        >>> a.chebyshev
        {'domain': [-2.0, 2.0], 'coefficients': {'T1': 1.0, 'T3': 0.5}}
        """
        fam = get_family(check_str(family, "family") and
                         check_choice(family, tuple(FAMILIES), "family"))
        if base is None:
            base = "gate" if fam.gated else "value"
        if isinstance(indices, str | bytes | Mapping) or not isinstance(
                indices, Sequence | np.ndarray):
            raise InputTypeError(f"`indices` must be a sequence of whole numbers, got "
                                 f"{type(indices).__name__} {shown(indices)}")
        coef = check_coefficients(cheb_coef, "cheb_coef")
        return cls(family, tuple(int(k) if isinstance(k, np.integer) else k for k in indices),
                   coef, target, base=base, clamp=check_clamp(clamp), name=name,
                   basis="chebyshev", domain=check_domain_arg(domain))

    @property
    def is_chebyshev(self) -> bool:
        """True when the inner polynomial is held in the Chebyshev basis."""
        return self.basis == "chebyshev"

    @property
    def monomial(self) -> Approximant:
        """This approximant with its inner polynomial in the monomial basis (itself
        if it is there): the form of :attr:`coefficients`, evaluated by Horner."""
        if not self.is_chebyshev:
            return self
        powers, coef = self._monomial_form()
        return replace(self, powers=powers, coef=coef, basis="monomial", domain=None)

    def _monomial_form(self) -> tuple[tuple[int, ...], tuple[float, ...]]:
        assert self.domain is not None
        powers, coef = cheb_to_monomial(self.powers, self.coef, self.domain)
        if not all(np.isfinite(c) for c in coef):
            raise InputError(f"the monomial form of this Chebyshev approximant on "
                             f"{list(self.domain)} overflows float64; use `.chebyshev`")
        return powers, coef

    @property
    def chebyshev(self) -> dict[str, Any] | None:
        """``{"domain": [a, b], "coefficients": {"T1": b1, …}}`` for a Chebyshev
        approximant; None for a monomial one (see :meth:`chebyshev_form`)."""
        if not self.is_chebyshev:
            return None
        assert self.domain is not None
        return chebyshev_dict(self.domain, self.powers, self.coef)

    def chebyshev_form(self, domain: Sequence[float] | None = None) -> dict[str, Any]:
        """The inner polynomial's Chebyshev form on ``domain`` (converted by
        ``numpy.polynomial``), as :attr:`chebyshev` gives it.

        ``domain`` is required for a monomial approximant; for a Chebyshev one, None
        gives its own form and another domain a conversion.
        """
        if domain is None:
            return self.own_chebyshev_form()
        dom = check_domain(domain)
        if self.is_chebyshev and dom == self.domain:
            return chebyshev_dict(dom, self.powers, self.coef)
        mono = self.monomial
        indices, coef = monomial_to_cheb(mono.powers, mono.coef, dom)
        return chebyshev_dict(dom, indices, coef)

    @property
    def supports_clamp(self) -> bool:  # type: ignore[override]
        """True for the tanh and sigmoid families, which take a tail guard."""
        return self.family_obj.gated

    @property
    def coefficients(self) -> dict[str, float]:
        """``{"c1": …, "c3": …}``: the monomial coefficients (converted from the
        Chebyshev form for a Chebyshev approximant, exact up to rounding)."""
        powers, coef = self._monomial_form() if self.is_chebyshev else (self.powers,
                                                                         self.coef)
        return dict(zip(coefficient_names(powers), coef, strict=True))

    @property
    def scaled(self) -> dict[str, float]:
        """The paper's scaled form ``a_k = c_k / c1`` (tanh and sigmoid with a c1)."""
        mono = self.monomial
        return scaled_form(self.family_obj, mono.powers, mono.coef)

    # -- evaluation ------------------------------------------------------------
    def _inner_x(self, x: Array) -> Array:
        x = np.asarray(x, dtype=float)
        return x if self.clamp is None else np.clip(x, -self.clamp, self.clamp)

    def inner(self, x: Array) -> Array:
        """p(x), the inner polynomial (Horner, or Clenshaw for a Chebyshev form); no
        tail guard."""
        x = np.asarray(x, dtype=float)
        if self.is_chebyshev:
            assert self.domain is not None
            return cheb_value(x, np.asarray(self.coef), self.powers, self.domain)
        from approxfit.approximants.families import poly_value

        return poly_value(x, np.asarray(self.coef), self.powers)

    def inner_derivative(self, x: Array) -> Array:
        """p′(x) (for a Chebyshev form ``chebder`` times 2/(b − a))."""
        x = np.asarray(x, dtype=float)
        if self.is_chebyshev:
            assert self.domain is not None
            return cheb_derivative(x, np.asarray(self.coef), self.powers, self.domain)
        from approxfit.approximants.families import poly_derivative

        return poly_derivative(x, np.asarray(self.coef), self.powers)

    def kernel(self, x: Array) -> Array:
        """h(x), what the family computes (the gate's limits beyond a tail guard)."""
        x = np.asarray(x, dtype=float)
        if self.is_chebyshev:
            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                h = self.family_obj.outer(self.inner(self._inner_x(x)))
        else:
            h = self.family_obj.value(self._inner_x(x), np.asarray(self.coef), self.powers)
        if self.clamp is not None:
            h = np.where(x > self.clamp, 1.0, np.where(x < -self.clamp, 0.0, h))
        return h

    def kernel_derivative(self, x: Array) -> Array:
        """dh/dx (zero beyond a tail guard)."""
        x = np.asarray(x, dtype=float)
        if self.is_chebyshev:
            xi = self._inner_x(x)
            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                d = self.family_obj.outer_dp(self.inner(xi)) * self.inner_derivative(xi)
        else:
            d = self.family_obj.derivative(self._inner_x(x), np.asarray(self.coef),
                                           self.powers)
        if self.clamp is not None:
            d = np.where(np.abs(x) > self.clamp, 0.0, d)
        return d

    def derivative(self, x: Array) -> Array:
        """d/dx of the approximant of the value."""
        x = check_array(x, "x")
        dh = self.kernel_derivative(x)
        if self.base == "value":
            return dh
        rel = self.target_obj.relation
        return rel.dscale(x) * self.kernel(x) + rel.scale(x) * dh

    # -- the program -----------------------------------------------------------
    def _emit(self, b: ProgramBuilder, on: str, relation: str | None, gate_form: str
              ) -> str:
        """The family's operations (see :meth:`program`)."""
        guard = self.clamp
        xi = "x" if guard is None else b.op("clip", "x", value=guard)
        if self.is_chebyshev:
            assert self.domain is not None
            p = chebyshev_polynomial(b, chebyshev_argument(b, xi, self.domain), self.powers,
                                     self.coef)
        else:
            p = inner_polynomial(b, xi, self.powers, self.coef)
        family = self.family
        if family == "poly":
            return convert_base(b, p, self.base, on, relation)
        if guard is not None:
            # the tail guard: the gate's limits beyond ±C (p at clip(x) keeps it finite)
            if family == "tanh" and gate_form == "tanh":
                g = b.op("mul", b.const(0.5, "half"),
                         b.op("add", b.const(1.0, "one"), b.op("tanh", p)))
            else:
                g = b.op("sigmoid",
                         b.op("mul", b.const(2.0, "two"), p) if family == "tanh" else p)
            g = b.op("guard", "x", g, value=guard)
            return convert_base(b, g, "gate", on, relation)
        if family == "tanh" and gate_form == "tanh":
            t = b.op("tanh", p)
            if on == "value" and relation == "odd":
                return t
            one_t = b.op("add", b.const(1.0, "one"), t)
            half = b.const(0.5, "half")
            if on == "value" and relation == "product":
                return b.op("mul", b.op("mul", half, "x"), one_t)
            return b.op("mul", half, one_t)
        arg = b.op("mul", b.const(2.0, "two"), p) if family == "tanh" else p
        return convert_base(b, b.op("sigmoid", arg), "gate", on, relation)

    def program(self, *, on: str = "value", gate_form: str = "tanh") -> tuple[Step, ...]:
        """The approximant as a straight-line program: the order of every operation.

        This one program is what :func:`approxfit.lowprec.emulate.evaluate_in_format`
        runs, what :func:`approxfit.lowprec.export.export_code` prints and what
        :meth:`cost` counts.

        * ``tanh`` family: ``t = tanh(p)``, gate ``½·(1 + t)``, GELU-like value
          ``(½·x)·(1 + t)`` (PyTorch's order), odd value ``t``.  With
          ``gate_form="sigmoid"`` the gate is ``σ(2p)``, the same number in exact
          arithmetic, without the cancellation of ``1 + t`` where ``t → −1``.
        * ``sigmoid`` family: gate ``σ(p)``, value ``x·σ(p)`` (or ``2σ − 1``).
        * ``poly``: ``p`` itself; its gate through the relation.
        * p by Horner's rule in ``x²`` (times ``x``) for an odd p, in ``x²`` for an
          even p, in ``x`` otherwise; a Chebyshev form by Clenshaw's recurrence in
          ``u = (2x − a − b)/(b − a)`` (``x/s`` on (−s, s)), or in ``w = 2u² − 1``
          (times u) for odd or even indices
          (:func:`~approxfit.approximants.program.chebyshev_polynomial`).
        * A tail guard ``C`` (:attr:`clamp`): p at ``clip(x, −C, C)`` (finite for
          any x), the gate ``½·(1 + t)`` or σ, then 1 where ``x > C`` and 0 where
          ``x < −C``, then the relation (``x·g``).

        Parameters
        ----------
        on : {"value", "gate"}
        gate_form : {"tanh", "sigmoid"}
            How the tanh family's gate is formed (ignored by the other families).

        Returns
        -------
        tuple of Step
            The last step is the result.
        """
        return super().program(on=on, gate_form=gate_form)

    def with_coefficients(self, values: Mapping[str, float], *, name: str | None = None,
                          clamp: float | None = None) -> Approximant:
        """A copy with the coefficients named in ``values`` (``c1``, ``c3`` …) replaced,
        and the tail guard ``clamp`` and the ``name`` if given.

        For a Chebyshev approximant ``values`` names either Chebyshev coefficients
        (``T1``, ``T3`` …; the copy stays in the Chebyshev basis) or monomial ones
        (``c1`` …; the copy is the monomial form with those replaced, as coefficient
        rounding wants).  No values keeps the basis.
        """
        values = check_values(values)
        if name is not None:
            check_str(name, "name", empty=True)
        clamp = check_clamp(clamp)
        cheb = self.is_chebyshev and bool(values) and all(k.startswith("T") for k in values)
        src = self if cheb or not values else self.monomial
        names = ([f"T{k}" for k in src.powers] if src.is_chebyshev
                 else coefficient_names(src.powers))
        unknown = [k for k in values if k not in names]
        if unknown:
            raise InputError(f"`values` names {', '.join(unknown)}, which are not "
                             f"coefficients; the coefficients are {', '.join(names)}")
        coef = tuple(float(values.get(n, c)) for n, c in zip(names, src.coef, strict=True))
        return replace(src, coef=coef, clamp=self.clamp if clamp is None else clamp,
                       name=self.name if name is None else name)

    def describe(self) -> str:
        """A one-line formula with the coefficients, e.g. ``½·(1 + tanh(p(x))) with p(x) =
        0.7975·x^1 + 0.037·x^3 - 0.000351·x^5`` (each sign written once)."""
        if self.is_chebyshev:
            assert self.domain is not None
            terms = " + ".join(f"{c:.9g}·T{k}(u)" for k, c in
                               zip(self.powers, self.coef, strict=True))
            terms += f", u = {chebyshev_variable(*self.domain)}"
        else:
            terms = " + ".join(f"{c:.9g}·x^{k}" if k else f"{c:.9g}"
                               for k, c in zip(self.powers, self.coef, strict=True))
        xs = "" if self.clamp is None else f" (gate 0/1 beyond ±{self.clamp:g})"
        return signed_text(f"{self.family_obj.formula.split('≈')[1].strip()} with "
                           f"p(x) = {terms}{xs}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description that :meth:`from_dict` reads back.

        ``powers`` and ``coefficients`` are the monomial form (for people); a Chebyshev
        approximant adds ``basis: "chebyshev"`` and ``chebyshev: {"domain": [a, b],
        "coefficients": {"T1": …}}``, from which :meth:`from_dict` rebuilds it exactly.
        A monomial approximant's dict has neither key (it is what it always was).
        """
        mono = self.monomial
        d: dict[str, Any] = {"family": self.family, "target": self.target_name,
                             "base": self.base, "powers": list(mono.powers),
                             "coefficients": mono.coefficients, "clamp": self.clamp,
                             "name": self.name}
        if self.is_chebyshev:
            d["basis"] = "chebyshev"
            d["chebyshev"] = self.chebyshev
        if self.target_obj.expression is not None:
            d["target_expr"] = self.target_obj.expression
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Approximant:
        """Build from :meth:`to_dict`'s output (or a fit result's ``approximant``).

        A dict without ``basis`` (every saved fit before the Chebyshev form) is a
        monomial approximant.
        """
        try:
            target: str | Target = str(data["target"])
            if data.get("target_expr") is not None:
                from approxfit.core.targets import custom_target

                target = custom_target(str(data["target"]), str(data["target_expr"]))
            basis = data.get("basis", "monomial")
            if basis == "chebyshev":
                domain, indices, cheb = read_chebyshev(data.get("chebyshev"), "T")
                return cls.from_chebyshev(
                    str(data["family"]), indices, cheb, domain, target,
                    base=str(data.get("base", "gate")),
                    clamp=None if data.get("clamp") is None else float(data["clamp"]),
                    name=str(data.get("name", "")))
            if basis != "monomial":
                raise InputError(f"not an approximant description: basis must be one of "
                                 f"{', '.join(BASES)}, got {basis!r}")
            coefs = data["coefficients"]
            raw = data["powers"]
            if not isinstance(raw, list) or not all(
                    isinstance(k, int) and not isinstance(k, bool) for k in raw):
                raise InputError(f"not an approximant description: powers must be a list of "
                                 f"whole numbers, got {raw!r}")
            powers = tuple(raw)
            coef = tuple(float(coefs[f"c{k}"]) for k in powers)
            return cls(family=str(data["family"]), powers=powers, coef=coef,
                       target=target, base=str(data.get("base", "gate")),
                       clamp=None if data.get("clamp") is None else float(data["clamp"]),
                       name=str(data.get("name", "")))
        except InputError:
            raise                              # already says what is wrong
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not an approximant description: missing or bad {exc}"
                             ) from None


def check_domain_arg(domain: Any, name: str = "domain") -> tuple[float, float]:
    """A ``domain`` argument: two real numbers (not strings) with a < b, as floats."""
    import numbers

    if isinstance(domain, str | bytes | Mapping) or not isinstance(
            domain, Sequence | np.ndarray) or len(domain) != 2 or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in domain):
        raise InputTypeError(f"`{name}` must be two numbers (a, b) with a < b, got "
                             f"{shown(domain)}")
    return check_domain(domain, what=name)


def check_basis(basis: str, domain: Any) -> None:
    """Raise :class:`InputError` unless ``basis`` is one of
    :data:`~approxfit.approximants.families.BASES` with a domain exactly when it is
    ``chebyshev``."""
    if basis not in BASES:
        raise InputError(f"`basis` must be one of {', '.join(BASES)}, got {shown(basis)}")
    if basis == "chebyshev" and domain is None:
        raise InputError("`domain` (a, b) is required for the Chebyshev basis")
    if basis == "monomial" and domain is not None:
        raise InputError("`domain` applies to the Chebyshev basis only; the monomial "
                         "basis has none")


def chebyshev_dict(domain: tuple[float, float], indices: Sequence[int],
                   coef: Sequence[float], prefix: str = "T") -> dict[str, Any]:
    """``{"domain": [a, b], "coefficients": {"T1": …}}`` (JSON-ready)."""
    return {"domain": [float(domain[0]), float(domain[1])],
            "coefficients": {f"{prefix}{k}": float(c)
                             for k, c in zip(indices, coef, strict=True)}}


def read_chebyshev(data: Any, prefix: str = "T", key: str = "coefficients"
                   ) -> tuple[tuple[float, float], tuple[int, ...], tuple[float, ...]]:
    """``(domain, indices, coefficients)`` from a :func:`chebyshev_dict` form.

    Raises
    ------
    InputError
        If it is not a dict with a domain and ``<prefix><k>`` coefficients.
    """
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise InputError(f"not an approximant description: a Chebyshev form needs "
                         f"'chebyshev': {{'domain': [a, b], '{key}': {{'{prefix}1': …}}}}")
    domain = check_domain(data.get("domain") or (), what="chebyshev domain")
    pairs = []
    for name, value in data[key].items():
        if not (isinstance(name, str) and name.startswith(prefix)
                and name[len(prefix):].isdigit()):
            raise InputError(f"not an approximant description: Chebyshev coefficient "
                             f"names are {prefix}<k>, got {name!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"not an approximant description: {name} must be a number, "
                             f"got {value!r}")
        pairs.append((int(name[len(prefix):]), float(value)))
    pairs.sort()
    return domain, tuple(k for k, _ in pairs), tuple(c for _, c in pairs)


def check_powers(powers: Sequence[int], *, lowest: int = 0, what: str = "powers") -> None:
    """Raise :class:`InputError` unless ``powers`` are distinct ascending whole numbers
    between ``lowest`` and :data:`~approxfit.approximants.families.MAX_DEGREE`."""
    from approxfit.approximants.families import MAX_DEGREE

    if isinstance(powers, str | bytes | Mapping) or not isinstance(powers,
                                                                   Sequence | np.ndarray):
        raise InputTypeError(f"{what} must be a sequence of whole numbers, got "
                             f"{type(powers).__name__} {shown(powers)}")
    ok = (len(powers) > 0
          and all(isinstance(k, int | np.integer) and not isinstance(k, bool) for k in powers)
          and all(lowest <= k <= MAX_DEGREE for k in powers)
          and all(a < b for a, b in itertools.pairwise(powers)))
    if not ok:
        raise InputError(f"{what} must be distinct ascending whole numbers from {lowest} to "
                         f"{MAX_DEGREE}, got {shown(list(powers))}")


def scaled_form(family: Family, powers: Sequence[int], coef: Sequence[float]
                ) -> dict[str, float]:
    """``{"a3": c3/c1, …}`` for a scaled family with a nonzero c1, else ``{}``."""
    if not family.scaled or 1 not in powers:
        return {}
    c1 = coef[list(powers).index(1)]
    if c1 == 0:
        return {}
    return {f"a{k}": c / c1 for k, c in zip(powers, coef, strict=True) if k != 1}
