"""Fixtures: one image per module, and one container of it (read-only, no network)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.container.container_support import (
    PORT,
    Build,
    PendingBuild,
    Running,
    base_image,
    remove_container,
    require_tools,
    start,
    tracked_copy,
    wait_until_answering,
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
    handle = start(
        built.image_id,
        *("--network", "none", "--tmpfs", "/tmp:rw,size=16m,mode=1777"),
        *("--env", f"GATEWAY_PORT={PORT}"),
    )
    try:
        wait_until_answering(handle)
        yield handle
    finally:
        remove_container(handle.container_id)
