"""Approximant specs: what a user types or saves, turned into an approximant.

:func:`parse_spec` reads a published name, a saved fit (``FILE.json``) or an inline
spec such as ``tanh:c1=sqrt(2/pi),a3=0.044715``; :func:`load_approximant_file`
reads a file written by ``approxfit fit --save``; :func:`approximant_from_dict`
builds the right approximant kind from its ``to_dict`` form.  Values are read only
by :func:`approxfit.core.expr.parse_number` (an ast whitelist; never ``eval`` or
sympy).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.base import AnyApproximant
from approxfit.approximants.families import FAMILIES, MAX_DEGREE
from approxfit.approximants.published import PUBLISHED, ClosedFormApproximant, get_published
from approxfit.approximants.rational import RationalApproximant
from approxfit.core.exceptions import InputError
from approxfit.core.names import suggest
from approxfit.core.targets import Target

__all__ = ["MAX_SPEC_LENGTH", "MAX_TERMS", "SCHEMA_VERSION", "SPEC_FORMS",
           "approximant_from_dict", "load_approximant_file", "parse_spec"]

SCHEMA_VERSION = 1
"""Version of the saved-fit JSON schema that this approxfit writes and reads."""
MAX_TERMS = MAX_DEGREE + 1
MAX_SPEC_LENGTH = 4000
SPEC_FORMS = ("a published name (see `approxfit report --help`), a saved fit FILE.json, "
              "or FAMILY:NAME=EXPR,NAME=EXPR with FAMILY one of "
              f"{', '.join(FAMILIES)} and NAME c<k> or a<k> (k = 0..{MAX_DEGREE}), "
              "e.g. tanh:c1=sqrt(2/pi),a3=0.044715")

_NAME = re.compile(r"^([ca])(\d{1,3})$")


def _target_label(target: str | Target) -> str:
    return target.name if isinstance(target, Target) else str(target)


def parse_spec(text: str, target: str | Target | None = "gelu") -> AnyApproximant:
    """Turn an approximant spec into an evaluable approximant.

    Parameters
    ----------
    text : str
        One of

        * a published name (:data:`PUBLISHED`), e.g. ``"paper-tanh"``;
        * a path ending in ``.json`` to a fit saved by ``approxfit fit --save``;
        * an inline spec ``FAMILY:NAME=EXPR,NAME=EXPR,…``, e.g.
          ``"tanh:c1=sqrt(2/pi),a3=0.044715"``, ``"sigmoid:c1=1.702"``,
          ``"poly:c1=0.5,c2=0.3"``.  FAMILY is ``tanh``, ``sigmoid`` or ``poly``;
          NAME is ``c<k>`` (the coefficient of x^k in p) or ``a<k>`` (the scaled
          form, ``c_k = a_k·c1``, which needs ``c1`` in the same spec), with
          ``k ≤`` :data:`~approxfit.approximants.families.MAX_DEGREE` and at most
          :data:`MAX_TERMS` terms; EXPR is a constant formula read by
          :func:`approxfit.core.expr.parse_number`.  The powers are the sorted set of
          those named.  A ``poly`` spec approximates the target's value.
    target : str or Target or None
        The target of an inline spec.  A published name or a saved fit keeps its
        own target; if ``target`` is given and differs, that is an error.  None:
        no check, and inline specs are for ``gelu``.

    Returns
    -------
    Approximant or ClosedFormApproximant

    Raises
    ------
    InputError
        For anything malformed, with one line saying what is wrong and what is
        allowed.

    Examples
    --------
    >>> parse_spec("tanh:c1=sqrt(2/pi),a3=0.044715").powers
    (1, 3)
    >>> parse_spec("sigmoid:c1=1.702").coefficients
    {'c1': 1.702}
    """
    if not isinstance(text, str):
        raise TypeError(f"spec must be a str, got {type(text).__name__}")
    spec = text.strip()
    if not spec:
        raise InputError(f"the approximant spec is empty; give {SPEC_FORMS}")
    if spec in PUBLISHED or spec.lower().endswith(".json"):
        if spec in PUBLISHED:
            approx = get_published(spec)
        else:
            approx = load_approximant_file(spec)
        if target is not None and approx.target_name != _target_label(target):
            raise InputError(f"spec {spec!r} approximates {approx.target_name!r}, not "
                             f"{_target_label(target)!r}; measure it against the target "
                             f"{approx.target_name!r}, or give another spec")
        return approx
    if ":" not in spec:
        hint = suggest(spec, list(PUBLISHED))
        raise InputError(f"spec {spec!r} is not a published name{hint}, a .json file or an "
                         f"inline spec; give {SPEC_FORMS}; published: "
                         f"{', '.join(PUBLISHED)}")
    return _parse_inline(spec, "gelu" if target is None else target)


def _parse_inline(spec: str, target: str | Target) -> Approximant:
    if len(spec) > MAX_SPEC_LENGTH:
        raise InputError(f"inline spec is {len(spec)} characters long; at most "
                         f"{MAX_SPEC_LENGTH} are allowed")
    head, _, body = spec.partition(":")
    family = head.strip()
    if family not in FAMILIES:
        raise InputError(f"spec {spec!r}: unknown family {family!r}"
                         f"{suggest(family, list(FAMILIES))}; families are "
                         f"{', '.join(FAMILIES)} (write FAMILY:NAME=EXPR,…)")
    items = body.split(",")
    if not body.strip():
        raise InputError(f"spec {spec!r} gives no coefficients; write e.g. "
                         f"{family}:c1=1.702 (names c<k> or a<k>)")
    if len(items) > MAX_TERMS:
        raise InputError(f"spec {spec!r} has {len(items)} terms; at most {MAX_TERMS} are "
                         "allowed")
    c: dict[int, float] = {}
    a: dict[int, float] = {}
    for item in items:
        if not item.strip():
            raise InputError(f"spec {spec!r} has an empty term; separate NAME=EXPR terms by "
                             "single commas")
        name, eq, expr = item.partition("=")
        name = name.strip()
        if not eq:
            raise InputError(f"spec {spec!r}: term {item.strip()!r} is missing '='; write "
                             "NAME=EXPR with NAME c<k> or a<k>, e.g. c1=sqrt(2/pi)")
        m = _NAME.match(name)
        if m is None:
            raise InputError(f"spec {spec!r}: bad coefficient name {name!r}; names are c<k> "
                             f"(coefficient of x^k) or a<k> (= c<k>/c1), k = 0..{MAX_DEGREE}")
        kind, k = m.group(1), int(m.group(2))
        if k > MAX_DEGREE:
            raise InputError(f"spec {spec!r}: power {k} in {name!r} is above the largest "
                             f"allowed, {MAX_DEGREE}")
        if kind == "a" and k == 1:
            raise InputError(f"spec {spec!r}: a1 = c1/c1 is always 1; give c1 instead")
        if k in c or k in a:
            raise InputError(f"spec {spec!r}: power {k} is given twice (as c{k} or a{k}); "
                             "give each power once")
        value = _number(expr, what=f"spec {name}")
        (a if kind == "a" else c)[k] = value
    if a and 1 not in c:
        names = ", ".join(f"a{k}" for k in sorted(a))
        raise InputError(f"spec {spec!r}: {names} needs c1 (a_k = c_k/c1); add c1=EXPR, "
                         "e.g. c1=sqrt(2/pi)")
    coefs = dict(c)
    for k, v in a.items():
        coefs[k] = v * c[1]
    powers = tuple(sorted(coefs))
    fam = FAMILIES[family]
    return Approximant(family, powers, tuple(coefs[k] for k in powers), target,
                       base="gate" if fam.gated else "value", name=spec)


def _number(expr: str, *, what: str) -> float:
    from approxfit.core.expr import parse_number

    return parse_number(expr.strip(), what=what)


def load_approximant_file(path: str | Path) -> Approximant:
    """Load an approximant from a JSON file written by ``fit --save``.

    Raises
    ------
    InputError
        If the file is missing, empty, not JSON, of another schema or a newer
        version.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"spec file {str(p)!r} does not exist")
    text = p.read_text(encoding="utf-8", errors="replace")
    if not text.strip():
        raise InputError(f"spec file {str(p)!r} is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"spec file {str(p)!r} is not JSON ({exc.msg} at line "
                         f"{exc.lineno})") from None
    if not isinstance(data, dict) or "approximant" not in data:
        raise InputError(f"spec file {str(p)!r} is not a saved fit (no 'approximant' key); "
                         "write one with `approxfit fit ... --save FILE.json`")
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise InputError(f"spec file {str(p)!r} has schema_version {version!r}; this "
                         f"approxfit reads versions up to {SCHEMA_VERSION}")
    approx = approximant_from_dict(data["approximant"])
    if not approx.name:
        approx = dataclasses.replace(approx, name=p.stem)
    return approx


def approximant_from_dict(data: Any) -> AnyApproximant:
    """The approximant a ``to_dict`` form describes, of the right kind.

    ``family: rational`` gives a
    :class:`~approxfit.approximants.rational.RationalApproximant`, ``kind:
    closed-form`` (or ``family: closed form``) a
    :class:`~approxfit.approximants.published.ClosedFormApproximant`, anything else
    an :class:`~approxfit.approximants.approximant.Approximant`.  A family or rational
    form with ``basis: "chebyshev"`` is rebuilt exactly from its ``chebyshev`` key;
    without ``basis`` (every fit saved before the Chebyshev form) it is monomial.
    """
    if not isinstance(data, dict):
        raise InputError("not an approximant description: expected a JSON object")
    if data.get("family") == "rational":
        return RationalApproximant.from_dict(data)
    if data.get("kind") == "closed-form" or data.get("family") == "closed form":
        return ClosedFormApproximant.from_dict(data)
    return Approximant.from_dict(data)
