"""`approxfit reproduce`: the claims, their verdicts, and the committed results."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from approxfit.studies.reproduce import CLAIM_IDS, OWNED_FILES, Claim, run_claims

RESULTS = Path(__file__).resolve().parents[1] / "results"
KEYS = {"id", "source", "claim", "published", "reproduced", "procedure", "agrees", "note"}


@pytest.fixture(scope="module")
def claim_values():
    return run_claims()


@pytest.fixture(scope="module")
def claims(claim_values):
    return {c.id: c.to_dict() for c in claim_values}


def test_claims_are_frozen_values(claim_values):
    import dataclasses

    c = claim_values[0]
    assert isinstance(c, Claim) and c.to_dict()["id"] == c.id == "gelu-definition"
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.agrees = False


def test_every_claim_is_there_with_the_contract_keys(claims):
    assert tuple(claims) == CLAIM_IDS
    for c in claims.values():
        assert set(c) == KEYS
        assert isinstance(c["agrees"], bool)


def test_published_figures(claims):
    # Q&A: "MSE ~1e-8" for the paper's tanh form; ~1e-4 for x·σ(1.702x).
    assert claims["paper-tanh-mse"]["reproduced"]["mse"] == pytest.approx(2.4329e-08, rel=5e-5)
    assert claims["paper-sigmoid-mse"]["reproduced"]["mse"] == pytest.approx(5.6479e-05,
                                                                             rel=5e-5)
    # Q&A answer 2: a ≈ 0.04553992412, i.e. (4 − π)/(6π).
    assert claims["taylor-a3"]["reproduced"]["a3"] == pytest.approx(
        (4 - math.pi) / (6 * math.pi), rel=1e-15)


def test_provenance_verdicts(claims):
    tanh = claims["paper-tanh-provenance"]
    assert tanh["agrees"]
    kinds = {(m["objective"], m["on"]) for m in tanh["reproduced"]["matches"]}
    assert kinds == {("minimax", "gate")}
    for m in tanh["reproduced"]["matches"]:
        assert round(m["value"], 6) == 0.044715
    sig = claims["paper-sigmoid-provenance"]
    assert {(m["objective"], m["on"]) for m in sig["reproduced"]["matches"]} == {
        ("minimax", "gate")}


def test_unreproducible_seed_numbers_are_marked_so(claims):
    twenty = claims["fit-20-samples"]
    assert twenty["agrees"] is False
    assert "never published" in twenty["note"]
    assert len(twenty["reproduced"]["tried"]) >= 5
    assert claims["free-form-coefficients"]["agrees"] is False


def _close(a, b, path="claims"):
    """Structure and text equal; numbers equal to 1e-9 (BLAS builds differ in last bits)."""
    assert type(a) is type(b) or {type(a), type(b)} <= {int, float}, path
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-15), path
    else:
        assert a == b, path


def test_committed_results_are_not_stale(claims):
    committed = json.loads((RESULTS / "claims.json").read_text())
    fresh = json.loads(json.dumps(list(claims.values())))
    _close(committed, fresh)
    for name in OWNED_FILES:
        assert (RESULTS / name).is_file(), name


def test_committed_precision_and_pareto_are_not_stale():
    from approxfit.studies.reproduce import pareto_files, precision_tables

    for name, blob in {**precision_tables(), **pareto_files()}.items():
        if name.endswith(".json"):
            _close(json.loads((RESULTS / name).read_text()), json.loads(blob))


def test_reproduce_library_call_checks_its_folder(tmp_path):
    from approxfit.core.exceptions import InputError
    from approxfit.studies.reproduce import reproduce

    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(InputError, match=r"`out` .* is a file, not a folder"):
        reproduce(f)
    with pytest.raises(InputError, match=r"`out` .* does not exist"):
        reproduce(tmp_path / "no" / "such")


@pytest.mark.slow          # two whole runs of reproduce; the staleness tests run always
def test_reproduce_is_byte_identical_and_leaves_other_files(cli, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    b.mkdir()
    (b / "mine.txt").write_text("keep me")
    for out in (a, b):
        r = cli("reproduce", "--out", str(out))
        assert r.code == 0, r.err
        assert "13 of 15 claims agree" in r.out
    for name in OWNED_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (b / "mine.txt").read_text() == "keep me"
    assert (a / "gelu-overlay.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _verify_rows_by_key(doc):
    return {(r["name"], r["form"], r["format"]): r for r in doc["rows"]}


def test_committed_verification_table_is_not_stale():
    """verify.json regenerates from the committed Pareto sweep; PyTorch's rows are compared
    only under the PyTorch version that wrote them (its kernels are its own arithmetic)."""
    from approxfit.studies.reproduce import verification_tables
    from approxfit.studies.reproduce.verification import installed_torch_version

    committed = json.loads((RESULTS / "verify.json").read_text())
    same_torch = committed["torch"] is not None and committed["torch"] == installed_torch_version()
    fresh = json.loads(verification_tables((RESULTS / "pareto-gelu.json").read_bytes(),
                                           with_torch=same_torch)["verify.json"])
    old, new = _verify_rows_by_key(committed), _verify_rows_by_key(fresh)
    if not same_torch:
        old = {k: v for k, v in old.items() if not k[0].startswith("torch-")}
    assert old.keys() == new.keys()
    for k in old:
        _close(old[k], new[k], str(k))


def _once(v, bits: int) -> float:
    """An mpmath value rounded to nearest (ties excluded: asserted) to ``bits``
    significand bits — 24: float32, 8: bfloat16 — with float32's exponent range
    (subnormals on the grid of 2^-(125 + bits)); every step exact in mpmath."""
    import mpmath

    if v == 0:
        return 0.0
    _, e = mpmath.frexp(v)                     # v = m·2^e, 0.5 <= |m| < 1
    unit = -(125 + bits) if e < -125 else e - bits
    scaled = mpmath.ldexp(v, -unit)            # exact: a power-of-two scaling
    low = mpmath.floor(scaled)
    assert scaled - low != 0.5, v
    return math.ldexp(int(low) + (scaled - low > 0.5), unit)


def test_verification_table_counts_match_an_independent_check():
    """paper-tanh in bfloat16 as the table states it, recounted without approxfit's
    verify: the program's float32 arithmetic by numpy (x², c3·x², + c1, ·x, tanh, 1 + t,
    ½·x, product), tanh and the reference GELU by 60-digit mpmath, every finite input."""
    import mpmath
    import numpy as np
    from ml_dtypes import bfloat16

    committed = json.loads((RESULTS / "verify.json").read_text())
    row = _verify_rows_by_key(committed)[("paper-tanh", "as-published", "bfloat16")]
    x = np.arange(2**16, dtype=np.uint16).view(bfloat16)
    x = x[np.isfinite(x.astype(np.float32))]
    assert row["inputs"] == x.size == 65280
    xf = x.astype(np.float32)
    c1 = math.sqrt(2 / math.pi)
    c3, c1 = np.float32(c1 * 0.044715), np.float32(c1)
    mpmath.mp.dps = 60        # gelu(x) = x/2 + 0.4·x² + …: at |x| = 2^-133 the x² term
    try:                      # is 2^-133 of the value, and decides a subnormal's rounding
        with np.errstate(all="ignore"):
            p = xf * ((c3 * (xf * xf)) + c1)
            t = np.array([math.copysign(1.0, v) if abs(v) > 20 else
                          _once(mpmath.tanh(mpmath.mpf(float(v))), 24) for v in p],
                         dtype=np.float32)
            y = ((np.float32(0.5) * xf) * (np.float32(1) + t)).astype(bfloat16)
        wrong = 0
        for xi, yi in zip(xf.astype(np.float64), y.astype(np.float64), strict=True):
            if xi >= 20:
                ref = xi                # x·Φ(x) = x·(1 − 3e-89): x itself in bfloat16
            elif xi <= -20:
                ref = 0.0               # |x·Φ(x)| < 1e-80, below bfloat16's 9e-41
            else:
                ref = _once(mpmath.mpf(xi) * mpmath.ncdf(mpmath.mpf(xi)), 8)
            wrong += ref != yi          # −0 == +0: one value, as verify counts them
    finally:
        mpmath.mp.dps = 15
    assert wrong == row["incorrectly_rounded"]


def test_committed_float32_run_is_not_stale():
    """verify-float32.json (every float32 input, `reproduce --float32`, ~6 min): it is
    the recommended approximant's; its blocks add up to its totals; and two blocks — the
    worst and the one holding x = 1 — re-checked now give the committed tallies."""
    import numpy as np

    from approxfit.lowprec.verify import verify
    from approxfit.studies.reproduce.verification import recommended_approximant

    doc = json.loads((RESULTS / "verify-float32.json").read_text())
    rec = recommended_approximant((RESULTS / "pareto-gelu.json").read_bytes())
    assert doc["approximant"] == json.loads(json.dumps(rec.to_dict()))
    blocks = doc["blocks"]
    # every finite bit pattern (±0 both): 2^32 minus the 2^24 − 2 NaNs and 2 infinities
    assert doc["inputs"] == sum(b["inputs"] for b in blocks) == 2**32 - 2**24
    assert doc["incorrectly_rounded"] == sum(b["incorrectly_rounded"] for b in blocks)
    assert doc["max_ulp"] == max(b["max_ulp"] for b in blocks)
    worst = int(np.argmax([b["max_ulp"] for b in blocks]))
    at_one = next(i for i, b in enumerate(blocks) if b["first"] <= 1.0 <= b["last"])
    for i in (worst, at_one):
        b = blocks[i]
        r = verify(rec, "gelu", "float32", range=(b["first"], b["last"]), executor="serial")
        assert (r.inputs, r.incorrectly_rounded, r.max_ulp) == \
            (b["inputs"], b["incorrectly_rounded"], b["max_ulp"]), i


@pytest.mark.parametrize("case", ["committed", "one-exact-block", "nan"])
def test_block_figure_draws_awkward_documents_without_warnings(case):
    """plot_verify_blocks on the committed run, on one block with no error (nothing
    on a log axis), and on a block whose worst result is NaN."""
    import warnings

    from approxfit.present.verify_plot import plot_verify_blocks

    doc = json.loads((RESULTS / "verify-float32.json").read_text())
    if case != "committed":
        bad = case == "nan"
        doc = {"name": "k", "format": "float16", "target": "gelu", "inputs": 10,
               "histogram": {"0": 9, "nan": 1} if bad else {"0": 10},
               "blocks": [{"first": -1.0, "last": 2.0, "inputs": 10,
                           "incorrectly_rounded": int(bad),
                           "max_ulp": "nan" if bad else 0}]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_verify_blocks(doc)
    left = fig.axes[0]
    assert "largest ULP error per block" in left.get_title()
    import matplotlib.pyplot as plt

    plt.close(fig)
