"""Faults: Ctrl-C and SIGTERM during check, hunt and solve; unwritable --out; progress on a terminal.

Every test runs the command as a subprocess, sends the signal when the
command is known to be busy (a marker file written by a toy check or hunt,
or the solve spinner on a pseudo-terminal), and checks what the user sees:
one line on stderr, exit status 130 (SIGINT) or 143 (SIGTERM), previous
output untouched, no worker process left behind.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from exactscreen.cli import main as cli

EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}
TIMEOUT = 120  # seconds: any wait of these tests

TOY_CLAIMS = """\
[papers.TOY]
title = "A toy paper"
authors = "A. Theorist"

[[claims]]
id = "TOY-SLOW"
paper = "TOY"
section = "Lemma 1"
statement = "a check that takes a minute"

[[claims]]
id = "TOY-FAST"
paper = "TOY"
section = "Lemma 2"
statement = "a quick check"
"""

TOY_CHECKS = """\
import os
import time
from pathlib import Path

from exactscreen.claims import claim


def _mark(name):
    Path(os.environ["FAULTS_MARKS"], f"{name}-{os.getpid()}").touch()


@claim("TOY-FAST")
def test_fast():
    _mark("fast")


@claim("TOY-SLOW")
def test_slow():
    _mark("slow")
    for _ in range(600):  # a minute at most
        time.sleep(0.1)
"""

HUNTS = """\
import os
import random
import time
from pathlib import Path

from exactscreen.hunt import batch_seed, register_hunt


def _mark(name):
    Path(os.environ["FAULTS_MARKS"], f"{name}-{os.getpid()}").touch()


def busy(rng):
    \"\"\"Never refutes; each instance burns half a second of CPU.\"\"\"
    _mark("busy")
    start = time.monotonic()
    while time.monotonic() - start < 0.5:
        pass
    return None


# The first instance of batch 0 (seed 0) hangs; every other instance refutes.
_HANG = random.Random(random.Random(batch_seed(0, "TOY-LATE", 0)).getrandbits(64)).random()


def late(rng):
    if rng.random() == _HANG:
        _mark("hanging")
        for _ in range(1200):  # two minutes at most
            time.sleep(0.1)
        return None
    _mark("found")
    return 7


register_hunt("TOY-BUSY", busy)
register_hunt("TOY-LATE", late)
"""


# ----------------------------------------------------------------- helpers
def _env(marks: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "FAULTS_MARKS": str(marks), "COLUMNS": "120", **extra}


def _wait_for(marks: Path, prefix: str, count: int = 1) -> list[Path]:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = sorted(marks.glob(f"{prefix}-*"))
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {prefix} marker within {TIMEOUT} s")


def _children(pid: int) -> list[int]:
    """PIDs of the live children of ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in pids if _alive(p)]
    for p in left:  # do not leave them running if the test fails
        os.kill(p, signal.SIGKILL)
    assert not left, f"worker processes still running: {left}"


def _send(proc: subprocess.Popen, sig: int, group: bool) -> None:
    """SIGINT to the process group, as Ctrl-C in a terminal does; SIGTERM to the process, as kill does."""
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)


def _as_from_a_terminal() -> None:
    """In the child before exec: SIGINT handled by default, as for a command started in a terminal.

    A command started in the background by a non-interactive shell (`pytest ... &`) has SIGINT
    ignored, and an ignored signal stays ignored across fork and exec: without this, every
    interrupt test would fail when the suite itself runs in the background.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "exactscreen", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_as_from_a_terminal, **kw)


@pytest.fixture
def toy(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(claims file, checks dir, markers dir)."""
    (tmp_path / "claims.toml").write_text(TOY_CLAIMS, encoding="utf-8")
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "test_toy.py").write_text(TOY_CHECKS, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    return tmp_path / "claims.toml", checks, marks


@pytest.fixture
def hunts(tmp_path: Path) -> tuple[Path, Path]:
    """(checks dir with the toy hunts, markers dir)."""
    d = tmp_path / "hunts"
    d.mkdir()
    (d / "hunt_toys.py").write_text(HUNTS, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    return d, marks


# ------------------------------------------------------------------- check
@pytest.mark.parametrize("sig,workers", [
    (signal.SIGINT, "1"), (signal.SIGTERM, "1"), (signal.SIGINT, "2"), (signal.SIGTERM, "2"),
])
def test_interrupted_check_leaves_the_previous_report_untouched(tmp_path, toy, sig, workers):
    claims, checks, marks = toy
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.json").write_text("PREVIOUS", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    proc = _start(["check", "--claims", str(claims), "--checks", str(checks), "--out", str(out),
                   "--format", "json", "--workers", workers, "-q"], _env(marks))
    try:
        _wait_for(marks, "slow")
        workers_before = _children(proc.pid)
        _send(proc, sig, group=sig == signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT[sig], (proc.returncode, stdout[-2000:], stderr[-2000:])
    assert stdout == ""  # no partial report, never "exit status 0"
    assert stderr.count("\n") == 1 and "interrupted by " + sig.name in stderr, stderr
    assert f"{out} is untouched" in stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "report.json"]
    assert (out / "report.json").read_text(encoding="utf-8") == "PREVIOUS"
    assert not list(tmp_path.glob(".exactscreen-partial-*"))
    _assert_gone(workers_before)


def test_interrupted_check_creates_no_out_dir(tmp_path, toy):
    claims, checks, marks = toy
    out = tmp_path / "new" / "report"
    proc = _start(["check", "--claims", str(claims), "--checks", str(checks), "--out", str(out),
                   "--workers", "1", "-q"], _env(marks))
    try:
        _wait_for(marks, "slow")
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143 and stdout == ""
    assert stderr.strip() == f"exactscreen check: interrupted by SIGTERM; no report written; {out} not created"
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())
    assert not list(tmp_path.rglob(".exactscreen-partial-*"))


@pytest.mark.parametrize("bad,reason", [
    ("afile", "exists and is not a directory"),
    ("afile/sub", "is not a directory"),
    ("/proc/exactscreen-report", "cannot write in /proc"),
])
def test_unwritable_out_is_refused_before_any_check_runs(tmp_path, toy, bad, reason):
    claims, checks, marks = toy
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    out = bad if bad.startswith("/") else str(tmp_path / bad)
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "check", "--claims", str(claims), "--checks", str(checks),
         "--claim", "TOY-FAST", "--out", out],
        env=_env(marks), capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"exactscreen check: error: --out {out}: ")
    assert reason in proc.stderr
    assert not list(marks.iterdir()), "a check ran before --out was refused"


def test_out_dir_is_replaced_as_a_whole_keeping_other_files(tmp_path, toy):
    claims, checks, marks = toy
    out = tmp_path / "report"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "stale.png").write_bytes(b"old")
    (out / "report.md").write_text("old", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "check", "--claims", str(claims), "--checks", str(checks),
         "--claim", "TOY-FAST", "--out", str(out), "--format", "json"],
        env=_env(marks), capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "counterexamples", "figures", "notes.txt", "report.html", "report.json", "report.md", "report.tex"]
    assert not (out / "figures" / "stale.png").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    # one run, two formats: the JSON on stdout is the JSON written into DIR
    assert (out / "report.json").read_text(encoding="utf-8") == proc.stdout
    assert json.loads(proc.stdout)["summary"]["verified"] == 1
    assert "TOY-FAST" in (out / "report.md").read_text(encoding="utf-8")
    assert not list(tmp_path.rglob(".exactscreen-partial-*"))
    assert oct((out / "report.md").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_help_says_how_to_get_several_formats_from_one_run(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    assert "several formats in one run" in out and "--workers" in out and "130" in out


# -------------------------------------------------------------------- hunt
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_hunt_stops_its_workers(tmp_path, hunts, sig):
    d, marks = hunts
    proc = _start(["hunt", "TOY-BUSY", "--checks", str(d), "--workers", "2", "--batch-size", "2",
                   "--budget", "100", "-q", "--out", str(tmp_path / "cx")], _env(marks))
    try:
        _wait_for(marks, "busy", count=2)  # both workers are computing
        workers = _children(proc.pid)
        assert len(workers) >= 2
        _send(proc, sig, group=sig == signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT[sig]
    assert stdout == ""
    assert stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"exactscreen hunt: interrupted by {sig.name}; no counterexample in ")
    assert "worker processes stopped" in stderr
    _assert_gone(workers)
    assert not (tmp_path / "cx").exists()


def test_interrupted_hunt_prints_the_counterexample_found_so_far(tmp_path, hunts):
    d, marks = hunts
    proc = _start(["hunt", "TOY-LATE", "--checks", str(d), "--workers", "2", "--batch-size", "1",
                   "--budget", "100", "-q", "--out", str(tmp_path / "cx")], _env(marks))
    try:
        _wait_for(marks, "hanging")
        _wait_for(marks, "found")
        time.sleep(2.0)  # the hunt receives batch 1's counterexample and waits for batch 0
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    assert "TOY-LATE: counterexample found in batch 1" in stdout and "not minimized" in stdout
    assert 'counterexample = "7"' in stdout
    assert stderr.count("\n") == 1 and "printed on stdout" in stderr, stderr
    _assert_gone(workers)


@pytest.mark.parametrize("bad,reason", [
    ("afile", "exists and is not a directory; give a directory, or a file name ending in .toml"),
    ("afile/sub", "afile is not a directory"),
    ("afile/cx.toml", "afile is not a directory"),
    ("/proc/exactscreen-cx", "cannot write in /proc"),
])
def test_unwritable_hunt_out_is_refused_before_the_hunt(tmp_path, hunts, bad, reason):
    d, marks = hunts
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    out = bad if bad.startswith("/") else str(tmp_path / bad)
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "hunt", "TOY-BUSY", "--checks", str(d), "--max-batches", "1",
         "--batch-size", "1", "-q", "--out", out],
        env=_env(marks), capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"exactscreen hunt: error: --out {out}: ")
    assert reason in proc.stderr
    assert not list(marks.iterdir()), "the hunt ran before --out was refused"


def test_hunt_out_naming_a_toml_file_writes_that_file(tmp_path, hunts):
    d, marks = hunts
    target = tmp_path / "cx.toml"
    target.write_text("old", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "exactscreen", "hunt", "TOY-LATE", "--checks", str(d), "--batch-size", "1",
         "--seed", "1", "-q", "--out", str(target)],
        env=_env(marks), capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"written to {target}" in proc.stdout
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Counterexample to TOY-LATE") and 'counterexample = "7"' in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cx.toml", "hunts", "marks"]


def test_a_found_counterexample_is_printed_when_the_file_cannot_be_written(tmp_path, hunts, capsys, monkeypatch):
    import exactscreen.outdir

    d, marks = hunts
    monkeypatch.setenv("FAULTS_MARKS", str(marks))

    def full_disk(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exactscreen.outdir, "write_file_atomically", full_disk)
    code = cli.main(["hunt", "TOY-LATE", "--checks", str(d), "--batch-size", "1", "--seed", "1", "-q",
                     "--out", str(tmp_path / "cx")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "TOY-LATE: counterexample found" in out and 'counterexample = "7"' in out
    assert err.count("\n") == 1 and "No space left on device" in err and "printed on stdout" in err


# ------------------------------------------------------------------- solve
SMALL = """\
[types.low]
a = "1"
[types.high]
a = "2"
[market]
low = "1/2"
high = "1/2"
"""


def _read_pty(fd: int, until: bytes | None, timeout: float) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            data += chunk
            if until is not None and until in data:
                break
        elif until is None and data:
            break
    return data


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_solve_prints_one_line(tmp_path, sig):
    """The spinner (started at once here) shows the solve is under way; it blocks reading a FIFO."""
    fifo = tmp_path / "env.toml"
    os.mkfifo(fifo)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "exactscreen", "solve", str(fifo), "--json"],
                            env=_env(tmp_path, EXACTSCREEN_PROGRESS_AFTER="0", TERM="xterm"),
                            stdout=subprocess.PIPE, stderr=slave, start_new_session=True,
                                preexec_fn=_as_from_a_terminal)
    os.close(slave)
    try:
        seen = _read_pty(master, b"solving exactly", TIMEOUT)
        assert b"solving exactly" in seen
        _send(proc, sig, group=sig == signal.SIGINT)
        stdout, _ = proc.communicate(timeout=TIMEOUT)
        rest = _read_pty(master, None, 2)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    # shown when it fails (an exit 1 instead of 143 was seen once under load, undiagnosed)
    assert proc.returncode == EXIT[sig], (proc.returncode, stdout, seen + rest)
    assert stdout == b""
    last = rest.decode("utf-8", "replace").replace("\r", "").strip().splitlines()[-1]
    assert last.endswith(f"exactscreen solve: interrupted by {sig.name}")
    assert b"Traceback" not in seen + rest


def test_solve_spinner_on_a_terminal_and_never_on_stdout(tmp_path):
    fifo = tmp_path / "env.toml"
    os.mkfifo(fifo)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "exactscreen", "solve", str(fifo), "--json"],
                            env=_env(tmp_path, EXACTSCREEN_PROGRESS_AFTER="0", TERM="xterm"),
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    try:
        seen = _read_pty(master, b"solving exactly", TIMEOUT)
        fifo.write_text(SMALL, encoding="utf-8")
        stdout, _ = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode == 0
    assert b"solving exactly: optimal mechanism" in seen and b"0:0" in seen  # spinner with elapsed time
    assert json.loads(stdout)["revenue"]


def test_no_spinner_when_stderr_is_not_a_terminal(tmp_path):
    path = tmp_path / "env.toml"
    path.write_text(SMALL, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "exactscreen", "solve", str(path), "--json"],
                          env=_env(tmp_path, EXACTSCREEN_PROGRESS_AFTER="0"),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["revenue"]


def test_solve_spinner_shows_the_engine_stage(monkeypatch):
    import io
    import time

    from exactscreen.cli.solve import progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("EXACTSCREEN_PROGRESS_AFTER", "0")
    stream = Tty()
    with progress("solving exactly: optimal mechanism", stream) as stage:
        time.sleep(0.3)
        stage("selection 2/5")
        time.sleep(0.5)
    assert "solving exactly: optimal mechanism: selection 2/5" in stream.getvalue()
