#!/usr/bin/env python3
"""Re-vendor GraphiQL's browser files from npm, checked against the pinned manifest.

    python scripts/vendor_graphiql.py            # fetch, verify, write (fails on any mismatch)
    python scripts/vendor_graphiql.py --check    # only verify the committed tree
    python scripts/vendor_graphiql.py --rehash   # deliberate bump: record what npm now serves

Each package in gateway/graphiql/assets/manifest.json is fetched by exact version with
`npm pack` into a temporary folder (the npm registry only, never a CDN). The tarball's
sha512 and every needed file's sha384 must equal the manifest before anything is written;
each package folder is then replaced whole, so running it again reproduces the tree.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from gateway.graphiql.assets import (  # noqa: E402  (needs the repo root on the path)
    ASSETS_DIR,
    MANIFEST_NAME,
    VendoredPackage,
    load_manifest,
    sri_sha384,
    verify_assets,
)


class VendoringError(Exception):
    """npm served something other than what the manifest pins."""


def npm_pack(spec: str, destination: Path) -> tuple[Path, str]:
    """Download one package tarball by exact version; returns its path and npm integrity."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendoringError("npm is not on PATH")
    result = subprocess.run(  # noqa: S603  (fixed argv, no shell)
        [npm, "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(destination)],
        check=True,
        capture_output=True,
        text=True,
        cwd=destination,
    )
    (info,) = json.loads(result.stdout)
    return destination / info["filename"], info["integrity"]


def read_package_files(tarball: Path, paths: list[str]) -> dict[str, bytes]:
    """The named files from an npm tarball, whose single top folder is stripped."""
    wanted = set(paths)
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            _top, _, inner = member.name.partition("/")
            if inner in wanted:
                extracted = archive.extractfile(member)
                if extracted is not None:
                    found[inner] = extracted.read()
    missing = wanted - found.keys()
    if missing:
        raise VendoringError(f"{tarball.name} lacks {sorted(missing)}")
    return found


def fetch_package(
    package: VendoredPackage, workdir: Path, rehash: bool
) -> tuple[dict[str, bytes], dict[str, str]]:
    """Fetch one package's needed files; with ``rehash`` report new hashes instead of failing."""
    tarball, tarball_integrity = npm_pack(package.spec, workdir)
    problems: list[str] = []
    hashes: dict[str, str] = {"": tarball_integrity}
    if tarball_integrity != package.tarball_integrity:
        problems.append(
            f"{package.spec}: tarball {tarball_integrity} != pinned {package.tarball_integrity}"
        )
    contents = read_package_files(tarball, [f.path for f in package.files])
    for f in package.files:
        actual = sri_sha384(contents[f.path])
        hashes[f.path] = actual
        if actual != f.integrity:
            problems.append(f"{f.relative_path}: {actual} != pinned {f.integrity}")
    if problems and not rehash:
        listing = "\n  ".join(problems)
        raise VendoringError(f"npm served files that differ from the manifest:\n  {listing}")
    return contents, hashes


def write_manifest_hashes(root: Path, new_hashes: dict[str, dict[str, str]]) -> None:
    """Rewrite the manifest's hashes (order and everything else kept)."""
    manifest_path = root / MANIFEST_NAME
    raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in raw["packages"]:
        hashes = new_hashes[f"{entry['name']}@{entry['version']}"]
        entry["tarball_integrity"] = hashes[""]
        for f in entry["files"]:
            f["integrity"] = hashes[f["path"]]
    manifest_path.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")


def vendor(root: Path, rehash: bool) -> None:
    """Fetch every package, verify all of them, and only then replace the vendored folders."""
    packages = load_manifest(root)
    fetched: dict[str, dict[str, bytes]] = {}
    new_hashes: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="vendor-graphiql-") as tmp:
        for package in packages:
            workdir = Path(tmp) / package.spec.replace("/", "+")
            workdir.mkdir()
            fetched[package.spec], new_hashes[package.spec] = fetch_package(
                package, workdir, rehash
            )
    for package in packages:
        target = root / package.spec
        if target.exists():
            shutil.rmtree(target)
        for path, data in fetched[package.spec].items():
            destination = target / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        print(f"vendored {package.spec} ({len(fetched[package.spec])} files)")
    if rehash:
        write_manifest_hashes(root, new_hashes)
        print(f"rewrote hashes in {root / MANIFEST_NAME}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="only verify the vendored tree")
    mode.add_argument(
        "--rehash", action="store_true", help="accept npm's current hashes into the manifest"
    )
    parser.add_argument("--root", type=Path, default=ASSETS_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.check:
        try:
            vendor(args.root, rehash=args.rehash)
        except (VendoringError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or ""
            print(f"vendor_graphiql: FAILED: {exc}\n{detail}", file=sys.stderr)
            return 1
    problems = verify_assets(args.root)
    for problem in problems:
        print(f"vendor_graphiql: {problem}", file=sys.stderr)
    if problems:
        return 1
    print("vendored GraphiQL assets match the manifest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
