"""Published approximants and approximant specs.

Every published form is checked against the formula as its source prints it,
written here independently with numpy/scipy; the closed forms (I-BERT, A&S
7.1.26) against their stated accuracy and their derivatives against finite
differences.  Bad inline specs must fail with one line that names the problem.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.special import erf, expit, ndtr

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.families import MAX_DEGREE
from approxfit.approximants.published import (
    PUBLISHED,
    ClosedFormApproximant,
    get_published,
    published_for,
)
from approxfit.approximants.spec import MAX_TERMS, parse_spec
from approxfit.core.exceptions import InputError
from approxfit.core.io import dumps
from approxfit.measure.metrics import approximant_metrics

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
#: The GELU forms printed in papers (the shipped kernel constants: test_shipped_constants).
PAPER = [name for name, e in PUBLISHED.items() if not e.shipped]
SEED_X = np.arange(-10, 10, 0.01)          # the Stack Exchange seed's grid


def tanh_form(a3, c1=SQRT_2_OVER_PI):
    # ½x(1 + tanh(c1(x + a3 x³))) written as x·σ(2p) (equal; no cancellation for x < 0)
    return lambda x: x * expit(2.0 * c1 * (x + a3 * x**3))


def ibert_reference(x):
    # I-BERT (Kim et al. 2021), eqs. 8-9: L(x) = sgn(x)[a(clip(|x|, max=-b) + b)^2 + 1]
    a, b = -0.2888, -1.769
    u = x / math.sqrt(2.0)
    big_l = np.sign(u) * (a * (np.clip(np.abs(u), None, -b) + b) ** 2 + 1.0)
    return x * 0.5 * (1.0 + big_l)


def as_reference(x):
    # Abramowitz & Stegun 7.1.26, straight from the book, for z >= 0; odd extension.
    p, a = 0.3275911, [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429]
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + p * z)
    e = 1.0 - sum(ak * t ** (k + 1) for k, ak in enumerate(a)) * np.exp(-z * z)
    return 0.5 * x * (1.0 + np.sign(x) * e)


REFERENCES = {
    "paper-tanh": tanh_form(0.044715),
    "paper-sigmoid": lambda x: x * expit(1.702 * x),
    "taylor-tanh": tanh_form((4 - math.pi) / (6 * math.pi)),
    "seed-alt-tanh": tanh_form(0.04498017),
    "seed-alt-sigmoid": lambda x: x * expit(1.656577 * x),
    "seed-free-tanh": lambda x: x * expit(2.0 * (0.797885 * x + 0.035677 * x**3)),
    "bowling-2009": lambda x: x * expit(1.5976 * x + 0.07056 * x**3),
    "ibert": ibert_reference,
    "as-7.1.26": as_reference,
}


def test_every_published_form_has_a_reference():
    assert sorted(REFERENCES) == sorted(PAPER)


@pytest.mark.parametrize("name", sorted(PAPER))
def test_published_value_matches_printed_formula(name):
    a = get_published(name)
    assert a.name == name
    assert a.target_name == "gelu"
    assert a.meta["source"] == PUBLISHED[name].source
    x = np.concatenate([SEED_X, [0.0, -1e-3, 1e-3]])
    # Same formula, other rounding order: a few ulps of the larger terms.
    np.testing.assert_allclose(a.evaluate(x), REFERENCES[name](x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(PAPER))
def test_published_gate_is_value_over_x(name):
    a = get_published(name)
    x = SEED_X[np.abs(SEED_X) > 0.005]
    np.testing.assert_allclose(a.evaluate(x, on="gate") * x, a.evaluate(x), rtol=1e-13,
                               atol=1e-300)


@pytest.mark.parametrize("name", sorted(PAPER))
def test_published_derivative_matches_finite_difference(name):
    a = get_published(name)
    # Away from I-BERT's jump at 0 and its kinks at |x| = 1.769·√2 ≈ 2.502.
    x = np.array([-6.0, -3.1, -2.2, -1.3, -0.4, 0.3, 0.9, 1.7, 2.3, 2.9, 4.4, 7.0])
    h = 1e-3
    fd = (-a.evaluate(x + 2 * h) + 8 * a.evaluate(x + h) - 8 * a.evaluate(x - h)
          + a.evaluate(x - 2 * h)) / (12 * h)
    # Fourth-order central difference: truncation O(h⁴·f⁽⁵⁾) ≈ 1e-11, rounding ≈ 1e-13.
    np.testing.assert_allclose(a.derivative(x), fd, rtol=0, atol=1e-9)


def test_coefficients_of_the_family_forms():
    a = get_published("paper-tanh")
    assert isinstance(a, Approximant) and a.family == "tanh" and a.powers == (1, 3)
    assert a.coefficients["c1"] == SQRT_2_OVER_PI
    assert a.scaled["a3"] == pytest.approx(0.044715, rel=1e-15)
    assert get_published("paper-sigmoid").coefficients == {"c1": 1.702}
    b = get_published("bowling-2009")
    assert b.family == "sigmoid" and b.coefficients == {"c1": 1.5976, "c3": 0.07056}
    t = get_published("taylor-tanh")
    # Q&A, second answer: matching the x³ term gives a ≈ 0.04553992412
    assert t.scaled["a3"] == pytest.approx(0.04553992412, rel=1e-10)


def test_closed_forms_have_the_evaluation_interface():
    for name in ("ibert", "as-7.1.26"):
        a = get_published(name)
        assert isinstance(a, ClosedFormApproximant)
        assert a.base == "value" and a.scaled == {}
        assert a.target_obj.name == "gelu"
        d = json.loads(dumps(a.to_dict()))
        assert d["name"] == name and d["coefficients"] == a.coefficients
    assert get_published("ibert").coefficients == {"a": -0.2888, "b": -1.769}
    assert get_published("as-7.1.26").coefficients["p"] == 0.3275911


def test_as_7_1_26_meets_its_stated_accuracy():
    # A&S 7.1.26: |ε(erf)| ≤ 1.5e-7, so the gate ½(1 + erf(x/√2)) is within 7.5e-8.
    a = get_published("as-7.1.26")
    x = np.linspace(-12, 12, 24001)
    assert np.max(np.abs(a.evaluate(x, on="gate") - ndtr(x))) <= 0.75e-7
    # and its erf, recovered from the gate, against scipy's erf
    z = x / math.sqrt(2.0)
    assert np.max(np.abs(2 * a.evaluate(x, on="gate") - 1 - erf(z))) <= 1.5e-7


def test_ibert_gate_is_exact_beyond_its_clip():
    a = get_published("ibert")
    x = np.array([-8.0, -2.6, 2.6, 8.0])        # |x|/√2 > 1.769: L = ±1 exactly
    np.testing.assert_array_equal(a.evaluate(x, on="gate"), [0.0, 0.0, 1.0, 1.0])
    assert a.evaluate(np.array([0.0]))[0] == 0.0


@pytest.mark.parametrize("name", sorted(PAPER))
def test_metrics_work_on_every_published_form(name):
    m = approximant_metrics(get_published(name), SEED_X, lo=-10, hi=10)
    assert set(m) == {"value", "gate"}
    assert all(np.isfinite(m[on]["mse"]) for on in m)


def test_published_for():
    assert [e.name for e in published_for("gelu")] == PAPER
    assert published_for("silu") == []


def test_get_published_unknown_name_suggests():
    with pytest.raises(InputError, match=r"did you mean 'paper-tanh'\?.*choose one of"):
        get_published("paper-tahn")


# -- parse_spec ------------------------------------------------------------------------

def test_spec_published_name():
    a = parse_spec("  paper-sigmoid ")
    assert a.name == "paper-sigmoid" and a.coefficients == {"c1": 1.702}


def test_spec_inline_matches_published():
    a = parse_spec("tanh:c1=sqrt(2/pi),a3=0.044715")
    b = get_published("paper-tanh")
    assert a.family == "tanh" and a.powers == (1, 3) and a.base == "gate"
    assert a.coef == b.coef
    assert a.name == "tanh:c1=sqrt(2/pi),a3=0.044715"


def test_spec_inline_forms():
    s = parse_spec("sigmoid:c1=1.702")
    assert s.family == "sigmoid" and s.coefficients == {"c1": 1.702}
    p = parse_spec("poly:c2=0.3, c1 = 0.5")
    assert p.family == "poly" and p.base == "value" and p.powers == (1, 2)
    assert p.coefficients == {"c1": 0.5, "c2": 0.3}
    t = parse_spec("tanh:c1=0.797885,c3=0.035677,c0=0")
    assert t.powers == (0, 1, 3)
    q = parse_spec("poly:c1=0.5", target="softplus")
    assert q.target_name == "softplus"


def test_spec_saved_fit(tmp_path):
    from approxfit.core.grids import make_grid
    from approxfit.fitting.fit import fit

    r = fit("gelu", "tanh", make_grid(-3, 3, samples=201), degree=3, on="gate")
    path = tmp_path / "fit.json"
    path.write_text(dumps(r.to_dict()))
    a = parse_spec(str(path))
    assert a.coef == r.approximant.coef
    with pytest.raises(InputError, match="approximates 'gelu', not 'silu'"):
        parse_spec(str(path), target="silu")
    with pytest.raises(InputError, match="does not exist"):
        parse_spec(str(tmp_path / "missing.json"))


def test_spec_saved_chebyshev_fit(tmp_path):
    a = Approximant.from_chebyshev("tanh", (1, 3, 5), (0.9, 0.05, -0.01), (-6.0, 6.0),
                                   "gelu")
    path = tmp_path / "cheb.json"
    path.write_text(dumps({"schema_version": 1, "approximant": a.to_dict()}))
    back = parse_spec(str(path))
    assert back.basis == "chebyshev" and back.domain == (-6.0, 6.0)
    assert back.coef == a.coef and back.name == "cheb"
    x = np.linspace(-8, 8, 33)
    np.testing.assert_array_equal(back(x), a(x))


@pytest.mark.parametrize("name", sorted(PAPER))
def test_published_forms_stay_monomial(name):
    a = get_published(name)
    assert a.chebyshev is None
    assert "basis" not in a.to_dict() and "chebyshev" not in a.to_dict()


def test_spec_published_for_another_target():
    with pytest.raises(InputError, match="approximates 'gelu', not 'silu'"):
        parse_spec("paper-tanh", target="silu")
    assert parse_spec("paper-tanh", target=None).name == "paper-tanh"


@pytest.mark.parametrize("spec, needle", [
    ("", "empty"),
    ("paper-tahn", r"did you mean 'paper-tanh'\?.*FAMILY:NAME=EXPR"),
    ("tnah:c1=1", r"unknown family 'tnah' \(did you mean 'tanh'\?\); families are tanh, "
                  "sigmoid, poly"),
    ("rational:c1=1", "unknown family 'rational'"),
    ("tanh:", "gives no coefficients"),
    ("tanh:c1", "missing '='"),
    ("tanh:c1=1,,c3=2", "empty term"),
    ("tanh:b3=1", "bad coefficient name 'b3'; names are c<k>"),
    ("tanh:x=1", "bad coefficient name 'x'"),
    ("tanh:c1=1,c3=", "empty"),
    ("tanh:c1=__import__('os')", "not an allowed function"),
    ("tanh:c1=9**9**9", "exponents are limited"),
    ("tanh:c1=1e308*10", "exceeds 1e.300"),
    ("tanh:c1=x", "x is not allowed"),
    ("tanh:a3=0.044715", r"a3 needs c1 \(a_k = c_k/c1\)"),
    ("tanh:c1=1,a1=2", "a1 = c1/c1 is always 1"),
    ("tanh:c1=1,c3=1,a3=2", "power 3 is given twice"),
    (f"poly:c{MAX_DEGREE + 1}=1",
     f"power {MAX_DEGREE + 1} .* above the largest allowed, {MAX_DEGREE}"),
    ("poly:" + ",".join(f"c{k}=1" for k in range(MAX_TERMS + 1)),
     f"at most {MAX_TERMS} are allowed"),
    ("poly:c1=1", None),
])
def test_spec_rejections(spec, needle):
    if needle is None:
        parse_spec(spec)
        return
    with pytest.raises(InputError, match=needle) as info:
        parse_spec(spec)
    assert "\n" not in str(info.value)


def test_spec_never_runs_code(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(InputError, match="not an allowed function"):
        parse_spec(f"tanh:c1=__import__('os').system('touch {marker}')")
    assert not marker.exists()


def test_spec_sigmoid_for_a_target_without_gate():
    with pytest.raises(InputError, match="has no gate"):
        parse_spec("sigmoid:c1=1.702", target="softplus")


def test_spec_must_be_text():
    with pytest.raises(ValueError, match="`text` must be a str"):   # an InputError
        parse_spec(1.702)
