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

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.families import FAMILIES, powers_for
from approxfit.approximants.published import ClosedFormApproximant
from approxfit.approximants.spec import parse_spec
from approxfit.core.checks import shown
from approxfit.core.exceptions import ApproxfitError, InputError
from approxfit.core.expr import decimal_significant_digits
from approxfit.core.grids import make_grid
from approxfit.fitting.fit import OBJECTIVES, ONS, fit

__all__ = ["PRINTED", "SAMPLINGS", "SLOPES", "ConstantMatch", "Procedure",
           "ProvenanceResult", "agrees_printed", "check_work", "digits_matched",
           "printed_digits", "provenance"]

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
