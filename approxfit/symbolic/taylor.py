"""Symbolic Taylor matching (sympy lives here and nowhere else).

:func:`taylor_match` chooses the free coefficients of an approximant so that its
Maclaurin series agrees with the target's, order by order, and returns exact
closed forms (as sympy-parsable strings) and decimals — plain data across the
module boundary.

The approximant's series is built exactly by the ODE of its outer function, so
no symbolic ``series`` of a composite is needed:

* tanh family: ``T = tanh(p)`` obeys ``T′ = (1 − T²)·p′``, gate ``= (1 + T)/2``;
* sigmoid family: ``S = σ(p)`` obeys ``S′ = S·(1 − S)·p′``;
* poly: the series is p itself.

Order by order, the coefficient of ``x^m`` of the approximant depends on the
inner coefficients up to ``c_{m−s}`` only (``s = 1`` when matching the value of a
``f = x·g`` target, else 0) and on ``c_{m−s}`` linearly, so each free
coefficient is fixed by one equation, in ascending order; orders whose
coefficient is fixed or absent are checks.  The target's series comes from
``sympy.series`` of its sympy form — the value's or the gate's, as asked — so
matching the gate and matching the value are two independent computations that
must agree.

Example: ``taylor_match("gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"})``
gives ``a3 = (4 − π)/(6π) ≈ 0.0455399241225``.

Every public function here runs its sympy work within a
:class:`~approxfit.core.budget.Budget` (default 120 s wall clock and 2 GiB of memory
beyond what the process already uses, in a forked child process; see
:mod:`approxfit.core.budget`, which also says when the bound cannot be applied —
from a thread, or with other threads alive — and the work runs in-process).  Over
budget, :class:`~approxfit.core.exceptions.ComputationError` says so in one line.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from approxfit.approximants.coefficients import fixed_expressions
from approxfit.approximants.families import DEN_NAMES, coefficient_names, get_family, powers_for
from approxfit.core.budget import Budget, check_budget, run_bounded
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.core.expr import Expression
from approxfit.core.targets import Target, get_target

__all__ = ["TaylorResult", "approximant_expr", "pade_match", "target_series", "taylor",
           "taylor_match"]

X = sp.Symbol("x", real=True)


@dataclass(frozen=True)
class TaylorResult:
    """Coefficients chosen by Taylor matching.

    Attributes
    ----------
    target, family : str
    degree : int
    parity : str
    on : {"gate", "value"}
        Which series was matched.
    powers : tuple of int
    coefficients : dict
        ``{"c1": float, …}`` for every coefficient (fixed ones included).
    scaled : dict
        ``{"a3": float, …}`` (tanh and sigmoid).
    exact : dict
        Simplified closed form of each coefficient and scaled coefficient as a
        sympy-parsable string.
    fixed : tuple of str
    matched_order : int
        The series agree through ``x^matched_order`` (as far as was checked).
    checked_order : int
        The highest order compared.
    mismatches : tuple of int
        Orders at or below ``checked_order`` where the series differ.
    seconds : float
    """

    target: str
    family: str
    degree: int
    parity: str
    on: str
    powers: tuple[int, ...]
    coefficients: dict[str, float]
    scaled: dict[str, float]
    exact: dict[str, str]
    fixed: tuple[str, ...]
    matched_order: int
    checked_order: int
    mismatches: tuple[int, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    def to_dict(self, *, timing: bool = True) -> dict[str, Any]:
        """The JSON contract of ``approxfit taylor --json``."""
        d = {"kind": "taylor", "target": self.target, "family": self.family,
             "degree": self.degree, "parity": self.parity, "on": self.on,
             "powers": list(self.powers), "coefficients": self.coefficients,
             "scaled": self.scaled, "exact": self.exact, "fixed": list(self.fixed),
             "matched_order": self.matched_order, "checked_order": self.checked_order,
             "mismatches": list(self.mismatches)}
        if timing:
            d["seconds"] = self.seconds
        return d


def target_series(target: Target, on: str, order: int) -> list[sp.Expr]:
    """Maclaurin coefficients ``[a_0, …, a_order]`` of the target's value or gate."""
    build = target.sympy_value if on == "value" else target.sympy_gate
    if build is None:
        raise InputError(f"target {target.name!r} has no gate; use `on` value")
    at0 = target.evaluate(np.zeros(1), on=on)[0]
    if np.isinf(at0):
        # 1/x, or exp(exp(exp(exp(exp(exp(x)))))) whose value at 0 overflows: its
        # series would be astronomically large (nan is left to sympy: sin(x)/x)
        raise InputError(f"target {target.name!r} is not analytic at 0 or too large there "
                         f"(its value at 0 is {at0} in float64); Taylor matching needs a "
                         "power series of modest coefficients")
    expr = build(sp, X)
    try:
        ser = sp.expand(sp.series(expr, X, 0, order + 1).removeO())
    except (sp.PoleError, NotImplementedError, ValueError, TypeError) as exc:
        raise InputError(f"target {target.name!r} has no Maclaurin series at 0 "
                         f"({_short(exc)}); Taylor matching needs a function analytic at 0"
                         ) from None
    # A power series in x: no negative or fractional power of x, no log(x) (a constant
    # such as softplus's log 2 is fine), no infinite coefficient.
    if not ser.is_polynomial(X) or any(a.is_infinite for a in ser.atoms(sp.Number)):
        raise InputError(f"target {target.name!r} is not analytic at 0 (its expansion "
                         f"{_short(ser)} has log(x), a pole or fractional powers); Taylor "
                         "matching needs a power series")
    coeffs = [sp.expand(ser.coeff(X, m)) for m in range(order + 1)]
    if any(c.has(sp.erf, sp.exp, sp.erfc) for c in coeffs):
        # Expanding about a point where the target is not at its centre (GELU with
        # an N(μ, σ) gate) puts erf and exp of constants in every coefficient, and
        # their exact algebra grows without end; carry 50 significant digits instead.
        coeffs = [sp.Float(sp.N(c, 60), 50) for c in coeffs]
    return coeffs


def _short(obj: Any, limit: int = 60) -> str:
    """``str(obj)`` cut to ``limit`` characters with "…"."""
    text = str(obj)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _outer_series(family: str, c: list[sp.Expr], order: int) -> list[sp.Expr]:
    """Series coefficients of the family's kernel h(p(x)) up to ``x^order``.

    ``c`` holds the inner coefficients c_0 … c_order (zeros where absent).
    """
    if family == "poly":
        return [c[m] if m < len(c) else sp.Integer(0) for m in range(order + 1)]
    dp = [(k + 1) * c[k + 1] for k in range(order)]           # p′ series
    if family == "tanh":
        t = [sp.tanh(c[0])]
        for n in range(order):
            # (1 − T²)_j for j ≤ n, times p′, coefficient n
            acc = sp.Integer(0)
            for j in range(n + 1):
                one_minus = (1 if j == 0 else 0) - sum(t[i] * t[j - i] for i in range(j + 1))
                acc += one_minus * dp[n - j]
            t.append(sp.expand(acc / (n + 1)))
        return [sp.expand(((1 if m == 0 else 0) + t[m]) / 2) for m in range(order + 1)]
    s = [1 / (1 + sp.exp(-c[0]))]
    for n in range(order):
        acc = sp.Integer(0)
        for j in range(n + 1):
            s_one_minus = s[j] - sum(s[i] * s[j - i] for i in range(j + 1))   # S(1 − S)
            acc += s_one_minus * dp[n - j]
        s.append(sp.expand(acc / (n + 1)))
    return s


def approximant_expr(family: str, powers: tuple[int, ...], coef: list[Any]) -> sp.Expr:
    """The family's kernel h(x) as a sympy expression (for display and checks)."""
    p = sum(sp.sympify(ck) * X**k for k, ck in zip(powers, coef, strict=True))
    if family == "tanh":
        return (1 + sp.tanh(p)) / 2
    if family == "sigmoid":
        return 1 / (1 + sp.exp(-p))
    return p


def _fixed_series(fix: Mapping[str, str | float | Expression] | None,
                  powers: tuple[int, ...], what: str) -> dict[int, sp.Expr]:
    """The fixed coefficients by power, as exact sympy forms (the rule of
    :func:`approxfit.approximants.coefficients.fixed_expressions`)."""
    exprs = fixed_expressions(fix, coefficient_names(powers), what, purpose="match")
    return {int(name[1:]): e.to_sympy(X) for name, e in exprs.items()}


def taylor_match(target: str | Target, family: str, *, degree: int,
                 parity: str | None = None,
                 fix: Mapping[str, str | float | Expression] | None = None,
                 on: str = "gate", budget: Budget | None = None) -> TaylorResult:
    """Choose the free coefficients so that the Maclaurin series agree.

    Parameters
    ----------
    target : str or Target
    family : {"tanh", "sigmoid", "poly"}
    degree : int
        Highest power of the inner polynomial.
    parity : {"odd", "even", "none"}, optional
        Default: what the target's symmetry suggests.
    fix : mapping, optional
        Coefficients held at a value, as text parsed safely
        (``{"c1": "sqrt(2/pi)"}``) or as numbers.
    on : {"gate", "value"}
        Match the series of the gate or of the value.
    budget : Budget, optional
        Wall-clock and memory budget of the computation (default 120 s / 2 GiB).

    Returns
    -------
    TaylorResult

    Raises
    ------
    ComputationError
        If the computation exceeds its budget.

    Examples
    --------
    >>> r = taylor_match("gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"})
    >>> r.exact["a3"], round(r.scaled["a3"], 13)
    ('(4 - pi)/(6*pi)', 0.0455399241225)
    """
    tries = ["a lower `degree`"]
    if fix:
        tries.append("simpler `fix` values")
    if getattr(target, "expression", None) is not None:
        tries.append("a simpler `expr`")
    advice = f"try {', '.join(tries)} or a larger `budget`"
    return run_bounded(_taylor_match, target, family, degree=degree, parity=parity, fix=fix,
                       on=on, budget=check_budget(budget), what=_WHAT, advice=advice)


_WHAT = "the symbolic computation"


def _taylor_match(target: str | Target, family: str, *, degree: int,
                  parity: str | None = None,
                  fix: Mapping[str, str | float | Expression] | None = None,
                  on: str = "gate") -> TaylorResult:
    t0 = time.perf_counter()
    tgt = target if isinstance(target, Target) else get_target(target)
    fam = get_family(family)
    if on not in ("gate", "value"):
        raise InputError(f"`on` must be gate or value, got {on!r}")
    if (fam.gated or on == "gate") and not tgt.has_gate:
        raise InputError(f"target {tgt.name!r} has no gate; use the poly family with "
                         "`on` value")
    parity = fam.default_parity(tgt, on) if parity is None else parity
    powers = powers_for(degree, parity)
    fixed = _fixed_series(fix, powers, f"{fam.name} of degree {degree} ({parity})")
    unknown = {k: sp.Symbol(f"c{k}") for k in powers if k not in fixed}
    coeffs: list[sp.Expr] = [sp.Integer(0)] * (degree + 1)
    for k in powers:
        coeffs[k] = fixed.get(k, unknown.get(k))

    shift = 0
    scale, offset = sp.Integer(1), sp.Integer(0)
    if fam.gated and on == "value":
        rel = tgt.relation
        shift = rel.shift
        scale = sp.Integer(2) if rel.name == "odd" else sp.Integer(1)
        offset = sp.Integer(-1) if rel.name == "odd" else sp.Integer(0)
    checked = degree + shift + 1
    want = target_series(tgt, on, checked)

    solved: dict[sp.Symbol, sp.Expr] = {}
    matched, mismatches = -1, []
    # Build the kernel's series one order at a time, solving as we go, so that each
    # new coefficient enters linearly and the expressions stay small.
    for m in range(checked + 1):
        n = m - shift
        have = sp.Integer(0)
        if n >= 0:
            c_now = [sp.sympify(ci).subs(solved) for ci in coeffs]
            c_now += [sp.Integer(0)] * (n + 1 - len(c_now))
            h = _outer_series(fam.name, c_now, n)[n]
            have = scale * h + (offset if n == 0 else 0)
        eq = sp.expand(have - want[m])
        pending = sorted((s for s in eq.free_symbols if s in unknown.values()),
                         key=lambda s: int(s.name[1:]))
        if pending:
            sym = pending[0]
            if sym.name == "c0" and fam.gated:
                # The constant term fixes the kernel's value at 0: invert the outer
                # function in closed form rather than asking sp.solve.
                h0 = sp.simplify((want[m] - (offset if n == 0 else 0)) / scale)
                if not (0 < h0 < 1):
                    raise ComputationError(f"the gate at 0 is {h0}, outside (0, 1)")
                solved[sym] = sp.atanh(2 * h0 - 1) if fam.name == "tanh" else sp.log(
                    h0 / (1 - h0))
            else:
                sols = [s for s in sp.solve(eq, sym) if s.is_real is not False]
                if not sols:
                    raise ComputationError(f"no real {sym} matches the x^{m} term")
                solved[sym] = sp.simplify(sols[0])
            eq = sp.Integer(0)
        ok = _is_zero(eq)
        if ok and matched == m - 1:
            matched = m
        elif not ok:
            mismatches.append(m)
    missing = [s for s in unknown.values() if s not in solved]
    if missing:
        raise ComputationError(f"could not determine {', '.join(map(str, missing))} from "
                               "the series")
    exact_c = {f"c{k}": _simplify(sp.sympify(coeffs[k]).subs(solved)) for k in powers}
    scaled_exact: dict[str, sp.Expr] = {}
    if fam.scaled and 1 in powers and exact_c["c1"] != 0:
        for k in powers:
            if k != 1:
                scaled_exact[f"a{k}"] = _simplify(sp.radsimp(exact_c[f"c{k}"] / exact_c["c1"]))
    exact = {name: _pretty(e) for name, e in {**exact_c, **scaled_exact}.items()}
    fixed_text = {name: e.text for name, e in fixed_expressions(
        fix, coefficient_names(powers), "", purpose="match").items()} if fix else {}
    return TaylorResult(
        target=tgt.name, family=fam.name, degree=degree, parity=parity, on=on,
        powers=powers,
        coefficients=_floats(exact_c, exact, fixed_text),
        scaled=_floats(scaled_exact, exact, fixed_text),
        exact=exact, fixed=tuple(f"c{k}" for k in powers if k in fixed),
        matched_order=matched, checked_order=checked, mismatches=tuple(mismatches),
        seconds=time.perf_counter() - t0)


SIMPLIFY_OPS = 120


def _floats(exprs: Mapping[str, sp.Expr], exact: Mapping[str, str],
            fixed_text: Mapping[str, str]) -> dict[str, float]:
    """Each closed form as a float64; a value beyond float64 (|v| > 1.8e308) is a
    :class:`ComputationError` naming the coefficient and, when there are any, the
    fixed values that made it so large."""
    out: dict[str, float] = {}
    for name, e in exprs.items():
        value = sp.N(e, 30)
        v = float(value) if value.is_real is not False else float("nan")
        if not np.isfinite(v):
            size = ""
            if value.is_real and value != 0:
                size = f" (about 10^{int(sp.floor(sp.log(abs(value), 10)))})"
            cause = ("; the fixed value" + ("s " if len(fixed_text) > 1 else " ")
                     + ", ".join(f"{k} = {_short(t, 40)}" for k, t in fixed_text.items())
                     + (" are" if len(fixed_text) > 1 else " is")
                     + " too large (the coefficients it implies exceed float64)"
                     if fixed_text else
                     "; the target's series has coefficients beyond float64")
            raise ComputationError(f"{name} = {_short(exact.get(name, e), 40)} "
                                   f"{'overflows' if value.is_real else 'is not a real'} "
                                   f"float64{size}{cause}")
        out[name] = v
    return out


def _is_zero(e: sp.Expr) -> bool:
    """Whether a closed-form constant is 0: exactly, or to 40 digits when sympy's
    simplification would be expensive (its value is then checked numerically)."""
    e = sp.expand(e)
    if e == 0:
        return True
    if sp.count_ops(e) <= SIMPLIFY_OPS:
        return sp.simplify(e) == 0
    return abs(sp.N(e, 50)) < sp.Float("1e-40")


def _simplify(e: sp.Expr) -> sp.Expr:
    """``sympy.simplify`` for expressions of modest size; larger ones are only
    collected over a common denominator (simplify can take minutes on them)."""
    return sp.simplify(e) if sp.count_ops(e) <= SIMPLIFY_OPS else sp.together(e)


def _pretty(e: sp.Expr) -> str:
    """The shortest of a few equivalent forms, as sympy-parsable text.

    The candidates are sympy's own rewritings of ``e``; each is kept only if it
    equals ``e`` to 40 digits (a cheap guard against a rewriting gone wrong).
    """
    forms = [e]
    if sp.count_ops(e) <= SIMPLIFY_OPS:
        forms += [sp.factor(e), sp.together(e), sp.radsimp(e), sp.nsimplify(e)]
    ref = sp.N(e, 50)
    scale = max(abs(ref), sp.Float(1))
    forms = [f for f in forms if abs(sp.N(f, 50) - ref) <= sp.Float("1e-40") * scale]
    return str(min(forms, key=lambda f: (sp.count_ops(f), len(str(f)))))


def pade_match(target: str | Target, *, degree: int, den_degree: int,
               parity: str | None = None, den_parity: str = "even",
               on: str = "value", budget: Budget | None = None) -> TaylorResult:
    """The Padé approximant ``P/Q`` (``Q(0) = 1``) of the target's value or gate.

    The coefficients solve ``P − Q·T = O(x^J)`` order by order, T the target's
    Maclaurin series, with as many orders J as there are unknowns that they
    involve; an order whose equation involves no unknown is a check.  Powers
    follow the parities, as in :func:`approxfit.fitting.rational.rational_layout`.

    The computation runs within ``budget`` (default 120 s / 2 GiB; see
    :mod:`approxfit.core.budget`).

    Returns
    -------
    TaylorResult
        Coefficients named ``c<k>`` (P) and ``d<k>`` (Q), with exact forms.

    Raises
    ------
    ComputationError
        If the equations have no unique solution or the computation exceeds its budget.
    """
    return run_bounded(_pade_match, target, degree=degree, den_degree=den_degree,
                       parity=parity, den_parity=den_parity, on=on,
                       budget=check_budget(budget), what=_WHAT,
                       advice="try a lower `degree` or `den_degree`, or a larger `budget`")


def _pade_match(target: str | Target, *, degree: int, den_degree: int,
                parity: str | None = None, den_parity: str = "even",
                on: str = "value") -> TaylorResult:
    t0 = time.perf_counter()
    tgt = target if isinstance(target, Target) else get_target(target)
    if on == "gate" and not tgt.has_gate:
        raise InputError(f"target {tgt.name!r} has no gate; use `on` value")
    if den_degree < 1:
        raise InputError(f"`den_degree` must be at least 1, got {den_degree}")
    if parity is None:
        parity = tgt.value_parity if (on == "value" and tgt.value_parity != "none") else "none"
    num_powers = powers_for(degree, parity)
    den_powers = tuple(k for k in powers_for(den_degree, den_parity, names=DEN_NAMES)
                       if k >= 1)
    c = {k: sp.Symbol(f"c{k}") for k in num_powers}
    d = {k: sp.Symbol(f"d{k}") for k in den_powers}
    unknowns = [*c.values(), *d.values()]
    order = degree + den_degree + 2
    want = target_series(tgt, on, order + 4)
    p = sum(c[k] * X**k for k in num_powers)
    q = 1 + sum(d[k] * X**k for k in den_powers)
    t = sum(w * X**m for m, w in enumerate(want))
    diff = sp.expand(p - q * t)
    equations, checks = [], []
    for m in range(order + 5):
        eq = diff.coeff(X, m)
        (equations if eq.free_symbols & set(unknowns) else checks).append((m, eq))
        if len(equations) == len(unknowns):
            break
    sol = sp.linsolve([e for _, e in equations], unknowns)
    if not sol:
        raise ComputationError("the Padé equations have no solution for these degrees")
    values = dict(zip(unknowns, next(iter(sol)), strict=True))
    free_left = [u for u, v in values.items() if v.free_symbols & set(unknowns)]
    if free_left:
        raise ComputationError("the Padé equations do not determine "
                               f"{', '.join(map(str, free_left))}; change the degrees")
    exact_e = {str(u): _simplify(v) for u, v in values.items()}
    last = equations[-1][0] if equations else 0
    mismatches = tuple(m for m, e in checks if not _is_zero(e.subs(values)))
    matched = min(mismatches, default=last + 1) - 1
    pretty = {n: _pretty(e) for n, e in exact_e.items()}
    return TaylorResult(
        target=tgt.name, family="rational", degree=degree, parity=parity, on=on,
        powers=num_powers,
        coefficients=_floats(exact_e, pretty, {}), scaled={}, exact=pretty, fixed=(),
        matched_order=matched, checked_order=last, mismatches=mismatches,
        seconds=time.perf_counter() - t0)


def taylor(target: str | Target, family: str, *, degree: int = 3, parity: str | None = None,
           fix: Mapping[str, str | float | Expression] | None = None, on: str | None = None,
           expr: str | None = None, den_degree: int = 2,
           den_parity: str = "even", budget: Budget | None = None) -> TaylorResult:
    """Exact coefficients from the Maclaurin series; the library call behind
    ``approxfit taylor``.

    The tanh, sigmoid and poly families match the series (:func:`taylor_match`); the
    rational family is the Padé approximant (:func:`pade_match`).

    Parameters
    ----------
    target : str or Target
        A built-in's name, ``"gelu:mu=M,sigma=S"``, a Target, or with ``expr`` the name
        of a new target (:func:`approxfit.core.targets.resolve_target`).
    family : {"tanh", "sigmoid", "poly", "rational"}
    degree : int
        Highest power of the inner polynomial (of P for rational).
    parity : {"odd", "even", "none"}, optional
        Default: what the target's symmetry suggests.
    fix : mapping, optional
        Coefficients held at a value, as safe expression strings or numbers (not for
        rational).
    on : {"gate", "value"}, optional
        Match the gate's or the value's series. Default: the gate for tanh and sigmoid
        (when the target has one), else the value.
    expr : str, optional
        A formula in x for a new target called ``target``.
    den_degree : int
        rational: degree of Q, 1 … 40 (other families: leave at 2).
    den_parity : {"even", "odd", "none"}
        rational: powers of Q (other families: leave at "even").
    budget : Budget, optional
        Wall-clock and memory budget of the symbolic work,
        ``approxfit.core.budget.Budget(seconds, memory_gib)``; default 120 s and 2 GiB
        beyond what the process uses.  It is enforced in a forked child process; from
        a thread (or with other threads alive) the work runs in-process and only the
        input limits of :mod:`approxfit.core.expr` bound it (see
        :mod:`approxfit.core.budget`).

    Returns
    -------
    TaylorResult

    Raises
    ------
    InputError
        For a wrong argument (the message names it); an argument of the wrong type is
        an :class:`~approxfit.core.checks.InputTypeError`, also a ``TypeError``.
    ComputationError
        If a coefficient's value is beyond float64 (too large a fixed value), or if
        the symbolic work exceeds its budget ("… exceeded its budget of 120 s /
        2 GiB (time); try a lower `degree` …").

    Examples
    --------
    >>> taylor("gelu", "tanh", degree=3, fix={"c1": "sqrt(2/pi)"}).exact["a3"]
    '(4 - pi)/(6*pi)'
    >>> taylor("tanh", "rational", degree=3).exact
    {'c1': '1', 'c3': '1/15', 'd2': '2/5'}
    """
    from approxfit.approximants.families import MAX_DEGREE
    from approxfit.core.checks import check_choice, check_int
    from approxfit.core.names import FAMILY_NAMES, ONS, PARITIES, default_on
    from approxfit.core.targets import resolve_target

    family = check_choice(family, FAMILY_NAMES, "family")
    degree = check_int(degree, "degree", 0, MAX_DEGREE)
    if parity is not None:
        check_choice(parity, PARITIES, "parity")
    if on is not None:
        check_choice(on, ONS, "on")
    den_degree = check_int(den_degree, "den_degree", 1, MAX_DEGREE)
    den_parity = check_choice(den_parity, PARITIES, "den_parity")
    if family != "rational" and (den_degree != 2 or den_parity != "even"):
        given = " and ".join(n for n, used in (("`den_degree`", den_degree != 2),
                                                ("`den_parity`", den_parity != "even"))
                             if used)
        verb = "apply" if " and " in given else "applies"
        raise InputError(f"{given} {verb} only to the rational family (the degree and "
                         f"parity of its denominator Q); the {family} family has no "
                         "denominator")
    budget = check_budget(budget)
    tgt = resolve_target(target, expr=expr)
    on = default_on(family, tgt.has_gate) if on is None else on
    if parity is not None:
        powers_for(degree, parity)
    if family == "rational":
        if fix:
            raise InputError("`fix` does not apply to the Padé approximant (rational family)")
        return pade_match(tgt, degree=degree, den_degree=den_degree, parity=parity,
                          den_parity=den_parity, on=on, budget=budget)
    return taylor_match(tgt, family, degree=degree, parity=parity, fix=fix, on=on,
                        budget=budget)
