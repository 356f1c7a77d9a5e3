"""Fixtures: one image per module, and one container of it (read-only, no network)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from container_support import (
    PORT,
    Build,
    PendingBuild,
    Running,
    base_image,
    podman,
    require_tools,
    tracked_copy,
    ulimits,
    wait_until_healthy,
)


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    require_tools("podman", "runc", "conmon", "nsenter", "git")
    return tracked_copy(tmp_path_factory.mktemp("image") / "context"), base_image()


@pytest.fixture(scope="module")
def second_build(context: tuple[Path, str]) -> Iterator[PendingBuild]:
    """A second build of the same files, from scratch (--no-cache), started at once."""
    pending = PendingBuild(*context, "--no-cache")
    yield pending
    pending.cancel()


@pytest.fixture(scope="module")
def built(context: tuple[Path, str], second_build: PendingBuild) -> Iterator[Build]:
    first = PendingBuild(*context)
    try:
        image = first.wait()
        yield image
    finally:
        first.cancel()


@pytest.fixture(scope="module")
def running(built: Build) -> Iterator[Running]:
    started = podman(
        "run",
        "--detach",
        "--network",
        "none",
        "--read-only",
        "--tmpfs",
        "/tmp:rw,size=16m,mode=1777",
        *ulimits(),
        "--env",
        f"GATEWAY_PORT={PORT}",
        built.image_id,
    )
    container_id = started.stdout.strip()
    try:
        pid = int(podman("inspect", "--format", "{{.State.Pid}}", container_id).stdout)
        handle = Running(container_id, pid)
        wait_until_healthy(handle)
        yield handle
    finally:
        podman("rm", "--force", "--time", "0", container_id, check=False)
