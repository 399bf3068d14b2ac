"""``verify`` at scale: blocks on executors (same result as serial), sampled input sets,
per-block records, the octave histogram, the stable form, and the CLI's flags."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from approxfit.approximants.published import get_published
from approxfit.core.exceptions import InputError
from approxfit.lowprec.formats import finite_count, finite_index_range, finite_values
from approxfit.lowprec.model import make_model, run_program
from approxfit.lowprec.reference import correctly_rounded_array, round_mpf
from approxfit.lowprec.verify import (
    HIST_EXACT,
    NAN_ULP,
    Kernel,
    histogram_key,
    input_set_text,
    sample_indices,
    tally_block,
    ulp_distance,
    values_at,
    verify,
)
from tests.helpers import run_inprocess

ROOT = Path(__file__).resolve().parents[1]


def _doc(r, blocks=True):
    d = r.to_dict(blocks=blocks)
    d.pop("seconds")
    return d


@pytest.fixture(scope="module")
def tanh_gelu():
    return get_published("paper-tanh")


# -- executors: the same document whatever runs the blocks ------------------------------

def test_serial_local_and_threads_give_identical_documents(tanh_gelu):
    kw = dict(block_size=4096)
    serial = verify(tanh_gelu, "gelu", "float16", executor="serial", **kw)
    local = verify(tanh_gelu, "gelu", "float16", executor="local", **kw)
    with ThreadPoolExecutor(max_workers=5) as ex:    # completes in any order
        threads = verify(tanh_gelu, "gelu", "float16", executor=ex, **kw)
    assert len(serial.blocks) == -(-finite_count("float16") // 4096) == 16
    assert _doc(local) == _doc(serial)
    assert _doc(threads) == _doc(serial)
    # one block of everything gives the same document (blocks combine exactly)
    whole = verify(tanh_gelu, "gelu", "float16")
    assert len(whole.blocks) == 1
    assert _doc(whole, blocks=False) == _doc(serial, blocks=False)


def test_progress_is_called_after_every_block_in_order(tanh_gelu):
    seen = []
    verify(tanh_gelu, "gelu", "bfloat16", block_size=10_000, executor="local",
           progress=lambda done, total: seen.append((done, total)))
    assert seen == [(min(65280, 10_000 * k), 65280) for k in range(1, 8)]


def test_default_executor_is_serial_for_one_block(tanh_gelu, monkeypatch):
    import approxfit.lowprec.verify as v

    def boom(*a, **k):
        raise AssertionError("a pool was started for one block")

    monkeypatch.setattr(v, "_run_parallel", boom)
    assert verify(tanh_gelu, "gelu", "bfloat16").inputs == 65280


def test_a_closure_kernel_runs_serially_with_a_stated_reason():
    k = Kernel("halfx", lambda x: (x.astype(np.float64) * 0.5))
    r = verify(k, "gelu", "float16", executor="local", block_size=8192)
    assert r.notes and "ran in this process" in r.notes[0]
    assert r.form == "kernel" and r.inputs == finite_count("float16")


def test_an_unpicklable_kernel_on_an_executor_runs_serially():
    k = Kernel("halfx", lambda x: (x.astype(np.float64) * 0.5))
    with ThreadPoolExecutor(max_workers=2) as ex:
        r = verify(k, "gelu", "float8_e5m2", executor=ex)
    assert r.notes and "cannot be sent" in r.notes[0]


def test_a_custom_target_is_rebuilt_in_the_workers(tanh_gelu):
    from approxfit.core.targets import custom_target

    tgt = custom_target("myg", "x/(1+exp(-1.702*x))")
    a = verify(tanh_gelu, tgt, "float8_e4m3fn", executor="serial", block_size=64)
    b = verify(tanh_gelu, tgt, "float8_e4m3fn", executor="local", block_size=64)
    assert not b.notes and _doc(a) == _doc(b)


@pytest.mark.parametrize("bad", ["nope", "dask://h:0", 3, object()])
def test_bad_executor_is_an_input_error(tanh_gelu, bad):
    with pytest.raises(InputError, match="`executor`"):
        verify(tanh_gelu, "gelu", "bfloat16", executor=bad)


# -- blocks ---------------------------------------------------------------------------

def test_blocks_sum_to_the_totals_and_recheck_alone(tanh_gelu):
    r = verify(tanh_gelu, "gelu", "bfloat16", block_size=5000)
    bl = r.blocks
    assert sum(b["inputs"] for b in bl) == r.inputs == 65280
    assert sum(b["incorrectly_rounded"] for b in bl) == r.incorrectly_rounded
    assert max(b["max_ulp"] for b in bl) == r.max_ulp
    assert all(b0["last"] < b1["first"] or (b0["last"] == 0 == b1["first"])
               for b0, b1 in itertools.pairwise(bl))
    # a block checked on its own, from its index range, gives its record
    model = make_model("bfloat16")
    from approxfit.core.targets import resolve_target

    start, _ = finite_index_range("bfloat16")
    k = 7
    x = finite_values("bfloat16", start + 5000 * k, start + 5000 * (k + 1))
    t = tally_block(tuple(tanh_gelu.program(on="value")), resolve_target("gelu"), model, x)
    assert t.blocks == (bl[k],)
    assert "blocks" not in r.to_dict() and len(r.to_dict(blocks=True)["blocks"]) == len(bl)


# -- sampled input sets ------------------------------------------------------------------

def test_sample_indices_are_the_stated_formula():
    assert sample_indices(0, 10, 4).tolist() == [0, 2, 5, 7]
    start, stop = finite_index_range("float32")
    total, n = stop - start, 2**20
    rng = np.random.default_rng(1)
    pos = np.sort(rng.integers(0, n, 200))
    got = [int(sample_indices(start, total, n, int(i), int(i) + 1)[0]) for i in pos]
    assert got == [start + (int(i) * total) // n for i in pos]           # Python ints
    # float64: the 64-bit arithmetic near the top of its index range
    s64, e64 = finite_index_range("float64")
    big = sample_indices(s64, e64 - s64, 2**32, 2**32 - 1, 2**32)
    assert int(big[0]) == s64 + ((2**32 - 1) * (e64 - s64)) // 2**32
    with pytest.raises(InputError):
        sample_indices(0, 10, 11)


def test_values_at_matches_finite_values():
    for fmt in ("float16", "bfloat16", "float8_e4m3fn"):
        n = finite_count(fmt)
        assert values_at(fmt, np.arange(n)).tobytes() == finite_values(fmt, 0, n).tobytes()
    n64 = finite_count("float64")
    v = values_at("float64", np.array([0, n64 // 2 - 1, n64 // 2, n64 - 1], dtype=np.uint64))
    assert v.tolist() == [-np.finfo(np.float64).max, -0.0, 0.0, np.finfo(np.float64).max]


def test_input_set_texts(tanh_gelu):
    assert verify(tanh_gelu, "gelu", "bfloat16").input_set == "every finite bfloat16 value"
    assert input_set_text("float32", (-8.0, 8.0), 10, None) == \
        "every finite float32 value in [-8, 8]"
    assert input_set_text("float32", None, 4278190080, 2**20) == \
        "1,048,576 evenly spaced float32 values (every 4,080th finite value)"
    assert input_set_text("float32", None, 4278190080, 10**6) == \
        "1,000,000 evenly spaced float32 values (about every 4,278th finite value)"
    assert input_set_text("bfloat16", None, 65280, 32640) == \
        "32,640 evenly spaced bfloat16 values (every 2nd finite value)"
    r = verify(tanh_gelu, "gelu", "float32", sample=4096)
    assert r.inputs == 4096
    assert r.input_set == "4,096 evenly spaced float32 values (every 1,044,480th finite value)"
    assert r.to_dict()["input_set"] == r.input_set
    # every worst x is one of the sampled values, computed here with Python ints
    start, stop = finite_index_range("float32")
    xs = set(values_at("float32", [start + (i * (stop - start)) // 4096 for i in range(4096)])
             .astype(np.float64).tolist())
    assert all(w["x"] in xs for w in r.worst)
    # a sample of at least every input is every input
    assert verify(tanh_gelu, "gelu", "float8_e5m2", sample=10**6).input_set == \
        "every finite float8_e5m2 value"


@pytest.mark.parametrize("bad", [0, -1, 2**32 + 1, True, 2.0, "5"])
def test_bad_sample_is_an_input_error(tanh_gelu, bad):
    with pytest.raises(InputError, match="`sample`"):
        verify(tanh_gelu, "gelu", "bfloat16", sample=bad)


# -- the histogram of large distances ------------------------------------------------------

def test_histogram_key_octaves():
    d = np.array([0, 1, HIST_EXACT - 1, HIST_EXACT, 2**17 - 1, 2**17, 2**40 + 3, 2**63,
                  NAN_ULP], dtype=np.uint64)
    want = [0, 1, HIST_EXACT - 1, 2**17 - 1, 2**17 - 1, 2**18 - 1, 2**41 - 1, NAN_ULP - 1,
            NAN_ULP]
    assert histogram_key(d).tolist() == want
    for v in (2**16, 2**16 + 1, 2**31 - 1, 2**31, 3 * 2**30):
        assert int(histogram_key(np.array([v], dtype=np.uint64))[0]) == \
            2 ** int(v).bit_length() - 1


def test_float32_histogram_against_independent_distances(tanh_gelu):
    """A float32 range where the as-published form returns −0 for a nonzero GELU (errors
    of ~10^9 ulp): the histogram's octaves against distances computed from int32 bit
    patterns and Python's int.bit_length."""
    r = verify(tanh_gelu, "gelu", "float32", range=(-5.25, -5.15))
    model = make_model("float32")
    lo, hi = finite_index_range("float32", -5.25, -5.15)
    x = finite_values("float32", lo, hi)
    res, _ = run_program(tuple(tanh_gelu.program(on="value")), x, model)
    from approxfit.core.targets import resolve_target

    cor, _ = correctly_rounded_array(resolve_target("gelu"), x.astype(np.float64), "float32")

    def code(v):
        b = v.view(np.int32).astype(np.int64)
        return np.where(b < 0, -(b & 0x7FFFFFFF), b)

    d = np.abs(code(res) - code(cor))
    want: dict[int, int] = {}
    for v, c in zip(*np.unique(d, return_counts=True), strict=True):
        k = int(v) if v < HIST_EXACT else 2 ** int(v).bit_length() - 1
        want[k] = want.get(k, 0) + int(c)
    assert r.histogram == want
    assert r.max_ulp == int(d.max()) > 2**29
    assert sum(r.histogram.values()) == r.inputs == x.size


# -- the stable form -----------------------------------------------------------------------

def _formula_mp(x: float, c1: float, c3: float):
    """paper-tanh's formula x·σ(2p) in mpmath, with the float32 constants the model uses."""
    import mpmath

    with mpmath.workdps(60):
        xm = mpmath.mpf(x)
        p = xm * (mpmath.mpf(c1) + mpmath.mpf(c3) * xm * xm)
        return xm / (1 + mpmath.exp(-2 * p))


def test_stable_form_removes_the_cancellation_against_mpmath(tanh_gelu):
    import mpmath

    pub = verify(tanh_gelu, "gelu", "bfloat16")
    st = verify(tanh_gelu, "gelu", "bfloat16", form="stable")
    assert (pub.form, st.form) == ("as-published", "stable")
    consts = {s.label: float(np.float32(s.value)) for s in tanh_gelu.program()
              if s.op == "const"}
    model = make_model("bfloat16")
    xs = np.array([w["x"] for w in pub.worst]).astype(model.fmt.dtype)
    r_pub, _ = run_program(tuple(tanh_gelu.program(on="value")), xs, model)
    r_st, _ = run_program(tuple(tanh_gelu.program(on="value", gate_form="sigmoid")), xs,
                          model)
    x64 = xs.astype(np.float64)
    formula = np.array([round_mpf(_formula_mp(float(x), consts["c1"], consts["c3"]),
                                  "bfloat16") for x in x64])
    with mpmath.workdps(60):
        gelu = np.array([round_mpf(mpmath.mpf(float(x)) * mpmath.ncdf(float(x)), "bfloat16")
                         for x in x64])
    # the stable program is the formula, correctly rounded (float32 work, then bfloat16:
    # at most 1 ulp from the double rounding); the published one is thousands off it
    assert ulp_distance(r_st, formula, "bfloat16").max() <= 1
    assert ulp_distance(r_pub, formula, "bfloat16").min() > 10_000
    # verify's distances are the ones to mpmath's GELU
    assert ulp_distance(r_pub, gelu, "bfloat16").tolist() == [w["ulp"] for w in pub.worst]
    d_st = ulp_distance(r_st, gelu, "bfloat16")
    # what is left at those inputs is the formula's own error, 10x+ smaller
    assert d_st.max() * 10 < pub.max_ulp
    assert st.max_ulp < pub.max_ulp


def test_stable_form_is_refused_for_a_kernel():
    k = Kernel("halfx", lambda x: x)
    with pytest.raises(InputError, match="`form` stable"):
        verify(k, "gelu", "bfloat16", form="stable")
    with pytest.raises(InputError, match="`form`"):
        verify(get_published("paper-tanh"), "gelu", "bfloat16", form="fast")


def test_stable_form_leaves_other_families_alone():
    a = get_published("paper-sigmoid")
    pub, st = verify(a, "gelu", "bfloat16"), verify(a, "gelu", "bfloat16", form="stable")
    d1, d2 = _doc(pub), _doc(st)
    assert d1.pop("form") == "as-published" and d2.pop("form") == "stable"
    assert d1 == d2


# -- the command line ---------------------------------------------------------------------

def _one_line(argv, status=2):
    code, out, err = run_inprocess(argv)
    assert code == status, (code, out, err)
    assert err.startswith("approxfit: error: ") and err.count("\n") == 1, err
    return err


def test_cli_sample_form_executor_json():
    code, out, err = run_inprocess(["verify", "paper-tanh", "--format", "float32",
                                    "--sample", "2048", "--form", "stable", "--executor",
                                    "serial", "--json"])
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert row["inputs"] == 2048 and row["form"] == "stable"
    assert row["input_set"].startswith("2,048 evenly spaced float32 values")
    assert "blocks" not in row


def test_cli_text_states_the_input_set_and_form():
    code, out, err = run_inprocess(["verify", "paper-tanh", "--format", "float16",
                                    "--form", "stable"])
    assert code == 0, err
    assert "inputs: every finite float16 value" in out
    assert "form stable" in out and "σ(2p)" in out


@pytest.mark.parametrize("argv, flag", [
    (["--form", "fast"], "--form"), (["--sample", "0"], "--sample"),
    (["--sample", "x"], "--sample"), (["--executor", "nope"], "--executor"),
    (["--executor", "dask://h:0"], "--executor"),
    (["--executor", "dask://inproc://x"], "--executor")])
def test_cli_bad_values_exit_2_with_one_line(argv, flag):
    err = _one_line(["verify", "paper-tanh", "--format", "bfloat16", *argv])
    assert flag in err


def test_cli_stable_form_with_a_torch_spec_is_refused():
    err = _one_line(["verify", "paper-tanh", "torch-gelu", "--format", "bfloat16",
                     "--form", "stable"])
    assert "--form stable" in err and "torch-gelu" in err


# -- Ctrl-C stops the workers -------------------------------------------------------------

def _children(pid: int) -> list[str]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    st = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if st[1] == str(pid) and st[0] != "Z":
                out.append(d)
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_a_local_run_and_its_workers():
    proc = subprocess.Popen([sys.executable, "-m", "approxfit", "verify", "paper-tanh",
                             "--format", "float32", "--range", "1", "1e6", "--executor",
                             "local"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    end = time.monotonic() + 60
    while not _children(proc.pid):
        if proc.poll() is not None or time.monotonic() > end:
            pytest.fail(f"no workers started: {proc.communicate()[1]}")
        time.sleep(0.02)
    workers = _children(proc.pid)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)             # the terminal signals the whole group
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("verify hung after Ctrl-C")
    assert proc.returncode == 130, err
    assert err.count("\n") == 1 and err.startswith("approxfit: interrupted"), err
    time.sleep(0.2)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}")
                and open(f"/proc/{w}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]


def test_dask_local_cluster_gives_the_serial_document(tanh_gelu):
    distributed = pytest.importorskip("distributed")
    serial = verify(tanh_gelu, "gelu", "float8_e5m2", executor="serial", block_size=32)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        dask = verify(tanh_gelu, "gelu", "float8_e5m2", executor=f"dask://{address}",
                      block_size=32)
    assert len(serial.blocks) == 8 and _doc(dask) == _doc(serial)


def test_float64_inputs_beyond_the_asymptote_are_decided_without_mpmath():
    """Review of issue 14: below about −1e154 mpmath's Φ raised OverflowError, and every
    float64 input below −38.5 went to mpmath. Beyond |x| = 1e4 GELU is x or −0 in every
    format (the closed-form limits), decided without mpmath."""
    from approxfit.core.targets import resolve_target
    from approxfit.lowprec.reference import correctly_rounded

    r = verify(get_published("paper-tanh"), "gelu", "float64",
               range=(-1.7e308, -1e308), sample=3)
    assert (r.inputs, r.incorrectly_rounded, r.reference_mpmath_cases) == (3, 0, 0)
    x = np.array([-1e300, -1e155, -2e4, 2e4, 1e300])
    y, n = correctly_rounded(resolve_target("gelu"), x, "float64")
    assert n == 0
    assert list(y) == [0.0, 0.0, 0.0, 2e4, 1e300] and all(np.signbit(y[:3]))
    y, n = correctly_rounded(resolve_target("erf"), x, "float32")
    assert n == 0 and list(y) == [-1.0, -1.0, -1.0, 1.0, 1.0]


def test_float64_worst_inputs_print_every_digit():
    code, out, err = run_inprocess(["verify", "paper-tanh", "--format", "float64",
                                    "--range", "1", "1.0000000000001"])
    assert code == 0, err
    xs = [ln.split()[2] for ln in out.splitlines() if ln.startswith("  x = ")]
    assert len(xs) == 5 and len(set(xs)) == 5        # distinct inputs, printed distinctly


def test_torch_sigmoid_defaults_to_the_sigmoid_target():
    pytest.importorskip("torch")
    code, out, err = run_inprocess(["verify", "torch-sigmoid", "--format", "float8_e5m2"])
    assert code == 2 and "torch-sigmoid runs in" in err      # PyTorch has no float8 sigmoid
    code, out, err = run_inprocess(["verify", "torch-sigmoid", "--format", "bfloat16",
                                    "--json"])
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert (row["target"], row["inputs"]) == ("sigmoid", 65_280)
