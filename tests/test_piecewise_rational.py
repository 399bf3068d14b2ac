"""The rational family of :class:`PiecewiseApproximant` (issue 15): the middle value
p(x)/Q(x) with Q(x) = 1 + Σ e_k x^k, one divide, in one piece or several.

Every number here is checked against an independent reference written out in the test
(numpy float64 formulas, a float32 step-by-step evaluation, mpmath's correctly rounded
tanh, a compiled C program), never against the approximant's own evaluation paths.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import ml_dtypes
import numpy as np
import pytest

from approxfit.approximants.piecewise import PiecewiseApproximant
from approxfit.approximants.spec import approximant_from_dict
from approxfit.core.exceptions import InputError
from approxfit.lowprec.export import export_code
from approxfit.lowprec.model import make_model, run_program
from approxfit.lowprec.verify import verify
from tests.helpers import compile_c_filter

# The [7/6] Padé approximant of tanh: x(135135 + 17325x² + 378x⁴ + x⁶) /
# (135135 + 62370x² + 3150x⁴ + 28x⁶), scaled so Q(0) = 1.
NUM = (1.0, 17325 / 135135, 378 / 135135, 1 / 135135)
DEN = (62370 / 135135, 3150 / 135135, 28 / 135135)
TANH = PiecewiseApproximant("rational", (1, 3, 5, 7), NUM, "tanh", den_powers=(2, 4, 6),
                            den=DEN, low=-4.0, high=4.0, low_value="minus_one",
                            high_value="one", name="tanh-pade-7-6")
# Two pieces with mixed powers, a sign-split constant and different rows (GELU-like
# values, no claim of accuracy: the test checks which row is used).
TWO = PiecewiseApproximant(
    "rational", (1, 2, 3), (0.5, 0.4, 0.05), "gelu", c0_neg=-0.001, c0_pos=0.002,
    den_powers=(1, 2), den=(0.1, 0.25), breaks=(0.5,),
    more=((0.003, 0.004, 0.45, 0.35, 0.07, -0.05, 0.2),))


def _bfloat16_inputs() -> np.ndarray:
    """Every finite bfloat16 value (65 280 of them)."""
    x = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(ml_dtypes.bfloat16)
    return x[np.isfinite(x.astype(np.float32))]


def _numpy_p_q(a: PiecewiseApproximant, x: np.ndarray, row: int = 0
               ) -> tuple[np.ndarray, np.ndarray]:
    """p and Q of piece ``row`` from the constructor's fields, by numpy.polynomial (an
    independent float64 evaluation: power basis, ascending coefficients)."""
    from numpy.polynomial import polynomial as P

    if row == 0:
        c0n, c0p, coef, den = a.c0_neg, a.c0_pos, a.coef, a.den
    else:
        r = a.more[row - 1]
        n = 2 + len(a.powers)
        c0n, c0p, coef, den = r[0], r[1], r[2:n], r[n:]
    pc = np.zeros(max(a.powers) + 1)
    pc[list(a.powers)] = coef
    qc = np.zeros(max(a.den_powers) + 1)
    qc[0] = 1.0
    qc[list(a.den_powers)] = den
    p = P.polyval(x, pc) + np.where(x < 0, c0n, c0p)
    return p, P.polyval(x, qc)


def test_round_trip_one_and_two_pieces() -> None:
    for a in (TANH, TWO):
        d = json.loads(json.dumps(a.to_dict()))
        assert d["den_powers"] == list(a.den_powers)
        assert d["den"] == {f"e{k}": c for k, c in zip(a.den_powers, a.den, strict=True)}
        b = approximant_from_dict(d)
        assert isinstance(b, PiecewiseApproximant) and b.family == "rational"
        assert b.to_dict() == d and b.den == a.den and b.more == a.more
    assert TWO.to_dict()["pieces"][0]["den"] == {"e1": -0.05, "e2": 0.2}


def test_old_documents_without_den_still_load() -> None:
    """A poly document (as written before the rational family) has no den keys and
    loads unchanged."""
    a = PiecewiseApproximant("poly", (1, 3), (0.5, 0.1), "gelu", breaks=(1.0,),
                             more=((0.0, 0.0, 0.6, 0.2),))
    d = a.to_dict()
    assert "den" not in d and "den_powers" not in d and "den" not in d["pieces"][0]
    b = PiecewiseApproximant.from_dict(d)
    assert b.den_powers == () and b.den == () and b.more == a.more


def test_coefficients_and_with_coefficients() -> None:
    c = TWO.coefficients
    assert c["e1"] == 0.1 and c["e2"] == 0.25 and c["p1_e1"] == -0.05 and c["p1_e2"] == 0.2
    b = TWO.with_coefficients({"e2": 0.5, "p1_e1": -0.01})
    assert b.den == (0.1, 0.5) and b.more[0][-2:] == (-0.01, 0.2) and b.coef == TWO.coef
    p1 = TWO.piece(1)
    assert p1.den == (-0.05, 0.2) and p1.coef == (0.45, 0.35, 0.07) and p1.breaks == ()
    assert "p/Q" in TWO.describe() and "Q(x) = 1 + 0.1·x^1 + 0.25·x^2" in TWO.describe()


def test_kernel_and_derivative_equal_numpy_p_over_q() -> None:
    rng = np.random.default_rng(15)
    x = rng.uniform(-3.9, 3.9, 2000)
    p, q = _numpy_p_q(TANH, x)
    # Horner-free numpy.polynomial vs the kernel's power sums: a few float64 ulps of a
    # well-conditioned sum (every term of p has the sign of x, of Q is positive)
    np.testing.assert_allclose(TANH.kernel(x), p / q, rtol=1e-14, atol=0)
    from numpy.polynomial import polynomial as P

    pc = np.array([0.0, NUM[0], 0, NUM[1], 0, NUM[2], 0, NUM[3]])
    qc = np.array([1.0, 0, DEN[0], 0, DEN[1], 0, DEN[2]])
    dp, dq = P.polyval(x, P.polyder(pc)), P.polyval(x, P.polyder(qc))
    np.testing.assert_allclose(TANH.derivative(x), (dp * q - p * dq) / q**2, rtol=1e-12)
    # and the Padé is close to tanh itself (its known accuracy: < 2e-4 on |x| ≤ 3.9)
    assert np.max(np.abs(TANH.kernel(x) - np.tanh(x))) < 2e-4
    # the tails
    assert TANH.kernel(np.array([-5.0, 5.0])).tolist() == [-1.0, 1.0]


def test_two_pieces_use_the_right_row_on_each_side_of_the_break() -> None:
    below = 0.5 - 2.0**-9                 # the bfloat16 value just below the break
    x = np.array([-2.0, -0.25, 0.0, 0.25, below, 0.5, 0.75, 3.0])
    assert np.array_equal(x.astype(ml_dtypes.bfloat16).astype(float), x)
    left, right = x < 0.5, x >= 0.5
    for row, side in ((0, left), (1, right)):
        p, q = _numpy_p_q(TWO, x[side], row)
        np.testing.assert_allclose(TWO.kernel(x[side]), p / q, rtol=1e-14)
    # the program (float32 compute) selects the same rows: equal to each piece alone
    xb = x.astype(ml_dtypes.bfloat16)
    model = make_model("bfloat16")
    both = run_program(TWO.program(), xb, model)[0]
    for j, side in ((0, left), (1, right)):
        alone = run_program(TWO.piece(j).program(), xb, model)[0]
        assert np.array_equal(both[side].view(np.uint16), alone[side].view(np.uint16))
    assert not np.array_equal(run_program(TWO.piece(0).program(), xb, model)[0][right],
                              both[right])                 # the rows do differ there


def test_program_float64_equals_kernel() -> None:
    rng = np.random.default_rng(16)
    x = rng.uniform(-3.9, 3.9, 4000)
    got = run_program(TANH.program(), x, make_model("float64"))[0]
    # Horner vs the kernel's power sums, both float64, for a well-conditioned p/Q (every
    # term of p has the sign of x, every term of Q is ≥ 0): 1e-15 relative (4.5 ulp)
    np.testing.assert_allclose(got, TANH.kernel(x), rtol=1e-15, atol=0)
    # TWO's p changes sign (a relative bound fails near its zero, 1.8e-12 measured):
    # Horner's forward error bound γ_2n·Σ|c_k||x|^k (Higham, ASNA §5.1) for p and Q,
    # with a factor 4 for the divide and the two evaluations
    got = run_program(TWO.program(), x, make_model("float64"))[0]
    want = TWO.kernel(x)
    eps = 2.0**-53
    bound = np.zeros_like(x)
    for row, side in ((0, x < 0.5), (1, x >= 0.5)):
        a = TWO.piece(row)
        xs = np.abs(x[side])
        pa = abs(np.where(x[side] < 0, a.c0_neg, a.c0_pos)) + sum(
            abs(c) * xs**k for k, c in zip(a.powers, a.coef, strict=True))
        qa = 1.0 + sum(abs(e) * xs**k for k, e in zip(a.den_powers, a.den, strict=True))
        _, q = _numpy_p_q(TWO, x[side], row)
        bound[side] = 4 * 8 * eps * (pa + np.abs(want[side]) * qa) / np.abs(q)
    assert np.all(np.abs(got - want) <= bound)     # measured: at most 0.09 of the bound


def _independent_float32(x: np.ndarray) -> np.ndarray:
    """TANH in float32 numpy, step by step: p = x·(((c7·x² + c5)·x² + c3)·x² + c1),
    Q = 1 + ((e6·x² + e4)·x² + e2)·x², p/Q, the tails; rounded to bfloat16 (RNE)."""
    f = np.float32
    xf = x.astype(np.float32)
    c1, c3, c5, c7 = (f(c) for c in NUM)
    e2, e4, e6 = (f(e) for e in DEN)
    with np.errstate(all="ignore"):              # x² overflows in the tails: selected out
        s = xf * xf
        p = xf * (((c7 * s + c5) * s + c3) * s + c1)
        q = f(1) + ((e6 * s + e4) * s + e2) * s
        v = p / q
    v = np.where(xf > f(4), f(1), v)
    v = np.where(xf < f(-4), f(-1), v)
    return v.astype(ml_dtypes.bfloat16)


def test_program_float32_is_an_independent_float32_evaluation_bit_for_bit() -> None:
    x = _bfloat16_inputs()
    got = run_program(TANH.program(), x, make_model("bfloat16"))[0]
    ref = _independent_float32(x)
    assert x.size == 65280
    assert np.array_equal(got.view(np.uint16), ref.view(np.uint16))


def test_cost_counts_the_divide_as_a_multiply() -> None:
    ops = [s.op for s in TANH.program()]
    assert ops.count("div") == 1
    c = TANH.cost()
    # p: x², 3 Horner multiplies, ×x; Q: x² shared, 3 multiplies; the divide as a multiply
    assert c.multiplies == ops.count("mul") + 1 == 1 + 3 + 1 + 3 + 1
    # p: 3 Horner adds; Q: 2 Horner adds and 1 + …; the tails: 2 subtractions
    assert c.adds == 3 + 2 + 1 + 2 and c.compares == 2 and c.transcendentals == 0


def _mpmath_tanh_bfloat16(x: np.ndarray) -> np.ndarray:
    """tanh x to 40 digits, rounded to 8 significant bits (bfloat16's precision).  No
    tie can occur (tanh of a nonzero rational is irrational), and for a subnormal x
    the 8-bit rounding of tanh x = x − x³/3 + … is x itself, which is what bfloat16's
    coarser subnormal grid gives too."""
    import mpmath

    out = np.empty(x.size, dtype=np.float64)
    with mpmath.workdps(40):
        for i, v in enumerate(x.astype(np.float64)):
            t = mpmath.tanh(mpmath.mpf(float(v)))
            if t == 0:
                out[i] = float(v)
                continue
            m, e = mpmath.frexp(t)                  # t = m·2^e, 0.5 ≤ |m| < 1
            out[i] = float(mpmath.ldexp(mpmath.nint(m * 256), e - 8))
    return out


def test_verify_runs_and_agrees_with_an_independent_count() -> None:
    x = _bfloat16_inputs()
    r = verify(TANH, "tanh", "bfloat16")
    assert r.inputs == 65280
    # mpmath's correctly rounded tanh against the independent float32 evaluation
    ref = _mpmath_tanh_bfloat16(x)
    mine = _independent_float32(x).astype(np.float64)
    assert r.incorrectly_rounded == int(np.count_nonzero(mine != ref))


@pytest.mark.parametrize("a", [TANH, TWO], ids=["tanh-pade", "two-pieces"])
@pytest.mark.parametrize("fma", [False, True])
def test_exported_c_equals_the_model_bit_for_bit(tmp_path, a, fma) -> None:
    cc = shutil.which("gcc")
    if cc is None:
        pytest.skip("no gcc")
    code = export_code(a, "c", "bfloat16", name="g", max_error=0.0, fma=fma)
    assert " / " in code                                   # the divide, as C's float `/`
    exe = compile_c_filter(tmp_path, code, cc)
    x = _bfloat16_inputs()
    run = subprocess.run([str(exe)], input=x.astype(np.float32).tobytes(),
                         capture_output=True, check=True)
    c = np.frombuffer(run.stdout, dtype=np.float32).astype(ml_dtypes.bfloat16)
    model = run_program(a.program(), x, make_model("bfloat16", fma=fma))[0]
    assert c.size == x.size == 65280
    assert np.array_equal(c.view(np.uint16), model.view(np.uint16))


@pytest.mark.parametrize("to", ["numpy", "torch"])
def test_exported_python_equals_the_model_bit_for_bit(to) -> None:
    if to == "torch":
        torch = pytest.importorskip("torch")
    code = export_code(TANH, to, "bfloat16", name="g", max_error=0.0)
    space: dict = {}
    exec(compile(code, "<export>", "exec"), space)      # our own exported code
    x = _bfloat16_inputs()
    xf = x.astype(np.float32)
    with np.errstate(all="ignore"):                  # x² overflows in the tails
        y = space["g"](xf if to == "numpy" else torch.from_numpy(xf))
    y = np.asarray(y if to == "numpy" else y.float().numpy(), dtype=np.float32)
    model = run_program(TANH.program(), x, make_model("bfloat16"))[0]
    assert np.array_equal(y.astype(ml_dtypes.bfloat16).view(np.uint16),
                          model.view(np.uint16))


@pytest.mark.parametrize(("bad", "name"), [
    ({"family": "poly", "den_powers": (2,), "den": (0.4,)}, "`den_powers`"),
    ({"family": "poly", "den": (0.4,)}, "`den`"),
    ({"den_powers": (), "den": ()}, "`den_powers`"),
    ({"den_powers": (2, 4), "den": (0.4,)}, "`den`"),
    ({"den_powers": (4, 2), "den": (0.4, 0.1)}, "`den_powers`"),
    ({"den_powers": (2, 2), "den": (0.4, 0.1)}, "`den_powers`"),
    ({"den_powers": (0,), "den": (0.4,)}, "`den_powers`"),
    ({"den_powers": (2,), "den": (math.inf,)}, "`den`"),
    ({"breaks": (0.5,), "more": ((0.0, 0.0, 1.0),)}, "`more`"),      # row without e2
])
def test_bad_arguments_name_the_parameter(bad: dict, name: str) -> None:
    kw = {"family": "rational", "powers": (1,), "coef": (1.0,), "target": "tanh",
          "den_powers": (2,), "den": (0.4,), **bad}
    with pytest.raises(InputError, match=name):
        PiecewiseApproximant(**kw)


def test_bad_documents_are_input_errors() -> None:
    d = TWO.to_dict()
    for broken in ({**d, "den": {"e9": 1.0}}, {**d, "den_powers": "2"},
                   {**d, "pieces": [{**d["pieces"][0], "den": {"e1": 0.0}}]}):
        with pytest.raises(InputError, match="den"):
            PiecewiseApproximant.from_dict(broken)
