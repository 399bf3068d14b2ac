"""Polynomial minimax checked against Sollya's ``remez`` (an independent implementation).

Sollya 8.0 (Debian's ``sollya``) computes the continuous minimax polynomial in
200-bit arithmetic; ``quality = 1e-12`` makes it stop within 1e-12 (relative) of
the optimum, so its error is the optimum for our purposes (the default 1e-5 is
not: erf degree 9 on [−3, 3] then reads 5.28088690e-3, 3e-6 above). approxfit's
polynomial is handed to Sollya with exact coefficients and its maximum error
measured there (``dirtyinfnorm``: 2001 samples, then Newton on the extrema).

Checked, for each case:

* approxfit's error (measured by Sollya) ≤ Sollya's optimum · (1 + 1e-6), the
  issue's tolerance — and ≥ it · (1 − 1e-9): nothing beats the optimum;
* approxfit's reported maximum over the range equals Sollya's measurement of the
  same polynomial to 1e-9 relative (the issue's "the reported maximum is the maximum").

approxfit fits on a grid: 100 001 samples put its continuous error within 5e-8
of the optimum here (on 20 001, erf degree 9 is 1.1e-6 above — a discretisation
effect, not Sollya being better). The Sollya numbers are recorded below (``REF``);
one test re-derives them from Sollya, another checks approxfit against the
recorded numbers so that the comparison also runs where Sollya is not installed.

Relative error: Sollya minimises ``‖p·w − f‖``, so the relative minimax of g is
``remez(1, n, I, 1/g)`` (error ``p/g − 1``); ``remez(g, n, I, 1/g)`` would minimise
``‖p/g − g‖``, a different problem.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import mpmath
import pytest

from approxfit.fitting.fit import fit
from approxfit.fitting.result import FitResult
from tests.sollya import SOLLYA_TARGETS, have_sollya, max_error, remez

_NO_SOLLYA = pytest.mark.skipif(not have_sollya(),
                                reason="sollya is not installed (apt-get install sollya)")


def needs_sollya(fn):
    """Mark a test ``sollya`` and skip it where the executable is missing."""
    return pytest.mark.sollya(_NO_SOLLYA(fn))

#: Sollya may be at most ``quality`` above the optimum; approxfit (a grid fit of
#: 100 001 samples) at most this much (the issue's 1e-6).
ABOVE = 1e-6
#: No polynomial beats the optimum; 1e-9 leaves room for Sollya's 1e-12 quality and
#: the measurement's own rounding.
BELOW = 1e-9
SAMPLES = 100_001


@dataclass(frozen=True)
class Case:
    """One minimax problem and Sollya's optimum for it."""

    target: str            # approxfit's target ("expr" with ``expr``)
    degree: int
    lo: float
    hi: float
    sollya_error: float    # recorded: Sollya 8.0, remez(..., quality=1e-12), dirtyinfnorm
    expr: str | None = None

    @property
    def f(self) -> str:
        """The target in Sollya's language."""
        return self.expr if self.expr is not None else SOLLYA_TARGETS[self.target]

    @property
    def id(self) -> str:
        return f"{self.expr or self.target}-deg{self.degree}-[{self.lo:g},{self.hi:g}]"


# Absolute error. Sollya 8.0: remez(f, [|powers|], [lo;hi], 1, 1e-12), then
# dirtyinfnorm(f - p, [lo;hi]) at prec = 200 (the powers are approxfit's: odd for
# erf and tanh, all for gelu and exp).
ABS_CASES = (
    Case("erf", 9, -3.0, 3.0, 0.0052808717573738977),        # 5.2808717573738977e-3
    Case("tanh", 11, -2.0, 2.0, 0.00014117114452205049),     # 1.4117114452205049e-4
    Case("gelu", 8, -4.0, 4.0, 0.0097864875482398635),       # 9.7864875482398635e-3
    Case("expr", 6, -1.0, 1.0, 3.2108771033611469e-6, expr="exp(x)"),   # 3.2108771033611469e-6
    Case("gelu", 12, -1.0, 4.0, 1.3978091407776757e-5),      # asymmetric: 1.3978091407776757e-5
)

# Relative error. Sollya 8.0: remez(1, n, [lo;hi], 1/f, 1e-12), then
# dirtyinfnorm(p/f - 1, [lo;hi]). For comparison, the absolute-error minimax has a
# relative error of 1.06e-2, 8.96e-4 and 1.13e-6 on these (so the tests tell the two
# problems apart). No target has a zero on its range.
REL_CASES = (
    Case("phi", 8, -2.0, 3.0, 0.0012019767839208),           # 1.2019767839208e-3
    Case("softplus", 8, -3.0, 3.0, 0.000173643706974504),    # 1.73643706974504e-4
    Case("expr", 5, 0.0, 1.0, 6.72996865149442e-7, expr="exp(x)"),    # 6.72996865149442e-7
)

def RELATIVE_PENDING(fn):
    """Kept as a no-op marker (the relative-error tests used to be xfail)."""
    return fn


def _fit(case: Case, **kwargs) -> FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # the "error outside the range" advice
        return fit(case.target, "poly", degree=case.degree, objective="minimax",
                   range=(case.lo, case.hi), samples=SAMPLES, expr=case.expr, **kwargs)


def _coefs(res: FitResult) -> dict[int, float]:
    """Power → coefficient of a poly fit (``c0``, ``c1``, … in the monomial basis)."""
    return {int(name[1:]): float(value) for name, value in res.coefficients.items()}


@pytest.fixture(scope="module")
def abs_fits() -> dict[str, FitResult]:
    return {c.id: _fit(c) for c in ABS_CASES}


@pytest.mark.parametrize("case", ABS_CASES, ids=lambda c: c.id)
def test_absolute_minimax_reaches_the_recorded_sollya_optimum(case, abs_fits):
    # approxfit's own (reported) maximum against the recorded Sollya optimum
    res = abs_fits[case.id]
    reported = res.metrics["value"]["max_abs_error_range"]
    assert reported <= case.sollya_error * (1 + ABOVE)
    assert reported >= case.sollya_error * (1 - BELOW)


@needs_sollya
@pytest.mark.parametrize("case", ABS_CASES, ids=lambda c: c.id)
def test_absolute_minimax_against_sollya(case, abs_fits):
    res = abs_fits[case.id]
    powers = res.approximant.powers
    ref = remez(case.f, powers, case.lo, case.hi)
    # the recorded number is Sollya's (to its quality and the digits kept)
    assert float(ref.error) == pytest.approx(case.sollya_error, rel=1e-9)
    # approxfit's polynomial, measured by Sollya
    ours = max_error(case.f, _coefs(res), case.lo, case.hi)
    assert ours <= ref.error * (1 + ABOVE)
    assert ours >= ref.error * (1 - BELOW)
    # the reported maximum over the range is the maximum (issue item 3: 1e-9)
    reported = res.metrics["value"]["max_abs_error_range"]
    assert reported == pytest.approx(float(ours), rel=1e-9)


def _max_rel(res: FitResult) -> float:
    """The relative error approxfit reports for a relative fit."""
    metrics = res.metrics["value"]
    if "max_rel_error_range" in metrics:
        return float(metrics["max_rel_error_range"])
    return max(abs(e) for e in res.certificate.errors)


@RELATIVE_PENDING
@pytest.mark.parametrize("case", REL_CASES, ids=lambda c: c.id)
def test_relative_minimax_reaches_the_recorded_sollya_optimum(case):
    res = _fit(case, error="relative")
    # the certificate / reported relative error against the recorded optimum; a grid
    # fit is at most ABOVE above it, and its levelled error on the grid at most BELOW under
    ours = _max_rel(res)
    assert ours <= case.sollya_error * (1 + ABOVE)
    assert ours >= case.sollya_error * (1 - ABOVE)


@RELATIVE_PENDING
@pytest.mark.parametrize("case", REL_CASES, ids=lambda c: c.id)
@needs_sollya
def test_relative_minimax_against_sollya(case):
    res = _fit(case, error="relative")
    ref = remez(case.f, res.approximant.powers, case.lo, case.hi, relative=True)
    ours = max_error(case.f, _coefs(res), case.lo, case.hi, relative=True)
    assert ours <= ref.error * (1 + ABOVE)
    assert ours >= ref.error * (1 - BELOW)


@needs_sollya
@pytest.mark.parametrize("case", REL_CASES, ids=lambda c: c.id)
def test_recorded_relative_optima_are_sollyas(case):
    # the numbers the pending relative tests compare with, re-derived (all powers)
    ref = remez(case.f, range(case.degree + 1), case.lo, case.hi, relative=True)
    assert float(ref.error) == pytest.approx(case.sollya_error, rel=1e-9)
    # and they are the relative problem's: the absolute minimax is clearly worse
    absolute = remez(case.f, range(case.degree + 1), case.lo, case.hi)
    rel_of_abs = max_error(case.f, {k: float(v) for k, v in absolute.coefs.items()},
                           case.lo, case.hi, relative=True)
    assert rel_of_abs > 1.5 * ref.error


@needs_sollya
def test_sollya_helper_reads_known_numbers():
    # the helper's parsing, against closed forms: max |x − x³/6 − sin x| on [0, 1] is
    # at x = 1 (the error is increasing there), and the minimax constant of x on
    # [0, 1] is ½ with error ½
    err = max_error("sin(x)", {1: 1.0, 3: -1 / 6}, 0.0, 1.0)
    with mpmath.workdps(40):
        assert float(err) == pytest.approx(float(mpmath.sin(1) - 1 + mpmath.mpf(1) / 6),
                                           rel=1e-12)
    const = remez("x", (0,), 0.0, 1.0)
    assert float(const.coefs[0]) == pytest.approx(0.5, rel=1e-12)
    assert float(const.error) == pytest.approx(0.5, rel=1e-12)
