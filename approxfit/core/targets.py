"""Target functions: what an approximant approximates.

Each :class:`Target` carries three forms of one function — a vectorised numpy form
(accurate and silent for ``|x|`` up to 1e6), an mpmath reference (evaluated at 50
significant digits) and a sympy form for the symbolic module — plus its *gate*:

=========  ========================  ===========================  ============
target     value f(x)                gate g(x)                    relation
=========  ========================  ===========================  ============
gelu       x·Φ(x)                    Φ(x)                         f = x·g
phi        Φ(x)                      Φ(x)                         f = g
erf        erf(x)                    Φ(√2·x)                      f = 2g − 1
silu       x·σ(x)                    σ(x)                         f = x·g
mish       x·tanh(softplus(x))       tanh(softplus(x))            f = x·g
softplus   log(1 + eˣ)               (none)
tanh       tanh(x)                   σ(2x)                        f = 2g − 1
sigmoid    σ(x)                      σ(x)                         f = g
exp2       2ˣ                        (none)
=========  ========================  ===========================  ============

Every relation is affine in the gate, ``f = scale(x)·g + offset``, which is what
lets a fit move between the gate and the value with a one-line chain rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from approxfit.core.exceptions import InputError
from approxfit.core.names import suggest

__all__ = ["RELATIONS", "TARGETS", "Relation", "Target", "check_regular", "custom_target",
           "get_target", "resolve_target", "shifted_gelu", "singularity"]

Array = np.ndarray
Parity = Literal["odd", "even", "none"]
MP_DIGITS = 50


@dataclass(frozen=True)
class Relation:
    """How a target's value follows from its gate: ``f = scale(x)·g + offset``.

    Attributes
    ----------
    name : {"product", "identity", "odd"}
        ``f = x·g``, ``f = g`` or ``f = 2g − 1``.
    formula : str
        The relation as a person reads it.
    offset : float
        The constant term.
    """

    name: str
    formula: str
    offset: float

    def scale(self, x: Array) -> Array:
        """The factor multiplying the gate, broadcast to ``x``."""
        if self.name == "product":
            return x
        return np.full_like(x, 2.0 if self.name == "odd" else 1.0)

    def dscale(self, x: Array) -> Array:
        """d/dx of :meth:`scale`."""
        return np.full_like(x, 1.0 if self.name == "product" else 0.0)

    def value_from_gate(self, x: Array, g: Array) -> Array:
        """The value ``scale(x)·g + offset``."""
        return self.scale(x) * g + self.offset

    def gate_from_value(self, x: Array, f: Array) -> Array:
        """The gate ``(f − offset)/scale(x)`` (NaN where the scale is zero)."""
        s = self.scale(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s != 0, (f - self.offset) / np.where(s != 0, s, 1.0), np.nan)

    @property
    def shift(self) -> int:
        """By how many powers of x the value's series lags the gate's (1 for x·g)."""
        return 1 if self.name == "product" else 0


RELATIONS = {
    "product": Relation("product", "f = x·g", 0.0),
    "identity": Relation("identity", "f = g", 0.0),
    "odd": Relation("odd", "f = 2g − 1", -1.0),
}


@dataclass(frozen=True)
class Target:
    """A function to approximate, in numpy, mpmath and sympy form, with its gate.

    Attributes
    ----------
    name, formula, description : str
        How the target is called, written and explained.
    value, dvalue : callable
        Vectorised numpy forms of f and f′.
    gate : callable or None
        Vectorised numpy form of the gate g, or None for a target without one.
    value_mp, gate_mp : callable
        mpmath references ``mpf -> mpf``, to be called inside :func:`mp_context`.
    sympy_value, sympy_gate : callable
        ``(sympy, x) -> Expr`` builders, used only by :mod:`approxfit.symbolic.taylor`.
    relation : Relation or None
        How the value follows from the gate.
    value_parity : {"odd", "even", "none"}
        Symmetry of f.
    gate_symmetric : bool
        Whether ``g(−x) = 1 − g(x)``, so that ``g − ½`` is odd.
    expression : str or None
        The formula of a custom target (:func:`custom_target`), None for a built-in.
    """

    name: str
    formula: str
    description: str
    value: Callable[[Array], Array]
    dvalue: Callable[[Array], Array]
    value_mp: Callable[[Any], Any]
    sympy_value: Callable[[Any, Any], Any]
    relation: Relation | None = None
    gate: Callable[[Array], Array] | None = None
    gate_mp: Callable[[Any], Any] | None = None
    sympy_gate: Callable[[Any, Any], Any] | None = None
    value_parity: Parity = "none"
    gate_symmetric: bool = False
    expression: str | None = None

    @property
    def has_gate(self) -> bool:
        """Whether the target has a gate (and so takes the tanh and sigmoid families)."""
        return self.relation is not None

    def reference(self, x: Any, *, on: str = "value", digits: int = MP_DIGITS) -> Any:
        """The mpmath reference at ``x`` (a float or an mpf), with ``digits`` digits."""
        import mpmath

        fn = self.value_mp if on == "value" else self.gate_mp
        if fn is None:
            raise InputError(f"target {self.name!r} has no gate; use `on` value")
        with mpmath.workdps(digits):
            return fn(mpmath.mpf(x))

    def evaluate(self, x: Array, *, on: str = "value") -> Array:
        """The numpy form of the value or the gate at ``x``."""
        if on == "gate":
            if self.gate is None:
                raise InputError(f"target {self.name!r} has no gate; use `on` value")
            return self.gate(x)
        return self.value(x)


_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_LN2 = math.log(2.0)


def _silent(fn: Callable[[Array], Array]) -> Callable[[Array], Array]:
    """Wrap a numpy form so that it takes any array-like and never warns."""

    def wrapped(x: Array) -> Array:
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            return fn(x)

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def _phi(x: Array) -> Array:
    from scipy.special import ndtr

    return ndtr(x)


def _phi_pdf(x: Array) -> Array:
    return np.exp(-0.5 * x * x) * _INV_SQRT_2PI


def _sigmoid(x: Array) -> Array:
    from scipy.special import expit

    return expit(x)


def _softplus(x: Array) -> Array:
    return np.logaddexp(0.0, x)


def _mish_gate(x: Array) -> Array:
    return np.tanh(_softplus(x))


def _mish_dvalue(x: Array) -> Array:
    t = _mish_gate(x)
    return t + x * (1.0 - t * t) * _sigmoid(x)


def _erf_gate(x: Array) -> Array:
    from scipy.special import erfc

    return 0.5 * erfc(-x)


def _erf(x: Array) -> Array:
    from scipy.special import erf

    return erf(x)


def _mp():
    import mpmath

    return mpmath


def _mp_sigmoid(x: Any) -> Any:
    mp = _mp()
    return 1 / (1 + mp.exp(-x))


def _mp_softplus(x: Any) -> Any:
    mp = _mp()
    return mp.log1p(mp.exp(x))


def _sympy_mish_gate(sp: Any, x: Any) -> Any:
    # tanh(log(1 + eˣ)) written as a rational function of eˣ: equal, and its series
    # is far quicker for sympy.
    u = sp.exp(x)
    return (u**2 + 2 * u) / (u**2 + 2 * u + 2)


def _build() -> dict[str, Target]:
    prod, ident, odd = RELATIONS["product"], RELATIONS["identity"], RELATIONS["odd"]
    targets = [
        Target(
            name="gelu", formula="x·Φ(x) = ½·x·(1 + erf(x/√2))",
            description="Gaussian error linear unit (Hendrycks & Gimpel 2016)",
            value=_silent(lambda x: x * _phi(x)),
            dvalue=_silent(lambda x: _phi(x) + x * _phi_pdf(x)),
            value_mp=lambda x: x * _mp().ncdf(x),
            sympy_value=lambda sp, x: x * (1 + sp.erf(x / sp.sqrt(2))) / 2,
            relation=prod, gate=_silent(_phi), gate_mp=lambda x: _mp().ncdf(x),
            sympy_gate=lambda sp, x: (1 + sp.erf(x / sp.sqrt(2))) / 2,
            value_parity="none", gate_symmetric=True),
        Target(
            name="phi", formula="Φ(x) = ½·(1 + erf(x/√2))",
            description="standard normal CDF (GELU's gate)",
            value=_silent(_phi), dvalue=_silent(_phi_pdf),
            value_mp=lambda x: _mp().ncdf(x),
            sympy_value=lambda sp, x: (1 + sp.erf(x / sp.sqrt(2))) / 2,
            relation=ident, gate=_silent(_phi), gate_mp=lambda x: _mp().ncdf(x),
            sympy_gate=lambda sp, x: (1 + sp.erf(x / sp.sqrt(2))) / 2,
            value_parity="none", gate_symmetric=True),
        Target(
            name="erf", formula="erf(x) = 2·Φ(√2·x) − 1",
            description="error function",
            value=_silent(_erf),
            dvalue=_silent(lambda x: (2.0 / math.sqrt(math.pi)) * np.exp(-x * x)),
            value_mp=lambda x: _mp().erf(x),
            sympy_value=lambda sp, x: sp.erf(x),
            relation=odd, gate=_silent(_erf_gate), gate_mp=lambda x: _mp().erfc(-x) / 2,
            sympy_gate=lambda sp, x: (1 + sp.erf(x)) / 2,
            value_parity="odd", gate_symmetric=True),
        Target(
            name="silu", formula="x·σ(x)",
            description="sigmoid linear unit / swish-1 (logistic gate in place of Φ)",
            value=_silent(lambda x: x * _sigmoid(x)),
            dvalue=_silent(lambda x: _sigmoid(x) * (1.0 + x * _sigmoid(-x))),
            value_mp=lambda x: x * _mp_sigmoid(x),
            sympy_value=lambda sp, x: x / (1 + sp.exp(-x)),
            relation=prod, gate=_silent(_sigmoid), gate_mp=_mp_sigmoid,
            sympy_gate=lambda sp, x: 1 / (1 + sp.exp(-x)),
            value_parity="none", gate_symmetric=True),
        Target(
            name="mish", formula="x·tanh(softplus(x))",
            description="Mish (Misra 2019)",
            value=_silent(lambda x: x * _mish_gate(x)), dvalue=_silent(_mish_dvalue),
            value_mp=lambda x: x * _mp().tanh(_mp_softplus(x)),
            sympy_value=lambda sp, x: x * _sympy_mish_gate(sp, x),
            relation=prod, gate=_silent(_mish_gate),
            gate_mp=lambda x: _mp().tanh(_mp_softplus(x)),
            sympy_gate=_sympy_mish_gate,
            value_parity="none", gate_symmetric=False),
        Target(
            name="softplus", formula="log(1 + eˣ)",
            description="softplus (no gate: only the poly family applies)",
            value=_silent(_softplus), dvalue=_silent(_sigmoid),
            value_mp=_mp_softplus,
            sympy_value=lambda sp, x: sp.log(1 + sp.exp(x)),
            value_parity="none"),
        Target(
            name="tanh", formula="tanh(x) = 2·σ(2x) − 1",
            description="hyperbolic tangent",
            value=_silent(np.tanh), dvalue=_silent(lambda x: 1.0 / np.cosh(x) ** 2),
            value_mp=lambda x: _mp().tanh(x),
            sympy_value=lambda sp, x: sp.tanh(x),
            relation=odd, gate=_silent(lambda x: _sigmoid(2.0 * x)),
            gate_mp=lambda x: _mp_sigmoid(2 * x),
            sympy_gate=lambda sp, x: 1 / (1 + sp.exp(-2 * x)),
            value_parity="odd", gate_symmetric=True),
        Target(
            name="sigmoid", formula="σ(x) = 1/(1 + e⁻ˣ)",
            description="logistic sigmoid (SiLU's gate)",
            value=_silent(_sigmoid),
            dvalue=_silent(lambda x: _sigmoid(x) * _sigmoid(-x)),
            value_mp=_mp_sigmoid,
            sympy_value=lambda sp, x: 1 / (1 + sp.exp(-x)),
            relation=ident, gate=_silent(_sigmoid), gate_mp=_mp_sigmoid,
            sympy_gate=lambda sp, x: 1 / (1 + sp.exp(-x)),
            value_parity="none", gate_symmetric=True),
        Target(
            name="exp2", formula="2ˣ",
            description="base-2 exponential (no gate: the poly and rational families)",
            value=_silent(np.exp2), dvalue=_silent(lambda x: _LN2 * np.exp2(x)),
            value_mp=lambda x: _mp().power(2, x),
            sympy_value=lambda sp, x: 2**x,
            value_parity="none"),
    ]
    return {t.name: t for t in targets}


TARGETS: dict[str, Target] = _build()


def get_target(name: str) -> Target:
    """The built-in target called ``name``, or a parametrised one.

    ``gelu:mu=M,sigma=S`` is GELU with an N(μ, σ) gate (see :func:`shifted_gelu`).

    Raises
    ------
    InputError
        If there is none; the message lists the targets and suggests the nearest.
    """
    if not isinstance(name, str):
        from approxfit.core.checks import InputTypeError, shown

        raise InputTypeError(f"`name` must be a target's name (a str), got "
                             f"{type(name).__name__} {shown(name)}")
    if name in TARGETS:
        return TARGETS[name]
    head, sep, params = name.partition(":")
    if sep and head == "gelu":
        return shifted_gelu(**_target_params(name, params, ("mu", "sigma")))
    from approxfit.core.checks import shown

    raise InputError(f"unknown `target` {shown(name)}{suggest(name[:100], list(TARGETS))}; "
                     f"choose one of {', '.join(TARGETS)}, or gelu:mu=M,sigma=S")


def resolve_target(target: str | Target, *, expr: str | None = None) -> Target:
    """The target a user names: a :class:`Target`, a built-in's name, ``gelu:mu=M,sigma=S``,
    or, with ``expr``, a custom target called ``target`` with the formula ``expr``.

    This is the one rule every command and every public function follows.

    Parameters
    ----------
    target : str or Target
        The target, or its name.
    expr : str, optional
        A formula in x (see :func:`custom_target`); ``target`` is then its name.

    Raises
    ------
    InputError
        For an unknown name or a bad formula.
    TypeError
        If ``target`` is neither a str nor a :class:`Target`.

    Examples
    --------
    >>> resolve_target("gelu").name
    'gelu'
    >>> resolve_target("myf", expr="x*erf(x)").expression
    'x*erf(x)'
    """
    if isinstance(target, Target):
        if expr is not None:
            raise InputError("`expr` names a formula for a new target; pass the target's "
                             "name (a str) with it, not a Target")
        return target
    from approxfit.core.checks import InputTypeError, shown

    if not isinstance(target, str):
        raise InputTypeError(f"`target` must be a str or a Target, got "
                             f"{type(target).__name__} {shown(target)}")
    if expr is not None:
        if not isinstance(expr, str):
            raise InputTypeError(f"`expr` must be a formula in x (a str), got "
                                 f"{type(expr).__name__} {shown(expr)}")
        return custom_target(target, expr)
    return get_target(target)


def _target_params(name: str, text: str, allowed: tuple[str, ...]) -> dict[str, float]:
    from approxfit.core.expr import parse_number

    out: dict[str, float] = {}
    for item in text.split(","):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or key not in allowed:
            raise InputError(f"target {name!r}: parameters are {', '.join(allowed)} as "
                             "NAME=VALUE, e.g. gelu:mu=0.5,sigma=2")
        if key in out:
            raise InputError(f"target {name!r} gives {key} twice")
        out[key] = parse_number(value, what=f"target parameter {key}")
    return out


def shifted_gelu(mu: float = 0.0, sigma: float = 1.0) -> Target:
    """GELU with an N(μ, σ) gate, ``x·Φ((x − μ)/σ)``, as the article suggests.

    Parameters
    ----------
    mu : float
        Mean of the gate's normal distribution.
    sigma : float
        Its standard deviation, > 0.

    Returns
    -------
    Target
        Named ``gelu:mu=M,sigma=S``; ``mu=0, sigma=1`` gives the same function as
        ``gelu``.  Its gate is symmetric about ½ only when ``mu = 0``.
    """
    mu, sigma = float(mu), float(sigma)
    if not (math.isfinite(mu) and abs(mu) <= 1e3):
        raise InputError(f"mu must be a finite number with |mu| <= 1000, got {mu}")
    if not (math.isfinite(sigma) and 1e-3 <= sigma <= 1e3):
        raise InputError(f"sigma must be between 0.001 and 1000, got {sigma}")
    z = lambda x: (x - mu) / sigma  # noqa: E731

    def gate(x: Array) -> Array:
        return _phi(z(x))

    def mp_gate(x: Any) -> Any:
        mp = _mp()
        return mp.ncdf(x, mu=mp.mpf(repr(mu)), sigma=mp.mpf(repr(sigma)))

    def sym_gate(sp: Any, x: Any) -> Any:
        m, s = sp.Rational(repr(mu)), sp.Rational(repr(sigma))
        return (1 + sp.erf((x - m) / (s * sp.sqrt(2)))) / 2

    return Target(
        name=f"gelu:mu={mu!r},sigma={sigma!r}",
        formula=f"x·Φ((x − {mu:g})/{sigma:g})",
        description="GELU with an N(μ, σ) gate",
        value=_silent(lambda x: x * gate(x)),
        dvalue=_silent(lambda x: gate(x) + x * _phi_pdf(z(x)) / sigma),
        value_mp=lambda x: x * mp_gate(x),
        sympy_value=lambda sp, x: x * sym_gate(sp, x),
        relation=RELATIONS["product"], gate=_silent(gate), gate_mp=mp_gate,
        sympy_gate=sym_gate, value_parity="none", gate_symmetric=(mu == 0.0))


def _numeric_parity(fn: Callable[[Array], Array]) -> Parity:
    """"odd", "even" or "none", by comparing f(−x) with ±f(x) on a spread of points."""
    x = np.concatenate([np.linspace(0.05, 3.0, 60), np.geomspace(3.0, 50.0, 20)])
    with np.errstate(all="ignore"):
        a, b = fn(x), fn(-x)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 10:
        return "none"
    a, b = a[ok], b[ok]
    tol = 1e-12 * np.maximum(1.0, np.abs(a))
    if np.all(np.abs(a + b) <= tol):
        return "odd"
    if np.all(np.abs(a - b) <= tol):
        return "even"
    return "none"


def _shown(value: Any) -> str:
    from approxfit.core.checks import shown

    return shown(value)


def custom_target(name: str, text: str) -> Target:
    """A target from a formula the user typed, e.g. ``custom_target("xerf", "x*erf(x)")``.

    The formula is parsed by :func:`approxfit.core.expr.parse` (an ast whitelist, never
    ``eval``).  Its numpy form walks the checked tree with numpy and
    ``scipy.special``; its 50-digit reference walks it with mpmath; its sympy form
    is built node by node; its derivative is the tree differentiated by the rules
    of calculus (:meth:`~approxfit.core.expr.Expression.derivative`), so the numeric
    path never loads sympy.  A custom target has no gate, so it takes the poly
    family; its parity is detected numerically.

    Raises
    ------
    InputError
        If the name clashes with a built-in target or the formula is not allowed.
    """
    from approxfit.core.expr import parse

    if name in TARGETS:
        raise InputError(f"target name {name!r} is a built-in target; give the `expr` target "
                         "a new name (e.g. 'custom')")
    if not name.isidentifier():
        raise InputError(f"target name {_shown(name)} must be a plain identifier such as "
                         "'custom'")
    expr = parse(text, allow_x=True, what="`expr`")
    if not expr.uses_x:
        raise InputError(f"`expr` {_shown(text)} does not use x; give a function of x")

    def value(x: Array) -> Array:
        return expr.evaluate(x)

    slope = expr.derivative()

    def dvalue(x: Array) -> Array:
        return slope.evaluate(x)

    return Target(name=name, formula=expr.text, description=f"custom target {expr.text}",
                  value=_silent(value), dvalue=dvalue, value_mp=expr.evaluate_mp,
                  sympy_value=lambda sp, x: expr.to_sympy(x),
                  value_parity=_numeric_parity(value), expression=expr.text)


# -- poles and jumps of a custom target on a range ------------------------------------

#: Points per scan of a denominator on the range (zeros are then refined by bisection).
SCAN_POINTS = 4097


def singularity(target: Target, lo: float, hi: float) -> tuple[float, str] | None:
    """A pole, log singularity or jump of a custom target on ``[lo, hi]``, or None.

    The built-in targets are continuous on the whole line, so only a custom target
    (``target.expression``) is examined.  Every place its formula can break — the
    denominator of ``/``, the base of a negative power, the argument of ``log`` — is
    scanned on :data:`SCAN_POINTS` points of the range: each sign change is refined
    by bisection and each local minimum of its magnitude by a golden-section search,
    and a zero (to 1e-12 of the scale) is a candidate ``x0``.  The target is then
    evaluated at ``x0 ± h`` for ``h`` from 1e-3 to 1e-12 of the range's width:
    ``|f|`` growing monotonically to more than twice its value at the largest ``h``,
    or not finite, is a pole (``1/x``, ``1/x**2``, ``log(x**2)``); a gap between the
    two sides that does not close is a jump (``abs(x)/x``); otherwise the
    singularity is removable (``sin(x)/x``) and nothing is reported.

    Returns
    -------
    tuple or None
        ``(x0, kind)`` for the first found, in ascending ``x0``; ``kind`` is
        ``"a pole"``, ``"a singularity"`` (slow growth: ``log(x**2)``) or ``"a jump"``.
    """
    if target.expression is None or not (math.isfinite(lo) and math.isfinite(hi)
                                          and lo < hi):
        return None
    from approxfit.core.expr import Expression, parse

    expr = parse(target.expression, allow_x=True, what="`expr`")
    width = hi - lo
    grid = np.linspace(lo, hi, SCAN_POINTS)
    candidates: set[float] = set()
    for sub in _breakpoints(expr.tree):
        g = Expression(text="", tree=sub, uses_x=True).evaluate
        candidates.update(_zeros(g, grid))
    found = []
    for x0 in sorted(candidates):
        kind = _classify(target.value, x0, lo, hi, width)
        if kind is not None:
            found.append((x0, kind))
    return found[0] if found else None


def check_regular(target: Target, lo: float, hi: float) -> None:
    """Refuse a custom target with a pole or a jump on ``[lo, hi]`` (:func:`singularity`).

    Raises
    ------
    InputError
        "the target 'myf' has a pole near x = 0 in the range [-4, 4]; …".
    """
    found = singularity(target, lo, hi)
    if found is None:
        return
    x0, kind = found
    near = 0.0 if abs(x0) <= 1e-9 * max(abs(lo), abs(hi)) else x0
    raise InputError(f"the target {target.name!r} has {kind} near x = {near:.6g} in the range "
                     f"[{lo:g}, {hi:g}]; a smooth approximant cannot follow it — choose a "
                     "range that excludes it")


def nonfinite_message(target: Target, x: Array, y: Array) -> str:
    """What is wrong where the samples ``y = f(x)`` are not finite (at the first such x):
    ``nan`` — not defined there; ``±inf`` on two samples in a row — the values overflow
    float64 (``exp(exp(exp(exp(exp(exp(x))))))``); a lone ``±inf`` — a pole hit."""
    bad = np.flatnonzero(~np.isfinite(y))
    i = int(bad[0])
    at = f"at x = {float(x[i]):g} on the range"
    if np.isnan(y[i]):
        return (f"the target {target.name!r} is not finite {at} (nan: not defined there); "
                "choose a range where it is defined")
    if (i + 1 < len(y) and np.isinf(y[i + 1])) or (i > 0 and np.isinf(y[i - 1])):
        return (f"the target {target.name!r} overflows float64 (|f| > 1.8e308) {at}; "
                "choose a range where its values fit in float64")
    return (f"the target {target.name!r} is infinite {at} (a pole); choose a range that "
            "excludes it")


def _breakpoints(node: tuple) -> list[tuple]:
    """Subtrees (using x) whose zeros can break the formula: denominators, bases of
    negative powers, arguments of log."""
    out: list[tuple] = []
    kind = node[0]
    if kind == "bin":
        op, a, b = node[1], node[2], node[3]
        if op == "/":
            out.append(b)
        elif op == "**":
            out.append(a)       # a negative or fractional power: 0 is a pole or a cusp
    elif kind == "call" and node[1] == "log":
        out.append(node[2])
    out = [n for n in out if _uses_x(n)]
    for child in node[1:]:
        if isinstance(child, tuple):
            out += _breakpoints(child)
    return out


def _uses_x(node: tuple) -> bool:
    return node[0] == "x" or any(_uses_x(c) for c in node[1:] if isinstance(c, tuple))


def _zeros(g: Callable[[Array], Array], grid: Array) -> list[float]:
    """Zeros of ``g`` on the grid's span: exact zeros, sign changes refined by bisection,
    and local minima of ``|g|`` that reach 0 (to 1e-12 of max |g|)."""
    with np.errstate(all="ignore"):
        v = np.asarray(g(grid), dtype=float)
    ok = np.isfinite(v)
    if not ok.any():
        return []
    scale = float(np.max(np.abs(v[ok]))) or 1.0
    tiny = 1e-12 * scale
    out = [float(x) for x in grid[ok & (v == 0)]]
    s = np.sign(v)
    change = np.flatnonzero(ok[:-1] & ok[1:] & (s[:-1] * s[1:] < 0))
    for i in change[:100]:
        out.append(_bisect(g, float(grid[i]), float(grid[i + 1]), s[i]))
    a = np.abs(np.where(ok, v, np.inf))
    interior = np.flatnonzero((a[1:-1] <= a[:-2]) & (a[1:-1] <= a[2:]) & (a[1:-1] > 0)) + 1
    for i in interior[:100]:
        x, m = _golden(g, float(grid[i - 1]), float(grid[i + 1]))
        if m <= tiny:
            out.append(x)
    return out


def _scalar(g: Callable[[Array], Array], x: float) -> float:
    with np.errstate(all="ignore"):
        return float(np.asarray(g(np.array([x])), dtype=float)[0])


def _bisect(g: Callable[[Array], Array], a: float, b: float, sign_a: float) -> float:
    for _ in range(200):
        m = 0.5 * (a + b)
        if m in (a, b):
            break
        vm = _scalar(g, m)
        if not np.isfinite(vm) or vm == 0:
            return m
        if np.sign(vm) == sign_a:
            a = m
        else:
            b = m
    return 0.5 * (a + b)


def _golden(g: Callable[[Array], Array], a: float, b: float) -> tuple[float, float]:
    """A local minimum of ``|g|`` on ``[a, b]``: ``(x, |g(x)|)``."""
    r = (math.sqrt(5.0) - 1.0) / 2.0
    f = lambda t: abs(_scalar(g, t))  # noqa: E731
    c, d = b - r * (b - a), a + r * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(120):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - r * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + r * (b - a)
            fd = f(d)
        if b - a <= 4 * math.ulp(max(abs(a), abs(b), 1e-300)):
            break
    return (c, fc) if fc <= fd else (d, fd)


def _classify(f: Callable[[Array], Array], x0: float, lo: float, hi: float,
              width: float) -> str | None:
    """"a pole", "a jump" or None (removable, or no singularity) at ``x0``."""
    steps = width * 10.0 ** -np.arange(3, 13)
    sides = []
    for sign in (-1.0, 1.0):
        xs = x0 + sign * steps
        xs = xs[(xs >= lo) & (xs <= hi) & (xs != x0)]
        if xs.size < 3:
            continue
        with np.errstate(all="ignore"):
            v = np.asarray(f(xs), dtype=float)
        if not np.all(np.isfinite(v)):
            if np.isinf(v).any():
                return "a pole"
            continue                                   # outside the domain (nan): not ours
        m = np.abs(v)
        if np.all(np.diff(m) > 0) and m[-1] > 2.0 * max(m[0], 1e-300) and m[-1] > 1e-6:
            # 1/x grows a thousandfold per step, log(x**2) by a constant — down to the
            # last step; a finite peak such as 1/(x**2 + 1e-12) levels off (its last
            # step gains almost nothing), so it is no singularity
            if m[-1] > 1e4 * m[0] and m[-1] >= 1.5 * m[-2]:
                return "a pole"
            if m[-1] - m[-2] >= 0.5 * (m[1] - m[0]):
                return "a singularity" if m[-1] <= 1e4 * m[0] else "a pole"
        sides.append(v[-1])
    if len(sides) == 2:
        gap = abs(sides[1] - sides[0])
        if gap > 1e-6 * max(1.0, abs(sides[0]), abs(sides[1])):
            return "a jump"
    return None
