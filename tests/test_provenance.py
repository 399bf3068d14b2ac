"""The provenance search, checked against direct fits and the published constants.

Published figures: Hendrycks & Gimpel (2016) print a3 = 0.044715 (tanh form, c1 = √(2/π))
and k = 1.702 (x·σ(kx)); Bowling et al. (2009) print σ(1.5976x + 0.07056x³).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from approxfit.approximants.published import get_published
from approxfit.approximants.spec import parse_spec
from approxfit.core.exceptions import InputError
from approxfit.core.grids import make_grid
from approxfit.fitting.fit import fit
from approxfit.studies.provenance import (
    PRINTED,
    agrees_printed,
    digits_matched,
    printed_digits,
    provenance,
)

SQRT_2_PI = math.sqrt(2 / math.pi)
GATE_FIXED_MINIMAX = {"objectives": ("minimax",), "ons": ("gate",), "slopes": ("fixed",),
                      "samplings": ("uniform",)}


def test_a_procedure_is_the_direct_fit():
    # the search must report exactly what approxfit.fitting.fit.fit gives for that procedure
    r = provenance("paper-tanh", ranges=(3,), **GATE_FIXED_MINIMAX)
    (proc,) = r.procedures
    direct = fit("gelu", "tanh", make_grid(-3, 3, samples=4001), degree=3, parity="odd",
                 fix={"c1": SQRT_2_PI}, objective="minimax", on="gate")
    np.testing.assert_allclose(proc.scaled["a3"], direct.scaled["a3"], rtol=1e-12)
    assert proc.fixed == {"c1": SQRT_2_PI}
    assert proc.matches[0].fitted == proc.scaled["a3"]


def test_paper_tanh_is_minimax_on_the_gate_with_the_slope_fixed():
    # the finding of the paper-tanh-provenance claim: a3 = 0.0447149 for R ≥ 3
    r = provenance("paper-tanh", ranges=(2, 3, 10), samplings=("uniform",))
    assert r.printed == {"a3": "0.044715"}
    assert r.exact == {"c1": "0.79788"}     # compared in free-slope fits, to 5 digits
    assert {(p.objective, p.on, p.slope, p.half_width) for p in r.reproducing} == {
        ("minimax", "gate", "fixed", 3.0), ("minimax", "gate", "fixed", 10.0)}
    for p in r.reproducing:
        assert round(p.scaled["a3"], 7) == 0.0447149
    assert r.nearest_miss is None
    l2 = [p for p in r.procedures if p.objective == "l2"]
    assert not any(p.reproduces for p in l2)


def test_paper_sigmoid_is_minimax_on_the_gate():
    r = provenance("paper-sigmoid", ranges=(3,), samplings=("uniform",))
    assert r.skipped and "fixed slope" in r.skipped[0]          # one coefficient only
    assert {(p.objective, p.on) for p in r.reproducing} == {("minimax", "gate")}
    (p,) = r.reproducing
    # 1.701745 at every R >= 2 (README: "k = 1.70175 -> 1.702")
    np.testing.assert_allclose(p.coefficients["c1"], 1.701745, atol=1e-6)
    assert p.matches[0].digits_matched == 4


def test_bowling_is_minimax_on_the_gate_with_both_free():
    r = provenance("bowling-2009", ranges=(5,), objectives=("l2", "minimax"), ons=("gate",),
                   slopes=("free",), samplings=("uniform",))
    l2, mm = r.procedures
    assert mm.reproduces and not l2.reproduces
    assert round(mm.coefficients["c1"], 4) == 1.5976
    assert round(mm.coefficients["c3"], 5) == 0.07056
    assert {m.name for m in mm.matches} == {"c1", "c3"}


def test_a_miss_reports_the_nearest_procedure():
    # seed-alt-sigmoid's 1.656577 comes from samples never published: no procedure
    # reproduces it, and the nearest miss is the smallest largest deviation
    r = provenance("seed-alt-sigmoid", ranges=(1, 3), samplings=("uniform",))
    assert not r.reproduced and r.reproducing == ()
    best = min(p.max_relative_deviation for p in r.procedures)
    assert r.nearest_miss is not None
    assert r.nearest_miss.max_relative_deviation == best
    assert "no procedure reproduces c1 = 1.656577" in r.summary()


def test_inline_spec_prints_what_was_typed():
    spec = "tanh:c1=sqrt(2/pi),a3=0.044715"
    assert printed_digits(parse_spec(spec), spec) == {"a3": "0.044715"}
    r = provenance(spec, ranges=(5,), **GATE_FIXED_MINIMAX)
    assert r.reproduced and r.printed == {"a3": "0.044715"}
    # an approximant object built from a published name finds its printed digits
    assert printed_digits(get_published("bowling-2009")) == PRINTED["bowling-2009"]


def test_every_procedure_is_listed_and_reported():
    calls = []
    r = provenance("paper-tanh", ranges=(1, 4), objectives=("l2",), samples=501,
                   progress=lambda done, total, label: calls.append((done, total, label)))
    assert len(r.procedures) == 1 * 2 * 2 * 2 * 2
    assert [c[0] for c in calls] == list(range(1, 17)) and {c[1] for c in calls} == {16}
    assert calls[0][2] == "l2 on the gate, c1 fixed, uniform, R = 1"
    text = json.dumps(r.to_dict(), sort_keys=True)
    again = provenance("paper-tanh", ranges=(1, 4), objectives=("l2",), samples=501)
    assert json.dumps(again.to_dict(), sort_keys=True) == text          # reproducible
    assert json.loads(text)["kind"] == "provenance"


def test_digit_comparison():
    assert agrees_printed(0.0447149111, "0.044715")
    assert not agrees_printed(0.0448465, "0.044715")
    assert not agrees_printed(math.nan, "0.044715")
    assert digits_matched(0.0448465, "0.044715") == 2      # 0.045, not 0.0448
    assert digits_matched(1.70175, "1.702") == 4
    assert digits_matched(2.6, "1.702") == 0


@pytest.mark.parametrize("name", ["ibert", "as-7.1.26"])
def test_closed_forms_are_refused(name):
    with pytest.raises(InputError, match="provenance needs an approximant of the tanh, sigmoid"):
        provenance(name)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"ranges": (0,)}, "each `ranges` half-width R must be a positive finite"),
    ({"ranges": ()}, "`ranges` must be a non-empty"),
    ({"objectives": ("l3",)}, "`objectives`: unknown objective 'l3'"),
    ({"ons": ("both",)}, "`ons`: unknown on 'both'"),
    ({"slopes": ("loose",)}, "`slopes`: unknown slope"),
    ({"samplings": ("random",)}, "`samplings`: unknown sampling"),
    ({"samples": 3}, "`samples` must be at least"),
    ({"printed": {"c2": "0.1"}}, "`printed` constant 'c2' is not a coefficient"),
    ({"printed": {"a3": "abc"}}, "not a decimal number"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        provenance("paper-tanh", **kwargs)


def test_bad_specs():
    with pytest.raises(InputError, match="not a published name"):
        provenance("paper-tanx")
    with pytest.raises(InputError, match="gives no coefficients"):
        provenance("tanh:")


def test_fixing_a_printed_slope_is_not_counted_as_evidence():
    from approxfit.studies.provenance import provenance as run

    res = run("bowling-2009", ranges=(3,), samplings=("uniform",))
    assert all(p.slope == "free" for p in res.procedures)
    assert any("circular" in s or "assume" in s for s in res.skipped)
