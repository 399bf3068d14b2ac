"""Issue 13, items 4, 6 and 8 at the command line: every command ends in one line.

An ``OSError`` (a file or standard output that cannot be written) is one line and exit
1; a broken pipe is a quiet exit 1; text the output's encoding cannot hold is escaped
(JSON stays valid JSON); ``--save`` is not written by a fit that failed; empty or
impossible output paths are refused before any work; user text in a message is cut
to about 60 characters; Python warnings reach the terminal as one line without a
source path. Cases where a real process matters (standard output on ``/dev/full``,
closed, a broken pipe, encodings, warnings) run ``python -m approxfit`` in a
subprocess; the others run in process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from approxfit.cli.common import ascii_json, cli_message, one_line
from approxfit.core import names
from approxfit.core.exceptions import ComputationError
from approxfit.core.names import check_choice, clip, quoted, quoted_path
from tests.helpers import run_inprocess

ROOT = Path(__file__).resolve().parents[1]
BIG = "a" * 131_000                       # the 131 KB argument


def run(args: list[str], *, env: dict[str, str] | None = None, stdout: object = None,
        timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """``python -m approxfit ARGS`` in a subprocess (bytes in, bytes out)."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "approxfit", *args], env=full, cwd=ROOT,
                          stdout=subprocess.PIPE if stdout is None else stdout,
                          stderr=subprocess.PIPE, timeout=timeout, check=False)


def one_error_line(err: str) -> str:
    """The single stderr line of a failed run; fails on a traceback or more lines."""
    assert "Traceback" not in err and "Exception ignored" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("approxfit: error: "), err
    return lines[0]


# -- every OSError is one line and exit 1 ----------------------------------------------

needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")


@needs_dev_full
@pytest.mark.parametrize("args", [["targets"], ["targets", "--json"], ["published"],
                                  ["taylor", "gelu", "tanh", "--json"], ["--help"]])
def test_stdout_on_dev_full_is_one_line_and_exit_1(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        r = run(args, stdout=full)
    assert r.returncode == 1
    line = one_error_line(r.stderr.decode())
    assert line == "approxfit: error: standard output: No space left on device"


@needs_dev_full
def test_fit_json_on_dev_full_is_one_line_and_exit_1() -> None:
    with open("/dev/full", "wb") as full:
        r = run(["fit", "gelu", "tanh", "--json", "--samples", "2001"], stdout=full)
    assert r.returncode == 1
    assert one_error_line(r.stderr.decode()).endswith("No space left on device")


@pytest.mark.parametrize("args", [["targets"], ["published"], ["targets", "--json"]])
def test_stdout_closed_is_refused_with_one_line(args: list[str]) -> None:
    cmd = " ".join([f'"{sys.executable}"', "-m", "approxfit", *args]) + " >&-"
    r = subprocess.run(["sh", "-c", cmd], capture_output=True, cwd=ROOT, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert r.returncode == 1
    assert one_error_line(r.stderr.decode()) == (
        "approxfit: error: standard output is closed; nothing could be printed")


@pytest.mark.parametrize("args", [["targets"], ["published"], ["families", "--json"],
                                  ["--help"]])
def test_broken_pipe_exits_1_quietly(args: list[str]) -> None:
    # the reader is gone before the first write: every write meets EPIPE
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "approxfit", *args], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()
    err = p.stderr.read().decode()
    p.stderr.close()
    assert p.wait(timeout=60) == 1
    assert err == ""                     # no "Exception ignored … BrokenPipeError"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("args", [
    ["fit", "gelu", "tanh", "--save", "/proc/fit.json"],
    ["export", "paper-tanh", "--out", "/proc/k.py"],
    ["report", "paper-tanh", "--csv", "/proc/r.csv"],
    ["report", "paper-tanh", "--plot", "/proc"],
])
def test_unwritable_place_is_refused_before_any_work(args: list[str]) -> None:
    code, out, err = run_inprocess(args)
    assert code == 1, err
    line = one_error_line(err)
    assert "'/proc" in line and "No such file or directory" in line
    assert out == ""                     # refused before the fit or report ran


@pytest.mark.parametrize("errno_", [28, 27, 30])     # ENOSPC, EFBIG, EROFS
def test_a_write_error_after_the_work_is_one_line_naming_the_option(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, errno_: int) -> None:
    def failing(*_: object, **__: object) -> None:
        raise OSError(errno_, os.strerror(errno_))

    monkeypatch.setattr("approxfit.core.io.write_atomic", failing)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_inprocess(["export", "paper-tanh", "--out", "k.py"])
    assert code == 1
    assert one_error_line(err) == (f"approxfit: error: --out 'k.py': cannot write "
                                   f"it: {os.strerror(errno_)}")
    assert not (tmp_path / "k.py").exists()


def test_an_oserror_anywhere_in_a_command_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    # not through write_output: the generic path in `guard` names the file and reason
    def failing(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied", "plots/x.png")

    monkeypatch.setattr("approxfit.present.plotting.save_figure", failing)
    code, _, err = run_inprocess(["report", "paper-tanh", "--samples", "201",
                                  "--plot", str(tmp_path)])
    assert code == 1
    assert one_error_line(err) == "approxfit: error: 'plots/x.png': Permission denied"


def test_debug_still_shows_the_oserror(monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    def failing(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("approxfit.core.io.write_atomic", failing)
    with pytest.raises(ComputationError) as exc:
        run_inprocess(["--debug", "export", "paper-tanh", "--out", str(tmp_path / "k.py")])
    assert isinstance(exc.value.__cause__, OSError)      # the traceback keeps the cause


# -- encodings -------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "cp1252"])
def test_targets_print_in_any_output_encoding(encoding: str) -> None:
    r = run(["targets"], env={"PYTHONIOENCODING": encoding})
    assert r.returncode == 0, r.stderr.decode()
    assert r.stderr == b""
    # click writes UTF-8 to a stream that claims ASCII; every other encoding holds
    # what it can and escapes the rest (σ is not in latin-1: written as \u03c3)
    text = r.stdout.decode("utf-8" if encoding == "ascii" else encoding)
    assert "tanh" in text and len(text.splitlines()) == len(names.TARGET_NAMES)
    if encoding == "latin-1":
        assert "\\u03c3" in text


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
@pytest.mark.parametrize("args", [
    ["targets", "--json"], ["published", "--json"],
    # taylor runs sympy in a child process: ~4 s a case, so only in the full run
    pytest.param(["taylor", "gelu", "tanh", "--json"], marks=pytest.mark.slow)])
def test_json_is_valid_json_in_any_output_encoding(encoding: str, args: list[str]) -> None:
    ref = run(args, env={"PYTHONIOENCODING": "utf-8"})
    r = run(args, env={"PYTHONIOENCODING": encoding})
    assert r.returncode == 0 and r.stderr == b"", r.stderr.decode()
    r.stdout.decode("ascii")             # pure ASCII: valid in every encoding
    assert json.loads(r.stdout) == json.loads(ref.stdout.decode("utf-8"))


def test_an_error_message_with_unicode_prints_in_ascii() -> None:
    r = run(["fit", "σ-target", "tanh"], env={"PYTHONIOENCODING": "ascii"})
    assert r.returncode == 2
    # click writes UTF-8 where the stream claims ASCII (its own choice): no traceback
    assert "σ-target" in one_error_line(r.stderr.decode("utf-8"))


def test_ascii_json_escapes_outside_the_basic_plane() -> None:
    text = json.dumps({"a": "σ😀 x"}, ensure_ascii=False)
    out = ascii_json(text)
    assert out == json.dumps({"a": "σ😀 x"}, ensure_ascii=True)   # json's own escaping
    assert json.loads(out) == {"a": "σ😀 x"}


# -- --save is not written by a failed fit ----------------------------------------------

def test_save_is_not_written_when_the_fit_does_not_converge(tmp_path: Path) -> None:
    dest = tmp_path / "fit.json"
    code, _, err = run_inprocess(["fit", "gelu", "tanh", "--objective", "minimax",
                                  "--max-iter", "1", "--samples", "2001",
                                  "--save", str(dest)])
    assert code == 1, err
    line = one_error_line(err)
    assert line.endswith("/fit.json' was not written") and "; --save '" in line
    assert not dest.exists()
    # the same fit with room to converge is saved
    code, _, err = run_inprocess(["fit", "gelu", "tanh", "--objective", "minimax",
                                  "--samples", "2001", "--save", str(dest)])
    assert code == 0, err
    assert json.loads(dest.read_text())["converged"] is True


def test_save_help_says_when_it_is_written() -> None:
    code, out, _ = run_inprocess(["fit", "--help"])
    assert code == 0
    assert "written only when the fit converged" in " ".join(out.split())


# -- empty and impossible output paths ----------------------------------------------------

@pytest.mark.parametrize("args, needle", [
    (["fit", "gelu", "tanh", "--save", ""], "--save needs a file name"),
    (["fit", "gelu", "tanh", "--save", "  "], "--save needs a file name"),
    (["report", "paper-tanh", "--plot", ""], "--plot needs a folder"),
    (["report", "paper-tanh", "--csv", ""], "--csv needs a file name"),
    (["export", "paper-tanh", "--out", ""], "--out needs a file name"),
    (["fit", "gelu", "tanh", "--save", "pyproject.toml/x.json"], "is not a folder"),
    (["fit", "gelu", "tanh", "--save", "x" * 300 + ".json"], "longer than 255 bytes"),
    (["report", "paper-tanh", "--plot", "pyproject.toml"], "is not a folder"),
    (["export", "paper-tanh", "--out", "tests"], "is a folder"),
    (["export", "paper-tanh", "--out", "tests/"], "ends in '/'"),
    (["export", "paper-tanh", "--out", "new/"], "ends in '/'"),
])
def test_bad_output_paths_are_refused_with_exit_2(args: list[str], needle: str) -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        before = sorted(p.name for p in ROOT.iterdir())
        code, out, err = run_inprocess(args)
        after = sorted(p.name for p in ROOT.iterdir())
    finally:
        os.chdir(cwd)
    assert code == 2, err
    assert needle in one_error_line(err)
    assert out == "" and before == after  # nothing written into the current folder


def test_plot_empty_writes_nothing_in_the_current_folder(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "approxfit", "report", "paper-tanh",
                        "--plot", ""], cwd=tmp_path, capture_output=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert r.returncode == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_device_or_fifo_is_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    targets = [str(fifo)] + (["/dev/full"] if Path("/dev/full").exists() else [])
    for dest in targets:
        code, _, err = run_inprocess(["export", "paper-tanh", "--out", dest])
        assert code == 2
        assert "is not a regular file" in one_error_line(err)
    assert fifo.is_fifo()
    if Path("/dev/full").exists():
        assert Path("/dev/full").is_char_device()


# -- user text is cut in messages ------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["fit", BIG, "tanh"], ["fit", "gelu", BIG], ["taylor", "gelu", "tanh", "--on", BIG],
    ["fit", "gelu", "tanh", "--objective", BIG], ["report", "--target", BIG],
    ["report", BIG], ["fit", "gelu", "tanh", "--save", "/tmp/" + BIG],
    ["fit", "gelu", "tanh", f"--{BIG}"], ["targets", BIG],
    ["fit", "gelu", "tanh", "--fix", f"{BIG}=1"],
])
def test_a_131_kb_argument_is_not_echoed_back(args: list[str]) -> None:
    code, _, err = run_inprocess(args)
    assert code == 2, err[:300]
    line = one_error_line(err)
    assert len(line) < 700                 # 60 per quoted text, 600 for the whole line
    assert "a" * 61 not in line
    assert "…" in line


def test_check_choice_quotes_at_most_60_characters() -> None:
    with pytest.raises(ValueError) as exc:
        check_choice("b" * 5000, ("gelu", "tanh"), "target")
    msg = str(exc.value)
    assert msg == f"unknown target '{'b' * 59}…'; choose one of gelu, tanh"


def test_clip_and_quoted() -> None:
    assert clip("gelu") == "gelu"
    assert clip("x" * 60) == "x" * 60                    # at the limit: whole
    assert clip("x" * 61) == "x" * 59 + "…"
    assert len(clip("y" * 10_000)) == 60
    assert quoted("a\nb") == "'a\\nb'"                 # one line: the newline escaped
    assert quoted_path("/" + "d" * 100 + "/fit.json") == "'…" + "d" * 50 + "/fit.json'"


def test_cli_message_keeps_one_line_and_cuts_long_words() -> None:
    msg = cli_message("`fix` value 'x\ny' and " + "z" * 200 + "; done")
    assert "\n" not in msg
    assert msg.startswith("--fix value 'x y' and ") and msg.endswith("…; done")
    assert len(cli_message("word " * 1000)) == 600
    # a quoted long word keeps its closing quote and punctuation
    assert cli_message("spec '" + "q" * 100 + "';") == "spec '" + "q" * 56 + "…';"
    # a line separator that is not a newline cannot start a second line either
    assert one_line("a\u2028b\rc\x85d") == "a b c d"


def test_long_paths_in_os_errors_are_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    long = "/" + "d" * 200 + "/x.png"

    def failing(*_: object, **__: object) -> None:
        raise FileNotFoundError(2, "No such file or directory", long)

    monkeypatch.setattr("approxfit.present.plotting.save_figure", failing)
    code, _, err = run_inprocess(["report", "paper-tanh", "--samples", "201",
                                  "--plot", "."])
    assert code == 1
    line = one_error_line(err)
    assert "d" * 61 not in line and line.endswith("d/x.png': No such file or directory")
    assert "'…" in line                  # the start is cut, the file name kept


# -- warnings ---------------------------------------------------------------------------------

NOISY = """
import warnings, numpy as np
import approxfit.cli.listing as listing
real = listing.emit_json
def noisy(obj):
    np.float64(1e300) * np.float64(1e300)        # numpy's RuntimeWarning: overflow
    warnings.warn("a `samples` warning from the library", UserWarning)
    real(obj)
listing.emit_json = noisy
from approxfit.cli.main import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("debug", [False, True])
def test_warnings_reach_the_terminal_as_one_line_without_paths(debug: bool) -> None:
    argv = ["--debug"] * debug + ["targets", "--json"]
    r = subprocess.run([sys.executable, "-c", "import sys\n" + NOISY, *argv], cwd=ROOT,
                       capture_output=True, text=True, timeout=60, check=False,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    json.loads(r.stdout)
    if debug:                            # --debug shows Python's form, with the path
        assert "<string>:7: RuntimeWarning: overflow" in r.stderr
        return
    assert r.stderr.splitlines() == [
        "approxfit: warning: numpy: overflow encountered in scalar multiply",
        "approxfit: warning: a --samples warning from the library",
    ]


def test_main_restores_showwarning() -> None:
    import warnings

    before = warnings.showwarning
    run_inprocess(["targets"])
    assert warnings.showwarning is before


# -- odd inputs found by the audit -------------------------------------------------------------

@pytest.mark.parametrize("args, code", [
    (["fit", "", "tanh"], 2), (["fit", "gelu", ""], 2),
    (["fit", "gelu", "tanh", "--fix", "c1=1", "--fix", "c1=2"], 2),
    (["fit", "gelu", "tanh", "--dtype", ""], 2),
    (["fit", "gelu", "tanh", "--degree", "99999999999999999999999"], 2),
    (["report", "paper-tanh", "--dtype", "float16", "--opmath", ""], 2),
    (["parity", "--dtype", ""], 2), (["export", "paper-tanh", "--to", ""], 2),
    (["targets", "--json=1"], 2), (["families", ""], 2),
])
def test_odd_inputs_end_in_one_line(args: list[str], code: int) -> None:
    got, _, err = run_inprocess(args)
    assert got == code, err
    one_error_line(err)


# -- review of issue 13 (F1): memory under a limit, long folder names, --expr of a saved fit

needs_rlimit = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                  reason="RLIMIT_AS and /proc/self/status are Linux's")


def _run_limited(code: str, limit: int, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -c CODE`` with its address space capped at ``limit`` bytes (``prlimit --as``)."""
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                          preexec_fn=cap, timeout=timeout, check=False)


@needs_rlimit
def test_available_memory_is_bounded_by_the_address_space_limit() -> None:
    # The child prints its own VmSize (read independently of approxfit) and what
    # approxfit thinks is available; under a 3 GB cap the two must add up to at most it.
    limit = 3_000_000_000
    code = ("from approxfit.core import resources as r; a = r.available_memory(); "
            "v = [int(l.split()[1]) * 1024 for l in open('/proc/self/status') "
            "if l.startswith('VmSize:')][0]; print(a, v)")
    proc = _run_limited(code, limit)
    assert proc.returncode == 0, proc.stderr
    avail, vmsize = map(int, proc.stdout.split())
    assert 0 < avail <= limit - vmsize + 16 * 2**20   # VmSize read 16 MiB later at most


@needs_rlimit
@pytest.mark.parametrize("args", [
    ["fit", "gelu", "poly", "--degree", "5", "--parity", "none", "--samples", "10000000"],
    ["fit", "gelu", "poly", "--degree", "12", "--parity", "none", "--step", "0.000002"],
])
def test_a_memory_cap_is_refused_in_one_line_before_the_work(args: list[str]) -> None:
    """The review's repro: ``prlimit --as=4000000000 approxfit fit …`` was a traceback
    (numpy's _ArrayMemoryError), the second after 14 s."""
    code = f"from approxfit.cli.main import main; main({args!r})"
    proc = _run_limited(code, 4_000_000_000, timeout=60)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc.stderr)
    assert "--samples = 10000000" in line and "needs about" in line
    assert "under the address-space limit" in line


@needs_rlimit
def test_a_memory_error_past_the_estimate_is_one_line_and_exit_1() -> None:
    # The estimate is defeated (available memory said to be 1 PiB), so numpy really runs
    # out under the 2 GB cap: the guard is the last line of defence.
    code = ("from approxfit.core import resources as r; r.available_memory = lambda: 2**50; "
            "from approxfit.cli.main import main; main(['fit', 'gelu', 'poly', '--degree', "
            "'12', '--parity', 'none', '--samples', '10000000'])")
    proc = _run_limited(code, 2_000_000_000, timeout=60)
    assert proc.returncode == 1, proc.stderr
    line = one_error_line(proc.stderr)
    assert line.startswith("approxfit: error: ran out of memory")
    assert line.endswith("; try fewer samples or a lower degree")


def test_cgroup_headroom_reads_v2_and_v1_limits(tmp_path: Path) -> None:
    from approxfit.core import resources

    v2 = tmp_path / "v2"
    (v2 / "box").mkdir(parents=True)
    (v2 / "cgroup.controllers").write_text("memory\n")
    (v2 / "memory.max").write_text("max\n")                   # the root: no limit
    (v2 / "memory.current").write_text("999999999\n")
    (v2 / "box" / "memory.max").write_text(f"{3 * 2**30}\n")
    (v2 / "box" / "memory.current").write_text(f"{2 * 2**30}\n")
    (v2 / "box" / "memory.stat").write_text(f"anon 1\ninactive_file {2**29}\n")
    own = tmp_path / "cgroup-v2"
    own.write_text("0::/box\n")
    # 3 GiB limit − (2 GiB used − 0.5 GiB reclaimable cache) = 1.5 GiB
    assert resources._cgroup_headroom(v2, str(own)) == 3 * 2**29
    v1 = tmp_path / "v1"
    (v1 / "memory" / "job").mkdir(parents=True)
    (v1 / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")  # none
    (v1 / "memory" / "memory.usage_in_bytes").write_text("5\n")
    (v1 / "memory" / "job" / "memory.limit_in_bytes").write_text("1000000000\n")
    (v1 / "memory" / "job" / "memory.usage_in_bytes").write_text("400000000\n")
    own1 = tmp_path / "cgroup-v1"
    own1.write_text("4:memory:/job\n1:cpu:/\n")
    assert resources._cgroup_headroom(v1, str(own1)) == 600_000_000
    (v1 / "memory" / "job" / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    assert resources._cgroup_headroom(v1, str(own1)) is None


def test_the_tightest_limit_is_available_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from approxfit.core import resources
    from approxfit.core.exceptions import InputError

    monkeypatch.setattr(resources, "_machine_memory", lambda: 20 * 2**30)
    monkeypatch.setattr(resources, "_rlimit_headroom", lambda: None)
    monkeypatch.setattr(resources, "_cgroup_headroom", lambda: 2**30)
    assert resources.available_memory() == 2**30
    with pytest.raises(InputError, match=r"1.0 GiB are available under the cgroup's memory "
                                         r"limit and approxfit uses at most half$"):
        resources.require_memory(2**30, "`samples` = 1")
    monkeypatch.setattr(resources, "_cgroup_headroom", lambda: None)
    assert resources.available_memory() == 20 * 2**30


LONG = "p" * 300


@pytest.mark.parametrize("args", [
    ["report", "paper-tanh", "--plot", LONG],
    ["report", "paper-tanh", "--plot", f"{LONG}/sub"],
    ["pareto", "gelu", "--out", LONG],
    ["reproduce", "--out", LONG],
    ["reproduce", "--out", f"new/{LONG}"],
    ["fit", "gelu", "tanh", "--save", f"{LONG}/fit.json"],
])
def test_a_folder_name_over_255_bytes_is_exit_2_naming_the_flag(args: list[str],
                                                                tmp_path: Path) -> None:
    """Was exit 1, "File name too long", from the system."""
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, out, err = run_inprocess(args)
    finally:
        os.chdir(cwd)
    assert code == 2, err
    assert out == ""
    flag = args[-2]
    assert one_error_line(err).endswith("': the folder name is longer than 255 bytes")
    assert f"error: {flag} '" in err
    assert list(tmp_path.iterdir()) == []


def test_a_path_over_4095_bytes_is_exit_2(tmp_path: Path) -> None:
    code, _, err = run_inprocess(["reproduce", "--out", str(tmp_path / ("a/" * 2100))])
    assert code == 2, err
    assert "the path is longer than 4095 bytes" in one_error_line(err)


@pytest.fixture(scope="module")
def custom_fit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("custom") / "custom.json"
    code, _, err = run_inprocess(["fit", "myf", "poly", "--expr", "x*erf(x)", "--degree", "4",
                                  "--samples", "2001", "--save", str(path)])
    assert code == 0, err
    return path


@pytest.mark.parametrize("command", ["export", "report"])
def test_expr_names_the_saved_fits_custom_target(custom_fit: Path, command: str) -> None:
    """``export custom.json --expr '*/x'`` said "target name 'gelu' is a built-in target";
    --expr now names the saved fit's target, and both commands agree."""
    spec = str(custom_fit)
    code, _, err = run_inprocess([command, spec, "--expr", "*/x"])
    assert code == 2 and "--expr '*/x' is not a valid formula" in one_error_line(err)
    assert "gelu" not in err
    code, _, err = run_inprocess([command, spec, "--expr", "x*x"])
    assert code == 2
    assert ("--expr 'x*x' is not the formula 'x*erf(x)' that" in one_error_line(err))
    for extra in ([], ["--expr", "x*erf(x)"], ["--target", "myf"],
                  ["--target", "myf", "--expr", "x*erf(x)"]):
        code, out, err = run_inprocess([command, spec, *extra])
        assert code == 0, (extra, err)
        assert "myf" in out


@pytest.mark.parametrize("command", ["export", "report"])
def test_expr_without_a_custom_target_to_name_says_so(command: str) -> None:
    code, _, err = run_inprocess([command, "poly:c1=1", "--expr", "x*x"])
    assert code == 2
    assert one_error_line(err).endswith("--expr needs --target NAME, the name of the custom "
                                        "target it defines (e.g. --target myf)")
    code, _, err = run_inprocess([command, "paper-tanh", "--expr", "x*x"])
    assert code == 2
    assert "approximates the built-in target 'gelu'; drop --expr" in one_error_line(err)
    code, out, err = run_inprocess([command, "poly:c1=1", "--target", "myf", "--expr", "x*x"])
    assert code == 0, err
    assert "myf" in out
