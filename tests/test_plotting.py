"""Figures: every plot renders, writes a valid PNG/SVG, and the bytes never change.

The plots draw precomputed data; the tests check what was drawn (curves, marks,
scales) and that two renders of the same figure give byte-identical files.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from approxfit.approximants.published import get_published
from approxfit.core.exceptions import InputError
from approxfit.core.grids import make_grid
from approxfit.fitting.fit import fit
from approxfit.present import plotting

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
X = np.linspace(-5, 5, 501)
NAMES = ["paper-tanh", "paper-sigmoid", "ibert", "as-7.1.26"]


@pytest.fixture(scope="module")
def minimax_result():
    # Paper form with c1 = √(2/π) fixed, minimax on the gate: an odd error, 2 points in x > 0.
    return fit("gelu", "tanh", make_grid(-6, 6, samples=1201), degree=3,
               fix={"c1": math.sqrt(2 / math.pi)}, objective="minimax", on="gate")


def coefficient_rows():
    return [{"R": r, "objective": obj, "on": "gate", "value": 0.0447 + 0.001 / r + d}
            for r in (1, 2, 4, 8) for obj, d in (("l2", 1e-4), ("minimax", 0.0))]


def _draw(kind, minimax_result):
    aps = [get_published(n) for n in NAMES]
    if kind == "overlay":
        return plotting.plot_overlay("gelu", aps, X)
    if kind == "overlay-gate":
        return plotting.plot_overlay("gelu", aps, X, on="gate")
    if kind == "abs-error":
        return plotting.plot_abs_error("gelu", aps, X)
    if kind == "erf-tanh-sigmoid":
        return plotting.plot_erf_tanh_sigmoid(X)
    if kind == "certificate":
        return plotting.plot_minimax_certificate(minimax_result)
    return plotting.plot_coefficient_vs_range(
        coefficient_rows(), references={"Taylor": (4 - math.pi) / (6 * math.pi),
                                        "paper": 0.044715})


KINDS = ["overlay", "overlay-gate", "abs-error", "erf-tanh-sigmoid", "certificate",
         "coefficient-vs-range"]


@pytest.mark.parametrize("kind", KINDS)
def test_png_written_valid_and_deterministic(kind, minimax_result, tmp_path):
    paths = []
    for i in range(2):
        ax = _draw(kind, minimax_result)
        # erf-tanh-sigmoid: the x label is on the difference panel below
        assert ax.get_title() and ax.figure.axes[-1].get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None
        paths.append(plotting.save_figure(ax.figure, tmp_path / f"{kind}-{i}.png"))
    first, second = (p.read_bytes() for p in paths)
    assert first[:8] == PNG_SIGNATURE and len(first) > 10_000
    assert b"Software" not in first          # no matplotlib version in the file
    assert first == second
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was replaced


def test_svg_is_deterministic(minimax_result, tmp_path):
    outs = []
    for i in range(2):
        ax = _draw("certificate", minimax_result)
        outs.append(plotting.save_figure(ax.figure, tmp_path / f"c{i}.svg").read_bytes())
    assert outs[0].lstrip().startswith(b"<?xml") and b"<svg" in outs[0]
    assert b"<dc:date>" not in outs[0]
    assert outs[0] == outs[1]


def test_draws_on_a_given_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plotting.plot_overlay("gelu", [get_published("paper-tanh")], X, ax=left,
                                 zoom=None) is left
    assert plotting.plot_erf_tanh_sigmoid(X, ax=right) is right
    assert len(left.get_lines()) == 2 and len(right.get_lines()) == 5


def test_subplots_and_figure_bytes(tmp_path):
    fig, axes = plotting.subplots(1, 2)
    assert axes.shape == (2,)
    plotting.plot_overlay("gelu", [get_published("paper-tanh")], X, ax=axes[0])
    plotting.plot_overlay("gelu", [get_published("paper-tanh")], X, ax=axes[1], on="gate")
    data = plotting.figure_bytes(fig, "overview.png")
    assert data[:8] == PNG_SIGNATURE
    assert plotting.save_figure(fig, tmp_path / "overview.png").read_bytes() == data
    assert plotting.figure_bytes(fig, "svg").lstrip().startswith(b"<?xml")
    with pytest.raises(InputError, match=r"must end in \.png or \.svg"):
        plotting.figure_bytes(fig, "pdf")


def test_overlay_draws_target_then_each_approximant():
    aps = [get_published(n) for n in NAMES]
    ax = plotting.plot_overlay("gelu", aps, X, on="gate")
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["gelu gate (exact)", *NAMES]
    np.testing.assert_allclose(lines[1].get_ydata(), aps[0].evaluate(X, on="gate"))
    assert len(ax.child_axes) == 1           # the zoom inset


def test_abs_error_is_log_and_floored():
    a = get_published("paper-tanh")
    ax = plotting.plot_abs_error("gelu", [a], X, floor=1e-16)
    assert ax.get_yscale() == "log"
    y = ax.get_lines()[0].get_ydata()
    assert np.min(y) == 1e-16                # the zero at x = 0 sits on the floor
    with pytest.raises(InputError, match="`floor` must be a positive number, got 0"):
        plotting.plot_abs_error("gelu", [a], X, floor=0.0)


def test_erf_tanh_sigmoid_curves():
    from scipy.special import erf

    ax = plotting.plot_erf_tanh_sigmoid(X, k=1.702)
    erf_line, tanh_line, sig_line = ax.get_lines()[:3]
    np.testing.assert_allclose(erf_line.get_ydata(), erf(X / math.sqrt(2)), rtol=1e-15)
    np.testing.assert_allclose(tanh_line.get_ydata(), np.tanh(math.sqrt(2 / math.pi) * X),
                               rtol=1e-15)
    # 2σ(kx) − 1 = tanh(kx/2)
    np.testing.assert_allclose(sig_line.get_ydata(), np.tanh(0.851 * X), rtol=1e-12)


def test_certificate_marks_mirrored_points(minimax_result):
    cert = minimax_result.certificate
    assert cert.symmetry == "odd"
    ax = plotting.plot_minimax_certificate(minimax_result)
    marks = next(ln for ln in ax.get_lines() if ln.get_marker() == "o")
    xs, ys = marks.get_xdata(), marks.get_ydata()
    assert len(xs) == 2 * len(cert.points)
    # odd error: e(−x) = −e(x)
    np.testing.assert_allclose(xs, [-p for p in reversed(cert.points)] + list(cert.points))
    np.testing.assert_allclose(ys[: len(cert.points)], [-e for e in reversed(cert.errors)])
    level = max(abs(e) for e in cert.errors)
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert sorted(float(ln.get_ydata()[0]) for ln in dashed) == [-level, level]


def test_certificate_needs_a_minimax_fit():
    r = fit("gelu", "tanh", make_grid(-3, 3, samples=201), degree=3, on="gate")
    with pytest.raises(InputError, match="needs a minimax fit"):
        plotting.plot_minimax_certificate(r)


def test_coefficient_vs_range_groups_and_references():
    ax = plotting.plot_coefficient_vs_range(coefficient_rows(), references={"paper": 0.044715})
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels == ["l2 on the gate", "minimax on the gate", "paper = 0.044715"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 4, 8])
    with pytest.raises(InputError, match=r"rows\[0\] needs R, objective, on and value"):
        plotting.plot_coefficient_vs_range([{"R": 1}])


def test_save_figure_rejects_bad_paths(tmp_path):
    ax = plotting.plot_erf_tanh_sigmoid(X)
    with pytest.raises(InputError, match=r"must end in \.png or \.svg"):
        plotting.save_figure(ax.figure, tmp_path / "plot.jpg")
    with pytest.raises(InputError, match="does not exist"):
        plotting.save_figure(ax.figure, tmp_path / "missing" / "plot.png")


def test_importing_plotting_does_not_import_matplotlib():
    code = ("import sys, approxfit.present.plotting, approxfit.measure.report, "
            "approxfit.present.tables; "
            "print('matplotlib' in sys.modules, 'rich' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]
