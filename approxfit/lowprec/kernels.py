"""PyTorch's own CPU kernels as :class:`~approxfit.lowprec.verify.Kernel`\\ s, and the
per-input ULP errors a plot of a verification needs.

:func:`torch_kernel` wraps ``torch.nn.functional.gelu`` (exact and tanh forms),
``silu``, ``torch.tanh`` and ``torch.sigmoid`` as a function of an array of F's numpy
dtype: the inputs become a torch tensor of dtype F (bfloat16, float16, float32 or
float64; the conversion is exact), PyTorch computes the function in its own arithmetic
(whatever its CPU kernel does: float32 opmath for the half formats, vectorised SLEEF
functions, oneDNN where it takes over), and the F results come back as float64 values
(exact).  No model of ours applies to them: the kernel's description says so, and
:func:`~approxfit.lowprec.verify.verify` prints it in place of the model.

:func:`ulp_profile` gives the ULP error at every input (or every k-th input, for
float32 and float64) for :func:`approxfit.present.verify_plot.plot_verify`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from approxfit.core.exceptions import InputError
from approxfit.lowprec.formats import finite_index_range, finite_values, get_format
from approxfit.lowprec.model import make_model, run_program
from approxfit.lowprec.reference import correctly_rounded_array
from approxfit.lowprec.verify import Kernel, ulp_distance

__all__ = ["PROFILE_POINTS", "TORCH_FORMATS", "TORCH_KERNELS", "TorchKernelSpec",
           "UlpProfile", "torch_kernel", "torch_version", "ulp_profile"]

Array = np.ndarray
#: The formats PyTorch's kernels are run in (torch has no GELU for its float8 types).
TORCH_FORMATS: tuple[str, ...] = ("float64", "float32", "float16", "bfloat16")
#: At most this many inputs in a :func:`ulp_profile` (every k-th input above it).
PROFILE_POINTS = 2**20


@dataclass(frozen=True)
class TorchKernelSpec:
    """One of PyTorch's functions as a spec name.

    Attributes
    ----------
    name : str
        The spec name (``torch-gelu``, …).
    call : str
        The PyTorch call, as printed.
    target : str or None
        The built-in target it computes (None for σ, which approxfit has no built-in
        target for: give ``--target``).
    """

    name: str
    call: str
    target: str | None


#: The PyTorch kernels ``approxfit verify`` takes as specs.
TORCH_KERNELS: dict[str, TorchKernelSpec] = {k.name: k for k in (
    TorchKernelSpec("torch-gelu", "torch.nn.functional.gelu(x, approximate='none')", "gelu"),
    TorchKernelSpec("torch-gelu-tanh", "torch.nn.functional.gelu(x, approximate='tanh')",
                    "gelu"),
    TorchKernelSpec("torch-silu", "torch.nn.functional.silu(x)", "silu"),
    TorchKernelSpec("torch-tanh", "torch.tanh(x)", "tanh"),
    TorchKernelSpec("torch-sigmoid", "torch.sigmoid(x)", "sigmoid"),
)}


def _torch(name: str) -> Any:
    try:
        import torch
    except ImportError:
        raise InputError(f"{name} needs PyTorch, which is not installed: pip install "
                         "'approxfit[torch]'") from None
    return torch


def torch_version() -> str | None:
    """The installed PyTorch's version, or None."""
    try:
        import torch
    except ImportError:
        return None
    return str(torch.__version__)


def _function(torch: Any, name: str) -> Any:
    F = torch.nn.functional
    return {"torch-gelu": lambda t: F.gelu(t, approximate="none"),
            "torch-gelu-tanh": lambda t: F.gelu(t, approximate="tanh"),
            "torch-silu": F.silu, "torch-tanh": torch.tanh,
            "torch-sigmoid": torch.sigmoid}[name]


def torch_kernel(name: Any, format: Any) -> Kernel:
    """PyTorch's CPU kernel ``name`` in format ``format``, as a :class:`Kernel`.

    Parameters
    ----------
    name : str
        A key of :data:`TORCH_KERNELS`.
    format : str
        F, one of :data:`TORCH_FORMATS`.

    Returns
    -------
    Kernel
        ``fn(x)`` takes an array of F's numpy dtype and returns float64 values of F.

    Raises
    ------
    InputError
        For an unknown name or format, or when PyTorch is not installed.

    Examples
    --------
    >>> k = torch_kernel("torch-tanh", "bfloat16")   # doctest: +SKIP
    >>> float(k.fn(np.array([0.5], dtype=get_format("bfloat16").dtype))[0])  # doctest: +SKIP
    0.462890625
    """
    from approxfit.core.checks import check_choice

    check_choice(name, tuple(TORCH_KERNELS), "name")
    check_choice(format, TORCH_FORMATS, "format")
    torch = _torch(name)
    fmt = get_format(format)
    tdtype = getattr(torch, fmt.name)
    fn = _function(torch, name)
    wide = np.float64 if fmt.name == "float64" else np.float32

    def run(x: Array) -> Array:
        xs = np.ascontiguousarray(np.asarray(x).astype(wide))   # exact: F ⊂ float32
        t = torch.from_numpy(xs).to(tdtype)                      # exact
        with warnings.catch_warnings(), torch.no_grad():
            warnings.filterwarnings("ignore", category=UserWarning)
            y = fn(t)
        return y.to(torch.float64).numpy()

    spec = TORCH_KERNELS[name]
    text = (f"Kernel: PyTorch {torch.__version__}'s {spec.call} on a CPU {fmt.name} tensor, "
            f"in PyTorch's own arithmetic (no approxfit model applies); inputs and results "
            f"are {fmt.name} values.")
    return Kernel(name, run, text, rebuild=(torch_kernel, (name, format)))  # picklable


@dataclass(frozen=True)
class UlpProfile:
    """ULP errors at the inputs of a format, for a plot.

    Attributes
    ----------
    name : str
    format : str
    x : numpy.ndarray
        The inputs (float64), ascending.
    ulp : numpy.ndarray
        Their distances (float64; NaN where a NaN came instead of a number).
    stride : int
        1 when every input is there, else every ``stride``-th input.
    """

    name: str
    format: str
    x: Array
    ulp: Array
    stride: int


def ulp_profile(approximant: Any, target: Any, format: Any, *, compute: Any = None,
                fma: Any = False, range: Any = None,
                max_points: int = PROFILE_POINTS, gate_form: str = "tanh") -> UlpProfile:
    """The ULP error at every input of a format (every k-th when there are more than
    ``max_points``), measured as :func:`~approxfit.lowprec.verify.verify` measures it.

    Parameters
    ----------
    approximant : AnyApproximant or Kernel
    target : str or Target
    format, compute, fma, range
        As :func:`~approxfit.lowprec.verify.verify` takes them.
    max_points : int
        At most this many inputs (>= 2).
    gate_form : {"tanh", "sigmoid"}
        The tanh family's gate in the program (``Approximant.program``): as published,
        ½·(1 + tanh p), or the stable σ(2p).

    Returns
    -------
    UlpProfile
    """
    from approxfit.core.checks import check_int
    from approxfit.core.targets import resolve_target
    from approxfit.lowprec.verify import NAN_ULP

    max_points = check_int(max_points, "max_points", lo=2)
    model = make_model(format, compute, fma)
    tgt = resolve_target(target)
    f = model.fmt
    lo, hi = (None, None) if range is None else (float(range[0]), float(range[1]))
    start, stop = finite_index_range(f, lo, hi)
    total = stop - start
    stride = max(1, math.ceil(total / max_points))
    x = finite_values(f, start, stop) if stride == 1 else _strided(f, start, stop, stride)
    if isinstance(approximant, Kernel):
        with np.errstate(all="ignore"):
            result = np.asarray(approximant.fn(x))
        name = approximant.name
    else:
        result, _ = run_program(tuple(approximant.program(on="value", gate_form=gate_form)),
                                x, model)
        name = str(getattr(approximant, "name", "approximant"))
    correct, _ = correctly_rounded_array(tgt, x.astype(np.float64), f)
    d = ulp_distance(result, correct, f)
    ulp = np.where(d == np.uint64(NAN_ULP), np.nan, d.astype(np.float64))
    return UlpProfile(name, f.name, x.astype(np.float64), ulp, stride)


def _strided(f: Any, start: int, stop: int, stride: int) -> Array:
    """The finite values with indices ``start, start + stride, …`` (below ``stop``), from
    their bit patterns (the ordering of :func:`~approxfit.lowprec.formats.finite_values`:
    index ``i <= m`` is ``-(pattern m − i)``, index ``i > m`` is pattern ``i − m − 1``,
    where ``m`` is the largest finite pattern)."""
    m = np.int64(np.array([f.max]).astype(f.dtype).view(f.uint)[0])
    idx = np.arange(start, stop, stride, dtype=np.int64)
    neg = idx <= m
    mag = np.where(neg, m - idx, idx - m - 1)
    bits = np.where(neg, mag | np.int64(1 << (f.bits - 1)), mag).astype(f.uint)
    return bits.view(f.dtype)
