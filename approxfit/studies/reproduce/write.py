"""Writing a reproduction: ``claims.json``, ``REPORT.md``, the figures and the tables.

:func:`reproduce` is the library form of ``approxfit reproduce``;
:func:`write_reproduction` computes everything first and then replaces only the files
it owns (:data:`OWNED_FILES`), all of them or none
(:func:`approxfit.core.io.write_files`: staged beside them, then committed in a
critical section), touching no other file in the folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from approxfit.core.exceptions import InputError
from approxfit.studies.reproduce.claims import Claim, run_claims
from approxfit.studies.reproduce.figures import (
    EXTRA_FILES,
    FIGURES,
    make_figures,
    pareto_files,
    precision_tables,
    sweep_coefficients,
)
from approxfit.studies.reproduce.render import render_report
from approxfit.studies.reproduce.shipped import shipped_files
from approxfit.studies.reproduce.synthesis import synthesis_files
from approxfit.studies.reproduce.verification import (
    VERIFY_FILES,
    float32_files,
    verification_tables,
)

__all__ = ["OWNED_FILES", "reproduce", "write_reproduction"]

OWNED_FILES = ("claims.json", "REPORT.md", *FIGURES, *EXTRA_FILES, *VERIFY_FILES)
"""The files every run writes; ``float32=True`` adds :data:`FLOAT32_FILES`,
``synthesis=True`` :data:`~approxfit.studies.reproduce.synthesis.SYNTHESIS_FILES`,
``shipped=True`` :data:`~approxfit.studies.reproduce.shipped.SHIPPED_FILES`."""


def reproduce(out: str | Path = "results", *,
              progress: Callable[[str], None] | None = None, float32: bool = False,
              float32_progress: Callable[[int, int], None] | None = None,
              synthesis: bool = False,
              synthesis_progress: Callable[[int, int], None] | None = None,
              shipped: bool = False) -> list[Claim]:
    """Reproduce every claim of the source documents into the folder ``out``.

    The library form of ``approxfit reproduce --out OUT``: computes the claims
    (:func:`~approxfit.studies.reproduce.claims.run_claims`), the figures and the
    tables, and writes ``claims.json``, ``REPORT.md`` and the figures
    (:func:`write_reproduction`; only approxfit's own files are replaced).

    Parameters
    ----------
    out : str or Path
        The output folder; created if missing, but its parent must exist.
    progress : callable, optional
        Called with a short label before each step (each claim, then the figures,
        then the precision tables and the Pareto sweep, then the verification).
    float32 : bool
        Also check the recommended approximant on every finite float32 input
        (:data:`FLOAT32_FILES`; about five minutes on two cores).
    float32_progress : callable, optional
        ``float32_progress(done, total)`` inputs during that check.
    synthesis : bool
        Also synthesize the correctly rounded kernels of ``synthesis.md`` (every target
        in bfloat16 and float16, with and without FMA; about an hour on two cores).
    synthesis_progress : callable, optional
        ``synthesis_progress(done, total)`` rows of that table.
    shipped : bool
        Also search the recipes of the shipped constant sets (``provenance-shipped.md``
        and ``.json``; a few minutes on one core).

    Returns
    -------
    list of Claim
        In :data:`~approxfit.studies.reproduce.claims.CLAIM_IDS` order.

    Raises
    ------
    InputError
        When ``out`` is a file, or its parent folder does not exist.
    ComputationError
        When a file cannot be written (no space, read-only, a folder in the way …);
        the folder is unchanged then.
    """
    if not isinstance(out, str | Path) or not str(out):
        raise InputError(f"`out` must be a folder's path, got {out!r:.60}")
    if progress is not None and not callable(progress):
        raise InputError(f"`progress` must be callable or None, got {type(progress).__name__}")
    from approxfit.core.checks import check_bool

    float32 = check_bool(float32, "float32")
    synthesis = check_bool(synthesis, "synthesis")
    shipped = check_bool(shipped, "shipped")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"`out` {str(out)!r} is a file, not a folder")
    if not folder.exists() and not folder.parent.is_dir():
        raise InputError(f"`out` {str(out)!r}: the folder {str(folder.parent)!r} does not "
                         "exist")
    return write_reproduction(folder, progress=progress, float32=float32,
                              float32_progress=float32_progress, synthesis=synthesis,
                              synthesis_progress=synthesis_progress, shipped=shipped)


def write_reproduction(out: str | Path, *, progress: Callable[[str], None] | None = None,
                       figures: bool = True, float32: bool = False,
                       float32_progress: Callable[[int, int], None] | None = None,
                       synthesis: bool = False,
                       synthesis_progress: Callable[[int, int], None] | None = None,
                       shipped: bool = False) -> list[Claim]:
    """Compute every claim and write ``claims.json``, ``REPORT.md`` and the figures.

    Only the files in :data:`OWNED_FILES` (and :data:`FLOAT32_FILES` with ``float32``,
    ``SYNTHESIS_FILES`` with ``synthesis``) are replaced, all of them or none
    (:func:`approxfit.core.io.write_files`); anything else in ``out`` is left alone.
    Nothing is written until everything has been computed, and the commit is a
    critical section, so an interrupted or failed run leaves the previous results
    intact and a finished one leaves all the new ones.
    """
    from approxfit.core.io import dumps, write_files

    folder = Path(out)
    claims = run_claims(progress)
    blobs: dict[str, bytes] = {}
    if figures:
        if progress:
            progress("figures")
        from approxfit.present import plotting

        for name, fig in make_figures(sweep_coefficients()).items():
            blobs[name] = plotting.figure_bytes(fig, name)
        if progress:
            progress("precision and pareto")
        blobs.update(precision_tables())
        blobs.update(pareto_files())
        if progress:
            progress("verification")
        blobs.update(verification_tables(blobs["pareto-gelu.json"]))
        if float32:
            blobs.update(float32_files(blobs["pareto-gelu.json"], progress=float32_progress))
        if synthesis:
            if progress:
                progress("synthesis")
            blobs.update(synthesis_files(progress=synthesis_progress))
        if shipped:
            if progress:
                progress("shipped constants")
            blobs.update(shipped_files())
    blobs["claims.json"] = dumps([c.to_dict() for c in claims]).encode()
    blobs["REPORT.md"] = render_report(claims, tuple(n for n in FIGURES if n in blobs),
                                       extras="pareto-gelu.png" in blobs).encode()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from approxfit.core.exceptions import ComputationError

        raise ComputationError(f"cannot create the folder {str(folder)[:80]}: "
                               f"{exc.strerror or exc}") from None
    write_files(folder, blobs)
    return claims
