"""The public API: ``import approxfit as af`` gives every documented name, lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import approxfit as af
from approxfit.core.version import __version__


def _modules_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             "print(','.join(sorted({m.split('.')[0] if m.split('.')[0] != 'scipy' else m "
             "for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    return out.split(",")


def test_import_approxfit_is_light():
    loaded = _modules_after("import approxfit")
    for heavy in ("numpy", "scipy", "sympy", "matplotlib", "typer", "rich"):
        assert not any(m == heavy or m.startswith(heavy + ".") for m in loaded), heavy


def test_a_numeric_entry_point_does_not_drag_in_sympy_or_matplotlib():
    loaded = _modules_after("import approxfit as af\naf.make_grid(-1, 1, samples=5)\n"
                            "af.fit\naf.report\naf.parse_spec")
    assert "numpy" in loaded
    for heavy in ("sympy", "matplotlib", "scipy.optimize"):
        assert heavy not in loaded, heavy


@pytest.mark.parametrize("name", sorted(set(af.__all__) - {"__version__"}))
def test_every_public_name_resolves(name):
    value = getattr(af, name)
    assert value is not None
    assert name in dir(af)


def test_all_lists_exactly_the_lazy_names():
    assert set(af.__all__) == {"__version__", *af._LAZY}
    assert len(af.__all__) == len(set(af.__all__))


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'fitt'"):
        af.fitt  # noqa: B018


def test_exception_types():
    assert issubclass(af.InputError, af.ApproxfitError)
    assert issubclass(af.InputError, ValueError)
    assert issubclass(af.ComputationError, af.ApproxfitError)
    assert issubclass(af.ConvergenceWarning, UserWarning)


def test_version_from_python_and_cli(cli):
    assert af.__version__ == __version__
    r = cli("--version")
    assert r.code == 0
    assert r.out.strip() == f"approxfit {__version__}"
