"""Starting and stopping the processes under test, and reading their cost from /proc.

Every process is started in its own session (process group) so that stopping it
also stops the uvicorn workers it forked; ``ProcessGroup`` stops them all on exit,
whatever the reason (failure, Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ManagedProcess:
    """A child process whose output lines are kept (bounded) for readiness checks and errors."""

    name: str
    popen: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def start_reader(self) -> None:
        def pump() -> None:
            assert self.popen.stdout is not None
            for line in self.popen.stdout:
                # Keep the first lines (the banner) and the most recent ones (the crash).
                if len(self.lines) > 400:
                    del self.lines[50:250]
                self.lines.append(line.rstrip("\n"))

        self._reader = threading.Thread(target=pump, name=f"{self.name}-out", daemon=True)
        self._reader.start()

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.lines[-n:])

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait until an output line matches ``pattern``; fail if the process exits first."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            while seen < len(self.lines):
                m = rx.search(self.lines[seen])
                seen += 1
                if m:
                    return m
            if self.popen.poll() is not None:
                time.sleep(0.1)  # let the reader drain the last lines
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n{self.tail()}")
            time.sleep(0.02)
        raise TimeoutError(f"{self.name}: no {pattern!r} line in {timeout}s:\n{self.tail()}")

    def wait_http_ok(self, url: str, timeout: float) -> None:
        """Poll ``url`` (loopback only) until it answers 200."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                time.sleep(0.1)
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback URL we built
                    if resp.status == 200:
                        return
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.05)
        raise TimeoutError(f"{self.name}: {url} not 200 after {timeout}s ({last}):\n{self.tail()}")

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the whole process group, then SIGKILL whatever is left after ``grace``."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(grace)
        # Workers may outlive their parent; the group id is still the leader's pid.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(2)


class ProcessGroup:
    """Owns every process the benchmark starts; stops them all when the ``with`` block ends."""

    def __init__(self) -> None:
        self.procs: list[ManagedProcess] = []
        self._old_term: object = None

    def __enter__(self) -> ProcessGroup:
        # SIGTERM becomes KeyboardInterrupt so that the same cleanup path runs.
        def on_term(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        if threading.current_thread() is threading.main_thread():
            self._old_term = signal.signal(signal.SIGTERM, on_term)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_all()
        if self._old_term is not None:
            signal.signal(signal.SIGTERM, self._old_term)  # type: ignore[arg-type]

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
    ) -> ManagedProcess:
        """Start ``argv`` in a new session with stdout+stderr merged and read in the background."""
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env.setdefault("PYTHONUNBUFFERED", "1")
        popen = subprocess.Popen(
            list(argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
            cwd=cwd,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        proc = ManagedProcess(name, popen)
        self.procs.append(proc)
        proc.start_reader()
        return proc

    def stop(self, proc: ManagedProcess) -> None:
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        while self.procs:
            self.procs.pop().stop()


def python_argv(*args: str) -> list[str]:
    """``python <args>`` with the interpreter running the benchmark (the project's venv)."""
    return [sys.executable, *args]


# --- /proc metrics -------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its live descendants (uvicorn's worker processes)."""
    kids = _children_map()
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu_seconds(pid: int) -> float:
    """utime+stime of one process, plus that of children it has already reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After ')' the fields are numbered from 3 (state): utime is 14, stime 15, cutime 16, cstime 17.
    utime, stime, cutime, cstime = (int(fields[i - 3]) for i in (14, 15, 16, 17))
    return (utime + stime + cutime + cstime) / CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds used so far by every process of the tree rooted at ``pid``."""
    return {p: cpu_seconds(p) for p in process_tree(pid)}


def cpu_delta(before: Mapping[int, float], after: Mapping[int, float]) -> float:
    """CPU seconds spent between two ``tree_cpu_seconds`` snapshots (new processes count whole)."""
    return sum(after[p] - before.get(p, 0.0) for p in after)


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of one process in MiB; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_peak_rss_mb(pid: int) -> dict[int, float]:
    """VmHWM in MiB of every process of the tree rooted at ``pid``."""
    return {p: peak_rss_mb(p) for p in process_tree(pid)}


def machine_info() -> dict[str, object]:
    """Facts about the machine that the figures depend on."""
    info: dict[str, object] = {
        "nproc": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": sys.platform,
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        info["mem_total_mb"] = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return info
