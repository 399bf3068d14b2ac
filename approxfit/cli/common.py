"""The typer application, the options shared by several commands, and the helpers
that turn approxfit's exceptions into one line and an exit status."""

from __future__ import annotations

import enum
import errno
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from typer.core import TyperArgument, TyperCommand, TyperOption

from approxfit.core import names
from approxfit.core.exceptions import ApproxfitError, ComputationError, InputError

CONTEXT = {"help_option_names": ["-h", "--help"]}
"""Click settings of the app and of every command: ``-h`` is ``--help``."""


def _no_type(ctx: Any) -> None:
    return None


class Command(TyperCommand):
    """A typer command with the project's help conventions.

    * An argument with a metavar that is not a choice is shown by its metavar alone
      (``TARGET``, not ``TARGET <str>``).
    * A repeatable choice option also takes a comma list: ``--families tanh,poly`` is
      read as ``--families tanh --families poly`` (no choice contains a comma).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for p in self.params:
            if (isinstance(p, TyperArgument) and p.metavar is not None
                    and not p.type_descriptor.is_choice):
                p.display_type_rich = _no_type  # type: ignore[method-assign]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, split_lists(self, args))


def split_lists(command: Any, args: list[str]) -> list[str]:
    """``args`` with each comma list of a repeatable choice option repeated instead.

    >>> from approxfit.cli.main import app_command
    >>> split_lists(app_command("parity"), ["--dtype", "float32,bfloat16"])
    ['--dtype', 'float32', '--dtype', 'bfloat16']
    """
    flags = {opt for p in command.params
             if isinstance(p, TyperOption) and p.multiple and p.type_descriptor.is_choice
             for opt in p.opts}
    out: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            out += args[i:]
            break
        flag, eq, value = token.partition("=")
        if flag in flags and (eq or i + 1 < len(args)):
            if not eq:
                i += 1
                value = args[i]
            for piece in value.split(",") if "," in value else [value]:
                out += [flag, piece.strip()]
        else:
            out.append(token)
        i += 1
    return out


app = typer.Typer(
    name="approxfit",
    help="Derive, fit and judge cheap approximations of activation-like functions.\n\n"
         "Examples:\n\n"
         "\b\n"
         "  approxfit taylor gelu tanh --degree 3 --fix 'c1=sqrt(2/pi)'\n"
         "  approxfit fit gelu tanh --degree 3 --objective minimax --range -10 10",
    no_args_is_help=True,
    add_completion=True,
    context_settings=CONTEXT,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

STATE: dict[str, Any] = {"debug": False, "signal": None}

# -- choices: typer lists them in --help and refuses others (exit 2) -------------------
def choices(values: tuple[str, ...]) -> Any:
    """``Literal[values]``: a choice typer shows as ``<a|b|c>`` and checks."""
    return Literal[values]  # type: ignore[valid-type]


def list_choices(name: str, values: tuple[str, ...]) -> Any:
    """A ``str`` Enum of ``values``: the element type of a repeatable choice option (typer
    takes no ``list[Literal[…]]``); :func:`plain` turns its members back into strings."""
    return enum.Enum(name, {v: v for v in values}, type=str)  # type: ignore[misc]


def plain(values: Any) -> list[str] | None:
    """The strings of a repeatable choice option (Enum members), None when not given."""
    return None if not values else [getattr(v, "value", v) for v in values]


Family = choices(names.FAMILY_NAMES)
Objective = choices(names.OBJECTIVES)
On = choices(names.ONS)
Parity = choices(names.PARITIES)
Grid = choices(names.GRID_KINDS)
ROUNDED_DTYPES = ("float32", "float16", "bfloat16")
"""The formats ``fit --dtype`` rounds coefficients to."""
REPORT_DTYPES = ("float64", "float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2")
"""The formats ``report --dtype`` and ``verify --format`` evaluate in."""
EXPORT_DTYPES = ("float64", "float32", "float16", "bfloat16")
"""The formats ``export --dtype`` writes code for."""
FamilyItem = list_choices("FamilyItem", names.FAMILY_NAMES)

# -- shared options, defined once ------------------------------------------------
JsonOpt = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document.")]
IdentifyOpt = Annotated[bool, typer.Option(
    "--identify", help="Also recognise closed forms of the coefficients (see identify).")]
DegreeOpt = Annotated[int, typer.Option("--degree", "-d", metavar="N", help="Highest power "
                                        "of the inner polynomial p (0-40).")]
ParityOpt = Annotated[Parity | None, typer.Option(
    "--parity", help="Powers of p. Default: from the target's symmetry (odd p for gelu's "
    "tanh/sigmoid forms).")]
FixOpt = Annotated[list[str] | None, typer.Option(
    "--fix", metavar="NAME=EXPR", help="Hold a coefficient at a value, e.g. "
    "--fix 'c1=sqrt(2/pi)' (quote it: the shell reads parentheses). Repeat for more: "
    "--fix 'c1=sqrt(2/pi)' --fix c0=0. EXPR may use numbers, pi, E, + - * / **, sqrt exp "
    "log erf tanh.")]
OnOpt = Annotated[On | None, typer.Option(
    "--on", help="Measure the gate or the value. Default: the gate for the tanh and "
    "sigmoid families, the value for poly and rational.")]
DenDegreeOpt = Annotated[int, typer.Option(
    "--den-degree", metavar="N",
    help="rational family: degree of the denominator Q = 1 + d·x^k + ….")]
DenParityOpt = Annotated[Parity, typer.Option(
    "--den-parity", help="rational family: powers of Q.")]
RangeOpt = Annotated[tuple[float, float], typer.Option(
    "--range", metavar="LO HI", help="The fit range [LO, HI].")]
TargetArg = Annotated[str, typer.Argument(
    metavar="TARGET", help=f"One of: {', '.join(names.TARGET_NAMES)}; gelu:mu=M,sigma=S "
    "for GELU with an N(M, S) gate; or a new name for an --expr target.")]
ExprOpt = Annotated[str | None, typer.Option(
    "--expr", metavar="EXPR", help="A custom target f(x), e.g. 'x*erf(x)' (numbers, x, pi, "
    "E, + - * / **, sqrt exp log erf erfc tanh sinh cosh sin cos atan abs). TARGET names "
    "it; it has no gate, so use the poly family.")]
SpecExprOpt = Annotated[str | None, typer.Option(
    "--expr", metavar="EXPR", help="Measure against a custom target f(x) instead of the "
    "specs' own, e.g. 'x*erf(x)' (numbers, x, pi, E, + - * / **, sqrt exp log erf erfc "
    "tanh sinh cosh sin cos atan abs); --target NAME names it, or it is the formula of the "
    "saved fits' own custom target.")]
FamilyArg = Annotated[Family, typer.Argument(metavar="FAMILY", help="The approximant "
                                             "family (see approxfit families).")]


# The library's messages name a Python parameter in backticks (`fix`); the command
# line names its option or argument instead.
FLAGS: dict[str, str] = {
    "target": "TARGET", "family": "FAMILY", "specs": "SPEC", "spec": "SPEC",
    "number": "NUMBER", "budget": "--time-budget",
}
"""Library parameters that are positional arguments on the command line; every other
backticked parameter ``name_x`` is the option ``--name-x``."""


MESSAGE_CHARS = 600
"""A message longer than this is cut (after each long word was already cut to 60)."""


def cli_message(text: str) -> str:
    """A library message with its backticked parameter names turned into the CLI's words,
    on one line, and no word of it longer than about 60 characters.

    Library messages quote user text shortened already; this is the backstop for any
    that do not: a run of more than 80 non-blank characters is cut to 60 and "…", line
    breaks become spaces, and the whole message is cut at 600 characters.

    >>> cli_message("`fix` names c2, which tanh of degree 3 (odd) does not have")
    '--fix names c2, which tanh of degree 3 (odd) does not have'
    >>> cli_message("`max_degree` must be between 1 and 15, got 20")
    '--max-degree must be between 1 and 15, got 20'
    >>> cli_message("unknown target " + "a" * 1000)
    'unknown target aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…'
    """
    text = re.sub(r"`([a-z][a-z0-9_]*)`",
                  lambda m: FLAGS.get(m.group(1), "--" + m.group(1).replace("_", "-")), text)
    return one_line(text)


def one_line(text: str) -> str:
    """``text`` on one line with long words and the whole cut (see :func:`cli_message`)."""
    text = re.sub(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+", " ", str(text))
    text = re.sub(r"\S{81,}", _clip_word, text)
    return names.clip(text, MESSAGE_CHARS)


def _clip_word(m: re.Match[str]) -> str:
    """A long word cut to 60 characters, keeping a closing quote and punctuation."""
    word = m.group(0)
    tail = re.search(r"['\"\])]?[;:,.)]*$", word).group(0)[:4]  # type: ignore[union-attr]
    return names.clip(word[: len(word) - len(tail)], names.SHOWN_CHARS - len(tail)) + tail


def fail(exc: ApproxfitError) -> None:
    typer.echo(f"approxfit: error: {cli_message(str(exc))}", err=True)
    raise typer.Exit(exc.exit_code)


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn approxfit's own exceptions, every OSError and a MemoryError into one line and
    an exit status.

    An :class:`InputError` exits 2, any other approxfit error, an ``OSError`` (a file
    or standard output that cannot be written) and a ``MemoryError`` exit 1; a broken
    pipe on standard output (``approxfit targets | head -1``) exits 1 quietly, as
    Python's documentation advises.
    With ``--debug`` the exception propagates with its traceback.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ApproxfitError as exc:
            if STATE["debug"]:
                raise
            fail(exc)
        except OSError as exc:
            if STATE["debug"]:
                raise
            os_failure(exc)
        except MemoryError as exc:
            if STATE["debug"]:
                raise
            out_of_memory(exc)

    return wrapper


def out_of_memory(exc: MemoryError) -> None:
    """End the run for a ``MemoryError``: one line and exit 1.

    The last line of defence: the library estimates the memory of its large allocations
    beforehand (:mod:`approxfit.core.resources`), but an estimate can fall short, and
    other processes can take what was free when it was made.
    """
    detail = str(exc).strip()
    detail = f" ({detail})" if detail else ""
    try:
        typer.echo(f"approxfit: error: {one_line(f'ran out of memory{detail}')}; try fewer "
                   "samples or a lower degree", err=True)
    except OSError:                       # stderr is gone too: the status must do
        pass
    raise typer.Exit(1)


def os_failure(exc: OSError, *, on_stdout: bool = False) -> None:
    """End the run for an ``OSError``: one line and exit 1 (a broken pipe: quietly).

    Standard output is pointed at ``/dev/null`` when it is the culprit (``on_stdout``, or
    found in the traceback), so that the interpreter's own flush at exit cannot fail
    again and print "Exception ignored".
    """
    on_stdout = on_stdout or isinstance(exc, BrokenPipeError) or concerns_stdout(exc)
    if on_stdout:
        silence_stdout()
    if isinstance(exc, BrokenPipeError):
        raise typer.Exit(1)
    try:
        typer.echo(f"approxfit: error: {os_error_text(exc, on_stdout)}", err=True)
    except OSError:                       # stderr is gone too: the status must do
        pass
    raise typer.Exit(1)


def os_error_text(exc: OSError, on_stdout: bool = False) -> str:
    """``'/proc/fit.json': No such file or directory``: the path and the reason."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is not None:
        where = names.quoted_path(os.fsdecode(exc.filename))
        if getattr(exc, "filename2", None) is not None:
            where += f" → {names.quoted_path(os.fsdecode(exc.filename2))}"
        return one_line(f"{where}: {reason}")
    if on_stdout:
        return one_line(f"standard output: {reason}")
    return one_line(f"cannot write: {reason}")


def concerns_stdout(exc: BaseException) -> bool:
    """Whether ``exc`` came from writing to standard output (a frame of its traceback
    holds ``sys.stdout``, its buffer, or a stream over that buffer)."""
    out = sys.__stdout__ if sys.stdout is None else sys.stdout
    if out is None:
        return False
    buf = getattr(out, "buffer", None)
    tb = exc.__traceback__
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            if value is out or (buf is not None and value is buf):
                return True
            if buf is not None and getattr(value, "buffer", None) is buf:
                return True
        tb = tb.tb_next
    return False


def silence_stdout() -> None:
    """Point file descriptor 1 at ``/dev/null`` (when standard output is a real file
    descriptor) so that what is still buffered goes nowhere instead of failing again."""
    try:
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):
        return
    try:
        os.dup2(null, fd)
    except OSError:
        pass
    finally:
        os.close(null)


def write_output(path: str | Path, data: str | bytes, *, what: str) -> Path:
    """:func:`approxfit.core.io.write_atomic` into a folder created if missing
    (:func:`make_folder`), with an ``OSError`` turned into a :class:`ComputationError`
    naming the option and the path (exit 1)."""
    from approxfit.core.io import write_atomic

    make_folder(Path(path).parent, what=what)
    try:
        return write_atomic(path, data)
    except OSError as exc:
        raise ComputationError(f"{what} {names.quoted_path(os.fsdecode(path))}: cannot write "
                               f"it: {exc.strerror or exc}") from exc


def make_folder(folder: str | Path, *, what: str) -> Path:
    """Create ``folder`` and its missing parents (``mkdir -p``), after the work is done
    and just before the first file is written, so a failed run creates nothing.

    Every level is created atomically by the system (an existing one is kept, also when
    another process created it meanwhile); an ``OSError`` becomes a
    :class:`ComputationError` naming the option (exit 1).
    """
    p = Path(folder)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ComputationError(f"{what}: cannot create the folder "
                               f"{names.quoted_path(os.fsdecode(p))}: {exc.strerror or exc}"
                               ) from exc
    return p


def say_wrote(*paths: str | Path) -> None:
    """One line per file written, ``wrote PATH``, on standard error (standard output
    keeps what the command prints, and exactly one document with ``--json``)."""
    for path in paths:
        typer.echo(f"wrote {os.fsdecode(path)}", err=True)


def _probe_folder(folder: Path, what: str, shown: str) -> None:
    """Create (and drop) a nameless file in ``folder``: the real test of writing there,
    which also holds for root on a read-only or virtual file system."""
    try:
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600)
        except (AttributeError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno not in (
                    errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".approxfit-")
            os.unlink(tmp)
        os.close(fd)
    except OSError as exc:
        raise ComputationError(f"{what} {shown}: cannot write in "
                               f"{names.quoted_path(str(folder))}: {exc.strerror or exc}") from None


NAME_MAX = 255
"""The longest file or folder name, in bytes, that Linux and macOS file systems allow."""
PATH_MAX = 4096
"""The longest path, in bytes (with its final NUL), that a system call takes on Linux."""


def check_name_lengths(path: str, *, what: str, last: str = "folder") -> None:
    """Refuse (exit 2) a path the system would refuse as too long ("File name too long").

    Each component is at most :data:`NAME_MAX` bytes (the last one is called a ``last``
    name, a ``"folder"`` or a ``"file"``; the others are folders), the whole path less
    than :data:`PATH_MAX` bytes.
    """
    shown = names.quoted_path(path)
    raw = os.fsencode(path)
    if len(raw) >= PATH_MAX:
        raise InputError(f"{what} {shown}: the path is longer than {PATH_MAX - 1} bytes")
    parts = [part for part in raw.split(b"/") if part]
    for i, part in enumerate(parts):
        if len(part) > NAME_MAX:
            kind = last if i == len(parts) - 1 else "folder"
            raise InputError(f"{what} {shown}: the {kind} name is longer than {NAME_MAX} "
                             "bytes")


def _shown_path(path: str, *, what: str, empty: str) -> str:
    """The checks every output path shares — not empty (``empty`` says what is wanted),
    no NUL character — and the path as messages quote it."""
    if not isinstance(path, str) or not path.strip():
        raise InputError(f"{what} {empty}, got an empty string")
    shown = names.quoted_path(path)
    if "\0" in path:
        raise InputError(f"{what} {shown}: a path cannot contain a NUL character")
    return shown


def output_file(path: str, *, what: str) -> Path:
    """Check a file an option will write (``--save``, ``--csv``, ``--out``) before any work.

    Refused with exit 2: an empty path, a NUL character, a path ending in ``/``, a file
    or folder name longer than 255 bytes (or a path longer than 4095), an existing
    folder or non-regular file (a device such as ``/dev/full``, a FIFO), a parent that
    is a file. Refused with exit 1: a folder that cannot be written in (read-only,
    ``/proc``). A missing folder is fine: :func:`write_output` creates it.
    """
    shown = _shown_path(path, what=what, empty="needs a file name")
    if path.endswith(("/", os.sep)):
        raise InputError(f"{what} {shown} ends in '/'; give a file name")
    check_name_lengths(path, what=what, last="file")
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{what} {shown} is a folder; give a file name")
    if p.exists() and not p.is_file():
        raise InputError(f"{what} {shown} exists and is not a regular file (a device, a "
                         "FIFO or a socket); give a file name")
    _probe_folder(_existing_folder(p.parent, what, shown), what, shown)
    return p


def _existing_folder(folder: Path, what: str, shown: str) -> Path:
    """The nearest existing ancestor of ``folder`` (itself if it exists), which must be a
    folder (else exit 2): where the missing part of the path will be created."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{what} {shown}: {names.quoted_path(str(existing))} is not a folder")
    return existing


def output_folder(path: str, *, what: str) -> Path:
    """Check a folder an option writes into (``--plot DIR``, ``--out DIR``) before any
    work; every such folder is created if missing (:func:`make_folder`, once the work is
    done), as ``reproduce --out`` always did.

    Refused with exit 2: an empty path, a name in it longer than 255 bytes, a file, a
    parent that is a file; with exit 1: a nearest existing folder that cannot be written
    in.
    """
    shown = _shown_path(path, what=what, empty="needs a folder")
    check_name_lengths(path, what=what)
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{what} {shown} is not a folder; give a folder to write into")
    _probe_folder(_existing_folder(p, what, shown), what, shown)
    return p


creatable_folder = output_folder
"""The same check (``reproduce --out``): one way to create output folders everywhere."""


def emit_json(obj: Any) -> None:
    """Print one JSON document; pure ASCII (``\\uXXXX`` escapes) when standard output
    does not encode UTF-8, so that it stays valid JSON in any locale."""
    from approxfit.core.io import dumps

    text = dumps(obj)
    if not stdout_is_utf8():
        text = ascii_json(text)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        os_failure(exc, on_stdout=True)


def stdout_is_utf8() -> bool:
    """Whether standard output encodes UTF-8 (a ``StringIO`` counts as UTF-8)."""
    import codecs

    enc = getattr(sys.stdout, "encoding", None)
    if not enc:
        return True
    try:
        return codecs.lookup(enc).name == "utf-8"
    except LookupError:
        return False


def ascii_json(text: str) -> str:
    """JSON text with every non-ASCII character written as a ``\\uXXXX`` escape (a
    surrogate pair above U+FFFF). In JSON text such characters occur only inside
    strings, so the document means the same."""
    import json

    return re.sub(r"[^\x00-\x7f]", lambda m: json.dumps(m.group(0)).strip('"'), text)


def parse_fix(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip():
            raise InputError(f"--fix {item!r} must look like NAME=EXPR, e.g. c1=sqrt(2/pi)")
        if re.search(r",\s*[A-Za-z_]\w*\s*=", value):
            raise InputError(f"--fix {names.quoted(item)} holds several coefficients; give "
                             "one NAME=EXPR per --fix (repeat it: --fix c1=1 --fix a3=0.04)")
        if name in out:
            raise InputError(f"--fix names {name} twice")
        out[name] = value
    return out


choice = names.check_choice


def resolve_target(name: str, expr: str | None) -> Any:
    """The built-in target ``name``, or a custom target from ``--expr``."""
    if expr is None:
        if ":" not in name:
            choice(name, names.TARGET_NAMES, "target")
        from approxfit.core.targets import get_target

        return get_target(name)
    from approxfit.core.targets import custom_target

    return custom_target(name, expr)


def spec_target(specs: list[str], target: str | None, expr: str | None) -> Any:
    """The target that ``report`` and ``export`` measure their specs against.

    ``target`` is ``--target`` (None when not given), ``expr`` is ``--expr``. The specs
    that carry their own target — published names and saved fits — decide when
    ``--target`` is not given:

    * no ``--expr``: their common target (a saved custom target with its formula), or
      ``gelu`` when they name none or differ;
    * ``--expr`` names the custom target of the saved fits (``approxfit export
      myf.json --expr 'x*erf(x)'``); with no saved custom target to name, ``--target
      NAME`` is needed, and a built-in target cannot take ``--expr``.

    ``--target NAME`` without ``--expr`` may name a custom target a saved fit carries.
    An ``--expr`` that differs from the formula a saved fit was fitted to is refused.

    Returns
    -------
    str or Target
        A built-in target's name, or a :class:`~approxfit.core.targets.Target`.
    """
    from approxfit.approximants.published import PUBLISHED
    from approxfit.approximants.spec import names_file, parse_spec
    from approxfit.core.targets import TARGETS

    own: list[tuple[str, Any]] = []        # (spec, its Target) for specs with a target
    for spec in specs:
        text = spec.strip() if isinstance(spec, str) else ""
        if text in PUBLISHED or names_file(text):
            own.append((text, parse_spec(text, None).target_obj))
    common = {t.name for _, t in own}
    if target is None:
        if len(common) != 1:
            if expr is not None:
                raise InputError("--expr needs --target NAME, the name of the custom target "
                                 "it defines (e.g. --target myf)")
            return "gelu"
        spec, saved = own[0]
        if expr is None:
            return saved if saved.expression is not None else saved.name
        if saved.name in TARGETS or ":" in saved.name:
            raise InputError(f"--expr defines a custom target, but {names.quoted_path(spec)} "
                             f"approximates the built-in target {saved.name!r}; drop --expr")
        target = saved.name
    elif expr is None and target not in TARGETS and ":" not in target:
        for _, saved in own:                   # a custom target a saved fit carries
            if saved.name == target and saved.expression is not None:
                return saved
    tgt = resolve_target(target, expr)
    if expr is None:
        return target if tgt.expression is None else tgt
    for spec, saved in own:
        if (saved.name == tgt.name and saved.expression is not None
                and saved.expression != tgt.expression):
            raise InputError(f"--expr {names.quoted(expr)} is not the formula "
                             f"{names.quoted(saved.expression)} that "
                             f"{names.quoted_path(spec)} was fitted to; drop --expr to use "
                             "the saved one")
    return tgt


def relay_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen = set()
    for w in caught:
        text = str(w.message)
        if text not in seen:
            seen.add(text)
            typer.echo(f"approxfit: warning: {cli_message(text)}", err=True)


def show_warning(message: Warning | str, category: type[Warning], filename: str,
                 lineno: int, file: Any = None, line: str | None = None) -> None:
    """A :func:`warnings.showwarning` for the command line: ``approxfit: warning: …`` on
    one line, with no source path (with ``--debug``: Python's own form)."""
    text = str(message)
    if STATE["debug"]:
        shown = warnings.formatwarning(message, category, filename, lineno, line)
    else:
        if issubclass(category, RuntimeWarning) and "encountered in" in text:
            text = f"numpy: {text}"
        shown = f"approxfit: warning: {cli_message(text)}\n"
    try:
        (file or sys.stderr).write(shown)
    except (AttributeError, OSError):
        pass


def _print_version(value: bool) -> None:
    if value:
        from approxfit.core.version import __version__

        typer.echo(f"approxfit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
          version: Annotated[bool, typer.Option(
              "--version", help="Print the version and exit.", is_eager=True,
              callback=_print_version)] = False,
          ) -> None:
    """Derive, fit and judge cheap approximations of activation-like functions."""
    STATE["debug"] = debug


