"""Approximant specs: what a user types or saves, turned into an approximant.

:func:`parse_spec` reads a published name, a saved fit (``FILE.json``) or an inline
spec such as ``tanh:c1=sqrt(2/pi),a3=0.044715``; :func:`load_approximant_file`
reads a file written by ``approxfit fit --save``; :func:`approximant_from_dict`
builds the right approximant kind from its ``to_dict`` form.  Values are read only
by :func:`approxfit.core.expr.parse_number` (an ast whitelist; never ``eval`` or
sympy).

A saved fit is checked before anything is built from it: at most
:data:`MAX_FILE_BYTES` bytes of UTF-8, JSON nested at most :data:`MAX_DEPTH` deep,
every field of the expected type, at most as many coefficients as the kind allows,
every number a finite float64, names at most :data:`MAX_NAME_LENGTH` characters and
texts (formula, source) at most :data:`MAX_TEXT_LENGTH`, with no control, format
(bidirectional) or line-separator character.  Other characters — ``[``, ``$``,
quotes, ``*/`` — are allowed in names: the places that show a name escape it (rich
markup in the terminal tables, mathtext in figures, comments in exported code).
Each failure is one :class:`~approxfit.core.exceptions.InputError` naming the file
and the field, e.g. ``spec file 'fit.json': not an approximant description:
'approximant.coefficients.c3' must be a finite number within float64, got inf``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import Any

from approxfit.approximants.approximant import Approximant
from approxfit.approximants.base import AnyApproximant
from approxfit.approximants.families import BASES, FAMILIES, MAX_DEGREE
from approxfit.approximants.published import (
    CLOSED_FORMS,
    PUBLISHED,
    ClosedFormApproximant,
    get_published,
)
from approxfit.approximants.rational import RationalApproximant
from approxfit.core.exceptions import InputError
from approxfit.core.names import suggest
from approxfit.core.targets import Target

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NAME_LENGTH", "MAX_SPEC_LENGTH", "MAX_TERMS",
           "MAX_TEXT_LENGTH", "SCHEMA_VERSION", "SPEC_FORMS", "approximant_from_dict",
           "check_approximant_dict", "load_approximant_file", "names_file", "parse_spec"]

SCHEMA_VERSION = 1
"""Version of the saved-fit JSON schema that this approxfit writes and reads."""
MAX_TERMS = MAX_DEGREE + 1
MAX_SPEC_LENGTH = 4000
MAX_FILE_BYTES = 10 * 2**20
"""The largest saved fit read: 10 MiB (a degree-40 fit is about 3 KB)."""
MAX_DEPTH = 32
"""The deepest JSON nesting of a saved fit (a fit's own is 4 deep)."""
MAX_NAME_LENGTH = 200
"""The longest name (approximant, target, form, coefficient) of a saved fit."""
MAX_TEXT_LENGTH = 2000
"""The longest formula or source text of a saved fit."""
MAX_CLOSED_FORM_CONSTANTS = 16
SPEC_FORMS = ("a published name (see `approxfit report --help`), a saved fit FILE.json "
              "(or a Pareto sweep's row, FILE.json#ROW), "
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
        * ``FILE.json#ROW``: the row named ``ROW`` (``FAMILY-DEGREE``, e.g. ``tanh-5``,
          or a published name the sweep lists) of a Pareto sweep's JSON
          (``approxfit pareto --out``), e.g. ``"results/pareto-gelu.json#tanh-5"``;
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
        raise InputError(f"`text` must be a str (an approximant spec), got "
                         f"{type(text).__name__}")
    if target is not None and not isinstance(target, str | Target):
        raise InputError(f"`target` must be a target name, a Target or None, got "
                         f"{type(target).__name__}")
    spec = text.strip()
    if not spec:
        raise InputError(f"the approximant spec is empty; give {SPEC_FORMS}")
    if spec in PUBLISHED or names_file(spec):
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


def names_file(text: str) -> bool:
    """Whether a spec names a file: ``FILE.json`` (a saved fit, or a Pareto sweep's
    JSON with a row: ``FILE.json#ROW``).

    >>> names_file("fit.json"), names_file("results/pareto-gelu.json#tanh-5")
    (True, True)
    >>> names_file("tanh:c1=1")
    False
    """
    if not isinstance(text, str):
        return False
    spec = text.strip().lower()
    return spec.endswith(".json") or ".json#" in spec


def _split_row(spec: str) -> tuple[str, str | None]:
    """``("pareto-gelu.json", "tanh-5")`` from ``"pareto-gelu.json#tanh-5"``; a path
    that ends in ``.json`` is the whole file name (no row)."""
    if spec.lower().endswith(".json"):
        return spec, None
    i = spec.lower().rfind(".json#")
    return spec[:i + 5], spec[i + 6:]


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


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters with "…" (a huge integer by its size)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3000:
        return f"an integer of about {int(value.bit_length() * math.log10(2))} digits"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _short_path(path: str, limit: int = 60) -> str:
    """``repr(path)``, its middle cut when it is longer than ``limit`` (the file name
    at its end stays readable)."""
    if len(path) > limit:
        path = path[:20] + "…" + path[-(limit - 21):]
    return repr(path)


def _bad_char(text: str) -> str | None:
    """The first control, format, line/paragraph separator or surrogate character."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return ch
    return None


def _parse_int(text: str) -> int | float:
    # Past 400 digits an integer is far outside float64 (and past 4300 Python refuses
    # to convert it): read it as a float, which is ±inf, and let the checks say so.
    return int(text) if len(text) <= 400 else float(text)


def _depth(data: Any, limit: int) -> bool:
    """Whether ``data`` is nested at most ``limit`` deep (iteratively, no recursion)."""
    stack = [(data, 1)]
    while stack:
        item, d = stack.pop()
        if isinstance(item, dict | list):
            if d > limit:
                return False
            stack.extend((v, d + 1) for v in (item.values() if isinstance(item, dict)
                                              else item))
    return True


class _Checker:
    """The field checks of one approximant description; ``origin`` starts each message
    (``"spec file 'fit.json': "`` or empty), ``prefix`` starts each field's path."""

    def __init__(self, origin: str, prefix: str) -> None:
        self.origin, self.prefix = origin, prefix

    def fail(self, field: str, what: str) -> InputError:
        return InputError(f"{self.origin}not an approximant description: "
                          f"'{self.prefix}{field}' {what}")

    def text(self, data: Mapping[str, Any], key: str, *, required: bool = False,
             limit: int = MAX_NAME_LENGTH) -> str | None:
        if data.get(key) is None:
            if required:
                raise self.fail(key, "is missing")
            return None
        value = data[key]
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, got {_short(value)}")
        return self.string(value, key, limit)

    def string(self, value: str, field: str, limit: int = MAX_NAME_LENGTH) -> str:
        if len(value) > limit:
            raise self.fail(field, f"is {len(value)} characters long; at most {limit} are "
                            "allowed")
        ch = _bad_char(value)
        if ch is not None:
            raise self.fail(field, f"contains the character U+{ord(ch):04X} (control, "
                            "format or line separator), which names and texts may not")
        return value

    def number(self, value: Any, field: str) -> float:
        if not isinstance(value, Real) or isinstance(value, bool):
            raise self.fail(field, f"must be a number, got {_short(value)}")
        try:
            v = float(value)
        except OverflowError:
            v = math.inf
        if not math.isfinite(v):
            raise self.fail(field, f"must be a finite number within float64 (|v| ≤ "
                            f"1.8e308), got {_short(value)}")
        return v

    def numbers(self, data: Mapping[str, Any], key: str, limit: int, *,
                nullable: bool = False) -> None:
        value = data.get(key)
        if value is None and (nullable or key not in data):
            if not nullable:
                raise self.fail(key, "is missing")
            return
        if not isinstance(value, Mapping):
            raise self.fail(key, f"must be an object of name: number, got {_short(value)}")
        if len(value) > limit:
            raise self.fail(key, f"has {len(value)} coefficients; at most {limit} are "
                            "allowed")
        for name, v in value.items():
            if not isinstance(name, str):
                raise self.fail(key, f"has a name that is not a string: {_short(name)}")
            self.string(name, f"{key}.{name[:40]}")
            self.number(v, f"{key}.{name[:40]}")

    def choice(self, data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> None:
        value = data.get(key)
        if value is not None and value not in choices:
            raise self.fail(key, f"is {_short(value)}{suggest(str(value)[:100], choices)}; "
                            f"choose one of {', '.join(choices)}")

    def powers(self, data: Mapping[str, Any], key: str, *, nullable: bool = False,
               lowest: int = 0) -> None:
        value = data.get(key)
        if value is None and (nullable or key not in data):
            if not nullable:
                raise self.fail(key, "is missing")
            return
        if not isinstance(value, list | tuple) or not 0 < len(value) <= MAX_TERMS or not all(
                isinstance(k, int) and not isinstance(k, bool) and lowest <= k <= MAX_DEGREE
                for k in value) or any(a >= b for a, b in itertools.pairwise(value)):
            raise self.fail(key, f"must be a list of 1 to {MAX_TERMS} distinct ascending "
                            f"whole numbers {lowest}..{MAX_DEGREE}, got {_short(value)}")

    def match(self, data: Mapping[str, Any], lists: Mapping[str, str]) -> None:
        """Every name in ``coefficients`` is ``<letter><k>`` for a power ``k`` that the
        list ``lists[letter]`` gives, and every listed power has its coefficient."""
        coefs = data.get("coefficients")
        listed = {letter: data.get(key) for letter, key in lists.items()}
        if coefs is None or any(v is None for v in listed.values()):
            return                            # a Chebyshev form without a monomial one
        field = f"{self.prefix}coefficients"
        for name in coefs:
            m = re.fullmatch(r"([a-z])(\d+)", name)
            key = lists.get(m.group(1)) if m else None
            if key is None or int(m.group(2)) not in listed[m.group(1)]:
                where = (f"which '{self.prefix}{key}' {_short(listed[m.group(1)])} does not "
                         "list" if key is not None else
                         f"which is not a coefficient name ({' or '.join(f'{c}<k>' for c in lists)}"
                         ")")
                shown = name if len(name) <= 40 else name[:39] + "…"
                raise InputError(f"{self.origin}not an approximant description: '{field}' "
                                 f"has {shown}, {where}")
        for letter, key in lists.items():
            for k in listed[letter]:
                if f"{letter}{k}" not in coefs:
                    raise InputError(f"{self.origin}not an approximant description: "
                                     f"'{field}' has no {letter}{k}, which "
                                     f"'{self.prefix}{key}' {_short(listed[letter])} lists")

    def chebyshev(self, data: Mapping[str, Any], keys: tuple[str, ...]) -> None:
        cheb = data.get("chebyshev")
        if not isinstance(cheb, Mapping):
            raise self.fail("chebyshev", "must be an object with a domain and coefficients "
                            f"(basis chebyshev), got {_short(cheb)}")
        dom = cheb.get("domain")
        if not isinstance(dom, list | tuple) or len(dom) != 2:
            raise self.fail("chebyshev.domain", f"must be a pair [a, b], got {_short(dom)}")
        for i, v in enumerate(dom):
            self.number(v, f"chebyshev.domain[{i}]")
        check = _Checker(self.origin, f"{self.prefix}chebyshev.")
        for key in keys:
            check.numbers(cheb, key, MAX_TERMS)


def check_approximant_dict(data: Any, *, origin: str = "", prefix: str = "") -> None:
    """Check the fields of a ``to_dict`` form before anything is built from it.

    Types of every field the kinds read, names and texts (length, no control, format or
    line-separator character), coefficient counts (:data:`MAX_TERMS` for a family's
    form and each of a rational's numerator and denominator, the form's constants for
    a closed form), and every number finite in float64.

    Raises
    ------
    InputError
        ``{origin}not an approximant description: '{prefix}field' …``.
    """
    check = _Checker(origin, prefix)
    if not isinstance(data, Mapping):
        raise InputError(f"{origin}not an approximant description: "
                         f"'{prefix.rstrip('.') or 'approximant'}' must be a JSON object, "
                         f"got {_short(data)}")
    for key in ("family", "kind", "form", "base", "basis"):
        check.text(data, key)
    check.text(data, "name")
    check.text(data, "target", required=True)
    check.text(data, "target_expr", limit=MAX_TEXT_LENGTH)
    chebyshev = data.get("basis") == "chebyshev"
    if data.get("kind") == "piecewise":        # checked by PiecewiseApproximant.from_dict
        return
    if data.get("kind") == "closed-form" or data.get("family") == "closed form":
        for key in ("formula", "source"):
            check.text(data, key, limit=MAX_TEXT_LENGTH)
        form = CLOSED_FORMS.get(str(data.get("form") or data.get("name")))
        check.numbers(data, "coefficients", MAX_CLOSED_FORM_CONSTANTS if form is None
                      else len(form.constants))
        return
    family = check.text(data, "family", required=True)
    check.choice(data, "family", (*FAMILIES, "rational"))
    check.choice(data, "base", ("gate", "value"))
    check.choice(data, "basis", BASES)
    if data.get("clamp") is not None:
        if check.number(data["clamp"], "clamp") <= 0:
            raise check.fail("clamp", f"must be a positive number, got {_short(data['clamp'])}")
    if family == "rational":
        check.powers(data, "powers", nullable=chebyshev)
        check.powers(data, "den_powers", nullable=chebyshev, lowest=1)
        check.numbers(data, "coefficients", 2 * MAX_TERMS, nullable=chebyshev)
        check.match(data, {"c": "powers", "d": "den_powers"})
        if chebyshev:
            check.chebyshev(data, ("numerator", "denominator"))
        return
    check.powers(data, "powers", nullable=chebyshev)
    check.numbers(data, "coefficients", MAX_TERMS, nullable=chebyshev)
    check.match(data, {"c": "powers"})
    if chebyshev:
        check.chebyshev(data, ("coefficients",))


def _read_document(p: Path, origin: str) -> Any:
    """The JSON value of the file: size, encoding and nesting checked."""
    if not p.is_file():
        raise InputError(f"{origin} does not exist" if not p.exists() else
                         f"{origin} is not a regular file")
    with p.open("rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"{origin} is larger than {MAX_FILE_BYTES // 2**20} MiB; a saved "
                         "fit is a few KB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{origin} is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise InputError(f"{origin} is empty")
    too_deep = InputError(f"{origin} is nested deeper than {MAX_DEPTH} levels; a saved fit "
                          "is 4 deep")
    try:
        data = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise InputError(f"{origin} is not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:                    # Python's reader recurses per level
        raise too_deep from None
    except ValueError as exc:                 # any other refusal of the JSON reader
        raise InputError(f"{origin} is not JSON that approxfit reads "
                         f"({str(exc)[:60]})") from None
    if not _depth(data, MAX_DEPTH):
        raise too_deep
    return data


def _name_from_stem(stem: str) -> str:
    """The file's stem as a name: control and format characters become ``?``, cut to
    :data:`MAX_NAME_LENGTH` characters."""
    name = "".join("?" if _bad_char(ch) else ch for ch in stem)
    return name if len(name) <= MAX_NAME_LENGTH else name[:MAX_NAME_LENGTH - 1] + "…"


def load_approximant_file(path: str | Path) -> AnyApproximant:
    """Load an approximant from a JSON file written by ``fit --save``, or one row of a
    Pareto sweep's JSON (``approxfit pareto --out``) as ``FILE.json#ROW``.

    A sweep's rows are named ``FAMILY-DEGREE`` (``tanh-5``; ``rational-4`` is P of
    degree 4 over Q of degree 2); the published approximants it lists
    (``paper-tanh``) are taken by name too.

    The file is checked before anything is built from it (see the module's notes):
    at most :data:`MAX_FILE_BYTES` bytes of UTF-8 JSON nested at most
    :data:`MAX_DEPTH` deep, ``schema_version`` a whole number, and the
    ``approximant`` object as :func:`check_approximant_dict` checks it.  An
    approximant without a name is named after the file (its stem, with control
    characters replaced by ``?`` and cut to :data:`MAX_NAME_LENGTH`).

    Raises
    ------
    InputError
        If the file is missing, too large, empty, not UTF-8 JSON, too deeply
        nested, of another schema or a newer version, or any field is of the wrong
        type, too long, too many or not a finite float64; one line naming the file
        and the field.  For a sweep without ``#ROW`` or with an unknown row, the
        message lists the rows' names (cut to about 60 characters).
    """
    if not isinstance(path, str | Path):
        raise InputError(f"`path` must be a str or Path, got {type(path).__name__}")
    file, row = _split_row(path) if isinstance(path, str) else (path, None)
    p = Path(file)
    origin = f"spec file {_short_path(str(p))}"
    data = _read_document(p, origin)
    if isinstance(data, dict) and data.get("kind") == "pareto":
        return _pareto_row(data, row, origin)
    if row is not None:
        raise InputError(f"{origin} is not a Pareto sweep's JSON, so '#{_cut(row, 40)}' "
                         "selects nothing; #ROW picks a row of `approxfit pareto --out`'s "
                         "pareto-TARGET.json")
    if not isinstance(data, dict) or "approximant" not in data:
        raise InputError(f"{origin} is not a saved fit (no 'approximant' key); "
                         "write one with `approxfit fit ... --save FILE.json`")
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        raise InputError(f"{origin} has schema_version {_short(version)}; this "
                         f"approxfit reads versions up to {SCHEMA_VERSION}")
    check_approximant_dict(data["approximant"], origin=f"{origin}: ", prefix="approximant.")
    try:
        approx = _build(data["approximant"], "approximant.")
    except InputError as exc:
        raise InputError(f"{origin}: {exc}") from None
    if not approx.name:
        approx = dataclasses.replace(approx, name=_name_from_stem(p.stem))
    return approx


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _row_names(names: list[str], limit: int = 120) -> str:
    """The rows' names grouped by family, e.g. ``poly-N (N = 1…9), tanh-N (N = 1, 3,
    5)``, cut to ``limit`` characters with "…"."""
    groups: dict[str, list[int]] = {}
    loose = []
    for name in names:
        m = re.fullmatch(r"(.+)-(\d{1,3})", name)
        if m:
            groups.setdefault(m.group(1), []).append(int(m.group(2)))
        else:
            loose.append(name)
    parts = []
    for fam, degrees in groups.items():
        ds = sorted(set(degrees))
        if len(ds) == 1:
            parts.append(f"{fam}-{ds[0]}")
        elif len(ds) > 2 and ds == list(range(ds[0], ds[-1] + 1)):
            parts.append(f"{fam}-N (N = {ds[0]}…{ds[-1]})")
        else:
            parts.append(f"{fam}-N (N = {', '.join(map(str, ds))})")
    return _cut(", ".join(parts + loose), limit)


def _pareto_row(data: dict[str, Any], row: str | None, origin: str) -> AnyApproximant:
    """The approximant of the row named ``row`` (``FAMILY-DEGREE``, e.g. ``tanh-5``) of
    a Pareto sweep's JSON, or of one of its published approximants (``paper-tanh``)."""
    rows = data.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError(f"{origin}: not a Pareto sweep's JSON: 'rows' must be a list of "
                         "objects")
    names = [str(r.get("name") or f"{r.get('family')}-{r.get('degree')}") for r in rows]
    published = [str(p.get("name")) for p in data.get("published") or []
                 if isinstance(p, dict) and p.get("name") in PUBLISHED]
    listed = _row_names(names)
    if row is None or not row.strip():
        raise InputError(f"{origin} is a Pareto sweep of {len(rows)} rows; pick one with "
                         f"FILE.json#ROW, ROW one of {listed} (or a published name)")
    row = row.strip()
    if row not in names:
        if row in published:
            return get_published(row)
        raise InputError(f"{origin} has no row {_cut(row, 40)!r}"
                         f"{suggest(row[:100], names + published)}; its rows: {listed} (and "
                         "the published names it lists)")
    i = names.index(row)
    entry = rows[i]
    if "approximant" not in entry:
        reason = entry.get("error")
        raise InputError(f"{origin}: row {row!r} has no approximant (its fit failed"
                         f"{': ' + _cut(str(reason)) if reason else ''})")
    prefix = f"rows[{i}].approximant."
    check_approximant_dict(entry["approximant"], origin=f"{origin}: ", prefix=prefix)
    try:
        return _build(entry["approximant"], prefix)
    except InputError as exc:
        raise InputError(f"{origin}: {exc}") from None


def approximant_from_dict(data: Any) -> AnyApproximant:
    """The approximant a ``to_dict`` form describes, of the right kind.

    ``family: rational`` gives a
    :class:`~approxfit.approximants.rational.RationalApproximant`, ``kind:
    closed-form`` (or ``family: closed form``) a
    :class:`~approxfit.approximants.published.ClosedFormApproximant`, anything else
    an :class:`~approxfit.approximants.approximant.Approximant`.  A family or rational
    form with ``basis: "chebyshev"`` is rebuilt exactly from its ``chebyshev`` key;
    without ``basis`` (every fit saved before the Chebyshev form) it is monomial.
    The fields are checked first (:func:`check_approximant_dict`).
    """
    check_approximant_dict(data)
    return _build(data, "")


def _build(data: Mapping[str, Any], prefix: str) -> AnyApproximant:
    """The approximant of a checked description; a constructor's refusal names the
    field, ``prefix`` + its name."""
    try:
        if data.get("kind") == "piecewise":
            from approxfit.approximants.piecewise import PiecewiseApproximant

            return PiecewiseApproximant.from_dict(data)
        if data.get("family") == "rational":
            return RationalApproximant.from_dict(data)
        if data.get("kind") == "closed-form" or data.get("family") == "closed form":
            return ClosedFormApproximant.from_dict(data)
        return Approximant.from_dict(data)
    except (OverflowError, RecursionError) as exc:
        raise InputError(f"not an approximant description: {type(exc).__name__} while "
                         "building it") from None
    except InputError as exc:
        raise InputError(_field_message(str(exc), data, prefix)) from None


#: The constructors' parameters that a saved fit's fields feed, by field.
_FIELDS = {"coef": "coefficients", "num_coef": "coefficients", "den_coef": "coefficients",
           "constants": "coefficients", "num_powers": "powers", "expr": "target_expr",
           "num_cheb": "chebyshev.numerator", "num_indices": "chebyshev.numerator",
           "den_cheb": "chebyshev.denominator", "den_indices": "chebyshev.denominator",
           "domain": "chebyshev.domain"}


def _field_message(message: str, data: Mapping[str, Any], prefix: str) -> str:
    """A constructor's message about a field of a description: each backticked
    parameter (which the command line would show as a flag) becomes the quoted JSON
    field it came from, and the message says it is about a description."""
    def field(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "coef" and data.get("basis") == "chebyshev":
            return f"'{prefix}chebyshev.coefficients'"
        return f"'{prefix}{_FIELDS.get(name, name)}'"

    message = re.sub(r"`(\w+)`", field, message)
    lead = "not an approximant description: "
    return message if "description:" in message else lead + message
