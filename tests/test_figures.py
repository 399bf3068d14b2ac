"""Every figure kind renders on awkward inputs without a warning, and draws what it says.

Awkward inputs: an error of exactly 0, one point, collinear points, huge ranges,
constant data.  ``warnings.simplefilter("error")`` turns any warning (log of 0, an
empty legend, a singular axis) into a failure.  Beyond "it renders", the tests check
what is drawn: legend entries only for drawn series, the same x range in both overlay
panels, title and legend agreeing on the count of alternation points.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from approxfit.approximants.published import get_published
from approxfit.core.grids import make_grid
from approxfit.fitting.fit import fit
from approxfit.present import plotting
from approxfit.present.precision_plot import edge_counts, plot_ulp_histogram
from approxfit.present.style import PALETTE, float64_resolution, log_limits, series_style
from approxfit.present.verify_plot import cumulative_share


@pytest.fixture(autouse=True)
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _png(ax_or_fig) -> bytes:
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    data = plotting.figure_bytes(fig, "png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return data


def _legend(ax) -> list[str]:
    leg = ax.get_legend()
    return [] if leg is None else [t.get_text() for t in leg.get_texts()]


def _row(name, family, degree, cost, error):
    return {"name": name, "family": family, "degree": degree, "cost": {"total": cost},
            "max_error_whole_line": error}


def _pareto(rows, published=(), frontier=None, recommended=None, target="silu"):
    return {"target": target, "range": [-10.0, 10.0], "objective": "minimax", "on": "value",
            "rows": list(rows), "published": list(published),
            "frontier": frontier if frontier is not None else [rows[0]["name"]],
            "recommended": recommended}


# -- pareto --------------------------------------------------------------------------------

def test_pareto_silu_error_zero_is_drawn_on_the_resolution_floor():
    """The bug of pareto-silu.png: a frontier point of error 0, nothing published."""
    rows = [_row("tanh-1", "tanh", 1, 15, 0.0), _row("tanh-3", "tanh", 3, 21, 8.9e-15),
            _row("tanh-7", "tanh", 7, 29, 4.5e-4), _row("tanh-9", "tanh", 9, 32, 4.5e-4),
            _row("sigmoid-1", "sigmoid", 1, 15, 0.0),
            _row("sigmoid-3", "sigmoid", 3, 21, 8.9e-15),
            _row("sigmoid-7", "sigmoid", 7, 29, 4.5e-4),
            _row("sigmoid-9", "sigmoid", 9, 32, 4.5e-4),
            _row("poly-1", "poly", 1, 2, 5.0e3)]
    ax = plotting.plot_pareto(_pareto(rows, frontier=["tanh-1", "sigmoid-1"]))
    _png(ax)
    floor = plotting.pareto_resolution(-10.0, 10.0)
    # 2⁸ ulp of float64 at |x| = 10 is 5.7e-13: the next power of ten
    assert floor == 1e-12 and 256 * 2.0**-52 * 10 < floor < 10 * 256 * 2.0**-52 * 10
    labels = _legend(ax)
    assert not any(t.startswith("published") for t in labels)    # none is drawn
    assert any("float64 resolution" in t for t in labels)
    assert any(t.startswith("Pareto frontier") for t in labels)
    # the tanh and sigmoid series coincide: drawn once, named both
    fams = [t for t in labels if "family" in t]
    assert fams == ["sigmoid = tanh family (the same points), degree 1–9"]
    (pts,) = [c for c in ax.collections if c.get_label() == fams[0]]
    ys = pts.get_offsets()[:, 1]
    assert ys.min() == floor                     # the 0 sits on the floor, not at log(0)
    lo, hi = ax.get_ylim()
    assert floor / 10 < lo < floor and hi < 1e-2  # the axis is not stretched to noise
    assert "poly not shown" in ax.get_title() and "grows without bound" in ax.get_title()
    # no degree label hides under the legend (the legend is outside the axes)
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.y1 < ax.get_window_extent().y0


def test_pareto_labels_do_not_overlap_and_equal_points_share_one():
    rows = [_row("tanh-1", "tanh", 1, 14, 1.4e-2), _row("tanh-3", "tanh", 3, 17, 2.7e-4)]
    pubs = [_row("paper-tanh", "tanh", 0, 17, 4.73e-4), _row("seed-free-tanh", "tanh", 0, 17,
                                                           4.7312e-4),
            _row("taylor-tanh", "tanh", 0, 17, 7.5e-4), _row("seed-alt-tanh", "tanh", 0, 17,
                                                            5.5e-4),
            _row("bowling-2009", "tanh", 0, 17, 3.8e-4), _row("ibert", "x", 0, 14, 1.8e-2),
            _row("paper-sigmoid", "sigmoid", 0, 14, 2.0e-2),
            _row("seed-alt-sigmoid", "sigmoid", 0, 14, 2.5e-2)]
    ax = plotting.plot_pareto(_pareto(rows, pubs, frontier=["tanh-1", "tanh-3"],
                                      target="gelu"))
    _png(ax)
    texts = [t for t in ax.texts if t.get_text()]
    names = [t.get_text() for t in texts]
    assert "paper-tanh = seed-free-tanh (4.7e-04)" in names
    assert not any(n.startswith("seed-free-tanh") for n in names)
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two labels overlap"


@pytest.mark.parametrize("rows", [
    [_row("tanh-1", "tanh", 1, 10, 1e-3)],                                   # one point
    [_row(f"tanh-{d}", "tanh", d, 10 + d, 1e-3) for d in (1, 2, 3)],        # collinear
    [_row("tanh-1", "tanh", 1, 1, 1e-300), _row("tanh-2", "tanh", 2, 10**6, 0.9)],  # huge
])
def test_pareto_awkward_inputs(rows):
    ax = plotting.plot_pareto(_pareto(rows))
    _png(ax)
    lo, hi = ax.get_ylim()
    assert 0 < lo < hi and math.isfinite(hi)


# -- error axes ----------------------------------------------------------------------------

def test_abs_error_title_legend_and_float64_noise():
    x = np.arange(-10, 10, 0.01)
    aps = [get_published("paper-tanh"), get_published("as-7.1.26")]
    ax = plotting.plot_abs_error("gelu", aps, x)
    _png(ax)
    assert "x ∈ [-10, 9.99], 2,000 points, step 0.01" in ax.get_title()
    exact = aps[0].target_obj.evaluate(x)
    worst = float(np.max(np.abs(aps[0].evaluate(x) - exact)))
    assert f"paper-tanh: max {worst:.2e}" in _legend(ax)
    # beyond x = 8 the tanh form's true error (~x·e^(-2·0.8·x)) is < 1e-5 · ulp: only
    # float64 rounding is left, and it is not drawn as a curve
    y = ax.get_lines()[0].get_ydata()
    tail = x > 8.5
    assert np.all(np.isnan(y[tail]))
    res = float64_resolution(exact)
    assert np.all(np.abs(aps[0].evaluate(x) - exact)[tail] <= res[tail])
    # where the error is resolved it is drawn as measured
    body = np.abs(x) < 2
    np.testing.assert_allclose(y[body & np.isfinite(y)],
                               np.maximum(np.abs(aps[0].evaluate(x) - exact),
                                          1e-18)[body & np.isfinite(y)])


def test_abs_error_of_an_exact_approximant_and_constant_data():
    """Error 0 everywhere: nothing to draw on a log axis, and no log(0) warning."""
    from approxfit.core.targets import get_target

    class Exact:
        name = "exact-silu"

        def evaluate(self, x, on="value"):
            return get_target("silu").evaluate(x, on=on)

    ax = plotting.plot_abs_error("silu", [Exact()], np.linspace(-3, 3, 7))
    _png(ax)
    assert ax.get_ylim()[0] > 0


def test_log_limits_cases():
    assert log_limits([0.0, 0.0], 1e-12) == (1e-13, 1e-11)       # all on the floor
    lo, hi = log_limits([1e-300, 1.0], 1e-320)
    assert lo < 1e-300 and hi > 1.0
    assert log_limits([], 1e-6) == (1e-6 / 3, 1e-6 * 30)


# -- overlay, certificate, erf --------------------------------------------------------------

def test_reproduced_overlay_panels_share_the_x_range():
    from approxfit.studies.reproduce.figures import make_figures

    sweep = [{"family": f, "coefficient": "a3", "R": r, "objective": "l2", "on": "gate",
              "value": v} for f, v in (("tanh", 0.0447), ("sigmoid", 1.70)) for r in (1.0, 2.0)]
    figs = make_figures(sweep)
    left, right = figs["gelu-overlay.png"].axes[:2]
    assert left.get_xlim() == right.get_xlim() == (-5.0, 5.0)
    erf_axes = [a for a in figs["erf-tanh-sigmoid.png"].axes]
    assert len(erf_axes) == 2                                   # curves and differences
    for f in figs.values():
        _png(f)


def test_certificate_title_and_legend_count_the_same_points():
    r = fit("gelu", "tanh", make_grid(-6, 6, samples=1201), degree=3,
            fix={"c1": math.sqrt(2 / math.pi)}, objective="minimax", on="gate")
    ax = plotting.plot_minimax_certificate(r)
    _png(ax)
    n = len(r.certificate.points)
    marks = next(ln for ln in ax.get_lines() if ln.get_marker() == "o")
    (label,) = [t for t in _legend(ax) if t.startswith("alternation points")]
    assert f"{n} of {r.certificate.required} required alternation points in x > 0" \
        in ax.get_title()
    assert label == f"alternation points: {n} in x > 0 + {len(marks.get_xdata()) - n} " \
        "mirrored at −x"


def test_erf_tanh_sigmoid_difference_panel():
    from scipy.special import erf

    x = np.linspace(-4, 4, 401)
    ax = plotting.plot_erf_tanh_sigmoid(x, k=1.702)
    _png(ax)
    bottom = next(a for a in ax.figure.axes if a is not ax)
    tanh_d = bottom.get_lines()[0].get_ydata()
    np.testing.assert_allclose(tanh_d, np.tanh(math.sqrt(2 / math.pi) * x)
                               - erf(x / math.sqrt(2)), atol=1e-15)
    worst = float(np.max(np.abs(tanh_d)))
    assert f"max |·| {worst:.2e}" in _legend(bottom)[0]
    assert bottom.get_xlim() == ax.get_xlim()


@pytest.mark.parametrize("x", [np.array([0.0, 1e-300]), np.linspace(-1e6, 1e6, 5)])
def test_float_plots_on_tiny_and_huge_ranges(x):
    a = [get_published("paper-tanh")]
    for ax in (plotting.plot_overlay("gelu", a, x, zoom=None),
               plotting.plot_abs_error("gelu", a, x), plotting.plot_erf_tanh_sigmoid(x)):
        _png(ax)


def test_coefficient_plot_with_constant_data():
    rows = [{"R": r, "objective": "l2", "on": "gate", "value": 0.5} for r in (1.0, 2.0)]
    _png(plotting.plot_coefficient_vs_range(rows, references={"ref": 0.5}))
    one = [{"R": 1.0, "objective": "l2", "on": "gate", "value": 0.5}]
    _png(plotting.plot_coefficient_vs_range(one))


# -- the ULP share -------------------------------------------------------------------------

def _precision_row(name, counts, n=None):
    from approxfit.lowprec.tables import ULP_BIN_EDGES

    edges = list(ULP_BIN_EDGES)
    return {"name": name, "dtype": "bfloat16", "target": "gelu", "on": "value", "n": n,
            "opmath": "format", "histogram": {"edges": edges, "counts": counts, "nan": 0},
            "floor_histogram": {"edges": edges, "counts": [sum(counts)] + [0] * 9,
                                "nan": 0}}


def test_ulp_share_is_cumulative_merges_equal_rows_and_states_its_inputs():
    a = [5, 1, 1, 1, 0, 0, 2, 0, 0, 0]
    b = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    rows = [_precision_row("p", a, 10), _precision_row("q", a, 10),
            _precision_row("r", b, 10)]
    ax = plot_ulp_histogram(rows, inputs="ten points", note="A note.")
    _png(ax)
    labels = _legend(ax)
    assert labels[:2] == ["p = q: 50.0% within ½ ulp", "r: 10.0% within ½ ulp"]
    step = ax.get_lines()[0]
    # the share at the bin edges: 5, 6, 7, 8, 8, 8, 10 of 10 at ½, 1, 2, 4, 16, 64, 256
    np.testing.assert_allclose(step.get_ydata()[:7], [0.5, 0.6, 0.7, 0.8, 0.8, 0.8, 1.0])
    np.testing.assert_allclose(step.get_xdata()[:7], [0.5, 1, 2, 4, 16, 64, 256])
    # r: 1 of 10 above 65536 ulp never counts as within
    assert ax.get_lines()[2].get_ydata()[-1] == pytest.approx(0.9)
    note = " ".join(t.get_text() for t in ax.texts)
    assert "Inputs: ten points" in note and "A note." in note
    assert "every operation rounded to bfloat16" in note


def test_ulp_share_of_one_exact_row():
    ax = plot_ulp_histogram([_precision_row("exact", [4] + [0] * 9, 4)], floor=False)
    _png(ax)
    assert _legend(ax) == ["exact: 100.0% within ½ ulp"]


def test_edge_counts_and_cumulative_share_read_fractional_edges():
    h = edge_counts([0.0, 0.5, 1.0, math.inf], [3, 1, 2], nan=2)
    ks, share = cumulative_share(h)
    np.testing.assert_array_equal(ks, [0.5, 1.0])
    np.testing.assert_allclose(share, [3 / 8, 4 / 8])
    ks, share = cumulative_share({"0": 2, "3": 1, "nan": 1})      # verify's integer keys
    np.testing.assert_array_equal(ks, [0, 3])
    np.testing.assert_allclose(share, [0.5, 0.75])


def test_zero_output_note_explains_the_255_ulp_jump():
    """The bfloat16 rise below 256 ulp: the formula returns 0 while GELU is a tiny
    negative number; the error, |f|/ulp(f), is then 2⁷·m ulp, m in [1, 2)."""
    from approxfit.studies.reproduce.claims import seed_grid
    from approxfit.studies.reproduce.figures import zero_output_note

    note = zero_output_note([get_published("paper-tanh"), get_published("as-7.1.26")],
                            seed_grid().x)
    assert "paper-tanh: 221 inputs" in note and "as-7.1.26" not in note
    import re

    ulps = [float(v) for v in re.search(r"here ([\d.]+) to ([\d.]+) ulp", note).groups()]
    assert 128 <= ulps[0] <= ulps[1] < 256


# -- the style -----------------------------------------------------------------------------

def test_series_styles_stay_apart_beyond_the_palette():
    styles = [series_style(i) for i in range(16)]
    pairs = {(s["color"], s["linestyle"]) for s in styles}
    assert len(pairs) == 16
    assert "#F0E442" not in PALETTE and len(set(PALETTE)) == len(PALETTE)


def test_verify_panels_render_with_the_style():
    from approxfit.present.verify_plot import share_panel

    fig, ax = plotting.subplots()
    share_panel(ax, [("k", {"0": 9, "1": 1}, PALETTE[0])], "t", "{:.0%} exact")
    _png(fig)
    assert _legend(ax) == ["k: 90% exact"]
