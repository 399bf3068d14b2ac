"""A split approximant: exact tails, a sign-split constant, and an outer function of a
polynomial in between — the shape :mod:`approxfit.studies.synthesize` proves correctly
rounded.

:class:`PiecewiseApproximant` computes, for an input x,

* the *low tail* value (0, −1, x or exp(x)) where ``x < low`` (when ``low`` is given;
  exp(x) for softplus, log(1 + eˣ) = eˣ to within F's rounding far left),
* the *high tail* value (x or 1) where ``x > high`` (when ``high`` is given),
* ``small_scale·x`` where ``|x| < small`` (when ``small`` is given: tanh(x) = x and
  erf(x) = (2/√π)·x to within F's rounding near 0),
* else the family's value of ``p(x) = q(x) + c0(x)``, with ``q(x) = Σ_{k≥1} c_k x^k``
  (Horner, in x² for odd q) and ``c0(x)`` the constant ``c0_neg`` for x < 0 and
  ``c0_pos`` otherwise: ``p`` itself (``poly``), the gate ``σ(p)`` (``sigmoid``) or
  ``½(1 + tanh p)`` (``tanh``, and ``tanh p`` for an odd target), through the target's
  gate relation (``x·g``, ``2g − 1`` or ``g``), or the quotient ``p(x)/Q(x)`` with
  ``Q(x) = 1 + Σ e_k x^k`` over ``den_powers`` (``rational``: no gate, the value
  itself for any target, like ``poly``).  The program computes Q by Horner's rule (in
  x² for even-only or odd-only powers, as
  :func:`~approxfit.approximants.program.inner_polynomial` does), adds 1 and divides
  once (one ``div``, rounded once to the compute format like any other operation;
  :meth:`PiecewiseApproximant.cost` counts it as a multiply).

**Pieces.**  With breakpoints ``b_1 < … < b_m`` (values of F, so a compare with them
is exact), the middle has m + 1 pieces, each with its own coefficients of p (same
powers, same outer function; a rational's pieces hold Q's coefficients too): piece 0
for x < b_1, piece j for b_j ≤ x < b_{j+1}.
The program computes ``d_j = x − b_j`` once per breakpoint (exact in sign: a difference
of floats is negative exactly when x < b_j) and selects each coefficient by a chain of
``where_neg`` on the d_j (m compares per coefficient that differs between pieces),
then runs one Horner scheme (two for a rational) and one outer function: the
select-then-evaluate form of a vector kernel's blend of coefficient registers.

**A form per piece.**  The optional ``forms`` give pieces 1 … m a family and powers
of their own (``(family, powers, den_powers)`` each; piece 0 keeps ``family``,
``powers`` and ``den_powers``), e.g. PUMA's GELU: degree 3 on [−4, −1.95), degree 6
on [−1.95, 3].  When every piece has piece 0's form, ``forms`` is empty and the
program is the select-then-evaluate one above, bit for bit.  When they differ, the
program evaluates each piece's value in full (its own Horner schemes, outer function
and relation; its constants labelled ``p<j>_…``), then selects the value by a chain
of ``where_neg`` on the same exact differences ``d_j = x − b_j``: evaluate-then-select.

Why the sign split: near 0, GELU and SiLU are ``x/2 + k·x²`` (k > 0), and for an odd
subnormal x the half ``x/2`` is an exact midpoint of bfloat16 or float16; the correct
rounding goes up for both signs (away from 0 for x > 0, towards it for x < 0).  In
float32 every ``x^k`` with k ≥ 2 underflows there, so no polynomial without a compare
can tell the two signs apart: ``x·σ(c0)`` rounds both the same way.  One select on
the sign of x (``where_neg``, one compare) picks ``c0`` with the sign the rounding
needs.  The tails are two selects on ``x − low`` and ``high − x`` (a subtraction and
a compare each, exact: a difference of floats is 0 only when they are equal).

Every operation is one of :data:`~approxfit.approximants.program.OPS`
(``where_neg`` included), so the emulator, the exhaustive ``verify`` and the code
export run this kind's program unchanged.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from approxfit.approximants.approximant import signed_text
from approxfit.approximants.base import ApproximantBase, check_common
from approxfit.approximants.program import (
    Cost,
    ProgramBuilder,
    Step,
    convert_base,
    inner_polynomial,
    relation_value,
)
from approxfit.core.checks import InputTypeError, check_array, check_choice, shown
from approxfit.core.exceptions import InputError
from approxfit.core.targets import Target

__all__ = ["HIGH_VALUES", "KIND", "LOW_VALUES", "PIECEWISE_FAMILIES", "PiecewiseApproximant"]

Array = np.ndarray
#: The ``kind`` field of this kind's ``to_dict`` form.
KIND = "piecewise"
#: The middle piece's outer functions.
PIECEWISE_FAMILIES: tuple[str, ...] = ("poly", "sigmoid", "tanh", "rational")
#: What the low tail returns (x < low) and what the high tail returns (x > high).
LOW_VALUES: tuple[str, ...] = ("zero", "minus_one", "x", "exp")
HIGH_VALUES: tuple[str, ...] = ("x", "one")
_TAIL_NUMBER = {"zero": 0.0, "minus_one": -1.0, "one": 1.0}
#: Most powers of q a description may hold.
MAX_POWERS = 41
#: Most breakpoints (pieces − 1).
MAX_BREAKS = 63


def _finite(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise InputTypeError(f"`{name}` must be a number, got {shown(value)}")
    v = float(value)
    if not math.isfinite(v):
        raise InputError(f"`{name}` must be finite, got {v}")
    return v


@dataclass(frozen=True, eq=False, repr=False)
class PiecewiseApproximant(ApproximantBase):
    """Exact tails, a sign-split constant and ``family(q(x) + c0(x))`` in between.

    Attributes
    ----------
    family : {"poly", "sigmoid", "tanh", "rational"}
        The middle piece's outer function (the module docstring); ``rational`` divides
        p by ``Q(x) = 1 + Σ e_k x^k``.
    powers : tuple of int
        Ascending powers k ≥ 1 of ``q`` (may be empty).
    coef : tuple of float
        ``c_k``, one per power.
    target : str or Target
    c0_neg, c0_pos : float
        The constant term of p for x < 0 and for x ≥ 0 (equal: no select).
    low, high : float or None
        The tails: the low tail value where ``x < low``, the high one where ``x > high``.
    low_value : {"zero", "minus_one", "x", "exp"}
    high_value : {"x", "one"}
    nudge : float
        A constant added to the middle value (0: none): one unit of C at F's smallest
        normal half, which moves a result that lands exactly on a midpoint of F's
        subnormals to the side the target's rounding needs (module docstring).
    name : str
    meta : dict
        Free-form notes (the synthesis that produced it).
    breaks : tuple of float
        Ascending breakpoints b_1 < … < b_m between the pieces (module docstring);
        empty: one piece.
    more : tuple of tuple of float
        Pieces 1 … m, each ``(c0_neg, c0_pos, c_k for k in powers, e_k for k in
        den_powers)``; the fields ``c0_neg``, ``c0_pos``, ``coef`` and ``den`` are
        piece 0.
    small : float or None
        The *small run*: where ``|x| < small`` the value is ``small_scale·x`` (one
        multiply in C, or x itself when the scale is 1), e.g. tanh(x) = x and
        erf(x) = (2/√π)·x near 0, where the correctly rounded value is that product.
    small_scale : float
        The slope of the small run.
    den_powers : tuple of int
        Ascending powers k ≥ 1 of Q's non-constant terms: non-empty for the rational
        family, empty for the others.
    den : tuple of float
        ``e_k``, one per power of ``den_powers``.
    forms : tuple of (str, tuple of int, tuple of int)
        Pieces 1 … m's own ``(family, powers, den_powers)`` (module docstring, "A form
        per piece"); empty (the default): every piece has piece 0's.  Each row of
        ``more`` then holds its own piece's coefficients.
    centres : tuple of float
        Empty (the default): p and Q are polynomials in x.  Else one centre m_j per
        piece, and p and Q are polynomials in ``t = x − m_j`` (one subtraction in C,
        after the centre is selected like a coefficient): where a piece lies far from 0
        and the target is small there (softplus near −10, about e^x), the terms
        ``c_k x^k`` of a polynomial in x are thousands of times the value and cancel,
        and C's rounding of them alone exceeds F's rounding interval; in ``x − m_j``
        they shrink with the piece's half-width.
    """

    family: str
    powers: tuple[int, ...]
    coef: tuple[float, ...]
    target: str | Target
    c0_neg: float = 0.0
    c0_pos: float = 0.0
    low: float | None = None
    high: float | None = None
    low_value: str = "zero"
    high_value: str = "x"
    nudge: float = 0.0
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    breaks: tuple[float, ...] = ()
    more: tuple[tuple[float, ...], ...] = ()
    small: float | None = None
    small_scale: float = 1.0
    den_powers: tuple[int, ...] = ()
    den: tuple[float, ...] = ()
    forms: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = ()
    centres: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        check_choice(self.family, PIECEWISE_FAMILIES, "family")
        check_common(self.target, self.name, self.meta, "value")
        self._check_powers("powers", "coef")
        self._check_powers("den_powers", "den")
        if self.family == "rational" and not self.den_powers:
            raise InputError("`den_powers` must be non-empty for the rational family (Q(x) "
                             "= 1 + Σ e_k x^k over them)")
        if self.family != "rational" and self.den_powers:
            raise InputError(f"`den_powers` and `den` apply to the rational family only, "
                             f"got family {self.family!r}")
        object.__setattr__(self, "c0_neg", _finite(self.c0_neg, "c0_neg"))
        object.__setattr__(self, "c0_pos", _finite(self.c0_pos, "c0_pos"))
        object.__setattr__(self, "nudge", _finite(self.nudge, "nudge"))
        for key in ("low", "high"):
            v = getattr(self, key)
            if v is not None:
                object.__setattr__(self, key, _finite(v, key))
        if self.low is not None and self.high is not None and not self.low <= self.high:
            raise InputError(f"`low` must be <= `high`, got {self.low!r} > {self.high!r}")
        self._check_forms()
        self._check_pieces()
        object.__setattr__(self, "small_scale", _finite(self.small_scale, "small_scale"))
        if self.small is not None:
            object.__setattr__(self, "small", _finite(self.small, "small"))
            if not self.small > 0:
                raise InputError(f"`small` must be > 0, got {self.small!r}")
        check_choice(self.low_value, LOW_VALUES, "low_value")
        check_choice(self.high_value, HIGH_VALUES, "high_value")
        if self.family in ("sigmoid", "tanh") and not self.target_obj.has_gate:
            raise InputError(f"target {self.target_obj.name!r} has no gate; the "
                             f"{self.family} family does not apply (use poly or rational)")

    def _check_powers(self, pname: str, cname: str) -> None:
        """Validate and normalise the powers ``pname`` and their coefficients ``cname``."""
        powers, coef = getattr(self, pname), getattr(self, cname)
        if isinstance(powers, str | bytes | Mapping) or not isinstance(
                powers, Sequence | np.ndarray):
            raise InputTypeError(f"`{pname}` must be a sequence of whole numbers, got "
                                 f"{shown(powers)}")
        powers = tuple(powers)
        if (len(powers) > MAX_POWERS or not all(
                isinstance(k, int | np.integer) and not isinstance(k, bool) and 1 <= k <= 40
                for k in powers) or any(a >= b for a, b in itertools.pairwise(powers))):
            raise InputError(f"`{pname}` must be distinct ascending whole numbers from 1 to "
                             f"40, got {shown(list(powers))}")
        object.__setattr__(self, pname, tuple(int(k) for k in powers))
        if isinstance(coef, str | bytes | Mapping) or not isinstance(
                coef, Sequence | np.ndarray):
            raise InputTypeError(f"`{cname}` must be a sequence of numbers, got "
                                 f"{shown(coef)}")
        values = tuple(_finite(c, cname) for c in coef)
        if len(values) != len(powers):
            raise InputError(f"`{cname}` has {len(values)} coefficients for {len(powers)} "
                             f"`{pname}`; give one per power")
        object.__setattr__(self, cname, values)

    def _check_forms(self) -> None:
        """Validate ``forms``; empty it when every piece has piece 0's form."""
        forms = self.forms
        if isinstance(forms, str | bytes | Mapping) or not isinstance(
                forms, Sequence | np.ndarray):
            raise InputTypeError(f"`forms` must be a sequence, got {shown(forms)}")
        if not forms:
            object.__setattr__(self, "forms", ())
            return
        breaks = self.breaks if isinstance(self.breaks, Sequence | np.ndarray) else ()
        if len(forms) != len(breaks):
            raise InputError(f"`forms` has {len(forms)} forms for {len(breaks)} breaks; "
                             "give one per further piece (or none)")
        out = []
        for form in forms:
            if isinstance(form, str | bytes | Mapping) or not isinstance(
                    form, Sequence) or len(form) != 3:
                raise InputError("each of `forms` must be (family, powers, den_powers), "
                                 f"got {shown(form)}")
            try:
                one = PiecewiseApproximant(
                    form[0], form[1], (0.0,) * len(tuple(form[1])) if isinstance(
                        form[1], Sequence) else (), self.target, den_powers=form[2],
                    den=(0.0,) * len(tuple(form[2])) if isinstance(form[2], Sequence)
                    else ())
            except InputError as exc:
                raise type(exc)(f"`forms`: {exc}") from None
            out.append((one.family, one.powers, one.den_powers))
        mine = (self.family, self.powers, self.den_powers)
        object.__setattr__(self, "forms", () if all(f == mine for f in out) else tuple(out))

    def form(self, j: int) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
        """Piece ``j``'s ``(family, powers, den_powers)``."""
        if j == 0 or not self.forms:
            return self.family, self.powers, self.den_powers
        return self.forms[j - 1]

    @property
    def mixed(self) -> bool:
        """Whether the pieces' forms differ (evaluate-then-select)."""
        return bool(self.forms)

    def _check_pieces(self) -> None:
        for key in ("breaks", "more"):
            v = getattr(self, key)
            if isinstance(v, str | bytes | Mapping) or not isinstance(v, Sequence | np.ndarray):
                raise InputTypeError(f"`{key}` must be a sequence, got {shown(v)}")
        breaks = tuple(_finite(b, "breaks") for b in self.breaks)
        if len(breaks) > MAX_BREAKS or any(a >= b for a, b in itertools.pairwise(breaks)):
            raise InputError(f"`breaks` must be at most {MAX_BREAKS} ascending distinct "
                             f"numbers, got {shown(list(breaks))}")
        if len(self.more) != len(breaks):
            raise InputError(f"`more` has {len(self.more)} pieces for {len(breaks)} breaks; "
                             "give one piece per break")
        rows = []
        for j, row in enumerate(self.more, start=1):
            _, powers, den_powers = self.form(j)
            width = 2 + len(powers) + len(den_powers)
            what = "one per power" + (" and per den power" if den_powers else "")
            if isinstance(row, str | bytes | Mapping) or not isinstance(
                    row, Sequence | np.ndarray) or len(row) != width:
                raise InputError(f"each piece of `more` must hold {width} numbers (c0_neg, "
                                 f"c0_pos, {what}), got {shown(row)}")
            rows.append(tuple(_finite(c, "more") for c in row))
        object.__setattr__(self, "breaks", breaks)
        object.__setattr__(self, "more", tuple(rows))
        c = self.centres
        if isinstance(c, str | bytes | Mapping) or not isinstance(c, Sequence | np.ndarray):
            raise InputTypeError(f"`centres` must be a sequence, got {shown(c)}")
        centres = tuple(_finite(v, "centres") for v in c)
        if centres and len(centres) != 1 + len(breaks):
            raise InputError(f"`centres` has {len(centres)} values for {1 + len(breaks)} "
                             "pieces; give one per piece, or none")
        object.__setattr__(self, "centres", centres)

    @property
    def pieces(self) -> int:
        """How many pieces the middle has."""
        return 1 + len(self.breaks)

    def piece_rows(self) -> tuple[tuple[float, ...], ...]:
        """Every piece's ``(c0_neg, c0_pos, c_k …, e_k …)``, piece 0 first."""
        return ((self.c0_neg, self.c0_pos, *self.coef, *self.den), *self.more)

    def piece(self, j: int) -> PiecewiseApproximant:
        """Piece ``j`` alone (no breaks; the same tails and nudge)."""
        row = self.piece_rows()[j]
        family, powers, den_powers = self.form(j)
        n = 2 + len(powers)
        return replace(self, family=family, powers=powers, den_powers=den_powers,
                       c0_neg=row[0], c0_pos=row[1], coef=tuple(row[2:n]),
                       den=tuple(row[n:]), breaks=(), more=(), forms=(),
                       centres=self.centres[j:j + 1])

    # -- the protocol's attributes -------------------------------------------------
    @property
    def base(self) -> str:
        """``value``: the kind computes the target's value."""
        return "value"

    @property
    def clamp(self) -> None:
        """None: the tails take the place of a tail guard."""
        return None

    @property
    def supports_clamp(self) -> bool:
        """False: the tails take the place of a tail guard."""
        return False

    @property
    def coefficients(self) -> dict[str, float]:
        """``{"c0_neg", "c0_pos", "c1", …, "e2", …}`` (Q's ``e<k>`` for a rational), then
        each further piece's as ``p<j>_c0_neg`` … ``p<j>_e<k>``."""
        out = dict(zip(self._row_names(), self.piece_rows()[0], strict=True))
        for j, row in enumerate(self.more, start=1):
            out.update({f"p{j}_{n}": c for n, c in zip(self._row_names(j), row,
                                                         strict=True)})
        return out

    def _row_names(self, j: int = 0) -> list[str]:
        _, powers, den_powers = self.form(j)
        return ["c0_neg", "c0_pos", *(f"c{k}" for k in powers),
                *(f"e{k}" for k in den_powers)]

    @property
    def scaled(self) -> dict[str, float]:
        """Empty: this kind has no scaled form."""
        return {}

    @property
    def split(self) -> bool:
        """Whether the constant term depends on the sign of x (in any piece)."""
        return any(r[0] != r[1] for r in self.piece_rows())

    # -- evaluation (float64) --------------------------------------------------------
    def _rows_at(self, x: Array) -> Array:
        """Each input's piece row (shape ``x.shape + (2 + len(powers) +
        len(den_powers),)``)."""
        rows = np.array(self.piece_rows(), dtype=float)
        j = np.searchsorted(np.array(self.breaks, dtype=float), x, side="right")
        return rows[j]

    def _variable(self, x: Array) -> Array:
        """The polynomials' variable: x, or ``x − m_j`` of each input's piece
        (``centres``)."""
        if not self.centres:
            return x
        j = np.searchsorted(np.array(self.breaks, dtype=float), x, side="right")
        return x - np.array(self.centres, dtype=float)[j]

    def inner(self, x: Array) -> Array:
        """p(x) = q(x) + c0(x) of each input's piece, in float64."""
        x = np.asarray(x, dtype=float)
        if self.mixed:
            return self._each_piece(x, lambda a, t: a.inner(t))
        r, t = self._rows_at(x), self._variable(x)
        with np.errstate(all="ignore"):
            q = np.zeros_like(x)
            for i, k in enumerate(self.powers):
                q = q + r[..., 2 + i] * t**k
            return q + np.where(x < 0, r[..., 0], r[..., 1])

    def _dinner(self, x: Array) -> Array:
        r, t = self._rows_at(x), self._variable(x)
        with np.errstate(all="ignore"):
            d = np.zeros_like(x)
            for i, k in enumerate(self.powers):
                d = d + k * r[..., 2 + i] * t ** (k - 1)
            return d

    def denominator(self, x: Array) -> Array:
        """Q(x) = 1 + Σ e_k x^k of each input's piece, in float64 (1 for the families
        other than rational)."""
        x = np.asarray(x, dtype=float)
        if self.mixed:
            return self._each_piece(x, lambda a, t: a.denominator(t))
        r, t = self._rows_at(x), self._variable(x)
        n = 2 + len(self.powers)
        with np.errstate(all="ignore"):
            q = np.ones_like(x)
            for i, k in enumerate(self.den_powers):
                q = q + r[..., n + i] * t**k
            return q

    def _dden(self, x: Array) -> Array:
        r, t = self._rows_at(x), self._variable(x)
        n = 2 + len(self.powers)
        with np.errstate(all="ignore"):
            d = np.zeros_like(x)
            for i, k in enumerate(self.den_powers):
                d = d + k * r[..., n + i] * t ** (k - 1)
            return d

    def _each_piece(self, x: Array, what: Callable[[PiecewiseApproximant, Array], Any]
                    ) -> Any:
        """``what(piece j, x)`` at each input's piece j (a form per piece); a tuple of
        arrays when ``what`` gives a tuple."""
        x = np.asarray(x, dtype=float)
        j = np.searchsorted(np.array(self.breaks, dtype=float), x, side="right")
        got = [what(self.piece(i), x) for i in range(self.pieces)]
        if isinstance(got[0], tuple):
            return tuple(np.choose(j, [g[k] for g in got]) for k in range(len(got[0])))
        return np.choose(j, got)

    def _middle(self, x: Array) -> tuple[Array, Array]:
        """(value, d value/dx) of the middle piece."""
        if self.mixed:
            return self._each_piece(x, lambda a, t: a._middle(t))
        p, dp = self.inner(x), self._dinner(x)
        if self.family == "poly":
            return p + self.nudge, dp
        if self.family == "rational":      # the quotient rule
            q, dq = self.denominator(x), self._dden(x)
            with np.errstate(all="ignore"):
                return p / q + self.nudge, (dp * q - p * dq) / (q * q)
        rel = self.target_obj.relation
        assert rel is not None
        from scipy.special import expit

        with np.errstate(all="ignore"):
            # σ(p) and ½(1 + tanh p) = σ(2p) without the cancellation of 1 + tanh
            if self.family == "sigmoid":
                g = expit(p)
                dg = g * expit(-p) * dp
            else:
                g = expit(2.0 * p)
                dg = 2.0 * g * expit(-2.0 * p) * dp
            v = rel.value_from_gate(x, g)
            dv = rel.dscale(x) * g + rel.scale(x) * dg
        return v + self.nudge, dv

    def _tails(self, x: Array, v: Array, dv: Array) -> tuple[Array, Array]:
        if self.small is not None:
            inside = np.abs(x) < self.small
            v = np.where(inside, self.small_scale * x, v)
            dv = np.where(inside, self.small_scale, dv)
        if self.high is not None:
            hv = x if self.high_value == "x" else np.full_like(x, _TAIL_NUMBER["one"])
            hd = np.ones_like(x) if self.high_value == "x" else np.zeros_like(x)
            v, dv = np.where(x > self.high, hv, v), np.where(x > self.high, hd, dv)
        if self.low is not None:
            if self.low_value in ("x", "exp"):
                with np.errstate(over="ignore"):
                    lv = x if self.low_value == "x" else np.exp(x)
                ld = np.ones_like(x) if self.low_value == "x" else lv
            else:
                lv = np.full_like(x, _TAIL_NUMBER[self.low_value])
                ld = np.zeros_like(x)
            v, dv = np.where(x < self.low, lv, v), np.where(x < self.low, ld, dv)
        return v, dv

    def kernel(self, x: Array) -> Array:
        """The value at ``x`` (float64)."""
        x = np.asarray(x, dtype=float)
        v, dv = self._middle(x)
        return self._tails(x, v, dv)[0]

    def derivative(self, x: Array) -> Array:
        """d/dx of the value (the tails' own slopes beyond ``low`` and ``high``)."""
        x = check_array(x, "x")
        v, dv = self._middle(x)
        return self._tails(x, v, dv)[1]

    # -- the program ----------------------------------------------------------------
    def _emit(self, b: ProgramBuilder, on: str, relation: str | None, gate_form: str
              ) -> str:
        """The operations (module docstring): the middle value (:meth:`_emit_middle`, or
        :meth:`_emit_mixed` for a form per piece), then the tails' selects."""
        v = self._emit_mixed(b, relation) if self.mixed else self._emit_middle(b, relation)
        if self.nudge != 0.0:
            v = b.op("add", v, b.const(self.nudge, "nudge"))
        if self.small is not None:
            sv = "x" if self.small_scale == 1.0 else b.op(
                "mul", b.const(self.small_scale, "small_scale"), "x")
            v = b.op("where_neg", b.op("sub", b.op("abs", "x"), b.const(self.small, "small")),
                     sv, v)
        if self.high is not None:
            hv = "x" if self.high_value == "x" else b.const(1.0, "one")
            v = b.op("where_neg", b.op("sub", b.const(self.high, "high"), "x"), hv, v)
        if self.low is not None:
            lv = ("x" if self.low_value == "x" else b.op("exp", "x")
                  if self.low_value == "exp" else b.const(_TAIL_NUMBER[self.low_value],
                                                          self.low_value))
            v = b.op("where_neg", b.op("sub", "x", b.const(self.low, "low")), lv, v)
        return convert_base(b, v, "value", on, relation)

    def _emit_middle(self, b: ProgramBuilder, relation: str | None) -> str:
        """The middle value of pieces of one form: p (the selected constant and Horner
        for q, each coefficient selected per piece when there are breaks), the outer
        function and the relation."""
        d = [b.op("sub", "x", b.const(v, f"b{j}")) for j, v in enumerate(self.breaks, 1)]
        pick = self._selector(b, d) if self.breaks else None
        var = self._emit_variable(b, d)
        p = self._emit_pieces(b, pick, var) if pick else self._emit_one(b, var)
        if self.family == "poly":
            v = p
        elif self.family == "rational":
            q = self._emit_den(b, pick or self._constants(b), var)
            v = b.op("div", p, b.op("add", b.const(1.0, "one"), q))
        elif self.family == "sigmoid":
            v = relation_value(b, relation, b.op("sigmoid", p))
        else:
            t = b.op("tanh", p)
            if relation == "odd":
                v = t
            else:
                one_t = b.op("add", b.const(1.0, "one"), t)
                half = b.const(0.5, "half")
                v = (b.op("mul", b.op("mul", half, "x"), one_t) if relation == "product"
                     else b.op("mul", half, one_t))
        return v

    def _emit_mixed(self, b: ProgramBuilder, relation: str | None) -> str:
        """The middle value when the pieces' forms differ: ``d_j = x − b_j`` once per
        breakpoint, each piece's value in full (constants labelled ``p<j>_…``), then a
        chain of ``where_neg`` on the d_j picking each input's piece's value."""
        d = [b.op("sub", "x", b.const(v, f"b{j}")) for j, v in enumerate(self.breaks, 1)]
        vals = [self.piece(j)._emit_middle(_Labelled(b, f"p{j}_"), relation)
                for j in range(self.pieces)]
        v = vals[-1]
        for j in range(self.pieces - 1, 0, -1):
            v = b.op("where_neg", d[j - 1], vals[j - 1], v)
        return v

    def _emit_variable(self, b: ProgramBuilder, d: Sequence[str]) -> str:
        """The polynomials' variable: ``x``, or ``t = x − m_j`` with the centre
        selected per piece like a coefficient (``centres``; ``d`` holds the
        ``x − b_j``)."""
        if not self.centres:
            return "x"
        if not self.breaks or all(m == self.centres[0] for m in self.centres):
            m = b.const(self.centres[0], "m")
        else:
            m = b.const(self.centres[-1], f"m_{len(self.centres) - 1}")
            for j in range(len(self.centres) - 1, 0, -1):
                m = b.op("where_neg", d[j - 1], b.const(self.centres[j - 1], f"m_{j - 1}"), m)
        return b.op("sub", "x", m)

    def _emit_one(self, b: ProgramBuilder, var: str = "x") -> str:
        """p of the single piece (no breaks): the constant, selected by the sign of x
        when split, plus q in ``var`` by
        :func:`~approxfit.approximants.program.inner_polynomial`."""
        if self.split:
            c0 = b.op("where_neg", "x", b.const(self.c0_neg, "c0_neg"),
                      b.const(self.c0_pos, "c0_pos"))
        else:
            c0 = b.const(self.c0_pos, "c0") if self.c0_pos != 0.0 or not self.powers else ""
        if self.powers and any(c != 0.0 for c in self.coef):
            q = inner_polynomial(b, var, self.powers, self.coef)
            return b.op("add", q, c0) if c0 else q
        return c0 or b.const(0.0, "c0")

    def _selector(self, b: ProgramBuilder, d: Sequence[str]) -> Callable[[int], str]:
        """A function giving, for a column i of the piece rows, the variable holding
        each input's piece's value (a constant when every piece has the same, else a
        chain of ``where_neg`` on ``d``, the variables ``d_j = x − b_j`` emitted once
        per breakpoint)."""
        rows = self.piece_rows()
        names = self._row_names()

        def pick(i: int) -> str:
            vals = [r[i] for r in rows]
            if all(v == vals[0] for v in vals):
                return b.const(vals[0], names[i])
            v = b.const(vals[-1], f"{names[i]}_{len(rows) - 1}")
            for j in range(len(rows) - 1, 0, -1):
                v = b.op("where_neg", d[j - 1], b.const(vals[j - 1], f"{names[i]}_{j - 1}"), v)
            return v

        return pick

    def _constants(self, b: ProgramBuilder) -> Callable[[int], str]:
        """The one piece's :meth:`_selector`: column i's constant."""
        row, names = self.piece_rows()[0], self._row_names()
        return lambda i: b.const(row[i], names[i])

    def _emit_den(self, b: ProgramBuilder, pick: Callable[[int], str], x: str = "x") -> str:
        """Q − 1 = Σ e_k x^k of each input's piece, each e_k given by ``pick``: Horner in
        x² (times x for odd powers, times x² for even ones) when the powers are all odd
        or all even, as :func:`~approxfit.approximants.program.inner_polynomial` does,
        else Horner in x, times x.  An ``e_k`` that is 0 in every piece adds nothing,
        and x² is shared with the numerator's when that computed it."""
        n = 2 + len(self.powers)
        col = {k: n + i for i, k in enumerate(self.den_powers)}
        rows = self.piece_rows()
        nonzero = {k for k, i in col.items() if any(r[i] != 0.0 for r in rows)}
        top = max(self.den_powers)
        odd = all(k % 2 for k in self.den_powers)
        even = not any(k % 2 for k in self.den_powers)
        if odd and top == 1:
            return b.op("mul", x, pick(col[1]))
        var = x
        if odd or even:
            var = next((s.name for s in b.steps if s.op == "mul" and s.args == (x, x)),
                       "") or b.op("mul", x, x)
        step = 2 if odd or even else 1
        acc = pick(col[top])
        for k in range(top - step, 0, -step):
            acc = b.op("mul", acc, var)
            if k in nonzero:
                acc = b.op("add", acc, pick(col[k]))
        return b.op("mul", x, acc) if odd else b.op("mul", acc, var)

    def _emit_pieces(self, b: ProgramBuilder, pick: Callable[[int], str], x: str = "x"
                     ) -> str:
        """p of each input's piece: every coefficient selected by ``pick``
        (:meth:`_selector`), then Horner in ``x`` (in x² times x for odd powers) and
        the constant."""
        rows = self.piece_rows()
        if self.split:
            c0 = b.op("where_neg", "x", pick(0), pick(1))
        elif any(r[1] != 0.0 for r in rows) or not self.powers:
            c0 = pick(1)
        else:
            c0 = ""
        if not self.powers:
            return c0
        col = {k: 2 + i for i, k in enumerate(self.powers)}
        top = max(self.powers)
        odd = all(k % 2 for k in self.powers)
        var = b.op("mul", x, x) if odd and top > 1 else x
        ks = list(range(top, 0, -2)) if odd else list(range(top, 0, -1))
        acc = pick(col[ks[0]])
        for k in ks[1:]:
            acc = b.op("mul", acc, var)
            if k in col:
                acc = b.op("add", acc, pick(col[k]))
        q = b.op("mul", x, acc) if odd and top > 1 else b.op("mul", acc, x)
        return b.op("add", q, c0) if c0 else q

    # -- description and round trip ----------------------------------------------------
    def with_coefficients(self, values: Mapping[str, float], *, name: str | None = None,
                          clamp: float | None = None) -> PiecewiseApproximant:
        """A copy with the coefficients named in ``values`` replaced."""
        if clamp is not None:
            raise InputError("`clamp` does not apply to a piecewise approximant (it has "
                             "tails)")
        known = self.coefficients
        unknown = [k for k in values if k not in known]
        if unknown:
            raise InputError(f"`values` names {', '.join(map(str, unknown))[:60]}, which are "
                             f"not coefficients; the coefficients are {', '.join(known)}")
        new = {**known, **{k: _finite(v, "values") for k, v in values.items()}}
        more = tuple(tuple(new[f"p{j}_{n}"] for n in self._row_names(j))
                     for j in range(1, self.pieces))
        return replace(self, c0_neg=new["c0_neg"], c0_pos=new["c0_pos"],
                       coef=tuple(new[f"c{k}"] for k in self.powers),
                       den=tuple(new[f"e{k}"] for k in self.den_powers), more=more,
                       name=self.name if name is None else name)

    def cost(self) -> Cost:
        """The operation count of the value's program
        (:func:`~approxfit.approximants.program.operation_count`).

        :class:`~approxfit.approximants.program.Cost` has no divide field: the
        rational family's one divide p/Q counts as a multiply (as every ``div`` does,
        the ``pareto`` cost model's rule), and its ``1 + …`` as an add.
        """
        return super().cost()

    def describe(self) -> str:
        """One line: the middle formula and the tails (each piece's for a form per
        piece)."""
        if self.mixed:
            edges = [None, *self.breaks, None]
            parts = []
            for j in range(self.pieces):
                lo, hi = edges[j], edges[j + 1]
                where = (f"x < {hi:.9g}" if lo is None else f"x ≥ {lo:.9g}" if hi is None
                         else f"{lo:.9g} ≤ x < {hi:.9g}")
                parts.append(f"[{where}] " + replace(
                    self.piece(j), low=None, high=None, small=None, nudge=0.0).describe())
            rest = replace(self.piece(0), family="poly", powers=(), coef=(),
                           den_powers=(), den=(), c0_neg=0.0, c0_pos=0.0).describe()
            tails = rest.split("; ", 1)[1] if "; " in rest else ""
            return "; ".join(parts + ([tails] if tails else []))
        q = " + ".join(f"{c:.9g}·x^{k}" for k, c in zip(self.powers, self.coef, strict=True))
        c0 = (f"({self.c0_neg:.9g} if x < 0 else {self.c0_pos:.9g})" if self.split
              else f"{self.c0_pos:.9g}")
        outer = {"poly": "p", "sigmoid": "σ(p)", "tanh": "½(1 + tanh p)",
                 "rational": "p/Q"}[self.family]
        den = " + ".join(f"{c:.9g}·x^{k}" for k, c in zip(self.den_powers, self.den,
                                                             strict=True))
        tails = []
        if self.low is not None:
            tails.append(f"{self.low_value} for x < {self.low:.9g}")
        if self.high is not None:
            tails.append(f"{self.high_value} for x > {self.high:.9g}")
        if self.small is not None:
            tails.append(f"{self.small_scale:.9g}·x for |x| < {self.small:.9g}")
        if self.nudge:
            tails.append(f"plus {self.nudge:.3g}")
        rest = f"; {', '.join(tails)}" if tails else ""
        where = (f" on x < {self.breaks[0]:.9g} ({self.pieces} pieces, breaks at "
                 f"{', '.join(f'{v:.9g}' for v in self.breaks)})" if self.breaks else "")
        qx = f", Q(x) = 1 + {den}" if den else ""
        if self.centres:
            ms = ", ".join(f"{m:.9g}" for m in self.centres)
            q, qx = q.replace("·x^", "·t^"), qx.replace("·x^", "·t^")
            rest = f", t = x − m (m = {ms} by piece){rest}"
        return signed_text(f"{outer} with p(x) = {c0}{' + ' + q if q else ''}{qx}{where}{rest}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description that :meth:`from_dict` reads back."""
        d: dict[str, Any] = {
            "kind": KIND, "family": self.family, "target": self.target_name,
            "base": "value", "powers": list(self.powers),
            "coefficients": {f"c{k}": c for k, c in zip(self.powers, self.coef, strict=True)},
            "constant": {"negative": self.c0_neg, "positive": self.c0_pos},
            "nudge": self.nudge,
            "tails": {"low": None if self.low is None else
                      {"below": self.low, "value": self.low_value},
                      "high": None if self.high is None else
                      {"above": self.high, "value": self.high_value}},
            "name": self.name}
        n = 2 + len(self.powers)
        if self.den_powers:
            d["den_powers"] = list(self.den_powers)
            d["den"] = {f"e{k}": c for k, c in zip(self.den_powers, self.den, strict=True)}
        if self.mixed:
            d["pieces"] = []
            for j, (v, r) in enumerate(zip(self.breaks, self.more, strict=True), start=1):
                family, powers, den_powers = self.form(j)
                m = 2 + len(powers)
                e = {"from": v, "family": family, "powers": list(powers),
                     "constant": {"negative": r[0], "positive": r[1]},
                     "coefficients": {f"c{k}": c for k, c in zip(powers, r[2:m],
                                                                 strict=True)}}
                if den_powers:
                    e["den_powers"] = list(den_powers)
                    e["den"] = {f"e{k}": c for k, c in zip(den_powers, r[m:], strict=True)}
                d["pieces"].append(e)
        elif self.breaks:
            d["pieces"] = [{"from": v, "constant": {"negative": r[0], "positive": r[1]},
                            "coefficients": {f"c{k}": c for k, c in
                                             zip(self.powers, r[2:n], strict=True)}}
                           for v, r in zip(self.breaks, self.more, strict=True)]
            if self.den_powers:
                for e, r in zip(d["pieces"], self.more, strict=True):
                    e["den"] = {f"e{k}": c for k, c in zip(self.den_powers, r[n:],
                                                           strict=True)}
        if self.small is not None:
            d["tails"]["small"] = {"below": self.small, "scale": self.small_scale}
        if self.centres:
            d["centres"] = list(self.centres)
        if self.target_obj.expression is not None:
            d["target_expr"] = self.target_obj.expression
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PiecewiseApproximant:
        """Build from :meth:`to_dict`'s output; InputError naming a bad field."""
        if not isinstance(data, Mapping) or data.get("kind") != KIND:
            raise InputError(f"not an approximant description: 'kind' must be {KIND!r}")
        try:
            target: str | Target = str(data["target"])
            if data.get("target_expr") is not None:
                from approxfit.core.targets import custom_target

                target = custom_target(str(data["target"]), str(data["target_expr"]))
            powers = data.get("powers", [])
            if not isinstance(powers, list):
                raise InputError("not an approximant description: 'powers' must be a list")
            coefs = data.get("coefficients") or {}
            if not isinstance(coefs, Mapping) or sorted(coefs) != sorted(
                    f"c{k}" for k in powers):
                raise InputError("not an approximant description: 'coefficients' must name "
                                 "c<k> for each of 'powers'")
            den_powers = data.get("den_powers", [])
            den = data.get("den") or {}
            if not isinstance(den_powers, list) or not isinstance(den, Mapping) or sorted(
                    den) != sorted(f"e{k}" for k in den_powers):
                raise InputError("not an approximant description: 'den_powers' must be a "
                                 "list and 'den' name e<k> for each of them")
            const = data.get("constant") or {}
            tails = data.get("tails") or {}
            if not isinstance(const, Mapping) or not isinstance(tails, Mapping):
                raise InputError("not an approximant description: 'constant' and 'tails' "
                                 "must be objects")
            breaks, more, forms = [], [], []
            extra = data.get("pieces") or []
            if not isinstance(extra, list) or not all(isinstance(e, Mapping) for e in extra):
                raise InputError("not an approximant description: 'pieces' must be a list of "
                                 "objects")
            for e in extra:
                own = "family" in e      # a form of its own (absent: piece 0's)
                e_family = str(e["family"]) if own else str(data["family"])
                e_powers = e.get("powers", []) if own else powers
                e_den_powers = e.get("den_powers", []) if own else den_powers
                if not isinstance(e_powers, list) or not isinstance(e_den_powers, list):
                    raise InputError("not an approximant description: a piece's 'powers' "
                                     "and 'den_powers' must be lists")
                ec, ek = e.get("constant") or {}, e.get("coefficients") or {}
                if not isinstance(ec, Mapping) or not isinstance(ek, Mapping) or sorted(
                        ek) != sorted(f"c{k}" for k in e_powers):
                    raise InputError("not an approximant description: each of 'pieces' must "
                                     "have 'constant' and 'coefficients' c<k> for each power")
                ed = e.get("den") or {}
                if not isinstance(ed, Mapping) or sorted(ed) != sorted(
                        f"e{k}" for k in e_den_powers):
                    raise InputError("not an approximant description: each of 'pieces' must "
                                     "have 'den' e<k> for each of 'den_powers'")
                breaks.append(e["from"])
                forms.append((e_family, tuple(e_powers), tuple(e_den_powers)))
                more.append((ec.get("negative", 0.0), ec.get("positive", 0.0),
                             *(ek[f"c{k}"] for k in e_powers),
                             *(ed[f"e{k}"] for k in e_den_powers)))
            centres = data.get("centres") or []
            if not isinstance(centres, list):
                raise InputError("not an approximant description: 'centres' must be a list")
            low, high, small = tails.get("low"), tails.get("high"), tails.get("small")
            for part in (low, high, small):
                if part is not None and not isinstance(part, Mapping):
                    raise InputError("not an approximant description: 'tails.low', "
                                     "'tails.high' and 'tails.small' must be objects or "
                                     "null")
            return cls(family=str(data["family"]), powers=tuple(powers),
                       coef=tuple(coefs[f"c{k}"] for k in powers), target=target,
                       c0_neg=const.get("negative", 0.0), c0_pos=const.get("positive", 0.0),
                       low=None if low is None else low.get("below"),
                       high=None if high is None else high.get("above"),
                       low_value="zero" if low is None else str(low.get("value")),
                       high_value="x" if high is None else str(high.get("value")),
                       nudge=data.get("nudge", 0.0), name=str(data.get("name", "")),
                       breaks=tuple(breaks), more=tuple(more),
                       small=None if small is None else small.get("below"),
                       small_scale=1.0 if small is None else small.get("scale", 1.0),
                       den_powers=tuple(den_powers),
                       den=tuple(den[f"e{k}"] for k in den_powers), forms=tuple(forms),
                       centres=tuple(centres))
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not an approximant description: missing or bad {exc}"
                             ) from None


class _Labelled(ProgramBuilder):
    """A view of a :class:`~approxfit.approximants.program.ProgramBuilder` that labels
    its constants ``<prefix><label>`` (a piece's own ``p1_c3``), so that pieces of
    different forms never share a constant's name; the shared ones (``one``,
    ``half``, ``two``, ``zero``) keep theirs."""

    SHARED = frozenset({"one", "half", "two", "zero"})

    def __init__(self, base: ProgramBuilder, prefix: str) -> None:   # no super(): a view
        self.base, self.prefix = base, prefix

    @property
    def steps(self) -> list[Step]:  # type: ignore[override]
        """The underlying builder's steps."""
        return self.base.steps

    def const(self, value: float, label: str = "") -> str:
        """The underlying builder's constant, labelled with the prefix."""
        keep = not label or label in self.SHARED
        return self.base.const(value, label if keep else f"{self.prefix}{label}")

    def op(self, op: str, *args: str, value: float | None = None) -> str:
        """The underlying builder's operation."""
        return self.base.op(op, *args, value=value)
