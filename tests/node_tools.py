"""Run the Node tools of a test folder (a `package.json` installed with `npm ci`) from Python.

    tooling = NodeTooling(folder, required_packages)
    tooling.require()                         # skip (fail under CI) without Node or npm ci
    result = tooling.run_json("tool.mjs", {...})               # JSON in on stdin, JSON out
    result = await tooling.run_json_async("tool.mjs", {...})   # the event loop keeps running
    proc, url = tooling.start("server.mjs", ["--port", "0"])   # long-lived, ready line {"url"}

A tool's contract: it reads its input (if any) as one JSON document on stdin and prints its
result as one JSON document on the last line of stdout; a crash prints to stderr and exits
non-zero. Every process gets APOLLO_TELEMETRY_DISABLED=1 and no Apollo credentials, and is
given loopback URLs only. Processes started here are killed at interpreter exit if nobody
stopped them. ``tests/clients`` (``clients.py``) and ``tests/federation`` (``node.py``) are
the two folders of Node tools.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests import needs

MIN_NODE_MAJOR = 20
# Variables that would let Apollo's libraries reach Apollo's hosted services.
_APOLLO_CREDENTIALS = ("APOLLO_KEY", "APOLLO_GRAPH_REF", "APOLLO_SCHEMA_REPORTING")

_started: list[subprocess.Popen[str]] = []


def node_executable() -> str | None:
    """Path of the `node` binary, or None."""
    return shutil.which("node")


@functools.cache
def have_node() -> bool:
    """Whether a Node new enough for the pinned packages is on PATH (asked once per run)."""
    node = node_executable()
    if node is None:
        return False
    try:
        version = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False
    major = version.lstrip("v").split(".", 1)[0]
    return major.isdigit() and int(major) >= MIN_NODE_MAJOR


def node_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a Node tool: ours, minus Apollo credentials, telemetry off."""
    env = {k: v for k, v in os.environ.items() if k not in _APOLLO_CREDENTIALS}
    env.update(extra or {})
    env["APOLLO_TELEMETRY_DISABLED"] = "1"
    return env


def parse_result(script: str, returncode: int | None, stdout: str, stderr: str) -> Any:
    """The JSON on the last non-empty stdout line; a tool that printed none raises with stderr."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError) as exc:
        raise RuntimeError(
            f"{script} exited {returncode} without a JSON result:\n{stderr[-4000:]}"
        ) from exc


@dataclass(frozen=True)
class NodeTooling:
    """The Node tools of one folder and the npm packages they cannot run without."""

    folder: Path
    packages: tuple[str, ...]

    @property
    def node_modules(self) -> Path:
        return self.folder / "node_modules"

    def npm_ci_done(self) -> bool:
        """Whether `npm ci --prefix <folder>` has installed the pinned packages."""
        modules = self.node_modules
        return (modules / ".package-lock.json").is_file() and all(
            (modules / name / "package.json").is_file() for name in self.packages
        )

    def require(self) -> None:
        """Skip the calling test when Node or the npm install is missing; fail instead in CI."""
        if not have_node():
            reason = f"node >= {MIN_NODE_MAJOR} is not on PATH"
        elif not self.npm_ci_done():
            reason = f"{self.node_modules} is missing: run `npm ci --prefix {self.folder}`"
        else:
            return
        needs.unavailable(f"Node tooling of {self.folder.name} unavailable: {reason}")

    def argv(self, script: str, args: Sequence[str] = ()) -> list[str]:
        node = node_executable()
        if node is None:
            raise RuntimeError("node is not on PATH")
        return [node, str(self.folder / script), *args]

    def run_json(
        self,
        script: str,
        payload: Any = None,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        timeout: float = 120,
    ) -> Any:
        """Run a tool to its end with ``payload`` as JSON on stdin; return its JSON result.

        Blocks: for tools that talk to a server on this test's event loop use run_json_async.
        """
        result = subprocess.run(
            self.argv(script, args),
            input="" if payload is None else json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.folder,
            env=node_env(env),
        )
        return parse_result(script, result.returncode, result.stdout, result.stderr)

    async def run_json_async(
        self,
        script: str,
        payload: Any = None,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        time_limit_s: float = 120,
    ) -> Any:
        """``run_json`` without blocking the event loop (a live gateway on it keeps serving)."""
        proc = await asyncio.create_subprocess_exec(
            *self.argv(script, args),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=self.folder,
            env=node_env(env),
        )
        stdin = b"" if payload is None else json.dumps(payload).encode()
        try:
            stdout, stderr = await asyncio.wait_for(proc.communicate(stdin), time_limit_s)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        return parse_result(script, proc.returncode, stdout.decode(), stderr.decode())

    def start(
        self,
        script: str,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[subprocess.Popen[str], str]:
        """Start a tool of this folder and wait for its ready line ``{"url": ...}``.

        Returns the process and its URL. Stop it with ``stop_node_process`` (or use
        ``process``); anything left running is killed when the interpreter exits.
        """
        proc = subprocess.Popen(
            self.argv(script, args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.folder,
            env=node_env(env),
        )
        _started.append(proc)
        ready: dict[str, str] = {}
        stderr_lines: list[str] = []

        def read_stdout() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                try:
                    message = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(message, dict) and "url" in message and not ready:
                    ready["url"] = str(message["url"])

        def read_stderr() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                stderr_lines.append(line)
                del stderr_lines[:-200]  # bounded: a chatty process must not grow memory

        # Readers keep draining the pipes for the process's whole life so it never blocks.
        threading.Thread(target=read_stdout, daemon=True).start()
        threading.Thread(target=read_stderr, daemon=True).start()
        deadline = time.monotonic() + timeout
        while "url" not in ready:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_node_process(proc)
                time.sleep(0.1)  # let the stderr reader catch the last lines
                why = "exited" if proc.returncode not in (None, -15) else "timed out"
                raise RuntimeError(
                    f"{script} {why} before its ready line:\n{''.join(stderr_lines)}"
                )
            time.sleep(0.05)
        return proc, ready["url"]

    @contextmanager
    def process(
        self, script: str, args: Sequence[str] = (), env: Mapping[str, str] | None = None
    ) -> Iterator[str]:
        """``start`` as a context manager yielding the URL; stops the process on exit."""
        proc, url = self.start(script, args, env)
        try:
            yield url
        finally:
            stop_node_process(proc)


def stop_node_process(proc: subprocess.Popen[str], timeout: float = 10) -> None:
    """Terminate one process we started (SIGTERM, then SIGKILL) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    if proc in _started:
        _started.remove(proc)


def _stop_all() -> None:
    for proc in list(_started):
        stop_node_process(proc)


atexit.register(_stop_all)
