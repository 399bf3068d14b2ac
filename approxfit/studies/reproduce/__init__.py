"""Reproduce every claim of the source documents: claims, REPORT.md, figures, tables.

=================  ===============================================================
module             what it holds
=================  ===============================================================
``claims``         :class:`Claim`, :data:`CLAIM_IDS` and :func:`run_claims`: each
                   claim computed through approxfit's public functions
``figures``        the figures, precision tables and Pareto sweep written beside
                   the claims (as data and bytes)
``render``         :func:`render_report`: the text of REPORT.md
``verification``   :func:`verification_tables` (GELU kernels on every bfloat16 and
                   float16 input, float32 sampled) and :func:`float32_files` (every
                   float32 input), as bytes
``synthesis``      :func:`synthesis_files` (``--synthesis``): the cheapest correctly
                   rounded kernel of each target in bfloat16 and float16, proven,
                   beside PyTorch's; :func:`render_synthesis`
``shipped``        :func:`shipped_files` (``--shipped``): which recipe reproduces each
                   shipped constant set, or the nearest; :func:`render_shipped`
``write``          :func:`reproduce` and :func:`write_reproduction`: the files,
                   written atomically, only approxfit's own (:data:`OWNED_FILES`)
=================  ===============================================================
"""

from __future__ import annotations

from approxfit.studies.reproduce.claims import CLAIM_IDS, Claim, run_claims
from approxfit.studies.reproduce.figures import (
    make_figures,
    pareto_files,
    precision_tables,
    sweep_coefficients,
)
from approxfit.studies.reproduce.render import render_report
from approxfit.studies.reproduce.shipped import SHIPPED_FILES, render_shipped, shipped_files
from approxfit.studies.reproduce.synthesis import (
    SYNTHESIS_FILES,
    render_synthesis,
    synthesis_files,
)
from approxfit.studies.reproduce.verification import (
    FLOAT32_FILES,
    float32_files,
    verification_tables,
)
from approxfit.studies.reproduce.write import OWNED_FILES, reproduce, write_reproduction

__all__ = ["CLAIM_IDS", "FLOAT32_FILES", "OWNED_FILES", "SHIPPED_FILES", "SYNTHESIS_FILES",
           "Claim", "float32_files", "make_figures", "pareto_files", "precision_tables",
           "render_report", "render_shipped", "render_synthesis", "reproduce", "run_claims",
           "shipped_files", "sweep_coefficients", "synthesis_files", "verification_tables",
           "write_reproduction"]
