"""Safe parsing of the expressions a user types.

Everything a user writes as a formula — ``--fix c1=sqrt(2/pi)``, the values of an
inline approximant spec, a custom target ``--expr "x*erf(x)"`` — goes through
:func:`parse`, which reads it with Python's :mod:`ast` (never ``eval``) and accepts
only a whitelist:

* numbers (``int`` and ``float`` literals), the names ``pi`` and ``E`` (and ``x``
  where a function of ``x`` is asked for);
* ``+ - * / **`` and unary ``+ -``;
* calls of ``sqrt exp log erf erfc tanh sinh cosh sin cos atan abs`` with one
  argument.

Size is bounded so that no input can hang the tool: at most
:data:`MAX_LENGTH` characters and :data:`MAX_NODES` syntax nodes, calls nested at
most :data:`MAX_CALL_DEPTH` deep, exponents that are constant and at most
:data:`MAX_EXPONENT` in magnitude, every constant part at most
:data:`MAX_CONSTANT` in magnitude.  The checked tree is then turned into a number, a
vectorised numpy function, or a sympy expression (:meth:`Expression.to_sympy`) by
walking the tree: sympy's ``sympify`` and ``parse_expr`` never see the user's text.

The sympy form is exact only where that is cheap.  A power whose exponent is a
rational with a denominator above :data:`MAX_ROOT` (``4**2**-60`` is a
2⁶⁰-th root, ``2**(1/3**60)``, ``64**64**-64``) would send sympy into unbounded
big-integer work; such a constant is evaluated with mpmath instead and handed to
sympy as a :data:`SYMPY_DIGITS`-digit Float (with ``x`` in the base, the exponent
becomes that Float).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any

from approxfit.core.checks import shown
from approxfit.core.exceptions import InputError

__all__ = ["FUNCTIONS", "MAX_CALL_DEPTH", "MAX_EXPONENT", "MAX_LENGTH", "MAX_NODES",
           "MAX_ROOT", "SYMPY_DIGITS", "Expression", "parse", "parse_number"]

MAX_LENGTH = 500
MAX_NODES = 200
MAX_EXPONENT = 64
MAX_CONSTANT = 1e300
#: Calls nested deeper than this (``exp(exp(exp(…)))``) are refused.
MAX_CALL_DEPTH = 8
#: Exact roots up to the MAX_ROOT-th are kept exact for sympy; beyond, a Float.
MAX_ROOT = 24
#: Significant digits of the Float that replaces a constant too costly to keep exact.
SYMPY_DIGITS = 30

FUNCTIONS = ("sqrt", "exp", "log", "erf", "erfc", "tanh", "sinh", "cosh", "sin", "cos",
             "atan", "abs")
CONSTANTS = {"pi": math.pi, "E": math.e}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "neg", ast.UAdd: "pos"}
_ALLOWED = ("numbers, x, pi, E, + - * / **, and " + ", ".join(FUNCTIONS))

# A node of the checked tree is a tuple:
#   ("num", float) | ("const", name) | ("x",) | ("bin", op, a, b) | ("un", op, a)
#   | ("call", fname, a)
Node = tuple


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its syntax tree, and whether it uses ``x``."""

    text: str
    tree: Node
    uses_x: bool

    def value(self) -> float:
        """The value of a constant expression, as a float.

        Raises
        ------
        InputError
            If the expression uses ``x`` or its value is not finite.
        """
        if self.uses_x:
            raise InputError(f"{shown(self.text)} must be a constant, but it uses x")
        import numpy as np

        with np.errstate(all="ignore"):
            v = float(_numeric(self.tree, np.float64(0.0)))
        if not math.isfinite(v):
            raise InputError(f"{shown(self.text)} has no finite value (got {v})")
        return v

    def evaluate(self, x: Any) -> Any:
        """Evaluate at ``x`` (a float or a numpy array), vectorised with numpy/scipy."""
        import numpy as np

        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            out = _numeric(self.tree, x)
        return np.broadcast_to(np.asarray(out, dtype=float), x.shape).copy()

    def derivative(self) -> Expression:
        """d/dx of the expression, by the rules of calculus on the checked tree."""
        return Expression(text=f"d/dx[{self.text}]", tree=_simplify(_diff(self.tree)),
                          uses_x=True)

    def evaluate_mp(self, x: Any) -> Any:
        """Evaluate at an mpmath number ``x`` (for 50-digit references)."""
        import mpmath

        return _mpmath(self.tree, mpmath.mpf(x), mpmath)

    def to_sympy(self, x: Any = None) -> Any:
        """The expression as a sympy object, built node by node (no ``sympify``)."""
        import sympy as sp

        return _to_sympy(self.tree, sp, x if x is not None else sp.Symbol("x", real=True))


def parse(text: str, *, allow_x: bool = False, what: str = "expression") -> Expression:
    """Parse and check ``text`` against the whitelist.

    Parameters
    ----------
    text : str
        What the user typed, e.g. ``"sqrt(2/pi)"`` or ``"x*erf(x)"``.
    allow_x : bool
        Whether the variable ``x`` may appear.
    what : str
        How to name the argument in error messages (``"`fix` c1"``, ``"`expr`"``);
        backticked parameter names are turned into flags by the command line.

    Returns
    -------
    Expression
        The checked expression.

    Raises
    ------
    InputError
        If the text is too long, is not an expression, or uses anything outside the
        whitelist. The message says what is allowed.
    """
    if not isinstance(text, str):
        raise InputError(f"{what} must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise InputError(f"{what} is {len(text)} characters long; at most {MAX_LENGTH} "
                         "are allowed")
    if not text.strip():
        raise InputError(f"{what} is empty; write a formula using {_ALLOWED}")
    try:
        body = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        raise InputError(f"{what} {shown(text)} is not a valid formula; allowed: {_ALLOWED}"
                         ) from None
    count = sum(1 for _ in ast.walk(body))
    if count > MAX_NODES:
        raise InputError(f"{what} has {count} syntax nodes; at most {MAX_NODES} are "
                         "allowed")
    names: set[str] = set()
    tree = _check(body, text, what, allow_x, names)
    if _call_depth(tree) > MAX_CALL_DEPTH:
        raise InputError(f"{what} nests function calls {_call_depth(tree)} deep; at most "
                         f"{MAX_CALL_DEPTH} are allowed")
    return Expression(text=text.strip(), tree=tree, uses_x="x" in names)


def _call_depth(node: Node) -> int:
    inner = max((_call_depth(c) for c in node[1:] if isinstance(c, tuple)), default=0)
    return inner + (node[0] == "call")


def decimal_significant_digits(dec: Any) -> int:
    """The number of significant digits of a :class:`decimal.Decimal` as written."""
    digits = list(dec.as_tuple().digits)
    while digits and digits[0] == 0:
        digits.pop(0)
    return len(digits)


def parse_number(text: str, *, what: str = "value") -> float:
    """Parse a constant expression (``"sqrt(2/pi)"``, ``"0.044715"``) to a float."""
    return parse(text, allow_x=False, what=what).value()


def _reject(what: str, text: str, detail: str) -> InputError:
    return InputError(f"{what} {shown(text)}: {detail}; allowed: {_ALLOWED}")


def _check(node: ast.AST, text: str, what: str, allow_x: bool, names: set[str]) -> Node:
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _reject(what, text, f"the literal {shown(v, 30)} is not a number")
        if isinstance(v, int) and abs(v) > 10**300:
            raise _reject(what, text, "an integer literal is too large")
        if not math.isfinite(float(v)):
            raise _reject(what, text, f"the literal {v!r} is not finite")
        return ("num", float(v))
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return ("const", node.id)
        if node.id == "x" and allow_x:
            names.add("x")
            return ("x",)
        hint = "" if allow_x or node.id != "x" else " (x is not allowed here)"
        raise _reject(what, text, f"unknown name {shown(node.id, 30)}{hint}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op = _BINOPS[type(node.op)]
        a = _check(node.left, text, what, allow_x, names)
        b = _check(node.right, text, what, allow_x, names)
        if op == "**":
            if _has_x(b):
                raise _reject(what, text, "an exponent must be a constant")
            e = _const_value(b)
            if not math.isfinite(e) or abs(e) > MAX_EXPONENT:
                raise _reject(what, text, f"exponents are limited to ±{MAX_EXPONENT}")
        node = ("bin", op, a, b)
        if not _has_x(node) and not abs(_const_value(node)) <= MAX_CONSTANT:
            # Every constant part must stay a modest float: 1/((2**64)**64) must not
            # hide a number sympy would then build exactly.
            raise _reject(what, text, f"a constant part exceeds {MAX_CONSTANT:g} in "
                          "magnitude (or is not finite)")
        return node
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return ("un", _UNARY[type(node.op)], _check(node.operand, text, what, allow_x, names))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            fname = node.func.id if isinstance(node.func, ast.Name) else "this call"
            raise _reject(what, text, f"{shown(fname, 30)} is not an allowed function")
        if len(node.args) != 1 or node.keywords:
            raise _reject(what, text, f"{node.func.id}() takes exactly one argument")
        node_c = ("call", node.func.id, _check(node.args[0], text, what, allow_x, names))
        if not _has_x(node_c) and not abs(_const_value(node_c)) <= MAX_CONSTANT:
            raise _reject(what, text, f"{node.func.id}() of that constant exceeds "
                          f"{MAX_CONSTANT:g} in magnitude or is not finite")
        return node_c
    kind = type(node).__name__
    raise _reject(what, text, f"{kind} is not allowed")


def _has_x(node: Node) -> bool:
    if node[0] == "x":
        return True
    return any(_has_x(child) for child in node[1:] if isinstance(child, tuple))


def _const_value(node: Node) -> float:
    import numpy as np

    with np.errstate(all="ignore"):
        return float(_numeric(node, np.float64(0.0)))


def _walk(node: Node, x: Any, leaf: Any, funcs: dict[str, Any]) -> Any:
    """Evaluate a checked tree: ``leaf(node)`` gives numbers and constants, ``funcs``
    the functions; + − × ÷ and powers are the backend's own operators (numpy, mpmath
    and sympy objects all overload them)."""
    kind = node[0]
    if kind in ("num", "const"):
        return leaf(node)
    if kind == "x":
        return x
    if kind == "un":
        v = _walk(node[2], x, leaf, funcs)
        return -v if node[1] == "neg" else v
    if kind == "bin":
        a, b = _walk(node[2], x, leaf, funcs), _walk(node[3], x, leaf, funcs)
        op = node[1]
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        return a**b
    return funcs[node[1]](_walk(node[2], x, leaf, funcs))


def _numeric(node: Node, x: Any) -> Any:
    import numpy as np
    from scipy import special

    def leaf(n: Node) -> Any:
        return np.float64(n[1] if n[0] == "num" else CONSTANTS[n[1]])

    return _walk(node, x, leaf, {
        "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "erf": special.erf,
        "erfc": special.erfc, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
        "sin": np.sin, "cos": np.cos, "atan": np.arctan, "abs": np.abs, "sign": np.sign})


ZERO: Node = ("num", 0.0)
ONE: Node = ("num", 1.0)


def _bin(op: str, a: Node, b: Node) -> Node:
    return ("bin", op, a, b)


def _diff(node: Node) -> Node:
    """The derivative tree of ``node`` with respect to x (unsimplified)."""
    kind = node[0]
    if kind in ("num", "const"):
        return ZERO
    if kind == "x":
        return ONE
    if kind == "un":
        d = _diff(node[2])
        return ("un", "neg", d) if node[1] == "neg" else d
    if kind == "bin":
        op, a, b = node[1], node[2], node[3]
        da, db = _diff(a), _diff(b)
        if op in "+-":
            return _bin(op, da, db)
        if op == "*":
            return _bin("+", _bin("*", da, b), _bin("*", a, db))
        if op == "/":
            return _bin("/", _bin("-", _bin("*", da, b), _bin("*", a, db)), _bin("**", b,
                                                                             ("num", 2.0)))
        # a ** n with a constant n (the parser guarantees it)
        return _bin("*", _bin("*", b, _bin("**", a, _bin("-", b, ONE))), da)
    fname, a = node[1], node[2]
    da = _diff(a)
    two_over_sqrt_pi = ("num", 2.0 / math.sqrt(math.pi))
    outer = {
        "sqrt": lambda: _bin("/", ONE, _bin("*", ("num", 2.0), ("call", "sqrt", a))),
        "exp": lambda: ("call", "exp", a),
        "log": lambda: _bin("/", ONE, a),
        "erf": lambda: _bin("*", two_over_sqrt_pi,
                            ("call", "exp", ("un", "neg", _bin("*", a, a)))),
        "erfc": lambda: ("un", "neg", _bin("*", two_over_sqrt_pi,
                                           ("call", "exp", ("un", "neg", _bin("*", a, a))))),
        "tanh": lambda: _bin("-", ONE, _bin("**", ("call", "tanh", a), ("num", 2.0))),
        "sinh": lambda: ("call", "cosh", a),
        "cosh": lambda: ("call", "sinh", a),
        "sin": lambda: ("call", "cos", a),
        "cos": lambda: ("un", "neg", ("call", "sin", a)),
        "atan": lambda: _bin("/", ONE, _bin("+", ONE, _bin("*", a, a))),
        "abs": lambda: ("call", "sign", a),
    }[fname]()
    return _bin("*", outer, da)


def _simplify(node: Node) -> Node:
    """Fold the zeros and ones that differentiation leaves behind."""
    kind = node[0]
    if kind == "un":
        a = _simplify(node[2])
        if a == ZERO:
            return ZERO
        return a if node[1] == "pos" else ("un", "neg", a)
    if kind == "call":
        return ("call", node[1], _simplify(node[2]))
    if kind != "bin":
        return node
    op, a, b = node[1], _simplify(node[2]), _simplify(node[3])
    if op == "*":
        if ZERO in (a, b):
            return ZERO
        if a == ONE:
            return b
        if b == ONE:
            return a
    if op == "+":
        if a == ZERO:
            return b
        if b == ZERO:
            return a
    if op == "-" and b == ZERO:
        return a
    if op == "/" and a == ZERO:
        return ZERO
    return ("bin", op, a, b)


def _mpmath(node: Node, x: Any, mp: Any) -> Any:
    def leaf(n: Node) -> Any:
        if n[0] == "num":
            return mp.mpf(repr(n[1]))
        return +mp.pi if n[1] == "pi" else mp.e

    return _walk(node, x, leaf, {
        "sqrt": mp.sqrt, "exp": mp.exp, "log": mp.log, "erf": mp.erf, "erfc": mp.erfc,
        "tanh": mp.tanh, "sinh": mp.sinh, "cosh": mp.cosh, "sin": mp.sin, "cos": mp.cos,
        "atan": mp.atan, "abs": abs, "sign": mp.sign})


def _to_sympy(node: Node, sp: Any, x: Any) -> Any:
    funcs = {
        "sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "erf": sp.erf, "erfc": sp.erfc,
        "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos,
        "atan": sp.atan, "abs": sp.Abs, "sign": sp.sign}

    def leaf(n: Node) -> Any:
        if n[0] == "const":
            return sp.pi if n[1] == "pi" else sp.E
        v = n[1]
        if v != 0 and not 1e-15 <= abs(v) <= 1e15:
            # Exact rationals this far from 1 make sympy's series crawl; keep a float.
            return sp.Float(v, 17)
        # the shortest decimal that reads back as this float, kept exact
        return sp.Rational(repr(v))

    def conv(n: Node) -> Any:
        kind = n[0]
        if kind in ("num", "const"):
            return leaf(n)
        if kind == "x":
            return x
        if kind == "un":
            v = conv(n[2])
            return -v if n[1] == "neg" else v
        if kind == "call":
            return funcs[n[1]](conv(n[2]))
        op, a, b = n[1], n[2], n[3]
        if op == "**":
            e = conv(b)                  # the parser keeps exponents constant
            if e.is_Rational and not (e.q <= MAX_ROOT and abs(e.p) <= MAX_EXPONENT * e.q):
                # a 2**60-th root, 2**(1/3**60): no exact form is cheap for sympy
                if not _has_x(n):
                    return _sympy_float(n, sp)
                e = _sympy_float(b, sp)
            return conv(a) ** e
        u, v = conv(a), conv(b)
        if op == "+":
            return u + v
        if op == "-":
            return u - v
        return u * v if op == "*" else u / v

    return conv(node)


def _sympy_float(node: Node, sp: Any) -> Any:
    """A constant subtree as a :data:`SYMPY_DIGITS`-digit sympy Float (via mpmath)."""
    import mpmath

    with mpmath.workdps(SYMPY_DIGITS + 10):
        value = _mpmath(node, None, mpmath)
        text = mpmath.nstr(value, SYMPY_DIGITS + 5)
    return sp.Float(text, SYMPY_DIGITS)
