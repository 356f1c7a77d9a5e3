"""Helpers of tests/container: the image, built with podman from the tracked files, and
a container of it with no network.

podman runs as root with runc, cgroupfs and file events (what works on these machines, see
README "Container image"). The base is the official slim image when ``PYTHON_IMAGE`` names
one that is present, else the Debian stand-in ``scripts/python-standin`` makes (and keeps,
by tag, for the next run). Everything else the tests create is removed by id.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.needs import unavailable

ROOT = Path(__file__).resolve().parents[2]
PODMAN_OPTIONS = ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
PORT = 8123  # not the default 8000: the HEALTHCHECK must follow GATEWAY_PORT
# Run by the host's Python inside the container's network namespace: port, path, JSON body.
PROBE = """
import sys, urllib.request as u
port, path, body = sys.argv[1:4]
req = u.Request(f"http://127.0.0.1:{port}{path}", data=body.encode() or None,
                headers={"Content-Type": "application/json"})
try:
    answer = u.urlopen(req, timeout=5)
except u.HTTPError as error:
    answer = error
print(answer.status)
print(answer.read().decode())
"""


def require_tools(*names: str, root: bool = True) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        unavailable(
            f"missing: {', '.join(missing)} "
            "(apt-get install podman runc conmon catatonit uidmap mmdebstrap)"
        )
    if root and os.geteuid() != 0:
        unavailable("the container tests need root (podman with runc, mmdebstrap --mode=root)")


def podman(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", *PODMAN_OPTIONS, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def ulimits() -> list[str]:
    """Explicit limits no higher than ours: the sandbox may not raise them (no CAP_SYS_RESOURCE)."""
    options = []
    for name, limit in (("nofile", resource.RLIMIT_NOFILE), ("nproc", resource.RLIMIT_NPROC)):
        hard = resource.getrlimit(limit)[1]
        value = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
        options += ["--ulimit", f"{name}={value}:{value}"]
    return options


def base_image() -> str:
    wanted = os.environ.get("PYTHON_IMAGE")
    if wanted and podman("image", "exists", wanted, check=False).returncode == 0:
        return wanted
    require_tools("mmdebstrap")
    failures = []
    for _attempt in range(2):  # a second try rides out a passing mirror or network error
        made = subprocess.run(
            [str(ROOT / "scripts" / "python-standin")],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if made.returncode == 0:
            return made.stdout.strip().splitlines()[-1]
        failures.append(made.stderr[-3000:])
    pytest.fail("scripts/python-standin failed twice:\n" + "\n---\n".join(failures))


def tracked_copy(destination: Path) -> Path:
    """The build context: the files git tracks, as they are in the work tree."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True, timeout=60
    )
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@dataclass
class Build:
    image_id: str
    context: Path
    base: str

    def pip_freeze(self) -> list[str]:
        out = podman("run", "--rm", "--network", "none", *ulimits(), self.image_id, "pip", "freeze")
        return sorted(out.stdout.splitlines())


class PendingBuild:
    """``podman build`` running in the background (two builds overlap with the other checks)."""

    def __init__(self, context: Path, base: str, *extra: str) -> None:
        self.context, self.base = context, base
        self.iidfile = context.parent / f"iid-{time.monotonic_ns()}"
        self.log = self.iidfile.with_suffix(".log")
        command = ["podman", *PODMAN_OPTIONS, "build", "--format", "docker", "--pull=never"]
        command += ["--network", "host", "--layers=false", *ulimits()]
        command += ["--build-arg", f"PYTHON_IMAGE={base}", "--iidfile", str(self.iidfile)]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [*command, *extra, str(context)], stdout=log, stderr=subprocess.STDOUT
            )

    def wait(self) -> Build:
        try:
            returncode = self.process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            self.cancel()
            raise
        if returncode != 0:
            pytest.fail(f"podman build failed:\n{self.log.read_text()[-4000:]}")
        return Build(self.iidfile.read_text().strip(), self.context, self.base)

    def cancel(self) -> None:
        """Stop the build if it still runs, and remove its image if it made one."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if self.iidfile.exists():
            remove_image(self.iidfile.read_text().strip())


def build(context: Path, base: str, *extra: str) -> Build:
    return PendingBuild(context, base, *extra).wait()


def remove_image(image_id: str) -> None:
    podman("rmi", "--force", image_id, check=False)


@dataclass
class Running:
    container_id: str
    pid: int
    port: int = PORT

    def inspect(self) -> dict[str, Any]:
        out = podman("inspect", "--type", "container", self.container_id)
        return json.loads(out.stdout)[0]  # type: ignore[no-any-return]

    def request(self, path: str, body: Any = None) -> tuple[int, Any]:
        """An HTTP request from inside the container's network namespace (its loopback)."""
        done = subprocess.run(
            [
                *("nsenter", "-t", str(self.pid), "-n", sys.executable, "-c", PROBE),
                *(str(self.port), path, "" if body is None else json.dumps(body)),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            return 0, done.stderr
        status, _, text = done.stdout.partition("\n")
        return int(status), json.loads(text) if text.strip().startswith(("{", "[")) else text


def start(image_id: str, *options: str, command: Sequence[str] = (), port: int = PORT) -> Running:
    """A detached, read-only container of the image (``options``: podman run's)."""
    started = podman("run", "--detach", "--read-only", *ulimits(), *options, image_id, *command)
    container_id = started.stdout.strip()
    try:
        pid = int(podman("inspect", "--format", "{{.State.Pid}}", container_id).stdout)
    except subprocess.CalledProcessError:
        remove_container(container_id)
        raise
    return Running(container_id, pid, port)


def remove_container(container_id: str) -> None:
    podman("rm", "--force", "--time", "0", container_id, check=False)


def wait_until_answering(running: Running, path: str = "/healthz", within_s: float = 60) -> None:
    """Until ``path`` answers 200 (or, for ``path=""``, anything at all)."""
    stop_at = time.monotonic() + within_s
    last: Any = None
    while time.monotonic() < stop_at:
        status, last = running.request(path or "/")
        if status == 200 or (status and not path):
            return
        if not running.inspect()["State"]["Running"]:
            break
        time.sleep(0.3)
    logs = podman("logs", running.container_id, check=False)
    pytest.fail(
        f"no answer on port {running.port}: {last!r}\n{logs.stdout[-2000:]}\n{logs.stderr[-2000:]}"
    )
