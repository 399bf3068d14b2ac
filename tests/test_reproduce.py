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
