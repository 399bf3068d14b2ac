"""Commands that list what is built in: targets, families, published approximants."""

from __future__ import annotations

import typer

from approxfit.cli.common import (
    JsonOpt,
    emit_json,
    guard,
)


@guard
def targets(json_: JsonOpt = False) -> None:
    """List the built-in targets with their gates.

    Example: approxfit targets --json
    """
    from approxfit.core.targets import TARGETS

    rows = [{"name": t.name, "formula": t.formula, "description": t.description,
             "gate": t.relation.formula if t.relation else None,
             "value_parity": t.value_parity, "gate_symmetric": t.gate_symmetric}
            for t in TARGETS.values()]
    if json_:
        emit_json({"targets": rows})
        return
    for r in rows:
        gate = r["gate"] or "no gate"
        typer.echo(f"{r['name']:<9} {r['formula']:<32} {gate:<12} {r['description']}")


@guard
def families(json_: JsonOpt = False) -> None:
    """List the approximant families.

    Example: approxfit families
    """
    from approxfit.approximants.families import FAMILIES

    rows = [{"name": f.name, "formula": f.formula, "gated": f.gated, "scaled": f.scaled}
            for f in FAMILIES.values()]
    rows.append({"name": "rational", "formula": "value ≈ P(x)/Q(x), Q(0) = 1 (--den-degree)",
                 "gated": False, "scaled": False})
    if json_:
        emit_json({"families": rows})
        return
    for r in rows:
        typer.echo(f"{r['name']:<8} {r['formula']}")


@guard
def published(json_: JsonOpt = False) -> None:
    """List the published approximants that report and other commands know by name.

    Example: approxfit published
    """
    from approxfit.approximants.published import PUBLISHED

    rows = [{"name": p.name, "target": p.target, "formula": p.formula, "source": p.source}
            for p in PUBLISHED.values()]
    if json_:
        emit_json({"published": rows})
        return
    for r in rows:
        typer.echo(f"{r['name']:<17} {r['target']:<5} {r['formula']}\n{'':<23} {r['source']}")


