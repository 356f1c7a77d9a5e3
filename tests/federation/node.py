"""Python helpers that drive the Node federation tooling in this folder.

    compose([("checkout", "http://127.0.0.1:8000/graphql", sdl), ...])  -> composition result
    start_node_process("loyalty-subgraph.mjs", ["--port", "0"])           -> (proc, url)

Every process gets APOLLO_TELEMETRY_DISABLED=1 and no Apollo credentials, and listens on
127.0.0.1 only. Processes started here are killed at interpreter exit if nobody stopped them.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests import needs

FEDERATION_DIR = Path(__file__).resolve().parent
NODE_MODULES = FEDERATION_DIR / "node_modules"
MIN_NODE_MAJOR = 20
REQUIRED_PACKAGES = (
    "@apollo/composition",
    "@apollo/gateway",
    "@apollo/server",
    "@apollo/subgraph",
    "graphql",
)
# Variables that would let Apollo's libraries reach Apollo's hosted services.
_APOLLO_CREDENTIALS = ("APOLLO_KEY", "APOLLO_GRAPH_REF", "APOLLO_SCHEMA_REPORTING")

_started: list[subprocess.Popen[str]] = []


def node_executable() -> str | None:
    """Path of the `node` binary, or None."""
    return shutil.which("node")


def have_node() -> bool:
    """Whether a Node new enough for the pinned Apollo packages is on PATH."""
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


def npm_ci_done() -> bool:
    """Whether `npm ci --prefix tests/federation` has installed the pinned packages."""
    return (NODE_MODULES / ".package-lock.json").is_file() and all(
        (NODE_MODULES / name / "package.json").is_file() for name in REQUIRED_PACKAGES
    )


def require_node_tooling() -> None:
    """Skip the calling test when Node or the npm install is missing; fail instead in CI."""
    if not have_node():
        reason = f"node >= {MIN_NODE_MAJOR} is not on PATH"
    elif not npm_ci_done():
        reason = f"{NODE_MODULES} is missing: run `npm ci --prefix tests/federation`"
    else:
        return
    needs.unavailable(f"federation tooling unavailable: {reason}")


def node_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a Node tool: ours, minus Apollo credentials, telemetry off."""
    env = {k: v for k, v in os.environ.items() if k not in _APOLLO_CREDENTIALS}
    env.update(extra or {})
    env["APOLLO_TELEMETRY_DISABLED"] = "1"
    return env


def _node_argv(script: str, args: Sequence[str]) -> list[str]:
    node = node_executable()
    if node is None:
        raise RuntimeError("node is not on PATH")
    return [node, str(FEDERATION_DIR / script), *args]


def compose(subgraphs: Sequence[tuple[str, str, str]], timeout: float = 120) -> dict:
    """Compose (name, url, sdl) subgraphs; returns {errors, hints, supergraphSdl}.

    Composition errors come back in ``errors`` (not raised); a crash of the tool raises.
    """
    config = {"subgraphs": [{"name": n, "url": u, "sdl": s} for n, u, s in subgraphs]}
    result = subprocess.run(
        _node_argv("compose.mjs", []),
        input=json.dumps(config),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=FEDERATION_DIR,
        env=node_env(),
    )
    try:
        output: dict = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"compose.mjs exited {result.returncode} without a JSON result:\n{result.stderr}"
        ) from exc
    return output


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


def start_node_process(
    script: str,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> tuple[subprocess.Popen[str], str]:
    """Start a tool from this folder and wait for its ready line ``{"url": ...}``.

    Returns the process and its URL. Stop it with ``stop_node_process`` (or use
    ``node_process``); anything left running is killed when the interpreter exits.
    """
    proc = subprocess.Popen(
        _node_argv(script, args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=FEDERATION_DIR,
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
            raise RuntimeError(f"{script} {why} before its ready line:\n{''.join(stderr_lines)}")
        time.sleep(0.05)
    return proc, ready["url"]


@contextmanager
def node_process(
    script: str, args: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """``start_node_process`` as a context manager yielding the URL; stops it on exit."""
    proc, url = start_node_process(script, args, env)
    try:
        yield url
    finally:
        stop_node_process(proc)
