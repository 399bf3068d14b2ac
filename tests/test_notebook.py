"""The story notebook runs from top to bottom and tells what the toolkit finds."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "gelu_approximations.ipynb"


def test_committed_notebook_uses_the_public_api_and_shows_real_figures():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import approxfit as af" in code
    assert "from approxfit" not in code and "import approxfit." not in code
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2                        # the figures are pictures, not reprs
    assert all(len(o["data"]["image/png"]) > 10_000 for o in images)


def test_notebook_executes_and_finds_the_paper_constant(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:                    # run from scratch, not from saved outputs
        if cell.cell_type == "code":
            cell.outputs = []
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "error" not in {o.get("output_type") for c in nb.cells if c.cell_type == "code"
                           for o in c.outputs}
    assert "a3 = 0.0447149" in text                     # minimax on the gate → 0.044715
    assert "(4 - pi)/(6*pi)" in text                    # Taylor matching
    assert "(0.0448465, 0.0445228)" in text             # least squares, gate and value
    assert "tanh-5 (tail guard ±10)" in text
