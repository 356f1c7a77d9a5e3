"""The vendored GraphiQL files: where they live, what they must hash to, and the check.

The manifest is the single source of truth for which npm files the page needs and their
sha384 (the same Subresource Integrity values Strawberry pins for its CDN page), so the
vendoring script, the page and the start-up check all read it rather than repeat it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ASSETS_DIR = Path(__file__).parent / "assets"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class VendoredFile:
    """One file taken from an npm package, as the manifest records it."""

    package: str  # "name@version", e.g. "@graphiql/plugin-explorer@1.0.2"
    path: str  # inside the npm package, e.g. "dist/index.umd.js"
    kind: str  # "script", "style" or "license"
    integrity: str  # "sha384-<base64>"

    @property
    def relative_path(self) -> str:
        """Where the file sits under the assets root (and under the URL prefix)."""
        return f"{self.package}/{self.path}"


@dataclass(frozen=True)
class VendoredPackage:
    """One npm package at an exact version, with the tarball's own npm integrity."""

    name: str
    version: str
    license: str
    tarball_integrity: str  # the sha512 npm reports for the packed tarball
    files: tuple[VendoredFile, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


def sri_sha384(data: bytes) -> str:
    """The Subresource Integrity string browsers check for a sha384-pinned resource."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def load_manifest(root: Path = ASSETS_DIR) -> list[VendoredPackage]:
    """The packages and files listed in ``root/manifest.json``."""
    raw = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    packages = []
    for entry in raw["packages"]:
        spec = f"{entry['name']}@{entry['version']}"
        files = tuple(
            VendoredFile(package=spec, path=f["path"], kind=f["kind"], integrity=f["integrity"])
            for f in entry["files"]
        )
        packages.append(
            VendoredPackage(
                name=entry["name"],
                version=entry["version"],
                license=entry["license"],
                tarball_integrity=entry["tarball_integrity"],
                files=files,
            )
        )
    return packages


def manifest_files(root: Path = ASSETS_DIR) -> list[VendoredFile]:
    """Every vendored file, in manifest order (which is also the page's load order)."""
    return [f for package in load_manifest(root) for f in package.files]


def verify_assets(root: Path = ASSETS_DIR) -> list[str]:
    """Problems with the vendored tree under ``root``: missing, altered or unlisted files.

    An empty list means every file the manifest names is present with its pinned sha384
    and nothing else sits in the vendored package folders. Used at start-up (refuse to
    serve a GraphiQL whose browser checks would fail) and by the tests.
    """
    try:
        files = manifest_files(root)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"cannot read {root / MANIFEST_NAME}: {exc!r}"]
    problems: list[str] = []
    expected: set[Path] = set()
    package_dirs: set[Path] = set()
    for f in files:
        target = root / f.relative_path
        expected.add(target)
        package_dirs.add(root / f.package)
        if not target.is_file():
            problems.append(f"missing: {f.relative_path}")
            continue
        actual = sri_sha384(target.read_bytes())
        if actual != f.integrity:
            problems.append(f"hash mismatch: {f.relative_path}: {actual} != {f.integrity}")
    for package_dir in sorted(package_dirs):
        if not package_dir.is_dir():
            continue
        for path in sorted(p for p in package_dir.rglob("*") if p.is_file()):
            if path not in expected:
                problems.append(f"not in manifest: {path.relative_to(root)}")
    return problems
