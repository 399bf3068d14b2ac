"""Code export: an approximant as a self-contained numpy, PyTorch or C function.

:func:`export_code` prints the approximant's program (``approximant.program``,
:mod:`approxfit.approximants.program`) — the inner polynomial in Horner form (in x²
for an odd or even p), the clamp,
the outer function, the gate relation — one operation per line, in the order
approxfit evaluates it, so the errors ``approxfit report --dtype`` shows are the
errors of the exported code (up to the platform's ``tanh``/``exp``, which may
differ from approxfit's correctly rounded ones in the last bit).

=========  ===================================================================
to         what is printed
=========  ===================================================================
numpy      ``import numpy as np`` and a function of an array
torch      ``import torch`` and a function of a tensor
c          ``#include <math.h>`` and a ``float`` (float32, float16, bfloat16) or
           ``double`` (float64) function of one number
=========  ===================================================================

Formats: float32 and float64 compute in that format.  float16 and bfloat16
compute in float32 and round the result once to the format, as PyTorch's CPU
kernels do for half types (approxfit's ``opmath="float32"``): numpy returns
float16, or for bfloat16 (which numpy lacks) float32 numbers rounded to
bfloat16 by a bit-exact round-to-nearest-even helper inside the function;
torch computes in the format (a half format: in float32, rounded once) and returns a
tensor of the caller's dtype when given a floating-point tensor (a bfloat16 tensor
comes back bfloat16; the header says so), else of the format; C returns
the float result and says in its comment that the caller rounds it when storing.

Non-finite inputs: NaN gives NaN (C returns it first: ``fmin``/``fmax`` would drop
it), and x = ±inf gives the target's limits where the value is the gate relation
``x·g``: a gate that is exactly 0 gives ±0 (GELU(−∞) = −0), not ∞·0 = NaN, and a gate
of 1 gives ±inf.  The one added statement, ``x_lim = ±1 if x is ±inf and g == 0 else
x``, leaves every finite input as it is, so finite inputs give the evaluation model's
values bit for bit.  The formula in the header writes each sign once (``- 0.000351``,
not ``+ -0.000351``: :func:`signed_text`).

No user text leaves a comment: names, formulas, sources and constant names (from a
saved fit, ``--expr`` or a custom target) reach the code only inside comments, through
:func:`comment_text` — one line, no control, format (bidirectional) or line-separator
characters, no ``\\``, ``*/``, ``/*`` or ``??``, each field at most
:data:`MAX_FIELD` characters — and identifiers come from :func:`function_name` (ASCII
``[A-Za-z_][A-Za-z0-9_]*``, at most :data:`MAX_IDENTIFIER` characters).  Numbers are
printed from floats (``repr`` or C99 hexadecimal), never copied from text.  Python
output starts with an explicit ``# -*- coding: utf-8 -*-`` line, so no later comment
can declare another source encoding (PEP 263, e.g. UTF-7, whose ``+AAo-`` is a newline).

The header's error line is measured on the inputs ``approxfit report --dtype`` uses for
the format and range (:func:`measured_error`) in the code's arithmetic, and names them.

Safety in the tails: ``tanh`` saturates, σ is computed as ``1/(1 + e)`` or
``e/(1 + e)`` with ``e = exp(−|p|) ≤ 1`` (numpy and C: in double, rounded once to
float, so that the stable form, ``gate_form="sigmoid"``, gives the evaluation model's
values bit for bit; numpy's ``tanh``/``exp`` likewise), and the A&S form uses
``exp(−z²) ≤ 1``, so nothing overflows for any |x| up to 1e4 (a test runs
it).  An approximant's tail guard ``C`` is printed as two compares that give the
gate its limits beyond ±C, with p evaluated at ``clip(x, −C, C)``.
"""

from __future__ import annotations

import dataclasses
import keyword
import math
import re
import unicodedata
from collections.abc import Sequence
from numbers import Real
from typing import Any

from approxfit.approximants.approximant import signed_text
from approxfit.approximants.base import AnyApproximant
from approxfit.approximants.program import GATE_FORMS, Step
from approxfit.core.exceptions import InputError
from approxfit.lowprec.formats import FORMATS, get_format, round_to_format
from approxfit.lowprec.tables import InputSet, input_set, precision_rows

__all__ = ["FORMS", "LANGUAGES", "MAX_FIELD", "MAX_IDENTIFIER", "comment_text", "export_code",
           "function_name", "measured_error", "signed_text"]

LANGUAGES: tuple[str, ...] = ("numpy", "torch", "c")
DEFAULT_RANGE = (-10.0, 10.0)
#: ``export --form``: the gate of the tanh family as published, ½·(1 + tanh p), or the
#: stable σ(2p) — the program's ``gate_form`` "tanh" and "sigmoid".
FORMS: dict[str, str] = {"as-published": "tanh", "stable": "sigmoid"}
#: Uniform samples of a float32/float64 range too narrow for report's default 0.01 step.
MEASURE_POINTS = 20_001
MAX_IDENTIFIER = 64
"""The longest function name :func:`function_name` makes or accepts."""
MAX_FIELD = 200
"""The longest name (approximant, target, constant) a comment quotes; longer ones
end in "…".  Formulas and sources may be ten times as long."""

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# Keywords of Python and C that a generated function may not be called.
RESERVED = frozenset(keyword.kwlist) | frozenset(
    "auto break case char const continue default do double else enum extern float for goto "
    "if inline int long register restrict return short signed sizeof static struct switch "
    "typedef union unsigned void volatile while np torch math "
    # <math.h> functions the generated C calls, and main
    "fabs fabsf tanh tanhf exp expf fmin fminf fmax fmaxf fma fmaf main".split())


def comment_text(text: Any, limit: int | None = MAX_FIELD) -> str:
    """``text`` as it may stand inside a ``#`` or ``/* … */`` comment, on one line.

    Letters, marks, digits, punctuation and symbols stay (``Φ``, ``√`` and ``π``
    included); a space separator becomes a space; every other character — a
    control (newline, NUL, tab …), format (the bidirectional overrides of "Trojan
    Source"), line or paragraph separator (U+2028, U+2029), surrogate, private or
    unassigned one — and the backslash are written ``<U+XXXX>``.  ``*/`` and ``/*``
    get a space between their characters and so does ``??`` (a trigraph's start:
    ``??/`` is a backslash to a C compiler that reads trigraphs).  With a
    ``limit``, text longer than ``limit`` characters is cut to ``limit − 1`` and
    "…" (before the escaping, which can only lengthen it).

    Examples
    --------
    >>> comment_text('x\\nimport os */ y??/')
    'x<U+000A>import os * / y? ?/'
    """
    s = str(text)
    if limit is not None and len(s) > limit:
        s = s[:limit - 1] + "…"
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat == "Zs":
            out.append(" ")
        elif ch == "\\" or cat[0] not in "LMNPS":
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return re.sub(r"(?<=\*)(?=/)|(?<=/)(?=\*)|(?<=\?)(?=\?)", " ", "".join(out))


def _identifier(text: str) -> str:
    """``text`` in the alphabet ``[A-Za-z0-9_]``: runs of other characters become one
    ``_``, leading and trailing ``_`` are dropped (``gelu:mu=1`` → ``gelu_mu_1``)."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")


def function_name(approximant: AnyApproximant, name: str | None = None) -> str:
    """A valid identifier: ``name`` or ``<target>_<approximant name>``, e.g. ``gelu_paper_tanh``.

    The default is made of ASCII letters, digits and ``_`` only: every run of other
    characters in the target's and the approximant's names becomes one ``_``
    (``gelu:mu=1`` → ``gelu_mu_1``), ``f_`` is put before a leading digit, and the
    result is cut to :data:`MAX_IDENTIFIER` characters.  A given ``name`` must
    already be such an identifier, and not a Python or C keyword.

    Raises
    ------
    InputError
        For a ``name`` that is not a string, not an ASCII identifier, too long, or
        reserved.
    """
    if name is not None:
        if not isinstance(name, str):
            raise InputError(f"`name` must be a string, got {type(name).__name__}")
        if len(name) > MAX_IDENTIFIER:
            raise InputError(f"`name` is {len(name)} characters long; at most "
                             f"{MAX_IDENTIFIER} are allowed")
        if not _IDENT.fullmatch(name) or name in RESERVED:
            raise InputError(f"function name {comment_text(name, 60)!r} must be an "
                             "identifier (ASCII letters, digits, _) that is not a Python or C "
                             "keyword, such as 'gelu_approx'")
        return name
    base = _identifier(str(approximant.name or "approx")) or "approx"
    target = _identifier(str(approximant.target_obj.name)) or "f"
    ident = f"{target}_{base}"
    ident = ident if not ident[0].isdigit() else f"f_{ident}"
    return ident[:MAX_IDENTIFIER]


def _limit_step(steps: Sequence[Step], on: str) -> tuple[int, str, str] | None:
    """``(i, x, g)`` when the value ends in the gate relation ``x·g`` (or ``(½x)·g``):
    step ``i`` is the product with x, and g is defined before it.  At x = ±∞ a gate
    that is exactly 0 gives the target's limit, x·g → ±0 (GELU(−∞) = −0), not
    ∞·0 = NaN.  None for a gate, a polynomial or a rational (no such product)."""
    last, x = steps[-1], steps[0].name
    if on != "value" or last.op != "mul" or len(last.args) != 2:
        return None
    index = {s.name: i for i, s in enumerate(steps)}
    a, b = last.args
    for xs, g in ((a, b), (b, a)):
        if xs == x:
            return (len(steps) - 1, x, g)
        scaled = steps[index[xs]] if xs in index else None
        if (scaled is not None and scaled.op == "mul" and x in scaled.args
                and all(steps[index[v]].op == "const" for v in scaled.args if v != x)
                and index.get(g, len(steps)) < index[xs]):
            return (index[xs], x, g)
    return None


def _limit_note(limit: bool, on: str) -> str:
    """The header's line on NaN and ±inf inputs."""
    if limit:
        return ("NaN and infinite inputs: NaN gives NaN; x = ±inf gives the target's limits, "
                "x·g = ±0 where the gate g is exactly 0 (not inf·0 = NaN) and ±inf where it "
                "is 1")
    if on == "gate":
        return "NaN and infinite inputs: NaN gives NaN; x = ±inf gives the gate's limits"
    return ("NaN and infinite inputs: NaN gives NaN; x = ±inf gives what the formula gives "
            "(a polynomial ±inf, a rational NaN: inf/inf)")


_X_LIMIT = "x_lim"


def _limit_line(to: str, x: str, g: str, ctype: str = "float") -> str:
    """The statement that makes ``x·g`` the limit ±0 at x = ±inf where g = 0; a finite
    x is left as it is, so finite inputs give the program's values bit for bit."""
    if to == "numpy":
        return f"{_X_LIMIT} = np.where(np.isinf({x}) & ({g} == 0), np.sign({x}), {x})"
    if to == "torch":
        return f"{_X_LIMIT} = torch.where(torch.isinf({x}) & ({g} == 0), torch.sign({x}), {x})"
    one = _c_literal(1.0, ctype)
    return (f"const {ctype} {_X_LIMIT} = (isinf({x}) && {g} == {_c_literal(0.0, ctype)}) ? "
            f"({x} > {_c_literal(0.0, ctype)} ? {one} : -{one}) : {x};")


def _compute_format(fmt_name: str) -> str:
    return "float32" if FORMATS[fmt_name].bits == 16 else fmt_name


def _const_value(value: float, compute: str) -> float:
    v = float(round_to_format(value, compute))
    if not math.isfinite(v):
        raise InputError(f"the constant {value!r} overflows {compute}; it cannot be exported "
                         "in that format")
    return v


def _gate_note(approximant: AnyApproximant, on: str, gate_form: str) -> str | None:
    """How the printed program forms its gate, read from the program's operations:
    a ``tanh`` step, or a ``sigmoid`` step — of ``2p`` when the kind honours
    ``gate_form="sigmoid"`` by replacing ½(1 + tanh p) (its programs for the two gate
    forms differ), else of ``p``.  None when the program has neither."""
    ops = {s.op for s in approximant.program(on=on, gate_form=gate_form)}
    if "tanh" in ops:
        return "1/2*(1 + tanh(p)); tanh saturates, no overflow"
    if "sigmoid" not in ops:
        return None
    other = "tanh" if gate_form == "sigmoid" else "sigmoid"
    if approximant.program(on=on, gate_form=other) != approximant.program(
            on=on, gate_form=gate_form):
        return ("sigmoid(2p) = 1/2*(1 + tanh(p)), as 1/(1+e) or e/(1+e) with "
                "e = exp(-|2p|): no overflow")
    return "sigmoid(p) as 1/(1+e) or e/(1+e) with e = exp(-|p|): no overflow"


def measured_error(approximant: AnyApproximant, dtype: str, range: tuple[float, float], *,
                   on: str = "value", gate_form: str = "tanh", fma: bool = False
                   ) -> tuple[InputSet, dict[str, Any]]:
    """The error the header of :func:`export_code` states: the inputs, and the row of
    :func:`~approxfit.lowprec.tables.precision_rows` measured on them.

    The inputs are those ``approxfit report --dtype`` uses for the format and range
    (:func:`~approxfit.lowprec.tables.input_set`: every finite value for float16 and
    bfloat16, ``numpy.arange(lo, hi, 0.01)`` rounded to the format otherwise — or,
    on a range narrower than two steps, :data:`MEASURE_POINTS` uniform samples); the
    arithmetic is the exported code's: float32 with one final rounding for a half format
    (``opmath="float32"``), the format itself for float32 and float64, and with ``fma``
    the evaluation model ``make_model(dtype, fma=True)`` (fused multiply-adds).
    """
    fmt = get_format(dtype)
    try:
        inputs = input_set(fmt, range)
    except InputError:
        if fmt.bits <= 16:
            raise
        # narrower than two steps of 0.01: report's --samples 20001 instead
        inputs = input_set(fmt, range, samples=MEASURE_POINTS)
    opmath = "float32" if fmt.bits <= 16 else "format"
    row = precision_rows([approximant], inputs.x, fmt, on=on, opmath=opmath,
                         gate_form=gate_form, fma=fma)[0]
    return inputs, row


def _header(approximant: AnyApproximant, fmt_name: str, on: str, gate_form: str,
            range: tuple[float, float], max_error: float | None,
            fma: bool = False) -> list[str]:
    """The comment lines (without comment markers), each through :func:`comment_text`."""
    target = approximant.target_obj
    meta = approximant.meta or {}
    formula = signed_text(str(meta.get("formula") or approximant.describe()))
    long = 10 * MAX_FIELD
    tname = comment_text(target.name)
    compute = _compute_format(fmt_name)
    lines = [f"{comment_text(approximant.name or 'approximant')}: generated by approxfit "
             "(approxfit export)",
             f"approximates {tname}'s {on}: {tname}(x) = {comment_text(target.formula, long)}",
             f"formula: {comment_text(formula, long)}"]
    if meta.get("source"):
        lines.append(f"source: {comment_text(meta['source'], long)}")
    consts = ", ".join(f"{comment_text(k)} = {float(v)!r}"
                       for k, v in approximant.coefficients.items())
    lines.append(f"coefficients (float64): {consts}")
    if FORMATS[fmt_name].bits == 16:
        lines.append(f"arithmetic: float32, the result rounded once to {fmt_name} (as "
                     "PyTorch's CPU kernels compute half types); constants are float32")
    else:
        lines.append(f"arithmetic: {compute}, one rounding per operation, in the order below; "
                     "constants rounded to " + compute)
    note = _gate_note(approximant, on, gate_form)
    if note is not None:
        lines.append(f"gate: {note}")
    lines.append(_limit_note(_limit_step(approximant.program(on=on, gate_form=gate_form),
                                         on) is not None, on))
    clamp = None if approximant.clamp is None else float(approximant.clamp)
    if clamp is not None:
        lines.append(f"tail guard: the gate is 1 for x > {clamp:g} and 0 for x < -{clamp:g} "
                     f"(p is evaluated at clip(x, -{clamp:g}, {clamp:g}), always finite)")
    lo, hi = range
    if max_error is not None:
        lines.append(f"range [{lo:g}, {hi:g}]: max |error| {max_error:.4g} (as given)")
    else:
        inputs, row = measured_error(approximant, fmt_name, (lo, hi), on=on,
                                     gate_form=gate_form, fma=fma)
        if fma:
            how = (f"approxfit verify's model make_model('{fmt_name}', fma=True) gives the "
                   "same")
        elif fmt_name == "float64":
            how = "approxfit's float64 evaluation, mpmath reference on up to 2001 points"
        else:
            opm = " --opmath float32" if FORMATS[fmt_name].bits <= 16 else ""
            opm += f" --samples {inputs.samples}" if inputs.kind == "uniform" else ""
            how = (f"approxfit report --dtype {fmt_name}{opm} --range {lo:g} {hi:g} gives "
                   "the same")
        lines.append(f"range [{lo:g}, {hi:g}], inputs: {inputs.text()}")
        lines.append(f"max |error| {row['approximation_abs_error']:.4g} in exact arithmetic, "
                     f"{row['max_abs_error']:.4g} at x = {row['argmax_abs_error']:.6g} as "
                     f"computed here in {fmt_name} ({how})")
    if fmt_name == "float32" or FORMATS[fmt_name].bits == 16:
        lines.append("the values are those of approxfit's evaluation up to the last bit of "
                     "the platform's tanh/exp")
    return [comment_text(line, None) for line in lines]


def _check_steps(steps: Sequence[Step]) -> None:
    """Every variable of the program an ASCII identifier, defined once, not reserved
    (so that no program, however it was built, can print anything but its operations)."""
    seen: set[str] = set()
    for s in steps:
        new = [s.name, *([f"e_{s.name}"] if s.op == "sigmoid" else [])]
        if not all(isinstance(v, str) and _IDENT.fullmatch(v) and v not in RESERVED
                   and len(v) <= MAX_IDENTIFIER for v in [*new, *s.args]):
            raise InputError(f"cannot export: the program's variable names in step "
                             f"{comment_text(s, 60)!r} are not plain identifiers")
        if any(v in seen for v in new) or any(a not in seen for a in s.args):
            raise InputError(f"cannot export: step {comment_text(s, 60)!r} redefines a "
                             "variable or uses one before it is defined")
        seen.update(new)


# -- per-language printers -------------------------------------------------------------

def _py_binary(op: str, a: str, b: str) -> str:
    return f"{a} {dict(add='+', sub='-', mul='*', div='/')[op]} {b}"


def _numpy_lines(steps: Sequence[Step], compute: str, fmt_name: str) -> list[str]:
    out = []
    for s in steps:
        a = s.args
        if s.op == "input":
            if fmt_name == "float16":
                out.append("x = np.asarray(x, dtype=np.float16).astype(np.float32)")
            elif fmt_name == "bfloat16":
                out.append("x = _round_to_bfloat16(np.asarray(x, dtype=np.float32))")
            else:
                out.append(f"x = np.asarray(x, dtype=np.{compute})")
        elif s.op == "const":
            out.append(f"{s.name} = np.{compute}({_const_value(s.value, compute)!r})")
        elif s.op in ("add", "sub", "mul", "div"):
            out.append(f"{s.name} = {_py_binary(s.op, a[0], a[1])}")
        elif s.op == "neg":
            out.append(f"{s.name} = -{a[0]}")
        elif s.op in ("abs", "sign") or (s.op in ("tanh", "exp") and compute == "float64"):
            out.append(f"{s.name} = np.{s.op}({a[0]})")
        elif s.op in ("tanh", "exp"):        # in float64, rounded once: the model's value
            out.append(f"{s.name} = np.{s.op}({a[0]}.astype(np.float64)).astype(np.{compute})")
        elif s.op == "min":
            out.append(f"{s.name} = np.minimum({a[0]}, {a[1]})")
        elif s.op == "clip":
            c = _const_value(s.value, compute)
            out.append(f"{s.name} = np.clip({a[0]}, np.{compute}({-c!r}), "
                       f"np.{compute}({c!r}))")
        elif s.op == "sigmoid":             # exp(-|t|) <= 1: no overflow, no warning
            wide = "" if compute == "float64" else ".astype(np.float64)"
            back = "" if compute == "float64" else f".astype(np.{compute})"
            out.append(f"e_{s.name} = np.exp(-np.abs({a[0]}{wide}))")
            out.append(f"{s.name} = np.where({a[0]} >= 0, 1 / (1 + e_{s.name}), "
                       f"e_{s.name} / (1 + e_{s.name})){back}")
        elif s.op == "where_neg":
            out.append(f"{s.name} = np.where({a[0]} < 0, {a[1]}, {a[2]})")
        elif s.op == "guard":
            c = _const_value(s.value, compute)
            out.append(f"{s.name} = np.where({a[0]} > {c!r}, np.{compute}(1), "
                       f"np.where({a[0]} < {-c!r}, np.{compute}(0), {a[1]}))")
        else:  # pragma: no cover - OPS is closed
            raise InputError(f"cannot print operation {s.op!r}")
    return out


def _torch_lines(steps: Sequence[Step], compute: str, fmt_name: str) -> list[str]:
    out = []
    for s in steps:
        a = s.args
        if s.op == "input":
            if compute != fmt_name:
                out.append(f"x = torch.as_tensor(x).to(torch.{fmt_name}).to(torch.{compute})")
            else:
                out.append(f"x = torch.as_tensor(x, dtype=torch.{compute})")
        elif s.op == "const":
            out.append(f"{s.name} = torch.tensor({_const_value(s.value, compute)!r}, "
                       f"dtype=torch.{compute})")
        elif s.op in ("add", "sub", "mul", "div"):
            out.append(f"{s.name} = {_py_binary(s.op, a[0], a[1])}")
        elif s.op == "neg":
            out.append(f"{s.name} = -{a[0]}")
        elif s.op in ("abs", "sign", "tanh", "exp", "sigmoid"):
            out.append(f"{s.name} = torch.{s.op}({a[0]})")
        elif s.op == "min":
            out.append(f"{s.name} = torch.minimum({a[0]}, {a[1]})")
        elif s.op == "clip":
            c = _const_value(s.value, compute)
            out.append(f"{s.name} = torch.clamp({a[0]}, {-c!r}, {c!r})")
        elif s.op == "where_neg":
            out.append(f"{s.name} = torch.where({a[0]} < 0, {a[1]}, {a[2]})")
        elif s.op == "guard":
            c = _const_value(s.value, compute)
            one = f"torch.ones_like({a[1]})"
            out.append(f"{s.name} = torch.where({a[0]} > {c!r}, {one}, torch.where("
                       f"{a[0]} < {-c!r}, torch.zeros_like({a[1]}), {a[1]}))")
        else:  # pragma: no cover - OPS is closed
            raise InputError(f"cannot print operation {s.op!r}")
    return out


def _c_literal(value: float, ctype: str) -> str:
    """An exact hexadecimal literal (C99), e.g. ``0x1.6a09e6p-1f``."""
    if value == 0:
        text = "-0x0p+0" if math.copysign(1.0, value) < 0 else "0x0p+0"
    else:
        text = re.sub(r"\.?0+p", "p", float(value).hex())
    return f"{text}f" if ctype == "float" else text


def _c_lines(steps: Sequence[Step], compute: str, exact: bool = False) -> list[str]:
    """C statements for ``steps``.  An ``fma`` step is ``fmaf(a, b, c)``; with ``exact``
    (float compute; every export) tanh, exp and σ are evaluated in double and
    rounded once to float — the evaluation model's correctly rounded transcendentals
    (:mod:`approxfit.lowprec.model`) up to libm's double result straddling a float
    rounding boundary."""
    ctype = "double" if compute == "float64" else "float"
    f = "f" if ctype == "float" else ""
    exact = exact and ctype == "float"
    zero, one = _c_literal(0.0, ctype), _c_literal(1.0, ctype)
    out = []
    for s in steps:
        a = s.args
        decl = f"const {ctype} {s.name} ="
        if s.op == "input":
            continue
        if s.op == "const":
            v = _const_value(s.value, compute)
            out.append(f"{decl} {_c_literal(v, ctype)};  /* {v!r} */")
        elif s.op in ("add", "sub", "mul", "div"):
            out.append(f"{decl} {_py_binary(s.op, a[0], a[1])};")
        elif s.op == "fma":
            out.append(f"{decl} fma{f}({a[0]}, {a[1]}, {a[2]});")
        elif s.op == "neg":
            out.append(f"{decl} -{a[0]};")
        elif s.op == "abs":
            out.append(f"{decl} fabs{f}({a[0]});")
        elif exact and s.op in ("tanh", "exp"):
            out.append(f"{decl} (float){s.op}((double){a[0]});")

        elif s.op == "sign":
            out.append(f"{decl} ({ctype})(({a[0]} > {zero}) - ({a[0]} < {zero}));")
        elif s.op in ("tanh", "exp"):
            out.append(f"{decl} {s.op}{f}({a[0]});")
        elif s.op == "min":
            out.append(f"{decl} fmin{f}({a[0]}, {a[1]});")
        elif s.op == "clip":
            c = _c_literal(_const_value(s.value, compute), ctype)
            out.append(f"{decl} fmin{f}(fmax{f}({a[0]}, -{c}), {c});")
        elif s.op == "sigmoid" and ctype == "float":   # in double, rounded once
            out.append(f"const double e_{s.name} = exp(-fabs((double){a[0]}));")
            out.append(f"{decl} (float)({a[0]} >= {zero} ? 1.0 / (1.0 + e_{s.name})"
                       f" : e_{s.name} / (1.0 + e_{s.name}));")
        elif s.op == "sigmoid":
            out.append(f"const {ctype} e_{s.name} = exp{f}(-fabs{f}({a[0]}));")
            out.append(f"{decl} {a[0]} >= {zero} ? {one} / ({one} + e_{s.name})"
                       f" : e_{s.name} / ({one} + e_{s.name});")
        elif s.op == "where_neg":
            out.append(f"{decl} {a[0]} < {zero} ? {a[1]} : {a[2]};")
        elif s.op == "guard":
            c = _c_literal(_const_value(s.value, compute), ctype)
            out.append(f"{decl} {a[0]} > {c} ? {one} : ({a[0]} < -{c} ? {zero} : {a[1]});")
        else:  # pragma: no cover - OPS is closed
            raise InputError(f"cannot print operation {s.op!r}")
    return out


_BF16_HELPER = [
    "def _round_to_bfloat16(a):",
    "    # float32 -> bfloat16, round to nearest even, kept in float32 (numpy has no",
    "    # bfloat16): add 0x7FFF plus the lowest kept bit, drop the low 16 bits.",
    "    a = np.asarray(a, dtype=np.float32)",
    "    u = a.view(np.uint32).astype(np.uint64)",
    "    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000",
    "    return np.where(np.isnan(a), a, u.astype(np.uint32).view(np.float32))",
]


def _is_real(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _pair(range: Any) -> tuple[float, float]:
    if (isinstance(range, (str, bytes)) or not isinstance(range, Sequence) or len(range) != 2
            or not all(_is_real(v) for v in range)):
        raise InputError("`range` must be a pair of numbers (LO, HI), got "
                         f"{comment_text(range, 60)!r}")
    return float(range[0]), float(range[1])


def export_code(approximant: AnyApproximant, to: str = "numpy", dtype: str = "float32", *,
                range: tuple[float, float] | None = None, max_error: float | None = None,
                name: str | None = None, on: str = "value", gate_form: str = "tanh",
                fma: bool = False) -> str:
    """Print the approximant as a self-contained function.

    Parameters
    ----------
    approximant : AnyApproximant
        Any kind: a family's, a rational, ``ibert`` and ``as-7.1.26``.
    to : {"numpy", "torch", "c"}
    dtype : {"float32", "float64", "float16", "bfloat16"}
    range : (float, float), optional
        The range the comment states; default (−10, 10).
    max_error : float, optional
        The max error the comment states; if None it is measured here
        (:func:`measured_error`) on the inputs ``approxfit report --dtype`` uses —
        every finite value of a half format in the range, else
        ``numpy.arange(lo, hi, 0.01)`` rounded to the format — in exact arithmetic and
        in the code's own arithmetic (with ``fma``, the fused evaluation model); the
        comment names the input set.
    name : str, optional
        The function's name (default ``<target>_<approximant name>``).
    on : {"value", "gate"}
    gate_form : {"tanh", "sigmoid"}
        For the tanh family: ``½(1 + tanh p)`` (the paper's and PyTorch's form) or
        ``σ(2p)`` (no cancellation where ``tanh p → −1``).
    fma : bool
        C only: fuse each multiply whose only use is an add or subtract
        (:func:`~approxfit.lowprec.model.fused_program`) into ``fmaf(a, b, c)`` and
        evaluate tanh, exp and σ in double, rounded once to float, so that the code
        computes what ``make_model(dtype, fma=True)`` states, bit for bit (compiled
        with ``-ffp-contract=off``).  numpy and torch round ``a*b + c`` twice, so
        ``fma`` is refused for them.

    Returns
    -------
    str
        Source text ending in a newline; numpy and torch code defines one
        function (and imports only numpy or torch), C code includes only
        ``<math.h>``.

    Raises
    ------
    InputError
        For an argument of the wrong type, an unknown language, format or name,
        or a closed form without a program.

    Notes
    -----
    No text of the approximant (its name, its target's name and formula, a
    closed form's source and constant names) can leave the comment it is printed
    in: see :func:`comment_text` and :func:`function_name`.  Python output begins
    with ``# -*- coding: utf-8 -*-``.
    """
    if not isinstance(approximant, AnyApproximant):
        raise InputError("`approximant` must be an approximant (a family's, a rational, a "
                         f"published closed form), got {type(approximant).__name__}")
    if not isinstance(to, str) or to not in LANGUAGES:
        from approxfit.core.names import suggest

        raise InputError(f"unknown `to` {comment_text(to, 60)!r}"
                         f"{suggest(str(to), list(LANGUAGES))}; "
                         f"choose one of {', '.join(LANGUAGES)}")
    if not isinstance(dtype, str):
        raise InputError(f"`dtype` must be a string, got {type(dtype).__name__}")
    fmt = get_format(dtype)
    if not isinstance(on, str) or on not in ("value", "gate"):
        raise InputError(f"`on` must be 'value' or 'gate', got {comment_text(on, 60)!r}")
    if not isinstance(gate_form, str) or gate_form not in GATE_FORMS:
        raise InputError(f"`gate_form` must be one of {', '.join(GATE_FORMS)}, got "
                         f"{comment_text(gate_form, 60)!r}")
    lo, hi = DEFAULT_RANGE if range is None else _pair(range)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"`range` must satisfy LO < HI and be finite, got ({lo}, {hi})")
    if max_error is not None:
        if not _is_real(max_error) or not (math.isfinite(max_error) and max_error >= 0):
            raise InputError(f"`max_error` must be a finite number ≥ 0 or None, got "
                             f"{comment_text(max_error, 60)!r}")
        max_error = float(max_error)
    if not isinstance(fma, bool):
        raise InputError(f"`fma` must be True or False, got {comment_text(fma, 60)!r}")
    if fma and to != "c":
        raise InputError("`fma` is exported only to C; numpy and torch round a*b+c twice")
    if fma and fmt.name == "float64":
        raise InputError("`fma` is exported for float32, float16 and bfloat16 (float "
                         "compute); float64 has no exact model of it")
    fname = function_name(approximant, name)
    steps = approximant.program(on=on, gate_form=gate_form)
    if fma:
        from approxfit.lowprec.model import fused_program

        steps = fused_program(steps)
    _check_steps(steps)
    # x·g computed as x_lim·g before step `at`, where x_lim = x for every finite x
    at, limit = len(steps), None
    found = _limit_step(steps, on)
    if found is not None:
        at, limit = found[0], found[1:]
        steps = (*steps[:at], dataclasses.replace(
            steps[at], args=tuple(_X_LIMIT if a == limit[0] else a for a in steps[at].args)),
                 *steps[at + 1:])
    header = _header(approximant, fmt.name, on, gate_form, (lo, hi), max_error, fma)
    compute = _compute_format(fmt.name)
    result = steps[-1].name
    if to == "c":
        ctype = "double" if compute == "float64" else "float"
        if fmt.bits == 16:
            header.append(f"C has no portable {fmt.name}: this function returns the float "
                          f"result; round it to {fmt.name} (nearest even) when storing")
        if fma:
            header.append("fused multiply-adds: each fmaf(a, b, c) rounds a*b + c once; "
                          "tanh, exp and sigmoid are evaluated in double and rounded once to "
                          "float; compile with -ffp-contract=off so that no other operation "
                          "is fused: the code then computes approxfit's model (make_model("
                          f"'{fmt.name}', fma=True)) bit for bit, up to libm's double "
                          "tanh/exp straddling a float rounding boundary")
        else:
            header.append("tanh, exp and sigmoid are evaluated in double and rounded once "
                          "to float; compile with -ffp-contract=off to keep one rounding "
                          "per operation (no fused multiply-add): the code then computes "
                          f"approxfit's model (make_model('{fmt.name}')) bit for bit, up to "
                          "libm's double tanh/exp straddling a float rounding boundary")
        lines = _c_lines(steps[:at], compute, exact=True)
        if limit is not None:
            lines.append(_limit_line("c", *limit, ctype))
        lines += _c_lines(steps[at:], compute, exact=True)
        lines.insert(0, "if (isnan(x)) return x;  /* NaN in, NaN out (fmin/fmax drop it) */")
        body = [f"    {line}" for line in lines]
        text = ["/*", *[f" * {h}" for h in header], " */", "#include <math.h>", "",
                f"{ctype} {fname}({ctype} x)", "{", *body, f"    return {result};", "}"]
        return "\n".join(text) + "\n"
    comment = [f"# {h}" for h in header]
    if to == "numpy":
        body = _numpy_lines(steps[:at], compute, fmt.name)
        if limit is not None:
            body.append(_limit_line("numpy", *limit))
        body += _numpy_lines(steps[at:], compute, fmt.name)
        if fmt.name == "float16":
            ret = f"return {result}.astype(np.float16)"
        elif fmt.name == "bfloat16":
            body = [*_BF16_HELPER, "", *body]
            ret = f"return _round_to_bfloat16({result})"
        else:
            ret = f"return {result}"
        imports = "import numpy as np"
    else:
        body = _torch_lines(steps[:at], compute, fmt.name)
        if limit is not None:
            body.append(_limit_line("torch", *limit))
        body += _torch_lines(steps[at:], compute, fmt.name)
        body.insert(0, "dtype = x.dtype if isinstance(x, torch.Tensor) and x.is_floating_point() "
                    f"else torch.{fmt.name}")
        ret = (f"return {result}.to(torch.{fmt.name}).to(dtype)" if compute != fmt.name
               else f"return {result}.to(dtype)")
        imports = "import torch"
        # a comment, not a docstring: the generated code holds no string literal
        how = (f"x is rounded to {fmt.name} and computed in {compute}, the result rounded once "
               f"to {fmt.name}" if compute != fmt.name else f"computed in {compute}")
        comment.append(f"# returns: a tensor of x's dtype when x is a floating-point tensor (a "
                       f"bfloat16 tensor comes back bfloat16, converted once from the "
                       f"{fmt.name} result), else of {fmt.name}; {how}")
    text = ["# -*- coding: utf-8 -*-", *comment, imports, "", "", f"def {fname}(x):",
            *[f"    {line}" if line else "" for line in body], f"    {ret}"]
    return "\n".join(text) + "\n"
