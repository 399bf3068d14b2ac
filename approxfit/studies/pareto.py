"""Cost-aware search: which approximant is best for a given number of operations?

:func:`pareto_sweep` fits every family × degree of a target (minimax on the value
by default, over ``[lo, hi]``), measures each fit's maximum error **on the whole
real line** — on the fit range, refined between samples, and beyond it out to
±1e4 — and its cost in the Horner form, then marks the Pareto frontier and the
published approximants.

Cost model (:class:`Cost`), counted for the value f(x) in the obvious kernel:

* inner polynomial by Horner's rule — in ``t = x²`` for an odd or even p (one
  multiply for ``x²``, one multiply-add per further coefficient, one multiply by
  ``x`` for odd p), in ``x`` otherwise (one multiply-add per coefficient);
* tanh family ``½(1 + tanh p)``: one transcendental and one multiply-add;
* sigmoid family ``1/(1 + exp(−p))``: one transcendental, one add, one divide;
* ``f = x·g``: one multiply; ``f = 2g − 1``: one multiply-add;
* rational ``P/Q``: P and ``Q − 1`` by Horner, one add and one divide;
* a tail guard at ±C: two compares.

A multiply-add counts as one multiply and one add, a divide as one multiply.
The single number on the plots weighs multiplies, adds and compares 1 and a
transcendental call 10 (roughly the throughput ratio of a vectorised
``tanh``/``exp`` to an FMA on current CPUs); the counts themselves are always
reported too.

Fits run in parallel: in a :class:`concurrent.futures.ProcessPoolExecutor` over
the machine's cores by default, or on any ``concurrent.futures`` executor given —
a Dask cluster's ``Client.get_executor()`` among them (:func:`make_executor`
understands ``dask://HOST:PORT``).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from approxfit.core.exceptions import InputError

__all__ = ["TRANSCENDENTAL_WEIGHT", "Cost", "ParetoResult", "approximant_cost",
           "make_executor", "pareto_sweep", "whole_line_error"]

TRANSCENDENTAL_WEIGHT = 10
WHOLE_LINE = 1e4


@dataclass(frozen=True)
class Cost:
    """Operation counts of one evaluation of the value."""

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


FMA = Cost(1, 1, 0, 0)
MUL = Cost(1, 0, 0, 0)
ADD = Cost(0, 1, 0, 0)
ZERO = Cost(0, 0, 0, 0)

# Hand-counted costs of the published forms that are not "outer(p)" (see their
# formulas in approxfit.approximants.published).
CLOSED_FORM_COSTS = {
    # x/√2, |u|, min(|u|, −b), + b, square, a·s + 1 (fma), sign·L, ½(1 + L) (fma), x·g
    "ibert": Cost(multiplies=6, adds=3, transcendentals=0, compares=3),
    # |x|/√2, t = 1/(1 + p·z) (fma + divide), Horner of 5 in t (4 fma + 1 mul),
    # exp(−z²) (mul + exp), 1 − P·e (fma), sign, ½(1 + erf) (fma), x·g
    "as-7.1.26": Cost(multiplies=12, adds=7, transcendentals=1, compares=2),
}


def horner_cost(powers: tuple[int, ...]) -> Cost:
    """Cost of p(x) over ``powers`` by Horner's rule (in x² when p has a parity)."""
    k = len(powers)
    odd = all(p % 2 == 1 for p in powers)
    even = all(p % 2 == 0 for p in powers)
    if odd or even:
        if k == 1:
            return MUL if powers[0] == 1 else (ZERO if powers[0] == 0 else MUL + MUL)
        inner = MUL + Cost(k - 1, k - 1, 0, 0)          # x², then k − 1 fma in x²
        return inner + MUL if odd else inner            # odd p: one more multiply by x
    return Cost(max(powers), max(powers), 0, 0)         # Horner in x from c_D down to c0


def approximant_cost(approx: Any) -> Cost:
    """The cost of evaluating an approximant's value (see the module docstring)."""
    name = getattr(approx, "name", "")
    if name in CLOSED_FORM_COSTS and not hasattr(approx, "powers"):
        return CLOSED_FORM_COSTS[name]
    if not hasattr(approx, "powers"):
        raise InputError(f"no cost model for {name!r}")
    if approx.family == "rational":
        # P by Horner, Q − 1 by Horner, + 1, one divide
        return horner_cost(approx.num_powers) + horner_cost(approx.den_powers) + ADD + MUL
    cost = horner_cost(tuple(approx.powers))
    if approx.family == "tanh":
        cost = cost + Cost(1, 1, 1, 0)
    elif approx.family == "sigmoid":
        cost = cost + Cost(1, 1, 1, 0)
    if approx.base == "gate":
        rel = approx.target_obj.relation
        cost = cost + (MUL if rel.name == "product" else FMA if rel.name == "odd" else ZERO)
    if approx.clamp is not None:
        cost = cost + Cost(0, 0, 0, 2)
    return cost


def whole_line_error(approx: Any, lo: float, hi: float, *, on: str = "value",
                     samples: int = 20001) -> tuple[float, float]:
    """Max abs error on the whole real line, measured on ``[−1e4, 1e4]``, and where.

    Inside ``[lo, hi]`` the maximum is refined between ``samples`` uniform points;
    outside, it is taken on geometrically spaced points out to ±1e4.
    """
    from approxfit.measure.metrics import error_metrics, outside_metrics

    tgt = approx.target_obj
    x = np.linspace(lo, hi, samples)

    def err(t: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return approx.evaluate(t, on=on) - tgt.evaluate(t, on=on)

    with np.errstate(all="ignore"):
        inside = error_metrics(x, approx.evaluate(x, on=on), tgt.evaluate(x, on=on), err,
                               lo=lo, hi=hi)
    out = outside_metrics(approx, lo, hi, on=on, limit=WHOLE_LINE)
    if out["max_abs_error"] > inside["max_abs_error_range"]:
        return float(out["max_abs_error"]), float(out["argmax_abs_error"])
    return float(inside["max_abs_error_range"]), float(inside["argmax_abs_error_range"])


def _sweep_task(task: dict[str, Any]) -> dict[str, Any]:
    """Fit one family × degree and measure it (module level so processes can run it)."""
    from approxfit.approximants.approximant import Approximant
    from approxfit.core.exceptions import ApproxfitError
    from approxfit.core.grids import make_grid
    from approxfit.core.targets import get_target
    from approxfit.fitting.fit import fit

    tgt = get_target(task["target"])
    lo, hi = task["range"]
    row = {k: task[k] for k in ("family", "degree", "objective", "on")}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit(tgt, task["family"], make_grid(lo, hi, samples=task["samples"]),
                      degree=task["degree"], objective=task["objective"], on=task["on"],
                      den_degree=task.get("den_degree"))
    except ApproxfitError as exc:
        return {**row, "error": str(exc)}
    a = res.approximant
    plain_err, plain_at = whole_line_error(a, lo, hi)
    choice = (a, plain_err, plain_at)
    gated = a.family in ("tanh", "sigmoid")
    if gated and plain_err > 1.01 * res.metrics["value"]["max_abs_error_range"]:
        clamped = Approximant(a.family, a.powers, a.coef, a.target, a.base,
                              clamp=max(abs(lo), abs(hi)), name=a.name)
        c_err, c_at = whole_line_error(clamped, lo, hi)
        if c_err < plain_err:
            choice = (clamped, c_err, c_at)
    approx, whole, where = choice
    return {**row, "parity": res.parity, "name": f"{a.family}-{task['degree']}",
            "coefficients": approx.coefficients, "clamp": approx.clamp,
            "converged": res.converged,
            "max_error_on_range": res.metrics["value"]["max_abs_error_range"],
            "max_error_whole_line": whole, "argmax_whole_line": where,
            "cost": approximant_cost(approx).to_dict(), "approximant": approx.to_dict()}


def make_executor(spec: str | None, jobs: int | None = None) -> tuple[Executor | None, Any]:
    """An executor for ``spec``: None (serial), ``"local"`` or ``"dask://HOST:PORT"``.

    Returns ``(executor, closer)``; call ``closer()`` when done, or
    ``closer(cancel=True)`` to drop the queued fits on an interrupt (it may be None).
    """
    if spec is None or spec == "serial":
        return None, None
    if spec == "local":
        ex = ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1)

        def close(cancel: bool = False) -> None:
            ex.shutdown(wait=not cancel, cancel_futures=cancel)

        return ex, close
    if spec.startswith("dask://"):
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--executor dask://… needs dask's distributed package: "
                             "pip install 'approxfit[dask]'") from None
        address = spec[len("dask://"):]
        if "://" not in address:
            address = "tcp://" + address
        try:
            client = Client(address, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--executor {spec}: cannot reach the Dask scheduler ({exc})"
                             ) from None
        def close_client(cancel: bool = False) -> None:
            client.close()

        return client.get_executor(), close_client
    raise InputError(f"--executor must be local, serial or dask://HOST:PORT, got {spec!r}")


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (with the cost model stated)."""
        return {"kind": "pareto", "target": self.target, "range": list(self.range),
                "objective": self.objective, "on": self.on,
                "cost_model": (__doc__ or "").split("Cost model")[1].split("Fits run")[0]
                .strip(),
                "rows": self.rows, "published": self.published, "frontier": self.frontier,
                "recommended": self.recommended}

    def to_csv(self) -> str:
        """One line per row and per published approximant."""
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["name", "kind", "family", "degree", "clamp", "multiplies", "adds",
                    "transcendentals", "compares", "cost", "max_error_whole_line",
                    "max_error_on_range", "on_frontier"])
        for r in self.rows:
            if "error" in r:
                continue
            c = r["cost"]
            w.writerow([r["name"], "fit", r["family"], r["degree"], r["clamp"] or "",
                        c["multiplies"], c["adds"], c["transcendentals"], c["compares"],
                        c["total"], repr(r["max_error_whole_line"]),
                        repr(r["max_error_on_range"]), r["name"] in self.frontier])
        for p in self.published:
            c = p["cost"]
            w.writerow([p["name"], "published", p.get("family", ""), "", "", c["multiplies"],
                        c["adds"], c["transcendentals"], c["compares"], c["total"],
                        repr(p["max_error_whole_line"]), "", ""])
        return buf.getvalue()


def _tasks(target: str, families: Iterable[str], max_degree: int, objective: str, on: str,
           range_: tuple[float, float], samples: int) -> list[dict[str, Any]]:
    from approxfit.approximants.families import get_family, powers_for
    from approxfit.core.targets import get_target

    tgt = get_target(target)
    tasks = []
    for name in families:
        if name == "rational":
            # P of each degree over an even Q = 1 + d2·x²
            for degree in range(2, max_degree + 1):
                tasks.append({"target": target, "family": name, "degree": degree,
                              "den_degree": 2, "objective": objective, "on": on,
                              "range": list(range_), "samples": samples})
            continue
        fam = get_family(name)
        if fam.gated and not tgt.has_gate:
            continue
        parity = fam.default_parity(tgt, on)
        for degree in range(0, max_degree + 1):
            try:
                powers_for(degree, parity)
            except InputError:
                continue
            if degree == 0:
                continue
            tasks.append({"target": target, "family": name, "degree": degree,
                          "objective": objective, "on": on, "range": list(range_),
                          "samples": samples})
    return tasks


def _frontier(points: list[tuple[str, int, float]]) -> list[str]:
    """Names no other point beats in both cost and error (errors ≥ 1 are no contest)."""
    live = [p for p in points if math.isfinite(p[2]) and p[2] < 1.0]
    keep = []
    for name, cost, err in live:
        dominated = any((c2 <= cost and e2 < err) or (c2 < cost and e2 <= err)
                        for n2, c2, e2 in live if n2 != name)
        if not dominated:
            keep.append(name)
    return keep


def pareto_sweep(target: str = "gelu", *, families: Iterable[str] = ("tanh", "sigmoid", "poly"),
                 max_degree: int = 9, objective: str = "minimax", on: str = "value",
                 range_: tuple[float, float] = (-10.0, 10.0), samples: int = 20001,
                 executor: Executor | None = None,
                 progress: Callable[[dict[str, Any]], None] | None = None) -> ParetoResult:
    """Fit every family × degree, measure whole-line error and cost, find the frontier.

    Parameters
    ----------
    target : str
    families : iterable of str
    max_degree : int
        1 … 15.
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

    Returns
    -------
    ParetoResult
    """
    from approxfit.approximants.published import published_for
    from approxfit.core.grids import check_range

    if not 1 <= int(max_degree) <= 15:
        raise InputError(f"--max-degree must be between 1 and 15, got {max_degree}")
    lo, hi = check_range(*range_)
    tasks = _tasks(target, families, int(max_degree), objective, on, (lo, hi), samples)
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

        futures = [executor.submit(_sweep_task, t) for t in tasks]
        for fut in as_completed(futures):
            rows.append(fut.result())
            if progress:
                progress(rows[-1])
    rows.sort(key=lambda r: (r["family"], r["degree"]))
    published = []
    for p in published_for(target):
        a = p.build()
        err, where = whole_line_error(a, lo, hi)
        published.append({"name": p.name, "family": getattr(a, "family", "closed form"),
                          "formula": p.formula, "cost": approximant_cost(a).to_dict(),
                          "max_error_whole_line": err, "argmax_whole_line": where})
    good = [r for r in rows if "error" not in r]
    frontier = _frontier([(r["name"], r["cost"]["total"], r["max_error_whole_line"])
                          for r in good])
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
                        recommended)
