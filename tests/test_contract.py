"""The approximant protocol: every kind keeps the same contract.

Parametrised over every family × parity (with and without a tail guard), the
rational kind, the same polynomials and rationals held in the Chebyshev basis (on
symmetric and shifted domains), and every published approximant: the dict round trip, the gate
relation, the derivative against central differences, the program (run by the
format emulator in float64) against ``evaluate``, and the cost counted from the
program — checked against the committed Pareto study's hand-derived counts.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.base import AnyApproximant
from approxfit.approximants.families import powers_for
from approxfit.approximants.program import Cost, operation_count
from approxfit.approximants.published import PUBLISHED, get_published
from approxfit.approximants.rational import RationalApproximant
from approxfit.approximants.spec import approximant_from_dict
from approxfit.core.exceptions import InputError
from approxfit.lowprec.emulate import evaluate_steps

EPS = np.finfo(float).eps
RESULTS = Path(__file__).resolve().parents[1] / "results" / "pareto-gelu.json"
# Coefficients of a shape like GELU's (c1 ≈ √(2/π)); their exact values do not matter.
COEF = {0: 0.05, 1: 0.7978845608, 2: -0.02, 3: 0.0356774, 4: 0.001, 5: -0.0003}


def family(fam: str, parity: str, degree: int, *, target: str = "gelu",
           base: str = "gate", clamp: float | None = None) -> Approximant:
    powers = powers_for(degree, parity)
    return Approximant(fam, powers, tuple(COEF[k] for k in powers), target, base=base,
                       clamp=clamp, name=f"{fam}-{parity}{degree}")


CASES: dict[str, AnyApproximant] = {
    **{f"{fam}-{par}": family(fam, par, {"odd": 5, "even": 4, "none": 3}[par])
       for fam in ("tanh", "sigmoid") for par in ("odd", "even", "none")},
    **{f"{fam}-odd-guarded": family(fam, "odd", 5, clamp=4.0) for fam in ("tanh", "sigmoid")},
    **{f"poly-{par}": family("poly", par, {"odd": 5, "even": 4, "none": 3}[par],
                             base="value") for par in ("odd", "even", "none")},
    "poly-gate": family("poly", "none", 3, base="gate"),
    "tanh-erf": family("tanh", "odd", 3, target="erf"),
    "sigmoid-erf-guarded": family("sigmoid", "odd", 3, target="erf", clamp=4.0),
    "poly-erf": family("poly", "odd", 5, target="erf", base="value"),
    "poly-softplus": family("poly", "none", 3, target="softplus", base="value"),
    "rational-value": RationalApproximant((0, 1, 2, 3), (0.0, 0.5, 0.4, 0.1), (2, 4),
                                          (0.2, 0.05), "gelu", name="rat"),
    "rational-gate": RationalApproximant((0, 1), (0.5, 0.4), (2,), (0.3,), "gelu",
                                         base="gate", name="ratg"),
    # odd and no-parity denominators (Q has no pole on [−8, 8]: 1 + 0.02x + 0.0008x³ ≥ 0.43
    # and 1 + 0.05x + 0.02x² has no real root), on erf and gelu, for the value and the gate
    **{f"rational-{den}den-{target}-{base}": RationalApproximant(
        (0, 1, 2, 3), (0.05, 0.5, 0.1, 0.02), powers, coef, target, base=base,
        name=f"rat-{den}-{target}-{base}")
       for den, powers, coef in (("odd", (1, 3), (0.02, 0.0008)),
                                 ("none", (1, 2), (0.05, 0.02)))
       for target in ("erf", "gelu") for base in ("value", "gate")},
    **{name: get_published(name) for name in PUBLISHED},
}


def chebyshev(a: AnyApproximant, domain: tuple[float, float]) -> AnyApproximant:
    """The same approximant with its polynomials held in the Chebyshev basis on
    ``domain`` (converted by ``chebyshev_form``)."""
    form = a.chebyshev_form(domain)
    if isinstance(a, RationalApproximant):
        num, den = form["numerator"], form["denominator"]
        return RationalApproximant.from_chebyshev(
            [int(k[1:]) for k in num], list(num.values()), [int(k[1:]) for k in den],
            list(den.values()), domain, a.target, base=a.base, name=f"cheb-{a.name}")
    coefs = form["coefficients"]
    return Approximant.from_chebyshev(a.family, [int(k[1:]) for k in coefs],
                                      list(coefs.values()), domain, a.target, base=a.base,
                                      clamp=a.clamp, name=f"cheb-{a.name}")


SYMMETRIC, SHIFTED = (-8.0, 8.0), (-7.0, 9.0)
CHEBYSHEV_CASES: dict[str, AnyApproximant] = {
    # every family × parity, on (−8, 8) (odd and even index sets keep their parity) and
    # on a shifted domain (every index; odd p there has no parity in u)
    **{f"cheb-{fam}-{par}-{dom_name}": chebyshev(
        family(fam, par, {"odd": 5, "even": 4, "none": 3}[par],
               base="gate" if fam != "poly" else "value"), dom)
       for fam in ("tanh", "sigmoid", "poly") for par in ("odd", "even", "none")
       for dom_name, dom in (("sym", SYMMETRIC), ("shifted", SHIFTED))},
    **{f"cheb-{fam}-{par}-guarded": chebyshev(
        family(fam, par, {"odd": 5, "even": 4, "none": 3}[par], clamp=4.0), SYMMETRIC)
       for fam in ("tanh", "sigmoid") for par in ("odd", "even", "none")},
    "cheb-sigmoid-erf-guarded": chebyshev(CASES["sigmoid-erf-guarded"], SHIFTED),
    "cheb-poly-gate": chebyshev(CASES["poly-gate"], SYMMETRIC),
    "cheb-poly-softplus": chebyshev(CASES["poly-softplus"], SHIFTED),
    **{f"cheb-{name}-{dom_name}": chebyshev(CASES[name], dom)
       for name in ("rational-value", "rational-gate", "rational-oddden-erf-value",
                    "rational-noneden-gelu-gate")
       for dom_name, dom in (("sym", SYMMETRIC), ("shifted", SHIFTED))},
}
CASES.update(CHEBYSHEV_CASES)
KINKS = {"ibert": (0.0, 1.769 * math.sqrt(2.0))}  # I-BERT: sign(u) at 0, the clip at |u| = −b


@pytest.fixture(params=sorted(CASES), name="a")
def approximant(request):
    return CASES[request.param]


def points(a: AnyApproximant) -> np.ndarray:
    x = np.linspace(-6.0, 6.0, 241)
    x = x[np.abs(x) > 1e-9] if a.base == "value" and not a.gate_direct else x
    return x


def test_satisfies_the_protocol(a):
    assert isinstance(a, AnyApproximant)
    assert a.family in ("tanh", "sigmoid", "poly", "rational", "closed form")
    assert a.target_obj.name == a.target_name


def test_dict_round_trip_evaluates_identically(a):
    back = approximant_from_dict(json.loads(json.dumps(a.to_dict())))
    assert type(back) is type(a) and back.name == a.name
    assert back.coefficients == a.coefficients and back.clamp == a.clamp
    x = points(a)
    ons = ("value", "gate") if a.target_obj.has_gate else ("value",)
    for on in ons:
        np.testing.assert_array_equal(back.evaluate(x, on=on), a.evaluate(x, on=on))
    np.testing.assert_array_equal(back.derivative(x), a.derivative(x))


def test_gate_gives_the_value_through_the_relation(a):
    rel = a.target_obj.relation
    x = points(a)
    if rel is None:
        with pytest.raises(InputError, match="has no gate"):
            a.gate(x)
        return
    g = a.gate(x)
    np.testing.assert_array_equal(g, a.evaluate(x, on="gate"))
    # value = scale·g + offset: x·g for gelu-like targets, 2g − 1 for erf.  Where the gate
    # is the value divided by x (or ½(f + 1)), that is exact up to the two roundings.
    want = x * g if rel.name == "product" else 2.0 * g - 1.0
    f = a.evaluate(x)
    np.testing.assert_allclose(want, f, rtol=4 * EPS, atol=4 * EPS)


def test_bad_on_names_the_parameter(a):
    with pytest.raises(InputError, match="`on`"):
        a.evaluate(np.array([1.0]), on="bogus")
    with pytest.raises(InputError, match="`on`"):
        a.program(on="bogus")


def test_derivative_matches_central_differences(a):
    x = points(a)
    stay_off = [*KINKS.get(a.name, ()), *(() if a.clamp is None else (a.clamp,))]
    for k in stay_off:
        x = x[np.abs(np.abs(x) - k) > 1e-3]
    h = 1e-6
    fd = (a.evaluate(x + h) - a.evaluate(x - h)) / (2 * h)
    # central differences: truncation h²·|f'''|/6 ≲ 1e-12 and rounding ~eps·|f|/h ≲ 1e-9
    # for |f| ≤ 6, so 1e-8 absolute (and 1e-7 relative) is a loose but failing bound.
    np.testing.assert_allclose(a.derivative(x), fd, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("gate_form", ["tanh", "sigmoid"])   # "tanh": what cost() counts
def test_program_in_float64_equals_evaluate(a, gate_form):
    x = np.linspace(-8.0, 8.0, 1601)
    ons = ("value", "gate") if a.target_obj.has_gate else ("value",)
    for on in ons:
        xs = x[x != 0] if on == "gate" and not a.gate_direct else x
        got = evaluate_steps(a.program(on=on, gate_form=gate_form), xs, "float64")
        want = a.evaluate(xs, on=on)
        # The program and evaluate differ only in the order of the roundings (Horner in
        # x² against Horner in x, σ's form): a few ulp of the size of the terms, which
        # for |x| ≤ 8 and these coefficients are at most |x|·(1 + |p|) ≲ 100.
        scale = np.abs(xs) * (1.0 + np.abs(xs)) + 1.0
        if a.chebyshev is not None:
            scale = scale + chebyshev_scale(a, xs, on)
        np.testing.assert_allclose(got, want, rtol=0, atol=1, err_msg=on)
        assert np.all(np.abs(got - want) <= 8 * EPS * scale), (
            on, gate_form, float(np.max(np.abs(got - want) / (EPS * scale))))


def chebyshev_scale(a: AnyApproximant, x: np.ndarray, on: str) -> np.ndarray:
    """The size of the rounding errors of a Chebyshev form's program against evaluate.

    Clenshaw in w = 2u² − 1 (odd and even indices) and chebval in u each err by a few
    eps of Σ|b_k| (tests/test_chebyshev.py), an absolute error however small p is: it
    reaches the value times |x| (x·g), relative to |Q| for P/Q (Q's T_0 coefficient is
    1 and its Σ|e_k| ≥ 1), and over |x| where the gate is the value divided by x.
    """
    cheb = a.chebyshev
    size = sum(abs(v) for part in ("coefficients", "numerator", "denominator")
               for v in cheb.get(part, {}).values()) + 1.0
    s = size * (1.0 + np.abs(x))
    if isinstance(a, RationalApproximant):
        s = s * (1.0 + np.abs(a.kernel(x))) / np.abs(a.q(x))
    if on == "gate" and not a.gate_direct:
        s = s / np.abs(x)
    return s


def test_cost_is_counted_from_the_program(a):
    assert a.cost() == operation_count(a.program())
    assert a.cost().total == (a.cost().multiplies + a.cost().adds + a.cost().compares
                              + 10 * a.cost().transcendentals)


# Costs counted by hand from each published formula (a multiply-add is one multiply and
# one add, a divide one multiply, abs and a sign select one compare each):
HAND_COUNTED = {
    # x², c1 + c3·x² (fma), ·x, tanh, ½(1 + t) (fma), x·g
    "paper-tanh": Cost(5, 2, 1, 0),
    # k·x, exp(−kx), 1 + e, 1/(…), x·g
    "paper-sigmoid": Cost(3, 1, 1, 0),
    # as paper-tanh, with c1 free
    "seed-free-tanh": Cost(5, 2, 1, 0),
    # c1·x + c3·x³ as paper-tanh's inner polynomial, then the sigmoid as paper-sigmoid
    "bowling-2009": Cost(5, 2, 1, 0),
    # x/√2, |u|, min(|u|, −b), + b, square, a·s + 1 (fma), sign·L, ½(1 + L) (fma), x·g
    "ibert": Cost(6, 3, 0, 3),
    # |x|, /√2, t = 1/(1 + p·z) (fma + divide), Horner of 5 in t (4 fma + 1 mul), z²,
    # exp(−z²), ½·P·e (2 mul), 1 − h, select by sign, x·g
    "as-7.1.26": Cost(12, 6, 1, 2),
}


@pytest.mark.parametrize(("name", "want"), sorted(HAND_COUNTED.items()))
def test_program_count_matches_the_hand_count(name, want):
    assert get_published(name).cost() == want
