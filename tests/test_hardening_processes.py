"""Issue 13, items 3, 4 (multi-file), 6 (dask addresses), 7 (provenance's budget) and the
argument checks of ``pareto``/``provenance``: interrupts handled at safe points, workers
that die with their parent, outputs written all or nothing, one line and an exit status.

Signals are sent to real processes (``python -m approxfit``); which processes survive is
read from /proc (a zombie — state Z — is dead: this container's init does not reap).
"""

from __future__ import annotations

import errno
import hashlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from approxfit.core import interrupts
from approxfit.core.exceptions import ComputationError, InputError
from approxfit.core.io import write_atomic, write_files
from tests.helpers import run_inprocess

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
LINUX = sys.platform.startswith("linux")
needs_proc = pytest.mark.skipif(not LINUX, reason="reads /proc and uses prctl")

# A sweep of ~20 fits in a process pool: several seconds, so a signal lands mid-run.
PARETO = ["pareto", "gelu", "--families", "tanh,poly", "--max-degree", "9", "--samples",
          "20001"]
PARETO_FILES = ("pareto-gelu.json", "pareto-gelu.csv", "pareto-gelu.png")


# -- helpers ---------------------------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry of ``folder``: a file by its SHA-256, anything else by its kind."""
    out = {}
    for p in sorted(folder.iterdir()):
        out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return out


def _old_outputs(folder: Path, names: tuple[str, ...]) -> dict[str, str]:
    folder.mkdir(exist_ok=True)
    for n in names:
        (folder / n).write_bytes(f"old {n}\n".encode())
    (folder / "notes.txt").write_text("mine")          # not approxfit's: must survive
    (folder / "bench.json").write_text("{}")
    return _snapshot(folder)


def _stat(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _live_in_session(sid: int) -> list[str]:
    """Processes of session ``sid`` that are not zombies."""
    live = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(d)
            if st is not None and st[3] == str(sid) and st[0] != "Z":
                live.append(d)
    return live


def _children(pid: int) -> list[str]:
    return [d for d in os.listdir("/proc") if d.isdigit()
            and (st := _stat(d)) is not None and st[1] == str(pid) and st[0] != "Z"]


def _start(argv: list[str], **kw) -> subprocess.Popen:
    """``python -m approxfit ARGV`` in a new session, output captured like ``$(…)``."""
    return subprocess.Popen([sys.executable, "-m", "approxfit", *argv], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, text=True, **kw)


def _wait_for_workers(proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if _children(proc.pid):
            return
        if proc.poll() is not None:
            pytest.fail("the command ended before it started its workers")
        time.sleep(0.02)
    pytest.fail("no worker process appeared")


def _no_survivors(sid: int, timeout: float = 5) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not _live_in_session(sid):
            return
        time.sleep(0.05)
    left = _live_in_session(sid)
    for pid in left:                       # do not leave them to the next test
        os.kill(int(pid), signal.SIGKILL)
    pytest.fail(f"processes outlived the command: {left}")


def _check_interrupted(proc: subprocess.Popen, sig: int, folder: Path,
                       before: dict[str, str], names: tuple[str, ...]) -> None:
    try:
        _, err = proc.communicate(timeout=60)      # $(approxfit …) returns
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the command (or a worker holding its pipes) hung after the signal")
    assert proc.returncode == 128 + sig, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("approxfit: interrupted"), err
    after = _snapshot(folder)
    assert after["notes.txt"] == before["notes.txt"]
    assert after["bench.json"] == before["bench.json"]
    assert not [n for n in after if n.startswith(".af")], after       # no staging left
    changed = [n for n in names if after.get(n) != before.get(n)]
    if "unchanged" in lines[0]:
        assert after == before               # the claim is checked, not assumed
    else:
        assert sorted(changed) == sorted(names), "some files new, some old"
    _no_survivors(proc.pid)


# -- interrupts: real processes --------------------------------------------------------

@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_pareto_interrupted_during_pool_start_up(tmp_path, sig):
    """The signal lands as the first worker appears (the pool is forking)."""
    before = _old_outputs(tmp_path, PARETO_FILES)
    proc = _start([*PARETO, "--out", str(tmp_path)])
    _wait_for_workers(proc)
    proc.send_signal(sig)
    _check_interrupted(proc, sig, tmp_path, before, PARETO_FILES)


@needs_proc
@pytest.mark.parametrize("sig, delay", [(signal.SIGINT, 0.5), (signal.SIGTERM, 1.0),
                                        (signal.SIGINT, 1.5)])
def test_pareto_interrupted_mid_sweep(tmp_path, sig, delay):
    """At a fixed delay after the workers started: fits running and queued."""
    before = _old_outputs(tmp_path, PARETO_FILES)
    proc = _start([*PARETO, "--out", str(tmp_path)])
    _wait_for_workers(proc)
    time.sleep(delay)
    proc.send_signal(sig)
    _check_interrupted(proc, sig, tmp_path, before, PARETO_FILES)


@needs_proc
def test_terminal_ctrl_c_reaches_the_whole_group(tmp_path):
    """Ctrl-C in a terminal signals the process group: workers ignore it, the parent
    stops them, one line, exit 130."""
    before = _old_outputs(tmp_path, PARETO_FILES)
    proc = _start([*PARETO, "--out", str(tmp_path)])
    _wait_for_workers(proc)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    _check_interrupted(proc, signal.SIGINT, tmp_path, before, PARETO_FILES)


@needs_proc
def test_kill_9_of_the_parent_takes_the_workers_along(tmp_path):
    proc = _start([*PARETO, "--out", str(tmp_path)])
    _wait_for_workers(proc)
    time.sleep(0.3)
    workers = _children(proc.pid)
    assert workers
    proc.kill()                                    # SIGKILL: no handler runs
    t0 = time.monotonic()
    try:
        proc.communicate(timeout=10)               # no worker holds the pipes
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("a worker kept the caller's pipes open after kill -9 of its parent")
    assert time.monotonic() - t0 < 5
    _no_survivors(proc.pid, timeout=3)             # PR_SET_PDEATHSIG


@pytest.mark.slow
@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_reproduce_interrupted_at_pool_start_up(tmp_path, sig):
    """The whole reproduce (~10 s): the signal lands as its Pareto pool forks."""
    import shutil

    out = tmp_path / "results"
    shutil.copytree(RESULTS, out)
    (out / "notes.txt").write_text("mine")
    before = _snapshot(out)
    proc = _start(["reproduce", "--out", str(out)])
    _wait_for_workers(proc, timeout=120)
    proc.send_signal(sig)
    from approxfit.studies.reproduce import OWNED_FILES

    _check_interrupted(proc, sig, out, before, OWNED_FILES)


# -- interrupts: the commit is a critical section (in this process) ----------------------

@pytest.fixture
def installed():
    """approxfit's signal handling in this process; the test's handlers restored after."""
    saved = {s: signal.getsignal(s) for s in interrupts.SIGNALS}
    interrupts.install()
    yield
    for s, h in saved.items():
        signal.signal(s, h)
    interrupts.install.__globals__["_state"].update(signal=None, depth=0, written=[])


def test_a_signal_during_the_commit_lets_it_finish(tmp_path, monkeypatch, installed):
    names = tuple(f"f{i}.txt" for i in range(13))
    before = _old_outputs(tmp_path, names)
    real = os.replace
    sent = []

    def replace(src, dst):
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)    # lands after the first rename began
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        write_files(tmp_path, {n: f"new {n}" for n in names})
    after = _snapshot(tmp_path)
    assert all(after[n] != before[n] for n in names)       # all 13 new, not 1
    assert (tmp_path / "f12.txt").read_text() == "new f12.txt"
    assert len(interrupts.written()) == 13
    assert interrupts.interrupted_message().startswith("approxfit: interrupted after writing")
    assert "unchanged" not in interrupts.interrupted_message()


def test_a_swallowed_interrupt_still_stops_the_commit(tmp_path, installed):
    """A KeyboardInterrupt some library swallowed (the signal is recorded) must not let
    the run replace the files and then claim they are unchanged."""
    names = ("a.json", "b.png")
    before = _old_outputs(tmp_path, names)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)
    except KeyboardInterrupt:
        pass                                            # swallowed
    with pytest.raises(KeyboardInterrupt):
        write_files(tmp_path, {n: b"new" for n in names})
    assert _snapshot(tmp_path) == before
    assert interrupts.written() == ()
    assert interrupts.exit_status() == 143
    assert interrupts.interrupted_message() == (
        "approxfit: interrupted; files from earlier runs are unchanged")


@needs_proc
def test_a_signal_while_the_pool_forks_is_held_then_workers_are_killed(monkeypatch,
                                                                        installed):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from approxfit.studies.pareto import pareto

    real = ProcessPoolExecutor.submit
    count = []

    def submit(self, *a, **kw):
        count.append(1)
        if len(count) == 1:
            os.kill(os.getpid(), signal.SIGINT)     # before the first fork
        return real(self, *a, **kw)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)
    earlier = {p.pid for p in multiprocessing.active_children()}   # other tests' processes
    with pytest.raises(KeyboardInterrupt):
        pareto("gelu", families=("tanh",), max_degree=5, samples=101, executor="local")
    assert len(count) >= 2                   # the submissions were not cut short
    # Each worker this sweep forked is dead: read from /proc (multiprocessing's own list
    # can keep a child another thread already reaped).
    mine = [p.pid for p in multiprocessing.active_children() if p.pid not in earlier]
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in mine) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in mine if _running(pid)] == []


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


# -- all-or-nothing outputs ------------------------------------------------------------

NAMES13 = tuple(f"out{i:02d}.bin" for i in range(13))


def _failing_write(monkeypatch, err: int, after_files: int) -> None:
    """``os.write`` fails with ``err`` on the first write of file number ``after_files``."""
    real_open, real_write = os.open, os.write
    opened = []

    def fake_open(path, flags, *a, **kw):
        fd = real_open(path, flags, *a, **kw)
        if flags & os.O_CREAT:
            opened.append(fd)
        return fd

    def fake_write(fd, data):
        if len(opened) > after_files and fd == opened[-1]:
            raise OSError(err, os.strerror(err))
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "write", fake_write)


@pytest.mark.parametrize("err", [errno.EFBIG, errno.ENOSPC])
def test_a_write_error_after_four_of_thirteen_files_changes_nothing(tmp_path, monkeypatch,
                                                                    err):
    before = _old_outputs(tmp_path, NAMES13)
    _failing_write(monkeypatch, err, after_files=4)
    with pytest.raises(ComputationError) as info:
        write_files(tmp_path, {n: b"new" * 1000 for n in NAMES13})
    monkeypatch.undo()
    msg = str(info.value)
    assert os.strerror(err) in msg and "out04.bin" in msg and "was changed" in msg
    assert "\n" not in msg
    assert _snapshot(tmp_path) == before


def test_a_folder_in_the_way_changes_nothing(tmp_path):
    before = _old_outputs(tmp_path, NAMES13[:-1])
    (tmp_path / NAMES13[-1]).mkdir()            # like a folder named claims.json
    before = _snapshot(tmp_path)
    with pytest.raises(ComputationError, match="a folder of that name is in the way"):
        write_files(tmp_path, {n: b"new" for n in NAMES13})
    assert _snapshot(tmp_path) == before


def test_a_failed_rename_mid_commit_is_rolled_back(tmp_path, monkeypatch):
    before = _old_outputs(tmp_path, NAMES13)
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 7:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(ComputationError, match="was changed"):
        write_files(tmp_path, {n: b"new" for n in NAMES13})
    assert _snapshot(tmp_path) == before


def test_a_commit_killed_midway_is_rolled_forward_by_the_next_write(tmp_path):
    """What SIGKILL mid-commit leaves (a staging folder with its journal and some files
    not yet moved) is finished by the next write into that folder."""
    _old_outputs(tmp_path, ("a", "b", "c"))
    stage = tmp_path / ".afdead0000.stage"
    stage.mkdir()
    (stage / "c").write_text("new c")
    (stage / "COMMIT").write_text("a\nb\nc\n/\n")      # complete: ends in the line "/"
    (tmp_path / "a").write_text("new a")        # a and b had been moved already
    (tmp_path / "b").write_text("new b")
    write_files(tmp_path, {"x": "x"})
    assert [(tmp_path / n).read_text() for n in "abc"] == ["new a", "new b", "new c"]
    assert not stage.exists()


def test_long_file_names_need_no_longer_temporary_names(tmp_path):
    """A 245-character name: ``.{name}.XXXX.tmp`` would exceed the 255 allowed."""
    name = "r" * 241 + ".png"
    assert len(name) == 245
    write_atomic(tmp_path / name, b"one")
    write_files(tmp_path, {name: b"two", "other.json": b"{}"})
    assert (tmp_path / name).read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "other.json"])


def test_a_read_only_filesystem_changes_nothing(tmp_path, monkeypatch):
    before = _old_outputs(tmp_path, NAMES13)
    real = os.mkdir

    def erofs(path, *a, **kw):                   # the staging folder cannot be made
        if str(path).endswith(".stage"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real(path, *a, **kw)

    monkeypatch.setattr(os, "mkdir", erofs)
    with pytest.raises(ComputationError, match="Read-only file system"):
        write_files(tmp_path, {n: b"new" for n in NAMES13})
    assert _snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_changes_nothing(tmp_path):
    before = _old_outputs(tmp_path, NAMES13)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(ComputationError, match="Permission denied"):
            write_files(tmp_path, {n: b"new" for n in NAMES13})
    finally:
        tmp_path.chmod(0o755)
    assert _snapshot(tmp_path) == before


def _fsize_limit(limit: int):
    def pre() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # EFBIG instead of a core dump
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


@needs_proc
def test_pareto_out_past_the_file_size_limit_is_one_line_and_changes_nothing(tmp_path):
    """A real EFBIG: the PNG (~80 KB) exceeds RLIMIT_FSIZE = 20 KB, the JSON does not."""
    before = _old_outputs(tmp_path, PARETO_FILES)
    r = subprocess.run([sys.executable, "-m", "approxfit", "pareto", "gelu", "--families",
                        "tanh", "--max-degree", "3", "--samples", "2001", "--executor",
                        "serial", "--out", str(tmp_path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=120, preexec_fn=_fsize_limit(20_000))
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1 and "File too large" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert _snapshot(tmp_path) == before


@pytest.mark.slow
@needs_proc
def test_reproduce_past_the_file_size_limit_keeps_the_old_results(tmp_path):
    import shutil

    out = tmp_path / "results"
    shutil.copytree(RESULTS, out)
    before = _snapshot(out)
    r = subprocess.run([sys.executable, "-m", "approxfit", "reproduce", "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300,
                       preexec_fn=_fsize_limit(60_000))
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1 and "File too large" in r.stderr, r.stderr
    assert _snapshot(out) == before


def test_pareto_out_with_a_folder_in_the_way(tmp_path, monkeypatch):
    before = _old_outputs(tmp_path, PARETO_FILES[1:])
    (tmp_path / PARETO_FILES[0]).mkdir()
    before = _snapshot(tmp_path)
    code, _, err = run_inprocess(["pareto", "gelu", "--families", "tanh", "--max-degree", "2",
                                  "--samples", "101", "--executor", "serial", "--out",
                                  str(tmp_path)])
    assert code == 1 and err.count("\n") == 1 and "in the way" in err, err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("cmd", [["pareto", "gelu"], ["reproduce"]])
def test_an_empty_out_is_refused(cmd):
    code, _, err = run_inprocess([*cmd, "--out", ""])
    assert code == 2 and err.count("\n") == 1 and "--out" in err, err


# -- dask addresses ----------------------------------------------------------------------

@pytest.mark.parametrize("spec", ["dask://", "dask://localhost:notaport",
                                  "dask://inproc://x", "dask://host:0", "dask://:8786",
                                  "dask://h:99999", "dask://a/b:1"])
def test_a_bad_dask_address_is_exit_2(spec):
    code, _, err = run_inprocess(["pareto", "gelu", "--max-degree", "1", "--executor", spec])
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("approxfit: error: --executor"), err


def test_an_unreachable_dask_scheduler_is_exit_1_within_the_timeout(monkeypatch):
    pytest.importorskip("distributed")
    from approxfit.studies import pareto

    monkeypatch.setattr(pareto, "DASK_TIMEOUT", 1.0)
    t0 = time.monotonic()
    code, _, err = run_inprocess(["pareto", "gelu", "--max-degree", "1", "--executor",
                                  "dask://127.0.0.1:9"])
    assert code == 1, err
    assert err.count("\n") == 1 and "cannot reach the Dask scheduler within 1 s" in err, err
    assert time.monotonic() - t0 < 30


# -- provenance's budget -------------------------------------------------------------------

def test_provenance_refuses_more_work_than_its_budget_with_an_estimate():
    t0 = time.monotonic()
    code, _, err = run_inprocess(["provenance", "paper-tanh", "--samples", "10000000"])
    assert code == 2, err
    assert err.count("\n") == 1
    # paper-tanh's default search: 2 objectives × 2 sides × 2 slopes × 2 samplings × 8 R
    assert "for 128 procedures is 1.28e+09 points" in err, err
    assert "--samples" in err and "156250" in err          # 2e7 // 128
    assert time.monotonic() - t0 < 20


def test_provenance_budget_boundary():
    from approxfit.studies.provenance import MAX_POINTS, check_work

    check_work(MAX_POINTS // 128, 128)                     # at the limit: allowed
    with pytest.raises(InputError, match="`samples`"):
        check_work(MAX_POINTS // 128 + 1, 128)


# -- public arguments --------------------------------------------------------------------

PARETO_BAD = [
    ({"max_degree": "3"}, "max_degree"), ({"max_degree": True}, "max_degree"),
    ({"max_degree": 3.0}, "max_degree"), ({"max_degree": 41}, "max_degree"),
    ({"samples": "101"}, "samples"), ({"samples": 5}, "samples"),
    ({"samples": True}, "samples"), ({"range": ("-1", 1)}, "range"),
    ({"range": (1, -1)}, "range"), ({"range": (0, 1, 2)}, "range"),
    ({"range": "01"}, "range"), ({"range": (float("nan"), 1)}, "range"),
    ({"families": 3}, "families"), ({"families": [None]}, "families"),
    ({"families": ""}, "families"), ({"families": ("nope",)}, "families"),
    ({"objective": 1}, "objective"), ({"objective": "l1"}, "objective"),
    ({"on": None}, "on"), ({"executor": 3}, "executor"), ({"executor": "threads"}, "executor"),
    ({"progress": "yes"}, "progress"),
]


@pytest.mark.parametrize("kw, name", PARETO_BAD)
def test_pareto_validates_its_arguments(kw, name):
    from approxfit.studies.pareto import pareto

    args = {"executor": "serial", "max_degree": 1, "samples": 101, **kw}
    with pytest.raises(InputError, match=f"`{name}`"):
        pareto("gelu", **args)


def test_pareto_target_type_is_checked():
    from approxfit.studies.pareto import pareto

    with pytest.raises(InputError, match="`target`"):
        pareto(3.0, executor="serial")


PROVENANCE_BAD = [
    ({"approx": 3}, "approx"), ({"approx": None}, "approx"), ({"target": 1}, "target"),
    ({"samples": "4001"}, "samples"), ({"samples": True}, "samples"),
    ({"samples": 4001.0}, "samples"), ({"ranges": "3"}, "ranges"),
    ({"ranges": (0,)}, "ranges"), ({"objectives": "l2"}, "objectives"),
    ({"printed": {"a3": 0.044715}}, "printed"), ({"printed": ["a3"]}, "printed"),
    ({"progress": 1}, "progress"),
]


@pytest.mark.parametrize("kw, name", PROVENANCE_BAD)
def test_provenance_validates_its_arguments(kw, name):
    from approxfit.studies.provenance import provenance

    args = {"approx": "paper-tanh", **kw}
    with pytest.raises(InputError, match=f"`{name}`"):
        provenance(args.pop("approx"), **args)


# -- review of issue 13 (F1): the staging folder's creation, the journal written whole ----

def test_an_interrupt_as_the_staging_folder_is_made_leaves_nothing(tmp_path, monkeypatch):
    """A KeyboardInterrupt right after the staging folder exists (the gap between
    ``mkdtemp`` and the ``try`` that removed it) used to leave an empty ``.af….stage``."""
    before = _old_outputs(tmp_path, ("a", "b"))
    real = os.mkdir

    def mkdir(path, *args, **kwargs):
        real(path, *args, **kwargs)
        if str(path).endswith(".stage"):
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "mkdir", mkdir)
    with pytest.raises(KeyboardInterrupt):
        write_files(tmp_path, {"a": b"new", "b": b"new"})
    assert _snapshot(tmp_path) == before                  # no .af….stage left


def test_a_signal_as_the_staging_folder_is_made_is_held(tmp_path, monkeypatch, installed):
    """A real SIGINT at that moment: held until the folder is registered for removal."""
    before = _old_outputs(tmp_path, ("a", "b"))
    real = os.mkdir

    def mkdir(path, *args, **kwargs):
        real(path, *args, **kwargs)
        if str(path).endswith(".stage"):
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "mkdir", mkdir)
    with pytest.raises(KeyboardInterrupt):
        write_files(tmp_path, {"a": b"new", "b": b"new"})
    assert _snapshot(tmp_path) == before
    assert interrupts.written() == ()


def test_a_journal_cut_short_is_rolled_back_not_forward(tmp_path):
    """A journal without its final "/" line (cut short by a kill mid-write, as the journal
    written in place could be) must not be rolled forward: the old files stay, and a file
    already moved is put back from its backup."""
    before = _old_outputs(tmp_path, ("a", "b", "c"))
    stage = tmp_path / ".afdead0001.stage"
    (stage / "old").mkdir(parents=True)
    for n in "abc":
        os.link(tmp_path / n, stage / "old" / n)           # the backups, as _commit makes
        (stage / n).write_text(f"new {n}")
    (stage / "COMMIT").write_text("a\nb")                 # cut short
    os.replace(stage / "a", tmp_path / "a")                 # as if a had been moved
    write_files(tmp_path, {"x": "x"})
    after = _snapshot(tmp_path)
    del after["x"]
    assert after == before
    assert not stage.exists()


_KILL_MID_JOURNAL = """
import os, signal, sys
from approxfit.core import io
real = io._write_all

def write_all(fd, raw):
    if os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 1)[-1].startswith("COMMIT"):
        real(fd, raw[: len(raw) // 2])                      # half the journal, then kill -9
        os.fsync(fd)
        os.kill(os.getpid(), signal.SIGKILL)
    real(fd, raw)

io._write_all = write_all
io.write_files(sys.argv[1], {n: "new " + n for n in ("a", "b", "c", "d")})
"""


@needs_proc
def test_kill_9_mid_journal_leaves_the_old_files(tmp_path):
    """The journal is written to COMMIT.tmp and renamed: a kill -9 mid-write leaves no
    COMMIT, so the next run does not "roll forward" half a commit."""
    names = ("a", "b", "c", "d")
    before = _old_outputs(tmp_path, names)
    proc = subprocess.run([sys.executable, "-c", _KILL_MID_JOURNAL, str(tmp_path)],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
                          capture_output=True, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert any(p.name.endswith(".stage") for p in tmp_path.iterdir())  # it was killed
    write_files(tmp_path, {"x": "x"})                       # the next run recovers
    after = _snapshot(tmp_path)
    del after["x"]
    assert after == before
