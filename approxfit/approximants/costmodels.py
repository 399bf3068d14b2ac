"""Cost models: what evaluating an approximant costs on a CPU/GPU kernel, under
homomorphic encryption (HE) or in secret-shared multiparty computation (MPC).

Each model turns an approximant into a frozen cost record whose ``to_dict()`` has
snake_case counts and a ``total`` under the model's weights (:data:`DEFAULT_WEIGHTS`,
overridable from a JSON or TOML file: :func:`read_weights`).  docs/cost-models.md is
the user's page; the tables there are these dictionaries.

=============================  =========================================================
name                           what it is
=============================  =========================================================
:func:`kernel_cost`            FMAs, multiplies, adds, divides, transcendental calls,
                               compares, table bytes of the evaluation program
:func:`chebyshev_scheme`       the Paterson–Stockmeyer (baby-step giant-step) scheme of
                               a Chebyshev series for one baby-step count k
:func:`best_chebyshev_scheme`  the scheme of least (depth, non-scalar multiplications)
                               over every k
:func:`he_cost`                depth and non-scalar multiplications of a polynomial
                               approximant's best scheme (absent, with a reason, for
                               anything that needs a compare, a divide or a
                               transcendental call)
:func:`power_chain`            the products that form x^k for a set of powers k
:func:`mpc_cost`               multiplications, comparisons and rounds of a polynomial
                               or a piecewise polynomial
:func:`model_cost`             one of the three by name
=============================  =========================================================

The HE scheme follows Bossuat, Mouchet, Troncoso-Pastoriza and Hubaux, "Efficient
Bootstrapping for Approximate Homomorphic Encryption with Non-Sparse Keys"
(EUROCRYPT 2021, Algorithm 2), after Han and Ki (CT-RSA 2020) and Paterson and
Stockmeyer (SIAM J. Comput. 1973): baby steps T_1 … T_k by the doubling recurrences
T_{2j} = 2T_j² − 1 and T_{2j+1} = 2T_{j+1}T_j − T_1, giant steps T_{k·2^i} by
doubling, and p = q·T_g + r split recursively at the largest giant step g ≤ deg p.
Its counts are *counted on the scheme built*, which :meth:`ChebyshevScheme.evaluate`
runs numerically.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from approxfit.approximants.program import Step
from approxfit.core.exceptions import InputError

__all__ = ["COST_MODELS", "DEFAULT_PARAMETERS", "DEFAULT_WEIGHTS", "ChebyshevScheme",
           "HECost", "KernelCost", "MPCCost", "SchemeStep", "Unavailable",
           "best_chebyshev_scheme", "chebyshev_scheme", "check_weights", "describe_model",
           "he_cost", "kernel_cost", "model_cost", "mpc_cost", "polynomial_degree", "power_chain",
           "read_weights"]

COST_MODELS: tuple[str, ...] = ("kernel", "he", "mpc")

#: Each model's weights: count name → weight (the ``total`` is Σ weight × count).
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    # one FMA = one multiply + one add and a divide = a multiply, as the `pareto` cost
    # has always counted: the kernel totals are those of `Cost.total`
    "kernel": {"fmas": 2, "multiplies": 1, "adds": 1, "divides": 1, "transcendentals": 10,
               "compares": 1, "table_bytes": 0},
    # depth sets the ciphertext modulus (and the bootstraps); a non-scalar product is a
    # relinearisation (key switch); scalar products and additions are minor terms
    "he": {"depth": 1, "nonscalar_multiplications": 1, "scalar_multiplications": 0.1,
           "additions": 0.01},
    # a Beaver-triple product is one exchange; a comparison is a whole adder circuit
    "mpc": {"multiplications": 1, "comparisons": 10, "rounds": 1},
}

#: Model constants that are not weights (may be set in the same file).
DEFAULT_PARAMETERS: dict[str, dict[str, int]] = {
    "kernel": {},
    "he": {},
    # a comparison's rounds: the log2(ℓ)-deep carry-lookahead adder of the arithmetic-
    # to-binary conversion on an ℓ = 64-bit ring (CrypTen, Knott et al. NeurIPS 2021;
    # PUMA runs on SPU's 64-bit ring); the select: one round of Beaver products
    "mpc": {"rounds_per_comparison": 6, "select_rounds": 1},
}

_POLY_OPS = frozenset({"input", "const", "add", "sub", "mul", "neg"})
_COMPARE_OPS = frozenset({"abs", "sign", "min", "where_neg", "guard", "clip"})
_TRANSCENDENTAL_OPS = frozenset({"tanh", "exp", "sigmoid"})


def _number(v: Any) -> int | float:
    """An int when ``v`` is a whole number (so integral totals print as before)."""
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 2**53 else f


def _weighted(counts: Mapping[str, float], weights: Mapping[str, float]) -> int | float:
    return _number(round(sum(float(weights[k]) * float(counts[k]) for k in weights), 9))


# -- weights ----------------------------------------------------------------------------

def check_weights(model: str, values: Any) -> tuple[dict[str, float], dict[str, int]]:
    """``model``'s weights and parameters, its defaults updated with ``values``.

    Parameters
    ----------
    model : {"kernel", "he", "mpc"}
    values : mapping or None
        Count name → weight (≥ 0) and parameter name → whole number (≥ 0).

    Returns
    -------
    (dict, dict)
        The weights and the parameters.

    Raises
    ------
    InputError
        For an unknown model, an unknown key, a negative, non-finite or non-numeric
        value, or a parameter that is not a whole number.
    """
    if model not in COST_MODELS:
        raise InputError(f"`cost` must be one of {', '.join(COST_MODELS)}, got {model!r}")
    weights = dict(DEFAULT_WEIGHTS[model])
    params = dict(DEFAULT_PARAMETERS[model])
    if values is None:
        return weights, params
    if not isinstance(values, Mapping):
        raise InputError(f"`cost_weights` must be a table of name = number, got "
                         f"{type(values).__name__}")
    known = [*weights, *params]
    unknown = [str(k) for k in values if k not in known]
    if unknown:
        shown = ", ".join(unknown)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        raise InputError(f"`cost_weights` has unknown key(s) {shown} for the {model} model; "
                         f"known: {', '.join(known)}")
    for k, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"`cost_weights` {k} must be a finite number, got {v!r}"[:100])
        if v < 0:
            raise InputError(f"`cost_weights` {k} must be >= 0, got {v!r}")
        if k in params:
            if float(v) != int(v):
                raise InputError(f"`cost_weights` {k} must be a whole number, got {v!r}")
            params[k] = int(v)
        else:
            weights[k] = _number(v)
    return weights, params


def read_weights(path: Any, model: str) -> tuple[dict[str, float], dict[str, int]]:
    """Weights and parameters of ``model`` from a ``.json`` or ``.toml`` file (a flat
    table of name = number; the keys the file leaves out keep their defaults).

    Raises
    ------
    InputError
        When the file cannot be read or parsed, is neither .json nor .toml, or fails
        :func:`check_weights`.
    """
    import json
    from pathlib import Path

    import tomllib

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise InputError(f"`cost_weights` file must end in .json or .toml, got {p.name[:60]!r}")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the `cost_weights` file {str(p)[:60]!r}: "
                         f"{type(exc).__name__}") from None
    try:
        data = json.loads(text) if suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"the `cost_weights` file {p.name[:40]!r} is not valid "
                         f"{suffix[1:].upper()}: {first[:60]}") from None
    return check_weights(model, data)


# -- results ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Unavailable:
    """A model that does not apply to an approximant, and why (no fake number)."""

    model: str
    reason: str

    @property
    def total(self) -> None:
        """None: there is no cost under this model."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """``{"total": None, "reason": …}``."""
        return {"total": None, "reason": self.reason}


@dataclass(frozen=True)
class KernelCost:
    """Operation counts of one evaluation of the value on a CPU/GPU kernel."""

    fmas: int
    multiplies: int
    adds: int
    divides: int
    transcendentals: int
    compares: int
    table_bytes: int
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS["kernel"])

    @property
    def total(self) -> int | float:
        """Σ weight × count."""
        return _weighted(self._counts(), self.weights)

    def _counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in DEFAULT_WEIGHTS["kernel"]}

    def to_dict(self) -> dict[str, Any]:
        """The counts and the weighted total."""
        return {**self._counts(), "total": self.total}


@dataclass(frozen=True)
class HECost:
    """What a polynomial costs under HE: its best Paterson–Stockmeyer scheme's counts."""

    depth: int
    nonscalar_multiplications: int
    scalar_multiplications: int
    additions: int
    degree: int
    baby_steps: int
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS["he"])

    @property
    def total(self) -> int | float:
        """Σ weight × count."""
        return _weighted({k: getattr(self, k) for k in self.weights}, self.weights)

    def to_dict(self) -> dict[str, Any]:
        """The counts, the degree and baby-step count k, and the weighted total."""
        return {"depth": self.depth, "nonscalar_multiplications":
                self.nonscalar_multiplications, "scalar_multiplications":
                self.scalar_multiplications, "additions": self.additions,
                "degree": self.degree, "baby_steps": self.baby_steps, "total": self.total}


@dataclass(frozen=True)
class MPCCost:
    """What an approximant costs in secret-shared MPC.

    ``rounds`` = comparison rounds + the polynomials' depth + the select's round, one
    stage after the other; ``rounds_overlapped`` lets the comparisons run alongside the
    polynomials (they do not depend on each other).
    """

    multiplications: int
    comparisons: int
    rounds: int
    rounds_overlapped: int
    polynomial_multiplications: int
    select_multiplications: int
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS["mpc"])

    @property
    def total(self) -> int | float:
        """Σ weight × count."""
        return _weighted({k: getattr(self, k) for k in self.weights}, self.weights)

    def to_dict(self) -> dict[str, Any]:
        """The counts and the weighted total."""
        return {"multiplications": self.multiplications, "comparisons": self.comparisons,
                "rounds": self.rounds, "rounds_overlapped": self.rounds_overlapped,
                "polynomial_multiplications": self.polynomial_multiplications,
                "select_multiplications": self.select_multiplications, "total": self.total}


# -- kernel -----------------------------------------------------------------------------

def kernel_cost(steps: Sequence[Step], weights: Mapping[str, float] | None = None, *,
                table_bytes: int = 0) -> KernelCost:
    """The kernel counts of a program.

    A ``mul`` whose result is used once, by an ``add`` or ``sub``, fuses with it into
    one FMA (each add fuses at most one multiply); σ is one transcendental call, one add
    and one divide; ``abs``, ``sign``, ``min`` and ``where_neg`` one compare each, the
    tail guard two (which the clip shares; a clip without a guard two of its own);
    constants and negations nothing.  With the default weights the total equals
    :attr:`~approxfit.approximants.program.Cost.total`.
    """
    w = dict(DEFAULT_WEIGHTS["kernel"] if weights is None else weights)
    uses: dict[str, list[Step]] = {}
    for s in steps:
        for a in s.args:
            uses.setdefault(a, []).append(s)
    fused: set[str] = set()           # adds that took a multiply
    counts = dict.fromkeys(DEFAULT_WEIGHTS["kernel"], 0)
    fmas = set()
    for s in steps:
        if s.op == "mul":
            u = uses.get(s.name, [])
            if len(u) == 1 and u[0].op in ("add", "sub") and u[0].name not in fused:
                fused.add(u[0].name)
                fmas.add(s.name)
    for s in steps:
        op = s.op
        if op == "mul":
            counts["fmas" if s.name in fmas else "multiplies"] += 1
        elif op in ("add", "sub"):
            if s.name not in fused:
                counts["adds"] += 1
        elif op == "div":
            counts["divides"] += 1
        elif op in ("tanh", "exp"):
            counts["transcendentals"] += 1
        elif op == "sigmoid":
            counts["transcendentals"] += 1
            counts["adds"] += 1
            counts["divides"] += 1
        elif op == "guard":
            counts["compares"] += 2
        elif op in ("abs", "sign", "min", "where_neg"):
            counts["compares"] += 1
        elif op not in ("input", "const", "neg", "clip"):
            raise InputError(f"unknown operation {op!r} in a program")
    if not any(s.op == "guard" for s in steps):
        counts["compares"] += 2 * sum(s.op == "clip" for s in steps)
    counts["table_bytes"] = int(table_bytes)
    return KernelCost(**counts, weights=w)


# -- what a program is ------------------------------------------------------------------

def _not_polynomial(steps: Sequence[Step]) -> str | None:
    """Why the program is not a polynomial in x (None when it is)."""
    consts = {s.name for s in steps if s.op == "const"}
    trans: list[str] = []
    compares: list[str] = []
    divide = False
    for s in steps:
        if s.op in _POLY_OPS or (s.op == "div" and s.args[1] in consts):
            continue
        if s.op in _TRANSCENDENTAL_OPS and s.op not in trans:
            trans.append(s.op)
        elif s.op in _COMPARE_OPS and s.op not in compares:
            compares.append(s.op)
        elif s.op == "div":
            divide = True
    why = ([f"{', '.join(trans)} (a transcendental call)"] if trans else []) + (
        [f"a comparison ({', '.join(compares)})"] if compares else []) + (
        ["a division by a value of x"] if divide else [])
    return f"needs {' and '.join(why)}" if why else None


def polynomial_degree(steps: Sequence[Step]) -> int | None:
    """The degree in x of a program made of adds, multiplies and divides by constants
    (None when it is not such a program)."""
    if _not_polynomial(steps) is not None:
        return None
    deg: dict[str, int] = {}
    for s in steps:
        if s.op == "input":
            deg[s.name] = 1
        elif s.op == "const":
            deg[s.name] = 0
        elif s.op == "mul":
            deg[s.name] = deg[s.args[0]] + deg[s.args[1]]
        elif s.op == "div":
            deg[s.name] = deg[s.args[0]]
        else:
            deg[s.name] = max(deg[a] for a in s.args)
    return deg[steps[-1].name]


def _chebyshev_coefficients(approx: Any, degree: int, domain: tuple[float, float]
                            ) -> np.ndarray:
    """The approximant's value as Σ b_j T_j(u) on ``domain`` (u ∈ [−1, 1]), by
    interpolation at degree + 1 Chebyshev points (exact for a polynomial of that
    degree, to rounding)."""
    from numpy.polynomial import chebyshev as C

    lo, hi = domain

    def f(u: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(approx.evaluate(0.5 * (hi - lo) * u + 0.5 * (hi + lo)),
                              dtype=float)

    return _denoise(np.asarray(C.chebinterpolate(f, degree), dtype=float))


#: Chebyshev terms whose sizes sum to at most this share of the largest are noise.
NOISE_SHARE = 1e-9


def _denoise(c: np.ndarray) -> np.ndarray:
    """``c`` with its smallest terms set to 0 while their sizes sum to at most
    :data:`NOISE_SHARE` of the largest: they change the polynomial by at most that much
    on the domain (|T_j| ≤ 1), and they are the rounding noise of a polynomial stored
    in monomials and interpolated (GELU's minimax of degree 24 on [−7, 7] carries odd
    terms of 1e-12 that an exact x/2 + even polynomial does not have), not work a
    scheme must do."""
    c = c.copy()
    if not np.any(c):
        return c
    order = np.argsort(np.abs(c), kind="stable")
    small = np.cumsum(np.abs(c[order])) <= NOISE_SHARE * float(np.max(np.abs(c)))
    c[order[small]] = 0.0
    return c


# -- HE: Paterson–Stockmeyer on the Chebyshev basis --------------------------------------

@dataclass(frozen=True)
class SchemeStep:
    """One operation of a :class:`ChebyshevScheme`.

    ``op`` is ``double`` (``out = 2·a² − 1``), ``product`` (``out = 2·a·b − c``),
    ``leaf`` (``out = Σ coef[i]·T_i``, scalar products and additions only),
    ``mul`` (``out = a·b``, two ciphertexts), ``scale`` (``out = coef[0]·a``) or ``add``
    (``out = a + b``).
    """

    op: str
    out: str
    args: tuple[str, ...] = ()
    coef: tuple[float, ...] = ()
    depth: int = 0


@dataclass(frozen=True)
class ChebyshevScheme:
    """A baby-step giant-step evaluation of ``Σ c_j T_j(u)`` and its counts."""

    degree: int
    baby_steps: int
    steps: tuple[SchemeStep, ...]
    result: str

    @property
    def depth(self) -> int:
        """Multiplicative depth (non-scalar products on the longest path; u at 0)."""
        return max((s.depth for s in self.steps if s.out == self.result), default=0)

    @property
    def nonscalar_multiplications(self) -> int:
        """Ciphertext × ciphertext products (squares included)."""
        return sum(s.op in ("double", "product", "mul") for s in self.steps)

    @property
    def scalar_multiplications(self) -> int:
        """Products by a plaintext constant (other than 2 and 1)."""
        return sum(sum(1 for i, c in enumerate(s.coef) if i > 0 and c != 0.0)
                   if s.op == "leaf" else (s.op == "scale") for s in self.steps)

    @property
    def additions(self) -> int:
        """Additions and subtractions (2·a·b as a + a counted too)."""
        total = 0
        for s in self.steps:
            if s.op in ("double", "product"):
                total += 2
            elif s.op == "add":
                total += 1
            elif s.op == "leaf":
                total += max(sum(c != 0.0 for c in s.coef) - 1, 0)
        return total

    def evaluate(self, u: Any) -> np.ndarray:
        """Run the scheme on ``u`` (in [−1, 1]) in float64."""
        u = np.asarray(u, dtype=float)
        reg: dict[str, np.ndarray] = {"T0": np.ones_like(u), "T1": u}
        for s in self.steps:
            a = [reg[n] for n in s.args]
            if s.op == "double":
                reg[s.out] = 2.0 * a[0] * a[0] - 1.0
            elif s.op == "product":
                reg[s.out] = 2.0 * a[0] * a[1] - a[2]
            elif s.op == "leaf":
                v = np.full_like(u, s.coef[0])
                for i, c in enumerate(s.coef[1:], start=1):
                    if c != 0.0:
                        v = v + c * reg[f"T{i}"]
                reg[s.out] = v
            elif s.op == "mul":
                reg[s.out] = a[0] * a[1]
            elif s.op == "scale":
                reg[s.out] = s.coef[0] * a[0]
            else:
                reg[s.out] = a[0] + a[1]
        return reg[self.result]


def _top(c: np.ndarray, tol: float) -> int:
    nz = np.flatnonzero(np.abs(c) > tol)
    return int(nz[-1]) if nz.size else 0


def chebyshev_scheme(coef: Sequence[float], k: int) -> ChebyshevScheme:
    """The Paterson–Stockmeyer scheme of ``Σ coef[j]·T_j(u)`` with ``k`` baby steps.

    Baby steps T_2 … T_min(k, d) by T_{2j} = 2T_j² − 1 and T_{2j+1} = 2T_{j+1}T_j − T_1;
    giant steps T_{k·2^i} ≤ d by doubling; then p = q·T_g + r at the largest giant step
    g ≤ deg p (Chebyshev division), recursively, until a part has degree < k and is a
    scalar combination of the baby steps (Bossuat et al., EUROCRYPT 2021, Algorithm 2).

    Parameters
    ----------
    coef : sequence of float
        Chebyshev coefficients, ascending (trailing zeros are dropped).
    k : int
        Baby steps, ≥ 1.

    Returns
    -------
    ChebyshevScheme
    """
    from numpy.polynomial import chebyshev as C

    c = np.asarray(coef, dtype=float)
    if c.ndim != 1 or c.size == 0 or not np.all(np.isfinite(c)):
        raise InputError("`coef` must be a non-empty sequence of finite numbers")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"`k` must be a whole number >= 1, got {k!r}")
    tol = 1e-13 * float(np.max(np.abs(c))) if np.any(c) else 0.0
    d = _top(c, tol)
    c = c[:d + 1]
    steps: list[SchemeStep] = []
    depth = {"T0": 0, "T1": 0}
    # the level of c·T_j with the scalar c folded into the shallower factor of T_j's
    # last product (c·2T_aT_b = 2(c·T_a)·T_b): no extra level when the factors' levels
    # differ (Bossuat et al. §4); c·T_1 takes one level
    scaled = {"T1": 1}

    def emit(step: SchemeStep) -> str:
        steps.append(step)
        depth[step.out] = step.depth
        return step.out

    def double(j: int) -> None:
        a = f"T{j // 2}"
        emit(SchemeStep("double", f"T{j}", (a,), depth=depth[a] + 1))
        scaled[f"T{j}"] = scaled[a] + 1

    for j in range(2, min(k, d) + 1):                      # baby steps
        h = j // 2
        if j % 2 == 0:
            double(j)
        else:
            a, b = f"T{h + 1}", f"T{h}"
            emit(SchemeStep("product", f"T{j}", (a, b, "T1"),
                            depth=max(depth[a], depth[b]) + 1))
            scaled[f"T{j}"] = max(min(max(scaled[a], depth[b]), max(depth[a], scaled[b])) + 1,
                                  scaled["T1"])
    giants = []
    g = k
    while g <= d:                                           # giant steps
        if f"T{g}" not in depth:
            double(g)
        giants.append(g)
        g *= 2
    counter = [0]

    def name() -> str:
        counter[0] += 1
        return f"p{counter[0]}"

    def recurse(p: np.ndarray) -> tuple[str | None, float | None]:
        """(register, None) for a ciphertext part, (None, constant) for a plaintext one."""
        top = _top(p, tol)
        if top < k or not giants:
            if top == 0:
                return None, float(p[0])
            leaf = tuple(float(v) if abs(v) > tol else 0.0 for v in p[:top + 1])
            dep = max(scaled[f"T{i}"] for i in range(1, top + 1) if leaf[i] != 0.0)
            return emit(SchemeStep("leaf", name(), coef=leaf, depth=dep)), None
        g = max(x for x in giants if x <= top)
        q, r = C.chebdiv(p[:top + 1], np.eye(g + 1)[g])
        qa, qc = recurse(np.asarray(q, dtype=float))
        ra, rc = recurse(np.asarray(r, dtype=float))
        tg = f"T{g}"
        if qa is None:
            prod = emit(SchemeStep("scale", name(), (tg,), coef=(float(qc or 0.0),),
                                   depth=scaled[tg]))
        else:
            prod = emit(SchemeStep("mul", name(), (qa, tg),
                                   depth=max(depth[qa], depth[tg]) + 1))
        if ra is None:
            if rc:
                leaf = emit(SchemeStep("leaf", name(), coef=(float(rc),), depth=0))
                return emit(SchemeStep("add", name(), (prod, leaf), depth=depth[prod])), None
            return prod, None
        return emit(SchemeStep("add", name(), (prod, ra),
                               depth=max(depth[prod], depth[ra]))), None

    reg, const = recurse(c)
    if reg is None:
        reg = emit(SchemeStep("leaf", name(), coef=(float(const or 0.0),), depth=0))
    return ChebyshevScheme(d, k, tuple(steps), reg)


def best_chebyshev_scheme(coef: Sequence[float]) -> ChebyshevScheme:
    """The scheme of least (depth, non-scalar multiplications, scalar multiplications,
    additions) over every baby-step count k = 1 … d + 1 (:func:`chebyshev_scheme`)."""
    c = np.asarray(coef, dtype=float)
    tol = 1e-13 * float(np.max(np.abs(c))) if c.size and np.any(c) else 0.0
    d = _top(c, tol) if c.size else 0
    best = None
    for k in range(1, d + 2):
        s = chebyshev_scheme(c, k)
        key = (s.depth, s.nonscalar_multiplications, s.scalar_multiplications,
               s.additions, k)
        if best is None or key < best[0]:
            best = (key, s)
    assert best is not None
    return best[1]


def he_cost(approx: Any, domain: tuple[float, float],
            weights: Mapping[str, float] | None = None) -> HECost | Unavailable:
    """The HE cost of an approximant's value on ``domain``: its best scheme's counts.

    The value must be a polynomial in x (adds, multiplies, divides by constants); it
    is rewritten as a Chebyshev series in u = (2x − a − b)/(b − a) on ``domain`` (a
    scalar product and addition, not counted) and :func:`best_chebyshev_scheme` gives
    the counts.  Anything else (a compare, a divide by a value of x, a transcendental
    call) is :class:`Unavailable` with the reason.
    """
    w = dict(DEFAULT_WEIGHTS["he"] if weights is None else weights)
    piece_reason = _piecewise_reason(approx)
    if piece_reason is not None:
        return Unavailable("he", piece_reason)
    steps = approx.program()
    why = _not_polynomial(steps)
    if why is not None:
        return Unavailable("he", f"{why}: not evaluable under HE (polynomials only)")
    degree = polynomial_degree(steps)
    assert degree is not None
    coef = _chebyshev_coefficients(approx, degree, domain)
    s = best_chebyshev_scheme(coef)
    return HECost(s.depth, s.nonscalar_multiplications, s.scalar_multiplications,
                  s.additions, s.degree, s.baby_steps, weights=w)


def _piecewise_reason(approx: Any) -> str | None:
    if getattr(approx, "breaks", None) is not None and hasattr(approx, "piece_rows"):
        has_compare = (approx.breaks or approx.low is not None or approx.high is not None
                       or approx.small is not None or approx.split)
        if has_compare:
            return "a piecewise form needs comparisons: not evaluable under HE"
    return None


# -- MPC --------------------------------------------------------------------------------

def power_chain(powers: Sequence[int]) -> dict[int, tuple[int, int]]:
    """The products that form x^k for every k in ``powers`` (and what they need).

    x^k = x^a · x^(k−a) with a the largest power of two below k, so x^k has depth
    ⌈log2 k⌉ (the exponentially growing tree of CrypTen's ``polynomial``); shared
    powers are formed once.  Returns k → (a, k − a) for every product, k ≥ 2.
    """
    chain: dict[int, tuple[int, int]] = {}

    def need(k: int) -> None:
        if k <= 1 or k in chain:
            return
        a = 1 << ((k - 1).bit_length() - 1)
        chain[k] = (a, k - a)
        need(a)
        need(k - a)

    for k in powers:
        need(int(k))
    return chain


def _chain_depth(k: int) -> int:
    return 0 if k <= 1 else (k - 1).bit_length()


def _monomial_powers(approx: Any, degree: int) -> list[int]:
    """The powers ≥ 2 with a non-zero monomial coefficient in the approximant's value."""
    from numpy.polynomial import chebyshev as C

    lo, hi = -1.0, 1.0
    coef = C.cheb2poly(_chebyshev_coefficients(approx, degree, (lo, hi)))
    tol = 1e-13 * float(np.max(np.abs(coef))) if np.any(coef) else 0.0
    return [k for k in range(2, len(coef)) if abs(coef[k]) > tol]


@dataclass(frozen=True)
class _Region:
    """One region of a piecewise form: the powers its polynomial needs (None: a public
    constant), or "x"."""

    powers: tuple[int, ...] | None
    secret: bool


def _mpc_regions(approx: Any) -> tuple[list[_Region], int] | str:
    """The regions of an existing :class:`~approxfit.approximants.piecewise.
    PiecewiseApproximant` of the poly family and its comparison count, or a reason."""
    rows = approx.piece_rows()
    for j in range(len(rows)):
        family = approx.form(j)[0]
        if family != "poly":
            what = ("a division by a value of x" if family == "rational"
                    else f"{family}, a transcendental call")
            return f"a piece needs {what}: not modelled under MPC"
    if approx.low is not None and approx.low_value == "exp":
        return "the low tail needs exp, a transcendental call: not modelled under MPC"
    regions = []
    for j, row in enumerate(rows):
        powers = approx.form(j)[1]
        ks = [k for k, c in zip(powers, row[2:2 + len(powers)], strict=True) if c != 0.0]
        regions.append(_Region(tuple(ks), bool(ks)))
    compares = len(approx.breaks) + (1 if approx.split else 0)
    if approx.low is not None:
        compares += 1
        regions.append(_Region((1,) if approx.low_value == "x" else None,
                               approx.low_value == "x"))
    if approx.high is not None:
        compares += 1
        regions.append(_Region((1,) if approx.high_value == "x" else None,
                               approx.high_value == "x"))
    if approx.small is not None:
        compares += 2
        regions.append(_Region((1,), True))
    return regions, compares


def mpc_cost(approx: Any, weights: Mapping[str, float] | None = None,
             parameters: Mapping[str, int] | None = None) -> MPCCost | Unavailable:
    """The MPC cost of an approximant's value: a polynomial or a piecewise polynomial.

    A polynomial's powers x² … x^d come from :func:`power_chain` (one Beaver product
    each, depth ⌈log2 d⌉; products by public coefficients and additions are local).
    A piecewise polynomial compares x with each breakpoint and threshold (all in
    parallel: ``rounds_per_comparison`` rounds), evaluates every piece from one shared
    set of powers, and selects: one product per region whose value is secret (a
    public constant, 0 included, times a comparison bit is local), in one round.
    Rounds = comparison rounds + the deepest power + the select's rounds.
    Transcendental calls and divisions by a value of x are :class:`Unavailable`.
    """
    w = dict(DEFAULT_WEIGHTS["mpc"] if weights is None else weights)
    p = {**DEFAULT_PARAMETERS["mpc"], **(parameters or {})}
    if getattr(approx, "breaks", None) is not None and hasattr(approx, "piece_rows"):
        got = _mpc_regions(approx)
        if isinstance(got, str):
            return Unavailable("mpc", got)
        regions, compares = got
    else:
        steps = approx.program()
        why = _not_polynomial(steps)
        if why is not None:
            return Unavailable("mpc", f"{why} inside its formula: not modelled under MPC "
                               "(polynomials, and piecewise polynomials whose compares "
                               "are with breakpoints, are)")
        degree = polynomial_degree(steps)
        assert degree is not None
        regions, compares = [_Region(tuple(_monomial_powers(approx, degree)), True)], 0
    powers = sorted({k for r in regions for k in (r.powers or ())})
    chain = power_chain(powers)
    depth = max((_chain_depth(k) for k in powers), default=0)
    selects = sum(r.secret for r in regions) if len(regions) > 1 else 0
    cmp_rounds = p["rounds_per_comparison"] if compares else 0
    sel_rounds = p["select_rounds"] if selects else 0
    return MPCCost(len(chain) + selects, compares, cmp_rounds + depth + sel_rounds,
                   max(cmp_rounds, depth) + sel_rounds, len(chain), selects, weights=w)


def model_cost(approx: Any, model: str, *, domain: tuple[float, float] = (-10.0, 10.0),
               weights: Mapping[str, float] | None = None,
               parameters: Mapping[str, int] | None = None
               ) -> KernelCost | HECost | MPCCost | Unavailable:
    """The cost of an approximant's value under ``model`` (kernel, he or mpc).

    ``domain`` is the input range (HE rewrites the polynomial on it); ``cost_weights`` and
    ``parameters`` default to the model's (:func:`check_weights`).
    """
    w, params = check_weights(model, None)
    if weights is not None:
        w = dict(weights)
    if parameters is not None:
        params.update(parameters)
    if model == "kernel":
        return kernel_cost(approx.program(), w,
                           table_bytes=int(getattr(approx, "table_bytes", 0) or 0))
    if model == "he":
        return he_cost(approx, domain, w)
    return mpc_cost(approx, w, params)


def describe_model(model: str, weights: Mapping[str, float],
                   parameters: Mapping[str, int]) -> str:
    """One paragraph on the model and its weights (the ``cost_model`` of an output)."""
    terms = " + ".join(f"{_number(v)} x {k}" for k, v in weights.items())
    text = {"kernel": "kernel: the evaluation program's operations",
            "he": "he: the best Paterson-Stockmeyer scheme on the Chebyshev basis of the "
                  "polynomial on the range (depth: levels, a non-integer scalar product "
                  "included)",
            "mpc": "mpc: Beaver products, comparisons and rounds (comparison rounds + "
                   "power depth + select)"}[model]
    extra = "".join(f"; {k} = {v}" for k, v in parameters.items())
    return f"{text}; total = {terms}{extra}"


