"""The names of what is built in, and the check of a chosen name, importable
without numpy, scipy or sympy.

The command line builds its help texts and choices from these so that
``approxfit --help`` starts fast; a test keeps them equal to the registries in
:mod:`approxfit.core.targets`, :mod:`approxfit.approximants.families` and
:mod:`approxfit.fitting.fit`.
"""

TARGET_NAMES = ("gelu", "phi", "erf", "silu", "mish", "softplus", "tanh")
FAMILY_NAMES = ("tanh", "sigmoid", "poly", "rational")
OBJECTIVES = ("l2", "minimax")
ONS = ("gate", "value")
PARITIES = ("odd", "even", "none")
GRID_KINDS = ("uniform", "chebyshev")


def suggest(name: str, choices: tuple[str, ...] | list[str]) -> str:
    """`` (did you mean 'gelu'?)`` for a near miss, else an empty string."""
    import difflib

    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    """``value`` if it is one of ``choices``; otherwise an InputError that lists them
    and suggests the nearest."""
    if value not in choices:
        from approxfit.core.exceptions import InputError

        raise InputError(f"unknown {what} {value!r}{suggest(value, choices)}; choose one of "
                         f"{', '.join(choices)}")
    return value


def default_on(family: str, has_gate: bool) -> str:
    """What a fit measures by default: the gate for tanh and sigmoid, else the value."""
    return "gate" if has_gate and family in ("tanh", "sigmoid") else "value"
