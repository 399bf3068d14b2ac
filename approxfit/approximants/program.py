"""Evaluation programs: an approximant as a straight-line sequence of operations.

Every approximant kind builds its own program (``approximant.program(on=…)``) from
the pieces here; the format emulator (:func:`approxfit.lowprec.emulate.evaluate_steps`)
runs it with every operation rounded to a format, :func:`approxfit.lowprec.export.
export_code` prints it, and :func:`operation_count` counts its operations — so a
reported error, the exported code and the cost are of one and the same program.

=============================  =========================================================
name                           what it is
=============================  =========================================================
:class:`Step`                  one operation (:data:`OPS`)
:class:`ProgramBuilder`        numbers the variables and shares the constants
:func:`horner`                 Σ c_j·v^j by Horner's rule
:func:`inner_polynomial`       p(x): Horner in x² (times x) for an odd or even p
:func:`chebyshev_argument`     u = (2x − a − b)/(b − a), the domain mapped to [−1, 1]
:func:`clenshaw`               Σ a_j T_j(v) (or V_j, third kind) by Clenshaw's recurrence
:func:`chebyshev_polynomial`   Σ b_k T_k(u): Clenshaw in u, or in w = 2u² − 1 for odd/even
:func:`relation_value`         the value from the gate: ``x·g``, ``2g − 1`` or ``g``
:func:`convert_base`           the value or the gate from what a kernel approximates
:class:`Cost`                  operation counts and their weighted total
:func:`operation_count`        the :class:`Cost` of a program
=============================  =========================================================

This module knows no approximant kind: it imports nothing from the kinds' modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from approxfit.core.exceptions import InputError
from approxfit.core.targets import Relation

__all__ = ["GATE_FORMS", "ONS", "OPS", "TRANSCENDENTAL_WEIGHT", "Cost", "ProgramBuilder",
           "Step", "chebyshev_argument", "chebyshev_polynomial", "check_program_args",
           "clenshaw", "convert_base", "horner", "inner_polynomial", "operation_count",
           "relation_value"]

GATE_FORMS: tuple[str, ...] = ("tanh", "sigmoid")
ONS: tuple[str, ...] = ("value", "gate")
TRANSCENDENTAL_WEIGHT = 10

#: The operations of a kernel program: name → arity.
OPS: dict[str, int] = {
    "input": 0, "const": 0, "add": 2, "sub": 2, "mul": 2, "div": 2, "neg": 1, "abs": 1,
    "sign": 1, "min": 2, "clip": 1, "tanh": 1, "exp": 1, "sigmoid": 1, "where_neg": 3,
    "guard": 2,
}


@dataclass(frozen=True)
class Step:
    """One operation of a straight-line kernel program.

    Attributes
    ----------
    name : str
        The variable it defines (``x`` for the input).
    op : str
        One of :data:`OPS`: ``input``, ``const`` (``value``), ``add``, ``sub``,
        ``mul``, ``div``, ``neg``, ``abs``, ``sign`` (−1, 0 or 1), ``min``,
        ``clip`` (to ``[−value, value]``), ``tanh``, ``exp``, ``sigmoid`` (σ, one
        correctly rounded function), ``where_neg`` (``a if c < 0 else b`` for
        args ``(c, a, b)``), ``guard`` (the tail guard: for args ``(x, g)``, 1 where
        ``x > value``, 0 where ``x < −value``, else g).
    args : tuple of str
        Names of earlier steps.
    value : float or None
        The constant (``const``) or the clamp (``clip``), in float64.
    label : str
        What a constant is (``c3``, ``a1``, ``½``), for generated code.
    """

    name: str
    op: str
    args: tuple[str, ...] = ()
    value: float | None = None
    label: str = ""


class ProgramBuilder:
    """Accumulates :class:`Step` objects, numbering variables and sharing constants.

    The first step is the input ``x``; :meth:`finish` returns the program with the
    result as its last step.
    """

    def __init__(self) -> None:
        self.steps: list[Step] = [Step("x", "input")]
        self._consts: dict[tuple[float, str], str] = {}
        self._n = 0

    def const(self, value: float, label: str = "") -> str:
        """The variable holding the constant ``value`` (one per value and label)."""
        key = (float(value), label)
        if key not in self._consts:
            name = label if label.isidentifier() else f"k{len(self._consts)}"
            self._consts[key] = name
            self.steps.append(Step(name, "const", value=float(value), label=label))
        return self._consts[key]

    def op(self, op: str, *args: str, value: float | None = None) -> str:
        """Append the operation ``op`` on the variables ``args``; its new variable."""
        self._n += 1
        name = f"t{self._n}"
        self.steps.append(Step(name, op, tuple(args), value=value))
        return name

    def finish(self, out: str) -> tuple[Step, ...]:
        """The program computing ``out``, made its last step if it is not."""
        if self.steps[-1].name != out:  # e.g. a constant polynomial
            self.op("add", out, self.const(0.0, "zero"))
        return tuple(self.steps)


def horner(b: ProgramBuilder, var: str, coefs: Sequence[tuple[str, float]]) -> str:
    """Σ coefs[j]·var^j (ascending ``(label, value)``) by Horner's rule; zero
    coefficients are skipped."""
    top = len(coefs) - 1
    while top > 0 and coefs[top][1] == 0.0:
        top -= 1
    acc = b.const(coefs[top][1], coefs[top][0])
    for label, c in reversed(coefs[:top]):
        acc = b.op("mul", acc, var)
        if c != 0.0:
            acc = b.op("add", acc, b.const(c, label))
    return acc


def inner_polynomial(b: ProgramBuilder, xi: str, powers: Sequence[int],
                     coef: Sequence[float], prefix: str = "c") -> str:
    """p(xi): Horner in xi², times xi for odd p; Horner in xi for mixed powers.

    Constants are labelled ``<prefix><power>`` (``c3``; ``d2`` for a denominator).
    """
    byk = {k: c for k, c in zip(powers, coef, strict=True) if c != 0.0}
    if not byk:
        return b.const(0.0, "zero")
    top = max(byk)

    def terms(ks: range) -> list[tuple[str, float]]:
        return [(f"{prefix}{k}" if k in byk else "", byk.get(k, 0.0)) for k in ks]

    if all(k % 2 == 1 for k in byk):
        if top == 1:
            return b.op("mul", xi, b.const(byk[1], f"{prefix}1"))
        q = horner(b, b.op("mul", xi, xi), terms(range(1, top + 1, 2)))
        return b.op("mul", xi, q)
    if all(k % 2 == 0 for k in byk) and top > 0:
        return horner(b, b.op("mul", xi, xi), terms(range(0, top + 1, 2)))
    return horner(b, xi, terms(range(top + 1)))


def chebyshev_argument(b: ProgramBuilder, xi: str, domain: tuple[float, float]) -> str:
    """u = (2·xi − (a + b))/(b − a); for a symmetric domain (−s, s) that is ``xi/s``, one
    correctly rounded divide (the same number: 2·xi and 2s are exact)."""
    lo, hi = domain
    if lo + hi == 0.0:
        return b.op("div", xi, b.const(hi, "u_half"))
    return b.op("div", b.op("sub", b.op("add", xi, xi), b.const(lo + hi, "u_shift")),
                b.const(hi - lo, "u_width"))


def clenshaw(b: ProgramBuilder, v: str, coefs: Sequence[tuple[str, float]], *,
             kind: str = "T", v2: str | None = None) -> str:
    """Σ coefs[j]·φ_j(v) by Clenshaw's recurrence, φ = T (first kind) or V (third kind).

    Both satisfy φ_{j+1} = 2v·φ_j − φ_{j−1} with φ_0 = 1, and φ_1 = v (T) or
    2v − 1 (V).  The operations are those of
    :func:`numpy.polynomial.chebyshev.chebval`, in its order: with ``v2 = 2v``,
    ``c0, c1 ← a_{j} − c1, c0 + c1·v2`` from the top, then ``c0 + c1·v`` (T) or
    ``(c0 − c1) + c1·v2`` (V).  A zero a_j is skipped (``−c1``); trailing zeros are
    dropped.  ``v2`` names an already computed 2v (else ``v + v``, exact).
    """
    top = len(coefs) - 1
    while top > 0 and coefs[top][1] == 0.0:
        top -= 1
    if top == 0:
        return b.const(coefs[0][1], coefs[0][0])
    if v2 is None and (top >= 2 or kind == "V"):
        v2 = b.op("add", v, v)
    c1 = b.const(coefs[top][1], coefs[top][0])
    c0: str | None = (b.const(coefs[top - 1][1], coefs[top - 1][0])
                      if coefs[top - 1][1] != 0.0 else None)
    for label, a in reversed(coefs[:top - 1]):
        tmp = c0
        c0 = b.op("sub", b.const(a, label), c1) if a != 0.0 else b.op("neg", c1)
        m = b.op("mul", c1, v2)
        c1 = m if tmp is None else b.op("add", tmp, m)
    if kind == "V":
        assert v2 is not None
        low = b.op("neg", c1) if c0 is None else b.op("sub", c0, c1)
        return b.op("add", low, b.op("mul", c1, v2))
    m = b.op("mul", c1, v)
    return m if c0 is None else b.op("add", c0, m)


def chebyshev_polynomial(b: ProgramBuilder, u: str, indices: Sequence[int],
                         coef: Sequence[float], prefix: str = "b",
                         labels: dict[int, str] | None = None) -> str:
    """Σ coef[j]·T_{indices[j]}(u) (u from :func:`chebyshev_argument`).

    * Mixed indices: Clenshaw in u (:func:`clenshaw`), the operations of
      :func:`numpy.polynomial.chebyshev.chebval` in its order.
    * Even indices: T_{2j}(u) = T_j(w) with w = 2u² − 1, so Clenshaw in w with
      half the steps.
    * Odd indices: T_{2j+1}(u) = u·V_j(w) (V the Chebyshev polynomials of the
      third kind), so u times Clenshaw's V-series in w, with 2w = (2u)² − 2.

    Constants are labelled ``<prefix><index>`` (``b3``; ``e2`` for a rational's
    denominator) unless ``labels`` names them.
    """
    byk = {k: c for k, c in zip(indices, coef, strict=True) if c != 0.0}
    if not byk:
        return b.const(0.0, "zero")
    top = max(byk)
    names = labels or {}

    def terms(ks: range) -> list[tuple[str, float]]:
        return [(names.get(k, f"{prefix}{k}") if k in byk else "", byk.get(k, 0.0))
                for k in ks]

    if all(k % 2 == 1 for k in byk):
        if top == 1:
            return b.op("mul", u, b.const(byk[1], names.get(1, f"{prefix}1")))
        two_u = b.op("add", u, u)
        w2 = b.op("sub", b.op("mul", two_u, two_u), b.const(2.0, "two"))
        s = clenshaw(b, "", terms(range(1, top + 1, 2)), kind="V", v2=w2)
        return b.op("mul", u, s)
    if all(k % 2 == 0 for k in byk) and top > 0:
        w = b.op("sub", b.op("mul", b.op("add", u, u), u), b.const(1.0, "one"))
        return clenshaw(b, w, terms(range(0, top + 1, 2)))
    return clenshaw(b, u, terms(range(top + 1)))


def relation_value(b: ProgramBuilder, relation: str | None, g: str, x: str = "x") -> str:
    """The value from the gate ``g``: ``x·g`` (product), ``2g − 1`` (odd), else ``g``."""
    if relation == "product":
        return b.op("mul", x, g)
    if relation == "odd":
        return b.op("sub", b.op("mul", b.const(2.0, "two"), g), b.const(1.0, "one"))
    return g


def convert_base(b: ProgramBuilder, h: str, base: str, on: str, relation: str | None) -> str:
    """What ``on`` asks for from a kernel ``h`` that approximates ``base``.

    The value from a gate through :func:`relation_value`; the gate from a value as
    ``h/x`` (product), ``½·(h + 1)`` (odd) or ``h``; ``h`` itself when ``on`` is
    ``base``.
    """
    if on == base:
        return h
    if on == "value":
        return relation_value(b, relation, h)
    if relation == "product":
        return b.op("div", h, "x")
    if relation == "odd":
        return b.op("mul", b.const(0.5, "half"), b.op("add", h, b.const(1.0, "one")))
    return h


def check_program_args(relation: Relation | None, target_name: str, on: str,
                       gate_form: str) -> str | None:
    """Validate ``on`` and ``gate_form`` for a program; the relation's name (or None).

    Raises
    ------
    InputError
        For an ``on`` other than value/gate, an unknown ``gate_form``, or the
        gate of a target that has none.
    """
    if on not in ONS:
        raise InputError(f"`on` must be 'value' or 'gate', got {on!r}")
    if gate_form not in GATE_FORMS:
        raise InputError(f"`gate_form` must be one of {', '.join(GATE_FORMS)}, got "
                         f"{gate_form!r}")
    if on == "gate" and relation is None:
        raise InputError(f"target {target_name!r} has no gate; use `on` value")
    return None if relation is None else relation.name


# -- the operation count -------------------------------------------------------------

@dataclass(frozen=True)
class Cost:
    """Operation counts of one evaluation (of the value, for the Pareto sweep)."""

    multiplies: int
    adds: int
    transcendentals: int
    compares: int

    @property
    def total(self) -> int:
        """Multiplies + adds + compares + 10 × transcendental calls."""
        return (self.multiplies + self.adds + self.compares
                + TRANSCENDENTAL_WEIGHT * self.transcendentals)

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.multiplies + other.multiplies, self.adds + other.adds,
                    self.transcendentals + other.transcendentals,
                    self.compares + other.compares)

    def to_dict(self) -> dict[str, int]:
        """JSON-ready counts and the weighted total."""
        return {**asdict(self), "total": self.total}


#: What one operation of a program costs (:func:`operation_count`).
OP_COSTS: dict[str, Cost] = {
    "input": Cost(0, 0, 0, 0), "const": Cost(0, 0, 0, 0),
    "add": Cost(0, 1, 0, 0), "sub": Cost(0, 1, 0, 0),
    "mul": Cost(1, 0, 0, 0), "div": Cost(1, 0, 0, 0),
    "neg": Cost(0, 0, 0, 0),                       # a sign flip, folded into its user
    "abs": Cost(0, 0, 0, 1), "sign": Cost(0, 0, 0, 1), "min": Cost(0, 0, 0, 1),
    "where_neg": Cost(0, 0, 0, 1),
    "guard": Cost(0, 0, 0, 2),                     # x > C and x < −C
    "clip": Cost(0, 0, 0, 0),                      # selects on the guard's two compares
    "tanh": Cost(0, 0, 1, 0), "exp": Cost(0, 0, 1, 0),
    "sigmoid": Cost(1, 1, 1, 0),                   # 1/(1 + exp(−p)): exp, add, divide
}


def operation_count(steps: Sequence[Step]) -> Cost:
    """The :class:`Cost` of a program: the sum of :data:`OP_COSTS` over its steps.

    A divide counts as a multiply; a multiply followed by an add is a
    multiply-add, counted as one multiply and one add; ``tanh`` and ``exp`` are
    one transcendental call each and σ one call, one add and one divide; ``abs``,
    ``sign``, ``min`` and ``where_neg`` one compare each; the tail guard two
    compares, which the clip of p's argument shares (a clip without a guard — a
    shipped kernel's clamp of x — is two compares of its own); constants and
    negations nothing.
    """
    total = Cost(0, 0, 0, 0)
    if not any(s.op == "guard" for s in steps):
        total = Cost(0, 0, 0, 2 * sum(s.op == "clip" for s in steps))
    for s in steps:
        try:
            total = total + OP_COSTS[s.op]
        except KeyError:
            raise InputError(f"unknown operation {s.op!r} in a program") from None
    return total
