"""Cost-aware search: which approximant is best for a given number of operations?

:func:`pareto_sweep` fits every family × degree of a target (minimax on the value
by default, over ``[lo, hi]``), measures each fit's maximum error **on the whole
real line** — on the fit range, refined between samples, and beyond it out to
±1e4 — and its cost in the Horner form, then marks the Pareto frontier and the
published approximants.

Cost model (:class:`Cost`): the operations of each approximant's evaluation program
(:meth:`~approxfit.approximants.base.AnyApproximant.program`, the straight-line
program that the format emulator runs and ``export`` prints), counted for the value
f(x): the inner polynomial by Horner's rule (in ``x²`` for an odd or even p), the
outer function (``tanh`` or ``exp`` is one transcendental call), the gate relation
(``x·g``), a divide for a sigmoid or a rational, two compares for a tail guard.

A multiply-add counts as one multiply and one add, a divide as one multiply.
The single number on the plots weighs multiplies, adds and compares 1 and a
transcendental call 10 (roughly the throughput ratio of a vectorised
``tanh``/``exp`` to an FMA on current CPUs); the counts themselves are always
reported too.

Piecewise rows (``families`` with ``"piecewise"``, not among the defaults): for each
number of pieces K and degree d ≤ :data:`MAX_PIECEWISE_DEGREE`, the row
``piecewise-K-d`` is :func:`approxfit.fitting.piecewise_fit.fit_piecewise` on the range
(K polynomial pieces of degree d, breakpoints chosen so the worst piece's error is
least) with exact tails whose thresholds are found (``auto``); the tails' values are the
target's limits (:func:`piecewise_tails`).  Its kernel cost counts the compares and
selects of its program; under he it has none (a compare is not evaluable), under mpc
its comparisons, products and rounds.

Fits run in parallel: in a :class:`concurrent.futures.ProcessPoolExecutor` over
the machine's cores by default, or on any ``concurrent.futures`` executor given —
a Dask cluster's ``Client.get_executor()`` among them (:func:`make_executor`, from
:mod:`approxfit.core.executors`, understands ``dask://HOST:PORT``).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from approxfit.approximants.base import AnyApproximant
from approxfit.approximants.program import TRANSCENDENTAL_WEIGHT, Cost
from approxfit.core.exceptions import InputError
from approxfit.core.executors import DASK_SCHEMES, DASK_TIMEOUT, dask_address, make_executor
from approxfit.measure.metrics import WHOLE_LINE

__all__ = ["DASK_SCHEMES", "DASK_TIMEOUT", "DEFAULT_FAMILIES", "DEFAULT_PIECES",
           "MAX_PIECEWISE_DEGREE", "PARETO_FAMILIES", "TRANSCENDENTAL_WEIGHT", "WHOLE_LINE",
           "Cost", "ParetoResult", "approximant_cost", "cost_difference_text",
           "dask_address", "fit_command", "make_executor", "pareto", "pareto_files",
           "pareto_sweep", "piecewise_fit_command", "piecewise_tails", "task_count",
           "whole_line_error", "write_pareto"]

DEFAULT_FAMILIES: tuple[str, ...] = ("tanh", "sigmoid", "poly", "rational")
"""The families :func:`pareto` sweeps by default (a rational is P of each degree over a Q
of degree 2: 1 + d2·x² for a symmetric target, else 1 + d1·x + d2·x², as ``fit``'s
default denominator parity has it)."""
RATIONAL_DEN_DEGREE = 2
MAX_DEGREE = 40
"""The highest ``max_degree``: poly sweeps go up to it."""
MAX_OTHER_DEGREE = 15
"""The highest degree swept for the families other than poly (a tanh∘poly, σ∘poly or
P/Q fit beyond it gains nothing on these targets and costs minutes)."""
PIECEWISE = "piecewise"
PARETO_FAMILIES: tuple[str, ...] = ("tanh", "sigmoid", "poly", "rational", PIECEWISE)
"""The families :func:`pareto` can sweep: ``fit``'s four and piecewise."""
MAX_PIECEWISE_DEGREE = 8
"""The highest degree of a piecewise row's pieces (each row is a breakpoint search of
certified minimax fits: seconds to a minute apiece)."""
DEFAULT_PIECES: tuple[int, ...] = (2,)
"""The numbers of pieces of the piecewise rows unless ``pieces`` says otherwise."""

COST_MODEL = (
    f"cost = multiplies + adds + compares + {TRANSCENDENTAL_WEIGHT} x transcendental calls "
    "(tanh, exp); a "
    "multiply-add counts as one multiply and one add, a divide as one multiply; counted "
    "on each approximant's evaluation program for the value f(x): the inner polynomial by "
    "Horner's rule (in x^2 for an odd or even p), the outer function, the gate relation "
    "x*g, a divide for a sigmoid or a rational, two compares for a tail guard")
"""The cost model in plain text, as ``pareto-TARGET.json`` states it."""


def _cost(d: dict[str, int]) -> Cost:
    """A :class:`Cost` from its ``to_dict()`` form (a row's ``cost``)."""
    return Cost(d["multiplies"], d["adds"], d["transcendentals"], d["compares"])


def _count(n: int, what: str) -> str:
    plural = what[:-1] + "ies" if what.endswith("y") else what + "s"
    return f"one {what}" if n == 1 else f"{n} {plural}"


def cost_difference_text(more: Cost, than: str, *, guard: bool = False) -> str:
    """`` for one multiply-add more than paper-tanh``: what ``more`` (a row's cost
    minus ``than``'s) adds, in words; ``""`` when the counts are the same.

    A multiply with an add is a multiply-add.  With ``guard`` the tail guard's two
    compares are left out (the sentence names the guard itself).

    >>> cost_difference_text(Cost(1, 1, 0, 2), "paper-tanh", guard=True)
    ' for one multiply-add more than paper-tanh'
    >>> cost_difference_text(Cost(2, 1, -1, 0), "paper-sigmoid")
    ' for one multiply-add and one multiply more and one transcendental fewer than paper-sigmoid'
    """
    compares = more.compares - (2 if guard else 0)
    fma = min(more.multiplies, more.adds) if more.multiplies > 0 and more.adds > 0 else 0
    parts = [(fma, "multiply-add"), (more.multiplies - fma, "multiply"),
             (more.adds - fma, "add"), (more.transcendentals, "transcendental"),
             (compares, "compare")]
    up = [_count(n, w) for n, w in parts if n > 0]
    down = [_count(-n, w) for n, w in parts if n < 0]
    said = [f"{' and '.join(up)} more"] if up else []
    said += [f"{' and '.join(down)} fewer"] if down else []
    return f" for {' and '.join(said)} than {than}" if said else ""


def approximant_cost(approx: AnyApproximant) -> Cost:
    """The cost of evaluating an approximant's value: :meth:`approx.cost()
    <approxfit.approximants.base.AnyApproximant.cost>`, counted from the same program
    that the format emulator runs and ``export`` prints."""
    return approx.cost()


def whole_line_error(approx: Any, lo: float, hi: float, *, on: str = "value",
                     samples: int = 20001) -> tuple[float, float]:
    """Max abs error on the whole real line, measured on ``[−WHOLE_LINE, WHOLE_LINE]``
    (:data:`approxfit.measure.metrics.WHOLE_LINE`), and where.

    Inside ``[lo, hi]`` the maximum is refined between ``samples`` uniform points;
    outside, it is taken on geometrically spaced points out to ±WHOLE_LINE.
    """
    from approxfit.measure.metrics import outside_metrics

    inside = _range_error(approx, lo, hi, on=on, samples=samples)
    out = outside_metrics(approx, lo, hi, on=on, limit=WHOLE_LINE)
    if out["max_abs_error"] > inside[0]:
        return float(out["max_abs_error"]), float(out["argmax_abs_error"])
    return inside


def _range_error(approx: Any, lo: float, hi: float, *, on: str = "value",
                 samples: int = 20001) -> tuple[float, float]:
    """Max abs error on ``[lo, hi]``, refined between ``samples`` uniform points, and where."""
    from approxfit.measure.metrics import error_metrics

    tgt = approx.target_obj
    x = np.linspace(lo, hi, samples)

    def err(t: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return approx.evaluate(t, on=on) - tgt.evaluate(t, on=on)

    with np.errstate(all="ignore"):
        inside = error_metrics(x, approx.evaluate(x, on=on), tgt.evaluate(x, on=on), err,
                               lo=lo, hi=hi)
    return float(inside["max_abs_error_range"]), float(inside["argmax_abs_error_range"])


def fit_command(target: str, family: str, degree: int, *, objective: str = "minimax",
                on: str = "value", range: tuple[float, float] = (-10.0, 10.0),
                samples: int = 20001, clamp: float | None = None,
                den_degree: int | None = None, den_parity: str | None = None) -> str:
    """The ``approxfit fit …`` command that rebuilds a sweep's row, shell-quoted.

    Its coefficients are the row's: the sweep runs the same fit (the same uniform grid
    of ``samples`` points on ``range``), and a row with a tail guard ``clamp`` gets
    ``--clamp C``, which keeps the coefficients and adds the guard.

    Examples
    --------
    >>> fit_command("gelu", "tanh", 5, clamp=10.0).split(" --")
    ['approxfit fit gelu tanh', 'degree 5', 'objective minimax', 'on value', 'range -10.0 10.0', \
'samples 20001', 'clamp 10.0']
    """
    import shlex

    args = ["approxfit", "fit", target, family, "--degree", str(degree), "--objective",
            objective, "--on", on, "--range", repr(float(range[0])), repr(float(range[1])),
            "--samples", str(samples)]
    if den_degree is not None:
        args += ["--den-degree", str(den_degree)]
    if den_parity is not None:
        args += ["--den-parity", den_parity]
    if clamp is not None:
        args += ["--clamp", repr(float(clamp))]
    return shlex.join(args)


def piecewise_tails(target: Any) -> tuple[str | None, str | None]:
    """The tails of a piecewise row: the target's limits at ∓WHOLE_LINE, as
    :func:`~approxfit.fitting.piecewise_fit.fit_piecewise`'s tail values.

    Low: ``"zero"``, ``"minus_one"`` or ``"x"``; high: ``"x"`` or ``"one"``; None where the
    target is none of them there (exp2's high end).  A tail's threshold is then found by
    the fit (``auto``); where the tail is not within the pieces' error anywhere on the
    range it sits at the range's end and only serves the whole line.

    >>> piecewise_tails("gelu"), piecewise_tails("tanh"), piecewise_tails("exp2")
    (('zero', 'x'), ('minus_one', 'one'), ('zero', None))
    """
    from approxfit.core.targets import resolve_target

    tgt = resolve_target(target)
    big = float(WHOLE_LINE)
    with np.errstate(all="ignore"):
        f_lo, f_hi = (float(v) for v in tgt.evaluate(np.array([-big, big])))

    def near(v: float, want: float) -> bool:
        return math.isfinite(v) and abs(v - want) <= 1e-12 * max(1.0, abs(want))

    low = next((n for n, v in (("zero", 0.0), ("minus_one", -1.0), ("x", -big))
                if near(f_lo, v)), None)
    high = next((n for n, v in (("x", big), ("one", 1.0)) if near(f_hi, v)), None)
    return low, high


def piecewise_fit_command(target: str, pieces: int, degree: int, *,
                          range: tuple[float, float] = (-10.0, 10.0), samples: int = 20001,
                          low_tail: str | None = None, high_tail: str | None = None) -> str:
    """The ``approxfit fit TARGET piecewise …`` command that rebuilds a sweep's
    ``piecewise-K-d`` row (the same search and final fits, so the same coefficients).

    Examples
    --------
    >>> cmd = piecewise_fit_command("gelu", 2, 3, range=(-4, 4), samples=2001,
    ...                             low_tail="zero", high_tail="x").split(" --")
    >>> cmd[:4]
    ['approxfit fit gelu piecewise', 'objective minimax', 'pieces 2', 'degree 3']
    >>> cmd[4:]
    ['range -4.0 4.0', 'samples 2001', 'low-tail zero', 'low auto', 'high-tail x', 'high auto']
    """
    import shlex

    args = ["approxfit", "fit", target, "piecewise", "--objective", "minimax", "--pieces",
            str(pieces), "--degree", str(degree), "--range", repr(float(range[0])),
            repr(float(range[1])), "--samples", str(samples),
            "--low-tail", low_tail or "none", "--low", "auto",
            "--high-tail", high_tail or "none", "--high", "auto"]
    return shlex.join(args)


def _piecewise_task(task: dict[str, Any]) -> dict[str, Any]:
    """Fit and measure one ``piecewise-K-d`` row (a failed fit: a row with the reason)."""
    from approxfit.core.exceptions import ApproxfitError
    from approxfit.core.targets import get_target
    from approxfit.fitting.piecewise_fit import fit_piecewise

    tgt = get_target(task["target"])
    lo, hi = task["range"]
    k, d = task["pieces"], task["degree"]
    name = f"{PIECEWISE}-{k}-{d}"
    row = {"family": PIECEWISE, "degree": d, "pieces": k, "objective": "minimax",
           "on": "value"}
    low, high = piecewise_tails(tgt)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit_piecewise(tgt, pieces=k, degree=d, range_=(lo, hi),
                                low_tail=None if low is None else (low, "auto"),
                                high_tail=None if high is None else (high, "auto"),
                                samples=task["samples"])
    except ApproxfitError as exc:
        return {**row, "name": name, "error": str(exc)}
    except (ArithmeticError, ValueError, AssertionError) as exc:   # numerical breakdown
        return {**row, "name": name, "error": f"the fit broke down: {type(exc).__name__}: "
                f"{str(exc) or 'no detail'}"}
    a = res.approximant
    on_range, at = max(_range_error(a, lo, hi, samples=task["samples"]), _jump_error(a))
    whole, where = max(whole_line_error(a, lo, hi, samples=task["samples"]), (on_range, at))
    command = piecewise_fit_command(task["target"], k, d, range=(lo, hi),
                                    samples=task["samples"], low_tail=low, high_tail=high)
    return {**row, "parity": "none", "name": name, "fit_command": command,
            "coefficients": a.coefficients, "clamp": None, "converged": res.converged,
            "breakpoints": list(res.breakpoints),
            "tails": {s: None if t is None else {"value": t["value"],
                                                  "threshold": t["threshold"]}
                      for s, t in res.tails.items()},
            # the larger of the fit's own measure (each piece refined on its interval,
            # the tails on 200001 points) and the assembled approximant's on the range
            # (refined between samples, and the one-sided limits at every jump)
            "max_error_on_range": max(float(res.max_error), on_range),
            "max_error_whole_line": max(whole, float(res.max_error)),
            "argmax_whole_line": where,
            "cost": approximant_cost(a).to_dict(), "approximant": a.to_dict(),
            **_model_entry(a, task.get("cost"), (lo, hi))}


def _jump_error(approx: Any) -> tuple[float, float]:
    """The largest error just either side of a piecewise approximant's breakpoints and
    thresholds, and where: its error there jumps, so its supremum may be a one-sided
    limit at one of them, which no refinement between samples finds."""
    pts = np.array([*approx.breaks, *(t for t in (approx.low, approx.high) if t is not None)],
                   dtype=float)
    if pts.size == 0:
        return 0.0, math.nan
    x = np.concatenate([np.nextafter(pts, -np.inf), np.nextafter(pts, np.inf)])
    with np.errstate(all="ignore"):
        e = np.abs(approx.evaluate(x) - approx.target_obj.evaluate(x))
    e = np.where(np.isnan(e), np.inf, e)
    i = int(np.argmax(e))
    return float(e[i]), float(x[i])


def _sweep_task(task: dict[str, Any]) -> dict[str, Any]:
    """Fit one family × degree and measure it (module level so processes can run it)."""
    from approxfit.core.exceptions import ApproxfitError

    if task["family"] == PIECEWISE:
        return _piecewise_task(task)
    from approxfit.core.grids import make_grid
    from approxfit.core.targets import get_target
    from approxfit.fitting.fit import default_den_parity, fit

    tgt = get_target(task["target"])
    lo, hi = task["range"]
    row = {k: task[k] for k in ("family", "degree", "objective", "on")}
    den_parity = (default_den_parity(tgt, task["on"]) if task.get("den_degree") is not None
                  else None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit(tgt, task["family"], make_grid(lo, hi, samples=task["samples"]),
                      degree=task["degree"], objective=task["objective"], on=task["on"],
                      den_degree=task.get("den_degree"), den_parity=den_parity)
    except ApproxfitError as exc:
        return {**row, "error": str(exc)}
    a = res.approximant
    plain_err, plain_at = whole_line_error(a, lo, hi)
    choice = (a, plain_err, plain_at)
    if a.supports_clamp and plain_err > 1.01 * res.metrics["value"]["max_abs_error_range"]:
        clamped = a.with_coefficients({}, clamp=max(abs(lo), abs(hi)))
        c_err, c_at = whole_line_error(clamped, lo, hi)
        if c_err < plain_err:
            choice = (clamped, c_err, c_at)
    approx, whole, where = choice
    command = fit_command(task["target"], task["family"], task["degree"],
                          objective=task["objective"], on=task["on"], range=(lo, hi),
                          samples=task["samples"], clamp=approx.clamp,
                          den_degree=task.get("den_degree"), den_parity=den_parity)
    return {**row, "parity": res.parity, "name": f"{a.family}-{task['degree']}",
            "fit_command": command,
            "coefficients": approx.coefficients, "clamp": approx.clamp,
            "converged": res.converged,
            "max_error_on_range": res.metrics["value"]["max_abs_error_range"],
            "max_error_whole_line": whole, "argmax_whole_line": where,
            "cost": approximant_cost(approx).to_dict(), "approximant": approx.to_dict(),
            **_model_entry(approx, task.get("cost"), (lo, hi))}


def _model_entry(approx: Any, cost: dict[str, Any] | None, domain: tuple[float, float]
                 ) -> dict[str, Any]:
    """``{"cost_<model>": …}``: the approximant's cost under the sweep's model."""
    from approxfit.approximants.costmodels import model_cost

    if cost is None:
        return {}
    c = model_cost(approx, cost["model"], domain=domain, weights=cost["weights"],
                   parameters=cost["parameters"])
    return {f"cost_{cost['model']}": c.to_dict()}


@dataclass(frozen=True)
class ParetoResult:
    """The sweep's rows, the published approximants, and the frontier.

    Attributes
    ----------
    target : str
    range : tuple of float
    objective, on : str
    rows : list of dict
        One per family × degree: coefficients, clamp, cost, max error on the range
        and on the whole line (huge for a polynomial, which diverges; rows with a
        whole-line error of 1 or more are left off the frontier and the plot).
    published : list of dict
        The target's published approximants with their cost and whole-line error.
    frontier : list of str
        Names of the rows no other row beats in both cost and whole-line error.
    recommended : dict or None
        The best fitted row that costs at most one multiply-add more than the
        paper's tanh form (plus a clamp if it needs one), when the target has one.
    """

    target: str
    range: tuple[float, float]
    objective: str
    on: str
    rows: list[dict[str, Any]]
    published: list[dict[str, Any]]
    frontier: list[str]
    recommended: dict[str, Any] | None
    cost: str = "kernel"
    cost_weights: dict[str, Any] = field(default_factory=dict)
    cost_parameters: dict[str, int] = field(default_factory=dict)
    tolerance: float | None = None
    answer: dict[str, Any] | None = None

    def model_total(self, row: dict[str, Any]) -> int | float | None:
        """A row's total under :attr:`cost` (None where the model does not apply)."""
        entry = row.get(f"cost_{self.cost}")
        return None if entry is None else entry.get("total")

    def answer_text(self) -> str | None:
        """The line on :attr:`answer` (None without a tolerance): the cheapest row
        whose max error on the range is at most the tolerance."""
        if self.tolerance is None:
            return None
        lo, hi = self.range
        if self.answer is None:
            return (f"answer: no row has max error <= {self.tolerance:g} on [{lo:g}, "
                    f"{hi:g}] with a {self.cost} cost")
        a = self.answer
        c = a[f"cost_{self.cost}"]
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in c.items()
                           if k not in ("total", "degree", "baby_steps"))
        return (f"answer: {a['name']} — max error {a['max_error_on_range']:.4g} <= "
                f"{self.tolerance:g} on [{lo:g}, {hi:g}]; {self.cost} cost {c['total']:g} "
                f"({counts})")

    def recommendation(self) -> str | None:
        """The sentence on :attr:`recommended` (None without one): its name, tail
        guard and whole-line error, and what it costs more than the cheapest published
        approximant of its family (:func:`cost_difference_text`), e.g.
        ``recommended: tanh-5 (tail guard at ±10) — whole-line error 2.519e-05 for one
        multiply-add more than paper-tanh``.
        """
        r = self.recommended
        if r is None:
            return None
        guard = f" (tail guard at ±{r['clamp']:g})" if r["clamp"] else ""
        text = f"recommended: {r['name']}{guard} — whole-line error " \
               f"{r['max_error_whole_line']:.3e}"
        same = [p for p in self.published if p.get("family") == r["family"]]
        if same:
            cheapest = min(same, key=lambda p: p["cost"]["total"])   # the first of equals
            a, b = _cost(r["cost"]), _cost(cheapest["cost"])
            more = Cost(a.multiplies - b.multiplies, a.adds - b.adds,
                        a.transcendentals - b.transcendentals, a.compares - b.compares)
            text += cost_difference_text(more, cheapest["name"], guard=bool(r["clamp"]))
        return text

    def frontier_note(self) -> str | None:
        """Why no row is on the frontier, in one line (None when some row is).

        A row joins the frontier only with a whole-line error below 1; a polynomial or
        a rational diverges beyond the fit range, so a sweep of those families alone
        (or of fits that all failed) has no frontier.

        >>> r = ParetoResult("gelu", (-10.0, 10.0), "minimax", "value", [{"name": "poly-1",
        ...     "family": "poly", "max_error_whole_line": 4997.5}], [], [], None)
        >>> r.frontier_note().split(" (")  # doctest: +NORMALIZE_WHITESPACE
        ["no row is on the frontier: every row's whole-line error is 1 or more",
         'the least, poly-1, 5e+03: poly diverges beyond the fit range [-10, 10])']
        """
        if self.frontier:
            return None
        good = [r for r in self.rows if "error" not in r]
        failed = len(self.rows) - len(good)
        if not good:
            return f"no row is on the frontier: every fit failed ({failed} of {failed})"
        least = min(good, key=lambda r: (not math.isfinite(r["max_error_whole_line"]),
                                         r["max_error_whole_line"]))
        fams = sorted({r["family"] for r in good})
        verb = "diverges" if len(fams) == 1 else "diverge"
        lo, hi = self.range
        text = (f"no row is on the frontier: every row's whole-line error is 1 or more (the "
                f"least, {least['name']}, {least['max_error_whole_line']:.3g}: "
                f"{' and '.join(fams)} {verb} beyond the fit range [{lo:g}, {hi:g}])")
        if failed:
            text += f"; {failed} {'fit' if failed == 1 else 'fits'} failed"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (with the cost model stated)."""
        from approxfit.approximants.costmodels import describe_model

        model = (COST_MODEL if self.cost == "kernel" and not self.cost_parameters
                 and self.cost_weights == _default_weights("kernel")
                 else describe_model(self.cost, self.cost_weights, self.cost_parameters))
        out = {"kind": "pareto", "target": self.target, "range": list(self.range),
               "objective": self.objective, "on": self.on,
               "cost_model": model, "cost": self.cost,
               "cost_weights": {**self.cost_weights, **self.cost_parameters},
               "rows": self.rows, "published": self.published, "frontier": self.frontier,
               "frontier_note": self.frontier_note(), "recommended": self.recommended}
        if self.tolerance is not None:
            out["tolerance"] = self.tolerance
            out["answer"] = None if self.answer is None else self.answer["name"]
        return out

    def to_csv(self) -> str:
        """One line per row and per published approximant."""
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        extra = self.cost != "kernel"
        model_keys = _model_keys(self.cost) if extra else []
        w.writerow(["name", "kind", "family", "degree", "clamp", "multiplies", "adds",
                    "transcendentals", "compares", "cost", "max_error_whole_line",
                    "max_error_on_range", "on_frontier"]
                   + [f"{self.cost}_{k}" for k in model_keys]
                   + ([f"{self.cost}_reason"] if extra else []))

        def model_cells(r: dict[str, Any]) -> list[Any]:
            if not extra:
                return []
            m = r.get(f"cost_{self.cost}") or {}
            return [m.get(k, "") if m.get(k) is not None else "" for k in model_keys] + [
                m.get("reason", "")]

        for r in self.rows:
            if "error" in r:
                continue
            c = r["cost"]
            w.writerow([r["name"], "fit", r["family"], r["degree"], r["clamp"] or "",
                        c["multiplies"], c["adds"], c["transcendentals"], c["compares"],
                        c["total"], repr(r["max_error_whole_line"]),
                        repr(r["max_error_on_range"]), r["name"] in self.frontier,
                        *model_cells(r)])
        for p in self.published:
            c = p["cost"]
            w.writerow([p["name"], "published", p.get("family", ""), "", "", c["multiplies"],
                        c["adds"], c["transcendentals"], c["compares"], c["total"],
                        repr(p["max_error_whole_line"]), "", "", *model_cells(p)])
        return buf.getvalue()


def _tasks(target: str, families: Iterable[str], max_degree: int, objective: str, on: str,
           range_: tuple[float, float], samples: int,
           cost: dict[str, Any] | None = None,
           pieces: tuple[int, ...] = DEFAULT_PIECES) -> list[dict[str, Any]]:
    from approxfit.approximants.families import get_family, powers_for
    from approxfit.core.targets import get_target

    tgt = get_target(target)
    tasks = []
    for name in families:
        if name == PIECEWISE:
            for k in pieces:
                for degree in range(1, min(max_degree, MAX_PIECEWISE_DEGREE) + 1):
                    tasks.append({"target": target, "family": name, "degree": degree,
                                  "pieces": k, "objective": objective, "on": on,
                                  "range": list(range_), "samples": samples, "cost": cost})
            continue
        if name == "rational":
            # P of each degree over a Q of degree 2 (even for a symmetric target)
            for degree in range(2, min(max_degree, MAX_OTHER_DEGREE) + 1):
                tasks.append({"target": target, "family": name, "degree": degree,
                              "den_degree": RATIONAL_DEN_DEGREE, "objective": objective,
                              "on": on,
                              "range": list(range_), "samples": samples, "cost": cost})
            continue
        fam = get_family(name)
        if fam.gated and not tgt.has_gate:
            continue
        parity = fam.default_parity(tgt, on)
        top = max_degree if name == "poly" else min(max_degree, MAX_OTHER_DEGREE)
        for degree in range(0, top + 1):
            try:
                powers_for(degree, parity)
            except InputError:
                continue
            if degree == 0:
                continue
            tasks.append({"target": target, "family": name, "degree": degree,
                          "objective": objective, "on": on, "range": list(range_),
                          "samples": samples, "cost": cost})
    return tasks


def _default_weights(model: str) -> dict[str, Any]:
    from approxfit.approximants.costmodels import DEFAULT_WEIGHTS

    return dict(DEFAULT_WEIGHTS[model])


def _model_keys(model: str) -> list[str]:
    """The CSV columns of a model's cost: its counts, then the total."""
    from approxfit.approximants.costmodels import DEFAULT_WEIGHTS

    extra = {"he": ["degree", "baby_steps"], "mpc": ["rounds_overlapped"]}.get(model, [])
    return [*DEFAULT_WEIGHTS[model], *extra, "total"]


def _frontier(points: list[tuple[str, float, float]]) -> list[str]:
    """Names no other point beats in both cost and error (errors ≥ 1 are no contest)."""
    live = [p for p in points if math.isfinite(p[2]) and p[2] < 1.0]
    keep = []
    for name, cost, err in live:
        dominated = any((c2 <= cost and e2 < err) or (c2 < cost and e2 <= err)
                        for n2, c2, e2 in live if n2 != name)
        if not dominated:
            keep.append(name)
    return keep


def pareto_sweep(target: str = "gelu", *, families: Iterable[str] = DEFAULT_FAMILIES,
                 max_degree: int = 9, objective: str = "minimax", on: str = "value",
                 range_: tuple[float, float] = (-10.0, 10.0), samples: int = 20001,
                 executor: Executor | None = None,
                 progress: Callable[[dict[str, Any]], None] | None = None,
                 cost: str = "kernel", weights: dict[str, Any] | None = None,
                 parameters: dict[str, int] | None = None,
                 tolerance: float | None = None,
                 pieces: tuple[int, ...] = DEFAULT_PIECES) -> ParetoResult:
    """Fit every family × degree, measure whole-line error and cost, find the frontier.

    Parameters
    ----------
    target : str
    families : iterable of str
    max_degree : int
        1 … 40 (the families other than poly stop at 15).
    objective : {"minimax", "l2"}
    on : {"value", "gate"}
        What each fit minimises; the whole-line error is always on the value.
    range_ : (float, float)
        The fit range; a gated fit that turns over beyond it gets a clamp at its
        end when that makes the whole line right.
    samples : int
    executor : concurrent.futures.Executor, optional
        Where the fits run (None: in this process, one after the other).
    progress : callable, optional
        Called with each finished row.
    cost : {"kernel", "he", "mpc"}
        The cost model (:mod:`approxfit.approximants.costmodels`): each row and published
        approximant gets ``cost_<model>``, and the frontier is by its total — against
        the whole-line error for kernel, against the error on the range for he and mpc
        (their inputs are known to lie in it).
    weights, parameters : dict, optional
        The model's weights and constants (default: the model's own).
    tolerance : float, optional
        Find the cheapest row (by the model's total) whose max error on the range is at
        most this (:attr:`ParetoResult.answer`).
    pieces : tuple of int
        The numbers of pieces of the piecewise rows (with ``"piecewise"`` in
        ``families``).

    Returns
    -------
    ParetoResult
    """
    from approxfit.approximants.costmodels import check_weights
    from approxfit.approximants.published import published_for

    max_degree = _max_degree(max_degree)
    lo, hi = _range(range_)
    w, params = check_weights(cost, None)
    w.update(weights or {})
    params.update(parameters or {})
    spec = {"model": cost, "weights": w, "parameters": params}
    tasks = _tasks(target, families, max_degree, objective, on, (lo, hi), samples, spec,
                   tuple(pieces))
    if not tasks:
        raise InputError(f"no family of {', '.join(families)} applies to {target!r}")
    rows: list[dict[str, Any]] = []
    if executor is None:
        for t in tasks:
            rows.append(_sweep_task(t))
            if progress:
                progress(rows[-1])
    else:
        from concurrent.futures import as_completed

        from approxfit.core import interrupts

        with interrupts.critical():      # the pool forks here: no signal mid-fork
            futures = [executor.submit(_sweep_task, t) for t in tasks]
        for fut in as_completed(futures):
            rows.append(fut.result())
            if progress:
                progress(rows[-1])
    rows.sort(key=lambda r: (r["family"], r.get("pieces", 0), r["degree"]))
    published = []
    for p in published_for(target):
        a = p.build()
        err, where = whole_line_error(a, lo, hi)
        published.append({"name": p.name, "family": a.family,
                          "formula": p.formula, "cost": approximant_cost(a).to_dict(),
                          "max_error_whole_line": err, "argmax_whole_line": where,
                          **_model_entry(a, spec, (lo, hi))})
    good = [r for r in rows if "error" not in r]
    key = f"cost_{cost}"
    priced = [r for r in good if r[key]["total"] is not None]
    err_key = "max_error_whole_line" if cost == "kernel" else "max_error_on_range"
    frontier = _frontier([(r["name"], r[key]["total"], r[err_key]) for r in priced])
    answer = None
    if tolerance is not None:
        ok = [r for r in priced if r["max_error_on_range"] <= tolerance]
        if ok:
            # equal costs: the lower degree (poly-21 of GELU is poly-20 plus noise)
            answer = min(ok, key=lambda r: (r[key]["total"], r.get("degree", 0),
                                            r["max_error_on_range"]))
    recommended = None
    paper = next((p for p in published if p["name"] == "paper-tanh"), None)
    if paper is not None:
        budget = paper["cost"]["multiplies"] + 1, paper["cost"]["adds"] + 1
        ok = [r for r in good if r["family"] == "tanh"
              and r["cost"]["multiplies"] <= budget[0] and r["cost"]["adds"] <= budget[1]
              and r["cost"]["transcendentals"] <= paper["cost"]["transcendentals"]
              and r["cost"]["compares"] <= 2]
        if ok:
            recommended = min(ok, key=lambda r: r["max_error_whole_line"])
    return ParetoResult(target, (lo, hi), objective, on, rows, published, frontier,
                        recommended, cost, w, params, tolerance, answer)


def _families(families: str | Iterable[str]) -> tuple[str, ...]:
    """``("tanh", "poly")`` from a tuple or from ``"tanh,poly"`` (the CLI's form)."""
    if isinstance(families, str):
        families = families.split(",")
    elif isinstance(families, bytes) or not isinstance(families, Iterable):
        raise InputError(f"`families` must be a str or a list of str, got "
                         f"{type(families).__name__}")
    out = []
    for f in families:
        if not isinstance(f, str):
            raise InputError(f"`families` must hold str, got {type(f).__name__}")
        if f.strip():
            out.append(f.strip())
    if not out:
        raise InputError("`families` must name at least one family")
    return tuple(out)


def _max_degree(max_degree: Any) -> int:
    from approxfit.core.checks import check_int

    max_degree = check_int(max_degree, "max_degree")
    if not 1 <= max_degree <= MAX_DEGREE:
        raise InputError(f"`max_degree` must be between 1 and {MAX_DEGREE}, got {max_degree}")
    return max_degree


def _range(range_: Any) -> tuple[float, float]:
    """``(lo, hi)`` from a pair of real numbers (no strings, no bools)."""
    from approxfit.core.checks import check_float
    from approxfit.core.grids import check_range

    if isinstance(range_, str | bytes) or not isinstance(range_, Iterable):
        raise InputError(f"`range` must be two numbers (lo, hi), got {type(range_).__name__}")
    pair = list(range_)
    if len(pair) != 2:
        raise InputError(f"`range` must be two numbers (lo, hi), got {len(pair)}")
    lo = check_float(pair[0], "range")
    hi = check_float(pair[1], "range")
    return check_range(lo, hi)


def _pieces(pieces: Any, families: tuple[str, ...]) -> tuple[int, ...]:
    """The checked numbers of pieces: an int, a list of them or ``"2,3"`` (the CLI's form);
    None: :data:`DEFAULT_PIECES`.  Given without the piecewise family, an error."""
    from approxfit.core.checks import check_int
    from approxfit.fitting.piecewise_fit import MAX_PIECES

    if pieces is None:
        return DEFAULT_PIECES
    if PIECEWISE not in families:
        raise InputError("`pieces` applies to the piecewise family only; add piecewise to "
                         "`families`")
    text = f"{pieces!r}"
    if isinstance(pieces, str):
        parts: list[Any] = []
        for part in pieces.split(","):
            try:
                parts.append(int(part.strip()))
            except ValueError:
                raise InputError(f"`pieces` must be whole numbers separated by commas, got "
                                 f"{_cut(pieces)!r}") from None
    elif isinstance(pieces, int | np.integer) and not isinstance(pieces, bool):
        parts = [pieces]
    elif isinstance(pieces, Iterable) and not isinstance(pieces, bytes | dict):
        parts = list(pieces)
    else:
        raise InputError(f"`pieces` must be an int, a list of int or a comma list, got "
                         f"{type(pieces).__name__}")
    if not parts:
        raise InputError(f"`pieces` must name at least one number of pieces, got {text}")
    out = []
    for k in parts:
        k = check_int(k, "pieces")
        if not 1 <= k <= MAX_PIECES:
            raise InputError(f"`pieces` must be between 1 and {MAX_PIECES}, got {k}")
        out.append(k)
    return tuple(sorted(set(out)))


def _cut(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _checked(target: Any, families: str | Iterable[str], objective: str, on: str,
             samples: int, max_degree: int = 9, range_: Any = (-10.0, 10.0)
             ) -> tuple[str, tuple[str, ...], int, tuple[float, float], int]:
    """The target's name, the families, the degree, the range and the samples, once the
    arguments are checked (types first: no string is taken for a number)."""
    from approxfit.core import names
    from approxfit.core.checks import check_choice, check_int
    from approxfit.core.targets import Target, get_target, resolve_target

    if not isinstance(target, str | Target):
        raise InputError(f"`target` must be a target's name (str) or a Target, got "
                         f"{type(target).__name__}")
    samples = check_int(samples, "samples")
    if not 10 <= samples <= 10_000_000:
        raise InputError(f"`samples` must be between 10 and 10000000, got {samples}")
    max_degree = _max_degree(max_degree)
    fams = _families(families)
    for f in fams:
        check_choice(f, (*names.FAMILY_NAMES, PIECEWISE), "families")
    check_choice(objective, names.OBJECTIVES, "objective")
    check_choice(on, names.ONS, "on")
    if PIECEWISE in fams and (objective, on) != ("minimax", "value"):
        raise InputError(f"the piecewise family is a minimax fit of the value: `objective` "
                         f"must be minimax and `on` value, got {objective} and {on}")
    lo_hi = _range(range_)
    name = resolve_target(target).name
    get_target(name)                     # the workers look the target up by name
    return name, fams, max_degree, lo_hi, samples


def task_count(target: str = "gelu", *,
               families: str | Iterable[str] = DEFAULT_FAMILIES,
               max_degree: int = 9, objective: str = "minimax", on: str = "value",
               range: tuple[float, float] = (-10.0, 10.0), samples: int = 20001,
               pieces: int | str | Iterable[int] | None = None) -> int:
    """How many fits :func:`pareto` runs with these arguments (for a progress bar)."""
    name, fams, degree, lo_hi, samples = _checked(target, families, objective, on, samples,
                                                  max_degree, range)
    return len(_tasks(name, fams, degree, objective, on, lo_hi, samples,
                      pieces=_pieces(pieces, fams)))


def pareto(target: Any = "gelu", *,
           families: str | Iterable[str] = DEFAULT_FAMILIES, max_degree: int = 9,
           objective: str = "minimax", on: str = "value",
           range: tuple[float, float] = (-10.0, 10.0), samples: int = 20001,
           executor: str | Executor | None = "local",
           progress: Callable[[dict[str, Any]], None] | None = None,
           cost: str = "kernel", cost_weights: Any = None,
           tolerance: float | None = None,
           pieces: int | str | Iterable[int] | None = None) -> ParetoResult:
    """Sweep families × degrees: whole-line error against cost, with the published forms.

    The library form of ``approxfit pareto``: the same arguments give the same
    :class:`ParetoResult` (``result.to_dict()`` is what ``--json`` prints, and
    :func:`write_pareto` writes what ``--out`` writes).

    Parameters
    ----------
    target : str or Target
        A built-in target (or ``gelu:mu=M,sigma=S``): the fits run by name, in other
        processes too.
    families : str or iterable of str
        The families to sweep (a comma-separated string is accepted too):
        :data:`PARETO_FAMILIES`; ``"piecewise"`` (not a default) adds a
        ``piecewise-K-d`` row per number of pieces K and degree d (module docstring).
    max_degree : int
        Highest degree to try, 1 … 40 (the families other than poly stop at 15, the
        piecewise rows at :data:`MAX_PIECEWISE_DEGREE`).
    objective : {"minimax", "l2"}
    on : {"value", "gate"}
        What each fit minimises; the whole-line error is always on the value.
    range : (float, float)
        The fit range.
    samples : int
        Samples per fit, 10 … 10 000 000.
    executor : str or concurrent.futures.Executor or None
        Where the fits run: ``"local"`` (a process pool over all cores),
        ``"serial"`` or None (in this process), ``"dask://HOST:PORT"`` (an existing
        Dask cluster), or an executor of your own (left open).
    progress : callable, optional
        Called with each finished row; :func:`task_count` gives how many there
        will be.
    cost : {"kernel", "he", "mpc"}
        The cost model of the frontier (:func:`pareto_sweep`; docs/cost-models.md).
    cost_weights : mapping or path, optional
        Weights (and constants) overriding the model's: a mapping, or a ``.json`` /
        ``.toml`` file of name = number.
    tolerance : float, optional
        Also find the cheapest row with max error on the range at most this.
    pieces : int or str or iterable of int, optional
        The numbers of pieces K of the piecewise rows, 1 … 32 (``"2,3"`` accepted);
        default 2.  Only with ``"piecewise"`` in ``families``.

    Returns
    -------
    ParetoResult

    Raises
    ------
    InputError
        For a bad argument (the message names it).
    ComputationError
        When every fit of the sweep fails.
    """
    name, fams, max_degree, range, samples = _checked(target, families, objective, on,
                                                      samples, max_degree, range)
    ks = _pieces(pieces, fams)
    if progress is not None and not callable(progress):
        raise InputError(f"`progress` must be callable or None, got {type(progress).__name__}")
    weights, params = _cost_args(cost, cost_weights, tolerance)
    if isinstance(executor, str) or executor is None:
        ex, close = make_executor(executor, timeout=DASK_TIMEOUT)
    elif isinstance(executor, Executor):
        ex, close = executor, None
    else:
        raise InputError(f"`executor` must be local, serial, dask://HOST:PORT or a "
                         f"concurrent.futures.Executor, got {type(executor).__name__}")
    try:
        res = pareto_sweep(name, families=fams, max_degree=max_degree, objective=objective,
                           on=on, range_=range, samples=samples, executor=ex,
                           progress=progress, cost=cost, weights=weights,
                           parameters=params, tolerance=tolerance, pieces=ks)
        if close is not None:
            close()
    except BaseException:
        if close is not None:
            close(cancel=True)           # an interrupt: drop the queued fits, kill workers
        raise
    if all("error" in r for r in res.rows):
        from approxfit.core.exceptions import ComputationError

        raise ComputationError(f"every fit of the sweep failed; the first: "
                               f"{res.rows[0]['error']}")
    return res


def _cost_args(cost: Any, cost_weights: Any, tolerance: Any
               ) -> tuple[dict[str, Any], dict[str, int]]:
    """The checked weights and parameters of ``cost`` (and a checked ``tolerance``)."""
    from approxfit.approximants.costmodels import check_weights, read_weights
    from approxfit.core.checks import check_float

    if not isinstance(cost, str):
        raise InputError(f"`cost` must be kernel, he or mpc, got {type(cost).__name__}")
    if tolerance is not None:
        tol = check_float(tolerance, "tolerance")
        if not tol > 0:
            raise InputError(f"`tolerance` must be > 0, got {tolerance!r}")
    if cost_weights is None or isinstance(cost_weights, dict):
        return check_weights(cost, cost_weights)
    if isinstance(cost_weights, str | os.PathLike):
        return read_weights(cost_weights, cost)
    raise InputError(f"`cost_weights` must be a dict or a path to a .json/.toml file, got "
                     f"{type(cost_weights).__name__}")


def pareto_files(result: ParetoResult) -> dict[str, bytes]:
    """The bytes of ``pareto-TARGET.json``, ``.csv`` and ``.png`` (the figure only for the
    kernel model: it plots the whole-line error against the kernel cost), by file name."""
    from approxfit.core.io import dumps
    from approxfit.present import plotting

    stem = f"pareto-{result.target.replace(':', '_').replace(',', '_').replace('=', '')}"
    files = {f"{stem}.json": dumps(result.to_dict()).encode(),
             f"{stem}.csv": result.to_csv().encode()}
    if result.cost == "kernel":
        files[f"{stem}.png"] = plotting.figure_bytes(plotting.plot_pareto(result).figure,
                                                     "pareto.png")
    return files


def write_pareto(result: ParetoResult, folder: Any) -> list[Any]:
    """Write ``pareto-TARGET.json``, ``.csv`` and ``.png`` into ``folder``.

    All three or none (:func:`approxfit.core.io.write_files`); the folder must
    exist.  Returns the paths written.

    Raises
    ------
    InputError
        When ``result`` is not a :class:`ParetoResult` or ``folder`` not a folder.
    ComputationError
        When a file cannot be written; the folder is unchanged then.
    """
    from pathlib import Path

    from approxfit.core.io import write_files

    if not isinstance(result, ParetoResult):
        raise InputError(f"`result` must be a ParetoResult, got {type(result).__name__}")
    if not isinstance(folder, str | os.PathLike):
        raise InputError(f"`folder` must be a path, got {type(folder).__name__}")
    return write_files(Path(folder), pareto_files(result))
