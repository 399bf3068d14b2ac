"""Sollya as an independent reference: run a script in a subprocess, read its numbers.

Sollya (https://www.sollya.org, Debian's ``sollya`` package) computes minimax
polynomials with its own Remez algorithm in multiple precision and the maximum
of an error over an interval (``dirtyinfnorm``: sampling, then Newton on the
derivative's zeros, at ``prec`` bits; ``supnorm``: a certified enclosure).

Two facts of Sollya's ``remez(f, n, I, w, quality)`` matter here:

* it minimises ``‖p·w − f‖``, so the *relative* minimax of g is
  ``remez(1, n, I, 1/g)`` (``‖p/g − 1‖``) — not ``remez(g, n, I, 1/g)``, which
  minimises ``‖p/g − g‖``;
* it stops once its error is within ``quality`` (relative, default 1e-5) of the
  optimum, so a reference must ask for a small ``quality``.

Numbers are printed with ``display = decimal`` at ``prec`` bits and read back as
:class:`mpmath.mpf`, one ``name = value`` line each.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import mpmath

__all__ = ["SOLLYA", "SOLLYA_TARGETS", "SollyaError", "SollyaFit", "exact", "fpminimax",
           "have_sollya", "max_error", "poly_text", "remez", "run_sollya"]

#: The ``sollya`` executable, or None when it is not installed.
SOLLYA: str | None = shutil.which("sollya")

#: approxfit's built-in targets written in Sollya's language.
SOLLYA_TARGETS: dict[str, str] = {
    "erf": "erf(x)",
    "tanh": "tanh(x)",
    "gelu": "x/2*(1+erf(x/sqrt(2)))",
    "phi": "(1+erf(x/sqrt(2)))/2",
    "silu": "x/(1+exp(-x))",
    "softplus": "log(1+exp(x))",
    "sigmoid": "1/(1+exp(-x))",
    "exp2": "2^x",
}

_LINE = re.compile(r"^(\w+) = (.*)$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"


class SollyaError(RuntimeError):
    """Sollya failed, timed out or printed something that is not a number."""


def have_sollya() -> bool:
    """True when the ``sollya`` executable is on PATH."""
    return SOLLYA is not None


def run_sollya(script: str, *, timeout: float = 120.0, prec: int = 200
               ) -> dict[str, mpmath.mpf | tuple[mpmath.mpf, mpmath.mpf]]:
    """Run a Sollya script and return the values it printed as ``name = value``.

    Parameters
    ----------
    script : str
        Sollya statements. A value is returned by ``print("name =", expr);``;
        an interval (``supnorm``) comes back as a pair ``(lo, hi)``.
    timeout : float
        Seconds before the subprocess is killed (:class:`SollyaError`).
    prec : int
        Sollya's working precision in bits (``prec = …;``, set before the script).

    Returns
    -------
    dict
        Name → :class:`mpmath.mpf` (or a pair of them), read at ``prec`` bits.

    Raises
    ------
    SollyaError
        If Sollya is missing, exits non-zero, times out, warns, or prints a
        line that is not ``name = number``.
    """
    if SOLLYA is None:
        raise SollyaError("sollya is not installed")
    head = f"verbosity = 0!;\ndisplay = decimal!;\nprec = {int(prec)}!;\npoints = 2001!;\n"
    try:
        proc = subprocess.run([SOLLYA, "--warnonstderr"], input=head + script + "\nquit;\n",
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise SollyaError(f"sollya did not finish in {timeout:g} s") from None
    if proc.returncode != 0 or proc.stderr.strip():
        raise SollyaError(f"sollya exited {proc.returncode}: {proc.stderr.strip()[:500]}")
    out: dict[str, mpmath.mpf | tuple[mpmath.mpf, mpmath.mpf]] = {}
    with mpmath.workprec(prec):
        for line in proc.stdout.splitlines():
            if not line.strip():
                continue
            m = _LINE.match(line.strip())
            if m is None:
                raise SollyaError(f"unexpected sollya output: {line!r}")
            name, text = m.groups()
            interval = re.fullmatch(rf"\[({_NUMBER});({_NUMBER})\]", text.strip())
            if interval:
                out[name] = (mpmath.mpf(interval[1]), mpmath.mpf(interval[2]))
            elif re.fullmatch(_NUMBER, text.strip()):
                out[name] = mpmath.mpf(text.strip())
            else:
                raise SollyaError(f"sollya printed {text!r} for {name}, not a number")
    return out


def exact(value: float) -> str:
    """A float as an exact Sollya constant ``m*2^(e)`` (no decimal rounding)."""
    num, den = float(value).as_integer_ratio()
    return f"({num}*2^(-{den.bit_length() - 1}))"


def poly_text(coefs: Mapping[int, float]) -> str:
    """``Σ c_k·x^k`` in Sollya's language, each coefficient exact."""
    terms = [f"{exact(c)}*x^{k}" for k, c in sorted(coefs.items()) if c != 0]
    return " + ".join(terms) if terms else "0"


@dataclass(frozen=True)
class SollyaFit:
    """Sollya's minimax polynomial and its error.

    Attributes
    ----------
    error : mpmath.mpf
        ``dirtyinfnorm`` of the (absolute or relative) error of Sollya's polynomial.
    coefs : dict
        Power → coefficient of Sollya's polynomial.
    """

    error: mpmath.mpf
    coefs: dict[int, mpmath.mpf]


def remez(f: str, powers: Sequence[int], lo: float, hi: float, *, relative: bool = False,
          quality: float = 1e-12, timeout: float = 120.0) -> SollyaFit:
    """Sollya's minimax polynomial with the given powers of ``f`` on ``[lo, hi]``.

    Parameters
    ----------
    f : str
        The target in Sollya's language, in the variable ``x``.
    powers : sequence of int
        The monomials (e.g. ``(1, 3, 5)`` for an odd polynomial).
    lo, hi : float
        The interval.
    relative : bool
        Minimise the relative error ``p/f − 1`` (``remez(1, L, I, 1/f)``) instead
        of the absolute error ``p − f``.
    quality : float
        Sollya's stopping tolerance, relative to the optimum.
    timeout : float
        Seconds for the subprocess.

    Returns
    -------
    SollyaFit
    """
    basis = "[|" + ", ".join(str(int(k)) for k in powers) + "|]"
    interval = f"[{exact(lo)};{exact(hi)}]"
    if relative:
        fit = f"p = remez(1, {basis}, I, 1/(f), {quality});\ne = dirtyinfnorm(p/(f) - 1, I);\n"
    else:
        fit = f"p = remez(f, {basis}, I, 1, {quality});\ne = dirtyinfnorm(f - p, I);\n"
    lines = "".join(f'print("c{k} =", coeff(p, {k}));\n' for k in powers)
    script = f"f = {f};\nI = {interval};\n{fit}print(\"err =\", e);\n{lines}"
    out = run_sollya(script, timeout=timeout)
    coefs = {int(k): out[f"c{k}"] for k in powers}
    return SollyaFit(out["err"], coefs)  # type: ignore[arg-type]


def max_error(f: str, coefs: Mapping[int, float], lo: float, hi: float, *,
              relative: bool = False, timeout: float = 120.0) -> mpmath.mpf:
    """Sollya's ``dirtyinfnorm`` of the error of the polynomial ``coefs`` against ``f``.

    The float coefficients are passed exactly (:func:`exact`), so this is the
    maximum of the polynomial approxfit computed, independently of approxfit.

    Parameters
    ----------
    f : str
        The target in Sollya's language.
    coefs : mapping
        Power → float coefficient.
    lo, hi : float
        The interval.
    relative : bool
        ``max |p/f − 1|`` instead of ``max |f − p|``.
    timeout : float
        Seconds for the subprocess.

    Returns
    -------
    mpmath.mpf
    """
    err = "q/(f) - 1" if relative else "f - q"
    script = (f"f = {f};\nq = {poly_text(coefs)};\nI = [{exact(lo)};{exact(hi)}];\n"
              f'print("err =", dirtyinfnorm({err}, I));\n')
    return run_sollya(script, timeout=timeout)["err"]  # type: ignore[return-value]


def fpminimax(f: str, powers: Sequence[int], precision: int, lo: float, hi: float, *,
              relative: bool = False, constrained: Mapping[int, float] | None = None,
              minimax: Mapping[int, float] | None = None, timeout: float = 300.0
              ) -> SollyaFit:
    """Sollya's ``fpminimax``: floating-point coefficients of ``precision`` bits.

    Parameters
    ----------
    f : str
        The target in Sollya's language.
    powers : sequence of int
        The free monomials.
    precision : int
        Significand bits of every free coefficient (24 float32, 11 float16, 8 bfloat16;
        Sollya has no exponent range: check the result is representable).
    lo, hi : float
        The interval.
    relative : bool
        Relative instead of absolute error.
    constrained : mapping, optional
        Power → fixed coefficient: Sollya's constrained part ``q`` (``p = q + Σ a_i x^i``).
    minimax : mapping, optional
        Power → coefficient of the minimax polynomial's free part, given to fpminimax
        (its last argument) where Sollya's own Remez fails (a constrained part, or a
        basis that is not Haar on the interval).
    timeout : float
        Seconds for the subprocess.

    Returns
    -------
    SollyaFit
        ``dirtyinfnorm`` of the error and the coefficients (free and constrained).
    """
    mons = "[|" + ", ".join(str(int(k)) for k in powers) + "|]"
    fmts = "[|" + ", ".join(str(int(precision)) for _ in powers) + "|]"
    kind = "relative" if relative else "absolute"
    q = poly_text(constrained) if constrained else "0"
    extra = f", {q}" if constrained else ""
    if minimax is not None:
        extra += f", {poly_text(minimax)}" if constrained else f", 0, {poly_text(minimax)}"
    err = "p/(f) - 1" if relative else "p - f"
    allp = sorted({*powers, *(constrained or {})})
    lines = "".join(f'print("c{k} =", coeff(p, {k}));\n' for k in allp)
    script = (f"f = {f};\nI = [{exact(lo)};{exact(hi)}];\n"
              f"p = fpminimax(f, {mons}, {fmts}, I, {kind}, floating{extra});\n"
              f'print("err =", dirtyinfnorm({err}, I));\n{lines}')
    out = run_sollya(script, timeout=timeout)
    return SollyaFit(out["err"], {int(k): out[f"c{k}"] for k in allp})  # type: ignore[arg-type]
