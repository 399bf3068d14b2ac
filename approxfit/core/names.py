"""The names of what is built in, and the check of a chosen name, importable
without numpy, scipy or sympy.

The command line builds its help texts and choices from these so that
``approxfit --help`` starts fast; a test keeps them equal to the registries in
:mod:`approxfit.core.targets`, :mod:`approxfit.approximants.families` and
:mod:`approxfit.fitting.fit`.
"""

TARGET_NAMES = ("gelu", "phi", "erf", "silu", "mish", "softplus", "tanh", "sigmoid",
                "exp2")
FAMILY_NAMES = ("tanh", "sigmoid", "poly", "rational")
OBJECTIVES = ("l2", "minimax")
ONS = ("gate", "value")
PARITIES = ("odd", "even", "none")
GRID_KINDS = ("uniform", "chebyshev")


#: How many characters of a user's text a message quotes at most (then "…").
SHOWN_CHARS = 60


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, the last being "…" when cut.

    Messages quote what a user typed; a 131 KB argument must not come back whole.

    >>> clip("x" * 100, 8)
    'xxxxxxx…'
    >>> clip("gelu")
    'gelu'
    """
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def quoted(text: str, limit: int = SHOWN_CHARS) -> str:
    """``repr`` of :func:`clip`'s text: user text as a message quotes it, on one line.

    >>> quoted("a\\nb")
    "'a\\\\nb'"
    """
    return repr(clip(text, limit))


def quoted_path(path: str, limit: int = SHOWN_CHARS) -> str:
    """A path as a message quotes it: like :func:`quoted`, but a long path keeps its
    end (the file name), which says more than its start.

    >>> quoted_path("/very/long/folder/" * 5 + "fit.json", 24)
    "'…ry/long/folder/fit.json'"
    """
    text = str(path)
    if len(text) > limit:
        text = "…" + text[len(text) - limit + 1:]
    return repr(text)


def suggest(name: str, choices: tuple[str, ...] | list[str]) -> str:
    """`` (did you mean 'gelu'?)`` for a near miss, else an empty string.

    Names longer than 100 characters get no suggestion (no choice is that long, and
    comparing a huge string costs time)."""
    import difflib

    name = str(name)
    if len(name) > 100:
        return ""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    """``value`` if it is one of ``choices``; otherwise an InputError that lists them
    and suggests the nearest (the value quoted, at most 60 characters)."""
    if not isinstance(value, str) or value not in choices:
        from approxfit.core.exceptions import InputError

        shown = quoted(value) if isinstance(value, str) else f"{type(value).__name__}"
        hint = suggest(value, choices) if isinstance(value, str) else ""
        raise InputError(f"unknown {what} {shown}{hint}; choose one of {', '.join(choices)}")
    return value


def default_on(family: str, has_gate: bool) -> str:
    """What a fit measures by default: the gate for tanh and sigmoid, else the value."""
    return "gate" if has_gate and family in ("tanh", "sigmoid") else "value"
