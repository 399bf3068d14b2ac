"""Recognise a decimal number as a closed form in π, √2, √π, e, log 2 (symbolic layer).

:func:`identify` answers "is 0.0455399241225 something simple?" —
``(4 − π)/(6π)`` — and :func:`identify_coefficients` asks the same of every
coefficient of a fit or a Taylor match.  The answer is a list of
:class:`Identification` objects (possibly empty): plain data, a sympy-parsable
``form`` and floats.

How a number is read
--------------------
A string is read as the decimal the user typed, exactly, and its *significant
digits* say how well it is known: ``"0.0455399241225"`` has 12 (leading zeros do
not count, trailing zeros do), its last digit sits in the 10⁻¹³ place, so a
correctly rounded value is within **half a unit of that place**,
``|true − typed| ≤ 0.5·10⁻¹³``.  That absolute tolerance is the one used; as a
relative tolerance it is ``0.5·10⁻¹³ / 0.04554 ≈ 1.1·10⁻¹²`` — for d significant
digits the relative half-unit lies between ``0.5·10⁻ᵈ`` and ``5·10⁻ᵈ`` depending
on the leading digits, which is why the rule is stated in absolute terms.
``digits=D`` overrides the count: the value is then trusted to D significant
digits, ``|true − value| ≤ 0.5·10^(E − D + 1)`` with ``E = ⌊log₁₀|value|⌋``.
At most :data:`MAX_DIGITS` digits are used.

A float64 is known to about one unit in its last place (ulp), not to its last
printed digit.  A float is read through its shortest ``repr`` (``0.044715`` → 5
digits), and a string of :data:`FLOAT_REPR_DIGITS` (16 or 17) significant digits is
read as the printout of a float64 (``repr``, ``%.17g``, approxfit's own JSON:
``0.045539924122527116``): for both the tolerance is at least
:data:`FLOAT_ULPS` ulps of the value, ``max(half a unit in the last digit,
4·ulp(x))``.  The true value is within ½ ulp of the float64 nearest to it and a
printout within ½ ulp of its float64; a float64 computed by a short formula in
float arithmetic carries a few more ulps of rounding (``(4 - math.pi)/(6*math.pi)``
is 1.2 ulps off), hence 4.  The digits trusted are then the ones that tolerance is
worth, ``⌊E + 1 − log₁₀(2·tol)⌋`` (15 for a float64 of the ``0.04…`` to ``0.9…``
range).  A string of 18 or more digits is taken at its word, as a decimal computed
to that precision.  Magnitudes from 1e-300 to 1e300 are accepted.

How candidates are found and checked
------------------------------------
Candidates come from three generators, used only as *proposers*:

1. :func:`mpmath.identify` with each single base constant (its transformations
   ``x·c``, ``1/x``, ``√x``, ``x²``, ``log``, ``exp`` and quadratic surds);
2. :func:`mpmath.pslq` on small sets: ``x·m`` (and ``(x·m)²`` when m is not a
   reciprocal) as a rational combination of 1 and one constant ``b``, with ``m``
   and ``b`` drawn from the constants, their reciprocals and, when π is one of
   them, √(2/π) and √(2π); and ``x·m`` as a combination of 1 and a *pair* of
   base constants, ``m`` ∈ {1, the pair, their reciprocals};
3. :func:`sympy.nsimplify` without constants (rationals and algebraic numbers).

Every proposed formula is text; it is read by :func:`approxfit.core.expr.parse` (the
ast whitelist — never ``sympify``; what the whitelist rejects is dropped),
evaluated with mpmath at :data:`WORK_DPS` digits, and kept only if it lies within
the tolerance of the typed value.  Survivors are simplified with sympy; the
simplified text is parsed and checked *again* the same way, so the reported
form is exactly what was verified.

Against overfitting: the description-length rule
------------------------------------------------
With loose digits almost anything fits (``1.702 = 851/500``; at nine digits
some forty of the proposed formulas for 0.0455399241 pass the residual check,
``exp(384/673 − 784π/673)`` among them).  A form is kept only if it is much
shorter than the digits it explains.  Its *description length* L
(:func:`description_length`) is the number of symbols needed to write it in a
compact notation with one symbol per digit, per constant (π, e), per function
(``√``, ``log``, ``exp``) and per operation (``+ − × ÷ ^``): ``(4−π)/(6π)``
has L = 7, ``√2/√π`` has L = 5, ``log 2`` has L = 2, ``851/500`` has L = 7.  A
form is accepted only if

    L ≤ d − MARGIN,   MARGIN = 2,

with d the significant digits trusted.  Each symbol is one of a dozen or so, so
a form of length L is roughly one of 10ᴸ, and each matches a d-digit number by
chance with probability about 10⁻ᵈ: the rule keeps the expected number of
chance matches near 10⁻² (the proposers search far fewer forms than that count,
so this is conservative).  In particular no accepted form holds a rational with
as many digits as the input.  So ``1.702`` (four digits, L ≤ 2) and
``0.044715`` (five digits, L ≤ 3) have no closed form — nothing that short is
within their half-unit — and ``0.797885`` (six digits) is not yet enough to
call ``√2/√π`` (L = 5), while ``0.7978846`` is.  Checked on 200 random decimals
of 4, 5, 7 and 10 digits: none was given a form.

Ranking: fewest operations (:func:`sympy.count_ops`), then shortest L, then
smallest residual; forms equal to 40 digits are one number (the simplest kept).
"""

from __future__ import annotations

import itertools
import math
import numbers
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import mpmath
import sympy as sp

from approxfit.core.exceptions import InputError
from approxfit.core.expr import Expression, decimal_significant_digits, parse

__all__ = ["DEFAULT_CONSTANTS", "FLOAT_REPR_DIGITS", "FLOAT_ULPS", "MARGIN", "MAX_DIGITS",
           "WORK_DPS", "Identification", "IdentifyReport", "NearMiss", "description_length",
           "identify", "identify_coefficients", "identify_report", "significant_digits"]

DEFAULT_CONSTANTS: tuple[str, ...] = ("pi", "sqrt(2)", "sqrt(pi)", "e", "log(2)")
WORK_DPS = 50
MAX_DIGITS = 40
FLOAT_REPR_DIGITS: tuple[int, ...] = (16, 17)
FLOAT_ULPS = 4
MAX_EXPONENT = 300
NEAR_MISSES = 3
MARGIN = 2
MAX_TEXT = 100
MAX_CONSTANTS = 8
_SAME_NUMBER = mpmath.mpf(10) ** -40      # relative: two forms this close are one number
_PSLQ_MAXCOEFF = 1000
_SIMPLIFY_SLACK = 6
_ALIASES = {"e": "E"}                     # the whitelist spells Euler's number E


@dataclass(frozen=True)
class Identification:
    """A closed form found for a number, and how well it matches.

    Attributes
    ----------
    form : str
        The simplified closed form, sympy-parsable and accepted by
        :func:`approxfit.core.expr.parse`, e.g. ``"(4 - pi)/(6*pi)"``.
    value : float
        The form evaluated with mpmath at 50 digits, rounded to a float.
    residual : float
        ``|form − number|``, the number being the typed decimal, exactly.
    relative_residual : float
        ``residual / |number|`` (0 for the number 0).
    complexity : int
        :func:`sympy.count_ops` of the form.
    length : int
        The description length L, in symbols (see the module docstring).
    digits : int
        The significant digits the number was trusted to.
    tolerance : float
        The absolute tolerance the residual was checked against: half a unit in
        the last trusted digit.
    """

    form: str
    value: float
    residual: float
    relative_residual: float
    complexity: int
    length: int
    digits: int
    tolerance: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"form": self.form, "value": self.value, "residual": self.residual,
                "relative_residual": self.relative_residual, "complexity": self.complexity,
                "length": self.length, "digits": self.digits, "tolerance": self.tolerance}


@dataclass(frozen=True)
class _Reading:
    """A number as read: its exact decimal text, the digits trusted, the tolerance."""

    text: str
    digits: int
    tol_abs: Decimal
    float64: bool


def significant_digits(text: str) -> int:
    """The number of significant digits of a decimal as typed.

    Leading zeros do not count; trailing zeros do (``"1.70"`` has 3).

    Parameters
    ----------
    text : str
        A decimal such as ``"0.0455399241225"`` or ``"4.5e-2"``.

    Returns
    -------
    int
        0 for a zero.

    Raises
    ------
    InputError
        If ``text`` is not a finite decimal number.

    Examples
    --------
    >>> significant_digits("0.0455399241225")
    12
    >>> significant_digits("1.70")
    3
    """
    return _significant(_decimal(text))


_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _decimal(text: str) -> Decimal:
    stripped = text.strip()
    if len(stripped) > MAX_TEXT:
        raise InputError(f"the number is {len(stripped)} characters long; at most {MAX_TEXT} "
                         "are allowed")
    if stripped.lower().lstrip("+-") in ("nan", "inf", "infinity", "snan"):
        raise InputError(f"{_short(text)} is not a finite number; give a decimal such as "
                         "0.0455399241225")
    if not _DECIMAL.fullmatch(stripped):
        # ASCII digits only: Decimal would also take "1_000" and other scripts' digits
        raise InputError(f"{_short(text)} is not a number; give a decimal such as "
                         "0.0455399241225 or 4.5e-2")
    mantissa, _, exponent = stripped.lower().partition("e")
    if exponent and abs(int(exponent)) > 10 * MAX_EXPONENT + len(mantissa):
        # far outside any magnitude accepted, however many zeros the mantissa has;
        # Decimal itself refuses exponents beyond its context's limits
        raise InputError(f"the number {_short(text)} is out of range: closed forms are "
                         f"sought for magnitudes from 1e-{MAX_EXPONENT} to 1e{MAX_EXPONENT}")
    try:
        dec = Decimal(stripped)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        raise InputError(f"{_short(text)} is not a number; give a decimal such as "
                         "0.0455399241225 or 4.5e-2") from None
    return dec


def _significant(dec: Decimal) -> int:
    return decimal_significant_digits(dec)


def _read(value: float | str, digits: int | None) -> _Reading:
    """Validate ``value`` and ``digits``; the decimal, the digits and the tolerance."""
    if digits is not None:
        if (isinstance(digits, bool) or not isinstance(digits, numbers.Integral)
                or not 1 <= digits <= MAX_DIGITS):
            raise InputError(f"`digits` must be a whole number from 1 to {MAX_DIGITS}, got "
                             f"{_short(digits)}")
        digits = int(digits)
    if isinstance(value, str):
        dec = _decimal(value)
        typed = _significant(dec)
        float64 = typed in FLOAT_REPR_DIGITS
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            v = float(value)
        except (OverflowError, ValueError, TypeError):
            raise InputError(f"the number {_short(value)} is out of range: closed forms are "
                             f"sought for magnitudes from 1e-{MAX_EXPONENT} to "
                             f"1e{MAX_EXPONENT}") from None
        if not math.isfinite(v):
            raise InputError(f"the number must be finite, got {v}")
        dec = Decimal(repr(v))
        typed = _significant(dec)
        float64 = True
    else:
        raise InputError(f"the number must be a decimal string or a real number, got "
                         f"{type(value).__name__}")
    dec = dec.normalize() if dec.is_zero() else dec
    used = min(typed, MAX_DIGITS) if digits is None else digits
    if dec.is_zero():
        return _Reading("0", max(used, 1), Decimal(0), False)
    if not -MAX_EXPONENT <= dec.adjusted() <= MAX_EXPONENT:
        raise InputError(f"the number {_short(value)} is out of range: closed forms are "
                         f"sought for magnitudes from 1e-{MAX_EXPONENT} to 1e{MAX_EXPONENT}")
    exponent = dec.adjusted() - used + 1       # the place of the last trusted digit
    tol = Decimal(5).scaleb(exponent - 1)
    if digits is not None or not float64:
        return _Reading(str(dec), used, tol, False)
    # a float64 is good to about an ulp, whatever its printout's last digit says
    ulps = FLOAT_ULPS * Decimal(math.ulp(float(dec)))        # exact: a power of two
    if ulps > tol:
        tol = ulps
        worth = math.floor(dec.adjusted() + 1 - float((2 * tol).log10()))
        used = max(1, min(used, worth))
    return _Reading(str(dec), used, tol, True)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= 24 else text[:20] + "…")


def description_length(expr: sp.Basic) -> int:
    """The description length L of a sympy form: its symbols in compact notation.

    Count the symbols needed to write the form with one symbol per digit,
    constant (π, e), function (``√``, ``log``, ``exp``) and operation
    (``+ − × ÷ ^``), as in ``(4−π)/(6π)``: an integer costs its digits, a
    negative sign 1, a quotient ``n/d`` the cost of both sides plus 1, and a
    product, sum or difference one symbol per operation.

    Examples
    --------
    >>> import sympy as sp
    >>> description_length((4 - sp.pi) / (6 * sp.pi))
    7
    >>> description_length(sp.sqrt(2) / sp.sqrt(sp.pi))
    5
    >>> description_length(sp.log(2))
    2
    """
    if expr.is_Integer:
        n = int(expr)
        return len(str(abs(n))) + (1 if n < 0 else 0)
    if expr.is_Rational:
        return description_length(sp.Integer(expr.p)) + 1 + description_length(
            sp.Integer(expr.q))
    if expr.is_Float:
        return len(repr(float(expr)).replace("-", "").replace(".", "").lstrip("0"))
    if expr.is_NumberSymbol or expr is sp.E:
        return 1
    if expr.is_Add:
        cost = 0
        for term in expr.args:
            cost += description_length(-term if term.could_extract_minus_sign() else term)
        negative = all(t.could_extract_minus_sign() for t in expr.args)
        return cost + len(expr.args) - 1 + (1 if negative else 0)
    if expr.is_Mul:
        if expr.could_extract_minus_sign():
            return 1 + description_length(-expr)
        num, den = sp.fraction(expr)
        if den != 1:
            return description_length(num) + 1 + description_length(den)
        return sum(description_length(a) for a in expr.args) + len(expr.args) - 1
    if expr.is_Pow:
        base, exp = expr.args
        if exp == sp.Rational(1, 2):
            return 1 + description_length(base)
        if exp.is_negative:
            return 2 + description_length(base ** -exp)      # "1/"
        return description_length(base) + 1 + description_length(exp)
    if expr.args:
        return 1 + sum(description_length(a) for a in expr.args)   # a function call
    return 1


def _constants(constants: Sequence[str]) -> list[tuple[str, Expression]]:
    """The base constants, parsed by the whitelist; each must be positive."""
    if isinstance(constants, str) or not isinstance(constants, Sequence):
        raise InputError("`constants` must be a list of formulas such as ('pi', 'sqrt(2)')")
    out: list[tuple[str, Expression]] = []
    for text in constants:
        if not isinstance(text, str):
            raise InputError(f"`constants` must be formulas as text, got {_short(text)}")
        expr = parse(_ALIASES.get(text.strip(), text), what="`constants` entry")
        if not expr.value() > 0:
            raise InputError(f"`constants` entry {_short(text)} must be positive, got "
                             f"{expr.value()}")
        if expr.text not in [t for t, _ in out]:
            out.append((expr.text, expr))
        if len(out) > MAX_CONSTANTS:
            # the pair search grows with the square of their number
            raise InputError(f"`constants` may hold at most {MAX_CONSTANTS} different "
                             "constants")
    return out


def _mp_value(expr: Expression) -> Any:
    """The 50-digit value of a constant formula, or None if it is not a real number."""
    with mpmath.workdps(WORK_DPS):
        try:
            v = expr.evaluate_mp(0)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None
        if isinstance(v, mpmath.mpc):
            if v.imag != 0:
                return None
            v = v.real
        if not mpmath.isfinite(v):
            return None
        return +v


def _pslq_candidates(x: Any, names: list[str], tol: Any) -> Iterator[str]:
    """Forms ``x·m`` and ``(x·m)²`` = rational combinations of 1 and a few constants."""
    values = {n: mpmath.mpf(_mp_value(parse(n)) or 0) for n in names}
    base = [n for n in names if values[n] > 0]
    recip = [f"1/({n})" for n in base]
    values.update({f"1/({n})": 1 / values[n] for n in base})
    singles = base + recip
    mults = ["1", *singles]
    values["1"] = mpmath.mpf(1)
    for m, b in itertools.product(mults, singles):
        t = x * values[m]
        yield from _relation(t, m, [b], values, tol, square=False)
        if not m.startswith("1/"):
            yield from _relation(t * t, m, [b], values, tol, square=True)
    core = [n for n in base if "/" not in n and "*" not in n]
    for a, b in itertools.combinations(core, 2):
        for m in ("1", a, b, f"1/({a})", f"1/({b})"):
            yield from _relation(x * values[m], m, [a, b], values, tol, square=False)


def _relation(t: Any, m: str, basis: list[str], values: Mapping[str, Any], tol: Any, *,
              square: bool) -> Iterator[str]:
    """If ``t`` is a rational combination of 1 and ``basis``, the form of x it gives."""
    scale = max(abs(t), 1)
    try:
        rel = mpmath.pslq([t, mpmath.mpf(1), *[values[b] for b in basis]], tol=tol * scale,
                          maxcoeff=_PSLQ_MAXCOEFF, maxsteps=100)
    except (ValueError, ZeroDivisionError):
        return
    if not rel or rel[0] == 0:
        return
    terms = [f"({-rel[1]})"] + [f"({-r})*({b})" for r, b in zip(rel[2:], basis, strict=True)
                                if r]
    combo = f"({' + '.join(terms)})/({rel[0]})"
    xm = f"sqrt({combo})" if square else combo
    yield xm if m == "1" else f"({xm})/({m})"


def _identify_candidates(x: Any, singles: list[tuple[str, Any]], tol: Any) -> Iterator[str]:
    for name, value in [("", None), *singles]:
        consts = {name: value} if name else {}
        try:
            found = mpmath.identify(x, consts, tol=tol, full=True)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            # TypeError: mpmath 1.3 sorts a None its product search can add
            continue
        yield from found or []


def _nsimplify_candidates(text: str, tol: float) -> Iterator[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e = sp.nsimplify(sp.Float(text, WORK_DPS), tolerance=tol, rational=False)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        return
    yield str(e)


@dataclass(frozen=True)
class _Verified:
    form: str
    expr: sp.Basic
    value: Any
    residual: Any


def _verify(text: str, x: Any, tol_abs: Any) -> _Verified | None:
    """Parse by the whitelist, evaluate at 50 digits, keep if within the tolerance."""
    return _evaluate(text, x, tol_abs)


def _evaluate(text: str, x: Any, tol_abs: Any | None) -> _Verified | None:
    """Parse by the whitelist and evaluate at 50 digits; None if not a real number or
    (``tol_abs`` given) farther than ``tol_abs`` from ``x``."""
    try:
        parsed = parse(text, what="candidate")
    except InputError:
        return None
    if parsed.uses_x:
        return None
    value = _mp_value(parsed)
    if value is None:
        return None
    with mpmath.workdps(WORK_DPS):
        residual = abs(value - x)
        if tol_abs is not None and residual > tol_abs:
            return None
    try:
        expr = parsed.to_sympy()
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None
    if not expr.is_number or expr.has(sp.zoo, sp.nan, sp.oo, sp.I):
        return None
    return _Verified(str(expr), expr, value, residual)


def _simplest(expr: sp.Basic) -> sp.Basic:
    """The form with the fewest operations among a few equivalent rewritings."""
    forms = [expr]
    for rewrite in (sp.simplify, sp.radsimp, sp.together, sp.factor):
        try:
            forms.append(rewrite(expr))
        except (ValueError, TypeError, NotImplementedError, sp.PolynomialError):
            continue
    return min(forms, key=lambda f: (sp.count_ops(f), description_length(f), len(str(f))))


@dataclass(frozen=True)
class NearMiss:
    """A candidate form that was considered and refused, and by how much.

    Attributes
    ----------
    form : str
        The (simplified) candidate, sympy-parsable.
    value : float
        Its value (50-digit evaluation, rounded to a float).
    residual : float
        ``|form − number|``.
    tolerance : float
        The tolerance the residual had to meet.
    length : int
        Its description length L.
    limit : int
        The longest form the digits can support, ``digits − MARGIN``.
    excess : float
        How far from acceptance, ≥ 1: ``max(residual / tolerance, 1)`` times 10
        for every symbol beyond ``limit`` (a symbol is worth about a digit: see
        the module docstring). Near misses are listed smallest first.
    """

    form: str
    value: float
    residual: float
    tolerance: float
    length: int
    limit: int
    excess: float

    def describe(self) -> str:
        """One phrase: why the form was refused."""
        parts = []
        if self.residual > self.tolerance:
            parts.append(f"off by {self.residual:.2g} ({self.residual / self.tolerance:.3g}× "
                         "the tolerance)")
        else:
            parts.append("within the tolerance")
        if self.length > self.limit:
            parts.append(f"{_symbols(self.length)}, at most {max(self.limit, 0)} allowed")
        return f"{self.form} = {self.value:.17g}: " + ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"form": self.form, "value": self.value, "residual": self.residual,
                "tolerance": self.tolerance, "length": self.length, "limit": self.limit,
                "excess": self.excess}


def _symbols(n: int) -> str:
    return f"{n} symbol" if n == 1 else f"{n} symbols"


@dataclass(frozen=True)
class IdentifyReport:
    """What :func:`identify_report` found for a number, and what it refused.

    Attributes
    ----------
    number : str
        The number as given (a float through its ``repr``).
    digits : int
        The significant digits it was trusted to.
    tolerance : float
        The absolute tolerance every form had to meet.
    float64 : bool
        Whether it was read as a float64 (tolerance at least :data:`FLOAT_ULPS` ulps).
    identifications : tuple of Identification
        Accepted forms, best first (empty: no closed form).
    near_misses : tuple of NearMiss
        The closest refused candidates, closest first (listed whatever was found).
    """

    number: str
    digits: int
    tolerance: float
    float64: bool
    identifications: tuple[Identification, ...]
    near_misses: tuple[NearMiss, ...]

    @property
    def limit(self) -> int:
        """The longest form (in symbols) the digits support."""
        return self.digits - MARGIN

    def summary(self) -> str:
        """The forms found, one a line; or the refusal with its near misses."""
        if self.identifications:
            return "\n".join(
                f"{self.number} ≈ {f.form}   (= {f.value:.17g}, residual {f.residual:.2e}, "
                f"tolerance {f.tolerance:.1e})" for f in self.identifications)
        how = " (read as a float64: ±" if self.float64 else " (±"
        lines = [f"{self.number}: no closed form within the digits given{how}"
                 f"{self.tolerance:.1e}, {self.digits} significant digits, so at most "
                 f"{_symbols(max(self.limit, 0))})"]
        if self.near_misses:
            lines.append("  nearest candidates considered:")
            lines += [f"    {m.describe()}" for m in self.near_misses]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"number": self.number, "digits": self.digits, "tolerance": self.tolerance,
                "float64": self.float64, "length_limit": self.limit,
                "identifications": [f.to_dict() for f in self.identifications],
                "near_misses": [m.to_dict() for m in self.near_misses]}


def identify(value: float | str, *, digits: int | None = None,
             constants: Sequence[str] = DEFAULT_CONSTANTS,
             max_results: int = 3) -> list[Identification]:
    """Closed forms that a decimal number is, within its printed digits.

    Parameters
    ----------
    value : str or float
        The number.  As a string its significant digits set the tolerance (half a
        unit in the last digit typed); a float, or a string of 16 or 17 digits (a
        float64's printout), is trusted to :data:`FLOAT_ULPS` ulps at best.
    digits : int, optional
        Trust the number to this many significant digits instead (1 …
        :data:`MAX_DIGITS`).
    constants : sequence of str
        Base constants as whitelist formulas; ``"e"`` means Euler's number.
        Each must be positive.
    max_results : int
        At most this many forms, best first.

    Returns
    -------
    list of Identification
        Verified forms, fewest operations first; empty when nothing short enough
        matches (see the description-length rule in the module docstring;
        :func:`identify_report` also says what was refused).

    Raises
    ------
    InputError
        If ``value`` is not a finite number in range, ``digits`` or ``max_results``
        is out of range, or a constant is not a positive whitelist formula.

    Examples
    --------
    >>> identify("0.0455399241225")[0].form
    '(4 - pi)/(6*pi)'
    >>> identify("0.045539924122527116")[0].form
    '(4 - pi)/(6*pi)'
    >>> identify("0.7978845608")[0].form
    'sqrt(2)/sqrt(pi)'
    >>> identify("0.044715")
    []
    """
    return list(identify_report(value, digits=digits, constants=constants,
                                max_results=max_results, near_misses=0).identifications)


def identify_report(value: float | str, *, digits: int | None = None,
                    constants: Sequence[str] = DEFAULT_CONSTANTS, max_results: int = 3,
                    near_misses: int = NEAR_MISSES) -> IdentifyReport:
    """:func:`identify`, with how the number was read and the near misses it refused.

    Parameters
    ----------
    value, digits, constants, max_results
        As for :func:`identify`.
    near_misses : int
        At most this many refused candidates, closest first (0: none).

    Returns
    -------
    IdentifyReport

    Raises
    ------
    InputError
        As for :func:`identify`, and if ``near_misses`` is negative.

    Examples
    --------
    >>> rep = identify_report("0.044715")
    >>> rep.identifications, rep.digits
    ((), 5)
    >>> all(m.excess > 1 for m in rep.near_misses)
    True
    """
    reading = _read(value, digits)
    if (isinstance(max_results, bool) or not isinstance(max_results, numbers.Integral)
            or max_results < 1):
        raise InputError(f"`max_results` must be a positive whole number, got "
                         f"{_short(max_results)}")
    if (isinstance(near_misses, bool) or not isinstance(near_misses, numbers.Integral)
            or near_misses < 0):
        raise InputError(f"`near_misses` must be a whole number ≥ 0, got {_short(near_misses)}")
    max_results, near_misses = int(max_results), int(near_misses)
    base = _constants(constants)
    number = value if isinstance(value, str) else repr(float(value))
    if reading.tol_abs == 0:
        zero = Identification("0", 0.0, 0.0, 0.0, 0, 0, reading.digits, 0.0)
        return IdentifyReport(number, reading.digits, 0.0, False, (zero,), ())
    # mpf arithmetic rounds to the context's precision: keep the checks at 50 digits
    with mpmath.workdps(WORK_DPS):
        x = mpmath.mpf(reading.text)
        tol_abs = mpmath.mpf(str(reading.tol_abs))
        tol_rel = tol_abs / abs(x)
        sign = -1 if x < 0 else 1
        magnitude = abs(x)
    proposals = _propose(magnitude, reading, tol_rel, base)
    with mpmath.workdps(WORK_DPS):
        found, missed = _accept(proposals, magnitude, sign, reading, tol_abs, max_results,
                                near_misses)
    return IdentifyReport(number, reading.digits, float(reading.tol_abs), reading.float64,
                          tuple(found), tuple(missed))


def _propose(x: Any, reading: _Reading, tol_rel: Any,
             base: list[tuple[str, Expression]]) -> list[str]:
    """Candidate formulas for the positive number ``x`` (unverified text)."""
    names = [t for t, _ in base]
    if "pi" in names:
        names += ["sqrt(2/pi)", "sqrt(2*pi)"]
    gen_dps = max(20, reading.digits + 15)
    out: list[str] = []
    with mpmath.workdps(gen_dps):
        xg = mpmath.mpf(x)
        # a proposer's tolerance is looser than the check: a relation's coefficients
        # (up to ~100) multiply the error of the typed digits
        tol = max(100 * mpmath.mpf(tol_rel), mpmath.mpf(10) ** (12 - gen_dps))
        singles = [(t, _mp_value(e)) for t, e in base]
        out += _identify_candidates(xg, [(n, v) for n, v in singles if v is not None], tol)
        out += _pslq_candidates(xg, names, tol)
    out += _nsimplify_candidates(mpmath.nstr(x, WORK_DPS), float(tol_rel * 10))
    return list(dict.fromkeys(out))


def _excess(residual: Any, tol_abs: Any, length: int, limit: int) -> float:
    """How far a form is from acceptance (≤ 1: accepted); see :class:`NearMiss`."""
    return float(max(residual / tol_abs, 1)) * 10.0 ** max(0, length - limit)


def _accept(proposals: Iterable[str], x: Any, sign: int, reading: _Reading, tol_abs: Any,
            max_results: int, near_misses: int
            ) -> tuple[list[Identification], list[NearMiss]]:
    limit = reading.digits - MARGIN
    verified: dict[str, _Verified] = {}
    refused: dict[str, tuple[float, _Verified]] = {}
    for text in proposals:
        v = _evaluate(text, x, None)
        if v is None:
            continue
        length = description_length(v.expr)
        # a loose first cut: simplifying rarely shortens a form by more than this
        if v.residual <= tol_abs and length <= limit + _SIMPLIFY_SLACK:
            verified.setdefault(v.form, v)
        elif near_misses:
            refused.setdefault(v.form, (_excess(v.residual, tol_abs, length, limit), v))
    found: list[tuple[tuple[Any, ...], Identification, Any]] = []
    for v in verified.values():
        simple = _simplest(sign * v.expr)
        final = _verify(str(simple), sign * x, tol_abs)
        if final is None:
            final = _verify(str(sign * v.expr), sign * x, tol_abs)
        if final is None:
            continue
        length = description_length(final.expr)
        if length > limit:
            if near_misses:
                refused[final.form] = (_excess(final.residual, tol_abs, length, limit), final)
            continue
        complexity = int(sp.count_ops(final.expr))
        with mpmath.workdps(WORK_DPS):
            ident = Identification(
                form=final.form, value=float(final.value), residual=float(final.residual),
                relative_residual=float(final.residual / x), complexity=complexity,
                length=length, digits=reading.digits, tolerance=float(tol_abs))
        found.append(((complexity, length, final.residual, final.form), ident, final.value))
    found.sort(key=lambda item: item[0])
    kept: list[Identification] = []
    values: list[Any] = []
    with mpmath.workdps(WORK_DPS):
        for _, ident, value in found:
            if any(abs(value - w) <= _SAME_NUMBER * abs(w) for w in values):
                continue
            kept.append(ident)
            values.append(value)
    kept = kept[:max_results]
    return kept, _near_misses(refused, x, sign, tol_abs, limit, values, near_misses)


def _near_misses(refused: Mapping[str, tuple[float, _Verified]], x: Any, sign: int,
                 tol_abs: Any, limit: int, accepted: list[Any], count: int) -> list[NearMiss]:
    """The ``count`` refused candidates closest to acceptance, simplified, one per number."""
    if not count:
        return []
    # simplifying costs ~0.1 s a form: only the closest few (by their raw length)
    closest = sorted(refused.values(), key=lambda item: (item[0], item[1].form))[:2 * count]
    out: list[tuple[float, str, NearMiss, Any]] = []
    for _, v in closest:
        signed = sign * v.expr
        simple = _evaluate(str(_simplest(signed)), sign * x, None) or \
            _evaluate(str(signed), sign * x, None)
        if simple is None or simple.expr.has(sp.Float):     # the decimal itself
            continue
        length = description_length(simple.expr)
        excess = _excess(simple.residual, tol_abs, length, limit)
        if excess <= 1:          # simplified into an accepted form: not a miss
            continue
        miss = NearMiss(form=simple.form, value=float(simple.value),
                        residual=float(simple.residual), tolerance=float(tol_abs),
                        length=length, limit=limit, excess=excess)
        out.append((excess, simple.form, miss, simple.value))
    out.sort(key=lambda item: (item[0], item[1]))
    kept: list[NearMiss] = []
    values = [sign * a for a in accepted]
    for _, _, miss, value in out:
        if any(abs(value - w) <= _SAME_NUMBER * abs(w) for w in values):
            continue
        kept.append(miss)
        values.append(value)
    return kept[:count]


def identify_coefficients(coefs: Mapping[str, float], *, digits: int = 9,
                          constants: Sequence[str] = DEFAULT_CONSTANTS
                          ) -> dict[str, Identification | None]:
    """The simplest closed form of each coefficient, or None.

    Parameters
    ----------
    coefs : mapping
        ``{"c1": 0.7978845608028654, "a3": 0.0455399241225…}``, e.g. a fit's or a
        Taylor match's coefficients.
    digits : int
        Significant digits each coefficient is trusted to (a fitted coefficient is
        rarely known to more; a Taylor coefficient is good to ~15).
    constants : sequence of str
        Base constants, as for :func:`identify`.

    Returns
    -------
    dict
        The same keys; each value the best :class:`Identification` or None.

    Raises
    ------
    InputError
        If a coefficient is not a finite number or ``digits`` is out of range.

    Examples
    --------
    >>> identify_coefficients({"c1": 0.7978845608028654, "c3": 0.0357})["c1"].form
    'sqrt(2)/sqrt(pi)'
    """
    if not isinstance(coefs, Mapping):
        raise InputError(f"`coefs` must be a mapping of names to numbers, got "
                         f"{type(coefs).__name__}")
    out: dict[str, Identification | None] = {}
    for name, value in coefs.items():
        if isinstance(value, str):
            raise InputError(f"`coefs` {name!r} must be a number, got {value!r}")
        found = identify(value, digits=digits, constants=constants, max_results=1)
        out[name] = found[0] if found else None
    return out
