"""Where does a published constant come from?  Search the fitting procedures.

:func:`provenance` takes an approximant of the tanh, sigmoid or poly family — a
published name such as ``paper-tanh``, an inline spec, or an
:class:`~approxfit.approximants.approximant.Approximant` — and refits its family, with the
same powers, by every *procedure* of a small grid:

=========  ==========================================================
axis       values (defaults)
=========  ==========================================================
objective  ``l2``, ``minimax``
on         ``gate``, ``value`` (poly: its own base only)
slope      ``fixed`` (c1 held at the approximant's own c1), ``free``
sampling   ``uniform``, ``chebyshev`` (``samples`` points)
range      symmetric ``[−R, R]``, R in 1, 2, 3, 4, 5, 6, 8, 10
=========  ==========================================================

Each fitted constant is compared with the published one *to every printed
digit*: it agrees when it rounds (half to even) to the printed decimal at the
printed last place.  The printed digits come from :data:`PRINTED` for the
published approximants, from the text typed for an inline spec
(``tanh:c1=sqrt(2/pi),a3=0.044715`` prints a3 = ``0.044715``), else from the
``repr`` of each coefficient.  A coefficient given *exactly* (paper-tanh's
c1 = √(2/π), or a formula in an inline spec) has no printed digits; a fit with a
free slope must then match it to as many significant digits as the longest
printed constant has (for paper-tanh: 5, so c1 must round to 0.79788).  A fixed
coefficient is not compared.

A constant of the scaled form (``a3`` of ``p = c1·(x + a3·x³)``) is compared as
the fitted ``c3/c1``; a ``c`` constant as the fitted coefficient.  Powers the
family's parity would add but the approximant lacks (c3 of ``c1·x + c5·x⁵``) are
held at 0.

The result lists every procedure with its fitted constants and how many
leading digits of each match, the procedures that reproduce every printed digit,
and — when none does — the nearest miss (smallest largest relative deviation).
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import numpy as np

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.families import FAMILIES, powers_for
from approxfit.approximants.published import ClosedFormApproximant
from approxfit.approximants.spec import parse_spec
from approxfit.core.checks import check_str, shown
from approxfit.core.exceptions import ApproxfitError, ComputationError, InputError
from approxfit.core.expr import decimal_significant_digits
from approxfit.core.grids import make_grid
from approxfit.fitting.fit import OBJECTIVES, ONS, fit

__all__ = ["PRINTED", "SAMPLINGS", "SHIPPED_NAMES", "SLOPES", "CoefficientBits",
           "ConstantMatch", "Procedure", "ProvenanceResult", "Recipe", "RecipeResult",
           "ShippedProvenance", "agrees_printed", "bits_agreeing", "bits_text", "check_work",
           "digits_matched", "printed_digits", "provenance", "shipped_provenance"]

#: The constants as the sources print them (the published approximants' other
#: coefficients are exact: c1 = √(2/π) for the tanh forms).
PRINTED: dict[str, dict[str, str]] = {
    "paper-tanh": {"a3": "0.044715"},
    "paper-sigmoid": {"c1": "1.702"},
    "bowling-2009": {"c1": "1.5976", "c3": "0.07056"},
    "seed-alt-tanh": {"a3": "0.04498017"},
    "seed-alt-sigmoid": {"c1": "1.656577"},
    "seed-free-tanh": {"c1": "0.797885", "c3": "0.035677"},
}
SLOPES: tuple[str, ...] = ("fixed", "free")
SAMPLINGS: tuple[str, ...] = ("uniform", "chebyshev")
DEFAULT_RANGES: tuple[float, ...] = (1, 2, 3, 4, 5, 6, 8, 10)
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NAME = re.compile(r"^([ca])(\d{1,3})$")

ProgressFn = Callable[[int, int, str], None]

MAX_POINTS = 20_000_000
"""The most points (``samples`` × procedures) one :func:`provenance` search fits:
the default search of paper-tanh fits 128 procedures × 4001 points ≈ 5e5."""
SECONDS_PER_POINT = 5e-6
"""Rough time to fit one point of one procedure: measured 4.8 µs at 400 001 samples on
a shared 2-core machine (16 procedures of paper-tanh in 31 s); the estimate in
:func:`check_work`'s message, not a promise."""


# -- printed digits -------------------------------------------------------------------

def _decimal(text: str) -> Decimal:
    try:
        dec = Decimal(text.strip())
    except InvalidOperation:
        raise InputError(f"printed constant {text!r} is not a decimal number") from None
    if not dec.is_finite():
        raise InputError(f"printed constant {text!r} is not finite")
    return dec


def _significant(dec: Decimal) -> int:
    return decimal_significant_digits(dec)


def _round_at(value: float, place: int) -> Decimal:
    """``value`` rounded half to even at the decimal place ``10**place``."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(place), ROUND_HALF_EVEN)


def agrees_printed(value: float, printed: str) -> bool:
    """Whether ``value`` rounds to ``printed`` at its last printed digit.

    Examples
    --------
    >>> agrees_printed(0.0447149111, "0.044715")
    True
    >>> agrees_printed(0.0448465, "0.044715")
    False
    """
    if not math.isfinite(value):
        return False
    dec = _decimal(printed)
    return _round_at(value, dec.as_tuple().exponent) == dec


def digits_matched(value: float, printed: str) -> int:
    """How many leading significant digits of ``printed`` the value reproduces.

    The largest n ≤ (digits printed) such that ``value`` and ``printed``, both
    rounded at the n-th significant place of ``printed``, are equal; 0 if none.

    Examples
    --------
    >>> digits_matched(0.0448465, "0.044715")
    2
    """
    if not math.isfinite(value):
        return 0
    dec = _decimal(printed)
    total = _significant(dec)
    for n in range(total, 0, -1):
        place = dec.adjusted() - n + 1
        if _round_at(value, place) == dec.quantize(Decimal(1).scaleb(place), ROUND_HALF_EVEN):
            return n
    return 0


def _at_digits(value: float, n: int) -> str:
    """``value`` as a decimal of ``n`` significant digits."""
    dec = Decimal(repr(float(value)))
    if dec.is_zero():
        return "0"
    return str(dec.quantize(Decimal(1).scaleb(dec.adjusted() - n + 1), ROUND_HALF_EVEN))


def _inline_printed(spec: str) -> dict[str, str]:
    """The decimal literals of an inline spec ``FAMILY:NAME=EXPR,…``, by name."""
    if ":" not in spec:
        return {}
    out = {}
    for item in spec.partition(":")[2].split(","):
        name, _, expr = item.partition("=")
        name, expr = name.strip(), expr.strip().lstrip("+")
        if _NAME.match(name) and _DECIMAL.match(expr):
            out[name] = expr
    return out


def printed_digits(approx: Approximant, text: str | None = None) -> dict[str, str]:
    """The printed constants of an approximant, ``{"a3": "0.044715"}``.

    Parameters
    ----------
    approx : Approximant
    text : str, optional
        What the user typed (a published name or an inline spec); default: the
        approximant's name.

    Returns
    -------
    dict
        From :data:`PRINTED` for a published name; the decimal literals of an
        inline spec; else ``repr`` of every coefficient.
    """
    key = (text if text is not None else approx.name).strip()
    if key in PRINTED:
        return dict(PRINTED[key])
    found = _inline_printed(key)
    if found:
        return found
    return {name: repr(value) for name, value in approx.coefficients.items()}


# -- results --------------------------------------------------------------------------

def _finite_or_none(v: float) -> float | None:
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class ConstantMatch:
    """One fitted constant against its published digits.

    Attributes
    ----------
    name : str
        ``c1``, ``c3``, ``a3``, …
    printed : str
        The published decimal (for an exact constant: its value at the digits
        compared).
    fitted : float
        The procedure's value (NaN if the fit failed).
    digits_printed, digits_matched : int
        Significant digits printed, and how many leading ones the fit reproduces.
    relative_deviation : float
        ``|fitted − printed| / |printed|``.
    agrees : bool
        Every printed digit reproduced.
    exact : bool
        The published constant is exact, compared at ``digits_printed`` digits.
    """

    name: str
    printed: str
    fitted: float
    digits_printed: int
    digits_matched: int
    relative_deviation: float
    agrees: bool
    exact: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN and infinity as null)."""
        return {"name": self.name, "printed": self.printed,
                "fitted": _finite_or_none(self.fitted),
                "digits_printed": self.digits_printed, "digits_matched": self.digits_matched,
                "relative_deviation": _finite_or_none(self.relative_deviation),
                "agrees": self.agrees, "exact": self.exact}


@dataclass(frozen=True)
class Procedure:
    """One fitting procedure and what it gave.

    Attributes
    ----------
    objective : {"l2", "minimax"}
    on : {"gate", "value"}
    slope : {"fixed", "free"}
        Whether c1 was held at the approximant's own c1.
    sampling : {"uniform", "chebyshev"}
    half_width : float
        R of the range ``[−R, R]``.
    samples : int
    fixed : dict
        The coefficients held fixed and their values.
    coefficients, scaled : dict
        The fitted coefficients (fixed ones included) and ``a_k = c_k/c1``.
    matches : tuple of ConstantMatch
        The compared constants.
    reproduces : bool
        Every compared constant agrees to every printed digit.
    max_relative_deviation : float
        The largest relative deviation of a compared constant (inf if failed).
    converged : bool
    max_abs_error : float
        Largest error of the fit on its samples, on the quantity fitted.
    error : str or None
        Why the fit failed, if it did.
    """

    objective: str
    on: str
    slope: str
    sampling: str
    half_width: float
    samples: int
    fixed: dict[str, float]
    coefficients: dict[str, float]
    scaled: dict[str, float]
    matches: tuple[ConstantMatch, ...]
    reproduces: bool
    max_relative_deviation: float
    converged: bool
    max_abs_error: float
    error: str | None = None

    @property
    def kind(self) -> str:
        """The procedure without its range, e.g. ``minimax on the gate, c1 fixed``."""
        return f"{self.objective} on the {self.on}, c1 {self.slope}, {self.sampling}"

    @property
    def label(self) -> str:
        """The procedure, one line: ``minimax on the gate, c1 fixed, uniform, R = 3``."""
        return f"{self.kind}, R = {self.half_width:g}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"objective": self.objective, "on": self.on, "slope": self.slope,
                "sampling": self.sampling, "range": [-self.half_width, self.half_width],
                "samples": self.samples, "fixed": dict(self.fixed),
                "coefficients": dict(self.coefficients), "scaled": dict(self.scaled),
                "matches": [m.to_dict() for m in self.matches],
                "reproduces": self.reproduces,
                "max_relative_deviation": _finite_or_none(self.max_relative_deviation),
                "converged": self.converged,
                "max_abs_error": _finite_or_none(self.max_abs_error), "error": self.error}


@dataclass(frozen=True)
class ProvenanceResult:
    """Which fitting procedures reproduce an approximant's published constants.

    Attributes
    ----------
    name : str
        The approximant (published name or spec).
    target, family : str
    powers : tuple of int
    printed : dict
        The published constants compared, ``{"a3": "0.044715"}``.
    exact : dict
        Exact constants compared in free-slope fits, at the digits shown.
    procedures : tuple of Procedure
        Every procedure tried, in a fixed order.
    reproducing : tuple of Procedure
        Those that reproduce every printed digit.
    nearest_miss : Procedure or None
        The smallest largest relative deviation, when none reproduces.
    skipped : tuple of str
        What was not tried, and why.
    """

    name: str
    target: str
    family: str
    powers: tuple[int, ...]
    printed: dict[str, str]
    exact: dict[str, str]
    procedures: tuple[Procedure, ...]
    reproducing: tuple[Procedure, ...]
    nearest_miss: Procedure | None
    skipped: tuple[str, ...] = ()

    @property
    def reproduced(self) -> bool:
        """Whether any procedure reproduces every printed digit."""
        return bool(self.reproducing)

    def groups(self) -> dict[str, list[float]]:
        """The reproducing procedures by kind, with the ranges R of each."""
        out: dict[str, list[float]] = {}
        for p in self.reproducing:
            out.setdefault(p.kind, []).append(p.half_width)
        return out

    def summary(self) -> str:
        """One line: what reproduces the constants, or the nearest miss."""
        consts = ", ".join(f"{k} = {v}" for k, v in self.printed.items())
        if self.reproducing:
            parts = [f"{kind} (R = {', '.join(f'{r:g}' for r in rs)})"
                     for kind, rs in self.groups().items()]
            return f"{self.name}: {consts} is reproduced by " + "; ".join(parts)
        if self.nearest_miss is None:
            return f"{self.name}: no procedure could be fitted"
        m = self.nearest_miss
        got = ", ".join(f"{c.name} = {c.fitted:.10g} ({c.digits_matched}/{c.digits_printed} "
                        "digits)" for c in m.matches)
        return (f"{self.name}: no procedure reproduces {consts}; nearest: {m.label}: {got}, "
                f"largest relative deviation {m.max_relative_deviation:.2e}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (deterministic: no timings)."""
        return {"kind": "provenance", "name": self.name, "target": self.target,
                "family": self.family, "powers": list(self.powers),
                "printed": dict(self.printed), "exact": dict(self.exact),
                "reproduced": self.reproduced,
                "reproducing": [p.to_dict() for p in self.reproducing],
                "groups": self.groups(),
                "nearest_miss": None if self.nearest_miss is None
                else self.nearest_miss.to_dict(),
                "procedures": [p.to_dict() for p in self.procedures],
                "skipped": list(self.skipped), "summary": self.summary()}


# -- the search -----------------------------------------------------------------------

def _subset(values: Sequence[str], allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise InputError(f"`{what}` must be a non-empty list drawn from {', '.join(allowed)}")
    for v in values:
        if v not in allowed:
            raise InputError(f"`{what}`: unknown {what[:-1]} {v!r}; choose from "
                             f"{', '.join(allowed)}")
    return tuple(dict.fromkeys(values))


def _ranges(ranges: Sequence[float]) -> tuple[float, ...]:
    if isinstance(ranges, str) or not isinstance(ranges, Sequence) or not ranges:
        raise InputError("`ranges` must be a non-empty list of half-widths R > 0")
    out = []
    for r in ranges:
        if isinstance(r, bool) or not isinstance(r, int | float):
            raise InputError(f"`ranges` must be numbers, got {r!r}")
        if not (math.isfinite(r) and r > 0):
            raise InputError(f"each `ranges` half-width R must be a positive finite number, "
                             f"got {r!r}")
        out.append(float(r))
    return tuple(dict.fromkeys(out))


def _resolve(approx: str | Approximant | ClosedFormApproximant, target: str | None
             ) -> tuple[Approximant, str]:
    if target is not None and not isinstance(target, str):
        raise InputError(f"`target` must be a target's name (str) or None, got "
                         f"{type(target).__name__}")
    if not isinstance(approx, str | Approximant | ClosedFormApproximant):
        raise InputError(f"`approx` must be a published name, a spec (str) or an "
                         f"approximant, got {type(approx).__name__}")
    if isinstance(approx, str):
        text = approx.strip()
        resolved = parse_spec(text, target=target)
    else:
        resolved, text = approx, approx.name
    if resolved.family not in FAMILIES:
        raise InputError(f"provenance needs an approximant of the {', '.join(FAMILIES)} "
                         f"family; {resolved.name!r} is a {resolved.family} "
                         f"({resolved.describe()})")
    return resolved, text


def _parity(powers: tuple[int, ...]) -> str:
    if all(k % 2 for k in powers):
        return "odd"
    if not any(k % 2 for k in powers):
        return "even"
    return "none"


def _power(name: str) -> int:
    m = _NAME.match(name)
    if m is None:
        raise InputError(f"`printed` constant name {name!r} must be c<k> or a<k>")
    return int(m.group(2))


def _compare(name: str, printed: str, fitted: float, *, exact: bool) -> ConstantMatch:
    target = float(_decimal(printed))
    dev = abs(fitted - target) / abs(target) if target != 0 else abs(fitted)
    dev = dev if math.isfinite(dev) else math.inf
    return ConstantMatch(name, printed, fitted, _significant(_decimal(printed)),
                         digits_matched(fitted, printed), dev,
                         agrees_printed(fitted, printed), exact)


def provenance(approx: str | Approximant | ClosedFormApproximant, *,
               target: str | None = None,
               ranges: Sequence[float] = DEFAULT_RANGES, samples: int = 4001,
               objectives: Sequence[str] = OBJECTIVES, ons: Sequence[str] = ONS,
               slopes: Sequence[str] = SLOPES, samplings: Sequence[str] = SAMPLINGS,
               printed: Mapping[str, str] | None = None,
               progress: ProgressFn | None = None) -> ProvenanceResult:
    """Search the fitting procedures that reproduce an approximant's printed constants.

    Parameters
    ----------
    approx : str or Approximant
        A published name (``"paper-tanh"``), an inline spec
        (``"tanh:c1=sqrt(2/pi),a3=0.044715"``), a saved fit ``FILE.json``, or an
        approximant object.  Closed forms (``ibert``, ``as-7.1.26``) have no
        family to refit and are refused.
    target : str, optional
        The target of an inline spec (default gelu); see
        :func:`approxfit.approximants.spec.parse_spec`.
    ranges : sequence of float
        Half-widths R of the symmetric ranges ``[−R, R]``.
    samples : int
        Points per grid.
    objectives, ons, slopes, samplings : sequence of str
        The procedures' axes (see the module docstring).
    printed : mapping, optional
        The published constants and their digits, ``{"a3": "0.044715"}``;
        default: :func:`printed_digits`.
    progress : callable, optional
        Called after each procedure as ``progress(done, total, label)``.

    Returns
    -------
    ProvenanceResult

    Raises
    ------
    InputError
        For a closed-form approximant, a malformed spec, or an argument out of
        range (the message names it).

    Examples
    --------
    >>> r = provenance("paper-tanh", ranges=(5,), objectives=("minimax",), ons=("gate",),
    ...                slopes=("fixed",), samplings=("uniform",))
    >>> r.reproduced, round(r.procedures[0].scaled["a3"], 7)
    (True, 0.0447149)
    """
    resolved, text = _resolve(approx, target)
    radii = _ranges(ranges)
    objectives = _subset(objectives, OBJECTIVES, "objectives")
    ons = _subset(ons, ONS, "ons")
    slopes = _subset(slopes, SLOPES, "slopes")
    samplings = _subset(samplings, SAMPLINGS, "samplings")
    powers = tuple(resolved.powers)
    if isinstance(samples, bool) or not isinstance(samples, int):
        raise InputError(f"`samples` must be a whole number, got {shown(samples)}")
    if printed is not None and (not isinstance(printed, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in printed.items())):
        raise InputError("`printed` must map constant names to their printed digits (str "
                         "to str), e.g. {'a3': '0.044715'}")
    if progress is not None and not callable(progress):
        raise InputError(f"`progress` must be callable or None, got {type(progress).__name__}")
    if samples < len(powers) + 2:
        raise InputError(f"`samples` must be at least the number of coefficients + 2 "
                         f"({len(powers) + 2}), got {samples}")
    make_grid(-1.0, 1.0, samples=samples)             # validates samples

    fam = resolved.family_obj
    pub = dict(printed_digits(resolved, text) if printed is None else printed)
    if not pub:
        raise InputError("`printed` must name at least one constant, e.g. {'a3': '0.044715'}")
    for name, value in pub.items():
        k = _power(name)
        scaled_ok = fam.scaled and 1 in powers and k != 1
        if k not in powers or (name.startswith("a") and not scaled_ok):
            raise InputError(f"`printed` constant {name!r} is not a coefficient of "
                             f"{resolved.name or 'the approximant'} "
                             f"({', '.join(resolved.coefficients)})")
        _decimal(value)
    covered = {_power(n) for n in pub}
    width = max(_significant(_decimal(v)) for v in pub.values())
    exact = {f"c{k}": _at_digits(c, width) for k, c in zip(powers, resolved.coef, strict=True)
             if k not in covered}

    skipped = []
    if "fixed" in slopes and not (1 in powers and len(powers) > 1):
        slopes = tuple(s for s in slopes if s != "fixed")
        skipped.append("fixed slope: the approximant needs a c1 and another coefficient")
    elif "fixed" in slopes and "c1" in pub:
        # c1 is itself a printed (fitted) constant: holding it at its printed value
        # and then "reproducing" the rest would be circular evidence.
        slopes = tuple(s for s in slopes if s != "fixed")
        skipped.append("fixed slope: c1 is one of the printed constants, so fixing it "
                       "would assume what is to be reproduced")
    if not fam.gated:
        own = [o for o in ons if o == resolved.base]
        if len(own) != len(ons):
            skipped.append(f"on the {'gate' if resolved.base == 'value' else 'value'}: a "
                           f"{fam.name} approximant of the {resolved.base} is refitted on its "
                           f"{resolved.base} only")
        ons = tuple(own)
    if not slopes or not ons:
        raise InputError("no procedure left to try: " + "; ".join(skipped))

    degree, parity = max(powers), _parity(powers)
    zeros = {f"c{k}": 0.0 for k in powers_for(degree, parity) if k not in powers}
    c1 = resolved.coefficients.get("c1")
    combos = list(itertools.product(objectives, ons, slopes, samplings, radii))
    check_work(samples, len(combos))
    procedures: list[Procedure] = []
    for i, (objective, on, slope, sampling, radius) in enumerate(combos):
        fixed = dict(zeros)
        if slope == "fixed" and c1 is not None:
            fixed["c1"] = float(c1)
        compare = {n: (v, False) for n, v in pub.items()}
        compare.update({n: (v, True) for n, v in exact.items()})
        if slope == "fixed":
            compare = {n: v for n, v in compare.items() if n != "c1"}
        proc = _run(resolved, objective, on, slope, sampling, radius, samples, degree,
                    parity, fixed, compare)
        procedures.append(proc)
        if progress is not None:
            progress(i + 1, len(combos), proc.label)

    reproducing = tuple(p for p in procedures if p.reproduces)
    ran = [p for p in procedures if p.error is None]
    nearest = None
    if not reproducing and ran:
        nearest = min(ran, key=lambda p: p.max_relative_deviation)
    return ProvenanceResult(
        name=text or resolved.name or resolved.describe(), target=resolved.target_name,
        family=resolved.family, powers=powers, printed=pub, exact=exact,
        procedures=tuple(procedures), reproducing=reproducing, nearest_miss=nearest,
        skipped=tuple(skipped))


def check_work(samples: int, procedures: int) -> None:
    """Refuse a search of more than :data:`MAX_POINTS` points in all, with an estimate.

    The work of :func:`provenance` is one fit per procedure over ``samples`` points;
    its time grows with ``samples × procedures`` (:data:`SECONDS_PER_POINT`).

    Raises
    ------
    InputError
        Naming ``samples``, with the points asked for, the time they would take and
        the largest ``samples`` the budget allows for this many procedures.
    """
    points = samples * procedures
    if points <= MAX_POINTS:
        return
    most = MAX_POINTS // procedures
    raise InputError(
        f"`samples` = {samples} for {procedures} procedures is {points:.3g} points to fit, "
        f"about {_duration(points * SECONDS_PER_POINT)}; the limit is {MAX_POINTS:.0e} "
        f"points (about {_duration(MAX_POINTS * SECONDS_PER_POINT)}): give at most "
        f"{most} samples, or search fewer procedures")


def _duration(seconds: float) -> str:
    """``"2 min"``, ``"1.8 h"``: a rough duration."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _run(approx: Approximant, objective: str, on: str, slope: str, sampling: str,
         radius: float, samples: int, degree: int, parity: str, fixed: dict[str, float],
         compare: Mapping[str, tuple[str, bool]]) -> Procedure:
    """Fit one procedure and compare its constants with the printed ones."""
    grid = make_grid(-radius, radius, samples=samples, grid=sampling)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fit(approx.target_obj, approx.family, grid, degree=degree, parity=parity,
                    fix=fixed or None, objective=objective, on=on)
    except ApproxfitError as exc:
        matches = tuple(_compare(n, v, math.nan, exact=e) for n, (v, e) in compare.items())
        return Procedure(objective, on, slope, sampling, radius, grid.size, fixed, {}, {},
                         matches, False, math.inf, False, math.nan, str(exc))
    values = {**r.coefficients, **r.scaled}
    matches = tuple(_compare(n, v, values.get(n, math.nan), exact=e)
                    for n, (v, e) in compare.items())
    worst = max((m.relative_deviation for m in matches), default=0.0)
    return Procedure(objective, on, slope, sampling, radius, grid.size, fixed,
                     dict(r.coefficients), dict(r.scaled), matches,
                     all(m.agrees for m in matches), worst, bool(r.converged),
                     float(r.metrics[on]["max_abs_error"]))


# -- shipped constant sets ------------------------------------------------------------
# The kernels' constants (Eigen's and XNNPACK's rationals, FlashAttention-4's exp2
# polynomials, A&S 7.1.26) are compared bit by bit with what a *recipe* gives: a
# family of the shipped shape fitted on a range, to an error, by an objective, with a
# normalisation, then put in the shipped coefficient format.

SHIPPED_NAMES: tuple[str, ...] = ("as-7.1.26", "eigen-tanh", "xnnpack-tanh", "xnnpack-gelu",
                                  *(f"fa4-exp2-{n}" for n in range(1, 6)))
"""The shipped constant sets :func:`shipped_provenance` searches recipes for."""

CHECK_SAMPLES = 20001
"""Points of the grid on which the shipped and the recipe's max errors are measured."""

_FIT_SAMPLES = {"poly": 4001, "rational": 2001, "erfc-t": 20001}
_SQRT1_2_F = math.sqrt(0.5)


@dataclass(frozen=True)
class Recipe:
    """One way a shipped constant set could have been computed.

    Attributes
    ----------
    family : {"poly", "rational", "erfc-t"}
        A polynomial ``Σ c_k x^k``, an odd rational ``x·N(x²)/D(x²)``, or A&S's
        ``erf(z) ≈ 1 − t·(a1 + … + a5 t⁴)·e^(−z²)``, ``t = 1/(1 + p z)`` with p fixed.
    shape : str
        The shipped shape, e.g. ``"odd 13 / even 6"``.
    lo, hi : float
        The range (``hi`` is ``inf`` for A&S's ``[0, ∞)``, sampled uniformly in t).
    error : {"absolute", "relative", "none"}
        The error minimised (``none`` for an interpolant).
    objective : {"minimax", "l2", "interpolation"}
        Interpolation: at the Chebyshev nodes of ``[−R, R]`` (first kind, x > 0).
    normalisation : str
        Which coefficients are held (``c0 = 1``, ``d0 = D``, ``c1 = D·f′(0)``).
    fmt : str
        The coefficient format: ``float32, nearest`` (fitted in float64, then rounded),
        ``float32, fit_in_format`` (fitted in the format), or ``N decimals``.
    """

    family: str
    shape: str
    lo: float
    hi: float
    error: str
    objective: str
    normalisation: str
    fmt: str

    @property
    def range_text(self) -> str:
        """``[0, 1]``, ``[−8, 8]``, ``[0, ∞)``."""
        if math.isinf(self.hi):
            return f"[{self.lo:g}, ∞)"
        return f"[{self.lo:.6g}, {self.hi:.6g}]"

    @property
    def label(self) -> str:
        """One line, e.g. ``poly degree 3 on [0, 1], relative minimax, c0 = 1, float32``."""
        how = "interpolation at Chebyshev nodes" if self.objective == "interpolation" \
            else f"{self.error} {self.objective}"
        return (f"{self.family} {self.shape} on {self.range_text}, {how}, "
                f"{self.normalisation}, {self.fmt}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``hi`` of ``[0, ∞)`` as null)."""
        return {"family": self.family, "shape": self.shape,
                "range": [self.lo, _finite_or_none(self.hi)], "error": self.error,
                "objective": self.objective, "normalisation": self.normalisation,
                "format": self.fmt, "label": self.label}


@dataclass(frozen=True)
class CoefficientBits:
    """One shipped coefficient against the recipe's, in the shipped format.

    Attributes
    ----------
    name : str
    shipped, recipe : float
        The shipped value and the recipe's, both in the shipped format.
    bits : float
        ``−log2(|recipe − shipped|/|shipped|)`` (at least 0); ``inf`` when the bits agree.
    """

    name: str
    shipped: float
    recipe: float
    bits: float

    @property
    def exact(self) -> bool:
        """The recipe's value has the shipped bits."""
        return math.isinf(self.bits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``bits`` ``"exact"`` when the bits agree)."""
        return {"name": self.name, "shipped": self.shipped, "recipe": self.recipe,
                "bits": "exact" if self.exact else round(self.bits, 2)}


def bits_agreeing(recipe: float, shipped: float) -> float:
    """How many leading bits two values share: ``−log2`` of their relative difference.

    ``inf`` when they are equal; at least 0; NaN in, 0 out.

    Examples
    --------
    >>> bits_agreeing(1.0, 1.0), bits_agreeing(1.0 + 2.0**-20, 1.0)
    (inf, 20.0)
    """
    if recipe == shipped:
        return math.inf
    if not (math.isfinite(recipe) and math.isfinite(shipped)) or shipped == 0:
        return 0.0
    return max(0.0, -math.log2(abs(recipe - shipped) / abs(shipped)))


@dataclass(frozen=True)
class RecipeResult:
    """What one recipe gives for a shipped set.

    Attributes
    ----------
    recipe : Recipe
    coefficients : dict
        The recipe's coefficients in the shipped format (fixed ones included).
    bits : tuple of CoefficientBits
        The compared (not fixed) coefficients.
    max_error_recipe, max_error_shipped : float
        Largest error (the recipe's kind; absolute for an interpolant) of the recipe's
        and of the shipped coefficients on the recipe's range
        (:data:`CHECK_SAMPLES` points, float64).
    error_message : str or None
        Why the fit failed, if it did.
    """

    recipe: Recipe
    coefficients: dict[str, float]
    bits: tuple[CoefficientBits, ...]
    max_error_recipe: float
    max_error_shipped: float
    error_message: str | None = None

    @property
    def reproduces(self) -> bool:
        """Every compared coefficient has the shipped bits."""
        return self.error_message is None and bool(self.bits) and all(
            b.exact for b in self.bits)

    @property
    def min_bits(self) -> float:
        """The fewest bits any compared coefficient agrees to (0 if the fit failed)."""
        return min((b.bits for b in self.bits), default=0.0) if self.error_message is None \
            else 0.0

    @property
    def median_bits(self) -> float:
        """The median of the compared coefficients' bits (0 if the fit failed)."""
        if self.error_message is not None or not self.bits:
            return 0.0
        values = sorted(b.bits for b in self.bits)
        mid = len(values) // 2
        return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])

    def rank(self) -> tuple[bool, float, float]:
        """Sort key of the best recipe: reproduces, then min bits, then median bits."""
        return self.reproduces, self.min_bits, self.median_bits

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"recipe": self.recipe.to_dict(), "coefficients": dict(self.coefficients),
                "bits": [b.to_dict() for b in self.bits], "reproduces": self.reproduces,
                "min_bits": _bits_json(self.min_bits),
                "median_bits": _bits_json(self.median_bits),
                "max_error_recipe": _finite_or_none(self.max_error_recipe),
                "max_error_shipped": _finite_or_none(self.max_error_shipped),
                "error": self.error_message}


def _bits_json(bits: float) -> float | str:
    return "exact" if math.isinf(bits) else round(bits, 2)


def bits_text(bits: float) -> str:
    """``"exact"`` or the bits to one decimal."""
    return "exact" if math.isinf(bits) else f"{bits:.1f}"


@dataclass(frozen=True)
class ShippedProvenance:
    """Which recipe reproduces a shipped constant set, or the nearest.

    Attributes
    ----------
    name, source, target : str
        The published name, its source and what its coefficients approximate.
    results : tuple of RecipeResult
        Every recipe tried, in a fixed order.
    best : RecipeResult or None
        The first recipe that reproduces every compared coefficient, else the nearest
        (most bits on its worst coefficient, then on the median); None if all failed.
    notes : tuple of str
        E.g. that no in-format fitter was available.
    """

    name: str
    source: str
    target: str
    results: tuple[RecipeResult, ...]
    best: RecipeResult | None
    notes: tuple[str, ...] = ()

    @property
    def reproduced(self) -> bool:
        """Whether a recipe reproduces every compared coefficient's bits."""
        return self.best is not None and self.best.reproduces

    @property
    def reproducing(self) -> tuple[RecipeResult, ...]:
        """Every recipe that reproduces the set."""
        return tuple(r for r in self.results if r.reproduces)

    def summary(self) -> str:
        """One line: the recipe that reproduces the set, or the nearest and its bits."""
        if self.best is None:
            return f"{self.name}: no recipe could be fitted ({len(self.results)} tried)"
        b = self.best
        if self.reproduced:
            return (f"{self.name}: reproduced exactly by {b.recipe.label} "
                    f"({len(self.reproducing)} of {len(self.results)} recipes)")
        return (f"{self.name}: no recipe reproduces it ({len(self.results)} tried); nearest: "
                f"{b.recipe.label}: {bits_text(b.min_bits)} bits on its worst coefficient, "
                f"{bits_text(b.median_bits)} median")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (deterministic: no timings)."""
        return {"kind": "provenance-shipped", "name": self.name, "source": self.source,
                "target": self.target, "reproduced": self.reproduced,
                "best": None if self.best is None else self.best.to_dict(),
                "reproducing": [r.recipe.label for r in self.reproducing],
                "results": [r.to_dict() for r in self.results], "notes": list(self.notes),
                "summary": self.summary()}


# -- the shipped sets' models ---------------------------------------------------------

@dataclass(frozen=True)
class _Set:
    """A shipped set: its coefficients, what they approximate, how they are evaluated."""

    name: str
    family: str
    shape: str
    target: str
    names: tuple[str, ...]               # the fitted coefficients, in order
    shipped: dict[str, float]
    extra: dict[str, float]              # constants not fitted (p of A&S, the clamp)
    fmt: str                             # "float32" or "decimal"
    reference: Callable[[np.ndarray], np.ndarray]
    model: Callable[[Mapping[str, float], np.ndarray], np.ndarray]
    degree: int = 0
    den_degree: int = 0
    slope: float = 1.0                   # f′(0) of an odd rational's target


def _poly_model(c: Mapping[str, float], x: np.ndarray) -> np.ndarray:
    n = len(c) - 1
    out = np.zeros_like(x)
    for k in range(n, -1, -1):
        out = out * x + c[f"c{k}"]
    return out


def _odd_rational_model(num: tuple[str, ...], den: tuple[str, ...]
                        ) -> Callable[[Mapping[str, float], np.ndarray], np.ndarray]:
    from approxfit.approximants.published import odd_rational_terms

    def model(c: Mapping[str, float], x: np.ndarray) -> np.ndarray:
        n, d = odd_rational_terms(x * x, c, num, den)
        return x * n / d

    return model


def _as_model(p: float) -> Callable[[Mapping[str, float], np.ndarray], np.ndarray]:
    def model(c: Mapping[str, float], z: np.ndarray) -> np.ndarray:
        t = 1.0 / (1.0 + p * z)
        q = np.zeros_like(t)
        for k in range(5, 0, -1):
            q = q * t + c[f"a{k}"]
        return 1.0 - t * q * np.exp(-z * z)

    return model


def _shipped_set(name: str) -> _Set:
    """The model of the shipped set ``name`` (one of :data:`SHIPPED_NAMES`)."""
    from scipy import special

    from approxfit.approximants.published import get_published

    approx = get_published(name)
    coefs = dict(approx.coefficients)          # a closed form's constants, the clamp too
    if name.startswith("fa4-exp2-"):
        n = len(coefs) - 1
        return _Set(name, "poly", f"degree {n}", "2^x", tuple(coefs), coefs, {}, "float32",
                    np.exp2, _poly_model, degree=n)
    if name == "as-7.1.26":
        names = tuple(f"a{k}" for k in range(1, 6))
        return _Set(name, "erfc-t", "t·(a1 + … + a5 t⁴)·e^(−z²), p fixed", "erf(z), z ≥ 0",
                    names, {k: coefs[k] for k in names}, {"p": coefs["p"]}, "decimal",
                    special.erf, _as_model(coefs["p"]))
    num = tuple(k for k in coefs if re.fullmatch(r"c\d+", k))
    den = tuple(k for k in coefs if re.fullmatch(r"d\d+", k))
    extra = {k: v for k, v in coefs.items() if k not in num + den}
    top_n, top_d = int(num[-1][1:]), int(den[-1][1:])
    shape = f"odd {top_n} / even {top_d}"
    if name == "xnnpack-gelu":
        return _Set(name, "rational", shape, "erf(x/√2)", num + den,
                    {k: coefs[k] for k in num + den}, extra, "float32",
                    lambda x: special.erf(x * _SQRT1_2_F), _odd_rational_model(num, den),
                    degree=top_n, den_degree=top_d, slope=math.sqrt(2.0 / math.pi))
    return _Set(name, "rational", shape, "tanh(x)", num + den,
                {k: coefs[k] for k in num + den}, extra, "float32", np.tanh,
                _odd_rational_model(num, den), degree=top_n, den_degree=top_d, slope=1.0)


def _in_format_fitter() -> Callable[..., Any] | None:
    """helper A's ``fit_in_format`` when the module exists, else None."""
    try:
        from approxfit.fitting.fpcoeff import fit_in_format  # type: ignore[import-not-found]
    except ImportError:
        return None
    return fit_in_format


def _recipes(s: _Set, in_format: bool) -> tuple[Recipe, ...]:
    """The fixed, ordered grid of recipes searched for the set ``s``."""
    out: list[Recipe] = []
    if s.family == "poly":
        fmts = ("float32, nearest", *(("float32, fit_in_format",) if in_format else ()))
        for (lo, hi), err, obj, norm, fmt in itertools.product(
                ((0.0, 1.0), (0.0, 2.0), (-1.0, 1.0)), ("relative", "absolute"),
                ("minimax", "l2"), ("c0 = 1", "c0 free"), fmts):
            if obj == "minimax" or fmt == "float32, nearest":   # in-format: minimax only
                out.append(Recipe("poly", s.shape, lo, hi, err, obj, norm, fmt))
    elif s.family == "erfc-t":
        for hi, err, obj in itertools.product((3.0, 4.0, 5.0, 6.0, 8.0, math.inf),
                                              ("absolute", "relative"), ("minimax", "l2")):
            out.append(Recipe("erfc-t", s.shape, 0.0, hi, err, obj, "p fixed",
                              "9 decimals"))
    else:
        clamp = s.extra["clamp"]
        radii = (4.0, 5.0, 6.0, 8.0, 10.0) if s.target == "erf(x/√2)" \
            else (4.0, 6.0, 8.0, 9.0, 10.0)
        radii = tuple(sorted({*radii, float(np.float32(clamp))}))
        d0 = s.shipped["d0"]
        norms = (f"d0 = {d0:.9g}", f"d0 = {d0:.9g}, c1 = d0·f′(0)")
        for radius, (err, obj), norm in itertools.product(
                radii, (("absolute", "minimax"), ("relative", "minimax"), ("absolute", "l2"),
                        ("relative", "l2"), ("none", "interpolation")), norms):
            out.append(Recipe("rational", s.shape, -radius, radius, err, obj, norm,
                              "float32, nearest"))
    return tuple(out)


def _to_format(value: float, s: _Set, name: str) -> float:
    """``value`` in the shipped format: nearest float32, or at the printed decimals."""
    if s.fmt == "float32":
        return float(np.float32(value))
    place = Decimal(repr(s.shipped[name])).as_tuple().exponent
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(place),
                                                      ROUND_HALF_EVEN))


def _fit_poly(s: _Set, r: Recipe, fitter: Callable[..., Any] | None) -> dict[str, float]:
    fixed = {"c0": 1.0} if r.normalisation == "c0 = 1" else {}
    if r.fmt == "float32, fit_in_format":
        assert fitter is not None
        res = fitter(s.name.split("-")[1], "poly", s.degree, formats="float32",
                     range_=(r.lo, r.hi), error=r.error, fixed=fixed or None, parity="none",
                     den_degree=None, den_parity=None)
        got = getattr(res, "coefficients", res)
        return {k: float(got[k]) for k in s.names}
    res = fit("exp2", "poly", range=(r.lo, r.hi), degree=s.degree, parity="none",
              fix=fixed or None, objective=r.objective, error=r.error,
              samples=_FIT_SAMPLES["poly"])
    return {k: float(res.coefficients[k]) for k in s.names}


def _rational_interpolant(s: _Set, radius: float, c1: float | None) -> dict[str, float]:
    """Linearised rational interpolation ``P(x_i) = f(x_i)·Q(x_i)``, ``d0 = 1``, at the
    positive Chebyshev nodes of ``[−R, R]`` (as many as free coefficients)."""
    num = [k for k in s.names if k.startswith("c") and not (c1 is not None and k == "c1")]
    den = [k for k in s.names if k.startswith("d") and k != "d0"]
    m = len(num) + len(den)
    j = np.arange(m)
    xs = radius * np.cos((2 * j + 1) * np.pi / (4 * m))        # x > 0 half of 2m nodes
    y = s.reference(xs)
    v = xs / radius                                             # scaled for conditioning
    cols = [v ** int(k[1:]) for k in num] + [-y * v ** int(k[1:]) for k in den]
    rhs = y - (c1 * xs if c1 is not None else 0.0)
    sol = np.linalg.solve(np.stack(cols, axis=1), rhs)
    out = {k: float(sol[i]) / radius ** int(k[1:]) for i, k in enumerate(num + den)}
    out["d0"] = 1.0
    if c1 is not None:
        out["c1"] = c1
    return out


def _fit_rational(s: _Set, r: Recipe) -> dict[str, float]:
    slope_fixed = "c1" in r.normalisation
    d0 = s.shipped["d0"]
    # erf(x/√2) is fitted as erf(u) on u = x/√2 and rescaled: x^k → u^k·2^(−k/2)
    scale = _SQRT1_2_F if s.target == "erf(x/√2)" else 1.0
    if r.objective == "interpolation":
        got = _rational_interpolant(s, r.hi, s.slope if slope_fixed else None)
    else:
        target = "erf" if scale != 1.0 else "tanh"
        fix = {"c1": s.slope / scale} if slope_fixed else None
        res = fit(target, "rational", range=(r.lo * scale, r.hi * scale), degree=s.degree,
                  parity="odd", den_degree=s.den_degree, den_parity="even", fix=fix,
                  objective=r.objective, error=r.error, samples=_FIT_SAMPLES["rational"])
        got = {k: float(v) * scale ** int(k[1:]) for k, v in res.coefficients.items()}
        got["d0"] = 1.0
    return {k: d0 * got[k] for k in s.names}


def _fit_as(s: _Set, r: Recipe) -> dict[str, float]:
    """A&S's a1…a5 with p fixed: linear in the a's, so l2 by least squares and minimax
    by a linear programme on the samples."""
    from scipy import special
    from scipy.optimize import linprog

    p, n = s.extra["p"], _FIT_SAMPLES["erfc-t"]
    if math.isinf(r.hi):
        t = np.linspace(1.0, 0.0, n, endpoint=False)[::-1]
        z = (1.0 / t - 1.0) / p
    else:
        z = np.linspace(r.lo, r.hi, n)
        t = 1.0 / (1.0 + p * z)
    basis = np.stack([t ** k for k in range(1, 6)], axis=1)
    y = special.erfcx(z)                       # erfc(z)·e^(z²) ≈ Σ a_k t^k
    # absolute error of erf: e^(−z²)·(Σ a_k t^k − erfcx); relative of erfc: unweighted
    w = np.exp(-z * z) if r.error == "absolute" else np.ones_like(z)
    a, b = w[:, None] * basis, w * y
    sol = np.linalg.lstsq(a, b, rcond=None)[0]
    if r.objective == "minimax":
        # the LP solves for a correction to the current solution, its residuals scaled
        # to O(1): HiGHS's tolerances (1e-7) would otherwise be the size of the error
        m = a.shape[1]
        ones = np.ones((len(b), 1))
        for _ in range(2):
            resid = a @ sol - b
            scale = float(np.max(np.abs(resid)))
            ab = a / scale
            res = linprog(np.r_[np.zeros(m), 1.0],
                          A_ub=np.vstack([np.hstack([ab, -ones]), np.hstack([-ab, -ones])]),
                          b_ub=np.r_[-resid / scale, resid / scale],
                          bounds=[(None, None)] * (m + 1), method="highs")
            if not res.success:
                raise ComputationError(f"the linear programme failed: {res.message}")
            sol = sol + res.x[:m]
    return {f"a{k}": float(sol[k - 1]) for k in range(1, 6)}


def _check_points(s: _Set, r: Recipe) -> np.ndarray:
    if math.isinf(r.hi):
        t = np.linspace(1.0, 0.0, CHECK_SAMPLES, endpoint=False)[::-1]
        return (1.0 / t - 1.0) / s.extra["p"]
    return np.linspace(r.lo, r.hi, CHECK_SAMPLES)


def _max_error(s: _Set, r: Recipe, coefs: Mapping[str, float], x: np.ndarray,
               y: np.ndarray, *, shipped: bool = False) -> float:
    """The recipe's kind of max error of ``coefs`` on the points ``x``; with ``shipped``,
    a rational as it ships: x clamped to ±C (and x itself where ``|x| < tiny``)."""
    if shipped and "clamp" in s.extra:
        bound = s.extra["clamp"]
        got = s.model(coefs, np.clip(x, -bound, bound))
        if "tiny" in s.extra:
            got = np.where(np.abs(x) < s.extra["tiny"], x, got)
        return _error_of(got, y, r.error)
    if s.family == "erfc-t" and r.error == "relative":     # of erfc, not of erf = 1 − erfc
        from scipy import special

        t = 1.0 / (1.0 + s.extra["p"] * x)
        tail = t * sum(coefs[f"a{k}"] * t ** (k - 1) for k in range(1, 6))
        return float(np.max(np.abs(tail / special.erfcx(x) - 1.0)))
    return _error_of(s.model(coefs, x), y, r.error)


def _error_of(got: np.ndarray, y: np.ndarray, error: str) -> float:
    if error != "relative":
        return float(np.max(np.abs(got - y)))
    nz = y != 0
    return float(np.max(np.abs(got[nz] - y[nz]) / np.abs(y[nz])))


def _run_recipe(s: _Set, r: Recipe, fitter: Callable[..., Any] | None) -> RecipeResult:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if s.family == "poly":
                raw = _fit_poly(s, r, fitter)
            elif s.family == "rational":
                raw = _fit_rational(s, r)
            else:
                raw = _fit_as(s, r)
    except (ApproxfitError, np.linalg.LinAlgError, TypeError, ValueError) as exc:
        return RecipeResult(r, {}, (), math.inf, math.inf, str(exc)[:200] or type(exc).__name__)
    fixed = {"c0"} if r.normalisation == "c0 = 1" else set()
    if s.family == "rational":
        fixed = {"d0", "c1"} if "c1" in r.normalisation else {"d0"}
    coefs = {k: _to_format(v, s, k) for k, v in raw.items()}
    bits = tuple(CoefficientBits(k, s.shipped[k], coefs[k],
                                 bits_agreeing(coefs[k], s.shipped[k]))
                 for k in s.names if k not in fixed)
    x = _check_points(s, r)
    y = s.reference(x)
    return RecipeResult(r, coefs, bits, _max_error(s, r, coefs, x, y),
                        _max_error(s, r, s.shipped, x, y, shipped=True))


def shipped_provenance(name: str, *, progress: ProgressFn | None = None
                       ) -> ShippedProvenance:
    """Search the recipes that could have produced a shipped constant set.

    Each recipe (:class:`Recipe`) refits the set's shape — FlashAttention-4's
    polynomials 2^x ≈ Σ c_k x^k; Eigen's and XNNPACK's odd rationals for tanh and for
    erf(x/√2); A&S 7.1.26's ``t·(a1 + … + a5 t⁴)·e^(−z²)`` with its p — over a fixed
    grid of ranges (the shipped clamp among them), absolute and relative error,
    minimax and least squares (an interpolant at Chebyshev nodes for the rationals),
    and normalisations, puts the coefficients in the shipped format (the nearest
    float32, or the printed decimals), and counts the bits each shares with the shipped
    coefficient (:func:`bits_agreeing`).  A recipe *reproduces* the set only when
    every compared coefficient has the shipped bits; otherwise the nearest recipe is
    reported (most bits on the worst coefficient).  The grid is fixed (at most 120
    fits, under a minute per set on one core), so the search is deterministic.

    Parameters
    ----------
    name : str
        One of :data:`SHIPPED_NAMES`.
    progress : callable, optional
        Called after each recipe as ``progress(done, total, label)``.

    Returns
    -------
    ShippedProvenance

    Raises
    ------
    InputError
        If ``name`` is not a shipped set.

    Examples
    --------
    >>> r = shipped_provenance("fa4-exp2-1")
    >>> r.best.recipe.fmt.startswith("float32"), len(r.results) >= 24
    (True, True)
    """
    check_str(name, "name")
    if name not in SHIPPED_NAMES:
        raise InputError(f"`name` {shown(name)} is not a shipped constant set; choose from "
                         f"{', '.join(SHIPPED_NAMES)}")
    if progress is not None and not callable(progress):
        raise InputError(f"`progress` must be callable or None, got {type(progress).__name__}")
    from approxfit.approximants.published import PUBLISHED

    s = _shipped_set(name)
    fitter = _in_format_fitter() if s.family == "poly" else None
    notes = []
    if s.family == "poly" and fitter is None:
        notes.append("no in-format fitter (approxfit.fitting.fpcoeff) is available: the "
                     "float64 fits are rounded to the nearest float32")
    if s.family == "rational":
        notes.append("rationals are fitted in float64 and rounded to the nearest float32")
    recipes = _recipes(s, fitter is not None)
    results = []
    for i, r in enumerate(recipes):
        results.append(_run_recipe(s, r, fitter))
        if progress is not None:
            progress(i + 1, len(recipes), r.label)
    ran = [r for r in results if r.error_message is None]
    best = None
    for r in ran:                                   # the first of the highest rank
        if best is None or r.rank() > best.rank():
            best = r
    return ShippedProvenance(name, PUBLISHED[name].source, s.target, tuple(results), best,
                             tuple(notes))
